#include "gatewaysession_p.h"

namespace gw {

void SessionState::drop()
{
    m_id.clear();
    m_resumeUrl.clear();
    m_sequence = -1;
    m_stats.lastSequence = -1;
    m_info.reset();
}

void SessionState::seed(const ResumeState &state)
{
    m_id = state.sessionId;
    m_resumeUrl = state.resumeGatewayUrl;
    m_sequence = state.sequence;
    m_stats.lastSequence = state.sequence;
}

ResumeState SessionState::toResumeState() const
{
    ResumeState s;
    s.sessionId = m_id;
    s.resumeGatewayUrl = m_resumeUrl;
    s.sequence = m_sequence;
    s.savedAt = QDateTime::currentDateTimeUtc();
    return s;
}

void SessionState::observeSequence(qint64 s)
{
    m_sequence = s;
    m_stats.lastSequence = s;
}

SessionInfo SessionState::adoptReady(SessionInfo info, const QUrl &gatewayUrl)
{
    if (info.resumeGatewayUrl.isEmpty())
        info.resumeGatewayUrl = gatewayUrl;
    m_id = info.sessionId;
    m_resumeUrl = info.resumeGatewayUrl;
    m_info = info;
    return info;
}

void SessionState::adoptResumed(const std::optional<std::pair<int, int>> &configuredShard)
{
    if (m_info)
        return;
    SessionInfo s;
    s.sessionId = m_id;
    s.resumeGatewayUrl = m_resumeUrl;
    if (configuredShard) {
        s.shardId = configuredShard->first;
        s.shardCount = configuredShard->second;
    }
    m_info = s;
}

} // namespace gw
