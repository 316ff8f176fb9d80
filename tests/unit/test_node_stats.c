/*
 * test_node_stats: period figures from a register with known cases on an
 * in-memory SQLite database: periods parse, counts and medians are what
 * the cases say, the previous period comes along, the read is audited,
 * suppression hides small cells (and never keeps their count), medians on
 * too few cases are hidden, and JSON round-trips and refuses bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node_db.h"
#include "node_register.h"
#include "node_stats.h"

#define USER "secretaris"
#define REGION "region:noord-limburg"

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
exec(sqlite3 *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
exec(sqlite3 *db, const char *fmt, ...)
{
	char sql[512];
	char *err = NULL;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
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

static void
phase(sqlite3 *db, int64_t id, const char *to, const char *date, int days)
{
	char err[256] = "";

	if (node_register_casus_phase(db, USER, id, to, NULL, err,
				      sizeof(err)) != NODE_OK)
		fail_msg("phase %s: %s", to, err);
	/* The register stamps today; put the step on its real day. */
	exec(db,
	     "UPDATE casus_transition SET at = strftime('%%Y-%%m-%%dT09:00:00Z',"
	     " '%s', '+%d days') WHERE casus_id = %lld AND to_phase = '%s'",
	     date, days, (long long)id, to);
	exec(db,
	     "UPDATE casus SET closed_on = date('%s', '+%d days') WHERE id = %lld"
	     " AND closed_on IS NOT NULL",
	     date, days, (long long)id);
}

/*
 * A casus registered on `date` and taken to `final`; reaching overleg
 * after d_ov days and afgesloten after d_close days.
 */
static int64_t
casus(sqlite3 *db, const char *date, const char *by, const char *question,
      const char *themes, const char *final, const char *outcome, int d_ov,
      int d_close)
{
	struct node_casus_fields f = {0};
	char err[256] = "";
	int64_t id = 0;

	f.registered_by = by;
	f.question_type = question;
	f.registered_on = date;
	f.themes = themes;
	if (node_register_casus_new(db, USER, &f, &id, err, sizeof(err)) !=
	    NODE_OK)
		fail_msg("casus_new: %s", err);
	if (strcmp(final, "aanmelding") == 0)
		return id;
	if (strcmp(final, "geannuleerd") == 0) {
		phase(db, id, "geannuleerd", date, 4);
		return id;
	}
	phase(db, id, "triage", date, 2);
	if (strcmp(final, "triage") == 0)
		return id;
	if (strcmp(final, "doorverwezen") == 0) {
		phase(db, id, "doorverwezen", date, 5);
		return id;
	}
	phase(db, id, "overleg", date, d_ov);
	if (strcmp(final, "overleg") == 0)
		return id;
	phase(db, id, "monitoren", date, d_ov + 7);
	if (strcmp(final, "monitoren") == 0)
		return id;
	if (outcome != NULL) {
		struct node_casus_fields e = {0};
		e.outcome = outcome;
		if (node_register_casus_edit(db, USER, id, &e, err,
					     sizeof(err)) != NODE_OK)
			fail_msg("edit: %s", err);
	}
	phase(db, id, "afgesloten", date, d_close);
	return id;
}

static void
consult(sqlite3 *db, const char *date)
{
	struct node_consult c = {date, "gemeente", "Wie kan helpen?", NULL};
	char err[256] = "";
	int64_t id;

	if (node_register_consult_new(db, USER, &c, &id, err, sizeof(err)) !=
	    NODE_OK)
		fail_msg("consult: %s", err);
}

/*
 * 2026: 12 cases. March: 7, July: 5. gemeente 8, gi 4. verblijf 6,
 * passend 6. 2 cancelled, 1 referred, 6 closed (overleg after 10..60
 * days, closed after 100..150; 4 opgelost, 2 deels), 3 monitoren
 * (overleg after 70, 80, 90). wachtlijsten on the 6 verblijf cases.
 * 3 consultations. 2025: 2 cases, 1 consultation. 2024: 1 case.
 */
static void
fill(sqlite3 *db)
{
	static const char *const outc[] = {"opgelost", "opgelost", "opgelost",
					   "opgelost", "deels_opgelost",
					   "deels_opgelost"};

	for (int i = 0; i < 6; i++)
		casus(db, i < 4 ? "2026-03-02" : "2026-07-01",
		      i < 4 ? "gemeente" : "gi", "verblijf_wachtlijst",
		      "wachtlijsten,regie", "afgesloten", outc[i], 10 * (i + 1),
		      100 + 10 * i);
	for (int i = 0; i < 3; i++)
		casus(db, i < 2 ? "2026-03-10" : "2026-07-10", "gemeente",
		      "passend_aanbod", NULL, "monitoren", NULL, 70 + 10 * i, 0);
	casus(db, "2026-03-20", "gemeente", "passend_aanbod", NULL,
	      "geannuleerd", NULL, 0, 0);
	casus(db, "2026-07-20", "gi", "passend_aanbod", NULL, "geannuleerd",
	      NULL, 0, 0);
	casus(db, "2026-07-21", "gi", "passend_aanbod", NULL, "doorverwezen",
	      NULL, 0, 0);
	casus(db, "2025-05-01", "gi", "onderwijs", NULL, "afgesloten", NULL,
	      3, 30);
	casus(db, "2025-12-31", "gemeente", "onderwijs", NULL, "triage", NULL,
	      0, 0);
	casus(db, "2024-06-01", "gemeente", "onderwijs", NULL, "aanmelding",
	      NULL, 0, 0);
	consult(db, "2026-01-05");
	consult(db, "2026-06-05");
	consult(db, "2026-12-31");
	consult(db, "2025-06-05");
}

static const struct node_stats_cell *
find(const struct node_stats_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->cell[i].key, key) == 0)
			return &l->cell[i];
	fail_msg("no cell %s", key);
	return NULL;
}

static void
test_period_parse(void **state)
{
	static const struct {
		const char *p, *from, *to, *prev;
	} ok[] = {
		{"2026", "2026-01-01", "2027-01-01", "2025"},
		{"2026-Q1", "2026-01-01", "2026-04-01", "2025-Q4"},
		{"2026-Q3", "2026-07-01", "2026-10-01", "2026-Q2"},
		{"2026-Q4", "2026-10-01", "2027-01-01", "2026-Q3"},
		{"2026-07", "2026-07-01", "2026-08-01", "2026-06"},
		{"2026-01", "2026-01-01", "2026-02-01", "2025-12"},
		{"2026-12", "2026-12-01", "2027-01-01", "2026-11"},
	};
	static const char *const bad[] = {"", "26", "2026-Q5", "2026-Q0",
					  "2026-13", "2026-00", "abcd",
					  "2026-7", "2200", "1899", "2026-q",
					  "2026/07", "20260"};
	char from[11], to[11], prev[NODE_STATS_PERIOD_MAX], err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(node_stats_period_parse(ok[i].p, from, to, prev,
							 err, sizeof(err)),
				 0);
		assert_string_equal(from, ok[i].from);
		assert_string_equal(to, ok[i].to);
		assert_string_equal(prev, ok[i].prev);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(node_stats_period_parse(bad[i], from, to, prev,
							 err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "period"));
	}
	assert_int_equal(node_stats_period_parse(NULL, from, to, NULL, err,
						 sizeof(err)),
			 -1);
}

static void
test_counts(void **state)
{
	sqlite3 *db = *state;
	struct node_stats st;
	const struct node_stats_summary *s = &st.cur, *p = &st.prev;
	char err[256] = "";
	int audit_before;

	fill(db);
	audit_before = count(db, "SELECT count(*) FROM audit");
	assert_int_equal(node_stats_compute(db, USER, REGION, "2026", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_string_equal(s->period, "2026");
	assert_string_equal(s->region, REGION);
	assert_int_equal(s->threshold, 0);
	assert_int_equal(s->registrations.count, 12);
	assert_int_equal(s->discussed.count, 9);
	assert_int_equal(s->cancelled.count, 2);
	assert_int_equal(s->referred.count, 1);
	assert_int_equal(s->consultations.count, 3);
	assert_int_equal(s->by_month.n, 12);
	assert_string_equal(s->by_month.cell[2].key, "2026-03");
	assert_int_equal(s->by_month.cell[2].count, 7);
	assert_int_equal(s->by_month.cell[6].count, 5);
	assert_int_equal(s->by_month.cell[0].count, 0);
	assert_int_equal(find(&s->by_registrant, "gemeente")->count, 8);
	assert_int_equal(find(&s->by_registrant, "gi")->count, 4);
	assert_int_equal(find(&s->by_question_type, "verblijf_wachtlijst")->count, 6);
	assert_int_equal(find(&s->by_question_type, "passend_aanbod")->count, 6);
	assert_int_equal(find(&s->by_phase, "afgesloten")->count, 6);
	assert_int_equal(find(&s->by_phase, "monitoren")->count, 3);
	assert_int_equal(find(&s->by_phase, "geannuleerd")->count, 2);
	assert_int_equal(find(&s->by_phase, "doorverwezen")->count, 1);
	assert_int_equal(find(&s->by_outcome, "opgelost")->count, 4);
	assert_int_equal(find(&s->by_outcome, "deels_opgelost")->count, 2);
	assert_int_equal(find(&s->by_outcome, "unknown")->count, 0);
	assert_int_equal(find(&s->themes, "wachtlijsten")->count, 6);
	assert_int_equal(find(&s->themes, "regie")->count, 6);
	assert_int_equal(find(&s->themes, "perspectief")->count, 0);
	/* overleg after 10, 20, ..., 90 days: median 50 over 9 */
	assert_true(s->has_median_to_overleg);
	assert_int_equal(s->median_days_to_overleg.count, 50);
	assert_int_equal(s->n_to_overleg.count, 9);
	/* closed after 100..150: median (120 + 130) / 2 over 6 */
	assert_true(s->has_median_to_close);
	assert_int_equal(s->median_days_to_close.count, 125);
	assert_int_equal(s->n_to_close.count, 6);

	/* The previous period: 2025. */
	assert_string_equal(p->period, "2025");
	assert_int_equal(p->registrations.count, 2);
	assert_int_equal(p->consultations.count, 1);
	assert_int_equal(p->discussed.count, 1);
	assert_int_equal(p->median_days_to_close.count, 30);
	assert_int_equal(p->n_to_close.count, 1);
	assert_int_equal(find(&p->by_outcome, "unknown")->count, 1);

	/* A quarter and a month. */
	assert_int_equal(node_stats_compute(db, USER, NULL, "2026-Q3", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_int_equal(st.cur.registrations.count, 5);
	assert_int_equal(st.cur.by_month.n, 3);
	assert_string_equal(st.prev.period, "2026-Q2");
	assert_int_equal(st.prev.registrations.count, 0);
	assert_false(st.prev.has_median_to_overleg);
	assert_int_equal(node_stats_compute(db, USER, NULL, "2026-03", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_int_equal(st.cur.registrations.count, 7);
	assert_int_equal(st.cur.by_month.n, 1);

	/* Every read is audited, with the period and nothing personal. */
	assert_int_equal(count(db, "SELECT count(*) FROM audit"), audit_before + 3);
	assert_int_equal(count(db, "SELECT count(*) FROM audit WHERE action ="
				   " 'stats.read' AND detail = 'period=2026"
				   " previous=2025'"),
			 1);
}

static void
test_refuses_bad_input(void **state)
{
	sqlite3 *db = *state;
	struct node_stats st;
	char err[256] = "";
	int before = count(db, "SELECT count(*) FROM audit");

	assert_int_equal(node_stats_compute(db, USER, NULL, "2026-Q7", &st, err,
					    sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "period"));
	assert_int_equal(node_stats_compute(db, "", NULL, "2026", &st, err,
					    sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "user"));
	assert_int_equal(count(db, "SELECT count(*) FROM audit"), before);
}

/* No hidden cell keeps a count. */
static void
assert_no_hidden_count(const struct node_stats_summary *s)
{
	const struct node_stats_list *lists[] = {
		&s->by_month, &s->by_registrant, &s->by_question_type,
		&s->by_phase, &s->by_outcome, &s->themes};
	const struct node_stats_cell *cells[] = {
		&s->registrations, &s->discussed, &s->cancelled, &s->referred,
		&s->consultations, &s->median_days_to_overleg,
		&s->median_days_to_close, &s->n_to_overleg, &s->n_to_close};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (size_t k = 0; k < lists[i]->n; k++)
			if (lists[i]->cell[k].hidden)
				assert_int_equal(lists[i]->cell[k].count, 0);
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		if (cells[i]->hidden)
			assert_int_equal(cells[i]->count, 0);
}

static void
test_suppress(void **state)
{
	sqlite3 *db = *state;
	struct node_stats st;
	struct node_stats_summary s, p;
	char err[256] = "", text[16];

	fill(db);
	assert_int_equal(node_stats_compute(db, USER, REGION, "2026", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_stats_suppress(&st.cur, 5, &s, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(s.threshold, 5);
	assert_int_equal(s.registrations.count, 12);
	assert_int_equal(s.registrations.hidden, NODE_STATS_SHOWN);
	/* 2 cancelled, 1 referred: below 5 */
	assert_int_equal(s.cancelled.hidden, NODE_STATS_BELOW);
	assert_string_equal(node_stats_cell_text(&s, &s.cancelled, text,
						 sizeof(text)),
			    "<5");
	assert_int_equal(s.referred.hidden, NODE_STATS_BELOW);
	/* gi 4 is below; gemeente 8 must go too, or 12 - 8 gives gi away */
	assert_int_equal(find(&s.by_registrant, "gi")->hidden, NODE_STATS_BELOW);
	assert_int_equal(find(&s.by_registrant, "gemeente")->hidden,
			 NODE_STATS_HIDDEN);
	assert_string_equal(node_stats_cell_text(&s, find(&s.by_registrant,
							  "gemeente"),
						 text, sizeof(text)),
			    "x");
	/* 6 and 6 are shown; zeros are shown */
	assert_int_equal(find(&s.by_question_type, "verblijf_wachtlijst")->count, 6);
	assert_int_equal(find(&s.by_question_type, "other")->hidden, 0);
	/* consistent cells: cancelled follows its phase cell */
	assert_int_equal(find(&s.by_phase, "geannuleerd")->hidden,
			 NODE_STATS_BELOW);
	/* medians over 9 and 6 cases are shown at threshold 5 */
	assert_int_equal(s.median_days_to_overleg.hidden, 0);
	assert_int_equal(s.median_days_to_overleg.count, 50);
	assert_int_equal(s.median_days_to_close.count, 125);
	assert_no_hidden_count(&s);

	/* 2025 has 2 cases: nearly everything hidden, its median too. */
	assert_int_equal(node_stats_suppress(&st.prev, 5, &p, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(p.registrations.hidden, NODE_STATS_BELOW);
	assert_int_equal(p.median_days_to_close.hidden, NODE_STATS_BELOW);
	assert_int_equal(p.median_days_to_close.count, 0);
	assert_no_hidden_count(&p);

	/* At threshold 10 the medians over 9 and 6 cases are hidden. */
	assert_int_equal(node_stats_suppress(&st.cur, 10, &s, err, sizeof(err)),
			 NODE_OK);
	assert_int_not_equal(s.median_days_to_overleg.hidden, 0);
	assert_int_not_equal(s.median_days_to_close.hidden, 0);
	assert_string_equal(node_stats_cell_text(&s, &s.cancelled, text,
						 sizeof(text)),
			    "<10");
	assert_no_hidden_count(&s);

	/* Refused: a bad threshold, figures already suppressed. */
	assert_int_equal(node_stats_suppress(&st.cur, 2, &s, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "threshold"));
	assert_int_equal(node_stats_suppress(&st.cur, 5, &s, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_stats_suppress(&s, 5, &p, err, sizeof(err)),
			 NODE_ERR_INVALID);
}

static void
test_discussed_protects_its_parts(void **state)
{
	sqlite3 *db = *state;
	struct node_stats st;
	struct node_stats_summary s;
	char err[256] = "";

	/* 6 afgesloten, 5 monitoren, 2 overleg, 3 triage: the phase table
	 * hides overleg and triage (each other's partner); discussed 13 would
	 * give overleg away (13 - 6 - 5). */
	for (int i = 0; i < 3; i++)
		casus(db, "2026-02-02", "gemeente", "passend_aanbod", NULL,
		      "triage", NULL, 0, 0);
	for (int i = 0; i < 6; i++)
		casus(db, "2026-02-02", "gemeente", "passend_aanbod", NULL,
		      "afgesloten", "opgelost", 10, 100);
	for (int i = 0; i < 5; i++)
		casus(db, "2026-02-02", "gemeente", "passend_aanbod", NULL,
		      "monitoren", NULL, 10, 0);
	for (int i = 0; i < 2; i++)
		casus(db, "2026-02-02", "gemeente", "passend_aanbod", NULL,
		      "overleg", NULL, 10, 0);
	assert_int_equal(node_stats_compute(db, USER, NULL, "2026", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_int_equal(st.cur.discussed.count, 13);
	assert_int_equal(node_stats_suppress(&st.cur, 5, &s, err, sizeof(err)),
			 NODE_OK);
	assert_int_not_equal(find(&s.by_phase, "overleg")->hidden, 0);
	assert_int_not_equal(find(&s.by_phase, "triage")->hidden, 0);
	assert_int_equal(find(&s.by_phase, "monitoren")->hidden, 0);
	assert_int_equal(find(&s.by_phase, "afgesloten")->hidden, 0);
	assert_int_not_equal(s.discussed.hidden, 0);
	assert_int_not_equal(s.n_to_overleg.hidden, 0);
	assert_no_hidden_count(&s);
}


/* A raw summary of n random cases, consistent as the register makes it. */
static void
random_raw(struct node_stats_summary *s, unsigned *seed, unsigned n)
{
	static const char *const regs[] = {"gemeente", "gi", "zorgaanbieder",
					   "onderwijs", "ouders_jeugdige",
					   "other"};
	static const char *const phases[] = {
		"aanmelding", "triage", "overleg", "monitoren", "afgesloten",
		"geannuleerd", "doorverwezen"};
	static const char *const outs[] = {"opgelost", "deels_opgelost",
					   "niet_opgelost", "other", "unknown"};
	char key[16];

	memset(s, 0, sizeof(*s));
	snprintf(s->period, sizeof(s->period), "2026");
	s->by_month.n = 12;
	for (int m = 0; m < 12; m++) {
		snprintf(key, sizeof(key), "2026-%02d", m + 1);
		snprintf(s->by_month.cell[m].key, NODE_STATS_KEY_MAX, "%s", key);
	}
	s->by_registrant.n = 6;
	s->by_question_type.n = 6;
	s->themes.n = 9;
	for (size_t i = 0; i < 6; i++) {
		snprintf(s->by_registrant.cell[i].key, NODE_STATS_KEY_MAX, "%s",
			 regs[i]);
		snprintf(s->by_question_type.cell[i].key, NODE_STATS_KEY_MAX,
			 "q%zu", i);
	}
	for (size_t i = 0; i < 9; i++)
		snprintf(s->themes.cell[i].key, NODE_STATS_KEY_MAX, "t%zu", i);
	s->by_phase.n = 7;
	for (size_t i = 0; i < 7; i++)
		snprintf(s->by_phase.cell[i].key, NODE_STATS_KEY_MAX, "%s",
			 phases[i]);
	s->by_outcome.n = 5;
	for (size_t i = 0; i < 5; i++)
		snprintf(s->by_outcome.cell[i].key, NODE_STATS_KEY_MAX, "%s",
			 outs[i]);
	for (unsigned c = 0; c < n; c++) {
		unsigned ph = (unsigned)rand_r(seed) % 7;

		s->by_month.cell[rand_r(seed) % 12].count++;
		/* skewed, as real registrations are */
		s->by_registrant.cell[(rand_r(seed) % 3) * (rand_r(seed) % 2)].count++;
		s->by_question_type.cell[rand_r(seed) % 6].count++;
		s->by_phase.cell[ph].count++;
		if (ph == 4)
			s->by_outcome.cell[rand_r(seed) % 5].count++;
		for (int t = 0; t < 9; t++)
			if (rand_r(seed) % 3 == 0)
				s->themes.cell[t].count++;
	}
	s->registrations.count = n;
	s->discussed.count = s->by_phase.cell[2].count +
			     s->by_phase.cell[3].count + s->by_phase.cell[4].count;
	s->cancelled.count = s->by_phase.cell[5].count;
	s->referred.count = s->by_phase.cell[6].count;
	s->consultations.count = (unsigned)rand_r(seed) % 9;
	s->n_to_overleg.count = s->discussed.count;
	s->n_to_close.count = s->by_phase.cell[4].count;
	s->has_median_to_overleg = s->discussed.count > 0;
	s->has_median_to_close = s->n_to_close.count > 0;
	s->median_days_to_overleg.count = 20;
	s->median_days_to_close.count = 150;
}

/*
 * Registers of every size up to 80 cases: suppression always finds a safe
 * table, keeps no hidden count, and "besproken" never sits next to exactly
 * one hidden part.
 */
static void
test_suppress_random_registers(void **state)
{
	struct node_stats_summary raw, s;
	unsigned seed = 20261123;
	char err[256] = "";

	(void)state;
	for (unsigned round = 0; round < 400; round++) {
		unsigned n = round % 81;
		int hidden_parts;

		random_raw(&raw, &seed, n);
		if (node_stats_suppress(&raw, 5, &s, err, sizeof(err)) != NODE_OK)
			fail_msg("round %u (%u cases): %s", round, n, err);
		assert_no_hidden_count(&s);
		hidden_parts = (s.by_phase.cell[2].hidden != 0) +
			       (s.by_phase.cell[3].hidden != 0) +
			       (s.by_phase.cell[4].hidden != 0);
		if (hidden_parts == 1)
			assert_int_not_equal(s.discussed.hidden, 0);
		/* nor, with registrations shown, next to exactly one hidden
		 * cell of the other phases */
		if (!s.registrations.hidden &&
		    (s.by_phase.cell[0].hidden != 0) +
			    (s.by_phase.cell[1].hidden != 0) +
			    (s.by_phase.cell[5].hidden != 0) +
			    (s.by_phase.cell[6].hidden != 0) ==
		    1)
			assert_int_not_equal(s.discussed.hidden, 0);
		assert_int_equal(s.registrations.hidden != 0,
				 n > 0 && n < 5);
	}
}

static void
test_json_round_trip(void **state)
{
	sqlite3 *db = *state;
	struct node_stats st;
	struct node_stats_summary s, back;
	char err[256] = "";
	json_t *j, *bad;
	char *text;

	fill(db);
	assert_int_equal(node_stats_compute(db, USER, REGION, "2026", &st, err,
					    sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_stats_suppress(&st.cur, 5, &s, err, sizeof(err)),
			 NODE_OK);
	j = node_stats_summary_json(&s);
	assert_non_null(j);
	/* A hidden cell has no count in JSON. */
	assert_null(json_object_get(json_object_get(j, "cancelled"), "count"));
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(j, "cancelled"), "hidden")),
			    "<5");
	assert_int_equal(node_stats_summary_from_json(j, &back, err, sizeof(err)),
			 NODE_OK);
	assert_string_equal(back.region, REGION);
	assert_int_equal(back.registrations.count, 12);
	assert_int_equal(back.cancelled.hidden, NODE_STATS_BELOW);
	assert_int_equal(find(&back.by_registrant, "gemeente")->hidden,
			 NODE_STATS_HIDDEN);
	assert_int_equal(back.median_days_to_close.count, 125);
	assert_int_equal(back.n_to_close.count, 6);
	assert_int_equal(back.by_month.n, 12);

	/* Bad input is refused with the member's name. */
	text = json_dumps(j, 0);
	assert_non_null(text);
	bad = json_deep_copy(j);
	json_object_set_new(json_array_get(json_object_get(bad, "bottleneck_themes"), 0),
			    "key", json_string("<script>"));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "bottleneck_themes[0]"));
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(bad, "cancelled", json_pack("{s:s}", "hidden", "2"));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "cancelled"));
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(bad, "registrations", json_pack("{s:i}", "count", -1));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(bad, "consultations", json_pack("{s:i}", "count", 3));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "below the threshold"));
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(bad, "threshold", json_integer(0));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "threshold"));
	json_decref(bad);
	bad = json_deep_copy(j);
	json_object_set_new(bad, "period", json_string("2026-Q9"));
	assert_int_equal(node_stats_summary_from_json(bad, &back, err, sizeof(err)),
			 NODE_ERR_INVALID);
	json_decref(bad);
	free(text);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_parse),
		cmocka_unit_test_setup_teardown(test_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_bad_input, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_suppress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discussed_protects_its_parts,
						setup, teardown),
		cmocka_unit_test(test_suppress_random_registers),
		cmocka_unit_test_setup_teardown(test_json_round_trip, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
