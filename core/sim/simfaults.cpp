#include "simfaults_p.h"

#include "logging.h"
#include "simprotocol_p.h"
#include "simstate_p.h"

#include <QDateTime>

using namespace std::chrono_literals;

namespace gw::sim {

bool FaultInjector::inject(const QString &botName, const SimFault &fault)
{
    Bot *bot = m_state.botByName(botName);
    if (!bot)
        return false;
    const int n = std::max(1, fault.connections);
    switch (fault.kind) {
    case SimFault::Kind::WithholdHello:
        // The bot of a socket is unknown before IDENTIFY: applies to the next sockets of any bot.
        m_state.pendingWithholdHello += n;
        qCInfo(lcSim) << "fault WithholdHello armed for the next" << n << "connection(s)";
        return true;
    case SimFault::Kind::SlowHandshake:
        for (int i = 0; i < n; ++i)
            m_state.pendingSlowHandshakes.push_back(fault.delay);
        qCInfo(lcSim) << "fault SlowHandshake armed for the next" << n << "connection(s)";
        return true;
    case SimFault::Kind::WithholdReady:
        bot->withholdReadyPending += n;
        qCInfo(lcSim) << "fault WithholdReady armed for the next" << n << "IDENTIFY/RESUME of" << botName;
        return true;
    case SimFault::Kind::Flap:
        bot->flapUntilMs = QDateTime::currentMSecsSinceEpoch() + fault.duration.count();
        bot->flapCode = fault.closeCode;
        bot->flapDelay = fault.delay;
        qCInfo(lcSim) << "fault Flap for" << fault.duration.count() << "ms: close" << fault.closeCode << fault.delay.count()
                      << "ms after each READY/RESUMED of" << botName;
        return true;
    default:
        break;
    }
    Connection *newest = nullptr;
    for (auto &[id, c] : m_state.connections) {
        if (c->info.open && c->info.botName == botName)
            newest = c.get();
    }
    return newest && applyLive(*newest, fault);
}

bool FaultInjector::injectOnConnection(int connectionId, const SimFault &fault)
{
    Connection *c = m_state.connectionById(connectionId);
    return c && applyLive(*c, fault);
}

bool FaultInjector::applyLive(Connection &c, const SimFault &f)
{
    if (!c.info.open || !c.socket)
        return false;
    qCInfo(lcSim).nospace() << "fault " << GatewaySimulator::faultKindName(f.kind) << " on connection " << c.info.id;
    switch (f.kind) {
    case SimFault::Kind::WithholdHello:
    case SimFault::Kind::SlowHandshake:
    case SimFault::Kind::Flap:
        return false;
    case SimFault::Kind::WithholdReady:
        c.withholdReady = true;
        return true;
    case SimFault::Kind::StopAcks:
    case SimFault::Kind::ResumeAcks:
        c.stopAcks = f.kind == SimFault::Kind::StopAcks;
        return true;
    case SimFault::Kind::GoSilent:
        c.silent = true;
        c.heartbeatDeadline->stop();
        c.outbound->clear();
        return true;
    case SimFault::Kind::Reconnect:
        m_state.sendRaw(c, envelope(7, "null"));
        if (f.delay > 0ms)
            c.reconnectCloseTimer->start(f.delay);
        return true;
    case SimFault::Kind::InvalidSession:
        m_state.sendRaw(c, envelope(9, f.resumable ? "true" : "false"));
        if (!f.resumable) {
            m_state.invalidateSessionOf(c);
            c.authenticated = false;
        }
        return true;
    case SimFault::Kind::RequestHeartbeat:
        m_state.sendRaw(c, envelope(1, "null"));
        return true;
    case SimFault::Kind::Close:
        m_state.closeConnection(c, f.closeCode,
                                f.closeReason.isEmpty() ? QStringLiteral("Simulated close.") : f.closeReason);
        return true;
    case SimFault::Kind::DropTcp:
        c.serverClosing = true;
        c.socket->abort();
        return true;
    case SimFault::Kind::Flood:
        return flood(c, f);
    case SimFault::Kind::Malformed:
        for (int i = 0; i < std::max(1, f.count); ++i) {
            m_state.sendRaw(c, "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":");
            m_state.sendRaw(c, "{\"op\":\"ten\",\"d\":null,\"s\":null,\"t\":null}");
        }
        return true;
    case SimFault::Kind::Oversized: {
        const QByteArray head = "{\"op\":0,\"t\":\"OVERSIZED\",\"s\":null,\"d\":{\"pad\":\"";
        const QByteArray tail = "\"}}";
        const qsizetype padBytes = std::max<qsizetype>(0, f.size - head.size() - tail.size());
        m_state.sendRaw(c, head + filler(padBytes) + tail);
        return true;
    }
    case SimFault::Kind::SkipSequence:
        return skipSequence(c, f.count);
    }
    return false;
}

// `count` MESSAGE_CREATEs on the connection's own session: back to back, or `rate` per second
// (each then its own frame and its own write).
bool FaultInjector::flood(Connection &c, const SimFault &f)
{
    Session *s = m_state.sessionById(c.info.sessionId);
    if (!s || s->connectionId != c.info.id)
        return false;
    const int count = std::max(1, f.count);
    if (f.rate <= 0) {
        for (int i = 0; i < count; ++i)
            m_state.emitMessageCreate(*s);
        return true;
    }
    PacedFlood &flood = c.flood;
    if (!flood.timer) {
        const int id = c.info.id;
        flood.timer = std::make_unique<SimPacer>(q, [this, id] { floodTick(id); });
    }
    // A flood while one is running: the rest of both at the new rate, from now.
    flood.remaining += count;
    flood.rate = f.rate;
    flood.sent = 0;
    flood.start = std::chrono::steady_clock::now();
    floodTick(c.info.id);
    return true;
}

void FaultInjector::floodTick(int connectionId)
{
    Connection *c = m_state.connectionById(connectionId);
    if (!c || !c->info.open)
        return;
    PacedFlood &flood = c->flood;
    Session *s = m_state.sessionById(c->info.sessionId);
    if (!s || s->connectionId != connectionId) {
        flood.remaining = 0;  // the session moved on: the flood ends with this socket
        return;
    }
    const auto elapsed = std::chrono::steady_clock::now() - flood.start;
    const auto dueNow = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() * flood.rate / 1000000 + 1;
    while (flood.remaining > 0 && flood.sent < dueNow) {
        m_state.emitMessageCreate(*s);
        ++flood.sent;
        --flood.remaining;
        if (c->socket)
            c->socket->flush();  // its own write (unless Options::outboundRate queues it)
    }
    if (flood.remaining <= 0)
        return;
    flood.timer->startAt(flood.start + std::chrono::microseconds(qint64(flood.sent) * 1000000 / flood.rate));
}

// The session's next dispatch skips `count` sequence numbers (never sent, never replayed).
bool FaultInjector::skipSequence(Connection &c, int count)
{
    Session *s = m_state.sessionById(c.info.sessionId);
    if (!s || count < 1)
        return false;
    s->skipPending += count;
    return true;
}

} // namespace gw::sim
