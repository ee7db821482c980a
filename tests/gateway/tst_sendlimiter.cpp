#include "sendlimiter.h"

#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

class tst_SendLimiter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void limitsNormalSendsPerWindow();
    void windowSlides();
    void bypassKindsAreNeverLimited_data();
    void bypassKindsAreNeverLimited();
    void neverPastDiscordsHardLimit();
    void refusesOversizedPayloads();
    void resetForgets();
};

void tst_SendLimiter::limitsNormalSendsPerWindow()
{
    SendLimiter l;  // defaults: 115 per 60 s
    const auto t0 = SendLimiter::Clock::now();
    for (int i = 0; i < 115; ++i)
        QCOMPARE(l.trySend(100, SendLimiter::Kind::Normal, t0 + std::chrono::milliseconds(i)), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(100, SendLimiter::Kind::Normal, t0 + 200ms), SendLimiter::Verdict::RateLimited);
    QCOMPARE(l.usedNormal(t0 + 200ms), 115);
    // The oldest send expires at t0 + 60 s.
    QCOMPARE(l.nextNormalSlotIn(t0 + 200ms), 60000ms - 200ms);
}

void tst_SendLimiter::windowSlides()
{
    SendLimiter l(3, 1000ms);
    const auto t0 = SendLimiter::Clock::now();
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 400ms), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 800ms), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 999ms), SendLimiter::Verdict::RateLimited);
    // Sliding, not fixed: at t0+1000 only the first send has left the window.
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 1000ms), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 1001ms), SendLimiter::Verdict::RateLimited);
    QCOMPARE(l.nextNormalSlotIn(t0 + 1001ms), 399ms);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0 + 1400ms), SendLimiter::Verdict::Allowed);
}

void tst_SendLimiter::bypassKindsAreNeverLimited_data()
{
    QTest::addColumn<SendLimiter::Kind>("kind");
    QTest::newRow("heartbeat") << SendLimiter::Kind::Heartbeat;
    QTest::newRow("identify") << SendLimiter::Kind::Identify;
    QTest::newRow("resume") << SendLimiter::Kind::Resume;
}

void tst_SendLimiter::bypassKindsAreNeverLimited()
{
    QFETCH(SendLimiter::Kind, kind);
    SendLimiter l(2, 1000ms);
    const auto t0 = SendLimiter::Clock::now();
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal, t0), SendLimiter::Verdict::RateLimited);
    for (int i = 0; i < 20; ++i)
        QCOMPARE(l.trySend(1, kind, t0), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.usedNormal(t0), 2);
    QCOMPARE(l.usedTotal(t0), 22);
}

void tst_SendLimiter::neverPastDiscordsHardLimit()
{
    SendLimiter l(115, 60s);
    const auto t0 = SendLimiter::Clock::now();
    for (int i = 0; i < 10; ++i)
        QCOMPARE(l.trySend(20, SendLimiter::Kind::Heartbeat, t0), SendLimiter::Verdict::Allowed);
    int allowed = 0;
    while (l.trySend(20, SendLimiter::Kind::Normal, t0) == SendLimiter::Verdict::Allowed)
        ++allowed;
    QCOMPARE(allowed, SendLimiter::DiscordHardLimit - 10);
}

void tst_SendLimiter::refusesOversizedPayloads()
{
    SendLimiter l;
    QCOMPARE(l.trySend(4096, SendLimiter::Kind::Normal), SendLimiter::Verdict::Allowed);
    for (auto kind : {SendLimiter::Kind::Normal, SendLimiter::Kind::Heartbeat, SendLimiter::Kind::Identify,
                      SendLimiter::Kind::Resume})
        QCOMPARE(l.trySend(4097, kind), SendLimiter::Verdict::TooLarge);
    QCOMPARE(l.usedTotal(), 1);  // refused payloads are not recorded
}

void tst_SendLimiter::resetForgets()
{
    SendLimiter l(1, 60s);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal), SendLimiter::Verdict::Allowed);
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal), SendLimiter::Verdict::RateLimited);
    l.reset();
    QCOMPARE(l.trySend(1, SendLimiter::Kind::Normal), SendLimiter::Verdict::Allowed);
}

QTEST_GUILESS_MAIN(tst_SendLimiter)
#include "tst_sendlimiter.moc"
