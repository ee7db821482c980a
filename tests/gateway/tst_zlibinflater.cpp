// ZlibInflater against zlib's own deflate (the simulator's SimDeflater): one stream per
// connection, Z_SYNC_FLUSH after every message, as Discord's zlib-stream sends it.
#include "inflaterfixture.h"
#include "zlibinflater.h"

#include <QRandomGenerator>
#include <QTest>

using namespace gw;
using gwtest::inflaterMessage;

class tst_ZlibInflater final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripSharedContext();
    void splitMessages_data();
    void splitMessages();
    void garbageIsAnError();
    void bombIsCapped();
    void unterminatedBufferIsCapped();
    void resetStartsAFreshContext();
};

void tst_ZlibInflater::roundTripSharedContext()
{
    gwtest::verifyRoundTrip(Compression::ZlibStream, 200);
    SimDeflater deflater(Compression::ZlibStream);
    QVERIFY(ZlibInflater::endsWithSyncFlush(deflater.compress(inflaterMessage(1))));
}

void tst_ZlibInflater::splitMessages_data()
{
    gwtest::splitRows();
}

void tst_ZlibInflater::splitMessages()
{
    QFETCH(int, parts);
    gwtest::verifySplit(Compression::ZlibStream, parts);
}

void tst_ZlibInflater::garbageIsAnError()
{
    ZlibInflater inf;
    QByteArray junk(300, Qt::Uninitialized);
    for (auto &c : junk)
        c = char(QRandomGenerator::global()->bounded(256));
    junk[0] = 'X';  // never a valid zlib header
    junk.append(QByteArray("\x00\x00\xff\xff", 4));
    const auto r = inf.feed(junk);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, InflateError::Kind::Corrupt);
    // The context is broken until reset(): further input is refused, not mis-decoded.
    QVERIFY(!inf.feed(QByteArray("\x00\x00\xff\xff", 4)).hasValue());
}

void tst_ZlibInflater::bombIsCapped()
{
    SimDeflater def(Compression::ZlibStream);
    ZlibInflater inf(64 * 1024);
    const QByteArray zeros(8 * 1024 * 1024, '\0');  // 8 MiB of zeros deflate to a few KiB
    const QByteArray z = def.compress(zeros);
    QVERIFY(z.size() < 64 * 1024);
    const auto r = inf.feed(z);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, InflateError::Kind::TooLarge);
    QVERIFY(inf.bytesOut() < 64 * 1024 + 1);
}

void tst_ZlibInflater::unterminatedBufferIsCapped()
{
    ZlibInflater inf(1024);
    const auto first = inf.feed(QByteArray(800, 'a'));
    QVERIFY(first.hasValue());
    QVERIFY(!first.value().has_value());
    const auto second = inf.feed(QByteArray(800, 'a'));
    QVERIFY(!second.hasValue());
    QCOMPARE(second.error().kind, InflateError::Kind::BufferTooLarge);
}

void tst_ZlibInflater::resetStartsAFreshContext()
{
    ZlibInflater inf;
    {
        SimDeflater first(Compression::ZlibStream);
        QVERIFY(inf.feed(first.compress(inflaterMessage(1))).hasValue());
        QVERIFY(inf.feed(first.compress(inflaterMessage(2))).hasValue());
    }
    // A new connection: a new deflater on the server, so the client must reset too.
    SimDeflater second(Compression::ZlibStream);
    inf.reset();
    const auto r = inf.feed(second.compress(inflaterMessage(3)));
    QVERIFY(r.hasValue());
    QCOMPARE(*r.value(), inflaterMessage(3));
    // Without reset, a fresh stream's zlib header is garbage to the old context.
    ZlibInflater stale;
    SimDeflater a(Compression::ZlibStream);
    QVERIFY(stale.feed(a.compress(inflaterMessage(1))).hasValue());
    SimDeflater b(Compression::ZlibStream);
    QVERIFY(!stale.feed(b.compress(inflaterMessage(2))).hasValue());
}

QTEST_GUILESS_MAIN(tst_ZlibInflater)
#include "tst_zlibinflater.moc"
