// Restart within the resume window RESUMEs. A child process (this binary with
// --child) runs an AccountManager with a ResumeStateStore against the parent's simulator; once
// READY and a few dispatches have been saved, the parent kills it with SIGKILL (no close frame,
// no 1000: the session stays resumable, as after a crash or power loss). A new manager with the
// same store file must then send op 6 (not op 2) and get RESUMED; the file never holds the token.
//
// Clean restarts (docs/lifecycle.md): a quit (MonitorApp::stop) closes with 4000 and saves the
// session, so the next start RESUMEs without op 9; pause and remove close with 1000 and delete
// it, so the next start IDENTIFYs without op 6. And the resume host fallback: a resume URL that
// refuses connections or never answers the upgrade is dropped for the gateway URL, and a restart
// right after does not go back to it.
#include "accountmanager.h"
#include "accountsfixture.h"
#include "eventtypes.h"
#include "gatewaysimulator.h"
#include "monitorapp.h"
#include "resumestatestore.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>

using namespace std::chrono_literals;
using gw::AccountManager;
using gw::ConnectionState;

namespace {

const QString Token = QStringLiteral("resume-restart-token-abcdef");
const QString AccountId = QStringLiteral("00000000-0000-0000-0000-0000000000aa");

gw::AccountRecord record(const QUrl &apiBase)
{
    gw::AccountRecord r;
    r.id = AccountId;
    r.name = QStringLiteral("Restart");
    r.apiBaseOverride = apiBase;
    return r;
}

//! The child: monitor until killed; "READY" on stdout once the session is saved.
int runChild(const QUrl &apiBase, const QString &storePath)
{
    AccountManager manager(gw::GatewayTimings::fast());
    manager.setResumeStateStore(std::make_shared<gw::ResumeStateStore>(storePath));
    QObject::connect(&manager, &AccountManager::statusChanged, &manager, [](const gw::AccountStatus &s) {
        if (s.state == ConnectionState::Ready) {
            std::fputs("READY\n", stdout);
            std::fflush(stdout);
        }
    });
    manager.add(record(apiBase), Token);
    return QCoreApplication::exec();
}

} // namespace

class TestResumeRestart final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void storeRoundTrip();
    void restartAfterKillResumes();
    void quitThenRestartResumesWithoutOp9();
    void endedSessionThenRestartIdentifiesWithoutOp6_data();
    void endedSessionThenRestartIdentifiesWithoutOp6();
    void deadResumeHostFallsBackToGatewayUrl_data();
    void deadResumeHostFallsBackToGatewayUrl();
};

namespace {

//! A simulator for one bot with short, loaded-machine-proof heartbeats; `dispatchInterval` 0:
//! the test sends its dispatches itself.
gw::GatewaySimulator::Options simOptions(std::chrono::milliseconds dispatchInterval = 50ms)
{
    gw::GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    o.heartbeatTimeoutGrace = 3000ms;
    o.dispatchInterval = dispatchInterval;
    o.identifyBucketInterval = 20ms;
    return o;
}

//! Everything one MonitorApp run logged, and its app.
struct Run
{
    explicit Run(const std::shared_ptr<gw::ResumeStateStore> &store)
    {
        gw::MonitorAppOptions options;
        options.timings = gwtest::testTimings(gwtest::margins::Session);
        options.resumeState = store;
        app = std::make_unique<gw::MonitorApp>(std::move(options));
        QObject::connect(app->manager(), &AccountManager::eventLogged, app.get(),
                         [this](const gw::EventLogEntry &e) { events.append(e); });
    }

    [[nodiscard]] QList<gw::EventLogEntry> ofKind(gw::EventKind kind) const
    {
        QList<gw::EventLogEntry> out;
        std::copy_if(events.cbegin(), events.cend(), std::back_inserter(out),
                     [kind](const gw::EventLogEntry &e) { return e.kind == kind; });
        return out;
    }

    //! MonitorApp::stop() (the desktop's Quit, headless SIGTERM) and wait for stopped().
    bool quit()
    {
        QSignalSpy stopped(app.get(), &gw::MonitorApp::stopped);
        app->stop();
        return stopped.wait(10000);
    }

    std::unique_ptr<gw::MonitorApp> app;
    QList<gw::EventLogEntry> events;
};

} // namespace

void TestResumeRestart::storeRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("resume.ini"));
    gw::ResumeStateStore store(path, 200ms);
    QVERIFY(!store.load(QStringLiteral("a/0")));
    gw::ResumeState s;
    s.sessionId = QStringLiteral("sess");
    s.sequence = 42;
    s.resumeGatewayUrl = QUrl(QStringLiteral("wss://resume.example"));
    s.savedAt = QDateTime::currentDateTimeUtc();
    store.save(QStringLiteral("a/0"), s);
    const auto back = store.load(QStringLiteral("a/0"));
    QVERIFY(back);
    QCOMPARE(back->sessionId, s.sessionId);
    QCOMPARE(back->sequence, 42);
    QCOMPARE(back->resumeGatewayUrl, s.resumeGatewayUrl);
    // Too old: not offered.
    s.savedAt = QDateTime::currentDateTimeUtc().addMSecs(-1000);
    store.save(QStringLiteral("a/0"), s);
    QVERIFY(!store.load(QStringLiteral("a/0")));
    // An invalid state removes the key.
    store.save(QStringLiteral("a/0"), gw::ResumeState{});
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(!f.readAll().contains("sess"));
}

void TestResumeRestart::restartAfterKillResumes()
{
    QStandardPaths::setTestModeEnabled(true);
    gw::GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    o.heartbeatTimeoutGrace = 3000ms;
    o.dispatchInterval = 50ms;        // the sequence moves while the child runs
    o.identifyBucketInterval = 20ms;
    gw::GatewaySimulator sim(o);
    const gw::SimBotPolicy p = gwtest::botPolicy(QStringLiteral("restart"));
    sim.addBot(Token, p);
    QVERIFY(sim.start());

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString storePath = dir.filePath(QStringLiteral("resume.ini"));

    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--child"), sim.apiBase().toString(), storePath});
    QVERIFY(child.waitForStarted(10000));
    QByteArray childOut;
    auto childReady = [&] {
        childOut += child.readAllStandardOutput();
        return childOut.contains("READY") || child.state() != QProcess::Running;
    };
    QTRY_VERIFY_WITH_TIMEOUT(childReady(), 20000);
    QCOMPARE(child.state(), QProcess::Running);
    // Let dispatches advance the saved sequence past READY's (throttled saves, 1 s).
    QTRY_VERIFY_WITH_TIMEOUT(QFile(storePath).exists(), 10000);
    const int opsBefore = int(sim.receivedFrom(p.name).size());
    QTRY_VERIFY_WITH_TIMEOUT(sim.receivedFrom(p.name).size() > opsBefore + 2, 10000);  // a couple of beats later
    gw::ResumeStateStore store(storePath);
    QTRY_VERIFY_WITH_TIMEOUT(store.load(AccountId + QStringLiteral("/0")) && store.load(AccountId + QStringLiteral("/0"))->sequence > 1, 10000);

    ::kill(pid_t(child.processId()), SIGKILL);   // a crash: no close frame at all
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);

    QFile file(storePath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QVERIFY2(!saved.contains(Token.toUtf8()), "the token was written to the resume-state file");
    QVERIFY(saved.contains("session_id"));

    QCOMPARE(gwtest::countOps(sim, p.name, 2), 1);

    QSignalSpy resumedSpy(&sim, &gw::GatewaySimulator::sessionResumed);
    AccountManager manager(gw::GatewayTimings::fast());
    manager.setResumeStateStore(std::make_shared<gw::ResumeStateStore>(storePath));
    manager.add(record(sim.apiBase()), Token);
    QVERIFY2(gwtest::waitForState(manager, AccountId, ConnectionState::Ready, 20s),
             qPrintable(gwtest::describeState(manager, AccountId)));
    QVERIFY(resumedSpy.size() >= 1);
    QCOMPARE(gwtest::countOps(sim, p.name, 2), 1);   // only the child's first session
    QVERIFY(gwtest::countOps(sim, p.name, 6) >= 1);
    // The state change is delivered at once; the counters follow in the next (coalesced) snapshot.
    QTRY_VERIFY_WITH_TIMEOUT(manager.status(AccountId)->resumes >= 1, 5000);
}

void TestResumeRestart::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::AccountStatus>();
    qRegisterMetaType<gw::EventLogEntry>();
}

void TestResumeRestart::quitThenRestartResumesWithoutOp9()
{
    gw::GatewaySimulator sim(simOptions(0ms));
    const gw::SimBotPolicy p = gwtest::botPolicy(QStringLiteral("quit"));
    sim.addBot(Token, p);
    QVERIFY(sim.start());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto store = std::make_shared<gw::ResumeStateStore>(dir.filePath(QStringLiteral("resume.ini")));
    const QString key = gw::ResumeStateStore::keyFor(AccountId, 0);

    QString sessionId;
    {
        Run first(store);
        first.app->monitorSessionAccount(record(sim.apiBase()), Token);
        AccountManager &manager = *first.app->manager();
        QVERIFY2(gwtest::waitForState(manager, AccountId, ConnectionState::Ready, 20s),
                 qPrintable(gwtest::describeState(manager, AccountId)));
        sessionId = sim.connections().constLast().sessionId;
        // A burst inside the store's 1 s save throttle: only the quit itself saves its end.
        for (int i = 0; i < 5; ++i)
            sim.dispatch(p.name, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
        QTRY_COMPARE_WITH_TIMEOUT(manager.status(AccountId)->stats.lastSequence, sim.sessionSeq(sessionId), 5000);
        QVERIFY(first.quit());
    }
    QTRY_COMPARE_WITH_TIMEOUT(sim.openConnectionCount(), 0, 5000);
    // Closed with 4000, not 1000: the gateway keeps the session, with its sequence at the quit.
    QCOMPARE(sim.liveSessionCount(), 1);
    const auto saved = store->load(key);
    QVERIFY(saved);
    QCOMPARE(saved->sessionId, sessionId);
    QCOMPARE(saved->sequence, sim.sessionSeq(sessionId));
    // One event while Gatewatch is not running: the RESUME replays it.
    sim.dispatch(p.name, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));

    Run second(store);
    second.app->monitorSessionAccount(record(sim.apiBase()), Token);
    QVERIFY2(gwtest::waitForState(*second.app->manager(), AccountId, ConnectionState::Ready, 20s),
             qPrintable(gwtest::describeState(*second.app->manager(), AccountId)));
    QTRY_COMPARE_WITH_TIMEOUT(second.ofKind(gw::EventKind::Resumed).size(), 1, 5000);
    QVERIFY(second.ofKind(gw::EventKind::InvalidSession).isEmpty());   // no op 9 round trip
    QVERIFY(second.ofKind(gw::EventKind::Ready).isEmpty());
    QCOMPARE(gwtest::countOps(sim, p.name, 2), 1);                      // the first run's only
    QCOMPARE(gwtest::countOps(sim, p.name, 6), 1);
    // Nothing was lost, so nothing says so.
    const gw::EventLogEntry resumed = second.ofKind(gw::EventKind::Resumed).constFirst();
    QCOMPARE(resumed.fields.value(QLatin1String("replayed")).toInteger(), 1);
    QCOMPARE(resumed.fields.value(QLatin1String("lost")).toInteger(), 0);
    QCOMPARE(resumed.severity, gw::Severity::Info);
    QVERIFY2(resumed.message.contains(QLatin1String("none lost")), qPrintable(resumed.message));
    QVERIFY(second.quit());
}

void TestResumeRestart::endedSessionThenRestartIdentifiesWithoutOp6_data()
{
    QTest::addColumn<bool>("remove");
    QTest::newRow("pause") << false;
    QTest::newRow("remove") << true;
}

void TestResumeRestart::endedSessionThenRestartIdentifiesWithoutOp6()
{
    QFETCH(bool, remove);
    gw::GatewaySimulator sim(simOptions());
    const gw::SimBotPolicy p = gwtest::botPolicy(QStringLiteral("pause"));
    sim.addBot(Token, p);
    QVERIFY(sim.start());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto store = std::make_shared<gw::ResumeStateStore>(dir.filePath(QStringLiteral("resume.ini")));
    const QString key = gw::ResumeStateStore::keyFor(AccountId, 0);
    {
        Run first(store);
        first.app->monitorSessionAccount(record(sim.apiBase()), Token);
        QVERIFY2(gwtest::waitForState(*first.app->manager(), AccountId, ConnectionState::Ready, 20s),
                 qPrintable(gwtest::describeState(*first.app->manager(), AccountId)));
        QTRY_VERIFY_WITH_TIMEOUT(store->load(key).has_value(), 5000);
        if (remove) {
            QSignalSpy removed(first.app->manager(), &AccountManager::accountRemoved);
            first.app->removeAccount(AccountId, first.app.get(), [](std::optional<gw::VaultError>) {});
            QVERIFY(removed.wait(5000));
        } else {
            first.app->pause(AccountId);
            QTRY_VERIFY_WITH_TIMEOUT(first.app->manager()->status(AccountId)->paused, 5000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(sim.openConnectionCount(), 0, 5000);
        QVERIFY(first.quit());
    }
    // Closed with 1000: the session is over on both sides.
    QTRY_COMPARE_WITH_TIMEOUT(sim.liveSessionCount(), 0, 5000);
    QVERIFY(!store->load(key));

    Run second(store);
    second.app->monitorSessionAccount(record(sim.apiBase()), Token);
    QVERIFY2(gwtest::waitForState(*second.app->manager(), AccountId, ConnectionState::Ready, 20s),
             qPrintable(gwtest::describeState(*second.app->manager(), AccountId)));
    QTRY_COMPARE_WITH_TIMEOUT(second.ofKind(gw::EventKind::Ready).size(), 1, 5000);
    QCOMPARE(gwtest::countOps(sim, p.name, 6), 0);                      // no RESUME of a dead session
    QCOMPARE(gwtest::countOps(sim, p.name, 2), 2);
    QVERIFY(second.ofKind(gw::EventKind::InvalidSession).isEmpty());
    // A new session after a clean end is not a gap: no "events ... were not delivered".
    QVERIFY(!second.ofKind(gw::EventKind::Ready).constFirst().fields.contains(QLatin1String("gap_ms")));
    QVERIFY(second.quit());
}

void TestResumeRestart::deadResumeHostFallsBackToGatewayUrl_data()
{
    QTest::addColumn<gw::GatewaySimulator::ResumeHost>("host");
    QTest::newRow("refused") << gw::GatewaySimulator::ResumeHost::Refused;
    QTest::newRow("silent upgrade") << gw::GatewaySimulator::ResumeHost::Silent;
}

void TestResumeRestart::deadResumeHostFallsBackToGatewayUrl()
{
    QFETCH(gw::GatewaySimulator::ResumeHost, host);
    gw::GatewaySimulator::Options o = simOptions();
    o.resumeHost = host;
    gw::GatewaySimulator sim(o);
    const gw::SimBotPolicy p = gwtest::botPolicy(QStringLiteral("deadhost"));
    sim.addBot(Token, p);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));
    QVERIFY(sim.announcedResumeUrl() != sim.resumeUrl());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto store = std::make_shared<gw::ResumeStateStore>(dir.filePath(QStringLiteral("resume.ini")));
    const QString key = gw::ResumeStateStore::keyFor(AccountId, 0);
    const QUrl dead = sim.announcedResumeUrl();

    gw::GatewayTimings t = gwtest::testTimings(gwtest::margins::Session);
    t.handshakeTimeout = 500ms;   // the story: the silent host's upgrade times out (watchdog: 15 s)
    QSignalSpy simResumed(&sim, &gw::GatewaySimulator::sessionResumed);
    {
        AccountManager manager(t);
        manager.setResumeStateStore(store);
        QList<gw::EventLogEntry> events;
        QList<ConnectionState> states;
        connect(&manager, &AccountManager::eventLogged, this, [&events](const gw::EventLogEntry &e) { events.append(e); });
        connect(&manager, &AccountManager::statusChanged, this,
                [&states](const gw::AccountStatus &s) { states.append(s.state); });
        const auto count = [&events](gw::EventKind kind) {
            return std::count_if(events.cbegin(), events.cend(), [kind](const gw::EventLogEntry &e) { return e.kind == kind; });
        };
        manager.add(record(sim.apiBase()), Token);
        QVERIFY2(gwtest::waitForState(manager, AccountId, ConnectionState::Ready, 20s),
                 qPrintable(gwtest::describeState(manager, AccountId)));
        QTRY_VERIFY_WITH_TIMEOUT(store->load(key) && store->load(key)->resumeGatewayUrl == dead, 5000);
        events.clear();
        states.clear();

        // The connection drops; the announced resume host is dead.
        QVERIFY(sim.injectFault(p.name, gw::SimFault{gw::SimFault::Kind::DropTcp}));
        QVERIFY(simResumed.wait(10000));
        QVERIFY2(gwtest::waitForState(manager, AccountId, ConnectionState::Ready, 10s),
                 qPrintable(gwtest::describeState(manager, AccountId)));
        // Two attempts: the dead resume host, then the gateway URL, where the RESUME succeeded.
        QCOMPARE(count(gw::EventKind::ReconnectScheduled), 2);
        QVERIFY(!sim.connections().constLast().viaResumeUrl);
        QCOMPARE(gwtest::countOps(sim, p.name, 6), 1);
        QCOMPARE(gwtest::countOps(sim, p.name, 2), 1);                  // the session was kept
        QCOMPARE(count(gw::EventKind::WatchdogTimeout), 0);
        QVERIFY(!states.contains(ConnectionState::Failed));
        if (host == gw::GatewaySimulator::ResumeHost::Silent)
            QCOMPARE(sim.silentResumeConnections(), 1);
        // The failed attempt never refreshed the saved state; RESUMED saved it without the dead host.
        QTRY_VERIFY_WITH_TIMEOUT(store->load(key) && store->load(key)->resumeGatewayUrl != dead, 5000);

        QSignalSpy stopped(&manager, &AccountManager::allStopped);
        manager.stopAll();
        QVERIFY(stopped.wait(10000));
    }

    // A restart right after resumes on the gateway URL at once: no attempt at the dead host.
    AccountManager manager(t);
    manager.setResumeStateStore(store);
    QList<gw::EventLogEntry> events;
    connect(&manager, &AccountManager::eventLogged, this, [&events](const gw::EventLogEntry &e) { events.append(e); });
    manager.add(record(sim.apiBase()), Token);
    QVERIFY2(gwtest::waitForState(manager, AccountId, ConnectionState::Ready, 20s),
             qPrintable(gwtest::describeState(manager, AccountId)));
    QTRY_COMPARE_WITH_TIMEOUT(simResumed.size(), 2, 5000);
    QVERIFY(std::none_of(events.cbegin(), events.cend(), [](const gw::EventLogEntry &e) {
        return e.kind == gw::EventKind::ReconnectScheduled || e.kind == gw::EventKind::Close;
    }));
    QCOMPARE(gwtest::countOps(sim, p.name, 2), 1);
    if (host == gw::GatewaySimulator::ResumeHost::Silent)
        QCOMPARE(sim.silentResumeConnections(), 1);
}

int main(int argc, char **argv)
{
    if (argc == 4 && qstrcmp(argv[1], "--child") == 0) {
        QCoreApplication app(argc, argv);
        QStandardPaths::setTestModeEnabled(true);
        return runChild(QUrl(QString::fromLocal8Bit(argv[2])), QString::fromLocal8Bit(argv[3]));
    }
    QCoreApplication app(argc, argv);
    TestResumeRestart test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_resumerestart.moc"
