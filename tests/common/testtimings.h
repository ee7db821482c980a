#pragma once
// Test timings: GatewayTimings::fast() plus the room a loaded or sanitized machine needs, in one
// place. Why the margins exist and which test uses which set: tests/common/README.md.

#include "gatewaytimings.h"

#include <QString>

#include <chrono>
#include <optional>

namespace gwtest {

//! The deadlines a slow machine can hit by accident: handshake, HELLO, the READY guard, the HELLO
//! watch and the stall watchdog. A field left empty keeps GatewayTimings::fast()'s value.
struct Margins
{
    std::optional<std::chrono::milliseconds> handshakeTimeout = std::nullopt;
    std::optional<std::chrono::milliseconds> helloTimeout = std::nullopt;
    std::optional<std::chrono::milliseconds> readyTimeout = std::nullopt;
    std::optional<std::chrono::milliseconds> helloWatch = std::nullopt;
    std::optional<std::chrono::milliseconds> reconnectStallTimeout = std::nullopt;
};

//! The margin sets. Each is sized for a 2-core machine shared with other builds and tests, and
//! for the ASan + UBSan suite of scripts/test-hardening.sh (a few times slower than a release
//! build). Widen a set here, never in a test file.
namespace margins {

using std::chrono::milliseconds;

//! Lifecycle tests that watch the deadlines fire (tests/supervisor): one account, so the guard
//! and the watch stay short, but long enough that READY comes in one attempt (a missed deadline
//! adds an IDENTIFY/RESUME the test does not expect). READY guard < HELLO watch, as in the
//! defaults; the client's own HELLO timer stays out of the way of the stall logic.
inline constexpr Margins Lifecycle{.helloTimeout = milliseconds{5000},
                                   .readyTimeout = milliseconds{600},
                                   .helloWatch = milliseconds{900},
                                   .reconnectStallTimeout = milliseconds{3000}};

//! The GUI tests (tests/ui/tst_mainwindow.cpp): about the window, not the lifecycle's deadlines;
//! the READY guard once expired under ASan while a soak loaded the machine.
inline constexpr Margins Window{.readyTimeout = milliseconds{3000}, .helloWatch = milliseconds{4000}};

//! Up to 200 accounts starting at once on one manager (tests/accounts/tst_accountmanager.cpp).
inline constexpr Margins ManyAccounts{.handshakeTimeout = milliseconds{6000},
                                      .helloTimeout = milliseconds{6000},
                                      .readyTimeout = milliseconds{2000},
                                      .helloWatch = milliseconds{3000},
                                      .reconnectStallTimeout = milliseconds{10000}};

//! A whole composed session with faults, errors, export and scrape, where no deadline may fire
//! (tests/accounts/tst_tokenleak.cpp).
inline constexpr Margins Session{.handshakeTimeout = milliseconds{6000},
                                 .helloTimeout = milliseconds{6000},
                                 .readyTimeout = milliseconds{3000},
                                 .helloWatch = milliseconds{3000},
                                 .reconnectStallTimeout = milliseconds{15000}};

//! Hostile servers next to one healthy account (tests/hostile): the healthy account must never
//! hit a deadline, the hostile ones must hit theirs well within a row's wait.
inline constexpr Margins Hostile{.handshakeTimeout = milliseconds{1500},
                                 .helloTimeout = milliseconds{2000},
                                 .readyTimeout = milliseconds{1500},
                                 .helloWatch = milliseconds{1500},
                                 .reconnectStallTimeout = milliseconds{10000}};

//! Hundreds of sockets for a minute or more (tests/soak/tst_soak.cpp).
inline constexpr Margins Soak{.handshakeTimeout = milliseconds{5000},
                              .helloTimeout = milliseconds{8000},
                              .readyTimeout = milliseconds{4000},
                              .helloWatch = milliseconds{3000},
                              .reconnectStallTimeout = milliseconds{20000}};

//! The headless runner configured through its JSON file (tests/headless/tst_headless.cpp,
//! tests/metrics/tst_prometheus_integration.cpp): REST + handshake may take a few hundred ms, and
//! each account must make exactly the attempts its story needs.
inline constexpr Margins Headless{.helloTimeout = milliseconds{10000},
                                  .readyTimeout = milliseconds{5000},
                                  .helloWatch = milliseconds{5000},
                                  .reconnectStallTimeout = milliseconds{20000}};

} // namespace margins

//! GatewayTimings::fast() with `m` applied. Tests change other fields (identify bucket, restart
//! backoff, ...) on the result when their story needs it.
[[nodiscard]] inline gw::GatewayTimings testTimings(const Margins &m)
{
    gw::GatewayTimings t = gw::GatewayTimings::fast();
    t.handshakeTimeout = m.handshakeTimeout.value_or(t.handshakeTimeout);
    t.helloTimeout = m.helloTimeout.value_or(t.helloTimeout);
    t.readyTimeout = m.readyTimeout.value_or(t.readyTimeout);
    t.helloWatch = m.helloWatch.value_or(t.helloWatch);
    t.reconnectStallTimeout = m.reconnectStallTimeout.value_or(t.reconnectStallTimeout);
    return t;
}

//! The same, as the `"timings"` object of a headless JSON config (core/headless/headlessconfig.cpp):
//! `{"preset":"fast","ready_timeout_ms":5000,...}`, only the fields `m` sets.
[[nodiscard]] inline QString timingsJson(const Margins &m)
{
    QString json = QStringLiteral(R"({"preset":"fast")");
    const auto add = [&json](const char *key, const std::optional<std::chrono::milliseconds> &value) {
        if (value)
            json += QStringLiteral(R"(,"%1":%2)").arg(QLatin1String(key)).arg(value->count());
    };
    add("handshake_timeout_ms", m.handshakeTimeout);
    add("hello_timeout_ms", m.helloTimeout);
    add("ready_timeout_ms", m.readyTimeout);
    add("hello_watch_ms", m.helloWatch);
    add("reconnect_watchdog_ms", m.reconnectStallTimeout);
    return json + QLatin1Char('}');
}

} // namespace gwtest
