#include "eventlogwriter_p.h"

#include <QVariant>

#include <sqlite3.h>

namespace gw {

namespace {

bool stepAndReset(sqlite3_stmt *stmt)
{
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(stmt);
        return true;
    }
    return false;   // reset by the caller once the error code is recorded
}

} // namespace

EventLogWriter::~EventLogWriter()
{
    detach();
}

bool EventLogWriter::attach(sqlite3 *handle, QString *error)
{
    detach();
    m_handle = handle;
    m_lastErrorCode = SQLITE_OK;
    const auto prepare = [this, error](const char *sql, sqlite3_stmt **stmt) {
        if (sqlite3_prepare_v3(m_handle, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) == SQLITE_OK)
            return true;
        *error = lastError();
        return failed();
    };
    return prepare("INSERT INTO events (id, at, source, kind, severity, message, fields) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   &m_insertEvent)
           && prepare("INSERT INTO heartbeats (account_id, at, latency_ms) VALUES (?, ?, ?)", &m_insertHeartbeat)
           && prepare("INSERT INTO events_fts (rowid, message) VALUES (?, ?)", &m_insertText);
}

void EventLogWriter::detach()
{
    for (const auto &[sql, stmt] : m_statements)
        sqlite3_finalize(stmt);
    m_statements.clear();
    sqlite3_finalize(m_insertEvent);
    sqlite3_finalize(m_insertHeartbeat);
    sqlite3_finalize(m_insertText);
    m_insertEvent = nullptr;
    m_insertHeartbeat = nullptr;
    m_insertText = nullptr;
    m_handle = nullptr;
    m_indexText = false;
}

QString EventLogWriter::lastError() const
{
    return m_handle ? QString::fromUtf8(sqlite3_errmsg(m_handle)) : QStringLiteral("not open");
}

bool EventLogWriter::failed()
{
    m_lastErrorCode = m_handle ? sqlite3_extended_errcode(m_handle) : SQLITE_MISUSE;
    return false;
}

bool EventLogWriter::begin()
{
    return sqlite3_exec(m_handle, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK || failed();
}

bool EventLogWriter::commit()
{
    return sqlite3_exec(m_handle, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK || failed();
}

void EventLogWriter::rollback()
{
    sqlite3_exec(m_handle, "ROLLBACK", nullptr, nullptr, nullptr);
}

bool EventLogWriter::insertEvent(const PendingEvent &e)
{
    sqlite3_stmt *s = m_insertEvent;
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
    if (!stepAndReset(s)) {
        failed();
        sqlite3_reset(s);
        return false;
    }
    if (!m_indexText)
        return true;
    sqlite3_bind_int64(m_insertText, 1, e.id);
    sqlite3_bind_text(m_insertText, 2, e.message.isNull() ? "" : e.message.constData(), int(e.message.size()),
                      SQLITE_STATIC);
    if (stepAndReset(m_insertText))
        return true;
    failed();
    sqlite3_reset(m_insertText);
    return false;
}

bool EventLogWriter::insertHeartbeat(const PendingHeartbeat &h)
{
    const QByteArray account = h.accountId.toUtf8();
    sqlite3_bind_text(m_insertHeartbeat, 1, account.constData(), int(account.size()), SQLITE_STATIC);
    sqlite3_bind_int64(m_insertHeartbeat, 2, h.at);
    sqlite3_bind_double(m_insertHeartbeat, 3, h.latencyMs);
    if (stepAndReset(m_insertHeartbeat))
        return true;
    failed();
    sqlite3_reset(m_insertHeartbeat);
    return false;
}

// The derived-history statements run for a good share of a real stream (state changes,
// closes, recoveries): each is prepared once and bound without QSqlQuery's per-value cost.
bool EventLogWriter::exec(const QString &sql, const QVariantList &values, QString *error, qint64 *insertId)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end()) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v3(m_handle, sql.toUtf8().constData(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr)
            != SQLITE_OK) {
            *error = lastError();
            return failed();
        }
        it = m_statements.emplace(sql, stmt).first;
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
    if (rc != SQLITE_DONE) {
        *error = lastError();
        failed();
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (rc != SQLITE_DONE)
        return false;
    if (insertId)
        *insertId = sqlite3_last_insert_rowid(m_handle);
    return true;
}

} // namespace gw
