#include "gatewayclient.h"

#include "closecode.h"
#include "discordrest.h"
#include "gatewaypayload.h"
#include "identifygate.h"
#include "logging.h"
#include "sendlimiter.h"
#include "zlibinflater.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <cmath>
#include <deque>

using namespace std::chrono_literals;

namespace gw {

namespace {
//! Our own closes use 4000: non-1000/1001 keeps the session resumable (protocol.md A7, D3).
constexpr int OwnCloseCode = 4000;
//! How many ACK latencies feed mean/p95 (twilight keeps 5, Carbon 10; seed §5 row 10 asks ≥ 10).
constexpr std::size_t LatencyWindow = 20;
//! A detached socket gets this long to finish its close handshake before it is aborted.
constexpr auto DetachedSocketGrace = 1s;
//! Malformed-input warnings are rate limited to one per interval (the rest are counted).
constexpr qint64 WarningIntervalMs = 1000;
//! After this many consecutive failures the gateway URL is fetched again (protocol.md A1).
constexpr int RefetchAfterFailures = 3;

QString redactedUrl(const QUrl &url)
{
    return url.toString(QUrl::RemoveUserInfo);
}
} // namespace

class GatewayClient::Private
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

    //! Per-socket state; reset for every connection.
    struct Connection
    {
        ReconnectMode mode = ReconnectMode::Resume;
        QUrl url;
        bool opened = false;
        bool helloSeen = false;
        bool wasReady = false;
        bool closeFrameSeen = false;   //!< aboutToClose fired without us closing: a close frame
        bool resuming = false;         //!< op 6 sent, RESUMED not yet seen
        int replayed = 0;
        qint64 seqBefore = -1;
        std::optional<IdentifyGate::Ticket> ticket;
        bool awaitingAck = false;
        qint64 beatSentNs = 0;
        std::chrono::milliseconds interval{0};
        QString lastTransportError;
    };

    GatewayClient *q = nullptr;
    GatewayClientConfig config;
    IdentifyGate *gate = nullptr;
    DiscordRest *rest = nullptr;

    ConnectionState state = ConnectionState::Stopped;
    GatewayStats stats;
    std::optional<GatewayBotInfo> gatewayInfo;
    QUrl gatewayUrl;                 //!< bare, cached (protocol.md A1)
    bool fetchInFlight = false;
    bool fetchAttempted = false;

    QString sessionId;
    QUrl resumeUrl;                  //!< bare, from READY; kept across resumes (A6)
    qint64 sequence = -1;
    std::optional<SessionInfo> session;

    bool running = false;
    quint64 runGeneration = 0;
    int failures = 0;
    quint64 connects = 0;
    ReconnectMode nextMode = ReconnectMode::Resume;
    QDateTime nextAttemptAt;

    QWebSocket *socket = nullptr;
    quint64 socketGeneration = 0;
    Connection conn;

    ZlibInflater inflater;
    SendLimiter limiter;
    std::deque<qint64> latencies;    //!< ms, newest last
    QElapsedTimer mono;
    QElapsedTimer lastWarning;
    quint64 suppressedWarnings = 0;

    QTimer handshakeTimer;   //!< TCP/TLS/WS handshake (QWebSocket has none)
    QTimer helloTimer;       //!< socket open → HELLO
    QTimer heartbeatTimer;   //!< next beat (first one jittered)
    QTimer ackOverdueTimer;  //!< ACK late → Degraded
    QTimer reconnectTimer;   //!< backoff before the next attempt

    // ---------------------------------------------------------------------------------------
    [[nodiscard]] bool sessionValid() const { return !sessionId.isEmpty() && sequence >= 0; }

    //! True while the run that captured `gen` is still the current one (a slot may have called
    //! stop() or start() from inside one of our signals).
    [[nodiscard]] bool alive(quint64 gen) const { return running && gen == runGeneration; }
    //! A signal's receivers may stop or reconnect the client: take a mark before emitting, and
    //! carry on only while the same run and the same socket are still current.
    struct Mark { quint64 run; quint64 socket; };
    [[nodiscard]] Mark mark() const { return {runGeneration, socketGeneration}; }
    [[nodiscard]] bool current(Mark m) const { return alive(m.run) && m.socket == socketGeneration; }

    void setState(ConnectionState s)
    {
        if (state == s)
            return;
        qCInfo(lcGateway).noquote() << "state" << stateName(state) << "->" << stateName(s);
        state = s;
        Q_EMIT q->stateChanged(s);
    }

    void warnRateLimited(const QString &what)
    {
        if (!lastWarning.isValid() || lastWarning.elapsed() >= WarningIntervalMs) {
            if (suppressedWarnings > 0)
                qCWarning(lcGateway).noquote() << what << QStringLiteral("(%1 similar suppressed)").arg(suppressedWarnings);
            else
                qCWarning(lcGateway).noquote() << what;
            lastWarning.restart();
            suppressedWarnings = 0;
        } else {
            ++suppressedWarnings;
        }
    }

    void dropSession()
    {
        sessionId.clear();
        resumeUrl.clear();
        sequence = -1;
        stats.lastSequence = -1;
        session.reset();
    }

    QUrl withQuery(QUrl base) const
    {
        if (base.path().isEmpty())
            base.setPath(QStringLiteral("/"));
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("v"), QStringLiteral("10"));
        query.addQueryItem(QStringLiteral("encoding"), QStringLiteral("json"));
        if (config.compress)
            query.addQueryItem(QStringLiteral("compress"), QStringLiteral("zlib-stream"));
        base.setQuery(query);
        return base;
    }

    std::chrono::milliseconds backoffDelay(int failed) const
    {
        if (failed <= 0)
            return 0ms;  // first attempt at once
        // Exponential with "equal jitter": uniform in [ceiling/2, ceiling]. Full jitter may pick
        // ~0 ms, which is the tight loop protocol.md C2 warns about; half the ceiling is a floor.
        const double base = double(config.timings.backoffBase.count());
        const double cap = double(config.timings.backoffMax.count());
        const double ceiling = std::min(cap, base * std::pow(2.0, double(std::min(failed - 1, 30))));
        const double delay = ceiling / 2.0 + QRandomGenerator::global()->generateDouble() * ceiling / 2.0;
        return std::chrono::milliseconds(std::max<qint64>(1, qint64(delay)));
    }

    std::chrono::milliseconds invalidSessionDelay() const
    {
        const qint64 lo = config.timings.invalidSessionDelayMin.count();
        const qint64 hi = std::max(lo, qint64(config.timings.invalidSessionDelayMax.count()));
        return std::chrono::milliseconds(lo + qint64(QRandomGenerator::global()->generateDouble() * double(hi - lo)));
    }

    void stopConnectionTimers()
    {
        handshakeTimer.stop();
        helloTimer.stop();
        heartbeatTimer.stop();
        ackOverdueTimer.stop();
    }

    void cancelTicket()
    {
        if (conn.ticket) {
            gate->cancel(*conn.ticket);
            conn.ticket.reset();
        }
    }

    //! Forget the current socket: no signal of it reaches us again. A connected socket is closed
    //! with `closeCode` (the close frame goes out) and deleted when done or after a grace period.
    void detachSocket(std::optional<int> closeCode, const QString &reason = {})
    {
        if (!socket)
            return;
        QWebSocket *ws = socket;
        socket = nullptr;
        ++socketGeneration;
        QObject::disconnect(ws, nullptr, q, nullptr);
        if (closeCode && ws->state() == QAbstractSocket::ConnectedState) {
            QObject::connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
            ws->close(QWebSocketProtocol::CloseCode(*closeCode), reason);
            QTimer::singleShot(DetachedSocketGrace, ws, [ws] {
                ws->abort();
                ws->deleteLater();
            });
        } else {
            ws->abort();
            ws->deleteLater();
        }
    }

    // --- run control ------------------------------------------------------------------------
    void beginAttempt()
    {
        nextAttemptAt = QDateTime();
        // GET /gateway/bot once per start() (fresh session_start_limit), again whenever no URL
        // is known, and again after repeated failures (the cached URL may be dead, A1).
        const bool needFetch = !fetchAttempted || gatewayUrl.isEmpty();
        if (needFetch) {
            fetchGatewayInfo();
            return;
        }
        connectSocket(nextMode);
    }

    void fetchGatewayInfo()
    {
        if (fetchInFlight)
            return;
        fetchInFlight = true;
        setState(ConnectionState::Connecting);
        const quint64 gen = runGeneration;
        rest->fetchGatewayBot(config.token, q, [this, gen](Expected<GatewayBotInfo, RestError> r) {
            if (!alive(gen))
                return;
            fetchInFlight = false;
            fetchAttempted = true;
            if (r) {
                gatewayInfo = r.value();
                gate->updateLimit(gatewayInfo->limit);
                gatewayUrl = config.gatewayUrlOverride.isEmpty() ? gatewayInfo->url : config.gatewayUrlOverride;
                qCInfo(lcRest).noquote() << "gateway" << redactedUrl(gatewayInfo->url) << "shards" << gatewayInfo->shards
                                         << "session starts" << gatewayInfo->limit.remaining << "/" << gatewayInfo->limit.total
                                         << "max_concurrency" << gatewayInfo->limit.maxConcurrency;
                Q_EMIT q->gatewayInfoReceived(*gatewayInfo);
                if (!alive(gen))
                    return;
                connectSocket(nextMode);
                return;
            }
            const RestError &e = r.error();
            if (e.kind == RestError::Kind::Unauthorized) {
                terminate(GatewayError{GatewayError::Kind::Unauthorized, std::nullopt, e.message});
                return;
            }
            if (!config.gatewayUrlOverride.isEmpty())
                gatewayUrl = config.gatewayUrlOverride;
            Q_EMIT q->errorOccurred(GatewayError{GatewayError::Kind::Rest, std::nullopt, e.message});
            if (!alive(gen))
                return;
            if (!gatewayUrl.isEmpty()) {
                connectSocket(nextMode);  // override or cached URL: go on without fresh figures
                return;
            }
            ++failures;
            if (budgetExhausted())
                return;
            setState(ConnectionState::Reconnecting);
            scheduleReconnect(nextMode, std::nullopt, false);
        });
    }

    void connectSocket(ReconnectMode mode)
    {
        if (mode == ReconnectMode::Resume && !sessionValid())
            mode = ReconnectMode::FreshIdentify;
        const bool useResumeUrl = mode == ReconnectMode::Resume && resumeUrl.isValid() && !resumeUrl.isEmpty();
        const QUrl url = withQuery(useResumeUrl ? resumeUrl : gatewayUrl);

        if (++connects > 1)
            ++stats.reconnects;
        conn = Connection{};
        conn.mode = mode;
        conn.url = url;
        inflater.reset();
        inflater.setMaxOutput(config.maxIncomingMessageSize);
        limiter.reset();

        auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
        ws->setMaxAllowedIncomingFrameSize(quint64(config.maxIncomingFrameSize));
        ws->setMaxAllowedIncomingMessageSize(quint64(config.maxIncomingMessageSize));
        socket = ws;
        const quint64 sg = ++socketGeneration;
        QObject::connect(ws, &QWebSocket::connected, q, [this, sg] {
            if (sg == socketGeneration)
                handleConnected();
        });
        QObject::connect(ws, &QWebSocket::disconnected, q, [this, sg] {
            if (sg == socketGeneration)
                handleDisconnected();
        });
        QObject::connect(ws, &QWebSocket::aboutToClose, q, [this, sg] {
            if (sg == socketGeneration)
                conn.closeFrameSeen = true;  // we detach before closing ourselves
        });
        QObject::connect(ws, &QWebSocket::textMessageReceived, q, [this, sg](const QString &message) {
            if (sg == socketGeneration)
                handleMessage(message.toUtf8(), false);
        });
        QObject::connect(ws, &QWebSocket::binaryMessageReceived, q, [this, sg](const QByteArray &message) {
            if (sg == socketGeneration)
                handleMessage(message, true);
        });
        QObject::connect(ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q,
                         [this, sg](QAbstractSocket::SocketError error) {
                             if (sg == socketGeneration)
                                 handleSocketError(error);
                         });

        const quint64 gen = runGeneration;
        handshakeTimer.start(config.timings.handshakeTimeout);
        setState(ConnectionState::Connecting);
        qCInfo(lcGateway).noquote() << "connecting to" << redactedUrl(url) << "mode" << reconnectModeName(mode);
        Q_EMIT q->connecting(url, mode);
        if (!alive(gen) || sg != socketGeneration)
            return;
        ws->open(url);
    }

    void scheduleReconnect(ReconnectMode mode, std::optional<std::chrono::milliseconds> minDelay, bool immediate)
    {
        auto delay = immediate ? 0ms : backoffDelay(failures);
        if (failures > 0 && failures % RefetchAfterFailures == 0 && config.gatewayUrlOverride.isEmpty())
            fetchAttempted = false;
        if (minDelay)
            delay = std::max(delay, *minDelay);
        nextMode = mode;
        nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
        reconnectTimer.start(delay);
        qCInfo(lcGateway).noquote() << "reconnect attempt" << failures + 1 << "in" << delay.count() << "ms, mode"
                                    << reconnectModeName(mode);
        Q_EMIT q->reconnectScheduled(failures + 1, delay, mode);
    }

    //! True (and the client is Failed) when the consecutive-failure budget is spent.
    bool budgetExhausted()
    {
        if (failures < config.timings.reconnectBudget)
            return false;
        terminate(GatewayError{GatewayError::Kind::ReconnectBudgetExhausted, std::nullopt,
                               QStringLiteral("Gave up after %1 consecutive failed connection attempts.").arg(failures)});
        return true;
    }

    //! Terminal end: Failed, no timers, no socket, no reconnect. The current socket (if any) is
    //! reported closed first (once), then errorOccurred(terminal).
    void terminate(const GatewayError &error, std::optional<CloseInfo> closeInfo = std::nullopt)
    {
        running = false;
        ++runGeneration;
        stopConnectionTimers();
        reconnectTimer.stop();
        cancelTicket();
        nextAttemptAt = QDateTime();
        if (socket) {
            CloseInfo info;
            info.code = 1000;  // terminal: the session is abandoned on purpose
            info.reason = error.message;
            info.initiator = CloseInitiator::Client;
            info.action = CloseAction::Fatal;
            info.wasReady = conn.wasReady;
            info.at = QDateTime::currentDateTimeUtc();
            detachSocket(1000, QStringLiteral("stopping"));
            closeInfo = info;
        }
        qCWarning(lcGateway).noquote() << "failed:" << errorKindName(error.kind) << error.message;
        setState(ConnectionState::Failed);
        if (closeInfo)
            Q_EMIT q->socketClosed(*closeInfo);
        Q_EMIT q->errorOccurred(error);
        Q_EMIT q->statsChanged();
    }

    //! The one place a socket's end is handled: report it once, apply the close-code table,
    //! then fail or schedule the next attempt.
    void closed(std::optional<int> code, const QString &reason, CloseInitiator initiator, const CloseOptions &opts)
    {
        const quint64 gen = runGeneration;
        stopConnectionTimers();
        cancelTicket();
        detachSocket(initiator == CloseInitiator::Client ? code : std::nullopt, reason);

        CloseInfo info;
        info.code = code;
        info.reason = reason;
        info.initiator = initiator;
        info.action = opts.forcedAction ? *opts.forcedAction : CloseCodes::actionFor(code);
        info.wasReady = conn.wasReady;
        info.at = QDateTime::currentDateTimeUtc();

        if (!conn.wasReady && opts.countFailure)
            ++failures;  // an attempt that did not reach READY/RESUMED
        qCInfo(lcGateway).noquote() << "socket closed:" << (code ? QString::number(*code) : QStringLiteral("no code"))
                                    << CloseCodes::nameFor(code) << "by" << closeInitiatorName(initiator) << "->"
                                    << closeActionName(info.action) << (reason.isEmpty() ? QString() : reason);

        if (info.action == CloseAction::Fatal) {
            running = false;
            ++runGeneration;
            reconnectTimer.stop();
            CloseContext ctx;
            ctx.requestedIntents = config.intents;
            if (gatewayInfo)
                ctx.recommendedShards = gatewayInfo->shards;
            const GatewayError error{GatewayError::Kind::FatalClose, code, CloseCodes::describe(code, ctx)};
            qCWarning(lcGateway).noquote() << "fatal close:" << error.message;
            setState(ConnectionState::Failed);
            Q_EMIT q->socketClosed(info);
            Q_EMIT q->errorOccurred(error);
            Q_EMIT q->statsChanged();
            return;
        }
        if (info.action == CloseAction::NewSession)
            dropSession();
        if (CloseCodes::isOurBug(code))
            qCWarning(lcGateway).noquote() << "Discord closed with" << *code << "which indicates a client bug:"
                                           << CloseCodes::describe(code);

        if (failures >= config.timings.reconnectBudget) {
            // Report this socket, then give up (terminate() adds the terminal error).
            setState(ConnectionState::Failed);
            Q_EMIT q->socketClosed(info);
            if (!alive(gen))
                return;
            if (opts.transientError) {
                Q_EMIT q->errorOccurred(*opts.transientError);
                if (!alive(gen))
                    return;
            }
            budgetExhausted();
            return;
        }
        const ReconnectMode mode = (info.action == CloseAction::Resume && sessionValid()) ? ReconnectMode::Resume
                                                                                           : ReconnectMode::FreshIdentify;
        setState(ConnectionState::Reconnecting);
        Q_EMIT q->socketClosed(info);
        if (!alive(gen))
            return;
        Q_EMIT q->statsChanged();
        if (!alive(gen))
            return;
        if (opts.transientError) {
            Q_EMIT q->errorOccurred(*opts.transientError);
            if (!alive(gen))
                return;
        }
        scheduleReconnect(mode, opts.minDelay, opts.immediate);
    }

    //! We end the current socket with 4000 (resumable) and continue per `opts`.
    void closeOwn(const QString &reason, CloseOptions opts)
    {
        closed(OwnCloseCode, reason, CloseInitiator::Client, opts);
    }

    // --- socket events ----------------------------------------------------------------------
    void handleConnected()
    {
        handshakeTimer.stop();
        conn.opened = true;
        helloTimer.start(config.timings.helloTimeout);
        setState(ConnectionState::AwaitingHello);
        Q_EMIT q->socketOpened();
    }

    void handleSocketError(QAbstractSocket::SocketError error)
    {
        conn.lastTransportError = socket ? socket->errorString() : QString();
        qCDebug(lcGateway) << "socket error" << error << conn.lastTransportError;
        if (!conn.opened && socket) {
            // Never opened (refused, DNS, TLS, upgrade rejected): this attempt is over.
            closed(std::nullopt, conn.lastTransportError, CloseInitiator::Transport,
                   CloseOptions{std::nullopt, std::nullopt,
                                GatewayError{GatewayError::Kind::Transport, std::nullopt, conn.lastTransportError}});
        }
    }

    void handleDisconnected()
    {
        if (!socket)
            return;
        if (conn.closeFrameSeen) {
            const int code = int(socket->closeCode());
            const QString reason = socket->closeReason();
            if (code == QWebSocketProtocol::CloseCodeTooMuchData) {
                // QWebSocket enforces maxAllowedIncoming{Frame,Message}Size by closing with 1009.
                ++stats.oversizedMessages;
                warnRateLimited(QStringLiteral("incoming message over the %1-byte cap; reconnecting")
                                    .arg(config.maxIncomingMessageSize));
                closed(code, reason, CloseInitiator::Client,
                       CloseOptions{CloseAction::Resume, std::nullopt,
                                    GatewayError{GatewayError::Kind::Protocol, code,
                                                 QStringLiteral("Incoming message exceeded the size cap.")}});
                return;
            }
            closed(code, reason, CloseInitiator::Server, {});
            return;
        }
        const QString reason = conn.lastTransportError.isEmpty() ? QStringLiteral("connection dropped without a close frame")
                                                                 : conn.lastTransportError;
        closed(std::nullopt, reason, CloseInitiator::Transport,
               CloseOptions{std::nullopt, std::nullopt,
                            GatewayError{GatewayError::Kind::Transport, std::nullopt, reason}});
    }

    void handleHandshakeTimeout()
    {
        const QString reason = QStringLiteral("WebSocket handshake did not complete within %1 ms")
                                   .arg(config.timings.handshakeTimeout.count());
        closed(std::nullopt, reason, CloseInitiator::Transport,
               CloseOptions{CloseAction::Resume, std::nullopt,
                            GatewayError{GatewayError::Kind::HandshakeTimeout, std::nullopt, reason}});
    }

    void handleHelloTimeout()
    {
        const QString reason = QStringLiteral("no HELLO within %1 ms").arg(config.timings.helloTimeout.count());
        closeOwn(reason, CloseOptions{CloseAction::Resume, std::nullopt,
                                      GatewayError{GatewayError::Kind::HelloTimeout, std::nullopt, reason}});
    }

    // --- inbound ------------------------------------------------------------------------------
    void handleMessage(const QByteArray &wire, bool binary)
    {
        stats.lastInboundAt = QDateTime::currentDateTimeUtc();
        stats.bytesReceivedWire += quint64(wire.size());
        QByteArray json;
        if (binary && config.compress) {
            auto r = inflater.feed(wire);
            if (!r) {
                ++stats.inflateErrors;
                if (r.error().kind != InflateError::Kind::Corrupt)
                    ++stats.oversizedMessages;
                warnRateLimited(QStringLiteral("zlib-stream: %1; reconnecting").arg(r.error().message));
                if (socket)
                    closeOwn(r.error().message,
                             CloseOptions{CloseAction::Resume, std::nullopt,
                                          GatewayError{GatewayError::Kind::Protocol, std::nullopt, r.error().message}});
                else
                    inflater.reset();
                return;
            }
            if (!r.value())
                return;  // partial: waiting for 00 00 ff ff
            json = std::move(*r.value());
        } else {
            json = wire;
        }
        stats.bytesReceivedInflated += quint64(json.size());
        if (json.size() > config.maxIncomingMessageSize) {
            ++stats.oversizedMessages;
            warnRateLimited(QStringLiteral("dropped a %1-byte message (cap %2)").arg(json.size()).arg(config.maxIncomingMessageSize));
            return;
        }
        auto decoded = PayloadDecoder::decode(json);
        if (!decoded) {
            ++stats.malformedPayloads;
            warnRateLimited(QStringLiteral("malformed gateway payload (%1 bytes): %2").arg(json.size()).arg(decoded.error().message()));
            return;
        }
        handlePayload(decoded.value());
    }

    void handlePayload(const GatewayPayload &p)
    {
        switch (p.op) {
        case int(GatewayOp::Dispatch): handleDispatch(p); return;
        case int(GatewayOp::Heartbeat): handleHeartbeatRequest(); return;
        case int(GatewayOp::Reconnect): handleReconnectOp(); return;
        case int(GatewayOp::InvalidSession): handleInvalidSession(p); return;
        case int(GatewayOp::Hello): handleHello(p); return;
        case int(GatewayOp::HeartbeatAck): handleAck(); return;
        default:
            // Unknown (or client-only) opcodes are not errors (protocol.md A3): count, log, go on.
            ++stats.unknownOpcodes;
            warnRateLimited(QStringLiteral("ignoring unknown opcode %1").arg(p.op));
            return;
        }
    }

    void handleHello(const GatewayPayload &p)
    {
        if (!socket || conn.helloSeen)
            return;
        const auto interval = PayloadDecoder::decodeHello(p);
        if (!interval) {
            ++stats.malformedPayloads;
            warnRateLimited(QStringLiteral("bad HELLO: %1").arg(interval.error().message()));
            closeOwn(QStringLiteral("bad HELLO"),
                     CloseOptions{CloseAction::Resume, std::nullopt,
                                  GatewayError{GatewayError::Kind::Protocol, std::nullopt, interval.error().message()}});
            return;
        }
        helloTimer.stop();
        conn.helloSeen = true;
        conn.interval = *interval;
        stats.heartbeatInterval = *interval;
        // First beat at interval × jitter, jitter uniform in [0, 1) (protocol.md A4).
        const double jitter = QRandomGenerator::global()->generateDouble();
        startHeartbeatTimer(std::chrono::milliseconds(qint64(double(interval->count()) * jitter)));

        const quint64 gen = runGeneration;
        const quint64 sg = socketGeneration;
        const bool resume = conn.mode == ReconnectMode::Resume && sessionValid();
        setState(resume ? ConnectionState::Resuming : ConnectionState::Identifying);
        Q_EMIT q->helloReceived(*interval);
        if (!alive(gen) || sg != socketGeneration)
            return;
        if (resume)
            sendResume();
        else
            requestIdentify();
    }

    void sendResume()
    {
        const QByteArray payload = PayloadEncoder::resume(config.token, sessionId, sequence);
        if (!send(payload, SendLimiter::Kind::Resume))
            return;
        conn.resuming = true;
        conn.replayed = 0;
        conn.seqBefore = sequence;
        ++stats.resumes;
        Q_EMIT q->resumeSent(sessionId, sequence);
    }

    std::pair<int, int> shard() const
    {
        if (config.shard)
            return *config.shard;
        return {0, gatewayInfo ? std::max(1, gatewayInfo->shards) : 1};
    }

    void requestIdentify()
    {
        const quint64 sg = socketGeneration;
        const auto [shardId, shardCount] = shard();
        conn.ticket = gate->request(
            shardId, q,
            [this, sg, shardId = shardId, shardCount = shardCount] {
                if (sg != socketGeneration || !socket)
                    return;
                conn.ticket.reset();
                IdentifyParams params;
                params.token = config.token;
                params.intents = config.intents;
                params.os = config.osName;
                params.browser = config.browser;
                params.device = config.device;
                params.shardId = shardId;
                params.shardCount = shardCount;
                params.largeThreshold = config.largeThreshold;
                if (!send(PayloadEncoder::identify(params), SendLimiter::Kind::Identify))
                    return;
                ++stats.identifies;
                Q_EMIT q->identifySent(shardId, shardCount);
            },
            [this, sg](const GatewayError &error) {
                if (sg != socketGeneration)
                    return;
                conn.ticket.reset();
                terminate(error);
            });
    }

    bool send(const QByteArray &payload, SendLimiter::Kind kind)
    {
        if (!socket)
            return false;
        switch (limiter.trySend(payload.size(), kind)) {
        case SendLimiter::Verdict::Allowed:
            break;
        case SendLimiter::Verdict::TooLarge:
            ++stats.sendsDropped;
            qCWarning(lcGateway) << "refusing to send a" << payload.size() << "byte payload (limit 4096)";
            return false;
        case SendLimiter::Verdict::RateLimited:
            ++stats.sendsDropped;
            qCWarning(lcGateway) << "send budget exhausted; payload dropped";
            return false;
        }
        stats.bytesSent += quint64(payload.size());
        socket->sendTextMessage(QString::fromUtf8(payload));
        return true;
    }

    void sendHeartbeat(bool requested)
    {
        const std::optional<qint64> seq = sequence >= 0 ? std::optional<qint64>(sequence) : std::nullopt;
        if (!send(PayloadEncoder::heartbeat(seq), SendLimiter::Kind::Heartbeat))
            return;
        conn.awaitingAck = true;
        conn.beatSentNs = mono.nsecsElapsed();
        ++stats.heartbeatsSent;
        // Overdue when the ACK takes longer than the latency threshold (or a quarter interval).
        ackOverdueTimer.start(std::max(config.timings.latencyWarning, conn.interval / 4));
        Q_EMIT q->heartbeatSent(sequence, requested);
    }

    void handleHeartbeatTick()
    {
        if (!socket)
            return;
        if (conn.awaitingAck) {
            // Zombie: the previous beat is still un-ACKed at the next tick (protocol.md A4).
            ++stats.missedAcks;
            ++stats.zombies;
            const Mark m = mark();
            qCWarning(lcHeartbeat) << "zombie connection: heartbeat not acknowledged within" << conn.interval.count() << "ms";
            Q_EMIT q->zombieDetected();
            if (!current(m))
                return;
            closeOwn(QStringLiteral("zombie connection: heartbeat not acknowledged"),
                     CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
            return;
        }
        startHeartbeatTimer(conn.interval);
        sendHeartbeat(false);
    }

    //! Real-world intervals (>= 20 s) run on a very coarse timer: Qt fires those on whole seconds,
    //! so the beats of many sessions share one wake-up of the worker thread instead of one each
    //! (idle CPU with 1,000 sessions, docs/performance.md). Started 500 ms early so the rounding
    //! never makes a beat late. Short (test) intervals stay precise.
    void startHeartbeatTimer(std::chrono::milliseconds delay)
    {
        if (conn.interval >= 20s) {
            heartbeatTimer.setTimerType(Qt::VeryCoarseTimer);
            heartbeatTimer.start(std::max(delay - 500ms, std::chrono::milliseconds{0}));
        } else {
            heartbeatTimer.setTimerType(Qt::PreciseTimer);
            heartbeatTimer.start(delay);
        }
    }

    void handleHeartbeatRequest()
    {
        if (!socket)
            return;
        const Mark m = mark();
        Q_EMIT q->heartbeatRequested();
        if (!current(m))
            return;
        if (conn.awaitingAck) {
            // An op 1 storm must not turn into a heartbeat storm (heartbeats bypass the send
            // budget): the beat in flight already carries our sequence (G9 hostile matrix).
            warnRateLimited(QStringLiteral("heartbeat request while a heartbeat is un-ACKed; not sending another"));
            return;
        }
        sendHeartbeat(true);  // at once, without waiting for the interval (protocol.md A4)
    }

    void handleAck()
    {
        if (!conn.awaitingAck)
            return;  // unsolicited ACK: harmless
        conn.awaitingAck = false;
        ackOverdueTimer.stop();
        const auto latency = std::chrono::milliseconds((mono.nsecsElapsed() - conn.beatSentNs) / 1'000'000);
        stats.missedAcks = 0;
        ++stats.acksReceived;
        stats.lastAckAt = QDateTime::currentDateTimeUtc();
        latencies.push_back(latency.count());
        while (latencies.size() > LatencyWindow)
            latencies.pop_front();
        stats.lastLatency = latency;
        qint64 sum = 0;
        for (const qint64 l : latencies)
            sum += l;
        stats.meanLatency = std::chrono::milliseconds(sum / qint64(latencies.size()));
        std::vector<qint64> sorted(latencies.begin(), latencies.end());
        std::sort(sorted.begin(), sorted.end());
        const auto rank = std::size_t(std::ceil(0.95 * double(sorted.size())));
        stats.p95Latency = std::chrono::milliseconds(sorted[std::max<std::size_t>(rank, 1) - 1]);

        if (state == ConnectionState::Ready || state == ConnectionState::Degraded)
            setState(latency > config.timings.latencyWarning ? ConnectionState::Degraded : ConnectionState::Ready);
        const quint64 gen = runGeneration;
        Q_EMIT q->heartbeatAcked(latency);
        if (!alive(gen))
            return;
        Q_EMIT q->statsChanged();
    }

    void handleAckOverdue()
    {
        if (state == ConnectionState::Ready)
            setState(ConnectionState::Degraded);
    }

    void handleReconnectOp()
    {
        if (!socket)
            return;
        const Mark m = mark();
        Q_EMIT q->reconnectRequested();
        if (!current(m))
            return;
        closeOwn(QStringLiteral("op 7: reconnect requested by the gateway"),
                 CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
    }

    void handleInvalidSession(const GatewayPayload &p)
    {
        if (!socket)
            return;
        auto resumable = PayloadDecoder::decodeInvalidSession(p);
        if (!resumable) {
            ++stats.malformedPayloads;
            warnRateLimited(QStringLiteral("op 9 with a non-boolean d; treating it as not resumable"));
        }
        const bool canResume = resumable ? resumable.value() : false;
        const Mark m = mark();
        Q_EMIT q->invalidSession(canResume);
        if (!current(m))
            return;
        if (canResume && sessionValid()) {
            closeOwn(QStringLiteral("op 9: invalid session (resumable)"),
                     CloseOptions{CloseAction::Resume, std::nullopt, std::nullopt});
            return;
        }
        // d:false: drop the session, wait a random 1–5 s, IDENTIFY on the cached gateway URL
        // (protocol.md A8); a failed RESUME lands here too and falls back the same way.
        dropSession();
        closeOwn(QStringLiteral("op 9: invalid session"),
                 CloseOptions{CloseAction::NewSession, invalidSessionDelay(), std::nullopt});
    }

    void handleDispatch(const GatewayPayload &p)
    {
        ++stats.dispatches;
        if (p.s) {
            sequence = *p.s;
            stats.lastSequence = sequence;
        }
        const quint64 gen = runGeneration;
        if (p.t == "READY") {
            handleReady(p);
        } else if (p.t == "RESUMED") {
            if (conn.resuming) {
                handleResumed();
            } else {
                // Only a RESUME is answered with RESUMED: a stray one does not make us Ready (G9).
                ++stats.malformedPayloads;
                warnRateLimited(QStringLiteral("RESUMED without a RESUME; ignored"));
            }
        } else if (conn.resuming) {
            ++conn.replayed;
        }
        if (gen != runGeneration)
            return;  // stop() or a fatal close ran inside READY/RESUMED handling
        Q_EMIT q->dispatchReceived(p.t, p.s.value_or(-1));
    }

    void handleReady(const GatewayPayload &p)
    {
        auto info = PayloadDecoder::decodeReady(p);
        if (!info) {
            ++stats.malformedPayloads;
            warnRateLimited(QStringLiteral("bad READY: %1").arg(info.error().message()));
            closeOwn(QStringLiteral("bad READY"),
                     CloseOptions{CloseAction::NewSession, std::nullopt,
                                  GatewayError{GatewayError::Kind::Protocol, std::nullopt, info.error().message()}});
            return;
        }
        SessionInfo s = info.value();
        if (s.resumeGatewayUrl.isEmpty())
            s.resumeGatewayUrl = gatewayUrl;
        sessionId = s.sessionId;
        resumeUrl = s.resumeGatewayUrl;
        session = s;
        conn.wasReady = true;
        conn.resuming = false;
        failures = 0;
        qCInfo(lcGateway).noquote() << "READY as" << s.userName << "shard" << s.shardId << "/" << s.shardCount
                                    << "guilds" << s.guildCount;
        setState(ConnectionState::Ready);
        const quint64 gen = runGeneration;
        Q_EMIT q->ready(s);
        if (!alive(gen))
            return;
        Q_EMIT q->statsChanged();
    }

    void handleResumed()
    {
        const int replayed = conn.replayed;
        const qint64 before = conn.seqBefore;
        conn.resuming = false;
        conn.wasReady = true;
        failures = 0;
        if (!session) {
            // Resumed from a seeded ResumeState (no READY on this client): what we know of it.
            SessionInfo s;
            s.sessionId = sessionId;
            s.resumeGatewayUrl = resumeUrl;
            if (config.shard) {
                s.shardId = config.shard->first;
                s.shardCount = config.shard->second;
            }
            session = s;
        }
        ++stats.resumedOk;
        stats.replayedDispatches += quint64(replayed);
        qCInfo(lcGateway) << "resumed and replayed" << replayed << "events; seq" << before << "->" << sequence;
        setState(ConnectionState::Ready);
        const quint64 gen = runGeneration;
        Q_EMIT q->resumed(replayed, before, sequence);
        if (!alive(gen))
            return;
        Q_EMIT q->statsChanged();
    }
};

GatewayClient::GatewayClient(GatewayClientConfig config, IdentifyGate *gate, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->config = std::move(config);
    if (!gate)
        gate = new IdentifyGate(d->config.timings.identifyBucketInterval, d->config.timings.identifyRemainingFloor, this);
    d->gate = gate;
    d->rest = new DiscordRest(d->config.apiBase, nam, this);
    d->limiter.configure(d->config.timings.sendLimit, d->config.timings.sendWindow);
    d->inflater.setMaxOutput(d->config.maxIncomingMessageSize);
    d->mono.start();

    d->handshakeTimer.setSingleShot(true);
    d->handshakeTimer.callOnTimeout(this, [this] { d->handleHandshakeTimeout(); });
    d->helloTimer.setSingleShot(true);
    d->helloTimer.callOnTimeout(this, [this] { d->handleHelloTimeout(); });
    d->heartbeatTimer.setSingleShot(true);
    d->heartbeatTimer.setTimerType(Qt::PreciseTimer);
    d->heartbeatTimer.callOnTimeout(this, [this] { d->handleHeartbeatTick(); });
    d->ackOverdueTimer.setSingleShot(true);
    d->ackOverdueTimer.callOnTimeout(this, [this] { d->handleAckOverdue(); });
    d->reconnectTimer.setSingleShot(true);
    d->reconnectTimer.callOnTimeout(this, [this] { d->beginAttempt(); });
}

GatewayClient::~GatewayClient()
{
    // Silent teardown: no signal of the socket reaches us, no signal of ours is emitted.
    d->running = false;
    d->stopConnectionTimers();
    d->reconnectTimer.stop();
    d->cancelTicket();
    if (d->socket)
        QObject::disconnect(d->socket, nullptr, this, nullptr);
}

ConnectionState GatewayClient::state() const
{
    return d->state;
}

const GatewayStats &GatewayClient::stats() const
{
    return d->stats;
}

std::optional<SessionInfo> GatewayClient::session() const
{
    return d->session;
}

std::optional<GatewayBotInfo> GatewayClient::gatewayInfo() const
{
    return d->gatewayInfo;
}

ResumeState GatewayClient::resumeState() const
{
    ResumeState s;
    s.sessionId = d->sessionId;
    s.resumeGatewayUrl = d->resumeUrl;
    s.sequence = d->sequence;
    s.savedAt = QDateTime::currentDateTimeUtc();
    return s;
}

const GatewayClientConfig &GatewayClient::config() const
{
    return d->config;
}

int GatewayClient::consecutiveFailures() const
{
    return d->failures;
}

QDateTime GatewayClient::nextAttemptAt() const
{
    return d->nextAttemptAt;
}

void GatewayClient::setResumeState(const ResumeState &state)
{
    d->sessionId = state.sessionId;
    d->resumeUrl = state.resumeGatewayUrl;
    d->sequence = state.sequence;
    d->stats.lastSequence = state.sequence;
}

void GatewayClient::injectMessageForTest(const QByteArray &message, bool binary)
{
    d->handleMessage(message, binary);
}

void GatewayClient::start()
{
    if (d->running)
        return;
    d->running = true;
    ++d->runGeneration;
    d->failures = 0;
    d->connects = 0;
    d->fetchInFlight = false;
    d->fetchAttempted = false;
    d->nextMode = d->sessionValid() ? ReconnectMode::Resume : ReconnectMode::FreshIdentify;
    d->beginAttempt();
}

void GatewayClient::stop()
{
    const bool wasActive = d->running || d->socket;
    d->running = false;
    ++d->runGeneration;
    d->stopConnectionTimers();
    d->reconnectTimer.stop();
    d->cancelTicket();
    d->fetchInFlight = false;
    d->nextAttemptAt = QDateTime();
    // 1000: the user stopped monitoring; the session may end (protocol.md D3).
    d->detachSocket(1000, QStringLiteral("stopped"));
    if (wasActive)
        qCInfo(lcGateway) << "stopped";
    d->state = ConnectionState::Stopped;  // silently: stop() emits nothing (seed §5 row 6)
}

void GatewayClient::reconnect(ReconnectMode mode)
{
    if (!d->running)
        return;
    if (mode == ReconnectMode::FreshIdentify)
        d->dropSession();
    d->reconnectTimer.stop();
    if (d->socket) {
        d->closeOwn(QStringLiteral("reconnect requested (%1)").arg(reconnectModeName(mode)),
                    Private::CloseOptions{mode == ReconnectMode::Resume ? CloseAction::Resume : CloseAction::NewSession,
                                          std::nullopt, std::nullopt, false, true});
        return;
    }
    d->nextMode = mode;
    if (!d->fetchInFlight)
        d->beginAttempt();
}

} // namespace gw
