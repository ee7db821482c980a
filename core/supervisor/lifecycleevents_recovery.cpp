// The event-log rows of the recovery rules: flapping episodes and the identify budget wait
// (docs/lifecycle.md, "Backoff, flapping, jitter" and "The identify budget").
#include "lifecycleevents_p.h"
#include "recoverytext.h"

#include <QJsonValue>

namespace gw::lifecycle {

using recoverytext::budgetWaitText;
using recoverytext::flappingText;
using recoverytext::windowText;

LifecycleEvent flapping(int sessions, std::chrono::milliseconds window)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("sessions"), sessions);
    fields.insert(QStringLiteral("window_ms"), qint64(window.count()));
    return {EventKind::Flapping, Severity::Warning,
            QStringLiteral("%1; reconnects back off until a session stays up").arg(flappingText(FlappingStatus{sessions, window})),
            fields};
}

LifecycleEvent flappingEnded(std::chrono::milliseconds stable)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("stable_ms"), qint64(stable.count()));
    return {EventKind::FlappingEnded, Severity::Info,
            QStringLiteral("no longer flapping: the session stayed up for %1").arg(windowText(stable)), fields};
}

LifecycleEvent identifyBudgetWait(const GatewayError &reason, const QDateTime &until,
                                  const std::optional<SessionStartLimit> &limit)
{
    QJsonObject fields;
    fields.insert(QStringLiteral("until"), until.toUTC().toString(Qt::ISODateWithMs));
    fields.insert(QStringLiteral("reason"), reason.message);
    if (limit) {
        fields.insert(QStringLiteral("remaining"), limit->remaining);
        fields.insert(QStringLiteral("total"), limit->total);
    }
    return {EventKind::IdentifyBudgetWait, Severity::Warning,
            QStringLiteral("%1; IDENTIFY resumes by itself then").arg(
                budgetWaitText(until, QDateTime::currentDateTimeUtc())),
            fields};
}

} // namespace gw::lifecycle
