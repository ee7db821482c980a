#pragma once

// Internal to core/sim: the wake-up of a paced Flood, finer than a millisecond.

#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QSocketNotifier;
class QTimer;

namespace gw::sim {

//! One single-shot wake-up at an absolute steady_clock time, on the thread's event loop. On Linux a
//! timerfd (microsecond resolution, within the kernel's timer slack) watched by a QSocketNotifier,
//! so a Flood at 10 000/s sends one message about every 100 µs instead of ten every millisecond;
//! elsewhere, or if timerfd_create fails, a precise QTimer rounded up to the millisecond.
class SimPacer
{
public:
    SimPacer(QObject *context, std::function<void()> onDue);
    ~SimPacer();
    SimPacer(const SimPacer &) = delete;
    SimPacer &operator=(const SimPacer &) = delete;

    //! Replaces any pending wake-up; a time already past wakes on the next event loop pass.
    void startAt(std::chrono::steady_clock::time_point due);
    //! Cancels the pending wake-up, if any.
    void stop();
    //! True when the wake-up has sub-millisecond resolution (the timerfd).
    bool fine() const { return m_fd >= 0; }

private:
    std::function<void()> m_onDue;
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::unique_ptr<QTimer> m_timer;
};

} // namespace gw::sim
