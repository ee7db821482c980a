#include "headlessconfig.h"

#include "intents.h"
#include "jsonkeys_p.h"
#include "textsafety.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

namespace gw {

namespace {

struct DurationKey
{
    const char *key;
    std::chrono::milliseconds GatewayTimings::*member;
};

struct CountKey
{
    const char *key;
    int GatewayTimings::*member;
};

// Every GatewayTimings field, in milliseconds or as a count (docs/headless.md, "timings").
constexpr DurationKey k_durations[] = {
    {"handshake_timeout_ms", &GatewayTimings::handshakeTimeout},
    {"hello_timeout_ms", &GatewayTimings::helloTimeout},
    {"backoff_base_ms", &GatewayTimings::backoffBase},
    {"backoff_max_ms", &GatewayTimings::backoffMax},
    {"stable_after_ms", &GatewayTimings::stableAfter},
    {"flapping_window_ms", &GatewayTimings::flappingWindow},
    {"invalid_session_delay_min_ms", &GatewayTimings::invalidSessionDelayMin},
    {"invalid_session_delay_max_ms", &GatewayTimings::invalidSessionDelayMax},
    {"identify_bucket_interval_ms", &GatewayTimings::identifyBucketInterval},
    {"send_window_ms", &GatewayTimings::sendWindow},
    {"latency_warning_ms", &GatewayTimings::latencyWarning},
    {"ready_timeout_ms", &GatewayTimings::readyTimeout},
    {"hello_watch_ms", &GatewayTimings::helloWatch},
    {"reconnect_watchdog_ms", &GatewayTimings::reconnectStallTimeout},
    {"restart_backoff_base_ms", &GatewayTimings::restartBackoffBase},
    {"restart_backoff_max_ms", &GatewayTimings::restartBackoffMax},
};

constexpr CountKey k_counts[] = {
    {"reconnect_budget", &GatewayTimings::reconnectBudget},
    {"identify_remaining_floor", &GatewayTimings::identifyRemainingFloor},
    {"send_limit", &GatewayTimings::sendLimit},
    {"startup_ready_retries", &GatewayTimings::startupReadyRetries},
    {"max_hello_stalls", &GatewayTimings::maxHelloStalls},
    {"flapping_sessions", &GatewayTimings::flappingSessions},
};

QString err(const char *text)
{
    return QString::fromUtf8(text);
}

constexpr qint64 k_maxConfigBytes = 1024 * 1024;
constexpr qint64 k_maxTokenBytes = 4096;

struct FileBytes
{
    QByteArray data;
    mode_t mode = 0;
};

//! A regular file of at most `cap` bytes, whole. Opened non-blocking (a FIFO must not hang the
//! start) and checked with fstat on the open descriptor: a FIFO, a device such as /dev/zero or a
//! directory is refused, and so is a file over the cap (never cut short).
Expected<FileBytes, QString> readBoundedFile(const QString &path, qint64 cap)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return errno == ENOENT ? QStringLiteral("cannot read %1: it does not exist").arg(path)
                               : QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    struct stat st{};
    FileBytes out;
    QString problem;
    if (::fstat(fd, &st) != 0)
        problem = QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    else if (!S_ISREG(st.st_mode))
        problem = QStringLiteral("%1 is not a regular file (a FIFO, device or directory is not read)").arg(path);
    else if (st.st_size > cap)
        problem = QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(cap);
    out.mode = st.st_mode;
    while (problem.isEmpty()) {
        char buf[8192];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            problem = QStringLiteral("cannot read %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        else if (n == 0)
            break;
        else if (out.data.size() + n > cap)
            problem = QStringLiteral("%1 is larger than %2 bytes").arg(path).arg(cap);  // it grew
        else
            out.data.append(buf, qsizetype(n));
    }
    ::close(fd);
    if (!problem.isEmpty())
        return escapeControls(problem);
    return out;
}

// The range is checked before the cast: converting a double past qint64 is undefined (found by
// fuzz_config: "ready_timeout_ms": 1.6e88).
bool isNonNegativeInteger(const QJsonValue &v)
{
    const double d = v.toDouble(-1);
    return v.isDouble() && d >= 0 && d <= 9.0e15 && d == std::floor(d);
}

//! Longest timing a QTimer can count (its interval is an int of milliseconds): 24 days.
constexpr double k_maxTimingMs = 2073600000.0;

Expected<quint32, QString> parseIntents(const QJsonValue &v, const QString &where)
{
    if (isNonNegativeInteger(v) && v.toDouble() <= double(0xffffffffu))
        return quint32(v.toDouble());
    if (v.isArray()) {
        quint32 mask = 0;
        for (const QJsonValue &item : v.toArray()) {
            const QString name = item.toString().trimmed().toUpper();
            bool found = false;
            for (const IntentInfo &info : Intents::table()) {
                if (name == QLatin1String(info.name)) {
                    mask |= info.value();
                    found = true;
                    break;
                }
            }
            if (!found)
                return QStringLiteral("%1.intents: unknown intent \"%2\" (use Discord's names, e.g. "
                                      "\"GUILDS\", or the integer bitfield)").arg(where, item.toString());
        }
        return mask;
    }
    return QStringLiteral("%1.intents: expected an integer bitfield or an array of intent names").arg(where);
}

Expected<QUrl, QString> parseUrl(const QJsonValue &v, const QString &where, const QStringList &schemes)
{
    if (!v.isString())
        return QStringLiteral("%1: expected a URL string").arg(where);
    const QUrl url(v.toString(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty() || !schemes.contains(url.scheme()))
        return QStringLiteral("%1: \"%2\" is not a %3 URL").arg(where, v.toString(), schemes.join(QLatin1Char('/')));
    return url;
}

QString resolvePath(const QString &path, const QString &baseDir)
{
    if (path.isEmpty())
        return path;
    QString p = path;
    if (p.startsWith(QLatin1String("~/")))
        p = QDir::homePath() + p.mid(1);
    return QFileInfo(p).isAbsolute() ? QDir::cleanPath(p) : QDir(baseDir).absoluteFilePath(p);
}

Expected<bool, QString> parseTimings(const QJsonObject &o, GatewayTimings &t)
{
    if (o.contains(QLatin1String("preset"))) {
        const QString preset = o.value(QLatin1String("preset")).toString();
        if (preset == QLatin1String("fast"))
            t = GatewayTimings::fast();
        else if (preset == QLatin1String("defaults"))
            t = GatewayTimings::defaults();
        else
            return QStringLiteral("timings.preset: expected \"defaults\" or \"fast\", got \"%1\"").arg(preset);
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString key = it.key();
        if (key == QLatin1String("preset"))
            continue;
        bool known = false;
        for (const DurationKey &dk : k_durations) {
            if (key == QLatin1String(dk.key)) {
                if (!isNonNegativeInteger(it.value()) || it.value().toDouble() > k_maxTimingMs)
                    return QStringLiteral("timings.%1: expected a whole number of milliseconds from 0 to %2 (24 days)")
                        .arg(key)
                        .arg(qint64(k_maxTimingMs));
                t.*(dk.member) = std::chrono::milliseconds(qint64(it.value().toDouble()));
                known = true;
            }
        }
        for (const CountKey &ck : k_counts) {
            if (key == QLatin1String(ck.key)) {
                if (!isNonNegativeInteger(it.value()) || it.value().toDouble() > 1e9)
                    return QStringLiteral("timings.%1: expected a non-negative integer").arg(key);
                t.*(ck.member) = int(it.value().toDouble());
                known = true;
            }
        }
        if (!known)
            return QStringLiteral("timings.%1: unknown key (see docs/headless.md for the list)").arg(key);
    }
    if (t.invalidSessionDelayMin > t.invalidSessionDelayMax)
        return err("timings: invalid_session_delay_min_ms is larger than invalid_session_delay_max_ms");
    if (t.backoffBase > t.backoffMax)
        return err("timings: backoff_base_ms is larger than backoff_max_ms");
    return true;
}

Expected<bool, QString> checkTopLevelKeys(const QJsonObject &root)
{
    static const QSet<QString> topKeys{QStringLiteral("accounts"), QStringLiteral("timings"),
                                       QStringLiteral("metrics"), QStringLiteral("database")};
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (it.key() == QLatin1String("token") || it.key() == QLatin1String("tokens"))
            return err("config: a token must never be written in the config file; use \"token_env\" "
                       "(an environment variable) or \"token_file\" (a file only you can read) per account");
        if (!topKeys.contains(it.key()))
            return QStringLiteral("config: unknown key \"%1\" (expected accounts, timings, metrics, database)").arg(it.key());
    }
    return true;
}

//! An inline token is refused, and every key must be known.
Expected<bool, QString> checkAccountKeys(const QJsonObject &a, const QString &where)
{
    static const QSet<QString> accountKeys{QStringLiteral("name"), QStringLiteral("token_env"), QStringLiteral("token_file"),
                                           QStringLiteral("token_credential"), QStringLiteral("intents"), QStringLiteral("api_base"), QStringLiteral("gateway_url"),
                                           QStringLiteral("shards"), QStringLiteral("compress")};
    if (a.contains(QLatin1String("token")))
        return QStringLiteral("%1: an inline \"token\" is refused: a token must never be written in the config "
                              "file. Use \"token_env\": \"NAME\" (an environment variable) or \"token_file\": "
                              "\"PATH\" (a file with mode 600).").arg(where);
    for (auto it = a.begin(); it != a.end(); ++it) {
        if (!accountKeys.contains(it.key()))
            return QStringLiteral("%1: unknown key \"%2\"").arg(where, it.key());
    }
    return true;
}

//! Exactly one of token_env / token_file / token_credential.
Expected<bool, QString> parseTokenSource(const QJsonObject &a, const QString &where, const QString &baseDir,
                                         HeadlessAccountConfig &acc)
{
    const int sources = int(a.contains(QLatin1String("token_env"))) + int(a.contains(QLatin1String("token_file")))
                        + int(a.contains(QLatin1String("token_credential")));
    if (sources != 1)
        return QStringLiteral("%1 (\"%2\"): give exactly one of \"token_env\", \"token_file\" or \"token_credential\"")
            .arg(where, acc.name);
    if (a.contains(QLatin1String("token_env"))) {
        acc.tokenEnv = a.value(QLatin1String("token_env")).toString();
        if (acc.tokenEnv.isEmpty())
            return QStringLiteral("%1.token_env: expected the name of an environment variable").arg(where);
        return true;
    }
    if (a.contains(QLatin1String("token_credential"))) {
        acc.tokenCredential = a.value(QLatin1String("token_credential")).toString();
        if (acc.tokenCredential.isEmpty() || acc.tokenCredential.contains(QLatin1Char('/'))
            || acc.tokenCredential == QLatin1String(".") || acc.tokenCredential == QLatin1String("..")
            || hasControls(acc.tokenCredential))
            return QStringLiteral("%1.token_credential: expected the name of a systemd credential (LoadCredential=NAME:…)")
                .arg(where);
        return true;
    }
    const QString file = a.value(QLatin1String("token_file")).toString();
    if (file.isEmpty())
        return QStringLiteral("%1.token_file: expected a path").arg(where);
    acc.tokenFile = resolvePath(file, baseDir);
    return true;
}

//! An optional URL key of an account; `out` is left alone when the key is absent.
Expected<bool, QString> parseOptionalUrl(const QJsonObject &a, const char *key, const QString &where,
                                         const QStringList &schemes, QUrl &out)
{
    if (!a.contains(QLatin1String(key)))
        return true;
    auto url = parseUrl(a.value(QLatin1String(key)), where + QLatin1Char('.') + QLatin1String(key), schemes);
    if (!url)
        return url.error();
    out = url.value();
    return true;
}

//! `"shards"`: "first", "all" or [id, count] with 0 <= id < count.
Expected<bool, QString> parseShards(const QJsonObject &a, const QString &where, HeadlessAccountConfig &acc)
{
    if (!a.contains(QLatin1String("shards")))
        return true;
    const QJsonValue v = a.value(QLatin1String("shards"));
    if (v == QJsonValue(QStringLiteral("first")))
        return true;
    if (v == QJsonValue(QStringLiteral("all"))) {
        acc.allShards = true;
        return true;
    }
    const QJsonArray pair = v.toArray();
    const auto whole = [](const QJsonValue &n) {
        const double d = n.toDouble(-1);
        return n.isDouble() && d >= 0 && d <= 1e6 && d == double(qint64(d)) ? int(d) : -1;
    };
    const int id = pair.size() == 2 ? whole(pair.at(0)) : -1;
    const int count = pair.size() == 2 ? whole(pair.at(1)) : -1;
    if (!v.isArray() || id < 0 || count < 1 || id >= count)
        return QStringLiteral("%1.shards: expected \"first\", \"all\" or [id, count] with 0 <= id < count").arg(where);
    acc.fixedShard = std::make_pair(id, count);
    return true;
}

//! One element of "accounts"; `names` holds the names seen so far (they must be unique).
Expected<HeadlessAccountConfig, QString> parseAccount(const QJsonValue &av, const QString &where,
                                                      const QString &baseDir, QSet<QString> &names)
{
    if (!av.isObject())
        return QStringLiteral("%1: expected an object").arg(where);
    const QJsonObject a = av.toObject();
    if (auto ok = checkAccountKeys(a, where); !ok)
        return ok.error();
    HeadlessAccountConfig acc;
    acc.name = a.value(QLatin1String("name")).toString().trimmed();
    if (acc.name.isEmpty())
        return QStringLiteral("%1.name: a non-empty display name is required").arg(where);
    if (const auto problem = nameTextProblem(acc.name))
        return QStringLiteral("%1.name: %2").arg(where, *problem);
    if (names.contains(acc.name))
        return QStringLiteral("%1.name: \"%2\" is used twice; names label the JSON Lines and the metrics, "
                              "so they must be unique").arg(where, acc.name);
    names.insert(acc.name);
    if (auto ok = parseTokenSource(a, where, baseDir, acc); !ok)
        return ok.error();
    if (a.contains(QLatin1String("intents"))) {
        auto intents = parseIntents(a.value(QLatin1String("intents")), where);
        if (!intents)
            return intents.error();
        acc.intents = intents.value();
    }
    if (auto ok = parseOptionalUrl(a, "api_base", where, {QStringLiteral("http"), QStringLiteral("https")}, acc.apiBase); !ok)
        return ok.error();
    if (auto ok = parseOptionalUrl(a, "gateway_url", where, {QStringLiteral("ws"), QStringLiteral("wss")}, acc.gatewayUrl); !ok)
        return ok.error();
    if (auto ok = parseShards(a, where, acc); !ok)
        return ok.error();
    if (a.contains(QLatin1String("compress"))) {
        const QJsonValue v = a.value(QLatin1String("compress"));
        const auto compression = v.isString() ? compressionFromName(v.toString()) : std::nullopt;
        if (!compression)
            return QStringLiteral("%1.compress: expected \"zlib-stream\", \"zstd-stream\" or \"none\"").arg(where);
        acc.compression = *compression;
    }
    return acc;
}

Expected<bool, QString> parseAccounts(const QJsonValue &accounts, const QString &baseDir, HeadlessConfig &config)
{
    if (!accounts.isArray() || accounts.toArray().isEmpty())
        return err("config: \"accounts\" must be a non-empty array");
    QSet<QString> names;
    int index = 0;
    for (const QJsonValue &av : accounts.toArray()) {
        auto acc = parseAccount(av, QStringLiteral("accounts[%1]").arg(index++), baseDir, names);
        if (!acc)
            return acc.error();
        config.accounts.append(acc.value());
    }
    return true;
}

Expected<bool, QString> parseMetrics(const QJsonValue &mv, HeadlessConfig &config)
{
    if (!mv.isObject())
        return err("config: \"metrics\" must be an object");
    const QJsonObject m = mv.toObject();
    for (auto it = m.begin(); it != m.end(); ++it) {
        if (it.key() != QLatin1String("listen") && it.key() != QLatin1String("allow_non_loopback"))
            return QStringLiteral("metrics: unknown key \"%1\" (expected listen, allow_non_loopback)").arg(it.key());
    }
    const QJsonValue listen = m.value(QLatin1String("listen"));
    if (!listen.isString() || listen.toString().trimmed().isEmpty())
        return err("metrics.listen: expected \"HOST:PORT\", e.g. \"127.0.0.1:9464\"");
    config.metricsListen = listen.toString().trimmed();
    const QJsonValue allow = m.value(QLatin1String("allow_non_loopback"));
    if (!allow.isUndefined() && !allow.isBool())
        return err("metrics.allow_non_loopback: expected true or false");
    config.metricsAllowNonLoopback = allow.toBool(false);
    return true;
}

} // namespace

Expected<HeadlessConfig, QString> HeadlessConfig::parse(const QByteArray &json, const QString &baseDir)
{
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError)
        return QStringLiteral("config: not valid JSON at offset %1: %2").arg(perr.offset).arg(perr.errorString());
    if (!doc.isObject())
        return err("config: the top level must be a JSON object");
    // QJsonDocument keeps the last of two equal keys; a config must not silently lose one.
    if (const auto duplicate = firstDuplicateKey(json))
        return QStringLiteral("config: key \"%1\" appears twice in one object (at byte %2); remove one")
            .arg(escapeControls(duplicate->key))
            .arg(duplicate->offset);
    const QJsonObject root = doc.object();
    if (auto ok = checkTopLevelKeys(root); !ok)
        return ok.error();

    HeadlessConfig config;
    if (auto ok = parseAccounts(root.value(QLatin1String("accounts")), baseDir, config); !ok)
        return ok.error();
    if (root.contains(QLatin1String("timings"))) {
        const QJsonValue tv = root.value(QLatin1String("timings"));
        if (!tv.isObject())
            return err("config: \"timings\" must be an object");
        auto ok = parseTimings(tv.toObject(), config.timings);
        if (!ok)
            return ok.error();
    }
    if (root.contains(QLatin1String("metrics"))) {
        if (auto ok = parseMetrics(root.value(QLatin1String("metrics")), config); !ok)
            return ok.error();
    }
    if (root.contains(QLatin1String("database"))) {
        const QJsonValue dv = root.value(QLatin1String("database"));
        if (!dv.isString() || dv.toString().isEmpty())
            return err("database: expected a file path");
        config.database = resolvePath(dv.toString(), baseDir);
    }
    return config;
}

Expected<HeadlessConfig, QString> HeadlessConfig::load(const QString &path)
{
    auto file = readBoundedFile(path, k_maxConfigBytes);
    if (!file)
        return QStringLiteral("config: %1").arg(file.error());
    return parse(file->data, QFileInfo(path).absolutePath());
}

Expected<QList<QSslCertificate>, QString> loadCaFile(const QString &path)
{
    auto file = readBoundedFile(path, k_maxConfigBytes);
    if (!file)
        return QStringLiteral("--ca-file: %1").arg(file.error());
    QList<QSslCertificate> certificates = QSslCertificate::fromData(file->data, QSsl::Pem);
    if (certificates.isEmpty())
        return QStringLiteral("--ca-file: %1 holds no PEM certificate").arg(path);
    return certificates;
}

Expected<std::chrono::milliseconds, QString> parseDurationSeconds(const QString &text)
{
    constexpr double maxSeconds = 10 * 365.25 * 86400;  // ten years
    bool ok = false;
    const double seconds = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(seconds) || seconds < 1 || seconds > maxSeconds)
        return QStringLiteral("expected a number of seconds from 1 to %1 (ten years), got \"%2\"")
            .arg(qint64(maxSeconds))
            .arg(escapeControls(QStringView(text).left(40)));
    return std::chrono::milliseconds(std::llround(seconds * 1000));
}

void HeadlessConfig::applyOverrides(const QUrl &gatewayUrl, const QUrl &apiBase)
{
    for (HeadlessAccountConfig &a : accounts) {
        if (gatewayUrl.isValid() && !gatewayUrl.isEmpty())
            a.gatewayUrl = gatewayUrl;
        if (apiBase.isValid() && !apiBase.isEmpty())
            a.apiBase = apiBase;
    }
}

Expected<HeadlessToken, QString> HeadlessConfig::readToken(const HeadlessAccountConfig &account)
{
    QString token;
    QString source = account.tokenEnv;
    if (!account.tokenEnv.isEmpty()) {
        const QByteArray name = account.tokenEnv.toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            return QStringLiteral("account \"%1\": environment variable %2 (token_env) is not set")
                .arg(account.name, account.tokenEnv);
        token = qEnvironmentVariable(name.constData());
    } else if (!account.tokenCredential.isEmpty()) {
        // systemd's credentials: a private directory only this service can read (LoadCredential=).
        const QString dir = qEnvironmentVariable("CREDENTIALS_DIRECTORY");
        if (dir.isEmpty())
            return QStringLiteral("account \"%1\": token_credential %2 needs $CREDENTIALS_DIRECTORY, which systemd "
                                  "sets for a unit with LoadCredential=%2:PATH").arg(account.name, account.tokenCredential);
        source = QDir(dir).filePath(account.tokenCredential);
        auto file = readBoundedFile(source, k_maxTokenBytes);
        if (!file)
            return QStringLiteral("account \"%1\": token_credential %2").arg(account.name, file.error());
        token = QString::fromUtf8(file->data);
    } else {
        source = account.tokenFile;
        auto file = readBoundedFile(account.tokenFile, k_maxTokenBytes);
        if (!file)
            return QStringLiteral("account \"%1\": token_file %2").arg(account.name, file.error());
        if (file->mode & (S_IRWXG | S_IRWXO))
            return QStringLiteral("account \"%1\": token_file %2 is accessible by group or others; refusing to "
                                  "use it. Run: chmod 600 %2").arg(account.name, account.tokenFile);
        token = QString::fromUtf8(file->data);
    }
    token = token.trimmed();
    if (token.startsWith(QLatin1String("Bot "), Qt::CaseInsensitive))
        token = token.mid(4).trimmed();
    if (token.isEmpty())
        return QStringLiteral("account \"%1\": the token (%2) is empty").arg(account.name, source);
    if (const auto problem = tokenTextProblem(token))
        return QStringLiteral("account \"%1\": %2 (%3)").arg(account.name, *problem, source);
    return HeadlessToken{token};
}

Expected<QList<HeadlessToken>, QString> HeadlessConfig::readTokens() const
{
    QList<HeadlessToken> tokens;
    for (const HeadlessAccountConfig &a : accounts) {
        auto token = readToken(a);
        if (!token)
            return token.error();
        tokens.append(token.value());
    }
    for (qsizetype i = 0; i < accounts.size(); ++i) {
        for (const HeadlessToken &token : std::as_const(tokens)) {
            if (accounts.at(i).name.contains(token.value))
                return QStringLiteral("accounts[%1].name contains a bot token; names are shown, stored and "
                                      "exported in clear, so choose another name").arg(i);
        }
    }
    return tokens;
}

} // namespace gw
