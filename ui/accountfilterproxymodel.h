#pragma once

#include "statestyle.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace gw {

//! Filters the accounts table by state group (the status-bar buttons) and by text (name / bot
//! user), and sorts on AccountTableModel::RawValueRole so numbers sort as numbers.
class AccountFilterProxyModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountFilterProxyModel)

public:
    explicit AccountFilterProxyModel(QObject *parent = nullptr);
    ~AccountFilterProxyModel() override;

    //! Only rows whose state is in one of `groups`; an empty set shows every row.
    void setGroupFilter(const QSet<StateStyle::Group> &groups);
    [[nodiscard]] QSet<StateStyle::Group> groupFilter() const;
    //! Case-insensitive substring on the name column (name and bot user); empty = all.
    void setTextFilter(const QString &text);
    [[nodiscard]] QString textFilter() const;

Q_SIGNALS:
    void groupFilterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QSet<StateStyle::Group> m_groups;
    QString m_text;
};

} // namespace gw
