#pragma once

#include "accountstatus.h"

#include <functional>
#include <optional>

class QMessageBox;
class QWidget;

namespace gw {

//! The warning before "Reconnect with fresh IDENTIFY": events sent while reconnecting are lost
//! and one IDENTIFY of the daily budget is spent (the budget left is shown when `status` knows
//! it). Opened window-modal (open(), not exec()) and returned; `confirmed` runs only when the
//! user clicks "Spend an IDENTIFY" (object name "confirmIdentifyButton").
QMessageBox *confirmFreshIdentify(QWidget *parent, const std::optional<AccountStatus> &status,
                                  std::function<void()> confirmed);

} // namespace gw
