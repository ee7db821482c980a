#pragma once

// Internal to core/sim: the simulator's REST and control endpoints.

#include "simhttpserver_p.h"
#include "simratelimit_p.h"

#include <QJsonObject>
#include <QJsonParseError>
#include <QUrlQuery>

namespace gw {
class GatewaySimulator;
}

namespace gw::sim {

class State;

//! Answers the simulator's HTTP listener: Discord's REST routes under /api/v10 (GET /gateway,
//! /gateway/bot, /users/@me; 401 for unknown tokens) and the loopback-only control endpoint
//! under /control (docs/simulator.md), which drives GatewaySimulator's public API.
class HttpApi final
{
    Q_DISABLE_COPY_MOVE(HttpApi)

public:
    HttpApi(State &state, GatewaySimulator *q) : m_state(state), q(q) {}
    ~HttpApi() = default;

    SimHttpResponse handle(const SimHttpRequest &request);
    [[nodiscard]] RestLimits &restLimits() { return m_restLimits; }

private:
    //! A control request, its query and JSON body parsed once.
    struct Control
    {
        const SimHttpRequest &request;
        QUrlQuery query;
        QJsonObject body;
        QJsonParseError parse{};
        [[nodiscard]] bool isJson() const { return parse.error == QJsonParseError::NoError; }
        [[nodiscard]] bool is(const char *method) const { return request.method == method; }
    };

    //! `botName` is set when the token is known (for the request log).
    SimHttpResponse rest(const SimHttpRequest &r, const QString &route, QString &botName);
    SimHttpResponse control(const SimHttpRequest &r, const QString &path);
    SimHttpResponse status(const Control &c);
    SimHttpResponse bots(const Control &c);
    SimHttpResponse addBot(const Control &c);
    SimHttpResponse fault(const Control &c);
    SimHttpResponse connections(const Control &c);
    SimHttpResponse received(const Control &c);
    SimHttpResponse dispatch(const Control &c);
    SimHttpResponse settings(const Control &c);
    SimHttpResponse loadOverride(const Control &c);
    SimHttpResponse rateLimit(const Control &c);

    State &m_state;
    GatewaySimulator *const q;
    RestLimits m_restLimits;
};

} // namespace gw::sim
