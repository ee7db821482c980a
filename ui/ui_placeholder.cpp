namespace gw::detail { [[maybe_unused]] constexpr int k_uiPlaceholder = 0; }
