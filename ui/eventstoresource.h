#pragma once

#include "eventlogsource.h"

#include <memory>

namespace gw {

class EventQuery;

//! The production EventLogSource and HistorySource: reads core's event store through its own
//! read-only EventQuery connection (WAL: reads while the worker thread writes). Use on the GUI
//! thread only. Snapshots are times: rows at or before the snapshot come from the store, newer
//! ones arrive live. Errors are logged (lcUi) and read as "no rows".
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

    // HistorySource
    QList<DisconnectRecord> disconnects(const QString &accountId, const QDateTime &from, const QDateTime &to,
                                        int limit) override;
    QList<LatencyPoint> latency(const QString &accountId, const QDateTime &from, const QDateTime &to) override;
    UptimeReport uptime(const QString &accountId, const QDateTime &from, const QDateTime &to) override;
    DowntimeSummary downtime(const QString &accountId, const QDateTime &from, const QDateTime &to) override;

    //! Maximum points latency() returns (raw samples are averaged into buckets beyond that).
    static constexpr int MaxChartPoints = 600;

private:
    QString m_path;
    std::unique_ptr<EventQuery> m_query;
    bool m_open = false;
};

} // namespace gw
