// The reconnect waits of backoff.h, exactly: the random draw is a parameter, so every row is a
// fixed expectation (defaults base 1 s / cap 30 s, fast timings 20 ms / 400 ms, and the edges).
#include "attemptspreader.h"
#include "backoff.h"

#include <QTest>

#include <algorithm>
#include <limits>

using namespace gw;
using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;

class tst_Backoff final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delay_data();
    void delay();
    void ceiling_data();
    void ceiling();
    void delayStaysWithinEqualJitterBounds();
    void uniform_data();
    void uniform();
    void spreaderKeepsAttemptsApart();
};

void tst_Backoff::delay_data()
{
    QTest::addColumn<int>("failed");
    QTest::addColumn<qint64>("baseMs");
    QTest::addColumn<qint64>("capMs");
    QTest::addColumn<double>("unit");
    QTest::addColumn<qint64>("expectedMs");

    QTest::newRow("attempt 0: at once") << 0 << qint64(1000) << qint64(30000) << 0.9 << qint64(0);
    QTest::newRow("negative: at once") << -5 << qint64(1000) << qint64(30000) << 0.5 << qint64(0);
    QTest::newRow("1, floor") << 1 << qint64(1000) << qint64(30000) << 0.0 << qint64(500);
    QTest::newRow("1, middle") << 1 << qint64(1000) << qint64(30000) << 0.5 << qint64(750);
    QTest::newRow("1, top (truncated)") << 1 << qint64(1000) << qint64(30000) << 0.999 << qint64(999);
    QTest::newRow("2 doubles") << 2 << qint64(1000) << qint64(30000) << 0.0 << qint64(1000);
    QTest::newRow("3, middle") << 3 << qint64(1000) << qint64(30000) << 0.5 << qint64(3000);
    QTest::newRow("4, quarter") << 4 << qint64(1000) << qint64(30000) << 0.25 << qint64(5000);
    QTest::newRow("5, under the cap") << 5 << qint64(1000) << qint64(30000) << 0.0 << qint64(8000);
    QTest::newRow("6, capped floor") << 6 << qint64(1000) << qint64(30000) << 0.0 << qint64(15000);
    QTest::newRow("6, capped top") << 6 << qint64(1000) << qint64(30000) << 0.999999 << qint64(29999);
    QTest::newRow("huge attempt") << std::numeric_limits<int>::max() << qint64(1000) << qint64(30000) << 0.0
                                  << qint64(15000);
    QTest::newRow("exponent stops at 30") << 31 << qint64(1) << qint64(1'000'000'000'000) << 0.0 << qint64(536870912);
    QTest::newRow("exponent stays at 30") << 1000 << qint64(1) << qint64(1'000'000'000'000) << 0.0
                                          << qint64(536870912);
    QTest::newRow("exponent 30, top") << 1000 << qint64(1) << qint64(1'000'000'000'000) << 0.999999
                                      << qint64(1073741287);
    QTest::newRow("fast timings, 1") << 1 << qint64(20) << qint64(400) << 0.0 << qint64(10);
    QTest::newRow("fast timings, 5") << 5 << qint64(20) << qint64(400) << 0.0 << qint64(160);
    QTest::newRow("fast timings, capped") << 6 << qint64(20) << qint64(400) << 0.0 << qint64(200);
    QTest::newRow("cap below base") << 1 << qint64(1000) << qint64(300) << 0.0 << qint64(150);
    QTest::newRow("never below 1 ms") << 1 << qint64(1) << qint64(30000) << 0.0 << qint64(1);
    QTest::newRow("zero base: 1 ms") << 3 << qint64(0) << qint64(400) << 0.5 << qint64(1);
}

void tst_Backoff::delay()
{
    QFETCH(int, failed);
    QFETCH(qint64, baseMs);
    QFETCH(qint64, capMs);
    QFETCH(double, unit);
    QFETCH(qint64, expectedMs);
    QCOMPARE(backoffDelay(failed, ms(baseMs), ms(capMs), unit), ms(expectedMs));
}

void tst_Backoff::ceiling_data()
{
    QTest::addColumn<int>("failed");
    QTest::addColumn<qint64>("expectedMs");

    // base 1 s, cap 30 s
    QTest::newRow("0") << 0 << qint64(0);
    QTest::newRow("-1") << -1 << qint64(0);
    QTest::newRow("1") << 1 << qint64(1000);
    QTest::newRow("2") << 2 << qint64(2000);
    QTest::newRow("5") << 5 << qint64(16000);
    QTest::newRow("6 (capped)") << 6 << qint64(30000);
    QTest::newRow("50 (the budget)") << 50 << qint64(30000);
    QTest::newRow("INT_MAX") << std::numeric_limits<int>::max() << qint64(30000);
}

void tst_Backoff::ceiling()
{
    QFETCH(int, failed);
    QFETCH(qint64, expectedMs);
    QCOMPARE(backoffCeiling(failed, 1s, 30s), ms(expectedMs));
}

void tst_Backoff::delayStaysWithinEqualJitterBounds()
{
    // Uniform in [c/2, c]: never the ~0 ms a full jitter could pick, never over the ceiling.
    const double units[] = {0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999999};
    for (int failed = 1; failed <= 60; ++failed) {
        const ms c = backoffCeiling(failed, 1s, 30s);
        for (const double unit : units) {
            const ms d = backoffDelay(failed, 1s, 30s, unit);
            QVERIFY2(d >= c / 2 && d <= c, qPrintable(QStringLiteral("failed %1 unit %2: %3 ms, ceiling %4 ms")
                                                          .arg(failed)
                                                          .arg(unit)
                                                          .arg(d.count())
                                                          .arg(c.count())));
        }
        QVERIFY(backoffDelay(failed, 1s, 30s, 0.0) <= backoffDelay(failed, 1s, 30s, 0.5));
    }
}

void tst_Backoff::uniform_data()
{
    QTest::addColumn<qint64>("loMs");
    QTest::addColumn<qint64>("hiMs");
    QTest::addColumn<double>("unit");
    QTest::addColumn<qint64>("expectedMs");

    QTest::newRow("op 9 wait, low end") << qint64(1000) << qint64(5000) << 0.0 << qint64(1000);
    QTest::newRow("op 9 wait, middle") << qint64(1000) << qint64(5000) << 0.5 << qint64(3000);
    QTest::newRow("op 9 wait, top (truncated)") << qint64(1000) << qint64(5000) << 0.99999 << qint64(4999);
    QTest::newRow("fast op 9 wait, top") << qint64(10) << qint64(50) << 0.999999 << qint64(49);
    QTest::newRow("hi below lo: lo") << qint64(5000) << qint64(1000) << 0.7 << qint64(5000);
    QTest::newRow("hi equals lo") << qint64(3000) << qint64(3000) << 0.4 << qint64(3000);
    QTest::newRow("first beat, jitter 0") << qint64(0) << qint64(41250) << 0.0 << qint64(0);
    QTest::newRow("first beat, jitter 0.5") << qint64(0) << qint64(41250) << 0.5 << qint64(20625);
    QTest::newRow("first beat, jitter 0.999") << qint64(0) << qint64(41250) << 0.999 << qint64(41208);
}

void tst_Backoff::uniform()
{
    QFETCH(qint64, loMs);
    QFETCH(qint64, hiMs);
    QFETCH(double, unit);
    QFETCH(qint64, expectedMs);
    QCOMPARE(uniformDelay(ms(loMs), ms(hiMs), unit), ms(expectedMs));
}

// 200 clients that all want the same instant get instants at least MinGap apart inside their
// window (docs/lifecycle.md, "Backoff, flapping, jitter"); a full window keeps the wanted delay.
void tst_Backoff::spreaderKeepsAttemptsApart()
{
    AttemptSpreader spreader;
    QList<qint64> due;
    for (int i = 0; i < 200; ++i) {
        const AttemptSpreader::Slot slot = spreader.place(500ms, 0ms, 1000ms);
        QVERIFY(slot.delay >= 0ms && slot.delay <= 1000ms);
        due.append(slot.dueUs);
    }
    std::sort(due.begin(), due.end());
    for (qsizetype i = 1; i < due.size(); ++i)
        QVERIFY2(due.at(i) - due.at(i - 1) >= AttemptSpreader::MinGap.count(), qPrintable(QString::number(i)));

    AttemptSpreader full;
    for (int i = 0; i < 3; ++i)
        (void)full.place(5ms, 5ms, 5ms);  // a one-millisecond window holds one attempt
    QCOMPARE(full.place(5ms, 5ms, 5ms).delay, 5ms);
}

QTEST_GUILESS_MAIN(tst_Backoff)
#include "tst_backoff.moc"
