#!/usr/bin/env bash
# scripts/bench.sh — builds Gatewatch in Release and runs every benchmark, then prints one
# summary table (figure, measured, target, pass/fail). Not part of the test command (minutes,
# not seconds). Every figure and its reproduction command: docs/performance.md.
#
#   scripts/bench.sh [--quick] [--only paced,peer,sessions,throughput,callgrind,detection,ui,store,startup]
#
#   paced     the headline: client CPU per event at paced arrival (each payload its own frame and
#             write), ours beside @discordjs/ws in one run (tests/bench/bench_paced.sh)
#   peer      RSS per idle session, the peer beside ours at the same count, median of 3
#             (bench_paced.sh --only idle --idle-repeat 3)
#   --quick   shorter runs (100 sessions, 20 s idle, 50k events, 200k store rows, …): a smoke
#             run of the whole pipeline, NOT the documented figures.
# Environment: GATEWATCH_BENCH_BUILD (default build-bench), GATEWATCH_BENCH_OUT (logs; default
# a temp dir that is kept and printed).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${GATEWATCH_BENCH_BUILD:-$root/build-bench}
out=${GATEWATCH_BENCH_OUT:-$(mktemp -d -t gatewatch-bench.XXXXXX)}
mkdir -p "$out"
quick=0
only="paced,peer,sessions,throughput,callgrind,detection,ui,store,startup"
while (($#)); do
    case $1 in
    --quick) quick=1 ;;
    --only) only=$2; shift ;;
    -h | --help) sed -n 2,16p "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
wants() { [[ ",$only," == *",$1,"* ]]; }

if ((quick)); then
    paced_opts=(--seconds 2 --min-events 5000 --burst 20000) peer_sessions=50 peer_opts=()
    sessions=100 idle=20 events=50000 cg_events=5000 det_runs=50 ui_seconds=10 store_rows=200000
else
    paced_opts=() peer_sessions=200 peer_opts=(--idle-repeat 3)
    sessions=1000 idle=90 events=200000 cg_events=20000 det_runs=60 ui_seconds=20 store_rows=1000000
fi

# --- build ----------------------------------------------------------------------------------
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >"$out/configure.log"
cmake --build "$build" --parallel "$(nproc)" --target gatewatch gatewatch-sim bench_eventlog bench_throughput \
    bench_detection bench_uistall bench_startup_seed bench_storeui >"$out/build.log" || {
    tail -30 "$out/build.log" >&2
    exit 1
}
bench=$build/tests/bench

# --- machine ----------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)
mem=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
{
    echo "machine: $cpu, $(nproc) logical CPUs, $mem RAM, $(uname -sr)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')"
} | tee "$out/machine.txt"

export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}
export QT_LOGGING_RULES=${QT_LOGGING_RULES:-'*.debug=false;*.info=false'}

run() {  # run NAME COMMAND...: output in $out/NAME.log, shown as it comes
    local name=$1
    shift
    echo
    echo "=== $name: $*"
    "$@" 2>&1 | tee "$out/$name.log" || echo "($name exited with an error; see $out/$name.log)"
}
value() {  # value NAME KEY: the RESULT line's value
    awk -v k="$2" '$1=="RESULT" && $2==k{print $3}' "$out/$1.log" 2>/dev/null | tail -1
}

wants paced && run paced "$root/tests/bench/bench_paced.sh" "$build" --only paced "${paced_opts[@]}"
wants peer && run peer "$root/tests/bench/bench_paced.sh" "$build" --only idle --idle-sessions "$peer_sessions" "${peer_opts[@]}"
wants sessions && run sessions "$root/tests/bench/bench_sessions.sh" "$build" "$sessions" "$idle"
if wants throughput; then
    run throughput "$bench/bench_throughput" --events "$events" --bytes 1024
    run throughput-plain "$bench/bench_throughput" --events "$events" --bytes 1024 --plain
fi
if wants callgrind; then
    if command -v valgrind >/dev/null; then
        rm -f "$out"/callgrind.out*
        run callgrind valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
            "$bench/bench_throughput" --events "$cg_events" --bytes 1024
        part=$(ls "$out"/callgrind.out.* 2>/dev/null | head -1 || true)
        if [[ -n $part ]]; then
            ir=$(awk '/^(summary|totals):/{print $2; exit}' "$part")
            echo "RESULT callgrind_ir_per_event $(echo "scale=0; $ir / $cg_events" | bc) Ir" | tee -a "$out/callgrind.log"
            echo "(profile: callgrind_annotate $part)"
        fi
    else
        echo "valgrind not installed: no instruction counts" | tee "$out/callgrind.log"
    fi
fi
wants detection && run detection "$bench/bench_detection" --interval 250 --runs "$det_runs" --accounts 10
wants ui && run ui "$bench/bench_uistall" --accounts 100 --rate 10000 --seconds "$ui_seconds"
if wants store; then
    run store "$bench/bench_eventlog" --rows "$store_rows"
    awk '/^insert:/{for(i=1;i<=NF;i++) if($i=="->"){print "RESULT store_insert_rows_per_s", $(i+1), "rows/s"; exit}}' \
        "$out/store.log" >>"$out/store.log"
    awk '/^export JSON Lines:/{for(i=1;i<=NF;i++) if($i=="->"){print "RESULT store_export_jsonl_rows_per_s", $(i+1), "rows/s"; exit}}' \
        "$out/store.log" >>"$out/store.log"
    awk '/peak RSS grew by/{print "RESULT store_export_rss_growth_kib", $5, "KiB"; exit}' "$out/store.log" >>"$out/store.log"
    # GUI-thread stalls and filter latency on a database of $store_rows rows (made in $out, then removed)
    mkdir -p "$out/storeui"
    run storeui "$bench/bench_storeui" --rows "$store_rows" --dir "$out/storeui"
    rm -rf "$out/storeui"
fi
if wants startup; then
    run startup "$root/tests/bench/bench_startup.sh" "$build" 20 10
    run startup-events "$root/tests/bench/bench_startup.sh" "$build" 20 10 "$store_rows"
fi

# --- summary -----------------------------------------------------------------------------------
fmt() {
    if [[ -z $1 ]]; then echo "-"
    elif (($(echo "$1 >= 1000" | bc -l))); then printf "%'.0f" "$1"
    else printf '%.3g' "$1"; fi
}
verdict() {  # verdict VALUE OP LIMIT ("-": reported only)
    [[ -z $1 ]] && { echo "n/a"; return; }
    [[ $3 == - ]] && { echo "info"; return; }
    if (($(echo "$1 $2 $3" | bc -l))); then echo "PASS"; else echo "FAIL"; fi
}
row() {  # row FIGURE VALUE UNIT OP LIMIT TARGET-TEXT
    printf '| %-44s | %12s %-9s | %-22s | %-4s |\n' "$1" "$(fmt "$2")" "$3" "$6" "$(verdict "$2" "$4" "$5")"
}
{
    echo
    echo "Summary ($(head -1 "$out/machine.txt" | cut -d' ' -f2-); load at start $(sed -n 2p "$out/machine.txt" | cut -d' ' -f5-))"
    ((quick)) && echo "QUICK RUN: shortened parameters, not the documented figures"
    printf '| %-44s | %22s | %-22s | %-4s |\n' "figure" "measured" "target" "pass"
    printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..24})" \
        "$(printf -- '-%.0s' {1..24})" "$(printf -- '-%.0s' {1..6})"
    if wants paced; then  # the headline: paced arrival, ratios peer/ours from one run
        for r in 2k 10k; do
            row "0 CPU/event zlib $r/s: peer / ours" "$(value paced paced_ratio_peer_over_ours_zlib_$r)" x ">=" 3 ">= 3x"
        done
        row "0 CPU/event zlib 2k/s, ours" "$(value paced paced_ours_zlib_2k_us_per_event)" us "-" - "(reported)"
        row "0 CPU/event zlib 2k/s, @discordjs/ws" "$(value paced paced_peer_zlib_2k_us_per_event)" us "-" - "(reported)"
        row "0 CPU/event zlib 2k/s, ours zlib / zstd" "$(value paced paced_ratio_zlib_over_zstd_2k)" x ">=" 1.3 ">= 1.3x"
        row "0 CPU/event zstd 2k/s, ours" "$(value paced paced_ours_zstd_2k_us_per_event)" us "-" - "(reported)"
        row "0 CPU/event none 2k/s, ours" "$(value paced paced_ours_none_2k_us_per_event)" us "-" - "(reported)"
        row "0 CPU/event none 2k/s, peer / ours" "$(value paced paced_ratio_peer_over_ours_none_2k)" x "-" - "(reported)"
        row "0 CPU/event zlib 2k/s over wss, ours" "$(value paced paced_wss_ours_zlib_2k_us_per_event)" us "-" - "(reported)"
        row "0 CPU/event zlib 2k/s wss: peer / ours" "$(value paced paced_wss_ratio_peer_over_ours_zlib_2k)" x "-" - "(reported)"
    fi
    if wants peer; then
        row "0 RSS/idle session wss ($peer_sessions): peer / ours" \
            "$(value peer idle_ratio_peer_over_ours_rss_per_session_wss)" x ">=" 1.5 ">= 1.5x"
        row "0 RSS/idle session ws zlib: peer / ours" \
            "$(value peer idle_ratio_peer_over_ours_rss_per_session_ws)" x ">=" 1.3 ">= 1.3x"
        row "0 RSS with 1 session ws, @discordjs/ws" "$(value peer idle_peer_rss_1_session_ws_kib)" KiB "-" - "(reported)"
    fi
    if wants sessions; then
        row "1 sessions ready (of $sessions)" "$(value sessions sessions_ready)" "" ">=" "$sessions" "all $sessions"
        row "1 RSS per session" "$(value sessions sessions_rss_per_session_kib)" KiB "<=" 64 "<= 64 KiB"
        row "1 idle CPU, $sessions sessions, 41.25 s beat" "$(value sessions sessions_idle_cpu_percent)" "% core" "<=" 1 "<= 1 %"
    fi
    if wants throughput; then
        row "2 client CPU per 1 KB event (zlib-stream)" "$(value throughput throughput_us_per_event)" "us" "<=" 6.667 "<= 6.67 us"
        row "2 events/s per core" "$(value throughput throughput_events_per_core_s)" "ev/s" ">=" 150000 ">= 150,000"
        row "2 same, without zlib-stream (plain JSON)" "$(value throughput-plain throughput_plain_events_per_core_s)" "ev/s" "-" - "(reported)"
    fi
    wants callgrind && row "2 instructions per event (callgrind)" "$(value callgrind callgrind_ir_per_event)" "Ir" "-" - "(reported)"
    if wants detection; then
        for k in zombie blackhole; do
            row "3 $k: silence -> degraded, p50" "$(value detection detection_${k}_degraded_p50_intervals)" "intervals" "-" - "(reported)"
            # 2 intervals + 10 ms (2.04 at 250 ms): the clock starts when the fault request is sent,
            # so the control request's own latency and timer slack are inside the measurement.
            row "3 $k: silence -> closed, max" "$(value detection detection_${k}_closed_max_intervals)" "intervals" "<=" 2.04 "<= 1 + ACK deadline (1)"
            row "3 $k: closed -> ready by RESUME, max" "$(value detection detection_${k}_resumed_after_close_max_intervals)" "intervals" "<=" 1.2 "<= 1.2 intervals"
        done
    fi
    if wants ui; then
        row "4 UI stall p50 (100 accounts, 10k ev/s)" "$(value ui ui_stall_p50_ms)" ms "-" - "(reported)"
        row "4 UI stall p99" "$(value ui ui_stall_p99_ms)" ms "<=" 16 "<= 16 ms"
        row "4 events/s actually delivered" "$(value ui ui_events_per_s)" "ev/s" ">=" 9500 "10,000"
    fi
    if wants store; then
        row "5 store inserts/s (batched, $store_rows rows)" "$(value store store_insert_rows_per_s)" "rows/s" "-" - "(reported)"
        for phase in idle open burst filter export retry; do
            row "5 GUI stall p99 while the store does: $phase" "$(value storeui store_stall_${phase}_p99_ms)" ms "<=" 16 "<= 16 ms"
            row "5   max" "$(value storeui store_stall_${phase}_max_ms)" ms "-" - "(reported)"
        done
        row "5 filter, first page shown, p95 ($store_rows rows)" "$(value storeui store_filter_first_page_p95_ms)" ms "<=" 100 "<= 100 ms"
        row "5 JSON Lines export rows/s" "$(value store store_export_jsonl_rows_per_s)" "rows/s" ">=" 300000 ">= 300,000"
        row "5 peak RSS growth during exports" "$(value store store_export_rss_growth_kib)" KiB "<=" 65536 "bounded (< 64 MiB)"
    fi
    if wants startup; then
        row "6 launch -> first paint, 20 accounts (median)" "$(value startup startup_first_paint_median_ms)" ms "<=" 400 "<= 400 ms"
        row "6 launch -> first paint (max)" "$(value startup startup_first_paint_max_ms)" ms "-" - "(reported)"
        row "6 launch -> event rows painted, $store_rows events" "$(value startup-events startup_events_first_rows_median_ms)" ms "<=" 300 "<= 300 ms (median)"
        row "6   max" "$(value startup-events startup_events_first_rows_max_ms)" ms "-" - "(reported)"
    fi
    echo "logs: $out"
} | tee "$out/summary.txt"
