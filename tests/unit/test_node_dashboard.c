/*
 * test_node_dashboard: the structure of the dashboard page. The CSP meta
 * tag is there, nothing refers to a network resource, there is no script,
 * every chart has a title, a description and a table after it, hostile
 * strings are escaped, a hidden cell never shows a number (not even when
 * the struct carries one by mistake) and unsuppressed figures are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "node_dashboard.h"
#include "node_stats.h"

static void
cell(struct node_stats_cell *c, const char *key, uint32_t n)
{
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->count = n;
	c->hidden = NODE_STATS_SHOWN;
}

static void
list(struct node_stats_list *l, const char *const *keys,
     const uint32_t *counts, size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n; i++)
		cell(&l->cell[i], keys[i], counts[i]);
	l->n = n;
}

/*
 * Raw figures of a region for 2026 with `reg` registrations: 17 like RET
 * Noord-Limburg's 2022 dashboard (10 gemeente, 6 gi, 1 onderwijs).
 */
static void
raw(struct node_stats_summary *s, const char *region, const char *period,
    uint32_t scale)
{
	static const char *const months[] = {"2026-01", "2026-02", "2026-03",
					     "2026-04", "2026-05", "2026-06",
					     "2026-07", "2026-08", "2026-09",
					     "2026-10", "2026-11", "2026-12"};
	static const uint32_t mcount[] = {1, 2, 1, 2, 1, 1, 2, 1, 2, 1, 2, 1};
	static const char *const regs[] = {"gemeente", "gi", "onderwijs"};
	static const uint32_t rcount[] = {10, 6, 1};
	static const char *const qs[] = {"verblijf_wachtlijst",
					 "passend_aanbod", "overgang_18"};
	static const uint32_t qcount[] = {9, 6, 2};
	static const char *const phases[] = {
		"aanmelding", "triage", "overleg", "monitoren", "afgesloten",
		"geannuleerd", "doorverwezen"};
	static const uint32_t pcount[] = {0, 1, 2, 3, 6, 5, 0};
	static const char *const outs[] = {"opgelost", "deels_opgelost",
					   "niet_opgelost", "other",
					   "unknown"};
	static const uint32_t ocount[] = {3, 2, 1, 0, 0};
	static const char *const themes[] = {"wachtlijsten", "regie",
					     "kleinschalig_wonen"};
	static const uint32_t tcount[] = {9, 3, 6};
	uint32_t c[12];

	memset(s, 0, sizeof(*s));
	snprintf(s->region, sizeof(s->region), "%s", region);
	snprintf(s->period, sizeof(s->period), "%s", period);
	for (size_t i = 0; i < 12; i++)
		c[i] = mcount[i] * scale;
	list(&s->by_month, months, c, 12);
	for (size_t i = 0; i < 3; i++)
		c[i] = rcount[i] * scale;
	list(&s->by_registrant, regs, c, 3);
	for (size_t i = 0; i < 3; i++)
		c[i] = qcount[i] * scale;
	list(&s->by_question_type, qs, c, 3);
	for (size_t i = 0; i < 7; i++)
		c[i] = pcount[i] * scale;
	list(&s->by_phase, phases, c, 7);
	for (size_t i = 0; i < 5; i++)
		c[i] = ocount[i] * scale;
	list(&s->by_outcome, outs, c, 5);
	for (size_t i = 0; i < 3; i++)
		c[i] = tcount[i] * scale;
	list(&s->themes, themes, c, 3);
	cell(&s->registrations, "registrations", 17 * scale);
	cell(&s->discussed, "discussed", 11 * scale);
	cell(&s->cancelled, "cancelled", 5 * scale);
	cell(&s->referred, "referred", 0);
	cell(&s->consultations, "consultations", 4 * scale);
	cell(&s->median_days_to_overleg, "m1", 23);
	cell(&s->n_to_overleg, "n1", 11 * scale);
	cell(&s->median_days_to_close, "m2", 161);
	cell(&s->n_to_close, "n2", 6 * scale);
	s->has_median_to_overleg = s->has_median_to_close = 1;
}

static void
suppressed(struct node_stats_summary *s, const char *region,
	   const char *period, uint32_t scale)
{
	struct node_stats_summary r;
	char err[256] = "";

	raw(&r, region, period, scale);
	if (node_stats_suppress(&r, 5, s, err, sizeof(err)) != NODE_OK)
		fail_msg("suppress: %s", err);
}

static char *
render(const struct node_dashboard *d)
{
	char err[256] = "";
	char *html = NULL;
	size_t len = 0;

	if (node_dashboard_render(d, &html, &len, err, sizeof(err)) != NODE_OK)
		fail_msg("render: %s", err);
	assert_int_equal(strlen(html), len);
	return html;
}

static size_t
occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The checks every page must pass. */
static void
check_page(const char *html)
{
	const char *p;
	size_t figures;

	assert_non_null(strstr(html, "<html lang=\"nl\">"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(
		html, "<meta http-equiv=\"Content-Security-Policy\" content=\""
		      "default-src 'none'; style-src 'unsafe-inline';"
		      " img-src data:\">"));
	/* No resource reference of any kind. */
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "//"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<iframe"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "href="));
	/* Every chart: a title and description, then its table. */
	figures = occurrences(html, "<figure>");
	assert_true(figures >= 1);
	assert_int_equal(occurrences(html, "<svg "), figures);
	assert_int_equal(occurrences(html, "role=\"img\""), figures);
	assert_int_equal(occurrences(html, "<title id=\"t"), figures);
	assert_int_equal(occurrences(html, "<desc id=\"d"), figures);
	for (p = html; (p = strstr(p, "</figure>")) != NULL; p++) {
		const char *next = p + strlen("</figure>");
		if (strncmp(next, "<table>", 7) != 0 &&
		    strncmp(next, "<div class=\"wide\"><table>", 25) != 0)
			fail_msg("a chart without its table: %.60s", next);
	}
	/* Every data table has a caption and header cells. */
	assert_int_equal(occurrences(html, "<table>"),
			 occurrences(html, "<caption>"));
	assert_non_null(strstr(html, "@media print"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "name=\"viewport\""));
}

static void
test_structure(void **state)
{
	struct node_stats_summary cur, prev;
	struct node_dashboard d = {0};
	char *html;

	(void)state;
	suppressed(&cur, "region:noord-limburg", "2026", 3);
	suppressed(&prev, "region:noord-limburg", "2025", 1);
	d.region = "region:noord-limburg";
	d.generated = "2026-11-23";
	d.cur = &cur;
	d.prev = &prev;
	html = render(&d);
	check_page(html);
	assert_non_null(strstr(html, "Dashboard RET Noord-Limburg"));
	assert_non_null(strstr(html, "Aanmeldingen per maand"));
	assert_non_null(strstr(html, "Wie meldde aan"));
	assert_non_null(strstr(html, "Soort vraag"));
	assert_non_null(strstr(html, "Fase en uitkomst"));
	assert_non_null(strstr(html, "Doorlooptijden"));
	assert_non_null(strstr(html, "Knelpunten"));
	assert_non_null(strstr(html, "Vergelijking met de vorige periode"));
	assert_null(strstr(html, "Regio&#39;s naast elkaar"));
	/* 51 registrations shown, 30 from municipalities: 59% */
	assert_non_null(strstr(html, ">51<"));
	assert_non_null(strstr(html, ">59%<"));
	/* the previous year (17) shows its small cells as <5 */
	assert_non_null(strstr(html, "&lt;5"));
	free(html);
}

/* Replace every count of every hidden cell with n (a bug elsewhere). */
static void
poison(struct node_stats_summary *s, uint32_t n)
{
	struct node_stats_list *lists[] = {
		&s->by_month, &s->by_registrant, &s->by_question_type,
		&s->by_phase, &s->by_outcome, &s->themes};
	struct node_stats_cell *cells[] = {
		&s->registrations, &s->discussed, &s->cancelled, &s->referred,
		&s->consultations, &s->median_days_to_overleg,
		&s->median_days_to_close, &s->n_to_overleg, &s->n_to_close};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		for (size_t k = 0; k < lists[i]->n; k++)
			if (lists[i]->cell[k].hidden)
				lists[i]->cell[k].count = n;
	for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++)
		if (cells[i]->hidden)
			cells[i]->count = n;
}

static void
test_hidden_cells_never_show_a_number(void **state)
{
	struct node_stats_summary cur, prev, regions[2];
	struct node_dashboard d = {0};
	char *html;

	(void)state;
	suppressed(&cur, "region:noord-limburg", "2026", 1);
	suppressed(&prev, "region:noord-limburg", "2025", 1);
	suppressed(&regions[1], "region:westfriesland", "2026", 1);
	regions[0] = cur;
	/* the 2026 period of 17 has hidden cells: <5 and x */
	assert_int_equal(cur.referred.hidden, 0); /* 0 is shown */
	assert_int_not_equal(cur.by_registrant.cell[2].hidden, 0);
	poison(&cur, 4242);
	poison(&prev, 4242);
	poison(&regions[0], 4242);
	poison(&regions[1], 4242);
	d.region = "region:noord-limburg";
	d.cur = &cur;
	d.prev = &prev;
	d.regions = regions;
	d.n_regions = 2;
	html = render(&d);
	check_page(html);
	assert_null(strstr(html, "4242"));
	assert_non_null(strstr(html, "&lt;5"));
	assert_non_null(strstr(html, "Regio&#39;s naast elkaar"));
	assert_non_null(strstr(html, "Westfriesland"));
	free(html);
}

static void
test_escapes_hostile_strings(void **state)
{
	struct node_stats_summary cur, regions[2];
	struct node_dashboard d = {0};
	char *html;

	(void)state;
	suppressed(&cur, "region:noord-limburg", "2026", 2);
	suppressed(&regions[1], "region:<script>alert(1)</script>", "2026", 2);
	regions[0] = cur;
	/* keys are checked on the way in; the page escapes them anyway */
	snprintf(cur.themes.cell[0].key, sizeof(cur.themes.cell[0].key),
		 "\"><img src=x onerror=alert(2)>");
	snprintf(cur.by_month.cell[0].key, sizeof(cur.by_month.cell[0].key),
		 "<b>&'");
	d.region = "region:<i>x</i>";
	d.generated = "2026-11-23<script>";
	d.cur = &cur;
	d.regions = regions;
	d.n_regions = 2;
	html = render(&d);
	check_page(html);
	assert_null(strstr(html, "<i>"));
	assert_null(strstr(html, "<b>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
	assert_non_null(strstr(html, "&lt;b&gt;&amp;&#39;"));
	free(html);
}

static void
test_refuses_unsuppressed(void **state)
{
	struct node_stats_summary r, s, regions[1];
	struct node_dashboard d = {0};
	char err[256] = "";
	char *html = NULL;

	(void)state;
	raw(&r, "region:noord-limburg", "2026", 1);
	d.region = "region:noord-limburg";
	d.cur = &r;
	assert_int_equal(node_dashboard_render(&d, &html, NULL, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_non_null(strstr(err, "not suppressed"));
	assert_null(html);
	suppressed(&s, "region:noord-limburg", "2026", 1);
	regions[0] = r;
	d.cur = &s;
	d.regions = regions;
	d.n_regions = 1;
	assert_int_equal(node_dashboard_render(&d, &html, NULL, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_null(html);
	d.cur = NULL;
	d.n_regions = 0;
	assert_int_equal(node_dashboard_render(&d, &html, NULL, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_null(html);
}

static void
test_desk_regions_only(void **state)
{
	struct node_stats_summary regions[3];
	struct node_dashboard d = {0};
	char *html;

	(void)state;
	suppressed(&regions[0], "region:noord-limburg", "2026", 1);
	suppressed(&regions[1], "region:midden-limburg", "2026", 2);
	suppressed(&regions[2], "region:zuid-limburg", "2026", 3);
	d.region = "desk:bel-roermond";
	d.regions = regions;
	d.n_regions = 3;
	html = render(&d);
	check_page(html);
	assert_non_null(strstr(html, "s van Bel-Roermond</h1>"));
	assert_non_null(strstr(html, "Midden-Limburg"));
	assert_non_null(strstr(html, "Zuid-Limburg"));
	free(html);
}

static void
test_region_name(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(node_dashboard_region_name("region:noord-limburg",
						       out, sizeof(out)),
			    "Noord-Limburg");
	assert_string_equal(node_dashboard_region_name("region:westfriesland",
						       out, sizeof(out)),
			    "Westfriesland");
	assert_string_equal(node_dashboard_region_name(NULL, out, sizeof(out)),
			    "");
	assert_string_equal(node_dashboard_region_name("region:abcdef", out, 4),
			    "Abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_hidden_cells_never_show_a_number),
		cmocka_unit_test(test_escapes_hostile_strings),
		cmocka_unit_test(test_refuses_unsuppressed),
		cmocka_unit_test(test_desk_regions_only),
		cmocka_unit_test(test_region_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
