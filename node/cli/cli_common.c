/*
 * cli_common: configuration, database and user for every `ret`
 * subcommand, exit codes, and the printing helpers they share.
 */
#include "cli.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_options cli_options;

int
cli_common_option(int opt, const char *arg)
{
	switch (opt) {
	case 'c':
		cli_options.config = arg;
		return 1;
	case 'u':
		cli_options.user = arg;
		return 1;
	case 'j':
		cli_options.json = true;
		return 1;
	default:
		return 0;
	}
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ret: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_exit_code(enum node_status s)
{
	switch (s) {
	case NODE_OK:
		return EX_OK;
	case NODE_ERR_INVALID:
	case NODE_ERR_NOT_FOUND:
	case NODE_ERR_TRANSITION:
	case NODE_ERR_TAMPERED:
		return EX_DATAERR;
	case NODE_ERR_DB:
	case NODE_ERR_SCHEMA:
		return EX_UNAVAILABLE;
	case NODE_ERR_BUSY:
		return EX_TEMPFAIL;
	case NODE_ERR_NOMEM:
		break;
	}
	return EX_SOFTWARE;
}

int
cli_fail(enum node_status s, const char *detail)
{
	const char *what;

	switch (s) {
	case NODE_ERR_INVALID:
		what = _("invalid input");
		break;
	case NODE_ERR_NOT_FOUND:
		what = _("not found");
		break;
	case NODE_ERR_TRANSITION:
		what = _("this phase change is not allowed");
		break;
	case NODE_ERR_DB:
		what = _("the database is not available");
		break;
	case NODE_ERR_SCHEMA:
		what = _("the database does not match this program");
		break;
	case NODE_ERR_BUSY:
		what = _("the database is busy; try again later");
		break;
	case NODE_ERR_TAMPERED:
		what = _("the audit log has been tampered with");
		break;
	default:
		what = _("internal error");
		break;
	}
	if (detail != NULL && detail[0] != '\0')
		cli_error("%s: %s", what, detail);
	else
		cli_error("%s", what);
	return cli_exit_code(s);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ret: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fprintf(stderr, _("Try 'ret %s --help'.\n"), cmd);
	return EX_USAGE;
}

int
cli_bad_option(const char *cmd, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	if (c == ':')
		return cli_usage_error(cmd, _("option '%s' needs a value"), opt);
	if (optopt != 0)
		return cli_usage_error(cmd, _("unknown option '-%c'"), optopt);
	return cli_usage_error(cmd, _("unknown option '%s'"), opt);
}

int
cli_check_list(const char *flag, enum node_vocab v, const char *list)
{
	char buf[256], *p, *next;

	if (list == NULL || list[0] == '\0')
		return 0;
	if (strlen(list) >= sizeof(buf)) {
		cli_error(_("%s: the list is too long"), flag);
		return EX_DATAERR;
	}
	snprintf(buf, sizeof(buf), "%s", list);
	for (p = buf; p != NULL; p = next) {
		int rc;
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		for (char *e = p + strlen(p); e > p && e[-1] == ' ';)
			*--e = '\0';
		if ((rc = cli_check_vocab(flag, v, p)) != 0)
			return rc;
	}
	return 0;
}

int
cli_parse_id(const char *cmd, const char *what, const char *s, int64_t *ret)
{
	char *end = NULL;
	long long v;

	if (s == NULL)
		return cli_usage_error(cmd, _("missing %s"), what);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v <= 0)
		return cli_usage_error(cmd, _("%s must be a positive number, not '%s'"),
				       what, s);
	*ret = (int64_t)v;
	return 0;
}

int
cli_check_vocab(const char *flag, enum node_vocab v, const char *s)
{
	size_t n;
	const char *const *vals;

	if (s == NULL || node_register_vocab_valid(v, s))
		return 0;
	vals = node_register_vocab(v, &n);
	fprintf(stderr, _("ret: %s: '%s' is not a valid value; choose from:"),
		flag, s);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", vals[i]);
	fputc('\n', stderr);
	return EX_DATAERR;
}

int
cli_check_date(const char *flag, const char *s)
{
	if (s == NULL || node_register_date_valid(s))
		return 0;
	cli_error(_("%s: '%s' is not a date; write YYYY-MM-DD"), flag, s);
	return EX_DATAERR;
}

static int
user_valid(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-' || c == '@'))
			return 0;
	}
	return 1;
}

static int
resolve_user(struct cli_ctx *ctx)
{
	const char *u = cli_options.user;

	if (u == NULL || u[0] == '\0')
		u = getenv("RET_USER");
	if (u == NULL || u[0] == '\0') {
		struct passwd *pw = getpwuid(geteuid());
		u = pw != NULL ? pw->pw_name : NULL;
	}
	if (u == NULL || u[0] == '\0') {
		cli_error("%s", _("cannot tell who you are: give --user NAME or set RET_USER"));
		return EX_USAGE;
	}
	if (!user_valid(u)) {
		cli_error(_("--user: '%s' is not a valid user name (1 to 64 of a-z, A-Z, 0-9, '.', '_', '-', '@')"),
			  u);
		return EX_USAGE;
	}
	snprintf(ctx->user_buf, sizeof(ctx->user_buf), "%s", u);
	ctx->user = ctx->user_buf;
	return 0;
}

int
cli_ctx_open(struct cli_ctx *ctx, unsigned flags)
{
	const char *path = cli_options.config;
	char err[512] = "";
	enum node_status s;
	const char *env;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->json = cli_options.json;
	if ((rc = resolve_user(ctx)) != 0)
		return rc;
	if (path == NULL || path[0] == '\0')
		path = getenv("RET_CONFIG");
	if (path == NULL || path[0] == '\0')
		path = NODE_CONFIG_DEFAULT_PATH;
	ctx->cfg = (flags & CLI_NEED_KEYS) ? node_config_load(path, err, sizeof(err))
					   : node_config_read(path, err, sizeof(err));
	if (ctx->cfg == NULL) {
		cli_error(_("configuration error: %s"), err);
		return EX_CONFIG;
	}
	if ((flags & CLI_REGION_ONLY) &&
	    node_config_role(ctx->cfg) != PARTY_REGION) {
		cli_error(_("%s is a BEN desk and keeps no case register; this command is for RET regions"),
			  node_config_party(ctx->cfg));
		cli_ctx_close(ctx);
		return EX_CONFIG;
	}
	if (!(flags & (CLI_NEED_DB | CLI_CREATE_DB)))
		return 0;
	s = node_db_open(node_config_database(ctx->cfg),
			 (flags & CLI_CREATE_DB) ? NODE_DB_CREATE : 0, &ctx->db,
			 err, sizeof(err));
	if (s != NODE_OK) {
		if (s == NODE_ERR_BUSY)
			rc = cli_fail(s, err);
		else {
			cli_error(_("cannot open the database (did you run 'ret init'?): %s"),
				  err);
			rc = EX_UNAVAILABLE;
		}
		cli_ctx_close(ctx);
		return rc;
	}
	env = getenv("RET_BUSY_TIMEOUT_MS");
	if (env != NULL && env[0] != '\0') {
		char *end = NULL;
		long ms = strtol(env, &end, 10);
		if (end != env && *end == '\0' && ms >= 0 && ms <= 600000)
			node_db_set_busy_timeout(ctx->db, (int)ms);
	}
	if (flags & CLI_CREATE_DB)
		return 0;
	if (node_config_role(ctx->cfg) == PARTY_REGION) {
		s = node_register_check(ctx->db, err, sizeof(err));
		if (s != NODE_OK) {
			rc = cli_fail(s, err);
			cli_ctx_close(ctx);
			return rc;
		}
	}
	return 0;
}

void
cli_ctx_close(struct cli_ctx *ctx)
{
	node_db_close(&ctx->db);
	node_config_destroy(&ctx->cfg);
}

int
cli_print_json(json_t *j)
{
	if (json_dumpf(j, stdout, JSON_SORT_KEYS | JSON_INDENT(2)) != 0)
		return EX_SOFTWARE;
	fputc('\n', stdout);
	return fflush(stdout) == 0 ? 0 : EX_IOERR;
}

const char *
cli_str(json_t *obj, const char *key)
{
	/* A few rotating buffers, so one printf may show several numbers. */
	static char num[8][32];
	static unsigned next;
	json_t *v = json_object_get(obj, key);

	if (json_is_string(v))
		return json_string_length(v) > 0 ? json_string_value(v) : "-";
	if (json_is_integer(v)) {
		char *buf = num[next++ % 8];
		snprintf(buf, sizeof(num[0]), "%lld",
			 (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_true(v))
		return _("yes");
	if (json_is_false(v))
		return _("no");
	return "-";
}
