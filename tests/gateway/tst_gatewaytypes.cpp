#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QMetaEnum>
#include <QTest>

using namespace gw;

class tst_GatewayTypes final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stateNamesRoundTrip();
    void names();
    void terminalKinds_data();
    void terminalKinds();
    void fastTimingsKeepTheRatios();
};

void tst_GatewayTypes::stateNamesRoundTrip()
{
    const QMetaEnum me = QMetaEnum::fromType<ConnectionState>();
    QSet<QString> names;
    for (int i = 0; i < me.keyCount(); ++i) {
        const auto s = ConnectionState(me.value(i));
        const QString n = stateName(s);
        QVERIFY(!names.contains(n));
        names.insert(n);
        QCOMPARE(stateFromName(n), std::optional<ConnectionState>(s));
        QVERIFY(!stateDisplayName(s).isEmpty());
    }
    QCOMPARE(stateName(ConnectionState::AwaitingHello), QStringLiteral("awaiting_hello"));
    QCOMPARE(stateDisplayName(ConnectionState::AwaitingHello), QStringLiteral("Awaiting HELLO"));
    QCOMPARE(stateFromName(u"Ready"), std::nullopt);
    QCOMPARE(stateFromName(u""), std::nullopt);
}

void tst_GatewayTypes::names()
{
    QCOMPARE(reconnectModeName(ReconnectMode::Resume), QStringLiteral("resume"));
    QCOMPARE(reconnectModeName(ReconnectMode::FreshIdentify), QStringLiteral("identify"));
    QCOMPARE(closeInitiatorName(CloseInitiator::Transport), QStringLiteral("transport"));
    QCOMPARE(closeActionName(CloseAction::NewSession), QStringLiteral("new_session"));
    QCOMPARE(errorKindName(GatewayError::Kind::ReconnectBudgetExhausted), QStringLiteral("reconnect_budget_exhausted"));
}

void tst_GatewayTypes::terminalKinds_data()
{
    QTest::addColumn<GatewayError::Kind>("kind");
    QTest::addColumn<bool>("terminal");
    using K = GatewayError::Kind;
    QTest::newRow("none") << K::None << false;
    QTest::newRow("transport") << K::Transport << false;
    QTest::newRow("protocol") << K::Protocol << false;
    QTest::newRow("handshake") << K::HandshakeTimeout << false;
    QTest::newRow("hello") << K::HelloTimeout << false;
    QTest::newRow("rest") << K::Rest << false;
    QTest::newRow("fatal close") << K::FatalClose << true;
    QTest::newRow("budget") << K::ReconnectBudgetExhausted << true;
    QTest::newRow("identify refused") << K::IdentifyRefused << true;
    QTest::newRow("unauthorized") << K::Unauthorized << true;
    QTest::newRow("ready timeout") << K::ReadyTimeout << true;
    QTest::newRow("watchdog") << K::WatchdogTimeout << true;
}

void tst_GatewayTypes::terminalKinds()
{
    QFETCH(GatewayError::Kind, kind);
    QFETCH(bool, terminal);
    GatewayError e;
    e.kind = kind;
    QCOMPARE(e.isTerminal(), terminal);
}

void tst_GatewayTypes::fastTimingsKeepTheRatios()
{
    const GatewayTimings d = GatewayTimings::defaults();
    const GatewayTimings f = GatewayTimings::fast();
    // The supervisor's HELLO watch must act before the client's own HELLO timeout.
    QVERIFY(d.helloTimeout > d.helloWatch);
    QVERIFY(f.helloTimeout > f.helloWatch);
    QVERIFY(f.backoffBase < f.backoffMax);
    QVERIFY(f.invalidSessionDelayMin < f.invalidSessionDelayMax);
    QVERIFY(f.restartBackoffBase < f.restartBackoffMax);
    QVERIFY(f.handshakeTimeout < d.handshakeTimeout / 10);
    QVERIFY(f.identifyBucketInterval < d.identifyBucketInterval / 10);
    QCOMPARE(f.reconnectBudget, d.reconnectBudget);
}

QTEST_GUILESS_MAIN(tst_GatewayTypes)
#include "tst_gatewaytypes.moc"
