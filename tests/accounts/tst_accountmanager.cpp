// AccountManager: verbs across the worker thread, 200 accounts against one simulator, fault
// isolation between accounts, and the isolation rule of docs/lifecycle.md (a force-stop restarts only that account,
// after a visible backoff).

#include "accountaggregate_p.h"
#include "testenvironment.h"
#include "accountmanager.h"
#include "accountsfixture.h"
#include "gatewaysimulator.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace std::chrono_literals;
using gw::AccountManager;
using gw::AccountStatus;
using gw::ConnectionState;
using gw::SimFault;
using gwtest::allReady;

namespace {

gw::GatewayTimings managerTimings()
{
    gw::GatewayTimings t = gwtest::testTimings(gwtest::margins::ManyAccounts);
    t.identifyBucketInterval = 50ms;
    t.restartBackoffBase = 200ms;
    t.restartBackoffMax = 2000ms;
    return t;
}

QString tokenFor(int i)
{
    return QStringLiteral("sim-token-%1-abcdef").arg(i);
}

QString botFor(int i)
{
    return QStringLiteral("bot%1").arg(i);
}

QString idFor(int i)
{
    return QStringLiteral("00000000-0000-0000-0000-%1").arg(i, 12, 10, QLatin1Char('0'));
}

//! Records every snapshot per account (in the test's thread, via queued signals).
struct StatusLog
{
    QHash<QString, QList<AccountStatus>> byAccount;
    QList<gw::EventLogEntry> events;
    QStringList added;
    QStringList removed;

    void attach(AccountManager &m, QObject *ctx)
    {
        QObject::connect(&m, &AccountManager::statusChanged, ctx,
                         [this](const AccountStatus &s) { byAccount[s.accountId].append(s); });
        QObject::connect(&m, &AccountManager::eventLogged, ctx,
                         [this](const gw::EventLogEntry &e) { events.append(e); });
        QObject::connect(&m, &AccountManager::accountAdded, ctx, [this](const QString &id) { added.append(id); });
        QObject::connect(&m, &AccountManager::accountRemoved, ctx, [this](const QString &id) { removed.append(id); });
    }

    [[nodiscard]] ConnectionState lastState(const QString &id) const
    {
        const auto list = byAccount.value(id);
        return list.isEmpty() ? ConnectionState::Stopped : list.constLast().state;
    }
};

struct Fixture
{
    explicit Fixture(int accounts, bool compress = true,
                     std::chrono::milliseconds heartbeat = std::chrono::milliseconds{1000})
    {
        gw::GatewaySimulator::Options o;
        o.heartbeatInterval = heartbeat;
        o.identifyBucketInterval = 40ms;
        o.heartbeatTimeoutGrace = 2000ms;
        sim = std::make_unique<gw::GatewaySimulator>(o);
        for (int i = 0; i < accounts; ++i)
            gwtest::addBot(*sim, tokenFor(i), botFor(i));
        ok = sim->start();
        this->compress = compress;
    }

    gw::AccountRecord record(int i) const
    {
        return gwtest::simRecord(*sim, idFor(i), QStringLiteral("Account %1").arg(i),
                                 compress ? gw::Compression::ZlibStream : gw::Compression::None);
    }

    int connectionsOf(int i) const { return gwtest::connectionsOf(*sim, botFor(i)); }

    std::unique_ptr<gw::GatewaySimulator> sim;
    bool ok = false;
    bool compress = true;
};

} // namespace

class tst_AccountManager final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
    }

    void verbs_addPauseResumeForceReconnectUpdateRemoveStopAll()
    {
        Fixture f(2);
        QVERIFY(f.ok);
        AccountManager m(managerTimings());
        QObject ctx;
        StatusLog log;
        log.attach(m, &ctx);

        m.add(f.record(0), tokenFor(0));
        m.add(f.record(1), tokenFor(1));
        QCOMPARE(m.accountCount(), 2);  // visible at once from the calling thread
        m.add(f.record(0), tokenFor(0));  // duplicate id: ignored
        QCOMPARE(m.accountCount(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 2), 10000);
        QCOMPARE(log.added, (QStringList{idFor(0), idFor(1)}));
        QVERIFY(m.status(idFor(0))->lastConnectedAt.isValid());

        // pause → Stopped + paused; the other account untouched.
        m.pause(idFor(0));
        QTRY_VERIFY(m.status(idFor(0))->paused && m.status(idFor(0))->state == ConnectionState::Stopped);
        QTRY_COMPARE(f.sim->openConnectionCount(), 1);
        QCOMPARE(m.status(idFor(1))->state, ConnectionState::Ready);

        // resume → ready again (a fresh start: IDENTIFY).
        m.resume(idFor(0));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 2), 10000);
        QVERIFY(!m.status(idFor(0))->paused);

        // forceReconnect: Resume → op 6, FreshIdentify → op 2.
        auto opsOf = [&f](int i) {
            QList<int> ops;
            for (const gw::SimReceived &r : f.sim->receivedFrom(botFor(i)))
                if (r.op == 2 || r.op == 6)
                    ops.append(r.op);
            return ops;
        };
        const int before = int(opsOf(1).size());
        m.forceReconnect(idFor(1), gw::ReconnectMode::Resume);
        QTRY_COMPARE_WITH_TIMEOUT(int(opsOf(1).size()), before + 1, 5000);
        QCOMPARE(opsOf(1).constLast(), 6);
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 2), 5000);
        m.forceReconnect(idFor(1), gw::ReconnectMode::FreshIdentify);
        QTRY_COMPARE_WITH_TIMEOUT(int(opsOf(1).size()), before + 2, 5000);
        QCOMPARE(opsOf(1).constLast(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 2), 5000);
        QTRY_VERIFY(m.status(idFor(1))->resumes >= 1);

        // update: a new name is applied (running account restarts with the new settings).
        gw::AccountRecord renamed = f.record(1);
        renamed.name = QStringLiteral("Renamed");
        m.update(renamed);
        QTRY_COMPARE(m.status(idFor(1))->accountName, QStringLiteral("Renamed"));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 2), 10000);
        QCOMPARE(m.records().at(1).name, QStringLiteral("Renamed"));

        // remove → accountRemoved, gone from statuses(), its socket closed.
        m.remove(idFor(0));
        QCOMPARE(m.accountCount(), 1);
        QVERIFY(!m.status(idFor(0)).has_value());
        QTRY_COMPARE(log.removed, QStringList{idFor(0)});
        QTRY_COMPARE(f.sim->openConnectionCount(), 1);

        // stopAll → allStopped, every socket closed, state Stopped.
        QSignalSpy stopped(&m, &AccountManager::allStopped);
        m.stopAll();
        QVERIFY(stopped.wait(5000));
        QTRY_COMPARE(f.sim->openConnectionCount(), 0);
        QTRY_COMPARE(m.status(idFor(1))->state, ConnectionState::Stopped);

        // Events flowed through (state changes, READY, user actions).
        QVERIFY(std::any_of(log.events.begin(), log.events.end(),
                            [](const gw::EventLogEntry &e) { return e.kind == gw::EventKind::UserAction; }));
        QVERIFY(std::any_of(log.events.begin(), log.events.end(),
                            [](const gw::EventLogEntry &e) { return e.kind == gw::EventKind::Ready; }));
    }

    //! Status snapshots are coalesced per account but state changes always come through.
    void statusSignalsAreCoalescedButKeepEveryStateChange()
    {
        Fixture f(1);
        QVERIFY(f.ok);
        f.sim->setHeartbeatInterval(100ms);  // a status per ACK on the worker side
        AccountManager m(managerTimings());
        QObject ctx;
        StatusLog log;
        log.attach(m, &ctx);
        m.add(f.record(0), tokenFor(0));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 1), 10000);
        const int before = int(log.byAccount.value(idFor(0)).size());
        QSignalSpy spy(&m, &AccountManager::statusChanged);
        QVERIFY(!QSignalSpy(&m, &AccountManager::accountRemoved).wait(1000));
        // ~10 ACKs a second → at most ~10 snapshots a second (+1 for timer slack).
        QVERIFY2(spy.count() <= 12, qPrintable(QString::number(spy.count())));
        QVERIFY(spy.count() >= 1);
        const QList<AccountStatus> seen = log.byAccount.value(idFor(0));
        QVERIFY(seen.size() > before);
        // Every state transition the account went through is in the (coalesced) stream.
        QList<ConnectionState> states;
        for (const AccountStatus &s : seen)
            if (states.isEmpty() || states.constLast() != s.state)
                states.append(s.state);
        QVERIFY(states.contains(ConnectionState::Connecting));
        QVERIFY(states.contains(ConnectionState::Identifying));
        QCOMPARE(states.constLast(), ConnectionState::Ready);
    }

    //! Scale: 200 accounts against one simulator reach Ready in bounded time, and a
    //! fault in one account never changes another account's state.
    void twoHundredAccountsAndFaultIsolation()
    {
        constexpr int N = 200;
        Fixture f(N, false, 5000ms);  // 200 × a beat per 5 s: room on 2 loaded cores
        QVERIFY(f.ok);
        AccountManager m(managerTimings());
        QObject ctx;
        StatusLog log;
        log.attach(m, &ctx);
        QElapsedTimer t;
        t.start();
        for (int i = 0; i < N; ++i)
            m.add(f.record(i), tokenFor(i));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, N), 60000);
        qInfo("200 accounts ready in %lld ms", t.elapsed());
        QCOMPARE(f.sim->openConnectionCount(), N);

        // Faults on account 7 (drop, then a fatal 4004); nobody else may change state. The
        // baseline is taken now, so a start-up hiccup of a loaded machine is not counted.
        QHash<QString, int> snapshotCounts;
        QHash<QString, int> disconnects;
        QHash<QString, int> connections;
        for (int i = 0; i < N; ++i) {
            snapshotCounts.insert(idFor(i), int(log.byAccount.value(idFor(i)).size()));
            disconnects.insert(idFor(i), m.status(idFor(i))->disconnects);
            connections.insert(idFor(i), f.connectionsOf(i));
        }
        SimFault drop;
        drop.kind = SimFault::Kind::DropTcp;
        QVERIFY(f.sim->injectFault(botFor(7), drop));
        QTRY_VERIFY_WITH_TIMEOUT(m.status(idFor(7))->disconnects > disconnects.value(idFor(7))
                                     && m.status(idFor(7))->state == ConnectionState::Ready,
                                 20000);
        SimFault fatal;
        fatal.kind = SimFault::Kind::Close;
        fatal.closeCode = 4004;
        QVERIFY(f.sim->injectFault(botFor(7), fatal));
        QTRY_COMPARE_WITH_TIMEOUT(m.status(idFor(7))->state, ConnectionState::Failed, 20000);
        // The state change is published at once; the failure that explains it follows in the
        // next snapshot (the client emits the terminal error after its state change).
        QTRY_COMPARE_WITH_TIMEOUT(m.status(idFor(7))->failure.closeCode, std::optional<int>(4004), 5000);
        QCOMPARE(m.status(idFor(7))->restarts, 0);  // 4004: a person must fix it, no restart
        QVERIFY(!QSignalSpy(&m, &AccountManager::accountRemoved).wait(500));

        for (int i = 0; i < N; ++i) {
            if (i == 7)
                continue;
            const QList<AccountStatus> list = log.byAccount.value(idFor(i));
            for (int k = snapshotCounts.value(idFor(i)); k < list.size(); ++k)
                QVERIFY2(list.at(k).state == ConnectionState::Ready, qPrintable(idFor(i)));
            QCOMPARE(m.status(idFor(i))->state, ConnectionState::Ready);
            QCOMPARE(m.status(idFor(i))->disconnects, disconnects.value(idFor(i)));
            QCOMPARE(f.connectionsOf(i), connections.value(idFor(i)));
        }
        QSignalSpy stopped(&m, &AccountManager::allStopped);
        m.stopAll();
        QVERIFY(stopped.wait(10000));
    }

    //! Seed defect §8 b (openclaw/openclaw#37752): the reconnect watchdog force-stops ONE
    //! account; the manager restarts that account alone after a visible backoff; the others
    //! keep their one socket and never leave Ready. An earlier design restarted the whole gateway.
    void defect8b_forceStopRestartsOnlyThatAccount()
    {
        Fixture f(3);
        QVERIFY(f.ok);
        gw::GatewayTimings t = managerTimings();
        t.reconnectStallTimeout = 900ms;
        t.helloWatch = 5000ms;
        t.restartBackoffBase = 300ms;
        AccountManager m(t);
        QObject ctx;
        StatusLog log;
        log.attach(m, &ctx);
        for (int i = 0; i < 3; ++i)
            m.add(f.record(i), tokenFor(i));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 3), 10000);
        const int before0 = int(log.byAccount.value(idFor(0)).size());
        const int before2 = int(log.byAccount.value(idFor(2)).size());

        // Account 1: its socket drops and no new socket gets HELLO until the watchdog fires.
        SimFault withhold;
        withhold.kind = SimFault::Kind::WithholdHello;
        withhold.connections = 1;
        SimFault drop;
        drop.kind = SimFault::Kind::DropTcp;
        QVERIFY(f.sim->injectFault(botFor(1), withhold));
        QVERIFY(f.sim->injectFault(botFor(1), drop));

        QTRY_VERIFY_WITH_TIMEOUT(m.status(idFor(1))->restarts == 1, 8000);
        // The snapshots arrive by queued signals: wait until the backoff one is here.
        QTRY_VERIFY(std::any_of(log.byAccount.value(idFor(1)).cbegin(), log.byAccount.value(idFor(1)).cend(),
                                [](const AccountStatus &s) { return s.restarts == 1; }));
        const QList<AccountStatus> history = log.byAccount.value(idFor(1));
        bool sawFailedWatchdog = false;
        bool sawVisibleBackoff = false;
        for (const AccountStatus &s : history) {
            // Restartable: never shown as Failed (that state means "a person must fix it").
            QVERIFY(s.state != ConnectionState::Failed);
            if (s.lastError.contains(QLatin1String("reconnect watchdog timeout after 900ms")))
                sawFailedWatchdog = true;
            if (s.restarts == 1 && s.state == ConnectionState::Reconnecting && s.nextAttemptAt.isValid())
                sawVisibleBackoff = true;
        }
        QVERIFY(sawFailedWatchdog);
        QVERIFY(sawVisibleBackoff);
        QTRY_VERIFY_WITH_TIMEOUT(m.status(idFor(1))->state == ConnectionState::Ready, 15000);
        QCOMPARE(m.status(idFor(1))->restarts, 1);
        QVERIFY(std::any_of(log.events.begin(), log.events.end(), [](const gw::EventLogEntry &e) {
            return e.accountId == idFor(1) && e.kind == gw::EventKind::ReconnectScheduled
                && e.fields.value(QStringLiteral("mode")).toString() == QLatin1String("restart");
        }));

        // Untouched: still their first and only socket, no state other than Ready since.
        for (int i : {0, 2}) {
            QCOMPARE(f.connectionsOf(i), 1);
            QCOMPARE(m.status(idFor(i))->restarts, 0);
            QCOMPARE(m.status(idFor(i))->disconnects, 0);
            const QList<AccountStatus> list = log.byAccount.value(idFor(i));
            for (int k = (i == 0 ? before0 : before2); k < list.size(); ++k)
                QCOMPARE(list.at(k).state, ConnectionState::Ready);
        }
    }

    //! Destroying the manager with running accounts tears everything down on the worker
    //! thread (sockets closed, no signal after) and joins it.
    void destructorStopsEverything()
    {
        Fixture f(3);
        QVERIFY(f.ok);
        auto m = std::make_unique<AccountManager>(managerTimings());
        for (int i = 0; i < 3; ++i)
            m->add(f.record(i), tokenFor(i));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(*m, 3), 10000);
        QCOMPARE(f.sim->openConnectionCount(), 3);
        m.reset();
        QTRY_COMPARE(f.sim->openConnectionCount(), 0);
    }

    //! ShardMode::AllShards: GET /gateway/bot says 3 → one supervisor per shard, all through the
    //! token's one IdentifyGate; the account is Ready when every shard is; a drop on one shard
    //! resumes that shard only.
    void allShardsRunsOneSupervisorPerShard()
    {
        gw::GatewaySimulator::Options o;
        o.heartbeatInterval = 1000ms;
        o.identifyBucketInterval = 40ms;
        gw::GatewaySimulator sim(o);
        gw::SimBotPolicy p;
        p.name = QStringLiteral("sharded");
        p.maxConcurrency = 1;
        p.recommendedShards = 3;
        p.guilds = 6;
        sim.addBot(QStringLiteral("sharded-token-123456"), p);
        QVERIFY(sim.start());
        AccountManager m(managerTimings());
        gw::AccountRecord r = gwtest::simRecord(sim, idFor(42), QStringLiteral("Sharded"));
        r.shardMode = gw::AccountRecord::ShardMode::AllShards;
        m.add(r, QStringLiteral("sharded-token-123456"));
        QTRY_VERIFY_WITH_TIMEOUT(allReady(m, 1), 10000);
        QTRY_COMPARE(sim.openConnectionCount(), 3);
        // Every shard id of [0, 3) identified (more than once only if the simulator's strict
        // max_concurrency window answered op 9 on a loaded machine: then the client retries).
        QSet<int> shardIds;
        for (const gw::SimReceived &rec : sim.receivedFrom(QStringLiteral("sharded"))) {
            if (rec.op == 2) {
                QCOMPARE(rec.shardCount, 3);
                shardIds.insert(rec.shardId);
            }
        }
        QCOMPARE(shardIds, (QSet<int>{0, 1, 2}));
        QTRY_VERIFY(m.status(r.id)->identifies >= 3);
        const int identifiesBefore = m.status(r.id)->identifies;
        const int disconnectsBefore = m.status(r.id)->disconnects;
        const int resumesBefore = m.status(r.id)->resumes;

        // The drop hits the newest open connection of one shard.
        int victim = -1;
        for (const gw::SimConnectionInfo &c : sim.connections())
            if (c.open)
                victim = c.id;
        QVERIFY(victim > 0);
        SimFault drop;
        drop.kind = SimFault::Kind::DropTcp;
        QVERIFY(sim.injectFaultOnConnection(victim, drop));
        QTRY_VERIFY_WITH_TIMEOUT(m.status(r.id)->disconnects == disconnectsBefore + 1
                                     && m.status(r.id)->resumes == resumesBefore + 1
                                     && m.status(r.id)->state == ConnectionState::Ready,
                                 10000);
        QCOMPARE(m.status(r.id)->identifies, identifiesBefore);  // the dropped shard resumed
        QTRY_COMPARE(sim.openConnectionCount(), 3);

        // Dispatch counters are the sum over the shards: two events on each of the three.
        const quint64 dispatchesBefore = m.status(r.id)->stats.dispatches;
        for (int i = 0; i < 2; ++i)
            sim.dispatch(QStringLiteral("sharded"), QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
        QTRY_VERIFY_WITH_TIMEOUT(m.status(r.id)->stats.dispatches >= dispatchesBefore + 6, 5000);
        QVERIFY(m.status(r.id)->stats.dispatchesLastMinute >= 6);
        QSignalSpy stopped(&m, &AccountManager::allStopped);
        m.stopAll();
        QVERIFY(stopped.wait(5000));
        QTRY_COMPARE(sim.openConnectionCount(), 0);
    }

    //! A sharded account's data counters are its shards' summed; the last dispatch is the latest.
    void aggregateSumsDataCounters()
    {
        QList<AccountStatus> shards(3);
        const QDateTime t0 = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
        for (int i = 0; i < 3; ++i) {
            gw::GatewayStats &st = shards[i].stats;
            st.liveDispatches = quint64(100 * (i + 1));
            st.replayedDispatches = quint64(i);
            st.dispatches = st.liveDispatches + st.replayedDispatches;
            st.eventsLost = quint64(5 * i);
            st.unknownGaps = i == 2 ? 1 : 0;
            st.dispatchesLastMinute = 10;
            st.lastDispatchAt = t0.addSecs(i == 1 ? 30 : i);
        }
        shards[2].stats.degradedReason = QStringLiteral("heartbeat ACK late, data still flowing");
        const AccountStatus s = gw::aggregateShards(shards);
        QCOMPARE(s.stats.liveDispatches, quint64(600));
        QCOMPARE(s.stats.replayedDispatches, quint64(3));
        QCOMPARE(s.stats.dispatches, quint64(603));
        QCOMPARE(s.stats.eventsLost, quint64(15));
        QCOMPARE(s.stats.unknownGaps, quint64(1));
        QCOMPARE(s.stats.dispatchesLastMinute, 30);
        QCOMPARE(s.stats.lastDispatchAt, t0.addSecs(30));
        QCOMPARE(s.stats.degradedReason, QStringLiteral("heartbeat ACK late, data still flowing"));
        // One shard: unchanged.
        QCOMPARE(gw::aggregateShards({shards.at(1)}).stats.eventsLost, quint64(5));
    }

    //! A terminal reason a person must fix (4014) is not restarted.
    void intentsRejectedIsNotRestarted()
    {
        gw::GatewaySimulator::Options o;
        o.identifyBucketInterval = 40ms;
        gw::GatewaySimulator sim(o);
        gw::SimBotPolicy p;
        p.name = QStringLiteral("strict");
        p.privilegedIntentsAllowed = false;
        sim.addBot(QStringLiteral("strict-token-123456"), p);
        QVERIFY(sim.start());
        AccountManager m(managerTimings());
        gw::AccountRecord r;
        r.id = idFor(99);
        r.name = QStringLiteral("Strict");
        r.apiBaseOverride = sim.apiBase();
        r.intents = 1u | (1u << 1);
        m.add(r, QStringLiteral("strict-token-123456"));
        QTRY_COMPARE_WITH_TIMEOUT(m.status(r.id)->state, ConnectionState::Failed, 10000);
        QCOMPARE(m.status(r.id)->failure.closeCode, std::optional<int>(4014));
        QVERIFY(!QSignalSpy(&m, &AccountManager::accountAdded).wait(800));  // > restartBackoffBase
        QCOMPARE(m.status(r.id)->restarts, 0);
        QCOMPARE(m.status(r.id)->state, ConnectionState::Failed);
        QCOMPARE(sim.connections().size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_AccountManager)
#include "tst_accountmanager.moc"
