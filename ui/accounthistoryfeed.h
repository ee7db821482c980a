#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace gw {

class AccountTableModel;
class HistorySource;

//! Feeds the accounts table what it reads from the event store: each account's 24 h uptime
//! (the one value the table and the details pane both show) and its most recent disconnect
//! (the Last disconnect column). refresh() reads every row; besides, when a row's status says a
//! disconnect opened or ended (its counters moved, it connected again), the feed reads again
//! once the store has committed, until the stored disconnect is closed too.
class AccountHistoryFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountHistoryFeed)

public:
    //! Neither is owned; both must outlive the feed.
    AccountHistoryFeed(HistorySource *source, AccountTableModel *model, QObject *parent = nullptr);
    ~AccountHistoryFeed() override;

    //! Read uptime and the last disconnect of every row now.
    void refresh();

private:
    void handleStatusesFlushed();
    void handleSettleTimeout();
    //! Reads the last disconnect of every row (`movedOnly`: of the rows whose status moved);
    //! true when one is still open in the store while its account is connected again (the
    //! store has not committed the recovery yet).
    bool refreshLastDisconnects(bool movedOnly);

    HistorySource *m_source = nullptr;
    AccountTableModel *m_model = nullptr;
    QHash<QString, qint64> m_marks;   // account id → disconnects + resumes + identifies + connected
    QSet<QString> m_moved;            // rows whose last disconnect is to be read again
    QTimer m_settleTimer;             // after a status change: wait for the store to commit
    int m_settleTries = 0;
    bool m_fullRefresh = false;       // a new row: its uptime too
};

} // namespace gw
