#!/usr/bin/env bash
# CLI test of what a secretary does around the cases, against the real
# `ret` binary and a real SQLite file: ret overleg (plan, agenda with the
# evaluation-form deadline, participants, attendance, minutes that become
# the casus's advice and agreements), ret declaratie (text, --json, --csv),
# ret monitor (dry run, export 0600, refusal of an existing path, reminder,
# opruimen, and a scan of the file for every BSN, name, birth date, address
# and postcode of the register), informing clients, complaint referrals,
# consultation outcomes and the confirmation (.eml). Bad input gets a
# Dutch error and changes nothing (row and audit counts compared).
#
#   test_around.sh RET RET_KEYGEN LOCALEDIR
set -u
RET=${1:?usage: test_around.sh RET RET_KEYGEN LOCALEDIR}
KEYGEN=${2:?ret-keygen path}
export RET_LOCALEDIR=${3:?locale directory}
export LC_ALL=C
unset LANGUAGE LANG RET_CONFIG
export RET_USER=secretaris

T=$(mktemp -d /tmp/ret-around-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
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
expect() {
	local want=$1 got
	shift
	CHECKS=$((CHECKS + 1))
	"$@" >"$OUT" 2>"$ERR"
	got=$?
	[ "$got" = "$want" ] || fail "exit $got, wanted $want: $*"
}
# nl RC COMMAND...: as expect, in Dutch.
nl() { LC_ALL=C.UTF-8 LANGUAGE=nl expect "$@"; }
out_has() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$OUT" || fail "stdout lacks '$1'"; }
err_has() { CHECKS=$((CHECKS + 1)); grep -qF -- "$1" "$ERR" || fail "stderr lacks '$1'"; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in sys.argv[2:]: d=d[int(k)] if isinstance(d,list) else d[k]
print(d)' "$OUT" "$@"; }
eq() { CHECKS=$((CHECKS + 1)); [ "$1" = "$2" ] || fail "$3: got '$1', wanted '$2'"; }

"$KEYGEN" --party region:noord-limburg --out "$T/nl.secret" >/dev/null || exit 1
RELAY_TK=$("$KEYGEN" --party relay:bel --out "$T/relay.secret" |
	sed -n 's/^transport_key = //p')
YEAR=$(date -u +%Y)
NEXT=$((YEAR + 1))
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

[overleg]
evaluation_days = 7
rate_$YEAR = 128.40
rate_$NEXT = 131.00
CONF
sed 's/^rate_.*//; s/^declare.*//' "$T/nl.conf" >"$T/norate.conf"
printf 'declare = all\n' >>"$T/nl-all.conf.tail"
{ cat "$T/nl.conf"; echo "declare = all"; } >"$T/all.conf"
{ cat "$T/nl.conf"; echo "evaluation_days = -1"; } | sed '0,/evaluation_days = 7/{/evaluation_days = 7/d}' >"$T/baddays.conf"
export RET_CONFIG=$T/nl.conf
DB=$T/nl.db
rows() { sqlite3 "$DB" "SELECT (SELECT count(*) FROM overleg) || '/' || (SELECT count(*) FROM overleg_agenda) || '/' || (SELECT count(*) FROM overleg_deelnemer) || '/' || (SELECT count(*) FROM deelnemer) || '/' || (SELECT count(*) FROM monitor_export) || '/' || (SELECT count(*) FROM casus_informed) || '/' || (SELECT count(*) FROM advies) || '/' || (SELECT count(*) FROM afspraak)"; }
audits() { sqlite3 "$DB" "SELECT count(*) FROM audit"; }

in_days() { date -u -d "+$1 days" +%Y-%m-%d; }
D1=$(in_days 10)
D2=$(in_days 24)
PAST=$(date -u -d "-1 days" +%Y-%m-%d)
# A meeting whose evaluation deadline has passed already.
DSOON=$(in_days 3)

# --- help ---------------------------------------------------------------
for cmd in overleg declaratie monitor status; do
	expect 0 "$RET" "$cmd" --help
	out_has "ret $cmd"
done
nl 0 "$RET" overleg --help
out_has "een overleg plannen"
expect 0 "$RET" init
out_has "register 2"
expect 78 "$RET" --config "$T/baddays.conf" overleg lijst
err_has "evaluation_days must be a whole number from 0 to 60"

# --- the register: two cases with people -------------------------------
expect 0 "$RET" casus nieuw --aangemeld-door gemeente --vraag verblijf_wachtlijst \
	--probleem gedrag,gezin --omschrijving 'Sanne de Vries woont aan de Kerkstraat 12, 5911 AB Venlo; BSN 111222333, geboren 04-03-2012.'
expect 0 "$RET" casus persoon-toevoegen 1 --rol jeugdige --naam 'Sanne de Vries' \
	--bsn 111222333 --geboortedatum 2012-03-04 --adres 'Kerkstraat 12' --postcode 5911AB --gemeente Venlo
expect 0 "$RET" casus persoon-toevoegen 1 --rol ouder --naam 'Karin de Vries-Jansen' \
	--bsn 123456782 --geboortedatum 1980-11-23 --adres 'Kerkstraat 12' --postcode 5911AB
expect 0 "$RET" casus nieuw --aangemeld-door gi --vraag passend_aanbod --tafel doorbraaktafel \
	--omschrijving 'Mohammed El Amrani (Molenweg 3) zoekt een plek.'
expect 0 "$RET" casus persoon-toevoegen 2 --rol jeugdige --naam 'Mohammed El Amrani' \
	--bsn 999999990 --geboortedatum 2009-07-15 --adres 'Molenweg 3' --postcode 6041CD
expect 0 "$RET" casus fase 1 triage
expect 0 "$RET" casus fase 2 triage

# --- plan meetings ---------------------------------------------------------
BEFORE=$(rows); AUD=$(audits)
nl 65 "$RET" overleg nieuw --datum "$PAST" --tafel ret
err_has "ligt in het verleden"
nl 65 "$RET" overleg nieuw --datum "$D1" --tafel kantine
err_has "is geen geldige waarde"
nl 65 "$RET" overleg nieuw --datum 2026-02-30 --tafel ret
err_has "is geen datum"
nl 64 "$RET" overleg nieuw --tafel ret
err_has "--datum en --tafel zijn verplicht"
eq "$(rows)" "$BEFORE" "rows after refused plans"
eq "$(audits)" "$AUD" "audit rows after refused plans"

expect 0 "$RET" --json overleg nieuw --datum "$D1" --tafel ret --notitie 'Tweewekelijks RET'
eq "$(json_get id)" 1 "first meeting id"
expect 0 "$RET" overleg nieuw --datum "$DSOON" --tafel doorbraaktafel
out_has "Meeting 2 planned."
expect 0 "$RET" overleg nieuw --datum "$D2" --tafel mda

# --- agenda and evaluation deadline -----------------------------------------
expect 0 "$RET" --json overleg agenderen 1 1
eq "$(json_get evaluation_due)" "$(date -u -d "$D1 -7 days" +%Y-%m-%d)" "evaluation deadline D1-7"
expect 0 "$RET" overleg agenderen 2 2
out_has "evaluation form is due on $(date -u -d "$DSOON -7 days" +%Y-%m-%d)"
BEFORE=$(rows); AUD=$(audits)
nl 65 "$RET" overleg agenderen 1 1
err_has "staat al op de agenda van overleg 1"
nl 65 "$RET" overleg agenderen 1 99
err_has "casus 99 bestaat niet"
nl 65 "$RET" overleg agenderen 9 1
err_has "overleg 9 bestaat niet"
eq "$(rows)" "$BEFORE" "rows after refused agenda"
eq "$(audits)" "$AUD" "audit rows after refused agenda"

# The form for meeting 2 is overdue (its deadline lies before today).
expect 0 "$RET" overleg toon 2
out_has "OVERDUE"
expect 0 "$RET" --json casus lijst --verlopen
eq "$(json_get 0 id)" 2 "overdue list holds casus 2"
eq "$(json_get 0 evaluation_overdue)" True "casus 2 evaluation overdue"
nl 0 "$RET" casus lijst --verlopen
out_has "evaluatieformulier te laat sinds"
expect 0 "$RET" overleg evaluatie 2 2
expect 0 "$RET" --json casus lijst --verlopen
eq "$(json_get 0 2>/dev/null || echo none)" none "nothing overdue after the form arrived"
# Seen from 8 days before meeting 1, its form is not yet due.
expect 0 "$RET" --json overleg toon 1 --vandaag "$(date -u -d "$D1 -8 days" +%Y-%m-%d)"
eq "$(json_get agenda 0 evaluation_overdue)" False "not overdue 8 days before"
expect 0 "$RET" --json overleg toon 1 --vandaag "$(date -u -d "$D1 -6 days" +%Y-%m-%d)"
eq "$(json_get agenda 0 evaluation_overdue)" True "overdue 6 days before"

# --- participants, attendance, hours --------------------------------------------
expect 0 "$RET" overleg deelnemer-nieuw --naam 'Piet Bakker' --organisatie 'GGZ Noord' --soort kern
expect 0 "$RET" overleg deelnemer-nieuw --naam 'Ans Smit' --organisatie 'Gemeente Venlo' --soort kern
expect 0 "$RET" overleg deelnemer-nieuw --naam 'Els Visser' --organisatie 'GGZ Noord' --soort kern
expect 0 "$RET" overleg deelnemer-nieuw --naam 'Dr. Kaya' --organisatie 'Jeugdpsychiatrie' --soort expert
expect 0 "$RET" overleg deelnemer-nieuw --naam 'Joris Mol' --organisatie 'Onderwijs' --soort schil
BEFORE=$(rows); AUD=$(audits)
nl 65 "$RET" overleg deelnemer-nieuw --naam 'Piet Bakker' --organisatie 'GGZ Noord' --soort kern
err_has "staat al op de lijst"
nl 65 "$RET" overleg deelnemer-nieuw --naam 'X' --organisatie 'Y' --soort gast
err_has "is geen geldige waarde"
nl 65 "$RET" overleg aanwezig 1 1 --uren -2
err_has "is geen aantal uren van 0 tot 24"
nl 65 "$RET" overleg aanwezig 1 1 --uren 25
err_has "is geen aantal uren"
nl 65 "$RET" overleg aanwezig 1 1 --uren 1.234
nl 65 "$RET" overleg aanwezig 1 42 --uren 2
err_has "deelnemer 42 bestaat niet"
nl 64 "$RET" overleg aanwezig 1 1
err_has "--uren is verplicht"
eq "$(rows)" "$BEFORE" "rows after refused attendance"
eq "$(audits)" "$AUD" "audit rows after refused attendance"
expect 0 "$RET" overleg aanwezig 1 1 --uren 2.5
expect 0 "$RET" overleg aanwezig 1 2 --uren 2
expect 0 "$RET" overleg aanwezig 1 3 --uren 0,75
expect 0 "$RET" overleg aanwezig 1 4 --uren 1
expect 0 "$RET" overleg afwezig 1 5
expect 0 "$RET" overleg aanwezig 2 1 --uren 1.5
expect 0 "$RET" overleg aanwezig 2 1 --uren 3
expect 0 "$RET" --json overleg toon 2
eq "$(json_get participants 0 hours_x100)" 300 "second record replaces the first"

# --- minutes become advice and agreements -----------------------------------------
BEFORE=$(rows)
nl 65 "$RET" overleg verslag 1 2 --verslag 'x'
err_has "casus 2 staat niet op de agenda van overleg 1"
nl 65 "$RET" overleg verslag 1 1 --verslag 'x' --afspraak 'y' --deadline 2026-13-01
err_has "is geen datum"
nl 64 "$RET" overleg verslag 1 1 --verslag 'x' --wie ik
err_has "--wie en --deadline horen bij --afspraak"
eq "$(rows)" "$BEFORE" "rows after refused minutes"
expect 0 "$RET" --json overleg verslag 1 1 --verslag 'Besproken met de kernpartners' \
	--advies 'Start een verkenning naar kleinschalig wonen' \
	--afspraak 'Aanbieders benaderen' --wie jeugdconsulent --deadline "$D2"
ADV=$(json_get advice_id); AGR=$(json_get agreement_id)
expect 0 "$RET" --json casus toon 1
eq "$(json_get advice 0 id)" "$ADV" "advice recorded with the casus"
eq "$(json_get agreements 0 text)" "Aanbieders benaderen" "agreement recorded with the casus"
expect 0 "$RET" overleg toon 1
out_has "Minutes: Besproken met de kernpartners"
out_has "Piet Bakker (GGZ Noord, kern): present, 2.50 hours"
expect 0 "$RET" overleg lijst
out_has "$D1"

# --- declaration ------------------------------------------------------------------
expect 0 "$RET" --json declaratie --periode "$YEAR"
# kern only: Piet 2.5 + 3 = 5.5 h, Ans 2 h, Els 0.75 h at 128.40
eq "$(json_get total_hours_x100)" 825 "declared hours (kern)"
eq "$(json_get total_cents)" $(( (550*12840+50)/100 + (200*12840+50)/100 + (75*12840+50)/100 )) "declared amount"
eq "$(json_get organisations 0 organisation)" "GGZ Noord" "first organisation"
eq "$(json_get organisations 0 amount_cents)" $(( (550*12840+50)/100 + (75*12840+50)/100 )) "GGZ Noord amount"
expect 0 "$RET" declaratie --periode "$YEAR" --csv
out_has "period,name,organisation,kind,meetings,hours,rate_eur,amount_eur"
out_has "$YEAR,Piet Bakker,GGZ Noord,kern,2,5.50,128.40,706.20"
nl 0 "$RET" declaratie --periode "$YEAR"
out_has "Declaratie $YEAR - tarief EUR 128.40 per uur, alleen de vaste kern"
expect 0 "$RET" --config "$T/all.conf" --json declaratie --periode "$YEAR"
eq "$(json_get total_hours_x100)" 925 "declared hours (all)"
AUD=$(audits)
nl 78 "$RET" declaratie --periode $((YEAR - 1))
err_has "geen tarief voor $((YEAR - 1)) in de configuratie"
nl 78 "$RET" --config "$T/norate.conf" declaratie --periode "$YEAR"
err_has "geen tarief voor $YEAR"
nl 65 "$RET" declaratie --periode 20xx
err_has "is geen periode"
nl 64 "$RET" declaratie
err_has "--periode is verplicht"
eq "$(audits)" "$AUD" "a refused declaration reads nothing"

# --- informing clients, complaints, consultation outcome -------------------------------
expect 0 "$RET" --json status
eq "$(json_get uninformed 0 id)" 1 "casus 1 uninformed"
nl 0 "$RET" casus lijst --fase triage
out_has "jeugdige/ouders nog niet geïnformeerd"
BEFORE=$(rows)
nl 65 "$RET" casus geinformeerd 1 --hoe duif
err_has "--hoe: 'duif' is geen geldige waarde"
nl 65 "$RET" casus geinformeerd 1 --hoe brief --datum "$D2"
err_has "ligt in de toekomst"
eq "$(rows)" "$BEFORE" "rows after refused informed"
expect 0 "$RET" casus geinformeerd 1 --hoe brief --monitorbrief
expect 0 "$RET" --json status
eq "$(json_get uninformed 0 id)" 2 "only casus 2 uninformed"
expect 0 "$RET" casus nieuw --aangemeld-door ouders_jeugdige --vraag other
expect 0 "$RET" casus fase 3 triage
nl 65 "$RET" casus klacht 3 --naar rechter
err_has "kies klachtenregeling of vertrouwenspersoon"
expect 0 "$RET" --json casus klacht 3 --naar vertrouwenspersoon
eq "$(json_get moved_to_doorverwezen)" True "complaint casus moved to doorverwezen"
expect 0 "$RET" consultatie nieuw --van ouders_jeugdige --vraag 'Ik ben het niet eens met de aanpak van Sanne de Vries haar school.' \
	--antwoord 'Dat is een klacht; neem contact op met de vertrouwenspersoon.'
expect 0 "$RET" consultatie uitkomst 1 vertrouwenspersoon
nl 65 "$RET" consultatie uitkomst 1 opgelost
err_has "is geen geldige waarde"
nl 65 "$RET" consultatie uitkomst 7 beantwoord
err_has "consultatie 7 bestaat niet"
expect 0 "$RET" --json dashboard --periode "$YEAR"
eq "$(json_get around complaint_cases)" "<5" "complaint cases suppressed"
eq "$(json_get around uninformed)" 1 "dashboard: uninformed"
nl 0 "$RET" dashboard --periode "$YEAR"
out_has "Doorverwezen naar klachtenregeling of vertrouwenspersoon"

# --- confirmation --------------------------------------------------------------------
expect 0 "$RET" consultatie nieuw --van zorgaanbieder --vraag 'Wie kan helpen bij een passende plek?' \
	--antwoord 'Neem contact op met het RET-secretariaat.'
expect 0 "$RET" consultatie aanmelden 2 --type passend_aanbod
expect 0 "$RET" casus persoon-toevoegen 4 --rol jeugdige --naam 'Lotte Jansen' --bsn 111222333
expect 0 "$RET" casus afspraak 4 'Lotte Jansen krijgt een gesprek' --wie 'RET' --deadline "$D2"
nl 0 "$RET" consultatie bevestiging 2
out_has "Geachte heer/mevrouw,"
out_has "Wie kan helpen bij een passende plek?"
out_has "Afspraken:"
CHECKS=$((CHECKS + 1)); ! grep -q "Lotte\|Jansen\|111222333" "$OUT" || fail "confirmation holds another person's data"
nl 0 "$RET" consultatie bevestiging 1
out_has "vertrouwenspersoon"
CHECKS=$((CHECKS + 1)); ! grep -q "Sanne\|Vries" "$OUT" || fail "confirmation names a person of a casus"
nl 0 "$RET" consultatie bevestiging 2 --eml "$T/bev.eml" --aan inbrenger@example.org
CHECKS=$((CHECKS + 1)); [ "$(stat -c %a "$T/bev.eml")" = 600 ] || fail "eml not 0600"
CHECKS=$((CHECKS + 1)); grep -q "^To: inbrenger@example.org$" "$T/bev.eml" && grep -q "^Subject: Bevestiging van uw vraag aan het RET (consultatie 2)$" "$T/bev.eml" || fail "eml headers"
nl 73 "$RET" consultatie bevestiging 2 --eml "$T/bev.eml"
err_has "bestaat al"
nl 65 "$RET" consultatie bevestiging 2 --eml "$T/bev2.eml" --aan $'a@b\nBcc: x@y'
err_has "is geen e-mailadres"
CHECKS=$((CHECKS + 1)); [ ! -e "$T/bev2.eml" ] || fail "refused eml was written"
nl 65 "$RET" consultatie bevestiging 9
err_has "consultatie 9 bestaat niet"

# --- monitor export ------------------------------------------------------------------
expect 0 "$RET" monitor status
out_has "No monitor exports on disk."
expect 0 "$RET" --json monitor export --periode "$YEAR" --dry-run
eq "$(json_get written)" False "dry run writes nothing"
eq "$(json_get columns 0)" client_nr "first column"
CHECKS=$((CHECKS + 1)); [ ! -e "$T/m.csv" ] || fail "dry run wrote a file"
BEFORE=$(rows)
nl 65 "$RET" monitor export --periode 2026-Q5 --out "$T/m.csv"
err_has "is geen periode"
echo existing >"$T/exists.csv"
nl 73 "$RET" monitor export --periode "$YEAR" --out "$T/exists.csv"
err_has "bestaat al; de export overschrijft nooit een bestand"
eq "$(cat "$T/exists.csv")" existing "existing file untouched"
eq "$(rows)" "$BEFORE" "rows after refused exports"
expect 0 "$RET" --json monitor export --periode "$YEAR" --out "$T/m.csv"
eq "$(json_get rows)" 4 "one row per casus"
CHECKS=$((CHECKS + 1)); [ "$(stat -c %a "$T/m.csv")" = 600 ] || fail "export not 0600"
CHECKS=$((CHECKS + 1)); [ "$(head -1 "$T/m.csv" | cut -d, -f1)" = client_nr ] || fail "csv header"
CHECKS=$((CHECKS + 1)); grep -q "^mon1:[0-9a-f]\{32\},$YEAR-" "$T/m.csv" || fail "client number is not a keyed pseudonym"
CHECKS=$((CHECKS + 1)); grep -q ",12-15,gedrag+gezin,verblijf_wachtlijst," "$T/m.csv" || fail "indicators of casus 1"
# Every BSN, name (and each part of it), birth date (in the ways people
# write it), address and postcode recorded in the register: none is in the file.
python3 - "$DB" "$T/m.csv" <<'PY' || fail "the monitor export holds personal data"
import sqlite3, sys, re
db = sqlite3.connect(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read().lower()
bad = []
for name, bsn, birth, addr, pc in db.execute(
        "SELECT name, bsn, birth_date, address, postcode FROM persoon"):
    vals = [bsn, addr, pc, pc and pc.replace(" ", "")]
    vals += [p for p in re.split(r"[\s-]+", name or "") if len(p) > 2]
    if birth:
        y, m, d = birth.split("-")
        vals += [birth, f"{d}-{m}-{y}", f"{d}/{m}/{y}", f"{int(d)}-{int(m)}-{y}"]
    for v in vals:
        if v and v.lower() in text:
            bad.append(v)
if bad:
    print("found in export:", bad)
    sys.exit(1)
print("scanned", db.execute("SELECT count(*) FROM persoon").fetchone()[0], "people: none in the export")
PY
expect 0 "$RET" status
out_has "Reminder: monitor export $T/m.csv is still on disk"
expect 0 "$RET" dashboard --periode "$YEAR"
out_has "Reminder: monitor export"
AUD=$(audits)
expect 0 "$RET" monitor opruimen
out_has "Deleted $T/m.csv"
CHECKS=$((CHECKS + 1)); [ ! -e "$T/m.csv" ] || fail "opruimen left the file"
eq "$(audits)" $((AUD + 1)) "opruimen is audited"
expect 0 "$RET" status
out_has "No monitor export on disk."
expect 0 "$RET" monitor opruimen
out_has "There was no monitor export to delete."

# --- audit: the actions were recorded, with the user, and the chain holds ---------------
for action in overleg.new overleg.agenda overleg.attendance overleg.minutes overleg.show \
	deelnemer.add declaratie.read casus.informed casus.complaint consultatie.outcome \
	consultatie.confirm monitor.read monitor.export monitor.delete; do
	CHECKS=$((CHECKS + 1))
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE action = '$action' AND user = 'secretaris'")" -gt 0 ] ||
		fail "no audit row for $action"
done
CHECKS=$((CHECKS + 1))
[ "$(sqlite3 "$DB" "SELECT count(*) FROM audit WHERE detail LIKE '%Vries%' OR detail LIKE '%111222333%' OR detail LIKE '%Bakker%'")" = 0 ] ||
	fail "personal data in the audit log"
expect 0 "$RET" audit verify

echo "test_around.sh: $CHECKS checks, $FAILS failed"
[ "$FAILS" = 0 ]
