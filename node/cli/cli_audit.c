/*
 * cli_audit: `ret audit verify` walks the hash chain of the audit log;
 * `ret audit lijst` shows its last rows. Showing the log is itself logged.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"

static void
usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: ret audit verify [--json]\n"
			   "       ret audit lijst [--casus ID] [--limit N] [--json]\n"
			   "\n"
			   "verify  check that no row of the audit log was changed, removed or\n"
			   "        reordered (exit status 65 if one was)\n"
			   "lijst   show the last N rows (default 50), optionally of one casus\n"
			   "\n"
			   "Examples:\n"
			   "  ret audit verify\n"
			   "  ret audit lijst --casus 12 --limit 20\n"));
}

static int
audit_verify(struct cli_ctx *ctx)
{
	char err[256] = "";
	int64_t rows = 0, bad = 0;
	enum node_status s;
	int rc = EX_OK;

	s = node_audit_verify(ctx->db, &rows, &bad, err, sizeof(err));
	if (s != NODE_OK && s != NODE_ERR_TAMPERED)
		return cli_fail(s, err);
	if (ctx->json) {
		json_t *j = s == NODE_OK
				    ? json_pack("{s:b, s:I}", "ok", 1, "rows",
						(json_int_t)rows)
				    : json_pack("{s:b, s:I, s:s}", "ok", 0,
						"first_bad_row", (json_int_t)bad,
						"error", err);
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
	} else if (s == NODE_OK) {
		printf(_("The audit log is intact: %lld rows verified.\n"),
		       (long long)rows);
	} else {
		cli_error(_("the audit log has been tampered with, first at row %lld: %s"),
			  (long long)bad, err);
	}
	if (s == NODE_ERR_TAMPERED)
		return EX_DATAERR;
	/* Verifying is a read of the log: record it. */
	s = node_audit_log(ctx->db, ctx->user, "audit.verify", 0, NULL, err,
			   sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	return rc;
}

static int
audit_list(struct cli_ctx *ctx, int64_t casus, int limit)
{
	char err[256] = "", detail[64];
	json_t *rows = NULL, *row;
	enum node_status s;
	size_t i;
	int rc = EX_OK;

	s = node_audit_list(ctx->db, casus, limit, &rows, err, sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(rows));
	s = node_audit_log(ctx->db, ctx->user, "audit.list", casus, detail, err,
			   sizeof(err));
	if (s != NODE_OK) {
		json_decref(rows);
		return cli_fail(s, err);
	}
	if (ctx->json) {
		rc = cli_print_json(rows);
	} else {
		json_array_foreach(rows, i, row)
		{
			printf("%6s  %s  %-12s %-18s %s=%s %s\n",
			       cli_str(row, "seq"), cli_str(row, "at"),
			       cli_str(row, "user"), cli_str(row, "action"),
			       _("casus"), cli_str(row, "casus_id"),
			       cli_str(row, "detail"));
		}
	}
	json_decref(rows);
	return rc;
}

/*
 * `ret audit verify|lijst`: check the hash chain or show the last rows.
 * Returns a sysexits exit code (see cli.h); 65 when the chain is broken.
 */
int
cli_audit(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"casus", required_argument, NULL, 'C'},
		{"limit", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	struct cli_ctx ctx;
	const char *verb;
	int64_t casus = 0, limit = 50;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		return cli_bad_option("audit", c, argv);
	}
	if (optind >= argc)
		return cli_usage_error("audit", "%s", _("missing subcommand: verify or lijst"));
	verb = argv[optind];
	/* Options may also follow the verb. */
	argc -= optind;
	argv += optind;
	optind = 0; /* 0: GNU getopt starts afresh on the new argv */
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'C':
			if ((rc = cli_parse_id("audit", "--casus", optarg, &casus)) != 0)
				return rc;
			break;
		case 'n':
			if ((rc = cli_parse_id("audit", "--limit", optarg, &limit)) != 0)
				return rc;
			if (limit > 10000)
				return cli_usage_error("audit", "%s",
						       _("--limit must be at most 10000"));
			break;
		default:
			return cli_bad_option("audit", c, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error("audit", _("unexpected argument '%s'"),
				       argv[optind]);
	if (strcmp(verb, "verify") != 0 && strcmp(verb, "lijst") != 0 &&
	    strcmp(verb, "list") != 0)
		return cli_usage_error("audit", _("unknown subcommand '%s'"), verb);
	rc = cli_ctx_open(&ctx, CLI_NEED_DB);
	if (rc != 0)
		return rc;
	if (strcmp(verb, "verify") == 0)
		rc = audit_verify(&ctx);
	else
		rc = audit_list(&ctx, casus, (int)limit);
	cli_ctx_close(&ctx);
	return rc;
}
