/*
 * test_node_apply: a region's escalation travels to a desk and the desk's
 * decision back, through the real builders, real sealed envelopes and
 * node_inbox_accept with the hooks of each role (two in-memory SQLite
 * databases, no relay): the decision is applied once to the right casus, a
 * duplicate changes nothing, a decision on a request never sent is stored
 * as rejected, and received peer reviews are kept.
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
#include "msgid.h"
#include "node_apply.h"
#include "node_audit.h"
#include "node_build.h"
#include "node_db.h"
#include "node_desk.h"
#include "node_inbox.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_requests.h"

#define TODAY "2026-11-23"

struct fixture {
	sqlite3 *region_db, *desk_db;
	struct keyfile region, desk, other;
	struct node_inbox_party region_parties[2], desk_parties[1];
	struct node_inbox_hooks region_hooks, desk_hooks;
	struct node_inbox_cfg region_cfg, desk_cfg;
	struct node_build_ctx bctx, dctx;
	uint64_t region_cursor, desk_cursor;
};

static void
party(struct node_inbox_party *p, const struct keyfile *k)
{
	snprintf(p->party, PARTY_ID_MAX, "%s", k->party);
	snprintf(p->ben, PARTY_ID_MAX, "bel");
	memcpy(p->signing_key, k->sign_pk, ENVELOPE_PK_LEN);
}

static int
open_db(sqlite3 **db, enum party_role role)
{
	char err[256];
	struct node_msg_error merr;

	if (node_db_open(":memory:", NODE_DB_CREATE, db, err, sizeof(err)) !=
	    NODE_OK)
		return -1;
	if (role == PARTY_REGION
		    ? node_register_migrate(*db, err, sizeof(err)) != NODE_OK
		    : node_audit_migrate(*db, err, sizeof(err)) != NODE_OK)
		return -1;
	if (node_outbox_migrate(*db, &merr) != NODE_OK)
		return -1;
	/* Twice: migrating is idempotent. */
	if (node_apply_migrate(*db, role, err, sizeof(err)) != NODE_OK ||
	    node_apply_migrate(*db, role, err, sizeof(err)) != NODE_OK)
		return -1;
	return 0;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || open_db(&f->region_db, PARTY_REGION) != 0 ||
	    open_db(&f->desk_db, PARTY_DESK) != 0 ||
	    keyfile_generate("region:noord-limburg", &f->region) != 0 ||
	    keyfile_generate("desk:bel-roermond", &f->desk) != 0 ||
	    keyfile_generate("region:midden-limburg", &f->other) != 0)
		return -1;
	party(&f->region_parties[0], &f->desk);
	party(&f->region_parties[1], &f->other);
	party(&f->desk_parties[0], &f->region);
	node_apply_hooks(PARTY_REGION, &f->region, &f->region_hooks);
	node_apply_hooks(PARTY_DESK, &f->desk, &f->desk_hooks);
	f->region_cfg.self = f->region.party;
	f->region_cfg.ben = "bel";
	f->region_cfg.parties = f->region_parties;
	f->region_cfg.n_parties = 2;
	f->region_cfg.hooks = &f->region_hooks;
	f->desk_cfg.self = f->desk.party;
	f->desk_cfg.ben = "bel";
	f->desk_cfg.parties = f->desk_parties;
	f->desk_cfg.n_parties = 1;
	f->desk_cfg.hooks = &f->desk_hooks;
	f->bctx.db = f->region_db;
	f->bctx.user = "voorzitter";
	f->bctx.keys = &f->region;
	f->bctx.today = TODAY;
	f->dctx.db = f->desk_db;
	f->dctx.user = "coordinator";
	f->dctx.keys = &f->desk;
	f->dctx.today = TODAY;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	node_db_close(&f->region_db);
	node_db_close(&f->desk_db);
	keyfile_wipe(&f->region);
	keyfile_wipe(&f->desk);
	keyfile_wipe(&f->other);
	free(f);
	return 0;
}

/* A casus with two persons in phase overleg. */
static int64_t
make_casus(struct fixture *f)
{
	struct node_casus_fields cf;
	struct node_person kid = {"jeugdige", "Daan de Vries", "111222333",
				  "2013-05-04", "Kerkstraat 12a", "5912 AB",
				  "Venlo"};
	char err[256];
	int64_t id = 0, pid;

	memset(&cf, 0, sizeof(cf));
	cf.registered_by = "gemeente";
	cf.question_type = "passend_aanbod";
	cf.problem_areas = "gedrag,gezin";
	assert_int_equal(node_register_casus_new(f->region_db, "s", &cf, &id,
						 err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_person_add(f->region_db, "s", id, &kid,
						  &pid, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_casus_phase(f->region_db, "s", id,
						   "triage", NULL, err,
						   sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_casus_phase(f->region_db, "s", id,
						   "overleg", NULL, err,
						   sizeof(err)),
			 NODE_OK);
	return id;
}

/* The sealed envelope of outbox message msgid of db (caller frees). */
static uint8_t *
outbox_envelope(sqlite3 *db, const uint8_t msgid[MSGID_LEN], size_t *len)
{
	sqlite3_stmt *st = NULL;
	uint8_t *out = NULL;

	assert_int_equal(sqlite3_prepare_v2(db,
					    "SELECT envelope FROM outbox"
					    " WHERE message_id = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	*len = (size_t)sqlite3_column_bytes(st, 0);
	out = malloc(*len);
	assert_non_null(out);
	memcpy(out, sqlite3_column_blob(st, 0), *len);
	sqlite3_finalize(st);
	return out;
}

/* Deliver outbox message msgid of `from` to `to_db` as the relay would. */
static enum node_inbox_result
deliver(sqlite3 *from, const uint8_t msgid[MSGID_LEN], sqlite3 *to_db,
	const struct node_inbox_cfg *cfg, uint64_t cursor)
{
	struct node_inbox_info info;
	struct node_msg_error err;
	enum node_inbox_result res = NODE_INBOX_REFUSED;
	size_t len = 0;
	uint8_t *env = outbox_envelope(from, msgid, &len);

	memset(&info, 0, sizeof(info));
	memset(&err, 0, sizeof(err));
	assert_int_equal(node_inbox_accept(to_db, cfg, env, len, cursor, &res,
					   &info, &err),
			 NODE_OK);
	free(env);
	return res;
}

static void
escalate(struct fixture *f, int64_t casus, const uint8_t *thread,
	 uint8_t ret_id[MSGID_LEN])
{
	static const int support[] = {RETFED__V1__SUPPORT_KIND__SUPPORT_EXPERTISE};
	struct node_build_escalation in = {
		.casus_id = casus,
		.why_stuck = "Geen passende plek na drie afwijzingen.",
		.what_was_tried = "Twee aanbieders benaderd en een tafel gehouden.",
		.support = support,
		.n_support = 1,
		.urgency = RETFED__V1__URGENCY__URGENCY_HIGH,
		.thread_id = thread,
		.answer = thread != NULL ? "De school is akkoord met deeltijd."
					 : NULL,
	};
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	struct node_msg_error merr;

	memset(&err, 0, sizeof(err));
	assert_int_equal(node_build_escalation(&f->bctx, &in, &d, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->bctx.db, f->bctx.keys,
					   f->bctx.user, node_build_guarded(d),
					   NULL, ret_id, &merr),
			 NODE_OK);
	node_build_destroy(&d);
}

/* The desk decides on the thread of request_id; returns the decision id. */
static void
decide(struct fixture *f, const uint8_t request_id[MSGID_LEN], int status,
       uint8_t ret_id[MSGID_LEN])
{
	struct node_build_decision in = {
		.status = status,
		.assignment_kind = status == 3 ? 2 : 0,
		.assigned = status == 3 ? "Expertiseteam Zuid" : NULL,
		.question = status == 5 ? "Is de school al betrokken?" : NULL,
		.reason = status == 4 ? "Eerst de regionale route." : NULL,
	};
	struct node_desk_decision rec;
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	struct envelope *req = NULL;
	char buf[256];
	int64_t thread = 0;
	struct node_msg_error merr;

	memset(&err, 0, sizeof(err));
	assert_int_equal(node_desk_request(f->desk_db, request_id, &req,
					   &thread, buf, sizeof(buf)),
			 NODE_OK);
	assert_int_equal(node_build_decision(req->body, &in, &d, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->dctx.db, f->dctx.keys,
					   f->dctx.user, node_build_guarded(d),
					   NULL, ret_id, &merr),
			 NODE_OK);
	memset(&rec, 0, sizeof(rec));
	rec.thread = thread;
	memcpy(rec.message_id, ret_id, MSGID_LEN);
	rec.status = status;
	rec.assignment_kind = in.assignment_kind;
	rec.assigned = in.assigned;
	rec.question = in.question;
	assert_int_equal(node_desk_record_decision(f->desk_db, "coordinator",
						   &rec, buf, sizeof(buf)),
			 NODE_OK);
	node_build_destroy(&d);
	envelope_destroy(&req);
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

static void
decision_applied_once_to_its_casus(void **state)
{
	struct fixture *f = *state;
	int64_t other = make_casus(f), casus = make_casus(f);
	uint8_t esc[MSGID_LEN], dec[MSGID_LEN];
	struct node_apply_decision_row row;
	char err[256];
	json_t *j = NULL, *d;

	(void)other;
	escalate(f, casus, NULL, esc);
	assert_int_equal(deliver(f->region_db, esc, f->desk_db, &f->desk_cfg,
				 ++f->desk_cursor),
			 NODE_INBOX_APPLIED);
	decide(f, esc, 3, dec);
	assert_int_equal(deliver(f->desk_db, dec, f->region_db, &f->region_cfg,
				 ++f->region_cursor),
			 NODE_INBOX_APPLIED);
	/* The relay delivers it again: nothing is applied twice. */
	assert_int_equal(deliver(f->desk_db, dec, f->region_db, &f->region_cfg,
				 ++f->region_cursor),
			 NODE_INBOX_DUPLICATE);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM casus_decision"),
			 1);
	assert_int_equal(node_apply_casus_decisions(f->region_db, other, &j,
						    err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	assert_int_equal(node_apply_casus_decisions(f->region_db, casus, &j,
						    err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 1);
	d = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(d, "status")),
			    "toegekend");
	assert_string_equal(
		json_string_value(json_object_get(d, "assignment_kind")),
		"expertise");
	assert_string_equal(json_string_value(json_object_get(d, "assigned")),
			    "Expertiseteam Zuid");
	assert_string_equal(json_string_value(json_object_get(d, "from")),
			    "desk:bel-roermond");
	json_decref(j);
	assert_int_equal(node_apply_decision_get(f->region_db, dec, &row, err,
						 sizeof(err)),
			 NODE_OK);
	assert_int_equal(row.casus_id, casus);
	assert_memory_equal(row.thread_id, esc, MSGID_LEN);
	/* Audited against the casus, without content. */
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM audit WHERE action ="
			       " 'casus.decision_received'"),
			 1);
}

static void
more_info_round_trip_is_one_thread(void **state)
{
	struct fixture *f = *state;
	int64_t casus = make_casus(f);
	uint8_t esc[MSGID_LEN], upd[MSGID_LEN], dec1[MSGID_LEN], dec2[MSGID_LEN];
	struct node_apply_decision_row row;
	char err[256];
	json_t *j = NULL;

	escalate(f, casus, NULL, esc);
	assert_int_equal(deliver(f->region_db, esc, f->desk_db, &f->desk_cfg,
				 ++f->desk_cursor),
			 NODE_INBOX_APPLIED);
	decide(f, esc, 5, dec1);
	assert_int_equal(deliver(f->desk_db, dec1, f->region_db,
				 &f->region_cfg, ++f->region_cursor),
			 NODE_INBOX_APPLIED);
	/* The region answers on the thread of the decision. */
	assert_int_equal(node_apply_decision_get(f->region_db, dec1, &row, err,
						 sizeof(err)),
			 NODE_OK);
	assert_int_equal(row.status, 5);
	escalate(f, casus, row.thread_id, upd);
	assert_int_equal(deliver(f->region_db, upd, f->desk_db, &f->desk_cfg,
				 ++f->desk_cursor),
			 NODE_INBOX_APPLIED);
	assert_int_equal(count(f->desk_db, "SELECT count(*) FROM desk_thread"),
			 1);
	assert_int_equal(node_desk_show(f->desk_db, upd, &j, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(json_object_get(j, "messages")), 2);
	assert_true(json_is_true(json_object_get(j, "answered")));
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "messages"), 1),
			"answer")),
		"De school is akkoord met deeltijd.");
	json_decref(j);
	/* Deciding on the update answers the same thread and casus. */
	decide(f, upd, 3, dec2);
	assert_int_equal(deliver(f->desk_db, dec2, f->region_db,
				 &f->region_cfg, ++f->region_cursor),
			 NODE_INBOX_APPLIED);
	assert_int_equal(node_apply_casus_decisions(f->region_db, casus, &j,
						    err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 2);
	json_decref(j);
}

/*
 * A request an earlier version queued but did not record (it stopped
 * between its two transactions): messaging schema step 2 records it
 * without a casus, and its decision is kept without a casus.
 */
static void
migrated_request_kept_without_casus(void **state)
{
	struct fixture *f = *state;
	static const int support[] = {RETFED__V1__SUPPORT_KIND__SUPPORT_MONEY};
	struct node_build_escalation in = {
		.why_stuck = "Geen passende plek.",
		.what_was_tried = "Alles.",
		.support = support,
		.n_support = 1,
		.urgency = RETFED__V1__URGENCY__URGENCY_NORMAL,
	};
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	struct node_msg_error merr;
	struct node_apply_decision_row row;
	uint8_t esc[MSGID_LEN], dec[MSGID_LEN];
	char buf[256];
	uint64_t seq;

	make_casus(f);
	in.casus_id = make_casus(f);
	assert_int_equal(node_build_escalation(&f->bctx, &in, &d, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->region_db, &f->region, "t",
					   node_build_guarded(d), &seq, esc,
					   &merr),
			 NODE_OK);
	node_build_destroy(&d);
	/* The state an earlier version left: no record, messaging v1. */
	assert_int_equal(node_db_exec(f->region_db,
				      "DELETE FROM sent_request;"
				      "UPDATE schema_meta SET version = 1"
				      " WHERE component = 'messaging';",
				      buf, sizeof(buf)),
			 NODE_OK);
	assert_int_equal(node_outbox_migrate(f->region_db, &merr), NODE_OK);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM sent_request WHERE"
			       " casus_id IS NULL AND case_ref = ''"),
			 1);
	assert_int_equal(deliver(f->region_db, esc, f->desk_db, &f->desk_cfg,
				 ++f->desk_cursor),
			 NODE_INBOX_APPLIED);
	decide(f, esc, 2, dec);
	assert_int_equal(deliver(f->desk_db, dec, f->region_db, &f->region_cfg,
				 ++f->region_cursor),
			 NODE_INBOX_APPLIED);
	assert_int_equal(node_apply_decision_get(f->region_db, dec, &row, buf,
						 sizeof(buf)),
			 NODE_OK);
	assert_int_equal(row.casus_id, 0);
	assert_memory_equal(row.thread_id, esc, MSGID_LEN);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM casus_decision WHERE"
			       " casus_id = 0"),
			 1);
}

/* A decision sealed by hand, on a request this region never sent. */
static void
unknown_request_is_rejected(void **state)
{
	struct fixture *f = *state;
	Retfed__V1__Body b;
	Retfed__V1__Decision d;
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], req[MSGID_LEN], id[MSGID_LEN];
	struct node_inbox_info info;
	struct node_msg_error merr;
	struct wire_error werr;
	enum node_inbox_result res;
	uint8_t *out = NULL;
	size_t len = 0;

	retfed__v1__body__init(&b);
	retfed__v1__decision__init(&d);
	msgid_generate(req, msgid_now_ms() - 1000);
	d.case_ref = (char *)(uintptr_t)"k1:0123456789abcdef0123456789abcdef";
	d.request_id.data = req;
	d.request_id.len = MSGID_LEN;
	d.status = RETFED__V1__DECISION_STATUS__DECISION_RECEIVED;
	envelope_key_id(f->desk.sign_pk, key_id);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_DECISION,
			      f->desk.party, key_id, 1, msgid_now_ms(), id);
	b.recipient = f->region.party;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
	b.decision = &d;
	assert_int_equal(envelope_seal(&b, f->desk.sign_sk, &out, &len, &werr),
			 WIRE_OK);
	assert_int_equal(node_inbox_accept(f->region_db, &f->region_cfg, out,
					   len, 1, &res, &info, &merr),
			 NODE_OK);
	assert_int_equal(res, NODE_INBOX_REJECTED);
	free(out);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM inbox WHERE state ="
			       " 'rejected'"),
			 1);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM casus_decision"),
			 0);
}

/* A peer-review request from another region is kept, queryable. */
static void
peer_review_request_is_stored(void **state)
{
	struct fixture *f = *state;
	Retfed__V1__Body b;
	Retfed__V1__PeerReviewRequest q;
	Retfed__V1__ProblemArea areas[] = {RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN};
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], id[MSGID_LEN];
	struct node_inbox_info info;
	struct node_msg_error merr;
	struct wire_error werr;
	enum node_inbox_result res;
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256];
	json_t *j = NULL;

	retfed__v1__body__init(&b);
	retfed__v1__peer_review_request__init(&q);
	q.approach = (char *)(uintptr_t)"Een gezinshuis met ambulante steun.";
	q.question = (char *)(uintptr_t)"Zou u dit ook zo aanpakken?";
	q.n_problem_areas = 1;
	q.problem_areas = areas;
	envelope_key_id(f->other.sign_pk, key_id);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST,
			      f->other.party, key_id, 1, msgid_now_ms(), id);
	b.recipient = f->region.party;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
	b.peer_review_request = &q;
	assert_int_equal(envelope_seal(&b, f->other.sign_sk, &out, &len, &werr),
			 WIRE_OK);
	assert_int_equal(node_inbox_accept(f->region_db, &f->region_cfg, out,
					   len, 1, &res, &info, &merr),
			 NODE_OK);
	free(out);
	assert_int_equal(res, NODE_INBOX_APPLIED);
	assert_int_equal(node_apply_peer_list(f->region_db, 5, &j, err,
					      sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(j, 0), "problem_areas")),
			    "gezin");
	json_decref(j);
	assert_int_equal(count(f->region_db,
			       "SELECT count(*) FROM"
			       " received_peer_review_request"),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(decision_applied_once_to_its_casus,
						setup, teardown),
		cmocka_unit_test_setup_teardown(more_info_round_trip_is_one_thread,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			migrated_request_kept_without_casus, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_request_is_rejected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(peer_review_request_is_stored,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
