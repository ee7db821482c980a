#include "reconnectschedule_p.h"

#include "backoff.h"

#include <QRandomGenerator>

#include <algorithm>

namespace gw {

ReconnectSchedule::ReconnectSchedule(const GatewayTimings &timings, QObject *context, std::function<void()> onDue)
    : m_timings(timings)
{
    m_timer.setSingleShot(true);
    m_timer.callOnTimeout(context, std::move(onDue));
}

std::chrono::milliseconds ReconnectSchedule::schedule(std::optional<std::chrono::milliseconds> minDelay, bool immediate)
{
    auto delay = immediate ? std::chrono::milliseconds{0}
                           : backoffDelay(m_failures, m_timings.backoffBase, m_timings.backoffMax,
                                          QRandomGenerator::global()->generateDouble());
    if (minDelay)
        delay = std::max(delay, *minDelay);
    m_nextAttemptAt = QDateTime::currentDateTimeUtc().addMSecs(delay.count());
    m_timer.start(delay);
    return delay;
}

void ReconnectSchedule::cancel()
{
    m_timer.stop();
    m_nextAttemptAt = QDateTime();
}

} // namespace gw
