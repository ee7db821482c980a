#include "derivedhistory_p.h"

#include "eventlogwriter_p.h"
#include "logging.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <vector>

namespace gw {

namespace {

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

// A count the client reports as -1 when unknown (RESUMED's `missed` without a sequence): NULL.
QVariant knownCount(const QJsonObject &fields, QLatin1String key)
{
    const QVariant v = optionalInt(fields, key);
    return !v.isNull() && v.toLongLong() < 0 ? QVariant(QMetaType::fromType<qint64>()) : v;
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

bool DerivedHistory::feeds(EventKind kind)
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
    case EventKind::SeqGap:
    case EventKind::RateLimited:
    case EventKind::Flapping:
    case EventKind::FlappingEnded:
    case EventKind::IdentifyBudgetWait:
        return false;
    }
    return false;
}

bool DerivedHistory::load(QSqlDatabase &db, QString *error)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    const auto fail = [&query, error] {
        *error = query.lastError().text();
        return false;
    };
    m_openDisconnects.clear();
    if (!query.exec(QStringLiteral("SELECT id, account_id FROM disconnects WHERE end_at IS NULL")))
        return fail();
    while (query.next())
        m_openDisconnects.insert(query.value(1).toString(), query.value(0).toLongLong());

    m_openSpans.clear();
    if (!query.exec(QStringLiteral("SELECT id, account_id, up FROM account_spans WHERE end_at IS NULL")))
        return fail();
    while (query.next())
        m_openSpans.insert(query.value(1).toString(), {query.value(0).toLongLong(), query.value(2).toBool()});

    m_currentRun = 0;
    if (!query.exec(QStringLiteral("SELECT id FROM monitor_runs WHERE stopped_at IS NULL ORDER BY id DESC LIMIT 1")))
        return fail();
    if (query.next())
        m_currentRun = query.value(0).toLongLong();
    return true;
}

bool DerivedHistory::closeOrphanedRun(QSqlDatabase &db, QString *error)
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
    if (orphans.empty() && m_openSpans.isEmpty())
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
    m_openSpans.clear();
    m_currentRun = 0;
    return true;
}

bool DerivedHistory::apply(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    switch (*e.derivedKind) {
    case EventKind::MonitorStarted:
        return monitorStarted(writer, e, error);
    case EventKind::MonitorStopped:
        return monitorStopped(writer, e, error);
    case EventKind::State:
        return state(writer, e, error);
    case EventKind::Close:
    case EventKind::InvalidSession:
        return disconnected(writer, e, error);
    case EventKind::Resumed:
    case EventKind::Ready:
        return recovered(writer, e, error);
    case EventKind::Fatal:
        return fatal(writer, e, error);
    default:
        return true;   // not a kind that feeds() the history
    }
}

bool DerivedHistory::touchRun(EventLogWriter &writer, qint64 now, QString *error)
{
    if (m_currentRun == 0)
        return true;
    return writer.exec(QStringLiteral("UPDATE monitor_runs SET last_alive_at = max(last_alive_at, ?) WHERE id = ?"),
                       {now, m_currentRun}, error);
}

bool DerivedHistory::monitorStarted(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    // Only the monitor's own rows (no account) bound a monitored interval; a supervisor's
    // per-account start/stop is informational (its state rows open and close its spans).
    if (!e.accountId.isEmpty())
        return true;
    if (m_currentRun != 0)
        return true;   // already running: a repeated start changes nothing
    if (!closeAllSpans(writer, e.at, error))
        return false;
    return writer.exec(QStringLiteral("INSERT INTO monitor_runs (started_at, last_alive_at, alive_interval_ms) "
                                      "VALUES (?, ?, ?)"),
                       {e.at, e.at, qint64(m_aliveInterval.count())}, error, &m_currentRun);
}

bool DerivedHistory::monitorStopped(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    if (!e.accountId.isEmpty() || m_currentRun == 0)
        return true;
    if (!writer.exec(QStringLiteral("UPDATE monitor_runs SET stopped_at = max(started_at, ?), "
                                    "last_alive_at = max(started_at, ?) WHERE id = ?"),
                     {e.at, e.at, m_currentRun}, error)) {
        return false;
    }
    m_currentRun = 0;
    return closeAllSpans(writer, e.at, error);
}

bool DerivedHistory::state(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    const StateClass cls = classifyState(e.fieldObject.value(QLatin1String("state")).toString());
    const auto open = m_openSpans.constFind(e.accountId);
    const bool hasOpen = open != m_openSpans.cend();
    const bool up = cls == StateClass::Up;
    if (hasOpen && cls != StateClass::NoData && open->up == up)
        return true;   // same class: the span goes on
    if (hasOpen) {
        if (!closeSpan(writer, open->id, e.at, error))
            return false;
        m_openSpans.remove(e.accountId);
    }
    if (cls == StateClass::NoData)
        return true;
    qint64 id = 0;
    if (!writer.exec(QStringLiteral("INSERT INTO account_spans (account_id, up, start_at) VALUES (coalesce(?, ''), ?, ?)"),
                     {e.accountId, up ? 1 : 0, e.at}, error, &id)) {
        return false;
    }
    m_openSpans.insert(e.accountId, {id, up});
    return true;
}

// A `close` or an `invalid_session` opens a disconnect, or counts as one more failed attempt
// of the one still open.
bool DerivedHistory::disconnected(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    const bool isClose = *e.derivedKind == EventKind::Close;
    if (const auto it = m_openDisconnects.constFind(e.accountId); it != m_openDisconnects.cend()) {
        // Still down: a failed attempt closed again. Count it; the first close is the cause.
        if (!isClose)
            return true;
        return writer.exec(QStringLiteral("UPDATE disconnects SET close_count = close_count + 1 WHERE id = ?"),
                           {it.value()}, error);
    }
    const QJsonObject &f = e.fieldObject;
    qint64 id = 0;
    if (!writer.exec(QStringLiteral("INSERT INTO disconnects (account_id, account_name, start_at, close_code, "
                                    "meaning, initiator, cause, seq_before, close_event_id) "
                                    "VALUES (coalesce(?, ''), coalesce(?, ''), ?, ?, ?, ?, ?, ?, ?)"),
                     {e.accountId, e.accountName, e.at,
                      isClose ? optionalInt(f, QLatin1String("code")) : QVariant(QMetaType::fromType<qint64>()),
                      isClose ? optionalText(f, QLatin1String("meaning")) : QVariant(QStringLiteral("invalid session")),
                      isClose ? optionalText(f, QLatin1String("initiator")) : QVariant(QStringLiteral("server")),
                      isClose ? optionalText(f, QLatin1String("cause")) : QVariant(QStringLiteral("invalid_session")),
                      optionalInt(f, QLatin1String("seq")), e.id},
                     error, &id)) {
        return false;
    }
    m_openDisconnects.insert(e.accountId, id);
    return true;
}

// `resumed` ends the open disconnect recovered by RESUME, with what it reported missed and lost
// (a RESUMED row without `lost`, written before lost-event accounting, counts as none lost);
// `ready` ends it recovered by a new IDENTIFY: the events sent while the session was gone are
// lost, in a number nobody knows (lost stays NULL, events_lost = 1).
bool DerivedHistory::recovered(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    const auto it = m_openDisconnects.constFind(e.accountId);
    if (it == m_openDisconnects.cend())
        return true;
    const QJsonObject &f = e.fieldObject;
    const bool ok = *e.derivedKind == EventKind::Resumed
        ? writer.exec(QStringLiteral("UPDATE disconnects SET end_at = max(start_at, ?), recovered_by = 'resume', "
                                     "events_lost = 0, replayed = ?, seq_before = coalesce(?, seq_before), "
                                     "seq_after = ?, missed = ?, lost = coalesce(?, 0), end_event_id = ? WHERE id = ?"),
                      {e.at, optionalInt(f, QLatin1String("replayed")), optionalInt(f, QLatin1String("seq_before")),
                       optionalInt(f, QLatin1String("seq_after")), knownCount(f, QLatin1String("missed")),
                       optionalInt(f, QLatin1String("lost")), e.id, it.value()},
                      error)
        : writer.exec(QStringLiteral("UPDATE disconnects SET end_at = max(start_at, ?), recovered_by = 'identify', "
                                     "events_lost = 1, end_event_id = ? WHERE id = ?"),
                      {e.at, e.id, it.value()}, error);
    if (!ok)
        return false;
    m_openDisconnects.erase(it);
    return true;
}

bool DerivedHistory::fatal(EventLogWriter &writer, const PendingEvent &e, QString *error)
{
    const auto it = m_openDisconnects.constFind(e.accountId);
    if (it == m_openDisconnects.cend())
        return true;
    return writer.exec(QStringLiteral("UPDATE disconnects SET fatal = 1 WHERE id = ?"), {it.value()}, error);
}

bool DerivedHistory::closeSpan(EventLogWriter &writer, qint64 spanId, qint64 at, QString *error)
{
    return writer.exec(QStringLiteral("UPDATE account_spans SET end_at = max(start_at, ?) WHERE id = ?"),
                       {at, spanId}, error);
}

bool DerivedHistory::closeAllSpans(EventLogWriter &writer, qint64 at, QString *error)
{
    for (auto it = m_openSpans.cbegin(); it != m_openSpans.cend(); ++it) {
        if (!closeSpan(writer, it.value().id, at, error))
            return false;
    }
    m_openSpans.clear();
    return true;
}

} // namespace gw
