#pragma once

#include "discordrest.h"
#include "dispatchledger_p.h"
#include "gatewayclient.h"
#include "gatewaysession_p.h"
#include "gatewaytransport_p.h"
#include "heartbeat_p.h"
#include "identifygate.h"
#include "ratelimitedwarning_p.h"
#include "reconnectschedule_p.h"

#include <QTimer>

#include <optional>

namespace gw {

//! The inside of GatewayClient. It owns the parts and is the only one that emits the client's
//! signals; each part is its own class:
//! - GatewayTransport: the socket, handshake timeout, frames in and out;
//! - Heartbeat: interval, jitter, ACK deadline, zombie verdicts, latency figures;
//! - SessionState: session_id, resume URL and sequence, across sockets and runs;
//! - DispatchLedger: live/replayed counts, gaps, replay shortfalls, replaced sessions;
//! - ReconnectSchedule: failure count, budget, backoff, the reconnect timer.
//! Private itself runs the attempt (gatewayclient_run.cpp: GET /gateway/bot, connect, the
//! close-code table, reconnect or fail) and answers the gateway (gatewayclient_session.cpp:
//! HELLO, IDENTIFY/RESUME, READY/RESUMED, dispatches, heartbeats, op 1/7/9).
class GatewayClient::Private final : public GatewayTransport::Events
{
public:
    //! What closed() should do besides the close-code table.
    struct CloseOptions
    {
        std::optional<CloseAction> forcedAction;          //!< our own closes decide the action
        std::optional<std::chrono::milliseconds> minDelay; //!< op 9 d:false: the random 1–5 s
        std::optional<GatewayError> transientError;       //!< emitted after socketClosed
        bool countFailure = true;                          //!< user reconnects do not count
        bool immediate = false;                            //!< user reconnects skip backoff
    };

    //! How far the current socket got with the session; reset for every connection.
    struct Attempt
    {
        ReconnectMode mode = ReconnectMode::Resume;
        bool helloSeen = false;
        bool wasReady = false;
        bool resuming = false;         //!< op 6 sent, RESUMED not yet seen (the ledger counts the replay)
        bool viaResumeUrl = false;     //!< connecting to READY's resume_gateway_url, not the gateway URL
        bool opened = false;           //!< the WebSocket handshake completed
        std::optional<IdentifyGate::Ticket> ticket;
    };

    //! A signal's receivers may stop, restart or reconnect the client. Take a mark before the
    //! first signal of a step (setState() included), and after each signal carry on only while
    //! current(mark): the same run and the same socket as at the mark. (A mark taken while the
    //! client is not running, which only the test seam does, stays current until start().)
    struct Mark
    {
        quint64 run;
        quint64 socket;
    };
    [[nodiscard]] Mark mark() const { return {runGeneration, transport.generation()}; }
    [[nodiscard]] bool current(Mark m) const
    {
        return m.run == runGeneration && m.socket == transport.generation();
    }

    Private(GatewayClient *client, GatewayClientConfig cfg, IdentifyGate *sharedGate, QNetworkAccessManager *nam);
    //! Silent teardown: no timer fires, no socket signal reaches us, no signal of ours is emitted.
    ~Private() override;
    Q_DISABLE_COPY_MOVE(Private)

    void setState(ConnectionState s);
    //! Ready/Degraded → Degraded with `reason` (statsChanged when only the reason changed).
    void setDegraded(const QString &reason);
    //! Drop the session; a session that had a sequence is remembered for sessionReplaced.
    void dropSession();

    // --- the run (gatewayclient_run.cpp) ----------------------------------------------------
    void start();
    //! Terminal and silent; `closeCode` 1000 ends the session, OwnCloseCode keeps it resumable.
    void stop(int closeCode);
    void reconnect(ReconnectMode mode);
    void beginAttempt();
    void fetchGatewayInfo();
    void gatewayInfoFetched(const Expected<GatewayBotInfo, RestError> &result, Mark m);
    void connectSocket(ReconnectMode mode);
    [[nodiscard]] QUrl withQuery(QUrl base) const;
    void scheduleReconnect(ReconnectMode mode, std::optional<std::chrono::milliseconds> minDelay, bool immediate);
    bool budgetExhausted();
    //! No run any more: timers, pending attempt and identify ticket cancelled (no signal).
    void endRun();
    void stopConnectionTimers();
    void cancelTicket();
    void terminate(const GatewayError &error);
    //! IDENTIFY refused for the daily budget: wait until it resets, then try again.
    void waitForIdentifyBudget(const GatewayError &error);
    [[nodiscard]] CloseInfo closeInfo(std::optional<int> code, const QString &reason, CloseInitiator initiator,
                                      CloseAction action, CloseCause cause) const;
    void closed(const SocketEnd &end, const CloseOptions &opts);
    //! A connect or handshake to the resume host failed: RESUME via the gateway URL next.
    void abandonResumeHost(const SocketEnd &end);
    void failOnFatalClose(const CloseInfo &info);
    void closeOwn(CloseCause cause, const QString &reason, const CloseOptions &opts);

    // GatewayTransport::Events
    void socketOpened() override;
    void payloadReceived(const GatewayPayload &p) override;
    void socketEnded(const SocketEnd &end) override;

    // --- the session (gatewayclient_session.cpp) ---------------------------------------------
    void handleHelloTimeout();
    void handleHello(const GatewayPayload &p);
    void sendResume();
    [[nodiscard]] std::pair<int, int> shard() const;
    void requestIdentify();
    void sendIdentify(int shardId, int shardCount);
    void handleDispatch(const GatewayPayload &p);
    //! Count one dispatch and place its s; false when a signal's receiver ended the step.
    bool accountDispatch(const GatewayPayload &p, bool isResumed);
    void handleReady(const GatewayPayload &p);
    void handleResumed(std::optional<qint64> resumedSeq);
    void handleReconnectOp();
    void handleInvalidSession(const GatewayPayload &p);
    void handleHeartbeatTick();
    void sendHeartbeat(bool requested);
    void handleHeartbeatRequest();
    void handleAck();
    void handleAckOverdue();

    GatewayClient *const q;
    const GatewayClientConfig config;
    IdentifyGate *const gate;
    DiscordRest *const rest;

    ConnectionState state = ConnectionState::Stopped;
    GatewayStats stats;
    qint64 inboundStampShown = -1;  //!< stats.lastInboundSteadyNs as of the last stats() read
    RateLimitedWarning warnings;
    SessionState session{stats};
    DispatchLedger ledger{stats};

    std::optional<GatewayBotInfo> gatewayInfo;
    QUrl gatewayUrl;                 //!< bare, cached (docs/protocol.md, connecting)
    bool fetchInFlight = false;
    bool fetchAttempted = false;

    bool running = false;
    quint64 runGeneration = 0;
    quint64 connects = 0;
    ReconnectMode nextMode = ReconnectMode::Resume;
    Attempt attempt;
    QTimer helloTimer;               //!< socket open → HELLO

    GatewayTransport transport;
    Heartbeat heartbeat;
    ReconnectSchedule retry;
};

} // namespace gw
