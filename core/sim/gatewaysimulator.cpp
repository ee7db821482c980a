#include "gatewaysimulator.h"

#include "logging.h"
#include "simfaults_p.h"
#include "simhttpapi_p.h"
#include "simhttpserver_p.h"
#include "simresumehosts_p.h"
#include "simsessions_p.h"
#include "simsockets_p.h"
#include "simstate_p.h"
#include "simtls_p.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMetaEnum>
#include <QTcpServer>
#include <QTimer>
#include <QWebSocketServer>

#include <algorithm>

using namespace std::chrono_literals;

namespace gw {

// The simulator is put together from parts that each read in one sitting: sim::State (what it
// knows, and the send/close/dispatch primitives), sim::SocketHandler (sockets and payloads),
// sim::SessionHandler (IDENTIFY and RESUME), sim::FaultInjector and sim::HttpApi (REST and
// control). This class owns the listeners and the background dispatch timer.
class GatewaySimulator::Private
{
public:
    Private(GatewaySimulator *q, Options o)
        : state(std::move(o))
        , sessions(state, q)
        , sockets(state, sessions, q)
        , faults(state, q)
        , api(state, q)
    {
    }

    sim::State state;
    sim::SessionHandler sessions;
    sim::SocketHandler sockets;
    sim::FaultInjector faults;
    sim::HttpApi api;

    QString error;
    sim::TlsTcpServer mainTcp;
    sim::TlsTcpServer resumeTcp;
    QWebSocketServer mainWs{QStringLiteral("gatewatch-sim"), QWebSocketServer::NonSecureMode};
    QWebSocketServer resumeWs{QStringLiteral("gatewatch-sim-resume"), QWebSocketServer::NonSecureMode};
    SimHttpServer http;
    sim::ResumeHosts deadResumeHosts;
    QTimer dispatchTimer;
    bool started = false;

    QUrl wsUrl(quint16 port) const
    {
        QUrl u;
        u.setScheme(mainTcp.isTls() ? QStringLiteral("wss") : QStringLiteral("ws"));
        u.setHost(state.options.address.toString());
        u.setPort(port);
        return u;
    }

    QUrl httpUrl(const QString &path) const
    {
        QUrl u;
        u.setScheme(mainTcp.isTls() ? QStringLiteral("https") : QStringLiteral("http"));
        u.setHost(state.options.address.toString());
        u.setPort(http.serverPort());
        u.setPath(path);
        return u;
    }
};

GatewaySimulator::GatewaySimulator(QObject *parent)
    : GatewaySimulator(Options{}, parent)
{
}

GatewaySimulator::GatewaySimulator(Options options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>(this, std::move(options)))
{
    connect(&d->mainTcp, &QTcpServer::newConnection, this, [this] { d->sockets.acceptTcp(d->mainTcp, d->mainWs); });
    connect(&d->resumeTcp, &QTcpServer::newConnection, this,
            [this] { d->sockets.acceptTcp(d->resumeTcp, d->resumeWs); });
    connect(&d->mainWs, &QWebSocketServer::newConnection, this,
            [this] { d->sockets.acceptWebSockets(d->mainWs, false); });
    connect(&d->resumeWs, &QWebSocketServer::newConnection, this,
            [this] { d->sockets.acceptWebSockets(d->resumeWs, true); });
    d->http.setHandler([this](const SimHttpRequest &r) { return d->api.handle(r); });
    d->dispatchTimer.setTimerType(Qt::PreciseTimer);
    d->dispatchTimer.callOnTimeout(this, [this] { d->state.dispatchTick(); });
    setDispatchInterval(d->state.options.dispatchInterval);
}

GatewaySimulator::~GatewaySimulator()
{
    stop();
    // Sockets are children of this object; cut their signals before `d` goes away.
    for (auto &[id, c] : d->state.connections) {
        if (c->socket) {
            c->socket->disconnect(this);
            delete c->socket.data();
        }
    }
}

bool GatewaySimulator::start()
{
    if (d->started)
        return true;
    const auto fail = [this](const QString &what, const QString &why) {
        d->error = what + QStringLiteral(": ") + why;
        qCWarning(lcSim).noquote() << "cannot start:" << d->error;
        stop();
        return false;
    };
    const Options &o = d->state.options;
    if (!o.tlsCertFile.isEmpty() || !o.tlsKeyFile.isEmpty()) {
        const auto tls = sim::loadServerTls(o.tlsCertFile, o.tlsKeyFile);
        if (!tls)
            return fail(QStringLiteral("TLS"), tls.error());
        d->mainTcp.setTls(*tls);
        d->resumeTcp.setTls(*tls);
        d->http.setTls(*tls);
    }
    if (!d->mainTcp.listen(o.address, o.gatewayPort))
        return fail(QStringLiteral("gateway listener"), d->mainTcp.errorString());
    if (!d->resumeTcp.listen(o.address, o.resumePort))
        return fail(QStringLiteral("resume listener"), d->resumeTcp.errorString());
    if (!d->http.listen(o.address, o.httpPort))
        return fail(QStringLiteral("HTTP listener"), d->http.errorString());
    if (o.resumeHost != ResumeHost::Live && !setResumeHost(o.resumeHost))
        return fail(QStringLiteral("unreachable resume host"), d->error);
    d->started = true;
    d->error.clear();
    setDispatchInterval(o.dispatchInterval);
    qCInfo(lcSim).noquote() << "listening: gateway" << gatewayUrl().toString() << "resume" << resumeUrl().toString()
                            << "api" << apiBase().toString();
    return true;
}

void GatewaySimulator::stop()
{
    d->dispatchTimer.stop();
    d->mainTcp.close();
    d->resumeTcp.close();
    d->http.close();
    d->deadResumeHosts.close();
    for (auto &[id, c] : d->state.connections) {
        if (c->socket && c->info.open) {
            c->serverClosing = true;
            c->socket->abort();
        }
    }
    d->started = false;
}

QString GatewaySimulator::errorString() const
{
    return d->error;
}

QUrl GatewaySimulator::gatewayUrl() const
{
    return d->wsUrl(d->mainTcp.serverPort());
}

QUrl GatewaySimulator::resumeUrl() const
{
    return d->wsUrl(d->resumeTcp.serverPort());
}

bool GatewaySimulator::isTls() const
{
    return d->mainTcp.isTls();
}

QUrl GatewaySimulator::announcedResumeUrl() const
{
    switch (d->state.options.resumeHost) {
    case ResumeHost::Live:
        break;
    case ResumeHost::Refused:
        return d->wsUrl(d->deadResumeHosts.refusedPort());
    case ResumeHost::Silent:
        return d->wsUrl(d->deadResumeHosts.silentPort());
    }
    return resumeUrl();
}

bool GatewaySimulator::setResumeHost(ResumeHost host)
{
    if (host != ResumeHost::Live && !d->deadResumeHosts.open(d->state.options.address, &d->error))
        return false;
    d->state.options.resumeHost = host;
    qCInfo(lcSim).noquote() << "READY announces the" << resumeHostName(host) << "resume host"
                            << announcedResumeUrl().toString();
    return true;
}

GatewaySimulator::ResumeHost GatewaySimulator::resumeHost() const
{
    return d->state.options.resumeHost;
}

int GatewaySimulator::silentResumeConnections() const
{
    return d->deadResumeHosts.silentAccepted();
}

QString GatewaySimulator::resumeHostName(ResumeHost host)
{
    switch (host) {
    case ResumeHost::Live:
        return QStringLiteral("live");
    case ResumeHost::Refused:
        return QStringLiteral("refused");
    case ResumeHost::Silent:
        return QStringLiteral("silent");
    }
    return {};
}

std::optional<GatewaySimulator::ResumeHost> GatewaySimulator::resumeHostFromName(const QString &name)
{
    for (const ResumeHost host : {ResumeHost::Live, ResumeHost::Refused, ResumeHost::Silent}) {
        if (name == resumeHostName(host))
            return host;
    }
    return std::nullopt;
}

QUrl GatewaySimulator::apiBase() const
{
    return d->httpUrl(QStringLiteral("/api/v10"));
}

QUrl GatewaySimulator::controlUrl() const
{
    return d->httpUrl(QStringLiteral("/control"));
}

void GatewaySimulator::setHeartbeatInterval(std::chrono::milliseconds interval)
{
    d->state.options.heartbeatInterval = std::max(interval, std::chrono::milliseconds{1});
}

void GatewaySimulator::setDispatchInterval(std::chrono::milliseconds interval)
{
    d->state.options.dispatchInterval = interval;
    if (interval > 0ms && d->started) {
        d->dispatchTimer.start(interval);
    } else {
        d->dispatchTimer.stop();
    }
}

void GatewaySimulator::setOutboundRate(int messagesPerSecond)
{
    d->state.options.outboundRate = std::max(0, messagesPerSecond);
}

void GatewaySimulator::setAckDelay(std::chrono::milliseconds delay)
{
    d->state.options.ackDelay = std::max(delay, 0ms);
}

void GatewaySimulator::setReplayBufferLimit(int dispatches)
{
    d->state.options.replayBufferLimit = std::max(1, dispatches);
    for (auto &[id, session] : d->state.sessions) {
        while (session.replay.size() > static_cast<size_t>(d->state.options.replayBufferLimit))
            session.replay.pop_front();
    }
}

bool GatewaySimulator::setBotLoad(const QString &botName, const SimLoad &load)
{
    sim::Bot *bot = d->state.botByName(botName);
    if (!bot)
        return false;
    bot->load = load;
    return true;
}

bool GatewaySimulator::setConnectionLoad(int connectionId, const SimLoad &load)
{
    sim::Connection *c = d->state.connectionById(connectionId);
    if (!c)
        return false;
    c->load = load;
    return true;
}

void GatewaySimulator::addBot(const QString &token, const SimBotPolicy &policy)
{
    // One name per bot: re-adding a name under another token replaces it.
    for (auto it = d->state.bots.begin(); it != d->state.bots.end();) {
        if (it->second.policy.name == policy.name && it->first != token)
            it = d->state.bots.erase(it);
        else
            ++it;
    }
    sim::Bot bot;
    bot.token = token;
    bot.policy = policy;
    bot.budgetResetAtMs = QDateTime::currentMSecsSinceEpoch() + policy.sessionStartResetAfter.count();
    if (bot.policy.name.isEmpty())
        bot.policy.name = QStringLiteral("bot-%1").arg(++d->state.unknownBotCounter);
    qCInfo(lcSim) << "bot" << bot.policy.name << "added, privileged intents"
                  << (policy.privilegedIntentsAllowed ? "allowed" : "not allowed");
    d->state.bots.insert_or_assign(token, std::move(bot));
}

void GatewaySimulator::removeBot(const QString &token)
{
    d->state.bots.erase(token);
}

bool GatewaySimulator::injectFault(const QString &botName, const SimFault &fault)
{
    return d->faults.inject(botName, fault);
}

bool GatewaySimulator::injectFaultOnConnection(int connectionId, const SimFault &fault)
{
    return d->faults.injectOnConnection(connectionId, fault);
}

void GatewaySimulator::dispatch(const QString &botName, const QString &eventName, const QByteArray &jsonData)
{
    QJsonParseError pe{};
    const QJsonDocument doc = QJsonDocument::fromJson(jsonData, &pe);
    if (pe.error != QJsonParseError::NoError) {
        qCWarning(lcSim) << "dispatch" << eventName << "ignored: data is not JSON";
        return;
    }
    d->state.dispatchToBot(botName, eventName.toUtf8(), doc.toJson(QJsonDocument::Compact));
}

bool GatewaySimulator::setRestRateLimit(const QString &botName, const SimRestLimit &limit)
{
    if (!d->state.botByName(botName))
        return false;
    d->api.restLimits().arm(botName, limit);
    return true;
}

QList<SimRestRequest> GatewaySimulator::restRequests() const
{
    return d->api.restLimits().requests();
}

QList<SimReceived> GatewaySimulator::received() const
{
    return d->state.records;
}

QList<SimReceived> GatewaySimulator::receivedFrom(const QString &botName) const
{
    QList<SimReceived> out;
    for (const SimReceived &r : std::as_const(d->state.records)) {
        if (r.botName == botName)
            out.append(r);
    }
    return out;
}

QList<SimConnectionInfo> GatewaySimulator::connections() const
{
    QList<SimConnectionInfo> out;
    for (const auto &[id, c] : d->state.connections) {
        out.append(c->info);
        out.last().outboundQueued = c->outbound->queued();
    }
    return out;
}

std::optional<SimConnectionInfo> GatewaySimulator::connection(int id) const
{
    if (const sim::Connection *c = d->state.connectionById(id)) {
        SimConnectionInfo info = c->info;
        info.outboundQueued = c->outbound->queued();
        return info;
    }
    return std::nullopt;
}

int GatewaySimulator::openConnectionCount() const
{
    return static_cast<int>(std::count_if(d->state.connections.begin(), d->state.connections.end(),
                                          [](const auto &entry) { return entry.second->info.open; }));
}

void GatewaySimulator::clearRecords()
{
    d->state.records.clear();
    d->api.restLimits().clear();
    for (auto it = d->state.connections.begin(); it != d->state.connections.end();) {
        if (!it->second->info.open)
            it = d->state.connections.erase(it);
        else
            ++it;
    }
}

GatewaySimulator::Options GatewaySimulator::options() const
{
    return d->state.options;
}

QStringList GatewaySimulator::botNames() const
{
    QStringList names;
    for (const auto &[token, bot] : d->state.bots)
        names.append(bot.policy.name);
    names.sort();
    return names;
}

int GatewaySimulator::sessionStartRemaining(const QString &botName) const
{
    const sim::Bot *bot = d->state.botByName(botName);
    return bot ? bot->policy.sessionStartRemaining : -1;
}

int GatewaySimulator::liveSessionCount() const
{
    return static_cast<int>(std::count_if(d->state.sessions.begin(), d->state.sessions.end(),
                                          [this](const auto &entry) { return d->state.sessionLive(entry.second); }));
}

qint64 GatewaySimulator::sessionSeq(const QString &sessionId) const
{
    const sim::Session *s = d->state.sessionById(sessionId);
    return s ? s->seq : -1;
}

std::optional<SimFault::Kind> GatewaySimulator::faultKindFromName(const QString &name)
{
    bool ok = false;
    const int v = QMetaEnum::fromType<SimFault::Kind>().keyToValue(name.toLatin1().constData(), &ok);
    if (!ok)
        return std::nullopt;
    return static_cast<SimFault::Kind>(v);
}

QString GatewaySimulator::faultKindName(SimFault::Kind kind)
{
    return QString::fromLatin1(QMetaEnum::fromType<SimFault::Kind>().valueToKey(static_cast<int>(kind)));
}

} // namespace gw
