#pragma once

// Internal to core/sim: fault injection.

#include "gatewaysimulator.h"

namespace gw::sim {

class State;
struct Connection;

//! Plays SimFault on the simulator: sticky faults are armed in State for the next sockets or
//! IDENTIFY/RESUMEs (the socket and session handlers consume them), live faults act on one
//! open connection at once.
class FaultInjector final
{
    Q_DISABLE_COPY_MOVE(FaultInjector)

public:
    explicit FaultInjector(State &state) : m_state(state) {}
    ~FaultInjector() = default;

    //! GatewaySimulator::injectFault: a sticky fault, or a live one on the bot's newest open
    //! connection.
    bool inject(const QString &botName, const SimFault &fault);
    //! GatewaySimulator::injectFaultOnConnection.
    bool injectOnConnection(int connectionId, const SimFault &fault);

private:
    bool applyLive(Connection &c, const SimFault &fault);
    bool flood(Connection &c, int count);

    State &m_state;
};

} // namespace gw::sim
