// MonitorApp, the application layer every front-end drives: its verbs against the in-process
// simulator. add → ready; pause → stopped and the store says paused; resume; force reconnect
// (RESUME, fresh IDENTIFY); remove → gone from the store and the vault; start stored accounts;
// an account that brings its own token (headless, demo); stop. A keychain that is locked,
// cancelled or missing: the saved accounts stay as "token needed", one read (one prompt) only,
// Retry, Remove and re-entering the token.

#include "accountmanager.h"
#include "testenvironment.h"
#include "accountstore.h"
#include "gatewaysimulator.h"
#include "lockablevault.h"
#include "memorytokenvault.h"
#include "monitorapp.h"
#include "redactor.h"

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace std::chrono_literals;
using gw::ConnectionState;
using gw::MonitorApp;

namespace {

const QString kToken = QStringLiteral("monitorapp-token-alpha-0001");
const QString kBot = QStringLiteral("alpha");

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<gw::GatewaySimulator> sim;
    std::unique_ptr<MonitorApp> app;
    gw::MemoryTokenVault *vault = nullptr;

    //! The simulator with one bot, and a MonitorApp; `withStore` false: nothing is saved (headless).
    bool start(bool withStore = true, const std::function<void(gw::MonitorAppOptions &)> &prepare = {})
    {
        gw::GatewaySimulator::Options o;
        o.heartbeatInterval = 300ms;
        o.identifyBucketInterval = 40ms;  // the client's fast timings wait 50 ms between IDENTIFYs
        sim = std::make_unique<gw::GatewaySimulator>(o);
        gw::SimBotPolicy p;
        p.name = kBot;
        sim->addBot(kToken, p);
        if (!sim->start())
            return false;
        gw::MonitorAppOptions options;
        options.timings = gw::GatewayTimings::fast();
        options.timings.readyTimeout = 3s;
        options.timings.helloWatch = 4s;
        if (withStore)
            options.store = std::make_unique<gw::AccountStore>(dir.filePath(QStringLiteral("accounts.ini")),
                                                               QSettings::IniFormat);
        auto memory = std::make_unique<gw::MemoryTokenVault>();
        vault = memory.get();
        options.vault = std::move(memory);
        if (prepare)
            prepare(options);
        app = std::make_unique<MonitorApp>(std::move(options));
        return true;
    }

    [[nodiscard]] gw::AccountRecord record(const QString &name = QStringLiteral("Alpha")) const
    {
        gw::AccountRecord r;
        r.name = name;
        r.apiBaseOverride = sim->apiBase();
        return r;
    }

    //! addAccount() and wait for its callback; the saved record (empty id on failure).
    gw::AccountRecord add(const gw::AccountRecord &r, const QString &token = kToken)
    {
        gw::AccountRecord saved;
        bool done = false;
        QObject context;
        app->addAccount(r, token, MonitorApp::TokenStorage::Vault, &context,
                        [&](gw::Expected<gw::AccountRecord, gw::AccountSaveError> result) {
                            done = true;
                            if (result)
                                saved = result.value();
                        });
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            return {};
        return saved;
    }

    [[nodiscard]] std::optional<gw::AccountStatus> status(const QString &id) const
    {
        return app->manager()->status(id);
    }
    [[nodiscard]] ConnectionState state(const QString &id) const
    {
        const auto s = status(id);
        return s ? s->state : ConnectionState::Stopped;
    }
    [[nodiscard]] int countOps(int op) const
    {
        int n = 0;
        for (const auto &r : sim->receivedFrom(kBot))
            n += r.op == op ? 1 : 0;
        return n;
    }
};

} // namespace

class tst_MonitorApp final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
    }

    void cleanup() { gw::Redactor::global().clearTokens(); }

    void addPauseResumeReconnectRemove()
    {
        Fixture f;
        QVERIFY(f.start());
        const gw::AccountRecord saved = f.add(f.record());
        QVERIFY(!saved.id.isEmpty());
        const QString id = saved.id;
        QCOMPARE(f.vault->peek(id), std::optional<QString>(kToken));
        QVERIFY(f.app->savedRecord(id).has_value());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);

        // pause: the manager stops, the store remembers
        f.app->pause(id);
        QTRY_VERIFY_WITH_TIMEOUT(f.status(id)->paused, 5000);
        QTRY_COMPARE(f.state(id), ConnectionState::Stopped);
        QCOMPARE(f.app->store()->find(id)->paused, true);
        QTRY_COMPARE_WITH_TIMEOUT(f.sim->openConnectionCount(), 0, 5000);

        // resume: back to ready, the store forgets the pause
        f.app->resume(id);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        QVERIFY(!f.status(id)->paused);
        QCOMPARE(f.app->store()->find(id)->paused, false);

        // force reconnect, both modes
        const int resumes = f.countOps(6);
        const int identifies = f.countOps(2);
        f.app->forceReconnect(id, gw::ReconnectMode::Resume);
        QTRY_VERIFY_WITH_TIMEOUT(f.countOps(6) == resumes + 1, 10000);
        QCOMPARE(f.countOps(2), identifies);  // a resume spends no IDENTIFY
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        f.app->forceReconnect(id, gw::ReconnectMode::FreshIdentify);
        QTRY_VERIFY_WITH_TIMEOUT(f.countOps(2) == identifies + 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);

        // remove: gone from the store, the vault and the manager; the socket closes
        std::optional<std::optional<gw::VaultError>> removed;
        QObject context;
        f.app->removeAccount(id, &context, [&](std::optional<gw::VaultError> e) { removed = e; });
        QTRY_VERIFY_WITH_TIMEOUT(removed.has_value(), 5000);
        QVERIFY(!removed->has_value());
        QCOMPARE(f.app->store()->count(), 0);
        QCOMPARE(f.vault->peek(id), std::optional<QString>());
        QTRY_VERIFY_WITH_TIMEOUT(!f.status(id).has_value(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.sim->openConnectionCount(), 0, 5000);
    }

    void editRestartsWithTheNewRecord()
    {
        Fixture f;
        QVERIFY(f.start());
        const gw::AccountRecord saved = f.add(f.record());
        QVERIFY(!saved.id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(saved.id), ConnectionState::Ready, 10000);
        gw::AccountRecord renamed = saved;
        renamed.name = QStringLiteral("Alpha renamed");
        bool done = false;
        f.app->editAccount(renamed, std::nullopt, MonitorApp::TokenStorage::Vault, nullptr,
                           [&](gw::Expected<gw::AccountRecord, gw::AccountSaveError> r) { done = r.hasValue(); });
        QTRY_VERIFY_WITH_TIMEOUT(done, 5000);
        QCOMPARE(f.app->store()->find(saved.id)->name, renamed.name);
        QTRY_COMPARE_WITH_TIMEOUT(f.status(saved.id)->accountName, renamed.name, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(saved.id), ConnectionState::Ready, 10000);
    }

    void startStoredAccountsReadsTheVault()
    {
        Fixture f;
        QString storedId;
        QString tokenlessId;
        QVERIFY(f.start(true, [&](gw::MonitorAppOptions &o) {
            gw::AccountRecord r;
            r.name = QStringLiteral("Stored");
            r.apiBaseOverride = f.sim->apiBase();
            storedId = o.store->add(r)->id;
            r.name = QStringLiteral("No token");
            tokenlessId = o.store->add(r)->id;
            o.vault->keepForSession(storedId, kToken);
        }));
        QList<QString> missing;
        QObject context;
        f.app->startStoredAccounts(&context, [&](const gw::AccountRecord &r, const gw::VaultError &e) {
            QCOMPARE(e.kind, gw::VaultError::Kind::NotFound);
            missing.append(r.id);
        });
        QTRY_COMPARE_WITH_TIMEOUT(f.state(storedId), ConnectionState::Ready, 10000);
        QTRY_COMPARE(missing, QList<QString>{tokenlessId});
        QVERIFY(!f.status(tokenlessId).has_value());
        // a second call starts nothing twice
        f.app->startStoredAccounts(&context);
        QVERIFY(!QTest::qWaitFor([&] { return f.app->manager()->accountCount() > 1; }, 200));
    }

    void keychainProblemKeepsAccountsAndAsksOnce_data()
    {
        QTest::addColumn<int>("mode");  // gwtest::LockableVault::Mode
        QTest::addColumn<gw::VaultError::Kind>("kind");
        QTest::addColumn<QString>("problem");
        QTest::newRow("locked") << int(gwtest::LockableVault::Mode::Locked) << gw::VaultError::Kind::AccessDenied
                                << QStringLiteral("Locked: unlock your keyring or re-enter the token");
        QTest::newRow("unlock cancelled") << int(gwtest::LockableVault::Mode::Cancelled) << gw::VaultError::Kind::AccessDenied
                                          << QStringLiteral("Locked: unlock your keyring or re-enter the token");
        QTest::newRow("no keychain") << int(gwtest::LockableVault::Mode::NoBackend) << gw::VaultError::Kind::Unavailable
                                     << QStringLiteral("No keychain: start your keyring or re-enter the token");
    }

    void keychainProblemKeepsAccountsAndAsksOnce()
    {
        QFETCH(int, mode);
        QFETCH(gw::VaultError::Kind, kind);
        QFETCH(QString, problem);
        Fixture f;
        gwtest::LockableVault *vault = nullptr;
        QStringList ids;
        QVERIFY(f.start(true, [&](gw::MonitorAppOptions &o) {
            auto lockable = std::make_unique<gwtest::LockableVault>();
            vault = lockable.get();
            for (const char *name : {"One", "Two", "Three"}) {
                const QString id = o.store->add(f.record(QLatin1String(name)))->id;
                ids << id;
                vault->put(id, kToken);
            }
            vault->setMode(gwtest::LockableVault::Mode(mode));
            o.vault = std::move(lockable);
        }));
        QSignalSpy needed(f.app.get(), &MonitorApp::tokenNeeded);
        QSignalSpy keychain(f.app.get(), &MonitorApp::keychainProblemChanged);
        f.app->startStoredAccounts(nullptr);
        QTRY_COMPARE(needed.count(), 3);
        // one read, so one unlock prompt: the other accounts were not asked for
        QVERIFY(!QTest::qWaitFor([&] { return vault->reads() > 1; }, 300));
        QCOMPARE(vault->reads(), 1);
        QCOMPARE(keychain.count(), 1);
        QVERIFY(f.app->keychainProblem().has_value());
        QCOMPARE(f.app->keychainProblem()->kind, kind);
        const QList<gw::AccountStatus> rows = f.app->tokenNeededStatuses();
        QCOMPARE(rows.size(), 3);
        for (const gw::AccountStatus &s : rows) {
            QVERIFY(ids.contains(s.accountId));
            QVERIFY(s.tokenNeeded());
            QCOMPARE(s.tokenProblem, problem);
            QVERIFY(!s.lastError.isEmpty());
            QVERIFY(!f.status(s.accountId).has_value());  // not monitored
        }
        QCOMPARE(f.app->store()->count(), 3);  // nothing was forgotten

        // the user unlocks the keychain and presses Retry: every account is monitored
        vault->setMode(gwtest::LockableVault::Mode::Open);
        f.app->retryTokens();
        QTRY_COMPARE_WITH_TIMEOUT(f.app->manager()->accountCount(), 3, 5000);
        QCOMPARE(vault->reads(), 4);
        QVERIFY(!f.app->keychainProblem().has_value());
        QVERIFY(f.app->tokenNeededStatuses().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(ids.first()), ConnectionState::Ready, 10000);
    }

    void tokenNeededAccountIsRemovedOrGetsItsTokenAgain()
    {
        Fixture f;
        gwtest::LockableVault *vault = nullptr;
        QString keep;
        QString drop;
        QVERIFY(f.start(true, [&](gw::MonitorAppOptions &o) {
            auto lockable = std::make_unique<gwtest::LockableVault>();
            vault = lockable.get();
            keep = o.store->add(f.record(QStringLiteral("Keep")))->id;
            drop = o.store->add(f.record(QStringLiteral("Drop")))->id;
            vault->setMode(gwtest::LockableVault::Mode::Cancelled);
            o.vault = std::move(lockable);
        }));
        QSignalSpy needed(f.app.get(), &MonitorApp::tokenNeeded);
        f.app->startStoredAccounts(nullptr);
        QTRY_COMPARE(needed.count(), 2);

        // Remove: the record goes even though the keychain refuses the delete
        QSignalSpy removed(f.app.get(), &MonitorApp::tokenNeededRemoved);
        bool removeDone = false;
        f.app->removeAccount(drop, nullptr, [&](std::optional<gw::VaultError>) { removeDone = true; });
        QTRY_VERIFY(removeDone);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.first().first().toString(), drop);
        QVERIFY(!f.app->savedRecord(drop));
        QCOMPARE(f.app->tokenNeededStatuses().size(), 1);

        // Edit with the token re-entered (kept for this session, the keychain still refuses)
        bool saved = false;
        f.app->editAccount(*f.app->savedRecord(keep), kToken, MonitorApp::TokenStorage::SessionOnly, nullptr,
                           [&](gw::Expected<gw::AccountRecord, gw::AccountSaveError> r) { saved = r.hasValue(); });
        QTRY_VERIFY(saved);
        QVERIFY(f.app->tokenNeededStatuses().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(keep), ConnectionState::Ready, 10000);
    }

    void sessionAccountWithoutStoreAndStop()
    {
        Fixture f;
        QVERIFY(f.start(false));
        QVERIFY(f.app->store() == nullptr);
        QVERIFY(f.app->service() == nullptr);
        const gw::AccountRecord r =
            gw::unsavedAccountRecord(QStringLiteral("Headless"), 1, {}, f.sim->apiBase());
        QCOMPARE(gw::unsavedAccountRecord(QStringLiteral("Headless"), 1, {}, {}).id, r.id);  // stable
        f.app->monitorSessionAccount(r, kToken);
        QVERIFY(gw::Redactor::global().containsSecret(QStringLiteral("x ") + kToken));  // registered
        QVERIFY(f.vault->isSessionOnly(r.id));
        QTRY_COMPARE_WITH_TIMEOUT(f.state(r.id), ConnectionState::Ready, 10000);

        f.app->pauseAll();
        QTRY_VERIFY_WITH_TIMEOUT(f.status(r.id)->paused, 5000);
        f.app->resume(r.id);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(r.id), ConnectionState::Ready, 10000);

        QSignalSpy stopped(f.app.get(), &MonitorApp::stopped);
        f.app->stop(5s);
        QVERIFY(stopped.wait(5000));
        QCOMPARE(stopped.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(f.sim->openConnectionCount(), 0, 5000);
    }
};

QTEST_MAIN(tst_MonitorApp)
#include "tst_monitorapp.moc"
