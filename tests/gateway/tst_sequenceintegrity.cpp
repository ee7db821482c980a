// Sequence integrity of one client (docs/protocol.md): live gaps, duplicates, the shortfall of
// a replay and sessions replaced by a fresh IDENTIFY.
//
// The arithmetic is driven through GatewayClient::injectMessageForTest on a client whose socket
// was created but never connects (nothing listens on port 1; the event loop is not run while
// frames are injected), so every number is exact. The replaced-session case runs the real
// client against the in-process GatewaySimulator.
#include "gatewayclient.h"
#include "gatewaysimulator.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace gw;
using namespace std::chrono_literals;

namespace {

QByteArray dispatch(qint64 s, const char *type = "MESSAGE_CREATE")
{
    return QByteArray(R"({"op":0,"t":")") + type + R"(","s":)" + QByteArray::number(s) + R"(,"d":{}})";
}

QByteArray resumedWithoutS()
{
    return QByteArrayLiteral(R"({"op":0,"t":"RESUMED","s":null,"d":{}})");
}

const QByteArray Hello = QByteArrayLiteral(R"({"op":10,"d":{"heartbeat_interval":41250}})");
const QByteArray Ready = QByteArrayLiteral(
    R"({"op":0,"t":"READY","s":1,"d":{"v":10,"session_id":"s1","resume_gateway_url":"ws://127.0.0.1:1",)"
    R"("user":{"id":"1","username":"seq"},"guilds":[]}})");

} // namespace

class tst_SequenceIntegrity final : public QObject
{
    Q_OBJECT

private:
    QNetworkAccessManager m_nam;

    //! A client with its socket created (not connected): injected frames are "on the socket".
    //! `resumeFrom` >= 0 seeds a session, so the HELLO sent next makes it RESUME with that seq.
    std::unique_ptr<GatewayClient> injectable(qint64 resumeFrom)
    {
        GatewayClientConfig config;
        config.token = QStringLiteral("seq-token");
        // An unsupported scheme fails GET /gateway/bot at once; the override is used instead.
        config.apiBase = QUrl(QStringLiteral("unsupported://invalid/api/v10"));
        config.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:1"));
        config.compression = gw::Compression::None;
        config.timings = GatewayTimings::fast();
        auto client = std::make_unique<GatewayClient>(config, nullptr, &m_nam);
        if (resumeFrom >= 0) {
            ResumeState seeded;
            seeded.sessionId = QStringLiteral("seeded");
            seeded.resumeGatewayUrl = QUrl(QStringLiteral("ws://127.0.0.1:1"));
            seeded.sequence = resumeFrom;
            client->setResumeState(seeded);
        }
        QSignalSpy connecting(client.get(), &GatewayClient::connecting);
        client->start();
        if (connecting.isEmpty() && !connecting.wait(5000))
            qFatal("the client never created its socket");
        return client;
    }

    void inject(GatewayClient &client, const QByteArray &message) { client.injectMessageForTest(message, false); }

private Q_SLOTS:
    void initTestCase();
    void liveGapsAndDuplicates();
    void replayShortfall_data();
    void replayShortfall();
    void resumedWithoutSequence();
    void lastMinuteAndLastDispatch();
    void freshIdentifyReplacesSession();
};

void tst_SequenceIntegrity::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::ResumeOutcome>();
}

void tst_SequenceIntegrity::liveGapsAndDuplicates()
{
    auto client = injectable(-1);
    QSignalSpy gaps(client.get(), &GatewayClient::sequenceGap);
    QSignalSpy dispatches(client.get(), &GatewayClient::dispatchReceived);
    QSignalSpy replaced(client.get(), &GatewayClient::sessionReplaced);
    inject(*client, Hello);
    inject(*client, Ready);  // s 1: a new session, never a gap
    for (qint64 s = 2; s <= 41; ++s)
        inject(*client, dispatch(s));
    QCOMPARE(gaps.size(), 0);
    inject(*client, dispatch(44));  // 42 and 43 never came
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(gaps.at(0).at(0).toLongLong(), 42);  // expected = last + 1
    QCOMPARE(gaps.at(0).at(1).toLongLong(), 44);  // got
    QCOMPARE(client->stats().eventsLost, 2u);
    QCOMPARE(client->stats().lastSequence, 44);

    // A duplicate or late frame is counted and never moves the sequence backwards.
    inject(*client, dispatch(43));
    inject(*client, dispatch(44));
    QCOMPARE(client->stats().duplicateDispatches, 2u);
    QCOMPARE(client->stats().lastSequence, 44);
    inject(*client, dispatch(45));
    inject(*client, dispatch(1045));
    QCOMPARE(gaps.size(), 2);
    QCOMPARE(gaps.at(1).at(0).toLongLong(), 46);
    QCOMPARE(gaps.at(1).at(1).toLongLong(), 1045);

    const GatewayStats &st = client->stats();
    QCOMPARE(st.eventsLost, 2u + 999u);
    QCOMPARE(st.dispatches, quint64(dispatches.size()));
    QCOMPARE(st.liveDispatches, st.dispatches);  // nothing was replayed
    QCOMPARE(st.replayedDispatches, 0u);
    QCOMPARE(st.unknownGaps, 0u);
    QCOMPARE(replaced.size(), 0);  // the first session replaces nothing
    // Duplicates are still dispatches (they are delivered to the bot twice).
    QCOMPARE(st.dispatches, 1u + 40u + 1u + 2u + 2u);
}

void tst_SequenceIntegrity::replayShortfall_data()
{
    QTest::addColumn<QList<qint64>>("replay");   // s of the replayed dispatches, in order
    QTest::addColumn<qint64>("resumedSeq");      // RESUMED's own s
    QTest::addColumn<qint64>("missed");
    QTest::addColumn<qint64>("lost");
    // R = 100 (the seq sent in op 6).
    QTest::newRow("complete replay") << QList<qint64>{101, 102, 103, 104, 105} << qint64(106) << qint64(5) << qint64(0);
    QTest::newRow("nothing missed") << QList<qint64>{} << qint64(101) << qint64(0) << qint64(0);
    QTest::newRow("replay starts late") << QList<qint64>{104, 105} << qint64(106) << qint64(5) << qint64(3);
    QTest::newRow("hole inside the replay") << QList<qint64>{101, 102, 105} << qint64(106) << qint64(5) << qint64(2);
    QTest::newRow("nothing replayed") << QList<qint64>{} << qint64(11514) << qint64(11413) << qint64(11413);
    QTest::newRow("duplicate inside the replay") << QList<qint64>{101, 101, 102} << qint64(104) << qint64(3)
                                                 << qint64(1);
}

void tst_SequenceIntegrity::replayShortfall()
{
    QFETCH(QList<qint64>, replay);
    QFETCH(qint64, resumedSeq);
    QFETCH(qint64, missed);
    QFETCH(qint64, lost);
    auto client = injectable(100);
    QSignalSpy resumeSent(client.get(), &GatewayClient::resumeSent);
    QSignalSpy resumed(client.get(), &GatewayClient::resumed);
    QSignalSpy gaps(client.get(), &GatewayClient::sequenceGap);
    inject(*client, Hello);
    QCOMPARE(resumeSent.size(), 1);
    QCOMPARE(resumeSent.at(0).at(1).toLongLong(), 100);
    for (qint64 s : std::as_const(replay))
        inject(*client, dispatch(s));
    inject(*client, dispatch(resumedSeq, "RESUMED"));
    QCOMPARE(resumed.size(), 1);
    const auto outcome = resumed.at(0).at(0).value<ResumeOutcome>();
    QCOMPARE(outcome.replayed, int(replay.size()));
    QCOMPARE(outcome.sequenceBefore, 100);
    QCOMPARE(outcome.sequenceAfter, resumedSeq);
    QCOMPARE(outcome.missed, missed);
    QCOMPARE(outcome.lost, lost);
    QCOMPARE(gaps.size(), 0);  // a replay's gaps are counted once, in the outcome
    const GatewayStats &st = client->stats();
    QCOMPARE(st.eventsLost, quint64(lost));
    QCOMPARE(st.replayedDispatches, quint64(replay.size()));
    QCOMPARE(st.liveDispatches, 1u);  // RESUMED itself
    QCOMPARE(st.dispatches, quint64(replay.size()) + 1);
    QCOMPARE(st.lastSequence, resumedSeq);

    // Live again: the next dispatch continues from S.
    inject(*client, dispatch(resumedSeq + 1));
    QCOMPARE(gaps.size(), 0);
    inject(*client, dispatch(resumedSeq + 3));
    QCOMPARE(gaps.size(), 1);
    QCOMPARE(client->stats().eventsLost, quint64(lost) + 1);
}

void tst_SequenceIntegrity::resumedWithoutSequence()
{
    auto client = injectable(100);
    QSignalSpy resumed(client.get(), &GatewayClient::resumed);
    QSignalSpy gaps(client.get(), &GatewayClient::sequenceGap);
    inject(*client, Hello);
    for (qint64 s : {101, 103, 104, 107})
        inject(*client, dispatch(s));
    inject(*client, resumedWithoutS());
    QCOMPARE(resumed.size(), 1);
    const auto outcome = resumed.at(0).at(0).value<ResumeOutcome>();
    QCOMPARE(outcome.replayed, 4);
    QCOMPARE(outcome.missed, -1);  // unknown without RESUMED's s
    QCOMPARE(outcome.lost, 3);     // 102, 105 and 106: the gaps seen inside the replay
    QCOMPARE(outcome.sequenceAfter, -1);  // RESUMED had no s
    QCOMPARE(client->stats().lastSequence, 107);
    QCOMPARE(gaps.size(), 0);
    QCOMPARE(client->stats().eventsLost, 3u);
}

void tst_SequenceIntegrity::lastMinuteAndLastDispatch()
{
    auto client = injectable(-1);
    QVERIFY(!client->stats().lastDispatchAt.isValid());
    QCOMPARE(client->stats().dispatchesLastMinute, 0);
    const QDateTime before = QDateTime::currentDateTimeUtc();
    inject(*client, Hello);
    inject(*client, Ready);
    for (qint64 s = 2; s <= 500; ++s)
        inject(*client, dispatch(s));
    const QDateTime after = QDateTime::currentDateTimeUtc();
    const GatewayStats &st = client->stats();
    QCOMPARE(st.dispatchesLastMinute, 500);
    QVERIFY(st.lastDispatchAt.isValid());
    QCOMPARE(st.lastDispatchAt.timeSpec(), Qt::UTC);
    // Derived from a monotonic clock when read: within a few ms of the wall clock.
    QVERIFY2(st.lastDispatchAt >= before.addMSecs(-5) && st.lastDispatchAt <= after.addMSecs(5),
             qPrintable(st.lastDispatchAt.toString(Qt::ISODateWithMs)));
}

void tst_SequenceIntegrity::freshIdentifyReplacesSession()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 100ms;
    o.identifyBucketInterval = 40ms;
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = QStringLiteral("seq");
    sim.addBot(QStringLiteral("tok-seq"), policy);
    QVERIFY(sim.start());
    GatewayClientConfig c;
    c.token = QStringLiteral("tok-seq");
    c.apiBase = sim.apiBase();
    c.timings = GatewayTimings::fast();
    GatewayClient client(c);
    QSignalSpy ready(&client, &GatewayClient::ready);
    client.start();
    QVERIFY(ready.wait(5000));
    sim.dispatch(QStringLiteral("seq"), QStringLiteral("LAST_OF_OLD_SESSION"), "{}");
    QTRY_VERIFY(client.stats().lastSequence >= 3);
    const QDateTime lastOld = client.stats().lastDispatchAt;
    QVERIFY(lastOld.isValid());

    QStringList order;
    QDateTime gapFrom, gapTo;
    QObject::connect(&client, &GatewayClient::sessionReplaced, this, [&](const QDateTime &from, const QDateTime &to) {
        order << QStringLiteral("replaced");
        gapFrom = from;
        gapTo = to;
    });
    QObject::connect(&client, &GatewayClient::ready, this, [&] { order << QStringLiteral("ready"); });
    SimFault op9;
    op9.kind = SimFault::Kind::InvalidSession;
    op9.resumable = false;
    QVERIFY(sim.injectFault(QStringLiteral("seq"), op9));
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 5000);
    QCOMPARE(order, (QStringList{QStringLiteral("replaced"), QStringLiteral("ready")}));
    QVERIFY(qAbs(gapFrom.msecsTo(lastOld)) <= 2);  // the old session's last dispatch
    QVERIFY(gapTo >= gapFrom);
    QVERIFY(gapTo <= QDateTime::currentDateTimeUtc());
    QCOMPARE(client.stats().unknownGaps, 1u);
    QCOMPARE(client.stats().eventsLost, 0u);  // an unknown gap is not a known loss

    // A RESUME does not replace the session.
    QSignalSpy resumed(&client, &GatewayClient::resumed);
    client.reconnect(ReconnectMode::Resume);
    QVERIFY(resumed.wait(5000));
    QCOMPARE(client.stats().unknownGaps, 1u);
    // A fresh IDENTIFY asked for does.
    client.reconnect(ReconnectMode::FreshIdentify);
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 3, 5000);
    QCOMPARE(client.stats().unknownGaps, 2u);
    QCOMPARE(order.count(QStringLiteral("replaced")), 2);
    client.stop();
}

QTEST_GUILESS_MAIN(tst_SequenceIntegrity)
#include "tst_sequenceintegrity.moc"
