#pragma once

#include "gatewaytypes.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <chrono>
#include <optional>
#include <utility>

namespace gw {

//! The last disconnect, as the seed records it (docs/lifecycle.md §3).
struct DisconnectInfo
{
    QDateTime at;
    std::optional<int> closeCode;   //!< the seed's `status`
    QString error;                  //!< "hello-timeout", "startup-not-ready", watchdog text, …
};

//! One shard of a sharded account, as the account's status lists it (docs/headless.md, "shards"):
//! what the desktop's child rows and the `shard`-labelled metrics show.
struct ShardState
{
    int id = 0;
    int count = 1;
    ConnectionState state = ConnectionState::Stopped;
    QDateTime stateSince;
    bool connected = false;
    int identifies = 0;
    std::optional<std::chrono::milliseconds> latency;   //!< last heartbeat round trip
    QDateTime nextAttemptAt;        //!< when Reconnecting
    QString lastError;
};

//! An account whose sessions keep dying (docs/lifecycle.md, "Backoff, flapping, jitter").
struct FlappingStatus
{
    int sessions = 0;                       //!< sessions that died within `window`
    std::chrono::milliseconds window{0};
};

//! One account's status: the seed's fields plus what Gatewatch shows. A value type, copied into
//! signals as a snapshot (the UI and headless modes never touch the supervisor directly).
struct AccountStatus
{
    QString accountId;
    QString accountName;

    // --- the seed's fields --------------------------------------------------------------------
    bool connected = false;
    QDateTime lastEventAt;
    QDateTime lastConnectedAt;
    std::optional<DisconnectInfo> lastDisconnect;
    QString lastError;

    // --- Gatewatch's additions ----------------------------------------------------------------
    ConnectionState state = ConnectionState::Stopped;
    QDateTime stateSince;           //!< time in current phase = now - stateSince
    GatewayStats stats;             //!< latency, counters, bytes (copied from the client)
    std::optional<SessionInfo> session;
    std::optional<GatewayBotInfo> gatewayInfo;   //!< identify budget
    GatewayError failure;           //!< set when state == Failed: reason a person must fix
    QDateTime nextAttemptAt;        //!< when Reconnecting
    int identifies = 0;             //!< IDENTIFYs sent for this account (since monitor start)
    int resumes = 0;                //!< successful RESUMEs
    int disconnects = 0;
    int helloStalls = 0;            //!< current consecutive HELLO-watch stalls
    int restarts = 0;               //!< AccountManager restarts after a force-stop
    bool paused = false;
    //! A sharded account (all shards, or one chosen [id, count]): on a shard's own status its
    //! [id, count]; on the account's status nullopt. Unsharded (shard 0 of the recommended
    //! count, the default): nullopt.
    std::optional<std::pair<int, int>> shard;
    //! On the account's status of a sharded account: every shard, by id (empty otherwise).
    QList<ShardState> shards;
    //! A REST request of this account waits on a rate limit until then (invalid: none, or
    //! answered since); `restLimit` says which: "GET /gateway/bot, global limit".
    QDateTime restLimitedUntil;
    QString restLimit;
    //! Not empty for a saved account whose token could not be read (the system keychain is
    //! unavailable or locked, the unlock was refused, no token is stored): it is not monitored,
    //! and this sentence says what to do ("Locked: unlock your keyring or re-enter the token").
    //! Set by MonitorApp (core/runtime/monitorapp.h), which shows such accounts all the same.
    QString tokenProblem;

    [[nodiscard]] bool tokenNeeded() const { return !tokenProblem.isEmpty(); }
    //! Set while flapping: from the episode's start until a session stays up for `stableAfter`.
    std::optional<FlappingStatus> flapping;
    //! No IDENTIFY before this (the daily budget is below the floor); invalid when not waiting.
    QDateTime identifyWaitUntil;
    int identifies24h = 0;          //!< IDENTIFYs the bot's gate granted in the last 24 h (Gatewatch's own)
};

//! A partial update of the seed's fields (docs/lifecycle.md §3): every member is optional;
//! `lastDisconnect` distinguishes "leave" (outer nullopt) from "set to null" (inner nullopt).
//! The supervisor merges a patch with applyPatch() and then emits statusChanged once.
struct StatusPatch
{
    std::optional<bool> connected;
    std::optional<QDateTime> lastEventAt;
    std::optional<QDateTime> lastConnectedAt;
    std::optional<std::optional<DisconnectInfo>> lastDisconnect;
    std::optional<QString> lastError;

    //! Merges the set members into `status`.
    void applyTo(AccountStatus &status) const
    {
        if (connected)
            status.connected = *connected;
        if (lastEventAt)
            status.lastEventAt = *lastEventAt;
        if (lastConnectedAt)
            status.lastConnectedAt = *lastConnectedAt;
        if (lastDisconnect)
            status.lastDisconnect = *lastDisconnect;
        if (lastError)
            status.lastError = *lastError;
    }
};

} // namespace gw

Q_DECLARE_METATYPE(gw::AccountStatus)
