#!/usr/bin/env bash
# Hardening stages of the test command, called by scripts/test.sh after the regular
# suite. Each stage fails the script on the first problem.
#   1. ASan + UBSan build of the WHOLE test suite (gcc, GATEWATCH_SANITIZE=ON) in build-asan,
#      every CTest test run clean, except labels `package` (needs the .deb that only the
#      regular build's cpack makes) and `thirdparty` (node + npm, not instrumented code), and the
#      test tst_soak (stage 3 runs it: its RSS figures need a build without ASan's quarantine).
#   2. libFuzzer (clang 14, -fsanitize=fuzzer,address,undefined) in build-fuzz: fuzz_payload,
#      fuzz_inflater, fuzz_zstd, fuzz_client, fuzz_config, each for GATEWATCH_FUZZ_SECONDS (default 60) from the
#      committed seed corpus; any crash, leak, timeout or RSS over the limit fails.
#   3. The short soak (50 accounts, 60 s) in the regular build dir.
# Usage: scripts/test-hardening.sh [--no-asan] [--no-fuzz] [--no-soak]
# Environment: GATEWATCH_BUILD_DIR (regular build, default build), GATEWATCH_ASAN_BUILD_DIR
# (default build-asan), GATEWATCH_FUZZ_BUILD_DIR (default build-fuzz), GATEWATCH_FUZZ_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

run_asan=1 run_fuzz=1 run_soak=1
for arg in "$@"; do
    case "$arg" in
        --no-asan) run_asan=0 ;;
        --no-fuzz) run_fuzz=0 ;;
        --no-soak) run_soak=0 ;;
        *) echo "usage: $0 [--no-asan] [--no-fuzz] [--no-soak]" >&2; exit 64 ;;
    esac
done

build_dir=${GATEWATCH_BUILD_DIR:-build}
asan_dir=${GATEWATCH_ASAN_BUILD_DIR:-build-asan}
fuzz_dir=${GATEWATCH_FUZZ_BUILD_DIR:-build-fuzz}
fuzz_seconds=${GATEWATCH_FUZZ_SECONDS:-60}
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"

stage() { printf '\n=== %s (%s) ===\n' "$1" "$(date -u +%H:%M:%S)"; }
t0=$SECONDS

if [[ $run_asan == 1 ]]; then
    stage "ASan + UBSan: build ($asan_dir)"
    cmake -S . -B "$asan_dir" -G Ninja "${launcher[@]}" -DBUILD_TESTING=ON -DGATEWATCH_SANITIZE=ON \
        -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" >/dev/null
    cmake --build "$asan_dir" --parallel "$jobs"
    stage "ASan + UBSan: ctest"
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
    ./scripts/with-keyring.sh ctest --test-dir "$asan_dir" --output-on-failure --parallel "$jobs" \
        -LE '^(package|thirdparty)$' -E '^tst_soak$' --timeout 600
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
    echo "ASan stage: $((SECONDS - t0)) s"
fi

if [[ $run_fuzz == 1 ]]; then
    t1=$SECONDS
    stage "libFuzzer: build ($fuzz_dir)"
    CC=clang CXX=clang++ cmake -S . -B "$fuzz_dir" -G Ninja "${launcher[@]}" -DBUILD_TESTING=ON \
        -DGATEWATCH_SANITIZE=ON -DGATEWATCH_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    cmake --build "$fuzz_dir" --parallel "$jobs" --target fuzz_payload fuzz_inflater fuzz_zstd fuzz_client fuzz_config
    # A smaller quarantine keeps a 60 s run far below -rss_limit_mb (peak ~700 MB with the default 256 MiB).
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:quarantine_size_mb=64"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
    export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp:print_suppressions=0"
    for target in payload inflater zstd client config; do
        stage "libFuzzer: fuzz_$target for ${fuzz_seconds} s"
        work=$(mktemp -d)
        # New inputs go to a scratch corpus; the committed seeds are read-only inputs. A crash,
        # leak, -timeout (per input) or -rss_limit_mb hit writes an artifact and exits non-zero.
        if ! (cd "$work" && "$root/$fuzz_dir/tests/fuzz/fuzz_$target" -max_total_time="$fuzz_seconds" \
                -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
                -artifact_prefix="$work/" "$work" "$root/tests/fuzz/corpus/$target" 2>&1 | tail -n 40); then
            echo "fuzz_$target FAILED; artifacts in $work (copy the input to tests/fuzz/regressions/$target/)" >&2
            ls -l "$work" >&2
            exit 1
        fi
        if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* >/dev/null 2>&1; then
            echo "fuzz_$target left artifacts in $work" >&2
            exit 1
        fi
        rm -rf "$work"
    done
    unset ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS
    echo "fuzz stage: $((SECONDS - t1)) s"
fi

if [[ $run_soak == 1 ]]; then
    t2=$SECONDS
    stage "short soak (50 accounts, 60 s) in $build_dir"
    if [[ ! -x "$build_dir/tests/soak/tst_soak" ]]; then
        cmake -S . -B "$build_dir" -G Ninja "${launcher[@]}" -DBUILD_TESTING=ON >/dev/null
        cmake --build "$build_dir" --parallel "$jobs" --target tst_soak
    fi
    soak_log=$(mktemp)
    status=0
    ctest --test-dir "$build_dir" -R '^tst_soak$' --output-on-failure -V >"$soak_log" 2>&1 || status=$?
    grep -E 'SOAK (RESULT|FAULTS)|FAIL!|Totals' "$soak_log" || true
    if [[ $status != 0 ]]; then
        tail -n 80 "$soak_log" >&2
        exit "$status"
    fi
    rm -f "$soak_log"
    echo "soak stage: $((SECONDS - t2)) s"
fi
echo "hardening: all stages passed in $((SECONDS - t0)) s"
