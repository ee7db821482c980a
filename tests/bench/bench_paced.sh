#!/usr/bin/env bash
# Paced arrival: client CPU per event when each gateway payload arrives on its own (its own
# WebSocket frame and socket write, as a real gateway sends them), for headless `gatewatch` and
# for the peer, @discordjs/ws (tests/bench/peer/discordjs_peer.js), against the same
# `gatewatch-sim` and the same ~330-byte MESSAGE_CREATE payloads, in one run.
#
#   tests/bench/bench_paced.sh BUILD_DIR [--seconds S] [--min-events N] [--rates 2000,10000,50000]
#       [--burst N] [--compress zlib-stream,zstd-stream,none] [--transports ws,wss]
#       [--idle-sessions N] [--idle-repeat K] [--only paced,idle[,profile]] [--no-peer]
#
# paced: for each transport, compression and rate, a Flood of N = max(min-events, rate × S)
#   MESSAGE_CREATEs (POST /control/fault, `rate` per second; "burst": N back to back) on the
#   client's session. CPU per event = delta(CPU time of every thread of the client process,
#   /proc/PID/task/*/schedstat, ns) from just before the flood to when the client has counted N
#   (ours: gatewatch_dispatches_total{kind="live"} on --metrics-listen; the peer: its "counted"
#   line), ÷ N. Delivered rate = N ÷ that wall time (until the last one arrived, by the client's clock). The peer (2.0.4) has no
#   zstd-stream: that row is ours only. Defaults: S 5, min-events 20000, burst 100000.
# idle: RSS per idle session of the peer with N sessions (default 200), N bots in one process,
#   = (VmRSS with N − VmRSS with 1) ÷ (N − 1), as tests/bench/bench_sessions.sh measures ours;
#   and ours through bench_sessions.sh at the same N, so both ratios come from one run. One RSS
#   sample per process is noisy (heap growth comes in steps): --idle-repeat K measures K times
#   and reports the medians.
# profile (not in the default --only): zlib-stream at each rate with `strace -f -c` attached to
#   the simulator (its writes: one per message when paced?) and to each client (syscalls per
#   event); strace slows the traced process, so these runs give counts, not CPU figures.
# wss needs `gatewatch-sim --tls-cert/--tls-key` (and `gatewatch --ca-file`); without them the wss
# parts print "SKIP wss: simulator has no TLS". Tokens travel in environment variables only.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:?usage: bench_paced.sh BUILD_DIR [options]}" && pwd)
shift
seconds=5 min_events=20000 rates=2000,10000,50000 burst=100000
compressions=zlib-stream,zstd-stream,none transports=ws,wss idle_sessions=200 idle_repeat=1 only=paced,idle peer=1
while (($#)); do
    case $1 in
    --seconds) seconds=$2; shift ;;
    --min-events) min_events=$2; shift ;;
    --rates) rates=$2; shift ;;
    --burst) burst=$2; shift ;;
    --compress) compressions=$2; shift ;;
    --transports) transports=$2; shift ;;
    --idle-sessions) idle_sessions=$2; shift ;;
    --idle-repeat) idle_repeat=$2; shift ;;
    --only) only=$2; shift ;;
    --no-peer) peer=0 ;;
    *) echo "bench_paced.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
gw=$build/app/gatewatch
simbin=$build/app/gatewatch-sim
peer_js=$root/tests/bench/peer/discordjs_peer.js
cert=$root/tests/common/certs/loopback-test.crt
key=$root/tests/common/certs/loopback-test.key
payload_bytes=330
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 2>/dev/null || true

tmp=$(mktemp -d -t gatewatch-bench-paced.XXXXXX)
# The headless client keeps resume state under XDG_STATE_HOME: a run of its own, so it never
# resumes a session of an earlier run (at a simulator long gone) nor touches the user's file.
export XDG_STATE_HOME=$tmp/state
sim_pid="" gw_pid="" peer_pid="" curl_tls=()
stop_pid() {  # stop_pid PID: TERM and reap (the peer also ends when its stdin closes)
    if [[ -n $1 ]] && kill -TERM "$1" 2>/dev/null; then
        wait "$1" 2>/dev/null || true
    fi
}
cleanup() {
    exec 3>&- 2>/dev/null || true
    stop_pid "$peer_pid"; stop_pid "$gw_pid"; stop_pid "$sim_pid"
    rm -rf "$tmp"
}
trap cleanup EXIT

has() { [[ ",$2," == *",$1,"* ]]; }
rand() { head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
# CPU time of every thread of PID in ns (the scheduler's own count; utime + stime in /proc/PID/stat
# come in 10 ms ticks, too coarse for a few µs per event). The clients' threads live as long as
# they do, so no thread's time is lost between two samples.
proc_cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{s += $1} END {printf "%.0f\n", s}'; }  # %d stops at 2^31 in mawk
proc_kib() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
now() { date +%s.%N; }
calc() { echo "scale=${2:-2}; $1" | bc; }

# --- what this build can do --------------------------------------------------------------------
tls=0 no_tls="simulator has no TLS"
if "$simbin" --help 2>&1 | grep -q -- --tls-cert; then
    no_tls="gatewatch has no --ca-file"
    QT_QPA_PLATFORM=offscreen "$gw" --help 2>&1 | grep -q -- --ca-file && tls=1
fi
node_modules=""
if ((peer)); then
    rc=0
    node_modules=$(bash "$root/tests/thirdparty/npm_deps.sh" "$root/tests/thirdparty" "$build/tests/thirdparty") || rc=$?
    if ((rc != 0)); then
        echo "SKIP peer: @discordjs/ws not available (npm_deps.sh exit $rc)"
        peer=0
    else
        echo "peer: @discordjs/ws $(node -p "require('$node_modules/@discordjs/ws/package.json').version") on Node $(node --version)," \
            "zlib-stream = CompressionMethod.ZlibNative (node:zlib)"
    fi
fi

# start_sim TRANSPORT [extra options]: sets sim_pid, gateway, rest, control.
start_sim() {
    local transport=$1
    shift
    local tls_opts=()
    curl_tls=()
    if [[ $transport == wss ]]; then
        tls_opts=(--tls-cert "$cert" --tls-key "$key")
        curl_tls=(--cacert "$cert")  # REST and control are https:// too
    fi
    "$simbin" --accept-any-token --no-identify-limit --no-rate-limit --identify-bucket-interval 0 \
        --dispatch-bytes "$payload_bytes" "${tls_opts[@]}" "$@" >"$tmp/sim.out" 2>"$tmp/sim.err" &
    sim_pid=$!
    for _ in $(seq 100); do
        [[ $(wc -l 2>/dev/null <"$tmp/sim.out" || echo 0) -ge 4 ]] && break
        sleep 0.1
    done
    gateway=$(awk '$1=="gateway"{print $2}' "$tmp/sim.out")
    rest=$(awk '$1=="rest"{print $2}' "$tmp/sim.out")
    control=$(awk '$1=="control"{print $2}' "$tmp/sim.out")
    [[ -n $control ]] || { echo "gatewatch-sim did not start:" >&2; cat "$tmp/sim.err" >&2; exit 1; }
}
stop_sim() { stop_pid "$sim_pid"; sim_pid=""; }

add_bot() {  # add_bot NAME TOKEN: the token goes in the request body, never on a command line
    printf '{"name":"%s","token":"%s"}' "$1" "$2" |
        curl -sf "${curl_tls[@]}" -X POST "$control/bots" -H 'Content-Type: application/json' --data-binary @- >/dev/null
}
session_open() {  # session_open BOT: 0 when BOT has an open, identified connection
    curl -s "${curl_tls[@]}" "$control/connections" |
        jq -e --arg b "$1" '[.[] | select(.bot == $b and .open and .session_id != null)] | length > 0' >/dev/null
}
flood() {  # flood BOT COUNT RATE
    curl -sf "${curl_tls[@]}" -X POST "$control/fault" -d "{\"bot\":\"$1\",\"kind\":\"Flood\",\"count\":$2,\"rate\":$3}" >/dev/null
}

# start_ours COMPRESS: headless gatewatch, one account "ours"; sets gw_pid, metrics.
start_ours() {
    local token="paced-ours-$(rand)" ca=()
    add_bot ours "$token"
    [[ $gateway == wss://* ]] && ca=(--ca-file "$cert")
    printf '{"accounts": [{"name": "ours", "token_env": "GW_PACED_TOKEN", "compress": "%s"}]}\n' "$1" >"$tmp/config.json"
    GW_PACED_TOKEN=$token QT_LOGGING_RULES='*.debug=false;*.info=false' \
        "$gw" --headless --config "$tmp/config.json" --gateway-url "$gateway" --api-base "$rest" "${ca[@]}" \
        --metrics-listen 127.0.0.1:0 >"$tmp/headless.jsonl" 2>"$tmp/headless.err" &
    gw_pid=$!
    for _ in $(seq 300); do
        session_open ours && break
        kill -0 "$gw_pid" 2>/dev/null || { echo "gatewatch exited early:" >&2; tail "$tmp/headless.err" >&2; exit 1; }
        sleep 0.1
    done
    metrics=http://127.0.0.1:$(jq -r 'select(.kind=="monitor_started" and .account==null) | .metrics_port' "$tmp/headless.jsonl" | head -1)/metrics
}
ours_last_dispatch() {  # the client's own time of its last dispatch (the counter itself lags up to 1 s)
    curl -s "$metrics" | awk '/^gatewatch_last_dispatch_timestamp_seconds\{/ && /account="ours"/{v = $2} END{printf "%.3f\n", v}'
}
ours_count() {
    curl -s "$metrics" | awk '/^gatewatch_dispatches_total\{/ && /account="ours"/ && /kind="live"/{v = $2} END{printf "%d\n", v}'
}

# start_peer COMPRESS: the peer in paced mode, commands on fd 3; sets peer_pid.
start_peer() {
    local token="paced-peer-$(rand)"
    add_bot peer "$token"
    rm -f "$tmp/peer.in"
    mkfifo "$tmp/peer.in"
    PEER_TOKEN=$token PEER_COMPRESS=$1 SIM_REST=$rest NODE_EXTRA_CA_CERTS=$cert NODE_PATH=$node_modules \
        node "$peer_js" paced <"$tmp/peer.in" >"$tmp/peer.out" 2>"$tmp/peer.err" &
    peer_pid=$!
    exec 3>"$tmp/peer.in"
    for _ in $(seq 300); do
        grep -q '^ready' "$tmp/peer.out" 2>/dev/null && break
        kill -0 "$peer_pid" 2>/dev/null || { echo "peer exited early:" >&2; tail "$tmp/peer.err" >&2; exit 1; }
        sleep 0.1
    done
}
stop_peer() { exec 3>&-; stop_pid "$peer_pid"; peer_pid=""; }

# With trace=PID set, measure() runs `strace -f -c` on PID during the flood (summary in $tmp/strace.txt).
trace="" trace_filter="" strace_pid=""
trace_start() {
    [[ -z $trace ]] && return
    local opts=(-c)  # a summary; with a filter, every call (the simulator's writes: which fd)
    [[ -n $trace_filter ]] && opts=(-e "trace=$trace_filter" -s 8)
    strace -f "${opts[@]}" -o "$tmp/strace.txt" -p "$trace" 2>/dev/null &
    strace_pid=$!
    sleep 1  # attaching to every thread takes a moment
}
trace_stop() {
    [[ -z $strace_pid ]] && return
    kill -INT "$strace_pid" 2>/dev/null || true
    wait "$strace_pid" 2>/dev/null || true
    strace_pid=""
}

# measure CLIENT PID COUNT RATE: one flood on CLIENT's session; sets us_per_event, delivered.
measure() {
    local client=$1 pid=$2 count=$3 rate=$4 base="" counted=0 t0 t1 k0 k1 limit
    # CPU until the client has counted COUNT (ours: the counter, up to 1 s late, then idle); wall
    # time until the client's own clock says the last one arrived (ours: the last-dispatch gauge).
    [[ $client == ours ]] && base=$(ours_count)
    local lines0
    lines0=$(grep -c '^counted' "$tmp/peer.out" 2>/dev/null || true)
    [[ $client == peer ]] && echo "expect $count" >&3
    limit=$((rate > 0 ? 60 + 4 * count / rate : 120))
    trace_start
    k0=$(proc_cpu_ns "$pid")
    t0=$(now)
    flood "$client" "$count" "$rate"
    # Sleep through most of a paced flood: polling costs the client CPU too (a /metrics scrape).
    ((rate > 0)) && sleep "$(calc "0.9 * $count / $rate" 3)"
    for _ in $(seq $((limit * 10))); do
        if [[ $client == ours ]]; then
            (($(ours_count) - base >= count)) && { counted=1; break; }
        else
            (($(grep -c '^counted' "$tmp/peer.out" || true) > lines0)) && { counted=1; break; }
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    k1=$(proc_cpu_ns "$pid" 2>/dev/null || echo "$k0")
    trace_stop
    if [[ $client == ours ]]; then
        t1=$(ours_last_dispatch)
    else
        t1=$(awk '/^counted/{t = $3} END{print t}' "$tmp/peer.out")
    fi
    if ((!counted)); then
        echo "  $client: did not count $count events within ${limit} s" >&2
        us_per_event="" delivered=""
        return
    fi
    us_per_event=$(calc "($k1 - $k0) / 1000 / $count" 2)
    delivered=$(calc "$count / ($t1 - $t0)" 0)
}

declare -A res
report() {  # report KEY VALUE UNIT
    [[ -z $2 ]] && return
    res[$1]=$2
    echo "RESULT $1 $2 $3"
}
label_rate() { ((${1} == 0)) && echo burst || echo "$((${1} / 1000))k"; }
shown_rate() { ((${1} == 0)) && echo "back to back" || echo "$((${1} / 1000))k/s"; }
label_comp() { echo "${1%%-stream}"; }

# paced_run TRANSPORT COMPRESS: both clients on one simulator, every rate, ours then the peer.
paced_run() {
    local transport=$1 comp=$2 prefix=paced
    [[ $transport == wss ]] && prefix=paced_wss
    start_sim "$transport"
    start_ours "$comp"
    local with_peer=$peer
    [[ $comp == zstd-stream ]] && with_peer=0
    ((with_peer)) && start_peer "$comp"
    local rate n
    for rate in ${rates//,/ } 0; do
        n=$((rate > 0 ? rate * seconds : burst))
        ((n < min_events)) && n=$min_events
        for client in ours peer; do
            [[ $client == peer ]] && ((!with_peer)) && continue
            local pid=$gw_pid
            [[ $client == peer ]] && pid=$peer_pid
            measure "$client" "$pid" "$n" "$rate"
            local key="${prefix}_${client}_$(label_comp "$comp")_$(label_rate "$rate")"
            printf '%-4s %-4s %-12s %12s %7d events: %8s us/event, delivered %8s ev/s\n' "$transport" "$client" \
                "$comp" "$(shown_rate "$rate")" "$n" "${us_per_event:--}" "${delivered:--}"
            report "${key}_us_per_event" "$us_per_event" us
            report "${key}_delivered_per_s" "$delivered" ev/s
        done
    done
    ((with_peer)) && stop_peer
    stop_pid "$gw_pid"; gw_pid=""
    stop_sim
}

# profile_run: zlib-stream over ws, each paced rate; strace on the simulator's writes, then on
# each client. Prints the syscalls per event and the strace summaries.
profile_run() {
    start_sim ws
    start_ours zlib-stream
    ((peer)) && start_peer zlib-stream
    local rate n client target
    for rate in ${rates//,/ }; do
        n=$((rate * seconds))
        ((n < min_events)) && n=$min_events
        for target in sim ours peer; do
            [[ $target == peer ]] && ((!peer)) && continue
            client=$target
            [[ $target == sim ]] && client=ours
            local pid=$gw_pid
            [[ $client == peer ]] && pid=$peer_pid
            trace=$pid trace_filter=""
            [[ $target == sim ]] && trace=$sim_pid trace_filter=write,writev,sendto,sendmsg
            measure "$client" "$pid" "$n" "$rate"
            trace=""
            local calls wakes
            if [[ $target == sim ]]; then
                # Qt's own wake-ups are 8-byte writes to its eventfd; the rest go to sockets.
                wakes=$(grep -c '"\\1\\0\\0\\0\\0\\0\\0\\0"\.*, 8) *= 8$' "$tmp/strace.txt" || true)
                calls=$(($(grep -cE '(write|writev|sendto|sendmsg)\(' "$tmp/strace.txt" || true) - wakes))
                echo "--- strace -f of the simulator during $n events to ours at $(shown_rate "$rate"):" \
                    "$calls socket writes ($(calc "$calls / $n" 2) per message), $wakes eventfd wake-ups"
                report "profile_sim_$(label_rate "$rate")_socket_writes_per_message" "$(calc "$calls / $n" 2)" writes
                continue
            fi
            calls=$(awk '$NF=="total"{print $4}' "$tmp/strace.txt")
            echo "--- strace -f -c of $target during $n events at $(shown_rate "$rate"): $calls calls," \
                "$(calc "${calls:-0} / $n" 2) per event"
            head -n 12 "$tmp/strace.txt"
            report "profile_${target}_$(label_rate "$rate")_syscalls_per_event" "$(calc "${calls:-0} / $n" 2)" calls
        done
    done
    ((peer)) && stop_peer
    stop_pid "$gw_pid"; gw_pid=""
    stop_sim
}

ratio() {  # ratio KEY NUMERATOR-KEY DENOMINATOR-KEY
    local a=${res[$2]:-} b=${res[$3]:-}
    [[ -n $a && -n $b ]] && (($(echo "$b > 0" | bc))) && report "$1" "$(calc "$a / $b" 2)" x
    return 0
}

paced_ratios() {
    local prefix=$1 rate r
    for rate in ${rates//,/ } 0; do
        r=$(label_rate "$rate")
        ratio "${prefix}_ratio_peer_over_ours_zlib_$r" "${prefix}_peer_zlib_${r}_us_per_event" "${prefix}_ours_zlib_${r}_us_per_event"
        ratio "${prefix}_ratio_peer_over_ours_none_$r" "${prefix}_peer_none_${r}_us_per_event" "${prefix}_ours_none_${r}_us_per_event"
        ratio "${prefix}_ratio_zlib_over_zstd_$r" "${prefix}_ours_zlib_${r}_us_per_event" "${prefix}_ours_zstd_${r}_us_per_event"
    done
}

# peer_idle TRANSPORT COUNT: sets idle_rss (KiB) of the peer with COUNT idle sessions.
peer_idle() {
    start_sim "$1"
    PEER_TOKEN_PREFIX="idle-peer-$(rand)-" PEER_COMPRESS=zlib-stream SIM_REST=$rest NODE_EXTRA_CA_CERTS=$cert \
        NODE_PATH=$node_modules node "$peer_js" idle "$2" >"$tmp/idle.out" 2>"$tmp/idle.err" &
    peer_pid=$!
    for _ in $(seq 1800); do
        grep -q '^ready' "$tmp/idle.out" 2>/dev/null && break
        kill -0 "$peer_pid" 2>/dev/null || { echo "peer exited early:" >&2; tail "$tmp/idle.err" >&2; exit 1; }
        sleep 0.1
    done
    sleep 5
    idle_rss=$(proc_kib "$peer_pid" VmRSS)
    local live
    live=$(curl -s "${curl_tls[@]}" "$control/status" | jq -r '.live_sessions // 0')
    echo "  peer $1: $2 bots, $live live sessions, VmRSS $idle_rss KiB"
    stop_pid "$peer_pid"; peer_pid=""
    stop_sim
}

median() {  # median VALUE...: empty when no value
    printf '%s\n' "$@" | awk 'NF' | sort -g | awk '{a[NR] = $1} END{if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'
}

# idle_once TRANSPORT: one measurement of each process; appends to the arrays of idle_run.
idle_once() {
    local transport=$1 tls_opt=()
    if ((peer)); then
        peer_idle "$transport" 1
        local rss1=$idle_rss
        peer_idle "$transport" "$idle_sessions"
        peer_1+=("$rss1")
        peer_per+=("$(calc "($idle_rss - $rss1) / ($idle_sessions - 1)" 2)")
    fi
    if [[ $transport == wss ]]; then
        grep -q -- '--tls' "$root/tests/bench/bench_sessions.sh" || { echo "SKIP ours wss: bench_sessions.sh has no --tls"; return; }
        tls_opt=(--tls)
    fi
    "$root/tests/bench/bench_sessions.sh" "${tls_opt[@]}" "$build" "$idle_sessions" 1 >"$tmp/sessions.log" 2>&1 ||
        { echo "bench_sessions.sh failed:" >&2; tail "$tmp/sessions.log" >&2; return; }
    ours_1+=("$(awk '/^RSS with 1 session:/{print $5}' "$tmp/sessions.log")")
    ours_per+=("$(awk '$1=="RESULT" && $2 ~ /^sessions_rss_per_session_kib/{v = $3} END{print v}' "$tmp/sessions.log")")
    echo "  ours $transport: $idle_sessions sessions, RSS with 1 ${ours_1[-1]} KiB, per session ${ours_per[-1]} KiB"
}

# idle_run TRANSPORT: idle_once `idle_repeat` times; the RESULTs are the medians.
idle_run() {
    local suffix=$1 i
    peer_1=() peer_per=() ours_1=() ours_per=()
    for ((i = 0; i < idle_repeat; i++)); do
        idle_once "$1"
    done
    report "idle_peer_rss_1_session_${suffix}_kib" "$(median "${peer_1[@]}")" KiB
    report "idle_peer_rss_per_session_${suffix}_kib" "$(median "${peer_per[@]}")" KiB
    report "idle_ours_rss_1_session_${suffix}_kib" "$(median "${ours_1[@]}")" KiB
    report "idle_ours_rss_per_session_${suffix}_kib" "$(median "${ours_per[@]}")" KiB
    ratio "idle_ratio_peer_over_ours_rss_per_session_$suffix" "idle_peer_rss_per_session_${suffix}_kib" \
        "idle_ours_rss_per_session_${suffix}_kib"
    ratio "idle_ratio_peer_over_ours_rss_1_session_$suffix" "idle_peer_rss_1_session_${suffix}_kib" \
        "idle_ours_rss_1_session_${suffix}_kib"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs; payloads ~$payload_bytes bytes"
for transport in ${transports//,/ }; do
    if [[ $transport == wss ]] && ((!tls)); then
        echo "SKIP wss: $no_tls"
        continue
    fi
    if has paced "$only"; then
        for comp in ${compressions//,/ }; do
            paced_run "$transport" "$comp"
        done
        paced_ratios "$([[ $transport == wss ]] && echo paced_wss || echo paced)"
    fi
    has idle "$only" && idle_run "$transport"
done
has profile "$only" && profile_run
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
