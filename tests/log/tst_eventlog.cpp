// The event store — insert, query, paging, filters, redaction, derived disconnect
// history, heartbeat aggregation, retention that keeps aggregates, and the schema migration path.

#include "eventlog.h"
#include "eventlogschema_p.h"
#include "eventquery.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

QDateTime minutes(int m)
{
    return k_t0.addSecs(qint64(m) * 60);
}

EventLogEntry entry(const QDateTime &at, const QString &account, EventKind kind, const QString &message,
                    QJsonObject fields = {}, Severity severity = Severity::Info)
{
    EventLogEntry e;
    e.at = at;
    e.accountId = account;
    e.accountName = QStringLiteral("bot-") + account;
    e.kind = kind;
    e.severity = severity;
    e.message = message;
    e.fields = std::move(fields);
    return e;
}

EventLogOptions manualOptions()
{
    EventLogOptions o;
    o.commitRows = 1'000'000;
    o.commitInterval = 3'600'000ms;
    o.maintenanceInterval = 0ms;
    o.retentionDays = 0;
    return o;
}

} // namespace

class tst_EventLog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_path = m_dir->filePath(QStringLiteral("events.sqlite"));
    }

    void insertAndQuery();
    void commitsByRowCount();
    void commitsByTimer();
    void reopenContinuesIds();
    void paging();
    void filters_data();
    void filters();
    void redactor();
    void disconnectHistory();
    void disconnectLostEvents();
    void migratesVersionOneFile();
    void heartbeatAggregation();
    void retentionKeepsAggregates();
    void migrationPath();
    void migrationFailureKeepsVersion();
    void schemaTooNewIsRefused();
    void queryNeedsExistingLog();
    void createsMissingDirectory();

private:
    void populateForFilters(EventLog &log);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
};

void tst_EventLog::insertAndQuery()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    QCOMPARE(log.schemaVersion(), eventlogschema::k_currentVersion);
    QSignalSpy committed(&log, &EventLog::batchCommitted);

    const QJsonObject closeFields{{QStringLiteral("code"), 4000},
                                  {QStringLiteral("meaning"), QStringLiteral("unknown error")},
                                  {QStringLiteral("nested"), QJsonObject{{QStringLiteral("a"), QJsonArray{1, 2}}}}};
    const qint64 id1 = log.append(entry(minutes(1), QStringLiteral("a"), EventKind::Hello, QStringLiteral("HELLO")));
    const qint64 id2 = log.append(entry(minutes(2), QStringLiteral("a"), EventKind::Close,
                                        QStringLiteral("closed, 4000 \"unknown\""), closeFields, Severity::Warning));
    const qint64 id3 = log.append(entry(minutes(3), QStringLiteral("b"), EventKind::Ready, QStringLiteral("READY é ✓")));
    QCOMPARE(id1, 1);
    QCOMPARE(id2, 2);
    QCOMPARE(id3, 3);
    QCOMPARE(log.pendingCount(), 3);
    QCOMPARE(committed.count(), 0);

    const auto flushed = log.flush();
    QVERIFY(flushed);
    QCOMPARE(flushed.value(), 3);
    QCOMPARE(committed.count(), 1);
    QCOMPARE(committed.at(0).at(0).toLongLong(), id3);
    QCOMPARE(committed.at(0).at(1).toInt(), 3);
    QCOMPARE(log.lastCommittedId(), id3);

    EventQuery query(m_path);
    QVERIFY(query.open());
    QCOMPARE(query.count({}).value(), 3);
    const auto rows = query.page({}, 0, 10);
    QVERIFY(rows);
    QCOMPARE(rows->size(), 3);
    QCOMPARE(rows->at(0).id, id3);   // newest first
    QCOMPARE(rows->at(0).message, QStringLiteral("READY é ✓"));
    QCOMPARE(rows->at(0).accountId, QStringLiteral("b"));
    QCOMPARE(rows->at(0).accountName, QStringLiteral("bot-b"));
    const EventLogEntry &close = rows->at(1);
    QCOMPARE(close.id, id2);
    QCOMPARE(close.at, minutes(2));
    QCOMPARE(close.kind, EventKind::Close);
    QCOMPARE(close.severity, Severity::Warning);
    QCOMPARE(close.fields, closeFields);
    QVERIFY(rows->at(2).fields.isEmpty());

    const auto accounts = query.accounts();
    QVERIFY(accounts);
    QCOMPARE(accounts->size(), 2);
    QCOMPARE(accounts->at(0).name, QStringLiteral("bot-a"));
}

void tst_EventLog::commitsByRowCount()
{
    EventLogOptions o = manualOptions();
    o.commitRows = 10;
    EventLog log(m_path, o);
    QVERIFY(log.open());
    QSignalSpy committed(&log, &EventLog::batchCommitted);
    for (int i = 0; i < 25; ++i)
        log.append(entry(minutes(i), QStringLiteral("a"), EventKind::Hello, QStringLiteral("hello")));
    QCOMPARE(committed.count(), 2);
    QCOMPARE(committed.at(1).at(0).toLongLong(), 20);
    QCOMPARE(log.pendingCount(), 5);
    QVERIFY(log.flush());
    QCOMPARE(committed.count(), 3);
    QCOMPARE(committed.at(2).at(1).toInt(), 5);
}

void tst_EventLog::commitsByTimer()
{
    EventLogOptions o = manualOptions();
    o.commitInterval = 20ms;
    EventLog log(m_path, o);
    QVERIFY(log.open());
    QSignalSpy committed(&log, &EventLog::batchCommitted);
    log.append(entry(minutes(0), QStringLiteral("a"), EventKind::Hello, QStringLiteral("one")));
    log.append(entry(minutes(1), QStringLiteral("a"), EventKind::Hello, QStringLiteral("two")));
    QCOMPARE(committed.count(), 0);
    QVERIFY(committed.wait(2000));
    QCOMPARE(committed.at(0).at(1).toInt(), 2);
    QCOMPARE(log.pendingCount(), 0);
}

void tst_EventLog::reopenContinuesIds()
{
    {
        EventLog log(m_path, manualOptions());
        QVERIFY(log.open());
        log.append(entry(minutes(0), QStringLiteral("a"), EventKind::Hello, QStringLiteral("one")));
        log.append(entry(minutes(1), QStringLiteral("a"), EventKind::Hello, QStringLiteral("two")));
        // No flush: the destructor commits.
    }
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    QCOMPARE(log.lastCommittedId(), 2);
    QCOMPARE(log.append(entry(minutes(2), QStringLiteral("a"), EventKind::Hello, QStringLiteral("three"))), 3);
}

void tst_EventLog::paging()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    // 1,000 rows over 3 accounts; every 7th row shares its timestamp with the previous one so the
    // id tie-breaker matters.
    QDateTime at = k_t0;
    for (int i = 0; i < 1000; ++i) {
        if (i % 7 != 0)
            at = at.addMSecs(250);
        log.append(entry(at, QString::number(i % 3), EventKind::Hello, QStringLiteral("row %1").arg(i)));
    }
    QVERIFY(log.flush());
    EventQuery query(m_path);
    QVERIFY(query.open());
    QCOMPARE(query.count({}).value(), 1000);

    // Offset pages and keyset pages see the same sequence, newest first, each row once.
    QList<qint64> byOffset;
    for (qint64 offset = 0; offset < 1000; offset += 64) {
        const auto rows = query.page({}, offset, 64);
        QVERIFY(rows);
        for (const EventLogEntry &e : *rows)
            byOffset << e.id;
    }
    QList<qint64> byKeyset;
    auto rows = query.page({}, 0, 64);
    QVERIFY(rows);
    while (!rows->isEmpty()) {
        for (const EventLogEntry &e : *rows)
            byKeyset << e.id;
        rows = query.pageBefore({}, EventCursor::of(rows->last()), 64);
        QVERIFY(rows);
    }
    QCOMPARE(byOffset.size(), 1000);
    QCOMPARE(byKeyset, byOffset);
    QCOMPARE(byOffset.first(), 1000);
    QCOMPARE(byOffset.last(), 1);

    // Live tail: what is newer than a cursor.
    const auto top = query.page({}, 0, 1);
    log.append(entry(at.addSecs(1), QStringLiteral("0"), EventKind::Hello, QStringLiteral("new 1")));
    log.append(entry(at.addSecs(2), QStringLiteral("0"), EventKind::Hello, QStringLiteral("new 2")));
    QVERIFY(log.flush());
    const auto tail = query.pageAfter({}, EventCursor::of(top->first()), 10);
    QVERIFY(tail);
    QCOMPARE(tail->size(), 2);
    QCOMPARE(tail->at(0).message, QStringLiteral("new 2"));

    // Filtered keyset paging walks only matching rows.
    EventFilter onlyOne;
    onlyOne.accountIds = {QStringLiteral("1")};
    QList<qint64> filtered;
    rows = query.page(onlyOne, 0, 50);
    while (!rows->isEmpty()) {
        for (const EventLogEntry &e : *rows) {
            QCOMPARE(e.accountId, QStringLiteral("1"));
            filtered << e.id;
        }
        rows = query.pageBefore(onlyOne, EventCursor::of(rows->last()), 50);
    }
    QCOMPARE(filtered.size(), 333);
}

void tst_EventLog::populateForFilters(EventLog &log)
{
    // 60 events: minute i, account i % 3, kind cycles hello/close/state/error, severity i % 4.
    const QList<EventKind> kinds{EventKind::Hello, EventKind::Close, EventKind::State, EventKind::Error};
    const QList<Severity> severities{Severity::Debug, Severity::Info, Severity::Warning, Severity::Error};
    for (int i = 0; i < 60; ++i) {
        const QString message = i % 10 == 0 ? QStringLiteral("Zombie 100% detected_%1").arg(i)
                                            : QStringLiteral("event %1").arg(i);
        log.append(entry(minutes(i), QStringLiteral("acc%1").arg(i % 3), kinds.at(i % 4), message, {},
                         severities.at(i % 4)));
    }
    QVERIFY(log.flush());
}

void tst_EventLog::filters_data()
{
    QTest::addColumn<QStringList>("accounts");
    QTest::addColumn<QList<Severity>>("severities");
    QTest::addColumn<QList<EventKind>>("kinds");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("fromMinute");   // -1: open
    QTest::addColumn<int>("toMinute");
    QTest::addColumn<int>("expected");

    QTest::newRow("all") << QStringList{} << QList<Severity>{} << QList<EventKind>{} << QString() << -1 << -1 << 60;
    QTest::newRow("one account") << QStringList{QStringLiteral("acc1")} << QList<Severity>{} << QList<EventKind>{}
                                 << QString() << -1 << -1 << 20;
    QTest::newRow("two accounts") << QStringList{QStringLiteral("acc1"), QStringLiteral("acc2")} << QList<Severity>{}
                                  << QList<EventKind>{} << QString() << -1 << -1 << 40;
    QTest::newRow("unknown account") << QStringList{QStringLiteral("nobody")} << QList<Severity>{}
                                     << QList<EventKind>{} << QString() << -1 << -1 << 0;
    QTest::newRow("kind close") << QStringList{} << QList<Severity>{} << QList<EventKind>{EventKind::Close}
                                << QString() << -1 << -1 << 15;
    QTest::newRow("kinds close+error") << QStringList{} << QList<Severity>{}
                                       << QList<EventKind>{EventKind::Close, EventKind::Error} << QString() << -1
                                       << -1 << 30;
    QTest::newRow("severity warning+") << QStringList{} << QList<Severity>{Severity::Warning, Severity::Error}
                                       << QList<EventKind>{} << QString() << -1 << -1 << 30;
    QTest::newRow("text, case-insensitive") << QStringList{} << QList<Severity>{} << QList<EventKind>{}
                                            << QStringLiteral("zombie") << -1 << -1 << 6;
    QTest::newRow("text with % and _ is literal") << QStringList{} << QList<Severity>{} << QList<EventKind>{}
                                                  << QStringLiteral("100% detected_") << -1 << -1 << 6;
    QTest::newRow("text % alone") << QStringList{} << QList<Severity>{} << QList<EventKind>{}
                                  << QStringLiteral("%") << -1 << -1 << 6;
    QTest::newRow("range [10, 20)") << QStringList{} << QList<Severity>{} << QList<EventKind>{} << QString() << 10
                                    << 20 << 10;
    QTest::newRow("from 55") << QStringList{} << QList<Severity>{} << QList<EventKind>{} << QString() << 55 << -1
                             << 5;
    QTest::newRow("combined") << QStringList{QStringLiteral("acc0")} << QList<Severity>{}
                              << QList<EventKind>{EventKind::Hello} << QString() << 0 << 30 << 3;
}

void tst_EventLog::filters()
{
    QFETCH(QStringList, accounts);
    QFETCH(QList<Severity>, severities);
    QFETCH(QList<EventKind>, kinds);
    QFETCH(QString, text);
    QFETCH(int, fromMinute);
    QFETCH(int, toMinute);
    QFETCH(int, expected);

    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    populateForFilters(log);
    EventQuery query(m_path);
    QVERIFY(query.open());
    EventFilter filter;
    filter.accountIds = accounts;
    filter.severities = severities;
    filter.kinds = kinds;
    filter.text = text;
    if (fromMinute >= 0)
        filter.from = minutes(fromMinute);
    if (toMinute >= 0)
        filter.to = minutes(toMinute);
    QCOMPARE(query.count(filter).value(), expected);
    const auto rows = query.page(filter, 0, 1000);
    QVERIFY(rows);
    QCOMPARE(rows->size(), expected);
    for (const EventLogEntry &e : *rows) {
        QVERIFY(accounts.isEmpty() || accounts.contains(e.accountId));
        QVERIFY(kinds.isEmpty() || kinds.contains(e.kind));
        QVERIFY(severities.isEmpty() || severities.contains(e.severity));
        QVERIFY(text.isEmpty() || e.message.contains(text, Qt::CaseInsensitive));
        QVERIFY(fromMinute < 0 || e.at >= minutes(fromMinute));
        QVERIFY(toMinute < 0 || e.at < minutes(toMinute));
    }
}

void tst_EventLog::redactor()
{
    EventLogOptions o = manualOptions();
    o.redactor = [](const QString &s) {
        QString out = s;
        return out.replace(QStringLiteral("MTIzNDU2.secret"), QStringLiteral("[redacted]"));
    };
    EventLog log(m_path, o);
    QVERIFY(log.open());
    const QJsonObject fields{{QStringLiteral("reason"), QStringLiteral("token MTIzNDU2.secret rejected")},
                             {QStringLiteral("list"), QJsonArray{QStringLiteral("MTIzNDU2.secret"), 3}},
                             {QStringLiteral("code"), 4004}};
    log.append(entry(minutes(0), QStringLiteral("a"), EventKind::Fatal,
                     QStringLiteral("auth failed for MTIzNDU2.secret"), fields, Severity::Error));
    QVERIFY(log.flush());
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto rows = query.page({}, 0, 1);
    QCOMPARE(rows->at(0).message, QStringLiteral("auth failed for [redacted]"));
    QCOMPARE(rows->at(0).fields.value(QStringLiteral("reason")).toString(), QStringLiteral("token [redacted] rejected"));
    QCOMPARE(rows->at(0).fields.value(QStringLiteral("list")).toArray().at(0).toString(), QStringLiteral("[redacted]"));
    QCOMPARE(rows->at(0).fields.value(QStringLiteral("code")).toInt(), 4004);

    // Nothing of the secret reached the file.
    log.flush();
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("MTIzNDU2.secret"));
    QFile wal(m_path + QStringLiteral("-wal"));
    if (wal.open(QIODevice::ReadOnly))
        QVERIFY(!wal.readAll().contains("MTIzNDU2.secret"));
}

void tst_EventLog::disconnectHistory()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    const QString a = QStringLiteral("a");
    const auto close = [](int code, const QString &meaning, const QString &initiator) {
        return QJsonObject{{QStringLiteral("code"), code},
                           {QStringLiteral("meaning"), meaning},
                           {QStringLiteral("initiator"), initiator},
                           {QStringLiteral("seq"), 42}};
    };
    // 1: closed by the server, resumed 5 s later with 5 replayed events.
    const qint64 close1 = log.append(entry(minutes(0), a, EventKind::Close, QStringLiteral("closed"),
                                           close(4000, QStringLiteral("unknown error"), QStringLiteral("server"))));
    const qint64 resumed = log.append(entry(minutes(0).addSecs(5), a, EventKind::Resumed, QStringLiteral("resumed"),
                                            {{QStringLiteral("replayed"), 5},
                                             {QStringLiteral("seq_before"), 42},
                                             {QStringLiteral("seq_after"), 47}}));
    // 2: session timed out, a second close while reconnecting, then a fresh IDENTIFY.
    log.append(entry(minutes(10), a, EventKind::Close, QStringLiteral("closed"),
                     close(4009, QStringLiteral("session timed out"), QStringLiteral("server"))));
    log.append(entry(minutes(11), a, EventKind::Close, QStringLiteral("closed again"),
                     close(1006, QStringLiteral("abnormal"), QStringLiteral("network"))));
    log.append(entry(minutes(12), a, EventKind::Ready, QStringLiteral("ready")));
    // 3: authentication failed, fatal, never recovered.
    log.append(entry(minutes(20), a, EventKind::Close, QStringLiteral("closed"),
                     close(4004, QStringLiteral("authentication failed"), QStringLiteral("server"))));
    log.append(entry(minutes(20), a, EventKind::Fatal, QStringLiteral("fatal"), {{QStringLiteral("code"), 4004}}));
    // Another account's READY does not close a's disconnect; an op 9 opens one for b.
    log.append(entry(minutes(21), QStringLiteral("b"), EventKind::InvalidSession, QStringLiteral("op 9"),
                     {{QStringLiteral("resumable"), false}}));
    log.append(entry(minutes(22), QStringLiteral("b"), EventKind::Ready, QStringLiteral("ready")));
    QVERIFY(log.flush());

    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto list = query.disconnects(a, {}, {});
    QVERIFY(list);
    QCOMPARE(list->size(), 3);
    const DisconnectRecord &fatal = list->at(0);   // newest first
    QCOMPARE(fatal.closeCode, 4004);
    QVERIFY(fatal.fatal);
    QVERIFY(!fatal.end);
    QCOMPARE(fatal.recoveredBy, DisconnectRecord::Recovery::None);
    QVERIFY(!fatal.downtimeMs());

    const DisconnectRecord &identify = list->at(1);
    QCOMPARE(identify.closeCode, 4009);
    QCOMPARE(identify.meaning, QStringLiteral("session timed out"));
    QCOMPARE(identify.recoveredBy, DisconnectRecord::Recovery::Identify);
    QVERIFY(identify.eventsLost);
    QCOMPARE(identify.closeCount, 2);
    QCOMPARE(identify.downtimeMs(), 2 * 60'000);

    const DisconnectRecord &resume = list->at(2);
    QCOMPARE(resume.closeCode, 4000);
    QCOMPARE(resume.initiator, QStringLiteral("server"));
    QCOMPARE(resume.recoveredBy, DisconnectRecord::Recovery::Resume);
    QVERIFY(!resume.eventsLost);
    QCOMPARE(resume.replayed, 5);
    QCOMPARE(resume.seqBefore, 42);
    QCOMPARE(resume.seqAfter, 47);
    QCOMPARE(resume.downtimeMs(), 5000);
    QCOMPARE(resume.closeEventId, close1);
    QCOMPARE(resume.endEventId, resumed);

    const auto b = query.disconnects(QStringLiteral("b"), {}, {});
    QCOMPARE(b->size(), 1);
    QVERIFY(!b->at(0).closeCode);
    QCOMPARE(b->at(0).recoveredBy, DisconnectRecord::Recovery::Identify);
    QCOMPARE(query.disconnects({}, minutes(10), minutes(30))->size(), 3);   // all accounts, by start time

    // The open disconnect survives a restart and is closed by the next READY.
    {
        EventLog reopened(m_path, manualOptions());
        QVERIFY(reopened.open());
        reopened.append(entry(minutes(30), a, EventKind::Ready, QStringLiteral("ready after token fix")));
    }
    QCOMPARE(query.disconnects(a, {}, {})->at(0).end, minutes(30));
}

// What a RESUMED reported lost (and missed) and the close's cause land on the disconnect; a
// new session leaves the loss unknown (nullopt) and marks events as lost.
void tst_EventLog::disconnectLostEvents()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    const QString a = QStringLiteral("a");
    const auto close = [](const char *cause, bool kept) {
        return QJsonObject{{QStringLiteral("code"), 4000}, {QStringLiteral("meaning"), QStringLiteral("x")},
                           {QStringLiteral("initiator"), QStringLiteral("client")},
                           {QStringLiteral("cause"), QLatin1String(cause)}, {QStringLiteral("session_kept"), kept}};
    };
    const auto resumed = [](qint64 replayed, QJsonValue missed, QJsonValue lost) {
        QJsonObject f{{QStringLiteral("replayed"), replayed}, {QStringLiteral("seq_before"), 100},
                      {QStringLiteral("seq_after"), 121}, {QStringLiteral("missed"), missed}};
        if (!lost.isUndefined())
            f.insert(QStringLiteral("lost"), lost);
        return f;
    };
    // 1: zombie, RESUMED with 5 of 20 replayed: 15 lost.
    log.append(entry(minutes(0), a, EventKind::Close, QStringLiteral("zombie"), close("zombie", true)));
    log.append(entry(minutes(1), a, EventKind::Resumed, QStringLiteral("r"), resumed(5, 20, 15), Severity::Warning));
    // 2: op 7, everything replayed.
    log.append(entry(minutes(2), a, EventKind::Close, QStringLiteral("op 7"), close("op7", true)));
    log.append(entry(minutes(3), a, EventKind::Resumed, QStringLiteral("r"), resumed(4, 4, 0)));
    // 3: dropped, then a new session: lost, in an unknown number.
    log.append(entry(minutes(4), a, EventKind::Close, QStringLiteral("dropped"), close("transport", true)));
    log.append(entry(minutes(5), a, EventKind::Ready, QStringLiteral("ready")));
    // 4: RESUMED without a sequence (missed unknown), a row without `lost` from an older build.
    log.append(entry(minutes(6), a, EventKind::Close, QStringLiteral("f5"), close("user_resume", true)));
    log.append(entry(minutes(7), a, EventKind::Resumed, QStringLiteral("r"), resumed(3, -1, QJsonValue::Undefined)));
    // 5: op 9 not resumable opens one too.
    log.append(entry(minutes(8), a, EventKind::InvalidSession, QStringLiteral("op 9"), {{QStringLiteral("resumable"), false}}));
    log.append(entry(minutes(9), a, EventKind::Ready, QStringLiteral("ready")));
    QVERIFY(log.flush());

    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto list = query.disconnects(a, {}, {});
    QVERIFY(list);
    QCOMPARE(list->size(), 5);
    const DisconnectRecord &zombie = list->at(4);   // newest first
    QCOMPARE(zombie.cause, QStringLiteral("zombie"));
    QCOMPARE(zombie.missed, 20);
    QCOMPARE(zombie.lost, 15);
    QCOMPARE(zombie.replayed, 5);
    QVERIFY(!zombie.eventsLost);
    const DisconnectRecord &op7 = list->at(3);
    QCOMPARE(op7.cause, QStringLiteral("op7"));
    QCOMPARE(op7.missed, 4);
    QCOMPARE(op7.lost, 0);
    const DisconnectRecord &dropped = list->at(2);
    QCOMPARE(dropped.cause, QStringLiteral("transport"));
    QCOMPARE(dropped.recoveredBy, DisconnectRecord::Recovery::Identify);
    QVERIFY(!dropped.lost);
    QVERIFY(!dropped.missed);
    QVERIFY(dropped.eventsLost);
    const DisconnectRecord &f5 = list->at(1);
    QCOMPARE(f5.cause, QStringLiteral("user_resume"));
    QVERIFY(!f5.missed);     // -1 from the client: unknown
    QCOMPARE(f5.lost, 0);    // an older RESUMED row: nothing known lost
    const DisconnectRecord &op9 = list->at(0);
    QCOMPARE(op9.cause, QStringLiteral("invalid_session"));
    QVERIFY(!op9.lost);
    QVERIFY(op9.eventsLost);
}

// A file written by the first schema keeps its rows; the new columns start empty and the new
// kind is known to the view.
void tst_EventLog::migratesVersionOneFile()
{
    const QString name = QStringLiteral("tst-migrate-v1");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlDatabase conn = db.value();
        const std::vector<eventlogschema::Migration> v1{eventlogschema::migrations().front()};
        QCOMPARE(eventlogschema::migrate(conn, v1).value(), 1);
        QSqlQuery insert(conn);
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO disconnects (account_id, account_name, start_at, end_at, "
                                           "recovered_by, replayed) VALUES ('a', 'bot', 0, 1000, 'resume', 3)")));
        conn.close();
    }
    QSqlDatabase::removeDatabase(name);
    {
        EventLog log(m_path, manualOptions());
        QVERIFY(log.open());
        QCOMPARE(log.schemaVersion(), eventlogschema::k_currentVersion);
        log.append(entry(minutes(0), QStringLiteral("a"), EventKind::SeqGap, QStringLiteral("gap"),
                         {{QStringLiteral("expected"), 5}, {QStringLiteral("got"), 7}, {QStringLiteral("lost"), 2}},
                         Severity::Warning));
    }
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto list = query.disconnects(QStringLiteral("a"), {}, {});
    QVERIFY(list);
    QCOMPARE(list->size(), 1);
    QCOMPARE(list->at(0).replayed, 3);
    QVERIFY(!list->at(0).lost);
    QVERIFY(list->at(0).cause.isEmpty());
    const auto rows = query.page(EventFilter{}, 0, 10);
    QVERIFY(rows);
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->at(0).kind, EventKind::SeqGap);
}

void tst_EventLog::heartbeatAggregation()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    const QString a = QStringLiteral("a");
    log.addHeartbeat(a, minutes(1), 40.0);
    log.addHeartbeat(a, minutes(2), 60.0);
    QVERIFY(log.flush());
    // Same hour, a later batch: merged into the same aggregate.
    log.addHeartbeat(a, minutes(59), 20.0);
    log.addHeartbeat(a, minutes(60), 100.0);   // next hour
    log.addHeartbeat(QStringLiteral("b"), minutes(3), 5.0);
    QVERIFY(log.flush());

    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto hours = query.heartbeatHourly(a, {}, {});
    QVERIFY(hours);
    QCOMPARE(hours->size(), 2);
    QCOMPARE(hours->at(0).hourStart, minutes(0));
    QCOMPARE(hours->at(0).count, 3);
    QCOMPARE(hours->at(0).sumMs, 120.0);
    QCOMPARE(hours->at(0).minMs, 20.0);
    QCOMPARE(hours->at(0).maxMs, 60.0);
    QCOMPARE(hours->at(0).meanMs(), 40.0);
    QCOMPARE(hours->at(1).hourStart, minutes(60));
    QCOMPARE(hours->at(1).count, 1);
    const auto raw = query.heartbeats(a, minutes(0), minutes(30));
    QCOMPARE(raw->size(), 2);
    QCOMPARE(raw->at(1).latencyMs, 60.0);
}

void tst_EventLog::retentionKeepsAggregates()
{
    const QDateTime now = k_t0.addDays(30);
    EventLogOptions o = manualOptions();
    o.clock = [now] { return now; };
    o.retentionDays = 7;
    o.rawHeartbeatWindow = std::chrono::hours(72);
    const QString a = QStringLiteral("a");
    {
        EventLog log(m_path, o);
        QVERIFY(log.open());
        QSignalSpy pruned(&log, &EventLog::pruned);
        log.append(entry(now.addDays(-10), a, EventKind::Close, QStringLiteral("old close"),
                         {{QStringLiteral("code"), 4000}}));
        log.append(entry(now.addDays(-10).addSecs(3), a, EventKind::Resumed, QStringLiteral("old resumed")));
        log.append(entry(now.addDays(-1), a, EventKind::Hello, QStringLiteral("recent")));
        log.addHeartbeat(a, now.addDays(-10), 10.0);
        log.addHeartbeat(a, now.addDays(-4), 20.0);
        log.addHeartbeat(a, now.addSecs(-3600), 30.0);
        const auto removed = log.prune();
        QVERIFY(removed);
        QCOMPARE(removed.value(), 2);
        QCOMPARE(pruned.count(), 1);
        QCOMPARE(pruned.at(0).at(1).toLongLong(), 2);   // two raw samples outside 72 h
    }
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto rows = query.page({}, 0, 10);
    QCOMPARE(rows->size(), 1);
    QCOMPARE(rows->at(0).message, QStringLiteral("recent"));
    QCOMPARE(query.heartbeats(a, {}, {})->size(), 1);
    QCOMPARE(query.heartbeatHourly(a, {}, {})->size(), 3);        // aggregates kept
    const auto history = query.disconnects(a, {}, {});
    QCOMPARE(history->size(), 1);                                  // disconnect history kept
    QCOMPARE(history->at(0).downtimeMs(), 3000);

    // Opening prunes too; retention 0 keeps everything.
    o.retentionDays = 0;
    o.clock = [now] { return now.addDays(365); };
    EventLog keepAll(m_path, o);
    QVERIFY(keepAll.open());
    QCOMPARE(query.count({}).value(), 1);
}

void tst_EventLog::migrationPath()
{
    const QString name = QStringLiteral("tst-migrate");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlDatabase conn = db.value();
        // An empty file is version 0; the path brings it to this build's version.
        const int current = eventlogschema::k_currentVersion;
        QCOMPARE(eventlogschema::schemaVersion(conn).value(), 0);
        QCOMPARE(eventlogschema::migrate(conn, eventlogschema::migrations()).value(), current);
        QSqlQuery insert(conn);
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO sources (id, account_id, account_name) VALUES (1, 'a', 'bot')")));
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO events (id, at, source, kind, severity, message) "
                                           "VALUES (1, 0, 1, 2, 1, 'kept')")));
        // A later step (as a future build would add) upgrades the file in place.
        std::vector<eventlogschema::Migration> steps = eventlogschema::migrations();
        steps.push_back({current + 1, [](QSqlDatabase &d, QString *error) {
                             return eventlogschema::exec(d, QStringLiteral("ALTER TABLE events ADD COLUMN note TEXT"), error);
                         }});
        QCOMPARE(eventlogschema::migrate(conn, steps).value(), current + 1);
        QCOMPARE(eventlogschema::migrate(conn, steps).value(), current + 1);   // idempotent
        QSqlQuery check(conn);
        QVERIFY(check.exec(QStringLiteral("SELECT message, note FROM events")));
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toString(), QStringLiteral("kept"));
        QVERIFY(check.value(1).isNull());
        QVERIFY(check.exec(QStringLiteral("SELECT group_concat(version) FROM schema_version")));
        QVERIFY(check.next());
        QStringList versions;
        for (int v = 1; v <= current + 1; ++v)
            versions << QString::number(v);
        QCOMPARE(check.value(0).toString(), versions.join(QLatin1Char(',')));
        conn.close();
    }
    QSqlDatabase::removeDatabase(name);

    // This build's EventLog refuses the newer file instead of writing into it.
    EventLog log(m_path, manualOptions());
    const auto opened = log.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, EventLogError::Code::SchemaTooNew);
    QVERIFY(!log.isOpen());
    QCOMPARE(log.append(entry(minutes(0), QStringLiteral("a"), EventKind::Hello, QStringLiteral("x"))), 0);
}

void tst_EventLog::migrationFailureKeepsVersion()
{
    const QString name = QStringLiteral("tst-migrate-fail");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlDatabase conn = db.value();
        QVERIFY(eventlogschema::migrate(conn, eventlogschema::migrations()));
        std::vector<eventlogschema::Migration> steps = eventlogschema::migrations();
        steps.push_back({eventlogschema::k_currentVersion + 1, [](QSqlDatabase &d, QString *error) {
                             return eventlogschema::exec(d, QStringLiteral("CREATE TABLE half_done (x)"), error)
                                    && eventlogschema::exec(d, QStringLiteral("ALTER TABLE no_such_table ADD y"), error);
                         }});
        const auto result = eventlogschema::migrate(conn, steps);
        QVERIFY(!result);
        QCOMPARE(result.error().code, EventLogError::Code::MigrationFailed);
        QCOMPARE(eventlogschema::schemaVersion(conn).value(), eventlogschema::k_currentVersion);
        QSqlQuery check(conn);
        QVERIFY(check.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")));
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toInt(), 0);   // the failed step was rolled back entirely
        conn.close();
    }
    QSqlDatabase::removeDatabase(name);
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());   // still a good file of this build's version
}

void tst_EventLog::schemaTooNewIsRefused()
{
    {
        EventLog log(m_path, manualOptions());
        QVERIFY(log.open());
    }
    const QString name = QStringLiteral("tst-too-new");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlDatabase conn = db.value();
        QSqlQuery q(conn);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version (version, applied_at) VALUES (99, 0)")));
        conn.close();
    }
    QSqlDatabase::removeDatabase(name);
    EventQuery query(m_path);
    const auto opened = query.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, EventLogError::Code::SchemaTooNew);
}

void tst_EventLog::queryNeedsExistingLog()
{
    EventQuery query(m_dir->filePath(QStringLiteral("missing.sqlite")));
    QVERIFY(!query.open());
    QCOMPARE(query.count({}).error().code, EventLogError::Code::NotOpen);
    QVERIFY(!QFile::exists(m_dir->filePath(QStringLiteral("missing.sqlite"))));
}

void tst_EventLog::createsMissingDirectory()
{
    const QString path = m_dir->filePath(QStringLiteral("first/run/events.sqlite"));
    EventLog log(path, manualOptions());
    QVERIFY(log.open());
    QVERIFY(QFile::exists(path));
}

QTEST_GUILESS_MAIN(tst_EventLog)
#include "tst_eventlog.moc"
