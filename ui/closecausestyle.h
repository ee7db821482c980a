#pragma once

#include "eventtypes.h"
#include "gatewaytypes.h"
#include "historytypes.h"

#include <QString>

#include <optional>

namespace gw {

//! How the cause of a disconnect reads in the history: a few words per cause (the close row's
//! own message, closeSummary() in core/gateway/closecode.h, stays the full sentence), and its
//! severity by closeSeverity(): closes Gatewatch made on purpose are information, not warnings.
class CloseCauseStyle final
{
public:
    CloseCauseStyle() = delete;

    //! "gateway asked to reconnect (op 7)", "connection dropped", …
    static QString text(CloseCause cause);
    //! text() for a stored name (closeCauseName()); "—" for an empty or unknown name (rows
    //! written before causes were recorded).
    static QString text(const QString &name);
    //! Error when it ended monitoring (`fatal`); otherwise closeSeverity() of its close, with
    //! the session kept and recovered when RESUME ended it; Warning when the cause is unknown.
    static Severity severity(const DisconnectRecord &record);
    //! True for a close Gatewatch made on purpose (its severity is Info and it is not the server's).
    static bool isDeliberate(const DisconnectRecord &record);
};

} // namespace gw
