#pragma once

#include "tokenvault.h"

#include <chrono>
#include <memory>

namespace gw {

//! The system keychain through QtKeychain 0.13 (Secret Service / GNOME Keyring / KWallet over
//! D-Bus on Linux): one entry per account, service "gatewatch", key = account id. Insecure
//! fallback is always off: if no backend answers, nothing is written anywhere and the caller
//! gets VaultError::Kind::Unavailable (then may offer keepForSession()).
//!
//! Every QKeychain::Error is mapped by mapError(); headless (no session D-Bus) a job fails with
//! OtherError "Cannot autolaunch D-Bus without X11 $DISPLAY", which maps to Unavailable, as does
//! a backend that does not answer within timeout() (a keyring prompt nobody sees).
class KeychainTokenVault final : public TokenVault
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainTokenVault)

public:
    enum class Operation { Read, Write, Delete };
    Q_ENUM(Operation)

    static QString defaultServiceName() { return QStringLiteral("gatewatch"); }

    //! `service` is the keychain service name; tests use their own so they never touch a real
    //! user's entries.
    explicit KeychainTokenVault(QObject *parent = nullptr);
    explicit KeychainTokenVault(const QString &service, QObject *parent = nullptr);
    ~KeychainTokenVault() override;

    [[nodiscard]] QString serviceName() const;
    //! How long a job may take before it counts as Unavailable (default 20 s).
    void setTimeout(std::chrono::milliseconds timeout);
    [[nodiscard]] std::chrono::milliseconds timeout() const;


    [[nodiscard]] bool isPersistent() const override { return true; }
    [[nodiscard]] QString backendName() const override;

    //! QKeychain::Error (as int) + its errorString() → a typed error with a human message.
    //! Never called with NoError. Public for the data-driven test of every code.
    [[nodiscard]] static VaultError mapError(int keychainError, const QString &detail, Operation op);

protected:
    void doWriteToken(const QString &accountId, const QString &token, QObject *context,
                      DoneCallback done) override;
    void doReadToken(const QString &accountId, QObject *context, ReadCallback done) override;
    void doDeleteToken(const QString &accountId, QObject *context, DoneCallback done) override;

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
