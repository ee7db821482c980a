#include "simsockets_p.h"

#include "logging.h"
#include "simprotocol_p.h"
#include "simsessions_p.h"
#include "simstate_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QWebSocketServer>

namespace gw::sim {

namespace {

std::unique_ptr<QTimer> preciseSingleShot()
{
    auto timer = std::make_unique<QTimer>();
    timer->setSingleShot(true);
    timer->setTimerType(Qt::PreciseTimer);
    return timer;
}

} // namespace

void SocketHandler::acceptTcp(QTcpServer &tcp, QWebSocketServer &ws)
{
    while (QTcpSocket *socket = tcp.nextPendingConnection()) {
        if (m_state.pendingSlowHandshakes.empty()) {
            ws.handleConnection(socket);
            continue;
        }
        const auto delay = m_state.pendingSlowHandshakes.front();
        m_state.pendingSlowHandshakes.pop_front();
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

void SocketHandler::acceptWebSockets(QWebSocketServer &ws, bool viaResume)
{
    while (QWebSocket *socket = ws.nextPendingConnection()) {
        const QUrlQuery query(socket->requestUrl());
        Connection &c = adopt(socket, viaResume);
        qCInfo(lcSim).nospace() << "connection " << c.info.id << " opened on " << (viaResume ? "resume" : "main")
                                << " listener: " << c.info.path;
        Q_EMIT q->clientConnected(c.info.id);
        greet(c, query);
    }
}

Connection &SocketHandler::adopt(QWebSocket *socket, bool viaResume)
{
    auto conn = std::make_unique<Connection>();
    Connection &c = *conn;
    c.info.id = m_state.nextConnectionId++;
    c.info.open = true;
    c.info.viaResumeUrl = viaResume;
    c.info.openedAtMs = nowMs();
    const QUrl url = socket->requestUrl();
    c.info.path = url.path(QUrl::FullyEncoded).isEmpty() ? QStringLiteral("/") : url.path(QUrl::FullyEncoded);
    if (url.hasQuery())
        c.info.path += QLatin1Char('?') + url.query(QUrl::FullyEncoded);
    // greet() closes 4002 on any other compress= value before anything is sent.
    const auto compression = compressionFromName(QUrlQuery(url).queryItemValue(QStringLiteral("compress")));
    c.info.compression = compression.value_or(Compression::None);
    c.info.compressed = c.info.compression != Compression::None;
    if (c.info.compressed)
        c.deflater = std::make_unique<SimDeflater>(c.info.compression);
    c.socket = socket;
    c.outbound = std::make_unique<Outbound>(m_state, c, q);
    socket->setParent(q);
    socket->setMaxAllowedIncomingMessageSize(MaxIncomingMessageBytes);
    watch(c);
    m_state.connections.emplace(c.info.id, std::move(conn));
    return c;
}

void SocketHandler::watch(Connection &c)
{
    const int id = c.info.id;
    c.heartbeatDeadline = preciseSingleShot();
    c.heartbeatDeadline->callOnTimeout(q, [this, id] {
        if (Connection *cc = m_state.connectionById(id))
            m_state.closeConnection(*cc, 4009, QStringLiteral("Session timed out."));
    });
    c.reconnectCloseTimer = preciseSingleShot();
    c.reconnectCloseTimer->callOnTimeout(q, [this, id] {
        if (Connection *cc = m_state.connectionById(id))
            m_state.closeConnection(*cc, 4000, QStringLiteral("Reconnect requested."));
    });
    QWebSocket *socket = c.socket.data();
    QObject::connect(socket, &QWebSocket::textMessageReceived, q,
                     [this, id](const QString &m) { handleMessage(id, m.toUtf8()); });
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, q,
                     [this, id](const QByteArray &m) { handleMessage(id, m); });
    QObject::connect(socket, &QWebSocket::disconnected, q, [this, id] { handleDisconnected(id); });
    // Qt reports closeCode() 1000 even when the TCP connection just ended; aboutToClose
    // without our own close() is what tells a client's close frame apart.
    QObject::connect(socket, &QWebSocket::aboutToClose, q, [this, id] {
        if (Connection *cc = m_state.connectionById(id); cc && !cc->serverClosing)
            cc->clientCloseFrame = true;
    });
}

void SocketHandler::greet(Connection &c, const QUrlQuery &query)
{
    const QString v = query.queryItemValue(QStringLiteral("v"));
    const QString encoding = query.queryItemValue(QStringLiteral("encoding"));
    const QString compress = query.queryItemValue(QStringLiteral("compress"));
    if (v != QLatin1String("10")) {
        m_state.closeConnection(c, 4012, QStringLiteral("Invalid API version."));
        return;
    }
    if (!encoding.isEmpty() && encoding != QLatin1String("json")) {
        m_state.closeConnection(c, 4002, QStringLiteral("Unsupported encoding."));
        return;
    }
    if (!compress.isEmpty() && compress != QLatin1String("zlib-stream") && compress != QLatin1String("zstd-stream")) {
        m_state.closeConnection(c, 4002, QStringLiteral("Unsupported compression."));
        return;
    }
    if (m_state.pendingWithholdHello > 0) {
        --m_state.pendingWithholdHello;
        qCInfo(lcSim) << "fault WithholdHello on connection" << c.info.id;
        return;
    }
    QJsonObject hello{{QStringLiteral("heartbeat_interval"), qint64(m_state.options.heartbeatInterval.count())}};
    m_state.sendRaw(c, envelope(10, toJson(hello)));
    m_state.armHeartbeatDeadline(c);
}

void SocketHandler::handleDisconnected(int id)
{
    Connection *c = m_state.connectionById(id);
    if (!c || !c->info.open)
        return;
    c->info.open = false;
    c->info.closedAtMs = nowMs();
    c->heartbeatDeadline->stop();
    c->reconnectCloseTimer->stop();
    c->outbound->clear();
    if (c->flood.timer)
        c->flood.timer->stop();
    int clientCode = -1;
    if (c->socket) {
        if (c->clientCloseFrame)
            clientCode = c->socket->closeCode();
        c->socket->deleteLater();
    }
    c->socket.clear();
    c->deflater.reset();
    if (Session *s = m_state.sessionById(c->info.sessionId); s && s->connectionId == id) {
        s->connectionId = 0;
        s->disconnectedAtMs = nowMs();
        // Discord: a client's own close with 1000/1001 invalidates its session (docs/protocol.md).
        if (!c->serverClosing && (clientCode == 1000 || clientCode == 1001))
            s->invalid = true;
    }
    qCInfo(lcSim).nospace() << "connection " << id << " closed"
                            << (c->serverClosing ? " by the simulator" : "") << " (code " << clientCode << ')';
    Q_EMIT q->clientDisconnected(id);
}

void SocketHandler::handleMessage(int id, const QByteArray &message)
{
    Connection *cp = m_state.connectionById(id);
    if (!cp || !cp->info.open)
        return;
    Connection &c = *cp;
    const qint64 now = nowMs();
    c.receiveTimes.push_back(now);
    while (!c.receiveTimes.empty() && now - c.receiveTimes.front() > m_state.options.sendRateWindow.count())
        c.receiveTimes.pop_front();

    QJsonParseError parseError{};
    const QJsonDocument doc = message.size() > MaxPayloadBytes ? QJsonDocument()
                                                               : QJsonDocument::fromJson(message, &parseError);
    const QJsonObject obj = doc.object();
    const std::optional<qint64> op = integral(obj.value(QLatin1String("op")));
    SimReceived rec = describe(c, message, doc);
    rec.atMs = now;
    m_state.record(rec);
    Q_EMIT q->payloadReceived(id, rec.op);
    if (!m_state.connectionById(id) || !c.info.open)
        return;
    if (!acceptable(c, message, doc, op.has_value()) || c.silent)
        return;
    route(c, *op, obj.value(QLatin1String("d")));
}

SimReceived SocketHandler::describe(Connection &c, const QByteArray &message, const QJsonDocument &doc) const
{
    SimReceived rec;
    rec.connectionId = c.info.id;
    rec.bytes = message.size();
    rec.botName = c.info.botName;
    const QJsonObject obj = doc.object();
    if (const auto op = integral(obj.value(QLatin1String("op"))))
        rec.op = static_cast<int>(*op);
    const QJsonValue d = obj.value(QLatin1String("d"));
    const QJsonObject dObj = d.toObject();
    if (rec.op == 1) {
        if (const auto s = integral(d))
            rec.heartbeatSeq = *s;
    } else if (rec.op == 2 || rec.op == 6) {
        if (const Bot *bot = m_state.botByToken(dObj.value(QLatin1String("token")).toString()))
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
    return rec;
}

bool SocketHandler::acceptable(Connection &c, const QByteArray &message, const QJsonDocument &doc, bool hasOp)
{
    if (m_state.options.enforceSendRateLimit && std::ssize(c.receiveTimes) > m_state.options.sendRateLimit) {
        m_state.closeConnection(c, 4008, QStringLiteral("Rate limited."));
        return false;
    }
    if (message.size() > MaxPayloadBytes) {
        qCInfo(lcSim) << "connection" << c.info.id << "sent" << message.size() << "bytes (> 4096)";
        m_state.closeConnection(c, 4002, QStringLiteral("Decode error."));
        return false;
    }
    if (doc.isNull() || !doc.isObject() || !hasOp) {
        qCInfo(lcSim) << "connection" << c.info.id << "sent an undecodable payload";
        m_state.closeConnection(c, 4002, QStringLiteral("Decode error."));
        return false;
    }
    return true;
}

void SocketHandler::route(Connection &c, qint64 op, const QJsonValue &d)
{
    switch (op) {
    case 1:
        if (!d.isNull() && !integral(d)) {
            m_state.closeConnection(c, 4002, QStringLiteral("Decode error."));
            return;
        }
        m_state.armHeartbeatDeadline(c);
        if (!c.stopAcks)
            c.outbound->pushAck();  // behind what is queued, after the ACK delay
        return;
    case 2:
        m_sessions.identify(c, d);
        return;
    case 6:
        m_sessions.resume(c, d);
        return;
    case 3:   // presence update
    case 4:   // voice state update
    case 8:   // request guild members
    case 31:  // request soundboard sounds
    case 43:  // request channel info
        if (!c.authenticated)
            m_state.closeConnection(c, 4003, QStringLiteral("Not authenticated."));
        return;
    default:
        m_state.closeConnection(c, 4001, QStringLiteral("Unknown opcode."));
        return;
    }
}

} // namespace gw::sim
