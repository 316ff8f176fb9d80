/*
 * test_node_inbox: a delivered message is verified and applied exactly once
 * (duplicates only move the cursor), and a bad signature, an unknown
 * sender, a kind the sender may not send or garbage is refused with nothing
 * stored. Real sealed envelopes, real keys, in-memory SQLite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "envelope.h"
#include "keyfile.h"
#include "msgid.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_inbox.h"
#include "node_outbox.h"

struct fixture {
	sqlite3 *db;
	struct keyfile desk;	/* desk:bel-roermond, configured */
	struct keyfile region2; /* region:midden-limburg, configured */
	struct keyfile stranger; /* desk:bel-venlo, not configured */
	struct node_inbox_party parties[2];
	struct node_inbox_hooks hooks;
	struct node_inbox_cfg cfg;
	int applied;			  /* hook calls */
	enum node_inbox_apply hook_answer;
};

static enum node_inbox_apply
count_hook(sqlite3 *db, const struct envelope *env, int64_t id, void *ctx,
	   char *why, size_t whylen)
{
	struct fixture *f = ctx;

	(void)db;
	assert_int_equal(env->body->kind, RETFED__V1__KIND__KIND_DECISION);
	assert_true(id > 0);
	if (f->hook_answer != NODE_INBOX_APPLY_OK)
		snprintf(why, whylen, "the request is unknown here");
	else
		f->applied++;
	return f->hook_answer;
}

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
	    keyfile_generate("desk:bel-roermond", &f->desk) != 0 ||
	    keyfile_generate("region:midden-limburg", &f->region2) != 0 ||
	    keyfile_generate("desk:bel-venlo", &f->stranger) != 0)
		return -1;
	snprintf(f->parties[0].party, PARTY_ID_MAX, "%s", f->desk.party);
	snprintf(f->parties[0].ben, PARTY_ID_MAX, "bel");
	memcpy(f->parties[0].signing_key, f->desk.sign_pk, 32);
	snprintf(f->parties[1].party, PARTY_ID_MAX, "%s", f->region2.party);
	snprintf(f->parties[1].ben, PARTY_ID_MAX, "bel");
	memcpy(f->parties[1].signing_key, f->region2.sign_pk, 32);
	f->hooks.apply[RETFED__V1__KIND__KIND_DECISION] = count_hook;
	f->hooks.ctx = f;
	f->cfg.self = "region:noord-limburg";
	f->cfg.ben = "bel";
	f->cfg.parties = f->parties;
	f->cfg.n_parties = 2;
	f->cfg.hooks = &f->hooks;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	node_db_close(&f->db);
	keyfile_wipe(&f->desk);
	keyfile_wipe(&f->region2);
	keyfile_wipe(&f->stranger);
	free(f);
	return 0;
}

/* A decision "received" from `from` to region:noord-limburg, sealed. */
static uint8_t *
decision(const struct keyfile *from, uint64_t seq, size_t *len,
	 uint8_t id[MSGID_LEN])
{
	Retfed__V1__Body b;
	Retfed__V1__Decision d;
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], req[MSGID_LEN];
	struct wire_error werr;
	uint8_t *out = NULL;

	retfed__v1__body__init(&b);
	retfed__v1__decision__init(&d);
	msgid_generate(req, msgid_now_ms() - 1000);
	d.case_ref = (char *)(uintptr_t)"nl:0123456789abcdef0123456789abcdef";
	d.request_id.data = req;
	d.request_id.len = MSGID_LEN;
	d.status = RETFED__V1__DECISION_STATUS__DECISION_RECEIVED;
	envelope_key_id(from->sign_pk, key_id);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_DECISION, from->party,
			      key_id, seq, msgid_now_ms(), id);
	b.recipient = (char *)(uintptr_t)"region:noord-limburg";
	b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
	b.decision = &d;
	assert_int_equal(envelope_seal(&b, from->sign_sk, &out, len, &werr),
			 WIRE_OK);
	return out;
}

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static uint64_t
cursor_of(sqlite3 *db)
{
	struct node_msg_error err;
	uint64_t c = 99;

	assert_int_equal(node_inbox_cursor(db, &c, &err), NODE_OK);
	return c;
}

static void
test_applied_once(void **state)
{
	struct fixture *f = *state;
	enum node_inbox_result res;
	struct node_inbox_info info;
	struct node_inbox_entry e;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	size_t len;
	uint8_t *env = decision(&f->desk, 1, &len, id);

	assert_int_equal(cursor_of(f->db), 0);
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 5, &res,
					   &info, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_APPLIED);
	assert_string_equal(info.sender, "desk:bel-roermond");
	assert_int_equal(f->applied, 1);
	assert_int_equal(cursor_of(f->db), 5);

	/* Delivered again (after a reconnect, a crash before confirm). */
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 7, &res,
					   &info, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_DUPLICATE);
	assert_int_equal(f->applied, 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(cursor_of(f->db), 7);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.received'"),
			 1);
	/* An old cursor never moves it back. */
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 3, &res,
					   &info, &err),
			 NODE_OK);
	assert_int_equal(cursor_of(f->db), 7);

	assert_int_equal(node_inbox_get(f->db, id, &e, &err), NODE_OK);
	assert_string_equal(e.state, "applied");
	assert_int_equal(e.cursor, 5);
	assert_int_equal(e.kind, RETFED__V1__KIND__KIND_DECISION);
	free(env);
}

static void
refused(struct fixture *f, const uint8_t *env, size_t len, uint64_t cursor,
	enum wire_reason want)
{
	enum node_inbox_result res = NODE_INBOX_APPLIED;
	struct node_inbox_info info;
	struct node_msg_error err;

	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, cursor,
					   &res, &info, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_REFUSED);
	assert_int_equal(info.reason, want);
	assert_int_equal(err.wire, want);
	assert_true(err.detail[0] != '\0');
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 0);
	assert_int_equal(f->applied, 0);
	/* Only the cursor moves past it, so it does not block the rest. */
	assert_int_equal(cursor_of(f->db), cursor);
}

static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	uint8_t id[MSGID_LEN];
	uint8_t garbage[] = {0x0a, 0xff, 0xff, 0x01};
	size_t len;
	uint8_t *env;

	/* Bad signature: one flipped bit in the signature (the last bytes). */
	env = decision(&f->desk, 1, &len, id);
	env[len - 1] ^= 0x01;
	refused(f, env, len, 1, WIRE_BAD_SIGNATURE);
	free(env);

	/* Unknown sender. */
	env = decision(&f->stranger, 1, &len, id);
	refused(f, env, len, 2, WIRE_UNKNOWN_SENDER);
	free(env);

	/* A configured party signing with another key. */
	memcpy(f->parties[0].signing_key, f->stranger.sign_pk, 32);
	env = decision(&f->desk, 1, &len, id);
	refused(f, env, len, 3, WIRE_UNKNOWN_KEY);
	free(env);
	memcpy(f->parties[0].signing_key, f->desk.sign_pk, 32);

	/* A region may not send this node a decision. */
	env = decision(&f->region2, 1, &len, id);
	refused(f, env, len, 4, WIRE_NOT_ROUTABLE);
	free(env);

	/* A desk of another BEN may not either. */
	snprintf(f->parties[0].ben, PARTY_ID_MAX, "ben-noord-holland");
	env = decision(&f->desk, 1, &len, id);
	refused(f, env, len, 5, WIRE_NOT_ROUTABLE);
	free(env);
	snprintf(f->parties[0].ben, PARTY_ID_MAX, "bel");

	/* Not for us. */
	f->cfg.self = "region:zuid-limburg";
	env = decision(&f->desk, 1, &len, id);
	refused(f, env, len, 6, WIRE_UNKNOWN_RECIPIENT);
	free(env);
	f->cfg.self = "region:noord-limburg";

	/* Garbage. */
	refused(f, garbage, sizeof(garbage), 7, WIRE_MALFORMED);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.rejected'"),
			 7);
}

static void
test_hook_retry_and_reject(void **state)
{
	struct fixture *f = *state;
	enum node_inbox_result res;
	struct node_inbox_entry e;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	size_t len;
	uint8_t *env = decision(&f->desk, 1, &len, id);

	/* RETRY: nothing stored, cursor unchanged, can be delivered again. */
	f->hook_answer = NODE_INBOX_APPLY_RETRY;
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 1, &res,
					   NULL, &err),
			 NODE_ERR_BUSY);
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 0);
	assert_int_equal(cursor_of(f->db), 0);

	/* REJECT: stored as rejected with the reason, never applied. */
	f->hook_answer = NODE_INBOX_APPLY_REJECT;
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 1, &res,
					   NULL, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_REJECTED);
	assert_int_equal(node_inbox_get(f->db, id, &e, &err), NODE_OK);
	assert_string_equal(e.state, "rejected");
	assert_string_equal(e.state_detail, "the request is unknown here");
	assert_int_equal(cursor_of(f->db), 1);

	/* Again: a duplicate, the hook is not asked a second time. */
	f->hook_answer = NODE_INBOX_APPLY_OK;
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, 2, &res,
					   NULL, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_DUPLICATE);
	assert_int_equal(f->applied, 0);
	free(env);
}

/* Every truncation and a thousand single-bit flips of a valid delivery:
 * each is refused (the signature covers the body, the decoder rejects any
 * other change), nothing is stored, and the valid one still goes in. */
static void
test_mangled_deliveries(void **state)
{
	struct fixture *f = *state;
	enum node_inbox_result res;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN], *copy;
	size_t len, i;
	uint64_t cursor = 1;
	uint8_t *env = decision(&f->desk, 1, &len, id);

	copy = malloc(len);
	assert_non_null(copy);
	for (i = 0; i < len; i++, cursor++) {
		assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, i,
						   cursor, &res, NULL, &err),
				 NODE_OK);
		assert_int_equal(res, NODE_INBOX_REFUSED);
	}
	for (i = 0; i < 1000; i++, cursor++) {
		memcpy(copy, env, len);
		copy[randombytes_uniform((uint32_t)len)] ^=
			(uint8_t)(1u << randombytes_uniform(8));
		assert_int_equal(node_inbox_accept(f->db, &f->cfg, copy, len,
						   cursor, &res, NULL, &err),
				 NODE_OK);
		assert_int_equal(res, NODE_INBOX_REFUSED);
	}
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 0);
	assert_int_equal(f->applied, 0);
	/* The valid one still goes in afterwards. */
	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len, cursor,
					   &res, NULL, &err),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_APPLIED);
	free(copy);
	free(env);
}

static void
test_kind_rules(void **state)
{
	struct node_inbox_party region = {.party = "region:westfriesland",
					  .ben = "ben-noord-holland"};
	struct node_inbox_party desk = {.party = "desk:bel-roermond",
					.ben = "bel"};

	(void)state;
	/* Learning summaries and peer reviews cross BENs. */
	assert_true(node_inbox_kind_allowed(
		"region:noord-limburg", "bel", &region,
		RETFED__V1__KIND__KIND_LEARNING_SUMMARY));
	assert_true(node_inbox_kind_allowed(
		"region:noord-limburg", "bel", &region,
		RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST));
	/* Escalations only to a desk of the sender's own BEN. */
	assert_false(node_inbox_kind_allowed(
		"region:noord-limburg", "bel", &region,
		RETFED__V1__KIND__KIND_ESCALATION));
	assert_false(node_inbox_kind_allowed(
		"desk:bel-roermond", "bel", &region,
		RETFED__V1__KIND__KIND_ESCALATION));
	snprintf(region.ben, sizeof(region.ben), "bel");
	assert_true(node_inbox_kind_allowed(
		"desk:bel-roermond", "bel", &region,
		RETFED__V1__KIND__KIND_ESCALATION));
	assert_false(node_inbox_kind_allowed(
		"desk:bel-roermond", "bel", &desk,
		RETFED__V1__KIND__KIND_LEARNING_SUMMARY));
	assert_false(node_inbox_kind_allowed("region:noord-limburg", "bel",
					     &desk, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_applied_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_retry_and_reject,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mangled_deliveries, setup,
						teardown),
		cmocka_unit_test(test_kind_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
