#pragma once

#include "statestyle.h"

#include <QObject>

#include <memory>

class QAction;
class QSystemTrayIcon;

namespace gw {

//! The system-tray icon: it shows the worst state of the accounts that are not
//! muted, the tooltip "3 ok · 1 reconnecting", and a menu Show / Pause all / Quit. Created only
//! where a tray exists (QSystemTrayIcon::isSystemTrayAvailable(); never under offscreen).
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)

public:
    //! The actions are shown in the tray menu (not owned).
    TrayController(QAction *show, QAction *pauseAll, QAction *quit, QObject *parent = nullptr);
    ~TrayController() override;

    [[nodiscard]] static bool isAvailable();
    [[nodiscard]] QSystemTrayIcon *trayIcon() const;
    void setSummary(StateStyle::Group worst, bool anyAccount, const QString &summary);

Q_SIGNALS:
    //! The icon was clicked (not the menu): the window should be shown.
    void activated();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
