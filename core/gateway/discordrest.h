#pragma once

#include "expected.h"
#include "gatewaytypes.h"

#include <QObject>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace gw {

//! A failed REST call, as a value.
struct RestError
{
    enum class Kind { Unauthorized, Timeout, Network, Http, BadResponse };
    Kind kind = Kind::Network;
    int httpStatus = 0;         //!< 0 when no HTTP answer came
    QString message;            //!< human sentence, never contains the token
    int networkError = 0;       //!< QNetworkReply::NetworkError for Kind::Network (0 otherwise)
};

//! GET /gateway/bot and GET /users/@me against a configurable API base
//! (default https://discord.com/api/v10). Asynchronous; each callback is invoked exactly once,
//! on the thread of the DiscordRest object, unless `context` is destroyed first.
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

    void fetchGatewayBot(const QString &token, QObject *context,
                         std::function<void(Expected<GatewayBotInfo, RestError>)> done);
    void fetchCurrentUser(const QString &token, QObject *context,
                          std::function<void(Expected<BotUser, RestError>)> done);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
