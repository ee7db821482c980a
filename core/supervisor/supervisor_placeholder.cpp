// Placeholder until the supervisor area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_supervisorPlaceholder = 0; }
