#pragma once

#include "accountstatus.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <memory>

namespace gw {

//! One desktop notification Notifier asks for. The presenter (tray balloon, D-Bus, status bar)
//! decides how to show it; Notifier never touches a widget, so it is tested without a display.
struct NotificationRequest
{
    Q_GADGET
public:
    enum class Kind {
        Failed,          //!< an account stopped for a reason a person must fix
        Down,            //!< an account has been down longer than the threshold
        Recovered,       //!< an account we notified as down/failed is ready again
        NetworkOffline,  //!< many accounts dropped at once, or the network is unreachable
        NetworkRestored, //!< every account of the grouped drop is ready again
        Flapping,        //!< an account's sessions keep dying (once per flapping episode)
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Down;
    QString accountId;             //!< empty for grouped kinds
    QStringList accountIds;        //!< grouped kinds: the accounts concerned
    QString title;
    QString body;
    //! The same news as the window's status bar says it (inside Gatewatch); empty: title and body.
    QString statusText;
};

//! The thresholds of the notification policy (Settings → Notifications).
struct NotifierSettings
{
    bool enabled = true;
    //! An account must be down this long before "down" is notified (hysteresis: a quick RESUME
    //! never notifies). Failed is notified at once.
    std::chrono::milliseconds downThreshold{std::chrono::seconds{60}};
    //! Drops within this window of each other count as one event …
    std::chrono::milliseconds groupWindow{std::chrono::seconds{10}};
    //! … when at least this many accounts …
    int groupMinAccounts = 3;
    //! … and at least this share of the monitored accounts dropped.
    double groupMinFraction = 0.5;
};

//! The notification policy: state changes only, after
//! a threshold, one grouped "network appears offline" for a storm, "recovered" only after a
//! "down"/"failed" was shown, nothing for muted accounts; "flapping" once per episode
//! (AccountStatus::flapping set → cleared by a stable session → set again).
class Notifier final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Notifier)

public:
    explicit Notifier(QObject *parent = nullptr);
    ~Notifier() override;

    [[nodiscard]] NotifierSettings settings() const;
    void setSettings(const NotifierSettings &settings);

    //! Feed every status snapshot (any rate).
    void updateStatus(const AccountStatus &status);
    void removeAccount(const QString &accountId);
    //! Muted accounts never notify (AccountRecord::muted).
    void setMuted(const QString &accountId, bool muted);
    //! From QNetworkInformation: while offline, drops are grouped into one notification.
    void setNetworkOnline(bool online);

Q_SIGNALS:
    void notificationRequested(const gw::NotificationRequest &request);

private:
    void handleDeadline();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::NotificationRequest)
