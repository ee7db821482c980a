// The lost-event acceptance end to end: the headless monitor against the simulator with a
// 5-event replay buffer. The socket goes silent while 20 events are dispatched; the client
// declares it a zombie, RESUMEs, gets the last 5 replayed: 15 are lost. That exact number must
// reach the JSON line, /metrics, the event store's disconnect history and an export.
#include "eventquery.h"
#include "headlessfixture.h"
#include "exporter.h"
#include "gatewaysimulator.h"
#include "headlessrunner.h"
#include "jsonlines.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QBuffer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_token = QStringLiteral("tst-lostevents-token-0001");
const QString k_bot = QStringLiteral("healthy");
constexpr int k_replayBuffer = 5;
constexpr int k_missed = 20;
constexpr int k_lost = k_missed - k_replayBuffer;

QList<QJsonObject> linesOf(const QByteArray &data, const QString &kind)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty() && (kind.isEmpty() || o.value(QLatin1String("kind")).toString() == kind))
            out.append(o);
    }
    return out;
}

//! GET /metrics without blocking this thread (the server runs on it).
QByteArray scrape(quint16 port)
{
    QTcpSocket socket;
    QByteArray all;
    QObject::connect(&socket, &QTcpSocket::connected, &socket,
                     [&socket] { socket.write("GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n"); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&socket, &all] { all += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!closed.wait(5000))
        return {};
    all += socket.readAll();
    return all.mid(all.indexOf("\r\n\r\n") + 4);
}

QByteArray exportAs(const QString &dbPath, ExportOptions::Format format)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    ExportOptions options;
    options.format = format;
    return Exporter(dbPath).exportTo(&buffer, options) ? buffer.data() : QByteArray();
}

} // namespace

class tst_LostEvents final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void replayShortfallReportsTheExactNumberLostEverywhere();
};

void tst_LostEvents::replayShortfallReportsTheExactNumberLostEverywhere()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    GatewaySimulator::Options o;
    o.heartbeatInterval = 200ms;
    o.enforceIdentifyConcurrency = false;
    o.replayBufferLimit = k_replayBuffer;
    GatewaySimulator sim(o);
    gwtest::addBot(sim, k_token, k_bot);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));

    QFile tokenFile(dir.filePath(QStringLiteral("healthy.token")));
    QVERIFY(tokenFile.open(QIODevice::WriteOnly));
    tokenFile.write(k_token.toUtf8() + '\n');
    tokenFile.close();
    QVERIFY(tokenFile.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QString dbPath = dir.filePath(QStringLiteral("events.db"));
    HeadlessConfig config = HeadlessConfig::parse(
        QStringLiteral(R"({"accounts":[{"name":"healthy","token_file":"healthy.token","intents":["GUILDS"]}],)"
                       R"("timings":%1,"metrics":{"listen":"127.0.0.1:0"},"database":"events.db"})")
            .arg(gwtest::timingsJson(gwtest::margins::Headless))
            .toUtf8(),
        dir.path()).value();

    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, &sim);
    options.config = config;
    options.handleSignals = false;
    HeadlessRunner runner(options);
    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    QVERIFY2(runner.start().hasValue(), err.data().constData());
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(out.data(), QStringLiteral("ready")).size(), 1, 10000);

    // A few live events, then a socket that delivers nothing while 20 more are dispatched.
    for (int i = 0; i < 3; ++i)
        sim.dispatch(k_bot, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
    SimFault silent;
    silent.kind = SimFault::Kind::GoSilent;
    QTRY_VERIFY(sim.injectFault(k_bot, silent));
    for (int i = 0; i < k_missed; ++i)
        sim.dispatch(k_bot, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(out.data(), QStringLiteral("resumed")).size(), 1, 10000);

    // JSON Lines: the resumed line says how many were missed, replayed and lost.
    const QJsonObject resumed = linesOf(out.data(), QStringLiteral("resumed")).first();
    const QByteArray resumedText = QJsonDocument(resumed).toJson(QJsonDocument::Compact);
    QCOMPARE(resumed.value(QLatin1String("v")).toInt(), JsonLines::SchemaVersion);
    QCOMPARE(JsonLines::SchemaVersion, 2);
    QVERIFY2(resumed.value(QLatin1String("missed")).toInt() == k_missed, resumedText.constData());
    QVERIFY2(resumed.value(QLatin1String("replayed")).toInt() == k_replayBuffer, resumedText.constData());
    QVERIFY2(resumed.value(QLatin1String("lost")).toInt() == k_lost, resumedText.constData());
    QCOMPARE(resumed.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
    QVERIFY2(resumed.value(QLatin1String("message")).toString().contains(QStringLiteral("5 of 20 missed events replayed, 15 lost")),
             resumedText.constData());
    const QJsonObject close = linesOf(out.data(), QStringLiteral("close")).first();
    QCOMPARE(close.value(QLatin1String("cause")).toString(), QStringLiteral("zombie"));
    QVERIFY(close.value(QLatin1String("session_kept")).toBool());
    QCOMPARE(close.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));

    // /metrics: the same number, and the replayed dispatches.
    const QString lost = QStringLiteral("gatewatch_events_lost_total{account=\"healthy\"} %1").arg(k_lost);
    const QString replayed = QStringLiteral("gatewatch_dispatches_total{account=\"healthy\",kind=\"replayed\"} %1").arg(k_replayBuffer);
    QByteArray metrics;
    QTRY_VERIFY_WITH_TIMEOUT((metrics = scrape(runner.metricsPort())).contains(lost.toUtf8())
                                 && metrics.contains(replayed.toUtf8()),
                             5000);
    QVERIFY2(metrics.contains("gatewatch_dispatches_total{account=\"healthy\",kind=\"live\"}"), metrics.constData());
    QVERIFY2(metrics.contains("gatewatch_last_dispatch_timestamp_seconds{account=\"healthy\"}"), metrics.constData());

    runner.stop(HeadlessExit::Ok, QStringLiteral("test"));
    QVERIFY(finished.count() == 1 || finished.wait(10000));

    // The store: the disconnect ended by that RESUMED carries missed, lost and the cause.
    EventQuery query(dbPath);
    QVERIFY(query.open());
    const auto disconnects = query.disconnects({}, {}, {});
    QVERIFY(disconnects);
    QCOMPARE(disconnects->size(), 1);
    const DisconnectRecord &record = disconnects->first();
    QCOMPARE(record.recoveredBy, DisconnectRecord::Recovery::Resume);
    QCOMPARE(record.missed, k_missed);
    QCOMPARE(record.lost, k_lost);
    QCOMPARE(record.replayed, k_replayBuffer);
    QCOMPARE(record.cause, QStringLiteral("zombie"));

    // The export, both formats.
    QList<QJsonObject> exported;
    for (const QJsonObject &row : linesOf(exportAs(dbPath, ExportOptions::Format::JsonLines), QStringLiteral("resumed")))
        exported.append(row.value(QLatin1String("fields")).toObject());
    QCOMPARE(exported.size(), 1);
    QCOMPARE(exported.first().value(QLatin1String("lost")).toInt(), k_lost);
    QCOMPARE(exported.first().value(QLatin1String("missed")).toInt(), k_missed);
    const QByteArray csv = exportAs(dbPath, ExportOptions::Format::Csv);
    QVERIFY2(csv.contains(QStringLiteral("\"\"lost\"\":%1").arg(k_lost).toUtf8()), csv.constData());
}

QTEST_GUILESS_MAIN(tst_LostEvents)
#include "tst_lostevents.moc"
