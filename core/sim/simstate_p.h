#pragma once

// Internal to core/sim: what the simulator knows (bots, sessions, sockets, records) and the
// primitives every part of it uses to send, close and dispatch.

#include "gatewaysimulator.h"
#include "simdeflater_p.h"
#include "simoutbound_p.h"
#include "simpacer_p.h"

#include <QHash>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>

#include <chrono>
#include <deque>
#include <map>
#include <memory>

namespace gw::sim {

//! A known token and how the simulated Discord treats it.
struct Bot
{
    QString token;
    SimBotPolicy policy;
    QHash<int, qint64> bucketLastIdentifyMs;   //!< identify bucket → time of its last IDENTIFY
    int withholdReadyPending = 0;              //!< WithholdReady armed for this many sockets
    SimLoad load;                              //!< overrides for this bot's connections
    qint64 budgetResetAtMs = 0;                //!< when session_start_limit resets (epoch ms)
    qint64 flapUntilMs = 0;                    //!< Flap: sessions ready before this are closed
    int flapCode = 4000;
    std::chrono::milliseconds flapDelay{0};
};

//! A gateway session: created by IDENTIFY, resumable while live.
struct Session
{
    QString id;
    QString token;
    QString botName;
    qint64 seq = 0;
    qint64 skipPending = 0;         //!< SkipSequence: numbers the next dispatch jumps over
    std::deque<std::pair<qint64, QByteArray>> replay;   //!< (seq, payload) for RESUME
    int connectionId = 0;           //!< 0 = not attached to an open socket
    qint64 disconnectedAtMs = 0;
    bool invalid = false;
    int shardId = 0;
    int shardCount = 1;
};

//! A Flood with a rate: `remaining` more dispatches, the n-th due `n / rate` s after `start`.
struct PacedFlood
{
    int remaining = 0;
    int rate = 0;
    int sent = 0;
    std::chrono::steady_clock::time_point start;
    std::unique_ptr<SimPacer> timer;
};

//! One accepted WebSocket.
struct Connection
{
    SimConnectionInfo info;
    QPointer<QWebSocket> socket;
    std::unique_ptr<SimDeflater> deflater;
    std::unique_ptr<QTimer> heartbeatDeadline;   //!< 4009 when the client stops beating
    std::unique_ptr<QTimer> reconnectCloseTimer; //!< op 7 fault: close 4000 if the client did not
    std::unique_ptr<QTimer> flapTimer;           //!< Flap fault: close after READY/RESUMED
    std::unique_ptr<Outbound> outbound;          //!< every payload to the client, in order
    PacedFlood flood;
    SimLoad load;                                //!< overrides for this connection
    QString token;                  //!< kept to match RESUME against the session; never logged
    bool authenticated = false;     //!< IDENTIFY/RESUME accepted (answered or withheld)
    bool withholdReady = false;
    bool stopAcks = false;
    bool silent = false;
    bool serverClosing = false;
    bool clientCloseFrame = false;  //!< the client sent a close frame (closeCode() is meaningful)
    std::deque<qint64> receiveTimes;
};

//! The simulator's state and its shared primitives. Plain data plus helpers: the parts that
//! act on it (SocketHandler, SessionHandler, FaultInjector, HttpApi) each hold a reference.
class State final
{
    Q_DISABLE_COPY_MOVE(State)

public:
    explicit State(GatewaySimulator::Options o) : options(std::move(o)) {}
    ~State() = default;

    GatewaySimulator::Options options;
    std::map<QString, Bot> bots;                    // by token
    std::map<QString, Session> sessions;            // by session id
    std::map<int, std::unique_ptr<Connection>> connections;
    QList<SimReceived> records;
    int nextConnectionId = 1;
    int unknownBotCounter = 0;
    int pendingWithholdHello = 0;                   // sticky WithholdHello, any bot
    std::deque<std::chrono::milliseconds> pendingSlowHandshakes;

    // ---- lookups
    Bot *botByName(const QString &name);
    Bot *botByToken(const QString &token);
    Connection *connectionById(int id);
    Session *sessionById(const QString &id);
    //! Not invalidated, and open or disconnected within the resume window.
    [[nodiscard]] bool sessionLive(const Session &s) const;
    void pruneSessions();
    //! A bot with the default policy for a token nobody added (Options::acceptUnknownTokens).
    Bot *addDefaultBot(const QString &token);
    //! The bot's session_start_limit as of now: `remaining` back to `total` once the reset time
    //! has passed (the next window is 24 h). Returns reset_after.
    std::chrono::milliseconds refreshBudget(Bot &bot);

    // ---- sending
    //! Queues one payload for the socket (text, or zlib-stream binary; see Outbound); nothing
    //! on a silent or closed connection.
    void sendRaw(Connection &c, const QByteArray &payload);
    //! Closes with `code` (invalidating the session where Discord does); the close frame
    //! follows whatever is queued before it.
    void closeConnection(Connection &c, int code, const QString &reason);
    //! Messages per second for the connection's outbound queue (connection → bot → Options).
    [[nodiscard]] int outboundRateFor(const Connection &c);
    //! How long its ACKs are held back (connection → bot → Options).
    [[nodiscard]] std::chrono::milliseconds ackDelayFor(const Connection &c);
    void invalidateSessionOf(Connection &c);
    //! (Re)starts the 4009 deadline: interval × 1.5 + grace.
    void armHeartbeatDeadline(Connection &c);

    // ---- dispatches
    //! Next seq of the session (after any SkipSequence jump); kept for replay unless `replayable` is false (READY,
    //! RESUMED); sent at once when the session has a socket.
    void emitDispatch(Session &s, const QByteArray &event, const QByteArray &dJson, bool replayable = true);
    //! One MESSAGE_CREATE of Options::dispatchPayloadBytes.
    void emitMessageCreate(Session &s);
    //! One dispatch on every live session of the bot; returns how many sessions got it.
    int dispatchToBot(const QString &botName, const QByteArray &event, const QByteArray &dJson);
    //! The background traffic: one MESSAGE_CREATE on every live session.
    void dispatchTick();

    // ---- records
    void record(SimReceived rec);
};

} // namespace gw::sim
