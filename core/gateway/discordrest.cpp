#include "discordrest.h"

#include "logging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <vector>

using namespace std::chrono_literals;

namespace gw {

namespace {

//! One request on its way: queued while a rate-limit window lasts, sent, or re-queued after a 429.
struct PendingRequest
{
    QUrl url;
    QString token;
    QString route;                    //!< "GET /gateway/bot"
    QByteArray key;                   //!< RestRateLimiter::tokenKey(token)
    QPointer<QObject> context;
    bool hasContext = false;
    int waits = 0;                    //!< 429s answered so far
    RestRateLimiter::Clock::time_point due{};
    std::function<void(QNetworkReply *)> finished;   //!< parses and calls `done`
    std::function<void(const RestError &)> fail;

    [[nodiscard]] bool orphaned() const { return hasContext && !context; }
};

} // namespace

class DiscordRest::Private
{
public:
    explicit Private(DiscordRest *q) : q(q), queueTimer(new QTimer(q))
    {
        queueTimer->setSingleShot(true);
        queueTimer->callOnTimeout(q, [this] { drainQueue(); });
    }

    DiscordRest *const q;
    std::chrono::milliseconds timeout = 15s;
    QUrl apiBase;
    QNetworkAccessManager *nam = nullptr;
    std::unique_ptr<QNetworkAccessManager> ownNam;
    RestRateLimiter *limiter = &RestRateLimiter::global();
    QTimer *const queueTimer;                           //!< fires when the earliest queued request is due
    std::vector<std::shared_ptr<PendingRequest>> queue;

    QUrl endpoint(const QString &path) const
    {
        QUrl url = apiBase;
        QString base = url.path();
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        url.setPath(base + path);
        return url;
    }

    void submit(const std::shared_ptr<PendingRequest> &p);
    void send(const std::shared_ptr<PendingRequest> &p);
    void answered(const std::shared_ptr<PendingRequest> &p, QNetworkReply *reply);
    void drainQueue();
    void armQueueTimer();
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
    if (status == 429)
        return makeError(RestError::Kind::RateLimited, status,
                         QStringLiteral("%1: HTTP 429 Too Many Requests after %2 waits for its rate limit")
                             .arg(what)
                             .arg(DiscordRest::MaxRateLimitWaits));
    if (status >= 400)
        return makeError(RestError::Kind::Http, status, QStringLiteral("%1: HTTP %2").arg(what).arg(status));
    if (ne != QNetworkReply::NoError) {
        // A TLS failure says so: most often the server's certificate is not trusted (--ca-file).
        const QString text = ne == QNetworkReply::SslHandshakeFailedError
                                 ? QStringLiteral("%1: TLS handshake failed (network error %2)")
                                 : QStringLiteral("%1: network error %2");
        RestError e = makeError(RestError::Kind::Network, status, text.arg(what).arg(int(ne)));
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
    : QObject(parent), d(std::make_unique<Private>(this))
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

void DiscordRest::setRateLimiter(RestRateLimiter *limiter)
{
    d->limiter = limiter ? limiter : &RestRateLimiter::global();
}

void DiscordRest::Private::submit(const std::shared_ptr<PendingRequest> &p)
{
    if (p->orphaned())
        return;
    auto permit = limiter->acquire(p->key, p->route);
    if (!permit) {
        // Refused by the invalid-request ceiling: reported from the event loop, like an answer.
        QMetaObject::invokeMethod(q, [p, e = makeError(RestError::Kind::RateLimited, 0, permit.error())] {
            if (!p->orphaned())
                p->fail(e);
        }, Qt::QueuedConnection);
        return;
    }
    const RestRateLimitWait &wait = permit.value();
    if (wait.wait <= 0ms) {
        send(p);
        return;
    }
    qCInfo(lcRest).noquote() << QStringLiteral("%1 waits %2 ms for its rate limit (%3)")
                                    .arg(p->route)
                                    .arg(wait.wait.count())
                                    .arg(wait.scope);
    p->due = RestRateLimiter::Clock::now() + wait.wait;
    queue.push_back(p);
    armQueueTimer();
    Q_EMIT q->rateLimited(wait);
}

void DiscordRest::Private::armQueueTimer()
{
    if (queue.empty()) {
        queueTimer->stop();
        return;
    }
    auto earliest = queue.front()->due;
    for (const auto &p : queue)
        earliest = std::min(earliest, p->due);
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(earliest - RestRateLimiter::Clock::now());
    queueTimer->start(std::max(left, 0ms));
}

void DiscordRest::Private::drainQueue()
{
    const auto now = RestRateLimiter::Clock::now();
    std::vector<std::shared_ptr<PendingRequest>> due;
    for (auto it = queue.begin(); it != queue.end();) {
        if ((*it)->due <= now) {
            due.push_back(*it);
            it = queue.erase(it);
        } else {
            ++it;
        }
    }
    armQueueTimer();
    for (const auto &p : due)
        submit(p);  // asks the limiter again: another request may have taken the slot
}

void DiscordRest::Private::send(const std::shared_ptr<PendingRequest> &p)
{
    QNetworkRequest req(p->url);
    req.setRawHeader("Authorization", QByteArray("Bot ") + p->token.toUtf8());
    req.setRawHeader("User-Agent", QByteArray("DiscordBot (https://example.invalid/gatewatch, " GATEWATCH_VERSION ")"));
    req.setTransferTimeout(int(timeout.count()));
    QNetworkReply *reply = nam->get(req);
    QObject::connect(reply, &QNetworkReply::finished, q, [this, p, reply] {
        reply->deleteLater();
        answered(p, reply);
    });
}

void DiscordRest::Private::answered(const std::shared_ptr<PendingRequest> &p, QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = status == 429 ? reply->peek(4096) : QByteArray();
    const auto headers = RestRateLimitHeaders::parse(
        status, [reply](const QByteArray &name) { return reply->rawHeader(name); }, body);
    if (status > 0)
        limiter->record(p->key, p->route, status, headers);
    if (p->orphaned())
        return;
    if (status == 429 && p->waits < DiscordRest::MaxRateLimitWaits) {
        ++p->waits;
        qCWarning(lcRest).noquote() << QStringLiteral("%1 answered HTTP 429 (%2 limit); queued until its window ends")
                                           .arg(p->route, RestRateLimitHeaders::scopeName(headers.scope));
        submit(p);
        return;
    }
    p->finished(reply);
}

namespace {

template<typename T, typename Parse>
std::shared_ptr<PendingRequest> makeRequest(const QUrl &url, const QString &token, const QString &what, QObject *context,
                                            std::function<void(Expected<T, RestError>)> done, Parse parse)
{
    auto p = std::make_shared<PendingRequest>();
    p->url = url;
    p->token = token;
    p->route = what;
    p->key = RestRateLimiter::tokenKey(token);
    p->context = context;
    p->hasContext = context != nullptr;
    auto shared = std::make_shared<std::function<void(Expected<T, RestError>)>>(std::move(done));
    p->fail = [shared](const RestError &e) { (*shared)(e); };  // the limiter logged the refusal once
    p->finished = [shared, what, parse](QNetworkReply *reply) {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        auto obj = replyObject(reply, what);
        if (!obj) {
            qCWarning(lcRest).noquote() << obj.error().message;
            (*shared)(obj.error());
            return;
        }
        (*shared)(parse(*obj, status));
    };
    return p;
}

} // namespace

void DiscordRest::fetchGatewayBot(const QString &token, QObject *context,
                                  std::function<void(Expected<GatewayBotInfo, RestError>)> done)
{
    d->submit(makeRequest<GatewayBotInfo>(d->endpoint(QStringLiteral("/gateway/bot")), token,
                                          QStringLiteral("GET /gateway/bot"), context, std::move(done), parseGatewayBot));
}

void DiscordRest::fetchCurrentUser(const QString &token, QObject *context,
                                   std::function<void(Expected<BotUser, RestError>)> done)
{
    d->submit(makeRequest<BotUser>(d->endpoint(QStringLiteral("/users/@me")), token, QStringLiteral("GET /users/@me"),
                                   context, std::move(done), parseUser));
}

} // namespace gw
