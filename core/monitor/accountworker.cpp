#include "accountworker_p.h"

#include "logging.h"

#include <QDateTime>

namespace gw {

AccountWorker::AccountWorker(GatewayTimings timings, SharedState *shared)
    : m_timings(timings)
    , m_shared(shared)
    , m_coalesceTimer(this)  // a child, so moveToThread() takes it along
{
    m_coalesceTimer.setSingleShot(true);
    m_coalesceTimer.setInterval(CoalesceInterval);
    m_coalesceTimer.callOnTimeout(this, &AccountWorker::flushCoalesced);
}

AccountWorker::~AccountWorker() = default;

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
    Q_EMIT membershipChanged(id, true);
    publish(m_entries[id], true);
    if (!record.paused)
        startEntry(id);
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
    Q_EMIT membershipChanged(id, false);
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
        stopEntry(entry, SessionEnd::Keep);  // a quit: the next start resumes
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
    Q_EMIT stoppedAll();
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
        Q_EMIT statusPublished(entry.status);
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
        Q_EMIT statusPublished(entry.status);
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
    // A sharded account's own lines (restarts) are about every shard: "shard": null.
    if (isSharded(entry.record) && !e.fields.contains(QLatin1String("shard")))
        e.fields.insert(QStringLiteral("shard"), QJsonValue(QJsonValue::Null));
    qCInfo(lcAccounts).noquote() << entry.record.name << message;
    Q_EMIT eventPublished(e);
}

} // namespace gw
