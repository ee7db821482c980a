#pragma once

#include <QSize>

class QHeaderView;
class QMainWindow;
class QSettings;
class QSplitter;
class QAbstractItemView;
class QWidget;

namespace gw {

//! How the main window fits the screen it opens on, and how its layout survives a restart.
namespace windowfit {

//! Room left around a window for the window manager's frame and title bar (the frame is unknown
//! before the window is shown).
inline constexpr QSize k_frameAllowance{16, 48};

//! `preferred`, shrunk to the available geometry of the window's screen (minus the frame
//! allowance) and never below the window's minimum size hint, centred on that screen.
void placeWithinScreen(QWidget *window, QSize preferred);

//! Moves and shrinks a (restored) window so that it lies within its screen's available geometry.
void keepWithinScreen(QWidget *window);

//! Restores the geometry, the dock/toolbar state, the splitter sizes and the account header
//! (column widths, order, sort) saved by save(); what was never saved keeps its default, and
//! the window ends up within the screen either way. Returns false when no header state was
//! saved (the columns should then be fitted to their content).
bool restore(QMainWindow *window, QSettings &settings, QSplitter *splitter, QHeaderView *header, QSize preferred);

//! Saves what restore() restores (keys `ui/geometry`, `ui/state`, `ui/splitter`, `ui/account_header`);
//! a null `splitter` keeps the sizes saved before.
void save(const QMainWindow *window, QSettings &settings, const QSplitter *splitter, const QHeaderView *header);

//! Column widths from their content (header text included), names first: the name column gets
//! the width its longest name needs (14 to 22 em), every other column at most 11 em. With
//! `refitOnFirstRows` and an empty model, fits again when the first rows arrive.
//! `header` is the view's horizontal header (a QTableView's or a QTreeView's).
void fitColumns(QAbstractItemView *view, QHeaderView *header, int nameColumn, bool refitOnFirstRows);

} // namespace windowfit

} // namespace gw
