// HeadlessConfig: the `--headless --config FILE` contract of docs/headless.md.
#include "headlessconfig.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

class tst_HeadlessConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parse_data();
    void parse();
    void timingsAndMetrics();
    void relativePathsResolveAgainstConfigDir();
    void tokenFromFile_data();
    void tokenFromFile();
    void tokenFromEnv_data();
    void tokenFromEnv();
    void overrides_data();
    void overrides();
    void loadMissingFile();

private:
    QTemporaryDir m_dir;
};

void tst_HeadlessConfig::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void tst_HeadlessConfig::parse_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorContains");  // for failures; empty for success

    QTest::newRow("minimal env") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A_TOKEN"}]})") << true << QString();
    QTest::newRow("minimal file") << QByteArray(R"({"accounts":[{"name":"a","token_file":"/x/a.token"}]})") << true << QString();
    QTest::newRow("full") << QByteArray(R"({"accounts":[{"name":"music-bot","token_env":"T","intents":["GUILDS","GUILD_MEMBERS"],
        "api_base":"http://127.0.0.1:1/api/v10","gateway_url":"ws://127.0.0.1:2"}],
        "timings":{"preset":"fast","ready_timeout_ms":500},"metrics":{"listen":"127.0.0.1:9464"},"database":"/tmp/x.db"})")
                          << true << QString();
    QTest::newRow("inline token refused")
        << QByteArray(R"({"accounts":[{"name":"a","token":"MTIz.abc.def"}]})") << false << QStringLiteral("inline \"token\" is refused");
    QTest::newRow("inline token refused even with env")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","token":"x"}]})") << false << QStringLiteral("inline \"token\" is refused");
    QTest::newRow("top-level token refused")
        << QByteArray(R"({"token":"x","accounts":[{"name":"a","token_env":"A"}]})") << false << QStringLiteral("must never be written");
    QTest::newRow("not json") << QByteArray("{accounts:") << false << QStringLiteral("not valid JSON");
    QTest::newRow("not an object") << QByteArray("[]") << false << QStringLiteral("top level");
    QTest::newRow("no accounts") << QByteArray(R"({"accounts":[]})") << false << QStringLiteral("non-empty array");
    QTest::newRow("unknown top key") << QByteArray(R"({"acounts":[]})") << false << QStringLiteral("unknown key \"acounts\"");
    QTest::newRow("unknown account key")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","intent":1}]})") << false << QStringLiteral("unknown key \"intent\"");
    QTest::newRow("no name") << QByteArray(R"({"accounts":[{"token_env":"A"}]})") << false << QStringLiteral("display name");
    QTest::newRow("duplicate names")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"},{"name":"a","token_env":"B"}]})") << false << QStringLiteral("used twice");
    QTest::newRow("no token source") << QByteArray(R"({"accounts":[{"name":"a"}]})") << false << QStringLiteral("exactly one of");
    QTest::newRow("both token sources")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","token_file":"f"}]})") << false << QStringLiteral("exactly one of");
    QTest::newRow("unknown intent")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","intents":["GUILDZ"]}]})") << false << QStringLiteral("unknown intent");
    QTest::newRow("negative intents")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","intents":-1}]})") << false << QStringLiteral("intents");
    QTest::newRow("gateway url http")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","gateway_url":"http://x"}]})") << false << QStringLiteral("ws/wss");
    QTest::newRow("unknown timing")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"timings":{"ready_timeout":5}})") << false << QStringLiteral("timings.ready_timeout");
    QTest::newRow("negative timing")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"timings":{"hello_timeout_ms":-5}})") << false
        << QStringLiteral("whole number of milliseconds from 0 to");
    QTest::newRow("timing past 24 days")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"timings":{"hello_timeout_ms":2073600001}})") << false
        << QStringLiteral("(24 days)");
    QTest::newRow("bad preset")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"timings":{"preset":"slow"}})") << false << QStringLiteral("timings.preset");
    QTest::newRow("shards first") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":"first"}]})") << true << QString();
    QTest::newRow("shards all") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":"all"}]})") << true << QString();
    QTest::newRow("shards pair") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":[3,16]}]})") << true << QString();
    QTest::newRow("shards unknown word")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":"most"}]})") << false << QStringLiteral("accounts[0].shards");
    QTest::newRow("shards id not below count")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":[4,4]}]})") << false << QStringLiteral("0 <= id < count");
    QTest::newRow("shards negative")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":[-1,4]}]})") << false << QStringLiteral("0 <= id < count");
    QTest::newRow("shards fraction")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":[0.5,4]}]})") << false << QStringLiteral("0 <= id < count");
    QTest::newRow("shards three numbers")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":[0,4,1]}]})") << false << QStringLiteral("[id, count]");
    QTest::newRow("shards a number") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","shards":4}]})") << false << QStringLiteral("\"all\"");
    QTest::newRow("compress zstd") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":"zstd-stream"}]})") << true << QString();
    QTest::newRow("compress zlib") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":"zlib-stream"}]})") << true << QString();
    QTest::newRow("compress none") << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":"none"}]})") << true << QString();
    QTest::newRow("compress unknown word")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":"zstd"}]})") << false
        << QStringLiteral("accounts[0].compress: expected \"zlib-stream\", \"zstd-stream\" or \"none\"");
    QTest::newRow("compress bool (the settings file's old form) refused")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":true}]})") << false << QStringLiteral("accounts[0].compress");
    QTest::newRow("compress wrong case")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A","compress":"ZSTD-STREAM"}]})") << false << QStringLiteral("accounts[0].compress");
    QTest::newRow("metrics without listen")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"metrics":{}})") << false << QStringLiteral("metrics.listen");
    QTest::newRow("metrics unknown key")
        << QByteArray(R"({"accounts":[{"name":"a","token_env":"A"}],"metrics":{"listen":":1","auth":"x"}})") << false << QStringLiteral("unknown key \"auth\"");
}

void tst_HeadlessConfig::parse()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, ok);
    QFETCH(QString, errorContains);
    const auto config = HeadlessConfig::parse(json, m_dir.path());
    QCOMPARE(config.hasValue(), ok);
    if (!ok) {
        QVERIFY2(config.error().contains(errorContains), qPrintable(config.error()));
        // Errors never echo a token value.
        QVERIFY(!config.error().contains(QLatin1String("MTIz.abc.def")));
    }
}

void tst_HeadlessConfig::timingsAndMetrics()
{
    const auto config = HeadlessConfig::parse(R"({"accounts":[{"name":"music-bot","token_env":"T","intents":["GUILDS","GUILD_MEMBERS"],
        "api_base":"http://127.0.0.1:1/api/v10","gateway_url":"ws://127.0.0.1:2"},{"name":"b","token_env":"U","intents":513}],
        "timings":{"preset":"fast","ready_timeout_ms":500,"reconnect_watchdog_ms":7000,"handshake_timeout_ms":100,
                   "hello_timeout_ms":200,"reconnect_budget":7,"stable_after_ms":2500,"flapping_window_ms":30000,
                   "flapping_sessions":4},
        "metrics":{"listen":"0.0.0.0:9464","allow_non_loopback":true},"database":"/tmp/x.db"})",
                                              m_dir.path());
    QVERIFY2(config.hasValue(), config.hasValue() ? "" : qPrintable(config.error()));
    const HeadlessConfig &c = config.value();
    QCOMPARE(c.accounts.size(), 2);
    QCOMPARE(c.accounts.at(0).name, QStringLiteral("music-bot"));
    QCOMPARE(c.accounts.at(0).intents, quint32(1 | 2));
    QCOMPARE(c.accounts.at(0).apiBase, QUrl(QStringLiteral("http://127.0.0.1:1/api/v10")));
    QCOMPARE(c.accounts.at(0).gatewayUrl, QUrl(QStringLiteral("ws://127.0.0.1:2")));
    QCOMPARE(c.accounts.at(1).intents, quint32(513));
    QCOMPARE(c.timings.readyTimeout, 500ms);
    QCOMPARE(c.timings.reconnectStallTimeout, 7000ms);
    QCOMPARE(c.timings.handshakeTimeout, 100ms);
    QCOMPARE(c.timings.helloTimeout, 200ms);
    QCOMPARE(c.timings.reconnectBudget, 7);
    QCOMPARE(c.timings.stableAfter, 2500ms);
    QCOMPARE(c.timings.flappingWindow, 30000ms);
    QCOMPARE(c.timings.flappingSessions, 4);
    QCOMPARE(c.timings.helloWatch, GatewayTimings::fast().helloWatch);  // from the preset
    QCOMPARE(c.metricsListen.value_or(QString()), QStringLiteral("0.0.0.0:9464"));
    QVERIFY(c.metricsAllowNonLoopback);
    QCOMPARE(c.database, QStringLiteral("/tmp/x.db"));

    const auto defaults = HeadlessConfig::parse(R"({"accounts":[{"name":"a","token_env":"A"}]})", m_dir.path());
    QVERIFY(defaults.hasValue());
    QVERIFY(!defaults->metricsListen.has_value());  // metrics off by default
    QVERIFY(defaults->database.isEmpty());
    QCOMPARE(defaults->timings.readyTimeout, GatewayTimings::defaults().readyTimeout);
    QCOMPARE(defaults->accounts.first().intents, quint32(1));
    QVERIFY(!defaults->accounts.first().allShards);  // "shards": "first" by default
    QVERIFY(!defaults->accounts.first().fixedShard);
    QCOMPARE(defaults->accounts.first().compression, Compression::ZlibStream);  // "compress" default

    const auto compressions = HeadlessConfig::parse(
        R"({"accounts":[{"name":"a","token_env":"A","compress":"zstd-stream"},{"name":"b","token_env":"B","compress":"none"},
                        {"name":"c","token_env":"C","compress":"zlib-stream"}]})",
        m_dir.path());
    QVERIFY(compressions.hasValue());
    QCOMPARE(compressions->accounts.at(0).compression, Compression::ZstdStream);
    QCOMPARE(compressions->accounts.at(1).compression, Compression::None);
    QCOMPARE(compressions->accounts.at(2).compression, Compression::ZlibStream);

    const auto sharded = HeadlessConfig::parse(
        R"({"accounts":[{"name":"a","token_env":"A","shards":"all"},{"name":"b","token_env":"B","shards":[3,16]}]})",
        m_dir.path());
    QVERIFY(sharded.hasValue());
    QVERIFY(sharded->accounts.at(0).allShards);
    QVERIFY(!sharded->accounts.at(0).fixedShard);
    QVERIFY(!sharded->accounts.at(1).allShards);
    QCOMPARE(sharded->accounts.at(1).fixedShard, std::make_optional(std::make_pair(3, 16)));
}

void tst_HeadlessConfig::relativePathsResolveAgainstConfigDir()
{
    const QString path = m_dir.filePath(QStringLiteral("headless.json"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"accounts":[{"name":"a","token_file":"tokens/a.token"}],"database":"events.db"})");
    f.close();
    const auto config = HeadlessConfig::load(path);
    QVERIFY(config.hasValue());
    QCOMPARE(config->accounts.first().tokenFile, QDir(m_dir.path()).filePath(QStringLiteral("tokens/a.token")));
    QCOMPARE(config->database, QDir(m_dir.path()).filePath(QStringLiteral("events.db")));
}

void tst_HeadlessConfig::tokenFromFile_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<int>("permissions");   // QFileDevice::Permissions; -1 = do not create
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorContains");
    const int owner = int(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QTest::newRow("0600") << QByteArray("secret-token-value-1\n") << owner << true << QString();
    QTest::newRow("0400 with Bot prefix") << QByteArray("Bot secret-token-value-1") << int(QFileDevice::ReadOwner) << true << QString();
    QTest::newRow("0644 world-readable") << QByteArray("secret-token-value-1") << (owner | int(QFileDevice::ReadGroup | QFileDevice::ReadOther))
                                          << false << QStringLiteral("chmod 600");
    QTest::newRow("0604 other-readable") << QByteArray("secret-token-value-1") << (owner | int(QFileDevice::ReadOther)) << false << QStringLiteral("group or others");
    QTest::newRow("0640 group-readable") << QByteArray("secret-token-value-1") << (owner | int(QFileDevice::ReadGroup)) << false << QStringLiteral("group or others");
    QTest::newRow("0620 group-writable") << QByteArray("secret-token-value-1") << (owner | int(QFileDevice::WriteGroup)) << false << QStringLiteral("group or others");
    QTest::newRow("missing") << QByteArray() << -1 << false << QStringLiteral("does not exist");
    QTest::newRow("empty") << QByteArray("  \n") << owner << false << QStringLiteral("empty");
}

void tst_HeadlessConfig::tokenFromFile()
{
    QFETCH(QByteArray, content);
    QFETCH(int, permissions);
    QFETCH(bool, ok);
    QFETCH(QString, errorContains);
    HeadlessAccountConfig account;
    account.name = QStringLiteral("a");
    account.tokenFile = m_dir.filePath(QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_')));
    if (permissions >= 0) {
        QFile f(account.tokenFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::Permissions(permissions)));
    }
    const auto token = HeadlessConfig::readToken(account);
    QCOMPARE(token.hasValue(), ok);
    if (ok) {
        QCOMPARE(token->value, QStringLiteral("secret-token-value-1"));
    } else {
        QVERIFY2(token.error().contains(errorContains), qPrintable(token.error()));
        QVERIFY(!token.error().contains(QLatin1String("secret-token-value-1")));
    }
}

void tst_HeadlessConfig::tokenFromEnv_data()
{
    QTest::addColumn<bool>("set");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("errorContains");
    QTest::newRow("set") << true << QByteArray("env-token-value-2") << true << QString();
    QTest::newRow("set with Bot and spaces") << true << QByteArray("  Bot env-token-value-2 ") << true << QString();
    QTest::newRow("unset") << false << QByteArray() << false << QStringLiteral("is not set");
    QTest::newRow("empty") << true << QByteArray("") << false << QStringLiteral("empty");
}

void tst_HeadlessConfig::tokenFromEnv()
{
    QFETCH(bool, set);
    QFETCH(QByteArray, value);
    QFETCH(bool, ok);
    QFETCH(QString, errorContains);
    const char *name = "GATEWATCH_TST_HEADLESS_TOKEN";
    if (set)
        qputenv(name, value);
    else
        qunsetenv(name);
    HeadlessAccountConfig account;
    account.name = QStringLiteral("a");
    account.tokenEnv = QString::fromLatin1(name);
    const auto token = HeadlessConfig::readToken(account);
    qunsetenv(name);
    QCOMPARE(token.hasValue(), ok);
    if (ok)
        QCOMPARE(token->value, QStringLiteral("env-token-value-2"));
    else
        QVERIFY2(token.error().contains(errorContains) && token.error().contains(QLatin1String(name)), qPrintable(token.error()));
}

void tst_HeadlessConfig::overrides_data()
{
    QTest::addColumn<QUrl>("gateway");
    QTest::addColumn<QUrl>("api");
    QTest::addColumn<QUrl>("expectedGateway");
    QTest::addColumn<QUrl>("expectedApi");
    const QUrl cfgGw(QStringLiteral("wss://gw.example.invalid")), cfgApi(QStringLiteral("https://api.example.invalid/api/v10"));
    const QUrl simGw(QStringLiteral("ws://127.0.0.1:4000")), simApi(QStringLiteral("http://127.0.0.1:4001/api/v10"));
    QTest::newRow("none") << QUrl() << QUrl() << cfgGw << cfgApi;
    QTest::newRow("gateway only") << simGw << QUrl() << simGw << cfgApi;
    QTest::newRow("api only") << QUrl() << simApi << cfgGw << simApi;
    QTest::newRow("both") << simGw << simApi << simGw << simApi;
}

void tst_HeadlessConfig::overrides()
{
    QFETCH(QUrl, gateway);
    QFETCH(QUrl, api);
    QFETCH(QUrl, expectedGateway);
    QFETCH(QUrl, expectedApi);
    auto config = HeadlessConfig::parse(R"({"accounts":[
        {"name":"a","token_env":"A","gateway_url":"wss://gw.example.invalid","api_base":"https://api.example.invalid/api/v10"},
        {"name":"b","token_env":"B","gateway_url":"wss://gw.example.invalid","api_base":"https://api.example.invalid/api/v10"}]})",
                                        m_dir.path());
    QVERIFY(config.hasValue());
    HeadlessConfig c = config.value();
    c.applyOverrides(gateway, api);
    for (const HeadlessAccountConfig &a : std::as_const(c.accounts)) {
        QCOMPARE(a.gatewayUrl, expectedGateway);
        QCOMPARE(a.apiBase, expectedApi);
    }
}

void tst_HeadlessConfig::loadMissingFile()
{
    const auto config = HeadlessConfig::load(m_dir.filePath(QStringLiteral("nope.json")));
    QVERIFY(!config.hasValue());
    QVERIFY(config.error().contains(QLatin1String("cannot read")));
}

QTEST_GUILESS_MAIN(tst_HeadlessConfig)
#include "tst_headlessconfig.moc"
