#include "gatewaytransport_p.h"

#include "logging.h"
#include "ratelimitedwarning_p.h"


using namespace std::chrono_literals;

namespace gw {

namespace {
//! A detached socket gets this long to finish its close handshake before it is aborted.
constexpr auto DetachedSocketGrace = 1s;
//! RFC 6455 §7.4.1: the message is too big to process.
constexpr int CloseCodeMessageTooBig = 1009;
} // namespace

GatewayTransport::GatewayTransport(const GatewayClientConfig &config, GatewayStats &stats,
                                   RateLimitedWarning &warnings, Events &events, QObject *context)
    : m_config(config), m_stats(stats), m_warnings(warnings), m_events(events), m_context(context)
{
    m_limiter.configure(m_config.timings.sendLimit, m_config.timings.sendWindow);
    m_inflater = makeStreamInflater(m_config.compression, m_config.maxIncomingMessageSize);
    m_handshakeTimer.setSingleShot(true);
    m_handshakeTimer.callOnTimeout(m_context, [this] { handleHandshakeTimeout(); });
}

GatewayTransport::~GatewayTransport()
{
    m_handshakeTimer.stop();
    if (m_socket)
        m_socket->setListener(nullptr);
}

void GatewayTransport::create(const QUrl &url)
{
    Q_ASSERT(!m_socket);
    // A fresh context per socket, of the kind the config asks for now.
    m_inflater = makeStreamInflater(m_config.compression, m_config.maxIncomingMessageSize);
    m_limiter.reset();
    m_socket = new WebSocketConnection(std::min(m_config.maxIncomingFrameSize, m_config.maxIncomingMessageSize), m_context);
    m_socket->setListener(this);
    m_socket->setReadBatchWindow(m_config.timings.readBatchWindow);
    ++m_generation;
    m_url = url;
    m_handshakeTimer.start(m_config.timings.handshakeTimeout);
}

void GatewayTransport::open()
{
    if (m_socket)
        m_socket->open(m_url);
}

void GatewayTransport::detach(std::optional<int> closeCode, const QString &reason)
{
    m_handshakeTimer.stop();
    if (!m_socket)
        return;
    WebSocketConnection *ws = m_socket;
    m_socket = nullptr;
    ++m_generation;
    ws->setListener(nullptr);
    QObject::connect(ws, &WebSocketConnection::finished, ws, &QObject::deleteLater);
    if (closeCode && ws->isOpen()) {
        ws->close(*closeCode, reason);
        QTimer::singleShot(DetachedSocketGrace, ws, [ws] { ws->abort(); });
    } else {
        ws->abort();
    }
}

bool GatewayTransport::send(const QByteArray &payload, SendLimiter::Kind kind)
{
    if (!m_socket)
        return false;
    switch (m_limiter.trySend(payload.size(), kind)) {
    case SendLimiter::Verdict::Allowed:
        break;
    case SendLimiter::Verdict::TooLarge:
        ++m_stats.sendsDropped;
        qCWarning(lcGateway) << "refusing to send a" << payload.size() << "byte payload (limit 4096)";
        return false;
    case SendLimiter::Verdict::RateLimited:
        ++m_stats.sendsDropped;
        qCWarning(lcGateway) << "send budget exhausted; payload dropped";
        return false;
    }
    m_stats.bytesSent += quint64(payload.size());
    // The heartbeat's round trip is what the monitor measures: its ACK is read as it arrives.
    if (kind == SendLimiter::Kind::Heartbeat)
        m_socket->setPromptReads(true);
    return m_socket->sendText(payload) || m_injected;
}

void GatewayTransport::receive(const QByteArray &wire, bool binary)
{
    m_stats.lastInboundSteadyNs = std::chrono::steady_clock::now().time_since_epoch().count();
    m_stats.bytesReceivedWire += quint64(wire.size());
    const std::optional<QByteArray> json = inflate(wire, binary);
    if (!json)
        return;
    m_stats.bytesReceivedInflated += quint64(json->size());
    if (json->size() > m_config.maxIncomingMessageSize) {
        ++m_stats.oversizedMessages;
        m_warnings.warn(QStringLiteral("dropped a %1-byte message (cap %2)")
                            .arg(json->size())
                            .arg(m_config.maxIncomingMessageSize));
        return;
    }
    auto decoded = PayloadDecoder::decode(*json);
    if (!decoded) {
        ++m_stats.malformedPayloads;
        m_warnings.warn(QStringLiteral("malformed gateway payload (%1 bytes): %2")
                            .arg(json->size())
                            .arg(decoded.error().message()));
        return;
    }
    if (decoded.value().op == int(GatewayOp::HeartbeatAck) && m_socket)
        m_socket->setPromptReads(false);
    m_events.payloadReceived(decoded.value());
}

std::optional<QByteArray> GatewayTransport::inflate(const QByteArray &wire, bool binary)
{
    if (!binary || !m_inflater)
        return QByteArray(wire.constData(), wire.size());  // the socket's view is only valid for this call
    auto r = m_inflater->feed(wire);
    if (!r) {
        const InflateError &error = r.error();
        ++m_stats.inflateErrors;
        if (error.kind != InflateError::Kind::Corrupt)
            ++m_stats.oversizedMessages;
        m_warnings.warn(QStringLiteral("%1: %2; reconnecting").arg(compressionName(m_config.compression), error.message));
        if (m_socket) {
            // The inflate context is broken: this socket is done; the session is not.
            const CloseCause cause =
                error.kind == InflateError::Kind::Corrupt ? CloseCause::Protocol : CloseCause::Oversized;
            m_events.socketEnded(SocketEnd{OwnCloseCode, error.message, CloseInitiator::Client, cause, CloseAction::Resume,
                                           GatewayError{GatewayError::Kind::Protocol, std::nullopt, error.message}});
        } else {
            m_inflater->reset();
        }
        return std::nullopt;
    }
    if (!r.value())
        return std::nullopt;  // partial: waiting for a flush boundary
    return std::move(*r.value());
}

void GatewayTransport::webSocketOpened()
{
    m_handshakeTimer.stop();
    m_events.socketOpened();
}

void GatewayTransport::webSocketMessage(const QByteArray &message, bool binary)
{
    receive(message, binary);
}

void GatewayTransport::webSocketEnded(const WebSocketEnd &end)
{
    qCDebug(lcGateway) << "socket ended" << int(end.kind) << end.code << end.reason;
    switch (end.kind) {
    case WebSocketEnd::Kind::NeverOpened:
        // Refused, DNS, TLS, upgrade rejected: this attempt is over.
    case WebSocketEnd::Kind::Dropped:
        m_events.socketEnded(SocketEnd{std::nullopt, end.reason, CloseInitiator::Transport, CloseCause::Transport,
                                       std::nullopt,
                                       GatewayError{GatewayError::Kind::Transport, std::nullopt, end.reason}});
        return;
    case WebSocketEnd::Kind::ServerClosed:
        m_events.socketEnded(SocketEnd{end.code, end.reason, CloseInitiator::Server, CloseCause::Server, std::nullopt,
                                       std::nullopt});
        return;
    case WebSocketEnd::Kind::ClientFailed:
        break;
    }
    if (end.code != CloseCodeMessageTooBig) {
        // Framing we cannot read (reserved bits, bad opcodes, unmasked lengths): our close, not Discord's.
        m_warnings.warn(QStringLiteral("WebSocket framing error; closed with %1 and reconnecting").arg(end.code));
        m_events.socketEnded(SocketEnd{end.code, end.reason, CloseInitiator::Client, CloseCause::Protocol,
                                       CloseAction::Resume,
                                       GatewayError{GatewayError::Kind::Protocol, end.code, end.reason}});
        return;
    }
    ++m_stats.oversizedMessages;
    m_warnings.warn(QStringLiteral("incoming message over the %1-byte cap; reconnecting")
                        .arg(m_config.maxIncomingMessageSize));
    m_events.socketEnded(SocketEnd{end.code, end.reason, CloseInitiator::Client, CloseCause::Oversized,
                                   CloseAction::Resume,
                                   GatewayError{GatewayError::Kind::Protocol, end.code,
                                                QStringLiteral("Incoming message exceeded the size cap.")}});
}

void GatewayTransport::handleHandshakeTimeout()
{
    const QString reason = QStringLiteral("WebSocket handshake did not complete within %1 ms")
                               .arg(m_config.timings.handshakeTimeout.count());
    m_events.socketEnded(SocketEnd{std::nullopt, reason, CloseInitiator::Transport, CloseCause::HandshakeTimeout,
                                   CloseAction::Resume,
                                   GatewayError{GatewayError::Kind::HandshakeTimeout, std::nullopt, reason}});
}

} // namespace gw
