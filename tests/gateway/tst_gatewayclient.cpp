// The real GatewayClient against the real GatewaySimulator, with millisecond timings.
#include "gatewayclient.h"
#include "gatewaysimulator.h"
#include "identifygate.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>
#include <utility>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString Token = QStringLiteral("tok-alpha");
const QString Bot = QStringLiteral("alpha");

QList<SimReceived> ops(const GatewaySimulator &sim, int op)
{
    QList<SimReceived> out;
    for (const SimReceived &r : sim.received()) {
        if (r.op == op)
            out.append(r);
    }
    return out;
}

int connectionsOpened(const GatewaySimulator &sim)
{
    return int(sim.connections().size());
}

//! Every signal of a client, counted, to prove silence after stop().
struct AllSignals
{
    explicit AllSignals(GatewayClient *c)
        : stateChanged(c, &GatewayClient::stateChanged), connecting(c, &GatewayClient::connecting),
          socketOpened(c, &GatewayClient::socketOpened), socketClosed(c, &GatewayClient::socketClosed),
          reconnectScheduled(c, &GatewayClient::reconnectScheduled), errorOccurred(c, &GatewayClient::errorOccurred),
          heartbeatSent(c, &GatewayClient::heartbeatSent), statsChanged(c, &GatewayClient::statsChanged),
          dispatchReceived(c, &GatewayClient::dispatchReceived)
    {
    }
    [[nodiscard]] qsizetype total() const
    {
        return stateChanged.size() + connecting.size() + socketOpened.size() + socketClosed.size()
            + reconnectScheduled.size() + errorOccurred.size() + heartbeatSent.size() + statsChanged.size()
            + dispatchReceived.size();
    }
    QSignalSpy stateChanged, connecting, socketOpened, socketClosed, reconnectScheduled, errorOccurred, heartbeatSent,
        statsChanged, dispatchReceived;
};

} // namespace

class tst_GatewayClient final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewaySimulator> m_sim;
    std::unique_ptr<GatewayClient> m_client;

    GatewaySimulator &startSim(std::chrono::milliseconds heartbeat = 100ms, SimBotPolicy policy = {},
                               bool splitCompressed = false)
    {
        GatewaySimulator::Options o;
        o.heartbeatInterval = heartbeat;
        // A little shorter than the client's bucket so timer jitter never earns an op 9.
        o.identifyBucketInterval = 40ms;
        o.splitCompressedMessages = splitCompressed;
        m_sim = std::make_unique<GatewaySimulator>(o);
        if (policy.name.isEmpty())
            policy.name = Bot;
        m_sim->addBot(Token, policy);
        if (!m_sim->start())
            qFatal("simulator did not start: %s", qPrintable(m_sim->errorString()));
        return *m_sim;
    }

    GatewayClientConfig config(Compression compression = Compression::ZlibStream) const
    {
        GatewayClientConfig c;
        c.token = Token;
        c.apiBase = m_sim->apiBase();
        c.compression = compression;
        c.timings = GatewayTimings::fast();
        return c;
    }

    GatewayClient &makeClient(GatewayClientConfig c)
    {
        m_client = std::make_unique<GatewayClient>(std::move(c));
        return *m_client;
    }

    //! Start and wait for READY.
    bool startReady(GatewayClient &client)
    {
        QSignalSpy ready(&client, &GatewayClient::ready);
        client.start();
        return ready.size() == 1 || ready.wait(5000);
    }

private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void identifiesAndReachesReady_data();
    void identifiesAndReachesReady();
    void unknownTokenIsUnauthorized();
    void badRequestIsAConfigurationError();
    void identifyRefusedBelowFloor();
    void heartbeatJitterAndSequence();
    void answersOpOneAtOnce();
    void opOneStormIsBounded();
    void opOneWhileUnackedIsAnsweredAndRestartsTheSchedule();
    void zombieResumesOnResumeUrlWithSameQuery();
    void deadResumeHostResumesOnGatewayUrl();
    void suspendKeepsTheSessionStopEndsIt();
    void countsReplayedDispatches();
    void opSevenResumes();
    void invalidSession_data();
    void invalidSession();
    void failedResumeFallsBackToIdentify();
    void seededResumeStateResumesOnFirstConnect();
    void closeCodes_data();
    void closeCodes();
    void disallowedIntentsNamesThem();
    void handshakeTimeout();
    void rawTcpNeverUpgrades();
    void helloTimeout();
    void backoffGrowsAndBudgetEnds();
    void malformedAndOversizedInput_data();
    void malformedAndOversizedInput();
    void degradedWhenAckOverdue();
    void reconnectModes();
    void reconnectFromSocketClosedIsOneAttempt();
    void stopIsSilent();
    void stopDuringBackoffIsSilent();
    void sharedGateSpacesIdentifies_data();
    void sharedGateSpacesIdentifies();
    void restFailureWithOverrideProceeds();
    void restFailureWithoutUrlBacksOff();
};

void tst_GatewayClient::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::CloseInfo>();
    qRegisterMetaType<gw::ResumeOutcome>();
    qRegisterMetaType<gw::SessionInfo>();
    qRegisterMetaType<gw::GatewayError>();
    qRegisterMetaType<gw::GatewayBotInfo>();
}

void tst_GatewayClient::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

void tst_GatewayClient::identifiesAndReachesReady_data()
{
    QTest::addColumn<Compression>("compression");
    QTest::addColumn<bool>("split");
    QTest::newRow("zlib-stream") << Compression::ZlibStream << false;
    QTest::newRow("zlib-stream, split messages") << Compression::ZlibStream << true;
    QTest::newRow("zstd-stream") << Compression::ZstdStream << false;
    QTest::newRow("zstd-stream, split messages") << Compression::ZstdStream << true;
    QTest::newRow("plain json") << Compression::None << false;
}

void tst_GatewayClient::identifiesAndReachesReady()
{
    QFETCH(Compression, compression);
    QFETCH(bool, split);
    const bool compress = compression != Compression::None;
    SimBotPolicy policy;
    policy.recommendedShards = 3;
    policy.sessionStartRemaining = 900;
    auto &sim = startSim(100ms, policy, split);
    auto &client = makeClient(config(compression));
    QSignalSpy info(&client, &GatewayClient::gatewayInfoReceived);
    QSignalSpy identify(&client, &GatewayClient::identifySent);
    QSignalSpy opened(&client, &GatewayClient::socketOpened);
    QSignalSpy hello(&client, &GatewayClient::helloReceived);
    QCOMPARE(client.state(), ConnectionState::Stopped);
    QVERIFY(startReady(client));

    QCOMPARE(client.state(), ConnectionState::Ready);
    QCOMPARE(info.size(), 1);
    QCOMPARE(client.gatewayInfo()->limit.remaining, 900);
    QCOMPARE(client.gatewayInfo()->shards, 3);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(hello.size(), 1);
    QCOMPARE(hello.at(0).at(0).value<std::chrono::milliseconds>(), 100ms);
    // Default shard: [0, shards recommended by /gateway/bot].
    QCOMPARE(identify.size(), 1);
    QCOMPARE(identify.at(0).at(0).toInt(), 0);
    QCOMPARE(identify.at(0).at(1).toInt(), 3);
    const auto identifies = ops(sim, 2);
    QCOMPARE(identifies.size(), 1);
    QCOMPARE(identifies.at(0).shardId, 0);
    QCOMPARE(identifies.at(0).shardCount, 3);
    QCOMPARE(identifies.at(0).intents, 1u);
    QCOMPARE(identifies.at(0).botName, Bot);

    const auto conns = sim.connections();
    QCOMPARE(conns.size(), 1);
    QCOMPARE(conns.at(0).compressed, compress);
    QCOMPARE(conns.at(0).compression, compression);
    QCOMPARE(conns.at(0).path, compress ? QStringLiteral("/?v=10&encoding=json&compress=") + compressionName(compression)
                                        : QStringLiteral("/?v=10&encoding=json"));
    QVERIFY(!conns.at(0).viaResumeUrl);

    const auto session = client.session();
    QVERIFY(session);
    QCOMPARE(session->sessionId, conns.at(0).sessionId);
    QCOMPARE(session->resumeGatewayUrl, sim.resumeUrl());
    QCOMPARE(session->userName, QStringLiteral("SimBot"));
    QVERIFY(client.stats().lastSequence >= 1);
    QCOMPARE(client.stats().identifies, 1u);

    // Wire vs inflated byte counters.
    QTRY_VERIFY(client.stats().bytesReceivedInflated > 0);
    if (compress)
        QVERIFY(client.stats().bytesReceivedWire < client.stats().bytesReceivedInflated);
    else
        QCOMPARE(client.stats().bytesReceivedWire, client.stats().bytesReceivedInflated);
    QCOMPARE(client.stats().malformedPayloads, 0u);
    // Heartbeats are ACKed over the compressed stream too.
    QTRY_VERIFY(client.stats().acksReceived >= 2);
    QVERIFY(client.stats().lastLatency.has_value());
    QCOMPARE(client.stats().missedAcks, 0);
    QVERIFY(client.stats().lastInboundAt.isValid());

    // Dispatches over the stream are counted; a close 4000 RESUMEs on a fresh socket and context
    // with the same compression, and the stream after it decodes too.
    SimFault flood;
    flood.kind = SimFault::Kind::Flood;
    flood.count = 25;
    const quint64 before = client.stats().dispatches;
    QVERIFY(sim.injectFault(Bot, flood));
    QTRY_VERIFY(client.stats().dispatches >= before + 25);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    SimFault close;
    close.kind = SimFault::Kind::Close;
    close.closeCode = 4000;
    QVERIFY(sim.injectFault(Bot, close));
    QTRY_COMPARE_WITH_TIMEOUT(resumed.size(), 1, 10000);
    const auto after = sim.connections();
    QCOMPARE(after.size(), 2);
    QVERIFY(after.at(1).viaResumeUrl);
    QCOMPARE(after.at(1).compression, compression);
    QCOMPARE(client.stats().identifies, 1u);
    const quint64 resumedAt = client.stats().dispatches;
    QVERIFY(sim.injectFault(Bot, flood));
    QTRY_VERIFY(client.stats().dispatches >= resumedAt + 25);
    QCOMPARE(client.stats().inflateErrors, 0u);
    QCOMPARE(client.stats().malformedPayloads, 0u);
}

// 400 on GET /gateway/bot: the same request gets the same answer, so the account stops with a
// reason a person can act on after exactly one request (no retry loop, no invalid-request burn).
void tst_GatewayClient::badRequestIsAConfigurationError()
{
    SimBotPolicy policy;
    policy.restStatus = 400;
    auto &sim = startSim(100ms, policy);
    auto &client = makeClient(config());
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    client.start();
    QTRY_COMPARE(client.state(), ConnectionState::Failed);
    QCOMPARE(errors.size(), 1);
    const auto e = errors.at(0).at(0).value<GatewayError>();
    QCOMPARE(e.kind, GatewayError::Kind::BadRequest);
    QVERIFY(e.isTerminal());
    QVERIFY2(e.message.contains(QLatin1String("HTTP 400")), qPrintable(e.message));
    QCOMPARE(sim.restRequests().size(), 1);
    QCOMPARE(connectionsOpened(sim), 0);
}

void tst_GatewayClient::unknownTokenIsUnauthorized()
{
    auto &sim = startSim();
    auto c = config();
    c.token = QStringLiteral("not-a-known-token");
    auto &client = makeClient(c);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    client.start();
    QTRY_COMPARE(client.state(), ConnectionState::Failed);
    QCOMPARE(errors.size(), 1);
    const auto e = errors.at(0).at(0).value<GatewayError>();
    QCOMPARE(e.kind, GatewayError::Kind::Unauthorized);
    QVERIFY(e.isTerminal());
    QVERIFY(!e.message.contains(c.token));
    QCOMPARE(connectionsOpened(sim), 0);
}

void tst_GatewayClient::identifyRefusedBelowFloor()
{
    SimBotPolicy policy;
    policy.sessionStartRemaining = 10;  // below the floor of 50
    auto &sim = startSim(100ms, policy);
    auto &client = makeClient(config());
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy waits(&client, &GatewayClient::identifyBudgetWait);
    client.start();
    // Not a dead end: the client waits for the budget's reset (docs/lifecycle.md, "The identify
    // budget"), here the simulator's 24 h.
    QTRY_COMPARE(waits.size(), 1);
    QCOMPARE(waits.at(0).at(0).value<GatewayError>().kind, GatewayError::Kind::IdentifyRefused);
    const QDateTime until = waits.at(0).at(1).toDateTime();
    QVERIFY(until > QDateTime::currentDateTimeUtc().addSecs(23 * 3600));
    QTRY_COMPARE(closed.size(), 1);  // the socket that waited for the gate is reported once
    QCOMPARE(closed.at(0).at(0).value<CloseInfo>().cause, CloseCause::IdentifyBudget);
    QCOMPARE(client.state(), ConnectionState::Reconnecting);
    QVERIFY(client.nextAttemptAt() >= until);
    QCOMPARE(errors.size(), 0);
    QCOMPARE(ops(sim, 2).size(), 0);
    QCOMPARE(sim.sessionStartRemaining(Bot), 10);
}

void tst_GatewayClient::heartbeatJitterAndSequence()
{
    constexpr auto interval = 200ms;
    auto &sim = startSim(interval);
    auto &client = makeClient(config());
    QSignalSpy hello(&client, &GatewayClient::helloReceived);
    QSignalSpy beats(&client, &GatewayClient::heartbeatSent);
    QSignalSpy acks(&client, &GatewayClient::heartbeatAcked);

    // First beat after interval × random[0,1): over several connections the delays are all
    // below one interval and not all the same (no fixed 0 and no fixed interval).
    QElapsedTimer clock;
    QList<qint64> firstBeatDelays;
    QObject::connect(&client, &GatewayClient::helloReceived, this, [&] { clock.restart(); });
    QObject::connect(&client, &GatewayClient::heartbeatSent, this, [&] {
        if (firstBeatDelays.size() < hello.size())
            firstBeatDelays.append(clock.elapsed());
    });
    QVERIFY(startReady(client));
    for (int i = 1; i < 6; ++i) {
        QTRY_COMPARE_WITH_TIMEOUT(firstBeatDelays.size(), i, 2000);
        QSignalSpy resumed(&client, &GatewayClient::resumed);
        client.reconnect(ReconnectMode::Resume);
        QVERIFY(resumed.wait(3000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(firstBeatDelays.size(), 6, 2000);
    qint64 lo = interval.count(), hi = 0;
    for (qint64 delay : std::as_const(firstBeatDelays)) {
        QVERIFY2(delay < interval.count() + 15, qPrintable(QString::number(delay)));
        lo = std::min(lo, delay);
        hi = std::max(hi, delay);
    }
    QVERIFY2(hi - lo >= 5, "first-beat delays do not vary: no jitter");

    // Later beats: every interval, carrying the last sequence.
    const qint64 previous = client.stats().lastSequence;
    sim.dispatch(Bot, QStringLiteral("TEST_EVENT"), "{\"n\":1}");
    QTRY_COMPARE(client.stats().lastSequence, previous + 1);
    const qint64 seq = client.stats().lastSequence;
    const int before = int(beats.size());
    QTRY_VERIFY_WITH_TIMEOUT(beats.size() >= before + 2, 2000);
    QCOMPARE(beats.last().at(0).toLongLong(), seq);
    const auto recorded = ops(sim, 1);
    QCOMPARE(recorded.last().heartbeatSeq, std::optional<qint64>(seq));
    const qint64 gap = recorded.last().atMs - recorded.at(recorded.size() - 2).atMs;
    QVERIFY2(gap >= interval.count() - 20 && gap <= interval.count() + 60, qPrintable(QString::number(gap)));

    // Latency figures over the recent window: with fewer than 20 samples, p95 (nearest rank)
    // is the largest sample and mean is their average.
    QVERIFY(acks.size() >= 3 && acks.size() < 20);
    qint64 sum = 0, max = 0;
    for (const auto &args : std::as_const(acks)) {
        const qint64 ms = args.at(0).value<std::chrono::milliseconds>().count();
        sum += ms;
        max = std::max(max, ms);
    }
    const GatewayStats &st = client.stats();
    QCOMPARE(st.acksReceived, quint64(acks.size()));
    QCOMPARE(st.lastLatency, acks.last().at(0).value<std::chrono::milliseconds>());
    QCOMPARE(st.meanLatency, std::chrono::milliseconds(sum / acks.size()));
    QCOMPARE(st.p95Latency, std::chrono::milliseconds(max));
    QCOMPARE(st.heartbeatInterval, interval);
}

void tst_GatewayClient::answersOpOneAtOnce()
{
    auto &sim = startSim(5000ms);  // a long interval: the regular beat cannot be mistaken for the answer
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy requested(&client, &GatewayClient::heartbeatRequested);
    QSignalSpy beats(&client, &GatewayClient::heartbeatSent);
    const int before = int(ops(sim, 1).size());
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    SimFault f;
    f.kind = SimFault::Kind::RequestHeartbeat;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE_WITH_TIMEOUT(requested.size(), 1, 1000);
    QTRY_VERIFY(ops(sim, 1).size() > before);
    QVERIFY(ops(sim, 1).last().atMs - t0 < 500);
    // One of the beats sent since is the answer (the jittered first regular beat may follow it).
    QVERIFY(std::any_of(beats.cbegin(), beats.cend(), [](const QList<QVariant> &b) { return b.at(1).toBool(); }));
    QTRY_VERIFY(client.stats().acksReceived >= 1);
}

void tst_GatewayClient::opOneStormIsBounded()
{
    auto &sim = startSim(5000ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    const quint64 beats = client.stats().heartbeatsSent;
    // 20,000 op 1 without running the event loop (no ACK can arrive in between): at most one
    // answer; the rest are counted, not sent (heartbeats bypass the send budget).
    for (int i = 0; i < 20000; ++i)
        client.injectMessageForTest(R"({"op":1,"d":null})", false);
    QVERIFY(client.stats().heartbeatsSent - beats <= 1);
    QVERIFY(client.stats().extraHeartbeatRequests >= 19999);
    QCOMPARE(client.stats().sendsDropped, 0u);
    QTRY_VERIFY(client.stats().acksReceived >= 1);
    QCOMPARE(client.state(), ConnectionState::Ready);
    QVERIFY(ops(sim, 1).size() <= 2);
}

void tst_GatewayClient::opOneWhileUnackedIsAnsweredAndRestartsTheSchedule()
{
    constexpr auto interval = 400ms;
    auto &sim = startSim(interval);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy beats(&client, &GatewayClient::heartbeatSent);
    QVERIFY(beats.wait(2000));  // a regular beat
    // Half an interval later (past interval/4, before the next tick) the gateway asks for a beat.
    SimFault op1;
    op1.kind = SimFault::Kind::RequestHeartbeat;
    QTimer::singleShot(interval / 2, this, [&] { QVERIFY(sim.injectFault(Bot, op1)); });
    // Meanwhile ACKs stop (that beat's ACK may or may not be in) and the sequence moves.
    SimFault stop;
    stop.kind = SimFault::Kind::StopAcks;
    QVERIFY(sim.injectFault(Bot, stop));
    const qint64 seq = client.stats().lastSequence;
    sim.dispatch(Bot, QStringLiteral("MOVES_THE_SEQUENCE"), "{}");
    QTRY_COMPARE(client.stats().lastSequence, seq + 1);
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QElapsedTimer sinceAnswer;
    qint64 zombieAfterMs = -1;
    QObject::connect(&client, &GatewayClient::heartbeatSent, this, [&](qint64, bool requested) {
        if (requested)
            sinceAnswer.start();
    });
    QObject::connect(&client, &GatewayClient::zombieDetected, this, [&] { zombieAfterMs = sinceAnswer.elapsed(); });
    QTRY_VERIFY_WITH_TIMEOUT(beats.size() >= 2, 1000);
    QCOMPARE(beats.at(1).at(1).toBool(), true);      // the answer, at once
    QCOMPARE(beats.at(1).at(0).toLongLong(), seq + 1);  // with the current sequence
    // The next regular tick is one interval after the answer, not after the first beat: that
    // tick finds the answer un-ACKed with nothing received since, a zombie.
    QVERIFY(zombie.size() == 1 || zombie.wait(3000));
    QVERIFY2(zombieAfterMs >= interval.count() - 5, qPrintable(QString::number(zombieAfterMs)));
}

void tst_GatewayClient::zombieResumesOnResumeUrlWithSameQuery()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    const QString sessionId = client.session()->sessionId;
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy resumeSent(&client, &GatewayClient::resumeSent);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy connecting(&client, &GatewayClient::connecting);
    int missedAtZombie = -1;
    QObject::connect(&client, &GatewayClient::zombieDetected, this,
                     [&] { missedAtZombie = client.stats().missedAcks; });
    SimFault f;
    f.kind = SimFault::Kind::StopAcks;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE_WITH_TIMEOUT(zombie.size(), 1, 2000);
    QCOMPARE(missedAtZombie, 1);
    QTRY_COMPARE(resumed.size(), 1);

    QCOMPARE(client.stats().zombies, 1u);
    QCOMPARE(closed.size(), 1);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.code, std::optional<int>(4000));  // not 1000/1001: the session stays resumable
    QCOMPARE(info.initiator, CloseInitiator::Client);
    QCOMPARE(info.action, CloseAction::Resume);
    QVERIFY(info.wasReady);
    QCOMPARE(connecting.at(0).at(1).value<ReconnectMode>(), ReconnectMode::Resume);
    QCOMPARE(resumeSent.at(0).at(0).toString(), sessionId);

    const auto conns = sim.connections();
    QCOMPARE(conns.size(), 2);
    QVERIFY(conns.at(1).viaResumeUrl);
    QCOMPARE(conns.at(1).path, conns.at(0).path);  // same query string (twilight-rs/twilight#1901)
    const auto resumes = ops(sim, 6);
    QCOMPARE(resumes.size(), 1);
    QCOMPARE(resumes.at(0).sessionId, sessionId);
    QCOMPARE(ops(sim, 2).size(), 1);  // no second IDENTIFY
    QCOMPARE(client.state(), ConnectionState::Ready);
    QCOMPARE(client.consecutiveFailures(), 0);
}

// Resume host fallback (docs/lifecycle.md §12): a refused resume URL is dropped after one
// attempt and the RESUME goes to the gateway URL, the session kept.
void tst_GatewayClient::deadResumeHostResumesOnGatewayUrl()
{
    auto &sim = startSim(100ms);
    QVERIFY(sim.setResumeHost(GatewaySimulator::ResumeHost::Refused));
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    const QUrl dead = sim.announcedResumeUrl();
    QCOMPARE(client.resumeState().resumeGatewayUrl, dead);
    QSignalSpy connecting(&client, &GatewayClient::connecting);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QVERIFY(sim.injectFault(Bot, SimFault{SimFault::Kind::DropTcp}));
    QVERIFY(resumed.wait(5000));
    QCOMPARE(connecting.size(), 2);
    QCOMPARE(connecting.at(0).at(0).toUrl().port(), dead.port());
    QCOMPARE(connecting.at(1).at(0).toUrl().port(), sim.gatewayUrl().port());
    QCOMPARE(connecting.at(1).at(1).value<ReconnectMode>(), ReconnectMode::Resume);
    QCOMPARE(ops(sim, 2).size(), 1);
    QCOMPARE(ops(sim, 6).size(), 1);
    QVERIFY(client.resumeState().isValid());
    QVERIFY(client.resumeState().resumeGatewayUrl.isEmpty());  // the gateway URL from now on
    QCOMPARE(client.state(), ConnectionState::Ready);
    QCOMPARE(client.consecutiveFailures(), 0);
}

// suspend() closes with 4000 (the simulator keeps the session), stop() with 1000 (it ends it).
void tst_GatewayClient::suspendKeepsTheSessionStopEndsIt()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy anything(&client, &GatewayClient::stateChanged);
    client.suspend();
    QCOMPARE(client.state(), ConnectionState::Stopped);
    QVERIFY(client.resumeState().isValid());
    QTRY_COMPARE(sim.openConnectionCount(), 0);
    QCOMPARE(sim.liveSessionCount(), 1);
    QVERIFY(anything.isEmpty());  // silent, like stop()

    QSignalSpy resumed(&client, &GatewayClient::resumed);
    client.start();
    QVERIFY(resumed.wait(5000));
    client.stop();
    QTRY_COMPARE(sim.openConnectionCount(), 0);
    QTRY_COMPARE(sim.liveSessionCount(), 0);
}

void tst_GatewayClient::countsReplayedDispatches()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QTRY_VERIFY(client.stats().lastSequence >= 2);  // READY + GUILD_CREATE
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy dispatches(&client, &GatewayClient::dispatchReceived);
    const qint64 before = client.stats().lastSequence;

    SimFault drop;
    drop.kind = SimFault::Kind::DropTcp;
    QVERIFY(sim.injectFault(Bot, drop));
    // Missed while disconnected: the simulator keeps them for the replay.
    for (int i = 0; i < 3; ++i)
        sim.dispatch(Bot, QStringLiteral("MISSED_EVENT"), "{}");
    QTRY_COMPARE(resumed.size(), 1);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.code, std::nullopt);  // no close frame
    QCOMPARE(info.initiator, CloseInitiator::Transport);
    QCOMPARE(info.action, CloseAction::Resume);
    const auto outcome = resumed.at(0).at(0).value<ResumeOutcome>();
    QCOMPARE(outcome.replayed, 3);
    QCOMPARE(outcome.sequenceBefore, before);
    QCOMPARE(outcome.sequenceAfter, before + 4);  // 3 replayed + RESUMED
    QCOMPARE(outcome.missed, 3);
    QCOMPARE(outcome.lost, 0);
    QCOMPARE(client.stats().eventsLost, 0u);
    QCOMPARE(client.stats().lastSequence, before + 4);       // kept across the resume
    QCOMPARE(client.stats().replayedDispatches, 3u);
    int missed = 0;
    for (const auto &args : std::as_const(dispatches))
        missed += args.at(0).toByteArray() == "MISSED_EVENT" ? 1 : 0;
    QCOMPARE(missed, 3);

    // The resume URL from READY is kept across resumes (DisnakeDev/disnake#769).
    SimFault again;
    again.kind = SimFault::Kind::Reconnect;
    QVERIFY(sim.injectFault(Bot, again));
    QTRY_COMPARE(resumed.size(), 2);
    QCOMPARE(sim.connections().size(), 3);
    QVERIFY(sim.connections().at(2).viaResumeUrl);
}

void tst_GatewayClient::opSevenResumes()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy requested(&client, &GatewayClient::reconnectRequested);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    SimFault f;
    f.kind = SimFault::Kind::Reconnect;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE(resumed.size(), 1);
    QCOMPARE(requested.size(), 1);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.code, std::optional<int>(4000));
    QCOMPARE(info.initiator, CloseInitiator::Client);
    // First attempt at once.
    QCOMPARE(scheduled.size(), 1);
    // Jittered, never a fixed instant (docs/lifecycle.md §13): within the backoff base, as the
    // session was short (and at level 0 it would be in [0, base] too).
    QVERIFY(scheduled.at(0).at(1).value<std::chrono::milliseconds>() <= config().timings.backoffBase);
    QCOMPARE(scheduled.at(0).at(2).value<ReconnectMode>(), ReconnectMode::Resume);
    QCOMPARE(ops(sim, 6).size(), 1);
    QCOMPARE(ops(sim, 2).size(), 1);
}

void tst_GatewayClient::invalidSession_data()
{
    QTest::addColumn<bool>("resumable");
    QTest::newRow("d:true resumes") << true;
    QTest::newRow("d:false identifies") << false;
}

void tst_GatewayClient::invalidSession()
{
    QFETCH(bool, resumable);
    auto &sim = startSim(100ms);
    auto c = config();
    auto &client = makeClient(c);
    QVERIFY(startReady(client));
    QSignalSpy invalid(&client, &GatewayClient::invalidSession);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy ready(&client, &GatewayClient::ready);
    const QString oldSession = client.session()->sessionId;
    const qint64 t0 = QDateTime::currentMSecsSinceEpoch();
    SimFault f;
    f.kind = SimFault::Kind::InvalidSession;
    f.resumable = resumable;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE(invalid.size(), 1);
    QCOMPARE(invalid.at(0).at(0).toBool(), resumable);
    if (resumable) {
        QTRY_COMPARE(resumed.size(), 1);
        QCOMPARE(ops(sim, 6).size(), 1);
        QCOMPARE(ops(sim, 2).size(), 1);
        QCOMPARE(client.session()->sessionId, oldSession);
        return;
    }
    QTRY_COMPARE(ready.size(), 1);
    QCOMPARE(scheduled.size(), 1);
    const auto delay = scheduled.at(0).at(1).value<std::chrono::milliseconds>();
    QVERIFY2(delay >= c.timings.invalidSessionDelayMin && delay <= c.timings.invalidSessionDelayMax,
             qPrintable(QString::number(delay.count())));
    QCOMPARE(scheduled.at(0).at(2).value<ReconnectMode>(), ReconnectMode::FreshIdentify);
    const auto identifies = ops(sim, 2);
    QCOMPARE(identifies.size(), 2);
    QVERIFY(identifies.at(1).atMs - t0 >= c.timings.invalidSessionDelayMin.count());
    QCOMPARE(ops(sim, 6).size(), 0);
    const auto conns = sim.connections();
    QVERIFY(!conns.last().viaResumeUrl);  // the cached gateway URL, not the resume URL
    QVERIFY(client.session()->sessionId != oldSession);
}

void tst_GatewayClient::failedResumeFallsBackToIdentify()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    ResumeState stale;
    stale.sessionId = QStringLiteral("no-such-session");
    stale.resumeGatewayUrl = sim.resumeUrl();
    stale.sequence = 41;
    client.setResumeState(stale);
    QSignalSpy resumeSent(&client, &GatewayClient::resumeSent);
    QSignalSpy invalid(&client, &GatewayClient::invalidSession);
    QVERIFY(startReady(client));
    QCOMPARE(resumeSent.size(), 1);
    QCOMPARE(resumeSent.at(0).at(1).toLongLong(), 41);
    QCOMPARE(invalid.size(), 1);
    const auto conns = sim.connections();
    QCOMPARE(conns.size(), 2);
    QVERIFY(conns.at(0).viaResumeUrl);   // seeded resume goes to the resume URL
    QVERIFY(!conns.at(1).viaResumeUrl);  // the fallback IDENTIFY goes to the gateway URL
    QCOMPARE(ops(sim, 6).size(), 1);
    QCOMPARE(ops(sim, 2).size(), 1);
}

void tst_GatewayClient::seededResumeStateResumesOnFirstConnect()
{
    // A restart within minutes (docs/protocol.md, resuming): the persisted state resumes, no IDENTIFY spent.
    auto &sim = startSim(100ms);
    auto &first = makeClient(config());
    QVERIFY(startReady(first));
    QTRY_VERIFY(first.stats().lastSequence >= 2);
    const ResumeState saved = first.resumeState();
    QVERIFY(saved.isValid());
    QCOMPARE(saved.resumeGatewayUrl, sim.resumeUrl());

    GatewayClient second(config());
    second.setResumeState(saved);
    QSignalSpy resumed(&second, &GatewayClient::resumed);
    QSignalSpy identify(&second, &GatewayClient::identifySent);
    QSignalSpy connecting(&second, &GatewayClient::connecting);
    second.start();
    QTRY_COMPARE(resumed.size(), 1);
    QCOMPARE(identify.size(), 0);
    QCOMPARE(connecting.at(0).at(1).value<ReconnectMode>(), ReconnectMode::Resume);
    QCOMPARE(resumed.at(0).at(0).value<ResumeOutcome>().sequenceBefore, saved.sequence);
    QVERIFY(second.session().has_value());  // no READY here: what the seeded state knows
    QCOMPARE(second.session()->sessionId, saved.sessionId);
    QCOMPARE(second.session()->resumeGatewayUrl, saved.resumeGatewayUrl);
    QCOMPARE(second.resumeState().sessionId, saved.sessionId);
    QCOMPARE(ops(sim, 2).size(), 1);
    QCOMPARE(ops(sim, 6).size(), 1);
    QVERIFY(sim.connections().last().viaResumeUrl);
    second.stop();
}

void tst_GatewayClient::closeCodes_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<CloseAction>("action");
    using A = CloseAction;
    for (int code : {1000, 1001, 4000, 4001, 4002, 4005, 4008, 4100})
        QTest::addRow("%d resumes", code) << code << A::Resume;
    for (int code : {4003, 4006, 4007, 4009})
        QTest::addRow("%d identifies", code) << code << A::NewSession;
    for (int code : {4004, 4010, 4011, 4012, 4013, 4014})
        QTest::addRow("%d is fatal", code) << code << A::Fatal;
}

void tst_GatewayClient::closeCodes()
{
    QFETCH(int, code);
    QFETCH(CloseAction, action);
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy ready(&client, &GatewayClient::ready);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    SimFault f;
    f.kind = SimFault::Kind::Close;
    f.closeCode = code;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE(closed.size(), 1);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.code, std::optional<int>(code));
    QCOMPARE(info.initiator, CloseInitiator::Server);
    QCOMPARE(info.action, action);
    QVERIFY(info.wasReady);

    switch (action) {
    case CloseAction::Fatal: {
        QCOMPARE(client.state(), ConnectionState::Failed);
        QCOMPARE(errors.size(), 1);
        const auto e = errors.at(0).at(0).value<GatewayError>();
        QCOMPARE(e.kind, GatewayError::Kind::FatalClose);
        QCOMPARE(e.closeCode, std::optional<int>(code));
        QVERIFY(e.isTerminal());
        QVERIFY(e.message.contains(QString::number(code)));
        // No further connection: give a reconnect more than enough time to show up.
        QVERIFY(!scheduled.wait(300));
        QCOMPARE(connectionsOpened(sim), 1);
        break;
    }
    case CloseAction::NewSession:
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(ops(sim, 2).size(), 2);
        QCOMPARE(ops(sim, 6).size(), 0);
        QVERIFY(!sim.connections().last().viaResumeUrl);
        break;
    case CloseAction::Resume:
        QTRY_COMPARE(resumed.size(), 1);
        QCOMPARE(ops(sim, 6).size(), 1);
        QCOMPARE(ops(sim, 2).size(), 1);
        QVERIFY(sim.connections().last().viaResumeUrl);
        break;
    }
}

void tst_GatewayClient::disallowedIntentsNamesThem()
{
    SimBotPolicy policy;
    policy.privilegedIntentsAllowed = false;
    auto &sim = startSim(100ms, policy);
    auto c = config();
    c.intents = 1u | (1u << 1) | (1u << 15);  // GUILDS | GUILD_MEMBERS | MESSAGE_CONTENT
    auto &client = makeClient(c);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    client.start();
    QTRY_COMPARE(client.state(), ConnectionState::Failed);
    QCOMPARE(errors.size(), 1);
    const auto e = errors.at(0).at(0).value<GatewayError>();
    QCOMPARE(e.closeCode, std::optional<int>(4014));
    QVERIFY2(e.message.contains(QStringLiteral("GUILD_MEMBERS")), qPrintable(e.message));
    QVERIFY2(e.message.contains(QStringLiteral("MESSAGE_CONTENT")), qPrintable(e.message));
    QVERIFY(!e.message.contains(QStringLiteral("GUILD_PRESENCES")));
    QVERIFY(e.message.contains(QStringLiteral("Developer Portal")));
    QCOMPARE(connectionsOpened(sim), 1);
}

void tst_GatewayClient::handshakeTimeout()
{
    auto &sim = startSim(100ms);
    auto c = config();
    c.timings.handshakeTimeout = 150ms;
    auto &client = makeClient(c);
    SimFault slow;
    slow.kind = SimFault::Kind::SlowHandshake;
    slow.delay = 2000ms;
    slow.connections = 1;
    QVERIFY(sim.injectFault(Bot, slow));
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy opened(&client, &GatewayClient::socketOpened);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(startReady(client));
    QVERIFY(clock.elapsed() < 2000);  // did not wait for the slow upgrade
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<GatewayError>().kind, GatewayError::Kind::HandshakeTimeout);
    QCOMPARE(closed.size(), 1);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.initiator, CloseInitiator::Transport);
    QCOMPARE(info.code, std::nullopt);
    QVERIFY(!info.wasReady);
    QCOMPARE(opened.size(), 1);  // only the second socket ever opened
}

void tst_GatewayClient::rawTcpNeverUpgrades()
{
    // A server that accepts TCP and never answers the HTTP upgrade.
    startSim(100ms);
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> held;
    QObject::connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = silent.nextPendingConnection())
            held.append(s);
    });
    auto c = config();
    c.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(silent.serverPort()));
    c.timings.handshakeTimeout = 100ms;
    c.timings.reconnectBudget = 3;
    auto &client = makeClient(c);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Failed, 5000);
    QCOMPARE(closed.size(), 3);
    QVERIFY(held.size() >= 3);
    int handshakeTimeouts = 0;
    for (const auto &args : std::as_const(errors))
        handshakeTimeouts += args.at(0).value<GatewayError>().kind == GatewayError::Kind::HandshakeTimeout ? 1 : 0;
    QCOMPARE(handshakeTimeouts, 3);
    QCOMPARE(errors.last().at(0).value<GatewayError>().kind, GatewayError::Kind::ReconnectBudgetExhausted);
    QVERIFY(client.gatewayInfo().has_value());  // /gateway/bot was still fetched for the limits
}

void tst_GatewayClient::helloTimeout()
{
    auto &sim = startSim(100ms);
    auto c = config();
    c.timings.helloTimeout = 150ms;
    auto &client = makeClient(c);
    SimFault withhold;
    withhold.kind = SimFault::Kind::WithholdHello;
    withhold.connections = 1;
    QVERIFY(sim.injectFault(Bot, withhold));
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QVERIFY(startReady(client));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.at(0).at(0).value<GatewayError>().kind, GatewayError::Kind::HelloTimeout);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.initiator, CloseInitiator::Client);
    QCOMPARE(info.code, std::optional<int>(4000));
    QCOMPARE(connectionsOpened(sim), 2);
}

void tst_GatewayClient::backoffGrowsAndBudgetEnds()
{
    startSim(100ms);
    // A port nobody listens on: every attempt is refused.
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        deadPort = probe.serverPort();
    }
    auto c = config();
    c.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(deadPort));
    c.timings.backoffBase = 20ms;
    c.timings.backoffMax = 100ms;
    c.timings.reconnectBudget = 6;
    auto &client = makeClient(c);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    QSignalSpy connecting(&client, &GatewayClient::connecting);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Failed, 5000);
    QCOMPARE(connecting.size(), 6);
    QCOMPARE(scheduled.size(), 5);
    // Ceiling doubles from the base and is capped; the delay lies in [ceiling/2, ceiling].
    const qint64 ceilings[] = {20, 40, 80, 100, 100};
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(scheduled.at(i).at(0).toInt(), i + 2);  // attempt number
        const auto delay = scheduled.at(i).at(1).value<std::chrono::milliseconds>().count();
        QVERIFY2(delay >= ceilings[i] / 2 && delay <= ceilings[i],
                 qPrintable(QStringLiteral("attempt %1: %2 ms").arg(i + 2).arg(delay)));
    }
    QVERIFY(scheduled.at(2).at(1).value<std::chrono::milliseconds>() > scheduled.at(0).at(1).value<std::chrono::milliseconds>());
    const auto last = errors.last().at(0).value<GatewayError>();
    QCOMPARE(last.kind, GatewayError::Kind::ReconnectBudgetExhausted);
    QVERIFY(last.isTerminal());
    QCOMPARE(client.consecutiveFailures(), 6);
    QVERIFY(!client.nextAttemptAt().isValid());
    QVERIFY(!connecting.wait(200));  // and nothing after
}

void tst_GatewayClient::malformedAndOversizedInput_data()
{
    QTest::addColumn<Compression>("compression");
    QTest::newRow("zlib-stream") << Compression::ZlibStream;
    QTest::newRow("zstd-stream") << Compression::ZstdStream;
    QTest::newRow("plain json") << Compression::None;
}

void tst_GatewayClient::malformedAndOversizedInput()
{
    QFETCH(Compression, compression);
    auto &sim = startSim(100ms);
    auto c = config(compression);
    c.maxIncomingMessageSize = 64 * 1024;
    c.maxIncomingFrameSize = 64 * 1024;
    auto &client = makeClient(c);
    QVERIFY(startReady(client));

    SimFault malformed;
    malformed.kind = SimFault::Kind::Malformed;
    malformed.count = 3;  // each: one truncated JSON, one {"op":"ten"}
    QVERIFY(sim.injectFault(Bot, malformed));
    QTRY_COMPARE(client.stats().malformedPayloads, 6u);
    // Unknown opcodes are counted, not fatal.
    client.injectMessageForTest(R"({"op":42,"d":null})", false);
    client.injectMessageForTest(QByteArray(), false);
    QCOMPARE(client.stats().unknownOpcodes, 1u);
    QCOMPARE(client.stats().malformedPayloads, 7u);
    QCOMPARE(client.state(), ConnectionState::Ready);
    const auto acks = client.stats().acksReceived;
    QTRY_VERIFY(client.stats().acksReceived > acks);  // the session carries on

    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    SimFault big;
    big.kind = SimFault::Kind::Oversized;
    big.size = 512 * 1024;
    QVERIFY(sim.injectFault(Bot, big));
    QTRY_COMPARE(resumed.size(), 1);
    QCOMPARE(client.stats().oversizedMessages, 1u);
    QCOMPARE(closed.at(0).at(0).value<CloseInfo>().action, CloseAction::Resume);

    if (compression != Compression::None) {
        // Garbage on the zlib / zstd stream breaks the context: counted, closed, resumed.
        client.injectMessageForTest(QByteArray("garbage\x00\x00\xff\xff", 11), true);
        QCOMPARE(client.stats().inflateErrors, 1u);
        QTRY_COMPARE(resumed.size(), 2);
    }
}

void tst_GatewayClient::degradedWhenAckOverdue()
{
    auto &sim = startSim(600ms);
    auto c = config();
    c.timings.latencyWarning = 100ms;
    auto &client = makeClient(c);
    QVERIFY(startReady(client));
    QTRY_VERIFY_WITH_TIMEOUT(client.stats().acksReceived >= 1, 2000);
    SimFault stop;
    stop.kind = SimFault::Kind::StopAcks;
    QVERIFY(sim.injectFault(Bot, stop));
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Degraded, 2000);
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QVERIFY(zombie.wait(2000));
    QTRY_COMPARE(client.state(), ConnectionState::Ready);  // resumed on a fresh socket
}

void tst_GatewayClient::reconnectModes()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy ready(&client, &GatewayClient::ready);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    client.reconnect(ReconnectMode::Resume);
    QTRY_COMPARE(resumed.size(), 1);
    QCOMPARE(ops(sim, 6).size(), 1);
    const QString firstSession = client.session()->sessionId;
    client.reconnect(ReconnectMode::FreshIdentify);
    QTRY_COMPARE(ready.size(), 1);
    QCOMPARE(ops(sim, 2).size(), 2);  // really an op 2, not a RESUME of the dropped session
    QCOMPARE(ops(sim, 6).size(), 1);
    QVERIFY(client.session()->sessionId != firstSession);
    QVERIFY(!sim.connections().last().viaResumeUrl);
    QCOMPARE(scheduled.at(1).at(2).value<ReconnectMode>(), ReconnectMode::FreshIdentify);
    QCOMPARE(client.stats().reconnects, 2u);
}

void tst_GatewayClient::reconnectFromSocketClosedIsOneAttempt()
{
    // A receiver of socketClosed that reconnects at once gets exactly one new attempt: after
    // the signal the client sees that the socket is no longer the one it was closing and does
    // not schedule an attempt of its own on top (that second attempt leaked a socket).
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    QSignalSpy connecting(&client, &GatewayClient::connecting);
    bool first = true;
    connect(&client, &GatewayClient::socketClosed, &client, [&client, &first] {
        if (std::exchange(first, false))
            client.reconnect(ReconnectMode::Resume);
    });
    SimFault f;
    f.kind = SimFault::Kind::Close;
    f.closeCode = 4000;
    QVERIFY(sim.injectFault(Bot, f));
    QTRY_COMPARE(resumed.size(), 1);
    QVERIFY(!connecting.wait(300));  // several intervals: no second attempt
    QCOMPARE(connecting.size(), 1);
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(connectionsOpened(sim), 2);
    QCOMPARE(sim.openConnectionCount(), 1);
    QCOMPARE(client.state(), ConnectionState::Ready);
}

void tst_GatewayClient::stopIsSilent()
{
    auto &sim = startSim(100ms);
    auto &client = makeClient(config());
    QVERIFY(startReady(client));
    QTRY_VERIFY(client.stats().heartbeatsSent >= 1);
    QSignalSpy simClosed(&sim, &GatewaySimulator::clientDisconnected);
    AllSignals all(&client);
    client.stop();
    QCOMPARE(client.state(), ConnectionState::Stopped);
    QVERIFY(simClosed.wait(2000));  // the close really reached the server
    QVERIFY(!all.heartbeatSent.wait(300));  // several intervals: no beat, no reconnect
    QCOMPARE(all.total(), 0);
    QCOMPARE(connectionsOpened(sim), 1);
    QCOMPARE(sim.openConnectionCount(), 0);
}

void tst_GatewayClient::stopDuringBackoffIsSilent()
{
    startSim(100ms);
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        deadPort = probe.serverPort();
    }
    auto c = config();
    c.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(deadPort));
    c.timings.backoffBase = 200ms;
    c.timings.backoffMax = 200ms;
    auto &client = makeClient(c);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    client.start();
    QVERIFY(scheduled.wait(3000));
    QVERIFY(client.nextAttemptAt().isValid());
    AllSignals all(&client);
    client.stop();
    QVERIFY(!all.connecting.wait(400));
    QCOMPARE(all.total(), 0);
    QCOMPARE(client.state(), ConnectionState::Stopped);
}

void tst_GatewayClient::sharedGateSpacesIdentifies_data()
{
    QTest::addColumn<int>("maxConcurrency");
    QTest::newRow("max_concurrency 1: one bucket") << 1;
    QTest::newRow("max_concurrency 2: two buckets") << 2;
}

void tst_GatewayClient::sharedGateSpacesIdentifies()
{
    QFETCH(int, maxConcurrency);
    constexpr auto bucket = 150ms;
    SimBotPolicy policy;
    policy.maxConcurrency = maxConcurrency;
    policy.recommendedShards = 2;
    auto &sim = startSim(200ms, policy);
    IdentifyGate gate(bucket, 50);
    std::vector<std::unique_ptr<GatewayClient>> clients;
    std::vector<std::unique_ptr<QSignalSpy>> readySpies, invalidSpies;
    for (int shard = 0; shard < 2; ++shard) {
        auto c = config();
        c.shard = std::pair<int, int>{shard, 2};
        clients.push_back(std::make_unique<GatewayClient>(c, &gate));
        readySpies.push_back(std::make_unique<QSignalSpy>(clients.back().get(), &GatewayClient::ready));
        invalidSpies.push_back(std::make_unique<QSignalSpy>(clients.back().get(), &GatewayClient::invalidSession));
    }
    for (auto &c : clients)
        c->start();
    for (auto &spy : readySpies)
        QTRY_COMPARE_WITH_TIMEOUT(spy->size(), 1, 5000);
    for (auto &spy : invalidSpies)
        QCOMPARE(spy->size(), 0);  // the simulator never had to refuse an identify (op 9)
    const auto identifies = ops(sim, 2);
    QCOMPARE(identifies.size(), 2);
    const qint64 gap = identifies.at(1).atMs - identifies.at(0).atMs;
    if (maxConcurrency == 1)
        QVERIFY2(gap >= bucket.count() - 5, qPrintable(QString::number(gap)));  // one bucket: spaced
    else
        QVERIFY2(gap < bucket.count() / 2, qPrintable(QString::number(gap)));   // own buckets: not delayed
    QCOMPARE(gate.identifiesInLast24h(), 2);
    clients.clear();
}

namespace {
quint16 deadTcpPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();  // closed again when probe goes out of scope
}
} // namespace

void tst_GatewayClient::restFailureWithOverrideProceeds()
{
    auto &sim = startSim(100ms);
    auto c = config();
    c.apiBase = QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(deadTcpPort()));
    c.gatewayUrlOverride = sim.gatewayUrl();
    auto &client = makeClient(c);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy info(&client, &GatewayClient::gatewayInfoReceived);
    QVERIFY(startReady(client));
    QCOMPARE(errors.size(), 1);
    const auto e = errors.at(0).at(0).value<GatewayError>();
    QCOMPARE(e.kind, GatewayError::Kind::Rest);
    QVERIFY(!e.isTerminal());
    QCOMPARE(info.size(), 0);
    QVERIFY(!client.gatewayInfo().has_value());
    // Without /gateway/bot the default shard is [0, 1].
    QCOMPARE(ops(sim, 2).size(), 1);
    QCOMPARE(ops(sim, 2).at(0).shardCount, 1);
}

void tst_GatewayClient::restFailureWithoutUrlBacksOff()
{
    startSim(100ms);
    auto c = config();
    c.apiBase = QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(deadTcpPort()));
    c.timings.reconnectBudget = 3;
    auto &client = makeClient(c);
    QSignalSpy errors(&client, &GatewayClient::errorOccurred);
    QSignalSpy scheduled(&client, &GatewayClient::reconnectScheduled);
    QSignalSpy connecting(&client, &GatewayClient::connecting);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Failed, 5000);
    QCOMPARE(connecting.size(), 0);  // no URL, no socket
    QCOMPARE(scheduled.size(), 2);
    QVERIFY(scheduled.at(0).at(1).value<std::chrono::milliseconds>() > 0ms);
    QCOMPARE(errors.size(), 4);  // three Rest failures, then the budget
    QCOMPARE(errors.at(0).at(0).value<GatewayError>().kind, GatewayError::Kind::Rest);
    QCOMPARE(errors.last().at(0).value<GatewayError>().kind, GatewayError::Kind::ReconnectBudgetExhausted);
}

QTEST_GUILESS_MAIN(tst_GatewayClient)
#include "tst_gatewayclient.moc"
