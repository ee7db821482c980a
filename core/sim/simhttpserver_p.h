#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <functional>
#include <memory>

class QTcpSocket;

namespace gw {

namespace sim {
class TlsTcpServer;
}

//! One parsed HTTP/1.1 request (the simulator's REST and control endpoints).
struct SimHttpRequest
{
    QByteArray method;                  //!< "GET", "POST", …
    QUrl url;                           //!< path + query of the request target
    QHash<QByteArray, QByteArray> headers;  //!< lower-case names
    QByteArray body;
    QHostAddress peer;
};

//! The answer to one request; always sent with `Connection: close`.
struct SimHttpResponse
{
    int status = 200;
    QByteArray body;                    //!< JSON
    QByteArray contentType = QByteArrayLiteral("application/json");
    QList<std::pair<QByteArray, QByteArray>> headers;   //!< extra headers (e.g. Retry-After)
};

//! A deliberately small HTTP/1.1 server: request line, headers up to 8 KiB, a Content-Length
//! body up to 1 MiB, one request per connection (`Connection: close`). Malformed requests get
//! 400, oversized headers 431, oversized bodies 413, chunked bodies 411; a client that does not
//! finish its request within 10 s is dropped. Not exposed outside core/sim.
class SimHttpServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimHttpServer)

public:
    using Handler = std::function<SimHttpResponse(const SimHttpRequest &)>;

    explicit SimHttpServer(QObject *parent = nullptr);
    ~SimHttpServer() override;

    void setHandler(Handler handler);
    //! Serve HTTPS with this configuration (before listen()).
    void setTls(const QSslConfiguration &tls);
    bool listen(const QHostAddress &address, quint16 port);
    void close();
    [[nodiscard]] quint16 serverPort() const;
    [[nodiscard]] QString errorString() const;

    //! Reason phrase for the few status codes the simulator uses.
    static QByteArray reasonPhrase(int status);

private:
    void handleNewConnection();
    void handleReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const SimHttpResponse &response);

    sim::TlsTcpServer *m_server = nullptr;
    Handler m_handler;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};

} // namespace gw
