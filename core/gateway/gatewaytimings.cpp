#include "gatewaytimings.h"

using namespace std::chrono_literals;

namespace gw {

// Millisecond-scale timings for tests and the demo. The ratios of the defaults are kept where
// they matter to the logic:
//  - helloTimeout (3 s) > helloWatch (600 ms), so the supervisor's stall logic acts first;
//  - backoff 20 ms → 400 ms (base:max = 1:20, the seed's 1 s → 30 s is 1:30, close enough and
//    short enough that a 10-attempt budget test runs in about a second);
//  - invalid-session wait 10–50 ms (1–5 s / 100, still a visible, random delay);
//  - identify bucket 50 ms (5 s / 100): spacing is measurable above timer jitter;
//  - readyTimeout 300 ms ≥ identify bucket + handshake on loopback;
//  - reconnectStallTimeout 3 s, restart backoff 200 ms → 2 s;
//  - stable period 1 s (60 s / 60): longer than a test's quick fault sequence needs to count
//    as flapping, short enough for a test to wait it out; flapping window 10 s (10 min / 60).
GatewayTimings GatewayTimings::fast()
{
    GatewayTimings t;
    t.handshakeTimeout = 2000ms;
    t.helloTimeout = 3000ms;
    t.backoffBase = 20ms;
    t.backoffMax = 400ms;
    t.reconnectBudget = 50;
    t.stableAfter = 1000ms;
    t.flappingWindow = 10000ms;
    t.flappingSessions = 5;
    t.invalidSessionDelayMin = 10ms;
    t.invalidSessionDelayMax = 50ms;
    t.identifyBucketInterval = 50ms;
    t.identifyRemainingFloor = 50;
    t.sendWindow = 60s;
    t.sendLimit = 115;
    t.latencyWarning = 200ms;
    t.readyTimeout = 300ms;
    t.startupReadyRetries = 1;
    t.helloWatch = 600ms;
    t.maxHelloStalls = 3;
    t.reconnectStallTimeout = 3000ms;
    t.restartBackoffBase = 200ms;
    t.restartBackoffMax = 2000ms;
    return t;
}

} // namespace gw
