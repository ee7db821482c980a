#include "tlstrust.h"

#include "logging.h"
#include "tlsstream_p.h"

#include <QSslConfiguration>

namespace gw {

int trustExtraCaCertificates(const QList<QSslCertificate> &extra)
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    QList<QSslCertificate> cas = tls.caCertificates();
    // Qt loads the system's CA certificates on demand only while the list is empty; adding one
    // turns that off, so the system's go in explicitly (loaded once per process).
    if (cas.isEmpty())
        cas = QSslConfiguration::systemCaCertificates();
    cas += extra;
    tls.setCaCertificates(cas);
    QSslConfiguration::setDefaultConfiguration(tls);
    QList<QByteArray> der;
    for (const QSslCertificate &cert : extra)
        der.append(cert.toDer());
    TlsStream::addTrustedCertificates(der);
    qCInfo(lcGateway) << "TLS: trusting" << extra.size() << "extra CA certificate(s)," << cas.size() << "in all";
    return int(cas.size());
}

} // namespace gw
