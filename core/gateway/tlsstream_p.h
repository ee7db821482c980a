#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

class QTcpSocket;

namespace gw {

//! Client TLS for the gateway socket, done with OpenSSL directly rather than QSslSocket
//! (docs/performance-memory.md says why): every connection of the process shares ONE SSL_CTX
//! (the system's trust store, looked up on demand, plus any extra CA certificates), with
//! SSL_MODE_RELEASE_BUFFERS so an idle connection keeps no record buffers. The ciphertext goes
//! straight between OpenSSL and an *unbuffered* QTcpSocket through a BIO of our own, so no
//! second copy of the stream is buffered anywhere.
class TlsStream final
{
public:
    enum class Result {
        Done,        //!< handshake complete / bytes moved
        WouldBlock,  //!< needs more bytes from the peer
        Closed,      //!< the peer ended the TLS session (close_notify) or the TCP stream
        Failed,      //!< protocol or certificate failure: errorString() says which
    };

    //! `socket` must be connected, opened Unbuffered, and outlive the stream. `host` is what the
    //! certificate must name (a DNS name, or an IP address literal) and the SNI sent.
    TlsStream(QTcpSocket &socket, const QString &host);
    ~TlsStream();
    Q_DISABLE_COPY_MOVE(TlsStream)

    Result handshake();
    //! Up to `size` decrypted bytes into `data`; `*got` is set when the result is Done.
    Result read(char *data, qint64 size, qint64 *got);
    //! Encrypts and writes all of `data` (the unbuffered socket queues what the kernel refuses).
    Result write(const char *data, qint64 size);
    //! Sends close_notify; the TCP stream is the caller's to close.
    void shutdown();

    [[nodiscard]] QString errorString() const { return m_error; }

    //! Adds CA certificates (DER) to the shared context; returns how many were accepted.
    //! Connections opened afterwards trust them.
    static int addTrustedCertificates(const QList<QByteArray> &der);

private:
    Result fail(int sslResult, const char *during);

    struct Ssl;
    std::unique_ptr<Ssl> m_ssl;
    QString m_error;
};

} // namespace gw
