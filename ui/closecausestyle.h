#pragma once

#include "eventtypes.h"
#include "gatewaytypes.h"

#include <QString>

#include <optional>

namespace gw {

//! How the cause of a close reads in the disconnect history: a few words per cause (the close
//! row's own message, closeSummary() in core/gateway/closecode.h, stays the full sentence), and
//! whether it is worth a warning: closes Gatewatch made on purpose are information.
class CloseCauseStyle final
{
public:
    CloseCauseStyle() = delete;

    //! The cause for its stored name ("op7", "user_resume", …; closeCauseName()); nullopt for an
    //! empty or unknown name (rows written before causes were recorded).
    static std::optional<CloseCause> fromName(const QString &name);
    //! "gateway asked to reconnect (op 7)", "connection dropped", …
    static QString text(CloseCause cause);
    //! text() for a stored name; "—" when unknown.
    static QString text(const QString &name);
    //! True for the closes Gatewatch made on purpose (op 7, a reconnect or new session you asked
    //! for, monitoring stopped).
    static bool isDeliberate(CloseCause cause);
    //! Severity of one disconnect of the history: Error when it ended monitoring (`fatal`), Info
    //! for a deliberate close or a server close that recovered by RESUME, Warning otherwise.
    static Severity severity(const QString &name, bool fatal, bool resumed);
};

} // namespace gw
