// The event store in headless mode never loses a row without saying so (docs/reliability.md,
// "The event store under faults"): one process per database (the second gets exit 4 and the PID
// of the first, in process and with the real binary).
#include "gatewaysimulator.h"
#include "headlessconfig.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "simfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_token = QStringLiteral("tst-storefaults-token-0001.abcdef");

QByteArray configJson(const QString &database)
{
    QJsonObject account{{QStringLiteral("name"), QStringLiteral("store")},
                        {QStringLiteral("token_env"), QStringLiteral("GW_TST_STOREFAULTS_TOKEN")}};
    QJsonObject root{{QStringLiteral("database"), database},
                     {QStringLiteral("accounts"), QJsonArray{account}}};
    return QJsonDocument(root).toJson();
}

QList<QJsonObject> linesOfKind(const QByteArray &jsonLines, const QString &kind)
{
    QList<QJsonObject> found;
    for (const QByteArray &line : jsonLines.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("kind")).toString() == kind)
            found.append(o);
    }
    return found;
}

} // namespace

class tst_StoreFaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void oneProcessPerDatabase();
    void binarySecondProcessOnADatabaseExits4();

private:
    [[nodiscard]] HeadlessConfig config() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<GatewaySimulator> m_sim;
};

void tst_StoreFaults::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFile::exists(QStringLiteral(GATEWATCH_APP_PATH)), GATEWATCH_APP_PATH);
}

void tst_StoreFaults::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    GatewaySimulator::Options o;
    o.heartbeatInterval = 500ms;
    m_sim = std::make_unique<GatewaySimulator>(o);
    gwtest::addBot(*m_sim, k_token, QStringLiteral("store"));
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
    qputenv("GW_TST_STOREFAULTS_TOKEN", k_token.toUtf8());
}

void tst_StoreFaults::cleanup()
{
    m_sim.reset();
    m_dir.reset();
    qunsetenv("GW_TST_STOREFAULTS_TOKEN");
}

HeadlessConfig tst_StoreFaults::config() const
{
    auto parsed = HeadlessConfig::parse(configJson(m_dir->filePath(QStringLiteral("events.sqlite"))), QString());
    if (!parsed)
        qFatal("test config refused: %s", qPrintable(parsed.error()));
    return parsed.value();
}

void tst_StoreFaults::oneProcessPerDatabase()
{
    auto first = std::make_unique<gwtest::HeadlessRun>(config(), m_sim.get());
    QVERIFY(first->runner->start().hasValue());
    gwtest::HeadlessRun second(config(), m_sim.get());
    const auto started = second.runner->start();
    QVERIFY(!started);
    QCOMPARE(started.error(), HeadlessExit::StartupFailed);
    const QString expected = QStringLiteral("database %1 is in use by PID %2")
                                 .arg(m_dir->filePath(QStringLiteral("events.sqlite")))
                                 .arg(QCoreApplication::applicationPid());
    QVERIFY2(QString::fromUtf8(second.err.data()).contains(expected), second.err.data().constData());
    const QList<QJsonObject> errors = linesOfKind(second.out.data(), QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.first().value(QLatin1String("message")).toString().contains(expected));
    QVERIFY(first->stop());
    QCOMPARE(first->finished->first().first().toInt(), 0);
    first.reset();

    // Released with the first runner: the next one takes it.
    gwtest::HeadlessRun third(config(), m_sim.get());
    QVERIFY(third.runner->start().hasValue());
    QVERIFY(third.stop());
}

void tst_StoreFaults::binarySecondProcessOnADatabaseExits4()
{
    const QString configPath = m_dir->filePath(QStringLiteral("c.json"));
    QFile file(configPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(configJson(m_dir->filePath(QStringLiteral("events.sqlite"))));
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QStringList args{QStringLiteral("--headless"), QStringLiteral("--config"), configPath,
                           QStringLiteral("--gateway-url"), m_sim->gatewayUrl().toString(),
                           QStringLiteral("--api-base"), m_sim->apiBase().toString(),
                           QStringLiteral("--duration"), QStringLiteral("120")};
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("gatewatch.*.debug=false"));
    QProcess first;
    first.setProcessEnvironment(env);
    first.start(QStringLiteral(GATEWATCH_APP_PATH), args);
    QVERIFY(first.waitForStarted(10000));
    QByteArray firstOut;
    QTRY_VERIFY_WITH_TIMEOUT((firstOut += first.readAllStandardOutput(),
                              !linesOfKind(firstOut, QStringLiteral("ready")).isEmpty()), 20000);

    QProcess second;
    second.setProcessEnvironment(env);
    second.start(QStringLiteral(GATEWATCH_APP_PATH), args);
    QVERIFY(second.waitForFinished(20000));
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 4);
    const QString expected = QStringLiteral("database %1 is in use by PID %2")
                                 .arg(m_dir->filePath(QStringLiteral("events.sqlite")))
                                 .arg(first.processId());
    const QByteArray secondErr = second.readAllStandardError();
    QVERIFY2(QString::fromUtf8(secondErr).contains(expected), secondErr.constData());

    first.terminate();
    QVERIFY(first.waitForFinished(20000));
    QCOMPARE(first.exitCode(), 0);
    firstOut += first.readAllStandardOutput();
    QVERIFY(!linesOfKind(firstOut, QStringLiteral("monitor_stopped")).isEmpty());
}

QTEST_GUILESS_MAIN(tst_StoreFaults)
#include "tst_storefaults.moc"
