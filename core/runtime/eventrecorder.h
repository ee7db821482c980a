#pragma once

#include "eventtypes.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

namespace gw {

class AccountManager;
class EventLog;
struct AccountStatus;

//! Feeds the event store from the account manager: every lifecycle row (AccountManager::
//! eventLogged), one heartbeat sample per new ACK (from the status snapshots), and the
//! monitor's own rows (so uptime excludes the time Gatewatch was not watching). MonitorApp owns
//! the one instance of a run; this is the only code that writes the manager's output to the store.
//!
//! The EventLog may live on another thread (the GUI puts it on a store thread so commits never
//! block painting; headless keeps it on the main thread): every call into it is queued to the
//! log's own thread, so this object never touches SQLite itself. Neither pointer is owned.
class EventRecorder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventRecorder)

public:
    EventRecorder(AccountManager *manager, EventLog *log, QObject *parent = nullptr);
    ~EventRecorder() override;

    //! A `monitor_started` row (the beginning of a monitored interval).
    void recordMonitorStarted(const QString &mode);
    //! A `monitor_stopped` row, then recordLastAndFlush().
    void recordMonitorStoppedAndFlush(const QString &reason);

    //! Any row (queued to the log's thread).
    void record(const EventLogEntry &entry);
    //! The run's last row: the recorder stops listening to the manager, appends `entry`, then
    //! flushes the store; blocks until the store has committed when the log lives on another
    //! thread (so nothing is lost on quit).
    void recordLastAndFlush(const EventLogEntry &entry);

    //! A row about the monitor itself (no account), stamped now.
    [[nodiscard]] static EventLogEntry monitorEntry(EventKind kind, Severity severity, const QString &message,
                                                    const QJsonObject &fields = {});

private:
    void handleStatus(const AccountStatus &status);

    AccountManager *m_manager = nullptr;
    EventLog *m_log = nullptr;
    QHash<QString, quint64> m_acksSeen;  //!< per account: ACK count already sampled
};

} // namespace gw
