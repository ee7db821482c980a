#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <memory>

class QTcpSocket;
struct wslay_event_context;

namespace gw {

class TlsStream;

//! How a WebSocket connection ended, as its listener hears it (once).
struct WebSocketEnd
{
    enum class Kind {
        NeverOpened,   //!< TCP, TLS or the HTTP upgrade failed: `reason` says how
        Dropped,       //!< the stream ended without a close frame: `reason` says how
        ServerClosed,  //!< the server sent a close frame: `code` and `reason` are its
        ClientFailed,  //!< we failed the connection (message over the cap: 1009, bad framing: 1002)
    };
    Kind kind = Kind::Dropped;
    int code = 0;
    QString reason;
};

//! One client WebSocket (RFC 6455) over ws:// or wss://: an unbuffered QTcpSocket, TLS through
//! TlsStream for wss://, the HTTP upgrade, and framing by wslay (masking, fragments, ping/pong,
//! the close handshake, the message-size cap). Nothing of the stream is buffered between the
//! kernel and the listener but wslay's own frame buffer and the message being reassembled.
//! Messages reach the listener synchronously, as views valid for the call only.
class WebSocketConnection final : public QObject
{
    Q_OBJECT

public:
    class Listener
    {
    public:
        virtual void webSocketOpened() = 0;
        //! `message` is valid only during the call.
        virtual void webSocketMessage(const QByteArray &message, bool binary) = 0;
        virtual void webSocketEnded(const WebSocketEnd &end) = 0;

    protected:
        Listener() = default;
        virtual ~Listener() = default;
        Q_DISABLE_COPY_MOVE(Listener)
    };

    //! Messages (after reassembly) above `maxMessageSize` bytes fail the connection with 1009.
    WebSocketConnection(qint64 maxMessageSize, QObject *parent);
    ~WebSocketConnection() override;
    Q_DISABLE_COPY_MOVE(WebSocketConnection)

    //! Null: nothing more is reported (the connection may still finish its close handshake).
    void setListener(Listener *listener) { m_listener = listener; }
    void open(const QUrl &url);
    [[nodiscard]] bool isOpen() const { return m_phase == Phase::Open; }
    //! One text frame; false when the connection is not open.
    bool sendText(const QByteArray &payload);
    //! Starts the close handshake (open) or aborts (not yet open); finished() follows.
    void close(int code, const QString &reason);
    //! Drops the TCP connection now, without a close frame; finished() follows.
    void abort();

    //! Read batching (docs/architecture.md, "Read batching"): once data arrives less than
    //! `window` after the previous data, reads wait until `window` has passed or ReadBatchBytes
    //! are queued, so one wake-up serves every message of a busy stream instead of one each; the
    //! first read that finds nothing ends it. Zero (the default) reads on every packet.
    void setReadBatchWindow(std::chrono::milliseconds window);
    //! While true, every packet is read as it arrives (a reply whose arrival time is measured is
    //! awaited); batching resumes after the next read once it is false again.
    void setPromptReads(bool prompt);
    [[nodiscard]] bool isBatchingReads() const { return m_batching; }

Q_SIGNALS:
    //! The TCP connection is gone; the object may be deleted.
    void finished();

private:
    enum class Phase { Idle, Connecting, Tls, Upgrade, Open, Closing, Done };

    void handleTcpConnected();
    void handleReadyRead();
    void handleSocketError();
    void advanceTls();
    void sendUpgrade();
    void readUpgrade();
    bool acceptUpgrade(const QByteArray &head);
    void startFraming();
    void pump();
    //! After a read in the open phase: batch the next one, or read on every packet again.
    void scheduleNextRead();
    void stopBatching();
    void setLowWater(int bytes);
    //! Bytes from the stream (plain or decrypted): > 0 read, 0 nothing now, -1 ended.
    qint64 rawRead(char *data, qint64 size);
    bool rawWrite(const char *data, qint64 size);
    void flushFrames();
    void report(const WebSocketEnd &end);
    void finishTcp();

    friend struct WslayCallbacks;  // wslay calls back into the members below

    const qint64 m_maxMessageSize;
    Listener *m_listener = nullptr;
    Phase m_phase = Phase::Idle;
    QUrl m_url;
    QTcpSocket *m_socket = nullptr;
    std::unique_ptr<TlsStream> m_tls;
    wslay_event_context *m_ws = nullptr;
    QByteArray m_inbox;         //!< the upgrade response; then bytes read past it, for wslay
    QByteArray m_key;           //!< Sec-WebSocket-Key sent
    bool m_drained = false;     //!< the last read this wake-up came back short: the kernel is empty
    qint64 m_readThisWakeUp = 0;
    std::chrono::milliseconds m_batchWindow{0};
    QTimer m_batchTimer;
    std::chrono::steady_clock::time_point m_lastDataAt;  //!< the last unbatched read that found data
    bool m_batching = false;    //!< SO_RCVLOWAT raised, m_batchTimer running
    bool m_prompt = false;
    bool m_streamEnded = false; //!< EOF or a read/write error under wslay
    QString m_streamError;
    bool m_reported = false;
    bool m_inPump = false;      //!< inside wslay_event_recv: frames queued meanwhile go out after it
    int m_closeCode = 0;        //!< from the server's close frame
    QString m_closeReason;
};

} // namespace gw
