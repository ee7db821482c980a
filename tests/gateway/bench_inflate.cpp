// Per-message inflate cost of the transport compressions (docs/performance.md, inflate): zlib
// 1.2.13's inflate and ISA-L's isal_inflate on one zlib-stream (one deflate context, Z_SYNC_FLUSH
// per message, as the simulator's SimDeflater sends it), and zstd's ZSTD_decompressStream on one
// zstd-stream (ZSTD_e_flush per message). Every decoder keeps ONE context for the whole stream and
// decodes each message on its own into a reused buffer; every output is compared with the input.
// Not a CTest test; build it in a Release tree:
//   cmake --build build-bench --target bench_inflate
//   build-bench/tests/gateway/bench_inflate [small|large] [zlib|isal|zstd] [messages]
// Without arguments it runs every case; naming one case runs only that one (for callgrind).
#include "simdeflater_p.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>

#include <isa-l/igzip_lib.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>

using namespace gw;

namespace {

//! A deterministic MESSAGE_CREATE of `target` bytes (at least its ~230-byte envelope): random
//! snowflakes, author and timestamp, and user text drawn (skewed to the first) from 1024 made-up words, so every message
//! brings new literals and the encoder writes a dynamic Huffman block for it.
QByteArray messageCreate(int seq, int target)
{
    quint32 x = 2463534242u ^ quint32(seq) * 2654435761u;
    auto next = [&x] { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; };
    auto snowflake = [&next] { return QByteArray::number(1000000000000000000ull + quint64(next()) * 100000000ull + next() % 100000000); };
    const QByteArray head = QByteArray(R"({"t":"MESSAGE_CREATE","s":)") + QByteArray::number(seq) + R"(,"op":0,"d":{"id":")"
        + snowflake() + R"(","channel_id":")" + snowflake() + R"(","guild_id":"100000000000000000","type":0,"author":{"id":")"
        + snowflake() + R"(","username":"u)" + QByteArray::number(next() % 100000) + R"("},"timestamp":"2026-11-29T09:)"
        + QByteArray::number(next() % 50 + 10) + ":" + QByteArray::number(next() % 50 + 10) + R"(.000Z","content":")";
    QByteArray content;
    static const QList<QByteArray> vocabulary = [] {
        QList<QByteArray> words;
        quint32 y = 88172645u;
        for (int i = 0; i < 1024; ++i) {
            QByteArray w;
            for (quint32 len = (y = y * 1664525u + 1013904223u) >> 29; len < 9; len += 2)
                w += char('a' + ((y = y * 1664525u + 1013904223u) >> 24) % 26);
            words << w;
        }
        return words;
    }();
    while (head.size() + content.size() + 3 < target)
        content += vocabulary.at(qsizetype(next() % 1024 * (next() % 1024) / 1024)) + ' ';  // common words first
    return head + content.left(std::max<qsizetype>(0, target - head.size() - 3)) + "\"}}";
}

struct Result
{
    qint64 nanos = 0;     //!< wall time
    qint64 cpuNanos = 0;  //!< this thread's CPU time: less disturbed by other processes on a shared machine
    qint64 mismatches = 0;
};

qint64 threadCpuNanos()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

using Decoder = bool (*)(void *ctx, const QByteArray &in, QByteArray &out, qsizetype &used);

bool zlibDecode(void *ctx, const QByteArray &in, QByteArray &out, qsizetype &used)
{
    auto *zs = static_cast<z_stream *>(ctx);
    zs->next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs->avail_in = uInt(in.size());
    zs->next_out = reinterpret_cast<Bytef *>(out.data());
    zs->avail_out = uInt(out.size());
    const int rc = inflate(zs, Z_SYNC_FLUSH);
    used = out.size() - qsizetype(zs->avail_out);
    return (rc == Z_OK || rc == Z_BUF_ERROR) && zs->avail_in == 0;
}

bool isalDecode(void *ctx, const QByteArray &in, QByteArray &out, qsizetype &used)
{
    auto *st = static_cast<inflate_state *>(ctx);
    st->next_in = reinterpret_cast<uint8_t *>(const_cast<char *>(in.constData()));
    st->avail_in = uint32_t(in.size());
    st->next_out = reinterpret_cast<uint8_t *>(out.data());
    st->avail_out = uint32_t(out.size());
    const int rc = isal_inflate(st);
    used = out.size() - qsizetype(st->avail_out);
    return rc == ISAL_DECOMP_OK && st->avail_in == 0;
}

bool zstdDecode(void *ctx, const QByteArray &in, QByteArray &out, qsizetype &used)
{
    ZSTD_inBuffer input{in.constData(), size_t(in.size()), 0};
    ZSTD_outBuffer output{out.data(), size_t(out.size()), 0};
    const size_t hint = ZSTD_decompressStream(static_cast<ZSTD_DCtx *>(ctx), &output, &input);
    used = qsizetype(output.pos);
    return !ZSTD_isError(hint) && input.pos == input.size;
}

Result run(Decoder decode, void *ctx, const QList<QByteArray> &wire, const QList<QByteArray> &plain)
{
    QByteArray out(64 * 1024, Qt::Uninitialized);
    Result r;
    QElapsedTimer t;
    t.start();
    const qint64 cpuStart = threadCpuNanos();
    for (qsizetype i = 0; i < wire.size(); ++i) {
        qsizetype used = 0;
        if (!decode(ctx, wire[i], out, used) || QByteArrayView(out.constData(), used) != plain[i])
            ++r.mismatches;
    }
    r.cpuNanos = threadCpuNanos() - cpuStart;
    r.nanos = t.nsecsElapsed();
    return r;
}

QList<QByteArray> compressAll(Compression c, const QList<QByteArray> &plain, qint64 &wireBytes)
{
    SimDeflater deflater(c);
    QList<QByteArray> wire;
    wireBytes = 0;
    for (const QByteArray &m : plain) {
        wire << deflater.compress(m);
        wireBytes += wire.last().size();
    }
    return wire;
}

//! How many zlib-stream messages start with a dynamic Huffman block (BTYPE 2). After a sync flush
//! every message starts on a byte boundary; the first one after the 2-byte zlib header.
qsizetype dynamicBlocks(const QList<QByteArray> &wire)
{
    qsizetype dynamic = 0;
    for (qsizetype i = 0; i < wire.size(); ++i) {
        const qsizetype at = i == 0 ? 2 : 0;
        dynamic += wire[i].size() > at && ((quint8(wire[i][at]) >> 1) & 3) == 2;
    }
    return dynamic;
}

void report(const char *size, const char *name, const Result &r, qint64 wireBytes, qint64 plainBytes, qsizetype n)
{
    std::printf("%-6s %-5s %8.1f ns/msg wall %8.1f ns/msg CPU  %7.1f wire B/msg  %6.1f plain B/msg  mismatches %lld\n", size,
                name, double(r.nanos) / double(n), double(r.cpuNanos) / double(n), double(wireBytes) / double(n), double(plainBytes) / double(n),
                static_cast<long long>(r.mismatches));
}

bool wanted(const QStringList &args, int i, const char *value)
{
    return args.size() <= i || args.at(i) == QLatin1String(value);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int n = args.size() > 3 ? args.at(3).toInt() : 100000;
    for (const auto &[size, target] : {std::pair{"small", 330}, std::pair{"large", 1024}}) {
        if (!wanted(args, 1, size))
            continue;
        QList<QByteArray> plain;
        qint64 plainBytes = 0;
        for (int i = 0; i < n; ++i) {
            plain << messageCreate(i + 1, target);
            plainBytes += plain.last().size();
        }
        qint64 zlibWire = 0;
        qint64 zstdWire = 0;
        const QList<QByteArray> zlibStream = compressAll(Compression::ZlibStream, plain, zlibWire);
        const QList<QByteArray> zstdStream = compressAll(Compression::ZstdStream, plain, zstdWire);
        std::printf("%-6s zlib-stream messages starting with a dynamic Huffman block: %lld of %d\n", size,
                    static_cast<long long>(dynamicBlocks(zlibStream)), n);
        if (wanted(args, 2, "zlib")) {
            z_stream zs{};
            inflateInit(&zs);
            report(size, "zlib", run(zlibDecode, &zs, zlibStream, plain), zlibWire, plainBytes, n);
            inflateEnd(&zs);
        }
        if (wanted(args, 2, "isal")) {
            auto st = std::make_unique<inflate_state>();
            isal_inflate_init(st.get());
            st->crc_flag = ISAL_DEFLATE;  // raw deflate: the 2-byte zlib header is skipped below
            QList<QByteArray> raw = zlibStream;
            raw.first().remove(0, 2);
            report(size, "isal", run(isalDecode, st.get(), raw, plain), zlibWire, plainBytes, n);
        }
        if (wanted(args, 2, "zstd")) {
            ZSTD_DCtx *dctx = ZSTD_createDCtx();
            report(size, "zstd", run(zstdDecode, dctx, zstdStream, plain), zstdWire, plainBytes, n);
            ZSTD_freeDCtx(dctx);
        }
    }
    return 0;
}
