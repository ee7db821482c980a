// Placeholder until the accounts area lands; replaced by its sources.
namespace gw::detail { [[maybe_unused]] constexpr int k_accountsPlaceholder = 0; }
