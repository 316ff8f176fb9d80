/*
 * test_node_overleg: meetings, agenda, participants, attendance and
 * minutes (node_overleg), the declaration computed from them
 * (node_declaratie) and the [overleg] configuration (node_config), on an
 * in-memory SQLite database. Bad input (a meeting in the past, negative
 * or too many hours, unknown tables and kinds, a casus twice on an agenda)
 * is refused and changes nothing, not even the audit log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node_config.h"
#include "node_db.h"
#include "node_declaratie.h"
#include "node_overleg.h"
#include "node_register.h"

#define USER "secretaris"
#define TODAY "2026-06-01"

static int64_t
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Rows of every table the module writes, and of the audit log. */
static int64_t
fingerprint(sqlite3 *db)
{
	return count(db, "SELECT (SELECT count(*) FROM overleg) * 1000000 +"
	                 " (SELECT count(*) FROM overleg_agenda) * 10000 +"
	                 " (SELECT count(*) FROM overleg_deelnemer) * 100 +"
	                 " (SELECT count(*) FROM deelnemer) +"
	                 " (SELECT count(*) FROM audit) * 100000000");
}

static int
setup(void **state)
{
	struct node_casus_fields f = {0};
	sqlite3 *db = NULL;
	char err[256];
	int64_t id;

	if (node_db_open(":memory:", NODE_DB_CREATE, &db, err, sizeof(err)) !=
	        NODE_OK ||
	    node_register_migrate(db, err, sizeof(err)) != NODE_OK)
		return -1;
	f.registered_by = "gemeente";
	f.question_type = "passend_aanbod";
	f.registered_on = "2026-05-01";
	if (node_register_casus_new(db, USER, &f, &id, err, sizeof(err)) !=
	        NODE_OK ||
	    node_register_casus_new(db, USER, &f, &id, err, sizeof(err)) !=
	        NODE_OK)
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

static void
test_plan_and_refuse(void **state)
{
	sqlite3 *db = *state;
	char err[256] = "";
	int64_t id = 0, before = fingerprint(db);

	assert_int_equal(node_overleg_new(db, USER, "2026-05-31", "ret", NULL,
	                                  TODAY, &id, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "lies in the past"));
	assert_int_equal(node_overleg_new(db, USER, "2026-06-10", "kantine",
	                                  NULL, TODAY, &id, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "table"));
	assert_int_equal(node_overleg_new(db, USER, "2026-02-30", "ret", NULL,
	                                  TODAY, &id, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_overleg_new(db, "", "2026-06-10", "ret", NULL,
	                                  TODAY, &id, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(fingerprint(db), before);
	/* Today itself is not the past. */
	assert_int_equal(node_overleg_new(db, USER, TODAY, "mda", "kort", TODAY,
	                                  &id, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(id, 1);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE action ="
	                           " 'overleg.new' AND user = 'secretaris'"),
	                 1);
}

static void
test_agenda_deadline(void **state)
{
	sqlite3 *db = *state;
	char err[256] = "", due[11] = "";
	json_t *o = NULL, *item;
	int64_t id = 0, before;

	assert_int_equal(node_overleg_new(db, USER, "2026-06-15", "ret", NULL,
	                                  TODAY, &id, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 1, 7, TODAY, due,
	                                         err, sizeof(err)),
	                 NODE_OK);
	assert_string_equal(due, "2026-06-08");
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 2, 10, TODAY,
	                                         due, err, sizeof(err)),
	                 NODE_OK);
	assert_string_equal(due, "2026-06-05");
	before = fingerprint(db);
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 1, 7, TODAY, due,
	                                         err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "already on the agenda"));
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 99, 7, TODAY,
	                                         due, err, sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_overleg_agenda_add(db, USER, 77, 1, 7, TODAY, due,
	                                         err, sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 1, 61, TODAY,
	                                         due, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	/* After the meeting, nothing more goes on its agenda. */
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 2, 7,
	                                         "2026-06-16", due, err,
	                                         sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "took place"));
	assert_int_equal(fingerprint(db), before);

	/* On 2026-06-06 the form of casus 2 is overdue, that of 1 not yet. */
	assert_int_equal(
	    node_overleg_show(db, USER, id, "2026-06-06", &o, err, sizeof(err)),
	    NODE_OK);
	item = json_array_get(json_object_get(o, "agenda"), 0);
	assert_int_equal(json_integer_value(json_object_get(item, "casus_id")),
	                 1);
	assert_true(json_is_false(json_object_get(item, "evaluation_overdue")));
	item = json_array_get(json_object_get(o, "agenda"), 1);
	assert_true(json_is_true(json_object_get(item, "evaluation_overdue")));
	json_decref(o);
	/* Reading the agenda is audited once per casus on it. */
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE action ="
	                           " 'overleg.show'"),
	                 2);
	assert_int_equal(node_overleg_evaluation(db, USER, id, 2, "2026-06-06",
	                                         err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(
	    node_overleg_evaluation(db, USER, id, 42, NULL, err, sizeof(err)),
	    NODE_ERR_NOT_FOUND);
	assert_int_equal(
	    node_overleg_show(db, USER, id, "2026-06-09", &o, err, sizeof(err)),
	    NODE_OK);
	item = json_array_get(json_object_get(o, "agenda"), 1);
	assert_true(json_is_false(json_object_get(item, "evaluation_overdue")));
	item = json_array_get(json_object_get(o, "agenda"), 0);
	assert_true(json_is_true(json_object_get(item, "evaluation_overdue")));
	json_decref(o);
}

static void
test_hours_parse(void **state)
{
	int64_t h = -1;

	(void)state;
	assert_int_equal(node_overleg_parse_hours("2", &h), 0);
	assert_int_equal(h, 200);
	assert_int_equal(node_overleg_parse_hours("1.5", &h), 0);
	assert_int_equal(h, 150);
	assert_int_equal(node_overleg_parse_hours("0,75", &h), 0);
	assert_int_equal(h, 75);
	assert_int_equal(node_overleg_parse_hours("24", &h), 0);
	assert_int_equal(h, 2400);
	h = -1;
	assert_int_equal(node_overleg_parse_hours("-2", &h), -1);
	assert_int_equal(node_overleg_parse_hours("24.01", &h), -1);
	assert_int_equal(node_overleg_parse_hours("1.234", &h), -1);
	assert_int_equal(node_overleg_parse_hours("", &h), -1);
	assert_int_equal(node_overleg_parse_hours("2h", &h), -1);
	assert_int_equal(node_overleg_parse_hours("1.", &h), -1);
	assert_int_equal(node_overleg_parse_hours(NULL, &h), -1);
	assert_int_equal(h, -1);
}

/* Participants, attendance, the declaration of what they recorded. */
static void
test_attendance_and_declaration(void **state)
{
	sqlite3 *db = *state;
	char err[256] = "", buf[24];
	int64_t m1 = 0, m2 = 0, m3 = 0, p[4], before;
	json_t *d = NULL, *row;

	assert_int_equal(node_overleg_new(db, USER, "2026-06-10", "ret", NULL,
	                                  TODAY, &m1, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_new(db, USER, "2026-06-24", "ret", NULL,
	                                  TODAY, &m2, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_new(db, USER, "2027-01-05", "ret", NULL,
	                                  TODAY, &m3, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_participant_add(db, USER, "Piet Bakker",
	                                              "GGZ Noord", "kern",
	                                              &p[0], err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_participant_add(db, USER, "Els Visser",
	                                              "GGZ Noord", "kern",
	                                              &p[1], err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_participant_add(db, USER, "Ans Smit",
	                                              "Gemeente", "kern", &p[2],
	                                              err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_participant_add(db, USER, "Dr. Kaya",
	                                              "Psychiatrie", "expert",
	                                              &p[3], err, sizeof(err)),
	                 NODE_OK);
	before = fingerprint(db);
	assert_int_equal(node_overleg_participant_add(db, USER, "Piet Bakker",
	                                              "GGZ Noord", "schil",
	                                              &p[0], err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_overleg_participant_add(db, USER, "X", "Y",
	                                              "gast", &p[0], err,
	                                              sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_overleg_participant_add(db, USER, "", "Y", "kern",
	                                              &p[0], err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 1, 1, -200, err, sizeof(err)),
	    NODE_ERR_INVALID);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 1, 1, 2401, err, sizeof(err)),
	    NODE_ERR_INVALID);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 1, 0, 100, err, sizeof(err)),
	    NODE_ERR_INVALID);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 99, 1, 100, err, sizeof(err)),
	    NODE_ERR_NOT_FOUND);
	assert_int_equal(
	    node_overleg_attendance(db, USER, 99, 1, 1, 100, err, sizeof(err)),
	    NODE_ERR_NOT_FOUND);
	assert_int_equal(fingerprint(db), before);

	/* Each participant's amount is rounded to whole cents. */
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 1, 1, 250, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m2, 1, 1, 300, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 2, 1, 75, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 3, 0, 0, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m1, 4, 1, 100, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(
	    node_overleg_attendance(db, USER, m3, 1, 1, 400, err, sizeof(err)),
	    NODE_OK);

	assert_int_equal(node_declaratie_compute(db, USER, "2026-01-01",
	                                         "2027-01-01", 12250, 0, &d,
	                                         err, sizeof(err)),
	                 NODE_OK);
	/* Kern only, present only, meetings in 2026 only. */
	assert_int_equal(json_array_size(json_object_get(d, "participants")),
	                 2);
	row = json_array_get(json_object_get(d, "participants"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "name")),
	                    "Els Visser");
	assert_int_equal(
	    json_integer_value(json_object_get(row, "amount_cents")),
	    (75 * 12250 + 50) / 100);
	row = json_array_get(json_object_get(d, "participants"), 1);
	assert_int_equal(json_integer_value(json_object_get(row, "meetings")),
	                 2);
	assert_int_equal(json_integer_value(json_object_get(row, "hours_x100")),
	                 550);
	assert_int_equal(
	    json_integer_value(json_object_get(row, "amount_cents")), 67375);
	assert_int_equal(json_array_size(json_object_get(d, "organisations")),
	                 1);
	assert_int_equal(json_integer_value(json_object_get(d, "total_cents")),
	                 67375 + (75 * 12250 + 50) / 100);
	json_decref(d);
	assert_int_equal(node_declaratie_compute(db, USER, "2026-01-01",
	                                         "2027-01-01", 12250, 1, &d,
	                                         err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(json_array_size(json_object_get(d, "participants")),
	                 3);
	assert_int_equal(
	    json_integer_value(json_object_get(d, "total_hours_x100")), 725);
	json_decref(d);
	before = fingerprint(db);
	assert_int_equal(node_declaratie_compute(db, USER, "2026-01-01",
	                                         "2027-01-01", 0, 0, &d, err,
	                                         sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_declaratie_compute(db, USER, "2027-01-01",
	                                         "2026-01-01", 100, 0, &d, err,
	                                         sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(fingerprint(db), before);
	node_declaratie_euros(67375, buf, sizeof(buf));
	assert_string_equal(buf, "673.75");
	node_declaratie_euros(5, buf, sizeof(buf));
	assert_string_equal(buf, "0.05");
}

static void
test_minutes_become_advice(void **state)
{
	sqlite3 *db = *state;
	struct node_overleg_minutes m = {"Besproken", "Zoek een plek",
	                                 "Aanbieders bellen", "jeugdconsulent",
	                                 "2026-07-01"};
	struct node_overleg_minutes bad = m;
	char err[256] = "", due[11];
	int64_t id = 0, adv = 0, agr = 0, before;

	assert_int_equal(node_overleg_new(db, USER, "2026-06-10", "mda", NULL,
	                                  TODAY, &id, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_overleg_agenda_add(db, USER, id, 1, 7, TODAY, due,
	                                         err, sizeof(err)),
	                 NODE_OK);
	before = count(db, "SELECT (SELECT count(*) FROM advies) + (SELECT"
	                   " count(*) FROM afspraak) + (SELECT count(*) FROM"
	                   " audit)");
	assert_int_equal(node_overleg_minutes(db, USER, id, 2, &m, &adv, &agr,
	                                      err, sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	bad.due = "2026-13-01";
	assert_int_equal(node_overleg_minutes(db, USER, id, 1, &bad, &adv, &agr,
	                                      err, sizeof(err)),
	                 NODE_ERR_INVALID);
	bad = m;
	bad.minutes = "";
	assert_int_equal(node_overleg_minutes(db, USER, id, 1, &bad, &adv, &agr,
	                                      err, sizeof(err)),
	                 NODE_ERR_INVALID);
	bad = m;
	bad.agreement = NULL;
	assert_int_equal(node_overleg_minutes(db, USER, id, 1, &bad, &adv, &agr,
	                                      err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(count(db, "SELECT (SELECT count(*) FROM advies) +"
	                           " (SELECT count(*) FROM afspraak) + (SELECT"
	                           " count(*) FROM audit)"),
	                 before);
	assert_int_equal(node_overleg_minutes(db, USER, id, 1, &m, &adv, &agr,
	                                      err, sizeof(err)),
	                 NODE_OK);
	assert_true(adv > 0 && agr > 0);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM advies WHERE casus_id = 1"
	                       " AND text = 'Zoek een plek'"),
	                 1);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM afspraak WHERE casus_id ="
	                       " 1 AND who = 'jeugdconsulent' AND due ="
	                       " '2026-07-01'"),
	                 1);
	assert_int_equal(count(db, "SELECT count(*) FROM overleg_agenda WHERE"
	                           " minutes = 'Besproken'"),
	                 1);
	assert_int_equal(count(db,
	                       "SELECT count(*) FROM audit WHERE casus_id = 1"
	                       " AND action IN ('overleg.minutes',"
	                       " 'advies.add', 'afspraak.add')"),
	                 3);
}

static const char conf_head[] =
    "[node]\nparty = region:noord-limburg\nben = bel\ndatabase = x.db\n"
    "key_file = x.secret\n[relay]\nendpoint = tcp://127.0.0.1:1\n"
    "party = relay:bel\n"
    "transport_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n";

static struct node_config *
parse_with(const char *tail, char *err, size_t errlen)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s%s", conf_head, tail);
	return node_config_parse(text, strlen(text), "t.conf", NULL, err,
	                         errlen);
}

static void
test_config(void **state)
{
	struct node_config *cfg;
	char err[256] = "";
	int64_t cents = 0;

	(void)state;
	cfg = parse_with("", err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(node_config_evaluation_days(cfg), 7);
	assert_int_equal(node_config_declare_all(cfg), 0);
	assert_int_equal(node_config_rate_cents(cfg, 2026, &cents), -1);
	node_config_destroy(&cfg);
	cfg = parse_with(
	    "[overleg]\nevaluation_days = 10\ndeclare = all\n"
	    "rate_2021 = 122.50\nrate_2026 = 128,4\nrate_2027 = 131\n",
	    err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(node_config_evaluation_days(cfg), 10);
	assert_int_equal(node_config_declare_all(cfg), 1);
	assert_int_equal(node_config_rate_cents(cfg, 2021, &cents), 0);
	assert_int_equal(cents, 12250);
	assert_int_equal(node_config_rate_cents(cfg, 2026, &cents), 0);
	assert_int_equal(cents, 12840);
	assert_int_equal(node_config_rate_cents(cfg, 2027, &cents), 0);
	assert_int_equal(cents, 13100);
	assert_int_equal(node_config_rate_cents(cfg, 2025, &cents), -1);
	node_config_destroy(&cfg);
	assert_null(
	    parse_with("[overleg]\nevaluation_days = -1\n", err, sizeof(err)));
	assert_non_null(strstr(err, "t.conf:11: evaluation_days"));
	assert_null(
	    parse_with("[overleg]\nrate_2026 = -5\n", err, sizeof(err)));
	assert_non_null(strstr(err, "rate_2026 must be an amount"));
	assert_null(
	    parse_with("[overleg]\nrate_2026 = 1.234\n", err, sizeof(err)));
	assert_null(parse_with("[overleg]\nrate_26 = 100\n", err, sizeof(err)));
	assert_null(parse_with("[overleg]\nrate_2026 = 1\nrate_2026 = 2\n", err,
	                       sizeof(err)));
	assert_non_null(strstr(err, "given twice"));
	assert_null(
	    parse_with("[overleg]\ndeclare = some\n", err, sizeof(err)));
	assert_null(parse_with("[overleg]\ncolour = blue\n", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown key 'colour' in [overleg]"));
	assert_null(parse_with("[overleg]\n[overleg]\n", err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_plan_and_refuse, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_agenda_deadline, setup,
	                                    teardown),
	    cmocka_unit_test(test_hours_parse),
	    cmocka_unit_test_setup_teardown(test_attendance_and_declaration,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_minutes_become_advice, setup,
	                                    teardown),
	    cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
