#include "accounthistoryfeed.h"

#include "accounttablemodel.h"
#include "eventlogsource.h"

#include <utility>

using namespace std::chrono_literals;

namespace gw {

namespace {

// The event store commits every 250 ms (EventLogOptions::commitInterval); read a little later,
// and a few more times when the machine is busy.
constexpr auto SettleDelay = 600ms;
constexpr int MaxSettleTries = 8;
// The last disconnect shown is the most recent of this period.
constexpr int LastDisconnectDays = 30;

qint64 markOf(const AccountStatus &s)
{
    return (qint64(s.disconnects) + s.resumes + s.identifies) * 2 + (s.connected ? 1 : 0);
}

} // namespace

AccountHistoryFeed::AccountHistoryFeed(HistorySource *source, AccountTableModel *model, QObject *parent)
    : QObject(parent)
    , m_source(source)
    , m_model(model)
{
    m_settleTimer.setSingleShot(true);
    m_settleTimer.setInterval(SettleDelay);
    m_settleTimer.callOnTimeout(this, &AccountHistoryFeed::handleSettleTimeout);
    connect(m_model, &AccountTableModel::statusesFlushed, this, &AccountHistoryFeed::handleStatusesFlushed);
}

AccountHistoryFeed::~AccountHistoryFeed() = default;

void AccountHistoryFeed::refresh()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const AccountStatus &s : m_model->statuses()) {
        const UptimeReport r = m_source->uptime(s.accountId, now.addDays(-1), now);
        m_model->setUptime(s.accountId, r.percent ? std::optional<double>(*r.percent / 100.0) : std::nullopt);
    }
    refreshLastDisconnects(false);
}

bool AccountHistoryFeed::refreshLastDisconnects(bool movedOnly)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    bool behind = false;
    for (const AccountStatus &s : m_model->statuses()) {
        if (movedOnly && !m_moved.contains(s.accountId))
            continue;
        const QList<DisconnectRecord> last = m_source->disconnects(s.accountId, now.addDays(-LastDisconnectDays), now, 1);
        const std::optional<DisconnectRecord> record = last.isEmpty() ? std::nullopt : std::optional(last.first());
        m_model->setLastDisconnect(s.accountId, record);
        if (record && !record->end && s.connected) {
            behind = true;  // read it again at the next settle
            m_moved.insert(s.accountId);
        } else {
            m_moved.remove(s.accountId);
        }
    }
    return behind;
}

void AccountHistoryFeed::handleStatusesFlushed()
{
    bool moved = false;
    for (const AccountStatus &s : m_model->statuses()) {
        const qint64 mark = markOf(s);
        auto it = m_marks.find(s.accountId);
        if (it == m_marks.end()) {
            m_marks.insert(s.accountId, mark);
            m_moved.insert(s.accountId);
            moved = m_fullRefresh = true;  // a new row: show its uptime and history
        } else if (*it != mark) {
            *it = mark;
            m_moved.insert(s.accountId);
            moved = true;
        }
    }
    if (moved) {
        m_settleTries = 0;
        m_settleTimer.start();
    }
}

void AccountHistoryFeed::handleSettleTimeout()
{
    bool behind = false;
    if (std::exchange(m_fullRefresh, false)) {
        refresh();
        behind = !m_moved.isEmpty();
    } else {
        behind = refreshLastDisconnects(true);
    }
    if (behind && ++m_settleTries < MaxSettleTries)
        m_settleTimer.start();
}

} // namespace gw
