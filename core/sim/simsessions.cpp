#include "simsessions_p.h"

#include "logging.h"
#include "simprotocol_p.h"
#include "simstate_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace gw::sim {

namespace {

QJsonObject readyData(const SimBotPolicy &policy, const QString &sessionId, const QString &resumeUrl,
                      const QList<qint64> &guildIds, int shardId, int shardCount)
{
    QJsonArray guilds;
    for (qint64 gid : guildIds)
        guilds.append(QJsonObject{{QStringLiteral("id"), QString::number(gid)}, {QStringLiteral("unavailable"), true}});
    QJsonObject user{{QStringLiteral("id"), policy.userId},
                     {QStringLiteral("username"), policy.userName},
                     {QStringLiteral("discriminator"), QStringLiteral("0")},
                     {QStringLiteral("global_name"), QJsonValue::Null},
                     {QStringLiteral("avatar"), QJsonValue::Null},
                     {QStringLiteral("bot"), true},
                     {QStringLiteral("verified"), true},
                     {QStringLiteral("flags"), 0}};
    return QJsonObject{{QStringLiteral("v"), 10},
                       {QStringLiteral("user"), user},
                       {QStringLiteral("guilds"), guilds},
                       {QStringLiteral("session_id"), sessionId},
                       {QStringLiteral("session_type"), QStringLiteral("normal")},
                       {QStringLiteral("resume_gateway_url"), resumeUrl},
                       {QStringLiteral("shard"), QJsonArray{shardId, shardCount}},
                       {QStringLiteral("application"),
                        QJsonObject{{QStringLiteral("id"), policy.userId}, {QStringLiteral("flags"), 0}}},
                       {QStringLiteral("user_settings"), QJsonObject()},
                       {QStringLiteral("private_channels"), QJsonArray()},
                       {QStringLiteral("relationships"), QJsonArray()},
                       {QStringLiteral("presences"), QJsonArray()},
                       {QStringLiteral("guild_join_requests"), QJsonArray()},
                       {QStringLiteral("geo_ordered_rtc_regions"), QJsonArray()},
                       {QStringLiteral("auth_session_id_hash"), QString()},
                       {QStringLiteral("_trace"), QJsonArray{QStringLiteral("[\"gatewatch-sim\",{}]")}}};
}

} // namespace

std::optional<SessionHandler::Identity> SessionHandler::validateIdentify(Connection &c, const QJsonValue &d)
{
    const QJsonObject o = d.toObject();
    if (!d.isObject() || !o.value(QLatin1String("token")).isString()) {
        m_state.closeConnection(c, 4002, QStringLiteral("Decode error."));
        return std::nullopt;
    }
    Identity id;
    id.token = o.value(QLatin1String("token")).toString();
    id.bot = m_state.botByToken(id.token);
    if (!id.bot && m_state.options.acceptUnknownTokens && !id.token.isEmpty())
        id.bot = m_state.addDefaultBot(id.token);
    if (!id.bot) {
        m_state.closeConnection(c, 4004, QStringLiteral("Authentication failed."));
        return std::nullopt;
    }
    const auto intents = integral(o.value(QLatin1String("intents")));
    if (!intents || *intents < 0 || (quint64(*intents) & ~quint64(ValidIntents)) != 0) {
        m_state.closeConnection(c, 4013, QStringLiteral("Invalid intent(s)."));
        return std::nullopt;
    }
    if ((quint32(*intents) & PrivilegedIntents) != 0 && !id.bot->policy.privilegedIntentsAllowed) {
        m_state.closeConnection(c, 4014, QStringLiteral("Disallowed intent(s)."));
        return std::nullopt;
    }
    if (o.contains(QLatin1String("shard"))) {
        const QJsonArray shard = o.value(QLatin1String("shard")).toArray();
        // Missing or non-integral values become out-of-range sentinels (no optional deref:
        // GCC's -O2 -Wmaybe-uninitialized misfires on it).
        const qint64 sid = shard.size() == 2 ? integral(shard.at(0)).value_or(-1) : -1;
        const qint64 scount = shard.size() == 2 ? integral(shard.at(1)).value_or(0) : 0;
        if (scount < 1 || sid < 0 || sid >= scount || scount > 100000) {
            m_state.closeConnection(c, 4010, QStringLiteral("Invalid shard."));
            return std::nullopt;
        }
        id.shardId = static_cast<int>(sid);
        id.shardCount = static_cast<int>(scount);
    }
    for (int i = 0; i < id.bot->policy.guilds; ++i) {
        if (i % id.shardCount == id.shardId)
            id.guildIds.append(GuildIdBase + (qint64(i) << 22));
    }
    if (id.guildIds.size() > GuildsPerShardLimit) {
        m_state.closeConnection(c, 4011, QStringLiteral("Sharding required."));
        return std::nullopt;
    }
    return id;
}

bool SessionHandler::withholdsReady(Connection &c, Bot &bot, const char *what)
{
    if (!c.withholdReady && bot.withholdReadyPending <= 0)
        return false;
    if (!c.withholdReady)
        --bot.withholdReadyPending;
    c.withholdReady = true;
    qCInfo(lcSim).nospace() << "fault WithholdReady: not answering " << what << " on connection " << c.info.id;
    return true;
}

bool SessionHandler::takeIdentifySlot(Connection &c, Bot &bot, int shardId)
{
    const int maxConcurrency = std::max(1, bot.policy.maxConcurrency);
    const int bucket = shardId % maxConcurrency;
    const qint64 now = nowMs();
    const auto last = bot.bucketLastIdentifyMs.constFind(bucket);
    if (m_state.options.enforceIdentifyConcurrency && last != bot.bucketLastIdentifyMs.constEnd()
        && now - *last < m_state.options.identifyBucketInterval.count()) {
        qCInfo(lcSim) << "connection" << c.info.id << "identified too fast for bucket" << bucket << "-> op 9";
        c.authenticated = false;
        m_state.sendRaw(c, envelope(9, "false"));
        return false;
    }
    bot.bucketLastIdentifyMs.insert(bucket, now);
    m_state.refreshBudget(bot);
    bot.policy.sessionStartRemaining = std::max(0, bot.policy.sessionStartRemaining - 1);
    return true;
}

void SessionHandler::identify(Connection &c, const QJsonValue &d)
{
    if (c.authenticated) {
        m_state.closeConnection(c, 4005, QStringLiteral("Already authenticated."));
        return;
    }
    auto identity = validateIdentify(c, d);
    if (!identity)
        return;
    Bot &bot = *identity->bot;
    c.authenticated = true;
    c.token = identity->token;
    c.info.botName = bot.policy.name;
    if (withholdsReady(c, bot, "IDENTIFY"))
        return;
    if (!takeIdentifySlot(c, bot, identity->shardId))
        return;

    m_state.pruneSessions();
    Session s;
    s.id = randomHex(16);
    s.token = identity->token;
    s.botName = bot.policy.name;
    s.connectionId = c.info.id;
    s.shardId = identity->shardId;
    s.shardCount = identity->shardCount;
    c.info.sessionId = s.id;
    Session &session = m_state.sessions.emplace(s.id, std::move(s)).first->second;
    sendReady(c, bot, session, identity->guildIds);
    armFlap(c, bot);
    Q_EMIT q->sessionIdentified(c.info.id, bot.policy.name, session.id);
}

void SessionHandler::sendReady(Connection &c, const Bot &bot, Session &session, const QList<qint64> &guildIds)
{
    const QJsonObject ready = readyData(bot.policy, session.id, q->announcedResumeUrl().toString(), guildIds,
                                        session.shardId, session.shardCount);
    qCInfo(lcSim).nospace() << "connection " << c.info.id << ": bot " << bot.policy.name << " identified, shard ["
                            << session.shardId << ',' << session.shardCount << "], " << guildIds.size() << " guilds";
    m_state.emitDispatch(session, "READY", toJson(ready), false);
    for (qint64 gid : guildIds)
        m_state.emitDispatch(session, "GUILD_CREATE", guildCreateData(gid));
}

void SessionHandler::resume(Connection &c, const QJsonValue &d)
{
    if (c.authenticated) {
        m_state.closeConnection(c, 4005, QStringLiteral("Already authenticated."));
        return;
    }
    const QJsonObject o = d.toObject();
    const auto seq = integral(o.value(QLatin1String("seq")));
    const bool seqNull = o.value(QLatin1String("seq")).isNull();
    if (!d.isObject() || !o.value(QLatin1String("token")).isString()
        || !o.value(QLatin1String("session_id")).isString() || (!seq && !seqNull)) {
        m_state.closeConnection(c, 4002, QStringLiteral("Decode error."));
        return;
    }
    const QString token = o.value(QLatin1String("token")).toString();
    const qint64 clientSeq = seq.value_or(0);
    Bot *bot = m_state.botByToken(token);
    if (!bot && !m_state.options.acceptUnknownTokens) {
        m_state.closeConnection(c, 4004, QStringLiteral("Authentication failed."));
        return;
    }
    Session *s = m_state.sessionById(o.value(QLatin1String("session_id")).toString());
    if (!bot || !s || s->token != token || !m_state.sessionLive(*s)) {
        qCInfo(lcSim) << "connection" << c.info.id << "tried to resume an unknown or expired session -> op 9";
        m_state.sendRaw(c, envelope(9, "false"));
        return;
    }
    if (clientSeq > s->seq || clientSeq < 0) {
        m_state.closeConnection(c, 4007, QStringLiteral("Invalid seq."));
        s->invalid = true;
        return;
    }
    c.authenticated = true;
    c.token = token;
    c.info.botName = bot->policy.name;
    c.info.sessionId = s->id;
    if (withholdsReady(c, *bot, "RESUME"))
        return;
    s->connectionId = c.info.id;  // an older socket still attached no longer gets dispatches
    int replayed = 0;
    for (const auto &[entrySeq, payload] : s->replay) {
        if (entrySeq > clientSeq) {
            m_state.sendRaw(c, payload);
            ++replayed;
        }
    }
    const QString resumedBot = bot->policy.name;
    const int connId = c.info.id;
    m_state.emitDispatch(*s, "RESUMED", "{\"_trace\":[\"gatewatch-sim\"]}", false);
    armFlap(c, *bot);
    qCInfo(lcSim).nospace() << "connection " << connId << ": bot " << resumedBot << " resumed from seq "
                            << clientSeq << ", replayed " << replayed;
    Q_EMIT q->sessionResumed(connId, resumedBot, replayed);
}

void SessionHandler::armFlap(Connection &c, const Bot &bot)
{
    if (QDateTime::currentMSecsSinceEpoch() >= bot.flapUntilMs)
        return;
    const int id = c.info.id;
    const int code = bot.flapCode;
    c.flapTimer = std::make_unique<QTimer>();
    c.flapTimer->setSingleShot(true);
    c.flapTimer->setTimerType(Qt::PreciseTimer);
    c.flapTimer->callOnTimeout(q, [this, id, code] {
        Connection *conn = m_state.connectionById(id);
        if (conn && conn->info.open) {
            qCInfo(lcSim) << "flap: closing connection" << id << "with" << code;
            m_state.closeConnection(*conn, code, QStringLiteral("Flapping."));
        }
    });
    c.flapTimer->start(bot.flapDelay);
}

} // namespace gw::sim
