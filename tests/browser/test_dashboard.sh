#!/usr/bin/env bash
# The dashboard in a real browser: build a demo register with the `ret`
# CLI, write the 2026 dashboard (with two other regions side by side),
# open it in headless Chromium and check that
#   - it renders: a desktop screenshot (1200x2400), a phone screenshot
#     (390 wide) and an A4 PDF are written to ARTIFACTS;
#   - the console has no error and no Content Security Policy violation;
#   - the page made no network request (Chromium's net log);
#   - at phone width nothing scrolls sideways (measured in a test-only copy
#     of the page that may run one script).
# Negative controls prove the checks can fail: a page that loads an image
# must be caught by the console check (CSP) and by the net-log check.
#
#   test_dashboard.sh RET RET_KEYGEN ARTIFACTS
#
# Exit 0 ok, 1 failure, 77 skipped (no Chromium: install the Debian package
# `chromium`). Every Chromium run is bounded by `timeout`; the temporary
# directory is removed at the end.
set -u
RET=${1:?usage: test_dashboard.sh RET RET_KEYGEN ARTIFACTS}
KEYGEN=${2:?ret-keygen path}
ART=${3:?artifacts directory}
HERE=$(cd "$(dirname "$0")" && pwd)
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
	echo "SKIP: Chromium is not installed (apt-get install chromium); the browser test needs it"
	exit 77
fi
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read the net log"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 is needed for the demo register"; exit 77; }

T=$(mktemp -d /tmp/ret-browser-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME=$T XDG_CONFIG_HOME=$T/config XDG_CACHE_HOME=$T/cache
mkdir -p "$ART"
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }

# chrome NAME ARGS...: one headless run with a fresh profile and a net log;
# stderr (console messages included) in $T/NAME.log.
chrome() {
	local name=$1
	shift
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --disable-extensions \
		--disable-default-apps --no-default-browser-check --no-pings \
		--disable-breakpad --hide-scrollbars --mute-audio \
		--user-data-dir="$T/profile-$name" \
		--enable-logging=stderr --v=0 \
		--log-net-log="$T/$name.netlog.json" \
		"$@" >"$T/$name.out" 2>"$T/$name.log"
}

# console_errors NAME: the console messages and CSP violations of a run.
console_errors() {
	grep -E 'CONSOLE|Content Security Policy|Refused to|Uncaught' "$T/$1.log"
}

# --- the page -------------------------------------------------------------
bash "$HERE/demo_register.sh" "$RET" "$KEYGEN" "$T/demo" >/dev/null ||
	{ echo "FAIL: could not build the demo register" >&2; exit 1; }
export RET_CONFIG=$T/demo/demo.conf RET_USER=secretaris LC_ALL=C
PAGE=$T/dashboard.html
"$RET" dashboard --period 2026 --out "$PAGE" \
	--regio "$HERE/fixtures/westfriesland-2026.json" \
	--regio "$HERE/fixtures/midden-limburg-2026.json" >/dev/null ||
	{ echo "FAIL: ret dashboard failed" >&2; exit 1; }
cp "$PAGE" "$ART/dashboard.html"
grep -q "Content-Security-Policy" "$PAGE" || fail "the page has no CSP"

# --- desktop --------------------------------------------------------------
rm -f "$ART/dashboard.png"
chrome desktop --window-size=1200,2400 --screenshot="$ART/dashboard.png" \
	"file://$PAGE" || fail "chromium failed on the desktop run (exit $?)"
[ -s "$ART/dashboard.png" ] &&
	[ "$(head -c 8 "$ART/dashboard.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "no desktop screenshot"
if console_errors desktop >"$T/desktop.console"; then
	fail "console messages on the desktop run: $(head -c 600 "$T/desktop.console")"
fi
python3 "$HERE/check_netlog.py" "$T/desktop.netlog.json" ||
	fail "the page made network requests (or the net log is unreadable)"

# --- phone ----------------------------------------------------------------
rm -f "$ART/dashboard-phone.png"
chrome phone --window-size=390,2400 --force-device-scale-factor=1 \
	--screenshot="$ART/dashboard-phone.png" "file://$PAGE" ||
	fail "chromium failed on the phone run (exit $?)"
[ -s "$ART/dashboard-phone.png" ] || fail "no phone screenshot"
if console_errors phone >"$T/phone.console"; then
	fail "console messages on the phone run: $(head -c 600 "$T/phone.console")"
fi
python3 "$HERE/check_netlog.py" "$T/phone.netlog.json" ||
	fail "the page made network requests at phone width"

# Sideways scrolling: a test-only copy whose CSP allows one inline script
# that writes the widths into the title; --dump-dom shows it.
sed -e "s|default-src 'none'; style-src 'unsafe-inline'; img-src data:|default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'unsafe-inline'|" \
	-e 's|</body>|<script>document.title="W="+document.documentElement.scrollWidth+"/"+window.innerWidth;</script></body>|' \
	"$PAGE" >"$T/measure.html"
chrome measure --window-size=390,2400 --dump-dom "file://$T/measure.html" ||
	fail "chromium failed on the measuring run"
W=$(sed -n 's|.*<title>W=\([0-9]*\)/\([0-9]*\)</title>.*|\1 \2|p' "$T/measure.out")
if [ -z "$W" ]; then
	fail "could not measure the page width"
else
	set -- $W
	[ "$1" -le "$2" ] || fail "at 390 px the page is $1 px wide: it scrolls sideways"
fi

# --- A4 -------------------------------------------------------------------
rm -f "$ART/dashboard-a4.pdf"
chrome print --no-pdf-header-footer --print-to-pdf="$ART/dashboard-a4.pdf" \
	"file://$PAGE" || fail "chromium failed to print"
[ "$(head -c 5 "$ART/dashboard-a4.pdf" 2>/dev/null)" = "%PDF-" ] ||
	fail "no A4 PDF"

# --- negative controls: the checks must catch a page that loads -----------
cat >"$T/bad-csp.html" <<'HTML'
<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"><title>x</title></head><body><img alt="" src="http://127.0.0.1:9/x.png"></body></html>
HTML
chrome badcsp --window-size=400,400 --screenshot="$T/bad.png" "file://$T/bad-csp.html"
console_errors badcsp >/dev/null || fail "control: a blocked image did not show as a console error"
sed 's|<meta http-equiv[^>]*>||' "$T/bad-csp.html" >"$T/bad-net.html"
chrome badnet --window-size=400,400 --screenshot="$T/bad.png" "file://$T/bad-net.html"
python3 "$HERE/check_netlog.py" "$T/badnet.netlog.json" some >/dev/null ||
	fail "control: an image request did not show in the net log"

if [ "$FAILS" -gt 0 ]; then
	echo "$FAILS browser check(s) failed; artifacts in $ART" >&2
	exit 1
fi
echo "ok: dashboard renders without console errors or network requests; screenshots in $ART"
