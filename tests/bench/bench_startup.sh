#!/usr/bin/env bash
# Start-up: launch of the desktop app to the first paint of its main window with N
# accounts configured (records in the app's settings, tokens in the keychain).
#
#   tests/bench/bench_startup.sh BUILD_DIR [ACCOUNTS=20] [LAUNCHES=10] [EVENTS=0]
#
# Runs inside scripts/with-keyring.sh (a private D-Bus session with gnome-keyring, and a
# throwaway HOME so the user's settings and keychain are never touched). bench_startup_seed
# writes the N records and tokens; each launch of `gatewatch` (QT_QPA_PLATFORM=offscreen unless
# set) gets GATEWATCH_EXIT_AFTER_FIRST_PAINT=<launch time in ns>, prints
# "first-paint-ms N" at the first paint event of the main window, then "first-rows-ms N" at the
# first paint of the event log's table with rows in it, and quits. The accounts point at a
# gatewatch-sim started here, so they really connect while the window comes up. With EVENTS > 0
# the seed also fills the app's event log with that many events first (1,000,000: about a minute),
# and the RESULT keys are startup_events_* instead of startup_*.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if [[ ${1:-} != --inside ]]; then
    exec "$root/scripts/with-keyring.sh" "$0" --inside "$@"
fi
shift
build=${1:?usage: bench_startup.sh BUILD_DIR [ACCOUNTS] [LAUNCHES]}
accounts=${2:-20}
launches=${3:-10}
events=${4:-0}
key=startup
((events > 0)) && key=startup_events
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

tmp=$(mktemp -d -t gatewatch-bench-startup.XXXXXX)
"$build/app/gatewatch-sim" --accept-any-token --no-identify-limit --identify-bucket-interval 0 >"$tmp/sim.out" 2>/dev/null &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do
    [[ $(wc -l <"$tmp/sim.out") -ge 4 ]] && break
    sleep 0.1
done
gateway=$(awk '$1=="gateway"{print $2}' "$tmp/sim.out")
rest=$(awk '$1=="rest"{print $2}' "$tmp/sim.out")

"$build/tests/bench/bench_startup_seed" --count "$accounts" --gateway "$gateway" --api "$rest" --events "$events"

results=()
rows=()
for ((i = 1; i <= launches; i++)); do
    GATEWATCH_EXIT_AFTER_FIRST_PAINT=$(date +%s%N) "$build/app/gatewatch" >"$tmp/gw.out" 2>"$tmp/gw.err" || true
    ms=$(awk '$1=="first-paint-ms"{print $2}' "$tmp/gw.out")
    if [[ -z $ms ]]; then
        echo "launch $i: no first paint reported" >&2
        tail -5 "$tmp/gw.err" >&2
        continue
    fi
    shown=$(awk '$1=="first-rows-ms"{print $2}' "$tmp/gw.out")
    echo "launch $i: first paint after $ms ms, event log rows painted after ${shown:-?} ms ($(awk '$1=="first-rows-ms"{print $3}' "$tmp/gw.out" | tr -d "(") rows)"
    results+=("$ms")
    [[ $shown =~ ^[0-9.]+$ ]] && rows+=("$shown")
done
((${#results[@]})) || exit 1
stats() {  # stats LABEL KEY VALUES...: the line and the RESULTs of one series
    local label=$1 k=$2
    shift 2
    local sorted n median
    sorted=$(printf '%s\n' "$@" | sort -g)
    n=$#
    median=$(echo "$sorted" | sed -n "$(((n + 1) / 2))p")
    echo "launch -> $label with $accounts accounts, $events stored events: first $1 ms, median $median ms, min $(echo "$sorted" | head -1) ms, max $(echo "$sorted" | tail -1) ms over $n launches"
    echo "RESULT ${key}_${k}_median_ms $median ms"
    echo "RESULT ${key}_${k}_max_ms $(echo "$sorted" | tail -1) ms"
    echo "RESULT ${key}_${k}_first_ms $1 ms"
}
stats "first paint" first_paint "${results[@]}"
((${#rows[@]})) && stats "event log rows painted" first_rows "${rows[@]}"
exit 0
