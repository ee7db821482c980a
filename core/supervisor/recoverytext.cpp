#include "recoverytext.h"

namespace gw::recoverytext {

QString windowText(std::chrono::milliseconds window)
{
    const qint64 ms = window.count();
    if (ms >= 60000 && ms % 60000 == 0)
        return QStringLiteral("%1 min").arg(ms / 60000);
    if (ms >= 1000 && ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 ms").arg(ms);
}

QString flappingText(const FlappingStatus &flapping)
{
    return QStringLiteral("flapping: %1 sessions in %2").arg(flapping.sessions).arg(windowText(flapping.window));
}

QString budgetWaitText(const QDateTime &until, const QDateTime &now)
{
    const QDateTime u = until.toUTC();
    const QString format = u.date() == now.toUTC().date() ? QStringLiteral("HH:mm") : QStringLiteral("yyyy-MM-dd HH:mm");
    return QStringLiteral("waiting for the identify budget until %1 UTC").arg(u.toString(format));
}

} // namespace gw::recoverytext
