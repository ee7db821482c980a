#include "gatewaytransport_p.h"

#include "logging.h"
#include "ratelimitedwarning_p.h"

#include <QWebSocket>

using namespace std::chrono_literals;

namespace gw {

namespace {
//! A detached socket gets this long to finish its close handshake before it is aborted.
constexpr auto DetachedSocketGrace = 1s;
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
        QObject::disconnect(m_socket, nullptr, m_context, nullptr);
}

//! Connect a signal of the current socket; it reaches `handler` only while that socket is
//! still the current one.
template<typename Signal, typename Handler>
void GatewayTransport::connectCurrent(Signal signal, Handler handler)
{
    QObject::connect(m_socket, signal, m_context, [this, generation = m_generation, handler](const auto &...args) {
        if (generation == m_generation)
            handler(args...);
    });
}

void GatewayTransport::create(const QUrl &url)
{
    Q_ASSERT(!m_socket);
    m_opened = false;
    m_closeFrameSeen = false;
    m_lastError.clear();
    // A fresh context per socket, of the kind the config asks for now.
    m_inflater = makeStreamInflater(m_config.compression, m_config.maxIncomingMessageSize);
    m_limiter.reset();

    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, m_context);
    ws->setMaxAllowedIncomingFrameSize(quint64(m_config.maxIncomingFrameSize));
    ws->setMaxAllowedIncomingMessageSize(quint64(m_config.maxIncomingMessageSize));
    m_socket = ws;
    ++m_generation;
    connectCurrent(&QWebSocket::connected, [this] { handleConnected(); });
    connectCurrent(&QWebSocket::disconnected, [this] { handleDisconnected(); });
    connectCurrent(&QWebSocket::aboutToClose, [this] { m_closeFrameSeen = true; });  // we detach before closing
    connectCurrent(&QWebSocket::textMessageReceived, [this](const QString &m) { receive(m.toUtf8(), false); });
    connectCurrent(&QWebSocket::binaryMessageReceived, [this](const QByteArray &m) { receive(m, true); });
    connectCurrent(qOverload<QAbstractSocket::SocketError>(&QWebSocket::error),
                   [this](QAbstractSocket::SocketError error) { handleSocketError(error); });
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
    QWebSocket *ws = m_socket;
    m_socket = nullptr;
    ++m_generation;
    QObject::disconnect(ws, nullptr, m_context, nullptr);
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
    m_socket->sendTextMessage(QString::fromUtf8(payload));
    return true;
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
    m_events.payloadReceived(decoded.value());
}

std::optional<QByteArray> GatewayTransport::inflate(const QByteArray &wire, bool binary)
{
    if (!binary || !m_inflater)
        return wire;
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

void GatewayTransport::handleConnected()
{
    m_handshakeTimer.stop();
    m_opened = true;
    m_events.socketOpened();
}

void GatewayTransport::handleSocketError(QAbstractSocket::SocketError error)
{
    m_lastError = m_socket ? m_socket->errorString() : QString();
    qCDebug(lcGateway) << "socket error" << error << m_lastError;
    if (!m_opened && m_socket) {
        // Never opened (refused, DNS, TLS, upgrade rejected): this attempt is over.
        m_events.socketEnded(SocketEnd{std::nullopt, m_lastError, CloseInitiator::Transport, CloseCause::Transport,
                                       std::nullopt,
                                       GatewayError{GatewayError::Kind::Transport, std::nullopt, m_lastError}});
    }
}

void GatewayTransport::handleDisconnected()
{
    if (!m_socket)
        return;
    if (!m_closeFrameSeen) {
        const QString reason = m_lastError.isEmpty() ? QStringLiteral("connection dropped without a close frame")
                                                     : m_lastError;
        m_events.socketEnded(SocketEnd{std::nullopt, reason, CloseInitiator::Transport, CloseCause::Transport,
                                       std::nullopt, GatewayError{GatewayError::Kind::Transport, std::nullopt, reason}});
        return;
    }
    const int code = int(m_socket->closeCode());
    const QString reason = m_socket->closeReason();
    if (code != QWebSocketProtocol::CloseCodeTooMuchData) {
        m_events.socketEnded(SocketEnd{code, reason, CloseInitiator::Server, CloseCause::Server, std::nullopt,
                                       std::nullopt});
        return;
    }
    // QWebSocket enforces maxAllowedIncoming{Frame,Message}Size by closing with 1009.
    ++m_stats.oversizedMessages;
    m_warnings.warn(QStringLiteral("incoming message over the %1-byte cap; reconnecting")
                        .arg(m_config.maxIncomingMessageSize));
    m_events.socketEnded(SocketEnd{code, reason, CloseInitiator::Client, CloseCause::Oversized, CloseAction::Resume,
                                   GatewayError{GatewayError::Kind::Protocol, code,
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
