#!/usr/bin/env bash
# The pinned npm packages of tests/thirdparty (package.json, package-lock.json), for every script
# that runs @discordjs/ws: the acceptance check (run_acceptance.sh) and the peer of the paced
# benchmark (tests/bench/bench_paced.sh).
#   npm_deps.sh <tests/thirdparty source dir> <work dir>
# Prints the node_modules directory to use on stdout: <source dir>/node_modules when it is
# already installed there, else <work dir>/npm/node_modules, where `npm ci` runs when the lock
# file changed or nothing is installed yet (progress on stderr). Exit 77 with a SKIP line when
# Node.js >= 20 or npm is missing; any other problem is exit 1.
set -euo pipefail

SRC="${1:?usage: npm_deps.sh SRC_DIR WORK_DIR}"
WORK="${2:?usage: npm_deps.sh SRC_DIR WORK_DIR}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "SKIP: node and npm are required (Node.js >= 20)" >&2
    exit 77
fi
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" -lt 20 ]; then
    echo "SKIP: Node.js >= 20 required, found $(node --version)" >&2
    exit 77
fi

if [ -d "$SRC/node_modules/@discordjs/ws" ] && [ -f "$SRC/node_modules/.package-lock.json" ]; then
    echo "$SRC/node_modules"
    exit 0
fi
DEPS="$WORK/npm"
mkdir -p "$DEPS"
if ! cmp -s "$SRC/package-lock.json" "$DEPS/package-lock.json" || [ ! -d "$DEPS/node_modules/@discordjs/ws" ]; then
    cp "$SRC/package.json" "$SRC/package-lock.json" "$DEPS/"
    echo "npm ci into $DEPS" >&2
    (cd "$DEPS" && timeout 90 npm ci --no-audit --no-fund --loglevel=error) >&2
fi
echo "$DEPS/node_modules"
