#pragma once

#include "eventlogerror.h"
#include "eventtypes.h"
#include "expected.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

struct sqlite3;

namespace gw {

//! Settings of one EventLog. Every interval is injectable: tests use ms.
struct EventLogOptions
{
    //! A batch is committed when it holds this many rows (events + heartbeat samples)… Large
    //! batches only happen in bursts; they cut the WAL traffic per row (docs/performance.md).
    int commitRows = 5000;
    //! …or this long after its first row was queued, whichever comes first (timer "commitTimer").
    std::chrono::milliseconds commitInterval{250};
    //! While a monitor run is open, its "last seen alive" time is refreshed at least this often,
    //! so a crash (no monitor_stopped) ends the run at most this long before the real end.
    std::chrono::milliseconds aliveInterval{60'000};
    //! Raw heartbeat samples are kept this long; hourly aggregates are kept after it.
    std::chrono::hours rawHeartbeatWindow{72};
    //! Events older than this many days are pruned (0 keeps everything). Aggregates, disconnect
    //! history, uptime spans and monitor runs are kept.
    int retentionDays = 90;
    //! How often prune() runs by itself (timer "maintenanceTimer"); 0 disables it.
    std::chrono::milliseconds maintenanceInterval{3'600'000};
    //! The current UTC time; QDateTime::currentDateTimeUtc() when empty. Tests inject a clock.
    std::function<QDateTime()> clock;
    //! After a failed commit the rows stay queued and the next attempt comes this long later; the
    //! interval doubles after every failed attempt, up to retryIntervalMax (timer "retryTimer").
    std::chrono::milliseconds retryInterval{1000};
    std::chrono::milliseconds retryIntervalMax{30'000};
    //! At most this many rows (events + heartbeat samples) wait in memory. Past it, while commits
    //! fail, new rows are dropped: append() returns 0, the drops are counted (droppedRows()) and
    //! reported (rowsDropped()). Without failures a batch is committed when it reaches this size.
    int maxQueuedRows = 100'000;
    //! For tests: called with the writer's own SQLite connection each time the store opens it
    //! (at open(), and for the fresh file after a damaged one was moved aside), after the
    //! store's PRAGMAs. Tests set `PRAGMA max_page_count` through it to make SQLite answer
    //! SQLITE_FULL like a full volume. Empty in the product.
    std::function<void(sqlite3 *)> configureConnection;
    //! open() runs PRAGMA quick_check before it opens an existing file: a read of the whole
    //! file (about a second for a 1,000,000-row log, docs/performance.md). With this set, open()
    //! opens the file as it is and the check runs right after, from this thread's event loop; a
    //! damaged file is then moved aside as after a damaged write (damagedDatabaseMovedAside(),
    //! the rows queued meanwhile go to the fresh file). A file that does not open as it is is
    //! still checked first. The desktop app sets it, so that its window does not wait.
    bool checkAfterOpen = false;
};

//! The event store (docs/architecture.md, "The event log is the product's memory"):
//! typed events → SQLite (WAL, batched commits) plus the derived history (disconnects, uptime
//! spans, monitor runs, heartbeat aggregates) kept in the same transactions.
//!
//! Threading: an EventLog lives on one thread (the worker thread owned by AccountManager) and
//! owns one SQLite connection there. Call it directly on that thread, or through queued calls
//! (append, addHeartbeat and setRetentionDays are Q_INVOKABLE; the rest through a functor with
//! QMetaObject::invokeMethod). Reads for the UI go through EventQuery, which opens its own
//! read-only connection: WAL lets it read while this object writes.
//!
//! Durability: a row is durable once the batch holding it is committed, which batchCommitted()
//! announces. A process crash loses only the rows still queued (at most commitRows rows or
//! commitInterval of time); it never loses or corrupts a committed row (tst_eventlog_crash).
//!
//! Faults (docs/reliability.md, "The event store under faults"): a batch that cannot be
//! committed (disk full, I/O error) is rolled back and its rows stay queued, in order, ahead of
//! newer ones, with the ids they were given; writeFailed() reports every failed attempt and the
//! retry timer tries again (retryInterval doubling up to retryIntervalMax). While failing only
//! that timer commits. The queue is bounded by maxQueuedRows: rows past it are dropped, counted
//! and reported (rowsDropped()); nothing is lost silently. writeRecovered() announces the first
//! successful commit after failures. A damaged file (PRAGMA quick_check at open(), and after a
//! write that SQLite answered SQLITE_CORRUPT or SQLITE_NOTADB) is moved aside with its -wal and
//! -shm, never deleted, and the store continues on a fresh file at the same path, desktop and
//! headless alike (damagedDatabaseMovedAside(), lastMovedAsidePath()). The rows still queued
//! then go to the fresh file. Rows only in the damaged file stay there.
//!
//! Files: directories the store creates are 0700, the database and its -wal/-shm 0600.
//!
//! Single writer: one EventLog per database file (ids are allocated in memory). Destroy it on
//! its own thread (deleteLater), like any object that owns a QSqlDatabase connection.
class EventLog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLog)

public:
    explicit EventLog(const QString &databasePath, EventLogOptions options = {},
                      QObject *parent = nullptr);
    //! Commits what is queued, stops the timers and closes the connection.
    ~EventLog() override;

    //! Opens (creating if needed) and migrates the database, closes a monitor run left open by
    //! a crash (it ends at its last-alive time) and prunes by retention. Call on the owning thread.
    Expected<bool, EventLogError> open();
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] QString databasePath() const;
    [[nodiscard]] int schemaVersion() const;

    //! Queues one event and returns the id it will have once committed (0 if not open).
    //! The message and string fields pass through the redactor first. An invalid `at` is now.
    //! `monitor_started` opens a monitor run, `monitor_stopped` ends it; `state`, `close`,
    //! `invalid_session`, `resumed`, `ready` and `fatal` feed the derived history.
    Q_INVOKABLE qint64 append(const gw::EventLogEntry &entry);
    //! Queues one heartbeat round trip of an account; its hourly aggregate is updated on commit.
    Q_INVOKABLE void addHeartbeat(const QString &accountId, const QDateTime &at, double latencyMs);

    //! Commits everything queued now, in one transaction. Returns the number of events written.
    //! (From another thread: QMetaObject::invokeMethod(log, [log] { log->flush(); }).)
    Expected<qint64, EventLogError> flush();

    //! Deletes events older than the retention and raw heartbeats older than the raw window
    //! (relative to the clock), keeping hourly aggregates and the derived history.
    Expected<qint64, EventLogError> prune();
    Q_INVOKABLE void setRetentionDays(int days);
    [[nodiscard]] int retentionDays() const;

    //! Events queued and not yet committed.
    [[nodiscard]] int pendingCount() const;
    //! The id of the last committed event (0 when none).
    [[nodiscard]] qint64 lastCommittedId() const;

    //! Rows waiting (events + heartbeat samples): pending and held after failed commits.
    [[nodiscard]] int queuedRows() const;
    //! Rows dropped past maxQueuedRows since open().
    [[nodiscard]] qint64 droppedRows() const;
    //! A commit failed since the last successful one (the retry timer is running).
    [[nodiscard]] bool isFailing() const;
    //! The path a damaged database was moved to by open() or a later check; empty when none.
    //! open() may emit damagedDatabaseMovedAside() before anyone is connected: read this then.
    [[nodiscard]] QString lastMovedAsidePath() const;
    //! What quick_check or the failed write said of that damaged file; empty when none.
    [[nodiscard]] QString lastDamageReason() const;

Q_SIGNALS:
    //! A batch was committed: every event with id <= lastId is durable. `rows` counts the
    //! events (not heartbeats) in the batch. Emitted after COMMIT returned, once per batch.
    void batchCommitted(qint64 lastId, int rows);
    //! A commit attempt failed; its rows are kept and retried. Emitted for every failed attempt;
    //! `queuedRows` is queuedRows() after it.
    void writeFailed(const gw::EventLogError &error, int queuedRows);
    //! Rows were dropped past maxQueuedRows: `count` since the last report, `totalDropped` since
    //! open(). Coalesced: at most once per commit attempt.
    void rowsDropped(qint64 count, qint64 totalDropped);
    //! The first successful commit after failures: the queue is drained. `rowsWritten` counts the
    //! rows (events + heartbeat samples) that commit wrote.
    void writeRecovered(qint64 rowsWritten);
    //! The database was damaged and moved to `keptPath` (its -wal/-shm to `keptPath`-wal/-shm);
    //! the store continues on a fresh file. `reason` is SQLite's finding.
    void damagedDatabaseMovedAside(const QString &keptPath, const QString &reason);
    //! prune() removed `events` events and `samples` raw heartbeat samples.
    void pruned(qint64 events, qint64 samples);

private:
    void handleCommitTimeout();
    void handleRetryTimeout();
    void handleAliveTimeout();
    void handleMaintenanceTimeout();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
