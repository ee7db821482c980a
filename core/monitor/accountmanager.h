#pragma once

#include "accountrecord.h"
#include "accountstatus.h"
#include "eventtypes.h"
#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>

namespace gw {

class ResumeStateStore;

//! The façade over every monitored account (docs/architecture.md, "AccountManager"). The worker
//! behind it is in accountworker_p.h.
//!
//! Threads: the manager object lives in the thread that created it (the GUI thread). It owns a
//! worker `QThread`; every `AccountSupervisor`, `GatewayClient`, `IdentifyGate` and the shared
//! `QNetworkAccessManager` live there. Every public function below may be called from the
//! manager's thread: verbs are marshalled to the worker with `QMetaObject::invokeMethod` and
//! return at once; results come back as queued signals on the manager's thread.
//!
//! One supervisor per account and shard. ShardMode::RecommendedFirst: one supervisor on shard
//! [0, recommended]. ShardMode::AllShards: GET /gateway/bot first, then one supervisor per
//! shard; the account's status aggregates them (the worst shard's state, connected only when
//! all are, counters summed, session/latency of shard 0); a shard that fails stops the
//! account's other shards and the account is restarted (or left Failed) as a whole. One
//! `IdentifyGate` per token, shared by every shard and account using that token. A supervisor that finishes with a reason a person must fix (4004,
//! 4014, 4010–4013, identify refused, 401) leaves the account in state Failed; one that finishes
//! because the lifecycle gave up (reconnect watchdog, READY guard, reconnect budget) is
//! restarted, alone, after a visible backoff (`restartBackoffBase` doubling up to
//! `restartBackoffMax`; the status shows `restarts` and `nextAttemptAt`). No other account is
//! ever touched by one account's failure or restart (docs/lifecycle.md).
//!
//! Tokens: passed in by value to add()/update(), kept only in the worker's memory, never in a
//! signal, a status or a log line.
class AccountManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountManager)

public:
    //! `timings` applies to every account (tests pass GatewayTimings::fast()). The worker thread
    //! starts in the constructor.
    explicit AccountManager(const GatewayTimings &timings = GatewayTimings::defaults(),
                            QObject *parent = nullptr);
    //! Stops every supervisor without emitting (no allStopped()), then joins the worker thread.
    ~AccountManager() override;

    [[nodiscard]] GatewayTimings timings() const;

    //! Start monitoring `record` (unless `record.paused`). Emits accountAdded(id) and a first
    //! statusChanged. A record with an id already present, or an invalid record, is ignored
    //! with a warning.
    void add(const AccountRecord &record, const QString &token);
    //! Replace the record (and the token when given); a running account is restarted with the
    //! new settings, a paused one stays paused. Unknown ids are ignored.
    void update(const AccountRecord &record, const std::optional<QString> &token = std::nullopt);
    //! Stop the account (close 1000), forget it; emits accountRemoved(id).
    void remove(const QString &accountId);
    //! Stop monitoring, keep the account; its status becomes Stopped with paused = true.
    void pause(const QString &accountId);
    //! Start a paused (or failed) account again with fresh counters of consecutive failures.
    void resume(const QString &accountId);
    //! Ask the account's client to reconnect now: Resume (op 6) or FreshIdentify (op 2).
    void forceReconnect(const QString &accountId, gw::ReconnectMode mode);
    //! Graceful stop of every account (quit, SIGTERM, --duration): each supervisor is suspended
    //! (close 4000, the session stays resumable), its live session saved in the resume-state
    //! store, and finishes; allStopped() follows once all have finished. Accounts stay known
    //! (paused = false in their records; the caller decides what to persist). pause() and
    //! remove() close with 1000 and delete the saved state instead (docs/lifecycle.md).
    void stopAll();

    //! Persist resume state per account and shard (a restart within Discord's resume window
    //! RESUMEs instead of spending an IDENTIFY): clients created after this call are
    //! seeded from `store` and keep it current. Shared with the worker thread; nullptr disables.
    void setResumeStateStore(std::shared_ptr<ResumeStateStore> store);

    //! Snapshot of every account's latest status (not coalesced), in insertion order.
    [[nodiscard]] QList<AccountStatus> statuses() const;
    //! Snapshot of one account; nullopt for unknown ids.
    [[nodiscard]] std::optional<AccountStatus> status(const QString &accountId) const;
    [[nodiscard]] QList<AccountRecord> records() const;
    [[nodiscard]] int accountCount() const;

Q_SIGNALS:
    //! A status snapshot. Coalesced per account: at most one per account per ~100 ms, except
    //! that a change of `state` (or `paused`) is always delivered at once (and in order).
    void statusChanged(const gw::AccountStatus &status);
    //! Every lifecycle fact of every account, in order per account (never coalesced).
    void eventLogged(const gw::EventLogEntry &entry);
    void accountAdded(const QString &accountId);
    void accountRemoved(const QString &accountId);
    //! After stopAll(): every supervisor has finished and every socket is closed.
    void allStopped();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
