#include "mainwindow.h"

#include "accountfilterproxymodel.h"
#include "accountmanager.h"
#include "accountservice.h"
#include "accountstore.h"
#include "accounttablemodel.h"
#include "addbotdialog.h"
#include "appsettings.h"
#include "detailspane.h"
#include "eventlog.h"
#include "eventlogmodel.h"
#include "eventstoresource.h"
#include "exportdialog.h"
#include "heartbeatdelegate.h"
#include "logging.h"
#include "notificationpresenter.h"
#include "notifier.h"
#include "settingsdialog.h"
#include "statestyle.h"
#include "tokenvault.h"
#include "traycontroller.h"
#include "uiformat.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMetaEnum>
#include <QNetworkInformation>
#include <QPointer>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace gw {

namespace {
constexpr StateStyle::Group kGroups[] = {StateStyle::Group::Ok, StateStyle::Group::Connecting,
                                         StateStyle::Group::Degraded, StateStyle::Group::Reconnecting,
                                         StateStyle::Group::Failed, StateStyle::Group::Paused};

QFrame *banner(QWidget *parent, const QString &objectName)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(objectName);
    frame->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(frame);
    layout->setContentsMargins(10, 6, 10, 6);
    return frame;
}
} // namespace

class MainWindow::Private
{
public:
    GuiOptions options;
    std::unique_ptr<QSettings> settings;
    AppSettings appSettings;
    AccountService *service = nullptr;
    std::unique_ptr<EventStoreSource> store;

    AccountTableModel *accounts = nullptr;
    AccountFilterProxyModel *proxy = nullptr;
    QTableView *accountView = nullptr;
    DetailsPane *details = nullptr;
    EventLogModel *events = nullptr;
    QTableView *eventView = nullptr;
    QDockWidget *eventDock = nullptr;
    QComboBox *eventAccount = nullptr;
    QComboBox *eventSeverity = nullptr;
    QComboBox *eventKind = nullptr;
    QLineEdit *eventSearch = nullptr;
    QTimer searchDebounce;

    Notifier *notifier = nullptr;
    NotificationPresenter *presenter = nullptr;
    TrayController *tray = nullptr;

    QFrame *demoBanner = nullptr;
    QFrame *offlineBanner = nullptr;
    QLabel *offlineText = nullptr;
    bool networkReachable = true;
    bool backendAvailable = false;

    QHash<Action, QAction *> actions;
    QHash<StateStyle::Group, QToolButton *> groupButtons;
    QToolButton *worstButton = nullptr;
    QString summary;
    StateStyle::Group worst = StateStyle::Group::Ok;

    QPointer<AddBotDialog> addDialog;
    QPointer<ExportDialog> exportDialog;
    QPointer<QMessageBox> confirmation;
    QTimer uptimeTimer;
    QSet<QString> knownAccounts;   // in the event log's account filter
    bool quitting = false;
    bool heuristicOffline = false;

    QAction *makeAction(QObject *parent, Action which, const QString &text, const QKeySequence &key = {},
                        const QString &icon = {})
    {
        auto *a = new QAction(text, parent);
        if (!key.isEmpty())
            a->setShortcut(key);
        if (!icon.isEmpty())
            a->setIcon(QIcon::fromTheme(icon));
        a->setObjectName(QString::fromLatin1(QMetaEnum::fromType<Action>().valueToKey(int(which))));
        actions.insert(which, a);
        return a;
    }

    std::optional<AccountRecord> record(const QString &id) const
    {
        return options.store ? options.store->find(id) : std::nullopt;
    }
};

MainWindow::MainWindow(const GuiOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , d(std::make_unique<Private>())
{
    Q_ASSERT(options.manager && options.store && options.vault);
    d->options = options;
    d->settings = openSettings(options.settingsPath);
    d->appSettings = AppSettings::load(*d->settings);
    d->service = options.service ? options.service : new AccountService(options.store, options.vault, this);
    setWindowTitle(options.demo ? tr("Gatewatch (demo)") : tr("Gatewatch"));
    setWindowIcon(StateStyle::appIcon());
    setObjectName(QStringLiteral("mainWindow"));

    // --- event store (read side) ------------------------------------------------------------
    QString dbPath = options.eventDatabasePath;
    if (dbPath.isEmpty() && options.eventLog)
        dbPath = options.eventLog->databasePath();
    if (!dbPath.isEmpty()) {
        d->store = std::make_unique<EventStoreSource>(dbPath);
        if (!d->store->open())
            d->store.reset();
    }

    // --- models -------------------------------------------------------------------------------
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

    // --- actions ------------------------------------------------------------------------------
    auto *addA = d->makeAction(this, Action::AddBot, tr("&Add bot…"), QKeySequence::New, QStringLiteral("list-add"));
    addA->setStatusTip(tr("Add a bot account to monitor"));
    auto *editA = d->makeAction(this, Action::Edit, tr("&Edit…"), QKeySequence(Qt::Key_F2), QStringLiteral("document-edit"));
    auto *removeA = d->makeAction(this, Action::Remove, tr("&Remove…"), QKeySequence::Delete, QStringLiteral("list-remove"));
    auto *resumeA = d->makeAction(this, Action::ForceResume, tr("Force &reconnect (resume)"), QKeySequence(Qt::Key_F5),
                                  QStringLiteral("view-refresh"));
    resumeA->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
    resumeA->setStatusTip(tr("Close the connection and RESUME the session (no events lost)"));
    auto *identifyA = d->makeAction(this, Action::ForceIdentify, tr("Reconnect with fresh &IDENTIFY…"),
                                    QKeySequence(Qt::SHIFT | Qt::Key_F5));
    identifyA->setStatusTip(tr("Start a new session; spends one IDENTIFY of the daily budget"));
    auto *pauseA = d->makeAction(this, Action::Pause, tr("&Pause monitoring"), {}, QStringLiteral("media-playback-pause"));
    auto *unpauseA = d->makeAction(this, Action::Resume, tr("Resu&me monitoring"), {}, QStringLiteral("media-playback-start"));
    auto *pauseAllA = d->makeAction(this, Action::PauseAll, tr("Pause &all"));
    auto *exportA = d->makeAction(this, Action::Export, tr("E&xport event log…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                                  QStringLiteral("document-export"));
    auto *settingsA = d->makeAction(this, Action::Settings, tr("&Settings…"), QKeySequence::Preferences,
                                    QStringLiteral("configure"));
    if (settingsA->shortcut().isEmpty())
        settingsA->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    auto *quitA = d->makeAction(this, Action::Quit, tr("&Quit"), QKeySequence::Quit, QStringLiteral("application-exit"));
    quitA->setMenuRole(QAction::QuitRole);
    auto *aboutA = d->makeAction(this, Action::About, tr("&About Gatewatch"));
    aboutA->setMenuRole(QAction::AboutRole);
    auto *findA = d->makeAction(this, Action::Find, tr("&Find in event log"), QKeySequence::Find, QStringLiteral("edit-find"));
    auto *copyA = d->makeAction(this, Action::CopyEvents, tr("&Copy rows"), QKeySequence::Copy, QStringLiteral("edit-copy"));
    auto *showA = d->makeAction(this, Action::ShowWindow, tr("&Show Gatewatch"));

    connect(addA, &QAction::triggered, this, &MainWindow::handleAddBot);
    connect(editA, &QAction::triggered, this, &MainWindow::handleEdit);
    connect(removeA, &QAction::triggered, this, &MainWindow::handleRemove);
    connect(resumeA, &QAction::triggered, this, &MainWindow::handleForceResume);
    connect(identifyA, &QAction::triggered, this, &MainWindow::handleForceIdentify);
    connect(pauseA, &QAction::triggered, this, &MainWindow::handlePause);
    connect(unpauseA, &QAction::triggered, this, &MainWindow::handleResume);
    connect(pauseAllA, &QAction::triggered, this, &MainWindow::handlePauseAll);
    connect(exportA, &QAction::triggered, this, &MainWindow::handleExport);
    connect(settingsA, &QAction::triggered, this, &MainWindow::handleSettings);
    connect(quitA, &QAction::triggered, this, &MainWindow::handleQuit);
    connect(aboutA, &QAction::triggered, this, &MainWindow::handleAbout);
    connect(findA, &QAction::triggered, this, &MainWindow::handleFind);
    connect(copyA, &QAction::triggered, this, &MainWindow::handleCopyEvents);
    connect(showA, &QAction::triggered, this, &MainWindow::handleShowWindow);
    exportA->setEnabled(d->store != nullptr);

    // --- menus and toolbar ---------------------------------------------------------------------
    auto *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(addA);
    fileMenu->addAction(exportA);
    fileMenu->addSeparator();
    fileMenu->addAction(settingsA);
    fileMenu->addSeparator();
    fileMenu->addAction(quitA);
    auto *accountMenu = menuBar()->addMenu(tr("&Account"));
    accountMenu->addAction(editA);
    accountMenu->addAction(removeA);
    accountMenu->addSeparator();
    accountMenu->addAction(resumeA);
    accountMenu->addAction(identifyA);
    accountMenu->addSeparator();
    accountMenu->addAction(pauseA);
    accountMenu->addAction(unpauseA);
    accountMenu->addAction(pauseAllA);
    auto *viewMenu = menuBar()->addMenu(tr("&View"));
    viewMenu->addAction(findA);
    auto *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(aboutA);

    auto *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    toolbar->addAction(addA);
    toolbar->addAction(editA);
    toolbar->addAction(removeA);
    toolbar->addSeparator();
    toolbar->addAction(resumeA);
    toolbar->addAction(identifyA);
    toolbar->addSeparator();
    toolbar->addAction(pauseA);
    toolbar->addAction(unpauseA);
    toolbar->addSeparator();
    toolbar->addAction(exportA);

    // --- central: banners + table | details -------------------------------------------------
    auto *central = new QWidget(this);
    auto *v = new QVBoxLayout(central);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);

    d->demoBanner = banner(central, QStringLiteral("demoBanner"));
    {
        QPalette p = d->demoBanner->palette();
        const bool dark = StateStyle::isDark(palette());
        p.setColor(QPalette::Window, dark ? QColor(0x1f, 0x3a, 0x5f) : QColor(0xdc, 0xeb, 0xff));
        p.setColor(QPalette::WindowText, dark ? QColor(0xe8, 0xf0, 0xff) : QColor(0x10, 0x2a, 0x4c));
        d->demoBanner->setPalette(p);
        auto *label = new QLabel(tr("<b>Demo mode:</b> these bots talk to a built-in gateway simulator, not to Discord. "
                                    "Watch them connect, resume, go zombie, get invalidated and fail — no token needed."),
                                 d->demoBanner);
        label->setWordWrap(true);
        d->demoBanner->layout()->addWidget(label);
    }
    d->demoBanner->setVisible(options.demo);
    v->addWidget(d->demoBanner);

    d->offlineBanner = banner(central, QStringLiteral("offlineBanner"));
    {
        QPalette p = d->offlineBanner->palette();
        p.setColor(QPalette::Window, QColor(0xb3, 0x1b, 0x1b));
        p.setColor(QPalette::WindowText, Qt::white);
        d->offlineBanner->setPalette(p);
        auto *icon = new QLabel(d->offlineBanner);
        icon->setPixmap(QIcon(QStringLiteral(":/icons/offline.svg")).pixmap(18, 18));
        d->offlineText = new QLabel(d->offlineBanner);
        d->offlineText->setWordWrap(true);
        d->offlineBanner->layout()->addWidget(icon);
        d->offlineBanner->layout()->addWidget(d->offlineText);
        static_cast<QHBoxLayout *>(d->offlineBanner->layout())->addStretch(1);
    }
    d->offlineBanner->hide();
    v->addWidget(d->offlineBanner);

    auto *splitter = new QSplitter(Qt::Horizontal, central);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    d->accountView = new QTableView(splitter);
    d->accountView->setObjectName(QStringLiteral("accountView"));
    d->accountView->setModel(d->proxy);
    d->accountView->setItemDelegateForColumn(AccountTableModel::HeartbeatColumn, new HeartbeatDelegate(d->accountView));
    d->accountView->setSelectionBehavior(QAbstractItemView::SelectRows);
    d->accountView->setSelectionMode(QAbstractItemView::SingleSelection);
    d->accountView->setSortingEnabled(true);
    d->accountView->sortByColumn(AccountTableModel::StateColumn, Qt::DescendingOrder);
    d->accountView->setAlternatingRowColors(true);
    d->accountView->setWordWrap(false);
    d->accountView->verticalHeader()->hide();
    d->accountView->verticalHeader()->setDefaultSectionSize(d->accountView->fontMetrics().height() + 12);
    d->accountView->horizontalHeader()->setStretchLastSection(true);
    d->accountView->horizontalHeader()->setHighlightSections(false);
    d->accountView->setContextMenuPolicy(Qt::CustomContextMenu);
    const int widths[] = {165, 160, 105, 120, 58, 66, 76, 135, 76};
    for (int c = 0; c < AccountTableModel::ColumnCount; ++c)
        d->accountView->setColumnWidth(c, widths[c]);
    connect(d->accountView, &QWidget::customContextMenuRequested, this, &MainWindow::handleAccountContextMenu);
    connect(d->accountView, &QAbstractItemView::doubleClicked, this, &MainWindow::handleEdit);
    connect(d->accountView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &MainWindow::handleSelectionChanged);

    d->details = new DetailsPane(splitter);
    d->details->setObjectName(QStringLiteral("detailsPane"));
    d->details->setHistorySource(d->store.get());
    splitter->addWidget(d->accountView);
    splitter->addWidget(d->details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({985, 415});
    v->addWidget(splitter, 1);
    setCentralWidget(central);

    // --- event log dock -----------------------------------------------------------------------
    d->eventDock = new QDockWidget(tr("Event log"), this);
    d->eventDock->setObjectName(QStringLiteral("eventDock"));
    d->eventDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    auto *dockWidget = new QWidget(d->eventDock);
    auto *dv = new QVBoxLayout(dockWidget);
    dv->setContentsMargins(4, 4, 4, 4);
    auto *filterRow = new QHBoxLayout;
    d->eventAccount = new QComboBox(dockWidget);
    d->eventAccount->setObjectName(QStringLiteral("eventAccountFilter"));
    d->eventAccount->addItem(tr("All accounts"), QString());
    d->eventAccount->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    d->eventSeverity = new QComboBox(dockWidget);
    d->eventSeverity->setObjectName(QStringLiteral("eventSeverityFilter"));
    d->eventSeverity->addItem(tr("All severities"), int(Severity::Debug));
    d->eventSeverity->addItem(tr("Info and above"), int(Severity::Info));
    d->eventSeverity->addItem(tr("Warnings and errors"), int(Severity::Warning));
    d->eventSeverity->addItem(tr("Errors only"), int(Severity::Error));
    d->eventKind = new QComboBox(dockWidget);
    d->eventKind->setObjectName(QStringLiteral("eventKindFilter"));
    d->eventKind->addItem(tr("All kinds"), -1);
    const QMetaEnum kinds = QMetaEnum::fromType<EventKind>();
    for (int i = 0; i < kinds.keyCount(); ++i)
        d->eventKind->addItem(eventKindDisplayName(EventKind(kinds.value(i))), kinds.value(i));
    d->eventSearch = new QLineEdit(dockWidget);
    d->eventSearch->setObjectName(QStringLiteral("eventSearch"));
    d->eventSearch->setPlaceholderText(tr("Search messages (Ctrl+F; Esc clears)"));
    d->eventSearch->setClearButtonEnabled(true);
    auto *clearSearch = new QAction(d->eventSearch);
    clearSearch->setShortcut(QKeySequence(Qt::Key_Escape));
    clearSearch->setShortcutContext(Qt::WidgetShortcut);
    d->eventSearch->addAction(clearSearch);
    connect(clearSearch, &QAction::triggered, d->eventSearch, &QLineEdit::clear);
    filterRow->addWidget(d->eventAccount);
    filterRow->addWidget(d->eventSeverity);
    filterRow->addWidget(d->eventKind);
    filterRow->addWidget(d->eventSearch, 1);
    auto *exportButton = new QToolButton(dockWidget);
    exportButton->setDefaultAction(exportA);
    exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    filterRow->addWidget(exportButton);
    dv->addLayout(filterRow);
    d->eventView = new QTableView(dockWidget);
    d->eventView->setObjectName(QStringLiteral("eventView"));
    d->eventView->setModel(d->events);
    d->eventView->setSelectionBehavior(QAbstractItemView::SelectRows);
    d->eventView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    d->eventView->setWordWrap(false);
    d->eventView->setAlternatingRowColors(true);
    d->eventView->verticalHeader()->hide();
    d->eventView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    d->eventView->verticalHeader()->setDefaultSectionSize(d->eventView->fontMetrics().height() + 6);
    d->eventView->horizontalHeader()->setStretchLastSection(true);
    d->eventView->setColumnWidth(EventLogModel::TimeColumn, 190);
    d->eventView->setColumnWidth(EventLogModel::AccountColumn, 130);
    d->eventView->setColumnWidth(EventLogModel::SeverityColumn, 95);
    d->eventView->setColumnWidth(EventLogModel::KindColumn, 150);
    d->eventView->setContextMenuPolicy(Qt::ActionsContextMenu);
    d->eventView->addAction(copyA);
    copyA->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    dv->addWidget(d->eventView, 1);
    d->eventDock->setWidget(dockWidget);
    addDockWidget(Qt::BottomDockWidgetArea, d->eventDock);
    viewMenu->addAction(d->eventDock->toggleViewAction());

    d->searchDebounce.setSingleShot(true);
    d->searchDebounce.setInterval(250ms);
    connect(&d->searchDebounce, &QTimer::timeout, this, &MainWindow::handleEventFilterChanged);
    connect(d->eventSearch, &QLineEdit::textChanged, this, [this] { d->searchDebounce.start(); });
    connect(d->eventAccount, &QComboBox::currentIndexChanged, this, &MainWindow::handleEventFilterChanged);
    connect(d->eventSeverity, &QComboBox::currentIndexChanged, this, &MainWindow::handleEventFilterChanged);
    connect(d->eventKind, &QComboBox::currentIndexChanged, this, &MainWindow::handleEventFilterChanged);

    // --- status bar ---------------------------------------------------------------------------
    for (StateStyle::Group g : kGroups) {
        auto *b = new QToolButton(statusBar());
        b->setObjectName(QStringLiteral("groupButton_") + StateStyle::groupWord(g));
        b->setAutoRaise(true);
        b->setCheckable(true);
        b->setIcon(StateStyle::icon(g));
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setToolTip(tr("Show only %1 accounts (click again to show all)").arg(StateStyle::groupWord(g)));
        b->hide();
        connect(b, &QToolButton::clicked, this, [this, g] { handleGroupButtonClicked(int(g)); });
        statusBar()->addPermanentWidget(b);
        d->groupButtons.insert(g, b);
    }
    d->worstButton = new QToolButton(statusBar());
    d->worstButton->setObjectName(QStringLiteral("worstStateButton"));
    d->worstButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    d->worstButton->setCheckable(true);
    connect(d->worstButton, &QToolButton::clicked, this, &MainWindow::handleWorstButtonClicked);
    statusBar()->addPermanentWidget(d->worstButton);
    connect(d->proxy, &AccountFilterProxyModel::groupFilterChanged, this, &MainWindow::handleSummaryChanged);

    // --- tray ---------------------------------------------------------------------------------
    if (TrayController::isAvailable()) {
        d->tray = new TrayController(showA, pauseAllA, quitA, this);
        d->presenter->setTray(d->tray->trayIcon());
        connect(d->tray, &TrayController::activated, this, &MainWindow::handleShowWindow);
    }

    // --- network reachability -------------------------------------------------------------
    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance()
        && QNetworkInformation::instance()->supports(QNetworkInformation::Feature::Reachability)) {
        d->backendAvailable = true;
        auto *ni = QNetworkInformation::instance();
        connect(ni, &QNetworkInformation::reachabilityChanged, this, [this](QNetworkInformation::Reachability r) {
            setNetworkReachable(r != QNetworkInformation::Reachability::Disconnected);
        });
        setNetworkReachable(ni->reachability() != QNetworkInformation::Reachability::Disconnected);
    } else {
        qCInfo(lcUi) << "no network-information backend: offline is inferred from the accounts";
    }

    // --- core wiring ------------------------------------------------------------------------
    AccountManager *m = options.manager;
    connect(m, &AccountManager::statusChanged, this, &MainWindow::handleStatusChanged);
    connect(m, &AccountManager::eventLogged, this, &MainWindow::handleEventLogged);
    connect(m, &AccountManager::accountRemoved, this, &MainWindow::handleAccountRemoved);
    connect(options.store, &AccountStore::accountUpdated, this, &MainWindow::handleRecordChanged);
    connect(options.store, &AccountStore::accountAdded, this, &MainWindow::handleRecordChanged);
    connect(d->accounts, &AccountTableModel::statusesFlushed, this, &MainWindow::handleSummaryChanged);
    for (const AccountRecord &r : options.store->accounts())
        handleRecordChanged(r);
    for (const AccountStatus &s : m->statuses())
        handleStatusChanged(s);
    d->accounts->flush();

    d->uptimeTimer.setInterval(30s);
    connect(&d->uptimeTimer, &QTimer::timeout, this, &MainWindow::handleUptimeTimeout);
    d->uptimeTimer.start();

    handleSelectionChanged();
    handleSummaryChanged();
    resize(1280, 820);
    if (d->settings->contains(QStringLiteral("ui/geometry")))
        restoreGeometry(d->settings->value(QStringLiteral("ui/geometry")).toByteArray());
    if (d->settings->contains(QStringLiteral("ui/state")))
        restoreState(d->settings->value(QStringLiteral("ui/state")).toByteArray());
}

MainWindow::~MainWindow()
{
    d->settings->setValue(QStringLiteral("ui/geometry"), saveGeometry());
    d->settings->setValue(QStringLiteral("ui/state"), saveState());
}

QAction *MainWindow::action(Action which) const { return d->actions.value(which); }
AccountTableModel *MainWindow::accountModel() const { return d->accounts; }
AccountFilterProxyModel *MainWindow::accountProxy() const { return d->proxy; }
QTableView *MainWindow::accountView() const { return d->accountView; }
EventLogModel *MainWindow::eventModel() const { return d->events; }
QTableView *MainWindow::eventView() const { return d->eventView; }
DetailsPane *MainWindow::detailsPane() const { return d->details; }
Notifier *MainWindow::notifier() const { return d->notifier; }
NotificationPresenter *MainWindow::presenter() const { return d->presenter; }
TrayController *MainWindow::tray() const { return d->tray; }
AddBotDialog *MainWindow::addBotDialog() const { return d->addDialog; }
ExportDialog *MainWindow::exportDialog() const { return d->exportDialog; }
QMessageBox *MainWindow::confirmationBox() const { return d->confirmation; }
QString MainWindow::summaryText() const { return d->summary; }
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
    if (d->options.manager->status(record.id)) {
        d->options.manager->update(record, token);
    } else {
        d->options.manager->add(record, token);
    }
    statusBar()->showMessage(tr("Monitoring %1").arg(record.name), 5000);
}

void MainWindow::startStoredAccounts()
{
    for (const AccountRecord &record : d->options.store->accounts()) {
        if (d->options.manager->status(record.id))
            continue;
        const AccountRecord r = record;
        d->options.vault->readToken(r.id, this, [this, r](Expected<QString, VaultError> token) {
            if (!token) {
                statusBar()->showMessage(tr("No token for %1: %2").arg(r.name, token.error().message), 15000);
                qCWarning(lcUi) << "token unavailable for" << r.name << vaultErrorKindName(token.error().kind);
                return;
            }
            if (!d->options.manager->status(r.id))
                d->options.manager->add(r, *token);
        });
    }
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
    if (!d->knownAccounts.contains(status.accountId)) {
        d->knownAccounts.insert(status.accountId);
        d->eventAccount->addItem(status.accountName, status.accountId);
    }
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
    d->knownAccounts.remove(accountId);
    const int idx = d->eventAccount->findData(accountId);
    if (idx > 0)
        d->eventAccount->removeItem(idx);
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
        d->actions.value(a)->setEnabled(has);
    const bool running = has && !status->paused && status->state != ConnectionState::Stopped;
    d->actions.value(Action::ForceResume)->setEnabled(running && status->state != ConnectionState::Failed);
    d->actions.value(Action::ForceIdentify)->setEnabled(running && status->state != ConnectionState::Failed);
    d->actions.value(Action::Pause)->setEnabled(has && !status->paused);
    d->actions.value(Action::Resume)->setEnabled(has && (status->paused || status->state == ConnectionState::Failed));
    const auto record = d->record(id);
    if (d->details->accountId() != id)
        d->details->setAccount(id, record ? record->intents : 0);
    if (status)
        d->details->updateStatus(*status);
}

void MainWindow::handleSummaryChanged()
{
    QHash<StateStyle::Group, int> counts;
    QHash<StateStyle::Group, int> unmuted;
    int total = 0;
    int down = 0;
    int monitored = 0;
    bool everConnected = false;
    const QList<AccountStatus> all = d->accounts->statuses();
    for (const AccountStatus &s : all) {
        const auto g = StateStyle::group(s.paused ? ConnectionState::Stopped : s.state);
        ++counts[g];
        ++total;
        const auto record = d->record(s.accountId);
        if (!record || !record->muted)
            ++unmuted[g];
        if (g != StateStyle::Group::Paused) {
            ++monitored;
            if (g == StateStyle::Group::Connecting || g == StateStyle::Group::Reconnecting)
                ++down;
            everConnected = everConnected || s.lastConnectedAt.isValid();
        }
    }
    d->summary = total ? StateStyle::summary(counts) : tr("No accounts");
    StateStyle::Group worst = StateStyle::Group::Paused;
    for (auto it = unmuted.cbegin(); it != unmuted.cend(); ++it)
        if (it.value() > 0 && StateStyle::severity(it.key()) > StateStyle::severity(worst))
            worst = it.key();
    d->worst = worst;

    const QSet<StateStyle::Group> filter = d->proxy->groupFilter();
    for (StateStyle::Group g : kGroups) {
        QToolButton *b = d->groupButtons.value(g);
        const int n = counts.value(g, 0);
        b->setText(QStringLiteral("%1 %2").arg(n).arg(StateStyle::groupWord(g)));
        b->setVisible(n > 0 || filter.contains(g));
        b->setChecked(filter.size() == 1 && filter.contains(g));
    }
    d->worstButton->setIcon(total ? StateStyle::icon(worst) : StateStyle::noDataIcon());
    d->worstButton->setText(total ? tr("Worst: %1").arg(StateStyle::groupLabel(worst)) : tr("No accounts"));
    d->worstButton->setToolTip(tr("Worst state of the accounts that are not muted: %1\n%2\nClick to show only those accounts")
                                   .arg(StateStyle::groupLabel(worst), d->summary));
    d->worstButton->setChecked(filter.size() == 1 && filter.contains(worst));
    d->worstButton->setEnabled(total > 0);
    if (d->tray)
        d->tray->setSummary(worst, total > 0, d->summary);

    // offline banner: the backend says so, or (no backend) every monitored account is down
    // after having been connected
    d->heuristicOffline = !d->backendAvailable && monitored >= 2 && down == monitored && everConnected;
    const bool offline = !d->networkReachable || d->heuristicOffline;
    if (offline) {
        d->offlineText->setText(d->networkReachable
                                    ? tr("<b>Network appears offline:</b> every account lost its connection. Gatewatch keeps retrying and reconnects by itself.")
                                    : tr("<b>You are offline:</b> the system reports no network. Gatewatch keeps retrying and reconnects by itself."));
    }
    d->offlineBanner->setVisible(offline);
    if (!d->backendAvailable)
        d->notifier->setNetworkOnline(!d->heuristicOffline);

    // keep the actions in step with the selected account's state
    handleSelectionChanged();
}

void MainWindow::handleGroupButtonClicked(int group)
{
    const auto g = StateStyle::Group(group);
    const QSet<StateStyle::Group> current = d->proxy->groupFilter();
    if (current.size() == 1 && current.contains(g))
        d->proxy->setGroupFilter({});
    else
        d->proxy->setGroupFilter({g});
}

void MainWindow::handleWorstButtonClicked()
{
    handleGroupButtonClicked(int(d->worst));
}

void MainWindow::handleAccountContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(d->actions.value(Action::ForceResume));
    menu.addAction(d->actions.value(Action::ForceIdentify));
    menu.addSeparator();
    menu.addAction(d->actions.value(Action::Pause));
    menu.addAction(d->actions.value(Action::Resume));
    menu.addSeparator();
    menu.addAction(d->actions.value(Action::Edit));
    menu.addAction(d->actions.value(Action::Remove));
    menu.exec(d->accountView->viewport()->mapToGlobal(pos));
}

void MainWindow::handleAddBot()
{
    auto *dialog = new AddBotDialog(d->service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!d->options.defaultApiBase.isEmpty())
        dialog->setDefaultApiBase(QUrl(d->options.defaultApiBase));
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        const auto token = dialog->token();
        if (token)
            startMonitoring(dialog->savedRecord(), *token);
    });
    d->addDialog = dialog;
    dialog->open();
}

void MainWindow::handleEdit()
{
    const QString id = selectedAccountId();
    const auto record = d->record(id);
    if (!record) {
        statusBar()->showMessage(tr("This account is not in the account list (demo or command line)."), 5000);
        return;
    }
    auto *dialog = new AddBotDialog(d->service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!d->options.defaultApiBase.isEmpty())
        dialog->setDefaultApiBase(QUrl(d->options.defaultApiBase));
    dialog->setRecord(*record);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        d->options.manager->update(dialog->savedRecord(), dialog->token());
    });
    d->addDialog = dialog;
    dialog->open();
}

void MainWindow::handleRemove()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    auto record = d->record(id);
    if (!record) {
        // not stored (e.g. demo): confirm and stop monitoring only
        const auto status = d->accounts->status(id);
        AccountRecord r;
        r.id = id;
        r.name = status ? status->accountName : id;
        record = r;
    }
    const QString accountId = id;
    d->confirmation = confirmAndRemoveAccount(this, d->service, *record,
                                              [this, accountId](bool removed, const QString &warning) {
        if (!removed)
            return;
        d->options.manager->remove(accountId);
        if (!warning.isEmpty())
            statusBar()->showMessage(warning, 15000);
    });
}

void MainWindow::handleForceResume()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    d->options.manager->forceReconnect(id, ReconnectMode::Resume);
    statusBar()->showMessage(tr("Reconnecting with RESUME…"), 5000);
}

void MainWindow::handleForceIdentify()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    const auto status = d->accounts->status(id);
    QString budget;
    if (status && status->gatewayInfo)
        budget = tr(" %1 of %2 are left today.").arg(status->gatewayInfo->limit.remaining).arg(status->gatewayInfo->limit.total);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Reconnect with a fresh IDENTIFY?"),
                                tr("A fresh IDENTIFY starts a new session: events sent while reconnecting are lost, "
                                   "and it spends one IDENTIFY of the bot's daily budget.%1\n\n"
                                   "Force reconnect (F5) resumes the session instead and spends nothing.").arg(budget),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmIdentifyBox"));
    auto *go = box->addButton(tr("Spend an IDENTIFY"), QMessageBox::AcceptRole);
    go->setObjectName(QStringLiteral("confirmIdentifyButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, go, id](QAbstractButton *clicked) {
        if (clicked != go)
            return;
        d->options.manager->forceReconnect(id, ReconnectMode::FreshIdentify);
        statusBar()->showMessage(tr("Reconnecting with a fresh IDENTIFY…"), 5000);
        Q_UNUSED(box);
    });
    d->confirmation = box;
    box->open();
}

void MainWindow::handlePause()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    d->options.manager->pause(id);
    if (d->record(id))
        d->options.store->setPaused(id, true);
}

void MainWindow::handleResume()
{
    const QString id = selectedAccountId();
    if (id.isEmpty())
        return;
    d->options.manager->resume(id);
    if (d->record(id))
        d->options.store->setPaused(id, false);
}

void MainWindow::handlePauseAll()
{
    for (const AccountStatus &s : d->accounts->statuses()) {
        if (s.paused)
            continue;
        d->options.manager->pause(s.accountId);
        if (d->record(s.accountId))
            d->options.store->setPaused(s.accountId, true);
    }
}

void MainWindow::handleExport()
{
    if (!d->store)
        return;
    QList<QPair<QString, QString>> accounts;
    for (const AccountStatus &s : d->accounts->statuses())
        accounts.append({s.accountId, s.accountName});
    auto *dialog = new ExportDialog(d->store->databasePath(), accounts, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFilter(d->events->filter());
    connect(dialog, &ExportDialog::exportFinished, this, [this](bool, qint64, const QString &message) {
        statusBar()->showMessage(message, 10000);
    });
    d->exportDialog = dialog;
    dialog->open();
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
    QMessageBox::about(this, tr("About Gatewatch"),
                       tr("<h3>Gatewatch %1</h3><p>Watches Discord bot gateway connections: state, heartbeat latency, "
                          "every disconnect and how it recovered, and an exportable event log.</p>"
                          "<p>Tokens stay in the system keychain; they never appear in logs, exports or metrics.</p>")
                           .arg(QStringLiteral(GATEWATCH_VERSION)));
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

void MainWindow::handleFind()
{
    d->eventDock->show();
    d->eventSearch->setFocus(Qt::ShortcutFocusReason);
    d->eventSearch->selectAll();
}

void MainWindow::handleCopyEvents()
{
    QList<int> rows;
    const QModelIndexList selected = d->eventView->selectionModel()->selectedRows();
    for (const QModelIndex &i : selected)
        rows.append(i.row());
    const QString text = d->events->rowsAsTsv(rows);
    if (!text.isEmpty())
        QGuiApplication::clipboard()->setText(text);
}

void MainWindow::handleEventFilterChanged()
{
    EventFilter f;
    const QString account = d->eventAccount->currentData().toString();
    if (!account.isEmpty())
        f.accountIds = {account};
    const auto minSeverity = Severity(d->eventSeverity->currentData().toInt());
    if (minSeverity != Severity::Debug) {
        for (int s = int(minSeverity); s <= int(Severity::Error); ++s)
            f.severities.append(Severity(s));
    }
    const int kind = d->eventKind->currentData().toInt();
    if (kind >= 0)
        f.kinds = {EventKind(kind)};
    f.text = d->eventSearch->text().trimmed();
    d->events->setFilter(f);
}

void MainWindow::handleUptimeTimeout()
{
    if (!d->store)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const AccountStatus &s : d->accounts->statuses()) {
        const UptimeReport r = d->store->uptime(s.accountId, now.addDays(-1), now);
        d->accounts->setUptime(s.accountId, r.percent ? std::optional<double>(*r.percent / 100.0) : std::nullopt);
    }
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
