// The event stream the store benchmarks write (bench_eventlog, bench_storeui, bench_startup_seed):
// lifecycle rows as the supervisor logs them, and a helper that fills a database with them.
#pragma once

#include "eventlog.h"

#include <QDateTime>
#include <QJsonObject>

#include <vector>

namespace gwbench {

using gw::EventKind;
using gw::EventLogEntry;
using gw::Severity;

// A realistic stream: each account goes through reconnect cycles as the supervisor logs them
// (close, state changes, reconnect_scheduled, hello, resume, resumed; every fourth cycle a
// re-IDENTIFY instead), so the derived history (disconnects, uptime spans) is maintained for
// real while inserting. 100 accounts, messages of 40–90 bytes, small field objects.
inline std::vector<EventLogEntry> lifecycleStream(int accounts)
{
    std::vector<EventLogEntry> stream;
    for (int cycle = 0; cycle < 4; ++cycle) {
        for (int a = 0; a < accounts; ++a) {
            const QString id = QStringLiteral("7d3c2a1e-5b4f-4c6d-9e8f-%1").arg(a, 12, 10, QLatin1Char('0'));
            const QString name = QStringLiteral("bot-%1").arg(a);
            const auto add = [&](EventKind kind, Severity severity, const QString &message, QJsonObject fields) {
                EventLogEntry e;
                e.accountId = id;
                e.accountName = name;
                e.kind = kind;
                e.severity = severity;
                e.message = message;
                e.fields = std::move(fields);
                stream.push_back(std::move(e));
            };
            const auto state = [&](const QString &to, const QString &from) {
                add(EventKind::State, Severity::Info, QStringLiteral("State %1 → %2").arg(from, to),
                    {{QStringLiteral("state"), to}, {QStringLiteral("previous"), from}});
            };
            const bool identify = cycle == 3;
            add(EventKind::Close, Severity::Warning,
                QStringLiteral("Gateway closed the connection: 4000 unknown error (resumable)"),
                {{QStringLiteral("code"), 4000}, {QStringLiteral("meaning"), QStringLiteral("unknown error")},
                 {QStringLiteral("initiator"), QStringLiteral("server")}, {QStringLiteral("action"), QStringLiteral("resume")}});
            state(QStringLiteral("reconnecting"), QStringLiteral("ready"));
            add(EventKind::ReconnectScheduled, Severity::Info, QStringLiteral("Reconnecting in 1.2 s (attempt 1, resume)"),
                {{QStringLiteral("delay_ms"), 1200}, {QStringLiteral("mode"), QStringLiteral("resume")},
                 {QStringLiteral("attempt"), 1}});
            state(QStringLiteral("connecting"), QStringLiteral("reconnecting"));
            state(QStringLiteral("awaiting_hello"), QStringLiteral("connecting"));
            add(EventKind::Hello, Severity::Debug, QStringLiteral("HELLO, heartbeat every 41250 ms"),
                {{QStringLiteral("heartbeat_interval_ms"), 41250}});
            if (identify) {
                state(QStringLiteral("identifying"), QStringLiteral("awaiting_hello"));
                add(EventKind::Identify, Severity::Info, QStringLiteral("IDENTIFY sent (shard 0/1)"),
                    {{QStringLiteral("shard_id"), 0}, {QStringLiteral("shard_count"), 1}});
                add(EventKind::Ready, Severity::Info, QStringLiteral("READY: session 5f2c…, 12 guilds"),
                    {{QStringLiteral("session_id"), QStringLiteral("5f2c…")}, {QStringLiteral("guilds"), 12}});
            } else {
                state(QStringLiteral("resuming"), QStringLiteral("awaiting_hello"));
                add(EventKind::Resume, Severity::Info, QStringLiteral("RESUME sent at sequence 1042"),
                    {{QStringLiteral("session_id"), QStringLiteral("5f2c…")}, {QStringLiteral("seq"), 1042}});
                add(EventKind::Resumed, Severity::Info, QStringLiteral("RESUMED: 7 events replayed"),
                    {{QStringLiteral("replayed"), 7}, {QStringLiteral("seq_before"), 1042},
                     {QStringLiteral("seq_after"), 1049}});
            }
            state(QStringLiteral("ready"), identify ? QStringLiteral("identifying") : QStringLiteral("resuming"));
        }
    }
    return stream;
}

//! Appends `rows` events of lifecycleStream(100) to `log` (open, on this thread), 7 ms apart
//! starting at `firstMs`, and commits them. Returns the number of events committed.
inline qint64 fillLog(gw::EventLog &log, qint64 rows, qint64 firstMs)
{
    const std::vector<EventLogEntry> stream = lifecycleStream(100);
    qint64 committed = 0;
    const auto connection = QObject::connect(&log, &gw::EventLog::batchCommitted, &log,
                                             [&committed](qint64, int n) { committed += n; });
    for (qint64 i = 0; i < rows; ++i) {
        EventLogEntry e = stream[std::size_t(i) % stream.size()];
        e.at = QDateTime::fromMSecsSinceEpoch(firstMs + i * 7, Qt::UTC);
        log.append(e);
    }
    (void)log.flush();
    QObject::disconnect(connection);
    return committed;
}

} // namespace gwbench
