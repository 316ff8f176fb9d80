/*
 * cli_status: `ret status`, what needs the secretary's attention now:
 * monitor exports still on disk (they must be deleted as soon as they are
 * entered), open cases whose client was not yet informed, and evaluation
 * forms past their deadline for a coming overleg.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "node_clientinfo.h"
#include "node_monitor.h"
#include "node_stats.h"

int
cli_status_monitor_reminder(struct cli_ctx *ctx, FILE *f)
{
	char err[256];
	json_t *arr = NULL, *row;
	size_t i;
	int n = 0;

	if (ctx->db == NULL ||
	    node_monitor_open(ctx->db, &arr, err, sizeof(err)) != NODE_OK)
		return 0;
	json_array_foreach(arr, i, row)
	{
		if (!json_is_true(json_object_get(row, "exists")))
			continue;
		n++;
		if (f != NULL)
			fprintf(f,
			        _("Reminder: monitor export %s is still on "
			          "disk (%s); delete it with 'ret monitor "
			          "opruimen' once it is entered.\n"),
			        cli_str(row, "path"), cli_str(row, "period"));
	}
	json_decref(arr);
	return n;
}

static const char *
small(int64_t v, int threshold, char buf[24])
{
	if (v > 0 && v < threshold)
		snprintf(buf, 24, "<%d", threshold);
	else
		snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

int
cli_status_dashboard_notes(struct cli_ctx *ctx, const char *period,
                           int threshold, json_t *j)
{
	char from[11], to[11], err[512] = "", a[24], b[24];
	json_t *counts = NULL;
	enum node_status s;
	int64_t cc, cq;
	int exports;

	if (node_stats_period_parse(period, from, to, NULL, err, sizeof(err)) !=
	    0)
		return EX_DATAERR;
	s = node_clientinfo_counts(ctx->db, ctx->user, from, to, &counts, err,
	                           sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	cc = json_integer_value(json_object_get(counts, "complaint_cases"));
	cq = json_integer_value(
	    json_object_get(counts, "complaint_consultations"));
	exports = cli_status_monitor_reminder(ctx, NULL);
	if (j != NULL) {
		/* Small counts hidden as in the rest of the dashboard. */
		json_object_set_new(counts, "complaint_cases",
		                    json_string(small(cc, threshold, a)));
		json_object_set_new(counts, "complaint_consultations",
		                    json_string(small(cq, threshold, b)));
		json_object_del(counts, "consultations_by_outcome");
		json_object_set_new(counts, "monitor_exports_on_disk",
		                    json_integer(exports));
		json_object_set_new(j, "around", counts);
		return 0;
	}
	printf(_("Referred to a complaints procedure or vertrouwenspersoon: %s "
	         "cases, %s consultations\n"),
	       small(cc, threshold, a), small(cq, threshold, b));
	printf(
	    _("Open cases whose jeugdige/ouders have not been informed: %s\n"),
	    cli_str(counts, "uninformed"));
	json_decref(counts);
	(void)cli_status_monitor_reminder(ctx, stdout);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: ret status [--json]\n"
	          "\n"
	          "What needs attention: monitor exports that still exist, "
	          "open cases whose\n"
	          "jeugdige/ouders have not been informed yet, and evaluation "
	          "forms past\n"
	          "their deadline for a coming meeting.\n"));
}

/* The `status` subcommand: 0, or 69/75/78 when the register is unusable. */
int
cli_status(int argc, char **argv)
{
	static const struct option longopts[] = {CLI_COMMON_LONGOPTS,
	                                         {NULL, 0, NULL, 0}};
	struct node_casus_filter flt = {0};
	json_t *exports = NULL, *uninformed = NULL, *overdue = NULL, *row,
	       *late;
	char err[512] = "";
	struct cli_ctx ctx;
	enum node_status s;
	size_t i;
	int c, rc;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		return cli_bad_option("status", c, argv);
	}
	if (optind < argc)
		return cli_usage_error("status", _("unexpected argument '%s'"),
		                       argv[optind]);
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	flt.overdue = 1;
	if ((s = node_monitor_open(ctx.db, &exports, err, sizeof(err))) !=
	        NODE_OK ||
	    (s = node_clientinfo_uninformed(ctx.db, ctx.user, &uninformed, err,
	                                    sizeof(err))) != NODE_OK ||
	    (s = node_register_casus_list(ctx.db, ctx.user, &flt, &overdue, err,
	                                  sizeof(err))) != NODE_OK) {
		rc = cli_fail(s, err);
		goto out;
	}
	late = json_array();
	json_array_foreach(overdue, i, row)
	{
		if (json_is_true(json_object_get(row, "evaluation_overdue")))
			json_array_append_new(
			    late,
			    json_pack("{s:O, s:O}", "id",
			              json_object_get(row, "id"),
			              "evaluation_due",
			              json_object_get(row, "evaluation_due")));
	}
	if (ctx.json) {
		json_t *j = json_pack("{s:O, s:O, s:o}", "monitor_exports",
		                      exports, "uninformed", uninformed,
		                      "evaluation_overdue", late);
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
		goto out;
	}
	if (cli_status_monitor_reminder(&ctx, stdout) == 0)
		printf("%s\n", _("No monitor export on disk."));
	if (json_array_size(uninformed) == 0)
		printf("%s\n", _("Every open casus has a record that the "
		                 "client was informed."));
	else {
		printf(_("Open cases without a record that the jeugdige/ouders "
		         "were informed (%zu):"),
		       json_array_size(uninformed));
		json_array_foreach(uninformed, i, row)
		{
			printf(" %s", cli_str(row, "id"));
		}
		printf("\n");
	}
	if (json_array_size(late) == 0)
		printf("%s\n", _("No evaluation form is overdue."));
	json_array_foreach(late, i, row)
	{
		printf(_("Evaluation form of casus %s overdue since %s.\n"),
		       cli_str(row, "id"), cli_str(row, "evaluation_due"));
	}
	json_decref(late);
out:
	json_decref(exports);
	json_decref(uninformed);
	json_decref(overdue);
	cli_ctx_close(&ctx);
	return rc;
}
