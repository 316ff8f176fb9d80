/*
 * cli_dashboard: `ret dashboard --period P [--out FILE.html] [--regio
 * FILE.json ...] [--json]`, the regional dashboard of a period.
 *
 * The figures come from the case register (node_stats), are suppressed
 * with the configured threshold (suppression_threshold, default 5) and
 * only then shown: as a self-contained HTML page with --out, as JSON with
 * --json ({"current", "previous", "out"}), else as text. --regio adds the
 * summary of another region (a JSON file as `ret --json dashboard`
 * prints under "current") to the regions side by side. Reading the
 * register is recorded in the audit log.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node_dashboard.h"
#include "node_history.h"
#include "node_stats.h"

/*
 * The `dashboard` subcommand; argv[0] is its name. Returns a sysexits
 * code: 0 ok, 64 usage, 65 bad period or region file, 69 database, 73
 * the output file cannot be written, 78 configuration.
 */
int cli_dashboard(int argc, char **argv);

#define REGIONS_MAX 16

enum {
	O_PERIOD = 1000,
	O_OUT,
	O_REGION,
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"period", required_argument, NULL, O_PERIOD},
	{"periode", required_argument, NULL, O_PERIOD},
	{"out", required_argument, NULL, O_OUT},
	{"uit", required_argument, NULL, O_OUT},
	{"regio", required_argument, NULL, O_REGION},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "%s", _(
		"Usage: ret dashboard --period PERIOD [--out FILE.html] [--regio FILE.json]... [--json]\n"
		"\n"
		"The figures of a period from the case register, with small numbers\n"
		"hidden (\"<5\") as in learning summaries, next to the previous period.\n"
		"\n"
		"  --period PERIOD   a year (2026), a quarter (2026-Q3) or a month (2026-07)\n"
		"  --out FILE.html   write the dashboard as one self-contained HTML page\n"
		"                    (no network requests; prints well on A4)\n"
		"  --regio FILE      add another region's summary (JSON, as printed by\n"
		"                    'ret --json dashboard' under \"current\") to the\n"
		"                    regions side by side; up to 16\n"
		"  --json            print the suppressed figures as JSON\n"
		"\n"
		"Without --out the figures are printed as text.\n"
		"\n"
		"Examples:\n"
		"  ret dashboard --period 2026 --out dashboard-2026.html\n"
		"  ret --json dashboard --period 2026-Q3\n"));
}

/* Read and check one region file into *ret. 0, or an exit code. */
static int
read_region(const char *path, struct node_stats_summary *ret)
{
	json_error_t jerr;
	char err[256] = "";
	json_t *j, *cur;
	enum node_status s;

	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		cli_error(_("cannot read region file %s: %s (line %d)"), path,
			  jerr.text, jerr.line);
		return EX_DATAERR;
	}
	/* Accept a whole `ret --json dashboard` answer too. */
	cur = json_object_get(j, "current");
	s = node_stats_summary_from_json(cur != NULL ? cur : j, ret, err,
					 sizeof(err));
	json_decref(j);
	if (s != NODE_OK) {
		cli_error(_("region file %s: %s"), path, err);
		return s == NODE_ERR_NOMEM ? EX_SOFTWARE : EX_DATAERR;
	}
	return 0;
}

/* Write the page to path through a temporary file and a rename. */
static int
write_file(const char *path, const char *data, size_t len)
{
	char tmp[4096];
	FILE *f;
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		cli_error(_("output path is too long: %.60s..."), path);
		return EX_USAGE;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		cli_error(_("cannot write %s: %s"), path, strerror(errno));
		return EX_CANTCREAT;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0) {
		cli_error(_("cannot write %s: %s"), path, strerror(errno));
		fclose(f);
		remove(tmp);
		return EX_IOERR;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		cli_error(_("cannot write %s: %s"), path, strerror(errno));
		remove(tmp);
		return EX_IOERR;
	}
	return 0;
}

static const char *
cell(const struct node_stats_summary *s, const struct node_stats_cell *c)
{
	static char bufs[4][16];
	static unsigned next;
	char *b = bufs[next++ % 4];

	return node_stats_cell_text(s, c, b, sizeof(bufs[0]));
}

static void
print_list(const char *title, const struct node_stats_summary *s,
	   const struct node_stats_list *l)
{
	printf("%s\n", title);
	for (size_t i = 0; i < l->n; i++)
		printf("  %-22s %6s\n", l->cell[i].key, cell(s, &l->cell[i]));
}

static void
print_median(const char *title, const struct node_stats_summary *s,
	     const struct node_stats_cell *m, const struct node_stats_cell *n,
	     int has)
{
	if (!has)
		printf(_("%s: no cases\n"), title);
	else if (m->hidden)
		printf(_("%s: hidden (over %s cases)\n"), title, cell(s, n));
	else
		printf(_("%s: %u days (over %s cases)\n"), title,
		       (unsigned)m->count, cell(s, n));
}

static void
print_text(const struct node_stats_summary *s, const struct node_stats_summary *p)
{
	printf(_("Period %s (small numbers below %u hidden); previous period %s\n"),
	       s->period, (unsigned)s->threshold, p->period);
	printf(_("Registrations:  %6s  (previous %s)\n"), cell(s, &s->registrations),
	       cell(p, &p->registrations));
	printf(_("Discussed:      %6s  (previous %s)\n"), cell(s, &s->discussed),
	       cell(p, &p->discussed));
	printf(_("Cancelled:      %6s  (previous %s)\n"), cell(s, &s->cancelled),
	       cell(p, &p->cancelled));
	printf(_("Referred:       %6s  (previous %s)\n"), cell(s, &s->referred),
	       cell(p, &p->referred));
	printf(_("Consultations:  %6s  (previous %s)\n"), cell(s, &s->consultations),
	       cell(p, &p->consultations));
	print_list(_("Registrations per month:"), s, &s->by_month);
	print_list(_("By who registered:"), s, &s->by_registrant);
	print_list(_("By question type:"), s, &s->by_question_type);
	print_list(_("By phase:"), s, &s->by_phase);
	print_list(_("Closed cases by outcome:"), s, &s->by_outcome);
	print_list(_("Bottleneck themes:"), s, &s->themes);
	print_median(_("Median days from aanmelding to overleg"), s,
		     &s->median_days_to_overleg, &s->n_to_overleg,
		     s->has_median_to_overleg);
	print_median(_("Median days from aanmelding to afsluiting"), s,
		     &s->median_days_to_close, &s->n_to_close,
		     s->has_median_to_close);
}

int
cli_dashboard(int argc, char **argv)
{
	const char *period = NULL, *out = NULL, *region_files[REGIONS_MAX];
	struct node_stats_summary *regions = NULL;
	struct node_stats *raw = NULL;
	struct node_stats_summary cur, prev;
	struct node_dashboard d;
	size_t n_region_files = 0, n_regions = 0, n_earlier = 0;
	char err[512] = "", today[16];
	struct cli_ctx ctx;
	enum node_status s;
	char *html = NULL;
	size_t html_len = 0;
	time_t now;
	struct tm tm;
	int c, rc, threshold;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_PERIOD:
			period = optarg;
			break;
		case O_OUT:
			out = optarg;
			break;
		case O_REGION:
			if (n_region_files >= REGIONS_MAX)
				return cli_usage_error("dashboard",
						       _("at most %d --regio files"),
						       REGIONS_MAX);
			region_files[n_region_files++] = optarg;
			break;
		default:
			return cli_bad_option("dashboard", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("dashboard", _("unexpected argument '%s'"),
				       argv[optind]);
	if (period == NULL)
		return cli_usage_error("dashboard", "%s", _("--period is required"));
	if (out != NULL && out[0] == '\0')
		return cli_usage_error("dashboard", "%s", _("--out needs a file name"));
	{
		char f[11], t[11];
		if (node_stats_period_parse(period, f, t, NULL, err,
					    sizeof(err)) != 0) {
			cli_error("%s", err);
			return EX_DATAERR;
		}
	}
	if (n_region_files > 0) {
		/* One slot more for this region's own summary. */
		regions = calloc(n_region_files + 1, sizeof(*regions));
		if (regions == NULL)
			return EX_SOFTWARE;
		for (size_t i = 0; i < n_region_files; i++)
			if ((rc = read_region(region_files[i],
					      &regions[1 + i])) != 0) {
				free(regions);
				return rc;
			}
	}

	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0) {
		free(regions);
		return rc;
	}
	threshold = node_config_suppression_threshold(ctx.cfg);
	raw = calloc(1, sizeof(*raw));
	if (raw == NULL) {
		rc = EX_SOFTWARE;
		goto done;
	}
	s = node_stats_compute(ctx.db, ctx.user, node_config_party(ctx.cfg),
			       period, raw, err, sizeof(err));
	/* Both periods are held to this region's own published learning
	 * summaries (node_history), so the dashboard never shows a figure
	 * that reveals a cell hidden in one of them. */
	if (s == NODE_OK)
		s = node_history_suppress(ctx.db, node_config_party(ctx.cfg),
					  &raw->cur, (uint32_t)threshold, &cur,
					  &n_earlier, err, sizeof(err));
	if (s == NODE_OK)
		s = node_history_suppress(ctx.db, node_config_party(ctx.cfg),
					  &raw->prev, (uint32_t)threshold,
					  &prev, &n_earlier, err, sizeof(err));
	/* The raw figures are never shown: drop them at once. */
	memset(raw, 0, sizeof(*raw));
	if (s == NODE_ERR_INVALID && n_earlier > 0) {
		cli_error("%s (%s)", NODE_HISTORY_REFUSAL_NL, err);
		rc = EX_DATAERR;
		goto done;
	}
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		goto done;
	}
	if (regions != NULL) {
		regions[0] = cur;
		n_regions = n_region_files + 1;
	}
	if (out != NULL) {
		now = time(NULL);
		if (gmtime_r(&now, &tm) == NULL ||
		    strftime(today, sizeof(today), "%Y-%m-%d", &tm) == 0)
			today[0] = '\0';
		memset(&d, 0, sizeof(d));
		d.region = node_config_party(ctx.cfg);
		d.generated = today[0] ? today : NULL;
		d.cur = &cur;
		d.prev = &prev;
		d.regions = regions;
		d.n_regions = n_regions;
		s = node_dashboard_render(&d, &html, &html_len, err, sizeof(err));
		if (s != NODE_OK) {
			rc = cli_fail(s, err);
			goto done;
		}
		if ((rc = write_file(out, html, html_len)) != 0)
			goto done;
	}
	if (ctx.json) {
		json_t *j = json_object();
		if (j == NULL ||
		    json_object_set_new(j, "current", node_stats_summary_json(&cur)) != 0 ||
		    json_object_set_new(j, "previous", node_stats_summary_json(&prev)) != 0 ||
		    json_object_set_new(j, "out", out ? json_string(out) : json_null()) != 0) {
			json_decref(j);
			rc = EX_SOFTWARE;
			goto done;
		}
		if ((rc = cli_status_dashboard_notes(&ctx, period, threshold, j)) != 0) {
			json_decref(j);
			goto done;
		}
		rc = cli_print_json(j);
		json_decref(j);
	} else if (out != NULL) {
		printf(_("Dashboard of %s written to %s.\n"), period, out);
		(void)cli_status_monitor_reminder(&ctx, stdout);
	} else {
		print_text(&cur, &prev);
		rc = cli_status_dashboard_notes(&ctx, period, threshold, NULL);
	}
done:
	free(html);
	free(raw);
	free(regions);
	cli_ctx_close(&ctx);
	return rc;
}
