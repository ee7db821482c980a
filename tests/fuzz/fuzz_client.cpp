// libFuzzer target: the whole frame handler of GatewayClient, fed fuzzed WebSocket messages
// through GatewayClient::injectMessageForTest after a simulated HELLO.
//
// Each input gets a fresh client. The client is started against loopback port 1 for both REST
// and the gateway (nothing listens there: no packet leaves the machine); the run stops as soon
// as the client has created its socket (`connecting`), which is what makes the frame handler
// treat injected messages as arriving on the current socket. The event loop is not run while
// frames are injected, so no timer fires and the outcome depends on the input only.
//
// Input format (tests/fuzz/README.md):
//   byte 0: bit 0 = zlib-stream compression on, bit 1 = seed a resumable session (RESUME path),
//           bit 2 = process posted events after every frame (deferred deletes, queued slots),
//           bit 3 = zstd-stream instead of zlib-stream
//   then repeated [flags: 1 byte, bit 0 = binary][length: 2 bytes LE][length bytes];
//   a short last record takes the rest of the input.
#include "gatewayclient.h"
#include "identifygate.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QTimer>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace std::chrono_literals;

namespace {

QCoreApplication *app = nullptr;
QNetworkAccessManager *nam = nullptr;

void quietMessages(QtMsgType type, const QMessageLogContext &, const QString &)
{
    if (type == QtFatalMsg)
        std::abort();
}

void ensureApp()
{
    if (app)
        return;
    static int argc = 1;
    static char name[] = "fuzz_client";
    static char *argv[] = {name, nullptr};
    app = new QCoreApplication(argc, argv);
    nam = new QNetworkAccessManager(app);
    if (qEnvironmentVariableIsEmpty("GATEWATCH_FUZZ_VERBOSE"))
        qInstallMessageHandler(quietMessages);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    ensureApp();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ensureApp();
    if (size < 1)
        return 0;
    const uint8_t mode = data[0];

    gw::GatewayClientConfig config;
    config.token = QStringLiteral("fuzz-token");
    // An unsupported scheme fails GET /gateway/bot at once, without a thread or a socket.
    config.apiBase = QUrl(QStringLiteral("fuzz://invalid/api/v10"));
    config.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:1"));
    config.compression = (mode & 8) != 0 ? gw::Compression::ZstdStream
                         : (mode & 1) != 0 ? gw::Compression::ZlibStream
                                           : gw::Compression::None;
    config.timings = gw::GatewayTimings::fast();
    config.maxIncomingMessageSize = 1024 * 1024;
    config.maxIncomingFrameSize = 1024 * 1024;
    auto client = std::make_unique<gw::GatewayClient>(config, nullptr, nam);
    if (mode & 2) {
        gw::ResumeState seeded;
        seeded.sessionId = QStringLiteral("fuzz-session");
        seeded.resumeGatewayUrl = QUrl(QStringLiteral("ws://127.0.0.1:1"));
        seeded.sequence = 7;
        client->setResumeState(seeded);
    }

    {
        QEventLoop loop;
        QObject::connect(client.get(), &gw::GatewayClient::connecting, &loop, &QEventLoop::quit);
        QObject::connect(client.get(), &gw::GatewayClient::errorOccurred, &loop, [&loop, &client] {
            if (client->state() == gw::ConnectionState::Failed)
                loop.quit();
        });
        QTimer guard;
        guard.setSingleShot(true);
        QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
        guard.start(5s);
        client->start();
        loop.exec();
    }

    client->injectMessageForTest(QByteArrayLiteral(R"({"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null})"), false);

    std::size_t pos = 1;
    while (pos < size) {
        const bool binary = (data[pos] & 1) != 0;
        const bool pump = (mode & 4) != 0;
        ++pos;
        std::size_t len = size - pos;
        if (size - pos >= 2) {
            len = std::size_t(data[pos]) | (std::size_t(data[pos + 1]) << 8);
            pos += 2;
            len = std::min(len, size - pos);
        }
        client->injectMessageForTest(QByteArray(reinterpret_cast<const char *>(data + pos), qsizetype(len)), binary);
        pos += len;
        if (pump)
            QCoreApplication::sendPostedEvents();
    }
    // Invariant: Ready (or Degraded) only ever with a real session (a stray RESUMED once made
    // the client Ready with an empty session id: regressions/client/resumed-without-resume).
    const gw::ConnectionState st = client->state();
    if (st == gw::ConnectionState::Ready || st == gw::ConnectionState::Degraded) {
        const auto session = client->session();
        if (!session || session->sessionId.isEmpty())
            std::abort();
    }
    (void)client->resumeState();
    (void)client->stats();
    client->stop();
    client.reset();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    return 0;
}
