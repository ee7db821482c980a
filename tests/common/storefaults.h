#pragma once

// A full volume for the event store, made by SQLite itself: PRAGMA max_page_count on the
// writer's own connection (EventLogOptions::configureConnection hands it over), so commits fail
// with SQLITE_FULL ("database or disk is full") exactly as on a full disk, and succeed again
// once the ceiling is lifted; or a store that refuses every write (PRAGMA query_only).

#include <QByteArray>

#include <sqlite3.h>

namespace gwtest {

//! The first column of the first row of `sql` on `handle` (-1 when there is none).
inline qint64 pragmaValue(sqlite3 *handle, const char *sql)
{
    sqlite3_stmt *stmt = nullptr;
    qint64 value = -1;
    if (sqlite3_prepare_v2(handle, sql, -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

//! The volume is full: no page past the current ones.
inline bool fillVolume(sqlite3 *handle)
{
    const qint64 pages = pragmaValue(handle, "PRAGMA page_count");
    const QByteArray sql = "PRAGMA max_page_count = " + QByteArray::number(pages);
    return pages > 0 && pragmaValue(handle, sql.constData()) == pages;
}

//! Every write fails at once with SQLITE_READONLY (PRAGMA query_only), however much room the
//! current pages still have; `refuse` false lifts it. For a store that writes only a few rows
//! (a full volume only fails a commit that needs a new page).
inline void refuseWrites(sqlite3 *handle, bool refuse)
{
    pragmaValue(handle, refuse ? "PRAGMA query_only = 1" : "PRAGMA query_only = 0");
}

//! Space returns.
inline void spaceReturns(sqlite3 *handle)
{
    pragmaValue(handle, "PRAGMA max_page_count = 1073741823");
}

} // namespace gwtest
