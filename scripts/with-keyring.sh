#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring Secret Service,
# so QtKeychain has a real backend (CI, containers, ssh sessions).
set -euo pipefail
if [[ ${1:-} != --inside ]]; then
    exec dbus-run-session -- "$0" --inside "$@"
fi
shift
# A throwaway keyring in a throwaway home for the secrets; the password is not a secret.
export HOME=${GATEWATCH_KEYRING_HOME:-$(mktemp -d)}
eval "$(printf 'gatewatch-test\n' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
exec "$@"
