// The metrics contract end to end: Debian's real Prometheus server scrapes a headless Gatewatch watching
// the simulator, and its HTTP query API shows the expected up/state series after a scripted
// fault (a 4014 close on one account). Loopback only, bounded in time; Prometheus is killed at
// the end. Needs /usr/bin/prometheus (scripts/install-deps.sh installs Debian's `prometheus`).
#include "gatewaysimulator.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <optional>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_alphaToken = QStringLiteral("tst-prom-alpha-token-0001");
const QString k_betaToken = QStringLiteral("tst-prom-beta-token-0002");

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

class tst_PrometheusIntegration : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void prometheusSeesTheFault();

private:
    //! GET /api/v1/query; the value of the single result, nullopt when there is none (yet).
    std::optional<double> query(const QString &promql);
    QByteArray get(const QString &path, int *status = nullptr);

    QNetworkAccessManager m_nam;
    quint16 m_promPort = 0;
    std::unique_ptr<QProcess> m_prometheus;
    QString m_prometheusPath;
};

void tst_PrometheusIntegration::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_prometheusPath = QStandardPaths::findExecutable(QStringLiteral("prometheus"));
    QVERIFY2(!m_prometheusPath.isEmpty(), "prometheus not found: scripts/install-deps.sh installs Debian's prometheus");
}

void tst_PrometheusIntegration::cleanup()
{
    if (m_prometheus && m_prometheus->state() != QProcess::NotRunning) {
        m_prometheus->terminate();
        if (!m_prometheus->waitForFinished(5000)) {
            m_prometheus->kill();
            m_prometheus->waitForFinished(5000);
        }
    }
    m_prometheus.reset();
}

QByteArray tst_PrometheusIntegration::get(const QString &pathAndQuery, int *status)
{
    QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_promPort).arg(pathAndQuery)));
    request.setTransferTimeout(3000);
    QNetworkReply *reply = m_nam.get(request);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !done.wait(4000)) {
        reply->abort();
        reply->deleteLater();
        return {};
    }
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

std::optional<double> tst_PrometheusIntegration::query(const QString &promql)
{
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("query"), promql);
    const QByteArray body = get(QStringLiteral("/api/v1/query?") + q.toString(QUrl::FullyEncoded));
    const QJsonObject root = QJsonDocument::fromJson(body).object();
    if (root.value(QLatin1String("status")).toString() != QLatin1String("success"))
        return std::nullopt;
    const QJsonArray result = root.value(QLatin1String("data")).toObject().value(QLatin1String("result")).toArray();
    if (result.size() != 1)
        return std::nullopt;
    // "value": [ <unix time>, "<value as string>" ]
    return result.first().toObject().value(QLatin1String("value")).toArray().at(1).toString().toDouble();
}

void tst_PrometheusIntegration::prometheusSeesTheFault()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // --- the simulator and a headless Gatewatch with /metrics on a free loopback port ----------
    GatewaySimulator::Options simOptions;
    simOptions.heartbeatInterval = 200ms;
    simOptions.enforceIdentifyConcurrency = false;
    GatewaySimulator sim(simOptions);
    gwtest::addBot(sim, k_alphaToken, QStringLiteral("alpha"));
    gwtest::addBot(sim, k_betaToken, QStringLiteral("beta"));
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));

    qputenv("GW_TST_PROM_ALPHA", k_alphaToken.toUtf8());
    qputenv("GW_TST_PROM_BETA", k_betaToken.toUtf8());
    const QString configPath = dir.filePath(QStringLiteral("headless.json"));
    {
        QFile f(configPath);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(R"({"accounts":[{"name":"alpha","token_env":"GW_TST_PROM_ALPHA"},
                                {"name":"beta","token_env":"GW_TST_PROM_BETA"}],
                    "timings":%1,"metrics":{"listen":"127.0.0.1:0"}})")
                    .arg(gwtest::timingsJson(gwtest::margins::Headless))
                    .toUtf8());
    }
    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, &sim);
    options.configPath = configPath;
    options.handleSignals = false;
    HeadlessRunner runner(options);
    QVERIFY2(runner.start().hasValue(), err.data().constData());
    const quint16 metricsPort = runner.metricsPort();
    QVERIFY(metricsPort != 0);

    // --- Debian's Prometheus, scraping it every second ------------------------------------------
    m_promPort = freeLoopbackPort();
    QVERIFY(m_promPort != 0);
    const QString promConfig = dir.filePath(QStringLiteral("prometheus.yml"));
    {
        QFile f(promConfig);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                               "scrape_configs:\n  - job_name: gatewatch\n    scrape_interval: 1s\n"
                               "    static_configs:\n      - targets: ['127.0.0.1:%1']\n")
                    .arg(metricsPort)
                    .toUtf8());
    }
    m_prometheus = std::make_unique<QProcess>();
    m_prometheus->setProcessChannelMode(QProcess::MergedChannels);
    m_prometheus->start(m_prometheusPath,
                        {QStringLiteral("--config.file=") + promConfig,
                         QStringLiteral("--storage.tsdb.path=") + dir.filePath(QStringLiteral("tsdb")),
                         QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_promPort),
                         QStringLiteral("--log.level=warn")});
    QVERIFY2(m_prometheus->waitForStarted(10000), qPrintable(m_prometheus->errorString()));
    auto promLog = [this] { return QString::fromUtf8(m_prometheus->readAll()); };

    int readyStatus = 0;
    QTRY_VERIFY2_WITH_TIMEOUT((get(QStringLiteral("/-/ready"), &readyStatus), readyStatus == 200),
                              qPrintable(promLog()), 20000);

    // Both accounts ready, as Prometheus sees them; the scrape itself is healthy.
    QTRY_COMPARE_WITH_TIMEOUT(query(QStringLiteral("up{job=\"gatewatch\"}")).value_or(-1), 1.0, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(query(QStringLiteral("gatewatch_up{account=\"alpha\"}")).value_or(-1), 1.0, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(query(QStringLiteral("gatewatch_up{account=\"beta\"}")).value_or(-1), 1.0, 20000);
    QCOMPARE(query(QStringLiteral("gatewatch_state{account=\"beta\",state=\"ready\"}")).value_or(-1), 1.0);
    QCOMPARE(query(QStringLiteral("sum(gatewatch_state{account=\"beta\"})")).value_or(-1), 1.0);
    QCOMPARE(query(QStringLiteral("gatewatch_build_info")).value_or(-1), 1.0);

    // --- the scripted fault: Discord closes beta's session with 4014 ---------------------------
    SimFault close4014;
    close4014.kind = SimFault::Kind::Close;
    close4014.closeCode = 4014;
    QVERIFY(sim.injectFault(QStringLiteral("beta"), close4014));

    QTRY_COMPARE_WITH_TIMEOUT(query(QStringLiteral("gatewatch_state{account=\"beta\",state=\"failed\"}")).value_or(-1), 1.0,
                              20000);
    QCOMPARE(query(QStringLiteral("gatewatch_up{account=\"beta\"}")).value_or(-1), 0.0);
    QCOMPARE(query(QStringLiteral("gatewatch_state{account=\"beta\",state=\"ready\"}")).value_or(-1), 0.0);
    QCOMPARE(query(QStringLiteral("sum(gatewatch_state{account=\"beta\"})")).value_or(-1), 1.0);  // exactly one state
    QCOMPARE(query(QStringLiteral("gatewatch_disconnects_total{account=\"beta\",close_code=\"4014\"}")).value_or(-1), 1.0);
    // The other account is untouched.
    QCOMPARE(query(QStringLiteral("gatewatch_up{account=\"alpha\"}")).value_or(-1), 1.0);
    QCOMPARE(query(QStringLiteral("gatewatch_state{account=\"alpha\",state=\"ready\"}")).value_or(-1), 1.0);
    // The series Prometheus stored never carry a token.
    int seriesStatus = 0;
    const QByteArray series = get(QStringLiteral("/api/v1/series?match[]=%7B__name__%3D~%22gatewatch_.%2A%22%7D"), &seriesStatus);
    QCOMPARE(seriesStatus, 200);
    QVERIFY(series.contains("gatewatch_state"));
    QVERIFY(!series.contains(k_alphaToken.toUtf8()) && !series.contains(k_betaToken.toUtf8()));

    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    runner.stop(HeadlessExit::Ok, QStringLiteral("test done"));
    QVERIFY(finished.wait(5000));
    qunsetenv("GW_TST_PROM_ALPHA");
    qunsetenv("GW_TST_PROM_BETA");
}

QTEST_GUILESS_MAIN(tst_PrometheusIntegration)
#include "tst_prometheus_integration.moc"
