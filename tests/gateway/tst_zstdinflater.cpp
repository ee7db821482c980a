// ZstdInflater against libzstd's own streaming compressor (the simulator's SimDeflater): one
// frame stream per connection, ZSTD_e_flush after every message, as Discord's zstd-stream sends it.
#include "inflaterfixture.h"
#include "zstdinflater.h"

#include <QRandomGenerator>
#include <QTest>

#include <zstd.h>

using namespace gw;
using gwtest::inflaterMessage;

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
    gwtest::verifyRoundTrip(Compression::ZstdStream, 500);
}

void tst_ZstdInflater::splitMessages_data()
{
    gwtest::splitRows();
}

void tst_ZstdInflater::splitMessages()
{
    QFETCH(int, parts);
    gwtest::verifySplit(Compression::ZstdStream, parts);
}

void tst_ZstdInflater::garbageIsAnError()
{
    ZstdInflater inf;
    const auto r = inf.feed(QByteArray("this is not a zstd frame at all"));
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, InflateError::Kind::Corrupt);
    QVERIFY(r.error().message.contains(QLatin1String("zstd")));
    // The context is broken: nothing more is accepted until reset().
    SimDeflater zc(Compression::ZstdStream);
    QVERIFY(!inf.feed(zc.compress(inflaterMessage(1))).hasValue());
    inf.reset();
    SimDeflater fresh(Compression::ZstdStream);
    const auto again = inf.feed(fresh.compress(inflaterMessage(1)));
    QVERIFY(again.hasValue() && again.value().has_value());

    // A valid stream whose later block is damaged.
    SimDeflater zc2(Compression::ZstdStream);
    ZstdInflater inf2;
    QVERIFY(inf2.feed(zc2.compress(inflaterMessage(1))).hasValue());
    QByteArray second = zc2.compress(QByteArray(4000, 'x') + inflaterMessage(2));
    for (qsizetype i = 0; i < second.size(); ++i)
        second[i] = char(second.at(i) ^ 0x5a);
    const auto bad = inf2.feed(second);
    QVERIFY(!bad.hasValue());
    QCOMPARE(bad.error().kind, InflateError::Kind::Corrupt);
}

void tst_ZstdInflater::bombIsCapped()
{
    SimDeflater zc(Compression::ZstdStream);
    ZstdInflater inf(64 * 1024);
    QVERIFY(inf.feed(zc.compress(inflaterMessage(1))).hasValue());
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
    SimDeflater zc(Compression::ZstdStream);
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
    SimDeflater zc(Compression::ZstdStream);
    ZstdInflater inf;
    // An empty WebSocket message and an empty flush deliver nothing and break nothing.
    const auto none = inf.feed(QByteArray());
    QVERIFY(none.hasValue());
    QVERIFY(!none.value().has_value());
    const auto emptyFlush = inf.feed(zc.compress(QByteArray()));
    QVERIFY(emptyFlush.hasValue());
    QVERIFY(!emptyFlush.value().has_value());
    const auto r = inf.feed(zc.compress(inflaterMessage(3)));
    QVERIFY(r.hasValue() && r.value().has_value());
    QCOMPARE(*r.value(), inflaterMessage(3));
    // A frame that ends (a one-shot ZSTD_compress frame) and a new one on the same context: both decode.
    const QByteArray m4 = inflaterMessage(4);
    QByteArray ended(qsizetype(ZSTD_compressBound(size_t(m4.size()))), Qt::Uninitialized);
    ended.resize(qsizetype(ZSTD_compress(ended.data(), size_t(ended.size()), m4.constData(), size_t(m4.size()), 3)));
    ZstdInflater fresh;
    const auto end = fresh.feed(ended);
    QVERIFY(end.hasValue() && end.value().has_value());
    QCOMPARE(*end.value(), m4);
    SimDeflater next(Compression::ZstdStream);
    const auto again = fresh.feed(next.compress(inflaterMessage(5)));
    QVERIFY(again.hasValue() && again.value().has_value());
    QCOMPARE(*again.value(), inflaterMessage(5));
}

void tst_ZstdInflater::resetStartsAFreshContext()
{
    ZstdInflater inf;
    {
        SimDeflater first(Compression::ZstdStream);
        QVERIFY(inf.feed(first.compress(inflaterMessage(1))).hasValue());
        QVERIFY(inf.feed(first.compress(inflaterMessage(2))).hasValue());
    }
    inf.reset();
    SimDeflater second(Compression::ZstdStream);
    const auto r = inf.feed(second.compress(inflaterMessage(3)));
    QVERIFY(r.hasValue() && r.value().has_value());
    QCOMPARE(*r.value(), inflaterMessage(3));
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
