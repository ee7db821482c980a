#include "mainwindow.h"

#include "accountfilterproxymodel.h"
#include "accounthistoryfeed.h"
#include "accountmanager.h"
#include "accountstore.h"
#include "accounttablemodel.h"
#include "addbotdialog.h"
#include "appsettings.h"
#include "detailspane.h"
#include "emptystate.h"
#include "eventdock.h"
#include "eventlog.h"
#include "eventlogmodel.h"
#include "eventstoresource.h"
#include "exportdialog.h"
#include "heartbeatdelegate.h"
#include "identifyconfirmation.h"
#include "logging.h"
#include "mainwindowactions.h"
#include "monitorapp.h"
#include "notificationpresenter.h"
#include "notifier.h"
#include "settingsdialog.h"
#include "statestyle.h"
#include "statusbanners.h"
#include "statussummary.h"
#include "traycontroller.h"
#include "windowfit.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMessageBox>
#include <QPointer>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

class MainWindow::Private
{
public:
    GuiOptions options;
    MonitorApp *app = nullptr;
    std::unique_ptr<QSettings> settings;
    AppSettings appSettings;
    std::unique_ptr<EventStoreSource> store;
    std::unique_ptr<MainWindowActions> actions;
    AccountTableModel *accounts = nullptr;
    AccountFilterProxyModel *proxy = nullptr;
    QTreeView *accountView = nullptr;
    DetailsPane *details = nullptr;
    QSplitter *splitter = nullptr;
    AccountsArea *area = nullptr;
    EventLogModel *events = nullptr;
    EventDock *eventDock = nullptr;
    StatusSummary *summary = nullptr;
    Notifier *notifier = nullptr;
    NotificationPresenter *presenter = nullptr;
    TrayController *tray = nullptr;
    DemoBanner *demoBanner = nullptr;
    OfflineBanner *offlineBanner = nullptr;
    bool networkReachable = true;
    bool backendAvailable = false;
    QPointer<AddBotDialog> addDialog;
    QPointer<ExportDialog> exportDialog;
    QPointer<QMessageBox> confirmation;
    QTimer uptimeTimer;
    bool quitting = false;
    std::optional<AccountRecord> record(const QString &id) const { return app->savedRecord(id); }
};

MainWindow::MainWindow(const GuiOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , d(std::make_unique<Private>())
{
    Q_ASSERT(options.app && options.app->store());
    d->options = options;
    d->app = options.app;
    d->settings = openSettings(options.settingsPath);
    d->appSettings = AppSettings::load(*d->settings);
    setWindowTitle(options.demo ? tr("Gatewatch (demo)") : tr("Gatewatch"));
    setWindowIcon(StateStyle::appIcon());
    setObjectName(QStringLiteral("mainWindow"));

    // the event store, read side (the write side is MonitorApp's)
    QString dbPath = options.eventDatabasePath;
    if (dbPath.isEmpty() && options.eventLog)
        dbPath = options.eventLog->databasePath();
    if (!dbPath.isEmpty()) {
        d->store = std::make_unique<EventStoreSource>(dbPath);
        if (!d->store->open())
            d->store.reset();
    }

    d->accounts = new AccountTableModel(this);
    d->proxy = new AccountFilterProxyModel(this);
    d->proxy->setSourceModel(d->accounts);
    d->events = new EventLogModel(this);
    d->events->setSource(d->store.get());
    d->notifier = new Notifier(this);
    d->notifier->setSettings(d->appSettings.notifications);
    d->presenter = new NotificationPresenter(this);
    d->presenter->setStatusLine([this](const QString &text) { statusBar()->showMessage(text, 15000); });
    connect(d->notifier, &Notifier::notificationRequested, d->presenter, &NotificationPresenter::present);

    d->actions = std::make_unique<MainWindowActions>(this);
    QMenu *viewMenu = d->actions->populate(this);
    connectActions();
    buildCentral();
    d->eventDock = new EventDock(d->events, action(Action::Export), action(Action::CopyEvents), this);
    addDockWidget(Qt::BottomDockWidgetArea, d->eventDock);
    viewMenu->addAction(d->eventDock->toggleViewAction());
    d->summary = new StatusSummary(statusBar(), this);
    connect(d->summary, &StatusSummary::groupClicked, this, [this](StateStyle::Group g) { handleGroupClicked(int(g)); });
    connect(d->proxy, &AccountFilterProxyModel::groupFilterChanged, this, &MainWindow::handleSummaryChanged);
    if (TrayController::isAvailable()) {
        d->tray = new TrayController(action(Action::ShowWindow), action(Action::PauseAll), action(Action::Quit), this);
        d->presenter->setTray(d->tray->trayIcon());
        connect(d->tray, &TrayController::activated, this, &MainWindow::handleShowWindow);
    }
    watchNetwork();
    connectCore();
    if (d->store) new AccountHistoryFeed(d->store.get(), d->accounts, this);  // uptime, last disconnect

    d->uptimeTimer.setInterval(30s);
    connect(&d->uptimeTimer, &QTimer::timeout, this, &MainWindow::handleUptimeTimeout);
    d->uptimeTimer.start();
    handleSelectionChanged();
    handleSummaryChanged();
    if (!windowfit::restore(this, *d->settings, d->splitter, d->accountView->header(), {1280, 820}))
        windowfit::fitColumns(d->accountView, d->accountView->header(), AccountTableModel::NameColumn, true);
}

MainWindow::~MainWindow()
{
    // While the first-launch hint shows, the splitter holds no details pane: keep the saved sizes.
    windowfit::save(this, *d->settings, d->area->isShowingHint() ? nullptr : d->splitter,
                    d->accountView->header());
}

void MainWindow::connectActions()
{
    const std::pair<Action, void (MainWindow::*)()> handlers[] = {
        {Action::AddBot, &MainWindow::handleAddBot},
        {Action::Edit, &MainWindow::handleEdit},
        {Action::Remove, &MainWindow::handleRemove},
        {Action::ForceResume, &MainWindow::handleForceResume},
        {Action::ForceIdentify, &MainWindow::handleForceIdentify},
        {Action::Pause, &MainWindow::handlePause},
        {Action::Resume, &MainWindow::handleResume},
        {Action::PauseAll, &MainWindow::handlePauseAll},
        {Action::Export, &MainWindow::handleExport},
        {Action::Settings, &MainWindow::handleSettings},
        {Action::Quit, &MainWindow::handleQuit},
        {Action::About, &MainWindow::handleAbout},
        {Action::UserGuide, &MainWindow::handleUserGuide},
        {Action::ShowWindow, &MainWindow::handleShowWindow},
    };
    for (const auto &[which, handler] : handlers)
        connect(action(which), &QAction::triggered, this, handler);
    connect(action(Action::Find), &QAction::triggered, this, [this] { d->eventDock->focusSearch(); });
    connect(action(Action::CopyEvents), &QAction::triggered, this, [this] { d->eventDock->copySelectedRows(); });
    action(Action::Export)->setEnabled(d->store != nullptr);
}

//! Banners above a splitter with the accounts table and the details pane.
void MainWindow::buildCentral()
{
    auto *central = new QWidget(this);
    auto *v = new QVBoxLayout(central);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    d->demoBanner = new DemoBanner(central);
    d->demoBanner->setVisible(d->options.demo);
    v->addWidget(d->demoBanner);
    d->offlineBanner = new OfflineBanner(central);
    v->addWidget(d->offlineBanner);
    v->addWidget(new KeychainBanner(d->app, central));
    v->addWidget(new StoreBanner(d->app, central));

    auto *splitter = d->splitter = new QSplitter(Qt::Horizontal, central);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    // A tree: a sharded account's shards are child rows under its row (AccountTableModel).
    QTreeView *view = d->accountView = new QTreeView(splitter);
    view->setObjectName(QStringLiteral("accountView"));
    view->setModel(d->proxy);
    view->setItemDelegateForColumn(AccountTableModel::HeartbeatColumn, new HeartbeatDelegate(view));
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setSortingEnabled(true);
    view->sortByColumn(AccountTableModel::NameColumn, Qt::AscendingOrder);  // rows stay put as states change
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->setUniformRowHeights(true);
    view->header()->setHighlightSections(false);
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, &MainWindow::handleAccountContextMenu);
    connect(view, &QAbstractItemView::doubleClicked, this, &MainWindow::handleEdit);
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::handleSelectionChanged);

    d->details = new DetailsPane(splitter);
    d->details->setObjectName(QStringLiteral("detailsPane"));
    d->details->setHistorySource(d->store.get());
    d->details->setUptime24Source([this](const QString &id) { return d->accounts->uptime(id); });
    d->area = new AccountsArea(view, d->accounts, action(Action::AddBot), splitter);
    d->area->hideWhileEmpty(d->details);
    splitter->addWidget(d->area);
    splitter->addWidget(d->details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({60, 40});  // in proportion: the details get room for their sections at any width
    v->addWidget(splitter, 1);
    setCentralWidget(central);
}

void MainWindow::watchNetwork()
{
    d->backendAvailable = followReachability(this, [this](bool reachable) { setNetworkReachable(reachable); });
    if (!d->backendAvailable)
        qCInfo(lcUi) << "no network-information backend: offline is inferred from the accounts";
}

void MainWindow::connectCore()
{
    AccountManager *m = d->app->manager();
    AccountStore *store = d->app->store();
    connect(m, &AccountManager::statusChanged, this, &MainWindow::handleStatusChanged);
    connect(m, &AccountManager::eventLogged, this, &MainWindow::handleEventLogged);
    connect(m, &AccountManager::accountRemoved, this, &MainWindow::handleAccountRemoved);
    connect(d->app, &MonitorApp::tokenNeeded, this, &MainWindow::handleStatusChanged);  // the row stays
    connect(d->app, &MonitorApp::tokenNeededRemoved, this, &MainWindow::handleAccountRemoved);
    connect(store, &AccountStore::accountUpdated, this, &MainWindow::handleRecordChanged);
    connect(store, &AccountStore::accountAdded, this, &MainWindow::handleRecordChanged);
    connect(d->accounts, &AccountTableModel::statusesFlushed, this, &MainWindow::handleSummaryChanged);
    for (const AccountRecord &r : store->accounts())
        handleRecordChanged(r);
    for (const AccountStatus &s : m->statuses() + d->app->tokenNeededStatuses())
        handleStatusChanged(s);
    d->accounts->flush();
}

QAction *MainWindow::action(Action which) const { return (*d->actions)[which]; }
AccountTableModel *MainWindow::accountModel() const { return d->accounts; }
AccountFilterProxyModel *MainWindow::accountProxy() const { return d->proxy; }
QTreeView *MainWindow::accountView() const { return d->accountView; }
EventLogModel *MainWindow::eventModel() const { return d->events; }
QTableView *MainWindow::eventView() const { return d->eventDock->view(); }
DetailsPane *MainWindow::detailsPane() const { return d->details; }
Notifier *MainWindow::notifier() const { return d->notifier; }
NotificationPresenter *MainWindow::presenter() const { return d->presenter; }
TrayController *MainWindow::tray() const { return d->tray; }
AddBotDialog *MainWindow::addBotDialog() const { return d->addDialog; }
ExportDialog *MainWindow::exportDialog() const { return d->exportDialog; }
QMessageBox *MainWindow::confirmationBox() const { return d->confirmation; }
QString MainWindow::summaryText() const { return d->summary->text(); }
bool MainWindow::isOfflineBannerVisible() const { return !d->offlineBanner->isHidden(); }
bool MainWindow::isDemoBannerVisible() const { return !d->demoBanner->isHidden(); }

void MainWindow::selectAccount(const QString &accountId)
{
    d->accounts->flush();
    const int row = d->accounts->rowOf(accountId);
    if (row < 0)
        return;
    const QModelIndex idx = d->proxy->mapFromSource(d->accounts->index(row, 0));
    if (!idx.isValid())
        return;
    d->accountView->selectionModel()->select(idx, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    d->accountView->selectionModel()->setCurrentIndex(idx, QItemSelectionModel::NoUpdate);
}

QString MainWindow::selectedAccountId() const
{
    const QModelIndexList rows = d->accountView->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return rows.first().data(AccountTableModel::AccountIdRole).toString();
}

void MainWindow::startMonitoring(const AccountRecord &record, const QString &token)
{
    if (!record.isValid() || token.isEmpty())
        return;
    d->app->monitorSaved(record, token);
    statusBar()->showMessage(tr("Monitoring %1").arg(record.name), 5000);
}

void MainWindow::startStoredAccounts()
{
    d->app->startStoredAccounts(this);  // an unreadable token: a "token needed" row, the keychain banner
}

void MainWindow::setNetworkReachable(bool reachable)
{
    d->networkReachable = reachable;
    d->notifier->setNetworkOnline(reachable);
    handleSummaryChanged();
}

void MainWindow::refreshFromStore()
{
    d->events->refresh();
    handleUptimeTimeout();
    d->details->refreshHistory();
}

void MainWindow::handleStatusChanged(const AccountStatus &status)
{
    d->accounts->updateStatus(status);
    d->notifier->updateStatus(status);
    d->details->updateStatus(status);
    d->eventDock->addAccount(status.accountId, status.accountName);
}

void MainWindow::handleEventLogged(const EventLogEntry &entry)
{
    d->events->appendLive(entry);
}

void MainWindow::handleAccountRemoved(const QString &accountId)
{
    d->accounts->removeAccount(accountId);
    d->notifier->removeAccount(accountId);
    if (d->details->accountId() == accountId)
        d->details->setAccount(QString());
    d->eventDock->removeAccount(accountId);
    handleSummaryChanged();
}

void MainWindow::handleRecordChanged(const AccountRecord &record)
{
    d->accounts->setMuted(record.id, record.muted);
    d->notifier->setMuted(record.id, record.muted);
}

void MainWindow::handleSelectionChanged()
{
    const QString id = selectedAccountId();
    const auto status = id.isEmpty() ? std::nullopt : d->accounts->status(id);
    const bool has = status.has_value();
    for (Action a : {Action::Edit, Action::Remove})
        action(a)->setEnabled(has);
    const bool monitored = has && !status->tokenNeeded();  // "token needed": only Edit and Remove
    const bool running = monitored && !status->paused && status->state != ConnectionState::Stopped;
    action(Action::ForceResume)->setEnabled(running && status->state != ConnectionState::Failed);
    action(Action::ForceIdentify)->setEnabled(running && status->state != ConnectionState::Failed);
    action(Action::Pause)->setEnabled(monitored && !status->paused);
    action(Action::Resume)->setEnabled(monitored && (status->paused || status->state == ConnectionState::Failed));
    const auto record = d->record(id);
    if (d->details->accountId() != id)
        d->details->setAccount(id, record ? record->intents : 0);
    if (status)
        d->details->updateStatus(*status);
}

void MainWindow::handleSummaryChanged()
{
    d->summary->recount(
        d->accounts->statuses(),
        [this](const QString &id) {
            const auto record = d->record(id);
            return record && record->muted;
        },
        d->proxy->groupFilter());
    if (d->tray)
        d->tray->setSummary(d->summary->worst(), d->summary->total() > 0, d->summary->text());

    // offline banner: the backend says so, or (no backend) every monitored account is down
    // after having been connected
    const bool heuristicOffline = !d->backendAvailable && d->summary->everyAccountDown();
    d->offlineBanner->showState(!d->networkReachable || heuristicOffline, d->networkReachable);
    if (!d->backendAvailable)
        d->notifier->setNetworkOnline(!heuristicOffline);

    // keep the actions in step with the selected account's state
    const auto statuses = d->accounts->statuses();
    action(Action::PauseAll)->setEnabled(std::any_of(statuses.cbegin(), statuses.cend(), [](const AccountStatus &s) { return !s.paused; }));
    handleSelectionChanged();
}

void MainWindow::handleGroupClicked(int group)
{
    const auto g = StateStyle::Group(group);
    const QSet<StateStyle::Group> current = d->proxy->groupFilter();
    if (current.size() == 1 && current.contains(g))
        d->proxy->setGroupFilter({});
    else
        d->proxy->setGroupFilter({g});
}

void MainWindow::handleAccountContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    d->actions->fillAccountContextMenu(&menu);
    menu.exec(d->accountView->viewport()->mapToGlobal(pos));
}

AddBotDialog *MainWindow::openAddBotDialog()
{
    auto *dialog = new AddBotDialog(d->app->service(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setSettings(d->settings.get());
    if (!d->options.defaultApiBase.isEmpty())
        dialog->setDefaultApiBase(QUrl(d->options.defaultApiBase));
    // The dialog saves through the service; what it saved is then monitored.
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        d->app->monitorSaved(dialog->savedRecord(), dialog->token());
    });
    d->addDialog = dialog;
    return dialog;
}

void MainWindow::handleAddBot()
{
    AddBotDialog *dialog = openAddBotDialog();
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        statusBar()->showMessage(tr("Monitoring %1").arg(dialog->savedRecord().name), 5000);
    });
    dialog->open();
}

void MainWindow::handleEdit()
{
    const auto record = d->record(selectedAccountId());
    if (!record) {
        statusBar()->showMessage(tr("This account is not in the account list (demo or command line)."), 5000);
        return;
    }
    AddBotDialog *dialog = openAddBotDialog();
    dialog->setRecord(*record);
    dialog->open();
}

void MainWindow::handleRemove()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    auto record = d->record(id);
    if (!record) {
        // not stored: confirm, and the removal only stops monitoring
        const auto status = d->accounts->status(id);
        AccountRecord r;
        r.id = id;
        r.name = status ? status->accountName : id;
        record = r;
    }
    // The removal goes through MonitorApp's service, which then stops monitoring the account.
    d->confirmation = confirmAndRemoveAccount(this, d->app->service(), *record,
                                              [this](bool removed, const QString &warning) {
        if (removed && !warning.isEmpty())
            statusBar()->showMessage(warning, 15000);
    });
}

void MainWindow::handleForceResume()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    d->app->forceReconnect(id, ReconnectMode::Resume);
    statusBar()->showMessage(tr("Reconnecting with RESUME…"), 5000);
}

void MainWindow::handleForceIdentify()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    d->confirmation = confirmFreshIdentify(this, d->accounts->status(id), [this, id] {
        d->app->forceReconnect(id, ReconnectMode::FreshIdentify);
        statusBar()->showMessage(tr("Reconnecting with a fresh IDENTIFY…"), 5000);
    });
}

void MainWindow::handlePause()
{
    const QString id = selectedAccountId();
    if (!id.isEmpty())
        d->app->pause(id);
}

void MainWindow::handleResume()
{
    const QString id = selectedAccountId();
    if (!id.isEmpty())
        d->app->resume(id);
}

void MainWindow::handlePauseAll()
{
    d->app->pauseAll();
}

void MainWindow::handleExport()
{
    if (!d->store)
        return;
    QList<QPair<QString, QString>> accounts;
    for (const AccountStatus &s : d->accounts->statuses())
        accounts.append({s.accountId, s.accountName});
    d->exportDialog = ExportDialog::openOver(this, d->store->databasePath(), accounts, d->events->filter(), d->settings.get());
    connect(d->exportDialog, &ExportDialog::exportFinished, this, [this](bool, qint64, const QString &message) {
        statusBar()->showMessage(message, 10000);
    });
}

void MainWindow::handleSettings()
{
    auto *dialog = new SettingsDialog(d->appSettings, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        d->appSettings = dialog->settings();
        d->appSettings.save(*d->settings);
        d->notifier->setSettings(d->appSettings.notifications);
        if (d->options.eventLog)
            QMetaObject::invokeMethod(d->options.eventLog, "setRetentionDays", Qt::QueuedConnection,
                                      Q_ARG(int, d->appSettings.retentionDays));
        statusBar()->showMessage(tr("Settings saved. Timings and the metrics endpoint apply after a restart."), 8000);
    });
    dialog->open();
}

void MainWindow::handleAbout()
{
    showAboutBox(this);
}

void MainWindow::handleUserGuide()
{
    if (!openUserGuide())
        statusBar()->showMessage(tr("The user guide is not installed; it is docs/user-guide.md in Gatewatch's sources."), 10000);
}

void MainWindow::handleQuit()
{
    d->quitting = true;
    close();
    QApplication::quit();
}

void MainWindow::handleShowWindow()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();   // the user asked for it (tray click / menu)
}

void MainWindow::handleUptimeTimeout()
{
    if (auto *feed = findChild<AccountHistoryFeed *>(QString(), Qt::FindDirectChildrenOnly))
        feed->refresh();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (d->tray && !d->quitting) {
        hide();
        event->ignore();
        if (!d->settings->value(QStringLiteral("ui/close_to_tray_told"), false).toBool()) {
            d->settings->setValue(QStringLiteral("ui/close_to_tray_told"), true);
            d->tray->trayIcon()->showMessage(tr("Gatewatch is still monitoring"),
                                             tr("Closing the window keeps Gatewatch running in the tray. Use Quit to stop monitoring."),
                                             QSystemTrayIcon::Information, 8000);
        }
        return;
    }
    event->accept();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) {
        // state colours depend on light/dark: repaint every cell
        if (d && d->accounts && d->accounts->rowCount() > 0)
            Q_EMIT d->accounts->dataChanged(d->accounts->index(0, 0),
                                            d->accounts->index(d->accounts->rowCount() - 1, AccountTableModel::ColumnCount - 1));
    }
    QMainWindow::changeEvent(event);
}

} // namespace gw
