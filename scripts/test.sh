#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds
# warning-free (-Werror), and runs every CTest test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
GATEWATCH_BUILD_DIR=${GATEWATCH_BUILD_DIR:-build} ./scripts/build.sh -DGATEWATCH_WERROR=ON -DBUILD_TESTING=ON
build_dir=${GATEWATCH_BUILD_DIR:-build}
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
# The keychain test needs a Secret Service: run the suite inside its own D-Bus session with an
# unlocked gnome-keyring (scripts/with-keyring.sh).
./scripts/with-keyring.sh ctest --test-dir "$build_dir" --output-on-failure --parallel "$(nproc)" "$@"
