#include "simtls_p.h"

#include "logging.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

namespace gw::sim {

namespace {

Expected<QByteArray, QString> readPem(const QString &path, const char *what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read the TLS %1 file %2: %3")
                              .arg(QLatin1String(what), path, file.errorString());
    constexpr qint64 MaxPemBytes = 1 << 20;
    return file.read(MaxPemBytes);
}

} // namespace

Expected<QSslConfiguration, QString> loadServerTls(const QString &certFile, const QString &keyFile)
{
    const auto certPem = readPem(certFile, "certificate");
    if (!certPem)
        return certPem.error();
    const auto keyPem = readPem(keyFile, "key");
    if (!keyPem)
        return keyPem.error();
    const QList<QSslCertificate> chain = QSslCertificate::fromData(*certPem, QSsl::Pem);
    if (chain.isEmpty())
        return QStringLiteral("no PEM certificate in %1").arg(certFile);
    QSslKey key(*keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(*keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        return QStringLiteral("no PEM RSA or EC private key in %1").arg(keyFile);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    return tls;
}

TlsTcpServer::TlsTcpServer(QObject *parent)
    : QTcpServer(parent)
{
}

TlsTcpServer::~TlsTcpServer() = default;

void TlsTcpServer::setTls(std::optional<QSslConfiguration> tls)
{
    m_tls = std::move(tls);
}

void TlsTcpServer::incomingConnection(qintptr descriptor)
{
    if (!m_tls) {
        QTcpServer::incomingConnection(descriptor);
        return;
    }
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    socket->setSslConfiguration(*m_tls);
    // Owned by the server like QTcpServer's own sockets; whoever takes it (the WebSocket server,
    // the HTTP server) decides when it goes. A client that refuses the certificate just closes.
    connect(socket, &QSslSocket::sslErrors, socket, [](const QList<QSslError> &errors) {
        qCDebug(lcSim) << "TLS handshake errors on an incoming connection:" << errors.size();
    });
    addPendingConnection(socket);
    socket->startServerEncryption();
}

} // namespace gw::sim
