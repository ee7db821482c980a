#pragma once

#include "gatewayclient.h"
#include "gatewaypayload.h"
#include "sendlimiter.h"
#include "streaminflater.h"
#include "websocketconnection_p.h"

#include <QAbstractSocket>
#include <QTimer>

#include <memory>
#include <optional>

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

//! The WebSocket side of a GatewayClient: one WebSocketConnection at a time, its handshake
//! timeout, messages in (zlib-/zstd-stream decompression through a StreamInflater, size cap,
//! envelope decode) and messages out (the send budget). Not a QObject: a member of
//! GatewayClient::Private, which it tells about the socket through Events. Every socket gets a
//! new generation(); a detached socket is never heard from again.
class GatewayTransport final : private WebSocketConnection::Listener
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
    //! Silent: the current socket no longer reaches us (it dies with `context`).
    ~GatewayTransport() override;
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
    //! receive() for input that did not come from the socket (GatewayClient's test seam): from
    //! then on, send() reports frames the budget allowed as sent even while no socket is open.
    void receiveInjected(const QByteArray &wire, bool binary)
    {
        m_injected = true;
        receive(wire, binary);
    }

private:
    void webSocketOpened() override;
    void webSocketMessage(const QByteArray &message, bool binary) override;
    void webSocketEnded(const WebSocketEnd &end) override;
    void handleHandshakeTimeout();
    //! The inflated (or plain) JSON of one message; nullopt when the message ends here.
    std::optional<QByteArray> inflate(const QByteArray &wire, bool binary);

    const GatewayClientConfig &m_config;
    GatewayStats &m_stats;
    RateLimitedWarning &m_warnings;
    Events &m_events;
    QObject *const m_context;

    WebSocketConnection *m_socket = nullptr;
    QUrl m_url;
    quint64 m_generation = 0;
    std::unique_ptr<StreamInflater> m_inflater;  //!< per config.compression; null for None
    SendLimiter m_limiter;
    bool m_injected = false;
    QTimer m_handshakeTimer;         //!< TCP + TLS + WebSocket upgrade
};

} // namespace gw
