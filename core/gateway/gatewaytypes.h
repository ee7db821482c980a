#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>

//! Value types shared by the gateway engine, the supervisor, the event log and the UI.
//! Every enum here is Q_ENUM_NS'd; `toDisplayName()` / `toSnakeCase()` give the user-facing
//! and the log/metric spelling, so no other layer invents state strings.
namespace gw {
Q_NAMESPACE

//! The connection state of one account, as shown to users (docs/architecture.md, "States").
//! `snake_case` spelling via stateName() is what logs, exports, JSON Lines and metrics use.
enum class ConnectionState {
    Stopped,        //!< not monitoring (paused, or not started)
    Connecting,     //!< TCP / TLS / WebSocket handshake, with its own timeout
    AwaitingHello,  //!< socket open, no HELLO yet
    Identifying,    //!< IDENTIFY sent (or waiting for the identify gate), waiting for READY
    Resuming,       //!< RESUME sent, replaying, waiting for RESUMED
    Ready,          //!< READY or RESUMED received, heartbeats acknowledged
    Degraded,       //!< still open, but an ACK is overdue or latency is over its threshold
    Reconnecting,   //!< closed; waiting out a backoff before the next attempt
    Failed,         //!< stopped for a reason a person must fix
};
Q_ENUM_NS(ConnectionState)

//! "ready", "awaiting_hello", … (docs/architecture.md spelling).
QString stateName(ConnectionState state);
//! "Ready", "Awaiting HELLO", … (for people).
QString stateDisplayName(ConnectionState state);
//! Parses stateName() output; std::nullopt for anything else.
std::optional<ConnectionState> stateFromName(QStringView name);

//! How a reconnect should re-establish the session.
enum class ReconnectMode {
    Resume,         //!< op 6 on resume_gateway_url, if a session exists (otherwise identify)
    FreshIdentify,  //!< drop session_id, seq and resume URL; op 2 on the cached gateway URL
};
Q_ENUM_NS(ReconnectMode)
QString reconnectModeName(ReconnectMode mode); // "resume" | "identify"

//! Transport compression of the gateway stream (docs/protocol.md, transport compression): the
//! `compress=` URL query. Binary messages are one zlib or zstd stream per connection.
enum class Compression {
    None,        //!< plain JSON text frames; no `compress=` in the URL
    ZlibStream,  //!< `compress=zlib-stream`: one inflate context, 00 00 ff ff per message
    ZstdStream,  //!< `compress=zstd-stream`: one zstd frame stream, flushed per message
};
Q_ENUM_NS(Compression)
//! "none" | "zlib-stream" | "zstd-stream": the URL value (without "none"), the headless config
//! key and the settings file use this spelling.
QString compressionName(Compression compression);
//! Parses compressionName() output; std::nullopt for anything else.
std::optional<Compression> compressionFromName(QStringView name);

//! Who ended a socket.
enum class CloseInitiator {
    Server,     //!< a close frame from the gateway
    Client,     //!< we closed it (zombie, op 7, user action, stall, stop)
    Transport,  //!< TCP dropped / TLS failed / handshake timed out, no close frame (1006)
};
Q_ENUM_NS(CloseInitiator)
QString closeInitiatorName(CloseInitiator initiator); // "server" | "client" | "transport"

//! What the close-code table says to do after a close (docs/protocol.md, close codes).
enum class CloseAction {
    Resume,      //!< reconnect and RESUME
    NewSession,  //!< reconnect and IDENTIFY (the session is gone)
    Fatal,       //!< stop: a person must fix something
};
Q_ENUM_NS(CloseAction)
QString closeActionName(CloseAction action); // "resume" | "new_session" | "fatal"

//! Why a socket ended, in the user's words: who closed it and why. closeCauseName() gives the
//! snake_case spelling of JSON Lines (`close.cause`), the store and metrics.
enum class CloseCause {
    Server,            //!< a close frame from the gateway ("server"): the code's meaning applies
    Op7,               //!< we closed after the gateway asked to reconnect ("op7")
    Zombie,            //!< we closed: heartbeat not acknowledged ("zombie")
    UserResume,        //!< we closed: the user asked for a reconnect ("user_resume")
    UserIdentify,      //!< we closed: the user asked for a fresh IDENTIFY ("user_identify")
    InvalidSession,    //!< we closed after op 9 ("invalid_session")
    HelloTimeout,      //!< we closed: no HELLO in time ("hello_timeout")
    HandshakeTimeout,  //!< the WebSocket handshake did not complete in time ("handshake_timeout")
    Oversized,         //!< a message over the 16 MiB limit, ours or the peer's 1009 ("oversized")
    Protocol,          //!< we closed: undecodable stream, e.g. an inflate error ("protocol")
    Transport,         //!< dropped without a close frame: 1006, TCP reset, TLS error ("transport")
    Stopped,           //!< monitoring stopped: pause, remove, quit ("stopped")
    IdentifyBudget,    //!< we closed: no IDENTIFY allowed until the daily budget resets ("identify_budget")
};
Q_ENUM_NS(CloseCause)
QString closeCauseName(CloseCause cause);
//! Parses closeCauseName() output; std::nullopt for anything else.
std::optional<CloseCause> closeCauseFromName(QStringView name);

//! One socket's end, reported exactly once per socket by GatewayClient::socketClosed.
struct CloseInfo
{
    std::optional<int> code;        //!< WebSocket close code; nullopt when no close frame arrived
    QString reason;                 //!< close reason from the frame, or a transport error text
    CloseInitiator initiator = CloseInitiator::Transport;
    CloseAction action = CloseAction::Resume;  //!< what the client will do next
    bool wasReady = false;          //!< the socket had reached READY/RESUMED
    QDateTime at;                   //!< when the close was observed (UTC)
    CloseCause cause = CloseCause::Transport;
    bool sessionKept = false;       //!< the session stays resumable after this close
    //! The socket's session (wasReady) ended before GatewayTimings::stableAfter: the backoff
    //! counts it as a failure (docs/lifecycle.md, "Backoff, flapping, jitter").
    bool shortLived = false;
};

//! What a RESUME recovered (GatewayClient::resumed). RESUMED is itself a dispatch with a
//! sequence number S, so the events the gateway sent while we were away are S − 1 − R, with R
//! the sequence sent in op 6; those it did not replay (its replay buffer is finite) are lost.
struct ResumeOutcome
{
    int replayed = 0;               //!< dispatches received between op 6 and RESUMED
    qint64 sequenceBefore = -1;     //!< R: the sequence sent in op 6
    qint64 sequenceAfter = -1;      //!< S: RESUMED's own sequence (-1 when it carried none)
    qint64 missed = -1;             //!< S − 1 − R; -1 when unknown (RESUMED without a sequence)
    qint64 lost = 0;                //!< missed − replayed (never negative); gaps in the replay when missed is unknown
};

//! The part of READY the monitor keeps.
struct SessionInfo
{
    QString sessionId;
    QUrl resumeGatewayUrl;          //!< bare URL as READY gave it (query is added on use)
    QString userId;
    QString userName;               //!< "name#discriminator" or "name"
    int shardId = 0;
    int shardCount = 1;
    int guildCount = 0;             //!< number of (unavailable) guilds in READY
};

//! `session_start_limit` from GET /gateway/bot.
struct SessionStartLimit
{
    int total = 0;
    int remaining = 0;
    std::chrono::milliseconds resetAfter{0};
    int maxConcurrency = 1;
    QDateTime fetchedAt;            //!< when it was read (UTC); resetAt() = fetchedAt + resetAfter
    //! When the request was sent (UTC; invalid when unknown): IDENTIFYs granted after it may be
    //! missing from `remaining` (IdentifyGate::updateLimit).
    QDateTime requestedAt;
    [[nodiscard]] QDateTime resetAt() const { return fetchedAt.addMSecs(resetAfter.count()); }
};

//! GET /gateway/bot.
struct GatewayBotInfo
{
    QUrl url;                       //!< bare gateway URL, e.g. wss://gateway.discord.gg
    int shards = 1;                 //!< recommended shard count
    SessionStartLimit limit;
};

//! GET /users/@me, the part the monitor shows.
struct BotUser
{
    QString id;
    QString userName;
    QString discriminator;
    bool bot = true;
};

//! Errors are values, never exceptions. `kind` says what happened; `closeCode` is set for
//! close-related kinds; `message` is a human sentence, already redacted of any token.
struct GatewayError
{
    Q_GADGET
public:
    enum class Kind {
        None,
        Transport,                 //!< socket error (refused, reset, TLS, …): transient
        Protocol,                  //!< malformed / unexpected payload: counted, transient
        HandshakeTimeout,          //!< WebSocket handshake did not complete in time: transient
        HelloTimeout,              //!< no HELLO in time after open: transient
        FatalClose,                //!< 4004, 4010–4014: terminal
        ReconnectBudgetExhausted,  //!< too many consecutive failed attempts: terminal
        IdentifyRefused,           //!< session_start_limit.remaining below the floor: terminal
        Rest,                      //!< GET /gateway/bot failed (non-401): transient
        Unauthorized,              //!< GET /gateway/bot answered 401: terminal
        BadRequest,                //!< GET /gateway/bot answered 400: the request is wrong
                                   //!< (token text, API base); retrying cannot help: terminal
        ReadyTimeout,              //!< supervisor: READY guard exhausted: terminal
        WatchdogTimeout,           //!< supervisor: reconnect stall watchdog fired: terminal
    };
    Q_ENUM(Kind)

    Kind kind = Kind::None;
    std::optional<int> closeCode;
    QString message;

    [[nodiscard]] bool isTerminal() const;
    [[nodiscard]] bool isNone() const { return kind == Kind::None; }
};
QString errorKindName(GatewayError::Kind kind); // snake_case

//! Latency and traffic figures of one client, read by the supervisor and the UI.
struct GatewayStats
{
    std::optional<std::chrono::milliseconds> lastLatency;   //!< "—" in the UI when empty
    std::optional<std::chrono::milliseconds> meanLatency;   //!< over the recent window
    std::optional<std::chrono::milliseconds> p95Latency;    //!< over the recent window
    std::chrono::milliseconds heartbeatInterval{0};
    QDateTime lastInboundAt;        //!< last frame of any kind (derived from the stamp below when read)
    qint64 lastInboundSteadyNs = -1; //!< steady-clock stamp of that frame, set per frame (no wall clock per message)
    QDateTime lastAckAt;
    int missedAcks = 0;             //!< ticks in a row that found the beat un-ACKed (zombie at 3, or at 1 when silent)
    qint64 lastSequence = -1;       //!< -1 = null
    quint64 heartbeatsSent = 0;
    quint64 acksReceived = 0;
    quint64 dispatches = 0;
    quint64 identifies = 0;         //!< op 2 sent by this client
    quint64 resumes = 0;            //!< op 6 sent
    quint64 resumedOk = 0;          //!< RESUMED received
    quint64 reconnects = 0;
    quint64 zombies = 0;
    quint64 malformedPayloads = 0;  //!< JSON errors, wrong types
    quint64 unknownOpcodes = 0;
    quint64 oversizedMessages = 0;  //!< messages over maxIncomingMessageSize (wire or inflated)
    quint64 inflateErrors = 0;      //!< zlib-stream failures (corrupt data, decompression bomb)
    quint64 replayedDispatches = 0; //!< dispatches between op 6 and RESUMED, summed over resumes
    quint64 liveDispatches = 0;     //!< dispatches outside a replay (dispatches = live + replayed)
    quint64 duplicateDispatches = 0;//!< dispatches whose sequence was not above the last one
    quint64 eventsLost = 0;         //!< known lost events: live gaps + replay shortfalls
    quint64 unknownGaps = 0;        //!< sessions replaced by a fresh IDENTIFY (loss of unknown size)
    //! Wall clock of the last dispatch (UTC); invalid before one. This and dispatchesLastMinute
    //! are brought up to date by GatewayClient::stats() (the dispatch path only counts).
    QDateTime lastDispatchAt;
    int dispatchesLastMinute = 0;   //!< dispatches received in the last 60 s (per-second ring)
    QString degradedReason;         //!< why the state is Degraded ("heartbeat ACK late, data still flowing"); empty otherwise
    quint64 bytesReceivedWire = 0;  //!< before inflation
    quint64 bytesReceivedInflated = 0;
    quint64 bytesSent = 0;
    quint64 sendsDropped = 0;       //!< non-heartbeat sends refused by the 115/60 s budget
    //! op 1 not answered: a beat is un-ACKed and one went out less than interval/4 ago.
    quint64 extraHeartbeatRequests = 0;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::CloseInfo)
Q_DECLARE_METATYPE(gw::ResumeOutcome)
Q_DECLARE_METATYPE(gw::SessionInfo)
Q_DECLARE_METATYPE(gw::GatewayBotInfo)
Q_DECLARE_METATYPE(gw::SessionStartLimit)
Q_DECLARE_METATYPE(gw::GatewayError)
Q_DECLARE_METATYPE(gw::GatewayStats)
