#pragma once

#include "accountstatus.h"
#include "historytypes.h"

#include <QAbstractItemModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QTimer>

#include <memory>
#include <optional>

namespace gw {

//! One beat of the heartbeat strip: the round trip of an ACKed beat, or a missed/not-ready mark.
struct HeartbeatBeat
{
    qint64 atMs = 0;
    int latencyMs = -1;             //!< -1: no ACK (missed beat or a state change mark)
    ConnectionState state = ConnectionState::Ready;
};
using HeartbeatStrip = QList<HeartbeatBeat>;

//! The accounts table: one row per account, fed by AccountStatus snapshots. A sharded account
//! (AccountStatus::shards) has one child row per shard under its row, which shows the worst
//! shard's state (accounttablemodel_shards.cpp); only column 0 has children.
//! Snapshots are coalesced: updateStatus() only records, a 100 ms single-shot timer flushes,
//! so the view repaints at most ~10 times a second however fast statuses arrive. Updates emit
//! one ranged dataChanged over the changed rows; the model is never reset on a tick.
class AccountTableModel final : public QAbstractItemModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountTableModel)

public:
    enum Column {
        NameColumn,
        StateColumn,
        LatencyColumn,
        HeartbeatColumn,
        UptimeColumn,
        LastEventColumn,
        ReconnectsColumn,
        LastDisconnectColumn,
        IdentifyBudgetColumn,
        LostColumn,             //!< events lost: known count, plus gaps of unknown size
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        RawValueRole = Qt::UserRole,  //!< sortable raw value of the cell (numbers, not text)
        StateRole,                    //!< int(ConnectionState) of the row
        AccountIdRole,                //!< QString
        HeartbeatRole,                //!< HeartbeatStrip (HeartbeatColumn)
        LatencyMsRole,                //!< last latency in ms, or null QVariant
        LastEventTimeRole,            //!< QDateTime of the last inbound event
        MutedRole,                    //!< bool
        ShardRole,                    //!< a shard row's shard id (int); null on an account row
    };
    Q_ENUM(Role)

    //! Number of beats kept per row for the strip.
    static constexpr int MaxBeats = 40;

    explicit AccountTableModel(QObject *parent = nullptr);
    ~AccountTableModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    using QObject::parent;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    //! Record a snapshot (new account → new row at the next flush). Cheap; call at any rate.
    void updateStatus(const AccountStatus &status);
    //! Remove the account's row now.
    void removeAccount(const QString &accountId);
    void setMuted(const QString &accountId, bool muted);
    //! Share of the last 24 h in Ready while monitored (from the event log); nullopt = no data.
    void setUptime(const QString &accountId, std::optional<double> fraction24h);
    [[nodiscard]] std::optional<double> uptime(const QString &accountId) const;
    //! The account's most recent disconnect in the event store (the Last disconnect column shows
    //! it once it is over; the live status shows an open one at once); nullopt = none.
    void setLastDisconnect(const QString &accountId, const std::optional<DisconnectRecord> &record);
    [[nodiscard]] std::optional<DisconnectRecord> lastDisconnect(const QString &accountId) const;
    //! Apply pending snapshots now (the timer does this; tests and shutdown may call it).
    void flush();

    [[nodiscard]] int rowOf(const QString &accountId) const;
    [[nodiscard]] QString accountIdAt(int row) const;
    [[nodiscard]] std::optional<AccountStatus> status(const QString &accountId) const;
    [[nodiscard]] QList<AccountStatus> statuses() const;
    [[nodiscard]] HeartbeatStrip heartbeats(const QString &accountId) const;
    //! Number of dataChanged emissions so far (for the coalescing benchmark and tests).
    [[nodiscard]] quint64 flushCount() const;

Q_SIGNALS:
    //! Emitted after a flush that changed at least one row.
    void statusesFlushed();

private:
    // accounttablemodel_shards.cpp
    //! The row's shard children follow its status (rows inserted/removed, the rest changed).
    void syncShardRows(int row);
    [[nodiscard]] QVariant shardData(const QModelIndex &index, int role) const;

    void handleFlushTimeout();
    void handleAgeTick();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::HeartbeatBeat)
Q_DECLARE_METATYPE(gw::HeartbeatStrip)
