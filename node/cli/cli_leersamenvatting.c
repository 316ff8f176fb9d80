/*
 * cli_leersamenvatting: `ret leersamenvatting maak` builds the learning
 * summary of a period from the register (small cells suppressed exactly
 * as the dashboard shows them, lessons scrubbed) and queues it for the
 * BEN's desks and all other regions; `ret leersamenvatting vergelijk`
 * shows the received summaries of all regions side by side, this
 * region's own included.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "node_apply.h"
#include "node_audit.h"
#include "node_build.h"
#include "node_dashboard.h"
#include "node_stats.h"
#include "node_summary.h"
#include "party.h"

int cli_leersamenvatting(int argc, char **argv);

enum {
	O_PERIOD = 256,
	O_LESSON,
	O_PREVIEW,
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"periode", required_argument, NULL, O_PERIOD},
	{"les", required_argument, NULL, O_LESSON},
	{"preview", no_argument, NULL, O_PREVIEW},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: ret leersamenvatting maak --periode PERIODE [--les TEKST]... [--preview] [--json]\n"
		  "       ret leersamenvatting vergelijk [--periode PERIODE] [--json]\n"
		  "\n"
		  "maak       build the learning summary of a period (2026, 2026-Q3 or 2026-07)\n"
		  "           from the register and send it to the BEN's desks and all other\n"
		  "           regions; small cells are hidden exactly as on the dashboard\n"
		  "vergelijk  the learning summaries of all regions side by side\n"
		  "\n"
		  "  --periode P   the period\n"
		  "  --les TEKST   a lesson (rode draad), at most 10, each at most 500 bytes;\n"
		  "                it passes the scrubber before it leaves\n"
		  "  --preview     show exactly what would leave; send nothing\n"
		  "\n"
		  "Examples:\n"
		  "  ret leersamenvatting maak --periode 2026 --les \"Vroeg de school aan tafel.\" --preview\n"
		  "  ret leersamenvatting vergelijk --periode 2026\n"));
}

static int
summary_make(const char *period, const char *const *lessons, size_t n,
	     bool preview)
{
	struct cli_ctx ctx;
	struct node_summary_draft *d = NULL;
	struct node_summary_error e;
	struct node_msg_error merr;
	uint8_t id[MSGID_LEN];
	char err[256] = "", hex[MSGID_HEX_LEN];
	enum node_status s;
	int rc;

	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY |
					(preview ? 0 : CLI_NEED_KEYS));
	if (rc != 0)
		return rc;
	s = node_apply_migrate(ctx.db, PARTY_REGION, err, sizeof(err));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		goto out;
	}
	memset(&e, 0, sizeof(e));
	s = node_summary_build(ctx.db, ctx.user, node_config_party(ctx.cfg),
			       period,
			       (uint32_t)node_config_suppression_threshold(ctx.cfg),
			       lessons, n, &d, &e);
	if (s != NODE_OK) {
		if (e.lesson > 0)
			cli_error(_("--les %u: %s"), e.lesson, e.detail);
		else
			cli_error("%s", e.detail);
		rc = s == NODE_ERR_INVALID ? EX_DATAERR : cli_exit_code(s);
		goto out;
	}
	if (preview) {
		json_t *p = NULL;

		s = node_build_preview(node_summary_body(d), &p);
		if (s != NODE_OK) {
			rc = cli_fail(s, "preview");
			goto out;
		}
		if (ctx.json) {
			json_t *o = json_pack("{s:b, s:O}", "preview", 1,
					      "message", p);
			rc = o != NULL ? cli_print_json(o) : EX_SOFTWARE;
			json_decref(o);
		} else {
			printf("%s", _("Preview: exactly this would leave the node (nothing was queued):\n"));
			rc = node_build_preview_print(p, stdout) == 0 ? EX_OK
								       : EX_IOERR;
		}
		json_decref(p);
		goto out;
	}
	if (node_config_keys(ctx.cfg) == NULL) {
		cli_error("%s", _("the key file of this region could not be read"));
		rc = EX_CONFIG;
		goto out;
	}
	/* Queued and kept as the own summary in one transaction. */
	memset(&merr, 0, sizeof(merr));
	s = node_outbox_queue(ctx.db, node_config_keys(ctx.cfg), ctx.user,
			      node_summary_guarded(d), NULL, id, &merr);
	if (s != NODE_OK) {
		rc = cli_fail(s, merr.detail);
		goto out;
	}
	msgid_to_hex(id, hex);
	if (ctx.json) {
		json_t *o = json_pack("{s:s, s:s}", "message_id", hex, "period",
				      period);
		rc = o != NULL ? cli_print_json(o) : EX_SOFTWARE;
		json_decref(o);
	} else {
		printf(_("Learning summary %s queued as message %s; it goes to the BEN's desks and all other regions.\n"),
		       period, hex);
		rc = EX_OK;
	}
out:
	node_summary_destroy(&d);
	cli_ctx_close(&ctx);
	return rc;
}

/* The published text of a cell object ({count} or {hidden}), or "-". */
static const char *
cell_text(json_t *c, char *buf, size_t len)
{
	json_t *count = json_object_get(c, "count");
	json_t *hidden = json_object_get(c, "hidden");

	if (json_is_integer(count))
		snprintf(buf, len, "%lld", (long long)json_integer_value(count));
	else if (json_is_string(hidden))
		snprintf(buf, len, "%s", json_string_value(hidden));
	else
		snprintf(buf, len, "-");
	return buf;
}

/* The cell of key `key` in list `list` of summary s, or NULL. */
static json_t *
list_cell(json_t *s, const char *list, const char *key)
{
	json_t *arr = json_object_get(s, list);

	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);
		if (strcmp(cli_str(c, "key"), key) == 0)
			return c;
	}
	return NULL;
}

static void
print_row(const char *label, json_t *const *cells, size_t n)
{
	char buf[16];

	printf("%-40s", label);
	for (size_t i = 0; i < n; i++)
		printf("  %14s", cell_text(cells[i], buf, sizeof(buf)));
	printf("\n");
}

/* One period: rows of figures, a column per region. */
static void
print_period(json_t *arr, size_t from, size_t to)
{
	static const char *const heads[] = {"registrations", "discussed",
					    "cancelled", "referred",
					    "consultations"};
	static const char *const lists[] = {"by_registrant", "by_question_type",
					    "by_outcome", "bottleneck_themes"};
	static const char *const medians[] = {"days_to_overleg",
					      "days_to_close"};
	json_t *cells[64];
	size_t n = to - from < 64 ? to - from : 64;
	char name[64], label[80];

	printf(_("\nPeriod %s\n"), cli_str(json_array_get(arr, from), "period"));
	printf("%-40s", "");
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, from + i);
		node_dashboard_region_name(cli_str(s, "region"), name,
					   sizeof(name));
		printf("  %14.14s", name);
	}
	printf("\n");
	for (size_t h = 0; h < 5; h++) {
		for (size_t i = 0; i < n; i++)
			cells[i] = json_object_get(json_array_get(arr, from + i),
						   heads[h]);
		print_row(heads[h], cells, n);
	}
	for (size_t m = 0; m < 2; m++) {
		for (size_t i = 0; i < n; i++)
			cells[i] = json_object_get(
				json_object_get(json_array_get(arr, from + i),
						medians[m]),
				"days");
		snprintf(label, sizeof(label), "median %s", medians[m]);
		print_row(label, cells, n);
	}
	for (size_t l = 0; l < 4; l++) {
		/* Every key any region has, in the order first seen. */
		for (size_t i = 0; i < n; i++) {
			json_t *list = json_object_get(
				json_array_get(arr, from + i), lists[l]);
			for (size_t k = 0; k < json_array_size(list); k++) {
				const char *key =
					cli_str(json_array_get(list, k), "key");
				int seen = 0;
				for (size_t p = 0; p < i && !seen; p++)
					seen = list_cell(json_array_get(arr,
									from + p),
							 lists[l], key) != NULL;
				if (seen)
					continue;
				for (size_t r = 0; r < n; r++)
					cells[r] = list_cell(
						json_array_get(arr, from + r),
						lists[l], key);
				snprintf(label, sizeof(label), "%s: %s",
					 lists[l], key);
				print_row(label, cells, n);
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, from + i);
		json_t *lessons = json_object_get(s, "lessons");

		node_dashboard_region_name(cli_str(s, "region"), name,
					   sizeof(name));
		for (size_t k = 0; k < json_array_size(lessons); k++)
			printf(_("Lesson (%s): %s\n"), name,
			       json_string_value(json_array_get(lessons, k)));
	}
}

static int
summary_compare(const char *period)
{
	struct cli_ctx ctx;
	char err[256] = "", detail[64];
	enum node_status s;
	json_t *arr = NULL;
	int rc;

	rc = cli_ctx_open(&ctx, CLI_NEED_DB);
	if (rc != 0)
		return rc;
	s = node_apply_migrate(ctx.db, node_config_role(ctx.cfg), err,
			       sizeof(err));
	if (s == NODE_OK)
		s = node_summary_compare(ctx.db, period, &arr, err,
					 sizeof(err));
	if (s == NODE_OK) {
		snprintf(detail, sizeof(detail), "period=%s count=%zu",
			 period != NULL ? period : "*", json_array_size(arr));
		s = node_audit_log(ctx.db, ctx.user, "summary.compare", 0,
				   detail, err, sizeof(err));
	}
	if (s != NODE_OK) {
		json_decref(arr);
		rc = cli_fail(s, err);
		cli_ctx_close(&ctx);
		return rc;
	}
	if (ctx.json) {
		rc = cli_print_json(arr);
	} else if (json_array_size(arr) == 0) {
		printf("%s\n", _("No learning summaries yet."));
		rc = EX_OK;
	} else {
		size_t from = 0;

		printf("%s\n", _("Hidden cells: \"<T\" below the threshold T, \"x\" hidden to protect another cell."));
		while (from < json_array_size(arr)) {
			const char *p = cli_str(json_array_get(arr, from), "period");
			size_t to = from + 1;

			while (to < json_array_size(arr) &&
			       strcmp(cli_str(json_array_get(arr, to), "period"),
				      p) == 0)
				to++;
			print_period(arr, from, to);
			from = to;
		}
		rc = EX_OK;
	}
	json_decref(arr);
	cli_ctx_close(&ctx);
	return rc;
}

/*
 * `ret leersamenvatting maak|vergelijk ...`: see usage(). Returns a sysexits
 * code.
 */
int
cli_leersamenvatting(int argc, char **argv)
{
	const char *lessons[NODE_SUMMARY_MAX_LESSONS];
	const char *period = NULL, *verb;
	bool preview = false;
	size_t n = 0;
	char from[11], to[11], perr[128];
	int c;

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
		case O_LESSON:
			if (n >= NODE_SUMMARY_MAX_LESSONS)
				return cli_usage_error("leersamenvatting", "%s",
						       _("at most 10 lessons (--les)"));
			lessons[n++] = optarg;
			break;
		case O_PREVIEW:
			preview = true;
			break;
		default:
			return cli_bad_option("leersamenvatting", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("leersamenvatting", "%s",
				       _("say what to do: maak or vergelijk"));
	verb = argv[optind];
	if (optind + 1 < argc)
		return cli_usage_error("leersamenvatting",
				       _("unexpected argument '%s'"),
				       argv[optind + 1]);
	if (period != NULL &&
	    node_stats_period_parse(period, from, to, NULL, perr,
				    sizeof(perr)) != 0)
		return cli_usage_error("leersamenvatting", "--periode: %s", perr);
	if (strcmp(verb, "maak") == 0 || strcmp(verb, "make") == 0) {
		if (period == NULL)
			return cli_usage_error("leersamenvatting", "%s",
					       _("maak: --periode is required"));
		return summary_make(period, lessons, n, preview);
	}
	if (strcmp(verb, "vergelijk") == 0 || strcmp(verb, "compare") == 0) {
		if (n > 0 || preview)
			return cli_usage_error("leersamenvatting", "%s",
					       _("vergelijk takes no --les or --preview"));
		return summary_compare(period);
	}
	return cli_usage_error("leersamenvatting",
			       _("unknown action '%s' (maak or vergelijk)"), verb);
}
