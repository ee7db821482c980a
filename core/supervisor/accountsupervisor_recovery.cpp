// AccountSupervisor: flapping episodes and the identify budget wait (docs/lifecycle.md,
// "Backoff, flapping, jitter" and "The identify budget").
#include "accountsupervisor.h"

#include "lifecycleevents_p.h"

namespace gw {

void AccountSupervisor::noteSessionEnd(const CloseInfo &info, qint64 at)
{
    // A session that reached READY/RESUMED and died; a reconnect a person asked for and
    // Gatewatch's own stop are not the gateway's doing.
    if (isStopping() || !info.wasReady || info.cause == CloseCause::UserResume
        || info.cause == CloseCause::UserIdentify || info.cause == CloseCause::Stopped)
        return;
    const bool started = m_flaps.sessionDied(at);
    if (!m_flaps.active())
        return;
    const int sessions = m_flaps.count(at);
    updateStatus([&](AccountStatus &s) { s.flapping = FlappingStatus{sessions, m_flaps.window()}; });
    if (started)
        logEvent(lifecycle::flapping(sessions, m_flaps.window()));
}

void AccountSupervisor::handleSessionStable()
{
    if (isStopping() || !m_flaps.stable())
        return;
    updateStatus([](AccountStatus &s) { s.flapping.reset(); });
    logEvent(lifecycle::flappingEnded(m_options.timings.stableAfter));
}

void AccountSupervisor::handleIdentifyBudgetWait(const GatewayError &reason, const QDateTime &until)
{
    if (isStopping())
        return;
    // A deliberate wait, possibly for hours: neither the READY guard nor the reconnect watchdog
    // may end it. The guard starts again with the next socket.
    m_budgetWait = true;
    m_readyTimer.stop();
    m_helloTimer.stop();
    m_reconnectWatchdog.disarm();
    updateStatus([&](AccountStatus &s) {
        s.identifyWaitUntil = until;
        s.lastError = reason.message;
        s.lastEventAt = toDateTime(nowMs());
    });
    std::optional<SessionStartLimit> limit;
    if (const auto info = m_client ? m_client->gatewayInfo() : std::nullopt)
        limit = info->limit;
    logEvent(lifecycle::identifyBudgetWait(reason, until, limit));
}

void AccountSupervisor::endBudgetWait()
{
    if (!m_budgetWait)
        return;
    m_budgetWait = false;
    m_status.identifyWaitUntil = {};  // rides on the caller's emission
}

} // namespace gw
