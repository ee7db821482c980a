#pragma once

#include "gatewayclient.h"
#include "gatewaypayload.h"
#include "sendlimiter.h"
#include "streaminflater.h"

#include <QAbstractSocket>
#include <QTimer>

#include <memory>
#include <optional>

class QWebSocket;

namespace gw {

class RateLimitedWarning;

//! Our own closes use 4000: anything but 1000/1001 keeps the session resumable
//! (docs/protocol.md, close codes).
inline constexpr int OwnCloseCode = 4000;

//! How a socket ended, as the transport saw it. GatewayClient::Private applies the close-code
//! table to it (unless `forcedAction` already decides) and reports it as one socketClosed.
struct SocketEnd
{
    std::optional<int> code;                   //!< nullopt: no close frame
    QString reason;
    CloseInitiator initiator = CloseInitiator::Transport;
    CloseCause cause = CloseCause::Transport;
    std::optional<CloseAction> forcedAction;   //!< handshake timeout, 1009, inflate error: Resume
    std::optional<GatewayError> error;         //!< the attempt's transient error, if any
};

//! The WebSocket side of a GatewayClient: one QWebSocket at a time, its handshake timeout
//! (QWebSocket has none), frames in (zlib-/zstd-stream decompression through a StreamInflater,
//! size cap, envelope decode) and frames
//! out (the send budget). Not a QObject: a member of GatewayClient::Private, which it tells about
//! the socket through Events. Every socket gets a new generation(); a detached socket is never
//! heard from again.
class GatewayTransport final
{
public:
    class Events
    {
    public:
        virtual void socketOpened() = 0;
        virtual void payloadReceived(const GatewayPayload &payload) = 0;
        virtual void socketEnded(const SocketEnd &end) = 0;

    protected:
        Events() = default;
        virtual ~Events() = default;
        Q_DISABLE_COPY_MOVE(Events)
    };

    //! `context` owns the sockets and receives their signals (the GatewayClient).
    GatewayTransport(const GatewayClientConfig &config, GatewayStats &stats, RateLimitedWarning &warnings,
                     Events &events, QObject *context);
    //! Silent: the current socket's signals no longer reach us (it dies with `context`).
    ~GatewayTransport();
    Q_DISABLE_COPY_MOVE(GatewayTransport)

    //! A new socket for `url` with fresh inflate and send-budget state; the handshake timeout
    //! runs from here. The previous socket must have been detached. open() connects it.
    void create(const QUrl &url);
    void open();
    //! Forget the current socket (the generation moves on). A connected socket is closed with
    //! `closeCode` (the close frame goes out) and deleted when done or after a grace period.
    void detach(std::optional<int> closeCode, const QString &reason = {});

    [[nodiscard]] bool hasSocket() const { return m_socket != nullptr; }
    [[nodiscard]] quint64 generation() const { return m_generation; }

    //! Send one text frame within the send budget; false (counted, logged) when refused.
    bool send(const QByteArray &payload, SendLimiter::Kind kind);
    //! The frame-in path: inflate (binary with compression on), cap, decode, then
    //! Events::payloadReceived. Malformed input is counted in stats, never fatal.
    void receive(const QByteArray &wire, bool binary);

private:
    template<typename Signal, typename Handler>
    void connectCurrent(Signal signal, Handler handler);
    void handleConnected();
    void handleDisconnected();
    void handleSocketError(QAbstractSocket::SocketError error);
    void handleHandshakeTimeout();
    //! The inflated (or plain) JSON of one message; nullopt when the message ends here.
    std::optional<QByteArray> inflate(const QByteArray &wire, bool binary);

    const GatewayClientConfig &m_config;
    GatewayStats &m_stats;
    RateLimitedWarning &m_warnings;
    Events &m_events;
    QObject *const m_context;

    QWebSocket *m_socket = nullptr;
    QUrl m_url;
    quint64 m_generation = 0;
    bool m_opened = false;
    bool m_closeFrameSeen = false;   //!< aboutToClose fired without us closing: a close frame
    QString m_lastError;
    std::unique_ptr<StreamInflater> m_inflater;  //!< per config.compression; null for None
    SendLimiter m_limiter;
    QTimer m_handshakeTimer;         //!< TCP/TLS/WS handshake (QWebSocket has none)
};

} // namespace gw
