// The event store under faults, with SQLite's own failures (no mock): a full volume (SQLITE_FULL
// through PRAGMA max_page_count on the writer's connection, EventLogOptions::configureConnection),
// the queue bound, a damaged page found at open and during a run, and the files' permissions.

#include "eventlog.h"
#include "storefaults.h"
#include "eventquery.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>

using namespace gw;
using gwtest::damagePage;
using gwtest::fillVolume;
using gwtest::pageSizeOf;
using gwtest::pragmaValue;
using gwtest::spaceReturns;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

EventLogEntry entry(int second, const QString &account, EventKind kind, QJsonObject fields = {})
{
    EventLogEntry e;
    e.at = k_t0.addSecs(second);
    e.accountId = account;
    e.accountName = QStringLiteral("bot-") + account;
    e.kind = kind;
    // Large enough that a few dozen rows need new pages.
    e.message = QStringLiteral("event %1 ").arg(second) + QStringLiteral("lorem ipsum dolor ").repeated(50);
    e.fields = std::move(fields);
    return e;
}

EventLogEntry closeEntry(int second, const QString &account)
{
    return entry(second, account, EventKind::Close,
                 {{QStringLiteral("code"), 4000}, {QStringLiteral("meaning"), QStringLiteral("unknown error")}});
}

// Manual commits unless a test sets commitRows; retries every few ms; the writer's connection
// lands in `*handle`.
EventLogOptions faultOptions(sqlite3 **handle)
{
    EventLogOptions o;
    o.commitRows = 1'000'000;
    o.commitInterval = 3'600'000ms;
    o.maintenanceInterval = 0ms;
    o.retentionDays = 0;
    o.retryInterval = 10ms;
    o.retryIntervalMax = 40ms;
    o.configureConnection = [handle](sqlite3 *h) { *handle = h; };
    return o;
}

//! `rows` rows in a store at `path` that is closed again afterwards (checkpointed at close).
bool fillClosedStore(const QString &path, int rows)
{
    sqlite3 *handle = nullptr;
    EventLog log(path, faultOptions(&handle));
    if (!log.open())
        return false;
    for (int i = 0; i < rows; ++i)
        log.append(entry(i, QStringLiteral("a"), EventKind::Hello));
    return bool(log.flush());
}

QList<qint64> storedIds(const QString &path, int expected)
{
    EventQuery query(path);
    QList<qint64> ids;
    if (!query.open())
        return ids;
    const auto page = query.page({}, 0, expected + 100);
    if (!page)
        return ids;
    for (const EventLogEntry &e : *page)
        ids.prepend(e.id);   // newest first → oldest first
    return ids;
}

qint64 storedCount(const QString &path)
{
    EventQuery query(path);
    if (!query.open())
        return -1;
    const auto n = query.count({});
    return n ? n.value() : -1;
}

int modeOf(const QString &path)
{
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

} // namespace

class tst_EventLogFaults final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("events.sqlite"));
    }

    void fullVolumeKeepsRowsAndRecovers();
    void boundDropsAndCounts();
    void damagedPageAtOpen();
    void damagedPageCheckedAfterOpen();
    void damageFoundDuringRun();
    void filePermissions();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

// A full volume: every row appended while full is kept (in order, with its id), nothing is
// committed, every attempt is reported; when space returns all of it is stored exactly once and
// the derived history is the one the whole stream describes.
void tst_EventLogFaults::fullVolumeKeepsRowsAndRecovers()
{
    sqlite3 *handle = nullptr;
    EventLogOptions options = faultOptions(&handle);
    options.commitRows = 50;
    EventLog log(m_path, options);
    QVERIFY(log.open());
    QVERIFY(handle);
    QSignalSpy failed(&log, &EventLog::writeFailed);
    QSignalSpy recovered(&log, &EventLog::writeRecovered);
    QSignalSpy committed(&log, &EventLog::batchCommitted);
    QList<qint64> failedAt;
    QElapsedTimer clock;
    clock.start();
    connect(&log, &EventLog::writeFailed, this, [&] { failedAt << clock.elapsed(); });

    const QString a = QStringLiteral("a");
    const qint64 firstClose = log.append(closeEntry(0, a));   // a disconnect left open on disk
    QVERIFY(log.flush());
    QCOMPARE(committed.count(), 1);

    QVERIFY(fillVolume(handle));
    constexpr int N = 600;   // ready, close, ready, close, …: the last close stays open
    QList<qint64> ids;
    int heartbeats = 0;
    int readies = 0;
    for (int i = 0; i < N; ++i) {
        ids << log.append(i % 2 == 0 ? entry(i + 1, a, EventKind::Ready) : closeEntry(i + 1, a));
        readies += i % 2 == 0 ? 1 : 0;
        if (i == N / 2)   // after a ready: b, a new source while failing
            ids << log.append(entry(i + 1, QStringLiteral("b"), EventKind::Hello));
        if (i % 10 == 0) {
            log.addHeartbeat(a, k_t0.addSecs(i + 1), 40.0 + i);
            ++heartbeats;
        }
    }
    // The commit at commitRows failed; the appends after it did not try again.
    for (int i = 0; i < int(ids.size()); ++i)
        QCOMPARE(ids.at(i), firstClose + 1 + i);   // in order, no gaps
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(1).toInt(), options.commitRows);
    QCOMPARE(failed.at(0).at(0).value<EventLogError>().code, EventLogError::Code::WriteFailed);
    QVERIFY2(failed.at(0).at(0).value<EventLogError>().message.contains(QLatin1String("full")),
             qPrintable(failed.at(0).at(0).value<EventLogError>().message));
    QVERIFY(log.isFailing());
    QCOMPARE(log.queuedRows(), int(ids.size()) + heartbeats);

    // The retry timer keeps trying, each wait at least as long as planned (10, 20, 40, 40 ms).
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= 5, 20000);
    QCOMPARE(failed.last().at(1).toInt(), int(ids.size()) + heartbeats);
    const QList<qint64> planned{10, 20, 40, 40};
    for (int i = 0; i < int(planned.size()); ++i)
        QVERIFY2(failedAt.at(i + 1) - failedAt.at(i) >= planned.at(i) * 8 / 10,
                 qPrintable(QStringLiteral("attempt %1 came %2 ms after the previous one")
                                .arg(i + 2)
                                .arg(failedAt.at(i + 1) - failedAt.at(i))));
    QCOMPARE(committed.count(), 1);
    QCOMPARE(recovered.count(), 0);
    QCOMPARE(storedCount(m_path), 1);

    spaceReturns(handle);
    QTRY_COMPARE_WITH_TIMEOUT(recovered.count(), 1, 20000);
    QCOMPARE(recovered.at(0).at(0).toLongLong(), qint64(ids.size() + heartbeats));
    QVERIFY(!log.isFailing());
    QCOMPARE(log.queuedRows(), 0);
    QCOMPARE(committed.count(), 2);
    QCOMPARE(committed.at(1).at(0).toLongLong(), ids.back());
    QCOMPARE(committed.at(1).at(1).toInt(), int(ids.size()));
    QCOMPARE(log.lastCommittedId(), ids.back());

    // Every event exactly once, in order, with the id append() returned.
    QCOMPARE(storedCount(m_path), qint64(1 + ids.size()));
    QCOMPARE(storedIds(m_path, int(1 + ids.size())), QList<qint64>{firstClose} + ids);

    EventQuery query(m_path);
    QVERIFY(query.open());
    QCOMPARE(int(query.heartbeats(a, {}, {})->size()), heartbeats);
    QCOMPARE(int(query.accounts()->size()), 2);
    // Each close is ended by the next ready, whichever batch held it; only the last is open.
    QList<DisconnectRecord> all = *query.disconnects({}, {}, {});
    std::reverse(all.begin(), all.end());
    QCOMPARE(int(all.size()), 1 + (N - readies));
    QCOMPARE(all.first().closeEventId, firstClose);
    for (int i = 0; i + 1 < int(all.size()); ++i) {
        QCOMPARE(all.at(i).endEventId, all.at(i).closeEventId + 1);
        QCOMPARE(all.at(i).closeCount, 1);
        QCOMPARE(all.at(i).recoveredBy, DisconnectRecord::Recovery::Identify);
    }
    QVERIFY(!all.last().end);
    QCOMPARE(all.last().closeEventId, ids.back());
}

// Past maxQueuedRows new rows are dropped (no id), counted and reported once per attempt; the
// kept ones are all stored after recovery.
void tst_EventLogFaults::boundDropsAndCounts()
{
    sqlite3 *handle = nullptr;
    EventLogOptions options = faultOptions(&handle);
    options.maxQueuedRows = 100;
    EventLog log(m_path, options);
    QVERIFY(log.open());
    QSignalSpy failed(&log, &EventLog::writeFailed);
    QSignalSpy dropped(&log, &EventLog::rowsDropped);
    QSignalSpy recovered(&log, &EventLog::writeRecovered);
    const QString a = QStringLiteral("a");
    QCOMPARE(log.append(entry(0, a, EventKind::Hello)), 1);
    QVERIFY(log.flush());

    QVERIFY(fillVolume(handle));
    QList<qint64> kept;
    for (int i = 0; i < 20; ++i)
        kept << log.append(entry(1 + i, a, EventKind::Hello));
    QVERIFY(!log.flush());
    QCOMPARE(failed.count(), 1);
    int attempted = 20;
    for (int i = 0; i < 130; ++i, ++attempted) {
        if (const qint64 id = log.append(entry(21 + i, a, EventKind::Hello)); id != 0)
            kept << id;
    }
    for (int i = 0; i < 10; ++i, ++attempted)
        log.addHeartbeat(a, k_t0.addSecs(i), 50.0);
    QCOMPARE(int(kept.size()), 100);
    QCOMPARE(kept.front(), 2);
    QCOMPARE(kept.back(), 101);   // a dropped row allocates no id
    QCOMPARE(log.queuedRows(), 100);
    QCOMPARE(log.droppedRows(), qint64(attempted - 100));
    QCOMPARE(dropped.count(), 0);   // reported with the next attempt

    QTRY_COMPARE_WITH_TIMEOUT(dropped.count(), 1, 20000);
    QCOMPARE(dropped.at(0).at(0).toLongLong(), qint64(60));
    QCOMPARE(dropped.at(0).at(1).toLongLong(), qint64(60));
    // More failed attempts with nothing new dropped report nothing new.
    const int seen = int(failed.count());
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= seen + 2, 20000);
    QCOMPARE(dropped.count(), 1);
    // Another drop is reported with the next attempt, with the running total.
    QCOMPARE(log.append(entry(500, a, EventKind::Hello)), 0);
    QTRY_COMPARE_WITH_TIMEOUT(dropped.count(), 2, 20000);
    QCOMPARE(dropped.at(1).at(0).toLongLong(), qint64(1));
    QCOMPARE(dropped.at(1).at(1).toLongLong(), qint64(61));

    spaceReturns(handle);
    QTRY_COMPARE_WITH_TIMEOUT(recovered.count(), 1, 20000);
    QCOMPARE(recovered.at(0).at(0).toLongLong(), qint64(100));
    QCOMPARE(storedIds(m_path, 101), QList<qint64>{1} + kept);
    QCOMPARE(log.droppedRows(), qint64(attempted + 1 - 100));
    // Back to normal: the next row gets the next id.
    QCOMPARE(log.append(entry(600, a, EventKind::Hello)), 102);
}

// A page in the middle of a closed database is garbage: open() moves the file aside untouched
// and starts a fresh one, without reusing the ids the damaged file still reports.
void tst_EventLogFaults::damagedPageAtOpen()
{
    constexpr int N = 3000;
    QVERIFY(fillClosedStore(m_path, N));
    QVERIFY(!QFileInfo::exists(m_path + QStringLiteral("-wal")));   // checkpointed at close
    const int pageSize = pageSizeOf(m_path);
    QCOMPARE(pageSize, 8192);
    const qint64 pages = QFileInfo(m_path).size() / pageSize;
    QVERIFY(pages > 100);
    const QByteArray damaged = damagePage(m_path, pages / 2, pageSize);
    QCOMPARE(qint64(damaged.size()), pages * pageSize);

    sqlite3 *handle = nullptr;
    EventLog log(m_path, faultOptions(&handle));
    QSignalSpy movedAside(&log, &EventLog::damagedDatabaseMovedAside);
    const auto opened = log.open();
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
    const QString kept = log.lastMovedAsidePath();
    QVERIFY2(kept.startsWith(m_path + QStringLiteral(".damaged-")), qPrintable(kept));
    QCOMPARE(movedAside.count(), 1);
    QCOMPARE(movedAside.at(0).at(0).toString(), kept);
    QVERIFY(!movedAside.at(0).at(1).toString().isEmpty());
    QFile keptFile(kept);
    QVERIFY(keptFile.open(QIODevice::ReadOnly));
    QVERIFY(keptFile.readAll() == damaged);   // byte for byte

    const qint64 id = log.append(entry(N, QStringLiteral("a"), EventKind::Hello));
    QCOMPARE(id, N + 1);
    QVERIFY(log.flush());
    QCOMPARE(storedIds(m_path, 1), QList<qint64>{id});
    QVERIFY(!log.isFailing());
}

// EventLogOptions::checkAfterOpen (the desktop app): open() does not wait for quick_check; the
// check runs from the event loop right after, finds the same damage and moves the file aside;
// a row appended in between goes to the fresh file, with an id the damaged file never had.
void tst_EventLogFaults::damagedPageCheckedAfterOpen()
{
    constexpr int N = 3000;
    QVERIFY(fillClosedStore(m_path, N));
    const int pageSize = pageSizeOf(m_path);
    const qint64 pages = QFileInfo(m_path).size() / pageSize;
    const QByteArray damaged = damagePage(m_path, pages / 2, pageSize);

    sqlite3 *handle = nullptr;
    EventLogOptions options = faultOptions(&handle);
    options.checkAfterOpen = true;
    EventLog log(m_path, options);
    QSignalSpy movedAside(&log, &EventLog::damagedDatabaseMovedAside);
    const auto opened = log.open();
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
    QVERIFY(log.lastMovedAsidePath().isEmpty());   // not checked yet
    const qint64 id = log.append(entry(N, QStringLiteral("a"), EventKind::Hello));
    QCOMPARE(id, N + 1);
    QVERIFY(movedAside.wait(10000));
    const QString kept = log.lastMovedAsidePath();
    QVERIFY2(kept.startsWith(m_path + QStringLiteral(".damaged-")), qPrintable(kept));
    QCOMPARE(movedAside.at(0).at(0).toString(), kept);
    QFile keptFile(kept);
    QVERIFY(keptFile.open(QIODevice::ReadOnly));
    QVERIFY(keptFile.readAll() == damaged);   // byte for byte
    QVERIFY(log.flush());
    QCOMPARE(storedIds(m_path, 1), QList<qint64>{id});
    QVERIFY(!log.isFailing());
}

// A write fails because a page of the open store's file was overwritten behind SQLite's back:
// SQLITE_CORRUPT, quick_check confirms, the file is moved aside as it was and the held rows
// (with their sources) are written to a fresh file.
void tst_EventLogFaults::damageFoundDuringRun()
{
    sqlite3 *handle = nullptr;
    EventLog log(m_path, faultOptions(&handle));
    QVERIFY(log.open());
    QSignalSpy failed(&log, &EventLog::writeFailed);
    QSignalSpy movedAside(&log, &EventLog::damagedDatabaseMovedAside);
    QSignalSpy recovered(&log, &EventLog::writeRecovered);
    constexpr int N = 3000;
    for (int i = 0; i < N; ++i)
        log.append(entry(i, QStringLiteral("a"), EventKind::Hello));
    QVERIFY(log.flush());

    // Everything in the main file, nothing in the WAL, no page cached: the next insert reads the
    // events table's root page from the file.
    QCOMPARE(sqlite3_wal_checkpoint_v2(handle, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr), SQLITE_OK);
    const qint64 root = pragmaValue(handle, "SELECT rootpage FROM sqlite_master WHERE name = 'events'");
    QVERIFY(root > 1);
    const QByteArray damaged = damagePage(m_path, root, pageSizeOf(m_path));
    QVERIFY(!damaged.isEmpty());
    sqlite3_db_release_memory(handle);

    QList<qint64> ids;
    ids << log.append(entry(N, QStringLiteral("a"), EventKind::Hello));
    ids << log.append(entry(N + 1, QStringLiteral("b"), EventKind::Hello));   // a new source
    ids << log.append(entry(N + 2, QStringLiteral("a"), EventKind::Ready));
    QVERIFY(!log.flush());
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.at(0).at(1).toInt(), 3);
    QCOMPARE(movedAside.count(), 1);
    const QString kept = log.lastMovedAsidePath();
    QCOMPARE(movedAside.at(0).at(0).toString(), kept);
    QFile keptFile(kept);
    QVERIFY(keptFile.open(QIODevice::ReadOnly));
    QVERIFY(keptFile.readAll() == damaged);

    QTRY_COMPARE_WITH_TIMEOUT(recovered.count(), 1, 20000);
    QCOMPARE(recovered.at(0).at(0).toLongLong(), qint64(3));
    QCOMPARE(ids, (QList<qint64>{N + 1, N + 2, N + 3}));
    QCOMPARE(storedIds(m_path, 3), ids);
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto accounts = query.accounts();
    QVERIFY(accounts);
    QCOMPARE(int(accounts->size()), 2);   // every source of the old file, valid for the held rows
    QCOMPARE(log.append(entry(N + 3, QStringLiteral("a"), EventKind::Hello)), N + 4);
    QVERIFY(log.flush());
}

// Directories the store creates are 0700 and its files 0600, whatever the umask; an existing
// database with a looser mode is tightened.
void tst_EventLogFaults::filePermissions()
{
    const mode_t previous = ::umask(0);
    const auto restore = qScopeGuard([previous] { ::umask(previous); });
    const QString top = m_dir->filePath(QStringLiteral("data"));
    const QString path = top + QStringLiteral("/gatewatch/events.sqlite");
    const int parentMode = modeOf(m_dir->path());
    {
        EventLog log(path, {});
        QVERIFY(log.open());
        log.append(entry(0, QStringLiteral("a"), EventKind::Hello));
        QVERIFY(log.flush());
        QCOMPARE(modeOf(top), 0700);
        QCOMPARE(modeOf(top + QStringLiteral("/gatewatch")), 0700);
        QCOMPARE(modeOf(m_dir->path()), parentMode);   // an existing directory is left alone
        QCOMPARE(modeOf(path), 0600);
        QCOMPARE(modeOf(path + QStringLiteral("-wal")), 0600);
        QCOMPARE(modeOf(path + QStringLiteral("-shm")), 0600);
    }
    QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
    QCOMPARE(modeOf(path), 0644);
    EventLog log(path, {});
    QVERIFY(log.open());
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(modeOf(path + QStringLiteral("-wal")), 0600);
    QCOMPARE(modeOf(path + QStringLiteral("-shm")), 0600);
}

QTEST_GUILESS_MAIN(tst_EventLogFaults)
#include "tst_eventlog_faults.moc"
