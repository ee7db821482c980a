// bench_eventlog: batched insert rate and JSON Lines / CSV export rate for
// 1,000,000 events, peak RSS around each phase (bounded memory), and the page-fetch latency the
// event-log view sees on a log of that size. Prints its figures; not a CTest test.
//
//   bench_eventlog [--rows N] [--batch ROWS] [--dir PATH] [--plain]
//
// Results and the machine they were measured on: docs/performance.md, "Event store".

#include "eventlog.h"
#include "eventstream.h"
#include "eventquery.h"
#include "exporter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QThread>

#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace gw;
using namespace std::chrono_literals;

namespace {

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// kB from /proc/self/status ("VmHWM" = peak RSS, "VmRSS" = current).
qint64 procStatusKb(const char *key)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

QString cpuModel()
{
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    }
    return QStringLiteral("unknown");
}

struct Timing
{
    double wall = 0;
    double cpu = 0;
};

template<typename F>
Timing timed(F &&f)
{
    QElapsedTimer wall;
    const double cpu0 = cpuSeconds();
    wall.start();
    f();
    return {double(wall.nsecsElapsed()) / 1e9, cpuSeconds() - cpu0};
}

double msOf(const std::function<void()> &f, int repeat = 5)
{
    // Median of `repeat` runs, in ms.
    std::vector<double> runs;
    for (int i = 0; i < repeat; ++i)
        runs.push_back(timed(f).wall * 1000.0);
    std::sort(runs.begin(), runs.end());
    return runs[runs.size() / 2];
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Event store benchmark: insert, export, paging"));
    parser.addHelpOption();
    const QCommandLineOption rowsOption(QStringLiteral("rows"), QStringLiteral("Events to insert."), QStringLiteral("N"),
                                        QStringLiteral("1000000"));
    const QCommandLineOption batchOption(QStringLiteral("batch"), QStringLiteral("Rows per commit (EventLogOptions::commitRows; the default is the app's)."),
                                         QStringLiteral("ROWS"), QStringLiteral("5000"));
    const QCommandLineOption dirOption(QStringLiteral("dir"), QStringLiteral("Directory for the database (default: a temporary one)."),
                                       QStringLiteral("PATH"));
    const QCommandLineOption plainOption(QStringLiteral("plain"),
                                         QStringLiteral("Store every event as kind hello: no derived history (disconnects, uptime spans) to maintain."));
    parser.addOptions({rowsOption, batchOption, dirOption, plainOption});
    parser.process(app);
    const qint64 rows = parser.value(rowsOption).toLongLong();
    const int batch = parser.value(batchOption).toInt();
    const bool plain = parser.isSet(plainOption);

    QTemporaryDir tmp;
    const QString dir = parser.isSet(dirOption) ? parser.value(dirOption) : tmp.path();
    const QString dbPath = dir + QStringLiteral("/bench-events.sqlite");
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
        QFile::remove(dbPath + suffix);

    std::printf("bench_eventlog: %lld rows, %d rows per commit, %s\n", static_cast<long long>(rows), batch,
                plain ? "plain rows (--plain: no derived history)" : "lifecycle stream (derived history maintained)");
    std::printf("machine: %d logical CPUs (QThread::idealThreadCount), %s; %s; Qt %s; SQLite %s\n",
                QThread::idealThreadCount(), qPrintable(cpuModel()), qPrintable(QSysInfo::prettyProductName()),
                qVersion(), sqlite3_libversion());
    std::printf("database: %s\n\n", qPrintable(dbPath));

    const std::vector<EventLogEntry> stream = gwbench::lifecycleStream(100);
    const qint64 rssStart = procStatusKb("VmRSS");
    const qint64 hwmStart = procStatusKb("VmHWM");

    // --- insert ---------------------------------------------------------------------------
    EventLogOptions options;
    options.commitRows = batch;
    options.commitInterval = 250ms;
    options.maintenanceInterval = 0ms;
    options.retentionDays = 0;
    const qint64 base = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
    qint64 committed = 0;
    Timing insert;
    {
        EventLog log(dbPath, options);
        if (!log.open()) {
            std::fprintf(stderr, "cannot open %s\n", qPrintable(dbPath));
            return 1;
        }
        QObject::connect(&log, &EventLog::batchCommitted, &log, [&committed](qint64, int n) { committed += n; });
        insert = timed([&] {
            for (qint64 i = 0; i < rows; ++i) {
                EventLogEntry e = stream[size_t(i) % stream.size()];
                if (plain)
                    e.kind = EventKind::Hello;   // same rows, no derived history
                e.at = QDateTime::fromMSecsSinceEpoch(base + i * 7, Qt::UTC);
                log.append(e);
            }
            (void)log.flush();
        });
    }
    const qint64 hwmAfterInsert = procStatusKb("VmHWM");
    const qint64 rssAfterInsert = procStatusKb("VmRSS");
    const qint64 dbBytes = QFileInfo(dbPath).size() + QFileInfo(dbPath + QStringLiteral("-wal")).size();
    std::printf("insert:  %lld rows committed in %.2f s wall, %.2f s CPU -> %.0f rows/s wall, %.0f rows/s per CPU-second\n",
                static_cast<long long>(committed), insert.wall, insert.cpu, double(committed) / insert.wall,
                double(committed) / insert.cpu);
    std::printf("         database %.1f MiB; RSS %lld -> %lld kB, peak (VmHWM) %lld -> %lld kB\n",
                double(dbBytes) / 1048576.0, static_cast<long long>(rssStart), static_cast<long long>(rssAfterInsert),
                static_cast<long long>(hwmStart), static_cast<long long>(hwmAfterInsert));

    // --- export ---------------------------------------------------------------------------
    const auto runExport = [&](ExportOptions::Format format, const QString &file, const char *label) {
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return;
        Exporter exporter(dbPath);
        ExportOptions exportOptions;
        exportOptions.format = format;
        qint64 written = 0;
        const Timing t = timed([&] {
            const auto result = exporter.exportTo(&out, exportOptions);
            written = result ? result.value() : -1;
            out.flush();
        });
        const qint64 hwm = procStatusKb("VmHWM");
        std::printf("%s %lld rows, %.1f MiB in %.2f s wall, %.2f s CPU -> %.0f rows/s wall, %.0f rows/s per CPU-second; "
                    "peak RSS (VmHWM) now %lld kB\n",
                    label, static_cast<long long>(written), double(out.size()) / 1048576.0, t.wall, t.cpu,
                    double(written) / t.wall, double(written) / t.cpu, static_cast<long long>(hwm));
        out.close();
        QFile::remove(file);
    };
    runExport(ExportOptions::Format::JsonLines, dir + QStringLiteral("/bench-export.jsonl"), "export JSON Lines:");
    runExport(ExportOptions::Format::Csv, dir + QStringLiteral("/bench-export.csv"), "export CSV:       ");
    const qint64 hwmAfterExport = procStatusKb("VmHWM");
    std::printf("         peak RSS grew by %lld kB during the exports (bounded: independent of the row count)\n",
                static_cast<long long>(hwmAfterExport - hwmAfterInsert));

    // --- the event-log view on a log of this size ----------------------------------------------
    EventQuery query(dbPath);
    if (!query.open())
        return 1;
    qint64 total = 0;
    const double countMs = msOf([&] { total = query.count({}).value(); });
    const double firstPageMs = msOf([&] { (void)query.page({}, 0, 100); });
    const auto middle = query.page({}, total / 2, 1);
    const double keysetMs = msOf([&] { (void)query.pageBefore({}, EventCursor::of(middle->first()), 100); });
    const double deepOffsetMs = msOf([&] { (void)query.page({}, total / 2, 100); }, 3);
    EventFilter oneAccount;
    oneAccount.accountIds = {stream.front().accountId};
    const double accountPageMs = msOf([&] { (void)query.page(oneAccount, 0, 100); });
    const double accountKeysetMs = msOf([&] { (void)query.pageBefore(oneAccount, EventCursor::of(middle->first()), 100); });
    EventFilter kind;
    kind.kinds = {EventKind::Ready};
    const double kindPageMs = msOf([&] { (void)query.page(kind, 0, 100); });
    EventFilter text;
    text.text = QStringLiteral("replayed");
    const double textCountMs = msOf([&] { (void)query.count(text); }, 3);
    const double textPageMs = msOf([&] { (void)query.page(text, 0, 256); }, 3);
    EventFilter noMatch;
    noMatch.text = QStringLiteral("no-such-text");
    const double noMatchPageMs = msOf([&] { (void)query.page(noMatch, 0, 256); }, 3);
    std::printf("\nqueries on %lld rows (median ms): count %.1f | first page of 100 %.2f | keyset page at the middle %.2f | "
                "offset page at the middle %.1f | one account first page %.2f, keyset middle %.2f | kind=ready page %.2f | "
                "text search count %.1f, first page of 256 %.2f, no match %.1f\n",
                static_cast<long long>(total), countMs, firstPageMs, keysetMs, deepOffsetMs, accountPageMs, accountKeysetMs,
                kindPageMs, textCountMs, textPageMs, noMatchPageMs);
    std::printf("\ntargets (docs/performance.md): insert >= 200000 rows/s batched; export >= 300000 rows/s; bounded memory\n");
    return 0;
}
