// Recovery from a flapping gateway, the identify budget wait and jitter (docs/lifecycle.md,
// "Backoff, flapping, jitter" and "The identify budget"): real AccountSupervisor and
// GatewayClient against the in-process GatewaySimulator on loopback.
//
// The flap scenarios run the production rules scaled down 40 times, so 30 s take 750 ms:
// backoff 1 s → 30 s becomes 25 ms → 750 ms, the stable period 60 s → 1.5 s, the flapping window
// 10 min → 15 s, the identify bucket 5 s → 125 ms, a close 200 ms after READY → 5 ms, and "a
// minute" of flapping → 1.5 s. The counts (5 sessions, ≤ ~10 attempts per 30 s, ≤ ~12 IDENTIFYs
// per minute) are not scaled.
#include "flapdetector.h"
#include "recoverytext.h"
#include "supervisorharness.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>

using namespace gw;
using namespace std::chrono_literals;

namespace {

constexpr int Scale = 40;

//! The production timings of the recovery rules divided by Scale (the READY guard, HELLO watch
//! and watchdog keep the lifecycle margins of tests/common/testtimings.h).
GatewayTimings scaledTimings()
{
    GatewayTimings t = SupervisorHarness::testTimings();
    const GatewayTimings prod = GatewayTimings::defaults();
    t.backoffBase = prod.backoffBase / Scale;
    t.backoffMax = prod.backoffMax / Scale;
    t.stableAfter = prod.stableAfter / Scale;
    t.flappingWindow = prod.flappingWindow / Scale;
    t.flappingSessions = prod.flappingSessions;
    t.identifyBucketInterval = prod.identifyBucketInterval / Scale;
    return t;
}

QList<qint64> delaysOf(const QList<EventLogEntry> &events, qint64 fromMs, qint64 toMs)
{
    QList<qint64> delays;
    for (const EventLogEntry &e : events) {
        const qint64 at = e.at.toMSecsSinceEpoch();
        if (e.kind == EventKind::ReconnectScheduled && at >= fromMs && at <= toMs)
            delays.append(e.fields.value(QLatin1String("delay_ms")).toInteger());
    }
    return delays;
}

} // namespace

class tst_Recovery final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void flapDetectorHysteresis();
    void flapIsBoundedAndReportedOnce_data();
    void flapIsBoundedAndReportedOnce();
    void flapNeverIdentifiesBelowTheFloor();
    void budgetBelowFloorWaitsThenIdentifies();
    void fiftyDroppedAccountsRestartSpreadOut();
};

void tst_Recovery::flapDetectorHysteresis()
{
    FlapDetector d(10000ms, 5);
    for (int i = 0; i < 4; ++i)
        QVERIFY(!d.sessionDied(1000 + i));
    QVERIFY(!d.active());
    QVERIFY(d.sessionDied(1004));   // the fifth within the window starts an episode
    QVERIFY(!d.sessionDied(1005));  // reported once, however many follow
    QVERIFY(!d.sessionDied(9000));
    QCOMPARE(d.count(9000), 7);
    QCOMPARE(recoverytext::flappingText(FlappingStatus{7, 10min}), QStringLiteral("flapping: 7 sessions in 10 min"));
    QVERIFY(d.stable());            // only a stable session ends it
    QVERIFY(!d.stable());
    for (int i = 0; i < 4; ++i)     // deaths spread wider than the window never start one
        QVERIFY(!d.sessionDied(20000 + i * 10000));
    QCOMPARE(d.count(50000), 1);
}

void tst_Recovery::flapIsBoundedAndReportedOnce_data()
{
    QTest::addColumn<int>("code");
    QTest::newRow("4000 (resumable)") << 4000;
    QTest::newRow("4009 (new session)") << 4009;
}

// A gateway that closes every session 200 ms after READY/RESUMED: at most ~10 connection
// attempts in 30 s, at most ~12 IDENTIFYs in a minute, one `flapping` row, growing
// reconnect_scheduled delays, and once the gateway behaves, one `flapping_ended`.
void tst_Recovery::flapIsBoundedAndReportedOnce()
{
    QFETCH(int, code);
    SupervisorHarness h;
    h.timings = scaledTimings();
    QVERIFY(h.startSim());
    h.make()->start();
    WAIT_RUNNING(h);

    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    const qint64 halfMinute = 30000 / Scale;
    const qint64 minute = 60000 / Scale;
    SimFault flap = h.fault(SimFault::Kind::Flap, 1, code);
    flap.delay = 200ms / Scale;
    flap.duration = std::chrono::milliseconds(minute);
    QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), flap));
    // The live session is closed the same way, which starts the cycle.
    QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::Close, 1, code)));

    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() > t0 + minute, 5000);
    int attempts30s = 0, identifiesMinute = 0;
    for (const SimConnectionInfo &c : h.sim.connections())
        attempts30s += c.openedAtMs >= t0 && c.openedAtMs <= t0 + halfMinute ? 1 : 0;
    for (const SimReceived &r : h.sim.receivedFrom(QLatin1String(SupervisorHarness::Bot)))
        identifiesMinute += r.op == 2 && r.atMs >= t0 && r.atMs <= t0 + minute ? 1 : 0;
    qInfo("code %d: %d attempts in the scaled 30 s, %d IDENTIFYs in the scaled minute", code, attempts30s,
          identifiesMinute);
    QVERIFY2(attempts30s >= 3 && attempts30s <= 10, qPrintable(QString::number(attempts30s)));
    QVERIFY2(identifiesMinute <= 12, qPrintable(QString::number(identifiesMinute)));
    QCOMPARE(h.countEvents(EventKind::Flapping), 1);
    QVERIFY(std::any_of(h.statuses.cbegin(), h.statuses.cend(),
                        [](const AccountStatus &s) { return s.flapping && s.flapping->sessions >= 5; }));

    // Backoff, not a loop: each delay at least the one before (equal jitter: level n + 1 starts
    // where level n ends) until the cap, whose window is [max/2, max]; the last is far above the
    // first. (2 ms of slack: the spreader may move a draw by a millisecond or two.)
    const QList<qint64> delays = delaysOf(h.events, t0, t0 + minute);
    const qint64 capFloor = h.timings.backoffMax.count() / 2;
    QVERIFY2(delays.size() >= 4, qPrintable(QString::number(delays.size())));
    for (qsizetype i = 1; i < delays.size(); ++i) {
        const qint64 floor = std::min(delays.at(i - 1), capFloor) - 2;
        QVERIFY2(delays.at(i) >= floor, qPrintable(QStringLiteral("delay %1 < %2").arg(delays.at(i)).arg(floor)));
    }
    QVERIFY(delays.first() > 0);  // not even the first attempt after a short session is immediate
    QVERIFY(delays.last() >= 4 * delays.first());

    // The flap is over: the next session stays up for the stable period and the episode ends.
    QTRY_COMPARE_WITH_TIMEOUT(h.countEvents(EventKind::FlappingEnded), 1, 8000);
    QCOMPARE(h.countEvents(EventKind::Flapping), 1);
    QVERIFY(!h.supervisor->status().flapping);
    QCOMPARE(h.supervisor->phase(), AccountSupervisor::Phase::Running);
    QCOMPARE(h.finishedSpy->count(), 0);
    QCOMPARE(h.supervisor->client()->backoffLevel(), 0);
}

// 4009 closes spend the daily budget; the gate stops at the floor and the account waits for the
// reset instead of failing. The gate refuses an IDENTIFY that would leave the remaining count below
// the floor (docs/protocol.md, identifying), so the budget ends at the floor itself.
void tst_Recovery::flapNeverIdentifiesBelowTheFloor()
{
    SupervisorHarness h;
    h.timings = scaledTimings();
    SimBotPolicy policy = SupervisorHarness::defaultPolicy();
    policy.sessionStartRemaining = h.timings.identifyRemainingFloor + 4;
    QVERIFY(h.startSim(policy));
    h.make()->start();
    WAIT_RUNNING(h);

    SimFault flap = h.fault(SimFault::Kind::Flap, 1, 4009);
    flap.delay = 200ms / Scale;
    flap.duration = 60000ms / Scale;
    QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), flap));
    QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::Close, 1, 4009)));

    QTRY_COMPARE_WITH_TIMEOUT(h.countEvents(EventKind::IdentifyBudgetWait), 1, 5000);
    QCOMPARE(gwtest::countOps(h.sim, QLatin1String(SupervisorHarness::Bot), 2), 4);  // 54 (start), 53, 52, 51
    QCOMPARE(h.sim.sessionStartRemaining(QLatin1String(SupervisorHarness::Bot)), h.timings.identifyRemainingFloor);
    QTRY_VERIFY(h.supervisor->status().identifyWaitUntil.isValid());
    QCOMPARE(h.supervisor->status().state, ConnectionState::Reconnecting);
    QCOMPARE(h.finishedSpy->count(), 0);
    QCOMPARE(h.supervisor->status().identifies24h, 4);
}

// Budget below the floor with reset_after 3 s: the account waits (no IDENTIFY, no Failed, no
// READY guard or watchdog), says until when, then identifies by itself after the reset.
void tst_Recovery::budgetBelowFloorWaitsThenIdentifies()
{
    SupervisorHarness h;
    SimBotPolicy policy = SupervisorHarness::defaultPolicy();
    policy.sessionStartRemaining = 10;
    policy.sessionStartResetAfter = 3000ms;
    const qint64 resetAtMs = QDateTime::currentMSecsSinceEpoch() + 3000;
    QVERIFY(h.startSim(policy));
    h.make()->start();

    QTRY_COMPARE_WITH_TIMEOUT(h.countEvents(EventKind::IdentifyBudgetWait), 1, 3000);
    QTRY_VERIFY(h.supervisor->status().identifyWaitUntil.isValid());
    const AccountStatus waiting = h.supervisor->status();
    QCOMPARE(waiting.state, ConnectionState::Reconnecting);
    QVERIFY(qAbs(waiting.identifyWaitUntil.toMSecsSinceEpoch() - resetAtMs) < 1000);
    QVERIFY(h.anyEventContains(QStringLiteral("waiting for the identify budget until ")));
    QCOMPARE(gwtest::countOps(h.sim, QLatin1String(SupervisorHarness::Bot), 2), 0);

    WAIT_RUNNING(h);  // waitRunning's 5 s cover the 3 s wait
    QList<qint64> identifyAt;
    for (const SimReceived &r : h.sim.receivedFrom(QLatin1String(SupervisorHarness::Bot))) {
        if (r.op == 2)
            identifyAt.append(r.atMs);
    }
    QCOMPARE(identifyAt.size(), 1);
    QVERIFY2(identifyAt.first() >= resetAtMs - 50, qPrintable(QString::number(resetAtMs - identifyAt.first())));
    QCOMPARE(h.finishedSpy->count(), 0);
    QCOMPARE(h.countEvents(EventKind::ReadyTimeout), 0);
    QVERIFY(!h.supervisor->status().identifyWaitUntil.isValid());
    QCOMPARE(h.supervisor->status().identifies24h, 1);
}

// 50 accounts whose sockets drop at the same instant restart spread over their backoff window
// (level 0: [0, backoffBase], the production 1 s): no two attempts are due within 1 ms, and the
// attempts really run spread over the window.
void tst_Recovery::fiftyDroppedAccountsRestartSpreadOut()
{
    constexpr int Accounts = 50;
    GatewaySimulator::Options o = SupervisorHarness::simOptions();
    o.enforceIdentifyConcurrency = false;
    GatewaySimulator sim(o);
    for (int i = 0; i < Accounts; ++i)
        sim.addBot(QStringLiteral("sim-token-%1").arg(i), gwtest::botPolicy(QStringLiteral("bot%1").arg(i)));
    QVERIFY(sim.start());

    GatewayTimings t = gwtest::testTimings(gwtest::margins::ManyAccounts);
    t.backoffBase = GatewayTimings::defaults().backoffBase;
    t.backoffMax = GatewayTimings::defaults().backoffMax;
    t.stableAfter = 300ms;  // every session becomes stable first: the drop finds level 0
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<GatewayClient>> clients;
    QList<qint64> dueUs, startedUs;
    int stable = 0;
    QObject context;
    for (int i = 0; i < Accounts; ++i) {
        GatewayClientConfig c;
        c.token = QStringLiteral("sim-token-%1").arg(i);
        c.apiBase = sim.apiBase();
        c.timings = t;
        clients.push_back(std::make_unique<GatewayClient>(c));
        GatewayClient *client = clients.back().get();
        QObject::connect(client, &GatewayClient::reconnectScheduled, &context,
                         [&](int, std::chrono::milliseconds delay, ReconnectMode) {
                             dueUs.append(clock.nsecsElapsed() / 1000 + delay.count() * 1000);
                         });
        QObject::connect(client, &GatewayClient::sessionStable, &context, [&] { ++stable; });
        QObject::connect(client, &GatewayClient::connecting, &context, [&, client] {
            if (client->stats().reconnects > 0)
                startedUs.append(clock.nsecsElapsed() / 1000);
        });
        client->start();
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.cbegin(), clients.cend(),
                                         [](const auto &c) { return c->state() == ConnectionState::Ready; }),
                             20000);
    QTRY_COMPARE_WITH_TIMEOUT(stable, Accounts, 5000);

    SimFault drop;
    drop.kind = SimFault::Kind::DropTcp;
    const qint64 dropUs = clock.nsecsElapsed() / 1000;
    for (int i = 0; i < Accounts; ++i)
        QVERIFY(sim.injectFault(QStringLiteral("bot%1").arg(i), drop));
    QTRY_COMPARE_WITH_TIMEOUT(dueUs.size(), Accounts, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(startedUs.size(), Accounts, 5000);

    std::sort(dueUs.begin(), dueUs.end());
    for (qsizetype i = 1; i < dueUs.size(); ++i)
        QVERIFY2(dueUs.at(i) - dueUs.at(i - 1) >= 1000, qPrintable(QStringLiteral("attempts %1 and %2 are %3 µs apart")
                                                                      .arg(i - 1).arg(i).arg(dueUs.at(i) - dueUs.at(i - 1))));
    // Spread over the 1 s window, not bunched at its start (50 uniform draws span ~960 ms on
    // average; half the window is a loose bound).
    std::sort(startedUs.begin(), startedUs.end());
    QVERIFY2(startedUs.last() - startedUs.first() >= 500000, qPrintable(QString::number(startedUs.last() - startedUs.first())));
    QVERIFY(startedUs.first() >= dropUs);
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.cbegin(), clients.cend(),
                                         [](const auto &c) { return c->state() == ConnectionState::Ready; }),
                             10000);
    for (auto &c : clients)
        c->stop();
}

QTEST_GUILESS_MAIN(tst_Recovery)
#include "tst_recovery.moc"
