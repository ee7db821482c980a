#pragma once

#include "gatewaytypes.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

namespace gw {

//! How the simulated Discord treats one bot token.
struct SimBotPolicy
{
    QString name;                    //!< label used by the control endpoint ("bot":"alpha")
    QString userId = QStringLiteral("100000000000000001");
    QString userName = QStringLiteral("SimBot");
    bool privilegedIntentsAllowed = true;  //!< false → close 4014 when IDENTIFY asks for one
    int guilds = 1;
    int recommendedShards = 1;
    int sessionStartTotal = 1000;
    int sessionStartRemaining = 1000;
    //! Time until the budget resets, counted from addBot(): then `remaining` is back to `total`
    //! and the next window is 24 h (docs/simulator.md, REST).
    std::chrono::milliseconds sessionStartResetAfter{std::chrono::hours{24}};
    int maxConcurrency = 1;
    //! Answer every REST request of this bot with this HTTP status and Discord's error body
    //! instead (0: answer normally), as a proxy or a wrong API base would (e.g. 400).
    int restStatus = 0;
};

//! A fault the simulator can play on a connection (docs/simulator.md). `Kind` is Q_ENUM'd so the
//! control endpoint parses names with QMetaEnum ("StopAcks", "Close", …).
struct SimFault
{
    Q_GADGET
public:
    enum class Kind {
        WithholdHello,     //!< sticky: the next `connections` sockets never get HELLO
        WithholdReady,     //!< sticky: IDENTIFY/RESUME on the next `connections` sockets is never answered
        SlowHandshake,     //!< sticky: the next `connections` HTTP upgrades are delayed by `delay`
        StopAcks,          //!< live: stop answering heartbeats on the current socket (zombie)
        ResumeAcks,        //!< live: answer heartbeats again
        GoSilent,          //!< live: send nothing at all any more on the current socket (blackhole)
        Reconnect,         //!< live: op 7 (then close 4000 after `delay` if the client has not)
        InvalidSession,    //!< live: op 9 with d = `resumable`
        RequestHeartbeat,  //!< live: op 1
        Close,             //!< live: close frame with `closeCode`
        DropTcp,           //!< live: abort the TCP connection without a close frame
        Flood,             //!< live: `count` dispatches, back to back or `rate` per second
        Malformed,         //!< live: a frame that is not valid JSON / has wrong types
        Oversized,         //!< live: a message of `size` bytes
        SkipSequence,      //!< live: the session's next dispatch skips `count` sequence numbers
        Flap,              //!< bot: for `duration`, close every socket `delay` after its READY/RESUMED with `closeCode`
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Close;
    int closeCode = 4000;
    QString closeReason{};           //!< Close: the close frame's reason (empty: "Simulated close.")
    bool resumable = false;
    int count = 1;                   //!< Flood: number of dispatches; SkipSequence: numbers skipped
    int rate = 0;                    //!< Flood: dispatches per second (0 = back to back)
    int connections = 1;             //!< sticky faults: how many new sockets they apply to
    qint64 size = 0;                 //!< Oversized: bytes
    std::chrono::milliseconds delay{0};
    std::chrono::milliseconds duration{0};   //!< Flap: how long the flapping lasts (0 ends it)

    [[nodiscard]] bool isSticky() const
    {
        return kind == Kind::WithholdHello || kind == Kind::WithholdReady || kind == Kind::SlowHandshake;
    }
};

//! Per-bot or per-connection overrides of Options::outboundRate and Options::ackDelay
//! (nullopt = follow the next level: connection → bot → Options).
struct SimLoad
{
    std::optional<int> outboundRate;                 //!< messages per second, 0 = unpaced
    std::optional<std::chrono::milliseconds> ackDelay;
};

//! REST 429s for one bot (docs/simulator.md, "REST rate limits"): the next request to `route`
//! (every route when `global`) opens a window of `retryAfter` in which every request of the bot
//! to it is answered 429 with Retry-After / retry_after (and, per route, X-RateLimit-Remaining 0,
//! X-RateLimit-Reset-After, X-RateLimit-Bucket; globally X-RateLimit-Global); `count` windows.
struct SimRestLimit
{
    QString route = QStringLiteral("/gateway/bot");   //!< "/gateway/bot" or "/users/@me"
    std::chrono::milliseconds retryAfter{2000};
    bool global = false;
    int count = 1;
};

//! One REST request the simulator answered (bot known or not).
struct SimRestRequest
{
    QString route;                   //!< "/gateway/bot"
    QString botName;                 //!< empty for an unknown token
    int status = 0;
    qint64 atMs = 0;                 //!< QDateTime::currentMSecsSinceEpoch()
};

//! One payload a client sent, as recorded by the simulator (for assertions).
struct SimReceived
{
    int connectionId = 0;
    int op = -1;
    qint64 atMs = 0;                 //!< QDateTime::currentMSecsSinceEpoch()
    std::optional<qint64> heartbeatSeq;  //!< op 1: d (nullopt for null)
    QString sessionId;               //!< op 6
    qint64 resumeSeq = -1;           //!< op 6
    int shardId = -1, shardCount = -1;   //!< op 2
    quint32 intents = 0;             //!< op 2
    QString botName;                 //!< policy name of the token used (never the token)
    qint64 bytes = 0;
};

//! One WebSocket connection the simulator accepted.
struct SimConnectionInfo
{
    int id = 0;
    QString botName;                 //!< set after IDENTIFY/RESUME
    QString path;                    //!< request path + query, e.g. "/?v=10&encoding=json&compress=zlib-stream"
    bool compressed = false;         //!< compression != None
    Compression compression = Compression::None;  //!< from the compress= query
    bool open = false;
    bool viaResumeUrl = false;       //!< connected to the resume host, not the main one
    QString sessionId;
    qint64 openedAtMs = 0;
    qint64 closedAtMs = 0;
    int outboundQueued = 0;          //!< payloads waiting in the outbound queue (Options::outboundRate)
};

//! A Discord Gateway v10 and its REST endpoints on loopback (docs/simulator.md, docs/protocol.md).
//! - WebSocket gateway on `gatewayUrl()`, a second listener on `resumeUrl()` (READY's
//!   resume_gateway_url), JSON encoding, optional zlib-stream (one deflate context per socket,
//!   every message ending in 00 00 ff ff) or zstd-stream (one ZSTD_CCtx per socket, every
//!   message flushed with ZSTD_e_flush);
//! - REST: GET {apiBase}/gateway, /gateway/bot and /users/@me (401 for unknown tokens);
//! - control: HTTP on `controlUrl()` (documented in docs/simulator.md);
//! - Discord's rules: HELLO, ACK per beat, READY with session_id and resume_gateway_url,
//!   resume replay from a finite per-session buffer then RESUMED (a dispatch with its own s),
//!   one ordered outbound queue per socket (optionally paced, so an ACK waits behind a burst), 4004 unknown token, 4014 privileged
//!   intents without permission, 4013 bad bitfield, 4011 > 2500 guilds/shard, 4002 payload
//!   > 4096 bytes or bad JSON, 4005 identify twice, 4003 before identify, 4008 > 120 sends / 60 s,
//!   4009 session timeout when no beat for interval × 1.5, op 9 on stale resume and when
//!   identifies exceed max_concurrency per 5 s.
class GatewaySimulator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewaySimulator)

public:
    //! Where READY sends resuming clients: the live resume listener (resumeUrl()), a port that
    //! refuses connections, or one that accepts TCP and never answers the WebSocket upgrade.
    enum class ResumeHost { Live, Refused, Silent };
    Q_ENUM(ResumeHost)
    //! "live" | "refused" | "silent".
    [[nodiscard]] static QString resumeHostName(ResumeHost host);
    [[nodiscard]] static std::optional<ResumeHost> resumeHostFromName(const QString &name);

    struct Options
    {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 gatewayPort = 0;     //!< 0 = any free port
        quint16 resumePort = 0;
        quint16 httpPort = 0;        //!< REST and control share one HTTP listener
        std::chrono::milliseconds heartbeatInterval{41250};
        std::chrono::milliseconds dispatchInterval{0};   //!< 0 = no background dispatches
        int dispatchPayloadBytes = 256;
        std::chrono::milliseconds sessionResumeWindow{std::chrono::minutes{3}};
        bool enforceIdentifyConcurrency = true;
        bool enforceSendRateLimit = true;
        bool acceptUnknownTokens = false;  //!< true → any token gets a default policy
        //! Length of one identify bucket window (Discord: 5 s per `max_concurrency` bucket);
        //! tests shorten it to milliseconds.
        std::chrono::milliseconds identifyBucketInterval{std::chrono::seconds{5}};
        //! Close 4009 when no heartbeat arrives within interval × 1.5 + heartbeatTimeoutGrace
        //! (the grace keeps millisecond test intervals from flaking on a loaded machine).
        bool enforceHeartbeatTimeout = true;
        std::chrono::milliseconds heartbeatTimeoutGrace{250};
        int sendRateLimit = 120;                         //!< payloads per sendRateWindow → 4008
        std::chrono::milliseconds sendRateWindow{std::chrono::seconds{60}};
        //! zlib-/zstd-stream: send every compressed message as two WebSocket messages (the first
        //! without the 00 00 ff ff suffix, or cut inside a zstd block) to exercise client
        //! buffering. Discord never does this.
        bool splitCompressedMessages = false;
        //! Dispatches kept per session for RESUME; older missed ones are not replayed (Discord's
        //! buffer is finite too).
        int replayBufferLimit = 5000;
        //! Every payload to a socket (dispatch, ACK, op 1/7/9, close frame) leaves through one
        //! ordered queue; this many per second drain it (0 = written at once). A burst backs up
        //! and an ACK waits behind it, as on a loaded gateway.
        int outboundRate = 0;
        //! How long after a heartbeat its ACK is put in the outbound queue.
        std::chrono::milliseconds ackDelay{0};
        int recordLimit = 100000;                        //!< SimReceived entries kept (oldest dropped)
        //! What READY's resume_gateway_url points at (docs/simulator.md, "Unreachable resume host").
        ResumeHost resumeHost = ResumeHost::Live;
        //! Both set: every listener (gateway, resume, REST and control) speaks TLS with this PEM
        //! certificate and PEM private key, and every URL the simulator gives out says wss:// or
        //! https:// (docs/simulator.md, "TLS"). start() fails on an unreadable file.
        QString tlsCertFile{};
        QString tlsKeyFile{};
    };

    explicit GatewaySimulator(QObject *parent = nullptr);
    explicit GatewaySimulator(Options options, QObject *parent = nullptr);
    ~GatewaySimulator() override;

    //! Listen; false with errorString() on failure.
    bool start();
    void stop();
    [[nodiscard]] QString errorString() const;

    [[nodiscard]] QUrl gatewayUrl() const;   //!< ws://127.0.0.1:<port> (wss:// with TLS)
    [[nodiscard]] QUrl resumeUrl() const;    //!< ws://127.0.0.1:<port2>, the live resume listener
    //! True when the listeners speak TLS (Options::tlsCertFile and tlsKeyFile).
    [[nodiscard]] bool isTls() const;
    //! READY's resume_gateway_url: resumeUrl(), or the refused or silent host (Options::resumeHost).
    [[nodiscard]] QUrl announcedResumeUrl() const;
    //! Sessions identified from now on announce `host` (false if a dead host cannot be opened).
    bool setResumeHost(ResumeHost host);
    [[nodiscard]] ResumeHost resumeHost() const;
    //! TCP connections the silent resume host accepted (and never answered).
    [[nodiscard]] int silentResumeConnections() const;
    [[nodiscard]] QUrl apiBase() const;      //!< http://127.0.0.1:<port>/api/v10 (https:// with TLS)
    [[nodiscard]] QUrl controlUrl() const;   //!< http://127.0.0.1:<port>/control

    void setHeartbeatInterval(std::chrono::milliseconds interval);
    void setDispatchInterval(std::chrono::milliseconds interval);
    void setOutboundRate(int messagesPerSecond);
    void setAckDelay(std::chrono::milliseconds delay);
    void setReplayBufferLimit(int dispatches);
    //! Overrides for one bot's connections (replacing earlier ones); false for an unknown bot.
    bool setBotLoad(const QString &botName, const SimLoad &load);
    //! Overrides for one connection (replacing earlier ones); false for an unknown connection.
    bool setConnectionLoad(int connectionId, const SimLoad &load);

    void addBot(const QString &token, const SimBotPolicy &policy);
    void removeBot(const QString &token);

    //! Apply a fault to the bot's newest open connection (live faults) or to its next
    //! `fault.connections` new connections (sticky faults). Returns false if the bot is unknown
    //! or a live fault finds no open connection. "The bot's connection" means a socket that has
    //! sent the bot's IDENTIFY or RESUME. WithholdHello and SlowHandshake act before any token
    //! is seen, so they apply to the next sockets of *any* bot (the name must still be known);
    //! WithholdReady applies to the bot's next IDENTIFY/RESUME sockets.
    bool injectFault(const QString &botName, const SimFault &fault);
    //! Apply a live fault (or WithholdReady) to one connection, identified or not (e.g. op 7
    //! before HELLO). False for an unknown or closed connection or other sticky kinds.
    bool injectFaultOnConnection(int connectionId, const SimFault &fault);
    //! Send one dispatch on every live session of the bot: sent at once on its open socket, and
    //! kept in the session's replay buffer (so a session that is disconnected but still within
    //! the resume window gets it on RESUME). `jsonData` must be JSON (the `d` field).
    void dispatch(const QString &botName, const QString &eventName, const QByteArray &jsonData);

    //! Arms REST 429s for the bot (replacing earlier ones); false for an unknown bot.
    bool setRestRateLimit(const QString &botName, const SimRestLimit &limit);
    //! Every REST request under /api/v10 with its time and status (cleared by clearRecords()).
    [[nodiscard]] QList<SimRestRequest> restRequests() const;

    [[nodiscard]] QList<SimReceived> received() const;                      //!< every client payload
    [[nodiscard]] QList<SimReceived> receivedFrom(const QString &botName) const;
    [[nodiscard]] QList<SimConnectionInfo> connections() const;
    [[nodiscard]] std::optional<SimConnectionInfo> connection(int id) const;
    [[nodiscard]] int openConnectionCount() const;
    void clearRecords();

    [[nodiscard]] Options options() const;
    //! Names of the known bots (never their tokens).
    [[nodiscard]] QStringList botNames() const;
    //! The current session_start_limit.remaining of a bot (-1 if unknown).
    [[nodiscard]] int sessionStartRemaining(const QString &botName) const;
    //! Number of sessions that can still be resumed (open or within the resume window).
    [[nodiscard]] int liveSessionCount() const;
    //! The last sequence number the session dispatched (-1 if the session is unknown or gone).
    [[nodiscard]] qint64 sessionSeq(const QString &sessionId) const;
    //! Parses "StopAcks", "Close", … (QMetaEnum of SimFault::Kind).
    [[nodiscard]] static std::optional<SimFault::Kind> faultKindFromName(const QString &name);
    [[nodiscard]] static QString faultKindName(SimFault::Kind kind);

Q_SIGNALS:
    void clientConnected(int connectionId);
    void clientDisconnected(int connectionId);
    //! A payload arrived from a client (op as decoded).
    void payloadReceived(int connectionId, int op);
    void sessionIdentified(int connectionId, const QString &botName, const QString &sessionId);
    void sessionResumed(int connectionId, const QString &botName, int replayed);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::SimFault)
