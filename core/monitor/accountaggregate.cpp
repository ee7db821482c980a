#include "accountaggregate_p.h"

#include <algorithm>

namespace gw {

bool needsPerson(const GatewayError &error)
{
    switch (error.kind) {
    case GatewayError::Kind::FatalClose:
    case GatewayError::Kind::IdentifyRefused:
    case GatewayError::Kind::Unauthorized:
    case GatewayError::Kind::BadRequest:
        return true;
    case GatewayError::Kind::None:
    case GatewayError::Kind::Transport:
    case GatewayError::Kind::Protocol:
    case GatewayError::Kind::HandshakeTimeout:
    case GatewayError::Kind::HelloTimeout:
    case GatewayError::Kind::ReconnectBudgetExhausted:
    case GatewayError::Kind::Rest:
    case GatewayError::Kind::ReadyTimeout:
    case GatewayError::Kind::WatchdogTimeout:
        return false;
    }
    return true;
}

namespace {

//! Lower is worse: the account shows its worst shard.
int stateRank(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Failed: return 0;
    case ConnectionState::Reconnecting: return 1;
    case ConnectionState::Connecting: return 2;
    case ConnectionState::AwaitingHello: return 3;
    case ConnectionState::Identifying: return 4;
    case ConnectionState::Resuming: return 5;
    case ConnectionState::Degraded: return 6;
    case ConnectionState::Stopped: return 7;
    case ConnectionState::Ready: return 8;
    }
    return 0;
}

//! The data counters of a shard folded into the account's: dispatch and loss counts add up,
//! the last dispatch is the latest of any shard, the degraded reason is the first shard's that
//! has one.
void addDataCounters(GatewayStats &into, const GatewayStats &shard)
{
    into.dispatches += shard.dispatches;
    into.liveDispatches += shard.liveDispatches;
    into.replayedDispatches += shard.replayedDispatches;
    into.duplicateDispatches += shard.duplicateDispatches;
    into.eventsLost += shard.eventsLost;
    into.unknownGaps += shard.unknownGaps;
    into.dispatchesLastMinute += shard.dispatchesLastMinute;
    if (shard.lastDispatchAt.isValid()
        && (!into.lastDispatchAt.isValid() || shard.lastDispatchAt > into.lastDispatchAt))
        into.lastDispatchAt = shard.lastDispatchAt;
    if (into.degradedReason.isEmpty())
        into.degradedReason = shard.degradedReason;
}

} // namespace

AccountStatus aggregateShards(const QList<AccountStatus> &shards)
{
    Q_ASSERT(!shards.isEmpty());
    // Shard 0 carries the session/latency figures; the rest are folded in.
    AccountStatus s = shards.constFirst();
    for (qsizetype i = 1; i < shards.size(); ++i) {
        const AccountStatus &o = shards.at(i);
        if (stateRank(o.state) < stateRank(s.state)) {
            s.state = o.state;
            s.stateSince = o.stateSince;
            s.nextAttemptAt = o.nextAttemptAt;
        }
        s.connected = s.connected && o.connected;
        s.identifies += o.identifies;
        s.resumes += o.resumes;
        s.disconnects += o.disconnects;
        addDataCounters(s.stats, o.stats);
        s.helloStalls = std::max(s.helloStalls, o.helloStalls);
        if (o.lastEventAt > s.lastEventAt)
            s.lastEventAt = o.lastEventAt;
        if (o.lastDisconnect && (!s.lastDisconnect || o.lastDisconnect->at > s.lastDisconnect->at))
            s.lastDisconnect = o.lastDisconnect;
        if (!o.failure.isNone() && s.failure.isNone())
            s.failure = o.failure;
        if (!o.lastError.isEmpty() && s.lastError.isEmpty())
            s.lastError = o.lastError;
        // Recovery: the most flapping shard, the latest budget wait; every shard reads the same
        // IdentifyGate, so the 24 h count is the largest seen.
        if (o.flapping && (!s.flapping || o.flapping->sessions > s.flapping->sessions))
            s.flapping = o.flapping;
        if (o.identifyWaitUntil.isValid() && (!s.identifyWaitUntil.isValid() || o.identifyWaitUntil > s.identifyWaitUntil))
            s.identifyWaitUntil = o.identifyWaitUntil;
        s.identifies24h = std::max(s.identifies24h, o.identifies24h);
    }
    return s;
}

ShardState shardState(const AccountStatus &status, int id, int count)
{
    ShardState s;
    s.id = id;
    s.count = count;
    s.state = status.state;
    s.stateSince = status.stateSince;
    s.connected = status.connected;
    s.identifies = status.identifies;
    s.latency = status.stats.lastLatency;
    s.nextAttemptAt = status.nextAttemptAt;
    s.lastError = status.lastError;
    return s;
}

} // namespace gw
