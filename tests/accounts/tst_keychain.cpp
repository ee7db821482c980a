// The REAL system keychain through QtKeychain: store, read back, overwrite and
// delete a token in the Secret Service of the session D-Bus, cross-checked with `secret-tool`.
//
// The test command runs inside scripts/with-keyring.sh (a private D-Bus session with an unlocked
// gnome-keyring). Without a session bus the keychain cases fail when CI=true and are skipped
// only outside CI. Error mapping and the headless behaviour (no bus at all → Unavailable) are
// checked everywhere; the headless case runs this binary again with the bus variables removed.
#include "keychaintokenvault.h"
#include "redactor.h"

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <QUuid>

#include <cstdio>

using namespace gw;
using namespace std::chrono_literals;

namespace {

bool inCi()
{
    const QByteArray ci = qgetenv("CI").toLower();
    return !ci.isEmpty() && ci != "0" && ci != "false";
}

QString testService()
{
    return QStringLiteral("gatewatch-test-") + QString::number(QCoreApplication::applicationPid());
}

QString uniqueToken()
{
    // Token-shaped, unique per run.
    const QString r = QUuid::createUuid().toString(QUuid::Id128);
    return QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4.") + r.left(6) + u'.' + r + QStringLiteral("_-x");
}

struct Sync
{
    template<typename R>
    static std::optional<R> wait(std::function<void(std::function<void(R)>)> start, int timeoutMs = 20000)
    {
        std::optional<R> result;
        start([&result](R r) { result = std::move(r); });
        if (!QTest::qWaitFor([&result] { return result.has_value(); }, timeoutMs))
            return std::nullopt;
        return result;
    }
};

// secret-tool's view of the entry QtKeychain's libsecret backend writes (schema org.qt.keychain,
// attributes server = service, user = key). Empty optional if secret-tool is missing.
std::optional<QString> secretToolLookup(const QString &service, const QString &key)
{
    const QString exe = QStandardPaths::findExecutable(QStringLiteral("secret-tool"));
    if (exe.isEmpty())
        return std::nullopt;
    QProcess p;
    p.start(exe, {QStringLiteral("lookup"), QStringLiteral("server"), service, QStringLiteral("user"), key});
    if (!p.waitForFinished(10000))
        return std::nullopt;
    return QString::fromUtf8(p.readAllStandardOutput());
}

} // namespace

class tst_Keychain final : public QObject
{
    Q_OBJECT

private:
    bool requireSessionBus()
    {
        if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
            return true;
        if (inCi()) {
            qWarning("CI=true but there is no session D-Bus: run the tests inside scripts/with-keyring.sh");
            return false;
        }
        return false;
    }

    std::optional<VaultError> write(KeychainTokenVault &vault, const QString &key, const QString &token)
    {
        auto r = Sync::wait<std::optional<VaultError>>([&](auto done) { vault.writeToken(key, token, this, done); });
        if (!r)
            return VaultError{VaultError::Kind::Failed, -1, QStringLiteral("write: no callback")};
        return *r;
    }
    Expected<QString, VaultError> read(KeychainTokenVault &vault, const QString &key)
    {
        auto r = Sync::wait<Expected<QString, VaultError>>([&](auto done) { vault.readToken(key, this, done); });
        if (!r)
            return VaultError{VaultError::Kind::Failed, -1, QStringLiteral("read: no callback")};
        return *r;
    }
    std::optional<VaultError> remove(KeychainTokenVault &vault, const QString &key)
    {
        auto r = Sync::wait<std::optional<VaultError>>([&](auto done) { vault.deleteToken(key, this, done); });
        if (!r)
            return VaultError{VaultError::Kind::Failed, -1, QStringLiteral("delete: no callback")};
        return *r;
    }

private Q_SLOTS:
    void storeReadDelete()
    {
        if (!requireSessionBus()) {
            if (inCi())
                QFAIL("no session D-Bus in CI: the real-keychain test must run, not skip");
            QSKIP("no session D-Bus (outside CI): run via scripts/with-keyring.sh");
        }
        KeychainTokenVault vault(testService());
        QCOMPARE(vault.serviceName(), testService());
        QVERIFY(vault.isPersistent());
        const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString token = uniqueToken();

        const auto written = write(vault, key, token);
        QVERIFY2(!written.has_value(), qPrintable(written ? written->message : QString()));
        QVERIFY(!vault.isSessionOnly(key));
        QVERIFY(Redactor::global().containsSecret(token));

        // Another vault object (nothing cached in-process) reads it back from the keyring.
        KeychainTokenVault other(testService());
        const auto back = read(other, key);
        QVERIFY2(back.hasValue(), qPrintable(back.hasValue() ? QString() : back.error().message));
        QCOMPARE(back.value(), token);

        // The entry really is in the Secret Service: secret-tool sees it under our service/key.
        if (const auto seen = secretToolLookup(testService(), key))
            QCOMPARE(*seen, token);
        else
            qWarning("secret-tool not available: skipped the cross-check");

        // Overwrite.
        const QString token2 = uniqueToken();
        QVERIFY(!write(vault, key, token2).has_value());
        QCOMPARE(read(other, key).value(), token2);

        // Delete; then it is gone, and deleting again is not an error.
        const auto deleted = remove(vault, key);
        QVERIFY2(!deleted.has_value(), qPrintable(deleted ? deleted->message : QString()));
        const auto gone = read(other, key);
        QVERIFY(!gone.hasValue());
        QCOMPARE(gone.error().kind, VaultError::Kind::NotFound);
        QVERIFY(!remove(vault, key).has_value());
        if (const auto seen = secretToolLookup(testService(), key))
            QVERIFY(seen->isEmpty());
    }

    void separateServicesDoNotMix()
    {
        if (!requireSessionBus()) {
            if (inCi())
                QFAIL("no session D-Bus in CI");
            QSKIP("no session D-Bus (outside CI)");
        }
        KeychainTokenVault a(testService() + QStringLiteral("-a"));
        KeychainTokenVault b(testService() + QStringLiteral("-b"));
        const QString key = QStringLiteral("same-account-id");
        QVERIFY(!write(a, key, uniqueToken()).has_value());
        const auto fromB = read(b, key);
        QVERIFY(!fromB.hasValue());
        QCOMPARE(fromB.error().kind, VaultError::Kind::NotFound);
        QVERIFY(!remove(a, key).has_value());
    }

    void sessionOnlyTokenWinsAndIsNeverWritten()
    {
        if (!requireSessionBus()) {
            if (inCi())
                QFAIL("no session D-Bus in CI");
            QSKIP("no session D-Bus (outside CI)");
        }
        KeychainTokenVault vault(testService());
        const QString key = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString token = uniqueToken();
        vault.keepForSession(key, token);
        QVERIFY(vault.isSessionOnly(key));
        QCOMPARE(read(vault, key).value(), token);
        // Nothing reached the keyring.
        KeychainTokenVault other(testService());
        QCOMPARE(read(other, key).error().kind, VaultError::Kind::NotFound);
        QVERIFY(!remove(vault, key).has_value());
        QVERIFY(!vault.isSessionOnly(key));
    }

    void headlessWriteIsUnavailable()
    {
        // This binary again, with no session bus and no display: QtKeychain 0.13.2 answers
        // OtherError "Cannot autolaunch D-Bus without X11 $DISPLAY"; the vault must say Unavailable.
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), QDir::tempPath() + QStringLiteral("/gatewatch-no-bus-") + QString::number(QCoreApplication::applicationPid()));
        QDir().mkpath(env.value(QStringLiteral("XDG_RUNTIME_DIR")));
        p.setProcessEnvironment(env);
        p.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--headless-probe")});
        QVERIFY(p.waitForFinished(30000));
        const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
        QDir(env.value(QStringLiteral("XDG_RUNTIME_DIR"))).removeRecursively();
        QVERIFY2(out.startsWith(QLatin1String("unavailable|")), qPrintable(out + QString::fromUtf8(p.readAllStandardError())));
        QVERIFY(out.contains(QLatin1String("session only")));
    }

    void mapEveryError_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("detail");
        QTest::addColumn<int>("op");
        QTest::addColumn<int>("kind");
        const int R = int(KeychainTokenVault::Operation::Read), W = int(KeychainTokenVault::Operation::Write),
                  D = int(KeychainTokenVault::Operation::Delete);
        QTest::newRow("EntryNotFound") << int(QKeychain::EntryNotFound) << QStringLiteral("Entry not found") << R << int(VaultError::Kind::NotFound);
        QTest::newRow("CouldNotDeleteEntry") << int(QKeychain::CouldNotDeleteEntry) << QString() << D << int(VaultError::Kind::Failed);
        QTest::newRow("AccessDeniedByUser") << int(QKeychain::AccessDeniedByUser) << QString() << R << int(VaultError::Kind::AccessDenied);
        QTest::newRow("AccessDenied") << int(QKeychain::AccessDenied) << QStringLiteral("Access to keychain denied") << W << int(VaultError::Kind::AccessDenied);
        QTest::newRow("NoBackendAvailable") << int(QKeychain::NoBackendAvailable) << QString() << W << int(VaultError::Kind::Unavailable);
        QTest::newRow("NotImplemented") << int(QKeychain::NotImplemented) << QString() << W << int(VaultError::Kind::Unavailable);
        QTest::newRow("OtherError headless") << int(QKeychain::OtherError)
                                             << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY") << W
                                             << int(VaultError::Kind::Unavailable);
        QTest::newRow("OtherError no secrets service") << int(QKeychain::OtherError)
                                                       << QStringLiteral("The name org.freedesktop.secrets was not provided by any .service files")
                                                       << R << int(VaultError::Kind::Unavailable);
        QTest::newRow("OtherError other") << int(QKeychain::OtherError) << QStringLiteral("Unknown error") << R << int(VaultError::Kind::Failed);
    }
    void mapEveryError()
    {
        QFETCH(int, code);
        QFETCH(QString, detail);
        QFETCH(int, op);
        QFETCH(int, kind);
        const VaultError e = KeychainTokenVault::mapError(code, detail, KeychainTokenVault::Operation(op));
        QCOMPARE(int(e.kind), kind);
        QCOMPARE(e.keychainCode, code);
        QVERIFY(e.message.size() > 20);
        QVERIFY(e.message.endsWith(u'.'));
        QCOMPARE(e.allowsSessionFallback(), e.kind != VaultError::Kind::NotFound);
    }

    void detailIsRedacted()
    {
        const QString token = uniqueToken();
        const VaultError e = KeychainTokenVault::mapError(int(QKeychain::OtherError),
                                                          QStringLiteral("backend echoed ") + token,
                                                          KeychainTokenVault::Operation::Write);
        QVERIFY(!e.message.contains(token));
        QVERIFY(e.message.contains(Redactor::placeholder()));
    }
};

int main(int argc, char **argv)
{
    if (argc > 1 && qstrcmp(argv[1], "--headless-probe") == 0) {
        QCoreApplication app(argc, argv);
        KeychainTokenVault vault(testService());
        vault.setTimeout(15s);
        int rc = 2;
        vault.writeToken(QStringLiteral("probe"), uniqueToken(), &app, [&rc](std::optional<VaultError> e) {
            if (e)
                std::printf("%s|%s\n", qPrintable(vaultErrorKindName(e->kind)), qPrintable(e->message));
            else
                std::printf("stored|\n");
            std::fflush(stdout);
            rc = e ? 0 : 1;
            QCoreApplication::quit();
        });
        app.exec();
        return rc;
    }
    QCoreApplication app(argc, argv);
    tst_Keychain tc;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&tc, argc, argv);
}

#include "tst_keychain.moc"
