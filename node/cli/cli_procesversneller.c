/*
 * cli_procesversneller: `ret procesversneller CASUS ...`, a request for one
 * of the BEN's procesversnellers. The escalation ladder applies: the casus
 * must be past triage and open, and the request states why the casus
 * stagnates and how many weeks the help is expected to take. Built through
 * the privacy guard (node_build); --preview shows exactly what would leave.
 */
#include "cli_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	O_REASON = 1000,
	O_REASON_FILE,
	O_WEEKS,
	O_AGE_BAND,
	O_URGENCY,
	O_PREVIEW,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"reden", required_argument, NULL, O_REASON},
    {"reden-bestand", required_argument, NULL, O_REASON_FILE},
    {"weken", required_argument, NULL, O_WEEKS},
    {"met-leeftijdsband", no_argument, NULL, O_AGE_BAND},
    {"urgentie", required_argument, NULL, O_URGENCY},
    {"preview", no_argument, NULL, O_PREVIEW},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: ret procesversneller CASUS --reden TEKST --weken N\n"
	      "           [--met-leeftijdsband] [--urgentie "
	      "normaal|hoog|crisis]\n"
	      "           [--preview] [--json]\n"
	      "\n"
	      "Ask the BEN for a procesversneller for a casus that stagnates. "
	      "The casus\n"
	      "must be past triage (overleg or monitoren). What travels: the "
	      "case\n"
	      "reference (a pseudonym), the reason of stagnation after the "
	      "privacy\n"
	      "scrubber, the expected period and, if asked, the age band and "
	      "urgency.\n"
	      "\n"
	      "  --reden TEKST          why the casus stagnates (or "
	      "--reden-bestand FILE)\n"
	      "  --weken N              expected period in weeks, 1 to 52\n"
	      "  --met-leeftijdsband    send the age band of the jeugdige too\n"
	      "  --urgentie U           normaal, hoog or crisis\n"
	      "  --preview              show exactly what would leave; queue "
	      "nothing\n"
	      "\n"
	      "Example:\n"
	      "  ret procesversneller 12 --reden 'Indicatie blijft liggen.' "
	      "--weken 8 --preview\n"));
}

/*
 * Run `ret procesversneller`; see usage(). Returns a sysexits code.
 */
int
cli_procesversneller(int argc, char **argv)
{
	const char *reason = NULL, *reason_f = NULL, *weeks = NULL,
	           *urgency = NULL;
	char *t_reason = NULL, *end = NULL;
	struct node_build_procesversneller in;
	struct node_build_draft *d = NULL;
	struct node_build_error e;
	struct node_build_ctx bctx;
	struct cli_ctx ctx;
	bool preview = false, age = false;
	int64_t casus = 0;
	long w = 0;
	int c, rc, urg = 0;

	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_REASON:
			reason = optarg;
			break;
		case O_REASON_FILE:
			reason_f = optarg;
			break;
		case O_WEEKS:
			weeks = optarg;
			break;
		case O_AGE_BAND:
			age = true;
			break;
		case O_URGENCY:
			urgency = optarg;
			break;
		case O_PREVIEW:
			preview = true;
			break;
		default:
			return cli_bad_option("procesversneller", c, argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("procesversneller", "%s",
		                       _("missing CASUS"));
	if (argc - optind > 1)
		return cli_usage_error("procesversneller",
		                       _("unexpected argument '%s'"),
		                       argv[optind + 1]);
	if ((rc = cli_parse_id("procesversneller", "CASUS", argv[optind],
	                       &casus)) != 0)
		return rc;
	if (weeks == NULL)
		return cli_usage_error(
		    "procesversneller", "%s",
		    _("--weken is required: the expected period in weeks"));
	w = strtol(weeks, &end, 10);
	if (end == weeks || *end != '\0' || w < 1 || w > NODE_BUILD_MAX_WEEKS) {
		cli_error(
		    "%s",
		    _("--weken: give a whole number of weeks from 1 to 52"));
		return EX_DATAERR;
	}
	if (urgency != NULL) {
		urg = strcmp(urgency, "normaal") == 0  ? 1
		      : strcmp(urgency, "hoog") == 0   ? 2
		      : strcmp(urgency, "crisis") == 0 ? 3
		                                       : -1;
		if (urg < 0) {
			cli_error(
			    "%s",
			    _("--urgentie: give normaal, hoog or crisis"));
			return EX_DATAERR;
		}
	}
	if ((rc = cli_build_text("procesversneller", "--reden", reason,
	                         reason_f, 1, &t_reason)) != 0)
		return rc;
	if ((rc = cli_build_open(&ctx, &bctx)) != 0)
		goto out;
	memset(&in, 0, sizeof(in));
	in.casus_id = casus;
	in.stagnation_reason = t_reason;
	in.expected_weeks = (unsigned)w;
	in.with_age_band = age;
	in.urgency = urg;
	if (node_build_procesversneller(&bctx, &in, &d, &e) != NODE_OK)
		rc = cli_build_refused(&e);
	else
		rc = cli_build_deliver(&ctx, &bctx, d, preview);
	node_build_destroy(&d);
	cli_ctx_close(&ctx);
out:
	free(t_reason);
	return rc;
}
