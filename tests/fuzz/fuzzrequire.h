#pragma once

// The invariant check of the fuzz targets: a broken invariant aborts, so libFuzzer records the
// input as a crash (and the regression driver fails).

#include <cstdlib>

namespace fuzz {

inline void require(bool condition)
{
    if (!condition)
        std::abort();
}

} // namespace fuzz
