// The packaged Prometheus files are valid for Debian's Prometheus (promtool 2.42): the scrape
// config, the alert rules, the alert rules' unit tests, and every PromQL expression of the
// Grafana dashboard (packaging/prometheus, packaging/grafana).
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString packagingDir()
{
    return QDir(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../../packaging")).absolutePath();
}

struct Run
{
    int exitCode = -1;
    QString output;
};

Run promtool(const QStringList &args, const QString &workDir)
{
    QProcess p;
    p.setWorkingDirectory(workDir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("promtool"), args);
    if (!p.waitForFinished(30000))
        return {-1, QStringLiteral("promtool did not finish: ") + p.errorString()};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

void collectExprs(const QJsonValue &v, QStringList &out)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.key() == QLatin1String("expr") && it.value().isString())
                out.append(it.value().toString());
            else
                collectExprs(it.value(), out);
        }
    } else if (v.isArray()) {
        for (const QJsonValue &item : v.toArray())
            collectExprs(item, out);
    }
}

} // namespace

class tst_Promtool : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void checkConfig();
    void checkRules();
    void ruleUnitTests();
    void dashboardQueriesParse();
    void systemdUnitHasHardening();
};

void tst_Promtool::initTestCase()
{
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("promtool")).isEmpty(),
             "promtool not found: scripts/install-deps.sh installs Debian's prometheus package");
    QVERIFY(QFile::exists(packagingDir() + QStringLiteral("/prometheus/prometheus.yml")));
}

void tst_Promtool::checkConfig()
{
    const Run r = promtool({QStringLiteral("check"), QStringLiteral("config"), QStringLiteral("prometheus.yml")},
                           packagingDir() + QStringLiteral("/prometheus"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    QVERIFY2(r.output.contains(QLatin1String("SUCCESS: 1 rule files found")), qPrintable(r.output));
}

void tst_Promtool::checkRules()
{
    const Run r = promtool({QStringLiteral("check"), QStringLiteral("rules"), QStringLiteral("gatewatch-alerts.yml")},
                           packagingDir() + QStringLiteral("/prometheus"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    QVERIFY2(r.output.contains(QLatin1String("SUCCESS: 8 rules found")), qPrintable(r.output));
}

void tst_Promtool::ruleUnitTests()
{
    // Account failed, down > 5 min (but not when paused), events lost, reconnect storm: fire when
    // they should.
    const Run r = promtool({QStringLiteral("test"), QStringLiteral("rules"), QStringLiteral("gatewatch-alerts.test.yml")},
                           packagingDir() + QStringLiteral("/prometheus"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.output));
    QVERIFY2(r.output.contains(QLatin1String("SUCCESS")), qPrintable(r.output));
}

void tst_Promtool::dashboardQueriesParse()
{
    QFile file(packagingDir() + QStringLiteral("/grafana/gatewatch-dashboard.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &err);
    QVERIFY2(err.error == QJsonParseError::NoError, qPrintable(err.errorString()));
    QStringList exprs;
    collectExprs(doc.object().value(QLatin1String("panels")), exprs);
    QVERIFY(exprs.size() >= 8);
    for (const QString &e : std::as_const(exprs))
        QVERIFY2(e.contains(QLatin1String("gatewatch_")), qPrintable(e));

    // Grafana's variables replaced by what Grafana would send, then each expression parsed by
    // promtool as a recording rule.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QByteArray yaml = "groups:\n  - name: dashboard\n    rules:\n";
    int i = 0;
    for (QString e : std::as_const(exprs)) {
        e.replace(QLatin1String("$__rate_interval"), QLatin1String("1m"))
            .replace(QLatin1String("$__range"), QLatin1String("6h"))
            .replace(QLatin1String("$account"), QLatin1String(".*"));
        QVERIFY2(!e.contains(QLatin1Char('$')), qPrintable(e));
        const QByteArray quoted = QJsonDocument(QJsonArray{e}).toJson(QJsonDocument::Compact);
        yaml += "      - record: dashboard:expr" + QByteArray::number(i++) + "\n        expr: "
            + quoted.mid(1, quoted.size() - 2) + "\n";
    }
    QFile rules(dir.filePath(QStringLiteral("dashboard.yml")));
    QVERIFY(rules.open(QIODevice::WriteOnly));
    rules.write(yaml);
    rules.close();
    const Run r = promtool({QStringLiteral("check"), QStringLiteral("rules"), rules.fileName()}, dir.path());
    QVERIFY2(r.exitCode == 0, qPrintable(r.output + QString::fromUtf8(yaml)));
}

void tst_Promtool::systemdUnitHasHardening()
{
    QFile file(packagingDir() + QStringLiteral("/systemd/gatewatch-headless.service"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString unit = QString::fromUtf8(file.readAll());
    for (const char *line : {"ExecStart=/usr/bin/gatewatch --headless --config %h/.config/gatewatch/headless.json",
                             "Restart=on-failure", "RestartPreventExitStatus=2 3", "NoNewPrivileges=yes",
                             "ProtectSystem=strict", "ProtectHome=read-only", "WantedBy=default.target"})
        QVERIFY2(unit.contains(QLatin1String(line)), line);
    if (!QStandardPaths::findExecutable(QStringLiteral("systemd-analyze")).isEmpty()) {
        // System-mode verify parses every key (--user needs a user manager, absent in CI);
        // an unknown key or a bad value shows as a "<file>:<line>:" complaint.
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("systemd-analyze"), {QStringLiteral("verify"), file.fileName()});
        QVERIFY(p.waitForFinished(30000));
        const QString out = QString::fromUtf8(p.readAll());
        for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            QVERIFY2(!line.startsWith(file.fileName() + QLatin1Char(':')), qPrintable(line));
    }
}

QTEST_GUILESS_MAIN(tst_Promtool)
#include "tst_promtool.moc"
