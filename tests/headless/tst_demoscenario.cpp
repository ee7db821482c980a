// `--demo`'s scripted bots reach the states docs/simulator.md describes, driven through the real
// AccountManager, with the demo's timeline compressed 10×.
#include "accountmanager.h"
#include "demoscenario.h"
#include "monitorapp.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

class tst_DemoScenario : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fiveBehaviours();
    void botsAndTimeline();
};

void tst_DemoScenario::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::SimFault::Kind>();
}

void tst_DemoScenario::botsAndTimeline()
{
    DemoScenario::Options o;
    o.timeScale = 0.5;
    DemoScenario demo(o);
    const auto bots = demo.bots();
    QCOMPARE(bots.size(), 5);
    QCOMPARE(demo.scaled(30000ms), 15000ms);
    QCOMPARE(demo.scaled(1ms), 1ms);  // never zero
    QVERIFY(bots.at(4).intents & (1u << 1));        // the 4014 bot asks for GUILD_MEMBERS
    for (const auto &b : bots) {
        QVERIFY(!b.id.isEmpty());
        QVERIFY(b.gatewayUrl.isEmpty());            // URLs only after start()
    }
    QVERIFY(demo.start());
    for (const auto &b : demo.bots()) {
        QCOMPARE(b.gatewayUrl, demo.simulator()->gatewayUrl());
        QCOMPARE(b.apiBase, demo.simulator()->apiBase());
    }
    QCOMPARE(DemoScenario(DemoScenario::Options{}).timings().readyTimeout, GatewayTimings::defaults().readyTimeout);
    demo.stop();
    QVERIFY(!demo.isRunning());
}

void tst_DemoScenario::fiveBehaviours()
{
    DemoScenario::Options o;
    o.timeScale = 0.1;    // heartbeat 500 ms, faults at 0.8 / 1.4 / 2 s of each 3 s cycle
    DemoScenario demo(o);
    QVERIFY2(demo.start(), qPrintable(demo.errorString()));
    QSignalSpy faults(&demo, &DemoScenario::faultPlayed);

    // Started the way `gatewatch --demo` starts them: through MonitorApp (here without a store).
    gw::MonitorAppOptions appOptions;
    appOptions.timings = demo.timings();
    gw::MonitorApp app(std::move(appOptions));
    AccountManager &manager = *app.manager();
    QHash<QString, QString> idOf;  // name → id
    QHash<QString, QList<EventKind>> kinds;  // name → kinds seen
    QHash<QString, QJsonObject> lastFatal;
    connect(&manager, &AccountManager::eventLogged, this, [&kinds, &lastFatal](const EventLogEntry &e) {
        kinds[e.accountName].append(e.kind);
        if (e.kind == EventKind::Fatal)
            lastFatal[e.accountName] = e.fields;
    });
    for (const DemoScenario::Bot &bot : demo.bots()) {
        app.monitorSessionAccount(gw::unsavedAccountRecord(bot.name, bot.intents, bot.gatewayUrl, bot.apiBase, bot.id),
                                  bot.token);
        idOf.insert(bot.name, bot.id);
    }
    auto st = [&manager, &idOf](const char *name) {
        return manager.status(idOf.value(QString::fromLatin1(name))).value_or(AccountStatus{});
    };
    auto saw = [&kinds](const char *name, EventKind kind) { return kinds.value(QString::fromLatin1(name)).contains(kind); };

    // op 7 → the client resumes (a resume counted).
    QTRY_VERIFY_WITH_TIMEOUT(saw("demo-reconnect", EventKind::ReconnectRequested), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(st("demo-reconnect").resumes >= 1, 10000);
    // zombie: ACKs stop → detected → resumed.
    QTRY_VERIFY_WITH_TIMEOUT(saw("demo-zombie", EventKind::Zombie), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(st("demo-zombie").resumes >= 1, 10000);
    // op 9 d:false → a fresh IDENTIFY (counted), READY again.
    QTRY_VERIFY_WITH_TIMEOUT(saw("demo-invalidated", EventKind::InvalidSession), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(st("demo-invalidated").identifies >= 2 && st("demo-invalidated").state == ConnectionState::Ready, 10000);
    // 4014 → failed, IntentsRejected, with guidance; never retried.
    QTRY_COMPARE_WITH_TIMEOUT(st("demo-intents").state, ConnectionState::Failed, 10000);
    QCOMPARE(st("demo-intents").failure.closeCode.value_or(0), 4014);
    QCOMPARE(lastFatal.value(QStringLiteral("demo-intents")).value(QLatin1String("outcome")).toString(),
             QStringLiteral("intents_rejected"));
    QVERIFY(st("demo-intents").lastError.contains(QLatin1String("GUILD_MEMBERS"))
            || st("demo-intents").failure.message.contains(QLatin1String("GUILD_MEMBERS")));
    QCOMPARE(st("demo-intents").identifies, 1);
    // healthy: ready, never disconnected.
    QCOMPARE(st("demo-healthy").state, ConnectionState::Ready);
    QCOMPARE(st("demo-healthy").disconnects, 0);

    // The timeline repeats: a second cycle plays the faults again, and the demo stays alive.
    QTRY_VERIFY_WITH_TIMEOUT(demo.cycles() >= 1 && faults.count() >= 6, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(st("demo-reconnect").resumes >= 2, 10000);
    for (const char *name : {"demo-healthy", "demo-reconnect", "demo-zombie", "demo-invalidated"})
        QTRY_VERIFY2_WITH_TIMEOUT(st(name).state == ConnectionState::Ready, name, 10000);
    QCOMPARE(st("demo-intents").state, ConnectionState::Failed);
    QCOMPARE(st("demo-intents").identifies, 1);

    QSignalSpy stopped(&app, &gw::MonitorApp::stopped);
    app.stop();
    QVERIFY(stopped.wait(5000));
    demo.stop();
}

QTEST_GUILESS_MAIN(tst_DemoScenario)
#include "tst_demoscenario.moc"
