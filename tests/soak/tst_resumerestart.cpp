// Restart within the resume window RESUMEs. A child process (this binary with
// --child) runs an AccountManager with a ResumeStateStore against the parent's simulator; once
// READY and a few dispatches have been saved, the parent kills it with SIGKILL (no close frame,
// no 1000: the session stays resumable, as after a crash or power loss). A new manager with the
// same store file must then send op 6 (not op 2) and get RESUMED; the file never holds the token.
#include "accountmanager.h"
#include "accountsfixture.h"
#include "gatewaysimulator.h"
#include "resumestatestore.h"
#include "simfixture.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

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
    void storeRoundTrip();
    void restartAfterKillResumes();
};

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
