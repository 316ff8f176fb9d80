/*
 * cli_bevestiging: two verbs of `ret consultatie` around a consultation:
 *
 *   ret consultatie uitkomst ID UITKOMST
 *       beantwoord, aanmelding, klachtenregeling or vertrouwenspersoon
 *       (a question that is really a complaint is referred, OZJ note)
 *   ret consultatie bevestiging ID [--eml FILE] [--aan ADRES]
 *       the Dutch confirmation for the inbrenger: question, answer and
 *       agreements, scrubbed of the data of other persons
 *       (node_clientinfo_confirmation), printed or saved as an e-mail
 *       file (0600, never over an existing file) to send from the RET's
 *       own mail program.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node_clientinfo.h"

enum {
	O_EML = 1000,
	O_TO,
};

static const struct option longopts[] = {
    CLI_COMMON_LONGOPTS,
    {"eml", required_argument, NULL, O_EML},
    {"aan", required_argument, NULL, O_TO},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	        _("Usage: ret consultatie uitkomst ID UITKOMST\n"
	          "       ret consultatie bevestiging ID [--eml FILE.eml] "
	          "[--aan ADRES]\n"
	          "\n"
	          "  uitkomst     record the outcome of a consultation: "
	          "beantwoord,\n"
	          "               aanmelding, klachtenregeling or "
	          "vertrouwenspersoon\n"
	          "  bevestiging  the confirmation for the person who asked: "
	          "question,\n"
	          "               answer and agreements, without data of other "
	          "persons;\n"
	          "               --eml saves it as an e-mail file (to the "
	          "address of --aan)\n"));
}

/* The region's name from its party id ("region:noord-limburg"). */
static const char *
region_name(struct cli_ctx *ctx)
{
	const char *p = node_config_party(ctx->cfg), *c = strchr(p, ':');

	return c != NULL ? c + 1 : p;
}

static void
indent(FILE *f, const char *text)
{
	fputs("  ", f);
	for (; *text != '\0'; text++) {
		fputc(*text, f);
		if (*text == '\n' && text[1] != '\0')
			fputs("  ", f);
	}
	fputc('\n', f);
}

static void
write_body(FILE *f, struct cli_ctx *ctx, json_t *j)
{
	const char *outcome = json_string_value(json_object_get(j, "outcome"));
	json_t *ag = json_object_get(j, "agreements"), *row;
	size_t i;

	fprintf(f, "%s\n\n", _("Dear sir or madam,"));
	fprintf(f,
	        _("On %s you put a question to the Regionaal Expertteam. With "
	          "this message we confirm your question and our answer.\n"),
	        cli_str(j, "date"));
	fprintf(f, "\n%s\n", _("Your question:"));
	indent(f, json_string_value(json_object_get(j, "question")));
	fprintf(f, "\n%s\n", _("Our answer:"));
	if (json_string_length(json_object_get(j, "answer")) > 0)
		indent(f, json_string_value(json_object_get(j, "answer")));
	else
		fprintf(f, "  %s\n", _("(the answer follows)"));
	if (json_array_size(ag) > 0) {
		fprintf(f, "\n%s\n", _("Agreements:"));
		json_array_foreach(ag, i, row)
		{
			fprintf(
			    f, "  - %s",
			    json_string_value(json_object_get(row, "text")));
			if (json_string_length(json_object_get(row, "who")) > 0)
				fprintf(f, _(" (who: %s)"),
				        cli_str(row, "who"));
			if (json_is_string(json_object_get(row, "due")))
				fprintf(f, _(" (by %s)"), cli_str(row, "due"));
			fputc('\n', f);
		}
	}
	if (outcome != NULL && strcmp(outcome, "klachtenregeling") == 0)
		fprintf(f, "\n%s\n",
		        _("Your question is a complaint. The RET does not "
		          "handle complaints; we have referred you to the "
		          "complaints procedure (klachtenregeling) of the "
		          "organisation concerned."));
	else if (outcome != NULL && strcmp(outcome, "vertrouwenspersoon") == 0)
		fprintf(
		    f, "\n%s\n",
		    _("Your question is a complaint. The RET does not handle "
		      "complaints; we have referred you to the "
		      "vertrouwenspersoon, who can help you free of charge."));
	fprintf(f, "\n%s\n",
	        _("If anything in this confirmation is not correct, please let "
	          "us know."));
	fprintf(f, "\n%s\n", _("Kind regards,"));
	fprintf(f, _("Regionaal Expertteam %s\n"), region_name(ctx));
}

/* An address for the To: header: one line, one '@', no spaces. */
static int
address_ok(const char *s)
{
	const char *at = strchr(s, '@');

	if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') ||
	    strlen(s) > 254)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == '<' || *s == '>' ||
		    *s == ',' || *s == '"' || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

static int
write_eml(struct cli_ctx *ctx, json_t *j, const char *path, const char *to)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;
	FILE *f;
	int fd, bad;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd < 0) {
		if (errno == EEXIST)
			cli_error(_("%s already exists; choose another name"),
			          path);
		else
			cli_error(_("cannot write %s: %s"), path,
			          strerror(errno));
		return EX_CANTCREAT;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		(void)remove(path);
		cli_error(_("cannot write %s: %s"), path, strerror(errno));
		return EX_CANTCREAT;
	}
	gmtime_r(&t, &tm);
	/* RFC 5322 dates are in English whatever the locale. */
	{
		static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
		                                   "Thu", "Fri", "Sat"};
		static const char *const months[] = {
		    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
		snprintf(date, sizeof(date),
		         "%s, %02d %s %04d %02d:%02d:%02d +0000",
		         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
		         tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	if (to != NULL)
		fprintf(f, "To: %s\n", to);
	fprintf(f, "Date: %s\n", date);
	/* The subject is Dutch text: encoded as RFC 2047 would need; it is
	 * kept to ASCII in the catalogue, so it can go as it is. */
	fprintf(f, "Subject: ");
	fprintf(f,
	        _("Confirmation of your question to the RET (consultation %s)"),
	        cli_str(j, "id"));
	fprintf(f, "\nMIME-Version: 1.0\n"
	           "Content-Type: text/plain; charset=UTF-8\n"
	           "Content-Transfer-Encoding: 8bit\n\n");
	write_body(f, ctx, j);
	bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
	if (fclose(f) != 0 || bad) {
		(void)remove(path);
		cli_error(_("cannot write %s: %s"), path, strerror(errno));
		return EX_CANTCREAT;
	}
	return EX_OK;
}

int
cli_consultatie_around(int argc, char **argv)
{
	const char *verb = argv[0], *eml = NULL, *to = NULL;
	char err[512] = "";
	struct cli_ctx ctx;
	enum node_status s;
	json_t *j = NULL;
	int64_t id = 0;
	int c, rc = EX_OK;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORTOPTS, longopts,
	                        NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case O_EML:
			eml = optarg;
			break;
		case O_TO:
			to = optarg;
			break;
		default:
			return cli_bad_option("consultatie", c, argv);
		}
	}
	if (strcmp(verb, "uitkomst") == 0) {
		size_t n;
		const char *const *vals = node_clientinfo_consult_outcomes(&n);
		int ok = 0;
		if (argc - optind != 2)
			return cli_usage_error(
			    "consultatie", "%s",
			    _("usage: ret consultatie uitkomst ID UITKOMST"));
		if (eml != NULL || to != NULL)
			return cli_usage_error(
			    "consultatie", "%s",
			    _("--eml and --aan belong to bevestiging"));
		if ((rc = cli_parse_id("consultatie", "ID", argv[optind],
		                       &id)) != 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			ok |= strcmp(vals[i], argv[optind + 1]) == 0;
		if (!ok) {
			fprintf(stderr,
			        _("ret: %s: '%s' is not a valid value; choose "
			          "from:"),
			        "UITKOMST", argv[optind + 1]);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, " %s", vals[i]);
			fputc('\n', stderr);
			return EX_DATAERR;
		}
	} else {
		if (argc - optind != 1)
			return cli_usage_error(
			    "consultatie", "%s",
			    _("usage: ret consultatie bevestiging ID [--eml "
			      "FILE] [--aan ADRES]"));
		if ((rc = cli_parse_id("consultatie", "ID", argv[optind],
		                       &id)) != 0)
			return rc;
		if (to != NULL && eml == NULL)
			return cli_usage_error("consultatie", "%s",
			                       _("--aan goes with --eml"));
		if (to != NULL && !address_ok(to)) {
			cli_error(_("--aan: '%s' is not an e-mail address"),
			          to);
			return EX_DATAERR;
		}
		if (eml != NULL && access(eml, F_OK) == 0) {
			cli_error(_("%s already exists; choose another name"),
			          eml);
			return EX_CANTCREAT;
		}
	}
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	if (verb[0] == 'u') {
		s = node_clientinfo_consult_outcome(
		    ctx.db, ctx.user, id, argv[optind + 1], err, sizeof(err));
		if (s == NODE_OK && ctx.json) {
			j = json_pack("{s:I, s:s}", "id", (json_int_t)id,
			              "outcome", argv[optind + 1]);
			rc = cli_print_json(j);
		} else if (s == NODE_OK) {
			printf(_("Outcome of consultation %lld: %s.\n"),
			       (long long)id, argv[optind + 1]);
		}
	} else {
		s = node_clientinfo_confirmation(ctx.db, ctx.user, id, &j, err,
		                                 sizeof(err));
		if (s == NODE_OK) {
			if (ctx.json)
				rc = cli_print_json(j);
			else if (eml != NULL) {
				rc = write_eml(&ctx, j, eml, to);
				if (rc == EX_OK)
					printf(_("Confirmation of consultation "
					         "%lld saved as %s.\n"),
					       (long long)id, eml);
			} else
				write_body(stdout, &ctx, j);
		}
	}
	if (s == NODE_ERR_NOT_FOUND) {
		cli_error(_("consultation %lld does not exist"), (long long)id);
		rc = EX_DATAERR;
	} else if (s == NODE_ERR_INVALID && strstr(err, "scrubber") != NULL) {
		cli_error(_("the confirmation cannot be made safe for sending "
		            "(%s); rewrite the question or answer"),
		          err);
		rc = EX_DATAERR;
	} else if (s != NODE_OK) {
		rc = cli_fail(s, err);
	}
	json_decref(j);
	cli_ctx_close(&ctx);
	return rc;
}
