#include "eventstoresource.h"

#include "eventquery.h"
#include "logging.h"

#include <QPointer>

#include <algorithm>
#include <atomic>
#include <mutex>

namespace gw {

namespace {
// rows at <= snapshot belong to it: the filter's `to` is exclusive, hence +1 ms
EventFilter bounded(const EventFilter &filter, qint64 snapshot)
{
    EventFilter f = filter;
    const QDateTime bound = QDateTime::fromMSecsSinceEpoch(snapshot + 1, Qt::UTC);
    if (!f.to.isValid() || f.to > bound)
        f.to = bound;
    return f;
}
} // namespace

struct EventStoreSource::Reader
{
    QObject context;                     // moved to the reader thread
    std::unique_ptr<EventQuery> query;   // opened there by the first request; set there only
    std::atomic<quint64> latest{0};      // the newest request; older ones are skipped
    std::mutex installing;               // guards `query` being set or cleared, against interrupt()

    bool ensureOpen(const QString &path)
    {
        if (query)
            return true;
        auto opened = std::make_unique<EventQuery>(path);
        if (auto r = opened->open(); !r) {
            qCWarning(lcUi) << "event log not readable (reader thread):" << r.error().message;
            return false;
        }
        const std::lock_guard lock(installing);
        query = std::move(opened);
        return true;
    }

    void close()
    {
        std::unique_ptr<EventQuery> closing;
        const std::lock_guard lock(installing);
        closing.swap(query);
    }

    // From the calling thread: the query running for a superseded request stops (a text search
    // that walks the whole log takes hundreds of milliseconds), and that request delivers nothing.
    void interrupt()
    {
        const std::lock_guard lock(installing);
        if (query)
            query->interrupt();
    }
};

EventStoreSource::EventStoreSource(const QString &databasePath)
    : m_path(databasePath)
    , m_query(std::make_unique<EventQuery>(databasePath))
    , m_reader(std::make_unique<Reader>())
{
    m_thread.setObjectName(QStringLiteral("gatewatch-eventreader"));
    m_reader->context.moveToThread(&m_thread);
}

EventStoreSource::~EventStoreSource()
{
    if (m_thread.isRunning()) {
        ++m_reader->latest;   // a queued request is skipped, a running one interrupted
        m_reader->interrupt();
        QMetaObject::invokeMethod(&m_reader->context, [r = m_reader.get()] { r->close(); },
                                  Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
}

bool EventStoreSource::open()
{
    auto r = m_query->open();
    m_open = r.hasValue();
    if (!m_open)
        qCWarning(lcUi) << "event log not readable:" << r.error().message;
    return m_open;
}

bool EventStoreSource::isOpen() const
{
    return m_open;
}

QString EventStoreSource::databasePath() const
{
    return m_path;
}

qint64 EventStoreSource::snapshot()
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool EventStoreSource::covers(qint64 snapshot, const EventLogEntry &entry) const
{
    return entry.at.isValid() && entry.at.toMSecsSinceEpoch() <= snapshot;
}

qint64 EventStoreSource::count(const EventFilter &filter, qint64 snapshot)
{
    if (!m_open)
        return 0;
    auto r = m_query->count(bounded(filter, snapshot));
    if (!r) {
        qCWarning(lcUi) << "event count failed:" << r.error().message;
        return 0;
    }
    return *r;
}

QList<EventLogEntry> EventStoreSource::page(const EventFilter &filter, qint64 snapshot, qint64 offset, int limit,
                                            const std::optional<EventLogEntry> &previous)
{
    if (!m_open)
        return {};
    const EventFilter f = bounded(filter, snapshot);
    auto r = previous ? m_query->pageBefore(f, EventCursor::of(*previous), limit) : m_query->page(f, offset, limit);
    if (!r) {
        qCWarning(lcUi) << "event page failed:" << r.error().message;
        return {};
    }
    return *r;
}

void EventStoreSource::load(const EventFilter &filter, qint64 snapshot, int limit, QObject *context,
                            std::function<void(QList<EventLogEntry>)> firstPage, std::function<void(qint64)> counted)
{
    if (!m_open) {
        counted(0);
        return;
    }
    if (!m_thread.isRunning())
        m_thread.start(QThread::LowPriority);
    const quint64 request = ++m_reader->latest;
    m_reader->interrupt();
    // Answers go through m_home (it lives as long as the thread can post to it) and reach
    // `context` only if it still exists, checked on its own thread.
    const QPointer<QObject> target(context);
    const auto deliver = [home = &m_home, target](std::function<void()> call) {
        QMetaObject::invokeMethod(home, [target, call = std::move(call)] {
            if (target)
                call();
        }, Qt::QueuedConnection);
    };
    QMetaObject::invokeMethod(&m_reader->context, [r = m_reader.get(), path = m_path, f = bounded(filter, snapshot), limit,
                                                   request, deliver, firstPage = std::move(firstPage),
                                                   counted = std::move(counted)] {
        if (r->latest != request || !r->ensureOpen(path)) {
            if (r->latest == request)
                deliver([counted] { counted(0); });
            return;
        }
        auto rows = r->query->page(f, 0, limit);
        if (r->latest != request)
            return;   // superseded while it ran (and interrupted): its answer would be discarded
        if (!rows)
            qCWarning(lcUi) << "event page failed (reader thread):" << rows.error().message;
        QList<EventLogEntry> first = rows ? std::move(rows).value() : QList<EventLogEntry>();
        const qint64 shown = first.size();
        deliver([firstPage, first = std::move(first)]() mutable { firstPage(std::move(first)); });
        if (shown < limit) {   // the first page holds every match: no count needed
            deliver([counted, shown] { counted(shown); });
            return;
        }
        if (r->latest != request)
            return;
        auto total = r->query->count(f);
        if (r->latest != request)
            return;
        if (!total)
            qCWarning(lcUi) << "event count failed (reader thread):" << total.error().message;
        deliver([counted, n = total ? *total : shown] { counted(n); });
    });
}

QList<DisconnectRecord> EventStoreSource::disconnects(const QString &accountId, const QDateTime &from,
                                                      const QDateTime &to, int limit)
{
    if (!m_open)
        return {};
    auto r = m_query->disconnects(accountId, from, to);
    if (!r) {
        qCWarning(lcUi) << "disconnect history failed:" << r.error().message;
        return {};
    }
    QList<DisconnectRecord> list = *r;
    if (list.size() > limit)
        list.resize(limit);
    return list;
}

QList<LatencyPoint> EventStoreSource::latency(const QString &accountId, const QDateTime &from, const QDateTime &to)
{
    QList<LatencyPoint> out;
    if (!m_open)
        return out;
    const qint64 spanMs = from.msecsTo(to);
    if (spanMs <= 48LL * 3600 * 1000) {
        auto r = m_query->heartbeats(accountId, from, to);
        if (!r) {
            qCWarning(lcUi) << "heartbeat history failed:" << r.error().message;
            return out;
        }
        const auto &samples = *r;
        if (samples.size() <= MaxChartPoints) {
            for (const auto &s : samples)
                out.append({s.at, s.latencyMs, std::nullopt});
            return out;
        }
        // average into buckets of equal time, keeping the maximum as an envelope
        const qint64 bucketMs = std::max<qint64>(1, spanMs / MaxChartPoints);
        qint64 bucket = -1;
        double sum = 0, mx = 0;
        int n = 0;
        qint64 bucketStart = 0;
        auto emitBucket = [&] {
            if (n > 0)
                out.append({QDateTime::fromMSecsSinceEpoch(bucketStart + bucketMs / 2, Qt::UTC), sum / n, std::optional<double>(mx)});
        };
        for (const auto &s : samples) {
            const qint64 b = from.msecsTo(s.at) / bucketMs;
            if (b != bucket) {
                emitBucket();
                bucket = b;
                bucketStart = from.toMSecsSinceEpoch() + b * bucketMs;
                sum = 0;
                mx = 0;
                n = 0;
            }
            sum += s.latencyMs;
            mx = std::max(mx, s.latencyMs);
            ++n;
        }
        emitBucket();
        return out;
    }
    auto r = m_query->heartbeatHourly(accountId, from, to);
    if (!r) {
        qCWarning(lcUi) << "hourly heartbeat history failed:" << r.error().message;
        return out;
    }
    for (const auto &h : *r)
        out.append({h.hourStart.addSecs(1800), h.meanMs(), h.maxMs});
    return out;
}

UptimeReport EventStoreSource::uptime(const QString &accountId, const QDateTime &from, const QDateTime &to)
{
    if (!m_open)
        return {};
    auto r = m_query->uptime(accountId, from, to);
    if (!r) {
        qCWarning(lcUi) << "uptime failed:" << r.error().message;
        return {};
    }
    return *r;
}

DowntimeSummary EventStoreSource::downtime(const QString &accountId, const QDateTime &from, const QDateTime &to)
{
    if (!m_open)
        return {};
    auto r = m_query->downtimeSummary(accountId, from, to);
    if (!r) {
        qCWarning(lcUi) << "downtime summary failed:" << r.error().message;
        return {};
    }
    return *r;
}

} // namespace gw
