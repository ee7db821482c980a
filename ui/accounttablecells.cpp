#include "accounttablecells_p.h"

#include "accounttablemodel.h"
#include "closecausestyle.h"
#include "closecode.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QGuiApplication>
#include <QLocale>

#include <algorithm>
#include <cstdlib>

namespace gw::accounttable {

namespace {

QString tr(const char *text)
{
    return AccountTableModel::tr(text);
}

QString recoveryText(DisconnectRecord::Recovery recovery)
{
    switch (recovery) {
    case DisconnectRecord::Recovery::Resume: return tr("resumed");
    case DisconnectRecord::Recovery::Identify: return tr("new session");
    case DisconnectRecord::Recovery::None: break;
    }
    return tr("recovered");
}

//! "4009 session timed out": the code and its name.
QString codeAndName(int code)
{
    QString name = CloseCodes::nameFor(code);
    name.replace(QLatin1Char('_'), QLatin1Char(' '));
    return QStringLiteral("%1 %2").arg(code).arg(name);
}

QString liveCause(const DisconnectInfo &info)
{
    if (info.closeCode)
        return codeAndName(*info.closeCode);
    return info.error.isEmpty() ? tr("dropped") : info.error;
}

QString recordTooltip(const DisconnectRecord &r)
{
    QStringList lines;
    lines << tr("Started %1").arg(uiformat::timestamp(r.start));
    lines << tr("Cause: %1").arg(CloseCauseStyle::text(r.cause));
    if (r.closeCode)
        lines << CloseCodes::describe(r.closeCode);
    if (const auto ms = r.downtimeMs()) {
        lines << tr("Down for %1, %2 at %3").arg(shortDowntime(*ms), recoveryText(r.recoveredBy),
                                                 uiformat::timestamp(*r.end));
        if (r.replayed)
            lines << tr("%1 events replayed").arg(*r.replayed);
        if (r.eventsLost)
            lines << tr("New session: the events sent while it was down are lost");
    } else {
        lines << tr("Still down");
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace

QString shortCause(const DisconnectRecord &record)
{
    const auto cause = closeCauseFromName(record.cause);
    if (!cause)
        return record.closeCode ? codeAndName(*record.closeCode) : tr("dropped");
    switch (*cause) {
    case CloseCause::Op7: return tr("op 7");
    case CloseCause::InvalidSession: return tr("op 9");
    case CloseCause::Zombie: return tr("zombie");
    case CloseCause::UserResume:
    case CloseCause::UserIdentify: return tr("by you");
    case CloseCause::HelloTimeout: return tr("no HELLO");
    case CloseCause::HandshakeTimeout: return tr("handshake timeout");
    case CloseCause::Oversized: return tr("too large");
    case CloseCause::Protocol: return tr("bad stream");
    case CloseCause::Stopped: return tr("stopped");
    case CloseCause::IdentifyBudget: return tr("identify budget");
    case CloseCause::Server:
    case CloseCause::Transport: break;
    }
    return record.closeCode ? codeAndName(*record.closeCode) : tr("dropped");
}

QString shortDowntime(qint64 ms)
{
    if (ms < 10'000)
        return tr("%1 s").arg(QLocale().toString(double(std::max<qint64>(ms, 0)) / 1000.0, 'f', 1));
    return uiformat::duration(std::chrono::milliseconds(ms));
}

QVariant tokenNeededCell(const AccountStatus &s, int role)
{
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return StateStyle::tokenNeededText();
    case Qt::DecorationRole:
        return StateStyle::tokenNeededIcon();
    case Qt::ForegroundRole:
        return StateStyle::color(StateStyle::Group::Degraded, QGuiApplication::palette());
    case AccountTableModel::RawValueRole:
        return StateStyle::severity(StateStyle::Group::Failed) * 100 - 1;
    case Qt::ToolTipRole:
        return s.lastError.isEmpty() ? s.tokenProblem : s.tokenProblem + QLatin1Char('\n') + s.lastError;
    default:
        break;
    }
    return {};
}

QVariant lastDisconnectCell(const AccountStatus &s, const std::optional<DisconnectRecord> &stored, int role,
                            const QDateTime &now)
{
    // Open: the live status says so at once; the stored record (when it is this one) adds the cause.
    const bool storedOpen = stored && !stored->end;
    if (s.lastDisconnect) {
        const DisconnectInfo &ld = *s.lastDisconnect;
        const bool same = storedOpen && std::abs(stored->start.msecsTo(ld.at)) < 5000;
        if (role == Qt::DisplayRole)
            return tr("%1 · down %2").arg(same ? shortCause(*stored) : liveCause(ld),
                                          uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, ld.at.msecsTo(now)))));
        if (role == AccountTableModel::RawValueRole)
            return ld.at.toMSecsSinceEpoch();
        if (role == Qt::ForegroundRole)
            return StateStyle::color(StateStyle::Group::Reconnecting, QGuiApplication::palette());
        if (role == Qt::ToolTipRole) {
            QString tip = same ? recordTooltip(*stored)
                               : uiformat::timestamp(ld.at) + QLatin1Char('\n') + CloseCodes::describe(ld.closeCode);
            if (!ld.error.isEmpty())
                tip += QLatin1Char('\n') + ld.error;
            return tip;
        }
        return {};
    }
    if (!stored || storedOpen) {
        if (role == Qt::DisplayRole)
            return uiformat::dash();
        if (role == AccountTableModel::RawValueRole)
            return qint64(0);
        return {};
    }
    const DisconnectRecord &r = *stored;
    if (role == Qt::DisplayRole)
        return tr("%1 · %2 · %3 · %4").arg(shortCause(r), shortDowntime(r.downtimeMs().value_or(0)),
                                           recoveryText(r.recoveredBy), uiformat::age(*r.end, now));
    if (role == AccountTableModel::RawValueRole)
        return r.start.toMSecsSinceEpoch();
    if (role == Qt::ToolTipRole)
        return recordTooltip(r);
    return {};
}

} // namespace gw::accounttable
