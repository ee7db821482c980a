// AccountTableModel: the shard rows of a sharded account (AccountStatus::shards), one child row
// per shard under the account's row. The account's row shows the worst shard's state (the
// aggregate the monitor publishes); a shard row shows its own state, latency and IDENTIFYs.

#include "accounttablemodel.h"
#include "accounttablemodel_p.h"

#include "uiformat.h"

#include <QGuiApplication>

#include <algorithm>
#include <limits>

namespace gw {

using accounttable::Row;

namespace {

QVariant shardNameCell(const ShardState &shard, int role)
{
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole)
        return AccountTableModel::tr("Shard %1 of %2").arg(shard.id).arg(shard.count);
    if (role == AccountTableModel::RawValueRole)
        return shard.id;
    return {};
}

QVariant shardStateCell(const ShardState &shard, int role, const QDateTime &now)
{
    if (role == Qt::DisplayRole || role == Qt::AccessibleTextRole) {
        if (shard.state == ConnectionState::Reconnecting && shard.nextAttemptAt.isValid()) {
            const qint64 ms = std::max<qint64>(0, now.msecsTo(shard.nextAttemptAt));
            return AccountTableModel::tr("Reconnecting (in %1 s)").arg((ms + 999) / 1000);
        }
        return StateStyle::text(shard.state);
    }
    if (role == Qt::DecorationRole)
        return StateStyle::icon(shard.state);
    if (role == Qt::ForegroundRole)
        return StateStyle::color(shard.state, QGuiApplication::palette());
    if (role == AccountTableModel::RawValueRole)
        return StateStyle::severity(shard.state) * 100 + int(shard.state);
    if (role == Qt::ToolTipRole) {
        QString tip = AccountTableModel::tr("%1 for %2").arg(
            StateStyle::text(shard.state),
            uiformat::duration(std::chrono::milliseconds(shard.stateSince.isValid() ? shard.stateSince.msecsTo(now) : 0)));
        if (!shard.lastError.isEmpty())
            tip += QLatin1Char('\n') + AccountTableModel::tr("Last error: %1").arg(shard.lastError);
        return tip;
    }
    return {};
}

QVariant shardCell(const ShardState &shard, AccountTableModel::Column column, int role)
{
    switch (column) {
    case AccountTableModel::NameColumn: return shardNameCell(shard, role);
    case AccountTableModel::StateColumn: return shardStateCell(shard, role, QDateTime::currentDateTimeUtc());
    case AccountTableModel::LatencyColumn:
        if (role == Qt::DisplayRole)
            return uiformat::latency(shard.latency);
        if (role == AccountTableModel::RawValueRole)
            return shard.latency ? qint64(shard.latency->count()) : std::numeric_limits<qint64>::max();
        return {};
    case AccountTableModel::ReconnectsColumn:
        if (role == Qt::DisplayRole)
            return AccountTableModel::tr("– / %1").arg(shard.identifies);
        if (role == AccountTableModel::RawValueRole)
            return qint64(shard.identifies);
        return {};
    default:
        return {};
    }
}

} // namespace

QModelIndex AccountTableModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < d->rows.size() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (parent.internalId() != 0 || parent.column() != 0 || parent.row() >= d->rows.size())
        return {};
    const Row &owner = d->rows.at(parent.row());
    if (row >= owner.shardRows)
        return {};
    return createIndex(row, column, quintptr(owner.key));
}

QModelIndex AccountTableModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const int row = d->rowByKey.value(quint64(child.internalId()), -1);
    return row < 0 ? QModelIndex() : createIndex(row, 0, quintptr(0));
}

void AccountTableModel::syncShardRows(int row)
{
    Row &r = d->rows[row];
    const int wanted = int(r.status.shards.size());
    const QModelIndex parentIndex = index(row, 0);
    if (wanted > r.shardRows) {
        beginInsertRows(parentIndex, r.shardRows, wanted - 1);
        d->rows[row].shardRows = wanted;
        endInsertRows();
    } else if (wanted < r.shardRows) {
        beginRemoveRows(parentIndex, wanted, r.shardRows - 1);
        d->rows[row].shardRows = wanted;
        endRemoveRows();
    }
    if (wanted > 0)
        Q_EMIT dataChanged(index(0, 0, parentIndex), index(wanted - 1, ColumnCount - 1, parentIndex));
}

QVariant AccountTableModel::shardData(const QModelIndex &index, int role) const
{
    const int owner = d->rowByKey.value(quint64(index.internalId()), -1);
    if (owner < 0)
        return {};
    const Row &row = d->rows.at(owner);
    if (index.row() >= row.status.shards.size())
        return {};
    const ShardState &shard = row.status.shards.at(index.row());
    switch (role) {
    case StateRole: return int(shard.state);
    case AccountIdRole: return row.status.accountId;
    case ShardRole: return shard.id;
    case MutedRole: return row.muted;
    default: break;
    }
    return shardCell(shard, Column(index.column()), role);
}

} // namespace gw
