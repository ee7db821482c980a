#pragma once

#include "expected.h"

#include <QByteArray>
#include <QHash>
#include <QMetaType>
#include <QMutex>
#include <QString>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>

namespace gw {

//! What one REST answer says about rate limits (docs/protocol.md, "REST rate limits"). Every
//! value is bounded by parse(): a hostile server cannot make Gatewatch wait forever or hammer.
struct RestRateLimitHeaders
{
    enum class Scope { User, Global, Shared };

    std::optional<std::chrono::milliseconds> retryAfter;   //!< Retry-After (whole seconds)
    std::optional<std::chrono::milliseconds> bodyRetryAfter;  //!< 429 body `retry_after` (fractional seconds)
    std::optional<std::chrono::milliseconds> resetAfter;   //!< X-RateLimit-Reset-After
    std::optional<int> remaining;                           //!< X-RateLimit-Remaining
    QString bucket;                                         //!< X-RateLimit-Bucket (printable, ≤ 64 chars)
    bool global = false;        //!< body `global`, X-RateLimit-Global: true or X-RateLimit-Scope: global
    Scope scope = Scope::User;  //!< X-RateLimit-Scope (user when absent or unknown)

    //! The longest wait to respect (the largest of the three durations), if any.
    [[nodiscard]] std::optional<std::chrono::milliseconds> longestWait() const;

    //! `header` returns a response header by its lower-case name (empty when absent); `body` is
    //! the response body (only read for a 429, up to 4 KiB).
    static RestRateLimitHeaders parse(int status, const std::function<QByteArray(const QByteArray &)> &header,
                                      const QByteArray &body);
    //! Seconds as Discord sends them ("2", "0.25"): nullopt for non-numeric, NaN or infinite
    //! text, 0 for a negative value, at most RestRateLimiter::MaxWait.
    static std::optional<std::chrono::milliseconds> parseSeconds(const QByteArray &text);
    [[nodiscard]] static QString scopeName(Scope scope);   //!< "user", "global", "shared"
};

//! A request held back by the limiter: shown to the person (state detail, JSON Lines
//! `rate_limited`, metrics).
struct RestRateLimitWait
{
    QString route;                        //!< "GET /gateway/bot"
    std::chrono::milliseconds wait{0};
    bool global = false;
    QString scope = QStringLiteral("user");  //!< "user", "global", "shared"; "preemptive" for Remaining 0
    QString bucket;
};

//! The one process-wide REST rate limiter (RestRateLimiter::global(); thread-safe, every
//! DiscordRest shares it). Per bot token it keeps a window per route (or per X-RateLimit-Bucket
//! when several routes share one) and a global window; no request is let through inside a known
//! window, a route whose X-RateLimit-Remaining reached 0 waits for its Reset-After. It also
//! counts invalid requests (401, 403 and 429 except scope `shared`) of the whole process in a
//! sliding window and refuses every request once the ceiling is reached (Discord bans an IP
//! that makes 10,000 in 10 minutes), with a sentence saying why, logged once per episode.
class RestRateLimiter final
{
    Q_DISABLE_COPY_MOVE(RestRateLimiter)

public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds MaxWait{std::chrono::hours{1}};
    //! Wait after a 429 that carried no usable duration (never retry blindly).
    static constexpr std::chrono::milliseconds DefaultWait{std::chrono::seconds{1}};
    //! The shortest wait after a 429, whatever it says (0 or negative values included).
    static constexpr std::chrono::milliseconds MinWait{100};

    struct Options
    {
        int invalidRequestCeiling = 1000;
        std::chrono::milliseconds invalidRequestWindow{std::chrono::minutes{10}};
    };

    static RestRateLimiter &global();
    explicit RestRateLimiter(Options options);
    RestRateLimiter();
    ~RestRateLimiter() = default;

    //! How long a request for `route` with token key `key` must still wait (0: send now; the
    //! send is then counted against a known Remaining), or the refusal sentence when the
    //! invalid-request ceiling is reached.
    Expected<RestRateLimitWait, QString> acquire(const QByteArray &key, const QString &route,
                                                 Clock::time_point now = Clock::now());
    //! Feeds an answer (any status) for `route`.
    void record(const QByteArray &key, const QString &route, int status, const RestRateLimitHeaders &headers,
                Clock::time_point now = Clock::now());

    [[nodiscard]] int invalidRequests(Clock::time_point now = Clock::now());
    [[nodiscard]] Options options() const;

    //! A stable, non-reversible key for a token (the token itself is never kept).
    static QByteArray tokenKey(const QString &token);

private:
    struct Window
    {
        Clock::time_point blockedUntil{};
        std::optional<int> remaining;       //!< from the last answer, counted down by acquire()
        Clock::time_point resetAt{};
    };
    void pruneInvalid(Clock::time_point now);
    [[nodiscard]] QByteArray windowKey(const QByteArray &key, const QString &route) const;

    mutable QMutex m_mutex;
    Options m_options;
    QHash<QByteArray, Window> m_windows;               //!< token key + route or bucket
    QHash<QByteArray, Clock::time_point> m_global;     //!< token key → global window end
    QHash<QString, QString> m_routeBuckets;            //!< route → X-RateLimit-Bucket
    std::deque<Clock::time_point> m_invalid;
    bool m_refusalLogged = false;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::RestRateLimitWait)
