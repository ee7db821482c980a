#include "heartbeatdelegate.h"

#include "accounttablemodel.h"
#include "statestyle.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace gw {

HeartbeatDelegate::HeartbeatDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

HeartbeatDelegate::~HeartbeatDelegate() = default;

QSize HeartbeatDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize s = QStyledItemDelegate::sizeHint(option, index);
    s.setWidth(std::max(s.width(), AccountTableModel::MaxBeats * 3 + 8));
    return s;
}

void HeartbeatDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const auto beats = index.data(AccountTableModel::HeartbeatRole).value<HeartbeatStrip>();
    const QRect area = option.rect.adjusted(4, 4, -4, -4);
    if (area.width() < 4 || area.height() < 4)
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    const int slotCount = AccountTableModel::MaxBeats;
    const qreal slotW = qreal(area.width()) / slotCount;
    const qreal barW = std::max<qreal>(1.0, slotW - 1.0);
    int maxMs = 1;
    for (const auto &b : beats)
        maxMs = std::max(maxMs, b.latencyMs);

    const QPalette &pal = option.palette;
    QColor noData = pal.color(QPalette::Mid);
    noData.setAlpha(90);
    const int empty = slotCount - int(beats.size());
    for (int i = 0; i < empty; ++i) {
        const QRectF r(area.left() + i * slotW, area.top(), barW, area.height());
        painter->fillRect(r, QBrush(noData, Qt::BDiagPattern));
    }
    for (int i = 0; i < beats.size(); ++i) {
        const HeartbeatBeat &b = beats.at(i);
        const qreal x = area.left() + (empty + i) * slotW;
        if (b.latencyMs < 0) {
            const QColor c = StateStyle::color(b.state == ConnectionState::Ready ? ConnectionState::Reconnecting : b.state, pal);
            painter->fillRect(QRectF(x, area.top(), barW, area.height()), c);
            continue;
        }
        // at least a third of the height so that a fast beat is still visible
        const qreal h = area.height() * (0.33 + 0.67 * qreal(b.latencyMs) / maxMs);
        const QColor c = StateStyle::color(b.state, pal);
        painter->fillRect(QRectF(x, area.bottom() + 1 - h, barW, h), c);
    }
    painter->restore();
}

} // namespace gw
