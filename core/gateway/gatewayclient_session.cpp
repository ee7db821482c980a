// GatewayClient::Private, the session: what each opcode of the gateway means for it. HELLO
// starts the heartbeat and the IDENTIFY (through the IdentifyGate) or RESUME; READY/RESUMED make
// the client Ready; op 1 asks for a beat, op 7 for a reconnect, op 9 invalidates the session.
#include "gatewayclient_p.h"

#include "backoff.h"
#include "logging.h"

#include <QRandomGenerator>

#include <algorithm>

namespace gw {

namespace {
const QString AckLateWithData = QStringLiteral("heartbeat ACK late, data still flowing");
const QString AckLate = QStringLiteral("heartbeat ACK late");

//! "latency over 1 s", "latency over 200 ms".
QString latencyOver(std::chrono::milliseconds threshold)
{
    const qint64 ms = threshold.count();
    if (ms >= 1000 && ms % 1000 == 0)
        return QStringLiteral("latency over %1 s").arg(ms / 1000);
    return QStringLiteral("latency over %1 ms").arg(ms);
}
} // namespace

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
    closeOwn(CloseCause::HelloTimeout, reason,
             CloseOptions{CloseAction::Resume, std::nullopt,
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
        closeOwn(CloseCause::Protocol, QStringLiteral("bad HELLO"),
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
    ledger.beginReplay(session.sequence());
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
            waitForIdentifyBudget(error);
        });
    // The supervisor pauses its READY guard and HELLO watch until the grant (identifySent).
    Q_EMIT q->identifyQueued(shardId);
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
    const bool isReady = p.t == "READY";
    const bool isResumed = !isReady && p.t == "RESUMED";
    const Mark m = mark();
    if (!accountDispatch(p, isReady || isResumed))
        return;  // a sequenceGap receiver stopped the run or ended the socket
    if (isReady) {
        handleReady(p);
    } else if (isResumed) {
        if (attempt.resuming) {
            handleResumed(p.s);
        } else {
            // Only a RESUME is answered with RESUMED: a stray one must not make us Ready.
            ++stats.malformedPayloads;
            warnings.warn(QStringLiteral("RESUMED without a RESUME; ignored"));
        }
    }
    if (!current(m))
        return;  // READY/RESUMED handling stopped the run or ended the socket
    Q_EMIT q->dispatchReceived(p.t, p.s.value_or(-1));
}

//! READY starts a new sequence and RESUMED's s is judged by the resume outcome: both are
//! taken as they come (`sessionMarker`). Any other dispatch is placed after the last s.
bool GatewayClient::Private::accountDispatch(const GatewayPayload &p, bool sessionMarker)
{
    const bool replay = attempt.resuming && !sessionMarker;
    ledger.count(replay);
    if (!p.s)
        return true;
    if (sessionMarker) {
        if (p.t == "READY" || *p.s > session.sequence())
            session.observeSequence(*p.s);
        return true;
    }
    const DispatchLedger::Step step = ledger.place(*p.s, session.sequence(), replay);
    if (step.advance)
        session.observeSequence(*p.s);
    if (!step.gap)
        return true;
    warnings.warn(QStringLiteral("sequence gap: expected %1, got %2 (%3 events lost)")
                      .arg(step.gap->expected)
                      .arg(step.gap->got)
                      .arg(step.gap->got - step.gap->expected));
    const Mark m = mark();
    Q_EMIT q->sequenceGap(step.gap->expected, step.gap->got);
    return current(m);
}

void GatewayClient::Private::handleReady(const GatewayPayload &p)
{
    auto decoded = PayloadDecoder::decodeReady(p);
    if (!decoded) {
        ++stats.malformedPayloads;
        warnings.warn(QStringLiteral("bad READY: %1").arg(decoded.error().message()));
        if (transport.hasSocket()) {
            closeOwn(CloseCause::Protocol, QStringLiteral("bad READY"),
                     CloseOptions{CloseAction::NewSession, std::nullopt,
                                  GatewayError{GatewayError::Kind::Protocol, std::nullopt, decoded.error().message()}});
        }
        return;
    }
    const SessionInfo s = session.adoptReady(decoded.value(), gatewayUrl);
    attempt.wasReady = true;
    attempt.resuming = false;
    retry.sessionStarted();
    const std::optional<DispatchLedger::Replacement> replaced = ledger.takeReplacement();
    qCInfo(lcGateway).noquote() << "READY as" << s.userName << "shard" << s.shardId << "/" << s.shardCount << "guilds"
                                << s.guildCount << (replaced ? "(a new session: events in between were lost)" : "");
    const Mark m = mark();
    setState(ConnectionState::Ready);
    if (replaced) {
        Q_EMIT q->sessionReplaced(replaced->gapFrom, replaced->gapTo);
        if (!current(m))
            return;
    }
    Q_EMIT q->ready(s);
    if (!current(m))
        return;
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::handleResumed(std::optional<qint64> resumedSeq)
{
    attempt.resuming = false;
    attempt.wasReady = true;
    retry.sessionStarted();
    session.adoptResumed(config.shard);  // a seeded session: what is known of it
    ++stats.resumedOk;
    const ResumeOutcome outcome = ledger.endReplay(resumedSeq);
    qCInfo(lcGateway) << "resumed and replayed" << outcome.replayed << "events; seq" << outcome.sequenceBefore << "->"
                      << outcome.sequenceAfter << "missed" << outcome.missed << "lost" << outcome.lost;
    const Mark m = mark();
    setState(ConnectionState::Ready);
    Q_EMIT q->resumed(outcome);
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
    closeOwn(CloseCause::Op7, QStringLiteral("op 7: reconnect requested by the gateway"),
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
        closeOwn(CloseCause::InvalidSession, QStringLiteral("op 9: invalid session (resumable)"),
                 CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
        return;
    }
    // d:false: drop the session, wait a random 1–5 s, IDENTIFY on the cached gateway URL
    // (docs/protocol.md, invalid session); a failed RESUME lands here too and falls back the same way.
    dropSession();
    const auto wait = uniformDelay(config.timings.invalidSessionDelayMin, config.timings.invalidSessionDelayMax,
                                   QRandomGenerator::global()->generateDouble());
    closeOwn(CloseCause::InvalidSession, QStringLiteral("op 9: invalid session"),
             CloseOptions{CloseAction::NewSession, wait, std::nullopt});
}

void GatewayClient::Private::handleHeartbeatTick()
{
    if (!transport.hasSocket())
        return;
    const Mark m = mark();
    switch (heartbeat.tick()) {
    case Heartbeat::Tick::Beat:
        sendHeartbeat(false);
        return;
    case Heartbeat::Tick::Late:
        // Not a zombie: the ACK waits behind data that is still arriving (docs/protocol.md).
        setDegraded(AckLateWithData);
        if (current(m))
            sendHeartbeat(false);
        return;
    case Heartbeat::Tick::Zombie:
        break;
    }
    Q_EMIT q->zombieDetected();
    if (!current(m))
        return;
    closeOwn(CloseCause::Zombie, QStringLiteral("zombie connection: heartbeat not acknowledged"),
             CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
}

void GatewayClient::Private::sendHeartbeat(bool requested)
{
    const qint64 sequence = session.sequence();
    const std::optional<qint64> seq = sequence >= 0 ? std::optional<qint64>(sequence) : std::nullopt;
    if (!transport.send(PayloadEncoder::heartbeat(seq), SendLimiter::Kind::Heartbeat))
        return;
    heartbeat.beatSent(requested);
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
    if (!heartbeat.mayAnswerRequest()) {
        // An op 1 storm must not turn into a heartbeat storm (heartbeats bypass the send
        // budget): at most one answer per interval/4 while a beat is un-ACKed.
        ++stats.extraHeartbeatRequests;
        warnings.warn(QStringLiteral("heartbeat request while a heartbeat is un-ACKed and one went out less than "
                                     "interval/4 ago; not sending another"));
        return;
    }
    // At once with the current sequence, even while a beat is un-ACKed; the regular schedule
    // restarts from this beat (docs/protocol.md, heartbeats).
    sendHeartbeat(true);
}

void GatewayClient::Private::handleAck()
{
    const auto latency = heartbeat.acknowledged();
    if (!latency)
        return;  // unsolicited ACK: harmless
    const Mark m = mark();
    if (*latency > config.timings.latencyWarning)
        setDegraded(latencyOver(config.timings.latencyWarning));
    else if (state == ConnectionState::Degraded)
        setState(ConnectionState::Ready);
    Q_EMIT q->heartbeatAcked(*latency);
    if (!current(m))
        return;
    Q_EMIT q->statsChanged();
}

void GatewayClient::Private::handleAckOverdue()
{
    setDegraded(heartbeat.dataSinceBeat() ? AckLateWithData : AckLate);
}

} // namespace gw
