#pragma once

#include "eventtypes.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>

namespace gw {

//! What the event-log view (and an export) selects. Every member is optional: an empty list or
//! an invalid time means "no restriction". Filters combine with AND; values inside one list with OR.
struct EventFilter
{
    QStringList accountIds;        //!< stable account ids (not display names)
    QList<Severity> severities;
    QList<EventKind> kinds;
    QString text;                  //!< substring of the message, ASCII case-insensitive
    QDateTime from;                //!< inclusive
    QDateTime to;                  //!< exclusive

    //! Does `entry` pass the filter? The same rules as the SQL the store runs for it (eventsql_p.h,
    //! `eventsql::where`), applied in memory to rows that arrive live; tst_eventfilter checks
    //! that both agree.
    [[nodiscard]] bool matches(const EventLogEntry &entry) const;

    // Not defaulted: Qt 6.4's QList<enum>::operator== hands memcmp a null pointer for two empty
    // lists (UBSan reports it), so the enum lists are compared element by element.
    friend bool operator==(const EventFilter &a, const EventFilter &b)
    {
        return a.accountIds == b.accountIds && std::ranges::equal(a.severities, b.severities)
            && std::ranges::equal(a.kinds, b.kinds) && a.text == b.text && a.from == b.from && a.to == b.to;
    }
};

//! Where a page ended, for keyset pagination: the (at, id) of the last row shown. Rows are
//! ordered by time, ties broken by id, so a cursor stays valid while new rows arrive.
struct EventCursor
{
    qint64 atMs = 0;
    qint64 id = 0;

    static EventCursor of(const EventLogEntry &row)
    {
        return {row.at.toMSecsSinceEpoch(), row.id};
    }
};

} // namespace gw

namespace gw {

//! An account as the log knows it: its id and its latest display name.
struct EventAccount
{
    QString id;
    QString name;
};

} // namespace gw
