// The lifecycle cases of docs/lifecycle.md (14 lifecycle, 3 stall-watchdog, 6 wait-for-stop),
// translated to the real AccountSupervisor + real GatewayClient + real GatewaySimulator with
// millisecond timings; then the two defect tests of docs/lifecycle.md and end-to-end scenarios.
// Test names start with the seed's section and number (lifecycle05_…, stallWatchdog02_…).

#include "supervisorharness.h"
#include "testenvironment.h"

#include "intents.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

using namespace std::chrono_literals;
using gw::AccountSupervisor;
using gw::EventKind;
using gw::SimFault;
using Phase = gw::AccountSupervisor::Phase;
using Outcome = gw::AccountSupervisor::Outcome;

namespace {

Outcome finishedOutcome(const QSignalSpy &spy, int i = 0)
{
    return spy.at(i).at(0).value<Outcome>();
}

gw::GatewayError finishedError(const QSignalSpy &spy, int i = 0)
{
    return spy.at(i).at(1).value<gw::GatewayError>();
}

} // namespace

class tst_AccountSupervisor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
        qRegisterMetaType<gw::GatewayError>();
    }

    // --- §7.1 lifecycle -----------------------------------------------------------------------

    //! Seed 1: startup fails (here: GET /gateway/bot answers 401) → rejects; cleanup once; the
    //! wait-for-stop (Running) is never reached.
    void lifecycle01_cleansUpWhenStartupFails()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make(1, QStringLiteral("not-a-known-token"));
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).kind, gw::GatewayError::Kind::Unauthorized);
        h.verifyCleanup();
        QVERIFY(!h.reachedPhase(Phase::Running));
        QVERIFY(h.sim.connections().isEmpty());
        QVERIFY(!h.finishedSpy->wait(200));
    }

    //! Seed 2: the wait fails after startup (a fatal close while Running) → rejects with it;
    //! cleanup once; Running was reached (waitCalls = 1).
    void lifecycle02_cleansUpWhenGatewayWaitFailsAfterStartup()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::Close, 1, 4004)));
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).closeCode, std::optional<int>(4004));
        h.verifyCleanup();
        QVERIFY(h.reachedPhase(Phase::Running));
    }

    //! Seed 3: a successful wait (stop) resolves; cleanup once.
    void lifecycle03_cleansUpAfterSuccessfulWait()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        h.supervisor->stop();
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
        QVERIFY(finishedError(*h.finishedSpy).isNone());
        h.verifyCleanup();
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
    }

    //! Seed 4: connected → a patch {connected:true, lastDisconnect:null} with lastConnectedAt.
    void lifecycle04_pushesConnectedStatusWhenGatewayIsReady()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        bool found = false;
        for (const gw::AccountStatus &s : std::as_const(h.statuses)) {
            if (s.connected && !s.lastDisconnect && s.lastConnectedAt.isValid() && s.lastEventAt.isValid())
                found = true;
        }
        QVERIFY(found);
        QVERIFY(h.supervisor->status().connected);
        QCOMPARE(h.supervisor->status().state, gw::ConnectionState::Ready);
        h.supervisor->stop();
    }

    //! Seed 5: startup never reaches READY → error log "gateway was not ready after …ms",
    //! ONE forced reconnect that is a real fresh IDENTIFY (op 2, even with a resumable session
    //! seeded: the seed's connect(false) could still RESUME), then READY.
    void lifecycle05_forcesFreshReconnectWhenStartupNeverReachesReady()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        // A live, resumable session of this bot: a bare client reaches READY, then its TCP
        // connection drops and the client is stopped before it can resume.
        gw::ResumeState live;
        {
            gw::GatewayClientConfig config;
            config.token = QLatin1String(SupervisorHarness::Token);
            config.apiBase = h.sim.apiBase();
            config.timings = h.timings;
            gw::GatewayClient first(config);
            QSignalSpy readySpy(&first, &gw::GatewayClient::ready);
            QSignalSpy closedSpy(&first, &gw::GatewayClient::socketClosed);
            connect(&first, &gw::GatewayClient::socketClosed, &first, [&first] { first.stop(); });
            first.start();
            QVERIFY(readySpy.wait(5000));
            live = first.resumeState();
            QVERIFY(live.isValid());
            QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
            QVERIFY(closedSpy.wait(5000));
        }
        QCOMPARE(h.sessionOps(), QList<int>{2});
        h.make();
        h.supervisor->client()->setResumeState(live);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 1)));
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.countEvents(EventKind::ReadyTimeout, QStringLiteral("gateway was not ready after %1ms").arg(h.timings.readyTimeout.count())) == 1);
        QCOMPARE(h.supervisor->startupRetriesUsed(), 1);
        QCOMPARE(h.sessionOps(), (QList<int>{2, 6, 2}));  // RESUME withheld, then a real op 2
        QVERIFY(h.reachedPhase(Phase::AwaitReadyRetry));
        bool sawStartupNotReady = false;
        for (const gw::AccountStatus &s : std::as_const(h.statuses)) {
            if (s.lastDisconnect && s.lastDisconnect->error == QLatin1String("startup-not-ready") && !s.connected)
                sawStartupNotReady = true;
        }
        QVERIFY(sawStartupNotReady);
        QCOMPARE(h.finishedSpy->count(), 0);
        h.supervisor->stop();
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
    }

    //! Seed 6: never READY, also after the forced reconnect → fails with the seed's message;
    //! exactly one forced reconnect (op 2); status startup-reconnect-timeout; Running never reached.
    void lifecycle06_failsFastWhenStartupNeverReachesReadyAfterForcedReconnect()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 2)));
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        const QString expected = QStringLiteral("discord gateway did not reach READY within %1ms after a forced reconnect").arg(h.timings.readyTimeout.count());
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).kind, gw::GatewayError::Kind::ReadyTimeout);
        QCOMPARE(finishedError(*h.finishedSpy).message, expected);
        QCOMPARE(h.sessionOps(), (QList<int>{2, 2}));
        QVERIFY(h.supervisor->status().lastDisconnect.has_value());
        QCOMPARE(h.supervisor->status().lastDisconnect->error, QStringLiteral("startup-reconnect-timeout"));
        QCOMPARE(h.supervisor->status().lastError, expected);
        h.verifyCleanup();
        QVERIFY(!h.reachedPhase(Phase::Running));
    }

    //! The READY guard and the HELLO watch count from the moment op 2 is sent, not while the
    //! IDENTIFY waits in the identify queue (docs/lifecycle.md, B4.4 and B6.5): another shard of
    //! the bot holds the bucket, so this IDENTIFY waits ~4 times the guard and ~2.5 times the
    //! watch. Neither fires, neither runs while queued, and exactly one op 2 goes out.
    void readyGuardAndHelloWatchWaitOutTheIdentifyQueue()
    {
        SupervisorHarness h;
        h.timings.identifyBucketInterval = 2000ms;  // the guard (600 ms) and the watch (900 ms) are shorter
        QVERIFY(h.startSim());
        h.make();
        bool granted = false;
        h.gate->request(0, h.context.get(), [&granted] { granted = true; }, {});
        QTRY_VERIFY(granted);  // the bucket is taken for the next 2.2 s
        bool queuedSeen = false;
        bool timersRanWhileQueued = false;
        connect(h.supervisor->client(), &gw::GatewayClient::identifyQueued, h.context.get(), [&] {
            queuedSeen = true;
            // The supervisor's own slot ran first (it connected first); check on the next turn.
            QTimer::singleShot(0, h.context.get(), [&] {
                timersRanWhileQueued = h.supervisor->isReadyGuardActive() || h.supervisor->isHelloWatchActive();
            });
        });
        QElapsedTimer clock;
        clock.start();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(queuedSeen);
        QVERIFY(!timersRanWhileQueued);
        QVERIFY2(clock.elapsed() > 3 * h.timings.readyTimeout.count(), "the queue was not longer than the guard");
        QCOMPARE(h.countEvents(EventKind::ReadyTimeout), 0);
        QCOMPARE(h.countEvents(EventKind::HelloTimeout), 0);
        QCOMPARE(h.sessionOps(), QList<int>{2});
        QCOMPARE(h.supervisor->startupRetriesUsed(), 0);
        QCOMPARE(h.supervisor->consecutiveHelloStalls(), 0);
        h.supervisor->stop();
    }

    //! Seed 7: disallowed intents (4014) → the seed's 4014 error line and a clean stop
    //! (IntentsRejected, not a crash); never Running.
    void lifecycle07_handlesDisallowedIntentsWithoutWaitingForGatewayEvents()
    {
        SupervisorHarness h;
        gw::SimBotPolicy policy = SupervisorHarness::defaultPolicy();
        policy.privilegedIntentsAllowed = false;
        QVERIFY(h.startSim(policy));
        h.make(gw::Intents::Guilds | gw::Intents::GuildMembers | gw::Intents::MessageContent);
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::IntentsRejected);
        QCOMPARE(finishedError(*h.finishedSpy).closeCode, std::optional<int>(4014));
        QVERIFY(h.anyEventContains(QStringLiteral("discord: gateway closed with code 4014")));
        h.verifyCleanup();
        QVERIFY(!h.reachedPhase(Phase::Running));
        QCOMPARE(h.supervisor->status().state, gw::ConnectionState::Failed);
    }

    //! Seed 8: another fatal gateway error before READY (4004) → fails with it; never Running.
    void lifecycle08_failsOnNonIntentsFatalGatewayErrors()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 1)));
        QObject ctx;
        connect(&h.sim, &gw::GatewaySimulator::payloadReceived, &ctx, [&h](int connectionId, int op) {
            if (op == 2)
                h.sim.injectFaultOnConnection(connectionId, h.fault(SimFault::Kind::Close, 1, 4004));
        });
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).kind, gw::GatewayError::Kind::FatalClose);
        QCOMPARE(finishedError(*h.finishedSpy).closeCode, std::optional<int>(4004));
        QVERIFY(!h.reachedPhase(Phase::Running));
        QVERIFY(h.supervisor->status().lastError.size() > 0);
        h.verifyCleanup();
    }

    //! Seed 9: a fatal error while waiting for READY (4013, a bad intents bitfield) surfaces as
    //! "discord gateway error: …"; no forced reconnect (one IDENTIFY only); never Running.
    void lifecycle09_surfacesFatalStartupGatewayErrorsWhileWaitingForReady()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make(gw::Intents::Guilds | (1u << 30));
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).closeCode, std::optional<int>(4013));
        QVERIFY(h.countEvents(EventKind::Error, QStringLiteral("discord gateway error: ")) >= 1);
        QCOMPARE(h.sessionOps(), (QList<int>{2}));
        QCOMPARE(h.countEvents(EventKind::ReadyTimeout), 0);
        QCOMPARE(h.supervisor->startupRetriesUsed(), 0);
        h.verifyCleanup();
    }

    //! Seed 10: HELLO-watch stalls after a close: resume, resume, then the 3rd stall clears the
    //! session and IDENTIFYs fresh: ops after the first IDENTIFY are 6 (client's own resume,
    //! stalls 1), 6 (stall 1 → resume), 6 (stall 2 → resume), 2 (stall 3 → fresh identify).
    void lifecycle10_retriesStalledHelloWithResumeBeforeForcingFreshIdentify()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        const QString firstSession = h.supervisor->client()->session()->sessionId;
        const int readyEvents = h.countEvents(EventKind::Ready);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 3)));
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Ready) == readyEvents + 1, 8000);
        QCOMPARE(h.sessionOps(), (QList<int>{2, 6, 6, 6, 2}));
        QCOMPARE(h.countEvents(EventKind::HelloTimeout, QStringLiteral("no HELLO within %1ms (1/3); retrying resume").arg(h.timings.helloWatch.count())), 1);
        QCOMPARE(h.countEvents(EventKind::HelloTimeout, QStringLiteral("no HELLO within %1ms (2/3); retrying resume").arg(h.timings.helloWatch.count())), 1);
        QCOMPARE(h.countEvents(EventKind::HelloTimeout, QStringLiteral("no HELLO within %1ms (3/3); forcing fresh identify").arg(h.timings.helloWatch.count())), 1);
        QVERIFY(h.supervisor->client()->session()->sessionId != firstSession);
        QCOMPARE(h.supervisor->consecutiveHelloStalls(), 0);
        bool sawHelloTimeoutPatch = false;
        for (const gw::AccountStatus &s : std::as_const(h.statuses)) {
            if (!s.connected && s.lastDisconnect && s.lastDisconnect->error == QLatin1String("hello-timeout"))
                sawHelloTimeoutPatch = true;
        }
        QVERIFY(sawHelloTimeoutPatch);
        QCOMPARE(h.finishedSpy->count(), 0);
        h.supervisor->stop();
    }

    //! Seed 11: the stall counter resets after a successful reconnect that drops quickly:
    //! 2 stalls, RESUMED, close of the ready socket, 2 stalls → only resumes, never a fresh IDENTIFY.
    void lifecycle11_resetsHelloStallCounterAfterSuccessfulReconnectThatDropsQuickly()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        for (int round = 1; round <= 2; ++round) {
            const int resumedBefore = h.countEvents(EventKind::Resumed);
            QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 2)));
            QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
            QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Resumed) == resumedBefore + 1, 8000);
            QTRY_COMPARE(h.supervisor->client()->state(), gw::ConnectionState::Ready);
        }
        QCOMPARE(h.countEvents(EventKind::HelloTimeout), 4);
        QCOMPARE(h.countEvents(EventKind::HelloTimeout, QStringLiteral("forcing fresh identify")), 0);
        QCOMPARE(h.sessionOps(), (QList<int>{2, 6, 6, 6, 6, 6, 6}));
        h.supervisor->stop();
    }

    //! Seed 12: a close, then no recovery → the watchdog force-stops with "reconnect watchdog
    //! timeout" (Failed / WatchdogTimeout; status lastError has the seed's text).
    void lifecycle12_forceStopsWhenReconnectStallsAfterCloseEvent()
    {
        SupervisorHarness h;
        h.timings.reconnectStallTimeout = 800ms;
        h.timings.helloWatch = 5000ms;  // no stall cycles here: a plain silent reconnect
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdHello, 100)));
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        const gw::GatewayError error = finishedError(*h.finishedSpy);
        QCOMPARE(error.kind, gw::GatewayError::Kind::WatchdogTimeout);
        QVERIFY(error.message.contains(QLatin1String("reconnect watchdog timeout")));
        QCOMPARE(error.message, QStringLiteral("discord reconnect watchdog timeout after 800ms"));
        QCOMPARE(h.supervisor->status().lastError, error.message);
        QCOMPARE(h.countEvents(EventKind::WatchdogTimeout,
                               QStringLiteral("discord: reconnect watchdog timeout after 800ms; force-stopping monitor task")),
                 1);
        h.verifyCleanup();
    }

    //! Seed 13: a close, then a RESUME before the timeout (after one stall) → no watchdog
    //! timeout, ever (checked on the event log, the status and the outcome); stop resolves.
    void lifecycle13_doesNotForceStopWhenReconnectResumesBeforeWatchdogTimeout()
    {
        SupervisorHarness h;
        h.timings.reconnectStallTimeout = 800ms;
        h.timings.helloWatch = 300ms;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 1)));
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Resumed) == 1, 5000);
        QVERIFY(!h.supervisor->reconnectWatchdog().isArmed());
        QVERIFY(!h.finishedSpy->wait(1200));  // past the 800 ms watchdog: nothing fires
        QCOMPARE(h.countEvents(EventKind::WatchdogTimeout), 0);
        QVERIFY(!h.anyEventContains(QStringLiteral("reconnect watchdog timeout")));
        QVERIFY(!h.supervisor->status().lastError.contains(QLatin1String("watchdog")));
        h.supervisor->stop();
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
    }

    //! Seed 14: stopped before start → start() reports connected=false, never true; no socket.
    void lifecycle14_doesNotPushConnectedTrueWhenStoppedBeforeStart()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        QSignalSpy connectedSpy(&h.sim, &gw::GatewaySimulator::clientConnected);
        h.supervisor->stop();
        h.supervisor->start();
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
        QVERIFY(!connectedSpy.wait(300));
        bool sawFalse = false;
        for (const gw::AccountStatus &s : std::as_const(h.statuses)) {
            QVERIFY(!s.connected);
            sawFalse = true;
        }
        QVERIFY(sawFalse);
        QVERIFY(h.sim.connections().isEmpty());
        h.verifyCleanup();
    }

    // --- §7.2 stall watchdog (timeout 1000 → 200 ms) -----------------------------------------

    //! Seed watchdog 1: armed and idle past the timeout → exactly one call; disarmed afterwards.
    void stallWatchdog01_firesOnceWhenArmedAndIdleExceedsTimeout()
    {
        gw::StallWatchdog watchdog(QStringLiteral("test"), 200ms);
        QSignalSpy spy(&watchdog, &gw::StallWatchdog::timedOut);
        QElapsedTimer elapsed;
        elapsed.start();
        watchdog.arm();
        QVERIFY(spy.wait(2000));
        QVERIFY(elapsed.elapsed() >= 195);
        QVERIFY(!spy.wait(400));
        QCOMPARE(spy.count(), 1);
        QVERIFY(!watchdog.isArmed());
        QVERIFY(spy.at(0).at(0).value<std::chrono::milliseconds>() >= 195ms);
    }

    //! Seed watchdog 2: disarmed before the timeout → never fires.
    void stallWatchdog02_doesNotFireWhenDisarmedBeforeTimeout()
    {
        gw::StallWatchdog watchdog(QStringLiteral("test"), 200ms);
        QSignalSpy spy(&watchdog, &gw::StallWatchdog::timedOut);
        watchdog.arm(QDateTime::currentMSecsSinceEpoch() - 100);  // "+500 of 1000"
        watchdog.disarm();
        QVERIFY(!spy.wait(500));
        QCOMPARE(spy.count(), 0);
    }

    //! Seed watchdog 3: touch extends the window: armed 140 ms ago (of 200), touched now →
    //! nothing within the next 150 ms, then one call.
    void stallWatchdog03_extendsTimeoutWindowWhenTouched()
    {
        gw::StallWatchdog watchdog(QStringLiteral("test"), 200ms);
        QSignalSpy spy(&watchdog, &gw::StallWatchdog::timedOut);
        watchdog.arm(QDateTime::currentMSecsSinceEpoch() - 140);
        watchdog.touch();
        QVERIFY(!spy.wait(150));
        QCOMPARE(spy.count(), 0);
        QVERIFY(spy.wait(1000));
        QCOMPARE(spy.count(), 1);
    }

    //! §8 a at the component level: armIfUnarmed() keeps the first arm's clock.
    void stallWatchdog04_armIfUnarmedKeepsTheFirstArmTime()
    {
        qint64 now = 1'000'000;
        gw::StallWatchdog watchdog(QStringLiteral("test"), 300ms, [&now] { return now; });
        QVERIFY(watchdog.armIfUnarmed(now));
        now += 250;
        QVERIFY(!watchdog.armIfUnarmed(now));
        QCOMPARE(watchdog.lastActivityAt(), 1'000'000);
        watchdog.stop();
        watchdog.arm();
        QVERIFY(!watchdog.isArmed());
        QVERIFY(!watchdog.isTimerActive());
    }

    // --- §7.3 wait for stop -------------------------------------------------------------------

    //! Seed wait 1: stop resolves and disconnects the gateway once; listeners detached after.
    void waitForStop01_resolvesOnStopAndDisconnectsGateway()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QCOMPARE(h.sim.openConnectionCount(), 1);
        h.supervisor->stop();
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
        QCOMPARE(h.sim.connections().size(), 1);
        // Detached: a late error from the client changes nothing.
        const int statusCount = int(h.statuses.size());
        Q_EMIT h.supervisor->client()->errorOccurred(
            gw::GatewayError{gw::GatewayError::Kind::FatalClose, 4004, QStringLiteral("late")});
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(int(h.statuses.size()), statusCount);
    }

    //! Seed wait 2: a gateway error rejects and disconnects once; a later stop adds nothing.
    void waitForStop02_rejectsOnGatewayErrorAndDisconnects()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::Close, 1, 4004)));
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QVERIFY(h.countEvents(EventKind::Error, QStringLiteral("discord gateway error: ")) == 1);
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
        h.supervisor->stop();
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(h.sim.connections().size(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
    }

    //! Seed wait 3: non-stop errors (a dropped TCP connection → Transport) are logged, not
    //! stopped on: the client resumes and the supervisor stays Running.
    void waitForStop03_ignoresNonFatalGatewayErrors()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QTRY_VERIFY(h.countEvents(EventKind::Error, QStringLiteral("discord gateway error: ")) >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Resumed) == 1, 5000);
        QVERIFY(!h.finishedSpy->wait(200));
        QCOMPARE(h.supervisor->phase(), Phase::Running);
        QTRY_COMPARE(h.sim.openConnectionCount(), 1);
        h.supervisor->stop();
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
    }

    //! Seed wait 4: stop without a gateway socket (REST still in flight) resolves; no socket ever.
    void waitForStop04_resolvesOnStopWithoutGatewaySocket()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        QSignalSpy connectedSpy(&h.sim, &gw::GatewaySimulator::clientConnected);
        h.supervisor->start();
        h.supervisor->stop();
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
        QVERIFY(!connectedSpy.wait(300));
        QVERIFY(h.sim.connections().isEmpty());
        h.verifyCleanup();
    }

    //! Seed wait 5: a force-stop rejects and disconnects once.
    void waitForStop05_rejectsViaForceStopAndDisconnectsGateway()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        h.supervisor->forceStop(gw::GatewayError{gw::GatewayError::Kind::WatchdogTimeout, std::nullopt,
                                                 QStringLiteral("reconnect watchdog timeout")});
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).message, QStringLiteral("reconnect watchdog timeout"));
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
        QCOMPARE(h.sim.connections().size(), 1);
        h.verifyCleanup();
    }

    //! Seed wait 6: a force-stop after settling is ignored (still one finish, one disconnect).
    void waitForStop06_ignoresForceStopAfterAlreadySettled()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        h.supervisor->stop();
        h.supervisor->forceStop(gw::GatewayError{gw::GatewayError::Kind::WatchdogTimeout, std::nullopt,
                                                 QStringLiteral("late")});
        QCOMPARE(h.finishedSpy->count(), 1);
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Stopped);
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
        QCOMPARE(h.sim.connections().size(), 1);
    }

    // --- §8 defects ---------------------------------------------------------------------------

    //! §8 a (openclaw/openclaw#51190): open→stall cycles must not reset the watchdog clock.
    //! Sockets keep opening (HELLO arrives) and stalling (READY never does); the seed disarms on
    //! every open and re-arms on every stall, so it never fires. Fixed: force-stop at the
    //! timeout measured from leaving Ready.
    void defect8a_openStallCyclesStillForceStopAtWatchdogTimeout()
    {
        SupervisorHarness h;
        h.timings.reconnectStallTimeout = 1500ms;
        h.timings.helloWatch = 250ms;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 1000)));
        QElapsedTimer sinceLeftReady;
        sinceLeftReady.start();
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QVERIFY(h.finishedSpy->wait(6000));
        const qint64 elapsed = sinceLeftReady.elapsed();
        QCOMPARE(finishedError(*h.finishedSpy).kind, gw::GatewayError::Kind::WatchdogTimeout);
        QVERIFY2(h.countEvents(EventKind::HelloTimeout) >= 3, "expected several open→stall cycles");
        QVERIFY2(elapsed >= 1400 && elapsed < 2800, qPrintable(QString::number(elapsed)));
        h.verifyCleanup();
    }

    // --- teardown -----------------------------------------------------------------------------

    //! stop() in the middle of stall cycles (HELLO watch running, watchdog armed): nothing is
    //! left running and nothing is emitted afterwards ("no timer fires after stop()").
    void stopDuringStallCyclesLeavesNoTimerRunning()
    {
        SupervisorHarness h;
        h.timings.helloWatch = 150ms;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::WithholdReady, 1000)));
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::DropTcp)));
        QTRY_VERIFY(h.countEvents(EventKind::HelloTimeout) >= 2);
        QTRY_VERIFY(h.supervisor->isHelloWatchActive());
        QVERIFY(h.supervisor->reconnectWatchdog().isArmed());
        h.supervisor->stop();
        QVERIFY(!h.supervisor->hasActiveTimers());
        QVERIFY(!h.supervisor->reconnectWatchdog().isArmed());
        const int statuses = int(h.statuses.size());
        const int events = int(h.events.size());
        QSignalSpy anyStatus(h.supervisor.get(), &AccountSupervisor::statusChanged);
        QVERIFY(!anyStatus.wait(1000));  // > helloWatch, > client backoff: nothing may fire
        QCOMPARE(int(h.statuses.size()), statuses);
        QCOMPARE(int(h.events.size()), events);
        QCOMPARE(h.finishedSpy->count(), 1);
        QTRY_COMPARE(h.sim.openConnectionCount(), 0);
    }

    // --- end to end ---------------------------------------------------------------------------

    void e2e_zombieReconnectsWithResume()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.sim.setHeartbeatInterval(150ms);
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::StopAcks)));
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Zombie) >= 1, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Resumed) >= 1, 5000);
        QCOMPARE(h.sessionOps().mid(0, 2), (QList<int>{2, 6}));
        QVERIFY(h.supervisor->status().resumes >= 1);
        QCOMPARE(h.supervisor->status().identifies, 1);
        QVERIFY(h.supervisor->status().disconnects >= 1);
        QTRY_VERIFY(h.supervisor->status().connected);
        h.supervisor->stop();
    }

    void e2e_invalidSessionNotResumableIdentifiesAgain()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        SimFault f = h.fault(SimFault::Kind::InvalidSession);
        f.resumable = false;
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), f));
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(EventKind::Ready) == 2, 5000);
        QCOMPARE(h.countEvents(EventKind::InvalidSession, QStringLiteral("not resumable")), 1);
        QCOMPARE(h.sessionOps(), (QList<int>{2, 2}));
        QCOMPARE(h.supervisor->status().identifies, 2);
        QCOMPARE(h.supervisor->status().resumes, 0);
        h.supervisor->stop();
    }

    void e2e_authenticationFailed4004EndsFailed()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(SimFault::Kind::Close, 1, 4004)));
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(h.supervisor->status().state, gw::ConnectionState::Failed);
        QCOMPARE(h.supervisor->status().failure.closeCode, std::optional<int>(4004));
        QVERIFY(!h.supervisor->status().lastError.isEmpty());
        QVERIFY(h.countEvents(EventKind::Fatal) == 1);
        QVERIFY(h.countEvents(EventKind::Close) >= 1);
    }

    void e2e_disallowedIntents4014NamesTheIntents()
    {
        SupervisorHarness h;
        gw::SimBotPolicy policy = SupervisorHarness::defaultPolicy();
        policy.privilegedIntentsAllowed = false;
        QVERIFY(h.startSim(policy));
        h.make(gw::Intents::Guilds | gw::Intents::GuildMembers);
        h.supervisor->start();
        QVERIFY(h.finishedSpy->wait(5000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::IntentsRejected);
        QCOMPARE(h.supervisor->status().state, gw::ConnectionState::Failed);
        bool named = false;
        for (const gw::EventLogEntry &e : std::as_const(h.events)) {
            if ((e.kind == EventKind::Fatal || e.kind == EventKind::Close)
                && e.message.contains(QLatin1String("GUILD_MEMBERS")))
                named = true;
        }
        QVERIFY2(named, "the fatal/close event should name the privileged intent requested");
    }

    void e2e_reconnectBudgetExhaustedEndsFailed()
    {
        SupervisorHarness h;
        h.timings.reconnectBudget = 3;
        h.timings.reconnectStallTimeout = 20000ms;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        h.sim.stop();  // every further attempt is refused
        QVERIFY(h.finishedSpy->wait(10000));
        QCOMPARE(finishedOutcome(*h.finishedSpy), Outcome::Failed);
        QCOMPARE(finishedError(*h.finishedSpy).kind, gw::GatewayError::Kind::ReconnectBudgetExhausted);
        QVERIFY(h.countEvents(EventKind::ReconnectScheduled) >= 3);
        h.verifyCleanup();
    }

    void e2e_forceReconnect_data()
    {
        QTest::addColumn<gw::ReconnectMode>("mode");
        QTest::addColumn<int>("expectedOp");
        QTest::addColumn<int>("expectedKindInt");
        QTest::newRow("resume") << gw::ReconnectMode::Resume << 6 << int(EventKind::Resumed);
        QTest::newRow("fresh-identify") << gw::ReconnectMode::FreshIdentify << 2 << int(EventKind::Ready);
    }

    void e2e_forceReconnect()
    {
        QFETCH(gw::ReconnectMode, mode);
        QFETCH(int, expectedOp);
        QFETCH(int, expectedKindInt);
        const auto expectedKind = EventKind(expectedKindInt);
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        const int before = h.countEvents(expectedKind);
        h.supervisor->forceReconnect(mode);
        QTRY_VERIFY_WITH_TIMEOUT(h.countEvents(expectedKind) == before + 1, 5000);
        QCOMPARE(h.sessionOps(), (QList<int>{2, expectedOp}));
        QCOMPARE(h.countEvents(EventKind::UserAction), 1);
        QTRY_COMPARE(h.supervisor->client()->state(), gw::ConnectionState::Ready);
        h.supervisor->stop();
    }
};

QTEST_GUILESS_MAIN(tst_AccountSupervisor)
#include "tst_accountsupervisor.moc"
