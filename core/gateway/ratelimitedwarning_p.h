#pragma once

#include "logging.h"

#include <QElapsedTimer>
#include <QString>

namespace gw {

//! Malformed-input warnings of one GatewayClient: at most one line per second reaches the log,
//! the rest are counted and mentioned with the next line that gets through. A hostile or broken
//! gateway cannot flood the log this way; stats() still counts every case.
class RateLimitedWarning final
{
public:
    void warn(const QString &what)
    {
        if (!m_last.isValid() || m_last.elapsed() >= IntervalMs) {
            if (m_suppressed > 0)
                qCWarning(lcGateway).noquote() << what << QStringLiteral("(%1 similar suppressed)").arg(m_suppressed);
            else
                qCWarning(lcGateway).noquote() << what;
            m_last.restart();
            m_suppressed = 0;
        } else {
            ++m_suppressed;
        }
    }

private:
    static constexpr qint64 IntervalMs = 1000;
    QElapsedTimer m_last;
    quint64 m_suppressed = 0;
};

} // namespace gw
