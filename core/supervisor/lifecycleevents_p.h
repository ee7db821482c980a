#pragma once

// Private to AccountSupervisor: not part of the supervisor library's API.

#include "closecode.h"
#include "eventtypes.h"
#include "gatewaytypes.h"
#include "restratelimiter.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <chrono>
#include <optional>

//! What AccountSupervisor writes to the event log for each lifecycle fact: the kind, the
//! severity, the sentence and the structured fields (docs/lifecycle.md, "Event log"). One
//! function per fact, so the supervisor's handlers only decide *when* something is logged.
namespace gw::lifecycle {

//! An EventLogEntry without the time and the account (the supervisor adds those).
struct LifecycleEvent
{
    EventKind kind = EventKind::Error;
    Severity severity = Severity::Info;
    QString message;
    QJsonObject fields;
};

LifecycleEvent stateChanged(ConnectionState previous, ConnectionState next);
LifecycleEvent monitorStarted();
LifecycleEvent monitorStopped(const QString &outcome);
//! The terminal error; `intentsRejected` prefixes the 4014 line to the message.
LifecycleEvent fatal(const GatewayError &error, const QString &outcome, bool intentsRejected);
LifecycleEvent userReconnect(ReconnectMode mode);

LifecycleEvent hello(std::chrono::milliseconds interval);
LifecycleEvent identifySent(int shardId, int shardCount, std::optional<quint32> intents);
LifecycleEvent resumeSent(const QString &sessionId, qint64 sequence);
//! The span during which a replaced session's events were not delivered (sessionReplaced).
struct SessionGap
{
    QDateTime from;   //!< the old session's last dispatch (or its close)
    QDateTime to;     //!< READY of the new session
};

//! READY; after a replaced session (`gap`) it says which events were not delivered (warning).
LifecycleEvent ready(const SessionInfo &session, const std::optional<SessionGap> &gap = std::nullopt);
//! RESUMED with what the replay recovered: warning when events were lost.
LifecycleEvent resumed(const ResumeOutcome &outcome);
//! Live dispatches skipped sequence numbers: `expected` = last + 1, `got` > expected.
LifecycleEvent sequenceGap(qint64 expected, qint64 got);
LifecycleEvent zombie(int missedAcks);
LifecycleEvent reconnectRequested();
LifecycleEvent invalidSession(bool resumable);
LifecycleEvent socketClosed(const CloseInfo &info, const CloseContext &context);
//! `level`: the client's backoff level (failed attempts and short sessions since a stable one).
LifecycleEvent reconnectScheduled(int attempt, std::chrono::milliseconds delay, ReconnectMode mode, int level = 0);
LifecycleEvent gatewayInfo(const GatewayBotInfo &info);
//! A REST request waits on a rate limit (kind rate_limited: route, retry_after_ms, global, scope).
LifecycleEvent restRateLimited(const RestRateLimitWait &wait);
//! "GET /gateway/bot, global limit" (the status line of a rate-limit wait).
QString restLimitText(const RestRateLimitWait &wait);
//! A GatewayError as reported (not a 4014: its guidance goes into the `fatal` row).
LifecycleEvent gatewayError(const GatewayError &error);

//! The READY guard fired: `attempt` of the guard, `forcing` = a fresh IDENTIFY follows (else
//! the account fails with this message).
LifecycleEvent readyTimeout(int attempt, std::chrono::milliseconds timeout, bool forcing);
LifecycleEvent helloStall(int stall, int maxStalls, ReconnectMode mode, std::chrono::milliseconds watch);
LifecycleEvent watchdogTimeout(std::chrono::milliseconds idle, std::chrono::milliseconds timeout);

} // namespace gw::lifecycle

// --- recovery (lifecycleevents_recovery.cpp; docs/lifecycle.md, "Backoff, flapping, jitter") ---
namespace gw::lifecycle {

//! An episode began: `sessions` sessions died within `window` (warning).
LifecycleEvent flapping(int sessions, std::chrono::milliseconds window);
//! The episode is over: a session stayed ready for `stable`.
LifecycleEvent flappingEnded(std::chrono::milliseconds stable);
//! No IDENTIFY before `until`; the figures of the last GET /gateway/bot when known (warning).
LifecycleEvent identifyBudgetWait(const GatewayError &reason, const QDateTime &until,
                                  const std::optional<SessionStartLimit> &limit);

} // namespace gw::lifecycle
