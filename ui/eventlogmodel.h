#pragma once

#include "eventlogsource.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <memory>

namespace gw {

//! The event-log dock's model: newest first, windowed over an EventLogSource.
//! Only the rows a view asks for are fetched, a page (256 rows) at a time, and at most 64 pages
//! stay cached, so a million-row log opens at once and scrolls without loading it. Rows that
//! arrive live (AccountManager::eventLogged) are inserted at the top in batches, at most ~10
//! times a second; a filter change re-snapshots (one reset, not per tick). A snapshot starts
//! empty and fills as its source delivers (EventLogSource::load()): the first page, then the rest
//! of the count, so the view shows rows before a million-row count or search has finished.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    enum Column { TimeColumn, AccountColumn, SeverityColumn, KindColumn, MessageColumn, ColumnCount };
    Q_ENUM(Column)
    enum Role {
        RawValueRole = Qt::UserRole,  //!< time in ms, severity/kind as int, text otherwise
        EntryIdRole,
        AccountIdRole,
        SeverityRole,
        KindRole,
    };
    Q_ENUM(Role)

    static constexpr int PageSize = 256;
    static constexpr int MaxCachedPages = 64;
    //! Live rows kept on top of the snapshot before the model re-snapshots from the store.
    static constexpr int MaxLiveRows = 20000;

    explicit EventLogModel(QObject *parent = nullptr);
    ~EventLogModel() override;

    //! Not owned; must outlive the model (or be reset to nullptr first).
    void setSource(EventLogSource *source);
    void setFilter(const EventFilter &filter);
    [[nodiscard]] EventFilter filter() const;
    //! Re-read the store (new snapshot).
    void refresh();
    //! The count of the current snapshot has not arrived yet (loaded() comes when it has).
    [[nodiscard]] bool isLoading() const;

    //! A row that was just logged; shown at the top if it matches the filter.
    void appendLive(const EventLogEntry &entry);
    //! Insert pending live rows now (the 100 ms timer does this).
    void flushLive();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    [[nodiscard]] std::optional<EventLogEntry> entryAt(int row) const;
    //! The rows as tab-separated text (time ISO-8601, account, severity, kind, message), one a line.
    [[nodiscard]] QString rowsAsTsv(const QList<int> &rows) const;
    //! Pages fetched from the source so far (tests check laziness).
    [[nodiscard]] int pagesFetched() const;
    //! The snapshot bound handed out by the source.
    [[nodiscard]] qint64 snapshotMaxId() const;

Q_SIGNALS:
    //! The snapshot taken by setSource(), setFilter() or refresh() is complete: `rows` rows of
    //! the store match (live rows on top not included).
    void loaded(qint64 rows);

private:
    void handleLiveTimeout();
    void handleFirstPage(quint64 request, QList<EventLogEntry> rows);
    void handleCount(quint64 request, qint64 total);

    class Private;
    std::unique_ptr<Private> d;
};

QString severityDisplayName(Severity severity);
QString eventKindDisplayName(EventKind kind);

} // namespace gw
