#include "tlsstream_p.h"

#include <QHostAddress>
#include <QTcpSocket>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdlib>

namespace gw {

namespace {

//! What the BIO reads from and writes to.
struct BioTarget
{
    QTcpSocket *socket = nullptr;
    bool ended = false;  //!< the TCP stream ended (EOF or error) under OpenSSL
};

//! A BIO over an unbuffered QTcpSocket: reads and writes go straight to the kernel.
struct SocketBio
{
    static int write(BIO *bio, const char *data, int size)
    {
        BIO_clear_retry_flags(bio);
        auto *target = static_cast<BioTarget *>(BIO_get_data(bio));
        const qint64 n = target->socket->write(data, size);
        if (n < 0)
            target->ended = true;
        return n < 0 ? -1 : int(n);
    }

    static int read(BIO *bio, char *data, int size)
    {
        BIO_clear_retry_flags(bio);
        auto *target = static_cast<BioTarget *>(BIO_get_data(bio));
        const qint64 n = target->socket->read(data, size);
        if (n > 0)
            return int(n);
        if (n == 0) {
            BIO_set_retry_read(bio);
            return -1;
        }
        target->ended = true;
        return 0;
    }

    static long ctrl(BIO *, int cmd, long, void *) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

    static int create(BIO *bio)
    {
        BIO_set_init(bio, 1);
        return 1;
    }

    static BIO_METHOD *method()
    {
        static BIO_METHOD *const m = [] {
            BIO_METHOD *made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gatewatch socket");
            BIO_meth_set_write(made, &SocketBio::write);
            BIO_meth_set_read(made, &SocketBio::read);
            BIO_meth_set_ctrl(made, &SocketBio::ctrl);
            BIO_meth_set_create(made, &SocketBio::create);
            return made;
        }();
        return m;
    }
};

//! The process's one client context. The system's CA directory is looked up per verification
//! (hashed names), so no bundle is parsed up front; SSL_CERT_DIR and SSL_CERT_FILE are honoured
//! as OpenSSL's own tools honour them.
SSL_CTX *sharedContext()
{
    static SSL_CTX *const ctx = [] {
        SSL_CTX *made = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(made, TLS1_2_VERSION);
        SSL_CTX_set_mode(made, SSL_MODE_RELEASE_BUFFERS);
        // One read(2) for whatever records are waiting, not one for each header and body.
        SSL_CTX_set_read_ahead(made, 1);
        SSL_CTX_set_session_cache_mode(made, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nullptr);
        const char *dir = std::getenv(X509_get_default_cert_dir_env());
        SSL_CTX_load_verify_dir(made, dir ? dir : X509_get_default_cert_dir());
        if (const char *file = std::getenv(X509_get_default_cert_file_env()))
            SSL_CTX_load_verify_file(made, file);
        ERR_clear_error();  // a missing directory is not an error until a verification needs it
        return made;
    }();
    return ctx;
}

} // namespace

struct TlsStream::Ssl
{
    SSL *ssl = nullptr;
    BioTarget target;

    ~Ssl() { SSL_free(ssl); }  // frees the BIO too
};

TlsStream::TlsStream(QTcpSocket &socket, const QString &host) : m_ssl(std::make_unique<Ssl>())
{
    m_ssl->target.socket = &socket;
    SSL *ssl = SSL_new(sharedContext());
    m_ssl->ssl = ssl;
    BIO *bio = BIO_new(SocketBio::method());
    BIO_set_data(bio, &m_ssl->target);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_connect_state(ssl);
    const QByteArray name = host.toUtf8();
    if (QHostAddress().setAddress(host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.constData());
    } else {
        SSL_set1_host(ssl, name.constData());
        // SSL_set_tlsext_host_name() is this call behind a C cast.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(name.constData()));
    }
}

TlsStream::~TlsStream() = default;

TlsStream::Result TlsStream::handshake()
{
    ERR_clear_error();
    const int r = SSL_do_handshake(m_ssl->ssl);
    return r == 1 ? Result::Done : fail(r, "handshake");
}

TlsStream::Result TlsStream::read(char *data, qint64 size, qint64 *got)
{
    ERR_clear_error();
    size_t n = 0;
    if (SSL_read_ex(m_ssl->ssl, data, size_t(size), &n) == 1) {
        *got = qint64(n);
        return Result::Done;
    }
    return fail(0, "read");
}

TlsStream::Result TlsStream::write(const char *data, qint64 size)
{
    ERR_clear_error();
    size_t n = 0;
    if (SSL_write_ex(m_ssl->ssl, data, size_t(size), &n) == 1)
        return Result::Done;
    return fail(0, "write");
}

void TlsStream::shutdown()
{
    ERR_clear_error();
    SSL_shutdown(m_ssl->ssl);
    ERR_clear_error();
}

TlsStream::Result TlsStream::fail(int sslResult, const char *during)
{
    const int error = SSL_get_error(m_ssl->ssl, sslResult);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)
        return Result::WouldBlock;
    if (error == SSL_ERROR_ZERO_RETURN) {
        m_error = QStringLiteral("the server ended the TLS session");
        return Result::Closed;
    }
    const long verify = SSL_get_verify_result(m_ssl->ssl);
    if (verify != X509_V_OK) {
        m_error = QStringLiteral("TLS certificate verification failed: %1")
                      .arg(QLatin1StringView(X509_verify_cert_error_string(verify)));
    } else if (m_ssl->target.ended) {
        m_error = m_ssl->target.socket->errorString();
        ERR_clear_error();
        return Result::Closed;
    } else {
        char text[256] = {};
        ERR_error_string_n(ERR_peek_last_error(), text, sizeof text);
        m_error = QStringLiteral("TLS %1 failed: %2").arg(QLatin1StringView(during), QLatin1StringView(text));
    }
    ERR_clear_error();
    return Result::Failed;
}

int TlsStream::addTrustedCertificates(const QList<QByteArray> &der)
{
    X509_STORE *store = SSL_CTX_get_cert_store(sharedContext());
    int added = 0;
    for (const QByteArray &one : der) {
        const auto *p = reinterpret_cast<const unsigned char *>(one.constData());
        X509 *cert = d2i_X509(nullptr, &p, long(one.size()));
        if (cert && X509_STORE_add_cert(store, cert) == 1)
            ++added;
        X509_free(cert);
    }
    ERR_clear_error();
    return added;
}

} // namespace gw
