#include "latencystats.h"

#include <algorithm>
#include <cmath>

namespace gw {

std::chrono::milliseconds latencyMean(std::span<const std::chrono::milliseconds> samples)
{
    if (samples.empty())
        return std::chrono::milliseconds{0};
    std::chrono::milliseconds::rep sum = 0;
    for (const auto sample : samples)
        sum += sample.count();
    return std::chrono::milliseconds(sum / std::chrono::milliseconds::rep(samples.size()));
}

std::chrono::milliseconds latencyPercentile(std::span<const std::chrono::milliseconds> samples, double p)
{
    if (samples.empty())
        return std::chrono::milliseconds{0};
    std::vector<std::chrono::milliseconds> sorted(samples.begin(), samples.end());
    std::sort(sorted.begin(), sorted.end());
    const double rank = std::ceil(p * double(sorted.size()));
    if (!(rank >= 1.0))  // p <= 0 (or NaN): the smallest sample
        return sorted.front();
    return sorted[std::size_t(std::min(rank, double(sorted.size()))) - 1];
}

LatencySummary summarizeLatencies(std::span<const std::chrono::milliseconds> samples)
{
    if (samples.empty())
        return {};
    return LatencySummary{samples.back(), latencyMean(samples), latencyPercentile(samples, 0.95)};
}

LatencyWindow::LatencyWindow(std::size_t capacity)
    : m_capacity(std::max<std::size_t>(capacity, 1))
{
    m_samples.reserve(m_capacity + 1);
}

void LatencyWindow::add(std::chrono::milliseconds sample)
{
    m_samples.push_back(sample);
    if (m_samples.size() > m_capacity)
        m_samples.erase(m_samples.begin(), m_samples.end() - std::ptrdiff_t(m_capacity));
}

} // namespace gw
