#pragma once

#include "eventlogsource.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace gw {

class EventQuery;

//! The production EventLogSource and HistorySource: reads core's event store through its own
//! read-only EventQuery connection (WAL: reads while the worker thread writes). Use on the GUI
//! thread only. Snapshots are times: rows at or before the snapshot come from the store, newer
//! ones arrive live. Errors are logged (lcUi) and read as "no rows".
//! load() runs a snapshot's first page and count on a reader thread with a third connection
//! (a count or a text search over a million rows takes hundreds of milliseconds); the pages a
//! view scrolls to afterwards are keyset reads on the calling thread (well under a millisecond).
class EventStoreSource final : public EventLogSource, public HistorySource
{
    Q_DISABLE_COPY_MOVE(EventStoreSource)

public:
    explicit EventStoreSource(const QString &databasePath);
    ~EventStoreSource() override;

    //! Opens the connection; false (and a warning) if the database cannot be read.
    bool open();
    [[nodiscard]] bool isOpen() const;
    [[nodiscard]] QString databasePath() const;

    // EventLogSource
    qint64 snapshot() override;
    bool covers(qint64 snapshot, const EventLogEntry &entry) const override;
    qint64 count(const EventFilter &filter, qint64 snapshot) override;
    QList<EventLogEntry> page(const EventFilter &filter, qint64 snapshot, qint64 offset, int limit,
                              const std::optional<EventLogEntry> &previous) override;
    void load(const EventFilter &filter, qint64 snapshot, int limit, QObject *context,
              std::function<void(QList<EventLogEntry>)> firstPage, std::function<void(qint64)> counted) override;

    // HistorySource
    QList<DisconnectRecord> disconnects(const QString &accountId, const QDateTime &from, const QDateTime &to,
                                        int limit) override;
    QList<LatencyPoint> latency(const QString &accountId, const QDateTime &from, const QDateTime &to) override;
    UptimeReport uptime(const QString &accountId, const QDateTime &from, const QDateTime &to) override;
    DowntimeSummary downtime(const QString &accountId, const QDateTime &from, const QDateTime &to) override;

    //! Maximum points latency() returns (raw samples are averaged into buckets beyond that).
    static constexpr int MaxChartPoints = 600;

private:
    struct Reader;

    QString m_path;
    std::unique_ptr<EventQuery> m_query;
    bool m_open = false;
    QObject m_home;                    // on the calling thread: the reader's answers come here
    QThread m_thread;                  // the reader thread, started by the first load()
    std::unique_ptr<Reader> m_reader;  // used on m_thread only (but for its request counter)
};

} // namespace gw
