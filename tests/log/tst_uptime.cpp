// Uptime from the event store: scripted up / down / not-running intervals give exact figures.
// "No data" (Gatewatch not running, or the account paused) is neither up nor down.
//
// Timeline in minutes from T0 (A and B are accounts; the monitor runs twice):
//   run 1: monitor_started 0 … monitor_stopped 60
//     A: connecting 0 (down), ready 10 (up), close+reconnecting 40 (down), ready 50 (up)
//     B: ready 0 (up), stopped 20 (paused: no data), ready 30 (up)
//   60–90: Gatewatch not running
//   run 2: monitor_started 90, then killed: the last commit (its last-alive time) is at 120
//     A: connecting 90 (down), ready 95 (up); close 100, resumed 101 (state stays ready)
//     B: nothing (no data)
//   reopened at 200: the run is closed as crashed at 120.

#include "eventlog.h"
#include "eventquery.h"

#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 3, 1), QTime(0, 0), Qt::UTC);
constexpr qint64 k_min = 60'000;

QDateTime at(int minute)
{
    return k_t0.addSecs(qint64(minute) * 60);
}

EventLogEntry makeEvent(int minute, const QString &account, EventKind kind, QJsonObject fields = {})
{
    EventLogEntry e;
    e.at = at(minute);
    e.accountId = account;
    e.accountName = account;
    e.kind = kind;
    e.message = eventKindName(kind);
    e.fields = std::move(fields);
    return e;
}

EventLogEntry state(int minute, const QString &account, const QString &name)
{
    return makeEvent(minute, account, EventKind::State, {{QStringLiteral("state"), name}});
}

const QString A = QStringLiteral("A");
const QString B = QStringLiteral("B");

} // namespace

class tst_Uptime final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void uptime_data();
    void uptime();
    void downtimeSummary();
    void monitorRuns();
    void liveRunCountsUpToNow();
    void noMonitorRunIsNoData();
    void accountMonitorStopDoesNotEndTheRun();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void tst_Uptime::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("uptime.sqlite"));

    QDateTime clock = at(0);
    EventLogOptions options;
    options.commitRows = 1'000'000;
    options.commitInterval = 3'600'000ms;
    options.maintenanceInterval = 0ms;
    options.aliveInterval = 60'000ms;
    options.retentionDays = 0;
    options.clock = [&clock] { return clock; };
    {
        EventLog log(m_path, options);
        QVERIFY(log.open());
        log.append(makeEvent(0, {}, EventKind::MonitorStarted));
        log.append(state(0, A, QStringLiteral("connecting")));
        log.append(state(0, B, QStringLiteral("ready")));
        log.append(state(10, A, QStringLiteral("ready")));
        log.append(state(20, B, QStringLiteral("stopped")));
        log.append(state(30, B, QStringLiteral("ready")));
        log.append(makeEvent(40, A, EventKind::Close, {{QStringLiteral("code"), 4000}}));
        log.append(state(40, A, QStringLiteral("reconnecting")));
        log.append(state(45, A, QStringLiteral("identifying")));   // still down: the span goes on
        log.append(makeEvent(50, A, EventKind::Ready));
        log.append(state(50, A, QStringLiteral("ready")));
        log.append(state(55, A, QStringLiteral("degraded")));      // degraded is up
        log.append(makeEvent(60, {}, EventKind::MonitorStopped));
        clock = at(60);
        QVERIFY(log.flush());

        clock = at(90);
        log.append(makeEvent(90, {}, EventKind::MonitorStarted));
        log.append(state(90, A, QStringLiteral("connecting")));
        log.append(state(95, A, QStringLiteral("ready")));
        log.append(makeEvent(100, A, EventKind::Close, {{QStringLiteral("code"), 1006}}));
        log.append(makeEvent(101, A, EventKind::Resumed, {{QStringLiteral("replayed"), 2}}));
        clock = at(120);
        QVERIFY(log.flush());
        // No monitor_stopped: as if the process died here. (The destructor's commit has nothing
        // to write but refreshes last-alive to the clock, which stays at 120.)
    }
    clock = at(200);
    EventLog reopened(m_path, options);
    QVERIFY(reopened.open());   // closes run 2 at its last-alive time, 120
}

void tst_Uptime::uptime_data()
{
    QTest::addColumn<QString>("account");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::addColumn<qint64>("upMin");
    QTest::addColumn<qint64>("downMin");
    QTest::addColumn<qint64>("noDataMin");

    // A: up 10–40, 50–60, 95–120; down 0–10, 40–50, 90–95; no data 60–90 and after 120.
    QTest::newRow("A whole day") << A << 0 << 1440 << qint64(65) << qint64(25) << qint64(1440 - 90);
    QTest::newRow("A run 1") << A << 0 << 60 << qint64(40) << qint64(20) << qint64(0);
    QTest::newRow("A across the gap") << A << 30 << 100 << qint64(25) << qint64(15) << qint64(30);
    QTest::newRow("A not running") << A << 60 << 90 << qint64(0) << qint64(0) << qint64(30);
    QTest::newRow("A after the crash") << A << 120 << 200 << qint64(0) << qint64(0) << qint64(80);
    QTest::newRow("A before T0") << A << -60 << 10 << qint64(0) << qint64(10) << qint64(60);
    // B: up 0–20, 30–60; paused 20–30 is no data; nothing in run 2.
    QTest::newRow("B whole day") << B << 0 << 1440 << qint64(50) << qint64(0) << qint64(1440 - 50);
    QTest::newRow("B paused only") << B << 20 << 30 << qint64(0) << qint64(0) << qint64(10);
}

void tst_Uptime::uptime()
{
    QFETCH(QString, account);
    QFETCH(int, from);
    QFETCH(int, to);
    QFETCH(qint64, upMin);
    QFETCH(qint64, downMin);
    QFETCH(qint64, noDataMin);

    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto report = query.uptime(account, at(from), at(to), at(1440));
    QVERIFY(report);
    QCOMPARE(report->upMs, upMin * k_min);
    QCOMPARE(report->downMs, downMin * k_min);
    QCOMPARE(report->monitoredMs, (upMin + downMin) * k_min);
    QCOMPARE(report->noDataMs, noDataMin * k_min);
    QCOMPARE(report->upMs + report->downMs + report->noDataMs, qint64(to - from) * k_min);
    if (upMin + downMin == 0) {
        QVERIFY(!report->percent);   // no data is not 100 %
    } else {
        QVERIFY(report->percent);
        QCOMPARE(*report->percent, 100.0 * double(upMin) / double(upMin + downMin));
    }
}

void tst_Uptime::downtimeSummary()
{
    EventQuery query(m_path);
    QVERIFY(query.open());
    // A: close 40 → ready 50 (identify, 10 min); close 100 → resumed 101 (resume, 1 min).
    const auto all = query.downtimeSummary(A, at(0), at(1440), at(1440));
    QVERIFY(all);
    QCOMPARE(all->disconnects, 2);
    QCOMPARE(all->recoveredByIdentify, 1);
    QCOMPARE(all->recoveredByResume, 1);
    QCOMPARE(all->unrecovered, 0);
    QCOMPARE(all->totalDowntimeMs, 11 * k_min);
    QCOMPARE(all->longestMs, 10 * k_min);

    // A period starting mid-disconnect counts its share of downtime, not the disconnect.
    const auto partial = query.downtimeSummary(A, at(45), at(100), at(1440));
    QCOMPARE(partial->disconnects, 0);
    QCOMPARE(partial->totalDowntimeMs, 5 * k_min);

    const auto everyone = query.downtimeSummary({}, at(0), at(1440), at(1440));
    QCOMPARE(everyone->disconnects, 2);
    QCOMPARE(query.downtimeSummary(B, at(0), at(1440), at(1440))->disconnects, 0);
}

void tst_Uptime::monitorRuns()
{
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto runs = query.monitorRuns(at(0), at(1440));
    QVERIFY(runs);
    QCOMPARE(runs->size(), 2);
    QCOMPARE(runs->at(0).start, at(0));
    QCOMPARE(runs->at(0).stopped, at(60));
    QVERIFY(!runs->at(0).crashed);
    QCOMPARE(runs->at(1).start, at(90));
    QCOMPARE(runs->at(1).lastAlive, at(120));
    QCOMPARE(runs->at(1).stopped, at(120));
    QVERIFY(runs->at(1).crashed);
}

void tst_Uptime::liveRunCountsUpToNow()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.sqlite"));
    QDateTime clock = at(0);
    EventLogOptions options;
    options.commitInterval = 3'600'000ms;
    options.maintenanceInterval = 0ms;
    options.aliveInterval = 60'000ms;
    options.clock = [&clock] { return clock; };
    EventLog log(path, options);
    QVERIFY(log.open());
    log.append(makeEvent(0, {}, EventKind::MonitorStarted));
    log.append(state(0, A, QStringLiteral("ready")));
    clock = at(10);
    QVERIFY(log.flush());   // last alive: 10

    EventQuery query(path);
    QVERIFY(query.open());
    // Alive within two alive intervals: the run (and A's open "up" span) reaches now.
    auto report = query.uptime(A, at(0), at(60), at(11));
    QCOMPARE(report->upMs, 11 * k_min);
    QCOMPARE(report->noDataMs, 49 * k_min);
    QCOMPARE(*report->percent, 100.0);
    // Not refreshed for longer than that: the writer is presumed dead since its last-alive time.
    report = query.uptime(A, at(0), at(60), at(30));
    QCOMPARE(report->upMs, 10 * k_min);
}

void tst_Uptime::noMonitorRunIsNoData()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("norun.sqlite"));
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    EventLog log(path, options);
    QVERIFY(log.open());
    log.append(state(0, A, QStringLiteral("ready")));
    QVERIFY(log.flush());
    EventQuery query(path);
    QVERIFY(query.open());
    const auto report = query.uptime(A, at(0), at(60), at(60));
    QCOMPARE(report->upMs, 0);
    QCOMPARE(report->noDataMs, 60 * k_min);
    QVERIFY(!report->percent);
}

// A supervisor logs monitor_started/monitor_stopped for its own account (e.g. when it fails);
// that must not end the monitor's run for every other account.
void tst_Uptime::accountMonitorStopDoesNotEndTheRun()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("accountstop.sqlite"));
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    EventLog log(path, options);
    QVERIFY(log.open());
    log.append(makeEvent(0, {}, EventKind::MonitorStarted));
    log.append(makeEvent(0, A, EventKind::MonitorStarted));
    log.append(makeEvent(0, B, EventKind::MonitorStarted));
    log.append(state(0, A, QStringLiteral("ready")));
    log.append(state(0, B, QStringLiteral("ready")));
    log.append(state(10, B, QStringLiteral("failed")));
    log.append(makeEvent(10, B, EventKind::MonitorStopped));
    log.append(makeEvent(60, {}, EventKind::MonitorStopped));
    QVERIFY(log.flush());

    EventQuery query(path);
    QVERIFY(query.open());
    const auto a = query.uptime(A, at(0), at(60), at(60));
    QCOMPARE(a->upMs, 60 * k_min);
    QCOMPARE(*a->percent, 100.0);
    const auto b = query.uptime(B, at(0), at(60), at(60));
    QCOMPARE(b->upMs, 10 * k_min);
    QCOMPARE(b->downMs, 50 * k_min);
    const auto runs = query.monitorRuns(at(0), at(60));
    QVERIFY(runs);
    QCOMPARE(runs->size(), 1);
}

QTEST_GUILESS_MAIN(tst_Uptime)
#include "tst_uptime.moc"
