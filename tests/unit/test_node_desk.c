/*
 * test_node_desk: escalations and procesversneller requests from regions
 * become the desk's queue through node_inbox_accept and the desk hooks
 * (real keys, real sealed envelopes, in-memory SQLite): once each, updates
 * with a thread_id join their thread, an update that names another
 * region's thread is rejected, and the list filters by region, urgency,
 * status and days waiting.
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
#include "node_db.h"
#include "node_desk.h"
#include "node_inbox.h"
#include "node_outbox.h"

#define REF_A "k1:0123456789abcdef0123456789abcdef"
#define REF_B "k1:fedcba9876543210fedcba9876543210"

struct fixture {
	sqlite3 *db;
	struct keyfile nl, zl; /* region:noord-limburg, region:zuid-limburg */
	struct node_inbox_party parties[2];
	struct node_inbox_hooks hooks;
	struct node_inbox_cfg cfg;
	uint64_t cursor, seq_nl, seq_zl;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct node_msg_error merr;
	char err[256];

	if (f == NULL ||
	    node_db_open(":memory:", NODE_DB_CREATE, &f->db, err,
			 sizeof(err)) != NODE_OK ||
	    node_audit_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK ||
	    node_apply_migrate(f->db, PARTY_DESK, err, sizeof(err)) != NODE_OK ||
	    keyfile_generate("region:noord-limburg", &f->nl) != 0 ||
	    keyfile_generate("region:zuid-limburg", &f->zl) != 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		const struct keyfile *k = i == 0 ? &f->nl : &f->zl;
		snprintf(f->parties[i].party, PARTY_ID_MAX, "%s", k->party);
		snprintf(f->parties[i].ben, PARTY_ID_MAX, "bel");
		memcpy(f->parties[i].signing_key, k->sign_pk, ENVELOPE_PK_LEN);
	}
	node_apply_hooks(PARTY_DESK, NULL, &f->hooks);
	f->cfg.self = "desk:bel-roermond";
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
	keyfile_wipe(&f->nl);
	keyfile_wipe(&f->zl);
	free(f);
	return 0;
}

/* Seal an escalation (or, with weeks > 0, a procesversneller request). */
static uint8_t *
request(struct fixture *f, const struct keyfile *from, const char *ref,
	int urgency, const uint8_t *thread, unsigned weeks, size_t *len,
	uint8_t id[MSGID_LEN])
{
	Retfed__V1__Body b;
	Retfed__V1__Escalation e;
	Retfed__V1__ProcesversnellerRequest p;
	Retfed__V1__ProblemArea areas[] = {RETFED__V1__PROBLEM_AREA__PROBLEM_GEDRAG,
					   RETFED__V1__PROBLEM_AREA__PROBLEM_WONEN};
	Retfed__V1__SupportKind support[] = {
		RETFED__V1__SUPPORT_KIND__SUPPORT_PLACEMENT};
	uint8_t key_id[ENVELOPE_KEY_ID_LEN];
	struct wire_error werr;
	uint64_t *seq = from == &f->nl ? &f->seq_nl : &f->seq_zl;
	uint8_t *out = NULL;

	retfed__v1__body__init(&b);
	envelope_key_id(from->sign_pk, key_id);
	if (weeks > 0) {
		retfed__v1__procesversneller_request__init(&p);
		p.case_ref = (char *)(uintptr_t)ref;
		p.stagnation_reason = (char *)(uintptr_t)"Niemand neemt regie.";
		p.expected_weeks = weeks;
		p.urgency = (Retfed__V1__Urgency)urgency;
		envelope_body_prepare(&b, RETFED__V1__KIND__KIND_PROCESVERSNELLER,
				      from->party, key_id, ++*seq,
				      msgid_now_ms(), id);
		b.payload_case = RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
		b.procesversneller = &p;
	} else {
		retfed__v1__escalation__init(&e);
		e.case_ref = (char *)(uintptr_t)ref;
		e.age_band = RETFED__V1__AGE_BAND__AGE_12_15;
		e.n_problem_areas = 2;
		e.problem_areas = areas;
		e.why_stuck = (char *)(uintptr_t)"Geen plek gevonden.";
		e.what_was_tried = (char *)(uintptr_t)"Drie aanbieders gevraagd.";
		e.n_support_asked = 1;
		e.support_asked = support;
		e.urgency = (Retfed__V1__Urgency)urgency;
		if (thread != NULL) {
			e.thread_id.data = (uint8_t *)(uintptr_t)thread;
			e.thread_id.len = MSGID_LEN;
			e.answer = (char *)(uintptr_t)"Ja, de school doet mee.";
		}
		envelope_body_prepare(&b, RETFED__V1__KIND__KIND_ESCALATION,
				      from->party, key_id, ++*seq,
				      msgid_now_ms(), id);
		b.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
		b.escalation = &e;
	}
	assert_int_equal(envelope_seal(&b, from->sign_sk, &out, len, &werr),
			 WIRE_OK);
	return out;
}

static enum node_inbox_result
send_request(struct fixture *f, const struct keyfile *from, const char *ref,
	     int urgency, const uint8_t *thread, unsigned weeks,
	     uint8_t id[MSGID_LEN], int twice)
{
	struct node_inbox_info info;
	struct node_msg_error err;
	enum node_inbox_result res = NODE_INBOX_REFUSED, res2;
	size_t len = 0;
	uint8_t *env = request(f, from, ref, urgency, thread, weeks, &len, id);

	assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len,
					   ++f->cursor, &res, &info, &err),
			 NODE_OK);
	if (twice) {
		assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len,
						   ++f->cursor, &res2, &info,
						   &err),
				 NODE_OK);
		assert_int_equal(res2, NODE_INBOX_DUPLICATE);
	}
	free(env);
	return res;
}

static size_t
n_listed(struct fixture *f, const struct node_desk_filter *fl)
{
	char err[256];
	json_t *j = NULL;
	size_t n;

	assert_int_equal(node_desk_list(f->db, fl, &j, err, sizeof(err)),
			 NODE_OK);
	n = json_array_size(j);
	json_decref(j);
	return n;
}

static void
request_queued_once(void **state)
{
	struct fixture *f = *state;
	uint8_t id[MSGID_LEN];
	char err[256];
	json_t *j = NULL, *t;

	assert_int_equal(send_request(f, &f->nl, REF_A, 3, NULL, 0, id, 1),
			 NODE_INBOX_APPLIED);
	assert_int_equal(node_desk_list(f->db, NULL, &j, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 1);
	t = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(t, "region")),
			    "region:noord-limburg");
	assert_string_equal(json_string_value(json_object_get(t, "case_ref")),
			    REF_A);
	assert_string_equal(json_string_value(json_object_get(t, "urgency")),
			    "crisis");
	assert_string_equal(json_string_value(json_object_get(t, "age_band")),
			    "12-15");
	assert_string_equal(json_string_value(json_object_get(t, "status")),
			    "nieuw");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(t, "problem_areas"), 1)),
			    "wonen");
	assert_int_equal(json_integer_value(json_object_get(t, "messages")), 1);
	json_decref(j);
}

static void
update_joins_its_thread(void **state)
{
	struct fixture *f = *state;
	uint8_t first[MSGID_LEN], upd[MSGID_LEN], foreign[MSGID_LEN];
	struct node_desk_decision d;
	char err[256];
	json_t *j = NULL;

	assert_int_equal(send_request(f, &f->nl, REF_A, 1, NULL, 0, first, 0),
			 NODE_INBOX_APPLIED);
	memset(&d, 0, sizeof(d));
	assert_int_equal(node_desk_show(f->db, first, &j, err, sizeof(err)),
			 NODE_OK);
	json_decref(j);
	{
		struct envelope *env = NULL;
		assert_int_equal(node_desk_request(f->db, first, &env,
						   &d.thread, err, sizeof(err)),
				 NODE_OK);
		assert_memory_equal(env->body->message_id.data, first,
				    MSGID_LEN);
		envelope_destroy(&env);
	}
	msgid_generate(d.message_id, msgid_now_ms());
	d.status = 5;
	d.question = "Is de school betrokken?";
	assert_int_equal(node_desk_record_decision(f->db, "coordinator", &d,
						   err, sizeof(err)),
			 NODE_OK);
	/* The answer: an escalation on the same thread. */
	assert_int_equal(send_request(f, &f->nl, REF_A, 2, first, 0, upd, 1),
			 NODE_INBOX_APPLIED);
	/* Another region cannot add to this thread. */
	assert_int_equal(send_request(f, &f->zl, REF_A, 2, first, 0, foreign, 0),
			 NODE_INBOX_REJECTED);
	assert_int_equal(n_listed(f, NULL), 1);
	/* Found by any of its message ids, also by the decision's. */
	assert_int_equal(node_desk_show(f->db, d.message_id, &j, err,
					sizeof(err)),
			 NODE_OK);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
			    "meer-info");
	assert_string_equal(json_string_value(json_object_get(j, "urgency")),
			    "hoog");
	assert_true(json_is_true(json_object_get(j, "answered")));
	assert_int_equal(json_array_size(json_object_get(j, "messages")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "decisions")), 1);
	json_decref(j);
	assert_int_equal(node_desk_show(f->db, foreign, &j, err, sizeof(err)),
			 NODE_ERR_NOT_FOUND);
}

static void
list_filters(void **state)
{
	struct fixture *f = *state;
	struct node_desk_filter fl;
	uint8_t a[MSGID_LEN], b[MSGID_LEN], c[MSGID_LEN];
	char err[256];
	json_t *j = NULL;

	assert_int_equal(send_request(f, &f->nl, REF_A, 1, NULL, 0, a, 0),
			 NODE_INBOX_APPLIED);
	assert_int_equal(send_request(f, &f->zl, REF_B, 3, NULL, 0, b, 0),
			 NODE_INBOX_APPLIED);
	assert_int_equal(send_request(f, &f->zl, REF_B, 2, NULL, 8, c, 0),
			 NODE_INBOX_APPLIED);
	assert_int_equal(n_listed(f, NULL), 3);
	memset(&fl, 0, sizeof(fl));
	fl.region = "zuid-limburg";
	assert_int_equal(n_listed(f, &fl), 2);
	fl.region = "region:noord-limburg";
	assert_int_equal(n_listed(f, &fl), 1);
	memset(&fl, 0, sizeof(fl));
	fl.urgency = 3;
	assert_int_equal(n_listed(f, &fl), 1);
	memset(&fl, 0, sizeof(fl));
	fl.status = "nieuw";
	assert_int_equal(n_listed(f, &fl), 3);
	fl.status = "toegekend";
	assert_int_equal(n_listed(f, &fl), 0);
	/* Nothing has waited two days yet; three days from now, all have. */
	memset(&fl, 0, sizeof(fl));
	fl.older_than_days = 2;
	assert_int_equal(n_listed(f, &fl), 0);
	fl.now_ms = msgid_now_ms() + 3ull * 86400000u;
	assert_int_equal(n_listed(f, &fl), 3);
	fl.older_than_days = -1;
	assert_int_equal(node_desk_list(f->db, &fl, &j, err, sizeof(err)),
			 NODE_ERR_INVALID);
	/* The procesversneller request keeps its kind and period. */
	assert_int_equal(node_desk_show(f->db, c, &j, err, sizeof(err)),
			 NODE_OK);
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
			    "procesversneller");
	assert_int_equal(json_integer_value(json_object_get(j, "expected_weeks")),
			 8);
	json_decref(j);
}

static void
vocabulary_names(void **state)
{
	(void)state;
	assert_string_equal(node_desk_status_name(3), "toegekend");
	assert_int_equal(node_desk_status_parse("meer-info"), 5);
	assert_int_equal(node_desk_status_parse("granted"), 0);
	assert_null(node_desk_status_name(7));
	assert_int_equal(node_desk_assignment_parse("geld"), 3);
	assert_null(node_desk_assignment_name(0));
	assert_string_equal(node_desk_vocab_name(NODE_DESK_AGE_BAND, 11), "80+");
	assert_null(node_desk_vocab_name(NODE_DESK_URGENCY, 4));
	assert_int_equal(node_desk_vocab_parse(NODE_DESK_URGENCY, "hoog"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(request_queued_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(update_joins_its_thread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(list_filters, setup, teardown),
		cmocka_unit_test(vocabulary_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
