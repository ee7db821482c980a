// The leak test: accounts with known tokens go through a session with
// faults, errors (a token Discord never knew, a token reset while connected → 4004), an export
// and a metrics scrape, composed the way app/main.cpp composes them (AccountStore + AccountService
// + vault, AccountManager, EventLog with the redactor, MetricsRegistry with the label filter,
// Exporter, the redacting message handler). Then every file written under the session's root
// (settings, data directory with the SQLite database and its WAL, exports, metrics) and every
// captured log line is searched for every token, as UTF-8 and as UTF-16: zero hits.
//
// The session also contains deliberate leaks (a careless log line with a token, an event row whose
// message and fields carry one, a metric label with one), standing for future bugs. The control
// run plays the same session with the redactor switched off and asserts that the same search
// DOES find the tokens there: the zero above is the redactor's doing, not a blind search.
#include "accountmanager.h"
#include "accountservice.h"
#include "accountstore.h"
#include "eventlog.h"
#include "exporter.h"
#include "gatewaysimulator.h"
#include "logging.h"
#include "memorytokenvault.h"
#include "messagecapture.h"
#include "metricsregistry.h"
#include "redactor.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace gw;
using namespace std::chrono_literals;

namespace {

GatewayTimings fastTimings()
{
    GatewayTimings t = gwtest::testTimings(gwtest::margins::Session);
    t.identifyBucketInterval = 20ms;
    t.restartBackoffBase = 200ms;
    t.restartBackoffMax = 1000ms;
    return t;
}

struct Tokens
{
    QString alpha, beta, gamma, bad;
    QStringList all() const { return {alpha, beta, gamma, bad}; }
};

Tokens makeTokens(const QString &salt)
{
    // alpha, gamma and bad are token-shaped; beta is not (only the known-token list covers it).
    Tokens t;
    t.alpha = QStringLiteral("MTAwMDAwMDAwMDAwMDAwMDAx.Gh") + salt.left(4) + QStringLiteral(".alphaHMACalphaHMACalphaHMAC_-") + salt;
    t.beta = QStringLiteral("leaktest-beta-secret-") + salt;
    t.gamma = QStringLiteral("MTAwMDAwMDAwMDAwMDAwMDAz.Gh") + salt.left(4) + QStringLiteral(".gammaHMACgammaHMACgammaHMAC_-") + salt;
    t.bad = QStringLiteral("MTAwMDAwMDAwMDAwMDAwMDA5.Gh") + salt.left(4) + QStringLiteral(".neverKnownToDiscordAtAll_-") + salt;
    return t;
}

struct Findings
{
    QStringList hits;  // "<token name> in <where>"
    int filesSearched = 0;
    int linesSearched = 0;
    qint64 bytesSearched = 0;
};

Findings search(const QString &root, const QStringList &capturedLines, const QHash<QString, QString> &tokens)
{
    Findings f;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QByteArray content = file.readAll();
        ++f.filesSearched;
        f.bytesSearched += content.size();
        for (auto t = tokens.cbegin(); t != tokens.cend(); ++t) {
            const QByteArray utf8 = t.value().toUtf8();
            const QByteArray utf16(reinterpret_cast<const char *>(t.value().utf16()), t.value().size() * 2);
            if (content.contains(utf8) || content.contains(utf16))
                f.hits.append(t.key() + QStringLiteral(" in ") + QDir(root).relativeFilePath(path));
        }
    }
    for (const QString &line : capturedLines) {
        ++f.linesSearched;
        for (auto t = tokens.cbegin(); t != tokens.cend(); ++t) {
            if (line.contains(t.value()))
                f.hits.append(t.key() + QStringLiteral(" in log line: ") + line.left(160));
        }
    }
    return f;
}

} // namespace

class tst_TokenLeak final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<gwtest::MessageCapture> m_capture;

    //! One whole session under `root`. Returns false (with QTest failure) if the session itself
    //! did not behave; the leak verdict is the caller's.
    bool runSession(const QString &root, const Tokens &tok)
    {
        const QString configDir = root + QStringLiteral("/config");
        const QString dataDir = root + QStringLiteral("/data");
        const QString exportDir = root + QStringLiteral("/exports");
        for (const QString &dir : {configDir, dataDir, exportDir})
            QDir().mkpath(dir);

        GatewaySimulator::Options so;
        so.heartbeatInterval = 200ms;
        so.dispatchInterval = 50ms;
        GatewaySimulator sim(so);
        gwtest::addBot(sim, tok.alpha, QStringLiteral("alpha"));
        gwtest::addBot(sim, tok.beta, QStringLiteral("beta"));
        gwtest::addBot(sim, tok.gamma, QStringLiteral("gamma"));
        if (!sim.start()) {
            qWarning("simulator: %s", qPrintable(sim.errorString()));
            return false;
        }

        // --- accounts: records into the settings file, tokens into the vault -------------------
        AccountStore store(configDir + QStringLiteral("/gatewatch.conf"), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        EventLogOptions logOptions;
        logOptions.commitInterval = 20ms;
        EventLog log(dataDir + QStringLiteral("/events.sqlite"), logOptions);
        if (!log.open().hasValue())
            return false;
        MetricsRegistry metrics;

        AccountManager manager(fastTimings());
        QObject ctx;
        connect(&manager, &AccountManager::eventLogged, &ctx, [&](const EventLogEntry &e) {
            log.append(e);
            metrics.recordEvent(e);
        });
        connect(&manager, &AccountManager::statusChanged, &ctx, [&](const AccountStatus &s) { metrics.updateStatus(s); });

        // A user pasting the token as the name is refused; the refusal message has no token.
        {
            AccountRecord oops;
            oops.name = tok.alpha;
            std::optional<Expected<AccountRecord, AccountSaveError>> res;
            service.addAccount(oops, tok.alpha, AccountService::TokenStorage::Vault, &ctx,
                               [&](Expected<AccountRecord, AccountSaveError> r) { res = r; });
            if (!QTest::qWaitFor([&] { return res.has_value(); }, 5000) || res->hasValue())
                return false;
            qCWarning(lcAccounts).noquote() << "add refused:" << res->error().message;
        }

        QHash<QString, QString> ids;  // name → id
        const QList<std::pair<QString, QString>> accounts{{QStringLiteral("alpha"), tok.alpha},
                                                          {QStringLiteral("beta"), tok.beta},
                                                          {QStringLiteral("gamma"), tok.gamma},
                                                          {QStringLiteral("bad"), tok.bad}};
        for (const auto &[name, token] : accounts) {
            AccountRecord r;
            r.name = name;
            r.apiBaseOverride = sim.apiBase();
            std::optional<Expected<AccountRecord, AccountSaveError>> res;
            service.addAccount(r, QStringLiteral("Bot ") + token + u' ', AccountService::TokenStorage::Vault, &ctx,
                               [&](Expected<AccountRecord, AccountSaveError> x) { res = x; });
            // Beyond the vault's own 20 s keychain timeout: a loaded machine (ASan, two test
            // processes) can take seconds per keyring call.
            if (!QTest::qWaitFor([&] { return res.has_value(); }, 30000) || !res->hasValue()) {
                qWarning("adding %s failed: %s", qPrintable(name),
                         res ? qPrintable(res->hasValue() ? QString() : res->error().message) : "no answer in 30 s");
                return false;
            }
            ids.insert(name, res->value().id);
        }
        // Start monitoring as the app does: read each token back from the vault.
        for (const AccountRecord &r : store.accounts()) {
            std::optional<Expected<QString, VaultError>> tokenRead;
            vault.readToken(r.id, &ctx, [&](Expected<QString, VaultError> t) { tokenRead = t; });
            if (!QTest::qWaitFor([&] { return tokenRead.has_value(); }, 30000) || !tokenRead->hasValue()) {
                qWarning("reading %s's token failed: %s", qPrintable(r.name),
                         tokenRead ? qPrintable(tokenRead->hasValue() ? QString() : tokenRead->error().message)
                                   : "no answer in 30 s");
                return false;
            }
            manager.add(r, tokenRead->value());
        }

        auto state = [&](const QString &name) {
            const auto s = manager.status(ids.value(name));
            return s ? s->state : ConnectionState::Stopped;
        };
        auto ready = [&](const QString &name) { return state(name) == ConnectionState::Ready; };
        if (!QTest::qWaitFor([&] { return ready(QStringLiteral("alpha")) && ready(QStringLiteral("beta")) && ready(QStringLiteral("gamma")); }, 20000)) {
            qWarning("accounts did not become ready");
            return false;
        }
        // A token Discord never knew: 401 on GET /gateway/bot → failed, not retried.
        if (!QTest::qWaitFor([&] { return state(QStringLiteral("bad")) == ConnectionState::Failed; }, 10000)) {
            qWarning("the bad token did not end failed");
            return false;
        }

        // --- faults -------------------------------------------------------------------------------
        SimFault zombie;
        zombie.kind = SimFault::Kind::StopAcks;
        sim.injectFault(QStringLiteral("alpha"), zombie);
        SimFault close4000;
        close4000.kind = SimFault::Kind::Close;
        close4000.closeCode = 4000;
        sim.injectFault(QStringLiteral("beta"), close4000);
        SimFault malformed;
        malformed.kind = SimFault::Kind::Malformed;
        sim.injectFault(QStringLiteral("beta"), malformed);
        if (!QTest::qWaitFor([&] {
                const auto a = manager.status(ids.value(QStringLiteral("alpha")));
                const auto b = manager.status(ids.value(QStringLiteral("beta")));
                return a && b && a->disconnects >= 1 && b->disconnects >= 1 && ready(QStringLiteral("alpha"))
                       && ready(QStringLiteral("beta"));
            }, 20000)) {
            qWarning("alpha/beta did not recover from the faults");
            return false;
        }
        SimFault invalid;
        invalid.kind = SimFault::Kind::InvalidSession;
        invalid.resumable = false;
        sim.injectFault(QStringLiteral("alpha"), invalid);
        SimFault drop;
        drop.kind = SimFault::Kind::DropTcp;
        sim.injectFault(QStringLiteral("beta"), drop);

        // gamma's token is reset at Discord while connected: op 9 (not resumable), the token is
        // gone before the client re-identifies (the simulator runs on this thread), the IDENTIFY
        // gets 4004, and the account ends failed after that one attempt (not in a loop).
        const int gammaIdentifiesBefore = manager.status(ids.value(QStringLiteral("gamma")))->identifies;
        SimFault gammaInvalid;
        gammaInvalid.kind = SimFault::Kind::InvalidSession;
        gammaInvalid.resumable = false;
        // Under load gamma's socket may be between connections for a moment: inject once it is open.
        if (!QTest::qWaitFor([&] { return sim.injectFault(QStringLiteral("gamma"), gammaInvalid); }, 10000)) {
            qWarning("gamma had no open connection for the op 9 fault");
            return false;
        }
        sim.removeBot(tok.gamma);
        if (!QTest::qWaitFor([&] { return state(QStringLiteral("gamma")) == ConnectionState::Failed; }, 20000)) {
            qWarning("gamma did not end failed after its token was reset");
            return false;
        }
        // The client's state reaches Failed a moment before the supervisor records why (the
        // fatal close is handled in the next step): wait for the reason, not only the state.
        const auto failedWith4004 = [&] {
            const auto s = manager.status(ids.value(QStringLiteral("gamma")));
            return s && s->failure.closeCode == std::optional<int>(4004);
        };
        (void)QTest::qWaitFor(failedWith4004, 10000);
        const auto gammaStatus = manager.status(ids.value(QStringLiteral("gamma")));
        if (!gammaStatus || gammaStatus->failure.closeCode != std::optional<int>(4004)) {
            qWarning("gamma failed without 4004: %s", qPrintable(gammaStatus ? gammaStatus->failure.message : QString()));
            return false;
        }
        if (gammaStatus->identifies - gammaIdentifiesBefore != 1) {
            qWarning("gamma identified %d times after its token was reset", gammaStatus->identifies - gammaIdentifiesBefore);
            return false;
        }
        if (gammaStatus->restarts != 0) {
            qWarning("gamma was restarted %d times after a 4004", gammaStatus->restarts);
            return false;
        }
        if (!QTest::qWaitFor([&] { return ready(QStringLiteral("alpha")) && ready(QStringLiteral("beta")); }, 20000)) {
            qWarning("alpha/beta did not recover");
            return false;
        }

        // --- the deliberate leaks (future bugs the redactor must catch) -------------------------
        qCWarning(lcAccounts) << "careless debug dump: token" << tok.alpha << "and" << tok.beta;
        qCInfo(lcGateway).noquote() << QStringLiteral("{\"op\":2,\"d\":{\"token\":\"%1\"}}").arg(tok.gamma);
        EventLogEntry leaky;
        leaky.at = QDateTime::currentDateTimeUtc();
        leaky.accountId = ids.value(QStringLiteral("bad"));
        leaky.accountName = QStringLiteral("bad");
        leaky.kind = EventKind::Error;
        leaky.severity = Severity::Error;
        leaky.message = QStringLiteral("REST failed with Authorization: Bot ") + tok.bad;
        leaky.fields = QJsonObject{{QStringLiteral("authorization"), QString(QStringLiteral("Bot ") + tok.alpha)},
                                   {QStringLiteral("nested"), QJsonObject{{QStringLiteral("t"), tok.beta}}}};
        log.append(leaky);
        if (auto s = manager.status(ids.value(QStringLiteral("beta")))) {
            AccountStatus labelled = *s;
            labelled.accountId = QStringLiteral("leaky-label");
            labelled.accountName = QStringLiteral("beta ") + tok.beta;
            metrics.updateStatus(labelled);
        }

        // --- stop, flush, export, scrape ---------------------------------------------------------
        QSignalSpy stopped(&manager, &AccountManager::allStopped);
        manager.stopAll();
        if (!stopped.wait(10000))
            return false;
        if (!log.flush().hasValue())
            return false;
        Exporter exporter(log.databasePath());
        for (const auto &[format, file] : {std::pair{ExportOptions::Format::JsonLines, QStringLiteral("/events.jsonl")},
                                           std::pair{ExportOptions::Format::Csv, QStringLiteral("/events.csv")}}) {
            QFile out(exportDir + file);
            if (!out.open(QIODevice::WriteOnly))
                return false;
            ExportOptions eo;
            eo.format = format;
            const auto written = exporter.exportTo(&out, eo);
            if (!written.hasValue() || written.value() < 10) {
                qWarning("export wrote too little");
                return false;
            }
        }
        QFile scrape(dataDir + QStringLiteral("/metrics.prom"));
        if (!scrape.open(QIODevice::WriteOnly) || scrape.write(metrics.exposition()) <= 0)
            return false;
        return true;
    }

    Findings runAndSearch(const QString &root, const Tokens &tok)
    {
        m_capture->clear();
        const bool ok = runSession(root, tok);
        if (!ok) {
            // The capture holds every line (the warning that says which step failed is among the
            // last ones); they are redacted, so printing them is safe.
            for (const QString &line : m_capture->tail(20))
                std::fprintf(stderr, "captured: %s\n", qPrintable(line));
        }
        [&] { QVERIFY2(ok, "the session did not behave (see the captured lines above)"); }();
        const QStringList lines = m_capture->lines();
        // The captured output is a file written too.
        QFile out(root + QStringLiteral("/captured-output.log"));
        if (out.open(QIODevice::WriteOnly))
            out.write(lines.join(u'\n').toUtf8());
        return search(root, lines,
                      {{QStringLiteral("alpha"), tok.alpha}, {QStringLiteral("beta"), tok.beta},
                       {QStringLiteral("gamma"), tok.gamma}, {QStringLiteral("bad"), tok.bad}});
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QLoggingCategory::setFilterRules(QStringLiteral("gatewatch.*=true"));  // every line, debug too
        m_capture = std::make_unique<gwtest::MessageCapture>();
        QVERIFY(installRedactingMessageHandler());  // chains to the capture, as main() chains to stderr
    }
    void cleanupTestCase()
    {
        uninstallRedactingMessageHandler();
        m_capture.reset();
        Redactor::global().setEnabled(true);
    }

    void noTokenAnywhere()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        Redactor::global().clearTokens();
        Redactor::global().setEnabled(true);
        const Tokens tok = makeTokens(QStringLiteral("r3d4ct3d"));
        const Findings f = runAndSearch(root.path(), tok);
        if (QTest::currentTestFailed())
            return;
        // Printed to stdout directly: every qInfo goes to the capture during this test.
        std::printf("leak search: %d files (%lld bytes), %d captured lines, %lld hits\n", f.filesSearched,
                    f.bytesSearched, f.linesSearched, qint64(f.hits.size()));
        std::fflush(stdout);
        QVERIFY(f.filesSearched >= 5);   // settings, database (+WAL), two exports, metrics, output
        QVERIFY(f.linesSearched >= 50);
        QVERIFY2(f.hits.isEmpty(), qPrintable(f.hits.join(u'\n')));
        // The redactor did work: its placeholder is in the output and the export.
        QFile jsonl(root.filePath(QStringLiteral("exports/events.jsonl")));
        QVERIFY(jsonl.open(QIODevice::ReadOnly));
        QVERIFY(jsonl.readAll().contains("[REDACTED]"));
        QFile captured(root.filePath(QStringLiteral("captured-output.log")));
        QVERIFY(captured.open(QIODevice::ReadOnly));
        QVERIFY(captured.readAll().contains("[REDACTED]"));
    }

    void controlWithoutRedactorFindsTokens()
    {
        QTemporaryDir root;
        QVERIFY(root.isValid());
        Redactor::global().clearTokens();
        Redactor::global().setEnabled(false);  // the bypass
        const Tokens tok = makeTokens(QStringLiteral("c0ntr0l0"));
        const Findings f = runAndSearch(root.path(), tok);
        Redactor::global().setEnabled(true);
        if (QTest::currentTestFailed())
            return;
        std::printf("control search (redactor bypassed): %d files, %d captured lines, %lld hits\n",
                    f.filesSearched, f.linesSearched, qint64(f.hits.size()));
        for (const QString &h : f.hits)
            std::printf("  %s\n", qPrintable(h.left(140)));
        std::fflush(stdout);
        const QString all = f.hits.join(u'\n');
        // Every channel the real run kept clean is shown to leak without the redactor.
        QVERIFY2(all.contains(QLatin1String("alpha in log line")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("beta in log line")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("gamma in log line")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("bad in exports/events.jsonl")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("bad in exports/events.csv")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("alpha in exports/events.jsonl")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("beta in data/metrics.prom")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("bad in data/events.sqlite")), qPrintable(all));
    }
};

QTEST_GUILESS_MAIN(tst_TokenLeak)
#include "tst_tokenleak.moc"
