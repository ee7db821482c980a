#!/usr/bin/env bash
# Sessions: N accounts in ONE headless `gatewatch` process against `gatewatch-sim` in
# another (plain ws:// on loopback, default heartbeat interval 41.25 s), all reaching ready.
#
#   tests/bench/bench_sessions.sh [--tls] [--compress zlib-stream|zstd-stream|none] BUILD_DIR [SESSIONS=1000] [IDLE_SECONDS=90]
#
# --tls: the simulator serves wss:// and https:// with the loopback test certificate
# (tests/common/certs) and gatewatch trusts it with --ca-file. --compress: every account's
# "compress" (default zlib-stream). The RESULT keys name the mode (…_ws_zlib, …_wss_none, …);
# the default ws:// + zlib-stream run also prints the unsuffixed keys scripts/bench.sh reads.
#
# RSS per session = (VmRSS with N sessions − VmRSS with 1 session) ÷ (N − 1), both read from
# /proc/PID/status of the headless process a few seconds after every session is ready (the
# headless config needs at least one account, so "RSS at 0" is the 1-session process).
# Idle CPU = (utime + stime) of the headless process over IDLE_SECONDS while all N sessions only
# heartbeat. The simulator accepts any token (--accept-any-token): N tokens = N applications,
# each with its own identify bucket, so they identify in parallel. Tokens travel in environment
# variables (token_env), never in the config file.
set -euo pipefail

usage="usage: bench_sessions.sh [--tls] [--compress zlib-stream|zstd-stream|none] BUILD_DIR [SESSIONS] [IDLE_SECONDS]"
tls=0
compress=zlib-stream
positional=()
while (($#)); do
    case $1 in
    --tls) tls=1 ;;
    --compress)
        compress=${2:?$usage}
        shift
        ;;
    --*)
        echo "$usage" >&2
        exit 2
        ;;
    *) positional+=("$1") ;;
    esac
    shift
done
case $compress in
zlib-stream) ckey=zlib ;;
zstd-stream) ckey=zstd ;;
none) ckey=none ;;
*)
    echo "$usage" >&2
    exit 2
    ;;
esac
build=${positional[0]:?$usage}
sessions=${positional[1]:-1000}
idle=${positional[2]:-90}
certs=$(cd "$(dirname "$0")/../common/certs" && pwd)
sim_tls=()
gw_tls=()
curl_tls=()
scheme=ws
if ((tls)); then
    scheme=wss
    sim_tls=(--tls-cert "$certs/loopback-test.crt" --tls-key "$certs/loopback-test.key")
    gw_tls=(--ca-file "$certs/loopback-test.crt")
    curl_tls=(--cacert "$certs/loopback-test.crt")
fi
mode=${scheme}_$ckey
gw=$build/app/gatewatch
simbin=$build/app/gatewatch-sim
tck=$(getconf CLK_TCK)

# One socket per session in each process (plus REST): make sure the fd limit is not the limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 2>/dev/null || true

tmp=$(mktemp -d -t gatewatch-bench-sessions.XXXXXX)
# The headless client keeps resume state under XDG_STATE_HOME: a run of its own, so it never
# resumes a session of an earlier run (at a simulator long gone) nor touches the user's file.
export XDG_STATE_HOME=$tmp/state
sim_pid=""
gw_pid=""
cleanup() {
    [[ -n $gw_pid ]] && kill "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null
    [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

start_sim() {
    "$simbin" --accept-any-token --no-identify-limit --identify-bucket-interval 0 "${sim_tls[@]}" \
        >"$tmp/sim.out" 2>/dev/null &
    sim_pid=$!
    for _ in $(seq 300); do
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
    curl -s "${curl_tls[@]}" "$control/status" | jq -r '.live_sessions // 0'
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
            printf '{"name": "bot-%04d", "token_env": "GW_BENCH_TOKEN_%d", "compress": "%s"}' "$i" "$i" "$compress"
        done
        printf ']}\n'
    } >"$tmp/config.json"
    for ((i = 0; i < count; i++)); do
        export "GW_BENCH_TOKEN_$i=bench-session-token-$i"
    done
    local t0
    t0=$(date +%s.%N)
    QT_LOGGING_RULES='*.debug=false;*.info=false' \
        "$gw" --headless --config "$tmp/config.json" --gateway-url "$gateway" --api-base "$rest" "${gw_tls[@]}" \
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
mode:                      $scheme:// compress $compress
sessions ready:            $live_n of $sessions (sim live sessions), READY lines: $ready_lines, all ready after ${ready_n} s
sessions still live after idle: $live_after
RSS with 1 session:        $rss1 KiB
RSS with $sessions sessions:    $rssn KiB (peak $hwmn KiB, $fds open fds)
RSS per session:           $per_session KiB
idle CPU over ${idle} s:       $((ticks1 - ticks0)) ticks of 1/$tck s = ${idle_pct} % of one core
EOF
suffixes=("_$mode")
[[ $mode == ws_zlib ]] && suffixes=("" "_$mode")
for sfx in "${suffixes[@]}"; do
    echo "RESULT sessions_ready$sfx $live_n sessions"
    echo "RESULT sessions_rss_per_session_kib$sfx $per_session KiB"
    echo "RESULT sessions_idle_cpu_percent$sfx $idle_pct %"
    echo "RESULT sessions_time_to_ready_s$sfx $ready_n s"
done
