#include "discordrest.h"
#include "gatewaysimulator.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace gw;
using namespace std::chrono_literals;

namespace {

//! A one-endpoint HTTP server on loopback that answers every request with a canned response
//! (or never answers), and remembers the request head.
class CannedHttp final : public QObject
{
public:
    explicit CannedHttp(QByteArray response, QObject *parent = nullptr) : QObject(parent), m_response(std::move(response))
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s] {
                    m_request += s->readAll();
                    if (!m_request.contains("\r\n\r\n") || m_response.isEmpty())
                        return;  // an empty response means: never answer
                    s->write(m_response);
                    s->disconnectFromHost();
                });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    [[nodiscard]] QUrl apiBase() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(m_server.serverPort())); }
    [[nodiscard]] QByteArray request() const { return m_request; }

    static QByteArray ok(const QByteArray &body, int status = 200)
    {
        return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArray m_request;
};

} // namespace

class tst_DiscordRest final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void gatewayBotFromSimulator();
    void currentUserFromSimulator();
    void unauthorized();
    void sendsBotAuthorization();
    void badResponses_data();
    void badResponses();
    void httpError();
    void timeout();
    void destroyedContextGetsNoCallback();
    void routeLimitWaitsRetryAfter();
    void globalLimitHoldsEveryRoute();
    void invalidRequestCeilingRefuses();
    void parseSeconds_data();
    void parseSeconds();
    void parseHostileHeaders();
    void preemptiveRemainingZero();
    void sharedScopeIsNotInvalid();
};

void tst_DiscordRest::gatewayBotFromSimulator()
{
    GatewaySimulator sim;
    SimBotPolicy p;
    p.name = QStringLiteral("alpha");
    p.recommendedShards = 4;
    p.sessionStartRemaining = 777;
    p.sessionStartResetAfter = 14400000ms;
    p.maxConcurrency = 16;
    sim.addBot(QStringLiteral("tok"), p);
    QVERIFY(sim.start());
    DiscordRest rest(sim.apiBase());
    QCOMPARE(rest.apiBase(), sim.apiBase());
    std::optional<Expected<GatewayBotInfo, RestError>> result;
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(result->hasValue());
    const GatewayBotInfo &info = result->value();
    QCOMPARE(info.url, sim.gatewayUrl());
    QCOMPARE(info.shards, 4);
    QCOMPARE(info.limit.remaining, 777);
    QCOMPARE(info.limit.total, 1000);
    QCOMPARE(info.limit.maxConcurrency, 16);
    // reset_after is milliseconds (discord-php/DiscordPHP#412): 4 h, not 166 days.
    // The simulator counts reset_after down from when the bot was added (docs/simulator.md).
    QVERIFY(info.limit.resetAfter <= 14400000ms && info.limit.resetAfter > 14400000ms - 5000ms);
    QVERIFY(qAbs(info.limit.resetAt().secsTo(QDateTime::currentDateTimeUtc().addSecs(4 * 3600))) < 5);
}

void tst_DiscordRest::currentUserFromSimulator()
{
    GatewaySimulator sim;
    SimBotPolicy p;
    p.name = QStringLiteral("alpha");
    p.userId = QStringLiteral("42");
    p.userName = QStringLiteral("Watcher");
    sim.addBot(QStringLiteral("tok"), p);
    QVERIFY(sim.start());
    DiscordRest rest(sim.apiBase());
    std::optional<Expected<BotUser, RestError>> result;
    rest.fetchCurrentUser(QStringLiteral("tok"), this, [&](Expected<BotUser, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(result->hasValue());
    QCOMPARE(result->value().id, QStringLiteral("42"));
    QCOMPARE(result->value().userName, QStringLiteral("Watcher"));
    QVERIFY(result->value().bot);
}

void tst_DiscordRest::unauthorized()
{
    GatewaySimulator sim;
    QVERIFY(sim.start());
    DiscordRest rest(sim.apiBase());
    const QString token = QStringLiteral("secret-token-value");
    std::optional<Expected<GatewayBotInfo, RestError>> result;
    rest.fetchGatewayBot(token, this, [&](Expected<GatewayBotInfo, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(!result->hasValue());
    QCOMPARE(result->error().kind, RestError::Kind::Unauthorized);
    QCOMPARE(result->error().httpStatus, 401);
    QVERIFY(!result->error().message.contains(token));
}

void tst_DiscordRest::sendsBotAuthorization()
{
    CannedHttp http(CannedHttp::ok(R"({"id":"1","username":"x"})"));
    DiscordRest rest(http.apiBase());
    std::optional<Expected<BotUser, RestError>> result;
    rest.fetchCurrentUser(QStringLiteral("abc.def"), this, [&](Expected<BotUser, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(result->hasValue());
    QVERIFY(http.request().startsWith("GET /api/v10/users/@me HTTP/1.1"));
    QVERIFY(http.request().toLower().contains("authorization: bot abc.def\r\n"));
}

void tst_DiscordRest::badResponses_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("not json") << QByteArray("<html>oops</html>");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("no url") << QByteArray(R"({"shards":1,"session_start_limit":{"total":1,"remaining":1,"reset_after":0,"max_concurrency":1}})");
    QTest::newRow("http url") << QByteArray(R"({"url":"http://x","shards":1,"session_start_limit":{"total":1,"remaining":1,"reset_after":0,"max_concurrency":1}})");
    QTest::newRow("shards string") << QByteArray(R"({"url":"wss://g","shards":"1","session_start_limit":{"total":1,"remaining":1,"reset_after":0,"max_concurrency":1}})");
    QTest::newRow("shards zero") << QByteArray(R"({"url":"wss://g","shards":0,"session_start_limit":{"total":1,"remaining":1,"reset_after":0,"max_concurrency":1}})");
    QTest::newRow("no limit") << QByteArray(R"({"url":"wss://g","shards":1})");
    QTest::newRow("negative remaining") << QByteArray(R"({"url":"wss://g","shards":1,"session_start_limit":{"total":1,"remaining":-1,"reset_after":0,"max_concurrency":1}})");
    QTest::newRow("fractional reset") << QByteArray(R"({"url":"wss://g","shards":1,"session_start_limit":{"total":1,"remaining":1,"reset_after":0.5,"max_concurrency":1}})");
}

void tst_DiscordRest::badResponses()
{
    QFETCH(QByteArray, body);
    CannedHttp http(CannedHttp::ok(body));
    DiscordRest rest(http.apiBase());
    std::optional<Expected<GatewayBotInfo, RestError>> result;
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(!result->hasValue());
    QCOMPARE(result->error().kind, RestError::Kind::BadResponse);
    QVERIFY(!result->error().message.isEmpty());
}

void tst_DiscordRest::httpError()
{
    CannedHttp http(CannedHttp::ok(R"({"message":"nope"})", 503));
    DiscordRest rest(http.apiBase());
    std::optional<Expected<GatewayBotInfo, RestError>> result;
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(!result->hasValue());
    QCOMPARE(result->error().kind, RestError::Kind::Http);
    QCOMPARE(result->error().httpStatus, 503);
}

void tst_DiscordRest::timeout()
{
    CannedHttp silent(QByteArray{});  // accepts, reads, never answers
    DiscordRest rest(silent.apiBase());
    rest.setTimeout(150ms);
    std::optional<Expected<GatewayBotInfo, RestError>> result;
    QElapsedTimer clock;
    clock.start();
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { result = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 3000);
    QVERIFY(!result->hasValue());
    QCOMPARE(result->error().kind, RestError::Kind::Timeout);
    QVERIFY(clock.elapsed() >= 100);
}

void tst_DiscordRest::destroyedContextGetsNoCallback()
{
    CannedHttp http(CannedHttp::ok(R"({"id":"1","username":"x"})"));
    DiscordRest rest(http.apiBase());
    bool called = false;
    bool controlCalled = false;
    {
        QObject context;
        rest.fetchCurrentUser(QStringLiteral("tok"), &context, [&](Expected<BotUser, RestError>) { called = true; });
    }
    rest.fetchCurrentUser(QStringLiteral("tok"), this, [&](Expected<BotUser, RestError>) { controlCalled = true; });
    QTRY_VERIFY(controlCalled);
    QVERIFY(!called);
}

namespace {

//! The simulator's REST log of one route, in order.
QList<SimRestRequest> requestsTo(const GatewaySimulator &sim, const QString &route)
{
    QList<SimRestRequest> out;
    for (const SimRestRequest &r : sim.restRequests()) {
        if (r.route == route)
            out.append(r);
    }
    return out;
}

} // namespace

void tst_DiscordRest::routeLimitWaitsRetryAfter()
{
    GatewaySimulator sim;
    SimBotPolicy p;
    p.name = QStringLiteral("alpha");
    sim.addBot(QStringLiteral("tok"), p);
    QVERIFY(sim.start());
    QVERIFY(sim.setRestRateLimit(QStringLiteral("alpha"), SimRestLimit{QStringLiteral("/gateway/bot"), 2000ms, false, 1}));
    RestRateLimiter limiter;
    DiscordRest rest(sim.apiBase());
    rest.setRateLimiter(&limiter);
    QSignalSpy waits(&rest, &DiscordRest::rateLimited);
    std::optional<Expected<GatewayBotInfo, RestError>> bot;
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { bot = std::move(r); });
    QVERIFY(waits.wait(3000));
    const auto wait = waits.at(0).at(0).value<RestRateLimitWait>();
    QCOMPARE(wait.route, QStringLiteral("GET /gateway/bot"));
    QVERIFY(!wait.global);
    QVERIFY2(wait.wait >= 1900ms && wait.wait <= 2000ms, qPrintable(QString::number(wait.wait.count())));
    // A route limit holds only its route: /users/@me goes out at once.
    std::optional<Expected<BotUser, RestError>> user;
    rest.fetchCurrentUser(QStringLiteral("tok"), this, [&](Expected<BotUser, RestError> r) { user = std::move(r); });
    QTRY_VERIFY_WITH_TIMEOUT(user.has_value(), 1500);
    QVERIFY(user->hasValue());
    QVERIFY(!bot.has_value());
    QTRY_VERIFY_WITH_TIMEOUT(bot.has_value(), 5000);
    QVERIFY(bot->hasValue());
    const QList<SimRestRequest> log = requestsTo(sim, QStringLiteral("/gateway/bot"));
    QCOMPARE(log.size(), 2);  // the 429 and exactly one retry
    QCOMPARE(log.at(0).status, 429);
    QCOMPARE(log.at(1).status, 200);
    QVERIFY2(log.at(1).atMs - log.at(0).atMs >= 2000, qPrintable(QString::number(log.at(1).atMs - log.at(0).atMs)));
    QCOMPARE(waits.size(), 1);
}

void tst_DiscordRest::globalLimitHoldsEveryRoute()
{
    GatewaySimulator sim;
    SimBotPolicy p;
    p.name = QStringLiteral("alpha");
    sim.addBot(QStringLiteral("tok"), p);
    QVERIFY(sim.start());
    QVERIFY(sim.setRestRateLimit(QStringLiteral("alpha"), SimRestLimit{QStringLiteral("/gateway/bot"), 2000ms, true, 1}));
    RestRateLimiter limiter;
    DiscordRest rest(sim.apiBase());
    rest.setRateLimiter(&limiter);
    QSignalSpy waits(&rest, &DiscordRest::rateLimited);
    std::optional<Expected<GatewayBotInfo, RestError>> bot;
    std::optional<Expected<BotUser, RestError>> user;
    rest.fetchGatewayBot(QStringLiteral("tok"), this, [&](Expected<GatewayBotInfo, RestError> r) { bot = std::move(r); });
    QVERIFY(waits.wait(3000));
    QVERIFY(waits.at(0).at(0).value<RestRateLimitWait>().global);
    QCOMPARE(waits.at(0).at(0).value<RestRateLimitWait>().scope, QStringLiteral("global"));
    // The global window holds the other route of the same bot too: queued, not sent.
    rest.fetchCurrentUser(QStringLiteral("tok"), this, [&](Expected<BotUser, RestError> r) { user = std::move(r); });
    QCOMPARE(waits.size(), 2);
    QVERIFY(waits.at(1).at(0).value<RestRateLimitWait>().global);
    QTRY_VERIFY_WITH_TIMEOUT(bot.has_value() && user.has_value(), 5000);
    QVERIFY(bot->hasValue());
    QVERIFY(user->hasValue());
    const QList<SimRestRequest> log = sim.restRequests();
    QCOMPARE(log.size(), 3);
    QCOMPARE(log.at(0).status, 429);
    for (qsizetype i = 1; i < log.size(); ++i) {
        QCOMPARE(log.at(i).status, 200);
        QVERIFY2(log.at(i).atMs - log.at(0).atMs >= 2000, qPrintable(QString::number(log.at(i).atMs - log.at(0).atMs)));
    }
}

void tst_DiscordRest::invalidRequestCeilingRefuses()
{
    GatewaySimulator sim;
    QVERIFY(sim.start());
    RestRateLimiter limiter(RestRateLimiter::Options{3, std::chrono::minutes{10}});
    DiscordRest rest(sim.apiBase());
    rest.setRateLimiter(&limiter);
    for (int i = 0; i < 3; ++i) {
        std::optional<Expected<BotUser, RestError>> r;
        rest.fetchCurrentUser(QStringLiteral("wrong"), this, [&](Expected<BotUser, RestError> x) { r = std::move(x); });
        QTRY_VERIFY(r.has_value());
        QCOMPARE(r->error().kind, RestError::Kind::Unauthorized);
    }
    QCOMPARE(limiter.invalidRequests(), 3);
    std::optional<Expected<GatewayBotInfo, RestError>> refused;
    rest.fetchGatewayBot(QStringLiteral("wrong"), this, [&](Expected<GatewayBotInfo, RestError> x) { refused = std::move(x); });
    QTRY_VERIFY(refused.has_value());
    QVERIFY(!refused->hasValue());
    QCOMPARE(refused->error().kind, RestError::Kind::RateLimited);
    const QString why = refused->error().message;
    QVERIFY2(why.contains(QLatin1String("3 invalid REST requests")) && why.contains(QLatin1String("ceiling of 3"))
                 && why.contains(QLatin1String("10,000")),
             qPrintable(why));
    QCOMPARE(sim.restRequests().size(), 3);  // the refused request never left
}

void tst_DiscordRest::parseSeconds_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("ms");  // -1: ignored
    QTest::newRow("whole") << QByteArray("2") << qint64(2000);
    QTest::newRow("fraction") << QByteArray("0.25") << qint64(250);
    QTest::newRow("rounds up") << QByteArray("1.0001") << qint64(1001);
    QTest::newRow("spaces") << QByteArray("  3 ") << qint64(3000);
    QTest::newRow("negative") << QByteArray("-5") << qint64(0);
    QTest::newRow("huge") << QByteArray("1e30") << qint64(RestRateLimiter::MaxWait.count());
    QTest::newRow("just above max") << QByteArray("3601") << qint64(RestRateLimiter::MaxWait.count());
    QTest::newRow("nan") << QByteArray("nan") << qint64(-1);
    QTest::newRow("inf") << QByteArray("inf") << qint64(-1);
    QTest::newRow("text") << QByteArray("soon") << qint64(-1);
    QTest::newRow("empty") << QByteArray() << qint64(-1);
    QTest::newRow("long") << QByteArray(4096, '9') << qint64(-1);
    QTest::newRow("http date") << QByteArray("Wed, 21 Oct 2026 07:28:00 GMT") << qint64(-1);
}

void tst_DiscordRest::parseSeconds()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, ms);
    const auto got = RestRateLimitHeaders::parseSeconds(text);
    if (ms < 0) {
        QVERIFY(!got.has_value());
    } else {
        QVERIFY(got.has_value());
        QCOMPARE(got->count(), ms);
    }
}

void tst_DiscordRest::parseHostileHeaders()
{
    QHash<QByteArray, QByteArray> h{{"retry-after", "-3"},
                                    {"x-ratelimit-reset-after", "NaN"},
                                    {"x-ratelimit-remaining", "-7"},
                                    {"x-ratelimit-bucket", QByteArray("ab\r\n\x1b[31m") + QByteArray(200, 'x')},
                                    {"x-ratelimit-scope", "SHARED"}};
    auto get = [&h](const QByteArray &name) { return h.value(name); };
    auto parsed = RestRateLimitHeaders::parse(429, get, R"({"retry_after": 1e300, "global": false})");
    QCOMPARE(parsed.retryAfter, std::optional(0ms));
    QVERIFY(!parsed.resetAfter.has_value());
    QCOMPARE(parsed.remaining, std::optional(0));
    QCOMPARE(parsed.bodyRetryAfter, std::optional(RestRateLimiter::MaxWait));
    QCOMPARE(parsed.longestWait(), std::optional(RestRateLimiter::MaxWait));
    QVERIFY(parsed.bucket.size() <= 64);
    for (const QChar c : parsed.bucket)
        QVERIFY(c.unicode() > 0x20 && c.unicode() < 0x7f);
    QCOMPARE(parsed.scope, RestRateLimitHeaders::Scope::Shared);
    QVERIFY(!parsed.global);

    // The body's global flag wins over a missing header; a non-object body is ignored.
    h = {{"x-ratelimit-global", "true"}};
    parsed = RestRateLimitHeaders::parse(429, get, "[1,2]");
    QVERIFY(parsed.global);
    QCOMPARE(parsed.scope, RestRateLimitHeaders::Scope::Global);
    QVERIFY(!parsed.longestWait().has_value());
    h.clear();
    parsed = RestRateLimitHeaders::parse(429, get, R"({"retry_after": 0.5, "global": true})");
    QVERIFY(parsed.global);
    QCOMPARE(parsed.bodyRetryAfter, std::optional(500ms));

    // A 429 without any usable duration still waits (never a blind retry).
    RestRateLimiter limiter;
    const auto t0 = RestRateLimiter::Clock::now();
    limiter.record("k", QStringLiteral("GET /gateway/bot"), 429, RestRateLimitHeaders{}, t0);
    QCOMPARE(limiter.acquire("k", QStringLiteral("GET /gateway/bot"), t0)->wait, RestRateLimiter::DefaultWait);
    RestRateLimitHeaders zero;
    zero.retryAfter = 0ms;
    limiter.record("k", QStringLiteral("GET /users/@me"), 429, zero, t0);
    QCOMPARE(limiter.acquire("k", QStringLiteral("GET /users/@me"), t0)->wait, RestRateLimiter::MinWait);
    // Another token is not held by this one's windows.
    QCOMPARE(limiter.acquire("other", QStringLiteral("GET /gateway/bot"), t0)->wait, 0ms);
}

void tst_DiscordRest::preemptiveRemainingZero()
{
    RestRateLimiter limiter;
    const auto t0 = RestRateLimiter::Clock::now();
    const QString route = QStringLiteral("GET /gateway/bot");
    RestRateLimitHeaders h;
    h.remaining = 1;
    h.resetAfter = 500ms;
    limiter.record("k", route, 200, h, t0);
    QCOMPARE(limiter.acquire("k", route, t0)->wait, 0ms);  // takes the last one
    const auto held = limiter.acquire("k", route, t0 + 100ms);
    QCOMPARE(held->wait, 400ms);
    QCOMPARE(held->scope, QStringLiteral("preemptive"));
    QCOMPARE(limiter.acquire("k", route, t0 + 500ms)->wait, 0ms);  // reset: go
    // Remaining 0 with Reset-After straight from the server.
    h.remaining = 0;
    h.resetAfter = 2000ms;
    limiter.record("k", route, 200, h, t0 + 600ms);
    QCOMPARE(limiter.acquire("k", route, t0 + 1600ms)->wait, 1000ms);
    QCOMPARE(limiter.invalidRequests(t0), 0);
}

void tst_DiscordRest::sharedScopeIsNotInvalid()
{
    RestRateLimiter limiter(RestRateLimiter::Options{2, std::chrono::minutes{10}});
    const auto t0 = RestRateLimiter::Clock::now();
    RestRateLimitHeaders shared;
    shared.scope = RestRateLimitHeaders::Scope::Shared;
    shared.retryAfter = 1000ms;
    limiter.record("k", QStringLiteral("GET /users/@me"), 429, shared, t0);
    QCOMPARE(limiter.invalidRequests(t0), 0);
    limiter.record("k", QStringLiteral("GET /users/@me"), 403, {}, t0);
    limiter.record("k", QStringLiteral("GET /users/@me"), 401, {}, t0 + 1s);
    QCOMPARE(limiter.invalidRequests(t0 + 1s), 2);
    QVERIFY(!limiter.acquire("k", QStringLiteral("GET /gateway/bot"), t0 + 2s).hasValue());
    // The window slides: ten minutes after the first one, one is left and requests pass again.
    QCOMPARE(limiter.invalidRequests(t0 + 10min), 1);
    QVERIFY(limiter.acquire("k", QStringLiteral("GET /gateway/bot"), t0 + 10min).hasValue());
}

QTEST_GUILESS_MAIN(tst_DiscordRest)
#include "tst_discordrest.moc"
