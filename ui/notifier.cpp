#include "notifier.h"

#include "closecode.h"
#include "logging.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QDateTime>

#include <algorithm>
#include <limits>

using namespace std::chrono_literals;

namespace gw {

namespace {

enum class Health { Up, Down, Failed, Off };

Health healthOf(const AccountStatus &s)
{
    if (s.paused || s.state == ConnectionState::Stopped)
        return Health::Off;
    switch (StateStyle::group(s.state)) {
    case StateStyle::Group::Ok:
    case StateStyle::Group::Degraded:   // still open: "late", shown in the table, not notified
        return Health::Up;
    case StateStyle::Group::Failed:
        return Health::Failed;
    case StateStyle::Group::Paused:
        return Health::Off;
    case StateStyle::Group::Connecting:
    case StateStyle::Group::Reconnecting:
        return Health::Down;
    }
    return Health::Down;
}

struct Track
{
    QString name;
    Health health = Health::Off;
    bool seen = false;
    qint64 downSinceMs = 0;
    bool notifiedDown = false;
    bool notifiedFailed = false;
    bool grouped = false;          // part of a grouped "network appears offline"
    bool muted = false;
    QString failureText;
};

} // namespace

class Notifier::Private
{
public:
    NotifierSettings settings;
    QHash<QString, Track> tracks;
    QTimer deadlineTimer;
    bool networkOnline = true;
    bool groupOpen = false;        // a NetworkOffline was emitted and not yet restored

    //! A grouped drop whose accounts were all paused or removed ends without a notification.
    void closeGroupIfEmpty()
    {
        for (const Track &t : std::as_const(tracks))
            if (t.grouped)
                return;
        groupOpen = false;
    }

    int monitoredCount() const
    {
        int n = 0;
        for (const Track &t : tracks)
            n += t.health != Health::Off ? 1 : 0;
        return n;
    }
};

Notifier::Notifier(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->deadlineTimer.setSingleShot(true);
    connect(&d->deadlineTimer, &QTimer::timeout, this, &Notifier::handleDeadline);
}

Notifier::~Notifier() = default;

void Notifier::setSettings(const NotifierSettings &settings)
{
    d->settings = settings;
    handleDeadline();
}

NotifierSettings Notifier::settings() const
{
    return d->settings;
}

void Notifier::setMuted(const QString &accountId, bool muted)
{
    d->tracks[accountId].muted = muted;
}

void Notifier::removeAccount(const QString &accountId)
{
    d->tracks.remove(accountId);
    d->closeGroupIfEmpty();
}

void Notifier::setNetworkOnline(bool online)
{
    d->networkOnline = online;
    handleDeadline();
}

void Notifier::updateStatus(const AccountStatus &status)
{
    Track &t = d->tracks[status.accountId];
    t.name = status.accountName;
    const Health before = t.health;
    const Health now = healthOf(status);
    const bool wasSeen = t.seen;
    t.seen = true;
    t.health = now;
    if (wasSeen && before == now)
        return;
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();

    const bool quiet = t.muted || !d->settings.enabled;
    switch (now) {
    case Health::Down:
        if (before != Health::Down)
            t.downSinceMs = nowMs;
        break;
    case Health::Failed: {
        QString reason = status.failure.message;
        if (reason.isEmpty())
            reason = status.lastError;
        if (reason.isEmpty() && status.failure.closeCode)
            reason = CloseCodes::describe(status.failure.closeCode);
        t.failureText = reason;
        if (!t.notifiedFailed && !quiet) {
            NotificationRequest r;
            r.kind = NotificationRequest::Kind::Failed;
            r.accountId = status.accountId;
            r.accountIds = {status.accountId};
            r.title = tr("%1 failed").arg(status.accountName);
            r.body = reason.isEmpty() ? tr("Monitoring stopped; open Gatewatch for the reason and the fix.") : reason;
            Q_EMIT notificationRequested(r);
        }
        t.notifiedFailed = true;
        break;
    }
    case Health::Up:
        if (t.notifiedDown || t.notifiedFailed) {
            const bool grouped = t.grouped;
            t.notifiedDown = false;
            t.notifiedFailed = false;
            t.grouped = false;
            if (grouped) {
                // one "restored" for the whole group, when its last account is back
                bool anyStillDown = false;
                for (const Track &o : std::as_const(d->tracks))
                    anyStillDown = anyStillDown || o.grouped;
                if (!anyStillDown && d->groupOpen) {
                    d->groupOpen = false;
                    if (d->settings.enabled) {
                        NotificationRequest r;
                        r.kind = NotificationRequest::Kind::NetworkRestored;
                        r.title = tr("Connection restored");
                        r.body = tr("Every account that dropped is connected again.");
                        Q_EMIT notificationRequested(r);
                    }
                }
            } else if (!quiet) {
                NotificationRequest r;
                r.kind = NotificationRequest::Kind::Recovered;
                r.accountId = status.accountId;
                r.accountIds = {status.accountId};
                r.title = tr("%1 recovered").arg(status.accountName);
                r.body = tr("Connected again after %1.")
                             .arg(uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, nowMs - t.downSinceMs))));
                Q_EMIT notificationRequested(r);
            }
        }
        break;
    case Health::Off:
        // paused by the user: forget pending "down" without notifying
        t.notifiedDown = false;
        t.grouped = false;
        d->closeGroupIfEmpty();
        break;
    }
    if (now != Health::Failed)
        t.notifiedFailed = t.notifiedFailed && now != Health::Up && now != Health::Off;
    handleDeadline();
}

void Notifier::handleDeadline()
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    const qint64 threshold = d->settings.downThreshold.count();
    const qint64 window = d->settings.groupWindow.count();

    // accounts whose down time passed the threshold and that were not notified yet
    QList<QString> due;
    qint64 nextDeadline = std::numeric_limits<qint64>::max();
    for (auto it = d->tracks.cbegin(); it != d->tracks.cend(); ++it) {
        const Track &t = it.value();
        if (t.health != Health::Down || t.notifiedDown)
            continue;
        const qint64 deadline = t.downSinceMs + threshold;
        if (deadline <= nowMs)
            due.append(it.key());
        else
            nextDeadline = std::min(nextDeadline, deadline);
    }

    if (!due.isEmpty()) {
        // a storm: many accounts dropped within `window` of each other (or the network is down)
        QList<QString> storm;
        for (const QString &id : std::as_const(due)) {
            const qint64 since = d->tracks.value(id).downSinceMs;
            QList<QString> near;
            for (auto it = d->tracks.cbegin(); it != d->tracks.cend(); ++it) {
                if (it.value().health == Health::Down && !it.value().notifiedDown
                    && std::abs(it.value().downSinceMs - since) <= window)
                    near.append(it.key());
            }
            if (near.size() > storm.size())
                storm = near;
        }
        const int monitored = std::max(1, d->monitoredCount());
        const bool isStorm = !d->networkOnline
            || (storm.size() >= d->settings.groupMinAccounts
                && double(storm.size()) / monitored >= d->settings.groupMinFraction);
        if (isStorm) {
            if (!d->networkOnline) {
                storm.clear();
                for (auto it = d->tracks.cbegin(); it != d->tracks.cend(); ++it)
                    if (it.value().health == Health::Down && !it.value().notifiedDown)
                        storm.append(it.key());
            }
            std::sort(storm.begin(), storm.end());
            for (const QString &id : std::as_const(storm)) {
                Track &t = d->tracks[id];
                t.notifiedDown = true;
                t.grouped = true;
            }
            if (!d->groupOpen && d->settings.enabled) {
                d->groupOpen = true;
                NotificationRequest r;
                r.kind = NotificationRequest::Kind::NetworkOffline;
                r.accountIds = storm;
                r.title = tr("Network appears offline");
                r.body = tr("%n account(s) lost their gateway connection at the same time; "
                            "Gatewatch keeps retrying.", nullptr, int(storm.size()));
                Q_EMIT notificationRequested(r);
            }
            due.erase(std::remove_if(due.begin(), due.end(), [this](const QString &id) {
                return d->tracks.value(id).notifiedDown;
            }), due.end());
        }
        for (const QString &id : std::as_const(due)) {
            Track &t = d->tracks[id];
            t.notifiedDown = true;
            if (t.muted || !d->settings.enabled)
                continue;
            NotificationRequest r;
            r.kind = NotificationRequest::Kind::Down;
            r.accountId = id;
            r.accountIds = {id};
            r.title = tr("%1 is down").arg(t.name);
            r.body = tr("No gateway session for %1; Gatewatch keeps retrying.")
                         .arg(uiformat::duration(std::chrono::milliseconds(nowMs - t.downSinceMs)));
            Q_EMIT notificationRequested(r);
        }
    }

    if (nextDeadline != std::numeric_limits<qint64>::max())
        d->deadlineTimer.start(std::chrono::milliseconds(std::max<qint64>(1, nextDeadline - nowMs)));
    else
        d->deadlineTimer.stop();
}

} // namespace gw
