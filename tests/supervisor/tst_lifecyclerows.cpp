// The event rows and status of the lost-event accounting (docs/lifecycle.md, "Event log"): what
// AccountSupervisor writes for a sequence gap, a RESUMED with or without a shortfall, a READY
// after a replaced session and a close of every cause, and the status counters while dispatches
// flow. The wording and severity cases drive the supervisor through its client's signals (the
// client's own tests prove when it emits them); the rest runs against the simulator.

#include "supervisorharness.h"
#include "testenvironment.h"

#include "closecode.h"

#include <QDateTime>
#include <QStandardPaths>
#include <QTest>

using namespace std::chrono_literals;
using gw::CloseCause;
using gw::EventKind;
using gw::Severity;

namespace {

gw::Severity rowSeverity(gw::CloseSeverity severity)
{
    switch (severity) {
    case gw::CloseSeverity::Info: return Severity::Info;
    case gw::CloseSeverity::Warning: return Severity::Warning;
    case gw::CloseSeverity::Error: return Severity::Error;
    }
    return Severity::Debug;
}

QDateTime utc(int h, int m, int s)
{
    return QDateTime(QDate(2026, 12, 3), QTime(h, m, s), Qt::UTC);
}

gw::SessionInfo session()
{
    gw::SessionInfo s;
    s.sessionId = QStringLiteral("0123456789abcdef");
    s.userName = QStringLiteral("alpha");
    s.guildCount = 2;
    return s;
}

gw::CloseInfo closeOf(CloseCause cause, std::optional<int> code, bool kept, gw::CloseInitiator initiator)
{
    gw::CloseInfo info;
    info.cause = cause;
    info.code = code;
    info.sessionKept = kept;
    info.initiator = initiator;
    info.action = gw::CloseCodes::actionFor(code);
    info.wasReady = true;
    info.at = QDateTime::currentDateTimeUtc();
    return info;
}

//! The rows of `kind` the harness recorded.
QList<gw::EventLogEntry> rows(const SupervisorHarness &h, EventKind kind)
{
    QList<gw::EventLogEntry> out;
    for (const gw::EventLogEntry &e : h.events) {
        if (e.kind == kind)
            out.append(e);
    }
    return out;
}

} // namespace

class tst_LifecycleRows final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        gwtest::prepareTestEnvironment();
    }

    void seqGapRow()
    {
        SupervisorHarness h;
        h.make();
        Q_EMIT h.supervisor->client()->sequenceGap(42, 44);
        const auto gaps = rows(h, EventKind::SeqGap);
        QCOMPARE(gaps.size(), 1);
        const gw::EventLogEntry &row = gaps.first();
        QCOMPARE(gw::eventKindName(row.kind), QStringLiteral("seq_gap"));
        QCOMPARE(row.severity, Severity::Warning);
        QCOMPARE(row.message, QStringLiteral("2 events missing: sequence jumped from 41 to 44"));
        QCOMPARE(row.fields.value(QLatin1String("expected")).toInteger(), 42);
        QCOMPARE(row.fields.value(QLatin1String("got")).toInteger(), 44);
        QCOMPARE(row.fields.value(QLatin1String("lost")).toInteger(), 2);
        QCOMPARE(row.accountId, QStringLiteral("acc-alpha"));
    }

    //! The simulator skips two sequence numbers on a live dispatch: one seq_gap row, 2 lost,
    //! and the status counts them.
    void seqGapRowFromTheSimulator()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        gw::SimFault skip = h.fault(gw::SimFault::Kind::SkipSequence);
        skip.count = 2;
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), skip));
        const qint64 last = h.supervisor->client()->stats().lastSequence;
        h.sim.dispatch(QLatin1String(SupervisorHarness::Bot), QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
        QTRY_COMPARE_WITH_TIMEOUT(rows(h, EventKind::SeqGap).size(), 1, 5000);
        const gw::EventLogEntry row = rows(h, EventKind::SeqGap).first();
        QCOMPARE(row.fields.value(QLatin1String("expected")).toInteger(), last + 1);
        QCOMPARE(row.fields.value(QLatin1String("got")).toInteger(), last + 3);
        QCOMPARE(row.fields.value(QLatin1String("lost")).toInteger(), 2);
        QCOMPARE(row.message, QStringLiteral("2 events missing: sequence jumped from %1 to %2").arg(last).arg(last + 3));
        QTRY_COMPARE(h.statuses.constLast().stats.eventsLost, quint64(2));
        h.supervisor->stop();
    }

    void resumedRow_data()
    {
        QTest::addColumn<int>("replayed");
        QTest::addColumn<qint64>("before");
        QTest::addColumn<qint64>("after");
        QTest::addColumn<qint64>("missed");
        QTest::addColumn<qint64>("lost");
        QTest::addColumn<QString>("message");
        QTest::addColumn<Severity>("severity");
        QTest::newRow("shortfall") << 5000 << qint64(8592) << qint64(20006) << qint64(11413) << qint64(6413)
                                   << QStringLiteral("RESUMED: 5000 of 11413 missed events replayed, 6413 lost (seq 8592 → 20006)")
                                   << Severity::Warning;
        QTest::newRow("none lost") << 12 << qint64(100) << qint64(113) << qint64(12) << qint64(0)
                                   << QStringLiteral("RESUMED: 12 events replayed, none lost (seq 100 → 113)")
                                   << Severity::Info;
        QTest::newRow("nothing missed") << 0 << qint64(7) << qint64(8) << qint64(0) << qint64(0)
                                        << QStringLiteral("RESUMED: 0 events replayed, none lost (seq 7 → 8)")
                                        << Severity::Info;
        QTest::newRow("missed unknown") << 3 << qint64(50) << qint64(-1) << qint64(-1) << qint64(2)
                                        << QStringLiteral("RESUMED: 3 events replayed, 2 lost (seq 50 → ?)")
                                        << Severity::Warning;
    }

    void resumedRow()
    {
        QFETCH(int, replayed);
        QFETCH(qint64, before);
        QFETCH(qint64, after);
        QFETCH(qint64, missed);
        QFETCH(qint64, lost);
        QFETCH(QString, message);
        QFETCH(Severity, severity);
        SupervisorHarness h;
        h.make();
        gw::ResumeOutcome outcome;
        outcome.replayed = replayed;
        outcome.sequenceBefore = before;
        outcome.sequenceAfter = after;
        outcome.missed = missed;
        outcome.lost = lost;
        Q_EMIT h.supervisor->client()->resumed(outcome);
        const auto resumed = rows(h, EventKind::Resumed);
        QCOMPARE(resumed.size(), 1);
        const gw::EventLogEntry &row = resumed.first();
        QCOMPARE(row.message, message);
        QCOMPARE(row.severity, severity);
        const QJsonObject &f = row.fields;
        QCOMPARE(f.value(QLatin1String("replayed")).toInteger(), replayed);
        QCOMPARE(f.value(QLatin1String("seq_before")).toInteger(), before);
        QCOMPARE(f.value(QLatin1String("seq_after")).toInteger(), after);
        QCOMPARE(f.value(QLatin1String("lost")).toInteger(), lost);
        if (missed >= 0)
            QCOMPARE(f.value(QLatin1String("missed")).toInteger(), missed);
        else
            QVERIFY(f.value(QLatin1String("missed")).isNull());   // unknown, not a count
        QCOMPARE(h.supervisor->status().resumes, 1);
    }

    void readyAfterReplacedSession()
    {
        SupervisorHarness h;
        h.make();
        gw::GatewayClient *client = h.supervisor->client();
        Q_EMIT client->sessionReplaced(utc(10, 41, 7), utc(10, 41, 19));
        Q_EMIT client->ready(session());
        Q_EMIT client->ready(session());   // a later READY without a replaced session: no gap
        const auto ready = rows(h, EventKind::Ready);
        QCOMPARE(ready.size(), 2);
        const gw::EventLogEntry &gap = ready.at(0);
        QCOMPARE(gap.severity, Severity::Warning);
        QVERIFY2(gap.message.endsWith(QLatin1String("events between 10:41:07 and 10:41:19 were not delivered")),
                 qPrintable(gap.message));
        QVERIFY2(gap.message.startsWith(QLatin1String("READY as alpha")), qPrintable(gap.message));
        QCOMPARE(gap.fields.value(QLatin1String("gap_ms")).toInteger(), 12000);
        QCOMPARE(gap.fields.value(QLatin1String("gap_from")).toString(), QStringLiteral("2026-12-03T10:41:07.000Z"));
        QCOMPARE(gap.fields.value(QLatin1String("gap_to")).toString(), QStringLiteral("2026-12-03T10:41:19.000Z"));
        const gw::EventLogEntry &plain = ready.at(1);
        QCOMPARE(plain.severity, Severity::Info);
        QVERIFY(!plain.fields.contains(QLatin1String("gap_ms")));
        QVERIFY(!plain.message.contains(QLatin1String("not delivered")));
    }

    void closeRow_data()
    {
        using I = gw::CloseInitiator;
        QTest::addColumn<gw::CloseInfo>("info");
        QTest::addColumn<QString>("cause");
        QTest::addColumn<Severity>("severity");
        // Closes Gatewatch made on purpose are info: never a warning for op 7, F5 or Shift+F5.
        QTest::newRow("op7") << closeOf(CloseCause::Op7, 4000, true, I::Client) << QStringLiteral("op7") << Severity::Info;
        QTest::newRow("user_resume") << closeOf(CloseCause::UserResume, 4000, true, I::Client)
                                     << QStringLiteral("user_resume") << Severity::Info;
        QTest::newRow("user_identify") << closeOf(CloseCause::UserIdentify, 4000, false, I::Client)
                                       << QStringLiteral("user_identify") << Severity::Info;
        QTest::newRow("stopped") << closeOf(CloseCause::Stopped, 1000, false, I::Client) << QStringLiteral("stopped")
                                 << Severity::Info;
        QTest::newRow("zombie") << closeOf(CloseCause::Zombie, 4000, true, I::Client) << QStringLiteral("zombie")
                                << Severity::Warning;
        QTest::newRow("hello_timeout") << closeOf(CloseCause::HelloTimeout, 4000, true, I::Client)
                                       << QStringLiteral("hello_timeout") << Severity::Warning;
        QTest::newRow("transport") << closeOf(CloseCause::Transport, std::nullopt, true, I::Transport)
                                   << QStringLiteral("transport") << Severity::Warning;
        QTest::newRow("oversized") << closeOf(CloseCause::Oversized, 1009, true, I::Client)
                                   << QStringLiteral("oversized") << Severity::Warning;
        QTest::newRow("protocol") << closeOf(CloseCause::Protocol, 4000, true, I::Client)
                                  << QStringLiteral("protocol") << Severity::Warning;
        QTest::newRow("server 4009") << closeOf(CloseCause::Server, 4009, false, I::Server)
                                     << QStringLiteral("server") << Severity::Warning;
        QTest::newRow("server 4004 fatal") << closeOf(CloseCause::Server, 4004, false, I::Server)
                                           << QStringLiteral("server") << Severity::Error;
    }

    //! The row's message is closeSummary(), its severity closeSeverity(), and it carries the
    //! cause and whether the session was kept.
    void closeRow()
    {
        QFETCH(gw::CloseInfo, info);
        QFETCH(QString, cause);
        QFETCH(Severity, severity);
        SupervisorHarness h;
        h.make();
        Q_EMIT h.supervisor->client()->socketClosed(info);
        const auto closes = rows(h, EventKind::Close);
        QCOMPARE(closes.size(), 1);
        const gw::EventLogEntry &row = closes.first();
        QCOMPARE(row.message, gw::closeSummary(info));
        QCOMPARE(row.severity, rowSeverity(gw::closeSeverity(info)));
        QCOMPARE(row.severity, severity);
        QCOMPARE(row.fields.value(QLatin1String("cause")).toString(), cause);
        QCOMPARE(row.fields.value(QLatin1String("session_kept")).toBool(), info.sessionKept);
        QVERIFY(row.fields.contains(QLatin1String("code")));
        QVERIFY(!row.fields.value(QLatin1String("meaning")).toString().isEmpty());
        QCOMPARE(h.supervisor->status().disconnects, 1);
    }

    void closeRowWording()
    {
        QCOMPARE(gw::closeSummary(closeOf(CloseCause::Op7, 4000, true, gw::CloseInitiator::Client)),
                 QStringLiteral("closed by Gatewatch: gateway asked to reconnect (op 7) · session kept resumable"));
        QCOMPARE(gw::closeSummary(closeOf(CloseCause::Transport, std::nullopt, true, gw::CloseInitiator::Transport)),
                 QStringLiteral("connection dropped without a close frame"));
        QCOMPARE(gw::closeSummary(closeOf(CloseCause::Server, 4009, false, gw::CloseInitiator::Server)),
                 QStringLiteral("4009 · session timed out (Discord)"));
    }

    //! A user's F5 / Shift+F5 and the gateway's op 7 against the simulator: each close row is
    //! info with its cause.
    void closeRowsOfDeliberateReconnects()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        h.supervisor->forceReconnect(gw::ReconnectMode::Resume);
        QTRY_COMPARE_WITH_TIMEOUT(rows(h, EventKind::Resumed).size(), 1, 5000);
        WAIT_RUNNING(h);
        h.supervisor->forceReconnect(gw::ReconnectMode::FreshIdentify);
        QTRY_COMPARE_WITH_TIMEOUT(rows(h, EventKind::Ready).size(), 2, 5000);
        WAIT_RUNNING(h);
        QVERIFY(h.sim.injectFault(QLatin1String(SupervisorHarness::Bot), h.fault(gw::SimFault::Kind::Reconnect)));
        QTRY_COMPARE_WITH_TIMEOUT(rows(h, EventKind::Resumed).size(), 2, 5000);
        const auto closes = rows(h, EventKind::Close);
        QCOMPARE(closes.size(), 3);
        const QStringList causes{QStringLiteral("user_resume"), QStringLiteral("user_identify"), QStringLiteral("op7")};
        for (qsizetype i = 0; i < closes.size(); ++i) {
            const gw::EventLogEntry &row = closes.at(i);
            QCOMPARE(row.fields.value(QLatin1String("cause")).toString(), causes.at(i));
            QVERIFY2(row.severity == Severity::Info, qPrintable(row.message));
        }
        QVERIFY(closes.at(0).fields.value(QLatin1String("session_kept")).toBool());
        QVERIFY(!closes.at(1).fields.value(QLatin1String("session_kept")).toBool());
        h.supervisor->stop();
    }

    //! While dispatches flow the status carries the client's counters within statsRefresh,
    //! even when no heartbeat ACK or state change would refresh it.
    void statusCarriesDispatchCountersWhileDispatchesFlow()
    {
        SupervisorHarness h;
        QVERIFY(h.startSim());
        h.sim.setHeartbeatInterval(20s);   // no ACK refreshes the status during the test
        h.make();
        h.supervisor->start();
        WAIT_RUNNING(h);
        const quint64 before = h.supervisor->client()->stats().dispatches;
        const qsizetype statuses = h.statuses.size();
        for (int i = 0; i < 10; ++i)
            h.sim.dispatch(QLatin1String(SupervisorHarness::Bot), QStringLiteral("MESSAGE_CREATE"), QByteArrayLiteral("{}"));
        QTRY_VERIFY_WITH_TIMEOUT(h.statuses.size() > statuses
                                     && h.statuses.constLast().stats.dispatches == before + 10,
                                 3000);
        const gw::GatewayStats &stats = h.statuses.constLast().stats;
        QCOMPARE(stats.liveDispatches + stats.replayedDispatches, stats.dispatches);
        QVERIFY(stats.lastDispatchAt.isValid());
        QVERIFY(stats.dispatchesLastMinute >= 10);
        // About one refresh for the burst, not one per dispatch.
        QVERIFY(h.statuses.size() - statuses <= 3);
        h.supervisor->stop();
        QVERIFY(!h.supervisor->hasActiveTimers());
    }
};

QTEST_GUILESS_MAIN(tst_LifecycleRows)
#include "tst_lifecyclerows.moc"
