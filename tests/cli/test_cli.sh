#!/usr/bin/env bash
# CLI smoke test of `ret`: --help, every documented exit code, --json,
# the Dutch messages, and one casus taken through its whole lifecycle.
#
#   test_cli.sh RET RET_KEYGEN LOCALEDIR
#
# Everything happens in a temporary directory that is removed at the end.
# The only background process (a sqlite3 holding the write lock, for exit
# code 75) is stopped by its PID; every wait is bounded.
set -u
RET=${1:?usage: test_cli.sh RET RET_KEYGEN LOCALEDIR}
KEYGEN=${2:?ret-keygen path}
export RET_LOCALEDIR=${3:?locale directory}
export LC_ALL=C
unset LANGUAGE LANG RET_CONFIG
export RET_USER=secretaris

T=$(mktemp -d /tmp/ret-cli-test.XXXXXX)
LOCKPID=""
cleanup() {
	if [ -n "$LOCKPID" ]; then kill "$LOCKPID" 2>/dev/null; wait "$LOCKPID" 2>/dev/null; fi
	exec 3>&- 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

FAILS=0
CHECKS=0
OUT=$T/out
ERR=$T/err

fail() {
	echo "FAIL: $*" >&2
	echo "  stdout: $(head -c 600 "$OUT")" >&2
	echo "  stderr: $(head -c 600 "$ERR")" >&2
	FAILS=$((FAILS + 1))
}

# expect RC COMMAND...: run, keep stdout/stderr, check the exit code.
expect() {
	local want=$1 got
	shift
	CHECKS=$((CHECKS + 1))
	"$@" >"$OUT" 2>"$ERR"
	got=$?
	[ "$got" = "$want" ] || fail "exit $got, wanted $want: $*"
}

# out_has / err_has TEXT: the last command printed TEXT.
out_has() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
err_has() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
json_ok() {
	CHECKS=$((CHECKS + 1))
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" ||
		fail "stdout is not JSON"
}

# --- configuration ------------------------------------------------------
"$KEYGEN" --party region:noord-limburg --out "$T/nl.secret" >/dev/null || exit 1
"$KEYGEN" --party desk:bel-roermond --out "$T/desk.secret" >/dev/null || exit 1
RELAY_TK=$("$KEYGEN" --party relay:bel --out "$T/relay.secret" |
	sed -n 's/^transport_key = //p')
DESK_SK=$("$KEYGEN" --public "$T/desk.secret" | sed -n 's/^signing_key = //p')
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

[party desk:bel-roermond]
signing_key = $DESK_SK
ben = bel
CONF
sed 's/region:noord-limburg/desk:bel-roermond/; s/nl\.db/desk.db/; s/nl\.secret/desk.secret/' \
	"$T/nl.conf" >"$T/desk.conf"
sed 's/^ben = bel$/ben = bel\ncolour = blue/' "$T/nl.conf" >"$T/bad.conf"
sed 's|^database = nl.db|database = nodir/sub/nl.db|' "$T/nl.conf" >"$T/nodir.conf"
export RET_CONFIG=$T/nl.conf
DB=$T/nl.db

# --- help and usage (0, 64) -----------------------------------------------
expect 0 "$RET" --help
out_has "Usage: ret"
out_has "casus"
out_has "78 bad configuration"
expect 0 "$RET" --version
out_has "ret "
for cmd in init casus consultatie audit; do
	expect 0 "$RET" "$cmd" --help
	out_has "ret $cmd"
done
expect 64 "$RET"
err_has "no command given"
expect 64 "$RET" vliegen
err_has "unknown command 'vliegen'"
expect 64 "$RET" --kleur
err_has "unknown option '--kleur'"
expect 64 "$RET" --config
err_has "needs a value"
expect 64 "$RET" casus
err_has "missing command"
expect 64 "$RET" casus toon
err_has "missing argument"
expect 64 "$RET" casus toon abc
err_has "ID must be a positive number, not 'abc'"
expect 64 "$RET" casus toon 1 2
err_has "unexpected argument '2'"
expect 64 "$RET" casus lijst --naam x
err_has "option '--naam' does not apply here"
expect 64 "$RET" casus nieuw --vraag other
err_has "--aangemeld-door is required"
expect 64 "$RET" audit
err_has "missing subcommand"
expect 64 "$RET" --user 'a b' casus lijst
err_has "--user: 'a b' is not a valid user name"

# --- configuration errors (78) --------------------------------------------
expect 78 "$RET" --config "$T/missing.conf" casus lijst
err_has "missing.conf: cannot open"
expect 78 "$RET" --config "$T/bad.conf" casus lijst
err_has "bad.conf:4: unknown key 'colour' in [node]"
RET_CONFIG=$T/bad.conf expect 78 "$RET" init

# --- database unavailable (69) --------------------------------------------
expect 69 "$RET" casus lijst
err_has "did you run 'ret init'"
expect 69 "$RET" --config "$T/nodir.conf" init

# --- init ---------------------------------------------------------------
expect 0 "$RET" init
out_has "is ready for region:noord-limburg"
expect 0 "$RET" --json init
json_ok
out_has '"register": 2'
expect 0 "$RET" --config "$T/desk.conf" init
expect 78 "$RET" --config "$T/desk.conf" casus lijst
err_has "desk:bel-roermond is a BEN desk"

# --- bad data (65) --------------------------------------------------------
expect 65 "$RET" casus nieuw --aangemeld-door politie --vraag other
err_has "--aangemeld-door: 'politie' is not a valid value"
err_has "gemeente"
expect 65 "$RET" casus nieuw --aangemeld-door gi --vraag other --datum 2024-02-30
err_has "--datum: '2024-02-30' is not a date"
expect 65 "$RET" casus nieuw --aangemeld-door gi --vraag other --probleem gedrag,boos
err_has "--probleem: 'boos'"
expect 65 "$RET" casus toon 99
err_has "casus 99 does not exist"
expect 65 "$RET" casus lijst --fase bezig
err_has "--fase: 'bezig' is not a phase"

# --- one casus, end to end --------------------------------------------------
expect 0 "$RET" --json casus nieuw --aangemeld-door gemeente \
	--vraag verblijf_wachtlijst --probleem gedrag,gezin --thema wachtlijsten \
	--tafel doorbraaktafel --regisseur-org 'Gemeente Venlo' --datum 2024-03-01
json_ok
out_has '"id": 1'
expect 65 "$RET" casus persoon-toevoegen 1 --rol jeugdige --naam Sanne --bsn 123456789
err_has "--bsn: not a valid BSN"
expect 0 "$RET" casus persoon-toevoegen 1 --rol jeugdige --naam 'Sanne de Vries' \
	--bsn 111222333 --geboortedatum 2009-04-01 --postcode 5911ab --gemeente Venlo
out_has "Person 1 added."
expect 0 "$RET" casus persoon-toevoegen 1 --rol ouder --naam 'Jan de Vries'
# The scrubber probe takes the names of a casus from the register.
CHECKS=$((CHECKS + 1))
printf 'Sanne en vader Jan; dhr. De Vries belde over SANNE.\n' |
	"$RET" privacy scrub --casus 1 >"$OUT" 2>"$ERR" ||
	fail "privacy scrub --casus 1 failed"
out_has "[NAAM] en vader [NAAM]"
CHECKS=$((CHECKS + 1))
if grep -qiE "sanne|jan|vries" "$OUT"; then fail "a recorded name survived the scrubber"; fi
expect 65 "$RET" privacy scrub --casus 99 </dev/null
expect 64 "$RET" privacy scrub --casus abc </dev/null
expect 64 "$RET" privacy scrub --casus 1 --names-file /dev/null </dev/null
expect 65 "$RET" casus fase 1 afgesloten
err_has "casus 1 cannot go from aanmelding to afgesloten; allowed: triage (triage), geannuleerd (annuleren)"
expect 0 "$RET" casus fase 1 triage --notitie 'aanmelding compleet'
out_has "aanmelding -> triage"
expect 0 "$RET" --user voorzitter casus fase 1 bespreken
out_has "triage -> overleg"
expect 64 "$RET" casus advies 1 ''
err_has "the text must not be empty"
expect 0 "$RET" casus advies 1 'Tijdelijk verblijf in een kleinschalige groep'
expect 0 "$RET" casus afspraak 1 'Zorgaanbieder zoekt plek' --wie 'Zorgaanbieder X' --deadline 2024-04-01
expect 0 "$RET" --json casus fase 1 afschalen --notitie 'plan loopt'
json_ok
out_has '"to": "monitoren"'
out_has '"step": "afschalen"'
expect 0 "$RET" casus followup 1 2024-05-01 --notitie evaluatie
expect 0 "$RET" casus followup 1 2099-01-01
expect 0 "$RET" casus wijzig 1 --uitkomst opgelost --thema wachtlijsten,regie
expect 64 "$RET" casus wijzig 1
err_has "give at least one field"
expect 0 "$RET" casus lijst --verlopen --vandaag 2024-06-01
out_has "(overdue)"
expect 0 "$RET" --json casus lijst --fase monitoren
json_ok
out_has '"phase": "monitoren"'
expect 0 "$RET" casus followup-gedaan 1 1
expect 65 "$RET" casus followup-gedaan 1 1
err_has "casus 1 has no open follow-up 1"
expect 0 "$RET" casus lijst --verlopen --vandaag 2024-06-01
out_has "No cases."
expect 0 "$RET" casus fase 1 afsluiten
expect 65 "$RET" casus fase 1 overleg
err_has "a final phase"
expect 0 "$RET" casus toon 1
out_has "Casus 1 - phase afgesloten"
out_has "Sanne de Vries"
out_has "triage -> overleg (voorzitter)"
expect 0 "$RET" --json casus toon 1
json_ok
out_has '"phase": "afgesloten"'
out_has '"bsn": "111222333"'
out_has '"postcode": "5911 AB"'

# --- consultations ----------------------------------------------------------
expect 0 "$RET" consultatie nieuw --van zorgaanbieder --vraag 'Wie kan helpen?' --antwoord 'Bel het RET'
out_has "Consultation 1 recorded."
expect 65 "$RET" consultatie nieuw --van buurman --vraag x
err_has "--van: 'buurman'"
expect 0 "$RET" --json consultatie aanmelden 1 --type passend_aanbod
json_ok
out_has '"casus": 2'
expect 65 "$RET" consultatie aanmelden 1 --type passend_aanbod
err_has "already led to a casus"
expect 65 "$RET" consultatie toon 9
err_has "consultation 9 does not exist"
expect 0 "$RET" consultatie lijst
out_has "zorgaanbieder"

# --- correcting and erasing people (AVG) -------------------------------------
expect 0 "$RET" --json casus nieuw --aangemeld-door gi --vraag passend_aanbod
out_has '"id": 3'
expect 0 "$RET" --json casus persoon-toevoegen 3 --rol jeugdige --naam 'Piet Jansen' \
	--bsn 111222333 --adres 'Kerkstraat 2' --postcode 5911ab
out_has '"id": 3'
expect 0 "$RET" casus persoon-toevoegen 3 --rol ouder --naam 'Els Jansen'
out_has "Person 4 added."
expect 0 "$RET" casus persoon-wijzigen --help
out_has "persoon-verwijderen ID PERSOON-ID"
expect 64 "$RET" casus persoon-wijzigen 3 3
err_has "persoon-wijzigen: give at least one field to change"
expect 64 "$RET" casus persoon-wijzigen 3 --naam x
err_has "missing argument"
expect 64 "$RET" casus persoon-wijzigen 3 abc --naam x
expect 64 "$RET" casus persoon-wijzigen 3 3 --tafel mda
err_has "does not apply here"
expect 65 "$RET" casus persoon-wijzigen 3 3 --bsn 123456789
err_has "--bsn: not a valid BSN"
expect 65 "$RET" casus persoon-wijzigen 3 3 --postcode 12ab
err_has "--postcode: not a Dutch postcode"
expect 65 "$RET" casus persoon-wijzigen 3 3 --geboortedatum 2011-02-29
err_has "--geboortedatum"
expect 65 "$RET" casus persoon-wijzigen 3 3 --rol buurman
err_has "--rol"
expect 65 "$RET" casus persoon-wijzigen 3 3 --naam ''
err_has "cannot be cleared"
expect 65 "$RET" casus persoon-wijzigen 1 3 --naam x
err_has "casus 1 has no person 3"
expect 65 "$RET" casus persoon-wijzigen 99 3 --naam x
err_has "casus 99 does not exist"
expect 0 "$RET" casus persoon-wijzigen 3 3 --naam 'Piet Janssen' --postcode '5912 cd' --adres ''
out_has "Person 3 changed."
expect 0 "$RET" --json casus edit-person 3 3 --geboortedatum 2011-05-06 --bsn ''
json_ok
out_has '"id": 3'
expect 0 "$RET" --json casus toon 3
out_has '"name": "Piet Janssen"'
out_has '"postcode": "5912 CD"'
out_has '"birth_date": "2011-05-06"'
CHECKS=$((CHECKS + 1))
if grep -q -e 'Kerkstraat' -e '111222333' "$OUT"; then fail "a cleared field is still shown"; fi
expect 65 "$RET" casus persoon-verwijderen 1 4
err_has "casus 1 has no person 4"
expect 64 "$RET" casus persoon-verwijderen 3
expect 64 "$RET" casus persoon-verwijderen 3 4 --naam x
expect 0 "$RET" casus persoon-verwijderen 3 4
out_has "Person 4 removed; the casus stays."
expect 0 "$RET" --json casus remove-person 3 3
json_ok
out_has '"id": 3'
expect 65 "$RET" casus persoon-verwijderen 3 3
LC_ALL=C.UTF-8 LANGUAGE=nl expect 65 "$RET" casus persoon-verwijderen 3 3
err_has "casus 3 heeft geen persoon 3"
expect 0 "$RET" --json casus toon 3
out_has '"phase": "aanmelding"'
CHECKS=$((CHECKS + 1))
if grep -q 'Jans' "$OUT"; then fail "an erased person is still shown"; fi
expect 0 "$RET" --json audit lijst --casus 3
out_has '"persoon.edit"'
out_has '"persoon.remove"'
CHECKS=$((CHECKS + 1))
if grep -q -e 'Jans' -e 'Kerkstraat' -e '5912' "$OUT"; then fail "personal data in the audit log"; fi

# --- audit --------------------------------------------------------------------
expect 0 "$RET" audit verify
out_has "The audit log is intact"
expect 0 "$RET" --json audit lijst --casus 1 --limit 5
json_ok
CHECKS=$((CHECKS + 1))
if grep -q -e 'Sanne' -e '111222333' "$OUT"; then fail "personal data in the audit log"; fi

# --- Dutch, and locale-independent JSON and exit codes -------------------------
LC_ALL=C.UTF-8 LANGUAGE=nl expect 65 "$RET" casus toon 99
err_has "casus 99 bestaat niet"
LC_ALL=C.UTF-8 LANGUAGE=nl expect 65 "$RET" casus fase 1 overleg
err_has "een eindfase"
LC_ALL=C.UTF-8 LANGUAGE=nl expect 0 "$RET" casus --help
out_has "een nieuwe casus registreren"
LC_ALL=C.UTF-8 LANGUAGE=nl expect 0 "$RET" casus toon 1
out_has "Casus 1 - fase afgesloten"
out_has "Betrokkenen:"
LC_ALL= LANG=nl_NL.UTF-8 expect 64 "$RET" casus nieuw --vraag other
err_has "nieuw: --aangemeld-door is verplicht"
LC_ALL= LANG=nl_NL.UTF-8 expect 0 "$RET" --json casus lijst
json_ok
cp "$OUT" "$T/list.nl"
expect 0 "$RET" --json casus lijst
CHECKS=$((CHECKS + 1))
cmp -s "$OUT" "$T/list.nl" || fail "--json output depends on the locale"

# --- try again later (75): another process holds the write lock ------------
mkfifo "$T/lockfifo"
sqlite3 "$DB" <"$T/lockfifo" >"$T/lockout" 2>&1 &
LOCKPID=$!
exec 3>"$T/lockfifo"
echo "BEGIN IMMEDIATE; SELECT 'locked';" >&3
for _ in $(seq 1 50); do
	grep -q locked "$T/lockout" 2>/dev/null && break
	sleep 0.1
done
RET_BUSY_TIMEOUT_MS=50 expect 75 "$RET" casus nieuw --aangemeld-door gi --vraag other
err_has "busy"
echo "COMMIT;" >&3
exec 3>&-
wait "$LOCKPID"
LOCKPID=""
expect 0 "$RET" casus nieuw --aangemeld-door gi --vraag other

# --- a newer schema (69) and a tampered audit log (65) ---------------------------
sqlite3 "$DB" "UPDATE schema_meta SET version = 99 WHERE component = 'register'"
expect 69 "$RET" casus lijst
err_has "newer than this program"
sqlite3 "$DB" "UPDATE schema_meta SET version = 2 WHERE component = 'register'"
sqlite3 "$DB" "DROP TRIGGER audit_no_update; UPDATE audit SET user = 'iemand' WHERE seq = 3"
expect 65 "$RET" audit verify
err_has "first at row 3"
expect 65 "$RET" --json audit verify
json_ok
out_has '"first_bad_row": 3'

echo "test_cli.sh: $CHECKS checks, $FAILS failed"
[ "$FAILS" = 0 ]
