#pragma once

// A full volume for the event store, made by SQLite itself: PRAGMA max_page_count on the
// writer's own connection (EventLogOptions::configureConnection hands it over), so commits fail
// with SQLITE_FULL ("database or disk is full") exactly as on a full disk, and succeed again
// once the ceiling is lifted; or a store that refuses every write (PRAGMA query_only); or a page
// of a closed database file overwritten with garbage.

#include <QByteArray>
#include <QFile>
#include <QString>

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

//! Overwrites page `page` (1-based) of a closed database file with garbage; returns the file.
inline QByteArray damagePage(const QString &path, qint64 page, int pageSize)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadWrite) || !file.seek((page - 1) * pageSize))
        return {};
    file.write(QByteArray(pageSize, '\xA5'));
    file.close();
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

//! The page size in a database file's header (0 when it cannot be read).
inline int pageSizeOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray header = file.read(100);
    if (header.size() < 100)
        return 0;
    const int size = (quint8(header.at(16)) << 8) | quint8(header.at(17));
    return size == 1 ? 65536 : size;
}

} // namespace gwtest
