#pragma once

#include "accountstatus.h"
#include "gatewaytypes.h"

#include <QList>

namespace gw {

//! True for the reasons a person must fix (4004, 4014, 4010–4013, identify refused, 401): an
//! account that finishes with one stays Failed and is never restarted automatically
//! (docs/lifecycle.md).
[[nodiscard]] bool needsPerson(const GatewayError &error);

//! One account's status from its shards' statuses (at least one): the worst shard's state,
//! connected only when all are, counters summed, session and latency figures of shard 0.
[[nodiscard]] AccountStatus aggregateShards(const QList<AccountStatus> &shards);

//! The child-row summary of one shard's status.
[[nodiscard]] ShardState shardState(const AccountStatus &status, int id, int count);

} // namespace gw
