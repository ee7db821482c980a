#pragma once

// Internal to core/sim: one socket's outbound queue.

#include <QByteArray>
#include <QString>
#include <QTimer>

#include <chrono>
#include <deque>

namespace gw::sim {

class State;
struct Connection;

//! Everything the simulator sends on one socket leaves through here, in order: dispatches,
//! HELLO, ACKs, op 1/7/9 and the close frame. Unpaced (Options::outboundRate 0) a payload is
//! written at once, as a plain socket would; paced, the queue drains `rate` messages per second
//! (each its own frame and its own write), so a burst backs up and an ACK waits behind it, as on
//! a loaded Discord gateway. ACKs can also be held back (Options::ackDelay) before they join the
//! queue. Nothing follows a close frame; nothing is written on a silent or closed socket.
class Outbound final
{
    Q_DISABLE_COPY_MOVE(Outbound)

public:
    Outbound(State &state, Connection &c, QObject *context);
    ~Outbound() = default;

    void push(const QByteArray &payload);
    void pushClose(int code, const QString &reason);
    //! An op 11 for a heartbeat that just arrived, after the connection's ACK delay.
    void pushAck();
    //! Forgets what is queued and held (socket gone or silent).
    void clear();
    [[nodiscard]] int queued() const { return static_cast<int>(m_queue.size()); }

private:
    using Clock = std::chrono::steady_clock;
    struct Item
    {
        QByteArray payload;
        int closeCode = 0;  //!< non-zero: a close frame with `reason`
        QString reason;
    };

    void enqueue(Item item);
    void drain();
    void write(const Item &item, bool paced);
    void releaseAcks();
    [[nodiscard]] bool writable() const;

    State &m_state;
    Connection &m_c;
    std::deque<Item> m_queue;
    bool m_closeQueued = false;
    Clock::time_point m_nextSlot;          //!< paced: when the next message may be written
    QTimer m_paceTimer;                    //!< paced: wakes up at m_nextSlot
    std::deque<Clock::time_point> m_ackDue;
    QTimer m_ackTimer;                     //!< wakes up when the oldest held ACK is due
};

} // namespace gw::sim
