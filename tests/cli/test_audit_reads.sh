#!/usr/bin/env bash
# Every read of a personal table is audited: a scripted session of the
# `ret` CLI (register, read, preview, send, figures) must leave exactly the
# audit rows listed below, one per read and per change, in this order, each
# naming the person who typed the command. A read that stopped appending
# its row, or a new read without one, changes the list and fails the test.
#
#   bash tests/cli/test_audit_reads.sh RET RET_KEYGEN
set -u
RET=${1:?usage: test_audit_reads.sh RET RET_KEYGEN}
KEYGEN=${2:?ret-keygen path}
export LC_ALL=C
unset LANGUAGE LANG
T=$(mktemp -d /tmp/ret-audit-reads.XXXXXX)
trap 'rm -rf "$T"' EXIT

"$KEYGEN" --party region:noord-limburg --out "$T/nl.secret" >/dev/null || exit 1
RELAY_TK=$("$KEYGEN" --party relay:bel --out "$T/relay.secret" |
	sed -n 's/^transport_key = //p')
cat >"$T/nl.conf" <<CONF
[node]
party = region:noord-limburg
ben = bel
database = nl.db
key_file = nl.secret

[relay]
endpoint = tcp://127.0.0.1:7400
party = relay:bel
transport_key = $RELAY_TK
CONF
export RET_CONFIG=$T/nl.conf

step() { # user, then the command
	local u=$1
	shift
	"$RET" --user "$u" "$@" >"$T/out" 2>"$T/err" || {
		echo "FAIL: ret --user $u $* exited $?: $(head -c 300 "$T/err")"
		exit 1
	}
}
step secretaris init
step secretaris casus nieuw --aangemeld-door gemeente --vraag verblijf_wachtlijst \
	--probleem gedrag,gezin --datum 2026-03-01
step secretaris casus persoon-toevoegen 1 --rol jeugdige --naam 'Sanne de Vries' \
	--geboortedatum 2012-04-01
step secretaris casus toon 1
step secretaris casus lijst
step secretaris casus fase 1 triage
step voorzitter casus fase 1 bespreken
step voorzitter opschaling 1 --waarom-vast 'Geen passende plek.' \
	--geprobeerd 'Drie aanbieders.' --steun expertise --urgentie hoog --preview
step voorzitter opschaling 1 --waarom-vast 'Geen passende plek.' \
	--geprobeerd 'Drie aanbieders.' --steun expertise --urgentie hoog
step voorzitter dashboard --period 2026 --out "$T/d.html"

"$RET" --json audit lijst --limit 1000 >"$T/audit.json" 2>"$T/err" || {
	echo "FAIL: ret audit lijst: $(cat "$T/err")"
	exit 1
}
python3 - "$T/audit.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
if isinstance(rows, dict):
    rows = rows.get("rows") or rows.get("audit") or []
got = [(r["user"], r["action"]) for r in sorted(rows, key=lambda r: r["seq"])]
want = [
    ("secretaris", "db.init"),
    ("secretaris", "casus.new"),
    ("secretaris", "persoon.add"),
    ("secretaris", "casus.show"),              # read: the casus and its persons
    ("secretaris", "casus.list"),              # read: the list of cases
    ("secretaris", "casus.phase"),
    ("voorzitter", "casus.phase"),
    ("voorzitter", "casus.read_for_request"),  # read: the preview's facts
    ("voorzitter", "casus.read_for_request"),  # read: the send's facts
    ("voorzitter", "message.queued"),          # one transaction with ...
    ("voorzitter", "casus.request_sent"),      # ... the record of the send
    ("voorzitter", "stats.read"),              # read: the dashboard's figures
]
if got != want:
    print("FAIL: the audit log of the session is not what its reads and changes must leave")
    print("  got:  %s" % got)
    print("  want: %s" % want)
    sys.exit(1)
reads = sum(1 for _, a in got if a in ("casus.show", "casus.list", "casus.read_for_request", "stats.read"))
print("test_audit_reads.sh: %d audit rows, %d of them reads, each audited" % (len(got), reads))
PY
