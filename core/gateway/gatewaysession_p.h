#pragma once

#include "gatewayclient.h"

#include <optional>

namespace gw {

//! The resumable identity of a gateway session: session_id, resume_gateway_url and the last
//! sequence (docs/protocol.md, resuming), plus what READY told us about it. Outlives sockets and
//! runs; dropped when the session is gone (op 9 d:false, a NewSession close, FreshIdentify).
//! A plain value class; the client's GatewayStats::lastSequence is kept in step with it.
class SessionState final
{
public:
    explicit SessionState(GatewayStats &stats) : m_stats(stats) {}
    Q_DISABLE_COPY_MOVE(SessionState)

    //! A RESUME is possible: an id and a sequence are known.
    [[nodiscard]] bool isResumable() const { return !m_id.isEmpty() && m_sequence >= 0; }
    [[nodiscard]] const QString &id() const { return m_id; }
    [[nodiscard]] const QUrl &resumeUrl() const { return m_resumeUrl; }
    [[nodiscard]] qint64 sequence() const { return m_sequence; }
    [[nodiscard]] const std::optional<SessionInfo> &info() const { return m_info; }

    //! Forget everything: the next connect identifies afresh.
    void drop();
    //! The resume host could not be reached: forget it and keep the session (id, sequence), so
    //! the next RESUME goes to the gateway URL (docs/lifecycle.md, "Resume host fallback").
    void dropResumeUrl()
    {
        m_resumeUrl.clear();
        if (m_info)
            m_info->resumeGatewayUrl.clear();
    }
    //! A saved ResumeState to RESUME on the next connect.
    void seed(const ResumeState &state);
    [[nodiscard]] ResumeState toResumeState() const;
    //! A dispatch carried sequence `s`.
    void observeSequence(qint64 s);

    //! READY: adopt its session (an empty resume URL falls back to `gatewayUrl`); returns a copy.
    SessionInfo adoptReady(SessionInfo info, const QUrl &gatewayUrl);
    //! RESUMED of a seeded session (no READY on this client): record what is known of it.
    void adoptResumed(const std::optional<std::pair<int, int>> &configuredShard);

private:
    GatewayStats &m_stats;
    QString m_id;
    QUrl m_resumeUrl;        //!< bare, from READY; kept across resumes
    qint64 m_sequence = -1;
    std::optional<SessionInfo> m_info;
};

} // namespace gw
