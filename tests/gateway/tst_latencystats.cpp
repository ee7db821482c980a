// Heartbeat latency figures of latencystats.h, exactly: mean (truncated), nearest-rank
// percentile, the last/mean/p95 summary GatewayStats shows, and the sliding window.
#include "latencystats.h"

#include <QList>
#include <QTest>

#include <vector>

using namespace gw;
using ms = std::chrono::milliseconds;

namespace {
std::vector<ms> toSamples(const QList<qint64> &values)
{
    std::vector<ms> samples;
    for (const qint64 v : values)
        samples.push_back(ms(v));
    return samples;
}

//! 10, 20, …, 200 in a scrambled order (n = 20).
QList<qint64> twentyScrambled()
{
    return {130, 20, 190, 70, 200, 40, 110, 160, 10, 90, 180, 50, 140, 30, 100, 170, 60, 150, 80, 120};
}
} // namespace

class tst_LatencyStats final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mean_data();
    void mean();
    void percentile_data();
    void percentile();
    void summary_data();
    void summary();
    void windowKeepsTheNewest();
    void windowOfOneAndZero();
};

void tst_LatencyStats::mean_data()
{
    QTest::addColumn<QList<qint64>>("samples");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("empty") << QList<qint64>{} << qint64(0);
    QTest::newRow("one") << QList<qint64>{42} << qint64(42);
    QTest::newRow("truncated") << QList<qint64>{1, 2} << qint64(1);
    QTest::newRow("truncated, not rounded") << QList<qint64>{1, 1, 2} << qint64(1);
    QTest::newRow("three") << QList<qint64>{10, 20, 30} << qint64(20);
    QTest::newRow("zeros and one") << QList<qint64>{0, 0, 1} << qint64(0);
    QTest::newRow("twenty") << twentyScrambled() << qint64(105);
    QTest::newRow("large") << QList<qint64>{3'000'000'000'000, 1'000'000'000'000} << qint64(2'000'000'000'000);
}

void tst_LatencyStats::mean()
{
    QFETCH(QList<qint64>, samples);
    QFETCH(qint64, expected);
    const auto s = toSamples(samples);
    QCOMPARE(latencyMean(s), ms(expected));
}

void tst_LatencyStats::percentile_data()
{
    QTest::addColumn<QList<qint64>>("samples");
    QTest::addColumn<double>("p");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("empty") << QList<qint64>{} << 0.95 << qint64(0);
    QTest::newRow("one sample") << QList<qint64>{7} << 0.95 << qint64(7);
    QTest::newRow("two: the larger") << QList<qint64>{9, 3} << 0.95 << qint64(9);
    QTest::newRow("three: the largest") << QList<qint64>{5, 1, 3} << 0.95 << qint64(5);
    QTest::newRow("ten: the largest") << QList<qint64>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} << 0.95 << qint64(10);
    // ceil(0.95 × 20) = 19: the 19th smallest, not the maximum.
    QTest::newRow("twenty: 19th") << twentyScrambled() << 0.95 << qint64(190);
    QTest::newRow("one outlier in twenty") << QList<qint64>{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 900}
                                            << 0.95 << qint64(5);
    QTest::newRow("two outliers in twenty")
        << QList<qint64>{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 800, 900} << 0.95 << qint64(800);
    QTest::newRow("median of four") << QList<qint64>{4, 1, 3, 2} << 0.5 << qint64(2);
    QTest::newRow("p = 1: the maximum") << twentyScrambled() << 1.0 << qint64(200);
    QTest::newRow("small p: the minimum") << twentyScrambled() << 0.01 << qint64(10);
    QTest::newRow("p = 0: the minimum") << twentyScrambled() << 0.0 << qint64(10);
    QTest::newRow("p over 1: the maximum") << twentyScrambled() << 1.5 << qint64(200);
}

void tst_LatencyStats::percentile()
{
    QFETCH(QList<qint64>, samples);
    QFETCH(double, p);
    QFETCH(qint64, expected);
    const auto s = toSamples(samples);
    QCOMPARE(latencyPercentile(s, p), ms(expected));
}

void tst_LatencyStats::summary_data()
{
    QTest::addColumn<QList<qint64>>("samples");
    QTest::addColumn<qint64>("last");
    QTest::addColumn<qint64>("mean");
    QTest::addColumn<qint64>("p95");

    QTest::newRow("empty") << QList<qint64>{} << qint64(0) << qint64(0) << qint64(0);
    QTest::newRow("one") << QList<qint64>{33} << qint64(33) << qint64(33) << qint64(33);
    QTest::newRow("last is the newest, not the largest") << QList<qint64>{30, 10, 20} << qint64(20) << qint64(20)
                                                         << qint64(30);
    QTest::newRow("twenty") << twentyScrambled() << qint64(120) << qint64(105) << qint64(190);
}

void tst_LatencyStats::summary()
{
    QFETCH(QList<qint64>, samples);
    QFETCH(qint64, last);
    QFETCH(qint64, mean);
    QFETCH(qint64, p95);
    const auto s = toSamples(samples);
    const LatencySummary summary = summarizeLatencies(s);
    QCOMPARE(summary.last, ms(last));
    QCOMPARE(summary.mean, ms(mean));
    QCOMPARE(summary.p95, ms(p95));
}

void tst_LatencyStats::windowKeepsTheNewest()
{
    LatencyWindow window(20);
    QVERIFY(window.samples().empty());
    QCOMPARE(window.summary().last, ms(0));
    for (int i = 1; i <= 25; ++i)
        window.add(ms(i * 10));
    // 60 … 250 are kept; 10 … 50 fell out.
    QCOMPARE(window.samples().size(), std::size_t(20));
    QCOMPARE(window.samples().front(), ms(60));
    QCOMPARE(window.samples().back(), ms(250));
    const LatencySummary s = window.summary();
    QCOMPARE(s.last, ms(250));
    QCOMPARE(s.mean, ms(155));
    QCOMPARE(s.p95, ms(240));
}

void tst_LatencyStats::windowOfOneAndZero()
{
    LatencyWindow one(1);
    one.add(ms(5));
    one.add(ms(9));
    QCOMPARE(one.samples().size(), std::size_t(1));
    QCOMPARE(one.summary().mean, ms(9));

    LatencyWindow zero(0);  // treated as one: the newest sample is always there
    zero.add(ms(4));
    QCOMPARE(zero.samples().size(), std::size_t(1));
    QCOMPARE(zero.summary().p95, ms(4));
}

QTEST_GUILESS_MAIN(tst_LatencyStats)
#include "tst_latencystats.moc"
