/*
 * cli_desk: `ret desk` for the coordinator of a BEN desk: list the
 * escalations and procesversneller requests that arrived (lijst), show one
 * thread (toon) and answer it with a signed decision (besluit), which is
 * built through the allow-list decision builder (texts scrubbed), queued to
 * the requesting region and recorded as the thread's status. Refused on a
 * region node. Every read and decision is in the audit log.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_build.h"
#include "envelope.h"
#include "msgid.h"
#include "node_apply.h"
#include "node_audit.h"
#include "node_build.h"
#include "node_desk.h"
#include "party.h"

int cli_desk(int argc, char **argv);

enum {
	O_REGION = 256,
	O_URGENCY,
	O_STATUS,
	O_OLDER,
	O_ASSIGNED,
	O_KIND,
	O_REASON,
	O_QUESTION,
	O_NOTE,
	O_PREVIEW,
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"regio", required_argument, NULL, O_REGION},
	{"urgentie", required_argument, NULL, O_URGENCY},
	{"status", required_argument, NULL, O_STATUS},
	{"ouder-dan", required_argument, NULL, O_OLDER},
	{"toegewezen-aan", required_argument, NULL, O_ASSIGNED},
	{"soort", required_argument, NULL, O_KIND},
	{"reden", required_argument, NULL, O_REASON},
	{"vraag", required_argument, NULL, O_QUESTION},
	{"notitie", required_argument, NULL, O_NOTE},
	{"preview", no_argument, NULL, O_PREVIEW},
	{NULL, 0, NULL, 0},
};

struct args {
	const char *region, *urgency, *status, *older;
	const char *assigned, *kind, *reason, *question, *note;
	bool preview;
};

static void
usage(FILE *f)
{
	fprintf(f, "%s",
		_("Usage: ret desk lijst [--regio R] [--urgentie U] [--status S] [--ouder-dan DAGEN] [--json]\n"
		  "       ret desk toon BERICHT-ID [--json]\n"
		  "       ret desk besluit BERICHT-ID --status STATUS [--toegewezen-aan TEKST --soort SOORT]\n"
		  "                 [--reden TEKST] [--vraag TEKST] [--notitie TEKST] [--preview] [--json]\n"
		  "\n"
		  "For the coordinator of a BEN desk: the escalations (opschalingsverzoeken)\n"
		  "and procesversneller requests of the regions, and the decisions on them.\n"
		  "\n"
		  "lijst    the requests, oldest first, one line per thread (an answer to\n"
		  "         'meer-info' joins the thread of the escalation it answers)\n"
		  "toon     one thread with all its messages and the decisions sent\n"
		  "besluit  answer a thread with a signed decision to the region\n"
		  "\n"
		  "  --regio R           only region R (noord-limburg or region:noord-limburg)\n"
		  "  --urgentie U        normaal, hoog or crisis\n"
		  "  --status S          nieuw, ontvangen, in-behandeling, toegekend, afgewezen,\n"
		  "                      meer-info or gesloten\n"
		  "  --ouder-dan DAGEN   only requests waiting longer than DAGEN days\n"
		  "  --toegewezen-aan T  with toegekend: who or what is assigned (never the client)\n"
		  "  --soort SOORT       with toegekend: procesversneller, expertise, geld or plaatsing\n"
		  "  --reden TEKST       with afgewezen: why\n"
		  "  --vraag TEKST       with meer-info: what the desk needs to know\n"
		  "  --notitie TEKST     an optional note\n"
		  "  --preview           show exactly what would leave; send nothing\n"
		  "\n"
		  "Texts pass the scrubber before they leave. BERICHT-ID is the message id of\n"
		  "any message of the thread (as 'ret desk lijst' shows it).\n"
		  "\n"
		  "Examples:\n"
		  "  ret desk lijst --urgentie crisis\n"
		  "  ret desk besluit 0190f3a2c1d24e8f9a0b1c2d3e4f5a6b --status toegekend \\\n"
		  "      --soort procesversneller --toegewezen-aan \"Procesversneller BEL\"\n"));
}

/* UTC date and time of a millisecond timestamp. */
static const char *
utc(json_int_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* Open the database of a desk and make sure the desk tables exist. */
static int
open_desk(struct cli_ctx *ctx, unsigned flags)
{
	char err[256] = "";
	enum node_status s;
	int rc;

	rc = cli_ctx_open(ctx, CLI_NEED_DB | flags);
	if (rc != 0)
		return rc;
	if (node_config_role(ctx->cfg) != PARTY_DESK) {
		cli_error(_("%s is a RET region; 'ret desk' is for the coordinators of a BEN desk"),
			  node_config_party(ctx->cfg));
		cli_ctx_close(ctx);
		return EX_CONFIG;
	}
	s = node_apply_migrate(ctx->db, PARTY_DESK, err, sizeof(err));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		cli_ctx_close(ctx);
		return rc;
	}
	return 0;
}

static int
audit(struct cli_ctx *ctx, const char *action, const char *detail)
{
	char err[256] = "";
	enum node_status s;

	s = node_audit_log(ctx->db, ctx->user, action, 0, detail, err,
			   sizeof(err));
	return s == NODE_OK ? 0 : cli_fail(s, err);
}

static const char *
joined(json_t *arr, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < json_array_size(arr); i++) {
		int w = snprintf(buf + used, len - used, "%s%s",
				 i > 0 ? ", " : "",
				 json_string_value(json_array_get(arr, i)));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return used > 0 ? buf : "-";
}

static int
desk_list(struct cli_ctx *ctx, const struct args *a)
{
	struct node_desk_filter fl;
	char err[256] = "", detail[64], t[32], hex[MSGID_HEX_LEN];
	enum node_status s;
	json_t *arr = NULL;
	int rc;

	memset(&fl, 0, sizeof(fl));
	fl.region = a->region;
	fl.status = a->status;
	if (a->urgency != NULL) {
		fl.urgency = node_desk_vocab_parse(NODE_DESK_URGENCY, a->urgency);
		if (fl.urgency == 0) {
			cli_error(_("--urgentie: '%s' is not one of normaal, hoog, crisis"),
				  a->urgency);
			return EX_DATAERR;
		}
	}
	if (a->status != NULL && strcmp(a->status, NODE_DESK_STATUS_NEW) != 0 &&
	    node_desk_status_parse(a->status) == 0) {
		cli_error(_("--status: '%s' is not one of nieuw, ontvangen, in-behandeling, toegekend, afgewezen, meer-info, gesloten"),
			  a->status);
		return EX_DATAERR;
	}
	if (a->region != NULL && a->region[0] == '\0')
		return cli_usage_error("desk", "%s", _("--regio: the region is empty"));
	if (a->older != NULL) {
		int64_t days = 0;
		if (strcmp(a->older, "0") != 0 &&
		    (rc = cli_parse_id("desk", "--ouder-dan", a->older, &days)) != 0)
			return rc;
		if (days > 36500)
			return cli_usage_error("desk", "%s",
					       _("--ouder-dan: at most 36500 days"));
		fl.older_than_days = (int)days;
	}
	s = node_desk_list(ctx->db, &fl, &arr, err, sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(arr));
	if ((rc = audit(ctx, "desk.list", detail)) != 0) {
		json_decref(arr);
		return rc;
	}
	if (ctx->json) {
		rc = cli_print_json(arr);
		json_decref(arr);
		return rc;
	}
	if (json_array_size(arr) == 0) {
		printf("%s\n", _("No requests match."));
		json_decref(arr);
		return EX_OK;
	}
	printf("%-16s  %5s  %-24s  %-16s  %-8s  %-15s  %s\n",
	       _("received (UTC)"), _("days"), _("region"), _("kind"),
	       _("urgency"), _("status"), _("message id"));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *r = json_array_get(arr, i);
		char status[40];

		snprintf(hex, sizeof(hex), "%s", cli_str(r, "request_id"));
		snprintf(status, sizeof(status), "%s%s", cli_str(r, "status"),
			 json_is_true(json_object_get(r, "answered")) ? "*" : "");
		printf("%-16s  %5s  %-24s  %-16s  %-8s  %-15s  %s\n",
		       utc(json_integer_value(json_object_get(r, "received_ms")),
			   t, sizeof(t)),
		       cli_str(r, "days_waiting"), cli_str(r, "region"),
		       cli_str(r, "kind"), cli_str(r, "urgency"), status, hex);
	}
	printf("%s\n", _("* the region answered after the last decision"));
	json_decref(arr);
	return EX_OK;
}

static int
parse_msgid(const char *arg, uint8_t id[MSGID_LEN])
{
	if (arg == NULL)
		return cli_usage_error("desk", "%s", _("a message id is required"));
	if (msgid_from_hex(arg, id) != 0)
		return cli_usage_error("desk",
				       _("'%s' is not a message id (32 hexadecimal digits)"),
				       arg);
	return 0;
}

static void
print_thread(json_t *j)
{
	char t[32], buf[256];
	json_t *msgs = json_object_get(j, "messages");
	json_t *decs = json_object_get(j, "decisions");

	printf(_("Thread:       %s\n"), cli_str(j, "thread_id"));
	printf(_("Region:       %s\n"), cli_str(j, "region"));
	printf(_("Case ref:     %s\n"), cli_str(j, "case_ref"));
	printf(_("Kind:         %s\n"), cli_str(j, "kind"));
	printf(_("Urgency:      %s\n"), cli_str(j, "urgency"));
	printf(_("Age band:     %s\n"), cli_str(j, "age_band"));
	printf(_("Areas:        %s\n"),
	       joined(json_object_get(j, "problem_areas"), buf, sizeof(buf)));
	printf(_("Asked:        %s\n"),
	       joined(json_object_get(j, "support_asked"), buf, sizeof(buf)));
	if (json_object_get(j, "expected_weeks") != NULL)
		printf(_("Period:       %s weeks\n"),
		       cli_str(j, "expected_weeks"));
	printf(_("Received:     %s (%s days waiting)\n"),
	       utc(json_integer_value(json_object_get(j, "received_ms")), t,
		   sizeof(t)),
	       cli_str(j, "days_waiting"));
	printf(_("Status:       %s\n"), cli_str(j, "status"));
	for (size_t i = 0; i < json_array_size(msgs); i++) {
		json_t *m = json_array_get(msgs, i);

		printf(_("\nMessage %s, received %s:\n"), cli_str(m, "message_id"),
		       utc(json_integer_value(json_object_get(m, "received_ms")),
			   t, sizeof(t)));
		if (json_object_get(m, "why_stuck") != NULL)
			printf(_("  Why stuck:      %s\n"), cli_str(m, "why_stuck"));
		if (json_object_get(m, "stagnation_reason") != NULL)
			printf(_("  Stagnation:     %s\n"),
			       cli_str(m, "stagnation_reason"));
		if (json_object_get(m, "what_was_tried") != NULL)
			printf(_("  Tried:          %s\n"),
			       cli_str(m, "what_was_tried"));
		if (json_string_length(json_object_get(m, "answer")) > 0)
			printf(_("  Answer:         %s\n"), cli_str(m, "answer"));
	}
	for (size_t i = 0; i < json_array_size(decs); i++) {
		json_t *d = json_array_get(decs, i);

		printf(_("\nDecision %s, %s by %s: %s\n"),
		       cli_str(d, "message_id"),
		       utc(json_integer_value(json_object_get(d, "decided_ms")),
			   t, sizeof(t)),
		       cli_str(d, "decided_by"), cli_str(d, "status"));
		if (json_object_get(d, "assigned") != NULL)
			printf(_("  Assigned (%s): %s\n"),
			       cli_str(d, "assignment_kind"),
			       cli_str(d, "assigned"));
		if (json_object_get(d, "reason") != NULL)
			printf(_("  Reason:   %s\n"), cli_str(d, "reason"));
		if (json_object_get(d, "question") != NULL)
			printf(_("  Question: %s\n"), cli_str(d, "question"));
		if (json_object_get(d, "note") != NULL)
			printf(_("  Note:     %s\n"), cli_str(d, "note"));
	}
}

static int
desk_show(struct cli_ctx *ctx, const char *arg)
{
	uint8_t id[MSGID_LEN];
	char err[256] = "", detail[64];
	enum node_status s;
	json_t *j = NULL;
	int rc;

	if ((rc = parse_msgid(arg, id)) != 0)
		return rc;
	s = node_desk_show(ctx->db, id, &j, err, sizeof(err));
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("no request in the desk queue has message id %s"), arg);
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, err);
	snprintf(detail, sizeof(detail), "thread=%s", cli_str(j, "thread_id"));
	if ((rc = audit(ctx, "desk.show", detail)) != 0) {
		json_decref(j);
		return rc;
	}
	if (ctx->json)
		rc = cli_print_json(j);
	else
		print_thread(j);
	json_decref(j);
	return rc;
}

/* Which options a status needs and allows; 0 or a usage error. */
static int
check_decision(const struct args *a, int status, int kind)
{
	if (status == 0)
		return cli_usage_error("desk", "%s",
				       _("besluit: --status must be one of ontvangen, in-behandeling, toegekend, afgewezen, meer-info, gesloten"));
	if (a->kind != NULL && kind == 0)
		return cli_usage_error("desk", "%s",
				       _("--soort must be one of procesversneller, expertise, geld, plaatsing"));
	if (status == 3 && (a->assigned == NULL || a->assigned[0] == '\0' ||
			    kind == 0))
		return cli_usage_error("desk", "%s",
				       _("toegekend needs --toegewezen-aan and --soort"));
	if (status != 3 && (a->assigned != NULL || a->kind != NULL))
		return cli_usage_error("desk", "%s",
				       _("--toegewezen-aan and --soort go with --status toegekend only"));
	if (status == 4 && (a->reason == NULL || a->reason[0] == '\0'))
		return cli_usage_error("desk", "%s", _("afgewezen needs --reden"));
	if (status == 5 && (a->question == NULL || a->question[0] == '\0'))
		return cli_usage_error("desk", "%s", _("meer-info needs --vraag"));
	return 0;
}

static int
desk_decide(struct cli_ctx *ctx, const char *arg, const struct args *a)
{
	int status = node_desk_status_parse(a->status);
	int kind = node_desk_assignment_parse(a->kind);
	struct node_build_decision in;
	struct node_build_draft *d = NULL;
	struct node_build_error berr;
	struct node_msg_error merr;
	struct node_build_ctx bctx;
	struct node_desk_decision rec;
	const Retfed__V1__Decision *sent;
	struct envelope *req = NULL;
	uint8_t id[MSGID_LEN];
	char err[256] = "", hex[MSGID_HEX_LEN];
	enum node_status s;
	int64_t thread = 0;
	uint64_t seq = 0;
	int rc;

	if ((rc = parse_msgid(arg, id)) != 0 ||
	    (rc = check_decision(a, status, kind)) != 0)
		return rc;
	s = node_desk_request(ctx->db, id, &req, &thread, err, sizeof(err));
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("no request in the desk queue has message id %s"), arg);
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, err);
	memset(&in, 0, sizeof(in));
	in.status = status;
	in.assignment_kind = kind;
	in.assigned = a->assigned;
	in.reason = a->reason;
	in.question = a->question;
	in.note = a->note;
	memset(&berr, 0, sizeof(berr));
	s = node_build_decision(req->body, &in, &d, &berr);
	envelope_destroy(&req);
	if (s != NODE_OK)
		return cli_build_refused(&berr);
	memset(&bctx, 0, sizeof(bctx));
	bctx.db = ctx->db;
	bctx.user = ctx->user;
	bctx.keys = node_config_keys(ctx->cfg);
	if (a->preview) {
		rc = cli_build_deliver(ctx, &bctx, d, true);
		node_build_destroy(&d);
		return rc;
	}
	if (bctx.keys == NULL) {
		node_build_destroy(&d);
		cli_error("%s", _("the key file of this desk could not be read"));
		return EX_CONFIG;
	}
	memset(&merr, 0, sizeof(merr));
	s = node_outbox_queue(bctx.db, bctx.keys, bctx.user,
			      node_build_guarded(d), &seq, id, &merr);
	if (s != NODE_OK) {
		node_build_destroy(&d);
		return cli_fail(s, merr.detail);
	}
	msgid_to_hex(id, hex);
	/* Record what was sent: the scrubbed texts, not what was typed. */
	sent = node_build_body(d)->decision;
	memset(&rec, 0, sizeof(rec));
	rec.thread = thread;
	memcpy(rec.message_id, id, MSGID_LEN);
	rec.status = status;
	rec.assignment_kind = kind;
	rec.assigned = sent->assigned;
	rec.reason = sent->reason;
	rec.question = sent->question;
	rec.note = sent->note;
	s = node_desk_record_decision(ctx->db, ctx->user, &rec, err,
				      sizeof(err));
	node_build_destroy(&d);
	if (s != NODE_OK) {
		cli_error(_("decision %s was queued, but the desk queue could not record it: %s"),
			  hex, err);
		return cli_exit_code(s);
	}
	if (ctx->json) {
		json_t *out = json_pack("{s:s, s:s, s:I}", "message_id", hex,
					"status", a->status, "seq",
					(json_int_t)seq);
		rc = out != NULL ? cli_print_json(out) : EX_SOFTWARE;
		json_decref(out);
		return rc;
	}
	printf(_("Decision '%s' queued as message %s (sequence number %llu); it leaves with the next connection to the relay.\n"),
	       a->status, hex, (unsigned long long)seq);
	return EX_OK;
}

/*
 * `ret desk lijst|toon|besluit ...`: see usage(). Returns a sysexits code.
 */
int
cli_desk(int argc, char **argv)
{
	struct cli_ctx ctx;
	struct args a;
	const char *verb, *arg;
	int c, rc;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_REGION: a.region = optarg; break;
		case O_URGENCY: a.urgency = optarg; break;
		case O_STATUS: a.status = optarg; break;
		case O_OLDER: a.older = optarg; break;
		case O_ASSIGNED: a.assigned = optarg; break;
		case O_KIND: a.kind = optarg; break;
		case O_REASON: a.reason = optarg; break;
		case O_QUESTION: a.question = optarg; break;
		case O_NOTE: a.note = optarg; break;
		case O_PREVIEW: a.preview = true; break;
		default:
			return cli_bad_option("desk", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("desk", "%s",
				       _("say what to do: lijst, toon or besluit"));
	verb = argv[optind];
	arg = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (optind + 2 < argc)
		return cli_usage_error("desk", _("unexpected argument '%s'"),
				       argv[optind + 2]);
	if (strcmp(verb, "lijst") == 0 || strcmp(verb, "list") == 0) {
		if (arg != NULL)
			return cli_usage_error("desk", _("unexpected argument '%s'"),
					       arg);
		if ((rc = open_desk(&ctx, 0)) != 0)
			return rc;
		rc = desk_list(&ctx, &a);
	} else if (strcmp(verb, "toon") == 0 || strcmp(verb, "show") == 0) {
		if ((rc = open_desk(&ctx, 0)) != 0)
			return rc;
		rc = desk_show(&ctx, arg);
	} else if (strcmp(verb, "besluit") == 0 || strcmp(verb, "decide") == 0) {
		if ((rc = open_desk(&ctx, CLI_NEED_KEYS)) != 0)
			return rc;
		rc = desk_decide(&ctx, arg, &a);
	} else {
		return cli_usage_error("desk", _("unknown action '%s' (lijst, toon or besluit)"),
				       verb);
	}
	cli_ctx_close(&ctx);
	return rc;
}
