// Dispatch-path throughput of the gateway engine: plain JSON, zlib-stream and zstd-stream (target:
// >= 150k dispatch events/s/core, docs/performance.md).
// Not a CTest test; build it in a Release tree:
//   cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-release --target bench_gatewaydispatch && build-release/tests/gateway/bench_gatewaydispatch
// It feeds pre-built MESSAGE_CREATE messages through GatewayClient::injectMessageForTest (the same
// frame-in path a socket uses, GatewayTransport::receive: inflate → envelope scan → sequence →
// dispatchReceived).
#include "gatewayclient.h"
#include "gatewaypayload.h"
#include "simdeflater_p.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>

#include <cstdio>

using namespace gw;

namespace {

QByteArray messageCreate(int seq)
{
    return QByteArray(R"({"t":"MESSAGE_CREATE","s":)") + QByteArray::number(seq)
        + R"(,"op":0,"d":{"id":"1234567890123456789","channel_id":"400000000000000001","guild_id":"100000000000000000",)"
          R"("type":0,"author":{"id":"300000000000000001","username":"someone","discriminator":"0"},)"
          R"("timestamp":"2026-11-29T09:00:00.000Z","content":"hello world, this is a message with some text in it"}})";
}

double rate(int n, const QElapsedTimer &t)
{
    return double(n) / (double(t.nsecsElapsed()) / 1e9);
}

//! One client case: `plain` sent as the server would for `compression` (the simulator's
//! SimDeflater: one context, a flush per message), fed through the client's frame-in path.
void clientRate(Compression compression, const QList<QByteArray> &plain)
{
    QList<QByteArray> wire = plain;
    qint64 wireBytes = 0;
    if (compression != Compression::None) {
        SimDeflater deflater(compression);
        for (QByteArray &m : wire)
            m = deflater.compress(m);
    }
    for (const QByteArray &m : std::as_const(wire))
        wireBytes += m.size();
    GatewayClientConfig c;
    c.token = QStringLiteral("bench");
    c.compression = compression;
    GatewayClient client(c);
    quint64 seen = 0;
    QObject::connect(&client, &GatewayClient::dispatchReceived, &client, [&](const QByteArray &, qint64) { ++seen; });
    const bool binary = compression != Compression::None;
    QElapsedTimer t;
    t.start();
    for (const QByteArray &m : std::as_const(wire))
        client.injectMessageForTest(m, binary);
    const qsizetype n = wire.size();
    std::printf("client, %-11s %9.0f dispatch/s (%llu, malformed %llu, %.1f wire bytes/msg)\n",
                qPrintable((compression == Compression::None ? QStringLiteral("plain JSON") : compressionName(compression)) + QLatin1Char(':')), rate(int(n), t), static_cast<unsigned long long>(seen),
                static_cast<unsigned long long>(client.stats().malformedPayloads), double(wireBytes) / double(n));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    constexpr int N = 300000;
    QList<QByteArray> plain;
    for (int i = 0; i < N; ++i)
        plain << messageCreate(i + 1);

    {
        QElapsedTimer t;
        t.start();
        qint64 sink = 0;
        for (const QByteArray &m : std::as_const(plain))
            sink += PayloadDecoder::decode(m)->op;
        std::printf("envelope scan only:        %9.0f msg/s (%lld)\n", rate(N, t), static_cast<long long>(sink));
    }
    clientRate(Compression::None, plain);
    clientRate(Compression::ZlibStream, plain);
    clientRate(Compression::ZstdStream, plain);
    return 0;
}
