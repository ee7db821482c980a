#pragma once

// Private to gatewatch_monitor: the worker behind AccountManager (accountmanager.h).

#include "accountrecord.h"
#include "accountstatus.h"
#include "accountsupervisor.h"
#include "eventtypes.h"
#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace gw {

class DiscordRest;
class IdentifyGate;
class ResumeStateStore;

//! At most one coalesced snapshot per account per this interval (docs/architecture.md, "Threads").
inline constexpr std::chrono::milliseconds CoalesceInterval{100};

//! What the manager's thread reads and the worker writes: snapshots only, under one mutex.
struct SharedState
{
    mutable QMutex mutex;
    QStringList order;
    QHash<QString, AccountStatus> statuses;
    QHash<QString, AccountRecord> records;
    std::shared_ptr<ResumeStateStore> resumeStore;  //!< resume state across restarts; may be null
};

//! Lives in the worker thread; owns every supervisor, client, gate and the shared NAM.
//!
//! Split over three files: accountworker.cpp (the verbs and the status publishing),
//! accountworker_shards.cpp (starting and stopping an account's shards, the IDENTIFY gates, the
//! supervisors' outcomes and the restart backoff) and accountaggregate.cpp (pure helpers).
class AccountWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountWorker)

public:
    AccountWorker(GatewayTimings timings, SharedState *shared);
    ~AccountWorker() override;

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
    // What the worker publishes; AccountManager turns these into its own public signals.
    void statusPublished(const gw::AccountStatus &status);
    void eventPublished(const gw::EventLogEntry &entry);
    //! `present`: the account was added (true) or removed (false).
    void membershipChanged(const QString &accountId, bool present);
    void stoppedAll();

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
            std::optional<std::pair<int, int>> shard;   //!< [id, count] of a sharded account
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

    // accountworker_shards.cpp
    void ensureInfrastructure();
    IdentifyGate *gateFor(Entry &entry);
    void releaseGate(const QByteArray &key);
    void startEntry(const QString &id);
    //! `shardCount` 0: one supervisor on [0, recommended] (unsharded); otherwise one per shard of
    //! `shardCount`, or only `onlyShard` when set (headless `"shards": [id, count]`).
    void startShards(const QString &id, int shardCount, std::optional<int> onlyShard = std::nullopt);
    //! All shards, or one chosen shard: events and statuses carry `shard`.
    static bool isSharded(const AccountRecord &record);
    //! How stopEntry() leaves the sessions (docs/lifecycle.md, "Clean restarts").
    enum class SessionEnd {
        End,   //!< pause, remove, update: close 1000 and delete the saved resume state
        Keep,  //!< quit, SIGTERM, --duration: close 4000 and save the resume state
    };
    void stopEntry(Entry &entry, SessionEnd end = SessionEnd::End);
    static bool isActive(const Entry &entry);
    static AccountStatus aggregate(const Entry &entry);
    void handleSupervisorStatus(const QString &id, quint64 generation, int shard, const AccountStatus &status);
    void handleSupervisorFinished(const QString &id, quint64 generation, int shard,
                                  AccountSupervisor::Outcome outcome, const GatewayError &error);
    void scheduleRestart(const QString &id, const GatewayError &error);

    // accountworker.cpp
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
    DiscordRest *m_rest = nullptr;
    QHash<QString, Entry> m_entries;
    QHash<QByteArray, QPair<QPointer<IdentifyGate>, int>> m_gates;
    QTimer m_coalesceTimer;
    bool m_stoppingAll = false;
};

} // namespace gw
