// The headless monitor end to end (docs/headless.md): three accounts against the simulator (healthy,
// bad token, disallowed intent) plus scripted faults on the healthy one (op 7, zombie, op 9),
// the JSON Lines stream checked kind by kind, SIGTERM, --duration, and the exit codes.
#include "gatewaysimulator.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "jsonlines.h"
#include "redactor.h"
#include "metricsregistry.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QTest>

#include <csignal>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_healthyToken = QStringLiteral("tst-headless-healthy-token-0001");
const QString k_intentsToken = QStringLiteral("tst-headless-intents-token-0003");
const QString k_badToken = QStringLiteral("tst-headless-unknown-token-0002");

QList<QJsonObject> parseLines(const QByteArray &data, QString *error = nullptr)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError perr;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &perr);
        if (perr.error != QJsonParseError::NoError || !doc.isObject()) {
            if (error)
                *error = QStringLiteral("not a JSON object: ") + QString::fromUtf8(line);
            continue;
        }
        out.append(doc.object());
    }
    return out;
}

QList<QJsonObject> select(const QList<QJsonObject> &lines, const QString &account, const QString &kind)
{
    QList<QJsonObject> out;
    for (const QJsonObject &o : lines) {
        if (o.value(QLatin1String("kind")).toString() == kind
            && (account.isNull() || o.value(QLatin1String("account")).toString() == account))
            out.append(o);
    }
    return out;
}

QStringList allStateNames()
{
    QStringList names;
    const QMetaEnum me = QMetaEnum::fromType<ConnectionState>();
    for (int i = 0; i < me.keyCount(); ++i)
        names.append(stateName(ConnectionState(me.value(i))));
    return names;
}

QStringList allKindNames()
{
    QStringList names;
    const QMetaEnum me = QMetaEnum::fromType<EventKinds::Kind>();
    for (int i = 0; i < me.keyCount(); ++i)
        names.append(eventKindName(EventKind(me.value(i))));
    return names;
}

bool writeFile(const QString &path, const QByteArray &content, QFileDevice::Permissions permissions)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(content);
    f.close();
    return f.setPermissions(permissions);
}

} // namespace

class tst_Headless : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void formatRedactsAndKeepsBaseKeys();
    void jsonLinesKindByKind();
    void everyAccountFailedExitsThree();
    void badConfigExitsTwo_data();
    void badConfigExitsTwo();
    void metricsPortBusyExitsFour();
    void durationStopsByItself();
    void restRateLimitWaitsAndReports();
    void signalStopsGracefully_data();
    void signalStopsGracefully();
    void sigtermThenRestartResumes();
    void resumeStateFileLocation();

private:
    QByteArray configJson(const QStringList &accounts, const QString &extra = QString()) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<GatewaySimulator> m_sim;
};

void tst_Headless::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_Headless::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    GatewaySimulator::Options o;
    o.heartbeatInterval = 200ms;
    // Discord's 5 s identify bucket is real time; the engine's gate runs on the fast timings'
    // 50 ms bucket here, so the simulator must not enforce the real one.
    o.enforceIdentifyConcurrency = false;
    m_sim = std::make_unique<GatewaySimulator>(o);
    gwtest::addBot(*m_sim, k_healthyToken, QStringLiteral("healthy"));
    SimBotPolicy intents;
    intents.name = QStringLiteral("intents");
    intents.privilegedIntentsAllowed = false;
    m_sim->addBot(k_intentsToken, intents);
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));

    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("healthy.token")), k_healthyToken.toUtf8() + '\n',
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    qputenv("GW_TST_BAD_TOKEN", k_badToken.toUtf8());
    qputenv("GW_TST_INTENTS_TOKEN", k_intentsToken.toUtf8());
}

void tst_Headless::cleanup()
{
    m_sim.reset();
    m_dir.reset();
    qunsetenv("GW_TST_BAD_TOKEN");
    qunsetenv("GW_TST_INTENTS_TOKEN");
}

QByteArray tst_Headless::configJson(const QStringList &accounts, const QString &extra) const
{
    QStringList entries;
    for (const QString &a : accounts) {
        if (a == QLatin1String("healthy"))
            entries << QStringLiteral(R"({"name":"healthy","token_file":"healthy.token","intents":["GUILDS"]})");
        else if (a == QLatin1String("badtoken"))
            entries << QStringLiteral(R"({"name":"badtoken","token_env":"GW_TST_BAD_TOKEN"})");
        else if (a == QLatin1String("intents"))
            entries << QStringLiteral(R"({"name":"intents","token_env":"GW_TST_INTENTS_TOKEN","intents":["GUILDS","GUILD_MEMBERS"]})");
    }
    // No URLs in the file: --gateway-url / --api-base point every account at the simulator.
    // Fast timings with room for a loaded machine: each account must make exactly the attempts
    // its story needs.
    return QStringLiteral(R"({"accounts":[%1],"timings":%2%3})")
        .arg(entries.join(QLatin1Char(',')), gwtest::timingsJson(gwtest::margins::Headless), extra)
        .toUtf8();
}

void tst_Headless::formatRedactsAndKeepsBaseKeys()
{
    const QString shaped = QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4OTA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123");
    const QString known = QStringLiteral("known-secret-for-format-test");
    Redactor::global().addToken(known);
    EventLogEntry e;
    e.at = QDateTime(QDate(2026, 11, 29), QTime(9, 15, 11, 7), Qt::UTC);
    e.accountName = QStringLiteral("bot ") + known;
    e.kind = EventKind::Error;
    e.severity = Severity::Warning;
    e.message = QStringLiteral("failed with ") + shaped;
    e.fields = {{QStringLiteral("kind"), QStringLiteral("transport")},
                {QStringLiteral("message"), QStringLiteral("a field may not replace the message")},
                {QStringLiteral("v"), 99},
                {QStringLiteral("nested"), QJsonArray{known, 1}}};
    const QByteArray line = JsonLines::format(e);
    QVERIFY(!line.contains('\n'));
    QVERIFY(!line.contains(known.toUtf8()));
    QVERIFY(!line.contains(shaped.toUtf8()));
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    QCOMPARE(o.value(QLatin1String("v")).toInt(), JsonLines::SchemaVersion);
    QCOMPARE(JsonLines::SchemaVersion, 2);
    QCOMPARE(o.value(QLatin1String("ts")).toString(), QStringLiteral("2026-11-29T09:15:11.007Z"));
    QCOMPARE(o.value(QLatin1String("kind")).toString(), QStringLiteral("error"));     // not the field "kind"…
    QCOMPARE(o.value(QLatin1String("error_kind")).toString(), QStringLiteral("transport"));  // …which is kept
    QCOMPARE(o.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(o.value(QLatin1String("message")).toString(), QStringLiteral("failed with [REDACTED]"));
    QCOMPARE(o.value(QLatin1String("account")).toString(), QStringLiteral("bot [REDACTED]"));
    QCOMPARE(o.value(QLatin1String("nested")).toArray().first().toString(), QStringLiteral("[REDACTED]"));
    // A local-time timestamp is written in UTC.
    e.at = QDateTime(QDate(2026, 11, 29), QTime(10, 0), QTimeZone(3600));
    QCOMPARE(QJsonDocument::fromJson(JsonLines::format(e)).object().value(QLatin1String("ts")).toString(),
             QStringLiteral("2026-11-29T09:00:00.000Z"));
    Redactor::global().removeToken(known);
}

void tst_Headless::jsonLinesKindByKind()
{
    const QString configPath = m_dir->filePath(QStringLiteral("headless.json"));
    const QString dbPath = m_dir->filePath(QStringLiteral("events.db"));
    QVERIFY(writeFile(configPath,
                      configJson({QStringLiteral("healthy"), QStringLiteral("badtoken"), QStringLiteral("intents")},
                                 QStringLiteral(R"(,"metrics":{"listen":"127.0.0.1:0"},"database":"events.db")")),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));

    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, m_sim.get());
    options.configPath = configPath;
    HeadlessRunner runner(options);
    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    const auto started = runner.start();
    QVERIFY2(started.hasValue(), err.data().constData());
    QVERIFY(runner.metricsPort() != 0);

    const QString healthy = QStringLiteral("healthy");
    auto lines = [&out] { return parseLines(out.data()); };
    auto count = [&lines](const QString &account, const char *kind) {
        return select(lines(), account, QString::fromLatin1(kind)).size();
    };

    // Startup: healthy READY; bad token and disallowed intent end failed (fatal), nothing retried.
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "ready") == 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("badtoken"), "fatal") == 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(count(QStringLiteral("intents"), "fatal") == 1, 10000);

    // op 7 → RESUME → RESUMED.
    QVERIFY(m_sim->injectFault(healthy, SimFault{SimFault::Kind::Reconnect}));
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "reconnect_requested") == 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "resumed") >= 1, 5000);

    // Zombie: no ACKs → detected, closed by us, resumed.
    SimFault stopAcks;
    stopAcks.kind = SimFault::Kind::StopAcks;
    QVERIFY(m_sim->injectFault(healthy, stopAcks));
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "zombie") >= 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "resumed") >= 2, 5000);

    // op 9 d:false → new session: IDENTIFY again, READY again.
    SimFault invalid;
    invalid.kind = SimFault::Kind::InvalidSession;
    invalid.resumable = false;
    QTRY_VERIFY_WITH_TIMEOUT(m_sim->injectFault(healthy, invalid), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "invalid_session") == 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(count(healthy, "ready") >= 2, 5000);

    // Metrics reflect the same story.
    const QByteArray metrics = runner.metrics()->exposition();
    QVERIFY2(metrics.contains("gatewatch_state{account=\"intents\",state=\"failed\"} 1"), metrics.constData());
    QVERIFY2(metrics.contains("gatewatch_state{account=\"badtoken\",state=\"failed\"} 1"), metrics.constData());
    QTRY_VERIFY_WITH_TIMEOUT(runner.metrics()->exposition().contains("gatewatch_up{account=\"healthy\"} 1"), 5000);
    QVERIFY(metrics.contains("gatewatch_disconnects_total{account=\"intents\",close_code=\"4014\"} 1"));

    // SIGTERM → every session closed, store flushed, exit 0.
    QVERIFY(::raise(SIGTERM) == 0);
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().first().toInt(), 0);

    // --- the stream, line by line ---------------------------------------------------------------
    QString parseError;
    const QList<QJsonObject> all = parseLines(out.data(), &parseError);
    QVERIFY2(parseError.isEmpty(), qPrintable(parseError));
    QCOMPARE(out.data().count('\n'), qsizetype(all.size()));  // one object per line, each ended
    const QRegularExpression ts(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
    const QStringList kinds = allKindNames();
    const QStringList states = allStateNames();
    const QStringList severities{QStringLiteral("debug"), QStringLiteral("info"), QStringLiteral("warning"), QStringLiteral("error")};
    for (const QJsonObject &o : all) {
        const QByteArray text = QJsonDocument(o).toJson(QJsonDocument::Compact);
        QVERIFY2(o.value(QLatin1String("v")).toInt() == JsonLines::SchemaVersion, text.constData());
        QVERIFY2(ts.match(o.value(QLatin1String("ts")).toString()).hasMatch(), text.constData());
        QVERIFY2(kinds.contains(o.value(QLatin1String("kind")).toString()), text.constData());
        QVERIFY2(severities.contains(o.value(QLatin1String("severity")).toString()), text.constData());
        QVERIFY2(!o.value(QLatin1String("message")).toString().isEmpty(), text.constData());
        const QJsonValue account = o.value(QLatin1String("account"));
        const QString kind = o.value(QLatin1String("kind")).toString();
        if (kind == QLatin1String("monitor_started") && account.isNull())
            continue;
        if (kind == QLatin1String("monitor_stopped") && account.isNull())
            continue;
        QVERIFY2(QStringList({QStringLiteral("healthy"), QStringLiteral("badtoken"), QStringLiteral("intents")})
                     .contains(account.toString()), text.constData());
        if (kind == QLatin1String("state")) {
            QVERIFY2(states.contains(o.value(QLatin1String("state")).toString()), text.constData());
            QVERIFY2(states.contains(o.value(QLatin1String("previous")).toString()), text.constData());
        } else if (kind == QLatin1String("ready")) {
            QVERIFY2(!o.value(QLatin1String("session_id")).toString().isEmpty(), text.constData());
        } else if (kind == QLatin1String("resumed")) {
            QVERIFY2(o.value(QLatin1String("replayed")).isDouble(), text.constData());
            QVERIFY2(o.value(QLatin1String("lost")).isDouble(), text.constData());
            QVERIFY2(o.value(QLatin1String("missed")).isDouble() || o.value(QLatin1String("missed")).isNull(),
                     text.constData());
        } else if (kind == QLatin1String("invalid_session")) {
            QVERIFY2(o.value(QLatin1String("resumable")).isBool(), text.constData());
        } else if (kind == QLatin1String("close")) {
            QVERIFY2(o.contains(QLatin1String("code")), text.constData());
            QVERIFY2(!o.value(QLatin1String("meaning")).toString().isEmpty(), text.constData());
            QVERIFY2(QStringList({QStringLiteral("server"), QStringLiteral("client"), QStringLiteral("transport")})
                         .contains(o.value(QLatin1String("initiator")).toString()), text.constData());
            QVERIFY2(QStringList({QStringLiteral("resume"), QStringLiteral("new_session"), QStringLiteral("fatal")})
                         .contains(o.value(QLatin1String("action")).toString()), text.constData());
            QVERIFY2(!o.value(QLatin1String("cause")).toString().isEmpty(), text.constData());
            QVERIFY2(o.value(QLatin1String("session_kept")).isBool(), text.constData());
        } else if (kind == QLatin1String("seq_gap")) {
            for (const char *key : {"expected", "got", "lost"})
                QVERIFY2(o.value(QLatin1String(key)).isDouble(), text.constData());
        } else if (kind == QLatin1String("reconnect_scheduled")) {
            QVERIFY2(o.value(QLatin1String("delay_ms")).isDouble(), text.constData());
            QVERIFY2(QStringList({QStringLiteral("resume"), QStringLiteral("identify"), QStringLiteral("restart")})
                         .contains(o.value(QLatin1String("mode")).toString()), text.constData());
        } else if (kind == QLatin1String("fatal")) {
            QVERIFY2(!o.value(QLatin1String("reason")).toString().isEmpty(), text.constData());
        }
    }

    // Kind by kind, for the healthy account and its faults.
    for (const char *kind : {"state", "hello", "identify", "ready", "reconnect_requested", "resume", "resumed", "zombie",
                             "invalid_session", "close", "reconnect_scheduled"})
        QVERIFY2(!select(all, healthy, QString::fromLatin1(kind)).isEmpty(), kind);
    QCOMPARE(select(all, healthy, QStringLiteral("invalid_session")).first().value(QLatin1String("resumable")).toBool(), false);
    QVERIFY(select(all, healthy, QStringLiteral("resumed")).size() >= 2);
    // op 7: a close Gatewatch made on purpose is info, with its cause; the session stayed resumable.
    bool op7Info = false;
    for (const QJsonObject &o : select(all, healthy, QStringLiteral("close"))) {
        op7Info = op7Info
            || (o.value(QLatin1String("cause")).toString() == QLatin1String("op7")
                && o.value(QLatin1String("severity")).toString() == QLatin1String("info")
                && o.value(QLatin1String("session_kept")).toBool());
    }
    QVERIFY(op7Info);
    // op 9 d:false replaced the session: the READY after it names the gap.
    const QJsonObject replaced = select(all, healthy, QStringLiteral("ready")).last();
    QVERIFY2(replaced.value(QLatin1String("gap_ms")).isDouble(), QJsonDocument(replaced).toJson().constData());
    QVERIFY(!replaced.value(QLatin1String("gap_from")).toString().isEmpty());
    QVERIFY(!replaced.value(QLatin1String("gap_to")).toString().isEmpty());
    QCOMPARE(replaced.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(select(all, healthy, QStringLiteral("fatal")).size(), 0);
    // The healthy account's last state line before the shutdown was "ready"; the shutdown took it to stopped.
    const auto healthyStates = select(all, healthy, QStringLiteral("state"));
    QCOMPARE(healthyStates.first().value(QLatin1String("previous")).toString(), QStringLiteral("stopped"));
    QCOMPARE(healthyStates.last().value(QLatin1String("state")).toString(), QStringLiteral("stopped"));
    // A resume after op 7: reconnect_scheduled with mode resume.
    bool resumeScheduled = false;
    for (const QJsonObject &o : select(all, healthy, QStringLiteral("reconnect_scheduled")))
        resumeScheduled = resumeScheduled || o.value(QLatin1String("mode")).toString() == QLatin1String("resume");
    QVERIFY(resumeScheduled);

    // Disallowed intent: close 4014, action fatal, then fatal and state failed; guidance named.
    const auto intentsClose = select(all, QStringLiteral("intents"), QStringLiteral("close"));
    QByteArray intentsLines;
    for (const QJsonObject &o : all) {
        if (o.value(QLatin1String("account")).toString() == QLatin1String("intents"))
            intentsLines += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    }
    QVERIFY2(intentsClose.size() == 1, intentsLines.constData());
    QCOMPARE(intentsClose.first().value(QLatin1String("code")).toInt(), 4014);
    QCOMPARE(intentsClose.first().value(QLatin1String("action")).toString(), QStringLiteral("fatal"));
    QCOMPARE(intentsClose.first().value(QLatin1String("initiator")).toString(), QStringLiteral("server"));
    const QJsonObject intentsFatal = select(all, QStringLiteral("intents"), QStringLiteral("fatal")).first();
    QVERIFY2(intentsFatal.value(QLatin1String("message")).toString().contains(QLatin1String("GUILD_MEMBERS")),
             qPrintable(intentsFatal.value(QLatin1String("message")).toString()));
    QCOMPARE(intentsFatal.value(QLatin1String("severity")).toString(), QStringLiteral("error"));
    bool intentsFailed = false;
    for (const QJsonObject &o : select(all, QStringLiteral("intents"), QStringLiteral("state")))
        intentsFailed = intentsFailed || o.value(QLatin1String("state")).toString() == QLatin1String("failed");
    QVERIFY(intentsFailed);
    QCOMPARE(select(all, QStringLiteral("intents"), QStringLiteral("identify")).size(), 1);  // one attempt, no loop

    // Bad token: failed after one attempt (401 from REST or 4004 from the gateway).
    const QJsonObject badFatal = select(all, QStringLiteral("badtoken"), QStringLiteral("fatal")).first();
    QVERIFY2(QStringList({QStringLiteral("unauthorized"), QStringLiteral("fatal_close")})
                 .contains(badFatal.value(QLatin1String("reason")).toString()),
             qPrintable(badFatal.value(QLatin1String("reason")).toString()));
    QVERIFY(select(all, QStringLiteral("badtoken"), QStringLiteral("identify")).size() <= 1);

    // The monitor's own first and last lines.
    QCOMPARE(all.first().value(QLatin1String("kind")).toString(), QStringLiteral("monitor_started"));
    QVERIFY(all.first().value(QLatin1String("account")).isNull());
    QCOMPARE(all.first().value(QLatin1String("accounts")).toArray().size(), 3);
    QCOMPARE(all.last().value(QLatin1String("kind")).toString(), QStringLiteral("monitor_stopped"));
    QCOMPARE(all.last().value(QLatin1String("reason")).toString(), QStringLiteral("SIGTERM"));
    QCOMPARE(all.last().value(QLatin1String("exit_code")).toInt(), 0);

    // Every session was closed by the shutdown.
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->openConnectionCount(), 0, 5000);

    // No token anywhere: stdout, stderr, the database (and its WAL).
    for (const QString &token : {k_healthyToken, k_badToken, k_intentsToken}) {
        QVERIFY(!out.data().contains(token.toUtf8()));
        QVERIFY(!err.data().contains(token.toUtf8()));
        for (const QString &file : QDir(m_dir->path()).entryList({QStringLiteral("events.db*")}, QDir::Files)) {
            QFile f(m_dir->filePath(file));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(token.toUtf8()), qPrintable(file));
        }
    }
    QVERIFY(QFileInfo(dbPath).size() > 0);
}

void tst_Headless::everyAccountFailedExitsThree()
{
    const QString configPath = m_dir->filePath(QStringLiteral("failing.json"));
    QVERIFY(writeFile(configPath, configJson({QStringLiteral("badtoken"), QStringLiteral("intents")}),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, m_sim.get());
    options.configPath = configPath;
    options.duration = 20s;  // a safety net: exit 0 after 20 s would fail the comparison below
    QElapsedTimer timer;
    timer.start();
    const int code = runHeadless(*QCoreApplication::instance(), options);
    QCOMPARE(code, 3);
    QVERIFY(timer.elapsed() < 10000);
    const QList<QJsonObject> all = parseLines(out.data());
    QCOMPARE(all.last().value(QLatin1String("kind")).toString(), QStringLiteral("monitor_stopped"));
    QCOMPARE(all.last().value(QLatin1String("exit_code")).toInt(), 3);
    QCOMPARE(all.last().value(QLatin1String("severity")).toString(), QStringLiteral("error"));
}

void tst_Headless::badConfigExitsTwo_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<int>("tokenPermissions");
    QTest::addColumn<QString>("message");
    const int owner = int(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QTest::newRow("inline token") << QByteArray(R"({"accounts":[{"name":"a","token":"abcdefgh.ijk.lmn"}]})") << owner
                                  << QStringLiteral("inline \"token\" is refused");
    QTest::newRow("world-readable token_file") << QByteArray(R"({"accounts":[{"name":"a","token_file":"t.token"}]})")
                                               << (owner | int(QFileDevice::ReadOther)) << QStringLiteral("chmod 600");
    QTest::newRow("missing env") << QByteArray(R"({"accounts":[{"name":"a","token_env":"GW_TST_NOT_SET_ANYWHERE"}]})") << owner
                                 << QStringLiteral("GW_TST_NOT_SET_ANYWHERE");
    QTest::newRow("non-loopback metrics") << QByteArray(R"({"accounts":[{"name":"a","token_file":"t.token"}],"metrics":{"listen":"0.0.0.0:0"}})")
                                          << owner << QStringLiteral("not a loopback address");
    QTest::newRow("bad metrics address") << QByteArray(R"({"accounts":[{"name":"a","token_file":"t.token"}],"metrics":{"listen":"nowhere"}})")
                                         << owner << QStringLiteral("metrics.listen");
    QTest::newRow("not json") << QByteArray("{") << owner << QStringLiteral("not valid JSON");
}

void tst_Headless::badConfigExitsTwo()
{
    QFETCH(QByteArray, config);
    QFETCH(int, tokenPermissions);
    QFETCH(QString, message);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("t.token")), "token-value-for-bad-config",
                      QFileDevice::Permissions(tokenPermissions)));
    const QString configPath = m_dir->filePath(QStringLiteral("bad.json"));
    QVERIFY(writeFile(configPath, config, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err);
    options.configPath = configPath;
    QCOMPARE(runHeadless(*QCoreApplication::instance(), options), 2);
    QVERIFY2(err.data().startsWith("gatewatch: "), err.data().constData());
    QVERIFY2(QString::fromUtf8(err.data()).contains(message), err.data().constData());
    const QList<QJsonObject> all = parseLines(out.data());
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().value(QLatin1String("kind")).toString(), QStringLiteral("error"));
    QCOMPARE(all.first().value(QLatin1String("exit_code")).toInt(), 2);
    QVERIFY(!out.data().contains("token-value-for-bad-config"));
}

void tst_Headless::metricsPortBusyExitsFour()
{
    QTcpServer busy;
    QVERIFY(busy.listen(QHostAddress::LocalHost, 0));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("busy.json")),
                      configJson({QStringLiteral("healthy")},
                                 QStringLiteral(R"(,"metrics":{"listen":"127.0.0.1:%1"})").arg(busy.serverPort())),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err);
    options.configPath = m_dir->filePath(QStringLiteral("busy.json"));
    QCOMPARE(runHeadless(*QCoreApplication::instance(), options), 4);
    QVERIFY2(err.data().contains("cannot listen"), err.data().constData());
}

void tst_Headless::durationStopsByItself()
{
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("d.json")), configJson({QStringLiteral("healthy")}),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out;
    QVERIFY(out.open(QIODevice::WriteOnly));
    HeadlessOptions options;
    options.configPath = m_dir->filePath(QStringLiteral("d.json"));
    options.gatewayUrl = m_sim->gatewayUrl();
    options.apiBase = m_sim->apiBase();
    options.output = &out;
    options.resumeStateFile = gwtest::freshResumeStateFile();
    options.duration = 1500ms;
    QElapsedTimer timer;
    timer.start();
    QCOMPARE(runHeadless(*QCoreApplication::instance(), options), 0);
    QVERIFY2(timer.elapsed() >= 1500, qPrintable(QString::number(timer.elapsed()) + QString::fromUtf8(out.data().right(400))));
    QVERIFY(timer.elapsed() < 8000);
    const QList<QJsonObject> all = parseLines(out.data());
    QVERIFY(!select(all, QStringLiteral("healthy"), QStringLiteral("ready")).isEmpty());
    QCOMPARE(all.last().value(QLatin1String("reason")).toString(), QStringLiteral("--duration elapsed"));
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->openConnectionCount(), 0, 2000);
}

// GET /gateway/bot answers 429 with Retry-After: 2: the account says so (`rate_limited`), sends
// nothing inside the window, retries once and gets ready.
void tst_Headless::restRateLimitWaitsAndReports()
{
    QVERIFY(m_sim->setRestRateLimit(QStringLiteral("healthy"), SimRestLimit{QStringLiteral("/gateway/bot"), 2000ms, false, 1}));
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("rl.json")), configJson({QStringLiteral("healthy")}),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, m_sim.get());
    options.configPath = m_dir->filePath(QStringLiteral("rl.json"));
    HeadlessRunner runner(options);
    QVERIFY2(runner.start().hasValue(), err.data().constData());
    const QString healthy = QStringLiteral("healthy");
    QTRY_VERIFY_WITH_TIMEOUT(!select(parseLines(out.data()), healthy, QStringLiteral("ready")).isEmpty(), 8000);
    const QList<QJsonObject> all = parseLines(out.data());
    const QList<QJsonObject> limited = select(all, healthy, QStringLiteral("rate_limited"));
    QCOMPARE(limited.size(), 1);
    QCOMPARE(limited.first().value(QLatin1String("route")).toString(), QStringLiteral("GET /gateway/bot"));
    QCOMPARE(limited.first().value(QLatin1String("global")).toBool(true), false);
    const qint64 retryAfter = limited.first().value(QLatin1String("retry_after_ms")).toInteger();
    QVERIFY2(retryAfter >= 1900 && retryAfter <= 2000, qPrintable(QString::number(retryAfter)));
    QCOMPARE(select(all, healthy, QStringLiteral("fatal")).size(), 0);
    QList<SimRestRequest> log;
    for (const SimRestRequest &r : m_sim->restRequests()) {
        if (r.route == QLatin1String("/gateway/bot"))
            log.append(r);
    }
    QCOMPARE(log.size(), 2);
    QCOMPARE(log.at(0).status, 429);
    QCOMPARE(log.at(1).status, 200);
    QVERIFY2(log.at(1).atMs - log.at(0).atMs >= 2000, qPrintable(QString::number(log.at(1).atMs - log.at(0).atMs)));
    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    runner.stop(HeadlessExit::Ok, QStringLiteral("test done"));
    QVERIFY(finished.wait(5000));
}

void tst_Headless::signalStopsGracefully_data()
{
    QTest::addColumn<int>("signo");
    QTest::addColumn<QString>("name");
    QTest::newRow("SIGINT") << SIGINT << QStringLiteral("SIGINT");
    QTest::newRow("SIGTERM") << SIGTERM << QStringLiteral("SIGTERM");
}

void tst_Headless::signalStopsGracefully()
{
    QFETCH(int, signo);
    QFETCH(QString, name);
    QVERIFY(writeFile(m_dir->filePath(QStringLiteral("s.json")), configJson({QStringLiteral("healthy")}),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QBuffer out;
    QVERIFY(out.open(QIODevice::WriteOnly));
    HeadlessOptions options;
    options.configPath = m_dir->filePath(QStringLiteral("s.json"));
    options.gatewayUrl = m_sim->gatewayUrl();
    options.apiBase = m_sim->apiBase();
    options.output = &out;
    options.resumeStateFile = gwtest::freshResumeStateFile();
    HeadlessRunner runner(options);
    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    QVERIFY(runner.start().hasValue());
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->openConnectionCount(), 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!select(parseLines(out.data()), QStringLiteral("healthy"), QStringLiteral("ready")).isEmpty(), 5000);
    QVERIFY(::raise(signo) == 0);
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().first().toInt(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->openConnectionCount(), 0, 2000);
    const QList<QJsonObject> all = parseLines(out.data());
    QCOMPARE(all.last().value(QLatin1String("reason")).toString(), name);
    // The session was closed by us (4000, kept resumable for the next run), not dropped.
    const auto closes = select(all, QStringLiteral("healthy"), QStringLiteral("close"));
    if (!closes.isEmpty())
        QCOMPARE(closes.last().value(QLatin1String("initiator")).toString(), QStringLiteral("client"));
}

// SIGTERM keeps the session resumable (close 4000, resume state saved beside the database), so
// the next run RESUMEs: no IDENTIFY, no op 9, nothing reported lost (docs/headless.md).
void tst_Headless::sigtermThenRestartResumes()
{
    const QString configPath = m_dir->filePath(QStringLiteral("r.json"));
    QVERIFY(writeFile(configPath, configJson({QStringLiteral("healthy")}, QStringLiteral(R"(,"database":"events.db")")),
                      QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QString stateFile = m_dir->filePath(QStringLiteral("events.resume-state.ini"));
    const QString healthy = QStringLiteral("healthy");
    {
        QBuffer out, err;
        HeadlessOptions options = gwtest::headlessOptions(out, err, m_sim.get());
        options.configPath = configPath;
        options.resumeStateFile.clear();  // the default: beside the database
        HeadlessRunner runner(options);
        QSignalSpy finished(&runner, &HeadlessRunner::finished);
        QVERIFY2(runner.start().hasValue(), err.data().constData());
        QTRY_VERIFY_WITH_TIMEOUT(!select(parseLines(out.data()), healthy, QStringLiteral("ready")).isEmpty(), 10000);
        QVERIFY(::raise(SIGTERM) == 0);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().first().toInt(), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_sim->openConnectionCount(), 0, 5000);
    QCOMPARE(m_sim->liveSessionCount(), 1);   // closed with 4000: the gateway keeps the session
    QVERIFY(QFile::exists(stateFile));

    QBuffer out, err;
    HeadlessOptions options = gwtest::headlessOptions(out, err, m_sim.get());
    options.configPath = configPath;
    options.resumeStateFile.clear();
    HeadlessRunner runner(options);
    QSignalSpy finished(&runner, &HeadlessRunner::finished);
    QVERIFY2(runner.start().hasValue(), err.data().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!select(parseLines(out.data()), healthy, QStringLiteral("resumed")).isEmpty(), 10000);
    const QList<QJsonObject> lines = parseLines(out.data());
    QVERIFY(select(lines, healthy, QStringLiteral("ready")).isEmpty());
    QVERIFY(select(lines, healthy, QStringLiteral("invalid_session")).isEmpty());
    QCOMPARE(gwtest::countOps(*m_sim, healthy, 2), 1);
    const QJsonObject resumed = select(lines, healthy, QStringLiteral("resumed")).constFirst();
    QCOMPARE(resumed.value(QLatin1String("lost")).toInteger(), 0);
    QCOMPARE(resumed.value(QLatin1String("severity")).toString(), QStringLiteral("info"));
    runner.stop(HeadlessExit::Ok, QStringLiteral("test over"));
    QVERIFY(finished.wait(10000));
}

void tst_Headless::resumeStateFileLocation()
{
    const QByteArray saved = qgetenv("XDG_STATE_HOME");
    QCOMPARE(headlessResumeStateFile(QStringLiteral("/srv/gw/headless.sqlite")),
             QStringLiteral("/srv/gw/headless.resume-state.ini"));
    qputenv("XDG_STATE_HOME", m_dir->path().toUtf8());
    QCOMPARE(headlessResumeStateFile(QString()), m_dir->filePath(QStringLiteral("gatewatch/headless-resume-state.ini")));
    qputenv("XDG_STATE_HOME", "relative/state");  // ignored, as the XDG spec says
    QCOMPARE(headlessResumeStateFile(QString()),
             QDir::home().filePath(QStringLiteral(".local/state/gatewatch/headless-resume-state.ini")));
    if (saved.isNull())
        qunsetenv("XDG_STATE_HOME");
    else
        qputenv("XDG_STATE_HOME", saved);
}

QTEST_GUILESS_MAIN(tst_Headless)
#include "tst_headless.moc"
