#include "simoutbound_p.h"

#include "simprotocol_p.h"
#include "simstate_p.h"

#include <QWebSocket>

namespace gw::sim {

namespace {

//! A timer interval covering `d`, rounded up to whole milliseconds.
std::chrono::milliseconds ceilMs(std::chrono::steady_clock::duration d)
{
    return std::max(std::chrono::ceil<std::chrono::milliseconds>(d), std::chrono::milliseconds{0});
}

} // namespace

Outbound::Outbound(State &state, Connection &c, QObject *context)
    : m_state(state)
    , m_c(c)
{
    m_paceTimer.setSingleShot(true);
    m_paceTimer.setTimerType(Qt::PreciseTimer);
    m_paceTimer.callOnTimeout(context, [this] { drain(); });
    m_ackTimer.setSingleShot(true);
    m_ackTimer.setTimerType(Qt::PreciseTimer);
    m_ackTimer.callOnTimeout(context, [this] { releaseAcks(); });
}

bool Outbound::writable() const
{
    return !m_c.silent && m_c.socket && m_c.info.open;
}

void Outbound::push(const QByteArray &payload)
{
    enqueue(Item{payload, 0, {}});
}

void Outbound::pushClose(int code, const QString &reason)
{
    enqueue(Item{{}, code, reason});
}

void Outbound::enqueue(Item item)
{
    if (!writable() || m_closeQueued)
        return;
    m_closeQueued = item.closeCode != 0;
    const auto now = Clock::now();
    if (m_queue.empty() && m_nextSlot < now)
        m_nextSlot = now;  // idle: no credit saved up for a later burst
    m_queue.push_back(std::move(item));
    if (!m_paceTimer.isActive())
        drain();
}

void Outbound::pushAck()
{
    const auto delay = m_state.ackDelayFor(m_c);
    if (delay <= std::chrono::milliseconds{0}) {
        push(envelope(11, "null"));
        return;
    }
    m_ackDue.push_back(Clock::now() + delay);
    if (!m_ackTimer.isActive())
        m_ackTimer.start(delay);
}

void Outbound::releaseAcks()
{
    const auto now = Clock::now();
    while (!m_ackDue.empty() && m_ackDue.front() <= now) {
        m_ackDue.pop_front();
        if (!m_c.stopAcks)  // StopAcks also swallows the ACKs still held back
            push(envelope(11, "null"));
    }
    if (!m_ackDue.empty())
        m_ackTimer.start(ceilMs(m_ackDue.front() - now));
}

void Outbound::drain()
{
    const int rate = m_state.outboundRateFor(m_c);
    if (rate <= 0) {
        while (!m_queue.empty()) {
            const Item item = std::move(m_queue.front());
            m_queue.pop_front();
            write(item, false);
        }
        return;
    }
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds{1}) / rate;
    const auto now = Clock::now();
    while (!m_queue.empty() && m_nextSlot <= now) {
        const Item item = std::move(m_queue.front());
        m_queue.pop_front();
        m_nextSlot += period;
        write(item, true);
    }
    if (!m_queue.empty())
        m_paceTimer.start(ceilMs(m_nextSlot - now));
}

void Outbound::write(const Item &item, bool paced)
{
    if (!writable()) {
        clear();
        return;
    }
    QWebSocket *socket = m_c.socket.data();
    if (item.closeCode != 0) {
        m_queue.clear();
        socket->close(static_cast<QWebSocketProtocol::CloseCode>(item.closeCode), item.reason);
        return;
    }
    if (!m_c.info.compressed) {
        socket->sendTextMessage(QString::fromUtf8(item.payload));
    } else {
        const QByteArray z = m_c.deflater->compress(item.payload);
        if (m_state.options.splitCompressedMessages && z.size() > 4) {
            const qsizetype half = z.size() / 2;
            socket->sendBinaryMessage(z.left(half));
            socket->sendBinaryMessage(z.mid(half));
        } else {
            socket->sendBinaryMessage(z);
        }
    }
    if (paced)
        socket->flush();  // its own write, not coalesced with the next message
}

void Outbound::clear()
{
    m_queue.clear();
    m_ackDue.clear();
    m_paceTimer.stop();
    m_ackTimer.stop();
}

} // namespace gw::sim
