#include "simratelimit_p.h"

#include "logging.h"
#include "simprotocol_p.h"

#include <QJsonObject>

#include <cmath>

namespace gw::sim {

namespace {

constexpr qsizetype MaxRequestsKept = 10000;

QByteArray seconds(qint64 ms)
{
    return QByteArray::number(double(ms) / 1000.0, 'f', 3);
}

void header(SimHttpResponse &r, const char *name, const QByteArray &value)
{
    r.headers.append(std::make_pair(QByteArray(name), value));
}

} // namespace

void RestLimits::arm(const QString &botName, const SimRestLimit &limit)
{
    Armed a;
    a.limit = limit;
    a.windowsLeft = std::max(0, limit.count);
    m_armed.insert(botName, a);
}

std::optional<SimHttpResponse> RestLimits::check(const QString &botName, const QString &route, qint64 nowMs)
{
    auto it = m_armed.find(botName);
    if (it == m_armed.end())
        return std::nullopt;
    Armed &a = *it;
    if (!a.limit.global && !a.limit.route.isEmpty() && a.limit.route != route)
        return std::nullopt;
    const bool inWindow = a.windowEndMs > nowMs;
    if (!inWindow) {
        if (a.windowsLeft <= 0) {
            m_armed.erase(it);
            return std::nullopt;
        }
        --a.windowsLeft;
        a.windowEndMs = nowMs + a.limit.retryAfter.count();
    }
    const qint64 leftMs = std::max<qint64>(0, a.windowEndMs - nowMs);
    SimHttpResponse r;
    r.status = 429;
    r.body = toJson(QJsonObject{{QStringLiteral("message"), QStringLiteral("You are being rate limited.")},
                                {QStringLiteral("retry_after"), double(leftMs) / 1000.0},
                                {QStringLiteral("global"), a.limit.global},
                                {QStringLiteral("code"), 0}});
    // Retry-After is whole seconds (rounded up), as Discord sends it.
    header(r, "Retry-After", QByteArray::number(qint64(std::ceil(double(leftMs) / 1000.0))));
    if (a.limit.global) {
        header(r, "X-RateLimit-Global", "true");
        header(r, "X-RateLimit-Scope", "global");
    } else {
        header(r, "X-RateLimit-Limit", "1");
        header(r, "X-RateLimit-Remaining", "0");
        header(r, "X-RateLimit-Reset-After", seconds(leftMs));
        header(r, "X-RateLimit-Bucket", "sim" + QByteArray::number(qHash(route), 16));
        header(r, "X-RateLimit-Scope", "user");
    }
    qCInfo(lcSim).noquote() << "REST" << route << "of" << botName << "-> 429 for" << leftMs << "ms"
                            << (a.limit.global ? "(global)" : "(route)") << (inWindow ? "inside the window" : "");
    return r;
}

void RestLimits::record(const QString &botName, const QString &route, int status, qint64 nowMs)
{
    if (m_requests.size() >= MaxRequestsKept)
        m_requests.removeFirst();
    m_requests.append(SimRestRequest{route, botName, status, nowMs});
}

} // namespace gw::sim
