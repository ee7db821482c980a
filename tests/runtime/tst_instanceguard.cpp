// InstanceGuard: one process per event database (the desktop's profile guard). Two guards on one data directory in one test: the
// first holds the lock, the second is told who does and asks the first to show its window (the
// first's activationRequested fires). A stale lock left by a process that is gone is taken over
// with a message; another profile is independent; a peer that sends garbage is dropped.

#include "instanceguard.h"
#include "testenvironment.h"

#include <QFile>
#include <QLocalSocket>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace std::chrono_literals;
using gw::InstanceGuard;
using Outcome = gw::InstanceGuard::Outcome;

namespace {

//! activatePrimary() blocks (a second launch has nothing else to do); the primary answers on
//! this thread's event loop, so the second instance asks from a thread of its own.
bool activateFromAnotherThread(const InstanceGuard &second)
{
    std::atomic<int> answer{-1};
    QThread *thread = QThread::create([&second, &answer] { answer = second.activatePrimary(5s) ? 1 : 0; });
    thread->start();
    const bool finished = QTest::qWaitFor([&] { return answer.load() >= 0; }, 10000);
    thread->wait();
    delete thread;
    return finished && answer.load() == 1;
}

QString databaseIn(const QTemporaryDir &dir)
{
    return dir.filePath(QStringLiteral("events.sqlite"));
}

} // namespace

class tst_InstanceGuard final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
    }

    void secondInstanceRaisesTheFirst()
    {
        QTemporaryDir dir;
        InstanceGuard first(databaseIn(dir));
        const InstanceGuard::Result a = first.acquire();
        QCOMPARE(a.outcome, Outcome::Primary);
        QVERIFY(a.message.isEmpty());
        QVERIFY(first.isPrimary());
        QVERIFY(QFile::exists(first.lockFilePath()));

        InstanceGuard second(databaseIn(dir));
        QCOMPARE(second.serverName(), first.serverName());
        const InstanceGuard::Result b = second.acquire();
        QCOMPARE(b.outcome, Outcome::AlreadyRunning);
        QVERIFY(!second.isPrimary());
        QCOMPARE(b.ownerPid, QCoreApplication::applicationPid());
        QVERIFY2(b.message.contains(QString::number(QCoreApplication::applicationPid())), qPrintable(b.message));

        QSignalSpy activated(&first, &InstanceGuard::activationRequested);
        QVERIFY(activateFromAnotherThread(second));
        QTRY_COMPARE(activated.count(), 1);
        QVERIFY(activateFromAnotherThread(second));
        QTRY_COMPARE(activated.count(), 2);
    }

    void releasedLockIsTakenWithoutComplaint()
    {
        QTemporaryDir dir;
        {
            InstanceGuard first(databaseIn(dir));
            QCOMPARE(first.acquire().outcome, Outcome::Primary);
        }
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("events.sqlite.lock"))));
        InstanceGuard next(databaseIn(dir));
        const InstanceGuard::Result r = next.acquire();
        QCOMPARE(r.outcome, Outcome::Primary);
        QVERIFY(!r.removedStaleLock);
        QVERIFY(r.message.isEmpty());
    }

    void staleLockOfAGoneProcessIsReplacedWithAMessage()
    {
        QTemporaryDir dir;
        const QString lockPath = dir.filePath(QStringLiteral("events.sqlite.lock"));
        // A real lock file's contents, with the pid of a process that has exited.
        QProcess gone;
        gone.start(QStringLiteral("true"), {});
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        QByteArray contents;
        {
            QLockFile probe(lockPath);
            QVERIFY(probe.tryLock(0));
            QFile f(lockPath);
            QVERIFY(f.open(QIODevice::ReadOnly));
            contents = f.readAll();
            probe.unlock();
        }
        QList<QByteArray> lines = contents.split('\n');
        lines[0] = QByteArray::number(deadPid);
        {
            QFile f(lockPath);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(lines.join('\n'));
        }
        InstanceGuard guard(databaseIn(dir));
        const InstanceGuard::Result r = guard.acquire();
        QCOMPARE(r.outcome, Outcome::Primary);
        QVERIFY(r.removedStaleLock);
        QCOMPARE(r.ownerPid, deadPid);
        QVERIFY2(r.message.contains(QLatin1String("stale")) && r.message.contains(QString::number(deadPid))
                     && r.message.contains(lockPath),
                 qPrintable(r.message));
        QVERIFY(guard.isPrimary());
    }

    void profilesAreIndependent()
    {
        QTemporaryDir one;
        QTemporaryDir two;
        InstanceGuard a(databaseIn(one));
        InstanceGuard b(databaseIn(two));
        QVERIFY(a.serverName() != b.serverName());
        QCOMPARE(a.acquire().outcome, Outcome::Primary);
        QCOMPARE(b.acquire().outcome, Outcome::Primary);
    }

    //! Headless: the same lock without the activation socket; the second process is told which
    //! database and which PID. A desktop guard on the same database is excluded too.
    void databaseLockNamesTheDatabaseAndThePid()
    {
        QTemporaryDir dir;
        InstanceGuard desktop(databaseIn(dir));
        QCOMPARE(desktop.acquire().outcome, Outcome::Primary);
        InstanceGuard headless(databaseIn(dir));
        const InstanceGuard::Result r = headless.acquire(InstanceGuard::Activation::None);
        QCOMPARE(r.outcome, Outcome::AlreadyRunning);
        const QString expected = QStringLiteral("database %1 is in use by PID %2")
                                     .arg(databaseIn(dir)).arg(QCoreApplication::applicationPid());
        QVERIFY2(r.message.startsWith(expected), qPrintable(r.message));
        QCOMPARE(desktop.lockFilePath(), databaseIn(dir) + QStringLiteral(".lock"));
        QVERIFY(!QFile::exists(databaseIn(dir)));  // the guard never creates the database

        QTemporaryDir other;
        InstanceGuard alone(databaseIn(other));
        QCOMPARE(alone.acquire(InstanceGuard::Activation::None).outcome, Outcome::Primary);
        QLocalSocket peer;
        peer.connectToServer(alone.serverName());
        QVERIFY(!peer.waitForConnected(200));  // no activation socket without Activation::Listen
    }

    void garbageOnTheSocketIsDropped()
    {
        QTemporaryDir dir;
        InstanceGuard first(databaseIn(dir));
        QCOMPARE(first.acquire().outcome, Outcome::Primary);
        QSignalSpy activated(&first, &InstanceGuard::activationRequested);
        QLocalSocket peer;
        QSignalSpy gone(&peer, &QLocalSocket::disconnected);
        peer.connectToServer(first.serverName());
        QVERIFY(peer.waitForConnected(5000));
        peer.write(QByteArray(4096, 'x'));  // no newline, far over the request's bound
        QVERIFY(gone.wait(5000));
        QCOMPARE(activated.count(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_InstanceGuard)
#include "tst_instanceguard.moc"
