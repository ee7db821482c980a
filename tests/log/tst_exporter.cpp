// Export of the event store: JSON Lines parses back to the same rows; CSV quotes commas,
// quotes and newlines per RFC 4180 and round-trips through a small RFC 4180 parser; filters by
// range, accounts and kinds select the same rows as the query API; progress and cancel work.

#include "eventlog.h"
#include "eventquery.h"
#include "exporter.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QDateTime k_t0 = QDateTime(QDate(2026, 2, 28), QTime(23, 59, 59, 999), Qt::UTC);

// RFC 4180, strictly: records end with CRLF; a quoted field may hold commas, CR, LF and
// doubled quotes. Returns nullopt on malformed input.
std::optional<QList<QStringList>> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    qsizetype i = 0;
    const qsizetype n = text.size();
    while (i < n) {
        if (text.at(i) == QLatin1Char('"')) {
            if (!field.isEmpty())
                return std::nullopt;
            ++i;
            for (;;) {
                if (i >= n)
                    return std::nullopt;   // unterminated quote
                if (text.at(i) == QLatin1Char('"')) {
                    if (i + 1 < n && text.at(i + 1) == QLatin1Char('"')) {
                        field += QLatin1Char('"');
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
            if (i < n && text.at(i) != QLatin1Char(',') && text.at(i) != QLatin1Char('\r'))
                return std::nullopt;
            continue;
        }
        const QChar c = text.at(i);
        if (c == QLatin1Char(',')) {
            record << field;
            field.clear();
            ++i;
        } else if (c == QLatin1Char('\r')) {
            if (i + 1 >= n || text.at(i + 1) != QLatin1Char('\n'))
                return std::nullopt;
            record << field;
            field.clear();
            records << record;
            record.clear();
            i += 2;
        } else if (c == QLatin1Char('\n') || c == QLatin1Char('"')) {
            return std::nullopt;   // bare LF or a quote inside an unquoted field
        } else {
            field += c;
            ++i;
        }
    }
    if (!field.isEmpty() || !record.isEmpty())
        return std::nullopt;       // the last record must end with CRLF too
    return records;
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}


// A CSV export: its first line is "# " and the header object (docs/export-format.md); the rest
// is RFC 4180. Returns the header object and the RFC 4180 part.
std::pair<QJsonObject, QByteArray> splitCsvComment(const QByteArray &bytes)
{
    if (!bytes.startsWith("# {"))
        return {};
    const qsizetype end = bytes.indexOf("\r\n");
    return {QJsonDocument::fromJson(bytes.mid(2, end - 2)).object(), bytes.mid(end + 2)};
}

} // namespace

class tst_Exporter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jsonLinesRoundTrip();
    void csvRoundTrip();
    void filters_data();
    void filters();
    void progressAndCancel();
    void refusesUnwritableDevice();
    void writesThroughQSaveFile();
    void lostEventFields();
    void headerRecordsEveryFilter();

private:
    QList<EventLogEntry> allRowsOldestFirst(const EventFilter &filter = {});
    QByteArray exportBytes(ExportOptions::Format format, const EventFilter &filter = {});

    QTemporaryDir m_dir;
    QString m_path;
};

void tst_Exporter::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("export.sqlite"));
    EventLogOptions options;
    options.maintenanceInterval = 0ms;
    options.retentionDays = 0;
    EventLog log(m_path, options);
    QVERIFY(log.open());

    // Hostile text: separators, quotes, CR/LF, tabs, backslashes, control characters, non-ASCII.
    const QStringList messages{
        QStringLiteral("plain"),
        QStringLiteral("comma, separated, words"),
        QStringLiteral("she said \"resume\" twice"),
        QStringLiteral("line one\nline two\r\nline three"),
        QStringLiteral("tab\there, backslash \\ and slash /"),
        QStringLiteral("control \x01\x1f chars"),
        QStringLiteral("naïve café — ✓ 🚀"),
        QStringLiteral("\"leading quote"),
        QString(),
        QStringLiteral(" spaces around "),
    };
    const QList<EventKind> kinds{EventKind::Hello, EventKind::Close, EventKind::Resumed, EventKind::Error,
                                 EventKind::State};
    // Times around a leap day and a year boundary, to check the hand-written ISO 8601 formatter.
    const QList<QDateTime> specialTimes{
        QDateTime(QDate(1970, 1, 1), QTime(0, 0), Qt::UTC),
        QDateTime(QDate(1999, 12, 31), QTime(23, 59, 59, 999), Qt::UTC),
        QDateTime(QDate(2024, 2, 29), QTime(12, 0, 0, 1), Qt::UTC),
        QDateTime(QDate(2100, 3, 1), QTime(0, 0, 0, 10), Qt::UTC),
    };
    for (int i = 0; i < 200; ++i) {
        EventLogEntry e;
        e.at = i < specialTimes.size() ? specialTimes.at(i) : k_t0.addMSecs(qint64(i) * 1001);
        e.accountId = QStringLiteral("id-%1").arg(i % 3);
        e.accountName = i % 3 == 2 ? QStringLiteral("name, with \"quotes\"") : QStringLiteral("bot %1").arg(i % 3);
        e.kind = kinds.at(i % kinds.size());
        e.severity = Severity(i % 4);
        e.message = messages.at(i % messages.size());
        if (i % 2 == 0) {
            e.fields = {{QStringLiteral("code"), 4000 + i},
                        {QStringLiteral("meaning"), messages.at((i + 3) % messages.size())},
                        {QStringLiteral("nested"), QJsonObject{{QStringLiteral("list"), QJsonArray{1, true, QJsonValue()}}}}};
        }
        log.append(e);
    }
    QVERIFY(log.flush());
}

QList<EventLogEntry> tst_Exporter::allRowsOldestFirst(const EventFilter &filter)
{
    EventQuery query(m_path);
    if (!query.open())
        return {};
    auto rows = query.page(filter, 0, 100'000);
    if (!rows)
        return {};
    QList<EventLogEntry> out = std::move(rows).value();
    std::reverse(out.begin(), out.end());
    return out;
}

QByteArray tst_Exporter::exportBytes(ExportOptions::Format format, const EventFilter &filter)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    Exporter exporter(m_path);
    ExportOptions options;
    options.format = format;
    options.filter = filter;
    const auto written = exporter.exportTo(&buffer, options);
    if (!written)
        return {};
    return buffer.data();
}

void tst_Exporter::jsonLinesRoundTrip()
{
    const QByteArray bytes = exportBytes(ExportOptions::Format::JsonLines);
    QVERIFY(bytes.endsWith('\n'));
    QList<QByteArray> lines = bytes.split('\n');
    lines.removeLast();   // after the final newline
    const QList<EventLogEntry> rows = allRowsOldestFirst();
    QCOMPARE(rows.size(), 200);
    QCOMPARE(lines.size(), rows.size() + 1);

    QJsonParseError error;
    const QJsonObject header = QJsonDocument::fromJson(lines.at(0), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(header.value(QStringLiteral("schema")).toString(), QStringLiteral("gatewatch-events"));
    QCOMPARE(header.value(QStringLiteral("version")).toInt(), k_exportFormatVersion);
    QVERIFY(header.value(QStringLiteral("from")).isNull());
    QVERIFY(QDateTime::fromString(header.value(QStringLiteral("exported_at")).toString(), Qt::ISODateWithMs).isValid());

    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject o = QJsonDocument::fromJson(lines.at(i + 1), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        const EventLogEntry &e = rows.at(i);
        QCOMPARE(o.value(QStringLiteral("v")).toInt(), k_exportFormatVersion);
        QCOMPARE(o.value(QStringLiteral("id")).toInteger(), e.id);
        QCOMPARE(o.value(QStringLiteral("ts")).toString(), iso(e.at));
        QCOMPARE(QDateTime::fromString(o.value(QStringLiteral("ts")).toString(), Qt::ISODateWithMs), e.at);
        QCOMPARE(o.value(QStringLiteral("account_id")).toString(), e.accountId);
        QCOMPARE(o.value(QStringLiteral("account")).toString(), e.accountName);
        QCOMPARE(o.value(QStringLiteral("kind")).toString(), eventKindName(e.kind));
        QCOMPARE(o.value(QStringLiteral("severity")).toString(), severityName(e.severity));
        QCOMPARE(o.value(QStringLiteral("message")).toString(), e.message);
        QCOMPARE(o.value(QStringLiteral("fields")).toObject(), e.fields);
        QCOMPARE(o.size(), 9);   // exactly the documented keys
    }
}

void tst_Exporter::csvRoundTrip()
{
    const QByteArray bytes = exportBytes(ExportOptions::Format::Csv);
    QVERIFY(bytes.contains("\"comma, separated, words\""));
    QVERIFY(bytes.contains("\"she said \"\"resume\"\" twice\""));
    QVERIFY(bytes.contains("\"line one\nline two\r\nline three\""));
    const auto [comment, body] = splitCsvComment(bytes);
    QCOMPARE(comment.value(QStringLiteral("schema")).toString(), QStringLiteral("gatewatch-events"));
    QCOMPARE(comment.value(QStringLiteral("version")).toInt(), k_exportFormatVersion);
    const auto records = parseCsv(body);
    QVERIFY2(records, "the export is not valid RFC 4180");
    const QList<EventLogEntry> rows = allRowsOldestFirst();
    QCOMPARE(records->size(), rows.size() + 1);
    QCOMPARE(records->at(0), (QStringList{QStringLiteral("v"), QStringLiteral("id"), QStringLiteral("ts"),
                                          QStringLiteral("account_id"), QStringLiteral("account"),
                                          QStringLiteral("kind"), QStringLiteral("severity"),
                                          QStringLiteral("message"), QStringLiteral("fields")}));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QStringList &r = records->at(i + 1);
        const EventLogEntry &e = rows.at(i);
        QCOMPARE(r.size(), 9);
        QCOMPARE(r.at(0), QString::number(k_exportFormatVersion));
        QCOMPARE(r.at(1).toLongLong(), e.id);
        QCOMPARE(r.at(2), iso(e.at));
        QCOMPARE(r.at(3), e.accountId);
        QCOMPARE(r.at(4), e.accountName);
        QCOMPARE(r.at(5), eventKindName(e.kind));
        QCOMPARE(r.at(6), severityName(e.severity));
        QCOMPARE(r.at(7), e.message);
        if (e.fields.isEmpty())
            QVERIFY(r.at(8).isEmpty());
        else
            QCOMPARE(QJsonDocument::fromJson(r.at(8).toUtf8()).object(), e.fields);
    }
}

void tst_Exporter::filters_data()
{
    QTest::addColumn<int>("fromRow");   // -1: open
    QTest::addColumn<int>("toRow");
    QTest::addColumn<QStringList>("accounts");
    QTest::addColumn<QList<EventKind>>("kinds");

    QTest::newRow("range") << 10 << 50 << QStringList{} << QList<EventKind>{};
    QTest::newRow("one account") << -1 << -1 << QStringList{QStringLiteral("id-1")} << QList<EventKind>{};
    QTest::newRow("two accounts, two kinds") << -1 << -1 << QStringList{QStringLiteral("id-0"), QStringLiteral("id-2")}
                                             << QList<EventKind>{EventKind::Close, EventKind::Error};
    QTest::newRow("everything at once") << 20 << 150 << QStringList{QStringLiteral("id-2")}
                                        << QList<EventKind>{EventKind::Hello};
    QTest::newRow("nothing") << -1 << -1 << QStringList{QStringLiteral("nobody")} << QList<EventKind>{};
}

void tst_Exporter::filters()
{
    QFETCH(int, fromRow);
    QFETCH(int, toRow);
    QFETCH(QStringList, accounts);
    QFETCH(QList<EventKind>, kinds);

    EventFilter filter;
    filter.accountIds = accounts;
    filter.kinds = kinds;
    if (fromRow >= 0)
        filter.from = k_t0.addMSecs(qint64(fromRow) * 1001);
    if (toRow >= 0)
        filter.to = k_t0.addMSecs(qint64(toRow) * 1001);

    const QList<EventLogEntry> expected = allRowsOldestFirst(filter);
    QList<qint64> expectedIds;
    for (const EventLogEntry &e : expected) {
        QVERIFY(accounts.isEmpty() || accounts.contains(e.accountId));
        QVERIFY(kinds.isEmpty() || kinds.contains(e.kind));
        expectedIds << e.id;
    }

    QList<QByteArray> lines = exportBytes(ExportOptions::Format::JsonLines, filter).split('\n');
    lines.removeLast();
    QVERIFY(!lines.isEmpty());
    const QJsonObject header = QJsonDocument::fromJson(lines.takeFirst()).object();
    QCOMPARE(header.value(QStringLiteral("accounts")).toArray().size(), accounts.size());
    QCOMPARE(header.value(QStringLiteral("kinds")).toArray().size(), kinds.size());
    if (fromRow >= 0)
        QCOMPARE(header.value(QStringLiteral("from")).toString(), iso(filter.from));
    QList<qint64> jsonIds;
    for (const QByteArray &line : std::as_const(lines))
        jsonIds << QJsonDocument::fromJson(line).object().value(QStringLiteral("id")).toInteger();
    QCOMPARE(jsonIds, expectedIds);

    const auto csv = parseCsv(splitCsvComment(exportBytes(ExportOptions::Format::Csv, filter)).second);
    QVERIFY(csv);
    QList<qint64> csvIds;
    for (qsizetype i = 1; i < csv->size(); ++i)
        csvIds << csv->at(i).at(1).toLongLong();
    QCOMPARE(csvIds, expectedIds);
}

void tst_Exporter::progressAndCancel()
{
    Exporter exporter(m_path);
    QList<std::pair<qint64, qint64>> calls;
    exporter.setProgressCallback([&calls](qint64 done, qint64 total) { calls.append({done, total}); }, 64);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const auto written = exporter.exportTo(&buffer, {});
    QCOMPARE(written.value(), 200);
    QCOMPARE(calls.size(), 4);   // 64, 128, 192, and the final call
    QCOMPARE(calls.last(), std::make_pair(qint64(200), qint64(200)));
    QCOMPARE(calls.first().first, 64);

    // Cancel from the progress callback: the export stops with Cancelled at the next row.
    exporter.setProgressCallback([&exporter](qint64, qint64) { exporter.cancel(); }, 10);
    QBuffer second;
    second.open(QIODevice::WriteOnly);
    const auto cancelled = exporter.exportTo(&second, {});
    QVERIFY(!cancelled);
    QCOMPARE(cancelled.error().code, EventLogError::Code::Cancelled);

    // A new export after a cancel runs normally.
    exporter.setProgressCallback({});
    QBuffer third;
    third.open(QIODevice::WriteOnly);
    QCOMPARE(exporter.exportTo(&third, {}).value(), 200);
}

void tst_Exporter::refusesUnwritableDevice()
{
    Exporter exporter(m_path);
    QBuffer closed;
    const auto result = exporter.exportTo(&closed, {});
    QVERIFY(!result);
    QCOMPARE(result.error().code, EventLogError::Code::OutputFailed);

    Exporter missing(m_dir.filePath(QStringLiteral("missing.sqlite")));
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    QCOMPARE(missing.exportTo(&buffer, {}).error().code, EventLogError::Code::OpenFailed);
}

void tst_Exporter::writesThroughQSaveFile()
{
    const QString target = m_dir.filePath(QStringLiteral("events.jsonl"));
    QSaveFile file(target);
    QVERIFY(file.open(QIODevice::WriteOnly));
    Exporter exporter(m_path);
    QCOMPARE(exporter.exportTo(&file, {}).value(), 200);
    QVERIFY(file.commit());
    QFile check(target);
    QVERIFY(check.open(QIODevice::ReadOnly));
    QCOMPARE(check.readAll().count('\n'), 201);
}

// The rows of lost-event accounting leave with their fields, in both formats: seq_gap's
// expected/got/lost, resumed's missed/lost, ready's gap, close's cause/session_kept.
void tst_Exporter::lostEventFields()
{
    const QString path = m_dir.filePath(QStringLiteral("lost.sqlite"));
    {
        EventLogOptions options;
        options.maintenanceInterval = 0ms;
        options.retentionDays = 0;
        EventLog log(path, options);
        QVERIFY(log.open());
        const auto add = [&log](int second, EventKind kind, Severity severity, const QString &message,
                                const QJsonObject &fields) {
            EventLogEntry e;
            e.at = k_t0.addSecs(second);
            e.accountId = QStringLiteral("id-1");
            e.accountName = QStringLiteral("bot");
            e.kind = kind;
            e.severity = severity;
            e.message = message;
            e.fields = fields;
            log.append(e);
        };
        add(0, EventKind::SeqGap, Severity::Warning, QStringLiteral("2 events missing: sequence jumped from 41 to 44"),
            {{QStringLiteral("expected"), 42}, {QStringLiteral("got"), 44}, {QStringLiteral("lost"), 2}});
        add(1, EventKind::Close, Severity::Info, QStringLiteral("closed by Gatewatch"),
            {{QStringLiteral("code"), 4000}, {QStringLiteral("cause"), QStringLiteral("op7")},
             {QStringLiteral("session_kept"), true}});
        add(2, EventKind::Resumed, Severity::Warning, QStringLiteral("RESUMED: 5 of 20 missed events replayed, 15 lost"),
            {{QStringLiteral("replayed"), 5}, {QStringLiteral("missed"), 20}, {QStringLiteral("lost"), 15}});
        add(3, EventKind::Ready, Severity::Warning, QStringLiteral("READY; events between … were not delivered"),
            {{QStringLiteral("gap_ms"), 12000}, {QStringLiteral("gap_from"), QStringLiteral("2026-12-03T10:41:07.000Z")},
             {QStringLiteral("gap_to"), QStringLiteral("2026-12-03T10:41:19.000Z")}});
        QVERIFY(log.flush());
    }
    const auto exportAs = [&path](ExportOptions::Format format) {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        ExportOptions options;
        options.format = format;
        return Exporter(path).exportTo(&buffer, options) ? buffer.data() : QByteArray();
    };
    QList<QByteArray> lines = exportAs(ExportOptions::Format::JsonLines).split('\n');
    QCOMPARE(lines.size(), 6);   // header, four rows, the empty tail
    const auto row = [&lines](int i) { return QJsonDocument::fromJson(lines.at(i)).object(); };
    QCOMPARE(row(0).value(QStringLiteral("version")).toInt(), k_exportFormatVersion);
    QCOMPARE(row(1).value(QStringLiteral("kind")).toString(), QStringLiteral("seq_gap"));
    QCOMPARE(row(1).value(QStringLiteral("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(row(1).value(QStringLiteral("fields")).toObject().value(QStringLiteral("lost")).toInt(), 2);
    QCOMPARE(row(2).value(QStringLiteral("severity")).toString(), QStringLiteral("info"));
    QCOMPARE(row(2).value(QStringLiteral("fields")).toObject().value(QStringLiteral("cause")).toString(), QStringLiteral("op7"));
    QVERIFY(row(2).value(QStringLiteral("fields")).toObject().value(QStringLiteral("session_kept")).toBool());
    QCOMPARE(row(3).value(QStringLiteral("fields")).toObject().value(QStringLiteral("missed")).toInt(), 20);
    QCOMPARE(row(3).value(QStringLiteral("fields")).toObject().value(QStringLiteral("lost")).toInt(), 15);
    QCOMPARE(row(4).value(QStringLiteral("fields")).toObject().value(QStringLiteral("gap_ms")).toInt(), 12000);

    const auto records = parseCsv(splitCsvComment(exportAs(ExportOptions::Format::Csv)).second);
    QVERIFY(records);
    QCOMPARE(records->size(), 5);
    QCOMPARE(records->at(1).at(0), QString::number(k_exportFormatVersion));
    QCOMPARE(records->at(1).at(5), QStringLiteral("seq_gap"));
    const auto fields = [&records](int i) { return QJsonDocument::fromJson(records->at(i).at(8).toUtf8()).object(); };
    QCOMPARE(fields(1).value(QStringLiteral("expected")).toInt(), 42);
    QCOMPARE(fields(2).value(QStringLiteral("cause")).toString(), QStringLiteral("op7"));
    QCOMPARE(fields(3).value(QStringLiteral("lost")).toInt(), 15);
    QCOMPARE(fields(4).value(QStringLiteral("gap_to")).toString(), QStringLiteral("2026-12-03T10:41:19.000Z"));
}


// Both formats say what they hold: range, accounts, kinds, severities and search text.
void tst_Exporter::headerRecordsEveryFilter()
{
    EventFilter filter;
    filter.from = k_t0.addSecs(10);
    filter.accountIds = {QStringLiteral("id-1")};
    filter.kinds = {EventKind::Close};
    filter.severities = {Severity::Warning, Severity::Error};
    filter.text = QStringLiteral("say \"resume\"");
    const QByteArray json = exportBytes(ExportOptions::Format::JsonLines, filter);
    const QJsonObject header = QJsonDocument::fromJson(json.left(json.indexOf('\n'))).object();
    const auto [comment, body] = splitCsvComment(exportBytes(ExportOptions::Format::Csv, filter));
    QVERIFY(body.startsWith("v,id,ts,"));
    for (const QJsonObject &h : {header, comment}) {
        QCOMPARE(h.value(QStringLiteral("from")).toString(), iso(filter.from));
        QVERIFY(h.value(QStringLiteral("to")).isNull());
        QCOMPARE(h.value(QStringLiteral("accounts")).toArray(), QJsonArray{QStringLiteral("id-1")});
        QCOMPARE(h.value(QStringLiteral("kinds")).toArray(), QJsonArray{QStringLiteral("close")});
        QCOMPARE(h.value(QStringLiteral("severities")).toArray(),
                 (QJsonArray{QStringLiteral("warning"), QStringLiteral("error")}));
        QCOMPARE(h.value(QStringLiteral("text")).toString(), filter.text);
    }
    // No filter: empty lists and a null text.
    const QByteArray all = exportBytes(ExportOptions::Format::JsonLines);
    const QJsonObject open = QJsonDocument::fromJson(all.left(all.indexOf('\n'))).object();
    QVERIFY(open.value(QStringLiteral("severities")).toArray().isEmpty());
    QVERIFY(open.value(QStringLiteral("text")).isNull());
}

QTEST_GUILESS_MAIN(tst_Exporter)
#include "tst_exporter.moc"
