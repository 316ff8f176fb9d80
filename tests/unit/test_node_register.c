/*
 * test_node_register: the case register on an in-memory SQLite database:
 * every vocabulary value is accepted by the schema, bad input is refused
 * with the field's name and changes nothing, the lifecycle is enforced and
 * recorded, reads and changes are audited without personal data, and the
 * list filters by phase, table and overdue follow-ups; people are
 * corrected and erased (AVG) only within their own casus.
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

#include "node_audit.h"
#include "node_db.h"
#include "node_register.h"

#define USER "secretaris"

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

static int
setup(void **state)
{
	sqlite3 *db = NULL;
	char err[256];

	if (node_db_open(":memory:", NODE_DB_CREATE, &db, err, sizeof(err)) !=
		    NODE_OK ||
	    node_register_migrate(db, err, sizeof(err)) != NODE_OK)
		return -1;
	*state = db;
	return 0;
}

static int
teardown(void **state)
{
	sqlite3 *db = *state;

	node_db_close(&db);
	return 0;
}

static int64_t
new_casus(sqlite3 *db, const char *by, const char *question)
{
	struct node_casus_fields f = {0};
	char err[256] = "";
	int64_t id = 0;

	f.registered_by = by;
	f.question_type = question;
	if (node_register_casus_new(db, USER, &f, &id, err, sizeof(err)) !=
	    NODE_OK)
		fail_msg("casus_new: %s", err);
	return id;
}

static void
expect_invalid(enum node_status got, const char *err, const char *want)
{
	if (got != NODE_ERR_INVALID || strstr(err, want) == NULL)
		fail_msg("wanted invalid '%s', got %d '%s'", want, got, err);
}

static void
test_schema_and_vocabularies(void **state)
{
	sqlite3 *db = *state;
	char err[256] = "", list[256];
	size_t n;
	const char *const *v;

	assert_int_equal(node_register_check(db, err, sizeof(err)), NODE_OK);
	assert_int_equal(node_register_migrate(db, err, sizeof(err)), NODE_OK);

	/* Every registered_by and question value is accepted by the schema. */
	v = node_register_vocab(NODE_VOCAB_REGISTERED_BY, &n);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++)
		assert_true(new_casus(db, v[i], "other") > 0);
	v = node_register_vocab(NODE_VOCAB_QUESTION, &n);
	for (size_t i = 0; i < n; i++)
		assert_true(new_casus(db, "gemeente", v[i]) > 0);

	/* Every problem area, theme, table and outcome too. */
	for (enum node_vocab k = NODE_VOCAB_PROBLEM; k <= NODE_VOCAB_OUTCOME;
	     k++) {
		size_t used = 0;
		v = node_register_vocab(k, &n);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			struct node_casus_fields f = {0};
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%s", i ? "," : "", v[i]);
			if (k == NODE_VOCAB_TABLE)
				f.table = v[i];
			else if (k == NODE_VOCAB_OUTCOME)
				f.outcome = v[i];
			else
				continue;
			assert_int_equal(node_register_casus_edit(db, USER, 1, &f,
								  err, sizeof(err)),
					 NODE_OK);
		}
		if (k == NODE_VOCAB_PROBLEM || k == NODE_VOCAB_THEME) {
			struct node_casus_fields f = {0};
			if (k == NODE_VOCAB_PROBLEM)
				f.problem_areas = list;
			else
				f.themes = list;
			if (node_register_casus_edit(db, USER, 2, &f, err,
						     sizeof(err)) != NODE_OK)
				fail_msg("%s", err);
		}
	}
	assert_int_equal(count(db, "SELECT count(*) FROM casus_problem"), 12);
	assert_int_equal(count(db, "SELECT count(*) FROM casus_theme"), 9);

	v = node_register_vocab(NODE_VOCAB_PERSON_ROLE, &n);
	for (size_t i = 0; i < n; i++) {
		struct node_person p = {v[i], "Naam", NULL, NULL, NULL, NULL,
					NULL};
		assert_int_equal(node_register_person_add(db, USER, 1, &p, NULL,
							  err, sizeof(err)),
				 NODE_OK);
	}
	assert_null(node_register_vocab(NODE_VOCAB_COUNT, &n));
	assert_int_equal(n, 0);
}

static void
test_validation(void **state)
{
	sqlite3 *db = *state;
	struct node_casus_fields f = {0};
	char err[256] = "", pc[8];
	int64_t id = 0;
	int before;

	assert_true(node_register_bsn_valid("111222333"));
	assert_true(node_register_bsn_valid("123456782"));
	assert_false(node_register_bsn_valid("123456789"));
	assert_false(node_register_bsn_valid("000000000"));
	assert_false(node_register_bsn_valid("11122233"));
	assert_false(node_register_bsn_valid("11122233a"));
	assert_true(node_register_date_valid("2024-02-29"));
	assert_false(node_register_date_valid("2023-02-29"));
	assert_false(node_register_date_valid("2023-13-01"));
	assert_false(node_register_date_valid("2023-1-01"));
	assert_false(node_register_date_valid("1899-12-31"));
	assert_int_equal(node_register_postcode_normalise("1234ab", pc), 0);
	assert_string_equal(pc, "1234 AB");
	assert_int_equal(node_register_postcode_normalise("6041 JX", pc), 0);
	assert_int_equal(node_register_postcode_normalise("0123 AB", pc), -1);
	assert_int_equal(node_register_postcode_normalise("1234-AB", pc), -1);
	assert_int_equal(node_register_postcode_normalise("12345", pc), -1);

	before = count(db, "SELECT count(*) FROM audit");
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "registered_by is required");
	f.registered_by = "politie";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "registered_by: 'politie' is not one of: gemeente");
	f.registered_by = "gi";
	f.question_type = "verblijf_wachtlijst";
	f.registered_on = "2024-02-30";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "registered_on: '2024-02-30' is not a date");
	f.registered_on = NULL;
	f.problem_areas = "gedrag,gedrag";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "problem_areas: 'gedrag' given twice");
	f.problem_areas = "gedrag, boos";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "problem_areas: 'boos' is not one of");
	f.problem_areas = NULL;
	f.summary = "bad \x01 byte";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "summary contains a control character");
	f.summary = "\xc3\x28";
	expect_invalid(node_register_casus_new(db, USER, &f, &id, err,
					       sizeof(err)),
		       err, "summary is not valid UTF-8");
	f.summary = NULL;
	expect_invalid(node_register_casus_new(db, "", &f, &id, err,
					       sizeof(err)),
		       err, "user is required");
	/* Nothing was written by the refused calls. */
	assert_int_equal(count(db, "SELECT count(*) FROM casus"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM audit"), before);

	id = new_casus(db, "gemeente", "passend_aanbod");
	{
		struct node_person p = {"jeugdige", "Sanne", "123456789", NULL,
					NULL, NULL, NULL};
		expect_invalid(node_register_person_add(db, USER, id, &p, NULL,
							err, sizeof(err)),
			       err, "bsn: not a valid BSN");
		p.bsn = NULL;
		p.postcode = "12AB";
		expect_invalid(node_register_person_add(db, USER, id, &p, NULL,
							err, sizeof(err)),
			       err, "postcode: not a Dutch postcode");
		p.postcode = NULL;
		p.role = "tante";
		expect_invalid(node_register_person_add(db, USER, id, &p, NULL,
							err, sizeof(err)),
			       err, "role: 'tante'");
		p.role = "jeugdige";
		p.name = "";
		expect_invalid(node_register_person_add(db, USER, id, &p, NULL,
							err, sizeof(err)),
			       err, "name is required");
		p.name = "Sanne";
		assert_int_equal(node_register_person_add(db, USER, id + 100, &p,
							  NULL, err, sizeof(err)),
				 NODE_ERR_NOT_FOUND);
		assert_non_null(strstr(err, "does not exist"));
	}
	{
		struct node_casus_fields e = {0};
		expect_invalid(node_register_casus_edit(db, USER, id, &e, err,
							sizeof(err)),
			       err, "nothing to change");
		e.registered_by = "";
		expect_invalid(node_register_casus_edit(db, USER, id, &e, err,
							sizeof(err)),
			       err, "registered_by");
	}
	expect_invalid(node_register_followup_add(db, USER, id, "morgen", NULL,
						  NULL, err, sizeof(err)),
		       err, "due: 'morgen' is not a date");
	expect_invalid(node_register_advice_add(db, USER, id, "", NULL, err,
						sizeof(err)),
		       err, "advice is required");
	assert_int_equal(count(db, "SELECT count(*) FROM persoon"), 0);
}

static void
test_lifecycle_recorded(void **state)
{
	sqlite3 *db = *state;
	char err[256] = "";
	enum node_phase ph;
	int64_t id = new_casus(db, "gi", "verblijf_wachtlijst");

	assert_int_equal(node_register_casus_phase(db, USER, id, "afgesloten",
						   NULL, err, sizeof(err)),
			 NODE_ERR_TRANSITION);
	assert_non_null(strstr(err, "cannot go from aanmelding to afgesloten"));
	assert_int_equal(node_register_casus_phase(db, USER, id, "klaar", NULL,
						   err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_int_equal(node_register_casus_phase(db, USER, 999, "triage",
						   NULL, err, sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_register_casus_phase(db, USER, id, "triage",
						   "compleet", err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_casus_phase(db, "voorzitter", id,
						   "overleg", NULL, err,
						   sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_casus_get_phase(db, id, &ph), NODE_OK);
	assert_int_equal(ph, NODE_PHASE_OVERLEG);
	assert_int_equal(count(db, "SELECT may_escalate FROM casus_ladder"), 1);
	assert_int_equal(node_register_casus_phase(db, USER, id, "monitoren",
						   "afgeschaald", err,
						   sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM casus WHERE"
				   " closed_on IS NOT NULL"),
			 0);
	assert_int_equal(node_register_casus_phase(db, USER, id, "afgesloten",
						   NULL, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM casus WHERE"
				   " closed_on IS NOT NULL"),
			 1);
	assert_int_equal(node_register_casus_phase(db, USER, id, "overleg",
						   NULL, err, sizeof(err)),
			 NODE_ERR_TRANSITION);
	assert_non_null(strstr(err, "afgesloten is final"));
	/* Creation plus four steps, each with user and note. */
	assert_int_equal(count(db, "SELECT count(*) FROM casus_transition"), 5);
	assert_int_equal(count(db, "SELECT count(*) FROM casus_transition"
				   " WHERE user = 'voorzitter'"
				   " AND from_phase = 'triage'"
				   " AND to_phase = 'overleg'"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'casus.phase'"),
			 4);
}

static void
test_show_list_and_audit(void **state)
{
	sqlite3 *db = *state;
	struct node_casus_fields f = {0};
	struct node_person p = {"jeugdige", "Sanne de Vries", "111222333",
				"2009-04-01", "Markt 1", "6041jx", "Roermond"};
	struct node_casus_filter flt = {0};
	char err[256] = "";
	int64_t a, b, fu = 0, pid = 0;
	json_t *c = NULL, *list = NULL, *persons;
	int64_t rows = 0, bad = 0;

	f.registered_by = "gemeente";
	f.question_type = "verblijf_wachtlijst";
	f.problem_areas = "gedrag,gezin";
	f.table = "doorbraaktafel";
	f.regisseur_org = "Gemeente Roermond";
	f.registered_on = "2024-03-01";
	assert_int_equal(node_register_casus_new(db, USER, &f, &a, err,
						 sizeof(err)),
			 NODE_OK);
	b = new_casus(db, "gi", "overgang_18");
	assert_int_equal(node_register_person_add(db, USER, a, &p, &pid, err,
						  sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_advice_add(db, USER, a, "Plaatsing",
						  NULL, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_agreement_add(db, USER, a, "Bellen",
						     "GI", "2024-04-01", NULL,
						     err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_followup_add(db, USER, a, "2024-05-01",
						    "evaluatie", &fu, err,
						    sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_followup_add(db, USER, b, "2030-01-01",
						    NULL, NULL, err, sizeof(err)),
			 NODE_OK);

	assert_int_equal(node_register_casus_show(db, USER, a, &c, err,
						  sizeof(err)),
			 NODE_OK);
	assert_string_equal(json_string_value(json_object_get(c, "phase")),
			    "aanmelding");
	assert_string_equal(json_string_value(json_object_get(c, "table")),
			    "doorbraaktafel");
	assert_int_equal(json_array_size(json_object_get(c, "problem_areas")), 2);
	persons = json_object_get(c, "persons");
	assert_int_equal(json_array_size(persons), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(persons, 0), "postcode")),
			    "6041 JX");
	assert_int_equal(json_array_size(json_object_get(c, "advice")), 1);
	assert_int_equal(json_array_size(json_object_get(c, "agreements")), 1);
	assert_int_equal(json_array_size(json_object_get(c, "followups")), 1);
	assert_true(json_is_false(json_object_get(c, "may_escalate")));
	json_decref(c);
	assert_int_equal(node_register_casus_show(db, USER, 4242, &c, err,
						  sizeof(err)),
			 NODE_ERR_NOT_FOUND);

	flt.today = "2024-06-01";
	flt.overdue = 1;
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(list, 0), "id")),
			 a);
	assert_null(json_object_get(json_array_get(list, 0), "persons"));
	json_decref(list);
	flt.overdue = 0;
	flt.phase = "aanmelding";
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);
	flt.phase = NULL;
	flt.table = "mda";
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	flt.table = "keuken";
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_ERR_INVALID);
	flt.table = NULL;
	flt.phase = "bezig";
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_ERR_INVALID);

	/* Follow-up done: no longer overdue. */
	assert_int_equal(node_register_followup_done(db, USER, a, fu, err,
						     sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_followup_done(db, USER, a, fu, err,
						     sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	flt.phase = NULL;
	flt.overdue = 1;
	assert_int_equal(node_register_casus_list(db, USER, &flt, &list, err,
						  sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* Every read and change is audited, and no personal data is. */
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'casus.show'"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'casus.list'"),
			 4);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'persoon.add' AND casus_id = 1"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " detail LIKE '%Sanne%' OR detail LIKE"
				   " '%111222333%' OR detail LIKE '%Markt%'"
				   " OR user LIKE '%Sanne%'"),
			 0);
	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 NODE_OK);
	assert_true(rows >= 10);
}

static void
test_consultations(void **state)
{
	sqlite3 *db = *state;
	struct node_consult c = {"2024-02-01", "zorgaanbieder",
				 "Wie kan hier helpen?", "Bel het RET"};
	struct node_casus_fields f = {0};
	char err[256] = "";
	int64_t id = 0, casus = 0;
	json_t *j = NULL;

	assert_int_equal(node_register_consult_new(db, USER, &c, &id, err,
						   sizeof(err)),
			 NODE_OK);
	c.from_role = "buurman";
	expect_invalid(node_register_consult_new(db, USER, &c, NULL, err,
						 sizeof(err)),
		       err, "from_role: 'buurman'");
	c.from_role = "gi";
	c.question = NULL;
	expect_invalid(node_register_consult_new(db, USER, &c, NULL, err,
						 sizeof(err)),
		       err, "question is required");
	assert_int_equal(node_register_consult_show(db, USER, id, &j, err,
						    sizeof(err)),
			 NODE_OK);
	assert_string_equal(json_string_value(json_object_get(j, "answer")),
			    "Bel het RET");
	assert_true(json_is_null(json_object_get(j, "casus_id")));
	json_decref(j);
	assert_int_equal(node_register_consult_show(db, USER, 77, &j, err,
						    sizeof(err)),
			 NODE_ERR_NOT_FOUND);

	f.question_type = "passend_aanbod";
	assert_int_equal(node_register_consult_to_casus(db, USER, id, &f,
							&casus, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM casus WHERE"
				   " registered_by = 'zorgaanbieder'"),
			 1);
	assert_int_equal(node_register_consult_to_casus(db, USER, id, &f, NULL,
							err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "already led to casus"));
	assert_int_equal(node_register_consult_to_casus(db, USER, 99, &f, NULL,
							err, sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_register_consult_list(db, USER, &j, err,
						    sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(j, 0), "casus_id")),
			 casus);
	json_decref(j);
}

/* Column `col` of person `pid` as text ("<null>" for NULL) in buf. */
static const char *
person_col(sqlite3 *db, int64_t pid, const char *col, char *buf, size_t n)
{
	sqlite3_stmt *st = NULL;
	char sql[96];

	snprintf(buf, n, "<missing>");
	snprintf(sql, sizeof(sql), "SELECT %s FROM persoon WHERE id = ?", col);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, pid);
		if (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(buf, n, "%s",
				 t != NULL ? (const char *)t : "<null>");
		}
	}
	sqlite3_finalize(st);
	return buf;
}

static int64_t
add_sanne(sqlite3 *db, int64_t casus)
{
	struct node_person p = {0};
	char err[256] = "";
	int64_t pid = 0;

	p.role = "jeugdige";
	p.name = "Sanne de Vries";
	p.bsn = "111222333";
	p.birth_date = "2010-04-01";
	p.address = "Markt 1";
	p.postcode = "1621 AB";
	p.municipality = "Hoorn";
	if (node_register_person_add(db, USER, casus, &p, &pid, err,
				     sizeof(err)) != NODE_OK)
		fail_msg("person_add: %s", err);
	return pid;
}

static void
test_person_edit(void **state)
{
	sqlite3 *db = *state;
	int64_t c1 = new_casus(db, "gemeente", "passend_aanbod");
	int64_t c2 = new_casus(db, "gi", "onderwijs");
	int64_t pid = add_sanne(db, c1);
	struct node_person ch;
	char err[256] = "", buf[256];
	int before;
	int64_t rows = 0, bad = 0;

	/* Each field on its own; postcode normalised. */
	memset(&ch, 0, sizeof(ch));
	ch.role = "ouder";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "role", buf, sizeof(buf)),
			    "ouder");
	assert_string_equal(person_col(db, pid, "name", buf, sizeof(buf)),
			    "Sanne de Vries");
	memset(&ch, 0, sizeof(ch));
	ch.name = "Sanne Bakker";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "name", buf, sizeof(buf)),
			    "Sanne Bakker");
	memset(&ch, 0, sizeof(ch));
	ch.bsn = "123456782";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "bsn", buf, sizeof(buf)),
			    "123456782");
	memset(&ch, 0, sizeof(ch));
	ch.birth_date = "2012-02-29";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "birth_date", buf, sizeof(buf)),
			    "2012-02-29");
	memset(&ch, 0, sizeof(ch));
	ch.address = "Grote Noord 5";
	ch.postcode = "1621ka";
	ch.municipality = "Medemblik";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "address", buf, sizeof(buf)),
			    "Grote Noord 5");
	assert_string_equal(person_col(db, pid, "postcode", buf, sizeof(buf)),
			    "1621 KA");
	assert_string_equal(
		person_col(db, pid, "municipality", buf, sizeof(buf)),
		"Medemblik");

	/* "" clears an optional field. */
	memset(&ch, 0, sizeof(ch));
	ch.bsn = "";
	ch.address = "";
	assert_int_equal(node_register_person_edit(db, USER, c1, pid, &ch, err,
						   sizeof(err)),
			 NODE_OK);
	assert_string_equal(person_col(db, pid, "bsn", buf, sizeof(buf)),
			    "<null>");
	assert_string_equal(person_col(db, pid, "address", buf, sizeof(buf)),
			    "<null>");
	assert_string_equal(person_col(db, pid, "postcode", buf, sizeof(buf)),
			    "1621 KA");

	/* Bad input is refused with the field's name and changes nothing. */
	before = count(db, "SELECT count(*) FROM audit");
	memset(&ch, 0, sizeof(ch));
	ch.bsn = "111222334";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "bsn");
	memset(&ch, 0, sizeof(ch));
	ch.name = "Piet";
	ch.postcode = "0123 AB";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "postcode");
	memset(&ch, 0, sizeof(ch));
	ch.birth_date = "2011-02-29";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "birth_date");
	memset(&ch, 0, sizeof(ch));
	ch.role = "buurman";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "role");
	memset(&ch, 0, sizeof(ch));
	ch.role = "";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "role cannot be cleared");
	memset(&ch, 0, sizeof(ch));
	ch.name = "";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "name cannot be cleared");
	{
		char longname[NODE_REGISTER_NAME_MAX + 2];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		memset(&ch, 0, sizeof(ch));
		ch.address = longname;
		expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch,
							 err, sizeof(err)),
			       err, "address");
	}
	memset(&ch, 0, sizeof(ch));
	ch.municipality = "Hoorn\n";
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "municipality");
	memset(&ch, 0, sizeof(ch));
	expect_invalid(node_register_person_edit(db, USER, c1, pid, &ch, err,
						 sizeof(err)),
		       err, "nothing to change");
	assert_string_equal(person_col(db, pid, "name", buf, sizeof(buf)),
			    "Sanne Bakker");
	assert_string_equal(person_col(db, pid, "role", buf, sizeof(buf)),
			    "ouder");
	assert_string_equal(person_col(db, pid, "birth_date", buf, sizeof(buf)),
			    "2012-02-29");

	/* A person of another casus, or none at all, is refused. */
	memset(&ch, 0, sizeof(ch));
	ch.name = "Piet";
	assert_int_equal(node_register_person_edit(db, USER, c2, pid, &ch, err,
						   sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_non_null(strstr(err, "has no person"));
	assert_int_equal(node_register_person_edit(db, USER, c1, pid + 100, &ch,
						   err, sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_register_person_edit(db, USER, 999, pid, &ch, err,
						   sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_non_null(strstr(err, "does not exist"));
	assert_string_equal(person_col(db, pid, "name", buf, sizeof(buf)),
			    "Sanne Bakker");
	assert_int_equal(count(db, "SELECT count(*) FROM audit"), before);

	/* Audited: which person and which fields, never the values. */
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'persoon.edit' AND casus_id = 1"),
			 6);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'persoon.edit' AND detail ="
				   " 'id=1 fields=address,postcode,"
				   "municipality'"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " detail LIKE '%Sanne%' OR detail LIKE"
				   " '%Bakker%' OR detail LIKE '%123456782%'"
				   " OR detail LIKE '%Grote%' OR detail LIKE"
				   " '%1621%' OR detail LIKE '%Medemblik%'"
				   " OR detail LIKE '%2012%'"),
			 0);
	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 NODE_OK);
	assert_true(rows >= 9);
}

static void
test_person_remove(void **state)
{
	sqlite3 *db = *state;
	int64_t c1 = new_casus(db, "gemeente", "passend_aanbod");
	int64_t c2 = new_casus(db, "gi", "onderwijs");
	int64_t p1 = add_sanne(db, c1);
	int64_t p2 = add_sanne(db, c2);
	char err[256] = "";
	enum node_phase ph;
	int before;
	int64_t rows = 0, bad = 0;

	/* Not a person of that casus: refused, nothing removed or audited. */
	before = count(db, "SELECT count(*) FROM audit");
	assert_int_equal(node_register_person_remove(db, USER, c1, p2, err,
						     sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_register_person_remove(db, USER, 999, p1, err,
						     sizeof(err)),
			 NODE_ERR_NOT_FOUND);
	expect_invalid(node_register_person_remove(db, "", c1, p1, err,
						   sizeof(err)),
		       err, "user");
	assert_int_equal(count(db, "SELECT count(*) FROM persoon"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM audit"), before);

	/* Erased: the row is gone, the casus and the other person stay. */
	assert_int_equal(node_register_person_remove(db, USER, c1, p1, err,
						     sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM persoon"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM persoon WHERE"
				   " name LIKE '%Sanne%' AND casus_id = 1"),
			 0);
	assert_int_equal(node_register_casus_get_phase(db, c1, &ph), NODE_OK);
	assert_int_equal(ph, NODE_PHASE_AANMELDING);
	/* A second erasure of the same person finds nothing. */
	assert_int_equal(node_register_person_remove(db, USER, c1, p1, err,
						     sizeof(err)),
			 NODE_ERR_NOT_FOUND);

	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " action = 'persoon.remove' AND casus_id = 1"
				   " AND detail = 'id=1'"),
			 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE"
				   " detail LIKE '%Sanne%' OR detail LIKE"
				   " '%111222333%' OR detail LIKE '%Markt%'"),
			 0);
	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 NODE_OK);
	assert_true(rows >= 5);
}

/* True if the file at path contains the bytes of s (a missing file: no). */
static int
file_contains(const char *path, const char *s)
{
	static char buf[1 << 20];
	size_t n, k = strlen(s);
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(buf + i, s, k) == 0)
			return 1;
	return 0;
}

/* An erased person's bytes are gone from the database file and its WAL. */
static void
test_person_remove_erases_bytes(void **state)
{
	char dir[] = "/tmp/ret-erase-XXXXXX", path[64], wal[72];
	struct node_person p = {"jeugdige", "Zwaantje Erasmusdochter",
				"111222333", "2010-04-01", "Erasmuslaan 77",
				"1621 AB", "Hoorn"};
	struct node_casus_fields f = {0};
	sqlite3 *db = NULL;
	char err[256] = "";
	int64_t casus = 0, pid = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_int_equal(node_db_open(path, NODE_DB_CREATE, &db, err,
				      sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_migrate(db, err, sizeof(err)), NODE_OK);
	f.registered_by = "gemeente";
	f.question_type = "other";
	assert_int_equal(node_register_casus_new(db, USER, &f, &casus, err,
						 sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_register_person_add(db, USER, casus, &p, &pid,
						  err, sizeof(err)),
			 NODE_OK);
	/* In the WAL, and after a checkpoint in the file too. */
	assert_true(file_contains(wal, "Erasmusdochter"));
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_true(file_contains(path, "Erasmusdochter"));

	assert_int_equal(node_register_person_remove(db, USER, casus, pid, err,
						     sizeof(err)),
			 NODE_OK);
	/* Checked with the connection still open (closing checkpoints). */
	assert_false(file_contains(path, "Erasmusdochter"));
	assert_false(file_contains(wal, "Erasmusdochter"));
	assert_false(file_contains(path, "Erasmuslaan"));
	assert_false(file_contains(wal, "Erasmuslaan"));
	node_db_close(&db);
	assert_false(file_contains(path, "Erasmusdochter"));
	remove(wal);
	remove(path);
	snprintf(path, sizeof(path), "%s/r.db-shm", dir);
	remove(path);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_and_vocabularies,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_validation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle_recorded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_show_list_and_audit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_consultations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_person_edit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_person_remove, setup,
						teardown),
		cmocka_unit_test(test_person_remove_erases_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
