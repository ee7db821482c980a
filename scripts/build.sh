#!/usr/bin/env bash
# Configures and builds Gatewatch in build/ (or $GATEWATCH_BUILD_DIR). Extra args go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${GATEWATCH_BUILD_DIR:-build}
launcher=()
if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    # Paths relative to the checkout, so another clone of the tree hits the same cache entries.
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)}
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${GATEWATCH_BUILD_TYPE:-RelWithDebInfo} \
    "${launcher[@]}" "$@"
cmake --build "$build_dir" --parallel "$(nproc)"
