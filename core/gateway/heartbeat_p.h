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
//! jittered first beat, the verdict at each tick, the ACK deadline that makes a Ready client
//! Degraded, and the latency samples behind GatewayStats' last/mean/p95.
//!
//! Verdicts are load-proof: a beat still un-ACKed at the next tick is a zombie only when no
//! frame at all arrived since it was sent (a silent socket: detected as fast as ever), or when
//! three ticks in a row found the beat un-ACKed. While frames keep arriving an ACK queued behind
//! them is just late (Tick::Late: Degraded, beat as usual). Whether frames arrived is read from
//! GatewayStats::bytesReceivedWire, so the frame-in path pays nothing for it.
//! Not a QObject: a member of GatewayClient::Private, which sends the beats and emits the
//! signals; this class decides when and keeps the figures.
class Heartbeat final
{
public:
    //! What a tick of the beat timer means.
    enum class Tick {
        Beat,    //!< send a beat now (the next tick is already scheduled)
        Late,    //!< the previous beat is un-ACKed but frames arrived since: Degraded, send a beat
        Zombie,  //!< un-ACKed and silent since the beat, or un-ACKed for ZombieTicks ticks
    };

    //! Ticks in a row with the beat un-ACKed (frames arriving or not) that make a zombie.
    static constexpr int ZombieTicks = 3;

    //! `onTick` runs when a beat is due, `onAckOverdue` when an ACK is later than the deadline.
    Heartbeat(const GatewayTimings &timings, GatewayStats &stats, QObject *context, std::function<void()> onTick,
              std::function<void()> onAckOverdue);
    Q_DISABLE_COPY_MOVE(Heartbeat)

    //! A new socket: no interval, no beat in flight. The latency window is kept.
    void reset();
    void stop();
    //! HELLO: record `interval`; the first beat comes after interval × `jitter` (jitter in [0, 1)).
    void start(std::chrono::milliseconds interval, double jitter);
    //! The beat timer fired: the verdict (a Zombie is counted in stats); for Beat and Late the
    //! next tick is scheduled and the caller sends a beat.
    [[nodiscard]] Tick tick();
    //! A beat went out: an ACK is expected, its deadline runs (from the oldest un-ACKed beat).
    //! A `requested` beat (op 1) restarts the schedule: the next tick is one interval after it,
    //! so a tick never judges a beat younger than one interval.
    void beatSent(bool requested);
    //! An ACK arrived: it acknowledges every beat in flight; its latency is measured from the
    //! oldest of them (stats updated). nullopt when no beat was in flight.
    [[nodiscard]] std::optional<std::chrono::milliseconds> acknowledged();
    //! May an op 1 be answered now? Always when no beat is un-ACKed; otherwise only when the last
    //! beat went out at least interval/4 ago (never before HELLO gave an interval), so an op 1
    //! storm cannot become a heartbeat storm (heartbeats bypass the send budget).
    [[nodiscard]] bool mayAnswerRequest() const;
    //! Frames arrived since the last beat went out.
    [[nodiscard]] bool dataSinceBeat() const { return m_stats.bytesReceivedWire != m_bytesAtBeat; }

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
    qint64 m_oldestUnackedNs = 0;  //!< the first beat sent since the last ACK
    qint64 m_lastBeatNs = 0;       //!< the newest beat
    quint64 m_bytesAtBeat = 0;     //!< bytesReceivedWire when the newest beat went out
    std::chrono::milliseconds m_interval{0};
    QElapsedTimer m_mono;
    LatencyWindow m_latencies{LatencySamples};
    QTimer m_beatTimer;        //!< next beat (first one jittered)
    QTimer m_ackOverdueTimer;  //!< ACK late → Degraded
};

} // namespace gw
