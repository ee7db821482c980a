#pragma once
// Helpers around the in-process GatewaySimulator (core/sim/gatewaysimulator.h). The simulator
// itself is the fixture: construct it with the Options the test needs (every port defaults to 0,
// loopback only), add bots, start() it, and read its URLs (gatewayUrl(), apiBase()) after a
// successful start. See tests/common/README.md.

#include "gatewaysimulator.h"

#include <QString>

namespace gwtest {

//! A bot policy with the simulator's defaults and `name` (the name the records are kept under).
[[nodiscard]] inline gw::SimBotPolicy botPolicy(const QString &name)
{
    gw::SimBotPolicy p;
    p.name = name;
    return p;
}

//! Registers `token` as the bot `name` with the default policy.
inline void addBot(gw::GatewaySimulator &sim, const QString &token, const QString &name)
{
    sim.addBot(token, botPolicy(name));
}

//! How many payloads with opcode `op` the simulator received from bot `bot`.
[[nodiscard]] inline int countOps(const gw::GatewaySimulator &sim, const QString &bot, int op)
{
    int n = 0;
    for (const gw::SimReceived &r : sim.receivedFrom(bot))
        n += r.op == op ? 1 : 0;
    return n;
}

//! How many sockets bot `bot` has opened so far (open or closed).
[[nodiscard]] inline int connectionsOf(const gw::GatewaySimulator &sim, const QString &bot)
{
    int n = 0;
    for (const gw::SimConnectionInfo &c : sim.connections())
        n += c.botName == bot ? 1 : 0;
    return n;
}

} // namespace gwtest
