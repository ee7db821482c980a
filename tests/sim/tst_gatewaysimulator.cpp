// GatewaySimulator driven by a raw QWebSocket and QNetworkAccessManager (not by GatewayClient):
// proves the simulator speaks Discord Gateway v10 (docs/protocol.md) and plays every SimFault.
#include "gatewaysimulator.h"
#include "simrawclient.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

#include <zlib.h>

#include <memory>

using namespace std::chrono_literals;
using gw::GatewaySimulator;
using gw::SimBotPolicy;
using gw::SimFault;
using gw::SimReceived;
using simtest::RawClient;

namespace {

const QString AlphaToken = QStringLiteral("alpha-token-0123456789");
const QString NoPrivToken = QStringLiteral("nopriv-token-0123456789");
const QString BigToken = QStringLiteral("big-token-0123456789");
constexpr int AlphaGuilds = 3;

struct HttpResult
{
    int status = 0;
    QJsonDocument json;
    QByteArray body;
};

} // namespace

class tst_GatewaySimulator final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void rest_data();
    void rest();
    void helloOnOpen();
    void identifyReadyGuildCreate();
    void heartbeatAck();
    void closeCodes_data();
    void closeCodes();
    void badQueryIsRejected_data();
    void badQueryIsRejected();
    void resumeReplaysMissedDispatches();
    void backgroundDispatchesReachTheReplayBuffer();
    void invalidResumeGetsOp9_data();
    void invalidResumeGetsOp9();
    void clientNormalCloseInvalidatesSession();
    void identifyConcurrencyBucket();
    void identifyBucketsAreShardModuloConcurrency();
    void heartbeatTimeoutCloses4009();
    void sendRateLimitCloses4008();
    void liveFaults_data();
    void liveFaults();
    void faultStopAcksAndResumeAcks();
    void faultGoSilent();
    void faultReconnectClosesAfterDelay();
    void faultWithholdHello();
    void faultWithholdReady();
    void faultSlowHandshake();
    void zlibStream_data();
    void zlibStream();
    void unreachableResumeHosts();
    void controlEndpoint();
    void recordsNeverHoldTheToken();
    void acceptAnyTokenAndRemainingOverRest();
    void httpParser_data();
    void httpParser();

private:
    std::unique_ptr<RawClient> connectClient(const QString &query = QStringLiteral("v=10&encoding=json"),
                                             bool viaResume = false);
    std::unique_ptr<RawClient> identifiedClient(const QString &token = AlphaToken,
                                                const QString &query = QStringLiteral("v=10&encoding=json"));
    HttpResult http(const QByteArray &method, const QUrl &url, const QByteArray &auth = {},
                    const QByteArray &body = {});
    void restart(const GatewaySimulator::Options &options);

    std::unique_ptr<GatewaySimulator> m_sim;
    QNetworkAccessManager m_nam;
};

GatewaySimulator::Options defaultOptions()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 5s;      // long enough that tests that do not beat are never timed out
    o.identifyBucketInterval = 0ms;
    return o;
}

void tst_GatewaySimulator::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_GatewaySimulator::restart(const GatewaySimulator::Options &options)
{
    m_sim = std::make_unique<GatewaySimulator>(options);
    SimBotPolicy alpha;
    alpha.name = QStringLiteral("alpha");
    alpha.guilds = AlphaGuilds;
    alpha.sessionStartRemaining = 900;
    m_sim->addBot(AlphaToken, alpha);
    SimBotPolicy nopriv;
    nopriv.name = QStringLiteral("nopriv");
    nopriv.privilegedIntentsAllowed = false;
    m_sim->addBot(NoPrivToken, nopriv);
    SimBotPolicy big;
    big.name = QStringLiteral("big");
    big.guilds = 3000;
    big.recommendedShards = 2;
    m_sim->addBot(BigToken, big);
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
}

void tst_GatewaySimulator::init()
{
    restart(defaultOptions());
}

void tst_GatewaySimulator::cleanup()
{
    m_sim.reset();
}

std::unique_ptr<RawClient> tst_GatewaySimulator::connectClient(const QString &query, bool viaResume)
{
    auto c = std::make_unique<RawClient>();
    QSignalSpy connected(&c->ws, &QWebSocket::connected);
    c->open(viaResume ? m_sim->resumeUrl() : m_sim->gatewayUrl(), query);
    if (!connected.wait(5000))
        return nullptr;
    return c;
}

std::unique_ptr<RawClient> tst_GatewaySimulator::identifiedClient(const QString &token, const QString &query)
{
    auto c = connectClient(query);
    if (!c || c->waitFor(10) < 0)
        return nullptr;
    c->identify(token);
    if (c->waitFor(0, QStringLiteral("READY")) < 0)
        return nullptr;
    return c;
}

HttpResult tst_GatewaySimulator::http(const QByteArray &method, const QUrl &url, const QByteArray &auth,
                                      const QByteArray &body)
{
    QNetworkRequest req(url);
    if (!auth.isEmpty())
        req.setRawHeader("Authorization", auth);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.sendCustomRequest(req, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    HttpResult r;
    if (!reply->isFinished() && !finished.wait(5000)) {
        reply->deleteLater();
        return r;
    }
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body);
    reply->deleteLater();
    return r;
}

// ---- REST ---------------------------------------------------------------------------------------

void tst_GatewaySimulator::rest_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("route");
    QTest::addColumn<QByteArray>("auth");
    QTest::addColumn<int>("status");
    QTest::addColumn<QStringList>("keys");

    const QByteArray good = "Bot " + AlphaToken.toUtf8();
    QTest::newRow("gateway, no auth") << QByteArray("GET") << QStringLiteral("/gateway") << QByteArray() << 200
                                      << QStringList{QStringLiteral("url")};
    QTest::newRow("gateway/bot") << QByteArray("GET") << QStringLiteral("/gateway/bot") << good << 200
                                 << QStringList{QStringLiteral("url"), QStringLiteral("shards"),
                                                QStringLiteral("session_start_limit")};
    QTest::newRow("users/@me") << QByteArray("GET") << QStringLiteral("/users/@me") << good << 200
                               << QStringList{QStringLiteral("id"), QStringLiteral("username"),
                                              QStringLiteral("discriminator"), QStringLiteral("bot")};
    QTest::newRow("gateway/bot, no auth") << QByteArray("GET") << QStringLiteral("/gateway/bot") << QByteArray()
                                          << 401 << QStringList{QStringLiteral("message"), QStringLiteral("code")};
    QTest::newRow("gateway/bot, unknown token")
        << QByteArray("GET") << QStringLiteral("/gateway/bot") << QByteArray("Bot nope") << 401
        << QStringList{QStringLiteral("message"), QStringLiteral("code")};
    QTest::newRow("gateway/bot, bearer") << QByteArray("GET") << QStringLiteral("/gateway/bot")
                                         << QByteArray("Bearer " + AlphaToken.toUtf8()) << 401
                                         << QStringList{QStringLiteral("message")};
    QTest::newRow("users/@me, unknown token") << QByteArray("GET") << QStringLiteral("/users/@me")
                                              << QByteArray("Bot nope") << 401 << QStringList{QStringLiteral("message")};
    QTest::newRow("unknown route") << QByteArray("GET") << QStringLiteral("/channels/1") << good << 404
                                   << QStringList{QStringLiteral("message")};
    QTest::newRow("wrong method") << QByteArray("POST") << QStringLiteral("/gateway/bot") << good << 405
                                  << QStringList{QStringLiteral("message")};
}

void tst_GatewaySimulator::rest()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, route);
    QFETCH(QByteArray, auth);
    QFETCH(int, status);
    QFETCH(QStringList, keys);

    QUrl url = m_sim->apiBase();
    url.setPath(url.path() + route);
    const HttpResult r = http(method, url, auth);
    QCOMPARE(r.status, status);
    QVERIFY2(r.json.isObject(), r.body.constData());
    const QJsonObject o = r.json.object();
    for (const QString &k : keys)
        QVERIFY2(o.contains(k), qPrintable(k));
    if (status == 401) {
        QCOMPARE(o.value(QLatin1String("message")).toString(), QStringLiteral("401: Unauthorized"));
        QCOMPARE(o.value(QLatin1String("code")).toInt(-1), 0);
    }
    if (route == QLatin1String("/gateway") || (route == QLatin1String("/gateway/bot") && status == 200))
        QCOMPARE(o.value(QLatin1String("url")).toString(), m_sim->gatewayUrl().toString());
    if (route == QLatin1String("/gateway/bot") && status == 200) {
        const QJsonObject l = o.value(QLatin1String("session_start_limit")).toObject();
        QCOMPARE(l.value(QLatin1String("total")).toInt(), 1000);
        QCOMPARE(l.value(QLatin1String("remaining")).toInt(), 900);
        // Counted down from when the bot was added (the budget resets then).
        QVERIFY(l.value(QLatin1String("reset_after")).toInteger() <= qint64(24 * 3600 * 1000));
        QVERIFY(l.value(QLatin1String("reset_after")).toInteger() > qint64(24 * 3600 * 1000) - 5000);
        QCOMPARE(l.value(QLatin1String("max_concurrency")).toInt(), 1);
    }
    if (route == QLatin1String("/users/@me") && status == 200) {
        QCOMPARE(o.value(QLatin1String("discriminator")).toString(), QStringLiteral("0"));
        QCOMPARE(o.value(QLatin1String("bot")).toBool(), true);
    }
}

// ---- the gateway's happy path -------------------------------------------------------------------

void tst_GatewaySimulator::helloOnOpen()
{
    auto c = connectClient();
    QVERIFY(c);
    const int i = c->waitFor(10);
    QVERIFY(i >= 0);
    const QJsonObject hello = c->messages.at(i);
    QCOMPARE(hello.value(QLatin1String("d")).toObject().value(QLatin1String("heartbeat_interval")).toInt(), 5000);
    QVERIFY(hello.value(QLatin1String("s")).isNull());
    QCOMPARE(m_sim->openConnectionCount(), 1);
    const auto info = m_sim->connections().constFirst();
    QCOMPARE(info.path, QStringLiteral("/?v=10&encoding=json"));
    QVERIFY(info.open);
    QVERIFY(!info.compressed);
    QVERIFY(!info.viaResumeUrl);
}

void tst_GatewaySimulator::identifyReadyGuildCreate()
{
    QSignalSpy identified(m_sim.get(), &GatewaySimulator::sessionIdentified);
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY(c->waitFor(10) >= 0);
    c->identify(AlphaToken, 1 | (1 << 9), QJsonArray{0, 1});
    const int readyAt = c->waitFor(0, QStringLiteral("READY"));
    QVERIFY(readyAt >= 0);
    const QJsonObject ready = c->messages.at(readyAt);
    const QJsonObject d = ready.value(QLatin1String("d")).toObject();
    QCOMPARE(d.value(QLatin1String("v")).toInt(), 10);
    QVERIFY(!d.value(QLatin1String("session_id")).toString().isEmpty());
    QCOMPARE(d.value(QLatin1String("resume_gateway_url")).toString(), m_sim->resumeUrl().toString());
    QCOMPARE(d.value(QLatin1String("shard")).toArray(), (QJsonArray{0, 1}));
    QCOMPARE(d.value(QLatin1String("guilds")).toArray().size(), AlphaGuilds);
    QVERIFY(d.value(QLatin1String("guilds")).toArray().at(0).toObject().value(QLatin1String("unavailable")).toBool());
    QCOMPARE(d.value(QLatin1String("user")).toObject().value(QLatin1String("bot")).toBool(), true);
    QVERIFY(d.value(QLatin1String("application")).toObject().contains(QLatin1String("id")));
    QCOMPARE(ready.value(QLatin1String("s")).toInt(), 1);

    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), AlphaGuilds);
    qint64 expectSeq = 1;
    for (const QJsonObject &m : std::as_const(c->messages)) {
        if (m.value(QLatin1String("op")).toInt() == 0)
            QCOMPARE(m.value(QLatin1String("s")).toInteger(), expectSeq++);
    }
    QCOMPARE(identified.size(), 1);
    QCOMPARE(identified.at(0).at(1).toString(), QStringLiteral("alpha"));
    QCOMPARE(identified.at(0).at(2).toString(), d.value(QLatin1String("session_id")).toString());
    QCOMPARE(m_sim->sessionStartRemaining(QStringLiteral("alpha")), 899);

    const auto recs = m_sim->receivedFrom(QStringLiteral("alpha"));
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs.at(0).op, 2);
    QCOMPARE(recs.at(0).intents, quint32(1 | (1 << 9)));
    QCOMPARE(recs.at(0).shardId, 0);
    QCOMPARE(recs.at(0).shardCount, 1);
    QCOMPARE(m_sim->connections().constFirst().sessionId, d.value(QLatin1String("session_id")).toString());
    QCOMPARE(m_sim->connections().constFirst().botName, QStringLiteral("alpha"));
}

void tst_GatewaySimulator::heartbeatAck()
{
    auto c = identifiedClient();
    QVERIFY(c);
    QSignalSpy received(m_sim.get(), &GatewaySimulator::payloadReceived);
    c->heartbeat(c->lastSeq());
    QVERIFY(c->waitFor(11) >= 0);
    c->heartbeat(QJsonValue::Null);  // before any dispatch a client sends null
    QTRY_COMPARE(c->count(11), 2);
    QCOMPARE(received.size(), 2);
    QCOMPARE(received.at(0).at(1).toInt(), 1);
    const auto recs = m_sim->receivedFrom(QStringLiteral("alpha"));
    QCOMPARE(recs.size(), 3);
    QCOMPARE(recs.at(1).op, 1);
    QCOMPARE(recs.at(1).heartbeatSeq, std::optional<qint64>(1 + AlphaGuilds));
    QCOMPARE(recs.at(2).heartbeatSeq, std::nullopt);
}

// ---- close codes ----------------------------------------------------------------------------------

void tst_GatewaySimulator::closeCodes_data()
{
    QTest::addColumn<QList<QByteArray>>("payloads");
    QTest::addColumn<int>("code");

    const auto identify = [](const QString &token, const QByteArray &extra) -> QByteArray {
        return "{\"op\":2,\"d\":{\"token\":\"" + token.toUtf8()
            + "\",\"properties\":{\"os\":\"linux\",\"browser\":\"t\",\"device\":\"t\"}" + extra + "}}";
    };
    const QByteArray ok = identify(AlphaToken, ",\"intents\":1");
    QTest::newRow("4004 unknown token") << QList<QByteArray>{identify(QStringLiteral("wrong"), ",\"intents\":1")} << 4004;
    QTest::newRow("4014 privileged intent, not allowed")
        << QList<QByteArray>{identify(NoPrivToken, ",\"intents\":" + QByteArray::number(1 << 15))} << 4014;
    QTest::newRow("4013 unknown intent bit")
        << QList<QByteArray>{identify(AlphaToken, ",\"intents\":" + QByteArray::number(1 << 30))} << 4013;
    QTest::newRow("4013 intents missing") << QList<QByteArray>{identify(AlphaToken, "")} << 4013;
    QTest::newRow("4013 negative intents") << QList<QByteArray>{identify(AlphaToken, ",\"intents\":-1")} << 4013;
    QTest::newRow("4002 invalid JSON") << QList<QByteArray>{"{\"op\":2,"} << 4002;
    QTest::newRow("4002 op is a string") << QList<QByteArray>{"{\"op\":\"one\",\"d\":null}"} << 4002;
    QTest::newRow("4002 payload > 4096 bytes")
        << QList<QByteArray>{"{\"op\":1,\"d\":null,\"x\":\"" + QByteArray(4100, 'a') + "\"}"} << 4002;
    QTest::newRow("4002 heartbeat d is a string") << QList<QByteArray>{"{\"op\":1,\"d\":\"7\"}"} << 4002;
    QTest::newRow("4003 presence before identify")
        << QList<QByteArray>{"{\"op\":3,\"d\":{\"since\":null,\"activities\":[],\"status\":\"online\",\"afk\":false}}"}
        << 4003;
    QTest::newRow("4005 identify twice") << QList<QByteArray>{ok, ok} << 4005;
    QTest::newRow("4001 unknown opcode") << QList<QByteArray>{"{\"op\":99,\"d\":null}"} << 4001;
    QTest::newRow("4001 server-only opcode") << QList<QByteArray>{"{\"op\":11,\"d\":null}"} << 4001;
    QTest::newRow("4010 shard id >= count")
        << QList<QByteArray>{identify(AlphaToken, ",\"intents\":1,\"shard\":[2,1]")} << 4010;
    QTest::newRow("4010 shard not an array")
        << QList<QByteArray>{identify(AlphaToken, ",\"intents\":1,\"shard\":\"0,1\"")} << 4010;
    QTest::newRow("4011 3000 guilds on one shard") << QList<QByteArray>{identify(BigToken, ",\"intents\":1")} << 4011;
    QTest::newRow("4007 resume seq ahead of the session") << QList<QByteArray>{} << 4007;
}

void tst_GatewaySimulator::closeCodes()
{
    QFETCH(QList<QByteArray>, payloads);
    QFETCH(int, code);

    if (code == 4007) {
        auto first = identifiedClient();
        QVERIFY(first);
        const QString sid = first->messages.at(first->find(0, QStringLiteral("READY")))
                                .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
        first->ws.abort();
        QTRY_COMPARE(m_sim->openConnectionCount(), 0);
        auto c = connectClient(QStringLiteral("v=10&encoding=json"), true);
        QVERIFY(c);
        QVERIFY(c->waitFor(10) >= 0);
        c->resume(AlphaToken, sid, 1000);
        QVERIFY(c->waitClosed());
        QCOMPARE(c->closeCode, 4007);
        return;
    }
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY(c->waitFor(10) >= 0);
    for (const QByteArray &p : std::as_const(payloads))
        c->sendRaw(p);
    QVERIFY(c->waitClosed());
    QCOMPARE(c->closeCode, code);
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    QCOMPARE(c->count(0, QStringLiteral("READY")), code == 4005 ? 1 : 0);
    QVERIFY(!m_sim->received().isEmpty());  // recorded even when rejected
}

void tst_GatewaySimulator::badQueryIsRejected_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("code");
    QTest::newRow("v=9") << QStringLiteral("v=9&encoding=json") << 4012;
    QTest::newRow("no v") << QStringLiteral("encoding=json") << 4012;
    QTest::newRow("etf") << QStringLiteral("v=10&encoding=etf") << 4002;
    QTest::newRow("unknown compression") << QStringLiteral("v=10&encoding=json&compress=brotli-stream") << 4002;
}

void tst_GatewaySimulator::badQueryIsRejected()
{
    QFETCH(QString, query);
    QFETCH(int, code);
    auto c = connectClient(query);
    QVERIFY(c);
    QVERIFY(c->waitClosed());
    QCOMPARE(c->closeCode, code);
    QCOMPARE(c->count(10), 0);
}

// ---- resume ------------------------------------------------------------------------------------

void tst_GatewaySimulator::resumeReplaysMissedDispatches()
{
    auto c = identifiedClient();
    QVERIFY(c);
    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), AlphaGuilds);
    const QString sid = c->messages.at(c->find(0, QStringLiteral("READY")))
                            .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
    const qint64 seenSeq = c->lastSeq();
    QCOMPARE(seenSeq, qint64(1 + AlphaGuilds));
    c->ws.abort();
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);

    // Five dispatches while nobody is connected: they must be replayed.
    for (int i = 0; i < 5; ++i)
        m_sim->dispatch(QStringLiteral("alpha"), QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{\"n\":1}"));

    QSignalSpy resumed(m_sim.get(), &GatewaySimulator::sessionResumed);
    auto r = connectClient(QStringLiteral("v=10&encoding=json"), true);
    QVERIFY(r);
    QVERIFY(r->waitFor(10) >= 0);
    r->resume(AlphaToken, sid, seenSeq - 1);  // one GUILD_CREATE "lost" too
    const int at = r->waitFor(0, QStringLiteral("RESUMED"));
    QVERIFY(at >= 0);
    QCOMPARE(r->count(0, QStringLiteral("MESSAGE_CREATE")), 5);
    QCOMPARE(r->count(0, QStringLiteral("GUILD_CREATE")), 1);
    QCOMPARE(r->count(0, QStringLiteral("READY")), 0);
    qint64 expect = seenSeq;
    for (int i = 0; i < at; ++i) {
        if (r->messages.at(i).value(QLatin1String("op")).toInt() == 0)
            QCOMPARE(r->messages.at(i).value(QLatin1String("s")).toInteger(), expect++);
    }
    QCOMPARE(resumed.size(), 1);
    QCOMPARE(resumed.at(0).at(1).toString(), QStringLiteral("alpha"));
    QCOMPARE(resumed.at(0).at(2).toInt(), 6);
    const auto info = m_sim->connection(resumed.at(0).at(0).toInt());
    QVERIFY(info);
    QVERIFY(info->viaResumeUrl);
    QCOMPARE(info->sessionId, sid);
    const auto recs = m_sim->receivedFrom(QStringLiteral("alpha"));
    QCOMPARE(recs.constLast().op, 6);
    QCOMPARE(recs.constLast().sessionId, sid);
    QCOMPARE(recs.constLast().resumeSeq, seenSeq - 1);
    QCOMPARE(m_sim->sessionStartRemaining(QStringLiteral("alpha")), 899);  // RESUME spends no identify

    // After RESUMED, live dispatches continue on the new socket.
    m_sim->dispatch(QStringLiteral("alpha"), QStringLiteral("TYPING_START"), QByteArrayLiteral("{}"));
    QVERIFY(r->waitFor(0, QStringLiteral("TYPING_START")) >= 0);
}

void tst_GatewaySimulator::backgroundDispatchesReachTheReplayBuffer()
{
    auto o = defaultOptions();
    o.dispatchInterval = 10ms;
    o.dispatchPayloadBytes = 600;
    restart(o);
    auto c = identifiedClient();
    QVERIFY(c);
    QTRY_VERIFY(c->count(0, QStringLiteral("MESSAGE_CREATE")) >= 3);
    const QByteArray sample = c->texts.at(c->texts.size() - 1);
    QVERIFY2(sample.size() >= 540 && sample.size() <= 700, QByteArray::number(sample.size()).constData());
    const QString sid = c->messages.at(c->find(0, QStringLiteral("READY")))
                            .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
    const qint64 seenSeq = c->lastSeq();
    c->ws.abort();
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    QSignalSpy resumed(m_sim.get(), &GatewaySimulator::sessionResumed);
    // The background dispatcher keeps advancing the disconnected session.
    QTRY_VERIFY(m_sim->sessionSeq(sid) >= seenSeq + 3);
    const qint64 serverSeq = m_sim->sessionSeq(sid);
    auto r = connectClient(QStringLiteral("v=10&encoding=json"), true);
    QVERIFY(r);
    QVERIFY(r->waitFor(10) >= 0);
    r->resume(AlphaToken, sid, seenSeq);
    QVERIFY(r->waitFor(0, QStringLiteral("RESUMED")) >= 0);
    QCOMPARE(resumed.size(), 1);
    QVERIFY2(resumed.at(0).at(2).toInt() >= serverSeq - seenSeq, "background dispatches while disconnected are replayed");
    QCOMPARE(r->messages.at(r->find(0)).value(QLatin1String("s")).toInteger(), seenSeq + 1);
}

void tst_GatewaySimulator::invalidResumeGetsOp9_data()
{
    QTest::addColumn<QString>("why");
    QTest::newRow("unknown session") << QStringLiteral("unknown");
    QTest::newRow("expired session") << QStringLiteral("expired");
    QTest::newRow("invalidated by op 9 false") << QStringLiteral("invalidated");
    QTest::newRow("session of another token") << QStringLiteral("othertoken");
}

void tst_GatewaySimulator::invalidResumeGetsOp9()
{
    QFETCH(QString, why);
    if (why == QLatin1String("expired")) {
        auto o = defaultOptions();
        o.sessionResumeWindow = 1ms;
        restart(o);
    }
    auto c = identifiedClient();
    QVERIFY(c);
    QString sid = c->messages.at(c->find(0, QStringLiteral("READY")))
                      .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
    if (why == QLatin1String("invalidated")) {
        SimFault f;
        f.kind = SimFault::Kind::InvalidSession;
        f.resumable = false;
        QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
        QVERIFY(c->waitFor(9) >= 0);
    }
    if (why == QLatin1String("unknown"))
        sid = QStringLiteral("0123456789abcdef");
    c->ws.abort();
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    if (why == QLatin1String("expired"))
        QTRY_COMPARE(m_sim->liveSessionCount(), 0);

    auto r = connectClient(QStringLiteral("v=10&encoding=json"), true);
    QVERIFY(r);
    QVERIFY(r->waitFor(10) >= 0);
    r->resume(why == QLatin1String("othertoken") ? NoPrivToken : AlphaToken, sid, 1);
    const int at = r->waitFor(9);
    QVERIFY(at >= 0);
    QCOMPARE(r->messages.at(at).value(QLatin1String("d")).toBool(true), false);
    QCOMPARE(r->count(0, QStringLiteral("RESUMED")), 0);
    // A failed resume leaves the socket unauthenticated: IDENTIFY still works on it.
    r->identify(AlphaToken);
    QVERIFY(r->waitFor(0, QStringLiteral("READY")) >= 0);
}

void tst_GatewaySimulator::clientNormalCloseInvalidatesSession()
{
    auto c = identifiedClient();
    QVERIFY(c);
    const QString sid = c->messages.at(c->find(0, QStringLiteral("READY")))
                            .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
    c->ws.close(QWebSocketProtocol::CloseCodeNormal);
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    QCOMPARE(m_sim->liveSessionCount(), 0);
    auto r = connectClient(QStringLiteral("v=10&encoding=json"), true);
    QVERIFY(r);
    QVERIFY(r->waitFor(10) >= 0);
    r->resume(AlphaToken, sid, 1);
    QVERIFY(r->waitFor(9) >= 0);
}

void tst_GatewaySimulator::identifyConcurrencyBucket()
{
    auto o = defaultOptions();
    o.identifyBucketInterval = 1000ms;
    restart(o);
    auto a = identifiedClient();
    QVERIFY(a);
    QElapsedTimer since;
    since.start();
    auto b = connectClient();
    QVERIFY(b);
    QVERIFY(b->waitFor(10) >= 0);
    b->identify(AlphaToken);
    const int at = b->waitFor(9);
    QVERIFY(at >= 0);
    QVERIFY(since.elapsed() < 1000);
    QCOMPARE(b->messages.at(at).value(QLatin1String("d")).toBool(true), false);
    QCOMPARE(b->count(0, QStringLiteral("READY")), 0);
    QCOMPARE(m_sim->sessionStartRemaining(QStringLiteral("alpha")), 899);
    // A different bucket (shard 1 of 2 with max_concurrency 2) would pass; the same bucket after
    // the window passes too.
    QTRY_VERIFY_WITH_TIMEOUT(since.elapsed() > 1050, 3000);
    b->identify(AlphaToken);
    QVERIFY(b->waitFor(0, QStringLiteral("READY")) >= 0);
}

void tst_GatewaySimulator::identifyBucketsAreShardModuloConcurrency()
{
    auto o = defaultOptions();
    o.identifyBucketInterval = 5s;
    restart(o);
    SimBotPolicy conc;
    conc.name = QStringLiteral("conc");
    conc.maxConcurrency = 2;
    conc.guilds = 4;
    m_sim->addBot(QStringLiteral("conc-token"), conc);
    const auto identifyShard = [this](int shard) -> std::unique_ptr<RawClient> {
        auto c = connectClient();
        if (!c || c->waitFor(10) < 0)
            return nullptr;
        c->identify(QStringLiteral("conc-token"), 1, QJsonArray{shard, 4});
        return c;
    };
    auto s0 = identifyShard(0);  // bucket 0
    auto s1 = identifyShard(1);  // bucket 1: not limited by shard 0
    auto s2 = identifyShard(2);  // bucket 0 again within 5 s: op 9
    QVERIFY(s0 && s1 && s2);
    QVERIFY(s0->waitFor(0, QStringLiteral("READY")) >= 0);
    QVERIFY(s1->waitFor(0, QStringLiteral("READY")) >= 0);
    const int at = s2->waitFor(9);
    QVERIFY(at >= 0);
    QCOMPARE(s2->count(0, QStringLiteral("READY")), 0);
    // READY lists only the guilds routed to that shard.
    const QJsonObject ready1 = s1->messages.at(s1->find(0, QStringLiteral("READY")));
    QCOMPARE(ready1.value(QLatin1String("d")).toObject().value(QLatin1String("guilds")).toArray().size(), 1);
    QCOMPARE(ready1.value(QLatin1String("d")).toObject().value(QLatin1String("shard")).toArray(), (QJsonArray{1, 4}));
}

void tst_GatewaySimulator::heartbeatTimeoutCloses4009()
{
    auto o = defaultOptions();
    o.heartbeatInterval = 60ms;
    o.heartbeatTimeoutGrace = 40ms;
    restart(o);
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY(c->waitFor(10) >= 0);
    c->identify(AlphaToken);
    QVERIFY(c->waitClosed(3000));
    QCOMPARE(c->closeCode, 4009);
    QCOMPARE(m_sim->liveSessionCount(), 0);
}

void tst_GatewaySimulator::sendRateLimitCloses4008()
{
    auto o = defaultOptions();
    o.sendRateLimit = 5;
    o.sendRateWindow = 60s;
    restart(o);
    auto c = identifiedClient();  // 1 payload
    QVERIFY(c);
    for (int i = 0; i < 4; ++i)
        c->heartbeat(c->lastSeq());
    QTRY_COMPARE(c->count(11), 4);
    QVERIFY(!c->closed);
    c->heartbeat(c->lastSeq());  // the sixth payload in the window
    QVERIFY(c->waitClosed());
    QCOMPARE(c->closeCode, 4008);
}

// ---- faults -----------------------------------------------------------------------------------

void tst_GatewaySimulator::liveFaults_data()
{
    QTest::addColumn<SimFault>("fault");
    QTest::addColumn<int>("expectOp");        // an op the client must receive, -1 = none
    QTest::addColumn<QString>("expectEvent");  // with this event name (dispatches)
    QTest::addColumn<int>("expectCount");
    QTest::addColumn<int>("closeCode");       // -1 = stays open

    const auto make = [](SimFault::Kind k) {
        SimFault f;
        f.kind = k;
        return f;
    };
    SimFault f = make(SimFault::Kind::Reconnect);
    QTest::newRow("Reconnect -> op 7") << f << 7 << QString() << 1 << -1;
    f = make(SimFault::Kind::InvalidSession);
    f.resumable = true;
    QTest::newRow("InvalidSession true -> op 9 true") << f << 9 << QStringLiteral("true") << 1 << -1;
    f.resumable = false;
    QTest::newRow("InvalidSession false -> op 9 false") << f << 9 << QStringLiteral("false") << 1 << -1;
    QTest::newRow("RequestHeartbeat -> op 1") << make(SimFault::Kind::RequestHeartbeat) << 1 << QString() << 1 << -1;
    f = make(SimFault::Kind::Close);
    f.closeCode = 4321;
    QTest::newRow("Close 4321") << f << -1 << QString() << 0 << 4321;
    f.closeCode = 1000;
    QTest::newRow("Close 1000") << f << -1 << QString() << 0 << 1000;
    QTest::newRow("DropTcp: no close frame")
        << make(SimFault::Kind::DropTcp) << -1 << QString() << 0 << -2;
    f = make(SimFault::Kind::Flood);
    f.count = 25;
    QTest::newRow("Flood 25") << f << 0 << QStringLiteral("MESSAGE_CREATE") << 25 << -1;
    QTest::newRow("Malformed") << make(SimFault::Kind::Malformed) << -1 << QStringLiteral("malformed") << 2 << -1;
    f = make(SimFault::Kind::Oversized);
    f.size = 70000;
    QTest::newRow("Oversized 70000") << f << 0 << QStringLiteral("OVERSIZED") << 1 << -1;
}

void tst_GatewaySimulator::liveFaults()
{
    QFETCH(SimFault, fault);
    QFETCH(int, expectOp);
    QFETCH(QString, expectEvent);
    QFETCH(int, expectCount);
    QFETCH(int, closeCode);

    auto c = identifiedClient();
    QVERIFY(c);
    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), AlphaGuilds);
    const qint64 seqBefore = c->lastSeq();
    const int before = int(c->messages.size());
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), fault));

    if (closeCode != -1) {
        QVERIFY(c->waitClosed());
        QCOMPARE(c->closeCode, closeCode == -2 ? -1 : closeCode);  // -2: closed without a close frame
        QTRY_COMPARE(m_sim->openConnectionCount(), 0);
        // Only codes that end the session make it unresumable (docs/protocol.md).
        QCOMPARE(m_sim->liveSessionCount(), closeCode == -2 || closeCode == 4321 || closeCode == 1000 ? 1 : 0);
        return;
    }
    if (expectEvent == QLatin1String("malformed")) {
        QTRY_COMPARE(c->decodeErrors, expectCount);
        QCOMPARE(c->texts.constLast(), QByteArrayLiteral("{\"op\":\"ten\",\"d\":null,\"s\":null,\"t\":null}"));
        return;
    }
    if (expectOp == 0) {
        QTRY_COMPARE(c->count(0, expectEvent), expectCount);
        if (expectEvent == QLatin1String("MESSAGE_CREATE")) {
            for (int i = before; i < c->messages.size(); ++i)
                QCOMPARE(c->messages.at(i).value(QLatin1String("s")).toInteger(), seqBefore + 1 + (i - before));
        } else {
            QCOMPARE(qint64(c->texts.constLast().size()), fault.size);
        }
        return;
    }
    const int at = c->waitFor(expectOp, {}, before);
    QVERIFY(at >= 0);
    if (expectOp == 9)
        QCOMPARE(c->messages.at(at).value(QLatin1String("d")).toBool(), expectEvent == QLatin1String("true"));
    QVERIFY(!c->closed);
}

void tst_GatewaySimulator::faultStopAcksAndResumeAcks()
{
    auto c = identifiedClient();
    QVERIFY(c);
    SimFault f;
    f.kind = SimFault::Kind::StopAcks;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    c->heartbeat(c->lastSeq());
    // A dispatch sent after the beat was handled arrives in order: no ACK may precede it.
    QTRY_COMPARE(m_sim->received().size(), 2);
    m_sim->dispatch(QStringLiteral("alpha"), QStringLiteral("MARKER"), QByteArrayLiteral("{}"));
    QVERIFY(c->waitFor(0, QStringLiteral("MARKER")) >= 0);
    QCOMPARE(c->count(11), 0);
    f.kind = SimFault::Kind::ResumeAcks;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    c->heartbeat(c->lastSeq());
    QVERIFY(c->waitFor(11) >= 0);
    QCOMPARE(c->count(11), 1);
}

void tst_GatewaySimulator::faultGoSilent()
{
    auto c = identifiedClient();
    QVERIFY(c);
    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), AlphaGuilds);
    SimFault f;
    f.kind = SimFault::Kind::GoSilent;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    const int before = int(c->messages.size());
    c->heartbeat(c->lastSeq());
    m_sim->dispatch(QStringLiteral("alpha"), QStringLiteral("MARKER"), QByteArrayLiteral("{}"));
    QTRY_COMPARE(m_sim->received().size(), 2);  // the beat arrived and was recorded
    // Nothing comes back, yet the socket stays open.
    QSignalSpy anything(c.get(), &RawClient::messageDecoded);
    QVERIFY(!anything.wait(300));
    QCOMPARE(c->messages.size(), before);
    QVERIFY(!c->closed);
    QCOMPARE(m_sim->openConnectionCount(), 1);
}

void tst_GatewaySimulator::faultReconnectClosesAfterDelay()
{
    auto c = identifiedClient();
    QVERIFY(c);
    SimFault f;
    f.kind = SimFault::Kind::Reconnect;
    f.delay = 50ms;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    QVERIFY(c->waitFor(7) >= 0);
    QVERIFY(c->waitClosed());
    QCOMPARE(c->closeCode, 4000);
    // 4000 keeps the session resumable.
    QCOMPARE(m_sim->liveSessionCount(), 1);
}

void tst_GatewaySimulator::faultWithholdHello()
{
    SimFault f;
    f.kind = SimFault::Kind::WithholdHello;
    f.connections = 1;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    auto silent = connectClient();
    QVERIFY(silent);
    QSignalSpy anything(silent.get(), &RawClient::messageDecoded);
    auto next = connectClient();  // the fault covered one connection only
    QVERIFY(next);
    QVERIFY(next->waitFor(10) >= 0);
    QVERIFY(!anything.wait(100));
    QCOMPARE(silent->messages.size(), 0);
}

void tst_GatewaySimulator::faultWithholdReady()
{
    SimFault f;
    f.kind = SimFault::Kind::WithholdReady;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY(c->waitFor(10) >= 0);
    c->identify(AlphaToken);
    c->heartbeat(QJsonValue::Null);
    QVERIFY(c->waitFor(11) >= 0);  // heartbeats still answered: the IDENTIFY was processed first
    QCOMPARE(c->count(0), 0);
    auto d = identifiedClient();   // the next connection gets its READY
    QVERIFY(d);
}

void tst_GatewaySimulator::faultSlowHandshake()
{
    SimFault f;
    f.kind = SimFault::Kind::SlowHandshake;
    f.delay = 600ms;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    QElapsedTimer t;
    t.start();
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY2(t.elapsed() >= 580, QByteArray::number(t.elapsed()).constData());
    QVERIFY(c->waitFor(10) >= 0);
    t.restart();
    auto d = connectClient();
    QVERIFY(d);
    QVERIFY2(t.elapsed() < 580, QByteArray::number(t.elapsed()).constData());

    // A client with its own 100 ms handshake timeout gives up; the simulator never opens it.
    f.delay = 300ms;
    QVERIFY(m_sim->injectFault(QStringLiteral("alpha"), f));
    QSignalSpy opened(m_sim.get(), &GatewaySimulator::clientConnected);
    RawClient impatient;
    QSignalSpy connected(&impatient.ws, &QWebSocket::connected);
    impatient.open(m_sim->gatewayUrl());
    QVERIFY(!connected.wait(100));
    impatient.ws.abort();
    auto e = connectClient();  // a later client is not delayed, and no ghost socket opened
    QVERIFY(e);
    QVERIFY(e->waitFor(10) >= 0);
    QVERIFY(!opened.wait(400));
    QCOMPARE(opened.size(), 1);
}

// ---- zlib-stream ----------------------------------------------------------------------------------

void tst_GatewaySimulator::zlibStream_data()
{
    QTest::addColumn<bool>("split");
    QTest::newRow("one message per payload") << false;
    QTest::newRow("split across two messages") << true;
}

void tst_GatewaySimulator::zlibStream()
{
    QFETCH(bool, split);
    auto o = defaultOptions();
    o.splitCompressedMessages = split;
    restart(o);
    auto c = identifiedClient(AlphaToken, QStringLiteral("v=10&encoding=json&compress=zlib-stream"));
    QVERIFY(c);
    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), AlphaGuilds);
    QVERIFY(c->compressed);
    QCOMPARE(c->decodeErrors, 0);
    QCOMPARE(c->count(10), 1);
    const int payloads = 2 + AlphaGuilds;  // HELLO, READY, GUILD_CREATEs
    QCOMPARE(c->messages.size(), payloads);
    QCOMPARE(c->binaryFrames.size(), split ? 2 * payloads : payloads);
    int suffixed = 0;
    for (const QByteArray &frame : std::as_const(c->binaryFrames)) {
        if (frame.endsWith(QByteArrayLiteral("\x00\x00\xff\xff")))
            ++suffixed;
    }
    QCOMPARE(suffixed, payloads);
    QVERIFY(m_sim->connections().constFirst().compressed);
    c->heartbeat(c->lastSeq());
    QVERIFY(c->waitFor(11) >= 0);
}

// ---- control endpoint ---------------------------------------------------------------------------------

// READY can announce a resume host that refuses connections or never answers the upgrade
// (docs/simulator.md, "Unreachable resume host"); the live listener keeps working.
void tst_GatewaySimulator::unreachableResumeHosts()
{
    QCOMPARE(GatewaySimulator::resumeHostFromName(QStringLiteral("silent")), GatewaySimulator::ResumeHost::Silent);
    QVERIFY(!GatewaySimulator::resumeHostFromName(QStringLiteral("nowhere")));
    QCOMPARE(m_sim->announcedResumeUrl(), m_sim->resumeUrl());

    // Refused: READY names it, and a connect there is refused.
    QVERIFY(m_sim->setResumeHost(GatewaySimulator::ResumeHost::Refused));
    auto c = connectClient();
    QVERIFY(c);
    QVERIFY(c->waitFor(10) >= 0);
    c->identify(AlphaToken, 1, QJsonArray{0, 1});
    const int readyAt = c->waitFor(0, QStringLiteral("READY"));
    QVERIFY(readyAt >= 0);
    const QUrl refused(c->messages.at(readyAt).value(QLatin1String("d")).toObject()
                           .value(QLatin1String("resume_gateway_url")).toString());
    QCOMPARE(refused, m_sim->announcedResumeUrl());
    QVERIFY(refused.port() != m_sim->resumeUrl().port() && refused.port() != m_sim->gatewayUrl().port());
    QTcpSocket probe;
    QSignalSpy probeError(&probe, &QAbstractSocket::errorOccurred);
    probe.connectToHost(refused.host(), quint16(refused.port()));
    QVERIFY(probeError.wait(5000));
    QCOMPARE(probe.error(), QAbstractSocket::ConnectionRefusedError);

    // Silent: the TCP connection is accepted, the upgrade is never answered.
    const QUrl control = m_sim->controlUrl();
    QUrl settings = control;
    settings.setPath(control.path() + QStringLiteral("/settings"));
    QCOMPARE(http("POST", settings, {}, R"({"resume_host":"nowhere"})").status, 400);
    QCOMPARE(http("POST", settings, {}, R"({"resume_host":"silent"})").status, 200);
    QCOMPARE(m_sim->resumeHost(), GatewaySimulator::ResumeHost::Silent);
    const HttpResult status = http("GET", control);
    QCOMPARE(status.json.object().value(QLatin1String("resume_host")).toString(), QStringLiteral("silent"));
    const QUrl silent = m_sim->announcedResumeUrl();
    QCOMPARE(QUrl(status.json.object().value(QLatin1String("announced_resume")).toString()), silent);
    QWebSocket ws;
    QSignalSpy wsConnected(&ws, &QWebSocket::connected);
    ws.open(silent);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->silentResumeConnections(), 1, 5000);
    QVERIFY(!wsConnected.wait(300));   // the upgrade stays unanswered
    QCOMPARE(ws.state(), QAbstractSocket::ConnectingState);
    ws.abort();

    // Back to live: new sessions resume on the resume listener again.
    QVERIFY(m_sim->setResumeHost(GatewaySimulator::ResumeHost::Live));
    QCOMPARE(m_sim->announcedResumeUrl(), m_sim->resumeUrl());
}

void tst_GatewaySimulator::controlEndpoint()
{
    const QUrl control = m_sim->controlUrl();
    const auto at = [&](const QString &sub, const QString &query = {}) {
        QUrl u = control;
        u.setPath(u.path() + sub);
        if (!query.isEmpty())
            u.setQuery(query);
        return u;
    };
    // Add a bot over HTTP, then use it over REST and the gateway.
    HttpResult r = http("POST", at(QStringLiteral("/bots")), {},
                        R"({"token":"gamma-token-xyz","name":"gamma","privileged":false,"guilds":2})");
    QCOMPARE(r.status, 201);
    QVERIFY(m_sim->botNames().contains(QStringLiteral("gamma")));
    QUrl me = m_sim->apiBase();
    me.setPath(me.path() + QStringLiteral("/users/@me"));
    QCOMPARE(http("GET", me, "Bot gamma-token-xyz").status, 200);

    auto c = identifiedClient(QStringLiteral("gamma-token-xyz"));
    QVERIFY(c);
    QTRY_COMPARE(c->count(0, QStringLiteral("GUILD_CREATE")), 2);

    r = http("GET", at(QStringLiteral("/connections")));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.array().size(), 1);
    QCOMPARE(r.json.array().at(0).toObject().value(QLatin1String("bot")).toString(), QStringLiteral("gamma"));
    QVERIFY(r.json.array().at(0).toObject().value(QLatin1String("open")).toBool());

    r = http("POST", at(QStringLiteral("/dispatch")), {}, R"({"bot":"gamma","event":"PING_EVENT","data":{"x":1}})");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.object().value(QLatin1String("sessions")).toInt(), 1);
    const int ping = c->waitFor(0, QStringLiteral("PING_EVENT"));
    QVERIFY(ping >= 0);
    QCOMPARE(c->messages.at(ping).value(QLatin1String("d")).toObject().value(QLatin1String("x")).toInt(), 1);

    c->heartbeat(c->lastSeq());
    QVERIFY(c->waitFor(11) >= 0);
    r = http("GET", at(QStringLiteral("/received"), QStringLiteral("bot=gamma")));
    QCOMPARE(r.status, 200);
    const QJsonArray recs = r.json.array();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs.at(0).toObject().value(QLatin1String("op")).toInt(), 2);
    QCOMPARE(recs.at(1).toObject().value(QLatin1String("op")).toInt(), 1);
    QCOMPARE(recs.at(1).toObject().value(QLatin1String("heartbeat_seq")).toInteger(), c->lastSeq());
    QVERIFY(!r.body.contains("gamma-token-xyz"));

    // Errors are answered, not ignored.
    QCOMPARE(http("POST", at(QStringLiteral("/fault")), {}, R"({"bot":"gamma","kind":"NoSuchKind"})").status, 400);
    QCOMPARE(http("POST", at(QStringLiteral("/fault")), {}, R"({"bot":"nobody","kind":"Close"})").status, 404);
    QCOMPARE(http("POST", at(QStringLiteral("/fault")), {}, "not json").status, 400);
    QCOMPARE(http("GET", at(QStringLiteral("/fault"))).status, 405);
    QCOMPARE(http("GET", at(QStringLiteral("/nothing"))).status, 404);
    QCOMPARE(http("GET", at(QStringLiteral("/status"))).json.object().value(QLatin1String("gateway")).toString(),
             m_sim->gatewayUrl().toString());

    // A fault through HTTP takes effect.
    r = http("POST", at(QStringLiteral("/fault")), {}, R"({"bot":"gamma","kind":"Close","code":4444})");
    QCOMPARE(r.status, 200);
    QVERIFY(c->waitClosed());
    QCOMPARE(c->closeCode, 4444);
    QCOMPARE(http("POST", at(QStringLiteral("/fault")), {}, R"({"bot":"gamma","kind":"StopAcks"})").status, 409);

    // The bot's privileged flag from the control call is enforced.
    auto p = connectClient();
    QVERIFY(p);
    QVERIFY(p->waitFor(10) >= 0);
    p->identify(QStringLiteral("gamma-token-xyz"), 1 << 1);
    QVERIFY(p->waitClosed());
    QCOMPARE(p->closeCode, 4014);

    // Sticky faults by name too.
    QCOMPARE(http("POST", at(QStringLiteral("/fault")), {}, R"({"bot":"gamma","kind":"WithholdHello","connections":1})")
                 .status, 200);
    auto w = connectClient();
    QVERIFY(w);
    auto x = connectClient();
    QVERIFY(x);
    QVERIFY(x->waitFor(10) >= 0);
    QCOMPARE(w->count(10), 0);

    QCOMPARE(http("DELETE", at(QStringLiteral("/received"))).status, 200);
    QVERIFY(m_sim->received().isEmpty());
}

void tst_GatewaySimulator::recordsNeverHoldTheToken()
{
    auto c = identifiedClient();
    QVERIFY(c);
    c->heartbeat(c->lastSeq());
    QVERIFY(c->waitFor(11) >= 0);
    for (const SimReceived &r : m_sim->received()) {
        QVERIFY(!r.botName.contains(AlphaToken));
        QVERIFY(!r.sessionId.contains(AlphaToken));
    }
    for (const auto &info : m_sim->connections()) {
        QVERIFY(!info.path.contains(AlphaToken));
        QVERIFY(!info.botName.contains(AlphaToken));
    }
    QUrl u = m_sim->controlUrl();
    u.setPath(u.path() + QStringLiteral("/bots"));
    const HttpResult r = http("GET", u);
    QCOMPARE(r.status, 200);
    QVERIFY(!r.body.contains(AlphaToken.toUtf8()));
    QVERIFY(r.body.contains("alpha"));
}

void tst_GatewaySimulator::acceptAnyTokenAndRemainingOverRest()
{
    auto o = defaultOptions();
    o.acceptUnknownTokens = true;
    restart(o);
    const QString token = QStringLiteral("never-seen-before-token");
    QUrl bot = m_sim->apiBase();
    bot.setPath(bot.path() + QStringLiteral("/gateway/bot"));
    HttpResult r = http("GET", bot, "Bot " + token.toUtf8());
    QCOMPARE(r.status, 200);
    const int before = r.json.object().value(QLatin1String("session_start_limit")).toObject()
                           .value(QLatin1String("remaining")).toInt();
    auto c = identifiedClient(token);
    QVERIFY(c);
    r = http("GET", bot, "Bot " + token.toUtf8());
    QCOMPARE(r.json.object().value(QLatin1String("session_start_limit")).toObject()
                 .value(QLatin1String("remaining")).toInt(), before - 1);
    const QStringList names = m_sim->botNames();
    QVERIFY(!names.join(QLatin1Char(' ')).contains(token));
    QCOMPARE(m_sim->connections().constFirst().botName.startsWith(QLatin1String("bot-")), true);
}

void tst_GatewaySimulator::httpParser_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");  // written one after another
    QTest::addColumn<int>("status");

    const QByteArray get = "GET /api/v10/gateway HTTP/1.1\r\nHost: x\r\n\r\n";
    QTest::newRow("whole request") << QList<QByteArray>{get} << 200;
    QTest::newRow("request in three pieces") << QList<QByteArray>{get.left(5), get.mid(5, 20), get.mid(25)} << 200;
    QTest::newRow("body in two pieces")
        << QList<QByteArray>{"POST /control/dispatch HTTP/1.1\r\nContent-Length: 27\r\n\r\n{\"bot\":\"alpha\",",
                             "\"event\":\"X\"}"}
        << 200;
    QTest::newRow("garbage request line") << QList<QByteArray>{"HELLO\r\n\r\n"} << 400;
    QTest::newRow("not HTTP/1.x") << QList<QByteArray>{"GET / SPDY/3\r\n\r\n"} << 400;
    QTest::newRow("header without colon") << QList<QByteArray>{"GET /api/v10/gateway HTTP/1.1\r\nbroken\r\n\r\n"} << 400;
    QTest::newRow("bad Content-Length")
        << QList<QByteArray>{"POST /control/fault HTTP/1.1\r\nContent-Length: x\r\n\r\n"} << 400;
    QTest::newRow("headers > 8 KiB")
        << QList<QByteArray>{"GET / HTTP/1.1\r\nX-Big: " + QByteArray(9000, 'a') + "\r\n\r\n"} << 431;
    QTest::newRow("body > 1 MiB")
        << QList<QByteArray>{"POST /control/fault HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n"} << 413;
    QTest::newRow("chunked body")
        << QList<QByteArray>{"POST /control/fault HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"} << 411;
    QTest::newRow("unknown path") << QList<QByteArray>{"GET /nowhere HTTP/1.1\r\n\r\n"} << 404;
}

void tst_GatewaySimulator::httpParser()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(int, status);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_sim->apiBase().port()));
    QVERIFY(socket.waitForConnected(5000));
    for (const QByteArray &chunk : std::as_const(chunks)) {
        socket.write(chunk);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    QVERIFY(socket.state() == QAbstractSocket::UnconnectedState || closed.wait(5000));
    const QByteArray response = socket.readAll();
    const QByteArray expected = "HTTP/1.1 " + QByteArray::number(status) + ' ';
    QVERIFY2(response.startsWith(expected), response.left(80).constData());
    QVERIFY(response.contains("\r\nConnection: close\r\n"));
    QVERIFY(response.contains("\r\nContent-Length: "));
}

QTEST_GUILESS_MAIN(tst_GatewaySimulator)
#include "tst_gatewaysimulator.moc"
