// The notification policy without a display: feed status snapshots, assert on the requests.

#include "notifier.h"

#include <QSignalSpy>
#include <QTest>

using namespace std::chrono_literals;
using gw::AccountStatus;
using gw::ConnectionState;
using gw::NotificationRequest;
using Kind = gw::NotificationRequest::Kind;

namespace {

AccountStatus st(const QString &id, ConnectionState state)
{
    AccountStatus s;
    s.accountId = id;
    s.accountName = QStringLiteral("bot-") + id;
    s.state = state;
    return s;
}

QList<Kind> kinds(const QSignalSpy &spy)
{
    QList<Kind> out;
    for (const auto &args : spy)
        out.append(args.at(0).value<NotificationRequest>().kind);
    return out;
}

gw::NotifierSettings fast()
{
    gw::NotifierSettings s;
    s.downThreshold = 150ms;
    s.groupWindow = 100ms;
    s.groupMinAccounts = 3;
    s.groupMinFraction = 0.5;
    return s;
}

} // namespace

class tst_Notifier final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<NotificationRequest>(); }

    // One notification per flapping episode (docs/lifecycle.md §13): the episode's later
    // snapshots (more sessions, up and down) stay quiet; a new episode notifies again; muted
    // accounts never.
    void flappingNotifiesOncePerEpisode()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        const auto flapping = [](ConnectionState state, int sessions) {
            AccountStatus s = st(QStringLiteral("a"), state);
            if (sessions > 0)
                s.flapping = gw::FlappingStatus{sessions, 10min};
            return s;
        };
        n.updateStatus(flapping(ConnectionState::Ready, 0));
        n.updateStatus(flapping(ConnectionState::Reconnecting, 5));
        n.updateStatus(flapping(ConnectionState::Ready, 6));
        n.updateStatus(flapping(ConnectionState::Reconnecting, 7));
        n.updateStatus(flapping(ConnectionState::Ready, 7));
        QCOMPARE(kinds(spy), QList<Kind>{Kind::Flapping});
        const auto r = spy.at(0).at(0).value<NotificationRequest>();
        QVERIFY(r.title.contains(QLatin1String("bot-a")));
        QVERIFY2(r.body.contains(QLatin1String("5 session")) && r.body.contains(QLatin1String("10 min")), qPrintable(r.body));
        n.updateStatus(flapping(ConnectionState::Ready, 0));         // a stable session ended it
        n.updateStatus(flapping(ConnectionState::Reconnecting, 5));  // a new episode
        QCOMPARE(kinds(spy), (QList<Kind>{Kind::Flapping, Kind::Flapping}));
        n.setMuted(QStringLiteral("a"), true);
        n.updateStatus(flapping(ConnectionState::Ready, 0));
        n.updateStatus(flapping(ConnectionState::Reconnecting, 5));
        QCOMPARE(spy.size(), 2);
    }

    void quickResumeDoesNotNotify()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Reconnecting));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Resuming));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        // well past the threshold: still nothing (hysteresis)
        QVERIFY(!spy.wait(400));
        QCOMPARE(spy.size(), 0);
    }

    void downLongerThanThresholdThenRecovered()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        QElapsedTimer t;
        t.start();
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Reconnecting));
        QVERIFY(spy.wait(2000));
        QVERIFY(t.elapsed() >= 140);
        QCOMPARE(kinds(spy), QList<Kind>{Kind::Down});
        const auto down = spy.at(0).at(0).value<NotificationRequest>();
        QCOMPARE(down.accountId, QStringLiteral("a"));
        QVERIFY(down.title.contains(QLatin1String("bot-a")));
        // flapping while down notifies nothing more
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Connecting));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Reconnecting));
        QVERIFY(!spy.wait(300));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        QCOMPARE(kinds(spy), (QList<Kind>{Kind::Down, Kind::Recovered}));
        // recovered is never sent without a prior down
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Reconnecting));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        QCOMPARE(spy.size(), 2);
    }

    void failedNotifiesAtOnceWithTheReason()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Identifying));
        AccountStatus f = st(QStringLiteral("a"), ConnectionState::Failed);
        f.failure.kind = gw::GatewayError::Kind::FatalClose;
        f.failure.closeCode = 4014;
        f.failure.message = QStringLiteral("Disallowed intents: enable GUILD_MEMBERS in the Developer Portal");
        n.updateStatus(f);
        QCOMPARE(kinds(spy), QList<Kind>{Kind::Failed});
        QVERIFY(spy.at(0).at(0).value<NotificationRequest>().body.contains(QLatin1String("GUILD_MEMBERS")));
        n.updateStatus(f);   // same state again: nothing
        QCOMPARE(spy.size(), 1);
        // the user fixes it: resume → ready → "recovered"
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Connecting));
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        QCOMPARE(kinds(spy), (QList<Kind>{Kind::Failed, Kind::Recovered}));
    }

    void mutedAccountsNeverNotify()
    {
        gw::Notifier n;
        n.setSettings(fast());
        n.setMuted(QStringLiteral("m"), true);
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("m"), ConnectionState::Ready));
        n.updateStatus(st(QStringLiteral("m"), ConnectionState::Reconnecting));
        QVERIFY(!spy.wait(400));
        n.updateStatus(st(QStringLiteral("m"), ConnectionState::Failed));
        n.updateStatus(st(QStringLiteral("m"), ConnectionState::Ready));
        QCOMPARE(spy.size(), 0);
    }

    void manyDropsAtOnceAreOneGroupedNotification()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        const QStringList ids = {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4"),
                                 QStringLiteral("5")};
        for (const QString &id : ids)
            n.updateStatus(st(id, ConnectionState::Ready));
        for (const QString &id : ids.mid(0, 4))
            n.updateStatus(st(id, ConnectionState::Reconnecting));
        QVERIFY(spy.wait(2000));
        QVERIFY(!spy.wait(300));
        QCOMPARE(kinds(spy), QList<Kind>{Kind::NetworkOffline});
        const auto r = spy.at(0).at(0).value<NotificationRequest>();
        QCOMPARE(r.accountIds.size(), 4);
        QCOMPARE(r.title, QStringLiteral("Network appears offline"));
        // they come back: one "restored", not four "recovered"
        for (const QString &id : ids.mid(0, 4))
            n.updateStatus(st(id, ConnectionState::Ready));
        QCOMPARE(kinds(spy), (QList<Kind>{Kind::NetworkOffline, Kind::NetworkRestored}));
    }

    void groupEndsQuietlyWhenItsAccountsArePausedOrRemoved()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        const QStringList ids = {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")};
        for (const QString &id : ids)
            n.updateStatus(st(id, ConnectionState::Ready));
        for (const QString &id : ids)
            n.updateStatus(st(id, ConnectionState::Reconnecting));
        QVERIFY(spy.wait(2000));
        QCOMPARE(kinds(spy), QList<Kind>{Kind::NetworkOffline});
        AccountStatus paused = st(QStringLiteral("1"), ConnectionState::Stopped);
        paused.paused = true;
        n.updateStatus(paused);
        n.removeAccount(QStringLiteral("2"));
        n.removeAccount(QStringLiteral("3"));
        QCOMPARE(spy.size(), 1);
        // a later storm is notified again (the old group is closed)
        for (const QString &id : {QStringLiteral("4"), QStringLiteral("5"), QStringLiteral("6")})
            n.updateStatus(st(id, ConnectionState::Ready));
        for (const QString &id : {QStringLiteral("4"), QStringLiteral("5"), QStringLiteral("6")})
            n.updateStatus(st(id, ConnectionState::Reconnecting));
        QVERIFY(spy.wait(2000));
        QCOMPARE(kinds(spy), (QList<Kind>{Kind::NetworkOffline, Kind::NetworkOffline}));
    }

    void offlineNetworkGroupsEvenFewDrops()
    {
        gw::Notifier n;
        n.setSettings(fast());
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        n.updateStatus(st(QStringLiteral("b"), ConnectionState::Ready));
        n.setNetworkOnline(false);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Reconnecting));
        QVERIFY(spy.wait(2000));
        QCOMPARE(kinds(spy), QList<Kind>{Kind::NetworkOffline});
    }

    void pausedIsNotDownAndDisabledIsSilent()
    {
        gw::Notifier n;
        auto s = fast();
        n.setSettings(s);
        QSignalSpy spy(&n, &gw::Notifier::notificationRequested);
        n.updateStatus(st(QStringLiteral("a"), ConnectionState::Ready));
        AccountStatus paused = st(QStringLiteral("a"), ConnectionState::Stopped);
        paused.paused = true;
        n.updateStatus(paused);
        QVERIFY(!spy.wait(300));
        s.enabled = false;
        n.setSettings(s);
        n.updateStatus(st(QStringLiteral("b"), ConnectionState::Ready));
        n.updateStatus(st(QStringLiteral("b"), ConnectionState::Failed));
        QCOMPARE(spy.size(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_Notifier)
#include "tst_notifier.moc"
