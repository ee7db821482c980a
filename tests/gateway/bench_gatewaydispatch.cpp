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

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>

#include <zlib.h>
#include <zstd.h>

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
    {
        GatewayClientConfig c;
        c.token = QStringLiteral("bench");
        c.compression = Compression::None;
        GatewayClient client(c);
        quint64 seen = 0;
        QObject::connect(&client, &GatewayClient::dispatchReceived, &client, [&](const QByteArray &, qint64) { ++seen; });
        QElapsedTimer t;
        t.start();
        for (const QByteArray &m : std::as_const(plain))
            client.injectMessageForTest(m, false);
        std::printf("client, plain JSON:        %9.0f dispatch/s (%llu)\n", rate(N, t), static_cast<unsigned long long>(seen));
    }
    {
        // A server-side zlib-stream: one deflate context, Z_SYNC_FLUSH per message.
        z_stream zs{};
        deflateInit(&zs, Z_DEFAULT_COMPRESSION);
        QList<QByteArray> compressed;
        for (const QByteArray &in : std::as_const(plain)) {
            QByteArray out(in.size() + 64, Qt::Uninitialized);
            zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
            zs.avail_in = uInt(in.size());
            zs.next_out = reinterpret_cast<Bytef *>(out.data());
            zs.avail_out = uInt(out.size());
            deflate(&zs, Z_SYNC_FLUSH);
            out.resize(out.size() - qsizetype(zs.avail_out));
            compressed << out;
        }
        deflateEnd(&zs);
        GatewayClientConfig c;
        c.token = QStringLiteral("bench");
        c.compression = Compression::ZlibStream;
        GatewayClient client(c);
        quint64 seen = 0;
        QObject::connect(&client, &GatewayClient::dispatchReceived, &client, [&](const QByteArray &, qint64) { ++seen; });
        QElapsedTimer t;
        t.start();
        for (const QByteArray &m : std::as_const(compressed))
            client.injectMessageForTest(m, true);
        std::printf("client, zlib-stream:       %9.0f dispatch/s (%llu, malformed %llu)\n", rate(N, t),
                    static_cast<unsigned long long>(seen), static_cast<unsigned long long>(client.stats().malformedPayloads));
    }
    {
        // A server-side zstd-stream: one compression context, ZSTD_e_flush per message.
        ZSTD_CCtx *cctx = ZSTD_createCCtx();
        QList<QByteArray> compressed;
        qint64 wire = 0;
        for (const QByteArray &in : std::as_const(plain)) {
            QByteArray out(qsizetype(ZSTD_compressBound(size_t(in.size()))) + 64, Qt::Uninitialized);
            ZSTD_inBuffer input{in.constData(), size_t(in.size()), 0};
            ZSTD_outBuffer output{out.data(), size_t(out.size()), 0};
            while (ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_flush) > 0) {
            }
            out.resize(qsizetype(output.pos));
            wire += out.size();
            compressed << out;
        }
        ZSTD_freeCCtx(cctx);
        GatewayClientConfig c;
        c.token = QStringLiteral("bench");
        c.compression = Compression::ZstdStream;
        GatewayClient client(c);
        quint64 seen = 0;
        QObject::connect(&client, &GatewayClient::dispatchReceived, &client, [&](const QByteArray &, qint64) { ++seen; });
        QElapsedTimer t;
        t.start();
        for (const QByteArray &m : std::as_const(compressed))
            client.injectMessageForTest(m, true);
        std::printf("client, zstd-stream:       %9.0f dispatch/s (%llu, malformed %llu, %.1f wire bytes/msg)\n", rate(N, t),
                    static_cast<unsigned long long>(seen), static_cast<unsigned long long>(client.stats().malformedPayloads),
                    double(wire) / N);
    }
    return 0;
}
