#include "mainwindowactions.h"

#include <QAction>
#include <QCoreApplication>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMetaEnum>
#include <QStandardPaths>
#include <QToolBar>
#include <QUrl>

namespace gw {

QAction *MainWindowActions::make(QObject *parent, Action which, const QString &text, const QKeySequence &key,
                                 const QString &icon)
{
    auto *a = new QAction(text, parent);
    if (!key.isEmpty())
        a->setShortcut(key);
    if (!icon.isEmpty())
        a->setIcon(QIcon::fromTheme(icon));
    a->setObjectName(QString::fromLatin1(QMetaEnum::fromType<Action>().valueToKey(int(which))));
    m_actions.insert(which, a);
    return a;
}

MainWindowActions::MainWindowActions(QObject *parent)
{
    make(parent, Action::AddBot, MainWindow::tr("&Add bot…"), QKeySequence::New, QStringLiteral("list-add"))
        ->setStatusTip(MainWindow::tr("Add a bot account to monitor"));
    make(parent, Action::Edit, MainWindow::tr("&Edit…"), QKeySequence(Qt::Key_F2), QStringLiteral("document-edit"));
    make(parent, Action::Remove, MainWindow::tr("&Remove…"), QKeySequence::Delete, QStringLiteral("list-remove"));
    auto *resume = make(parent, Action::ForceResume, MainWindow::tr("Force &reconnect (resume)"),
                        QKeySequence(Qt::Key_F5), QStringLiteral("view-refresh"));
    resume->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
    resume->setStatusTip(MainWindow::tr("Close the connection and RESUME the session (no events lost)"));
    make(parent, Action::ForceIdentify, MainWindow::tr("Reconnect with fresh &IDENTIFY…"),
         QKeySequence(Qt::SHIFT | Qt::Key_F5))
        ->setStatusTip(MainWindow::tr("Start a new session; spends one IDENTIFY of the daily budget"));
    make(parent, Action::Pause, MainWindow::tr("&Pause monitoring"), {}, QStringLiteral("media-playback-pause"));
    make(parent, Action::Resume, MainWindow::tr("Resu&me monitoring"), {}, QStringLiteral("media-playback-start"));
    make(parent, Action::PauseAll, MainWindow::tr("Pause &all"));
    make(parent, Action::Export, MainWindow::tr("E&xport event log…"), QKeySequence(Qt::CTRL | Qt::Key_E),
         QStringLiteral("document-export"));
    auto *settings = make(parent, Action::Settings, MainWindow::tr("&Settings…"), QKeySequence::Preferences,
                          QStringLiteral("configure"));
    if (settings->shortcut().isEmpty())
        settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    auto *quit = make(parent, Action::Quit, MainWindow::tr("&Quit"), QKeySequence::Quit, QStringLiteral("application-exit"));
    quit->setMenuRole(QAction::QuitRole);
    if (quit->shortcut().isEmpty())  // platforms without a standard Quit shortcut
        quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    make(parent, Action::UserGuide, MainWindow::tr("&User guide"), QKeySequence::HelpContents, QStringLiteral("help-contents"))
        ->setStatusTip(MainWindow::tr("Launch, add a bot, force a reconnect, export the log; what each state and column means"));
    make(parent, Action::About, MainWindow::tr("&About Gatewatch"))->setMenuRole(QAction::AboutRole);
    make(parent, Action::Find, MainWindow::tr("&Find in event log"), QKeySequence::Find, QStringLiteral("edit-find"));
    make(parent, Action::CopyEvents, MainWindow::tr("&Copy rows"), QKeySequence::Copy, QStringLiteral("edit-copy"));
    make(parent, Action::ShowWindow, MainWindow::tr("&Show Gatewatch"));
}

QMenu *MainWindowActions::populate(QMainWindow *window) const
{
    // nullptr stands for a separator (an action with isSeparator(): menus and toolbars draw it)
    const auto add = [](QWidget *w, std::initializer_list<QAction *> list) {
        for (QAction *a : list) {
            if (!a) {
                a = new QAction(w);
                a->setSeparator(true);
            }
            w->addAction(a);
        }
    };
    const auto a = [this](Action which) { return m_actions.value(which); };
    QMenuBar *bar = window->menuBar();
    add(bar->addMenu(MainWindow::tr("&File")),
        {a(Action::AddBot), a(Action::Export), nullptr, a(Action::Settings), nullptr, a(Action::Quit)});
    add(bar->addMenu(MainWindow::tr("&Account")),
        {a(Action::Edit), a(Action::Remove), nullptr, a(Action::ForceResume), a(Action::ForceIdentify), nullptr,
         a(Action::Pause), a(Action::Resume), a(Action::PauseAll)});
    QMenu *viewMenu = bar->addMenu(MainWindow::tr("&View"));
    add(viewMenu, {a(Action::Find)});
    add(bar->addMenu(MainWindow::tr("&Help")), {a(Action::UserGuide), nullptr, a(Action::About)});

    QToolBar *toolbar = window->addToolBar(MainWindow::tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolBar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setMovable(false);
    add(toolbar, {a(Action::AddBot), a(Action::Edit), a(Action::Remove), nullptr, a(Action::ForceResume),
                  a(Action::ForceIdentify), nullptr, a(Action::Pause), a(Action::Resume), nullptr, a(Action::Export)});
    return viewMenu;
}

void MainWindowActions::fillAccountContextMenu(QMenu *menu) const
{
    menu->addAction(m_actions.value(Action::ForceResume));
    menu->addAction(m_actions.value(Action::ForceIdentify));
    menu->addSeparator();
    menu->addAction(m_actions.value(Action::Pause));
    menu->addAction(m_actions.value(Action::Resume));
    menu->addSeparator();
    menu->addAction(m_actions.value(Action::Edit));
    menu->addAction(m_actions.value(Action::Remove));
}

void showAboutBox(QWidget *parent)
{
    QMessageBox::about(parent, MainWindow::tr("About Gatewatch"),
                       MainWindow::tr("<h3>Gatewatch %1</h3><p>Watches Discord bot gateway connections: state, heartbeat latency, "
                          "every disconnect and how it recovered, and an exportable event log.</p>"
                          "<p>Tokens stay in the system keychain; they never appear in logs, exports or metrics.</p>")
                           .arg(QStringLiteral(GATEWATCH_VERSION)));
}

QString userGuidePath()
{
    // Installed with the package (cmake/Packaging.cmake), or beside the binary of a build tree.
    const QString installed = QStandardPaths::locate(QStandardPaths::GenericDataLocation,
                                                     QStringLiteral("doc/gatewatch/user-guide.md"));
    if (!installed.isEmpty())
        return installed;
    const QDir app(QCoreApplication::applicationDirPath());
    for (const char *relative : {"../share/doc/gatewatch/user-guide.md", "../../docs/user-guide.md", "../docs/user-guide.md"}) {
        const QString candidate = app.absoluteFilePath(QLatin1String(relative));
        if (QFileInfo::exists(candidate))
            return QDir::cleanPath(candidate);
    }
    return {};
}

bool openUserGuide()
{
    const QString path = userGuidePath();
    return !path.isEmpty() && QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

} // namespace gw
