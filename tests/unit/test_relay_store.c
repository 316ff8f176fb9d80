/*
 * test_relay_store: the relay store keeps envelopes exactly, applies the
 * sequence rule (duplicate, replay, gap), keeps it across a reopen, and
 * tracks delivery cursors, confirmations and receipts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "relay_store.h"

static void
make_msg(struct relay_store_msg *m, uint8_t id[16], uint8_t tag,
	 const char *sender, uint64_t seq, const uint8_t *env, size_t len)
{
	memset(id, 0, 16);
	id[0] = tag;
	id[15] = (uint8_t)seq;
	memset(m, 0, sizeof(*m));
	m->msgid = id;
	m->sender = sender;
	m->origin = sender;
	m->seq = seq;
	m->kind = 1;
	m->envelope = env;
	m->envelope_len = len;
	m->now_ms = 1700000000000ULL;
}

static enum relay_store_verdict
submit(struct relay_store *s, const struct relay_store_msg *m,
       const char *const *rcpt, size_t n)
{
	enum relay_store_verdict v = RELAY_STORE_STORED;

	assert_int_equal(relay_store_begin(s), 0);
	assert_int_equal(relay_store_submit(s, m, rcpt, n, &v), 0);
	assert_int_equal(relay_store_commit(s), 0);
	return v;
}

struct collect {
	uint64_t cursors[16];
	size_t n;
	uint8_t first[64];
	size_t first_len;
};

static int
collect_fn(void *ctx, uint64_t cursor, const uint8_t *env, size_t len)
{
	struct collect *c = ctx;

	if (c->n == 0 && len <= sizeof(c->first)) {
		memcpy(c->first, env, len);
		c->first_len = len;
	}
	c->cursors[c->n++] = cursor;
	return c->n == 16;
}

static void
test_sequence_rule(void **state)
{
	char err[256];
	struct relay_store *s = relay_store_open(":memory:", err, sizeof(err));
	struct relay_store_msg m;
	uint8_t id[16], env[] = {0x0a, 0x00, 0xff, 0x00};
	const char *rcpt[] = {"desk:a", "desk:b"};
	uint64_t last = 99, n = 0;
	int found = 0;

	(void)state;
	assert_non_null(s);
	assert_int_equal(relay_store_last_seq(s, "region:x", &last), 0);
	assert_int_equal(last, 0);
	make_msg(&m, id, 1, "region:x", 2, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_SEQ_GAP);
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_STORED);
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_DUPLICATE);
	make_msg(&m, id, 2, "region:x", 1, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_REPLAY);
	make_msg(&m, id, 2, "region:x", 3, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_SEQ_GAP);
	make_msg(&m, id, 2, "region:x", 2, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_STORED);
	/* Another sender has its own sequence. */
	make_msg(&m, id, 3, "region:y", 1, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_STORED);
	assert_int_equal(relay_store_last_seq(s, "region:x", &last), 0);
	assert_int_equal(last, 2);
	assert_int_equal(relay_store_count(s, &n), 0);
	assert_int_equal(n, 3);
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(relay_store_has(s, id, &found), 0);
	assert_true(found);
	/* An author of another BEN: numbers only grow, gaps are normal. */
	make_msg(&m, id, 4, "region:far", 5, env, sizeof(env));
	m.allow_gap = 1;
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_STORED);
	make_msg(&m, id, 5, "region:far", 9, env, sizeof(env));
	m.allow_gap = 1;
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_STORED);
	make_msg(&m, id, 6, "region:far", 9, env, sizeof(env));
	m.allow_gap = 1;
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_REPLAY);
	relay_store_destroy(&s);
	assert_null(s);
	relay_store_destroy(&s);
}

static void
test_restart(void **state)
{
	char path[] = "/tmp/test_relay_store_XXXXXX";
	char db[64], wal[80], shm[80], err[256];
	struct relay_store *s;
	struct relay_store_msg m;
	uint8_t id[16], env[] = {1, 2, 3};
	const char *rcpt[] = {"desk:a"};
	uint64_t last = 0;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(db, sizeof(db), "%s/relay.db", path);
	s = relay_store_open(db, err, sizeof(err));
	assert_non_null(s);
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_STORED);
	relay_store_destroy(&s);

	s = relay_store_open(db, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(relay_store_last_seq(s, "region:x", &last), 0);
	assert_int_equal(last, 1);
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_DUPLICATE);
	make_msg(&m, id, 9, "region:x", 1, env, sizeof(env));
	assert_int_equal(submit(s, &m, rcpt, 1), RELAY_STORE_REPLAY);
	relay_store_destroy(&s);
	snprintf(wal, sizeof(wal), "%s-wal", db);
	snprintf(shm, sizeof(shm), "%s-shm", db);
	unlink(wal);
	unlink(shm);
	assert_int_equal(unlink(db), 0);
	assert_int_equal(rmdir(path), 0);
}

struct receipts {
	size_t n;
	char recipient[64];
	int64_t ids[8];
};

static int
receipt_fn(void *ctx, int64_t id, const uint8_t *msgid, const char *recipient,
	   uint64_t received_ms)
{
	struct receipts *r = ctx;

	(void)msgid;
	assert_int_equal(received_ms, 1800000000000ULL);
	snprintf(r->recipient, sizeof(r->recipient), "%s", recipient);
	r->ids[r->n++] = id;
	return r->n == 8;
}

static void
test_deliveries_and_receipts(void **state)
{
	char err[256];
	struct relay_store *s = relay_store_open(":memory:", err, sizeof(err));
	struct relay_store_msg m;
	uint8_t id[16], env[] = {9, 8, 7, 6, 5};
	const char *rcpt[] = {"desk:a", "desk:b"};
	struct collect c;
	struct receipts r;
	uint64_t cur = 0;
	int ok = 0, found = 0, kind = 0;
	char sender[48];
	size_t i;

	(void)state;
	assert_non_null(s);
	for (i = 1; i <= 3; i++) {
		make_msg(&m, id, 1, "region:x", i, env, sizeof(env));
		assert_int_equal(submit(s, &m, rcpt, 2), RELAY_STORE_STORED);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(relay_store_deliveries(s, "desk:a", 0, 10, collect_fn,
						&c),
			 0);
	assert_int_equal(c.n, 3);
	assert_true(c.cursors[0] < c.cursors[1] && c.cursors[1] < c.cursors[2]);
	assert_int_equal(c.first_len, sizeof(env));
	assert_memory_equal(c.first, env, sizeof(env));

	/* The request was routed to desk:a. */
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(relay_store_request_routed(s, id, "desk:a", &found,
						    sender, sizeof(sender),
						    &kind),
			 0);
	assert_true(found);
	assert_string_equal(sender, "region:x");
	assert_int_equal(kind, 1);
	assert_int_equal(relay_store_request_routed(s, id, "desk:z", &found,
						    sender, sizeof(sender),
						    &kind),
			 0);
	assert_false(found);

	/* Confirming two deliveries creates two receipts for the sender. */
	assert_int_equal(relay_store_begin(s), 0);
	assert_int_equal(relay_store_confirm(s, "desk:a", c.cursors[1],
					     1800000000000ULL, &ok),
			 0);
	assert_true(ok);
	assert_int_equal(relay_store_confirm(s, "desk:a", c.cursors[2] + 100,
					     1800000000000ULL, &ok),
			 0);
	assert_false(ok);
	assert_int_equal(relay_store_commit(s), 0);
	assert_int_equal(relay_store_confirmed(s, "desk:a", &cur), 0);
	assert_int_equal(cur, c.cursors[1]);
	memset(&c, 0, sizeof(c));
	assert_int_equal(relay_store_deliveries(s, "desk:a", cur, 10,
						collect_fn, &c),
			 0);
	assert_int_equal(c.n, 1);

	memset(&r, 0, sizeof(r));
	assert_int_equal(relay_store_receipts(s, "region:x", 10, receipt_fn,
					      &r),
			 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.recipient, "desk:a");
	assert_int_equal(relay_store_receipt_done(s, r.ids[0]), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(relay_store_receipts(s, "region:x", 10, receipt_fn,
					      &r),
			 0);
	assert_int_equal(r.n, 1);
	/* A confirm at or below the cursor changes nothing. */
	assert_int_equal(relay_store_begin(s), 0);
	assert_int_equal(relay_store_confirm(s, "desk:a", 1, 1800000000000ULL,
					     &ok),
			 0);
	assert_true(ok);
	assert_int_equal(relay_store_commit(s), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(relay_store_receipts(s, "region:x", 10, receipt_fn,
					      &r),
			 0);
	assert_int_equal(r.n, 1);

	/* A peer relay's receipt for a forwarded envelope reaches its
	 * submitter; one for an unknown id is ignored. */
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(relay_store_begin(s), 0);
	assert_int_equal(relay_store_receipt_forward(s, id, "region:far",
						     1800000000000ULL, &found),
			 0);
	assert_true(found);
	memset(id, 0x77, 16);
	assert_int_equal(relay_store_receipt_forward(s, id, "region:far",
						     1800000000000ULL, &found),
			 0);
	assert_false(found);
	assert_int_equal(relay_store_commit(s), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(relay_store_receipts(s, "region:x", 10, receipt_fn,
					      &r),
			 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.recipient, "region:far");
	relay_store_destroy(&s);
}

static void
test_rollback(void **state)
{
	char err[256];
	struct relay_store *s = relay_store_open(":memory:", err, sizeof(err));
	struct relay_store_msg m;
	uint8_t id[16], env[] = {1};
	const char *rcpt[] = {"desk:a"};
	enum relay_store_verdict v;
	uint64_t n = 9;

	(void)state;
	make_msg(&m, id, 1, "region:x", 1, env, sizeof(env));
	assert_int_equal(relay_store_begin(s), 0);
	assert_int_equal(relay_store_submit(s, &m, rcpt, 1, &v), 0);
	assert_int_equal(v, RELAY_STORE_STORED);
	relay_store_rollback(s);
	assert_int_equal(relay_store_count(s, &n), 0);
	assert_int_equal(n, 0);
	assert_null(relay_store_open("/nonexistent/dir/x.db", err,
				     sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/dir/x.db"));
	relay_store_destroy(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequence_rule),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_deliveries_and_receipts),
		cmocka_unit_test(test_rollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
