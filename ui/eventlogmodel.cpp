#include "eventlogmodel.h"

#include "logging.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QGuiApplication>
#include <QHash>
#include <QIcon>
#include <QLocale>
#include <QPalette>

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

QString severityDisplayName(Severity severity)
{
    switch (severity) {
    case Severity::Debug: return QCoreApplication::translate("gw::EventLogModel", "Debug");
    case Severity::Info: return QCoreApplication::translate("gw::EventLogModel", "Info");
    case Severity::Warning: return QCoreApplication::translate("gw::EventLogModel", "Warning");
    case Severity::Error: return QCoreApplication::translate("gw::EventLogModel", "Error");
    }
    return {};
}

QString eventKindDisplayName(EventKind kind)
{
    QString name = eventKindName(kind);
    name.replace(QLatin1Char('_'), QLatin1Char(' '));
    return name;
}

class EventLogModel::Private
{
public:
    EventLogSource *source = nullptr;
    EventFilter filter;
    qint64 maxId = 0;
    qint64 snapshotCount = 0;
    QList<EventLogEntry> live;          // newest first, shown above the snapshot
    QList<EventLogEntry> pendingLive;   // oldest first, not inserted yet
    mutable QHash<qint64, QList<EventLogEntry>> pages;
    mutable QList<qint64> lru;          // most recent at the back
    mutable int fetched = 0;
    QTimer liveTimer;
    quint64 generation = 0;   // of the snapshot; results of older ones are dropped
    bool loading = false;     // the count of the snapshot has not arrived yet
    bool inReset = false;     // inside snapshot(): the source answered synchronously

    const EventLogEntry *entry(int row) const
    {
        if (row < 0)
            return nullptr;
        if (row < live.size())
            return &live.at(row);
        const qint64 offset = row - live.size();
        if (offset >= snapshotCount || !source)
            return nullptr;
        const qint64 pageNo = offset / PageSize;
        auto it = pages.find(pageNo);
        if (it == pages.end()) {
            std::optional<EventLogEntry> previous;
            if (const auto prev = pages.constFind(pageNo - 1); prev != pages.cend() && prev->size() == PageSize)
                previous = prev->constLast();
            // Evict before inserting: removing from a QHash moves its entries, so an iterator
            // taken before a remove() may point at an empty slot afterwards.
            while (lru.size() >= MaxCachedPages)
                pages.remove(lru.takeFirst());
            it = pages.insert(pageNo, source->page(filter, maxId, pageNo * PageSize, PageSize, previous));
            ++fetched;
            lru.append(pageNo);
        } else if (lru.constLast() != pageNo) {
            lru.removeOne(pageNo);
            lru.append(pageNo);
        }
        const qint64 inPage = offset - pageNo * PageSize;
        if (inPage >= it->size())
            return nullptr;
        return &it->at(inPage);
    }

    // A new snapshot: empty until the source delivers its first page and count (load()).
    void snapshot(EventLogModel *q)
    {
        pages.clear();
        lru.clear();
        live.clear();
        pendingLive.clear();
        snapshotCount = 0;
        const quint64 request = ++generation;
        loading = source != nullptr;
        inReset = true;
        if (!source) {
            maxId = 0;
        } else {
            maxId = source->snapshot();
            source->load(filter, maxId, PageSize, q,
                         [q, request](QList<EventLogEntry> rows) { q->handleFirstPage(request, std::move(rows)); },
                         [q, request](qint64 total) { q->handleCount(request, total); });
        }
        inReset = false;
    }

    // Rows [snapshotCount, total) of the snapshot appear below the live rows.
    void grow(EventLogModel *q, qint64 total)
    {
        if (total <= snapshotCount)
            return;
        if (inReset) {
            snapshotCount = total;
            return;
        }
        const qint64 first = live.size() + snapshotCount;
        const qint64 last = std::min<qint64>(live.size() + total, std::numeric_limits<int>::max()) - 1;
        if (last < first) {
            snapshotCount = total;
            return;
        }
        q->beginInsertRows({}, int(first), int(last));
        snapshotCount = total;
        q->endInsertRows();
    }
};

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractTableModel(parent)
    , d(std::make_unique<Private>())
{
    d->liveTimer.setSingleShot(true);
    d->liveTimer.setInterval(100ms);
    connect(&d->liveTimer, &QTimer::timeout, this, &EventLogModel::handleLiveTimeout);
}

EventLogModel::~EventLogModel() = default;

void EventLogModel::setSource(EventLogSource *source)
{
    beginResetModel();
    d->source = source;
    d->snapshot(this);
    endResetModel();
    if (!d->loading)
        Q_EMIT loaded(d->snapshotCount);
}

void EventLogModel::setFilter(const EventFilter &filter)
{
    if (filter == d->filter)
        return;
    beginResetModel();
    d->filter = filter;
    d->snapshot(this);
    endResetModel();
    if (!d->loading)
        Q_EMIT loaded(d->snapshotCount);
}

EventFilter EventLogModel::filter() const
{
    return d->filter;
}

void EventLogModel::refresh()
{
    beginResetModel();
    d->snapshot(this);
    endResetModel();
    if (!d->loading)
        Q_EMIT loaded(d->snapshotCount);
}

bool EventLogModel::isLoading() const
{
    return d->loading;
}

void EventLogModel::handleFirstPage(quint64 request, QList<EventLogEntry> rows)
{
    if (request != d->generation || rows.isEmpty())
        return;
    const qint64 n = rows.size();
    if (d->snapshotCount == 0 && !d->pages.contains(0)) {
        d->pages.insert(0, std::move(rows));
        d->lru.append(0);
        ++d->fetched;
    }
    d->grow(this, n);
}

void EventLogModel::handleCount(quint64 request, qint64 total)
{
    if (request != d->generation)
        return;
    d->grow(this, total);
    d->loading = false;
    if (!d->inReset)
        Q_EMIT loaded(d->snapshotCount);
}

void EventLogModel::appendLive(const EventLogEntry &entry)
{
    // rows already in the snapshot (stored before it was taken) are not shown twice
    if (d->source && d->source->covers(d->maxId, entry))
        return;
    if (!d->filter.matches(entry))
        return;
    d->pendingLive.append(entry);
    if (!d->liveTimer.isActive())
        d->liveTimer.start();
}

void EventLogModel::handleLiveTimeout()
{
    flushLive();
}

void EventLogModel::flushLive()
{
    d->liveTimer.stop();
    if (d->pendingLive.isEmpty())
        return;
    if (d->live.size() + d->pendingLive.size() > MaxLiveRows) {
        if (d->source) {
            // the live rows are in the store by now: one new snapshot instead of an ever longer list
            refresh();
            return;
        }
        // no store: a ring buffer like qBittorrent's log — drop the oldest rows first (no ghost rows)
        const qsizetype keep = std::max<qsizetype>(0, MaxLiveRows - d->pendingLive.size());
        if (d->live.size() > keep) {
            beginRemoveRows({}, int(keep), int(d->live.size()) - 1);
            d->live.resize(keep);
            endRemoveRows();
        }
        if (d->pendingLive.size() > MaxLiveRows)
            d->pendingLive.remove(0, d->pendingLive.size() - MaxLiveRows);
    }
    const int n = int(d->pendingLive.size());
    beginInsertRows({}, 0, n - 1);
    for (const EventLogEntry &e : std::as_const(d->pendingLive))
        d->live.prepend(e);   // QList keeps free space at the front: amortised O(1)
    d->pendingLive.clear();
    endInsertRows();
}

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::min<qint64>(d->live.size() + d->snapshotCount, std::numeric_limits<int>::max()));
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case TimeColumn: return tr("Time");
    case AccountColumn: return tr("Account");
    case SeverityColumn: return tr("Severity");
    case KindColumn: return tr("Kind");
    case MessageColumn: return tr("Message");
    case ColumnCount: break;
    }
    return {};
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventLogEntry *e = d->entry(index.row());
    if (!e)
        return {};
    switch (role) {
    case EntryIdRole: return e->id;
    case AccountIdRole: return e->accountId;
    case SeverityRole: return int(e->severity);
    case KindRole: return int(e->kind);
    default: break;
    }
    switch (Column(index.column())) {
    case TimeColumn:
        if (role == Qt::DisplayRole)
            return QLocale().toString(e->at.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
        if (role == RawValueRole)
            return e->at.toMSecsSinceEpoch();
        if (role == Qt::ToolTipRole)
            return e->at.toUTC().toString(Qt::ISODateWithMs);
        break;
    case AccountColumn:
        if (role == Qt::DisplayRole || role == RawValueRole)
            return e->accountName;
        break;
    case SeverityColumn:
        if (role == Qt::DisplayRole)
            return severityDisplayName(e->severity);
        if (role == RawValueRole)
            return int(e->severity);
        if (role == Qt::DecorationRole) {
            const QIcon icon = StateStyle::icon(e->severity);
            return icon.isNull() ? QVariant() : QVariant(icon);
        }
        if (role == Qt::ForegroundRole) {
            const QColor colour = StateStyle::color(e->severity, QGuiApplication::palette());
            return colour.isValid() ? QVariant(colour) : QVariant();
        }
        break;
    case KindColumn:
        if (role == Qt::DisplayRole)
            return eventKindDisplayName(e->kind);
        if (role == RawValueRole)
            return int(e->kind);
        break;
    case MessageColumn:
        if (role == Qt::DisplayRole || role == RawValueRole)
            return e->message;
        if (role == Qt::ToolTipRole)
            return e->message;
        break;
    case ColumnCount:
        break;
    }
    return {};
}

std::optional<EventLogEntry> EventLogModel::entryAt(int row) const
{
    const EventLogEntry *e = d->entry(row);
    if (!e)
        return std::nullopt;
    return *e;
}

QString EventLogModel::rowsAsTsv(const QList<int> &rows) const
{
    QList<int> sorted = rows;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    QString out;
    for (int r : std::as_const(sorted)) {
        const EventLogEntry *e = d->entry(r);
        if (!e)
            continue;
        QString message = e->message;
        message.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        out += e->at.toUTC().toString(Qt::ISODateWithMs) + QLatin1Char('\t') + e->accountName + QLatin1Char('\t')
            + severityName(e->severity) + QLatin1Char('\t') + eventKindName(e->kind) + QLatin1Char('\t') + message
            + QLatin1Char('\n');
    }
    return out;
}

int EventLogModel::pagesFetched() const
{
    return d->fetched;
}

qint64 EventLogModel::snapshotMaxId() const
{
    return d->maxId;
}

} // namespace gw
