/*
 * cli_opschaling: `ret opschaling CASUS ...`, the opschalingsverzoek of a
 * stuck casus to the coordinators of the BEN. The request is built from the
 * register through the privacy guard (node_build): --preview shows exactly
 * what would leave and queues nothing; without it the request is queued,
 * recorded in the casus and its message id printed. An answer to a "more
 * information needed" question goes out as an update of the first
 * escalation (--vervolg-op MSGID --antwoord TEXT).
 */
#include "cli_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"

enum {
	O_WHY = 1000,
	O_WHY_FILE,
	O_TRIED,
	O_TRIED_FILE,
	O_SUPPORT,
	O_URGENCY,
	O_THREAD,
	O_ANSWER,
	O_ANSWER_FILE,
	O_PREVIEW,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"waarom-vast", required_argument, NULL, O_WHY},
    {"waarom-vast-bestand", required_argument, NULL, O_WHY_FILE},
    {"geprobeerd", required_argument, NULL, O_TRIED},
    {"geprobeerd-bestand", required_argument, NULL, O_TRIED_FILE},
    {"steun", required_argument, NULL, O_SUPPORT},
    {"urgentie", required_argument, NULL, O_URGENCY},
    {"vervolg-op", required_argument, NULL, O_THREAD},
    {"antwoord", required_argument, NULL, O_ANSWER},
    {"antwoord-bestand", required_argument, NULL, O_ANSWER_FILE},
    {"preview", no_argument, NULL, O_PREVIEW},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: ret opschaling CASUS --waarom-vast TEKST --geprobeerd "
	      "TEKST\n"
	      "           --steun SOORTEN --urgentie normaal|hoog|crisis\n"
	      "           [--vervolg-op BERICHT-ID --antwoord TEKST] "
	      "[--preview] [--json]\n"
	      "\n"
	      "Send an opschalingsverzoek for a stuck casus to the "
	      "coordinators of the\n"
	      "BEN. The casus must be past triage (overleg or monitoren). What "
	      "travels:\n"
	      "the case reference (a pseudonym), the age band and problem "
	      "areas from\n"
	      "the register, your texts after the privacy scrubber, the "
	      "support asked\n"
	      "and the urgency. Nothing else.\n"
	      "\n"
	      "  --waarom-vast TEKST       why the casus is stuck\n"
	      "  --geprobeerd TEKST        what was tried\n"
	      "  --steun SOORTEN           comma-separated: expertise, "
	      "procesregie, geld,\n"
	      "                            plaatsing, procesversneller\n"
	      "  --urgentie U              normaal, hoog or crisis\n"
	      "  --vervolg-op BERICHT-ID   answer a \"more information "
	      "needed\" question on\n"
	      "                            the first escalation of this casus\n"
	      "  --antwoord TEKST          the answer (with --vervolg-op)\n"
	      "  --preview                 show exactly what would leave; "
	      "queue nothing\n"
	      "Each text may also be read from a file: --waarom-vast-bestand "
	      "FILE,\n"
	      "--geprobeerd-bestand FILE, --antwoord-bestand FILE.\n"
	      "\n"
	      "Example:\n"
	      "  ret opschaling 12 --waarom-vast 'Geen passende plek.' \\\n"
	      "      --geprobeerd 'Drie aanbieders benaderd.' --steun "
	      "expertise,plaatsing \\\n"
	      "      --urgentie hoog --preview\n"));
}

static int
parse_support(const char *list, int out[5], size_t *ret_n)
{
	static const char *const names[] = {"expertise", "procesregie", "geld",
	                                    "plaatsing", "procesversneller"};
	char buf[128], *p, *next;
	size_t n = 0;

	if (list == NULL || strlen(list) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", list);
	for (p = buf; p != NULL; p = next) {
		size_t i;
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		for (i = 0; i < 5; i++)
			if (strcmp(p, names[i]) == 0)
				break;
		if (i == 5 || n == 5)
			return -1;
		for (size_t j = 0; j < n; j++)
			if (out[j] == (int)i + 1)
				return -1;
		out[n++] = (int)i + 1;
	}
	*ret_n = n;
	return n > 0 ? 0 : -1;
}

/* normaal, hoog, crisis -> 1..3; -1 if unknown. */
static int
parse_urgency(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "normaal") == 0)
		return 1;
	if (strcmp(s, "hoog") == 0)
		return 2;
	if (strcmp(s, "crisis") == 0)
		return 3;
	return -1;
}

/*
 * Run `ret opschaling`; see usage(). Returns a sysexits code.
 */
int
cli_opschaling(int argc, char **argv)
{
	const char *why = NULL, *why_f = NULL, *tried = NULL, *tried_f = NULL,
	           *support = NULL, *urgency = NULL, *thread = NULL,
	           *answer = NULL, *answer_f = NULL;
	char *t_why = NULL, *t_tried = NULL, *t_answer = NULL;
	struct node_build_escalation in;
	struct node_build_draft *d = NULL;
	struct node_build_error e;
	struct node_build_ctx bctx;
	struct cli_ctx ctx;
	uint8_t thread_id[MSGID_LEN];
	int sup[5], c, rc;
	size_t n_sup = 0;
	bool preview = false;
	int64_t casus = 0;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_WHY:
			why = optarg;
			break;
		case O_WHY_FILE:
			why_f = optarg;
			break;
		case O_TRIED:
			tried = optarg;
			break;
		case O_TRIED_FILE:
			tried_f = optarg;
			break;
		case O_SUPPORT:
			support = optarg;
			break;
		case O_URGENCY:
			urgency = optarg;
			break;
		case O_THREAD:
			thread = optarg;
			break;
		case O_ANSWER:
			answer = optarg;
			break;
		case O_ANSWER_FILE:
			answer_f = optarg;
			break;
		case O_PREVIEW:
			preview = true;
			break;
		default:
			return cli_bad_option("opschaling", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("opschaling", "%s", _("missing CASUS"));
	if (argc - optind > 1)
		return cli_usage_error("opschaling",
		                       _("unexpected argument '%s'"),
		                       argv[optind + 1]);
	if ((rc = cli_parse_id("opschaling", "CASUS", argv[optind], &casus)) !=
	    0)
		return rc;
	if (support == NULL)
		return cli_usage_error("opschaling", "%s",
		                       _("--steun is required"));
	if (parse_support(support, sup, &n_sup) != 0) {
		cli_error(
		    "%s",
		    _("--steun: give one to five of expertise, procesregie, "
		      "geld, plaatsing, procesversneller, comma-separated, "
		      "each once"));
		return EX_DATAERR;
	}
	if (urgency == NULL)
		return cli_usage_error("opschaling", "%s",
		                       _("--urgentie is required"));
	if (parse_urgency(urgency) < 0) {
		cli_error("%s", _("--urgentie: give normaal, hoog or crisis"));
		return EX_DATAERR;
	}
	if (thread != NULL && msgid_from_hex(thread, thread_id) != 0) {
		cli_error(
		    "%s",
		    _("--vervolg-op: a message id is 32 hexadecimal digits"));
		return EX_DATAERR;
	}
	if ((answer != NULL || answer_f != NULL) && thread == NULL)
		return cli_usage_error("opschaling", "%s",
		                       _("--antwoord belongs to --vervolg-op"));
	if ((rc = cli_build_text("opschaling", "--waarom-vast", why, why_f, 1,
	                         &t_why)) != 0 ||
	    (rc = cli_build_text("opschaling", "--geprobeerd", tried, tried_f,
	                         1, &t_tried)) != 0 ||
	    (rc = cli_build_text("opschaling", "--antwoord", answer, answer_f,
	                         thread != NULL, &t_answer)) != 0)
		goto out;

	if ((rc = cli_build_open(&ctx, &bctx)) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.casus_id = casus;
	in.why_stuck = t_why;
	in.what_was_tried = t_tried;
	in.support = sup;
	in.n_support = n_sup;
	in.urgency = parse_urgency(urgency);
	in.thread_id = thread != NULL ? thread_id : NULL;
	in.answer = t_answer;
	if (node_build_escalation(&bctx, &in, &d, &e) != NODE_OK)
		rc = cli_build_refused(&e);
	else
		rc = cli_build_deliver(&ctx, &bctx, d, preview);
	node_build_destroy(&d);
	cli_ctx_close(&ctx);
out:
	free(t_why);
	free(t_tried);
	free(t_answer);
	return rc;
}
