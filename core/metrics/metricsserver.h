#pragma once

#include "expected.h"

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace gw {

//! Where /metrics listens. Parsed from "127.0.0.1:9464", "[::1]:9464", "localhost:9464" or
//! ":9464" (loopback). Port 0 picks a free port (tests).
struct MetricsListenAddress
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 9464;

    [[nodiscard]] bool isLoopback() const { return address.isLoopback(); }
    [[nodiscard]] QString toString() const;

    //! Errors as values: "metrics.listen: …" sentences.
    static Expected<MetricsListenAddress, QString> parse(const QString &text);
};

//! A minimal HTTP/1.1 server for Prometheus scrapes on the Qt event loop (docs/metrics.md,
//! "Why not prometheus-cpp's Exposer"):
//! - `GET /metrics` (query string ignored) → 200, Content-Type text/plain; version=0.0.4,
//!   Content-Length, the body from the provider; `HEAD /metrics` → the same headers, no body;
//! - any other path → 404; any other method → 405; headers over 8 KiB → 431; a request that is
//!   not HTTP → 400; idle for 5 s before the request is complete → the socket is closed;
//! - always `Connection: close` (Prometheus opens one connection per scrape anyway);
//! - the body is rendered at most once per `bodyMaxAge` and shared by every request in that
//!   time (implicit sharing, no per-connection copy);
//! - a response is written in chunks as the client reads it, at most MaxQueuedBytes queued per
//!   connection; a client that reads nothing for `writeTimeout` is disconnected.
//! Listening on a non-loopback address is refused unless `allowNonLoopback` (then a warning is
//! logged): the metrics name every account, so they stay on the machine by default.
class MetricsServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsServer)

public:
    using BodyProvider = std::function<QByteArray()>;
    //! Connections served at once (and at most a quarter of the soft RLIMIT_NOFILE at listen(),
    //! so scrapes never take what the gateway sessions need); more are answered 503 and closed
    //! without reading a request.
    static constexpr int MaxConnections = 64;
    //! Bytes of a response queued in one connection's write buffer at most (the rest waits in
    //! the shared body until the client has read what was queued).
    static constexpr qsizetype MaxQueuedBytes = 64 * 1024;
    static constexpr std::chrono::milliseconds DefaultBodyMaxAge{1000};
    static constexpr std::chrono::milliseconds DefaultWriteTimeout{10000};

    explicit MetricsServer(QObject *parent = nullptr);
    ~MetricsServer() override;

    //! The body of successful scrapes, called on this thread at most once per bodyMaxAge.
    void setBodyProvider(BodyProvider provider, QByteArray contentType);
    //! How long a rendered body is reused for further requests (default DefaultBodyMaxAge);
    //! 0 renders a fresh body for every request (tests).
    void setBodyMaxAge(std::chrono::milliseconds maxAge);
    //! How long a client may read nothing of its response before it is disconnected (default
    //! DefaultWriteTimeout).
    void setWriteTimeout(std::chrono::milliseconds timeout);

    //! Starts listening. Errors: non-loopback address without `allowNonLoopback`, bind failure.
    Expected<bool, QString> listen(const MetricsListenAddress &where, bool allowNonLoopback = false);
    void close();
    [[nodiscard]] bool isListening() const;
    [[nodiscard]] quint16 serverPort() const;
    [[nodiscard]] QHostAddress serverAddress() const;
    //! Requests answered (any status), for tests and the log.
    [[nodiscard]] int requestsServed() const;
    //! Connections open now (at most MaxConnections), for tests.
    [[nodiscard]] int openConnections() const;

Q_SIGNALS:
    //! One request answered: method, path (without query), HTTP status.
    void requestServed(const QString &method, const QString &path, int status);
    //! accept() failed (e.g. no descriptor left); the server accepts again shortly by itself.
    void acceptFailed();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
