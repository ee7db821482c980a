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
    bool flapping = false;         // in a flapping episode (notified once when it began)
    QString failureText;
};

} // namespace

class Notifier::Private
{
public:
    Notifier *q = nullptr;
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

    // --- state changes (updateStatus) ---------------------------------------------------------
    void enterFailed(Track &t, const AccountStatus &status, bool quiet);
    void enterUp(Track &t, const AccountStatus &status, bool quiet, qint64 nowMs);
    //! The last account of a grouped drop is back: one "restored" for the whole group.
    void closeGroupIfRestored();

    // --- deadlines (handleDeadline) -----------------------------------------------------------
    //! Down accounts past the threshold and not notified yet; `nextDeadline` gets the earliest
    //! deadline still to come.
    QList<QString> dueAccounts(qint64 nowMs, qint64 *nextDeadline) const;
    //! The largest set of down, un-notified accounts that dropped within the group window of
    //! one of the `due` accounts.
    QList<QString> largestStorm(const QList<QString> &due) const;
    QList<QString> downUnnotified() const;
    //! Marks the storm's accounts as notified in one group and emits NetworkOffline once.
    void notifyStorm(QList<QString> storm);
    void notifyDown(const QString &id, qint64 nowMs);
};

Notifier::Notifier(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
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
    const bool flapping = status.flapping.has_value();
    if (flapping && !t.flapping && !t.muted && d->settings.enabled) {
        NotificationRequest r;
        r.kind = NotificationRequest::Kind::Flapping;
        r.accountId = status.accountId;
        r.accountIds = {status.accountId};
        r.title = tr("%1 is flapping").arg(status.accountName);
        r.body = tr("%n session(s) ended within %1; reconnects back off until one stays up.", nullptr,
                    status.flapping->sessions)
                     .arg(tr("%n min", nullptr, int(status.flapping->window.count() / 60000)));
        Q_EMIT notificationRequested(r);
    }
    t.flapping = flapping;
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
    case Health::Failed:
        d->enterFailed(t, status, quiet);
        break;
    case Health::Up:
        d->enterUp(t, status, quiet, nowMs);
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

void Notifier::Private::enterFailed(Track &t, const AccountStatus &status, bool quiet)
{
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
        r.title = Notifier::tr("%1 failed").arg(status.accountName);
        r.body = reason.isEmpty() ? Notifier::tr("Monitoring stopped; open Gatewatch for the reason and the fix.") : reason;
        if (reason.isEmpty())
            r.statusText = Notifier::tr("%1 failed: select it for the reason and the fix.").arg(status.accountName);
        Q_EMIT q->notificationRequested(r);
    }
    t.notifiedFailed = true;
}

void Notifier::Private::enterUp(Track &t, const AccountStatus &status, bool quiet, qint64 nowMs)
{
    if (!t.notifiedDown && !t.notifiedFailed)
        return;
    const bool grouped = t.grouped;
    t.notifiedDown = false;
    t.notifiedFailed = false;
    t.grouped = false;
    if (grouped) {
        closeGroupIfRestored();
    } else if (!quiet) {
        NotificationRequest r;
        r.kind = NotificationRequest::Kind::Recovered;
        r.accountId = status.accountId;
        r.accountIds = {status.accountId};
        r.title = Notifier::tr("%1 recovered").arg(status.accountName);
        r.body = Notifier::tr("Connected again after %1.")
                     .arg(uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, nowMs - t.downSinceMs))));
        Q_EMIT q->notificationRequested(r);
    }
}

void Notifier::Private::closeGroupIfRestored()
{
    bool anyStillDown = false;
    for (const Track &o : std::as_const(tracks))
        anyStillDown = anyStillDown || o.grouped;
    if (anyStillDown || !groupOpen)
        return;
    groupOpen = false;
    if (!settings.enabled)
        return;
    NotificationRequest r;
    r.kind = NotificationRequest::Kind::NetworkRestored;
    r.title = Notifier::tr("Connection restored");
    r.body = Notifier::tr("Every account that dropped is connected again.");
    Q_EMIT q->notificationRequested(r);
}

void Notifier::handleDeadline()
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    qint64 nextDeadline = std::numeric_limits<qint64>::max();
    QList<QString> due = d->dueAccounts(nowMs, &nextDeadline);

    if (!due.isEmpty()) {
        // a storm: many accounts dropped within the group window of each other (or the network
        // is down)
        QList<QString> storm = d->largestStorm(due);
        const int monitored = std::max(1, d->monitoredCount());
        const bool isStorm = !d->networkOnline
            || (storm.size() >= d->settings.groupMinAccounts
                && double(storm.size()) / monitored >= d->settings.groupMinFraction);
        if (isStorm) {
            d->notifyStorm(d->networkOnline ? storm : d->downUnnotified());
            due.erase(std::remove_if(due.begin(), due.end(), [this](const QString &id) {
                return d->tracks.value(id).notifiedDown;
            }), due.end());
        }
        for (const QString &id : std::as_const(due))
            d->notifyDown(id, nowMs);
    }

    if (nextDeadline != std::numeric_limits<qint64>::max())
        d->deadlineTimer.start(std::chrono::milliseconds(std::max<qint64>(1, nextDeadline - nowMs)));
    else
        d->deadlineTimer.stop();
}

QList<QString> Notifier::Private::dueAccounts(qint64 nowMs, qint64 *nextDeadline) const
{
    const qint64 threshold = settings.downThreshold.count();
    QList<QString> due;
    for (auto it = tracks.cbegin(); it != tracks.cend(); ++it) {
        const Track &t = it.value();
        if (t.health != Health::Down || t.notifiedDown)
            continue;
        const qint64 deadline = t.downSinceMs + threshold;
        if (deadline <= nowMs)
            due.append(it.key());
        else
            *nextDeadline = std::min(*nextDeadline, deadline);
    }
    return due;
}

QList<QString> Notifier::Private::largestStorm(const QList<QString> &due) const
{
    const qint64 window = settings.groupWindow.count();
    QList<QString> storm;
    for (const QString &id : due) {
        const qint64 since = tracks.value(id).downSinceMs;
        QList<QString> near;
        for (auto it = tracks.cbegin(); it != tracks.cend(); ++it) {
            if (it.value().health == Health::Down && !it.value().notifiedDown
                && std::abs(it.value().downSinceMs - since) <= window)
                near.append(it.key());
        }
        if (near.size() > storm.size())
            storm = near;
    }
    return storm;
}

QList<QString> Notifier::Private::downUnnotified() const
{
    QList<QString> out;
    for (auto it = tracks.cbegin(); it != tracks.cend(); ++it)
        if (it.value().health == Health::Down && !it.value().notifiedDown)
            out.append(it.key());
    return out;
}

void Notifier::Private::notifyStorm(QList<QString> storm)
{
    std::sort(storm.begin(), storm.end());
    for (const QString &id : std::as_const(storm)) {
        Track &t = tracks[id];
        t.notifiedDown = true;
        t.grouped = true;
    }
    if (groupOpen || !settings.enabled)
        return;
    groupOpen = true;
    NotificationRequest r;
    r.kind = NotificationRequest::Kind::NetworkOffline;
    r.accountIds = storm;
    r.title = Notifier::tr("Network appears offline");
    r.body = Notifier::tr("%n account(s) lost their gateway connection at the same time; "
                          "Gatewatch keeps retrying.", nullptr, int(storm.size()));
    Q_EMIT q->notificationRequested(r);
}

void Notifier::Private::notifyDown(const QString &id, qint64 nowMs)
{
    Track &t = tracks[id];
    t.notifiedDown = true;
    if (t.muted || !settings.enabled)
        return;
    NotificationRequest r;
    r.kind = NotificationRequest::Kind::Down;
    r.accountId = id;
    r.accountIds = {id};
    r.title = Notifier::tr("%1 is down").arg(t.name);
    r.body = Notifier::tr("No gateway session for %1; Gatewatch keeps retrying.")
                 .arg(uiformat::duration(std::chrono::milliseconds(nowMs - t.downSinceMs)));
    Q_EMIT q->notificationRequested(r);
}

} // namespace gw
