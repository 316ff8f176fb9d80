/*
 * bench_bad_input: an honest client's throughput with and without an
 * attacker (issue 9, bad-input matrix).
 *
 * One real ret-relay on 127.0.0.1. The honest client (a region) pipelines
 * pre-signed escalations with a window of unacknowledged submits; a message
 * counts when its Ack arrives. It runs twice: quiet, then while an attacker
 * (another authenticated region, on its own thread and connection) sends
 * the bad-input matrix's inputs in a loop as fast as the relay answers
 * them (its own window of unanswered frames): truncated and random frames,
 * wrong wire types, unknown fields, flipped bits in body and signature,
 * another party's signature, an unknown key id, an unknown sender,
 * impersonation, replays, sequence gaps, an unknown recipient, a decision
 * from a region, an unknown kind, invalid UTF-8, a NUL in a string, and
 * two-part messages. Frames over ZMQ_MAXMSGSIZE are left out: they end the
 * attacker's own connection and cost the relay nothing.
 *
 * Output: key=value lines; `ratio` is attacked per_s / quiet per_s
 * (target: at least 0.8).
 *
 *   bench_bad_input [--relay PATH] [--messages N] [--window W]
 *                   [--attack-window A]
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include "harness.h"

#define KIND(x) RETFED__V1__KIND__KIND_##x
#define MAX_INPUTS 32

struct blob {
	uint8_t *buf;
	size_t len;
	int parts;
};

struct attacker {
	struct harness_client *c;
	struct blob in[MAX_INPUTS];
	size_t n_in;
	size_t window;
	atomic_int stop;
	uint64_t sent, answered, acked;
};

static double
rate(size_t n, uint64_t ms)
{
	return ms == 0 ? 0.0 : (double)n * 1000.0 / (double)ms;
}

/* ---------------------------------------------------------------------- */
/* The attacker's inputs */

static int
add(struct attacker *a, uint8_t *buf, size_t len, int parts)
{
	if (buf == NULL || a->n_in >= MAX_INPUTS)
		return -1;
	a->in[a->n_in].buf = buf;
	a->in[a->n_in].len = len;
	a->in[a->n_in].parts = parts;
	a->n_in++;
	return 0;
}

static int
add_raw(struct attacker *a, const uint8_t *b, size_t n)
{
	uint8_t *copy = malloc(n);

	if (copy == NULL)
		return -1;
	memcpy(copy, b, n);
	return add(a, copy, n, 1);
}

/* Add a Submit frame of env (freed). */
static int
add_submit(struct attacker *a, uint8_t *env, size_t n, int parts)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = frame_pack_submit(env, n, &buf, &len);

	free(env);
	return rc != 0 ? -1 : add(a, buf, len, parts);
}

static int
seal(const struct keyfile *k, const struct harness_env *e, uint8_t **env,
     size_t *n)
{
	uint8_t id[16];

	return harness_seal(k, e, id, env, n);
}

/* Add a Submit of envelope e sealed with k. */
static int
add_sealed(struct attacker *a, const struct keyfile *k,
	   const struct harness_env *e)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (seal(k, e, &env, &n) != 0)
		return -1;
	return add_submit(a, env, n, 1);
}

static long
find_text(const uint8_t *env, size_t n)
{
	size_t i;

	for (i = 0; i + 9 <= n; i++)
		if (memcmp(env + i, "test text", 9) == 0)
			return (long)i;
	return -1;
}

/* A valid escalation of k with one change: at < 0 counts from the end. */
static int
add_changed(struct attacker *a, const struct keyfile *k, uint64_t seq,
	    int in_text, long at, int xor_mask, uint8_t value)
{
	struct harness_env e = {.kind = KIND(ESCALATION)};
	uint8_t *env = NULL;
	size_t n = 0;
	long off;

	e.seq = seq;
	if (seal(k, &e, &env, &n) != 0)
		return -1;
	if (in_text) {
		off = find_text(env, n);
		if (off < 0) {
			free(env);
			return -1;
		}
		off += at;
	} else {
		off = (long)n + at;
	}
	if (xor_mask)
		env[off] ^= (uint8_t)xor_mask;
	else
		env[off] = value;
	return add_submit(a, env, n, 1);
}

static int
build_inputs(struct attacker *a, const struct keyfile *nl,
	     const struct keyfile *zl, const struct keyfile *stranger)
{
	static const uint8_t truncated[] = {0x0a, 0x64, 0x01, 0x02, 0x03};
	static const uint8_t wire_type[] = {0x08, 0x01};
	static const uint8_t unknown_field[] = {0x78, 0x01};
	static const uint8_t seed[randombytes_SEEDBYTES] = "bad-input matrix";
	struct harness_env e = {.kind = KIND(ESCALATION)};
	uint8_t random_bytes[512], never[16], *env = NULL;
	size_t n = 0, i;
	int rc = 0;

	randombytes_buf_deterministic(random_bytes, sizeof(random_bytes), seed);
	memset(never, 0x5a, sizeof(never));
	rc |= add_raw(a, truncated, sizeof(truncated));
	rc |= add_raw(a, wire_type, sizeof(wire_type));
	rc |= add_raw(a, unknown_field, sizeof(unknown_field));
	rc |= add_raw(a, random_bytes, sizeof(random_bytes));
	/* Flipped bits: body and signature (Ed25519 verify each). */
	rc |= add_changed(a, nl, 2, 1, 0, 0x01, 0);
	rc |= add_changed(a, nl, 2, 0, -10, 0x08, 0);
	/* Invalid UTF-8 and NUL: refused by the decoder. */
	rc |= add_changed(a, nl, 2, 1, 4, 0, 0xff);
	rc |= add_changed(a, nl, 2, 1, 4, 0, 0x00);
	/* Kind 99: the Body starts 08 01 10 <kind> after the Envelope's
	 * tag and length. */
	if (seal(nl, &(struct harness_env){.kind = KIND(ESCALATION), .seq = 2},
		 &env, &n) != 0)
		return -1;
	for (i = 2; i + 3 < n && i < 6; i++)
		if (env[i] == 0x08 && env[i + 1] == 0x01 && env[i + 2] == 0x10) {
			env[i + 3] = 99;
			break;
		}
	rc |= add_submit(a, env, n, 1);
	/* Another party's signature, an unknown key id, unknown sender,
	 * impersonation. */
	e.seq = 2;
	e.sign_sk = zl->sign_sk;
	rc |= add_sealed(a, nl, &e);
	e.sign_sk = NULL;
	e.key_id_pk = stranger->sign_pk;
	rc |= add_sealed(a, nl, &e);
	e.key_id_pk = NULL;
	rc |= add_sealed(a, stranger, &e);
	e.sender = zl->party;
	rc |= add_sealed(a, nl, &e);
	e.sender = NULL;
	/* Replay (seq 1 is stored), a gap. */
	e.seq = 1;
	rc |= add_sealed(a, nl, &e);
	e.seq = 9;
	rc |= add_sealed(a, nl, &e);
	/* Routing: an unknown recipient, a decision from a region. */
	e.seq = 2;
	e.kind = KIND(PEER_REVIEW_REQUEST);
	e.recipient = "region:nergens";
	rc |= add_sealed(a, nl, &e);
	e.kind = KIND(DECISION);
	e.recipient = zl->party;
	e.request_id = never;
	rc |= add_sealed(a, nl, &e);
	/* A valid submit as two parts. */
	e.kind = KIND(ESCALATION);
	e.recipient = NULL;
	e.request_id = NULL;
	if (seal(nl, &e, &env, &n) != 0)
		return -1;
	rc |= add_submit(a, env, n, 2);
	return rc == 0 ? 0 : -1;
}

/* Send inputs in a loop, at most a->window unanswered, until stopped. */
static void *
attack(void *arg)
{
	struct attacker *a = arg;
	void *s = harness_client_socket(a->c);
	size_t next = 0;

	while (!atomic_load(&a->stop)) {
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		struct relay_frame *f;

		while (a->sent - a->answered < a->window) {
			const struct blob *b = &a->in[next];

			next = (next + 1) % a->n_in;
			if (b->parts == 2 &&
			    zmq_send(s, b->buf, b->len, ZMQ_SNDMORE) < 0)
				break;
			if (zmq_send(s, b->buf, b->len, 0) < 0)
				break;
			a->sent++;
		}
		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		while ((f = harness_client_recv(a->c, HARNESS_WANT_REPLY, 0)) !=
		       NULL) {
			a->answered++;
			if (f->msg->frame_case ==
			    RETFED__V1__RELAY_FRAME__FRAME_ACK)
				a->acked++;
			relay_frame_destroy(&f);
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------------- */
/* The honest client */

/* Submit env[0..n) with a window; returns elapsed ms, 0 on failure. */
static uint64_t
honest_run(struct harness_client *c, struct blob *env, size_t n,
	   size_t window, size_t *nacks)
{
	uint64_t t0 = harness_now_ms();
	size_t sent = 0, acked = 0;
	void *s = harness_client_socket(c);

	while (acked < n) {
		zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
		struct relay_frame *f;

		while (sent < n && sent - acked < window) {
			if (harness_client_submit(c, env[sent].buf,
						  env[sent].len) != 0)
				return 0;
			sent++;
		}
		if (harness_now_ms() - t0 > 300000)
			return 0;
		if (zmq_poll(&it, 1, 1000) < 0 && errno != EINTR)
			return 0;
		while (acked < sent &&
		       (f = harness_client_recv(c, HARNESS_WANT_REPLY, 0)) !=
			       NULL) {
			if (f->msg->frame_case !=
			    RETFED__V1__RELAY_FRAME__FRAME_ACK)
				(*nacks)++;
			acked++;
			relay_frame_destroy(&f);
		}
	}
	return harness_now_ms() - t0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"relay", required_argument, NULL, 'r'},
		{"messages", required_argument, NULL, 'n'},
		{"window", required_argument, NULL, 'w'},
		{"attack-window", required_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	struct keyfile zl, nl, desk, stranger;
	struct harness_relay relay;
	struct harness_client *honest, *setup_c;
	struct attacker a;
	struct blob *env;
	struct relay_frame *f;
	pthread_t th;
	char *dir, parties[8192] = "", *end;
	size_t n_msgs = 20000, window = 64, i, nacks_q = 0, nacks_a = 0;
	uint64_t quiet_ms, attack_ms;
	double quiet, attacked;
	int c;

	memset(&a, 0, sizeof(a));
	a.window = 64;
	while ((c = getopt_long(argc, argv, "r:n:w:a:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			setenv("RET_RELAY_BIN", optarg, 1);
			break;
		case 'n':
			n_msgs = strtoul(optarg, &end, 10);
			if (*end || n_msgs < 100 || n_msgs > 1000000)
				return 64;
			break;
		case 'w':
			window = strtoul(optarg, &end, 10);
			if (*end || window < 1 || window > 5000)
				return 64;
			break;
		case 'a':
			a.window = strtoul(optarg, &end, 10);
			if (*end || a.window < 1 || a.window > 5000)
				return 64;
			break;
		default:
			fprintf(stderr, "usage: bench_bad_input [--relay PATH] "
					"[--messages N] [--window W] "
					"[--attack-window A]\n");
			return 64;
		}
	}
	if (getenv("RET_RELAY_BIN") == NULL) {
		fprintf(stderr, "bench_bad_input: give --relay PATH or set "
				"RET_RELAY_BIN\n");
		return 64;
	}
	if (sodium_init() < 0 || (dir = harness_tmpdir("bench-bad")) == NULL)
		return 70;
	setenv("RET_HARNESS_LOG_LEVEL", "notice", 1);
	if (harness_party_keys(dir, "region:zuid-limburg", &zl, NULL, 0) ||
	    harness_party_keys(dir, "region:noord-limburg", &nl, NULL, 0) ||
	    harness_party_keys(dir, "desk:bel-roermond", &desk, NULL, 0) ||
	    harness_party_keys(dir, "region:nergens", &stranger, NULL, 0) ||
	    harness_append_party(parties, sizeof(parties), &zl, 1, "bel",
				 NULL) ||
	    harness_append_party(parties, sizeof(parties), &nl, 1, "bel",
				 NULL) ||
	    harness_append_party(parties, sizeof(parties), &desk, 1, "bel",
				 NULL))
		return 70;
	/* Honest envelopes for both runs, sealed before any clock starts. */
	env = calloc(2 * n_msgs, sizeof(*env));
	if (env == NULL)
		return 70;
	for (i = 0; i < 2 * n_msgs; i++) {
		struct harness_env e = {.kind = KIND(ESCALATION)};

		e.seq = i + 1;
		if (seal(&zl, &e, &env[i].buf, &env[i].len) != 0)
			return 70;
	}
	if (build_inputs(&a, &nl, &zl, &stranger) != 0)
		return 70;
	if (harness_relay_init(&relay, dir, "relay:bel", "bel", parties) != 0 ||
	    harness_relay_start(&relay, 10000) != 0) {
		fprintf(stderr, "bench_bad_input: the relay did not start\n");
		return 69;
	}
	/* The attacker's region has stored seq 1 (for the replays). */
	setup_c = harness_client_new(relay.endpoint, relay.key.transport_pk,
				     &nl);
	honest = harness_client_new(relay.endpoint, relay.key.transport_pk,
				    &zl);
	a.c = harness_client_new(relay.endpoint, relay.key.transport_pk, &nl);
	if (setup_c == NULL || honest == NULL || a.c == NULL)
		return 69;
	{
		struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};
		uint8_t *one = NULL;
		size_t n = 0;

		if (seal(&nl, &e, &one, &n) != 0 ||
		    harness_client_submit(setup_c, one, n) != 0 ||
		    (f = harness_client_recv(setup_c, HARNESS_WANT_REPLY,
					     5000)) == NULL)
			return 69;
		free(one);
		relay_frame_destroy(&f);
	}
	harness_client_destroy(&setup_c);
	if (harness_client_seq_query(honest) != 0 ||
	    (f = harness_client_recv(honest, HARNESS_WANT_SEQ, 5000)) == NULL)
		return 69;
	relay_frame_destroy(&f);

	printf("machine_cores=%ld messages=%zu window=%zu attack_window=%zu "
	       "attack_inputs=%zu\n",
	       sysconf(_SC_NPROCESSORS_ONLN), n_msgs, window, a.window,
	       a.n_in);
	quiet_ms = honest_run(honest, env, n_msgs, window, &nacks_q);
	if (quiet_ms == 0)
		return 1;
	quiet = rate(n_msgs, quiet_ms);
	printf("quiet acked=%zu nacked=%zu ms=%llu per_s=%.0f\n", n_msgs,
	       nacks_q, (unsigned long long)quiet_ms, quiet);

	if (pthread_create(&th, NULL, attack, &a) != 0)
		return 70;
	harness_sleep_ms(300); /* the attack is under way */
	{
		uint64_t a0 = a.answered;

		attack_ms = honest_run(honest, env + n_msgs, n_msgs, window,
				       &nacks_a);
		atomic_store(&a.stop, 1);
		pthread_join(th, NULL);
		if (attack_ms == 0)
			return 1;
		attacked = rate(n_msgs, attack_ms);
		printf("attacked acked=%zu nacked=%zu ms=%llu per_s=%.0f "
		       "attacker_frames_answered=%llu attacker_per_s=%.0f "
		       "attacker_acked=%llu\n",
		       n_msgs, nacks_a, (unsigned long long)attack_ms,
		       attacked, (unsigned long long)(a.answered - a0),
		       rate((size_t)(a.answered - a0), attack_ms),
		       (unsigned long long)a.acked);
	}
	printf("ratio=%.2f target=0.80 %s\n", attacked / quiet,
	       attacked / quiet >= 0.8 ? "met" : "NOT met");

	harness_client_destroy(&a.c);
	harness_client_destroy(&honest);
	if (harness_stop(&relay.proc, 10000) != 0)
		fprintf(stderr, "bench_bad_input: relay exit status not 0\n");
	for (i = 0; i < 2 * n_msgs; i++)
		free(env[i].buf);
	free(env);
	for (i = 0; i < a.n_in; i++)
		free(a.in[i].buf);
	harness_rmtree(dir);
	free(dir);
	return nacks_q + nacks_a == 0 && a.acked == 0 ? 0 : 1;
}
