#pragma once

#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QDateTime>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace gw {

//! When the next connection attempt of a GatewayClient runs: the count of consecutive failed
//! attempts, the reconnect budget, exponential backoff with equal jitter (backoff.h) and the
//! timer that starts the attempt. Not a QObject: a member of GatewayClient::Private.
class ReconnectSchedule final
{
public:
    //! `onDue` runs when a scheduled attempt is due.
    ReconnectSchedule(const GatewayTimings &timings, QObject *context, std::function<void()> onDue);
    Q_DISABLE_COPY_MOVE(ReconnectSchedule)

    //! Consecutive failed attempts (ones that did not reach READY/RESUMED).
    [[nodiscard]] int failures() const { return m_failures; }
    void countFailure() { ++m_failures; }
    //! READY or RESUMED, or a new run: the count starts again.
    void resetFailures() { m_failures = 0; }
    //! The consecutive-failure budget is spent.
    [[nodiscard]] bool exhausted() const { return m_failures >= m_timings.reconnectBudget; }
    //! After every RefetchAfterFailures-th failure the gateway URL should be fetched again: the
    //! cached one may be dead (docs/protocol.md, connecting).
    [[nodiscard]] bool refetchDue() const { return m_failures > 0 && m_failures % RefetchAfterFailures == 0; }

    //! Arm the timer for the next attempt: backoff for the current failure count (none when
    //! `immediate`), at least `minDelay`. Returns the delay.
    std::chrono::milliseconds schedule(std::optional<std::chrono::milliseconds> minDelay, bool immediate);
    //! No attempt pending any more (it started, or the run ended).
    void cancel();
    //! When the pending attempt runs; invalid when none is pending.
    [[nodiscard]] QDateTime nextAttemptAt() const { return m_nextAttemptAt; }

private:
    static constexpr int RefetchAfterFailures = 3;

    const GatewayTimings &m_timings;
    int m_failures = 0;
    QDateTime m_nextAttemptAt;
    QTimer m_timer;  //!< backoff before the next attempt
};

} // namespace gw
