#pragma once

#include "accountrecord.h"
#include "guioptions.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QMessageBox;
class QTableView;
class QTreeView;

namespace gw {

class AccountFilterProxyModel;
class AccountTableModel;
class AddBotDialog;
class DetailsPane;
class EventLogModel;
class ExportDialog;
class NotificationPresenter;
class Notifier;
class TrayController;
struct AccountStatus;
struct EventLogEntry;

//! The main window: the accounts table with its details pane, the event-log dock (EventDock),
//! actions in the toolbar / menus / context menu (MainWindowActions), the status bar
//! (StatusSummary), the offline and demo banners (statusbanners.h), the tray and notifications.
//! It is thin: it wires views to models, and each account action is one call into MonitorApp
//! (core/runtime/monitorapp.h) after the confirmation or dialog the action needs; no account
//! policy and no network policy here.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    enum class Action {
        AddBot, Edit, Remove, ForceResume, ForceIdentify, Pause, Resume, PauseAll,
        Export, Settings, Quit, About, Find, CopyEvents, ShowWindow, UserGuide,
    };
    Q_ENUM(Action)

    //! See GuiOptions; `options.app` (with a store) is required.
    explicit MainWindow(const GuiOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    [[nodiscard]] QAction *action(Action which) const;
    [[nodiscard]] AccountTableModel *accountModel() const;
    [[nodiscard]] AccountFilterProxyModel *accountProxy() const;
    [[nodiscard]] QTreeView *accountView() const;
    [[nodiscard]] EventLogModel *eventModel() const;
    [[nodiscard]] QTableView *eventView() const;
    [[nodiscard]] DetailsPane *detailsPane() const;
    [[nodiscard]] Notifier *notifier() const;
    [[nodiscard]] NotificationPresenter *presenter() const;
    [[nodiscard]] TrayController *tray() const;

    //! Select the account's row in the table (and show its details).
    void selectAccount(const QString &accountId);
    [[nodiscard]] QString selectedAccountId() const;
    [[nodiscard]] bool isOfflineBannerVisible() const;
    [[nodiscard]] bool isDemoBannerVisible() const;
    //! The last dialog / message box each action opened (window-modal, opened with open()).
    [[nodiscard]] AddBotDialog *addBotDialog() const;
    [[nodiscard]] ExportDialog *exportDialog() const;
    [[nodiscard]] QMessageBox *confirmationBox() const;
    //! The text of the status bar's summary ("3 ok · 1 reconnecting").
    [[nodiscard]] QString summaryText() const;

public Q_SLOTS:
    //! What the Add bot dialog's accept leads to: start monitoring a saved account
    //! (MonitorApp::monitorSaved).
    void startMonitoring(const gw::AccountRecord &record, const QString &token);
    //! Start every stored account not monitored yet (MonitorApp::startStoredAccounts); a missing
    //! token is said in the status bar.
    void startStoredAccounts();
    //! Network reachability (QNetworkInformation, or tests): false shows the offline banner.
    void setNetworkReachable(bool reachable);
    //! Re-read uptime and the event log from the store (a timer does it regularly).
    void refreshFromStore();

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void buildCentral();
    void connectActions();
    void connectCore();
    void watchNetwork();
    void handleStatusChanged(const gw::AccountStatus &status);
    void handleEventLogged(const gw::EventLogEntry &entry);
    void handleAccountRemoved(const QString &accountId);
    void handleRecordChanged(const gw::AccountRecord &record);
    void handleSelectionChanged();
    void handleSummaryChanged();
    void handleAddBot();
    void handleEdit();
    void handleRemove();
    void handleForceResume();
    void handleForceIdentify();
    void handlePause();
    void handleResume();
    void handlePauseAll();
    void handleExport();
    void handleSettings();
    void handleAbout();
    void handleUserGuide();
    void handleQuit();
    void handleShowWindow();
    void handleAccountContextMenu(const QPoint &pos);
    void handleGroupClicked(int group);
    void handleUptimeTimeout();
    AddBotDialog *openAddBotDialog();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
