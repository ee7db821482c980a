#pragma once

#include <utility>
#include <variant>

namespace gw {

//! A minimal `expected<T, E>` for synchronous results (C++20 has no std::expected).
//! Errors are values: a function that can fail returns one of these.
template<typename T, typename E>
class Expected
{
public:
    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}           // NOLINT: implicit by design
    Expected(E error) : m_v(std::in_place_index<1>, std::move(error)) {}           // NOLINT: implicit by design

    [[nodiscard]] bool hasValue() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return hasValue(); }

    [[nodiscard]] const T &value() const & { return std::get<0>(m_v); }
    [[nodiscard]] T &value() & { return std::get<0>(m_v); }
    [[nodiscard]] T &&value() && { return std::get<0>(std::move(m_v)); }
    [[nodiscard]] const E &error() const & { return std::get<1>(m_v); }

    const T *operator->() const { return &value(); }
    const T &operator*() const & { return value(); }

private:
    std::variant<T, E> m_v;
};

} // namespace gw
