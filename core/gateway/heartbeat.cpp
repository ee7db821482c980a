#include "heartbeat_p.h"

#include "backoff.h"
#include "logging.h"

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

Heartbeat::Heartbeat(const GatewayTimings &timings, GatewayStats &stats, QObject *context,
                     std::function<void()> onTick, std::function<void()> onAckOverdue)
    : m_timings(timings), m_stats(stats)
{
    m_mono.start();
    m_beatTimer.setSingleShot(true);
    m_beatTimer.setTimerType(Qt::PreciseTimer);
    m_beatTimer.callOnTimeout(context, std::move(onTick));
    m_ackOverdueTimer.setSingleShot(true);
    m_ackOverdueTimer.callOnTimeout(context, std::move(onAckOverdue));
}

void Heartbeat::reset()
{
    m_awaitingAck = false;
    m_oldestUnackedNs = 0;
    m_lastBeatNs = 0;
    m_bytesAtBeat = m_stats.bytesReceivedWire;
    m_interval = 0ms;
}

void Heartbeat::stop()
{
    m_beatTimer.stop();
    m_ackOverdueTimer.stop();
}

void Heartbeat::start(std::chrono::milliseconds interval, double jitter)
{
    m_interval = interval;
    m_stats.heartbeatInterval = interval;
    // First beat at interval × jitter, jitter uniform in [0, 1) (docs/protocol.md, heartbeats).
    startBeatTimer(uniformDelay(0ms, interval, jitter));
}

Heartbeat::Tick Heartbeat::tick()
{
    if (!m_awaitingAck) {
        startBeatTimer(m_interval);
        return Tick::Beat;
    }
    // The previous beat is still un-ACKed at the next tick (docs/protocol.md, heartbeats).
    ++m_stats.missedAcks;
    if (!dataSinceBeat()) {
        ++m_stats.zombies;
        qCWarning(lcHeartbeat) << "zombie connection: heartbeat not acknowledged within" << m_interval.count()
                               << "ms and nothing received since it was sent";
        return Tick::Zombie;
    }
    if (m_stats.missedAcks >= ZombieTicks) {
        ++m_stats.zombies;
        qCWarning(lcHeartbeat) << "zombie connection: no heartbeat ACK for" << m_stats.missedAcks
                               << "intervals although data still arrives";
        return Tick::Zombie;
    }
    qCInfo(lcHeartbeat) << "heartbeat ACK late, data still flowing; beating on";
    startBeatTimer(m_interval);
    return Tick::Late;
}

void Heartbeat::beatSent(bool requested)
{
    const qint64 now = m_mono.nsecsElapsed();
    if (!m_awaitingAck) {
        m_awaitingAck = true;
        m_oldestUnackedNs = now;
        // Overdue when the ACK takes longer than the latency threshold (or a quarter interval).
        m_ackOverdueTimer.start(std::max(m_timings.latencyWarning, m_interval / 4));
    }
    m_lastBeatNs = now;
    m_bytesAtBeat = m_stats.bytesReceivedWire;
    ++m_stats.heartbeatsSent;
    if (requested && m_interval > 0ms)
        startBeatTimer(m_interval);
}

bool Heartbeat::mayAnswerRequest() const
{
    if (!m_awaitingAck)
        return true;
    if (m_interval <= 0ms)
        return false;
    const auto sinceBeat = std::chrono::nanoseconds(m_mono.nsecsElapsed() - m_lastBeatNs);
    return sinceBeat >= m_interval / 4;
}

std::optional<std::chrono::milliseconds> Heartbeat::acknowledged()
{
    if (!m_awaitingAck)
        return std::nullopt;  // unsolicited ACK: harmless
    m_awaitingAck = false;
    m_ackOverdueTimer.stop();
    const auto latency = std::chrono::milliseconds((m_mono.nsecsElapsed() - m_oldestUnackedNs) / 1'000'000);
    m_stats.missedAcks = 0;
    ++m_stats.acksReceived;
    m_stats.lastAckAt = QDateTime::currentDateTimeUtc();
    m_latencies.add(latency);
    const LatencySummary summary = m_latencies.summary();
    m_stats.lastLatency = summary.last;
    m_stats.meanLatency = summary.mean;
    m_stats.p95Latency = summary.p95;
    return latency;
}

//! Real-world intervals (>= 20 s) run on a very coarse timer: Qt fires those on whole seconds,
//! so the beats of many sessions share one wake-up of the worker thread instead of one each
//! (idle CPU with 1,000 sessions, docs/performance.md). Started 500 ms early so the rounding
//! never makes a beat late. Short (test) intervals stay precise.
void Heartbeat::startBeatTimer(std::chrono::milliseconds delay)
{
    if (m_interval >= 20s) {
        m_beatTimer.setTimerType(Qt::VeryCoarseTimer);
        m_beatTimer.start(std::max(delay - 500ms, std::chrono::milliseconds{0}));
    } else {
        m_beatTimer.setTimerType(Qt::PreciseTimer);
        m_beatTimer.start(delay);
    }
}

} // namespace gw
