// MemoryTokenVault and the TokenVault contract it shares with the keychain vault: asynchronous
// callbacks exactly once, context lifetime, session-only tokens, failures, redactor registration.
#include "memorytokenvault.h"
#include "redactor.h"

#include <QTest>

using namespace gw;

class tst_MemoryTokenVault final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup() { Redactor::global().clearTokens(); }

    void writeReadDelete()
    {
        MemoryTokenVault vault;
        QObject ctx;
        int writes = 0;
        std::optional<VaultError> writeResult{VaultError{}};
        vault.writeToken(QStringLiteral("acc-1"), QStringLiteral("memory-token-0001"), &ctx,
                         [&](std::optional<VaultError> e) { ++writes; writeResult = e; });
        QCOMPARE(writes, 0);  // never synchronous
        QTRY_COMPARE(writes, 1);
        QVERIFY(!writeResult.has_value());
        QCOMPARE(vault.count(), 1);
        QCOMPARE(Redactor::global().redact(QStringLiteral("memory-token-0001")), Redactor::placeholder());

        int reads = 0;
        QString token;
        vault.readToken(QStringLiteral("acc-1"), &ctx, [&](Expected<QString, VaultError> r) {
            ++reads;
            if (r)
                token = r.value();
        });
        QTRY_COMPARE(reads, 1);
        QCOMPARE(token, QStringLiteral("memory-token-0001"));

        int deletes = 0;
        vault.deleteToken(QStringLiteral("acc-1"), &ctx, [&](std::optional<VaultError> e) {
            ++deletes;
            QVERIFY(!e.has_value());
        });
        QTRY_COMPARE(deletes, 1);
        QCOMPARE(vault.count(), 0);

        std::optional<VaultError::Kind> kind;
        vault.readToken(QStringLiteral("acc-1"), &ctx, [&](Expected<QString, VaultError> r) {
            QVERIFY(!r.hasValue());
            kind = r.error().kind;
        });
        QTRY_VERIFY(kind.has_value());
        QCOMPARE(*kind, VaultError::Kind::NotFound);

        // Deleting again is not an error.
        bool again = false;
        vault.deleteToken(QStringLiteral("acc-1"), &ctx, [&](std::optional<VaultError> e) {
            again = !e.has_value();
        });
        QTRY_VERIFY(again);
    }

    void destroyedContextMeansNoCallback()
    {
        MemoryTokenVault vault;
        auto *ctx = new QObject;
        int calls = 0;
        vault.writeToken(QStringLiteral("a"), QStringLiteral("memory-token-0002"), ctx,
                         [&](std::optional<VaultError>) { ++calls; });
        delete ctx;
        // A second, live request queued after the first proves the queue was processed.
        QObject live;
        bool liveDone = false;
        vault.readToken(QStringLiteral("a"), &live, [&](Expected<QString, VaultError> r) { liveDone = r.hasValue(); });
        QTRY_VERIFY(liveDone);
        QCOMPARE(calls, 0);
    }

    void failureIsReportedAndSessionFallbackWorks()
    {
        MemoryTokenVault vault;
        QObject ctx;
        vault.setFailure(VaultError{VaultError::Kind::Unavailable, 7, QStringLiteral("no backend")});
        std::optional<VaultError> error;
        bool called = false;
        vault.writeToken(QStringLiteral("acc"), QStringLiteral("memory-token-0003"), &ctx,
                         [&](std::optional<VaultError> e) { called = true; error = e; });
        QTRY_VERIFY(called);
        QVERIFY(error.has_value());
        QCOMPARE(error->kind, VaultError::Kind::Unavailable);
        QVERIFY(error->allowsSessionFallback());
        QCOMPARE(vault.count(), 0);
        // Even though the write failed, the token is known to the redactor.
        QVERIFY(Redactor::global().containsSecret(QStringLiteral("x memory-token-0003")));

        vault.keepForSession(QStringLiteral("acc"), QStringLiteral("memory-token-0003"));
        QVERIFY(vault.isSessionOnly(QStringLiteral("acc")));
        QString token;
        vault.readToken(QStringLiteral("acc"), &ctx, [&](Expected<QString, VaultError> r) {
            if (r)
                token = r.value();
        });
        QTRY_COMPARE(token, QStringLiteral("memory-token-0003"));

        // Once the backend works again, a write replaces the session-only copy.
        vault.setFailure(std::nullopt);
        called = false;
        vault.writeToken(QStringLiteral("acc"), QStringLiteral("memory-token-0004"), &ctx,
                         [&](std::optional<VaultError> e) { called = !e.has_value(); });
        QTRY_VERIFY(called);
        QVERIFY(!vault.isSessionOnly(QStringLiteral("acc")));
        QCOMPARE(vault.peek(QStringLiteral("acc")), std::optional<QString>(QStringLiteral("memory-token-0004")));

        // Delete drops the session copy too.
        vault.keepForSession(QStringLiteral("acc2"), QStringLiteral("memory-token-0005"));
        called = false;
        vault.deleteToken(QStringLiteral("acc2"), &ctx, [&](std::optional<VaultError>) { called = true; });
        QTRY_VERIFY(called);
        QVERIFY(!vault.isSessionOnly(QStringLiteral("acc2")));
        QVERIFY(!vault.peek(QStringLiteral("acc2")).has_value());
    }

    void errorKindNames()
    {
        QCOMPARE(vaultErrorKindName(VaultError::Kind::NotFound), QStringLiteral("not_found"));
        QCOMPARE(vaultErrorKindName(VaultError::Kind::Unavailable), QStringLiteral("unavailable"));
        QCOMPARE(vaultErrorKindName(VaultError::Kind::AccessDenied), QStringLiteral("access_denied"));
        QCOMPARE(vaultErrorKindName(VaultError::Kind::Failed), QStringLiteral("failed"));
        QVERIFY(!vaultFallbackForNotFound());
        QVERIFY(vaultFallbackFor(VaultError::Kind::Unavailable));
        QVERIFY(vaultFallbackFor(VaultError::Kind::AccessDenied));
        QVERIFY(vaultFallbackFor(VaultError::Kind::Failed));
    }

private:
    static bool vaultFallbackFor(VaultError::Kind kind)
    {
        return VaultError{kind, 1, QString()}.allowsSessionFallback();
    }
    static bool vaultFallbackForNotFound() { return vaultFallbackFor(VaultError::Kind::NotFound); }
};

QTEST_GUILESS_MAIN(tst_MemoryTokenVault)
#include "tst_memorytokenvault.moc"
