#pragma once

#include "gatewaytimings.h"
#include "gatewaytypes.h"
#include "latencystats.h"

#include <QElapsedTimer>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace gw {

//! The heartbeat of one socket (docs/protocol.md, heartbeats): the interval from HELLO, the
//! jittered first beat, the zombie verdict at each tick, the ACK deadline that makes a Ready
//! client Degraded, and the latency samples behind GatewayStats' last/mean/p95.
//! Not a QObject: a member of GatewayClient::Private, which sends the beats and emits the
//! signals; this class decides when and keeps the figures.
class Heartbeat final
{
public:
    //! What a tick of the beat timer means.
    enum class Tick {
        Beat,    //!< send a beat now (the next tick is already scheduled)
        Zombie,  //!< the previous beat is still un-ACKed: the connection is a zombie
    };

    //! `onTick` runs when a beat is due, `onAckOverdue` when an ACK is later than the deadline.
    Heartbeat(const GatewayTimings &timings, GatewayStats &stats, QObject *context, std::function<void()> onTick,
              std::function<void()> onAckOverdue);
    Q_DISABLE_COPY_MOVE(Heartbeat)

    //! A new socket: no interval, no beat in flight. The latency window is kept.
    void reset();
    void stop();
    //! HELLO: record `interval`; the first beat comes after interval × `jitter` (jitter in [0, 1)).
    void start(std::chrono::milliseconds interval, double jitter);
    //! The beat timer fired: Zombie (counted in stats) when the previous beat is un-ACKed;
    //! otherwise the next tick is scheduled and the caller sends a beat.
    [[nodiscard]] Tick tick();
    //! A beat went out: an ACK is expected, its deadline runs.
    void beatSent();
    //! An ACK arrived: its latency (stats updated), or nullopt when no beat was in flight.
    [[nodiscard]] std::optional<std::chrono::milliseconds> acknowledged();

    [[nodiscard]] bool awaitingAck() const { return m_awaitingAck; }
    [[nodiscard]] std::chrono::milliseconds interval() const { return m_interval; }

private:
    void startBeatTimer(std::chrono::milliseconds delay);

    //! How many ACK latencies feed mean/p95: 20, more than the 10 recent beats the health
    //! figures are meant to cover.
    static constexpr std::size_t LatencySamples = 20;

    const GatewayTimings &m_timings;
    GatewayStats &m_stats;
    bool m_awaitingAck = false;
    qint64 m_beatSentNs = 0;
    std::chrono::milliseconds m_interval{0};
    QElapsedTimer m_mono;
    LatencyWindow m_latencies{LatencySamples};
    QTimer m_beatTimer;        //!< next beat (first one jittered)
    QTimer m_ackOverdueTimer;  //!< ACK late → Degraded
};

} // namespace gw
