// The text index (schema 4): the migration of a log the previous schema wrote, text filters that
// match exactly what the live filter (EventFilter::matches) accepts whether or not the index
// answers them, paging past the first page, rows appended and pruned after the index exists, and
// an interrupted reader connection.

#include "eventlog.h"
#include "eventlogschema_p.h"
#include "eventquery.h"
#include "eventsql_p.h"
#include "eventtextindex_p.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

EventLogOptions manualOptions()
{
    EventLogOptions o;
    o.commitRows = 1'000'000;
    o.commitInterval = 3'600'000ms;
    o.maintenanceInterval = 0ms;
    o.retentionDays = 0;
    return o;
}

// Messages for the exactness cases: LIKE's metacharacters, a quote (FTS5's), case, non-ASCII
// letters (LIKE folds ASCII only; the index folds more and must not matter), a surrogate pair.
const QStringList &messages()
{
    static const QStringList m{
        QStringLiteral("Gateway closed the connection: 4000 unknown error"),
        QStringLiteral("RESUMED: 7 events replayed"),
        QStringLiteral("progress 100% done"),
        QStringLiteral("progress 1000 done"),
        QStringLiteral("key a_b set"),
        QStringLiteral("key axb set"),
        QStringLiteral("path C:\\temp\\bot"),
        QStringLiteral("said \"hello there\" twice"),
        QStringLiteral("Straße Ünïcödé ÄBC"),
        QStringLiteral("strasse unicode äbc"),
        QStringLiteral("emoji 😀 ok"),
        QStringLiteral("ab"),
        QStringLiteral("MiXeD CaSe Words"),
    };
    return m;
}

EventLogEntry entry(qint64 i, const QString &message)
{
    EventLogEntry e;
    e.at = k_t0.addSecs(i / 3);   // three rows per second: ties on `at`, broken by id
    e.accountId = QStringLiteral("a%1").arg(i % 3);
    e.accountName = QStringLiteral("bot-a%1").arg(i % 3);
    e.kind = EventKind::State;
    e.severity = Severity::Info;
    e.message = message;
    return e;
}

// Ids of `rows` that the live filter accepts, newest first (time, then id), as the store orders them.
QList<qint64> expectedIds(QList<EventLogEntry> rows, const EventFilter &filter)
{
    std::sort(rows.begin(), rows.end(), [](const EventLogEntry &a, const EventLogEntry &b) {
        return a.at != b.at ? a.at > b.at : a.id > b.id;
    });
    QList<qint64> ids;
    for (const EventLogEntry &row : std::as_const(rows)) {
        if (filter.matches(row))
            ids << row.id;
    }
    return ids;
}

QList<qint64> idsOf(const QList<EventLogEntry> &rows)
{
    QList<qint64> ids;
    for (const EventLogEntry &row : rows)
        ids << row.id;
    return ids;
}

} // namespace

class tst_EventLogTextIndex final : public QObject
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
    void cleanup() { m_rows.clear(); }

    void matchExpression();
    void migratesPreviousSchema();
    void exactness_data();
    void exactness();
    void pagingPastFirstPage();
    void commonNeedleWalks();
    void appendedAndPrunedRows();
    void interruptWithoutStatement();
    void interruptStopsRunningStatement();

private:
    // Appends `count` rows cycling through `pool` (committed), remembering them with their ids.
    void fill(EventLog &log, qint64 count, const QStringList &pool);
    // Opens a connection of the test's own and tells whether the index is complete.
    bool indexComplete();
    // Does `eventsql::where` answer `text` from the index's candidates?
    bool narrowed(const QString &text);
    // Pages through `filter` with `pageSize` (keyset after the first page) and compares every
    // page, and count(), with the live filter over the rows appended.
    void checkAgainstLiveFilter(const EventFilter &filter, int pageSize);
    // FTS5's integrity-check of the index against `events`.
    void checkIndexIntegrity();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    QList<EventLogEntry> m_rows;
};

void tst_EventLogTextIndex::fill(EventLog &log, qint64 count, const QStringList &pool)
{
    const qint64 first = m_rows.size();
    for (qint64 i = first; i < first + count; ++i) {
        EventLogEntry e = entry(i, pool.at(qsizetype(i % pool.size())));
        e.id = log.append(e);
        QVERIFY(e.id > 0);
        m_rows << e;
    }
    QVERIFY(log.flush());
}

bool tst_EventLogTextIndex::indexComplete()
{
    const QString name = QStringLiteral("tst-textindex-check");
    bool complete = false;
    {
        auto db = eventlogschema::openConnection(m_path, name, true);
        if (db) {
            const auto r = eventtextindex::isComplete(db.value());
            complete = r && r.value();
            db.value().close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return complete;
}

bool tst_EventLogTextIndex::narrowed(const QString &text)
{
    const QString name = QStringLiteral("tst-textindex-where");
    bool fromCandidates = false;
    {
        auto db = eventlogschema::openConnection(m_path, name, true);
        EventFilter filter;
        filter.text = text;
        if (db) {
            const auto w = eventsql::where(db.value(), filter);
            fromCandidates = w && w->from != QLatin1String("events");
            db.value().close();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return fromCandidates;
}

void tst_EventLogTextIndex::checkAgainstLiveFilter(const EventFilter &filter, int pageSize)
{
    const QList<qint64> expected = expectedIds(m_rows, filter);
    EventQuery query(m_path);
    QVERIFY(query.open());
    QCOMPARE(query.count(filter).value(), qint64(expected.size()));
    QList<qint64> got;
    auto page = query.page(filter, 0, pageSize);
    QVERIFY(page);
    while (!page->isEmpty()) {
        got << idsOf(page.value());
        const EventCursor cursor = EventCursor::of(page->last());
        page = query.pageBefore(filter, cursor, pageSize);
        QVERIFY(page);
    }
    QCOMPARE(got, expected);
}

void tst_EventLogTextIndex::matchExpression()
{
    QVERIFY(eventtextindex::matchExpression(QStringLiteral("ab")).isEmpty());
    QVERIFY(eventtextindex::matchExpression(QString(QChar(0)) + QStringLiteral("abc")).isEmpty());
    QCOMPARE(eventtextindex::matchExpression(QStringLiteral("abc")), QStringLiteral("\"abc\""));
    QCOMPARE(eventtextindex::matchExpression(QStringLiteral("abcdefg")), QStringLiteral("\"abc\" AND \"def\" AND \"efg\""));
    QCOMPARE(eventtextindex::matchExpression(QStringLiteral("a\"bc")), QStringLiteral("\"a\"\"b\" AND \"\"\"bc\""));
    // Characters, not UTF-16 units: one surrogate pair is one character.
    QCOMPARE(eventtextindex::matchExpression(QStringLiteral("😀ok")), QStringLiteral("\"😀ok\""));
}

// A log the previous schema wrote: open() migrates it at once and indexes its rows afterwards,
// from the event loop; text filters are exact before and after.
void tst_EventLogTextIndex::migratesPreviousSchema()
{
    const QString name = QStringLiteral("tst-textindex-v3");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlDatabase conn = db.value();
        std::vector<eventlogschema::Migration> v3 = eventlogschema::migrations();
        v3.resize(3);
        QCOMPARE(eventlogschema::migrate(conn, v3).value(), 3);
        QSqlQuery insert(conn);
        QVERIFY(insert.exec(QStringLiteral("INSERT INTO sources (id, account_id, account_name) VALUES (1, 'a0', 'bot-a0')")));
        QVERIFY(insert.prepare(QStringLiteral("INSERT INTO events (id, at, source, kind, severity, message) "
                                              "VALUES (?, ?, 1, 1, 1, ?)")));
        for (qint64 i = 0; i < 300; ++i) {
            EventLogEntry e = entry(i, messages().at(qsizetype(i % messages().size())));
            e.id = i + 1;
            e.accountId = QStringLiteral("a0");
            insert.addBindValue(e.id);
            insert.addBindValue(e.at.toMSecsSinceEpoch());
            insert.addBindValue(e.message);
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
            m_rows << e;
        }
        conn.close();
    }
    QSqlDatabase::removeDatabase(name);

    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    QCOMPARE(log.schemaVersion(), 4);
    QVERIFY(!indexComplete());   // not inside open(): after it, from the event loop
    EventFilter filter;
    filter.text = QStringLiteral("4000 unknown");
    QVERIFY(!narrowed(filter.text));
    checkAgainstLiveFilter(filter, 10);
    fill(log, 30, messages());   // appended before the index is filled: the filling takes them
    QTRY_VERIFY(indexComplete());
    QVERIFY(narrowed(filter.text));
    checkAgainstLiveFilter(filter, 10);
    fill(log, 30, messages());   // appended after: the writer indexes them
    checkAgainstLiveFilter(filter, 10);
    filter.text = QStringLiteral("100%");
    checkAgainstLiveFilter(filter, 7);
    checkIndexIntegrity();
}

void tst_EventLogTextIndex::exactness_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("fromIndex");
    QTest::newRow("match") << QStringLiteral("replayed") << true;
    QTest::newRow("match, other case") << QStringLiteral("GATEWAY closed") << true;
    QTest::newRow("no match") << QStringLiteral("no-such-text") << true;
    QTest::newRow("trigrams present, not in sequence") << QStringLiteral("key set") << true;
    QTest::newRow("short needle") << QStringLiteral("ab") << false;
    QTest::newRow("one character") << QStringLiteral("%") << false;
    QTest::newRow("percent") << QStringLiteral("100%") << true;
    QTest::newRow("percent, not a wildcard") << QStringLiteral("0% d") << true;
    QTest::newRow("underscore") << QStringLiteral("a_b") << true;
    QTest::newRow("backslash") << QStringLiteral("C:\\temp") << true;
    QTest::newRow("backslash alone") << QStringLiteral("\\t") << false;
    QTest::newRow("quote") << QStringLiteral("\"hello") << true;
    QTest::newRow("non-ASCII") << QStringLiteral("Straße") << true;
    QTest::newRow("non-ASCII, other case (not folded)") << QStringLiteral("äbc") << true;
    QTest::newRow("non-ASCII, upper") << QStringLiteral("ÄBC") << true;
    QTest::newRow("surrogate pair") << QStringLiteral("😀 ok") << true;
    QTest::newRow("whole message") << QStringLiteral("MiXeD CaSe Words") << true;
    QTest::newRow("longer than any message") << QStringLiteral("MiXeD CaSe Words and more") << true;
}

// Every text filter through the store matches what the live filter matches, with and without
// the index; the needles the index cannot look up walk.
void tst_EventLogTextIndex::exactness()
{
    QFETCH(QString, text);
    QFETCH(bool, fromIndex);
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    QVERIFY(indexComplete());   // a new log: complete from the start
    fill(log, 390, messages());
    QCOMPARE(narrowed(text), fromIndex);
    EventFilter filter;
    filter.text = text;
    checkAgainstLiveFilter(filter, 256);
    checkAgainstLiveFilter(filter, 4);
    filter.accountIds = {QStringLiteral("a1")};   // with another filter: the same
    checkAgainstLiveFilter(filter, 256);
}

// More matches than a page, ties on `at`: keyset paging over the candidates returns every row
// once, in order.
void tst_EventLogTextIndex::pagingPastFirstPage()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    fill(log, 3000, {QStringLiteral("rare needle here"), QStringLiteral("common one"), QStringLiteral("common two"),
                     QStringLiteral("common three"), QStringLiteral("common four")});
    EventFilter filter;
    filter.text = QStringLiteral("needle");
    QVERIFY(narrowed(filter.text));
    QCOMPARE(expectedIds(m_rows, filter).size(), 600);
    checkAgainstLiveFilter(filter, 256);
    checkAgainstLiveFilter(filter, 7);
    EventQuery query(m_path);
    QVERIFY(query.open());
    const auto fromOffset = query.page(filter, 300, 50);   // an offset page too
    QVERIFY(fromOffset);
    QCOMPARE(idsOf(fromOffset.value()), expectedIds(m_rows, filter).mid(300, 50));
}

// A needle with more candidates than the limit walks the log, as before the index.
void tst_EventLogTextIndex::commonNeedleWalks()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    fill(log, eventtextindex::k_candidateLimit + 500, {QStringLiteral("common row"), QStringLiteral("Common Row 2")});
    EventFilter filter;
    filter.text = QStringLiteral("common");
    QVERIFY(!narrowed(filter.text));
    checkAgainstLiveFilter(filter, 1000);
    filter.text = QStringLiteral("row 2");
    QVERIFY(narrowed(filter.text));   // half the rows, fewer than the limit: from the index
    checkAgainstLiveFilter(filter, 1000);
}

// Rows appended after the index exists are found; pruned rows leave it (the index stays
// consistent with the table: FTS5's integrity-check).
void tst_EventLogTextIndex::appendedAndPrunedRows()
{
    EventLogOptions options = manualOptions();
    QDateTime now = k_t0.addDays(10);
    options.clock = [&now] { return now; };
    EventLog log(m_path, options);
    QVERIFY(log.open());
    fill(log, 100, messages());
    EventFilter filter;
    filter.text = QStringLiteral("a_b");
    checkAgainstLiveFilter(filter, 3);
    QVERIFY(!expectedIds(m_rows, filter).isEmpty());
    log.setRetentionDays(1);
    now = k_t0.addDays(1).addSecs(20);   // the first 60 rows are older than a day
    QCOMPARE(log.prune().value(), 60);
    m_rows = m_rows.mid(60);
    checkAgainstLiveFilter(filter, 3);
    checkIndexIntegrity();
}

void tst_EventLogTextIndex::checkIndexIntegrity()
{
    const QString name = QStringLiteral("tst-textindex-integrity");
    {
        auto db = eventlogschema::openConnection(m_path, name, false);
        QVERIFY(db);
        QSqlQuery check(db.value());
        // rank 1: also compares the index with the rows of `events` it was built from
        QVERIFY2(check.exec(QStringLiteral("INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)")),
                 qPrintable(check.lastError().text()));
        db.value().close();
    }
    QSqlDatabase::removeDatabase(name);
}

// interrupt() with no statement running changes nothing for the next one.
void tst_EventLogTextIndex::interruptWithoutStatement()
{
    EventLog log(m_path, manualOptions());
    QVERIFY(log.open());
    fill(log, 20, messages());
    EventQuery query(m_path);
    query.interrupt();   // not open: nothing to interrupt
    QVERIFY(query.open());
    query.interrupt();
    EventFilter filter;
    filter.text = QStringLiteral("replayed");
    QCOMPARE(query.count(filter).value(), qint64(expectedIds(m_rows, filter).size()));
}

// interrupt() from another thread stops the statement running on the query's own thread; the
// next statement runs normally. A walk of 30,000 rows (a two-character needle: no index) is
// repeated until one is caught running, at most 200 times.
void tst_EventLogTextIndex::interruptStopsRunningStatement()
{
    {
        EventLog log(m_path, manualOptions());
        QVERIFY(log.open());
        fill(log, 30'000, {QStringLiteral("row one"), QStringLiteral("row two")});
    }
    std::mutex lock;
    EventQuery *running = nullptr;   // guarded by `lock`
    std::atomic<bool> done{false};
    int interrupted = 0;
    QString why;
    bool recovered = true;
    std::thread reader([&] {
        EventQuery query(m_path);
        if (query.open()) {
            {
                const std::lock_guard guard(lock);
                running = &query;
            }
            EventFilter walk;
            walk.text = QStringLiteral("zq");
            for (int i = 0; i < 200 && interrupted == 0; ++i) {
                const auto counted = query.count(walk);
                if (!counted) {
                    ++interrupted;
                    why = counted.error().message;
                }
            }
            {
                const std::lock_guard guard(lock);
                running = nullptr;   // no more interrupts: the next statement must run normally
            }
            const auto all = query.count(EventFilter{});
            recovered = all && all.value() == 30'000;
        }
        done = true;
    });
    while (!done) {
        const std::lock_guard guard(lock);
        if (running)
            running->interrupt();
    }
    reader.join();
    QCOMPARE(interrupted, 1);
    QVERIFY2(why.contains(QLatin1String("interrupt")), qPrintable(why));
    QVERIFY(recovered);
}

QTEST_GUILESS_MAIN(tst_EventLogTextIndex)
#include "tst_eventlog_textindex.moc"
