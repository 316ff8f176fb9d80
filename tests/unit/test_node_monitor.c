/*
 * test_node_monitor: the monitor export (node_monitor) and what it counts
 * from node_clientinfo, on an in-memory register with people: the rows
 * hold the indicators and a keyed client number but none of the recorded
 * BSNs, names, birth dates, addresses or postcodes (the CSV file is
 * scanned for each); the file is 0600 and an existing path is refused and
 * left alone; exports are recorded until cleaned up. Informing, complaint
 * referrals, consultation outcomes and confirmations are checked, with bad
 * input refused and nothing changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_clientinfo.h"
#include "node_db.h"
#include "node_monitor.h"
#include "node_register.h"
#include "privacy_pseudonym.h"

#define USER "secretaris"

static const struct node_person people[] = {
    {"jeugdige", "Sanne de Vries", "111222333", "2012-03-04", "Kerkstraat 12",
     "5911 AB", "Venlo"},
    {"ouder", "Karin de Vries-Jansen", "123456782", "1980-11-23",
     "Kerkstraat 12", "5911AB", "Venlo"},
    {"jeugdige", "Mohammed El Amrani", "999999990", "2009-07-15", "Molenweg 3",
     "6041 CD", "Roermond"},
};

struct fixture {
	sqlite3 *db;
	struct privacy_pseudonym *p;
	char dir[64];
};

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

static int
setup(void **state)
{
	static const uint8_t key[PSEUDONYM_KEY_BYTES] = {1, 2, 3, 4,
	                                                 5, 6, 7, 8};
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct node_casus_fields f = {0};
	char err[256];
	int64_t id;

	if (fx == NULL ||
	    node_db_open(":memory:", NODE_DB_CREATE, &fx->db, err,
	                 sizeof(err)) != NODE_OK ||
	    node_register_migrate(fx->db, err, sizeof(err)) != NODE_OK)
		return -1;
	fx->p = privacy_pseudonym_new(key, NODE_MONITOR_LABEL,
	                              "region:noord-limburg", NULL);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test-monitor.XXXXXX");
	if (fx->p == NULL || mkdtemp(fx->dir) == NULL)
		return -1;
	f.registered_by = "gemeente";
	f.question_type = "verblijf_wachtlijst";
	f.problem_areas = "gedrag,gezin";
	f.registered_on = "2026-03-10";
	f.summary =
	    "Sanne de Vries (geboren 04-03-2012) woont aan de Kerkstraat "
	    "12, 5911 AB Venlo; BSN 111222333. Karin belt vaak.";
	if (node_register_casus_new(fx->db, USER, &f, &id, err, sizeof(err)) !=
	        NODE_OK ||
	    node_register_person_add(fx->db, USER, 1, &people[0], &id, err,
	                             sizeof(err)) != NODE_OK ||
	    node_register_person_add(fx->db, USER, 1, &people[1], &id, err,
	                             sizeof(err)) != NODE_OK)
		return -1;
	f.registered_by = "gi";
	f.question_type = "passend_aanbod";
	f.problem_areas = NULL;
	f.table = "doorbraaktafel";
	f.registered_on = "2026-04-02";
	f.summary = "Zoekt een plek; Sanne de Vries is een nicht.";
	if (node_register_casus_new(fx->db, USER, &f, &id, err, sizeof(err)) !=
	        NODE_OK ||
	    node_register_person_add(fx->db, USER, 2, &people[2], &id, err,
	                             sizeof(err)) != NODE_OK ||
	    node_register_casus_phase(fx->db, USER, 2, "triage", NULL, err,
	                              sizeof(err)) != NODE_OK)
		return -1;
	f.registered_on = "2025-12-31"; /* outside the period */
	f.summary = NULL;
	if (node_register_casus_new(fx->db, USER, &f, &id, err, sizeof(err)) !=
	    NODE_OK)
		return -1;
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *fx = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/m.csv", fx->dir);
	(void)unlink(path);
	snprintf(path, sizeof(path), "%s/exists.csv", fx->dir);
	(void)unlink(path);
	(void)rmdir(fx->dir);
	privacy_pseudonym_destroy(&fx->p);
	node_db_close(&fx->db);
	free(fx);
	return 0;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	if (f == NULL || buf == NULL) {
		if (f != NULL)
			fclose(f);
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_rows_and_file(void **state)
{
	struct fixture *fx = *state;
	char err[256] = "", path[128], birth[16];
	json_t *rows = NULL, *r, *open = NULL, *done = NULL;
	struct stat sb;
	char *text;
	int64_t id = 0;

	assert_int_equal(node_monitor_rows(fx->db, USER, fx->p, "2026-01-01",
	                                   "2027-01-01", &rows, err,
	                                   sizeof(err)),
	                 NODE_OK);
	assert_int_equal(json_array_size(rows), 2);
	r = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(r, "age_band")),
	                    "12-15");
	assert_string_equal(
	    json_string_value(json_object_get(r, "problem_areas")),
	    "gedrag+gezin");
	assert_string_equal(json_string_value(json_object_get(r, "referrer")),
	                    "gemeente");
	assert_string_equal(json_string_value(json_object_get(r, "escalated")),
	                    "nee");
	assert_true(privacy_pseudonym_matches(
	    fx->p, "1", json_string_value(json_object_get(r, "client_nr"))));
	r = json_array_get(rows, 1);
	assert_string_equal(json_string_value(json_object_get(r, "table")),
	                    "doorbraaktafel");
	assert_string_equal(json_string_value(json_object_get(r, "phase")),
	                    "triage");
	assert_string_equal(json_string_value(json_object_get(r, "age_band")),
	                    "16-17");
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit WHERE action"
	                               " = 'monitor.read'"),
	                 1);

	snprintf(path, sizeof(path), "%s/m.csv", fx->dir);
	assert_int_equal(node_monitor_write(path, rows, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	text = slurp(path);
	assert_non_null(text);
	assert_non_null(strstr(text, "client_nr,registered_month,referrer"));
	/* Every recorded value, and the parts of every name. */
	for (size_t i = 0; i < sizeof(people) / sizeof(people[0]); i++) {
		const struct node_person *p = &people[i];
		char name[64], *tok, *next;
		assert_null(strstr(text, p->bsn));
		assert_null(strstr(text, p->birth_date));
		snprintf(birth, sizeof(birth), "%.2s-%.2s-%.4s", p->birth_date + 8,
			 p->birth_date + 5, p->birth_date);
		assert_null(strstr(text, birth));
		assert_null(strstr(text, p->address));
		assert_null(strstr(text, p->postcode));
		snprintf(name, sizeof(name), "%s", p->name);
		for (tok = name; tok != NULL; tok = next) {
			next = strpbrk(tok, " -");
			if (next != NULL)
				*next++ = '\0';
			if (strlen(tok) > 2)
				assert_null(strstr(text, tok));
		}
	}
	free(text);

	/* The file is recorded until it is cleaned up. */
	assert_int_equal(node_monitor_record(fx->db, USER, "2026", path, 2, &id,
	                                     err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_monitor_open(fx->db, &open, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(json_array_size(open), 1);
	assert_true(
	    json_is_true(json_object_get(json_array_get(open, 0), "exists")));
	json_decref(open);
	/* A second export never replaces the first. */
	assert_int_equal(node_monitor_write(path, rows, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(
	    node_monitor_cleanup(fx->db, USER, &done, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(json_array_size(done), 1);
	json_decref(done);
	assert_int_not_equal(stat(path, &sb), 0);
	assert_int_equal(node_monitor_open(fx->db, &open, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(json_array_size(open), 0);
	json_decref(open);
	assert_int_equal(count(fx->db,
	                       "SELECT count(*) FROM audit WHERE action"
	                       " IN ('monitor.export', 'monitor.delete')"),
	                 2);
	json_decref(rows);
}

static void
test_refusals(void **state)
{
	struct fixture *fx = *state;
	static const uint8_t key[PSEUDONYM_KEY_BYTES] = {9};
	struct privacy_pseudonym *other =
	    privacy_pseudonym_new(key, "k1", "region:noord-limburg", NULL);
	char err[256] = "", path[128], *text;
	json_t *rows = NULL;
	int64_t audits = count(fx->db, "SELECT count(*) FROM audit");
	FILE *f;

	assert_non_null(other);
	/* The case-reference label would link the monitor to the wire. */
	assert_int_equal(node_monitor_rows(fx->db, USER, other, "2026-01-01",
	                                   "2027-01-01", &rows, err,
	                                   sizeof(err)),
	                 NODE_ERR_INVALID);
	privacy_pseudonym_destroy(&other);
	assert_int_equal(node_monitor_rows(fx->db, USER, fx->p, "2027-01-01",
	                                   "2026-01-01", &rows, err,
	                                   sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_monitor_rows(fx->db, "", fx->p, "2026-01-01",
	                                   "2027-01-01", &rows, err,
	                                   sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit"), audits);

	snprintf(path, sizeof(path), "%s/exists.csv", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("keep me\n", f);
	fclose(f);
	rows = json_array();
	assert_int_equal(node_monitor_write(path, rows, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	json_decref(rows);
	text = slurp(path);
	assert_string_equal(text, "keep me\n");
	free(text);
}

static void
test_informed_and_complaints(void **state)
{
	struct fixture *fx = *state;
	struct node_consult c = {
	    "2026-05-01", "ouders_jeugdige",
	    "Ik heb een klacht over de aanpak bij Sanne de Vries.",
	    "Wij verwijzen u naar de vertrouwenspersoon."};
	char err[256] = "";
	json_t *un = NULL, *conf = NULL, *counts = NULL;
	int64_t id = 0, before;
	int moved = -1;

	assert_int_equal(
	    node_clientinfo_uninformed(fx->db, USER, &un, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(json_array_size(un), 3);
	json_decref(un);
	before = count(fx->db, "SELECT count(*) FROM audit") +
	         count(fx->db, "SELECT count(*) FROM casus_informed");
	assert_int_equal(node_clientinfo_informed(fx->db, USER, 1, "2026-13-01",
	                                          "brief", 1, &id, err,
	                                          sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_clientinfo_informed(fx->db, USER, 1, NULL, "duif",
	                                          1, &id, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_clientinfo_informed(fx->db, USER, 1, "2199-01-01",
	                                          "brief", 1, &id, err,
	                                          sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "future"));
	assert_int_equal(node_clientinfo_informed(fx->db, USER, 42, NULL,
	                                          "brief", 1, &id, err,
	                                          sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	assert_int_equal(
	    count(fx->db, "SELECT count(*) FROM audit") +
	        count(fx->db, "SELECT count(*) FROM casus_informed"),
	    before);
	assert_int_equal(node_clientinfo_informed(fx->db, USER, 1, "2026-03-11",
	                                          "mondeling", 1, &id, err,
	                                          sizeof(err)),
	                 NODE_OK);
	assert_int_equal(
	    node_clientinfo_uninformed(fx->db, USER, &un, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(json_array_size(un), 2);
	json_decref(un);

	assert_int_equal(node_clientinfo_complaint(fx->db, USER, 2, "rechter",
	                                           &moved, err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_clientinfo_complaint(fx->db, USER, 2,
	                                           "klachtenregeling", &moved,
	                                           err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(moved, 1);
	assert_int_equal(count(fx->db,
	                       "SELECT count(*) FROM casus WHERE id = 2"
	                       " AND phase = 'doorverwezen' AND"
	                       " complaint_referral = 'klachtenregeling'"),
	                 1);

	assert_int_equal(
	    node_register_consult_new(fx->db, USER, &c, &id, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(node_clientinfo_consult_outcome(
	                     fx->db, USER, id, "opgelost", err, sizeof(err)),
	                 NODE_ERR_INVALID);
	assert_int_equal(node_clientinfo_consult_outcome(
	                     fx->db, USER, 99, "beantwoord", err, sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	assert_int_equal(node_clientinfo_consult_outcome(fx->db, USER, id,
	                                                 "vertrouwenspersoon",
	                                                 err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_clientinfo_counts(fx->db, USER, "2026-01-01",
	                                        "2027-01-01", &counts, err,
	                                        sizeof(err)),
	                 NODE_OK);
	assert_int_equal(
	    json_integer_value(json_object_get(counts, "complaint_cases")), 1);
	assert_int_equal(json_integer_value(json_object_get(
	                     counts, "complaint_consultations")),
	                 1);
	assert_int_equal(
	    json_integer_value(json_object_get(counts, "uninformed")), 1);
	json_decref(counts);

	/* The confirmation names nobody of the register. */
	assert_int_equal(node_clientinfo_confirmation(fx->db, USER, id, &conf,
	                                              err, sizeof(err)),
	                 NODE_OK);
	assert_null(strstr(json_string_value(json_object_get(conf, "question")),
	                   "Vries"));
	assert_null(strstr(json_string_value(json_object_get(conf, "question")),
	                   "Sanne"));
	assert_non_null(
	    strstr(json_string_value(json_object_get(conf, "answer")),
	           "vertrouwenspersoon"));
	json_decref(conf);
	assert_int_equal(node_clientinfo_confirmation(fx->db, USER, 99, &conf,
	                                              err, sizeof(err)),
	                 NODE_ERR_NOT_FOUND);
	assert_int_equal(count(fx->db, "SELECT count(*) FROM audit WHERE action"
	                               " = 'consultatie.confirm'"),
	                 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rows_and_file, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_informed_and_complaints, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
