#pragma once

// Internal to core/log: the derived history EventLog keeps next to the events.

#include "eventlogbatch_p.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>

#include <chrono>

namespace gw {

class EventLogWriter;

//! The disconnects, account uptime spans and monitor runs derived from the event stream
//! (historytypes.h), written in event order inside each batch's transaction. It mirrors the
//! rows that are still open (a disconnect not yet recovered, an account's current span, the
//! running monitor run); after a failed commit EventLog reloads them with load().
class DerivedHistory final
{
    Q_DISABLE_COPY_MOVE(DerivedHistory)

public:
    explicit DerivedHistory(std::chrono::milliseconds aliveInterval) : m_aliveInterval(aliveInterval) {}
    ~DerivedHistory() = default;

    //! Does an event of `kind` change the derived history?
    [[nodiscard]] static bool feeds(EventKind kind);

    //! Reads the open rows back from the database.
    bool load(QSqlDatabase &db, QString *error);
    //! A run still open when the database is opened belongs to a process that ended without
    //! monitor_stopped (a crash, a kill): it ends at its last-alive time, and so do the account
    //! spans that were open in it ("no data" after that, not "up"). Its own transaction.
    bool closeOrphanedRun(QSqlDatabase &db, QString *error);

    //! Applies one event whose `derivedKind` is set.
    bool apply(EventLogWriter &writer, const PendingEvent &event, QString *error);
    //! Refreshes the running monitor run's last-alive time (nothing when none is running).
    bool touchRun(EventLogWriter &writer, qint64 now, QString *error);
    [[nodiscard]] bool runIsOpen() const { return m_currentRun != 0; }

private:
    struct OpenSpan
    {
        qint64 id = 0;
        bool up = false;
    };

    bool monitorStarted(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool monitorStopped(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool state(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool disconnected(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool recovered(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool fatal(EventLogWriter &writer, const PendingEvent &e, QString *error);
    bool closeSpan(EventLogWriter &writer, qint64 spanId, qint64 at, QString *error);
    bool closeAllSpans(EventLogWriter &writer, qint64 at, QString *error);

    const std::chrono::milliseconds m_aliveInterval;
    QHash<QString, qint64> m_openDisconnects;   // account id → disconnects.id
    QHash<QString, OpenSpan> m_openSpans;       // account id → account_spans row
    qint64 m_currentRun = 0;                    // monitor_runs.id, 0 when none
};

} // namespace gw
