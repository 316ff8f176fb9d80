/*
 * cli_monitor: `ret monitor export|opruimen|status`, the secretary's
 * export for the national Monitor Regionale Expertteams (node_monitor):
 * one CSV row per casus of a period, client numbers that are keyed
 * pseudonyms, open text through the scrubber; the file is created 0600,
 * never over an existing path, recorded and audited until `opruimen`
 * deletes it.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "node_monitor.h"
#include "node_stats.h"

enum {
	O_PERIOD = 1000,
	O_OUT,
	O_DRY_RUN,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"periode", required_argument, NULL, O_PERIOD},
    {"period", required_argument, NULL, O_PERIOD},
    {"out", required_argument, NULL, O_OUT},
    {"uit", required_argument, NULL, O_OUT},
    {"dry-run", no_argument, NULL, O_DRY_RUN},
    {"proef", no_argument, NULL, O_DRY_RUN},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: ret monitor export --periode PERIOD --out FILE.csv "
	      "[--dry-run]\n"
	      "       ret monitor status\n"
	      "       ret monitor opruimen\n"
	      "\n"
	      "  export    write one row per casus registered in the period "
	      "for the\n"
	      "            Monitor Regionale Expertteams: a client number that "
	      "is a keyed\n"
	      "            pseudonym (never BSN, name or birth date), age "
	      "band, indicators,\n"
	      "            lead times and the scrubbed summary. The file is "
	      "readable by\n"
	      "            you only (0600) and an existing file is never "
	      "overwritten.\n"
	      "            --dry-run shows the columns and the number of rows, "
	      "and\n"
	      "            writes nothing.\n"
	      "  status    list the exports that have not been deleted yet\n"
	      "  opruimen  delete every export file as soon as it has been "
	      "entered\n"
	      "\n"
	      "The file must not leave the RET: enter it in the monitor, then "
	      "run\n"
	      "'ret monitor opruimen'.\n"));
}

static int
print_exports(struct cli_ctx *ctx, json_t *arr, const char *none)
{
	json_t *row;
	size_t i;

	if (ctx->json)
		return cli_print_json(arr);
	if (json_array_size(arr) == 0) {
		printf("%s\n", none);
		return EX_OK;
	}
	json_array_foreach(arr, i, row)
	{
		printf(_("[%s] %s: %s (%s rows, %s by %s)%s\n"),
		       cli_str(row, "id"), cli_str(row, "period"),
		       cli_str(row, "path"), cli_str(row, "rows"),
		       cli_str(row, "created_at"), cli_str(row, "created_by"),
		       json_is_false(json_object_get(row, "exists"))
		           ? _(" - file already gone")
		           : "");
	}
	return EX_OK;
}

static int
do_export(struct cli_ctx *ctx, const char *period, const char *out, int dry_run)
{
	char from[11], to[11], err[512] = "";
	struct privacy_pseudonym *p = NULL;
	enum pseudonym_error perr = PSEUDONYM_OK;
	json_t *rows = NULL;
	enum node_status s;
	int64_t id = 0;
	size_t n;
	const char *const *cols = node_monitor_columns(&n);
	int rc = EX_OK;

	if (node_stats_period_parse(period, from, to, NULL, err, sizeof(err)) !=
	    0) {
		cli_error(_("--periode: '%s' is not a period; write 2026, "
		            "2026-Q3 or 2026-07"),
		          period);
		return EX_DATAERR;
	}
	p = privacy_pseudonym_from_keyfile(node_config_keys(ctx->cfg),
	                                   NODE_MONITOR_LABEL, &perr);
	if (p == NULL) {
		cli_error(_("cannot make client numbers: %s"),
		          privacy_pseudonym_strerror(perr));
		return EX_CONFIG;
	}
	s = node_monitor_rows(ctx->db, ctx->user, p, from, to, &rows, err,
	                      sizeof(err));
	privacy_pseudonym_destroy(&p);
	if (s != NODE_OK)
		return cli_fail(s, err);
	if (dry_run) {
		if (ctx->json) {
			json_t *c = json_array(), *j;
			for (size_t i = 0; i < n; i++)
				json_array_append_new(c, json_string(cols[i]));
			j = json_pack("{s:s, s:o, s:I, s:b}", "period", period,
			              "columns", c, "rows",
			              (json_int_t)json_array_size(rows),
			              "written", 0);
			rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
			json_decref(j);
		} else {
			printf(_("Dry run: %zu rows for %s would be written "
			         "with these columns:\n"),
			       json_array_size(rows), period);
			for (size_t i = 0; i < n; i++)
				printf("  %s\n", cols[i]);
			printf("%s\n", _("Nothing was written."));
		}
		json_decref(rows);
		return rc;
	}
	s = node_monitor_write(out, rows, err, sizeof(err));
	if (s != NODE_OK) {
		json_decref(rows);
		if (s == NODE_ERR_INVALID) {
			cli_error(_("%s already exists; the export never "
			            "overwrites a file. Choose another name or "
			            "delete it first."),
			          out);
			return EX_CANTCREAT;
		}
		cli_error(_("cannot write the export: %s"), err);
		return EX_CANTCREAT;
	}
	s = node_monitor_record(ctx->db, ctx->user, period, out,
	                        (int64_t)json_array_size(rows), &id, err,
	                        sizeof(err));
	if (s != NODE_OK) {
		/* An export nobody knows about would never be cleaned up. */
		(void)remove(out);
		json_decref(rows);
		return cli_fail(s, err);
	}
	if (ctx->json) {
		json_t *j =
		    json_pack("{s:I, s:s, s:s, s:I, s:b}", "id", (json_int_t)id,
		              "period", period, "path", out, "rows",
		              (json_int_t)json_array_size(rows), "written", 1);
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
	} else {
		printf(_("Monitor export %lld: %zu rows for %s written to %s "
		         "(readable by you only).\n"),
		       (long long)id, json_array_size(rows), period, out);
		printf("%s\n",
		       _("Enter it in the monitor, keep it inside the RET, and "
		         "delete it with 'ret monitor opruimen'."));
	}
	json_decref(rows);
	return rc;
}

/*
 * The `monitor` subcommand. Returns 0, 64 usage, 65 bad period, 69
 * database, 73 the file exists or cannot be written, 78 configuration.
 */
int
cli_monitor(int argc, char **argv)
{
	const char *period = NULL, *out = NULL, *verb;
	char err[512] = "";
	struct cli_ctx ctx;
	enum node_status s;
	json_t *arr = NULL;
	int c, rc, dry_run = 0;

	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		return cli_bad_option("monitor", c, argv);
	}
	if (optind >= argc)
		return cli_usage_error("monitor", "%s", _("missing command"));
	verb = argv[optind];
	argc -= optind;
	argv += optind;
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
		case O_DRY_RUN:
			dry_run = 1;
			break;
		default:
			return cli_bad_option("monitor", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("monitor", _("unexpected argument '%s'"),
		                       argv[optind]);
	if (strcmp(verb, "export") == 0) {
		struct stat sb;
		if (period == NULL)
			return cli_usage_error(
			    "monitor", "%s",
			    _("export: --periode is required"));
		if (out == NULL && !dry_run)
			return cli_usage_error(
			    "monitor", "%s",
			    _("export: --out is required (or --dry-run)"));
		if (out != NULL && !dry_run && lstat(out, &sb) == 0) {
			cli_error(_("%s already exists; the export never "
			            "overwrites a file. Choose another name or "
			            "delete it first."),
			          out);
			return EX_CANTCREAT;
		}
	} else if (strcmp(verb, "opruimen") == 0 ||
	           strcmp(verb, "status") == 0) {
		if (period != NULL || out != NULL || dry_run)
			return cli_usage_error(
			    "monitor", _("%s takes no options but --json"),
			    verb);
	} else {
		return cli_usage_error("monitor", _("unknown command '%s'"),
		                       verb);
	}
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY |
	                            (verb[0] == 'e' ? CLI_NEED_KEYS : 0));
	if (rc != 0)
		return rc;
	if (verb[0] == 'e') {
		rc = do_export(&ctx, period, out, dry_run);
	} else if (verb[0] == 's') {
		s = node_monitor_open(ctx.db, &arr, err, sizeof(err));
		rc = s != NODE_OK
		         ? cli_fail(s, err)
		         : print_exports(&ctx, arr,
		                         _("No monitor exports on disk."));
	} else {
		s = node_monitor_cleanup(ctx.db, ctx.user, &arr, err,
		                         sizeof(err));
		if (s != NODE_OK) {
			cli_error(_("an export could not be deleted: %s"), err);
			rc = EX_IOERR;
		} else if (!ctx.json) {
			json_t *row;
			size_t i;
			if (json_array_size(arr) == 0)
				printf("%s\n", _("There was no monitor export "
				                 "to delete."));
			json_array_foreach(arr, i, row)
			{
				printf(_("Deleted %s (export %s of %s).\n"),
				       cli_str(row, "path"), cli_str(row, "id"),
				       cli_str(row, "period"));
			}
		} else {
			rc = cli_print_json(arr);
		}
	}
	json_decref(arr);
	cli_ctx_close(&ctx);
	return rc;
}
