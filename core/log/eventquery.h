#pragma once

#include "eventfilter.h"
#include "eventlogerror.h"
#include "eventtypes.h"
#include "expected.h"
#include "historytypes.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>

namespace gw {

//! Read-only access to an event log for the UI: paging through the events
//! with filters, the disconnect history, uptime, downtime summaries and heartbeat history.
//!
//! It opens its own read-only SQLite connection on the thread that calls open() and must be used
//! on that thread only (the GUI thread, typically). WAL mode lets it read while EventLog writes
//! on the worker thread; it sees every committed batch (EventLog::batchCommitted), never a
//! half-written one. Every call is synchronous and sized for a 1,000,000-row log: a page is a
//! few milliseconds (keyset pagination on the (at) index, see pageBefore()).
class EventQuery final
{
    Q_DISABLE_COPY_MOVE(EventQuery)

public:
    explicit EventQuery(const QString &databasePath);
    ~EventQuery();

    //! Opens the connection. Fails if the file does not exist or has a schema this build does not know.
    Expected<bool, EventLogError> open();
    [[nodiscard]] bool isOpen() const;

    //! Makes the statement running on this connection stop and fail (QueryFailed); no effect on
    //! later statements, none when nothing runs. The one call that may come from any thread: it
    //! must not overlap open() or the destructor. For a reader that drops superseded searches.
    void interrupt() const;

    //! Number of events matching `filter`.
    Expected<qint64, EventLogError> count(const EventFilter &filter) const;

    //! Events matching `filter`, newest first (time, then id), rows [offset, offset + limit).
    //! Fine for the first pages and for jumps; scrolling further should use pageBefore().
    Expected<QList<EventLogEntry>, EventLogError> page(const EventFilter &filter, qint64 offset, int limit) const;

    //! Keyset pagination: up to `limit` events strictly older than `cursor`, newest first.
    //! Cost does not grow with the position in the log.
    Expected<QList<EventLogEntry>, EventLogError> pageBefore(const EventFilter &filter, EventCursor cursor,
                                                             int limit) const;

    //! Up to `limit` events strictly newer than `cursor` (the live tail), newest first.
    Expected<QList<EventLogEntry>, EventLogError> pageAfter(const EventFilter &filter, EventCursor cursor,
                                                            int limit) const;

    //! Every account the log has seen, with its latest display name, by name.
    Expected<QList<EventAccount>, EventLogError> accounts() const;

    //! Disconnects of one account (all accounts when `accountId` is empty) that started in
    //! [from, to), newest first. Invalid times are open bounds.
    Expected<QList<DisconnectRecord>, EventLogError> disconnects(const QString &accountId, const QDateTime &from,
                                                                 const QDateTime &to) const;

    //! Uptime of one account over [from, to): only the time Gatewatch was running counts
    //! (see UptimeReport). `now` (default: the current time) bounds a run that is still open.
    Expected<UptimeReport, EventLogError> uptime(const QString &accountId, const QDateTime &from, const QDateTime &to,
                                                 const QDateTime &now = {}) const;

    //! Disconnect count and total downtime of one account (all when empty) over [from, to).
    Expected<DowntimeSummary, EventLogError> downtimeSummary(const QString &accountId, const QDateTime &from,
                                                             const QDateTime &to, const QDateTime &now = {}) const;

    //! The monitor's own running intervals that overlap [from, to), oldest first.
    Expected<QList<MonitorRun>, EventLogError> monitorRuns(const QDateTime &from, const QDateTime &to) const;

    //! Raw heartbeat samples of one account in [from, to), oldest first (only the raw window is kept).
    Expected<QList<HeartbeatSample>, EventLogError> heartbeats(const QString &accountId, const QDateTime &from,
                                                               const QDateTime &to) const;

    //! Hourly heartbeat aggregates of one account for the hours starting in [from, to), oldest first.
    Expected<QList<HeartbeatHourly>, EventLogError> heartbeatHourly(const QString &accountId, const QDateTime &from,
                                                                    const QDateTime &to) const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
