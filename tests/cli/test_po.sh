#!/usr/bin/env bash
# Every message the ret CLI shows to a chair or secretary has a Dutch
# translation: extract the message ids of node/cli/cli_*.c with xgettext and
# compare them with node/po/nl.po. Fails naming each missing message.
#
#   bash tests/cli/test_po.sh SOURCE_DIR
set -u
src=${1:?usage: test_po.sh SOURCE_DIR}
command -v xgettext >/dev/null && command -v msgcmp >/dev/null || {
	echo "test_po.sh: gettext tools are not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
xgettext --from-code=UTF-8 -k_ -kN_ -o "$tmp/ret.pot" $(ls "$src"/node/cli/cli_*.c "$src"/node/cli_*.c 2>/dev/null) || exit 1
if ! msgcmp "$src/node/po/nl.po" "$tmp/ret.pot" 2>"$tmp/cmp"; then
	grep "not defined" "$tmp/cmp" | head -20
	echo "test_po.sh: $(grep -c 'not defined' "$tmp/cmp") message(s) without a Dutch translation"
	exit 1
fi
msgfmt --check -o /dev/null "$src/node/po/nl.po" || exit 1
echo "test_po.sh: every message of the ret CLI has its Dutch translation"
