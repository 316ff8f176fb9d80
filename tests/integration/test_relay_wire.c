/*
 * test_relay_wire: the parts of the wire contract (docs/protocol.md) that a
 * client written from the document alone depends on, against a live
 * ret-relay on 127.0.0.1:
 *
 * - sizes: every frame up to the documented 65 536 bytes reaches the
 *   decoder and is answered (too_large where a limit is passed), in the
 *   order sent; frames, envelopes and bodies one byte either side of
 *   their limits get the documented reason; a frame of 65 537 bytes ends
 *   the connection without an answer and the relay serves the next one;
 * - the refusal budget holds per frame, also inside one batch: of a burst
 *   of 300 envelopes with bad signatures at most 64 per second are
 *   verified (bad_signature), every other one is answered rate_limited;
 * - every Nack whose envelope header could be read carries that
 *   envelope's message_id and seq; one whose could not carries neither.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "envelope.h"
#include "frame.h"
#include "harness.h"
#include "wire_error.h"

#define REPLY_MS 5000
#define DROP_MS 1500
#define KIND(x) RETFED__V1__KIND__KIND_##x
#define FRAME(x) RETFED__V1__RELAY_FRAME__FRAME_##x

#define REGION "region:noord-limburg"
#define BURSTER "region:midden-limburg"
#define OTHER "region:zuid-limburg"
#define DESK "desk:bel-roermond"

#define BURST 300
#define BUDGET 64 /* docs/protocol.md 9.1, refusal budget */

struct world {
	char *dir;
	struct harness_relay relay;
	struct keyfile nl, ml, zl, desk;
	char parties[8192];
};

static struct harness_client *
client_of(struct world *w, const struct keyfile *k)
{
	return harness_client_new(w->relay.endpoint, w->relay.key.transport_pk,
	                          k);
}

/* The next Ack or Nack on c; fails the test on a timeout. */
static struct relay_frame *
reply_of(struct harness_client *c)
{
	struct relay_frame *f =
	    harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);

	assert_non_null(f);
	return f;
}

/* Expect a Nack with `reason` next on c, and return it. */
static struct relay_frame *
expect_nack(struct harness_client *c, int reason)
{
	struct relay_frame *f = reply_of(c);

	assert_int_equal(f->msg->frame_case, FRAME(NACK));
	if ((int)f->msg->nack->reason != reason)
		fail_msg("got %s, expected %s (%s)",
		         wire_reason_name((int)f->msg->nack->reason),
		         wire_reason_name(reason), f->msg->nack->detail);
	return f;
}

/* A raw ClientFrame of exactly `total` bytes: Submit of total-4 zeros. */
static uint8_t *
submit_of_size(size_t total)
{
	uint8_t *b = calloc(1, total);
	size_t n = total - 4;

	assert_non_null(b);
	assert_true(n >= 16384 && n < 2097152); /* a 3-byte length */
	b[0] = 0x0a;
	b[1] = (uint8_t)(0x80 | (n & 0x7f));
	b[2] = (uint8_t)(0x80 | ((n >> 7) & 0x7f));
	b[3] = (uint8_t)(n >> 14);
	return b;
}

/*
 * A serialised Envelope whose body is `body` followed by an unknown field
 * 9 that pads it to body_total bytes, with a 64-byte signature of zeros.
 * Length into *len.
 */
static uint8_t *
envelope_padded(const uint8_t *body, size_t body_len, size_t body_total,
                size_t *len)
{
	Retfed__V1__Envelope e = RETFED__V1__ENVELOPE__INIT;
	uint8_t sig[64] = {0}, *nb = calloc(1, body_total), *out;
	size_t pad = body_total - body_len, c = pad - 4;

	assert_non_null(nb);
	assert_true(c >= 16384);
	memcpy(nb, body, body_len);
	nb[body_len] = 0x4a; /* field 9, length-delimited */
	nb[body_len + 1] = (uint8_t)(0x80 | (c & 0x7f));
	nb[body_len + 2] = (uint8_t)(0x80 | ((c >> 7) & 0x7f));
	nb[body_len + 3] = (uint8_t)(c >> 14);
	e.body.data = nb;
	e.body.len = body_total;
	e.signature.data = sig;
	e.signature.len = sizeof(sig);
	*len = protobuf_c_message_get_packed_size(&e.base);
	out = malloc(*len);
	assert_non_null(out);
	protobuf_c_message_pack(&e.base, out);
	free(nb);
	return out;
}

/* The body bytes of a serialised envelope (copied into *ret, malloc'ed). */
static size_t
body_of(const uint8_t *env, size_t len, uint8_t **ret)
{
	Retfed__V1__Envelope *e = retfed__v1__envelope__unpack(NULL, len, env);
	size_t n;

	assert_non_null(e);
	n = e->body.len;
	*ret = malloc(n);
	assert_non_null(*ret);
	memcpy(*ret, e->body.data, n);
	retfed__v1__envelope__free_unpacked(e, NULL);
	return n;
}

/* A zero-filled Submit whose envelope is exactly env_len bytes. */
static void
send_envelope_bytes(struct harness_client *c, const uint8_t *env, size_t n)
{
	uint8_t *f = NULL;
	size_t fl = 0;

	assert_int_equal(frame_pack_submit(env, n, &f, &fl), 0);
	assert_int_equal(harness_client_send_raw(c, f, fl), 0);
	free(f);
}

static void
seal_ok(const struct keyfile *k, struct harness_env *e, uint8_t id[16],
        uint8_t **env, size_t *len)
{
	assert_int_equal(harness_seal(k, e, id, env, len), 0);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (w == NULL || (w->dir = harness_tmpdir("relay-wire")) == NULL)
		return -1;
	if (harness_party_keys(w->dir, REGION, &w->nl, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, BURSTER, &w->ml, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, OTHER, &w->zl, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, DESK, &w->desk, NULL, 0) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->nl, 1,
	                         "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->ml, 1,
	                         "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->zl, 1,
	                         "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->desk, 1,
	                         "bel", NULL) != 0 ||
	    harness_relay_init(&w->relay, w->dir, "relay:bel", "bel",
	                       w->parties) != 0 ||
	    harness_relay_start(&w->relay, 10000) != 0)
		return -1;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	if (w == NULL)
		return 0;
	if (w->relay.proc.pid > 0 && harness_stop(&w->relay.proc, 10000) != 0)
		return -1;
	keyfile_wipe(&w->nl);
	keyfile_wipe(&w->ml);
	keyfile_wipe(&w->zl);
	keyfile_wipe(&w->desk);
	harness_rmtree(w->dir);
	free(w->dir);
	free(w);
	return 0;
}

/* ---------------------------------------------------------------------- */

/*
 * Frames of 65 503 to 65 536 bytes (the CURVE overhead lies in between)
 * and envelopes and bodies around their limits: each is answered, in the
 * order sent, with the documented reason; then a valid envelope is still
 * acked on the same connection.
 */
static void
test_sizes_at_the_limits(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client_of(w, &w->nl);
	static const size_t frames[] = {65536, 65535, 65504, 65503, 65000};
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};
	uint8_t id[16], *env = NULL, *body = NULL, *buf;
	size_t env_len = 0, body_len, n, i;
	struct relay_frame *f;

	assert_non_null(c);
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		buf = submit_of_size(frames[i]);
		assert_int_equal(harness_client_send_raw(c, buf, frames[i]), 0);
		free(buf);
	}
	/* Envelopes of 61 569 and 61 568 bytes: over the envelope limit, and
	 * at it with a body over the body limit. */
	buf = calloc(1, ENVELOPE_MAX + 1);
	assert_non_null(buf);
	send_envelope_bytes(c, buf, ENVELOPE_MAX + 1);
	free(buf);
	seal_ok(&w->nl, &e, id, &env, &env_len);
	body_len = body_of(env, env_len, &body);
	buf = envelope_padded(body, body_len, ENVELOPE_MAX - 70, &n);
	assert_int_equal(n, ENVELOPE_MAX);
	send_envelope_bytes(c, buf, n);
	free(buf);
	/* Bodies of 61 441 and 61 440 bytes. */
	buf = envelope_padded(body, body_len, ENVELOPE_BODY_MAX + 1, &n);
	send_envelope_bytes(c, buf, n);
	free(buf);
	buf = envelope_padded(body, body_len, ENVELOPE_BODY_MAX, &n);
	send_envelope_bytes(c, buf, n);
	free(buf);
	assert_int_equal(harness_client_submit(c, env, env_len), 0);

	for (i = 0; i < sizeof(frames) / sizeof(frames[0]) + 3; i++) {
		f = expect_nack(c, WIRE_TOO_LARGE);
		assert_int_equal(f->msg->nack->message_id.len, 0);
		relay_frame_destroy(&f);
	}
	/* A body at its limit is read: here its padding is an unknown
	 * field, so the header was not (the structure failed first). */
	f = expect_nack(c, WIRE_UNKNOWN_FIELD);
	assert_int_equal(f->msg->nack->message_id.len, 0);
	relay_frame_destroy(&f);
	f = reply_of(c);
	assert_int_equal(f->msg->frame_case, FRAME(ACK));
	assert_memory_equal(f->msg->ack->message_id.data, id, 16);
	relay_frame_destroy(&f);

	/* One byte over the frame limit: the connection ends, no answer. */
	buf = submit_of_size(FRAME_MAX + 1);
	assert_int_equal(harness_client_send_raw(c, buf, FRAME_MAX + 1), 0);
	free(buf);
	assert_null(harness_client_recv(c, HARNESS_WANT_REPLY, DROP_MS));
	harness_client_destroy(&c);
	/* ... and the relay serves the next connection. */
	c = client_of(w, &w->nl);
	assert_non_null(c);
	assert_int_equal(harness_client_seq_query(c), 0);
	f = harness_client_recv(c, HARNESS_WANT_SEQ, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->seq_reply->last_seq, 1);
	relay_frame_destroy(&f);
	harness_client_destroy(&c);
	free(body);
	free(env);
}

/* Wall-clock seconds (the relay's budget runs on the wall clock). */
static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * 300 pipelined envelopes with bad signatures from one party: at most 64
 * per second started are verified and refused bad_signature, every other
 * one is answered rate_limited (without a message id: it was not
 * decoded); every frame is answered.
 */
static void
test_refusal_budget_per_frame(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client_of(w, &w->ml);
	uint8_t ids[BURST][16], *env[BURST];
	size_t len[BURST], i, j, bad = 0, limited = 0, seconds;
	uint64_t start, end;
	struct relay_frame *f;

	assert_non_null(c);
	for (i = 0; i < BURST; i++) {
		struct harness_env e = {.kind = KIND(ESCALATION)};

		e.seq = i + 1;
		seal_ok(&w->ml, &e, ids[i], &env[i], &len[i]);
		env[i][len[i] - 1] ^= 0x01; /* the last signature byte */
	}
	/* Make the party known to the relay before the burst. */
	assert_int_equal(harness_client_seq_query(c), 0);
	f = harness_client_recv(c, HARNESS_WANT_SEQ, REPLY_MS);
	assert_non_null(f);
	relay_frame_destroy(&f);
	/* Start just after a second begins, so the burst most likely lies
	 * within one second of the budget. */
	harness_sleep_ms((int)(1000 - wall_ms() % 1000) + 5);
	start = wall_ms() / 1000;
	for (i = 0; i < BURST; i++)
		assert_int_equal(harness_client_submit(c, env[i], len[i]), 0);
	for (i = 0; i < BURST; i++) {
		f = reply_of(c);
		assert_int_equal(f->msg->frame_case, FRAME(NACK));
		if (f->msg->nack->reason ==
		    RETFED__V1__REASON__REASON_BAD_SIGNATURE) {
			/* Refused after decoding: it names its envelope. */
			assert_int_equal(f->msg->nack->message_id.len, 16);
			for (j = 0; j < BURST; j++)
				if (memcmp(ids[j],
				           f->msg->nack->message_id.data,
				           16) == 0)
					break;
			assert_true(j < BURST);
			assert_int_equal(f->msg->nack->seq, j + 1);
			bad++;
		} else {
			assert_int_equal(
			    f->msg->nack->reason,
			    RETFED__V1__REASON__REASON_RATE_LIMITED);
			assert_int_equal(f->msg->nack->message_id.len, 0);
			limited++;
		}
		relay_frame_destroy(&f);
	}
	end = wall_ms() / 1000;
	seconds = (size_t)(end - start + 1);
	print_message("burst of %d bad signatures: %zu verified, %zu "
	              "rate_limited, over %zu second(s)\n",
	              BURST, bad, limited, seconds);
	assert_int_equal(bad + limited, BURST);
	assert_true(bad >= 1);
	assert_true(bad <= BUDGET * seconds);
	for (i = 0; i < BURST; i++)
		free(env[i]);
	harness_client_destroy(&c);
}

/* Change the varint after `tag` among the first Body header bytes of a
 * serialised envelope (0a <2-byte length> 08 01 10 01 ...). */
static void
set_header(uint8_t *env, size_t n, uint8_t tag, uint8_t value)
{
	size_t i;

	for (i = 3; i + 1 < n && i < 8; i += 2)
		if (env[i] == tag) {
			env[i + 1] = value;
			return;
		}
	fail_msg("tag %02x not found", tag);
}

/*
 * Set the one-byte varint of the last field with `tag` inside the body's
 * escalation (after the "test text" fields) to value.
 */
static void
set_last_varint(uint8_t *env, size_t n, uint8_t tag, uint8_t value)
{
	size_t i, at = 0;

	for (i = 8; i + 1 < n - 66; i++)
		if (env[i] == tag && env[i + 1] < 0x80)
			at = i + 1;
	assert_true(at > 0);
	env[at] = value;
}

/* Send env from c and expect a Nack `reason` naming id and seq. */
static void
expect_named_nack(struct harness_client *c, const uint8_t *env, size_t len,
                  int reason, const uint8_t id[16], uint64_t seq)
{
	struct relay_frame *f;

	assert_int_equal(harness_client_submit(c, env, len), 0);
	f = expect_nack(c, reason);
	if (f->msg->nack->message_id.len != 16)
		fail_msg("the %s Nack does not name its envelope",
		         wire_reason_name(reason));
	assert_memory_equal(f->msg->nack->message_id.data, id, 16);
	assert_int_equal(f->msg->nack->seq, seq);
	relay_frame_destroy(&f);
}

/*
 * Each refusal of an envelope whose header could be read names it, from
 * the body rules through the signature to routing and the sequence.
 */
static void
test_nack_names_the_envelope(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client_of(w, &w->zl);
	struct harness_client *cd = client_of(w, &w->desk);
	uint8_t id[16], never[16], *env = NULL;
	size_t len = 0;
	struct harness_env e;
	struct relay_frame *f;

	assert_non_null(c);
	assert_non_null(cd);
	memset(never, 0x5a, sizeof(never));

	/* Body rules: version, kind. */
	e = (struct harness_env){.kind = KIND(ESCALATION), .seq = 1};
	seal_ok(&w->zl, &e, id, &env, &len);
	set_header(env, len, 0x08, 2);
	expect_named_nack(c, env, len, WIRE_BAD_VERSION, id, 1);
	free(env);
	/* An unknown kind breaks the Body's structure rules (4.2), before
	 * the header is read: no message id. */
	seal_ok(&w->zl, &e, id, &env, &len);
	set_header(env, len, 0x10, 99);
	assert_int_equal(harness_client_submit(c, env, len), 0);
	f = expect_nack(c, WIRE_UNKNOWN_KIND);
	assert_int_equal(f->msg->nack->message_id.len, 0);
	assert_int_equal(f->msg->nack->seq, 0);
	relay_frame_destroy(&f);
	free(env);
	/* A payload rule: Escalation.urgency 0 (missing_field). */
	seal_ok(&w->zl, &e, id, &env, &len);
	set_last_varint(env, len, 0x38, 0);
	expect_named_nack(c, env, len, WIRE_MISSING_FIELD, id, 1);
	free(env);
	/* Sender checks, key and signature. */
	e.sender = "region:nergens";
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_UNKNOWN_SENDER, id, 1);
	free(env);
	e.sender = REGION;
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_IMPERSONATION, id, 1);
	free(env);
	e.sender = NULL;
	e.key_id_pk = w->nl.sign_pk;
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_UNKNOWN_KEY, id, 1);
	free(env);
	e.key_id_pk = NULL;
	seal_ok(&w->zl, &e, id, &env, &len);
	env[len - 1] ^= 0x80;
	expect_named_nack(c, env, len, WIRE_BAD_SIGNATURE, id, 1);
	free(env);
	/* Routing: a review asked of itself, of a region nobody knows, a
	 * decision on a request the desk never received. */
	e = (struct harness_env){
	    .kind = KIND(PEER_REVIEW_REQUEST), .seq = 1, .recipient = OTHER};
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_NOT_ROUTABLE, id, 1);
	free(env);
	e.recipient = "region:nergens";
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_UNKNOWN_RECIPIENT, id, 1);
	free(env);
	e = (struct harness_env){.kind = KIND(DECISION),
	                         .seq = 1,
	                         .recipient = OTHER,
	                         .request_id = never};
	seal_ok(&w->desk, &e, id, &env, &len);
	expect_named_nack(cd, env, len, WIRE_NOT_PERMITTED, id, 1);
	free(env);
	/* The sequence: a gap, then seq 1 stored, then a replay of 1. */
	e = (struct harness_env){.kind = KIND(ESCALATION), .seq = 3};
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_SEQ_GAP, id, 3);
	free(env);
	e.seq = 1;
	seal_ok(&w->zl, &e, id, &env, &len);
	assert_int_equal(harness_client_submit(c, env, len), 0);
	f = reply_of(c);
	assert_int_equal(f->msg->frame_case, FRAME(ACK));
	relay_frame_destroy(&f);
	free(env);
	seal_ok(&w->zl, &e, id, &env, &len);
	expect_named_nack(c, env, len, WIRE_REPLAY, id, 1);
	free(env);

	harness_client_destroy(&c);
	harness_client_destroy(&cd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes_at_the_limits),
	    cmocka_unit_test(test_refusal_budget_per_frame),
	    cmocka_unit_test(test_nack_names_the_envelope),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
