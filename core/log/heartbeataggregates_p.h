#pragma once

// Internal to core/log: raw heartbeat samples and their hourly aggregates.

#include "eventlogbatch_p.h"

#include <QString>

#include <vector>

namespace gw {

class EventLogWriter;

//! Inserts the raw samples of `batch` and adds them to their hourly aggregates
//! (`heartbeat_hourly`, kept after the raw window is pruned). Runs inside the batch's
//! transaction; false with `error` on failure.
bool writeHeartbeats(EventLogWriter &writer, const std::vector<PendingHeartbeat> &batch, QString *error);

} // namespace gw
