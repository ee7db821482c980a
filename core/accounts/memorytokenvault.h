#pragma once

#include "tokenvault.h"

#include <QHash>

#include <optional>

namespace gw {

//! A TokenVault that keeps everything in this process's memory: for unit tests, and as the
//! vault of `--demo` (simulator tokens). Never writes anything to disk.
//!
//! Tests can make it fail like a real keychain with setFailure(): every later write/read/delete
//! answers with that error (e.g. Kind::Unavailable) until setFailure(std::nullopt).
class MemoryTokenVault final : public TokenVault
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemoryTokenVault)

public:
    explicit MemoryTokenVault(QObject *parent = nullptr);
    ~MemoryTokenVault() override;

    [[nodiscard]] bool isPersistent() const override { return false; }
    [[nodiscard]] QString backendName() const override;

    void setFailure(std::optional<VaultError> failure);
    //! Number of tokens stored (not counting session-only ones).
    [[nodiscard]] int count() const;
    //! Synchronous peek for tests: the stored token or nullopt (session-only ones included).
    [[nodiscard]] std::optional<QString> peek(const QString &accountId) const;

protected:
    void doReadToken(const QString &accountId, QObject *context, ReadCallback done) override;
    void doWriteToken(const QString &accountId, const QString &token, QObject *context,
                      DoneCallback done) override;
    void doDeleteToken(const QString &accountId, QObject *context, DoneCallback done) override;

private:
    // Small and only used by tests and the demo: members by value, no pimpl.
    QHash<QString, QString> m_tokens;
    std::optional<VaultError> m_failure;
};

} // namespace gw
