#include "accounttablemodel.h"
#include "accounttablemodel_p.h"

#include "accounttablecells_p.h"
#include "logging.h"
#include "recoverytext.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include <algorithm>
#include <limits>

using namespace std::chrono_literals;

namespace gw {

using accounttable::Row;

namespace {

constexpr qint64 kMissing = std::numeric_limits<qint64>::max();
constexpr int k_numberAlignment = int(Qt::AlignRight | Qt::AlignVCenter);

} // namespace

AccountTableModel::AccountTableModel(QObject *parent)
    : QAbstractItemModel(parent)
    , d(std::make_unique<Private>())
{
    d->flushTimer.setSingleShot(true);
    d->flushTimer.setInterval(100ms);
    connect(&d->flushTimer, &QTimer::timeout, this, &AccountTableModel::handleFlushTimeout);
    d->ageTimer.setInterval(1s);
    connect(&d->ageTimer, &QTimer::timeout, this, &AccountTableModel::handleAgeTick);
    d->ageTimer.start();
}

AccountTableModel::~AccountTableModel() = default;

int AccountTableModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(d->rows.size());
    // Only an account's first column has children: its shards (accounttablemodel_shards.cpp).
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= d->rows.size())
        return 0;
    return d->rows.at(parent.row()).shardRows;
}

int AccountTableModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QHash<int, QByteArray> AccountTableModel::roleNames() const
{
    auto names = QAbstractItemModel::roleNames();
    names.insert(RawValueRole, "rawValue");
    names.insert(StateRole, "state");
    names.insert(AccountIdRole, "accountId");
    names.insert(HeartbeatRole, "heartbeats");
    names.insert(LatencyMsRole, "latencyMs");
    names.insert(LastEventTimeRole, "lastEventTime");
    names.insert(MutedRole, "muted");
    names.insert(ShardRole, "shard");
    return names;
}

QVariant AccountTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return {};
    if (role == Qt::DisplayRole) {
        switch (Column(section)) {
        case NameColumn: return tr("Account");
        case StateColumn: return tr("State");
        case LatencyColumn: return tr("Latency\nlast · mean");
        case HeartbeatColumn: return tr("Heartbeats");
        case UptimeColumn: return tr("Uptime\n24 h");
        case LastEventColumn: return tr("Last\nevent");
        case ReconnectsColumn: return tr("Resumes /\nIdentifies");
        case LastDisconnectColumn: return tr("Last\ndisconnect");
        case IdentifyBudgetColumn: return tr("Identify\nbudget");
        case LostColumn: return tr("Lost\nevents");
        case ColumnCount: break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (Column(section)) {
        case LatencyColumn: return tr("Heartbeat round trip (op 1 → op 11): last and mean over the recent window");
        case HeartbeatColumn: return tr("The most recent heartbeats: bar height is the round trip; red marks a missed ACK or a drop");
        case UptimeColumn: return tr("Share of the last 24 hours in Ready while Gatewatch was watching");
        case LastEventColumn: return tr("Time since the last frame arrived from the gateway");
        case ReconnectsColumn: return tr("Successful RESUMEs (no events lost) vs IDENTIFYs (new session; events in the gap are lost)");
        case LastDisconnectColumn: return tr("The most recent disconnect: its cause, how long the bot was down, how it "
                                             "recovered (resumed, or a new session) and how long ago; while one lasts, "
                                             "its cause and how long it has lasted");
        case IdentifyBudgetColumn: return tr("session_start_limit: IDENTIFYs remaining of the daily total");
        case LostColumn: return tr("Events that never arrived: sequence gaps and events not replayed after a RESUME; "
                                   "\"+N?\" counts new sessions, whose gap has no known size");
        default: break;
        }
    }
    return {};
}

namespace {

// One function per column: the value of a cell of `row` for `role` (an empty QVariant for a
// role the column does not answer).

QVariant nameCell(const Row &row, int role)
{
    const AccountStatus &s = row.status;
    if (role == Qt::DisplayRole) {
        if (s.session && !s.session->userName.isEmpty())
            return AccountTableModel::tr("%1 · %2").arg(s.accountName, s.session->userName);
        return s.accountName;
    }
    if (role == AccountTableModel::RawValueRole)
        return s.accountName.toLower();
    if (role == Qt::ToolTipRole) {
        QString tip = s.accountName;
        if (s.session)
            tip += QLatin1Char('\n') + AccountTableModel::tr("Bot user: %1 (%2)").arg(s.session->userName, s.session->userId);
        if (row.muted)
            tip += QLatin1Char('\n') + AccountTableModel::tr("Notifications muted");
        return tip;
    }
    return {};
}

QVariant stateCell(const AccountStatus &s, int role, const QDateTime &now)
{
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole) {
        if (s.state == ConnectionState::Stopped)
            return s.paused ? AccountTableModel::tr("Paused") : AccountTableModel::tr("Stopped");
        QString text = StateStyle::text(s.state);
        if (s.state == ConnectionState::Reconnecting && s.identifyWaitUntil.isValid()) {
            text = AccountTableModel::tr("Waiting for identify budget (until %1 UTC)")
                       .arg(s.identifyWaitUntil.toUTC().toString(QStringLiteral("HH:mm")));
        } else if (s.state == ConnectionState::Reconnecting && s.nextAttemptAt.isValid()) {
            const qint64 ms = std::max<qint64>(0, now.msecsTo(s.nextAttemptAt));
            text = AccountTableModel::tr("Reconnecting (in %1 s)").arg((ms + 999) / 1000);
        }
        if (s.flapping)
            text += AccountTableModel::tr(" · flapping");  // the mark of a flapping account
        return text;
    }
    if (role == Qt::DecorationRole)
        return StateStyle::icon(s.state);
    if (role == Qt::ForegroundRole)
        return StateStyle::color(s.state, QGuiApplication::palette());
    if (role == AccountTableModel::RawValueRole)
        return StateStyle::severity(s.state) * 100 + int(s.state);
    if (role == Qt::ToolTipRole) {
        QString tip = AccountTableModel::tr("%1 for %2").arg(StateStyle::text(s.state),
                                         uiformat::duration(std::chrono::milliseconds(
                                             s.stateSince.isValid() ? s.stateSince.msecsTo(now) : 0)));
        if (s.state == ConnectionState::Failed && !s.failure.message.isEmpty())
            tip += QLatin1Char('\n') + s.failure.message;
        else if (!s.lastError.isEmpty())
            tip += QLatin1Char('\n') + AccountTableModel::tr("Last error: %1").arg(s.lastError);
        if (s.flapping)
            tip += QLatin1Char('\n') + recoverytext::flappingText(*s.flapping);
        if (s.identifyWaitUntil.isValid())
            tip += QLatin1Char('\n') + recoverytext::budgetWaitText(s.identifyWaitUntil, now);
        return tip;
    }
    return {};
}

QVariant latencyCell(const AccountStatus &s, int role)
{
    if (role == Qt::DisplayRole) {
        if (!s.stats.lastLatency)
            return uiformat::dash();
        return AccountTableModel::tr("%1 · ⌀ %2").arg(uiformat::latency(s.stats.lastLatency), uiformat::latency(s.stats.meanLatency));
    }
    if (role == AccountTableModel::RawValueRole)
        return s.stats.lastLatency ? qint64(s.stats.lastLatency->count()) : kMissing;
    if (role == Qt::ToolTipRole)
        return AccountTableModel::tr("Last %1, mean %2, p95 %3").arg(uiformat::latency(s.stats.lastLatency),
                                                  uiformat::latency(s.stats.meanLatency),
                                                  uiformat::latency(s.stats.p95Latency));
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

QVariant heartbeatCell(const AccountStatus &s, int role)
{
    if (role == AccountTableModel::RawValueRole)
        return s.stats.meanLatency ? qint64(s.stats.meanLatency->count()) : kMissing;
    if (role == Qt::ToolTipRole)
        return AccountTableModel::tr("%1 beats sent, %2 acknowledged, %3 missed now").arg(s.stats.heartbeatsSent)
            .arg(s.stats.acksReceived).arg(s.stats.missedAcks);
    return {};
}

QVariant uptimeCell(const Row &row, int role)
{
    if (role == Qt::DisplayRole)
        return uiformat::percent(row.uptime);
    if (role == AccountTableModel::RawValueRole)
        return row.uptime ? *row.uptime : -1.0;
    if (role == Qt::DecorationRole && !row.uptime)
        return StateStyle::noDataIcon();
    if (role == Qt::ToolTipRole && !row.uptime)
        return AccountTableModel::tr("No data yet: time Gatewatch was not watching does not count as up");
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

QVariant lastEventCell(const AccountStatus &s, int role, const QDateTime &now)
{
    const QDateTime at = s.stats.lastInboundAt.isValid() ? s.stats.lastInboundAt : s.lastEventAt;
    if (role == Qt::DisplayRole)
        return uiformat::age(at, now);
    if (role == AccountTableModel::RawValueRole)
        return at.isValid() ? at.msecsTo(now) : kMissing;
    if (role == Qt::ToolTipRole)
        return uiformat::timestamp(at);
    return {};
}

QVariant reconnectsCell(const AccountStatus &s, int role)
{
    if (role == Qt::DisplayRole)
        return AccountTableModel::tr("%1 / %2").arg(s.resumes).arg(s.identifies);
    if (role == AccountTableModel::RawValueRole)
        return qint64(s.resumes) + qint64(s.identifies);
    if (role == Qt::ToolTipRole)
        return AccountTableModel::tr("%1 resumed (no events lost), %2 identified (new session), %3 disconnects")
            .arg(s.resumes).arg(s.identifies).arg(s.disconnects);
    if (role == Qt::TextAlignmentRole)
        return int(Qt::AlignCenter);
    return {};
}

QVariant identifyBudgetCell(const AccountStatus &s, int role)
{
    if (!s.gatewayInfo) {
        if (role == Qt::DisplayRole)
            return uiformat::dash();
        if (role == AccountTableModel::RawValueRole)
            return qint64(-1);
        return {};
    }
    const SessionStartLimit &limit = s.gatewayInfo->limit;
    if (role == Qt::DisplayRole)
        return AccountTableModel::tr("%1 / %2").arg(limit.remaining).arg(limit.total);
    if (role == AccountTableModel::RawValueRole)
        return qint64(limit.remaining);
    if (role == Qt::ToolTipRole)
        return AccountTableModel::tr("Resets %1 · max_concurrency %2 · %3 recommended shard(s)")
            .arg(uiformat::timestamp(limit.resetAt()))
            .arg(limit.maxConcurrency)
            .arg(s.gatewayInfo->shards);
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

QVariant lostCell(const AccountStatus &s, int role)
{
    const GatewayStats &st = s.stats;
    if (role == Qt::DisplayRole) {
        if (!s.session && st.eventsLost == 0 && st.unknownGaps == 0)
            return uiformat::dash();
        QString text = QLocale().toString(st.eventsLost);
        if (st.unknownGaps > 0)
            text += AccountTableModel::tr(" +%1?").arg(st.unknownGaps);
        return text;
    }
    if (role == AccountTableModel::RawValueRole)
        return qint64(st.eventsLost) + (st.unknownGaps > 0 ? 1 : 0);
    if (role == Qt::ForegroundRole && (st.eventsLost > 0 || st.unknownGaps > 0))
        return StateStyle::color(StateStyle::Group::Degraded, QGuiApplication::palette());
    if (role == Qt::ToolTipRole) {
        QString tip = st.eventsLost == 0 ? AccountTableModel::tr("No events known to be lost")
                                         : AccountTableModel::tr("%1 events lost").arg(QLocale().toString(st.eventsLost));
        if (st.unknownGaps > 0)
            tip += QLatin1Char('\n') + AccountTableModel::tr("New sessions (events in the gap lost, number unknown): %1")
                                            .arg(st.unknownGaps);
        return tip;
    }
    if (role == Qt::TextAlignmentRole)
        return k_numberAlignment;
    return {};
}

} // namespace

QVariant AccountTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    if (index.internalId() != 0)
        return shardData(index, role);
    const Row &row = d->rows.at(index.row());
    const AccountStatus &s = row.status;
    const auto column = Column(index.column());
    const QDateTime now = QDateTime::currentDateTimeUtc();

    switch (role) {
    case StateRole:
        return int(s.state);
    case AccountIdRole:
        return s.accountId;
    case MutedRole:
        return row.muted;
    case LatencyMsRole:
        return s.stats.lastLatency ? QVariant(qint64(s.stats.lastLatency->count())) : QVariant();
    case LastEventTimeRole:
        return s.stats.lastInboundAt.isValid() ? s.stats.lastInboundAt : s.lastEventAt;
    case HeartbeatRole:
        if (column == HeartbeatColumn)
            return QVariant::fromValue(d->trackers.value(s.accountId).beats);
        return {};
    default:
        break;
    }

    switch (column) {
    case NameColumn: return nameCell(row, role);
    case StateColumn: return s.tokenNeeded() ? accounttable::tokenNeededCell(s, role) : stateCell(s, role, now);
    case LatencyColumn: return latencyCell(s, role);
    case HeartbeatColumn: return heartbeatCell(s, role);
    case UptimeColumn: return uptimeCell(row, role);
    case LastEventColumn: return lastEventCell(s, role, now);
    case ReconnectsColumn: return reconnectsCell(s, role);
    case LastDisconnectColumn: return accounttable::lastDisconnectCell(s, row.lastDrop, role, now);
    case IdentifyBudgetColumn: return identifyBudgetCell(s, role);
    case LostColumn: return lostCell(s, role);
    case ColumnCount: break;
    }
    return {};
}

void AccountTableModel::updateStatus(const AccountStatus &status)
{
    if (status.accountId.isEmpty())
        return;
    d->track(status);
    if (!d->rowById.contains(status.accountId) && !d->pending.contains(status.accountId))
        d->pendingNew.append(status.accountId);
    d->pending.insert(status.accountId, status);
    if (!d->flushTimer.isActive())
        d->flushTimer.start();
}

void AccountTableModel::handleFlushTimeout()
{
    flush();
}

void AccountTableModel::flush()
{
    d->flushTimer.stop();
    if (d->pending.isEmpty())
        return;
    // new rows first, in one insert
    QList<QString> fresh;
    for (const QString &id : std::as_const(d->pendingNew)) {
        if (d->pending.contains(id) && !d->rowById.contains(id))
            fresh.append(id);
    }
    d->pendingNew.clear();
    if (!fresh.isEmpty()) {
        const int first = int(d->rows.size());
        beginInsertRows({}, first, first + int(fresh.size()) - 1);
        for (const QString &id : std::as_const(fresh)) {
            Row row;
            row.key = d->nextKey++;
            row.status = d->pending.take(id);
            row.muted = d->mutedById.value(id, false);
            row.uptime = d->uptimeById.value(id, std::nullopt);
            row.lastDrop = d->lastDropById.value(id, std::nullopt);
            d->rowById.insert(id, int(d->rows.size()));
            d->rowByKey.insert(row.key, int(d->rows.size()));
            d->rows.append(row);
        }
        endInsertRows();
        for (int r = first; r < d->rows.size(); ++r)
            syncShardRows(r);
    }
    int minRow = std::numeric_limits<int>::max();
    int maxRow = -1;
    for (auto it = d->pending.cbegin(); it != d->pending.cend(); ++it) {
        const int r = d->rowById.value(it.key(), -1);
        if (r < 0)
            continue;   // removed meanwhile
        d->rows[r].status = it.value();
        syncShardRows(r);
        minRow = std::min(minRow, r);
        maxRow = std::max(maxRow, r);
    }
    d->pending.clear();
    if (maxRow >= 0) {
        ++d->flushes;
        Q_EMIT dataChanged(index(minRow, 0), index(maxRow, ColumnCount - 1));
    }
    Q_EMIT statusesFlushed();
}

void AccountTableModel::handleAgeTick()
{
    if (d->rows.isEmpty())
        return;
    const int last = int(d->rows.size()) - 1;
    Q_EMIT dataChanged(index(0, StateColumn), index(last, StateColumn), {Qt::DisplayRole, Qt::ToolTipRole});
    Q_EMIT dataChanged(index(0, LastEventColumn), index(last, LastEventColumn), {Qt::DisplayRole, RawValueRole});
    Q_EMIT dataChanged(index(0, LastDisconnectColumn), index(last, LastDisconnectColumn), {Qt::DisplayRole});
}

void AccountTableModel::removeAccount(const QString &accountId)
{
    d->pending.remove(accountId);
    d->pendingNew.removeAll(accountId);
    d->trackers.remove(accountId);
    d->mutedById.remove(accountId);
    d->uptimeById.remove(accountId);
    d->lastDropById.remove(accountId);
    const int r = d->rowById.value(accountId, -1);
    if (r < 0)
        return;
    beginRemoveRows({}, r, r);
    d->rows.removeAt(r);
    d->reindex();
    endRemoveRows();
}

void AccountTableModel::setMuted(const QString &accountId, bool muted)
{
    d->mutedById.insert(accountId, muted);
    const int r = d->rowById.value(accountId, -1);
    if (r < 0 || d->rows.at(r).muted == muted)
        return;
    d->rows[r].muted = muted;
    Q_EMIT dataChanged(index(r, NameColumn), index(r, NameColumn), {MutedRole, Qt::ToolTipRole});
}

void AccountTableModel::setUptime(const QString &accountId, std::optional<double> fraction24h)
{
    d->uptimeById.insert(accountId, fraction24h);
    const int r = d->rowById.value(accountId, -1);
    if (r < 0 || d->rows.at(r).uptime == fraction24h)
        return;
    d->rows[r].uptime = fraction24h;
    Q_EMIT dataChanged(index(r, UptimeColumn), index(r, UptimeColumn));
}

void AccountTableModel::setLastDisconnect(const QString &accountId, const std::optional<DisconnectRecord> &record)
{
    d->lastDropById.insert(accountId, record);
    const int r = d->rowById.value(accountId, -1);
    if (r < 0)
        return;
    const auto &old = d->rows.at(r).lastDrop;
    if (old.has_value() == record.has_value() && (!old || (old->id == record->id && old->end == record->end)))
        return;
    d->rows[r].lastDrop = record;
    Q_EMIT dataChanged(index(r, LastDisconnectColumn), index(r, LastDisconnectColumn));
}

std::optional<double> AccountTableModel::uptime(const QString &accountId) const
{
    return d->uptimeById.value(accountId, std::nullopt);
}

std::optional<DisconnectRecord> AccountTableModel::lastDisconnect(const QString &accountId) const
{
    return d->lastDropById.value(accountId, std::nullopt);
}

int AccountTableModel::rowOf(const QString &accountId) const
{
    return d->rowById.value(accountId, -1);
}

QString AccountTableModel::accountIdAt(int row) const
{
    if (row < 0 || row >= d->rows.size())
        return {};
    return d->rows.at(row).status.accountId;
}

std::optional<AccountStatus> AccountTableModel::status(const QString &accountId) const
{
    if (d->pending.contains(accountId))
        return d->pending.value(accountId);
    const int r = d->rowById.value(accountId, -1);
    if (r < 0)
        return std::nullopt;
    return d->rows.at(r).status;
}

QList<AccountStatus> AccountTableModel::statuses() const
{
    QList<AccountStatus> out;
    out.reserve(d->rows.size());
    for (const Row &row : std::as_const(d->rows))
        out.append(d->pending.value(row.status.accountId, row.status));
    return out;
}

HeartbeatStrip AccountTableModel::heartbeats(const QString &accountId) const
{
    return d->trackers.value(accountId).beats;
}

quint64 AccountTableModel::flushCount() const
{
    return d->flushes;
}

} // namespace gw
