// The four things users do, offscreen, against the real core and the real simulator: launch the
// GUI; add a bot through the dialog (the row appears and reaches `ready`); force reconnect
// (RESUME on a new connection; with fresh identify, after the warning, an IDENTIFY); export the
// event log through the dialog (the file holds the rows shown). Plus remove (confirmed),
// pause/resume, filters, and a RESUME whose replay falls short: the details pane and its
// disconnect history show the exact number of events lost. Saved accounts whose token cannot
// be read (keychain locked or missing) keep their rows as "token needed", with one read, the
// keychain banner and Retry; the Last disconnect column after a recovery; the details of a
// session resumed at start-up.

#include "accountfilterproxymodel.h"
#include "testenvironment.h"
#include "accountmanager.h"
#include "accountstore.h"
#include "accounttablemodel.h"
#include "addbotdialog.h"
#include "eventlog.h"
#include "eventlogmodel.h"
#include "detailspane.h"
#include "emptystate.h"
#include "disconnecthistorymodel.h"
#include "exportdialog.h"
#include "gatewayclient.h"
#include "gatewaysimulator.h"
#include "lockablevault.h"
#include "mainwindow.h"
#include "memorytokenvault.h"
#include "simfixture.h"
#include "monitorapp.h"
#include "resumestatestore.h"
#include "statusbanners.h"
#include "storefaults.h"
#include "uiformat.h"
#include "statestyle.h"
#include "storehealth.h"
#include "testtimings.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QJsonArray>
#include <QScreen>
#include <QSplitter>
#include <QStatusBar>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTreeView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace std::chrono_literals;
using gw::AccountTableModel;
using gw::ConnectionState;
using gw::MainWindow;
using Action = gw::MainWindow::Action;

namespace {

const QString kToken = QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_01");
const QString kBot = QStringLiteral("alpha");

template<typename T>
T *child(QObject *parent, const char *name)
{
    return parent->findChild<T *>(QLatin1String(name));
}

struct Fixture
{
    QTemporaryDir dir;
    std::unique_ptr<gw::GatewaySimulator> sim;
    std::unique_ptr<gw::EventLog> log;
    std::unique_ptr<gw::MonitorApp> app;
    gw::AccountManager *manager = nullptr;
    gw::AccountStore *store = nullptr;
    gw::MemoryTokenVault *vault = nullptr;
    std::unique_ptr<MainWindow> window;
    gw::GuiOptions guiOptions;
    int replayBufferLimit = gw::GatewaySimulator::Options().replayBufferLimit;
    //! Runs before MonitorApp is made: saved accounts, another vault, resume state …
    std::function<void(gw::MonitorAppOptions &)> prepare;
    //! Runs before the event store opens (faster retries, a hook on its connection).
    std::function<void(gw::EventLogOptions &)> adjustLog;

    bool start()
    {
        gw::GatewaySimulator::Options o;
        o.heartbeatInterval = 300ms;
        o.replayBufferLimit = replayBufferLimit;
        sim = std::make_unique<gw::GatewaySimulator>(o);
        gw::SimBotPolicy p;
        p.name = kBot;
        p.userName = QStringLiteral("AlphaBot");
        sim->addBot(kToken, p);
        if (!sim->start())
            return false;
        gw::EventLogOptions lo;
        lo.commitInterval = 20ms;
        if (adjustLog)
            adjustLog(lo);
        log = std::make_unique<gw::EventLog>(dir.filePath(QStringLiteral("events.db")), lo);
        if (!log->open())
            return false;
        // Fast timings with room for a loaded (or ASan) run: these tests are about the window.
        gw::MonitorAppOptions appOptions;
        appOptions.timings = gwtest::testTimings(gwtest::margins::Window);
        appOptions.store = std::make_unique<gw::AccountStore>(dir.filePath(QStringLiteral("accounts.ini")),
                                                              QSettings::IniFormat);
        auto memoryVault = std::make_unique<gw::MemoryTokenVault>();
        vault = memoryVault.get();
        appOptions.vault = std::move(memoryVault);
        appOptions.eventLog = log.get();  // MonitorApp's EventRecorder feeds it, as in the app
        if (prepare)
            prepare(appOptions);
        app = std::make_unique<gw::MonitorApp>(std::move(appOptions));
        manager = app->manager();
        store = app->store();
        guiOptions.app = app.get();
        guiOptions.eventLog = log.get();
        guiOptions.settingsPath = dir.filePath(QStringLiteral("ui.ini"));
        guiOptions.defaultApiBase = sim->apiBase().toString();
        return reopen();
    }

    //! Close the window (it saves its layout) and open a new one on the same settings.
    bool reopen()
    {
        window.reset();
        window = std::make_unique<MainWindow>(guiOptions);
        window->show();
        return QTest::qWaitForWindowExposed(window.get());
    }

    ~Fixture()
    {
        window.reset();
        app.reset();
        log.reset();
    }

    [[nodiscard]] ConnectionState state(const QString &id) const
    {
        const auto s = window->accountModel()->status(id);
        return s ? s->state : ConnectionState::Stopped;
    }

    //! Add "alpha" through the Add bot dialog, as a user would; returns its id.
    QString addThroughDialog()
    {
        window->action(Action::AddBot)->trigger();
        gw::AddBotDialog *dlg = window->addBotDialog();
        if (!dlg || !dlg->isVisible())
            return {};
        QTest::keyClicks(child<QLineEdit>(dlg, "nameEdit"), QStringLiteral("Alpha"));
        QTest::keyClicks(child<QLineEdit>(dlg, "tokenEdit"), kToken);
        if (auto *toggle = child<QToolButton>(dlg, "advancedToggle"))
            toggle->click();
        QTest::keyClicks(child<QLineEdit>(dlg, "apiBaseEdit"), sim->apiBase().toString());
        QSignalSpy accepted(dlg, &QDialog::accepted);
        child<QDialogButtonBox>(dlg, "buttons")->button(QDialogButtonBox::Ok)->click();
        if (!accepted.wait(10000) && accepted.isEmpty())
            return {};
        const auto stored = store->findByName(QStringLiteral("Alpha"));
        return stored ? stored->id : QString();
    }

    int countOps(int op) const { return gwtest::countOps(*sim, kBot, op); }
};

} // namespace

class tst_MainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
    }

    void launchShowsTheWindowWithStandardShortcuts()
    {
        Fixture f;
        QVERIFY(f.start());
        QVERIFY(f.window->isVisible());
        QVERIFY(!f.window->isDemoBannerVisible());
        QCOMPARE(f.window->action(Action::AddBot)->shortcut(), QKeySequence(QKeySequence::New));
        QCOMPARE(f.window->action(Action::ForceResume)->shortcut(), QKeySequence(Qt::Key_F5));
        QCOMPARE(f.window->action(Action::ForceIdentify)->shortcut(), QKeySequence(Qt::SHIFT | Qt::Key_F5));
        QCOMPARE(f.window->action(Action::Remove)->shortcut(), QKeySequence(QKeySequence::Delete));
        QCOMPARE(f.window->action(Action::Export)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
        // the platform's Quit shortcut, or Ctrl+Q where the platform has none
        const QKeySequence quit = QKeySequence(QKeySequence::Quit).isEmpty() ? QKeySequence(Qt::CTRL | Qt::Key_Q)
                                                                            : QKeySequence(QKeySequence::Quit);
        QCOMPARE(f.window->action(Action::Quit)->shortcut(), quit);
        QCOMPARE(f.window->action(Action::Find)->shortcut(), QKeySequence(QKeySequence::Find));
        // no selection: per-account verbs are disabled
        QVERIFY(!f.window->action(Action::ForceResume)->isEnabled());
        QVERIFY(!f.window->action(Action::Remove)->isEnabled());
        // offscreen has no tray: closing the window must not hide it into nowhere
        QVERIFY(f.window->tray() == nullptr);
        QCOMPARE(f.window->summaryText(), QStringLiteral("No accounts"));
        // Ctrl+F focuses the search box, Esc clears it
        QTest::keySequence(f.window.get(), QKeySequence::Find);
        auto *search = child<QLineEdit>(f.window.get(), "eventSearch");
        QTRY_VERIFY(search->hasFocus());
        QTest::keyClicks(search, QStringLiteral("zombie"));
        QTest::keyClick(search, Qt::Key_Escape);
        QCOMPARE(search->text(), QString());
    }

    void addBotReachesReadyThenForceReconnectResumesAndIdentifies()
    {
        Fixture f;
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QCOMPARE(f.vault->peek(id), std::optional<QString>(kToken));
        QTRY_COMPARE_WITH_TIMEOUT(f.window->accountModel()->rowCount(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        QTRY_COMPARE(f.window->accountModel()->index(0, AccountTableModel::StateColumn).data().toString(),
                     gw::stateDisplayName(ConnectionState::Ready));
        QTRY_VERIFY(f.window->summaryText().contains(QLatin1String("1 ok")));

        f.window->selectAccount(id);
        QCOMPARE(f.window->selectedAccountId(), id);
        QTRY_VERIFY(f.window->action(Action::ForceResume)->isEnabled());

        // Force reconnect (resume): op 6 on a new connection
        const int firstConnection = f.sim->receivedFrom(kBot).constLast().connectionId;
        const int resumesBefore = f.countOps(6);
        const int identifiesBefore = f.countOps(2);
        f.window->action(Action::ForceResume)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.countOps(6) == resumesBefore + 1, 10000);
        int resumeConnection = -1;
        for (const auto &r : f.sim->receivedFrom(kBot))
            if (r.op == 6)
                resumeConnection = r.connectionId;
        QVERIFY(resumeConnection != firstConnection);
        QCOMPARE(f.countOps(2), identifiesBefore);   // a resume spends no IDENTIFY
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);

        // Fresh identify: a warning first; Cancel does nothing
        f.window->action(Action::ForceIdentify)->trigger();
        QMessageBox *box = f.window->confirmationBox();
        QVERIFY(box);
        QVERIFY(box->text().contains(QLatin1String("IDENTIFY")));
        box->button(QMessageBox::Cancel)->click();
        QVERIFY(!QTest::qWaitFor([&] { return f.countOps(2) > identifiesBefore; }, 300));

        f.window->action(Action::ForceIdentify)->trigger();
        box = f.window->confirmationBox();
        QVERIFY(box);
        child<QPushButton>(box, "confirmIdentifyButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(f.countOps(2) == identifiesBefore + 1, 10000);
        int identifyConnection = -1;
        for (const auto &r : f.sim->receivedFrom(kBot))
            if (r.op == 2)
                identifyConnection = r.connectionId;
        QVERIFY(identifyConnection != resumeConnection);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        // the details pane's disconnect history (from the event store) lists the two reconnects
        QTRY_VERIFY(f.log->flush().hasValue() && f.log->pendingCount() == 0);
        f.window->refreshFromStore();
        auto *history = child<QTableView>(f.window->detailsPane(), "disconnectHistoryView");
        QVERIFY(history);
        QTRY_VERIFY_WITH_TIMEOUT((f.window->refreshFromStore(), history->model()->rowCount() >= 2), 5000);
        // the table shows the manager's counters (RESUMEs and IDENTIFYs)
        QTRY_COMPARE(f.window->accountModel()->status(id)->resumes, f.manager->status(id)->resumes);
        QTRY_COMPARE(f.window->accountModel()->status(id)->identifies, f.manager->status(id)->identifies);
        qInfo("resumes %d identifies %d", f.manager->status(id)->resumes, f.manager->status(id)->identifies);
    }

    void exportWritesTheRowsShown()
    {
        Fixture f;
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        f.window->selectAccount(id);
        QTRY_VERIFY(f.window->action(Action::Pause)->isEnabled());
        f.window->action(Action::Pause)->trigger();   // quiet: no new rows while we compare
        QTRY_VERIFY_WITH_TIMEOUT(f.window->accountModel()->status(id)->paused, 5000);
        QSignalSpy quiet(f.manager, &gw::AccountManager::eventLogged);
        while (quiet.wait(300))
            quiet.clear();
        QTRY_VERIFY(f.log->flush().hasValue() && f.log->pendingCount() == 0);
        f.window->refreshFromStore();
        gw::EventLogModel *model = f.window->eventModel();
        QTRY_VERIFY(!model->isLoading() && model->rowCount() > 3);
        QList<qint64> shown;
        for (int r = 0; r < model->rowCount(); ++r)
            shown.append(model->index(r, 0).data(gw::EventLogModel::EntryIdRole).toLongLong());

        f.window->action(Action::Export)->trigger();
        gw::ExportDialog *dlg = f.window->exportDialog();
        QVERIFY(dlg);
        QVERIFY(dlg->isVisible());
        const QString target = f.dir.filePath(QStringLiteral("export.jsonl"));
        dlg->setTargetFile(target);
        dlg->setFormat(gw::ExportOptions::Format::JsonLines);
        QSignalSpy finished(dlg, &gw::ExportDialog::exportFinished);
        child<QPushButton>(dlg, "exportButton")->click();
        QVERIFY(finished.wait(10000));
        QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(2).toString()));

        QFile file(target);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QList<qint64> exported;
        for (int i = 1; i < lines.size(); ++i) {   // line 0 is the header
            if (lines.at(i).isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
            exported.append(o.value(QStringLiteral("id")).toInteger());
            QVERIFY(!lines.at(i).contains(kToken.toUtf8()));
        }
        std::sort(shown.begin(), shown.end());
        std::sort(exported.begin(), exported.end());
        QCOMPARE(exported, shown);

        QCOMPARE(finished.at(0).at(2).toString(),
                 QStringLiteral("%1 events written to %2").arg(shown.size()).arg(QDir::toNativeSeparators(target)));
        QVERIFY(f.window->statusBar()->currentMessage().contains(QLatin1String("events written to")));

        // A filtered view: the export still starts from everything, and says so ...
        gw::EventFilter onlyState;
        onlyState.kinds = {gw::EventKind::State};
        model->setFilter(onlyState);
        QTRY_VERIFY(!model->isLoading());   // the store answers on its reader thread
        const int stateRows = model->rowCount();
        QVERIFY(stateRows > 0 && stateRows < shown.size());
        f.window->action(Action::Export)->trigger();
        dlg = f.window->exportDialog();
        QVERIFY2(dlg->logFilterText().contains(QLatin1String("kinds state")), qPrintable(dlg->logFilterText()));
        QVERIFY2(!dlg->logFilterText().contains(QLatin1String("all accounts")), qPrintable(dlg->logFilterText()));
        QVERIFY2(dlg->summaryText().contains(QLatin1String("all kinds")), qPrintable(dlg->summaryText()));
        QCOMPARE(dlg->options().filter, gw::EventFilter{});
        // ... the same folder as the last export, the extension following the format ...
        QCOMPARE(QFileInfo(dlg->targetFile()).absolutePath(), QFileInfo(target).absolutePath());
        dlg->setFormat(gw::ExportOptions::Format::Csv);
        QVERIFY2(dlg->targetFile().endsWith(QLatin1String(".csv")), qPrintable(dlg->targetFile()));
        // ... and "Use the log's current filter" exports what the log shows.
        child<QPushButton>(dlg, "useLogFilterButton")->click();
        QVERIFY2(!dlg->summaryText().contains(QLatin1String("all kinds")), qPrintable(dlg->summaryText()));
        const QString csvTarget = f.dir.filePath(QStringLiteral("state.csv"));
        dlg->setTargetFile(csvTarget);
        QSignalSpy finished2(dlg, &gw::ExportDialog::exportFinished);
        child<QPushButton>(dlg, "exportButton")->click();
        QVERIFY(finished2.wait(10000));
        QCOMPARE(finished2.at(0).at(1).toLongLong(), qint64(stateRows));
        QFile csv(csvTarget);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray comment = csv.readLine();
        QVERIFY2(comment.startsWith("# {"), comment.constData());
        const QJsonObject header = QJsonDocument::fromJson(comment.mid(2).trimmed()).object();
        QCOMPARE(header.value(QStringLiteral("kinds")).toArray(), QJsonArray{QStringLiteral("state")});
    }

    void firstLaunchShowsWhatToDo()
    {
        Fixture f;
        QVERIFY(f.start());
        auto *area = child<gw::AccountsArea>(f.window.get(), "accountsArea");
        QVERIFY(area);
        QVERIFY(area->isShowingHint());
        QVERIFY(!f.window->detailsPane()->isVisible());
        QVERIFY(child<QPushButton>(f.window.get(), "emptyStateDemoButton")->isVisible());
        QVERIFY(!f.window->action(Action::PauseAll)->isEnabled());   // nothing to pause
        // "Add your first bot…" is the Add bot action
        child<QPushButton>(f.window.get(), "emptyStateAddButton")->click();
        QVERIFY(f.window->addBotDialog() && f.window->addBotDialog()->isVisible());
        f.window->addBotDialog()->reject();
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY(!area->isShowingHint());
        QVERIFY(f.window->accountView()->isVisible());
        QVERIFY(f.window->detailsPane()->isVisible());
        QTRY_VERIFY(f.window->action(Action::PauseAll)->isEnabled());
        // the remaining smaller points: View → Event log works, Quit has a shortcut
        QVERIFY(f.window->findChild<QDockWidget *>(QStringLiteral("eventDock"))->toggleViewAction()->isEnabled());
        QVERIFY(!f.window->action(Action::Quit)->shortcut().isEmpty());
    }

    void windowFitsTheScreen()
    {
        Fixture f;
        QVERIFY(f.start());
        const QRect available = f.window->screen()->availableGeometry();
        QVERIFY2(available.contains(f.window->frameGeometry()),
                 qPrintable(QStringLiteral("window %1x%2+%3+%4 on %5x%6")
                                .arg(f.window->frameGeometry().width()).arg(f.window->frameGeometry().height())
                                .arg(f.window->x()).arg(f.window->y()).arg(available.width()).arg(available.height())));
        // Everything reachable at 1024x700: the window can be that small.
        const QSize minimum = f.window->minimumSizeHint();
        QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 700,
                 qPrintable(QStringLiteral("minimum %1x%2").arg(minimum.width()).arg(minimum.height())));
        // A geometry saved on a bigger screen is brought back within this one.
        f.window->setGeometry(QRect(available.topLeft() + QPoint(200, 200), available.size() * 2));
        QVERIFY(f.reopen());
        QVERIFY(available.contains(f.window->frameGeometry()));
    }

    void splitterAndColumnsAreRestored()
    {
        Fixture f;
        QVERIFY(f.start());
        QVERIFY(!f.addThroughDialog().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.window->accountModel()->rowCount(), 1, 5000);
        auto *splitter = child<QSplitter>(f.window.get(), "mainSplitter");
        QHeaderView *header = f.window->accountView()->header();
        // fitted to content: the name column is wider than the identify budget's
        QVERIFY(header->sectionSize(AccountTableModel::NameColumn) > header->sectionSize(AccountTableModel::IdentifyBudgetColumn));
        const int total = splitter->sizes().value(0) + splitter->sizes().value(1);
        splitter->setSizes({total / 3, total - total / 3});
        const QList<int> sizes = splitter->sizes();
        header->resizeSection(AccountTableModel::LatencyColumn, 140);
        header->setSortIndicator(AccountTableModel::StateColumn, Qt::DescendingOrder);
        QVERIFY(f.reopen());
        splitter = child<QSplitter>(f.window.get(), "mainSplitter");
        header = f.window->accountView()->header();
        QTRY_COMPARE(splitter->sizes(), sizes);
        QCOMPARE(header->sectionSize(AccountTableModel::LatencyColumn), 140);
        QCOMPARE(header->sortIndicatorSection(), int(AccountTableModel::StateColumn));
    }

    void removeAsksAndForgetsTheToken()
    {
        Fixture f;
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        f.window->selectAccount(id);
        QTRY_VERIFY(f.window->action(Action::Remove)->isEnabled());

        // Cancel keeps everything
        f.window->action(Action::Remove)->trigger();
        QMessageBox *box = f.window->confirmationBox();
        QVERIFY(box);
        box->reject();
        QVERIFY(!QTest::qWaitFor([&] { return f.window->accountModel()->rowCount() == 0; }, 300));
        QCOMPARE(f.store->count(), 1);

        f.window->selectAccount(id);
        f.window->action(Action::Remove)->trigger();
        box = f.window->confirmationBox();
        QVERIFY(box);
        QAbstractButton *remove = nullptr;
        for (QAbstractButton *b : box->buttons())
            if (box->buttonRole(b) == QMessageBox::AcceptRole || box->buttonRole(b) == QMessageBox::DestructiveRole
                || box->buttonRole(b) == QMessageBox::YesRole)
                remove = b;
        QVERIFY(remove);
        remove->click();
        QTRY_COMPARE_WITH_TIMEOUT(f.window->accountModel()->rowCount(), 0, 5000);
        QTRY_COMPARE(f.store->count(), 0);
        QCOMPARE(f.vault->peek(id), std::optional<QString>());
        QTRY_COMPARE_WITH_TIMEOUT(f.sim->openConnectionCount(), 0, 5000);
    }

    void pauseResumeAndFilters()
    {
        Fixture f;
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        f.window->selectAccount(id);

        QTRY_VERIFY(f.window->action(Action::Pause)->isEnabled());
        f.window->action(Action::Pause)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.window->accountModel()->status(id)->paused, 5000);
        QTRY_COMPARE(f.state(id), ConnectionState::Stopped);
        QCOMPARE(f.store->find(id)->paused, true);
        QTRY_COMPARE_WITH_TIMEOUT(f.sim->openConnectionCount(), 0, 5000);
        QTRY_VERIFY(f.window->summaryText().contains(QLatin1String("1 paused")));
        QCOMPARE(f.window->accountModel()->index(0, AccountTableModel::StateColumn).data().toString(), QStringLiteral("Paused"));

        // the status-bar group button filters the table; clicking again shows all
        auto *okButton = child<QToolButton>(f.window.get(), "groupButton_ok");
        auto *pausedButton = child<QToolButton>(f.window.get(), "groupButton_paused");
        QVERIFY(pausedButton->isVisible());
        QVERIFY(okButton->isHidden());
        pausedButton->click();
        QCOMPARE(f.window->accountProxy()->rowCount(), 1);
        QCOMPARE(f.window->accountProxy()->groupFilter(), QSet<gw::StateStyle::Group>{gw::StateStyle::Group::Paused});
        pausedButton->click();
        QVERIFY(f.window->accountProxy()->groupFilter().isEmpty());

        QTRY_VERIFY(f.window->action(Action::Resume)->isEnabled());
        f.window->action(Action::Resume)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        QCOMPARE(f.store->find(id)->paused, false);

        // the worst-state button filters to the worst group (here: ok)
        QTRY_VERIFY(f.window->summaryText().contains(QLatin1String("1 ok")));
        child<QToolButton>(f.window.get(), "worstStateButton")->click();
        QCOMPARE(f.window->accountProxy()->groupFilter(), QSet<gw::StateStyle::Group>{gw::StateStyle::Group::Ok});
        QCOMPARE(f.window->accountProxy()->rowCount(), 1);
        child<QToolButton>(f.window.get(), "worstStateButton")->click();

        // the event log search filters rows (debounced)
        auto *search = child<QLineEdit>(f.window.get(), "eventSearch");
        QTest::keyClicks(search, QStringLiteral("no-such-text-anywhere"));
        QTRY_VERIFY(f.window->eventModel()->filter().text == QLatin1String("no-such-text-anywhere")
                    && !f.window->eventModel()->isLoading());
        QCOMPARE(f.window->eventModel()->rowCount(), 0);
        search->clear();
        QTRY_VERIFY(f.window->eventModel()->rowCount() > 0);

        // offline banner
        QVERIFY(!f.window->isOfflineBannerVisible());
        f.window->setNetworkReachable(false);
        QVERIFY(f.window->isOfflineBannerVisible());
        f.window->setNetworkReachable(true);
        QVERIFY(!f.window->isOfflineBannerVisible());
    }

    void failedAccountShowsReasonAndFix()
    {
        Fixture f;
        QVERIFY(f.start());
        gw::SimBotPolicy p;
        p.name = QStringLiteral("strict");
        p.privilegedIntentsAllowed = false;
        const QString token = QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc5.GhIjKl.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_02");
        f.sim->addBot(token, p);
        gw::AccountRecord r;
        r.id = gw::AccountStore::newId();
        r.name = QStringLiteral("Strict");
        r.intents = (1u << 0) | (1u << 1);   // GUILDS | GUILD_MEMBERS (privileged)
        r.apiBaseOverride = f.sim->apiBase();
        QVERIFY(f.store->add(r).hasValue());
        f.window->startMonitoring(r, token);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(r.id), ConnectionState::Failed, 10000);
        f.window->selectAccount(r.id);
        // the failure reason arrives with (or just after) the state
        QTRY_VERIFY(!f.window->accountModel()->status(r.id)->failure.isNone());
        const auto status = f.window->accountModel()->status(r.id);
        const gw::FailureGuidance g = gw::DetailsPane::guidanceFor(*status, r.intents);
        QVERIFY2(g.fix.contains(QLatin1String("https://discord.com/developers/applications")),
                 qPrintable(g.fix + QStringLiteral(" | ") + g.reason + QStringLiteral(" | kind ")
                            + gw::errorKindName(status->failure.kind)));
        QVERIFY2(g.fix.contains(QLatin1String("GUILD_MEMBERS")), qPrintable(g.fix));
        QVERIFY(!g.reason.isEmpty());
        QTRY_VERIFY(f.window->summaryText().contains(QLatin1String("1 failed")));
    }

    void tokenNeededRowsStayWithOnePromptAndRetry()
    {
        Fixture f;
        gwtest::LockableVault *vault = nullptr;
        QStringList ids;
        f.prepare = [&](gw::MonitorAppOptions &o) {
            auto lockable = std::make_unique<gwtest::LockableVault>();
            vault = lockable.get();
            for (const char *name : {"One", "Two"}) {
                gw::AccountRecord r;
                r.name = QLatin1String(name);
                r.apiBaseOverride = f.sim->apiBase();
                ids << o.store->add(r)->id;
                const QString token = kToken + QLatin1String(name);  // a bot of its own each
                gwtest::addBot(*f.sim, token, QLatin1String(name).toString().toLower());
                vault->put(ids.last(), token);
            }
            vault->setMode(gwtest::LockableVault::Mode::Locked);
            o.vault = std::move(lockable);
            f.vault = nullptr;
        };
        QVERIFY(f.start());
        f.window->startStoredAccounts();
        AccountTableModel *model = f.window->accountModel();
        QTRY_COMPARE(model->rowCount(), 2);
        for (int row = 0; row < 2; ++row) {
            const QModelIndex state = model->index(row, AccountTableModel::StateColumn);
            QTRY_COMPARE(state.data().toString(), QStringLiteral("Token needed"));
            QVERIFY(!state.data(Qt::DecorationRole).value<QIcon>().isNull());
            QVERIFY(state.data(Qt::ToolTipRole).toString().contains(
                QLatin1String("Locked: unlock your keyring or re-enter the token")));
        }
        QVERIFY(!QTest::qWaitFor([&] { return vault->reads() > 1; }, 300));
        QCOMPARE(vault->reads(), 1);  // one unlock prompt, not one per bot
        QTRY_COMPARE(f.window->summaryText(), QStringLiteral("2 token needed"));
        auto *banner = child<gw::KeychainBanner>(f.window.get(), "keychainBanner");
        QVERIFY(banner);
        QTRY_VERIFY(banner->isVisible());
        QVERIFY2(banner->text().contains(QLatin1String("locked")), qPrintable(banner->text()));

        // Edit (re-enter the token) and Remove are there; the monitoring verbs are not
        f.window->selectAccount(ids.first());
        QTRY_VERIFY(f.window->action(Action::Edit)->isEnabled());
        QVERIFY(f.window->action(Action::Remove)->isEnabled());
        QVERIFY(!f.window->action(Action::Pause)->isEnabled());
        QVERIFY(!f.window->action(Action::Resume)->isEnabled());
        QVERIFY(!f.window->action(Action::ForceResume)->isEnabled());
        f.window->action(Action::Edit)->trigger();
        QVERIFY(f.window->addBotDialog() && f.window->addBotDialog()->isVisible());
        f.window->addBotDialog()->reject();

        // unlocked, Retry: both are monitored, the banner goes
        vault->setMode(gwtest::LockableVault::Mode::Open);
        banner->retryButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(f.state(ids.at(0)), ConnectionState::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(ids.at(1)), ConnectionState::Ready, 10000);
        QCOMPARE(vault->reads(), 3);
        QTRY_VERIFY(!banner->isVisible());
        QCOMPARE(model->rowCount(), 2);
        QTRY_COMPARE(model->index(0, AccountTableModel::StateColumn).data().toString(),
                     gw::stateDisplayName(ConnectionState::Ready));
    }

    //! The store refuses every write: a banner says the history cannot be written and how many
    //! events wait (no Dismiss while failing); once it writes again the banner goes.
    void storeBannerSaysWhatHappenedToTheHistory()
    {
        sqlite3 *handle = nullptr;
        Fixture f;
        f.adjustLog = [&handle](gw::EventLogOptions &o) {
            o.retryInterval = 20ms;
            o.retryIntervalMax = 100ms;
            o.configureConnection = [&handle](sqlite3 *h) { handle = h; };
        };
        QVERIFY(f.start());
        QVERIFY(handle);
        auto *banner = child<gw::StoreBanner>(f.window.get(), "storeBanner");
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());
        gwtest::refuseWrites(handle, true);
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        QVERIFY2(banner->text().contains(QLatin1String("cannot be written")) && banner->text().contains(QLatin1String("readonly"))
                     && banner->text().contains(QLatin1String("held")),
                 qPrintable(banner->text()));
        QVERIFY(!child<QPushButton>(banner, "storeDismiss")->isVisible());
        gwtest::refuseWrites(handle, false);
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);
        QVERIFY(!f.app->storeHealth()->status().failing);
    }

    void lastDisconnectShowsTheRecoveredDropAndOneUptime()
    {
        Fixture f;
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        AccountTableModel *model = f.window->accountModel();
        const auto cell = [&] { return model->index(model->rowOf(id), AccountTableModel::LastDisconnectColumn); };
        QTRY_COMPARE(cell().data().toString(), gw::uiformat::dash());

        // the gateway asks to reconnect (op 7); the client resumes
        gw::SimFault op7;
        op7.kind = gw::SimFault::Kind::Reconnect;
        QVERIFY(f.sim->injectFault(kBot, op7));
        QTRY_COMPARE_WITH_TIMEOUT(model->status(id)->resumes, 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 5000);
        // once the store has the recovery, the column keeps it: cause, downtime, how, its age
        static const QRegularExpression shape(QStringLiteral("^op 7 · \\d+[.,]\\d s · resumed · (just now|.+ ago)$"));
        QTRY_VERIFY2_WITH_TIMEOUT(shape.match(cell().data().toString()).hasMatch(), qPrintable(cell().data().toString()),
                                  10000);
        QVERIFY(cell().data(Qt::ToolTipRole).toString().contains(QLatin1String("gateway asked to reconnect (op 7)")));
        QVERIFY(model->lastDisconnect(id)->end.has_value());

        // while a disconnect is open, the live status shows it at once
        gw::AccountTableModel open;
        QAbstractItemModelTester tester(&open);
        gw::AccountStatus down = *model->status(id);
        down.connected = false;
        down.lastDisconnect = gw::DisconnectInfo{QDateTime::currentDateTimeUtc().addSecs(-3), 1006, {}};
        open.updateStatus(down);
        open.flush();
        const QString openText = open.index(0, AccountTableModel::LastDisconnectColumn).data().toString();
        QVERIFY2(openText.startsWith(QStringLiteral("1006 ")) && openText.endsWith(QStringLiteral(" · down 3 s")),
                 qPrintable(openText));

        // one uptime: the details pane shows the table's 24 h value
        f.window->refreshFromStore();
        f.window->selectAccount(id);
        f.window->detailsPane()->refreshHistory();
        const QString tableUptime = model->index(model->rowOf(id), AccountTableModel::UptimeColumn).data().toString();
        QCOMPARE(child<QLabel>(f.window->detailsPane(), "uptime24")->text(), tableUptime);
    }

    void sessionResumedAtStartUpFillsTheDetails()
    {
        Fixture f;
        QString id;
        gw::ResumeState live;
        f.prepare = [&](gw::MonitorAppOptions &o) {
            o.resumeState = std::make_shared<gw::ResumeStateStore>(f.dir.filePath(QStringLiteral("resume.ini")));
            gw::AccountRecord r;
            r.name = QStringLiteral("Alpha");
            r.apiBaseOverride = f.sim->apiBase();
            id = o.store->add(r)->id;
            o.vault->keepForSession(id, kToken);
            // the last run: READY, then the connection dropped before that run ended
            gw::GatewayClientConfig config;
            config.token = kToken;
            config.apiBase = f.sim->apiBase();
            config.timings = o.timings;
            gw::GatewayClient last(config);
            QSignalSpy ready(&last, &gw::GatewayClient::ready);
            QSignalSpy closed(&last, &gw::GatewayClient::socketClosed);
            QObject::connect(&last, &gw::GatewayClient::socketClosed, &last, [&last] { last.stop(); });
            last.start();
            QVERIFY(ready.wait(10000));
            live = last.resumeState();
            gw::SimFault drop;
            drop.kind = gw::SimFault::Kind::DropTcp;
            QVERIFY(f.sim->injectFault(kBot, drop));
            QVERIFY(closed.wait(10000));
            o.resumeState->save(id + QStringLiteral("/0"), live);
        };
        QVERIFY(f.start());
        QVERIFY(live.isValid());
        const int identifies = f.countOps(2);
        f.window->startStoredAccounts();
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        QCOMPARE(f.countOps(2), identifies);  // it resumed: no IDENTIFY
        QTRY_COMPARE(f.window->accountModel()->status(id)->resumes, 1);

        f.window->selectAccount(id);
        gw::DetailsPane *pane = f.window->detailsPane();
        QTRY_COMPARE(child<QLabel>(pane, "sessionId")->text(), gw::uiformat::shortId(live.sessionId));
        const QUrl host = live.resumeGatewayUrl;
        QCOMPARE(child<QLabel>(pane, "sessionResumeHost")->text(),
                 host.host() + (host.port() > 0 ? QStringLiteral(":%1").arg(host.port()) : QString()));
        QCOMPARE(child<QLabel>(pane, "sessionShard")->text(), QStringLiteral("0 of 1"));
        QCOMPARE(child<QLabel>(pane, "detailsSubtitle")->text(), QStringLiteral("Session resumed from the last run"));
    }

    void replayShortfallShowsTheLostNumber()
    {
        Fixture f;
        f.replayBufferLimit = 5;   // the gateway replays only the newest 5 missed events
        QVERIFY(f.start());
        const QString id = f.addThroughDialog();
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 10000);
        f.window->selectAccount(id);
        auto stats = [&] { return f.window->accountModel()->status(id)->stats; };
        for (int i = 0; i < 3; ++i)
            f.sim->dispatch(kBot, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{\"live\":true}"));
        // every live dispatch has arrived: READY, GUILD_CREATE of the bot's one guild, the 3 above
        QTRY_COMPARE_WITH_TIMEOUT(stats().liveDispatches, quint64(5), 5000);
        QCOMPARE(stats().lastSequence, 5);

        // drop the connection and, before the client can come back, send 20 events: they wait
        // in the gateway's replay buffer, which keeps only the newest 5
        gw::SimFault drop;
        drop.kind = gw::SimFault::Kind::DropTcp;
        QVERIFY(f.sim->injectFault(kBot, drop));
        for (int i = 0; i < 20; ++i)
            f.sim->dispatch(kBot, QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{\"live\":false}"));
        QTRY_COMPARE_WITH_TIMEOUT(f.window->accountModel()->status(id)->resumes, 1, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(f.state(id), ConnectionState::Ready, 5000);
        QCOMPARE(stats().replayedDispatches, quint64(5));
        QCOMPARE(stats().eventsLost, quint64(15));

        auto *pane = f.window->detailsPane();
        QTRY_COMPARE(pane->findChild<QLabel *>(QStringLiteral("eventsLost"))->text(), QStringLiteral("15 events"));
        auto *history = pane->findChild<QTableView *>(QStringLiteral("disconnectHistoryView"));
        QVERIFY(history);
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            pane->refreshHistory();
            return history->model()->rowCount() == 1
                && history->model()->index(0, gw::DisconnectHistoryModel::LostColumn).data().toString()
                       == QLatin1String("lost 15");
        }(), 5000);
        QCOMPARE(history->model()->index(0, gw::DisconnectHistoryModel::CauseColumn).data().toString(),
                 QStringLiteral("connection dropped"));
        QCOMPARE(history->model()->index(0, gw::DisconnectHistoryModel::ReplayedColumn).data().toString(),
                 QStringLiteral("5"));
        QTRY_COMPARE(f.window->accountModel()->index(0, AccountTableModel::LostColumn).data().toString(),
                     QStringLiteral("15"));
    }
};

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
