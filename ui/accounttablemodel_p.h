#pragma once

// Private to ui/accounttablemodel*.cpp: the rows of AccountTableModel and its Private.

#include "accounttablemodel.h"
#include "historytypes.h"
#include "statestyle.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QTimer>

#include <optional>

namespace gw {

namespace accounttable {

struct BeatTracker
{
    HeartbeatStrip beats;
    quint64 acks = 0;
    quint64 sent = 0;
    ConnectionState state = ConnectionState::Stopped;
    bool seen = false;
};

struct Row
{
    AccountStatus status;
    std::optional<double> uptime;
    std::optional<DisconnectRecord> lastDrop;   //!< the most recent one in the event store
    bool muted = false;
    //! Stable for the row's life: the internal id of its shard rows' indexes (0 = an account row).
    quint64 key = 0;
    //! Shard child rows the model reports (follows status.shards at each flush).
    int shardRows = 0;
};

} // namespace accounttable

class AccountTableModel::Private
{
public:
    using Row = accounttable::Row;
    using BeatTracker = accounttable::BeatTracker;

    QList<Row> rows;
    QHash<QString, int> rowById;
    QHash<QString, AccountStatus> pending;
    QList<QString> pendingNew;       // ids without a row yet, in arrival order
    QHash<QString, BeatTracker> trackers;
    QHash<QString, bool> mutedById;
    QHash<QString, std::optional<double>> uptimeById;
    QHash<QString, std::optional<DisconnectRecord>> lastDropById;
    QTimer flushTimer;
    QTimer ageTimer;
    quint64 flushes = 0;
    quint64 nextKey = 1;
    QHash<quint64, int> rowByKey;    // Row::key → row

    void reindex()
    {
        rowById.clear();
        rowByKey.clear();
        for (int i = 0; i < rows.size(); ++i) {
            rowById.insert(rows.at(i).status.accountId, i);
            rowByKey.insert(rows.at(i).key, i);
        }
    }

    void track(const AccountStatus &s)
    {
        BeatTracker &t = trackers[s.accountId];
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto push = [&t](HeartbeatBeat beat) {
            t.beats.append(beat);
            if (t.beats.size() > AccountTableModel::MaxBeats)
                t.beats.remove(0, t.beats.size() - AccountTableModel::MaxBeats);
        };
        if (t.seen) {
            if (s.stats.acksReceived > t.acks) {
                const int ms = s.stats.lastLatency ? int(s.stats.lastLatency->count()) : -1;
                push({now, ms, s.state});
            } else if (s.stats.heartbeatsSent > t.sent && s.stats.missedAcks > 0) {
                push({now, -1, s.state});
            }
            const auto g = StateStyle::group(s.state);
            if (s.state != t.state
                && (g == StateStyle::Group::Degraded || g == StateStyle::Group::Reconnecting
                    || g == StateStyle::Group::Failed)) {
                push({now, -1, s.state});
            }
        }
        t.acks = s.stats.acksReceived;
        t.sent = s.stats.heartbeatsSent;
        t.state = s.state;
        t.seen = true;
    }
};

} // namespace gw
