#include "accountsupervisor.h"

#include "closecode.h"
#include "gatewayclient.h"
#include "lifecycleevents_p.h"
#include "logging.h"

#include <QDateTime>
#include <QJsonArray>

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

} // namespace

AccountSupervisor::AccountSupervisor(Options options, GatewayClient *client, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_client(client)
    , m_reconnectWatchdog(reconnectLabel(m_options.accountId), m_options.timings.reconnectStallTimeout,
                          m_options.clock)
    , m_flaps(m_options.timings.flappingWindow, m_options.timings.flappingSessions)
{
    m_status.accountId = m_options.accountId;
    m_status.accountName = m_options.accountName;
    m_status.shard = m_options.shard;

    m_readyTimer.setSingleShot(true);
    m_readyTimer.setInterval(m_options.timings.readyTimeout);
    m_readyTimer.callOnTimeout(this, &AccountSupervisor::handleReadyTimeout);

    m_helloTimer.setSingleShot(true);
    m_helloTimer.setInterval(m_options.timings.helloWatch);
    m_helloTimer.callOnTimeout(this, &AccountSupervisor::handleHelloTimeout);

    m_statsTimer.setSingleShot(true);
    m_statsTimer.setInterval(m_options.statsRefresh);
    m_statsTimer.callOnTimeout(this, &AccountSupervisor::handleStatsChanged);

    connect(&m_reconnectWatchdog, &StallWatchdog::timedOut, this,
            &AccountSupervisor::handleWatchdogTimeout);

    if (!m_client)
        return;
    m_client->setParent(this);
    m_lastClientState = m_client->state();
    m_status.state = m_lastClientState;

    // Every client signal, connected before start(): an error raised during start() is
    // handled like any other, so no queue of early errors is needed.
    GatewayClient *c = m_client;
    connect(c, &GatewayClient::stateChanged, this, &AccountSupervisor::handleClientStateChanged);
    connect(c, &GatewayClient::connecting, this, &AccountSupervisor::handleConnecting);
    connect(c, &GatewayClient::socketOpened, this, &AccountSupervisor::handleSocketOpened);
    connect(c, &GatewayClient::helloReceived, this, &AccountSupervisor::handleHelloReceived);
    connect(c, &GatewayClient::identifyQueued, this, &AccountSupervisor::handleIdentifyQueued);
    connect(c, &GatewayClient::identifySent, this, &AccountSupervisor::handleIdentifySent);
    connect(c, &GatewayClient::resumeSent, this, &AccountSupervisor::handleResumeSent);
    connect(c, &GatewayClient::ready, this, &AccountSupervisor::handleReady);
    connect(c, &GatewayClient::resumed, this, &AccountSupervisor::handleResumed);
    connect(c, &GatewayClient::sequenceGap, this, &AccountSupervisor::handleSequenceGap);
    connect(c, &GatewayClient::sessionReplaced, this, &AccountSupervisor::handleSessionReplaced);
    connect(c, &GatewayClient::dispatchReceived, this, &AccountSupervisor::handleDispatchReceived);
    connect(c, &GatewayClient::heartbeatAcked, this, &AccountSupervisor::handleDispatch);
    connect(c, &GatewayClient::zombieDetected, this, &AccountSupervisor::handleZombie);
    connect(c, &GatewayClient::reconnectRequested, this, &AccountSupervisor::handleReconnectRequested);
    connect(c, &GatewayClient::invalidSession, this, &AccountSupervisor::handleInvalidSession);
    connect(c, &GatewayClient::socketClosed, this, &AccountSupervisor::handleSocketClosed);
    connect(c, &GatewayClient::reconnectScheduled, this, &AccountSupervisor::handleReconnectScheduled);
    connect(c, &GatewayClient::gatewayInfoReceived, this, &AccountSupervisor::handleGatewayInfo);
    connect(c, &GatewayClient::restRateLimited, this, &AccountSupervisor::handleRestRateLimited);
    connect(c, &GatewayClient::statsChanged, this, &AccountSupervisor::handleStatsChanged);
    connect(c, &GatewayClient::errorOccurred, this, &AccountSupervisor::handleError);
    connect(c, &GatewayClient::sessionStable, this, &AccountSupervisor::handleSessionStable);
    connect(c, &GatewayClient::identifyBudgetWait, this, &AccountSupervisor::handleIdentifyBudgetWait);
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
        m_status.identifies24h = m_client->identifiesInLast24h();
        if (m_status.state == ConnectionState::Reconnecting)
            m_status.nextAttemptAt = m_client->nextAttemptAt();
    }
    Q_EMIT statusChanged(m_status);
}

void AccountSupervisor::logEvent(const lifecycle::LifecycleEvent &event)
{
    EventLogEntry entry;
    entry.at = toDateTime(nowMs());
    entry.accountId = m_options.accountId;
    entry.accountName = m_options.accountName;
    entry.kind = event.kind;
    entry.severity = event.severity;
    entry.message = event.message;
    entry.fields = event.fields;
    if (m_options.shard)
        entry.fields.insert(QStringLiteral("shard"), QJsonArray{m_options.shard->first, m_options.shard->second});
    switch (event.severity) {
    case Severity::Debug:
        qCDebug(lcLifecycle).noquote() << m_options.accountName << event.message;
        break;
    case Severity::Info:
        qCInfo(lcLifecycle).noquote() << m_options.accountName << event.message;
        break;
    case Severity::Warning:
    case Severity::Error:
        qCWarning(lcLifecycle).noquote() << m_options.accountName << event.message;
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
        // Stopped before it was started (docs/lifecycle.md): report connected=false, never true.
        StatusPatch p;
        p.connected = false;
        applyPatch(p);
        return;
    }
    if (m_phase != Phase::Idle)
        return;
    setPhase(Phase::AwaitReady);
    m_readyTimer.start();
    logEvent(lifecycle::monitorStarted());
    if (m_client)
        m_client->start();
}

void AccountSupervisor::stop()
{
    if (m_phase == Phase::Finished)
        return;
    // The abort path: stopping, disarm, {connected:false, lastEventAt:now}, then the client's
    // terminal, silent stop (in teardown) and the Stopped outcome.
    m_stopping = true;
    m_reconnectWatchdog.disarm();
    StatusPatch p;
    p.connected = false;
    p.lastEventAt = toDateTime(nowMs());
    applyPatch(p);
    finish(Outcome::Stopped, {});
}

void AccountSupervisor::suspend()
{
    if (m_phase == Phase::Finished)
        return;
    m_keepSession = true;
    stop();
}

void AccountSupervisor::forceReconnect(ReconnectMode mode)
{
    if (m_phase == Phase::Idle || isStopping() || !m_client)
        return;
    logEvent(lifecycle::userReconnect(mode));
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
    // Teardown order: watchdog.stop(), clear the HELLO watch, detach listeners.
    m_reconnectWatchdog.stop();
    m_helloTimer.stop();
    m_readyTimer.stop();
    m_statsTimer.stop();
    if (m_client) {
        disconnect(m_client, nullptr, this, nullptr);
        if (m_keepSession)
            m_client->suspend();
        else
            m_client->stop();
    }
}

void AccountSupervisor::finish(Outcome outcome, const GatewayError &error)
{
    if (m_phase == Phase::Finished)
        return;
    // Once the intents error (4014) was seen, the lifecycle ends cleanly whatever error comes
    // after it.
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
    if (outcome != Outcome::Stopped)
        logEvent(lifecycle::fatal(error, outcomeName(outcome), outcome == Outcome::IntentsRejected));
    if (previous != next)
        logEvent(lifecycle::stateChanged(previous, next));
    logEvent(lifecycle::monitorStopped(outcomeName(outcome)));
    setPhase(Phase::Finished);
    // What the caller does once the lifecycle returns: {connected:false}; plus the terminal state.
    updateStatus([&](AccountStatus &s) {
        s.connected = false;
        s.state = next;
        if (previous != next)
            s.stateSince = toDateTime(at);
        s.failure = error;
        if (!error.isNone())
            s.lastError = error.message;
        s.nextAttemptAt = {};
        s.identifyWaitUntil = {};
        s.flapping.reset();
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
    logEvent(lifecycle::stateChanged(previous, state));
}

void AccountSupervisor::handleConnecting(const QUrl &, ReconnectMode)
{
    // Any client activity counts as an event: lastEventAt, carried by the state change that
    // follows.
    m_status.lastEventAt = toDateTime(nowMs());
}

void AccountSupervisor::handleSocketOpened()
{
    if (isStopping())
        return;
    // An open does NOT disarm the watchdog (only READY/RESUMED/stop do), so open→stall cycles
    // cannot reset its clock (docs/lifecycle.md, the watchdog defect; openclaw/openclaw#51190).
    m_helloTimer.start();
    if (m_budgetWait && (m_phase == Phase::AwaitReady || m_phase == Phase::AwaitReadyRetry))
        m_readyTimer.start();  // the READY guard paused while waiting for the budget
    StatusPatch p;
    p.lastEventAt = toDateTime(nowMs());
    applyPatch(p);
}

void AccountSupervisor::handleHelloReceived(std::chrono::milliseconds interval)
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::hello(interval));
}

void AccountSupervisor::handleIdentifyQueued(int shardId)
{
    if (isStopping())
        return;
    // Waiting for the bucket is not waiting for READY: neither clock runs in the queue.
    m_identifyQueued = true;
    m_readyTimer.stop();
    m_helloTimer.stop();
    qCDebug(lcLifecycle) << m_options.accountId << "IDENTIFY of shard" << shardId << "queued for its bucket";
}

void AccountSupervisor::armSessionTimers()
{
    m_identifyQueued = false;
    if (m_phase == Phase::AwaitReady || m_phase == Phase::AwaitReadyRetry)
        m_readyTimer.start();
    m_helloTimer.start();
}

void AccountSupervisor::handleIdentifySent(int shardId, int shardCount)
{
    if (isStopping())
        return;
    endBudgetWait();
    armSessionTimers();
    updateStatus([&](AccountStatus &s) {
        ++s.identifies;
        s.lastEventAt = toDateTime(nowMs());
    });
    const auto intents = m_client ? std::optional<quint32>(m_client->config().intents) : std::nullopt;
    lifecycle::LifecycleEvent event = lifecycle::identifySent(shardId, shardCount, intents);
    event.fields.insert(QStringLiteral("identifies_24h"), m_status.identifies24h);  // this one included
    logEvent(event);
}

void AccountSupervisor::handleResumeSent(const QString &sessionId, qint64 sequence)
{
    if (isStopping())
        return;
    armSessionTimers();
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::resumeSent(sessionId, sequence));
}

void AccountSupervisor::handleConnected(qint64 at)
{
    // The first sight of a live session: reset the stall counter, disarm the watchdog (one of
    // its only three disarm points, docs/lifecycle.md), connected patch with lastDisconnect:null.
    endBudgetWait();
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

void AccountSupervisor::handleZombie()
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::zombie(m_client ? m_client->stats().missedAcks : 1));
}

void AccountSupervisor::handleReconnectRequested()
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::reconnectRequested());
}

void AccountSupervisor::handleInvalidSession(bool resumable)
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::invalidSession(resumable));
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
    logEvent(lifecycle::reconnectScheduled(attempt, delay, mode, m_client ? m_client->backoffLevel() : 0));
}

void AccountSupervisor::handleGatewayInfo(const GatewayBotInfo &info)
{
    if (isStopping())
        return;
    updateStatus([&](AccountStatus &s) {
        s.gatewayInfo = info;
        s.restLimitedUntil = {};
        s.restLimit.clear();
    });
    logEvent(lifecycle::gatewayInfo(info));
}

void AccountSupervisor::handleRestRateLimited(const RestRateLimitWait &wait)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    updateStatus([&](AccountStatus &s) {
        s.restLimitedUntil = toDateTime(at + wait.wait.count());
        s.restLimit = lifecycle::restLimitText(wait);
        s.lastEventAt = toDateTime(at);
    });
    logEvent(lifecycle::restRateLimited(wait));
}

void AccountSupervisor::handleError(const GatewayError &error)
{
    if (m_phase == Phase::Finished)
        return;
    // Classified by the typed kind and code, never by substring (docs/lifecycle.md, "Errors").
    const bool intents = error.kind == GatewayError::Kind::FatalClose && error.closeCode == 4014;
    if (intents) {
        // No `error` row of its own: the `fatal` row finish() writes carries the same guidance
        // and the gateway's text, and the `close` row the code (one row each, not three alike).
        m_sawIntentsError = true;
        finish(Outcome::IntentsRejected, error);
        return;
    }
    logEvent(lifecycle::gatewayError(error));
    if (error.isTerminal())
        finish(Outcome::Failed, error);
}

// --- timers ------------------------------------------------------------------------------------

void AccountSupervisor::handleReadyTimeout()
{
    if (isStopping() || (m_phase != Phase::AwaitReady && m_phase != Phase::AwaitReadyRetry))
        return;
    const auto timeout = m_options.timings.readyTimeout;
    const qint64 t = nowMs();
    if (m_startupRetries < m_options.timings.startupReadyRetries) {
        ++m_startupRetries;
        logEvent(lifecycle::readyTimeout(m_startupRetries, timeout, true));
        StatusPatch p;
        p.connected = false;
        p.lastEventAt = toDateTime(t);
        p.lastDisconnect = DisconnectInfo{toDateTime(t), std::nullopt, QStringLiteral("startup-not-ready")};
        applyPatch(p);
        setPhase(Phase::AwaitReadyRetry);
        m_readyTimer.start();
        // A real op 2 (not a resume): the client drops the resume state.
        if (m_client)
            m_client->reconnect(ReconnectMode::FreshIdentify);
        return;
    }
    const lifecycle::LifecycleEvent event = lifecycle::readyTimeout(m_startupRetries + 1, timeout, false);
    const QString message = event.message;
    logEvent(event);
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
    // A stall: resume, resume, then a fresh identify on the maxHelloStalls-th.
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
    const ReconnectMode mode = forceFresh ? ReconnectMode::FreshIdentify : ReconnectMode::Resume;
    logEvent(lifecycle::helloStall(stall, maxStalls, mode, m_options.timings.helloWatch));
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
    logEvent(lifecycle::watchdogTimeout(idle, timeout));
    forceStop(GatewayError{GatewayError::Kind::WatchdogTimeout, std::nullopt, message});
}

} // namespace gw
