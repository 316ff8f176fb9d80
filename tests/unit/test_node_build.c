/*
 * test_node_build: every allow-list builder on a real register (in-memory
 * SQLite), the escalation ladder, refusals that queue nothing, the leak
 * guard, and that the preview is exactly what a receiver decodes from the
 * queued, signed envelope.
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
#include "node_build.h"
#include "node_db.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_requests.h"
#include "payload_check.h"

#define TODAY "2026-11-23"

struct fixture {
	sqlite3 *db;
	struct keyfile keys;
	struct node_build_ctx ctx;
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
	    node_register_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK ||
	    node_requests_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_requests_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    keyfile_generate("region:noord-limburg", &f->keys) != 0) {
		node_db_close(&f->db);
		free(f);
		return -1;
	}
	f->ctx.db = f->db;
	f->ctx.user = "voorzitter";
	f->ctx.keys = &f->keys;
	f->ctx.today = TODAY;
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

/* Queue a draft as the CLI does (node_outbox_queue); id may be NULL. */
static enum node_status
send_draft(struct fixture *f, const struct node_build_draft *d, uint64_t *seq,
           uint8_t id[MSGID_LEN])
{
	struct node_msg_error e;

	return node_outbox_queue(f->db, &f->keys, f->ctx.user,
	                         node_build_guarded(d), seq, id, &e);
}

/* A casus with a jeugdige and a mother, moved to `phase`. */
static int64_t
make_casus(struct fixture *f, const char *phase)
{
	struct node_casus_fields cf;
	struct node_person kid = {"jeugdige",   "Daan de Vries",  "111222333",
	                          "2013-05-04", "Kerkstraat 12a", "5912 AB",
	                          "Venlo"};
	struct node_person mum = {
	    "ouder", "Yasmina El Amrani", NULL, "1984-02-29", NULL, NULL, NULL};
	char err[256];
	int64_t id = 0, pid;

	memset(&cf, 0, sizeof(cf));
	cf.registered_by = "gemeente";
	cf.question_type = "passend_aanbod";
	cf.problem_areas = "gedrag,gezin";
	assert_int_equal(node_register_casus_new(f->db, "secretaris", &cf, &id,
	                                         err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_register_person_add(f->db, "secretaris", id, &kid,
	                                          &pid, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_register_person_add(f->db, "secretaris", id, &mum,
	                                          &pid, err, sizeof(err)),
	                 NODE_OK);
	if (strcmp(phase, "aanmelding") == 0)
		return id;
	assert_int_equal(node_register_casus_phase(f->db, "s", id, "triage",
	                                           NULL, err, sizeof(err)),
	                 NODE_OK);
	if (strcmp(phase, "triage") == 0)
		return id;
	assert_int_equal(node_register_casus_phase(f->db, "s", id, "overleg",
	                                           NULL, err, sizeof(err)),
	                 NODE_OK);
	if (strcmp(phase, "afgesloten") == 0) {
		assert_int_equal(node_register_casus_phase(f->db, "s", id,
		                                           "monitoren", NULL,
		                                           err, sizeof(err)),
		                 NODE_OK);
		assert_int_equal(node_register_casus_phase(f->db, "s", id,
		                                           "afgesloten", NULL,
		                                           err, sizeof(err)),
		                 NODE_OK);
	}
	return id;
}

static unsigned
n_queued(struct fixture *f)
{
	unsigned q = 99;
	struct node_msg_error merr;

	assert_int_equal(node_outbox_stats(f->db, &q, NULL, NULL, NULL, &merr),
	                 NODE_OK);
	return q;
}

static const int support[] = {1, 4};

static struct node_build_escalation
escalation_input(int64_t casus)
{
	struct node_build_escalation in = {
	    casus,
	    "Daan (11) woont bij moeder Yasmina aan de Kerkstraat 12a, "
	    "5912 AB; BSN 111222333. Geen plek beschikbaar.",
	    "Drie aanbieders benaderd; gebeld met 06-12345678 van "
	    "mevrouw Jansen.",
	    support,
	    2,
	    2,
	    NULL,
	    NULL};
	return in;
}

/* The envelope of the queued message after after_seq, decoded. */
static struct envelope *
queued_envelope(struct fixture *f, uint64_t after_seq)
{
	struct node_outbox_entry e;
	struct node_msg_error merr;
	struct wire_error we;
	struct envelope *env = NULL;

	assert_int_equal(node_outbox_next(f->db, after_seq, &e, &merr),
	                 NODE_OK);
	assert_int_equal(envelope_decode(e.envelope, e.envelope_len, &env, &we),
	                 WIRE_OK);
	assert_int_equal(envelope_verify(env, f->keys.sign_pk, &we), WIRE_OK);
	node_outbox_entry_clear(&e);
	return env;
}

/* Preview of the draft == preview of what the receiver decodes. */
static void
assert_preview_is_queued(struct fixture *f, const struct node_build_draft *d,
                         uint64_t seq)
{
	json_t *a = NULL, *b = NULL;
	struct envelope *env = queued_envelope(f, seq - 1);

	assert_int_equal(node_build_preview(node_build_body(d), &a), NODE_OK);
	assert_int_equal(node_build_preview(env->body, &b), NODE_OK);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	envelope_destroy(&env);
}

static void
assert_no_personal(const char *s)
{
	static const char *bad[] = {"Daan",      "Yasmina",    "Vries",
	                            "Amrani",    "Kerkstraat", "5912",
	                            "111222333", "12345678",   "Jansen"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(strstr(s, bad[i]));
}

static void
test_escalation(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	const Retfed__V1__Escalation *e;
	uint8_t msgid[MSGID_LEN];
	uint64_t seq = 0;
	struct node_sent_request r;
	char ebuf[256];
	json_t *p = NULL, *list = NULL;
	char *dump;

	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	e = node_build_body(d)->escalation;
	assert_true(payload_case_ref_valid(e->case_ref));
	assert_memory_equal(e->case_ref, "k1:", 3);
	/* Born 2013-05-04: 13 on 2026-11-23. */
	assert_int_equal(e->age_band, RETFED__V1__AGE_BAND__AGE_12_15);
	assert_int_equal(e->n_problem_areas, 2);
	assert_int_equal(e->urgency, RETFED__V1__URGENCY__URGENCY_HIGH);
	assert_int_equal(e->n_support_asked, 2);
	assert_int_equal(e->thread_id.len, 0);
	assert_no_personal(e->why_stuck);
	assert_no_personal(e->what_was_tried);
	assert_non_null(strstr(e->why_stuck, "Geen plek beschikbaar."));
	assert_string_equal(node_build_body(d)->recipient, "");
	assert_int_equal(node_build_casus(d), id);

	/* The preview shows every field, and nothing personal. */
	assert_int_equal(node_build_preview(node_build_body(d), &p), NODE_OK);
	assert_string_equal(json_string_value(json_object_get(p, "kind")),
	                    "escalation");
	assert_int_equal(json_object_size(json_object_get(p, "fields")), 9);
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(p, "fields"), "age_band")),
	                    "AGE_12_15");
	dump = json_dumps(p, 0);
	assert_non_null(dump);
	assert_no_personal(dump);
	free(dump);
	json_decref(p);

	assert_int_equal(
	    send_draft(f, d, &seq, msgid), NODE_OK);
	assert_int_equal(seq, 1);
	assert_preview_is_queued(f, d, seq);

	/* Recorded in the casus, with its message id and case reference. */
	assert_int_equal(
	    node_requests_find(f->db, msgid, &r, ebuf, sizeof(ebuf)), NODE_OK);
	assert_int_equal(r.casus_id, id);
	assert_int_equal(r.kind, RETFED__V1__KIND__KIND_ESCALATION);
	assert_string_equal(r.case_ref, e->case_ref);
	assert_int_equal(r.has_thread, 0);
	assert_int_equal(
	    node_requests_list(f->db, id, &list, ebuf, sizeof(ebuf)), NODE_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	node_build_destroy(&d);
	node_build_destroy(&d);
	assert_null(d);
}

static void
test_escalation_thread(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg"), other = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	uint8_t first[MSGID_LEN], second[MSGID_LEN], bogus[MSGID_LEN] = {1};
	struct node_sent_request r;
	char ebuf[256];

	in.answer = "Het gaat om de plek in Roermond.";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "answer");
	in.answer = NULL;
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_int_equal(send_draft(f, d, NULL, first),
	                 NODE_OK);
	node_build_destroy(&d);

	/* An unknown thread and another casus's thread are refused. */
	in.thread_id = bogus;
	in.answer = "Daan kan pas in maart terecht.";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "thread_id");
	in.casus_id = other;
	in.thread_id = first;
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	in.casus_id = id;
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_memory_equal(node_build_body(d)->escalation->thread_id.data,
	                    first, MSGID_LEN);
	assert_null(strstr(node_build_body(d)->escalation->answer, "Daan"));
	assert_int_equal(send_draft(f, d, NULL, second),
	                 NODE_OK);
	assert_int_equal(
	    node_requests_find(f->db, second, &r, ebuf, sizeof(ebuf)), NODE_OK);
	assert_int_equal(r.has_thread, 1);
	assert_memory_equal(r.thread_id, first, MSGID_LEN);
	node_build_destroy(&d);
}

static void
test_ladder(void **state)
{
	struct fixture *f = *state;
	const char *phases[] = {"aanmelding", "triage", "afgesloten"};
	struct node_build_draft *d = NULL;
	struct node_build_error err;

	for (size_t i = 0; i < 3; i++) {
		int64_t id = make_casus(f, phases[i]);
		struct node_build_escalation in = escalation_input(id);
		struct node_build_procesversneller pv = {
		    id, "Wacht op indicatie.", 6, 1, 0};

		assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
		                 NODE_ERR_TRANSITION);
		assert_null(d);
		assert_non_null(strstr(err.detail, phases[i]));
		assert_int_equal(
		    node_build_procesversneller(&f->ctx, &pv, &d, &err),
		    NODE_ERR_TRANSITION);
		assert_null(d);
	}
	{
		struct node_build_escalation in = escalation_input(9999);
		assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
		                 NODE_ERR_NOT_FOUND);
	}
	assert_int_equal(n_queued(f), 0);
}

static void
test_escalation_needs_register_facts(void **state)
{
	struct fixture *f = *state;
	struct node_casus_fields cf;
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	char e[256];
	int64_t id;
	struct node_build_escalation in;

	memset(&cf, 0, sizeof(cf));
	cf.registered_by = "gi";
	cf.question_type = "other";
	assert_int_equal(
	    node_register_casus_new(f->db, "s", &cf, &id, e, sizeof(e)),
	    NODE_OK);
	assert_int_equal(node_register_casus_phase(f->db, "s", id, "triage",
	                                           NULL, e, sizeof(e)),
	                 NODE_OK);
	assert_int_equal(node_register_casus_phase(f->db, "s", id, "overleg",
	                                           NULL, e, sizeof(e)),
	                 NODE_OK);
	in = escalation_input(id);
	/* No birth date of a jeugdige: no age band. */
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "age_band");
	/* Bad input is refused before anything is read. */
	in.urgency = 0;
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "urgency");
	in.urgency = 1;
	in.n_support = 0;
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "support_asked");
	assert_null(d);
	assert_int_equal(n_queued(f), 0);
}

static void
test_scrub_refusal_queues_nothing(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_draft *d = NULL;
	struct node_build_error err;

	in.what_was_tried = "Gebeld\x01 met de school.";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_null(d);
	assert_int_equal(err.scrub_refused, 1);
	assert_int_equal(err.refusal, SCRUB_REFUSE_CONTROL);
	assert_string_equal(err.field, "what_was_tried");
	assert_int_equal(err.offset, 6);
	assert_int_equal(n_queued(f), 0);

	/* The leak guard: a recorded street without a house number. */
	in = escalation_input(id);
	in.why_stuck = "Het gezin woont aan de Kerkstraat, vlak bij school.";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_null(d);
	assert_int_equal(err.scrub_refused, 1);
	assert_string_equal(err.field, "why_stuck");
	assert_int_equal(err.category, SCRUB_CAT_ADRES);
	assert_null(strstr(err.detail, "Kerkstraat"));
	assert_int_equal(n_queued(f), 0);

	/* Empty and oversized texts. */
	in = escalation_input(id);
	in.why_stuck = "";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "why_stuck");
	assert_int_equal(n_queued(f), 0);
}

static void
test_procesversneller(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_procesversneller in = {
	    id, "Daan de Vries wacht sinds 3 maart op een indicatie.", 8, 1, 3};
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	const Retfed__V1__ProcesversnellerRequest *p;
	uint64_t seq;
	unsigned bad_weeks[] = {0, 53};

	for (size_t i = 0; i < 2; i++) {
		in.expected_weeks = bad_weeks[i];
		assert_int_equal(
		    node_build_procesversneller(&f->ctx, &in, &d, &err),
		    NODE_ERR_INVALID);
		assert_string_equal(err.field, "expected_weeks");
	}
	in.expected_weeks = 8;
	in.stagnation_reason = NULL;
	assert_int_equal(node_build_procesversneller(&f->ctx, &in, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "stagnation_reason");
	in.stagnation_reason =
	    "Daan de Vries wacht sinds 3 maart op een indicatie.";
	assert_int_equal(node_build_procesversneller(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	p = node_build_body(d)->procesversneller;
	assert_int_equal(p->expected_weeks, 8);
	assert_int_equal(p->age_band, RETFED__V1__AGE_BAND__AGE_12_15);
	assert_int_equal(p->urgency, RETFED__V1__URGENCY__URGENCY_CRISIS);
	assert_null(strstr(p->stagnation_reason, "Daan"));
	assert_null(strstr(p->stagnation_reason, "maart"));
	assert_int_equal(send_draft(f, d, &seq, NULL),
	                 NODE_OK);
	assert_preview_is_queued(f, d, seq);
	node_build_destroy(&d);

	/* Without age band and urgency they stay unset. */
	in.with_age_band = 0;
	in.urgency = 0;
	assert_int_equal(node_build_procesversneller(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_int_equal(node_build_body(d)->procesversneller->age_band, 0);
	assert_int_equal(node_build_body(d)->procesversneller->urgency, 0);
	node_build_destroy(&d);
}

static void
test_peer_review(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "triage");
	struct node_build_peer_request rq = {
	    "region:westfriesland", id,
	    "We zetten voor Daan een gezinshuis in met dagbesteding.",
	    "Hoe hebben jullie de school betrokken?"};
	struct node_build_peer_review rv;
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	const Retfed__V1__PeerReviewRequest *r;
	uint8_t req_id[MSGID_LEN];
	uint64_t seq;

	rq.recipient = "region:noord-limburg";
	assert_int_equal(node_build_peer_request(&f->ctx, &rq, &d, &err),
	                 NODE_ERR_INVALID);
	rq.recipient = "desk:bel";
	assert_int_equal(node_build_peer_request(&f->ctx, &rq, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "recipient");
	rq.recipient = "region:westfriesland";
	assert_int_equal(node_build_peer_request(&f->ctx, &rq, &d, &err),
	                 NODE_OK);
	r = node_build_body(d)->peer_review_request;
	assert_string_equal(node_build_body(d)->recipient,
	                    "region:westfriesland");
	assert_int_equal(r->age_band, RETFED__V1__AGE_BAND__AGE_12_15);
	assert_int_equal(r->n_problem_areas, 2);
	assert_null(strstr(r->approach, "Daan"));
	assert_int_equal(send_draft(f, d, &seq, req_id),
	                 NODE_OK);
	assert_preview_is_queued(f, d, seq);
	node_build_destroy(&d);

	/* Without a casus: no age band, no areas. */
	rq.casus_id = 0;
	assert_int_equal(node_build_peer_request(&f->ctx, &rq, &d, &err),
	                 NODE_OK);
	assert_int_equal(node_build_body(d)->peer_review_request->age_band, 0);
	assert_int_equal(
	    node_build_body(d)->peer_review_request->n_problem_areas, 0);
	node_build_destroy(&d);

	rv.request_id = req_id;
	rv.recipient = "region:westfriesland";
	rv.casus_id = 0;
	rv.review = "Betrek de intern begeleider vroeg; bel juf Fatima "
	            "op 0229-123456.";
	assert_int_equal(node_build_peer_review(&f->ctx, &rv, &d, &err),
	                 NODE_OK);
	assert_memory_equal(node_build_body(d)->peer_review->request_id.data,
	                    req_id, MSGID_LEN);
	assert_null(strstr(node_build_body(d)->peer_review->review, "Fatima"));
	assert_null(strstr(node_build_body(d)->peer_review->review, "123456"));
	assert_int_equal(send_draft(f, d, &seq, NULL),
	                 NODE_OK);
	assert_preview_is_queued(f, d, seq);
	node_build_destroy(&d);
	rv.review = "";
	assert_int_equal(node_build_peer_review(&f->ctx, &rv, &d, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "review");
}

static void
test_decision(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_decision dec = {
	    RETFED__V1__DECISION_STATUS__DECISION_GRANTED,
	    RETFED__V1__ASSIGNMENT_KIND__ASSIGNMENT_PROCESVERSNELLER,
	    "Procesversneller BEL, team Noord",
	    NULL,
	    NULL,
	    "Contact via 06-12345678; BSN 111222333 niet nodig."};
	struct node_build_draft *d = NULL, *x = NULL;
	struct node_build_error err;
	struct envelope *env;
	const Retfed__V1__Decision *r;
	uint64_t seq;

	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_int_equal(send_draft(f, d, &seq, NULL),
	                 NODE_OK);
	env = queued_envelope(f, seq - 1);

	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_OK);
	r = node_build_body(x)->decision;
	assert_string_equal(r->case_ref, env->body->escalation->case_ref);
	assert_memory_equal(r->request_id.data, env->body->message_id.data,
	                    MSGID_LEN);
	assert_string_equal(node_build_body(x)->recipient,
	                    "region:noord-limburg");
	assert_null(strstr(r->note, "12345678"));
	assert_null(strstr(r->note, "111222333"));
	node_build_destroy(&x);

	/* The rules of each status. */
	dec.assigned = NULL;
	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_ERR_INVALID);
	dec.status = RETFED__V1__DECISION_STATUS__DECISION_DECLINED;
	dec.assignment_kind = 0;
	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "reason");
	dec.reason = "Past niet binnen de afspraken.";
	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_OK);
	node_build_destroy(&x);
	dec.status = RETFED__V1__DECISION_STATUS__DECISION_MORE_INFO_NEEDED;
	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_ERR_INVALID);
	assert_string_equal(err.field, "question");
	dec.question = "Welke aanbieders zijn benaderd?";
	assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
	                 NODE_OK);
	node_build_destroy(&x);
	envelope_destroy(&env);
	node_build_destroy(&d);

	/* A decision answers only escalations and procesversneller requests. */
	{
		struct node_build_peer_request rq = {"region:westfriesland", 0,
		                                     "Aanpak.", "Vraag?"};
		assert_int_equal(
		    node_build_peer_request(&f->ctx, &rq, &d, &err), NODE_OK);
		assert_int_equal(
		    send_draft(f, d, &seq, NULL),
		    NODE_OK);
		env = queued_envelope(f, seq - 1);
		assert_int_equal(node_build_decision(env->body, &dec, &x, &err),
		                 NODE_ERR_INVALID);
		assert_null(x);
		envelope_destroy(&env);
		node_build_destroy(&d);
	}
}

static void
test_preview_print(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_draft *d = NULL;
	struct node_build_error err;
	json_t *p = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;

	in.why_stuck = "Geen plek.\nTweede regel.";
	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_int_equal(node_build_preview(node_build_body(d), &p), NODE_OK);
	mem = open_memstream(&buf, &len);
	assert_non_null(mem);
	assert_int_equal(node_build_preview_print(p, mem), 0);
	assert_int_equal(fclose(mem), 0);
	assert_non_null(strstr(buf, "why_stuck"));
	assert_non_null(strstr(buf, "Geen plek.\n"));
	assert_non_null(strstr(buf, "PROBLEM_GEDRAG, PROBLEM_GEZIN"));
	assert_non_null(strstr(buf, "(the coordinators of the BEN)"));
	assert_no_personal(buf);
	free(buf);
	json_decref(p);
	node_build_destroy(&d);
	assert_int_equal(n_queued(f), 0);
}

/* Sending an escalation records its request in the same transaction. */
static void
test_send_records_request(void **state)
{
	struct fixture *f = *state;
	int64_t id = make_casus(f, "overleg");
	struct node_build_escalation in = escalation_input(id);
	struct node_build_peer_request rq = {"region:westfriesland", id,
	                                     "Aanpak.", "Vraag?"};
	struct node_build_draft *d = NULL, *p = NULL;
	struct node_build_error err;
	struct node_sent_request r;
	uint8_t esc_id[MSGID_LEN], req_id[MSGID_LEN];
	char e[256];

	assert_int_equal(node_build_escalation(&f->ctx, &in, &d, &err),
	                 NODE_OK);
	assert_int_equal(node_build_peer_request(&f->ctx, &rq, &p, &err),
	                 NODE_OK);
	assert_int_equal(send_draft(f, d, NULL, esc_id), NODE_OK);
	assert_int_equal(send_draft(f, p, NULL, req_id), NODE_OK);
	assert_int_equal(node_requests_find(f->db, esc_id, &r, e, sizeof(e)),
	                 NODE_OK);
	assert_int_equal(r.casus_id, id);
	assert_string_equal(r.case_ref,
	                    node_build_body(d)->escalation->case_ref);
	assert_int_equal(node_requests_find(f->db, req_id, &r, e, sizeof(e)),
	                 NODE_OK);
	assert_int_equal(r.casus_id, id);
	assert_string_equal(r.recipient, "region:westfriesland");
	node_build_destroy(&d);
	node_build_destroy(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_escalation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escalation_thread, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_ladder, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_escalation_needs_register_facts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scrub_refusal_queues_nothing,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_procesversneller, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_peer_review, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_preview_print, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_send_records_request, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
