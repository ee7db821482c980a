// Placeholder until the gateway area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_gatewayPlaceholder = 0; }
