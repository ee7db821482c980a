#pragma once

#include "expected.h"

#include <QSslConfiguration>
#include <QTcpServer>

#include <optional>

namespace gw::sim {

//! The server side of TLS for the simulator's listeners: a PEM certificate and its PEM private
//! key read into one configuration (no client certificates asked for). An error says which file
//! and why; it never contains the key.
[[nodiscard]] Expected<QSslConfiguration, QString> loadServerTls(const QString &certFile, const QString &keyFile);

//! A QTcpServer that, once given a TLS configuration, hands out QSslSocket connections whose
//! server handshake has started: whoever reads them (QWebSocketServer::handleConnection, the
//! HTTP server) sees only decrypted bytes. Without one it is a plain QTcpServer.
class TlsTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsTcpServer)

public:
    explicit TlsTcpServer(QObject *parent = nullptr);
    ~TlsTcpServer() override;

    void setTls(std::optional<QSslConfiguration> tls);
    [[nodiscard]] bool isTls() const { return m_tls.has_value(); }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
};

} // namespace gw::sim
