/* payload_check: field-level rules for bodies and payloads. */
#include "payload_check.h"

#include <string.h>

#include "msgid.h"
#include "party.h"

#define KEY_ID_BYTES 8

int
payload_case_ref_valid(const char *s)
{
	const char *colon = strchr(s, ':');
	size_t i, label;

	if (colon == NULL)
		return 0;
	label = (size_t)(colon - s);
	if (label < 1 || label > 8)
		return 0;
	for (i = 0; i < label; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	if (strlen(colon + 1) != 32)
		return 0;
	for (i = 1; i <= 32; i++)
		if (!((colon[i] >= '0' && colon[i] <= '9') ||
		      (colon[i] >= 'a' && colon[i] <= 'f')))
			return 0;
	return 1;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
payload_period_valid(const char *s)
{
	size_t n = strlen(s);
	int year;

	if (n < 4 || !digits(s, 4))
		return 0;
	year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	       (s[3] - '0');
	if (year < 2000 || year > 2099)
		return 0;
	if (n == 4)
		return 1;
	if (n == 7 && s[4] == '-' && s[5] == 'Q')
		return s[6] >= '1' && s[6] <= '4';
	if (n == 7 && s[4] == '-' && digits(s + 5, 2)) {
		int m = (s[5] - '0') * 10 + (s[6] - '0');
		return m >= 1 && m <= 12;
	}
	return 0;
}

/* A text field: required means at least one byte. */
static enum wire_reason
text(const char *msg, const char *field, const char *s, int required,
     size_t max, struct wire_error *err)
{
	size_t n = strlen(s);

	if (required && n == 0)
		return wire_fail(err, WIRE_MISSING_FIELD, "%s.%s is missing",
				 msg, field);
	if (n > max)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "%s.%s is %zu bytes, longer than %zu", msg,
				 field, n, max);
	return WIRE_OK;
}

static enum wire_reason
case_ref(const char *msg, const char *s, struct wire_error *err)
{
	if (*s == '\0')
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "%s.case_ref is missing", msg);
	if (!payload_case_ref_valid(s))
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "%s.case_ref is not a case reference", msg);
	return WIRE_OK;
}

static enum wire_reason
msg_id(const char *msg, const char *field, ProtobufCBinaryData d,
       int required, struct wire_error *err)
{
	if (d.len == 0 && !required)
		return WIRE_OK;
	if (d.len == 0)
		return wire_fail(err, WIRE_MISSING_FIELD, "%s.%s is missing",
				 msg, field);
	if (d.len != MSGID_LEN)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "%s.%s must be %d bytes", msg, field,
				 MSGID_LEN);
	return WIRE_OK;
}

/* A repeated enum: count within [min, max], no value twice, none unset. */
static enum wire_reason
enum_set(const char *msg, const char *field, const int *v, size_t n,
	 size_t min, size_t max, struct wire_error *err)
{
	size_t i, j;

	if (n < min)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "%s.%s needs at least %zu value(s)", msg,
				 field, min);
	if (n > max)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "%s.%s has more than %zu values", msg, field,
				 max);
	for (i = 0; i < n; i++) {
		if (v[i] == 0)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "%s.%s contains an unset value", msg,
					 field);
		for (j = 0; j < i; j++)
			if (v[i] == v[j])
				return wire_fail(err, WIRE_OUT_OF_RANGE,
						 "%s.%s repeats a value", msg,
						 field);
	}
	return WIRE_OK;
}

#define CHECK(expr)                                                            \
	do {                                                                   \
		enum wire_reason rc_ = (expr);                                 \
		if (rc_ != WIRE_OK)                                            \
			return rc_;                                            \
	} while (0)

static enum wire_reason
check_escalation(const Retfed__V1__Escalation *e, struct wire_error *err)
{
	const char *m = "Escalation";

	CHECK(case_ref(m, e->case_ref, err));
	if (e->age_band == 0)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Escalation.age_band is missing");
	CHECK(enum_set(m, "problem_areas", (const int *)e->problem_areas,
		       e->n_problem_areas, 1, 12, err));
	CHECK(text(m, "why_stuck", e->why_stuck, 1, TEXT_MAX_REASON, err));
	CHECK(text(m, "what_was_tried", e->what_was_tried, 1, TEXT_MAX_REASON,
		   err));
	CHECK(enum_set(m, "support_asked", (const int *)e->support_asked,
		       e->n_support_asked, 1, 5, err));
	if (e->urgency == 0)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Escalation.urgency is missing");
	CHECK(msg_id(m, "thread_id", e->thread_id, 0, err));
	CHECK(text(m, "answer", e->answer, 0, TEXT_MAX_REASON, err));
	if (e->answer[0] != '\0' && e->thread_id.len == 0)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Escalation.answer needs a thread_id");
	return WIRE_OK;
}

static enum wire_reason
check_procesversneller(const Retfed__V1__ProcesversnellerRequest *p,
		       struct wire_error *err)
{
	const char *m = "ProcesversnellerRequest";

	CHECK(case_ref(m, p->case_ref, err));
	CHECK(text(m, "stagnation_reason", p->stagnation_reason, 1,
		   TEXT_MAX_REASON, err));
	if (p->expected_weeks == 0)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "%s.expected_weeks is missing", m);
	if (p->expected_weeks > 52)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "%s.expected_weeks is over 52", m);
	return WIRE_OK;
}

static enum wire_reason
check_decision(const Retfed__V1__Decision *d, struct wire_error *err)
{
	const char *m = "Decision";

	CHECK(case_ref(m, d->case_ref, err));
	CHECK(msg_id(m, "request_id", d->request_id, 1, err));
	CHECK(text(m, "assigned", d->assigned, 0, TEXT_MAX_ASSIGNED, err));
	CHECK(text(m, "reason", d->reason, 0, TEXT_MAX_REASON, err));
	CHECK(text(m, "question", d->question, 0, TEXT_MAX_REASON, err));
	CHECK(text(m, "note", d->note, 0, TEXT_MAX_REASON, err));
	switch (d->status) {
	case RETFED__V1__DECISION_STATUS__DECISION_STATUS_UNSPECIFIED:
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Decision.status is missing");
	case RETFED__V1__DECISION_STATUS__DECISION_GRANTED:
		if (d->assignment_kind == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Decision.assignment_kind is missing "
					 "for a grant");
		if (d->assigned[0] == '\0')
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Decision.assigned is missing for a "
					 "grant");
		break;
	case RETFED__V1__DECISION_STATUS__DECISION_DECLINED:
		if (d->reason[0] == '\0')
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Decision.reason is missing for a "
					 "refusal");
		break;
	case RETFED__V1__DECISION_STATUS__DECISION_MORE_INFO_NEEDED:
		if (d->question[0] == '\0')
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Decision.question is missing");
		break;
	default:
		break;
	}
	if (d->status != RETFED__V1__DECISION_STATUS__DECISION_GRANTED &&
	    (d->assignment_kind != 0 || d->assigned[0] != '\0'))
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "Decision.assigned is only for a grant");
	return WIRE_OK;
}

static int
cell_key_valid(const char *k)
{
	size_t n = strlen(k), i;

	if (n < 1 || n > 40)
		return 0;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		      k[i] == '+' || k[i] == '-'))
			return 0;
	return 1;
}

static enum wire_reason
check_cell(const char *field, const Retfed__V1__Cell *c, int required,
	   struct wire_error *err)
{
	if (c == NULL) {
		if (!required)
			return WIRE_OK;
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "LearningSummary.%s is missing", field);
	}
	if (!cell_key_valid(c->key))
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.%s has an invalid key",
				 field);
	if (c->suppressed && c->count != 0)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.%s is suppressed but has a "
				 "count",
				 field);
	if (c->count > 1000000)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.%s count is implausible",
				 field);
	return WIRE_OK;
}

static enum wire_reason
check_cells(const char *field, Retfed__V1__Cell *const *cells, size_t n,
	    struct wire_error *err)
{
	size_t i, j;

	if (n > SUMMARY_MAX_CELLS)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.%s has more than %d cells",
				 field, SUMMARY_MAX_CELLS);
	for (i = 0; i < n; i++) {
		CHECK(check_cell(field, cells[i], 1, err));
		for (j = 0; j < i; j++)
			if (strcmp(cells[i]->key, cells[j]->key) == 0)
				return wire_fail(err, WIRE_OUT_OF_RANGE,
						 "LearningSummary.%s repeats "
						 "key %s",
						 field, cells[i]->key);
	}
	return WIRE_OK;
}

static enum wire_reason
check_summary(const Retfed__V1__LearningSummary *s, struct wire_error *err)
{
	size_t i;

	if (s->period[0] == '\0')
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "LearningSummary.period is missing");
	if (!payload_period_valid(s->period))
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.period is not YYYY, "
				 "YYYY-Qn or YYYY-MM");
	if (s->threshold < 3 || s->threshold > 100)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.threshold must be 3..100");
	CHECK(check_cell("registrations", s->registrations, 1, err));
	CHECK(check_cell("discussed", s->discussed, 1, err));
	CHECK(check_cell("cancelled", s->cancelled, 1, err));
	CHECK(check_cell("referred", s->referred, 1, err));
	CHECK(check_cell("consultations", s->consultations, 0, err));
	CHECK(check_cells("by_registrant", s->by_registrant,
			  s->n_by_registrant, err));
	CHECK(check_cells("by_question_type", s->by_question_type,
			  s->n_by_question_type, err));
	CHECK(check_cells("by_outcome", s->by_outcome, s->n_by_outcome, err));
	CHECK(check_cells("bottleneck_themes", s->bottleneck_themes,
			  s->n_bottleneck_themes, err));
	CHECK(check_cell("median_days_to_overleg", s->median_days_to_overleg, 0,
			 err));
	CHECK(check_cell("median_days_to_close", s->median_days_to_close, 0,
			 err));
	if (s->n_lessons > SUMMARY_MAX_LESSONS)
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "LearningSummary.lessons has more than %d "
				 "entries",
				 SUMMARY_MAX_LESSONS);
	for (i = 0; i < s->n_lessons; i++)
		CHECK(text("LearningSummary", "lessons", s->lessons[i], 1,
			   TEXT_MAX_LESSON, err));
	return WIRE_OK;
}

static enum wire_reason
check_peer_review_request(const Retfed__V1__PeerReviewRequest *p,
			  struct wire_error *err)
{
	const char *m = "PeerReviewRequest";

	CHECK(text(m, "approach", p->approach, 1, TEXT_MAX_APPROACH, err));
	CHECK(text(m, "question", p->question, 1, TEXT_MAX_QUESTION, err));
	CHECK(enum_set(m, "problem_areas", (const int *)p->problem_areas,
		       p->n_problem_areas, 0, 12, err));
	return WIRE_OK;
}

static enum wire_reason
check_peer_review(const Retfed__V1__PeerReview *p, struct wire_error *err)
{
	CHECK(msg_id("PeerReview", "request_id", p->request_id, 1, err));
	CHECK(text("PeerReview", "review", p->review, 1, TEXT_MAX_APPROACH,
		   err));
	return WIRE_OK;
}

/* Which payload case and recipient role each kind needs. */
static const struct {
	Retfed__V1__Body__PayloadCase payload;
	enum party_role recipient; /* PARTY_INVALID: no recipient */
	const char *name;
} kind_rules[] = {
	[RETFED__V1__KIND__KIND_ESCALATION] =
		{RETFED__V1__BODY__PAYLOAD_ESCALATION, PARTY_INVALID,
		 "escalation"},
	[RETFED__V1__KIND__KIND_PROCESVERSNELLER] =
		{RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER, PARTY_INVALID,
		 "procesversneller"},
	[RETFED__V1__KIND__KIND_DECISION] = {RETFED__V1__BODY__PAYLOAD_DECISION,
					     PARTY_REGION, "decision"},
	[RETFED__V1__KIND__KIND_LEARNING_SUMMARY] =
		{RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY, PARTY_INVALID,
		 "learning_summary"},
	[RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST] =
		{RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST, PARTY_REGION,
		 "peer_review_request"},
	[RETFED__V1__KIND__KIND_PEER_REVIEW] =
		{RETFED__V1__BODY__PAYLOAD_PEER_REVIEW, PARTY_REGION,
		 "peer_review"},
};

enum wire_reason
payload_check_body(const Retfed__V1__Body *b, struct wire_error *err)
{
	size_t nk = sizeof(kind_rules) / sizeof(kind_rules[0]);

	if (b->version != 1)
		return wire_fail(err, WIRE_BAD_VERSION,
				 "Body.version is %u, only 1 is known",
				 (unsigned)b->version);
	if (b->kind == 0)
		return wire_fail(err, WIRE_MISSING_FIELD, "Body.kind is missing");
	if ((size_t)b->kind >= nk || kind_rules[b->kind].name == NULL)
		return wire_fail(err, WIRE_UNKNOWN_KIND, "Body.kind %d is unknown",
				 (int)b->kind);
	if (b->sender[0] == '\0')
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Body.sender is missing");
	if (!party_id_valid(b->sender))
		return wire_fail(err, WIRE_OUT_OF_RANGE,
				 "Body.sender is not a party id");
	if (b->key_id.len != KEY_ID_BYTES)
		return wire_fail(err, b->key_id.len ? WIRE_OUT_OF_RANGE
						    : WIRE_MISSING_FIELD,
				 "Body.key_id must be %d bytes", KEY_ID_BYTES);
	if (b->seq == 0)
		return wire_fail(err, WIRE_MISSING_FIELD, "Body.seq is missing");
	if (b->seq > ((uint64_t)1 << 62))
		return wire_fail(err, WIRE_OUT_OF_RANGE, "Body.seq is too large");
	CHECK(msg_id("Body", "message_id", b->message_id, 1, err));
	if (b->created_ms < PAYLOAD_MIN_TIME_MS ||
	    b->created_ms >= PAYLOAD_MAX_TIME_MS)
		return wire_fail(err, WIRE_BAD_TIME,
				 "Body.created_ms is outside 2020..2099");
	if (msgid_time_ms(b->message_id.data) != (b->created_ms & 0xffffffffffffULL))
		return wire_fail(err, WIRE_BAD_TIME,
				 "Body.message_id time differs from "
				 "created_ms");
	if (kind_rules[b->kind].recipient == PARTY_INVALID) {
		if (b->recipient[0] != '\0')
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Body.recipient must be empty for a "
					 "%s",
					 kind_rules[b->kind].name);
	} else {
		if (b->recipient[0] == '\0')
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Body.recipient is missing for a %s",
					 kind_rules[b->kind].name);
		if (party_role_of(b->recipient) !=
		    kind_rules[b->kind].recipient)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Body.recipient of a %s must be a "
					 "region",
					 kind_rules[b->kind].name);
	}
	if (b->payload_case != kind_rules[b->kind].payload)
		return wire_fail(err, b->payload_case ? WIRE_OUT_OF_RANGE
						      : WIRE_MISSING_FIELD,
				 "Body payload does not match kind %s",
				 kind_rules[b->kind].name);

	switch (b->payload_case) {
	case RETFED__V1__BODY__PAYLOAD_ESCALATION:
		return check_escalation(b->escalation, err);
	case RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER:
		return check_procesversneller(b->procesversneller, err);
	case RETFED__V1__BODY__PAYLOAD_DECISION:
		return check_decision(b->decision, err);
	case RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY:
		return check_summary(b->learning_summary, err);
	case RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST:
		return check_peer_review_request(b->peer_review_request, err);
	case RETFED__V1__BODY__PAYLOAD_PEER_REVIEW:
		return check_peer_review(b->peer_review, err);
	default:
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Body has no payload");
	}
}
