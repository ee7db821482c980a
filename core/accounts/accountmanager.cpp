#include "accountmanager.h"

#include "accountregistry.h"
#include "accountsupervisor.h"
#include "discordrest.h"
#include "gatewayclient.h"
#include "identifygate.h"
#include "resumestatestore.h"
#include "logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QThread>
#include <QTimer>

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

namespace {

//! At most one coalesced snapshot per account per this interval (architecture.md, "Threads").
constexpr auto CoalesceInterval = 100ms;

//! Reasons a person must fix: never restarted automatically (seed-lifecycle.md §8 b).
bool needsPerson(const GatewayError &error)
{
    switch (error.kind) {
    case GatewayError::Kind::FatalClose:
    case GatewayError::Kind::IdentifyRefused:
    case GatewayError::Kind::Unauthorized:
        return true;
    case GatewayError::Kind::None:
    case GatewayError::Kind::Transport:
    case GatewayError::Kind::Protocol:
    case GatewayError::Kind::HandshakeTimeout:
    case GatewayError::Kind::HelloTimeout:
    case GatewayError::Kind::ReconnectBudgetExhausted:
    case GatewayError::Kind::Rest:
    case GatewayError::Kind::ReadyTimeout:
    case GatewayError::Kind::WatchdogTimeout:
        return false;
    }
    return true;
}

QByteArray tokenKey(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

} // namespace

//! What the manager's thread reads and the worker writes: snapshots only, under one mutex.
struct SharedState
{
    mutable QMutex mutex;
    QStringList order;
    QHash<QString, AccountStatus> statuses;
    QHash<QString, AccountRecord> records;
    std::shared_ptr<ResumeStateStore> resumeStore;  //!< G9 §5; may be null
};

//! Lives in the worker thread; owns every supervisor, client, gate and the shared NAM.
class AccountWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountWorker)

public:
    AccountWorker(GatewayTimings timings, SharedState *shared)
        : m_timings(timings)
        , m_shared(shared)
        , m_coalesceTimer(this)  // a child, so moveToThread() takes it along
    {
        m_coalesceTimer.setSingleShot(true);
        m_coalesceTimer.setInterval(CoalesceInterval);
        m_coalesceTimer.callOnTimeout(this, &AccountWorker::flushCoalesced);
    }
    ~AccountWorker() override = default;

    void add(const AccountRecord &record, const QString &token);
    void update(const AccountRecord &record, const std::optional<QString> &token);
    void remove(const QString &id);
    void pause(const QString &id);
    void resume(const QString &id);
    void forceReconnect(const QString &id, ReconnectMode mode);
    void stopAll();
    //! Destruction path: supervisors torn down silently.
    void shutdown();

Q_SIGNALS:
    void statusChanged(const gw::AccountStatus &status);
    void eventLogged(const gw::EventLogEntry &entry);
    void accountAdded(const QString &accountId);
    void accountRemoved(const QString &accountId);
    void allStopped();

private:
    struct Entry
    {
        AccountRecord record;
        QString token;
        QByteArray gateKey;
        //! One supervisor per shard: RecommendedFirst runs one (shard 0 of the recommended
        //! count); AllShards runs one per shard of GET /gateway/bot's count.
        struct Shard
        {
            QPointer<AccountSupervisor> supervisor;
            AccountStatus status;
        };
        QList<Shard> shards;
        bool fetchingShards = false;
        QTimer *restartTimer = nullptr;
        quint64 generation = 0;
        int restarts = 0;               //!< total, shown in the status
        int consecutiveRestarts = 0;    //!< backoff exponent; reset on READY/RESUMED
        AccountStatus status;
        ConnectionState lastEmittedState = ConnectionState::Stopped;
        bool lastEmittedPaused = false;
        qint64 lastEmitMs = 0;
        bool dirty = false;
    };

    void ensureInfrastructure();
    IdentifyGate *gateFor(Entry &entry);
    void releaseGate(const QByteArray &key);
    void startEntry(const QString &id);
    void startShards(const QString &id, int shardCount);
    void stopEntry(Entry &entry);
    static bool isActive(const Entry &entry);
    static AccountStatus aggregate(const Entry &entry);
    void handleSupervisorStatus(const QString &id, quint64 generation, int shard, const AccountStatus &status);
    void handleSupervisorFinished(const QString &id, quint64 generation, int shard,
                                  AccountSupervisor::Outcome outcome, const GatewayError &error);
    void scheduleRestart(const QString &id, const GatewayError &error);
    void publish(Entry &entry, bool force);
    void flushCoalesced();
    void logManagerEvent(const Entry &entry, EventKind kind, Severity severity, const QString &message,
                         const QJsonObject &fields);
    void checkAllStopped();
    std::shared_ptr<ResumeStateStore> resumeStore() const
    {
        QMutexLocker lock(&m_shared->mutex);
        return m_shared->resumeStore;
    }

    GatewayTimings m_timings;
    SharedState *m_shared;
    QNetworkAccessManager *m_nam = nullptr;
    AccountRegistry *m_registry = nullptr;
    DiscordRest *m_rest = nullptr;
    QHash<QString, Entry> m_entries;
    QHash<QByteArray, QPair<QPointer<IdentifyGate>, int>> m_gates;
    QTimer m_coalesceTimer;
    bool m_stoppingAll = false;
};

void AccountWorker::ensureInfrastructure()
{
    if (!m_nam)
        m_nam = new QNetworkAccessManager(this);
    if (!m_registry)
        m_registry = new AccountRegistry(this);
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

namespace {
//! Lower is worse: the account shows its worst shard.
int stateRank(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Failed: return 0;
    case ConnectionState::Reconnecting: return 1;
    case ConnectionState::Connecting: return 2;
    case ConnectionState::AwaitingHello: return 3;
    case ConnectionState::Identifying: return 4;
    case ConnectionState::Resuming: return 5;
    case ConnectionState::Degraded: return 6;
    case ConnectionState::Stopped: return 7;
    case ConnectionState::Ready: return 8;
    }
    return 0;
}
} // namespace

AccountStatus AccountWorker::aggregate(const Entry &entry)
{
    if (entry.shards.size() <= 1)
        return entry.shards.isEmpty() ? entry.status : entry.shards.constFirst().status;
    // Shard 0 carries the session/latency figures; the rest are folded in.
    AccountStatus s = entry.shards.constFirst().status;
    for (int i = 1; i < entry.shards.size(); ++i) {
        const AccountStatus &o = entry.shards.at(i).status;
        if (stateRank(o.state) < stateRank(s.state)) {
            s.state = o.state;
            s.stateSince = o.stateSince;
            s.nextAttemptAt = o.nextAttemptAt;
        }
        s.connected = s.connected && o.connected;
        s.identifies += o.identifies;
        s.resumes += o.resumes;
        s.disconnects += o.disconnects;
        s.helloStalls = std::max(s.helloStalls, o.helloStalls);
        if (o.lastEventAt > s.lastEventAt)
            s.lastEventAt = o.lastEventAt;
        if (o.lastDisconnect && (!s.lastDisconnect || o.lastDisconnect->at > s.lastDisconnect->at))
            s.lastDisconnect = o.lastDisconnect;
        if (!o.failure.isNone() && s.failure.isNone())
            s.failure = o.failure;
        if (!o.lastError.isEmpty() && s.lastError.isEmpty())
            s.lastError = o.lastError;
    }
    return s;
}

IdentifyGate *AccountWorker::gateFor(Entry &entry)
{
    // One gate per token, shared by every shard/account using it (protocol.md A11).
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

void AccountWorker::add(const AccountRecord &record, const QString &token)
{
    ensureInfrastructure();
    if (m_entries.contains(record.id))
        return;
    Entry entry;
    entry.record = record;
    entry.token = token;
    entry.status.accountId = record.id;
    entry.status.accountName = record.name;
    entry.status.paused = record.paused;
    entry.restartTimer = new QTimer(this);
    entry.restartTimer->setSingleShot(true);
    const QString id = record.id;
    entry.restartTimer->callOnTimeout(this, [this, id] { startEntry(id); });
    m_entries.insert(id, entry);
    Q_EMIT accountAdded(id);
    publish(m_entries[id], true);
    if (!record.paused)
        startEntry(id);
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

void AccountWorker::startShards(const QString &id, int shardCount)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    // shardCount 0: RecommendedFirst, one supervisor with shard nullopt → [0, recommended].
    const int runs = std::max(1, shardCount);
    if (entry.gateKey.isEmpty() || !m_gates.contains(entry.gateKey))
        entry.gateKey.clear();
    IdentifyGate *gate = entry.gateKey.isEmpty() ? gateFor(entry) : m_gates.value(entry.gateKey).first.data();
    const quint64 generation = ++entry.generation;
    entry.shards.clear();
    entry.shards.resize(runs);
    for (int shard = 0; shard < runs; ++shard) {
        GatewayClientConfig config;
        config.token = entry.token;
        config.intents = entry.record.intents;
        if (!entry.record.apiBaseOverride.isEmpty())
            config.apiBase = entry.record.apiBaseOverride;
        config.gatewayUrlOverride = entry.record.gatewayUrlOverride;
        config.compress = entry.record.compress;
        config.timings = m_timings;
        if (shardCount > 0)
            config.shard = std::make_pair(shard, shardCount);
        auto *client = new GatewayClient(config, gate, m_nam);
        if (const auto store = resumeStore())
            store->attach(client, id + QLatin1Char('/') + QString::number(shard));

        AccountSupervisor::Options options;
        options.accountId = id;
        options.accountName = entry.record.name;
        options.timings = m_timings;
        options.registry = shard == 0 ? m_registry : nullptr;  // the registry keys by account
        auto *supervisor = new AccountSupervisor(options, client, this);
        entry.shards[shard].supervisor = supervisor;
        entry.shards[shard].status = entry.status;
        connect(supervisor, &AccountSupervisor::statusChanged, this,
                [this, id, generation, shard](const AccountStatus &status) {
                    handleSupervisorStatus(id, generation, shard, status);
                });
        connect(supervisor, &AccountSupervisor::eventLogged, this, &AccountWorker::eventLogged);
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

void AccountWorker::stopEntry(Entry &entry)
{
    entry.restartTimer->stop();
    entry.fetchingShards = false;
    // Each stop() emits finished(Stopped) → handleSupervisorFinished, which ignores it (the
    // shard's supervisor pointer is already cleared).
    for (int i = 0; i < entry.shards.size(); ++i) {
        if (AccountSupervisor *supervisor = entry.shards[i].supervisor) {
            entry.shards[i].supervisor = nullptr;
            supervisor->stop();
            supervisor->deleteLater();
        }
    }
}

void AccountWorker::update(const AccountRecord &record, const std::optional<QString> &token)
{
    auto it = m_entries.find(record.id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    const bool wasRunning = isActive(entry) || entry.restartTimer->isActive();
    stopEntry(entry);
    entry.record = record;
    if (token && *token != entry.token) {
        releaseGate(entry.gateKey);
        entry.gateKey.clear();
        entry.token = *token;
    }
    entry.status.accountName = record.name;
    entry.status.paused = record.paused;
    if (record.paused || !wasRunning) {
        entry.status.state = ConnectionState::Stopped;
        entry.status.connected = false;
        publish(entry, true);
        if (!record.paused && !wasRunning)
            startEntry(record.id);
        return;
    }
    startEntry(record.id);
}

void AccountWorker::remove(const QString &id)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    stopEntry(*it);
    it->restartTimer->deleteLater();
    const QByteArray gateKey = it->gateKey;
    m_entries.erase(it);
    releaseGate(gateKey);
    Q_EMIT accountRemoved(id);
    checkAllStopped();
}

void AccountWorker::pause(const QString &id)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    stopEntry(entry);
    entry.record.paused = true;
    entry.status.paused = true;
    entry.status.connected = false;
    entry.status.state = ConnectionState::Stopped;
    entry.status.stateSince = QDateTime::currentDateTimeUtc();
    entry.status.nextAttemptAt = {};
    QJsonObject fields;
    fields.insert(QStringLiteral("action"), QStringLiteral("pause"));
    logManagerEvent(entry, EventKind::UserAction, Severity::Info, QStringLiteral("monitoring paused"), fields);
    publish(entry, true);
}

void AccountWorker::resume(const QString &id)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    Entry &entry = *it;
    if (isActive(entry) && !entry.record.paused)
        return;
    entry.record.paused = false;
    entry.status.paused = false;
    entry.consecutiveRestarts = 0;
    QJsonObject fields;
    fields.insert(QStringLiteral("action"), QStringLiteral("resume"));
    logManagerEvent(entry, EventKind::UserAction, Severity::Info, QStringLiteral("monitoring resumed"), fields);
    publish(entry, true);
    startEntry(id);
}

void AccountWorker::forceReconnect(const QString &id, ReconnectMode mode)
{
    auto it = m_entries.find(id);
    if (it == m_entries.end())
        return;
    if (isActive(*it)) {
        for (const Entry::Shard &shard : std::as_const(it->shards)) {
            if (shard.supervisor)
                shard.supervisor->forceReconnect(mode);
        }
        return;
    }
    // Waiting out a restart backoff: the user asked for now.
    if (it->restartTimer->isActive())
        startEntry(id);
}

void AccountWorker::stopAll()
{
    m_stoppingAll = true;
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        Entry &entry = *it;
        const bool wasActive = isActive(entry) || entry.restartTimer->isActive();
        stopEntry(entry);
        if (wasActive) {
            entry.status.connected = false;
            entry.status.state = ConnectionState::Stopped;
            entry.status.nextAttemptAt = {};
            publish(entry, true);
        }
    }
    checkAllStopped();
}

void AccountWorker::checkAllStopped()
{
    if (!m_stoppingAll)
        return;
    for (const Entry &entry : std::as_const(m_entries)) {
        if (isActive(entry))
            return;
    }
    m_stoppingAll = false;
    Q_EMIT allStopped();
}

void AccountWorker::shutdown()
{
    m_coalesceTimer.stop();
    for (Entry &entry : m_entries) {
        entry.restartTimer->stop();
        for (Entry::Shard &shard : entry.shards) {
            if (AccountSupervisor *supervisor = shard.supervisor) {
                shard.supervisor = nullptr;
                disconnect(supervisor, nullptr, this, nullptr);
                delete supervisor;  // teardown without emitting
            }
        }
    }
    m_entries.clear();
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
    // §8 b: only this account, after a visible, doubling backoff.
    const int exponent = std::min(entry.consecutiveRestarts, 20);
    const auto base = m_timings.restartBackoffBase;
    auto delay = base * (qint64(1) << exponent);
    if (delay > m_timings.restartBackoffMax || delay < base)
        delay = m_timings.restartBackoffMax;
    ++entry.consecutiveRestarts;
    ++entry.restarts;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    entry.status.restarts = entry.restarts;
    entry.status.state = ConnectionState::Reconnecting;
    entry.status.stateSince = now;
    entry.status.nextAttemptAt = now.addMSecs(delay.count());
    entry.status.failure = error;
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

void AccountWorker::publish(Entry &entry, bool force)
{
    {
        QMutexLocker lock(&m_shared->mutex);
        if (m_shared->statuses.contains(entry.record.id)) {
            m_shared->statuses.insert(entry.record.id, entry.status);
            m_shared->records.insert(entry.record.id, entry.record);
        }
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const bool stateChanged = entry.status.state != entry.lastEmittedState
        || entry.status.paused != entry.lastEmittedPaused;
    if (force || stateChanged || now - entry.lastEmitMs >= qint64(CoalesceInterval.count())) {
        entry.dirty = false;
        entry.lastEmitMs = now;
        entry.lastEmittedState = entry.status.state;
        entry.lastEmittedPaused = entry.status.paused;
        Q_EMIT statusChanged(entry.status);
        return;
    }
    entry.dirty = true;
    if (!m_coalesceTimer.isActive())
        m_coalesceTimer.start();
}

void AccountWorker::flushCoalesced()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool pending = false;
    for (Entry &entry : m_entries) {
        if (!entry.dirty)
            continue;
        if (now - entry.lastEmitMs < qint64(CoalesceInterval.count()) - 5) {
            pending = true;
            continue;
        }
        entry.dirty = false;
        entry.lastEmitMs = now;
        entry.lastEmittedState = entry.status.state;
        entry.lastEmittedPaused = entry.status.paused;
        Q_EMIT statusChanged(entry.status);
    }
    if (pending)
        m_coalesceTimer.start();
}

void AccountWorker::logManagerEvent(const Entry &entry, EventKind kind, Severity severity,
                                    const QString &message, const QJsonObject &fields)
{
    EventLogEntry e;
    e.at = QDateTime::currentDateTimeUtc();
    e.accountId = entry.record.id;
    e.accountName = entry.record.name;
    e.kind = kind;
    e.severity = severity;
    e.message = message;
    e.fields = fields;
    qCInfo(lcAccounts).noquote() << entry.record.name << message;
    Q_EMIT eventLogged(e);
}

// --- AccountManager ----------------------------------------------------------------------------

class AccountManager::Private
{
public:
    GatewayTimings timings;
    SharedState shared;
    QThread thread;
    AccountWorker *worker = nullptr;

    template<typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(worker, std::forward<F>(f), Qt::QueuedConnection);
    }
};

AccountManager::AccountManager(const GatewayTimings &timings, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<gw::AccountStatus>();
    qRegisterMetaType<gw::EventLogEntry>();
    d->timings = timings;
    d->thread.setObjectName(QStringLiteral("gatewatch-accounts"));
    d->worker = new AccountWorker(timings, &d->shared);
    d->worker->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, d->worker, &QObject::deleteLater);
    connect(d->worker, &AccountWorker::statusChanged, this, &AccountManager::statusChanged);
    connect(d->worker, &AccountWorker::eventLogged, this, &AccountManager::eventLogged);
    connect(d->worker, &AccountWorker::accountAdded, this, &AccountManager::accountAdded);
    connect(d->worker, &AccountWorker::accountRemoved, this, &AccountManager::accountRemoved);
    connect(d->worker, &AccountWorker::allStopped, this, &AccountManager::allStopped);
    d->thread.start();
}

AccountManager::~AccountManager()
{
    AccountWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
}

GatewayTimings AccountManager::timings() const
{
    return d->timings;
}

void AccountManager::add(const AccountRecord &record, const QString &token)
{
    if (!record.isValid()) {
        qCWarning(lcAccounts) << "ignoring an invalid account record";
        return;
    }
    {
        QMutexLocker lock(&d->shared.mutex);
        if (d->shared.records.contains(record.id)) {
            qCWarning(lcAccounts) << "account already added:" << record.id;
            return;
        }
        AccountStatus status;
        status.accountId = record.id;
        status.accountName = record.name;
        status.paused = record.paused;
        d->shared.order.append(record.id);
        d->shared.records.insert(record.id, record);
        d->shared.statuses.insert(record.id, status);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, record, token] { worker->add(record, token); });
}

void AccountManager::update(const AccountRecord &record, const std::optional<QString> &token)
{
    {
        QMutexLocker lock(&d->shared.mutex);
        if (!d->shared.records.contains(record.id))
            return;
        d->shared.records.insert(record.id, record);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, record, token] { worker->update(record, token); });
}

void AccountManager::remove(const QString &accountId)
{
    {
        QMutexLocker lock(&d->shared.mutex);
        d->shared.order.removeAll(accountId);
        d->shared.records.remove(accountId);
        d->shared.statuses.remove(accountId);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->remove(accountId); });
}

void AccountManager::pause(const QString &accountId)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->pause(accountId); });
}

void AccountManager::resume(const QString &accountId)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->resume(accountId); });
}

void AccountManager::forceReconnect(const QString &accountId, ReconnectMode mode)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId, mode] { worker->forceReconnect(accountId, mode); });
}

void AccountManager::setResumeStateStore(std::shared_ptr<ResumeStateStore> store)
{
    QMutexLocker lock(&d->shared.mutex);
    d->shared.resumeStore = std::move(store);
}

void AccountManager::stopAll()
{
    AccountWorker *worker = d->worker;
    d->post([worker] { worker->stopAll(); });
}

QList<AccountStatus> AccountManager::statuses() const
{
    QMutexLocker lock(&d->shared.mutex);
    QList<AccountStatus> list;
    list.reserve(d->shared.order.size());
    for (const QString &id : std::as_const(d->shared.order))
        list.append(d->shared.statuses.value(id));
    return list;
}

std::optional<AccountStatus> AccountManager::status(const QString &accountId) const
{
    QMutexLocker lock(&d->shared.mutex);
    const auto it = d->shared.statuses.constFind(accountId);
    if (it == d->shared.statuses.constEnd())
        return std::nullopt;
    return *it;
}

QList<AccountRecord> AccountManager::records() const
{
    QMutexLocker lock(&d->shared.mutex);
    QList<AccountRecord> list;
    list.reserve(d->shared.order.size());
    for (const QString &id : std::as_const(d->shared.order))
        list.append(d->shared.records.value(id));
    return list;
}

int AccountManager::accountCount() const
{
    QMutexLocker lock(&d->shared.mutex);
    return int(d->shared.order.size());
}

} // namespace gw

#include "accountmanager.moc"
