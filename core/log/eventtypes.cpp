#include "eventtypes.h"

#include <array>
#include <utility>

namespace gw {

namespace {

// One table, in enum order; the names are a public contract (exports, headless output, metrics):
// never rename one, only add.
constexpr std::array<std::pair<EventKind, const char *>, 25> k_kindNames{{
    {EventKind::State, "state"},
    {EventKind::Hello, "hello"},
    {EventKind::Identify, "identify"},
    {EventKind::Resume, "resume"},
    {EventKind::Ready, "ready"},
    {EventKind::Resumed, "resumed"},
    {EventKind::ReconnectRequested, "reconnect_requested"},
    {EventKind::InvalidSession, "invalid_session"},
    {EventKind::Close, "close"},
    {EventKind::Zombie, "zombie"},
    {EventKind::HelloTimeout, "hello_timeout"},
    {EventKind::ReadyTimeout, "ready_timeout"},
    {EventKind::WatchdogTimeout, "watchdog_timeout"},
    {EventKind::ReconnectScheduled, "reconnect_scheduled"},
    {EventKind::Fatal, "fatal"},
    {EventKind::Error, "error"},
    {EventKind::UserAction, "user_action"},
    {EventKind::MonitorStarted, "monitor_started"},
    {EventKind::MonitorStopped, "monitor_stopped"},
    {EventKind::GatewayInfo, "gateway_info"},
    {EventKind::SeqGap, "seq_gap"},
    {EventKind::RateLimited, "rate_limited"},
    {EventKind::Flapping, "flapping"},
    {EventKind::FlappingEnded, "flapping_ended"},
    {EventKind::IdentifyBudgetWait, "identify_budget_wait"},
}};

constexpr std::array<std::pair<Severity, const char *>, 4> k_severityNames{{
    {Severity::Debug, "debug"},
    {Severity::Info, "info"},
    {Severity::Warning, "warning"},
    {Severity::Error, "error"},
}};

} // namespace

QString eventKindName(EventKind kind)
{
    for (const auto &[k, name] : k_kindNames) {
        if (k == kind)
            return QLatin1String(name);
    }
    return QStringLiteral("unknown");
}

std::optional<EventKind> eventKindFromName(QStringView name)
{
    for (const auto &[k, n] : k_kindNames) {
        if (name == QLatin1String(n))
            return k;
    }
    return std::nullopt;
}

QString severityName(Severity severity)
{
    for (const auto &[s, name] : k_severityNames) {
        if (s == severity)
            return QLatin1String(name);
    }
    return QStringLiteral("unknown");
}

std::optional<Severity> severityFromName(QStringView name)
{
    for (const auto &[s, n] : k_severityNames) {
        if (name == QLatin1String(n))
            return s;
    }
    return std::nullopt;
}

} // namespace gw
