#include "reconnectschedule_p.h"

#include "attemptspreader.h"
#include "backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace gw {

ReconnectSchedule::ReconnectSchedule(const GatewayTimings &timings, QObject *context, std::function<void()> onDue,
                                     std::function<void()> onStable)
    : m_timings(timings), m_onStable(std::move(onStable))
{
    m_timer.setSingleShot(true);
    // Precise: coarse timers may be aligned with each other, which would undo the spreading.
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.callOnTimeout(context, [this, due = std::move(onDue)] {
        m_slotUs = 0;  // passed: the spreader drops it by itself
        due();
    });
    m_stableTimer.setSingleShot(true);
    m_stableTimer.callOnTimeout(context, [this] {
        m_level = 0;
        if (m_onStable)
            m_onStable();
    });
}

ReconnectSchedule::~ReconnectSchedule()
{
    releaseSlot();
}

void ReconnectSchedule::restart()
{
    m_failures = 0;
    m_level = 0;
    m_stableTimer.stop();
}

void ReconnectSchedule::sessionStarted()
{
    m_failures = 0;
    m_stableTimer.start(m_timings.stableAfter);
}

bool ReconnectSchedule::sessionEnded(bool counts)
{
    if (!m_stableTimer.isActive())
        return false;
    m_stableTimer.stop();
    if (counts)
        ++m_level;
    return true;
}

std::chrono::milliseconds ReconnectSchedule::schedule(std::optional<std::chrono::milliseconds> minDelay, bool immediate)
{
    releaseSlot();
    std::chrono::milliseconds delay{0};
    if (!immediate) {
        const double unit = QRandomGenerator::global()->generateDouble();
        const auto base = m_timings.backoffBase;
        // The window the random draw falls in: [0, base] at level 0, [c/2, c] above it.
        const auto ceiling = m_level > 0 ? backoffCeiling(m_level, base, m_timings.backoffMax) : base;
        auto lo = m_level > 0 ? ceiling / 2 : std::chrono::milliseconds{0};
        auto hi = ceiling;
        auto wanted = m_level > 0 ? backoffDelay(m_level, base, m_timings.backoffMax, unit) : uniformDelay(lo, hi, unit);
        if (minDelay && *minDelay > wanted) {
            // A wait the protocol imposes (op 9's random 1–5 s, the identify budget's reset plus a
            // random share of the base) is already jittered by the caller and kept as drawn.
            lo = *minDelay;
            hi = *minDelay;
            wanted = *minDelay;
        }
        const AttemptSpreader::Slot slot = AttemptSpreader::global().place(wanted, lo, hi);
        delay = slot.delay;
        m_slotUs = slot.dueUs;
    } else if (minDelay) {
        delay = *minDelay;
    }
    m_nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
    m_timer.start(delay);
    return delay;
}

void ReconnectSchedule::releaseSlot()
{
    if (m_slotUs != 0)
        AttemptSpreader::global().release(m_slotUs);
    m_slotUs = 0;
}

void ReconnectSchedule::cancel()
{
    releaseSlot();
    m_timer.stop();
    m_nextAttemptAt = QDateTime();
}

void ReconnectSchedule::stop()
{
    cancel();
    m_stableTimer.stop();
}

} // namespace gw
