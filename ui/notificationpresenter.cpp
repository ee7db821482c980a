#include "notificationpresenter.h"

#include "logging.h"

#include <QSystemTrayIcon>

#ifdef GATEWATCH_HAVE_DBUS
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#endif

namespace gw {

NotificationPresenter::NotificationPresenter(QObject *parent)
    : QObject(parent)
{
}

NotificationPresenter::~NotificationPresenter() = default;

void NotificationPresenter::setTray(QSystemTrayIcon *tray)
{
    m_tray = tray;
}

void NotificationPresenter::setStatusLine(std::function<void(const QString &)> statusLine)
{
    m_statusLine = std::move(statusLine);
}

NotificationPresenter::Channel NotificationPresenter::channel() const
{
    if (m_tray && m_tray->isVisible() && QSystemTrayIcon::supportsMessages())
        return Channel::Tray;
#ifdef GATEWATCH_HAVE_DBUS
    auto *self = const_cast<NotificationPresenter *>(this);
    if (!m_dbusChecked) {
        self->m_dbusChecked = true;
        const QDBusConnection bus = QDBusConnection::sessionBus();
        self->m_dbusAvailable = bus.isConnected() && bus.interface()
            && bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.Notifications")).value();
    }
    if (m_dbusAvailable)
        return Channel::DBus;
#endif
    return Channel::StatusBar;
}

void NotificationPresenter::present(const NotificationRequest &request)
{
    const bool severe = request.kind == NotificationRequest::Kind::Failed
        || request.kind == NotificationRequest::Kind::Down
        || request.kind == NotificationRequest::Kind::NetworkOffline;
    const Channel ch = channel();
    switch (ch) {
    case Channel::Tray:
        m_tray->showMessage(request.title, request.body,
                            severe ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information, 10000);
        break;
    case Channel::DBus: {
#ifdef GATEWATCH_HAVE_DBUS
        QDBusMessage msg = QDBusMessage::createMethodCall(
            QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("/org/freedesktop/Notifications"),
            QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("Notify"));
        QVariantMap hints;
        hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("gatewatch"));
        hints.insert(QStringLiteral("urgency"), QVariant::fromValue<uchar>(severe ? 2 : 1));
        msg << QStringLiteral("Gatewatch") << quint32(0) << QStringLiteral("gatewatch") << request.title
            << request.body << QStringList() << hints << qint32(-1);
        QDBusConnection::sessionBus().asyncCall(msg);
#endif
        break;
    }
    case Channel::StatusBar:
        break;
    }
    if (m_statusLine)
        m_statusLine(request.statusText.isEmpty() ? request.title + QStringLiteral(": ") + request.body : request.statusText);
    qCInfo(lcUi) << "notification:" << request.title;
    Q_EMIT presented(request, ch);
}

} // namespace gw
