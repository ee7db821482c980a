#include "eventlog.h"
#include "eventlog_p.h"

#include "redactor.h"

#include "eventlogfiles_p.h"
#include "eventlogschema_p.h"
#include "eventtextindex_p.h"
#include "logging.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QVariant>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

using namespace std::chrono_literals;

namespace gw {

namespace schema = eventlogschema;
namespace files = eventlogfiles;

namespace {

constexpr qint64 k_msPerDay = 86'400'000;

} // namespace

EventLog::Private::Private(EventLog *q, QString path, EventLogOptions options)
    : q(q), path(std::move(path)), options(std::move(options)), history(this->options.aliveInterval)
{
}

qint64 EventLog::Private::now() const
{
    return (options.clock ? options.clock() : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch();
}

int EventLog::Private::sourceFor(const QString &accountId, const QString &accountName)
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

bool EventLog::Private::admit()
{
    if (queuedRows() < options.maxQueuedRows)
        return true;
    ++dropped;
    ++droppedUnreported;   // reported once per commit attempt (rowsDropped)
    return false;
}

void EventLog::Private::close()
{
    writer.detach();
    schema::closeConnection(db, connectionName);
}

Expected<bool, EventLogError> EventLog::Private::connect()
{
    QString error;
    if (!files::restrictFiles(path, &error))
        return EventLogError{EventLogError::Code::OpenFailed, error};
    connectionName = schema::uniqueConnectionName(QLatin1String("gatewatch-eventlog"));
    auto connection = schema::openConnection(path, connectionName, false);
    if (!connection) {
        QSqlDatabase::removeDatabase(connectionName);
        return connection.error();
    }
    db = connection.value();
    const auto closeWith = [this](EventLogError e) -> Expected<bool, EventLogError> {
        close();
        qCWarning(lcEventLog) << "event log" << path << "not opened:" << e.message;
        return e;
    };
    auto migrated = schema::migrate(db, schema::migrations());
    if (!migrated)
        return closeWith(migrated.error());
    version = migrated.value();
    sqlite3 *handle = schema::nativeHandle(db);
    if (!handle)
        return closeWith({EventLogError::Code::OpenFailed, QStringLiteral("no native SQLite handle")});
    if (options.configureConnection)
        options.configureConnection(handle);
    if (!writer.attach(handle, &error) || !files::restrictFiles(path, &error))
        return closeWith({EventLogError::Code::OpenFailed, error});
    const auto textIndexed = eventtextindex::isComplete(db);
    if (!textIndexed)
        return closeWith(textIndexed.error());
    writer.setIndexesText(textIndexed.value());
    return true;
}

// Ids, sources and the open derived rows, read back from the database at open().
bool EventLog::Private::loadState(QString *error)
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
    return history.load(db, error);
}

EventLog::EventLog(const QString &databasePath, EventLogOptions options, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, databasePath, std::move(options)))
{
    d->options.commitRows = std::max(1, d->options.commitRows);
    d->options.maxQueuedRows = std::max(1, d->options.maxQueuedRows);
    d->options.retryInterval = std::max(d->options.retryInterval, std::chrono::milliseconds(1));
    d->retryDelay = d->options.retryInterval;
    // Children, so that moveToThread() (the app puts the log on a store thread) takes the timers
    // along; otherwise they stay on the constructing thread and never fire ("Timers cannot be
    // started from another thread"). Private is destroyed before QObject's destructor runs, and a
    // destroyed child leaves its parent's list, so there is no double delete.
    d->commitTimer.setParent(this);
    d->retryTimer.setParent(this);
    d->aliveTimer.setParent(this);
    d->maintenanceTimer.setParent(this);
    d->commitTimer.setSingleShot(true);
    d->commitTimer.setInterval(d->options.commitInterval);
    d->commitTimer.callOnTimeout(this, &EventLog::handleCommitTimeout);
    d->retryTimer.setSingleShot(true);
    d->retryTimer.callOnTimeout(this, &EventLog::handleRetryTimeout);
    d->aliveTimer.setInterval(d->options.aliveInterval);
    d->aliveTimer.callOnTimeout(this, &EventLog::handleAliveTimeout);
    d->maintenanceTimer.setInterval(d->options.maintenanceInterval);
    d->maintenanceTimer.callOnTimeout(this, &EventLog::handleMaintenanceTimeout);
}

EventLog::~EventLog()
{
    if (d->opened) {
        (void)d->commitPending();
        if (d->queuedRows() > 0)
            qCWarning(lcEventLog) << "event log closed with" << d->queuedRows() << "rows it could not write";
    }
    if (d->db.isValid())
        d->close();
}

Expected<bool, EventLogError> EventLog::open()
{
    if (d->opened)
        return true;
    QString error;
    // The app data directory does not exist on a first run.
    if (!files::makeDirectory(QFileInfo(d->path).absolutePath(), &error))
        return EventLogError{EventLogError::Code::OpenFailed, error};
    if (d->options.checkAfterOpen && QFileInfo(d->path).size() > 0) {
        if (d->finishOpen({}, 0)) {
            QTimer::singleShot(0, this, [this] { d->checkOpenFile(); });
            return true;
        }
        // It does not even open as it is: check it first, as without the option.
    }
    qint64 highestId = 0;
    const files::Check check = files::checkFile(d->path, &highestId);
    if (check.result == files::Check::Result::Failed)
        return EventLogError{EventLogError::Code::OpenFailed,
                             QStringLiteral("cannot check the event log %1: %2").arg(d->path, check.detail)};
    if (check.result == files::Check::Result::Damaged) {
        const auto kept = files::moveAside(d->path, QDateTime::fromMSecsSinceEpoch(d->now(), Qt::UTC));
        if (!kept)
            return kept.error();
        d->lastMovedAside = kept.value();
        d->lastDamageReason = check.detail;
        qCWarning(lcEventLog) << "event log" << d->path << "is damaged (" << check.detail << "); moved aside to"
                              << d->lastMovedAside << "and starting a fresh file";
    }
    return d->finishOpen(check, highestId);
}

// The rest of open(), once the file was checked (or its check deferred: an Ok `check`).
Expected<bool, EventLogError> EventLog::Private::finishOpen(const files::Check &check, qint64 highestId)
{
    QString error;
    if (auto connected = connect(); !connected)
        return connected.error();
    if (!loadState(&error) || !history.closeOrphanedRun(db, &error)
        || (highestId >= nextId
            && !schema::exec(db, QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_event_id', %1)")
                                     .arg(highestId),
                             &error))) {
        close();
        qCWarning(lcEventLog) << "event log" << path << "not opened:" << error;
        return EventLogError{EventLogError::Code::OpenFailed, error};
    }
    nextId = std::max(nextId, highestId + 1);   // ids of a damaged file are not reused
    opened = true;
    qCInfo(lcEventLog) << "event log open:" << path << "schema" << version << "last id" << lastCommittedId;
    if (check.result == files::Check::Result::Damaged)
        Q_EMIT q->damagedDatabaseMovedAside(lastMovedAside, check.detail);
    if (options.retentionDays > 0)
        (void)q->prune();
    if (options.maintenanceInterval > 0ms)
        maintenanceTimer.start();
    // After open() returned: the caller (the app's GUI thread waits for open()) does not wait for it.
    if (!writer.indexesText())
        QTimer::singleShot(0, q, [this] { completeTextIndex(); });
    return true;
}

// Schema 4 over a log an older schema wrote: its rows enter the text index in one transaction on
// this thread (3–4 s for 1,000,000 rows; rows appended meanwhile wait in the queue). Until it
// commits, readers see the index incomplete and text filters walk the log as before. A failure
// leaves it for the next open().
void EventLog::Private::completeTextIndex()
{
    if (!opened || !writer.isAttached() || writer.indexesText())
        return;
    QElapsedTimer t;
    t.start();
    QString error;
    if (!db.transaction() || !eventtextindex::complete(db, &error) || !db.commit()) {
        if (error.isEmpty())
            error = db.lastError().text();
        db.rollback();
        qCWarning(lcEventLog) << "event log: text index not built (text filters walk the log):" << error;
        return;
    }
    writer.setIndexesText(true);
    qCInfo(lcEventLog) << "event log: text index built over the stored events in" << t.elapsed() << "ms";
}

// EventLogOptions::checkAfterOpen: the quick_check open() did not wait for, on the writer's
// connection; a damaged file goes aside as after a damaged write.
void EventLog::Private::checkOpenFile()
{
    if (!opened || !writer.isAttached())
        return;
    QElapsedTimer t;
    t.start();
    const files::Check check = files::quickCheck(schema::nativeHandle(db));
    qCInfo(lcEventLog) << "event log quick_check after open:" << t.elapsed() << "ms";
    if (check.result == files::Check::Result::Damaged)
        replaceDamaged(check.detail);
    else if (check.result == files::Check::Result::Failed)
        qCWarning(lcEventLog) << "event log: quick_check after open failed:" << check.detail;
}

bool EventLog::isOpen() const
{
    return d->opened;
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
    if (!d->opened || !d->admit())
        return 0;
    PendingEvent e;
    e.id = d->nextId++;
    e.at = entry.at.isValid() ? entry.at.toMSecsSinceEpoch() : d->now();
    e.source = d->sourceFor(entry.accountId, entry.accountName);
    e.kind = schema::kindCode(entry.kind);
    e.severity = schema::severityCode(entry.severity);
    e.message = Redactor::global().redact(entry.message).toUtf8();
    QJsonObject fields = entry.fields;
    if (!fields.isEmpty())
        fields = Redactor::global().redactJson(fields);
    if (!fields.isEmpty())
        e.fields = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    if (DerivedHistory::feeds(entry.kind)) {
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
    if (!d->opened || !d->admit())
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
    if (!d->opened)
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
    // The text index names the rows it holds by their text (external content): out first.
    const bool textOut = !d->writer.indexesText()
        || run(QStringLiteral("INSERT INTO events_fts (events_fts, rowid, message) "
                              "SELECT 'delete', id, message FROM events WHERE at < ?"),
               eventCutoff);
    const auto events = textOut ? run(QStringLiteral("DELETE FROM events WHERE at < ?"), eventCutoff) : std::nullopt;
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

int EventLog::queuedRows() const
{
    return d->queuedRows();
}

qint64 EventLog::droppedRows() const
{
    return d->dropped;
}

bool EventLog::isFailing() const
{
    return d->failing;
}

QString EventLog::lastMovedAsidePath() const
{
    return d->lastMovedAside;
}

QString EventLog::lastDamageReason() const
{
    return d->lastDamageReason;
}

void EventLog::handleCommitTimeout()
{
    (void)d->commitPending();
}

void EventLog::handleRetryTimeout()
{
    (void)d->commitPending();
}

void EventLog::handleAliveTimeout()
{
    d->aliveDirty = true;
    if (!d->failing)   // while failing the retry timer writes it
        (void)d->commitPending();
}

void EventLog::handleMaintenanceTimeout()
{
    if (!d->failing)
        (void)prune();
}

} // namespace gw
