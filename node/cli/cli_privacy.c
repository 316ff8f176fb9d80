/*
 * cli_privacy: `ret privacy scrub [--names-file FILE | --casus ID] [--json]`,
 * the probe
 * reviewers use to see what the scrubber does. It reads UTF-8 text on
 * stdin and writes it scrubbed to stdout (exit 0); when the scrubber
 * refuses, it writes the reason, the byte offset and the kind of datum to
 * stderr and exits 65. This is the same privacy_scrub() call that outgoing
 * messages use. The personal data it reads is never logged or echoed in an
 * error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "node_requests.h"
#include "privacy_scrub.h"

/*
 * The `privacy` subcommand. argv[0] is "privacy". Returns the process exit
 * status: 0 scrubbed, 64 usage error, 65 refused, 66 names file or stdin
 * unreadable, 70 internal error (out of memory).
 */
int cli_privacy(int argc, char **argv);

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: ret privacy scrub [--names-file FILE | --casus ID] "
		"[--json]\n"
		"\n"
		"Reads UTF-8 text on stdin and writes it to stdout with personal\n"
		"data replaced by placeholders ([NAAM], [BSN], [DATUM], ...).\n"
		"Exit 0 when scrubbed; 65 when the text is refused (the reason,\n"
		"byte offset and kind of datum go to stderr: rewrite that part).\n"
		"\n"
		"  --names-file FILE  the recorded person names of the case, one\n"
		"                     per line (\"Jan de Vries\"); '#' starts a comment\n"
		"  --json             write {\"text\":..., \"found\":{...}} or, on\n"
		"                     refusal, {\"refused\":...} to stderr\n"
		"  --casus ID         take the names of every person recorded in\n"
		"                     casus ID from the register (the read is in\n"
		"                     the audit log); --config and --user as for\n"
		"                     every ret command\n"
		"\n"
		"The rules are described in docs/scrubber.md.\n");
}

/* Load a names file into names. Returns 0, or -1 with a message on
 * stderr naming the line (never its content). */
static int
load_names(const char *path, struct scrub_names *names)
{
	FILE *f = fopen(path, "r");
	char line[SCRUB_MAX_NAME_LEN + 4];
	unsigned lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "ret privacy: cannot open names file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line), s = 0;

		lineno++;
		if (n > 0 && line[n - 1] != '\n' && !feof(f)) {
			fprintf(stderr, "ret privacy: names file line %u is longer "
				"than %d bytes\n", lineno, SCRUB_MAX_NAME_LEN);
			fclose(f);
			return -1;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
				 line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		while (line[s] == ' ' || line[s] == '\t')
			s++;
		if (line[s] == '\0' || line[s] == '#')
			continue;
		if (scrub_names_add(names, line + s) != 0) {
			fprintf(stderr, "ret privacy: names file line %u is not a "
				"usable name (empty, too long, not UTF-8, or more "
				"than %d names)\n", lineno, SCRUB_MAX_NAMES);
			fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "ret privacy: cannot read names file %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/*
 * Add the name of every person recorded in casus casus_id to names, read
 * through the register (the read is audited). Returns EX_OK or an exit
 * code after printing a message that never contains a name.
 */
static int
load_casus_names(int64_t casus_id, struct scrub_names *names)
{
	struct cli_ctx ctx;
	struct node_requests_facts facts;
	char err[256];
	enum node_status st;
	size_t i;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	memset(&facts, 0, sizeof(facts));
	rc = cli_ctx_open(&ctx, CLI_NEED_DB | CLI_REGION_ONLY);
	if (rc != EX_OK)
		return rc;
	st = node_requests_casus_facts(ctx.db, ctx.user, casus_id, &facts, err,
				       sizeof(err));
	if (st != NODE_OK) {
		rc = cli_fail(st, err);
		goto out;
	}
	for (i = 0; i < facts.n_persons; i++) {
		if (facts.persons[i].name == NULL ||
		    facts.persons[i].name[0] == '\0')
			continue;
		if (scrub_names_add(names, facts.persons[i].name) != 0) {
			fprintf(stderr, "ret privacy: person %zu of casus %lld "
				"has a name the scrubber cannot use\n",
				i + 1, (long long)casus_id);
			rc = EX_DATAERR;
			goto out;
		}
	}
	rc = EX_OK;
out:
	node_requests_facts_clear(&facts);
	cli_ctx_close(&ctx);
	return rc;
}

/* Read all of stdin, at most max + 1 bytes (so that too long shows). */
static char *
read_stdin(size_t max, size_t *ret_len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	for (;;) {
		size_t r;

		if (n == cap) {
			char *nb;

			if (cap > max + 1) {
				break;
			}
			nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n, stdin);
		n += r;
		if (r == 0)
			break;
		if (n > max)
			break;
	}
	if (ferror(stdin)) {
		free(buf);
		return NULL;
	}
	*ret_len = n;
	return buf;
}

static int
print_json_ok(const char *out, const struct scrub_report *rep)
{
	json_t *o = json_object(), *found = json_object();
	char *s;
	int c, r = -1;

	if (o == NULL || found == NULL)
		goto out;
	for (c = 1; c < SCRUB_CAT_COUNT; c++) {
		if (rep->found[c] > 0 &&
		    json_object_set_new(found, scrub_category_name((enum scrub_category)c),
					json_integer(rep->found[c])) != 0)
			goto out;
	}
	if (json_object_set_new(o, "text", json_string(out)) != 0 ||
	    json_object_set(o, "found", found) != 0)
		goto out;
	s = json_dumps(o, JSON_COMPACT);
	if (s == NULL)
		goto out;
	printf("%s\n", s);
	free(s);
	r = 0;
out:
	json_decref(found);
	json_decref(o);
	return r;
}

static void
print_refusal(const struct scrub_report *rep, int json)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:s}",
				      "refused", scrub_refusal_message(rep->refusal),
				      "reason_code", rep->refusal == SCRUB_REFUSE_TOO_LONG ? "too_long" :
				      rep->refusal == SCRUB_REFUSE_BAD_UTF8 ? "bad_utf8" :
				      rep->refusal == SCRUB_REFUSE_CONTROL ? "control" :
				      rep->refusal == SCRUB_REFUSE_RESIDUAL ? "residual" : "internal",
				      "offset", (json_int_t)rep->offset,
				      "category", scrub_category_name(rep->category));
		char *s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

		if (s != NULL)
			fprintf(stderr, "%s\n", s);
		free(s);
		json_decref(o);
		return;
	}
	fprintf(stderr, "ret privacy: refused at byte %zu", rep->offset);
	if (rep->category != SCRUB_CAT_NONE)
		fprintf(stderr, " (looks like %s)",
			scrub_category_placeholder(rep->category));
	fprintf(stderr, ": %s\n", scrub_refusal_message(rep->refusal));
}

/*
 * Run `ret privacy scrub`: see the comment at the declaration.
 */
int
cli_privacy(int argc, char **argv)
{
	const char *names_file = NULL;
	int64_t casus_id = 0;
	struct scrub_names *names = NULL;
	struct scrub_report rep;
	char *in = NULL, *out = NULL;
	size_t len = 0;
	int json = 0, i, rc = EX_SOFTWARE;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	if (strcmp(argv[1], "scrub") != 0) {
		fprintf(stderr, "ret privacy: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--names-file") == 0 && i + 1 < argc) {
			names_file = argv[++i];
		} else if (strcmp(argv[i], "--casus") == 0 && i + 1 < argc) {
			if (cli_parse_id("privacy", "--casus", argv[++i],
					 &casus_id) != 0)
				return EX_USAGE;
		} else if ((strcmp(argv[i], "--config") == 0 ||
			    strcmp(argv[i], "--user") == 0) &&
			   i + 1 < argc) {
			(void)cli_common_option(argv[i][2] == 'c' ? 'c' : 'u',
						argv[i + 1]);
			i++;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		} else {
			fprintf(stderr, "ret privacy: unknown or incomplete option '%s'\n",
				argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (names_file != NULL && casus_id != 0) {
		fprintf(stderr, "ret privacy: give --names-file or --casus, "
			"not both\n");
		return EX_USAGE;
	}
	names = scrub_names_new();
	if (names == NULL) {
		fprintf(stderr, "ret privacy: out of memory\n");
		return EX_SOFTWARE;
	}
	if (names_file != NULL && load_names(names_file, names) != 0) {
		rc = EX_NOINPUT;
		goto out;
	}
	if (casus_id != 0) {
		rc = load_casus_names(casus_id, names);
		if (rc != EX_OK)
			goto out;
		rc = EX_SOFTWARE;
	}
	in = read_stdin(SCRUB_MAX_TEXT, &len);
	if (in == NULL) {
		fprintf(stderr, "ret privacy: cannot read standard input\n");
		rc = EX_NOINPUT;
		goto out;
	}
	if (privacy_scrub(in, len, names, &out, &rep) != 0) {
		print_refusal(&rep, json);
		rc = rep.refusal == SCRUB_REFUSE_NO_MEMORY ? EX_SOFTWARE : EX_DATAERR;
		goto out;
	}
	if (json) {
		if (print_json_ok(out, &rep) != 0) {
			fprintf(stderr, "ret privacy: out of memory\n");
			goto out;
		}
	} else {
		fputs(out, stdout);
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "ret privacy: cannot write standard output\n");
		goto out;
	}
	rc = EX_OK;
out:
	free(in);
	free(out);
	scrub_names_destroy(&names);
	return rc;
}
