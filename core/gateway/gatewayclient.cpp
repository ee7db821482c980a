#include "gatewayclient.h"

#include "gatewayclient_p.h"
#include "logging.h"

// GatewayClient is split by concern (see gatewayclient_p.h): this file is the public API and
// the construction of the parts; gatewayclient_run.cpp runs the attempts and applies the
// close-code table; gatewayclient_session.cpp answers the gateway's opcodes.

namespace gw {

GatewayClient::Private::Private(GatewayClient *client, GatewayClientConfig cfg, IdentifyGate *sharedGate,
                                QNetworkAccessManager *nam)
    : q(client),
      config(std::move(cfg)),
      gate(sharedGate ? sharedGate
                      : new IdentifyGate(config.timings.identifyBucketInterval, config.timings.identifyRemainingFloor,
                                         client)),
      rest(new DiscordRest(config.apiBase, nam, client)),
      transport(config, stats, warnings, *this, client),
      heartbeat(config.timings, stats, client, [this] { handleHeartbeatTick(); }, [this] { handleAckOverdue(); }),
      retry(config.timings, client, [this] { beginAttempt(); }, [this] { Q_EMIT q->sessionStable(); })
{
    helloTimer.setSingleShot(true);
    helloTimer.callOnTimeout(client, [this] { handleHelloTimeout(); });
    QObject::connect(rest, &DiscordRest::rateLimited, client, &GatewayClient::restRateLimited);
}

GatewayClient::Private::~Private()
{
    running = false;
    stopConnectionTimers();
    retry.stop();
    cancelTicket();
}

void GatewayClient::Private::setState(ConnectionState s)
{
    if (state == s)
        return;
    qCInfo(lcGateway).noquote() << "state" << stateName(state) << "->" << stateName(s)
                                << (s == ConnectionState::Degraded ? stats.degradedReason : QString());
    if (s != ConnectionState::Degraded)
        stats.degradedReason.clear();
    state = s;
    Q_EMIT q->stateChanged(s);
}

void GatewayClient::Private::setDegraded(const QString &reason)
{
    if (state == ConnectionState::Degraded) {
        if (reason != stats.degradedReason) {
            stats.degradedReason = reason;
            Q_EMIT q->statsChanged();
        }
        return;
    }
    if (state != ConnectionState::Ready)
        return;
    stats.degradedReason = reason;
    setState(ConnectionState::Degraded);
}

void GatewayClient::Private::dropSession()
{
    if (session.sequence() >= 0)
        ledger.sessionDropped();
    session.drop();
}

GatewayClient::GatewayClient(GatewayClientConfig config, IdentifyGate *gate, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, std::move(config), gate, nam))
{
}

GatewayClient::~GatewayClient() = default;

ConnectionState GatewayClient::state() const
{
    return d->state;
}

const GatewayStats &GatewayClient::stats() const
{
    d->ledger.settle();
    // The wall-clock time of the last frame, from its monotonic stamp: once per read, not per frame.
    GatewayStats &s = d->stats;
    if (s.lastInboundSteadyNs >= 0 && s.lastInboundSteadyNs != d->inboundStampShown) {
        const auto age = std::chrono::steady_clock::now().time_since_epoch() - std::chrono::nanoseconds(s.lastInboundSteadyNs);
        s.lastInboundAt = QDateTime::currentDateTimeUtc().addMSecs(
            -std::chrono::duration_cast<std::chrono::milliseconds>(age).count());
        d->inboundStampShown = s.lastInboundSteadyNs;
    }
    return s;
}

std::optional<SessionInfo> GatewayClient::session() const
{
    return d->session.info();
}

std::optional<GatewayBotInfo> GatewayClient::gatewayInfo() const
{
    return d->gatewayInfo;
}

ResumeState GatewayClient::resumeState() const
{
    return d->session.toResumeState();
}

const GatewayClientConfig &GatewayClient::config() const
{
    return d->config;
}

int GatewayClient::consecutiveFailures() const
{
    return d->retry.failures();
}

int GatewayClient::backoffLevel() const
{
    return d->retry.level();
}

int GatewayClient::identifiesInLast24h() const
{
    return d->gate->identifiesInLast24h();
}

QDateTime GatewayClient::nextAttemptAt() const
{
    return d->retry.nextAttemptAt();
}

void GatewayClient::setResumeState(const ResumeState &state)
{
    d->session.seed(state);
}

void GatewayClient::injectMessageForTest(const QByteArray &message, bool binary)
{
    d->transport.receiveInjected(message, binary);
}

void GatewayClient::start()
{
    d->start();
}

void GatewayClient::stop()
{
    d->stop(1000);
}

void GatewayClient::suspend()
{
    d->stop(OwnCloseCode);
}

void GatewayClient::reconnect(ReconnectMode mode)
{
    d->reconnect(mode);
}

} // namespace gw
