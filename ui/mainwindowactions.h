#pragma once

#include "mainwindow.h"

#include <QHash>

class QAction;
class QMainWindow;
class QMenu;
class QWidget;

namespace gw {

//! The main window's actions, menus, toolbar and account context menu: texts, shortcuts, icons
//! and object names in one place. MainWindow connects the actions to its handlers.
class MainWindowActions final
{
public:
    using Action = MainWindow::Action;

    //! Creates every action (children of `parent`), object names from the enum.
    explicit MainWindowActions(QObject *parent);

    [[nodiscard]] QAction *operator[](Action which) const { return m_actions.value(which); }
    [[nodiscard]] const QHash<Action, QAction *> &all() const { return m_actions; }

    //! File / Account / View / Help menus and the main toolbar. Returns the View menu (the event
    //! dock adds its toggle there).
    QMenu *populate(QMainWindow *window) const;
    //! The account table's context menu.
    void fillAccountContextMenu(QMenu *menu) const;

private:
    QAction *make(QObject *parent, Action which, const QString &text, const QKeySequence &key = {},
                  const QString &icon = {});

    QHash<Action, QAction *> m_actions;
};

//! The About box (window-modal over `parent`).
void showAboutBox(QWidget *parent);
//! docs/user-guide.md as installed (share/doc/gatewatch) or beside a build tree's binary; empty when neither.
QString userGuidePath();
//! Opens the user guide with the desktop's viewer; false when it is not there or nothing opens it.
bool openUserGuide();

} // namespace gw
