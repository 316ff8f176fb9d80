/*
 * bench_drain: how fast real ret-node processes drain their outboxes into a
 * real ret-relay after an outage, against bench_relay's rate measured in
 * the same run.
 *
 * For each N of --nodes (default 4 and 12):
 *
 * 1. run bench_relay (a child process) with N clients, N x M messages and
 *    ret-node's window of 256, and keep its acked messages per second;
 * 2. give N regions keys and a node database each, and queue M escalations
 *    in every outbox through node_outbox_queue (what the CLI does: sealed
 *    and numbered in one transaction);
 * 3. start N ret-node daemons while the relay is down, wait --outage-ms,
 *    then start the relay and, once it is ready, a coordinator desk that
 *    resumes, receives every delivery and confirms it;
 * 4. time from the relay's ready line until every message is acked in
 *    every node's outbox (read from the node databases) and delivered to
 *    the desk, and read each ret-node's peak RSS (VmHWM) before stopping.
 *
 * Printed per N: the times, the drain rate (all messages over the time from
 * ready to the last delivery; and over the time from the first ack, which
 * leaves out the nodes' reconnect back-off), its ratio to bench_relay's
 * rate, the peak RSS of the ret-nodes and the machine's load.
 *
 * Benchmarks are run by hand (bench/README.md), never by ctest.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "drafts.h"
#include "harness.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_outbox.h"

#define MAX_NODES 16
#define TIMEOUT_MS 600000

#ifndef RET_RELAY_BIN_DEFAULT
#define RET_RELAY_BIN_DEFAULT ""
#endif
#ifndef RET_NODE_BIN_DEFAULT
#define RET_NODE_BIN_DEFAULT ""
#endif
#ifndef RET_BENCH_RELAY_BIN_DEFAULT
#define RET_BENCH_RELAY_BIN_DEFAULT ""
#endif

struct node {
	char dir[HARNESS_PATH_MAX];
	char conf[HARNESS_PATH_MAX];
	char db_path[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	struct keyfile key;
	struct harness_proc proc;
	sqlite3 *db;           /* the bench's read connection */
	uint64_t first_ack_ms; /* since relay ready; 0: none yet */
	long rss_peak_kib;
};

/*
 * Queue m escalations in db through the outbox, built by the guard's real
 * builders (the outbox takes nothing else): one casus, one draft, queued
 * m times, each with its own message id and seq. Returns 0 or -1.
 */
static int
queue_escalations(sqlite3 *db, const struct keyfile *k, unsigned m)
{
	struct node_build_draft *bd = NULL;
	struct node_msg_error err;
	enum node_status s;
	unsigned i;

	memset(&err, 0, sizeof(err));
	s = support_draft_escalation(db, k, "Geen passende plek in de regio.",
				     "Drie aanbieders benaderd.", NULL, &bd,
				     err.detail, sizeof(err.detail));
	for (i = 0; s == NODE_OK && i < m; i++)
		s = node_outbox_queue(db, k, "bench", node_build_guarded(bd),
				      NULL, NULL, &err);
	node_build_destroy(&bd);
	if (s != NODE_OK) {
		fprintf(stderr, "bench_drain: queue: %s\n", err.detail);
		return -1;
	}
	return 0;
}

static long
count_acked(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_prepare_v2(db,
	                       "SELECT count(*) FROM outbox WHERE state = "
	                       "'acked'",
	                       -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A "Name:   123 kB" line of /proc/PID/status, in KiB; -1 if absent. */
static long
proc_status_kib(pid_t pid, const char *name)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, nl) == 0 && line[nl] == ':') {
			v = strtol(line + nl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* CPU milliseconds (user + system) used so far by pid; 0 if unknown. */
static uint64_t
proc_cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p == NULL || hz <= 0 ||
	    sscanf(p + 2,
	           "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
	           &st) != 2)
		return 0;
	return (uint64_t)((ut + st) * 1000ULL / (unsigned long long)hz);
}

static double
load1(void)
{
	double l[1];

	return getloadavg(l, 1) == 1 ? l[0] : -1;
}

/*
 * Run bench_relay with k clients and n messages; its acked messages per
 * second into *ret_rate. Returns 0 or -1.
 */
static int
run_bench_relay(const char *bench_relay, const char *relay, size_t k, size_t n,
                double *ret_rate)
{
	char cmd[2048], line[512];
	FILE *p;
	int found = 0;

	snprintf(cmd, sizeof(cmd),
	         "'%s' --relay '%s' --clients %zu --messages %zu --window 256",
	         bench_relay, relay, k, n < 1000 ? 1000 : n);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		const char *r = strstr(line, " per_s=");

		if (strncmp(line, "relay acked=", 12) == 0 && r != NULL) {
			*ret_rate = strtod(r + 7, NULL);
			found = 1;
		}
		printf("  bench_relay: %s", line);
	}
	return pclose(p) == 0 && found ? 0 : -1;
}

static int
write_node_config(struct node *nd, const struct harness_relay *relay,
                  const struct keyfile *desk, const char *slug)
{
	char text[4096], hex[65];

	sodium_bin2hex(hex, sizeof(hex), desk->sign_pk, 32);
	snprintf(text, sizeof(text),
	         "[node]\n"
	         "party = %s\n"
	         "ben = bench\n"
	         "database = node.db\n"
	         "key_file = %s.secret\n"
	         "log_level = notice\n"
	         "\n"
	         "[relay]\n"
	         "endpoint = %s\n"
	         "party = relay:bench\n"
	         "transport_key = %s\n"
	         "\n"
	         "[party %s]\n"
	         "signing_key = %s\n"
	         "ben = bench\n",
	         nd->key.party, slug, relay->endpoint, relay->key.transport_pk,
	         desk->party, hex);
	return harness_write_file(nd->dir, "node.conf", text, nd->conf,
	                          sizeof(nd->conf));
}

/* Take every waiting delivery on the desk and confirm the last one. */
static size_t
desk_take(struct harness_client *desk, uint64_t *confirmed)
{
	struct relay_frame *f;
	uint64_t top = *confirmed;
	size_t got = 0;

	while ((f = harness_client_recv(desk, HARNESS_WANT_DELIVERY, 0)) !=
	       NULL) {
		if (f->msg->delivery->cursor > top) {
			top = f->msg->delivery->cursor;
			got++;
		}
		relay_frame_destroy(&f);
	}
	if (top > *confirmed && harness_client_confirm(desk, top) == 0)
		*confirmed = top;
	return got;
}

/* One drain of n nodes with m messages each. Returns 0 or -1. */
static int
drain(const char *relay_bin, const char *node_bin, const char *bench_relay,
      size_t n, unsigned m, int outage_ms, int with_desk)
{
	static struct node nodes[MAX_NODES];
	char *dir = harness_tmpdir("bench-drain");
	char parties[16384] = "", name[64], slug[32], err[256];
	struct harness_relay relay;
	struct keyfile desk_key;
	struct harness_client *desk = NULL;
	uint64_t t_spawn, t_ready, t_acked = 0, t_delivered = 0, confirmed = 0;
	uint64_t first_ack = 0, last_first_ack = 0, now;
	size_t i, delivered = 0, total = n * m;
	double relay_rate = 0, load_before, load_after, rss_sum = 0;
	uint64_t node_cpu = 0, relay_cpu = 0;
	long rss_max = 0;
	int rc = -1;

	memset(nodes, 0, sizeof(nodes));
	memset(&relay, 0, sizeof(relay));
	if (dir == NULL)
		return -1;
	load_before = load1();
	printf("drain nodes=%zu messages_per_node=%u: bench_relay first\n", n,
	       m);
	fflush(stdout);
	if (run_bench_relay(bench_relay, relay_bin, n, total, &relay_rate) !=
	    0) {
		fprintf(stderr, "bench_drain: bench_relay failed\n");
		goto out;
	}

	if (harness_party_keys(dir, "desk:bench", &desk_key, NULL, 0) != 0 ||
	    harness_append_party(parties, sizeof(parties), &desk_key, 1,
	                         "bench", NULL) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct node *nd = &nodes[i];

		snprintf(slug, sizeof(slug), "bench-%02zu", i);
		snprintf(name, sizeof(name), "region:%s", slug);
		snprintf(nd->dir, sizeof(nd->dir), "%s/%s", dir, slug);
		if (mkdir(nd->dir, 0700) != 0 ||
		    harness_party_keys(nd->dir, name, &nd->key, NULL, 0) != 0 ||
		    harness_append_party(parties, sizeof(parties), &nd->key, 1,
		                         "bench", NULL) != 0)
			goto out;
	}
	if (harness_relay_init(&relay, dir, "relay:bench", "bench", parties) !=
	    0)
		goto out;
	for (i = 0; i < n; i++) {
		struct node *nd = &nodes[i];
		struct node_msg_error merr;

		snprintf(slug, sizeof(slug), "bench-%02zu", i);
		snprintf(nd->db_path, sizeof(nd->db_path), "%s/node.db",
		         nd->dir);
		snprintf(nd->log, sizeof(nd->log), "%s/ret-node.log", nd->dir);
		if (write_node_config(nd, &relay, &desk_key, slug) != 0 ||
		    node_db_open(nd->db_path, NODE_DB_CREATE, &nd->db, err,
		                 sizeof(err)) != NODE_OK ||
		    node_audit_migrate(nd->db, err, sizeof(err)) != NODE_OK ||
		    node_outbox_migrate(nd->db, &merr) != NODE_OK ||
		    /* Filling the outbox is set-up, not measured. */
		    sqlite3_exec(nd->db, "PRAGMA synchronous = OFF", NULL, NULL,
		                 NULL) != SQLITE_OK ||
		    queue_escalations(nd->db, &nd->key, m) != 0) {
			fprintf(stderr, "bench_drain: node %zu set-up failed\n",
			        i);
			goto out;
		}
	}
	printf("  queued %zu messages in %zu outboxes\n", total, n);
	fflush(stdout);

	for (i = 0; i < n; i++) {
		const char *argv[] = {node_bin, "--config", nodes[i].conf,
		                      NULL};

		if (harness_spawn(&nodes[i].proc, argv, nodes[i].log) != 0 ||
		    harness_wait_log(&nodes[i].proc, "event=started", 10000) !=
		        0) {
			fprintf(stderr,
			        "bench_drain: ret-node %zu did not "
			        "start (%s)\n",
			        i, nodes[i].log);
			goto out;
		}
	}
	harness_sleep_ms(outage_ms); /* the relay is down */
	t_spawn = harness_now_ms();
	if (harness_relay_start(&relay, 10000) != 0) {
		fprintf(stderr, "bench_drain: the relay did not start\n");
		goto out;
	}
	t_ready = harness_now_ms();
	desk = harness_client_new(relay.endpoint, relay.key.transport_pk,
	                          &desk_key);
	if (desk == NULL || harness_client_resume(desk, 0) != 0)
		goto out;

	for (;;) {
		zmq_pollitem_t it = {harness_client_socket(desk), 0, ZMQ_POLLIN,
		                     0};
		long acked_all = 0;

		if (zmq_poll(&it, 1, 20) < 0 && errno != EINTR)
			goto out;
		delivered += desk_take(desk, &confirmed);
		now = harness_now_ms();
		for (i = 0; i < n; i++) {
			long a = count_acked(nodes[i].db);

			if (a > 0 && nodes[i].first_ack_ms == 0) {
				nodes[i].first_ack_ms = now - t_ready;
				if (first_ack == 0)
					first_ack = now - t_ready;
				last_first_ack = now - t_ready;
			}
			acked_all += a > 0 ? a : 0;
		}
		if (t_acked == 0 && (size_t)acked_all == total)
			t_acked = now - t_ready;
		if (t_delivered == 0 && delivered >= total)
			t_delivered = now - t_ready;
		if (t_acked && t_delivered)
			break;
		if (now - t_ready > TIMEOUT_MS) {
			fprintf(stderr,
			        "bench_drain: timeout: %ld acked, %zu "
			        "delivered of %zu\n",
			        acked_all, delivered, total);
			goto out;
		}
	}
	load_after = load1();
	relay_cpu = proc_cpu_ms(relay.proc.pid);
	for (i = 0; i < n; i++) {
		nodes[i].rss_peak_kib =
		    proc_status_kib(nodes[i].proc.pid, "VmHWM");
		rss_sum += (double)nodes[i].rss_peak_kib;
		node_cpu += proc_cpu_ms(nodes[i].proc.pid);
		if (nodes[i].rss_peak_kib > rss_max)
			rss_max = nodes[i].rss_peak_kib;
	}
	{
		uint64_t end = t_acked > t_delivered ? t_acked : t_delivered;
		double rate = end ? total * 1000.0 / (double)end : 0;
		double active = end > first_ack
		                    ? total * 1000.0 / (double)(end - first_ack)
		                    : 0;

		printf(
		    "drain nodes=%zu messages_per_node=%u total=%zu "
		    "outage_ms=%d relay_start_ms=%" PRIu64
		    " first_ack_ms=%" PRIu64 " last_node_first_ack_ms=%" PRIu64
		    " all_acked_ms=%" PRIu64 " all_delivered_ms=%" PRIu64 "\n",
		    n, m, total, outage_ms, t_ready - t_spawn, first_ack,
		    last_first_ack, t_acked, t_delivered);
		printf("drain nodes=%zu per_s=%.0f per_s_from_first_ack=%.0f "
		       "bench_relay_per_s=%.0f ratio=%.2f "
		       "ratio_from_first_ack=%.2f\n",
		       n, rate, active, relay_rate,
		       relay_rate > 0 ? rate / relay_rate : 0,
		       relay_rate > 0 ? active / relay_rate : 0);
		printf(
		    "drain nodes=%zu ret_node_rss_peak_kib max=%ld mean=%.0f "
		    "cpu_ms ret_nodes=%" PRIu64 " relay=%" PRIu64
		    " loadavg_1min before=%.2f after=%.2f\n",
		    n, rss_max, rss_sum / (double)n, node_cpu, relay_cpu,
		    load_before, load_after);
	}
	rc = 0;
out:
	fflush(stdout);
	harness_client_destroy(&desk);
	for (i = 0; i < n; i++) {
		if (nodes[i].proc.pid > 0 &&
		    harness_stop(&nodes[i].proc, 10000) != 0)
			rc = -1;
		node_db_close(&nodes[i].db);
		keyfile_wipe(&nodes[i].key);
	}
	if (relay.proc.pid > 0 && harness_stop(&relay.proc, 10000) != 0)
		rc = -1;
	keyfile_wipe(&desk_key);
	if (getenv("RET_KEEP_TMP") == NULL)
		harness_rmtree(dir);
	else
		fprintf(stderr, "kept %s\n", dir);
	free(dir);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
	        "Usage: bench_drain [--relay PATH] [--node PATH] "
	        "[--bench-relay PATH]\n"
	        "                   [--nodes N[,N...]] [--messages M] "
	        "[--outage-ms MS]\n"
	        "\n"
	        "  --nodes      how many ret-node processes, one run each "
	        "(default 4,12; at most %d)\n"
	        "  --messages   queued messages per node (default 5000; 100 "
	        "for a quick run)\n"
	        "  --outage-ms  how long the nodes run before the relay starts "
	        "(default 1500)\n"
	        "  --no-desk    no desk connects: time the acks alone\n"
	        "  The programs default to those of this build directory.\n",
	        MAX_NODES);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"relay", required_argument, NULL, 'r'},
	    {"node", required_argument, NULL, 'N'},
	    {"bench-relay", required_argument, NULL, 'b'},
	    {"nodes", required_argument, NULL, 'n'},
	    {"messages", required_argument, NULL, 'm'},
	    {"outage-ms", required_argument, NULL, 'o'},
	    {"no-desk", no_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	const char *relay = RET_RELAY_BIN_DEFAULT, *node = RET_NODE_BIN_DEFAULT;
	const char *bench_relay = RET_BENCH_RELAY_BIN_DEFAULT;
	const char *list = "4,12";
	unsigned long m = 5000, outage = 1500;
	size_t counts[8], n_counts = 0, i;
	char *end;
	const char *p;
	int c, failed = 0, with_desk = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			relay = optarg;
			break;
		case 'N':
			node = optarg;
			break;
		case 'b':
			bench_relay = optarg;
			break;
		case 'n':
			list = optarg;
			break;
		case 'm':
			m = strtoul(optarg, &end, 10);
			if (*end || m < 1 || m > 1000000) {
				fprintf(stderr, "bench_drain: --messages "
				                "must be 1 to 1000000\n");
				return 64;
			}
			break;
		case 'o':
			outage = strtoul(optarg, &end, 10);
			if (*end || outage > 600000) {
				fprintf(stderr, "bench_drain: --outage-ms "
				                "must be 0 to 600000\n");
				return 64;
			}
			break;
		case 'D':
			with_desk = 0;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	for (p = list;; p = end + 1) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p || (*end && *end != ',') || v < 1 ||
		    v > MAX_NODES || n_counts == 8) {
			fprintf(stderr,
			        "bench_drain: --nodes takes up to 8 "
			        "counts of 1 to %d\n",
			        MAX_NODES);
			return 64;
		}
		counts[n_counts++] = v;
		if (*end == '\0')
			break;
	}
	if (!*relay || !*node || !*bench_relay) {
		fprintf(stderr, "bench_drain: give --relay, --node and "
		                "--bench-relay\n");
		return 64;
	}
	if (sodium_init() < 0)
		return 70;
	setenv("RET_RELAY_BIN", relay, 1);
	setenv("RET_HARNESS_LOG_LEVEL", "notice", 1);
	printf("machine_cores=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	for (i = 0; i < n_counts; i++)
		if (drain(relay, node, bench_relay, counts[i], (unsigned)m,
		          (int)outage, with_desk) != 0)
			failed = 1;
	return failed ? 1 : 0;
}
