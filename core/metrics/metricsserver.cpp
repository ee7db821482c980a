#include "metricsserver.h"

#include "logging.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>
#include <memory>

using namespace std::chrono_literals;

namespace gw {

namespace {
constexpr qsizetype k_maxHeaderBytes = 8 * 1024;
constexpr std::chrono::milliseconds k_acceptRetry{200};
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

//! The whole response: status line, headers (always `Connection: close`) and, unless HEAD, the body.
QByteArray response(int status, const QByteArray &method, const QByteArray &type, const QByteArray &body)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    out += "Content-Type: " + type + "\r\n";
    out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    if (status == 405)
        out += "Allow: GET, HEAD\r\n";
    out += "Connection: close\r\n\r\n";
    if (method != "HEAD")
        out += body;
    return out;
}

} // namespace

class MetricsServer::Private
{
public:
    MetricsServer *q = nullptr;
    QTcpServer server;
    BodyProvider provider;
    QByteArray contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
    int served = 0;
    int open = 0;                 // connections being served now
    QTimer acceptResume;          // accepting again after a failed accept (EMFILE, ENFILE, …)

    void acceptPending();
    //! More than MaxConnections at once: answered 503 at once and closed (no request is read).
    void refuse(QTcpSocket *socket);
    void acceptFailed(QAbstractSocket::SocketError error);
    //! Reads one request from `socket` (closed when idle for k_idleTimeout) and answers it.
    void serve(QTcpSocket *socket);
    void answer(QTcpSocket *socket, QTimer *idle, const Route &route);
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
}

void MetricsServer::Private::acceptPending()
{
    while (QTcpSocket *socket = server.nextPendingConnection()) {
        socket->setParent(q);
        if (open >= MetricsServer::MaxConnections) {
            refuse(socket);
            continue;
        }
        ++open;
        QObject::connect(socket, &QObject::destroyed, q, [this] { --open; });
        serve(socket);
    }
}

void MetricsServer::Private::refuse(QTcpSocket *socket)
{
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    socket->write(response(503, "GET", "text/plain; charset=utf-8", "Service Unavailable: too many connections\n"));
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

// QTcpServer stops accepting after an accept() that failed for lack of descriptors. That is
// back-pressure, not an end: accept again shortly (the pending connections wait in the backlog).
void MetricsServer::Private::acceptFailed(QAbstractSocket::SocketError error)
{
    if (!acceptResume.isActive())
        qCWarning(lcMetrics) << "metrics: accept failed (" << error << "), accepting again in"
                             << k_acceptRetry.count() << "ms";
    server.pauseAccepting();
    acceptResume.start();
    Q_EMIT q->acceptFailed();
}

void MetricsServer::Private::serve(QTcpSocket *socket)
{
    auto *idle = new QTimer(socket);
    idle->setSingleShot(true);
    idle->setInterval(k_idleTimeout);
    QObject::connect(idle, &QTimer::timeout, socket, [socket] {
        qCDebug(lcMetrics) << "metrics: closing an idle connection";
        socket->abort();
        socket->deleteLater();
    });
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    idle->start();

    // Per-connection request state, owned by the lambda (and so by the socket's connection).
    struct Request
    {
        QByteArray buffer;
        bool answered = false;
    };
    auto request = std::make_shared<Request>();
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, idle, request] {
        if (request->answered) {
            socket->readAll();  // a body or pipelined bytes after the answer: ignored
            return;
        }
        request->buffer += socket->readAll();
        const qsizetype end = request->buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (request->buffer.size() > k_maxHeaderBytes) {
                request->answered = true;
                answer(socket, idle, Route{431, {}, {}});
            }
            return;
        }
        request->answered = true;
        if (end > k_maxHeaderBytes) {
            answer(socket, idle, Route{431, {}, {}});
            return;
        }
        const Route r = route(request->buffer);
        request->buffer.clear();
        answer(socket, idle, r);
    });
}

void MetricsServer::Private::answer(QTcpSocket *socket, QTimer *idle, const Route &route)
{
    idle->stop();
    QByteArray body;
    QByteArray type = QByteArrayLiteral("text/plain; charset=utf-8");
    if (route.status == 200) {
        body = provider ? provider() : QByteArray();
        type = contentType;
    } else {
        body = reasonPhrase(route.status) + '\n';
    }
    socket->write(response(route.status, route.method, type, body));
    socket->disconnectFromHost();
    ++served;
    Q_EMIT q->requestServed(QString::fromLatin1(route.method), QString::fromLatin1(route.path), route.status);
}

MetricsServer::~MetricsServer() = default;

void MetricsServer::setBodyProvider(BodyProvider provider, QByteArray contentType)
{
    d->provider = std::move(provider);
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
    qCInfo(lcMetrics).noquote() << "metrics: serving /metrics on" << serverAddress().toString() << serverPort();
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

} // namespace gw
