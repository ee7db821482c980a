#include "dispatchledger_p.h"

#include <algorithm>

namespace gw {

DispatchLedger::DispatchLedger(GatewayStats &stats) : m_stats(stats)
{
    m_mono.start();
}

void DispatchLedger::count(bool replay)
{
    ++m_stats.dispatches;
    if (replay) {
        ++m_stats.replayedDispatches;
        ++m_replayed;
    } else {
        ++m_stats.liveDispatches;
    }
    const qint64 now = m_mono.elapsed();
    m_lastDispatchMono = now;
    const qint64 second = now / 1000;
    if (second != m_second)
        advanceTo(second);
    ++m_slots[std::size_t(second % RingSeconds)];
    m_stats.dispatchesLastMinute = ++m_sum;
}

DispatchLedger::Step DispatchLedger::place(qint64 s, qint64 last, bool replay)
{
    if (last < 0)
        return Step{true, std::nullopt};
    if (s <= last) {
        ++m_stats.duplicateDispatches;
        if (replay)
            ++m_replayDuplicates;
        return Step{false, std::nullopt};
    }
    if (s == last + 1)
        return Step{true, std::nullopt};
    const qint64 lost = s - (last + 1);
    if (replay) {
        m_replayGapLost += lost;
        return Step{true, std::nullopt};
    }
    m_stats.eventsLost += quint64(lost);
    return Step{true, Gap{last + 1, s}};
}

void DispatchLedger::beginReplay(qint64 resumeSeq)
{
    m_resumeSeq = resumeSeq;
    m_replayed = 0;
    m_replayDuplicates = 0;
    m_replayGapLost = 0;
}

ResumeOutcome DispatchLedger::endReplay(std::optional<qint64> resumedSeq)
{
    ResumeOutcome o;
    o.replayed = m_replayed;
    o.sequenceBefore = m_resumeSeq;
    o.sequenceAfter = resumedSeq.value_or(-1);
    if (resumedSeq && m_resumeSeq >= 0) {
        o.missed = std::max<qint64>(0, *resumedSeq - 1 - m_resumeSeq);
        o.lost = std::max<qint64>(0, o.missed - (m_replayed - m_replayDuplicates));
    } else {
        o.missed = -1;  // unknown: only the gaps seen inside the replay are known losses
        o.lost = m_replayGapLost;
    }
    m_stats.eventsLost += quint64(o.lost);
    beginReplay(-1);
    return o;
}

void DispatchLedger::sessionDropped()
{
    if (m_replacedFrom)
        return;
    m_replacedFrom = m_lastDispatchMono >= 0 ? wallClockOf(m_lastDispatchMono) : QDateTime::currentDateTimeUtc();
}

std::optional<DispatchLedger::Replacement> DispatchLedger::takeReplacement()
{
    if (!m_replacedFrom)
        return std::nullopt;
    Replacement r{*m_replacedFrom, QDateTime::currentDateTimeUtc()};
    m_replacedFrom.reset();
    ++m_stats.unknownGaps;
    return r;
}

void DispatchLedger::settle()
{
    const qint64 second = m_mono.elapsed() / 1000;
    if (second != m_second)
        advanceTo(second);
    m_stats.dispatchesLastMinute = m_sum;
    if (m_lastDispatchMono >= 0 && m_lastDispatchMono != m_settledDispatchMono) {
        m_stats.lastDispatchAt = wallClockOf(m_lastDispatchMono);
        m_settledDispatchMono = m_lastDispatchMono;
    }
}

//! Drop the slots of the seconds that passed since the newest one (all of them after a minute).
void DispatchLedger::advanceTo(qint64 second)
{
    if (second - m_second >= RingSeconds || second < m_second) {
        m_slots.fill(0);
        m_sum = 0;
    } else {
        for (qint64 t = m_second + 1; t <= second; ++t) {
            quint32 &slot = m_slots[std::size_t(t % RingSeconds)];
            m_sum -= int(slot);
            slot = 0;
        }
    }
    m_second = second;
}

QDateTime DispatchLedger::wallClockOf(qint64 monoMs) const
{
    const qint64 ago = m_mono.elapsed() - monoMs;
    return QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch() - ago, Qt::UTC);
}

} // namespace gw
