#pragma once

// Internal to core/log: the event store's files on disk — their permissions, the damage check
// (PRAGMA quick_check) and moving a damaged database aside.

#include "eventlogerror.h"
#include "expected.h"

#include <QDateTime>
#include <QString>

struct sqlite3;

namespace gw::eventlogfiles {

//! What PRAGMA quick_check said about a database.
struct Check
{
    enum class Result {
        Ok,        //!< "ok" (or no file yet)
        Damaged,   //!< errors in the file, or SQLite refused it as corrupt / not a database
        Failed,    //!< the check itself could not run (I/O error, busy, out of memory)
    };
    Result result = Result::Ok;
    QString detail;   //!< SQLite's first findings, bounded; empty when Ok
};

//! Does an SQLite result code (primary or extended) say the file is damaged
//! (SQLITE_CORRUPT, SQLITE_NOTADB)?
[[nodiscard]] bool isDamageCode(int code);

//! PRAGMA quick_check on an open connection (O(N) in the file size, no index-content check).
Check quickCheck(sqlite3 *handle);

//! PRAGMA quick_check on the file at `path` through a short connection of its own that never
//! checkpoints on close (a damaged file and its -wal stay exactly as they were). Ok when the file
//! does not exist or is empty. When Damaged and `highestId` is given, it receives the highest
//! event id the file still reports (best effort, 0 when unreadable), so ids are not reused.
Check checkFile(const QString &path, qint64 *highestId = nullptr);

//! Creates the missing directories of `dir` with mode 0700 (set explicitly, not left to the
//! umask). Existing directories are left as they are.
bool makeDirectory(const QString &dir, QString *error);

//! Creates the database file empty with mode 0600 if it is missing, and sets 0600 on it and on
//! its -wal and -shm files when they exist. (SQLite gives -wal and -shm the mode of the database
//! file when it creates them.)
bool restrictFiles(const QString &path, QString *error);

//! The name the damaged file gets: `<path>.damaged-<UTC yyyyMMdd-HHmmss>` (plus `-N` when that
//! name is taken). Its -wal and -shm become `<kept>-wal` and `<kept>-shm`, the names SQLite looks
//! for next to the kept file, so it opens with its WAL. Nothing is deleted. Returns the kept path;
//! fails without renaming the main file when a -wal or -shm could not be moved (a stale -wal
//! next to a fresh database would be replayed into it).
Expected<QString, EventLogError> moveAside(const QString &path, const QDateTime &nowUtc);

} // namespace gw::eventlogfiles
