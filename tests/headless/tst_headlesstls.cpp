// wss:// and https:// end to end: the simulator in TLS mode (the loopback test certificate,
// tests/common/certs) and the headless runner. Trusted through --ca-file (HeadlessOptions::caFile)
// the client gets the gateway URL from REST over https, reaches READY over wss and RESUMEs on the
// wss resume_gateway_url; without it both REST and the WebSocket fail with a TLS reason; a
// --ca-file that cannot be read or holds no certificate stops the start with exit 2.
#include "gatewaysimulator.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSslConfiguration>
#include <QStandardPaths>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_certs = QStringLiteral(GATEWATCH_TEST_CERTS);
const QString k_bot = QStringLiteral("alpha");
const QByteArray k_tokenEnv = "GW_TST_HEADLESSTLS_TOKEN";
const QString k_token = QStringLiteral("tst-headlesstls-token-0001");

GatewaySimulator::Options tlsOptions()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 500ms;
    o.enforceIdentifyConcurrency = false;
    o.tlsCertFile = k_certs + QStringLiteral("/loopback-test.crt");
    o.tlsKeyFile = k_certs + QStringLiteral("/loopback-test.key");
    return o;
}

HeadlessConfig oneAccount()
{
    return HeadlessConfig::parse(QStringLiteral(R"({"accounts":[{"name":"alpha","token_env":"%1"}],"timings":%2})")
                                     .arg(QString::fromLatin1(k_tokenEnv), gwtest::timingsJson(gwtest::margins::Headless))
                                     .toUtf8(),
                                 QString())
        .value();
}

QList<QJsonObject> linesOf(const QByteArray &data, const QString &kind)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty() && o.value(QLatin1String("kind")).toString() == kind)
            out.append(o);
    }
    return out;
}

//! The message of the first `error` line matching `pattern`, or empty.
QString errorMatching(const QByteArray &data, const QRegularExpression &pattern)
{
    for (const QJsonObject &o : linesOf(data, QStringLiteral("error"))) {
        const QString message = o.value(QLatin1String("message")).toString();
        if (pattern.match(message).hasMatch())
            return message;
    }
    return {};
}

} // namespace

class tst_HeadlessTls final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void untrustedCertificateFailsWithATlsReason();
    void caFileTrustsTheSimulatorOverWssAndHttps();
    void unusableCaFileIsAConfigError_data();
    void unusableCaFileIsAConfigError();

private:
    QSslConfiguration m_defaultTls;
};

void tst_HeadlessTls::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    qputenv(k_tokenEnv.constData(), k_token.toUtf8());
    m_defaultTls = QSslConfiguration::defaultConfiguration();
}

void tst_HeadlessTls::cleanup()
{
    // --ca-file changes the process default; every test starts from the system's CAs alone.
    QSslConfiguration::setDefaultConfiguration(m_defaultTls);
}

void tst_HeadlessTls::untrustedCertificateFailsWithATlsReason()
{
    GatewaySimulator tlsSim(tlsOptions());
    gwtest::addBot(tlsSim, k_token, k_bot);
    QVERIFY2(tlsSim.start(), qPrintable(tlsSim.errorString()));
    QCOMPARE(tlsSim.gatewayUrl().scheme(), QStringLiteral("wss"));
    QCOMPARE(tlsSim.apiBase().scheme(), QStringLiteral("https"));
    const QRegularExpression tlsReason(QStringLiteral("(?i)tls|ssl|certificate"));

    // REST over https: the certificate is refused before any request reaches the simulator.
    {
        gwtest::HeadlessRun run(oneAccount(), &tlsSim, [](HeadlessOptions &o) { o.gatewayUrl = QUrl(); });
        QVERIFY(run.runner->start().hasValue());
        QTRY_VERIFY2_WITH_TIMEOUT(!errorMatching(run.out.data(), tlsReason).isEmpty(), run.out.data().constData(), 15000);
        QVERIFY2(errorMatching(run.out.data(), tlsReason).contains(QLatin1String("/gateway/bot")), run.out.data().constData());
        QVERIFY(tlsSim.restRequests().isEmpty());
        QVERIFY(linesOf(run.out.data(), QStringLiteral("ready")).isEmpty());
        QVERIFY(run.stop());
    }

    // The WebSocket over wss, REST from a plain simulator: the handshake fails, never a session.
    GatewaySimulator plainSim;
    gwtest::addBot(plainSim, k_token, k_bot);
    QVERIFY2(plainSim.start(), qPrintable(plainSim.errorString()));
    gwtest::HeadlessRun run(oneAccount(), &plainSim, [&tlsSim](HeadlessOptions &o) { o.gatewayUrl = tlsSim.gatewayUrl(); });
    QVERIFY(run.runner->start().hasValue());
    QTRY_VERIFY2_WITH_TIMEOUT(!errorMatching(run.out.data(), tlsReason).isEmpty(), run.out.data().constData(), 15000);
    QVERIFY(tlsSim.connections().isEmpty());
    QVERIFY(linesOf(run.out.data(), QStringLiteral("ready")).isEmpty());
    QVERIFY(run.stop());
}

void tst_HeadlessTls::caFileTrustsTheSimulatorOverWssAndHttps()
{
    GatewaySimulator sim(tlsOptions());
    gwtest::addBot(sim, k_token, k_bot);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));
    QCOMPARE(sim.announcedResumeUrl().scheme(), QStringLiteral("wss"));
    // No gateway URL override: the wss:// URL comes from GET /gateway/bot over https.
    gwtest::HeadlessRun run(oneAccount(), &sim, [](HeadlessOptions &o) {
        o.gatewayUrl = QUrl();
        o.caFile = k_certs + QStringLiteral("/loopback-test.crt");
    });
    QVERIFY2(run.runner->start().hasValue(), run.err.data().constData());
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(run.out.data(), QStringLiteral("ready")).size(), 1, 15000);
    const QList<SimRestRequest> rest = sim.restRequests();
    QVERIFY(!rest.isEmpty());
    QCOMPARE(rest.first().route, QStringLiteral("/gateway/bot"));
    QCOMPARE(rest.first().status, 200);
    QCOMPARE(sim.connections().size(), 1);
    QVERIFY(!sim.connections().first().viaResumeUrl);

    // op 7: the client RESUMEs on READY's resume_gateway_url, wss:// too.
    SimFault reconnect;
    reconnect.kind = SimFault::Kind::Reconnect;
    QVERIFY(sim.injectFault(k_bot, reconnect));
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(run.out.data(), QStringLiteral("resumed")).size(), 1, 15000);
    QVERIFY(sim.connections().last().viaResumeUrl);
    QVERIFY(run.stop());
}

void tst_HeadlessTls::unusableCaFileIsAConfigError_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing") << k_certs + QStringLiteral("/no-such-ca.crt") << QStringLiteral("does not exist");
    // A PEM file, but a private key: not one certificate in it.
    QTest::newRow("no certificate") << k_certs + QStringLiteral("/loopback-test.key")
                                    << QStringLiteral("holds no PEM certificate");
    QTest::newRow("directory") << k_certs << QStringLiteral("not a regular file");
}

void tst_HeadlessTls::unusableCaFileIsAConfigError()
{
    QFETCH(QString, path);
    QFETCH(QString, reason);
    gwtest::HeadlessRun run(oneAccount(), nullptr, [&path](HeadlessOptions &o) { o.caFile = path; });
    const auto started = run.runner->start();
    QVERIFY(!started.hasValue());
    QCOMPARE(started.error(), HeadlessExit::BadConfig);
    QVERIFY2(run.err.data().contains("--ca-file") && run.err.data().contains(reason.toUtf8()), run.err.data().constData());
    QCOMPARE(QSslConfiguration::defaultConfiguration().caCertificates(), m_defaultTls.caCertificates());
}

QTEST_GUILESS_MAIN(tst_HeadlessTls)
#include "tst_headlesstls.moc"
