// Lost-event accounting and close causes as the desktop shows them: the disconnect history
// (cause in words, "lost N" / "none lost" / "unknown (new session)", no warning icon for the
// closes Gatewatch made on purpose), the account table's Lost column, the event log (a close's
// wording is the row's message; an Info close has no icon) and the details pane (events received,
// rate, age of the last dispatch, events lost, the degraded reason). Every model runs under
// QAbstractItemModelTester.

#include "accounttablemodel.h"
#include "closecausestyle.h"
#include "detailspane.h"
#include "disconnecthistorymodel.h"
#include "eventlogmodel.h"
#include "eventlogsource.h"
#include "statestyle.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace std::chrono_literals;
using gw::AccountStatus;
using gw::CloseCause;
using gw::ConnectionState;
using gw::DisconnectHistoryModel;
using gw::DisconnectRecord;
using Recovery = gw::DisconnectRecord::Recovery;

namespace {

DisconnectRecord record(qint64 id, CloseCause cause, Recovery how, std::optional<qint64> lost)
{
    DisconnectRecord r;
    r.id = id;
    r.accountId = QStringLiteral("a");
    r.start = QDateTime::currentDateTimeUtc().addSecs(-600 + id);
    r.end = r.start.addMSecs(1200);
    r.cause = gw::closeCauseName(cause);
    r.recoveredBy = how;
    r.lost = lost;
    r.eventsLost = how == Recovery::Identify;
    if (how == Recovery::Resume) {
        r.missed = lost.value_or(0) + 12;
        r.replayed = 12;
    }
    return r;
}

QString text(const QAbstractItemModel &m, int row, int column, int role = Qt::DisplayRole)
{
    return m.index(row, column).data(role).toString();
}

bool hasIcon(const QAbstractItemModel &m, int row, int column)
{
    const QVariant v = m.index(row, column).data(Qt::DecorationRole);
    return v.isValid() && !v.value<QIcon>().isNull();
}

AccountStatus statusWith(quint64 live, quint64 replayed, quint64 lost, quint64 unknownGaps)
{
    AccountStatus s;
    s.accountId = QStringLiteral("a");
    s.accountName = QStringLiteral("alpha");
    s.state = ConnectionState::Ready;
    s.stateSince = QDateTime::currentDateTimeUtc();
    s.stats.liveDispatches = live;
    s.stats.replayedDispatches = replayed;
    s.stats.dispatches = live + replayed;
    s.stats.eventsLost = lost;
    s.stats.unknownGaps = unknownGaps;
    s.stats.dispatchesLastMinute = 42;
    s.stats.lastDispatchAt = QDateTime::currentDateTimeUtc().addMSecs(-3500);
    return s;
}

//! A history source with fixed records.
class FixedHistory final : public gw::HistorySource
{
public:
    QList<DisconnectRecord> records;

    QList<DisconnectRecord> disconnects(const QString &, const QDateTime &, const QDateTime &, int) override
    {
        return records;
    }
    QList<gw::LatencyPoint> latency(const QString &, const QDateTime &, const QDateTime &) override { return {}; }
    gw::UptimeReport uptime(const QString &, const QDateTime &, const QDateTime &) override { return {}; }
    gw::DowntimeSummary downtime(const QString &, const QDateTime &, const QDateTime &) override
    {
        gw::DowntimeSummary sum;
        sum.disconnects = int(records.size());
        return sum;
    }
};

} // namespace

class tst_LostEventsView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historyShowsEachCauseInWords_data()
    {
        QTest::addColumn<CloseCause>("cause");
        QTest::addColumn<QString>("words");
        QTest::addColumn<bool>("warningIcon");
        QTest::newRow("op7") << CloseCause::Op7 << QStringLiteral("gateway asked to reconnect (op 7)") << false;
        QTest::newRow("zombie") << CloseCause::Zombie << QStringLiteral("heartbeat not acknowledged (zombie)") << true;
        QTest::newRow("user_resume") << CloseCause::UserResume << QStringLiteral("you asked for a reconnect") << false;
        QTest::newRow("user_identify") << CloseCause::UserIdentify << QStringLiteral("you asked for a new session") << false;
        QTest::newRow("stopped") << CloseCause::Stopped << QStringLiteral("monitoring stopped") << false;
        QTest::newRow("server") << CloseCause::Server << QStringLiteral("closed by Discord") << true;
        QTest::newRow("invalid_session") << CloseCause::InvalidSession << QStringLiteral("session invalidated (op 9)") << true;
        QTest::newRow("hello_timeout") << CloseCause::HelloTimeout << QStringLiteral("no HELLO in time") << true;
        QTest::newRow("handshake_timeout") << CloseCause::HandshakeTimeout << QStringLiteral("handshake timed out") << true;
        QTest::newRow("oversized") << CloseCause::Oversized << QStringLiteral("message over the 16 MiB limit") << true;
        QTest::newRow("protocol") << CloseCause::Protocol << QStringLiteral("undecodable stream") << true;
        QTest::newRow("transport") << CloseCause::Transport << QStringLiteral("connection dropped") << true;
    }

    void historyShowsEachCauseInWords()
    {
        QFETCH(CloseCause, cause);
        QFETCH(QString, words);
        QFETCH(bool, warningIcon);
        DisconnectHistoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // a server close that did not recover by RESUME (IDENTIFY) is a warning
        model.setRecords({record(1, cause, Recovery::Identify, std::nullopt)});
        QCOMPARE(text(model, 0, DisconnectHistoryModel::CauseColumn), words);
        QCOMPARE(text(model, 0, DisconnectHistoryModel::CauseColumn, DisconnectHistoryModel::RawValueRole),
                 gw::closeCauseName(cause));
        QCOMPARE(hasIcon(model, 0, DisconnectHistoryModel::CauseColumn), warningIcon);
        QCOMPARE(model.index(0, 0).data(DisconnectHistoryModel::SeverityRole).toInt(),
                 int(warningIcon ? gw::Severity::Warning : gw::Severity::Info));
        if (!warningIcon)
            QCOMPARE(text(model, 0, DisconnectHistoryModel::CauseColumn, Qt::ToolTipRole),
                     QStringLiteral("Gatewatch closed this connection on purpose"));
    }

    void historyShowsLostEvents()
    {
        DisconnectHistoryModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        DisconnectRecord fatal = record(5, CloseCause::Server, Recovery::None, std::nullopt);
        fatal.fatal = true;
        DisconnectRecord open = record(4, CloseCause::Transport, Recovery::None, std::nullopt);
        open.end.reset();
        DisconnectRecord zombie = record(3, CloseCause::Zombie, Recovery::Resume, 6413);
        zombie.closeCode = 4000;
        zombie.initiator = QStringLiteral("client");
        zombie.meaning = QStringLiteral("Discord reported an unknown error");
        model.setRecords({fatal, open, zombie,
                          record(2, CloseCause::Op7, Recovery::Resume, 0),
                          record(1, CloseCause::UserIdentify, Recovery::Identify, std::nullopt)});
        const int lost = DisconnectHistoryModel::LostColumn;
        QCOMPARE(text(model, 0, lost), QStringLiteral("—"));
        QVERIFY(hasIcon(model, 0, DisconnectHistoryModel::CauseColumn));   // fatal: the failed icon
        QCOMPARE(model.index(0, 0).data(DisconnectHistoryModel::SeverityRole).toInt(), int(gw::Severity::Error));
        QCOMPARE(text(model, 1, lost), QStringLiteral("—"));    // still open: nothing known yet
        QCOMPARE(text(model, 2, lost), QStringLiteral("lost %1").arg(QLocale().toString(6413)));
        QCOMPARE(text(model, 2, lost, Qt::ToolTipRole),
                 QStringLiteral("%1 events were sent while disconnected, 12 replayed").arg(QLocale().toString(6425)));
        QCOMPARE(model.index(2, lost).data(DisconnectHistoryModel::RawValueRole).toLongLong(), 6413);
        // a code Gatewatch sent is not explained with Discord's meaning; no frame at all is said so
        QCOMPARE(text(model, 2, DisconnectHistoryModel::CodeColumn), QStringLiteral("4000 · sent by Gatewatch"));
        QCOMPARE(text(model, 1, DisconnectHistoryModel::CodeColumn), QStringLiteral("no close frame"));
        QCOMPARE(text(model, 3, lost), QStringLiteral("none lost"));
        QVERIFY(!model.index(3, lost).data(Qt::ForegroundRole).isValid());
        QVERIFY(!hasIcon(model, 3, DisconnectHistoryModel::CauseColumn));  // op 7: information
        QCOMPARE(text(model, 4, lost), QStringLiteral("unknown (new session)"));
        QVERIFY(model.index(4, lost).data(Qt::ForegroundRole).isValid());
        QCOMPARE(text(model, 4, DisconnectHistoryModel::RecoveryColumn), QStringLiteral("IDENTIFY (new session)"));

        // the open disconnect recovers by RESUME with 7 lost: one dataChanged, no reset
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        DisconnectRecord recovered = open;
        recovered.end = open.start.addSecs(2);
        recovered.recoveredBy = Recovery::Resume;
        recovered.lost = 7;
        recovered.missed = 9;
        recovered.replayed = 2;
        QList<DisconnectRecord> next = model.records();
        next[1] = recovered;
        model.setRecords(next);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(text(model, 1, lost), QStringLiteral("lost 7"));
        QVERIFY(hasIcon(model, 1, DisconnectHistoryModel::CauseColumn));   // a dropped connection: warning
        // a server close recovered by RESUME is information, not a warning
        DisconnectRecord server = record(9, CloseCause::Server, Recovery::Resume, 0);
        server.closeCode = 4000;
        QCOMPARE(gw::CloseCauseStyle::severity(server), gw::Severity::Info);
        server.recoveredBy = Recovery::Identify;
        QCOMPARE(gw::CloseCauseStyle::severity(server), gw::Severity::Warning);
        server.cause.clear();   // a row written before causes were recorded
        QCOMPARE(gw::CloseCauseStyle::severity(server), gw::Severity::Warning);
        QCOMPARE(gw::CloseCauseStyle::text(QStringLiteral("no_such_cause")), QStringLiteral("—"));
    }

    void accountTableLostColumn()
    {
        gw::AccountTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const int lost = gw::AccountTableModel::LostColumn;
        QCOMPARE(model.headerData(lost, Qt::Horizontal).toString(), QStringLiteral("Lost\nevents"));
        AccountStatus s = statusWith(100, 0, 0, 0);
        s.session = gw::SessionInfo{};
        model.updateStatus(s);
        model.flush();
        QCOMPARE(text(model, 0, lost), QStringLiteral("0"));
        QVERIFY(!model.index(0, lost).data(Qt::ForegroundRole).isValid());
        s.stats.eventsLost = 6413;
        model.updateStatus(s);
        model.flush();
        QCOMPARE(text(model, 0, lost), QLocale().toString(6413));
        QCOMPARE(text(model, 0, lost, Qt::ToolTipRole), QStringLiteral("%1 events lost").arg(QLocale().toString(6413)));
        QVERIFY(model.index(0, lost).data(Qt::ForegroundRole).isValid());
        s.stats.unknownGaps = 2;
        model.updateStatus(s);
        model.flush();
        QCOMPARE(text(model, 0, lost), QLocale().toString(6413) + QStringLiteral(" +2?"));
        QVERIFY(text(model, 0, lost, Qt::ToolTipRole).endsWith(QLatin1String("\nNew sessions (events in the gap lost, number unknown): 2")));
        QCOMPARE(model.index(0, lost).data(gw::AccountTableModel::RawValueRole).toLongLong(), 6414);
    }

    void eventLogShowsTheCloseMessageAndNoIconForInfo()
    {
        gw::EventLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto close = [](const QString &message, gw::Severity severity) {
            gw::EventLogEntry e;
            e.at = QDateTime::currentDateTimeUtc();
            e.accountId = QStringLiteral("a");
            e.accountName = QStringLiteral("alpha");
            e.kind = gw::EventKind::Close;
            e.severity = severity;
            e.message = message;
            return e;
        };
        const QString deliberate = QStringLiteral("closed by Gatewatch: gateway asked to reconnect (op 7) · session kept resumable");
        const QString dropped = QStringLiteral("connection dropped without a close frame");
        model.appendLive(close(deliberate, gw::Severity::Info));
        model.appendLive(close(dropped, gw::Severity::Warning));
        model.flushLive();
        QCOMPARE(model.rowCount(), 2);
        const int msg = gw::EventLogModel::MessageColumn, sev = gw::EventLogModel::SeverityColumn;
        QCOMPARE(text(model, 1, msg), deliberate);   // newest first: the op 7 close is row 1
        QCOMPARE(text(model, 1, sev), QStringLiteral("Info"));
        QVERIFY(!hasIcon(model, 1, sev));
        QVERIFY(!model.index(1, sev).data(Qt::ForegroundRole).isValid());
        QCOMPARE(text(model, 0, msg), dropped);
        QVERIFY(hasIcon(model, 0, sev));
    }

    // A REST request waiting on a rate limit is said on the phase line while the wait lasts.
    void detailsPaneShowsRestRateLimit()
    {
        gw::DetailsPane pane;
        pane.resize(700, 900);
        pane.show();
        pane.setAccount(QStringLiteral("a"));
        AccountStatus s = statusWith(0, 0, 0, 0);
        s.state = ConnectionState::Connecting;
        s.restLimitedUntil = QDateTime::currentDateTimeUtc().addSecs(30);
        s.restLimit = QStringLiteral("GET /gateway/bot, global limit");
        pane.updateStatus(s);
        const QString phase = pane.findChild<QLabel *>(QStringLiteral("sessionPhase"))->text();
        QVERIFY2(phase.contains(QLatin1String("waiting on a REST rate limit (GET /gateway/bot, global limit) for ")), qPrintable(phase));
        s.restLimitedUntil = QDateTime::currentDateTimeUtc().addSecs(-1);  // over: not shown any more
        pane.updateStatus(s);
        QVERIFY(!pane.findChild<QLabel *>(QStringLiteral("sessionPhase"))->text().contains(QLatin1String("REST")));
    }

    void detailsPaneShowsEventCounters()
    {
        gw::DetailsPane pane;
        FixedHistory history;
        history.records = {record(2, CloseCause::Zombie, Recovery::Resume, 6413),
                           record(1, CloseCause::Op7, Recovery::Resume, 0)};
        pane.setHistorySource(&history);
        pane.resize(700, 900);
        pane.show();
        pane.setAccount(QStringLiteral("a"));
        pane.updateStatus(statusWith(20006, 5000, 6413, 1));
        const QLocale l;
        auto label = [&pane](const char *name) { return pane.findChild<QLabel *>(QLatin1String(name))->text(); };
        QCOMPARE(label("eventsReceived"), QStringLiteral("%1 (%2 live, %3 replayed)")
                                              .arg(l.toString(25006), l.toString(20006), l.toString(5000)));
        QCOMPARE(label("eventsRate"), QStringLiteral("42 events"));
        QCOMPARE(label("eventsLastEvent"), QStringLiteral("3 s ago"));
        QCOMPARE(label("eventsLost"), QStringLiteral("%1 events · 1 unknown (new session)").arg(l.toString(6413)));
        QVERIFY(!label("sessionPhase").contains(QLatin1String("ACK late")));

        AccountStatus clean = statusWith(10, 0, 0, 0);
        clean.state = ConnectionState::Degraded;
        clean.stats.degradedReason = QStringLiteral("heartbeat ACK late, data still flowing");
        pane.updateStatus(clean);
        QCOMPARE(label("eventsLost"), QStringLiteral("none"));
        clean.stats.unknownGaps = 2;
        pane.updateStatus(clean);
        QCOMPARE(label("eventsLost"), QStringLiteral("none known · 2 unknown (new session)"));
        QVERIFY2(label("sessionPhase").endsWith(QStringLiteral(" · heartbeat ACK late, data still flowing")),
                 qPrintable(label("sessionPhase")));

        auto *view = pane.findChild<QTableView *>(QStringLiteral("disconnectHistoryView"));
        QVERIFY(view);
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view->model()->rowCount(), 2);
        QCOMPARE(text(*view->model(), 0, DisconnectHistoryModel::LostColumn),
                 QStringLiteral("lost %1").arg(l.toString(6413)));
        QCOMPARE(text(*view->model(), 1, DisconnectHistoryModel::CauseColumn),
                 QStringLiteral("gateway asked to reconnect (op 7)"));
        QVERIFY(!view->isColumnHidden(DisconnectHistoryModel::LostColumn));
    }
};

QTEST_MAIN(tst_LostEventsView)
#include "tst_losteventsview.moc"
