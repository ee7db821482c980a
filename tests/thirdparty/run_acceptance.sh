#!/usr/bin/env bash
# CTest wrapper for the third-party client check (docs/simulator.md).
#   run_acceptance.sh <gatewatch-sim binary> <tests/thirdparty source dir> <work dir> [load]
# With `load`, gatewatch-sim runs with a paced outbound queue, late ACKs and a small replay
# buffer, and discordjs_acceptance.js adds its load checks (docs/simulator.md, "Load modelling").
# Starts gatewatch-sim on free ports, reads the URLs it prints, installs the pinned npm packages
# (npm_deps.sh: npm ci into <work dir> unless tests/thirdparty/node_modules already holds them),
# and runs discordjs_acceptance.js against it. Exit 77 (CTest skip) only when Node.js >= 20 or
# npm is not installed; every other problem is a failure.
set -euo pipefail

SIM="$1"
SRC="$2"
WORK="$3"
MODE="${4:-}"
mkdir -p "$WORK"
SIM_EXTRA=()
unset SIM_REPLAY_BUFFER
if [ "$MODE" = "load" ]; then
    export SIM_REPLAY_BUFFER=8
    SIM_EXTRA=(--outbound-rate 200 --ack-delay 100 --replay-buffer "$SIM_REPLAY_BUFFER")
fi

# --- the pinned library (shared with the paced benchmark's peer) --------------------------------
RC=0
NODE_MODULES="$(bash "$SRC/npm_deps.sh" "$SRC" "$WORK")" || RC=$?
if [ "$RC" -eq 77 ]; then
    exit 77
elif [ "$RC" -ne 0 ]; then
    echo "FAIL: could not install the pinned npm packages"; exit 1
fi

# --- the simulator -----------------------------------------------------------------------------
PLAIN_TOKEN="plain-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
ZLIB_TOKEN="zlib-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OUT="$WORK/sim${MODE:+-$MODE}.out"
ERR="$WORK/sim${MODE:+-$MODE}.err"
"$SIM" --heartbeat-interval 1000 --dispatch-interval 50 "${SIM_EXTRA[@]}" \
    --bot "djs-plain:$PLAIN_TOKEN" --bot "djs-zlib:$ZLIB_TOKEN" >"$OUT" 2>"$ERR" &
SIM_PID=$!
cleanup() {
    kill -TERM "$SIM_PID" 2>/dev/null || true
    wait "$SIM_PID" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    if [ "$(grep -c '^control ' "$OUT" || true)" -ge 1 ]; then
        break
    fi
    if ! kill -0 "$SIM_PID" 2>/dev/null; then
        echo "FAIL: gatewatch-sim exited early"; cat "$ERR"; exit 1
    fi
    sleep 0.1
done
url() { awk -v k="$1" '$1 == k { print $2 }' "$OUT"; }
export SIM_GATEWAY="$(url gateway)" SIM_RESUME="$(url resume)" SIM_REST="$(url rest)" SIM_CONTROL="$(url control)"
if [ -z "$SIM_CONTROL" ] || [ -z "$SIM_GATEWAY" ]; then
    echo "FAIL: gatewatch-sim did not print its URLs"; cat "$OUT" "$ERR"; exit 1
fi
echo "gatewatch-sim ${SIM_EXTRA[*]}: gateway $SIM_GATEWAY resume $SIM_RESUME rest $SIM_REST control $SIM_CONTROL"

export BOT_PLAIN_NAME=djs-plain BOT_PLAIN_TOKEN="$PLAIN_TOKEN" BOT_ZLIB_NAME=djs-zlib BOT_ZLIB_TOKEN="$ZLIB_TOKEN"
RC=0
NODE_PATH="$NODE_MODULES" timeout 110 node "$SRC/discordjs_acceptance.js" || RC=$?

cleanup
trap - EXIT
if grep -q -e "$PLAIN_TOKEN" -e "$ZLIB_TOKEN" "$OUT" "$ERR"; then
    echo "FAIL: gatewatch-sim printed a token"
    RC=1
fi
if [ "$RC" -ne 0 ]; then
    echo "--- gatewatch-sim log (tail) ---"
    tail -n 60 "$ERR"
fi
exit "$RC"
