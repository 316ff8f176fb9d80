/*
 * Unit tests for privacy_suppress: the threshold rule, the attack from row
 * and column totals, 0%/100% cells on sensitive traits, the differencing
 * attacks with earlier publications (same period revised, a month inside a
 * quarter, a year around a month), the audit intervals, input errors, and a
 * bounded random property test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "privacy_suppress.h"

/* A table from its interior counts (row-major), totals computed. */
static struct suppress_table *
table(size_t rows, size_t cols, const uint32_t *cells)
{
	struct suppress_table *t = suppress_table_new(rows, cols);
	size_t r, c;

	assert_non_null(t);
	for (r = 0; r < rows; r++)
		for (c = 0; c < cols; c++)
			t->count[suppress_at(t, r, c)] = cells[r * cols + c];
	suppress_table_sum(t);
	return t;
}

static void
apply_ok(struct suppress_table *t, const struct suppress_previous *prev,
	 size_t nprev)
{
	struct suppress_config cfg;
	char err[200] = "";

	suppress_config_default(&cfg);
	if (suppress_apply(t, &cfg, prev, nprev, err, sizeof(err)) !=
	    SUPPRESS_OK)
		fail_msg("suppress_apply: %s", err);
}

/* Disclosures the audit finds; asserts every hidden interval is wide. */
static size_t
audit(const struct suppress_table *t, const struct suppress_previous *prev,
      size_t nprev, int require_wide)
{
	int64_t lo[(SUPPRESS_MAX_DIM + 1) * (SUPPRESS_MAX_DIM + 1)];
	int64_t hi[(SUPPRESS_MAX_DIM + 1) * (SUPPRESS_MAX_DIM + 1)];
	size_t n = 99, p;
	char err[200] = "";

	if (suppress_audit(t, prev, nprev, lo, hi, &n, err, sizeof(err)) !=
	    SUPPRESS_OK)
		fail_msg("suppress_audit: %s", err);
	for (p = 0; p < (t->rows + 1) * (t->cols + 1); p++) {
		/* The true count always lies inside its interval. */
		assert_true(lo[p] <= (int64_t)t->count[p]);
		assert_true(hi[p] >= (int64_t)t->count[p]);
		if (t->state[p] == SUPPRESS_SHOWN)
			assert_true(lo[p] == hi[p]);
		else if (require_wide)
			assert_true(hi[p] > lo[p]);
	}
	return n;
}

/* No row or column (totals included) has exactly one hidden cell. */
static void
assert_no_lonely_hidden(const struct suppress_table *t)
{
	size_t r, c, n;

	for (r = 0; r <= t->rows; r++) {
		for (n = 0, c = 0; c <= t->cols; c++)
			n += suppress_hidden(t, r, c);
		assert_int_not_equal(n, 1);
	}
	for (c = 0; c <= t->cols; c++) {
		for (n = 0, r = 0; r <= t->rows; r++)
			n += suppress_hidden(t, r, c);
		assert_int_not_equal(n, 1);
	}
}

/* Every count 1..threshold-1 is hidden. */
static void
assert_small_hidden(const struct suppress_table *t)
{
	size_t p;

	for (p = 0; p < (t->rows + 1) * (t->cols + 1); p++)
		if (t->count[p] > 0 && t->count[p] < t->threshold)
			assert_true(t->state[p] != SUPPRESS_SHOWN);
}

static void
test_threshold_rule(void **state)
{
	/* One row of "by registrant": gemeente 20, gi 3, ouder 9, jongere 6. */
	const uint32_t cells[] = {20, 3, 9, 6};
	struct suppress_table *t = table(1, 4, cells);
	char buf[16];

	(void)state;
	apply_ok(t, NULL, 0);
	assert_int_equal(t->state[suppress_at(t, 0, 1)], SUPPRESS_PRIMARY);
	assert_small_hidden(t);
	assert_no_lonely_hidden(t);
	assert_int_equal(audit(t, NULL, 0, 1), 0);
	assert_int_equal(suppress_format(t, 0, 1, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "<5");
	/* The 20 stays; the second hidden cell in the row is the 6. */
	assert_int_equal(suppress_format(t, 0, 0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "20");
	assert_true(suppress_hidden(t, 0, 3));
	assert_int_equal(suppress_format(t, 0, 3, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "x");
	assert_int_equal(suppress_format(t, 0, 3, buf, 1), -1);
	suppress_table_destroy(&t);
	suppress_table_destroy(&t);
}

static void
test_threshold_config(void **state)
{
	const uint32_t cells[] = {2, 3, 9, 60};
	struct suppress_table *t = table(2, 2, cells);
	struct suppress_config cfg;
	char err[200];

	(void)state;
	suppress_config_default(&cfg);
	assert_int_equal(cfg.threshold, 5);
	cfg.threshold = 2;
	assert_int_equal(suppress_apply(t, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_E_THRESHOLD);
	assert_non_null(strstr(err, "3 to 100"));
	cfg.threshold = 101;
	assert_int_equal(suppress_apply(t, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_E_THRESHOLD);
	cfg.threshold = 3;
	assert_int_equal(suppress_apply(t, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_OK);
	assert_true(suppress_hidden(t, 0, 0));   /* 2 < 3 */
	assert_int_equal(audit(t, NULL, 0, 1), 0);
	cfg.threshold = 10;
	assert_int_equal(suppress_apply(t, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_OK);
	assert_true(suppress_hidden(t, 1, 0));   /* 9 < 10 */
	assert_small_hidden(t);
	assert_no_lonely_hidden(t);
	assert_int_equal(audit(t, NULL, 0, 1), 0);
	suppress_table_destroy(&t);
}

/*
 * The attack from totals: with only the small cell hidden, its value is the
 * row total minus the rest. The audit finds it; suppression prevents it.
 */
static void
test_attack_from_totals(void **state)
{
	/* Question type by registrant: 3 x 3. */
	const uint32_t cells[] = {12, 2, 30, 8, 15, 9, 21, 7, 11};
	struct suppress_table *t = table(3, 3, cells);
	size_t p, r, c;

	(void)state;
	/* Primary only: the 2 at (0,1) can be recomputed as 44-12-30. */
	t->state[suppress_at(t, 0, 1)] = SUPPRESS_PRIMARY;
	assert_true(audit(t, NULL, 0, 0) >= 1);
	/* After suppression no line gives it away, nor any hidden cell. */
	apply_ok(t, NULL, 0);
	assert_small_hidden(t);
	assert_no_lonely_hidden(t);
	assert_int_equal(audit(t, NULL, 0, 1), 0);
	/* The naive attack: every line through a hidden cell has another. */
	for (p = 0; p < 16; p++) {
		size_t hr = 0, hc = 0;

		if (t->state[p] == SUPPRESS_SHOWN)
			continue;
		r = p / 4;
		c = p % 4;
		for (size_t i = 0; i <= 3; i++) {
			hr += suppress_hidden(t, r, i);
			hc += suppress_hidden(t, i, c);
		}
		assert_true(hr >= 2 && hc >= 2);
	}
	/* Totals stay shown where possible: the grand total of 115. */
	assert_false(suppress_hidden(t, 3, 3));
	suppress_table_destroy(&t);
}

static void
test_sensitive_traits(void **state)
{
	/* Rows: age bands; columns: placed out of home yes / no. */
	const uint32_t cells[] = {0, 14, 9, 11, 20, 0, 6, 8};
	struct suppress_table *t = table(4, 2, cells);
	int64_t lo[15], hi[15];
	size_t n;

	(void)state;
	t->sensitive_col[0] = 1;
	t->sensitive_col[1] = 1;
	apply_ok(t, NULL, 0);
	/* 0% of the first band and 100% of the third are not shown. */
	assert_int_equal(t->state[suppress_at(t, 0, 0)], SUPPRESS_SENSITIVE);
	assert_int_equal(t->state[suppress_at(t, 0, 1)], SUPPRESS_SENSITIVE);
	assert_int_equal(t->state[suppress_at(t, 2, 0)], SUPPRESS_SENSITIVE);
	assert_int_equal(t->state[suppress_at(t, 2, 1)], SUPPRESS_SENSITIVE);
	assert_no_lonely_hidden(t);
	assert_int_equal(audit(t, NULL, 0, 1), 0);
	/* The 0% cell may be above zero and the 100% cell below the total. */
	assert_int_equal(suppress_audit(t, NULL, 0, lo, hi, &n, NULL, 0),
			 SUPPRESS_OK);
	assert_true(hi[suppress_at(t, 0, 0)] > 0);
	assert_true(lo[suppress_at(t, 2, 0)] < 20);
	/* Without the flag the same table shows its zeros. */
	t->sensitive_col[0] = 0;
	t->sensitive_col[1] = 0;
	apply_ok(t, NULL, 0);
	assert_false(suppress_hidden(t, 0, 0));
	assert_false(suppress_hidden(t, 2, 1));
	suppress_table_destroy(&t);
}

/*
 * Differencing: January-June was published; January-July now has 2 more
 * cases in one cell. Both shown, the difference reveals the 2 July cases.
 */
static void
test_differencing_part(void **state)
{
	const uint32_t jun[] = {7, 20, 12, 30};
	const uint32_t jul[] = {9, 20, 12, 33};
	struct suppress_table *a = table(2, 2, jun);
	struct suppress_table *b = table(2, 2, jul);
	struct suppress_previous prev = {a, SUPPRESS_PART};

	(void)state;
	apply_ok(a, NULL, 0);
	assert_false(suppress_hidden(a, 0, 0)); /* 7 is published */
	/* Checked on its own, b would show 9: the attack works. */
	apply_ok(b, NULL, 0);
	assert_false(suppress_hidden(b, 0, 0));
	assert_true(audit(b, &prev, 1, 0) >= 1);
	/* Checked against a, b hides enough that 9 - 7 is not known. */
	apply_ok(b, &prev, 1);
	assert_true(suppress_hidden(b, 0, 0));
	assert_no_lonely_hidden(b);
	assert_int_equal(audit(b, &prev, 1, 1), 0);
	suppress_table_destroy(&a);
	suppress_table_destroy(&b);
}

/* A quarter after two of its months: the third month is the difference. */
static void
test_overlapping_months(void **state)
{
	const uint32_t m7[] = {10, 8, 6, 12};
	const uint32_t m8[] = {9, 11, 7, 5};
	const uint32_t q3[] = {20, 22, 16, 17}; /* September: 1, 3, 3, 0 */
	struct suppress_table *a = table(2, 2, m7);
	struct suppress_table *b = table(2, 2, m8);
	struct suppress_table *q = table(2, 2, q3);
	struct suppress_previous prev[2] = {{a, SUPPRESS_PART},
					    {b, SUPPRESS_PART}};

	(void)state;
	apply_ok(a, NULL, 0);
	apply_ok(b, NULL, 0);
	apply_ok(q, NULL, 0);
	assert_true(audit(q, prev, 2, 0) >= 1);
	apply_ok(q, prev, 2);
	assert_int_equal(audit(q, prev, 2, 1), 0);
	suppress_table_destroy(&a);
	suppress_table_destroy(&b);
	suppress_table_destroy(&q);
}

/* A month after its year: the rest of the year must not become small. */
static void
test_differencing_whole(void **state)
{
	const uint32_t year[] = {40, 25, 31, 50};
	const uint32_t month[] = {38, 6, 7, 9};
	struct suppress_table *y = table(2, 2, year);
	struct suppress_table *m = table(2, 2, month);
	struct suppress_previous prev = {y, SUPPRESS_WHOLE};

	(void)state;
	apply_ok(y, NULL, 0);
	apply_ok(m, NULL, 0);
	assert_true(audit(m, &prev, 1, 0) >= 1); /* 40 - 38 = 2 */
	apply_ok(m, &prev, 1);
	assert_int_equal(audit(m, &prev, 1, 1), 0);
	suppress_table_destroy(&y);
	suppress_table_destroy(&m);
}

/* A revised publication keeps what was hidden hidden. */
static void
test_same_period_revision(void **state)
{
	const uint32_t v1[] = {3, 20, 12, 30, 8, 9};
	const uint32_t v2[] = {6, 20, 12, 30, 8, 9}; /* late registrations */
	struct suppress_table *a = table(2, 3, v1);
	struct suppress_table *b = table(2, 3, v2);
	struct suppress_previous prev = {a, SUPPRESS_SAME};

	(void)state;
	apply_ok(a, NULL, 0);
	assert_true(suppress_hidden(a, 0, 0));
	apply_ok(b, &prev, 1);
	assert_int_equal(b->state[suppress_at(b, 0, 0)], SUPPRESS_HISTORY);
	assert_no_lonely_hidden(b);
	assert_int_equal(audit(b, &prev, 1, 1), 0);
	suppress_table_destroy(&a);
	suppress_table_destroy(&b);
}

static void
test_bad_input(void **state)
{
	const uint32_t cells[] = {1, 2, 3, 4};
	struct suppress_table *t = table(2, 2, cells);
	struct suppress_table *u = table(1, 4, cells);
	struct suppress_previous prev = {u, SUPPRESS_PART};
	struct suppress_config cfg;
	int64_t lo[9], hi[9];
	size_t n;
	char err[200];

	(void)state;
	suppress_config_default(&cfg);
	assert_null(suppress_table_new(0, 3));
	assert_null(suppress_table_new(3, SUPPRESS_MAX_DIM + 1));
	t->count[suppress_at(t, 0, 2)] += 1; /* row total off by one */
	assert_int_equal(suppress_apply(t, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_E_TOTALS);
	assert_non_null(strstr(err, "row 1"));
	suppress_table_sum(t);
	assert_int_equal(suppress_apply(t, &cfg, &prev, 1, err, sizeof(err)),
			 SUPPRESS_E_SHAPE);
	assert_int_equal(suppress_apply(NULL, &cfg, NULL, 0, err, sizeof(err)),
			 SUPPRESS_E_ARGS);
	assert_int_equal(suppress_audit(t, NULL, 0, NULL, hi, &n, NULL, 0),
			 SUPPRESS_E_ARGS);
	/* A part larger than the whole contradicts the relation. */
	{
		const uint32_t big[] = {10, 20, 30, 40};
		struct suppress_table *w = table(2, 2, big);
		struct suppress_previous p2 = {w, SUPPRESS_PART};

		apply_ok(w, NULL, 0);
		apply_ok(t, NULL, 0);
		assert_int_equal(suppress_audit(t, &p2, 1, lo, hi, &n, err,
						sizeof(err)),
				 SUPPRESS_E_INCONSISTENT);
		assert_int_equal(suppress_apply(t, &cfg, &p2, 1, err,
						sizeof(err)),
				 SUPPRESS_E_INCONSISTENT);
		suppress_table_destroy(&w);
	}
	assert_non_null(strstr(suppress_strerror(SUPPRESS_E_TOTALS), "total"));
	suppress_table_destroy(&t);
	suppress_table_destroy(&u);
}

/* Deterministic pseudo-random numbers, so a failure can be replayed. */
static uint32_t
next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static void
test_random_tables(void **state)
{
	uint64_t seed = 20261123;
	int round;

	(void)state;
	for (round = 0; round < 300; round++) {
		size_t rows = 1 + next(&seed) % 5, cols = 1 + next(&seed) % 5;
		struct suppress_table *t = suppress_table_new(rows, cols);
		struct suppress_config cfg;
		size_t p;
		char err[200] = "";
		enum suppress_error e;

		assert_non_null(t);
		for (p = 0; p < rows * cols; p++) {
			uint32_t k = next(&seed) % 4;

			t->count[suppress_at(t, p / cols, p % cols)] =
				k == 0 ? 0 : k == 1 ? 1 + next(&seed) % 4
					      : next(&seed) % 40;
		}
		if (next(&seed) % 4 == 0)
			t->sensitive_col[0] = 1;
		suppress_table_sum(t);
		suppress_config_default(&cfg);
		cfg.threshold = 3 + next(&seed) % 5;
		e = suppress_apply(t, &cfg, NULL, 0, err, sizeof(err));
		/* Either a safe table or a refusal; never an unsafe table. */
		if (e == SUPPRESS_OK) {
			assert_small_hidden(t);
			assert_no_lonely_hidden(t);
			assert_int_equal(audit(t, NULL, 0, 1), 0);
		} else {
			assert_int_equal(e, SUPPRESS_E_UNPROTECTABLE);
		}
		suppress_table_destroy(&t);
	}
}

/*
 * Cross-check of the audit against exhaustive enumeration on small tables:
 * every filling of the hidden interior cells that agrees with everything
 * published (shown counts, "<5" as 1..4 or 0..4, "x" as 5 or more, every
 * total) is tried; no hidden position may take only one value. This is the
 * attacker with unlimited patience, so it checks that the bound propagation
 * misses no disclosure.
 */
struct enumeration {
	const struct suppress_table *t;
	int64_t plo[24], phi[24]; /* the public knowledge per position */
	int64_t emin[24], emax[24];
	uint32_t val[12];
	long solutions;
};

static void
enumerate(struct enumeration *en, size_t k)
{
	const struct suppress_table *t = en->t;
	size_t R = t->rows, C = t->cols, r, c, p;
	int64_t full[24] = {0};
	int64_t v, top;

	if (k == R * C) {
		for (r = 0; r < R; r++)
			for (c = 0; c < C; c++) {
				v = en->val[r * C + c];
				full[r * (C + 1) + c] = v;
				full[r * (C + 1) + C] += v;
				full[R * (C + 1) + c] += v;
				full[R * (C + 1) + C] += v;
			}
		for (p = 0; p < (R + 1) * (C + 1); p++)
			if (full[p] < en->plo[p] || full[p] > en->phi[p])
				return;
		en->solutions++;
		for (p = 0; p < (R + 1) * (C + 1); p++) {
			if (full[p] < en->emin[p])
				en->emin[p] = full[p];
			if (full[p] > en->emax[p])
				en->emax[p] = full[p];
		}
		return;
	}
	p = (k / C) * (C + 1) + k % C;
	top = en->phi[p] > 60 ? 60 : en->phi[p];
	for (v = en->plo[p]; v <= top; v++) {
		en->val[k] = (uint32_t)v;
		enumerate(en, k + 1);
	}
}

static void
test_audit_against_enumeration(void **state)
{
	uint64_t seed = 4242;
	int round;

	(void)state;
	for (round = 0; round < 400; round++) {
		size_t R = 1 + next(&seed) % 2, C = 2 + next(&seed) % 2, p;
		struct suppress_table *t = suppress_table_new(R, C);
		struct enumeration en;
		int64_t lo[24], hi[24];
		size_t nd;

		assert_non_null(t);
		for (p = 0; p < R * C; p++) {
			uint32_t k = next(&seed) % 3;

			t->count[suppress_at(t, p / C, p % C)] =
				k == 0 ? 0 : k == 1 ? 1 + next(&seed) % 4
					      : 5 + next(&seed) % 10;
		}
		if (next(&seed) % 3 == 0)
			t->sensitive_col[0] = 1;
		suppress_table_sum(t);
		apply_ok(t, NULL, 0);
		assert_int_equal(suppress_audit(t, NULL, 0, lo, hi, &nd, NULL,
						0),
				 SUPPRESS_OK);
		assert_int_equal(nd, 0);
		memset(&en, 0, sizeof(en));
		en.t = t;
		for (p = 0; p < (R + 1) * (C + 1); p++) {
			size_t c = p % (C + 1);
			uint32_t v = t->count[p];

			if (!t->state[p]) {
				en.plo[p] = en.phi[p] = v;
			} else if (v < 5) {
				en.plo[p] = (v == 0 || (c < C &&
							t->sensitive_col[c]))
						    ? 0
						    : 1;
				en.phi[p] = 4;
			} else {
				en.plo[p] = 5;
				en.phi[p] = 1000;
			}
			en.emin[p] = INT64_MAX;
			en.emax[p] = INT64_MIN;
			/* The audit interval is sound: search only inside. */
			if (lo[p] > en.plo[p])
				en.plo[p] = lo[p];
			if (hi[p] < en.phi[p])
				en.phi[p] = hi[p];
		}
		enumerate(&en, 0);
		assert_true(en.solutions >= 1); /* the truth is one */
		for (p = 0; p < (R + 1) * (C + 1); p++)
			if (t->state[p])
				assert_true(en.emax[p] > en.emin[p]);
		suppress_table_destroy(&t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threshold_rule),
		cmocka_unit_test(test_threshold_config),
		cmocka_unit_test(test_attack_from_totals),
		cmocka_unit_test(test_sensitive_traits),
		cmocka_unit_test(test_differencing_part),
		cmocka_unit_test(test_overlapping_months),
		cmocka_unit_test(test_differencing_whole),
		cmocka_unit_test(test_same_period_revision),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_random_tables),
		cmocka_unit_test(test_audit_against_enumeration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
