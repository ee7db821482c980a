#include "eventquery.h"

#include "eventlogschema_p.h"
#include "eventsql_p.h"
#include "intervals_p.h"
#include "logging.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>

namespace gw {

namespace schema = eventlogschema;

namespace {

constexpr qint64 k_minMs = std::numeric_limits<qint64>::min();
constexpr qint64 k_maxMs = std::numeric_limits<qint64>::max();

qint64 lowerBound(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : k_minMs;
}

qint64 upperBound(const QDateTime &t)
{
    return t.isValid() ? t.toMSecsSinceEpoch() : k_maxMs;
}

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

using Failure = std::optional<EventLogError>;

EventLogError queryError(const QSqlQuery &query)
{
    return {EventLogError::Code::QueryFailed, query.lastError().text()};
}

std::optional<qint64> optionalInt(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toLongLong();
}

DisconnectRecord::Recovery recoveryFromName(const QString &name)
{
    if (name == QLatin1String("resume"))
        return DisconnectRecord::Recovery::Resume;
    if (name == QLatin1String("identify"))
        return DisconnectRecord::Recovery::Identify;
    return DisconnectRecord::Recovery::None;
}

} // namespace

QString recoveryName(DisconnectRecord::Recovery recovery)
{
    switch (recovery) {
    case DisconnectRecord::Recovery::None:
        return QStringLiteral("none");
    case DisconnectRecord::Recovery::Resume:
        return QStringLiteral("resume");
    case DisconnectRecord::Recovery::Identify:
        return QStringLiteral("identify");
    }
    return QStringLiteral("none");
}

class EventQuery::Private
{
public:
    explicit Private(QString path) : path(std::move(path)) {}

    const QString path;
    QString connectionName;
    QSqlDatabase db;
    std::atomic<sqlite3 *> handle{nullptr};   // db's, for interrupt() from another thread
    eventsql::SourceMap sources;

    [[nodiscard]] bool isOpen() const { return db.isValid() && db.isOpen(); }

    std::pair<QString, QString> source(int id)
    {
        auto it = sources.constFind(id);
        if (it == sources.cend()) {
            // A source added after open(): reload the (small) table once.
            if (auto fresh = eventsql::loadSources(db))
                sources = fresh.value();
            it = sources.constFind(id);
            if (it == sources.cend())
                return {};
        }
        return it.value();
    }

    EventLogEntry readRow(const QSqlQuery &query)
    {
        EventLogEntry e;
        e.id = query.value(0).toLongLong();
        e.at = utc(query.value(1).toLongLong());
        const auto [accountId, accountName] = source(query.value(2).toInt());
        e.accountId = accountId;
        e.accountName = accountName;
        e.kind = schema::kindFromCode(query.value(3).toInt()).value_or(EventKind::Error);
        e.severity = schema::severityFromCode(query.value(4).toInt()).value_or(Severity::Info);
        e.message = query.value(5).toString();
        const QVariant fields = query.value(6);
        if (!fields.isNull())
            e.fields = QJsonDocument::fromJson(fields.toByteArray()).object();
        return e;
    }

    // The WHERE clause of `filter`; NotOpen when the connection is not open.
    Expected<eventsql::Where, EventLogError> where(const EventFilter &filter)
    {
        if (!isOpen())
            return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
        return eventsql::where(db, filter);
    }

    enum class Direction { Older, Newer };

    // Keyset pagination from `cursor`: up to `limit` rows strictly older (newest first) or
    // strictly newer (oldest first) than it.
    Expected<QList<EventLogEntry>, EventLogError> keysetPage(const EventFilter &filter, EventCursor cursor, int limit,
                                                             Direction direction)
    {
        const auto w = where(filter);
        if (!w)
            return w.error();
        QVariantList values = w->values;
        values << cursor.atMs << cursor.atMs << cursor.id << qint64(std::max(0, limit));
        // "at <= X" first so SQLite walks the (at) index from X downwards (upwards for newer rows).
        const QString sql = direction == Direction::Older
            ? QStringLiteral("SELECT %1 FROM %2 WHERE %3 AND at <= ? AND (at < ? OR id < ?) "
                             "ORDER BY at DESC, id DESC LIMIT ?")
            : QStringLiteral("SELECT %1 FROM %2 WHERE %3 AND at >= ? AND (at > ? OR id > ?) "
                             "ORDER BY at ASC, id ASC LIMIT ?");
        return rows(sql.arg(QLatin1String(eventsql::k_columns), w->from, w->clause), values);
    }

    // A forward-only query of `sql` with positional `values`, executed and ready for next().
    Expected<QSqlQuery, EventLogError> select(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            return queryError(query);
        for (const QVariant &v : values)
            query.addBindValue(v);
        if (!query.exec())
            return queryError(query);
        return query;
    }

    Expected<QList<EventLogEntry>, EventLogError> rows(const QString &sql, const QVariantList &values)
    {
        auto query = select(sql, values);
        if (!query)
            return query.error();
        QList<EventLogEntry> out;
        while (query.value().next())
            out.append(readRow(query.value()));
        return out;
    }

    // The period [from, to) of a report in ms, `now` for rows still open, and the time the
    // monitor ran in it.
    struct Period
    {
        qint64 from = 0;
        qint64 to = 0;
        qint64 now = 0;
        intervals::List monitored;
    };

    // nullopt for an invalid or empty period (its report is all zeros).
    Expected<std::optional<Period>, EventLogError> period(const QDateTime &from, const QDateTime &to,
                                                          const QDateTime &now)
    {
        if (!isOpen())
            return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
        Period p;
        p.from = from.toMSecsSinceEpoch();
        p.to = to.toMSecsSinceEpoch();
        p.now = (now.isValid() ? now : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch();
        if (!from.isValid() || !to.isValid() || p.to <= p.from)
            return std::optional<Period>();
        auto running = monitored(p.from, p.to, p.now);
        if (!running)
            return running.error();
        p.monitored = std::move(running).value();
        return std::optional<Period>(std::move(p));
    }

    // A report over [from, to): zeros for an invalid or empty period, else filled by `fill`
    // (which returns a failure or nullopt).
    template <typename Report, typename Fill>
    Expected<Report, EventLogError> report(const QDateTime &from, const QDateTime &to, const QDateTime &now, Fill fill)
    {
        const auto p = period(from, to, now);
        if (!p)
            return p.error();
        Report report;
        report.from = from;
        report.to = to;
        if (!p.value())
            return report;
        if (const Failure failure = fill(*p.value(), report))
            return *failure;
        return report;
    }

    // The rows of `table` that overlap the period (start_at < to, end_at open or > from), of one
    // account or of all when `accountId` is nullopt. Executed, ready for next().
    Expected<QSqlQuery, EventLogError> overlapping(const char *columns, const char *table, const Period &p,
                                                   const std::optional<QString> &accountId)
    {
        QVariantList values{p.to, p.from};
        if (accountId)
            values << *accountId;
        return select(QStringLiteral("SELECT %1 FROM %2 WHERE start_at < ? AND (end_at IS NULL OR end_at > ?)%3")
                          .arg(QLatin1String(columns), QLatin1String(table),
                               accountId ? QStringLiteral(" AND account_id = ?") : QString()),
                      values);
    }

    // The intervals during which the monitor ran, clipped to [from, to).
    Expected<intervals::List, EventLogError> monitored(qint64 from, qint64 to, qint64 now)
    {
        auto selected = select(QStringLiteral("SELECT started_at, last_alive_at, stopped_at, alive_interval_ms "
                                              "FROM monitor_runs WHERE started_at < ? ORDER BY started_at"),
                               {to});
        if (!selected)
            return selected.error();
        QSqlQuery &query = selected.value();
        intervals::List runs;
        while (query.next()) {
            const qint64 start = query.value(0).toLongLong();
            const qint64 lastAlive = query.value(1).toLongLong();
            qint64 end = lastAlive;
            if (!query.value(2).isNull()) {
                end = query.value(2).toLongLong();
            } else if (now - lastAlive <= 2 * query.value(3).toLongLong()) {
                end = std::max(now, lastAlive);   // still running (alive recently): up to now
            }
            runs.push_back({std::max(start, from), std::min(end, to)});
        }
        return intervals::normalized(std::move(runs));
    }
};

EventQuery::EventQuery(const QString &databasePath) : d(std::make_unique<Private>(databasePath)) {}

EventQuery::~EventQuery()
{
    d->handle = nullptr;
    if (d->db.isValid())
        schema::closeConnection(d->db, d->connectionName);
}

Expected<bool, EventLogError> EventQuery::open()
{
    if (d->isOpen())
        return true;
    if (!QFileInfo::exists(d->path))
        return EventLogError{EventLogError::Code::OpenFailed, QStringLiteral("no event log at %1").arg(d->path)};
    d->connectionName = schema::uniqueConnectionName(QLatin1String("gatewatch-eventquery"));
    auto db = schema::openConnection(d->path, d->connectionName, true);
    if (!db) {
        QSqlDatabase::removeDatabase(d->connectionName);
        return db.error();
    }
    d->db = db.value();
    const auto fail = [this](EventLogError error) -> Expected<bool, EventLogError> {
        schema::closeConnection(d->db, d->connectionName);
        return error;
    };
    const auto version = schema::schemaVersion(d->db);
    if (!version)
        return fail(version.error());
    if (version.value() != schema::k_currentVersion) {
        return fail({version.value() > schema::k_currentVersion ? EventLogError::Code::SchemaTooNew
                                                                 : EventLogError::Code::OpenFailed,
                     QStringLiteral("the event log has schema version %1, expected %2")
                         .arg(version.value())
                         .arg(schema::k_currentVersion)});
    }
    auto sources = eventsql::loadSources(d->db);
    if (!sources)
        return fail(sources.error());
    d->sources = sources.value();
    d->handle = schema::nativeHandle(d->db);
    return true;
}

void EventQuery::interrupt() const
{
    if (sqlite3 *h = d->handle)
        sqlite3_interrupt(h);
}

bool EventQuery::isOpen() const
{
    return d->isOpen();
}

Expected<qint64, EventLogError> EventQuery::count(const EventFilter &filter) const
{
    const auto w = d->where(filter);
    if (!w)
        return w.error();
    auto query = d->select(QStringLiteral("SELECT count(*) FROM %1 WHERE %2").arg(w->from, w->clause), w->values);
    if (!query)
        return query.error();
    if (!query.value().next())
        return queryError(query.value());
    return query.value().value(0).toLongLong();
}

Expected<QList<EventLogEntry>, EventLogError> EventQuery::page(const EventFilter &filter, qint64 offset,
                                                               int limit) const
{
    const auto w = d->where(filter);
    if (!w)
        return w.error();
    QVariantList values = w->values;
    values << qint64(std::max(0, limit)) << std::max<qint64>(0, offset);
    return d->rows(QStringLiteral("SELECT %1 FROM %2 WHERE %3 ORDER BY at DESC, id DESC LIMIT ? OFFSET ?")
                       .arg(QLatin1String(eventsql::k_columns), w->from, w->clause),
                   values);
}

Expected<QList<EventLogEntry>, EventLogError> EventQuery::pageBefore(const EventFilter &filter, EventCursor cursor,
                                                                     int limit) const
{
    return d->keysetPage(filter, cursor, limit, Private::Direction::Older);
}

Expected<QList<EventLogEntry>, EventLogError> EventQuery::pageAfter(const EventFilter &filter, EventCursor cursor,
                                                                    int limit) const
{
    auto rows = d->keysetPage(filter, cursor, limit, Private::Direction::Newer);
    if (!rows)
        return rows;
    QList<EventLogEntry> out = std::move(rows).value();
    std::reverse(out.begin(), out.end());
    return out;
}

Expected<QList<EventAccount>, EventLogError> EventQuery::accounts() const
{
    if (!d->isOpen())
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
    // The newest source row of an account holds its latest name (bare column with max()).
    auto selected = d->select(QStringLiteral("SELECT account_id, account_name, max(id) FROM sources "
                                             "WHERE account_id <> '' GROUP BY account_id ORDER BY account_name"));
    if (!selected)
        return selected.error();
    QSqlQuery &query = selected.value();
    QList<EventAccount> out;
    while (query.next())
        out.append({query.value(0).toString(), query.value(1).toString()});
    return out;
}

Expected<QList<DisconnectRecord>, EventLogError> EventQuery::disconnects(const QString &accountId,
                                                                         const QDateTime &from,
                                                                         const QDateTime &to) const
{
    if (!d->isOpen())
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
    QVariantList values{lowerBound(from), upperBound(to)};
    if (!accountId.isEmpty())
        values << accountId;
    auto selected = d->select(
        QStringLiteral("SELECT id, account_id, account_name, start_at, end_at, close_code, meaning, initiator, "
                       "recovered_by, fatal, events_lost, replayed, seq_before, seq_after, close_count, "
                       "close_event_id, end_event_id, missed, lost, cause FROM disconnects WHERE start_at >= ? AND start_at < ? %1 "
                       "ORDER BY start_at DESC, id DESC")
            .arg(accountId.isEmpty() ? QString() : QStringLiteral("AND account_id = ?")),
        values);
    if (!selected)
        return selected.error();
    QSqlQuery &query = selected.value();
    QList<DisconnectRecord> out;
    while (query.next()) {
        DisconnectRecord r;
        r.id = query.value(0).toLongLong();
        r.accountId = query.value(1).toString();
        r.accountName = query.value(2).toString();
        r.start = utc(query.value(3).toLongLong());
        if (!query.value(4).isNull())
            r.end = utc(query.value(4).toLongLong());
        if (!query.value(5).isNull())
            r.closeCode = query.value(5).toInt();
        r.meaning = query.value(6).toString();
        r.initiator = query.value(7).toString();
        r.recoveredBy = recoveryFromName(query.value(8).toString());
        r.fatal = query.value(9).toBool();
        r.eventsLost = query.value(10).toBool();
        r.replayed = optionalInt(query.value(11));
        r.seqBefore = optionalInt(query.value(12));
        r.seqAfter = optionalInt(query.value(13));
        r.closeCount = query.value(14).toInt();
        r.closeEventId = query.value(15).toLongLong();
        r.endEventId = query.value(16).toLongLong();
        r.missed = optionalInt(query.value(17));
        r.lost = optionalInt(query.value(18));
        r.cause = query.value(19).toString();
        out.append(r);
    }
    return out;
}

Expected<UptimeReport, EventLogError> EventQuery::uptime(const QString &accountId, const QDateTime &from,
                                                         const QDateTime &to, const QDateTime &now) const
{
    return d->report<UptimeReport>(from, to, now, [&](const Private::Period &p, UptimeReport &report) -> Failure {
        auto query = d->overlapping("up, start_at, end_at", "account_spans", p, accountId);
        if (!query)
            return query.error();
        QSqlQuery &rows = query.value();
        intervals::List up;
        intervals::List down;
        while (rows.next()) {
            const qint64 start = std::max(rows.value(1).toLongLong(), p.from);
            const qint64 end = rows.value(2).isNull() ? p.to : std::min(rows.value(2).toLongLong(), p.to);
            (rows.value(0).toBool() ? up : down).push_back({start, end});
        }
        report.upMs = intervals::measure(intervals::intersected(intervals::normalized(std::move(up)), p.monitored));
        report.downMs = intervals::measure(intervals::intersected(intervals::normalized(std::move(down)), p.monitored));
        report.monitoredMs = report.upMs + report.downMs;
        report.noDataMs = (p.to - p.from) - report.monitoredMs;
        if (report.monitoredMs > 0)
            report.percent = 100.0 * double(report.upMs) / double(report.monitoredMs);
        return std::nullopt;
    });
}

Expected<DowntimeSummary, EventLogError> EventQuery::downtimeSummary(const QString &accountId, const QDateTime &from,
                                                                     const QDateTime &to, const QDateTime &now) const
{
    return d->report<DowntimeSummary>(from, to, now, [&](const Private::Period &p, DowntimeSummary &summary) -> Failure {
        auto query = d->overlapping("start_at, end_at, recovered_by", "disconnects", p,
                                    accountId.isEmpty() ? std::nullopt : std::optional<QString>(accountId));
        if (!query)
            return query.error();
        QSqlQuery &rows = query.value();
        while (rows.next()) {
            const qint64 start = rows.value(0).toLongLong();
            const bool open = rows.value(1).isNull();
            const qint64 end = open ? std::max(p.now, start) : rows.value(1).toLongLong();
            const qint64 overlap = intervals::measure(
                intervals::intersected({{std::max(start, p.from), std::min(end, p.to)}}, p.monitored));
            summary.totalDowntimeMs += overlap;
            summary.longestMs = std::max(summary.longestMs, overlap);
            if (start < p.from)
                continue;   // began before the period: its downtime counts, the disconnect does not
            ++summary.disconnects;
            switch (recoveryFromName(rows.value(2).toString())) {
            case DisconnectRecord::Recovery::Resume:
                ++summary.recoveredByResume;
                break;
            case DisconnectRecord::Recovery::Identify:
                ++summary.recoveredByIdentify;
                break;
            case DisconnectRecord::Recovery::None:
                ++summary.unrecovered;
                break;
            }
        }
        return std::nullopt;
    });
}

Expected<QList<MonitorRun>, EventLogError> EventQuery::monitorRuns(const QDateTime &from, const QDateTime &to) const
{
    if (!d->isOpen())
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
    auto selected = d->select(QStringLiteral("SELECT id, started_at, last_alive_at, stopped_at, crashed FROM monitor_runs "
                                             "WHERE started_at < ? AND coalesce(stopped_at, last_alive_at) >= ? "
                                             "ORDER BY started_at"),
                              {upperBound(to), lowerBound(from)});
    if (!selected)
        return selected.error();
    QSqlQuery &query = selected.value();
    QList<MonitorRun> out;
    while (query.next()) {
        MonitorRun run;
        run.id = query.value(0).toLongLong();
        run.start = utc(query.value(1).toLongLong());
        run.lastAlive = utc(query.value(2).toLongLong());
        if (!query.value(3).isNull())
            run.stopped = utc(query.value(3).toLongLong());
        run.crashed = query.value(4).toBool();
        out.append(run);
    }
    return out;
}

Expected<QList<HeartbeatSample>, EventLogError> EventQuery::heartbeats(const QString &accountId,
                                                                       const QDateTime &from,
                                                                       const QDateTime &to) const
{
    if (!d->isOpen())
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
    auto selected = d->select(QStringLiteral("SELECT at, latency_ms FROM heartbeats WHERE account_id = ? AND at >= ? "
                                             "AND at < ? ORDER BY at"),
                              {accountId, lowerBound(from), upperBound(to)});
    if (!selected)
        return selected.error();
    QSqlQuery &query = selected.value();
    QList<HeartbeatSample> out;
    while (query.next())
        out.append({utc(query.value(0).toLongLong()), query.value(1).toDouble()});
    return out;
}

Expected<QList<HeartbeatHourly>, EventLogError> EventQuery::heartbeatHourly(const QString &accountId,
                                                                            const QDateTime &from,
                                                                            const QDateTime &to) const
{
    if (!d->isOpen())
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("not open")};
    auto selected = d->select(QStringLiteral("SELECT hour_start, count, sum_ms, min_ms, max_ms FROM heartbeat_hourly "
                                             "WHERE account_id = ? AND hour_start >= ? AND hour_start < ? "
                                             "ORDER BY hour_start"),
                              {accountId, lowerBound(from), upperBound(to)});
    if (!selected)
        return selected.error();
    QSqlQuery &query = selected.value();
    QList<HeartbeatHourly> out;
    while (query.next()) {
        HeartbeatHourly h;
        h.hourStart = utc(query.value(0).toLongLong());
        h.count = query.value(1).toLongLong();
        h.sumMs = query.value(2).toDouble();
        h.minMs = query.value(3).toDouble();
        h.maxMs = query.value(4).toDouble();
        out.append(h);
    }
    return out;
}

} // namespace gw
