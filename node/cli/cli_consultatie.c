/*
 * cli_consultatie: `ret consultatie ...`, consultatie en advies: questions
 * put to the RET that need no casus, recorded with who asked (by role),
 * the question and the answer. A consultation may lead to an aanmelding.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum {
	O_FROM = 1000,
	O_QUESTION,
	O_ANSWER,
	O_DATE,
	O_TYPE,
	O_REGISTERED_BY,
};

static const struct option longopts[] = {
	CLI_COMMON_LONGOPTS,
	{"van", required_argument, NULL, O_FROM},
	{"vraag", required_argument, NULL, O_QUESTION},
	{"antwoord", required_argument, NULL, O_ANSWER},
	{"datum", required_argument, NULL, O_DATE},
	{"type", required_argument, NULL, O_TYPE},
	{"aangemeld-door", required_argument, NULL, O_REGISTERED_BY},
	{NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "%s", _(
		"Usage: ret consultatie COMMAND [ARGUMENTS] [--json]\n"
		"\n"
		"Commands:\n"
		"  nieuw --van ROL --vraag TEKST [--antwoord TEKST] [--datum JJJJ-MM-DD]\n"
		"                         record a consultation\n"
		"  lijst                  list consultations\n"
		"  toon ID                show a consultation\n"
		"  aanmelden ID --type VRAAGTYPE [--aangemeld-door WIE]\n"
		"                         turn a consultation into a casus (aanmelding)\n"
		"  uitkomst ID UITKOMST   beantwoord, aanmelding, klachtenregeling or\n"
		"                         vertrouwenspersoon\n"
		"  bevestiging ID [--eml FILE] [--aan ADRES]\n"
		"                         the confirmation for the person who asked\n"
		"\n"
		"ROL and WIE: gemeente, gi, zorgaanbieder, onderwijs, ouders_jeugdige, other.\n"
		"VRAAGTYPE: verblijf_wachtlijst, passend_aanbod, samenwerking_regie,\n"
		"onderwijs, overgang_18, other.\n"
		"\n"
		"Examples:\n"
		"  ret consultatie nieuw --van zorgaanbieder --vraag 'Wie kan helpen bij ...?' \\\n"
		"      --antwoord 'Neem contact op met ...'\n"
		"  ret consultatie aanmelden 4 --type passend_aanbod\n"));
}

/*
 * `ret consultatie nieuw|lijst|toon|aanmelden`. Returns a sysexits exit
 * code (see cli.h).
 */
int
cli_consultatie(int argc, char **argv)
{
	const char *from = NULL, *question = NULL, *answer = NULL, *date = NULL,
		   *type = NULL, *by = NULL, *verb;
	char err[512] = "";
	struct cli_ctx ctx;
	enum node_status s;
	json_t *j = NULL;
	int64_t id = 0, out = 0;
	int c, rc, n_pos;

	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS, longopts,
				NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		if (c == 'h') {
			usage(stdout);
			return EX_OK;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("consultatie", c, argv);
		return cli_usage_error("consultatie",
				       _("option '%s' belongs after the command"),
				       argv[optind - 1]);
	}
	if (optind >= argc)
		return cli_usage_error("consultatie", "%s", _("missing command"));
	verb = argv[optind];
	/* Around a consultation (cli_bevestiging.c). */
	if (strcmp(verb, "bevestiging") == 0 || strcmp(verb, "uitkomst") == 0)
		return cli_consultatie_around(argc - optind, argv + optind);
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
		case O_FROM:
			from = optarg;
			break;
		case O_QUESTION:
			question = optarg;
			break;
		case O_ANSWER:
			answer = optarg;
			break;
		case O_DATE:
			date = optarg;
			break;
		case O_TYPE:
			type = optarg;
			break;
		case O_REGISTERED_BY:
			by = optarg;
			break;
		default:
			return cli_bad_option("consultatie", c, argv);
		}
	}
	n_pos = argc - optind;

	if (strcmp(verb, "nieuw") == 0 || strcmp(verb, "new") == 0) {
		if (n_pos > 0)
			return cli_usage_error("consultatie", _("unexpected argument '%s'"),
					       argv[optind]);
		if (type != NULL || by != NULL)
			return cli_usage_error("consultatie", "%s",
					       _("nieuw: --type and --aangemeld-door belong to aanmelden"));
		if (from == NULL)
			return cli_usage_error("consultatie", "%s", _("nieuw: --van is required"));
		if (question == NULL || question[0] == '\0')
			return cli_usage_error("consultatie", "%s", _("nieuw: --vraag is required"));
		if ((rc = cli_check_vocab("--van", NODE_VOCAB_REGISTERED_BY, from)) ||
		    (rc = cli_check_date("--datum", date)))
			return rc;
	} else if (strcmp(verb, "lijst") == 0 || strcmp(verb, "list") == 0) {
		if (n_pos > 0)
			return cli_usage_error("consultatie", _("unexpected argument '%s'"),
					       argv[optind]);
		if (from || question || answer || date || type || by)
			return cli_usage_error("consultatie", "%s",
					       _("lijst takes no options but --json"));
	} else if (strcmp(verb, "toon") == 0 || strcmp(verb, "show") == 0 ||
		   strcmp(verb, "aanmelden") == 0) {
		if (n_pos != 1)
			return cli_usage_error("consultatie",
					       n_pos ? _("unexpected argument '%s'")
						     : _("missing ID%s"),
					       n_pos ? argv[optind + 1] : "");
		if ((rc = cli_parse_id("consultatie", "ID", argv[optind], &id)) != 0)
			return rc;
		if (from || question || answer || date)
			return cli_usage_error("consultatie", "%s",
					       _("--van, --vraag, --antwoord and --datum belong to nieuw"));
		if (verb[0] == 't' || verb[0] == 's') {
			if (type || by)
				return cli_usage_error("consultatie", "%s",
						       _("toon takes no options but --json"));
		} else {
			if (type == NULL)
				return cli_usage_error("consultatie", "%s",
						       _("aanmelden: --type is required"));
			if ((rc = cli_check_vocab("--type", NODE_VOCAB_QUESTION, type)) ||
			    (rc = cli_check_vocab("--aangemeld-door",
						  NODE_VOCAB_REGISTERED_BY, by)))
				return rc;
		}
	} else {
		return cli_usage_error("consultatie", _("unknown command '%s'"), verb);
	}

	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	if (verb[0] == 'n') {
		struct node_consult cons = {date, from, question, answer};
		s = node_register_consult_new(ctx.db, ctx.user, &cons, &out, err,
					      sizeof(err));
		if (s == NODE_OK)
			j = json_pack("{s:I}", "id", (json_int_t)out);
	} else if (verb[0] == 'l') {
		s = node_register_consult_list(ctx.db, ctx.user, &j, err,
					       sizeof(err));
	} else if (verb[0] == 't' || verb[0] == 's') {
		s = node_register_consult_show(ctx.db, ctx.user, id, &j, err,
					       sizeof(err));
	} else {
		struct node_casus_fields f;
		memset(&f, 0, sizeof(f));
		f.question_type = type;
		f.registered_by = by;
		s = node_register_consult_to_casus(ctx.db, ctx.user, id, &f, &out,
						   err, sizeof(err));
		if (s == NODE_OK)
			j = json_pack("{s:I, s:I}", "consultatie", (json_int_t)id,
				      "casus", (json_int_t)out);
	}
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("consultation %lld does not exist"), (long long)id);
		rc = EX_DATAERR;
	} else if (s == NODE_ERR_INVALID && strstr(err, "already led to") != NULL) {
		cli_error(_("consultation %lld already led to a casus"), (long long)id);
		rc = EX_DATAERR;
	} else if (s != NODE_OK) {
		rc = cli_fail(s, err);
	} else if (j == NULL) {
		rc = EX_SOFTWARE;
	} else if (ctx.json) {
		rc = cli_print_json(j);
	} else if (verb[0] == 'n') {
		printf(_("Consultation %lld recorded.\n"), (long long)out);
	} else if (verb[0] == 'a') {
		printf(_("Consultation %lld registered as casus %lld (phase aanmelding).\n"),
		       (long long)id, (long long)out);
	} else if (verb[0] == 'l') {
		json_t *row;
		size_t i;
		if (json_array_size(j) == 0)
			printf("%s\n", _("No consultations."));
		json_array_foreach(j, i, row)
		{
			printf(_("[%s] %s from %s (casus %s): %s\n"), cli_str(row, "id"),
			       cli_str(row, "date"), cli_str(row, "from_role"),
			       cli_str(row, "casus_id"), cli_str(row, "question"));
		}
	} else {
		printf(_("Consultation %s of %s from %s\n"), cli_str(j, "id"),
		       cli_str(j, "date"), cli_str(j, "from_role"));
		printf(_("Question: %s\n"), cli_str(j, "question"));
		printf(_("Answer: %s\n"), cli_str(j, "answer"));
		printf(_("Led to casus: %s\n"), cli_str(j, "casus_id"));
	}
	json_decref(j);
	cli_ctx_close(&ctx);
	return rc;
}
