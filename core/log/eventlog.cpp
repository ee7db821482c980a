#include "eventlog.h"

#include "redactor.h"

#include "derivedhistory_p.h"
#include "eventlogbatch_p.h"
#include "eventlogschema_p.h"
#include "eventlogwriter_p.h"
#include "heartbeataggregates_p.h"
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

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

using namespace std::chrono_literals;

namespace gw {

namespace schema = eventlogschema;

namespace {

constexpr qint64 k_msPerDay = 86'400'000;

} // namespace

// The queue of one EventLog and its commit: rows wait in memory until a batch is full or the
// commit timer fires, then go to SQLite in one transaction (EventLogWriter) together with the
// derived history (DerivedHistory) and the heartbeat aggregates (writeHeartbeats).
class EventLog::Private
{
public:
    Private(EventLog *q, QString path, EventLogOptions options)
        : q(q), path(std::move(path)), options(std::move(options)), history(this->options.aliveInterval)
    {
    }

    EventLog *const q;
    const QString path;
    EventLogOptions options;
    QString connectionName;
    QSqlDatabase db;
    EventLogWriter writer;
    DerivedHistory history;
    int version = 0;

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

    [[nodiscard]] bool isOpen() const { return writer.isAttached(); }

    [[nodiscard]] qint64 now() const
    {
        return (options.clock ? options.clock() : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch();
    }

    [[nodiscard]] QString redact(const QString &text) const
    {
        return Redactor::global().redact(text);
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

    void close()
    {
        writer.detach();
        schema::closeConnection(db, connectionName);
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
        return history.load(db, error);
    }

    // Everything of one batch, inside its transaction.
    bool writeBatch(const std::vector<PendingEvent> &batch, QString *error)
    {
        for (const NewSource &s : newSources) {
            if (!writer.exec(QStringLiteral("INSERT INTO sources (id, account_id, account_name) "
                                            "VALUES (?, coalesce(?, ''), coalesce(?, ''))"),
                             {s.id, s.accountId, s.accountName}, error)) {
                return false;
            }
        }
        for (const PendingEvent &e : batch) {
            if (!writer.insertEvent(e)) {
                *error = writer.lastError();
                return false;
            }
            if (e.derivedKind && !history.apply(writer, e, error))
                return false;
        }
        if (!pendingHeartbeats.empty() && !writeHeartbeats(writer, pendingHeartbeats, error))
            return false;
        if (!batch.empty()
            && !writer.exec(QStringLiteral("INSERT INTO meta (key, value) VALUES ('last_event_id', ?) "
                                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                            {batch.back().id}, error)) {
            return false;
        }
        return history.touchRun(writer, now(), error);
    }

    // A failed batch: rolled back on disk, dropped in memory, reported.
    EventLogError rejectBatch(const std::vector<PendingEvent> &batch, const QString &error)
    {
        writer.rollback();
        pendingHeartbeats.clear();
        QString reloadError;
        if (!loadState(&reloadError))
            qCWarning(lcEventLog) << "event log: reloading state failed:" << reloadError;
        EventLogError e{EventLogError::Code::WriteFailed,
                        QStringLiteral("could not commit %1 events: %2").arg(batch.size()).arg(error)};
        qCWarning(lcEventLog) << e.message;
        Q_EMIT q->writeFailed(e);
        return e;
    }

    Expected<qint64, EventLogError> commitPending()
    {
        if (!isOpen())
            return EventLogError{EventLogError::Code::NotOpen, QStringLiteral("the event log is not open")};
        commitTimer.stop();
        if (pending.empty() && pendingHeartbeats.empty() && newSources.empty() && !aliveDirty)
            return qint64(0);

        std::vector<PendingEvent> batch;
        batch.swap(pending);
        aliveDirty = false;

        QString error;
        if (!writer.begin())
            return rejectBatch(batch, writer.lastError());
        if (!writeBatch(batch, &error))
            return rejectBatch(batch, error);
        if (!writer.commit())
            return rejectBatch(batch, writer.lastError());
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
        if (history.runIsOpen() && !aliveTimer.isActive())
            aliveTimer.start();
        else if (!history.runIsOpen())
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
    if (d->isOpen())
        (void)d->commitPending();
    if (d->db.isValid())
        d->close();
}

Expected<bool, EventLogError> EventLog::open()
{
    if (d->isOpen())
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
        d->close();
        qCWarning(lcEventLog) << "event log" << d->path << "not opened:" << error.message;
        return error;
    };
    auto version = schema::migrate(d->db, schema::migrations());
    if (!version)
        return closeWith(version.error());
    d->version = version.value();
    sqlite3 *handle = schema::nativeHandle(d->db);
    QString error;
    if (!handle)
        return closeWith({EventLogError::Code::OpenFailed, QStringLiteral("no native SQLite handle")});
    if (!d->writer.attach(handle, &error) || !d->loadState(&error) || !d->history.closeOrphanedRun(d->db, &error))
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
    return d->isOpen();
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
    if (!d->isOpen())
        return 0;
    PendingEvent e;
    e.id = d->nextId++;
    e.at = entry.at.isValid() ? entry.at.toMSecsSinceEpoch() : d->now();
    e.source = d->sourceFor(entry.accountId, entry.accountName);
    e.kind = schema::kindCode(entry.kind);
    e.severity = schema::severityCode(entry.severity);
    e.message = d->redact(entry.message).toUtf8();
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
    if (!d->isOpen())
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
    if (!d->isOpen())
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
