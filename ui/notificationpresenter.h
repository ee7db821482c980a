#pragma once

#include "notifier.h"

#include <QObject>

#include <functional>

class QSystemTrayIcon;

namespace gw {

//! Shows NotificationRequests: a tray balloon when a tray exists, else org.freedesktop.Notifications
//! over D-Bus (with the "desktop-entry" hint, as qBittorrent does) when a session bus answers,
//! else only the status-bar line. Never raises or activates a window (no focus stealing), no sound.
class NotificationPresenter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NotificationPresenter)

public:
    enum class Channel { Tray, DBus, StatusBar };
    Q_ENUM(Channel)

    explicit NotificationPresenter(QObject *parent = nullptr);
    ~NotificationPresenter() override;

    //! The tray to use (nullptr: none). Not owned.
    void setTray(QSystemTrayIcon *tray);
    //! Always called with the text (the status bar shows it for a while).
    void setStatusLine(std::function<void(const QString &)> statusLine);
    [[nodiscard]] Channel channel() const;

public Q_SLOTS:
    void present(const gw::NotificationRequest &request);

Q_SIGNALS:
    //! Emitted for every request shown (tests, and the window's log of notifications).
    void presented(const gw::NotificationRequest &request, gw::NotificationPresenter::Channel channel);

private:
    QSystemTrayIcon *m_tray = nullptr;
    std::function<void(const QString &)> m_statusLine;
    bool m_dbusChecked = false;
    bool m_dbusAvailable = false;
};

} // namespace gw
