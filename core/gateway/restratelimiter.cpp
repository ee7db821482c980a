#include "restratelimiter.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

using namespace std::chrono_literals;

namespace gw {

namespace {

constexpr int MaxBucketChars = 64;
constexpr qsizetype MaxBodyBytes = 4096;
constexpr qsizetype MaxWindows = 4096;

std::optional<std::chrono::milliseconds> fromSeconds(double seconds)
{
    if (std::isnan(seconds) || std::isinf(seconds))
        return std::nullopt;
    if (seconds <= 0)
        return 0ms;
    const double ms = std::ceil(seconds * 1000.0);
    if (ms >= double(RestRateLimiter::MaxWait.count()))
        return RestRateLimiter::MaxWait;
    return std::chrono::milliseconds(qint64(ms));
}

QString printable(const QByteArray &raw)
{
    QString out;
    for (const char c : raw.left(MaxBucketChars)) {
        if (c > 0x20 && c < 0x7f)
            out.append(QLatin1Char(c));
    }
    return out;
}

bool isTrue(const QByteArray &v)
{
    return v.trimmed().toLower() == "true";
}

} // namespace

std::optional<std::chrono::milliseconds> RestRateLimitHeaders::parseSeconds(const QByteArray &text)
{
    const QByteArray t = text.trimmed();
    if (t.isEmpty() || t.size() > 32)
        return std::nullopt;
    bool ok = false;
    const double v = t.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return fromSeconds(v);
}

std::optional<std::chrono::milliseconds> RestRateLimitHeaders::longestWait() const
{
    std::optional<std::chrono::milliseconds> w;
    for (const auto &v : {retryAfter, bodyRetryAfter, resetAfter}) {
        if (v && (!w || *v > *w))
            w = v;
    }
    return w;
}

QString RestRateLimitHeaders::scopeName(Scope scope)
{
    switch (scope) {
    case Scope::User: return QStringLiteral("user");
    case Scope::Global: return QStringLiteral("global");
    case Scope::Shared: return QStringLiteral("shared");
    }
    return QStringLiteral("user");
}

RestRateLimitHeaders RestRateLimitHeaders::parse(int status, const std::function<QByteArray(const QByteArray &)> &header,
                                                 const QByteArray &body)
{
    RestRateLimitHeaders h;
    h.retryAfter = parseSeconds(header("retry-after"));
    h.resetAfter = parseSeconds(header("x-ratelimit-reset-after"));
    const QByteArray remaining = header("x-ratelimit-remaining").trimmed();
    bool ok = false;
    const qlonglong r = remaining.size() <= 12 ? remaining.toLongLong(&ok) : 0;
    if (ok)
        h.remaining = int(std::clamp<qlonglong>(r, 0, 1000000));
    h.bucket = printable(header("x-ratelimit-bucket"));
    const QByteArray scope = header("x-ratelimit-scope").trimmed().toLower();
    if (scope == "global")
        h.scope = Scope::Global;
    else if (scope == "shared")
        h.scope = Scope::Shared;
    h.global = isTrue(header("x-ratelimit-global")) || h.scope == Scope::Global;
    if (status == 429 && body.size() <= MaxBodyBytes) {
        const QJsonObject o = QJsonDocument::fromJson(body).object();
        const QJsonValue ra = o.value(QLatin1String("retry_after"));
        if (ra.isDouble())
            h.bodyRetryAfter = fromSeconds(ra.toDouble());
        if (o.value(QLatin1String("global")).toBool(false))
            h.global = true;
    }
    if (h.global)
        h.scope = Scope::Global;
    return h;
}

RestRateLimiter &RestRateLimiter::global()
{
    static RestRateLimiter instance;
    return instance;
}

RestRateLimiter::RestRateLimiter() : RestRateLimiter(Options{}) {}

RestRateLimiter::RestRateLimiter(Options options) : m_options(options) {}

QByteArray RestRateLimiter::tokenKey(const QString &token)
{
    return QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).left(16);
}

RestRateLimiter::Options RestRateLimiter::options() const
{
    const QMutexLocker lock(&m_mutex);
    return m_options;
}

QByteArray RestRateLimiter::windowKey(const QByteArray &key, const QString &route) const
{
    const QString bucket = m_routeBuckets.value(route);
    return key + '|' + (bucket.isEmpty() ? route : QStringLiteral("bucket:") + bucket).toUtf8();
}

void RestRateLimiter::pruneInvalid(Clock::time_point now)
{
    while (!m_invalid.empty() && now - m_invalid.front() >= m_options.invalidRequestWindow)
        m_invalid.pop_front();
    if (int(m_invalid.size()) < m_options.invalidRequestCeiling)
        m_refusalLogged = false;
}

int RestRateLimiter::invalidRequests(Clock::time_point now)
{
    const QMutexLocker lock(&m_mutex);
    pruneInvalid(now);
    return int(m_invalid.size());
}

Expected<RestRateLimitWait, QString> RestRateLimiter::acquire(const QByteArray &key, const QString &route,
                                                              Clock::time_point now)
{
    const QMutexLocker lock(&m_mutex);
    pruneInvalid(now);
    if (int(m_invalid.size()) >= m_options.invalidRequestCeiling) {
        const auto left = std::chrono::ceil<std::chrono::seconds>(m_options.invalidRequestWindow - (now - m_invalid.front()));
        const QString why = QStringLiteral("%1 refused: %2 invalid REST requests (HTTP 401, 403, 429) in the last %3 minutes "
                                           "reached Gatewatch's safety ceiling of %4 (Discord bans an IP for a while at "
                                           "10,000); requests resume in %5 s")
                                .arg(route)
                                .arg(m_invalid.size())
                                .arg(std::chrono::duration_cast<std::chrono::minutes>(m_options.invalidRequestWindow).count())
                                .arg(m_options.invalidRequestCeiling)
                                .arg(left.count());
        if (!m_refusalLogged)
            qCWarning(lcRest).noquote() << why;
        m_refusalLogged = true;
        return why;
    }
    RestRateLimitWait w;
    w.route = route;
    w.bucket = m_routeBuckets.value(route);
    const auto g = m_global.constFind(key);
    if (g != m_global.cend() && *g > now) {
        w.wait = std::chrono::ceil<std::chrono::milliseconds>(*g - now);
        w.global = true;
        w.scope = QStringLiteral("global");
        return w;
    }
    Window &win = m_windows[windowKey(key, route)];
    if (win.blockedUntil > now) {
        w.wait = std::chrono::ceil<std::chrono::milliseconds>(win.blockedUntil - now);
        return w;
    }
    if (win.remaining && win.resetAt > now) {
        if (*win.remaining <= 0) {
            w.wait = std::chrono::ceil<std::chrono::milliseconds>(win.resetAt - now);
            w.scope = QStringLiteral("preemptive");
            return w;
        }
        --*win.remaining;
    }
    return w;
}

void RestRateLimiter::record(const QByteArray &key, const QString &route, int status,
                             const RestRateLimitHeaders &headers, Clock::time_point now)
{
    const QMutexLocker lock(&m_mutex);
    const bool invalid = status == 401 || status == 403
        || (status == 429 && headers.scope != RestRateLimitHeaders::Scope::Shared);
    if (invalid) {
        pruneInvalid(now);
        m_invalid.push_back(now);
    }
    if (!headers.bucket.isEmpty())
        m_routeBuckets.insert(route, headers.bucket);
    if (m_windows.size() > MaxWindows) {
        for (auto it = m_windows.begin(); it != m_windows.end();)
            it = (it->blockedUntil <= now && it->resetAt <= now) ? m_windows.erase(it) : std::next(it);
    }
    Window &win = m_windows[windowKey(key, route)];
    if (headers.remaining && headers.resetAfter) {
        win.remaining = headers.remaining;
        win.resetAt = now + *headers.resetAfter;
    }
    if (status != 429)
        return;
    const std::chrono::milliseconds wait = std::max(headers.longestWait().value_or(DefaultWait), MinWait);
    if (headers.global) {
        Clock::time_point &until = m_global[key];
        until = std::max(until, now + wait);
    } else {
        win.blockedUntil = std::max(win.blockedUntil, now + wait);
    }
}

} // namespace gw
