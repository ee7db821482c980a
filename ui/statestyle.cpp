#include "statestyle.h"

#include <QCoreApplication>
#include <QHash>
#include <QStringList>

namespace gw {

StateStyle::Group StateStyle::group(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Stopped:
        return Group::Paused;
    case ConnectionState::Ready:
        return Group::Ok;
    case ConnectionState::Connecting:
    case ConnectionState::AwaitingHello:
    case ConnectionState::Identifying:
    case ConnectionState::Resuming:
        return Group::Connecting;
    case ConnectionState::Degraded:
        return Group::Degraded;
    case ConnectionState::Reconnecting:
        return Group::Reconnecting;
    case ConnectionState::Failed:
        return Group::Failed;
    }
    return Group::Failed;
}

int StateStyle::severity(ConnectionState state)
{
    return severity(group(state));
}

bool StateStyle::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < palette.color(QPalette::WindowText).lightness();
}

QColor StateStyle::color(Group g, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (g) {
    case Group::Ok:
        return dark ? QColor(0x66, 0xd1, 0x7a) : QColor(0x1b, 0x7f, 0x34);
    case Group::Connecting:
        return dark ? QColor(0xff, 0xd0, 0x4d) : QColor(0x9a, 0x62, 0x00);
    case Group::Degraded:
        return dark ? QColor(0xff, 0xa7, 0x4d) : QColor(0xc2, 0x4e, 0x00);
    case Group::Reconnecting:
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc6, 0x28, 0x28);
    case Group::Failed:
        return dark ? QColor(0xff, 0x8f, 0xa3) : QColor(0x8e, 0x00, 0x00);
    case Group::Paused:
        return dark ? QColor(0xa8, 0xa8, 0xa8) : QColor(0x66, 0x66, 0x66);
    }
    return palette.color(QPalette::Text);
}

QColor StateStyle::color(ConnectionState state, const QPalette &palette)
{
    return color(group(state), palette);
}

namespace {
// One QIcon per file: an icon engine caches its rendered pixmaps, so views painting thousands
// of cells never re-parse or re-render the SVG.
const QIcon &cachedIcon(const char *path)
{
    static QHash<const char *, QIcon> cache;
    auto it = cache.find(path);
    if (it == cache.end())
        it = cache.insert(path, QIcon(QLatin1String(path)));
    return *it;
}
} // namespace

QIcon StateStyle::icon(Severity severity)
{
    switch (severity) {
    case Severity::Error: return icon(Group::Failed);
    case Severity::Warning: return icon(Group::Degraded);
    case Severity::Info:
    case Severity::Debug: break;
    }
    return {};
}

QColor StateStyle::color(Severity severity, const QPalette &palette)
{
    switch (severity) {
    case Severity::Error: return color(Group::Failed, palette);
    case Severity::Warning: return color(Group::Degraded, palette);
    case Severity::Debug: return color(Group::Paused, palette);
    case Severity::Info: break;
    }
    return {};
}

QIcon StateStyle::icon(Group g)
{
    switch (g) {
    case Group::Ok:
        return cachedIcon(":/icons/state-ready.svg");
    case Group::Connecting:
        return cachedIcon(":/icons/state-connecting.svg");
    case Group::Degraded:
        return cachedIcon(":/icons/state-degraded.svg");
    case Group::Reconnecting:
        return cachedIcon(":/icons/state-reconnecting.svg");
    case Group::Failed:
        return cachedIcon(":/icons/state-failed.svg");
    case Group::Paused:
        return cachedIcon(":/icons/state-paused.svg");
    }
    return noDataIcon();
}

QIcon StateStyle::icon(ConnectionState state)
{
    return icon(group(state));
}

QIcon StateStyle::noDataIcon()
{
    return cachedIcon(":/icons/state-nodata.svg");
}

QIcon StateStyle::tokenNeededIcon()
{
    return cachedIcon(":/icons/state-token-needed.svg");
}

QString StateStyle::tokenNeededText()
{
    return QCoreApplication::translate("gw::StateStyle", "Token needed");
}

QIcon StateStyle::appIcon()
{
    return cachedIcon(":/icons/gatewatch.svg");
}

QString StateStyle::text(ConnectionState state)
{
    return stateDisplayName(state);
}

QString StateStyle::groupWord(Group g)
{
    switch (g) {
    case Group::Ok:
        return QCoreApplication::translate("gw::StateStyle", "ok");
    case Group::Connecting:
        return QCoreApplication::translate("gw::StateStyle", "connecting");
    case Group::Degraded:
        return QCoreApplication::translate("gw::StateStyle", "degraded");
    case Group::Reconnecting:
        return QCoreApplication::translate("gw::StateStyle", "reconnecting");
    case Group::Failed:
        return QCoreApplication::translate("gw::StateStyle", "failed");
    case Group::Paused:
        return QCoreApplication::translate("gw::StateStyle", "paused");
    }
    return {};
}

QString StateStyle::groupLabel(Group g)
{
    switch (g) {
    case Group::Ok:
        return QCoreApplication::translate("gw::StateStyle", "OK");
    case Group::Connecting:
        return QCoreApplication::translate("gw::StateStyle", "Connecting");
    case Group::Degraded:
        return QCoreApplication::translate("gw::StateStyle", "Degraded");
    case Group::Reconnecting:
        return QCoreApplication::translate("gw::StateStyle", "Reconnecting");
    case Group::Failed:
        return QCoreApplication::translate("gw::StateStyle", "Failed");
    case Group::Paused:
        return QCoreApplication::translate("gw::StateStyle", "Paused");
    }
    return {};
}

QString StateStyle::summary(const QHash<Group, int> &counts)
{
    static const Group order[] = {Group::Ok, Group::Connecting, Group::Degraded, Group::Reconnecting, Group::Failed, Group::Paused};
    QStringList parts;
    for (Group g : order) {
        const int n = counts.value(g, 0);
        if (n > 0)
            parts.append(QStringLiteral("%1 %2").arg(n).arg(groupWord(g)));
    }
    return parts.join(QStringLiteral(" · "));
}

} // namespace gw
