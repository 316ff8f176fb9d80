/*
 * node_build: the allow-list message builders, their preview and their
 * sending. See node_build.h.
 */
#include "node_build.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "envelope.h"
#include "internal/guard_private.h"
#include "node_lifecycle.h"
#include "node_requests.h"
#include "party.h"
#include "payload_check.h"
#include "privacy_allowlist.h"
#include "privacy_generalise.h"
#include "privacy_pseudonym.h"

#define MAX_TEXTS 4

struct node_build_draft {
	struct guard_draft guard; /* first: what the outbox accepts */
	Retfed__V1__Body body;
	union {
		Retfed__V1__Escalation esc;
		Retfed__V1__ProcesversnellerRequest pv;
		Retfed__V1__Decision dec;
		Retfed__V1__PeerReviewRequest prq;
		Retfed__V1__PeerReview prv;
	} p;
	Retfed__V1__ProblemArea areas[12];
	Retfed__V1__SupportKind support[5];
	uint8_t id[MSGID_LEN]; /* thread id or request id */
	int has_id;
	char case_ref[PSEUDONYM_REF_MAX];
	char recipient[PARTY_ID_MAX];
	char *text[MAX_TEXTS];
	size_t n_text;
	int64_t casus_id;
};

/* ---- errors ------------------------------------------------------------ */

static void
err_clear(struct node_build_error *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

static enum node_status bfail(struct node_build_error *err, enum node_status s,
                              const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum node_status
bfail(struct node_build_error *err, enum node_status s, const char *field,
      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return s;
	err->status = s;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return s;
}

/* ---- drafts ------------------------------------------------------------ */

static enum node_status build_record(sqlite3 *db, const char *user,
                                     const struct guard_draft *g,
                                     const uint8_t msgid[MSGID_LEN],
                                     char *errbuf, size_t errlen);

static struct node_build_draft *
draft_new(int kind)
{
	struct node_build_draft *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	retfed__v1__body__init(&d->body);
	d->guard.body = &d->body;
	d->guard.record = build_record;
	d->body.kind = (Retfed__V1__Kind)kind;
	d->body.recipient = d->recipient;
	switch (kind) {
	case RETFED__V1__KIND__KIND_ESCALATION:
		retfed__v1__escalation__init(&d->p.esc);
		d->body.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
		d->body.escalation = &d->p.esc;
		break;
	case RETFED__V1__KIND__KIND_PROCESVERSNELLER:
		retfed__v1__procesversneller_request__init(&d->p.pv);
		d->body.payload_case =
		    RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
		d->body.procesversneller = &d->p.pv;
		break;
	case RETFED__V1__KIND__KIND_DECISION:
		retfed__v1__decision__init(&d->p.dec);
		d->body.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
		d->body.decision = &d->p.dec;
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST:
		retfed__v1__peer_review_request__init(&d->p.prq);
		d->body.payload_case =
		    RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
		d->body.peer_review_request = &d->p.prq;
		break;
	default:
		retfed__v1__peer_review__init(&d->p.prv);
		d->body.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW;
		d->body.peer_review = &d->p.prv;
		break;
	}
	return d;
}

void
node_build_destroy(struct node_build_draft **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	for (size_t i = 0; i < (*dp)->n_text; i++)
		free((*dp)->text[i]);
	free(*dp);
	*dp = NULL;
}

const Retfed__V1__Body *
node_build_body(const struct node_build_draft *d)
{
	return d != NULL ? &d->body : NULL;
}

const struct guard_draft *
node_build_guarded(const struct node_build_draft *d)
{
	return d != NULL ? &d->guard : NULL;
}

int64_t
node_build_casus(const struct node_build_draft *d)
{
	return d != NULL ? d->casus_id : 0;
}

/* The review must allow what we copy: a builder bug, never user input. */
static enum node_status
permit(const char *msg, const char *field, enum privacy_class cls,
       struct node_build_error *err)
{
	if (privacy_allowlist_permits(msg, field, cls))
		return NODE_OK;
	return bfail(err, NODE_ERR_INVALID, field,
	             "%s.%s may not carry a %s according to the privacy review",
	             msg, field, privacy_allowlist_class_name(cls));
}

/* ---- the leak guard ---------------------------------------------------- */

static int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * Offset of needle[0..nlen) in hay as a whole word (ASCII case folded), or
 * -1. word: 1 requires word boundaries on both sides.
 */
static long
find_folded(const char *hay, const char *needle, size_t nlen, int word)
{
	size_t hlen = strlen(hay);

	if (nlen == 0 || nlen > hlen)
		return -1;
	for (size_t i = 0; i + nlen <= hlen; i++) {
		size_t j;
		if (word && i > 0 && is_word_byte((unsigned char)hay[i - 1]))
			continue;
		for (j = 0; j < nlen; j++)
			if (fold((unsigned char)hay[i + j]) !=
			    fold((unsigned char)needle[j]))
				break;
		if (j < nlen)
			continue;
		if (word && i + nlen < hlen &&
		    is_word_byte((unsigned char)hay[i + nlen]))
			continue;
		return (long)i;
	}
	return -1;
}

/* hay without everything but digits (or, alnum: letters folded too). */
static char *
project(const char *hay, int alnum)
{
	size_t n = strlen(hay), k = 0;
	char *out = malloc(n + 1);

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)hay[i];
		if ((c >= '0' && c <= '9') ||
		    (alnum &&
		     ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))))
			out[k++] = (char)fold(c);
	}
	out[k] = '\0';
	return out;
}

static const char *const particles[] = {
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "op", "von",
    "la",  "le", "du",  "da",  "di",  "del", "des", "t",  "s",  "en"};

static int
is_particle(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(particles) / sizeof(particles[0]); i++)
		if (strlen(particles[i]) == n &&
		    find_folded(particles[i], s, n, 0) == 0)
			return 1;
	return 0;
}

static const char *const months[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

/*
 * Look for a datum of person p in text; returns the category found (and
 * its offset, or -1 when only a projection matched) or SCRUB_CAT_NONE.
 */
static enum scrub_category
person_leak(const struct node_requests_person *p, const char *text,
            const char *digits, const char *alnum, long *ret_off)
{
	long off;

	*ret_off = -1;
	if (p->name != NULL) {
		const char *s = p->name;
		while (*s != '\0') {
			size_t n = strcspn(s, " -'.,\t");
			if (n >= 2 && !is_particle(s, n) &&
			    (off = find_folded(text, s, n, 1)) >= 0) {
				*ret_off = off;
				return SCRUB_CAT_NAAM;
			}
			s += n;
			if (*s != '\0')
				s++;
		}
	}
	if (p->bsn != NULL && strlen(p->bsn) == 9 && strstr(digits, p->bsn))
		return SCRUB_CAT_BSN;
	if (p->birth_date != NULL && strlen(p->birth_date) == 10) {
		const char *b = p->birth_date; /* YYYY-MM-DD */
		int y = (b[0] - '0') * 1000 + (b[1] - '0') * 100 +
		        (b[2] - '0') * 10 + (b[3] - '0'),
		    m = (b[5] - '0') * 10 + (b[6] - '0'),
		    d = (b[8] - '0') * 10 + (b[9] - '0');
		char forms[6][32];
		snprintf(forms[0], sizeof(forms[0]), "%.4s%.2s%.2s", b, b + 5,
		         b + 8);
		snprintf(forms[1], sizeof(forms[1]), "%.2s%.2s%.4s", b + 8,
		         b + 5, b);
		if (strstr(digits, forms[0]) || strstr(digits, forms[1]))
			return SCRUB_CAT_DATUM;
		snprintf(forms[2], sizeof(forms[2]), "%d-%d-%d", d, m, y);
		snprintf(forms[3], sizeof(forms[3]), "%d/%d/%d", d, m, y);
		snprintf(forms[4], sizeof(forms[4]), "%d %s %d", d,
		         m >= 1 && m <= 12 ? months[m - 1] : "?", y);
		snprintf(forms[5], sizeof(forms[5]), "%.10s", b);
		for (int i = 2; i < 6; i++)
			if ((off = find_folded(text, forms[i], strlen(forms[i]),
			                       0)) >= 0) {
				*ret_off = off;
				return SCRUB_CAT_DATUM;
			}
	}
	if (p->postcode != NULL) {
		char pc[8];
		size_t k = 0;
		for (const char *c = p->postcode; *c && k < 7; c++)
			if (*c != ' ')
				pc[k++] = (char)fold((unsigned char)*c);
		pc[k] = '\0';
		if (k == 6 && strstr(alnum, pc))
			return SCRUB_CAT_POSTCODE;
	}
	if (p->address != NULL) {
		size_t n = strcspn(p->address, "0123456789");
		while (n > 0 &&
		       (p->address[n - 1] == ' ' || p->address[n - 1] == ','))
			n--;
		if (n >= 4 &&
		    (off = find_folded(text, p->address, n, 1)) >= 0) {
			*ret_off = off;
			return SCRUB_CAT_ADRES;
		}
	}
	return SCRUB_CAT_NONE;
}

/* ---- scrubbing one field ----------------------------------------------- */

/*
 * Scrub `text` for field msg.field (required: 1..max bytes, else 0..max),
 * check the result with the leak guard against every recorded person, and
 * keep it in the draft. *ret is "" for an absent optional text.
 */
static enum node_status
scrub_field(struct node_build_draft *d, const struct scrub_names *names,
            const struct node_requests_facts *facts, const char *msg,
            const char *field, const char *text, int required, size_t max,
            char **ret, struct node_build_error *err)
{
	struct scrub_report rep;
	enum node_status s;
	char *out = NULL, *digits = NULL, *alnum = NULL;
	size_t len = text != NULL ? strlen(text) : 0;

	*ret = (char *)(uintptr_t) "";
	if ((s = permit(msg, field, PRIVACY_SCRUBBED_TEXT, err)) != NODE_OK)
		return s;
	if (len == 0) {
		if (required)
			return bfail(err, NODE_ERR_INVALID, field,
			             "%s is required and may not be empty",
			             field);
		return NODE_OK;
	}
	if (len > max)
		return bfail(err, NODE_ERR_INVALID, field,
		             "%s is %zu bytes, at most %zu are allowed", field,
		             len, max);
	memset(&rep, 0, sizeof(rep));
	if (privacy_scrub(text, len, names, &out, &rep) != 0) {
		bfail(err,
		      rep.refusal == SCRUB_REFUSE_NO_MEMORY ? NODE_ERR_NOMEM
		                                            : NODE_ERR_INVALID,
		      field, "%s cannot be made safe at byte %zu%s%s: %s",
		      field, rep.offset, rep.category ? ", it looks like " : "",
		      scrub_category_placeholder(rep.category),
		      scrub_refusal_message(rep.refusal));
		if (err != NULL) {
			err->scrub_refused = 1;
			err->refusal = rep.refusal;
			err->offset = rep.offset;
			err->category = rep.category;
		}
		return err != NULL ? err->status : NODE_ERR_INVALID;
	}
	if (strlen(out) > max) {
		free(out);
		return bfail(err, NODE_ERR_INVALID, field,
		             "%s is too long after scrubbing (at most %zu "
		             "bytes): shorten it",
		             field, max);
	}
	digits = project(out, 0);
	alnum = project(out, 1);
	if (digits == NULL || alnum == NULL) {
		free(out);
		free(digits);
		free(alnum);
		return bfail(err, NODE_ERR_NOMEM, field, "out of memory");
	}
	for (size_t i = 0; facts != NULL && i < facts->n_persons; i++) {
		long off;
		enum scrub_category c =
		    person_leak(&facts->persons[i], out, digits, alnum, &off);
		if (c == SCRUB_CAT_NONE)
			continue;
		free(out);
		free(digits);
		free(alnum);
		bfail(err, NODE_ERR_INVALID, field,
		      "%s still holds a recorded %s of a person of the casus "
		      "after scrubbing%s: rewrite it",
		      field, scrub_category_placeholder(c),
		      off >= 0 ? " (see the offset)" : "");
		if (err != NULL) {
			err->scrub_refused = 1;
			err->refusal = SCRUB_REFUSE_RESIDUAL;
			err->offset = off >= 0 ? (size_t)off : 0;
			err->category = c;
		}
		return NODE_ERR_INVALID;
	}
	free(digits);
	free(alnum);
	if (d->n_text >= MAX_TEXTS) {
		free(out);
		return bfail(err, NODE_ERR_INVALID, field, "too many texts");
	}
	d->text[d->n_text++] = out;
	*ret = out;
	return NODE_OK;
}

/* ---- shared steps ------------------------------------------------------ */

static void
today_utc(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		snprintf(out, 11, "2026-01-01");
}

/* Load facts and names of a casus; names may be NULL (not wanted). */
static enum node_status
load_casus(const struct node_build_ctx *ctx, int64_t casus_id,
           struct node_requests_facts *facts, struct scrub_names **ret_names,
           struct node_build_error *err)
{
	char e[256] = "";
	enum node_status s;
	struct scrub_names *names;

	if (ctx == NULL || ctx->db == NULL || ctx->user == NULL ||
	    ctx->keys == NULL)
		return bfail(err, NODE_ERR_INVALID, "",
		             "a builder needs a database, a user and keys");
	*ret_names = NULL;
	names = scrub_names_new();
	if (names == NULL)
		return bfail(err, NODE_ERR_NOMEM, "", "out of memory");
	if (casus_id == 0) {
		memset(facts, 0, sizeof(*facts));
		*ret_names = names;
		return NODE_OK;
	}
	s = node_requests_casus_facts(ctx->db, ctx->user, casus_id, facts, e,
	                              sizeof(e));
	if (s != NODE_OK) {
		scrub_names_destroy(&names);
		if (s == NODE_ERR_NOT_FOUND)
			return bfail(err, s, "", "casus %lld does not exist",
			             (long long)casus_id);
		return bfail(err, s, "", "%s", e);
	}
	for (size_t i = 0; i < facts->n_persons; i++) {
		if (facts->persons[i].name != NULL &&
		    scrub_names_add(names, facts->persons[i].name) != 0) {
			scrub_names_destroy(&names);
			node_requests_facts_clear(facts);
			return bfail(err, NODE_ERR_INVALID, "",
			             "person %zu of casus %lld has a name the "
			             "scrubber cannot use",
			             i + 1, (long long)casus_id);
		}
	}
	*ret_names = names;
	return NODE_OK;
}

/* The escalation ladder: open and past triage. */
static enum node_status
check_ladder(const struct node_requests_facts *f, const char *what,
             struct node_build_error *err)
{
	if (node_lifecycle_may_escalate(f->phase))
		return NODE_OK;
	if (!node_lifecycle_past_triage(f->phase))
		return bfail(err, NODE_ERR_TRANSITION, "",
		             "casus %lld is in phase %s: %s needs a casus "
		             "past triage (discuss it first: bespreken)",
		             (long long)f->casus_id,
		             node_lifecycle_phase_name(f->phase), what);
	return bfail(err, NODE_ERR_TRANSITION, "",
	             "casus %lld is %s: %s needs an open casus (overleg or "
	             "monitoren)",
	             (long long)f->casus_id,
	             node_lifecycle_phase_name(f->phase), what);
}

static enum node_status
make_case_ref(const struct node_build_ctx *ctx, const char *msg,
              struct node_build_draft *d, struct node_build_error *err)
{
	enum pseudonym_error pe = PSEUDONYM_OK;
	struct privacy_pseudonym *p;
	char id[24];
	enum node_status s;

	if ((s = permit(msg, "case_ref", PRIVACY_PSEUDONYM, err)) != NODE_OK)
		return s;
	p = privacy_pseudonym_from_keyfile(ctx->keys,
	                                   ctx->pseudonym_label != NULL
	                                       ? ctx->pseudonym_label
	                                       : NODE_BUILD_PSEUDONYM_LABEL,
	                                   &pe);
	if (p == NULL)
		return bfail(err, NODE_ERR_INVALID, "case_ref", "%s",
		             privacy_pseudonym_strerror(pe));
	snprintf(id, sizeof(id), "%lld", (long long)d->casus_id);
	pe = privacy_pseudonym_ref(p, id, d->case_ref, sizeof(d->case_ref));
	privacy_pseudonym_destroy(&p);
	if (pe != PSEUDONYM_OK)
		return bfail(err, NODE_ERR_INVALID, "case_ref", "%s",
		             privacy_pseudonym_strerror(pe));
	return NODE_OK;
}

static enum node_status
make_age_band(const struct node_build_ctx *ctx, const char *msg,
              const struct node_requests_facts *f, int required,
              Retfed__V1__AgeBand *ret, struct node_build_error *err)
{
	char today[11];
	enum generalise_error ge;
	enum node_status s;

	*ret = RETFED__V1__AGE_BAND__AGE_BAND_UNSPECIFIED;
	if ((s = permit(msg, "age_band", PRIVACY_GENERALISED, err)) != NODE_OK)
		return s;
	if (f->subject_birth_date == NULL) {
		if (!required)
			return NODE_OK;
		return bfail(err, NODE_ERR_INVALID, "age_band",
		             "casus %lld has no birth date of the jeugdige "
		             "(or adult) it is about: record it first, the age "
		             "band is made from it",
		             (long long)f->casus_id);
	}
	if (ctx->today != NULL)
		snprintf(today, sizeof(today), "%s", ctx->today);
	else
		today_utc(today);
	ge = generalise_age_band_of(f->subject_birth_date, today, ret);
	if (ge != GENERALISE_OK)
		return bfail(err, NODE_ERR_INVALID, "age_band",
		             "the recorded birth date cannot give an age band: "
		             "%s",
		             generalise_strerror(ge));
	return NODE_OK;
}

static enum node_status
copy_areas(const char *msg, const struct node_requests_facts *f, int required,
           struct node_build_draft *d, size_t *ret_n,
           Retfed__V1__ProblemArea **ret, struct node_build_error *err)
{
	enum node_status s;

	if ((s = permit(msg, "problem_areas", PRIVACY_ENUM, err)) != NODE_OK)
		return s;
	if (required && f->n_areas == 0)
		return bfail(err, NODE_ERR_INVALID, "problem_areas",
		             "casus %lld has no problem areas: record them "
		             "first (ret casus wijzig --probleem)",
		             (long long)f->casus_id);
	for (unsigned i = 0; i < f->n_areas && i < 12; i++)
		d->areas[i] = (Retfed__V1__ProblemArea)f->areas[i];
	*ret_n = f->n_areas;
	*ret = f->n_areas ? d->areas : NULL;
	return NODE_OK;
}

/* Check a draft with the receiver's rules under a provisional header. */
static enum node_status
check_draft(struct node_build_draft *d, const char *sender,
            struct node_build_error *err)
{
	Retfed__V1__Body b = d->body;
	uint8_t key_id[ENVELOPE_KEY_ID_LEN] = {0}, id[MSGID_LEN];
	struct wire_error we;

	envelope_body_prepare(&b, d->body.kind, sender, key_id, 1,
	                      msgid_now_ms(), id);
	wire_error_clear(&we);
	if (payload_check_body(&b, &we) != WIRE_OK)
		return bfail(err, NODE_ERR_INVALID, "", "%s", we.detail);
	return NODE_OK;
}

static enum node_status
finish(struct node_build_draft *d, const char *sender,
       struct node_build_draft **ret, struct node_build_error *err)
{
	enum node_status s = check_draft(d, sender, err);

	if (s != NODE_OK) {
		node_build_destroy(&d);
		return s;
	}
	*ret = d;
	return NODE_OK;
}

/* ---- the builders ------------------------------------------------------ */

enum node_status
node_build_escalation(const struct node_build_ctx *ctx,
                      const struct node_build_escalation *in,
                      struct node_build_draft **ret,
                      struct node_build_error *err)
{
	static const char *m = "Escalation";
	struct node_requests_facts facts;
	struct scrub_names *names = NULL;
	struct node_build_draft *d = NULL;
	Retfed__V1__Escalation *e;
	enum node_status s;

	err_clear(err);
	memset(&facts, 0, sizeof(facts));
	if (in == NULL || in->casus_id <= 0)
		return bfail(err, NODE_ERR_INVALID, "",
		             "an escalation needs a casus");
	if (in->n_support < 1 || in->n_support > 5)
		return bfail(err, NODE_ERR_INVALID, "support_asked",
		             "ask for 1 to 5 kinds of support");
	for (size_t i = 0; i < in->n_support; i++) {
		if (in->support[i] < 1 || in->support[i] > 5)
			return bfail(err, NODE_ERR_INVALID, "support_asked",
			             "support kind %d is unknown",
			             in->support[i]);
		for (size_t j = 0; j < i; j++)
			if (in->support[j] == in->support[i])
				return bfail(err, NODE_ERR_INVALID,
				             "support_asked",
				             "a support kind is given twice");
	}
	if (in->urgency < 1 || in->urgency > 3)
		return bfail(err, NODE_ERR_INVALID, "urgency",
		             "urgency is required (normaal, hoog or crisis)");
	if (in->answer != NULL && in->answer[0] != '\0' &&
	    in->thread_id == NULL)
		return bfail(err, NODE_ERR_INVALID, "answer",
		             "an answer belongs to an earlier escalation: give "
		             "its message id");
	s = load_casus(ctx, in->casus_id, &facts, &names, err);
	if (s != NODE_OK)
		return s;
	if ((s = check_ladder(&facts, "an opschaling", err)) != NODE_OK)
		goto out;
	if (in->thread_id != NULL) {
		struct node_sent_request r;
		char e2[256];
		if ((s = permit(m, "thread_id", PRIVACY_MESSAGE_ID, err)) !=
		    NODE_OK)
			goto out;
		s = node_requests_find(ctx->db, in->thread_id, &r, e2,
		                       sizeof(e2));
		if (s == NODE_OK &&
		    (r.kind != RETFED__V1__KIND__KIND_ESCALATION ||
		     r.casus_id != in->casus_id || r.has_thread))
			s = NODE_ERR_NOT_FOUND;
		if (s != NODE_OK) {
			s = bfail(
			    err, s == NODE_ERR_NOT_FOUND ? NODE_ERR_INVALID : s,
			    "thread_id",
			    "the thread is not the first escalation sent "
			    "for casus %lld",
			    (long long)in->casus_id);
			goto out;
		}
	}
	if ((d = draft_new(RETFED__V1__KIND__KIND_ESCALATION)) == NULL) {
		s = bfail(err, NODE_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	e = &d->p.esc;
	d->casus_id = in->casus_id;
	if ((s = make_case_ref(ctx, m, d, err)) != NODE_OK)
		goto out;
	e->case_ref = d->case_ref;
	if ((s = make_age_band(ctx, m, &facts, 1, &e->age_band, err)) !=
	        NODE_OK ||
	    (s = copy_areas(m, &facts, 1, d, &e->n_problem_areas,
	                    &e->problem_areas, err)) != NODE_OK ||
	    (s = scrub_field(d, names, &facts, m, "why_stuck", in->why_stuck, 1,
	                     TEXT_MAX_REASON, &e->why_stuck, err)) != NODE_OK ||
	    (s = scrub_field(d, names, &facts, m, "what_was_tried",
	                     in->what_was_tried, 1, TEXT_MAX_REASON,
	                     &e->what_was_tried, err)) != NODE_OK ||
	    (s = scrub_field(d, names, &facts, m, "answer", in->answer, 0,
	                     TEXT_MAX_REASON, &e->answer, err)) != NODE_OK ||
	    (s = permit(m, "support_asked", PRIVACY_ENUM, err)) != NODE_OK ||
	    (s = permit(m, "urgency", PRIVACY_ENUM, err)) != NODE_OK)
		goto out;
	for (size_t i = 0; i < in->n_support; i++)
		d->support[i] = (Retfed__V1__SupportKind)in->support[i];
	e->n_support_asked = in->n_support;
	e->support_asked = d->support;
	e->urgency = (Retfed__V1__Urgency)in->urgency;
	if (in->thread_id != NULL) {
		memcpy(d->id, in->thread_id, MSGID_LEN);
		d->has_id = 1;
		e->thread_id.data = d->id;
		e->thread_id.len = MSGID_LEN;
	}
	s = finish(d, ctx->keys->party, ret, err);
	d = NULL;
out:
	node_build_destroy(&d);
	scrub_names_destroy(&names);
	node_requests_facts_clear(&facts);
	return s;
}

enum node_status
node_build_procesversneller(const struct node_build_ctx *ctx,
                            const struct node_build_procesversneller *in,
                            struct node_build_draft **ret,
                            struct node_build_error *err)
{
	static const char *m = "ProcesversnellerRequest";
	struct node_requests_facts facts;
	struct scrub_names *names = NULL;
	struct node_build_draft *d = NULL;
	Retfed__V1__ProcesversnellerRequest *p;
	enum node_status s;

	err_clear(err);
	memset(&facts, 0, sizeof(facts));
	if (in == NULL || in->casus_id <= 0)
		return bfail(err, NODE_ERR_INVALID, "",
		             "a procesversneller request needs a casus");
	if (in->stagnation_reason == NULL || in->stagnation_reason[0] == '\0')
		return bfail(err, NODE_ERR_INVALID, "stagnation_reason",
		             "a procesversneller request needs the reason "
		             "the casus stagnates");
	if (in->expected_weeks < 1 || in->expected_weeks > NODE_BUILD_MAX_WEEKS)
		return bfail(err, NODE_ERR_INVALID, "expected_weeks",
		             "a procesversneller request needs the expected "
		             "period: 1 to %d weeks",
		             NODE_BUILD_MAX_WEEKS);
	if (in->urgency < 0 || in->urgency > 3)
		return bfail(err, NODE_ERR_INVALID, "urgency",
		             "urgency %d is unknown", in->urgency);
	s = load_casus(ctx, in->casus_id, &facts, &names, err);
	if (s != NODE_OK)
		return s;
	if ((s = check_ladder(&facts, "a procesversneller request", err)) !=
	    NODE_OK)
		goto out;
	if ((d = draft_new(RETFED__V1__KIND__KIND_PROCESVERSNELLER)) == NULL) {
		s = bfail(err, NODE_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	p = &d->p.pv;
	d->casus_id = in->casus_id;
	if ((s = make_case_ref(ctx, m, d, err)) != NODE_OK)
		goto out;
	p->case_ref = d->case_ref;
	if ((s = scrub_field(d, names, &facts, m, "stagnation_reason",
	                     in->stagnation_reason, 1, TEXT_MAX_REASON,
	                     &p->stagnation_reason, err)) != NODE_OK ||
	    (s = permit(m, "expected_weeks", PRIVACY_PARAMETER, err)) !=
	        NODE_OK)
		goto out;
	p->expected_weeks = in->expected_weeks;
	if (in->with_age_band &&
	    (s = make_age_band(ctx, m, &facts, 1, &p->age_band, err)) !=
	        NODE_OK)
		goto out;
	if (in->urgency != 0) {
		if ((s = permit(m, "urgency", PRIVACY_ENUM, err)) != NODE_OK)
			goto out;
		p->urgency = (Retfed__V1__Urgency)in->urgency;
	}
	s = finish(d, ctx->keys->party, ret, err);
	d = NULL;
out:
	node_build_destroy(&d);
	scrub_names_destroy(&names);
	node_requests_facts_clear(&facts);
	return s;
}

enum node_status
node_build_peer_request(const struct node_build_ctx *ctx,
                        const struct node_build_peer_request *in,
                        struct node_build_draft **ret,
                        struct node_build_error *err)
{
	static const char *m = "PeerReviewRequest";
	struct node_requests_facts facts;
	struct scrub_names *names = NULL;
	struct node_build_draft *d = NULL;
	Retfed__V1__PeerReviewRequest *r;
	enum node_status s;

	err_clear(err);
	memset(&facts, 0, sizeof(facts));
	if (in == NULL || in->recipient == NULL ||
	    party_role_of(in->recipient) != PARTY_REGION)
		return bfail(err, NODE_ERR_INVALID, "recipient",
		             "a peer-review request goes to a region "
		             "(region:<name>)");
	if (ctx != NULL && ctx->keys != NULL &&
	    strcmp(in->recipient, ctx->keys->party) == 0)
		return bfail(err, NODE_ERR_INVALID, "recipient",
		             "a region does not ask itself for a review");
	if (in->casus_id < 0)
		return bfail(err, NODE_ERR_INVALID, "", "bad casus id");
	s = load_casus(ctx, in->casus_id, &facts, &names, err);
	if (s != NODE_OK)
		return s;
	if ((d = draft_new(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST)) ==
	    NULL) {
		s = bfail(err, NODE_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	r = &d->p.prq;
	d->casus_id = in->casus_id;
	snprintf(d->recipient, sizeof(d->recipient), "%s", in->recipient);
	if ((s = scrub_field(d, names, &facts, m, "approach", in->approach, 1,
	                     TEXT_MAX_APPROACH, &r->approach, err)) !=
	        NODE_OK ||
	    (s = scrub_field(d, names, &facts, m, "question", in->question, 1,
	                     TEXT_MAX_QUESTION, &r->question, err)) != NODE_OK)
		goto out;
	if (in->casus_id > 0 &&
	    ((s = make_age_band(ctx, m, &facts, 0, &r->age_band, err)) !=
	         NODE_OK ||
	     (s = copy_areas(m, &facts, 0, d, &r->n_problem_areas,
	                     &r->problem_areas, err)) != NODE_OK))
		goto out;
	s = finish(d, ctx->keys->party, ret, err);
	d = NULL;
out:
	node_build_destroy(&d);
	scrub_names_destroy(&names);
	node_requests_facts_clear(&facts);
	return s;
}

enum node_status
node_build_peer_review(const struct node_build_ctx *ctx,
                       const struct node_build_peer_review *in,
                       struct node_build_draft **ret,
                       struct node_build_error *err)
{
	static const char *m = "PeerReview";
	struct node_requests_facts facts;
	struct scrub_names *names = NULL;
	struct node_build_draft *d = NULL;
	enum node_status s;

	err_clear(err);
	memset(&facts, 0, sizeof(facts));
	if (in == NULL || in->request_id == NULL)
		return bfail(err, NODE_ERR_INVALID, "request_id",
		             "a review answers a request: give its message id");
	if (in->recipient == NULL ||
	    party_role_of(in->recipient) != PARTY_REGION)
		return bfail(err, NODE_ERR_INVALID, "recipient",
		             "a review goes to the region that asked");
	if (in->casus_id < 0)
		return bfail(err, NODE_ERR_INVALID, "", "bad casus id");
	s = load_casus(ctx, in->casus_id, &facts, &names, err);
	if (s != NODE_OK)
		return s;
	if ((d = draft_new(RETFED__V1__KIND__KIND_PEER_REVIEW)) == NULL) {
		s = bfail(err, NODE_ERR_NOMEM, "", "out of memory");
		goto out;
	}
	d->casus_id = in->casus_id;
	snprintf(d->recipient, sizeof(d->recipient), "%s", in->recipient);
	if ((s = permit(m, "request_id", PRIVACY_MESSAGE_ID, err)) != NODE_OK ||
	    (s = scrub_field(d, names, &facts, m, "review", in->review, 1,
	                     TEXT_MAX_APPROACH, &d->p.prv.review, err)) !=
	        NODE_OK)
		goto out;
	memcpy(d->id, in->request_id, MSGID_LEN);
	d->has_id = 1;
	d->p.prv.request_id.data = d->id;
	d->p.prv.request_id.len = MSGID_LEN;
	s = finish(d, ctx->keys->party, ret, err);
	d = NULL;
out:
	node_build_destroy(&d);
	scrub_names_destroy(&names);
	node_requests_facts_clear(&facts);
	return s;
}

enum node_status
node_build_decision(const Retfed__V1__Body *request,
                    const struct node_build_decision *in,
                    struct node_build_draft **ret, struct node_build_error *err)
{
	static const char *m = "Decision";
	struct node_build_draft *d = NULL;
	Retfed__V1__Decision *x;
	const char *ref = NULL;
	enum node_status s;

	err_clear(err);
	if (request == NULL || in == NULL)
		return bfail(err, NODE_ERR_INVALID, "",
		             "a decision needs a request");
	if (request->payload_case == RETFED__V1__BODY__PAYLOAD_ESCALATION &&
	    request->escalation != NULL)
		ref = request->escalation->case_ref;
	else if (request->payload_case ==
	             RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER &&
	         request->procesversneller != NULL)
		ref = request->procesversneller->case_ref;
	if (ref == NULL || !payload_case_ref_valid(ref))
		return bfail(err, NODE_ERR_INVALID, "case_ref",
		             "a decision answers an escalation or a "
		             "procesversneller request with a case reference");
	if (request->message_id.len != MSGID_LEN || request->sender == NULL ||
	    party_role_of(request->sender) != PARTY_REGION)
		return bfail(err, NODE_ERR_INVALID, "request_id",
		             "the request has no message id or is not from a "
		             "region");
	if (in->status < 1 || in->status > 6)
		return bfail(err, NODE_ERR_INVALID, "status",
		             "the decision status is required");
	if (in->status == RETFED__V1__DECISION_STATUS__DECISION_GRANTED) {
		if (in->assignment_kind < 1 || in->assignment_kind > 4 ||
		    in->assigned == NULL || in->assigned[0] == '\0')
			return bfail(err, NODE_ERR_INVALID, "assigned",
			             "a grant says what is assigned and who");
	} else if (in->assignment_kind != 0 ||
	           (in->assigned != NULL && in->assigned[0] != '\0')) {
		return bfail(err, NODE_ERR_INVALID, "assigned",
		             "only a grant assigns someone");
	}
	if (in->status == RETFED__V1__DECISION_STATUS__DECISION_DECLINED &&
	    (in->reason == NULL || in->reason[0] == '\0'))
		return bfail(err, NODE_ERR_INVALID, "reason",
		             "a refusal says why");
	if (in->status ==
	        RETFED__V1__DECISION_STATUS__DECISION_MORE_INFO_NEEDED &&
	    (in->question == NULL || in->question[0] == '\0'))
		return bfail(err, NODE_ERR_INVALID, "question",
		             "\"more information needed\" asks a question");
	if ((d = draft_new(RETFED__V1__KIND__KIND_DECISION)) == NULL)
		return bfail(err, NODE_ERR_NOMEM, "", "out of memory");
	x = &d->p.dec;
	snprintf(d->recipient, sizeof(d->recipient), "%s", request->sender);
	if ((s = permit(m, "case_ref", PRIVACY_PSEUDONYM, err)) != NODE_OK ||
	    (s = permit(m, "request_id", PRIVACY_MESSAGE_ID, err)) != NODE_OK ||
	    (s = permit(m, "status", PRIVACY_ENUM, err)) != NODE_OK ||
	    (s = permit(m, "assignment_kind", PRIVACY_ENUM, err)) != NODE_OK)
		goto out;
	snprintf(d->case_ref, sizeof(d->case_ref), "%s", ref);
	x->case_ref = d->case_ref;
	memcpy(d->id, request->message_id.data, MSGID_LEN);
	d->has_id = 1;
	x->request_id.data = d->id;
	x->request_id.len = MSGID_LEN;
	x->status = (Retfed__V1__DecisionStatus)in->status;
	x->assignment_kind = (Retfed__V1__AssignmentKind)in->assignment_kind;
	if ((s = scrub_field(d, NULL, NULL, m, "assigned", in->assigned, 0,
	                     TEXT_MAX_ASSIGNED, &x->assigned, err)) !=
	        NODE_OK ||
	    (s = scrub_field(d, NULL, NULL, m, "reason", in->reason, 0,
	                     TEXT_MAX_REASON, &x->reason, err)) != NODE_OK ||
	    (s = scrub_field(d, NULL, NULL, m, "question", in->question, 0,
	                     TEXT_MAX_REASON, &x->question, err)) != NODE_OK ||
	    (s = scrub_field(d, NULL, NULL, m, "note", in->note, 0,
	                     TEXT_MAX_REASON, &x->note, err)) != NODE_OK)
		goto out;
	return finish(d, "desk:preview", ret, err);
out:
	node_build_destroy(&d);
	return s;
}

/* ---- preview ----------------------------------------------------------- */

static json_t *render_message(const ProtobufCMessage *msg);

static json_t *
render_value(const ProtobufCFieldDescriptor *f, const void *p)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;
		return json_string(s != NULL ? s : "");
	}
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev =
		    protobuf_c_enum_descriptor_get_value(
		        (const ProtobufCEnumDescriptor *)f->descriptor, v);
		return ev != NULL ? json_string(ev->name) : json_integer(v);
	}
	case PROTOBUF_C_TYPE_UINT32:
		return json_integer(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
		return json_integer((json_int_t) * (const uint64_t *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		static const char hx[] = "0123456789abcdef";
		char *s = malloc(b->len * 2 + 1);
		json_t *j;
		if (s == NULL)
			return NULL;
		for (size_t i = 0; i < b->len; i++) {
			s[2 * i] = hx[b->data[i] >> 4];
			s[2 * i + 1] = hx[b->data[i] & 15];
		}
		s[b->len * 2] = '\0';
		j = json_string(s);
		free(s);
		return j;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(ProtobufCMessage *const *)p;
		return m != NULL ? render_message(m) : json_null();
	}
	default:
		return json_string("(not shown)");
	}
}

static size_t
value_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_UINT64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return sizeof(int32_t);
	}
}

/* Every field of msg, in schema order, as an object. */
static json_t *
render_message(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *md = msg->descriptor;
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (unsigned i = 0; i < md->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &md->fields[i];
		const char *base = (const char *)msg;
		json_t *v;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n =
			    *(const size_t *)(base + f->quantifier_offset);
			const char *arr = *(char *const *)(base + f->offset);
			v = json_array();
			for (size_t k = 0; v != NULL && k < n; k++)
				if (json_array_append_new(
				        v, render_value(
				               f, arr + k * value_size(f))) !=
				    0) {
					json_decref(v);
					v = NULL;
				}
		} else {
			v = render_value(f, base + f->offset);
		}
		if (v == NULL || json_object_set_new(o, f->name, v) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

enum node_status
node_build_preview(const Retfed__V1__Body *b, json_t **ret)
{
	const ProtobufCMessage *payload = NULL;
	ProtobufCMessage *decoded;
	const ProtobufCEnumValue *kv;
	uint8_t *buf;
	size_t len;
	json_t *o, *fields;

	switch (b != NULL ? b->payload_case : 0) {
	case RETFED__V1__BODY__PAYLOAD_ESCALATION:
		payload = &b->escalation->base;
		break;
	case RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER:
		payload = &b->procesversneller->base;
		break;
	case RETFED__V1__BODY__PAYLOAD_DECISION:
		payload = &b->decision->base;
		break;
	case RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY:
		payload = &b->learning_summary->base;
		break;
	case RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST:
		payload = &b->peer_review_request->base;
		break;
	case RETFED__V1__BODY__PAYLOAD_PEER_REVIEW:
		payload = &b->peer_review->base;
		break;
	default:
		return NODE_ERR_INVALID;
	}
	if (payload == NULL)
		return NODE_ERR_INVALID;
	/* Render what a receiver decodes, not the builder's structs. */
	len = protobuf_c_message_get_packed_size(payload);
	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL)
		return NODE_ERR_NOMEM;
	(void)protobuf_c_message_pack(payload, buf);
	decoded =
	    protobuf_c_message_unpack(payload->descriptor, NULL, len, buf);
	free(buf);
	if (decoded == NULL)
		return NODE_ERR_INVALID;
	fields = render_message(decoded);
	protobuf_c_message_free_unpacked(decoded, NULL);
	if (fields == NULL)
		return NODE_ERR_NOMEM;
	kv = protobuf_c_enum_descriptor_get_value(&retfed__v1__kind__descriptor,
	                                          (int)b->kind);
	o = json_pack("{s:s, s:s, s:o, s:s, s:o}", "kind",
	              envelope_kind_name((int)b->kind), "kind_name",
	              kv != NULL ? kv->name : "", "recipient",
	              b->recipient != NULL && b->recipient[0] != '\0'
	                  ? json_string(b->recipient)
	                  : json_null(),
	              "message", payload->descriptor->short_name, "fields",
	              fields);
	if (o == NULL)
		return NODE_ERR_NOMEM;
	*ret = o;
	return NODE_OK;
}

static int
print_value(FILE *f, const json_t *v, int indent)
{
	const char *s, *nl;
	size_t i;
	json_t *x;
	const char *k;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		if (s[0] == '\0')
			return fprintf(f, "(empty)\n") < 0 ? -1 : 0;
		/* Continuation lines line up under the first one. */
		while ((nl = strchr(s, '\n')) != NULL) {
			if (fprintf(f, "%.*s\n%*s", (int)(nl - s), s, indent,
			            "") < 0)
				return -1;
			s = nl + 1;
		}
		return fprintf(f, "%s\n", s) < 0 ? -1 : 0;
	case JSON_INTEGER:
		return fprintf(f, "%lld\n", (long long)json_integer_value(v)) <
		               0
		           ? -1
		           : 0;
	case JSON_TRUE:
	case JSON_FALSE:
		return fprintf(f, "%s\n", json_is_true(v) ? "true" : "false") <
		               0
		           ? -1
		           : 0;
	case JSON_ARRAY:
		if (json_array_size(v) == 0)
			return fprintf(f, "(none)\n") < 0 ? -1 : 0;
		json_array_foreach(v, i, x)
		{
			if (json_is_object(x)) {
				if (fprintf(f, "\n%*s- ", indent, "") < 0 ||
				    print_value(f, x, indent + 2) != 0)
					return -1;
				continue;
			}
			if (fprintf(f, "%s%s", i ? ", " : "",
			            json_is_string(x) ? json_string_value(x)
			                              : "?") < 0)
				return -1;
		}
		return fprintf(f, "\n") < 0 ? -1 : 0;
	case JSON_OBJECT:
		json_object_foreach((json_t *)(uintptr_t)v, k, x)
		{
			if (fprintf(f, "\n%*s%s: ", indent + 2, "", k) < 0 ||
			    print_value(f, x, indent + 4) != 0)
				return -1;
		}
		return 0;
	default:
		return fprintf(f, "-\n") < 0 ? -1 : 0;
	}
}

int
node_build_preview_print(const json_t *preview, FILE *f)
{
	const json_t *fields = json_object_get(preview, "fields");
	const json_t *rcpt = json_object_get(preview, "recipient");
	const char *k;
	json_t *v;

	if (!json_is_object(fields))
		return -1;
	if (fprintf(f, "  %-20s %s\n", "kind",
	            json_string_value(json_object_get(preview, "kind"))) < 0 ||
	    fprintf(f, "  %-20s %s\n", "recipient",
	            json_is_string(rcpt) ? json_string_value(rcpt)
	                                 : "(the coordinators of the BEN)") < 0)
		return -1;
	/* jansson keeps insertion order, which is the schema's order. */
	json_object_foreach((json_t *)(uintptr_t)fields, k, v)
	{
		if (fprintf(f, "  %-20s ", k) < 0 || print_value(f, v, 23) != 0)
			return -1;
	}
	return 0;
}

/* ---- sending ----------------------------------------------------------- */

/*
 * The record of a sent request, inside node_outbox_queue's transaction:
 * its casus, case reference, recipient and thread (node_requests_record).
 */
static enum node_status
build_record(sqlite3 *db, const char *user, const struct guard_draft *g,
             const uint8_t msgid[MSGID_LEN], char *errbuf, size_t errlen)
{
	/* guard is the first member: g is the draft itself. */
	const struct node_build_draft *d = (const struct node_build_draft *)g;

	return node_requests_record(db, user, (int)d->body.kind, msgid,
	                            d->casus_id, d->case_ref, d->recipient,
	                            d->has_id ? d->id : NULL, errbuf, errlen);
}
