/*
 * bench_relay: how many envelopes per second the real ret-relay verifies,
 * durably stores and acks, against baselines measured in the same run on
 * the same machine:
 *
 *   verify_1core   envelope_verify (Ed25519) on one core, envelopes
 *                  already decoded: the CPU cost the relay cannot avoid
 *   sqlite_batch   INSERTs of the same bytes into SQLite (WAL,
 *                  synchronous=FULL), 512 per transaction
 *   relay          K CURVE clients on loopback, each keeping a window of
 *                  unacked submits open; a message counts when its ack
 *                  (sent only after COMMIT) arrives
 *
 * The clients run in this process and share the machine with the relay,
 * so the relay figure is a lower bound. Output is key=value lines.
 *
 *   bench_relay [--relay PATH] [--messages N] [--clients K] [--window W]
 */
#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include <unistd.h>
#include "harness.h"

#define MAX_CLIENTS 16

struct sealed {
	uint8_t *buf;
	size_t len;
	uint64_t sent_us; /* when it was submitted */
};

/* Microseconds on a monotonic clock. */
static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* CPU milliseconds (user + system, all threads) used so far by pid. */
static uint64_t
proc_cpu_ms(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;
	long hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which ends with the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2,
				"%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
				"%llu %llu", &ut, &st) != 2 || hz <= 0)
		return 0;
	return (ut + st) * 1000ULL / (unsigned long long)hz;
}

static double
rate(size_t n, uint64_t ms)
{
	return ms ? (double)n * 1000.0 / (double)ms : 0.0;
}

/* CPU time of the calling thread in milliseconds (immune to other load). */
static uint64_t
thread_cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Baseline 1: Ed25519 verification of decoded envelopes on one core, per
 * second of CPU time (so that other load on the machine does not lower
 * it); *ret_wall gets the wall-clock rate.
 */
static double
bench_verify(struct sealed *env, size_t n, const uint8_t *pk,
	     double *ret_wall)
{
	struct envelope **dec = calloc(n, sizeof(*dec));
	struct wire_error err;
	uint64_t t0, c0;
	size_t i, ok = 0;

	if (dec == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (envelope_decode(env[i].buf, env[i].len, &dec[i], &err) !=
		    WIRE_OK)
			dec[i] = NULL;
	t0 = harness_now_ms();
	c0 = thread_cpu_ms();
	for (i = 0; i < n; i++)
		if (dec[i] && envelope_verify(dec[i], pk, &err) == WIRE_OK)
			ok++;
	c0 = thread_cpu_ms() - c0;
	t0 = harness_now_ms() - t0;
	*ret_wall = rate(n, t0);
	for (i = 0; i < n; i++)
		envelope_destroy(&dec[i]);
	free(dec);
	return ok == n ? rate(n, c0) : 0;
}

/* Baseline 2: SQLite inserts of the same bytes, 512 per transaction. */
static double
bench_sqlite(const char *dir, struct sealed *env, size_t n)
{
	char path[HARNESS_PATH_MAX];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	uint64_t t0;
	size_t i;
	int ok = 1;

	snprintf(path, sizeof(path), "%s/baseline.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "CREATE TABLE m(id INTEGER PRIMARY KEY, b BLOB);",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO m(b) VALUES (?1)", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return 0;
	}
	t0 = harness_now_ms();
	for (i = 0; i < n && ok; i++) {
		if (i % 512 == 0)
			ok = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) ==
			     SQLITE_OK;
		sqlite3_bind_blob(st, 1, env[i].buf, (int)env[i].len,
				  SQLITE_STATIC);
		ok = ok && sqlite3_step(st) == SQLITE_DONE;
		sqlite3_reset(st);
		if (i % 512 == 511 || i == n - 1)
			ok = ok && sqlite3_exec(db, "COMMIT", NULL, NULL,
						NULL) == SQLITE_OK;
	}
	t0 = harness_now_ms() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok ? rate(n, t0) : 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"relay", required_argument, NULL, 'r'},
		{"messages", required_argument, NULL, 'n'},
		{"clients", required_argument, NULL, 'k'},
		{"window", required_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	size_t n_msgs = 60000, k = 4, window = 512, per, i, j;
	struct keyfile keys[MAX_CLIENTS], desk;
	struct harness_client *cl[MAX_CLIENTS];
	struct sealed *env[MAX_CLIENTS];
	size_t sent[MAX_CLIENTS], acked[MAX_CLIENTS];
	struct harness_relay relay;
	char *dir, parties[65536] = "", name[64], *end;
	double v1, v1_wall = 0, sq, rr;
	uint64_t t0, ms, nacks = 0, cpu0, cpu;
	uint32_t *lat = NULL; /* submit-to-ack latency of each message, us */
	size_t n_lat = 0;
	int c, failed = 0;

	while ((c = getopt_long(argc, argv, "r:n:k:w:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			setenv("RET_RELAY_BIN", optarg, 1);
			break;
		case 'n':
			n_msgs = strtoul(optarg, &end, 10);
			if (*end || n_msgs < 1000 || n_msgs > 10000000)
				return 64;
			break;
		case 'k':
			k = strtoul(optarg, &end, 10);
			if (*end || k < 1 || k > MAX_CLIENTS)
				return 64;
			break;
		case 'w':
			window = strtoul(optarg, &end, 10);
			if (*end || window < 1 || window > 5000)
				return 64;
			break;
		default:
			fprintf(stderr, "usage: bench_relay [--relay PATH] "
					"[--messages N] [--clients K] "
					"[--window W]\n");
			return 64;
		}
	}
	if (getenv("RET_RELAY_BIN") == NULL) {
		fprintf(stderr, "bench_relay: give --relay PATH or set "
				"RET_RELAY_BIN\n");
		return 64;
	}
	if (sodium_init() < 0 || (dir = harness_tmpdir("bench-relay")) == NULL)
		return 70;
	setenv("RET_HARNESS_LOG_LEVEL", "notice", 1);
	per = n_msgs / k;
	n_msgs = per * k;

	/* Keys, configuration and pre-sealed envelopes (signing is the
	 * senders' cost, not the relay's). */
	if (harness_party_keys(dir, "desk:bench", &desk, NULL, 0) != 0 ||
	    harness_append_party(parties, sizeof(parties), &desk, 1, "bench",
				 NULL) != 0)
		return 70;
	for (i = 0; i < k; i++) {
		snprintf(name, sizeof(name), "region:bench-%zu", i);
		if (harness_party_keys(dir, name, &keys[i], NULL, 0) != 0 ||
		    harness_append_party(parties, sizeof(parties), &keys[i], 1,
					 "bench", NULL) != 0)
			return 70;
		env[i] = calloc(per, sizeof(*env[i]));
		if (env[i] == NULL)
			return 70;
		for (j = 0; j < per; j++) {
			struct harness_env e = {0};
			uint8_t id[16];

			e.kind = RETFED__V1__KIND__KIND_ESCALATION;
			e.seq = j + 1;
			if (harness_seal(&keys[i], &e, id, &env[i][j].buf,
					 &env[i][j].len) != 0)
				return 70;
		}
	}
	printf("machine_cores=%ld messages=%zu clients=%zu window=%zu "
	       "envelope_bytes=%zu\n",
	       sysconf(_SC_NPROCESSORS_ONLN), n_msgs, k, window, env[0][0].len);

	v1 = bench_verify(env[0], per < 20000 ? per : 20000, keys[0].sign_pk,
			  &v1_wall);
	printf("baseline verify_per_cpu_s=%.0f verify_1thread_wall_per_s=%.0f\n",
	       v1, v1_wall);
	sq = bench_sqlite(dir, env[0], per);
	printf("baseline sqlite_batch512_per_s=%.0f\n", sq);

	if (harness_relay_init(&relay, dir, "relay:bench", "bench", parties) !=
		    0 ||
	    harness_relay_start(&relay, 10000) != 0) {
		fprintf(stderr, "bench_relay: the relay did not start\n");
		return 69;
	}
	for (i = 0; i < k; i++) {
		struct relay_frame *f;

		cl[i] = harness_client_new(relay.endpoint,
					   relay.key.transport_pk, &keys[i]);
		if (cl[i] == NULL || harness_client_seq_query(cl[i]) != 0 ||
		    (f = harness_client_recv(cl[i], HARNESS_WANT_SEQ, 5000)) ==
			    NULL) {
			fprintf(stderr, "bench_relay: client %zu failed\n", i);
			(void)harness_stop(&relay.proc, 5000);
			return 69;
		}
		relay_frame_destroy(&f);
		sent[i] = acked[i] = 0;
	}

	lat = calloc(n_msgs, sizeof(*lat));
	if (lat == NULL)
		return 70;
	cpu0 = proc_cpu_ms(relay.proc.pid);
	t0 = harness_now_ms();
	for (;;) {
		zmq_pollitem_t items[MAX_CLIENTS];
		size_t done = 0;

		for (i = 0; i < k; i++) {
			while (sent[i] < per && sent[i] - acked[i] < window) {
				if (harness_client_submit(cl[i],
							  env[i][sent[i]].buf,
							  env[i][sent[i]].len) !=
				    0)
					break;
				env[i][sent[i]].sent_us = now_us();
				sent[i]++;
			}
			done += acked[i] == per;
			items[i].socket = harness_client_socket(cl[i]);
			items[i].fd = 0;
			items[i].events = ZMQ_POLLIN;
			items[i].revents = 0;
		}
		if (done == k)
			break;
		if (harness_now_ms() - t0 > 600000) {
			failed = 1;
			break;
		}
		/* Block until some client has replies, then take them all. */
		if (zmq_poll(items, (int)k, 1000) < 0 && errno != EINTR) {
			failed = 1;
			break;
		}
		for (i = 0; i < k; i++) {
			struct relay_frame *f;

			if (!(items[i].revents & ZMQ_POLLIN))
				continue;
			while (acked[i] < sent[i] &&
			       (f = harness_client_recv(cl[i],
							HARNESS_WANT_REPLY,
							0)) != NULL) {
				if (f->msg->frame_case !=
				    RETFED__V1__RELAY_FRAME__FRAME_ACK)
					nacks++;
				/* A connection's answers come in order. */
				if (n_lat < n_msgs)
					lat[n_lat++] = (uint32_t)(
						now_us() -
						env[i][acked[i]].sent_us);
				acked[i]++;
				relay_frame_destroy(&f);
			}
		}
	}
	ms = harness_now_ms() - t0;
	cpu = proc_cpu_ms(relay.proc.pid) - cpu0;
	rr = rate(n_msgs, ms);
	printf("relay acked=%zu nacked=%llu ms=%llu per_s=%.0f cpu_ms=%llu "
	       "per_cpu_s=%.0f\n",
	       n_msgs, (unsigned long long)nacks, (unsigned long long)ms, rr,
	       (unsigned long long)cpu, rate(n_msgs, cpu));
	qsort(lat, n_lat, sizeof(*lat), cmp_u32);
	if (n_lat > 0)
		printf("relay ack_latency_us p50=%u p99=%u max=%u\n",
		       lat[n_lat / 2], lat[n_lat * 99 / 100], lat[n_lat - 1]);
	free(lat);
	printf("ratio relay_wall_vs_verify_cpu=%.2f "
	       "relay_cpu_vs_verify_cpu=%.2f relay_vs_sqlite=%.2f\n",
	       v1 > 0 ? rr / v1 : 0, v1 > 0 ? rate(n_msgs, cpu) / v1 : 0,
	       sq > 0 ? rr / sq : 0);
	{
		double load[1];

		if (getloadavg(load, 1) == 1)
			printf("machine loadavg_1min=%.2f\n", load[0]);
	}
	for (i = 0; i < k; i++) {
		harness_client_destroy(&cl[i]);
		for (j = 0; j < per; j++)
			free(env[i][j].buf);
		free(env[i]);
		keyfile_wipe(&keys[i]);
	}
	if (harness_stop(&relay.proc, 10000) != 0)
		failed = 1;
	harness_rmtree(dir);
	free(dir);
	return failed || nacks ? 1 : 0;
}
