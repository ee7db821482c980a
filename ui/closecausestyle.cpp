#include "closecausestyle.h"

#include "closecode.h"
#include "uiformat.h"

#include <QCoreApplication>

namespace gw {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("gw::CloseCauseStyle", text);
}
} // namespace

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
    case CloseCause::IdentifyBudget: return tr("waiting for the identify budget");
    }
    return uiformat::dash();
}

QString CloseCauseStyle::text(const QString &name)
{
    const auto cause = closeCauseFromName(name);
    return cause ? text(*cause) : uiformat::dash();
}

Severity CloseCauseStyle::severity(const DisconnectRecord &record)
{
    if (record.fatal)
        return Severity::Error;
    const auto cause = closeCauseFromName(record.cause);
    if (!cause)
        return Severity::Warning;
    CloseInfo info;
    info.code = record.closeCode;
    info.cause = *cause;
    const bool resumed = record.recoveredBy == DisconnectRecord::Recovery::Resume;
    info.sessionKept = resumed;
    switch (closeSeverity(info, resumed)) {
    case CloseSeverity::Info: return Severity::Info;
    case CloseSeverity::Warning: return Severity::Warning;
    case CloseSeverity::Error: return Severity::Error;
    }
    return Severity::Warning;
}

bool CloseCauseStyle::isDeliberate(const DisconnectRecord &record)
{
    const auto cause = closeCauseFromName(record.cause);
    return cause && *cause != CloseCause::Server && severity(record) == Severity::Info;
}

} // namespace gw
