#pragma once

#include <QList>
#include <QSslCertificate>

namespace gw {

//! Adds `extra` to the CA certificates trusted by every TLS connection the process opens from
//! now on: the gateway WebSocket (wss://) and REST (https://). It builds ONE QSslConfiguration —
//! the system's CA certificates plus `extra` — and installs it as the process default, which
//! every QWebSocket and QNetworkRequest copies (an implicitly shared copy, not a new
//! configuration per socket). Call it before the first connection; calling it again adds more.
//! Returns the number of CA certificates now trusted.
int trustExtraCaCertificates(const QList<QSslCertificate> &extra);

} // namespace gw
