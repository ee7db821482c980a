#pragma once

#include <QtGlobal>

#include <chrono>
#include <mutex>
#include <set>

namespace gw {

//! Keeps the reconnect attempts of every client in the process apart (docs/lifecycle.md,
//! "Backoff, flapping, jitter"): clients that lose their sockets together (a Discord outage, a
//! gateway node that restarts) draw random delays, and this moves a draw that lands within
//! `MinGap` of another pending attempt to the nearest free instant inside the caller's window.
//! Thread-safe (clients live on several threads); instants are steady-clock microseconds.
class AttemptSpreader final
{
public:
    //! Twice the 1 ms promise of docs/lifecycle.md, so timer and scheduling noise of a few
    //! microseconds cannot bring two attempts within 1 ms of each other.
    static constexpr std::chrono::microseconds MinGap{2000};

    AttemptSpreader() = default;
    ~AttemptSpreader() = default;
    Q_DISABLE_COPY_MOVE(AttemptSpreader)

    //! The process-wide instance every ReconnectSchedule uses.
    static AttemptSpreader &global();

    struct Slot
    {
        std::chrono::milliseconds delay{0};
        qint64 dueUs = 0;  //!< steady-clock µs, for release()
    };

    //! A delay in [lo, hi] (whole milliseconds) as close as possible to `wanted` whose due
    //! instant is at least MinGap from every other pending one; `wanted` when the window is full.
    //! The chosen instant is recorded until release() or until it has passed.
    Slot place(std::chrono::milliseconds wanted, std::chrono::milliseconds lo, std::chrono::milliseconds hi);
    //! Forget a recorded instant: its attempt was cancelled or started.
    void release(qint64 dueUs);
    [[nodiscard]] static qint64 nowUs();

private:
    [[nodiscard]] bool isFree(qint64 us) const;

    mutable std::mutex m_mutex;
    std::multiset<qint64> m_pending;  //!< due instants, steady-clock µs
};

} // namespace gw
