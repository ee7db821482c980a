#include "simpacer_p.h"

#include <QSocketNotifier>
#include <QTimer>

#ifdef Q_OS_LINUX
#include <sys/timerfd.h>
#include <unistd.h>
#endif

using namespace std::chrono_literals;

namespace gw::sim {

SimPacer::SimPacer(QObject *context, std::function<void()> onDue)
    : m_onDue(std::move(onDue))
{
#ifdef Q_OS_LINUX
    // steady_clock is CLOCK_MONOTONIC on Linux, so its time points are the timerfd's absolute times.
    m_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (m_fd >= 0) {
        m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, context, [this] {
            quint64 expirations = 0;
            if (::read(m_fd, &expirations, sizeof expirations) == sizeof expirations)
                m_onDue();
        });
        return;
    }
#endif
    m_timer = std::make_unique<QTimer>();
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->callOnTimeout(context, [this] { m_onDue(); });
}

SimPacer::~SimPacer()
{
    m_notifier.reset();
#ifdef Q_OS_LINUX
    if (m_fd >= 0)
        ::close(m_fd);
#endif
}

void SimPacer::startAt(std::chrono::steady_clock::time_point due)
{
#ifdef Q_OS_LINUX
    if (m_fd >= 0) {
        // An it_value of zero would disarm the timer: a time in the past is at least 1 ns.
        const auto ns = std::max<qint64>(1, std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                due.time_since_epoch()).count());
        itimerspec spec{};
        spec.it_value.tv_sec = time_t(ns / 1000000000);
        spec.it_value.tv_nsec = long(ns % 1000000000);
        timerfd_settime(m_fd, TFD_TIMER_ABSTIME, &spec, nullptr);
        return;
    }
#endif
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(due - std::chrono::steady_clock::now());
    m_timer->start(std::max(wait, 0ms));
}

void SimPacer::stop()
{
#ifdef Q_OS_LINUX
    if (m_fd >= 0) {
        const itimerspec disarm{};
        timerfd_settime(m_fd, 0, &disarm, nullptr);
        quint64 expirations = 0;  // an expiry not yet delivered must not wake us either
        [[maybe_unused]] const auto n = ::read(m_fd, &expirations, sizeof expirations);
        return;
    }
#endif
    m_timer->stop();
}

} // namespace gw::sim
