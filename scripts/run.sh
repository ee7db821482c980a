#!/usr/bin/env bash
# Installs what is missing, builds, and launches Gatewatch. Without arguments it starts the
# demo (an embedded gateway simulator) when no bot account is configured yet. Extra args go to
# gatewatch, e.g. ./scripts/run.sh --headless --config gatewatch.json
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh -DBUILD_TESTING=OFF >/dev/null
if (($# == 0)); then
    set -- --demo-if-empty
fi
exec "${GATEWATCH_BUILD_DIR:-build}/app/gatewatch" "$@"
