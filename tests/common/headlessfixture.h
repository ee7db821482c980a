#pragma once

// Headless runner set-up shared by the headless, bad-input, shard, lost-event and Prometheus
// tests: JSON Lines and diagnostics go to in-memory buffers, and the gateway and REST URLs point
// at the simulator.

#include "gatewaysimulator.h"
#include "headlessrunner.h"

#include <QBuffer>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <functional>
#include <memory>

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

//! One runner on an already parsed config, wired by headlessOptions() to `sim`, with signal
//! handling off and a spy on finished(). `adjust` may change the options before the runner is
//! made (e.g. a duration). The caller starts it: `run.runner->start()`.
struct HeadlessRun
{
    QBuffer out;
    QBuffer err;
    std::unique_ptr<gw::HeadlessRunner> runner;
    std::unique_ptr<QSignalSpy> finished;

    HeadlessRun(const gw::HeadlessConfig &config, const gw::GatewaySimulator *sim,
                const std::function<void(gw::HeadlessOptions &)> &adjust = {})
    {
        gw::HeadlessOptions options = headlessOptions(out, err, sim);
        options.config = config;
        options.handleSignals = false;
        if (adjust)
            adjust(options);
        runner = std::make_unique<gw::HeadlessRunner>(options);
        finished = std::make_unique<QSignalSpy>(runner.get(), &gw::HeadlessRunner::finished);
    }

    //! Stops the runner (exit 0) and waits for finished(); false if it never came.
    [[nodiscard]] bool stop()
    {
        runner->stop(gw::HeadlessExit::Ok, QStringLiteral("test"));
        return finished->count() == 1 || finished->wait(10000);
    }
};

} // namespace gwtest
