// The umbrella library has no code of its own; each area lives in its own static library.
namespace gw::detail { [[maybe_unused]] constexpr int kCoreUmbrella = 0; }
