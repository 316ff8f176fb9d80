/*
 * test_node_summary: a learning summary built from a real register
 * (in-memory SQLite) carries every cell exactly as node_stats publishes it
 * (hidden cells suppressed, without a count), scrubs its lessons and
 * refuses one the scrubber cannot make safe; sent, it is stored as the
 * region's own; received from another region through node_inbox_accept
 * (real keys, sealed envelope) it is stored once, and both compare side by
 * side.
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
#include "node_inbox.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_stats.h"
#include "node_summary.h"

struct fixture {
	sqlite3 *db;
	struct keyfile nl, ml; /* this region and another one */
	struct node_inbox_party parties[1];
	struct node_inbox_hooks hooks;
	struct node_inbox_cfg cfg;
};

static void
add_cases(struct fixture *f, const char *by, int n)
{
	struct node_casus_fields cf;
	char err[256];
	int64_t id;

	for (int i = 0; i < n; i++) {
		memset(&cf, 0, sizeof(cf));
		cf.registered_by = by;
		cf.question_type = "passend_aanbod";
		cf.registered_on = "2026-03-10";
		assert_int_equal(node_register_casus_new(f->db, "s", &cf, &id,
							 err, sizeof(err)),
				 NODE_OK);
	}
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct node_msg_error merr;
	char err[256];

	if (f == NULL ||
	    node_db_open(":memory:", NODE_DB_CREATE, &f->db, err,
			 sizeof(err)) != NODE_OK ||
	    node_register_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK ||
	    node_apply_migrate(f->db, PARTY_REGION, err, sizeof(err)) !=
		    NODE_OK ||
	    keyfile_generate("region:noord-limburg", &f->nl) != 0 ||
	    keyfile_generate("region:westfriesland", &f->ml) != 0)
		return -1;
	snprintf(f->parties[0].party, PARTY_ID_MAX, "%s", f->ml.party);
	snprintf(f->parties[0].ben, PARTY_ID_MAX, "ben-nh");
	memcpy(f->parties[0].signing_key, f->ml.sign_pk, ENVELOPE_PK_LEN);
	node_apply_hooks(PARTY_REGION, &f->nl, &f->hooks);
	f->cfg.self = f->nl.party;
	f->cfg.ben = "bel";
	f->cfg.parties = f->parties;
	f->cfg.n_parties = 1;
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
	keyfile_wipe(&f->ml);
	free(f);
	return 0;
}

static const Retfed__V1__Cell *
find(Retfed__V1__Cell *const *cells, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i]->key, key) == 0)
			return cells[i];
	return NULL;
}

static void
built_with_suppression(void **state)
{
	struct fixture *f = *state;
	static const char *const lessons[] = {
		"Vroeg de school aan tafel, zei mevrouw Jansen op 12-03-2026.",
		"Daan had baat bij een vaste mentor; de Vries ook."};
	struct node_person kid = {"jeugdige", "Daan de Vries", NULL, NULL,
				  NULL, NULL, NULL};
	int64_t pid;
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;
	struct node_stats st;
	struct node_stats_summary pub;
	const Retfed__V1__LearningSummary *ls;
	const Retfed__V1__Cell *c;
	char buf[256];

	add_cases(f, "gemeente", 7);
	add_cases(f, "gi", 2);
	assert_int_equal(node_register_person_add(f->db, "s", 1, &kid, &pid,
						  buf, sizeof(buf)),
			 NODE_OK);
	assert_int_equal(node_summary_build(f->db, "voorzitter", f->nl.party,
					    "2026", 5, lessons, 2, &d, &err),
			 NODE_OK);
	ls = node_summary_body(d)->learning_summary;
	assert_string_equal(ls->period, "2026");
	assert_int_equal(ls->threshold, 5);
	assert_int_equal(ls->registrations->count, 9);
	assert_false(ls->registrations->suppressed);
	/* Exactly what the dashboard publishes, cell by cell. */
	assert_int_equal(node_stats_compute(f->db, "t", f->nl.party, "2026",
					    &st, buf, sizeof(buf)),
			 NODE_OK);
	assert_int_equal(node_stats_suppress(&st.cur, 5, &pub, buf,
					     sizeof(buf)),
			 NODE_OK);
	assert_int_equal(ls->n_by_registrant, pub.by_registrant.n);
	for (size_t i = 0; i < pub.by_registrant.n; i++) {
		c = find(ls->by_registrant, ls->n_by_registrant,
			 pub.by_registrant.cell[i].key);
		assert_non_null(c);
		assert_int_equal(c->suppressed,
				 pub.by_registrant.cell[i].hidden != 0);
		assert_int_equal(c->count, pub.by_registrant.cell[i].count);
	}
	/* Two cases registered by the GI: below the threshold, no count. */
	c = find(ls->by_registrant, ls->n_by_registrant, "gi");
	assert_non_null(c);
	assert_true(c->suppressed);
	assert_int_equal(c->count, 0);
	/* The lessons are scrubbed, with the names of the register too. */
	assert_int_equal(ls->n_lessons, 2);
	assert_null(strstr(ls->lessons[1], "Daan"));
	assert_null(strstr(ls->lessons[1], "Vries"));
	assert_null(strstr(ls->lessons[0], "Jansen"));
	assert_null(strstr(ls->lessons[0], "12-03-2026"));
	assert_non_null(strstr(ls->lessons[0], "[NAAM]"));
	node_summary_destroy(&d);
	node_summary_destroy(&d);
}

static void
bad_input_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const empty[] = {""};
	static const char *const control[] = {"Goed", "Een \x01 teken."};
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;

	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026",
					    5, empty, 1, &d, &err),
			 NODE_ERR_INVALID);
	assert_int_equal(err.lesson, 1);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026",
					    5, control, 2, &d, &err),
			 NODE_ERR_INVALID);
	assert_int_equal(err.lesson, 2);
	assert_null(d);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026",
					    2, NULL, 0, &d, &err),
			 NODE_ERR_INVALID);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026-13",
					    5, NULL, 0, &d, &err),
			 NODE_ERR_INVALID);
	assert_null(d);
}

/* More names than one scrubber list holds: the last one is found too. */
static void
names_beyond_one_list(void **state)
{
	struct fixture *f = *state;
	static const char *const lessons[] = {
		"De mentor wist het niet, maar Zwartkruis hielp wel."};
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;
	const Retfed__V1__LearningSummary *ls;
	char name[64], buf[256];
	int64_t pid;

	add_cases(f, "gemeente", 1);
	for (int i = 0; i < 70; i++) {
		struct node_person p = {"other", name, NULL, NULL, NULL, NULL,
					NULL};
		/* The 70th name is in the second list only. */
		if (i == 69)
			snprintf(name, sizeof(name), "Fenna Zwartkruis");
		else
			snprintf(name, sizeof(name), "Tijn Bakker%c%c",
				 'a' + i / 26, 'a' + i % 26);
		assert_int_equal(node_register_person_add(f->db, "s", 1, &p,
							  &pid, buf,
							  sizeof(buf)),
				 NODE_OK);
	}
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026", 5,
					    lessons, 1, &d, &err),
			 NODE_OK);
	ls = node_summary_body(d)->learning_summary;
	assert_null(strstr(ls->lessons[0], "Zwartkruis"));
	assert_non_null(strstr(ls->lessons[0], "hielp wel"));
	node_summary_destroy(&d);
}

/* A summary of region:westfriesland, sealed. */
static uint8_t *
foreign_summary(struct fixture *f, size_t *len)
{
	Retfed__V1__Body b;
	Retfed__V1__LearningSummary ls;
	Retfed__V1__Cell reg, dis, can, ref, themes[2], *tp[2];
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], id[MSGID_LEN];
	struct wire_error werr;
	uint8_t *out = NULL;
	char *lessons[] = {(char *)(uintptr_t)"Samen met de school."};

	retfed__v1__body__init(&b);
	retfed__v1__learning_summary__init(&ls);
	retfed__v1__cell__init(&reg);
	retfed__v1__cell__init(&dis);
	retfed__v1__cell__init(&can);
	retfed__v1__cell__init(&ref);
	reg.key = (char *)(uintptr_t)"registrations";
	reg.count = 40;
	dis.key = (char *)(uintptr_t)"discussed";
	dis.count = 31;
	can.key = (char *)(uintptr_t)"cancelled";
	can.suppressed = 1;
	ref.key = (char *)(uintptr_t)"referred";
	ref.count = 6;
	for (int i = 0; i < 2; i++) {
		retfed__v1__cell__init(&themes[i]);
		tp[i] = &themes[i];
	}
	themes[0].key = (char *)(uintptr_t)"wachtlijsten";
	themes[0].count = 12;
	themes[1].key = (char *)(uintptr_t)"regie";
	themes[1].suppressed = 1;
	ls.period = (char *)(uintptr_t)"2026";
	ls.threshold = 5;
	ls.registrations = &reg;
	ls.discussed = &dis;
	ls.cancelled = &can;
	ls.referred = &ref;
	ls.n_bottleneck_themes = 2;
	ls.bottleneck_themes = tp;
	ls.n_lessons = 1;
	ls.lessons = lessons;
	envelope_key_id(f->ml.sign_pk, key_id);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_LEARNING_SUMMARY,
			      f->ml.party, key_id, 1, msgid_now_ms(), id);
	b.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
	b.learning_summary = &ls;
	assert_int_equal(envelope_seal(&b, f->ml.sign_sk, &out, len, &werr),
			 WIRE_OK);
	return out;
}

static void
sent_and_received_compare(void **state)
{
	struct fixture *f = *state;
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;
	struct node_inbox_info info;
	struct node_msg_error merr;
	enum node_inbox_result res;
	uint8_t id[MSGID_LEN], *env;
	size_t len = 0;
	char buf[256];
	json_t *j = NULL, *w, *mine;

	add_cases(f, "gemeente", 6);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026", 5,
					    NULL, 0, &d, &err),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->db, &f->nl, "v",
					   node_summary_guarded(d), NULL, id,
					   &merr),
			 NODE_OK);
	node_summary_destroy(&d);
	env = foreign_summary(f, &len);
	for (uint64_t cursor = 1; cursor <= 2; cursor++) {
		assert_int_equal(node_inbox_accept(f->db, &f->cfg, env, len,
						   cursor, &res, &info, &merr),
				 NODE_OK);
		assert_int_equal(res, cursor == 1 ? NODE_INBOX_APPLIED
						  : NODE_INBOX_DUPLICATE);
	}
	free(env);
	assert_int_equal(node_summary_compare(f->db, "2026", &j, buf,
					      sizeof(buf)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 2);
	mine = json_array_get(j, 0);
	w = json_array_get(j, 1);
	assert_string_equal(json_string_value(json_object_get(mine, "region")),
			    "region:noord-limburg");
	assert_true(json_is_true(json_object_get(mine, "own")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(mine, "registrations"),
				 "count")),
			 6);
	assert_string_equal(json_string_value(json_object_get(w, "region")),
			    "region:westfriesland");
	assert_false(json_is_true(json_object_get(w, "own")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(w, "registrations"), "count")),
			 40);
	/* A suppressed cell arrives without a count. */
	assert_null(json_object_get(json_object_get(w, "cancelled"), "count"));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(w, "cancelled"), "hidden")),
			    "x");
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(w, "lessons"), 0)),
			    "Samen met de school.");
	json_decref(j);
	assert_int_equal(node_summary_compare(f->db, "2025", &j, buf,
					      sizeof(buf)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(built_with_suppression, setup,
						teardown),
		cmocka_unit_test_setup_teardown(bad_input_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(names_beyond_one_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(sent_and_received_compare,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
