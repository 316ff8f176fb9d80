# shellcheck shell=bash
# federation.sh: a whole RET federation on loopback, as bash functions that
# the demo (scripts/demo.sh) and tests source.
#
#   source scripts/lib/federation.sh
#   fed_init DATA_DIR BIN_DIR     # where everything goes; where the programs are
#   fed_generate                  # keys, configurations, databases (ret init)
#   fed_start_all                 # both relays, four regions, two desks
#   fed_ret noord-limburg casus lijst       # the ret CLI as that node
#   fed_wait_inbox westfriesland peer_review 1 20
#   fed_stop_all                  # SIGTERM every process by its PID
#
# The federation: BEN Limburg (bel) with relay:bel, the regions
# noord-limburg, midden-limburg, zuid-limburg and the desk bel-roermond;
# BEN Noord-Holland (ben-noord-holland) with relay:ben-noord-holland, the
# region westfriesland and the desk ben-nh-amsterdam. The two relays link to
# each other. Ports are picked free on 127.0.0.1 at generation time.
#
# Layout of DATA_DIR: keys/ (secret key files, mode 0600, and the public
# keys as JSON), etc/ (one configuration per process), db/ (SQLite files),
# log/ (stderr of every process), run/ (PID files).
#
# Every process started here is recorded by PID (FED_PIDS and run/*.pid) and
# stopped by that PID; every wait is bounded.

FED_RELAYS=(bel ben-noord-holland)
# node slug -> party id and BEN
FED_NODES=(noord-limburg midden-limburg zuid-limburg westfriesland
	   bel-roermond ben-nh-amsterdam)
FED_REGIONS=(noord-limburg midden-limburg zuid-limburg westfriesland)
# shellcheck disable=SC2034 # used by the scripts that source this library
FED_DESKS=(bel-roermond ben-nh-amsterdam)
declare -gA FED_PIDS=()

# fed_party SLUG: the party id of a node or relay slug.
fed_party() {
	case "$1" in
	relay-*) echo "relay:${1#relay-}" ;;
	bel-roermond | ben-nh-amsterdam) echo "desk:$1" ;;
	*) echo "region:$1" ;;
	esac
}

# fed_ben SLUG: the BEN a node or relay belongs to.
fed_ben() {
	case "$1" in
	westfriesland | ben-nh-amsterdam | relay-ben-noord-holland)
		echo ben-noord-holland ;;
	*) echo bel ;;
	esac
}

# fed_desk_of BEN: the desk slug of a BEN.
fed_desk_of() {
	if [ "$1" = bel ]; then echo bel-roermond; else echo ben-nh-amsterdam; fi
}

fed_log() { printf '%s\n' "$*" >&2; }

# fed_init DATA_DIR BIN_DIR: remember where the federation lives and where
# ret, ret-node, ret-relay and ret-keygen are (a build directory or a
# directory holding the four programs).
fed_init() {
	FED_DIR=$(mkdir -p "$1" && cd "$1" && pwd) || return 1
	local b=$2 p
	# Accept either a flat directory or a CMake build tree.
	if [ -x "$b/ret" ] && [ -x "$b/ret-node" ]; then
		FED_RET=$b/ret; FED_RETNODE=$b/ret-node
		FED_RELAY=$b/ret-relay; FED_KEYGEN=$b/ret-keygen
	else
		FED_RET=$b/node/ret; FED_RETNODE=$b/node/ret-node
		FED_RELAY=$b/relay/ret-relay; FED_KEYGEN=$b/common/ret-keygen
	fi
	for p in "$FED_RET" "$FED_RETNODE" "$FED_RELAY" "$FED_KEYGEN"; do
		if [ ! -x "$p" ]; then
			fed_log "federation: program $p not found (build first)"
			return 1
		fi
	done
	mkdir -p "$FED_DIR"/{keys,etc,db,log,run}
}

# fed_free_ports N: print N distinct free TCP ports on 127.0.0.1 (bound to
# port 0 by the kernel, all held until every one is known, then released).
fed_free_ports() {
	python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# fed_pub SLUG FIELD: signing_key or transport_key of a generated party
# (read once from keys/SLUG.pub.json, then remembered).
declare -gA FED_PUB=()
fed_pub() {
	if [ -z "${FED_PUB[$1.$2]:-}" ]; then
		local sk tk
		read -r sk tk < <(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["signing_key"], j["transport_key"])' \
			"$FED_DIR/keys/$1.pub.json") || return 1
		FED_PUB[$1.signing_key]=$sk
		FED_PUB[$1.transport_key]=$tk
	fi
	printf '%s\n' "${FED_PUB[$1.$2]}"
}

# fed_party_section SLUG [with-transport]: a [party] section for a config.
fed_party_section() {
	printf '\n[party %s]\nsigning_key = %s\n' "$(fed_party "$1")" \
		"$(fed_pub "$1" signing_key)"
	if [ "${2:-}" = with-transport ]; then
		printf 'transport_key = %s\n' "$(fed_pub "$1" transport_key)"
	fi
	printf 'ben = %s\n' "$(fed_ben "$1")"
}

# fed_port BEN: the port of a BEN's relay (after fed_generate).
fed_port() { cat "$FED_DIR/etc/relay-$1.port"; }

# fed_conf SLUG: the configuration file of a node or relay.
fed_conf() {
	case "$1" in
	relay-*) echo "$FED_DIR/etc/$1.ini" ;;
	*) echo "$FED_DIR/etc/$1.conf" ;;
	esac
}

# fed_generate: keys for all eight parties, both relay configurations, six
# node configurations, and an initialised database for every node.
fed_generate() {
	local s ben other ports p
	for s in "${FED_RELAYS[@]/#/relay-}" "${FED_NODES[@]}"; do
		if [ ! -f "$FED_DIR/keys/$s.secret" ]; then
			"$FED_KEYGEN" --party "$(fed_party "$s")" \
				--out "$FED_DIR/keys/$s.secret" >/dev/null || return 1
		fi
		"$FED_KEYGEN" --public "$FED_DIR/keys/$s.secret" --json \
			>"$FED_DIR/keys/$s.pub.json" || return 1
	done
	read -r -a ports < <(fed_free_ports 2) || return 1
	echo "${ports[0]}" >"$FED_DIR/etc/relay-bel.port"
	echo "${ports[1]}" >"$FED_DIR/etc/relay-ben-noord-holland.port"

	for ben in "${FED_RELAYS[@]}"; do
		if [ "$ben" = bel ]; then other="ben-noord-holland"; else other=bel; fi
		{
			printf '; ret-relay of BEN %s, generated by scripts/lib/federation.sh\n' "$ben"
			printf '[relay]\nparty = relay:%s\nben = %s\n' "$ben" "$ben"
			printf 'listen = tcp://127.0.0.1:%s\n' "$(fed_port "$ben")"
			printf 'key_file = %s\n' "$FED_DIR/keys/relay-$ben.secret"
			printf 'database = %s\n' "$FED_DIR/db/relay-$ben.db"
			printf 'log_level = info\n'
			for s in "${FED_NODES[@]}"; do
				if [ "$(fed_ben "$s")" = "$ben" ]; then
					fed_party_section "$s" with-transport
				elif [ "$(fed_party "$s")" != "desk:$s" ]; then
					# a region of the other BEN: verified, never connects
					fed_party_section "$s"
				fi
			done
			fed_party_section "relay-$other" with-transport
			printf 'endpoint = tcp://127.0.0.1:%s\n' "$(fed_port "$other")"
		} >"$(fed_conf "relay-$ben")"
	done

	for s in "${FED_NODES[@]}"; do
		ben=$(fed_ben "$s")
		{
			printf '; ret-node / ret of %s, generated by scripts/lib/federation.sh\n' "$(fed_party "$s")"
			printf '[node]\nparty = %s\nben = %s\n' "$(fed_party "$s")" "$ben"
			printf 'database = %s\n' "$FED_DIR/db/$s.db"
			printf 'key_file = %s\n' "$FED_DIR/keys/$s.secret"
			printf 'log_level = info\n'
			case "$(fed_party "$s")" in
			region:*)
				printf 'suppression_threshold = 3\n'
				# Around the cases: the evaluation-form rule and the
				# declaration rates of this year and the next.
				printf '\n[overleg]\nevaluation_days = 7\n'
				printf 'rate_%s = 128.40\nrate_%s = 131.00\n' \
					"$(date -u +%Y)" "$(( $(date -u +%Y) + 1 ))"
				;;
			esac
			printf '\n[relay]\nendpoint = tcp://127.0.0.1:%s\n' "$(fed_port "$ben")"
			printf 'party = relay:%s\n' "$ben"
			printf 'transport_key = %s\n' "$(fed_pub "relay-$ben" transport_key)"
			fed_party_section "relay-$ben"
			fed_party_section "$(fed_desk_of "$ben")"
			for p in "${FED_REGIONS[@]}"; do
				[ "$p" = "$s" ] || fed_party_section "$p"
			done
		} >"$(fed_conf "$s")"
		"$FED_RETNODE" --check-config "$(fed_conf "$s")" >/dev/null || return 1
		fed_ret "$s" init >/dev/null || return 1
	done
	for ben in "${FED_RELAYS[@]}"; do
		"$FED_RELAY" --check-config "$(fed_conf "relay-$ben")" >/dev/null || return 1
	done
}

# fed_ret SLUG ARGS...: the ret CLI as the node SLUG (user "demo-SLUG"
# unless RET_USER is set).
fed_ret() {
	local s=$1
	shift
	RET_USER=${RET_USER:-demo-$s} "$FED_RET" --config "$(fed_conf "$s")" "$@"
}

# fed_has_command NAME: true when this build of ret offers the command.
fed_has_command() {
	"$FED_RET" "$1" --help >/dev/null 2>&1
}

# fed_wait_log FILE PATTERN [SECONDS]: wait until FILE holds a line
# matching PATTERN (grep -E); bounded (default 10 s).
fed_wait_log() {
	local f=$1 pat=$2 t=${3:-10} i n
	n=$(awk -v t="$t" 'BEGIN { printf "%d", t * 10 }')
	for ((i = 0; i < n; i++)); do
		if [ -f "$f" ] && grep -Eq -- "$pat" "$f"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# fed_start SLUG: start the relay (relay-BEN) or node SLUG in the
# background, stderr to log/SLUG.log, PID recorded; wait until it is ready
# (relay: event=ready; node: event=started). Logs are appended to, so a
# restart keeps the history; readiness counts only new lines.
fed_start() {
	local s=$1 log="$FED_DIR/log/$1.log" before pid
	before=$( [ -f "$log" ] && wc -l <"$log" || echo 0 )
	case "$s" in
	relay-*) "$FED_RELAY" --config "$(fed_conf "$s")" 2>>"$log" & ;;
	*) "$FED_RETNODE" --config "$(fed_conf "$s")" 2>>"$log" & ;;
	esac
	pid=$!
	FED_PIDS[$s]=$pid
	echo "$pid" >"$FED_DIR/run/$s.pid"
	local i
	for ((i = 0; i < 100; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			fed_log "federation: $s (pid $pid) exited at start; see $log"
			unset "FED_PIDS[$s]"
			return 1
		fi
		if tail -n +"$((before + 1))" "$log" 2>/dev/null | grep -Eq 'event=(ready|started)'; then
			return 0
		fi
		sleep 0.1
	done
	fed_log "federation: $s (pid $pid) not ready within 10 s; see $log"
	return 1
}

# fed_stop SLUG [SECONDS]: SIGTERM to the recorded PID, wait (bounded,
# default 8 s), SIGKILL if it did not stop. Returns the exit status of the
# process (0 = stopped cleanly), 1 after a SIGKILL.
fed_stop() {
	local s=$1 t=${2:-8} pid i rc
	pid=${FED_PIDS[$s]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		fed_log "federation: $s (pid $pid) did not stop within $t s; SIGKILL"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		rc=1
	else
		wait "$pid" 2>/dev/null
		rc=$?
	fi
	unset "FED_PIDS[$s]"
	rm -f "$FED_DIR/run/$s.pid"
	return "$rc"
}

# fed_kill SLUG: SIGKILL (a crash), for restart scenarios.
fed_kill() {
	local s=$1 pid
	pid=${FED_PIDS[$s]:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "FED_PIDS[$s]"
	rm -f "$FED_DIR/run/$s.pid"
	return 0
}

# fed_start_all: both relays, then the six nodes.
fed_start_all() {
	local s
	for s in "${FED_RELAYS[@]}"; do
		fed_start "relay-$s" || return 1
	done
	for s in "${FED_NODES[@]}"; do
		fed_start "$s" || return 1
	done
}

# fed_stop_all: stop every process still running, nodes first. Returns 0
# when every one stopped cleanly with status 0.
fed_stop_all() {
	local s bad=0
	for s in "${FED_NODES[@]}" "${FED_RELAYS[@]/#/relay-}"; do
		if [ -n "${FED_PIDS[$s]:-}" ]; then
			fed_stop "$s" || { fed_log "federation: $s stopped with a non-zero status"; bad=1; }
		fi
	done
	return "$bad"
}

# fed_count_json SLUG ARGS...: run `ret --json ARGS` as SLUG and print the
# number of entries of the JSON array it prints (-1 on failure).
fed_count_json() {
	local s=$1
	shift
	fed_ret "$s" --json "$@" 2>/dev/null |
		python3 -c 'import json,sys
try:
    print(len(json.load(sys.stdin)))
except Exception:
    print(-1)'
}

# fed_wait_inbox SLUG KIND N [SECONDS]: wait until the inbox of SLUG holds
# at least N applied messages of KIND; checks every 0.2 s, at most SECONDS
# (default 20). Prints the count reached.
fed_wait_inbox() {
	local s=$1 kind=$2 want=$3 t=${4:-20} i n=0
	for ((i = 0; i < t * 5; i++)); do
		n=$(fed_count_json "$s" inbox lijst --kind "$kind")
		if [ "$n" -ge "$want" ]; then
			echo "$n"
			return 0
		fi
		sleep 0.2
	done
	echo "$n"
	return 1
}

# fed_wait_outbox_drained SLUG [SECONDS]: wait until SLUG has no queued
# message left (all acked or refused); bounded, default 20 s.
fed_wait_outbox_drained() {
	local s=$1 t=${2:-20} i n
	for ((i = 0; i < t * 5; i++)); do
		n=$(fed_count_json "$s" outbox lijst --state queued)
		if [ "$n" = 0 ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}
