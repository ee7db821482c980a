#include "exporter.h"

#include "eventlogschema_p.h"
#include "eventsql_p.h"
#include "logging.h"

#include <QDateTime>
#include <QHash>
#include <QFileInfo>
#include <QIODevice>
#include <QSqlDatabase>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <string_view>

namespace gw {

namespace schema = eventlogschema;

namespace {

constexpr qsizetype k_writeChunk = 256 * 1024;

// Hex digits for \u00XX escapes.
constexpr char k_hex[] = "0123456789abcdef";

void appendDigits(char *out, qint64 value, int width)
{
    for (int i = width - 1; i >= 0; --i) {
        out[i] = char('0' + value % 10);
        value /= 10;
    }
}

// "2026-01-31T23:59:59.123Z" without QDateTime (which was a third of the export's CPU time):
// Howard Hinnant's civil_from_days.
void appendIsoUtc(QByteArray &out, qint64 ms)
{
    qint64 days = ms / 86'400'000;
    qint64 rem = ms % 86'400'000;
    if (rem < 0) {
        rem += 86'400'000;
        --days;
    }
    days += 719'468;
    const qint64 era = (days >= 0 ? days : days - 146'096) / 146'097;
    const qint64 doe = days - era * 146'097;
    const qint64 yoe = (doe - doe / 1460 + doe / 36'524 - doe / 146'096) / 365;
    const qint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const qint64 mp = (5 * doy + 2) / 153;
    const qint64 day = doy - (153 * mp + 2) / 5 + 1;
    const qint64 month = mp < 10 ? mp + 3 : mp - 9;
    const qint64 year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    std::array<char, 24> buf{};
    appendDigits(buf.data(), std::clamp<qint64>(year, 0, 9999), 4);
    buf[4] = '-';
    appendDigits(buf.data() + 5, month, 2);
    buf[7] = '-';
    appendDigits(buf.data() + 8, day, 2);
    buf[10] = 'T';
    appendDigits(buf.data() + 11, rem / 3'600'000, 2);
    buf[13] = ':';
    appendDigits(buf.data() + 14, rem / 60'000 % 60, 2);
    buf[16] = ':';
    appendDigits(buf.data() + 17, rem / 1000 % 60, 2);
    buf[19] = '.';
    appendDigits(buf.data() + 20, rem % 1000, 3);
    buf[23] = 'Z';
    out.append(buf.data(), qsizetype(buf.size()));
}

void appendJsonString(QByteArray &out, const char *s, qsizetype n)
{
    out += '"';
    const char *run = s;
    const char *end = s + n;
    for (const char *p = s; p != end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: {
            const char esc[] = {'\\', 'u', '0', '0', k_hex[c >> 4], k_hex[c & 0xf]};
            out.append(esc, 6);
        }
        }
    }
    out.append(run, end - run);
    out += '"';
}

void appendJsonString(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    appendJsonString(out, utf8.constData(), utf8.size());
}

// RFC 4180: a field with a comma, a quote, CR or LF is quoted, and quotes inside are doubled.
void appendCsvField(QByteArray &out, const char *s, qsizetype n)
{
    bool quote = false;
    for (qsizetype i = 0; i < n && !quote; ++i) {
        const char c = s[i];
        quote = c == ',' || c == '"' || c == '\r' || c == '\n';
    }
    if (!quote) {
        out.append(s, n);
        return;
    }
    out += '"';
    const char *run = s;
    const char *end = s + n;
    for (const char *p = s; p != end; ++p) {
        if (*p == '"') {
            out.append(run, p - run + 1);   // up to and including the quote…
            out += '"';                     // …which is doubled
            run = p + 1;
        }
    }
    out.append(run, end - run);
    out += '"';
}

void appendCsvField(QByteArray &out, const QString &s)
{
    const QByteArray utf8 = s.toUtf8();
    appendCsvField(out, utf8.constData(), utf8.size());
}

// The two formats write the same fields in the same order; what differs is the text around
// them (and how the message and fields are quoted, see RowWriter::appendRow).
struct RowSyntax
{
    std::string_view open, beforeId, beforeTs, afterTs, afterSource, beforeSeverity, beforeMessage, beforeFields,
        close;
};

constexpr RowSyntax k_jsonRow{"{\"v\":", ",\"id\":", ",\"ts\":\"", "\",", "\"kind\":\"", "\",\"severity\":\"",
                              "\",\"message\":", ",\"fields\":", "}\n"};
constexpr RowSyntax k_csvRow{"", ",", ",", ",", "", ",", ",", ",", "\r\n"};

void put(QByteArray &out, std::string_view text)
{
    out.append(text.data(), qsizetype(text.size()));
}

// Formats rows of `SELECT eventsql::k_columns` in one of the export formats, with the text of
// every source, kind and severity computed once.
class RowWriter
{
public:
    RowWriter(bool json, const eventsql::SourceMap &sources)
        : m_json(json), m_syntax(json ? k_jsonRow : k_csvRow), m_version(QByteArray::number(k_exportFormatVersion))
    {
        for (auto it = sources.cbegin(); it != sources.cend(); ++it)
            m_sources.insert(it.key(), sourceText(it.value().first, it.value().second));
        m_unknownSource = sourceText(QString(), QString());
        // Kind and severity names by stored code (codes are small integers).
        for (int code = 0; code < int(m_kinds.size()); ++code) {
            const auto kind = schema::kindFromCode(code);
            m_kinds[size_t(code)] = kind ? eventKindName(*kind).toUtf8() : QByteArrayLiteral("unknown");
        }
        for (int code = 0; code < int(m_severities.size()); ++code) {
            const auto severity = schema::severityFromCode(code);
            m_severities[size_t(code)] = severity ? severityName(*severity).toUtf8() : QByteArrayLiteral("unknown");
        }
    }

    //! JSON Lines: the header object on line 1. CSV: the same object on a comment line ("# "),
    //! then the header record. Both record every filter the export applied.
    void appendHeader(QByteArray &buf, const EventFilter &filter) const
    {
        if (!m_json)
            buf += "# ";
        buf += "{\"schema\":\"gatewatch-events\",\"version\":";
        buf += m_version;
        buf += ",\"exported_at\":\"";
        appendIsoUtc(buf, QDateTime::currentMSecsSinceEpoch());
        buf += "\",\"generator\":\"gatewatch " GATEWATCH_VERSION "\",\"from\":";
        appendBound(buf, filter.from);
        buf += ",\"to\":";
        appendBound(buf, filter.to);
        const auto appendList = [&buf](const char *key, const QStringList &values) {
            buf += ",\"";
            buf += key;
            buf += "\":[";
            for (qsizetype i = 0; i < values.size(); ++i) {
                if (i > 0)
                    buf += ',';
                appendJsonString(buf, values.at(i));
            }
            buf += ']';
        };
        appendList("accounts", filter.accountIds);
        QStringList kinds;
        for (const EventKind kind : filter.kinds)
            kinds << eventKindName(kind);
        appendList("kinds", kinds);
        QStringList severities;
        for (const Severity severity : filter.severities)
            severities << severityName(severity);
        appendList("severities", severities);
        buf += ",\"text\":";
        if (filter.text.isEmpty())
            buf += "null";
        else
            appendJsonString(buf, filter.text);
        buf += m_json ? "}\n" : "}\r\nv,id,ts,account_id,account,kind,severity,message,fields\r\n";
    }

    void appendRow(QByteArray &buf, sqlite3_stmt *stmt) const
    {
        const auto source = m_sources.constFind(sqlite3_column_int(stmt, 2));
        const int kind = sqlite3_column_int(stmt, 3);
        const int severity = sqlite3_column_int(stmt, 4);
        put(buf, m_syntax.open);
        buf += m_version;
        put(buf, m_syntax.beforeId);
        buf += QByteArray::number(sqlite3_column_int64(stmt, 0));
        put(buf, m_syntax.beforeTs);
        appendIsoUtc(buf, sqlite3_column_int64(stmt, 1));
        put(buf, m_syntax.afterTs);
        buf += source == m_sources.cend() ? m_unknownSource : source.value();
        put(buf, m_syntax.afterSource);
        buf += kind >= 0 && kind < int(m_kinds.size()) ? m_kinds[size_t(kind)] : m_kinds[0];
        put(buf, m_syntax.beforeSeverity);
        buf += severity >= 0 && severity < int(m_severities.size()) ? m_severities[size_t(severity)] : m_severities[7];
        put(buf, m_syntax.beforeMessage);
        const auto *message = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 5));
        const qsizetype messageSize = sqlite3_column_bytes(stmt, 5);
        const auto *fields = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 6));
        const qsizetype fieldsSize = fields ? sqlite3_column_bytes(stmt, 6) : 0;
        if (m_json) {
            appendJsonString(buf, message ? message : "", messageSize);
            put(buf, m_syntax.beforeFields);
            // Stored as compact JSON written by QJsonDocument: copied as is.
            if (fieldsSize > 0)
                buf.append(fields, fieldsSize);
            else
                buf += "{}";
        } else {
            appendCsvField(buf, message ? message : "", messageSize);
            put(buf, m_syntax.beforeFields);
            if (fieldsSize > 0)
                appendCsvField(buf, fields, fieldsSize);
        }
        put(buf, m_syntax.close);
    }

private:
    // "account_id":"…","account":"…",   or   account_id,account,
    QByteArray sourceText(const QString &accountId, const QString &accountName) const
    {
        QByteArray text;
        if (m_json) {
            text += "\"account_id\":";
            appendJsonString(text, accountId);
            text += ",\"account\":";
            appendJsonString(text, accountName);
        } else {
            appendCsvField(text, accountId);
            text += ',';
            appendCsvField(text, accountName);
        }
        text += ',';
        return text;
    }

    static void appendBound(QByteArray &buf, const QDateTime &t)
    {
        if (!t.isValid()) {
            buf += "null";
            return;
        }
        buf += '"';
        appendIsoUtc(buf, t.toMSecsSinceEpoch());
        buf += '"';
    }

    const bool m_json;
    const RowSyntax &m_syntax;
    const QByteArray m_version;
    QHash<int, QByteArray> m_sources;
    QByteArray m_unknownSource;
    std::array<QByteArray, 64> m_kinds;
    std::array<QByteArray, 8> m_severities;
};

// Prepares `sql` and binds the WHERE clause's values to it.
bool prepareFiltered(sqlite3 *h, const QString &sql, const eventsql::Where &where, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(h, sql.toUtf8().constData(), -1, stmt, nullptr) != SQLITE_OK)
        return false;
    int index = 1;
    for (const QVariant &v : where.values) {
        if (v.typeId() == QMetaType::QString) {
            const QByteArray text = v.toString().toUtf8();
            sqlite3_bind_text(*stmt, index++, text.constData(), int(text.size()), SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_int64(*stmt, index++, v.toLongLong());
        }
    }
    return true;
}

EventLogError queryError(sqlite3 *h)
{
    return {EventLogError::Code::QueryFailed, QString::fromUtf8(sqlite3_errmsg(h))};
}

Expected<qint64, EventLogError> countRows(sqlite3 *h, const eventsql::Where &where)
{
    sqlite3_stmt *stmt = nullptr;
    qint64 total = -1;
    const bool ok = prepareFiltered(h, QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(where.from, where.clause),
                                    where, &stmt);
    if (ok && sqlite3_step(stmt) == SQLITE_ROW)
        total = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (!ok)
        return queryError(h);
    return total;
}

} // namespace

class Exporter::Private
{
public:
    explicit Private(QString path) : path(std::move(path)) {}

    const QString path;
    ProgressCallback progress;
    qint64 progressEvery = 10'000;
    std::atomic<bool> cancelled{false};

    Expected<qint64, EventLogError> run(QSqlDatabase &db, QIODevice *device, const ExportOptions &options);
    Expected<qint64, EventLogError> stream(sqlite3_stmt *stmt, const RowWriter &writer, QIODevice *device,
                                           const EventFilter &filter, qint64 total);
};

Expected<qint64, EventLogError> Exporter::Private::run(QSqlDatabase &db, QIODevice *device, const ExportOptions &options)
{
    sqlite3 *h = schema::nativeHandle(db);
    if (!h)
        return EventLogError{EventLogError::Code::OpenFailed, QStringLiteral("no native SQLite handle")};
    // One read transaction: the count, the sources and the rows all see the same snapshot.
    sqlite3_exec(h, "BEGIN", nullptr, nullptr, nullptr);
    struct EndRead
    {
        sqlite3 *h;
        ~EndRead() { sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr); }
    } endRead{h};

    const auto where = eventsql::where(db, options.filter);
    if (!where)
        return where.error();
    const auto sources = eventsql::loadSources(db);
    if (!sources)
        return sources.error();
    const auto total = progress ? countRows(h, where.value()) : Expected<qint64, EventLogError>(qint64(-1));
    if (!total)
        return total.error();

    sqlite3_stmt *stmt = nullptr;
    // Time order, oldest first, straight off the (at) index (or the text index's few candidates,
    // sorted): forward-only, row by row.
    if (!prepareFiltered(h, QStringLiteral("SELECT %1 FROM %2 WHERE %3 ORDER BY at, id")
                                .arg(QLatin1String(eventsql::k_columns), where->from, where->clause),
                         where.value(), &stmt)) {
        sqlite3_finalize(stmt);
        return queryError(h);
    }
    struct Finalize
    {
        sqlite3_stmt *s;
        ~Finalize() { sqlite3_finalize(s); }
    } finalize{stmt};

    const RowWriter writer(options.format == ExportOptions::Format::JsonLines, sources.value());
    return stream(stmt, writer, device, options.filter, total.value());
}

Expected<qint64, EventLogError> Exporter::Private::stream(sqlite3_stmt *stmt, const RowWriter &writer,
                                                          QIODevice *device, const EventFilter &filter, qint64 total)
{
    QByteArray buf;
    buf.reserve(k_writeChunk + 64 * 1024);
    const auto writeOut = [device, &buf]() {
        const qint64 written = device->write(buf);
        const bool ok = written == buf.size();
        buf.clear();
        return ok;
    };
    writer.appendHeader(buf, filter);
    qint64 rows = 0;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (cancelled.load(std::memory_order_relaxed))
            return EventLogError{EventLogError::Code::Cancelled, QStringLiteral("export cancelled")};
        writer.appendRow(buf, stmt);
        ++rows;
        if (buf.size() >= k_writeChunk && !writeOut())
            return EventLogError{EventLogError::Code::OutputFailed, device->errorString()};
        if (progress && rows % progressEvery == 0)
            progress(rows, total);
    }
    if (rc != SQLITE_DONE)
        return queryError(sqlite3_db_handle(stmt));
    if (!buf.isEmpty() && !writeOut())
        return EventLogError{EventLogError::Code::OutputFailed, device->errorString()};
    if (progress)
        progress(rows, total);
    return rows;
}

Exporter::Exporter(const QString &databasePath) : d(std::make_unique<Private>(databasePath)) {}

Exporter::~Exporter() = default;

void Exporter::setProgressCallback(ProgressCallback callback, qint64 everyRows)
{
    d->progress = std::move(callback);
    d->progressEvery = std::max<qint64>(1, everyRows);
}

void Exporter::cancel()
{
    d->cancelled.store(true, std::memory_order_relaxed);
}

Expected<qint64, EventLogError> Exporter::exportTo(QIODevice *device, const ExportOptions &options)
{
    d->cancelled.store(false, std::memory_order_relaxed);
    if (!device || !device->isWritable())
        return EventLogError{EventLogError::Code::OutputFailed, QStringLiteral("the export target is not writable")};
    if (!QFileInfo::exists(d->path))
        return EventLogError{EventLogError::Code::OpenFailed, QStringLiteral("no event log at %1").arg(d->path)};

    const QString connectionName = schema::uniqueConnectionName(QLatin1String("gatewatch-export"));
    const auto result = [&]() -> Expected<qint64, EventLogError> {
        auto opened = schema::openConnection(d->path, connectionName, true);
        if (!opened)
            return opened.error();
        QSqlDatabase db = opened.value();
        auto written = d->run(db, device, options);
        db.close();
        return written;
    }();
    QSqlDatabase::removeDatabase(connectionName);
    if (result)
        qCInfo(lcEventLog) << "exported" << result.value() << "events";
    else
        qCWarning(lcEventLog) << "export failed:" << result.error().message;
    return result;
}

} // namespace gw
