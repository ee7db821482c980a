#pragma once

#include "accountrecord.h"
#include "accountservice.h"
#include "accountstatus.h"
#include "eventtypes.h"
#include "gatewaytimings.h"
#include "gatewaytypes.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace gw {

class AccountManager;
class AccountStore;
class EventLog;
class EventRecorder;
class ResumeStateStore;
class StoreHealth;
class TokenVault;
struct VaultError;

//! What a front-end hands MonitorApp. Only `vault` is optional: without one MonitorApp keeps
//! tokens in a MemoryTokenVault (headless, tests).
struct MonitorAppOptions
{
    GatewayTimings timings = GatewayTimings::defaults();
    //! The saved accounts. nullptr: nothing is saved (headless); the verbs that work on saved
    //! accounts (addAccount, editAccount, startStoredAccounts, service()) are unavailable then.
    std::unique_ptr<AccountStore> store;
    std::unique_ptr<TokenVault> vault;
    //! Resume state across restarts (a restart within Discord's resume window RESUMEs). Optional.
    std::shared_ptr<ResumeStateStore> resumeState;
    //! The event store, not owned: it may live on another thread (the desktop's store thread)
    //! and must outlive MonitorApp. nullptr: nothing is recorded.
    EventLog *eventLog = nullptr;
};

//! The application layer: the one object every front-end (the desktop window, the headless
//! runner, the demo) drives. It owns the AccountManager (live connections), the AccountStore
//! and TokenVault (saved accounts) with the AccountService over them, the resume-state store and
//! the EventRecorder (manager → event store), and it holds the account policy: what a verb
//! writes where.
//!
//! Verbs:
//!   - addAccount / editAccount: save (token into the vault, record into the store) and monitor;
//!   - monitorSaved: monitor an account the Add/Edit dialog already saved through service();
//!   - monitorSessionAccount: an account that brings its own token (headless config, demo,
//!     command line): the token is kept in the vault for the session only (the vault is where
//!     every token is registered with the redactor, see tokenvault.h), the record joins the
//!     store when there is one, monitoring starts (an account already monitored is updated:
//!     it restarts with the new record and token, as a headless config reload needs);
//!   - removeAccount: token and record deleted, monitoring stopped (any removal through
//!     service() stops monitoring too);
//!   - pause / resume / pauseAll: the manager stops or starts, the store remembers `paused`;
//!   - forceReconnect: RESUME (op 6) or a fresh IDENTIFY (op 2);
//!   - startStoredAccounts: every saved account not yet monitored, tokens read from the vault
//!     one after the other; retryTokens: read the tokens that were missing again;
//!   - stop: every session closed with 4000 and its resume state saved, so the next start
//!     RESUMEs (pause and remove close with 1000 and delete it); stopped() follows;
//!   - recordMonitorStarted / recordMonitorStopped: the monitor's own rows in the event store.
//!
//! Threading: MonitorApp lives in the thread that created it (the GUI / main thread) and every
//! verb is called there; results come back as callbacks or signals on that thread. The manager
//! runs every connection on its own worker thread; the event store may live on a third thread
//! (EventRecorder queues every call to it).
//!
//! Saved accounts never vanish: one whose token cannot be read is "token needed"
//! (AccountStatus::tokenProblem) and announced with tokenNeeded(), so the front-end keeps its row
//! with Edit (re-enter the token) and Remove. The first read that fails because the keychain is
//! unavailable, locked or the unlock was refused ends the round: the other accounts are not
//! asked for (at most one unlock prompt per start or retry), keychainProblemChanged() tells the
//! front-end once, and retryTokens() tries again when the user asks.
class MonitorApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MonitorApp)

public:
    using SaveCallback = AccountService::SaveCallback;
    using RemoveCallback = AccountService::RemoveCallback;
    using TokenStorage = AccountService::TokenStorage;
    //! A saved account whose token could not be read (startStoredAccounts).
    using MissingTokenCallback = std::function<void(const AccountRecord &record, const VaultError &error)>;

    explicit MonitorApp(MonitorAppOptions options, QObject *parent = nullptr);
    //! Closes every session without waiting (AccountManager's destructor); call stop() first to
    //! close them gracefully.
    ~MonitorApp() override;

    [[nodiscard]] AccountManager *manager() const;
    [[nodiscard]] AccountStore *store() const;          //!< nullptr when nothing is saved
    [[nodiscard]] TokenVault *vault() const;
    [[nodiscard]] AccountService *service() const;      //!< nullptr when nothing is saved
    //! The event store's health (failures, held and dropped rows, a damaged file moved aside);
    //! always there, healthy when nothing is recorded.
    [[nodiscard]] StoreHealth *storeHealth() const;
    //! The saved record of `accountId`, nullopt when it is not saved.
    [[nodiscard]] std::optional<AccountRecord> savedRecord(const QString &accountId) const;

    // --- verbs ----------------------------------------------------------------------------------
    void addAccount(const AccountRecord &record, const QString &token, TokenStorage storage,
                    QObject *context, SaveCallback done);
    void editAccount(const AccountRecord &record, const std::optional<QString> &token, TokenStorage storage,
                     QObject *context, SaveCallback done);
    //! Known to the manager: update (a running account restarts with the new settings, a paused
    //! one stays paused); otherwise, with a token, start monitoring it.
    void monitorSaved(const AccountRecord &record, const std::optional<QString> &token);
    void monitorSessionAccount(const AccountRecord &record, const QString &token);
    void removeAccount(const QString &accountId, QObject *context, RemoveCallback done);
    void pause(const QString &accountId);
    void resume(const QString &accountId);
    void pauseAll();
    void forceReconnect(const QString &accountId, ReconnectMode mode);
    void startStoredAccounts(QObject *context, MissingTokenCallback onMissingToken = {});
    //! Read the tokens of the "token needed" accounts again (the user unlocked the keychain and
    //! pressed Retry); the same one-prompt rule applies.
    void retryTokens();
    //! The saved accounts waiting for their token, as the rows a front-end shows.
    [[nodiscard]] QList<AccountStatus> tokenNeededStatuses() const;
    //! Why the last round of token reads stopped (keychain unavailable, locked, refused);
    //! nullopt when the keychain answered.
    [[nodiscard]] std::optional<VaultError> keychainProblem() const;
    //! The row of a saved account that is not monitored for want of its token.
    [[nodiscard]] static AccountStatus tokenNeededStatus(const AccountRecord &record, const VaultError &error);
    //! Graceful stop of every session; stopped() follows once all are closed, or after `timeout`
    //! (with a warning) so a quit never hangs. A second call while stopping ends the wait.
    void stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // --- the monitor's own rows -----------------------------------------------------------------
    //! A `monitor_started` row: "Gatewatch started monitoring (mode)".
    void recordMonitorStarted(const QString &mode);
    //! Any row about the monitor itself (headless writes its own started/error rows).
    void recordMonitorEvent(const EventLogEntry &entry);
    //! The last row (`monitor_stopped`), then a flush: blocks until the store has committed.
    //! Nothing is recorded after it.
    void recordMonitorStopped(const QString &reason);
    void recordMonitorStopped(const EventLogEntry &entry);

Q_SIGNALS:
    //! After stop(): every session is closed (or the timeout passed).
    void stopped();
    //! A saved account is not monitored because its token could not be read; `status` is its
    //! row (tokenNeeded() true). Again when its record changes.
    void tokenNeeded(const gw::AccountStatus &status);
    //! A "token needed" account was removed (the manager never knew it, so it says nothing).
    void tokenNeededRemoved(const QString &accountId);
    //! keychainProblem() changed: a round of reads stopped at the keychain, or it answered again.
    void keychainProblemChanged();

private:
    void handleAllStopped();
    void readTokens(QList<AccountRecord> queue, const MissingTokenCallback &missing);
    void markTokenNeeded(const AccountRecord &record, const VaultError &error);
    void clearTokenNeeded(const QString &accountId);
    void setKeychainProblem(const std::optional<VaultError> &problem);
    void handleRecordUpdated(const AccountRecord &record);

    MonitorAppOptions m_options;
    std::unique_ptr<AccountManager> m_manager;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<EventRecorder> m_recorder;
    std::unique_ptr<StoreHealth> m_storeHealth;
    QTimer m_stopTimer;
    bool m_stopping = false;
    QHash<QString, AccountStatus> m_tokenNeeded;   // account id → its "token needed" row
    std::optional<VaultError> m_keychainProblem;
};

//! The one place an AccountRecord is built from what a front-end has that is not a saved record
//! (a headless config entry, a demo bot, the command line). An empty `id` becomes a stable id
//! derived from the name (the same name gets the same id on every run, so resume state and
//! history carry over).
[[nodiscard]] AccountRecord unsavedAccountRecord(const QString &name, quint32 intents, const QUrl &gatewayUrl,
                                                 const QUrl &apiBase, const QString &id = {});

} // namespace gw
