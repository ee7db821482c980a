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

class MetricsServer::Private
{
public:
    QTcpServer server;
    BodyProvider provider;
    QByteArray contentType = QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
    int served = 0;
};

MetricsServer::MetricsServer(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    connect(&d->server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = d->server.nextPendingConnection()) {
            socket->setParent(this);
            auto *idle = new QTimer(socket);
            idle->setSingleShot(true);
            idle->setInterval(k_idleTimeout);
            connect(idle, &QTimer::timeout, socket, [socket] {
                qCDebug(lcMetrics) << "metrics: closing an idle connection";
                socket->abort();
                socket->deleteLater();
            });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            idle->start();

            auto answer = [this, socket, idle](int status, const QByteArray &method, const QByteArray &path) {
                idle->stop();
                QByteArray body;
                QByteArray type = QByteArrayLiteral("text/plain; charset=utf-8");
                if (status == 200) {
                    body = d->provider ? d->provider() : QByteArray();
                    type = d->contentType;
                } else {
                    body = reasonPhrase(status) + '\n';
                }
                QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
                response += "Content-Type: " + type + "\r\n";
                response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
                if (status == 405)
                    response += "Allow: GET, HEAD\r\n";
                response += "Connection: close\r\n\r\n";
                if (method != "HEAD")
                    response += body;
                socket->write(response);
                socket->disconnectFromHost();
                ++d->served;
                Q_EMIT requestServed(QString::fromLatin1(method), QString::fromLatin1(path), status);
            };

            // Per-connection request state, owned by the lambdas (and so by the socket's connections).
            struct Request
            {
                QByteArray buffer;
                bool answered = false;
            };
            auto request = std::make_shared<Request>();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, answer, request] {
                if (request->answered) {
                    socket->readAll();  // a body or pipelined bytes after the answer: ignored
                    return;
                }
                request->buffer += socket->readAll();
                const qsizetype end = request->buffer.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (request->buffer.size() > k_maxHeaderBytes) {
                        request->answered = true;
                        answer(431, QByteArray(), QByteArray());
                    }
                    return;
                }
                request->answered = true;
                if (end > k_maxHeaderBytes) {
                    answer(431, QByteArray(), QByteArray());
                    return;
                }
                const QByteArray requestLine = request->buffer.left(request->buffer.indexOf("\r\n"));
                request->buffer.clear();
                const QList<QByteArray> parts = requestLine.split(' ');
                if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.")) {
                    answer(400, QByteArray(), QByteArray());
                    return;
                }
                const QByteArray &method = parts.at(0);
                QByteArray path = parts.at(1);
                if (const qsizetype q = path.indexOf('?'); q >= 0)
                    path.truncate(q);
                if (method != "GET" && method != "HEAD")
                    answer(405, method, path);
                else if (path != "/metrics")
                    answer(404, method, path);
                else
                    answer(200, method, path);
            });
        }
    });
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
