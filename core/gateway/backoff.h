#pragma once

#include <chrono>

//! The waits of the reconnect policy, as pure functions: the random draw is a parameter
//! (`unit`, uniform in [0, 1)), so the arithmetic is testable without a clock or a generator.
//! GatewayClient passes QRandomGenerator::global()->generateDouble().
namespace gw {

//! Wait before the next attempt after `failed` consecutive failed attempts.
//! - failed <= 0: 0 ms (the first attempt after a close runs at once);
//! - otherwise "equal jitter": uniform in [c/2, c] with c = min(cap, base × 2^(failed − 1)),
//!   the exponent capped at 30, and never below 1 ms. Full jitter could pick ~0 ms, the tight
//!   reconnect loop docs/protocol.md warns about; half the ceiling is the floor.
//! The result is c/2 + unit × c/2, truncated to whole milliseconds.
[[nodiscard]] std::chrono::milliseconds backoffDelay(int failed, std::chrono::milliseconds base,
                                                     std::chrono::milliseconds cap, double unit);

//! The ceiling c of backoffDelay() (0 for failed <= 0), truncated to whole milliseconds.
[[nodiscard]] std::chrono::milliseconds backoffCeiling(int failed, std::chrono::milliseconds base,
                                                       std::chrono::milliseconds cap);

//! A wait uniform in [lo, max(lo, hi)]: lo + unit × (max(lo, hi) − lo), truncated. Used for the
//! random wait after op 9 d:false and, with lo = 0, for the jittered first heartbeat.
[[nodiscard]] std::chrono::milliseconds uniformDelay(std::chrono::milliseconds lo, std::chrono::milliseconds hi,
                                                     double unit);

} // namespace gw
