/*
 * cli_peerreview: `ret peer-review vraag ...` asks another region for a
 * collegial review of an anonymised approach; `ret peer-review antwoord
 * MSGID ...` answers a request that arrived in the inbox. Both are built
 * through the privacy guard (node_build); --preview shows exactly what
 * would leave and queues nothing.
 */
#include "cli_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "node_inbox.h"

enum {
	O_TO = 1000,
	O_APPROACH,
	O_APPROACH_FILE,
	O_QUESTION,
	O_QUESTION_FILE,
	O_REVIEW,
	O_REVIEW_FILE,
	O_CASUS,
	O_PREVIEW,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"aan", required_argument, NULL, O_TO},
    {"aanpak", required_argument, NULL, O_APPROACH},
    {"aanpak-bestand", required_argument, NULL, O_APPROACH_FILE},
    {"vraag", required_argument, NULL, O_QUESTION},
    {"vraag-bestand", required_argument, NULL, O_QUESTION_FILE},
    {"review", required_argument, NULL, O_REVIEW},
    {"review-bestand", required_argument, NULL, O_REVIEW_FILE},
    {"casus", required_argument, NULL, O_CASUS},
    {"preview", no_argument, NULL, O_PREVIEW},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(
	    f, "%s",
	    _("Usage: ret peer-review vraag --aan region:NAAM --aanpak TEKST "
	      "--vraag TEKST\n"
	      "           [--casus ID] [--preview] [--json]\n"
	      "       ret peer-review antwoord BERICHT-ID --review TEKST "
	      "[--casus ID]\n"
	      "           [--preview] [--json]\n"
	      "\n"
	      "Ask another region for a collegial review of an anonymised "
	      "approach or\n"
	      "advice, or answer such a request from your inbox. Texts pass "
	      "the privacy\n"
	      "scrubber; with --casus the names of that casus are scrubbed "
	      "too, and a\n"
	      "request also carries its age band and problem areas.\n"
	      "\n"
	      "  --aan region:NAAM   the region to ask, e.g. "
	      "region:midden-limburg\n"
	      "  --aanpak TEKST      the approach or advice (or "
	      "--aanpak-bestand FILE)\n"
	      "  --vraag TEKST       the question (or --vraag-bestand FILE)\n"
	      "  --review TEKST      the review (or --review-bestand FILE)\n"
	      "  --casus ID          the casus the text is about\n"
	      "  --preview           show exactly what would leave; queue "
	      "nothing\n"
	      "\n"
	      "Examples:\n"
	      "  ret peer-review vraag --aan region:midden-limburg --casus 12 "
	      "\\\n"
	      "      --aanpak-bestand aanpak.txt --vraag 'Herkennen jullie "
	      "dit?' --preview\n"
	      "  ret peer-review antwoord 0190f3c2a1b24c5d8e6f708192a3b4c5 "
	      "--review-bestand review.txt\n"));
}

/* The sender of received peer-review request `id`, for the answer. */
static int
request_sender(struct cli_ctx *ctx, const uint8_t id[MSGID_LEN],
               char out[PARTY_ID_MAX])
{
	struct node_inbox_entry ie;
	struct node_msg_error merr;
	enum node_status s;

	memset(&merr, 0, sizeof(merr));
	s = node_inbox_get(ctx->db, id, &ie, &merr);
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error("%s", _("no peer-review request with this message id "
		                  "arrived here (see ret inbox lijst)"));
		return EX_DATAERR;
	}
	if (s != NODE_OK)
		return cli_fail(s, merr.detail);
	if (ie.kind != RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST) {
		cli_error("%s", _("this message is not a peer-review request"));
		return EX_DATAERR;
	}
	snprintf(out, PARTY_ID_MAX, "%s", ie.sender);
	return 0;
}

/*
 * Run `ret peer-review`; see usage(). Returns a sysexits code.
 */
int
cli_peerreview(int argc, char **argv)
{
	const char *to = NULL, *appr = NULL, *appr_f = NULL, *q = NULL,
	           *q_f = NULL, *rev = NULL, *rev_f = NULL, *casus_s = NULL,
	           *verb;
	char *t_appr = NULL, *t_q = NULL, *t_rev = NULL;
	char sender[PARTY_ID_MAX];
	uint8_t req[MSGID_LEN];
	struct node_build_draft *d = NULL;
	struct node_build_error e;
	struct node_build_ctx bctx;
	struct cli_ctx ctx;
	enum node_status s;
	bool preview = false, ask;
	int64_t casus = 0;
	int c, rc;

	if (argc < 2 || argv[1][0] == '-') {
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "--help") == 0 ||
			    strcmp(argv[i], "-h") == 0) {
				usage(stdout);
				return EX_OK;
			}
		return cli_usage_error("peer-review", "%s",
		                       _("missing command: vraag or antwoord"));
	}
	verb = argv[1];
	ask = strcmp(verb, "vraag") == 0;
	if (!ask && strcmp(verb, "antwoord") != 0)
		return cli_usage_error("peer-review", _("unknown command '%s'"),
		                       verb);
	argc--;
	argv++;
	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_TO:
			to = optarg;
			break;
		case O_APPROACH:
			appr = optarg;
			break;
		case O_APPROACH_FILE:
			appr_f = optarg;
			break;
		case O_QUESTION:
			q = optarg;
			break;
		case O_QUESTION_FILE:
			q_f = optarg;
			break;
		case O_REVIEW:
			rev = optarg;
			break;
		case O_REVIEW_FILE:
			rev_f = optarg;
			break;
		case O_CASUS:
			casus_s = optarg;
			break;
		case O_PREVIEW:
			preview = true;
			break;
		default:
			return cli_bad_option("peer-review", c, argv);
		}
	}
	if (casus_s != NULL &&
	    (rc = cli_parse_id("peer-review", "--casus", casus_s, &casus)) != 0)
		return rc;
	if (ask) {
		if (optind < argc)
			return cli_usage_error("peer-review",
			                       _("unexpected argument '%s'"),
			                       argv[optind]);
		if (rev != NULL || rev_f != NULL)
			return cli_usage_error(
			    "peer-review", "%s",
			    _("--review belongs to antwoord"));
		if (to == NULL)
			return cli_usage_error(
			    "peer-review", "%s",
			    _("vraag: --aan region:NAAM is required"));
		if (party_role_of(to) != PARTY_REGION) {
			cli_error("%s", _("--aan: give a region, e.g. "
			                  "region:midden-limburg"));
			return EX_DATAERR;
		}
		if ((rc = cli_build_text("peer-review", "--aanpak", appr,
		                         appr_f, 1, &t_appr)) != 0 ||
		    (rc = cli_build_text("peer-review", "--vraag", q, q_f, 1,
		                         &t_q)) != 0)
			goto out;
	} else {
		if (optind >= argc)
			return cli_usage_error(
			    "peer-review", "%s",
			    _("antwoord: missing BERICHT-ID"));
		if (argc - optind > 1)
			return cli_usage_error("peer-review",
			                       _("unexpected argument '%s'"),
			                       argv[optind + 1]);
		if (msgid_from_hex(argv[optind], req) != 0) {
			cli_error("%s", _("BERICHT-ID: a message id is 32 "
			                  "hexadecimal digits"));
			return EX_DATAERR;
		}
		if (to || appr || appr_f || q || q_f)
			return cli_usage_error(
			    "peer-review", "%s",
			    _("--aan, --aanpak and --vraag belong to vraag"));
		if ((rc = cli_build_text("peer-review", "--review", rev, rev_f,
		                         1, &t_rev)) != 0)
			goto out;
	}

	if ((rc = cli_build_open(&ctx, &bctx)) != 0)
		goto out;
	if (ask) {
		struct node_build_peer_request in = {to, casus, t_appr, t_q};
		s = node_build_peer_request(&bctx, &in, &d, &e);
	} else if ((rc = request_sender(&ctx, req, sender)) != 0) {
		cli_ctx_close(&ctx);
		goto out;
	} else {
		struct node_build_peer_review in = {req, sender, casus, t_rev};
		s = node_build_peer_review(&bctx, &in, &d, &e);
	}
	if (s != NODE_OK)
		rc = cli_build_refused(&e);
	else
		rc = cli_build_deliver(&ctx, &bctx, d, preview);
	node_build_destroy(&d);
	cli_ctx_close(&ctx);
out:
	free(t_appr);
	free(t_q);
	free(t_rev);
	return rc;
}
