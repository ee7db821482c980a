// Bad input ends in a clear error, never in a crash, a hang or a silent cut (docs/reliability.md,
// "Bad input and faults"): --duration bounds (and a duration longer than one QTimer can count),
// config and token files that are not regular files or are too long, duplicate JSON keys, account
// names with control characters or a token in them, tokens that are not printable ASCII, gateway
// text with escape sequences and CR/LF on its way to stderr, and the real binary's process limits
// (no core dumps) and stderr prefix.
#include "gatewaysimulator.h"
#include "headlessconfig.h"
#include "headlessfixture.h"
#include "headlessrunner.h"
#include "messagecapture.h"
#include "processhardening.h"
#include "redactor.h"
#include "simfixture.h"
#include "textsafety.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_token = QStringLiteral("tst-badinput-token-0001.abcdef");
// A close reason that would recolour a terminal, set its title and forge a JSON line of its own.
const QString k_hostileReason = QStringLiteral("\x1b]0;pwned\x07\x1b[31m\r\n{\"account\":\"x1\",\"kind\":\"fatal\"}");

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size()
        && f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
}

QString configError(const QByteArray &json)
{
    const auto config = HeadlessConfig::parse(json, QString());
    return config ? QString() : config.error();
}

QByteArray account(const QByteArray &nameJson)
{
    return R"({"accounts":[{"name":)" + nameJson + R"(,"token_env":"GW_TST_BADINPUT_TOKEN"}]})";
}

int countKind(const QByteArray &jsonLines, const QString &kind)
{
    int n = 0;
    for (const QByteArray &line : jsonLines.split('\n'))
        n += QJsonDocument::fromJson(line).object().value(QLatin1String("kind")).toString() == kind ? 1 : 0;
    return n;
}

QString gatewatchBinary()
{
    return QStringLiteral(GATEWATCH_APP_PATH);
}

} // namespace

class tst_BadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void durationBounds_data();
    void durationBounds();
    void binaryRefusesBadDuration_data();
    void binaryRefusesBadDuration();
    void durationBeyondOneTimerDoesNotEndEarly();
    void nonRegularAndOversizedFiles();
    void binaryDoesNotHangOnAFifo();
    void duplicateKeys_data();
    void duplicateKeys();
    void badNames_data();
    void badNames();
    void tokenText_data();
    void tokenText();
    void tokenInANameIsRefused();
    void tokenFromSystemdCredential();
    void escapeControlsTable_data();
    void escapeControlsTable();
    void gatewayTextIsEscapedInLogLines();
    void binaryHasNoCoreDumpsAndPrefixesStderr();
    void processHardeningInProcess();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<GatewaySimulator> m_sim;
    QString path(const char *name) const { return m_dir->filePath(QString::fromUtf8(name)); }
};

void tst_BadInput::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(QFile::exists(gatewatchBinary()), qPrintable(gatewatchBinary()));
}

void tst_BadInput::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    GatewaySimulator::Options o;
    o.heartbeatInterval = 500ms;
    m_sim = std::make_unique<GatewaySimulator>(o);
    gwtest::addBot(*m_sim, k_token, QStringLiteral("bad"));
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
    qputenv("GW_TST_BADINPUT_TOKEN", k_token.toUtf8());
}

void tst_BadInput::cleanup()
{
    m_sim.reset();
    m_dir.reset();
    qunsetenv("GW_TST_BADINPUT_TOKEN");
}

void tst_BadInput::durationBounds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");  // -1: refused
    QTest::newRow("inf") << QStringLiteral("inf") << qint64(-1);
    QTest::newRow("nan") << QStringLiteral("nan") << qint64(-1);
    QTest::newRow("1e300") << QStringLiteral("1e300") << qint64(-1);
    QTest::newRow("9.3e15") << QStringLiteral("9.3e15") << qint64(-1);
    QTest::newRow("below 1 s") << QStringLiteral("0.5") << qint64(-1);
    QTest::newRow("negative") << QStringLiteral("-1") << qint64(-1);
    QTest::newRow("words") << QStringLiteral("ten") << qint64(-1);
    QTest::newRow("past ten years") << QStringLiteral("315576001") << qint64(-1);
    QTest::newRow("1 s") << QStringLiteral("1") << qint64(1000);
    QTest::newRow("fraction") << QStringLiteral("2.5") << qint64(2500);
    QTest::newRow("4294968 (past 2^32 ms)") << QStringLiteral("4294968") << qint64(4294968000);
    QTest::newRow("3000000 (past INT_MAX ms)") << QStringLiteral("3000000") << qint64(3000000000);
    QTest::newRow("ten years") << QStringLiteral("315576000") << qint64(315576000000);
}

void tst_BadInput::durationBounds()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    const auto parsed = parseDurationSeconds(text);
    if (ms < 0) {
        QVERIFY(!parsed);
        QVERIFY2(parsed.error().contains(QLatin1String("from 1 to 315576000")), qPrintable(parsed.error()));
    } else {
        QVERIFY2(parsed.hasValue(), qPrintable(parsed ? QString() : parsed.error()));
        QCOMPARE(parsed->count(), ms);
    }
}

void tst_BadInput::binaryRefusesBadDuration_data()
{
    QTest::addColumn<QString>("text");
    for (const char *bad : {"inf", "nan", "1e300", "9.3e15", "0", "-5", "x"})
        QTest::newRow(bad) << QString::fromLatin1(bad);
}

void tst_BadInput::binaryRefusesBadDuration()
{
    QFETCH(QString, text);
    QProcess p;
    p.start(gatewatchBinary(), {QStringLiteral("--headless"), QStringLiteral("--config"), path("none.json"),
                                QStringLiteral("--duration"), text});
    QVERIFY(p.waitForFinished(20000));
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 2);
    QVERIFY2(p.readAllStandardError().contains("--duration: expected a number of seconds from 1 to"), qPrintable(text));
}

// 4,294,968 s used to wrap to 0.73 s, 3,000,000 s to a negative interval: the runner chains its
// timer, so it is still running once the account is ready and a while after.
void tst_BadInput::durationBeyondOneTimerDoesNotEndEarly()
{
    auto config = HeadlessConfig::parse(account(R"("long")"), QString());
    QVERIFY(config.hasValue());
    gwtest::HeadlessRun run(config.value(), m_sim.get(),
                            [](HeadlessOptions &o) { o.duration = std::chrono::milliseconds(4294968000); });
    QVERIFY2(run.runner->start().hasValue(), run.err.data().constData());
    QTRY_COMPARE_WITH_TIMEOUT(countKind(run.out.data(), QStringLiteral("ready")), 1, 15000);
    QVERIFY2(!run.finished->wait(1500), run.out.data().right(400).constData());
    QVERIFY(run.stop());
}

void tst_BadInput::nonRegularAndOversizedFiles()
{
    QVERIFY(::mkfifo(QFile::encodeName(path("fifo")).constData(), 0600) == 0);
    QVERIFY(writeFile(path("big.json"), QByteArray(1024 * 1024 + 1, ' ')));
    QVERIFY(writeFile(path("long.token"), QByteArray(4097, 'a')));
    QVERIFY(writeFile(path("exact.token"), QByteArray(4096, 'a')));

    const auto expectLoadError = [](const QString &file, const char *text) {
        const auto config = HeadlessConfig::load(file);
        QVERIFY2(!config, qPrintable(file));
        QVERIFY2(config.error().contains(QLatin1String(text)), qPrintable(config.error()));
    };
    expectLoadError(QStringLiteral("/dev/zero"), "is not a regular file");
    expectLoadError(path("fifo"), "is not a regular file");
    expectLoadError(m_dir->path(), "is not a regular file");
    expectLoadError(path("big.json"), "is larger than 1048576 bytes");

    const auto tokenError = [](const QString &file) {
        HeadlessAccountConfig a;
        a.name = QStringLiteral("t");
        a.tokenFile = file;
        const auto token = HeadlessConfig::readToken(a);
        return token ? QString() : token.error();
    };
    QVERIFY2(tokenError(path("fifo")).contains(QLatin1String("is not a regular file")), qPrintable(tokenError(path("fifo"))));
    QVERIFY(tokenError(QStringLiteral("/dev/zero")).contains(QLatin1String("is not a regular file")));
    QVERIFY2(tokenError(path("long.token")).contains(QLatin1String("is larger than 4096 bytes")),
             qPrintable(tokenError(path("long.token"))));
    QCOMPARE(tokenError(path("exact.token")), QString());  // 4,096 bytes is still a token
}

void tst_BadInput::binaryDoesNotHangOnAFifo()
{
    QVERIFY(::mkfifo(QFile::encodeName(path("fifo")).constData(), 0600) == 0);
    QVERIFY(writeFile(path("c.json"), R"({"accounts":[{"name":"f","token_file":"fifo"}]})"));
    for (const QString &config : {path("fifo"), path("c.json")}) {
        QProcess p;
        p.start(gatewatchBinary(), {QStringLiteral("--headless"), QStringLiteral("--config"), config});
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("is not a regular file"));
    }
}

void tst_BadInput::duplicateKeys_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("key");  // empty: accepted
    QTest::newRow("top level") << QByteArray(R"({"database":"a.db","accounts":[],"database":"b.db"})") << QStringLiteral("database");
    QTest::newRow("account") << QByteArray(R"({"accounts":[{"name":"a","name":"b","token_env":"T"}]})") << QStringLiteral("name");
    QTest::newRow("escaped") << QByteArray(R"({"accounts":[{"name":"a","na\u006de":"b","token_env":"T"}]})") << QStringLiteral("name");
    QTest::newRow("timings") << QByteArray(R"({"accounts":[{"name":"a","token_env":"T"}],"timings":{"ready_timeout_ms":1,"ready_timeout_ms":2}})")
                             << QStringLiteral("ready_timeout_ms");
    QTest::newRow("same key, two objects") << QByteArray(R"({"accounts":[{"name":"a","token_env":"T"},{"name":"b","token_env":"T"}]})")
                                           << QString();
    QTest::newRow("key-like value") << QByteArray(R"({"accounts":[{"name":"token_env","token_env":"T"}]})") << QString();
}

void tst_BadInput::duplicateKeys()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, key);
    const QString error = configError(json);
    if (key.isEmpty())
        QCOMPARE(error, QString());
    else
        QVERIFY2(error.contains(QStringLiteral("key \"%1\" appears twice").arg(key)), qPrintable(error));
}

void tst_BadInput::badNames_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("escape sequence") << QByteArray(R"("a\u001b[31mred")") << false;
    QTest::newRow("NUL") << QByteArray(R"("cut\u0000here")") << false;
    QTest::newRow("CR/LF") << QByteArray(R"("a\r\n{\"kind\":\"fatal\"}")") << false;
    QTest::newRow("lone surrogate") << QByteArray(R"("a\ud800")") << false;
    QTest::newRow("right-to-left override") << QByteArray(R"("a\u202etxt")") << false;
    QTest::newRow("DEL") << QByteArray(R"("a\u007f")") << false;
    QTest::newRow("accented") << QByteArray(R"("Café bot")") << true;
    QTest::newRow("emoji (surrogate pair)") << QByteArray(R"("bot \ud83e\udd16")") << true;
}

void tst_BadInput::badNames()
{
    QFETCH(QByteArray, name);
    QFETCH(bool, accepted);
    const QString error = configError(account(name));
    if (accepted) {
        QCOMPARE(error, QString());
    } else {
        QVERIFY2(error.contains(QLatin1String("accounts[0].name")), qPrintable(error));
        QVERIFY2(!hasControls(error), qPrintable(escapeControls(error)));  // the message itself is safe
    }
}

void tst_BadInput::tokenText_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QString>("problem");  // empty: accepted
    QTest::newRow("CR/LF and a header") << QByteArray("abc.def\r\nX-Injected: yes\n") << QStringLiteral("a line break");
    QTest::newRow("NUL bytes") << QByteArray(16, '\0') << QStringLiteral("a NUL byte");
    QTest::newRow("inner space") << QByteArray("abc def") << QStringLiteral("a space");
    QTest::newRow("escape") << QByteArray("abc\x1b[0m") << QStringLiteral("a control character");
    QTest::newRow("non-ASCII") << QByteArray("abc\xc3\xa9") << QStringLiteral("a non-ASCII character");
    QTest::newRow("Bot prefix, trailing newline") << QByteArray("Bot abc.def-ghi_jkl\n") << QString();
}

void tst_BadInput::tokenText()
{
    QFETCH(QByteArray, file);
    QFETCH(QString, problem);
    QVERIFY(writeFile(path("t.token"), file));
    HeadlessAccountConfig a;
    a.name = QStringLiteral("t");
    a.tokenFile = path("t.token");
    const auto token = HeadlessConfig::readToken(a);
    if (problem.isEmpty()) {
        QVERIFY(token.hasValue());
        QCOMPARE(token->value, QStringLiteral("abc.def-ghi_jkl"));
        return;
    }
    QVERIFY(!token);
    QVERIFY2(token.error().contains(problem), qPrintable(token.error()));
    QVERIFY(!token.error().contains(QLatin1String("abc")));  // never the token itself
}

void tst_BadInput::tokenInANameIsRefused()
{
    auto config = HeadlessConfig::parse(account(QByteArray("\"mine ") + k_token.toUtf8() + '"'), QString());
    QVERIFY(config.hasValue());
    gwtest::HeadlessRun run(config.value(), m_sim.get());
    const auto started = run.runner->start();
    QVERIFY(!started);
    QCOMPARE(started.error(), HeadlessExit::BadConfig);
    QVERIFY2(run.err.data().contains("accounts[0].name contains a bot token"), run.err.data().constData());
    QVERIFY(!run.err.data().contains(k_token.toUtf8()));
    QVERIFY(!run.out.data().contains(k_token.toUtf8()));
    QCOMPARE(gwtest::connectionsOf(*m_sim, QStringLiteral("bad")), 0);
}

// token_credential: systemd's LoadCredential=NAME:PATH puts the token in a directory only the
// service can read and names it in $CREDENTIALS_DIRECTORY (docs/security.md).
void tst_BadInput::tokenFromSystemdCredential()
{
    QVERIFY(writeFile(path("bot"), k_token.toUtf8() + '\n'));
    auto config = HeadlessConfig::parse(R"({"accounts":[{"name":"c","token_credential":"bot"}]})", QString());
    QVERIFY2(config.hasValue(), config ? "" : qPrintable(config.error()));
    qunsetenv("CREDENTIALS_DIRECTORY");
    const auto missing = HeadlessConfig::readToken(config->accounts.at(0));
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QLatin1String("LoadCredential=bot:PATH")), qPrintable(missing.error()));
    qputenv("CREDENTIALS_DIRECTORY", QFile::encodeName(m_dir->path()));
    const auto token = HeadlessConfig::readToken(config->accounts.at(0));
    qunsetenv("CREDENTIALS_DIRECTORY");
    QVERIFY2(token.hasValue(), token ? "" : qPrintable(token.error()));
    QCOMPARE(token->value, k_token);
    for (const char *bad : {R"("../bot")", R"("")", R"("a/b")"}) {
        const QString error = configError(QByteArray(R"({"accounts":[{"name":"c","token_credential":)") + bad + "}]}");
        QVERIFY2(error.contains(QLatin1String("token_credential")), qPrintable(error));
    }
    const QString both = configError(R"({"accounts":[{"name":"c","token_credential":"bot","token_env":"T"}]})");
    QVERIFY2(both.contains(QLatin1String("exactly one of")), qPrintable(both));
}

void tst_BadInput::escapeControlsTable_data()
{
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    QTest::newRow("plain") << QStringLiteral("plain text \\ kept") << QStringLiteral("plain text \\ kept");
    QTest::newRow("CR LF tab") << QStringLiteral("a\r\nb\tc") << QStringLiteral("a\\r\\nb\\tc");
    QTest::newRow("ESC and BEL") << QStringLiteral("\x1b]0;t\x07") << QStringLiteral("\\e]0;t\\x07");
    QTest::newRow("NUL and DEL") << QString(QChar(0)) + QChar(0x7f) << QStringLiteral("\\x00\\x7f");
    QTest::newRow("C1 CSI") << QString(QChar(0x9b)) << QStringLiteral("\\u009b");
    QTest::newRow("line separator") << QString(QChar(0x2028)) << QStringLiteral("\\u2028");
    QTest::newRow("RLO") << QString(QChar(0x202e)) << QStringLiteral("\\u202e");
    QTest::newRow("lone high surrogate") << QString(QChar(0xd800)) + u'x' << QStringLiteral("\\ud800x");
    QTest::newRow("surrogate pair kept") << QString::fromUtf8("\xf0\x9f\xa4\x96") << QString::fromUtf8("\xf0\x9f\xa4\x96");
}

void tst_BadInput::escapeControlsTable()
{
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(gw::escapeControls(in), out);
    QCOMPARE(hasControls(in), in != out);
}

// The gateway's own text (here a close reason) passes the one message handler main() installs:
// every line that handler hands on is one line, with the escapes visible.
void tst_BadInput::gatewayTextIsEscapedInLogLines()
{
    gwtest::MessageCapture capture;
    QVERIFY(installRedactingMessageHandler());
    auto config = HeadlessConfig::parse(account(R"("esc")"), QString());
    QVERIFY(config.hasValue());
    gwtest::HeadlessRun run(config.value(), m_sim.get());
    QVERIFY(run.runner->start().hasValue());
    QTRY_COMPARE_WITH_TIMEOUT(countKind(run.out.data(), QStringLiteral("ready")), 1, 15000);
    SimFault close;
    close.kind = SimFault::Kind::Close;
    close.closeCode = 4000;
    close.closeReason = k_hostileReason;
    QVERIFY(m_sim->injectFault(QStringLiteral("bad"), close));
    QTRY_VERIFY_WITH_TIMEOUT(countKind(run.out.data(), QStringLiteral("resumed")) >= 1, 15000);
    QVERIFY(run.stop());
    uninstallRedactingMessageHandler();

    const QString all = capture.lines().join(QChar(0x2063));  // a separator no line contains
    QVERIFY2(all.contains(QLatin1String("\\e]0;pwned\\x07\\e[31m\\r\\n{")), qPrintable(escapeControls(all.right(2000))));
    for (const QString &line : capture.lines())
        QVERIFY2(!hasControls(line), qPrintable(escapeControls(line)));
}

// The real binary against the simulator: /proc/PID/limits shows no core file, and after a close
// with a hostile reason every stderr line starts with the fixed prefix and holds no raw control
// character, so nothing on stderr can pass for a JSON Lines event or steer a terminal.
void tst_BadInput::binaryHasNoCoreDumpsAndPrefixesStderr()
{
    QVERIFY(writeFile(path("c.json"), account(R"("child")")));
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("gatewatch.*.debug=false"));
    env.insert(QStringLiteral("XDG_STATE_HOME"), m_dir->path());
    p.setProcessEnvironment(env);
    p.start(gatewatchBinary(), {QStringLiteral("--headless"), QStringLiteral("--config"), path("c.json"),
                                QStringLiteral("--gateway-url"), m_sim->gatewayUrl().toString(),
                                QStringLiteral("--api-base"), m_sim->apiBase().toString(),
                                QStringLiteral("--duration"), QStringLiteral("120")});
    QVERIFY(p.waitForStarted(10000));
    QByteArray stdoutData;
    QTRY_VERIFY_WITH_TIMEOUT((stdoutData += p.readAllStandardOutput(), countKind(stdoutData, QStringLiteral("ready")) == 1), 20000);

    QFile limits(QStringLiteral("/proc/%1/limits").arg(p.processId()));
    QVERIFY(limits.open(QIODevice::ReadOnly));
    const QList<QByteArray> limitLines = limits.readAll().split('\n');
    const auto core = std::find_if(limitLines.cbegin(), limitLines.cend(),
                                   [](const QByteArray &l) { return l.startsWith("Max core file size"); });
    QVERIFY(core != limitLines.cend());
    QCOMPARE(core->simplified().split(' ').mid(4, 2), (QList<QByteArray>{"0", "0"}));

    SimFault close;
    close.kind = SimFault::Kind::Close;
    close.closeCode = 4000;
    close.closeReason = k_hostileReason;
    QVERIFY(m_sim->injectFault(QStringLiteral("bad"), close));
    QTRY_VERIFY_WITH_TIMEOUT((stdoutData += p.readAllStandardOutput(), countKind(stdoutData, QStringLiteral("resumed")) >= 1), 20000);
    p.terminate();
    QVERIFY(p.waitForFinished(20000));
    const QByteArray errData = p.readAllStandardError();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
             qPrintable(QStringLiteral("exit status %1, code %2; stderr ends: %3")
                            .arg(int(p.exitStatus()))
                            .arg(p.exitCode())
                            .arg(escapeControls(QString::fromUtf8(errData.right(3000))))));

    QVERIFY2(errData.contains("\\e]0;pwned"), errData.right(2000).constData());  // the reason did reach stderr
    QVERIFY(!errData.contains('\x1b') && !errData.contains('\r') && !errData.contains('\x07'));
    for (const QByteArray &line : errData.split('\n')) {
        if (!line.isEmpty())
            QVERIFY2(line.startsWith("[gatewatch ") || line.startsWith("gatewatch: "), line.constData());
    }
    QVERIFY(!errData.contains(k_token.toUtf8()));

    // The resume state it wrote ($XDG_STATE_HOME/gatewatch/…) is its user's only.
    const QString stateDir = m_dir->filePath(QStringLiteral("gatewatch"));
    struct stat st{};
    QCOMPARE(::stat(QFile::encodeName(stateDir).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0700u);
    const QStringList files = QDir(stateDir).entryList(QDir::Files);
    QVERIFY(!files.isEmpty());
    for (const QString &f : files) {
        QCOMPARE(::stat(QFile::encodeName(QDir(stateDir).filePath(f)).constData(), &st), 0);
        QVERIFY2((st.st_mode & 0777) == 0600, qPrintable(f));
    }
}

void tst_BadInput::processHardeningInProcess()
{
    const ProcessHardening h = hardenProcess();
    QVERIFY2(h.problem.isEmpty(), qPrintable(h.problem));
    QVERIFY(h.coreDumpsOff);
    QCOMPARE(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    rlimit core{}, files{};
    QCOMPARE(getrlimit(RLIMIT_CORE, &core), 0);
    QCOMPARE(core.rlim_cur, rlim_t(0));
    QCOMPARE(getrlimit(RLIMIT_NOFILE, &files), 0);
    QCOMPARE(files.rlim_cur, files.rlim_max);  // the soft limit raised to the hard one
    const mode_t mask = ::umask(077);
    QCOMPARE(mask, mode_t(077));
}

QTEST_GUILESS_MAIN(tst_BadInput)
#include "tst_badinput.moc"
