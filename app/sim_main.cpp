// gatewatch-sim: the GatewaySimulator on its own (docs/simulator.md). Prints its URLs, one per
// line ("gateway ws://…"), then serves until SIGINT/SIGTERM. Tokens are never printed.
#include "gatewaysimulator.h"
#include "logging.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QSocketNotifier>

#include <algorithm>
#include <csignal>
#include <limits>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int g_signalFd[2] = {-1, -1};

void handleUnixSignal(int)
{
    const char one = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalFd[0], &one, 1);
}

std::optional<quint16> portOption(const QCommandLineParser &parser, const QString &name)
{
    bool ok = false;
    const uint v = parser.value(name).toUInt(&ok);
    if (!ok || v > 65535)
        return std::nullopt;
    return static_cast<quint16>(v);
}

void fail(const QString &message)
{
    std::fprintf(stderr, "gatewatch-sim: %s\n", qPrintable(message));
    std::exit(2);
}

//! The whole-number value of `option`, at least `min`; exits with 2 and a message otherwise.
qint64 integerOption(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 min,
                     qint64 max = std::numeric_limits<qint64>::max())
{
    bool ok = false;
    const qint64 v = parser.value(option).toLongLong(&ok);
    if (!ok || v < min || v > max)
        fail(QStringLiteral("--%1 expects a whole number >= %2").arg(option.names().constFirst()).arg(min));
    return v;
}

//! How the simulated gateway behaves under load (docs/simulator.md, "Load modelling").
struct LoadOptions
{
    QCommandLineOption outboundRate{QStringLiteral("outbound-rate"),
                                    QStringLiteral("Messages per second each socket's outbound queue drains (0 = at once)."),
                                    QStringLiteral("n"), QStringLiteral("0")};
    QCommandLineOption ackDelay{QStringLiteral("ack-delay"),
                                QStringLiteral("Hold every heartbeat ACK back this many ms."), QStringLiteral("ms"),
                                QStringLiteral("0")};
    QCommandLineOption replayBuffer{QStringLiteral("replay-buffer"),
                                    QStringLiteral("Dispatches kept per session for RESUME."), QStringLiteral("n"),
                                    QStringLiteral("5000")};

    void apply(const QCommandLineParser &parser, gw::GatewaySimulator::Options &options) const
    {
        const auto number = [&parser](const QCommandLineOption &o, qint64 min) {
            return static_cast<int>(integerOption(parser, o, min, std::numeric_limits<int>::max()));
        };
        options.outboundRate = number(outboundRate, 0);
        options.ackDelay = std::chrono::milliseconds(number(ackDelay, 0));
        options.replayBufferLimit = number(replayBuffer, 1);
    }
};

//! Where the simulator listens and how it behaves (the options other than load and bots).
struct ServerOptions
{
    QCommandLineOption host{QStringLiteral("host"), QStringLiteral("Address to listen on."),
                            QStringLiteral("address"), QStringLiteral("127.0.0.1")};
    QCommandLineOption port{QStringLiteral("port"), QStringLiteral("Gateway port (0 = any)."), QStringLiteral("port"),
                            QStringLiteral("0")};
    QCommandLineOption resumePort{QStringLiteral("resume-port"),
                                  QStringLiteral("Port of the resume_gateway_url listener (0 = any)."),
                                  QStringLiteral("port"), QStringLiteral("0")};
    QCommandLineOption httpPort{QStringLiteral("http-port"), QStringLiteral("REST and control port (0 = any)."),
                                QStringLiteral("port"), QStringLiteral("0")};
    QCommandLineOption heartbeat{QStringLiteral("heartbeat-interval"), QStringLiteral("HELLO heartbeat_interval in ms."),
                                 QStringLiteral("ms"), QStringLiteral("41250")};
    QCommandLineOption dispatch{QStringLiteral("dispatch-interval"),
                                QStringLiteral("Background MESSAGE_CREATE per session every ms (0 = off)."),
                                QStringLiteral("ms"), QStringLiteral("0")};
    QCommandLineOption payloadBytes{QStringLiteral("dispatch-bytes"), QStringLiteral("Size of background dispatch payloads."),
                                    QStringLiteral("bytes"), QStringLiteral("256")};
    QCommandLineOption resumeWindow{QStringLiteral("resume-window"),
                                    QStringLiteral("How long a disconnected session stays resumable, ms."),
                                    QStringLiteral("ms"), QStringLiteral("180000")};
    QCommandLineOption bucket{QStringLiteral("identify-bucket-interval"),
                              QStringLiteral("Identify bucket window in ms (Discord: 5000)."), QStringLiteral("ms"),
                              QStringLiteral("5000")};
    QCommandLineOption anyToken{QStringLiteral("accept-any-token"),
                                QStringLiteral("Accept unknown tokens with a default policy.")};
    QCommandLineOption noRateLimit{QStringLiteral("no-rate-limit"),
                                   QStringLiteral("Do not close with 4008 above 120 payloads per 60 s.")};
    QCommandLineOption noConcurrency{QStringLiteral("no-identify-limit"),
                                     QStringLiteral("Do not answer fast IDENTIFYs with op 9.")};
    QCommandLineOption resumeHost{QStringLiteral("resume-host"),
                                  QStringLiteral("What READY's resume_gateway_url points at: live (the resume "
                                                 "listener), refused (a port that refuses connections) or silent "
                                                 "(accepts TCP, never answers the upgrade)."),
                                  QStringLiteral("host"), QStringLiteral("live")};
    QCommandLineOption tlsCert{QStringLiteral("tls-cert"),
                               QStringLiteral("Serve TLS (wss:// and https://) with this PEM certificate "
                                              "(needs --tls-key)."),
                               QStringLiteral("path")};
    QCommandLineOption tlsKey{QStringLiteral("tls-key"),
                              QStringLiteral("The PEM private key of --tls-cert."), QStringLiteral("path")};

    [[nodiscard]] QList<QCommandLineOption> all() const
    {
        return {host, port, resumePort, httpPort, heartbeat, dispatch, payloadBytes, resumeWindow, bucket,
                anyToken, noRateLimit, noConcurrency, resumeHost, tlsCert, tlsKey};
    }

    void apply(const QCommandLineParser &parser, gw::GatewaySimulator::Options &options) const
    {
        if (!options.address.setAddress(parser.value(host)))
            fail(QStringLiteral("--host is not an IP address"));
        const auto p1 = portOption(parser, port.names().constFirst());
        const auto p2 = portOption(parser, resumePort.names().constFirst());
        const auto p3 = portOption(parser, httpPort.names().constFirst());
        if (!p1 || !p2 || !p3)
            fail(QStringLiteral("invalid port"));
        options.gatewayPort = *p1;
        options.resumePort = *p2;
        options.httpPort = *p3;
        const auto millis = [&parser](const QCommandLineOption &o) {
            return std::chrono::milliseconds(integerOption(parser, o, 0));
        };
        options.heartbeatInterval = std::max(millis(heartbeat), std::chrono::milliseconds{1});
        options.dispatchInterval = millis(dispatch);
        options.dispatchPayloadBytes = static_cast<int>(millis(payloadBytes).count());
        options.sessionResumeWindow = millis(resumeWindow);
        options.identifyBucketInterval = millis(bucket);
        options.acceptUnknownTokens = parser.isSet(anyToken);
        options.enforceSendRateLimit = !parser.isSet(noRateLimit);
        options.enforceIdentifyConcurrency = !parser.isSet(noConcurrency);
        const auto announced = gw::GatewaySimulator::resumeHostFromName(parser.value(resumeHost));
        if (!announced)
            fail(QStringLiteral("--resume-host expects live, refused or silent"));
        options.resumeHost = *announced;
        if (parser.isSet(tlsCert) != parser.isSet(tlsKey))
            fail(QStringLiteral("--tls-cert and --tls-key go together"));
        options.tlsCertFile = parser.value(tlsCert);
        options.tlsKeyFile = parser.value(tlsKey);
    }
};

//! What every `--bot` gets besides its name and token: a sharded bot (docs/simulator.md,
//! "Sharded bots").
struct ShardOptions
{
    QCommandLineOption shards{QStringLiteral("shards"),
                              QStringLiteral("Recommended shard count of every --bot (GET /gateway/bot \"shards\")."),
                              QStringLiteral("n"), QStringLiteral("1")};
    QCommandLineOption maxConcurrency{QStringLiteral("max-concurrency"),
                                      QStringLiteral("session_start_limit.max_concurrency of every --bot: identify "
                                                     "buckets, shard_id % n."),
                                      QStringLiteral("n"), QStringLiteral("1")};

    void apply(const QCommandLineParser &parser, gw::SimBotPolicy &policy) const
    {
        policy.recommendedShards = static_cast<int>(integerOption(parser, shards, 1, 65536));
        policy.maxConcurrency = static_cast<int>(integerOption(parser, maxConcurrency, 1, 65536));
        // Enough guilds that every shard has one (and never more than 2500 per shard: 4011).
        policy.guilds = std::max(policy.guilds, policy.recommendedShards);
    }
};

//! `--bot NAME:TOKEN[:noprivileged]`, repeatable.
void addBots(gw::GatewaySimulator &sim, const QStringList &specs, const QCommandLineParser &parser,
             const ShardOptions &sharding)
{
    for (const QString &spec : specs) {
        QStringList parts = spec.split(QLatin1Char(':'));
        bool privileged = true;
        if (parts.size() == 3 && parts.at(2) == QLatin1String("noprivileged")) {
            privileged = false;
            parts.removeLast();
        }
        if (parts.size() != 2 || parts.at(0).isEmpty() || parts.at(1).isEmpty())
            fail(QStringLiteral("--bot expects NAME:TOKEN[:noprivileged]"));
        gw::SimBotPolicy policy;
        policy.name = parts.at(0);
        policy.userName = parts.at(0);
        policy.privilegedIntentsAllowed = privileged;
        sharding.apply(parser, policy);
        sim.addBot(parts.at(1), policy);
    }
}

//! SIGINT / SIGTERM quit the event loop (through a socket pair: a signal handler may only write).
void quitOnSignals(QCoreApplication &app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFd) != 0)
        fail(QStringLiteral("socketpair failed"));
    auto *notifier = new QSocketNotifier(g_signalFd[1], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [notifier] {
        notifier->setEnabled(false);
        char c = 0;
        [[maybe_unused]] const ssize_t n = ::read(g_signalFd[1], &c, 1);
        qCInfo(lcSim) << "signal received, stopping";
        QCoreApplication::quit();
    });
    struct sigaction sa = {};
    sa.sa_handler = handleUnixSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("gatewatch-sim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEWATCH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "A Discord Gateway v10 and its REST endpoints on loopback, with scriptable faults.\n"
        "Prints 'gateway', 'resume', 'rest' and 'control' URLs on stdout, one per line."));
    parser.addHelpOption();
    parser.addVersionOption();
    const ServerOptions server;
    const LoadOptions load;
    const QCommandLineOption bot({QStringLiteral("bot")},
                                 QStringLiteral("A known bot: NAME:TOKEN[:noprivileged] (repeatable)."),
                                 QStringLiteral("spec"));
    parser.addOptions(server.all());
    parser.addOptions({bot, load.outboundRate, load.ackDelay, load.replayBuffer});
    const ShardOptions sharding;
    parser.addOptions({sharding.shards, sharding.maxConcurrency});
    parser.process(app);

    gw::GatewaySimulator::Options options;
    server.apply(parser, options);
    load.apply(parser, options);

    gw::GatewaySimulator sim(options);
    addBots(sim, parser.values(bot), parser, sharding);
    if (!sim.start())
        fail(sim.errorString());
    quitOnSignals(app);

    std::printf("gateway %s\nresume %s\nrest %s\ncontrol %s\n", qPrintable(sim.gatewayUrl().toString()),
                qPrintable(sim.resumeUrl().toString()), qPrintable(sim.apiBase().toString()),
                qPrintable(sim.controlUrl().toString()));
    std::fflush(stdout);

    const int rc = QCoreApplication::exec();
    sim.stop();
    return rc;
}
