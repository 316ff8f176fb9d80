/*
 * cli_build: the shared part of the sending commands. See cli_build.h.
 */
#include "cli_build.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "msgid.h"
#include "node_outbox.h"
#include "node_requests.h"
#include "wire_scan.h"

/* The longest text a file may hold: more than any field takes. */
#define TEXT_FILE_MAX (64 * 1024)

int
cli_build_text(const char *cmd, const char *flag, const char *text,
               const char *file, int required, char **ret)
{
	FILE *f;
	char *buf;
	size_t n;

	*ret = NULL;
	if (text != NULL && file != NULL)
		return cli_usage_error(
		    cmd, _("give %s or %s-bestand, not both"), flag, flag);
	if (text == NULL && file == NULL) {
		if (required)
			return cli_usage_error(
			    cmd, _("%s (or %s-bestand) is required"), flag,
			    flag);
		return 0;
	}
	if (text != NULL) {
		*ret = strdup(text);
		if (*ret == NULL) {
			cli_error("%s", _("out of memory"));
			return EX_SOFTWARE;
		}
		return 0;
	}
	f = fopen(file, "rb");
	if (f == NULL) {
		cli_error(_("%s-bestand: cannot open '%s': %s"), flag, file,
		          strerror(errno));
		return EX_NOINPUT;
	}
	buf = malloc(TEXT_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		cli_error("%s", _("out of memory"));
		return EX_SOFTWARE;
	}
	n = fread(buf, 1, TEXT_FILE_MAX + 1, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		cli_error(_("%s-bestand: cannot read '%s'"), flag, file);
		return EX_NOINPUT;
	}
	fclose(f);
	if (n > TEXT_FILE_MAX) {
		free(buf);
		cli_error(_("%s-bestand: '%s' is longer than %d bytes"), flag,
		          file, TEXT_FILE_MAX);
		return EX_DATAERR;
	}
	/* A trailing newline of an editor is not part of the text. */
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (!wire_utf8_valid(buf, n)) {
		free(buf);
		cli_error(_("%s-bestand: '%s' is not UTF-8 text"), flag, file);
		return EX_DATAERR;
	}
	*ret = buf;
	return 0;
}

int
cli_build_open(struct cli_ctx *ctx, struct node_build_ctx *bctx)
{
	char err[256] = "";
	enum node_status s;
	int rc;

	rc = cli_ctx_open(ctx, CLI_NEED_DB | CLI_NEED_KEYS | CLI_REGION_ONLY);
	if (rc != 0)
		return rc;
	memset(bctx, 0, sizeof(*bctx));
	bctx->db = ctx->db;
	bctx->user = ctx->user;
	bctx->keys = node_config_keys(ctx->cfg);
	bctx->today = NULL;
	bctx->pseudonym_label = node_config_pseudonym_label(ctx->cfg);
	if (bctx->keys == NULL) {
		cli_error("%s",
		          _("the key file of this region could not be read"));
		cli_ctx_close(ctx);
		return EX_CONFIG;
	}
	s = node_requests_migrate(ctx->db, err, sizeof(err));
	if (s != NODE_OK) {
		rc = cli_fail(s, err);
		cli_ctx_close(ctx);
		return rc;
	}
	return 0;
}

/* The option a chair types for a payload field. */
static const char *
option_of(const char *field)
{
	static const struct {
		const char *field, *option;
	} map[] = {
	    {"why_stuck", "--waarom-vast"},
	    {"what_was_tried", "--geprobeerd"},
	    {"answer", "--antwoord"},
	    {"support_asked", "--steun"},
	    {"urgency", "--urgentie"},
	    {"thread_id", "--vervolg-op"},
	    {"stagnation_reason", "--reden"},
	    {"expected_weeks", "--weken"},
	    {"approach", "--aanpak"},
	    {"question", "--vraag"},
	    {"review", "--review"},
	    {"recipient", "--aan"},
	    {"age_band", "--casus"},
	    {"problem_areas", "--casus"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].field, field) == 0)
			return map[i].option;
	return field;
}

int
cli_build_refused(const struct node_build_error *e)
{
	if (e->scrub_refused) {
		if (e->category != SCRUB_CAT_NONE)
			cli_error(
			    _("%s cannot leave the node as it is: rewrite the "
			      "part at byte %zu, it looks like %s. Nothing was "
			      "queued."),
			    option_of(e->field), e->offset,
			    scrub_category_placeholder(e->category));
		else
			cli_error(
			    _("%s cannot leave the node as it is: rewrite the "
			      "part at byte %zu. Nothing was queued."),
			    option_of(e->field), e->offset);
		cli_error("%s", e->detail);
		return EX_DATAERR;
	}
	if (e->field[0] != '\0')
		cli_error(_("%s: %s. Nothing was queued."), option_of(e->field),
		          e->detail);
	else
		cli_error(_("%s. Nothing was queued."), e->detail);
	return cli_exit_code(e->status);
}

int
cli_build_deliver(struct cli_ctx *ctx, const struct node_build_ctx *bctx,
                  const struct node_build_draft *d, bool preview)
{
	struct node_msg_error e;
	json_t *p = NULL, *out;
	uint8_t id[MSGID_LEN];
	char hex[MSGID_HEX_LEN];
	uint64_t seq = 0;
	int rc;
	enum node_status s;

	if (preview) {
		s = node_build_preview(node_build_body(d), &p);
		if (s != NODE_OK)
			return cli_fail(s, "preview");
		if (ctx->json) {
			out =
			    json_pack("{s:b, s:O}", "preview", 1, "message", p);
			rc = out != NULL ? cli_print_json(out) : EX_SOFTWARE;
			json_decref(out);
		} else {
			printf("%s",
			       _("Preview: exactly this would leave the node "
			         "(nothing was queued):\n"));
			rc = node_build_preview_print(p, stdout) == 0
			         ? EX_OK
			         : EX_IOERR;
		}
		json_decref(p);
		return rc;
	}
	/* Queued and recorded in the casus in one transaction, or neither. */
	memset(&e, 0, sizeof(e));
	s = node_outbox_queue(bctx->db, bctx->keys, bctx->user,
	                      node_build_guarded(d), &seq, id, &e);
	if (s != NODE_OK)
		return cli_fail(s, e.detail);
	msgid_to_hex(id, hex);
	if (ctx->json) {
		out = json_pack(
		    "{s:s, s:s, s:I, s:o}", "message_id", hex, "kind",
		    envelope_kind_name((int)node_build_body(d)->kind), "seq",
		    (json_int_t)seq, "casus",
		    node_build_casus(d) > 0 ? json_integer(node_build_casus(d))
		                            : json_null());
		rc = out != NULL ? cli_print_json(out) : EX_SOFTWARE;
		json_decref(out);
		return rc;
	}
	printf(_("Queued as message %s (sequence number %llu); it leaves with "
	         "the next connection to the relay.\n"),
	       hex, (unsigned long long)seq);
	return EX_OK;
}
