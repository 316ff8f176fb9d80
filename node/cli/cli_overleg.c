/*
 * cli_overleg: `ret overleg ...`, the meetings of the RET for the
 * secretary: plan a meeting of a table, keep the participant list (kern,
 * schil, invited experts), put cases on the agenda (with the evaluation
 * form deadline), record attendance and hours, and write the minutes per
 * agenda item, whose advice and agreements become the casus's own. Every
 * command reads or changes data through node_overleg, which audits it.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node_overleg.h"

enum {
	O_DATE = 1000,
	O_TABLE,
	O_NOTE,
	O_TODAY,
	O_NAME,
	O_ORG,
	O_KIND,
	O_HOURS,
	O_MINUTES,
	O_ADVICE,
	O_AGREEMENT,
	O_WHO,
	O_DUE,
	O_LAST
};

#define BIT(o) (1u << ((o)-O_DATE))

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"datum", required_argument, NULL, O_DATE},
    {"tafel", required_argument, NULL, O_TABLE},
    {"notitie", required_argument, NULL, O_NOTE},
    {"vandaag", required_argument, NULL, O_TODAY},
    {"naam", required_argument, NULL, O_NAME},
    {"organisatie", required_argument, NULL, O_ORG},
    {"soort", required_argument, NULL, O_KIND},
    {"uren", required_argument, NULL, O_HOURS},
    {"verslag", required_argument, NULL, O_MINUTES},
    {"advies", required_argument, NULL, O_ADVICE},
    {"afspraak", required_argument, NULL, O_AGREEMENT},
    {"wie", required_argument, NULL, O_WHO},
    {"deadline", required_argument, NULL, O_DUE},
    {NULL, 0, NULL, 0},
};

struct args {
	const char *v[O_LAST - O_DATE];
	char **pos;
	int n_pos;
	int64_t id, id2;
};

#define ARG(a, o) ((a)->v[(o)-O_DATE])

struct verb {
	const char *name;
	int (*fn)(struct cli_ctx *ctx, struct args *a);
	unsigned allowed;
	int n_pos;
	const char *pos_names;
};

static void
usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: ret overleg COMMAND [ARGUMENTS] [--json]\n"
	      "\n"
	      "Commands:\n"
	      "  nieuw --datum JJJJ-MM-DD --tafel TAFEL [--notitie TEKST]\n"
	      "                         plan a meeting (not in the past)\n"
	      "  lijst                  list the meetings\n"
	      "  toon ID [--vandaag JJJJ-MM-DD]\n"
	      "                         show agenda, evaluation deadlines, "
	      "attendance\n"
	      "  agenderen ID CASUS-ID  put a casus on the agenda; the "
	      "evaluation form\n"
	      "                         is due evaluation_days (default 7) "
	      "before\n"
	      "  evaluatie ID CASUS-ID [--datum JJJJ-MM-DD]\n"
	      "                         the evaluation form of the casus "
	      "arrived\n"
	      "  deelnemer-nieuw --naam NAAM --organisatie ORG --soort SOORT\n"
	      "                         add a participant to the RET's list\n"
	      "  deelnemers             list the participants\n"
	      "  aanwezig ID DEELNEMER-ID --uren UREN\n"
	      "                         record attendance and hours (travel "
	      "and\n"
	      "                         preparation included; e.g. 2.5)\n"
	      "  afwezig ID DEELNEMER-ID\n"
	      "                         record that a participant was absent\n"
	      "  verslag ID CASUS-ID --verslag TEKST [--advies TEKST]\n"
	      "        [--afspraak TEKST [--wie WIE] [--deadline JJJJ-MM-DD]]\n"
	      "                         minutes of an agenda item; the advice "
	      "and\n"
	      "                         agreement are recorded with the casus\n"
	      "\n"
	      "TAFEL: ret, mda, schakeloverleg, doorbraaktafel.\n"
	      "SOORT: kern (fixed core), schil (flexible shell), expert "
	      "(invited).\n"
	      "\n"
	      "Examples:\n"
	      "  ret overleg nieuw --datum 2026-12-17 --tafel ret\n"
	      "  ret overleg agenderen 1 12\n"
	      "  ret overleg aanwezig 1 3 --uren 2.5\n"
	      "  ret overleg verslag 1 12 --verslag 'Besproken' --advies "
	      "'Start ...'\n"));
}

static const char *
today_utc(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return out;
}

static int
check_in(const char *flag, const char *s, const char *const *vals, size_t n)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(vals[i], s) == 0)
			return 0;
	fprintf(stderr, _("ret: %s: '%s' is not a valid value; choose from:"),
	        flag, s != NULL ? s : "");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", vals[i]);
	fputc('\n', stderr);
	return EX_DATAERR;
}

static int
print_id_json(const char *key, int64_t id)
{
	json_t *j = json_pack("{s:I}", key, (json_int_t)id);
	int rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;

	json_decref(j);
	return rc;
}

/* The result of a change: {KEY: N} with --json, else a sentence. */
#define print_id(ctx, key, id, msg)                                            \
	((ctx)->json                                                           \
	     ? print_id_json((key), (id))                                      \
	     : (printf((msg), (long long)(id)), fputc('\n', stdout), EX_OK))

/* A library failure, with the usual not-found cases in Dutch. */
static int
overleg_fail(enum node_status s, const char *err, struct args *a)
{
	if (s == NODE_ERR_NOT_FOUND && strstr(err, "overleg") == err) {
		cli_error(_("meeting %lld does not exist"), (long long)a->id);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_NOT_FOUND && strstr(err, "participant") != NULL) {
		cli_error(_("participant %lld does not exist"),
		          (long long)a->id2);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_NOT_FOUND &&
	    strstr(err, "not on the agenda") != NULL) {
		cli_error(_("casus %lld is not on the agenda of meeting %lld"),
		          (long long)a->id2, (long long)a->id);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_NOT_FOUND && strstr(err, "casus") == err) {
		cli_error(_("casus %lld does not exist"), (long long)a->id2);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_INVALID &&
	    strstr(err, "already on the agenda") != NULL) {
		cli_error(
		    _("casus %lld is already on the agenda of meeting %lld"),
		    (long long)a->id2, (long long)a->id);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_INVALID && strstr(err, "took place") != NULL) {
		cli_error(_("meeting %lld has already taken place; plan a new "
		            "meeting"),
		          (long long)a->id);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_INVALID &&
	    strstr(err, "cannot be put on an agenda") != NULL) {
		cli_error(_("casus %lld is closed, cancelled or referred and "
		            "cannot be put on an agenda"),
		          (long long)a->id2);
		return EX_DATAERR;
	}
	if (s == NODE_ERR_INVALID &&
	    strstr(err, "already on the list") != NULL) {
		cli_error("%s", _("this participant is already on the list"));
		return EX_DATAERR;
	}
	return cli_fail(s, err);
}

static int
verb_new(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "", today[11];
	size_t n;
	const char *const *tables = node_overleg_tables(&n);
	enum node_status s;
	int64_t id = 0;
	int rc;

	if (ARG(a, O_DATE) == NULL || ARG(a, O_TABLE) == NULL)
		return cli_usage_error(
		    "overleg", "%s",
		    _("nieuw: --datum and --tafel are required"));
	if ((rc = cli_check_date("--datum", ARG(a, O_DATE))) ||
	    (rc = check_in("--tafel", ARG(a, O_TABLE), tables, n)))
		return rc;
	if (strcmp(ARG(a, O_DATE), today_utc(today)) < 0) {
		cli_error(_("--datum: %s lies in the past (today is %s); a "
		            "meeting is planned ahead"),
		          ARG(a, O_DATE), today);
		return EX_DATAERR;
	}
	s = node_overleg_new(ctx->db, ctx->user, ARG(a, O_DATE),
	                     ARG(a, O_TABLE), ARG(a, O_NOTE), NULL, &id, err,
	                     sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	return print_id(ctx, "id", id, _("Meeting %lld planned."));
}

static int
verb_list(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	json_t *arr = NULL, *row;
	enum node_status s;
	size_t i;
	int rc = EX_OK;

	s = node_overleg_list(ctx->db, ctx->user, &arr, err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	if (ctx->json) {
		rc = cli_print_json(arr);
	} else if (json_array_size(arr) == 0) {
		printf("%s\n", _("No meetings."));
	} else {
		printf("%-5s %-10s %-15s %-7s %s\n", _("ID"), _("DATE"),
		       _("TABLE"), _("CASES"), _("PRESENT"));
		json_array_foreach(arr, i, row)
		{
			printf("%-5s %-10s %-15s %-7s %s\n", cli_str(row, "id"),
			       cli_str(row, "date"), cli_str(row, "table"),
			       cli_str(row, "agenda_items"),
			       cli_str(row, "present"));
		}
	}
	json_decref(arr);
	return rc;
}

static void
print_meeting(json_t *o)
{
	json_t *row;
	size_t i;
	char h[24];

	printf(_("Meeting %s - %s, table %s\n"), cli_str(o, "id"),
	       cli_str(o, "date"), cli_str(o, "table"));
	if (json_string_length(json_object_get(o, "note")) > 0)
		printf(_("Note: %s\n"), cli_str(o, "note"));
	printf("%s\n", _("Agenda:"));
	if (json_array_size(json_object_get(o, "agenda")) == 0)
		printf("  -\n");
	json_array_foreach(json_object_get(o, "agenda"), i, row)
	{
		const char *state =
		    json_is_string(json_object_get(row, "evaluation_received"))
		        ? _("received")
		    : json_is_true(json_object_get(row, "evaluation_overdue"))
		        ? _("OVERDUE")
		        : _("expected");
		printf(
		    _("  %s. casus %s (%s, %s) - evaluation form due %s: %s\n"),
		    cli_str(row, "position"), cli_str(row, "casus_id"),
		    cli_str(row, "phase"), cli_str(row, "question_type"),
		    cli_str(row, "evaluation_due"), state);
		if (json_string_length(json_object_get(row, "minutes")) > 0)
			printf(_("     Minutes: %s\n"),
			       cli_str(row, "minutes"));
	}
	printf("%s\n", _("Participants:"));
	if (json_array_size(json_object_get(o, "participants")) == 0)
		printf("  -\n");
	json_array_foreach(json_object_get(o, "participants"), i, row)
	{
		json_t *p = json_object_get(row, "present");
		snprintf(h, sizeof(h), "%lld.%02lld",
		         (long long)(json_integer_value(
		                         json_object_get(row, "hours_x100")) /
		                     100),
		         (long long)(json_integer_value(
		                         json_object_get(row, "hours_x100")) %
		                     100));
		printf(_("  [%s] %s (%s, %s): %s, %s hours\n"),
		       cli_str(row, "id"), cli_str(row, "name"),
		       cli_str(row, "organisation"), cli_str(row, "kind"),
		       json_is_true(p) ? _("present") : _("absent"), h);
	}
}

static int
verb_show(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	json_t *o = NULL;
	enum node_status s;
	int rc = EX_OK;

	s = node_overleg_show(ctx->db, ctx->user, a->id, ARG(a, O_TODAY), &o,
	                      err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	if (ctx->json)
		rc = cli_print_json(o);
	else
		print_meeting(o);
	json_decref(o);
	return rc;
}

static int
verb_agenda(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "", due[11] = "";
	enum node_status s;
	int rc = EX_OK;

	s = node_overleg_agenda_add(ctx->db, ctx->user, a->id, a->id2,
	                            node_config_evaluation_days(ctx->cfg), NULL,
	                            due, err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	if (ctx->json) {
		json_t *j = json_pack(
		    "{s:I, s:I, s:s}", "overleg", (json_int_t)a->id, "casus",
		    (json_int_t)a->id2, "evaluation_due", due);
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
	} else {
		printf(_("Casus %lld is on the agenda of meeting %lld; the "
		         "evaluation form is due on %s.\n"),
		       (long long)a->id2, (long long)a->id, due);
	}
	return rc;
}

static int
verb_evaluation(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int rc;

	if ((rc = cli_check_date("--datum", ARG(a, O_DATE))) != 0)
		return rc;
	s = node_overleg_evaluation(ctx->db, ctx->user, a->id, a->id2,
	                            ARG(a, O_DATE), err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	return print_id(ctx, "casus", a->id2,
	                _("Evaluation form of casus %lld received."));
}

static int
verb_participant_new(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	size_t n;
	const char *const *kinds = node_overleg_kinds(&n);
	enum node_status s;
	int64_t id = 0;
	int rc;

	if (ARG(a, O_NAME) == NULL || ARG(a, O_ORG) == NULL ||
	    ARG(a, O_KIND) == NULL)
		return cli_usage_error(
		    "overleg", "%s",
		    _("deelnemer-nieuw: --naam, --organisatie and --soort are "
		      "required"));
	if ((rc = check_in("--soort", ARG(a, O_KIND), kinds, n)) != 0)
		return rc;
	s = node_overleg_participant_add(ctx->db, ctx->user, ARG(a, O_NAME),
	                                 ARG(a, O_ORG), ARG(a, O_KIND), &id,
	                                 err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	return print_id(ctx, "id", id, _("Participant %lld added."));
}

static int
verb_participants(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	json_t *arr = NULL, *row;
	enum node_status s;
	size_t i;
	int rc = EX_OK;

	s = node_overleg_participant_list(ctx->db, ctx->user, &arr, err,
	                                  sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	if (ctx->json) {
		rc = cli_print_json(arr);
	} else if (json_array_size(arr) == 0) {
		printf("%s\n", _("No participants."));
	} else {
		json_array_foreach(arr, i, row)
		{
			printf("[%s] %s (%s, %s)\n", cli_str(row, "id"),
			       cli_str(row, "name"),
			       cli_str(row, "organisation"),
			       cli_str(row, "kind"));
		}
	}
	json_decref(arr);
	return rc;
}

static int
record_attendance(struct cli_ctx *ctx, struct args *a, int present)
{
	char err[512] = "";
	enum node_status s;
	int64_t hours = 0;

	if (present) {
		if (ARG(a, O_HOURS) == NULL)
			return cli_usage_error(
			    "overleg", "%s", _("aanwezig: --uren is required"));
		if (node_overleg_parse_hours(ARG(a, O_HOURS), &hours) != 0) {
			cli_error(_("--uren: '%s' is not a number of hours "
			            "from 0 to 24 (for example 2.5)"),
			          ARG(a, O_HOURS));
			return EX_DATAERR;
		}
	}
	s = node_overleg_attendance(ctx->db, ctx->user, a->id, a->id2, present,
	                            hours, err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	return print_id(ctx, "deelnemer", a->id2,
	                present ? _("Attendance of participant %lld recorded.")
	                        : _("Absence of participant %lld recorded."));
}

static int
verb_present(struct cli_ctx *ctx, struct args *a)
{
	return record_attendance(ctx, a, 1);
}

static int
verb_absent(struct cli_ctx *ctx, struct args *a)
{
	return record_attendance(ctx, a, 0);
}

static int
verb_minutes(struct cli_ctx *ctx, struct args *a)
{
	struct node_overleg_minutes m = {ARG(a, O_MINUTES), ARG(a, O_ADVICE),
	                                 ARG(a, O_AGREEMENT), ARG(a, O_WHO),
	                                 ARG(a, O_DUE)};
	char err[512] = "";
	int64_t adv = 0, agr = 0;
	enum node_status s;
	int rc = EX_OK;

	if (m.minutes == NULL || m.minutes[0] == '\0')
		return cli_usage_error("overleg", "%s",
		                       _("verslag: --verslag is required"));
	if ((m.who != NULL || m.due != NULL) && m.agreement == NULL)
		return cli_usage_error(
		    "overleg", "%s",
		    _("verslag: --wie and --deadline belong to --afspraak"));
	if ((rc = cli_check_date("--deadline", m.due)) != 0)
		return rc;
	s = node_overleg_minutes(ctx->db, ctx->user, a->id, a->id2, &m, &adv,
	                         &agr, err, sizeof(err));
	if (s != NODE_OK)
		return overleg_fail(s, err, a);
	if (ctx->json) {
		json_t *j = json_pack(
		    "{s:I, s:I, s:o, s:o}", "overleg", (json_int_t)a->id,
		    "casus", (json_int_t)a->id2, "advice_id",
		    adv ? json_integer(adv) : json_null(), "agreement_id",
		    agr ? json_integer(agr) : json_null());
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
		return rc;
	}
	printf(_("Minutes of casus %lld in meeting %lld recorded.\n"),
	       (long long)a->id2, (long long)a->id);
	if (adv)
		printf(_("Advice %lld recorded with the casus.\n"),
		       (long long)adv);
	if (agr)
		printf(_("Agreement %lld recorded with the casus.\n"),
		       (long long)agr);
	return EX_OK;
}

static const struct verb verbs[] = {
    {"nieuw", verb_new, BIT(O_DATE) | BIT(O_TABLE) | BIT(O_NOTE), 0, ""},
    {"lijst", verb_list, 0, 0, ""},
    {"toon", verb_show, BIT(O_TODAY), 1, "ID"},
    {"agenderen", verb_agenda, 0, 2, "ID CASUS-ID"},
    {"evaluatie", verb_evaluation, BIT(O_DATE), 2, "ID CASUS-ID"},
    {"deelnemer-nieuw", verb_participant_new,
     BIT(O_NAME) | BIT(O_ORG) | BIT(O_KIND), 0, ""},
    {"deelnemers", verb_participants, 0, 0, ""},
    {"aanwezig", verb_present, BIT(O_HOURS), 2, "ID DEELNEMER-ID"},
    {"afwezig", verb_absent, 0, 2, "ID DEELNEMER-ID"},
    {"verslag", verb_minutes,
     BIT(O_MINUTES) | BIT(O_ADVICE) | BIT(O_AGREEMENT) | BIT(O_WHO) |
         BIT(O_DUE),
     2, "ID CASUS-ID"},
};

/*
 * `ret overleg VERB ...`: parse the verb's options (refusing others),
 * check what can be checked before the database is opened, run it.
 * Returns a sysexits exit code (see cli.h).
 */
int
cli_overleg(int argc, char **argv)
{
	const struct verb *verb = NULL;
	struct args a;
	struct cli_ctx ctx;
	int c, rc, li = 0;

	memset(&a, 0, sizeof(a));
	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("overleg", c, argv);
		return cli_usage_error(
		    "overleg", _("option '%s' belongs after the command"),
		    argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error("overleg", "%s", _("missing command"));
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[optind], verbs[i].name) == 0)
			verb = &verbs[i];
	if (verb == NULL)
		return cli_usage_error("overleg", _("unknown command '%s'"),
		                       argv[optind]);
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        &li)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (c < O_DATE || c >= O_LAST)
			return cli_bad_option("overleg", c, argv);
		if (!(verb->allowed & BIT(c)))
			return cli_usage_error(
			    "overleg",
			    _("%s: option '--%s' does not apply here"),
			    verb->name, longopts[li].name);
		ARG(&a, c) = optarg;
	}
	a.pos = argv + optind;
	a.n_pos = argc - optind;
	if (a.n_pos != verb->n_pos) {
		if (a.n_pos > verb->n_pos)
			return cli_usage_error(
			    "overleg", _("%s: unexpected argument '%s'"),
			    verb->name, a.pos[verb->n_pos]);
		return cli_usage_error(
		    "overleg",
		    _("%s: missing argument; usage: ret overleg %s %s"),
		    verb->name, verb->name, verb->pos_names);
	}
	if (verb->n_pos > 0 &&
	    (rc = cli_parse_id("overleg", "ID", a.pos[0], &a.id)) != 0)
		return rc;
	if (verb->n_pos > 1 &&
	    (rc = cli_parse_id("overleg", verb->pos_names + 3, a.pos[1],
	                       &a.id2)) != 0)
		return rc;
	if ((rc = cli_check_date("--vandaag", ARG(&a, O_TODAY))) != 0)
		return rc;
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	rc = verb->fn(&ctx, &a);
	cli_ctx_close(&ctx);
	return rc;
}
