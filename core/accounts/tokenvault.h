#pragma once

#include "expected.h"

#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace gw {

//! A failed vault operation, as a value. `kind` is what the caller branches on; `message` is a
//! human sentence for the user (never contains a token); `keychainCode` is QtKeychain's raw
//! `QKeychain::Error` (0 for the memory vault), kept for the diagnostic log.
struct VaultError
{
    Q_GADGET
public:
    enum class Kind {
        NotFound,      //!< no token stored under this account id
        Unavailable,   //!< no keychain backend answered (no session D-Bus, no Secret Service,
                       //!< not supported, timed out): offer "keep in memory for this session"
        AccessDenied,  //!< the keychain refused (locked, user said no)
        Failed,        //!< anything else (the backend answered with an error)
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Failed;
    int keychainCode = 0;
    QString message;

    //! True when the token may instead be kept in memory for this session (TokenVault::
    //! keepForSession): the keychain could not take it, for whatever reason, but it is still
    //! never written anywhere in clear.
    [[nodiscard]] bool allowsSessionFallback() const { return kind != Kind::NotFound; }
};
QString vaultErrorKindName(VaultError::Kind kind);  //!< "not_found", "unavailable", …

//! Where account tokens live: one entry per account id. Implementations:
//! `KeychainTokenVault` (the system keychain through QtKeychain, service "gatewatch") and
//! `MemoryTokenVault` (tests, the demo, headless mode).
//!
//! Contract, for every operation:
//! - asynchronous: `done` is invoked exactly once, later, on the vault's thread (never from
//!   inside the call), unless `context` is destroyed first, in which case it is never invoked;
//! - tokens travel only in callbacks, never in signals, never in log lines;
//! - every token written, read or kept for the session is registered with Redactor::global()
//!   HERE, in this base class (writeToken, readToken, keepForSession), so it is redacted from
//!   every log line, row and export from then on. This is the one place a token is registered:
//!   every token the process holds passes a vault (accounts the user saved; the demo's and the
//!   headless config's accounts are kept for the session by MonitorApp::monitorSessionAccount).
//!   Implementations never register tokens themselves.
//!
//! Session-only tokens: when the keychain cannot take a token (VaultError::allowsSessionFallback)
//! the app asks the user and may call keepForSession(): the token is then held in this process's
//! memory only, served by readToken() until the process exits or deleteToken() is called, and
//! never written to disk.
class TokenVault : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TokenVault)

public:
    using ReadCallback = std::function<void(Expected<QString, VaultError>)>;
    //! std::nullopt on success.
    using DoneCallback = std::function<void(std::optional<VaultError>)>;

    explicit TokenVault(QObject *parent = nullptr);
    ~TokenVault() override;

    //! Store (or replace) the token of `accountId` persistently. A session-only copy of the same
    //! account is dropped once the write succeeds.
    void writeToken(const QString &accountId, const QString &token, QObject *context, DoneCallback done);
    //! Read it back. A session-only token wins over the keychain. NotFound if there is none.
    void readToken(const QString &accountId, QObject *context, ReadCallback done);
    //! Forget it (session-only copy and persistent entry). Deleting an entry that does not exist
    //! succeeds (idempotent).
    void deleteToken(const QString &accountId, QObject *context, DoneCallback done);

    //! Hold `token` for `accountId` in memory for this session only (synchronous).
    void keepForSession(const QString &accountId, const QString &token);
    //! True if the account's token is held only in memory (it will be gone after a restart).
    [[nodiscard]] bool isSessionOnly(const QString &accountId) const;

    //! True if tokens written survive a restart ("system keychain" vs "memory").
    [[nodiscard]] virtual bool isPersistent() const = 0;
    //! For the UI: "system keychain", "memory".
    [[nodiscard]] virtual QString backendName() const = 0;

protected:
    //! What the implementations provide behind the public verbs (same contract; the token is
    //! already registered with the redactor, and a read's result is registered by the caller).
    virtual void doWriteToken(const QString &accountId, const QString &token, QObject *context,
                              DoneCallback done) = 0;
    virtual void doReadToken(const QString &accountId, QObject *context, ReadCallback done) = 0;
    virtual void doDeleteToken(const QString &accountId, QObject *context, DoneCallback done) = 0;

    //! Implementations use these for the session-only layer.
    [[nodiscard]] std::optional<QString> sessionToken(const QString &accountId) const;
    void dropSessionToken(const QString &accountId);
    //! Invoke `f` later (queued) on this object's thread, unless `context` is gone by then.
    void post(QObject *context, std::function<void()> f);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::VaultError)
