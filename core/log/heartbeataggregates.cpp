#include "heartbeataggregates_p.h"

#include "eventlogwriter_p.h"

#include <QHash>
#include <QVariant>

#include <algorithm>

namespace gw {

namespace {

constexpr qint64 k_msPerHour = 3'600'000;

struct HourlyKey
{
    QString accountId;
    qint64 hourStart = 0;
    friend bool operator==(const HourlyKey &a, const HourlyKey &b)
    {
        return a.hourStart == b.hourStart && a.accountId == b.accountId;
    }
    friend size_t qHash(const HourlyKey &key, size_t seed = 0) noexcept
    {
        return qHashMulti(seed, key.accountId, key.hourStart);
    }
};

struct HourlyAggregate
{
    qint64 count = 0;
    double sum = 0.0;
    double min = 0.0;
    double max = 0.0;

    void add(double ms)
    {
        if (count == 0) {
            min = ms;
            max = ms;
        }
        ++count;
        sum += ms;
        min = std::min(min, ms);
        max = std::max(max, ms);
    }
};

qint64 hourStart(qint64 atMs)
{
    return atMs - (((atMs % k_msPerHour) + k_msPerHour) % k_msPerHour);
}

} // namespace

bool writeHeartbeats(EventLogWriter &writer, const std::vector<PendingHeartbeat> &batch, QString *error)
{
    QHash<HourlyKey, HourlyAggregate> hours;
    for (const PendingHeartbeat &h : batch) {
        if (!writer.insertHeartbeat(h)) {
            *error = writer.lastError();
            return false;
        }
        hours[{h.accountId, hourStart(h.at)}].add(h.latencyMs);
    }
    for (auto it = hours.cbegin(); it != hours.cend(); ++it) {
        if (!writer.exec(QStringLiteral("INSERT INTO heartbeat_hourly (account_id, hour_start, count, sum_ms, min_ms, max_ms) "
                                        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, hour_start) DO UPDATE SET "
                                        "count = count + excluded.count, sum_ms = sum_ms + excluded.sum_ms, "
                                        "min_ms = min(min_ms, excluded.min_ms), max_ms = max(max_ms, excluded.max_ms)"),
                         {it.key().accountId, it.key().hourStart, it.value().count, it.value().sum, it.value().min,
                          it.value().max},
                         error)) {
            return false;
        }
    }
    return true;
}

} // namespace gw
