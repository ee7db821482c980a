#pragma once
// Helpers for tests that run accounts on the real AccountManager against the simulator: the
// record that points an account at the simulator, and waits on account states (event loop
// running, no sleeps). See tests/common/README.md.

#include "accountmanager.h"
#include "accountrecord.h"
#include "gatewaysimulator.h"

#include <QString>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <optional>

namespace gwtest {

//! An account named `name` whose REST calls (and so its gateway URL) go to `sim`.
[[nodiscard]] inline gw::AccountRecord simRecord(const gw::GatewaySimulator &sim, const QString &id,
                                                 const QString &name,
                                                 gw::Compression compression = gw::Compression::ZlibStream)
{
    gw::AccountRecord r;
    r.id = id;
    r.name = name;
    r.apiBaseOverride = sim.apiBase();
    r.compression = compression;
    return r;
}

//! The account's last delivered state, or nullopt when the manager does not know it.
[[nodiscard]] inline std::optional<gw::ConnectionState> stateOf(const gw::AccountManager &manager, const QString &id)
{
    const std::optional<gw::AccountStatus> s = manager.status(id);
    return s ? std::optional<gw::ConnectionState>(s->state) : std::nullopt;
}

//! Spins the event loop until account `id` is in `state` or `timeout` passes; true if it got there.
//! Use as `QVERIFY2(waitForState(...), qPrintable(describeState(...)))`.
[[nodiscard]] inline bool waitForState(const gw::AccountManager &manager, const QString &id,
                                       gw::ConnectionState state, std::chrono::milliseconds timeout)
{
    return QTest::qWaitFor([&] { return stateOf(manager, id) == state; }, int(timeout.count()));
}

//! "account <id>: <state>" for failure messages.
[[nodiscard]] inline QString describeState(const gw::AccountManager &manager, const QString &id)
{
    const std::optional<gw::ConnectionState> s = stateOf(manager, id);
    return QStringLiteral("account %1: %2").arg(id, s ? gw::stateName(*s) : QStringLiteral("unknown to the manager"));
}

//! The manager holds exactly `count` accounts and every one is Ready and connected.
[[nodiscard]] inline bool allReady(const gw::AccountManager &manager, int count)
{
    const QList<gw::AccountStatus> list = manager.statuses();
    return list.size() == count && std::all_of(list.begin(), list.end(), [](const gw::AccountStatus &s) {
               return s.state == gw::ConnectionState::Ready && s.connected;
           });
}

} // namespace gwtest
