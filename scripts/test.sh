#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds
# warning-free (-Werror), and runs, in order:
#   1. the unit and integration suite (every CTest test but the soaks and the .deb tests);
#   2. the soaks (label soak: the 10-minute supervisor soak and the short 50-account soak),
#      started in the background because they mostly wait on timers;
#   3. the .deb tests (label package: cpack, lintian, desktop/AppStream validation, install, run,
#      remove; they need root and run one at a time);
#   4. the hardening stages (scripts/test-hardening.sh: ASan + UBSan build of the whole suite,
#      libFuzzer runs);
# then waits for the soaks. Any failure fails the script. Extra args go to the stage-1 ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so every clone and build dir shares its entries.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)}
./scripts/install-deps.sh
build_dir=${GATEWATCH_BUILD_DIR:-build}
GATEWATCH_BUILD_DIR=$build_dir ./scripts/build.sh -DGATEWATCH_WERROR=ON -DBUILD_TESTING=ON
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"
jobs=$(nproc)
stage() { printf '\n=== %s (%s) ===\n' "$1" "$(date -u +%H:%M:%S)"; }

# The keychain tests need a Secret Service: every ctest runs inside its own D-Bus session with an
# unlocked gnome-keyring (scripts/with-keyring.sh).
stage "suite"
./scripts/with-keyring.sh ctest --test-dir "$build_dir" --output-on-failure --parallel "$jobs" \
    -LE '^(soak|package)$' "$@"

stage "soaks (background)"
soak_log=$(mktemp)
./scripts/with-keyring.sh ctest --test-dir "$build_dir" --output-on-failure -L '^soak$' >"$soak_log" 2>&1 &
soak_pid=$!

status=0
stage "Debian package"
./scripts/with-keyring.sh ctest --test-dir "$build_dir" --output-on-failure -L '^package$' || status=$?

if [[ $status == 0 ]]; then
    stage "hardening"
    GATEWATCH_BUILD_DIR=$build_dir ./scripts/test-hardening.sh --no-soak || status=$?
fi

stage "soaks (waiting)"
soak_status=0
wait "$soak_pid" || soak_status=$?
grep -E 'SOAK (RESULT|FAULTS)|Test +#|tests passed|tests failed' "$soak_log" || true
if [[ $soak_status != 0 ]]; then
    tail -n 120 "$soak_log" >&2
    status=$soak_status
fi
rm -f "$soak_log"
exit "$status"
