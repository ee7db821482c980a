#include "appsettings.h"

namespace gw {

namespace {

template<typename F>
void forEachTiming(GatewayTimings &t, F &&f)
{
    f("handshake_timeout", t.handshakeTimeout);
    f("hello_timeout", t.helloTimeout);
    f("backoff_base", t.backoffBase);
    f("backoff_max", t.backoffMax);
    f("invalid_session_delay_min", t.invalidSessionDelayMin);
    f("invalid_session_delay_max", t.invalidSessionDelayMax);
    f("identify_bucket_interval", t.identifyBucketInterval);
    f("send_window", t.sendWindow);
    f("latency_warning", t.latencyWarning);
    f("ready_timeout", t.readyTimeout);
    f("hello_watch", t.helloWatch);
    f("reconnect_stall_timeout", t.reconnectStallTimeout);
    f("restart_backoff_base", t.restartBackoffBase);
    f("restart_backoff_max", t.restartBackoffMax);
}

QString key(const char *name, const char *suffix)
{
    return QStringLiteral("timings/") + QLatin1String(name) + QLatin1String(suffix);
}

} // namespace

GatewayTimings AppSettings::loadTimings(QSettings &s)
{
    GatewayTimings t = GatewayTimings::defaults();
    forEachTiming(t, [&s](const char *name, std::chrono::milliseconds &v) {
        const qint64 ms = s.value(key(name, "_ms"), qint64(v.count())).toLongLong();
        if (ms > 0)
            v = std::chrono::milliseconds(ms);
    });
    t.reconnectBudget = std::max(1, s.value(QStringLiteral("timings/reconnect_budget"), t.reconnectBudget).toInt());
    t.identifyRemainingFloor = std::max(0, s.value(QStringLiteral("timings/identify_remaining_floor"), t.identifyRemainingFloor).toInt());
    t.sendLimit = std::max(1, s.value(QStringLiteral("timings/send_limit"), t.sendLimit).toInt());
    t.startupReadyRetries = std::max(0, s.value(QStringLiteral("timings/startup_ready_retries"), t.startupReadyRetries).toInt());
    t.maxHelloStalls = std::max(1, s.value(QStringLiteral("timings/max_hello_stalls"), t.maxHelloStalls).toInt());
    return t;
}

AppSettings AppSettings::load(QSettings &s)
{
    AppSettings a;
    a.timings = loadTimings(s);
    a.notifications.enabled = s.value(QStringLiteral("notifications/enabled"), a.notifications.enabled).toBool();
    a.notifications.downThreshold = std::chrono::milliseconds(
        s.value(QStringLiteral("notifications/down_threshold_ms"), qint64(a.notifications.downThreshold.count())).toLongLong());
    a.notifications.groupWindow = std::chrono::milliseconds(
        s.value(QStringLiteral("notifications/group_window_ms"), qint64(a.notifications.groupWindow.count())).toLongLong());
    a.notifications.groupMinAccounts = s.value(QStringLiteral("notifications/group_min_accounts"), a.notifications.groupMinAccounts).toInt();
    a.retentionDays = s.value(QStringLiteral("log/retention_days"), a.retentionDays).toInt();
    a.metricsEnabled = s.value(QStringLiteral("metrics/enabled"), a.metricsEnabled).toBool();
    a.metricsListen = s.value(QStringLiteral("metrics/listen"), a.metricsListen).toString();
    return a;
}

void AppSettings::save(QSettings &s) const
{
    GatewayTimings t = timings;
    forEachTiming(t, [&s](const char *name, std::chrono::milliseconds &v) {
        s.setValue(key(name, "_ms"), qint64(v.count()));
    });
    s.setValue(QStringLiteral("timings/reconnect_budget"), t.reconnectBudget);
    s.setValue(QStringLiteral("timings/identify_remaining_floor"), t.identifyRemainingFloor);
    s.setValue(QStringLiteral("timings/send_limit"), t.sendLimit);
    s.setValue(QStringLiteral("timings/startup_ready_retries"), t.startupReadyRetries);
    s.setValue(QStringLiteral("timings/max_hello_stalls"), t.maxHelloStalls);
    s.setValue(QStringLiteral("notifications/enabled"), notifications.enabled);
    s.setValue(QStringLiteral("notifications/down_threshold_ms"), qint64(notifications.downThreshold.count()));
    s.setValue(QStringLiteral("notifications/group_window_ms"), qint64(notifications.groupWindow.count()));
    s.setValue(QStringLiteral("notifications/group_min_accounts"), notifications.groupMinAccounts);
    s.setValue(QStringLiteral("log/retention_days"), retentionDays);
    s.setValue(QStringLiteral("metrics/enabled"), metricsEnabled);
    s.setValue(QStringLiteral("metrics/listen"), metricsListen);
    s.sync();
}

std::unique_ptr<QSettings> openSettings(const QString &path)
{
    if (path.isEmpty())
        return std::make_unique<QSettings>();
    return std::make_unique<QSettings>(path, QSettings::IniFormat);
}

} // namespace gw
