// Placeholder until the sim area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_simPlaceholder = 0; }
