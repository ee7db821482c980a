#!/usr/bin/env bash
# Installs the Debian 12 packages Gatewatch builds, tests and runs with. Idempotent: it asks
# apt only for what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
    # toolchain
    build-essential cmake ninja-build ccache pkg-config git
    # the structure check (scripts/check-structure.py measures functions with ctags)
    python3 universal-ctags
    # Qt 6.4.2 and friends
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-svg-dev libqt6svg6
    libqt6sql6-sqlite qt6-qpa-plugins qt6-l10n-tools qt6-tools-dev qt6-tools-dev-tools
    libgl-dev qtkeychain-qt6-dev zlib1g-dev libzstd-dev libzstd1 prometheus-cpp-dev
    # the gateway socket: TLS with OpenSSL, WebSocket framing with wslay
    libssl-dev libwslay-dev
    # tests: a real Secret Service for the keychain test, Prometheus for the metrics test,
    # Node.js for the third-party client compatibility test, clang for fuzzing, python3-zstandard
    # for the independent zstd-stream check (tst_zstdpython)
    dbus dbus-x11 gnome-keyring libsecret-tools prometheus nodejs npm clang libclang-rt-14-dev
    python3-zstandard
    # screenshots and packaging checks
    xvfb xauth imagemagick fonts-dejavu-core
    desktop-file-utils appstream lintian dpkg-dev file librsvg2-bin
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
# nodejs/npm may come from outside Debian on some images: a working `node` and `npm` is enough.
if command -v node >/dev/null && command -v npm >/dev/null; then
    filtered=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]}")
fi

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
        echo "install-deps: not root and no sudo; install these first: ${missing[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
