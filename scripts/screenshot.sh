#!/usr/bin/env bash
# Regenerate docs/dashboard.png, the dashboard screenshot in the README:
# a demo register (tests/browser/demo_register.sh, fictitious cases, no
# personal data), `ret dashboard --period 2026` with two other regions'
# summaries side by side, and a headless Chromium screenshot.
#
#   scripts/screenshot.sh [BUILD_DIR]     (default: build)
#
# Builds `ret` and `ret-keygen` in BUILD_DIR if they are missing. Needs the
# Debian packages chromium and sqlite3.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || { echo "screenshot.sh: install chromium (apt-get install chromium)" >&2; exit 1; }

if [ ! -x "$BUILD/node/ret" ] || [ ! -x "$BUILD/common/ret-keygen" ]; then
	cmake -S "$ROOT" -B "$BUILD" >/dev/null
	cmake --build "$BUILD" --target ret ret-keygen -j2 >/dev/null
fi
T=$(mktemp -d /tmp/ret-screenshot.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache

bash "$ROOT/tests/browser/demo_register.sh" "$BUILD/node/ret" \
	"$BUILD/common/ret-keygen" "$T/demo" >/dev/null
RET_CONFIG=$T/demo/demo.conf RET_USER=secretaris LC_ALL=C \
	"$BUILD/node/ret" dashboard --period 2026 --out "$T/dashboard.html" \
	--regio "$ROOT/tests/browser/fixtures/westfriesland-2026.json" \
	--regio "$ROOT/tests/browser/fixtures/midden-limburg-2026.json" >/dev/null
timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	--disable-quic --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --disable-extensions \
	--hide-scrollbars --user-data-dir="$T/profile" \
	--window-size=1200,1640 --screenshot="$T/dashboard.png" \
	"file://$T/dashboard.html" >/dev/null 2>&1
[ -s "$T/dashboard.png" ] || { echo "screenshot.sh: chromium wrote no screenshot" >&2; exit 1; }
cp "$T/dashboard.png" "$ROOT/docs/dashboard.png"
echo "wrote $ROOT/docs/dashboard.png"
