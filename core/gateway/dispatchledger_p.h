#pragma once

#include "gatewaytypes.h"

#include <QElapsedTimer>

#include <array>
#include <optional>

namespace gw {

//! The dispatch accounting of one client (docs/protocol.md, sequence integrity): live and
//! replayed counts, live gaps, duplicates, the shortfall of each replay, sessions replaced by a
//! fresh IDENTIFY, the time of the last dispatch and a 60-slot per-second ring for
//! GatewayStats::dispatchesLastMinute.
//! Not a QObject: a member of GatewayClient::Private, which owns the sequence (SessionState)
//! and emits the signals. The per-dispatch path is integer arithmetic on members and one
//! monotonic clock read; wall-clock figures are derived when stats are read (settle()).
class DispatchLedger final
{
public:
    //! A live sequence gap: `expected` = last + 1, `got` = s; got − expected events are lost.
    struct Gap
    {
        qint64 expected = -1;
        qint64 got = -1;
    };
    //! Where one dispatch's s lands after the session's last sequence.
    struct Step
    {
        bool advance = false;     //!< s moves the sequence forward: the caller records it
        std::optional<Gap> gap;   //!< live mode only (a replay's gaps go into its outcome)
    };
    //! A session replaced by a fresh IDENTIFY: events between the two were never delivered.
    struct Replacement
    {
        QDateTime gapFrom;        //!< the old session's last dispatch (or its drop, when none)
        QDateTime gapTo;          //!< READY of the new session
    };

    explicit DispatchLedger(GatewayStats &stats);
    Q_DISABLE_COPY_MOVE(DispatchLedger)

    //! One dispatch arrived; `replay`: between op 6 and RESUMED (RESUMED itself is live).
    void count(bool replay);
    //! Sequence `s` after `last` (−1 = none yet). s ≤ last is a duplicate (counted; the
    //! sequence stays); s > last + 1 is a gap: in live mode counted in eventsLost and returned,
    //! inside a replay added to that replay's shortfall.
    [[nodiscard]] Step place(qint64 s, qint64 last, bool replay);

    //! op 6 went out carrying `resumeSeq` (R).
    void beginReplay(qint64 resumeSeq);
    //! RESUMED arrived with its own s (`resumedSeq`, nullopt when it had none). Adds the
    //! outcome's `lost` to eventsLost.
    [[nodiscard]] ResumeOutcome endReplay(std::optional<qint64> resumedSeq);

    //! A session that had a sequence is being dropped (op 9 d:false, a NewSession close, a
    //! fresh IDENTIFY asked for); the first drop before the next READY is the one remembered.
    void sessionDropped();
    //! READY: the pending replacement, if a session was dropped since (unknownGaps counted).
    [[nodiscard]] std::optional<Replacement> takeReplacement();

    //! Bring GatewayStats::lastDispatchAt and dispatchesLastMinute up to now.
    void settle();

private:
    void advanceTo(qint64 second);
    [[nodiscard]] QDateTime wallClockOf(qint64 monoMs) const;

    static constexpr int RingSeconds = 60;

    GatewayStats &m_stats;
    QElapsedTimer m_mono;
    std::array<quint32, RingSeconds> m_slots{};
    qint64 m_second = -RingSeconds;  //!< the (monotonic) second of the newest slot
    int m_sum = 0;
    qint64 m_lastDispatchMono = -1;  //!< ms on m_mono; −1 before the first dispatch
    qint64 m_settledDispatchMono = -1;

    qint64 m_resumeSeq = -1;         //!< R of the replay in progress
    int m_replayed = 0;
    int m_replayDuplicates = 0;
    qint64 m_replayGapLost = 0;

    std::optional<QDateTime> m_replacedFrom;
};

} // namespace gw
