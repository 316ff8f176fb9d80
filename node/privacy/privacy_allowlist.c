/* privacy_allowlist: the reviewed fields of every message that travels. */
#include "privacy_allowlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "retfed.pb-c.h"

#define CASE_REF_SAFE                                                          \
	"a keyed BLAKE2b pseudonym of the internal case id under the "        \
	"region's secret; stable per case, unlinkable across regions"
#define TEXT_SAFE                                                              \
	"passes the scrubber (docs/scrubber.md): names, BSN, dates, ages, "   \
	"addresses, phone numbers, e-mail, IBAN and numbers are redacted, "   \
	"or the message is refused"
#define MSGID_SAFE                                                             \
	"48-bit creation time in ms plus 80 random bits; says nothing about " \
	"a person"
#define ENUM_SAFE "a value of a closed enum; no free text possible"
#define COUNT_SAFE                                                             \
	"an aggregate over the period; small cells suppressed "               \
	"(privacy_suppress)"

static const struct privacy_allowlist_row rows[] = {
	/* The envelope and the signed header. */
	{"Envelope", "body", PRIVACY_NESTED, "the signed Body",
	 "reviewed field by field below"},
	{"Envelope", "signature", PRIVACY_ROUTING,
	 "Ed25519 signature of the sending party",
	 "depends only on the key and the body"},
	{"Body", "version", PRIVACY_ROUTING, "protocol version 1",
	 "a constant"},
	{"Body", "kind", PRIVACY_ROUTING, "which payload follows", ENUM_SAFE},
	{"Body", "sender", PRIVACY_ROUTING,
	 "party id of the sending region or desk", "names an organisation"},
	{"Body", "key_id", PRIVACY_ROUTING,
	 "8 bytes identifying the signing key", "derived from a public key"},
	{"Body", "seq", PRIVACY_ROUTING, "per-sender sequence number",
	 "counts messages, not people"},
	{"Body", "message_id", PRIVACY_MESSAGE_ID, "id of this message",
	 MSGID_SAFE},
	{"Body", "created_ms", PRIVACY_ROUTING,
	 "when the message was created (ms)",
	 "time of sending, not of any event in the case"},
	{"Body", "recipient", PRIVACY_ROUTING,
	 "party id of the receiving region or desk",
	 "names an organisation"},
	{"Body", "escalation", PRIVACY_NESTED, "an Escalation",
	 "reviewed field by field below"},
	{"Body", "procesversneller", PRIVACY_NESTED,
	 "a ProcesversnellerRequest", "reviewed field by field below"},
	{"Body", "decision", PRIVACY_NESTED, "a Decision",
	 "reviewed field by field below"},
	{"Body", "learning_summary", PRIVACY_NESTED, "a LearningSummary",
	 "reviewed field by field below"},
	{"Body", "peer_review_request", PRIVACY_NESTED, "a PeerReviewRequest",
	 "reviewed field by field below"},
	{"Body", "peer_review", PRIVACY_NESTED, "a PeerReview",
	 "reviewed field by field below"},
	/* Opschalingsverzoek. */
	{"Escalation", "case_ref", PRIVACY_PSEUDONYM,
	 "case reference (casusreferentie)", CASE_REF_SAFE},
	{"Escalation", "age_band", PRIVACY_GENERALISED,
	 "age band (leeftijdscategorie) of the youth or adult",
	 "computed from the birth date on the node; only the band travels"},
	{"Escalation", "problem_areas", PRIVACY_ENUM,
	 "problem areas (leefgebieden)", ENUM_SAFE},
	{"Escalation", "why_stuck", PRIVACY_SCRUBBED_TEXT,
	 "why the case is stuck (waarom vastgelopen)", TEXT_SAFE},
	{"Escalation", "what_was_tried", PRIVACY_SCRUBBED_TEXT,
	 "what was tried (wat is geprobeerd)", TEXT_SAFE},
	{"Escalation", "support_asked", PRIVACY_ENUM,
	 "support asked of the BEN (gevraagde ondersteuning)", ENUM_SAFE},
	{"Escalation", "urgency", PRIVACY_ENUM, "urgency (urgentie)",
	 ENUM_SAFE},
	{"Escalation", "thread_id", PRIVACY_MESSAGE_ID,
	 "the first escalation this one updates", MSGID_SAFE},
	{"Escalation", "answer", PRIVACY_SCRUBBED_TEXT,
	 "answer to a coordinator's question", TEXT_SAFE},
	/* Procesversneller request. */
	{"ProcesversnellerRequest", "case_ref", PRIVACY_PSEUDONYM,
	 "case reference (casusreferentie)", CASE_REF_SAFE},
	{"ProcesversnellerRequest", "stagnation_reason", PRIVACY_SCRUBBED_TEXT,
	 "reason of stagnation (reden van stagnatie)", TEXT_SAFE},
	{"ProcesversnellerRequest", "expected_weeks", PRIVACY_PARAMETER,
	 "expected duration of the inzet in weeks",
	 "a planning number, 1..52; nothing about the person"},
	{"ProcesversnellerRequest", "age_band", PRIVACY_GENERALISED,
	 "age band (leeftijdscategorie), optional",
	 "computed from the birth date on the node; only the band travels"},
	{"ProcesversnellerRequest", "urgency", PRIVACY_ENUM,
	 "urgency (urgentie), optional", ENUM_SAFE},
	/* Besluit / status from a coordinator desk. */
	{"Decision", "case_ref", PRIVACY_PSEUDONYM,
	 "the case reference of the request",
	 "copied from the request; only the region can map it back"},
	{"Decision", "request_id", PRIVACY_MESSAGE_ID,
	 "message id of the request", MSGID_SAFE},
	{"Decision", "status", PRIVACY_ENUM, "decision or status (besluit)",
	 ENUM_SAFE},
	{"Decision", "assignment_kind", PRIVACY_ENUM,
	 "what was granted (toegekende inzet)", ENUM_SAFE},
	{"Decision", "assigned", PRIVACY_SCRUBBED_TEXT,
	 "the professional or service assigned, never the client",
	 "written at the desk; scrubbed by the desk's builder"},
	{"Decision", "reason", PRIVACY_SCRUBBED_TEXT,
	 "why a request was declined (reden afwijzing)", TEXT_SAFE},
	{"Decision", "question", PRIVACY_SCRUBBED_TEXT,
	 "what information is needed (aanvullende vraag)", TEXT_SAFE},
	{"Decision", "note", PRIVACY_SCRUBBED_TEXT, "a note (toelichting)",
	 TEXT_SAFE},
	/* One cell of an aggregate table. */
	{"Cell", "key", PRIVACY_CATEGORY_KEY,
	 "the category counted (e.g. gemeente, gi, ouder)",
	 "1..40 of [a-z0-9_+-] from the node's fixed category list; small "
	 "categories merged (privacy_generalise)"},
	{"Cell", "count", PRIVACY_COUNT, "the number of cases in the category",
	 COUNT_SAFE},
	{"Cell", "suppressed", PRIVACY_COUNT,
	 "true when the count is hidden (shown as <5); count is then 0",
	 COUNT_SAFE},
	/* Leersamenvatting: the dashboard of a period. */
	{"LearningSummary", "period", PRIVACY_GENERALISED,
	 "the period: year, quarter or month",
	 "never a day (privacy_generalise)"},
	{"LearningSummary", "threshold", PRIVACY_PARAMETER,
	 "the small-cell threshold used", "3..100, a setting"},
	{"LearningSummary", "registrations", PRIVACY_COUNT,
	 "number of aanmeldingen", COUNT_SAFE},
	{"LearningSummary", "discussed", PRIVACY_COUNT,
	 "number of cases discussed (besproken)", COUNT_SAFE},
	{"LearningSummary", "cancelled", PRIVACY_COUNT,
	 "number of cases cancelled (geannuleerd)", COUNT_SAFE},
	{"LearningSummary", "referred", PRIVACY_COUNT,
	 "number of cases referred on (doorverwezen)", COUNT_SAFE},
	{"LearningSummary", "consultations", PRIVACY_COUNT,
	 "number of consultations (consultaties)", COUNT_SAFE},
	{"LearningSummary", "by_registrant", PRIVACY_COUNT,
	 "counts by who registered (aanmelder)", COUNT_SAFE},
	{"LearningSummary", "by_question_type", PRIVACY_COUNT,
	 "counts by question type (type hulpvraag)", COUNT_SAFE},
	{"LearningSummary", "by_outcome", PRIVACY_COUNT,
	 "counts by outcome (resultaat)", COUNT_SAFE},
	{"LearningSummary", "bottleneck_themes", PRIVACY_COUNT,
	 "counts by bottleneck theme (knelpunten)", COUNT_SAFE},
	{"LearningSummary", "median_days_to_overleg", PRIVACY_COUNT,
	 "median days from aanmelding to overleg",
	 "a median over the period; suppressed when too few cases"},
	{"LearningSummary", "median_days_to_close", PRIVACY_COUNT,
	 "median days from aanmelding to afsluiting",
	 "a median over the period; suppressed when too few cases"},
	{"LearningSummary", "lessons", PRIVACY_SCRUBBED_TEXT,
	 "lessons learnt (rode draden)", TEXT_SAFE},
	/* Collegial peer review between regions. */
	{"PeerReviewRequest", "approach", PRIVACY_SCRUBBED_TEXT,
	 "the anonymised approach or advice (aanpak)", TEXT_SAFE},
	{"PeerReviewRequest", "question", PRIVACY_SCRUBBED_TEXT,
	 "the question to the other region (vraag)", TEXT_SAFE},
	{"PeerReviewRequest", "age_band", PRIVACY_GENERALISED,
	 "age band (leeftijdscategorie), optional",
	 "computed from the birth date on the node; only the band travels"},
	{"PeerReviewRequest", "problem_areas", PRIVACY_ENUM,
	 "problem areas (leefgebieden), optional", ENUM_SAFE},
	{"PeerReview", "request_id", PRIVACY_MESSAGE_ID,
	 "message id of the request", MSGID_SAFE},
	{"PeerReview", "review", PRIVACY_SCRUBBED_TEXT,
	 "the review (collegiale toets)", TEXT_SAFE},
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

const struct privacy_allowlist_row *
privacy_allowlist_rows(size_t *ret_n)
{
	*ret_n = NROWS;
	return rows;
}

const struct privacy_allowlist_row *
privacy_allowlist_lookup(const char *message, const char *field)
{
	size_t i;

	if (message == NULL || field == NULL)
		return NULL;
	for (i = 0; i < NROWS; i++)
		if (strcmp(rows[i].message, message) == 0 &&
		    strcmp(rows[i].field, field) == 0)
			return &rows[i];
	return NULL;
}

int
privacy_allowlist_permits(const char *message, const char *field,
			  enum privacy_class cls)
{
	const struct privacy_allowlist_row *r =
		privacy_allowlist_lookup(message, field);

	return r != NULL && r->cls == cls;
}

const char *
privacy_allowlist_class_name(enum privacy_class cls)
{
	switch (cls) {
	case PRIVACY_PSEUDONYM:
		return "pseudonym";
	case PRIVACY_ENUM:
		return "enum";
	case PRIVACY_GENERALISED:
		return "generalised";
	case PRIVACY_COUNT:
		return "count";
	case PRIVACY_SCRUBBED_TEXT:
		return "scrubbed text";
	case PRIVACY_MESSAGE_ID:
		return "message id";
	case PRIVACY_CATEGORY_KEY:
		return "category key";
	case PRIVACY_PARAMETER:
		return "parameter";
	case PRIVACY_ROUTING:
		return "routing";
	case PRIVACY_NESTED:
		return "nested message";
	}
	return "unknown";
}

/* Does a field of this protobuf type fit the class? */
static int
type_fits(enum privacy_class cls, ProtobufCType type)
{
	switch (cls) {
	case PRIVACY_PSEUDONYM:
	case PRIVACY_SCRUBBED_TEXT:
	case PRIVACY_CATEGORY_KEY:
		return type == PROTOBUF_C_TYPE_STRING;
	case PRIVACY_ENUM:
		return type == PROTOBUF_C_TYPE_ENUM;
	case PRIVACY_GENERALISED:
		return type == PROTOBUF_C_TYPE_ENUM ||
		       type == PROTOBUF_C_TYPE_STRING;
	case PRIVACY_COUNT:
		return type == PROTOBUF_C_TYPE_UINT32 ||
		       type == PROTOBUF_C_TYPE_BOOL ||
		       type == PROTOBUF_C_TYPE_MESSAGE;
	case PRIVACY_MESSAGE_ID:
		return type == PROTOBUF_C_TYPE_BYTES;
	case PRIVACY_PARAMETER:
		return type == PROTOBUF_C_TYPE_UINT32 ||
		       type == PROTOBUF_C_TYPE_UINT64;
	case PRIVACY_ROUTING:
		return type == PROTOBUF_C_TYPE_STRING ||
		       type == PROTOBUF_C_TYPE_BYTES ||
		       type == PROTOBUF_C_TYPE_UINT32 ||
		       type == PROTOBUF_C_TYPE_UINT64 ||
		       type == PROTOBUF_C_TYPE_ENUM;
	case PRIVACY_NESTED:
		/* Envelope.body is the serialised Body. */
		return type == PROTOBUF_C_TYPE_MESSAGE ||
		       type == PROTOBUF_C_TYPE_BYTES;
	}
	return 0;
}

#define MAX_MESSAGES 32

static int fail(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
privacy_allowlist_check(char *errbuf, size_t errlen)
{
	const ProtobufCMessageDescriptor *seen[MAX_MESSAGES];
	size_t nseen = 0, i, j, k;

	/* Every message reachable from the envelope, breadth first. */
	seen[nseen++] = &retfed__v1__envelope__descriptor;
	seen[nseen++] = &retfed__v1__body__descriptor;
	for (i = 0; i < nseen; i++) {
		const ProtobufCMessageDescriptor *d = seen[i];

		for (j = 0; j < d->n_fields; j++) {
			const ProtobufCFieldDescriptor *f = &d->fields[j];
			const ProtobufCMessageDescriptor *sub;
			const struct privacy_allowlist_row *r =
				privacy_allowlist_lookup(d->short_name,
							 f->name);
			int known = 0;

			if (r == NULL)
				return fail(errbuf, errlen,
					    "%s.%s has no row in the privacy "
					    "allow-list: review it in "
					    "node/privacy_allowlist.c",
					    d->short_name, f->name);
			if (!type_fits(r->cls, f->type))
				return fail(errbuf, errlen,
					    "%s.%s has a type that does not "
					    "fit its allow-list class",
					    d->short_name, f->name);
			if (f->type != PROTOBUF_C_TYPE_MESSAGE)
				continue;
			sub = f->descriptor;
			for (k = 0; k < nseen; k++)
				known |= seen[k] == sub;
			if (!known && nseen < MAX_MESSAGES)
				seen[nseen++] = sub;
		}
	}
	/* Every row names a field that exists. */
	for (i = 0; i < NROWS; i++) {
		const ProtobufCMessageDescriptor *d = NULL;

		for (k = 0; k < nseen; k++)
			if (strcmp(seen[k]->short_name, rows[i].message) == 0)
				d = seen[k];
		if (d == NULL ||
		    protobuf_c_message_descriptor_get_field_by_name(
			    d, rows[i].field) == NULL)
			return fail(errbuf, errlen,
				    "the allow-list names %s.%s, which is not "
				    "a field of any message that travels",
				    rows[i].message, rows[i].field);
	}
	return 0;
}
