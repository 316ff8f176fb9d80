#!/usr/bin/env bash
# The arrows of node/ that the compiler alone does not check:
#   1. no SQL on the register's tables (persoon, casus, casus_problem,
#      casus_theme, casus_transition, advies, afspraak, followup,
#      consultatie) outside node/register, so every read of them goes
#      through the register's (audited) functions;
#   2. no file outside node/guard names the guard's private header (the
#      one test that must fail to compile on it excepted).
# Prints each violation with file and line; exit 1 when there is one.
#
#   bash scripts/check_layers.sh [SOURCE_DIR]
set -u
src=${1:-$(dirname "$0")/..}
cd "$src" || exit 2
fails=0

sql=$(grep -rnE --include='*.c' --include='*.h' \
	"(FROM|JOIN|INTO|UPDATE|TABLE)[[:space:]]+(persoon|casus|casus_problem|casus_theme|casus_transition|advies|afspraak|followup|consultatie)\b" \
	node | grep -v '^node/register/')
if [ -n "$sql" ]; then
	echo "check_layers: SQL on persoon/casus outside node/register:"
	echo "$sql"
	fails=1
fi

priv=$(grep -rn --include='*.c' --include='*.h' 'guard_private\.h' \
	node tests bench relay common proto 2>/dev/null |
	grep -v '^node/guard/' | grep -v '^tests/guard/include_private\.c:')
if [ -n "$priv" ]; then
	echo "check_layers: the guard's private header named outside node/guard:"
	echo "$priv"
	fails=1
fi

[ "$fails" = 0 ] && echo "check_layers: personal tables only in node/register; guard_draft only in node/guard"
exit "$fails"
