#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QString>

#include <optional>

//! The typed rows of the event log (docs/architecture.md, "The event log is the product's memory").
//! One row per lifecycle fact; heartbeat samples have their own table (EventLog::addHeartbeat).
namespace gw {

struct EventKinds
{
    Q_GADGET
public:
    //! The kinds of the headless JSON Lines output (docs/headless.md); eventKindName() gives the snake_case spelling
    //! used in the database, exports, headless output and metrics.
    enum class Kind {
        State,               //!< fields: state, previous
        Hello,               //!< heartbeat_interval_ms
        Identify,            //!< shard_id, shard_count, intents
        Resume,              //!< session_id (shortened), seq
        Ready,               //!< session_id, resume_host, user, guilds; after a replaced session gap_ms, gap_from, gap_to
        Resumed,             //!< replayed, seq_before, seq_after, missed, lost
        ReconnectRequested,  //!< op 7
        InvalidSession,      //!< resumable
        Close,               //!< code, meaning, initiator, action, was_ready, cause, session_kept
        Zombie,              //!< missed_acks
        HelloTimeout,        //!< stall n/max, mode
        ReadyTimeout,        //!< attempt
        WatchdogTimeout,     //!< idle_ms, timeout_ms
        ReconnectScheduled,  //!< delay_ms, mode, attempt
        Fatal,               //!< reason, code
        Error,               //!< kind, message
        UserAction,          //!< action
        MonitorStarted,      //!< the monitor itself began watching (uptime excludes gaps)
        MonitorStopped,
        GatewayInfo,         //!< remaining, total, reset_after_ms, max_concurrency, shards
        SeqGap,              //!< expected, got, lost: live dispatches skipped a sequence number
        RateLimited,         //!< route, retry_after_ms, global, scope, bucket: a REST request waits on a rate limit
        Flapping,            //!< sessions, window_ms: that many sessions died within the window (once per episode)
        FlappingEnded,       //!< stable_ms: a session stayed ready that long; the episode is over
        IdentifyBudgetWait,  //!< until, remaining, total, floor: no IDENTIFY before the budget resets
    };
    Q_ENUM(Kind)

    enum class Severity { Debug, Info, Warning, Error };
    Q_ENUM(Severity)
};

using EventKind = EventKinds::Kind;
using Severity = EventKinds::Severity;

QString eventKindName(EventKind kind);           //!< "reconnect_scheduled"
std::optional<EventKind> eventKindFromName(QStringView name);
QString severityName(Severity severity);         //!< "info"
std::optional<Severity> severityFromName(QStringView name);

//! One row. `accountId` is the account's stable id (UUID string); `accountName` its display
//! name at the time of the event. `fields` holds the per-kind structured values (never a token).
struct EventLogEntry
{
    qint64 id = 0;                 //!< assigned by the store (0 before insertion)
    QDateTime at;                  //!< UTC, millisecond precision
    QString accountId;
    QString accountName;
    EventKind kind = EventKind::Error;
    Severity severity = Severity::Info;
    QString message;               //!< one human sentence, already redacted
    QJsonObject fields;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::EventLogEntry)
