#pragma once

// Internal to core/sim: Discord's REST 429 answers (docs/simulator.md, "REST rate limits").

#include "gatewaysimulator.h"
#include "simhttpserver_p.h"

#include <QHash>
#include <QList>

#include <optional>

namespace gw::sim {

//! The 429s armed per bot and the log of every REST request (with its time and status), so a
//! test can check that no request was made inside a window. A window opens with the first
//! request after arming: that request and every request inside the window get 429 (a client
//! that ignores Retry-After keeps being refused), the first one after it gets the normal answer.
class RestLimits final
{
    Q_DISABLE_COPY_MOVE(RestLimits)

public:
    RestLimits() = default;
    ~RestLimits() = default;

    void arm(const QString &botName, const SimRestLimit &limit);
    //! The 429 for this request, if the bot's route is limited now; nullopt → answer normally.
    std::optional<SimHttpResponse> check(const QString &botName, const QString &route, qint64 nowMs);
    void record(const QString &botName, const QString &route, int status, qint64 nowMs);

    [[nodiscard]] QList<SimRestRequest> requests() const { return m_requests; }
    void clear() { m_requests.clear(); }

private:
    struct Armed
    {
        SimRestLimit limit;
        int windowsLeft = 0;
        qint64 windowEndMs = 0;      //!< 0 = no window open
    };
    QHash<QString, Armed> m_armed;   //!< by bot name
    QList<SimRestRequest> m_requests;
};

} // namespace gw::sim
