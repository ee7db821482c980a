#include "traycontroller.h"

#include <QAction>
#include <QMenu>
#include <QSystemTrayIcon>

namespace gw {

class TrayController::Private
{
public:
    std::unique_ptr<QMenu> menu;
    QSystemTrayIcon *tray = nullptr;
};

TrayController::TrayController(QAction *show, QAction *pauseAll, QAction *quit, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->menu = std::make_unique<QMenu>();
    d->menu->addAction(show);
    d->menu->addAction(pauseAll);
    d->menu->addSeparator();
    d->menu->addAction(quit);
    d->tray = new QSystemTrayIcon(StateStyle::appIcon(), this);
    d->tray->setContextMenu(d->menu.get());
    d->tray->setToolTip(tr("Gatewatch"));
    connect(d->tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT activated();
    });
    d->tray->show();
}

TrayController::~TrayController() = default;

bool TrayController::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

QSystemTrayIcon *TrayController::trayIcon() const
{
    return d->tray;
}

void TrayController::setSummary(StateStyle::Group worst, bool anyAccount, const QString &summary)
{
    d->tray->setIcon(anyAccount ? StateStyle::icon(worst) : StateStyle::appIcon());
    d->tray->setToolTip(anyAccount ? tr("Gatewatch — %1").arg(summary) : tr("Gatewatch — no accounts"));
}

} // namespace gw
