#pragma once

#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QDateTime>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace gw {

//! When the next connection attempt of a GatewayClient runs (docs/lifecycle.md, "Backoff,
//! flapping, jitter"). Two counts:
//! - failures(): consecutive attempts that did not reach READY/RESUMED; the reconnect budget;
//!   READY/RESUMED resets it;
//! - level(): the backoff exponent. Every failed attempt and every session that died before
//!   `stableAfter` raise it; only a session that stayed ready for `stableAfter` (or a new run)
//!   resets it, so a gateway that closes every session right after READY gets growing waits.
//! Every wait is random inside its window and kept apart from the other clients' attempts
//! (AttemptSpreader): level 0 waits uniform in [0, backoffBase], level n in [c/2, c] (backoff.h).
//! Not a QObject: a member of GatewayClient::Private.
class ReconnectSchedule final
{
public:
    //! `onDue` runs when a scheduled attempt is due; `onStable` when a session has stayed ready
    //! for `stableAfter` (the level is back to 0).
    ReconnectSchedule(const GatewayTimings &timings, QObject *context, std::function<void()> onDue,
                      std::function<void()> onStable);
    ~ReconnectSchedule();
    Q_DISABLE_COPY_MOVE(ReconnectSchedule)

    //! Consecutive failed attempts (ones that did not reach READY/RESUMED).
    [[nodiscard]] int failures() const { return m_failures; }
    //! The backoff exponent: failed attempts and short-lived sessions since the last stable one.
    [[nodiscard]] int level() const { return m_level; }
    void countFailure()
    {
        ++m_failures;
        ++m_level;
    }
    //! A new run: both counts start again.
    void restart();
    //! READY or RESUMED: the budget count starts again; the stable-period timer starts.
    void sessionStarted();
    //! The socket of a session that reached READY/RESUMED closed. Returns true when the session
    //! was shorter than `stableAfter`; then, when `counts`, it is a failure for the backoff
    //! (level + 1).
    bool sessionEnded(bool counts);
    //! The consecutive-failure budget is spent.
    [[nodiscard]] bool exhausted() const { return m_failures >= m_timings.reconnectBudget; }
    //! After every RefetchAfterFailures-th failure the gateway URL should be fetched again: the
    //! cached one may be dead (docs/protocol.md, connecting).
    [[nodiscard]] bool refetchDue() const { return m_failures > 0 && m_failures % RefetchAfterFailures == 0; }

    //! Arm the timer for the next attempt: the jittered backoff of the current level (none when
    //! `immediate`), at least `minDelay`. Returns the delay.
    std::chrono::milliseconds schedule(std::optional<std::chrono::milliseconds> minDelay, bool immediate);
    //! No attempt pending any more (it started, or the run ended).
    void cancel();
    //! The run ended: no attempt pending and no stable-period timer.
    void stop();
    //! When the pending attempt runs; invalid when none is pending.
    [[nodiscard]] QDateTime nextAttemptAt() const { return m_nextAttemptAt; }

private:
    static constexpr int RefetchAfterFailures = 3;

    void releaseSlot();

    const GatewayTimings &m_timings;
    std::function<void()> m_onStable;
    int m_failures = 0;
    int m_level = 0;
    qint64 m_slotUs = 0;       //!< AttemptSpreader instant of the pending attempt (0 = none)
    QDateTime m_nextAttemptAt;
    QTimer m_timer;            //!< backoff before the next attempt
    QTimer m_stableTimer;      //!< READY/RESUMED → stableAfter: the session is stable
};

} // namespace gw
