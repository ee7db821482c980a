// The Add bot / Edit dialog driven offscreen: typing, the format check, the
// reveal toggle, Check token against the real GatewaySimulator (name and identify budget, 401,
// timeout, unreachable host), OK gating and wording, a token of another shape behind custom
// URLs, a dialog that keeps its size, the last Advanced URLs, muting in Edit, saving into an
// AccountStore + MemoryTokenVault through
// AccountService, the keychain-unavailable "session only" path, Edit mode, and Remove.
#include "accountservice.h"
#include "accountstore.h"
#include "addbotdialog.h"
#include "gatewaysimulator.h"
#include "intentselector.h"
#include "memorytokenvault.h"
#include "redactor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace gw;
using namespace std::chrono_literals;

namespace {

QString makeToken(int n)
{
    // Token-shaped (base64 user id . timestamp . hmac), distinct per n.
    return QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc%1").arg(n % 10) + QStringLiteral(".GhIjKl.")
           + QStringLiteral("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_%1").arg(n, 2, 10, QLatin1Char('0'));
}

template<typename T>
T *child(QObject *parent, const char *name)
{
    T *w = parent->findChild<T *>(QLatin1String(name));
    if (!w)
        qWarning("no child %s", name);
    return w;
}

} // namespace

class tst_AddBotDialog final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<GatewaySimulator> m_sim;
    const QString m_goodToken = makeToken(1);

    QString settingsFile() const { return m_dir.filePath(QStringLiteral("accounts.ini")); }

    static QPushButton *okButton(AddBotDialog &dlg)
    {
        return child<QDialogButtonBox>(&dlg, "buttons")->button(QDialogButtonBox::Ok);
    }
    static void type(AddBotDialog &dlg, const QString &name, const QString &token)
    {
        auto *nameEdit = child<QLineEdit>(&dlg, "nameEdit");
        auto *tokenEdit = child<QLineEdit>(&dlg, "tokenEdit");
        nameEdit->clear();
        tokenEdit->clear();
        QTest::keyClicks(nameEdit, name);
        QTest::keyClicks(tokenEdit, token);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_sim = std::make_unique<GatewaySimulator>();
        QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));
        SimBotPolicy p;
        p.name = QStringLiteral("alpha");
        p.userName = QStringLiteral("Gatewatch Test Bot");
        p.userId = QStringLiteral("123456789012345678");
        p.sessionStartTotal = 1000;
        p.sessionStartRemaining = 998;
        p.sessionStartResetAfter = 90min;
        p.maxConcurrency = 2;
        p.recommendedShards = 3;
        m_sim->addBot(m_goodToken, p);
    }
    void init() { QFile::remove(settingsFile()); }
    void cleanup() { Redactor::global().clearTokens(); }

    void initialState()
    {
        AddBotDialog dlg(nullptr);
        QCOMPARE(dlg.mode(), AddBotDialog::Mode::Add);
        QVERIFY(!okButton(dlg)->isEnabled());
        QVERIFY(!child<QPushButton>(&dlg, "checkButton")->isEnabled());
        QCOMPARE(child<QLineEdit>(&dlg, "tokenEdit")->echoMode(), QLineEdit::Password);
        // Intents: GUILDS only; the three privileged ones marked and explained.
        auto *intents = child<IntentSelector>(&dlg, "intentSelector");
        QCOMPARE(intents->value(), 1u);
        for (const char *name : {"GUILD_MEMBERS", "GUILD_PRESENCES", "MESSAGE_CONTENT"}) {
            QCheckBox *box = intents->checkBox(QLatin1String(name));
            QVERIFY(box);
            QVERIFY(box->text().contains(QLatin1String("privileged")));
            QVERIFY(box->toolTip().contains(QLatin1String("Developer Portal")));
            QVERIFY(box->font().bold());
        }
        QVERIFY(!intents->checkBox(QStringLiteral("GUILD_MESSAGES"))->text().contains(QLatin1String("privileged")));
        QVERIFY(child<QLabel>(&dlg, "privilegedNote")->text().contains(QLatin1String("4014")));
        // Advanced: collapsed; defaults shard 0 of the recommended count, zlib-stream.
        auto *panel = child<QWidget>(&dlg, "advancedPanel");
        QVERIFY(panel->isHidden());
        child<QToolButton>(&dlg, "advancedToggle")->click();
        QVERIFY(!panel->isHidden());
        QVERIFY(child<QRadioButton>(&dlg, "shardFirstRadio")->isChecked());
        auto *compression = child<QComboBox>(&dlg, "compressionCombo");
        QCOMPARE(compression->currentData().value<Compression>(), Compression::ZlibStream);
        QCOMPARE(compression->count(), 3);
    }

    void revealToggle()
    {
        AddBotDialog dlg(nullptr);
        auto *tokenEdit = child<QLineEdit>(&dlg, "tokenEdit");
        auto *reveal = child<QToolButton>(&dlg, "revealButton");
        reveal->click();
        QCOMPARE(tokenEdit->echoMode(), QLineEdit::Normal);
        reveal->click();
        QCOMPARE(tokenEdit->echoMode(), QLineEdit::Password);
    }

    void validation_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("gatewayUrl");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("messagePart");
        const QString t = makeToken(2);
        QTest::newRow("ok") << QStringLiteral("Alpha") << t << QString() << true << QString();
        QTest::newRow("empty name") << QString() << t << QString() << false << QStringLiteral("display name");
        QTest::newRow("blank name") << QStringLiteral("   ") << t << QString() << false << QStringLiteral("display name");
        QTest::newRow("no token") << QStringLiteral("Alpha") << QString() << QString() << false << QStringLiteral("Paste");
        // Not shaped like Discord's: only a warning (tokenShapeOnlyWarns); Check token decides.
        QTest::newRow("not token-shaped") << QStringLiteral("Alpha") << QStringLiteral("my-client-secret-1234") << QString() << true
                                          << QString();
        QTest::newRow("two parts") << QStringLiteral("Alpha") << t.section(u'.', 0, 1) << QString() << true << QString();
        QTest::newRow("Bot prefix and spaces") << QStringLiteral("Alpha") << (QStringLiteral("  Bot ") + t + QStringLiteral("  "))
                                               << QString() << true << QString();
        QTest::newRow("token as name") << t << makeToken(3) << QString() << false << QStringLiteral("looks like a token");
        QTest::newRow("name contains the token") << (QStringLiteral("bot ") + t) << t << QString() << false << QStringLiteral("looks like a token");
        QTest::newRow("too short to redact") << QStringLiteral("Alpha") << QStringLiteral("a") << QString() << false << QStringLiteral("at least 8");
        QTest::newRow("bad gateway URL") << QStringLiteral("Alpha") << t << QStringLiteral("http://x") << false
                                         << QStringLiteral("ws://");
        QTest::newRow("good gateway URL") << QStringLiteral("Alpha") << t << QStringLiteral("wss://gateway.example") << true << QString();
    }
    void validation()
    {
        QFETCH(QString, name);
        QFETCH(QString, token);
        QFETCH(QString, gatewayUrl);
        QFETCH(bool, valid);
        QFETCH(QString, messagePart);
        AddBotDialog dlg(nullptr);
        type(dlg, name, token);
        child<QLineEdit>(&dlg, "gatewayUrlEdit")->setText(gatewayUrl);
        QCOMPARE(dlg.isInputValid(), valid);
        QCOMPARE(okButton(dlg)->isEnabled(), valid);
        if (!valid)
            QVERIFY2(dlg.validationMessage().contains(messagePart), qPrintable(dlg.validationMessage()));
        else
            QVERIFY(dlg.validationMessage().isEmpty());
    }

    void trimsPrefixAndWhitespace_data()
    {
        QTest::addColumn<QString>("raw");
        const QString t = makeToken(4);
        QTest::newRow("Bot prefix") << (QStringLiteral("Bot ") + t);
        QTest::newRow("lower-case prefix") << (QStringLiteral("bot ") + t);
        QTest::newRow("spaces") << (QStringLiteral("   ") + t + QStringLiteral("   "));
        QTest::newRow("pasted line breaks") << (QStringLiteral("\n") + t.left(30) + QStringLiteral("\n") + t.mid(30) + QStringLiteral("\r\n"));
        QTest::newRow("everything") << (QStringLiteral("\t Bot  ") + t + QStringLiteral(" \n"));
    }
    void trimsPrefixAndWhitespace()
    {
        QFETCH(QString, raw);
        AddBotDialog dlg(nullptr);
        child<QLineEdit>(&dlg, "nameEdit")->setText(QStringLiteral("Alpha"));
        child<QLineEdit>(&dlg, "tokenEdit")->setText(raw);  // a paste
        QVERIFY(dlg.isInputValid());
        QCOMPARE(dlg.token(), std::optional<QString>(makeToken(4)));
        // Leaving the field shows what will be stored.
        Q_EMIT child<QLineEdit>(&dlg, "tokenEdit")->editingFinished();
        QCOMPARE(child<QLineEdit>(&dlg, "tokenEdit")->text(), makeToken(4));
    }

    void checkTokenShowsNameAndBudget()
    {
        AddBotDialog dlg(nullptr);
        dlg.setDefaultApiBase(m_sim->apiBase());
        type(dlg, QStringLiteral("Alpha"), QStringLiteral("Bot ") + m_goodToken);
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        auto *check = child<QPushButton>(&dlg, "checkButton");
        QVERIFY(check->isEnabled());
        check->click();
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Checking);
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Valid);
        const QString msg = dlg.checkMessage();
        QVERIFY2(msg.contains(QLatin1String("Gatewatch Test Bot")), qPrintable(msg));
        QVERIFY2(msg.contains(QLatin1String("998/1000")), qPrintable(msg));
        QVERIFY2(msg.contains(QLatin1String("max_concurrency 2")), qPrintable(msg));
        QVERIFY2(msg.contains(QLatin1String("recommended shards 3")), qPrintable(msg));
        QVERIFY2(msg.contains(QLatin1String("1 h 30 min")) || msg.contains(QLatin1String("1 h 29 min")), qPrintable(msg));
        QVERIFY(!msg.contains(m_goodToken));
        QVERIFY(child<QLabel>(&dlg, "checkResult")->isVisibleTo(&dlg));
        // Editing the token drops the verdict.
        QTest::keyClick(child<QLineEdit>(&dlg, "tokenEdit"), Qt::Key_Backspace);
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::NotChecked);
    }

    void apiBaseOverrideIsUsed()
    {
        AddBotDialog dlg(nullptr);  // default API base: Discord's; the override points at the simulator
        type(dlg, QStringLiteral("Alpha"), m_goodToken);
        child<QLineEdit>(&dlg, "apiBaseEdit")->setText(m_sim->apiBase().toString());
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        dlg.checkToken();
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Valid);
        QCOMPARE(dlg.record().apiBaseOverride, m_sim->apiBase());
    }

    void badTokenGetsHuman401()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        dlg.setDefaultApiBase(m_sim->apiBase());
        const QString bad = makeToken(66);
        type(dlg, QStringLiteral("Wrong"), bad);
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        QVERIFY(okButton(dlg)->isEnabled());
        okButton(dlg)->click();  // OK with an unchecked token checks first
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Rejected);
        QVERIFY2(dlg.checkMessage().contains(QLatin1String("rejected the token (401)")), qPrintable(dlg.checkMessage()));
        QVERIFY2(!okButton(dlg)->isEnabled(), "after a 401, OK would do nothing: it is disabled");
        QVERIFY(dlg.checkMessage().contains(QLatin1String("401")));
        QVERIFY(!dlg.checkMessage().contains(bad));
        okButton(dlg)->click();  // still refused
        QCOMPARE(accepted.size(), 0);
        QCOMPARE(store.count(), 0);
        QCOMPARE(vault.count(), 0);
    }

    void timeoutAndUnreachable()
    {
        // A server that accepts and never answers → timeout message.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> held;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *s = silent.nextPendingConnection())
                held.append(s);
        });
        {
            AddBotDialog dlg(nullptr);
            dlg.setCheckTimeout(300ms);
            dlg.setDefaultApiBase(QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(silent.serverPort())));
            type(dlg, QStringLiteral("Alpha"), m_goodToken);
            QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
            dlg.checkToken();
            QVERIFY(finished.wait(10000));
            QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Failed);
            QVERIFY2(dlg.checkMessage().contains(QLatin1String("No answer")), qPrintable(dlg.checkMessage()));
        }
        // A port nobody listens on → "Connection refused", said as a sentence (no error numbers).
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        {
            AddBotDialog dlg(nullptr);
            dlg.setDefaultApiBase(QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(closedPort)));
            type(dlg, QStringLiteral("Alpha"), m_goodToken);
            QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
            dlg.checkToken();
            QVERIFY(finished.wait(10000));
            QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Failed);
            QVERIFY2(dlg.checkMessage().contains(QLatin1String("Connection refused")), qPrintable(dlg.checkMessage()));
            QVERIFY2(!dlg.checkMessage().contains(QLatin1String("network error")), qPrintable(dlg.checkMessage()));
            QCOMPARE(okButton(dlg)->text(), QStringLiteral("Save &unverified"));
        }
        qDeleteAll(held);
    }

    void tokenShapeOnlyWarns()
    {
        AddBotDialog dlg(nullptr);
        type(dlg, QStringLiteral("Alpha"), QStringLiteral("my-client-secret-1234"));
        auto *hint = child<QLabel>(&dlg, "tokenHint");
        // Discord's API base: a warning, and both buttons stay usable.
        QVERIFY2(hint->text().contains(QLatin1String("does not look like a Discord bot token")), qPrintable(hint->text()));
        QVERIFY(okButton(dlg)->isEnabled());
        QVERIFY(child<QPushButton>(&dlg, "checkButton")->isEnabled());
        // Another API base (simulator, proxy, self-hosted gateway): not even a warning.
        child<QToolButton>(&dlg, "advancedToggle")->click();
        child<QLineEdit>(&dlg, "apiBaseEdit")->setText(QStringLiteral("http://127.0.0.1:9/api/v10"));
        QVERIFY2(hint->text().isEmpty(), qPrintable(hint->text()));
    }

    void acceptsCustomGatewayToken()
    {
        // A simulator bot whose token has nothing of Discord's shape, behind custom URLs.
        const QString simToken = QStringLiteral("sim-token-custom-gateway");
        SimBotPolicy p;
        p.name = QStringLiteral("custom");
        p.userName = QStringLiteral("Custom Gateway Bot");
        p.userId = QStringLiteral("223456789012345678");
        m_sim->addBot(simToken, p);
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        type(dlg, QStringLiteral("Custom"), simToken);
        child<QToolButton>(&dlg, "advancedToggle")->click();
        child<QLineEdit>(&dlg, "apiBaseEdit")->setText(m_sim->apiBase().toString());
        child<QLineEdit>(&dlg, "gatewayUrlEdit")->setText(m_sim->gatewayUrl().toString());
        QVERIFY(child<QPushButton>(&dlg, "checkButton")->isEnabled());
        QVERIFY(okButton(dlg)->isEnabled());
        QCOMPARE(okButton(dlg)->text(), QStringLiteral("Check and &save"));
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Checking);
        QVERIFY2(!okButton(dlg)->isEnabled(), "no second press while the check runs");
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Valid);
        QVERIFY(accepted.wait(5000));
        QCOMPARE(store.count(), 1);
        QCOMPARE(store.accounts().first().apiBaseOverride, m_sim->apiBase());
        QCOMPARE(vault.count(), 1);
    }

    void keepsItsSizeWhileMessagesComeAndGo()
    {
        AddBotDialog dlg(nullptr);
        dlg.setDefaultApiBase(m_sim->apiBase());
        dlg.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dlg));
        const QSize before = dlg.size();
        type(dlg, QStringLiteral("Alpha"), makeToken(77));  // unknown to the simulator: 401
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        dlg.checkToken();
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Rejected);
        QCoreApplication::processEvents();
        QCOMPARE(dlg.size(), before);
        child<QLineEdit>(&dlg, "tokenEdit")->setText(QStringLiteral("short"));  // a hint instead
        QVERIFY(!child<QLabel>(&dlg, "tokenHint")->text().isEmpty());
        QCoreApplication::processEvents();
        QCOMPARE(dlg.size(), before);
    }

    void advancedUrlsDefaultToTheLastUsed()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("ui.ini")), QSettings::IniFormat);
        settings.clear();
        {
            AddBotDialog dlg(nullptr);
            dlg.setSettings(&settings);
            QVERIFY(child<QWidget>(&dlg, "advancedPanel")->isHidden());
            type(dlg, QStringLiteral("Alpha"), m_goodToken);
            child<QLineEdit>(&dlg, "apiBaseEdit")->setText(m_sim->apiBase().toString());
            child<QLineEdit>(&dlg, "gatewayUrlEdit")->setText(QStringLiteral("ws://127.0.0.1:1/gw"));
            QSignalSpy accepted(&dlg, &QDialog::accepted);
            okButton(dlg)->click();
            QVERIFY(accepted.wait(10000));
        }
        AddBotDialog next(nullptr);
        next.setSettings(&settings);
        QCOMPARE(child<QLineEdit>(&next, "apiBaseEdit")->text(), m_sim->apiBase().toString());
        QCOMPARE(child<QLineEdit>(&next, "gatewayUrlEdit")->text(), QStringLiteral("ws://127.0.0.1:1/gw"));
        QVERIFY(!child<QWidget>(&next, "advancedPanel")->isHidden());
    }

    void editOffersMuting()
    {
        AccountRecord r;
        r.id = QStringLiteral("id-1");
        r.name = QStringLiteral("Alpha");
        r.muted = true;
        AddBotDialog dlg(nullptr);
        dlg.setRecord(r);
        auto *mute = child<QCheckBox>(&dlg, "muteCheck");
        QVERIFY(mute->isChecked());
        mute->click();
        QVERIFY(!dlg.record().muted);
    }

    void acceptStoresRecordAndToken()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        dlg.setDefaultApiBase(m_sim->apiBase());
        type(dlg, QStringLiteral("  Alpha bot "), QStringLiteral(" Bot ") + m_goodToken + QStringLiteral(" "));
        child<IntentSelector>(&dlg, "intentSelector")->checkBox(QStringLiteral("GUILD_MESSAGES"))->click();
        child<QToolButton>(&dlg, "advancedToggle")->click();
        child<QRadioButton>(&dlg, "shardAllRadio")->click();
        auto *compression = child<QComboBox>(&dlg, "compressionCombo");
        compression->setCurrentIndex(compression->findData(QVariant::fromValue(Compression::ZstdStream)));
        QVERIFY(compression->currentIndex() >= 0);
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        child<QPushButton>(&dlg, "checkButton")->click();
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Valid);

        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QVERIFY(accepted.wait(5000));
        QCOMPARE(dlg.result(), int(QDialog::Accepted));
        QCOMPARE(store.count(), 1);
        const AccountRecord r = store.accounts().first();
        QCOMPARE(dlg.savedRecord().id, r.id);
        QCOMPARE(r.name, QStringLiteral("Alpha bot"));
        QCOMPARE(r.intents, 1u | (1u << 9));
        QCOMPARE(r.shardMode, AccountRecord::ShardMode::AllShards);
        QCOMPARE(r.compression, Compression::ZstdStream);
        QVERIFY(r.apiBaseOverride.isEmpty());
        QCOMPARE(vault.peek(r.id), std::optional<QString>(m_goodToken));
        QVERIFY(!vault.isSessionOnly(r.id));
        QCOMPARE(dlg.token(), std::optional<QString>(m_goodToken));
        // Never the token in the settings file.
        QFile f(settingsFile());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QVERIFY(content.contains("Alpha bot"));
        QVERIFY(!content.contains(m_goodToken.toUtf8()));
    }

    void okWithoutCheckVerifiesThenSaves()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        dlg.setDefaultApiBase(m_sim->apiBase());
        type(dlg, QStringLiteral("Quick"), m_goodToken);
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QVERIFY(accepted.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Valid);
        QCOMPARE(store.count(), 1);
        QCOMPARE(vault.count(), 1);
    }

    void unverifiableTokenNeedsSecondOk()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 closedPort = probe.serverPort();
        probe.close();
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        dlg.setDefaultApiBase(QUrl(QStringLiteral("http://127.0.0.1:%1/api/v10").arg(closedPort)));
        type(dlg, QStringLiteral("Offline"), m_goodToken);
        QSignalSpy finished(&dlg, &AddBotDialog::checkFinished);
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QVERIFY(finished.wait(10000));
        QCOMPARE(dlg.checkState(), AddBotDialog::CheckState::Failed);
        QCOMPARE(accepted.size(), 0);
        QVERIFY(child<QLabel>(&dlg, "statusLabel")->text().contains(QLatin1String("Save unverified")));
        QCOMPARE(okButton(dlg)->text(), QStringLiteral("Save &unverified"));
        QVERIFY(okButton(dlg)->isEnabled());
        okButton(dlg)->click();
        QVERIFY(accepted.wait(5000));
        QCOMPARE(store.count(), 1);
    }

    void duplicateNameRefused()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        AccountRecord existing;
        existing.name = QStringLiteral("Alpha");
        QVERIFY(store.add(existing).hasValue());
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        type(dlg, QStringLiteral("alpha"), m_goodToken);
        QVERIFY(!okButton(dlg)->isEnabled());
        QVERIFY(dlg.validationMessage().contains(QLatin1String("already exists")));
        QVERIFY(child<QLabel>(&dlg, "nameHint")->text().contains(QLatin1String("already exists")));
    }

    void keychainUnavailableOffersSessionOnly()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        vault.setFailure(VaultError{VaultError::Kind::Unavailable, 7,
                                    QStringLiteral("No system keychain is available.")});
        AccountService service(&store, &vault);
        AddBotDialog dlg(&service);
        dlg.setDefaultApiBase(m_sim->apiBase());
        type(dlg, QStringLiteral("Headless"), m_goodToken);
        QSignalSpy saveFailed(&dlg, &AddBotDialog::saveFailed);
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QVERIFY(saveFailed.wait(10000));
        QCOMPARE(accepted.size(), 0);
        QCOMPARE(store.count(), 0);  // nothing saved yet
        auto *panel = child<QWidget>(&dlg, "sessionPanel");
        QVERIFY(!panel->isHidden());
        QVERIFY(child<QLabel>(&dlg, "sessionLabel")->text().contains(QLatin1String("this session only")));
        child<QPushButton>(&dlg, "keepForSessionButton")->click();
        QVERIFY(accepted.wait(5000));
        QCOMPARE(store.count(), 1);
        const QString id = store.accounts().first().id;
        QVERIFY(vault.isSessionOnly(id));
        QCOMPARE(vault.peek(id), std::optional<QString>(m_goodToken));
        QCOMPARE(vault.count(), 0);  // not in the (failing) persistent store
    }

    void editModeKeepsStoredToken()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        std::optional<Expected<AccountRecord, AccountSaveError>> added;
        AccountRecord r;
        r.name = QStringLiteral("Before");
        r.intents = 1u | (1u << 15);
        service.addAccount(r, m_goodToken, AccountService::TokenStorage::Vault, this,
                           [&](Expected<AccountRecord, AccountSaveError> res) { added = res; });
        QTRY_VERIFY(added.has_value());
        QVERIFY(added->hasValue());
        const AccountRecord stored = added->value();

        AddBotDialog dlg(&service);
        dlg.setRecord(stored);
        QCOMPARE(dlg.mode(), AddBotDialog::Mode::Edit);
        QCOMPARE(child<QLineEdit>(&dlg, "nameEdit")->text(), QStringLiteral("Before"));
        QVERIFY(child<IntentSelector>(&dlg, "intentSelector")->checkBox(QStringLiteral("MESSAGE_CONTENT"))->isChecked());
        QVERIFY(child<QLineEdit>(&dlg, "tokenEdit")->text().isEmpty());
        QVERIFY(dlg.isInputValid());  // empty token = keep
        QVERIFY(!dlg.token().has_value());
        child<QLineEdit>(&dlg, "nameEdit")->setText(QStringLiteral("After"));
        QSignalSpy accepted(&dlg, &QDialog::accepted);
        okButton(dlg)->click();
        QVERIFY(accepted.wait(5000));
        QCOMPARE(store.find(stored.id)->name, QStringLiteral("After"));
        QCOMPARE(store.find(stored.id)->createdAt, stored.createdAt);
        QCOMPARE(vault.peek(stored.id), std::optional<QString>(m_goodToken));
    }

    void removeAsksAndDeletesToken()
    {
        AccountStore store(settingsFile(), QSettings::IniFormat);
        MemoryTokenVault vault;
        AccountService service(&store, &vault);
        std::optional<Expected<AccountRecord, AccountSaveError>> added;
        AccountRecord r;
        r.name = QStringLiteral("Doomed");
        service.addAccount(r, m_goodToken, AccountService::TokenStorage::Vault, this,
                           [&](Expected<AccountRecord, AccountSaveError> res) { added = res; });
        QTRY_VERIFY(added.has_value());
        const AccountRecord stored = added->value();
        QWidget parent;

        // Cancel: nothing happens.
        std::optional<bool> removed;
        QMessageBox *box = confirmAndRemoveAccount(&parent, &service, stored,
                                                   [&](bool ok, const QString &) { removed = ok; });
        QVERIFY(box);
        QVERIFY(box->text().contains(QLatin1String("Doomed")));
        QVERIFY(box->informativeText().contains(QLatin1String("keychain")));
        box->button(QMessageBox::Cancel)->click();
        QTRY_VERIFY(removed.has_value());
        QVERIFY(!*removed);
        QCOMPARE(store.count(), 1);
        QCOMPARE(vault.count(), 1);

        // Remove: keychain entry and record go.
        removed.reset();
        QString warning = QStringLiteral("unset");
        box = confirmAndRemoveAccount(&parent, &service, stored, [&](bool ok, const QString &w) {
            removed = ok;
            warning = w;
        });
        box->button(QMessageBox::Yes)->click();
        QTRY_VERIFY(removed.has_value());
        QVERIFY(*removed);
        QVERIFY(warning.isEmpty());
        QCOMPARE(store.count(), 0);
        QCOMPARE(vault.count(), 0);
    }
};

QTEST_MAIN(tst_AddBotDialog)
#include "tst_addbotdialog.moc"
