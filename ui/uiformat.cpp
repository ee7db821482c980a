#include "uiformat.h"

#include <QCoreApplication>
#include <QLocale>

namespace gw::uiformat {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("gw::uiformat", text);
}
} // namespace

QString dash()
{
    return QString(QChar(0x2014));
}

QString latency(std::optional<std::chrono::milliseconds> value)
{
    if (!value)
        return dash();
    return tr("%1 ms").arg(value->count());
}

QString duration(std::chrono::milliseconds value)
{
    qint64 ms = value.count();
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return tr("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return tr("%1 s").arg(s);
    const qint64 m = s / 60;
    if (m < 60)
        return tr("%1 min %2 s").arg(m).arg(s % 60);
    const qint64 h = m / 60;
    if (h < 24)
        return tr("%1 h %2 min").arg(h).arg(m % 60);
    return tr("%1 d %2 h").arg(h / 24).arg(h % 24);
}

QString age(const QDateTime &at, const QDateTime &now)
{
    if (!at.isValid())
        return dash();
    const qint64 ms = at.msecsTo(now);
    if (ms < 1000)
        return tr("just now");
    return tr("%1 ago").arg(duration(std::chrono::milliseconds(ms)));
}

QString percent(std::optional<double> fraction)
{
    if (!fraction)
        return dash();
    return tr("%1 %").arg(QLocale().toString(*fraction * 100.0, 'f', 1));
}

QString timestamp(const QDateTime &at)
{
    if (!at.isValid())
        return dash();
    return QLocale().toString(at.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString shortId(const QString &id)
{
    if (id.size() <= 10)
        return id;
    return id.left(8) + QChar(0x2026);
}

} // namespace gw::uiformat
