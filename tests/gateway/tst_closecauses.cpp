// Every close the client reports carries its cause and whether the session was kept; the real
// GatewayClient against the in-process GatewaySimulator (millisecond timings).
#include "closecode.h"
#include "gatewayclient.h"
#include "gatewaysimulator.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

#include <memory>

using namespace gw;
using namespace std::chrono_literals;

namespace {
const QString Token = QStringLiteral("tok-causes");
const QString Bot = QStringLiteral("causes");

//! How each row ends the first socket.
enum class Trigger {
    Op7,
    StopAcks,
    UserResume,
    UserIdentify,
    InvalidResumable,
    InvalidNotResumable,
    WithholdHello,
    SlowHandshake,
    Oversized,
    CorruptZlib,
    DropTcp,
    ServerResumable,
    ServerNewSession,
    IdentifyRefused,
};
} // namespace

Q_DECLARE_METATYPE(Trigger)

class tst_CloseCauses final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cause_data();
    void cause();
};

void tst_CloseCauses::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::CloseInfo>();
}

void tst_CloseCauses::cause_data()
{
    QTest::addColumn<Trigger>("trigger");
    QTest::addColumn<CloseCause>("cause");
    QTest::addColumn<bool>("kept");
    QTest::addColumn<QString>("summary");  // what closeSummary() says for it
    using T = Trigger;
    using C = CloseCause;
    const QString kept = QStringLiteral(" · session kept resumable");
    QTest::newRow("op 7") << T::Op7 << C::Op7 << true
                          << QStringLiteral("closed by Gatewatch: gateway asked to reconnect (op 7)") + kept;
    QTest::newRow("zombie") << T::StopAcks << C::Zombie << true
                            << QStringLiteral("closed by Gatewatch: heartbeat not acknowledged (zombie)") + kept;
    QTest::newRow("reconnect(Resume)") << T::UserResume << C::UserResume << true
                                       << QStringLiteral("closed by Gatewatch: you asked for a reconnect") + kept;
    QTest::newRow("reconnect(FreshIdentify)") << T::UserIdentify << C::UserIdentify << false
                                              << QStringLiteral("closed by Gatewatch: fresh IDENTIFY you asked for");
    QTest::newRow("op 9 resumable") << T::InvalidResumable << C::InvalidSession << true
                                    << QStringLiteral("closed by Gatewatch after op 9 (invalid session)") + kept;
    QTest::newRow("op 9 not resumable") << T::InvalidNotResumable << C::InvalidSession << false
                                        << QStringLiteral("closed by Gatewatch after op 9 (invalid session)");
    QTest::newRow("HELLO timeout") << T::WithholdHello << C::HelloTimeout << false
                                   << QStringLiteral("closed by Gatewatch: no HELLO in time");
    QTest::newRow("handshake timeout") << T::SlowHandshake << C::HandshakeTimeout << false
                                       << QStringLiteral("the WebSocket handshake did not complete in time");
    QTest::newRow("oversized") << T::Oversized << C::Oversized << true
                               << QStringLiteral("1009 · message larger than the 16 MiB limit") + kept;
    QTest::newRow("inflate error") << T::CorruptZlib << C::Protocol << true
                                   << QStringLiteral("closed by Gatewatch: undecodable stream (");
    QTest::newRow("TCP dropped") << T::DropTcp << C::Transport << true
                                 << QStringLiteral("connection dropped without a close frame");
    QTest::newRow("server 4000") << T::ServerResumable << C::Server << true
                                 << QStringLiteral("4000 · unknown error (Discord)");
    QTest::newRow("server 4009") << T::ServerNewSession << C::Server << false
                                 << QStringLiteral("4009 · session timed out (Discord)");
    QTest::newRow("identify budget") << T::IdentifyRefused << C::IdentifyBudget << false
                                     << QStringLiteral("closed by Gatewatch: waiting for the identify budget to reset");
}

void tst_CloseCauses::cause()
{
    QFETCH(Trigger, trigger);
    QFETCH(CloseCause, cause);
    QFETCH(bool, kept);
    QFETCH(QString, summary);

    GatewaySimulator::Options o;
    o.heartbeatInterval = 100ms;
    o.identifyBucketInterval = 40ms;
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = Bot;
    if (trigger == Trigger::IdentifyRefused)
        policy.sessionStartRemaining = 10;  // below the identify floor of 50: wait for the reset
    sim.addBot(Token, policy);
    QVERIFY(sim.start());

    GatewayClientConfig c;
    c.token = Token;
    c.apiBase = sim.apiBase();
    c.timings = GatewayTimings::fast();
    c.timings.helloTimeout = 150ms;
    c.timings.handshakeTimeout = 150ms;
    c.maxIncomingMessageSize = 64 * 1024;
    c.maxIncomingFrameSize = 64 * 1024;
    GatewayClient client(c);
    QSignalSpy closed(&client, &GatewayClient::socketClosed);
    QSignalSpy ready(&client, &GatewayClient::ready);

    const bool beforeReady = trigger == Trigger::WithholdHello || trigger == Trigger::SlowHandshake
        || trigger == Trigger::IdentifyRefused;
    SimFault f;
    f.connections = 1;
    if (trigger == Trigger::WithholdHello) {
        f.kind = SimFault::Kind::WithholdHello;
        QVERIFY(sim.injectFault(Bot, f));
    } else if (trigger == Trigger::SlowHandshake) {
        f.kind = SimFault::Kind::SlowHandshake;
        f.delay = 2000ms;
        QVERIFY(sim.injectFault(Bot, f));
    }
    client.start();
    if (beforeReady) {
        QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 5000);
    } else {
        QVERIFY(ready.wait(5000));
        QTRY_VERIFY(client.stats().lastSequence >= 1);
        switch (trigger) {
        case Trigger::Op7: f.kind = SimFault::Kind::Reconnect; break;
        case Trigger::StopAcks: f.kind = SimFault::Kind::StopAcks; break;
        case Trigger::InvalidResumable: f.kind = SimFault::Kind::InvalidSession; f.resumable = true; break;
        case Trigger::InvalidNotResumable: f.kind = SimFault::Kind::InvalidSession; f.resumable = false; break;
        case Trigger::Oversized: f.kind = SimFault::Kind::Oversized; f.size = 512 * 1024; break;
        case Trigger::DropTcp: f.kind = SimFault::Kind::DropTcp; break;
        case Trigger::ServerResumable: f.kind = SimFault::Kind::Close; f.closeCode = 4000; break;
        case Trigger::ServerNewSession: f.kind = SimFault::Kind::Close; f.closeCode = 4009; break;
        default: break;
        }
        if (trigger == Trigger::UserResume)
            client.reconnect(ReconnectMode::Resume);
        else if (trigger == Trigger::UserIdentify)
            client.reconnect(ReconnectMode::FreshIdentify);
        else if (trigger == Trigger::CorruptZlib)
            client.injectMessageForTest(QByteArray("garbage\x00\x00\xff\xff", 11), true);
        else
            QVERIFY(sim.injectFault(Bot, f));
        QTRY_VERIFY_WITH_TIMEOUT(!closed.isEmpty(), 5000);
    }
    const auto info = closed.at(0).at(0).value<CloseInfo>();
    QCOMPARE(info.cause, cause);
    QCOMPARE(info.sessionKept, kept);
    QVERIFY2(closeSummary(info).startsWith(summary), qPrintable(closeSummary(info)));
    if (trigger != Trigger::IdentifyRefused)  // the rest carry on (that one waits a day): READY/RESUMED
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Ready, 5000);
    client.stop();
}

QTEST_GUILESS_MAIN(tst_CloseCauses)
#include "tst_closecauses.moc"
