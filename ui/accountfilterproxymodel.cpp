#include "accountfilterproxymodel.h"

#include "accounttablemodel.h"

namespace gw {

AccountFilterProxyModel::AccountFilterProxyModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(AccountTableModel::RawValueRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

AccountFilterProxyModel::~AccountFilterProxyModel() = default;

void AccountFilterProxyModel::setGroupFilter(const QSet<StateStyle::Group> &groups)
{
    if (groups == m_groups)
        return;
    m_groups = groups;
    invalidateFilter();
    Q_EMIT groupFilterChanged();
}

QSet<StateStyle::Group> AccountFilterProxyModel::groupFilter() const
{
    return m_groups;
}

void AccountFilterProxyModel::setTextFilter(const QString &text)
{
    const QString t = text.trimmed();
    if (t == m_text)
        return;
    m_text = t;
    invalidateFilter();
}

QString AccountFilterProxyModel::textFilter() const
{
    return m_text;
}

bool AccountFilterProxyModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (sourceParent.isValid())
        return true;  // a shard row is shown with its account's row
    const QModelIndex idx = sourceModel()->index(sourceRow, AccountTableModel::NameColumn, sourceParent);
    if (!m_groups.isEmpty()) {
        const auto state = ConnectionState(idx.data(AccountTableModel::StateRole).toInt());
        if (!m_groups.contains(StateStyle::group(state)))
            return false;
    }
    if (!m_text.isEmpty()) {
        const QString name = idx.data(Qt::DisplayRole).toString();
        if (!name.contains(m_text, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace gw
