// Load-proof zombie verdicts and lost-event accounting, end to end (docs/protocol.md,
// heartbeats and sequence integrity): the real GatewayClient against the in-process
// GatewaySimulator, whose per-connection outbound queue (Options::outboundRate) makes an ACK
// wait behind a burst, as a loaded gateway does.
#include "gatewayclient.h"
#include "gatewaysimulator.h"
#include "process.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace gw;
using namespace std::chrono_literals;

namespace {
const QString Token = QStringLiteral("tok-load");
const QString Bot = QStringLiteral("load");
} // namespace

class tst_LoadVerdicts final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GatewaySimulator> m_sim;
    std::unique_ptr<GatewayClient> m_client;

    GatewaySimulator &startSim(GatewaySimulator::Options o)
    {
        o.identifyBucketInterval = 40ms;
        m_sim = std::make_unique<GatewaySimulator>(o);
        SimBotPolicy policy;
        policy.name = Bot;
        m_sim->addBot(Token, policy);
        if (!m_sim->start())
            qFatal("simulator did not start: %s", qPrintable(m_sim->errorString()));
        return *m_sim;
    }

    GatewayClient &startClient()
    {
        GatewayClientConfig c;
        c.token = Token;
        c.apiBase = m_sim->apiBase();
        c.timings = GatewayTimings::fast();
        m_client = std::make_unique<GatewayClient>(c);
        QSignalSpy ready(m_client.get(), &GatewayClient::ready);
        m_client->start();
        if (!ready.wait(5000))
            qFatal("no READY");
        return *m_client;
    }

    //! Runs the event loop until the client has sent `beats` more regular beats.
    static bool waitForBeats(GatewayClient &client, int beats, int timeoutMs)
    {
        int seen = 0;
        const auto connection = QObject::connect(&client, &GatewayClient::heartbeatSent, &client,
                                                 [&seen](qint64, bool requested) { seen += requested ? 0 : 1; });
        const bool ok = QTest::qWaitFor([&] { return seen >= beats; }, timeoutMs);
        QObject::disconnect(connection);
        return ok;
    }

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void burstDelaysAcksWithoutZombie();
    void silenceIsAZombie_data();
    void silenceIsAZombie();
    void acksMissingWhileDataFlowsIsAZombieAfterThreeIntervals();
    void opOneBeforeTheTickWithSlowAcks();
    void replayShortfallIsExact();
    void liveSkipIsAGap();
};

void tst_LoadVerdicts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::ResumeOutcome>();
    qRegisterMetaType<gw::CloseInfo>();
}

void tst_LoadVerdicts::cleanup()
{
    m_client.reset();
    m_sim.reset();
}

//! (a) 20,000 dispatches drained at 12,000/s with a 1 s interval: an ACK waits behind the
//! burst for up to 1.7 s (at least one beat falls in its first second, so one ACK waits over
//! 0.6 s: later than the ACK deadline). Late, not dead: Degraded with the reason, no zombie, nothing lost.
void tst_LoadVerdicts::burstDelaysAcksWithoutZombie()
{
    // The simulator and the client share this test's thread. Under AddressSanitizer both run
    // several times slower, so the hardening stage plays the same 1.7 s burst shape with a
    // quarter of the dispatches, and gives the simulator's own 4009 deadline room (busy sending,
    // it reads our beat late). The regular suite runs the full 20,000 at 12,000 a second.
    const int Burst = gwtest::UnderAsan ? 5000 : 20000;
    GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    o.outboundRate = gwtest::UnderAsan ? 3000 : 12000;
    if (gwtest::UnderAsan)
        o.heartbeatTimeoutGrace = 2000ms;
    auto &sim = startSim(o);
    auto &client = startClient();
    QVERIFY(waitForBeats(client, 1, 3000));
    QTRY_VERIFY_WITH_TIMEOUT(client.stats().acksReceived >= 1, 3000);

    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy gaps(&client, &GatewayClient::sequenceGap);
    QStringList degradedReasons;
    QObject::connect(&client, &GatewayClient::stateChanged, this, [&](ConnectionState s) {
        if (s == ConnectionState::Degraded)
            degradedReasons << client.stats().degradedReason;
    });
    const quint64 before = client.stats().liveDispatches;
    const qint64 seqBefore = client.stats().lastSequence;
    SimFault flood;
    flood.kind = SimFault::Kind::Flood;
    flood.count = Burst;
    QVERIFY(sim.injectFault(Bot, flood));

    QTRY_COMPARE_WITH_TIMEOUT(client.stats().liveDispatches, before + Burst, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Ready, 5000);
    QCOMPARE(zombie.size(), 0);
    QCOMPARE(closed.size(), 0);
    QCOMPARE(gaps.size(), 0);
    QCOMPARE(client.stats().eventsLost, 0u);
    QCOMPARE(client.stats().zombies, 0u);
    QCOMPARE(client.stats().lastSequence, seqBefore + Burst);
    QVERIFY2(!degradedReasons.isEmpty(), "the ACK behind the burst never made the client Degraded");
    QVERIFY2(degradedReasons.contains(QStringLiteral("heartbeat ACK late, data still flowing")),
             qPrintable(degradedReasons.join(QLatin1String(" | "))));
    QVERIFY(client.stats().dispatchesLastMinute >= Burst);
}

void tst_LoadVerdicts::silenceIsAZombie_data()
{
    QTest::addColumn<SimFault::Kind>("kind");
    QTest::newRow("ACKs stop") << SimFault::Kind::StopAcks;
    QTest::newRow("socket goes silent") << SimFault::Kind::GoSilent;
}

//! (b) Nothing at all arrives after a beat: a zombie at the next tick, within two intervals
//! of the silence, then RESUME.
void tst_LoadVerdicts::silenceIsAZombie()
{
    QFETCH(SimFault::Kind, kind);
    constexpr auto Interval = 300ms;
    GatewaySimulator::Options o;
    o.heartbeatInterval = Interval;
    auto &sim = startSim(o);
    auto &client = startClient();
    QVERIFY(waitForBeats(client, 1, 3000));
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    int missedAtZombie = -1;
    QObject::connect(&client, &GatewayClient::zombieDetected, this,
                     [&] { missedAtZombie = client.stats().missedAcks; });
    SimFault f;
    f.kind = kind;
    QElapsedTimer clock;
    clock.start();
    QVERIFY(sim.injectFault(Bot, f));
    QVERIFY(zombie.wait(5000));
    const qint64 detectedMs = clock.elapsed();
    QVERIFY2(detectedMs <= 2 * Interval.count() + 150, qPrintable(QString::number(detectedMs)));
    QCOMPARE(missedAtZombie, 1);  // judged at the first tick after the beat
    QTRY_COMPARE_WITH_TIMEOUT(resumed.size(), 1, 5000);
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.cause, CloseCause::Zombie);
    QVERIFY(info.sessionKept);
    QCOMPARE(info.code, std::optional<int>(4000));
}

//! ACKs stop but dispatches keep coming: Degraded for two ticks, a zombie at the third.
void tst_LoadVerdicts::acksMissingWhileDataFlowsIsAZombieAfterThreeIntervals()
{
    constexpr auto Interval = 300ms;
    GatewaySimulator::Options o;
    o.heartbeatInterval = Interval;
    o.dispatchInterval = 20ms;
    auto &sim = startSim(o);
    auto &client = startClient();
    QVERIFY(waitForBeats(client, 1, 3000));
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    int missedAtZombie = -1;
    QString reasonBefore;
    QObject::connect(&client, &GatewayClient::zombieDetected, this, [&] {
        missedAtZombie = client.stats().missedAcks;
        reasonBefore = client.stats().degradedReason;
    });
    SimFault f;
    f.kind = SimFault::Kind::StopAcks;
    QElapsedTimer clock;
    clock.start();
    QVERIFY(sim.injectFault(Bot, f));
    QVERIFY(zombie.wait(5000));
    QCOMPARE(missedAtZombie, 3);
    QCOMPARE(reasonBefore, QStringLiteral("heartbeat ACK late, data still flowing"));
    QVERIFY2(clock.elapsed() >= 2 * Interval.count(), qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(clock.elapsed() <= 4 * Interval.count() + 150, qPrintable(QString::number(clock.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(resumed.size(), 1, 5000);
}

//! (c) op 1 arrives 100 ms before each regular tick and every ACK takes 100 ms: the answer goes
//! out at once with the current sequence and restarts the schedule, so no tick judges a beat
//! younger than one interval: no zombie over ten intervals.
void tst_LoadVerdicts::opOneBeforeTheTickWithSlowAcks()
{
    constexpr auto Interval = 300ms;
    GatewaySimulator::Options o;
    o.heartbeatInterval = Interval;
    o.dispatchInterval = 30ms;  // the sequence moves between beats
    o.ackDelay = 100ms;
    auto &sim = startSim(o);
    auto &client = startClient();
    QSignalSpy zombie(&client, &GatewayClient::zombieDetected);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    int requests = 0;
    int answers = 0;
    int regularBeats = 0;
    qint64 slowestAnswerMs = 0;
    QList<qint64> answerMismatches;
    QElapsedTimer sinceRequest;
    QTimer opOne;
    opOne.setSingleShot(true);
    opOne.setTimerType(Qt::PreciseTimer);
    QObject::connect(&opOne, &QTimer::timeout, this, [&] {
        SimFault f;
        f.kind = SimFault::Kind::RequestHeartbeat;
        sinceRequest.start();
        if (sim.injectFault(Bot, f))
            ++requests;
    });
    QObject::connect(&client, &GatewayClient::heartbeatSent, this, [&](qint64 seq, bool requested) {
        if (!requested) {
            ++regularBeats;
            // 100 ms before the next regular tick: the simulator sends op 1 up to 20 ms later, and
            // a busy stream's read batch (25 ms) may hold it as long again.
            opOne.start(Interval - 100ms);
            return;
        }
        ++answers;
        slowestAnswerMs = std::max(slowestAnswerMs, sinceRequest.elapsed());
        if (seq != client.stats().lastSequence)
            answerMismatches << seq;
    });
    // Each round: a regular beat, op 1 100 ms before the next tick, its answer; the next
    // regular tick comes one interval after the answer. Five rounds are ten intervals. The last
    // op 1 may still be in a read batch (up to one window) when the sixth tick is counted.
    QVERIFY(QTest::qWaitFor([&] { return (requests >= 5 && regularBeats >= 6 && answers == requests) || !zombie.isEmpty(); },
                            30 * int(Interval.count())));
    QCOMPARE(zombie.size(), 0);
    QCOMPARE(closed.size(), 0);
    QCOMPARE(answers, requests);
    QVERIFY2(slowestAnswerMs < 150, qPrintable(QString::number(slowestAnswerMs)));
    QVERIFY2(answerMismatches.isEmpty(), "an op 1 answer did not carry the current sequence");
    QCOMPARE(client.stats().extraHeartbeatRequests, 0u);
    QCOMPARE(client.stats().zombies, 0u);
}

//! (d) 11,413 events missed while disconnected, the replay buffer holds 5,000: the RESUME
//! replays the newest 5,000 and the outcome says exactly 6,413 were lost.
void tst_LoadVerdicts::replayShortfallIsExact()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    o.replayBufferLimit = 5000;
    auto &sim = startSim(o);
    auto &client = startClient();
    QTRY_VERIFY(client.stats().lastSequence >= 2);
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    QSignalSpy gaps(&client, &GatewayClient::sequenceGap);
    const qint64 before = client.stats().lastSequence;
    SimFault drop;
    drop.kind = SimFault::Kind::DropTcp;
    QVERIFY(sim.injectFault(Bot, drop));
    constexpr int Missed = 11413;
    for (int i = 0; i < Missed; ++i)
        sim.dispatch(Bot, QStringLiteral("MISSED_EVENT"), "{}");
    QVERIFY(resumed.wait(20000));
    const auto outcome = resumed.at(0).at(0).value<ResumeOutcome>();
    QCOMPARE(outcome.sequenceBefore, before);
    QCOMPARE(outcome.sequenceAfter, before + Missed + 1);  // RESUMED has its own s
    QCOMPARE(outcome.missed, qint64(Missed));
    QCOMPARE(outcome.replayed, 5000);
    QCOMPARE(outcome.lost, qint64(Missed - 5000));
    QCOMPARE(client.stats().eventsLost, quint64(Missed - 5000));
    QCOMPARE(client.stats().replayedDispatches, 5000u);
    QCOMPARE(gaps.size(), 0);  // the late start of the replay is counted once, in the outcome
}

//! A live jump in s (SkipSequence) is a sequenceGap with the exact count.
void tst_LoadVerdicts::liveSkipIsAGap()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    auto &sim = startSim(o);
    auto &client = startClient();
    QTRY_VERIFY(client.stats().lastSequence >= 2);
    QSignalSpy gaps(&client, &GatewayClient::sequenceGap);
    const qint64 last = client.stats().lastSequence;
    SimFault skip;
    skip.kind = SimFault::Kind::SkipSequence;
    skip.count = 2;
    QVERIFY(sim.injectFault(Bot, skip));
    sim.dispatch(Bot, QStringLiteral("AFTER_THE_SKIP"), "{}");
    QVERIFY(gaps.wait(3000));
    QCOMPARE(gaps.at(0).at(0).toLongLong(), last + 1);
    QCOMPARE(gaps.at(0).at(1).toLongLong(), last + 3);
    QCOMPARE(client.stats().eventsLost, 2u);
}

QTEST_GUILESS_MAIN(tst_LoadVerdicts)
#include "tst_loadverdicts.moc"
