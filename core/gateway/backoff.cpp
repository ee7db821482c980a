#include "backoff.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace gw {

namespace {
//! 2^30 × base is already far past any sensible cap; the exponent stops there.
constexpr int MaxExponent = 30;

double ceilingMs(int failed, std::chrono::milliseconds base, std::chrono::milliseconds cap)
{
    const double b = double(base.count());
    const double c = double(cap.count());
    return std::min(c, b * std::pow(2.0, double(std::min(failed - 1, MaxExponent))));
}
} // namespace

std::chrono::milliseconds backoffDelay(int failed, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                       double unit)
{
    if (failed <= 0)
        return std::chrono::milliseconds{0};
    const double ceiling = ceilingMs(failed, base, cap);
    const double delay = ceiling / 2.0 + unit * ceiling / 2.0;
    return std::chrono::milliseconds(std::max<qint64>(1, qint64(delay)));
}

std::chrono::milliseconds backoffCeiling(int failed, std::chrono::milliseconds base, std::chrono::milliseconds cap)
{
    if (failed <= 0)
        return std::chrono::milliseconds{0};
    return std::chrono::milliseconds(qint64(ceilingMs(failed, base, cap)));
}

std::chrono::milliseconds uniformDelay(std::chrono::milliseconds lo, std::chrono::milliseconds hi, double unit)
{
    const qint64 low = lo.count();
    const qint64 high = std::max(low, qint64(hi.count()));
    return std::chrono::milliseconds(low + qint64(unit * double(high - low)));
}

} // namespace gw
