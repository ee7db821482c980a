// Placeholder until the metrics area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_metricsPlaceholder = 0; }
