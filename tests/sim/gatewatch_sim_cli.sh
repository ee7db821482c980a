#!/usr/bin/env bash
# CTest: the gatewatch-sim executable starts on free ports, prints its four URLs one per line,
# answers REST (200 with a known token, 401 without), never prints the token, and exits 0 on
# SIGTERM; the load options (--outbound-rate, --ack-delay, --replay-buffer) and --resume-host
# reach the simulator and bad values are refused; with --tls-cert/--tls-key every URL it prints
# says wss:// or https://, and a missing key or unreadable certificate is refused. Uses only
# bash (/dev/tcp), no curl.
#   gatewatch_sim_cli.sh <gatewatch-sim binary> <work dir>
set -euo pipefail
SIM="$1"
WORK="$2"
mkdir -p "$WORK"
# start_sim OUT ERR [options]: starts the simulator (PID), waits for its four URL lines in OUT.
start_sim() {
    local out=$1 err=$2
    shift 2
    "$SIM" "$@" >"$out" 2>"$err" &
    PID=$!
    trap 'kill -KILL $PID 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do
        [ "$(wc -l <"$out")" -ge 4 ] && break
        sleep 0.05
    done
}
# stop_sim WHAT: SIGTERM must end the simulator with exit code 0.
stop_sim() {
    kill -TERM "$PID"
    local rc=0
    wait "$PID" || rc=$?
    trap - EXIT
    [ "$rc" -eq 0 ] || { echo "FAIL: $1 exit code $rc after SIGTERM"; exit 1; }
}
# refused "OPTIONS" ...: each option set must be refused with exit code 2.
refused() {
    local bad rc
    for bad in "$@"; do
        rc=0
        # shellcheck disable=SC2086
        "$SIM" $bad >/dev/null 2>&1 || rc=$?
        [ "$rc" -eq 2 ] || { echo "FAIL: '$bad' exited $rc, expected 2"; exit 1; }
    done
}
TOKEN="cli-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
OUT="$WORK/cli.out"
ERR="$WORK/cli.err"
start_sim "$OUT" "$ERR" --bot "cli:$TOKEN" --heartbeat-interval 1000 --outbound-rate 300 --ack-delay 20 \
    --replay-buffer 77 --resume-host refused
cat "$OUT"
for key in gateway resume rest control; do
    grep -Eq "^$key (ws|http)://127\.0\.0\.1:[0-9]+" "$OUT" || { echo "FAIL: no '$key' line"; exit 1; }
done
REST="$(awk '$1=="rest"{print $2}' "$OUT")"
GATEWAY="$(awk '$1=="gateway"{print $2}' "$OUT")"
HOSTPORT="${REST#http://}"; HOSTPORT="${HOSTPORT%%/*}"
request() { # $1 = path, $2 = extra header line or empty
    exec 3<>"/dev/tcp/${HOSTPORT%:*}/${HOSTPORT#*:}"
    printf 'GET %s HTTP/1.1\r\nHost: %s\r\n%sConnection: close\r\n\r\n' "$1" "$HOSTPORT" "$2" >&3
    cat <&3
    exec 3<&-
}
OK="$(request /api/v10/gateway/bot "Authorization: Bot $TOKEN"$'\r\n')"
echo "$OK" | head -1 | grep -q " 200 " || { echo "FAIL: gateway/bot: $OK"; exit 1; }
echo "$OK" | grep -q "\"url\":\"$GATEWAY\"" || { echo "FAIL: gateway/bot url: $OK"; exit 1; }
NOAUTH="$(request /api/v10/gateway/bot '')"
echo "$NOAUTH" | head -1 | grep -q " 401 " || { echo "FAIL: no 401: $NOAUTH"; exit 1; }
STATUS="$(request /control/status '')"
for field in '"outbound_rate":300' '"ack_delay_ms":20' '"replay_buffer_limit":77' '"resume_host":"refused"'; do
    echo "$STATUS" | grep -q "$field" || { echo "FAIL: control status lacks $field: $STATUS"; exit 1; }
done
stop_sim "the simulator"
if grep -q "$TOKEN" "$OUT" "$ERR"; then echo "FAIL: token printed"; exit 1; fi
refused "--outbound-rate -1" "--ack-delay x" "--replay-buffer 0" "--resume-host nowhere"
CERTS="$(cd "$(dirname "$0")/../common/certs" && pwd)"
TLS_OUT="$WORK/cli-tls.out"
start_sim "$TLS_OUT" "$WORK/cli-tls.err" --tls-cert "$CERTS/loopback-test.crt" --tls-key "$CERTS/loopback-test.key"
for key in gateway resume; do
    grep -Eq "^$key wss://127\.0\.0\.1:[0-9]+" "$TLS_OUT" || { echo "FAIL: no wss '$key' line"; cat "$TLS_OUT"; exit 1; }
done
for key in rest control; do
    grep -Eq "^$key https://127\.0\.0\.1:[0-9]+" "$TLS_OUT" || { echo "FAIL: no https '$key' line"; cat "$TLS_OUT"; exit 1; }
done
stop_sim "the TLS simulator"
refused "--tls-cert $CERTS/loopback-test.crt" "--tls-cert $WORK/none.crt --tls-key $CERTS/loopback-test.key" \
    "--tls-cert $CERTS/loopback-test.key --tls-key $CERTS/loopback-test.key"
echo PASS
