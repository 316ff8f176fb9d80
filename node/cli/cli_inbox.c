/*
 * cli_inbox: `ret inbox lijst` lists the messages the relay delivered to
 * this node (decisions, learning summaries, peer reviews, or for a desk the
 * escalations and procesversneller requests), each verified and applied
 * once; `ret inbox toon ID` shows one. Reading the inbox is recorded in the
 * audit log. Only the envelope's header is shown here; what a message
 * changed in the register is shown by the commands of the register.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envelope.h"
#include "msgid.h"
#include "node_audit.h"
#include "node_inbox.h"
#include "node_outbox.h"

static void
usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: ret inbox lijst [--kind KIND] [--limit N] [--json]\n"
		  "       ret inbox toon MESSAGE-ID [--json]\n"
		  "\n"
		  "lijst  show the messages received from the relay, oldest first\n"
		  "toon   show one received message\n"
		  "\n"
		  "Kinds: escalation, procesversneller, decision, learning_summary,\n"
		  "peer_review_request, peer_review.\n"
		  "\n"
		  "Examples:\n"
		  "  ret inbox lijst --kind decision\n"
		  "  ret inbox toon 0190f3a2c1d24e8f9a0b1c2d3e4f5a6b --json\n"));
}

/* UTC time of a millisecond timestamp, "YYYY-MM-DDTHH:MM:SSZ" or "-". */
static const char *
utc(uint64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

static const char *
state_text(const char *state)
{
	if (strcmp(state, "applied") == 0)
		return _("applied");
	if (strcmp(state, "rejected") == 0)
		return _("not applicable");
	return state;
}

static json_t *
entry_json(const struct node_inbox_entry *e)
{
	char hex[MSGID_HEX_LEN], t1[32], t2[32];

	msgid_to_hex(e->message_id, hex);
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:I, s:s, s:I,"
			 " s:s, s:s}",
			 "message_id", hex, "kind", envelope_kind_name(e->kind),
			 "sender", e->sender, "recipient", e->recipient, "seq",
			 (json_int_t)e->seq, "cursor", (json_int_t)e->cursor,
			 "created", utc(e->created_ms, t1, sizeof(t1)),
			 "created_ms", (json_int_t)e->created_ms, "received",
			 utc(e->received_ms, t2, sizeof(t2)), "received_ms",
			 (json_int_t)e->received_ms, "state", e->state,
			 "state_detail", e->state_detail);
}

struct list_state {
	json_t *arr;
	unsigned n;
	int failed;
};

static int
list_cb(const struct node_inbox_entry *e, void *vctx)
{
	struct list_state *ls = vctx;
	char hex[MSGID_HEX_LEN], t[32];

	ls->n++;
	if (ls->arr) {
		json_t *j = entry_json(e);

		if (j == NULL || json_array_append_new(ls->arr, j) != 0) {
			ls->failed = 1;
			return 1;
		}
		return 0;
	}
	msgid_to_hex(e->message_id, hex);
	printf("%-20s  %-19s  %-28s  %s  %s\n",
	       utc(e->received_ms, t, sizeof(t)), envelope_kind_name(e->kind),
	       e->sender, hex, state_text(e->state));
	return 0;
}

static int
inbox_list(struct cli_ctx *ctx, int kind, unsigned limit)
{
	struct list_state ls = {NULL, 0, 0};
	struct node_msg_error err;
	char detail[64], aerr[256] = "";
	enum node_status s;
	int rc = EX_OK;

	memset(&err, 0, sizeof(err));
	if (ctx->json && (ls.arr = json_array()) == NULL)
		return EX_SOFTWARE;
	if (!ctx->json)
		printf("%-20s  %-19s  %-28s  %-32s  %s\n", _("received (UTC)"),
		       _("kind"), _("sender"), _("message id"), _("state"));
	s = node_inbox_list(ctx->db, kind, limit, list_cb, &ls, &err);
	if (s != NODE_OK) {
		json_decref(ls.arr);
		return cli_fail(s, err.detail);
	}
	if (ls.failed) {
		json_decref(ls.arr);
		return EX_SOFTWARE;
	}
	snprintf(detail, sizeof(detail), "count=%u", ls.n);
	s = node_audit_log(ctx->db, ctx->user, "inbox.list", 0, detail, aerr,
			   sizeof(aerr));
	if (s != NODE_OK) {
		json_decref(ls.arr);
		return cli_fail(s, aerr);
	}
	if (ctx->json)
		rc = cli_print_json(ls.arr);
	else if (ls.n == 0)
		printf("%s\n", _("The inbox is empty."));
	json_decref(ls.arr);
	return rc;
}

static int
inbox_show(struct cli_ctx *ctx, const char *idarg)
{
	struct node_inbox_entry e;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	char hex[MSGID_HEX_LEN], t[32], aerr[256] = "", detail[64];
	enum node_status s;
	int rc = EX_OK;

	memset(&err, 0, sizeof(err));
	if (msgid_from_hex(idarg, id) != 0)
		return cli_usage_error("inbox",
				       _("'%s' is not a message id (32 hexadecimal digits)"),
				       idarg);
	s = node_inbox_get(ctx->db, id, &e, &err);
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("there is no message %s in the inbox"), idarg);
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, err.detail);
	msgid_to_hex(id, hex);
	snprintf(detail, sizeof(detail), "id=%s", hex);
	s = node_audit_log(ctx->db, ctx->user, "inbox.show", 0, detail, aerr,
			   sizeof(aerr));
	if (s != NODE_OK)
		return cli_fail(s, aerr);
	if (ctx->json) {
		json_t *j = entry_json(&e);

		if (j == NULL)
			return EX_SOFTWARE;
		rc = cli_print_json(j);
		json_decref(j);
		return rc;
	}
	printf(_("Message:    %s\n"), hex);
	printf(_("Kind:       %s\n"), envelope_kind_name(e.kind));
	printf(_("Sender:     %s (sequence %llu)\n"), e.sender,
	       (unsigned long long)e.seq);
	if (e.recipient[0])
		printf(_("Recipient:  %s\n"), e.recipient);
	printf(_("Created:    %s\n"), utc(e.created_ms, t, sizeof(t)));
	printf(_("Received:   %s\n"), utc(e.received_ms, t, sizeof(t)));
	printf(_("State:      %s\n"), state_text(e.state));
	if (e.state_detail[0])
		printf(_("Why:        %s\n"), e.state_detail);
	return rc;
}

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"kind", required_argument, NULL, 'k'},
	{"limit", required_argument, NULL, 'n'},
	{NULL, 0, NULL, 0},
};

/* The Kind value of a kind name, or 0. */
static int
kind_from_name(const char *name)
{
	int k;

	for (k = 1; k < NODE_INBOX_KINDS; k++)
		if (strcmp(envelope_kind_name(k), name) == 0)
			return k;
	return 0;
}

/*
 * Parse options with getopt_long and `shortopts` until the first operand
 * (with a leading '+') or the end. Returns -1 to go on, or an exit code.
 */
static int
parse_options(int argc, char **argv, const char *shortopts, int *kind,
	      int64_t *limit)
{
	int c, rc;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'k':
			*kind = kind_from_name(optarg);
			if (*kind == 0)
				return cli_usage_error(
					"inbox",
					_("--kind: unknown kind '%s' (see --help)"),
					optarg);
			break;
		case 'n':
			if ((rc = cli_parse_id("inbox", "--limit", optarg,
					       limit)) != 0)
				return rc;
			if (*limit > 100000)
				return cli_usage_error("inbox", "%s",
						       _("--limit must be at most 100000"));
			break;
		default:
			return cli_bad_option("inbox", c, argv);
		}
	}
	return -1;
}

/*
 * `ret inbox [lijst|toon ID] [options]`: see usage(). Returns a sysexits
 * code.
 */
int
cli_inbox(int argc, char **argv)
{
	struct cli_ctx ctx;
	const char *verb = "lijst", *idarg = NULL;
	char err[256] = "";
	int64_t limit = 0;
	int kind = 0, rc;
	enum node_status s;

	rc = parse_options(argc, argv, "+" CLI_COMMON_SHORTOPTS "k:n:", &kind,
			   &limit);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		verb = argv[optind];
		/* Options may also follow the verb. */
		argc -= optind;
		argv += optind;
		optind = 0; /* 0: glibc starts a fresh scan */
		rc = parse_options(argc, argv, CLI_COMMON_SHORTOPTS "k:n:",
				   &kind, &limit);
		if (rc >= 0)
			return rc;
	}
	if (strcmp(verb, "toon") == 0 || strcmp(verb, "show") == 0) {
		if (optind >= argc)
			return cli_usage_error("inbox", "%s",
					       _("missing message id"));
		idarg = argv[optind++];
	} else if (strcmp(verb, "lijst") != 0 && strcmp(verb, "list") != 0) {
		return cli_usage_error("inbox", _("unknown subcommand '%s'"),
				       verb);
	}
	if (optind < argc)
		return cli_usage_error("inbox", _("unexpected argument '%s'"),
				       argv[optind]);
	rc = cli_ctx_open(&ctx, CLI_NEED_DB);
	if (rc != 0)
		return rc;
	s = node_db_check(ctx.db, NODE_OUTBOX_COMPONENT,
			  node_outbox_schema_steps, err, sizeof(err));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		cli_ctx_close(&ctx);
		return rc;
	}
	if (idarg)
		rc = inbox_show(&ctx, idarg);
	else
		rc = inbox_list(&ctx, kind, (unsigned)limit);
	cli_ctx_close(&ctx);
	return rc;
}
