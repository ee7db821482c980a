#include "accountsupervisor.h"

#include "accountregistry.h"
#include "closecode.h"
#include "gatewayclient.h"
#include "logging.h"

#include <QDateTime>
#include <QJsonValue>

using namespace std::chrono_literals;

namespace gw {

namespace {

QString reconnectLabel(const QString &accountId)
{
    return QStringLiteral("discord:%1:reconnect").arg(accountId);
}

bool isConnectedState(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Ready:
    case ConnectionState::Degraded:
        return true;
    case ConnectionState::Stopped:
    case ConnectionState::Connecting:
    case ConnectionState::AwaitingHello:
    case ConnectionState::Identifying:
    case ConnectionState::Resuming:
    case ConnectionState::Reconnecting:
    case ConnectionState::Failed:
        return false;
    }
    return false;
}

QString shortSession(const QString &sessionId)
{
    return sessionId.left(8);
}

// The seed's 4014 line (provider.lifecycle.ts, logGatewayError), kept word for word.
const char k_intentsLogLine[] =
    "discord: gateway closed with code 4014 (missing privileged gateway intents). Enable the "
    "required intents in the Discord Developer Portal or disable them in config.";

} // namespace

AccountSupervisor::AccountSupervisor(Options options, GatewayClient *client, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_client(client)
    , m_reconnectWatchdog(reconnectLabel(m_options.accountId), m_options.timings.reconnectStallTimeout,
                          m_options.clock)
{
    m_status.accountId = m_options.accountId;
    m_status.accountName = m_options.accountName;

    m_readyTimer.setSingleShot(true);
    m_readyTimer.setInterval(m_options.timings.readyTimeout);
    m_readyTimer.callOnTimeout(this, &AccountSupervisor::handleReadyTimeout);

    m_helloTimer.setSingleShot(true);
    m_helloTimer.setInterval(m_options.timings.helloWatch);
    m_helloTimer.callOnTimeout(this, &AccountSupervisor::handleHelloTimeout);

    connect(&m_reconnectWatchdog, &StallWatchdog::timedOut, this,
            &AccountSupervisor::handleWatchdogTimeout);

    if (!m_client)
        return;
    m_client->setParent(this);
    m_lastClientState = m_client->state();
    m_status.state = m_lastClientState;

    // Every client signal, connected before start() (seed §5 row 1: no early-error queue).
    GatewayClient *c = m_client;
    connect(c, &GatewayClient::stateChanged, this, &AccountSupervisor::handleClientStateChanged);
    connect(c, &GatewayClient::connecting, this, &AccountSupervisor::handleConnecting);
    connect(c, &GatewayClient::socketOpened, this, &AccountSupervisor::handleSocketOpened);
    connect(c, &GatewayClient::helloReceived, this, &AccountSupervisor::handleHelloReceived);
    connect(c, &GatewayClient::identifySent, this, &AccountSupervisor::handleIdentifySent);
    connect(c, &GatewayClient::resumeSent, this, &AccountSupervisor::handleResumeSent);
    connect(c, &GatewayClient::ready, this, &AccountSupervisor::handleReady);
    connect(c, &GatewayClient::resumed, this, [this, c](const ResumeOutcome &outcome) {
        handleResumed(outcome.replayed, outcome.sequenceBefore, c->stats().lastSequence);
    });
    connect(c, &GatewayClient::dispatchReceived, this, &AccountSupervisor::handleDispatch);
    connect(c, &GatewayClient::heartbeatAcked, this, &AccountSupervisor::handleDispatch);
    connect(c, &GatewayClient::zombieDetected, this, &AccountSupervisor::handleZombie);
    connect(c, &GatewayClient::reconnectRequested, this, &AccountSupervisor::handleReconnectRequested);
    connect(c, &GatewayClient::invalidSession, this, &AccountSupervisor::handleInvalidSession);
    connect(c, &GatewayClient::socketClosed, this, &AccountSupervisor::handleSocketClosed);
    connect(c, &GatewayClient::reconnectScheduled, this, &AccountSupervisor::handleReconnectScheduled);
    connect(c, &GatewayClient::gatewayInfoReceived, this, &AccountSupervisor::handleGatewayInfo);
    connect(c, &GatewayClient::statsChanged, this, &AccountSupervisor::handleStatsChanged);
    connect(c, &GatewayClient::errorOccurred, this, &AccountSupervisor::handleError);
}

AccountSupervisor::~AccountSupervisor()
{
    teardown();
}

QString AccountSupervisor::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Stopped: return QStringLiteral("stopped");
    case Outcome::IntentsRejected: return QStringLiteral("intents_rejected");
    case Outcome::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("unknown");
}

bool AccountSupervisor::hasActiveTimers() const
{
    return m_readyTimer.isActive() || m_helloTimer.isActive() || m_reconnectWatchdog.isTimerActive();
}

qint64 AccountSupervisor::nowMs() const
{
    return m_options.clock ? m_options.clock() : QDateTime::currentMSecsSinceEpoch();
}

QDateTime AccountSupervisor::toDateTime(qint64 ms) const
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

void AccountSupervisor::setPhase(Phase phase)
{
    if (m_phase == phase)
        return;
    qCDebug(lcLifecycle) << m_options.accountId << "phase" << m_phase << "->" << phase;
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

void AccountSupervisor::applyPatch(const StatusPatch &patch)
{
    updateStatus([&patch](AccountStatus &s) { patch.applyTo(s); });
}

void AccountSupervisor::updateStatus(const std::function<void(AccountStatus &)> &change)
{
    change(m_status);
    if (m_client && !m_tornDown) {
        m_status.stats = m_client->stats();
        if (m_status.state == ConnectionState::Reconnecting)
            m_status.nextAttemptAt = m_client->nextAttemptAt();
    }
    Q_EMIT statusChanged(m_status);
}

void AccountSupervisor::logEvent(EventKind kind, Severity severity, const QString &message,
                                 const QJsonObject &fields)
{
    EventLogEntry entry;
    entry.at = toDateTime(nowMs());
    entry.accountId = m_options.accountId;
    entry.accountName = m_options.accountName;
    entry.kind = kind;
    entry.severity = severity;
    entry.message = message;
    entry.fields = fields;
    switch (severity) {
    case Severity::Debug:
        qCDebug(lcLifecycle).noquote() << m_options.accountName << message;
        break;
    case Severity::Info:
        qCInfo(lcLifecycle).noquote() << m_options.accountName << message;
        break;
    case Severity::Warning:
    case Severity::Error:
        qCWarning(lcLifecycle).noquote() << m_options.accountName << message;
        break;
    }
    Q_EMIT eventLogged(entry);
}

StatusPatch AccountSupervisor::connectedPatch(qint64 at) const
{
    StatusPatch p;
    p.connected = true;
    p.lastConnectedAt = toDateTime(at);
    p.lastEventAt = toDateTime(at);
    p.lastDisconnect = std::optional<DisconnectInfo>{};
    return p;
}

// --- verbs -------------------------------------------------------------------------------------

void AccountSupervisor::start()
{
    if (m_phase == Phase::Finished) {
        // Seed case 14: aborted before the call → report connected=false, never true.
        StatusPatch p;
        p.connected = false;
        applyPatch(p);
        return;
    }
    if (m_phase != Phase::Idle)
        return;
    if (m_options.registry && m_client)
        m_options.registry->registerClient(m_options.accountId, m_client);
    setPhase(Phase::AwaitReady);
    m_readyTimer.start();
    logEvent(EventKind::MonitorStarted, Severity::Info, QStringLiteral("monitor started"));
    if (m_client)
        m_client->start();
}

void AccountSupervisor::stop()
{
    if (m_phase == Phase::Finished)
        return;
    // Seed onAbort (B3): stopping, disarm, {connected:false, lastEventAt:now}, then the
    // client's terminal, silent stop (in teardown) and the Stopped outcome.
    m_stopping = true;
    m_reconnectWatchdog.disarm();
    StatusPatch p;
    p.connected = false;
    p.lastEventAt = toDateTime(nowMs());
    applyPatch(p);
    finish(Outcome::Stopped, {});
}

void AccountSupervisor::forceReconnect(ReconnectMode mode)
{
    if (m_phase == Phase::Idle || isStopping() || !m_client)
        return;
    QJsonObject fields;
    fields.insert(QStringLiteral("action"), QStringLiteral("force_reconnect"));
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    logEvent(EventKind::UserAction, Severity::Info,
             QStringLiteral("reconnect requested (%1)").arg(reconnectModeName(mode)), fields);
    m_client->reconnect(mode);
}

void AccountSupervisor::forceStop(const GatewayError &error)
{
    if (m_phase == Phase::Finished)
        return;
    finish(Outcome::Failed, error);
}

void AccountSupervisor::teardown()
{
    if (m_tornDown)
        return;
    m_tornDown = true;
    m_stopping = true;
    // Seed B7 order: unregister, watchdog.stop(), clear the HELLO watch, detach listeners.
    if (m_options.registry)
        m_options.registry->unregisterClient(m_options.accountId, m_client);
    m_reconnectWatchdog.stop();
    m_helloTimer.stop();
    m_readyTimer.stop();
    if (m_client) {
        disconnect(m_client, nullptr, this, nullptr);
        m_client->stop();
    }
}

void AccountSupervisor::finish(Outcome outcome, const GatewayError &error)
{
    if (m_phase == Phase::Finished)
        return;
    // Seed B7 catch: once the intents error was seen, the lifecycle ends cleanly whatever
    // error comes after it.
    if (outcome == Outcome::Failed && m_sawIntentsError)
        outcome = Outcome::IntentsRejected;
    m_outcome = outcome;
    m_failure = error;
    if (m_client)
        m_status.stats = m_client->stats();
    teardown();

    const ConnectionState previous = m_status.state;
    const ConnectionState next = outcome == Outcome::Stopped ? ConnectionState::Stopped
                                                             : ConnectionState::Failed;
    const qint64 at = nowMs();
    if (outcome != Outcome::Stopped) {
        QJsonObject fields;
        fields.insert(QStringLiteral("reason"), errorKindName(error.kind));
        fields.insert(QStringLiteral("code"),
                      error.closeCode ? QJsonValue(*error.closeCode) : QJsonValue());
        fields.insert(QStringLiteral("outcome"), outcomeName(outcome));
        const QString text = outcome == Outcome::IntentsRejected && !error.message.isEmpty()
            ? QLatin1String(k_intentsLogLine) + QLatin1Char(' ') + error.message
            : error.message;
        logEvent(EventKind::Fatal, Severity::Error, text, fields);
    }
    if (previous != next) {
        QJsonObject fields;
        fields.insert(QStringLiteral("state"), stateName(next));
        fields.insert(QStringLiteral("previous"), stateName(previous));
        logEvent(EventKind::State, next == ConnectionState::Failed ? Severity::Error : Severity::Info,
                 QStringLiteral("%1 → %2").arg(stateName(previous), stateName(next)), fields);
    }
    {
        QJsonObject fields;
        fields.insert(QStringLiteral("outcome"), outcomeName(outcome));
        logEvent(EventKind::MonitorStopped, Severity::Info,
                 QStringLiteral("monitor stopped (%1)").arg(outcomeName(outcome)), fields);
    }
    setPhase(Phase::Finished);
    // The caller's `finally` (provider.ts): {connected:false}; plus the terminal state.
    updateStatus([&](AccountStatus &s) {
        s.connected = false;
        s.state = next;
        if (previous != next)
            s.stateSince = toDateTime(at);
        s.failure = error;
        if (!error.isNone())
            s.lastError = error.message;
        s.nextAttemptAt = {};
    });
    Q_EMIT finished(outcome, error);
}

// --- client signals ----------------------------------------------------------------------------

void AccountSupervisor::handleClientStateChanged(ConnectionState state)
{
    if (isStopping())
        return;
    const ConnectionState previous = m_lastClientState;
    m_lastClientState = state;
    if (previous == state)
        return;
    const qint64 at = nowMs();
    updateStatus([&](AccountStatus &s) {
        s.state = state;
        s.stateSince = toDateTime(at);
        if (state != ConnectionState::Reconnecting)
            s.nextAttemptAt = {};
    });
    QJsonObject fields;
    fields.insert(QStringLiteral("state"), stateName(state));
    fields.insert(QStringLiteral("previous"), stateName(previous));
    logEvent(EventKind::State, state == ConnectionState::Failed ? Severity::Error : Severity::Info,
             QStringLiteral("%1 → %2").arg(stateName(previous), stateName(state)), fields);
}

void AccountSupervisor::handleConnecting(const QUrl &, ReconnectMode)
{
    // B4.1 "any debug line": lastEventAt, carried by the state change that follows.
    m_status.lastEventAt = toDateTime(nowMs());
}

void AccountSupervisor::handleSocketOpened()
{
    if (isStopping())
        return;
    // B4.4 with §8 a: an open does NOT disarm the watchdog (only READY/RESUMED/stop do), so
    // open→stall cycles cannot reset its clock (openclaw/openclaw#51190).
    m_helloTimer.start();
    StatusPatch p;
    p.lastEventAt = toDateTime(nowMs());
    applyPatch(p);
}

void AccountSupervisor::handleHelloReceived(std::chrono::milliseconds interval)
{
    if (isStopping())
        return;
    QJsonObject fields;
    fields.insert(QStringLiteral("heartbeat_interval_ms"), qint64(interval.count()));
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(EventKind::Hello, Severity::Debug,
             QStringLiteral("HELLO: heartbeat every %1 ms").arg(interval.count()), fields);
}

void AccountSupervisor::handleIdentifySent(int shardId, int shardCount)
{
    if (isStopping())
        return;
    updateStatus([&](AccountStatus &s) {
        ++s.identifies;
        s.lastEventAt = toDateTime(nowMs());
    });
    QJsonObject fields;
    fields.insert(QStringLiteral("shard_id"), shardId);
    fields.insert(QStringLiteral("shard_count"), shardCount);
    if (m_client)
        fields.insert(QStringLiteral("intents"), qint64(m_client->config().intents));
    logEvent(EventKind::Identify, Severity::Info,
             QStringLiteral("IDENTIFY sent (shard %1/%2)").arg(shardId).arg(shardCount), fields);
}

void AccountSupervisor::handleResumeSent(const QString &sessionId, qint64 sequence)
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    QJsonObject fields;
    fields.insert(QStringLiteral("session_id"), shortSession(sessionId));
    fields.insert(QStringLiteral("seq"), sequence);
    logEvent(EventKind::Resume, Severity::Info,
             QStringLiteral("RESUME sent (session %1…, seq %2)").arg(shortSession(sessionId)).arg(sequence),
             fields);
}

void AccountSupervisor::handleReady(const SessionInfo &session)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    m_status.session = session;
    QJsonObject fields;
    fields.insert(QStringLiteral("session_id"), shortSession(session.sessionId));
    fields.insert(QStringLiteral("resume_host"), session.resumeGatewayUrl.host());
    fields.insert(QStringLiteral("user"), session.userName);
    fields.insert(QStringLiteral("guilds"), session.guildCount);
    logEvent(EventKind::Ready, Severity::Info,
             QStringLiteral("READY as %1 (session %2…, %3 guilds)")
                 .arg(session.userName, shortSession(session.sessionId))
                 .arg(session.guildCount),
             fields);
    handleConnected(at);
}

void AccountSupervisor::handleResumed(int replayed, qint64 sequenceBefore, qint64 sequenceAfter)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    ++m_status.resumes;
    QJsonObject fields;
    fields.insert(QStringLiteral("replayed"), replayed);
    fields.insert(QStringLiteral("seq_before"), sequenceBefore);
    fields.insert(QStringLiteral("seq_after"), sequenceAfter);
    logEvent(EventKind::Resumed, Severity::Info,
             QStringLiteral("RESUMED: %1 events replayed (seq %2 → %3)")
                 .arg(replayed)
                 .arg(sequenceBefore)
                 .arg(sequenceAfter),
             fields);
    handleConnected(at);
}

void AccountSupervisor::handleConnected(qint64 at)
{
    // B4.4 poll "first sees connected" + B6.4: reset the stall counter, disarm the watchdog
    // (one of the only three disarm points, §8 a), connected patch with lastDisconnect:null.
    m_helloTimer.stop();
    m_helloStalls = 0;
    m_reconnectWatchdog.disarm();
    if (m_phase == Phase::AwaitReady || m_phase == Phase::AwaitReadyRetry) {
        m_readyTimer.stop();
        setPhase(Phase::Running);
    }
    const StatusPatch patch = connectedPatch(at);
    updateStatus([&](AccountStatus &s) {
        patch.applyTo(s);
        s.helloStalls = 0;
    });
}

void AccountSupervisor::handleDispatch()
{
    // Dispatches and ACKs refresh lastEventAt silently (see the header): a flood of events
    // must not become a flood of status signals.
    if (!isStopping())
        m_status.lastEventAt = toDateTime(nowMs());
}

void AccountSupervisor::handleZombie()
{
    if (isStopping())
        return;
    QJsonObject fields;
    fields.insert(QStringLiteral("missed_acks"), m_client ? m_client->stats().missedAcks : 1);
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(EventKind::Zombie, Severity::Warning,
             QStringLiteral("zombie connection: heartbeat not acknowledged; reconnecting"), fields);
}

void AccountSupervisor::handleReconnectRequested()
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(EventKind::ReconnectRequested, Severity::Info,
             QStringLiteral("op 7 RECONNECT: the gateway asked for a reconnect"));
}

void AccountSupervisor::handleInvalidSession(bool resumable)
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    QJsonObject fields;
    fields.insert(QStringLiteral("resumable"), resumable);
    logEvent(EventKind::InvalidSession, Severity::Warning,
             resumable ? QStringLiteral("op 9 INVALID_SESSION (resumable): resuming")
                       : QStringLiteral("op 9 INVALID_SESSION (not resumable): new session, events in the gap are lost"),
             fields);
}

void AccountSupervisor::handleSocketClosed(const CloseInfo &info)
{
    if (isStopping())
        return;
    const qint64 at = info.at.isValid() ? info.at.toMSecsSinceEpoch() : nowMs();
    // B4.2: a close that ends a live session resets the stall counter (seed reads isConnected,
    // Qt reads wasReady: never stale).
    if (info.wasReady)
        m_helloStalls = 0;
    // §8 a: the watchdog measures since the account last left Ready; arm only if unarmed.
    m_reconnectWatchdog.armIfUnarmed(at);
    m_helloTimer.stop();

    DisconnectInfo disconnect;
    disconnect.at = toDateTime(at);
    disconnect.closeCode = info.code;
    disconnect.error = info.reason;
    updateStatus([&](AccountStatus &s) {
        s.connected = false;
        s.lastEventAt = toDateTime(at);
        s.lastDisconnect = disconnect;
        ++s.disconnects;
        s.helloStalls = m_helloStalls;
    });

    CloseContext context;
    if (m_client) {
        context.requestedIntents = m_client->config().intents;
        if (const auto info = m_client->gatewayInfo())
            context.recommendedShards = info->shards;
    }
    const QString meaning = CloseCodes::describe(info.code, context);
    QJsonObject fields;
    fields.insert(QStringLiteral("code"), info.code ? QJsonValue(*info.code) : QJsonValue());
    fields.insert(QStringLiteral("name"), CloseCodes::nameFor(info.code));
    fields.insert(QStringLiteral("meaning"), meaning);
    fields.insert(QStringLiteral("reason"), info.reason);
    fields.insert(QStringLiteral("initiator"), closeInitiatorName(info.initiator));
    fields.insert(QStringLiteral("action"), closeActionName(info.action));
    fields.insert(QStringLiteral("was_ready"), info.wasReady);
    const QString code = info.code ? QString::number(*info.code) : QStringLiteral("none");
    logEvent(EventKind::Close, info.action == CloseAction::Fatal ? Severity::Error : Severity::Warning,
             QStringLiteral("WebSocket connection closed with code %1 (%2) by %3; next: %4")
                 .arg(code, meaning, closeInitiatorName(info.initiator), closeActionName(info.action)),
             fields);
}

void AccountSupervisor::handleReconnectScheduled(int attempt, std::chrono::milliseconds delay,
                                                 ReconnectMode mode)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    updateStatus([&](AccountStatus &s) {
        s.nextAttemptAt = toDateTime(at + delay.count());
        s.lastEventAt = toDateTime(at);
    });
    // updateStatus() may have read the client's own value; prefer ours when it had none.
    QJsonObject fields;
    fields.insert(QStringLiteral("delay_ms"), qint64(delay.count()));
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    fields.insert(QStringLiteral("attempt"), attempt);
    logEvent(EventKind::ReconnectScheduled, Severity::Info,
             QStringLiteral("%1 with backoff in %2 ms (attempt %3)")
                 .arg(mode == ReconnectMode::Resume ? QStringLiteral("Attempting resume")
                                                    : QStringLiteral("Reconnecting (identify)"))
                 .arg(delay.count())
                 .arg(attempt),
             fields);
}

void AccountSupervisor::handleGatewayInfo(const GatewayBotInfo &info)
{
    if (isStopping())
        return;
    updateStatus([&](AccountStatus &s) { s.gatewayInfo = info; });
    QJsonObject fields;
    fields.insert(QStringLiteral("remaining"), info.limit.remaining);
    fields.insert(QStringLiteral("total"), info.limit.total);
    fields.insert(QStringLiteral("reset_after_ms"), qint64(info.limit.resetAfter.count()));
    fields.insert(QStringLiteral("max_concurrency"), info.limit.maxConcurrency);
    fields.insert(QStringLiteral("shards"), info.shards);
    logEvent(EventKind::GatewayInfo, Severity::Debug,
             QStringLiteral("gateway: %1 shard(s) recommended, %2/%3 session starts left")
                 .arg(info.shards)
                 .arg(info.limit.remaining)
                 .arg(info.limit.total),
             fields);
}

void AccountSupervisor::handleStatsChanged()
{
    if (isStopping())
        return;
    updateStatus([](AccountStatus &) {});
}

void AccountSupervisor::handleError(const GatewayError &error)
{
    if (m_phase == Phase::Finished)
        return;
    // B5, classified by the typed kind and code, never by substring.
    const bool intents = error.kind == GatewayError::Kind::FatalClose && error.closeCode == 4014;
    QJsonObject fields;
    fields.insert(QStringLiteral("kind"), errorKindName(error.kind));
    fields.insert(QStringLiteral("message"), error.message);
    fields.insert(QStringLiteral("code"), error.closeCode ? QJsonValue(*error.closeCode) : QJsonValue());
    if (intents) {
        m_sawIntentsError = true;
        logEvent(EventKind::Error, Severity::Error, QLatin1String(k_intentsLogLine), fields);
    } else {
        const QString text = error.message.isEmpty() ? errorKindName(error.kind) : error.message;
        logEvent(EventKind::Error, error.isTerminal() ? Severity::Error : Severity::Warning,
                 QStringLiteral("discord gateway error: %1").arg(text), fields);
    }
    if (intents) {
        finish(Outcome::IntentsRejected, error);
        return;
    }
    if (error.isTerminal())
        finish(Outcome::Failed, error);
}

// --- timers ------------------------------------------------------------------------------------

void AccountSupervisor::handleReadyTimeout()
{
    if (isStopping() || (m_phase != Phase::AwaitReady && m_phase != Phase::AwaitReadyRetry))
        return;
    const qint64 timeoutMs = qint64(m_options.timings.readyTimeout.count());
    const qint64 t = nowMs();
    if (m_startupRetries < m_options.timings.startupReadyRetries) {
        ++m_startupRetries;
        QJsonObject fields;
        fields.insert(QStringLiteral("attempt"), m_startupRetries);
        fields.insert(QStringLiteral("timeout_ms"), timeoutMs);
        logEvent(EventKind::ReadyTimeout, Severity::Error,
                 QStringLiteral("discord: gateway was not ready after %1ms; forcing a fresh reconnect")
                     .arg(timeoutMs),
                 fields);
        StatusPatch p;
        p.connected = false;
        p.lastEventAt = toDateTime(t);
        p.lastDisconnect = DisconnectInfo{toDateTime(t), std::nullopt, QStringLiteral("startup-not-ready")};
        applyPatch(p);
        setPhase(Phase::AwaitReadyRetry);
        m_readyTimer.start();
        // Seed quirk fixed (§8): a real op 2, the resume state is dropped by the client.
        if (m_client)
            m_client->reconnect(ReconnectMode::FreshIdentify);
        return;
    }
    const QString message =
        QStringLiteral("discord gateway did not reach READY within %1ms after a forced reconnect").arg(timeoutMs);
    QJsonObject fields;
    fields.insert(QStringLiteral("attempt"), m_startupRetries + 1);
    fields.insert(QStringLiteral("timeout_ms"), timeoutMs);
    logEvent(EventKind::ReadyTimeout, Severity::Error, message, fields);
    StatusPatch p;
    p.connected = false;
    p.lastEventAt = toDateTime(t);
    p.lastDisconnect = DisconnectInfo{toDateTime(t), std::nullopt, QStringLiteral("startup-reconnect-timeout")};
    p.lastError = message;
    applyPatch(p);
    finish(Outcome::Failed, GatewayError{GatewayError::Kind::ReadyTimeout, std::nullopt, message});
}

void AccountSupervisor::handleHelloTimeout()
{
    if (isStopping())
        return;
    if (m_client && isConnectedState(m_client->state())) {
        m_helloStalls = 0;
        return;
    }
    // A stall (B4.4): resume, resume, then a fresh identify on the maxHelloStalls-th.
    ++m_helloStalls;
    const int maxStalls = m_options.timings.maxHelloStalls;
    const bool forceFresh = m_helloStalls >= maxStalls;
    const qint64 stalledAt = nowMs();
    m_reconnectWatchdog.armIfUnarmed(stalledAt);
    const int stall = m_helloStalls;
    if (forceFresh)
        m_helloStalls = 0;
    updateStatus([&](AccountStatus &s) {
        s.connected = false;
        s.lastEventAt = toDateTime(stalledAt);
        s.lastDisconnect = DisconnectInfo{toDateTime(stalledAt), std::nullopt, QStringLiteral("hello-timeout")};
        s.helloStalls = m_helloStalls;
    });
    const qint64 watchMs = qint64(m_options.timings.helloWatch.count());
    const QString message =
        QStringLiteral("connection stalled: no HELLO within %1ms (%2/%3); %4")
            .arg(watchMs)
            .arg(stall)
            .arg(maxStalls)
            .arg(forceFresh ? QStringLiteral("forcing fresh identify") : QStringLiteral("retrying resume"));
    const ReconnectMode mode = forceFresh ? ReconnectMode::FreshIdentify : ReconnectMode::Resume;
    QJsonObject fields;
    fields.insert(QStringLiteral("stall"), stall);
    fields.insert(QStringLiteral("max"), maxStalls);
    fields.insert(QStringLiteral("mode"), reconnectModeName(mode));
    fields.insert(QStringLiteral("timeout_ms"), watchMs);
    logEvent(EventKind::HelloTimeout, Severity::Info, message, fields);
    if (m_client)
        m_client->reconnect(mode);
}

void AccountSupervisor::handleWatchdogTimeout(std::chrono::milliseconds idle, std::chrono::milliseconds timeout)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    const QString message = QStringLiteral("discord reconnect watchdog timeout after %1ms").arg(timeout.count());
    StatusPatch p;
    p.connected = false;
    p.lastEventAt = toDateTime(at);
    p.lastDisconnect = DisconnectInfo{toDateTime(at), std::nullopt, message};
    p.lastError = message;
    applyPatch(p);
    QJsonObject fields;
    fields.insert(QStringLiteral("idle_ms"), qint64(idle.count()));
    fields.insert(QStringLiteral("timeout_ms"), qint64(timeout.count()));
    logEvent(EventKind::WatchdogTimeout, Severity::Error,
             QStringLiteral("discord: reconnect watchdog timeout after %1ms; force-stopping monitor task")
                 .arg(timeout.count()),
             fields);
    forceStop(GatewayError{GatewayError::Kind::WatchdogTimeout, std::nullopt, message});
}

} // namespace gw
