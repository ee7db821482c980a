#pragma once

#include <QtGlobal>

#include <chrono>
#include <deque>

namespace gw {

//! The client's send budget (docs/protocol.md, rate and size limits): at most `limit` (115)
//! non-heartbeat sends per sliding `window` (60 s), leaving headroom below Discord's 120 for heartbeats;
//! heartbeat, IDENTIFY and RESUME bypass the budget (like discord.js) but are still logged
//! against Discord's hard 120; no payload over 4096 bytes is ever sent (it would earn 4002).
//! A plain value class: the caller passes the monotonic time, so tests need no clock.
class SendLimiter final
{
public:
    using Clock = std::chrono::steady_clock;

    enum class Kind { Normal, Heartbeat, Identify, Resume };
    enum class Verdict {
        Allowed,      //!< send it; it was recorded
        RateLimited,  //!< over the budget: do not send (count it as dropped)
        TooLarge,     //!< over maxPayloadBytes: never send
    };

    static constexpr qsizetype MaxPayloadBytes = 4096;
    static constexpr int DiscordHardLimit = 120;

    explicit SendLimiter(int limit = 115, std::chrono::milliseconds window = std::chrono::seconds{60},
                         qsizetype maxPayloadBytes = MaxPayloadBytes);

    void configure(int limit, std::chrono::milliseconds window);
    //! Forget every recorded send (a new connection: Discord's budget is per connection).
    void reset();

    //! Decide and, when Allowed, record the send at `now`.
    Verdict trySend(qsizetype bytes, Kind kind, Clock::time_point now = Clock::now());

    //! Non-heartbeat sends inside the window ending at `now`.
    [[nodiscard]] int usedNormal(Clock::time_point now = Clock::now());
    //! Every send (including bypassing ones) inside the window ending at `now`.
    [[nodiscard]] int usedTotal(Clock::time_point now = Clock::now());
    //! How long until one more normal send is allowed (0 when it is now).
    [[nodiscard]] std::chrono::milliseconds nextNormalSlotIn(Clock::time_point now = Clock::now());

    [[nodiscard]] int limit() const { return m_limit; }
    [[nodiscard]] std::chrono::milliseconds window() const { return m_window; }

private:
    void prune(Clock::time_point now);

    int m_limit;
    std::chrono::milliseconds m_window;
    qsizetype m_maxPayload;
    std::deque<Clock::time_point> m_normal;
    std::deque<Clock::time_point> m_all;
};

} // namespace gw
