#include "demoscenario.h"

#include "intents.h"
#include "logging.h"

#include <QTimer>
#include <QUuid>

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

namespace {

struct Step
{
    std::chrono::milliseconds offset;   //!< within the cycle, before scaling
    DemoScenario::Role role;
    SimFault fault;
};

SimFault fault(SimFault::Kind kind, bool resumable = false)
{
    SimFault f;
    f.kind = kind;
    f.resumable = resumable;
    return f;
}

struct BotSpec
{
    DemoScenario::Role role;
    const char *name;
    const char *token;
    quint32 intents;
    bool privilegedAllowed;
};

// Fake tokens, known only to the embedded simulator.
constexpr BotSpec k_bots[] = {
    {DemoScenario::Role::Healthy, "demo-healthy", "demo-token-healthy-0001", Intents::Guilds, true},
    {DemoScenario::Role::Reconnect, "demo-reconnect", "demo-token-reconnect-0002", Intents::Guilds, true},
    {DemoScenario::Role::Zombie, "demo-zombie", "demo-token-zombie-0003", Intents::Guilds, true},
    {DemoScenario::Role::Invalidated, "demo-invalidated", "demo-token-invalidated-0004", Intents::Guilds, true},
    {DemoScenario::Role::DisallowedIntent, "demo-intents", "demo-token-intents-0005",
     Intents::Guilds | Intents::GuildMembers, false},
};

} // namespace

class DemoScenario::Private
{
public:
    Options options;
    std::unique_ptr<GatewaySimulator> simulator;
    QList<Bot> bots;
    QList<Step> steps;
    QTimer cycleTimer;               //!< starts each cycle
    QList<QTimer *> stepTimers;      //!< one single-shot per step, restarted each cycle
    int cycles = 0;
    bool running = false;
    QString error;
};

DemoScenario::DemoScenario(QObject *parent)
    : DemoScenario(Options{}, parent)
{
}

DemoScenario::DemoScenario(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->options = options;
    if (!(d->options.timeScale > 0))
        d->options.timeScale = 1.0;

    GatewaySimulator::Options simOptions;
    simOptions.heartbeatInterval = scaled(d->options.heartbeatInterval);
    // Discord's 5 s identify bucket is real time: at a compressed scale the client's own gate
    // runs on the scaled timings (timings()), so the simulator must not enforce the real one or
    // the op 9 bot would be invalidated again on every re-identify. At scale 1 it stays on.
    simOptions.enforceIdentifyConcurrency = d->options.timeScale >= 1.0;
    d->simulator = std::make_unique<GatewaySimulator>(simOptions);

    for (const BotSpec &spec : k_bots) {
        Bot bot;
        bot.role = spec.role;
        bot.token = QString::fromLatin1(spec.token);
        bot.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        bot.name = QString::fromLatin1(spec.name);
        bot.intents = spec.intents;
        d->bots.append(bot);

        SimBotPolicy policy;
        policy.name = bot.name;
        policy.userName = bot.name;
        policy.userId = QString::number(100000000000000001LL + d->bots.size());
        policy.privilegedIntentsAllowed = spec.privilegedAllowed;
        policy.guilds = 3;
        d->simulator->addBot(bot.token, policy);
    }

    d->steps = {
        {8000ms, Role::Reconnect, fault(SimFault::Kind::Reconnect)},
        {14000ms, Role::Zombie, fault(SimFault::Kind::StopAcks)},
        {20000ms, Role::Invalidated, fault(SimFault::Kind::InvalidSession, false)},
    };

    d->cycleTimer.setInterval(scaled(d->options.cycle));
    d->cycleTimer.setSingleShot(!d->options.repeat);
    for (const Step &step : std::as_const(d->steps)) {
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setInterval(scaled(step.offset));
        const QString botName = QString::fromLatin1(k_bots[int(step.role)].name);
        const SimFault f = step.fault;
        connect(timer, &QTimer::timeout, this, [this, botName, f] {
            const bool ok = d->simulator->injectFault(botName, f);
            qCInfo(lcSim).noquote() << "demo:" << botName << "fault" << int(f.kind) << (ok ? "played" : "had no connection");
            if (ok)
                Q_EMIT faultPlayed(botName, f.kind);
        });
        d->stepTimers.append(timer);
    }
    connect(&d->cycleTimer, &QTimer::timeout, this, [this] {
        ++d->cycles;
        for (QTimer *t : std::as_const(d->stepTimers))
            t->start();
    });
}

DemoScenario::~DemoScenario()
{
    stop();
}

bool DemoScenario::start()
{
    if (d->running)
        return true;
    if (!d->simulator->start()) {
        d->error = d->simulator->errorString();
        return false;
    }
    for (Bot &bot : d->bots) {
        bot.gatewayUrl = d->simulator->gatewayUrl();
        bot.apiBase = d->simulator->apiBase();
    }
    d->running = true;
    d->cycles = 0;
    d->cycleTimer.start();
    for (QTimer *t : std::as_const(d->stepTimers))
        t->start();
    return true;
}

void DemoScenario::stop()
{
    if (!d->running)
        return;
    d->running = false;
    d->cycleTimer.stop();
    for (QTimer *t : std::as_const(d->stepTimers))
        t->stop();
    d->simulator->stop();
}

QString DemoScenario::errorString() const
{
    return d->error;
}

bool DemoScenario::isRunning() const
{
    return d->running;
}

GatewaySimulator *DemoScenario::simulator() const
{
    return d->simulator.get();
}

QList<DemoScenario::Bot> DemoScenario::bots() const
{
    return d->bots;
}

GatewayTimings DemoScenario::timings() const
{
    if (d->options.timeScale >= 0.2)
        return GatewayTimings::defaults();
    GatewayTimings t = GatewayTimings::fast();
    // The demo's heartbeat is scaled; keep the READY guard and HELLO watch above a few beats.
    const auto beat = scaled(d->options.heartbeatInterval);
    t.helloWatch = std::max(t.helloWatch, beat * 6);
    t.readyTimeout = std::max(t.readyTimeout, beat * 6);
    t.helloTimeout = std::max(t.helloTimeout, t.helloWatch * 2);  // the supervisor's stall logic acts first
    t.reconnectStallTimeout = std::max(t.reconnectStallTimeout, beat * 20);
    return t;
}

std::chrono::milliseconds DemoScenario::scaled(std::chrono::milliseconds duration) const
{
    const auto ms = qint64(double(duration.count()) * d->options.timeScale);
    return std::chrono::milliseconds(std::max<qint64>(1, ms));
}

int DemoScenario::cycles() const
{
    return d->cycles;
}

} // namespace gw
