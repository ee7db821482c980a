// A big bot in headless mode (docs/headless.md, "shards"): `"shards": "all"` against the simulator's
// sharded bot with identify buckets enforced (docs/simulator.md): every shard reaches READY with
// exactly one IDENTIFY, none is answered with op 9 and no READY guard fires, although the later
// shards wait in the identify queue far longer than the guard. Every line carries `shard`, and
// /metrics has the `shard`-labelled series.
//
// Timings: the two big-bot rows run at default timings, as a real big bot meets them: Discord's
// 5 s bucket interval in the simulator and the client, the 15 s READY guard, the 30 s HELLO watch.
// 16 shards at max_concurrency 1 then take ~83 s, and the 16th shard waits ~82 s in the identify
// queue (five times the guard), the 64th at max_concurrency 16 ~16.5 s, so a guard that counted
// the queue wait would fire (checked below with the measured wait). `chosenShardOnly` needs no
// queue and scales the bucket to 500 ms.
#include "gatewaysimulator.h"
#include "headlessconfig.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "metricsregistry.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_token = QStringLiteral("tst-shards-big-bot-token-0001");
constexpr auto k_bucket = 500ms;

QList<QJsonObject> parseLines(const QByteArray &data)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            out.append(doc.object());
    }
    return out;
}

int countKind(const QList<QJsonObject> &lines, const QString &kind)
{
    return int(std::count_if(lines.cbegin(), lines.cend(), [&kind](const QJsonObject &o) {
        return o.value(QLatin1String("kind")).toString() == kind;
    }));
}

} // namespace

class tst_Shards : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void allShardsReadyOneIdentifyEach_data();
    void allShardsReadyOneIdentifyEach();
    void chosenShardOnly();
};

void tst_Shards::allShardsReadyOneIdentifyEach_data()
{
    QTest::addColumn<int>("shards");
    QTest::addColumn<int>("maxConcurrency");
    QTest::newRow("16 shards, max_concurrency 1, default timings") << 16 << 1;
    QTest::newRow("64 shards, max_concurrency 16, default timings") << 64 << 16;
}

void tst_Shards::allShardsReadyOneIdentifyEach()
{
    QFETCH(int, shards);
    QFETCH(int, maxConcurrency);

    GatewaySimulator::Options o;             // Discord's 5 s identify bucket interval
    o.enforceIdentifyConcurrency = true;   // op 9 for an IDENTIFY too early in its bucket
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = QStringLiteral("big");
    policy.guilds = shards * 2;
    policy.recommendedShards = shards;
    policy.maxConcurrency = maxConcurrency;
    sim.addBot(k_token, policy);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));
    qputenv("GW_TST_SHARDS_TOKEN", k_token.toUtf8());

    // No "timings" key: the defaults.
    auto config = HeadlessConfig::parse(
        R"({"accounts":[{"name":"big","token_env":"GW_TST_SHARDS_TOKEN","shards":"all"}]})", QString());
    QVERIFY2(config.hasValue(), config ? "" : qPrintable(config.error()));
    const GatewayTimings defaults = GatewayTimings::defaults();
    QCOMPARE(config->timings.identifyBucketInterval, defaults.identifyBucketInterval);
    QCOMPARE(config->timings.readyTimeout, defaults.readyTimeout);
    QCOMPARE(config->timings.helloWatch, defaults.helloWatch);
    QCOMPARE(o.identifyBucketInterval, defaults.identifyBucketInterval);

    gwtest::HeadlessRun run(config.value(), &sim);
    const auto started = run.runner->start();
    QVERIFY2(started.hasValue(), run.err.data().constData());

    // The last shard waits (shards / max_concurrency − 1) bucket intervals in the queue.
    const int perBucket = shards / maxConcurrency;
    const int timeoutMs = 30000 + perBucket * int(defaults.identifyBucketInterval.count()) * 2;
    QTRY_VERIFY_WITH_TIMEOUT(countKind(parseLines(run.out.data()), QStringLiteral("ready")) >= shards, timeoutMs);

    const QList<QJsonObject> lines = parseLines(run.out.data());
    QSet<int> readyShards;
    for (const QJsonObject &line : lines) {
        if (line.value(QLatin1String("account")).isNull())
            continue;  // the monitor's own lines
        QVERIFY2(line.contains(QLatin1String("shard")), QJsonDocument(line).toJson(QJsonDocument::Compact).constData());
        if (line.value(QLatin1String("kind")).toString() != QLatin1String("ready"))
            continue;
        const QJsonArray shard = line.value(QLatin1String("shard")).toArray();
        QCOMPARE(shard.size(), 2);
        QCOMPARE(shard.at(1).toInt(), shards);
        readyShards.insert(shard.at(0).toInt());
    }
    QCOMPARE(readyShards.size(), shards);
    QCOMPARE(countKind(lines, QStringLiteral("invalid_session")), 0);
    QCOMPARE(countKind(lines, QStringLiteral("ready_timeout")), 0);
    QCOMPARE(countKind(lines, QStringLiteral("hello_timeout")), 0);
    QCOMPARE(countKind(lines, QStringLiteral("reconnect_scheduled")), 0);

    // The simulator's side: exactly one IDENTIFY per shard, and the identify queue really was
    // longer than the READY guard (so the test would catch a guard that counts the queue).
    QHash<int, int> identifies;
    qint64 first = -1, last = -1;
    for (const SimReceived &r : sim.receivedFrom(QStringLiteral("big"))) {
        if (r.op != 2)
            continue;
        ++identifies[r.shardId];
        first = first < 0 ? r.atMs : std::min(first, r.atMs);
        last = std::max(last, r.atMs);
    }
    QCOMPARE(identifies.size(), shards);
    for (auto it = identifies.cbegin(); it != identifies.cend(); ++it)
        QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("shard %1 identified %2 times").arg(it.key()).arg(it.value())));
    // 16 / 1: 15 × 5.5 s ≈ 82 s; 64 / 16: 3 × 5.5 s = 16.5 s, both longer than the 15 s guard.
    QVERIFY2(last - first > config->timings.readyTimeout.count(), qPrintable(QStringLiteral("queue %1 ms").arg(last - first)));

    // Metrics: one `shard`-labelled series per shard, all up.
    const QByteArray exposition = run.runner->metrics()->exposition();
    for (int shard = 0; shard < shards; ++shard) {
        const QByteArray series = QStringLiteral("gatewatch_shard_up{account=\"big\",shard=\"%1\"} 1").arg(shard).toUtf8();
        QVERIFY2(exposition.contains(series), series.constData());
    }
    QVERIFY(exposition.contains("gatewatch_up{account=\"big\"} 1"));

    QVERIFY(run.stop());
    qunsetenv("GW_TST_SHARDS_TOKEN");
}

//! `"shards": [2, 4]`: that shard only, and its lines say so.
void tst_Shards::chosenShardOnly()
{
    GatewaySimulator::Options o;
    o.identifyBucketInterval = k_bucket;
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = QStringLiteral("one");
    policy.recommendedShards = 4;
    sim.addBot(k_token, policy);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));
    qputenv("GW_TST_SHARDS_TOKEN", k_token.toUtf8());
    auto config = HeadlessConfig::parse(
        R"({"accounts":[{"name":"one","token_env":"GW_TST_SHARDS_TOKEN","shards":[2,4]}]})", QString());
    QVERIFY2(config.hasValue(), config ? "" : qPrintable(config.error()));

    gwtest::HeadlessRun run(config.value(), &sim);
    QVERIFY2(run.runner->start().hasValue(), run.err.data().constData());
    QTRY_COMPARE_WITH_TIMEOUT(countKind(parseLines(run.out.data()), QStringLiteral("ready")), 1, 20000);
    for (const QJsonObject &line : parseLines(run.out.data())) {
        if (!line.value(QLatin1String("account")).isNull())
            QCOMPARE(line.value(QLatin1String("shard")).toArray(), (QJsonArray{2, 4}));
    }
    const QList<SimReceived> received = sim.receivedFrom(QStringLiteral("one"));
    QCOMPARE(std::count_if(received.cbegin(), received.cend(), [](const SimReceived &r) { return r.op == 2; }), 1);
    for (const SimReceived &r : received) {
        if (r.op == 2)
            QCOMPARE(std::make_pair(r.shardId, r.shardCount), std::make_pair(2, 4));
    }
    QVERIFY(run.stop());
    qunsetenv("GW_TST_SHARDS_TOKEN");
}

QTEST_GUILESS_MAIN(tst_Shards)
#include "tst_shards.moc"
