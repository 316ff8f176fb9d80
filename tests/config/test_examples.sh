#!/bin/bash
# test_examples: the example configurations and units in config/ work
# together (docs/relay.md, "Operations").
#  1. scripts/check-example-configs.py finds the keys in agreement, and
#     finds a disagreement planted in a copy (naming file and party);
#  2. every configuration passes the daemons' own --check-config (up to
#     the key file, which the examples cannot ship);
#  3. config/ret-sysusers.conf creates every User= the units name
#     (systemd-sysusers --root into a scratch directory).
set -u
src=$1 relay=$2 node=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if ! "$@"; then echo "not ok: $*"; fail=1; fi; }

out=$(python3 "$src/scripts/check-example-configs.py" 2>&1)
check test $? -eq 0
echo "$out"
check grep -q "keys agree" <<<"$out"

cp "$src"/config/*.ini "$src"/config/*.conf "$tmp"/
rm -f "$tmp/ret-sysusers.conf"
# A desk key that differs in one region's copy, as in the old examples.
key=$(awk '/^\[party desk:bel-roermond\]/{getline; print $3; exit}' "$tmp/relay-bel.ini")
check test ${#key} -eq 64
sed -i "s/$key/$(printf '%064d' 7)/" "$tmp/region-zuid-limburg.conf"
out=$(python3 "$src/scripts/check-example-configs.py" "$tmp"/*.ini "$tmp"/*.conf 2>&1)
check test $? -eq 1
echo "$out"
check grep -q "signing_key of desk:bel-roermond disagrees" <<<"$out"
check grep -q "region-zuid-limburg.conf:" <<<"$out"

for f in "$src"/config/relay-*.ini; do
	check "$relay" --check-config "$f"
done
for f in "$src"/config/region-*.conf "$src"/config/desk-*.conf; do
	out=$("$node" --check-config "$f" 2>&1)
	# Everything before the key file is valid: the only complaint may be
	# the credential the examples cannot ship.
	if ! grep -q "configuration is valid" <<<"$out"; then
		check grep -q "cannot open key file /run/credentials/" <<<"$out"
	fi
done

if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/root/etc"
	check systemd-sysusers --root="$tmp/root" "$src/config/ret-sysusers.conf"
	for unit in "$src"/config/*.service; do
		user=$(sed -n 's/^User=//p' "$unit")
		check test -n "$user"
		check grep -q "^$user:" "$tmp/root/etc/passwd"
	done
else
	echo "# systemd-sysusers not installed: users not checked"
fi
[ $fail -eq 0 ] && echo "ok: example configurations"
exit $fail
