#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <vector>

//! Heartbeat ACK latency figures (GatewayStats::lastLatency, meanLatency, p95Latency) as pure
//! functions over a list of samples, plus the sliding window GatewayClient keeps them in.
namespace gw {

//! What GatewayStats shows of a set of latency samples.
struct LatencySummary
{
    std::chrono::milliseconds last{0};  //!< the newest sample (the last one of the list)
    std::chrono::milliseconds mean{0};
    std::chrono::milliseconds p95{0};
};

//! Arithmetic mean, truncated to whole milliseconds; 0 ms for no samples.
[[nodiscard]] std::chrono::milliseconds latencyMean(std::span<const std::chrono::milliseconds> samples);

//! Nearest-rank percentile, `p` in (0, 1]: the ceil(p × n)-th smallest of the n samples (the
//! smallest one at least); 0 ms for no samples. p = 0.95 over 20 samples is the 19th smallest.
[[nodiscard]] std::chrono::milliseconds latencyPercentile(std::span<const std::chrono::milliseconds> samples,
                                                          double p);

//! last, mean and p95 of `samples` (oldest first); all 0 ms for no samples.
[[nodiscard]] LatencySummary summarizeLatencies(std::span<const std::chrono::milliseconds> samples);

//! The newest `capacity` latency samples, oldest first. A plain value class.
class LatencyWindow final
{
public:
    explicit LatencyWindow(std::size_t capacity);

    //! Append a sample, dropping the oldest ones beyond the capacity.
    void add(std::chrono::milliseconds sample);
    [[nodiscard]] std::span<const std::chrono::milliseconds> samples() const { return m_samples; }
    [[nodiscard]] LatencySummary summary() const { return summarizeLatencies(m_samples); }

private:
    std::size_t m_capacity;
    std::vector<std::chrono::milliseconds> m_samples;
};

} // namespace gw
