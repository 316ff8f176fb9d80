/*
 * cli: what the subcommands of the `ret` CLI share.
 *
 * cli_main.c holds the subcommand table (in the manner of wireguard's
 * wg.c): `ret [--config FILE] [--user NAME] [--json] COMMAND [ARGS]`.
 * Each subcommand lives in its own cli_<group>.c with one entry point
 * `int cli_<group>(int argc, char **argv)` that returns a sysexits exit
 * code; argv[0] is the subcommand's name. The common options may also be
 * given after the subcommand (CLI_COMMON_LONGOPTS + cli_common_option()).
 *
 * Exit codes (stable, documented in docs/node.md):
 *   0 ok, 64 usage error, 65 bad data (invalid value, unknown casus,
 *   refused transition, audit chain broken), 69 database or relay
 *   unavailable, 70 internal error, 75 try again later (database busy),
 *   78 bad configuration.
 *
 * What people read (help, messages, errors) goes through gettext with
 * English message ids: wrap it in _(). --json output, logs and exit codes
 * never depend on the locale.
 */
#ifndef RET_CLI_H
#define RET_CLI_H

#include <getopt.h>
#include <libintl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_config.h"
#include "node_db.h"
#include "node_register.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* A subcommand: its name, the function, a one-line English summary. */
struct cli_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* msgid; translated when printed */
};

/* The parsed common options (set by main and by cli_common_option). */
struct cli_options {
	const char *config; /* --config FILE, else $RET_CONFIG, else default */
	const char *user;   /* --user NAME, else $RET_USER, else login name */
	bool json;          /* --json */
};

extern struct cli_options cli_options;

/* Long options every subcommand accepts; see cli_common_option(). */
#define CLI_COMMON_LONGOPTS                                                  \
	{"config", required_argument, NULL, 'c'},                            \
		{"user", required_argument, NULL, 'u'},                      \
		{"json", no_argument, NULL, 'j'},                            \
		{"help", no_argument, NULL, 'h'}

/*
 * Short option letters matching CLI_COMMON_LONGOPTS. The leading ':' makes
 * getopt return ':' for a missing value, so cli_bad_option() can say so.
 */
#define CLI_COMMON_SHORTOPTS ":c:u:jh"

/*
 * Handle one of the common options (c, u, j). Returns 1 if it was one of
 * them, 0 otherwise (the caller handles 'h' itself).
 */
int cli_common_option(int opt, const char *arg);

/* What a command needs from cli_ctx_open(). */
enum {
	CLI_NEED_DB = 1u << 0,     /* open the database, check the schema */
	CLI_CREATE_DB = 1u << 1,   /* create and migrate it (ret init) */
	CLI_REGION_ONLY = 1u << 2, /* refuse on a desk: no case register */
	CLI_NEED_KEYS = 1u << 3,   /* read the secret key file too */
};

/* The loaded configuration, database and user of one command run. */
struct cli_ctx {
	struct node_config *cfg;
	sqlite3 *db;
	const char *user;
	bool json;
	char user_buf[65];
};

/*
 * Load the configuration, resolve the user and open the database as asked
 * by flags. Returns 0, or an exit code after printing a message (78 for
 * configuration errors, 69 when the database cannot be used, 75 busy).
 */
int cli_ctx_open(struct cli_ctx *ctx, unsigned flags)
	__attribute__((warn_unused_result));

/* Release everything cli_ctx_open() acquired. Safe on a zeroed ctx. */
void cli_ctx_close(struct cli_ctx *ctx);

/* Print "ret: " and a formatted message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The exit code for a node_status. */
int cli_exit_code(enum node_status s);

/*
 * Report a failed library call: a translated sentence for the kind of
 * failure followed by the library's detail. Returns the exit code.
 */
int cli_fail(enum node_status s, const char *detail);

/* Print a usage error (and a hint to --help) and return EX_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report what getopt_long returned for a bad option (c is '?' or ':'),
 * naming the option; returns EX_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv);

/*
 * Check a comma-separated list of vocabulary values for option `flag`.
 * Returns 0, or prints the bad value and the allowed ones (EX_DATAERR).
 */
int cli_check_list(const char *flag, enum node_vocab v, const char *list);

/*
 * Parse a positive decimal id for argument `what`. Returns 0, or prints a
 * usage error naming the argument and returns EX_USAGE.
 */
int cli_parse_id(const char *cmd, const char *what, const char *s,
		 int64_t *ret) __attribute__((warn_unused_result));

/*
 * Check a value of a closed vocabulary given for option `flag`. Returns 0,
 * or prints which values are allowed and returns EX_DATAERR.
 */
int cli_check_vocab(const char *flag, enum node_vocab v, const char *s);

/* Check a YYYY-MM-DD date for option `flag`: 0 or EX_DATAERR. */
int cli_check_date(const char *flag, const char *s);

/* Print j to stdout with sorted keys and a newline. Returns 0 or 70. */
int cli_print_json(json_t *j);

/*
 * A JSON field as text for human output ("-" for null, empty or absent).
 * Numbers are formatted into one of 8 rotating static buffers.
 */
const char *cli_str(json_t *obj, const char *key);

/* Subcommand entry points. */
int cli_init(int argc, char **argv);
int cli_casus(int argc, char **argv);
int cli_consultatie(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_privacy(int argc, char **argv);
int cli_outbox(int argc, char **argv);
int cli_inbox(int argc, char **argv);
int cli_overleg(int argc, char **argv);
int cli_declaratie(int argc, char **argv);
int cli_monitor(int argc, char **argv);
int cli_status(int argc, char **argv);

/*
 * `ret consultatie bevestiging|uitkomst ...` (cli_bevestiging.c); argv[0]
 * is the verb. Returns a sysexits exit code.
 */
int cli_consultatie_around(int argc, char **argv);

/*
 * The reminders of cli_status.c for other commands: print to f one line
 * per monitor export still on disk and return how many there are (0 when
 * the database cannot tell).
 */
int cli_status_monitor_reminder(struct cli_ctx *ctx, FILE *f);

/*
 * The dashboard's part around the cases for `period`: open cases whose
 * client was not informed, complaint referrals (cases and consultations,
 * counts below `threshold` shown as "<threshold") and monitor exports still
 * on disk. With j set, adds them as j["around"]; else prints them.
 * Returns 0 or an exit code.
 */
int cli_status_dashboard_notes(struct cli_ctx *ctx, const char *period,
			       int threshold, json_t *j);
int cli_dashboard(int argc, char **argv);
int cli_desk(int argc, char **argv);
int cli_leersamenvatting(int argc, char **argv);

#endif
