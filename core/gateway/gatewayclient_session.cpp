// GatewayClient::Private, the session: what each opcode of the gateway means for it. HELLO
// starts the heartbeat and the IDENTIFY (through the IdentifyGate) or RESUME; READY/RESUMED make
// the client Ready; op 1 asks for a beat, op 7 for a reconnect, op 9 invalidates the session.
#include "gatewayclient_p.h"

#include "backoff.h"
#include "logging.h"

#include <QRandomGenerator>

#include <algorithm>

namespace gw {

void GatewayClient::Private::payloadReceived(const GatewayPayload &p)
{
    switch (p.op) {
    case int(GatewayOp::Dispatch): handleDispatch(p); return;
    case int(GatewayOp::Heartbeat): handleHeartbeatRequest(); return;
    case int(GatewayOp::Reconnect): handleReconnectOp(); return;
    case int(GatewayOp::InvalidSession): handleInvalidSession(p); return;
    case int(GatewayOp::Hello): handleHello(p); return;
    case int(GatewayOp::HeartbeatAck): handleAck(); return;
    default:
        // Unknown (or client-only) opcodes are not errors (docs/protocol.md): count, log, go on.
        ++stats.unknownOpcodes;
        warnings.warn(QStringLiteral("ignoring unknown opcode %1").arg(p.op));
        return;
    }
}

void GatewayClient::Private::handleHelloTimeout()
{
    const QString reason = QStringLiteral("no HELLO within %1 ms").arg(config.timings.helloTimeout.count());
    closeOwn(reason, CloseOptions{CloseAction::Resume, std::nullopt,
                                  GatewayError{GatewayError::Kind::HelloTimeout, std::nullopt, reason}});
}

void GatewayClient::Private::handleHello(const GatewayPayload &p)
{
    if (!transport.hasSocket() || attempt.helloSeen)
        return;
    const auto interval = PayloadDecoder::decodeHello(p);
    if (!interval) {
        ++stats.malformedPayloads;
        warnings.warn(QStringLiteral("bad HELLO: %1").arg(interval.error().message()));
        closeOwn(QStringLiteral("bad HELLO"),
                 CloseOptions{CloseAction::Resume, std::nullopt,
                              GatewayError{GatewayError::Kind::Protocol, std::nullopt, interval.error().message()}});
        return;
    }
    helloTimer.stop();
    attempt.helloSeen = true;
    heartbeat.start(*interval, QRandomGenerator::global()->generateDouble());

    const Mark m = mark();
    const bool resume = attempt.mode == ReconnectMode::Resume && session.isResumable();
    setState(resume ? ConnectionState::Resuming : ConnectionState::Identifying);
    Q_EMIT q->helloReceived(*interval);
    if (!current(m))
        return;
    if (resume)
        sendResume();
    else
        requestIdentify();
}

void GatewayClient::Private::sendResume()
{
    const QByteArray payload = PayloadEncoder::resume(config.token, session.id(), session.sequence());
    if (!transport.send(payload, SendLimiter::Kind::Resume))
        return;
    attempt.resuming = true;
    attempt.replayed = 0;
    attempt.seqBefore = session.sequence();
    ++stats.resumes;
    Q_EMIT q->resumeSent(session.id(), session.sequence());
}

std::pair<int, int> GatewayClient::Private::shard() const
{
    if (config.shard)
        return *config.shard;
    return {0, gatewayInfo ? std::max(1, gatewayInfo->shards) : 1};
}

void GatewayClient::Private::requestIdentify()
{
    const Mark m = mark();
    const auto [shardId, shardCount] = shard();
    attempt.ticket = gate->request(
        shardId, q,
        [this, m, shardId = shardId, shardCount = shardCount] {
            if (!current(m) || !transport.hasSocket())
                return;
            attempt.ticket.reset();
            sendIdentify(shardId, shardCount);
        },
        [this, m](const GatewayError &error) {
            if (!current(m))
                return;
            attempt.ticket.reset();
            terminate(error);
        });
}

void GatewayClient::Private::sendIdentify(int shardId, int shardCount)
{
    IdentifyParams params;
    params.token = config.token;
    params.intents = config.intents;
    params.os = config.osName;
    params.browser = config.browser;
    params.device = config.device;
    params.shardId = shardId;
    params.shardCount = shardCount;
    params.largeThreshold = config.largeThreshold;
    if (!transport.send(PayloadEncoder::identify(params), SendLimiter::Kind::Identify))
        return;
    ++stats.identifies;
    Q_EMIT q->identifySent(shardId, shardCount);
}

void GatewayClient::Private::handleDispatch(const GatewayPayload &p)
{
    ++stats.dispatches;
    if (p.s)
        session.observeSequence(*p.s);
    const Mark m = mark();
    if (p.t == "READY") {
        handleReady(p);
    } else if (p.t == "RESUMED") {
        if (attempt.resuming) {
            handleResumed();
        } else {
            // Only a RESUME is answered with RESUMED: a stray one must not make us Ready.
            ++stats.malformedPayloads;
            warnings.warn(QStringLiteral("RESUMED without a RESUME; ignored"));
        }
    } else if (attempt.resuming) {
        ++attempt.replayed;
    }
    if (!current(m))
        return;  // READY/RESUMED handling stopped the run or ended the socket
    Q_EMIT q->dispatchReceived(p.t, p.s.value_or(-1));
}

void GatewayClient::Private::handleReady(const GatewayPayload &p)
{
    auto decoded = PayloadDecoder::decodeReady(p);
    if (!decoded) {
        ++stats.malformedPayloads;
        warnings.warn(QStringLiteral("bad READY: %1").arg(decoded.error().message()));
        if (transport.hasSocket()) {
            closeOwn(QStringLiteral("bad READY"),
                     CloseOptions{CloseAction::NewSession, std::nullopt,
                                  GatewayError{GatewayError::Kind::Protocol, std::nullopt, decoded.error().message()}});
        }
        return;
    }
    const SessionInfo s = session.adoptReady(decoded.value(), gatewayUrl);
    attempt.wasReady = true;
    attempt.resuming = false;
    retry.resetFailures();
    qCInfo(lcGateway).noquote() << "READY as" << s.userName << "shard" << s.shardId << "/" << s.shardCount << "guilds"
                                << s.guildCount;
    const Mark m = mark();
    setState(ConnectionState::Ready);
    Q_EMIT q->ready(s);
    if (!current(m))
        return;
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::handleResumed()
{
    const int replayed = attempt.replayed;
    const qint64 before = attempt.seqBefore;
    attempt.resuming = false;
    attempt.wasReady = true;
    retry.resetFailures();
    session.adoptResumed(config.shard);  // a seeded session: what is known of it
    ++stats.resumedOk;
    stats.replayedDispatches += quint64(replayed);
    qCInfo(lcGateway) << "resumed and replayed" << replayed << "events; seq" << before << "->" << session.sequence();
    const Mark m = mark();
    setState(ConnectionState::Ready);
    Q_EMIT q->resumed(replayed, before, session.sequence());
    if (!current(m))
        return;
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::handleReconnectOp()
{
    if (!transport.hasSocket())
        return;
    const Mark m = mark();
    Q_EMIT q->reconnectRequested();
    if (!current(m))
        return;
    closeOwn(QStringLiteral("op 7: reconnect requested by the gateway"),
             CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
}

void GatewayClient::Private::handleInvalidSession(const GatewayPayload &p)
{
    if (!transport.hasSocket())
        return;
    auto resumable = PayloadDecoder::decodeInvalidSession(p);
    if (!resumable) {
        ++stats.malformedPayloads;
        warnings.warn(QStringLiteral("op 9 with a non-boolean d; treating it as not resumable"));
    }
    const bool canResume = resumable ? resumable.value() : false;
    const Mark m = mark();
    Q_EMIT q->invalidSession(canResume);
    if (!current(m))
        return;
    if (canResume && session.isResumable()) {
        closeOwn(QStringLiteral("op 9: invalid session (resumable)"),
                 CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
        return;
    }
    // d:false: drop the session, wait a random 1–5 s, IDENTIFY on the cached gateway URL
    // (docs/protocol.md, invalid session); a failed RESUME lands here too and falls back the same way.
    session.drop();
    const auto wait = uniformDelay(config.timings.invalidSessionDelayMin, config.timings.invalidSessionDelayMax,
                                   QRandomGenerator::global()->generateDouble());
    closeOwn(QStringLiteral("op 9: invalid session"), CloseOptions{CloseAction::NewSession, wait, std::nullopt});
}

void GatewayClient::Private::handleHeartbeatTick()
{
    if (!transport.hasSocket())
        return;
    if (heartbeat.tick() == Heartbeat::Tick::Beat) {
        sendHeartbeat(false);
        return;
    }
    const Mark m = mark();
    Q_EMIT q->zombieDetected();
    if (!current(m))
        return;
    closeOwn(QStringLiteral("zombie connection: heartbeat not acknowledged"),
             CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
}

void GatewayClient::Private::sendHeartbeat(bool requested)
{
    const qint64 sequence = session.sequence();
    const std::optional<qint64> seq = sequence >= 0 ? std::optional<qint64>(sequence) : std::nullopt;
    if (!transport.send(PayloadEncoder::heartbeat(seq), SendLimiter::Kind::Heartbeat))
        return;
    heartbeat.beatSent();
    Q_EMIT q->heartbeatSent(sequence, requested);
}

void GatewayClient::Private::handleHeartbeatRequest()
{
    if (!transport.hasSocket())
        return;
    const Mark m = mark();
    Q_EMIT q->heartbeatRequested();
    if (!current(m))
        return;
    if (heartbeat.awaitingAck()) {
        // An op 1 storm must not turn into a heartbeat storm (heartbeats bypass the send
        // budget): the beat in flight already carries our sequence.
        warnings.warn(QStringLiteral("heartbeat request while a heartbeat is un-ACKed; not sending another"));
        return;
    }
    sendHeartbeat(true);  // at once, without waiting for the interval (docs/protocol.md, heartbeats)
}

void GatewayClient::Private::handleAck()
{
    const auto latency = heartbeat.acknowledged();
    if (!latency)
        return;  // unsolicited ACK: harmless
    const Mark m = mark();
    if (state == ConnectionState::Ready || state == ConnectionState::Degraded)
        setState(*latency > config.timings.latencyWarning ? ConnectionState::Degraded : ConnectionState::Ready);
    Q_EMIT q->heartbeatAcked(*latency);
    if (!current(m))
        return;
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::handleAckOverdue()
{
    if (state == ConnectionState::Ready)
        setState(ConnectionState::Degraded);
}

} // namespace gw
