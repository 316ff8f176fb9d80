/*
 * test_node_outbox: sequence allocation in the queueing transaction, acks
 * (stale ones ignored), permanent refusal with renumbering and re-signing,
 * receipts, and a body a receiver would refuse is never queued. Real sealed
 * envelopes with real keys, on an in-memory SQLite database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "envelope.h"
#include "keyfile.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_outbox.h"
#include "drafts.h"

struct fixture {
	sqlite3 *db;
	struct keyfile keys;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	struct node_msg_error merr;

	if (f == NULL)
		return -1;
	if (node_db_open(":memory:", NODE_DB_CREATE, &f->db, err,
			 sizeof(err)) != NODE_OK ||
	    node_audit_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK ||
	    keyfile_generate("region:noord-limburg", &f->keys) != 0) {
		node_db_close(&f->db);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	node_db_close(&f->db);
	keyfile_wipe(&f->keys);
	free(f);
	return 0;
}

/* Queue the escalation of a new casus, built by the guard. */
static uint64_t
queue_one(struct fixture *f, uint8_t id[MSGID_LEN])
{
	char ebuf[256];
	struct node_build_draft *d = NULL;
	struct node_msg_error err;
	uint64_t seq = 0;

	assert_int_equal(support_draft_escalation(f->db, &f->keys,
						  "Geen passende plek beschikbaar.",
						  "Drie aanbieders benaderd.", NULL,
						  &d, ebuf, sizeof(ebuf)),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->db, &f->keys, "secretaris",
					   node_build_guarded(d), &seq, id,
					   &err),
			 NODE_OK);
	node_build_destroy(&d);
	return seq;
}

static int
count_rows(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Decode the stored envelope of msgid, verify it and return its seq. */
static uint64_t
stored_seq(struct fixture *f, const uint8_t id[MSGID_LEN])
{
	sqlite3_stmt *st = NULL;
	struct envelope *env = NULL;
	struct wire_error werr;
	uint64_t seq;

	assert_int_equal(sqlite3_prepare_v2(f->db,
					    "SELECT envelope FROM outbox"
					    " WHERE message_id = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, MSGID_LEN, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(envelope_decode(sqlite3_column_blob(st, 0),
					 (size_t)sqlite3_column_bytes(st, 0),
					 &env, &werr),
			 WIRE_OK);
	sqlite3_finalize(st);
	assert_int_equal(envelope_verify(env, f->keys.sign_pk, &werr), WIRE_OK);
	assert_memory_equal(env->body->message_id.data, id, MSGID_LEN);
	assert_string_equal(env->body->sender, "region:noord-limburg");
	seq = env->body->seq;
	envelope_destroy(&env);
	return seq;
}

static int
audit_count(sqlite3 *db, const char *action)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(db,
			       "SELECT count(*) FROM audit WHERE action = ?"
			       " AND detail NOT LIKE '%Geen%'",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, action, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int(st, 0);
	}
	sqlite3_finalize(st);
	return n;
}

static void
test_sequence_allocation(void **state)
{
	struct fixture *f = *state;
	uint8_t id[3][MSGID_LEN];
	struct node_outbox_entry e;
	struct node_msg_error err;
	unsigned q = 0;

	assert_int_equal(queue_one(f, id[0]), 1);
	assert_int_equal(queue_one(f, id[1]), 2);
	assert_int_equal(queue_one(f, id[2]), 3);
	assert_int_equal(stored_seq(f, id[0]), 1);
	assert_int_equal(stored_seq(f, id[2]), 3);

	/* The sender reads them back in order. */
	assert_int_equal(node_outbox_next(f->db, 0, &e, &err), NODE_OK);
	assert_int_equal(e.seq, 1);
	assert_memory_equal(e.message_id, id[0], MSGID_LEN);
	assert_non_null(e.envelope);
	assert_string_equal(e.state, NODE_OUTBOX_QUEUED);
	node_outbox_entry_clear(&e);
	assert_int_equal(node_outbox_next(f->db, 2, &e, &err), NODE_OK);
	assert_int_equal(e.seq, 3);
	node_outbox_entry_clear(&e);
	assert_int_equal(node_outbox_next(f->db, 3, &e, &err),
			 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_outbox_stats(f->db, &q, NULL, NULL, NULL, &err),
			 NODE_OK);
	assert_int_equal(q, 3);

	/* Each queueing is in the audit log, with its user, no content. */
	assert_int_equal(audit_count(f->db, "message.queued"), 3);

	/* Migrating again changes nothing. */
	assert_int_equal(node_outbox_migrate(f->db, &err), NODE_OK);
	assert_int_equal(queue_one(f, id[0]), 4);
}

/*
 * One transaction per send: when recording the request fails after the
 * envelope was inserted, neither the envelope, nor the record, nor an
 * audit row of either stays, and the sequence number is not used up.
 */
static void
test_failed_record_rolls_back_queue(void **state)
{
	char ebuf[256];
	struct fixture *f = *state;
	struct node_build_draft *d = NULL;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	uint64_t seq = 0;
	int audit_before;
	char buf[256];

	assert_int_equal(support_draft_escalation(f->db, &f->keys,
						  "Geen passende plek.",
						  "Drie aanbieders.", NULL, &d, ebuf, sizeof(ebuf)),
			 NODE_OK);
	audit_before = count_rows(f, "SELECT count(*) FROM audit");
	/* The fault, injected in the record step (after the queue step). */
	assert_int_equal(node_db_exec(f->db,
				      "CREATE TRIGGER fail_record BEFORE INSERT"
				      " ON sent_request BEGIN SELECT"
				      " RAISE(ABORT, 'injected'); END;",
				      buf, sizeof(buf)),
			 NODE_OK);
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(node_outbox_queue(f->db, &f->keys, "secretaris",
					       node_build_guarded(d), &seq, id,
					       &err),
			     NODE_OK);
	assert_non_null(strstr(err.detail, "record"));
	assert_int_equal(count_rows(f, "SELECT count(*) FROM outbox"), 0);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM sent_request"), 0);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM audit"),
			 audit_before);
	assert_int_equal(node_db_exec(f->db, "DROP TRIGGER fail_record", buf,
				      sizeof(buf)),
			 NODE_OK);
	/* Without the fault the same draft goes, with its record. */
	assert_int_equal(node_outbox_queue(f->db, &f->keys, "secretaris",
					   node_build_guarded(d), &seq, id,
					   &err),
			 NODE_OK);
	assert_int_equal(seq, 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM sent_request"), 1);
	node_build_destroy(&d);
}

static void
test_ack(void **state)
{
	struct fixture *f = *state;
	uint8_t id[2][MSGID_LEN];
	struct node_outbox_entry e;
	struct node_msg_error err;
	int changed = -1;
	unsigned q, a;
	uint64_t last = 0;

	queue_one(f, id[0]);
	queue_one(f, id[1]);
	/* An ack about another numbering is stale and ignored. */
	assert_int_equal(node_outbox_ack(f->db, id[0], 7, 1000, &changed, &err),
			 NODE_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(node_outbox_ack(f->db, id[0], 1, 1000, &changed, &err),
			 NODE_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(node_outbox_ack(f->db, id[0], 1, 2000, &changed, &err),
			 NODE_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(node_outbox_get(f->db, id[0], &e, &err), NODE_OK);
	assert_string_equal(e.state, NODE_OUTBOX_ACKED);
	assert_int_equal(e.acked_ms, 1000);
	assert_int_equal(node_outbox_stats(f->db, &q, &a, NULL, &last, &err),
			 NODE_OK);
	assert_int_equal(q, 1);
	assert_int_equal(a, 1);
	assert_int_equal(last, 1);
	/* The sender skips acked messages. */
	assert_int_equal(node_outbox_next(f->db, 0, &e, &err), NODE_OK);
	assert_int_equal(e.seq, 2);
	node_outbox_entry_clear(&e);

	/* Receipts: recorded once, unknown messages ignored. */
	assert_int_equal(node_outbox_receipt(f->db, id[0], "desk:bel-roermond",
					     3000, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_receipt(f->db, id[0], "desk:bel-roermond",
					     4000, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_receipt(f->db, id[0], "not a party", 4000,
					     &err),
			 NODE_ERR_INVALID);
	memset(id[1], 0xee, MSGID_LEN);
	assert_int_equal(node_outbox_receipt(f->db, id[1], "desk:bel-roermond",
					     4000, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_get(f->db, id[0], &e, &err), NODE_OK);
	assert_int_equal(e.n_receipts, 1);
	assert_int_equal(node_outbox_get(f->db, id[1], &e, &err),
			 NODE_ERR_NOT_FOUND);
}

static void
test_refusal_renumbers(void **state)
{
	struct fixture *f = *state;
	uint8_t id[4][MSGID_LEN], id5[MSGID_LEN];
	struct node_outbox_entry e;
	struct node_msg_error err;
	int changed = -1, i;
	unsigned n = 0, q, a, r;

	for (i = 0; i < 4; i++)
		assert_int_equal(queue_one(f, id[i]), (uint64_t)i + 1);
	assert_int_equal(node_outbox_ack(f->db, id[0], 1, 1000, &changed, &err),
			 NODE_OK);

	/* A stale refusal (wrong number) changes nothing. */
	assert_int_equal(node_outbox_refuse(f->db, &f->keys, id[1], 3,
					    WIRE_NOT_ROUTABLE, "no", &changed,
					    &n, &err),
			 NODE_OK);
	assert_int_equal(changed, 0);

	assert_int_equal(node_outbox_refuse(f->db, &f->keys, id[1], 2,
					    WIRE_NOT_ROUTABLE,
					    "this kind may not go there",
					    &changed, &n, &err),
			 NODE_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(n, 2);
	assert_int_equal(audit_count(f->db, "message.refused"), 1);
	assert_int_equal(audit_count(f->db, "message.sent"), 1);
	assert_int_equal(node_outbox_get(f->db, id[1], &e, &err), NODE_OK);
	assert_string_equal(e.state, NODE_OUTBOX_REFUSED);
	assert_int_equal(e.refusal_reason, WIRE_NOT_ROUTABLE);
	assert_string_equal(e.refusal_detail, "this kind may not go there");
	assert_int_equal(e.seq, 2);

	/* Same ids, one lower, freshly signed: the sequence has no gap. */
	assert_int_equal(stored_seq(f, id[2]), 2);
	assert_int_equal(stored_seq(f, id[3]), 3);
	assert_int_equal(node_outbox_get(f->db, id[3], &e, &err), NODE_OK);
	assert_int_equal(e.seq, 3);
	assert_int_equal(queue_one(f, id5), 4);
	assert_int_equal(node_outbox_stats(f->db, &q, &a, &r, NULL, &err),
			 NODE_OK);
	assert_int_equal(q, 3);
	assert_int_equal(a, 1);
	assert_int_equal(r, 1);

	/* An acked message cannot be refused or changed afterwards. */
	assert_int_equal(node_outbox_refuse(f->db, &f->keys, id[0], 1,
					    WIRE_NOT_ROUTABLE, "late",
					    &changed, &n, &err),
			 NODE_OK);
	assert_int_equal(changed, 0);
	assert_int_not_equal(sqlite3_exec(f->db,
					  "UPDATE outbox SET seq = 9"
					  " WHERE state = 'acked'",
					  NULL, NULL, NULL),
			     SQLITE_OK);

	/* Refusing the last message leaves its number free again. */
	assert_int_equal(node_outbox_refuse(f->db, &f->keys, id5, 4,
					    WIRE_NOT_PERMITTED, "no",
					    &changed, &n, &err),
			 NODE_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(n, 0);
	assert_int_equal(queue_one(f, id5), 4);
}

static void
test_ack_many(void **state)
{
	struct fixture *f = *state;
	uint8_t id[3][MSGID_LEN];
	struct node_outbox_ack_item items[3];
	struct node_msg_error err;
	int changed[3] = {-1, -1, -1}, i;
	unsigned q, a;

	for (i = 0; i < 3; i++) {
		queue_one(f, id[i]);
		memcpy(items[i].message_id, id[i], MSGID_LEN);
		items[i].seq = (uint64_t)i + 1;
		items[i].ret_changed = &changed[i];
	}
	items[2].seq = 9; /* stale: about another numbering */
	assert_int_equal(node_outbox_ack_many(f->db, items, 3, 1000, &err),
			 NODE_OK);
	assert_int_equal(changed[0], 1);
	assert_int_equal(changed[1], 1);
	assert_int_equal(changed[2], 0);
	assert_int_equal(node_outbox_stats(f->db, &q, &a, NULL, NULL, &err),
			 NODE_OK);
	assert_int_equal(q, 1);
	assert_int_equal(a, 2);
	assert_int_equal(audit_count(f->db, "message.sent"), 2);
}

static int
count_cb(const struct node_outbox_entry *e, void *ctx)
{
	unsigned *n = ctx;

	assert_true(e->seq >= 1);
	(*n)++;
	return 0;
}

static void
test_list(void **state)
{
	struct fixture *f = *state;
	uint8_t id[MSGID_LEN];
	struct node_msg_error err;
	unsigned n = 0;
	int changed;

	queue_one(f, id);
	assert_int_equal(node_outbox_ack(f->db, id, 1, 5, &changed, &err),
			 NODE_OK);
	queue_one(f, id);
	queue_one(f, id);
	assert_int_equal(node_outbox_list(f->db, NULL, 0, count_cb, &n, &err),
			 NODE_OK);
	assert_int_equal(n, 3);
	n = 0;
	assert_int_equal(node_outbox_list(f->db, NODE_OUTBOX_QUEUED, 0,
					  count_cb, &n, &err),
			 NODE_OK);
	assert_int_equal(n, 2);
	n = 0;
	assert_int_equal(node_outbox_list(f->db, NULL, 1, count_cb, &n, &err),
			 NODE_OK);
	assert_int_equal(n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sequence_allocation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failed_record_rolls_back_queue,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_renumbers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
