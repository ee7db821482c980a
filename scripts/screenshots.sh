#!/bin/sh
# Reproduce docs/screenshots/*.png: the real main window against an embedded gateway simulator,
# captured under Xvfb with a window manager (openbox: frames, placement and maximising as on a
# desktop) with ImageMagick's `import -window root`.
#   scripts/screenshots.sh [BUILD_DIR]    (default: build)
# Needs: xvfb, openbox, imagemagick (Debian: apt-get install xvfb openbox imagemagick) and a build
# with the screenshot_driver target.
#
# Runs, one X server each (tests/ui/screenshot_driver.cpp says what each scene shows):
#   1600x1000                the user guide's pictures (main-window.png, add-bot-dialog.png, …)
#   1024x700                 --fit 1024x700: does everything fit a small screen?
#   1600x1000, scale 1.5     --fit scale150 (QT_SCALE_FACTOR=1.5: 1066x666 logical pixels)
#   1600x1000, dark palette  --fit dark
#   1600x1000, 14 pt font    --fit font14
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
shots=$here/docs/screenshots
for tool in Xvfb openbox import; do
    command -v "$tool" >/dev/null || { echo "screenshots.sh: $tool is missing (apt-get install xvfb openbox imagemagick)" >&2; exit 1; }
done
cmake --build "$build" --target screenshot_driver
display=:${SCREENSHOT_DISPLAY:-99}
xvfb=
wm=
stop() {
    [ -n "$wm" ] && kill "$wm" 2>/dev/null || true
    [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
    [ -n "$xvfb" ] && wait "$xvfb" 2>/dev/null || true
    wm= xvfb=
}
trap stop EXIT INT TERM

# run SIZE [ENV=VALUE ...] -- DRIVER-ARGS ...
run() {
    size=$1
    shift
    Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp &
    xvfb=$!
    sleep 1
    DISPLAY=$display openbox --sm-disable &
    wm=$!
    sleep 1
    env_args=
    while [ "$1" != "--" ]; do env_args="$env_args $1"; shift; done
    shift
    # shellcheck disable=SC2086 # env_args is a list of ENV=VALUE words
    env DISPLAY="$display" QT_QPA_PLATFORM=xcb $env_args "$build/tests/ui/screenshot_driver" --out "$shots" "$@"
    stop
}

run 1600x1000 -- 
run 1024x700 -- --fit 1024x700 --warmup-ms 8000
run 1600x1000 QT_SCALE_FACTOR=1.5 -- --fit scale150 --warmup-ms 8000
run 1600x1000 -- --fit dark --dark --warmup-ms 8000
run 1600x1000 -- --fit font14 --font-pt 14 --warmup-ms 8000
ls -l "$shots"
