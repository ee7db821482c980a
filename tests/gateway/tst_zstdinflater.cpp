// ZstdInflater against libzstd's own streaming compressor: one frame stream per connection,
// ZSTD_e_flush after every message, as Discord's zstd-stream sends it.
#include "streaminflater.h"
#include "zstdinflater.h"

#include <QRandomGenerator>
#include <QTest>

#include <zstd.h>

using namespace gw;

namespace {

//! The server side of zstd-stream: one ZSTD_CCtx, ZSTD_e_flush after every message.
class ZstdCompressor
{
public:
    ZstdCompressor() : m_cctx(ZSTD_createCCtx()) {}
    ~ZstdCompressor() { ZSTD_freeCCtx(m_cctx); }
    ZstdCompressor(const ZstdCompressor &) = delete;
    ZstdCompressor &operator=(const ZstdCompressor &) = delete;

    QByteArray compress(const QByteArray &in, ZSTD_EndDirective mode = ZSTD_e_flush)
    {
        QByteArray out;
        QByteArray chunk(64 * 1024, Qt::Uninitialized);
        ZSTD_inBuffer input{in.constData(), size_t(in.size()), 0};
        for (;;) {
            ZSTD_outBuffer output{chunk.data(), size_t(chunk.size()), 0};
            const size_t left = ZSTD_compressStream2(m_cctx, &output, &input, mode);
            if (ZSTD_isError(left))
                qFatal("ZSTD_compressStream2: %s", ZSTD_getErrorName(left));
            out.append(chunk.constData(), qsizetype(output.pos));
            if (left == 0 && input.pos == input.size)
                break;
        }
        return out;
    }

private:
    ZSTD_CCtx *m_cctx;
};

QByteArray message(int i)
{
    return QByteArray(R"({"op":0,"s":)") + QByteArray::number(i) + R"(,"t":"MESSAGE_CREATE","d":{"content":"hello )"
           + QByteArray::number(i) + R"("}})";
}

} // namespace

class tst_ZstdInflater final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripSharedContext();
    void splitMessages_data();
    void splitMessages();
    void garbageIsAnError();
    void bombIsCapped();
    void unterminatedBufferIsCapped();
    void emptyMessages();
    void resetStartsAFreshContext();
    void factoryPicksTheInflater();
};

void tst_ZstdInflater::roundTripSharedContext()
{
    ZstdCompressor zc;
    ZstdInflater inf;
    qint64 wire = 0;
    qint64 plain = 0;
    for (int i = 0; i < 500; ++i) {
        const QByteArray m = message(i);
        const QByteArray z = zc.compress(m);
        wire += z.size();
        plain += m.size();
        const auto r = inf.feed(z);
        QVERIFY2(r.hasValue(), qPrintable(r.hasValue() ? QString() : r.error().message));
        QVERIFY(r.value().has_value());
        QCOMPARE(*r.value(), m);
    }
    QCOMPARE(inf.bytesIn(), quint64(wire));
    QCOMPARE(inf.bytesOut(), quint64(plain));
    QVERIFY(wire < plain / 2);  // one shared context: later messages reuse the window
}

void tst_ZstdInflater::splitMessages_data()
{
    QTest::addColumn<int>("parts");
    QTest::newRow("2 parts") << 2;
    QTest::newRow("7 parts") << 7;
    QTest::newRow("byte by byte") << -1;
}

// A message cut inside a block is held until the rest arrives; the next message decodes normally.
// (One block: a cut exactly between two blocks of one message cannot be told from a flush.)
void tst_ZstdInflater::splitMessages()
{
    QFETCH(int, parts);
    ZstdCompressor zc;
    ZstdInflater inf;
    QByteArray big;
    for (int i = 0; i < 1200; ++i)
        big += message(i);
    QVERIFY(big.size() < ZSTD_BLOCKSIZE_MAX);
    const QByteArray z = zc.compress(big);
    const int n = parts < 0 ? int(z.size()) : parts;
    const qsizetype step = (z.size() + n - 1) / n;
    std::optional<QByteArray> got;
    for (qsizetype at = 0; at < z.size(); at += step) {
        const auto r = inf.feed(z.mid(at, step));
        QVERIFY(r.hasValue());
        if (at + step < z.size()) {
            QVERIFY(!r.value().has_value());
        } else {
            got = r.value();
        }
    }
    QVERIFY(got.has_value());
    QCOMPARE(got->size(), big.size());
    QCOMPARE(*got, big);
    QCOMPARE(inf.pendingBytes(), 0);
    const auto next = inf.feed(zc.compress(message(7)));
    QVERIFY(next.hasValue() && next.value().has_value());
    QCOMPARE(*next.value(), message(7));
}

void tst_ZstdInflater::garbageIsAnError()
{
    ZstdInflater inf;
    const auto r = inf.feed(QByteArray("this is not a zstd frame at all"));
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, InflateError::Kind::Corrupt);
    QVERIFY(r.error().message.contains(QLatin1String("zstd")));
    // The context is broken: nothing more is accepted until reset().
    ZstdCompressor zc;
    QVERIFY(!inf.feed(zc.compress(message(1))).hasValue());
    inf.reset();
    ZstdCompressor fresh;
    const auto again = inf.feed(fresh.compress(message(1)));
    QVERIFY(again.hasValue() && again.value().has_value());

    // A valid stream whose later block is damaged.
    ZstdCompressor zc2;
    ZstdInflater inf2;
    QVERIFY(inf2.feed(zc2.compress(message(1))).hasValue());
    QByteArray second = zc2.compress(QByteArray(4000, 'x') + message(2));
    for (qsizetype i = 0; i < second.size(); ++i)
        second[i] = char(second.at(i) ^ 0x5a);
    const auto bad = inf2.feed(second);
    QVERIFY(!bad.hasValue());
    QCOMPARE(bad.error().kind, InflateError::Kind::Corrupt);
}

void tst_ZstdInflater::bombIsCapped()
{
    ZstdCompressor zc;
    ZstdInflater inf(64 * 1024);
    QVERIFY(inf.feed(zc.compress(message(1))).hasValue());
    const QByteArray z = zc.compress(QByteArray(1024 * 1024, '\0'));
    QVERIFY(z.size() < 1024);  // a tiny message that expands 1000×
    const auto r = inf.feed(z);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, InflateError::Kind::TooLarge);
    QVERIFY(inf.bytesOut() < 64 * 1024 + 1024);
}

void tst_ZstdInflater::unterminatedBufferIsCapped()
{
    // Compressed bytes that never reach a block boundary are capped too.
    ZstdCompressor zc;
    ZstdInflater inf(1024);
    QByteArray noise(4096, Qt::Uninitialized);
    QRandomGenerator rng(42);
    for (char &c : noise)
        c = char(rng.bounded(256));
    const QByteArray z = zc.compress(noise);
    QVERIFY(z.size() > 1024);
    const auto first = inf.feed(z.left(900));
    QVERIFY(first.hasValue());
    QVERIFY(!first.value().has_value());
    const auto second = inf.feed(z.mid(900, 300));
    QVERIFY(!second.hasValue());
    QCOMPARE(second.error().kind, InflateError::Kind::BufferTooLarge);
}

void tst_ZstdInflater::emptyMessages()
{
    ZstdCompressor zc;
    ZstdInflater inf;
    // An empty WebSocket message and an empty flush deliver nothing and break nothing.
    const auto none = inf.feed(QByteArray());
    QVERIFY(none.hasValue());
    QVERIFY(!none.value().has_value());
    const auto emptyFlush = inf.feed(zc.compress(QByteArray()));
    QVERIFY(emptyFlush.hasValue());
    QVERIFY(!emptyFlush.value().has_value());
    const auto r = inf.feed(zc.compress(message(3)));
    QVERIFY(r.hasValue() && r.value().has_value());
    QCOMPARE(*r.value(), message(3));
    // A frame that ends (ZSTD_e_end) and a new one on the same context: both decode.
    const auto end = inf.feed(zc.compress(message(4), ZSTD_e_end));
    QVERIFY(end.hasValue() && end.value().has_value());
    QCOMPARE(*end.value(), message(4));
    const auto next = inf.feed(zc.compress(message(5)));
    QVERIFY(next.hasValue() && next.value().has_value());
    QCOMPARE(*next.value(), message(5));
}

void tst_ZstdInflater::resetStartsAFreshContext()
{
    ZstdInflater inf;
    {
        ZstdCompressor first;
        QVERIFY(inf.feed(first.compress(message(1))).hasValue());
        QVERIFY(inf.feed(first.compress(message(2))).hasValue());
    }
    inf.reset();
    ZstdCompressor second;
    const auto r = inf.feed(second.compress(message(3)));
    QVERIFY(r.hasValue() && r.value().has_value());
    QCOMPARE(*r.value(), message(3));
}

void tst_ZstdInflater::factoryPicksTheInflater()
{
    QVERIFY(!makeStreamInflater(Compression::None, 1024));
    const auto zstd = makeStreamInflater(Compression::ZstdStream, 4096);
    QVERIFY(dynamic_cast<ZstdInflater *>(zstd.get()));
    QCOMPARE(zstd->maxOutput(), 4096);
    QVERIFY(makeStreamInflater(Compression::ZlibStream, 1024));
    QVERIFY(!dynamic_cast<ZstdInflater *>(makeStreamInflater(Compression::ZlibStream, 1024).get()));
    QCOMPARE(compressionFromName(u"zstd-stream"), std::optional<Compression>(Compression::ZstdStream));
    QCOMPARE(compressionFromName(u"zlib-stream"), std::optional<Compression>(Compression::ZlibStream));
    QCOMPARE(compressionFromName(u"none"), std::optional<Compression>(Compression::None));
    QVERIFY(!compressionFromName(u"zstd"));
    QCOMPARE(compressionName(Compression::ZstdStream), QStringLiteral("zstd-stream"));
}

QTEST_GUILESS_MAIN(tst_ZstdInflater)
#include "tst_zstdinflater.moc"
