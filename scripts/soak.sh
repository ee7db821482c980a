#!/usr/bin/env bash
# The long soak: 200 accounts for 10 minutes against the simulator with random
# faults of every kind (tests/soak/tst_soak.cpp). Prints the "SOAK RESULT" / "SOAK FAULTS" lines
# that docs/reliability.md records. Override the size with GATEWATCH_SOAK_ACCOUNTS and
# GATEWATCH_SOAK_SECONDS; GATEWATCH_BUILD_DIR picks the build dir (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${GATEWATCH_BUILD_DIR:-build}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build_dir" -G Ninja "${launcher[@]}" -DBUILD_TESTING=ON >/dev/null
cmake --build "$build_dir" --parallel "$(nproc)" --target tst_soak
export GATEWATCH_SOAK_ACCOUNTS=${GATEWATCH_SOAK_ACCOUNTS:-200}
export GATEWATCH_SOAK_SECONDS=${GATEWATCH_SOAK_SECONDS:-600}
export QTEST_FUNCTION_TIMEOUT=$(( (GATEWATCH_SOAK_SECONDS + 600) * 1000 ))
export QT_QPA_PLATFORM=offscreen
log=${GATEWATCH_SOAK_LOG:-soak-$(date -u +%Y%m%dT%H%M%SZ).log}
echo "soak: $GATEWATCH_SOAK_ACCOUNTS accounts for $GATEWATCH_SOAK_SECONDS s; log in $log"
status=0
/usr/bin/time -v "$build_dir/tests/soak/tst_soak" >"$log" 2>&1 || status=$?
grep -E 'SOAK (RESULT|FAULTS)|Totals|Maximum resident|Elapsed' "$log" || true
exit "$status"
