#pragma once

#include "expected.h"
#include "gatewaytypes.h"
#include "restratelimiter.h"

#include <QObject>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace gw {

//! A failed REST call, as a value.
struct RestError
{
    //! RateLimited: still 429 after MaxRateLimitWaits waits, or refused by the invalid-request
    //! ceiling (RestRateLimiter); the message says which.
    enum class Kind { Unauthorized, Timeout, Network, Http, BadResponse, RateLimited };
    Kind kind = Kind::Network;
    int httpStatus = 0;         //!< 0 when no HTTP answer came
    QString message;            //!< human sentence, never contains the token
    int networkError = 0;       //!< QNetworkReply::NetworkError for Kind::Network (0 otherwise)
};

//! GET /gateway/bot and GET /users/@me against a configurable API base
//! (default https://discord.com/api/v10). Asynchronous; each callback is invoked exactly once,
//! on the thread of the DiscordRest object, unless `context` is destroyed first.
//! Every request passes the process-wide RestRateLimiter first: inside a known window (a 429's
//! Retry-After / retry_after / X-RateLimit-Reset-After, per route or global, or Remaining 0) it
//! is queued until the window ends, and rateLimited() says so; a 429 is queued again the same
//! way, up to MaxRateLimitWaits times (docs/protocol.md, "REST rate limits").
class DiscordRest final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiscordRest)

public:
    static QUrl defaultApiBase();

    //! `nam` may be shared; nullptr → a private one.
    explicit DiscordRest(QUrl apiBase = defaultApiBase(), QNetworkAccessManager *nam = nullptr,
                         QObject *parent = nullptr);
    ~DiscordRest() override;

    [[nodiscard]] QUrl apiBase() const;
    void setApiBase(const QUrl &base);
    void setTimeout(std::chrono::milliseconds timeout);  //!< default 15 s
    //! Tests only: a limiter of their own instead of RestRateLimiter::global() (not owned).
    void setRateLimiter(RestRateLimiter *limiter);

    static constexpr int MaxRateLimitWaits = 3;

    void fetchGatewayBot(const QString &token, QObject *context,
                         std::function<void(Expected<GatewayBotInfo, RestError>)> done);
    void fetchCurrentUser(const QString &token, QObject *context,
                          std::function<void(Expected<BotUser, RestError>)> done);

Q_SIGNALS:
    //! A request is held back by a rate limit for `wait.wait` (after a 429, or pre-emptively).
    void rateLimited(const gw::RestRateLimitWait &wait);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
