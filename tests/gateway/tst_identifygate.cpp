#include "identifygate.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {
SessionStartLimit makeLimit(int remaining, int maxConcurrency, int total = 1000)
{
    SessionStartLimit l;
    l.total = total;
    l.remaining = remaining;
    l.maxConcurrency = maxConcurrency;
    l.resetAfter = 3600000ms;
    l.fetchedAt = QDateTime::currentDateTimeUtc();
    return l;
}
} // namespace

class tst_IdentifyGate final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketSpacing_data();
    void bucketSpacing();
    void refusesBelowFloor();
    void spendingCountsAgainstTheFloor();
    void countsIdentifiesIn24h();
    void cancelledRequestNeverRuns();
    void destroyedContextNeverRuns();
    void concurrentFetchesKeepGrantedIdentifies();
};

void tst_IdentifyGate::bucketSpacing_data()
{
    QTest::addColumn<int>("maxConcurrency");
    QTest::addColumn<QList<int>>("shards");
    QTest::newRow("concurrency 1, same shard") << 1 << QList<int>{0, 0, 0};
    QTest::newRow("concurrency 1, different shards share one bucket") << 1 << QList<int>{0, 1, 2};
    QTest::newRow("concurrency 2") << 2 << QList<int>{0, 1, 2, 3};
    QTest::newRow("concurrency 4") << 4 << QList<int>{0, 1, 2, 3, 4, 5, 6, 7};
}

void tst_IdentifyGate::bucketSpacing()
{
    QFETCH(int, maxConcurrency);
    QFETCH(QList<int>, shards);
    constexpr auto interval = 100ms;
    IdentifyGate gate(interval, 50);
    gate.updateLimit(makeLimit(1000, maxConcurrency));

    QElapsedTimer clock;
    clock.start();
    QList<std::pair<int, qint64>> grants;  // shard, ms since start
    for (int shard : shards)
        gate.request(shard, this, [&, shard] { grants.append({shard, clock.elapsed()}); },
                     [](const GatewayError &) { QFAIL("refused"); });
    QTRY_COMPARE_WITH_TIMEOUT(grants.size(), shards.size(), 5000);

    // Same bucket: at least one interval apart, in request order. Different buckets: not delayed.
    QHash<int, qint64> lastInBucket;
    for (const auto &[shard, at] : grants) {
        const int bucket = shard % maxConcurrency;
        if (lastInBucket.contains(bucket))
            QVERIFY2(at - lastInBucket[bucket] >= interval.count() - 2,  // 2 ms timer granularity
                     qPrintable(QStringLiteral("bucket %1: %2 ms apart").arg(bucket).arg(at - lastInBucket[bucket])));
        else
            QVERIFY2(at < interval.count() / 2, qPrintable(QStringLiteral("first in bucket %1 delayed %2 ms").arg(bucket).arg(at)));
        lastInBucket[bucket] = at;
    }
    QCOMPARE(gate.identifiesInLast24h(), shards.size());
}

void tst_IdentifyGate::refusesBelowFloor()
{
    IdentifyGate gate(10ms, 50);
    QVERIFY(!gate.checkBudget());  // unknown limit: no refusal
    gate.updateLimit(makeLimit(49, 1));
    const auto err = gate.checkBudget();
    QVERIFY(err);
    QCOMPARE(err->kind, GatewayError::Kind::IdentifyRefused);
    QVERIFY(err->isTerminal());
    QVERIFY(err->message.contains(QStringLiteral("49")));

    QSignalSpy refusedSpy(&gate, &IdentifyGate::identifyRefused);
    bool granted = false;
    std::optional<GatewayError> refused;
    gate.request(0, this, [&] { granted = true; }, [&](const GatewayError &e) { refused = e; });
    QVERIFY(!refused);  // asynchronous
    QTRY_VERIFY(refused.has_value());
    QVERIFY(!granted);
    QCOMPARE(refused->kind, GatewayError::Kind::IdentifyRefused);
    QCOMPARE(refusedSpy.size(), 1);
    QCOMPARE(gate.identifiesInLast24h(), 0);

    gate.updateLimit(makeLimit(50, 1));   // one more would leave 49, below the floor
    QVERIFY(gate.checkBudget());
    gate.updateLimit(makeLimit(51, 1));   // leaves 50: allowed
    QVERIFY(!gate.checkBudget());
}

void tst_IdentifyGate::spendingCountsAgainstTheFloor()
{
    IdentifyGate gate(1ms, 50);
    gate.updateLimit(makeLimit(52, 1));
    int granted = 0, refused = 0;
    for (int i = 0; i < 4; ++i)
        gate.request(0, this, [&] { ++granted; }, [&](const GatewayError &) { ++refused; });
    QTRY_COMPARE(granted + refused, 4);
    // 52 and 51 remain before the first two (leaving 51 and 50); a third would leave 49.
    QCOMPARE(granted, 2);
    QCOMPARE(refused, 2);
    // A fresh fetch resets what was spent locally.
    gate.updateLimit(makeLimit(60, 1));
    QVERIFY(!gate.checkBudget());
}

void tst_IdentifyGate::countsIdentifiesIn24h()
{
    IdentifyGate gate(1ms, 0);
    QSignalSpy grantedSpy(&gate, &IdentifyGate::identifyGranted);
    for (int i = 0; i < 5; ++i)
        gate.request(i, this, [] {}, [](const GatewayError &) {});
    QTRY_COMPARE(grantedSpy.size(), 5);
    QCOMPARE(gate.identifiesInLast24h(), 5);
    QVERIFY(gate.nextSlotFor(0) >= QDateTime::currentDateTimeUtc().addMSecs(-1));
}

void tst_IdentifyGate::cancelledRequestNeverRuns()
{
    IdentifyGate gate(50ms, 0);
    int first = 0, second = 0;
    gate.request(0, this, [&] { ++first; }, [](const GatewayError &) {});
    const auto ticket = gate.request(0, this, [&] { ++second; }, [](const GatewayError &) {});
    QTRY_COMPARE(first, 1);
    gate.cancel(ticket);
    QSignalSpy grantedSpy(&gate, &IdentifyGate::identifyGranted);
    // A third request in the same bucket proves the queue moved past the cancelled one.
    int third = 0;
    gate.request(0, this, [&] { ++third; }, [](const GatewayError &) {});
    QTRY_COMPARE(third, 1);
    QCOMPARE(second, 0);
    QCOMPARE(grantedSpy.size(), 1);
}

void tst_IdentifyGate::destroyedContextNeverRuns()
{
    IdentifyGate gate(50ms, 0);
    int ran = 0, after = 0;
    gate.request(0, this, [] {}, [](const GatewayError &) {});
    {
        QObject context;
        gate.request(0, &context, [&] { ++ran; }, [](const GatewayError &) {});
    }
    gate.request(0, this, [&] { ++after; }, [](const GatewayError &) {});
    QTRY_COMPARE(after, 1);
    QCOMPARE(ran, 0);
}

// Shards fetch GET /gateway/bot concurrently: a figure requested before our IDENTIFYs reached
// Discord must not make the gate forget them (docs/protocol.md, identifying). Floor 97 of 100:
// three grants (leaving 99, 98, 97) are allowed, however many such figures arrive.
void tst_IdentifyGate::concurrentFetchesKeepGrantedIdentifies()
{
    IdentifyGate gate(1ms, 97);
    SessionStartLimit stale = makeLimit(100, 1);
    stale.requestedAt = QDateTime::currentDateTimeUtc();  // another shard's request, still in flight
    gate.updateLimit(makeLimit(100, 1));
    int granted = 0, refused = 0;
    for (int i = 0; i < 2; ++i)
        gate.request(0, this, [&] { ++granted; }, [&](const GatewayError &) { ++refused; });
    QTRY_COMPARE(granted, 2);
    gate.updateLimit(stale);  // its answer arrives after the two grants, without them
    for (int i = 0; i < 3; ++i)
        gate.request(0, this, [&] { ++granted; }, [&](const GatewayError &) { ++refused; });
    QTRY_COMPARE(granted + refused, 5);
    QCOMPARE(granted, 3);
    QCOMPARE(refused, 2);
    QCOMPARE(gate.identifiesInLast24h(), 3);

    // A figure requested after every grant is Discord's whole truth.
    SessionStartLimit fresh = makeLimit(97, 1);
    fresh.requestedAt = QDateTime::currentDateTimeUtc().addMSecs(1);
    gate.updateLimit(fresh);
    QVERIFY(gate.checkBudget());  // one more would leave 96 < 97
    fresh.remaining = 98;
    gate.updateLimit(fresh);
    QVERIFY(!gate.checkBudget());
}

QTEST_GUILESS_MAIN(tst_IdentifyGate)
#include "tst_identifygate.moc"
