#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# so QtKeychain has a real backend (CI, containers, ssh sessions, root). Usage:
#   scripts/with-keyring.sh COMMAND [ARGS...]
# The keyring lives in a throwaway HOME (removed afterwards) unless GATEWATCH_KEYRING_HOME is set;
# its password is not a secret. Exit status: the command's. Checked on Debian 12 as root:
# dbus-run-session 1.14, gnome-keyring 42.1, secret-tool and QtKeychain 0.13.2 store/read/delete.
set -euo pipefail

if [[ ${1:-} != --inside ]]; then
    if (($# == 0)); then
        echo "usage: $0 COMMAND [ARGS...]" >&2
        exit 2
    fi
    for tool in dbus-run-session gnome-keyring-daemon; do
        if ! command -v "$tool" >/dev/null; then
            echo "with-keyring: $tool not found (apt-get install dbus gnome-keyring)" >&2
            exit 127
        fi
    done
    # dbus-run-session ends the bus (and with it the keyring daemon) when the command exits.
    exec dbus-run-session -- "$0" --inside "$@"
fi
shift

own_home=""
if [[ -n ${GATEWATCH_KEYRING_HOME:-} ]]; then
    export HOME=$GATEWATCH_KEYRING_HOME
    mkdir -p "$HOME"
else
    own_home=$(mktemp -d -t gatewatch-keyring.XXXXXX)
    export HOME=$own_home
fi
# gnome-keyring puts its control socket under $XDG_RUNTIME_DIR/keyring; a private one keeps
# parallel runs apart.
own_runtime=$(mktemp -d -t gatewatch-runtime.XXXXXX)
chmod 700 "$own_runtime"
export XDG_RUNTIME_DIR=$own_runtime
cleanup() {
    rm -rf "$own_runtime"
    if [[ -n $own_home ]]; then rm -rf "$own_home"; fi
}
trap cleanup EXIT

# --unlock reads the login keyring's password from stdin (creating the keyring on first use);
# --components=secrets starts only the Secret Service, which registers org.freedesktop.secrets.
if ! keyring_env=$(printf 'gatewatch-test' | gnome-keyring-daemon --unlock --components=secrets 2>"$own_runtime/daemon.err"); then
    echo "with-keyring: gnome-keyring-daemon failed:" >&2
    cat "$own_runtime/daemon.err" >&2 || true
    exit 1
fi
while IFS= read -r line; do
    [[ $line == *=* ]] && export "${line?}"
done <<<"$keyring_env"

# Wait (bounded) until the Secret Service answers on the bus; fail loudly if it never does.
if command -v dbus-send >/dev/null; then
    ok=""
    for _ in $(seq 1 50); do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
            ok=1
            break
        fi
        sleep 0.1
    done
    if [[ -z $ok ]]; then
        echo "with-keyring: org.freedesktop.secrets did not appear on the session bus" >&2
        cat "$own_runtime/daemon.err" >&2 || true
        exit 1
    fi
fi

set +e
"$@"
rc=$?
set -e
exit "$rc"
