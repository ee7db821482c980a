#include "memorytokenvault.h"

namespace gw {

MemoryTokenVault::MemoryTokenVault(QObject *parent)
    : TokenVault(parent)
{
}

MemoryTokenVault::~MemoryTokenVault()
{
    for (auto it = m_tokens.begin(); it != m_tokens.end(); ++it)
        it.value().fill(QLatin1Char('\0'));
}

QString MemoryTokenVault::backendName() const
{
    return tr("memory");
}

void MemoryTokenVault::doWriteToken(const QString &accountId, const QString &token, QObject *context,
                                  DoneCallback done)
{
    std::optional<VaultError> result = m_failure;
    if (!result) {
        m_tokens.insert(accountId, token);
        dropSessionToken(accountId);
    }
    post(context, [done = std::move(done), result] { done(result); });
}

void MemoryTokenVault::doReadToken(const QString &accountId, QObject *context, ReadCallback done)
{
    if (const auto session = sessionToken(accountId)) {
        const QString token = *session;
        post(context, [done = std::move(done), token] { done(token); });
        return;
    }
    if (m_failure) {
        const VaultError error = *m_failure;
        post(context, [done = std::move(done), error] { done(error); });
        return;
    }
    const auto it = m_tokens.constFind(accountId);
    if (it == m_tokens.cend()) {
        const VaultError error{VaultError::Kind::NotFound, 0,
                               tr("No token is stored for this account.")};
        post(context, [done = std::move(done), error] { done(error); });
        return;
    }
    const QString token = it.value();
    post(context, [done = std::move(done), token] { done(token); });
}

void MemoryTokenVault::doDeleteToken(const QString &accountId, QObject *context, DoneCallback done)
{
    dropSessionToken(accountId);
    std::optional<VaultError> result = m_failure;
    if (!result)
        m_tokens.remove(accountId);
    post(context, [done = std::move(done), result] { done(result); });
}

void MemoryTokenVault::setFailure(std::optional<VaultError> failure)
{
    m_failure = std::move(failure);
}

int MemoryTokenVault::count() const
{
    return int(m_tokens.size());
}

std::optional<QString> MemoryTokenVault::peek(const QString &accountId) const
{
    if (const auto session = sessionToken(accountId))
        return session;
    const auto it = m_tokens.constFind(accountId);
    if (it == m_tokens.cend())
        return std::nullopt;
    return it.value();
}

} // namespace gw
