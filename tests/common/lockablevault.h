#pragma once

// A token vault that fails the way the system keychain does when it is locked, the unlock prompt
// is cancelled, or no Secret Service answers: the errors are QtKeychain's own codes and texts,
// mapped by the production KeychainTokenVault::mapError(). Every read is counted: against a
// locked keychain each read is one unlock prompt. Needs gatewatch_accounts (QtKeychain).

#include "keychaintokenvault.h"
#include "tokenvault.h"

#include <qt6keychain/keychain.h>

#include <QHash>

namespace gwtest {

class LockableVault final : public gw::TokenVault
{
    Q_DISABLE_COPY_MOVE(LockableVault)

public:
    enum class Mode {
        Open,        //!< unlocked: tokens are read and written
        Locked,      //!< the collection is locked and cannot be unlocked (AccessDenied)
        Cancelled,   //!< the user dismissed the unlock prompt (AccessDeniedByUser)
        NoBackend,   //!< no Secret Service on the session bus (OtherError, as QtKeychain 0.13 says it)
    };

    explicit LockableVault(QObject *parent = nullptr) : gw::TokenVault(parent) {}
    ~LockableVault() override = default;

    void setMode(Mode mode) { m_mode = mode; }
    //! Stored as if saved in an earlier run (no redactor registration needed: tests' tokens).
    void put(const QString &accountId, const QString &token) { m_tokens.insert(accountId, token); }
    [[nodiscard]] int reads() const { return m_reads; }

    [[nodiscard]] bool isPersistent() const override { return true; }
    [[nodiscard]] QString backendName() const override { return QStringLiteral("test keychain"); }

    [[nodiscard]] gw::VaultError failure(gw::KeychainTokenVault::Operation op) const
    {
        using K = gw::KeychainTokenVault;
        switch (m_mode) {
        case Mode::Locked:
            return K::mapError(QKeychain::AccessDenied, QStringLiteral("Cannot unlock the collection"), op);
        case Mode::Cancelled:
            return K::mapError(QKeychain::AccessDeniedByUser, QStringLiteral("Prompt dismissed"), op);
        case Mode::NoBackend:
            return K::mapError(QKeychain::OtherError, QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY"), op);
        case Mode::Open:
            break;
        }
        return K::mapError(QKeychain::EntryNotFound, {}, op);
    }

protected:
    void doReadToken(const QString &accountId, QObject *context, ReadCallback done) override
    {
        if (const auto session = sessionToken(accountId)) {
            post(context, [done, t = *session] { done(t); });
            return;
        }
        ++m_reads;
        if (m_mode == Mode::Open && m_tokens.contains(accountId)) {
            post(context, [done, t = m_tokens.value(accountId)] { done(t); });
            return;
        }
        post(context, [done, e = failure(gw::KeychainTokenVault::Operation::Read)] { done(e); });
    }

    void doWriteToken(const QString &accountId, const QString &token, QObject *context, DoneCallback done) override
    {
        if (m_mode != Mode::Open) {
            post(context, [done, e = failure(gw::KeychainTokenVault::Operation::Write)] { done(e); });
            return;
        }
        m_tokens.insert(accountId, token);
        dropSessionToken(accountId);
        post(context, [done] { done(std::nullopt); });
    }

    void doDeleteToken(const QString &accountId, QObject *context, DoneCallback done) override
    {
        dropSessionToken(accountId);
        if (m_mode != Mode::Open) {
            post(context, [done, e = failure(gw::KeychainTokenVault::Operation::Delete)] { done(e); });
            return;
        }
        m_tokens.remove(accountId);
        post(context, [done] { done(std::nullopt); });
    }

private:
    Mode m_mode = Mode::Open;
    int m_reads = 0;
    QHash<QString, QString> m_tokens;
};

} // namespace gwtest
