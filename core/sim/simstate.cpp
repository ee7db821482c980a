#include "simstate_p.h"

#include "logging.h"
#include "simprotocol_p.h"

#include <QDateTime>

namespace gw::sim {

Bot *State::botByName(const QString &name)
{
    for (auto &[token, bot] : bots) {
        if (bot.policy.name == name)
            return &bot;
    }
    return nullptr;
}

Bot *State::botByToken(const QString &token)
{
    const auto it = bots.find(token);
    return it == bots.end() ? nullptr : &it->second;
}

Connection *State::connectionById(int id)
{
    const auto it = connections.find(id);
    return it == connections.end() ? nullptr : it->second.get();
}

Session *State::sessionById(const QString &id)
{
    const auto it = sessions.find(id);
    return it == sessions.end() ? nullptr : &it->second;
}

bool State::sessionLive(const Session &s) const
{
    if (s.invalid)
        return false;
    if (s.connectionId != 0)
        return true;
    return nowMs() - s.disconnectedAtMs <= options.sessionResumeWindow.count();
}

void State::pruneSessions()
{
    for (auto it = sessions.begin(); it != sessions.end();) {
        if (!sessionLive(it->second))
            it = sessions.erase(it);
        else
            ++it;
    }
}

std::chrono::milliseconds State::refreshBudget(Bot &bot)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (bot.budgetResetAtMs == 0)
        bot.budgetResetAtMs = now + bot.policy.sessionStartResetAfter.count();
    if (now >= bot.budgetResetAtMs) {
        bot.policy.sessionStartRemaining = bot.policy.sessionStartTotal;
        bot.budgetResetAtMs = now + std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::hours{24}).count();
    }
    return std::chrono::milliseconds(bot.budgetResetAtMs - now);
}

Bot *State::addDefaultBot(const QString &token)
{
    SimBotPolicy policy;
    policy.name = QStringLiteral("bot-%1").arg(++unknownBotCounter);
    Bot bot;
    bot.token = token;
    bot.policy = policy;
    qCInfo(lcSim) << "accepting an unknown token as" << policy.name;
    return &bots.insert_or_assign(token, std::move(bot)).first->second;
}

void State::sendRaw(Connection &c, const QByteArray &payload)
{
    if (c.silent || !c.socket || !c.info.open)
        return;
    c.outbound->push(payload);
}

void State::closeConnection(Connection &c, int code, const QString &reason)
{
    if (!c.socket || !c.info.open || c.silent)
        return;
    qCInfo(lcSim).nospace() << "connection " << c.info.id << ": closing with " << code << " (" << reason << ')';
    if (closeInvalidatesSession(code))
        invalidateSessionOf(c);
    c.serverClosing = true;
    c.heartbeatDeadline->stop();
    c.outbound->pushClose(code, reason);
}

int State::outboundRateFor(const Connection &c)
{
    if (c.load.outboundRate)
        return *c.load.outboundRate;
    if (const Bot *bot = c.token.isEmpty() ? nullptr : botByToken(c.token); bot && bot->load.outboundRate)
        return *bot->load.outboundRate;
    return options.outboundRate;
}

std::chrono::milliseconds State::ackDelayFor(const Connection &c)
{
    if (c.load.ackDelay)
        return *c.load.ackDelay;
    if (const Bot *bot = c.token.isEmpty() ? nullptr : botByToken(c.token); bot && bot->load.ackDelay)
        return *bot->load.ackDelay;
    return options.ackDelay;
}

void State::invalidateSessionOf(Connection &c)
{
    if (Session *s = sessionById(c.info.sessionId)) {
        s->invalid = true;
        if (s->connectionId == c.info.id)
            s->connectionId = 0;
    }
}

void State::armHeartbeatDeadline(Connection &c)
{
    if (!options.enforceHeartbeatTimeout || c.silent)
        return;
    const auto interval = options.heartbeatInterval;
    c.heartbeatDeadline->start(interval + interval / 2 + options.heartbeatTimeoutGrace);
}

void State::emitDispatch(Session &s, const QByteArray &event, const QByteArray &dJson, bool replayable)
{
    s.seq += 1 + s.skipPending;  // skipped numbers are never sent nor kept for replay
    s.skipPending = 0;
    const QByteArray payload = dispatchEnvelope(event, s.seq, dJson);
    if (replayable) {
        s.replay.emplace_back(s.seq, payload);
        while (s.replay.size() > static_cast<size_t>(std::max(1, options.replayBufferLimit)))
            s.replay.pop_front();
    }
    if (s.connectionId == 0)
        return;
    if (Connection *c = connectionById(s.connectionId))
        sendRaw(*c, payload);
}

void State::emitMessageCreate(Session &s)
{
    emitDispatch(s, "MESSAGE_CREATE", messageCreateData(s.shardId, options.dispatchPayloadBytes));
}

int State::dispatchToBot(const QString &botName, const QByteArray &event, const QByteArray &dJson)
{
    int n = 0;
    for (auto &[id, s] : sessions) {
        if (s.botName == botName && sessionLive(s)) {
            emitDispatch(s, event, dJson);
            ++n;
        }
    }
    return n;
}

void State::dispatchTick()
{
    pruneSessions();
    for (auto &[id, s] : sessions)
        emitMessageCreate(s);
}

void State::record(SimReceived rec)
{
    records.append(std::move(rec));
    const int limit = std::max(1, options.recordLimit);
    if (records.size() > limit)
        records.remove(0, records.size() - limit);
}

} // namespace gw::sim
