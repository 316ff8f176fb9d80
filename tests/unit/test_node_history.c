/*
 * test_node_history: learning summaries are suppressed against what the
 * region published before (issue 6). A register in a temporary SQLite
 * file, filled through node_register's API: Q1 and Q2 are published, then
 * the year in which exactly one (or two) more cases arrived; without the
 * history the year's figures minus the two quarters give those cases away,
 * with it the build hides what would reveal them or refuses in Dutch. The
 * same period published twice keeps its hidden cells hidden; a preview
 * (a draft that is never sent) does not change the history; what is
 * stored as published is exactly what left; the history picks the right
 * earlier periods.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyfile.h"
#include "msgid.h"
#include "node_apply.h"
#include "node_db.h"
#include "node_history.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_stats.h"
#include "node_summary.h"

struct fixture {
	char path[64];
	sqlite3 *db;
	struct keyfile nl;
};

static void
add_cases(struct fixture *f, const char *by, const char *on, int n)
{
	struct node_casus_fields cf;
	char err[256];
	int64_t id;

	for (int i = 0; i < n; i++) {
		memset(&cf, 0, sizeof(cf));
		cf.registered_by = by;
		cf.question_type = "passend_aanbod";
		cf.registered_on = on;
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
	int fd;

	if (f == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "/tmp/ret-history-XXXXXX");
	fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(f->path);
	if (node_db_open(f->path, NODE_DB_CREATE, &f->db, err, sizeof(err)) !=
	        NODE_OK ||
	    node_register_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK ||
	    node_apply_migrate(f->db, PARTY_REGION, err, sizeof(err)) !=
	        NODE_OK ||
	    keyfile_generate("region:noord-limburg", &f->nl) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char side[80];

	node_db_close(&f->db);
	keyfile_wipe(&f->nl);
	unlink(f->path);
	snprintf(side, sizeof(side), "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", f->path);
	unlink(side);
	free(f);
	return 0;
}

/* Build and send the summary of period; NODE_OK or the build's error. */
static enum node_status
publish(struct fixture *f, const char *period, struct node_stats_summary *ret,
        struct node_summary_error *err)
{
	struct node_summary_draft *d = NULL;
	struct node_msg_error merr;
	enum node_status s;

	s = node_summary_build(f->db, "voorzitter", f->nl.party, period, 5,
	                       NULL, 0, &d, err);
	if (s != NODE_OK)
		return s;
	if (ret != NULL)
		node_summary_from_wire(node_summary_body(d)->learning_summary,
		                       f->nl.party, ret);
	memset(&merr, 0, sizeof(merr));
	s = node_outbox_queue(f->db, &f->nl, "voorzitter",
	                      node_summary_guarded(d), NULL, NULL, &merr);
	if (s != NODE_OK && err != NULL)
		snprintf(err->detail, sizeof(err->detail), "%s", merr.detail);
	node_summary_destroy(&d);
	return s;
}

static int64_t
count_rows(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const struct node_stats_cell *
cell_of(const struct node_stats_list *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->cell[i].key, key) == 0)
			return &l->cell[i];
	return NULL;
}

/*
 * A reader's direct difference: a cell shown in the year and in both
 * quarters whose year minus quarters is 1..4 reveals that many cases.
 */
static int
diff_small(const struct node_stats_cell *y, const struct node_stats_cell *a,
           const struct node_stats_cell *b)
{
	int64_t d;

	if (y == NULL || a == NULL || b == NULL || y->hidden || a->hidden ||
	    b->hidden)
		return 0;
	d = (int64_t)y->count - a->count - b->count;
	return d >= 1 && d < 5;
}

static int
list_diff_small(const struct node_stats_list *y,
                const struct node_stats_list *a,
                const struct node_stats_list *b)
{
	int n = 0;

	for (size_t i = 0; i < y->n; i++)
		n += diff_small(&y->cell[i], cell_of(a, y->cell[i].key),
		                cell_of(b, y->cell[i].key));
	return n;
}

static int
summary_diff_small(const struct node_stats_summary *y,
                   const struct node_stats_summary *a,
                   const struct node_stats_summary *b)
{
	return diff_small(&y->registrations, &a->registrations,
	                  &b->registrations) +
	       diff_small(&y->discussed, &a->discussed, &b->discussed) +
	       diff_small(&y->cancelled, &a->cancelled, &b->cancelled) +
	       diff_small(&y->referred, &a->referred, &b->referred) +
	       diff_small(&y->consultations, &a->consultations,
	                  &b->consultations) +
	       list_diff_small(&y->by_registrant, &a->by_registrant,
	                       &b->by_registrant) +
	       list_diff_small(&y->by_question_type, &a->by_question_type,
	                       &b->by_question_type) +
	       list_diff_small(&y->by_outcome, &a->by_outcome, &b->by_outcome) +
	       list_diff_small(&y->themes, &a->themes, &b->themes);
}

/* Publish Q1 and Q2, then the year with `extra` more cases in H2. */
static void
difference_attack(struct fixture *f, int extra)
{
	struct node_stats_summary *q1 = calloc(1, sizeof(*q1));
	struct node_stats_summary *q2 = calloc(1, sizeof(*q2));
	struct node_stats_summary *yr = calloc(1, sizeof(*yr));
	struct node_stats *raw = calloc(1, sizeof(*raw));
	struct node_summary_error err;
	char buf[256];
	enum node_status s;

	assert_non_null(q1);
	assert_non_null(q2);
	assert_non_null(yr);
	assert_non_null(raw);
	add_cases(f, "gemeente", "2026-02-10", 6);
	add_cases(f, "gi", "2026-02-11", 5);
	add_cases(f, "gemeente", "2026-05-10", 7);
	add_cases(f, "gi", "2026-05-11", 6);
	assert_int_equal(publish(f, "2026-Q1", q1, &err), NODE_OK);
	assert_int_equal(publish(f, "2026-Q2", q2, &err), NODE_OK);
	assert_false(q1->registrations.hidden);
	assert_false(q2->registrations.hidden);
	add_cases(f, "gi", "2026-09-14", extra);

	/* Without the history the attack works: the year shows the new
	 * case(s) as a difference of 1..4 against the two quarters. */
	assert_int_equal(node_stats_compute(f->db, "t", f->nl.party, "2026",
	                                    raw, buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(
	    node_stats_suppress(&raw->cur, 5, yr, buf, sizeof(buf)), NODE_OK);
	assert_true(summary_diff_small(yr, q1, q2) > 0);
	assert_int_equal(yr->registrations.count - q1->registrations.count -
	                     q2->registrations.count,
	                 (uint32_t)extra);

	/* With it the build hides what would reveal them, or refuses. */
	memset(yr, 0, sizeof(*yr));
	s = publish(f, "2026", yr, &err);
	print_message("year with %d more: %s%s\n", extra,
	              s == NODE_OK ? "published, registrations " : "refused: ",
	              s == NODE_OK
	                  ? (yr->registrations.hidden ? "hidden" : "shown")
	                  : err.detail);
	if (s == NODE_OK) {
		assert_int_equal(summary_diff_small(yr, q1, q2), 0);
		assert_true(yr->registrations.hidden);
		assert_int_equal(count_rows(f,
		                            "SELECT count(*) FROM"
		                            " learning_summary WHERE own = 1"),
		                 3);
	} else {
		assert_int_equal(s, NODE_ERR_INVALID);
		assert_non_null(strstr(err.detail, "geen veilige tabel"));
		assert_int_equal(count_rows(f,
		                            "SELECT count(*) FROM"
		                            " learning_summary WHERE own = 1"),
		                 2);
	}
	/* The dashboard's suppression sees the same history. */
	memset(yr, 0, sizeof(*yr));
	s = node_history_suppress(f->db, f->nl.party, &raw->cur, 5, yr, NULL,
	                          buf, sizeof(buf));
	if (s == NODE_OK)
		assert_int_equal(summary_diff_small(yr, q1, q2), 0);
	else
		assert_int_equal(s, NODE_ERR_INVALID);
	memset(raw, 0, sizeof(*raw));
	free(raw);
	free(yr);
	free(q2);
	free(q1);
}

static void
one_more_case(void **state)
{
	difference_attack(*state, 1);
}

static void
two_more_cases(void **state)
{
	difference_attack(*state, 2);
}

/* The same period published twice: its hidden cells stay hidden. */
static void
same_period_twice(void **state)
{
	struct fixture *f = *state;
	struct node_stats_summary *first = calloc(1, sizeof(*first));
	struct node_stats_summary *second = calloc(1, sizeof(*second));
	struct node_stats_summary *plain = calloc(1, sizeof(*plain));
	struct node_stats *raw = calloc(1, sizeof(*raw));
	const struct node_stats_cell *gi;
	struct node_summary_error err;
	char buf[256];

	assert_non_null(first);
	assert_non_null(second);
	assert_non_null(plain);
	assert_non_null(raw);
	add_cases(f, "gemeente", "2026-03-02", 9);
	add_cases(f, "gi", "2026-03-03", 2);
	assert_int_equal(publish(f, "2026-Q1", first, &err), NODE_OK);
	gi = cell_of(&first->by_registrant, "gi");
	assert_non_null(gi);
	assert_true(gi->hidden);
	/* Late registrations in the same quarter: gi is now 7. */
	add_cases(f, "gi", "2026-03-20", 5);
	assert_int_equal(node_stats_compute(f->db, "t", f->nl.party, "2026-Q1",
	                                    raw, buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(
	    node_stats_suppress(&raw->cur, 5, plain, buf, sizeof(buf)),
	    NODE_OK);
	gi = cell_of(&plain->by_registrant, "gi");
	assert_non_null(gi);
	assert_false(gi->hidden); /* without history it would show 7 */
	memset(raw, 0, sizeof(*raw));
	assert_int_equal(publish(f, "2026-Q1", second, &err), NODE_OK);
	gi = cell_of(&second->by_registrant, "gi");
	assert_non_null(gi);
	assert_true(gi->hidden);
	assert_int_equal(gi->count, 0);
	free(raw);
	free(plain);
	free(second);
	free(first);
}

/* A stored cell is the wire cell: shown with its count, or hidden. */
static void
same_cell(const struct node_stats_cell *c, const Retfed__V1__Cell *w)
{
	assert_non_null(w);
	assert_int_equal(c->hidden != 0, w->suppressed != 0);
	assert_int_equal(c->count, w->count);
}

static void
same_list(const struct node_stats_list *l, Retfed__V1__Cell *const *w, size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(l->cell[i].key, w[i]->key);
		same_cell(&l->cell[i], w[i]);
	}
}

/*
 * A preview is a draft that is never sent: it changes nothing. What is
 * stored when the summary is sent is exactly what left, cell by cell.
 */
static void
preview_is_not_history(void **state)
{
	struct fixture *f = *state;
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;
	struct node_msg_error merr;
	struct node_history *h = calloc(1, sizeof(*h));
	const Retfed__V1__LearningSummary *ls;
	char buf[256];

	assert_non_null(h);
	add_cases(f, "gemeente", "2026-04-01", 8);
	add_cases(f, "gi", "2026-04-02", 3);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026-Q2",
	                                    5, NULL, 0, &d, &err),
	                 NODE_OK);
	node_summary_destroy(&d);
	assert_int_equal(count_rows(f, "SELECT count(*) FROM learning_summary"),
	                 0);
	assert_int_equal(node_history_load(f->db, f->nl.party, "2026-Q2", h,
	                                   buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(h->n, 0);

	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026-Q2",
	                                    5, NULL, 0, &d, &err),
	                 NODE_OK);
	assert_int_equal(node_outbox_queue(f->db, &f->nl, "v",
	                                   node_summary_guarded(d), NULL, NULL,
	                                   &merr),
	                 NODE_OK);
	assert_int_equal(node_history_load(f->db, f->nl.party, "2026-Q2", h,
	                                   buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(h->n, 1);
	assert_int_equal(h->e[0].relation, NODE_HISTORY_SAME);
	ls = node_summary_body(d)->learning_summary;
	assert_int_equal(h->e[0].pub.threshold, ls->threshold);
	same_cell(&h->e[0].pub.registrations, ls->registrations);
	same_cell(&h->e[0].pub.discussed, ls->discussed);
	same_cell(&h->e[0].pub.cancelled, ls->cancelled);
	same_cell(&h->e[0].pub.referred, ls->referred);
	same_cell(&h->e[0].pub.consultations, ls->consultations);
	same_list(&h->e[0].pub.by_registrant, ls->by_registrant,
	          ls->n_by_registrant);
	same_list(&h->e[0].pub.by_question_type, ls->by_question_type,
	          ls->n_by_question_type);
	same_list(&h->e[0].pub.by_outcome, ls->by_outcome, ls->n_by_outcome);
	same_list(&h->e[0].pub.themes, ls->bottleneck_themes,
	          ls->n_bottleneck_themes);
	/* No raw count of a hidden cell is stored. */
	assert_true(cell_of(&h->e[0].pub.by_registrant, "gi")->hidden);
	assert_int_equal(cell_of(&h->e[0].pub.by_registrant, "gi")->count, 0);
	node_summary_destroy(&d);
	free(h);
}

/* Which earlier periods a period is compared with. */
static void
relations_and_selection(void **state)
{
	struct fixture *f = *state;
	struct node_history *h = calloc(1, sizeof(*h));
	struct node_summary_error err;
	char buf[256];
	int seen_q1 = 0, seen_m1 = 0, seen_m4 = 0;

	assert_non_null(h);
	assert_int_equal(node_history_relation("2026", "2026"),
	                 NODE_HISTORY_SAME);
	assert_int_equal(node_history_relation("2026-q3", "2026-Q3"),
	                 NODE_HISTORY_SAME);
	assert_int_equal(node_history_relation("2026-07", "2026-Q3"),
	                 NODE_HISTORY_PART);
	assert_int_equal(node_history_relation("2026-Q3", "2026"),
	                 NODE_HISTORY_PART);
	assert_int_equal(node_history_relation("2026", "2026-07"),
	                 NODE_HISTORY_WHOLE);
	assert_int_equal(node_history_relation("2026-Q1", "2026-Q2"),
	                 NODE_HISTORY_NONE);
	assert_int_equal(node_history_relation("2025", "2026-01"),
	                 NODE_HISTORY_NONE);
	assert_int_equal(node_history_relation("2026-13", "2026"),
	                 NODE_HISTORY_NONE);

	/* Empty periods publish zeros; the selection is what is tested. */
	assert_int_equal(publish(f, "2026-01", NULL, &err), NODE_OK);
	assert_int_equal(publish(f, "2026-Q1", NULL, &err), NODE_OK);
	assert_int_equal(publish(f, "2026-04", NULL, &err), NODE_OK);
	assert_int_equal(publish(f, "2025", NULL, &err), NODE_OK);
	assert_int_equal(
	    node_history_load(f->db, f->nl.party, "2026", h, buf, sizeof(buf)),
	    NODE_OK);
	/* The year: Q1 and April; January is inside Q1 and left out. */
	assert_int_equal(h->n, 2);
	for (size_t i = 0; i < h->n; i++) {
		assert_int_equal(h->e[i].relation, NODE_HISTORY_PART);
		seen_q1 += strcmp(h->e[i].pub.period, "2026-Q1") == 0;
		seen_m1 += strcmp(h->e[i].pub.period, "2026-01") == 0;
		seen_m4 += strcmp(h->e[i].pub.period, "2026-04") == 0;
	}
	assert_int_equal(seen_q1, 1);
	assert_int_equal(seen_m1, 0);
	assert_int_equal(seen_m4, 1);
	/* January: the same month and the quarter around it. */
	assert_int_equal(node_history_load(f->db, f->nl.party, "2026-01", h,
	                                   buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(h->n, 2);
	/* Another region's history is empty. */
	assert_int_equal(node_history_load(f->db, "region:westfriesland",
	                                   "2026", h, buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(h->n, 0);
	assert_int_equal(node_history_load(f->db, f->nl.party, "2026-5", h, buf,
	                                   sizeof(buf)),
	                 NODE_ERR_INVALID);
	free(h);
}

/*
 * A history that contradicts the register (here a forged second version
 * of Q1 with more registrations than the whole year has): no table is
 * safe, so the build refuses with the Dutch message and nothing is sent.
 */
static void
contradiction_refused(void **state)
{
	struct fixture *f = *state;
	struct node_summary_draft *d = NULL;
	struct node_summary_error err;
	char *sqlerr = NULL;

	add_cases(f, "gemeente", "2026-02-10", 6);
	add_cases(f, "gi", "2026-02-11", 5);
	assert_int_equal(publish(f, "2026-Q1", NULL, &err), NODE_OK);
	assert_int_equal(
	    sqlite3_exec(f->db,
	                 "INSERT INTO learning_summary(message_id, inbox_id,"
	                 " own, region, period, threshold, summary, lessons,"
	                 " received_ms) SELECT randomblob(16), 0, 1, region,"
	                 " period, threshold, json_set(summary,"
	                 " '$.registrations.count', 50), lessons,"
	                 " received_ms FROM learning_summary",
	                 NULL, NULL, &sqlerr),
	    SQLITE_OK);
	sqlite3_free(sqlerr);
	assert_int_equal(node_summary_build(f->db, "v", f->nl.party, "2026", 5,
	                                    NULL, 0, &d, &err),
	                 NODE_ERR_INVALID);
	assert_null(d);
	assert_non_null(strstr(err.detail, "geen veilige tabel"));
	assert_int_equal(count_rows(f, "SELECT count(*) FROM outbox"), 1);
}

/* Year minus the sum of the published months, where all are shown. */
static int
months_diff_small(const struct node_stats_cell *y,
                  const struct node_stats_summary *m, size_t off)
{
	int64_t d;

	if (y->hidden)
		return 0;
	d = y->count;
	for (size_t i = 0; i < 12; i++) {
		const struct node_stats_cell *c =
		    (const struct node_stats_cell *)((const char *)&m[i] + off);

		if (c->hidden)
			return 0;
		d -= c->count;
	}
	return d >= 1 && d < 5;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/*
 * Twelve months published, then the year (twelve parts), then one late
 * case in December and the year again (the same period and twelve parts):
 * the registrations of the year never differ from the months by 1..4.
 */
static void
twelve_months_then_year(void **state)
{
	struct fixture *f = *state;
	struct node_stats_summary *m = calloc(12, sizeof(*m));
	struct node_stats_summary *yr = calloc(1, sizeof(*yr));
	struct node_summary_error err;
	size_t off = offsetof(struct node_stats_summary, registrations);
	char period[8], on[11];
	enum node_status s;
	double t0;

	assert_non_null(m);
	assert_non_null(yr);
	for (int i = 0; i < 12; i++) {
		snprintf(on, sizeof(on), "2026-%02d-15", i + 1);
		add_cases(f, "gemeente", on, 5 + i % 4);
		add_cases(f, "gi", on, i % 3);
		snprintf(period, sizeof(period), "2026-%02d", i + 1);
		assert_int_equal(publish(f, period, &m[i], &err), NODE_OK);
	}
	t0 = now_ms();
	s = publish(f, "2026", yr, &err);
	print_message("year against 12 months: %s in %.1f ms\n",
	              s == NODE_OK ? "published" : "refused", now_ms() - t0);
	if (s == NODE_OK)
		assert_int_equal(months_diff_small(&yr->registrations, m, off),
		                 0);
	else
		assert_non_null(strstr(err.detail, "geen veilige tabel"));
	add_cases(f, "gi", "2026-12-30", 1);
	memset(yr, 0, sizeof(*yr));
	t0 = now_ms();
	s = publish(f, "2026", yr, &err);
	print_message("year again, one late case: %s in %.1f ms\n",
	              s == NODE_OK ? "published" : "refused", now_ms() - t0);
	if (s == NODE_OK)
		assert_int_equal(months_diff_small(&yr->registrations, m, off),
		                 0);
	else
		assert_non_null(strstr(err.detail, "geen veilige tabel"));
	free(yr);
	free(m);
}

/* A register without the summaries component has no history. */
static void
no_component_no_history(void **state)
{
	struct node_history *h = calloc(1, sizeof(*h));
	sqlite3 *db = NULL;
	char buf[256];

	(void)state;
	assert_non_null(h);
	assert_int_equal(
	    node_db_open(":memory:", NODE_DB_CREATE, &db, buf, sizeof(buf)),
	    NODE_OK);
	assert_int_equal(node_history_load(db, "region:noord-limburg", "2026",
	                                   h, buf, sizeof(buf)),
	                 NODE_OK);
	assert_int_equal(h->n, 0);
	node_db_close(&db);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(one_more_case, setup, teardown),
	    cmocka_unit_test_setup_teardown(two_more_cases, setup, teardown),
	    cmocka_unit_test_setup_teardown(same_period_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(preview_is_not_history, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(relations_and_selection, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(contradiction_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(twelve_months_then_year, setup,
	                                    teardown),
	    cmocka_unit_test(no_component_no_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
