#!/usr/bin/env bash
# Installs the .deb built by package_deb_validate on this machine, runs the INSTALLED binaries
# (gatewatch --version; a short gatewatch --headless against gatewatch-sim), then removes the
# package and checks that none of its files is left.
# Usage: install_deb.sh BUILD_DIR VERSION
# Needs root; exits 77 (CTest SKIP_RETURN_CODE) when not root. The machine is left as it was:
# the package is removed even when a check fails (trap), and a gatewatch package that this test
# did not install is never touched (skip).
set -uo pipefail

build=$1 version=$2
out=$build/deb
marker=$out/.installed-by-package-test
token="pkgtest.$(date +%s%N).not-a-real-token"
sim_pid=""
tmp=""

if [[ $(id -u) -ne 0 ]]; then
    echo "SKIP: installing a Debian package needs root; run the suite as root (as CI does)"
    exit 77
fi
arch=$(dpkg --print-architecture)
deb=$out/gatewatch_${version}-1_${arch}.deb
if [[ ! -f $deb ]]; then
    echo "FAIL: $deb does not exist (package_deb_validate builds it)"
    exit 1
fi
installed() { dpkg-query -W -f='${db:Status-Status}' gatewatch 2>/dev/null | grep -qx installed; }
if installed && [[ ! -e $marker ]]; then
    echo "SKIP: a gatewatch package that this test did not install is present ($(dpkg-query -W gatewatch));"
    echo "      not replacing it. Remove it with 'apt-get remove gatewatch' to run this test."
    exit 77
fi

failures=0
checks=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $*"; }
apt() { apt-get -y -q -o DPkg::Lock::Timeout=120 "$@"; }

cleanup() {
    if [[ -n $sim_pid ]]; then
        kill "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
    fi
    if [[ -e $marker ]]; then
        echo "cleanup: removing the gatewatch package"
        apt remove gatewatch >/dev/null 2>&1 || dpkg -r gatewatch >/dev/null 2>&1
        installed || rm -f "$marker"
    fi
    [[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tmp=$(mktemp -d)

# --- install -------------------------------------------------------------------------------------
echo "== apt-get install $deb"
touch "$marker"
if DEBIAN_FRONTEND=noninteractive apt install --no-install-recommends "$deb" >"$tmp/install.log" 2>&1; then
    pass "apt-get install ./$(basename "$deb")"
else
    cat "$tmp/install.log"
    fail "apt-get install ./$(basename "$deb")"
    exit 1
fi
if installed && [[ $(dpkg-query -W -f='${Version}' gatewatch) == "$version-1" ]]; then
    pass "dpkg says gatewatch $version-1 is installed"
else
    fail "dpkg does not list gatewatch $version-1 as installed"
fi
dpkg-query -L gatewatch | grep -v '/$' >"$tmp/files.txt"
for f in /usr/bin/gatewatch /usr/bin/gatewatch-sim; do
    if [[ -x $f ]]; then pass "$f is installed"; else fail "$f is missing"; fi
done

# --- gatewatch --version -------------------------------------------------------------------------
echo "== /usr/bin/gatewatch --version"
version_out=$(timeout 20 /usr/bin/gatewatch --version 2>"$tmp/version.err")
rc=$?
echo "$version_out"
if ((rc == 0)) && [[ $version_out == "gatewatch $version" ]]; then
    pass "gatewatch --version prints 'gatewatch $version' and exits 0"
else
    cat "$tmp/version.err"
    fail "gatewatch --version: exit $rc, stdout '$version_out' (expected 'gatewatch $version', exit 0)"
fi

# --- gatewatch --headless against gatewatch-sim --------------------------------------------------
echo "== /usr/bin/gatewatch-sim"
coproc SIM { exec /usr/bin/gatewatch-sim --bot "pkgtest:$token" --heartbeat-interval 500 2>"$tmp/sim.err"; }
sim_pid=$SIM_PID
gateway="" rest=""
while [[ -z $gateway || -z $rest ]] && IFS= read -r -t 20 line <&"${SIM[0]}"; do
    echo "sim: $line"
    case $line in
        "gateway "*) gateway=${line#gateway } ;;
        "rest "*) rest=${line#rest } ;;
    esac
done
if [[ $gateway == ws://* && $rest == http://* ]]; then
    pass "gatewatch-sim printed its gateway and REST URLs"
else
    cat "$tmp/sim.err"
    fail "gatewatch-sim did not print its URLs within 20 s"
    exit 1
fi

cat >"$tmp/headless.json" <<EOF
{
  "accounts": [ { "name": "pkgtest", "token_env": "GW_PKGTEST_TOKEN", "intents": ["GUILDS"] } ]
}
EOF
echo "== /usr/bin/gatewatch --headless --config headless.json --duration 3"
GW_PKGTEST_TOKEN=$token XDG_STATE_HOME="$tmp/state" timeout 60 /usr/bin/gatewatch --headless --config "$tmp/headless.json" \
    --gateway-url "$gateway" --api-base "$rest" --duration 3 >"$tmp/headless.jsonl" 2>"$tmp/headless.err"
rc=$?
cat "$tmp/headless.jsonl"
if ((rc == 0)); then pass "gatewatch --headless --duration 3 exits 0"; else fail "gatewatch --headless exited $rc"; cat "$tmp/headless.err"; fi
if [[ -s $tmp/headless.jsonl ]] && ! grep -qv '^{"' "$tmp/headless.jsonl" && ! grep -qv '"v":2[,}]' "$tmp/headless.jsonl"; then
    pass "every stdout line is a JSON object with \"v\":2 (the JSON Lines schema, docs/headless.md)"
else
    fail "stdout is not JSON Lines with \"v\":2"
fi
if grep '"account":"pkgtest"' "$tmp/headless.jsonl" | grep -q '"kind":"ready"'; then
    pass "the account reached READY on the simulator"
else
    fail "no \"kind\":\"ready\" event for account pkgtest"
fi
if grep '"kind":"state"' "$tmp/headless.jsonl" | grep -q '"state":"ready"'; then
    pass "a state event says ready"
else
    fail "no state event with \"state\":\"ready\""
fi
if grep -qF -- "$token" "$tmp/headless.jsonl" "$tmp/headless.err"; then
    fail "the token appears in the output of gatewatch --headless"
else
    pass "the token appears nowhere in stdout or stderr"
fi
kill "$sim_pid" 2>/dev/null
wait "$sim_pid" 2>/dev/null
sim_pid=""

# --- remove --------------------------------------------------------------------------------------
echo "== apt-get remove gatewatch"
if DEBIAN_FRONTEND=noninteractive apt remove gatewatch >"$tmp/remove.log" 2>&1; then
    pass "apt-get remove gatewatch"
else
    cat "$tmp/remove.log"
    fail "apt-get remove gatewatch"
fi
status=$(dpkg-query -W -f='${db:Status-Status}' gatewatch 2>/dev/null || echo not-installed)
if [[ $status == not-installed ]]; then
    pass "dpkg lists gatewatch as not installed (nothing left, no conffiles)"
else
    fail "dpkg status of gatewatch after remove is '$status'"
fi
left=0
while IFS= read -r f; do
    if [[ -e $f && ! -d $f ]]; then
        echo "left behind: $f"
        left=$((left + 1))
    fi
done <"$tmp/files.txt"
if ((left == 0)) && [[ ! -e /usr/bin/gatewatch ]]; then
    pass "none of the package's $(wc -l <"$tmp/files.txt") files is left"
else
    fail "$left files of the package are left after remove"
fi
installed || rm -f "$marker"

echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
