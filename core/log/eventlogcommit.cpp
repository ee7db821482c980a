// EventLog's commits: one transaction per batch; after a failure the rows stay queued and the
// retry timer tries again; a damaged file is moved aside and the queue goes to a fresh one.

#include "eventlog_p.h"

#include "eventlogfiles_p.h"
#include "eventlogschema_p.h"
#include "heartbeataggregates_p.h"
#include "logging.h"

#include <sqlite3.h>

#include <algorithm>

namespace gw {

namespace files = eventlogfiles;
namespace schema = eventlogschema;

Expected<qint64, EventLogError> EventLog::Private::commitPending()
{
    if (!opened)
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("the event log is not open")};
    commitTimer.stop();
    retryTimer.stop();   // this is the attempt; a failure schedules the next one
    if (pending.empty() && pendingHeartbeats.empty() && newSources.empty() && !aliveDirty) {
        reportDropped();
        return qint64(0);
    }
    QString error;
    if (!writer.isAttached() && !reconnect(&error))
        return failAttempt(error, SQLITE_CANTOPEN);
    if (!writer.begin())
        return failAttempt(writer.lastError(), writer.lastErrorCode());
    if (!writeBatch(&error))
        return failAttempt(error, writer.lastErrorCode());
    if (!writer.commit())
        return failAttempt(writer.lastError(), writer.lastErrorCode());
    return finishCommit();
}

// Everything queued, inside one transaction.
bool EventLog::Private::writeBatch(QString *error)
{
    for (const NewSource &s : newSources) {
        if (!writer.exec(QStringLiteral("INSERT INTO sources (id, account_id, account_name) "
                                        "VALUES (?, coalesce(?, ''), coalesce(?, ''))"),
                         {s.id, s.accountId, s.accountName}, error)) {
            return false;
        }
    }
    for (const PendingEvent &e : pending) {
        if (!writer.insertEvent(e)) {
            *error = writer.lastError();
            return false;
        }
        if (e.derivedKind && !history.apply(writer, e, error))
            return false;
    }
    if (!pendingHeartbeats.empty() && !writeHeartbeats(writer, pendingHeartbeats, error))
        return false;
    if (!pending.empty()
        && !writer.exec(QStringLiteral("INSERT INTO meta (key, value) VALUES ('last_event_id', ?) "
                                       "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                        {pending.back().id}, error)) {
        return false;
    }
    return history.touchRun(writer, now(), error);
}

// COMMIT returned: the queue is durable.
qint64 EventLog::Private::finishCommit()
{
    const qint64 events = qint64(pending.size());
    const qint64 rows = qint64(queuedRows());
    if (!pending.empty())
        lastCommittedId = pending.back().id;
    pending.clear();
    pendingHeartbeats.clear();
    newSources.clear();
    aliveDirty = false;
    updateAliveTimer();
    const bool recovered = failing;
    failing = false;
    retryDelay = options.retryInterval;
    if (events > 0)
        Q_EMIT q->batchCommitted(lastCommittedId, int(events));
    reportDropped();
    if (recovered) {
        qCInfo(lcEventLog) << "event log: writing again;" << rows << "held rows committed";
        Q_EMIT q->writeRecovered(rows);
    }
    return events;
}

// A failed attempt: rolled back on disk, kept in memory (ids, sources, order), reported, retried.
// Only the derived history is read back, because apply() changed it for rows that are not there.
EventLogError EventLog::Private::failAttempt(const QString &error, int code)
{
    if (writer.isAttached()) {
        writer.rollback();
        bool damaged = false;
        QString reason;
        if (files::isDamageCode(code)) {
            const files::Check check = files::quickCheck(schema::nativeHandle(db));
            damaged = check.result == files::Check::Result::Damaged;
            reason = damaged ? check.detail : QString();
            qCWarning(lcEventLog) << "event log: SQLite reported damage (" << error << "); quick_check:"
                                  << (damaged ? reason : QStringLiteral("ok"));
        }
        if (damaged) {
            replaceDamaged(reason);
        } else {
            QString reloadError;
            if (!history.load(db, &reloadError))
                qCWarning(lcEventLog) << "event log: reloading the derived history failed:" << reloadError;
        }
    }
    failing = true;
    // The message is the cause alone (the front-ends say what happens to the rows).
    EventLogError e{EventLogError::Code::WriteFailed, QStringLiteral("%1 (SQLite code %2)").arg(error).arg(code)};
    qCWarning(lcEventLog).noquote() << "event log: could not commit" << queuedRows() << "rows:" << e.message
                                    << "- they are kept and retried";
    scheduleRetry();
    Q_EMIT q->writeFailed(e, queuedRows());
    reportDropped();
    return e;
}

void EventLog::Private::reportDropped()
{
    if (droppedUnreported == 0)
        return;
    const qint64 count = droppedUnreported;
    droppedUnreported = 0;
    qCWarning(lcEventLog) << "event log:" << count << "rows dropped past the queue bound of" << options.maxQueuedRows
                          << "(" << dropped << "since open)";
    Q_EMIT q->rowsDropped(count, dropped);
}

void EventLog::Private::scheduleRetry()
{
    retryTimer.start(retryDelay);
    retryDelay = std::min(retryDelay * 2, std::max(options.retryIntervalMax, options.retryInterval));
}

void EventLog::Private::scheduleCommit()
{
    if (failing)
        return;   // only the retry timer commits while failing
    if (queuedRows() >= std::min(options.commitRows, options.maxQueuedRows)) {
        (void)commitPending();
        return;
    }
    if (!commitTimer.isActive())
        commitTimer.start();
}

void EventLog::Private::updateAliveTimer()
{
    if (history.runIsOpen() && !aliveTimer.isActive())
        aliveTimer.start();
    else if (!history.runIsOpen())
        aliveTimer.stop();
}

// A fresh file after a damaged one was moved aside (or a failed earlier attempt to open it).
bool EventLog::Private::reconnect(QString *error)
{
    auto connected = connect();
    if (!connected) {
        *error = connected.error().message;
        return false;
    }
    if (!history.load(db, error)) {
        close();
        return false;
    }
    return true;
}

// The file is damaged: move it aside (never delete it) and continue on a fresh one. Every known
// source is written again so the held rows keep valid source ids; the queue follows on the
// next attempt. Rows only in the damaged file stay there.
void EventLog::Private::replaceDamaged(const QString &reason)
{
    sqlite3 *handle = schema::nativeHandle(db);
    if (handle)
        sqlite3_db_config(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);   // keep the -wal as it is
    close();
    const auto kept = files::moveAside(path, QDateTime::fromMSecsSinceEpoch(now(), Qt::UTC));
    if (!kept) {
        qCWarning(lcEventLog) << "event log: the damaged database stays in place:" << kept.error().message;
        return;   // the retry reconnects to it and reports every failure
    }
    lastMovedAside = kept.value();
    lastDamageReason = reason;
    newSources.clear();
    for (auto it = sources.cbegin(); it != sources.cend(); ++it) {
        for (const auto &[name, id] : it.value())
            newSources.push_back({id, it.key(), name});
    }
    std::sort(newSources.begin(), newSources.end(), [](const NewSource &a, const NewSource &b) { return a.id < b.id; });
    qCWarning(lcEventLog) << "event log: damaged database moved aside to" << lastMovedAside << "(" << reason
                          << "); continuing on a fresh file with" << queuedRows() << "held rows";
    QString error;
    if (!reconnect(&error))
        qCWarning(lcEventLog) << "event log: cannot open a fresh database:" << error;
    Q_EMIT q->damagedDatabaseMovedAside(lastMovedAside, reason);
}

} // namespace gw
