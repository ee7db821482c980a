#include "stallwatchdog.h"

#include "logging.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>

using namespace std::chrono_literals;

namespace gw {

StallWatchdog::StallWatchdog(QString label, std::chrono::milliseconds timeout, Clock clock,
                             QObject *parent)
    : QObject(parent)
    , m_label(std::move(label))
    , m_timeout(timeout)
    , m_clock(std::move(clock))
{
    m_timer.setSingleShot(true);
    // A coarse timer may fire up to 5% early; the watchdog promises "idle ≥ timeout".
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.callOnTimeout(this, &StallWatchdog::handleTimeout);
}

StallWatchdog::~StallWatchdog() = default;

qint64 StallWatchdog::now() const
{
    return m_clock ? m_clock() : QDateTime::currentMSecsSinceEpoch();
}

void StallWatchdog::arm(std::optional<qint64> at)
{
    if (m_stopped)
        return;
    m_lastActivityAt = at.value_or(now());
    m_armed = true;
    restartTimer();
}

bool StallWatchdog::armIfUnarmed(std::optional<qint64> at)
{
    if (m_stopped || m_armed)
        return false;
    arm(at);
    return true;
}

void StallWatchdog::touch(std::optional<qint64> at)
{
    if (m_stopped)
        return;
    m_lastActivityAt = at.value_or(now());
    if (m_armed)
        restartTimer();
}

void StallWatchdog::disarm()
{
    m_armed = false;
    m_timer.stop();
}

void StallWatchdog::stop()
{
    disarm();
    m_stopped = true;
}

void StallWatchdog::restartTimer()
{
    const qint64 idle = now() - m_lastActivityAt;
    const qint64 remaining = std::max<qint64>(0, m_timeout.count() - idle);
    m_timer.start(std::chrono::milliseconds{remaining});
}

void StallWatchdog::handleTimeout()
{
    if (!m_armed || m_stopped)
        return;
    // Disarm first: a slot reacting to timedOut() may arm again.
    m_armed = false;
    const auto idle = std::chrono::milliseconds{std::max<qint64>(0, now() - m_lastActivityAt)};
    qCWarning(lcLifecycle).noquote()
        << QStringLiteral("[%1] transport watchdog timeout: idle %2s (limit %3s)")
               .arg(m_label)
               .arg(std::llround(double(idle.count()) / 1000.0))
               .arg(std::llround(double(m_timeout.count()) / 1000.0));
    Q_EMIT timedOut(idle, m_timeout);
}

} // namespace gw
