#pragma once

// Internal to core/log: the state behind one EventLog (eventlog.cpp: the public calls and
// open(); eventlogcommit.cpp: commits, retries after failures, a damaged file moved aside).

#include "eventlog.h"

#include "derivedhistory_p.h"
#include "eventlogbatch_p.h"
#include "eventlogfiles_p.h"
#include "eventlogwriter_p.h"

#include <QHash>
#include <QSqlDatabase>
#include <QTimer>

#include <vector>

namespace gw {

// The queue of one EventLog and its commit: rows wait in memory until a batch is full or the
// commit timer fires, then go to SQLite in one transaction (EventLogWriter) together with the
// derived history (DerivedHistory) and the heartbeat aggregates (writeHeartbeats). A failed
// transaction leaves the queue as it was; the retry timer tries again.
class EventLog::Private
{
public:
    Private(EventLog *q, QString path, EventLogOptions options);

    EventLog *const q;
    const QString path;
    EventLogOptions options;
    QString connectionName;
    QSqlDatabase db;
    EventLogWriter writer;
    DerivedHistory history;
    int version = 0;
    bool opened = false;   // open() succeeded; the writer may be detached while a fresh file is due

    QTimer commitTimer;
    QTimer retryTimer;
    QTimer aliveTimer;
    QTimer maintenanceTimer;

    // The queue, oldest first. A failed commit leaves it untouched (newer rows go behind it).
    std::vector<PendingEvent> pending;
    std::vector<PendingHeartbeat> pendingHeartbeats;
    std::vector<NewSource> newSources;
    bool aliveDirty = false;

    // Ids are allocated here and never reloaded after open(): a held row keeps its id.
    qint64 nextId = 1;
    qint64 lastCommittedId = 0;
    int nextSourceId = 1;
    QHash<QString, QList<std::pair<QString, int>>> sources;   // account id → (name, source id)

    bool failing = false;
    std::chrono::milliseconds retryDelay{0};   // the next retry's delay
    qint64 dropped = 0;                        // since open()
    qint64 droppedUnreported = 0;              // since the last rowsDropped()
    QString lastMovedAside;
    QString lastDamageReason;     // what the check or the failed write said of it

    [[nodiscard]] qint64 now() const;
    [[nodiscard]] int queuedRows() const { return int(pending.size() + pendingHeartbeats.size()); }
    int sourceFor(const QString &accountId, const QString &accountName);
    //! Room for one more row? Counts the drop when there is none.
    bool admit();
    void close();

    //! Opens the connection on `path` (creating the file 0600), migrates it and attaches the writer.
    Expected<bool, EventLogError> connect();
    //! Reads ids, sources and the open derived rows back from the database (at open() only).
    bool loadState(QString *error);
    //! open() after the file check (or without it: EventLogOptions::checkAfterOpen, an Ok check).
    Expected<bool, EventLogError> finishOpen(const eventlogfiles::Check &check, qint64 highestId);
    //! The check open() left for later (EventLogOptions::checkAfterOpen).
    void checkOpenFile();
    //! Indexes the text of the rows an older schema wrote (eventtextindex_p.h), once, after open().
    void completeTextIndex();

    Expected<qint64, EventLogError> commitPending();
    void scheduleCommit();
    void updateAliveTimer();

private:
    bool writeBatch(QString *error);
    qint64 finishCommit();
    EventLogError failAttempt(const QString &error, int code);
    void reportDropped();
    void scheduleRetry();
    bool reconnect(QString *error);
    void replaceDamaged(const QString &reason);
};

} // namespace gw
