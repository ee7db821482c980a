// EventFilter: the in-memory rule (EventFilter::matches, used by the UI for live rows) selects
// exactly the rows the store's SQL query returns for the same filter.

#include "eventfilter.h"
#include "eventlog.h"
#include "eventquery.h"

#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);

QDateTime minute(int m)
{
    return k_t0.addSecs(qint64(m) * 60);
}

struct Row
{
    const char *account;
    EventKind kind;
    Severity severity;
    const char *message;
};

// Row i is logged at minute(i).
const Row k_rows[] = {
    {"a", EventKind::State, Severity::Info, "state ready"},
    {"b", EventKind::Close, Severity::Warning, "closed 4000 Unknown error"},
    {"a", EventKind::Zombie, Severity::Warning, "ZOMBIE connection"},
    {"c", EventKind::Ready, Severity::Info, "ready again"},
    {"b", EventKind::Error, Severity::Error, "50% done"},
    {"a", EventKind::Error, Severity::Error, "file_name missing"},
    {"c", EventKind::Zombie, Severity::Debug, "a back\\slash here"},
    {"b", EventKind::Hello, Severity::Debug, "Straße ÜBER alles"},
    {"a", EventKind::Fatal, Severity::Error, "über fatal"},
    {"", EventKind::MonitorStarted, Severity::Info, "monitor started"},
    {"c", EventKind::Resumed, Severity::Info, "Resumed zombie session"},
    {"b", EventKind::UserAction, Severity::Info, "50 percent"},
};

EventFilter filter(QStringList accounts = {}, QList<EventKind> kinds = {}, QList<Severity> severities = {},
                   QString text = {}, QDateTime from = {}, QDateTime to = {})
{
    EventFilter f;
    f.accountIds = std::move(accounts);
    f.kinds = std::move(kinds);
    f.severities = std::move(severities);
    f.text = std::move(text);
    f.from = std::move(from);
    f.to = std::move(to);
    return f;
}

QList<qint64> idsMatching(const EventFilter &f, const QList<EventLogEntry> &entries)
{
    QList<qint64> ids;
    for (const EventLogEntry &e : entries) {
        if (f.matches(e))
            ids.append(e.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

} // namespace

class tst_EventFilter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void matchesAgreesWithQuery_data();
    void matchesAgreesWithQuery();
    void equality();

private:
    QTemporaryDir m_dir;
    QList<EventLogEntry> m_appended;   // as the UI receives them live (ids set)
    QList<EventLogEntry> m_stored;     // as the store reads them back
};

void tst_EventFilter::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    const QString path = m_dir.filePath(QStringLiteral("events.sqlite"));
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    options.retentionDays = 0;
    {
        EventLog log(path, options);
        QVERIFY(log.open());
        int i = 0;
        for (const Row &row : k_rows) {
            EventLogEntry e;
            e.at = minute(i++);
            e.accountId = QString::fromUtf8(row.account);
            e.accountName = QStringLiteral("bot-") + e.accountId;
            e.kind = row.kind;
            e.severity = row.severity;
            e.message = QString::fromUtf8(row.message);
            e.id = log.append(e);
            QVERIFY(e.id > 0);
            m_appended.append(e);
        }
        QVERIFY(log.flush());
    }
    EventQuery query(path);
    QVERIFY(query.open());
    const auto all = query.page(EventFilter{}, 0, 1000);
    QVERIFY(all);
    m_stored = all.value();
    QCOMPARE(m_stored.size(), m_appended.size());
}

void tst_EventFilter::matchesAgreesWithQuery_data()
{
    QTest::addColumn<EventFilter>("f");
    QTest::addColumn<int>("expected");   // guards against a filter that selects nothing by mistake

    const QString a = QStringLiteral("a");
    const QString b = QStringLiteral("b");
    const QString c = QStringLiteral("c");
    QTest::newRow("no restriction") << filter() << 12;
    QTest::newRow("one account") << filter({a}) << 4;
    QTest::newRow("two accounts") << filter({a, c}) << 7;
    QTest::newRow("unknown account") << filter({QStringLiteral("zz")}) << 0;
    QTest::newRow("null account id") << filter({QString()}) << 1;
    QTest::newRow("empty account id") << filter({QStringLiteral("")}) << 1;
    QTest::newRow("one kind") << filter({}, {EventKind::Zombie}) << 2;
    QTest::newRow("two kinds") << filter({}, {EventKind::Error, EventKind::Fatal}) << 3;
    QTest::newRow("one severity") << filter({}, {}, {Severity::Warning}) << 2;
    QTest::newRow("two severities") << filter({}, {}, {Severity::Debug, Severity::Error}) << 5;
    QTest::newRow("text, ASCII case folded") << filter({}, {}, {}, QStringLiteral("zombie")) << 2;
    QTest::newRow("text with %") << filter({}, {}, {}, QStringLiteral("50%")) << 1;
    QTest::newRow("text with _") << filter({}, {}, {}, QStringLiteral("_")) << 1;
    QTest::newRow("text with backslash") << filter({}, {}, {}, QStringLiteral("\\")) << 1;
    QTest::newRow("text, non-ASCII not folded") << filter({}, {}, {}, QStringLiteral("über")) << 1;
    QTest::newRow("text, non-ASCII exact") << filter({}, {}, {}, QStringLiteral("STRAße")) << 1;
    QTest::newRow("text, no match") << filter({}, {}, {}, QStringLiteral("nothing like it")) << 0;
    QTest::newRow("from (inclusive)") << filter({}, {}, {}, {}, minute(6)) << 6;
    QTest::newRow("to (exclusive)") << filter({}, {}, {}, {}, {}, minute(3)) << 3;
    QTest::newRow("from and to") << filter({}, {}, {}, {}, minute(2), minute(8)) << 6;
    QTest::newRow("empty period") << filter({}, {}, {}, {}, minute(5), minute(5)) << 0;
    QTest::newRow("account, severities, from")
        << filter({b}, {}, {Severity::Info, Severity::Debug}, {}, minute(5)) << 2;
    QTest::newRow("account, kind, text") << filter({a}, {EventKind::Error}, {}, QStringLiteral("FILE")) << 1;
    QTest::newRow("everything, nothing left")
        << filter({c}, {EventKind::Zombie}, {Severity::Debug}, QStringLiteral("slash"), minute(7)) << 0;
}

void tst_EventFilter::matchesAgreesWithQuery()
{
    QFETCH(EventFilter, f);
    QFETCH(int, expected);

    EventQuery query(m_dir.filePath(QStringLiteral("events.sqlite")));
    QVERIFY(query.open());
    const auto rows = query.page(f, 0, 1000);
    QVERIFY(rows);
    QList<qint64> fromSql;
    for (const EventLogEntry &e : rows.value())
        fromSql.append(e.id);
    std::sort(fromSql.begin(), fromSql.end());
    const auto count = query.count(f);
    QVERIFY(count);
    QCOMPARE(count.value(), qint64(fromSql.size()));

    QCOMPARE(idsMatching(f, m_stored), fromSql);
    QCOMPARE(idsMatching(f, m_appended), fromSql);
    QCOMPARE(fromSql.size(), expected);
}

void tst_EventFilter::equality()
{
    const EventFilter base = filter({QStringLiteral("a")}, {EventKind::Close}, {Severity::Warning},
                                    QStringLiteral("x"), minute(1), minute(2));
    QVERIFY(base == base);
    QVERIFY(EventFilter{} == EventFilter{});
    QVERIFY(!(base == EventFilter{}));
    EventFilter other = base;
    other.text = QStringLiteral("y");
    QVERIFY(base != other);
    other = base;
    other.to = minute(3);
    QVERIFY(base != other);
    other = base;
    other.severities.append(Severity::Error);
    QVERIFY(base != other);
    // The same instant in another time zone is the same bound.
    other = base;
    other.from = minute(1).toOffsetFromUtc(3600);
    QVERIFY(base == other);
}

QTEST_GUILESS_MAIN(tst_EventFilter)
#include "tst_eventfilter.moc"
