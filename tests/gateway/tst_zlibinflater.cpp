#include "zlibinflater.h"

#include <QRandomGenerator>
#include <QTest>

#include <zlib.h>

using namespace gw;

namespace {

//! The server side of zlib-stream: one deflate context, Z_SYNC_FLUSH after every message.
class Deflater
{
public:
    Deflater() { deflateInit(&m_zs, Z_DEFAULT_COMPRESSION); }
    ~Deflater() { deflateEnd(&m_zs); }
    Deflater(const Deflater &) = delete;
    Deflater &operator=(const Deflater &) = delete;

    QByteArray compress(const QByteArray &in)
    {
        QByteArray out;
        QByteArray chunk(64 * 1024, Qt::Uninitialized);
        m_zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
        m_zs.avail_in = uInt(in.size());
        do {
            m_zs.next_out = reinterpret_cast<Bytef *>(chunk.data());
            m_zs.avail_out = uInt(chunk.size());
            deflate(&m_zs, Z_SYNC_FLUSH);
            out.append(chunk.constData(), chunk.size() - qsizetype(m_zs.avail_out));
        } while (m_zs.avail_out == 0);
        return out;
    }

private:
    z_stream m_zs{};
};

QByteArray message(int i)
{
    return QByteArray(R"({"op":0,"s":)") + QByteArray::number(i) + R"(,"t":"MESSAGE_CREATE","d":{"content":"hello )"
           + QByteArray::number(i) + R"("}})";
}

} // namespace

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
    Deflater def;
    ZlibInflater inf;
    quint64 wire = 0, plain = 0;
    for (int i = 0; i < 200; ++i) {
        const QByteArray m = message(i);
        const QByteArray z = def.compress(m);
        QVERIFY(ZlibInflater::endsWithSyncFlush(z));
        wire += quint64(z.size());
        plain += quint64(m.size());
        const auto r = inf.feed(z);
        QVERIFY(r.hasValue());
        QVERIFY(r.value().has_value());
        QCOMPARE(*r.value(), m);
    }
    QCOMPARE(inf.bytesIn(), wire);
    QCOMPARE(inf.bytesOut(), plain);
    // One shared context: later messages reuse the dictionary and shrink well below the first.
    QVERIFY(inf.bytesIn() < inf.bytesOut());
}

void tst_ZlibInflater::splitMessages_data()
{
    QTest::addColumn<int>("parts");
    QTest::newRow("2 parts") << 2;
    QTest::newRow("5 parts") << 5;
    QTest::newRow("byte by byte") << -1;
}

void tst_ZlibInflater::splitMessages()
{
    QFETCH(int, parts);
    Deflater def;
    ZlibInflater inf;
    QByteArray big;
    for (int i = 0; i < 500; ++i)
        big += message(i);
    const QByteArray z = def.compress(big);
    const int n = parts < 0 ? int(z.size()) : parts;
    const qsizetype step = (z.size() + n - 1) / n;
    std::optional<QByteArray> out;
    for (qsizetype at = 0; at < z.size(); at += step) {
        const QByteArray piece = z.mid(at, step);
        const auto r = inf.feed(piece);
        QVERIFY(r.hasValue());
        if (at + step < z.size()) {
            QVERIFY(!r.value().has_value());  // the buffered tail has no marker yet
        } else {
            out = r.value();
        }
    }
    QVERIFY(out.has_value());
    QCOMPARE(*out, big);
    QCOMPARE(inf.pendingBytes(), 0);
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
    Deflater def;
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
        Deflater first;
        QVERIFY(inf.feed(first.compress(message(1))).hasValue());
        QVERIFY(inf.feed(first.compress(message(2))).hasValue());
    }
    // A new connection: a new deflater on the server, so the client must reset too.
    Deflater second;
    inf.reset();
    const auto r = inf.feed(second.compress(message(3)));
    QVERIFY(r.hasValue());
    QCOMPARE(*r.value(), message(3));
    // Without reset, a fresh stream's zlib header is garbage to the old context.
    ZlibInflater stale;
    Deflater a;
    QVERIFY(stale.feed(a.compress(message(1))).hasValue());
    Deflater b;
    QVERIFY(!stale.feed(b.compress(message(2))).hasValue());
}

QTEST_GUILESS_MAIN(tst_ZlibInflater)
#include "tst_zlibinflater.moc"
