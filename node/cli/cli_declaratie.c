/*
 * cli_declaratie: `ret declaratie --periode P [--csv] [--json]`, what the
 * municipality pays for the overleg participants of a period: their
 * recorded hours times the rate of that year ([overleg] rate_YYYY in the
 * configuration), per participant and per organisation. Only the fixed
 * core unless [overleg] declare = all. A period whose year has no rate is
 * refused before anything is read.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_declaratie.h"
#include "node_stats.h"

enum {
	O_PERIOD = 1000,
	O_CSV,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"periode", required_argument, NULL, O_PERIOD},
    {"period", required_argument, NULL, O_PERIOD},
    {"csv", no_argument, NULL, O_CSV},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: ret declaratie --periode PERIOD [--csv | --json]\n"
	          "\n"
	          "The attendance hours of the meetings in a period (travel "
	          "and preparation\n"
	          "included) times the Consultatie en Advies rate of that "
	          "year, per\n"
	          "participant and per organisation. Only the fixed core "
	          "(kern) is declared\n"
	          "unless the configuration says declare = all.\n"
	          "\n"
	          "  --periode PERIOD  a year (2026), a quarter (2026-Q3) or a "
	          "month (2026-07)\n"
	          "  --csv             print CSV for the municipality's "
	          "administration\n"
	          "\n"
	          "The rates are in the configuration, one per year:\n"
	          "  [overleg]\n"
	          "  rate_2026 = 128.40\n"));
}

static void
csv_field(const char *s)
{
	int quote = strpbrk(s, ",;\"\n") != NULL;

	if (quote)
		putchar('"');
	if (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')
		putchar('\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	if (quote)
		putchar('"');
}

static const char *
money(json_t *o, const char *key, char buf[24])
{
	node_declaratie_euros(json_integer_value(json_object_get(o, key)), buf,
	                      24);
	return buf;
}

static void
print_csv(const char *period, json_t *j)
{
	json_t *row;
	size_t i;
	char h[24], c[24], r[24];

	node_declaratie_euros(
	    json_integer_value(json_object_get(j, "rate_cents")), r, sizeof(r));
	printf("period,name,organisation,kind,meetings,hours,rate_eur,amount_"
	       "eur\n");
	json_array_foreach(json_object_get(j, "participants"), i, row)
	{
		csv_field(period);
		putchar(',');
		csv_field(json_string_value(json_object_get(row, "name")));
		putchar(',');
		csv_field(
		    json_string_value(json_object_get(row, "organisation")));
		printf(",%s,%lld,%s,%s,%s\n",
		       json_string_value(json_object_get(row, "kind")),
		       (long long)json_integer_value(
		           json_object_get(row, "meetings")),
		       money(row, "hours_x100", h), r,
		       money(row, "amount_cents", c));
	}
}

static void
print_text(const char *period, json_t *j)
{
	json_t *row;
	size_t i;
	char h[24], c[24];

	printf(_("Declaration %s - rate EUR %s per hour, %s\n"), period,
	       money(j, "rate_cents", c),
	       strcmp(json_string_value(json_object_get(j, "scope")), "all") ==
	               0
	           ? _("all participants")
	           : _("fixed core (kern) only"));
	if (json_array_size(json_object_get(j, "participants")) == 0) {
		printf("%s\n", _("No attendance recorded in this period."));
		return;
	}
	printf("%-28s %-28s %-7s %8s %8s %12s\n", _("PARTICIPANT"),
	       _("ORGANISATION"), _("KIND"), _("MEETINGS"), _("HOURS"),
	       _("AMOUNT EUR"));
	json_array_foreach(json_object_get(j, "participants"), i, row)
	{
		printf("%-28s %-28s %-7s %8s %8s %12s\n", cli_str(row, "name"),
		       cli_str(row, "organisation"), cli_str(row, "kind"),
		       cli_str(row, "meetings"), money(row, "hours_x100", h),
		       money(row, "amount_cents", c));
	}
	printf("\n%s\n", _("Per organisation:"));
	json_array_foreach(json_object_get(j, "organisations"), i, row)
	{
		printf("  %-40s %8s %12s\n", cli_str(row, "organisation"),
		       money(row, "hours_x100", h),
		       money(row, "amount_cents", c));
	}
	printf(_("Total: %s hours, EUR %s\n"), money(j, "total_hours_x100", h),
	       money(j, "total_cents", c));
}

/*
 * The `declaratie` subcommand. Returns 0, 64 usage, 65 bad period, 69
 * database, 78 configuration (also: no rate for the period's year).
 */
int
cli_declaratie(int argc, char **argv)
{
	const char *period = NULL;
	char from[11], to[11], err[512] = "";
	struct cli_ctx ctx;
	enum node_status s;
	int64_t rate = 0;
	json_t *j = NULL;
	int c, rc, csv = 0, year;

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
		case O_CSV:
			csv = 1;
			break;
		default:
			return cli_bad_option("declaratie", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    "declaratie", _("unexpected argument '%s'"), argv[optind]);
	if (period == NULL)
		return cli_usage_error("declaratie", "%s",
		                       _("--periode is required"));
	if (csv && cli_options.json)
		return cli_usage_error(
		    "declaratie", "%s",
		    _("--csv and --json exclude each other"));
	if (node_stats_period_parse(period, from, to, NULL, err, sizeof(err)) !=
	    0) {
		cli_error(_("--periode: '%s' is not a period; write 2026, "
		            "2026-Q3 or 2026-07"),
		          period);
		return EX_DATAERR;
	}
	year = (from[0] - '0') * 1000 + (from[1] - '0') * 100 +
	       (from[2] - '0') * 10 + (from[3] - '0');
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	if (node_config_rate_cents(ctx.cfg, year, &rate) != 0) {
		cli_error(_("no rate for %d in the configuration: add rate_%d "
		            "= EUROS to [overleg]"),
		          year, year);
		cli_ctx_close(&ctx);
		return EX_CONFIG;
	}
	s = node_declaratie_compute(ctx.db, ctx.user, from, to, rate,
	                            node_config_declare_all(ctx.cfg), &j, err,
	                            sizeof(err));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
	} else {
		json_object_set_new(j, "period", json_string(period));
		if (ctx.json)
			rc = cli_print_json(j);
		else if (csv)
			print_csv(period, j);
		else
			print_text(period, j);
	}
	json_decref(j);
	cli_ctx_close(&ctx);
	return rc;
}
