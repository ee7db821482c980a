#include "websocketconnection_p.h"

#include "tlsstream_p.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTcpSocket>

#include <wslay/wslay.h>

#include <algorithm>

#include <sys/socket.h>

namespace gw {

namespace {
//! The upgrade response (status line and headers) may not be larger than this.
constexpr qsizetype MaxUpgradeResponse = 16 * 1024;
//! While reads are batched the kernel wakes us once this much is queued, before the window ends.
constexpr int ReadBatchBytes = 16 * 1024;
//! RFC 6455 §5.5: a control frame's payload is at most 125 bytes; 2 go to the code.
constexpr qsizetype MaxCloseReason = 123;
constexpr char AcceptGuid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

QByteArray headerValue(const QByteArray &head, QByteArrayView name)
{
    for (const QByteArray &line : head.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed();
    }
    return {};
}

QString printable(QByteArrayView bytes)
{
    QString out;
    for (const char c : bytes.first(std::min<qsizetype>(bytes.size(), 80)))
        out += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('?');
    return out;
}
} // namespace

//! wslay's callbacks, with access to the connection's members.
struct WslayCallbacks
{
    static ssize_t recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int, void *user)
    {
        auto *self = static_cast<WebSocketConnection *>(user);
        if (!self->m_inbox.isEmpty()) {
            const qsizetype n = std::min<qsizetype>(self->m_inbox.size(), qsizetype(len));
            std::copy_n(self->m_inbox.constData(), n, buf);
            self->m_inbox.remove(0, n);
            return n;
        }
        const qint64 n = self->m_phase == WebSocketConnection::Phase::Done ? -1 : self->rawRead(reinterpret_cast<char *>(buf), qint64(len));
        if (n > 0)
            return ssize_t(n);
        wslay_event_set_error(ctx, n == 0 ? WSLAY_ERR_WOULDBLOCK : WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }

    static ssize_t send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int, void *user)
    {
        auto *self = static_cast<WebSocketConnection *>(user);
        if (self->rawWrite(reinterpret_cast<const char *>(data), qint64(len)))
            return ssize_t(len);
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }

    static int mask(wslay_event_context_ptr, uint8_t *buf, size_t len, void *)
    {
        // RFC 6455 §10.3 asks for keys the page cannot predict; the global generator is seeded
        // from the system's, without a getrandom() per frame.
        for (size_t i = 0; i < len; ++i)
            buf[i] = uint8_t(QRandomGenerator::global()->bounded(256));
        return 0;
    }

    static void message(wslay_event_context_ptr, const wslay_event_on_msg_recv_arg *arg, void *user)
    {
        auto *self = static_cast<WebSocketConnection *>(user);
        if (arg->opcode == WSLAY_CONNECTION_CLOSE) {
            self->m_closeCode = arg->status_code;
            if (arg->msg_length > 2)
                self->m_closeReason = QString::fromUtf8(reinterpret_cast<const char *>(arg->msg) + 2,
                                                        qsizetype(arg->msg_length) - 2);
            return;
        }
        if (arg->opcode != WSLAY_TEXT_FRAME && arg->opcode != WSLAY_BINARY_FRAME)
            return;  // ping/pong: wslay answers pings itself
        if (self->m_listener && self->m_phase == WebSocketConnection::Phase::Open)
            self->m_listener->webSocketMessage(
                QByteArray::fromRawData(reinterpret_cast<const char *>(arg->msg), qsizetype(arg->msg_length)),
                arg->opcode == WSLAY_BINARY_FRAME);
    }
};

WebSocketConnection::WebSocketConnection(qint64 maxMessageSize, QObject *parent)
    : QObject(parent), m_maxMessageSize(maxMessageSize)
{
    m_batchTimer.setSingleShot(true);
    m_batchTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_batchTimer, &QTimer::timeout, this, [this] {
        m_readThisWakeUp = 0;
        m_drained = false;
        pump();
        scheduleNextRead();
    });
}

WebSocketConnection::~WebSocketConnection()
{
    if (m_ws)
        wslay_event_context_free(m_ws);
}

void WebSocketConnection::open(const QUrl &url)
{
    Q_ASSERT(m_phase == Phase::Idle);
    m_url = url;
    m_phase = Phase::Connecting;
    m_socket = new QTcpSocket(this);
    connect(m_socket, &QTcpSocket::connected, this, &WebSocketConnection::handleTcpConnected);
    connect(m_socket, &QTcpSocket::readyRead, this, &WebSocketConnection::handleReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &WebSocketConnection::handleSocketError);
    const bool tls = url.scheme() == QLatin1String("wss");
    // Unbuffered: reads and writes go to the kernel directly; Qt keeps no 32 KiB chunk per direction.
    m_socket->connectToHost(url.host(), quint16(url.port(tls ? 443 : 80)), QIODevice::ReadWrite | QIODevice::Unbuffered);
}

void WebSocketConnection::handleTcpConnected()
{
    // Heartbeats are small and their round trip is what the monitor measures: no Nagle delay.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (m_url.scheme() == QLatin1String("wss")) {
        m_phase = Phase::Tls;
        m_tls = std::make_unique<TlsStream>(*m_socket, m_url.host());
        advanceTls();
    } else {
        sendUpgrade();
    }
}

void WebSocketConnection::handleReadyRead()
{
    m_drained = false;
    m_readThisWakeUp = 0;
    switch (m_phase) {
    case Phase::Tls:
        advanceTls();
        break;
    case Phase::Upgrade:
        readUpgrade();
        break;
    case Phase::Open:
    case Phase::Closing:
        pump();
        scheduleNextRead();
        break;
    default:
        break;
    }
}

void WebSocketConnection::setReadBatchWindow(std::chrono::milliseconds window)
{
    m_batchWindow = window;
    if (window <= std::chrono::milliseconds::zero())
        stopBatching();
}

void WebSocketConnection::setPromptReads(bool prompt)
{
    m_prompt = prompt;
    // With the low-water mark back at one byte, whatever is queued wakes the socket now.
    if (prompt)
        stopBatching();
}

void WebSocketConnection::scheduleNextRead()
{
    if (m_phase != Phase::Open || m_prompt || m_readThisWakeUp == 0 || m_batchWindow <= std::chrono::milliseconds::zero()) {
        stopBatching();  // idle again (or closing): the next packet wakes us
        return;
    }
    if (!m_batching) {
        // Batch only a busy stream: a message that comes alone is read as it comes, at one
        // wake-up, with no timer behind it that would find nothing.
        const auto now = std::chrono::steady_clock::now();
        const bool busy = now - m_lastDataAt < m_batchWindow;
        m_lastDataAt = now;
        if (!busy)
            return;
        setLowWater(ReadBatchBytes);
        m_batching = true;
    }
    m_batchTimer.start(m_batchWindow);
}

void WebSocketConnection::stopBatching()
{
    if (!m_batching)
        return;
    m_batching = false;
    m_batchTimer.stop();
    setLowWater(1);
}

void WebSocketConnection::setLowWater(int bytes)
{
    // poll() reports the socket readable once this many bytes are queued (or at EOF or an
    // error); a non-blocking read still returns whatever is there.
    if (m_socket && m_socket->socketDescriptor() >= 0)
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof bytes);
}

void WebSocketConnection::handleSocketError()
{
    if (m_phase == Phase::Done)
        return;
    const QString error = m_socket->errorString();
    if (m_phase == Phase::Open || m_phase == Phase::Closing) {
        m_streamEnded = true;
        m_streamError = error;
        pump();  // reports the drop (or ends the close handshake)
        return;
    }
    report({WebSocketEnd::Kind::NeverOpened, 0, error});
    finishTcp();
}

void WebSocketConnection::advanceTls()
{
    switch (m_tls->handshake()) {
    case TlsStream::Result::Done:
        sendUpgrade();
        break;
    case TlsStream::Result::WouldBlock:
        break;
    case TlsStream::Result::Closed:
    case TlsStream::Result::Failed:
        report({WebSocketEnd::Kind::NeverOpened, 0, m_tls->errorString()});
        finishTcp();
        break;
    }
}

void WebSocketConnection::sendUpgrade()
{
    m_phase = Phase::Upgrade;
    QByteArray nonce(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(nonce.data()), 4);
    m_key = nonce.toBase64();
    const QByteArray target = m_url.path(QUrl::FullyEncoded).isEmpty() ? QByteArray("/") : m_url.path(QUrl::FullyEncoded).toLatin1();
    const QByteArray query = m_url.hasQuery() ? "?" + m_url.query(QUrl::FullyEncoded).toLatin1() : QByteArray();
    const QByteArray host = m_url.host(QUrl::FullyEncoded).toLatin1()
                            + (m_url.port() > 0 ? ":" + QByteArray::number(m_url.port()) : QByteArray());
    const QByteArray request = "GET " + target + query + " HTTP/1.1\r\nHost: " + host
                               + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + m_key
                               + "\r\nSec-WebSocket-Version: 13\r\nUser-Agent: Gatewatch\r\n\r\n";
    if (!rawWrite(request.constData(), request.size())) {
        report({WebSocketEnd::Kind::NeverOpened, 0, m_streamError});
        finishTcp();
    }
}

void WebSocketConnection::readUpgrade()
{
    char buf[4096];
    for (;;) {
        const qint64 n = rawRead(buf, sizeof buf);
        if (n == 0)
            return;
        if (n < 0) {
            report({WebSocketEnd::Kind::NeverOpened, 0,
                    QStringLiteral("connection closed during the WebSocket upgrade (%1)").arg(m_streamError)});
            finishTcp();
            return;
        }
        m_inbox.append(buf, n);
        const qsizetype end = m_inbox.indexOf("\r\n\r\n");
        if (end < 0 && m_inbox.size() <= MaxUpgradeResponse)
            continue;
        if (end < 0 || end > MaxUpgradeResponse) {
            report({WebSocketEnd::Kind::NeverOpened, 0, QStringLiteral("WebSocket upgrade response too large")});
            finishTcp();
            return;
        }
        const QByteArray head = m_inbox.first(end);
        m_inbox.remove(0, end + 4);  // what follows is already WebSocket frames
        if (acceptUpgrade(head))
            startFraming();
        return;
    }
}

bool WebSocketConnection::acceptUpgrade(const QByteArray &head)
{
    const qsizetype eol = head.indexOf("\r\n");
    const QByteArray statusLine = eol < 0 ? head : head.first(eol);
    QString problem;
    if (!statusLine.startsWith("HTTP/1.1 101"))
        problem = QStringLiteral("the server refused the WebSocket upgrade: %1").arg(printable(statusLine));
    else if (headerValue(head, "Upgrade").compare("websocket", Qt::CaseInsensitive) != 0)
        problem = QStringLiteral("WebSocket upgrade answered without Upgrade: websocket");
    else if (headerValue(head, "Sec-WebSocket-Accept")
             != QCryptographicHash::hash(QByteArray(m_key + AcceptGuid), QCryptographicHash::Sha1).toBase64())
        problem = QStringLiteral("WebSocket upgrade answered with a wrong Sec-WebSocket-Accept");
    else if (!headerValue(head, "Sec-WebSocket-Extensions").isEmpty())
        problem = QStringLiteral("WebSocket upgrade answered with an extension that was not offered");
    if (problem.isEmpty())
        return true;
    report({WebSocketEnd::Kind::NeverOpened, 0, problem});
    finishTcp();
    return false;
}

void WebSocketConnection::startFraming()
{
    static constexpr wslay_event_callbacks callbacks{&WslayCallbacks::recv, &WslayCallbacks::send, &WslayCallbacks::mask,
                                                     nullptr, nullptr, nullptr, &WslayCallbacks::message};
    wslay_event_context_client_init(&m_ws, &callbacks, this);
    wslay_event_config_set_max_recv_msg_length(m_ws, quint64(m_maxMessageSize));
    m_phase = Phase::Open;
    if (m_listener)
        m_listener->webSocketOpened();
    if (m_phase == Phase::Open && !m_inbox.isEmpty())
        pump();
}

void WebSocketConnection::pump()
{
    if (!m_ws || m_phase == Phase::Done)
        return;
    m_inPump = true;
    const int received = wslay_event_recv(m_ws);
    m_inPump = false;
    if (m_phase == Phase::Done)
        return;  // aborted from a listener call
    flushFrames();
    if (wslay_event_get_close_received(m_ws)) {
        const bool ourClose = m_phase == Phase::Closing;
        finishTcp();
        if (!ourClose)
            report({WebSocketEnd::Kind::ServerClosed, m_closeCode, m_closeReason});
        return;
    }
    if (received != 0 || m_streamEnded) {
        const QString reason = m_streamError.isEmpty() ? QStringLiteral("connection dropped without a close frame") : m_streamError;
        finishTcp();
        report({WebSocketEnd::Kind::Dropped, 0, reason});
        return;
    }
    if (!wslay_event_get_read_enabled(m_ws)) {
        // wslay failed the connection (a message over the cap, bad framing) and queued its close.
        const int code = wslay_event_get_status_code_sent(m_ws);
        const bool ourClose = m_phase == Phase::Closing;
        finishTcp();
        if (!ourClose)
            report({WebSocketEnd::Kind::ClientFailed, code, QStringLiteral("WebSocket close %1 sent by the client").arg(code)});
    }
}

qint64 WebSocketConnection::rawRead(char *data, qint64 size)
{
    qint64 got = 0;
    if (m_tls) {
        switch (m_tls->read(data, size, &got)) {
        case TlsStream::Result::Done:
            break;
        case TlsStream::Result::WouldBlock:
            return 0;
        case TlsStream::Result::Closed:
        case TlsStream::Result::Failed:
            m_streamEnded = true;
            m_streamError = m_tls->errorString();
            return -1;
        }
    } else {
        if (m_drained)
            return 0;
        got = m_socket->read(data, size);
        if (got < 0) {
            m_streamEnded = true;
            m_streamError = m_socket->errorString();
            return -1;
        }
        // A short read emptied the kernel's buffer: more comes with the next notification.
        m_drained = got < size;
    }
    m_readThisWakeUp += got;
    return got;
}

bool WebSocketConnection::rawWrite(const char *data, qint64 size)
{
    const bool written = m_tls ? m_tls->write(data, size) == TlsStream::Result::Done : m_socket->write(data, size) == size;
    if (!written && m_streamError.isEmpty())
        m_streamError = m_tls ? m_tls->errorString() : m_socket->errorString();
    return written;
}

void WebSocketConnection::flushFrames()
{
    if (m_ws && !m_inPump && wslay_event_want_write(m_ws))
        wslay_event_send(m_ws);
}

bool WebSocketConnection::sendText(const QByteArray &payload)
{
    if (m_phase != Phase::Open)
        return false;
    const wslay_event_msg msg{WSLAY_TEXT_FRAME, reinterpret_cast<const uint8_t *>(payload.constData()), size_t(payload.size())};
    if (wslay_event_queue_msg(m_ws, &msg) != 0)
        return false;
    flushFrames();
    return true;
}

void WebSocketConnection::close(int code, const QString &reason)
{
    if (m_phase != Phase::Open) {
        abort();
        return;
    }
    m_phase = Phase::Closing;
    const QByteArray why = reason.toUtf8().first(std::min<qsizetype>(reason.toUtf8().size(), MaxCloseReason));
    wslay_event_queue_close(m_ws, uint16_t(code), reinterpret_cast<const uint8_t *>(why.constData()), size_t(why.size()));
    flushFrames();
}

void WebSocketConnection::abort()
{
    if (m_phase == Phase::Done)
        return;
    m_listener = nullptr;
    finishTcp();
}

void WebSocketConnection::report(const WebSocketEnd &end)
{
    if (m_reported || !m_listener)
        return;
    m_reported = true;
    m_listener->webSocketEnded(end);
}

void WebSocketConnection::finishTcp()
{
    if (m_phase == Phase::Done)
        return;
    m_phase = Phase::Done;
    m_batchTimer.stop();
    m_batching = false;
    if (m_socket) {
        if (m_tls && !m_streamEnded)
            m_tls->shutdown();
        m_socket->disconnect(this);
        // What was written went to the kernel already (unbuffered), unless it refused some:
        // then let Qt flush it before closing.
        if (m_socket->bytesToWrite() > 0)
            m_socket->disconnectFromHost();
        else
            m_socket->abort();
    }
    QMetaObject::invokeMethod(this, &WebSocketConnection::finished, Qt::QueuedConnection);
}

} // namespace gw
