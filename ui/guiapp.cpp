#include "guiapp.h"

#include "instanceguard.h"
#include "logging.h"
#include "mainwindow.h"
#include "monitorapp.h"
#include "statestyle.h"
#include "traycontroller.h"

#include <QAction>
#include <QApplication>
#include <QStatusBar>

namespace gw {

int runGui(QApplication &app, const GuiOptions &options)
{
    if (!options.app || !options.app->store()) {
        qCWarning(lcUi) << "runGui: the application layer (with an account store) is required";
        return 2;
    }
    QApplication::setWindowIcon(StateStyle::appIcon());
    // The desktop file name (the app id, io.github.gatewatch.Gatewatch) is set by main().
    // with a tray, closing the window keeps monitoring; without one, closing quits
    const bool tray = TrayController::isAvailable();
    QApplication::setQuitOnLastWindowClosed(!tray);

    MainWindow window(options);
    if (options.instance) {
        // a second launch on this profile: show this window instead
        QObject::connect(options.instance, &InstanceGuard::activationRequested, &window,
                         [&window] { window.action(MainWindow::Action::ShowWindow)->trigger(); });
    }
    if (!options.startupNotice.isEmpty())
        window.statusBar()->showMessage(options.startupNotice, 20000);
    if (options.startStoredAccounts)
        window.startStoredAccounts();
    if (!(options.startMinimized && tray))
        window.show();
    qCInfo(lcUi) << "GUI up; tray" << (tray ? "available" : "not available");
    return app.exec();
}

} // namespace gw
