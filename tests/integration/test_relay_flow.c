/*
 * test_relay_flow: the guarantees of the relay (issue 4), each proved
 * against the real ret-relay process over CURVE on 127.0.0.1:
 * ack only after commit (kill -9 after an ack loses nothing), duplicates
 * and replays across a restart, every routing rule and refusal, resume
 * after reconnect, receipts to an absent sender, impersonation and bad
 * signatures refused, a client outside the allow-list cannot connect,
 * SIGHUP reload admits a new party without dropping connections, and a
 * flood of garbage does not stop an honest client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sodium.h>

#include <cmocka.h>

#include "envelope.h"
#include "harness.h"

#define REPLY_MS 5000
#define START_MS 10000
#define KIND(x) RETFED__V1__KIND__KIND_##x
#define FRAME(x) RETFED__V1__RELAY_FRAME__FRAME_##x

struct world {
	char *dir;
	struct harness_relay relay;
	struct keyfile nl, zl, desk_a, desk_b, wf, peer, outsider, late;
	char parties[16384];
};

static int
world_parties(struct world *w, int with_late)
{
	w->parties[0] = '\0';
	if (harness_append_party(w->parties, sizeof(w->parties), &w->nl, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->zl, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->desk_a, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->desk_b, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->wf, 0,
				 "ben-noord-holland", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->peer, 1,
				 "ben-noord-holland",
				 "tcp://127.0.0.1:1") != 0)
		return -1;
	if (with_late &&
	    harness_append_party(w->parties, sizeof(w->parties), &w->late, 1,
				 "bel", NULL) != 0)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->dir = harness_tmpdir("relay-flow");
	assert_non_null(w->dir);
	assert_int_equal(harness_party_keys(w->dir, "region:noord-limburg",
					    &w->nl, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "region:zuid-limburg",
					    &w->zl, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "desk:bel-roermond",
					    &w->desk_a, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "desk:bel-heerlen",
					    &w->desk_b, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "region:westfriesland",
					    &w->wf, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "relay:ben-noord-holland",
					    &w->peer, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "region:outsider",
					    &w->outsider, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir, "region:midden-limburg",
					    &w->late, NULL, 0), 0);
	assert_int_equal(world_parties(w, 0), 0);
	assert_int_equal(harness_relay_init(&w->relay, w->dir, "relay:bel",
					    "bel", w->parties), 0);
	assert_int_equal(harness_relay_start(&w->relay, START_MS), 0);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	int status = harness_stop(&w->relay.proc, 10000);

	harness_rmtree(w->dir);
	free(w->dir);
	free(w);
	/* A relay must exit 0 on SIGTERM (also: no leak under ASan). */
	return status == 0 ? 0 : -1;
}

static struct harness_client *
client(struct world *w, const struct keyfile *k)
{
	struct harness_client *c = harness_client_new(
		w->relay.endpoint, w->relay.key.transport_pk, k);

	assert_non_null(c);
	return c;
}

/*
 * Seal and submit; returns 0 for a fresh ack, -2 for a duplicate ack, the
 * nack's reason otherwise, -1 without any reply.
 */
static int
submit_env(struct harness_client *c, const struct keyfile *k,
	   const struct harness_env *e, uint8_t id[16])
{
	uint8_t *env = NULL, tmp[16];
	size_t len = 0;
	struct relay_frame *f;
	int rc = -1;

	assert_int_equal(harness_seal(k, e, id ? id : tmp, &env, &len), 0);
	assert_int_equal(harness_client_submit(c, env, len), 0);
	free(env);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	if (f == NULL)
		return -1;
	if (f->msg->frame_case == FRAME(ACK))
		rc = f->msg->ack->duplicate ? -2 : 0;
	else
		rc = (int)f->msg->nack->reason;
	relay_frame_destroy(&f);
	return rc;
}

static int
submit_kind(struct harness_client *c, const struct keyfile *k, int kind,
	    uint64_t seq, const char *recipient, const uint8_t *request_id,
	    uint8_t id[16])
{
	struct harness_env e = {0};

	e.kind = kind;
	e.seq = seq;
	e.recipient = recipient;
	e.request_id = request_id;
	return submit_env(c, k, &e, id);
}

/* Receive one delivery; check its message id when id is not NULL. */
static uint64_t
expect_delivery(struct harness_client *c, const uint8_t *id)
{
	struct relay_frame *f =
		harness_client_recv(c, HARNESS_WANT_DELIVERY, REPLY_MS);
	struct envelope *env = NULL;
	struct wire_error err;
	uint64_t cursor;

	assert_non_null(f);
	cursor = f->msg->delivery->cursor;
	if (id != NULL) {
		assert_int_equal(envelope_decode(f->msg->delivery->envelope.data,
						 f->msg->delivery->envelope.len,
						 &env, &err),
				 WIRE_OK);
		assert_memory_equal(env->body->message_id.data, id, 16);
		envelope_destroy(&env);
	}
	relay_frame_destroy(&f);
	return cursor;
}

static void
expect_no_delivery(struct harness_client *c, int ms)
{
	struct relay_frame *f = harness_client_recv(c, HARNESS_WANT_DELIVERY,
						    ms);

	assert_null(f);
}

static uint64_t
last_seq(struct harness_client *c)
{
	struct relay_frame *f;
	uint64_t v;

	assert_int_equal(harness_client_seq_query(c), 0);
	f = harness_client_recv(c, HARNESS_WANT_SEQ, REPLY_MS);
	assert_non_null(f);
	v = f->msg->seq_reply->last_seq;
	relay_frame_destroy(&f);
	return v;
}

/* ---------------------------------------------------------------------- */

static void
test_ack_survives_kill9(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client(w, &w->nl), *d;
	uint8_t id[16];

	assert_int_equal(submit_kind(c, &w->nl, KIND(ESCALATION), 1, NULL, NULL,
				     id), 0);
	/* Right after the ack: no chance to flush anything more. */
	harness_kill9(&w->relay.proc);
	harness_client_destroy(&c);
	assert_int_equal(harness_relay_start(&w->relay, START_MS), 0);

	d = client(w, &w->desk_a);
	assert_int_equal(harness_client_resume(d, 0), 0);
	(void)expect_delivery(d, id);
	harness_client_destroy(&d);
	c = client(w, &w->nl);
	assert_int_equal(last_seq(c), 1);
	harness_client_destroy(&c);
}

static void
test_duplicate_and_replay_across_restart(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client(w, &w->nl), *d;
	struct harness_env e = {0};
	uint8_t id[16], id2[16], *env = NULL;
	size_t len = 0;
	struct relay_frame *f;

	e.kind = KIND(ESCALATION);
	e.seq = 1;
	assert_int_equal(harness_seal(&w->nl, &e, id, &env, &len), 0);
	assert_int_equal(harness_client_submit(c, env, len), 0);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, FRAME(ACK));
	relay_frame_destroy(&f);
	harness_client_destroy(&c);

	assert_int_equal(harness_stop(&w->relay.proc, 10000), 0);
	assert_int_equal(harness_relay_start(&w->relay, START_MS), 0);
	c = client(w, &w->nl);

	/* The same bytes again: acked as a duplicate, stored once. */
	assert_int_equal(harness_client_submit(c, env, len), 0);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, FRAME(ACK));
	assert_true(f->msg->ack->duplicate);
	assert_memory_equal(f->msg->ack->message_id.data, id, 16);
	relay_frame_destroy(&f);
	free(env);

	/* A new message with an old or skipping sequence number. */
	assert_int_equal(submit_kind(c, &w->nl, KIND(ESCALATION), 1, NULL, NULL,
				     NULL), WIRE_REPLAY);
	assert_int_equal(submit_kind(c, &w->nl, KIND(ESCALATION), 3, NULL, NULL,
				     NULL), WIRE_SEQ_GAP);
	assert_int_equal(submit_kind(c, &w->nl, KIND(ESCALATION), 2, NULL, NULL,
				     id2), 0);
	assert_int_equal(last_seq(c), 2);

	/* The desk gets each message once. */
	d = client(w, &w->desk_b);
	assert_int_equal(harness_client_resume(d, 0), 0);
	(void)expect_delivery(d, id);
	(void)expect_delivery(d, id2);
	expect_no_delivery(d, 300);
	harness_client_destroy(&d);
	harness_client_destroy(&c);
}

static void
test_routing_rules(void **state)
{
	struct world *w = *state;
	struct harness_client *nl = client(w, &w->nl), *zl = client(w, &w->zl);
	struct harness_client *da = client(w, &w->desk_a);
	struct harness_client *db = client(w, &w->desk_b);
	struct harness_client *peer = client(w, &w->peer);
	uint8_t esc[16], pv[16], dec[16], ls[16], prq[16], wls[16], rev[16];
	struct harness_env e = {0};

	assert_int_equal(harness_client_resume(da, 0), 0);
	assert_int_equal(harness_client_resume(db, 0), 0);
	assert_int_equal(harness_client_resume(zl, 0), 0);
	assert_int_equal(harness_client_resume(peer, 0), 0);

	/* Escalation and procesversneller: every desk of the BEN. */
	assert_int_equal(submit_kind(nl, &w->nl, KIND(ESCALATION), 1, NULL,
				     NULL, esc), 0);
	assert_int_equal(submit_kind(zl, &w->zl, KIND(PROCESVERSNELLER), 1,
				     NULL, NULL, pv), 0);
	(void)expect_delivery(da, esc);
	(void)expect_delivery(da, pv);
	(void)expect_delivery(db, esc);
	(void)expect_delivery(db, pv);

	/* Decision: only from a desk that received the request, only to
	 * the region that sent it. */
	assert_int_equal(submit_kind(da, &w->desk_a, KIND(DECISION), 1,
				     "region:noord-limburg", esc, dec), 0);
	(void)expect_delivery(nl, dec);
	assert_int_equal(submit_kind(da, &w->desk_a, KIND(DECISION), 2,
				     "region:zuid-limburg", esc, NULL),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(submit_kind(da, &w->desk_a, KIND(DECISION), 2,
				     "region:noord-limburg", ls /* unknown */,
				     NULL),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(submit_kind(zl, &w->zl, KIND(DECISION), 2,
				     "region:noord-limburg", esc, NULL),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(submit_kind(da, &w->desk_a, KIND(DECISION), 2,
				     "region:nergens", esc, NULL),
			 WIRE_UNKNOWN_RECIPIENT);
	assert_int_equal(submit_kind(da, &w->desk_a, KIND(DECISION), 2,
				     "region:westfriesland", esc, NULL),
			 WIRE_NOT_ROUTABLE);
	/* A desk does not escalate. */
	assert_int_equal(submit_kind(db, &w->desk_b, KIND(ESCALATION), 1, NULL,
				     NULL, NULL),
			 WIRE_NOT_ROUTABLE);

	/* Learning summary: desks, the other regions, the peer relay. */
	assert_int_equal(submit_kind(nl, &w->nl, KIND(LEARNING_SUMMARY), 2,
				     NULL, NULL, ls), 0);
	(void)expect_delivery(da, ls);
	(void)expect_delivery(db, ls);
	(void)expect_delivery(zl, ls);
	(void)expect_delivery(peer, ls);

	/* Peer review: only the named region; across the BEN boundary
	 * through the peer relay. */
	assert_int_equal(submit_kind(nl, &w->nl, KIND(PEER_REVIEW_REQUEST), 3,
				     "region:zuid-limburg", NULL, prq), 0);
	(void)expect_delivery(zl, prq);
	assert_int_equal(submit_kind(nl, &w->nl, KIND(PEER_REVIEW_REQUEST), 4,
				     "region:nergens", NULL, NULL),
			 WIRE_UNKNOWN_RECIPIENT);
	assert_int_equal(submit_kind(zl, &w->zl, KIND(PEER_REVIEW), 2,
				     "region:westfriesland", prq, rev), 0);
	(void)expect_delivery(peer, rev);

	/* The peer relay forwards what Westfriesland wrote, signed by it. */
	e.kind = KIND(LEARNING_SUMMARY);
	e.sender = "region:westfriesland";
	e.seq = 1;
	assert_int_equal(submit_env(peer, &w->wf, &e, wls), 0);
	(void)expect_delivery(da, wls);
	(void)expect_delivery(db, wls);
	(void)expect_delivery(nl, wls);
	(void)expect_delivery(zl, wls);
	/* ... but not an escalation of Westfriesland. */
	e.kind = KIND(ESCALATION);
	e.seq = 2;
	assert_int_equal(submit_env(peer, &w->wf, &e, NULL), WIRE_IMPERSONATION);

	/* Nobody got anything else. */
	expect_no_delivery(da, 200);
	expect_no_delivery(db, 100);
	expect_no_delivery(zl, 100);
	expect_no_delivery(nl, 100);
	expect_no_delivery(peer, 100);
	harness_client_destroy(&nl);
	harness_client_destroy(&zl);
	harness_client_destroy(&da);
	harness_client_destroy(&db);
	harness_client_destroy(&peer);
}

static void
test_resume_and_receipts(void **state)
{
	struct world *w = *state;
	struct harness_client *nl = client(w, &w->nl), *d = client(w, &w->desk_a);
	uint8_t id[3][16];
	uint64_t cur[3], again;
	struct relay_frame *f;
	int i, got[3] = {0, 0, 0};

	for (i = 0; i < 3; i++)
		assert_int_equal(submit_kind(nl, &w->nl, KIND(ESCALATION),
					     (uint64_t)i + 1, NULL, NULL,
					     id[i]), 0);
	/* The sender goes away; its receipts must wait for it. */
	harness_client_destroy(&nl);

	assert_int_equal(harness_client_resume(d, 0), 0);
	for (i = 0; i < 3; i++)
		cur[i] = expect_delivery(d, id[i]);
	assert_int_equal(harness_client_confirm(d, cur[0]), 0);
	harness_sleep_ms(200);
	harness_client_destroy(&d);

	/* Reconnect: delivery resumes after the confirmed cursor. */
	d = client(w, &w->desk_a);
	assert_int_equal(harness_client_resume(d, 0), 0);
	again = expect_delivery(d, id[1]);
	assert_int_equal(again, cur[1]);
	assert_int_equal(expect_delivery(d, id[2]), cur[2]);
	expect_no_delivery(d, 300);
	/* A confirm beyond what was delivered is refused. */
	assert_int_equal(harness_client_confirm(d, cur[2] + 1000), 0);
	f = harness_client_recv(d, HARNESS_WANT_NACK, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->nack->reason, WIRE_OUT_OF_RANGE);
	relay_frame_destroy(&f);
	assert_int_equal(harness_client_confirm(d, cur[2]), 0);
	harness_sleep_ms(200);

	/* The sender comes back and gets one receipt per message. */
	nl = client(w, &w->nl);
	assert_int_equal(last_seq(nl), 3);
	for (i = 0; i < 3; i++) {
		int j;

		f = harness_client_recv(nl, HARNESS_WANT_RECEIPT, REPLY_MS);
		assert_non_null(f);
		assert_string_equal(f->msg->receipt->recipient,
				    "desk:bel-roermond");
		for (j = 0; j < 3; j++)
			if (memcmp(f->msg->receipt->message_id.data, id[j],
				   16) == 0)
				got[j]++;
		relay_frame_destroy(&f);
	}
	assert_int_equal(got[0] + got[1] + got[2], 3);
	assert_true(got[0] == 1 && got[1] == 1 && got[2] == 1);
	harness_client_destroy(&nl);
	harness_client_destroy(&d);
}

static void
test_refusals(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client(w, &w->nl), *d;
	struct harness_env e = {0};
	uint8_t *env = NULL, zeros[64];
	size_t len = 0;
	struct relay_frame *f;
	/* Field 1 (submit) announces 100 bytes and brings 3: truncated. */
	static const uint8_t junk[] = {0x0a, 0x64, 0x01, 0x02, 0x03};

	e.kind = KIND(ESCALATION);
	e.seq = 1;
	/* Impersonation: Noord-Limburg signs as Zuid-Limburg. */
	e.sender = "region:zuid-limburg";
	assert_int_equal(submit_env(c, &w->nl, &e, NULL), WIRE_IMPERSONATION);
	/* An unknown sender. */
	e.sender = "region:nergens";
	assert_int_equal(submit_env(c, &w->nl, &e, NULL), WIRE_UNKNOWN_SENDER);
	/* Another party's key id, and another party's signature. */
	e.sender = NULL;
	e.key_id_pk = w->zl.sign_pk;
	assert_int_equal(submit_env(c, &w->nl, &e, NULL), WIRE_UNKNOWN_KEY);
	e.key_id_pk = NULL;
	e.sign_sk = w->zl.sign_sk;
	assert_int_equal(submit_env(c, &w->nl, &e, NULL), WIRE_BAD_SIGNATURE);
	e.sign_sk = NULL;

	/* One flipped bit in the signature. */
	assert_int_equal(harness_seal(&w->nl, &e, zeros, &env, &len), 0);
	env[len - 1] ^= 0x01;
	assert_int_equal(harness_client_submit(c, env, len), 0);
	free(env);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, FRAME(NACK));
	assert_int_equal(f->msg->nack->reason, WIRE_BAD_SIGNATURE);
	relay_frame_destroy(&f);

	/* A truncated frame. */
	assert_int_equal(harness_client_send_raw(c, junk, sizeof(junk)), 0);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, FRAME(NACK));
	assert_int_equal(f->msg->nack->reason, WIRE_MALFORMED);
	relay_frame_destroy(&f);
	/* A submit whose envelope is garbage. */
	memset(zeros, 0xee, sizeof(zeros));
	assert_int_equal(harness_client_submit(c, zeros, sizeof(zeros)), 0);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, FRAME(NACK));
	assert_int_not_equal(f->msg->nack->reason, 0);
	relay_frame_destroy(&f);

	/* Nothing was stored: the desks get nothing, seq is still 0. */
	assert_int_equal(last_seq(c), 0);
	d = client(w, &w->desk_a);
	assert_int_equal(harness_client_resume(d, 0), 0);
	expect_no_delivery(d, 300);
	harness_client_destroy(&d);
	/* And the honest path still works. */
	assert_int_equal(submit_kind(c, &w->nl, KIND(ESCALATION), 1, NULL, NULL,
				     NULL), 0);
	harness_client_destroy(&c);
	assert_true(harness_file_contains(w->relay.log,
					  "reason=impersonation"));
}

static void
test_outsider_cannot_connect(void **state)
{
	struct world *w = *state;
	struct harness_client *c = client(w, &w->outsider);
	struct relay_frame *f;

	assert_int_equal(harness_client_seq_query(c), 0);
	f = harness_client_recv(c, 0, 1500);
	assert_null(f);
	harness_client_destroy(&c);
	assert_true(harness_file_contains(w->relay.log, "refused"));
	assert_true(harness_file_contains(w->relay.log,
					  "not in the allow-list"));
}

static void
test_reload_keeps_connections(void **state)
{
	struct world *w = *state;
	struct harness_client *nl = client(w, &w->nl), *late;
	struct relay_frame *f;

	assert_int_equal(last_seq(nl), 0);
	late = client(w, &w->late);
	assert_int_equal(harness_client_seq_query(late), 0);
	assert_null(harness_client_recv(late, 0, 800));
	harness_client_destroy(&late);

	/* A broken file is refused and the old allow-list stays. */
	assert_int_equal(harness_relay_rewrite(&w->relay, "bel",
					       "[party nonsense\n"), 0);
	assert_int_equal(kill(w->relay.proc.pid, SIGHUP), 0);
	assert_int_equal(harness_wait_log(&w->relay.proc, "reload failed=1",
					  5000), 0);
	assert_int_equal(last_seq(nl), 0);

	assert_int_equal(world_parties(w, 1), 0);
	assert_int_equal(harness_relay_rewrite(&w->relay, "bel", w->parties),
			 0);
	assert_int_equal(kill(w->relay.proc.pid, SIGHUP), 0);
	assert_int_equal(harness_wait_log(&w->relay.proc, "reload ok=1", 5000),
			 0);
	late = client(w, &w->late);
	assert_int_equal(harness_client_seq_query(late), 0);
	f = harness_client_recv(late, HARNESS_WANT_SEQ, REPLY_MS);
	assert_non_null(f);
	relay_frame_destroy(&f);
	/* The connection made before the reload still works. */
	assert_int_equal(submit_kind(nl, &w->nl, KIND(ESCALATION), 1, NULL,
				     NULL, NULL), 0);
	harness_client_destroy(&late);
	harness_client_destroy(&nl);
}

/* Submit n escalations pipelined (window 64); returns elapsed ms. */
static uint64_t
honest_run(struct world *w, struct harness_client *c, uint64_t first_seq,
	   int n)
{
	uint64_t t0 = harness_now_ms();
	int sent = 0, acked = 0;

	while (acked < n) {
		struct relay_frame *f;

		while (sent < n && sent - acked < 64) {
			struct harness_env e = {0};
			uint8_t id[16], *env = NULL;
			size_t len = 0;

			e.kind = KIND(ESCALATION);
			e.seq = first_seq + (uint64_t)sent;
			assert_int_equal(harness_seal(&w->nl, &e, id, &env,
						      &len), 0);
			assert_int_equal(harness_client_submit(c, env, len), 0);
			free(env);
			sent++;
		}
		f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
		assert_non_null(f);
		assert_int_equal(f->msg->frame_case, FRAME(ACK));
		relay_frame_destroy(&f);
		acked++;
	}
	return harness_now_ms() - t0;
}

static void
test_garbage_flood(void **state)
{
	struct world *w = *state;
	struct harness_client *honest = client(w, &w->nl);
	struct harness_client *bad = client(w, &w->zl);
	uint8_t junk[512];
	uint64_t quiet_ms, flood_ms;
	/* Under valgrind the same path is walked with fewer frames. */
	int i, n = 1000 / harness_slowness();
	int frames = 20000 / harness_slowness();

	quiet_ms = honest_run(w, honest, 1, n);
	randombytes_buf(junk, sizeof(junk));
	/* The flooder queues 20,000 garbage frames without reading. */
	for (i = 0; i < frames; i++) {
		junk[0] = (uint8_t)i;
		assert_int_equal(harness_client_send_raw(bad, junk,
							 sizeof(junk)), 0);
	}
	flood_ms = honest_run(w, honest, (uint64_t)n + 1, n);
	print_message("honest client: %d acks in %llu ms quiet, %llu ms "
		      "during a flood of %d garbage frames\n",
		      n, (unsigned long long)quiet_ms,
		      (unsigned long long)flood_ms, frames);
	assert_int_equal(last_seq(honest), (uint64_t)2 * n);
	/* The flood did not flood the log: one line per peer and second
	 * counts what was not written. */
	assert_int_equal(harness_wait_log(&w->relay.proc,
					  "event=nack_suppressed "
					  "peer=region:zuid-limburg",
					  5000),
			 0);
	harness_client_destroy(&bad);
	harness_client_destroy(&honest);
}

/*
 * The refusal budget: a party whose frames keep being refused is answered
 * rate_limited (without decoding) for the rest of the second, another
 * party is not touched, and the budget is back the next second.
 */
static void
test_refusal_budget(void **state)
{
	struct world *w = *state;
	struct harness_client *bad = client(w, &w->zl);
	struct harness_client *honest = client(w, &w->nl);
	uint8_t junk[64];
	int i, burst, n = 100, malformed = 0, limited = 0, other = 0;
	uint64_t deadline = harness_now_ms() + 15000u * harness_slowness();

	/*
	 * The budget is charged when a batch is answered, so the frames of one
	 * batch are all examined; bursts follow each other until one lands in
	 * the same second as an earlier one (bounded in count and time).
	 */
	memset(junk, 0xff, sizeof(junk));
	for (burst = 0; burst < 30 && limited == 0 &&
			harness_now_ms() < deadline;
	     burst++) {
		for (i = 0; i < n; i++)
			assert_int_equal(harness_client_send_raw(
					     bad, junk, sizeof(junk)),
					 0);
		for (i = 0; i < n; i++) {
			struct relay_frame *f = harness_client_recv(
			    bad, HARNESS_WANT_REPLY, REPLY_MS);

			assert_non_null(f);
			assert_int_equal(f->msg->frame_case, FRAME(NACK));
			if (f->msg->nack->reason ==
			    RETFED__V1__REASON__REASON_MALFORMED)
				malformed++;
			else if (f->msg->nack->reason ==
				 RETFED__V1__REASON__REASON_RATE_LIMITED)
				limited++;
			else
				other++;
			relay_frame_destroy(&f);
		}
	}
	print_message("refusal budget: %d malformed, %d rate_limited\n",
		      malformed, limited);
	assert_int_equal(other, 0);
	assert_true(malformed >= 64);
	assert_true(limited > 0);
	/* Another party is examined and stored as always. */
	assert_int_equal(honest_run(w, honest, 1, 10) > 0, 1);
	assert_int_equal(last_seq(honest), 10);
	/* The next second the limited party is examined again. */
	harness_sleep_ms(1100);
	{
		struct relay_frame *f;

		assert_int_equal(harness_client_send_raw(bad, junk,
							 sizeof(junk)), 0);
		f = harness_client_recv(bad, HARNESS_WANT_REPLY, REPLY_MS);
		assert_non_null(f);
		assert_int_equal(f->msg->nack->reason,
				 RETFED__V1__REASON__REASON_MALFORMED);
		relay_frame_destroy(&f);
	}
	/* The limited frames were counted in one log line naming the party. */
	assert_int_equal(harness_wait_log(&w->relay.proc,
					  "event=rate_limited "
					  "peer=region:zuid-limburg",
					  5000),
			 0);
	harness_client_destroy(&bad);
	harness_client_destroy(&honest);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ack_survives_kill9, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_duplicate_and_replay_across_restart, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_routing_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_and_receipts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outsider_cannot_connect,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_keeps_connections,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_flood, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusal_budget, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
