// bench_storeui: the event store as the desktop user feels it, on a 1,000,000-row database.
// The GUI thread runs a 1 ms precise QTimer (the probe); a stall is how much later than 1 ms
// after the previous tick a tick ran. While the probe runs, the store does its heavy things,
// one phase at a time, and each phase reports p99/max of the stall:
//   open     EventLog::open() on the store thread, called as app/main.cpp calls it (blocking
//            queued), then the event-log view's source and model as MainWindow sets them up;
//   burst    100,000 appends queued from a producer thread, until committed;
//   filter   the event log's filters through EventLogModel::setFilter (text, kind, account),
//            each timed to the first page shown (rows in the model, view repainted) and to the
//            full count (EventLogModel::loaded);
//   export   a JSON Lines export of everything on a thread of its own, as ExportDialog runs it;
//   retry    commits fail (PRAGMA max_page_count: SQLITE_FULL) while rows arrive, then succeed;
//   idle     (reported first) the probe while the store does nothing: the machine's own noise.
//
//   QT_QPA_PLATFORM=offscreen bench_storeui [--rows 1000000] [--dir PATH] [--repeat 5] [--check-before-open]
//
// --check-before-open opens the store without EventLogOptions::checkAfterOpen (the app sets it).
//
// With --dir the database is kept there and reused by the next run (filled only when missing).
// Results: docs/performance.md, "Event store".
#include "benchsupport.h"
#include "eventdock.h"
#include "eventlog.h"
#include "eventlogmodel.h"
#include "eventstoresource.h"
#include "eventstream.h"
#include "exporter.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTableView>
#include <QTemporaryDir>
#include <QThread>

#include <sqlite3.h>

#include <map>

using namespace gw;
using namespace gwbench;
using namespace std::chrono_literals;

namespace {

//! The 1 ms probe on the GUI thread; its lateness samples go to the current phase.
class StallProbe
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1ms);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_samples[m_phase].push_back(std::max(0.0, double(now - m_previous) / 1e6 - 1.0));
            m_previous = now;
        });
        m_clock.start();
        m_previous = m_clock.nsecsElapsed();
        m_timer.start();
    }
    void phase(const std::string &name) { m_phase = name; }
    void report(const std::string &name)
    {
        const Summary s = summarise(m_samples[name]);
        std::printf("GUI stall during %-7s p50 %.2f ms, p99 %.2f ms, max %.1f ms (%zu ticks)\n", name.c_str(), s.p50,
                    s.p99, s.max, s.n);
        result(("store_stall_" + name + "_p99_ms").c_str(), s.p99, "ms");
        result(("store_stall_" + name + "_max_ms").c_str(), s.max, "ms");
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_previous = 0;
    std::string m_phase = "idle";
    std::map<std::string, std::vector<double>> m_samples;
};

template<typename F>
void onStore(EventLog *log, F &&f)
{
    QMetaObject::invokeMethod(log, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

// Queues `n` appends to `log` from a thread of their own (as the account workers do) and
// returns that thread, started.
std::unique_ptr<QThread> appendFromThread(EventLog *log, const std::vector<EventLogEntry> &stream, int n)
{
    std::unique_ptr<QThread> producer(QThread::create([log, &stream, n] {
        for (int i = 0; i < n; ++i)
            QMetaObject::invokeMethod(log, "append", Qt::QueuedConnection,
                                      Q_ARG(gw::EventLogEntry, stream[std::size_t(i) % stream.size()]));
    }));
    producer->start();
    return producer;
}

// A database of `rows` events ending now (the app's 90-day retention keeps them all).
bool ensureDatabase(const QString &path, qint64 rows)
{
    if (QFile::exists(path))
        return true;
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    EventLog log(path, options);
    if (!log.open())
        return false;
    QElapsedTimer t;
    t.start();
    const qint64 n = fillLog(log, rows, QDateTime::currentMSecsSinceEpoch() - rows * 7 - 60'000);
    std::printf("filled %s with %lld events in %.1f s\n", qPrintable(path), static_cast<long long>(n), t.elapsed() / 1e3);
    return n == rows;
}

struct FilterCase
{
    const char *label;
    EventFilter filter;
};

QList<FilterCase> filterCases()
{
    const QString bot7 = lifecycleStream(100).at(7).accountId;
    EventFilter common, rare, none, ready, account, accountText, errors;
    common.text = QStringLiteral("replayed");
    rare.text = QStringLiteral("identify sent (shard 0/1)");
    none.text = QStringLiteral("no-such-text");
    ready.kinds = {EventKind::Ready};
    account.accountIds = {bot7};
    accountText.accountIds = {bot7};
    accountText.text = QStringLiteral("4000");
    errors.severities = {Severity::Error};
    return {{"text common", common}, {"text rare", rare},       {"text none", none},
            {"kind ready", ready},   {"account", account},     {"account+text", accountText},
            {"severity error", errors}};
}

// Applies each filter `repeat` times (with the unfiltered view in between) and prints the time
// to the first page shown and to the count; returns the first-page times of all cases.
std::vector<double> runFilters(EventLogModel &model, QTableView &view, int repeat)
{
    std::vector<double> firstPages;
    for (const FilterCase &c : filterCases()) {
        std::vector<double> first, full;
        for (int i = 0; i < repeat; ++i) {
            model.setFilter({});
            waitUntil([&] { return !model.isLoading(); }, 60s, 1ms);
            QElapsedTimer t;
            t.start();
            model.setFilter(c.filter);
            waitUntil([&] { return model.rowCount() > 0 || !model.isLoading(); }, 60s, 1ms);
            view.viewport()->repaint();
            first.push_back(double(t.nsecsElapsed()) / 1e6);
            waitUntil([&] { return !model.isLoading(); }, 60s, 1ms);
            full.push_back(double(t.nsecsElapsed()) / 1e6);
        }
        const Summary f = summarise(first), n = summarise(full);
        std::printf("filter %-15s first page p50 %7.2f ms max %7.2f | count p50 %7.1f ms max %7.1f | %lld rows\n",
                    c.label, f.p50, f.max, n.p50, n.max, static_cast<long long>(model.rowCount()));
        firstPages.insert(firstPages.end(), first.begin(), first.end());
    }
    model.setFilter({});
    return firstPages;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    qRegisterMetaType<gw::EventLogEntry>();
    qint64 rows = 1'000'000;
    int repeat = 5;
    QString dir;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--rows"))
            rows = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--dir"))
            dir = args[++i];
        else if (args[i] == QLatin1String("--repeat"))
            repeat = std::max(1, args[++i].toInt());
    }
    QTemporaryDir tmp;
    if (dir.isEmpty())
        dir = tmp.path();
    // Every run starts from the same file: a copy of the seed (the run adds rows to it).
    const QString seed = dir + QStringLiteral("/storeui-seed-%1.sqlite").arg(rows);
    const QString path = dir + QStringLiteral("/storeui-run.sqlite");
    if (!ensureDatabase(seed, rows))
        return 1;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(path + suffix);
    if (!QFile::copy(seed, path))
        return 1;

    EventLogModel model;   // the event dock and its model, as MainWindow sets them up
    QAction exportAction, copyAction;
    EventDock dock(&model, &exportAction, &copyAction);
    dock.resize(1200, 600);
    dock.show();
    QTableView &view = *dock.findChild<QTableView *>(QStringLiteral("eventView"));
    // How long the GUI thread spends in the view's handling of one row insertion (the count
    // arriving adds up to a million rows at once): the largest one is printed.
    QElapsedTimer insertion;
    double maxInsertionMs = 0;
    QObject::connect(&model, &EventLogModel::rowsAboutToBeInserted, &app, [&insertion] { insertion.start(); });
    QObject::connect(&model, &EventLogModel::rowsInserted, &app, [&insertion, &maxInsertionMs] {
        maxInsertionMs = std::max(maxInsertionMs, double(insertion.nsecsElapsed()) / 1e6);
    });
    StallProbe probe;
    waitUntil([] { return false; }, 300ms);

    // --- open: as app/main.cpp, then as MainWindow ------------------------------------------
    QThread storeThread;
    storeThread.start();
    sqlite3 *writer = nullptr;
    EventLogOptions options;
    options.retryInterval = 50ms;
    options.checkAfterOpen = !args.contains(QStringLiteral("--check-before-open"));   // as app/main.cpp
    options.configureConnection = [&writer](sqlite3 *h) { writer = h; };
    auto *log = new EventLog(path, options);
    log->moveToThread(&storeThread);
    probe.phase("open");
    QElapsedTimer t;
    t.start();
    bool opened = false;
    onStore(log, [log, &opened] { opened = log->open().hasValue(); });
    const double openMs = double(t.nsecsElapsed()) / 1e6;
    EventStoreSource source(path);
    source.open();
    model.setSource(&source);
    waitUntil([&] { return model.rowCount() > 0; }, 60s, 1ms);
    view.viewport()->repaint();
    const double firstRowsMs = double(t.nsecsElapsed()) / 1e6;
    waitUntil([&] { return !model.isLoading(); }, 60s, 1ms);
    const double countedMs = double(t.nsecsElapsed()) / 1e6;
    waitUntil([] { return false; }, 2s);   // what open() left running on the store thread
    if (!opened)
        return 1;
    std::printf("open: EventLog::open %.1f ms, first rows shown %.1f ms, count %.1f ms (%d rows)\n", openMs, firstRowsMs,
                countedMs, model.rowCount());
    result("store_open_blocking_ms", openMs, "ms");
    result("store_open_first_rows_ms", firstRowsMs, "ms");

    // --- burst: 100,000 rows queued from another thread --------------------------------------
    probe.phase("burst");
    const std::vector<EventLogEntry> stream = lifecycleStream(100);
    qint64 committed = 0;
    QObject::connect(log, &EventLog::batchCommitted, &app, [&committed](qint64, int n) { committed += n; });
    t.restart();
    const auto producer = appendFromThread(log, stream, 100'000);
    waitUntil([&] { return committed >= 100'000 && producer->isFinished(); }, 120s, 5ms);
    std::printf("burst: 100,000 rows committed in %.1f ms\n", double(t.nsecsElapsed()) / 1e6);

    // --- filter ---------------------------------------------------------------------------------
    probe.phase("filter");
    model.refresh();
    const Summary filters = summarise(runFilters(model, view, repeat));
    std::printf("filters, first page shown: p50 %.2f ms, p95 %.2f ms, max %.2f ms; pages read so far: %d\n", filters.p50,
                filters.p95, filters.max, model.pagesFetched());
    result("store_filter_first_page_p95_ms", filters.p95, "ms");
    result("store_filter_first_page_max_ms", filters.max, "ms");

    // --- export ---------------------------------------------------------------------------------
    probe.phase("export");
    QFile out(dir + QStringLiteral("/storeui-export.jsonl"));
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 1;
    qint64 exported = -1;
    std::unique_ptr<QThread> exportThread(QThread::create([&] {
        Exporter exporter(path);
        const auto r = exporter.exportTo(&out, ExportOptions{});
        exported = r ? r.value() : -1;
    }));
    t.restart();
    exportThread->start();
    waitUntil([&] { return exportThread->isFinished(); }, 300s, 5ms);
    out.close();
    QFile::remove(out.fileName());
    std::printf("export: %lld rows in %.1f ms\n", static_cast<long long>(exported), double(t.nsecsElapsed()) / 1e6);

    // --- retry: commits fail for a while, then the held rows go in one commit ----------------------
    probe.phase("retry");
    int failures = 0, recovered = 0;
    QObject::connect(log, &EventLog::writeFailed, &app, [&failures] { ++failures; });
    QObject::connect(log, &EventLog::writeRecovered, &app, [&recovered] { ++recovered; });
    // Queued, not blocking: the GUI thread must not wait for the store thread here either.
    const auto setMaxPages = [log, &writer](const char *sql) {
        QMetaObject::invokeMethod(log, [&writer, sql] { sqlite3_exec(writer, sql, nullptr, nullptr, nullptr); },
                                  Qt::QueuedConnection);
    };
    setMaxPages("PRAGMA max_page_count = 1");
    const auto retryProducer = appendFromThread(log, stream, 20'000);
    waitUntil([&] { return failures >= 3 && retryProducer->isFinished(); }, 60s, 5ms);
    setMaxPages("PRAGMA max_page_count = 2147483646");
    waitUntil([&] { return recovered > 0; }, 60s, 5ms);
    std::printf("retry: %d failed commits, then recovered: %s\n", failures, recovered ? "yes" : "NO");
    probe.phase("idle");
    waitUntil([] { return false; }, 1s);

    std::printf("\nlargest row insertion handled by the view: %.1f ms\n", maxInsertionMs);
    // "idle": the same probe while the store does nothing (before open and after the retry):
    // what the machine's scheduler alone costs.
    for (const char *phase : {"idle", "open", "burst", "filter", "export", "retry"})
        probe.report(phase);
    model.setSource(nullptr);
    QMetaObject::invokeMethod(log, [log] { delete log; }, Qt::BlockingQueuedConnection);
    storeThread.quit();
    storeThread.wait();
    return recovered > 0 ? 0 : 1;
}
