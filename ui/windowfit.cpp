#include "windowfit.h"

#include <QHeaderView>
#include <QMainWindow>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QAbstractItemView>

#include <algorithm>
#include <memory>

namespace gw::windowfit {

namespace {

QRect usableArea(const QWidget *window)
{
    const QScreen *screen = window->screen();
    return screen ? screen->availableGeometry() : QRect(0, 0, 1024, 700);
}

} // namespace

void placeWithinScreen(QWidget *window, QSize preferred)
{
    const QRect area = usableArea(window);
    const QSize room = area.size() - k_frameAllowance;
    QSize size = preferred.boundedTo(room);
    size = size.expandedTo(window->minimumSizeHint().boundedTo(room));
    window->resize(size);
    QRect frame(QPoint(), size + k_frameAllowance);
    frame.moveCenter(area.center());
    window->move(frame.topLeft().x() < area.left() ? area.left() : frame.topLeft().x(),
                 frame.topLeft().y() < area.top() ? area.top() : frame.topLeft().y());
}

void keepWithinScreen(QWidget *window)
{
    const QRect area = usableArea(window);
    const QSize room = area.size() - k_frameAllowance;
    if (window->width() > room.width() || window->height() > room.height())
        window->resize(window->size().boundedTo(room));
    const QRect g = window->geometry();
    const int x = std::clamp(g.x(), area.left(), std::max(area.left(), area.right() - g.width() - k_frameAllowance.width()));
    const int y = std::clamp(g.y(), area.top(), std::max(area.top(), area.bottom() - g.height() - k_frameAllowance.height()));
    if (QPoint(x, y) != g.topLeft())
        window->move(x, y);
}

bool restore(QMainWindow *window, QSettings &settings, QSplitter *splitter, QHeaderView *header, QSize preferred)
{
    const QByteArray geometry = settings.value(QStringLiteral("ui/geometry")).toByteArray();
    if (geometry.isEmpty() || !window->restoreGeometry(geometry))
        placeWithinScreen(window, preferred);
    else
        keepWithinScreen(window);
    const QByteArray state = settings.value(QStringLiteral("ui/state")).toByteArray();
    if (!state.isEmpty())
        window->restoreState(state);
    const QByteArray sizes = settings.value(QStringLiteral("ui/splitter")).toByteArray();
    if (!sizes.isEmpty())
        splitter->restoreState(sizes);
    const QByteArray columns = settings.value(QStringLiteral("ui/account_header")).toByteArray();
    return !columns.isEmpty() && header->restoreState(columns);
}

void save(const QMainWindow *window, QSettings &settings, const QSplitter *splitter, const QHeaderView *header)
{
    settings.setValue(QStringLiteral("ui/geometry"), window->saveGeometry());
    settings.setValue(QStringLiteral("ui/state"), window->saveState());
    if (splitter)
        settings.setValue(QStringLiteral("ui/splitter"), splitter->saveState());
    settings.setValue(QStringLiteral("ui/account_header"), header->saveState());
}

void fitColumns(QAbstractItemView *view, QHeaderView *header, int nameColumn, bool refitOnFirstRows)
{
    constexpr int otherMaxEm = 11;
    const int em = view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    const int columns = view->model() ? view->model()->columnCount() : 0;
    for (int c = 0; c < columns; ++c) {
        if (header->isSectionHidden(c))
            continue;
        const int wanted = std::max(header->sectionSizeHint(c), view->sizeHintForColumn(c)) + em / 2;
        // Names first: room for a typical name even before the first row, up to 22 em.
        const int width = c == nameColumn ? std::clamp(wanted, 14 * em, 22 * em) : std::min(wanted, otherMaxEm * em);
        header->resizeSection(c, width);
    }
    QAbstractItemModel *model = view->model();
    if (!refitOnFirstRows || !model || model->rowCount() > 0)
        return;
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(model, &QAbstractItemModel::rowsInserted, view, [view, header, nameColumn, connection] {
        QObject::disconnect(*connection);
        fitColumns(view, header, nameColumn, false);
    });
}

} // namespace gw::windowfit
