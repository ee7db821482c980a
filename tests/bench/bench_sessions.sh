#!/usr/bin/env bash
# Sessions: N accounts in ONE headless `gatewatch` process against `gatewatch-sim` in
# another (plain ws:// on loopback, default heartbeat interval 41.25 s), all reaching ready.
#
#   tests/bench/bench_sessions.sh BUILD_DIR [SESSIONS=1000] [IDLE_SECONDS=90]
#
# RSS per session = (VmRSS with N sessions − VmRSS with 1 session) ÷ (N − 1), both read from
# /proc/PID/status of the headless process a few seconds after every session is ready (the
# headless config needs at least one account, so "RSS at 0" is the 1-session process).
# Idle CPU = (utime + stime) of the headless process over IDLE_SECONDS while all N sessions only
# heartbeat. The simulator accepts any token (--accept-any-token): N tokens = N applications,
# each with its own identify bucket, so they identify in parallel. Tokens travel in environment
# variables (token_env), never in the config file.
set -euo pipefail

build=${1:?usage: bench_sessions.sh BUILD_DIR [SESSIONS] [IDLE_SECONDS]}
sessions=${2:-1000}
idle=${3:-90}
gw=$build/app/gatewatch
simbin=$build/app/gatewatch-sim
tck=$(getconf CLK_TCK)

# One socket per session in each process (plus REST): make sure the fd limit is not the limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 2>/dev/null || true

tmp=$(mktemp -d -t gatewatch-bench-sessions.XXXXXX)
sim_pid=""
gw_pid=""
cleanup() {
    [[ -n $gw_pid ]] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
    [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

start_sim() {
    "$simbin" --accept-any-token --no-identify-limit --identify-bucket-interval 0 >"$tmp/sim.out" 2>/dev/null &
    sim_pid=$!
    for _ in $(seq 100); do
        [[ $(wc -l <"$tmp/sim.out") -ge 4 ]] && break
        sleep 0.1
    done
    gateway=$(awk '$1=="gateway"{print $2}' "$tmp/sim.out")
    rest=$(awk '$1=="rest"{print $2}' "$tmp/sim.out")
    control=$(awk '$1=="control"{print $2}' "$tmp/sim.out")
}

stop_sim() {
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
    sim_pid=""
}

live_sessions() {
    curl -s "$control/status" | jq -r '.live_sessions // 0'
}

proc_kib() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_headless COUNT: starts the headless process with COUNT accounts; sets gw_pid, ready_s.
run_headless() {
    local count=$1
    {
        printf '{"accounts": ['
        for ((i = 0; i < count; i++)); do
            ((i > 0)) && printf ','
            printf '{"name": "bot-%04d", "token_env": "GW_BENCH_TOKEN_%d"}' "$i" "$i"
        done
        printf ']}\n'
    } >"$tmp/config.json"
    for ((i = 0; i < count; i++)); do
        export "GW_BENCH_TOKEN_$i=bench-session-token-$i"
    done
    local t0
    t0=$(date +%s.%N)
    QT_LOGGING_RULES='*.debug=false;*.info=false' \
        "$gw" --headless --config "$tmp/config.json" --gateway-url "$gateway" --api-base "$rest" \
        >"$tmp/headless.jsonl" 2>"$tmp/headless.err" &
    gw_pid=$!
    for _ in $(seq 1800); do
        [[ $(live_sessions) -ge $count ]] && break
        kill -0 "$gw_pid" 2>/dev/null || { echo "gatewatch exited early:" >&2; tail "$tmp/headless.err" >&2; exit 1; }
        sleep 0.1
    done
    ready_s=$(echo "$(date +%s.%N) - $t0" | bc)
    live=$(live_sessions)
    for ((i = 0; i < count; i++)); do unset "GW_BENCH_TOKEN_$i"; done
}

stop_headless() {
    kill -TERM "$gw_pid" 2>/dev/null || true
    wait "$gw_pid" 2>/dev/null || true
    gw_pid=""
}

# --- baseline: one session ----------------------------------------------------------------
start_sim
run_headless 1
sleep 5
rss1=$(proc_kib "$gw_pid" VmRSS)
stop_headless
stop_sim

# --- N sessions ---------------------------------------------------------------------------
start_sim
run_headless "$sessions"
live_n=$live
ready_n=$ready_s
sleep 5
rssn=$(proc_kib "$gw_pid" VmRSS)
hwmn=$(proc_kib "$gw_pid" VmHWM)
fds=$(ls "/proc/$gw_pid/fd" | wc -l)
ready_lines=$(grep -c '"kind":"ready"' "$tmp/headless.jsonl" || true)
ticks0=$(proc_ticks "$gw_pid")
sleep "$idle"
ticks1=$(proc_ticks "$gw_pid")
live_after=$(live_sessions)
stop_headless
stop_sim

per_session=$(echo "scale=2; ($rssn - $rss1) / ($sessions - 1)" | bc)
idle_pct=$(echo "scale=3; 100 * ($ticks1 - $ticks0) / $tck / $idle" | bc)
cat <<EOF
sessions ready:            $live_n of $sessions (sim live sessions), READY lines: $ready_lines, all ready after ${ready_n} s
sessions still live after idle: $live_after
RSS with 1 session:        $rss1 KiB
RSS with $sessions sessions:    $rssn KiB (peak $hwmn KiB, $fds open fds)
RSS per session:           $per_session KiB
idle CPU over ${idle} s:       $((ticks1 - ticks0)) ticks of 1/$tck s = ${idle_pct} % of one core
EOF
echo "RESULT sessions_ready $live_n sessions"
echo "RESULT sessions_rss_per_session_kib $per_session KiB"
echo "RESULT sessions_idle_cpu_percent $idle_pct %"
echo "RESULT sessions_time_to_ready_s $ready_n s"
