#pragma once

#include <QList>
#include <QSslCertificate>

namespace gw {

//! Adds `extra` to the CA certificates trusted by every TLS connection the process opens from
//! now on, on both of its TLS paths: the gateway WebSocket (wss://, OpenSSL's one shared client
//! context, see tlsstream_p.h) and REST (https://, Qt's default QSslConfiguration — the system's
//! CA certificates plus `extra`, installed once for the process; every QNetworkRequest copies it
//! implicitly shared). Call it before the first connection; calling it again adds more.
//! Returns the number of CA certificates Qt's configuration now trusts.
int trustExtraCaCertificates(const QList<QSslCertificate> &extra);

} // namespace gw
