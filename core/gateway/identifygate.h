#pragma once

#include "gatewaytypes.h"

#include <QObject>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace gw {

//! Every IDENTIFY of one application passes through its gate (docs/protocol.md):
//! - max_concurrency buckets, key shard_id % max_concurrency, one identify per bucket per
//!   `bucketInterval` (5 s);
//! - a local count of our own identifies in a sliding 24 h window;
//! - a refusal, as a typed error, when session_start_limit.remaining is below the floor (or
//!   nothing is left at all); the client then waits for the reset (GatewayClient::identifyBudgetWait).
//! Shared by every GatewayClient of the same bot; single-threaded (lives in the worker thread).
class IdentifyGate final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IdentifyGate)

public:
    using Ticket = quint64;

    explicit IdentifyGate(std::chrono::milliseconds bucketInterval = std::chrono::seconds{5},
                          int remainingFloor = 50, QObject *parent = nullptr);
    ~IdentifyGate() override;

    //! Latest figures from GET /gateway/bot (max_concurrency, remaining, reset). IDENTIFYs the
    //! gate granted at or after `limit.requestedAt` may be missing from the figure (concurrent
    //! fetches of several shards) and still count as spent; without a request time none do.
    void updateLimit(const SessionStartLimit &limit);
    [[nodiscard]] std::optional<SessionStartLimit> limit() const;

    //! Refusal check without queueing: an error when remaining (minus what we spent since the
    //! last fetch) is below the floor.
    [[nodiscard]] std::optional<GatewayError> checkBudget() const;

    //! Queue an identify for `shardId`; `granted` runs (on this thread) when its bucket is free,
    //! or `refused` runs with the typed error. Exactly one of them runs unless cancelled or
    //! `context` is destroyed.
    Ticket request(int shardId, QObject *context, std::function<void()> granted,
                   std::function<void(const GatewayError &)> refused);
    void cancel(Ticket ticket);

    //! Identifies we sent in the last 24 h (local count).
    [[nodiscard]] int identifiesInLast24h() const;
    //! Earliest time the bucket of `shardId` admits the next identify.
    [[nodiscard]] QDateTime nextSlotFor(int shardId) const;

Q_SIGNALS:
    void identifyGranted(int shardId);
    void identifyRefused(const gw::GatewayError &error);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
