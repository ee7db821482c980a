#pragma once

// Internal to the accounts table (accounttablemodel.cpp): cells that need more than a few lines.

#include "accountstatus.h"
#include "historytypes.h"

#include <QDateTime>
#include <QVariant>

#include <optional>

namespace gw::accounttable {

//! The State cell of a saved account that waits for its token (AccountStatus::tokenNeeded()):
//! padlock icon, "Token needed", the reason and the fix in the tooltip.
QVariant tokenNeededCell(const AccountStatus &s, int role);

//! The Last disconnect cell: the open disconnect while it lasts (the live status, with the
//! stored record's cause when it has one), otherwise the most recent completed one from the
//! event store: "op 7 · 0.2 s · resumed · 3 min ago".
QVariant lastDisconnectCell(const AccountStatus &s, const std::optional<DisconnectRecord> &stored, int role,
                            const QDateTime &now);

//! "op 7", "zombie", "4004 authentication failed", … : a disconnect's cause in a few words.
QString shortCause(const DisconnectRecord &record);
//! "0.2 s" below ten seconds, uiformat::duration() above.
QString shortDowntime(qint64 ms);

} // namespace gw::accounttable
