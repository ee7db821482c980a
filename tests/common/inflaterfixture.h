#pragma once

// Shared set-up of the transport inflater tests (tst_zlibinflater, tst_zstdinflater). The server's
// side is the simulator's SimDeflater: one context per connection, a flush after every message,
// as Discord sends zlib-stream and zstd-stream. The round trip and the message split across
// WebSocket messages run the same way for either compression.

#include "simdeflater_p.h"
#include "streaminflater.h"

#include <QByteArray>
#include <QTest>

#include <optional>

namespace gwtest {

//! A small MESSAGE_CREATE dispatch, different for every `i`.
inline QByteArray inflaterMessage(int i)
{
    return QByteArray(R"({"op":0,"s":)") + QByteArray::number(i) + R"(,"t":"MESSAGE_CREATE","d":{"content":"hello )"
           + QByteArray::number(i) + R"("}})";
}

//! `count` messages through one SimDeflater of `compression` and a fresh inflater from
//! makeStreamInflater: each comes out as it went in, the counters add up, and the shared context
//! shrinks the stream to less than half.
inline void verifyRoundTrip(gw::Compression compression, int count)
{
    gw::SimDeflater deflater(compression);
    const auto inflater = gw::makeStreamInflater(compression, 16 * 1024 * 1024);
    QVERIFY(deflater.isValid() && inflater);
    quint64 wire = 0;
    quint64 plain = 0;
    for (int i = 0; i < count; ++i) {
        const QByteArray m = inflaterMessage(i);
        const QByteArray z = deflater.compress(m);
        wire += quint64(z.size());
        plain += quint64(m.size());
        const auto r = inflater->feed(z);
        QVERIFY2(r.hasValue(), qPrintable(r.hasValue() ? QString() : r.error().message));
        QVERIFY(r.value().has_value());
        QCOMPARE(*r.value(), m);
    }
    QCOMPARE(inflater->bytesIn(), wire);
    QCOMPARE(inflater->bytesOut(), plain);
    QVERIFY(wire < plain / 2);
}

//! The rows of verifySplit: how many WebSocket messages one compressed message is cut into.
inline void splitRows()
{
    QTest::addColumn<int>("parts");
    QTest::newRow("2 parts") << 2;
    QTest::newRow("7 parts") << 7;
    QTest::newRow("byte by byte") << -1;
}

//! One large message (84 KB, inside one zstd block: a cut between two blocks of one message cannot
//! be told from a flush) cut into `parts` WebSocket messages (-1: byte by byte): nothing comes out
//! before the last part, then the whole message; the next message decodes normally.
inline void verifySplit(gw::Compression compression, int parts)
{
    gw::SimDeflater deflater(compression);
    const auto inflater = gw::makeStreamInflater(compression, 16 * 1024 * 1024);
    QVERIFY(deflater.isValid() && inflater);
    QByteArray big;
    for (int i = 0; i < 1200; ++i)
        big += inflaterMessage(i);
    const QByteArray z = deflater.compress(big);
    const int n = parts < 0 ? int(z.size()) : parts;
    const qsizetype step = (z.size() + n - 1) / n;
    std::optional<QByteArray> got;
    for (qsizetype at = 0; at < z.size(); at += step) {
        const auto r = inflater->feed(z.mid(at, step));
        QVERIFY(r.hasValue());
        if (at + step < z.size())
            QVERIFY(!r.value().has_value());
        else
            got = r.value();
    }
    QVERIFY(got.has_value());
    QCOMPARE(*got, big);
    QCOMPARE(inflater->pendingBytes(), 0);
    const auto next = inflater->feed(deflater.compress(inflaterMessage(7)));
    QVERIFY(next.hasValue() && next.value().has_value());
    QCOMPARE(*next.value(), inflaterMessage(7));
}

} // namespace gwtest
