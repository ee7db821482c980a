#pragma once

#include <QStyledItemDelegate>

namespace gw {

//! Paints AccountTableModel::HeartbeatRole as a strip of small bars (newest on the right):
//! height = round trip relative to the row's slowest beat, colour = state, a full-height red
//! bar with a gap marks a missed ACK, hatched grey where there is no data yet. QPainter only.
class HeartbeatDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeartbeatDelegate)

public:
    explicit HeartbeatDelegate(QObject *parent = nullptr);
    ~HeartbeatDelegate() override;

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace gw
