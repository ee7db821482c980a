#include "sendlimiter.h"

#include <algorithm>

namespace gw {

SendLimiter::SendLimiter(int limit, std::chrono::milliseconds window, qsizetype maxPayloadBytes)
    : m_limit(limit), m_window(window), m_maxPayload(maxPayloadBytes)
{
}

void SendLimiter::configure(int limit, std::chrono::milliseconds window)
{
    m_limit = limit;
    m_window = window;
}

void SendLimiter::reset()
{
    m_normal.clear();
    m_all.clear();
}

void SendLimiter::prune(Clock::time_point now)
{
    const auto cutoff = now - m_window;
    while (!m_normal.empty() && m_normal.front() <= cutoff)
        m_normal.pop_front();
    while (!m_all.empty() && m_all.front() <= cutoff)
        m_all.pop_front();
}

SendLimiter::Verdict SendLimiter::trySend(qsizetype bytes, Kind kind, Clock::time_point now)
{
    if (bytes > m_maxPayload)
        return Verdict::TooLarge;
    prune(now);
    if (kind == Kind::Normal) {
        // The 115 budget, and never past Discord's 120 even if bypassing sends used the rest.
        if (int(m_normal.size()) >= m_limit || int(m_all.size()) >= DiscordHardLimit)
            return Verdict::RateLimited;
        m_normal.push_back(now);
    }
    m_all.push_back(now);
    return Verdict::Allowed;
}

int SendLimiter::usedNormal(Clock::time_point now)
{
    prune(now);
    return int(m_normal.size());
}

int SendLimiter::usedTotal(Clock::time_point now)
{
    prune(now);
    return int(m_all.size());
}

std::chrono::milliseconds SendLimiter::nextNormalSlotIn(Clock::time_point now)
{
    prune(now);
    auto waitFor = [&](const std::deque<Clock::time_point> &log, std::size_t cap) {
        if (cap == 0)
            return m_window;
        if (log.size() < cap)
            return std::chrono::milliseconds{0};
        // The entry that must expire before one more fits.
        const auto expiry = log[log.size() - cap] + m_window;
        return std::chrono::ceil<std::chrono::milliseconds>(expiry - now);
    };
    return std::max(waitFor(m_normal, std::size_t(m_limit)), waitFor(m_all, std::size_t(DiscordHardLimit)));
}

} // namespace gw
