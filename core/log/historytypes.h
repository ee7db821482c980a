#pragma once

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

//! The derived history of the event log: maintained by EventLog as events are
//! committed, read through EventQuery.
namespace gw {

//! One disconnect of one account: opened by a `close` (or an `invalid_session`) event, closed
//! by the next `resumed` (recovered by RESUME) or `ready` (recovered by IDENTIFY: the events
//! sent while the session was gone are lost).
struct DisconnectRecord
{
    enum class Recovery { None, Resume, Identify };

    qint64 id = 0;
    QString accountId;
    QString accountName;
    QDateTime start;                    //!< time of the close
    std::optional<QDateTime> end;       //!< time of READY / RESUMED; nullopt while still down
    std::optional<int> closeCode;       //!< nullopt for an op 9 without a socket close
    QString meaning;                    //!< the close event's "meaning" field
    QString initiator;                  //!< the close event's "initiator" field ("server", "client", …)
    Recovery recoveredBy = Recovery::None;
    bool fatal = false;                 //!< a `fatal` event came while it was open: not retrying
    bool eventsLost = false;            //!< recovered by a re-IDENTIFY: events in the gap are lost
    std::optional<qint64> replayed;     //!< RESUMED's "replayed"
    std::optional<qint64> seqBefore;    //!< RESUMED's "seq_before" (or the close's "seq")
    std::optional<qint64> seqAfter;     //!< RESUMED's "seq_after"
    std::optional<qint64> missed;       //!< RESUMED's "missed": events sent while we were away
    //! Events that never arrived: RESUMED's "lost" (0 = none lost); nullopt while open and when
    //! a new session replaced the old one (loss of unknown size, see `eventsLost`).
    std::optional<qint64> lost;
    QString cause;                      //!< the first close's "cause" ("op7", "zombie", "server", …)
    int closeCount = 1;                 //!< closes while it was open (failed attempts included)
    qint64 closeEventId = 0;
    qint64 endEventId = 0;

    //! end - start, or nullopt while still open.
    [[nodiscard]] std::optional<qint64> downtimeMs() const
    {
        if (!end)
            return std::nullopt;
        return start.msecsTo(*end);
    }
};

QString recoveryName(DisconnectRecord::Recovery recovery);   //!< "none", "resume", "identify"

//! One raw heartbeat round trip (kept for the raw window, 72 h by default).
struct HeartbeatSample
{
    QDateTime at;
    double latencyMs = 0.0;
};

//! One hour of heartbeat round trips of one account (kept after the raw samples are pruned).
struct HeartbeatHourly
{
    QDateTime hourStart;                //!< UTC, on the hour
    qint64 count = 0;
    double sumMs = 0.0;
    double minMs = 0.0;
    double maxMs = 0.0;

    [[nodiscard]] double meanMs() const { return count > 0 ? sumMs / double(count) : 0.0; }
};

//! One point of a latency series (the details pane's chart): a raw sample, or the mean of a
//! bucket of samples or of an hourly aggregate.
struct LatencyPoint
{
    QDateTime at;
    double ms = 0;                  //!< mean over the sample / bucket
    std::optional<double> maxMs;    //!< optional envelope (hourly aggregates)
};

//! One interval during which Gatewatch itself was running and watching.
struct MonitorRun
{
    qint64 id = 0;
    QDateTime start;
    QDateTime lastAlive;                //!< refreshed while running (at least every alive interval)
    std::optional<QDateTime> stopped;   //!< nullopt while running or after a crash
    bool crashed = false;               //!< ended without monitor_stopped: ends at lastAlive
};

//! Uptime of one account over [from, to). `up + down + noData == to - from`.
//! Up = state ready or degraded; down = any other state except `stopped` (paused or not
//! started, which is "no data" like the time Gatewatch was not running).
struct UptimeReport
{
    QDateTime from;
    QDateTime to;
    qint64 upMs = 0;
    qint64 downMs = 0;
    qint64 monitoredMs = 0;             //!< up + down: the time with data
    qint64 noDataMs = 0;                //!< not running, account paused, or state unknown
    std::optional<double> percent;      //!< 100 * up / monitored; nullopt when monitored == 0
};

//! Disconnects of one account (or all) in a period.
struct DowntimeSummary
{
    QDateTime from;
    QDateTime to;
    int disconnects = 0;                //!< disconnects that started in [from, to)
    int recoveredByResume = 0;
    int recoveredByIdentify = 0;
    int unrecovered = 0;                //!< still open at the time of the query
    qint64 totalDowntimeMs = 0;         //!< overlap of every disconnect with [from, to) ∩ monitored time
    qint64 longestMs = 0;               //!< the longest such overlap
};

} // namespace gw

Q_DECLARE_METATYPE(gw::DisconnectRecord)
Q_DECLARE_METATYPE(gw::UptimeReport)
