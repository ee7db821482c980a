#pragma once

#include <QDockWidget>
#include <QTimer>

class QAction;
class QComboBox;
class QLineEdit;
class QTableView;

namespace gw {

class EventLogModel;

//! The event-log dock of the main window: account / severity / kind filters and a debounced
//! search over an EventLogModel, the export button and the rows' Copy action.
class EventDock final : public QDockWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventDock)

public:
    //! Neither the model nor the actions are owned.
    EventDock(EventLogModel *model, QAction *exportAction, QAction *copyAction, QWidget *parent = nullptr);
    ~EventDock() override;

    [[nodiscard]] QTableView *view() const { return m_view; }
    //! Shows the dock and puts the cursor in the search box (Ctrl+F).
    void focusSearch();
    //! The selected rows as TSV on the clipboard.
    void copySelectedRows();
    //! Offer / withdraw an account in the account filter.
    void addAccount(const QString &accountId, const QString &name);
    void removeAccount(const QString &accountId);

private:
    void buildFilterRow(QWidget *host, QAction *exportAction);
    void buildView(QWidget *host, QAction *copyAction);
    void applyFilter();

    EventLogModel *m_model = nullptr;
    QComboBox *m_account = nullptr;
    QComboBox *m_severity = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_search = nullptr;
    QTableView *m_view = nullptr;
    QTimer m_searchDebounce;
};

} // namespace gw
