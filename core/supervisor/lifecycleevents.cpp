#include "lifecycleevents_p.h"

#include <QJsonValue>

namespace gw::lifecycle {

namespace {

QString shortSession(const QString &sessionId)
{
    return sessionId.left(8);
}

QJsonValue codeValue(std::optional<int> code)
{
    return code ? QJsonValue(*code) : QJsonValue();
}

// OpenClaw's 4014 log line, kept word for word.
QString intentsLine()
{
    return QStringLiteral(
        "discord: gateway closed with code 4014 (missing privileged gateway intents). Enable the "
        "required intents in the Discord Developer Portal or disable them in config.");
}

} // namespace

LifecycleEvent stateChanged(ConnectionState previous, ConnectionState next)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("state"), stateName(next));
    fields.insert(QStringLiteral("previous"), stateName(previous));
    return {EventKind::State, next == ConnectionState::Failed ? Severity::Error : Severity::Info,
            QStringLiteral("%1 → %2").arg(stateName(previous), stateName(next)), fields};
}

LifecycleEvent monitorStarted()
{
    return {EventKind::MonitorStarted, Severity::Info, QStringLiteral("monitor started"), {}};
}

LifecycleEvent monitorStopped(const QString &outcome)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("outcome"), outcome);
    return {EventKind::MonitorStopped, Severity::Info, QStringLiteral("monitor stopped (%1)").arg(outcome),
            fields};
}

LifecycleEvent fatal(const GatewayError &error, const QString &outcome, bool intentsRejected)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("reason"), errorKindName(error.kind));
    fields.insert(QStringLiteral("code"), codeValue(error.closeCode));
    fields.insert(QStringLiteral("outcome"), outcome);
    const QString text = intentsRejected && !error.message.isEmpty()
        ? intentsLine() + QLatin1Char(' ') + error.message
        : error.message;
    return {EventKind::Fatal, Severity::Error, text, fields};
}

LifecycleEvent userReconnect(ReconnectMode mode)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("action"), QStringLiteral("force_reconnect"));
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    return {EventKind::UserAction, Severity::Info,
            QStringLiteral("reconnect requested (%1)").arg(reconnectModeName(mode)), fields};
}

LifecycleEvent hello(std::chrono::milliseconds interval)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("heartbeat_interval_ms"), qint64(interval.count()));
    return {EventKind::Hello, Severity::Debug,
            QStringLiteral("HELLO: heartbeat every %1 ms").arg(interval.count()), fields};
}

LifecycleEvent identifySent(int shardId, int shardCount, std::optional<quint32> intents)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("shard_id"), shardId);
    fields.insert(QStringLiteral("shard_count"), shardCount);
    if (intents)
        fields.insert(QStringLiteral("intents"), qint64(*intents));
    return {EventKind::Identify, Severity::Info,
            QStringLiteral("IDENTIFY sent (shard %1/%2)").arg(shardId).arg(shardCount), fields};
}

LifecycleEvent resumeSent(const QString &sessionId, qint64 sequence)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("session_id"), shortSession(sessionId));
    fields.insert(QStringLiteral("seq"), sequence);
    return {EventKind::Resume, Severity::Info,
            QStringLiteral("RESUME sent (session %1…, seq %2)").arg(shortSession(sessionId)).arg(sequence),
            fields};
}

LifecycleEvent ready(const SessionInfo &session)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("session_id"), shortSession(session.sessionId));
    fields.insert(QStringLiteral("resume_host"), session.resumeGatewayUrl.host());
    fields.insert(QStringLiteral("user"), session.userName);
    fields.insert(QStringLiteral("guilds"), session.guildCount);
    return {EventKind::Ready, Severity::Info,
            QStringLiteral("READY as %1 (session %2…, %3 guilds)")
                .arg(session.userName, shortSession(session.sessionId))
                .arg(session.guildCount),
            fields};
}

LifecycleEvent resumed(int replayed, qint64 sequenceBefore, qint64 sequenceAfter)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("replayed"), replayed);
    fields.insert(QStringLiteral("seq_before"), sequenceBefore);
    fields.insert(QStringLiteral("seq_after"), sequenceAfter);
    return {EventKind::Resumed, Severity::Info,
            QStringLiteral("RESUMED: %1 events replayed (seq %2 → %3)")
                .arg(replayed)
                .arg(sequenceBefore)
                .arg(sequenceAfter),
            fields};
}

LifecycleEvent zombie(int missedAcks)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("missed_acks"), missedAcks);
    return {EventKind::Zombie, Severity::Warning,
            QStringLiteral("zombie connection: heartbeat not acknowledged; reconnecting"), fields};
}

LifecycleEvent reconnectRequested()
{
    return {EventKind::ReconnectRequested, Severity::Info,
            QStringLiteral("op 7 RECONNECT: the gateway asked for a reconnect"), {}};
}

LifecycleEvent invalidSession(bool resumable)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("resumable"), resumable);
    return {EventKind::InvalidSession, Severity::Warning,
            resumable ? QStringLiteral("op 9 INVALID_SESSION (resumable): resuming")
                      : QStringLiteral("op 9 INVALID_SESSION (not resumable): new session, events in the gap are lost"),
            fields};
}

LifecycleEvent socketClosed(const CloseInfo &info, const CloseContext &context)
{
    const QString meaning = CloseCodes::describe(info.code, context);
    QJsonObject fields;
    fields.insert(QStringLiteral("code"), codeValue(info.code));
    fields.insert(QStringLiteral("name"), CloseCodes::nameFor(info.code));
    fields.insert(QStringLiteral("meaning"), meaning);
    fields.insert(QStringLiteral("reason"), info.reason);
    fields.insert(QStringLiteral("initiator"), closeInitiatorName(info.initiator));
    fields.insert(QStringLiteral("action"), closeActionName(info.action));
    fields.insert(QStringLiteral("was_ready"), info.wasReady);
    const QString code = info.code ? QString::number(*info.code) : QStringLiteral("none");
    return {EventKind::Close, info.action == CloseAction::Fatal ? Severity::Error : Severity::Warning,
            QStringLiteral("WebSocket connection closed with code %1 (%2) by %3; next: %4")
                .arg(code, meaning, closeInitiatorName(info.initiator), closeActionName(info.action)),
            fields};
}

LifecycleEvent reconnectScheduled(int attempt, std::chrono::milliseconds delay, ReconnectMode mode)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("delay_ms"), qint64(delay.count()));
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    fields.insert(QStringLiteral("attempt"), attempt);
    return {EventKind::ReconnectScheduled, Severity::Info,
            QStringLiteral("%1 with backoff in %2 ms (attempt %3)")
                .arg(mode == ReconnectMode::Resume ? QStringLiteral("Attempting resume")
                                                   : QStringLiteral("Reconnecting (identify)"))
                .arg(delay.count())
                .arg(attempt),
            fields};
}

LifecycleEvent gatewayInfo(const GatewayBotInfo &info)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("remaining"), info.limit.remaining);
    fields.insert(QStringLiteral("total"), info.limit.total);
    fields.insert(QStringLiteral("reset_after_ms"), qint64(info.limit.resetAfter.count()));
    fields.insert(QStringLiteral("max_concurrency"), info.limit.maxConcurrency);
    fields.insert(QStringLiteral("shards"), info.shards);
    return {EventKind::GatewayInfo, Severity::Debug,
            QStringLiteral("gateway: %1 shard(s) recommended, %2/%3 session starts left")
                .arg(info.shards)
                .arg(info.limit.remaining)
                .arg(info.limit.total),
            fields};
}

LifecycleEvent gatewayError(const GatewayError &error, bool intents)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("kind"), errorKindName(error.kind));
    fields.insert(QStringLiteral("message"), error.message);
    fields.insert(QStringLiteral("code"), codeValue(error.closeCode));
    if (intents)
        return {EventKind::Error, Severity::Error, intentsLine(), fields};
    const QString text = error.message.isEmpty() ? errorKindName(error.kind) : error.message;
    return {EventKind::Error, error.isTerminal() ? Severity::Error : Severity::Warning,
            QStringLiteral("discord gateway error: %1").arg(text), fields};
}

LifecycleEvent readyTimeout(int attempt, std::chrono::milliseconds timeout, bool forcing)
{
    const qint64 timeoutMs = qint64(timeout.count());
    QJsonObject fields;
    fields.insert(QStringLiteral("attempt"), attempt);
    fields.insert(QStringLiteral("timeout_ms"), timeoutMs);
    const QString message = forcing
        ? QStringLiteral("discord: gateway was not ready after %1ms; forcing a fresh reconnect").arg(timeoutMs)
        : QStringLiteral("discord gateway did not reach READY within %1ms after a forced reconnect").arg(timeoutMs);
    return {EventKind::ReadyTimeout, Severity::Error, message, fields};
}

LifecycleEvent helloStall(int stall, int maxStalls, ReconnectMode mode, std::chrono::milliseconds watch)
{
    const qint64 watchMs = qint64(watch.count());
    const bool fresh = mode == ReconnectMode::FreshIdentify;
    QJsonObject fields;
    fields.insert(QStringLiteral("stall"), stall);
    fields.insert(QStringLiteral("max"), maxStalls);
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    fields.insert(QStringLiteral("timeout_ms"), watchMs);
    return {EventKind::HelloTimeout, Severity::Info,
            QStringLiteral("connection stalled: no HELLO within %1ms (%2/%3); %4")
                .arg(watchMs)
                .arg(stall)
                .arg(maxStalls)
                .arg(fresh ? QStringLiteral("forcing fresh identify") : QStringLiteral("retrying resume")),
            fields};
}

LifecycleEvent watchdogTimeout(std::chrono::milliseconds idle, std::chrono::milliseconds timeout)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("idle_ms"), qint64(idle.count()));
    fields.insert(QStringLiteral("timeout_ms"), qint64(timeout.count()));
    return {EventKind::WatchdogTimeout, Severity::Error,
            QStringLiteral("discord: reconnect watchdog timeout after %1ms; force-stopping monitor task")
                .arg(timeout.count()),
            fields};
}

} // namespace gw::lifecycle
