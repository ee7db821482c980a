#include "accountservice.h"

#include "contextguard.h"
#include "logging.h"

#include <QPointer>
#include <QRegularExpression>

namespace gw {

class AccountService::Private
{
public:
    AccountStore *store = nullptr;
    TokenVault *vault = nullptr;
};

AccountService::AccountService(AccountStore *store, TokenVault *vault, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    Q_ASSERT(store && vault);
    d->store = store;
    d->vault = vault;
}

AccountService::~AccountService() = default;

QString AccountService::normaliseToken(const QString &raw)
{
    static const QRegularExpression whitespace(QStringLiteral("\\s+"));
    QString t = raw.trimmed();
    if (t.startsWith(QLatin1String("Bot "), Qt::CaseInsensitive) || t.startsWith(QLatin1String("Bot\t"), Qt::CaseInsensitive))
        t = t.mid(4);
    t.remove(whitespace);
    return t;
}

AccountStore *AccountService::store() const
{
    return d->store;
}

TokenVault *AccountService::vault() const
{
    return d->vault;
}

std::optional<AccountStoreError> AccountService::check(const AccountRecord &record) const
{
    return d->store->check(record);
}

namespace {

AccountSaveError fromStore(const AccountStoreError &e)
{
    AccountSaveError out;
    out.store = e;
    out.message = e.message;
    return out;
}

AccountSaveError fromVault(const VaultError &e)
{
    AccountSaveError out;
    out.vault = e;
    out.message = e.message;
    return out;
}

} // namespace

void AccountService::addAccount(AccountRecord record, const QString &rawToken, TokenStorage storage,
                                QObject *context, SaveCallback done)
{
    const QString token = normaliseToken(rawToken);
    if (record.id.isEmpty())
        record.id = AccountStore::newId();
    auto finish = guardedBy(context, std::move(done));
    if (auto refused = d->store->check(record)) {
        // Delivered queued like every other outcome (the contract is "never from inside the call").
        QMetaObject::invokeMethod(this, [finish, e = *refused] { finish(fromStore(e)); }, Qt::QueuedConnection);
        return;
    }
    QPointer<AccountService> self(this);
    auto storeRecord = [self, finish, record]() {
        if (!self)
            return;
        auto stored = self->d->store->add(record);
        if (!stored) {
            // Roll the token back out of the vault: an orphaned keychain entry helps nobody.
            self->d->vault->deleteToken(record.id, self, [](std::optional<VaultError>) {});
            finish(fromStore(stored.error()));
            return;
        }
        finish(stored.value());
    };
    if (storage == TokenStorage::SessionOnly) {
        d->vault->keepForSession(record.id, token);
        qCInfo(lcAccounts) << "account" << record.id << "token kept in memory for this session only";
        QMetaObject::invokeMethod(this, storeRecord, Qt::QueuedConnection);
        return;
    }
    d->vault->writeToken(record.id, token, this, [finish, storeRecord](std::optional<VaultError> e) {
        if (e) {
            finish(fromVault(*e));
            return;
        }
        storeRecord();
    });
}

void AccountService::updateAccount(const AccountRecord &record, const std::optional<QString> &rawToken,
                                   TokenStorage storage, QObject *context, SaveCallback done)
{
    std::optional<QString> token;
    if (rawToken && !normaliseToken(*rawToken).isEmpty())
        token = normaliseToken(*rawToken);
    auto finish = guardedBy(context, std::move(done));
    std::optional<AccountStoreError> refused;
    if (!d->store->find(record.id))
        refused = AccountStoreError{AccountStoreError::Kind::NotFound, tr("There is no such account.")};
    else
        refused = d->store->check(record);
    if (refused) {
        QMetaObject::invokeMethod(this, [finish, e = *refused] { finish(fromStore(e)); }, Qt::QueuedConnection);
        return;
    }
    QPointer<AccountService> self(this);
    auto storeRecord = [self, finish, record]() {
        if (!self)
            return;
        auto stored = self->d->store->update(record);
        if (!stored) {
            finish(fromStore(stored.error()));
            return;
        }
        finish(stored.value());
    };
    if (!token) {
        QMetaObject::invokeMethod(this, storeRecord, Qt::QueuedConnection);
        return;
    }
    if (storage == TokenStorage::SessionOnly) {
        d->vault->keepForSession(record.id, *token);
        QMetaObject::invokeMethod(this, storeRecord, Qt::QueuedConnection);
        return;
    }
    d->vault->writeToken(record.id, *token, this, [finish, storeRecord](std::optional<VaultError> e) {
        if (e) {
            finish(fromVault(*e));
            return;
        }
        storeRecord();
    });
}

void AccountService::removeAccount(const QString &accountId, QObject *context, RemoveCallback done)
{
    QPointer<AccountService> self(this);
    auto finish = guardedBy(context, std::move(done));
    d->vault->deleteToken(accountId, this, [self, accountId, finish](std::optional<VaultError> e) {
        if (self) {
            self->d->store->remove(accountId);
            Q_EMIT self->accountRemoved(accountId);
        }
        if (e)
            qCWarning(lcAccounts).noquote() << "account" << accountId << "removed, but its token could not be deleted:" << e->message;
        finish(e);
    });
}

} // namespace gw
