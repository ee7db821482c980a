#include "discordrest.h"

#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>

using namespace std::chrono_literals;

namespace gw {

class DiscordRest::Private
{
public:
    std::chrono::milliseconds timeout = 15s;
    QUrl apiBase;
    QNetworkAccessManager *nam = nullptr;
    std::unique_ptr<QNetworkAccessManager> ownNam;

    QUrl endpoint(const QString &path) const
    {
        QUrl url = apiBase;
        QString base = url.path();
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        url.setPath(base + path);
        return url;
    }
};

namespace {

RestError makeError(RestError::Kind kind, int status, QString message)
{
    RestError e;
    e.kind = kind;
    e.httpStatus = status;
    e.message = std::move(message);
    return e;
}

// Turns a finished reply into its JSON object or a typed error. The token never appears:
// messages are built from the status, Qt's error enum and the endpoint path only.
Expected<QJsonObject, RestError> replyObject(QNetworkReply *reply, const QString &what)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError ne = reply->error();
    if (status == 401)
        return makeError(RestError::Kind::Unauthorized, status,
                         QStringLiteral("%1: HTTP 401 Unauthorized (the token is invalid or was reset)").arg(what));
    if (ne == QNetworkReply::OperationCanceledError || ne == QNetworkReply::TimeoutError)
        return makeError(RestError::Kind::Timeout, status, QStringLiteral("%1: request timed out").arg(what));
    if (status >= 400)
        return makeError(RestError::Kind::Http, status, QStringLiteral("%1: HTTP %2").arg(what).arg(status));
    if (ne != QNetworkReply::NoError) {
        RestError e = makeError(RestError::Kind::Network, status,
                                QStringLiteral("%1: network error %2").arg(what).arg(int(ne)));
        e.networkError = int(ne);
        return e;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(RestError::Kind::BadResponse, status, QStringLiteral("%1: response is not a JSON object").arg(what));
    return doc.object();
}

bool isNonNegativeInt(const QJsonValue &v)
{
    return v.isDouble() && v.toDouble() >= 0 && v.toDouble() <= 2147483647.0 && v.toDouble() == double(qint64(v.toDouble()));
}

Expected<GatewayBotInfo, RestError> parseGatewayBot(const QJsonObject &obj, int status)
{
    auto bad = [status](const char *field) {
        return makeError(RestError::Kind::BadResponse, status,
                         QStringLiteral("GET /gateway/bot: missing or invalid field %1").arg(QLatin1String(field)));
    };
    GatewayBotInfo info;
    const QJsonValue url = obj.value(QLatin1String("url"));
    if (!url.isString())
        return bad("url");
    info.url = QUrl(url.toString());
    if (!info.url.isValid() || (info.url.scheme() != QLatin1String("wss") && info.url.scheme() != QLatin1String("ws")))
        return bad("url");
    const QJsonValue shards = obj.value(QLatin1String("shards"));
    if (!isNonNegativeInt(shards) || shards.toInt() < 1)
        return bad("shards");
    info.shards = shards.toInt();
    const QJsonValue ssl = obj.value(QLatin1String("session_start_limit"));
    if (!ssl.isObject())
        return bad("session_start_limit");
    const QJsonObject l = ssl.toObject();
    for (const char *f : {"total", "remaining", "reset_after", "max_concurrency"}) {
        if (!isNonNegativeInt(l.value(QLatin1String(f))))
            return bad(f);
    }
    info.limit.total = l.value(QLatin1String("total")).toInt();
    info.limit.remaining = l.value(QLatin1String("remaining")).toInt();
    // reset_after is milliseconds (discord-php/DiscordPHP#412).
    info.limit.resetAfter = std::chrono::milliseconds(qint64(l.value(QLatin1String("reset_after")).toDouble()));
    info.limit.maxConcurrency = std::max(1, l.value(QLatin1String("max_concurrency")).toInt());
    info.limit.fetchedAt = QDateTime::currentDateTimeUtc();
    return info;
}

Expected<BotUser, RestError> parseUser(const QJsonObject &obj, int status)
{
    const QJsonValue id = obj.value(QLatin1String("id"));
    const QJsonValue name = obj.value(QLatin1String("username"));
    if (!id.isString() || id.toString().isEmpty() || !name.isString())
        return makeError(RestError::Kind::BadResponse, status, QStringLiteral("GET /users/@me: missing id or username"));
    BotUser u;
    u.id = id.toString();
    u.userName = name.toString();
    u.discriminator = obj.value(QLatin1String("discriminator")).toString();
    u.bot = obj.value(QLatin1String("bot")).toBool(false);
    return u;
}

} // namespace

QUrl DiscordRest::defaultApiBase()
{
    return QUrl(QStringLiteral("https://discord.com/api/v10"));
}

DiscordRest::DiscordRest(QUrl apiBase, QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->apiBase = std::move(apiBase);
    if (!nam) {
        d->ownNam = std::make_unique<QNetworkAccessManager>();
        nam = d->ownNam.get();
    }
    d->nam = nam;
}

DiscordRest::~DiscordRest() = default;

QUrl DiscordRest::apiBase() const
{
    return d->apiBase;
}

void DiscordRest::setApiBase(const QUrl &base)
{
    d->apiBase = base;
}

void DiscordRest::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

namespace {

template<typename T, typename Parse>
void getJson(DiscordRest *self, QNetworkAccessManager *nam, const QUrl &url, const QString &token,
             std::chrono::milliseconds timeout, const QString &what, QObject *context,
             std::function<void(Expected<T, RestError>)> done, Parse parse)
{
    QNetworkRequest req(url);
    req.setRawHeader("Authorization", QByteArray("Bot ") + token.toUtf8());
    req.setRawHeader("User-Agent", QByteArray("DiscordBot (https://example.invalid/gatewatch, " GATEWATCH_VERSION ")"));
    req.setTransferTimeout(int(timeout.count()));
    QNetworkReply *reply = nam->get(req);
    const QPointer<QObject> ctx(context);
    const bool hasContext = context != nullptr;
    QObject::connect(reply, &QNetworkReply::finished, self, [reply, ctx, hasContext, what, done = std::move(done), parse] {
        reply->deleteLater();
        if (hasContext && !ctx)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        auto obj = replyObject(reply, what);
        if (!obj) {
            qCWarning(lcRest).noquote() << obj.error().message;
            done(obj.error());
            return;
        }
        done(parse(*obj, status));
    });
}

} // namespace

void DiscordRest::fetchGatewayBot(const QString &token, QObject *context,
                                  std::function<void(Expected<GatewayBotInfo, RestError>)> done)
{
    getJson<GatewayBotInfo>(this, d->nam, d->endpoint(QStringLiteral("/gateway/bot")), token, d->timeout,
                            QStringLiteral("GET /gateway/bot"), context, std::move(done), parseGatewayBot);
}

void DiscordRest::fetchCurrentUser(const QString &token, QObject *context,
                                   std::function<void(Expected<BotUser, RestError>)> done)
{
    getJson<BotUser>(this, d->nam, d->endpoint(QStringLiteral("/users/@me")), token, d->timeout,
                     QStringLiteral("GET /users/@me"), context, std::move(done), parseUser);
}

} // namespace gw
