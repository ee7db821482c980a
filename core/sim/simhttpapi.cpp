#include "simhttpapi_p.h"

#include "logging.h"
#include "simprotocol_p.h"
#include "simstate_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace gw::sim {

namespace {

SimHttpResponse jsonResponse(int status, const QByteArray &body)
{
    SimHttpResponse r;
    r.status = status;
    r.body = body;
    return r;
}

SimHttpResponse errorJson(int status, const QString &message)
{
    QJsonObject o{{QStringLiteral("message"), message}, {QStringLiteral("code"), 0}};
    return jsonResponse(status, toJson(o));
}

SimHttpResponse discordError(int status)
{
    return errorJson(status, QString::number(status) + QStringLiteral(": ")
                                 + QString::fromLatin1(SimHttpServer::reasonPhrase(status)));
}

SimHttpResponse ok()
{
    return jsonResponse(200, "{\"ok\":true}");
}

QJsonObject connectionJson(const SimConnectionInfo &i)
{
    return QJsonObject{{QStringLiteral("id"), i.id},
                       {QStringLiteral("bot"), i.botName},
                       {QStringLiteral("path"), i.path},
                       {QStringLiteral("compressed"), i.compressed},
                       {QStringLiteral("compression"), compressionName(i.compression)},
                       {QStringLiteral("open"), i.open},
                       {QStringLiteral("via_resume_url"), i.viaResumeUrl},
                       {QStringLiteral("session_id"), i.sessionId},
                       {QStringLiteral("opened_at_ms"), i.openedAtMs},
                       {QStringLiteral("closed_at_ms"), i.closedAtMs},
                       {QStringLiteral("outbound_queued"), i.outboundQueued}};
}

QJsonObject receivedJson(const SimReceived &r)
{
    QJsonObject o{{QStringLiteral("connection"), r.connectionId},
                  {QStringLiteral("op"), r.op},
                  {QStringLiteral("at_ms"), r.atMs},
                  {QStringLiteral("bot"), r.botName},
                  {QStringLiteral("bytes"), r.bytes}};
    if (r.op == 1)
        o.insert(QStringLiteral("heartbeat_seq"), r.heartbeatSeq ? QJsonValue(*r.heartbeatSeq) : QJsonValue());
    if (r.op == 2) {
        o.insert(QStringLiteral("intents"), qint64(r.intents));
        o.insert(QStringLiteral("shard"), QJsonArray{r.shardId, r.shardCount});
    }
    if (r.op == 6) {
        o.insert(QStringLiteral("session_id"), r.sessionId);
        o.insert(QStringLiteral("seq"), r.resumeSeq);
    }
    return o;
}

QJsonObject botJson(const SimBotPolicy &p)
{
    return QJsonObject{{QStringLiteral("name"), p.name},
                       {QStringLiteral("privileged"), p.privilegedIntentsAllowed},
                       {QStringLiteral("guilds"), p.guilds},
                       {QStringLiteral("shards"), p.recommendedShards},
                       {QStringLiteral("max_concurrency"), p.maxConcurrency},
                       {QStringLiteral("session_start_total"), p.sessionStartTotal},
                       {QStringLiteral("session_start_remaining"), p.sessionStartRemaining}};
}

} // namespace

SimHttpResponse HttpApi::handle(const SimHttpRequest &r)
{
    const QString path = r.url.path();
    if (path.startsWith(QLatin1String("/control"))) {
        // Faults and bot tokens are loopback business, whatever address the server binds.
        if (!r.peer.isLoopback())
            return discordError(403);
        return control(r, path);
    }
    if (path.startsWith(QLatin1String("/api/v10/"))) {
        QString botName;
        const QString route = path.mid(8);
        SimHttpResponse response = rest(r, route, botName);
        m_restLimits.record(botName, route, response.status, QDateTime::currentMSecsSinceEpoch());
        return response;
    }
    return discordError(404);
}

SimHttpResponse HttpApi::rest(const SimHttpRequest &r, const QString &route, QString &botName)
{
    const bool known = route == QLatin1String("/gateway") || route == QLatin1String("/gateway/bot")
        || route == QLatin1String("/users/@me");
    if (!known)
        return discordError(404);
    if (r.method != "GET")
        return discordError(405);
    const QString gateway = q->gatewayUrl().toString();
    if (route == QLatin1String("/gateway"))
        return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("url"), gateway}}));

    const QByteArray auth = r.headers.value("authorization");
    Bot *bot = nullptr;
    if (auth.startsWith("Bot ")) {
        const QString token = QString::fromUtf8(auth.mid(4).trimmed());
        bot = m_state.botByToken(token);
        if (!bot && m_state.options.acceptUnknownTokens && !token.isEmpty())
            bot = m_state.addDefaultBot(token);
    }
    if (!bot) {
        qCInfo(lcSim) << "REST" << route << "with a missing or unknown token -> 401";
        return errorJson(401, QStringLiteral("401: Unauthorized"));
    }
    const std::chrono::milliseconds resetAfter = m_state.refreshBudget(*bot);
    const SimBotPolicy &p = bot->policy;
    botName = p.name;
    if (p.restStatus != 0)
        return discordError(p.restStatus);
    if (auto limited = m_restLimits.check(p.name, route, QDateTime::currentMSecsSinceEpoch()))
        return *limited;
    if (route == QLatin1String("/users/@me")) {
        return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("id"), p.userId},
                                                    {QStringLiteral("username"), p.userName},
                                                    {QStringLiteral("discriminator"), QStringLiteral("0")},
                                                    {QStringLiteral("global_name"), QJsonValue::Null},
                                                    {QStringLiteral("avatar"), QJsonValue::Null},
                                                    {QStringLiteral("bot"), true}}));
    }
    const QJsonObject limit{{QStringLiteral("total"), p.sessionStartTotal},
                            {QStringLiteral("remaining"), p.sessionStartRemaining},
                            {QStringLiteral("reset_after"), qint64(resetAfter.count())},
                            {QStringLiteral("max_concurrency"), p.maxConcurrency}};
    return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("url"), gateway},
                                                {QStringLiteral("shards"), p.recommendedShards},
                                                {QStringLiteral("session_start_limit"), limit}}));
}

SimHttpResponse HttpApi::control(const SimHttpRequest &r, const QString &path)
{
    Control c{r, QUrlQuery(r.url), {}, {}};
    c.body = QJsonDocument::fromJson(r.body, &c.parse).object();
    if (path == QLatin1String("/control") || path == QLatin1String("/control/status"))
        return status(c);
    if (path == QLatin1String("/control/bots"))
        return bots(c);
    if (path == QLatin1String("/control/fault"))
        return fault(c);
    if (path == QLatin1String("/control/connections"))
        return connections(c);
    if (path == QLatin1String("/control/received"))
        return received(c);
    if (path == QLatin1String("/control/dispatch"))
        return dispatch(c);
    if (path == QLatin1String("/control/settings"))
        return settings(c);
    if (path == QLatin1String("/control/ratelimit"))
        return rateLimit(c);
    return discordError(404);
}

SimHttpResponse HttpApi::status(const Control &c)
{
    if (!c.is("GET"))
        return discordError(405);
    return jsonResponse(200, toJson(QJsonObject{
        {QStringLiteral("gateway"), q->gatewayUrl().toString()},
        {QStringLiteral("resume"), q->resumeUrl().toString()},
        {QStringLiteral("resume_host"), GatewaySimulator::resumeHostName(q->resumeHost())},
        {QStringLiteral("announced_resume"), q->announcedResumeUrl().toString()},
        {QStringLiteral("api"), q->apiBase().toString()},
        {QStringLiteral("control"), q->controlUrl().toString()},
        {QStringLiteral("heartbeat_interval_ms"), qint64(m_state.options.heartbeatInterval.count())},
        {QStringLiteral("dispatch_interval_ms"), qint64(m_state.options.dispatchInterval.count())},
        {QStringLiteral("outbound_rate"), m_state.options.outboundRate},
        {QStringLiteral("ack_delay_ms"), qint64(m_state.options.ackDelay.count())},
        {QStringLiteral("replay_buffer_limit"), m_state.options.replayBufferLimit},
        {QStringLiteral("open_connections"), q->openConnectionCount()},
        {QStringLiteral("live_sessions"), q->liveSessionCount()}}));
}

SimHttpResponse HttpApi::bots(const Control &c)
{
    if (c.is("GET")) {
        QJsonArray list;
        for (const auto &[token, bot] : m_state.bots)
            list.append(botJson(bot.policy));
        return jsonResponse(200, toJson(list));
    }
    if (c.is("DELETE")) {
        Bot *bot = m_state.botByName(c.query.queryItemValue(QStringLiteral("name")));
        if (!bot)
            return errorJson(404, QStringLiteral("unknown bot"));
        q->removeBot(bot->token);
        return ok();
    }
    if (!c.is("POST"))
        return discordError(405);
    return addBot(c);
}

SimHttpResponse HttpApi::addBot(const Control &c)
{
    const QJsonObject &body = c.body;
    const QString token = body.value(QLatin1String("token")).toString();
    const QString name = body.value(QLatin1String("name")).toString();
    if (!c.isJson() || token.isEmpty() || name.isEmpty())
        return errorJson(400, QStringLiteral("expected {\"token\":…, \"name\":…}"));
    SimBotPolicy p;
    p.name = name;
    p.privilegedIntentsAllowed = body.value(QLatin1String("privileged")).toBool(true);
    p.guilds = body.value(QLatin1String("guilds")).toInt(p.guilds);
    p.recommendedShards = body.value(QLatin1String("shards")).toInt(p.recommendedShards);
    p.maxConcurrency = body.value(QLatin1String("max_concurrency")).toInt(p.maxConcurrency);
    p.sessionStartTotal = body.value(QLatin1String("session_start_total")).toInt(p.sessionStartTotal);
    p.sessionStartRemaining = body.value(QLatin1String("session_start_remaining")).toInt(p.sessionStartRemaining);
    p.sessionStartResetAfter = std::chrono::milliseconds(
        body.value(QLatin1String("reset_after_ms")).toInteger(p.sessionStartResetAfter.count()));
    p.userId = body.value(QLatin1String("user_id")).toString(p.userId);
    p.userName = body.value(QLatin1String("username")).toString(p.userName);
    q->addBot(token, p);
    return jsonResponse(201, toJson(QJsonObject{{QStringLiteral("name"), name}}));
}

SimHttpResponse HttpApi::fault(const Control &c)
{
    if (!c.is("POST"))
        return discordError(405);
    if (!c.isJson())
        return errorJson(400, QStringLiteral("body is not JSON"));
    const QJsonObject &body = c.body;
    const auto kind = GatewaySimulator::faultKindFromName(body.value(QLatin1String("kind")).toString());
    if (!kind)
        return errorJson(400, QStringLiteral("unknown fault kind"));
    SimFault f;
    f.kind = *kind;
    f.closeCode = body.value(QLatin1String("code")).toInt(f.closeCode);
    f.resumable = body.value(QLatin1String("resumable")).toBool(f.resumable);
    f.count = body.value(QLatin1String("count")).toInt(f.count);
    f.rate = body.value(QLatin1String("rate")).toInt(f.rate);
    f.connections = body.value(QLatin1String("connections")).toInt(f.connections);
    f.size = body.value(QLatin1String("size")).toInteger(f.size);
    f.delay = std::chrono::milliseconds(body.value(QLatin1String("delay_ms")).toInteger(0));
    f.duration = std::chrono::milliseconds(body.value(QLatin1String("duration_ms")).toInteger(0));
    bool applied = false;
    if (body.contains(QLatin1String("connection"))) {
        const int id = body.value(QLatin1String("connection")).toInt();
        if (!m_state.connectionById(id))
            return errorJson(404, QStringLiteral("unknown connection"));
        applied = q->injectFaultOnConnection(id, f);
    } else {
        const QString botName = body.value(QLatin1String("bot")).toString();
        if (!m_state.botByName(botName))
            return errorJson(404, QStringLiteral("unknown bot"));
        applied = q->injectFault(botName, f);
    }
    if (!applied)
        return errorJson(409, QStringLiteral("no open connection to apply the fault to"));
    return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("ok"), true},
                                                {QStringLiteral("kind"), GatewaySimulator::faultKindName(f.kind)}}));
}

SimHttpResponse HttpApi::connections(const Control &c)
{
    if (!c.is("GET"))
        return discordError(405);
    QJsonArray list;
    for (const SimConnectionInfo &i : q->connections())
        list.append(connectionJson(i));
    return jsonResponse(200, toJson(list));
}

SimHttpResponse HttpApi::received(const Control &c)
{
    if (c.is("DELETE")) {
        q->clearRecords();
        return ok();
    }
    if (!c.is("GET"))
        return discordError(405);
    const QString botName = c.query.queryItemValue(QStringLiteral("bot"));
    const qint64 since = c.query.queryItemValue(QStringLiteral("since_ms")).toLongLong();
    QJsonArray list;
    for (const SimReceived &rec : std::as_const(m_state.records)) {
        if ((botName.isEmpty() || rec.botName == botName) && rec.atMs >= since)
            list.append(receivedJson(rec));
    }
    return jsonResponse(200, toJson(list));
}

SimHttpResponse HttpApi::dispatch(const Control &c)
{
    if (!c.is("POST"))
        return discordError(405);
    const QString botName = c.body.value(QLatin1String("bot")).toString();
    const QString event = c.body.value(QLatin1String("event")).toString(QStringLiteral("MESSAGE_CREATE"));
    if (!c.isJson() || !m_state.botByName(botName))
        return errorJson(404, QStringLiteral("unknown bot"));
    const QJsonValue data = c.body.value(QLatin1String("data"));
    const QByteArray dJson = data.isObject() ? toJson(data.toObject())
                           : data.isArray()  ? toJson(data.toArray())
                                             : QByteArray("{}");
    const int n = m_state.dispatchToBot(botName, event.toUtf8(), dJson);
    return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("sessions"), n}}));
}

SimHttpResponse HttpApi::settings(const Control &c)
{
    if (!c.is("POST"))
        return discordError(405);
    if (!c.isJson())
        return errorJson(400, QStringLiteral("body is not JSON"));
    if (c.body.contains(QLatin1String("bot")) || c.body.contains(QLatin1String("connection")))
        return loadOverride(c);
    if (c.body.contains(QLatin1String("resume_host"))) {
        const auto host = GatewaySimulator::resumeHostFromName(c.body.value(QLatin1String("resume_host")).toString());
        if (!host)
            return errorJson(400, QStringLiteral("resume_host: expected live, refused or silent"));
        if (!q->setResumeHost(*host))
            return errorJson(500, q->errorString());
    }
    const auto millis = [&c](const char *key) {
        return std::chrono::milliseconds(c.body.value(QLatin1String(key)).toInteger());
    };
    if (c.body.contains(QLatin1String("heartbeat_interval_ms")))
        q->setHeartbeatInterval(millis("heartbeat_interval_ms"));
    if (c.body.contains(QLatin1String("dispatch_interval_ms")))
        q->setDispatchInterval(millis("dispatch_interval_ms"));
    if (c.body.contains(QLatin1String("outbound_rate")))
        q->setOutboundRate(c.body.value(QLatin1String("outbound_rate")).toInt());
    if (c.body.contains(QLatin1String("ack_delay_ms")))
        q->setAckDelay(millis("ack_delay_ms"));
    if (c.body.contains(QLatin1String("replay_buffer_limit")))
        q->setReplayBufferLimit(c.body.value(QLatin1String("replay_buffer_limit")).toInt());
    return ok();
}

// {"bot": name | "connection": id, "outbound_rate": n, "ack_delay_ms": n}: overrides for one
// bot or connection; a field that is null drops its override, one that is absent keeps it.
SimHttpResponse HttpApi::loadOverride(const Control &c)
{
    SimLoad *load = nullptr;
    if (c.body.contains(QLatin1String("connection"))) {
        Connection *conn = m_state.connectionById(c.body.value(QLatin1String("connection")).toInt());
        if (!conn)
            return errorJson(404, QStringLiteral("unknown connection"));
        load = &conn->load;
    } else {
        Bot *bot = m_state.botByName(c.body.value(QLatin1String("bot")).toString());
        if (!bot)
            return errorJson(404, QStringLiteral("unknown bot"));
        load = &bot->load;
    }
    for (auto it = c.body.constBegin(); it != c.body.constEnd(); ++it) {
        const QString key = it.key();
        if (key == QLatin1String("bot") || key == QLatin1String("connection"))
            continue;
        if (key == QLatin1String("outbound_rate")) {
            load->outboundRate = it->isNull() ? std::nullopt : std::optional<int>(std::max(0, it->toInt()));
        } else if (key == QLatin1String("ack_delay_ms")) {
            load->ackDelay = it->isNull() ? std::nullopt
                                          : std::optional(std::chrono::milliseconds(std::max<qint64>(0, it->toInteger())));
        } else {
            return errorJson(400, QStringLiteral("only outbound_rate and ack_delay_ms can be set per bot or connection"));
        }
    }
    return ok();
}

// POST {"bot": name, "route": "/gateway/bot", "retry_after_ms": 2000, "global": false, "count": 1}
// arms REST 429s; GET lists every REST request answered ({route, bot, status, at_ms}).
SimHttpResponse HttpApi::rateLimit(const Control &c)
{
    if (c.is("GET")) {
        QJsonArray list;
        for (const SimRestRequest &req : m_restLimits.requests())
            list.append(QJsonObject{{QStringLiteral("route"), req.route},
                                    {QStringLiteral("bot"), req.botName},
                                    {QStringLiteral("status"), req.status},
                                    {QStringLiteral("at_ms"), req.atMs}});
        return jsonResponse(200, toJson(list));
    }
    if (!c.is("POST"))
        return discordError(405);
    if (!c.isJson())
        return errorJson(400, QStringLiteral("body is not JSON"));
    SimRestLimit limit;
    limit.route = c.body.value(QLatin1String("route")).toString(limit.route);
    if (limit.route != QLatin1String("/gateway/bot") && limit.route != QLatin1String("/users/@me"))
        return errorJson(400, QStringLiteral("route must be /gateway/bot or /users/@me"));
    const qint64 ms = c.body.value(QLatin1String("retry_after_ms")).toInteger(limit.retryAfter.count());
    limit.retryAfter = std::chrono::milliseconds(std::clamp<qint64>(ms, 0, 3600000));
    limit.global = c.body.value(QLatin1String("global")).toBool(false);
    limit.count = std::clamp(c.body.value(QLatin1String("count")).toInt(1), 0, 1000);
    if (!q->setRestRateLimit(c.body.value(QLatin1String("bot")).toString(), limit))
        return errorJson(404, QStringLiteral("unknown bot"));
    return ok();
}

} // namespace gw::sim
