#pragma once

#include "accountrecord.h"
#include "headlessconfig.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

class QObject;

namespace gw {

class MetricsRegistry;
class MonitorApp;

//! The record headless monitors for one config account. Its id is derived from the name
//! (unsavedAccountRecord), so the same name is the same account on every run and every reload.
[[nodiscard]] AccountRecord headlessAccountRecord(const HeadlessAccountConfig &account);

//! What one reload of the config did (SIGHUP, HeadlessRunner::reload; docs/headless.md,
//! "Reloading the config"). Accounts are listed by name: names are unique in a config, every line
//! calls an account by its name, and each account's id is derived from its name.
struct HeadlessReload
{
    QStringList added;      //!< started
    QStringList removed;    //!< stopped (close 1000), forgotten, their metrics dropped
    QStringList changed;    //!< restarted with the new settings or token (a fresh IDENTIFY)
    QStringList unchanged;  //!< not touched: the same connection and session
    //! Settings whose new value only takes effect at the next start: "database",
    //! "metrics.listen", "metrics.allow_non_loopback", "timings". The running values stay.
    QStringList needsRestart;

    [[nodiscard]] QJsonObject fields() const;  //!< the `config_reloaded` line's fields
    //! One sentence: "config reloaded: 1 added (c), 1 removed (b), 0 changed, 1 unchanged (a)".
    [[nodiscard]] QString summary() const;
};

//! A reload worked out before anything is touched.
struct HeadlessReloadPlan
{
    HeadlessReload report;
    //! What runs after the reload: the accounts of the new file, and the running value of every
    //! setting that cannot change live.
    HeadlessConfig config;
};

//! SHA-256 of a token: the runner keeps this to tell a new token from the same one without a
//! second copy of the token itself.
[[nodiscard]] QByteArray headlessTokenDigest(const QString &token);

//! Compares the running config with the new one account by account id. An account is changed
//! when anything its sessions use differs: token (`runningDigests`: account id → digest of the
//! running token; `nextTokens` in the order of `next.accounts`), intents, gateway URL, API base,
//! shards, compression.
[[nodiscard]] HeadlessReloadPlan planHeadlessReload(const HeadlessConfig &running,
                                                   const QHash<QString, QByteArray> &runningDigests,
                                                   const HeadlessConfig &next,
                                                   const QList<HeadlessToken> &nextTokens);

//! What applyHeadlessReload() works on: the runner's monitor, metrics and token digests.
struct HeadlessReloadTarget
{
    MonitorApp &app;
    MetricsRegistry *metrics;                 //!< may be null
    QHash<QString, QByteArray> &tokenDigests; //!< account id → digest of its running token
    QObject *context;                         //!< for MonitorApp::removeAccount's callback
};

//! Applies `plan` (made from `running`): a removed account leaves through
//! MonitorApp::removeAccount (close 1000, resume state and session token deleted) and its metrics
//! series are dropped; added and changed accounts go through MonitorApp::monitorSessionAccount
//! (start, or restart with the new record and token); unchanged accounts are not touched.
//! `tokens` are in the order of `plan.config.accounts`.
void applyHeadlessReload(const HeadlessReloadPlan &plan, const HeadlessConfig &running,
                         const QList<HeadlessToken> &tokens, const HeadlessReloadTarget &target);

} // namespace gw
