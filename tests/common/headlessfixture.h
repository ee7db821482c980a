#pragma once

// Headless runner set-up shared by the headless, lost-event and Prometheus tests: JSON Lines and
// diagnostics go to in-memory buffers, and the gateway and REST URLs point at the simulator.

#include "gatewaysimulator.h"
#include "headlessrunner.h"

#include <QBuffer>
#include <QTemporaryDir>

namespace gwtest {

//! A resume-state file of its own for one runner (in a temporary directory that lives until the
//! test exits), so a session saved by one test function is never resumed by the next.
[[nodiscard]] inline QString freshResumeStateFile()
{
    static QTemporaryDir dir;
    static int next = 0;
    return dir.filePath(QStringLiteral("resume-state-%1.ini").arg(++next));
}

//! Opens `out` and `err` for writing and returns options that write to them; with `sim`, the
//! gateway URL and API base are the simulator's, and the resume state goes to a fresh file.
inline gw::HeadlessOptions headlessOptions(QBuffer &out, QBuffer &err, const gw::GatewaySimulator *sim = nullptr)
{
    out.open(QIODevice::WriteOnly);
    err.open(QIODevice::WriteOnly);
    gw::HeadlessOptions options;
    options.output = &out;
    options.diagnostics = &err;
    options.resumeStateFile = freshResumeStateFile();
    if (sim) {
        options.gatewayUrl = sim->gatewayUrl();
        options.apiBase = sim->apiBase();
    }
    return options;
}

} // namespace gwtest
