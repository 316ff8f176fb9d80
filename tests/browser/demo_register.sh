#!/usr/bin/env bash
# Build a demo register for the dashboard: a regional node configuration
# and database in DIR with 70 fictitious cases of 2025 and 2026 (who
# registered, question type, bottleneck themes, the whole lifecycle,
# outcomes) and consultations, entered through the `ret` CLI as a
# secretary would. The CLI stamps every phase change with today's date, so
# at the end the phase dates are moved back to realistic days with sqlite3
# (lead times of weeks and months); nothing else is changed behind the
# CLI's back. No personal data: cases only, no persons.
#
#   demo_register.sh RET RET_KEYGEN DIR [PARTY [STEP]]
#
# Writes DIR/demo.conf (use it as RET_CONFIG) and DIR/demo.db. PARTY is
# the region (default region:noord-limburg); STEP > 1 keeps every STEP-th
# case only and shifts the days a little, for a smaller other region.
set -eu
RET=${1:?usage: demo_register.sh RET RET_KEYGEN DIR}
KEYGEN=${2:?ret-keygen path}
DIR=${3:?output directory}
PARTY=${4:-region:noord-limburg}
STEP=${5:-1}
command -v sqlite3 >/dev/null || { echo "demo_register: sqlite3 is needed" >&2; exit 1; }

mkdir -p "$DIR"
rm -f "$DIR/demo.db" "$DIR/demo.db-wal" "$DIR/demo.db-shm" "$DIR/demo.secret" "$DIR/relay.secret"
"$KEYGEN" --party "$PARTY" --out "$DIR/demo.secret" >/dev/null
RELAY_TK=$("$KEYGEN" --party relay:bel --out "$DIR/relay.secret" |
	sed -n 's/^transport_key = //p')
cat >"$DIR/demo.conf" <<CONF
[node]
party = $PARTY
ben = bel
database = demo.db
key_file = demo.secret
suppression_threshold = 5

[relay]
endpoint = tcp://127.0.0.1:7400
party = relay:bel
transport_key = $RELAY_TK
CONF
export RET_CONFIG=$DIR/demo.conf RET_USER=secretaris LC_ALL=C
unset LANGUAGE LANG
"$RET" init >/dev/null

SQL=$DIR/backdate.sql
: >"$SQL"
# at PHASE DATE DAYS: the SQL that moves casus $id's step into PHASE to
# DAYS after DATE (never after today).
at() {
	printf "UPDATE casus_transition SET at = strftime('%%Y-%%m-%%dT10:00:00Z', min(date('%s', '+%d days'), date('now'))) WHERE casus_id = %d AND to_phase = '%s';\n" \
		"$2" "$3" "$id" "$1" >>"$SQL"
}
phase() { "$RET" casus fase "$id" "$1" >/dev/null; }

# date|registered by|question|themes|final phase|outcome|days to overleg|days to close
n=0
while IFS='|' read -r date by question themes final outcome d_ov d_cl; do
	[ -n "$date" ] || continue
	n=$((n + 1))
	[ $((n % STEP)) -eq 0 ] || continue
	d_ov=$((d_ov + STEP - 1))
	d_cl=$((d_cl - 3 * (STEP - 1)))
	id=$("$RET" --json casus nieuw --aangemeld-door "$by" --vraag "$question" \
		--datum "$date" ${themes:+--thema "$themes"} | sed -n 's/.*"id": *\([0-9]*\).*/\1/p')
	[ -n "$id" ] || { echo "demo_register: casus nieuw failed" >&2; exit 1; }
	at aanmelding "$date" 0
	case $final in
	aanmelding) ;;
	geannuleerd) phase geannuleerd; at geannuleerd "$date" 6 ;;
	*)
		phase triage; at triage "$date" 3
		case $final in
		triage) ;;
		doorverwezen) phase doorverwezen; at doorverwezen "$date" 9 ;;
		*)
			phase overleg; at overleg "$date" "$d_ov"
			if [ "$final" = monitoren ] || [ "$final" = afgesloten ]; then
				phase monitoren; at monitoren "$date" $((d_ov + 21))
			fi
			if [ "$final" = afgesloten ]; then
				[ -z "$outcome" ] || "$RET" casus wijzig "$id" --uitkomst "$outcome" >/dev/null
				phase afgesloten; at afgesloten "$date" "$d_cl"
			fi
			;;
		esac
		;;
	esac
	case $final in
	afgesloten | geannuleerd | doorverwezen)
		printf "UPDATE casus SET closed_on = (SELECT date(max(at)) FROM casus_transition WHERE casus_id = %d) WHERE id = %d;\n" \
			"$id" "$id" >>"$SQL" ;;
	esac
	printf "UPDATE casus SET phase_since = (SELECT max(at) FROM casus_transition WHERE casus_id = %d) WHERE id = %d AND EXISTS (SELECT 1 FROM casus_transition WHERE casus_id = %d);\n" \
		"$id" "$id" "$id" >>"$SQL"
done <<'ROWS'
2025-01-02|gemeente|verblijf_wachtlijst|kleinschalig_wonen,wachtlijsten|afgesloten|deels_opgelost|33|173
2025-01-03|gi|passend_aanbod||afgesloten|deels_opgelost|42|157
2025-01-10|gi|verblijf_wachtlijst|afwijzing_aanbieders,wachtlijsten|afgesloten|deels_opgelost|15|116
2025-02-11|gemeente|passend_aanbod|afwijzing_aanbieders,regie|monitoren||39|211
2025-02-20|gemeente|passend_aanbod|kleinschalig_wonen,perspectief|monitoren||16|215
2025-02-20|gi|passend_aanbod|afwijzing_aanbieders,regie|afgesloten|opgelost|11|162
2025-03-06|gemeente|passend_aanbod|overgang_18|afgesloten|opgelost|28|123
2025-03-17|gi|verblijf_wachtlijst|afwijzing_aanbieders,wachtlijsten|geannuleerd||38|181
2025-04-01|gi|verblijf_wachtlijst|wachtlijsten|afgesloten|niet_opgelost|32|223
2025-04-10|gi|verblijf_wachtlijst|kleinschalig_wonen,wachtlijsten|afgesloten|opgelost|39|210
2025-04-16|gi|onderwijs|afwijzing_aanbieders|doorverwezen||34|193
2025-04-26|gi|overgang_18|afwijzing_aanbieders,kleinschalig_wonen|geannuleerd||19|146
2025-06-12|gemeente|verblijf_wachtlijst|wachtlijsten|geannuleerd||30|223
2025-07-02|gemeente|overgang_18|kleinschalig_wonen|monitoren||16|211
2025-08-02|onderwijs|passend_aanbod||monitoren||29|140
2025-08-16|ouders_jeugdige|samenwerking_regie|kleinschalig_wonen,regie|geannuleerd||21|140
2025-09-22|gi|samenwerking_regie|afwijzing_aanbieders|afgesloten|niet_opgelost|38|114
2025-10-02|zorgaanbieder|verblijf_wachtlijst|overgang_18,perspectief,wachtlijsten|afgesloten|opgelost|10|118
2025-10-04|gemeente|verblijf_wachtlijst|perspectief,wachtlijsten|geannuleerd||34|150
2025-10-07|gi|verblijf_wachtlijst|regie,wachtlijsten|monitoren||11|182
2025-10-08|gi|samenwerking_regie||monitoren||15|191
2025-10-18|gemeente|verblijf_wachtlijst|wachtlijsten|afgesloten|opgelost|41|107
2025-11-03|gi|verblijf_wachtlijst|afwijzing_aanbieders,wachtlijsten|afgesloten|opgelost|13|175
2025-11-09|gi|verblijf_wachtlijst|afwijzing_aanbieders,kleinschalig_wonen,normaliseren,wachtlijsten|monitoren||20|143
2025-11-10|gemeente|overgang_18|perspectief|afgesloten|opgelost|12|212
2025-11-16|gi|onderwijs||monitoren||33|203
2025-11-19|gemeente|verblijf_wachtlijst|kleinschalig_wonen,wachtlijsten|geannuleerd||8|130
2025-12-14|gi|passend_aanbod|kleinschalig_wonen,onderwijs,perspectief|geannuleerd||45|183
2025-12-26|gemeente|passend_aanbod|onderwijs|afgesloten|niet_opgelost|24|190
2026-01-04|gemeente|onderwijs|normaliseren,regie|afgesloten|opgelost|9|138
2026-01-08|gemeente|verblijf_wachtlijst|perspectief,wachtlijsten|monitoren||43|132
2026-01-10|gemeente|passend_aanbod|kleinschalig_wonen,overgang_18,perspectief,regie|afgesloten|deels_opgelost|41|239
2026-01-21|gemeente|verblijf_wachtlijst|perspectief,wachtlijsten|geannuleerd||11|176
2026-02-13|gemeente|passend_aanbod|kleinschalig_wonen,perspectief|overleg||17|155
2026-02-24|gi|passend_aanbod|afwijzing_aanbieders,normaliseren|doorverwezen||28|174
2026-03-04|ouders_jeugdige|verblijf_wachtlijst|wachtlijsten|geannuleerd||41|164
2026-03-10|gemeente|verblijf_wachtlijst|kleinschalig_wonen,wachtlijsten|afgesloten|deels_opgelost|42|145
2026-03-22|gi|verblijf_wachtlijst|perspectief,regie,wachtlijsten|afgesloten|niet_opgelost|13|78
2026-04-11|onderwijs|passend_aanbod|kleinschalig_wonen,normaliseren|afgesloten|deels_opgelost|39|238
2026-04-16|gi|passend_aanbod|afwijzing_aanbieders,kleinschalig_wonen,perspectief|afgesloten|opgelost|18|129
2026-05-08|gemeente|overgang_18|kleinschalig_wonen|geannuleerd||30|155
2026-05-15|gi|verblijf_wachtlijst|afwijzing_aanbieders,kleinschalig_wonen,normaliseren,wachtlijsten|afgesloten|deels_opgelost|33|150
2026-05-27|gemeente|verblijf_wachtlijst|normaliseren,perspectief,wachtlijsten|afgesloten|opgelost|42|109
2026-06-01|gemeente|verblijf_wachtlijst|afwijzing_aanbieders,kleinschalig_wonen,perspectief,wachtlijsten|afgesloten|opgelost|20|217
2026-06-06|gemeente|passend_aanbod||overleg||21|88
2026-06-13|gemeente|passend_aanbod|perspectief|afgesloten|deels_opgelost|45|117
2026-06-20|gi|verblijf_wachtlijst|wachtlijsten|monitoren||34|196
2026-06-22|gi|overgang_18|regie|geannuleerd||35|224
2026-06-23|gi|passend_aanbod|kleinschalig_wonen,regie|geannuleerd||25|158
2026-06-25|gemeente|passend_aanbod|perspectief,regie|afgesloten|opgelost|42|210
2026-07-02|gemeente|samenwerking_regie||doorverwezen||28|152
2026-07-15|gi|passend_aanbod|overgang_18|monitoren||15|95
2026-08-08|gemeente|overgang_18||afgesloten|deels_opgelost|45|226
2026-08-08|gemeente|passend_aanbod||monitoren||28|181
2026-08-08|gemeente|verblijf_wachtlijst|wachtlijsten|afgesloten|deels_opgelost|27|96
2026-08-18|gi|verblijf_wachtlijst|overgang_18,wachtlijsten|monitoren||20|203
2026-08-19|gemeente|passend_aanbod|onderwijs,overgang_18,regie|afgesloten|opgelost|24|89
2026-08-20|gemeente|verblijf_wachtlijst|onderwijs,perspectief,regie,wachtlijsten|afgesloten|opgelost|36|172
2026-09-01|gemeente|passend_aanbod|kleinschalig_wonen,overgang_18|afgesloten|opgelost|17|140
2026-09-07|gemeente|passend_aanbod|afwijzing_aanbieders,kleinschalig_wonen|afgesloten|deels_opgelost|38|221
2026-09-11|gemeente|overgang_18|perspectief|monitoren||30|194
2026-09-25|gemeente|verblijf_wachtlijst|afwijzing_aanbieders,regie,wachtlijsten|monitoren||23|204
2026-10-02|gemeente|overgang_18|onderwijs|overleg||16|82
2026-10-13|gemeente|verblijf_wachtlijst|afwijzing_aanbieders,wachtlijsten|doorverwezen||35|101
2026-10-13|gemeente|verblijf_wachtlijst|wachtlijsten|doorverwezen||42|170
2026-10-17|gemeente|verblijf_wachtlijst|wachtlijsten|monitoren||40|189
2026-11-09|gemeente|verblijf_wachtlijst|kleinschalig_wonen,wachtlijsten|triage||29|133
2026-11-11|gemeente|verblijf_wachtlijst|wachtlijsten|triage||24|172
2026-11-13|gemeente|samenwerking_regie|kleinschalig_wonen,perspectief|monitoren||10|141
2026-11-18|gemeente|verblijf_wachtlijst|onderwijs,wachtlijsten|doorverwezen||10|90
ROWS

# Consultations (consultatie en advies): questions that needed no casus.
while IFS='|' read -r date from; do
	"$RET" consultatie nieuw --van "$from" --datum "$date" \
		--vraag "Welke mogelijkheden zijn er voor een passende plek?" \
		--antwoord "Besproken met de casusregisseur; zie de sociale kaart." >/dev/null
done <<'ROWS'
2025-02-03|gemeente
2025-03-17|zorgaanbieder
2025-05-06|gi
2025-06-24|onderwijs
2025-09-09|gemeente
2025-10-14|gemeente
2025-11-25|zorgaanbieder
2026-01-13|gemeente
2026-02-02|gi
2026-02-24|onderwijs
2026-03-10|gemeente
2026-04-07|zorgaanbieder
2026-05-19|gemeente
2026-06-09|gi
2026-07-07|gemeente
2026-08-25|ouders_jeugdige
2026-09-15|gemeente
2026-10-06|zorgaanbieder
2026-11-03|gemeente
ROWS

sqlite3 "$DIR/demo.db" ".timeout 5000" "BEGIN;" ".read $SQL" "COMMIT;"
rm -f "$SQL"
echo "demo register: $DIR/demo.conf"
