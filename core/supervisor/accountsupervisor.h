#pragma once

#include "accountstatus.h"
#include "gatewayclient.h"
#include "eventtypes.h"
#include "flapdetector.h"
#include "gatewaytimings.h"
#include "gatewaytypes.h"
#include "stallwatchdog.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>
#include <utility>

namespace gw {

namespace lifecycle {
struct LifecycleEvent;
}

//! The connection lifecycle (docs/lifecycle.md) for one
//! account (one shard), driven by the typed signals of the `GatewayClient` it owns.
//!
//! Phases: Idle → (start) AwaitReady → [READY guard timeout → one forced FreshIdentify per
//! `startupReadyRetries`] AwaitReadyRetry → (ready/resumed) Running → Finished.
//!
//! Timers (all single-shot members, configured in the constructor from GatewayTimings):
//! - `m_readyTimer` (readyTimeout): armed on entering AwaitReady / AwaitReadyRetry;
//!   stopped by ready()/resumed(); paused while the IDENTIFY waits in the identify queue
//!   (identifyQueued()) and armed afresh when op 2 / op 6 is really sent, so a shard that waits
//!   for its bucket is never taken for one that got no READY (resumed by a close while queued);
//! - `m_helloTimer` (helloWatch): armed on every socketOpened(); stopped by ready()/resumed(),
//!   socketClosed() and a new socketOpened(); paused while the IDENTIFY is queued and armed
//!   afresh when op 2 / op 6 is sent; on firing without READY/RESUMED it is a stall:
//!   reconnect(Resume), reconnect(Resume), and on the `maxHelloStalls`-th consecutive stall
//!   reconnect(FreshIdentify). The counter resets on ready()/resumed() and on a close of a
//!   socket that was ready;
//! - `m_reconnectWatchdog` (reconnectStallTimeout): measures the time since the account last
//!   LEFT Ready (the watchdog defect of the original, fixed; docs/lifecycle.md): armed, only if
//!   unarmed, by the first close or stall after Ready; disarmed only by ready()/resumed()/stop().
//!   On firing the supervisor finishes with Failed / WatchdogTimeout.
//!
//! Outcome: `finished(outcome, error)` is emitted exactly once, after cleanup (timers stopped,
//! client signals disconnected, client stopped with close 1000):
//! - Stopped: stop() was called;
//! - IntentsRejected: close 4014 (OpenClaw's 4014 log line; a clean stop, not a crash);
//! - Failed: any other terminal GatewayError (4004, 4010–4013, reconnect budget spent, identify
//!   refused, 401, READY guard exhausted, reconnect watchdog). `error` carries kind, code and
//!   the message.
//! Non-terminal errors (transport, protocol, REST, handshake) are logged and the client carries on.
//!
//! Status: the supervisor keeps one AccountStatus; each change emits statusChanged once
//! (dispatches and heartbeat ACKs update `lastEventAt` silently: they ride on the next emission,
//! so a flood of dispatches does not flood the status signal). While dispatches flow,
//! `m_statsTimer` (Options::statsRefresh, single-shot, armed by a dispatch when idle) emits one
//! status per period so the client's counters in `stats` (live/replayed dispatches, dispatches
//! in the last minute, last dispatch) never lag more than that period. Every lifecycle fact is also
//! emitted as an EventLogEntry (eventLogged) for the event log, JSON Lines and the UI.
//!
//! Single-threaded: the supervisor, its client and its timers live in one thread.
class AccountSupervisor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountSupervisor)
    Q_PROPERTY(Phase phase READ phase NOTIFY phaseChanged)

public:
    enum class Phase { Idle, AwaitReady, AwaitReadyRetry, Running, Finished };
    Q_ENUM(Phase)
    enum class Outcome { Stopped, IntentsRejected, Failed };
    Q_ENUM(Outcome)

    using Clock = std::function<qint64()>;

    struct Options
    {
        QString accountId;
        QString accountName;
        GatewayTimings timings;
        Clock clock;                          //!< empty: QDateTime::currentMSecsSinceEpoch
        //! A sharded account's shard [id, count]: every event row carries it as `shard` and the
        //! status as AccountStatus::shard. nullopt: not sharded (no `shard` field).
        std::optional<std::pair<int, int>> shard;
        //! Longest lag of `status().stats` behind the client while dispatches flow.
        std::chrono::milliseconds statsRefresh{1000};
    };

    //! Takes ownership of `client` (reparented to the supervisor). Connects every client signal
    //! (with this as context) but starts nothing.
    explicit AccountSupervisor(Options options, GatewayClient *client, QObject *parent = nullptr);
    //! Runs the same teardown as finish() without emitting anything.
    ~AccountSupervisor() override;

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] QString accountId() const { return m_options.accountId; }
    [[nodiscard]] GatewayClient *client() const { return m_client; }
    [[nodiscard]] const AccountStatus &status() const { return m_status; }
    [[nodiscard]] const GatewayTimings &timings() const { return m_options.timings; }
    //! Set once finished.
    [[nodiscard]] std::optional<Outcome> outcome() const { return m_outcome; }
    [[nodiscard]] GatewayError failure() const { return m_failure; }
    [[nodiscard]] int consecutiveHelloStalls() const { return m_helloStalls; }
    [[nodiscard]] int startupRetriesUsed() const { return m_startupRetries; }
    [[nodiscard]] const StallWatchdog &reconnectWatchdog() const { return m_reconnectWatchdog; }
    //! Any of the three lifecycle timers is running (false after finish: "no timer fires after
    //! stop()"). The status refresh timer is not one of them (it only re-emits the status).
    [[nodiscard]] bool hasActiveTimers() const;
    [[nodiscard]] bool isHelloWatchActive() const { return m_helloTimer.isActive(); }
    [[nodiscard]] bool isReadyGuardActive() const { return m_readyTimer.isActive(); }

    //! The log spelling of the Outcome (lower-case: "stopped", "intents_rejected", "failed").
    static QString outcomeName(Outcome outcome);

public Q_SLOTS:
    //! Idle → AwaitReady; starts the READY guard and then the client. After stop() it only
    //! re-reports connected=false (it never reports connected=true). Idempotent.
    void start();
    //! Idempotent and terminal (the abort path): {connected:false, lastEventAt}, then finish(Stopped).
    void stop();
    //! stop() for a quit or SIGTERM: the client is suspended (close 4000) instead of stopped
    //! (1000), so the session stays resumable for the next start (docs/lifecycle.md, B3).
    void suspend();
    //! A user's "reconnect now": the client's reconnect(mode); ignored unless started and not finished.
    void forceReconnect(gw::ReconnectMode mode);
    //! The force-stop (OpenClaw's registerForceStop): finish(Failed, error). Ignored once finished.
    void forceStop(const gw::GatewayError &error);

Q_SIGNALS:
    void phaseChanged(gw::AccountSupervisor::Phase phase);
    void statusChanged(const gw::AccountStatus &status);
    void eventLogged(const gw::EventLogEntry &entry);
    //! Exactly once per supervisor, after cleanup.
    void finished(gw::AccountSupervisor::Outcome outcome, const gw::GatewayError &error);

private:
    void setPhase(Phase phase);
    void applyPatch(const StatusPatch &patch);
    //! Mutates the status through `change`, then emits statusChanged once.
    void updateStatus(const std::function<void(AccountStatus &)> &change);
    void logEvent(const lifecycle::LifecycleEvent &event);
    void finish(Outcome outcome, const GatewayError &error);
    void teardown();
    [[nodiscard]] qint64 nowMs() const;
    [[nodiscard]] QDateTime toDateTime(qint64 ms) const;
    [[nodiscard]] bool isStopping() const { return m_stopping || m_phase == Phase::Finished; }
    StatusPatch connectedPatch(qint64 at) const;

    // client signal handlers
    void handleClientStateChanged(gw::ConnectionState state);
    void handleConnecting(const QUrl &url, gw::ReconnectMode mode);
    void handleSocketOpened();
    void handleHelloReceived(std::chrono::milliseconds interval);
    void handleIdentifyQueued(int shardId);
    void handleIdentifySent(int shardId, int shardCount);
    //! op 2 / op 6 went out: the READY guard (during startup) and the HELLO watch count from now.
    void armSessionTimers();
    void handleResumeSent(const QString &sessionId, qint64 sequence);
    void handleReady(const gw::SessionInfo &session);
    void handleResumed(const gw::ResumeOutcome &outcome);
    void handleSequenceGap(qint64 expected, qint64 got);
    void handleSessionReplaced(const QDateTime &gapFrom, const QDateTime &gapTo);
    void handleConnected(qint64 at);
    void handleDispatch();
    void handleDispatchReceived();
    void handleZombie();
    void handleReconnectRequested();
    void handleInvalidSession(bool resumable);
    void handleSocketClosed(const gw::CloseInfo &info);
    void handleReconnectScheduled(int attempt, std::chrono::milliseconds delay, gw::ReconnectMode mode);
    void handleGatewayInfo(const gw::GatewayBotInfo &info);
    void handleRestRateLimited(const gw::RestRateLimitWait &wait);
    // recovery (accountsupervisor_recovery.cpp): flapping and the identify budget wait
    void handleSessionStable();
    void handleIdentifyBudgetWait(const gw::GatewayError &reason, const QDateTime &until);
    //! After a socket's close: a live session that died counts towards flapping.
    void noteSessionEnd(const gw::CloseInfo &info, qint64 at);
    //! The budget wait is over (an attempt started, or the session is live).
    void endBudgetWait();
    void handleStatsChanged();
    void handleError(const gw::GatewayError &error);

    // timer handlers
    void handleReadyTimeout();
    void handleHelloTimeout();
    void handleWatchdogTimeout(std::chrono::milliseconds idle, std::chrono::milliseconds timeout);

    Options m_options;
    QPointer<GatewayClient> m_client;
    QTimer m_readyTimer;
    QTimer m_helloTimer;
    QTimer m_statsTimer;
    StallWatchdog m_reconnectWatchdog;
    AccountStatus m_status;
    Phase m_phase = Phase::Idle;
    std::optional<Outcome> m_outcome;
    GatewayError m_failure;
    int m_helloStalls = 0;
    int m_startupRetries = 0;
    bool m_stopping = false;
    bool m_keepSession = false;   //!< suspend(): teardown closes with 4000, not 1000
    bool m_tornDown = false;
    bool m_sawIntentsError = false;
    bool m_identifyQueued = false;    //!< the READY guard is paused for the identify queue
    bool m_budgetWait = false;      //!< waiting for the identify budget: READY guard and watchdog paused
    FlapDetector m_flaps;
    ConnectionState m_lastClientState = ConnectionState::Stopped;
    //! From sessionReplaced() until the READY that follows it.
    std::optional<std::pair<QDateTime, QDateTime>> m_pendingGap;
};

} // namespace gw
