#pragma once

// Headless runner set-up shared by the headless, lost-event and Prometheus tests: JSON Lines and
// diagnostics go to in-memory buffers, and the gateway and REST URLs point at the simulator.

#include "gatewaysimulator.h"
#include "headlessrunner.h"

#include <QBuffer>

namespace gwtest {

//! Opens `out` and `err` for writing and returns options that write to them; with `sim`, the
//! gateway URL and API base are the simulator's.
inline gw::HeadlessOptions headlessOptions(QBuffer &out, QBuffer &err, const gw::GatewaySimulator *sim = nullptr)
{
    out.open(QIODevice::WriteOnly);
    err.open(QIODevice::WriteOnly);
    gw::HeadlessOptions options;
    options.output = &out;
    options.diagnostics = &err;
    if (sim) {
        options.gatewayUrl = sim->gatewayUrl();
        options.apiBase = sim->apiBase();
    }
    return options;
}

} // namespace gwtest
