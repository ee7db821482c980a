// The simulator under load (docs/simulator.md, "Load modelling"), driven by a raw QWebSocket:
// the ordered and paced outbound queue (an ACK waits behind queued dispatches), the ACK delay,
// the finite replay buffer with RESUMED's own sequence number, SkipSequence, and the paced Flood.
#include "gatewaysimulator.h"
#include "simpacer_p.h"
#include "simrawclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <chrono>
#include <memory>

using namespace std::chrono_literals;
using gw::GatewaySimulator;
using gw::SimBotPolicy;
using gw::SimFault;
using simtest::RawClient;

namespace {

const QString AlphaToken = QStringLiteral("alpha-load-token-0123456789");
const QString Alpha = QStringLiteral("alpha");
const QString MessageCreate = QStringLiteral("MESSAGE_CREATE");

qint64 seqOf(const QJsonObject &m)
{
    return m.value(QLatin1String("s")).toInteger(-1);
}

QString sessionIdOf(const RawClient &c)
{
    return c.messages.at(c.find(0, QStringLiteral("READY")))
        .value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString();
}

} // namespace

class tst_SimLoad final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void defaultsAreUnpacedWithAFiniteReplayBuffer();
    void ackWaitsBehindQueuedDispatches();
    void closeFrameWaitsBehindQueuedDispatches();
    void ackDelay();
    void ackDelayPerConnectionOverControl();
    void replayBufferKeepsTheNewest();
    void skipSequence();
    void pacedFlood_data();
    void pacedFlood();
    void pacerIsNeverEarly();
    void controlSettings();

private:
    void start(const GatewaySimulator::Options &options);
    std::unique_ptr<RawClient> identifiedClient(const QString &query = QStringLiteral("v=10&encoding=json"));
    std::unique_ptr<RawClient> resumedClient(const QString &sessionId, qint64 seq);
    int waitForCount(RawClient &c, int op, const QString &t, int n, int timeoutMs = 10000);
    std::pair<int, QJsonObject> post(const QString &path, const QJsonObject &body);

    std::unique_ptr<GatewaySimulator> m_sim;
    QNetworkAccessManager m_nam;
};

GatewaySimulator::Options baseOptions()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 10s;  // no 4009 while a test takes its time
    o.identifyBucketInterval = 0ms;
    o.enforceSendRateLimit = false;
    return o;
}

void tst_SimLoad::start(const GatewaySimulator::Options &options)
{
    m_sim = std::make_unique<GatewaySimulator>(options);
    SimBotPolicy alpha;
    alpha.name = Alpha;
    m_sim->addBot(AlphaToken, alpha);
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
}

void tst_SimLoad::cleanup()
{
    m_sim.reset();
}

std::unique_ptr<RawClient> tst_SimLoad::identifiedClient(const QString &query)
{
    auto c = std::make_unique<RawClient>();
    QSignalSpy connected(&c->ws, &QWebSocket::connected);
    c->open(m_sim->gatewayUrl(), query);
    if (!connected.wait(5000) || c->waitFor(10) < 0)
        return nullptr;
    c->identify(AlphaToken);
    if (c->waitFor(0, QStringLiteral("GUILD_CREATE")) < 0)
        return nullptr;
    return c;
}

std::unique_ptr<RawClient> tst_SimLoad::resumedClient(const QString &sessionId, qint64 seq)
{
    auto c = std::make_unique<RawClient>();
    QSignalSpy connected(&c->ws, &QWebSocket::connected);
    c->open(m_sim->resumeUrl());
    if (!connected.wait(5000) || c->waitFor(10) < 0)
        return nullptr;
    c->resume(AlphaToken, sessionId, seq);
    if (c->waitFor(0, QStringLiteral("RESUMED"), 0, 20000) < 0)
        return nullptr;
    return c;
}

int tst_SimLoad::waitForCount(RawClient &c, int op, const QString &t, int n, int timeoutMs)
{
    [[maybe_unused]] const bool done = QTest::qWaitFor([&] { return c.count(op, t) >= n || c.closed; }, timeoutMs);
    return c.count(op, t);
}

std::pair<int, QJsonObject> tst_SimLoad::post(const QString &path, const QJsonObject &body)
{
    QUrl url = m_sim->controlUrl();
    url.setPath(path);
    QNetworkRequest req(url);
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_nam.post(req, QJsonDocument(body).toJson(QJsonDocument::Compact));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        finished.wait(5000);
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return {status, json};
}

// ---- defaults ----------------------------------------------------------------------------------

void tst_SimLoad::defaultsAreUnpacedWithAFiniteReplayBuffer()
{
    const GatewaySimulator::Options o;
    QCOMPARE(o.outboundRate, 0);
    QCOMPARE(o.ackDelay, 0ms);
    QCOMPARE(o.replayBufferLimit, 5000);
    QCOMPARE(SimFault().rate, 0);
}

// ---- the outbound queue ------------------------------------------------------------------------

// 200 dispatches go into the queue at once, drained at 500/s (~400 ms); a heartbeat sent after
// the first 10 arrived is answered only after all 200.
void tst_SimLoad::ackWaitsBehindQueuedDispatches()
{
    auto o = baseOptions();
    o.outboundRate = 500;
    start(o);
    auto c = identifiedClient();
    QVERIFY(c);
    SimFault flood;
    flood.kind = SimFault::Kind::Flood;
    flood.count = 200;
    QVERIFY(m_sim->injectFault(Alpha, flood));
    QVERIFY(waitForCount(*c, 0, MessageCreate, 10) >= 10);
    QVERIFY2(c->count(0, MessageCreate) < 200, "the flood was not paced");
    const auto conn = m_sim->connections().constLast();
    QVERIFY(conn.outboundQueued > 0);

    c->heartbeat(c->lastSeq());
    const int ack = c->waitFor(11, {}, 0, 10000);
    QVERIFY(ack >= 0);
    QCOMPARE(c->count(0, MessageCreate), 200);
    int lastDispatch = -1;
    for (int i = 0; i < c->messages.size(); ++i) {
        if (c->messages.at(i).value(QLatin1String("t")).toString() == MessageCreate)
            lastDispatch = i;
    }
    QCOMPARE(ack, lastDispatch + 1);  // behind every dispatch queued before the beat arrived
    QCOMPARE(seqOf(c->messages.at(lastDispatch)), seqOf(c->messages.at(c->find(0, MessageCreate))) + 199);
}

void tst_SimLoad::closeFrameWaitsBehindQueuedDispatches()
{
    auto o = baseOptions();
    o.outboundRate = 1000;
    start(o);
    auto c = identifiedClient();
    QVERIFY(c);
    SimFault flood;
    flood.kind = SimFault::Kind::Flood;
    flood.count = 100;
    QVERIFY(m_sim->injectFault(Alpha, flood));
    SimFault close;
    close.kind = SimFault::Kind::Close;
    close.closeCode = 4000;
    QVERIFY(m_sim->injectFault(Alpha, close));
    QVERIFY(c->waitClosed(10000));
    QCOMPARE(c->closeCode, 4000);
    QCOMPARE(c->count(0, MessageCreate), 100);
}

// ---- ACK delay ---------------------------------------------------------------------------------

void tst_SimLoad::ackDelay()
{
    auto o = baseOptions();
    o.ackDelay = 150ms;
    start(o);
    auto c = identifiedClient();
    QVERIFY(c);
    const qint64 sentAt = c->clock.elapsed();
    c->heartbeat(c->lastSeq());
    const int ack = c->waitFor(11, {}, 0, 5000);
    QVERIFY(ack >= 0);
    QVERIFY2(c->arrivedMs.at(ack) - sentAt >= 145, qPrintable(QString::number(c->arrivedMs.at(ack) - sentAt)));

    // A dispatch sent while an ACK is held back arrives first.
    c->heartbeat(c->lastSeq());
    QTRY_COMPARE(m_sim->receivedFrom(Alpha).constLast().op, 1);
    m_sim->dispatch(Alpha, QStringLiteral("TYPING_START"), QByteArrayLiteral("{}"));
    const int second = c->waitFor(11, {}, ack + 1, 5000);
    QVERIFY(second >= 0);
    QVERIFY(c->find(0, QStringLiteral("TYPING_START")) < second);
}

void tst_SimLoad::ackDelayPerConnectionOverControl()
{
    start(baseOptions());
    auto c = identifiedClient();
    QVERIFY(c);
    const int id = m_sim->connections().constLast().id;
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("connection"), id},
                                                        {QStringLiteral("ack_delay_ms"), 200}})
                 .first,
             200);
    qint64 sentAt = c->clock.elapsed();
    c->heartbeat(c->lastSeq());
    int ack = c->waitFor(11, {}, 0, 5000);
    QVERIFY(ack >= 0);
    QVERIFY(c->arrivedMs.at(ack) - sentAt >= 195);

    // null drops the override; a bot-level one then applies.
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("connection"), id},
                                                        {QStringLiteral("ack_delay_ms"), QJsonValue::Null}})
                 .first,
             200);
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("bot"), Alpha},
                                                        {QStringLiteral("ack_delay_ms"), 120}})
                 .first,
             200);
    sentAt = c->clock.elapsed();
    c->heartbeat(c->lastSeq());
    ack = c->waitFor(11, {}, ack + 1, 5000);
    QVERIFY(ack >= 0);
    QVERIFY(c->arrivedMs.at(ack) - sentAt >= 115);
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("connection"), 999}}).first, 404);
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("bot"), Alpha},
                                                        {QStringLiteral("heartbeat_interval_ms"), 5}})
                 .first,
             400);
}

// ---- replay buffer -----------------------------------------------------------------------------

// 8000 missed with a buffer of 5000: the newest 5000 come back, and RESUMED's own s tells the
// client that 3000 are gone (missed = s - 1 - resume_seq).
void tst_SimLoad::replayBufferKeepsTheNewest()
{
    start(baseOptions());
    QCOMPARE(m_sim->options().replayBufferLimit, 5000);
    auto c = identifiedClient();
    QVERIFY(c);
    const QString sid = sessionIdOf(*c);
    const qint64 resumeSeq = c->lastSeq();
    c->ws.abort();
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    for (int i = 0; i < 8000; ++i)
        m_sim->dispatch(Alpha, MessageCreate, QByteArrayLiteral("{\"n\":1}"));

    QSignalSpy resumed(m_sim.get(), &GatewaySimulator::sessionResumed);
    auto r = resumedClient(sid, resumeSeq);
    QVERIFY(r);
    const int at = r->find(0, QStringLiteral("RESUMED"));
    const int replayed = r->count(0, MessageCreate);
    QCOMPARE(replayed, 5000);
    QCOMPARE(resumed.size(), 1);
    QCOMPARE(resumed.at(0).at(2).toInt(), 5000);
    const int first = r->find(0, MessageCreate);
    QCOMPARE(seqOf(r->messages.at(first)), resumeSeq + 3001);
    for (int i = first + 1; i < at; ++i)
        QCOMPARE(seqOf(r->messages.at(i)), seqOf(r->messages.at(i - 1)) + 1);
    const qint64 resumedSeq = seqOf(r->messages.at(at));
    QCOMPARE(resumedSeq, resumeSeq + 8001);
    const qint64 missed = resumedSeq - 1 - resumeSeq;
    QCOMPARE(missed, 8000);
    QCOMPARE(missed - replayed, 3000);
    QCOMPARE(m_sim->sessionSeq(sid), resumedSeq);
}

// ---- SkipSequence ------------------------------------------------------------------------------

void tst_SimLoad::skipSequence()
{
    start(baseOptions());
    auto c = identifiedClient();
    QVERIFY(c);
    const QString sid = sessionIdOf(*c);
    const qint64 last = c->lastSeq();
    SimFault skip;
    skip.kind = SimFault::Kind::SkipSequence;
    skip.count = 3;
    QVERIFY(m_sim->injectFault(Alpha, skip));
    m_sim->dispatch(Alpha, QStringLiteral("TYPING_START"), QByteArrayLiteral("{}"));
    const int jumped = c->waitFor(0, QStringLiteral("TYPING_START"));
    QVERIFY(jumped >= 0);
    QCOMPARE(seqOf(c->messages.at(jumped)), last + 4);  // last + 1, + 2, + 3 never sent

    // Over the control endpoint, then one more dispatch: + 2 more skipped.
    const auto [status, json] = post(QStringLiteral("/control/fault"), {{QStringLiteral("bot"), Alpha},
                                                                        {QStringLiteral("kind"), QStringLiteral("SkipSequence")},
                                                                        {QStringLiteral("count"), 2}});
    QCOMPARE(status, 200);
    QCOMPARE(json.value(QLatin1String("kind")).toString(), QStringLiteral("SkipSequence"));
    m_sim->dispatch(Alpha, QStringLiteral("TYPING_STOP"), QByteArrayLiteral("{}"));
    const int jumped2 = c->waitFor(0, QStringLiteral("TYPING_STOP"));
    QVERIFY(jumped2 >= 0);
    QCOMPARE(seqOf(c->messages.at(jumped2)), last + 7);

    // The skipped numbers are not in the replay buffer either.
    c->ws.abort();
    QTRY_COMPARE(m_sim->openConnectionCount(), 0);
    auto r = resumedClient(sid, last);
    QVERIFY(r);
    QCOMPARE(r->messages.size(), 4);  // HELLO, the two dispatches, RESUMED
    QCOMPARE(seqOf(r->messages.at(1)), last + 4);
    QCOMPARE(seqOf(r->messages.at(2)), last + 7);
    QCOMPARE(seqOf(r->messages.at(3)), last + 8);
}

// ---- paced Flood -------------------------------------------------------------------------------

void tst_SimLoad::pacedFlood_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("json") << QStringLiteral("v=10&encoding=json");
    QTest::newRow("zlib-stream") << QStringLiteral("v=10&encoding=json&compress=zlib-stream");
}

// 200 at 2000/s: the last is due 99.5 ms after the fault (back to back, all 200 arrive within a
// few ms); each its own message (on zlib-stream its own compressed message).
void tst_SimLoad::pacedFlood()
{
    QFETCH(QString, query);
    start(baseOptions());
    auto c = identifiedClient(query);
    QVERIFY(c);
    const int before = c->messages.size();
    const qsizetype framesBefore = c->binaryFrames.size();
    const qint64 injectedAt = c->clock.elapsed();
    const auto [status, json] = post(QStringLiteral("/control/fault"), {{QStringLiteral("bot"), Alpha},
                                                                        {QStringLiteral("kind"), QStringLiteral("Flood")},
                                                                        {QStringLiteral("count"), 200},
                                                                        {QStringLiteral("rate"), 2000}});
    QCOMPARE(status, 200);
    QCOMPARE(waitForCount(*c, 0, MessageCreate, 200), 200);
    const qint64 took = c->arrivedMs.constLast() - injectedAt;  // the last is due 99.5 ms in
    QVERIFY2(took >= 80, qPrintable(QStringLiteral("200 at 2000/s took %1 ms").arg(took)));
    QVERIFY2(took < 5000, qPrintable(QStringLiteral("200 at 2000/s took %1 ms").arg(took)));
    for (int i = before + 1; i < c->messages.size(); ++i)
        QCOMPARE(seqOf(c->messages.at(i)), seqOf(c->messages.at(i - 1)) + 1);
    QCOMPARE(c->messages.size(), before + 200);
    if (c->compressed)
        QCOMPARE(c->binaryFrames.size(), framesBefore + 200);
}

// 20 wake-ups 250 µs apart, each due at an absolute time: none may come early, so the 20th is
// at least 5 ms after the first was armed; on Linux the pacer is the fine (timerfd) one.
void tst_SimLoad::pacerIsNeverEarly()
{
    QObject context;
    const auto start = std::chrono::steady_clock::now();
    int woken = 0;
    bool early = false;
    std::unique_ptr<gw::sim::SimPacer> pacer;
    pacer = std::make_unique<gw::sim::SimPacer>(&context, [&] {
        ++woken;
        early = early || std::chrono::steady_clock::now() < start + woken * 250us;
        if (woken < 20)
            pacer->startAt(start + (woken + 1) * 250us);
    });
#ifdef Q_OS_LINUX
    QVERIFY(pacer->fine());
#endif
    pacer->startAt(start + 250us);
    QTRY_COMPARE_WITH_TIMEOUT(woken, 20, 5000);
    QVERIFY(!early);
    QVERIFY(std::chrono::steady_clock::now() - start >= 5ms);
}

// ---- control -----------------------------------------------------------------------------------

void tst_SimLoad::controlSettings()
{
    start(baseOptions());
    QCOMPARE(post(QStringLiteral("/control/settings"), {{QStringLiteral("outbound_rate"), 250},
                                                        {QStringLiteral("ack_delay_ms"), 40},
                                                        {QStringLiteral("replay_buffer_limit"), 64}})
                 .first,
             200);
    QCOMPARE(m_sim->options().outboundRate, 250);
    QCOMPARE(m_sim->options().ackDelay, 40ms);
    QCOMPARE(m_sim->options().replayBufferLimit, 64);

    QNetworkReply *reply = m_nam.get(QNetworkRequest(m_sim->controlUrl()));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(5000));
    const QJsonObject status = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    QCOMPARE(status.value(QLatin1String("outbound_rate")).toInt(), 250);
    QCOMPARE(status.value(QLatin1String("ack_delay_ms")).toInt(), 40);
    QCOMPARE(status.value(QLatin1String("replay_buffer_limit")).toInt(), 64);
}

QTEST_GUILESS_MAIN(tst_SimLoad)
#include "tst_simload.moc"
