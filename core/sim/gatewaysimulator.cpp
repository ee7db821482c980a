#include "gatewaysimulator.h"

#include "logging.h"
#include "simdeflater_p.h"
#include "simhttpserver_p.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <deque>
#include <map>

using namespace std::chrono_literals;

namespace gw {

namespace {

constexpr qsizetype MaxPayloadBytes = 4096;          // protocol.md A3: larger → 4002
constexpr qint64 MaxIncomingMessageBytes = 1 << 20;  // socket cap, far above 4096
constexpr int GuildsPerShardLimit = 2500;            // protocol.md A12: larger → 4011
constexpr quint32 PrivilegedIntents = (1u << 1) | (1u << 8) | (1u << 15);
// Every intent bit of protocol.md A14; anything else is a bad bitfield (4013).
constexpr quint32 ValidIntents = 0x1FFFFu | (1u << 20) | (1u << 21) | (1u << 24) | (1u << 25);
constexpr qint64 GuildIdBase = 200000000000000000LL;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray toJson(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

QByteArray envelope(int op, const QByteArray &dJson)
{
    return "{\"op\":" + QByteArray::number(op) + ",\"d\":" + dJson + ",\"s\":null,\"t\":null}";
}

QByteArray dispatchEnvelope(const QByteArray &event, qint64 seq, const QByteArray &dJson)
{
    return "{\"op\":0,\"t\":\"" + event + "\",\"s\":" + QByteArray::number(seq) + ",\"d\":" + dJson + '}';
}

// Alphanumeric filler that deflate cannot shrink much, so sizes stay meaningful on zlib-stream.
QByteArray filler(qsizetype n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QByteArray out(std::max<qsizetype>(n, 0), 'x');
    auto *rng = QRandomGenerator::global();
    for (char &c : out)
        c = alphabet[rng->bounded(62)];
    return out;
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

std::optional<qint64> integral(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (d != static_cast<double>(static_cast<qint64>(d)))
        return std::nullopt;
    return static_cast<qint64>(d);
}

bool closeInvalidatesSession(int code)
{
    return code == 4003 || code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014);
}

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

} // namespace

class GatewaySimulator::Private
{
public:
    struct Bot
    {
        QString token;
        SimBotPolicy policy;
        QHash<int, qint64> bucketLastIdentifyMs;
        int withholdReadyPending = 0;
    };

    struct Session
    {
        QString id;
        QString token;
        QString botName;
        qint64 seq = 0;
        std::deque<std::pair<qint64, QByteArray>> replay;
        int connectionId = 0;           // 0 = not attached to an open socket
        qint64 disconnectedAtMs = 0;
        bool invalid = false;
        int shardId = 0;
        int shardCount = 1;
    };

    struct Connection
    {
        SimConnectionInfo info;
        QPointer<QWebSocket> socket;
        std::unique_ptr<SimDeflater> deflater;
        std::unique_ptr<QTimer> heartbeatDeadline;  // 4009 when the client stops beating
        std::unique_ptr<QTimer> reconnectCloseTimer;  // op 7 fault: close 4000 if the client did not
        QString token;                  // kept to match RESUME against the session; never logged
        bool authenticated = false;     // IDENTIFY/RESUME accepted (answered or withheld)
        bool withholdReady = false;
        bool stopAcks = false;
        bool silent = false;
        bool serverClosing = false;
        bool clientCloseFrame = false;  // the client sent a close frame (closeCode() is meaningful)
        std::deque<qint64> receiveTimes;
    };

    GatewaySimulator *q;
    Options options;
    QString error;
    QTcpServer mainTcp;
    QTcpServer resumeTcp;
    QWebSocketServer mainWs{QStringLiteral("gatewatch-sim"), QWebSocketServer::NonSecureMode};
    QWebSocketServer resumeWs{QStringLiteral("gatewatch-sim-resume"), QWebSocketServer::NonSecureMode};
    SimHttpServer http;
    QTimer dispatchTimer;

    std::map<QString, Bot> bots;                    // by token
    std::map<QString, Session> sessions;            // by session id
    std::map<int, std::unique_ptr<Connection>> connections;
    QList<SimReceived> records;
    int nextConnectionId = 1;
    int unknownBotCounter = 0;
    int pendingWithholdHello = 0;
    std::deque<std::chrono::milliseconds> pendingSlowHandshakes;
    bool started = false;

    explicit Private(GatewaySimulator *qq, Options o)
        : q(qq)
        , options(std::move(o))
    {
    }

    // ---- lookups -------------------------------------------------------------------------
    Bot *botByName(const QString &name)
    {
        for (auto &[token, bot] : bots) {
            if (bot.policy.name == name)
                return &bot;
        }
        return nullptr;
    }

    Bot *botByToken(const QString &token)
    {
        const auto it = bots.find(token);
        return it == bots.end() ? nullptr : &it->second;
    }

    Connection *connectionById(int id)
    {
        const auto it = connections.find(id);
        return it == connections.end() ? nullptr : it->second.get();
    }

    Session *sessionById(const QString &id)
    {
        const auto it = sessions.find(id);
        return it == sessions.end() ? nullptr : &it->second;
    }

    bool sessionLive(const Session &s) const
    {
        if (s.invalid)
            return false;
        if (s.connectionId != 0)
            return true;
        return nowMs() - s.disconnectedAtMs <= options.sessionResumeWindow.count();
    }

    void pruneSessions()
    {
        for (auto it = sessions.begin(); it != sessions.end();) {
            if (!sessionLive(it->second))
                it = sessions.erase(it);
            else
                ++it;
        }
    }

    QUrl wsUrl(quint16 port) const
    {
        QUrl u;
        u.setScheme(QStringLiteral("ws"));
        u.setHost(options.address.toString());
        u.setPort(port);
        return u;
    }

    QUrl httpUrl(const QString &path) const
    {
        QUrl u;
        u.setScheme(QStringLiteral("http"));
        u.setHost(options.address.toString());
        u.setPort(http.serverPort());
        u.setPath(path);
        return u;
    }

    // ---- sending ---------------------------------------------------------------------------
    void sendRaw(Connection &c, const QByteArray &payload)
    {
        if (c.silent || !c.socket || !c.info.open)
            return;
        if (!c.info.compressed) {
            c.socket->sendTextMessage(QString::fromUtf8(payload));
            return;
        }
        const QByteArray z = c.deflater->compress(payload);
        if (options.splitCompressedMessages && z.size() > 4) {
            const qsizetype half = z.size() / 2;
            c.socket->sendBinaryMessage(z.left(half));
            c.socket->sendBinaryMessage(z.mid(half));
        } else {
            c.socket->sendBinaryMessage(z);
        }
    }

    void closeConnection(Connection &c, int code, const QString &reason)
    {
        if (!c.socket || !c.info.open || c.silent)
            return;
        qCInfo(lcSim).nospace() << "connection " << c.info.id << ": closing with " << code << " (" << reason << ')';
        if (closeInvalidatesSession(code))
            invalidateSessionOf(c);
        c.serverClosing = true;
        c.heartbeatDeadline->stop();
        c.socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    }

    void invalidateSessionOf(Connection &c)
    {
        if (Session *s = sessionById(c.info.sessionId)) {
            s->invalid = true;
            if (s->connectionId == c.info.id)
                s->connectionId = 0;
        }
    }

    void armHeartbeatDeadline(Connection &c)
    {
        if (!options.enforceHeartbeatTimeout || c.silent)
            return;
        const auto interval = options.heartbeatInterval;
        c.heartbeatDeadline->start(interval + interval / 2 + options.heartbeatTimeoutGrace);
    }

    void emitDispatch(Session &s, const QByteArray &event, const QByteArray &dJson, bool replayable = true)
    {
        ++s.seq;
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

    QByteArray messageCreate(const Session &s)
    {
        const qint64 id = (nowMs() - 1420070400000LL) << 22;
        QJsonObject author{{QStringLiteral("id"), QStringLiteral("300000000000000001")},
                           {QStringLiteral("username"), QStringLiteral("someone")},
                           {QStringLiteral("discriminator"), QStringLiteral("0")}};
        QJsonObject d{{QStringLiteral("id"), QString::number(id)},
                      {QStringLiteral("channel_id"), QStringLiteral("400000000000000001")},
                      {QStringLiteral("guild_id"), QString::number(GuildIdBase + (qint64(s.shardId) << 22))},
                      {QStringLiteral("type"), 0},
                      {QStringLiteral("author"), author},
                      {QStringLiteral("timestamp"),
                       QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                      {QStringLiteral("content"), QString()}};
        const QByteArray base = toJson(d);
        const qsizetype pad = options.dispatchPayloadBytes - base.size() - 40;
        d.insert(QStringLiteral("content"), QString::fromLatin1(filler(pad)));
        return toJson(d);
    }

    // ---- WebSocket lifecycle --------------------------------------------------------------
    void handleTcpConnection(QTcpServer &tcp, QWebSocketServer &ws)
    {
        while (QTcpSocket *socket = tcp.nextPendingConnection()) {
            if (pendingSlowHandshakes.empty()) {
                ws.handleConnection(socket);
                continue;
            }
            const auto delay = pendingSlowHandshakes.front();
            pendingSlowHandshakes.pop_front();
            qCInfo(lcSim) << "fault SlowHandshake: holding a WebSocket upgrade for" << delay.count() << "ms";
            auto *hold = new QTimer(socket);  // dies with the socket if the client gives up
            hold->setSingleShot(true);
            hold->setTimerType(Qt::PreciseTimer);  // a coarse timer may fire 5 % early
            hold->setInterval(delay);
            QWebSocketServer *server = &ws;
            hold->callOnTimeout(socket, [server, socket] {
                if (socket->state() != QAbstractSocket::ConnectedState) {
                    socket->deleteLater();  // the client gave up waiting: its handshake timed out
                    return;
                }
                server->handleConnection(socket);
                // The request already sits in the buffer; make sure the server reads it.
                if (socket->bytesAvailable() > 0)
                    Q_EMIT socket->readyRead();
            });
            hold->start();
        }
    }

    void handleWsConnection(QWebSocketServer &ws, bool viaResume)
    {
        while (QWebSocket *socket = ws.nextPendingConnection()) {
            auto conn = std::make_unique<Connection>();
            Connection &c = *conn;
            const int id = nextConnectionId++;
            c.info.id = id;
            c.info.open = true;
            c.info.viaResumeUrl = viaResume;
            c.info.openedAtMs = nowMs();
            const QUrl url = socket->requestUrl();
            c.info.path = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/") : url.path(QUrl::FullyEncoded);
            if (url.hasQuery())
                c.info.path += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
            const QUrlQuery query(url);
            c.info.compressed = query.queryItemValue(QStringLiteral("compress")) == QLatin1String("zlib-stream");
            if (c.info.compressed)
                c.deflater = std::make_unique<SimDeflater>();
            c.socket = socket;
            socket->setParent(q);
            socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessageBytes);
            c.heartbeatDeadline = std::make_unique<QTimer>();
            c.heartbeatDeadline->setSingleShot(true);
            c.heartbeatDeadline->setTimerType(Qt::PreciseTimer);
            c.heartbeatDeadline->callOnTimeout(q, [this, id] {
                if (Connection *cc = connectionById(id))
                    closeConnection(*cc, 4009, QStringLiteral("Session timed out."));
            });
            c.reconnectCloseTimer = std::make_unique<QTimer>();
            c.reconnectCloseTimer->setSingleShot(true);
            c.reconnectCloseTimer->setTimerType(Qt::PreciseTimer);
            c.reconnectCloseTimer->callOnTimeout(q, [this, id] {
                if (Connection *cc = connectionById(id))
                    closeConnection(*cc, 4000, QStringLiteral("Reconnect requested."));
            });
            QObject::connect(socket, &QWebSocket::textMessageReceived, q,
                             [this, id](const QString &m) { handleMessage(id, m.toUtf8()); });
            QObject::connect(socket, &QWebSocket::binaryMessageReceived, q,
                             [this, id](const QByteArray &m) { handleMessage(id, m); });
            QObject::connect(socket, &QWebSocket::disconnected, q, [this, id] { handleDisconnected(id); });
            // Qt reports closeCode() 1000 even when the TCP connection just ended; aboutToClose
            // without our own close() is what tells a client's close frame apart.
            QObject::connect(socket, &QWebSocket::aboutToClose, q, [this, id] {
                if (Connection *cc = connectionById(id); cc && !cc->serverClosing)
                    cc->clientCloseFrame = true;
            });
            connections.emplace(id, std::move(conn));
            qCInfo(lcSim).nospace() << "connection " << id << " opened on " << (viaResume ? "resume" : "main")
                                    << " listener: " << c.info.path;
            Q_EMIT q->clientConnected(id);

            const QString v = query.queryItemValue(QStringLiteral("v"));
            const QString encoding = query.queryItemValue(QStringLiteral("encoding"));
            const QString compress = query.queryItemValue(QStringLiteral("compress"));
            if (v != QLatin1String("10")) {
                closeConnection(c, 4012, QStringLiteral("Invalid API version."));
                continue;
            }
            if (!encoding.isEmpty() && encoding != QLatin1String("json")) {
                closeConnection(c, 4002, QStringLiteral("Unsupported encoding."));
                continue;
            }
            if (!compress.isEmpty() && compress != QLatin1String("zlib-stream")) {
                closeConnection(c, 4002, QStringLiteral("Unsupported compression."));
                continue;
            }
            if (pendingWithholdHello > 0) {
                --pendingWithholdHello;
                qCInfo(lcSim) << "fault WithholdHello on connection" << id;
                continue;
            }
            QJsonObject hello{{QStringLiteral("heartbeat_interval"), qint64(options.heartbeatInterval.count())}};
            sendRaw(c, envelope(10, toJson(hello)));
            armHeartbeatDeadline(c);
        }
    }

    void handleDisconnected(int id)
    {
        Connection *c = connectionById(id);
        if (!c || !c->info.open)
            return;
        c->info.open = false;
        c->info.closedAtMs = nowMs();
        c->heartbeatDeadline->stop();
        c->reconnectCloseTimer->stop();
        int clientCode = -1;
        if (c->socket) {
            if (c->clientCloseFrame)
                clientCode = c->socket->closeCode();
            c->socket->deleteLater();
        }
        c->socket.clear();
        c->deflater.reset();
        if (Session *s = sessionById(c->info.sessionId); s && s->connectionId == id) {
            s->connectionId = 0;
            s->disconnectedAtMs = nowMs();
            // protocol.md A7: a client's own 1000/1001 invalidates its session.
            if (!c->serverClosing && (clientCode == 1000 || clientCode == 1001))
                s->invalid = true;
        }
        qCInfo(lcSim).nospace() << "connection " << id << " closed"
                                << (c->serverClosing ? " by the simulator" : "") << " (code " << clientCode << ')';
        Q_EMIT q->clientDisconnected(id);
    }

    void record(SimReceived rec)
    {
        records.append(std::move(rec));
        const int limit = std::max(1, options.recordLimit);
        if (records.size() > limit)
            records.remove(0, records.size() - limit);
    }

    void handleMessage(int id, const QByteArray &message)
    {
        Connection *cp = connectionById(id);
        if (!cp || !cp->info.open)
            return;
        Connection &c = *cp;
        SimReceived rec;
        rec.connectionId = id;
        rec.atMs = nowMs();
        rec.bytes = message.size();
        rec.botName = c.info.botName;

        const qint64 now = rec.atMs;
        c.receiveTimes.push_back(now);
        while (!c.receiveTimes.empty() && now - c.receiveTimes.front() > options.sendRateWindow.count())
            c.receiveTimes.pop_front();

        QJsonParseError parseError{};
        const QJsonDocument doc = message.size() > MaxPayloadBytes ? QJsonDocument()
                                                                   : QJsonDocument::fromJson(message, &parseError);
        const QJsonObject obj = doc.object();
        const std::optional<qint64> op = integral(obj.value(QLatin1String("op")));
        if (op)
            rec.op = static_cast<int>(*op);
        const QJsonValue d = obj.value(QLatin1String("d"));
        const QJsonObject dObj = d.toObject();

        // Fill the record with what the payload claims before acting on it.
        if (rec.op == 1) {
            if (const auto s = integral(d))
                rec.heartbeatSeq = *s;
        } else if (rec.op == 2 || rec.op == 6) {
            if (const Bot *bot = botByToken(dObj.value(QLatin1String("token")).toString()))
                rec.botName = bot->policy.name;
            if (rec.op == 2) {
                rec.intents = static_cast<quint32>(integral(dObj.value(QLatin1String("intents"))).value_or(0));
                const QJsonArray shard = dObj.value(QLatin1String("shard")).toArray();
                rec.shardId = shard.size() == 2 ? shard.at(0).toInt(-1) : -1;
                rec.shardCount = shard.size() == 2 ? shard.at(1).toInt(-1) : -1;
            } else {
                rec.sessionId = dObj.value(QLatin1String("session_id")).toString();
                rec.resumeSeq = integral(dObj.value(QLatin1String("seq"))).value_or(-1);
            }
        }
        record(rec);
        Q_EMIT q->payloadReceived(id, rec.op);
        if (!connectionById(id) || !c.info.open)
            return;

        if (options.enforceSendRateLimit && std::ssize(c.receiveTimes) > options.sendRateLimit) {
            closeConnection(c, 4008, QStringLiteral("Rate limited."));
            return;
        }
        if (message.size() > MaxPayloadBytes) {
            qCInfo(lcSim) << "connection" << id << "sent" << message.size() << "bytes (> 4096)";
            closeConnection(c, 4002, QStringLiteral("Decode error."));
            return;
        }
        if (doc.isNull() || !doc.isObject() || !op) {
            qCInfo(lcSim) << "connection" << id << "sent an undecodable payload";
            closeConnection(c, 4002, QStringLiteral("Decode error."));
            return;
        }
        if (c.silent)
            return;

        switch (*op) {
        case 1:
            if (!d.isNull() && !integral(d)) {
                closeConnection(c, 4002, QStringLiteral("Decode error."));
                return;
            }
            armHeartbeatDeadline(c);
            if (!c.stopAcks)
                sendRaw(c, envelope(11, "null"));
            return;
        case 2:
            handleIdentify(c, d);
            return;
        case 6:
            handleResume(c, d);
            return;
        case 3:   // presence update
        case 4:   // voice state update
        case 8:   // request guild members
        case 31:  // request soundboard sounds
        case 43:  // request channel info
            if (!c.authenticated)
                closeConnection(c, 4003, QStringLiteral("Not authenticated."));
            return;
        default:
            closeConnection(c, 4001, QStringLiteral("Unknown opcode."));
            return;
        }
    }

    void handleIdentify(Connection &c, const QJsonValue &d)
    {
        if (c.authenticated) {
            closeConnection(c, 4005, QStringLiteral("Already authenticated."));
            return;
        }
        const QJsonObject o = d.toObject();
        if (!d.isObject() || !o.value(QLatin1String("token")).isString()) {
            closeConnection(c, 4002, QStringLiteral("Decode error."));
            return;
        }
        const QString token = o.value(QLatin1String("token")).toString();
        Bot *bot = botByToken(token);
        if (!bot && options.acceptUnknownTokens && !token.isEmpty())
            bot = addDefaultBot(token);
        if (!bot) {
            closeConnection(c, 4004, QStringLiteral("Authentication failed."));
            return;
        }
        const auto intents = integral(o.value(QLatin1String("intents")));
        if (!intents || *intents < 0 || (quint64(*intents) & ~quint64(ValidIntents)) != 0) {
            closeConnection(c, 4013, QStringLiteral("Invalid intent(s)."));
            return;
        }
        if ((quint32(*intents) & PrivilegedIntents) != 0 && !bot->policy.privilegedIntentsAllowed) {
            closeConnection(c, 4014, QStringLiteral("Disallowed intent(s)."));
            return;
        }
        int shardId = 0;
        int shardCount = 1;
        if (o.contains(QLatin1String("shard"))) {
            const QJsonArray shard = o.value(QLatin1String("shard")).toArray();
            // Missing or non-integral values become out-of-range sentinels (no optional deref:
            // GCC's -O2 -Wmaybe-uninitialized misfires on it).
            const qint64 sid = shard.size() == 2 ? integral(shard.at(0)).value_or(-1) : -1;
            const qint64 scount = shard.size() == 2 ? integral(shard.at(1)).value_or(0) : 0;
            if (scount < 1 || sid < 0 || sid >= scount || scount > 100000) {
                closeConnection(c, 4010, QStringLiteral("Invalid shard."));
                return;
            }
            shardId = static_cast<int>(sid);
            shardCount = static_cast<int>(scount);
        }
        QList<qint64> guildIds;
        for (int i = 0; i < bot->policy.guilds; ++i) {
            if (i % shardCount == shardId)
                guildIds.append(GuildIdBase + (qint64(i) << 22));
        }
        if (guildIds.size() > GuildsPerShardLimit) {
            closeConnection(c, 4011, QStringLiteral("Sharding required."));
            return;
        }

        c.authenticated = true;
        c.token = token;
        c.info.botName = bot->policy.name;
        if (c.withholdReady || bot->withholdReadyPending > 0) {
            if (!c.withholdReady)
                --bot->withholdReadyPending;
            c.withholdReady = true;
            qCInfo(lcSim) << "fault WithholdReady: not answering IDENTIFY on connection" << c.info.id;
            return;
        }
        const int maxConcurrency = std::max(1, bot->policy.maxConcurrency);
        const int bucket = shardId % maxConcurrency;
        const qint64 now = nowMs();
        const auto last = bot->bucketLastIdentifyMs.constFind(bucket);
        if (options.enforceIdentifyConcurrency && last != bot->bucketLastIdentifyMs.constEnd()
            && now - *last < options.identifyBucketInterval.count()) {
            qCInfo(lcSim) << "connection" << c.info.id << "identified too fast for bucket" << bucket << "-> op 9";
            c.authenticated = false;
            sendRaw(c, envelope(9, "false"));
            return;
        }
        bot->bucketLastIdentifyMs.insert(bucket, now);
        bot->policy.sessionStartRemaining = std::max(0, bot->policy.sessionStartRemaining - 1);

        pruneSessions();
        Session s;
        s.id = randomHex(16);
        s.token = token;
        s.botName = bot->policy.name;
        s.connectionId = c.info.id;
        s.shardId = shardId;
        s.shardCount = shardCount;
        c.info.sessionId = s.id;
        Session &session = sessions.emplace(s.id, std::move(s)).first->second;

        QJsonArray guilds;
        for (qint64 gid : std::as_const(guildIds))
            guilds.append(QJsonObject{{QStringLiteral("id"), QString::number(gid)}, {QStringLiteral("unavailable"), true}});
        QJsonObject user{{QStringLiteral("id"), bot->policy.userId},
                         {QStringLiteral("username"), bot->policy.userName},
                         {QStringLiteral("discriminator"), QStringLiteral("0")},
                         {QStringLiteral("global_name"), QJsonValue::Null},
                         {QStringLiteral("avatar"), QJsonValue::Null},
                         {QStringLiteral("bot"), true},
                         {QStringLiteral("verified"), true},
                         {QStringLiteral("flags"), 0}};
        QJsonObject ready{{QStringLiteral("v"), 10},
                          {QStringLiteral("user"), user},
                          {QStringLiteral("guilds"), guilds},
                          {QStringLiteral("session_id"), session.id},
                          {QStringLiteral("session_type"), QStringLiteral("normal")},
                          {QStringLiteral("resume_gateway_url"), q->resumeUrl().toString()},
                          {QStringLiteral("shard"), QJsonArray{shardId, shardCount}},
                          {QStringLiteral("application"),
                           QJsonObject{{QStringLiteral("id"), bot->policy.userId}, {QStringLiteral("flags"), 0}}},
                          {QStringLiteral("user_settings"), QJsonObject()},
                          {QStringLiteral("private_channels"), QJsonArray()},
                          {QStringLiteral("relationships"), QJsonArray()},
                          {QStringLiteral("presences"), QJsonArray()},
                          {QStringLiteral("guild_join_requests"), QJsonArray()},
                          {QStringLiteral("geo_ordered_rtc_regions"), QJsonArray()},
                          {QStringLiteral("auth_session_id_hash"), QString()},
                          {QStringLiteral("_trace"), QJsonArray{QStringLiteral("[\"gatewatch-sim\",{}]")}}};
        qCInfo(lcSim).nospace() << "connection " << c.info.id << ": bot " << bot->policy.name << " identified, shard ["
                                << shardId << ',' << shardCount << "], " << guildIds.size() << " guilds";
        emitDispatch(session, "READY", toJson(ready), false);
        for (qint64 gid : std::as_const(guildIds)) {
            QJsonObject g{{QStringLiteral("id"), QString::number(gid)},
                          {QStringLiteral("name"), QStringLiteral("Guild %1").arg(gid)},
                          {QStringLiteral("unavailable"), false},
                          {QStringLiteral("member_count"), 2},
                          {QStringLiteral("large"), false},
                          {QStringLiteral("owner_id"), QStringLiteral("300000000000000001")},
                          {QStringLiteral("joined_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                          {QStringLiteral("channels"), QJsonArray()},
                          {QStringLiteral("threads"), QJsonArray()},
                          {QStringLiteral("members"), QJsonArray()},
                          {QStringLiteral("roles"), QJsonArray()},
                          {QStringLiteral("emojis"), QJsonArray()},
                          {QStringLiteral("stickers"), QJsonArray()},
                          {QStringLiteral("voice_states"), QJsonArray()},
                          {QStringLiteral("presences"), QJsonArray()},
                          {QStringLiteral("stage_instances"), QJsonArray()},
                          {QStringLiteral("guild_scheduled_events"), QJsonArray()},
                          {QStringLiteral("soundboard_sounds"), QJsonArray()}};
            emitDispatch(session, "GUILD_CREATE", toJson(g));
        }
        Q_EMIT q->sessionIdentified(c.info.id, bot->policy.name, session.id);
    }

    void handleResume(Connection &c, const QJsonValue &d)
    {
        if (c.authenticated) {
            closeConnection(c, 4005, QStringLiteral("Already authenticated."));
            return;
        }
        const QJsonObject o = d.toObject();
        const auto seq = integral(o.value(QLatin1String("seq")));
        const bool seqNull = o.value(QLatin1String("seq")).isNull();
        if (!d.isObject() || !o.value(QLatin1String("token")).isString()
            || !o.value(QLatin1String("session_id")).isString() || (!seq && !seqNull)) {
            closeConnection(c, 4002, QStringLiteral("Decode error."));
            return;
        }
        const QString token = o.value(QLatin1String("token")).toString();
        const QString sessionId = o.value(QLatin1String("session_id")).toString();
        const qint64 clientSeq = seq.value_or(0);
        Bot *bot = botByToken(token);
        if (!bot && !options.acceptUnknownTokens) {
            closeConnection(c, 4004, QStringLiteral("Authentication failed."));
            return;
        }
        Session *s = sessionById(sessionId);
        if (!bot || !s || s->token != token || !sessionLive(*s)) {
            qCInfo(lcSim) << "connection" << c.info.id << "tried to resume an unknown or expired session -> op 9";
            sendRaw(c, envelope(9, "false"));
            return;
        }
        if (clientSeq > s->seq || clientSeq < 0) {
            closeConnection(c, 4007, QStringLiteral("Invalid seq."));
            s->invalid = true;
            return;
        }
        c.authenticated = true;
        c.token = token;
        c.info.botName = bot->policy.name;
        c.info.sessionId = s->id;
        if (c.withholdReady || bot->withholdReadyPending > 0) {
            if (!c.withholdReady)
                --bot->withholdReadyPending;
            c.withholdReady = true;
            qCInfo(lcSim) << "fault WithholdReady: not answering RESUME on connection" << c.info.id;
            return;
        }
        s->connectionId = c.info.id;  // an older socket still attached no longer gets dispatches
        int replayed = 0;
        for (const auto &[entrySeq, payload] : s->replay) {
            if (entrySeq > clientSeq) {
                sendRaw(c, payload);
                ++replayed;
            }
        }
        const QString resumedBot = bot->policy.name;
        const int connId = c.info.id;
        emitDispatch(*s, "RESUMED", "{\"_trace\":[\"gatewatch-sim\"]}", false);
        qCInfo(lcSim).nospace() << "connection " << connId << ": bot " << resumedBot << " resumed from seq "
                                << clientSeq << ", replayed " << replayed;
        Q_EMIT q->sessionResumed(connId, resumedBot, replayed);
    }

    Bot *addDefaultBot(const QString &token)
    {
        SimBotPolicy policy;
        policy.name = QStringLiteral("bot-%1").arg(++unknownBotCounter);
        Bot bot;
        bot.token = token;
        bot.policy = policy;
        qCInfo(lcSim) << "accepting an unknown token as" << policy.name;
        return &bots.insert_or_assign(token, std::move(bot)).first->second;
    }

    // ---- faults ------------------------------------------------------------------------------
    bool applyLiveFault(Connection &c, const SimFault &f)
    {
        if (!c.info.open || !c.socket)
            return false;
        qCInfo(lcSim).nospace() << "fault " << faultKindName(f.kind) << " on connection " << c.info.id;
        switch (f.kind) {
        case SimFault::Kind::WithholdHello:
        case SimFault::Kind::SlowHandshake:
            return false;
        case SimFault::Kind::WithholdReady:
            c.withholdReady = true;
            return true;
        case SimFault::Kind::StopAcks:
            c.stopAcks = true;
            return true;
        case SimFault::Kind::ResumeAcks:
            c.stopAcks = false;
            return true;
        case SimFault::Kind::GoSilent:
            c.silent = true;
            c.heartbeatDeadline->stop();
            return true;
        case SimFault::Kind::Reconnect:
            sendRaw(c, envelope(7, "null"));
            if (f.delay > 0ms)
                c.reconnectCloseTimer->start(f.delay);
            return true;
        case SimFault::Kind::InvalidSession:
            sendRaw(c, envelope(9, f.resumable ? "true" : "false"));
            if (!f.resumable) {
                invalidateSessionOf(c);
                c.authenticated = false;
            }
            return true;
        case SimFault::Kind::RequestHeartbeat:
            sendRaw(c, envelope(1, "null"));
            return true;
        case SimFault::Kind::Close:
            closeConnection(c, f.closeCode, QStringLiteral("Simulated close."));
            return true;
        case SimFault::Kind::DropTcp:
            c.serverClosing = true;
            c.socket->abort();
            return true;
        case SimFault::Kind::Flood: {
            Session *s = sessionById(c.info.sessionId);
            if (!s || s->connectionId != c.info.id)
                return false;
            for (int i = 0; i < std::max(1, f.count); ++i)
                emitDispatch(*s, "MESSAGE_CREATE", messageCreate(*s));
            return true;
        }
        case SimFault::Kind::Malformed:
            for (int i = 0; i < std::max(1, f.count); ++i) {
                sendRaw(c, "{\"op\":0,\"t\":\"MESSAGE_CREATE\",\"s\":");
                sendRaw(c, "{\"op\":\"ten\",\"d\":null,\"s\":null,\"t\":null}");
            }
            return true;
        case SimFault::Kind::Oversized: {
            const QByteArray head = "{\"op\":0,\"t\":\"OVERSIZED\",\"s\":null,\"d\":{\"pad\":\"";
            const QByteArray tail = "\"}}";
            const qsizetype padBytes = std::max<qsizetype>(0, f.size - head.size() - tail.size());
            sendRaw(c, head + filler(padBytes) + tail);
            return true;
        }
        }
        return false;
    }

    // ---- REST and control -----------------------------------------------------------------------
    SimHttpResponse handleHttp(const SimHttpRequest &r)
    {
        const QString path = r.url.path();
        if (path.startsWith(QLatin1String("/control"))) {
            // Faults and bot tokens are loopback business, whatever address the server binds.
            if (!r.peer.isLoopback())
                return discordError(403);
            return handleControl(r, path);
        }
        if (path.startsWith(QLatin1String("/api/v10/")))
            return handleRest(r, path.mid(8));
        return discordError(404);
    }

    SimHttpResponse handleRest(const SimHttpRequest &r, const QString &route)
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
            bot = botByToken(token);
            if (!bot && options.acceptUnknownTokens && !token.isEmpty())
                bot = addDefaultBot(token);
        }
        if (!bot) {
            qCInfo(lcSim) << "REST" << route << "with a missing or unknown token -> 401";
            return errorJson(401, QStringLiteral("401: Unauthorized"));
        }
        const SimBotPolicy &p = bot->policy;
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
                                {QStringLiteral("reset_after"), qint64(p.sessionStartResetAfter.count())},
                                {QStringLiteral("max_concurrency"), p.maxConcurrency}};
        return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("url"), gateway},
                                                    {QStringLiteral("shards"), p.recommendedShards},
                                                    {QStringLiteral("session_start_limit"), limit}}));
    }

    static QJsonObject connectionJson(const SimConnectionInfo &i)
    {
        return QJsonObject{{QStringLiteral("id"), i.id},
                           {QStringLiteral("bot"), i.botName},
                           {QStringLiteral("path"), i.path},
                           {QStringLiteral("compressed"), i.compressed},
                           {QStringLiteral("open"), i.open},
                           {QStringLiteral("via_resume_url"), i.viaResumeUrl},
                           {QStringLiteral("session_id"), i.sessionId},
                           {QStringLiteral("opened_at_ms"), i.openedAtMs},
                           {QStringLiteral("closed_at_ms"), i.closedAtMs}};
    }

    static QJsonObject receivedJson(const SimReceived &r)
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

    SimHttpResponse handleControl(const SimHttpRequest &r, const QString &path)
    {
        const QUrlQuery query(r.url);
        QJsonParseError pe{};
        const QJsonObject body = QJsonDocument::fromJson(r.body, &pe).object();
        const bool post = r.method == "POST";
        const bool get = r.method == "GET";
        const bool del = r.method == "DELETE";

        if (path == QLatin1String("/control") || path == QLatin1String("/control/status")) {
            if (!get)
                return discordError(405);
            return jsonResponse(200, toJson(QJsonObject{
                {QStringLiteral("gateway"), q->gatewayUrl().toString()},
                {QStringLiteral("resume"), q->resumeUrl().toString()},
                {QStringLiteral("api"), q->apiBase().toString()},
                {QStringLiteral("control"), q->controlUrl().toString()},
                {QStringLiteral("heartbeat_interval_ms"), qint64(options.heartbeatInterval.count())},
                {QStringLiteral("dispatch_interval_ms"), qint64(options.dispatchInterval.count())},
                {QStringLiteral("open_connections"), q->openConnectionCount()},
                {QStringLiteral("live_sessions"), q->liveSessionCount()}}));
        }
        if (path == QLatin1String("/control/bots")) {
            if (get) {
                QJsonArray list;
                for (const auto &[token, bot] : bots) {
                    const SimBotPolicy &p = bot.policy;
                    list.append(QJsonObject{{QStringLiteral("name"), p.name},
                                            {QStringLiteral("privileged"), p.privilegedIntentsAllowed},
                                            {QStringLiteral("guilds"), p.guilds},
                                            {QStringLiteral("shards"), p.recommendedShards},
                                            {QStringLiteral("max_concurrency"), p.maxConcurrency},
                                            {QStringLiteral("session_start_total"), p.sessionStartTotal},
                                            {QStringLiteral("session_start_remaining"), p.sessionStartRemaining}});
                }
                return jsonResponse(200, toJson(list));
            }
            if (del) {
                Bot *bot = botByName(query.queryItemValue(QStringLiteral("name")));
                if (!bot)
                    return errorJson(404, QStringLiteral("unknown bot"));
                q->removeBot(bot->token);
                return jsonResponse(200, "{\"ok\":true}");
            }
            if (!post)
                return discordError(405);
            const QString token = body.value(QLatin1String("token")).toString();
            const QString name = body.value(QLatin1String("name")).toString();
            if (pe.error != QJsonParseError::NoError || token.isEmpty() || name.isEmpty())
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
        if (path == QLatin1String("/control/fault")) {
            if (!post)
                return discordError(405);
            if (pe.error != QJsonParseError::NoError)
                return errorJson(400, QStringLiteral("body is not JSON"));
            const auto kind = faultKindFromName(body.value(QLatin1String("kind")).toString());
            if (!kind)
                return errorJson(400, QStringLiteral("unknown fault kind"));
            SimFault f;
            f.kind = *kind;
            f.closeCode = body.value(QLatin1String("code")).toInt(f.closeCode);
            f.resumable = body.value(QLatin1String("resumable")).toBool(f.resumable);
            f.count = body.value(QLatin1String("count")).toInt(f.count);
            f.connections = body.value(QLatin1String("connections")).toInt(f.connections);
            f.size = body.value(QLatin1String("size")).toInteger(f.size);
            f.delay = std::chrono::milliseconds(body.value(QLatin1String("delay_ms")).toInteger(0));
            bool ok = false;
            if (body.contains(QLatin1String("connection"))) {
                const int id = body.value(QLatin1String("connection")).toInt();
                if (!connectionById(id))
                    return errorJson(404, QStringLiteral("unknown connection"));
                ok = q->injectFaultOnConnection(id, f);
            } else {
                const QString botName = body.value(QLatin1String("bot")).toString();
                if (!botByName(botName))
                    return errorJson(404, QStringLiteral("unknown bot"));
                ok = q->injectFault(botName, f);
            }
            if (!ok)
                return errorJson(409, QStringLiteral("no open connection to apply the fault to"));
            return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("ok"), true},
                                                        {QStringLiteral("kind"), faultKindName(f.kind)}}));
        }
        if (path == QLatin1String("/control/connections")) {
            if (!get)
                return discordError(405);
            QJsonArray list;
            for (const SimConnectionInfo &i : q->connections())
                list.append(connectionJson(i));
            return jsonResponse(200, toJson(list));
        }
        if (path == QLatin1String("/control/received")) {
            if (del) {
                q->clearRecords();
                return jsonResponse(200, "{\"ok\":true}");
            }
            if (!get)
                return discordError(405);
            const QString botName = query.queryItemValue(QStringLiteral("bot"));
            const qint64 since = query.queryItemValue(QStringLiteral("since_ms")).toLongLong();
            QJsonArray list;
            for (const SimReceived &rec : std::as_const(records)) {
                if ((botName.isEmpty() || rec.botName == botName) && rec.atMs >= since)
                    list.append(receivedJson(rec));
            }
            return jsonResponse(200, toJson(list));
        }
        if (path == QLatin1String("/control/dispatch")) {
            if (!post)
                return discordError(405);
            const QString botName = body.value(QLatin1String("bot")).toString();
            const QString event = body.value(QLatin1String("event")).toString(QStringLiteral("MESSAGE_CREATE"));
            if (pe.error != QJsonParseError::NoError || !botByName(botName))
                return errorJson(404, QStringLiteral("unknown bot"));
            const QJsonValue data = body.value(QLatin1String("data"));
            const QByteArray dJson = data.isObject() ? toJson(data.toObject())
                                   : data.isArray()  ? toJson(data.toArray())
                                                     : QByteArray("{}");
            const int n = dispatchToBot(botName, event.toUtf8(), dJson);
            return jsonResponse(200, toJson(QJsonObject{{QStringLiteral("sessions"), n}}));
        }
        if (path == QLatin1String("/control/settings")) {
            if (!post)
                return discordError(405);
            if (body.contains(QLatin1String("heartbeat_interval_ms")))
                q->setHeartbeatInterval(std::chrono::milliseconds(body.value(QLatin1String("heartbeat_interval_ms")).toInteger()));
            if (body.contains(QLatin1String("dispatch_interval_ms")))
                q->setDispatchInterval(std::chrono::milliseconds(body.value(QLatin1String("dispatch_interval_ms")).toInteger()));
            return jsonResponse(200, "{\"ok\":true}");
        }
        return discordError(404);
    }

    int dispatchToBot(const QString &botName, const QByteArray &event, const QByteArray &dJson)
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

    void handleDispatchTick()
    {
        pruneSessions();
        for (auto &[id, s] : sessions)
            emitDispatch(s, "MESSAGE_CREATE", messageCreate(s));
    }
};

GatewaySimulator::GatewaySimulator(QObject *parent)
    : GatewaySimulator(Options{}, parent)
{
}

GatewaySimulator::GatewaySimulator(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options)))
{
    connect(&d->mainTcp, &QTcpServer::newConnection, this, [this] { d->handleTcpConnection(d->mainTcp, d->mainWs); });
    connect(&d->resumeTcp, &QTcpServer::newConnection, this,
            [this] { d->handleTcpConnection(d->resumeTcp, d->resumeWs); });
    connect(&d->mainWs, &QWebSocketServer::newConnection, this, [this] { d->handleWsConnection(d->mainWs, false); });
    connect(&d->resumeWs, &QWebSocketServer::newConnection, this,
            [this] { d->handleWsConnection(d->resumeWs, true); });
    d->http.setHandler([this](const SimHttpRequest &r) { return d->handleHttp(r); });
    d->dispatchTimer.setTimerType(Qt::PreciseTimer);
    d->dispatchTimer.callOnTimeout(this, [this] { d->handleDispatchTick(); });
    setDispatchInterval(d->options.dispatchInterval);
}

GatewaySimulator::~GatewaySimulator()
{
    stop();
    // Sockets are children of this object; cut their signals before `d` goes away.
    for (auto &[id, c] : d->connections) {
        if (c->socket) {
            c->socket->disconnect(this);
            delete c->socket.data();
        }
    }
}

bool GatewaySimulator::start()
{
    if (d->started)
        return true;
    const auto fail = [this](const QString &what, const QString &why) {
        d->error = what + QStringLiteral(": ") + why;
        qCWarning(lcSim).noquote() << "cannot start:" << d->error;
        stop();
        return false;
    };
    if (!d->mainTcp.listen(d->options.address, d->options.gatewayPort))
        return fail(QStringLiteral("gateway listener"), d->mainTcp.errorString());
    if (!d->resumeTcp.listen(d->options.address, d->options.resumePort))
        return fail(QStringLiteral("resume listener"), d->resumeTcp.errorString());
    if (!d->http.listen(d->options.address, d->options.httpPort))
        return fail(QStringLiteral("HTTP listener"), d->http.errorString());
    d->started = true;
    d->error.clear();
    setDispatchInterval(d->options.dispatchInterval);
    qCInfo(lcSim).noquote() << "listening: gateway" << gatewayUrl().toString() << "resume" << resumeUrl().toString()
                            << "api" << apiBase().toString();
    return true;
}

void GatewaySimulator::stop()
{
    d->dispatchTimer.stop();
    d->mainTcp.close();
    d->resumeTcp.close();
    d->http.close();
    for (auto &[id, c] : d->connections) {
        if (c->socket && c->info.open) {
            c->serverClosing = true;
            c->socket->abort();
        }
    }
    d->started = false;
}

QString GatewaySimulator::errorString() const
{
    return d->error;
}

QUrl GatewaySimulator::gatewayUrl() const
{
    return d->wsUrl(d->mainTcp.serverPort());
}

QUrl GatewaySimulator::resumeUrl() const
{
    return d->wsUrl(d->resumeTcp.serverPort());
}

QUrl GatewaySimulator::apiBase() const
{
    return d->httpUrl(QStringLiteral("/api/v10"));
}

QUrl GatewaySimulator::controlUrl() const
{
    return d->httpUrl(QStringLiteral("/control"));
}

void GatewaySimulator::setHeartbeatInterval(std::chrono::milliseconds interval)
{
    d->options.heartbeatInterval = std::max(interval, std::chrono::milliseconds{1});
}

void GatewaySimulator::setDispatchInterval(std::chrono::milliseconds interval)
{
    d->options.dispatchInterval = interval;
    if (interval > 0ms && d->started) {
        d->dispatchTimer.start(interval);
    } else {
        d->dispatchTimer.stop();
    }
}

void GatewaySimulator::addBot(const QString &token, const SimBotPolicy &policy)
{
    // One name per bot: re-adding a name under another token replaces it.
    for (auto it = d->bots.begin(); it != d->bots.end();) {
        if (it->second.policy.name == policy.name && it->first != token)
            it = d->bots.erase(it);
        else
            ++it;
    }
    Private::Bot bot;
    bot.token = token;
    bot.policy = policy;
    if (bot.policy.name.isEmpty())
        bot.policy.name = QStringLiteral("bot-%1").arg(++d->unknownBotCounter);
    qCInfo(lcSim) << "bot" << bot.policy.name << "added, privileged intents"
                  << (policy.privilegedIntentsAllowed ? "allowed" : "not allowed");
    d->bots.insert_or_assign(token, std::move(bot));
}

void GatewaySimulator::removeBot(const QString &token)
{
    d->bots.erase(token);
}

bool GatewaySimulator::injectFault(const QString &botName, const SimFault &fault)
{
    Private::Bot *bot = d->botByName(botName);
    if (!bot)
        return false;
    const int n = std::max(1, fault.connections);
    switch (fault.kind) {
    case SimFault::Kind::WithholdHello:
        // The bot of a socket is unknown before IDENTIFY: applies to the next sockets of any bot.
        d->pendingWithholdHello += n;
        qCInfo(lcSim) << "fault WithholdHello armed for the next" << n << "connection(s)";
        return true;
    case SimFault::Kind::SlowHandshake:
        for (int i = 0; i < n; ++i)
            d->pendingSlowHandshakes.push_back(fault.delay);
        qCInfo(lcSim) << "fault SlowHandshake armed for the next" << n << "connection(s)";
        return true;
    case SimFault::Kind::WithholdReady:
        bot->withholdReadyPending += n;
        qCInfo(lcSim) << "fault WithholdReady armed for the next" << n << "IDENTIFY/RESUME of" << botName;
        return true;
    default:
        break;
    }
    Private::Connection *newest = nullptr;
    for (auto &[id, c] : d->connections) {
        if (c->info.open && c->info.botName == botName)
            newest = c.get();
    }
    return newest && d->applyLiveFault(*newest, fault);
}

bool GatewaySimulator::injectFaultOnConnection(int connectionId, const SimFault &fault)
{
    Private::Connection *c = d->connectionById(connectionId);
    return c && d->applyLiveFault(*c, fault);
}

void GatewaySimulator::dispatch(const QString &botName, const QString &eventName, const QByteArray &jsonData)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(jsonData, &pe);
    if (pe.error != QJsonParseError::NoError) {
        qCWarning(lcSim) << "dispatch" << eventName << "ignored: data is not JSON";
        return;
    }
    d->dispatchToBot(botName, eventName.toUtf8(), doc.toJson(QJsonDocument::Compact));
}

QList<SimReceived> GatewaySimulator::received() const
{
    return d->records;
}

QList<SimReceived> GatewaySimulator::receivedFrom(const QString &botName) const
{
    QList<SimReceived> out;
    for (const SimReceived &r : std::as_const(d->records)) {
        if (r.botName == botName)
            out.append(r);
    }
    return out;
}

QList<SimConnectionInfo> GatewaySimulator::connections() const
{
    QList<SimConnectionInfo> out;
    for (const auto &[id, c] : d->connections)
        out.append(c->info);
    return out;
}

std::optional<SimConnectionInfo> GatewaySimulator::connection(int id) const
{
    if (const Private::Connection *c = d->connectionById(id))
        return c->info;
    return std::nullopt;
}

int GatewaySimulator::openConnectionCount() const
{
    return static_cast<int>(std::count_if(d->connections.begin(), d->connections.end(),
                                          [](const auto &entry) { return entry.second->info.open; }));
}

void GatewaySimulator::clearRecords()
{
    d->records.clear();
    for (auto it = d->connections.begin(); it != d->connections.end();) {
        if (!it->second->info.open)
            it = d->connections.erase(it);
        else
            ++it;
    }
}

GatewaySimulator::Options GatewaySimulator::options() const
{
    return d->options;
}

QStringList GatewaySimulator::botNames() const
{
    QStringList names;
    for (const auto &[token, bot] : d->bots)
        names.append(bot.policy.name);
    names.sort();
    return names;
}

int GatewaySimulator::sessionStartRemaining(const QString &botName) const
{
    const Private::Bot *bot = d->botByName(botName);
    return bot ? bot->policy.sessionStartRemaining : -1;
}

int GatewaySimulator::liveSessionCount() const
{
    return static_cast<int>(std::count_if(d->sessions.begin(), d->sessions.end(),
                                          [this](const auto &entry) { return d->sessionLive(entry.second); }));
}

qint64 GatewaySimulator::sessionSeq(const QString &sessionId) const
{
    const Private::Session *s = d->sessionById(sessionId);
    return s ? s->seq : -1;
}

std::optional<SimFault::Kind> GatewaySimulator::faultKindFromName(const QString &name)
{
    bool ok = false;
    const int v = QMetaEnum::fromType<SimFault::Kind>().keyToValue(name.toLatin1().constData(), &ok);
    if (!ok)
        return std::nullopt;
    return static_cast<SimFault::Kind>(v);
}

QString GatewaySimulator::faultKindName(SimFault::Kind kind)
{
    return QString::fromLatin1(QMetaEnum::fromType<SimFault::Kind>().valueToKey(static_cast<int>(kind)));
}

} // namespace gw
