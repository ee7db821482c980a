#pragma once

#include <chrono>

namespace gw {

//! Every duration and count of the engine and the supervisor, in one place (docs/architecture.md).
//! Defaults are Discord's and docs/lifecycle.md's; tests inject millisecond values and run the
//! real code.
struct GatewayTimings
{
    // --- GatewayClient phases (docs/protocol.md, connecting) --------------------------------
    //! TCP + TLS + WebSocket handshake; QWebSocket has none of its own.
    std::chrono::milliseconds handshakeTimeout{std::chrono::seconds{30}};
    //! Socket open → HELLO. Longer than the supervisor's helloWatch so that the seed's
    //! stall logic (resume, resume, fresh identify) is what acts first.
    std::chrono::milliseconds helloTimeout{std::chrono::seconds{60}};
    //! Once messages arrive less than this far apart, the socket is read once per this interval
    //! (sooner once 16 KiB are queued) instead of on every packet; replies whose timing counts
    //! are read as they come (docs/architecture.md, "Read batching"). Zero reads every packet.
    std::chrono::milliseconds readBatchWindow{25};

    // --- Reconnect policy (docs/protocol.md, reconnect policy; base 1 s / max 30 s, budget 50)
    std::chrono::milliseconds backoffBase{std::chrono::seconds{1}};
    std::chrono::milliseconds backoffMax{std::chrono::seconds{30}};
    int reconnectBudget = 50;        //!< consecutive failed attempts before ReconnectBudgetExhausted
    //! A session must stay READY/RESUMED this long before the backoff starts again from zero; one
    //! that dies sooner counts as a failure (docs/lifecycle.md, "Backoff, flapping, jitter").
    std::chrono::milliseconds stableAfter{std::chrono::seconds{60}};
    //! `flappingSessions` sessions that died within `flappingWindow` make an account "flapping".
    std::chrono::milliseconds flappingWindow{std::chrono::minutes{10}};
    int flappingSessions = 5;
    //! Random wait before re-IDENTIFY after op 9 d:false (docs/protocol.md, invalid session).
    std::chrono::milliseconds invalidSessionDelayMin{std::chrono::seconds{1}};
    std::chrono::milliseconds invalidSessionDelayMax{std::chrono::seconds{5}};

    // --- IdentifyGate (docs/protocol.md, identifying) ------------------------------------------
    std::chrono::milliseconds identifyBucketInterval{std::chrono::seconds{5}};
    int identifyRemainingFloor = 50;  //!< refuse to IDENTIFY when remaining is below this

    // --- Send budget (docs/protocol.md, rate and size limits) -----------------------------------
    std::chrono::milliseconds sendWindow{std::chrono::seconds{60}};
    int sendLimit = 115;             //!< non-heartbeat sends per window

    // --- Health thresholds (seed §5 row 13) -----------------------------------------------------
    std::chrono::milliseconds latencyWarning{std::chrono::seconds{1}};  //!< over this → Degraded

    // --- AccountSupervisor (docs/lifecycle.md) ---------------------------------------------------
    std::chrono::milliseconds readyTimeout{std::chrono::seconds{15}};   //!< startup READY guard
    int startupReadyRetries = 1;                                        //!< forced fresh identifies
    std::chrono::milliseconds helloWatch{std::chrono::seconds{30}};     //!< open → READY/RESUMED
    int maxHelloStalls = 3;                                             //!< 3rd stall → fresh identify
    std::chrono::milliseconds reconnectStallTimeout{std::chrono::minutes{5}};  //!< watchdog

    // --- AccountManager (seed defect §8 b: restart one account after a visible backoff) ------
    std::chrono::milliseconds restartBackoffBase{std::chrono::seconds{30}};
    std::chrono::milliseconds restartBackoffMax{std::chrono::minutes{10}};

    //! Seed defaults everywhere.
    static GatewayTimings defaults() { return {}; }
    //! Millisecond-scale timings for tests and the demo (values and reasons in gatewaytimings.cpp):
    //! handshake 2 s, HELLO 3 s, backoff 20 → 400 ms, op 9 wait 10–50 ms, identify bucket 50 ms,
    //! latency warning 200 ms, READY guard 300 ms, HELLO watch 600 ms, stall watchdog 3 s,
    //! restart backoff 200 ms → 2 s, stable period 1 s, flapping window 10 s. Counts (budget 50,
    //! floor 50, 115 sends / 60 s, 5 sessions for flapping) are kept.
    static GatewayTimings fast();

    bool operator==(const GatewayTimings &) const = default;
};

} // namespace gw
