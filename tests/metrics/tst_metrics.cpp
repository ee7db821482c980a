// Prometheus exposition (format 0.0.4) and the /metrics server (docs/metrics.md).
#include "httpclient.h"
#include "metricsregistry.h"
#include "restratelimiter.h"
#include "metricsserver.h"
#include "redactor.h"

#include <QDir>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <sys/resource.h>

#include <memory>
#include <vector>

using namespace gw;
using namespace std::chrono_literals;

namespace {

AccountStatus status(const QString &id, const QString &name, ConnectionState state)
{
    AccountStatus s;
    s.accountId = id;
    s.accountName = name;
    s.state = state;
    return s;
}

EventLogEntry logEntry(const QString &id, const QString &name, EventKind kind, const QJsonObject &fields)
{
    EventLogEntry e;
    e.at = QDateTime::currentDateTimeUtc();
    e.accountId = id;
    e.accountName = name;
    e.kind = kind;
    e.fields = fields;
    return e;
}

QStringList lines(const QByteArray &text)
{
    return QString::fromUtf8(text).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

//! Sample lines "name{labels} value" whose name and label set contain every `needle`.
QStringList samples(const QByteArray &text, const QString &name, const QStringList &needles = {})
{
    QStringList out;
    for (const QString &line : lines(text)) {
        if (line.startsWith(QLatin1Char('#')))
            continue;
        if (!line.startsWith(name + QLatin1Char('{')) && !line.startsWith(name + QLatin1Char(' ')))
            continue;
        bool all = true;
        for (const QString &n : needles)
            all = all && line.contains(n);
        if (all)
            out.append(line);
    }
    return out;
}

double valueOf(const QString &sampleLine)
{
    return sampleLine.section(QLatin1Char(' '), -1).toDouble();
}

using gwtest::HttpResponse;

HttpResponse request(quint16 port, const QByteArray &raw)
{
    return gwtest::httpRequest(port, raw);
}

} // namespace

class tst_Metrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndTypeOncePerName();
    void trailingNewlineAndBuildInfo();
    void labelEscaping();
    void exactlyOneStateIsOne();
    void upFollowsState_data();
    void upFollowsState();
    void countersFromEvents();
    void restRateLimitSeries();
    void gaugesFromStatus();
    void dispatchAndLossSeries();
    void removeAccountDropsSeries();
    void seriesAreSorted();
    void labelFilterRedacts();
    void closeCodeLabel_data();
    void closeCodeLabel();
    void listenAddressParsing_data();
    void listenAddressParsing();
    void serverAnswers_data();
    void serverAnswers();
    void serverRefusesNonLoopback();
    void connectionFloodIsBoundedAndRecovers();
    void descriptorExhaustionIsBackPressure();
};

void tst_Metrics::helpAndTypeOncePerName()
{
    MetricsRegistry m;
    m.updateStatus(status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready));
    m.updateStatus(status(QStringLiteral("b"), QStringLiteral("beta"), ConnectionState::Connecting));
    m.recordEvent(logEntry(QStringLiteral("a"), QStringLiteral("alpha"), EventKind::Close, {{QStringLiteral("code"), 4000}}));
    const QByteArray text = m.exposition();
    QHash<QString, int> help, type;
    QString lastTypeName;
    QSet<QString> namesWithSamplesBeforeType;
    for (const QString &line : lines(text)) {
        if (line.startsWith(QLatin1String("# HELP ")))
            ++help[line.section(QLatin1Char(' '), 2, 2)];
        else if (line.startsWith(QLatin1String("# TYPE "))) {
            lastTypeName = line.section(QLatin1Char(' '), 2, 2);
            ++type[lastTypeName];
            const QString t = line.section(QLatin1Char(' '), 3, 3);
            QVERIFY2(QStringList({QStringLiteral("counter"), QStringLiteral("gauge"), QStringLiteral("histogram")}).contains(t),
                     qPrintable(line));
        } else {
            // Every sample belongs to the family whose TYPE came last (histogram suffixes allowed).
            const QString name = line.section(QRegularExpression(QStringLiteral("[{ ]")), 0, 0);
            QVERIFY2(name == lastTypeName || name == lastTypeName + QLatin1String("_bucket")
                         || name == lastTypeName + QLatin1String("_sum") || name == lastTypeName + QLatin1String("_count"),
                     qPrintable(line));
        }
    }
    QVERIFY(!type.isEmpty());
    for (auto it = type.cbegin(); it != type.cend(); ++it) {
        QCOMPARE(it.value(), 1);
        QCOMPARE(help.value(it.key()), 1);
    }
    for (const char *name : {"gatewatch_build_info", "gatewatch_up", "gatewatch_state", "gatewatch_disconnects_total",
                             "gatewatch_reconnects_total", "gatewatch_identify_total", "gatewatch_heartbeat_rtt_seconds",
                             "gatewatch_dispatches_total", "gatewatch_events_lost_total"})
        QVERIFY2(type.contains(QString::fromLatin1(name)), name);
    QVERIFY(text.contains("# TYPE gatewatch_disconnects_total counter\n"));
    QVERIFY(text.contains("# TYPE gatewatch_up gauge\n"));
}

void tst_Metrics::trailingNewlineAndBuildInfo()
{
    MetricsRegistry m;
    const QByteArray text = m.exposition();
    QVERIFY(text.endsWith('\n'));
    QVERIFY(!text.contains('\r'));
    const QStringList info = samples(text, QStringLiteral("gatewatch_build_info"));
    QCOMPARE(info.size(), 1);
    QVERIFY2(info.first().contains(QStringLiteral("version=\"%1\"").arg(QLatin1String(GATEWATCH_VERSION))), qPrintable(info.first()));
    QVERIFY2(info.first().contains(QStringLiteral("qt=\"%1\"").arg(QLatin1String(qVersion()))), qPrintable(info.first()));
    QCOMPARE(valueOf(info.first()), 1.0);
    QCOMPARE(MetricsRegistry::contentType(), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
}

void tst_Metrics::labelEscaping()
{
    MetricsRegistry m;
    m.updateStatus(status(QStringLiteral("x"), QStringLiteral("we\\ird \"bot\"\nline2"), ConnectionState::Ready));
    const QByteArray text = m.exposition();
    // \ → \\, " → \", newline → \n (two characters), per the 0.0.4 format.
    QVERIFY2(text.contains("gatewatch_up{account=\"we\\\\ird \\\"bot\\\"\\nline2\"} 1\n"), text.constData());
    for (const QString &line : lines(text))
        QVERIFY(!line.startsWith(QLatin1String("line2")));
}

void tst_Metrics::exactlyOneStateIsOne()
{
    MetricsRegistry m;
    const QMetaEnum me = QMetaEnum::fromType<ConnectionState>();
    for (int i = 0; i < me.keyCount(); ++i) {
        const auto st = ConnectionState(me.value(i));
        m.updateStatus(status(QStringLiteral("a"), QStringLiteral("alpha"), st));
        const QStringList all = samples(m.exposition(), QStringLiteral("gatewatch_state"), {QStringLiteral("account=\"alpha\"")});
        QCOMPARE(all.size(), me.keyCount());
        int ones = 0;
        for (const QString &line : all) {
            if (valueOf(line) == 1.0) {
                ++ones;
                QVERIFY2(line.contains(QStringLiteral("state=\"%1\"").arg(stateName(st))), qPrintable(line));
            } else {
                QCOMPARE(valueOf(line), 0.0);
            }
        }
        QCOMPARE(ones, 1);
    }
}

void tst_Metrics::upFollowsState_data()
{
    QTest::addColumn<ConnectionState>("state");
    QTest::addColumn<double>("up");
    QTest::newRow("ready") << ConnectionState::Ready << 1.0;
    QTest::newRow("degraded") << ConnectionState::Degraded << 1.0;
    QTest::newRow("resuming") << ConnectionState::Resuming << 0.0;
    QTest::newRow("reconnecting") << ConnectionState::Reconnecting << 0.0;
    QTest::newRow("failed") << ConnectionState::Failed << 0.0;
    QTest::newRow("stopped") << ConnectionState::Stopped << 0.0;
}

void tst_Metrics::upFollowsState()
{
    QFETCH(ConnectionState, state);
    QFETCH(double, up);
    MetricsRegistry m;
    m.updateStatus(status(QStringLiteral("a"), QStringLiteral("alpha"), state));
    const QStringList s = samples(m.exposition(), QStringLiteral("gatewatch_up"));
    QCOMPARE(s.size(), 1);
    QCOMPARE(valueOf(s.first()), up);
}

void tst_Metrics::countersFromEvents()
{
    MetricsRegistry m;
    const QString a = QStringLiteral("a"), n = QStringLiteral("alpha");
    m.recordEvent(logEntry(a, n, EventKind::Close, {{QStringLiteral("code"), 4000}}));
    m.recordEvent(logEntry(a, n, EventKind::Close, {{QStringLiteral("code"), 4000}}));
    m.recordEvent(logEntry(a, n, EventKind::Close, {{QStringLiteral("code"), QJsonValue()}}));
    m.recordEvent(logEntry(a, n, EventKind::Close, {{QStringLiteral("code"), 4321}}));
    m.recordEvent(logEntry(a, n, EventKind::ReconnectScheduled, {{QStringLiteral("mode"), QStringLiteral("resume")}}));
    m.recordEvent(logEntry(a, n, EventKind::ReconnectScheduled, {{QStringLiteral("mode"), QStringLiteral("resume")}}));
    m.recordEvent(logEntry(a, n, EventKind::ReconnectScheduled, {{QStringLiteral("mode"), QStringLiteral("identify")}}));
    m.recordEvent(logEntry(a, n, EventKind::Hello, {}));  // not counted anywhere
    const QByteArray text = m.exposition();
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_disconnects_total"), {QStringLiteral("close_code=\"4000\"")}).value(0)), 2.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_disconnects_total"), {QStringLiteral("close_code=\"none\"")}).value(0)), 1.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_disconnects_total"), {QStringLiteral("close_code=\"other\"")}).value(0)), 1.0);
    QCOMPARE(samples(text, QStringLiteral("gatewatch_disconnects_total")).size(), 3);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_reconnects_total"), {QStringLiteral("kind=\"resume\"")}).value(0)), 2.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_reconnects_total"), {QStringLiteral("kind=\"identify\"")}).value(0)), 1.0);
}

void tst_Metrics::restRateLimitSeries()
{
    MetricsRegistry m;
    const QString a = QStringLiteral("a"), n = QStringLiteral("alpha");
    const auto wait = [](const char *route, const char *scope) {
        return QJsonObject{{QStringLiteral("route"), QLatin1String(route)}, {QStringLiteral("scope"), QLatin1String(scope)},
                           {QStringLiteral("retry_after_ms"), 2000}};
    };
    m.recordEvent(logEntry(a, n, EventKind::RateLimited, wait("GET /gateway/bot", "user")));
    m.recordEvent(logEntry(a, n, EventKind::RateLimited, wait("GET /gateway/bot", "user")));
    m.recordEvent(logEntry(a, n, EventKind::RateLimited, wait("GET /users/@me", "global")));
    const QByteArray text = m.exposition();
    const QString name = QStringLiteral("gatewatch_rest_rate_limited_total");
    QCOMPARE(valueOf(samples(text, name, {QStringLiteral("route=\"/gateway/bot\""), QStringLiteral("scope=\"user\"")}).value(0)), 2.0);
    QCOMPARE(valueOf(samples(text, name, {QStringLiteral("route=\"/users/@me\""), QStringLiteral("scope=\"global\"")}).value(0)), 1.0);
    QCOMPARE(samples(text, name).size(), 2);
    // The process-wide invalid-request count (RestRateLimiter::global()).
    const double before = valueOf(samples(text, QStringLiteral("gatewatch_rest_invalid_requests")).value(0));
    RestRateLimiter::global().record("tst-metrics", QStringLiteral("GET /users/@me"), 401, {});
    QCOMPARE(valueOf(samples(m.exposition(), QStringLiteral("gatewatch_rest_invalid_requests")).value(0)), before + 1);
}

void tst_Metrics::gaugesFromStatus()
{
    MetricsRegistry m;
    AccountStatus s = status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready);
    s.stats.lastLatency = 43ms;
    s.stats.acksReceived = 1;
    s.identifies = 2;
    GatewayBotInfo info;
    info.limit.total = 1000;
    info.limit.remaining = 997;
    s.gatewayInfo = info;
    s.lastConnectedAt = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
    m.updateStatus(s);
    s.stats.lastLatency = 120ms;
    s.stats.acksReceived = 2;
    s.identifies = 3;
    m.updateStatus(s);
    m.updateStatus(s);  // same status again: no new observation, no increment
    const QByteArray text = m.exposition();
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_heartbeat_latency_seconds")).value(0)), 0.12);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_identify_remaining")).value(0)), 997.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_identify_limit")).value(0)), 1000.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_identify_total")).value(0)), 3.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_last_ready_timestamp_seconds")).value(0)), 1700000000.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_heartbeat_rtt_seconds_count")).value(0)), 2.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_heartbeat_rtt_seconds_bucket"), {QStringLiteral("le=\"0.05\"")}).value(0)), 1.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_heartbeat_rtt_seconds_bucket"), {QStringLiteral("le=\"+Inf\"")}).value(0)), 2.0);
}

// The client's counters (summed over shards in the status) become counters that only grow: by
// kind of dispatch, events lost; the last dispatch is a gauge that appears with the first one.
void tst_Metrics::dispatchAndLossSeries()
{
    MetricsRegistry m;
    AccountStatus s = status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready);
    m.updateStatus(s);
    QByteArray text = m.exposition();
    QCOMPARE(samples(text, QStringLiteral("gatewatch_dispatches_total")),
             QStringList({QStringLiteral("gatewatch_dispatches_total{account=\"alpha\",kind=\"live\"} 0"),
                          QStringLiteral("gatewatch_dispatches_total{account=\"alpha\",kind=\"replayed\"} 0")}));
    QCOMPARE(samples(text, QStringLiteral("gatewatch_events_lost_total")),
             QStringList({QStringLiteral("gatewatch_events_lost_total{account=\"alpha\"} 0")}));
    QVERIFY(samples(text, QStringLiteral("gatewatch_last_dispatch_timestamp_seconds")).isEmpty());   // none yet

    s.stats.liveDispatches = 120;
    s.stats.replayedDispatches = 5;
    s.stats.eventsLost = 15;
    s.stats.lastDispatchAt = QDateTime::fromMSecsSinceEpoch(1700000000500, Qt::UTC);
    m.updateStatus(s);
    m.updateStatus(s);   // the same status again: no increment
    s.stats.liveDispatches = 130;
    s.stats.eventsLost = 17;
    m.updateStatus(s);
    text = m.exposition();
    QVERIFY(text.contains("# TYPE gatewatch_dispatches_total counter\n"));
    QVERIFY(text.contains("# TYPE gatewatch_events_lost_total counter\n"));
    QVERIFY(text.contains("# TYPE gatewatch_last_dispatch_timestamp_seconds gauge\n"));
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_dispatches_total"), {QStringLiteral("kind=\"live\"")}).value(0)), 130.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_dispatches_total"), {QStringLiteral("kind=\"replayed\"")}).value(0)), 5.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_events_lost_total")).value(0)), 17.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_last_dispatch_timestamp_seconds")).value(0)), 1700000000.5);

    // The account's sessions restarted (counters from zero): the series keep their totals.
    s.stats.liveDispatches = 4;
    s.stats.eventsLost = 0;
    m.updateStatus(s);
    s.stats.liveDispatches = 6;
    m.updateStatus(s);
    text = m.exposition();
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_dispatches_total"), {QStringLiteral("kind=\"live\"")}).value(0)), 132.0);
    QCOMPARE(valueOf(samples(text, QStringLiteral("gatewatch_events_lost_total")).value(0)), 17.0);

    m.removeAccount(QStringLiteral("a"));
    text = m.exposition();
    QVERIFY(samples(text, QStringLiteral("gatewatch_dispatches_total")).isEmpty());
    QVERIFY(samples(text, QStringLiteral("gatewatch_events_lost_total")).isEmpty());
    QVERIFY(samples(text, QStringLiteral("gatewatch_last_dispatch_timestamp_seconds")).isEmpty());
}

void tst_Metrics::removeAccountDropsSeries()
{
    MetricsRegistry m;
    m.updateStatus(status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready));
    m.updateStatus(status(QStringLiteral("b"), QStringLiteral("beta"), ConnectionState::Ready));
    m.recordEvent(logEntry(QStringLiteral("a"), QStringLiteral("alpha"), EventKind::Close, {{QStringLiteral("code"), 4000}}));
    QVERIFY(m.exposition().contains("account=\"alpha\""));
    m.removeAccount(QStringLiteral("a"));
    const QByteArray text = m.exposition();
    QVERIFY(!text.contains("account=\"alpha\""));
    QVERIFY(text.contains("gatewatch_up{account=\"beta\"} 1"));
}

void tst_Metrics::seriesAreSorted()
{
    MetricsRegistry m;
    for (const char *name : {"zulu", "alpha", "mike"})
        m.updateStatus(status(QString::fromLatin1(name), QString::fromLatin1(name), ConnectionState::Ready));
    const QStringList up = samples(m.exposition(), QStringLiteral("gatewatch_up"));
    QCOMPARE(up, QStringList({QStringLiteral("gatewatch_up{account=\"alpha\"} 1"), QStringLiteral("gatewatch_up{account=\"mike\"} 1"),
                              QStringLiteral("gatewatch_up{account=\"zulu\"} 1")}));
    const QStringList states = samples(m.exposition(), QStringLiteral("gatewatch_state"));
    QStringList sorted = states;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(states, sorted);
}

void tst_Metrics::labelFilterRedacts()
{
    const QString token = QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123");
    MetricsRegistry m;
    m.updateStatus(status(QStringLiteral("a"), QStringLiteral("bot ") + token, ConnectionState::Ready));
    m.recordEvent(logEntry(QStringLiteral("a"), QStringLiteral("bot ") + token, EventKind::Close, {{QStringLiteral("code"), 4000}}));
    const QByteArray text = m.exposition();
    QVERIFY(!text.contains(token.toUtf8()));
    QVERIFY(!text.contains("GhIjKl"));
    QVERIFY(text.contains("gatewatch_up{account=\"bot [REDACTED]\"} 1"));
}

void tst_Metrics::closeCodeLabel_data()
{
    QTest::addColumn<int>("code");  // -1 = no close frame
    QTest::addColumn<QString>("label");
    QTest::newRow("none") << -1 << QStringLiteral("none");
    QTest::newRow("1000") << 1000 << QStringLiteral("1000");
    QTest::newRow("1006") << 1006 << QStringLiteral("1006");
    QTest::newRow("4004") << 4004 << QStringLiteral("4004");
    QTest::newRow("4014") << 4014 << QStringLiteral("4014");
    QTest::newRow("4999 unknown") << 4999 << QStringLiteral("other");
    QTest::newRow("3000 unknown") << 3000 << QStringLiteral("other");
}

void tst_Metrics::closeCodeLabel()
{
    QFETCH(int, code);
    QFETCH(QString, label);
    QCOMPARE(MetricsRegistry::closeCodeLabel(code < 0 ? std::nullopt : std::optional<int>(code)), label);
}

void tst_Metrics::listenAddressParsing_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("loopback");
    QTest::newRow("ipv4") << QStringLiteral("127.0.0.1:9464") << true << QStringLiteral("127.0.0.1") << 9464 << true;
    QTest::newRow("ipv6") << QStringLiteral("[::1]:9000") << true << QStringLiteral("::1") << 9000 << true;
    QTest::newRow("localhost") << QStringLiteral("localhost:0") << true << QStringLiteral("127.0.0.1") << 0 << true;
    QTest::newRow("port only") << QStringLiteral(":9464") << true << QStringLiteral("127.0.0.1") << 9464 << true;
    QTest::newRow("any") << QStringLiteral("0.0.0.0:9464") << true << QStringLiteral("0.0.0.0") << 9464 << false;
    QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false << QString() << 0 << false;
    QTest::newRow("bad port") << QStringLiteral("127.0.0.1:99999") << false << QString() << 0 << false;
    QTest::newRow("hostname") << QStringLiteral("example.invalid:9464") << false << QString() << 0 << false;
}

void tst_Metrics::listenAddressParsing()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(bool, loopback);
    const auto parsed = MetricsListenAddress::parse(text);
    QCOMPARE(parsed.hasValue(), ok);
    if (!ok) {
        QVERIFY(parsed.error().startsWith(QLatin1String("metrics.listen:")));
        return;
    }
    QCOMPARE(parsed->address.toString(), address);
    QCOMPARE(int(parsed->port), port);
    QCOMPARE(parsed->isLoopback(), loopback);
}

void tst_Metrics::serverAnswers_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("hasMetrics");
    QTest::newRow("GET /metrics") << QByteArray("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n") << 200 << true;
    QTest::newRow("GET /metrics?x=1") << QByteArray("GET /metrics?x=1 HTTP/1.1\r\n\r\n") << 200 << true;
    QTest::newRow("HEAD /metrics") << QByteArray("HEAD /metrics HTTP/1.1\r\n\r\n") << 200 << false;
    QTest::newRow("GET /") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 404 << false;
    QTest::newRow("GET /metricsx") << QByteArray("GET /metricsx HTTP/1.1\r\n\r\n") << 404 << false;
    QTest::newRow("POST /metrics") << QByteArray("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n") << 405 << false;
    QTest::newRow("garbage") << QByteArray("hello\r\n\r\n") << 400 << false;
    QTest::newRow("huge headers") << (QByteArray("GET /metrics HTTP/1.1\r\nX: ") + QByteArray(9000, 'a') + "\r\n\r\n") << 431 << false;
}

void tst_Metrics::serverAnswers()
{
    QFETCH(QByteArray, raw);
    QFETCH(int, status);
    QFETCH(bool, hasMetrics);
    MetricsRegistry m;
    m.updateStatus(::status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready));
    MetricsServer server;
    server.setBodyProvider([&m] { return m.exposition(); }, MetricsRegistry::contentType());
    MetricsListenAddress where;
    where.port = 0;
    const auto listening = server.listen(where);
    QVERIFY2(listening.hasValue(), listening.hasValue() ? "" : qPrintable(listening.error()));
    QSignalSpy served(&server, &MetricsServer::requestServed);

    const HttpResponse r = request(server.serverPort(), raw);
    QCOMPARE(r.status, status);
    QVERIFY(r.headers.contains("Connection: close"));
    QTRY_COMPARE(served.count(), 1);
    QCOMPARE(served.first().at(2).toInt(), status);
    if (status == 200) {
        QVERIFY2(r.headers.contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8"), r.headers.constData());
        const QByteArray expected = m.exposition();
        QVERIFY(r.headers.contains(QByteArray("Content-Length: " + QByteArray::number(expected.size()))));
    }
    QCOMPARE(r.body.contains("gatewatch_up{account=\"alpha\"} 1\n"), hasMetrics);
    if (hasMetrics)
        QVERIFY(r.body.endsWith('\n'));
    if (status == 405)
        QVERIFY(r.headers.contains("Allow: GET, HEAD"));
}

void tst_Metrics::serverRefusesNonLoopback()
{
    MetricsServer server;
    MetricsListenAddress where;
    where.address = QHostAddress(QHostAddress::AnyIPv4);
    where.port = 0;
    const auto refused = server.listen(where);
    QVERIFY(!refused.hasValue());
    QVERIFY(refused.error().contains(QLatin1String("allow_non_loopback")));
    QVERIFY(!server.isListening());
}

namespace {

//! A server with one account's series on port 0.
struct ServedRegistry
{
    MetricsRegistry registry;
    MetricsServer server;
    ServedRegistry()
    {
        registry.updateStatus(::status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready));
        server.setBodyProvider([this] { return registry.exposition(); }, MetricsRegistry::contentType());
        MetricsListenAddress where;
        where.port = 0;
        (void)server.listen(where);
    }
};

} // namespace

// Clients that connect and never send: the first MaxConnections wait for their idle timeout, every
// further one is answered 503 at once; when they leave, /metrics answers again.
void tst_Metrics::connectionFloodIsBoundedAndRecovers()
{
    ServedRegistry s;
    QVERIFY(s.server.isListening());
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    QByteArray refused;
    int closedByServer = 0;
    for (int i = 0; i < MetricsServer::MaxConnections + 16; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QObject::connect(socket.get(), &QTcpSocket::readyRead, socket.get(), [&refused, p = socket.get()] { refused += p->readAll(); });
        QObject::connect(socket.get(), &QTcpSocket::disconnected, socket.get(), [&closedByServer] { ++closedByServer; });
        socket->connectToHost(QHostAddress::LocalHost, s.server.serverPort());
        idle.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(closedByServer, 16, 5000);
    QCOMPARE(refused.count("HTTP/1.1 503 "), 16);
    QCOMPARE(request(s.server.serverPort(), "GET /metrics HTTP/1.1\r\n\r\n").status, 503);  // still full
    idle.clear();
    QTRY_COMPARE_WITH_TIMEOUT(request(s.server.serverPort(), "GET /metrics HTTP/1.1\r\n\r\n").status, 200, 5000);
}

// With the soft descriptor limit just above what the process uses, a flood of connections makes
// accept() fail (EMFILE). The server pauses and accepts again: once the flood is gone, /metrics
// answers. (QTcpServer alone stops accepting for good after such an error.)
void tst_Metrics::descriptorExhaustionIsBackPressure()
{
    ServedRegistry s;
    QVERIFY(s.server.isListening());
    rlimit saved{};
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &saved), 0);
    const auto openFds = [] { return QDir(QStringLiteral("/proc/self/fd")).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size(); };
    rlimit tight = saved;
    tight.rlim_cur = rlim_t(openFds() + 24);
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &tight), 0);
    QSignalSpy acceptErrors(&s.server, &MetricsServer::acceptFailed);
    // One warning (at most one per 10 s), however many accepts fail: they are retried every 200 ms.
    static int acceptWarnings = 0;
    acceptWarnings = 0;
    static QtMessageHandler previous = nullptr;
    previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
        if (type == QtWarningMsg && message.contains(QStringLiteral("accept failed")))
            ++acceptWarnings;
        previous(type, context, message);
    });
    const auto restoreHandler = qScopeGuard([] { qInstallMessageHandler(previous); });
    std::vector<std::unique_ptr<QTcpSocket>> flood;
    for (int i = 0; i < 40; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, s.server.serverPort());
        flood.push_back(std::move(socket));
    }
    const bool exhausted = acceptErrors.wait(5000) || acceptErrors.count() > 0;
    flood.clear();
    QCOMPARE(setrlimit(RLIMIT_NOFILE, &saved), 0);
    QVERIFY2(exhausted, "accept() never ran out of descriptors; the test did not test anything");
    QTRY_COMPARE_WITH_TIMEOUT(request(s.server.serverPort(), "GET /metrics HTTP/1.1\r\n\r\n").status, 200, 5000);
    QCOMPARE(acceptWarnings, 1);
}

QTEST_GUILESS_MAIN(tst_Metrics)
#include "tst_metrics.moc"
