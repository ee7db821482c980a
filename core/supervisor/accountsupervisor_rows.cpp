// AccountSupervisor: the client signals that become event rows about the session's data (READY,
// RESUMED, sequence gaps, closes) and the status refresh while dispatches flow. The rows
// themselves are built in lifecycleevents.cpp; docs/lifecycle.md describes them.

#include "accountsupervisor.h"

#include "closecode.h"
#include "gatewayclient.h"
#include "lifecycleevents_p.h"

#include <QDateTime>

namespace gw {

void AccountSupervisor::handleReady(const SessionInfo &session)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    m_status.session = session;
    std::optional<lifecycle::SessionGap> gap;
    if (m_pendingGap)
        gap = lifecycle::SessionGap{m_pendingGap->first, m_pendingGap->second};
    m_pendingGap.reset();
    logEvent(lifecycle::ready(session, gap));
    handleConnected(at);
}

void AccountSupervisor::handleResumed(const ResumeOutcome &outcome)
{
    if (isStopping())
        return;
    const qint64 at = nowMs();
    ++m_status.resumes;
    // A session resumed from the previous run (ResumeStateStore) never had a READY here: its
    // facts (session id, resume host, shard) come from the client's resumed session.
    if (!m_status.session && m_client)
        m_status.session = m_client->session();
    m_pendingGap.reset();
    logEvent(lifecycle::resumed(outcome));
    handleConnected(at);
}

void AccountSupervisor::handleSequenceGap(qint64 expected, qint64 got)
{
    if (isStopping())
        return;
    m_status.lastEventAt = toDateTime(nowMs());
    logEvent(lifecycle::sequenceGap(expected, got));
    // The lost count is in the client's stats: let the status carry it now, not a second later.
    updateStatus([](AccountStatus &) {});
}

void AccountSupervisor::handleSessionReplaced(const QDateTime &gapFrom, const QDateTime &gapTo)
{
    if (isStopping())
        return;
    // Reported on the READY that follows (the client emits it just before ready()).
    m_pendingGap = std::make_pair(gapFrom, gapTo);
}

void AccountSupervisor::handleDispatch()
{
    // Dispatches and ACKs refresh lastEventAt silently (see the header): a flood of events
    // must not become a flood of status signals.
    if (!isStopping())
        m_status.lastEventAt = toDateTime(nowMs());
}

void AccountSupervisor::handleDispatchReceived()
{
    handleDispatch();
    // At most one status per statsRefresh while dispatches flow (the header, "Status").
    if (!isStopping() && !m_statsTimer.isActive())
        m_statsTimer.start();
}

void AccountSupervisor::handleStatsChanged()
{
    if (isStopping())
        return;
    updateStatus([](AccountStatus &) {});
}

void AccountSupervisor::handleSocketClosed(const CloseInfo &info)
{
    if (isStopping())
        return;
    const qint64 at = info.at.isValid() ? info.at.toMSecsSinceEpoch() : nowMs();
    // A close that ends a live session resets the stall counter (read from the close's own
    // wasReady, never a stale "is connected" flag).
    if (info.wasReady)
        m_helloStalls = 0;
    // The watchdog measures since the account last left Ready; arm only if unarmed. Waiting for
    // the identify budget is deliberate: no watchdog for it.
    if (info.cause != CloseCause::IdentifyBudget)
        m_reconnectWatchdog.armIfUnarmed(at);
    m_helloTimer.stop();
    // A socket that closed while its IDENTIFY was queued: the READY guard counts again (not
    // while waiting for the identify budget: that wait pauses it until the next socket opens).
    if (m_identifyQueued && !m_budgetWait && (m_phase == Phase::AwaitReady || m_phase == Phase::AwaitReadyRetry))
        m_readyTimer.start();
    m_identifyQueued = false;

    DisconnectInfo disconnect;
    disconnect.at = toDateTime(at);
    disconnect.closeCode = info.code;
    disconnect.error = info.reason;
    updateStatus([&](AccountStatus &s) {
        s.connected = false;
        s.lastEventAt = toDateTime(at);
        s.lastDisconnect = disconnect;
        ++s.disconnects;
        s.helloStalls = m_helloStalls;
    });

    CloseContext context;
    if (m_client) {
        context.requestedIntents = m_client->config().intents;
        if (const auto info = m_client->gatewayInfo())
            context.recommendedShards = info->shards;
    }
    logEvent(lifecycle::socketClosed(info, context));
    noteSessionEnd(info, at);
}

} // namespace gw
