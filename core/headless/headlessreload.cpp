// Reloading the headless config (docs/headless.md, "Reloading the config"): the comparison of the
// running config with the new file, and the line that reports it. HeadlessRunner applies it.

#include "headlessreload.h"

#include "metricsregistry.h"
#include "monitorapp.h"
#include "tokenvault.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSet>

namespace gw {

namespace {

//! What an account's sessions use, apart from the token and the id (createdAt is not compared).
bool sameSessionSettings(const AccountRecord &a, const AccountRecord &b)
{
    return a.name == b.name && a.intents == b.intents && a.gatewayUrlOverride == b.gatewayUrlOverride
        && a.apiBaseOverride == b.apiBaseOverride && a.shardMode == b.shardMode && a.fixedShard == b.fixedShard
        && a.compression == b.compression && a.paused == b.paused;
}

QString nameList(const QStringList &names)
{
    return names.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(names.join(QStringLiteral(", ")));
}

//! The settings that take effect at start only: `plan.config` keeps the running value of each,
//! and the report names those the new file changes.
void keepStartOnlySettings(const HeadlessConfig &running, const HeadlessConfig &next, HeadlessReloadPlan &plan)
{
    HeadlessConfig &kept = plan.config;
    QStringList &restart = plan.report.needsRestart;
    if (next.database != running.database)
        restart.append(QStringLiteral("database"));
    if (next.metricsListen != running.metricsListen)
        restart.append(QStringLiteral("metrics.listen"));
    if (next.metricsAllowNonLoopback != running.metricsAllowNonLoopback)
        restart.append(QStringLiteral("metrics.allow_non_loopback"));
    // One set of timings for every account, given to the account manager when it is made.
    if (!(next.timings == running.timings))
        restart.append(QStringLiteral("timings"));
    kept.database = running.database;
    kept.metricsListen = running.metricsListen;
    kept.metricsAllowNonLoopback = running.metricsAllowNonLoopback;
    kept.timings = running.timings;
}

} // namespace

AccountRecord headlessAccountRecord(const HeadlessAccountConfig &account)
{
    AccountRecord record = unsavedAccountRecord(account.name, account.intents, account.gatewayUrl, account.apiBase);
    record.shardMode = account.allShards ? AccountRecord::ShardMode::AllShards
                                         : AccountRecord::ShardMode::RecommendedFirst;
    record.fixedShard = account.fixedShard;
    record.compression = account.compression;
    return record;
}

QByteArray headlessTokenDigest(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

HeadlessReloadPlan planHeadlessReload(const HeadlessConfig &running, const QHash<QString, QByteArray> &runningDigests,
                                      const HeadlessConfig &next, const QList<HeadlessToken> &nextTokens)
{
    HeadlessReloadPlan plan;
    plan.config = next;
    keepStartOnlySettings(running, next, plan);

    QHash<QString, AccountRecord> before;
    for (const HeadlessAccountConfig &a : running.accounts) {
        const AccountRecord record = headlessAccountRecord(a);
        before.insert(record.id, record);
    }
    QSet<QString> kept;
    for (qsizetype i = 0; i < next.accounts.size(); ++i) {
        const AccountRecord record = headlessAccountRecord(next.accounts.at(i));
        const auto it = before.constFind(record.id);
        if (it == before.constEnd()) {
            plan.report.added.append(record.name);
            continue;
        }
        kept.insert(record.id);
        const QByteArray digest = i < nextTokens.size() ? headlessTokenDigest(nextTokens.at(i).value) : QByteArray();
        if (sameSessionSettings(*it, record) && runningDigests.value(record.id) == digest)
            plan.report.unchanged.append(record.name);
        else
            plan.report.changed.append(record.name);
    }
    for (const HeadlessAccountConfig &a : running.accounts) {
        if (!kept.contains(headlessAccountRecord(a).id))
            plan.report.removed.append(a.name);
    }
    return plan;
}

void applyHeadlessReload(const HeadlessReloadPlan &plan, const HeadlessConfig &running,
                         const QList<HeadlessToken> &tokens, const HeadlessReloadTarget &target)
{
    for (const HeadlessAccountConfig &a : running.accounts) {
        if (!plan.report.removed.contains(a.name))
            continue;
        const QString id = headlessAccountRecord(a).id;
        target.app.removeAccount(id, target.context, [](const std::optional<VaultError> &) {});
        target.tokenDigests.remove(id);
        if (target.metrics)
            target.metrics->removeAccount(id);
    }
    for (qsizetype i = 0; i < plan.config.accounts.size() && i < tokens.size(); ++i) {
        const AccountRecord record = headlessAccountRecord(plan.config.accounts.at(i));
        if (plan.report.unchanged.contains(record.name))
            continue;  // the same connection, the same session
        target.tokenDigests.insert(record.id, headlessTokenDigest(tokens.at(i).value));
        target.app.monitorSessionAccount(record, tokens.at(i).value);
    }
}

QJsonObject HeadlessReload::fields() const
{
    return {{QStringLiteral("added"), QJsonArray::fromStringList(added)},
            {QStringLiteral("removed"), QJsonArray::fromStringList(removed)},
            {QStringLiteral("changed"), QJsonArray::fromStringList(changed)},
            {QStringLiteral("unchanged"), QJsonArray::fromStringList(unchanged)},
            {QStringLiteral("needs_restart"), QJsonArray::fromStringList(needsRestart)}};
}

QString HeadlessReload::summary() const
{
    // One arg() pass: a name holding "%2" must not be substituted into.
    const auto part = [](const QStringList &names, const char *what) {
        return QStringLiteral("%1 %2%3").arg(QString::number(names.size()), QLatin1String(what), nameList(names));
    };
    QString text = QStringLiteral("config reloaded: %1, %2, %3, %4")
                       .arg(part(added, "added"), part(removed, "removed"), part(changed, "changed"),
                            part(unchanged, "unchanged"));
    if (!needsRestart.isEmpty())
        text += QStringLiteral("; %1 changed in the file but only take effect after a restart (the running values stay)")
                    .arg(needsRestart.join(QStringLiteral(", ")));
    return text;
}

} // namespace gw
