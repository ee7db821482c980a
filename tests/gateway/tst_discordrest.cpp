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

QTEST_GUILESS_MAIN(tst_DiscordRest)
#include "tst_discordrest.moc"
