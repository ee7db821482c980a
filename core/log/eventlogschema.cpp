#include "eventlogschema_p.h"

#include "eventtextindex_p.h"
#include "logging.h"

#include <QDateTime>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <utility>

namespace gw::eventlogschema {

namespace {

// Stored codes: append only. Changing a code would silently relabel every stored row.
constexpr std::array<std::pair<EventKind, int>, 25> k_kindCodes{{
    {EventKind::State, 1},
    {EventKind::Hello, 2},
    {EventKind::Identify, 3},
    {EventKind::Resume, 4},
    {EventKind::Ready, 5},
    {EventKind::Resumed, 6},
    {EventKind::ReconnectRequested, 7},
    {EventKind::InvalidSession, 8},
    {EventKind::Close, 9},
    {EventKind::Zombie, 10},
    {EventKind::HelloTimeout, 11},
    {EventKind::ReadyTimeout, 12},
    {EventKind::WatchdogTimeout, 13},
    {EventKind::ReconnectScheduled, 14},
    {EventKind::Fatal, 15},
    {EventKind::Error, 16},
    {EventKind::UserAction, 17},
    {EventKind::MonitorStarted, 18},
    {EventKind::MonitorStopped, 19},
    {EventKind::GatewayInfo, 20},
    {EventKind::SeqGap, 21},
    {EventKind::Flapping, 22},
    {EventKind::FlappingEnded, 23},
    {EventKind::IdentifyBudgetWait, 24},
    {EventKind::RateLimited, 40},
}};

constexpr std::array<std::pair<Severity, int>, 4> k_severityCodes{{
    {Severity::Debug, 0},
    {Severity::Info, 1},
    {Severity::Warning, 2},
    {Severity::Error, 3},
}};

bool execAll(QSqlDatabase &db, const QStringList &statements, QString *error)
{
    for (const QString &sql : statements) {
        if (!exec(db, sql, error))
            return false;
    }
    return true;
}

// v1: everything. Times are UTC epoch milliseconds (INTEGER). Accounts are normalised into
// `sources` (one row per account id + display name) so the per-account index is on an integer:
// that index was the largest single cost of a batched insert (measured, docs/performance.md).
bool migrateToV1(QSqlDatabase &db, QString *error)
{
    QStringList sql{
        QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY, value)"),
        QStringLiteral("CREATE TABLE sources (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, "
                       "account_name TEXT NOT NULL, UNIQUE (account_id, account_name))"),
        QStringLiteral("CREATE TABLE kinds (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"),
        QStringLiteral("CREATE TABLE severities (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)"),
        QStringLiteral("CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, "
                       "source INTEGER NOT NULL, kind INTEGER NOT NULL, severity INTEGER NOT NULL, "
                       "message TEXT NOT NULL, fields TEXT)"),
        QStringLiteral("CREATE INDEX events_at ON events (at)"),
        QStringLiteral("CREATE INDEX events_source_at ON events (source, at)"),
        QStringLiteral("CREATE INDEX events_kind_at ON events (kind, at)"),
        // For people with the sqlite3 shell: the rows as the export shows them.
        QStringLiteral("CREATE VIEW events_view AS SELECT e.id, e.at, s.account_id, s.account_name, "
                       "k.name AS kind, v.name AS severity, e.message, e.fields FROM events e "
                       "JOIN sources s ON s.id = e.source LEFT JOIN kinds k ON k.code = e.kind "
                       "LEFT JOIN severities v ON v.code = e.severity"),
        QStringLiteral("CREATE TABLE heartbeats (account_id TEXT NOT NULL, at INTEGER NOT NULL, "
                       "latency_ms REAL NOT NULL)"),
        QStringLiteral("CREATE INDEX heartbeats_account_at ON heartbeats (account_id, at)"),
        QStringLiteral("CREATE INDEX heartbeats_at ON heartbeats (at)"),
        QStringLiteral("CREATE TABLE heartbeat_hourly (account_id TEXT NOT NULL, hour_start INTEGER NOT NULL, "
                       "count INTEGER NOT NULL, sum_ms REAL NOT NULL, min_ms REAL NOT NULL, "
                       "max_ms REAL NOT NULL, PRIMARY KEY (account_id, hour_start)) WITHOUT ROWID"),
        QStringLiteral("CREATE TABLE disconnects (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, "
                       "account_name TEXT NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER, "
                       "close_code INTEGER, meaning TEXT, initiator TEXT, "
                       "recovered_by TEXT NOT NULL DEFAULT 'none', fatal INTEGER NOT NULL DEFAULT 0, "
                       "events_lost INTEGER NOT NULL DEFAULT 0, replayed INTEGER, seq_before INTEGER, "
                       "seq_after INTEGER, close_count INTEGER NOT NULL DEFAULT 1, "
                       "close_event_id INTEGER, end_event_id INTEGER)"),
        QStringLiteral("CREATE INDEX disconnects_account_start ON disconnects (account_id, start_at)"),
        QStringLiteral("CREATE TABLE account_spans (id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, "
                       "up INTEGER NOT NULL, start_at INTEGER NOT NULL, end_at INTEGER)"),
        QStringLiteral("CREATE INDEX account_spans_account_start ON account_spans (account_id, start_at)"),
        QStringLiteral("CREATE TABLE monitor_runs (id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, "
                       "last_alive_at INTEGER NOT NULL, stopped_at INTEGER, "
                       "alive_interval_ms INTEGER NOT NULL, crashed INTEGER NOT NULL DEFAULT 0)"),
    };
    for (const auto &[kind, code] : k_kindCodes) {
        sql << QStringLiteral("INSERT INTO kinds (code, name) VALUES (%1, '%2')")
                   .arg(code)
                   .arg(eventKindName(kind));
    }
    for (const auto &[severity, code] : k_severityCodes) {
        sql << QStringLiteral("INSERT INTO severities (code, name) VALUES (%1, '%2')")
                   .arg(code)
                   .arg(severityName(severity));
    }
    return execAll(db, sql, error);
}

// v2: lost-event accounting. The kind `seq_gap` (code 21) for the view's kinds table, and on
// each disconnect what its RESUMED reported (missed, lost) and why it began (the close's cause).
bool migrateToV2(QSqlDatabase &db, QString *error)
{
    const QStringList sql{
        QStringLiteral("INSERT OR IGNORE INTO kinds (code, name) VALUES (%1, '%2')")
            .arg(kindCode(EventKind::SeqGap))
            .arg(eventKindName(EventKind::SeqGap)),
        QStringLiteral("ALTER TABLE disconnects ADD COLUMN missed INTEGER"),
        QStringLiteral("ALTER TABLE disconnects ADD COLUMN lost INTEGER"),
        QStringLiteral("ALTER TABLE disconnects ADD COLUMN cause TEXT"),
    };
    return execAll(db, sql, error);
}

// v3: open() finds the open disconnects and uptime spans (end_at IS NULL: at most one per
// account) without reading either table whole. Partial indexes hold only those rows; on a
// 1,000,000-event log the scans they replace took most of open(). And a severity filter in the
// event-log view walks (severity, at) instead of the whole table when few rows match
// ("Errors only": 0.7 s → under a millisecond on 1,000,000 rows; docs/performance.md).
bool migrateToV3(QSqlDatabase &db, QString *error)
{
    const QStringList sql{
        QStringLiteral("CREATE INDEX events_severity_at ON events (severity, at)"),
        QStringLiteral("CREATE INDEX disconnects_open ON disconnects (account_id) WHERE end_at IS NULL"),
        QStringLiteral("CREATE INDEX account_spans_open ON account_spans (account_id) WHERE end_at IS NULL"),
    };
    return execAll(db, sql, error);
}

// v4: the text index (eventtextindex_p.h). A text filter that matches few rows or none walked the
// whole log along (at): about half a second on 1,000,000 rows (docs/performance-store.md). An
// empty log gets it complete here; the rows of an older log are indexed once after open(), on the
// store's thread (EventLog), so that open() does not wait for it; until then text filters walk.
bool migrateToV4(QSqlDatabase &db, QString *error)
{
    if (!eventtextindex::create(db, error))
        return false;
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT EXISTS (SELECT 1 FROM events)")) || !query.next()) {
        *error = query.lastError().text();
        return false;
    }
    return query.value(0).toBool() || eventtextindex::complete(db, error);
}

} // namespace

int kindCode(EventKind kind)
{
    for (const auto &[k, code] : k_kindCodes) {
        if (k == kind)
            return code;
    }
    return 0;
}

std::optional<EventKind> kindFromCode(int code)
{
    for (const auto &[k, c] : k_kindCodes) {
        if (c == code)
            return k;
    }
    return std::nullopt;
}

int severityCode(Severity severity)
{
    for (const auto &[s, code] : k_severityCodes) {
        if (s == severity)
            return code;
    }
    return 1;
}

std::optional<Severity> severityFromCode(int code)
{
    for (const auto &[s, c] : k_severityCodes) {
        if (c == code)
            return s;
    }
    return std::nullopt;
}

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> steps{
        {1, &migrateToV1},
        {2, &migrateToV2},
        {3, &migrateToV3},
        {4, &migrateToV4},
    };
    return steps;
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    if (error)
        *error = query.lastError().text() + QStringLiteral(" [") + sql.left(80) + QStringLiteral("]");
    return false;
}

Expected<int, EventLogError> schemaVersion(QSqlDatabase &db)
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                                   "AND name = 'schema_version'"))
        || !query.next()) {
        return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
    }
    if (query.value(0).toInt() == 0)
        return 0;
    if (!query.exec(QStringLiteral("SELECT coalesce(max(version), 0) FROM schema_version")) || !query.next())
        return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
    return query.value(0).toInt();
}

Expected<int, EventLogError> migrate(QSqlDatabase &db, const std::vector<Migration> &steps)
{
    auto current = schemaVersion(db);
    if (!current)
        return current.error();
    int version = current.value();
    const int target = steps.empty() ? 0 : steps.back().version;
    if (version > target) {
        return EventLogError{EventLogError::Code::SchemaTooNew,
                             QStringLiteral("the event log has schema version %1; this build knows up to %2")
                                 .arg(version)
                                 .arg(target)};
    }
    QString error;
    if (version == 0
        && !exec(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                                    "applied_at INTEGER NOT NULL)"),
                 &error)) {
        return EventLogError{EventLogError::Code::MigrationFailed, error};
    }
    for (const Migration &step : steps) {
        if (step.version <= version)
            continue;
        if (!db.transaction())
            return EventLogError{EventLogError::Code::MigrationFailed, db.lastError().text()};
        QSqlQuery record(db);
        record.prepare(QStringLiteral("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"));
        record.addBindValue(step.version);
        record.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!step.apply(db, &error) || !record.exec()) {
            if (error.isEmpty())
                error = record.lastError().text();
            db.rollback();
            qCWarning(lcEventLog) << "migration to schema version" << step.version << "failed:" << error;
            return EventLogError{EventLogError::Code::MigrationFailed,
                                 QStringLiteral("migration to schema version %1 failed: %2")
                                     .arg(step.version)
                                     .arg(error)};
        }
        if (!db.commit())
            return EventLogError{EventLogError::Code::MigrationFailed, db.lastError().text()};
        qCInfo(lcEventLog) << "event log migrated to schema version" << step.version;
        version = step.version;
    }
    // Kinds added after a schema version (append-only codes) reach the view's kinds table
    // without a migration of their own; an older database simply gains the new names.
    if (!steps.empty()) {
        for (const auto &[kind, code] : k_kindCodes) {
            if (!exec(db, QStringLiteral("INSERT OR IGNORE INTO kinds (code, name) VALUES (%1, '%2')")
                              .arg(code)
                              .arg(eventKindName(kind)),
                      &error)) {
                return EventLogError{EventLogError::Code::MigrationFailed, error};
            }
        }
    }
    return version;
}

QString uniqueConnectionName(QLatin1String prefix)
{
    static std::atomic<quint64> counter{0};
    return prefix + QLatin1Char('-') + QString::number(++counter);
}

void closeConnection(QSqlDatabase &db, const QString &connectionName)
{
    if (db.isValid())
        db.close();
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(connectionName);
}

sqlite3 *nativeHandle(const QSqlDatabase &db)
{
    const QVariant v = db.driver()->handle();
    if (!v.isValid() || qstrcmp(v.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(v.constData());
}

Expected<QSqlDatabase, EventLogError> openConnection(const QString &path, const QString &connectionName,
                                                     bool readOnly)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    // Readers wait for a checkpoint or recovery instead of failing at once.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db.open()) {
        const QString message = db.lastError().text();
        return EventLogError{EventLogError::Code::OpenFailed,
                             QStringLiteral("cannot open the event log %1: %2").arg(path, message)};
    }
    QStringList pragmas{
        // Only takes effect when the file is created: 8 KiB pages measured ~10 % fewer CPU
        // cycles per batched insert than the 4 KiB default (fewer b-tree splits and WAL frames).
        QStringLiteral("PRAGMA page_size=8192"),
        // WAL: readers (the UI's EventQuery, an export) never block the writer, and a commit is
        // one sequential append to the -wal file.
        QStringLiteral("PRAGMA journal_mode=WAL"),
        // NORMAL in WAL mode: a committed transaction survives a crash of the process (it is in
        // the -wal file as soon as COMMIT returns; the OS holds it), which is what the store
        // promises (eventlog.h, "Durability") and tst_eventlog_crash checks with SIGKILL. Only a power loss or kernel panic
        // can lose the last commits, never corrupt the file. FULL would add one fsync per batch.
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        // Debian builds SQLite with SECURE_DELETE; zero-filling pruned pages only costs time.
        QStringLiteral("PRAGMA secure_delete=OFF"),
        QStringLiteral("PRAGMA temp_store=MEMORY"),
        QStringLiteral("PRAGMA cache_size=-32768"),
        // 32 MiB (4096 pages of 8 KiB) between checkpoints: fewer checkpoint passes (each one
        // fsyncs), and journal_size_limit keeps the WAL file bounded.
        QStringLiteral("PRAGMA wal_autocheckpoint=4096"),
        QStringLiteral("PRAGMA journal_size_limit=67108864"),
        QStringLiteral("PRAGMA foreign_keys=OFF"),
    };
    if (readOnly)
        pragmas << QStringLiteral("PRAGMA query_only=1");
    QString error;
    for (const QString &pragma : std::as_const(pragmas)) {
        // journal_mode and page_size are the writer's business.
        if (readOnly && (pragma.startsWith(QLatin1String("PRAGMA journal_mode"))
                         || pragma.startsWith(QLatin1String("PRAGMA page_size"))))
            continue;
        if (!exec(db, pragma, &error)) {
            db.close();
            return EventLogError{EventLogError::Code::OpenFailed, error};
        }
    }
    return db;
}

} // namespace gw::eventlogschema
