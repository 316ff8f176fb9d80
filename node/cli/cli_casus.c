/*
 * cli_casus: `ret casus ...`, the case register for the chair and the
 * secretary: register a casus (aanmelding), add its people, move it
 * through the procesregie, record advice, agreements and follow-ups, list
 * and show cases. Every command reads or changes case data through
 * node_register, which writes the audit row.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_apply.h"
#include "node_clientinfo.h"
#include "node_lifecycle.h"

/* Long-only options; each verb allows a subset. */
enum {
	O_REGISTERED_BY = 1000,
	O_QUESTION,
	O_PROBLEM,
	O_THEME,
	O_REGISSEUR_ORG,
	O_REGISSEUR_ROLE,
	O_DATE,
	O_TABLE,
	O_SUMMARY,
	O_OUTCOME,
	O_PHASE,
	O_OVERDUE,
	O_TODAY,
	O_NOTE,
	O_ROLE,
	O_NAME,
	O_BSN,
	O_BIRTH,
	O_ADDRESS,
	O_POSTCODE,
	O_MUNICIPALITY,
	O_WHO,
	O_DUE,
	O_HOW,
	O_LETTER,
	O_TO,
	O_LAST
};

#define BIT(o) (1ull << ((o) - O_REGISTERED_BY))
#define CASUS_FIELDS                                                         \
	(BIT(O_REGISTERED_BY) | BIT(O_QUESTION) | BIT(O_PROBLEM) |           \
	 BIT(O_THEME) | BIT(O_REGISSEUR_ORG) | BIT(O_REGISSEUR_ROLE) |       \
	 BIT(O_DATE) | BIT(O_TABLE) | BIT(O_SUMMARY))

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"aangemeld-door", required_argument, NULL, O_REGISTERED_BY},
	{"vraag", required_argument, NULL, O_QUESTION},
	{"probleem", required_argument, NULL, O_PROBLEM},
	{"thema", required_argument, NULL, O_THEME},
	{"regisseur-org", required_argument, NULL, O_REGISSEUR_ORG},
	{"regisseur-rol", required_argument, NULL, O_REGISSEUR_ROLE},
	{"datum", required_argument, NULL, O_DATE},
	{"tafel", required_argument, NULL, O_TABLE},
	{"omschrijving", required_argument, NULL, O_SUMMARY},
	{"uitkomst", required_argument, NULL, O_OUTCOME},
	{"fase", required_argument, NULL, O_PHASE},
	{"verlopen", no_argument, NULL, O_OVERDUE},
	{"vandaag", required_argument, NULL, O_TODAY},
	{"notitie", required_argument, NULL, O_NOTE},
	{"rol", required_argument, NULL, O_ROLE},
	{"naam", required_argument, NULL, O_NAME},
	{"bsn", required_argument, NULL, O_BSN},
	{"geboortedatum", required_argument, NULL, O_BIRTH},
	{"adres", required_argument, NULL, O_ADDRESS},
	{"postcode", required_argument, NULL, O_POSTCODE},
	{"gemeente", required_argument, NULL, O_MUNICIPALITY},
	{"wie", required_argument, NULL, O_WHO},
	{"deadline", required_argument, NULL, O_DUE},
	{"hoe", required_argument, NULL, O_HOW},
	{"monitorbrief", no_argument, NULL, O_LETTER},
	{"naar", required_argument, NULL, O_TO},
	{NULL, 0, NULL, 0},
};

struct args {
	const char *v[O_LAST - O_REGISTERED_BY];
	int overdue;
	char **pos; /* positional arguments after the verb */
	int n_pos;
	int64_t id, id2; /* parsed positional ids */
};

#define ARG(a, o) ((a)->v[(o) - O_REGISTERED_BY])

struct verb {
	const char *name;
	const char *alias;
	int (*check)(struct args *a); /* before the database is opened */
	int (*fn)(struct cli_ctx *ctx, struct args *a);
	unsigned long long allowed;
	int n_pos; /* exact number of positional arguments */
	const char *pos_names; /* for the usage error */
};

static void
usage(FILE *f)
{
	fprintf(f, "%s", _(
		"Usage: ret casus COMMAND [ARGUMENTS] [--json]\n"
		"\n"
		"Commands:\n"
		"  nieuw --aangemeld-door WIE --vraag TYPE [--probleem LIJST] [--thema LIJST]\n"
		"        [--regisseur-org ORG] [--regisseur-rol ROL] [--datum JJJJ-MM-DD]\n"
		"        [--tafel TAFEL] [--omschrijving TEKST]\n"
		"                         register a new casus (phase aanmelding)\n"
		"  lijst [--fase FASE] [--tafel TAFEL] [--verlopen] [--vandaag JJJJ-MM-DD]\n"
		"                         list cases; --verlopen: follow-ups past due\n"
		"  toon ID                show a casus with its people and history\n"
		"  wijzig ID [the options of nieuw] [--uitkomst UITKOMST]\n"
		"                         change a casus\n"
		"  persoon-toevoegen ID --rol ROL --naam NAAM [--bsn BSN]\n"
		"        [--geboortedatum JJJJ-MM-DD] [--adres ADRES] [--postcode POSTCODE]\n"
		"        [--gemeente GEMEENTE]\n"
		"                         add a person (jeugdige, ouder, other)\n"
		"  fase ID FASE [--notitie TEKST]\n"
		"                         move the casus to another phase (or name the step:\n"
		"                         triage, bespreken, afschalen, afsluiten, heropenen,\n"
		"                         annuleren, doorverwijzen)\n"
		"  advies ID TEKST        record advice\n"
		"  afspraak ID TEKST [--wie WIE] [--deadline JJJJ-MM-DD]\n"
		"                         record an agreement\n"
		"  followup ID JJJJ-MM-DD [--notitie TEKST]\n"
		"                         plan a follow-up (monitoring) date\n"
		"  geinformeerd ID --hoe HOE [--datum JJJJ-MM-DD] [--monitorbrief]\n"
		"                         the jeugdige/ouders were informed (brief,\n"
		"                         mondeling, email, other); --monitorbrief: with\n"
		"                         the informatiebrief monitor\n"
		"  klacht ID --naar klachtenregeling|vertrouwenspersoon\n"
		"                         the registration is a complaint: refer it (a\n"
		"                         casus in triage moves to doorverwezen)\n"
		"  followup-gedaan ID FOLLOWUP-ID\n"
		"                         mark a follow-up as done\n"
		"\n"
		"Phases: aanmelding -> triage -> overleg -> monitoren -> afgesloten;\n"
		"geannuleerd (from aanmelding or triage), doorverwezen (from triage),\n"
		"monitoren -> overleg to discuss a casus again.\n"
		"\n"
		"Examples:\n"
		"  ret casus nieuw --aangemeld-door gemeente --vraag verblijf_wachtlijst \\\n"
		"      --probleem gedrag,gezin --tafel doorbraaktafel\n"
		"  ret casus persoon-toevoegen 1 --rol jeugdige --naam 'Sanne de Vries' --bsn 111222333\n"
		"  ret casus fase 1 triage --notitie 'aanmelding compleet'\n"
		"  ret casus followup 1 2025-03-01\n"
		"  ret casus lijst --verlopen\n"));
	fprintf(f, "%s", _(
		"\n"
		"Correcting and erasing people (AVG):\n"
		"  persoon-wijzigen ID PERSOON-ID [--rol ROL] [--naam NAAM] [--bsn BSN]\n"
		"        [--geboortedatum JJJJ-MM-DD] [--adres ADRES] [--postcode POSTCODE]\n"
		"        [--gemeente GEMEENTE]\n"
		"                         correct a person; an empty value ('') clears an\n"
		"                         optional field (role and name cannot be cleared)\n"
		"  persoon-verwijderen ID PERSOON-ID\n"
		"                         erase a person from the register; the casus stays\n"
		"Examples:\n"
		"  ret casus persoon-wijzigen 1 2 --postcode '1621ab' --adres ''\n"
		"  ret casus persoon-verwijderen 1 2\n"));
	fprintf(f, "%s", _("\nValues:\n"));
	for (enum node_vocab v = 0; v < NODE_VOCAB_COUNT; v++) {
		static const char *const names[NODE_VOCAB_COUNT] = {
			"--aangemeld-door", "--vraag", "--probleem", "--tafel",
			"--thema", "--uitkomst", "--rol"};
		size_t n;
		const char *const *vals = node_register_vocab(v, &n);
		fprintf(f, "  %-16s", names[v]);
		for (size_t i = 0; i < n; i++)
			fprintf(f, "%s%s", i ? ", " : " ", vals[i]);
		fputc('\n', f);
	}
}

/* Report a failed call about casus `id` in the user's language. */
static int
casus_fail(enum node_status s, const char *err, int64_t id)
{
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("casus %lld does not exist"), (long long)id);
		return EX_DATAERR;
	}
	return cli_fail(s, err);
}

static int
print_id_json(const char *key, int64_t id)
{
	json_t *j = json_pack("{s:I}", key, (json_int_t)id);
	int rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;

	json_decref(j);
	return rc;
}

/* The result of a change: {"id": N} with --json, else a sentence. */
#define print_id(ctx, key, id, msg)                                          \
	((ctx)->json ? print_id_json((key), (id))                             \
		     : (printf((msg), (long long)(id)), fputc('\n', stdout),  \
			EX_OK))

static int
check_casus_args(struct args *a)
{
	int rc;

	if ((rc = cli_check_vocab("--aangemeld-door", NODE_VOCAB_REGISTERED_BY,
				  ARG(a, O_REGISTERED_BY))) ||
	    (rc = cli_check_vocab("--vraag", NODE_VOCAB_QUESTION,
				  ARG(a, O_QUESTION))) ||
	    (rc = cli_check_list("--probleem", NODE_VOCAB_PROBLEM,
				 ARG(a, O_PROBLEM))) ||
	    (rc = cli_check_list("--thema", NODE_VOCAB_THEME, ARG(a, O_THEME))) ||
	    (rc = cli_check_date("--datum", ARG(a, O_DATE))))
		return rc;
	if (ARG(a, O_TABLE) != NULL && ARG(a, O_TABLE)[0] != '\0' &&
	    (rc = cli_check_vocab("--tafel", NODE_VOCAB_TABLE, ARG(a, O_TABLE))))
		return rc;
	if (ARG(a, O_OUTCOME) != NULL && ARG(a, O_OUTCOME)[0] != '\0' &&
	    (rc = cli_check_vocab("--uitkomst", NODE_VOCAB_OUTCOME,
				  ARG(a, O_OUTCOME))))
		return rc;
	return 0;
}

static void
fill_fields(struct args *a, struct node_casus_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->registered_by = ARG(a, O_REGISTERED_BY);
	f->question_type = ARG(a, O_QUESTION);
	f->problem_areas = ARG(a, O_PROBLEM);
	f->themes = ARG(a, O_THEME);
	f->regisseur_org = ARG(a, O_REGISSEUR_ORG);
	f->regisseur_role = ARG(a, O_REGISSEUR_ROLE);
	f->registered_on = ARG(a, O_DATE);
	f->table = ARG(a, O_TABLE);
	f->summary = ARG(a, O_SUMMARY);
	f->outcome = ARG(a, O_OUTCOME);
}

static int
check_new(struct args *a)
{
	if (ARG(a, O_REGISTERED_BY) == NULL)
		return cli_usage_error("casus", "%s",
				       _("nieuw: --aangemeld-door is required"));
	if (ARG(a, O_QUESTION) == NULL)
		return cli_usage_error("casus", "%s",
				       _("nieuw: --vraag is required"));
	return check_casus_args(a);
}

static int
verb_new(struct cli_ctx *ctx, struct args *a)
{
	struct node_casus_fields f;
	char err[512] = "";
	enum node_status s;
	int64_t id = 0;

	fill_fields(a, &f);
	s = node_register_casus_new(ctx->db, ctx->user, &f, &id, err,
				    sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	return print_id(ctx, "id", id, _("Casus %lld registered (phase aanmelding)."));
}

static int
verb_edit(struct cli_ctx *ctx, struct args *a)
{
	struct node_casus_fields f;
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id;

	fill_fields(a, &f);
	s = node_register_casus_edit(ctx->db, ctx->user, id, &f, err,
				     sizeof(err));
	if (s == NODE_ERR_INVALID && strcmp(err, "nothing to change") == 0)
		return cli_usage_error("casus", "%s",
				       _("wijzig: give at least one field to change"));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	return print_id(ctx, "id", id, _("Casus %lld changed."));
}

static void
print_list(json_t *arr)
{
	json_t *row;
	size_t i;

	if (json_array_size(arr) == 0) {
		printf("%s\n", _("No cases."));
		return;
	}
	printf("%-5s %-10s %-12s %-16s %-20s %-15s %s\n", _("ID"),
	       _("REGISTERED"), _("PHASE"), _("REGISTERED BY"), _("QUESTION"),
	       _("TABLE"), _("FOLLOW-UP"));
	json_array_foreach(arr, i, row)
	{
		printf("%-5s %-10s %-12s %-16s %-20s %-15s %s%s\n",
		       cli_str(row, "id"), cli_str(row, "registered_on"),
		       cli_str(row, "phase"), cli_str(row, "registered_by"),
		       cli_str(row, "question_type"), cli_str(row, "table"),
		       cli_str(row, "next_followup"),
		       json_is_true(json_object_get(row, "overdue"))
			       ? _(" (overdue)")
			       : "");
		/* Around the casus (node_overleg, node_clientinfo). */
		if (json_is_true(json_object_get(row, "evaluation_overdue")))
			printf(_("      evaluation form overdue since %s\n"),
			       cli_str(row, "evaluation_due"));
		if (json_is_false(json_object_get(row, "informed")))
			printf("%s\n", _("      jeugdige/ouders not yet informed"));
	}
}

static int
check_list(struct args *a)
{
	enum node_phase ph;
	int rc;

	if (ARG(a, O_PHASE) != NULL &&
	    node_lifecycle_phase_parse(ARG(a, O_PHASE), &ph) != 0) {
		cli_error(_("--fase: '%s' is not a phase; choose from: aanmelding, triage, overleg, monitoren, afgesloten, geannuleerd, doorverwezen"),
			  ARG(a, O_PHASE));
		return EX_DATAERR;
	}
	if ((rc = cli_check_vocab("--tafel", NODE_VOCAB_TABLE, ARG(a, O_TABLE))) ||
	    (rc = cli_check_date("--vandaag", ARG(a, O_TODAY))))
		return rc;
	return 0;
}

static int
verb_list(struct cli_ctx *ctx, struct args *a)
{
	struct node_casus_filter flt = {0};
	char err[512] = "";
	enum node_status s;
	json_t *arr = NULL;
	int rc = EX_OK;

	flt.phase = ARG(a, O_PHASE);
	flt.table = ARG(a, O_TABLE);
	flt.overdue = a->overdue;
	flt.today = ARG(a, O_TODAY);
	s = node_register_casus_list(ctx->db, ctx->user, &flt, &arr, err,
				     sizeof(err));
	if (s != NODE_OK)
		return cli_fail(s, err);
	if (ctx->json)
		rc = cli_print_json(arr);
	else
		print_list(arr);
	json_decref(arr);
	return rc;
}

static void
print_strings(const char *label, json_t *arr)
{
	json_t *v;
	size_t i;

	printf("%s:", label);
	if (json_array_size(arr) == 0)
		printf(" -");
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v))
			printf("%s%s", i ? ", " : " ", json_string_value(v));
		else if (json_is_integer(v))
			printf("%s%lld", i ? ", " : " ",
			       (long long)json_integer_value(v));
	}
	fputc('\n', stdout);
}

static void
print_casus(json_t *c)
{
	json_t *arr, *row;
	size_t i;

	printf(_("Casus %s - phase %s (since %s)\n"), cli_str(c, "id"),
	       cli_str(c, "phase"), cli_str(c, "phase_since"));
	printf(_("Registered on %s by %s; question: %s\n"),
	       cli_str(c, "registered_on"), cli_str(c, "registered_by"),
	       cli_str(c, "question_type"));
	printf(_("Casusregisseur: %s (%s)\n"), cli_str(c, "regisseur_org"),
	       cli_str(c, "regisseur_role"));
	printf(_("Table: %s   Outcome: %s   Closed on: %s\n"), cli_str(c, "table"),
	       cli_str(c, "outcome"), cli_str(c, "closed_on"));
	printf(_("May be escalated to the BEN: %s\n"), cli_str(c, "may_escalate"));
	print_strings(_("Problem areas"), json_object_get(c, "problem_areas"));
	print_strings(_("Bottleneck themes"), json_object_get(c, "themes"));
	if (json_string_length(json_object_get(c, "summary")) > 0)
		printf(_("Summary: %s\n"), cli_str(c, "summary"));

	printf("%s\n", _("People:"));
	arr = json_object_get(c, "persons");
	if (json_array_size(arr) == 0)
		printf("  -\n");
	json_array_foreach(arr, i, row)
	{
		printf(_("  [%s] %s: %s; BSN %s; born %s; %s, %s %s\n"),
		       cli_str(row, "id"), cli_str(row, "role"),
		       cli_str(row, "name"), cli_str(row, "bsn"),
		       cli_str(row, "birth_date"), cli_str(row, "address"),
		       cli_str(row, "postcode"), cli_str(row, "municipality"));
	}
	printf("%s\n", _("History:"));
	json_array_foreach(json_object_get(c, "transitions"), i, row)
	{
		printf("  %s  %s -> %s (%s)%s%s\n", cli_str(row, "at"),
		       cli_str(row, "from"), cli_str(row, "to"),
		       cli_str(row, "user"),
		       json_string_length(json_object_get(row, "note")) ? ": " : "",
		       json_string_length(json_object_get(row, "note"))
			       ? cli_str(row, "note")
			       : "");
	}
	printf("%s\n", _("Advice:"));
	if (json_array_size(json_object_get(c, "advice")) == 0)
		printf("  -\n");
	json_array_foreach(json_object_get(c, "advice"), i, row)
	{
		printf("  [%s] %s (%s): %s\n", cli_str(row, "id"),
		       cli_str(row, "at"), cli_str(row, "user"),
		       cli_str(row, "text"));
	}
	printf("%s\n", _("Agreements:"));
	if (json_array_size(json_object_get(c, "agreements")) == 0)
		printf("  -\n");
	json_array_foreach(json_object_get(c, "agreements"), i, row)
	{
		printf(_("  [%s] %s (who: %s, due: %s)\n"), cli_str(row, "id"),
		       cli_str(row, "text"), cli_str(row, "who"),
		       cli_str(row, "due"));
	}
	printf("%s\n", _("Follow-ups:"));
	if (json_array_size(json_object_get(c, "followups")) == 0)
		printf("  -\n");
	json_array_foreach(json_object_get(c, "followups"), i, row)
	{
		const char *state =
			json_is_string(json_object_get(row, "done_at"))
				? _("done")
			: json_integer_value(json_object_get(row, "overdue"))
				? _("OVERDUE")
				: _("open");
		printf("  [%s] %s %s %s\n", cli_str(row, "id"),
		       cli_str(row, "due"), state, cli_str(row, "note"));
	}
	print_strings(_("Consultations"), json_object_get(c, "consultations"));
}

/* ---- Decisions of the BEN desk on this casus (node_apply) ------------ */

/*
 * Add the decisions received for casus id to c as "decisions" (an empty
 * array when none arrived, or the node never received any). Returns
 * NODE_OK or an error with a sentence in err.
 */
static enum node_status
add_decisions(sqlite3 *db, int64_t id, json_t *c, char *err, size_t errlen)
{
	json_t *d = NULL;
	enum node_status s;
	int version = 0;

	s = node_db_version(db, NODE_APPLY_COMPONENT, &version);
	if (s != NODE_OK)
		return s;
	if (version == 0)
		d = json_array();
	else if ((s = node_apply_casus_decisions(db, id, &d, err, errlen)) !=
		 NODE_OK)
		return s;
	if (d == NULL || json_object_set_new(c, "decisions", d) != 0)
		return NODE_ERR_NOMEM;
	return NODE_OK;
}

static void
print_decisions(json_t *c)
{
	json_t *arr = json_object_get(c, "decisions");

	if (json_array_size(arr) == 0)
		return;
	printf("%s\n", _("Decisions of the BEN desk:"));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *d = json_array_get(arr, i);

		printf(_("  %s on the %s (thread %s), from %s\n"),
		       cli_str(d, "status"), cli_str(d, "request_kind"),
		       cli_str(d, "thread_id"), cli_str(d, "from"));
		if (json_object_get(d, "assigned") != NULL)
			printf(_("    assigned (%s): %s\n"),
			       cli_str(d, "assignment_kind"),
			       cli_str(d, "assigned"));
		if (json_object_get(d, "reason") != NULL)
			printf(_("    reason: %s\n"), cli_str(d, "reason"));
		if (json_object_get(d, "question") != NULL)
			printf(_("    question: %s (answer with: ret opschaling %s --vervolg-op %s --antwoord ...)\n"),
			       cli_str(d, "question"), cli_str(c, "id"),
			       cli_str(d, "thread_id"));
		if (json_object_get(d, "note") != NULL)
			printf(_("    note: %s\n"), cli_str(d, "note"));
	}
}

/* ---- end of the decisions of the BEN desk ----------------------------- */

static int
verb_show(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	json_t *c = NULL;
	int64_t id = a->id;
	int rc = EX_OK;

	s = node_register_casus_show(ctx->db, ctx->user, id, &c, err,
				     sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	s = add_decisions(ctx->db, id, c, err, sizeof(err)); /* desk decisions */
	if (s != NODE_OK) {
		json_decref(c);
		return cli_fail(s, err);
	}
	if (ctx->json)
		rc = cli_print_json(c);
	else {
		print_casus(c);
		print_decisions(c);
	}
	json_decref(c);
	return rc;
}

static int
verb_person(struct cli_ctx *ctx, struct args *a)
{
	struct node_person p;
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, pid = 0;

	p.role = ARG(a, O_ROLE);
	p.name = ARG(a, O_NAME);
	p.bsn = ARG(a, O_BSN);
	p.birth_date = ARG(a, O_BIRTH);
	p.address = ARG(a, O_ADDRESS);
	p.postcode = ARG(a, O_POSTCODE);
	p.municipality = ARG(a, O_MUNICIPALITY);
	s = node_register_person_add(ctx->db, ctx->user, id, &p, &pid, err,
				     sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	return print_id(ctx, "id", pid, _("Person %lld added."));
}

static int
check_person(struct args *a)
{
	char pc[8];
	int rc;

	if (ARG(a, O_ROLE) == NULL)
		return cli_usage_error("casus", "%s",
				       _("persoon-toevoegen: --rol is required"));
	if (ARG(a, O_NAME) == NULL || ARG(a, O_NAME)[0] == '\0')
		return cli_usage_error("casus", "%s",
				       _("persoon-toevoegen: --naam is required"));
	if ((rc = cli_check_vocab("--rol", NODE_VOCAB_PERSON_ROLE, ARG(a, O_ROLE))) ||
	    (rc = cli_check_date("--geboortedatum", ARG(a, O_BIRTH))))
		return rc;
	if (ARG(a, O_BSN) != NULL && !node_register_bsn_valid(ARG(a, O_BSN))) {
		cli_error("%s", _("--bsn: not a valid BSN (9 digits that pass the elfproef)"));
		return EX_DATAERR;
	}
	if (ARG(a, O_POSTCODE) != NULL &&
	    node_register_postcode_normalise(ARG(a, O_POSTCODE), pc) != 0) {
		cli_error("%s", _("--postcode: not a Dutch postcode (1234 AB)"));
		return EX_DATAERR;
	}
	return 0;
}

/* Report a failed call about person `pid` of casus `id`. */
static int
person_fail(struct cli_ctx *ctx, enum node_status s, const char *err,
	    int64_t id, int64_t pid)
{
	enum node_phase ph;

	if (s != NODE_ERR_NOT_FOUND)
		return cli_fail(s, err);
	if (node_register_casus_get_phase(ctx->db, id, &ph) != NODE_OK)
		return casus_fail(NODE_ERR_NOT_FOUND, err, id);
	cli_error(_("casus %lld has no person %lld"), (long long)id,
		  (long long)pid);
	return EX_DATAERR;
}

static int
check_person_edit(struct args *a)
{
	char pc[8];
	int rc;

	if ((rc = cli_parse_id("casus", "PERSOON-ID", a->pos[1], &a->id2)) != 0)
		return rc;
	if (ARG(a, O_ROLE) == NULL && ARG(a, O_NAME) == NULL &&
	    ARG(a, O_BSN) == NULL && ARG(a, O_BIRTH) == NULL &&
	    ARG(a, O_ADDRESS) == NULL && ARG(a, O_POSTCODE) == NULL &&
	    ARG(a, O_MUNICIPALITY) == NULL)
		return cli_usage_error("casus", "%s",
				       _("persoon-wijzigen: give at least one field to change"));
	if (ARG(a, O_ROLE) != NULL &&
	    (rc = cli_check_vocab("--rol", NODE_VOCAB_PERSON_ROLE, ARG(a, O_ROLE))))
		return rc;
	if (ARG(a, O_NAME) != NULL && ARG(a, O_NAME)[0] == '\0') {
		cli_error("%s", _("--naam: a person's name cannot be cleared"));
		return EX_DATAERR;
	}
	if (ARG(a, O_BIRTH) != NULL && ARG(a, O_BIRTH)[0] != '\0' &&
	    (rc = cli_check_date("--geboortedatum", ARG(a, O_BIRTH))))
		return rc;
	if (ARG(a, O_BSN) != NULL && ARG(a, O_BSN)[0] != '\0' &&
	    !node_register_bsn_valid(ARG(a, O_BSN))) {
		cli_error("%s", _("--bsn: not a valid BSN (9 digits that pass the elfproef)"));
		return EX_DATAERR;
	}
	if (ARG(a, O_POSTCODE) != NULL && ARG(a, O_POSTCODE)[0] != '\0' &&
	    node_register_postcode_normalise(ARG(a, O_POSTCODE), pc) != 0) {
		cli_error("%s", _("--postcode: not a Dutch postcode (1234 AB)"));
		return EX_DATAERR;
	}
	return 0;
}

static int
verb_person_edit(struct cli_ctx *ctx, struct args *a)
{
	struct node_person p;
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, pid = a->id2;

	p.role = ARG(a, O_ROLE);
	p.name = ARG(a, O_NAME);
	p.bsn = ARG(a, O_BSN);
	p.birth_date = ARG(a, O_BIRTH);
	p.address = ARG(a, O_ADDRESS);
	p.postcode = ARG(a, O_POSTCODE);
	p.municipality = ARG(a, O_MUNICIPALITY);
	s = node_register_person_edit(ctx->db, ctx->user, id, pid, &p, err,
				      sizeof(err));
	if (s != NODE_OK)
		return person_fail(ctx, s, err, id, pid);
	return print_id(ctx, "id", pid, _("Person %lld changed."));
}

static int
check_person_remove(struct args *a)
{
	return cli_parse_id("casus", "PERSOON-ID", a->pos[1], &a->id2);
}

static int
verb_person_remove(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, pid = a->id2;

	s = node_register_person_remove(ctx->db, ctx->user, id, pid, err,
					sizeof(err));
	if (s != NODE_OK)
		return person_fail(ctx, s, err, id, pid);
	return print_id(ctx, "id", pid,
			_("Person %lld removed; the casus stays."));
}

/*
 * The target of `fase`: a phase name, or the name of a step allowed from
 * the current phase ("afschalen").
 */
static int
resolve_phase(enum node_phase from, const char *arg, enum node_phase *to)
{
	if (node_lifecycle_phase_parse(arg, to) == 0)
		return 0;
	for (int t = 0; t < NODE_PHASE_COUNT; t++) {
		const char *step = node_lifecycle_step_name(from, (enum node_phase)t);
		if (step != NULL && strcmp(step, arg) == 0) {
			*to = (enum node_phase)t;
			return 0;
		}
	}
	return -1;
}

static int
verb_phase(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "", allowed[160] = "";
	enum node_phase from, to;
	enum node_status s;
	size_t used = 0;
	int64_t id = a->id;
	int rc;

	s = node_register_casus_get_phase(ctx->db, id, &from);
	if (s != NODE_OK)
		return casus_fail(s, "", id);
	for (int t = 0; t < NODE_PHASE_COUNT; t++) {
		if (!node_lifecycle_allowed(from, (enum node_phase)t))
			continue;
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s (%s)",
				 used ? ", " : "",
				 node_lifecycle_phase_name((enum node_phase)t),
				 node_lifecycle_step_name(from, (enum node_phase)t));
		if (n > 0 && (size_t)n < sizeof(allowed) - used)
			used += (size_t)n;
	}
	if (resolve_phase(from, a->pos[1], &to) != 0) {
		cli_error(_("'%s' is not a phase or a step; from %s the casus can go to: %s"),
			  a->pos[1], node_lifecycle_phase_name(from),
			  used ? allowed : _("nowhere (final phase)"));
		return EX_DATAERR;
	}
	if (!node_lifecycle_allowed(from, to)) {
		if (node_lifecycle_is_final(from))
			cli_error(_("casus %lld is %s, a final phase; it cannot change any more"),
				  (long long)id, node_lifecycle_phase_name(from));
		else
			cli_error(_("casus %lld cannot go from %s to %s; allowed: %s"),
				  (long long)id, node_lifecycle_phase_name(from),
				  node_lifecycle_phase_name(to), allowed);
		return EX_DATAERR;
	}
	s = node_register_casus_phase(ctx->db, ctx->user, id,
				      node_lifecycle_phase_name(to),
				      ARG(a, O_NOTE), err, sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	if (ctx->json) {
		json_t *j = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id,
				      "from", node_lifecycle_phase_name(from),
				      "to", node_lifecycle_phase_name(to),
				      "step", node_lifecycle_step_name(from, to));
		rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
		return rc;
	}
	printf(_("Casus %lld: %s -> %s.\n"), (long long)id,
	       node_lifecycle_phase_name(from), node_lifecycle_phase_name(to));
	return EX_OK;
}

static int
verb_advice(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, rid = 0;

	s = node_register_advice_add(ctx->db, ctx->user, id, a->pos[1], &rid,
				     err, sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	return print_id(ctx, "id", rid, _("Advice %lld recorded."));
}

static int
check_text_arg(struct args *a)
{
	if (a->pos[1][0] == '\0')
		return cli_usage_error("casus", "%s", _("the text must not be empty"));
	return 0;
}

static int
check_agreement(struct args *a)
{
	int rc = check_text_arg(a);

	return rc != 0 ? rc : cli_check_date("--deadline", ARG(a, O_DUE));
}

static int
verb_agreement(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, rid = 0;

	s = node_register_agreement_add(ctx->db, ctx->user, id, a->pos[1],
					ARG(a, O_WHO), ARG(a, O_DUE), &rid, err,
					sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	return print_id(ctx, "id", rid, _("Agreement %lld recorded."));
}

static int
check_followup(struct args *a)
{
	return cli_check_date(_("date"), a->pos[1]);
}

static int
verb_followup(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, rid = 0;

	s = node_register_followup_add(ctx->db, ctx->user, id, a->pos[1],
				       ARG(a, O_NOTE), &rid, err, sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, id);
	return print_id(ctx, "id", rid, _("Follow-up %lld planned."));
}

static int
check_followup_done(struct args *a)
{
	return cli_parse_id("casus", "FOLLOWUP-ID", a->pos[1], &a->id2);
}

static int
verb_followup_done(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int64_t id = a->id, fid = a->id2;

	s = node_register_followup_done(ctx->db, ctx->user, id, fid, err,
					sizeof(err));
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("casus %lld has no open follow-up %lld"),
			  (long long)id, (long long)fid);
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, err);
	return print_id(ctx, "id", fid, _("Follow-up %lld done."));
}

static int
verb_informed(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	size_t n;
	const char *const *hows = node_clientinfo_hows(&n);
	enum node_status s;
	int64_t rid = 0;
	int ok = 0, rc;

	if ((rc = cli_check_date("--datum", ARG(a, O_DATE))) != 0)
		return rc;
	for (size_t i = 0; ARG(a, O_HOW) != NULL && i < n; i++)
		ok |= strcmp(hows[i], ARG(a, O_HOW)) == 0;
	if (!ok) {
		cli_error(_("--hoe: '%s' is not a valid value; choose from: brief, mondeling, email, other"),
			  ARG(a, O_HOW) != NULL ? ARG(a, O_HOW) : "");
		return EX_DATAERR;
	}
	s = node_clientinfo_informed(ctx->db, ctx->user, a->id, ARG(a, O_DATE),
				     ARG(a, O_HOW), ARG(a, O_LETTER) != NULL,
				     &rid, err, sizeof(err));
	if (s == NODE_ERR_INVALID && strstr(err, "future") != NULL) {
		cli_error(_("--datum: %s lies in the future"), ARG(a, O_DATE));
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return casus_fail(s, err, a->id);
	return print_id(ctx, "id", rid, _("Recorded that the client was informed (%lld)."));
}

static int
verb_complaint(struct cli_ctx *ctx, struct args *a)
{
	char err[512] = "";
	enum node_status s;
	int moved = 0;

	if (ARG(a, O_TO) == NULL || (strcmp(ARG(a, O_TO), "klachtenregeling") != 0 &&
				     strcmp(ARG(a, O_TO), "vertrouwenspersoon") != 0)) {
		cli_error("%s", _("--naar: choose klachtenregeling or vertrouwenspersoon"));
		return EX_DATAERR;
	}
	s = node_clientinfo_complaint(ctx->db, ctx->user, a->id, ARG(a, O_TO),
				      &moved, err, sizeof(err));
	if (s != NODE_OK)
		return casus_fail(s, err, a->id);
	if (ctx->json) {
		json_t *j = json_pack("{s:I, s:s, s:b}", "id", (json_int_t)a->id,
				      "complaint_referral", ARG(a, O_TO),
				      "moved_to_doorverwezen", moved);
		int rc = j != NULL ? cli_print_json(j) : EX_SOFTWARE;
		json_decref(j);
		return rc;
	}
	printf(_("Casus %lld referred to the %s.\n"), (long long)a->id, ARG(a, O_TO));
	if (moved)
		printf("%s\n", _("The casus moved from triage to doorverwezen."));
	return EX_OK;
}

static const struct verb verbs[] = {
	{"nieuw", "new", check_new, verb_new, CASUS_FIELDS, 0, ""},
	{"lijst", "list", check_list, verb_list,
	 BIT(O_PHASE) | BIT(O_TABLE) | BIT(O_OVERDUE) | BIT(O_TODAY), 0, ""},
	{"toon", "show", NULL, verb_show, 0, 1, "ID"},
	{"wijzig", "edit", check_casus_args, verb_edit,
	 CASUS_FIELDS | BIT(O_OUTCOME), 1, "ID"},
	{"persoon-toevoegen", "add-person", check_person, verb_person,
	 BIT(O_ROLE) | BIT(O_NAME) | BIT(O_BSN) | BIT(O_BIRTH) |
		 BIT(O_ADDRESS) | BIT(O_POSTCODE) | BIT(O_MUNICIPALITY),
	 1, "ID"},
	{"persoon-wijzigen", "edit-person", check_person_edit,
	 verb_person_edit,
	 BIT(O_ROLE) | BIT(O_NAME) | BIT(O_BSN) | BIT(O_BIRTH) |
		 BIT(O_ADDRESS) | BIT(O_POSTCODE) | BIT(O_MUNICIPALITY),
	 2, "ID PERSOON-ID"},
	{"persoon-verwijderen", "remove-person", check_person_remove,
	 verb_person_remove, 0, 2, "ID PERSOON-ID"},
	{"fase", "phase", NULL, verb_phase, BIT(O_NOTE), 2, "ID FASE"},
	{"advies", "advice", check_text_arg, verb_advice, 0, 2, "ID TEKST"},
	{"afspraak", "agreement", check_agreement, verb_agreement,
	 BIT(O_WHO) | BIT(O_DUE), 2, "ID TEKST"},
	{"followup", NULL, check_followup, verb_followup, BIT(O_NOTE), 2,
	 "ID JJJJ-MM-DD"},
	{"geinformeerd", "informed", NULL, verb_informed,
	 BIT(O_HOW) | BIT(O_DATE) | BIT(O_LETTER), 1, "ID"},
	{"klacht", "complaint", NULL, verb_complaint, BIT(O_TO), 1, "ID"},
	{"followup-gedaan", "followup-done", check_followup_done,
	 verb_followup_done, 0, 2, "ID FOLLOWUP-ID"},
};

/*
 * `ret casus VERB ...`: find the verb, parse its options (refusing those
 * that do not belong to it), check arguments before the database is
 * opened, then run it. Returns a sysexits exit code (see cli.h).
 */
int
cli_casus(int argc, char **argv)
{
	const struct verb *verb = NULL;
	struct args a;
	struct cli_ctx ctx;
	int c, rc, li = 0;

	memset(&a, 0, sizeof(a));
	/* Common options may come before the verb. */
	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("casus", c, argv);
		return cli_usage_error("casus", _("option '%s' belongs after the command"),
				       argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error("casus", "%s", _("missing command"));
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[optind], verbs[i].name) == 0 ||
		    (verbs[i].alias != NULL &&
		     strcmp(argv[optind], verbs[i].alias) == 0))
			verb = &verbs[i];
	if (verb == NULL)
		return cli_usage_error("casus", _("unknown command '%s'"),
				       argv[optind]);
	argc -= optind;
	argv += optind;
	optind = 0; /* 0: GNU getopt starts afresh on the new argv */
	/* GNU getopt permutes: positional arguments end up at the back. */
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
				&li)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (c < O_REGISTERED_BY || c >= O_LAST)
			return cli_bad_option("casus", c, argv);
		if (!(verb->allowed & BIT(c)))
			return cli_usage_error("casus", _("%s: option '--%s' does not apply here"),
					       verb->name, longopts[li].name);
		if (c == O_OVERDUE)
			a.overdue = 1;
		else if (c == O_LETTER)
			ARG(&a, c) = "1";
		else
			ARG(&a, c) = optarg;
	}
	a.pos = argv + optind;
	a.n_pos = argc - optind;
	if (a.n_pos != verb->n_pos) {
		if (a.n_pos > verb->n_pos)
			return cli_usage_error("casus", _("%s: unexpected argument '%s'"),
					       verb->name, a.pos[verb->n_pos]);
		return cli_usage_error("casus", _("%s: missing argument; usage: ret casus %s %s"),
				       verb->name, verb->name, verb->pos_names);
	}
	/* Usage and data errors are found before the database is opened. */
	if (verb->n_pos > 0 &&
	    (rc = cli_parse_id("casus", "ID", a.pos[0], &a.id)) != 0)
		return rc;
	if (verb->check != NULL && (rc = verb->check(&a)) != 0)
		return rc;
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	rc = verb->fn(&ctx, &a);
	cli_ctx_close(&ctx);
	return rc;
}
