#pragma once

// Internal to core/log: the storage layout of the event log, its stable codes and migrations.

#include "eventlogerror.h"
#include "eventtypes.h"
#include "expected.h"

#include <QSqlDatabase>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

struct sqlite3;

namespace gw::eventlogschema {

//! The schema version this build writes (table `schema_version`). Not the export format version.
constexpr int k_currentVersion = 4;

//! Stable integer codes stored in `events.kind` and `events.severity`. They never change, even
//! when the C++ enums are reordered; a new kind gets the next free code (documented in
//! docs/export-format.md, "Database").
int kindCode(EventKind kind);
std::optional<EventKind> kindFromCode(int code);
int severityCode(Severity severity);
std::optional<Severity> severityFromCode(int code);

//! One step of the migration path: brings a database from `version - 1` to `version`.
struct Migration
{
    int version = 0;
    std::function<bool(QSqlDatabase &db, QString *error)> apply;
};

//! The migration path of this build, in order (v1 creates everything).
const std::vector<Migration> &migrations();

//! The version of an open database: 0 when it is empty (no `schema_version` table).
Expected<int, EventLogError> schemaVersion(QSqlDatabase &db);

//! Runs every step of `steps` above the database's version, each in its own transaction, and
//! records it in `schema_version`. A failing step rolls back and leaves the previous version.
//! A database newer than the last step is refused with SchemaTooNew. Returns the final version.
Expected<int, EventLogError> migrate(QSqlDatabase &db, const std::vector<Migration> &steps);

//! Opens a connection named `connectionName` on `path` and applies the PRAGMAs the store needs
//! (WAL, synchronous=NORMAL, …). A read-only connection sets `query_only`.
Expected<QSqlDatabase, EventLogError> openConnection(const QString &path,
                                                     const QString &connectionName,
                                                     bool readOnly);

//! A process-unique connection name with the given prefix.
QString uniqueConnectionName(QLatin1String prefix);

//! Closes `db` (if valid), drops this handle to it and removes the connection `connectionName`
//! (Qt warns when a connection is removed while a QSqlDatabase still refers to it).
void closeConnection(QSqlDatabase &db, const QString &connectionName);

//! The sqlite3 handle behind a QSQLITE connection (QSqlDriver::handle()), for the two hot paths
//! (batched inserts, export) where Qt Sql's per-value QVariant cost was measured to matter.
sqlite3 *nativeHandle(const QSqlDatabase &db);

//! Runs one statement; on failure fills `error` and returns false.
bool exec(QSqlDatabase &db, const QString &sql, QString *error);

} // namespace gw::eventlogschema
