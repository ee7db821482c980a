#pragma once

#include "eventfilter.h"
#include "eventtypes.h"
#include "historytypes.h"

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace gw {

//! The paging seam between EventLogModel and the event store. A view works on a *snapshot*
//! (an opaque bound the source hands out: a time, an id …) so that rows written while it scrolls
//! do not shift the rows it already shows; rows newer than the snapshot reach the model live.
class EventLogSource
{
public:
    virtual ~EventLogSource() = default;
    //! A new snapshot bound: everything stored so far.
    virtual qint64 snapshot() = 0;
    //! True if `entry` belongs to `snapshot` (it would be returned by page()), so a live copy of
    //! it must not be shown twice.
    virtual bool covers(qint64 snapshot, const EventLogEntry &entry) const = 0;
    //! Rows of the snapshot that match `filter`.
    virtual qint64 count(const EventFilter &filter, qint64 snapshot) = 0;
    //! Up to `limit` rows of the snapshot matching `filter`, newest first, skipping `offset`.
    //! `previous` is the row just before `offset` when the caller has it (keyset paging: the
    //! cost then does not grow with the offset).
    virtual QList<EventLogEntry> page(const EventFilter &filter, qint64 snapshot, qint64 offset, int limit,
                                      const std::optional<EventLogEntry> &previous) = 0;

    //! What a new snapshot needs first, delivered later: `firstPage` may be called once with the
    //! first `limit` rows (newest first; a source that does not call it leaves the first page to
    //! page()), then `counted` once with count(filter, snapshot). Both run on `context`'s thread,
    //! only while `context` lives; a newer call may supersede an older one, whose callbacks then
    //! never come. The default counts synchronously, before returning; EventStoreSource runs both
    //! queries on its reader thread, so a search over a million rows never blocks the caller.
    virtual void load(const EventFilter &filter, qint64 snapshot, int limit, QObject *context,
                      std::function<void(QList<EventLogEntry>)> firstPage, std::function<void(qint64)> counted)
    {
        Q_UNUSED(limit);
        Q_UNUSED(context);
        Q_UNUSED(firstPage);
        counted(count(filter, snapshot));
    }
};

//! The per-account history the details pane shows (disconnects, latency, uptime). The production
//! implementation reads core's EventQuery; every call is a short read on the GUI thread.
class HistorySource
{
public:
    virtual ~HistorySource() = default;
    //! Disconnects of the account that started in [from, to), newest first, at most `limit`.
    virtual QList<DisconnectRecord> disconnects(const QString &accountId, const QDateTime &from,
                                                const QDateTime &to, int limit) = 0;
    //! Latency points in ascending time: raw samples for short ranges, hourly aggregates otherwise.
    virtual QList<LatencyPoint> latency(const QString &accountId, const QDateTime &from, const QDateTime &to) = 0;
    virtual UptimeReport uptime(const QString &accountId, const QDateTime &from, const QDateTime &to) = 0;
    virtual DowntimeSummary downtime(const QString &accountId, const QDateTime &from, const QDateTime &to) = 0;
};

} // namespace gw
