// /metrics under load (docs/metrics.md, "Slow clients"): a 5,000-account registry scraped by 60
// clients that send `GET /metrics` and never read. The body is rendered once and shared, each
// connection queues at most MaxQueuedBytes, a probe is answered in full while they hang, the
// memory they cost is bounded, and it is given back when they leave.
#include "metricsregistry.h"
#include "metricsserver.h"
#include "process.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

using namespace gw;
using namespace std::chrono_literals;

namespace {

constexpr int k_accounts = 5000;
constexpr int k_slowClients = 60;
constexpr int k_clientReceiveBuffer = 4096;  // the kernel doubles it; still tiny next to the body

//! A client on a raw POSIX socket with a small receive buffer: it sends one request and never
//! reads, so the loopback buffers fill and the server has to hold the rest of its answer.
class SilentClient
{
public:
    explicit SilentClient(quint16 port)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0)
            return;
        const int size = k_clientReceiveBuffer;
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(port);
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        static constexpr char request[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
        m_ok = ::connect(m_fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) == 0
            && ::send(m_fd, request, sizeof request - 1, MSG_NOSIGNAL) == qsizetype(sizeof request - 1);
    }
    ~SilentClient()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    SilentClient(const SilentClient &) = delete;
    SilentClient &operator=(const SilentClient &) = delete;

    [[nodiscard]] bool ok() const { return m_ok; }
    //! Bytes of the answer waiting unread in this client's receive queue.
    [[nodiscard]] int unread() const
    {
        int n = 0;
        return ::ioctl(m_fd, FIONREAD, &n) == 0 ? n : -1;
    }

private:
    int m_fd = -1;
    bool m_ok = false;
};

struct Probe
{
    int status = 0;
    qsizetype contentLength = -1;
    qsizetype bodySize = 0;
    qint64 ms = 0;
};

//! A client that reads the whole answer (QTcpSocket, the test's event loop keeps the server going).
Probe probe(quint16 port, int timeoutMs)
{
    Probe p;
    QElapsedTimer clock;
    clock.start();
    QTcpSocket socket;
    QByteArray data;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { data += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    if (socket.state() != QAbstractSocket::UnconnectedState)
        (void)closed.wait(timeoutMs);
    data += socket.readAll();
    p.ms = clock.elapsed();
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return p;
    const QByteArray head = data.left(end);
    p.status = head.mid(9, 3).toInt();
    for (const QByteArray &line : head.split('\n')) {
        if (line.startsWith("Content-Length: "))
            p.contentLength = line.mid(16).trimmed().toLongLong();
    }
    p.bodySize = data.size() - end - 4;
    return p;
}

//! The kernel's largest send buffer for one TCP socket (net.ipv4.tcp_wmem, third field).
qsizetype maxKernelSendBuffer()
{
    QFile f(QStringLiteral("/proc/sys/net/ipv4/tcp_wmem"));
    if (!f.open(QIODevice::ReadOnly))
        return 4 * 1024 * 1024;
    return f.readAll().simplified().split(' ').value(2).toLongLong();
}

AccountStatus readyStatus(int i)
{
    AccountStatus s;
    s.accountId = QStringLiteral("acct-%1").arg(i);
    s.accountName = QStringLiteral("bot-%1").arg(i);
    s.state = ConnectionState::Ready;
    s.connected = true;
    s.identifies = 1;
    s.stats.lastLatency = std::chrono::milliseconds(20 + i % 50);
    s.stats.acksReceived = 3;
    s.stats.liveDispatches = quint64(i);
    s.stats.lastDispatchAt = QDateTime::currentDateTimeUtc();
    return s;
}

qint64 mib(qint64 kib)
{
    return kib / 1024;
}

} // namespace

class tst_MetricsSlowReaders : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void slowReadersShareOneBodyAndLetGo();
    void silentReaderIsDisconnectedAfterWriteTimeout();
    void bodyIsReusedWithinMaxAge();

private:
    MetricsRegistry m_registry;
    int m_renders = 0;
    qsizetype m_bodySize = 0;
    void serveRegistry(MetricsServer &server);
};

void tst_MetricsSlowReaders::initTestCase()
{
    for (int i = 0; i < k_accounts; ++i)
        m_registry.updateStatus(readyStatus(i));
    m_bodySize = m_registry.exposition().size();
    qInfo("registry: %d accounts, body %lld bytes", k_accounts, qlonglong(m_bodySize));
    // The kernel can hold a send buffer and the client's receive buffer per connection; the body
    // must be larger than both, or the server would never have to hold anything itself.
    QVERIFY2(m_bodySize > maxKernelSendBuffer() + 4 * k_clientReceiveBuffer,
             qPrintable(QStringLiteral("body %1 bytes fits in the kernel's buffers").arg(m_bodySize)));
}

void tst_MetricsSlowReaders::serveRegistry(MetricsServer &server)
{
    server.setBodyProvider([this] {
        ++m_renders;
        return m_registry.exposition();
    }, MetricsRegistry::contentType());
    MetricsListenAddress where;
    where.port = 0;
    const auto listening = server.listen(where);
    QVERIFY2(listening.hasValue(), listening ? "" : qPrintable(listening.error()));
}

void tst_MetricsSlowReaders::slowReadersShareOneBodyAndLetGo()
{
    MetricsServer server;
    server.setWriteTimeout(120s);  // they leave when the test closes them, not before
    serveRegistry(server);
    m_renders = 0;
    const qint64 rssStart = gwtest::vmRssKb();
    qint64 rssPeak = rssStart;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &sampler, [&rssPeak] { rssPeak = std::max(rssPeak, gwtest::vmRssKb()); });
    sampler.start(10);

    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<SilentClient>> clients;
    for (int i = 0; i < k_slowClients; ++i) {
        clients.push_back(std::make_unique<SilentClient>(server.serverPort()));
        QVERIFY(clients.back()->ok());
        if (i % 10 == 9)  // let the server accept before the listen backlog fills
            QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), i + 1, 10000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.requestsServed(), k_slowClients, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.cbegin(), clients.cend(), [](const auto &c) { return c->unread() > 0; }), 20000);

    const int probeLimitMs = gwtest::UnderAsan ? 15000 : 5000;
    const Probe p = probe(server.serverPort(), probeLimitMs);
    qInfo("probe while %d clients hang: status %d, %lld of %lld bytes in %lld ms", k_slowClients, p.status,
          qlonglong(p.bodySize), qlonglong(p.contentLength), qlonglong(p.ms));
    QCOMPARE(p.status, 200);
    QCOMPARE(p.bodySize, p.contentLength);
    QVERIFY(p.bodySize > 0);
    QVERIFY2(p.ms < probeLimitMs, qPrintable(QString::number(p.ms)));
    // Still hanging: the server holds the rest of each answer (none could be written in full).
    QCOMPARE(server.openConnections(), k_slowClients);
    for (const auto &c : clients)
        QVERIFY(c->unread() < m_bodySize);
    const qint64 seconds = clock.elapsed() / 1000;
    QVERIFY2(m_renders <= 2 + seconds, qPrintable(QStringLiteral("%1 renders in %2 s").arg(m_renders).arg(seconds)));
    rssPeak = std::max(rssPeak, gwtest::vmRssKb());

    clients.clear();
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 10000);
    // Once the cached body has expired too, the freed heap is trimmed: RSS settles near the start.
    const qint64 settleBoundKb = rssStart + (gwtest::UnderAsan ? 512 : 32) * 1024;
    QTRY_VERIFY_WITH_TIMEOUT(gwtest::vmRssKb() < settleBoundKb, 5000);
    sampler.stop();
    const qint64 rssAfter = gwtest::vmRssKb();
    qInfo("RSS: start %lld MiB, peak while %d clients hang %lld MiB, after they left %lld MiB (%d renders, body %lld KiB)",
          qlonglong(mib(rssStart)), k_slowClients, qlonglong(mib(rssPeak)), qlonglong(mib(rssAfter)), m_renders,
          qlonglong(m_bodySize / 1024));
    // Peak: the shared body, the transient copies of one render (the serializer's stream and
    // string) and MaxQueuedBytes per connection; measured start + 41 MiB (4 bodies) with a 10 MB
    // body. A rendering and a copy per connection measured start + 981 MiB.
    const qint64 bodyKb = m_bodySize / 1024;
    const qint64 peakBoundKb = rssStart + 6 * bodyKb + k_slowClients * MetricsServer::MaxQueuedBytes / 1024 * 2 + 32 * 1024;
    QVERIFY2(gwtest::UnderAsan || rssPeak < peakBoundKb,
             qPrintable(QStringLiteral("peak %1 KiB, bound %2 KiB").arg(rssPeak).arg(peakBoundKb)));
}

// A client that reads nothing of its answer for the write timeout is disconnected.
void tst_MetricsSlowReaders::silentReaderIsDisconnectedAfterWriteTimeout()
{
    MetricsServer server;
    server.setWriteTimeout(300ms);
    serveRegistry(server);
    std::vector<std::unique_ptr<SilentClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<SilentClient>(server.serverPort()));
        QVERIFY(clients.back()->ok());
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.requestsServed(), 3, 10000);
    QCOMPARE(server.openConnections(), 3);  // none of them could be answered in full
    QTRY_COMPARE_WITH_TIMEOUT(server.openConnections(), 0, 10000);
    QCOMPARE(probe(server.serverPort(), 10000).status, 200);
}

// Requests within the body's max age share one rendering; max age 0 renders every time.
void tst_MetricsSlowReaders::bodyIsReusedWithinMaxAge()
{
    MetricsServer server;
    server.setBodyMaxAge(1h);
    serveRegistry(server);
    m_renders = 0;
    QCOMPARE(probe(server.serverPort(), 10000).status, 200);
    QCOMPARE(probe(server.serverPort(), 10000).status, 200);
    QCOMPARE(m_renders, 1);
    server.setBodyMaxAge(0ms);
    QCOMPARE(probe(server.serverPort(), 10000).status, 200);
    QCOMPARE(probe(server.serverPort(), 10000).status, 200);
    QCOMPARE(m_renders, 3);
}

QTEST_GUILESS_MAIN(tst_MetricsSlowReaders)
#include "tst_metrics_slowreaders.moc"
