#!/usr/bin/env bash
# Installs what is missing, builds, and launches Gatewatch. Without arguments and without
# configured accounts it starts the demo (an embedded gateway simulator). Extra args go to
# gatewatch, e.g. ./scripts/run.sh --headless --config gatewatch.json
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh -DBUILD_TESTING=OFF >/dev/null
exec "${GATEWATCH_BUILD_DIR:-build}/app/gatewatch" "$@"
