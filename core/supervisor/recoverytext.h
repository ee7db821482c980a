#pragma once

#include "accountstatus.h"

#include <QDateTime>
#include <QString>

#include <chrono>

//! The sentences of the recovery rules, shared by the event log, the headless output and the
//! desktop (docs/lifecycle.md, "Backoff, flapping, jitter" and "The identify budget").
namespace gw::recoverytext {

//! "10 min", "30 s", "250 ms": a window as people read it.
QString windowText(std::chrono::milliseconds window);
//! "flapping: 7 sessions in 10 min".
QString flappingText(const FlappingStatus &flapping);
//! "waiting for the identify budget until 14:05 UTC" (with the date when it is not today).
QString budgetWaitText(const QDateTime &until, const QDateTime &now);

} // namespace gw::recoverytext
