// Crash safety of the event store: a child process (this binary with --writer) writes events
// continuously and reports the last id of every committed batch on stdout; the parent kills it
// with SIGKILL mid-stream and reopens the store. Every reported row must be there, the file must
// pass PRAGMA integrity_check, and the interrupted monitor run must end at its last-alive time.

#include "eventlog.h"
#include "eventquery.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cstdio>
#include <cstring>

using namespace gw;
using namespace std::chrono_literals;

namespace {

// The child: append 25 events per event-loop turn, forever, until killed.
int runWriter(const QString &path)
{
    EventLogOptions options;
    options.commitRows = 200;
    options.commitInterval = 5ms;
    options.aliveInterval = 20ms;
    options.maintenanceInterval = 0ms;
    EventLog log(path, options);
    if (!log.open()) {
        std::fprintf(stderr, "writer: cannot open %s\n", qPrintable(path));
        return 2;
    }
    QObject::connect(&log, &EventLog::batchCommitted, &log, [](qint64 lastId, int rows) {
        std::printf("committed %lld %d\n", static_cast<long long>(lastId), rows);
        std::fflush(stdout);
    });
    EventLogEntry start;
    start.kind = EventKind::MonitorStarted;
    start.message = QStringLiteral("monitor started");
    log.append(start);

    QTimer pump;
    pump.setInterval(0ms);
    qint64 n = 0;
    pump.callOnTimeout(&log, [&log, &n] {
        for (int i = 0; i < 25; ++i, ++n) {
            EventLogEntry e;
            e.accountId = QStringLiteral("account-%1").arg(n % 4);
            e.accountName = QStringLiteral("bot %1").arg(n % 4);
            switch (n % 5) {
            case 0:
                e.kind = EventKind::State;
                e.fields = {{QStringLiteral("state"), n % 10 == 0 ? QStringLiteral("ready") : QStringLiteral("reconnecting")}};
                break;
            case 1:
                e.kind = EventKind::Close;
                e.fields = {{QStringLiteral("code"), 4000}, {QStringLiteral("meaning"), QStringLiteral("unknown error")}};
                break;
            case 2:
                e.kind = EventKind::Resumed;
                e.fields = {{QStringLiteral("replayed"), 3}};
                break;
            default:
                e.kind = EventKind::Hello;
                break;
            }
            e.message = QStringLiteral("event %1, with a message long enough to span pages: %2")
                            .arg(n)
                            .arg(QString(64, QLatin1Char('x')));
            log.append(e);
        }
    });
    pump.start();
    return QCoreApplication::exec();
}

} // namespace

class tst_EventLogCrash final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void sigkillKeepsCommittedRows_data();
    void sigkillKeepsCommittedRows();
};

void tst_EventLogCrash::sigkillKeepsCommittedRows_data()
{
    QTest::addColumn<int>("batchesBeforeKill");
    QTest::newRow("early") << 3;
    QTest::newRow("later") << 40;
}

void tst_EventLogCrash::sigkillKeepsCommittedRows()
{
    QFETCH(int, batchesBeforeKill);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("events.sqlite"));

    QProcess child;
    child.setProcessChannelMode(QProcess::SeparateChannels);
    qint64 reported = 0;
    int batches = 0;
    QByteArray pendingOutput;
    const auto consume = [&] {
        pendingOutput += child.readAllStandardOutput();
        qsizetype nl = 0;
        while ((nl = pendingOutput.indexOf('\n')) >= 0) {
            const QList<QByteArray> parts = pendingOutput.left(nl).split(' ');
            pendingOutput.remove(0, nl + 1);
            if (parts.size() == 3 && parts.at(0) == "committed") {
                const qint64 id = parts.at(1).toLongLong();
                QVERIFY(id > reported);   // batches are reported in order
                reported = id;
                ++batches;
            }
        }
    };
    connect(&child, &QProcess::readyReadStandardOutput, this, consume);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--writer"), path});
    QVERIFY2(child.waitForStarted(5000), qPrintable(child.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(batches >= batchesBeforeKill, 20000);

    child.kill();   // SIGKILL, mid-stream: the child never stops writing on its own
    QVERIFY(child.waitForFinished(5000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    consume();      // lines already written before the kill still count as committed
    QVERIFY(reported > 0);

    {
        const QString name = QStringLiteral("crash-check");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
            // Every reported id is there, and nothing is missing below it.
            QVERIFY(q.exec(QStringLiteral("SELECT count(*), coalesce(max(id), 0) FROM events WHERE id <= %1").arg(reported)));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toLongLong(), reported);
            QCOMPARE(q.value(1).toLongLong(), reported);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

    // The writer can reopen it: ids continue, and the killed run is closed as crashed.
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    EventLog log(path, options);
    QVERIFY(log.open());
    QVERIFY(log.lastCommittedId() >= reported);
    EventLogEntry e;
    e.kind = EventKind::UserAction;
    e.message = QStringLiteral("after the crash");
    QVERIFY(log.append(e) > reported);
    QVERIFY(log.flush());

    EventQuery query(path);
    QVERIFY(query.open());
    const auto runs = query.monitorRuns({}, {});
    QVERIFY(runs);
    QCOMPARE(runs->size(), 1);
    QVERIFY(runs->at(0).crashed);
    QCOMPARE(runs->at(0).stopped, runs->at(0).lastAlive);
}

int main(int argc, char **argv)
{
    if (argc == 3 && std::strcmp(argv[1], "--writer") == 0) {
        QCoreApplication app(argc, argv);
        return runWriter(QString::fromLocal8Bit(argv[2]));
    }
    QCoreApplication app(argc, argv);
    tst_EventLogCrash test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_eventlog_crash.moc"
