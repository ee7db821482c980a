#include "attemptspreader.h"

#include <algorithm>

namespace gw {

AttemptSpreader &AttemptSpreader::global()
{
    static AttemptSpreader instance;
    return instance;
}

qint64 AttemptSpreader::nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool AttemptSpreader::isFree(qint64 us) const
{
    const qint64 gap = MinGap.count();
    const auto it = m_pending.lower_bound(us - gap + 1);
    return it == m_pending.end() || *it >= us + gap;
}

AttemptSpreader::Slot AttemptSpreader::place(std::chrono::milliseconds wanted, std::chrono::milliseconds lo,
                                                 std::chrono::milliseconds hi)
{
    const std::lock_guard lock(m_mutex);
    const qint64 now = nowUs();
    m_pending.erase(m_pending.begin(), m_pending.lower_bound(now));  // attempts already due
    const qint64 low = lo.count();
    const qint64 high = std::max(low, qint64(hi.count()));
    const qint64 want = std::clamp(qint64(wanted.count()), low, high);
    // Search outwards from the wanted millisecond: want, want+1, want-1, want+2, … (a full
    // window keeps `want`: better late spreading than none).
    for (qint64 step = 0; step <= high - low; ++step) {
        for (const qint64 ms : {want + step, want - step}) {
            if (ms < low || ms > high || !isFree(now + ms * 1000))
                continue;
            m_pending.insert(now + ms * 1000);
            return {std::chrono::milliseconds(ms), now + ms * 1000};
        }
    }
    m_pending.insert(now + want * 1000);
    return {std::chrono::milliseconds(want), now + want * 1000};
}

void AttemptSpreader::release(qint64 dueUs)
{
    const std::lock_guard lock(m_mutex);
    const auto it = m_pending.find(dueUs);
    if (it != m_pending.end())
        m_pending.erase(it);
}

} // namespace gw
