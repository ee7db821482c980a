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
    FaultInjector(State &state, GatewaySimulator *q) : m_state(state), q(q) {}
    ~FaultInjector() = default;

    //! GatewaySimulator::injectFault: a sticky fault, or a live one on the bot's newest open
    //! connection.
    bool inject(const QString &botName, const SimFault &fault);
    //! GatewaySimulator::injectFaultOnConnection.
    bool injectOnConnection(int connectionId, const SimFault &fault);

private:
    bool applyLive(Connection &c, const SimFault &fault);
    bool flood(Connection &c, const SimFault &fault);
    //! A paced flood's timer: sends the dispatches now due, then waits for the next one.
    void floodTick(int connectionId);
    bool skipSequence(Connection &c, int count);

    State &m_state;
    GatewaySimulator *const q;
};

} // namespace gw::sim
