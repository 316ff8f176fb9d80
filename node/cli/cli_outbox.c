/*
 * cli_outbox: `ret outbox lijst` lists the messages this node sent or is
 * about to send, with their state (queued, acked by the relay, refused by
 * it and why) and the recipients that confirmed receipt; `ret outbox toon
 * ID` shows one; `ret outbox status` sums it up (how many wait, since
 * when). Reading the outbox is recorded in the audit log. Message content
 * is never printed: it left this node signed and scrubbed, and its
 * case reference is only meaningful through the register.
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
		_("Usage: ret outbox lijst [--state STATE] [--limit N] [--json]\n"
		  "       ret outbox toon MESSAGE-ID [--json]\n"
		  "       ret outbox status [--json]\n"
		  "\n"
		  "lijst   show the messages of this node to the relay, oldest first\n"
		  "toon    show one message and who confirmed receiving it\n"
		  "status  how many messages wait, since when, and how far the\n"
		  "        inbox is\n"
		  "\n"
		  "States: queued (waiting for the relay), acked (stored by the\n"
		  "relay), refused (the relay will not take it; the reason is shown).\n"
		  "\n"
		  "Examples:\n"
		  "  ret outbox lijst --state queued\n"
		  "  ret outbox status\n"
		  "  ret outbox toon 0190f3a2c1d24e8f9a0b1c2d3e4f5a6b --json\n"));
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

/* The state as people read it. */
static const char *
state_text(const char *state)
{
	if (strcmp(state, NODE_OUTBOX_QUEUED) == 0)
		return _("queued");
	if (strcmp(state, NODE_OUTBOX_ACKED) == 0)
		return _("stored by the relay");
	if (strcmp(state, NODE_OUTBOX_REFUSED) == 0)
		return _("refused");
	return state;
}

static json_t *
entry_json(const struct node_outbox_entry *e)
{
	char hex[MSGID_HEX_LEN], t[32];
	json_t *j;

	msgid_to_hex(e->message_id, hex);
	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "seq",
		      (json_int_t)e->seq, "message_id", hex, "kind",
		      envelope_kind_name(e->kind), "recipient",
		      e->recipient[0] ? e->recipient : "", "state", e->state,
		      "created", utc(e->created_ms, t, sizeof(t)), "created_ms",
		      (json_int_t)e->created_ms, "receipts",
		      (json_int_t)e->n_receipts);
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "acked_ms",
			    e->acked_ms ? json_integer((json_int_t)e->acked_ms)
					: json_null());
	if (e->refusal_reason)
		json_object_set_new(
			j, "refusal",
			json_pack("{s:s, s:I, s:s}", "reason",
				  wire_reason_name(e->refusal_reason), "code",
				  (json_int_t)e->refusal_reason, "detail",
				  e->refusal_detail));
	else
		json_object_set_new(j, "refusal", json_null());
	return j;
}

struct list_state {
	json_t *arr;
	unsigned n;
	int failed;
};

static int
list_cb(const struct node_outbox_entry *e, void *vctx)
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
	printf("%6llu  %-20s  %-19s  %-28s  %s  %s",
	       (unsigned long long)e->seq, utc(e->created_ms, t, sizeof(t)),
	       envelope_kind_name(e->kind),
	       e->recipient[0] ? e->recipient : _("BEN coordinators"), hex,
	       state_text(e->state));
	if (e->n_receipts)
		printf(_(", received by %u"), e->n_receipts);
	if (e->refusal_reason)
		printf(" (%s)", wire_reason_name(e->refusal_reason));
	putchar('\n');
	return 0;
}

static int
outbox_list(struct cli_ctx *ctx, const char *state, unsigned limit)
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
		printf("%6s  %-20s  %-19s  %-28s  %-32s  %s\n", _("seq"),
		       _("created (UTC)"), _("kind"), _("recipient"),
		       _("message id"), _("state"));
	s = node_outbox_list(ctx->db, state, limit, list_cb, &ls, &err);
	if (s != NODE_OK) {
		json_decref(ls.arr);
		return cli_fail(s, err.detail);
	}
	if (ls.failed) {
		json_decref(ls.arr);
		return EX_SOFTWARE;
	}
	snprintf(detail, sizeof(detail), "count=%u", ls.n);
	s = node_audit_log(ctx->db, ctx->user, "outbox.list", 0, detail, aerr,
			   sizeof(aerr));
	if (s != NODE_OK) {
		json_decref(ls.arr);
		return cli_fail(s, aerr);
	}
	if (ctx->json)
		rc = cli_print_json(ls.arr);
	else if (ls.n == 0)
		printf("%s\n", _("The outbox is empty."));
	json_decref(ls.arr);
	return rc;
}

static int
receipt_cb(const struct node_outbox_receipt *r, void *vctx)
{
	json_t *arr = vctx;
	char t[32];

	if (arr)
		return json_array_append_new(
			       arr, json_pack("{s:s, s:s, s:I}", "recipient",
					      r->recipient, "received",
					      utc(r->received_ms, t, sizeof(t)),
					      "received_ms",
					      (json_int_t)r->received_ms)) != 0;
	printf(_("  received by %s at %s\n"), r->recipient,
	       utc(r->received_ms, t, sizeof(t)));
	return 0;
}

static int
outbox_show(struct cli_ctx *ctx, const char *idarg)
{
	struct node_outbox_entry e;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	char hex[MSGID_HEX_LEN], t[32], aerr[256] = "", detail[64];
	json_t *j = NULL, *receipts = NULL;
	enum node_status s;
	int rc = EX_OK;

	memset(&err, 0, sizeof(err));
	if (msgid_from_hex(idarg, id) != 0)
		return cli_usage_error("outbox",
				       _("'%s' is not a message id (32 hexadecimal digits)"),
				       idarg);
	s = node_outbox_get(ctx->db, id, &e, &err);
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("there is no message %s in the outbox"), idarg);
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, err.detail);
	msgid_to_hex(id, hex);
	snprintf(detail, sizeof(detail), "id=%s", hex);
	s = node_audit_log(ctx->db, ctx->user, "outbox.show", 0, detail, aerr,
			   sizeof(aerr));
	if (s != NODE_OK)
		return cli_fail(s, aerr);
	if (ctx->json) {
		j = entry_json(&e);
		receipts = json_array();
		if (j == NULL || receipts == NULL) {
			json_decref(j);
			json_decref(receipts);
			return EX_SOFTWARE;
		}
	} else {
		printf(_("Message:    %s\n"), hex);
		printf(_("Sequence:   %llu\n"), (unsigned long long)e.seq);
		printf(_("Kind:       %s\n"), envelope_kind_name(e.kind));
		printf(_("Recipient:  %s\n"),
		       e.recipient[0] ? e.recipient : _("BEN coordinators"));
		printf(_("Created:    %s\n"), utc(e.created_ms, t, sizeof(t)));
		printf(_("State:      %s\n"), state_text(e.state));
		if (e.acked_ms)
			printf(_("Stored by the relay at %s\n"),
			       utc(e.acked_ms, t, sizeof(t)));
		if (e.refusal_reason)
			printf(_("Refused by the relay: %s (%s)\n"),
			       wire_reason_name(e.refusal_reason),
			       e.refusal_detail);
		if (e.n_receipts == 0 && e.acked_ms)
			printf("%s\n", _("No recipient has confirmed receipt yet."));
	}
	s = node_outbox_receipts(ctx->db, id, receipt_cb, receipts, &err);
	if (s != NODE_OK) {
		json_decref(j);
		json_decref(receipts);
		return cli_fail(s, err.detail);
	}
	if (ctx->json) {
		json_object_set_new(j, "received_by", receipts);
		rc = cli_print_json(j);
		json_decref(j);
	}
	return rc;
}

static int
oldest_cb(const struct node_outbox_entry *e, void *vctx)
{
	*(uint64_t *)vctx = e->created_ms;
	return 1;
}

static int
outbox_status(struct cli_ctx *ctx)
{
	struct node_msg_error err;
	unsigned queued = 0, acked = 0, refused = 0;
	uint64_t last = 0, oldest = 0, cursor = 0;
	char t[32], aerr[256] = "";
	enum node_status s;
	int rc = EX_OK;

	memset(&err, 0, sizeof(err));
	s = node_outbox_stats(ctx->db, &queued, &acked, &refused, &last, &err);
	if (s == NODE_OK)
		s = node_outbox_list(ctx->db, NODE_OUTBOX_QUEUED, 1, oldest_cb,
				     &oldest, &err);
	if (s == NODE_OK)
		s = node_inbox_cursor(ctx->db, &cursor, &err);
	if (s != NODE_OK)
		return cli_fail(s, err.detail);
	s = node_audit_log(ctx->db, ctx->user, "outbox.status", 0, NULL, aerr,
			   sizeof(aerr));
	if (s != NODE_OK)
		return cli_fail(s, aerr);
	if (ctx->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I}", "queued",
				      (json_int_t)queued, "acked",
				      (json_int_t)acked, "refused",
				      (json_int_t)refused, "last_acked_seq",
				      (json_int_t)last, "relay_cursor",
				      (json_int_t)cursor);

		if (j == NULL)
			return EX_SOFTWARE;
		json_object_set_new(j, "oldest_queued",
				    oldest ? json_string(utc(oldest, t,
							     sizeof(t)))
					   : json_null());
		rc = cli_print_json(j);
		json_decref(j);
		return rc;
	}
	printf(_("Waiting to be sent:   %u\n"), queued);
	if (oldest)
		printf(_("Oldest waiting since: %s\n"),
		       utc(oldest, t, sizeof(t)));
	printf(_("Stored by the relay:  %u (last sequence number %llu)\n"),
	       acked, (unsigned long long)last);
	printf(_("Refused by the relay: %u\n"), refused);
	printf(_("Inbox applied up to relay position %llu\n"),
	       (unsigned long long)cursor);
	return rc;
}

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"state", required_argument, NULL, 's'},
	{"limit", required_argument, NULL, 'n'},
	{NULL, 0, NULL, 0},
};

/*
 * Parse options with getopt_long and `shortopts` until the first operand
 * (with a leading '+') or the end. Returns -1 to go on, or an exit code.
 */
static int
parse_options(int argc, char **argv, const char *shortopts,
	      const char **state, int64_t *limit)
{
	int c, rc;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case 's':
			if (strcmp(optarg, NODE_OUTBOX_QUEUED) != 0 &&
			    strcmp(optarg, NODE_OUTBOX_ACKED) != 0 &&
			    strcmp(optarg, NODE_OUTBOX_REFUSED) != 0)
				return cli_usage_error(
					"outbox",
					_("--state must be queued, acked or refused, not '%s'"),
					optarg);
			*state = optarg;
			break;
		case 'n':
			if ((rc = cli_parse_id("outbox", "--limit", optarg,
					       limit)) != 0)
				return rc;
			if (*limit > 100000)
				return cli_usage_error("outbox", "%s",
						       _("--limit must be at most 100000"));
			break;
		default:
			return cli_bad_option("outbox", c, argv);
		}
	}
	return -1;
}

/*
 * `ret outbox [lijst|toon ID] [options]`: see usage(). Returns a sysexits
 * code.
 */
int
cli_outbox(int argc, char **argv)
{
	struct cli_ctx ctx;
	const char *verb = "lijst", *state = NULL, *idarg = NULL;
	char err[256] = "";
	int64_t limit = 0;
	enum node_status s;
	int rc;

	rc = parse_options(argc, argv, "+" CLI_COMMON_SHORTOPTS "s:n:", &state,
			   &limit);
	if (rc >= 0)
		return rc;
	if (optind < argc) {
		verb = argv[optind];
		/* Options may also follow the verb. */
		argc -= optind;
		argv += optind;
		optind = 0; /* 0: glibc starts a fresh scan */
		rc = parse_options(argc, argv, CLI_COMMON_SHORTOPTS "s:n:",
				   &state, &limit);
		if (rc >= 0)
			return rc;
	}
	if (strcmp(verb, "toon") == 0 || strcmp(verb, "show") == 0) {
		if (optind >= argc)
			return cli_usage_error("outbox", "%s",
					       _("missing message id"));
		idarg = argv[optind++];
	} else if (strcmp(verb, "lijst") != 0 && strcmp(verb, "list") != 0 &&
		   strcmp(verb, "status") != 0) {
		return cli_usage_error("outbox", _("unknown subcommand '%s'"),
				       verb);
	}
	if (optind < argc)
		return cli_usage_error("outbox", _("unexpected argument '%s'"),
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
		rc = outbox_show(&ctx, idarg);
	else if (strcmp(verb, "status") == 0)
		rc = outbox_status(&ctx);
	else
		rc = outbox_list(&ctx, state, (unsigned)limit);
	cli_ctx_close(&ctx);
	return rc;
}
