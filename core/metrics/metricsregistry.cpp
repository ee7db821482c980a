#include "metricsregistry.h"

#include "closecode.h"
#include "logging.h"
#include "redactor.h"
#include "restratelimiter.h"

#include <QHash>
#include <QMetaEnum>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

namespace gw {

namespace {

std::string utf8(const QString &s)
{
    return s.toStdString();
}

//! One shard's series of a sharded account (label `shard`).
struct ShardSeries
{
    prometheus::Gauge *up = nullptr;
    std::vector<std::pair<ConnectionState, prometheus::Gauge *>> state;
};

//! One account's series. Pointers are owned by the families in the registry.
struct AccountSeries
{
    QHash<int, ShardSeries> shards;                  //!< by shard id, sharded accounts only
    QString label;                                   //!< filtered display name
    prometheus::Gauge *up = nullptr;
    std::vector<std::pair<ConnectionState, prometheus::Gauge *>> state;
    prometheus::Gauge *latency = nullptr;            //!< lazily, once a latency is known
    prometheus::Histogram *rtt = nullptr;
    prometheus::Gauge *identifyRemaining = nullptr;  //!< lazily, once GET /gateway/bot answered
    prometheus::Gauge *identifyLimit = nullptr;
    prometheus::Counter *identifies = nullptr;
    prometheus::Gauge *lastReady = nullptr;          //!< lazily, after the first READY
    QHash<QString, prometheus::Counter *> disconnects;  //!< by close_code label
    prometheus::Counter *reconnectsResume = nullptr;
    prometheus::Counter *reconnectsIdentify = nullptr;
    prometheus::Counter *dispatchesLive = nullptr;
    prometheus::Counter *dispatchesReplayed = nullptr;
    prometheus::Counter *eventsLost = nullptr;
    prometheus::Gauge *lastDispatch = nullptr;       //!< lazily, after the first dispatch
    // recovery (docs/lifecycle.md, "Backoff, flapping, jitter" and "The identify budget")
    prometheus::Gauge *flapping = nullptr;
    prometheus::Counter *flappingEpisodes = nullptr;
    prometheus::Gauge *identifies24h = nullptr;
    prometheus::Gauge *budgetWaitUntil = nullptr;
    int lastIdentifies = 0;
    quint64 lastAcks = 0;
    quint64 lastLive = 0;
    quint64 lastReplayed = 0;
    quint64 lastLost = 0;
};

//! Moves `counter` forward by what the status counter `now` gained since `last`. A smaller value
//! means the account's sessions were restarted (counters from zero): the counter keeps its total
//! and follows from the new base.
void advance(prometheus::Counter *counter, quint64 now, quint64 &last)
{
    if (now > last)
        counter->Increment(double(now - last));
    last = now;
}

const prometheus::Histogram::BucketBoundaries &rttBuckets()
{
    static const prometheus::Histogram::BucketBoundaries b{0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
    return b;
}

} // namespace

class MetricsRegistry::Private
{
public:
    prometheus::Registry registry;
    prometheus::Family<prometheus::Gauge> &buildInfo = prometheus::BuildGauge()
        .Name("gatewatch_build_info").Help("Build metadata: Gatewatch and Qt versions.").Register(registry);
    prometheus::Family<prometheus::Gauge> &up = prometheus::BuildGauge()
        .Name("gatewatch_up").Help("1 while the account's session is ready (READY or RESUMED, heartbeats flowing), else 0.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &state = prometheus::BuildGauge()
        .Name("gatewatch_state").Help("Connection state of the account: exactly one state series is 1.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &latency = prometheus::BuildGauge()
        .Name("gatewatch_heartbeat_latency_seconds").Help("Last HEARTBEAT to HEARTBEAT_ACK round trip.")
        .Register(registry);
    prometheus::Family<prometheus::Histogram> &rtt = prometheus::BuildHistogram()
        .Name("gatewatch_heartbeat_rtt_seconds").Help("HEARTBEAT to HEARTBEAT_ACK round trips.")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &disconnects = prometheus::BuildCounter()
        .Name("gatewatch_disconnects_total").Help("Gateway sockets that closed, by close code (none: no close frame).")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &reconnects = prometheus::BuildCounter()
        .Name("gatewatch_reconnects_total").Help("Reconnect attempts scheduled, by mode (resume or identify).")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &identifyRemaining = prometheus::BuildGauge()
        .Name("gatewatch_identify_remaining").Help("IDENTIFYs left in the daily session start budget (GET /gateway/bot).")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &identifyLimit = prometheus::BuildGauge()
        .Name("gatewatch_identify_limit").Help("Size of the daily session start budget (session_start_limit.total).")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &identifies = prometheus::BuildCounter()
        .Name("gatewatch_identify_total").Help("IDENTIFY payloads sent by this monitor.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &lastReady = prometheus::BuildGauge()
        .Name("gatewatch_last_ready_timestamp_seconds").Help("Unix time of the last READY or RESUMED.")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &dispatches = prometheus::BuildCounter()
        .Name("gatewatch_dispatches_total")
        .Help("Gateway dispatches received, by kind (live, or replayed between RESUME and RESUMED).")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &eventsLost = prometheus::BuildCounter()
        .Name("gatewatch_events_lost_total")
        .Help("Dispatches known to be lost: sequence gaps and events a RESUME did not replay.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &lastDispatch = prometheus::BuildGauge()
        .Name("gatewatch_last_dispatch_timestamp_seconds").Help("Unix time of the last dispatch received.")
        .Register(registry);

    prometheus::Family<prometheus::Gauge> &shardUp = prometheus::BuildGauge()
        .Name("gatewatch_shard_up").Help("Sharded accounts: 1 while the shard's session is ready, else 0.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &shardState = prometheus::BuildGauge()
        .Name("gatewatch_shard_state").Help("Sharded accounts: connection state of each shard (one state series is 1).")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &restRateLimited = prometheus::BuildCounter()
        .Name("gatewatch_rest_rate_limited_total")
        .Help("REST requests held back by a rate limit, by route and scope (user, global, shared, preemptive).")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &invalidRequests = prometheus::BuildGauge()
        .Name("gatewatch_rest_invalid_requests")
        .Help("Invalid REST requests (HTTP 401, 403, 429) of this process in the last 10 minutes.")
        .Register(registry);
    prometheus::Gauge *invalidNow = &invalidRequests.Add({});
    prometheus::Family<prometheus::Gauge> &flapping = prometheus::BuildGauge()
        .Name("gatewatch_flapping").Help("1 while the account is flapping (5 sessions died within 10 minutes), else 0.")
        .Register(registry);
    prometheus::Family<prometheus::Counter> &flappingEpisodes = prometheus::BuildCounter()
        .Name("gatewatch_flapping_episodes_total").Help("Flapping episodes (one per episode, however many sessions died).")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &identifies24h = prometheus::BuildGauge()
        .Name("gatewatch_identifies_24h").Help("IDENTIFYs this monitor spent for the bot in the last 24 hours.")
        .Register(registry);
    prometheus::Family<prometheus::Gauge> &budgetWaitUntil = prometheus::BuildGauge()
        .Name("gatewatch_identify_budget_wait_until_timestamp_seconds")
        .Help("Unix time until which the account waits for the identify budget to reset; 0 when not waiting.")
        .Register(registry);

    // The event store (no labels): failed commits, rows waiting, rows dropped past the bound.
    prometheus::Counter &storeErrors = prometheus::BuildCounter()
        .Name("gatewatch_store_errors_total").Help("Event store commits that failed (their rows are held and retried).")
        .Register(registry).Add({});
    prometheus::Gauge &storeQueue = prometheus::BuildGauge()
        .Name("gatewatch_store_queue_rows").Help("Rows waiting to be written to the event store (held after failures).")
        .Register(registry).Add({});
    prometheus::Counter &storeDropped = prometheus::BuildCounter()
        .Name("gatewatch_store_dropped_rows_total").Help("Rows dropped because the store's retry queue was full.")
        .Register(registry).Add({});
    quint64 lastStoreErrors = 0;
    quint64 lastStoreDropped = 0;

    QHash<QString, AccountSeries> accounts;  // by account id

    //! The `shard`-labelled series of a sharded account, one set per shard of its status.
    void updateShards(AccountSeries &s, const QList<ShardState> &shards)
    {
        const std::string a = utf8(s.label);
        const QMetaEnum me = QMetaEnum::fromType<ConnectionState>();
        for (const ShardState &shard : shards) {
            auto it = s.shards.find(shard.id);
            if (it == s.shards.end()) {
                ShardSeries series;
                const std::string id = std::to_string(shard.id);
                series.up = &shardUp.Add({{"account", a}, {"shard", id}});
                for (int i = 0; i < me.keyCount(); ++i) {
                    const auto st = static_cast<ConnectionState>(me.value(i));
                    series.state.emplace_back(
                        st, &shardState.Add({{"account", a}, {"shard", id}, {"state", utf8(stateName(st))}}));
                }
                it = s.shards.insert(shard.id, series);
            }
            const bool isUp = shard.state == ConnectionState::Ready || shard.state == ConnectionState::Degraded;
            it->up->Set(isUp ? 1 : 0);
            for (const auto &[st, g] : it->state)
                g->Set(st == shard.state ? 1 : 0);
        }
    }

    static QString labelFor(const QString &name) { return Redactor::global().redactMetricLabel(name); }

    AccountSeries &seriesFor(const QString &accountId, const QString &accountName)
    {
        const QString label = labelFor(accountName);
        auto it = accounts.find(accountId);
        if (it != accounts.end() && it->label == label)
            return *it;
        if (it != accounts.end())
            drop(accountId);  // renamed: new series under the new label
        AccountSeries s;
        s.label = label;
        const std::string a = utf8(label);
        s.up = &up.Add({{"account", a}});
        const QMetaEnum me = QMetaEnum::fromType<ConnectionState>();
        for (int i = 0; i < me.keyCount(); ++i) {
            const auto st = static_cast<ConnectionState>(me.value(i));
            s.state.emplace_back(st, &state.Add({{"account", a}, {"state", utf8(stateName(st))}}));
        }
        s.rtt = &rtt.Add({{"account", a}}, rttBuckets());
        s.identifies = &identifies.Add({{"account", a}});
        s.reconnectsResume = &reconnects.Add({{"account", a}, {"kind", "resume"}});
        s.reconnectsIdentify = &reconnects.Add({{"account", a}, {"kind", "identify"}});
        s.dispatchesLive = &dispatches.Add({{"account", a}, {"kind", "live"}});
        s.dispatchesReplayed = &dispatches.Add({{"account", a}, {"kind", "replayed"}});
        s.eventsLost = &eventsLost.Add({{"account", a}});
        s.flapping = &flapping.Add({{"account", a}});
        s.flappingEpisodes = &flappingEpisodes.Add({{"account", a}});
        s.identifies24h = &identifies24h.Add({{"account", a}});
        s.budgetWaitUntil = &budgetWaitUntil.Add({{"account", a}});
        return *accounts.insert(accountId, s);
    }

    //! The dispatch and lost-event series from the (shard-summed) client counters.
    void updateData(AccountSeries &s, const GatewayStats &stats)
    {
        advance(s.dispatchesLive, stats.liveDispatches, s.lastLive);
        advance(s.dispatchesReplayed, stats.replayedDispatches, s.lastReplayed);
        advance(s.eventsLost, stats.eventsLost, s.lastLost);
        if (stats.lastDispatchAt.isValid()) {
            if (!s.lastDispatch)
                s.lastDispatch = &lastDispatch.Add({{"account", utf8(s.label)}});
            s.lastDispatch->Set(double(stats.lastDispatchAt.toMSecsSinceEpoch()) / 1000.0);
        }
    }

    void drop(const QString &accountId)
    {
        const auto it = accounts.find(accountId);
        if (it == accounts.end())
            return;
        AccountSeries &s = *it;
        up.Remove(s.up);
        for (const auto &[st, g] : s.state)
            state.Remove(g);
        if (s.latency)
            latency.Remove(s.latency);
        rtt.Remove(s.rtt);
        if (s.identifyRemaining)
            identifyRemaining.Remove(s.identifyRemaining);
        if (s.identifyLimit)
            identifyLimit.Remove(s.identifyLimit);
        identifies.Remove(s.identifies);
        if (s.lastReady)
            lastReady.Remove(s.lastReady);
        for (prometheus::Counter *c : std::as_const(s.disconnects))
            disconnects.Remove(c);
        reconnects.Remove(s.reconnectsResume);
        reconnects.Remove(s.reconnectsIdentify);
        dispatches.Remove(s.dispatchesLive);
        dispatches.Remove(s.dispatchesReplayed);
        eventsLost.Remove(s.eventsLost);
        if (s.lastDispatch)
            lastDispatch.Remove(s.lastDispatch);
        for (const ShardSeries &shard : std::as_const(s.shards)) {
            shardUp.Remove(shard.up);
            for (const auto &[st, g] : shard.state)
                shardState.Remove(g);
        }
        flapping.Remove(s.flapping);
        flappingEpisodes.Remove(s.flappingEpisodes);
        identifies24h.Remove(s.identifies24h);
        budgetWaitUntil.Remove(s.budgetWaitUntil);
        accounts.erase(it);
    }
};

MetricsRegistry::MetricsRegistry(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->buildInfo.Add({{"version", GATEWATCH_VERSION}, {"qt", qVersion()}}).Set(1);
}

MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::updateStatus(const AccountStatus &status)
{
    if (status.accountId.isEmpty())
        return;
    AccountSeries &s = d->seriesFor(status.accountId, status.accountName);
    const std::string a = utf8(s.label);

    const bool up = status.state == ConnectionState::Ready || status.state == ConnectionState::Degraded;
    s.up->Set(up ? 1 : 0);
    for (const auto &[st, g] : s.state)
        g->Set(st == status.state ? 1 : 0);

    if (status.stats.lastLatency) {
        const double seconds = double(status.stats.lastLatency->count()) / 1000.0;
        if (!s.latency)
            s.latency = &d->latency.Add({{"account", a}});
        s.latency->Set(seconds);
        if (status.stats.acksReceived > s.lastAcks)
            s.rtt->Observe(seconds);
    }
    s.lastAcks = status.stats.acksReceived;

    if (status.gatewayInfo) {
        if (!s.identifyRemaining) {
            s.identifyRemaining = &d->identifyRemaining.Add({{"account", a}});
            s.identifyLimit = &d->identifyLimit.Add({{"account", a}});
        }
        s.identifyRemaining->Set(status.gatewayInfo->limit.remaining);
        s.identifyLimit->Set(status.gatewayInfo->limit.total);
    }

    if (status.identifies > s.lastIdentifies)
        s.identifies->Increment(status.identifies - s.lastIdentifies);
    s.lastIdentifies = status.identifies;

    if (status.lastConnectedAt.isValid()) {
        if (!s.lastReady)
            s.lastReady = &d->lastReady.Add({{"account", a}});
        s.lastReady->Set(double(status.lastConnectedAt.toMSecsSinceEpoch()) / 1000.0);
    }
    d->updateData(s, status.stats);
    d->updateShards(s, status.shards);
    s.flapping->Set(status.flapping ? 1 : 0);
    s.identifies24h->Set(status.identifies24h);
    s.budgetWaitUntil->Set(status.identifyWaitUntil.isValid()
                               ? double(status.identifyWaitUntil.toMSecsSinceEpoch()) / 1000.0 : 0.0);
}

void MetricsRegistry::recordEvent(const EventLogEntry &entry)
{
    if (entry.accountId.isEmpty())
        return;
    switch (entry.kind) {
    case EventKind::Close: {
        AccountSeries &s = d->seriesFor(entry.accountId, entry.accountName);
        const QJsonValue code = entry.fields.value(QLatin1String("code"));
        const QString label = closeCodeLabel(code.isDouble() ? std::optional<int>(code.toInt()) : std::nullopt);
        auto it = s.disconnects.find(label);
        if (it == s.disconnects.end())
            it = s.disconnects.insert(label, &d->disconnects.Add({{"account", utf8(s.label)}, {"close_code", utf8(label)}}));
        it.value()->Increment();
        break;
    }
    case EventKind::ReconnectScheduled: {
        AccountSeries &s = d->seriesFor(entry.accountId, entry.accountName);
        const QString mode = entry.fields.value(QLatin1String("mode")).toString();
        if (mode == QLatin1String("resume"))
            s.reconnectsResume->Increment();
        else
            s.reconnectsIdentify->Increment();
        break;
    }
    case EventKind::RateLimited: {
        // Both labels come from fixed sets (the two routes DiscordRest calls, four scopes).
        const QString route = entry.fields.value(QLatin1String("route")).toString().section(QLatin1Char(' '), -1);
        const QString scope = entry.fields.value(QLatin1String("scope")).toString();
        d->restRateLimited.Add({{"route", utf8(route.left(32))}, {"scope", utf8(scope.left(16))}}).Increment();
        break;
    }
    case EventKind::Flapping:
        d->seriesFor(entry.accountId, entry.accountName).flappingEpisodes->Increment();
        break;
    default:
        break;
    }
}

void MetricsRegistry::updateStore(qint64 failures, int queuedRows, qint64 droppedRows)
{
    advance(&d->storeErrors, quint64(std::max<qint64>(0, failures)), d->lastStoreErrors);
    advance(&d->storeDropped, quint64(std::max<qint64>(0, droppedRows)), d->lastStoreDropped);
    d->storeQueue.Set(double(std::max(0, queuedRows)));
}

void MetricsRegistry::removeAccount(const QString &accountId)
{
    d->drop(accountId);
}

QByteArray MetricsRegistry::exposition() const
{
    d->invalidNow->Set(RestRateLimiter::global().invalidRequests());
    std::vector<prometheus::MetricFamily> families = d->registry.Collect();
    // prometheus-cpp keeps a family's series in a hash map; sort them by label set so a scrape is
    // stable and readable (accounts together, states in a fixed order).
    for (prometheus::MetricFamily &family : families) {
        std::stable_sort(family.metric.begin(), family.metric.end(),
                         [](const prometheus::ClientMetric &a, const prometheus::ClientMetric &b) {
                             return a.label < b.label;
                         });
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    const std::string text = out.str();
    return QByteArray(text.data(), qsizetype(text.size()));
}

QByteArray MetricsRegistry::contentType()
{
    return QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8");
}

QString MetricsRegistry::closeCodeLabel(std::optional<int> code)
{
    if (!code)
        return QStringLiteral("none");
    if (*code == 1000 || *code == 1001 || *code == 1006 || CloseCodes::find(*code))
        return QString::number(*code);
    return QStringLiteral("other");
}

} // namespace gw
