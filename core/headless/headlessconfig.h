#pragma once

#include "expected.h"
#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QUrl>

#include <chrono>
#include <optional>
#include <utility>

namespace gw {

//! One account of a headless config. The token is NOT here: only where to read it from.
struct HeadlessAccountConfig
{
    QString name;                    //!< display name: JSON Lines "account" and the metrics label
    QString tokenEnv;                //!< name of an environment variable holding the token, or
    QString tokenFile;               //!< path of a file holding it (absolute after parsing), or
    QString tokenCredential;         //!< name of a systemd credential ($CREDENTIALS_DIRECTORY/NAME)
    quint32 intents = 1;             //!< GUILDS by default
    QUrl apiBase;                    //!< empty: https://discord.com/api/v10
    QUrl gatewayUrl;                 //!< empty: from GET /gateway/bot
    //! `"shards"`: "first" (default: shard 0 of the recommended count), "all" (one session per
    //! shard of the recommended count) or [id, count] (that shard only).
    bool allShards = false;
    std::optional<std::pair<int, int>> fixedShard;
    //! `"compress"`: "zlib-stream" (default), "zstd-stream" or "none".
    Compression compression = Compression::ZlibStream;
};

//! A token read from token_env / token_file (kept apart from QString so errors cannot be mixed up).
struct HeadlessToken
{
    QString value;
};

//! `gatewatch --headless --config FILE` (docs/headless.md). Parsing is strict: unknown
//! keys are errors (a typo must not silently drop a setting) and every error is a value, one
//! sentence naming the key.
struct HeadlessConfig
{
    QList<HeadlessAccountConfig> accounts;
    GatewayTimings timings;          //!< defaults, the "preset", then the *_ms keys on top
    std::optional<QString> metricsListen;   //!< "127.0.0.1:9464"; nullopt: no /metrics
    bool metricsAllowNonLoopback = false;   //!< metrics.allow_non_loopback
    QString database;                //!< event store path (absolute after parsing); empty: none

    //! Parse JSON text. Relative paths (token_file, database) are resolved against `baseDir`.
    static Expected<HeadlessConfig, QString> parse(const QByteArray &json, const QString &baseDir);
    //! Read and parse a file (relative paths resolved against the file's directory): a regular
    //! file of at most 1 MiB, opened non-blocking. Duplicate keys and names with control
    //! characters are errors.
    static Expected<HeadlessConfig, QString> load(const QString &path);

    //! `--gateway-url` / `--api-base`: a valid URL replaces every account's value.
    void applyOverrides(const QUrl &gatewayUrl, const QUrl &apiBase);

    //! Reads one account's token from its env var or file. Errors: variable unset or empty; file
    //! missing, not a regular file, over 4,096 bytes, unreadable, empty, or readable/writable by
    //! group or others (chmod 600 it); a token with a space, CR, LF, NUL, another control
    //! character or a non-ASCII character.
    //! A "Bot " prefix and surrounding whitespace are removed. The error never contains the token.
    static Expected<HeadlessToken, QString> readToken(const HeadlessAccountConfig &account);

    //! Every account's token (readToken), in the order of `accounts`, and no account's name may
    //! contain any of them (a name is printed, stored and exported in clear). The first error wins.
    [[nodiscard]] Expected<QList<HeadlessToken>, QString> readTokens() const;
};

//! `--ca-file PATH`: the PEM certificates of a regular file of at most 1 MiB (opened like the
//! config). An unreadable file, or one without a single PEM certificate, is an error naming it.
Expected<QList<QSslCertificate>, QString> loadCaFile(const QString &path);

//! `--duration SECONDS`: a finite number from 1 s to ten years (fractions allowed), else an error
//! naming the accepted range. Longer than a QTimer can count; HeadlessRunner chains its timer.
Expected<std::chrono::milliseconds, QString> parseDurationSeconds(const QString &text);

} // namespace gw
