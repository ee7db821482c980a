// GatewayClient::Private, the run: start/stop/reconnect, GET /gateway/bot, one connection
// attempt after another, and what each socket's end means (the close-code table, backoff,
// the reconnect budget, terminal failures).
#include "gatewayclient_p.h"

#include "backoff.h"
#include "closecode.h"
#include "discordrest.h"
#include "logging.h"

#include <QRandomGenerator>
#include <QUrlQuery>

namespace gw {

namespace {
QString redactedUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo);
}
} // namespace

void GatewayClient::Private::start()
{
    if (running)
        return;
    running = true;
    ++runGeneration;
    retry.restart();
    connects = 0;
    fetchInFlight = false;
    fetchAttempted = false;
    nextMode = session.isResumable() ? ReconnectMode::Resume : ReconnectMode::FreshIdentify;
    beginAttempt();
}

void GatewayClient::Private::stop(int closeCode)
{
    const bool wasActive = running || transport.hasSocket();
    endRun();
    fetchInFlight = false;
    // 1000: monitoring stops for good and the session ends; 4000: a quit or SIGTERM, the session
    // stays resumable for the next start (docs/protocol.md, close codes).
    const bool keep = closeCode != 1000;
    transport.detach(closeCode, keep ? QStringLiteral("suspended") : QStringLiteral("stopped"));
    if (wasActive)
        qCInfo(lcGateway) << (keep ? "stopped, session kept resumable" : "stopped");
    state = ConnectionState::Stopped;  // silently: stop() emits nothing, not even stateChanged
}

void GatewayClient::Private::reconnect(ReconnectMode mode)
{
    if (!running)
        return;
    if (mode == ReconnectMode::FreshIdentify)
        dropSession();
    retry.cancel();
    if (transport.hasSocket()) {
        closeOwn(mode == ReconnectMode::Resume ? CloseCause::UserResume : CloseCause::UserIdentify,
                 QStringLiteral("reconnect requested (%1)").arg(reconnectModeName(mode)),
                 CloseOptions{mode == ReconnectMode::Resume ? CloseAction::Resume : CloseAction::NewSession,
                              std::nullopt, std::nullopt, false, true});
        return;
    }
    nextMode = mode;
    if (!fetchInFlight)
        beginAttempt();
}

void GatewayClient::Private::beginAttempt()
{
    retry.cancel();
    // GET /gateway/bot once per start() (fresh session_start_limit), again whenever no URL is
    // known, and again after repeated failures (the cached URL may be dead).
    if (!fetchAttempted || gatewayUrl.isEmpty()) {
        fetchGatewayInfo();
        return;
    }
    connectSocket(nextMode);
}

void GatewayClient::Private::fetchGatewayInfo()
{
    if (fetchInFlight)
        return;
    fetchInFlight = true;
    const Mark m = mark();
    setState(ConnectionState::Connecting);
    const QDateTime requestedAt = QDateTime::currentDateTimeUtc();
    rest->fetchGatewayBot(config.token, q, [this, m, requestedAt](Expected<GatewayBotInfo, RestError> r) {
        if (r)
            r.value().limit.requestedAt = requestedAt;
        gatewayInfoFetched(r, m);
    });
}

void GatewayClient::Private::gatewayInfoFetched(const Expected<GatewayBotInfo, RestError> &r, Mark m)
{
    if (!current(m))
        return;
    fetchInFlight = false;
    fetchAttempted = true;
    if (r) {
        gatewayInfo = r.value();
        gate->updateLimit(gatewayInfo->limit);
        gatewayUrl = config.gatewayUrlOverride.isEmpty() ? gatewayInfo->url : config.gatewayUrlOverride;
        qCInfo(lcRest).noquote() << "gateway" << redactedUrl(gatewayInfo->url) << "shards" << gatewayInfo->shards
                                 << "session starts" << gatewayInfo->limit.remaining << "/" << gatewayInfo->limit.total
                                 << "max_concurrency" << gatewayInfo->limit.maxConcurrency;
        Q_EMIT q->gatewayInfoReceived(*gatewayInfo);
        if (!current(m))
            return;
        connectSocket(nextMode);
        return;
    }
    const RestError &e = r.error();
    if (e.kind == RestError::Kind::Unauthorized) {
        terminate(GatewayError{GatewayError::Kind::Unauthorized, std::nullopt, e.message});
        return;
    }
    if (e.kind == RestError::Kind::Http && e.httpStatus == 400) {
        // The same request would get the same answer: a configuration error, not a retry (each
        // retry would also count against the invalid-request ceiling).
        terminate(GatewayError{GatewayError::Kind::BadRequest, std::nullopt,
                               e.message + QStringLiteral(" Bad Request (the request itself is wrong: the token's text or the API base)")});
        return;
    }
    if (!config.gatewayUrlOverride.isEmpty())
        gatewayUrl = config.gatewayUrlOverride;
    Q_EMIT q->errorOccurred(GatewayError{GatewayError::Kind::Rest, std::nullopt, e.message});
    if (!current(m))
        return;
    if (!gatewayUrl.isEmpty()) {
        connectSocket(nextMode);  // override or cached URL: go on without fresh figures
        return;
    }
    retry.countFailure();
    if (budgetExhausted())
        return;
    setState(ConnectionState::Reconnecting);
    scheduleReconnect(nextMode, std::nullopt, false);
}

void GatewayClient::Private::connectSocket(ReconnectMode mode)
{
    if (mode == ReconnectMode::Resume && !session.isResumable())
        mode = ReconnectMode::FreshIdentify;
    const QUrl &resumeUrl = session.resumeUrl();
    const bool useResumeUrl = mode == ReconnectMode::Resume && resumeUrl.isValid() && !resumeUrl.isEmpty();
    const QUrl url = withQuery(useResumeUrl ? resumeUrl : gatewayUrl);

    if (++connects > 1)
        ++stats.reconnects;
    attempt = Attempt{};
    attempt.mode = mode;
    attempt.viaResumeUrl = useResumeUrl && resumeUrl != gatewayUrl;
    heartbeat.reset();
    transport.create(url);

    const Mark m = mark();
    setState(ConnectionState::Connecting);
    qCInfo(lcGateway).noquote() << "connecting to" << redactedUrl(url) << "mode" << reconnectModeName(mode);
    Q_EMIT q->connecting(url, mode);
    if (!current(m))
        return;
    transport.open();
}

QUrl GatewayClient::Private::withQuery(QUrl base) const
{
    if (base.path().isEmpty())
        base.setPath(QStringLiteral("/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("v"), QStringLiteral("10"));
    query.addQueryItem(QStringLiteral("encoding"), QStringLiteral("json"));
    if (config.compression != Compression::None)
        query.addQueryItem(QStringLiteral("compress"), compressionName(config.compression));
    base.setQuery(query);
    return base;
}

void GatewayClient::Private::scheduleReconnect(ReconnectMode mode, std::optional<std::chrono::milliseconds> minDelay,
                                               bool immediate)
{
    // After repeated failures fetch the gateway URL again (never with an override).
    if (retry.refetchDue() && config.gatewayUrlOverride.isEmpty())
        fetchAttempted = false;
    nextMode = mode;
    const auto delay = retry.schedule(minDelay, immediate);
    const int attemptNumber = retry.failures() + 1;
    qCInfo(lcGateway).noquote() << "reconnect attempt" << attemptNumber << "in" << delay.count() << "ms, mode"
                                << reconnectModeName(mode);
    Q_EMIT q->reconnectScheduled(attemptNumber, delay, mode);
}

//! True (and the client is Failed) when the consecutive-failure budget is spent.
bool GatewayClient::Private::budgetExhausted()
{
    if (!retry.exhausted())
        return false;
    terminate(GatewayError{GatewayError::Kind::ReconnectBudgetExhausted, std::nullopt,
                           QStringLiteral("Gave up after %1 consecutive failed connection attempts.")
                               .arg(retry.failures())});
    return true;
}

void GatewayClient::Private::endRun()
{
    running = false;
    ++runGeneration;
    stopConnectionTimers();
    retry.stop();
    cancelTicket();
}

void GatewayClient::Private::stopConnectionTimers()
{
    helloTimer.stop();
    heartbeat.stop();
}

void GatewayClient::Private::cancelTicket()
{
    if (attempt.ticket) {
        gate->cancel(*attempt.ticket);
        attempt.ticket.reset();
    }
}

//! Terminal end: Failed, no timers, no socket, no reconnect. The current socket (if any) is
//! reported closed first (once), then errorOccurred(terminal).
void GatewayClient::Private::terminate(const GatewayError &error)
{
    endRun();
    std::optional<CloseInfo> info;
    if (transport.hasSocket()) {
        // Code 1000: the session is abandoned on purpose.
        info = closeInfo(1000, error.message, CloseInitiator::Client, CloseAction::Fatal, CloseCause::Stopped);
        transport.detach(1000, QStringLiteral("stopping"));
    }
    qCWarning(lcGateway).noquote() << "failed:" << errorKindName(error.kind) << error.message;
    setState(ConnectionState::Failed);
    if (info)
        Q_EMIT q->socketClosed(*info);
    Q_EMIT q->errorOccurred(error);
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::waitForIdentifyBudget(const GatewayError &error)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto limit = gate->limit();
    QDateTime until = limit ? limit->resetAt() : QDateTime();
    if (!until.isValid() || until <= now)
        until = now.addMSecs(config.timings.backoffMax.count());  // no usable reset time: ask again later
    fetchAttempted = false;  // the attempt after the wait reads a fresh session_start_limit first
    // Every account of the bot waits for the same reset: each adds a random share of the base.
    const std::chrono::milliseconds wait = std::chrono::milliseconds{now.msecsTo(until)}
        + uniformDelay(std::chrono::milliseconds{0}, config.timings.backoffBase,
                       QRandomGenerator::global()->generateDouble());
    qCWarning(lcGateway).noquote() << "waiting for the identify budget until" << until.toString(Qt::ISODate) << "("
                                   << error.message << ")";
    const Mark m = mark();
    Q_EMIT q->identifyBudgetWait(error, until);
    if (!current(m))
        return;
    if (transport.hasSocket()) {
        closeOwn(CloseCause::IdentifyBudget, QStringLiteral("waiting for the identify budget"),
                 CloseOptions{CloseAction::NewSession, wait, std::nullopt, false, false});
        return;
    }
    // The refusal comes from the gate's queue, so a socket always waits for it; without one
    // (cancelled meanwhile) only the wait is scheduled.
    setState(ConnectionState::Reconnecting);
    if (!current(m))
        return;
    scheduleReconnect(ReconnectMode::FreshIdentify, wait, false);
}

CloseInfo GatewayClient::Private::closeInfo(std::optional<int> code, const QString &reason, CloseInitiator initiator,
                                            CloseAction action, CloseCause cause) const
{
    CloseInfo info;
    info.code = code;
    info.reason = reason;
    info.initiator = initiator;
    info.action = action;
    info.cause = cause;
    info.wasReady = attempt.wasReady;
    info.at = QDateTime::currentDateTimeUtc();
    return info;
}

//! The one place a socket's end is handled: report it once, apply the close-code table, then
//! fail or schedule the next attempt.
void GatewayClient::Private::closed(const SocketEnd &end, const CloseOptions &opts)
{
    const std::optional<int> &code = end.code;
    stopConnectionTimers();
    cancelTicket();
    transport.detach(end.initiator == CloseInitiator::Client ? code : std::nullopt, end.reason);

    CloseInfo info = closeInfo(code, end.reason, end.initiator,
                               opts.forcedAction.value_or(CloseCodes::actionFor(code)), end.cause);
    if (!attempt.wasReady && opts.countFailure)
        retry.countFailure();  // an attempt that did not reach READY/RESUMED
    // A session that died before the stable period raises the backoff level (a user's reconnect
    // does not count).
    if (attempt.wasReady)
        info.shortLived = retry.sessionEnded(opts.countFailure);
    abandonResumeHost(end);
    qCInfo(lcGateway).noquote() << "socket closed:" << (code ? QString::number(*code) : QStringLiteral("no code"))
                                << CloseCodes::nameFor(code) << "by" << closeInitiatorName(end.initiator) << "cause"
                                << closeCauseName(end.cause) << "->" << closeActionName(info.action)
                                << (end.reason.isEmpty() ? QString() : end.reason);

    if (info.action == CloseAction::Fatal) {
        failOnFatalClose(info);
        return;
    }
    if (info.action == CloseAction::NewSession)
        dropSession();
    if (CloseCodes::isOurBug(code))
        qCWarning(lcGateway).noquote() << "Discord closed with" << *code << "which indicates a client bug:"
                                       << CloseCodes::describe(code);

    const bool giveUp = retry.exhausted();
    const bool resume = info.action == CloseAction::Resume && session.isResumable();
    info.sessionKept = resume;
    const Mark m = mark();
    setState(giveUp ? ConnectionState::Failed : ConnectionState::Reconnecting);
    Q_EMIT q->socketClosed(info);
    if (!current(m))
        return;
    if (giveUp) {
        // This socket is reported; budgetExhausted() adds the terminal error.
        if (opts.transientError) {
            Q_EMIT q->errorOccurred(*opts.transientError);
            if (!current(m))
                return;
        }
        budgetExhausted();
        return;
    }
    Q_EMIT q->statsChanged();
    if (!current(m))
        return;
    if (opts.transientError) {
        Q_EMIT q->errorOccurred(*opts.transientError);
        if (!current(m))
            return;
    }
    scheduleReconnect(resume ? ReconnectMode::Resume : ReconnectMode::FreshIdentify, opts.minDelay, opts.immediate);
}

//! Resume host fallback (docs/lifecycle.md): the resume host refused the connection, timed out,
//! failed TLS or answered the upgrade with an HTTP error. Discord's resume hosts can be dead while
//! the gateway URL works, so the host is forgotten (the session is not) and the next RESUME goes
//! to the gateway URL from GET /gateway/bot or the configured one; op 9 there identifies as usual.
void GatewayClient::Private::abandonResumeHost(const SocketEnd &end)
{
    if (!attempt.viaResumeUrl || attempt.opened)
        return;
    if (end.cause != CloseCause::Transport && end.cause != CloseCause::HandshakeTimeout)
        return;
    attempt.viaResumeUrl = false;
    qCWarning(lcGateway).noquote() << "resume host" << redactedUrl(session.resumeUrl())
                                   << "unreachable; resuming via the gateway URL" << redactedUrl(gatewayUrl);
    session.dropResumeUrl();
}

//! A fatal close code (4004, 4010–4014): the run ends in Failed with a terminal error that says
//! what a person has to fix.
void GatewayClient::Private::failOnFatalClose(const CloseInfo &info)
{
    endRun();
    CloseContext ctx;
    ctx.requestedIntents = config.intents;
    if (gatewayInfo)
        ctx.recommendedShards = gatewayInfo->shards;
    const GatewayError error{GatewayError::Kind::FatalClose, info.code, CloseCodes::describe(info.code, ctx)};
    qCWarning(lcGateway).noquote() << "fatal close:" << error.message;
    setState(ConnectionState::Failed);
    Q_EMIT q->socketClosed(info);
    Q_EMIT q->errorOccurred(error);
    Q_EMIT q->statsChanged();
}

//! We end the current socket with 4000 (resumable) and continue per `opts`.
void GatewayClient::Private::closeOwn(CloseCause cause, const QString &reason, const CloseOptions &opts)
{
    closed(SocketEnd{OwnCloseCode, reason, CloseInitiator::Client, cause, std::nullopt, std::nullopt}, opts);
}

void GatewayClient::Private::socketOpened()
{
    attempt.opened = true;
    helloTimer.start(config.timings.helloTimeout);
    setState(ConnectionState::AwaitingHello);
    Q_EMIT q->socketOpened();
}

void GatewayClient::Private::socketEnded(const SocketEnd &end)
{
    closed(end, CloseOptions{end.forcedAction, std::nullopt, end.error});
}

} // namespace gw
