/*
 * cli_init: `ret init` creates the node database or brings its schema up
 * to date: the audit log, the case register (regions only; a desk keeps
 * no personal data) and the messaging tables of the sync daemon.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "node_audit.h"
#include "node_outbox.h"

static void
usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: ret init [--config FILE] [--user NAME] [--json]\n"
			   "\n"
			   "Create the database named in the configuration, or upgrade its\n"
			   "schema. Safe to run again; refuses a database made by a newer\n"
			   "program.\n"
			   "\n"
			   "Example:\n"
			   "  ret --config /etc/ret/noord-limburg.conf init\n"));
}

/*
 * `ret init`: create or migrate the database of the configured node.
 * Returns a sysexits exit code (see cli.h).
 */
int
cli_init(int argc, char **argv)
{
	static const struct option longopts[] = {CLI_COMMON_LONGOPTS,
						 {NULL, 0, NULL, 0}};
	struct node_msg_error merr;
	struct cli_ctx ctx;
	enum node_status s;
	char err[512] = "";
	int c, rc, v_audit = 0, v_register = 0, v_messaging = 0;
	int region;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		return cli_bad_option("init", c, argv);
	}
	if (optind < argc)
		return cli_usage_error("init", _("unexpected argument '%s'"),
				       argv[optind]);
	rc = cli_ctx_open(&ctx, CLI_CREATE_DB);
	if (rc != 0)
		return rc;
	region = node_config_role(ctx.cfg) == PARTY_REGION;
	s = region ? node_register_migrate(ctx.db, err, sizeof(err))
		   : node_audit_migrate(ctx.db, err, sizeof(err));
	if (s == NODE_OK) {
		memset(&merr, 0, sizeof(merr));
		s = node_outbox_migrate(ctx.db, &merr);
		if (s != NODE_OK)
			snprintf(err, sizeof(err), "%s", merr.detail);
	}
	if (s == NODE_OK)
		s = node_audit_log(ctx.db, ctx.user, "db.init", 0, NULL, err,
				   sizeof(err));
	if (s == NODE_OK &&
	    ((s = node_db_version(ctx.db, "audit", &v_audit)) != NODE_OK ||
	     (s = node_db_version(ctx.db, "register", &v_register)) != NODE_OK ||
	     (s = node_db_version(ctx.db, NODE_OUTBOX_COMPONENT, &v_messaging)) !=
		     NODE_OK))
		snprintf(err, sizeof(err), "%s", sqlite3_errmsg(ctx.db));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		cli_ctx_close(&ctx);
		return rc;
	}
	if (ctx.json) {
		json_t *j = json_pack("{s:s, s:s, s:{s:i, s:i, s:i}}", "database",
				      node_config_database(ctx.cfg), "party",
				      node_config_party(ctx.cfg), "schema",
				      "audit", v_audit, "register", v_register,
				      "messaging", v_messaging);
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
	} else {
		printf(_("Database %s is ready for %s.\n"),
		       node_config_database(ctx.cfg), node_config_party(ctx.cfg));
		printf(_("Schema versions: audit %d, register %d, messaging %d.\n"),
		       v_audit, v_register, v_messaging);
		rc = EX_OK;
	}
	cli_ctx_close(&ctx);
	return rc;
}
