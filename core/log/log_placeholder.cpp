// Placeholder until the log area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_logPlaceholder = 0; }
