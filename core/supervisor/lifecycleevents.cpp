#include "lifecycleevents_p.h"

#include <QJsonValue>

#include <algorithm>

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

QString isoUtc(const QDateTime &at)
{
    return at.toUTC().toString(Qt::ISODateWithMs);
}

Severity severityOf(CloseSeverity severity)
{
    switch (severity) {
    case CloseSeverity::Info: return Severity::Info;
    case CloseSeverity::Warning: return Severity::Warning;
    case CloseSeverity::Error: return Severity::Error;
    }
    return Severity::Warning;
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

LifecycleEvent ready(const SessionInfo &session, const std::optional<SessionGap> &gap)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("session_id"), shortSession(session.sessionId));
    fields.insert(QStringLiteral("resume_host"), session.resumeGatewayUrl.host());
    fields.insert(QStringLiteral("user"), session.userName);
    fields.insert(QStringLiteral("guilds"), session.guildCount);
    QString message = QStringLiteral("READY as %1 (session %2…, %3 guilds)")
                          .arg(session.userName, shortSession(session.sessionId))
                          .arg(session.guildCount);
    if (!gap)
        return {EventKind::Ready, Severity::Info, message, fields};
    const QDateTime from = gap->from.toUTC();
    const QDateTime to = gap->to.isValid() ? gap->to.toUTC() : QDateTime::currentDateTimeUtc();
    const QString clock = QStringLiteral("HH:mm:ss");
    fields.insert(QStringLiteral("gap_to"), isoUtc(to));
    if (!from.isValid()) {
        // Nothing is known of the old session's end: only the upper bound.
        fields.insert(QStringLiteral("gap_ms"), QJsonValue());
        fields.insert(QStringLiteral("gap_from"), QJsonValue());
        message += QStringLiteral("; events before %1 were not delivered").arg(to.toString(clock));
        return {EventKind::Ready, Severity::Warning, message, fields};
    }
    fields.insert(QStringLiteral("gap_ms"), std::max<qint64>(0, from.msecsTo(to)));
    fields.insert(QStringLiteral("gap_from"), isoUtc(from));
    message += QStringLiteral("; events between %1 and %2 were not delivered")
                   .arg(from.toString(clock), to.toString(clock));
    return {EventKind::Ready, Severity::Warning, message, fields};
}

LifecycleEvent resumed(const ResumeOutcome &outcome)
{
    const bool missedKnown = outcome.missed >= 0;
    QJsonObject fields;
    fields.insert(QStringLiteral("replayed"), outcome.replayed);
    fields.insert(QStringLiteral("seq_before"), outcome.sequenceBefore);
    fields.insert(QStringLiteral("seq_after"), outcome.sequenceAfter);
    fields.insert(QStringLiteral("missed"), missedKnown ? QJsonValue(outcome.missed) : QJsonValue());
    fields.insert(QStringLiteral("lost"), outcome.lost);
    const QString seq = QStringLiteral("(seq %1 → %2)")
                            .arg(outcome.sequenceBefore)
                            .arg(outcome.sequenceAfter >= 0 ? QString::number(outcome.sequenceAfter)
                                                            : QStringLiteral("?"));
    if (outcome.lost <= 0) {
        return {EventKind::Resumed, Severity::Info,
                QStringLiteral("RESUMED: %1 events replayed, none lost %2").arg(outcome.replayed).arg(seq), fields};
    }
    const QString replayed = missedKnown
        ? QStringLiteral("%1 of %2 missed events replayed").arg(outcome.replayed).arg(outcome.missed)
        : QStringLiteral("%1 events replayed").arg(outcome.replayed);
    return {EventKind::Resumed, Severity::Warning,
            QStringLiteral("RESUMED: %1, %2 lost %3").arg(replayed).arg(outcome.lost).arg(seq), fields};
}

LifecycleEvent sequenceGap(qint64 expected, qint64 got)
{
    const qint64 lost = std::max<qint64>(0, got - expected);
    QJsonObject fields;
    fields.insert(QStringLiteral("expected"), expected);
    fields.insert(QStringLiteral("got"), got);
    fields.insert(QStringLiteral("lost"), lost);
    return {EventKind::SeqGap, Severity::Warning,
            QStringLiteral("%1 %2 missing: sequence jumped from %3 to %4")
                .arg(lost)
                .arg(lost == 1 ? QStringLiteral("event") : QStringLiteral("events"))
                .arg(expected - 1)
                .arg(got),
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
    QJsonObject fields;
    fields.insert(QStringLiteral("code"), codeValue(info.code));
    fields.insert(QStringLiteral("name"), CloseCodes::nameFor(info.code));
    fields.insert(QStringLiteral("meaning"), CloseCodes::describe(info.code, context));
    fields.insert(QStringLiteral("reason"), info.reason);
    fields.insert(QStringLiteral("initiator"), closeInitiatorName(info.initiator));
    fields.insert(QStringLiteral("action"), closeActionName(info.action));
    fields.insert(QStringLiteral("was_ready"), info.wasReady);
    fields.insert(QStringLiteral("cause"), closeCauseName(info.cause));
    fields.insert(QStringLiteral("session_kept"), info.sessionKept);
    return {EventKind::Close, severityOf(closeSeverity(info)), closeSummary(info), fields};
}

LifecycleEvent reconnectScheduled(int attempt, std::chrono::milliseconds delay, ReconnectMode mode, int level)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("delay_ms"), qint64(delay.count()));
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    fields.insert(QStringLiteral("attempt"), attempt);
    fields.insert(QStringLiteral("backoff_level"), level);
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

QString restLimitText(const RestRateLimitWait &wait)
{
    if (wait.global)
        return QStringLiteral("%1, global limit").arg(wait.route);
    if (wait.scope == QLatin1String("preemptive"))
        return QStringLiteral("%1, no requests left in its window").arg(wait.route);
    return QStringLiteral("%1, %2 limit").arg(wait.route, wait.scope == QLatin1String("shared") ? wait.scope : QStringLiteral("route"));
}

LifecycleEvent restRateLimited(const RestRateLimitWait &wait)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("route"), wait.route);
    fields.insert(QStringLiteral("retry_after_ms"), qint64(wait.wait.count()));
    fields.insert(QStringLiteral("global"), wait.global);
    fields.insert(QStringLiteral("scope"), wait.scope);
    if (!wait.bucket.isEmpty())
        fields.insert(QStringLiteral("bucket"), wait.bucket);
    return {EventKind::RateLimited, Severity::Warning,
            QStringLiteral("REST rate limit: waiting %1 ms before %2").arg(wait.wait.count()).arg(restLimitText(wait)),
            fields};
}

LifecycleEvent gatewayError(const GatewayError &error)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("kind"), errorKindName(error.kind));
    fields.insert(QStringLiteral("message"), error.message);
    fields.insert(QStringLiteral("code"), codeValue(error.closeCode));
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
