// AccountService: the order of a save (record checked, token into the vault, record into the
// store), what is left behind when a step fails (nothing), session-only tokens, updates that keep
// or replace the token, and removal when the keychain cannot be reached.
#include "accountservice.h"
#include "accountstore.h"
#include "memorytokenvault.h"
#include "redactor.h"

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;

namespace {

QString token(int n)
{
    return QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.serviceTestHmacValue_%1abcdefgh").arg(n);
}

AccountRecord named(const QString &name)
{
    AccountRecord r;
    r.name = name;
    return r;
}

} // namespace

class tst_AccountService final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString file() const { return m_dir.filePath(QStringLiteral("service.ini")); }

    Expected<AccountRecord, AccountSaveError> add(AccountService &s, const AccountRecord &r, const QString &t,
                                                  AccountService::TokenStorage storage = AccountService::TokenStorage::Vault)
    {
        std::optional<Expected<AccountRecord, AccountSaveError>> result;
        bool synchronous = true;
        s.addAccount(r, t, storage, this, [&](Expected<AccountRecord, AccountSaveError> x) { result = x; });
        synchronous = result.has_value();
        [&] { QVERIFY(!synchronous); QTRY_VERIFY(result.has_value()); }();
        if (!result)
            return AccountSaveError{};
        return *result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }
    void init() { QFile::remove(file()); }
    void cleanup() { Redactor::global().clearTokens(); }

    void addNormalisesAndStoresBoth()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        const auto r = add(service, named(QStringLiteral("A")), QStringLiteral("  Bot ") + token(1) + QStringLiteral("\n"));
        QVERIFY(r.hasValue());
        QVERIFY(!r->id.isEmpty());
        QCOMPARE(store.count(), 1);
        QCOMPARE(vault.peek(r->id), std::optional<QString>(token(1)));
        QVERIFY(Redactor::global().containsSecret(QStringLiteral("x ") + token(1)));
    }

    void refusedRecordStoresNothing()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        QVERIFY(add(service, named(QStringLiteral("Taken")), token(1)).hasValue());
        const auto r = add(service, named(QStringLiteral("taken")), token(2));
        QVERIFY(!r.hasValue());
        QVERIFY(r.error().store.has_value());
        QCOMPARE(r.error().store->kind, AccountStoreError::Kind::DuplicateName);
        QVERIFY(!r.error().canKeepForSession());
        QCOMPARE(store.count(), 1);
        QCOMPARE(vault.count(), 1);  // the refused account's token never reached the vault
    }

    void vaultFailureStoresNothingThenSessionOnly()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        vault.setFailure(VaultError{VaultError::Kind::Unavailable, 7, QStringLiteral("no keychain")});
        AccountService service(&store, &vault);
        auto r = add(service, named(QStringLiteral("B")), token(3));
        QVERIFY(!r.hasValue());
        QVERIFY(r.error().vault.has_value());
        QCOMPARE(r.error().vault->kind, VaultError::Kind::Unavailable);
        QVERIFY(r.error().canKeepForSession());
        QCOMPARE(r.error().message, QStringLiteral("no keychain"));
        QCOMPARE(store.count(), 0);

        r = add(service, named(QStringLiteral("B")), token(3), AccountService::TokenStorage::SessionOnly);
        QVERIFY(r.hasValue());
        QCOMPARE(store.count(), 1);
        QVERIFY(vault.isSessionOnly(r->id));
        QCOMPARE(vault.peek(r->id), std::optional<QString>(token(3)));
        QFile f(file());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains(token(3).toUtf8()));
    }

    void storeWriteFailureRollsTokenBack()
    {
        AccountStore store(QStringLiteral("/proc/gatewatch-not-writable/x.ini"), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        const auto r = add(service, named(QStringLiteral("C")), token(4));
        QVERIFY(!r.hasValue());
        QCOMPARE(r.error().store->kind, AccountStoreError::Kind::WriteFailed);
        QTRY_COMPARE(vault.count(), 0);  // rolled back
    }

    void updateKeepsOrReplacesToken()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AccountRecord r = add(service, named(QStringLiteral("D")), token(5)).value();
        r.name = QStringLiteral("D2");
        std::optional<Expected<AccountRecord, AccountSaveError>> res;
        service.updateAccount(r, std::nullopt, AccountService::TokenStorage::Vault, this,
                              [&](Expected<AccountRecord, AccountSaveError> x) { res = x; });
        QTRY_VERIFY(res.has_value());
        QVERIFY(res->hasValue());
        QCOMPARE(store.find(r.id)->name, QStringLiteral("D2"));
        QCOMPARE(vault.peek(r.id), std::optional<QString>(token(5)));

        res.reset();
        service.updateAccount(r, QStringLiteral("Bot ") + token(6), AccountService::TokenStorage::Vault, this,
                              [&](Expected<AccountRecord, AccountSaveError> x) { res = x; });
        QTRY_VERIFY(res.has_value());
        QVERIFY(res->hasValue());
        QCOMPARE(vault.peek(r.id), std::optional<QString>(token(6)));

        res.reset();
        AccountRecord unknown = r;
        unknown.id = QStringLiteral("nope");
        service.updateAccount(unknown, std::nullopt, AccountService::TokenStorage::Vault, this,
                              [&](Expected<AccountRecord, AccountSaveError> x) { res = x; });
        QTRY_VERIFY(res.has_value());
        QCOMPARE(res->error().store->kind, AccountStoreError::Kind::NotFound);
    }

    void removeDeletesTokenThenRecord()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        const AccountRecord a = add(service, named(QStringLiteral("E")), token(7)).value();
        const AccountRecord b = add(service, named(QStringLiteral("F")), token(8)).value();
        std::optional<std::optional<VaultError>> res;
        service.removeAccount(a.id, this, [&](std::optional<VaultError> e) { res = e; });
        QTRY_VERIFY(res.has_value());
        QVERIFY(!res->has_value());
        QVERIFY(!store.find(a.id));
        QVERIFY(!vault.peek(a.id));

        // Keychain unreachable: the record still goes, the error comes back to be shown.
        vault.setFailure(VaultError{VaultError::Kind::Unavailable, 7, QStringLiteral("no keychain")});
        res.reset();
        service.removeAccount(b.id, this, [&](std::optional<VaultError> e) { res = e; });
        QTRY_VERIFY(res.has_value());
        QVERIFY(res->has_value());
        QCOMPARE((*res)->kind, VaultError::Kind::Unavailable);
        QVERIFY(!store.find(b.id));
        QCOMPARE(store.count(), 0);
    }

    void deadContextGetsNoCallback()
    {
        AccountStore store(file(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        auto *ctx = new QObject;
        int calls = 0;
        service.addAccount(named(QStringLiteral("G")), token(9), AccountService::TokenStorage::Vault, ctx,
                           [&](Expected<AccountRecord, AccountSaveError>) { ++calls; });
        delete ctx;
        QTRY_COMPARE(store.count(), 1);  // the save itself completes
        const auto other = add(service, named(QStringLiteral("H")), token(10));  // drains the queue
        QVERIFY(other.hasValue());
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(tst_AccountService)
#include "tst_accountservice.moc"
