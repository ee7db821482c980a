#!/usr/bin/env bash
# Builds the Debian package with CPack and validates what it ships:
#   control fields (shlibdeps-computed Depends), the file list, stripped binaries, icon sizes,
#   desktop-file-validate, appstreamcli validate / validate-tree, man pages covering every option
#   the binaries' --help prints, and lintian without errors.
# Usage: check_deb.sh BUILD_DIR SOURCE_DIR VERSION APP_ID [CPACK]
# The .deb is left in BUILD_DIR/deb/ for package_deb_install (CTest fixture gatewatch_deb).
set -euo pipefail

build=$1 src=$2 version=$3 appid=$4 cpack=${5:-cpack}
out=$build/deb
failures=0
checks=0
pass() { checks=$((checks + 1)); echo "ok   $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL $*"; }
check() { # check "description" command...
    local what=$1; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

for tool in dpkg-deb desktop-file-validate appstreamcli lintian file gzip man; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $tool is not installed (scripts/install-deps.sh installs it)"
        exit 1
    fi
done

# --- build the package -------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$out"
echo "== cpack -G DEB"
if ! "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$out/cpack.log" 2>&1; then
    cat "$out/cpack.log"
    echo "FAIL cpack -G DEB"
    exit 1
fi
arch=$(dpkg --print-architecture)
deb=$out/gatewatch_${version}-1_${arch}.deb
if [[ ! -f $deb ]]; then
    cat "$out/cpack.log"
    echo "FAIL expected $deb (CPACK_DEBIAN_FILE_NAME DEB-DEFAULT); got: $(ls "$out")"
    exit 1
fi
echo "built $deb ($(stat -c %s "$deb") bytes)"

# --- control fields ----------------------------------------------------------------------------
echo "== control"
dpkg-deb --field "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
check "Package is gatewatch" test "$(field Package)" = gatewatch
check "Version is $version-1" test "$(field Version)" = "$version-1"
check "Architecture is $arch" test "$(field Architecture)" = "$arch"
check "Section is net" test "$(field Section)" = net
check "Maintainer is 'Name <address>'" grep -Eq '^[^<>]+ <[^<>@ ]+@[^<>@ ]+>$' <<<"$(field Maintainer)"
depends=$(field Depends)
check "Depends has libc6 (computed by dpkg-shlibdeps)" grep -q 'libc6 (>=' <<<"$depends"
check "Depends has libqt6core6 (computed by dpkg-shlibdeps)" grep -q 'libqt6core6' <<<"$depends"
check "Depends has libqt6websockets6 (computed by dpkg-shlibdeps)" grep -q 'libqt6websockets6' <<<"$depends"
check "Depends has the SQLite driver plugin" grep -q 'libqt6sql6-sqlite' <<<"$depends"
check "Depends has libzstd1 (zstd-stream)" grep -q 'libzstd1' <<<"$depends"
check "Recommends a keychain" test "$(field Recommends)" = "gnome-keyring | kwalletmanager"
check "Description has a long text" test "$(field Description | wc -l)" -ge 5

# --- files -------------------------------------------------------------------------------------
echo "== files"
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
dpkg-deb --contents "$deb" >"$out/contents.txt"
cat "$out/contents.txt"
check "every entry is owned by root/root" test -z "$(awk '$2 != "root/root"' "$out/contents.txt")"

for bin in gatewatch gatewatch-sim; do
    f=$root/usr/bin/$bin
    check "/usr/bin/$bin is an executable (0755)" test "$(stat -c %a "$f" 2>/dev/null)" = 755
    check "/usr/bin/$bin is stripped" grep -q ', stripped' <<<"$(file -b "$f")"
done
share=$root/usr/share
check "desktop entry" test -f "$share/applications/$appid.desktop"
check "AppStream metainfo" test -f "$share/metainfo/$appid.metainfo.xml"
check "scalable icon" test -f "$share/icons/hicolor/scalable/apps/$appid.svg"
for size in 16 22 24 32 48 64 128 256; do
    png=$share/icons/hicolor/${size}x${size}/apps/$appid.png
    check "${size}x${size} icon is a ${size} x ${size} PNG" \
        grep -q "PNG image data, $size x $size," <<<"$(file -b "$png" 2>/dev/null)"
done
for page in gatewatch gatewatch-sim; do
    check "man page $page(1), gzip -9n" gzip -t "$share/man/man1/$page.1.gz"
done
doc=$share/doc/gatewatch
check "DEP-5 copyright file" grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$doc/copyright"
check "copyright names the MIT licence" grep -q '^License: MIT' "$doc/copyright"
check "changelog.Debian.gz for $version-1" grep -q "^gatewatch ($version-1)" <(zcat "$doc/changelog.Debian.gz")
if [[ -f $src/packaging/systemd/gatewatch-headless.service ]]; then
    check "systemd user unit" cmp -s "$src/packaging/systemd/gatewatch-headless.service" \
        "$root/usr/lib/systemd/user/gatewatch-headless.service"
fi
for dir in prometheus grafana; do
    for f in "$src/packaging/$dir"/*; do
        [[ -f $f ]] || continue
        check "example $dir/$(basename "$f")" cmp -s "$f" "$doc/examples/$dir/$(basename "$f")"
    done
done

# --- desktop entry and AppStream ---------------------------------------------------------------
echo "== desktop-file-validate"
check "desktop-file-validate" desktop-file-validate "$share/applications/$appid.desktop"
check "desktop entry runs gatewatch" grep -qx 'Exec=gatewatch' "$share/applications/$appid.desktop"
check "desktop entry icon is the app id" grep -qx "Icon=$appid" "$share/applications/$appid.desktop"
echo "== appstreamcli validate --no-net"
check "appstreamcli validate" appstreamcli validate --no-net --explain "$share/metainfo/$appid.metainfo.xml"
check "appstreamcli validate-tree" appstreamcli validate-tree --no-net "$root"
newest=$(grep -o '<release version="[^"]*"' "$share/metainfo/$appid.metainfo.xml" | head -1 | cut -d'"' -f2)
check "newest AppStream release ($newest) is the project version ($version)" test "$newest" = "$version"
check "metainfo id is the app id" grep -q "<id>$appid</id>" "$share/metainfo/$appid.metainfo.xml"

# --- man pages: every option that --help prints is documented ---------------------------------
echo "== man pages"
for page in gatewatch gatewatch-sim; do
    text=$(MANWIDTH=200 man --warnings -E UTF-8 -l "$share/man/man1/$page.1.gz" 2>"$out/$page.man.err")
    check "$page(1) renders without groff warnings" test ! -s "$out/$page.man.err"
    cat "$out/$page.man.err"
    help=$(timeout 20 "$root/usr/bin/$page" --help 2>&1 || true)
    options=$(grep -oE -- '(^|[ ,])--[a-z][a-z0-9-]*' <<<"$help" | tr -d ' ,' | sort -u || true)
    if [[ $page == gatewatch ]]; then
        # The command line contract, whatever --help prints today.
        options=$(printf '%s\n' $options --demo --headless --config --gateway-url --api-base --duration \
                  --metrics-listen --version --help | sort -u)
        check "gatewatch(1) documents -platform" grep -q -- '-platform' <<<"$text"
        for key in accounts token_env token_file intents api_base gateway_url timings metrics database \
                   QT_LOGGING_RULES 'EXIT STATUS' SECURITY FILES ENVIRONMENT; do
            check "gatewatch(1) documents $key" grep -q -- "$key" <<<"$text"
        done
    fi
    for opt in $options; do
        check "$page(1) documents $opt" grep -q -- "$opt" <<<"$text"
    done
done

# --- lintian -----------------------------------------------------------------------------------
echo "== lintian"
lintian_out=$out/lintian.txt
if lintian --allow-root --fail-on error --tag-display-limit 0 "$deb" >"$lintian_out" 2>&1; then
    pass "lintian reports no errors"
else
    fail "lintian reports errors"
fi
cat "$lintian_out"
check "lintian output has no E: line" test -z "$(grep '^E:' "$lintian_out" || true)"

echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
