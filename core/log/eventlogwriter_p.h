#pragma once

// Internal to core/log: the statements EventLog writes with, on SQLite's own API.

#include "eventlogbatch_p.h"

#include <QString>
#include <QVariantList>

#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace gw {

//! The write side of the event store on the native sqlite3 handle behind EventLog's QSQLITE
//! connection: transactions, the two hot inserts (events, raw heartbeats) as persistent
//! statements, and every other statement prepared once and bound without Qt Sql's per-value
//! QVariant cost (docs/performance.md, "Event store"). Does not own the handle.
class EventLogWriter final
{
    Q_DISABLE_COPY_MOVE(EventLogWriter)

public:
    EventLogWriter() = default;
    ~EventLogWriter();

    //! Prepares the persistent statements on `handle`; false with `error` on failure.
    bool attach(sqlite3 *handle, QString *error);
    //! Finalizes every statement; the writer is unattached afterwards.
    void detach();
    [[nodiscard]] bool isAttached() const { return m_handle != nullptr; }
    //! SQLite's message for the last failure ("not open" when unattached).
    [[nodiscard]] QString lastError() const;
    //! The extended result code (sqlite3_extended_errcode) of the last failing call of this
    //! writer, captured when it failed (a later ROLLBACK does not overwrite it); SQLITE_OK (0)
    //! before any failure. `& 0xff` is the primary code (SQLITE_FULL, SQLITE_CORRUPT, …).
    [[nodiscard]] int lastErrorCode() const { return m_lastErrorCode; }
    //! The primary result code of lastErrorCode().
    [[nodiscard]] int lastPrimaryErrorCode() const { return m_lastErrorCode & 0xff; }

    bool begin();      //!< BEGIN IMMEDIATE
    bool commit();
    void rollback();

    //! Inserts the row, and its message into the text index when indexesText().
    bool insertEvent(const PendingEvent &event);
    //! Does insertEvent() add to the text index (eventtextindex_p.h)? Only once it is complete:
    //! the rows before that enter it when it is filled. Off after attach().
    [[nodiscard]] bool indexesText() const { return m_indexText; }
    void setIndexesText(bool on) { m_indexText = on; }
    bool insertHeartbeat(const PendingHeartbeat &heartbeat);
    //! Runs `sql` with positional `values` (null, QString, double, or anything integral);
    //! `insertId` receives the new rowid. False with `error` on failure.
    bool exec(const QString &sql, const QVariantList &values, QString *error, qint64 *insertId = nullptr);

private:
    bool failed();   // records the failing call's code; always false

    sqlite3 *m_handle = nullptr;
    int m_lastErrorCode = 0;
    sqlite3_stmt *m_insertEvent = nullptr;
    sqlite3_stmt *m_insertHeartbeat = nullptr;
    sqlite3_stmt *m_insertText = nullptr;
    bool m_indexText = false;
    std::unordered_map<QString, sqlite3_stmt *> m_statements;
};

} // namespace gw
