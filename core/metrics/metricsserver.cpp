#include "metricsserver.h"

#include "logging.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>
#endif

using namespace std::chrono_literals;

namespace gw {

namespace {
constexpr qsizetype k_maxHeaderBytes = 8 * 1024;
constexpr std::chrono::milliseconds k_acceptRetry{200};
constexpr std::chrono::milliseconds k_acceptWarnEvery{std::chrono::seconds{10}};
constexpr auto k_idleTimeout = 5s;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 400: return QByteArrayLiteral("Bad Request");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    default: return QByteArrayLiteral("Error");
    }
}
} // namespace

QString MetricsListenAddress::toString() const
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol)
        return QLatin1Char('[') + address.toString() + QLatin1String("]:") + QString::number(port);
    return address.toString() + QLatin1Char(':') + QString::number(port);
}

Expected<MetricsListenAddress, QString> MetricsListenAddress::parse(const QString &text)
{
    const QString t = text.trimmed();
    const qsizetype colon = t.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return QStringLiteral("metrics.listen: \"%1\" is not HOST:PORT (e.g. 127.0.0.1:9464)").arg(t);
    QString host = t.left(colon);
    const QString portText = t.mid(colon + 1);
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return QStringLiteral("metrics.listen: \"%1\" is not a port number (0-65535)").arg(portText);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    MetricsListenAddress result;
    result.port = quint16(port);
    if (host.isEmpty() || host == QLatin1String("localhost")) {
        result.address = QHostAddress(QHostAddress::LocalHost);
    } else if (!result.address.setAddress(host)) {
        return QStringLiteral("metrics.listen: \"%1\" is not an IP address (host names other than "
                              "localhost are not resolved)").arg(host);
    }
    return result;
}

namespace {

//! What a complete request head asks for: the status to answer with, and the method and path
//! (without the query) when the request line could be read.
struct Route
{
    int status = 400;
    QByteArray method;
    QByteArray path;
};

//! Routes a request by its request line; `received` holds at least the whole head, up to and
//! including the blank line that ends it.
Route route(const QByteArray &received)
{
    const QByteArray requestLine = received.left(received.indexOf("\r\n"));
    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1."))
        return {};
    Route r;
    r.method = parts.at(0);
    r.path = parts.at(1);
    if (const qsizetype q = r.path.indexOf('?'); q >= 0)
        r.path.truncate(q);
    if (r.method != "GET" && r.method != "HEAD")
        r.status = 405;
    else if (r.path != "/metrics")
        r.status = 404;
    else
        r.status = 200;
    return r;
}

//! The status line and headers (always `Connection: close`) of a response with a body of
//! `bodyLength` bytes.
QByteArray responseHead(int status, const QByteArray &type, qsizetype bodyLength)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: " + type + "\r\n";
    out += "Content-Length: " + QByteArray::number(bodyLength) + "\r\n";
    if (status == 405)
        out += "Allow: GET, HEAD\r\n";
    out += "Connection: close\r\n\r\n";
    return out;
}

//! Gives freed heap pages back to the kernel. glibc keeps freed chunks of its arenas mapped;
//! after slow clients held a large body, that is the bulk of the memory they cost.
void releaseFreedHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

//! One connection's state, owned by its socket's lambdas.
struct Connection
{
    QByteArray request;    // the request head received so far
    bool answered = false;
    QByteArray head;       // status line and headers
    QByteArray body;       // shared with the body cache: never copied as a whole
    qsizetype sent = 0;    // bytes of head + body handed to the socket
};

} // namespace

class MetricsServer::Private
{
public:
    MetricsServer *q = nullptr;
    QTcpServer server;
    BodyProvider provider;
    QByteArray contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
    std::chrono::milliseconds bodyMaxAge = MetricsServer::DefaultBodyMaxAge;
    std::chrono::milliseconds writeTimeout = MetricsServer::DefaultWriteTimeout;
    int served = 0;
    int open = 0;                 // connections being served now
    int maxOpen = MetricsServer::MaxConnections;  // and at most a quarter of RLIMIT_NOFILE (listen())
    QTimer acceptResume;          // accepting again after a failed accept (EMFILE, ENFILE, …)
    QElapsedTimer acceptWarned;   // the last accept-failure warning: at most one per k_acceptWarnEvery
    int acceptFailuresUnreported = 0;
    QByteArray cachedBody;        // the last body rendered, while younger than bodyMaxAge
    bool cached = false;
    QTimer cacheExpiry;           // drops cachedBody once it is too old to be served

    void acceptPending();
    //! More than maxOpen at once: answered 503 at once and closed (no request is read).
    void refuse(QTcpSocket *socket);
    void acceptFailed(QAbstractSocket::SocketError error);
    //! Reads one request from `socket` (closed when idle for k_idleTimeout) and answers it.
    void serve(QTcpSocket *socket);
    void received(QTcpSocket *socket, QTimer *deadline, Connection &c);
    void answer(QTcpSocket *socket, QTimer *deadline, Connection &c, const Route &route);
    //! Hands the socket more of the response while less than MaxQueuedBytes are queued; closes
    //! the connection once all of it is handed over.
    static void pump(QTcpSocket *socket, Connection &c);
    //! The body to serve now: the cached one while younger than bodyMaxAge, else a new one.
    QByteArray body();
    void connectionClosed();
};

MetricsServer::MetricsServer(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    connect(&d->server, &QTcpServer::newConnection, this, [this] { d->acceptPending(); });
    connect(&d->server, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError e) { d->acceptFailed(e); });
    d->acceptResume.setSingleShot(true);
    d->acceptResume.setInterval(k_acceptRetry);
    connect(&d->acceptResume, &QTimer::timeout, this, [this] { d->server.resumeAccepting(); });
    d->cacheExpiry.setSingleShot(true);
    connect(&d->cacheExpiry, &QTimer::timeout, this, [this] {
        d->cachedBody = QByteArray();
        d->cached = false;
        if (d->open == 0)
            releaseFreedHeap();
    });
}

void MetricsServer::Private::acceptPending()
{
    while (QTcpSocket *socket = server.nextPendingConnection()) {
        socket->setParent(q);
        if (open >= maxOpen) {
            refuse(socket);
            continue;
        }
        ++open;
        QObject::connect(socket, &QObject::destroyed, q, [this] { connectionClosed(); });
        serve(socket);
    }
}

void MetricsServer::Private::connectionClosed()
{
    --open;
    if (open == 0 && !cached)
        releaseFreedHeap();
}

void MetricsServer::Private::refuse(QTcpSocket *socket)
{
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    const QByteArray body = "Service Unavailable: too many connections\n";
    socket->write(responseHead(503, "text/plain; charset=utf-8", body.size()) + body);
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

// QTcpServer stops accepting after an accept() that failed for lack of descriptors. That is
// back-pressure, not an end: accept again shortly (the pending connections wait in the backlog).
void MetricsServer::Private::acceptFailed(QAbstractSocket::SocketError error)
{
    // While descriptors stay short, retries fail (and some succeed) every 200 ms: one warning per
    // k_acceptWarnEvery, with the count of the failures it stands for.
    ++acceptFailuresUnreported;
    if (!acceptWarned.isValid() || acceptWarned.elapsed() >= k_acceptWarnEvery.count()) {
        qCWarning(lcMetrics) << "metrics: accept failed (" << error << "):" << acceptFailuresUnreported
                             << "failed accepts since the last warning; retrying every" << k_acceptRetry.count() << "ms";
        acceptWarned.restart();
        acceptFailuresUnreported = 0;
    }
    server.pauseAccepting();
    acceptResume.start();
    Q_EMIT q->acceptFailed();
}

// One deadline per connection: k_idleTimeout until the request is complete, then writeTimeout
// from each moment the client last read part of the response.
void MetricsServer::Private::serve(QTcpSocket *socket)
{
    auto *deadline = new QTimer(socket);
    deadline->setSingleShot(true);
    deadline->setInterval(k_idleTimeout);
    QObject::connect(deadline, &QTimer::timeout, socket, [socket] {
        qCDebug(lcMetrics) << "metrics: closing a connection that sent or read nothing in time";
        socket->abort();
        socket->deleteLater();
    });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    deadline->start();

    auto c = std::make_shared<Connection>();
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, deadline, c] { received(socket, deadline, *c); });
    QObject::connect(socket, &QTcpSocket::bytesWritten, socket, [socket, deadline, c] {
        deadline->start();  // the client reads: its write timeout starts again
        pump(socket, *c);
    });
}

void MetricsServer::Private::received(QTcpSocket *socket, QTimer *deadline, Connection &c)
{
    if (c.answered) {
        socket->readAll();  // a body or pipelined bytes after the answer: ignored
        return;
    }
    c.request += socket->readAll();
    const qsizetype end = c.request.indexOf("\r\n\r\n");
    if (end < 0) {
        if (c.request.size() > k_maxHeaderBytes)
            answer(socket, deadline, c, Route{431, {}, {}});
        return;
    }
    if (end > k_maxHeaderBytes) {
        answer(socket, deadline, c, Route{431, {}, {}});
        return;
    }
    const Route r = route(c.request);
    answer(socket, deadline, c, r);
}

void MetricsServer::Private::answer(QTcpSocket *socket, QTimer *deadline, Connection &c, const Route &route)
{
    c.answered = true;
    c.request = QByteArray();
    QByteArray type = QByteArrayLiteral("text/plain; charset=utf-8");
    if (route.status == 200) {
        c.body = body();
        type = contentType;
    } else {
        c.body = reasonPhrase(route.status) + '\n';
    }
    c.head = responseHead(route.status, type, c.body.size());
    if (route.method == "HEAD")
        c.body = QByteArray();
    deadline->setInterval(writeTimeout);
    deadline->start();
    pump(socket, c);
    ++served;
    Q_EMIT q->requestServed(QString::fromLatin1(route.method), QString::fromLatin1(route.path), route.status);
}

void MetricsServer::Private::pump(QTcpSocket *socket, Connection &c)
{
    if (!c.answered || socket->state() != QAbstractSocket::ConnectedState)
        return;
    const qsizetype total = c.head.size() + c.body.size();
    while (c.sent < total && socket->bytesToWrite() < MetricsServer::MaxQueuedBytes) {
        const bool inHead = c.sent < c.head.size();
        const QByteArray &part = inHead ? c.head : c.body;
        const qsizetype offset = inHead ? c.sent : c.sent - c.head.size();
        const qsizetype room = MetricsServer::MaxQueuedBytes - socket->bytesToWrite();
        const qint64 written = socket->write(part.constData() + offset, std::min(room, part.size() - offset));
        if (written <= 0)
            return;
        c.sent += written;
    }
    if (c.sent == total) {
        c.body = QByteArray();  // the socket holds the rest; let the shared body go
        socket->disconnectFromHost();
    }
}

QByteArray MetricsServer::Private::body()
{
    if (cached)
        return cachedBody;
    QByteArray fresh = provider ? provider() : QByteArray();
    if (bodyMaxAge > std::chrono::milliseconds::zero()) {
        cachedBody = fresh;
        cached = true;
        cacheExpiry.start(bodyMaxAge);
    }
    return fresh;
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::setBodyMaxAge(std::chrono::milliseconds maxAge)
{
    d->bodyMaxAge = std::max(maxAge, std::chrono::milliseconds::zero());
    d->cacheExpiry.stop();
    d->cachedBody = QByteArray();
    d->cached = false;
}

void MetricsServer::setWriteTimeout(std::chrono::milliseconds timeout)
{
    d->writeTimeout = std::max(timeout, std::chrono::milliseconds{1});
}

void MetricsServer::setBodyProvider(BodyProvider provider, QByteArray contentType)
{
    d->provider = std::move(provider);
    d->cachedBody = QByteArray();
    d->cached = false;
    if (!contentType.isEmpty())
        d->contentType = std::move(contentType);
}

Expected<bool, QString> MetricsServer::listen(const MetricsListenAddress &where, bool allowNonLoopback)
{
    if (!where.isLoopback()) {
        if (!allowNonLoopback)
            return QStringLiteral("metrics: refusing to listen on %1, which is not a loopback address; the "
                                  "metrics name every account. Set \"allow_non_loopback\": true to do it anyway.")
                .arg(where.toString());
        qCWarning(lcMetrics).noquote() << "metrics: listening on" << where.toString()
                                       << "which is NOT loopback: anyone who can reach it can read the metrics";
    }
    if (!d->server.listen(where.address, where.port))
        return QStringLiteral("metrics: cannot listen on %1: %2").arg(where.toString(), d->server.errorString());
    // Scrapes never take the descriptors the gateway sessions need to reconnect: at most a
    // quarter of the open-file limit (a flood at a tight limit starved a reconnect otherwise).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY)
        d->maxOpen = int(std::clamp<rlim_t>(files.rlim_cur / 4, 4, rlim_t(MaxConnections)));
    qCInfo(lcMetrics).noquote() << "metrics: serving /metrics on" << serverAddress().toString() << serverPort()
                                << "(at most" << d->maxOpen << "connections at once)";
    return true;
}

void MetricsServer::close()
{
    d->server.close();
}

bool MetricsServer::isListening() const
{
    return d->server.isListening();
}

quint16 MetricsServer::serverPort() const
{
    return d->server.serverPort();
}

QHostAddress MetricsServer::serverAddress() const
{
    return d->server.serverAddress();
}

int MetricsServer::requestsServed() const
{
    return d->served;
}

int MetricsServer::openConnections() const
{
    return d->open;
}

} // namespace gw
