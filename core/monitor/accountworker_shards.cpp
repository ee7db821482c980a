#include "accountworker_p.h"

#include "accountaggregate_p.h"
#include "attemptspreader.h"
#include "backoff.h"
#include "discordrest.h"
#include "gatewayclient.h"
#include "identifygate.h"
#include "logging.h"
#include "resumestatestore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QNetworkAccessManager>
#include <QRandomGenerator>

#include <algorithm>

namespace gw {

namespace {

QByteArray tokenKey(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace

bool AccountWorker::isSharded(const AccountRecord &record)
{
    return record.fixedShard || record.shardMode == AccountRecord::ShardMode::AllShards;
}

AccountStatus AccountWorker::aggregate(const Entry &entry)
{
    if (entry.shards.isEmpty())
        return entry.status;
    QList<AccountStatus> shards;
    shards.reserve(entry.shards.size());
    for (const Entry::Shard &shard : entry.shards)
        shards.append(shard.status);
    AccountStatus s = aggregateShards(shards);
    s.shard.reset();
    s.shards.clear();
    if (isSharded(entry.record)) {
        for (const Entry::Shard &shard : entry.shards) {
            if (shard.shard)
                s.shards.append(shardState(shard.status, shard.shard->first, shard.shard->second));
        }
    }
    return s;
}

void AccountWorker::ensureInfrastructure()
{
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    if (!m_rest)
        m_rest = new DiscordRest(DiscordRest::defaultApiBase(), m_nam, this);
}

bool AccountWorker::isActive(const Entry &entry)
{
    if (entry.fetchingShards)
        return true;
    return std::any_of(entry.shards.cbegin(), entry.shards.cend(),
                       [](const Entry::Shard &shard) { return !shard.supervisor.isNull(); });
}

IdentifyGate *AccountWorker::gateFor(Entry &entry)
{
    // One gate per token, shared by every shard/account using it (docs/protocol.md, IDENTIFY rate limit).
    entry.gateKey = tokenKey(entry.token);
    auto it = m_gates.find(entry.gateKey);
    if (it == m_gates.end() || !it->first) {
        auto *gate = new IdentifyGate(m_timings.identifyBucketInterval, m_timings.identifyRemainingFloor, this);
        it = m_gates.insert(entry.gateKey, qMakePair(QPointer<IdentifyGate>(gate), 0));
    }
    ++it->second;
    return it->first;
}

void AccountWorker::releaseGate(const QByteArray &key)
{
    auto it = m_gates.find(key);
    if (it == m_gates.end())
        return;
    if (--it->second <= 0) {
        if (it->first)
            it->first->deleteLater();
        m_gates.erase(it);
    }
}

void AccountWorker::startEntry(const QString &id)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    ensureInfrastructure();
    entry.restartTimer->stop();
    if (isActive(entry))
        return;
    m_stoppingAll = false;
    if (const auto fixed = entry.record.fixedShard) {
        startShards(id, fixed->second, fixed->first);
        return;
    }
    if (entry.record.shardMode == AccountRecord::ShardMode::RecommendedFirst) {
        startShards(id, 0);
        return;
    }
    // AllShards: the shard count comes from GET /gateway/bot first (one supervisor per shard).
    entry.fetchingShards = true;
    const quint64 generation = ++entry.generation;
    m_rest->setApiBase(entry.record.apiBaseOverride.isEmpty() ? DiscordRest::defaultApiBase()
                                                              : entry.record.apiBaseOverride);
    m_rest->fetchGatewayBot(entry.token, this, [this, id, generation](Expected<GatewayBotInfo, RestError> result) {
        auto it = m_entries.find(id);
        if (it == m_entries.end() || it->generation != generation || !it->fetchingShards)
            return;
        it->fetchingShards = false;
        int count = 1;
        if (result) {
            count = std::max(1, result->shards);
        } else {
            // The supervisor of shard 0 reports the failure (401 → Failed) with its own fetch.
            qCWarning(lcAccounts).noquote() << it->record.name << "shard count unknown:" << result.error().message;
        }
        startShards(id, count);
    });
}

void AccountWorker::startShards(const QString &id, int shardCount, std::optional<int> onlyShard)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    // shardCount 0: RecommendedFirst, one supervisor with shard nullopt → [0, recommended].
    const int runs = onlyShard ? 1 : std::max(1, shardCount);
    if (entry.gateKey.isEmpty() || !m_gates.contains(entry.gateKey))
        entry.gateKey.clear();
    IdentifyGate *gate = entry.gateKey.isEmpty() ? gateFor(entry) : m_gates.value(entry.gateKey).first.data();
    const quint64 generation = ++entry.generation;
    entry.shards.clear();
    entry.shards.resize(runs);
    for (int shard = 0; shard < runs; ++shard) {
        const int shardId = onlyShard.value_or(shard);
        GatewayClientConfig config;
        config.token = entry.token;
        config.intents = entry.record.intents;
        if (!entry.record.apiBaseOverride.isEmpty())
            config.apiBase = entry.record.apiBaseOverride;
        config.gatewayUrlOverride = entry.record.gatewayUrlOverride;
        config.compression = entry.record.compression;
        config.timings = m_timings;
        if (shardCount > 0)
            config.shard = std::make_pair(shardId, shardCount);
        auto *client = new GatewayClient(config, gate, m_nam);
        if (const auto store = resumeStore())
            store->attach(client, ResumeStateStore::keyFor(id, shardId));

        AccountSupervisor::Options options;
        options.accountId = id;
        options.accountName = entry.record.name;
        options.timings = m_timings;
        if (isSharded(entry.record) && config.shard)
            options.shard = config.shard;
        entry.shards[shard].shard = options.shard;
        auto *supervisor = new AccountSupervisor(options, client, this);
        entry.shards[shard].supervisor = supervisor;
        entry.shards[shard].status = entry.status;
        connect(supervisor, &AccountSupervisor::statusChanged, this,
                [this, id, generation, shard](const AccountStatus &status) {
                    handleSupervisorStatus(id, generation, shard, status);
                });
        connect(supervisor, &AccountSupervisor::eventLogged, this, &AccountWorker::eventPublished);
        connect(supervisor, &AccountSupervisor::finished, this,
                [this, id, generation, shard](AccountSupervisor::Outcome outcome, const GatewayError &error) {
                    handleSupervisorFinished(id, generation, shard, outcome, error);
                });
    }
    // Started after every connection is made: a synchronous finish must find all shards.
    const QList<Entry::Shard> shards = entry.shards;
    for (const Entry::Shard &shard : shards) {
        if (shard.supervisor)
            shard.supervisor->start();
    }
}

void AccountWorker::stopEntry(Entry &entry, SessionEnd end)
{
    entry.restartTimer->stop();
    entry.fetchingShards = false;
    const auto store = resumeStore();
    // Each stop() emits finished(Stopped) → handleSupervisorFinished, which ignores it (the
    // shard's supervisor pointer is already cleared).
    for (int i = 0; i < entry.shards.size(); ++i) {
        if (AccountSupervisor *supervisor = entry.shards[i].supervisor) {
            entry.shards[i].supervisor = nullptr;
            if (end == SessionEnd::Keep) {
                if (store && supervisor->client())
                    store->keep(ResumeStateStore::keyFor(entry.record.id, entry.shards[i].shard ? entry.shards[i].shard->first : i),
                                *supervisor->client());
                supervisor->suspend();
            } else {
                supervisor->stop();
            }
            supervisor->deleteLater();
        }
    }
    if (end == SessionEnd::End && store)
        store->removeAccount(entry.record.id);
}

void AccountWorker::handleSupervisorStatus(const QString &id, quint64 generation, int shard,
                                           const AccountStatus &status)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end() || it->generation != generation || shard >= it->shards.size())
        return;
    Entry &entry = *it;
    entry.shards[shard].status = status;
    // A supervisor that is finishing with a failure emits its final snapshot just before
    // finished(): handleSupervisorFinished() publishes the account's outcome instead (Failed, or
    // Reconnecting with the restart's nextAttemptAt), so no consumer ever sees a "Failed" that
    // is about to be restarted.
    if (const AccountSupervisor *supervisor = entry.shards[shard].supervisor;
        supervisor && supervisor->outcome() && *supervisor->outcome() != AccountSupervisor::Outcome::Stopped)
        return;
    entry.status = aggregate(entry);
    entry.status.restarts = entry.restarts;
    entry.status.paused = entry.record.paused;
    if (entry.status.state == ConnectionState::Ready)
        entry.consecutiveRestarts = 0;
    publish(entry, false);
}

void AccountWorker::handleSupervisorFinished(const QString &id, quint64 generation, int shard,
                                             AccountSupervisor::Outcome outcome, const GatewayError &error)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end() || it->generation != generation || shard >= it->shards.size())
        return;
    Entry &entry = *it;
    AccountSupervisor *finished = entry.shards[shard].supervisor;
    if (!finished) {
        checkAllStopped();  // a stop we asked for
        return;
    }
    entry.shards[shard].supervisor = nullptr;
    finished->deleteLater();
    if (outcome != AccountSupervisor::Outcome::Stopped) {
        // One shard failed: the account's other shards stop with it (same token, same fate),
        // silently, so the account shows this shard's failure. No other account is touched.
        ++entry.generation;
        for (int i = 0; i < entry.shards.size(); ++i) {
            if (AccountSupervisor *other = entry.shards[i].supervisor) {
                entry.shards[i].supervisor = nullptr;
                disconnect(other, nullptr, this, nullptr);
                other->stop();
                other->deleteLater();
            }
        }
        entry.status = entry.shards[shard].status;
        entry.status.shard.reset();  // the account's status, showing the failed shard's reason
        entry.status.restarts = entry.restarts;
        entry.status.paused = entry.record.paused;
        const bool restartable = outcome == AccountSupervisor::Outcome::Failed && !needsPerson(error) && !m_stoppingAll;
        if (!restartable)
            publish(entry, true);  // Failed: a person must fix it (scheduleRestart publishes otherwise)
    }
    switch (outcome) {
    case AccountSupervisor::Outcome::Stopped:
        break;
    case AccountSupervisor::Outcome::IntentsRejected:
        break;  // a person must enable the intents: stays Failed
    case AccountSupervisor::Outcome::Failed:
        if (!needsPerson(error) && !m_stoppingAll)
            scheduleRestart(id, error);
        break;
    }
    checkAllStopped();
}

void AccountWorker::scheduleRestart(const QString &id, const GatewayError &error)
{
    Entry &entry = m_entries[id];
    // Only this account, after a visible, doubling backoff (docs/lifecycle.md).
    const int exponent = std::min(entry.consecutiveRestarts, 20);
    const auto base = m_timings.restartBackoffBase;
    auto delay = base * (qint64(1) << exponent);
    if (delay > m_timings.restartBackoffMax || delay < base)
        delay = m_timings.restartBackoffMax;
    // Accounts that gave up together (an outage) restart spread over [delay, 1.25 × delay], never
    // at the same instant (docs/lifecycle.md, "Backoff, flapping, jitter").
    const auto wanted = uniformDelay(delay, delay + delay / 4, QRandomGenerator::global()->generateDouble());
    delay = AttemptSpreader::global().place(wanted, delay, delay + delay / 4).delay;
    ++entry.consecutiveRestarts;
    ++entry.restarts;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    entry.status.restarts = entry.restarts;
    entry.status.state = ConnectionState::Reconnecting;
    entry.status.stateSince = now;
    entry.status.nextAttemptAt = now.addMSecs(delay.count());
    entry.status.failure = error;
    entry.restartTimer->setTimerType(Qt::PreciseTimer);  // coarse timers may be aligned with each other
    entry.restartTimer->start(delay);
    QJsonObject fields;
    fields.insert(QStringLiteral("delay_ms"), qint64(delay.count()));
    fields.insert(QStringLiteral("mode"), QStringLiteral("restart"));
    fields.insert(QStringLiteral("attempt"), entry.restarts);
    fields.insert(QStringLiteral("reason"), errorKindName(error.kind));
    logManagerEvent(entry, EventKind::ReconnectScheduled, Severity::Warning,
                    QStringLiteral("restarting this account's monitor in %1 ms (restart %2): %3")
                        .arg(delay.count())
                        .arg(entry.restarts)
                        .arg(error.message),
                    fields);
    publish(entry, true);
}

} // namespace gw
