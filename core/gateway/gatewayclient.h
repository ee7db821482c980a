#pragma once

#include "gatewaytimings.h"
#include "gatewaytypes.h"
#include "restratelimiter.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace gw {

class IdentifyGate;

//! Configuration of one gateway session. The token lives here, in memory only; it is never
//! logged, never put in a signal argument, and never written anywhere by the client.
struct GatewayClientConfig
{
    QString token;                                   //!< without a "Bot " prefix
    quint32 intents = 1;                             //!< GUILDS by default (docs/protocol.md, intents)
    QUrl apiBase{QStringLiteral("https://discord.com/api/v10")};
    QUrl gatewayUrlOverride;                         //!< empty: use GET /gateway/bot's url
    Compression compression = Compression::ZlibStream;  //!< transport compression (the compress= query)
    //! [shard_id, num_shards]; nullopt → [0, shards recommended by /gateway/bot].
    std::optional<std::pair<int, int>> shard;
    int largeThreshold = 50;
    QString osName = QStringLiteral("linux");
    QString browser = QStringLiteral("gatewatch");
    QString device = QStringLiteral("gatewatch");
    GatewayTimings timings;
    qint64 maxIncomingMessageSize = 16 * 1024 * 1024;  //!< bytes, after reassembly (and inflated)
    qint64 maxIncomingFrameSize = 16 * 1024 * 1024;
};

//! Resume state that may be persisted across restarts (docs/protocol.md, resuming): never the token.
struct ResumeState
{
    QString sessionId;
    QUrl resumeGatewayUrl;
    qint64 sequence = -1;
    QDateTime savedAt;
    [[nodiscard]] bool isValid() const { return !sessionId.isEmpty() && sequence >= 0; }
};

//! One account's Discord Gateway v10 session over QWebSocket (docs/protocol.md; the parts are
//! described in gatewayclient_p.h).
//!
//! Lifecycle: nothing happens until start(). start() fetches GET /gateway/bot (always, for
//! session_start_limit and the recommended shard count; with gatewayUrlOverride set the override
//! is used as the URL and a failed fetch other than 401 does not stop the connect; 401 → Failed
//! with Unauthorized), connects, and from then on the client
//! owns the reconnect policy: resumable closes resume at once and then back off exponentially
//! with jitter; NewSession closes and op 9 d:false identify through the IdentifyGate; fatal
//! closes and an exhausted budget end in state Failed with errorOccurred(terminal error).
//! stop() is terminal and silent: no further signal is emitted after it returns.
//!
//! Signal order per socket: socketOpened → helloReceived → (identifySent | resumeSent) →
//! (ready | resumed) → heartbeatAcked* → socketClosed (exactly once per opened *or attempted*
//! socket) → reconnectScheduled → … `state()` is updated before every signal.
//!
//! Details the supervisor and the UI can rely on:
//! - Our own closes (zombie, op 7, op 9, HELLO timeout, inflate error, reconnect()) use 4000, so
//!   the session stays resumable; CloseInfo::initiator is Client. stop() alone closes with 1000
//!   (suspend() is stop() with 4000).
//! - A connect or handshake to READY's resume_gateway_url that fails (refused, timeout, TLS,
//!   HTTP error) drops that URL but keeps the session: the next RESUME goes to the gateway URL.
//!   Every CloseInfo carries its CloseCause and whether the session was kept (closeSummary()
//!   and closeSeverity() in closecode.h word and grade it).
//! - A transient error of an attempt (Transport, HandshakeTimeout, HelloTimeout, Protocol) is
//!   emitted after that socket's socketClosed; a terminal one (FatalClose, Unauthorized,
//!   IdentifyRefused, ReconnectBudgetExhausted) is the last signal, with state() == Failed.
//! - Backoff (ReconnectSchedule): at level 0 the wait is uniform in [0, backoffBase]; at level
//!   n it is uniform in [c/2, c] with c = min(backoffMax, backoffBase × 2^(n−1)) ("equal
//!   jitter": a floor of c/2, never a tight loop); every wait is kept at least 1 ms from every
//!   other client's pending attempt. The level rises with each failed attempt (one that did
//!   not reach READY/RESUMED) and each session that died before `stableAfter`; it returns to 0
//!   only when a session stays ready that long (sessionStable). op 9 d:false waits at least a
//!   random invalidSessionDelayMin..Max. A refused IDENTIFY (budget below the floor) waits for
//!   the budget's reset (identifyBudgetWait) instead of failing.
//! - Degraded (GatewayStats::degradedReason says why): Ready, but the ACK of the current beat is later than
//!   max(latencyWarning, interval/4), or a tick found it un-ACKed while data still arrived, or
//!   the last latency exceeded latencyWarning; back to Ready on a timely ACK.
//! - Zombie (docs/protocol.md, heartbeats): a tick finds the beat un-ACKed and nothing at all
//!   arrived since it went out, or three ticks in a row find it un-ACKed.
//! - Sequence integrity (docs/protocol.md): sequenceGap for a live jump, resumed() with the
//!   replay's shortfall, sessionReplaced() before ready() when a fresh IDENTIFY replaced a
//!   session; the counters are in GatewayStats.
class GatewayClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GatewayClient)
    Q_PROPERTY(gw::ConnectionState state READ state NOTIFY stateChanged)

public:
    //! `gate` is shared by every client of one application (bot); nullptr → a private gate.
    //! `nam` is shared too; nullptr → a private one.
    explicit GatewayClient(GatewayClientConfig config, IdentifyGate *gate = nullptr,
                           QNetworkAccessManager *nam = nullptr, QObject *parent = nullptr);
    ~GatewayClient() override;

    [[nodiscard]] ConnectionState state() const;
    //! The figures; lastDispatchAt and dispatchesLastMinute are brought up to date by this call.
    //! `degradedReason` says why state() is Degraded ("heartbeat ACK late, data still flowing",
    //! "heartbeat ACK late", "latency over 1 s"; empty in every other state): set before
    //! stateChanged(Degraded); a change while Degraded is followed by statsChanged().
    [[nodiscard]] const GatewayStats &stats() const;
    //! From READY; after a RESUME of a seeded ResumeState only sessionId and resumeGatewayUrl
    //! are known. nullopt before that and after the session was dropped (op 9 d:false, 4003/4007/4009).
    [[nodiscard]] std::optional<SessionInfo> session() const;
    [[nodiscard]] std::optional<GatewayBotInfo> gatewayInfo() const;
    [[nodiscard]] ResumeState resumeState() const;
    [[nodiscard]] const GatewayClientConfig &config() const;
    //! Consecutive failed attempts since the last READY/RESUMED.
    [[nodiscard]] int consecutiveFailures() const;
    //! The backoff exponent: failed attempts and sessions shorter than `stableAfter` since the
    //! last stable session (docs/lifecycle.md, "Backoff, flapping, jitter").
    [[nodiscard]] int backoffLevel() const;
    //! IDENTIFYs granted by this client's IdentifyGate (every client of the bot) in the last 24 h.
    [[nodiscard]] int identifiesInLast24h() const;
    //! When the pending reconnect will run; invalid when none is pending.
    [[nodiscard]] QDateTime nextAttemptAt() const;

    //! Seed a session to RESUME on the first connect (a restart within minutes resumes instead of
    //! identifying again).
    void setResumeState(const ResumeState &state);

    //! Test seam (tests/fuzz/fuzz_client.cpp, the gateway tests and benchmark): feed one
    //! WebSocket message as if it had arrived on the current socket (binary → the zlib-/zstd-stream path
    //! when compression is on). Malformed input is counted in stats() (malformedPayloads,
    //! unknownOpcodes, inflateErrors, oversizedMessages), never fatal. From the first injected
    //! message on, what the client sends counts as sent even while the socket is not open.
    void injectMessageForTest(const QByteArray &message, bool binary);

public Q_SLOTS:
    //! Begin: fetch gateway info if needed, then connect. Idempotent while running.
    void start();
    //! Terminal and silent (docs/lifecycle.md): closes with 1000, cancels every timer, no signals —
    //! not even stateChanged: state() reads Stopped when it returns. start() may be called again.
    void stop();
    //! Like stop() (terminal, silent, start() may follow), but closes with 4000 instead of 1000,
    //! so Discord keeps the session and resumeState() still describes it: a quit or SIGTERM, after
    //! which the next start RESUMEs (docs/lifecycle.md, "Clean restarts").
    void suspend();
    //! Close the current socket (non-1000, so the session stays resumable) and reconnect at
    //! once. FreshIdentify drops session_id, seq and resume URL first and really sends op 2.
    void reconnect(gw::ReconnectMode mode);

Q_SIGNALS:
    void stateChanged(gw::ConnectionState state);
    //! GET /gateway/bot answered; limit figures changed.
    void gatewayInfoReceived(const gw::GatewayBotInfo &info);
    void connecting(const QUrl &url, gw::ReconnectMode mode);
    void socketOpened();
    void helloReceived(std::chrono::milliseconds heartbeatInterval);
    //! The IDENTIFY waits in the IdentifyGate's queue for its bucket (`shard_id % max_concurrency`);
    //! identifySent() follows when it is granted and really sent (docs/lifecycle.md, identify buckets).
    void identifyQueued(int shardId);
    void identifySent(int shardId, int shardCount);
    void resumeSent(const QString &sessionId, qint64 sequence);
    void ready(const gw::SessionInfo &session);
    //! RESUMED: what the replay brought and what it could not (ResumeOutcome in gatewaytypes.h).
    void resumed(const gw::ResumeOutcome &outcome);
    //! READY of a fresh IDENTIFY that replaced a session with a sequence (op 9 d:false,
    //! 4003/4006/4007/4009, FreshIdentify, a failed RESUME): emitted just before ready(); events
    //! between `gapFrom` (the old session's last dispatch) and `gapTo` (READY) were not delivered.
    void sessionReplaced(const QDateTime &gapFrom, const QDateTime &gapTo);
    //! A live dispatch whose s jumped past last + 1: got − expected events are lost (emitted
    //! before its dispatchReceived). Gaps inside a replay are reported by resumed() instead.
    void sequenceGap(qint64 expected, qint64 got);
    void dispatchReceived(const QByteArray &eventName, qint64 sequence);
    void heartbeatSent(qint64 sequence, bool requested);
    void heartbeatAcked(std::chrono::milliseconds latency);
    void heartbeatRequested();                   //!< op 1 from the server
    void zombieDetected();                       //!< un-ACKed and silent, or un-ACKed for 3 ticks
    void reconnectRequested();                   //!< op 7
    void invalidSession(bool resumable);         //!< op 9
    void socketClosed(const gw::CloseInfo &info);
    void reconnectScheduled(int attempt, std::chrono::milliseconds delay, gw::ReconnectMode mode);
    //! GET /gateway/bot waits on a REST rate limit (DiscordRest::rateLimited).
    void restRateLimited(const gw::RestRateLimitWait &wait);
    //! The session of the current socket has stayed READY/RESUMED for `stableAfter`: the
    //! backoff starts again from zero.
    void sessionStable();
    //! No IDENTIFY is allowed (the daily budget is below the floor): the client waits until
    //! `until` (session_start_limit's reset), then reads GET /gateway/bot again and identifies.
    //! `reason` is the IdentifyRefused error; state() is Reconnecting meanwhile. Emitted before
    //! the socket (if any) is closed and the wait is scheduled.
    void identifyBudgetWait(const gw::GatewayError &reason, const QDateTime &until);
    //! Transient (counted, logged, the client carries on) or terminal (state is Failed).
    void errorOccurred(const gw::GatewayError &error);
    //! Throttled view of stats() for the UI (latency, counters); at most once per ACK/close.
    void statsChanged();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
