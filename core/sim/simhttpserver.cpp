#include "simhttpserver_p.h"

#include "logging.h"
#include "simtls_p.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>

using namespace std::chrono_literals;

namespace gw {

namespace {
constexpr qsizetype MaxHeaderBytes = 8 * 1024;
constexpr qsizetype MaxBodyBytes = 1024 * 1024;
constexpr auto RequestTimeout = 10s;

SimHttpResponse errorResponse(int status)
{
    SimHttpResponse r;
    r.status = status;
    r.body = "{\"message\":\"" + QByteArray::number(status) + ": " + SimHttpServer::reasonPhrase(status)
        + "\",\"code\":0}";
    return r;
}
} // namespace

SimHttpServer::SimHttpServer(QObject *parent)
    : QObject(parent)
    , m_server(new sim::TlsTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &SimHttpServer::handleNewConnection);
}

SimHttpServer::~SimHttpServer() = default;

void SimHttpServer::setHandler(Handler handler)
{
    m_handler = std::move(handler);
}

void SimHttpServer::setTls(const QSslConfiguration &tls)
{
    m_server->setTls(tls);
}

bool SimHttpServer::listen(const QHostAddress &address, quint16 port)
{
    return m_server->listen(address, port);
}

void SimHttpServer::close()
{
    m_server->close();
    const auto sockets = m_buffers.keys();
    m_buffers.clear();
    for (QTcpSocket *s : sockets) {
        s->abort();
        s->deleteLater();
    }
}

quint16 SimHttpServer::serverPort() const
{
    return m_server->serverPort();
}

QString SimHttpServer::errorString() const
{
    return m_server->errorString();
}

QByteArray SimHttpServer::reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 201: return QByteArrayLiteral("Created");
    case 204: return QByteArrayLiteral("No Content");
    case 400: return QByteArrayLiteral("Bad Request");
    case 401: return QByteArrayLiteral("Unauthorized");
    case 403: return QByteArrayLiteral("Forbidden");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 409: return QByteArrayLiteral("Conflict");
    case 411: return QByteArrayLiteral("Length Required");
    case 413: return QByteArrayLiteral("Payload Too Large");
    case 429: return QByteArrayLiteral("Too Many Requests");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    case 500: return QByteArrayLiteral("Internal Server Error");
    default: return QByteArrayLiteral("Unknown");
    }
}

void SimHttpServer::handleNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        m_buffers.insert(socket, {});
        auto *timeout = new QTimer(socket);
        timeout->setSingleShot(true);
        timeout->setInterval(RequestTimeout);
        timeout->callOnTimeout(socket, [socket] { socket->abort(); });
        timeout->start();
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { handleReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void SimHttpServer::handleReadyRead(QTcpSocket *socket)
{
    auto it = m_buffers.find(socket);
    if (it == m_buffers.end())
        return; // already answered; ignore whatever else arrives
    it->append(socket->readAll());
    const QByteArray &buf = *it;

    const qsizetype headerEnd = buf.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (buf.size() > MaxHeaderBytes)
            respond(socket, errorResponse(431));
        return;
    }
    if (headerEnd > MaxHeaderBytes) {
        respond(socket, errorResponse(431));
        return;
    }

    const QList<QByteArray> lines = buf.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.")
        || !requestLine.at(1).startsWith('/')) {
        respond(socket, errorResponse(400));
        return;
    }
    SimHttpRequest request;
    request.method = requestLine.at(0);
    request.url = QUrl::fromEncoded(requestLine.at(1));
    request.peer = socket->peerAddress();
    if (!request.url.isValid()) {
        respond(socket, errorResponse(400));
        return;
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            respond(socket, errorResponse(400));
            return;
        }
        request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
    }
    if (request.headers.contains("transfer-encoding")) {
        respond(socket, errorResponse(411));
        return;
    }
    qint64 contentLength = 0;
    if (request.headers.contains("content-length")) {
        bool ok = false;
        contentLength = request.headers.value("content-length").toLongLong(&ok);
        if (!ok || contentLength < 0) {
            respond(socket, errorResponse(400));
            return;
        }
        if (contentLength > MaxBodyBytes) {
            respond(socket, errorResponse(413));
            return;
        }
    }
    const qsizetype bodyStart = headerEnd + 4;
    if (buf.size() - bodyStart < contentLength)
        return; // wait for the rest of the body
    request.body = buf.mid(bodyStart, contentLength);
    respond(socket, m_handler ? m_handler(request) : errorResponse(404));
}

void SimHttpServer::respond(QTcpSocket *socket, const SimHttpResponse &response)
{
    m_buffers.remove(socket);
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status)
        + "\r\nContent-Type: " + response.contentType;
    for (const auto &[name, value] : response.headers)
        out += "\r\n" + name + ": " + value;
    out += "\r\nContent-Length: "
        + QByteArray::number(response.body.size()) + "\r\nConnection: close\r\n\r\n" + response.body;
    socket->write(out);
    socket->disconnectFromHost();
}

} // namespace gw
