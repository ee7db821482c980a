// The event store in headless mode never loses a row without saying so (docs/reliability.md,
// "The event store under faults"): one process per database (the second gets exit 4 and the PID
// of the first, in process and with the real binary), and a store that refuses every write while
// events flow (tst_eventlog_faults makes the volume full; here any write must fail): every
// failure is a JSON line and a metric, the rows are held, and once space returns every event
// that was printed is stored exactly once; and a damaged database at start, moved aside (kept byte
// for byte) and reported while monitoring goes on.
#include "gatewaysimulator.h"
#include "headlessconfig.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "eventlog.h"
#include "eventquery.h"
#include "httpclient.h"
#include "simfixture.h"
#include "storefaults.h"
#include "testtimings.h"

#include <QFile>
#include <QFileInfo>
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

QByteArray configJson(const QString &database, bool metrics = false)
{
    QJsonObject account{{QStringLiteral("name"), QStringLiteral("store")},
                        {QStringLiteral("token_env"), QStringLiteral("GW_TST_STOREFAULTS_TOKEN")}};
    QJsonObject root{{QStringLiteral("database"), database},
                     {QStringLiteral("accounts"), QJsonArray{account}},
                     {QStringLiteral("timings"),
                      QJsonDocument::fromJson(gwtest::timingsJson(gwtest::margins::Headless).toUtf8()).object()}};
    if (metrics)
        root.insert(QStringLiteral("metrics"), QJsonObject{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:0")}});
    return QJsonDocument(root).toJson();
}

//! The value of an unlabelled sample in a text exposition (-1 when absent).
double sample(const QByteArray &exposition, const QByteArray &name)
{
    for (const QByteArray &line : exposition.split('\n')) {
        if (line.startsWith(QByteArray(name + ' ')))
            return line.mid(name.size() + 1).toDouble();
    }
    return -1;
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
    void writeFailuresAreReportedAndEveryEventStoredOnce();
    void damagedDatabaseIsMovedAsideAndReported();

private:
    [[nodiscard]] HeadlessConfig config(bool metrics = false) const;

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

HeadlessConfig tst_StoreFaults::config(bool metrics) const
{
    auto parsed = HeadlessConfig::parse(configJson(m_dir->filePath(QStringLiteral("events.sqlite")), metrics), QString());
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

void tst_StoreFaults::writeFailuresAreReportedAndEveryEventStoredOnce()
{
    sqlite3 *handle = nullptr;
    gwtest::HeadlessRun run(config(true), m_sim.get(), [&handle](HeadlessOptions &o) {
        o.adjustStore = [&handle](EventLogOptions &store) {
            store.commitInterval = 20ms;
            store.retryInterval = 20ms;
            store.retryIntervalMax = 200ms;
            store.configureConnection = [&handle](sqlite3 *h) { handle = h; };
        };
    });
    QVERIFY(run.runner->start().hasValue());
    QVERIFY(handle);
    QTRY_VERIFY_WITH_TIMEOUT(!linesOfKind(run.out.data(), QStringLiteral("ready")).isEmpty(), 20000);
    gwtest::refuseWrites(handle, true);

    // Sessions die and resume while nothing can be written.
    SimFault close;
    close.kind = SimFault::Kind::Close;
    close.closeCode = 4000;
    for (int i = 1; i <= 3; ++i) {
        QVERIFY(m_sim->injectFault(QStringLiteral("store"), close));
        QTRY_VERIFY_WITH_TIMEOUT(linesOfKind(run.out.data(), QStringLiteral("resumed")).size() == i, 20000);
    }
    const auto storeLines = [&run](const QString &errorKind) {
        QList<QJsonObject> found;
        for (const QJsonObject &o : linesOfKind(run.out.data(), QStringLiteral("error"))) {
            if (o.value(QLatin1String("error_kind")).toString() == errorKind)
                found.append(o);
        }
        return found;
    };
    QTRY_VERIFY_WITH_TIMEOUT(storeLines(QStringLiteral("store_write_failed")).size() >= 2, 20000);
    const QJsonObject failed = storeLines(QStringLiteral("store_write_failed")).last();
    QVERIFY(failed.value(QLatin1String("queued_rows")).toInt() > 0);
    QVERIFY2(failed.value(QLatin1String("reason")).toString().contains(QLatin1String("readonly")),
             QJsonDocument(failed).toJson().constData());
    QVERIFY(failed.value(QLatin1String("account")).isNull());
    const quint16 port = run.runner->metricsPort();
    QTRY_VERIFY_WITH_TIMEOUT(sample(gwtest::httpRequest(port, "GET /metrics HTTP/1.1\r\n\r\n").body,
                                    "gatewatch_store_errors_total") >= 2
                                 && sample(gwtest::httpRequest(port, "GET /metrics HTTP/1.1\r\n\r\n").body,
                                           "gatewatch_store_queue_rows") > 0,
                             10000);

    gwtest::refuseWrites(handle, false);
    QTRY_COMPARE_WITH_TIMEOUT(storeLines(QStringLiteral("store_recovered")).size(), 1, 20000);
    QVERIFY(storeLines(QStringLiteral("store_rows_dropped")).isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(sample(gwtest::httpRequest(port, "GET /metrics HTTP/1.1\r\n\r\n").body,
                                     "gatewatch_store_queue_rows"), 0.0, 10000);
    QVERIFY(run.stop());

    // Every line printed (but the store's own reports, which are not rows) is a row, once.
    int printed = 0;
    for (const QByteArray &line : run.out.data().split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (!o.isEmpty() && !o.value(QLatin1String("error_kind")).toString().startsWith(QLatin1String("store_")))
            ++printed;
    }
    EventQuery query(m_dir->filePath(QStringLiteral("events.sqlite")));
    QVERIFY(query.open());
    const auto stored = query.count({});
    QVERIFY(stored.hasValue());
    QCOMPARE(stored.value(), qint64(printed));
}

void tst_StoreFaults::damagedDatabaseIsMovedAsideAndReported()
{
    const QString path = m_dir->filePath(QStringLiteral("events.sqlite"));
    {
        EventLog log(path);
        QVERIFY(log.open());
        for (int i = 0; i < 3000; ++i)
            log.append({0, {}, QStringLiteral("a"), QStringLiteral("old"), EventKind::Hello, Severity::Info,
                        QStringLiteral("hello %1").arg(i), {}});
        QVERIFY(log.flush());
    }
    const int pageSize = gwtest::pageSizeOf(path);
    const qint64 pages = QFileInfo(path).size() / pageSize;
    QVERIFY(pages > 20);
    const QByteArray damaged = gwtest::damagePage(path, pages / 2, pageSize);
    QVERIFY(!damaged.isEmpty());

    gwtest::HeadlessRun run(config(true), m_sim.get());
    QVERIFY(run.runner->start().hasValue());
    QList<QJsonObject> reports;
    for (const QJsonObject &o : linesOfKind(run.out.data(), QStringLiteral("error"))) {
        if (o.value(QLatin1String("error_kind")).toString() == QLatin1String("store_damaged"))
            reports.append(o);
    }
    QCOMPARE(reports.size(), 1);
    const QString kept = reports.first().value(QLatin1String("kept_as")).toString();
    QVERIFY2(kept.startsWith(path + QStringLiteral(".damaged-")), qPrintable(kept));
    QFile keptFile(kept);
    QVERIFY(keptFile.open(QIODevice::ReadOnly));
    QVERIFY(keptFile.readAll() == damaged);   // kept byte for byte
    QVERIFY(!reports.first().value(QLatin1String("reason")).toString().isEmpty());
    QVERIFY(reports.first().value(QLatin1String("message")).toString().contains(kept));

    // Monitoring and recording go on, on a fresh file.
    QTRY_VERIFY_WITH_TIMEOUT(!linesOfKind(run.out.data(), QStringLiteral("ready")).isEmpty(), 20000);
    QVERIFY(run.stop());
    EventQuery query(path);
    QVERIFY(query.open());
    const auto stored = query.count({});
    QVERIFY(stored.hasValue());
    QVERIFY(stored.value() > 0 && stored.value() < 3000);
}

QTEST_GUILESS_MAIN(tst_StoreFaults)
#include "tst_storefaults.moc"
