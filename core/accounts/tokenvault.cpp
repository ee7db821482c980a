#include "tokenvault.h"

#include "contextguard.h"
#include "redactor.h"

#include <QHash>
#include <QMetaObject>

namespace gw {

QString vaultErrorKindName(VaultError::Kind kind)
{
    switch (kind) {
    case VaultError::Kind::NotFound:
        return QStringLiteral("not_found");
    case VaultError::Kind::Unavailable:
        return QStringLiteral("unavailable");
    case VaultError::Kind::AccessDenied:
        return QStringLiteral("access_denied");
    case VaultError::Kind::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("failed");
}

class TokenVault::Private
{
public:
    QHash<QString, QString> session;  // account id → token, memory only
};

TokenVault::TokenVault(QObject *parent) : QObject(parent), d(std::make_unique<Private>()) {}

TokenVault::~TokenVault()
{
    // Overwrite before freeing: the session-only tokens should not linger in freed memory.
    for (auto it = d->session.begin(); it != d->session.end(); ++it)
        it.value().fill(QLatin1Char('\0'));
}

void TokenVault::writeToken(const QString &accountId, const QString &token, QObject *context, DoneCallback done)
{
    Redactor::global().addToken(token);
    doWriteToken(accountId, token, context, std::move(done));
}

void TokenVault::readToken(const QString &accountId, QObject *context, ReadCallback done)
{
    doReadToken(accountId, context, [done = std::move(done)](Expected<QString, VaultError> token) {
        if (token)
            Redactor::global().addToken(*token);
        done(std::move(token));
    });
}

void TokenVault::deleteToken(const QString &accountId, QObject *context, DoneCallback done)
{
    doDeleteToken(accountId, context, std::move(done));
}

void TokenVault::keepForSession(const QString &accountId, const QString &token)
{
    Redactor::global().addToken(token);
    d->session.insert(accountId, token);
}

bool TokenVault::isSessionOnly(const QString &accountId) const
{
    return d->session.contains(accountId);
}

std::optional<QString> TokenVault::sessionToken(const QString &accountId) const
{
    const auto it = d->session.constFind(accountId);
    if (it == d->session.cend())
        return std::nullopt;
    return it.value();
}

void TokenVault::dropSessionToken(const QString &accountId)
{
    auto it = d->session.find(accountId);
    if (it == d->session.end())
        return;
    it.value().fill(QLatin1Char('\0'));
    d->session.erase(it);
}

void TokenVault::post(QObject *context, std::function<void()> f)
{
    QMetaObject::invokeMethod(this, guardedBy(context, std::move(f)), Qt::QueuedConnection);
}

} // namespace gw
