// AccountTableModel, AccountFilterProxyModel and DisconnectHistoryModel under
// QAbstractItemModelTester, fed inserts, updates and removals like the live window feeds them.

#include "accountfilterproxymodel.h"
#include "accounttablemodel.h"
#include "disconnecthistorymodel.h"
#include "statestyle.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace std::chrono_literals;
using gw::AccountStatus;
using gw::AccountTableModel;
using gw::ConnectionState;
using Group = gw::StateStyle::Group;

namespace {

AccountStatus status(const QString &id, const QString &name, ConnectionState state)
{
    AccountStatus s;
    s.accountId = id;
    s.accountName = name;
    s.state = state;
    s.stateSince = QDateTime::currentDateTimeUtc();
    return s;
}

} // namespace

class tst_UiModels final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void insertsUpdatesAndRemovalsUnderTester()
    {
        AccountTableModel model;
        gw::AccountFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

        model.updateStatus(status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Connecting));
        model.updateStatus(status(QStringLiteral("b"), QStringLiteral("beta"), ConnectionState::Ready));
        model.updateStatus(status(QStringLiteral("c"), QStringLiteral("gamma"), ConnectionState::Failed));
        QCOMPARE(model.rowCount(), 0);  // coalesced: nothing until the flush
        QTRY_COMPARE(model.rowCount(), 3);
        QCOMPARE(inserted.size(), 1);    // one insert for the batch
        QCOMPARE(proxy.rowCount(), 3);

        // updates: one ranged dataChanged for many snapshots, never a reset
        changed.clear();
        for (int i = 0; i < 500; ++i) {
            AccountStatus s = status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Ready);
            s.stats.lastLatency = std::chrono::milliseconds(40 + i % 7);
            s.stats.acksReceived = quint64(i + 1);
            model.updateStatus(s);
            model.updateStatus(status(QStringLiteral("c"), QStringLiteral("gamma"), ConnectionState::Failed));
        }
        QTRY_VERIFY(model.flushCount() >= 1);
        QTRY_VERIFY(!changed.isEmpty());
        QCOMPARE(reset.size(), 0);
        int flushes = 0;
        for (const auto &args : changed) {
            const auto tl = args.at(0).toModelIndex();
            const auto br = args.at(1).toModelIndex();
            if (tl.column() == 0 && br.column() == AccountTableModel::ColumnCount - 1) {
                ++flushes;
                QCOMPARE(tl.row(), 0);  // rows a..c: one range
                QCOMPARE(br.row(), 2);
            }
        }
        QCOMPARE(flushes, 1);
        const QModelIndex lat = model.index(model.rowOf(QStringLiteral("a")), AccountTableModel::LatencyColumn);
        QVERIFY(lat.data().toString().startsWith(QLatin1String("42 ms")));   // 40 + 499 % 7
        QCOMPARE(lat.data(AccountTableModel::RawValueRole).toLongLong(), 42);
        // the strip recorded one beat per ACK increase, capped
        QCOMPARE(model.heartbeats(QStringLiteral("a")).size(), AccountTableModel::MaxBeats);

        // removal
        model.removeAccount(QStringLiteral("b"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowOf(QStringLiteral("c")), 1);
        QCOMPARE(proxy.rowCount(), 2);
        model.updateStatus(status(QStringLiteral("d"), QStringLiteral("delta"), ConnectionState::Reconnecting));
        model.flush();
        QCOMPARE(model.rowCount(), 3);
    }

    void displayBeforeFirstAckAndAfter()
    {
        AccountTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        AccountStatus s = status(QStringLiteral("a"), QStringLiteral("alpha"), ConnectionState::Identifying);
        model.updateStatus(s);
        model.flush();
        const QString dash(QChar(0x2014));
        QCOMPARE(model.index(0, AccountTableModel::LatencyColumn).data().toString(), dash);
        QCOMPARE(model.index(0, AccountTableModel::LastDisconnectColumn).data().toString(), dash);
        QCOMPARE(model.index(0, AccountTableModel::IdentifyBudgetColumn).data().toString(), dash);
        QCOMPARE(model.index(0, AccountTableModel::UptimeColumn).data().toString(), dash);
        // state: icon + text + colour, never colour alone
        const QModelIndex st = model.index(0, AccountTableModel::StateColumn);
        QCOMPARE(st.data().toString(), gw::stateDisplayName(ConnectionState::Identifying));
        QVERIFY(!st.data(Qt::DecorationRole).value<QIcon>().isNull());
        QVERIFY(st.data(Qt::ForegroundRole).value<QColor>().isValid());

        s.state = ConnectionState::Ready;
        s.session = gw::SessionInfo{QStringLiteral("0123456789abcdef"), QUrl(QStringLiteral("ws://127.0.0.1:1")),
                                    QStringLiteral("42"), QStringLiteral("AlphaBot"), 0, 1, 3};
        s.stats.lastLatency = 41ms;
        s.stats.meanLatency = 40ms;
        s.resumes = 5;
        s.identifies = 1;
        s.lastDisconnect = gw::DisconnectInfo{QDateTime::currentDateTimeUtc(), 4009, QString()};
        gw::GatewayBotInfo info;
        info.limit.total = 1000;
        info.limit.remaining = 997;
        info.limit.fetchedAt = QDateTime::currentDateTimeUtc();
        s.gatewayInfo = info;
        model.updateStatus(s);
        model.setUptime(QStringLiteral("a"), 0.999);
        model.flush();
        QCOMPARE(model.index(0, AccountTableModel::NameColumn).data().toString(), QStringLiteral("alpha · AlphaBot"));
        QVERIFY(model.index(0, AccountTableModel::LatencyColumn).data().toString().contains(QLatin1String("41 ms")));
        QVERIFY(model.index(0, AccountTableModel::LatencyColumn).data().toString().contains(QLatin1String("40 ms")));
        QCOMPARE(model.index(0, AccountTableModel::ReconnectsColumn).data().toString(), QStringLiteral("5 / 1"));
        // an open disconnect: its code and name, and how long it has lasted
        QVERIFY(model.index(0, AccountTableModel::LastDisconnectColumn).data().toString().startsWith(
            QStringLiteral("4009 session timed out · down ")));
        QVERIFY(model.index(0, AccountTableModel::LastDisconnectColumn).data(Qt::ToolTipRole).toString().contains(QLatin1String("timed out")));
        QCOMPARE(model.index(0, AccountTableModel::IdentifyBudgetColumn).data().toString(), QStringLiteral("997 / 1000"));
        QVERIFY(model.index(0, AccountTableModel::UptimeColumn).data().toString().startsWith(QLatin1String("99.9")));
    }

    void stateColoursReadableInLightAndDark_data()
    {
        QTest::addColumn<QColor>("window");
        QTest::addColumn<QColor>("text");
        QTest::newRow("light") << QColor(Qt::white) << QColor(Qt::black);
        QTest::newRow("dark") << QColor(0x20, 0x20, 0x20) << QColor(0xee, 0xee, 0xee);
    }

    void stateColoursReadableInLightAndDark()
    {
        QFETCH(QColor, window);
        QFETCH(QColor, text);
        QPalette pal;
        pal.setColor(QPalette::Window, window);
        pal.setColor(QPalette::Base, window);
        pal.setColor(QPalette::WindowText, text);
        pal.setColor(QPalette::Text, text);
        auto luminance = [](const QColor &c) {
            auto ch = [](double v) { v /= 255.0; return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * ch(c.red()) + 0.7152 * ch(c.green()) + 0.0722 * ch(c.blue());
        };
        QSet<QRgb> distinct;
        for (Group g : {Group::Ok, Group::Connecting, Group::Degraded, Group::Reconnecting, Group::Failed, Group::Paused}) {
            const QColor c = gw::StateStyle::color(g, pal);
            const double l1 = luminance(c), l2 = luminance(window);
            const double contrast = (std::max(l1, l2) + 0.05) / (std::min(l1, l2) + 0.05);
            QVERIFY2(contrast >= 3.0, qPrintable(QStringLiteral("%1 contrast %2").arg(gw::StateStyle::groupWord(g)).arg(contrast)));
            distinct.insert(c.rgb());
            QVERIFY(!gw::StateStyle::icon(g).isNull());
        }
        QCOMPARE(distinct.size(), 6);
    }

    void proxyFiltersByGroupAndTextAndSortsRaw()
    {
        AccountTableModel model;
        gw::AccountFilterProxyModel proxy;
        proxy.setSourceModel(&model);
        QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const struct { const char *id; const char *name; ConnectionState st; int latency; } rows[] = {
            {"1", "music", ConnectionState::Ready, 120},
            {"2", "mod", ConnectionState::Ready, 9},
            {"3", "stats", ConnectionState::Reconnecting, -1},
            {"4", "tickets", ConnectionState::Failed, -1},
            {"5", "logger", ConnectionState::Degraded, 1500},
        };
        for (const auto &r : rows) {
            AccountStatus s = status(QLatin1String(r.id), QLatin1String(r.name), r.st);
            if (r.latency >= 0)
                s.stats.lastLatency = std::chrono::milliseconds(r.latency);
            model.updateStatus(s);
        }
        model.flush();
        QCOMPARE(proxy.rowCount(), 5);
        proxy.setGroupFilter({Group::Ok});
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setGroupFilter({Group::Failed, Group::Reconnecting});
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setGroupFilter({});
        proxy.setTextFilter(QStringLiteral("MU"));
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setTextFilter(QString());

        // numeric sort on the raw value: 9 < 120 < 1500 (as text "1500" < "9")
        proxy.sort(AccountTableModel::LatencyColumn, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, 0).data(AccountTableModel::AccountIdRole).toString(), QStringLiteral("2"));
        QCOMPARE(proxy.index(1, 0).data(AccountTableModel::AccountIdRole).toString(), QStringLiteral("1"));
        QCOMPARE(proxy.index(2, 0).data(AccountTableModel::AccountIdRole).toString(), QStringLiteral("5"));
        // by health: worst first
        proxy.sort(AccountTableModel::StateColumn, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, 0).data(AccountTableModel::AccountIdRole).toString(), QStringLiteral("4"));

        // a state change moves a row in and out of a filtered view
        proxy.setGroupFilter({Group::Failed});
        QCOMPARE(proxy.rowCount(), 1);
        model.updateStatus(status(QStringLiteral("2"), QStringLiteral("mod"), ConnectionState::Failed));
        model.flush();
        QCOMPARE(proxy.rowCount(), 2);
        model.updateStatus(status(QStringLiteral("4"), QStringLiteral("tickets"), ConnectionState::Ready));
        model.flush();
        QCOMPARE(proxy.rowCount(), 1);
    }

    void coalescesToAtMostTenRepaintsASecond()
    {
        AccountTableModel model;
        QSignalSpy flushed(&model, &AccountTableModel::statusesFlushed);
        QElapsedTimer clock;
        clock.start();
        quint64 acks = 0;
        // ~100 accounts pushing snapshots for 600 ms, driven by a 1 ms timer
        QTimer feeder;
        feeder.setInterval(1ms);
        connect(&feeder, &QTimer::timeout, &model, [&] {
            for (int a = 0; a < 100; ++a) {
                AccountStatus s = status(QString::number(a), QStringLiteral("bot%1").arg(a), ConnectionState::Ready);
                s.stats.acksReceived = ++acks;
                model.updateStatus(s);
            }
        });
        feeder.start();
        QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= 600, 2000);
        feeder.stop();
        const qint64 elapsed = clock.elapsed();
        model.flush();
        QCOMPARE(model.rowCount(), 100);
        // 100 ms single-shot: at most one flush per 100 ms (+ the final explicit flush)
        QVERIFY2(flushed.size() <= elapsed / 100 + 2, qPrintable(QStringLiteral("%1 flushes in %2 ms").arg(flushed.size()).arg(elapsed)));
        QVERIFY(flushed.size() >= 2);
    }

    void disconnectHistoryInsertsAndUpdates()
    {
        gw::DisconnectHistoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        auto rec = [](qint64 id, int code, bool ended, gw::DisconnectRecord::Recovery how) {
            gw::DisconnectRecord r;
            r.id = id;
            r.start = QDateTime::currentDateTimeUtc().addSecs(-100 + id);
            r.closeCode = code;
            if (ended)
                r.end = r.start.addMSecs(1500);
            r.recoveredBy = how;
            r.eventsLost = how == gw::DisconnectRecord::Recovery::Identify;
            return r;
        };
        using R = gw::DisconnectRecord::Recovery;
        model.setRecords({rec(2, 4009, false, R::None), rec(1, 4000, true, R::Resume)});
        QCOMPARE(model.rowCount(), 2);
        const int resets = int(reset.size());
        inserted.clear();
        // the open one ends by IDENTIFY and a new one arrives: insert at the top + dataChanged
        model.setRecords({rec(3, 1006, false, R::None), rec(2, 4009, true, R::Identify), rec(1, 4000, true, R::Resume)});
        QCOMPARE(reset.size(), resets);
        QCOMPARE(inserted.size(), 1);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(model.index(1, gw::DisconnectHistoryModel::RecoveryColumn).data().toString().contains(QLatin1String("IDENTIFY")));
        QCOMPARE(model.index(1, gw::DisconnectHistoryModel::LostColumn).data().toString(), QStringLiteral("unknown (new session)"));
        QVERIFY(model.index(1, gw::DisconnectHistoryModel::CodeColumn).data().toString().startsWith(QLatin1String("4009")));
        QCOMPARE(model.index(2, gw::DisconnectHistoryModel::DowntimeColumn).data().toString(), QStringLiteral("1 s"));
        QCOMPARE(model.index(0, gw::DisconnectHistoryModel::DowntimeColumn).data().toString(), QStringLiteral("ongoing"));
    }
};

QTEST_MAIN(tst_UiModels)
#include "tst_uimodels.moc"
