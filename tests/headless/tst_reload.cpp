// Reloading the headless config (docs/headless.md, "Reloading the config"): one reload that adds,
// removes, changes and keeps accounts, counted on the simulator's side (the kept account keeps its
// socket and never sends IDENTIFY or RESUME again); a new token; settings that need a restart; a
// refused file that changes nothing; the in-process config; and SIGHUP to the real binary.
#include "accountmanager.h"
#include "gatewaysimulator.h"
#include "headlessconfig.h"
#include "headlessfixture.h"
#include "headlessreload.h"
#include "headlessrunner.h"
#include "metricsregistry.h"
#include "simfixture.h"
#include "testtimings.h"
#include "textsafety.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_alphaToken = QStringLiteral("tst-reload-alpha-token-0001");
const QString k_betaToken = QStringLiteral("tst-reload-beta-token-0002");
const QString k_gammaToken = QStringLiteral("tst-reload-gamma-token-0003");
const QString k_deltaToken = QStringLiteral("tst-reload-delta-token-0004");
const QString k_gamma2Token = QStringLiteral("tst-reload-gamma2-token-0005");
const QStringList k_tokens{k_alphaToken, k_betaToken, k_gammaToken, k_deltaToken, k_gamma2Token};

//! One account entry: the token comes from GW_TST_RELOAD_<NAME> unless `tokenEnv` says otherwise.
QString entry(const QString &name, const QString &intents = QStringLiteral(R"(["GUILDS"])"), QString tokenEnv = {})
{
    if (tokenEnv.isEmpty())
        tokenEnv = QStringLiteral("GW_TST_RELOAD_") + name.toUpper();
    return QStringLiteral(R"({"name":"%1","token_env":"%2","intents":%3})").arg(name, tokenEnv, intents);
}

QByteArray configJson(const QStringList &entries, const QString &timings = gwtest::timingsJson(gwtest::margins::Headless))
{
    // No URLs in the file: the overrides point every account at the simulator, on reload too.
    return QStringLiteral(R"({"accounts":[%1],"timings":%2})").arg(entries.join(QLatin1Char(',')), timings).toUtf8();
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size()
        && f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

QList<QJsonObject> linesOf(const QByteArray &data, const QString &kind, const QString &account = {})
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(QLatin1String("kind")).toString() == kind
            && (account.isNull() || o.value(QLatin1String("account")).toString() == account))
            out.append(o);
    }
    return out;
}

QStringList stringsOf(const QJsonObject &o, const char *key)
{
    QStringList out;
    for (const QJsonValue &v : o.value(QLatin1String(key)).toArray())
        out.append(v.toString());
    return out;
}

int openConnectionsOf(const GatewaySimulator &sim, const QString &bot)
{
    int n = 0;
    for (const SimConnectionInfo &c : sim.connections())
        n += c.botName == bot && c.open ? 1 : 0;
    return n;
}

//! The error of a refused result, for QVERIFY2's message (evaluated whether it fails or not).
template<typename T>
QString whyNot(const Expected<T, QString> &result)
{
    return result ? QString() : result.error();
}

QString idOf(const QString &name)
{
    HeadlessAccountConfig a;
    a.name = name;
    return headlessAccountRecord(a).id;
}

} // namespace

class tst_Reload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void addRemoveChangeKeepInOneReload();
    void newTokenRestartsTheAccount();
    void startOnlySettingsWaitForARestart();
    void compressionChangeIsAChange();
    void refusedFileChangesNothing_data();
    void refusedFileChangesNothing();
    void inProcessConfigCannotBeReadAgain();
    void binaryReloadsOnSighup();

private:
    //! A runner on the config file `configPath` (signals off), started, with every account of
    //! `readyAccounts` ready; nullptr (and m_why says why) otherwise.
    std::unique_ptr<gwtest::HeadlessRun> startRun(const QString &configPath, const QStringList &readyAccounts);
    [[nodiscard]] QString path(const char *name) const { return m_dir->filePath(QLatin1String(name)); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<GatewaySimulator> m_sim;
    QString m_why;
};

void tst_Reload::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_Reload::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    GatewaySimulator::Options o;
    o.heartbeatInterval = 200ms;
    o.enforceIdentifyConcurrency = false;  // the engine's gate runs on the fast 50 ms bucket
    m_sim = std::make_unique<GatewaySimulator>(o);
    const QStringList names{QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma"),
                            QStringLiteral("delta"), QStringLiteral("gamma2")};
    for (qsizetype i = 0; i < names.size(); ++i) {
        gwtest::addBot(*m_sim, k_tokens.at(i), names.at(i));
        qputenv(qPrintable(QStringLiteral("GW_TST_RELOAD_") + names.at(i).toUpper()), k_tokens.at(i).toUtf8());
    }
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
}

void tst_Reload::cleanup()
{
    m_sim.reset();
    m_dir.reset();
}

std::unique_ptr<gwtest::HeadlessRun> tst_Reload::startRun(const QString &configPath, const QStringList &readyAccounts)
{
    auto loaded = HeadlessConfig::load(configPath);
    if (!loaded) {
        m_why = loaded.error();
        return nullptr;
    }
    auto run = std::make_unique<gwtest::HeadlessRun>(loaded.value(), m_sim.get(), [&configPath](HeadlessOptions &o) {
        o.config.reset();  // from the file, so that reload() reads it again
        o.configPath = configPath;
    });
    if (!run->runner->start()) {
        m_why = QString::fromUtf8(run->err.data());
        return nullptr;
    }
    for (const QString &name : readyAccounts) {
        if (!QTest::qWaitFor([&] { return !linesOf(run->out.data(), QStringLiteral("ready"), name).isEmpty(); }, 15000)) {
            m_why = name + QStringLiteral(" never got ready: ") + QString::fromUtf8(run->err.data().right(2000));
            return nullptr;
        }
    }
    return run;
}

// alpha unchanged, beta removed, gamma's intents changed, delta added: one reload.
void tst_Reload::addRemoveChangeKeepInOneReload()
{
    const QString alpha = QStringLiteral("alpha"), beta = QStringLiteral("beta");
    const QString gamma = QStringLiteral("gamma"), delta = QStringLiteral("delta");
    QVERIFY(writeFile(path("r.json"), configJson({entry(alpha), entry(beta), entry(gamma)})));
    auto run = startRun(path("r.json"), {alpha, beta, gamma});
    QVERIFY2(run, qPrintable(m_why));
    QCOMPARE(gwtest::countOps(*m_sim, alpha, 2), 1);
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);
    QTRY_VERIFY_WITH_TIMEOUT(run->runner->metrics()->exposition().contains(R"(account="beta")"), 5000);

    QVERIFY(writeFile(path("r.json"),
                      configJson({entry(alpha), entry(gamma, QStringLiteral(R"(["GUILDS","GUILD_MESSAGES"])")), entry(delta)})));
    const auto reloaded = run->runner->reload();
    QVERIFY2(reloaded.hasValue(), qPrintable(whyNot(reloaded)));
    QCOMPARE(reloaded->added, QStringList{delta});
    QCOMPARE(reloaded->removed, QStringList{beta});
    QCOMPARE(reloaded->changed, QStringList{gamma});
    QCOMPARE(reloaded->unchanged, QStringList{alpha});
    QVERIFY(reloaded->needsRestart.isEmpty());

    const auto lines = linesOf(run->out.data(), QStringLiteral("config_reloaded"));
    QCOMPARE(lines.size(), 1);
    QCOMPARE(stringsOf(lines.first(), "added"), QStringList{delta});
    QCOMPARE(stringsOf(lines.first(), "removed"), QStringList{beta});
    QCOMPARE(stringsOf(lines.first(), "changed"), QStringList{gamma});
    QCOMPARE(stringsOf(lines.first(), "unchanged"), QStringList{alpha});
    QCOMPARE(lines.first().value(QLatin1String("account")), QJsonValue(QJsonValue::Null));
    QVERIFY2(run->err.data().contains("gatewatch: config reloaded: 1 added (delta), 1 removed (beta), 1 changed (gamma), "
                                      "1 unchanged (alpha)"),
             run->err.data().constData());

    // Added: ready. Changed: a second socket and IDENTIFY with the new intents (1 | 512).
    QTRY_VERIFY_WITH_TIMEOUT(!linesOf(run->out.data(), QStringLiteral("ready"), delta).isEmpty(), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(run->out.data(), QStringLiteral("ready"), gamma).size(), 2, 15000);
    QCOMPARE(gwtest::connectionsOf(*m_sim, gamma), 2);
    QCOMPARE(gwtest::countOps(*m_sim, gamma, 2), 2);
    QCOMPARE(linesOf(run->out.data(), QStringLiteral("identify"), gamma).last().value(QLatin1String("intents")).toInt(), 513);
    // Removed: its socket closed by us, gone from the manager and from /metrics.
    QTRY_COMPARE_WITH_TIMEOUT(openConnectionsOf(*m_sim, beta), 0, 5000);
    QVERIFY(!run->runner->manager()->status(idOf(beta)));
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->liveSessionCount(), 3, 5000);  // alpha, gamma, delta: close 1000 ended beta's
    const QList<QJsonObject> betaStates = linesOf(run->out.data(), QStringLiteral("state"), beta);
    QVERIFY(!betaStates.isEmpty());
    QCOMPARE(betaStates.last().value(QLatin1String("state")).toString(), QStringLiteral("stopped"));
    const QByteArray scrape = run->runner->metrics()->exposition();
    QVERIFY2(!scrape.contains(R"(account="beta")"), scrape.constData());
    QVERIFY(scrape.contains(R"(account="delta")"));
    // Unchanged: the same socket, no IDENTIFY, no RESUME.
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);
    QCOMPARE(openConnectionsOf(*m_sim, alpha), 1);
    QCOMPARE(gwtest::countOps(*m_sim, alpha, 2), 1);
    QCOMPARE(gwtest::countOps(*m_sim, alpha, 6), 0);

    QVERIFY(run->stop());
    QCOMPARE(run->finished->first().first().toInt(), 0);
    for (const QString &token : k_tokens) {
        QVERIFY(!run->out.data().contains(token.toUtf8()));
        QVERIFY(!run->err.data().contains(token.toUtf8()));
    }
}

// "compress" is a session setting: a new value restarts that account; the same value keeps it.
void tst_Reload::compressionChangeIsAChange()
{
    const auto parse = [](const char *json) { return HeadlessConfig::parse(QByteArray(json), QString()); };
    const auto running = parse(R"({"accounts":[{"name":"alpha","token_env":"A"},{"name":"beta","token_env":"B","compress":"zstd-stream"}]})");
    const auto next = parse(R"({"accounts":[{"name":"alpha","token_env":"A","compress":"zstd-stream"},
                                            {"name":"beta","token_env":"B","compress":"zstd-stream"}]})");
    QVERIFY(running.hasValue() && next.hasValue());
    const QHash<QString, QByteArray> digests{{idOf(QStringLiteral("alpha")), headlessTokenDigest(k_alphaToken)},
                                             {idOf(QStringLiteral("beta")), headlessTokenDigest(k_betaToken)}};
    const QList<HeadlessToken> tokens{HeadlessToken{k_alphaToken}, HeadlessToken{k_betaToken}};
    const HeadlessReloadPlan plan = planHeadlessReload(running.value(), digests, next.value(), tokens);
    QCOMPARE(plan.report.changed, QStringList{QStringLiteral("alpha")});
    QCOMPARE(plan.report.unchanged, QStringList{QStringLiteral("beta")});
    QCOMPARE(headlessAccountRecord(next->accounts.first()).compression, Compression::ZstdStream);
    QCOMPARE(headlessAccountRecord(running->accounts.first()).compression, Compression::ZlibStream);
}

// The same account (name) with a token of another bot: restarted, and only it.
void tst_Reload::newTokenRestartsTheAccount()
{
    const QString alpha = QStringLiteral("alpha"), gamma = QStringLiteral("gamma");
    QVERIFY(writeFile(path("t.json"), configJson({entry(alpha), entry(gamma)})));
    auto run = startRun(path("t.json"), {alpha, gamma});
    QVERIFY2(run, qPrintable(m_why));
    QVERIFY(writeFile(path("t.json"), configJson({entry(alpha), entry(gamma, QStringLiteral(R"(["GUILDS"])"),
                                                                       QStringLiteral("GW_TST_RELOAD_GAMMA2"))})));
    const auto reloaded = run->runner->reload();
    QVERIFY2(reloaded.hasValue(), qPrintable(whyNot(reloaded)));
    QCOMPARE(reloaded->changed, QStringList{gamma});
    QCOMPARE(reloaded->unchanged, QStringList{alpha});
    QTRY_COMPARE_WITH_TIMEOUT(gwtest::countOps(*m_sim, QStringLiteral("gamma2"), 2), 1, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(linesOf(run->out.data(), QStringLiteral("ready"), gamma).size(), 2, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(openConnectionsOf(*m_sim, gamma), 0, 5000);
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);
    QCOMPARE(gwtest::countOps(*m_sim, alpha, 2), 1);

    // The token variable's name changes, its value does not: nothing to do.
    QVERIFY(writeFile(path("t.json"), configJson({entry(alpha, QStringLiteral(R"(["GUILDS"])"), QStringLiteral("GW_TST_RELOAD_ALPHA_AGAIN")),
                                                  entry(gamma, QStringLiteral(R"(["GUILDS"])"), QStringLiteral("GW_TST_RELOAD_GAMMA2"))})));
    qputenv("GW_TST_RELOAD_ALPHA_AGAIN", k_alphaToken.toUtf8());
    const auto again = run->runner->reload();
    qunsetenv("GW_TST_RELOAD_ALPHA_AGAIN");
    QVERIFY2(again.hasValue(), qPrintable(whyNot(again)));
    QCOMPARE(again->unchanged, (QStringList{alpha, gamma}));
    QVERIFY(again->changed.isEmpty());
    QVERIFY(run->stop());
}

// database, metrics and timings are read at start only: a reload names them and keeps the
// running values, and no account is touched for them.
void tst_Reload::startOnlySettingsWaitForARestart()
{
    const QString alpha = QStringLiteral("alpha");
    QVERIFY(writeFile(path("s.json"), configJson({entry(alpha)})));
    auto run = startRun(path("s.json"), {alpha});
    QVERIFY2(run, qPrintable(m_why));
    gwtest::Margins wider = gwtest::margins::Headless;
    wider.helloTimeout = 11000ms;
    QByteArray json = configJson({entry(alpha)}, gwtest::timingsJson(wider));
    json.chop(1);
    json += R"(,"database":"events.db","metrics":{"listen":"127.0.0.1:0"}})";
    QVERIFY(writeFile(path("s.json"), json));
    const auto reloaded = run->runner->reload();
    QVERIFY2(reloaded.hasValue(), qPrintable(whyNot(reloaded)));
    QCOMPARE(reloaded->unchanged, QStringList{alpha});
    QCOMPARE(reloaded->needsRestart, (QStringList{QStringLiteral("database"), QStringLiteral("metrics.listen"),
                                                  QStringLiteral("timings")}));
    QCOMPARE(stringsOf(linesOf(run->out.data(), QStringLiteral("config_reloaded")).first(), "needs_restart"),
             reloaded->needsRestart);
    QVERIFY(run->err.data().contains("database, metrics.listen, timings changed in the file but only take effect after a restart"));
    QCOMPARE(run->runner->metricsPort(), quint16(0));
    QVERIFY(!QFile::exists(path("events.db")));
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);
    QVERIFY(run->stop());
}

void tst_Reload::refusedFileChangesNothing_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("reason");
    const QString beta = entry(QStringLiteral("beta"));
    QTest::newRow("not JSON") << QByteArray("{\"accounts\":[") << QStringLiteral("not valid JSON");
    QTest::newRow("duplicate key") << QByteArray(R"({"accounts":[{"name":"a","name":"b","token_env":"X"}]})")
                                   << QStringLiteral("appears twice");
    QTest::newRow("unset variable") << configJson({entry(QStringLiteral("alpha")), entry(QStringLiteral("beta"), QStringLiteral("1"), QStringLiteral("GW_TST_RELOAD_UNSET"))})
                                    << QStringLiteral("GW_TST_RELOAD_UNSET (token_env) is not set");
    QTest::newRow("token in a name")
        << configJson({entry(QStringLiteral("alpha")), QStringLiteral(R"({"name":"x%1","token_env":"GW_TST_RELOAD_BETA"})").arg(k_betaToken)})
        << QStringLiteral("name contains a bot token");
    QTest::newRow("escape in a key") << QByteArray("{\"accounts\":[],\"\\u001b[31mred\":1}") << QStringLiteral("\\e[31mred");
    QTest::newRow("bad metrics.listen") << QByteArray(configJson({beta}).chopped(1) + R"(,"metrics":{"listen":"nowhere"}})")
                                        << QStringLiteral("metrics");
}

void tst_Reload::refusedFileChangesNothing()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, reason);
    const QString alpha = QStringLiteral("alpha");
    QVERIFY(writeFile(path("b.json"), configJson({entry(alpha)})));
    auto run = startRun(path("b.json"), {alpha});
    QVERIFY2(run, qPrintable(m_why));
    QVERIFY(writeFile(path("b.json"), json));
    const auto reloaded = run->runner->reload();
    QVERIFY(!reloaded.hasValue());
    QVERIFY2(reloaded.error().contains(reason), qPrintable(reloaded.error()));

    const QList<QJsonObject> errors = linesOf(run->out.data(), QStringLiteral("error"));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().value(QLatin1String("error_kind")).toString(), QStringLiteral("config_reload_failed"));
    QVERIFY(errors.first().value(QLatin1String("reason")).toString().contains(reason));
    QVERIFY(!errors.first().contains(QLatin1String("exit_code")));
    QVERIFY(linesOf(run->out.data(), QStringLiteral("config_reloaded")).isEmpty());
    QVERIFY2(run->err.data().contains("gatewatch: config reload failed, the running config stays: "), run->err.data().constData());
    QVERIFY(!hasControls(QString::fromUtf8(run->out.data()).remove(QLatin1Char('\n'))));
    QVERIFY(!hasControls(QString::fromUtf8(run->err.data()).remove(QLatin1Char('\n'))));
    QVERIFY(!run->out.data().contains(k_betaToken.toUtf8()) && !run->err.data().contains(k_betaToken.toUtf8()));

    QVERIFY(run->runner->isRunning());
    QCOMPARE(run->runner->manager()->accountCount(), 1);
    QCOMPARE(openConnectionsOf(*m_sim, alpha), 1);
    QCOMPARE(gwtest::countOps(*m_sim, alpha, 2), 1);
    QVERIFY(run->stop());
    QCOMPARE(run->finished->first().first().toInt(), 0);  // the exit code is untouched
}

// A config handed over in-process has no file to read again: reload() says so and changes
// nothing; reloadWith() takes the new config directly.
void tst_Reload::inProcessConfigCannotBeReadAgain()
{
    const QString alpha = QStringLiteral("alpha"), delta = QStringLiteral("delta");
    auto config = HeadlessConfig::parse(configJson({entry(alpha)}), m_dir->path());
    QVERIFY2(config.hasValue(), qPrintable(whyNot(config)));
    gwtest::HeadlessRun run(config.value(), m_sim.get());
    QVERIFY2(run.runner->start().hasValue(), run.err.data().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!linesOf(run.out.data(), QStringLiteral("ready"), alpha).isEmpty(), 15000);

    const auto refused = run.runner->reload();
    QVERIFY(!refused.hasValue());
    QVERIFY2(refused.error().contains(QLatin1String("in-process")), qPrintable(refused.error()));
    QCOMPARE(linesOf(run.out.data(), QStringLiteral("error")).size(), 1);

    auto next = HeadlessConfig::parse(configJson({entry(alpha), entry(delta)}), m_dir->path());
    QVERIFY(next.hasValue());
    const auto reloaded = run.runner->reloadWith(next.value());
    QVERIFY2(reloaded.hasValue(), qPrintable(whyNot(reloaded)));
    QCOMPARE(reloaded->added, QStringList{delta});
    QCOMPARE(reloaded->unchanged, QStringList{alpha});
    QTRY_VERIFY_WITH_TIMEOUT(!linesOf(run.out.data(), QStringLiteral("ready"), delta).isEmpty(), 15000);
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);
    QVERIFY(run.stop());
}

// `systemctl reload` sends SIGHUP to the real process: it reloads and keeps running, and SIGTERM
// still ends it with exit 0 and the monitor's own `monitor_stopped` last.
void tst_Reload::binaryReloadsOnSighup()
{
    const QString alpha = QStringLiteral("alpha"), delta = QStringLiteral("delta");
    QVERIFY(writeFile(path("h.json"), configJson({entry(alpha)})));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("gatewatch.*.debug=false"));
    env.insert(QStringLiteral("XDG_STATE_HOME"), m_dir->path());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(GATEWATCH_APP_PATH),
            {QStringLiteral("--headless"), QStringLiteral("--config"), path("h.json"), QStringLiteral("--gateway-url"),
             m_sim->gatewayUrl().toString(), QStringLiteral("--api-base"), m_sim->apiBase().toString(),
             QStringLiteral("--duration"), QStringLiteral("120")});
    QVERIFY(p.waitForStarted(10000));
    QByteArray out;
    const auto seen = [&](const char *kind, const QString &account) {
        out += p.readAllStandardOutput();
        return !linesOf(out, QString::fromLatin1(kind), account).isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(seen("ready", alpha), 20000);

    QVERIFY(writeFile(path("h.json"), configJson({entry(alpha), entry(delta)})));
    QCOMPARE(::kill(pid_t(p.processId()), SIGHUP), 0);
    QTRY_VERIFY_WITH_TIMEOUT(seen("config_reloaded", QString()), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(seen("ready", delta), 20000);
    QCOMPARE(p.state(), QProcess::Running);
    QCOMPARE(gwtest::connectionsOf(*m_sim, alpha), 1);

    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    out += p.readAllStandardOutput();
    const QByteArray err = p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(QStringLiteral("exit status %1, code %2; stderr ends: %3")
                            .arg(int(p.exitStatus()))
                            .arg(p.exitCode())
                            .arg(escapeControls(QString::fromUtf8(err.right(3000))))));
    QVERIFY(err.contains("gatewatch: config reloaded: 1 added (delta), 0 removed, 0 changed, 1 unchanged (alpha)"));
    const QJsonObject last = QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
    QCOMPARE(last.value(QLatin1String("kind")).toString(), QStringLiteral("monitor_stopped"));
    QCOMPARE(last.value(QLatin1String("reason")).toString(), QStringLiteral("SIGTERM"));
}

QTEST_GUILESS_MAIN(tst_Reload)
#include "tst_reload.moc"
