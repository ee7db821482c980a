#!/bin/sh
# Reproduce docs/screenshots/*.png: the real main window against an embedded gateway simulator,
# captured under Xvfb with ImageMagick's `import -window root`.
#   scripts/screenshots.sh [BUILD_DIR]    (default: build)
# Needs: xvfb, imagemagick, a build with the screenshot_driver target.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cmake --build "$build" --target screenshot_driver
display=:${SCREENSHOT_DISPLAY:-99}
Xvfb "$display" -screen 0 1600x1080x24 -nolisten tcp &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT INT TERM
sleep 1
DISPLAY=$display QT_QPA_PLATFORM=xcb "$build/tests/ui/screenshot_driver" --out "$here/docs/screenshots"
ls -l "$here/docs/screenshots"
