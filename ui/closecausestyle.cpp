#include "closecausestyle.h"

#include "uiformat.h"

#include <QCoreApplication>
#include <QMetaEnum>

namespace gw {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("gw::CloseCauseStyle", text);
}
} // namespace

std::optional<CloseCause> CloseCauseStyle::fromName(const QString &name)
{
    if (name.isEmpty())
        return std::nullopt;
    const QMetaEnum meta = QMetaEnum::fromType<CloseCause>();
    for (int i = 0; i < meta.keyCount(); ++i) {
        const auto cause = CloseCause(meta.value(i));
        if (closeCauseName(cause) == name)
            return cause;
    }
    return std::nullopt;
}

QString CloseCauseStyle::text(CloseCause cause)
{
    switch (cause) {
    case CloseCause::Server: return tr("closed by Discord");
    case CloseCause::Op7: return tr("gateway asked to reconnect (op 7)");
    case CloseCause::Zombie: return tr("heartbeat not acknowledged (zombie)");
    case CloseCause::UserResume: return tr("you asked for a reconnect");
    case CloseCause::UserIdentify: return tr("you asked for a new session");
    case CloseCause::InvalidSession: return tr("session invalidated (op 9)");
    case CloseCause::HelloTimeout: return tr("no HELLO in time");
    case CloseCause::HandshakeTimeout: return tr("handshake timed out");
    case CloseCause::Oversized: return tr("message over the 16 MiB limit");
    case CloseCause::Protocol: return tr("undecodable stream");
    case CloseCause::Transport: return tr("connection dropped");
    case CloseCause::Stopped: return tr("monitoring stopped");
    }
    return uiformat::dash();
}

QString CloseCauseStyle::text(const QString &name)
{
    const auto cause = fromName(name);
    return cause ? text(*cause) : uiformat::dash();
}

bool CloseCauseStyle::isDeliberate(CloseCause cause)
{
    switch (cause) {
    case CloseCause::Op7:
    case CloseCause::UserResume:
    case CloseCause::UserIdentify:
    case CloseCause::Stopped:
        return true;
    default:
        return false;
    }
}

Severity CloseCauseStyle::severity(const QString &name, bool fatal, bool resumed)
{
    if (fatal)
        return Severity::Error;
    const auto cause = fromName(name);
    if (cause && (isDeliberate(*cause) || (*cause == CloseCause::Server && resumed)))
        return Severity::Info;
    return Severity::Warning;
}

} // namespace gw
