#pragma once

// Internal to core/sim: the gateway's sockets, from TCP accept to close.

#include <QByteArray>
#include <QtGlobal>

class QJsonDocument;
class QJsonValue;
class QTcpServer;
class QUrlQuery;
class QWebSocket;
class QWebSocketServer;

namespace gw {
class GatewaySimulator;
struct SimReceived;
}

namespace gw::sim {

class State;
class SessionHandler;
struct Connection;

//! The WebSocket side of the simulated gateway: holds back upgrades (SlowHandshake), accepts
//! sockets on the main and resume listeners, checks the URL (v=10, json, zlib-/zstd-stream), sends
//! HELLO (unless WithholdHello), decodes and records every payload, enforces the payload size,
//! send rate and heartbeat deadline, answers heartbeats and hands IDENTIFY/RESUME to the
//! SessionHandler. Reports through GatewaySimulator's signals.
class SocketHandler final
{
    Q_DISABLE_COPY_MOVE(SocketHandler)

public:
    SocketHandler(State &state, SessionHandler &sessions, GatewaySimulator *q)
        : m_state(state), m_sessions(sessions), q(q)
    {
    }
    ~SocketHandler() = default;

    //! QTcpServer::newConnection: hands the sockets to `ws`, late for armed SlowHandshakes.
    void acceptTcp(QTcpServer &tcp, QWebSocketServer &ws);
    //! QWebSocketServer::newConnection.
    void acceptWebSockets(QWebSocketServer &ws, bool viaResume);

private:
    Connection &adopt(QWebSocket *socket, bool viaResume);
    void watch(Connection &c);
    //! URL checks, then HELLO (closes instead on a bad URL).
    void greet(Connection &c, const QUrlQuery &query);
    void handleDisconnected(int id);
    void handleMessage(int id, const QByteArray &message);
    //! What the payload claims, for SimReceived, before it is acted on.
    SimReceived describe(Connection &c, const QByteArray &message, const QJsonDocument &doc) const;
    //! Size, rate and decoding checks; false if the connection was closed.
    bool acceptable(Connection &c, const QByteArray &message, const QJsonDocument &doc, bool hasOp);
    void route(Connection &c, qint64 op, const QJsonValue &d);

    State &m_state;
    SessionHandler &m_sessions;
    GatewaySimulator *const q;
};

} // namespace gw::sim
