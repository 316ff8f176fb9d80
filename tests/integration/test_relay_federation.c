/*
 * test_relay_federation: two real relays of two BENs linked to each other
 * (issue 7, relay part). Learning summaries and peer reviews cross the BEN
 * boundary byte for byte (the author's signature intact), exactly once,
 * also when the other relay was down when they were sent; escalations
 * never cross; receipts of the other BEN's recipients come back to the
 * author.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include <cmocka.h>

#include "envelope.h"
#include "harness.h"

#define REPLY_MS 10000
#define START_MS 10000
#define KIND(x) RETFED__V1__KIND__KIND_##x

struct fed {
	char *dir_a, *dir_b;
	struct harness_relay a, b;      /* relay:bel, relay:ben-noord-holland */
	struct keyfile nl, wf, desk_bel, desk_nh;
};

static int
setup(void **state)
{
	struct fed *w = calloc(1, sizeof(*w));
	char pa[16384] = "", pb[16384] = "";

	assert_non_null(w);
	w->dir_a = harness_tmpdir("relay-fed-a");
	w->dir_b = harness_tmpdir("relay-fed-b");
	assert_non_null(w->dir_a);
	assert_non_null(w->dir_b);
	assert_int_equal(harness_party_keys(w->dir_a, "region:noord-limburg",
					    &w->nl, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir_a, "desk:bel", &w->desk_bel,
					    NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir_b, "region:westfriesland",
					    &w->wf, NULL, 0), 0);
	assert_int_equal(harness_party_keys(w->dir_b, "desk:ben-noord-holland",
					    &w->desk_nh, NULL, 0), 0);

	/* Relay A first (its key and port), then B knowing A, then A
	 * again knowing B. */
	assert_int_equal(harness_append_party(pa, sizeof(pa), &w->nl, 1, "bel",
					      NULL), 0);
	assert_int_equal(harness_append_party(pa, sizeof(pa), &w->desk_bel, 1,
					      "bel", NULL), 0);
	assert_int_equal(harness_relay_init(&w->a, w->dir_a, "relay:bel", "bel",
					    pa), 0);
	assert_int_equal(harness_append_party(pb, sizeof(pb), &w->wf, 1,
					      "ben-noord-holland", NULL), 0);
	assert_int_equal(harness_append_party(pb, sizeof(pb), &w->desk_nh, 1,
					      "ben-noord-holland", NULL), 0);
	assert_int_equal(harness_append_party(pb, sizeof(pb), &w->a.key, 1,
					      "bel", w->a.endpoint), 0);
	assert_int_equal(harness_append_party(pb, sizeof(pb), &w->nl, 0, "bel",
					      NULL), 0);
	assert_int_equal(harness_relay_init(&w->b, w->dir_b,
					    "relay:ben-noord-holland",
					    "ben-noord-holland", pb), 0);
	assert_int_equal(harness_append_party(pa, sizeof(pa), &w->b.key, 1,
					      "ben-noord-holland",
					      w->b.endpoint), 0);
	assert_int_equal(harness_append_party(pa, sizeof(pa), &w->wf, 0,
					      "ben-noord-holland", NULL), 0);
	assert_int_equal(harness_relay_rewrite(&w->a, "bel", pa), 0);
	assert_int_equal(harness_relay_start(&w->a, START_MS), 0);
	assert_int_equal(harness_relay_start(&w->b, START_MS), 0);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct fed *w = *state;
	int sa = harness_stop(&w->a.proc, 10000);
	int sb = harness_stop(&w->b.proc, 10000);

	harness_rmtree(w->dir_a);
	harness_rmtree(w->dir_b);
	free(w->dir_a);
	free(w->dir_b);
	free(w);
	return sa == 0 && sb == 0 ? 0 : -1;
}

static struct harness_client *
client(const struct harness_relay *r, const struct keyfile *k)
{
	struct harness_client *c =
		harness_client_new(r->endpoint, r->key.transport_pk, k);

	assert_non_null(c);
	assert_int_equal(harness_client_resume(c, 0), 0);
	return c;
}

/* Seal, submit and expect a fresh Ack; the sealed bytes are returned. */
static uint8_t *
send_ok(struct harness_client *c, const struct keyfile *k, int kind,
	uint64_t seq, const char *recipient, size_t *ret_len)
{
	struct harness_env e = {0};
	uint8_t id[16], *env = NULL;
	struct relay_frame *f;

	e.kind = kind;
	e.seq = seq;
	e.recipient = recipient;
	assert_int_equal(harness_seal(k, &e, id, &env, ret_len), 0);
	assert_int_equal(harness_client_submit(c, env, *ret_len), 0);
	f = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, RETFED__V1__RELAY_FRAME__FRAME_ACK);
	assert_false(f->msg->ack->duplicate);
	relay_frame_destroy(&f);
	return env;
}

/* The next delivery must be exactly these bytes; confirm it. */
static void
expect_bytes(struct harness_client *c, const uint8_t *env, size_t len)
{
	struct relay_frame *f =
		harness_client_recv(c, HARNESS_WANT_DELIVERY, REPLY_MS);

	assert_non_null(f);
	assert_int_equal(f->msg->delivery->envelope.len, len);
	assert_memory_equal(f->msg->delivery->envelope.data, env, len);
	assert_int_equal(harness_client_confirm(c, f->msg->delivery->cursor),
			 0);
	relay_frame_destroy(&f);
}

static void
test_cross_ben(void **state)
{
	struct fed *w = *state;
	struct harness_client *nl = client(&w->a, &w->nl);
	struct harness_client *dbel = client(&w->a, &w->desk_bel);
	struct harness_client *wf = client(&w->b, &w->wf);
	struct harness_client *dnh = client(&w->b, &w->desk_nh);
	uint8_t *ls1, *ls2, *prq, *esc;
	size_t l1, l2, lp, le;
	uint8_t ls_id[16];
	struct relay_frame *f;

	/* A learning summary of Noord-Limburg reaches BEN Noord-Holland's
	 * desk and region, byte for byte. */
	ls1 = send_ok(nl, &w->nl, KIND(LEARNING_SUMMARY), 1, NULL, &l1);
	{
		struct envelope *e = NULL;
		struct wire_error err;

		assert_int_equal(envelope_decode(ls1, l1, &e, &err), WIRE_OK);
		memcpy(ls_id, e->body->message_id.data, 16);
		envelope_destroy(&e);
	}
	expect_bytes(dbel, ls1, l1);
	expect_bytes(wf, ls1, l1);
	expect_bytes(dnh, ls1, l1);

	/* A peer-review request from Westfriesland reaches Noord-Limburg. */
	prq = send_ok(wf, &w->wf, KIND(PEER_REVIEW_REQUEST), 1,
		      "region:noord-limburg", &lp);
	expect_bytes(nl, prq, lp);

	/* An escalation stays in its BEN. */
	esc = send_ok(nl, &w->nl, KIND(ESCALATION), 2, NULL, &le);
	expect_bytes(dbel, esc, le);

	/* The other relay is down: the summary waits and arrives later. */
	assert_int_equal(harness_stop(&w->b.proc, 10000), 0);
	harness_client_destroy(&wf);
	harness_client_destroy(&dnh);
	ls2 = send_ok(nl, &w->nl, KIND(LEARNING_SUMMARY), 3, NULL, &l2);
	expect_bytes(dbel, ls2, l2);
	assert_int_equal(harness_relay_start(&w->b, START_MS), 0);
	wf = client(&w->b, &w->wf);
	dnh = client(&w->b, &w->desk_nh);
	expect_bytes(wf, ls2, l2);
	expect_bytes(dnh, ls2, l2);

	/* Exactly once, and nothing else crossed. */
	assert_null(harness_client_recv(wf, HARNESS_WANT_DELIVERY, 500));
	assert_null(harness_client_recv(dnh, HARNESS_WANT_DELIVERY, 200));
	assert_null(harness_client_recv(dbel, HARNESS_WANT_DELIVERY, 200));

	/* Noord-Limburg learns who received its summaries, on both sides of
	 * the boundary: its own desk, the other relay, and (forwarded back
	 * by that relay) Westfriesland and the other BEN's desk. */
	{
		int wf_seen = 0, i;

		for (i = 0; i < 16 && !wf_seen; i++) {
			f = harness_client_recv(nl, HARNESS_WANT_RECEIPT,
						REPLY_MS);
			assert_non_null(f);
			if (strcmp(f->msg->receipt->recipient,
				   "region:westfriesland") == 0 &&
			    memcmp(f->msg->receipt->message_id.data,
				   ls_id, 16) == 0)
				wf_seen = 1;
			relay_frame_destroy(&f);
		}
		assert_true(wf_seen);
	}

	harness_client_destroy(&nl);
	harness_client_destroy(&dbel);
	harness_client_destroy(&wf);
	harness_client_destroy(&dnh);
	free(ls1);
	free(ls2);
	free(prq);
	free(esc);
	assert_true(harness_file_contains(w->b.log, "event=link_up"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cross_ben, setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
