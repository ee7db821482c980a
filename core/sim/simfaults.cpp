#include "simfaults_p.h"

#include "logging.h"
#include "simprotocol_p.h"
#include "simstate_p.h"

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
        m_state.closeConnection(c, f.closeCode, QStringLiteral("Simulated close."));
        return true;
    case SimFault::Kind::DropTcp:
        c.serverClosing = true;
        c.socket->abort();
        return true;
    case SimFault::Kind::Flood:
        return flood(c, f.count);
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
    }
    return false;
}

// `count` MESSAGE_CREATEs back to back on the connection's own session.
bool FaultInjector::flood(Connection &c, int count)
{
    Session *s = m_state.sessionById(c.info.sessionId);
    if (!s || s->connectionId != c.info.id)
        return false;
    for (int i = 0; i < std::max(1, count); ++i)
        m_state.emitMessageCreate(*s);
    return true;
}

} // namespace gw::sim
