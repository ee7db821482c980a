#pragma once

#include "accountsupervisor.h"
#include "gatewayclient.h"
#include "gatewaysimulator.h"
#include "identifygate.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QList>
#include <QSignalSpy>
#include <QTest>

#include <memory>

#define WAIT_RUNNING(h)                  \
    do {                                 \
        (h).waitRunning();               \
        if (QTest::currentTestFailed())  \
            return;                      \
    } while (false)

//! One account's real AccountSupervisor + real GatewayClient against the real in-process
//! GatewaySimulator, with millisecond timings, recording every status and event.
struct SupervisorHarness
{
    static constexpr const char *Token = "sim-token-alpha-0000";
    static constexpr const char *Bot = "alpha";

    //! Fast timings for the lifecycle tests (ms); individual tests adjust fields.
    static gw::GatewayTimings testTimings()
    {
        using namespace std::chrono_literals;
        gw::GatewayTimings t = gwtest::testTimings(gwtest::margins::Lifecycle);
        t.identifyBucketInterval = 50ms;
        return t;
    }

    static gw::GatewaySimulator::Options simOptions()
    {
        using namespace std::chrono_literals;
        gw::GatewaySimulator::Options o;
        o.heartbeatInterval = 500ms;
        o.identifyBucketInterval = 40ms;  // a little under the client gate's 50 ms
        o.heartbeatTimeoutGrace = 1000ms;
        return o;
    }

    gw::GatewaySimulator sim{simOptions()};
    gw::GatewayTimings timings = testTimings();
    gw::IdentifyGate *gate = nullptr;
    std::unique_ptr<gw::AccountSupervisor> supervisor;
    QList<gw::AccountStatus> statuses;
    QList<gw::EventLogEntry> events;
    std::unique_ptr<QSignalSpy> finishedSpy;
    std::unique_ptr<QSignalSpy> phaseSpy;
    std::unique_ptr<QObject> context;

    bool startSim(const gw::SimBotPolicy &policy = defaultPolicy())
    {
        sim.addBot(QLatin1String(Token), policy);
        return sim.start();
    }

    static gw::SimBotPolicy defaultPolicy()
    {
        return gwtest::botPolicy(QLatin1String(Bot));
    }

    //! Builds the supervisor (not started). `intents` and `token` go to the client config.
    gw::AccountSupervisor *make(quint32 intents = 1, const QString &token = QLatin1String(Token))
    {
        gw::GatewayClientConfig config;
        config.token = token;
        config.intents = intents;
        config.apiBase = sim.apiBase();
        config.compression = gw::Compression::ZlibStream;
        config.timings = timings;
        context = std::make_unique<QObject>();
        gate = new gw::IdentifyGate(timings.identifyBucketInterval, timings.identifyRemainingFloor, context.get());
        auto *client = new gw::GatewayClient(config, gate);
        gw::AccountSupervisor::Options options;
        options.accountId = QStringLiteral("acc-alpha");
        options.accountName = QStringLiteral("Alpha");
        options.timings = timings;
        supervisor = std::make_unique<gw::AccountSupervisor>(options, client);
        QObject::connect(supervisor.get(), &gw::AccountSupervisor::statusChanged, context.get(),
                         [this](const gw::AccountStatus &s) { statuses.append(s); });
        QObject::connect(supervisor.get(), &gw::AccountSupervisor::eventLogged, context.get(),
                         [this](const gw::EventLogEntry &e) { events.append(e); });
        finishedSpy = std::make_unique<QSignalSpy>(supervisor.get(), &gw::AccountSupervisor::finished);
        phaseSpy = std::make_unique<QSignalSpy>(supervisor.get(), &gw::AccountSupervisor::phaseChanged);
        return supervisor.get();
    }

    //! IDENTIFY (2) and RESUME (6) ops the simulator received from the bot, in order.
    QList<int> sessionOps() const
    {
        QList<int> ops;
        for (const gw::SimReceived &r : sim.receivedFrom(QLatin1String(Bot))) {
            if (r.op == 2 || r.op == 6)
                ops.append(r.op);
        }
        return ops;
    }

    int countEvents(gw::EventKind kind, const QString &contains = {}) const
    {
        int n = 0;
        for (const gw::EventLogEntry &e : events) {
            if (e.kind == kind && (contains.isEmpty() || e.message.contains(contains)))
                ++n;
        }
        return n;
    }

    bool anyEventContains(const QString &text) const
    {
        for (const gw::EventLogEntry &e : events) {
            if (e.message.contains(text))
                return true;
        }
        return false;
    }

    bool reachedPhase(gw::AccountSupervisor::Phase phase) const
    {
        for (const QList<QVariant> &args : *phaseSpy) {
            if (args.at(0).value<gw::AccountSupervisor::Phase>() == phase)
                return true;
        }
        return false;
    }

    //! Waits until the account is Running and its client Ready.
    //! Callers follow it with `if (QTest::currentTestFailed()) return;` (or use WAIT_RUNNING).
    void waitRunning(int timeoutMs = 5000)
    {
        QTRY_VERIFY_WITH_TIMEOUT(supervisor->phase() == gw::AccountSupervisor::Phase::Running
                                     && supervisor->client()->state() == gw::ConnectionState::Ready,
                                 timeoutMs);
    }

    gw::SimFault fault(gw::SimFault::Kind kind, int connections = 1, int closeCode = 4000) const
    {
        gw::SimFault f;
        f.kind = kind;
        f.connections = connections;
        f.closeCode = closeCode;
        return f;
    }

    //! The account's cleanup (docs/lifecycle.md) happened exactly once: finished once, no timers, unregistered,
    //! client stopped.
    void verifyCleanup() const
    {
        QCOMPARE(finishedSpy->count(), 1);
        QVERIFY(!supervisor->hasActiveTimers());
        QCOMPARE(supervisor->phase(), gw::AccountSupervisor::Phase::Finished);
        QVERIFY(supervisor->client()->state() == gw::ConnectionState::Stopped
                || supervisor->client()->state() == gw::ConnectionState::Failed);
        QVERIFY(!supervisor->status().connected);
    }
};
