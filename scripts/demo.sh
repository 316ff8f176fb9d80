#!/usr/bin/env bash
# The demo federation, in one command: install what is missing, build, and
# run two BEN relays, four RET regions and two coordinator desks on
# loopback; play a year of casework and the flows between them; print the
# story of what travelled and what stayed home; write the dashboards; stop
# everything; leave the data directory for inspection. See docs/demo.md.
#
#   bash scripts/demo.sh [--no-build] [--bin-dir DIR] [--data-dir DIR]
#
#   --no-build       do not install packages or build; use --bin-dir
#   --bin-dir DIR    a CMake build directory (or a directory holding ret,
#                    ret-node, ret-relay, ret-keygen); default build-demo/
#   --data-dir DIR   where keys, configurations, databases, logs and
#                    dashboards go; default ./demo-data (replaced when it
#                    holds an earlier demo, refused otherwise)
#
# Exit status: 0 when every step of the story happened and was checked;
# 1 when a step did not happen (the message says which); 64 usage error.
# A flow whose command this build does not offer yet is announced as "not
# available yet" and left out of the story.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=1
BIN_DIR=""
DATA_DIR="$PWD/demo-data"
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) BUILD=0 ;;
	--bin-dir) BIN_DIR=${2:?--bin-dir needs a directory}; shift ;;
	--data-dir) DATA_DIR=${2:?--data-dir needs a directory}; shift ;;
	-h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo.sh: unknown option '$1' (see --help)" >&2; exit 64 ;;
	esac
	shift
done
[ -n "$BIN_DIR" ] || BIN_DIR="$ROOT/build-demo"

# shellcheck source=lib/federation.sh
source "$ROOT/scripts/lib/federation.sh"

T0=$SECONDS
STORY_NA=()
STEP_NO=0
if [ -t 1 ]; then B=$'\e[1m'; G=$'\e[32m'; Y=$'\e[33m'; R=$'\e[31m'; N=$'\e[0m'
else B=""; G=""; Y=""; R=""; N=""; fi

heading() {
	STEP_NO=$((STEP_NO + 1))
	printf '\n%s== %d. %s ==%s\n' "$B" "$STEP_NO" "$1" "$N"
}
say() { printf '   %s\n' "$*"; }
ok() { printf '   %s✔%s %s\n' "$G" "$N" "$*"; }
na() {
	printf '   %s… nog niet beschikbaar:%s %s (not available yet in this build)\n' "$Y" "$N" "$1"
	STORY_NA+=("$1")
}
fail() {
	printf '\n%s✘ MISLUKT:%s %s\n' "$R" "$N" "$*" >&2
	printf '   Logs: %s/log/\n' "${FED_DIR:-$DATA_DIR}" >&2
	exit 1
}
indent() { sed 's/^/   │ /'; }

# json EXPR: evaluate a Python expression over the JSON document on stdin
# (bound to j) and print the result.
json() { python3 -c 'import json,sys; j=json.load(sys.stdin); r='"$1"'; print(r if not isinstance(r,(dict,list)) else json.dumps(r))'; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	if [ "${#FED_PIDS[@]}" -gt 0 ]; then
		fed_stop_all >/dev/null 2>&1
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build
if [ "$BUILD" = 1 ]; then
	printf '%sVoorbereiding:%s packages (scripts/deps.sh) and a release build in %s\n' "$B" "$N" "$BIN_DIR"
	bash "$ROOT/scripts/deps.sh" || fail "installing the packages (scripts/deps.sh)"
	cmake -S "$ROOT" -B "$BIN_DIR" -DCMAKE_BUILD_TYPE=Release >"$ROOT/.demo-cmake.log" 2>&1 ||
		{ cat "$ROOT/.demo-cmake.log" >&2; fail "cmake configure"; }
	cmake --build "$BIN_DIR" -j2 --target ret ret-node ret-relay ret-keygen ret-locale >"$ROOT/.demo-build.log" 2>&1 ||
		{ tail -n 40 "$ROOT/.demo-build.log" >&2; fail "build"; }
	rm -f "$ROOT/.demo-cmake.log" "$ROOT/.demo-build.log"
	T0=$SECONDS   # the two minutes are the story's, not the compiler's
fi

# ---------------------------------------------------------------- data dir
if [ -e "$DATA_DIR" ]; then
	if [ -f "$DATA_DIR/etc/relay-bel.ini" ] || [ -z "$(ls -A "$DATA_DIR" 2>/dev/null)" ]; then
		rm -rf -- "$DATA_DIR"
	else
		echo "demo.sh: $DATA_DIR exists and is not an earlier demo; choose another --data-dir" >&2
		exit 64
	fi
fi
fed_init "$DATA_DIR" "$BIN_DIR" || fail "the programs in $BIN_DIR (build first, or drop --no-build)"
mkdir -p "$FED_DIR/dashboards" "$FED_DIR/story"
export RET_BUSY_TIMEOUT_MS=10000
export LC_ALL=C.UTF-8
# ret speaks Dutch to chairs and coordinators when its catalogue is built.
if [ -f "$BIN_DIR/locale/nl/LC_MESSAGES/ret.mo" ]; then
	export RET_LOCALEDIR="$BIN_DIR/locale" LANGUAGE=nl
fi

# ================================================================ 1
heading "De federatie: twee BEN's, vier RET-regio's, twee coördinatoren"
fed_generate || fail "generating keys and configurations"
fed_start_all || fail "starting the relays and nodes"
for s in "${FED_NODES[@]}"; do
	fed_wait_log "$FED_DIR/log/$s.log" 'event=connected' 10 ||
		fail "$(fed_party "$s") did not connect to its relay"
done
for b in "${FED_RELAYS[@]}"; do
	fed_wait_log "$FED_DIR/log/relay-$b.log" 'event=link_up' 10 ||
		fail "relay:$b did not link to the other BEN's relay"
done
printf '   %-26s %-18s %-22s %s\n' "partij" "BEN" "relay" "pid"
for b in "${FED_RELAYS[@]}"; do
	printf '   %-26s %-18s %-22s %s\n' "relay:$b" "$b" "tcp://127.0.0.1:$(fed_port "$b")" "${FED_PIDS[relay-$b]}"
done
for s in "${FED_NODES[@]}"; do
	printf '   %-26s %-18s %-22s %s\n' "$(fed_party "$s")" "$(fed_ben "$s")" "relay:$(fed_ben "$s")" "${FED_PIDS[$s]}"
done
ok "8 processen draaien; elke node is verbonden met de relay van zijn BEN, en de twee relays zijn gekoppeld"

# ================================================================ 2
heading "Aanmeldingen en procesregie in elke regio (verzonnen, maar realistisch)"
python3 "$ROOT/scripts/lib/demo_data.py" >"$FED_DIR/story/cases.tsv" || fail "generating the fake cases"
declare -A CASE_ID=() WANT_PHASE=() PERSONS=()
# steps from aanmelding to each final phase
path_to() {
	case "$1" in
	aanmelding) ;;
	triage) echo triage ;;
	geannuleerd) if [ $((RANDOM_I % 2)) = 0 ]; then echo annuleren; else echo triage annuleren; fi ;;
	doorverwezen) echo triage doorverwijzen ;;
	overleg) echo triage bespreken ;;
	monitoren) echo triage bespreken afschalen ;;
	afgesloten) echo triage bespreken afschalen afsluiten ;;
	esac
}
RANDOM_I=0
while IFS=$'\t' read -r region key by q probs themes tafel org rol datum oms fate naam bsn geb adres pc gem ouder obsn; do
	RANDOM_I=$((RANDOM_I + 1))
	args=(--aangemeld-door "$by" --vraag "$q" --probleem "$probs" --thema "$themes"
	      --regisseur-org "$org" --regisseur-rol "$rol" --datum "$datum" --omschrijving "$oms")
	[ "$tafel" != "-" ] && args+=(--tafel "$tafel")
	id=$(fed_ret "$region" --json casus nieuw "${args[@]}" | json 'j["id"]') ||
		fail "registering a casus in $region"
	fed_ret "$region" casus persoon-toevoegen "$id" --rol jeugdige --naam "$naam" --bsn "$bsn" \
		--geboortedatum "$geb" --adres "$adres" --postcode "$pc" --gemeente "$gem" >/dev/null ||
		fail "adding the jeugdige to casus $id in $region"
	fed_ret "$region" casus persoon-toevoegen "$id" --rol ouder --naam "$ouder" --bsn "$obsn" \
		--adres "$adres" --postcode "$pc" --gemeente "$gem" >/dev/null ||
		fail "adding the parent to casus $id in $region"
	PERSONS[$region]=$(( ${PERSONS[$region]:-0} + 2 ))
	for st in $(path_to "$fate"); do
		note=""
		case "$st" in
		afsluiten)
			fed_ret "$region" casus wijzig "$id" --uitkomst opgelost >/dev/null ||
				fail "recording the outcome of casus $id in $region" ;;
		esac
		case "$st" in
		triage) note="aanmelding compleet, toestemming ouders aanwezig" ;;
		annuleren) note="aanmelder trekt de aanmelding in: er is alsnog een plek gevonden" ;;
		doorverwijzen) note="vraag hoort bij de klachtenregeling van de aanbieder" ;;
		afsluiten) note="doelen bereikt, regie terug bij de gemeente" ;;
		esac
		fed_ret "$region" casus fase "$id" "$st" ${note:+--notitie "$note"} >/dev/null ||
			fail "step $st for casus $id in $region"
		case "$st" in
		bespreken)
			fed_ret "$region" casus advies "$id" "Gezamenlijk plan: één regisseur, passende plek binnen de regio zoeken, school betrekken." >/dev/null ||
				fail "advice for casus $id in $region"
			fed_ret "$region" casus afspraak "$id" "Regisseur bespreekt het plan met gezin en aanbieders" --wie "$org" --deadline 2026-12-15 >/dev/null ||
				fail "agreement for casus $id in $region" ;;
		afschalen)
			fed_ret "$region" casus followup "$id" 2026-12-01 --notitie "evaluatie na afschalen" >/dev/null ||
				fail "follow-up for casus $id in $region" ;;
		esac
	done
	[ "$key" != "-" ] && CASE_ID[$key]="$region:$id"
	WANT_PHASE["$region/$fate"]=$(( ${WANT_PHASE["$region/$fate"]:-0} + 1 ))
done <"$FED_DIR/story/cases.tsv"

PHASES=(aanmelding triage overleg monitoren afgesloten geannuleerd doorverwezen)
printf '   %-16s' "regio"; printf ' %11s' "${PHASES[@]}"; printf ' %7s\n' "totaal"
for r in "${FED_REGIONS[@]}"; do
	fed_ret "$r" --json casus lijst >"$FED_DIR/story/lijst-$r.json" || fail "listing the cases of $r"
	printf '   %-16s' "$r"
	tot=0
	for ph in "${PHASES[@]}"; do
		n=$(json "sum(1 for c in j if c['phase']=='$ph')" <"$FED_DIR/story/lijst-$r.json")
		want=${WANT_PHASE["$r/$ph"]:-0}
		[ "$n" = "$want" ] || fail "$r: $n cases in phase $ph, expected $want"
		printf ' %11s' "$n"
		tot=$((tot + n))
	done
	printf ' %7s\n' "$tot"
done
nl_total=$(json 'len(j)' <"$FED_DIR/story/lijst-noord-limburg.json")
nl_cancel=${WANT_PHASE["noord-limburg/geannuleerd"]}
ok "Noord-Limburg: $nl_total aanmeldingen, $nl_cancel geannuleerd (zoals RET Noord-Limburg in 2022); alle fasen gecontroleerd"
python3 - "$FED_DIR/story/cases.tsv" <<'PY'
import collections, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8")]
names = {"gemeente": "gemeente", "gi": "GI", "zorgaanbieder": "zorgaanbieder",
         "ouders_jeugdige": "ouders", "onderwijs": "onderwijs", "other": "anders"}
for region in ("noord-limburg", "midden-limburg", "zuid-limburg", "westfriesland"):
    rs = [r for r in rows if r[0] == region]
    by = collections.Counter(r[2] for r in rs)
    wl = sum(1 for r in rs if r[3] == "verblijf_wachtlijst")
    mix = ", ".join("%d%% %s" % (round(100 * n / len(rs)), names[k]) for k, n in by.most_common())
    print("   %-16s aangemeld door %s; %d van %d over verblijf/wachtlijst" % (region, mix, wl, len(rs)))
PY
say "Per casus twee personen (jeugdige en ouder) met naam, BSN, geboortedatum en adres: die blijven in de regio."

# ================================================================ 3
ESC=${CASE_ID[escalatie]#*:}
heading "Wat thuis blijft, en wat zou vertrekken (preview van een opschaling)"
say "Casus $ESC in het register van Noord-Limburg (ret casus show $ESC) — blijft thuis:"
fed_ret noord-limburg casus show "$ESC" | indent
fed_ret noord-limburg --json casus show "$ESC" >"$FED_DIR/story/casus-nl-$ESC.json" || fail "ret casus show --json $ESC"
ESC_WHY="$(awk -F'\t' '$2=="escalatie"{split($13,a," "); print a[1]}' "$FED_DIR/story/cases.tsv") (15) zit al vier maanden thuis na een afgebroken crisisplaatsing; geen enkele aanbieder in Noord-Limburg heeft een passende plek."
ESC_TRIED="Drie aanbieders benaderd (twee afwijzingen, één wachtlijst van zes maanden); tijdelijk verblijf bij familie loopt af."
HAVE_OPSCHALING=0
if fed_has_command opschaling; then
	HAVE_OPSCHALING=1
	say ""
	say "Wat zou vertrekken (ret opschaling $ESC ... --preview), precies zoals de ontvanger het leest:"
	fed_ret noord-limburg opschaling "$ESC" --waarom-vast "$ESC_WHY" --geprobeerd "$ESC_TRIED" \
		--steun expertise,plaatsing --urgentie hoog --preview >"$FED_DIR/story/preview.txt" ||
		fail "ret opschaling --preview"
	indent <"$FED_DIR/story/preview.txt"
	# Nothing personal of this casus may be in the preview.
	python3 - "$FED_DIR/story/casus-nl-$ESC.json" "$FED_DIR/story/preview.txt" <<'EOF' || fail "the preview shows personal data of the casus"
import json, sys
c = json.load(open(sys.argv[1]))
text = open(sys.argv[2], encoding="utf-8").read().lower()
people = c.get("persons") or c.get("people") or c.get("persoon") or []
found = []
for p in people:
    for k in ("name", "bsn", "birth_date", "address", "postcode"):
        v = p.get(k)
        if not v:
            continue
        parts = v.split() if k == "name" else [v, v.replace(" ", "")]
        for part in parts:
            if len(part) > 2 and part.lower() in text and part.lower() not in ("van", "de", "den", "der"):
                found.append(k)
if not people:
    sys.exit("no persons in the casus JSON")
if found:
    sys.exit("found: " + ", ".join(sorted(set(found))))
EOF
	ok "de preview bevat geen naam, BSN, geboortedatum, adres of postcode; de voornaam in de tekst is vervangen"
else
	na "opschaling (ret opschaling --preview)"
fi

# desk_thread DESK REGION KIND: the message id of the (first) request of
# REGION of KIND in the queue of DESK (ret desk lijst --json).
desk_thread() {
	fed_ret "$1" --json desk lijst --regio "$2" |
		json "[t['request_id'] for t in j if t['kind']=='$3'][0]"
}

# decision_seen REGION CASUS WHAT: the casus of REGION shows WHAT (a
# decision status) in `ret casus show`; prints that part of the casus.
decision_seen() {
	fed_ret "$1" casus show "$2" >"$FED_DIR/story/casus-$1-$2.txt" || return 1
	grep -i -- "$3" "$FED_DIR/story/casus-$1-$2.txt"
}

# The escalation of Noord-Limburg: the desk asks for more information, the
# region answers on the same thread, the desk grants expertise.
desk_round_trip() {
	local req esc_msg n t
	req=$(desk_thread bel-roermond noord-limburg escalation) ||
		fail "the escalation is not in 'ret desk lijst' of desk:bel-roermond"
	say ""
	say "De coördinator in Roermond ziet het verzoek (ret desk lijst):"
	fed_ret bel-roermond desk lijst | indent
	fed_ret bel-roermond desk besluit "$req" --status meer-info \
		--vraag "Welke aanbieders zijn benaderd, en is een plek buiten Limburg bespreekbaar voor het gezin?" >/dev/null ||
		fail "ret desk besluit --status meer-info"
	n=$(fed_wait_inbox noord-limburg decision 1 20) ||
		fail "noord-limburg did not receive the desk's question"
	ok "de coördinator vraagt om meer informatie; het besluit kwam aan in Noord-Limburg (ret inbox)"
	if t=$(decision_seen noord-limburg "$ESC" 'meer-info\|meer info\|more information'); then
		printf '%s\n' "$t" | indent
		ok "en staat bij casus $ESC (ret casus show)"
	else
		na "het besluit bij de casus tonen (ret casus show)"
	fi
	esc_msg=$(fed_ret noord-limburg --json outbox lijst | json "[m['message_id'] for m in j if m['kind']=='escalation'][0]") ||
		fail "finding the escalation in the outbox of noord-limburg"
	fed_ret noord-limburg opschaling "$ESC" --vervolg-op "$esc_msg" \
		--antwoord "Vier aanbieders benaderd, waarvan twee buiten de regio; het gezin staat open voor een plek tot een uur reizen." \
		--waarom-vast "$ESC_WHY" --geprobeerd "$ESC_TRIED" --steun expertise,plaatsing --urgentie hoog >/dev/null ||
		fail "ret opschaling --vervolg-op (the answer to the desk's question)"
	n=$(fed_wait_inbox bel-roermond escalation 2 20) ||
		fail "the answer did not reach desk:bel-roermond"
	[ "$n" = 2 ] || fail "desk:bel-roermond holds $n escalation messages instead of 2"
	n=$(fed_ret bel-roermond --json desk lijst --regio noord-limburg | json "len([t for t in j if t['kind']=='escalation'])")
	[ "$n" = 1 ] || fail "the answer opened a new thread at the desk instead of joining the escalation ($n threads)"
	ok "het antwoord hoort bij dezelfde draad bij de coördinator (geen nieuwe casus)"
	fed_ret bel-roermond desk besluit "$req" --status toegekend --soort expertise \
		--toegewezen-aan "Expertisepool BEL: orthopedagoog en plaatsingscoördinator" >/dev/null ||
		fail "ret desk besluit --status toegekend"
	n=$(fed_wait_inbox noord-limburg decision 2 20) ||
		fail "noord-limburg did not receive the decision"
	ok "toegekend: expertise uit de BEL-pool; Noord-Limburg heeft nu $n besluiten op deze opschaling"
	say "Bij casus $ESC in Noord-Limburg (ret casus show $ESC):"
	fed_ret noord-limburg casus show "$ESC" | awk '/meer-info/ && !p { print prev; p = 1 } p { print } { prev = $0 }' | indent
}

# The procesversneller request of Zuid-Limburg is granted with an assignment.
desk_grant_versneller() {
	local req n
	req=$(desk_thread bel-roermond zuid-limburg procesversneller) ||
		fail "the procesversneller request is not in 'ret desk lijst'"
	fed_ret bel-roermond desk besluit "$req" --status toegekend --soort procesversneller \
		--toegewezen-aan "Procesversneller BEL, acht weken" >/dev/null ||
		fail "ret desk besluit (procesversneller toegekend)"
	n=$(fed_wait_inbox zuid-limburg decision 1 20) ||
		fail "zuid-limburg did not receive the decision"
	ok "toegekend: een procesversneller van BEL voor acht weken; het besluit staat in de inbox van Zuid-Limburg"
	fed_ret zuid-limburg inbox lijst --kind decision | indent
}

# ================================================================ 4
heading "Opschaling: Noord-Limburg vraagt de BEL-coördinator om hulp"
HAVE_DESK=0
fed_has_command desk && HAVE_DESK=1
if [ "$HAVE_OPSCHALING" = 1 ]; then
	fed_ret noord-limburg opschaling "$ESC" --waarom-vast "$ESC_WHY" --geprobeerd "$ESC_TRIED" \
		--steun expertise,plaatsing --urgentie hoog >/dev/null || fail "ret opschaling $ESC"
	fed_wait_outbox_drained noord-limburg 20 || fail "the escalation was not stored by relay:bel within 20 s"
	n=$(fed_wait_inbox bel-roermond escalation 1 20) || fail "desk:bel-roermond did not receive the escalation (inbox: $n)"
	[ "$n" = 1 ] || fail "the escalation arrived $n times at desk:bel-roermond"
	ok "het opschalingsverzoek is door relay:bel opgeslagen en staat in de inbox van desk:bel-roermond"
	fed_ret bel-roermond inbox lijst --kind escalation | indent
	n=$(fed_count_json ben-nh-amsterdam inbox lijst --kind escalation)
	[ "$n" = 0 ] || fail "an escalation crossed the BEN boundary ($n at desk:ben-nh-amsterdam)"
	ok "de coördinator van Noord-Holland ziet het niet: opschalingen blijven binnen de BEN"
	if [ "$HAVE_DESK" = 1 ]; then
		desk_round_trip
	else
		na "besluit van de coördinator en de ronde 'meer informatie nodig' (ret desk lijst / besluit)"
	fi
else
	na "opschaling (ret opschaling)"
fi

# ================================================================ 5
heading "Storing: de relay van BEL valt uit en komt terug — er gaat niets verloren"
relay_count() {
	python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM messages").fetchone()[0])' \
		"$FED_DIR/db/relay-bel.db" 2>/dev/null
}
before=$(relay_count) || fail "reading relay:bel's store"
fed_kill relay-bel
say "relay:bel gestopt met SIGKILL (een crash) met $before opgeslagen berichten"
VS=${CASE_ID[versneller]#*:}
HAVE_PV=0
fed_has_command procesversneller && HAVE_PV=1
HAVE_LS=0
fed_has_command leersamenvatting && HAVE_LS=1
queued_during=0
if [ "$HAVE_PV" = 1 ]; then
	fed_ret zuid-limburg procesversneller "$VS" \
		--reden "Indicatie voor kleinschalig wonen ligt al tien weken bij de aanbieder; niemand pakt de plaatsing op." \
		--weken 8 --urgentie hoog >/dev/null || fail "ret procesversneller $VS"
	q=$(fed_ret zuid-limburg --json outbox status | json 'j["queued"]')
	[ "$q" -ge 1 ] || fail "the procesversneller request was not waiting in the outbox during the outage"
	queued_during=$((queued_during + q))
	say "Zuid-Limburg vraagt intussen een procesversneller aan: $q bericht wacht in de outbox"
fi
sleep 1
start_lines=$(grep -c 'event=connected' "$FED_DIR/log/zuid-limburg.log")
fed_start relay-bel || fail "restarting relay:bel"
after=$(relay_count)
[ "$after" -ge "$before" ] || fail "relay:bel lost messages over the restart ($before before, $after after)"
fed_wait_log "$FED_DIR/log/relay-bel.log" 'event=link_up' 10 || fail "relay:bel did not link to relay:ben-noord-holland again"
for _ in $(seq 1 50); do
	[ "$(grep -c 'event=connected' "$FED_DIR/log/zuid-limburg.log")" -gt "$start_lines" ] && break
	sleep 0.2
done
[ "$(grep -c 'event=connected' "$FED_DIR/log/zuid-limburg.log")" -gt "$start_lines" ] ||
	fail "zuid-limburg did not reconnect to relay:bel within 10 s"
ok "relay:bel herstart (pid ${FED_PIDS[relay-bel]}): $after berichten nog aanwezig, nodes en de koppeling met Noord-Holland weer verbonden"

# ================================================================ 6
heading "Procesversneller: Zuid-Limburg vraagt, de BEL-coördinator kent toe"
if [ "$HAVE_PV" = 1 ]; then
	fed_wait_outbox_drained zuid-limburg 20 || fail "the procesversneller request stayed in the outbox after the relay came back"
	n=$(fed_wait_inbox bel-roermond procesversneller 1 20) || fail "desk:bel-roermond did not receive the procesversneller request"
	ok "het verzoek wachtte tijdens de storing in de outbox en kwam daarna precies één keer aan bij desk:bel-roermond"
	[ "$n" = 1 ] || fail "the procesversneller request arrived $n times"
	if [ "$HAVE_DESK" = 1 ]; then
		desk_grant_versneller
	else
		na "toekenning door de coördinator (ret desk besluit)"
	fi
else
	na "procesversneller (ret procesversneller)"
fi

# ================================================================ 7
heading "Leersamenvattingen: elke regio deelt zijn cijfers, ook over de BEN-grens"
declare -A LESSON=(
	[noord-limburg]="Een vaste plaatsingscoördinator voor de regio scheelt weken zoeken naar een plek."
	[midden-limburg]="Neem de Wmo-consulent vroeg mee aan tafel, ruim voor de overgang naar volwassenheid."
	[zuid-limburg]="Een procesversneller werkt het best met een duidelijk mandaat en een einddatum."
	[westfriesland]="De doorbraaktafel pas inzetten als de schakeltafel het plan niet rond krijgt."
)
if [ "$HAVE_LS" = 1 ]; then
	for r in "${FED_REGIONS[@]}"; do
		fed_ret "$r" leersamenvatting maak --periode 2026 --les "${LESSON[$r]}" \
			--les "Wachtlijsten voor kleinschalig wonen blijven het grootste knelpunt." >/dev/null ||
			fail "ret leersamenvatting maak in $r"
	done
	for r in "${FED_REGIONS[@]}"; do
		n=$(fed_wait_inbox "$r" learning_summary 3 20) ||
			fail "$r received $n of the 3 other regions' learning summaries"
		[ "$n" = 3 ] || fail "$r received $n learning summaries instead of 3"
	done
	for d in "${FED_DESKS[@]}"; do
		n=$(fed_wait_inbox "$d" learning_summary 4 20) ||
			fail "desk:$d received $n of the 4 learning summaries"
		[ "$n" = 4 ] || fail "desk:$d received $n learning summaries instead of 4"
	done
	ok "elke regio ontving de drie andere samenvattingen, elke coördinator alle vier — precies één keer, ook over de BEN-grens"
	say ""
	say "Westfriesland vergelijkt de regio's (ret leersamenvatting vergelijk --periode 2026):"
	fed_ret westfriesland leersamenvatting vergelijk --periode 2026 >"$FED_DIR/story/vergelijk-westfriesland.txt" ||
		fail "ret leersamenvatting vergelijk"
	indent <"$FED_DIR/story/vergelijk-westfriesland.txt"
	for r in "${FED_REGIONS[@]}"; do
		grep -qi -- "$r" "$FED_DIR/story/vergelijk-westfriesland.txt" ||
			fail "the comparison in westfriesland does not show $r"
	done
else
	na "leersamenvattingen (ret leersamenvatting maak)"
fi

# ================================================================ 8
heading "Peer review: Westfriesland vraagt Midden-Limburg om een collegiale blik"
if fed_has_command peer-review; then
	PEER=${CASE_ID[peer]#*:}
	fed_ret westfriesland peer-review vraag --aan region:midden-limburg --casus "$PEER" \
		--aanpak "Bij de overgang naar 18 zetten we een doorbraaktafel in met gemeente, Wmo en de zorgaanbieder; het perspectiefplan wordt een half jaar voor de 18e verjaardag gemaakt." \
		--vraag "Herkennen jullie dit? Hoe regelen jullie de overdracht naar de Wmo?" >/dev/null ||
		fail "ret peer-review vraag"
	n=$(fed_wait_inbox midden-limburg peer_review_request 1 20) ||
		fail "midden-limburg did not receive the peer review request (via relay:ben-noord-holland and relay:bel)"
	[ "$n" = 1 ] || fail "the peer review request arrived $n times"
	ok "het verzoek reisde Westfriesland → relay:ben-noord-holland → relay:bel → Midden-Limburg"
	REQ=$(fed_ret midden-limburg --json inbox lijst --kind peer_review_request | json 'j[0]["message_id"]')
	fed_ret midden-limburg peer-review antwoord "$REQ" \
		--review "Herkenbaar. Wij maken het plan al bij 16,5 jaar en nemen de Wmo-consulent vanaf het begin mee aan tafel; dat scheelt een wachtlijst." >/dev/null ||
		fail "ret peer-review antwoord"
	n=$(fed_wait_inbox westfriesland peer_review 1 20) ||
		fail "westfriesland did not receive the review"
	[ "$n" = 1 ] || fail "the review arrived $n times"
	ok "de review kwam terug bij Westfriesland, geverifieerd op de handtekening van Midden-Limburg"
	fed_ret westfriesland inbox lijst --kind peer_review | indent
else
	na "peer review (ret peer-review)"
fi

# ================================================================ 9
heading "Dashboards"
if fed_has_command dashboard; then
	for r in "${FED_REGIONS[@]}"; do
		fed_ret "$r" dashboard --period 2026 --out "$FED_DIR/dashboards/$r-2026.html" >/dev/null ||
			fail "ret dashboard for $r"
		head -c 200 "$FED_DIR/dashboards/$r-2026.html" | grep -qi '<!doctype html' ||
			fail "the dashboard of $r is not an HTML page"
		fed_ret "$r" --json dashboard --period 2026 >"$FED_DIR/dashboards/$r-2026.json" ||
			fail "ret --json dashboard for $r"
	done
	fed_ret noord-limburg dashboard --period 2026 --out "$FED_DIR/dashboards/bel-2026.html" \
		--regio "$FED_DIR/dashboards/midden-limburg-2026.json" \
		--regio "$FED_DIR/dashboards/zuid-limburg-2026.json" >/dev/null ||
		fail "the BEL dashboard with the three Limburg regions side by side"
	ok "per regio een dashboard, en één voor BEL met de drie Limburgse regio's naast elkaar:"
	( cd "$FED_DIR/dashboards" && ls -1 ./*.html ) | sed 's|^\./|      |'
else
	na "dashboards (ret dashboard)"
fi

# ================================================================ 9b
heading "Rondom de casussen: overleg, declaratie en monitor (Westfriesland)"
if fed_has_command overleg && fed_has_command monitor; then
	wf=westfriesland
	# Two open cases of the region go on the agendas.
	ids=$(fed_ret $wf --json casus lijst | json '" ".join(str(c["id"]) for c in j if c["phase"] in ("aanmelding", "triage", "overleg", "monitoren"))')
	set -- $ids
	[ "$#" -ge 2 ] || fail "westfriesland has fewer than two open cases for the overleg"
	c1=$1 c2=$2
	d1=$(date -u -d '+10 days' +%Y-%m-%d)
	d2=$(date -u -d '+24 days' +%Y-%m-%d)
	fed_ret $wf overleg deelnemer-nieuw --naam 'P. Bakker' --organisatie 'GGZ Noord-Holland-Noord' --soort kern >/dev/null &&
	fed_ret $wf overleg deelnemer-nieuw --naam 'A. Smit' --organisatie 'Gemeente Hoorn' --soort kern >/dev/null &&
	fed_ret $wf overleg deelnemer-nieuw --naam 'E. Visser' --organisatie 'Jeugdbescherming' --soort kern >/dev/null &&
	fed_ret $wf overleg deelnemer-nieuw --naam 'Dr. Kaya' --organisatie 'Jeugdpsychiatrie' --soort expert >/dev/null ||
		fail "ret overleg deelnemer-nieuw"
	m1=$(fed_ret $wf --json overleg nieuw --datum "$d1" --tafel mda | json 'j["id"]') &&
	m2=$(fed_ret $wf --json overleg nieuw --datum "$d2" --tafel doorbraaktafel | json 'j["id"]') ||
		fail "ret overleg nieuw"
	fed_ret $wf overleg agenderen "$m1" "$c1" | indent || fail "ret overleg agenderen"
	fed_ret $wf overleg agenderen "$m1" "$c2" >/dev/null || fail "ret overleg agenderen"
	fed_ret $wf overleg agenderen "$m2" "$c1" | indent || fail "ret overleg agenderen"
	if fed_ret $wf overleg nieuw --datum "$(date -u -d '-1 days' +%Y-%m-%d)" --tafel mda >/dev/null 2>&1; then
		fail "a meeting in the past was accepted"
	fi
	fed_ret $wf overleg aanwezig "$m1" 1 --uren 2.5 >/dev/null &&
	fed_ret $wf overleg aanwezig "$m1" 2 --uren 2 >/dev/null &&
	fed_ret $wf overleg aanwezig "$m1" 4 --uren 1 >/dev/null &&
	fed_ret $wf overleg afwezig "$m1" 3 >/dev/null &&
	fed_ret $wf overleg aanwezig "$m2" 1 --uren 3 >/dev/null &&
	fed_ret $wf overleg aanwezig "$m2" 3 --uren 1.5 >/dev/null ||
		fail "ret overleg aanwezig"
	fed_ret $wf overleg verslag "$m1" "$c1" --verslag 'Besproken aan de MDA++-tafel' \
		--advies 'Verken een kleinschalige woonvorm' \
		--afspraak 'Aanbieders benaderen' --wie casusregisseur --deadline "$d2" >/dev/null ||
		fail "ret overleg verslag"
	ok "twee overleggen gepland ($d1 mda, $d2 doorbraaktafel) met agenda, aanwezigheid en verslag:"
	LANGUAGE=nl LC_ALL=C.UTF-8 fed_ret $wf overleg toon "$m1" | indent
	year=$(date -u +%Y)
	LANGUAGE=nl LC_ALL=C.UTF-8 fed_ret $wf declaratie --periode "$year" | indent ||
		fail "ret declaratie"
	[ "$(fed_ret $wf --json declaratie --periode "$year" | json 'j["total_hours_x100"]')" = 900 ] ||
		fail "the declaration does not add up to the kern's 9 hours"
	ok "declaratie: alleen de vaste kern, uren × het tarief van $year"
	exp="$FED_DIR/story/monitor-$year.csv"
	fed_ret $wf monitor export --periode "$year" --out "$exp" | indent || fail "ret monitor export"
	[ "$(stat -c %a "$exp")" = 600 ] || fail "the monitor export is not 0600"
	head -3 "$exp" | cut -c1-150 | indent
	[ "$(fed_ret $wf --json status | json 'len([e for e in j["monitor_exports"] if e["exists"]])')" = 1 ] ||
		fail "ret status does not remind of the export"
	fed_ret $wf status | head -1 | indent
	fed_ret $wf monitor opruimen | indent || fail "ret monitor opruimen"
	[ ! -e "$exp" ] || fail "the monitor export is still there"
	ok "monitorexport geschreven (0600, cliëntnummers zijn pseudoniemen) en na invoer weer verwijderd"
else
	na "overleg, declaratie en monitor (ret overleg / ret monitor)"
fi

# ================================================================ 10
heading "Wat reisde, en wat bleef thuis"
printf '   %-26s %-48s %s\n' "partij" "verstuurd (door de relay opgeslagen)" "ontvangen"
for s in "${FED_NODES[@]}"; do
	out=$(fed_ret "$s" --json outbox lijst --limit 1000 | json '", ".join("%s %d" % (k, n) for k, n in sorted(__import__("collections").Counter(m["kind"] for m in j if m["state"]=="acked").items())) or "-"') ||
		fail "reading the outbox of $s"
	in=$(fed_ret "$s" --json inbox lijst --limit 1000 | json '", ".join("%s %d" % (k, n) for k, n in sorted(__import__("collections").Counter(m["kind"] for m in j).items())) or "-"') ||
		fail "reading the inbox of $s"
	printf '   %-26s %-48s %s\n' "$(fed_party "$s")" "$out" "$in"
done
for s in "${FED_NODES[@]}"; do
	n=$(fed_count_json "$s" outbox lijst --state queued)
	[ "$n" = 0 ] || fail "$s still has $n messages waiting"
	n=$(fed_count_json "$s" outbox lijst --state refused)
	[ "$n" = 0 ] || fail "$s had $n messages refused by the relay"
	n=$(fed_ret "$s" --json inbox lijst --limit 1000 | json 'sum(1 for m in j if m["state"] != "applied")')
	[ "$n" = 0 ] || fail "$s holds $n received messages it could not apply"
done
ok "niets wacht nog, niets is geweigerd; elk ontvangen bericht is op de handtekening van zijn auteur gecontroleerd en verwerkt"
say ""
say "Thuisgebleven: per regio de personen in het eigen register"
for r in "${FED_REGIONS[@]}"; do
	say "  $r: ${PERSONS[$r]} personen (jeugdigen en ouders) met naam, BSN, geboortedatum en adres"
done
# Every byte outside a region's own database: relays, desks, other regions.
python3 - "$FED_DIR" <<'EOF' || fail "personal data of a region was found outside its own database"
import glob, os, sys
d = sys.argv[1]
rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(d, "story/cases.tsv"), encoding="utf-8")]
files = sorted(glob.glob(os.path.join(d, "db", "*.db*")))
blob = {f: open(f, "rb").read() for f in files}
leaks = 0
checked = 0
for r in rows:
    region = r[0]
    pc = r[16]
    # names, BSNs, street and number, postcode (as typed and as stored)
    values = [r[12], r[13], r[15], pc, pc[:4] + " " + pc[4:], r[18], r[19]]
    for f in files:
        if os.path.basename(f).startswith(region + ".db"):
            continue
        for v in values:
            checked += 1
            if v.encode() in blob[f]:
                leaks += 1
                print("   leak: a %s value in %s" % (region, os.path.basename(f)), file=sys.stderr)
if leaks:
    sys.exit(1)
print("   ✔ %d keer gezocht (elk persoonsgegeven in elke database behalve die van de eigen regio: relays,"
      " coördinatoren, andere regio's): nergens gevonden" % checked)
EOF

# ================================================================ 11
heading "Afsluiten"
bad=0
for s in "${FED_NODES[@]}" "${FED_RELAYS[@]/#/relay-}"; do
	fed_stop "$s" 8 || { say "$s stopped with a non-zero status"; bad=1; }
done
[ "$bad" = 0 ] || fail "not every process stopped cleanly on SIGTERM"
ok "alle 8 processen gestopt met SIGTERM (status 0)"

elapsed=$((SECONDS - T0))
printf '\n%sKlaar in %d s.%s Data: %s\n' "$B" "$elapsed" "$N" "$FED_DIR"
if [ "$elapsed" -ge 120 ]; then
	say "${Y}Let op:${N} the story took longer than its two minutes on this machine (a busy or slow machine?)"
fi
say "configuraties: $FED_DIR/etc/   databases: $FED_DIR/db/   logs: $FED_DIR/log/"
[ -d "$FED_DIR/dashboards" ] && [ -n "$(ls -A "$FED_DIR/dashboards")" ] && say "dashboards:    $FED_DIR/dashboards/"
say "bekijk bijv.: $FED_RET --config $FED_DIR/etc/noord-limburg.conf casus lijst"
if [ "${#STORY_NA[@]}" -gt 0 ]; then
	printf '\n%sNog niet in dit verhaal (command not in this build yet):%s\n' "$Y" "$N"
	for s in "${STORY_NA[@]}"; do say "- $s"; done
fi
exit 0
