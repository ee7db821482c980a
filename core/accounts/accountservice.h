#pragma once

#include "accountstore.h"
#include "expected.h"
#include "tokenvault.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace gw {

//! Why saving an account did not happen. Exactly one of `vault` / `store` is set.
struct AccountSaveError
{
    std::optional<VaultError> vault;         //!< the token could not be stored
    std::optional<AccountStoreError> store;  //!< the record was refused (nothing was kept)
    QString message;                         //!< human sentence for the dialog

    //! The keychain could not take the token: the UI may offer TokenStorage::SessionOnly.
    [[nodiscard]] bool canKeepForSession() const { return vault && vault->allowsSessionFallback(); }
};

//! The small glue between AccountStore (records) and TokenVault (tokens) that the Add bot / Edit
//! dialog uses; MonitorApp (core/runtime) owns it. It never starts monitoring: after a successful
//! save MonitorApp hands the record and the token to AccountManager::add()/update().
//!
//! Order of a save: the record is validated first (nothing stored if it is refused); then the
//! token goes to the vault under the record's id (a new id is assigned for new accounts); only
//! then is the record written to the settings. If that last step fails, the token is deleted
//! again. Removal deletes the vault entry, then the record (the record goes even when the
//! keychain cannot be reached; the callback then carries the vault error to show).
class AccountService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountService)

public:
    enum class TokenStorage {
        Vault,        //!< the vault (the system keychain in the app)
        SessionOnly,  //!< memory only, for this session (after the user agreed)
    };
    Q_ENUM(TokenStorage)

    using SaveCallback = std::function<void(Expected<AccountRecord, AccountSaveError>)>;
    using RemoveCallback = std::function<void(std::optional<VaultError>)>;

    //! Neither is owned; both must outlive the service.
    AccountService(AccountStore *store, TokenVault *vault, QObject *parent = nullptr);
    ~AccountService() override;

    //! The token as it is stored: surrounding and embedded whitespace (line breaks from a paste)
    //! and one leading "Bot " removed. Every save normalises with this.
    [[nodiscard]] static QString normaliseToken(const QString &raw);

    [[nodiscard]] AccountStore *store() const;
    [[nodiscard]] TokenVault *vault() const;

    //! The record refusal a save would hit (duplicate name, token-shaped name …), checked
    //! synchronously so the dialog can show it before anything is stored.
    [[nodiscard]] std::optional<AccountStoreError> check(const AccountRecord &record) const;

    //! New account (record.id empty → new UUID). `done` exactly once, unless `context` dies.
    void addAccount(AccountRecord record, const QString &token, TokenStorage storage,
                    QObject *context, SaveCallback done);
    //! Existing account; `token` nullopt keeps the stored token.
    void updateAccount(const AccountRecord &record, const std::optional<QString> &token,
                       TokenStorage storage, QObject *context, SaveCallback done);
    //! Delete the token, then the record. `done(std::nullopt)` when both went.
    void removeAccount(const QString &accountId, QObject *context, RemoveCallback done);

Q_SIGNALS:
    //! After removeAccount(): the record is gone (whether or not the token could be deleted, and
    //! whether or not the caller's context is still alive). MonitorApp stops monitoring on it.
    void accountRemoved(const QString &accountId);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
