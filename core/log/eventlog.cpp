#include "eventlog.h"

#include "eventlogschema_p.h"
#include "logging.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <optional>
#include <vector>

using namespace std::chrono_literals;

namespace gw {

namespace schema = eventlogschema;

namespace {

constexpr qint64 k_msPerHour = 3'600'000;
constexpr qint64 k_msPerDay = 86'400'000;

struct PendingEvent
{
    qint64 id = 0;
    qint64 at = 0;
    int source = 0;
    int kind = 0;
    int severity = 0;
    QByteArray message;              // UTF-8, redacted
    QByteArray fields;               // compact JSON, empty when there are none
    // Only for the kinds that feed the derived history:
    std::optional<EventKind> derivedKind;
    QString accountId;
    QString accountName;
    QJsonObject fieldObject;
};

struct PendingHeartbeat
{
    QString accountId;
    qint64 at = 0;
    double latencyMs = 0.0;
};

struct NewSource
{
    int id = 0;
    QString accountId;
    QString accountName;
};

struct OpenSpan
{
    qint64 id = 0;
    bool up = false;
};

struct HourlyKey
{
    QString accountId;
    qint64 hourStart = 0;
    friend bool operator==(const HourlyKey &a, const HourlyKey &b)
    {
        return a.hourStart == b.hourStart && a.accountId == b.accountId;
    }
    friend size_t qHash(const HourlyKey &key, size_t seed = 0) noexcept
    {
        return qHashMulti(seed, key.accountId, key.hourStart);
    }
};

struct HourlyAggregate
{
    qint64 count = 0;
    double sum = 0.0;
    double min = 0.0;
    double max = 0.0;
};

bool isDerivedKind(EventKind kind)
{
    switch (kind) {
    case EventKind::State:
    case EventKind::Close:
    case EventKind::InvalidSession:
    case EventKind::Resumed:
    case EventKind::Ready:
    case EventKind::Fatal:
    case EventKind::MonitorStarted:
    case EventKind::MonitorStopped:
        return true;
    case EventKind::Hello:
    case EventKind::Identify:
    case EventKind::Resume:
    case EventKind::ReconnectRequested:
    case EventKind::Zombie:
    case EventKind::HelloTimeout:
    case EventKind::ReadyTimeout:
    case EventKind::WatchdogTimeout:
    case EventKind::ReconnectScheduled:
    case EventKind::Error:
    case EventKind::UserAction:
    case EventKind::GatewayInfo:
        return false;
    }
    return false;
}

QJsonValue redactValue(const QJsonValue &value, const std::function<QString(const QString &)> &redactor)
{
    if (value.isString())
        return redactor(value.toString());
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            it.value() = redactValue(it.value(), redactor);
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (auto it = array.begin(); it != array.end(); ++it)
            *it = redactValue(*it, redactor);
        return array;
    }
    return value;
}

QVariant optionalInt(const QJsonObject &fields, QLatin1String key)
{
    const QJsonValue v = fields.value(key);
    if (v.isDouble())
        return QVariant::fromValue(qint64(v.toDouble()));
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().toLongLong(&ok);
        if (ok)
            return QVariant::fromValue(n);
    }
    return QVariant(QMetaType::fromType<qint64>());
}

QVariant optionalText(const QJsonObject &fields, QLatin1String key)
{
    const QJsonValue v = fields.value(key);
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble());
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QVariant(QMetaType::fromType<QString>());
}

// The three classes of account state for uptime: ready/degraded count as up; `stopped` (paused
// or not started) is no data, like the time Gatewatch did not run; everything else is down.
enum class StateClass { Up, Down, NoData };

StateClass classifyState(const QString &state)
{
    if (state == QLatin1String("ready") || state == QLatin1String("degraded"))
        return StateClass::Up;
    if (state == QLatin1String("stopped"))
        return StateClass::NoData;
    return StateClass::Down;
}

} // namespace

class EventLog::Private
{
public:
    Private(EventLog *q, QString path, EventLogOptions options)
        : q(q), path(std::move(path)), options(std::move(options))
    {
    }

    EventLog *const q;
    const QString path;
    EventLogOptions options;
    QString connectionName;
    QSqlDatabase db;
    sqlite3 *handle = nullptr;
    sqlite3_stmt *insertEvent = nullptr;
    sqlite3_stmt *insertHeartbeat = nullptr;
    int version = 0;
    std::unordered_map<QString, sqlite3_stmt *> statements;

    QTimer commitTimer;
    QTimer aliveTimer;
    QTimer maintenanceTimer;

    std::vector<PendingEvent> pending;
    std::vector<PendingHeartbeat> pendingHeartbeats;
    std::vector<NewSource> newSources;
    bool aliveDirty = false;

    qint64 nextId = 1;
    qint64 lastCommittedId = 0;
    int nextSourceId = 1;
    QHash<QString, QList<std::pair<QString, int>>> sources;   // account id → (name, source id)

    // Derived-history state, mirrored from the database (reloaded after a failed commit).
    QHash<QString, qint64> openDisconnects;                    // account id → disconnects.id
    QHash<QString, OpenSpan> openSpans;                         // account id → account_spans row
    qint64 currentRun = 0;                                      // monitor_runs.id, 0 when none

    [[nodiscard]] qint64 now() const
    {
        return (options.clock ? options.clock() : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch();
    }

    [[nodiscard]] QString redact(const QString &text) const
    {
        return options.redactor ? options.redactor(text) : text;
    }

    [[nodiscard]] QString sqliteError() const
    {
        return handle ? QString::fromUtf8(sqlite3_errmsg(handle)) : QStringLiteral("not open");
    }

    int sourceFor(const QString &accountId, const QString &accountName)
    {
        auto &names = sources[accountId];
        for (const auto &[name, id] : std::as_const(names)) {
            if (name == accountName)
                return id;
        }
        const int id = nextSourceId++;
        names.append({accountName, id});
        newSources.push_back({id, accountId, accountName});
        return id;
    }

    bool prepareStatements(QString *error)
    {
        const auto prepare = [this, error](const char *sql, sqlite3_stmt **stmt) {
            if (sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
                return true;
            *error = sqliteError();
            return false;
        };
        return prepare("INSERT INTO events (id, at, source, kind, severity, message, fields) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       &insertEvent)
               && prepare("INSERT INTO heartbeats (account_id, at, latency_ms) VALUES (?, ?, ?)",
                          &insertHeartbeat);
    }

    void finalizeStatements()
    {
        for (const auto &[sql, stmt] : statements)
            sqlite3_finalize(stmt);
        statements.clear();
        sqlite3_finalize(insertEvent);
        sqlite3_finalize(insertHeartbeat);
        insertEvent = nullptr;
        insertHeartbeat = nullptr;
    }

    // Reads ids, sources and the open derived rows back from the database: at open, and after a
    // failed commit (whose in-memory changes were rolled back on disk).
    bool loadState(QString *error)
    {
        QSqlQuery query(db);
        query.setForwardOnly(true);
        const auto fail = [&query, error] {
            *error = query.lastError().text();
            return false;
        };
        if (!query.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM events")) || !query.next())
            return fail();
        lastCommittedId = query.value(0).toLongLong();
        qint64 highWater = lastCommittedId;
        if (!query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'last_event_id'")))
            return fail();
        if (query.next())
            highWater = std::max(highWater, query.value(0).toLongLong());
        nextId = highWater + 1;

        sources.clear();
        newSources.clear();
        nextSourceId = 1;
        if (!query.exec(QStringLiteral("SELECT id, account_id, account_name FROM sources")))
            return fail();
        while (query.next()) {
            const int id = query.value(0).toInt();
            sources[query.value(1).toString()].append({query.value(2).toString(), id});
            nextSourceId = std::max(nextSourceId, id + 1);
        }

        openDisconnects.clear();
        if (!query.exec(QStringLiteral("SELECT id, account_id FROM disconnects WHERE end_at IS NULL")))
            return fail();
        while (query.next())
            openDisconnects.insert(query.value(1).toString(), query.value(0).toLongLong());

        openSpans.clear();
        if (!query.exec(QStringLiteral("SELECT id, account_id, up FROM account_spans WHERE end_at IS NULL")))
            return fail();
        while (query.next())
            openSpans.insert(query.value(1).toString(), {query.value(0).toLongLong(), query.value(2).toBool()});

        currentRun = 0;
        if (!query.exec(QStringLiteral("SELECT id FROM monitor_runs WHERE stopped_at IS NULL ORDER BY id DESC LIMIT 1")))
            return fail();
        if (query.next())
            currentRun = query.value(0).toLongLong();
        return true;
    }

    // A run still open when the database is opened belongs to a process that ended without
    // monitor_stopped (a crash, a kill): it ends at its last-alive time, and so do the account
    // spans that were open in it ("no data" after that, not "up").
    bool closeOrphanedRun(QString *error)
    {
        QSqlQuery query(db);
        if (!query.exec(QStringLiteral("SELECT id, last_alive_at FROM monitor_runs WHERE stopped_at IS NULL"))) {
            *error = query.lastError().text();
            return false;
        }
        std::vector<std::pair<qint64, qint64>> orphans;
        while (query.next())
            orphans.emplace_back(query.value(0).toLongLong(), query.value(1).toLongLong());
        query.finish();
        qint64 spanEnd = 0;
        if (orphans.empty()) {
            if (!query.exec(QStringLiteral("SELECT coalesce(max(at), 0) FROM events")) || !query.next()) {
                *error = query.lastError().text();
                return false;
            }
            spanEnd = query.value(0).toLongLong();
            query.finish();
        }
        if (orphans.empty() && openSpans.isEmpty())
            return true;
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        QSqlQuery update(db);
        update.prepare(QStringLiteral("UPDATE monitor_runs SET stopped_at = last_alive_at, crashed = 1 WHERE id = ?"));
        for (const auto &[id, lastAlive] : orphans) {
            qCWarning(lcEventLog) << "monitor run" << id << "ended without monitor_stopped; closing it at"
                                  << QDateTime::fromMSecsSinceEpoch(lastAlive, Qt::UTC);
            update.addBindValue(id);
            if (!update.exec()) {
                *error = update.lastError().text();
                db.rollback();
                return false;
            }
            spanEnd = std::max(spanEnd, lastAlive);
        }
        QSqlQuery spans(db);
        spans.prepare(QStringLiteral("UPDATE account_spans SET end_at = max(start_at, ?) WHERE end_at IS NULL"));
        spans.addBindValue(spanEnd);
        if (!spans.exec() || !db.commit()) {
            *error = spans.lastError().text();
            db.rollback();
            return false;
        }
        openSpans.clear();
        currentRun = 0;
        return true;
    }

    bool bindAndStep(sqlite3_stmt *stmt)
    {
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        return rc == SQLITE_DONE;
    }

    bool writeEvent(const PendingEvent &e)
    {
        sqlite3_stmt *s = insertEvent;
        sqlite3_bind_int64(s, 1, e.id);
        sqlite3_bind_int64(s, 2, e.at);
        sqlite3_bind_int(s, 3, e.source);
        sqlite3_bind_int(s, 4, e.kind);
        sqlite3_bind_int(s, 5, e.severity);
        // Never a null pointer: SQLite would store NULL, and message is NOT NULL.
        sqlite3_bind_text(s, 6, e.message.isNull() ? "" : e.message.constData(), int(e.message.size()), SQLITE_STATIC);
        if (e.fields.isEmpty())
            sqlite3_bind_null(s, 7);
        else
            sqlite3_bind_text(s, 7, e.fields.constData(), int(e.fields.size()), SQLITE_STATIC);
        return bindAndStep(s);
    }

    // The derived-history statements run for a good share of a real stream (state changes,
    // closes, recoveries): each is prepared once and bound without QSqlQuery's per-value cost.
    bool execBound(const QString &sql, const QVariantList &values, QString *error, qint64 *insertId = nullptr)
    {
        auto it = statements.find(sql);
        if (it == statements.end()) {
            sqlite3_stmt *stmt = nullptr;
            if (sqlite3_prepare_v3(handle, sql.toUtf8().constData(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr)
                != SQLITE_OK) {
                *error = sqliteError();
                return false;
            }
            it = statements.emplace(sql, stmt).first;
        }
        sqlite3_stmt *stmt = it->second;
        for (int i = 0; i < int(values.size()); ++i) {
            const QVariant &v = values.at(i);
            if (v.isNull()) {
                sqlite3_bind_null(stmt, i + 1);
            } else if (v.typeId() == QMetaType::QString) {
                const QByteArray text = v.toString().toUtf8();
                sqlite3_bind_text(stmt, i + 1, text.constData(), int(text.size()), SQLITE_TRANSIENT);
            } else if (v.typeId() == QMetaType::Double) {
                sqlite3_bind_double(stmt, i + 1, v.toDouble());
            } else {
                sqlite3_bind_int64(stmt, i + 1, v.toLongLong());
            }
        }
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (rc != SQLITE_DONE) {
            *error = sqliteError();
            return false;
        }
        if (insertId)
            *insertId = sqlite3_last_insert_rowid(handle);
        return true;
    }

    bool closeAllSpans(qint64 at, QString *error)
    {
        for (auto it = openSpans.cbegin(); it != openSpans.cend(); ++it) {
            if (!execBound(QStringLiteral("UPDATE account_spans SET end_at = max(start_at, ?) WHERE id = ?"),
                           {at, it.value().id}, error)) {
                return false;
            }
        }
        openSpans.clear();
        return true;
    }

    // The derived history, in event order, inside the batch's transaction (issue G4 §2).
    bool applyDerived(const PendingEvent &e, QString *error)
    {
        const QJsonObject &f = e.fieldObject;
        switch (*e.derivedKind) {
        case EventKind::MonitorStarted: {
            // Only the monitor's own rows (no account) bound a monitored interval; a supervisor's
            // per-account start/stop is informational (its state rows open and close its spans).
            if (!e.accountId.isEmpty())
                return true;
            if (currentRun != 0)
                return true;   // already running: a repeated start changes nothing
            if (!closeAllSpans(e.at, error))
                return false;
            return execBound(QStringLiteral("INSERT INTO monitor_runs (started_at, last_alive_at, alive_interval_ms) "
                                            "VALUES (?, ?, ?)"),
                             {e.at, e.at, qint64(options.aliveInterval.count())}, error, &currentRun);
        }
        case EventKind::MonitorStopped: {
            if (!e.accountId.isEmpty())
                return true;
            if (currentRun == 0)
                return true;
            if (!execBound(QStringLiteral("UPDATE monitor_runs SET stopped_at = max(started_at, ?), "
                                          "last_alive_at = max(started_at, ?) WHERE id = ?"),
                           {e.at, e.at, currentRun}, error)) {
                return false;
            }
            currentRun = 0;
            return closeAllSpans(e.at, error);
        }
        case EventKind::State: {
            const StateClass cls = classifyState(f.value(QLatin1String("state")).toString());
            const auto open = openSpans.constFind(e.accountId);
            const bool hasOpen = open != openSpans.cend();
            const bool up = cls == StateClass::Up;
            if (hasOpen && cls != StateClass::NoData && open->up == up)
                return true;   // same class: the span goes on
            if (hasOpen) {
                if (!execBound(QStringLiteral("UPDATE account_spans SET end_at = max(start_at, ?) WHERE id = ?"),
                               {e.at, open->id}, error)) {
                    return false;
                }
                openSpans.remove(e.accountId);
            }
            if (cls == StateClass::NoData)
                return true;
            qint64 id = 0;
            if (!execBound(QStringLiteral("INSERT INTO account_spans (account_id, up, start_at) VALUES (coalesce(?, ''), ?, ?)"),
                           {e.accountId, up ? 1 : 0, e.at}, error, &id)) {
                return false;
            }
            openSpans.insert(e.accountId, {id, up});
            return true;
        }
        case EventKind::Close:
        case EventKind::InvalidSession: {
            if (const auto it = openDisconnects.constFind(e.accountId); it != openDisconnects.cend()) {
                // Still down: a failed attempt closed again. Count it; the first close is the cause.
                if (*e.derivedKind == EventKind::InvalidSession)
                    return true;
                return execBound(QStringLiteral("UPDATE disconnects SET close_count = close_count + 1 WHERE id = ?"),
                                 {it.value()}, error);
            }
            const bool isClose = *e.derivedKind == EventKind::Close;
            qint64 id = 0;
            if (!execBound(QStringLiteral("INSERT INTO disconnects (account_id, account_name, start_at, close_code, "
                                          "meaning, initiator, seq_before, close_event_id) "
                                          "VALUES (coalesce(?, ''), coalesce(?, ''), ?, ?, ?, ?, ?, ?)"),
                           {e.accountId, e.accountName, e.at,
                            isClose ? optionalInt(f, QLatin1String("code")) : QVariant(QMetaType::fromType<qint64>()),
                            isClose ? optionalText(f, QLatin1String("meaning")) : QVariant(QStringLiteral("invalid session")),
                            isClose ? optionalText(f, QLatin1String("initiator")) : QVariant(QStringLiteral("server")),
                            optionalInt(f, QLatin1String("seq")), e.id},
                           error, &id)) {
                return false;
            }
            openDisconnects.insert(e.accountId, id);
            return true;
        }
        case EventKind::Resumed: {
            const auto it = openDisconnects.constFind(e.accountId);
            if (it == openDisconnects.cend())
                return true;
            if (!execBound(QStringLiteral("UPDATE disconnects SET end_at = max(start_at, ?), recovered_by = 'resume', "
                                          "events_lost = 0, replayed = ?, seq_before = coalesce(?, seq_before), "
                                          "seq_after = ?, end_event_id = ? WHERE id = ?"),
                           {e.at, optionalInt(f, QLatin1String("replayed")), optionalInt(f, QLatin1String("seq_before")),
                            optionalInt(f, QLatin1String("seq_after")), e.id, it.value()},
                           error)) {
                return false;
            }
            openDisconnects.erase(it);
            return true;
        }
        case EventKind::Ready: {
            const auto it = openDisconnects.constFind(e.accountId);
            if (it == openDisconnects.cend())
                return true;
            if (!execBound(QStringLiteral("UPDATE disconnects SET end_at = max(start_at, ?), recovered_by = 'identify', "
                                          "events_lost = 1, end_event_id = ? WHERE id = ?"),
                           {e.at, e.id, it.value()}, error)) {
                return false;
            }
            openDisconnects.erase(it);
            return true;
        }
        case EventKind::Fatal: {
            const auto it = openDisconnects.constFind(e.accountId);
            if (it == openDisconnects.cend())
                return true;
            return execBound(QStringLiteral("UPDATE disconnects SET fatal = 1 WHERE id = ?"), {it.value()}, error);
        }
        case EventKind::Hello:
        case EventKind::Identify:
        case EventKind::Resume:
        case EventKind::ReconnectRequested:
        case EventKind::Zombie:
        case EventKind::HelloTimeout:
        case EventKind::ReadyTimeout:
        case EventKind::WatchdogTimeout:
        case EventKind::ReconnectScheduled:
        case EventKind::Error:
        case EventKind::UserAction:
        case EventKind::GatewayInfo:
            return true;
        }
        return true;
    }

    bool writeHeartbeats(QString *error)
    {
        QHash<HourlyKey, HourlyAggregate> hours;
        for (const PendingHeartbeat &h : pendingHeartbeats) {
            const QByteArray account = h.accountId.toUtf8();
            sqlite3_bind_text(insertHeartbeat, 1, account.constData(), int(account.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insertHeartbeat, 2, h.at);
            sqlite3_bind_double(insertHeartbeat, 3, h.latencyMs);
            if (!bindAndStep(insertHeartbeat)) {
                *error = sqliteError();
                return false;
            }
            const qint64 hour = h.at - (((h.at % k_msPerHour) + k_msPerHour) % k_msPerHour);
            HourlyAggregate &agg = hours[{h.accountId, hour}];
            if (agg.count == 0) {
                agg.min = h.latencyMs;
                agg.max = h.latencyMs;
            }
            ++agg.count;
            agg.sum += h.latencyMs;
            agg.min = std::min(agg.min, h.latencyMs);
            agg.max = std::max(agg.max, h.latencyMs);
        }
        for (auto it = hours.cbegin(); it != hours.cend(); ++it) {
            if (!execBound(QStringLiteral("INSERT INTO heartbeat_hourly (account_id, hour_start, count, sum_ms, min_ms, max_ms) "
                                          "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, hour_start) DO UPDATE SET "
                                          "count = count + excluded.count, sum_ms = sum_ms + excluded.sum_ms, "
                                          "min_ms = min(min_ms, excluded.min_ms), max_ms = max(max_ms, excluded.max_ms)"),
                           {it.key().accountId, it.key().hourStart, it.value().count, it.value().sum, it.value().min,
                            it.value().max},
                           error)) {
                return false;
            }
        }
        return true;
    }

    Expected<qint64, EventLogError> commitPending()
    {
        if (!handle)
            return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("the event log is not open")};
        commitTimer.stop();
        if (pending.empty() && pendingHeartbeats.empty() && newSources.empty() && !aliveDirty)
            return qint64(0);

        std::vector<PendingEvent> batch;
        batch.swap(pending);
        aliveDirty = false;

        QString error;
        const auto fail = [this, &error, &batch]() -> Expected<qint64, EventLogError> {
            sqlite3_exec(handle, "ROLLBACK", nullptr, nullptr, nullptr);
            pendingHeartbeats.clear();
            QString reloadError;
            if (!loadState(&reloadError))
                qCWarning(lcEventLog) << "event log: reloading state failed:" << reloadError;
            EventLogError e{EventLogError::Code::WriteFailed,
                            QStringLiteral("could not commit %1 events: %2").arg(batch.size()).arg(error)};
            qCWarning(lcEventLog) << e.message;
            Q_EMIT q->writeFailed(e);
            return e;
        };

        if (sqlite3_exec(handle, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
            error = sqliteError();
            return fail();
        }
        for (const NewSource &s : newSources) {
            if (!execBound(QStringLiteral("INSERT INTO sources (id, account_id, account_name) VALUES (?, coalesce(?, ''), coalesce(?, ''))"),
                           {s.id, s.accountId, s.accountName}, &error)) {
                return fail();
            }
        }
        for (const PendingEvent &e : batch) {
            if (!writeEvent(e)) {
                error = sqliteError();
                return fail();
            }
            if (e.derivedKind && !applyDerived(e, &error))
                return fail();
        }
        if (!pendingHeartbeats.empty() && !writeHeartbeats(&error))
            return fail();
        if (!batch.empty()
            && !execBound(QStringLiteral("INSERT INTO meta (key, value) VALUES ('last_event_id', ?) "
                                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                          {batch.back().id}, &error)) {
            return fail();
        }
        if (currentRun != 0
            && !execBound(QStringLiteral("UPDATE monitor_runs SET last_alive_at = max(last_alive_at, ?) WHERE id = ?"),
                          {now(), currentRun}, &error)) {
            return fail();
        }
        if (sqlite3_exec(handle, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
            error = sqliteError();
            return fail();
        }
        newSources.clear();
        pendingHeartbeats.clear();
        updateAliveTimer();
        if (batch.empty())
            return qint64(0);
        lastCommittedId = batch.back().id;
        Q_EMIT q->batchCommitted(lastCommittedId, int(batch.size()));
        return qint64(batch.size());
    }

    void updateAliveTimer()
    {
        if (currentRun != 0 && !aliveTimer.isActive())
            aliveTimer.start();
        else if (currentRun == 0)
            aliveTimer.stop();
    }

    void scheduleCommit()
    {
        if (int(pending.size() + pendingHeartbeats.size()) >= options.commitRows) {
            (void)commitPending();
            return;
        }
        if (!commitTimer.isActive())
            commitTimer.start();
    }
};

EventLog::EventLog(const QString &databasePath, EventLogOptions options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, databasePath, std::move(options)))
{
    d->options.commitRows = std::max(1, d->options.commitRows);
    // Children, so that moveToThread() (the app puts the log on a store thread) takes the timers
    // along; otherwise they stay on the constructing thread and never fire ("Timers cannot be
    // started from another thread"). Private is destroyed before QObject's destructor runs, and a
    // destroyed child leaves its parent's list, so there is no double delete.
    d->commitTimer.setParent(this);
    d->aliveTimer.setParent(this);
    d->maintenanceTimer.setParent(this);
    d->commitTimer.setSingleShot(true);
    d->commitTimer.setInterval(d->options.commitInterval);
    d->commitTimer.callOnTimeout(this, &EventLog::handleCommitTimeout);
    d->aliveTimer.setInterval(d->options.aliveInterval);
    d->aliveTimer.callOnTimeout(this, &EventLog::handleAliveTimeout);
    d->maintenanceTimer.setInterval(d->options.maintenanceInterval);
    d->maintenanceTimer.callOnTimeout(this, &EventLog::handleMaintenanceTimeout);
}

EventLog::~EventLog()
{
    if (d->handle) {
        (void)d->commitPending();
        d->finalizeStatements();
        d->handle = nullptr;
    }
    if (d->db.isValid()) {
        d->db.close();
        d->db = QSqlDatabase();
        QSqlDatabase::removeDatabase(d->connectionName);
    }
}

Expected<bool, EventLogError> EventLog::open()
{
    if (d->handle)
        return true;
    // The app data directory does not exist on a first run.
    QDir().mkpath(QFileInfo(d->path).absolutePath());
    d->connectionName = schema::uniqueConnectionName(QLatin1String("gatewatch-eventlog"));
    auto db = schema::openConnection(d->path, d->connectionName, false);
    if (!db) {
        QSqlDatabase::removeDatabase(d->connectionName);
        return db.error();
    }
    d->db = db.value();
    const auto closeWith = [this](EventLogError error) -> Expected<bool, EventLogError> {
        d->finalizeStatements();
        d->handle = nullptr;
        d->db.close();
        d->db = QSqlDatabase();
        QSqlDatabase::removeDatabase(d->connectionName);
        qCWarning(lcEventLog) << "event log" << d->path << "not opened:" << error.message;
        return error;
    };
    auto version = schema::migrate(d->db, schema::migrations());
    if (!version)
        return closeWith(version.error());
    d->version = version.value();
    d->handle = schema::nativeHandle(d->db);
    QString error;
    if (!d->handle)
        return closeWith({EventLogError::Code::OpenFailed, QStringLiteral("no native SQLite handle")});
    if (!d->prepareStatements(&error) || !d->loadState(&error) || !d->closeOrphanedRun(&error))
        return closeWith({EventLogError::Code::OpenFailed, error});
    qCInfo(lcEventLog) << "event log open:" << d->path << "schema" << d->version << "last id" << d->lastCommittedId;
    if (d->options.retentionDays > 0)
        (void)prune();
    if (d->options.maintenanceInterval > 0ms)
        d->maintenanceTimer.start();
    return true;
}

bool EventLog::isOpen() const
{
    return d->handle != nullptr;
}

QString EventLog::databasePath() const
{
    return d->path;
}

int EventLog::schemaVersion() const
{
    return d->version;
}

qint64 EventLog::append(const EventLogEntry &entry)
{
    if (!d->handle)
        return 0;
    PendingEvent e;
    e.id = d->nextId++;
    e.at = entry.at.isValid() ? entry.at.toMSecsSinceEpoch() : d->now();
    e.source = d->sourceFor(entry.accountId, entry.accountName);
    e.kind = schema::kindCode(entry.kind);
    e.severity = schema::severityCode(entry.severity);
    e.message = d->redact(entry.message).toUtf8();
    QJsonObject fields = entry.fields;
    if (d->options.redactor && !fields.isEmpty())
        fields = redactValue(fields, d->options.redactor).toObject();
    if (!fields.isEmpty())
        e.fields = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    if (isDerivedKind(entry.kind)) {
        e.derivedKind = entry.kind;
        e.accountId = entry.accountId;
        e.accountName = entry.accountName;
        e.fieldObject = std::move(fields);
    }
    const qint64 id = e.id;
    d->pending.push_back(std::move(e));
    d->scheduleCommit();
    return id;
}

void EventLog::addHeartbeat(const QString &accountId, const QDateTime &at, double latencyMs)
{
    if (!d->handle)
        return;
    d->pendingHeartbeats.push_back({accountId, at.isValid() ? at.toMSecsSinceEpoch() : d->now(), latencyMs});
    d->scheduleCommit();
}

Expected<qint64, EventLogError> EventLog::flush()
{
    return d->commitPending();
}

Expected<qint64, EventLogError> EventLog::prune()
{
    if (!d->handle)
        return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("the event log is not open")};
    if (auto flushed = d->commitPending(); !flushed)
        return flushed.error();
    const qint64 now = d->now();
    const qint64 rawCutoff = now - std::chrono::duration_cast<std::chrono::milliseconds>(d->options.rawHeartbeatWindow).count();
    const qint64 eventCutoff = d->options.retentionDays > 0 ? now - d->options.retentionDays * k_msPerDay
                                                            : std::numeric_limits<qint64>::min();
    QString error;
    QSqlQuery query(d->db);
    const auto run = [&query, &error](const QString &sql, qint64 cutoff) -> std::optional<qint64> {
        query.prepare(sql);
        query.addBindValue(cutoff);
        if (!query.exec()) {
            error = query.lastError().text();
            return std::nullopt;
        }
        return query.numRowsAffected();
    };
    if (!d->db.transaction())
        return EventLogError{EventLogError::Code::WriteFailed, d->db.lastError().text()};
    const auto events = run(QStringLiteral("DELETE FROM events WHERE at < ?"), eventCutoff);
    const auto samples = events ? run(QStringLiteral("DELETE FROM heartbeats WHERE at < ?"),
                                      std::max(rawCutoff, eventCutoff))
                                : std::nullopt;
    if (!events || !samples || !d->db.commit()) {
        d->db.rollback();
        return EventLogError{EventLogError::Code::WriteFailed, QStringLiteral("prune failed: %1").arg(error)};
    }
    if (*events > 0 || *samples > 0) {
        qCInfo(lcEventLog) << "pruned" << *events << "events and" << *samples << "raw heartbeat samples";
        Q_EMIT pruned(*events, *samples);
    }
    return *events;
}

void EventLog::setRetentionDays(int days)
{
    d->options.retentionDays = std::max(0, days);
}

int EventLog::retentionDays() const
{
    return d->options.retentionDays;
}

int EventLog::pendingCount() const
{
    return int(d->pending.size());
}

qint64 EventLog::lastCommittedId() const
{
    return d->lastCommittedId;
}

void EventLog::handleCommitTimeout()
{
    (void)d->commitPending();
}

void EventLog::handleAliveTimeout()
{
    d->aliveDirty = true;
    (void)d->commitPending();
}

void EventLog::handleMaintenanceTimeout()
{
    (void)prune();
}

} // namespace gw
