/*
 * Unit tests for privacy_generalise: age from birth date (leap days, refusal
 * of impossible dates), every age band boundary, month and quarter, the
 * municipality table (never the municipality itself), merging of small
 * categories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "payload_check.h"
#include "privacy_generalise.h"

static unsigned
age(const char *birth, const char *ref)
{
	unsigned y = 999;

	assert_int_equal(generalise_age(birth, ref, &y), GENERALISE_OK);
	return y;
}

static void
test_age(void **state)
{
	unsigned y = 7;

	(void)state;
	assert_int_equal(age("2010-06-15", "2026-06-14"), 15);
	assert_int_equal(age("2010-06-15", "2026-06-15"), 16);
	assert_int_equal(age("2010-06-15", "2010-06-15"), 0);
	assert_int_equal(age("2010-12-31", "2011-01-01"), 0);
	/* Leap day: older on 1 March in common years, on 29 Feb in leap. */
	assert_int_equal(age("2008-02-29", "2026-02-28"), 17);
	assert_int_equal(age("2008-02-29", "2026-03-01"), 18);
	assert_int_equal(age("2008-02-29", "2028-02-28"), 19);
	assert_int_equal(age("2008-02-29", "2028-02-29"), 20);
	assert_int_equal(age("2000-02-29", "2001-02-28"), 0);
	/* A timestamp as reference date is fine. */
	assert_int_equal(age("2000-01-01", "2026-11-23T12:00:00Z"), 26);
	/* Refusals, each with its own reason; y untouched. */
	assert_int_equal(generalise_age("2023-02-29", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("1900-02-29", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("2010-13-01", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("2010-04-31", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("2010-00-10", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("2010-01-00", "2026-01-01", &y),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_age("12-03-2015", "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age("2015-3-12", "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age("2015-03-1x", "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age("2015-03-12x", "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age("", "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age(NULL, "2026-01-01", &y),
			 GENERALISE_E_DATE);
	assert_int_equal(generalise_age("2026-01-02", "2026-01-01", &y),
			 GENERALISE_E_FUTURE);
	assert_int_equal(generalise_age("1900-01-01", "2100-01-01", &y),
			 GENERALISE_E_AGE);
	assert_int_equal(y, 7);
	assert_non_null(strstr(generalise_strerror(GENERALISE_E_IMPOSSIBLE),
			       "does not exist"));
}

static void
test_bands(void **state)
{
	static const struct {
		unsigned years;
		Retfed__V1__AgeBand band;
	} cases[] = {
		{0, RETFED__V1__AGE_BAND__AGE_0_3},
		{3, RETFED__V1__AGE_BAND__AGE_0_3},
		{4, RETFED__V1__AGE_BAND__AGE_4_7},
		{7, RETFED__V1__AGE_BAND__AGE_4_7},
		{8, RETFED__V1__AGE_BAND__AGE_8_11},
		{11, RETFED__V1__AGE_BAND__AGE_8_11},
		{12, RETFED__V1__AGE_BAND__AGE_12_15},
		{15, RETFED__V1__AGE_BAND__AGE_12_15},
		{16, RETFED__V1__AGE_BAND__AGE_16_17},
		{17, RETFED__V1__AGE_BAND__AGE_16_17},
		{18, RETFED__V1__AGE_BAND__AGE_18_22},
		{22, RETFED__V1__AGE_BAND__AGE_18_22},
		{23, RETFED__V1__AGE_BAND__AGE_23_29},
		{29, RETFED__V1__AGE_BAND__AGE_23_29},
		{30, RETFED__V1__AGE_BAND__AGE_30_49},
		{49, RETFED__V1__AGE_BAND__AGE_30_49},
		{50, RETFED__V1__AGE_BAND__AGE_50_64},
		{64, RETFED__V1__AGE_BAND__AGE_50_64},
		{65, RETFED__V1__AGE_BAND__AGE_65_79},
		{79, RETFED__V1__AGE_BAND__AGE_65_79},
		{80, RETFED__V1__AGE_BAND__AGE_80_PLUS},
		{100, RETFED__V1__AGE_BAND__AGE_80_PLUS},
		{130, RETFED__V1__AGE_BAND__AGE_80_PLUS},
	};
	Retfed__V1__AgeBand b = RETFED__V1__AGE_BAND__AGE_BAND_UNSPECIFIED;
	unsigned y;
	int lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(generalise_age_band(cases[i].years, &b),
				 GENERALISE_OK);
		assert_int_equal(b, cases[i].band);
	}
	/* Every age 0..130 has a band that contains it, never UNSPECIFIED. */
	for (y = 0; y <= 130; y++) {
		assert_int_equal(generalise_age_band(y, &b), GENERALISE_OK);
		assert_int_not_equal(b, RETFED__V1__AGE_BAND__AGE_BAND_UNSPECIFIED);
		generalise_age_band_range(b, &lo, &hi);
		assert_true((int)y >= lo && (hi < 0 || (int)y <= hi));
	}
	assert_int_equal(generalise_age_band(131, &b), GENERALISE_E_AGE);
	assert_int_equal(generalise_age_band_of("2008-02-29", "2026-03-01", &b),
			 GENERALISE_OK);
	assert_int_equal(b, RETFED__V1__AGE_BAND__AGE_18_22);
	assert_int_equal(generalise_age_band_of("2008-02-29", "2026-02-28", &b),
			 GENERALISE_OK);
	assert_int_equal(b, RETFED__V1__AGE_BAND__AGE_16_17);
}

static void
test_month_quarter(void **state)
{
	char out[8];
	char small[7];

	(void)state;
	assert_int_equal(generalise_month("2026-07-31", out, sizeof(out)), 0);
	assert_string_equal(out, "2026-07");
	assert_true(payload_period_valid(out));
	assert_int_equal(generalise_quarter("2026-07-31", out, sizeof(out)), 0);
	assert_string_equal(out, "2026-Q3");
	assert_true(payload_period_valid(out));
	assert_int_equal(generalise_quarter("2026-01-01", out, sizeof(out)), 0);
	assert_string_equal(out, "2026-Q1");
	assert_int_equal(generalise_quarter("2026-03-31", out, sizeof(out)), 0);
	assert_string_equal(out, "2026-Q1");
	assert_int_equal(generalise_quarter("2026-04-01", out, sizeof(out)), 0);
	assert_string_equal(out, "2026-Q2");
	assert_int_equal(generalise_quarter("2026-12-31 23:59", out,
					    sizeof(out)),
			 0);
	assert_string_equal(out, "2026-Q4");
	assert_int_equal(generalise_month("2026-02-30", out, sizeof(out)),
			 GENERALISE_E_IMPOSSIBLE);
	assert_int_equal(generalise_month("2026-07-31", small, sizeof(small)),
			 GENERALISE_E_SPACE);
	/* 2026-11-23T12:00:00Z and the last ms of 2024-02-29. */
	assert_int_equal(generalise_month_of_ms(1795435200000ULL, out,
						sizeof(out)),
			 0);
	assert_string_equal(out, "2026-11");
	assert_int_equal(generalise_month_of_ms(1709251199999ULL, out,
						sizeof(out)),
			 0);
	assert_string_equal(out, "2024-02");
	assert_int_equal(generalise_month_of_ms(0, out, sizeof(out)), 0);
	assert_string_equal(out, "1970-01");
}

static void
test_regions(void **state)
{
	static const struct {
		const char *name;
		enum generalise_region r;
	} cases[] = {
		{"Venlo", GENERALISE_REGION_NOORD_LIMBURG},
		{"  VENRAY ", GENERALISE_REGION_NOORD_LIMBURG},
		{"Bergen (L.)", GENERALISE_REGION_NOORD_LIMBURG},
		{"Bergen (Limburg)", GENERALISE_REGION_NOORD_LIMBURG},
		{"Horst aan de Maas", GENERALISE_REGION_NOORD_LIMBURG},
		{"gemeente Peel en Maas", GENERALISE_REGION_NOORD_LIMBURG},
		{"Roermond", GENERALISE_REGION_MIDDEN_LIMBURG},
		{"Echt-Susteren", GENERALISE_REGION_MIDDEN_LIMBURG},
		{"echt susteren", GENERALISE_REGION_MIDDEN_LIMBURG},
		{"Weert", GENERALISE_REGION_MIDDEN_LIMBURG},
		{"Maastricht", GENERALISE_REGION_ZUID_LIMBURG},
		{"Sittard-Geleen", GENERALISE_REGION_ZUID_LIMBURG},
		{"Eijsden-Margraten", GENERALISE_REGION_ZUID_LIMBURG},
		{"Valkenburg aan de Geul", GENERALISE_REGION_ZUID_LIMBURG},
		{"Beekdaelen", GENERALISE_REGION_ZUID_LIMBURG},
		{"Schinnen", GENERALISE_REGION_ZUID_LIMBURG},
		{"Hoorn", GENERALISE_REGION_WESTFRIESLAND},
		{"Stede Broec", GENERALISE_REGION_WESTFRIESLAND},
		{"Medemblik", GENERALISE_REGION_WESTFRIESLAND},
		{"Enkhuizen", GENERALISE_REGION_WESTFRIESLAND},
		/* Outside the four regions, ambiguous, or nonsense. */
		{"Amsterdam", GENERALISE_REGION_OTHER},
		{"Bergen", GENERALISE_REGION_OTHER},
		{"Bergen (NH)", GENERALISE_REGION_OTHER},
		{"Bergen op Zoom", GENERALISE_REGION_OTHER},
		{"Venloo", GENERALISE_REGION_OTHER},
		{"", GENERALISE_REGION_OTHER},
		{"gemeente", GENERALISE_REGION_OTHER},
		{"Kerkstraat 12, Venlo", GENERALISE_REGION_OTHER},
	};
	char longname[200];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum generalise_region r = generalise_region_of(cases[i].name);

		if (r != cases[i].r)
			fail_msg("%s: got %s", cases[i].name,
				 generalise_region_slug(r));
		/* The output is a region slug, never the input. */
		assert_string_not_equal(generalise_region_slug(r),
					cases[i].name);
	}
	assert_int_equal(generalise_region_of(NULL), GENERALISE_REGION_OTHER);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(generalise_region_of(longname),
			 GENERALISE_REGION_OTHER);
	assert_string_equal(generalise_region_slug(GENERALISE_REGION_OTHER),
			    "other");
	assert_string_equal(
		generalise_region_slug(GENERALISE_REGION_WESTFRIESLAND),
		"westfriesland");
}

static void
set(struct generalise_category *c, const char *key, uint32_t count)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->count = count;
}

static void
test_merge(void **state)
{
	struct generalise_category c[6];
	size_t n = 99;

	(void)state;
	/* Small ones sum to 6 >= 5: one "other" of 6 after the big ones. */
	set(&c[0], "gemeente", 20);
	set(&c[1], "gi", 2);
	set(&c[2], "zorgaanbieder", 9);
	set(&c[3], "ouder", 1);
	set(&c[4], "jongere", 3);
	assert_int_equal(generalise_merge_small(c, 5, 5, "other", &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].key, "gemeente");
	assert_string_equal(c[1].key, "zorgaanbieder");
	assert_string_equal(c[2].key, "other");
	assert_int_equal(c[2].count, 6);

	/* Small ones sum to 2: the smallest big one (9) joins them. */
	set(&c[0], "gemeente", 20);
	set(&c[1], "gi", 2);
	set(&c[2], "zorgaanbieder", 9);
	set(&c[3], "huisarts", 12);
	assert_int_equal(generalise_merge_small(c, 4, 5, "other", &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].key, "gemeente");
	assert_string_equal(c[1].key, "huisarts");
	assert_string_equal(c[2].key, "other");
	assert_int_equal(c[2].count, 11);

	/* Zeros alone add no category; an existing "other" is folded in. */
	set(&c[0], "gemeente", 20);
	set(&c[1], "gi", 0);
	assert_int_equal(generalise_merge_small(c, 2, 5, "other", &n), 0);
	assert_int_equal(n, 1);
	set(&c[0], "other", 7);
	set(&c[1], "gi", 1);
	set(&c[2], "gemeente", 8);
	assert_int_equal(generalise_merge_small(c, 3, 5, "other", &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].key, "gemeente");
	assert_string_equal(c[1].key, "other");
	assert_int_equal(c[1].count, 8);

	/* Everything small: one category, still small (suppression hides). */
	set(&c[0], "a", 1);
	set(&c[1], "b", 1);
	assert_int_equal(generalise_merge_small(c, 2, 5, "other", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(c[0].count, 2);

	/* Bad input changes nothing. */
	set(&c[0], "Bad Key", 1);
	n = 42;
	assert_int_equal(generalise_merge_small(c, 1, 5, "other", &n),
			 GENERALISE_E_KEY);
	assert_int_equal(n, 42);
	assert_string_equal(c[0].key, "Bad Key");
	assert_int_equal(generalise_merge_small(c, 0, 5, "Other", &n),
			 GENERALISE_E_KEY);
	assert_int_equal(generalise_merge_small(c, 0, 0, "other", &n),
			 GENERALISE_E_THRESHOLD);
}

/* Deterministic pseudo-random numbers, so a failure can be replayed. */
static uint32_t
next(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
	static const int d[12] = {31, 28, 31, 30, 31, 30,
				  31, 31, 30, 31, 30, 31};

	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/*
 * The age counted the long way: one year per anniversary on or before the
 * reference date, an anniversary of 29 February falling on 1 March in
 * common years. Compared with generalise_age() on random date pairs.
 */
static void
test_age_property(void **state)
{
	uint64_t seed = 1123;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		int by = 1900 + (int)(next(&seed) % 200);
		int bm = 1 + (int)(next(&seed) % 12);
		int bd = 1 + (int)(next(&seed) % (uint32_t)mdays(by, bm));
		int ry = by + (int)(next(&seed) % 120);
		int rm = 1 + (int)(next(&seed) % 12);
		int rd = 1 + (int)(next(&seed) % (uint32_t)mdays(ry, rm));
		char b[48], r[48];
		unsigned got = 0;
		int y, expect = 0;
		enum generalise_error e;

		if (i % 7 == 0) { /* plenty of leap-day births */
			by = 2000 + 4 * (int)(next(&seed) % 20);
			bm = 2;
			bd = 29;
		}
		snprintf(b, sizeof(b), "%04d-%02d-%02d", by, bm, bd);
		snprintf(r, sizeof(r), "%04d-%02d-%02d", ry, rm, rd);
		e = generalise_age(b, r, &got);
		if (ry < by || (ry == by && (rm < bm || (rm == bm && rd < bd)))) {
			assert_int_equal(e, GENERALISE_E_FUTURE);
			continue;
		}
		if (ry > 2199) {
			assert_int_equal(e, GENERALISE_E_IMPOSSIBLE);
			continue;
		}
		for (y = by + 1; y <= ry; y++) {
			int am = bm, ad = bd;

			if (bm == 2 && bd == 29 && !leap(y)) {
				am = 3;
				ad = 1;
			}
			if (am < rm || (am == rm && ad <= rd) || y < ry)
				expect++;
		}
		if (expect > 130) {
			assert_int_equal(e, GENERALISE_E_AGE);
			continue;
		}
		assert_int_equal(e, GENERALISE_OK);
		if ((int)got != expect)
			fail_msg("%s on %s: got %u, expected %d", b, r, got,
				 expect);
	}
}

/* Arbitrary bytes: no crash, and only one of the five region names. */
static void
test_garbage_input(void **state)
{
	uint64_t seed = 99;
	char buf[96], out[8];
	unsigned y;
	int i, j;

	(void)state;
	for (i = 0; i < 5000; i++) {
		int n = (int)(next(&seed) % (sizeof(buf) - 1));
		enum generalise_region reg;

		for (j = 0; j < n; j++)
			buf[j] = (char)(1 + next(&seed) % 255);
		buf[n] = '\0';
		reg = generalise_region_of(buf);
		assert_true(reg >= GENERALISE_REGION_OTHER &&
			    reg <= GENERALISE_REGION_WESTFRIESLAND);
		if (generalise_month(buf, out, sizeof(out)) == GENERALISE_OK)
			assert_int_equal(strlen(out), 7);
		y = 999;
		if (generalise_age(buf, "2026-01-01", &y) == GENERALISE_OK)
			assert_true(y <= GENERALISE_MAX_AGE);
		else
			assert_int_equal(y, 999);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_month_quarter),
		cmocka_unit_test(test_regions),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_age_property),
		cmocka_unit_test(test_garbage_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
