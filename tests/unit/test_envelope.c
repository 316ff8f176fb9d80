/*
 * test_envelope: every function of the envelope library (envelope.h) and
 * every way envelope_decode refuses untrusted bytes, each with the exact
 * reason code a relay would put in its Nack: size, structure (truncation,
 * wire types, unknown and repeated fields, oneofs, enum and integer ranges,
 * strings), memory budget, the header rules and every payload field rule of
 * payload_check.c. Signing is checked against an independent computation of
 * the signed bytes, and a flip of any single byte of a sealed envelope of
 * any kind must make decoding or verification fail.
 *
 * Run with RET_WRITE_CORPUS=<dir> to also write one sealed envelope of each
 * kind (its body, and the frames that carry it) as fuzz seeds into
 * <dir>/envelope, <dir>/body, <dir>/client_frame and <dir>/relay_frame.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "frame.h"
#include "msgid.h"
#include "payload_check.h"
#include "wire_arena.h"
#include "wire_error.h"
#include "wire_scan.h"

/* protobuf-c's structs take char *; our literals are const. */
#define S(x) ((char *)(uintptr_t)(x))
#define NOW_MS 1780000000000ULL /* 2026-05-28 */
#define CASE_REF "nl:0123456789abcdef0123456789abcdef"
#define N_KINDS 6

/* ------------------------------------------------------------------ */
/* Fixture: keys and one valid body of a chosen kind                  */

struct fixture {
	uint8_t pk[ENVELOPE_PK_LEN], sk[ENVELOPE_SK_LEN];
	uint8_t pk2[ENVELOPE_PK_LEN], sk2[ENVELOPE_SK_LEN];
	uint8_t kid[ENVELOPE_KEY_ID_LEN];
	uint8_t id[MSGID_LEN], ref_id[MSGID_LEN];
	Retfed__V1__Body b;
	Retfed__V1__Escalation esc;
	Retfed__V1__ProcesversnellerRequest pv;
	Retfed__V1__Decision dec;
	Retfed__V1__LearningSummary sum;
	Retfed__V1__Cell cells[8];
	Retfed__V1__Cell *outcome[2];
	Retfed__V1__Cell many_cells[80];
	Retfed__V1__Cell *many[80];
	char *lessons[80];
	Retfed__V1__PeerReviewRequest prr;
	Retfed__V1__PeerReview pr;
	Retfed__V1__ProblemArea areas[16];
	Retfed__V1__SupportKind support[8];
};

static struct fixture fx;

/* Buffers for long texts; each slot holds one string at a time. */
static char long_text[4][5200];

static char *
text_of(int slot, size_t n, char c)
{
	memset(long_text[slot], c, n);
	long_text[slot][n] = '\0';
	return long_text[slot];
}

static int
group_setup(void **state)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (sodium_init() < 0)
		return -1;
	memset(seed, 0x42, sizeof(seed));
	crypto_sign_seed_keypair(fx.pk, fx.sk, seed);
	memset(seed, 0x17, sizeof(seed));
	crypto_sign_seed_keypair(fx.pk2, fx.sk2, seed);
	envelope_key_id(fx.pk, fx.kid);
	return 0;
}

static void
fx_cell(Retfed__V1__Cell *c, const char *key, uint32_t count, int suppressed)
{
	retfed__v1__cell__init(c);
	c->key = S(key);
	c->count = count;
	c->suppressed = suppressed;
}

/* Reset fx.b to a valid body of `kind` that envelope_decode accepts. */
static void
fx_body(Retfed__V1__Kind kind)
{
	const char *sender = kind == RETFED__V1__KIND__KIND_DECISION
				     ? "desk:bel-roermond"
				     : "region:noord-limburg";

	retfed__v1__body__init(&fx.b);
	envelope_body_prepare(&fx.b, kind, sender, fx.kid, 7, NOW_MS, fx.id);
	msgid_generate(fx.ref_id, NOW_MS - 5000);

	retfed__v1__escalation__init(&fx.esc);
	fx.esc.case_ref = S(CASE_REF);
	fx.esc.age_band = RETFED__V1__AGE_BAND__AGE_12_15;
	fx.areas[0] = RETFED__V1__PROBLEM_AREA__PROBLEM_GEDRAG;
	fx.areas[1] = RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN;
	fx.esc.problem_areas = fx.areas;
	fx.esc.n_problem_areas = 2;
	fx.esc.why_stuck = S("Geen passende plek binnen de regio.");
	fx.esc.what_was_tried = S("Drie aanbieders benaderd, wachtlijst.");
	fx.support[0] = RETFED__V1__SUPPORT_KIND__SUPPORT_EXPERTISE;
	fx.support[1] = RETFED__V1__SUPPORT_KIND__SUPPORT_PLACEMENT;
	fx.esc.support_asked = fx.support;
	fx.esc.n_support_asked = 2;
	fx.esc.urgency = RETFED__V1__URGENCY__URGENCY_HIGH;

	retfed__v1__procesversneller_request__init(&fx.pv);
	fx.pv.case_ref = S(CASE_REF);
	fx.pv.stagnation_reason = S("Partijen wachten op elkaar.");
	fx.pv.expected_weeks = 6;

	retfed__v1__decision__init(&fx.dec);
	fx.dec.case_ref = S(CASE_REF);
	fx.dec.request_id.data = fx.ref_id;
	fx.dec.request_id.len = MSGID_LEN;
	fx.dec.status = RETFED__V1__DECISION_STATUS__DECISION_GRANTED;
	fx.dec.assignment_kind =
		RETFED__V1__ASSIGNMENT_KIND__ASSIGNMENT_PROCESVERSNELLER;
	fx.dec.assigned = S("procesversneller team zuid");

	retfed__v1__learning_summary__init(&fx.sum);
	fx.sum.period = S("2026-Q3");
	fx.sum.threshold = 5;
	fx_cell(&fx.cells[0], "total", 41, 0);
	fx_cell(&fx.cells[1], "total", 30, 0);
	fx_cell(&fx.cells[2], "total", 0, 1);
	fx_cell(&fx.cells[3], "total", 9, 0);
	fx_cell(&fx.cells[4], "placed", 12, 0);
	fx_cell(&fx.cells[5], "advice_only", 0, 1);
	fx.sum.registrations = &fx.cells[0];
	fx.sum.discussed = &fx.cells[1];
	fx.sum.cancelled = &fx.cells[2];
	fx.sum.referred = &fx.cells[3];
	fx.outcome[0] = &fx.cells[4];
	fx.outcome[1] = &fx.cells[5];
	fx.sum.by_outcome = fx.outcome;
	fx.sum.n_by_outcome = 2;
	fx.lessons[0] = S("Vroeg de woningcorporatie betrekken.");
	fx.sum.lessons = fx.lessons;
	fx.sum.n_lessons = 1;

	retfed__v1__peer_review_request__init(&fx.prr);
	fx.prr.approach = S("Gezinsaanpak met een vaste regisseur.");
	fx.prr.question = S("Wat missen wij?");
	fx.prr.age_band = RETFED__V1__AGE_BAND__AGE_8_11;

	retfed__v1__peer_review__init(&fx.pr);
	fx.pr.request_id.data = fx.ref_id;
	fx.pr.request_id.len = MSGID_LEN;
	fx.pr.review = S("Heldere aanpak; betrek school eerder.");

	switch (kind) {
	case RETFED__V1__KIND__KIND_ESCALATION:
		fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
		fx.b.escalation = &fx.esc;
		break;
	case RETFED__V1__KIND__KIND_PROCESVERSNELLER:
		fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
		fx.b.procesversneller = &fx.pv;
		break;
	case RETFED__V1__KIND__KIND_DECISION:
		fx.b.recipient = S("region:noord-limburg");
		fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
		fx.b.decision = &fx.dec;
		break;
	case RETFED__V1__KIND__KIND_LEARNING_SUMMARY:
		fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
		fx.b.learning_summary = &fx.sum;
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST:
		fx.b.recipient = S("region:westfriesland");
		fx.b.payload_case =
			RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
		fx.b.peer_review_request = &fx.prr;
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW:
		fx.b.recipient = S("region:westfriesland");
		fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW;
		fx.b.peer_review = &fx.pr;
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Encoding helpers                                                   */

static uint8_t *
pack_msg(const ProtobufCMessage *m, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	assert_int_equal(protobuf_c_message_pack(m, p), n);
	*len = n;
	return p;
}

/* The signature over body computed here, independently of envelope.c. */
static void
sign_body(const uint8_t *body, size_t blen, const uint8_t *sk, uint8_t *sig)
{
	uint8_t *m = malloc(ENVELOPE_SIG_PREFIX_LEN + 1 + blen);

	assert_non_null(m);
	memcpy(m, "RETFED-ENVELOPE\0", 16);
	m[16] = 1;
	memcpy(m + 17, body, blen);
	crypto_sign_detached(sig, NULL, m, 17 + blen, sk);
	free(m);
}

/*
 * An Envelope around body bytes. sig_len 64 gives a real signature by fx.sk;
 * other lengths give that many zero bytes.
 */
static uint8_t *
wrap(const uint8_t *body, size_t blen, size_t sig_len, size_t *len)
{
	Retfed__V1__Envelope e;
	uint8_t sig[128];

	memset(sig, 0, sizeof(sig));
	if (sig_len == ENVELOPE_SIG_LEN)
		sign_body(body, blen, fx.sk, sig);
	retfed__v1__envelope__init(&e);
	e.body.data = (uint8_t *)(uintptr_t)body;
	e.body.len = blen;
	e.signature.data = sig;
	e.signature.len = sig_len;
	return pack_msg(&e.base, len);
}

static enum wire_reason
decode_bytes(const uint8_t *buf, size_t len, struct wire_error *err)
{
	struct envelope *env = NULL;
	enum wire_reason rc;

	wire_error_clear(err);
	rc = envelope_decode(buf, len, &env, err);
	if (rc == WIRE_OK) {
		assert_non_null(env);
		envelope_destroy(&env);
		assert_null(env);
	} else {
		assert_null(env);
		assert_int_equal(err->reason, rc);
		assert_true(strlen(err->detail) > 0);
	}
	return rc;
}

static enum wire_reason
decode_body(const uint8_t *body, size_t blen, struct wire_error *err)
{
	size_t len;
	uint8_t *env = wrap(body, blen, ENVELOPE_SIG_LEN, &len);
	enum wire_reason rc = decode_bytes(env, len, err);

	free(env);
	return rc;
}

/*
 * Decode fx.b (packed, wrapped, signed) and check the reason, and that the
 * detail names `needle` when given. `what` labels a failure.
 */
static void
expect_rc(const char *what, enum wire_reason rc, const struct wire_error *err,
	  enum wire_reason want, const char *needle)
{
	if (rc != want || (needle != NULL && strstr(err->detail, needle) ==
						     NULL))
		print_error("%s: want %s (%s), got %s: %s\n", what,
			    wire_reason_name(want), needle ? needle : "",
			    wire_reason_name(rc), err->detail);
	assert_int_equal(rc, want);
	if (needle != NULL)
		assert_non_null(strstr(err->detail, needle));
}

static void
expect_fx(const char *what, enum wire_reason want, const char *needle)
{
	struct wire_error err;
	size_t blen;
	uint8_t *body = pack_msg(&fx.b.base, &blen);

	expect_rc(what, decode_body(body, blen, &err), &err, want, needle);
	free(body);
}

/* A growable protobuf writer for hand-made bytes. */
struct pbw {
	uint8_t *b;
	size_t n, cap;
};

static void
pbw_init(struct pbw *w)
{
	w->cap = 200000;
	w->n = 0;
	w->b = malloc(w->cap);
	assert_non_null(w->b);
}

static void
pbw_free(struct pbw *w)
{
	free(w->b);
	w->b = NULL;
}

static void
pb_raw(struct pbw *w, const void *p, size_t n)
{
	assert_true(w->n + n <= w->cap);
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
pb_varint(struct pbw *w, uint64_t v)
{
	uint8_t c;

	do {
		c = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		pb_raw(w, &c, 1);
	} while (v);
}

static void
pb_key(struct pbw *w, unsigned field, unsigned wt)
{
	pb_varint(w, ((uint64_t)field << 3) | wt);
}

static void
pb_uint(struct pbw *w, unsigned field, uint64_t v)
{
	pb_key(w, field, 0);
	pb_varint(w, v);
}

static void
pb_bytes(struct pbw *w, unsigned field, const void *p, size_t n)
{
	pb_key(w, field, 2);
	pb_varint(w, n);
	pb_raw(w, p, n);
}

static void
pb_str(struct pbw *w, unsigned field, const char *s)
{
	pb_bytes(w, field, s, strlen(s));
}

/* fx.b without its payload, packed into w (payload fields are 10..15). */
static void
pb_header(struct pbw *w)
{
	Retfed__V1__Body__PayloadCase pc = fx.b.payload_case;
	size_t n;
	uint8_t *p;

	fx.b.payload_case = RETFED__V1__BODY__PAYLOAD__NOT_SET;
	p = pack_msg(&fx.b.base, &n);
	fx.b.payload_case = pc;
	pb_raw(w, p, n);
	free(p);
}

/* Append the packed message m to w (for building on a valid message). */
static void
pb_msg(struct pbw *w, const ProtobufCMessage *m)
{
	size_t n;
	uint8_t *p = pack_msg(m, &n);

	pb_raw(w, p, n);
	free(p);
}

static void
expect_raw_body(const char *what, const struct pbw *w, enum wire_reason want,
		const char *needle)
{
	struct wire_error err;

	expect_rc(what, decode_body(w->b, w->n, &err), &err, want, needle);
}

/*
 * A body of fx.b's header whose payload field `field` holds the packed
 * payload `m` followed by the hand-made bytes `extra`.
 */
static void
expect_payload_plus(const char *what, unsigned field,
		    const ProtobufCMessage *m, const struct pbw *extra,
		    enum wire_reason want, const char *needle)
{
	struct pbw body, inner;

	pbw_init(&body);
	pbw_init(&inner);
	pb_msg(&inner, m);
	if (extra != NULL)
		pb_raw(&inner, extra->b, extra->n);
	pb_header(&body);
	pb_bytes(&body, field, inner.b, inner.n);
	expect_raw_body(what, &body, want, needle);
	pbw_free(&inner);
	pbw_free(&body);
}

static uint8_t *
seal_fx(size_t *len)
{
	struct wire_error err;
	uint8_t *buf = NULL;
	enum wire_reason rc = envelope_seal(&fx.b, fx.sk, &buf, len, &err);

	if (rc != WIRE_OK)
		print_error("seal: %s\n", err.detail);
	assert_int_equal(rc, WIRE_OK);
	assert_non_null(buf);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Small functions                                                    */

static void
test_kind_names(void **state)
{
	assert_string_equal(envelope_kind_name(1), "escalation");
	assert_string_equal(envelope_kind_name(2), "procesversneller");
	assert_string_equal(envelope_kind_name(3), "decision");
	assert_string_equal(envelope_kind_name(4), "learning_summary");
	assert_string_equal(envelope_kind_name(5), "peer_review_request");
	assert_string_equal(envelope_kind_name(6), "peer_review");
	assert_string_equal(envelope_kind_name(0), "unknown");
	assert_string_equal(envelope_kind_name(7), "unknown");
	assert_string_equal(envelope_kind_name(-1), "unknown");
	assert_string_equal(envelope_kind_name(1 << 30), "unknown");
}

static void
test_key_id(void **state)
{
	uint8_t h[32], a[ENVELOPE_KEY_ID_LEN], b[ENVELOPE_KEY_ID_LEN];

	crypto_generichash(h, sizeof(h), fx.pk, sizeof(fx.pk), NULL, 0);
	envelope_key_id(fx.pk, a);
	assert_memory_equal(a, h, ENVELOPE_KEY_ID_LEN);
	envelope_key_id(fx.pk2, b);
	assert_memory_not_equal(a, b, ENVELOPE_KEY_ID_LEN);
}

static void
test_body_prepare(void **state)
{
	Retfed__V1__Body b;
	uint8_t id[MSGID_LEN];

	retfed__v1__body__init(&b);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_ESCALATION,
			      "region:noord-limburg", fx.kid, 42, NOW_MS, id);
	assert_int_equal(b.version, ENVELOPE_PROTOCOL_VERSION);
	assert_int_equal(b.kind, RETFED__V1__KIND__KIND_ESCALATION);
	assert_string_equal(b.sender, "region:noord-limburg");
	assert_int_equal(b.key_id.len, ENVELOPE_KEY_ID_LEN);
	assert_memory_equal(b.key_id.data, fx.kid, ENVELOPE_KEY_ID_LEN);
	assert_int_equal(b.seq, 42);
	assert_ptr_equal(b.message_id.data, id);
	assert_int_equal(b.message_id.len, MSGID_LEN);
	assert_int_equal(b.created_ms, NOW_MS);
	assert_int_equal(msgid_time_ms(id), NOW_MS);
	assert_string_equal(b.recipient, "");
	assert_int_equal(b.payload_case, RETFED__V1__BODY__PAYLOAD__NOT_SET);
}

static void
test_destroy_null(void **state)
{
	struct envelope *env = NULL;

	envelope_destroy(NULL);
	envelope_destroy(&env);
	envelope_destroy(&env);
	assert_null(env);
}

static void
test_wire_error(void **state)
{
	struct wire_error err;
	char long_fmt[400];
	int i, j;

	assert_int_equal(wire_fail(NULL, WIRE_MALFORMED, "x"), WIRE_MALFORMED);
	wire_error_clear(NULL);
	assert_int_equal(wire_fail(&err, WIRE_REPLAY, "seq %d", 3),
			 WIRE_REPLAY);
	assert_int_equal(err.reason, WIRE_REPLAY);
	assert_string_equal(err.detail, "seq 3");
	wire_error_clear(&err);
	assert_int_equal(err.reason, WIRE_OK);
	assert_string_equal(err.detail, "");
	/* A long detail is cut, never overflows. */
	memset(long_fmt, 'd', sizeof(long_fmt) - 1);
	long_fmt[sizeof(long_fmt) - 1] = '\0';
	wire_fail(&err, WIRE_MALFORMED, "%s", long_fmt);
	assert_int_equal(strlen(err.detail), WIRE_DETAIL_MAX - 1);

	assert_string_equal(wire_reason_name(WIRE_OK), "ok");
	assert_string_equal(wire_reason_name(WIRE_BAD_SIGNATURE),
			    "bad_signature");
	assert_string_equal(wire_reason_name(WIRE_BAD_TIME), "bad_time");
	assert_string_equal(wire_reason_name(-1), "unknown");
	assert_string_equal(wire_reason_name(WIRE_REASON_MAX + 1), "unknown");
	for (i = 0; i <= WIRE_REASON_MAX; i++) {
		assert_non_null(wire_reason_name(i));
		assert_string_not_equal(wire_reason_name(i), "unknown");
		for (j = 0; j < i; j++)
			assert_string_not_equal(wire_reason_name(i),
						wire_reason_name(j));
		/* The wire enum has the same numbers. */
		assert_non_null(protobuf_c_enum_descriptor_get_value(
			&retfed__v1__reason__descriptor, i));
	}
	assert_true(wire_reason_is_transient(WIRE_STORE_FAILED));
	assert_true(wire_reason_is_transient(WIRE_SEQ_GAP));
	assert_false(wire_reason_is_transient(WIRE_BAD_SIGNATURE));
	assert_false(wire_reason_is_transient(WIRE_OK));
}

/* ------------------------------------------------------------------ */
/* Round trips                                                        */

static void
check_round_trip(Retfed__V1__Kind kind)
{
	struct envelope *env = NULL;
	struct wire_error err;
	size_t len;
	uint8_t *buf;
	const Retfed__V1__Body *b;

	fx_body(kind);
	buf = seal_fx(&len);
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk, &err), WIRE_OK);
	b = env->body;
	assert_int_equal(b->version, 1);
	assert_int_equal(b->kind, kind);
	assert_string_equal(b->sender, fx.b.sender);
	assert_string_equal(b->recipient, fx.b.recipient);
	assert_int_equal(b->seq, 7);
	assert_int_equal(b->created_ms, NOW_MS);
	assert_memory_equal(b->message_id.data, fx.id, MSGID_LEN);
	assert_memory_equal(b->key_id.data, fx.kid, ENVELOPE_KEY_ID_LEN);
	assert_int_equal(b->payload_case, fx.b.payload_case);
	/* The signed body travels unchanged. */
	assert_int_equal(env->outer->signature.len, ENVELOPE_SIG_LEN);
	switch (kind) {
	case RETFED__V1__KIND__KIND_ESCALATION:
		assert_string_equal(b->escalation->case_ref, CASE_REF);
		assert_int_equal(b->escalation->n_problem_areas, 2);
		assert_int_equal(b->escalation->problem_areas[1],
				 RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN);
		assert_string_equal(b->escalation->why_stuck,
				    fx.esc.why_stuck);
		assert_int_equal(b->escalation->n_support_asked, 2);
		assert_int_equal(b->escalation->urgency,
				 RETFED__V1__URGENCY__URGENCY_HIGH);
		break;
	case RETFED__V1__KIND__KIND_PROCESVERSNELLER:
		assert_int_equal(b->procesversneller->expected_weeks, 6);
		assert_string_equal(b->procesversneller->stagnation_reason,
				    fx.pv.stagnation_reason);
		break;
	case RETFED__V1__KIND__KIND_DECISION:
		assert_int_equal(b->decision->status,
				 RETFED__V1__DECISION_STATUS__DECISION_GRANTED);
		assert_string_equal(b->decision->assigned, fx.dec.assigned);
		assert_memory_equal(b->decision->request_id.data, fx.ref_id,
				    MSGID_LEN);
		break;
	case RETFED__V1__KIND__KIND_LEARNING_SUMMARY:
		assert_string_equal(b->learning_summary->period, "2026-Q3");
		assert_int_equal(b->learning_summary->registrations->count,
				 41);
		assert_true(b->learning_summary->cancelled->suppressed);
		assert_int_equal(b->learning_summary->n_by_outcome, 2);
		assert_string_equal(b->learning_summary->by_outcome[1]->key,
				    "advice_only");
		assert_string_equal(b->learning_summary->lessons[0],
				    fx.lessons[0]);
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST:
		assert_string_equal(b->peer_review_request->question,
				    "Wat missen wij?");
		break;
	case RETFED__V1__KIND__KIND_PEER_REVIEW:
		assert_string_equal(b->peer_review->review, fx.pr.review);
		break;
	default:
		fail();
	}
	envelope_destroy(&env);
	free(buf);
}

static void
test_round_trip_every_kind(void **state)
{
	int k;

	for (k = 1; k <= N_KINDS; k++)
		check_round_trip((Retfed__V1__Kind)k);
}

/* The envelope signs prefix || 0x01 || body, exactly as docs say. */
static void
test_seal_signs_documented_bytes(void **state)
{
	struct envelope *env = NULL;
	struct wire_error err;
	uint8_t sig[ENVELOPE_SIG_LEN];
	size_t len;
	uint8_t *buf;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	buf = seal_fx(&len);
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	sign_body(env->outer->body.data, env->outer->body.len, fx.sk, sig);
	/* Ed25519 is deterministic: the same key and bytes, the same sig. */
	assert_memory_equal(sig, env->outer->signature.data, sizeof(sig));
	envelope_destroy(&env);
	free(buf);
}

/* A body larger than the stack buffer of the signer (2 KiB). */
static void
test_large_body_round_trip(void **state)
{
	struct envelope *env = NULL;
	struct wire_error err;
	size_t len;
	uint8_t *buf;

	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	fx.prr.approach = text_of(0, TEXT_MAX_APPROACH, 'a');
	fx.prr.question = text_of(1, TEXT_MAX_QUESTION, 'q');
	buf = seal_fx(&len);
	assert_true(len > 5000);
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk, &err), WIRE_OK);
	assert_int_equal(strlen(env->body->peer_review_request->approach),
			 TEXT_MAX_APPROACH);
	envelope_destroy(&env);
	free(buf);
}

static void
test_seal_refuses_invalid_body(void **state)
{
	struct wire_error err;
	uint8_t *buf = NULL;
	size_t len = 12345;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.case_ref = S("");
	assert_int_equal(envelope_seal(&fx.b, fx.sk, &buf, &len, &err),
			 WIRE_MISSING_FIELD);
	assert_null(buf);
	assert_int_equal(len, 12345);
	assert_non_null(strstr(err.detail, "case_ref"));

	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.b.recipient = S("");
	assert_int_equal(envelope_seal(&fx.b, fx.sk, &buf, &len, &err),
			 WIRE_MISSING_FIELD);
	assert_null(buf);

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.why_stuck = S("bad \xc0\xaf utf-8");
	assert_int_equal(envelope_seal(&fx.b, fx.sk, &buf, &len, &err),
			 WIRE_BAD_STRING);
	assert_null(buf);
}

static void
test_seal_refuses_too_large_body(void **state)
{
	struct wire_error err;
	uint8_t *buf = NULL;
	size_t len = 0;
	int i;

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	for (i = 0; i < 16; i++)
		fx.lessons[i] = text_of(0, 4000, 'l');
	fx.sum.n_lessons = 16;
	assert_int_equal(envelope_seal(&fx.b, fx.sk, &buf, &len, &err),
			 WIRE_TOO_LARGE);
	assert_null(buf);
}

/* ------------------------------------------------------------------ */
/* Verification                                                       */

static void
test_verify_wrong_key(void **state)
{
	struct envelope *env = NULL;
	struct wire_error err;
	size_t len;
	uint8_t *buf;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	buf = seal_fx(&len);
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk2, &err), WIRE_UNKNOWN_KEY);
	assert_int_equal(err.reason, WIRE_UNKNOWN_KEY);
	envelope_destroy(&env);
	free(buf);

	/* The right key id, but signed by another key. */
	buf = NULL;
	assert_int_equal(envelope_seal(&fx.b, fx.sk2, &buf, &len, &err),
			 WIRE_OK);
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk, &err),
			 WIRE_BAD_SIGNATURE);
	envelope_destroy(&env);
	free(buf);
}

static void
test_verify_flipped_signature_and_body(void **state)
{
	struct envelope *env = NULL;
	struct wire_error err;
	size_t len, i, at;
	uint8_t *buf;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	buf = seal_fx(&len);
	/* The signature is the last 64 bytes of the packed envelope. */
	buf[len - 1] ^= 0x01;
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk, &err),
			 WIRE_BAD_SIGNATURE);
	envelope_destroy(&env);
	buf[len - 1] ^= 0x01;

	/* One letter of a free text changes: still decodes, never verifies. */
	for (at = 0; at + 4 <= len; at++)
		if (memcmp(buf + at, "Geen", 4) == 0)
			break;
	assert_true(at + 4 <= len);
	buf[at] = 'H';
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_string_equal(env->body->escalation->why_stuck,
			    "Heen passende plek binnen de regio.");
	assert_int_equal(envelope_verify(env, fx.pk, &err),
			 WIRE_BAD_SIGNATURE);
	envelope_destroy(&env);
	buf[at] = 'G';

	/* The whole message id is covered. */
	for (i = 0; i + MSGID_LEN <= len; i++)
		if (memcmp(buf + i, fx.id, MSGID_LEN) == 0)
			break;
	assert_true(i + MSGID_LEN <= len);
	buf[i + 15] ^= 0x80;
	assert_int_equal(envelope_decode(buf, len, &env, &err), WIRE_OK);
	assert_int_equal(envelope_verify(env, fx.pk, &err),
			 WIRE_BAD_SIGNATURE);
	envelope_destroy(&env);
	free(buf);
}

/* Flipping any single bit of any byte of any kind never passes both. */
static void
test_every_byte_flip_fails(void **state)
{
	struct envelope *env = NULL;
	struct wire_error err;
	unsigned passed = 0, tried = 0;
	size_t len, i;
	uint8_t *buf;
	int k, bit;

	for (k = 1; k <= N_KINDS; k++) {
		fx_body((Retfed__V1__Kind)k);
		buf = seal_fx(&len);
		for (i = 0; i < len; i++) {
			for (bit = 0; bit < 8; bit += 7) {
				buf[i] ^= (uint8_t)(1u << bit);
				tried++;
				if (envelope_decode(buf, len, &env, &err) ==
				    WIRE_OK) {
					assert_int_not_equal(
						envelope_verify(env, fx.pk,
								&err),
						WIRE_OK);
					passed++;
					envelope_destroy(&env);
				}
				buf[i] ^= (uint8_t)(1u << bit);
			}
		}
		free(buf);
	}
	/* Many flips decode fine and are caught by the signature alone. */
	assert_true(passed > 100);
	assert_true(tried > passed);
}

/* ------------------------------------------------------------------ */
/* Size and structure                                                 */

static void
test_too_large_before_parsing(void **state)
{
	struct wire_error err;
	uint8_t *junk = malloc(ENVELOPE_MAX + 1);
	struct pbw w;

	assert_non_null(junk);
	/* Garbage that would be malformed: size is refused first. */
	memset(junk, 0xff, ENVELOPE_MAX + 1);
	expect_rc("envelope over ENVELOPE_MAX",
		  decode_bytes(junk, ENVELOPE_MAX + 1, &err), &err,
		  WIRE_TOO_LARGE, "exceeds");
	expect_rc("envelope at ENVELOPE_MAX of junk",
		  decode_bytes(junk, ENVELOPE_MAX, &err), &err, WIRE_MALFORMED,
		  NULL);
	free(junk);

	/* A body over ENVELOPE_BODY_MAX in an envelope under ENVELOPE_MAX. */
	pbw_init(&w);
	memset(w.b, 0xff, ENVELOPE_BODY_MAX + 1);
	w.n = ENVELOPE_BODY_MAX + 1;
	expect_raw_body("body over ENVELOPE_BODY_MAX", &w, WIRE_TOO_LARGE,
			"Body");
	pbw_free(&w);
}

static void
test_empty_and_missing(void **state)
{
	struct wire_error err;
	uint8_t sig[ENVELOPE_SIG_LEN] = {0};
	struct pbw w;
	size_t blen, len;
	uint8_t *body, *env;

	expect_rc("empty input", decode_bytes(NULL, 0, &err), &err,
		  WIRE_MISSING_FIELD, "body");
	/* Only a signature. */
	pbw_init(&w);
	pb_bytes(&w, 2, sig, sizeof(sig));
	expect_rc("no body", decode_bytes(w.b, w.n, &err), &err,
		  WIRE_MISSING_FIELD, "body");
	pbw_free(&w);

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	body = pack_msg(&fx.b.base, &blen);
	env = wrap(body, blen, 0, &len);
	expect_rc("no signature", decode_bytes(env, len, &err), &err,
		  WIRE_MISSING_FIELD, "signature");
	free(env);
	env = wrap(body, blen, 63, &len);
	expect_rc("short signature", decode_bytes(env, len, &err), &err,
		  WIRE_OUT_OF_RANGE, "signature");
	free(env);
	env = wrap(body, blen, 65, &len);
	expect_rc("long signature", decode_bytes(env, len, &err), &err,
		  WIRE_OUT_OF_RANGE, "signature");
	free(env);
	free(body);
}

static void
test_truncated(void **state)
{
	struct wire_error err;
	size_t len, cut;
	uint8_t *buf, *body;
	size_t blen;

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	buf = seal_fx(&len);
	/* Every proper prefix of the envelope is refused. */
	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		assert_non_null(copy);
		memcpy(copy, buf, cut);
		assert_int_not_equal(decode_bytes(copy, cut, &err), WIRE_OK);
		free(copy);
	}
	expect_rc("envelope cut by one", decode_bytes(buf, len - 1, &err),
		  &err, WIRE_MALFORMED, "truncated");
	free(buf);

	/* A body cut by one byte inside a well-formed envelope. */
	body = pack_msg(&fx.b.base, &blen);
	expect_rc("body cut by one", decode_body(body, blen - 1, &err), &err,
		  WIRE_MALFORMED, "truncated");
	free(body);
	/* A body that ends inside a field tag (a varint's high bit set). */
	{
		struct pbw w;

		pbw_init(&w);
		pb_header(&w);
		pb_raw(&w, "\x80", 1);
		expect_raw_body("tag cut", &w, WIRE_MALFORMED,
				"Body: truncated field tag");
		w.n = 0;
		fx.b.key_id.len = 0;
		pb_header(&w);
		pb_key(&w, 4, 2);
		pb_varint(&w, 8);
		pb_raw(&w, "1234567", 7);
		expect_raw_body("key_id cut", &w, WIRE_MALFORMED,
				"Body.key_id: truncated");
		pbw_free(&w);
	}
}

static void
test_wrong_wire_types(void **state)
{
	struct wire_error err;
	uint8_t sig[ENVELOPE_SIG_LEN] = {0};
	struct pbw w;
	unsigned wt;

	/* Envelope.body as a varint. */
	pbw_init(&w);
	pb_uint(&w, 1, 5);
	pb_bytes(&w, 2, sig, sizeof(sig));
	expect_rc("Envelope.body varint", decode_bytes(w.b, w.n, &err), &err,
		  WIRE_MALFORMED, "Envelope.body has wire type 0");
	pbw_free(&w);

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	/* Body.version as a string. */
	pbw_init(&w);
	pb_bytes(&w, 1, "\x01", 1);
	expect_raw_body("Body.version bytes", &w, WIRE_MALFORMED,
			"Body.version has wire type 2");
	/* Body.sender as fixed32 and fixed64, and the group types. */
	for (wt = 1; wt <= 7; wt++) {
		if (wt == 2)
			continue;
		w.n = 0;
		pb_key(&w, 3, wt);
		pb_raw(&w, "\0\0\0\0\0\0\0\0", 8);
		expect_raw_body("Body.sender wrong wire type", &w,
				WIRE_MALFORMED, "Body.sender has wire type");
	}
	pbw_free(&w);

	/* A nested one: Cell.count as a string inside a summary. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	{
		struct pbw extra, cell;

		pbw_init(&extra);
		pbw_init(&cell);
		pb_str(&cell, 1, "x");
		pb_bytes(&cell, 2, "7", 1);
		pb_bytes(&extra, 7, cell.b, cell.n);
		expect_payload_plus("Cell.count bytes", 13, &fx.sum.base,
				    &extra, WIRE_MALFORMED,
				    "Cell.count has wire type 2");
		pbw_free(&cell);
		pbw_free(&extra);
	}
}

static void
test_unknown_fields(void **state)
{
	struct wire_error err;
	uint8_t sig[ENVELOPE_SIG_LEN] = {0};
	struct pbw w, extra, cell;
	size_t blen;
	uint8_t *body;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	body = pack_msg(&fx.b.base, &blen);
	/* Top level: Envelope field 3. */
	pbw_init(&w);
	pb_bytes(&w, 1, body, blen);
	pb_bytes(&w, 2, sig, sizeof(sig));
	pb_uint(&w, 3, 1);
	expect_rc("Envelope field 3", decode_bytes(w.b, w.n, &err), &err,
		  WIRE_UNKNOWN_FIELD, "Envelope has unknown field number 3");
	/* Body field 9 (the gap before the payloads) and field 16. */
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_uint(&w, 9, 1);
	expect_raw_body("Body field 9", &w, WIRE_UNKNOWN_FIELD,
			"Body has unknown field number 9");
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_bytes(&w, 16, "x", 1);
	expect_raw_body("Body field 16", &w, WIRE_UNKNOWN_FIELD,
			"unknown field number 16");
	/* A huge field number. */
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_uint(&w, 0x1fffffff, 1);
	expect_raw_body("Body field 2^29-1", &w, WIRE_UNKNOWN_FIELD, NULL);
	/* Field number 0 and above 2^29-1 are not field numbers at all. */
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_uint(&w, 0, 1);
	expect_raw_body("Body field 0", &w, WIRE_MALFORMED,
			"invalid field number");
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_varint(&w, (uint64_t)0x20000000 << 3);
	pb_varint(&w, 1);
	expect_raw_body("Body field 2^29", &w, WIRE_MALFORMED,
			"invalid field number");
	pbw_free(&w);
	free(body);

	/* Nested: Escalation field 10, and Cell field 4 two levels down. */
	pbw_init(&extra);
	pb_uint(&extra, 10, 1);
	expect_payload_plus("Escalation field 10", 10, &fx.esc.base, &extra,
			    WIRE_UNKNOWN_FIELD,
			    "Escalation has unknown field number 10");
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	extra.n = 0;
	pbw_init(&cell);
	pb_str(&cell, 1, "x");
	pb_uint(&cell, 4, 1);
	pb_bytes(&extra, 7, cell.b, cell.n);
	expect_payload_plus("Cell field 4", 13, &fx.sum.base, &extra,
			    WIRE_UNKNOWN_FIELD,
			    "Cell has unknown field number 4");
	pbw_free(&cell);
	pbw_free(&extra);
}

static void
test_singular_twice_and_oneof(void **state)
{
	struct pbw w, extra, cell;
	struct wire_error err;
	uint8_t sig[ENVELOPE_SIG_LEN] = {0};
	size_t blen;
	uint8_t *body;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	body = pack_msg(&fx.b.base, &blen);
	pbw_init(&w);
	/* Envelope.body twice: protobuf would keep the last one. */
	pb_bytes(&w, 1, body, blen);
	pb_bytes(&w, 1, body, blen);
	pb_bytes(&w, 2, sig, sizeof(sig));
	expect_rc("Envelope.body twice", decode_bytes(w.b, w.n, &err), &err,
		  WIRE_MALFORMED, "Envelope.body appears more than once");
	/* Body.version twice, even with the same value. */
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_uint(&w, 1, 1);
	expect_raw_body("Body.version twice", &w, WIRE_MALFORMED,
			"Body.version appears more than once");
	/* Body.sender twice: the second would silently win. */
	w.n = 0;
	pb_raw(&w, body, blen);
	pb_str(&w, 3, "region:westfriesland");
	expect_raw_body("Body.sender twice", &w, WIRE_MALFORMED,
			"Body.sender appears more than once");
	free(body);

	/* The escalation payload twice: protobuf would merge them. */
	pbw_init(&extra);
	w.n = 0;
	pb_header(&w);
	{
		size_t pn;
		uint8_t *p = pack_msg(&fx.esc.base, &pn);

		pb_bytes(&w, 10, p, pn);
		pb_bytes(&w, 10, p, pn);
		expect_raw_body("Body.escalation twice", &w, WIRE_MALFORMED,
				"Body.escalation appears more than once");
		/* Two members of the payload oneof. */
		w.n = 0;
		pb_header(&w);
		pb_bytes(&w, 10, p, pn);
		pb_bytes(&w, 11, "", 0);
		expect_raw_body("two oneof members", &w, WIRE_MALFORMED,
				"two members of one oneof");
		free(p);
	}
	/* A nested singular twice: Escalation.why_stuck. */
	pb_str(&extra, 4, "tweede keer");
	expect_payload_plus("why_stuck twice", 10, &fx.esc.base, &extra,
			    WIRE_MALFORMED,
			    "Escalation.why_stuck appears more than once");
	/* A nested message twice: LearningSummary.registrations. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	extra.n = 0;
	pbw_init(&cell);
	pb_str(&cell, 1, "total");
	pb_bytes(&extra, 3, cell.b, cell.n);
	expect_payload_plus("registrations twice", 13, &fx.sum.base, &extra,
			    WIRE_MALFORMED,
			    "LearningSummary.registrations appears more");
	pbw_free(&cell);
	pbw_free(&extra);
	pbw_free(&w);
}

static void
test_enum_and_integer_ranges(void **state)
{
	struct pbw w, extra, cell;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	pbw_init(&extra);
	/* An age band the schema does not know. */
	fx.esc.age_band = 0; /* left out of the packed payload */
	pb_uint(&extra, 2, 12);
	expect_payload_plus("age_band 12", 10, &fx.esc.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "Escalation.age_band has unknown value 12");
	/* A negative enum value: ten bytes, sign-extended. */
	extra.n = 0;
	pb_uint(&extra, 2, (uint64_t)(int64_t)-1);
	expect_payload_plus("age_band -1", 10, &fx.esc.base, &extra,
			    WIRE_OUT_OF_RANGE, "unknown value -1");
	/* A value that only fits in 64 bits. */
	extra.n = 0;
	pb_uint(&extra, 2, (uint64_t)1 << 32 | 4);
	expect_payload_plus("age_band 2^32+4", 10, &fx.esc.base, &extra,
			    WIRE_OUT_OF_RANGE, "unknown value");
	fx.esc.age_band = RETFED__V1__AGE_BAND__AGE_12_15;
	/* An unknown problem area, packed and unpacked. */
	extra.n = 0;
	pb_bytes(&extra, 3, "\x01\x0d", 2);
	expect_payload_plus("packed area 13", 10, &fx.esc.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "Escalation.problem_areas has unknown value 13");
	extra.n = 0;
	pb_uint(&extra, 3, 99);
	expect_payload_plus("area 99", 10, &fx.esc.base, &extra,
			    WIRE_OUT_OF_RANGE, "unknown value 99");
	/* A truncated packed varint. */
	extra.n = 0;
	pb_bytes(&extra, 3, "\x01\x81", 2);
	expect_payload_plus("packed truncated", 10, &fx.esc.base, &extra,
			    WIRE_MALFORMED, "truncated packed varint");
	/* A varint longer than 64 bits. */
	extra.n = 0;
	pb_key(&extra, 7, 0);
	pb_raw(&extra, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
	fx.esc.urgency = 0;
	expect_payload_plus("varint over 64 bits", 10, &fx.esc.base, &extra,
			    WIRE_MALFORMED, "truncated varint");
	fx.esc.urgency = RETFED__V1__URGENCY__URGENCY_HIGH;
	pbw_free(&extra);

	/* Body.kind unknown (7) and Body.version over 32 bits, which
	 * protobuf-c would silently cut to 1. */
	pbw_init(&w);
	fx.b.kind = 0;
	pb_header(&w);
	pb_uint(&w, 2, 7);
	expect_raw_body("kind 7", &w, WIRE_UNKNOWN_KIND, "kind");
	fx.b.kind = RETFED__V1__KIND__KIND_ESCALATION;
	w.n = 0;
	fx.b.version = 0;
	pb_header(&w);
	pb_uint(&w, 1, ((uint64_t)1 << 32) | 1);
	expect_raw_body("version 2^32+1", &w, WIRE_OUT_OF_RANGE,
			"Body.version does not fit in 32 bits");
	fx.b.version = 1;
	pbw_free(&w);

	/* uint32 overflow and a bad bool in a nested Cell. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	pbw_init(&extra);
	pbw_init(&cell);
	pb_str(&cell, 1, "x");
	pb_uint(&cell, 2, (uint64_t)UINT32_MAX + 1);
	pb_bytes(&extra, 7, cell.b, cell.n);
	expect_payload_plus("Cell.count 2^32", 13, &fx.sum.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "Cell.count does not fit in 32 bits");
	extra.n = cell.n = 0;
	pb_str(&cell, 1, "x");
	pb_uint(&cell, 3, 2);
	pb_bytes(&extra, 7, cell.b, cell.n);
	expect_payload_plus("Cell.suppressed 2", 13, &fx.sum.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "Cell.suppressed is not a boolean");
	/* UINT32_MAX itself is in range for the scan; the rule catches it. */
	extra.n = cell.n = 0;
	pb_str(&cell, 1, "x");
	pb_uint(&cell, 2, UINT32_MAX);
	pb_bytes(&extra, 7, cell.b, cell.n);
	expect_payload_plus("Cell.count UINT32_MAX", 13, &fx.sum.base, &extra,
			    WIRE_OUT_OF_RANGE, "implausible");
	pbw_free(&cell);
	pbw_free(&extra);

	/* Body.kind through payload_check alone: a kind we have no rule for. */
	{
		struct wire_error err;

		fx_body(RETFED__V1__KIND__KIND_ESCALATION);
		fx.b.kind = (Retfed__V1__Kind)99;
		assert_int_equal(payload_check_body(&fx.b, &err),
				 WIRE_UNKNOWN_KIND);
	}
}

static void
test_bad_strings(void **state)
{
	static const struct {
		const char *what;
		const char *bytes;
		size_t len;
	} bad[] = {
		{"overlong 2-byte /", "ab\xc0\xaf", 4},
		{"overlong 2-byte C1", "\xc1\xbf", 2},
		{"overlong 3-byte", "\xe0\x80\xaf", 3},
		{"overlong 4-byte", "\xf0\x80\x80\xaf", 4},
		{"surrogate D800", "\xed\xa0\x80", 3},
		{"surrogate DFFF", "\xed\xbf\xbf", 3},
		{"above U+10FFFF", "\xf4\x90\x80\x80", 4},
		{"F5 lead byte", "\xf5\x80\x80\x80", 4},
		{"truncated 2-byte", "x\xc3", 2},
		{"truncated 3-byte", "\xe2\x82", 2},
		{"truncated 4-byte", "\xf0\x9f\x98", 3},
		{"lone continuation", "\x80", 1},
		{"bad continuation", "\xc3\x28", 2},
		{"FF byte", "\xff", 1},
		{"embedded NUL", "region:a\0b", 10},
		{"trailing NUL", "abc\0", 4},
	};
	struct pbw w, extra;
	size_t i;

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	pbw_init(&w);
	pbw_init(&extra);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* Top level: Body.sender. */
		w.n = 0;
		fx.b.sender = S("");
		pb_header(&w);
		pb_bytes(&w, 3, bad[i].bytes, bad[i].len);
		expect_raw_body(bad[i].what, &w, WIRE_BAD_STRING,
				"Body.sender is not valid UTF-8");
		/* Nested: Escalation.why_stuck. */
		extra.n = 0;
		fx.b.sender = S("region:noord-limburg");
		fx.esc.why_stuck = S("");
		pb_bytes(&extra, 4, bad[i].bytes, bad[i].len);
		expect_payload_plus(bad[i].what, 10, &fx.esc.base, &extra,
				    WIRE_BAD_STRING, "Escalation.why_stuck");
		fx.esc.why_stuck = S("ok");
	}
	/* Valid multi-byte text is fine: é, €, U+10FFFF, emoji. */
	fx.esc.why_stuck = S("caf\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf "
			     "\xf0\x9f\x98\x80");
	expect_fx("valid UTF-8", WIRE_OK, NULL);
	pbw_free(&extra);
	pbw_free(&w);
}

static void
test_string_limits(void **state)
{
	struct pbw extra;

	/* WIRE_MAX_STRING bytes pass the scan; one more does not. */
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	fx.prr.approach = text_of(0, WIRE_MAX_STRING, 'a');
	expect_fx("approach 4000", WIRE_OK, NULL);
	fx.prr.approach = text_of(0, WIRE_MAX_STRING + 1, 'a');
	expect_fx("approach 4001", WIRE_OUT_OF_RANGE,
		  "PeerReviewRequest.approach is longer than 4000 bytes");
	/* The scan limit holds for every string, also a nested one. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	pbw_init(&extra);
	{
		struct pbw cell;

		pbw_init(&cell);
		pb_str(&cell, 1, text_of(1, 5000, 'k'));
		pb_bytes(&extra, 7, cell.b, cell.n);
		expect_payload_plus("Cell.key 5000", 13, &fx.sum.base, &extra,
				    WIRE_OUT_OF_RANGE,
				    "Cell.key is longer than 4000");
		pbw_free(&cell);
	}
	pbw_free(&extra);
}

/*
 * Repeated fields: more than WIRE_MAX_REPEATED elements are refused by the
 * scan before unpack allocates anything (packed, unpacked, messages and
 * strings alike).
 */
static void
test_repeated_limit(void **state)
{
	struct pbw extra;
	uint8_t packed[WIRE_MAX_REPEATED + 1];
	int i;

	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	pbw_init(&extra);
	for (i = 0; i <= WIRE_MAX_REPEATED; i++)
		packed[i] = 1;
	pb_bytes(&extra, 4, packed, WIRE_MAX_REPEATED + 1);
	expect_payload_plus("65 packed areas", 14, &fx.prr.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "PeerReviewRequest.problem_areas has more than 64");
	extra.n = 0;
	for (i = 0; i <= WIRE_MAX_REPEATED; i++)
		pb_uint(&extra, 4, 1);
	expect_payload_plus("65 unpacked areas", 14, &fx.prr.base, &extra,
			    WIRE_OUT_OF_RANGE, "has more than 64 elements");
	/* Packed and unpacked elements count together. */
	extra.n = 0;
	pb_bytes(&extra, 4, packed, 40);
	for (i = 0; i < 25; i++)
		pb_uint(&extra, 4, 1);
	expect_payload_plus("40 packed + 25 unpacked", 14, &fx.prr.base,
			    &extra, WIRE_OUT_OF_RANGE, "more than 64");

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	extra.n = 0;
	for (i = 0; i <= WIRE_MAX_REPEATED; i++)
		pb_str(&extra, 14, "les");
	expect_payload_plus("65 lessons", 13, &fx.sum.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "LearningSummary.lessons has more than 64");
	extra.n = 0;
	for (i = 0; i <= WIRE_MAX_REPEATED; i++)
		pb_bytes(&extra, 9, "", 0);
	expect_payload_plus("65 cells", 13, &fx.sum.base, &extra,
			    WIRE_OUT_OF_RANGE,
			    "LearningSummary.by_question_type has more than");
	pbw_free(&extra);
}

/*
 * The arena budget (4 bytes per input byte plus 8 KiB): empty messages
 * cost two bytes on the wire but a whole struct in memory, so 4 x 64 empty
 * cells, each within every count limit of the scan, exhaust it.
 */
static void
test_memory_budget(void **state)
{
	struct pbw extra;
	int i, f;

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.n_by_outcome = 0;
	fx.sum.n_lessons = 0;
	pbw_init(&extra);
	for (f = 8; f <= 11; f++)
		for (i = 0; i < WIRE_MAX_REPEATED; i++)
			pb_bytes(&extra, (unsigned)f, "", 0);
	for (i = 0; i < WIRE_MAX_REPEATED; i++)
		pb_bytes(&extra, 14, "", 0);
	expect_payload_plus("4 x 64 empty cells", 13, &fx.sum.base, &extra,
			    WIRE_OVER_BUDGET, "needs more memory");
	pbw_free(&extra);

	/* The most cells and lessons a valid summary may have, each as small
	 * as it can be, still fit the budget: no valid input is refused. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	{
		static char keys[16][4];
		Retfed__V1__Cell one;
		size_t k;

		fx_cell(&one, "a", 0, 0);
		for (k = 0; k < 16; k++) {
			snprintf(keys[k], sizeof(keys[k]), "%c",
				 (int)('a' + k));
			fx_cell(&fx.many_cells[k], keys[k], 0, 0);
			fx.many[k] = &fx.many_cells[k];
		}
		fx.sum.registrations = fx.sum.discussed = &one;
		fx.sum.cancelled = fx.sum.referred = &one;
		fx.sum.consultations = fx.sum.median_days_to_overleg = &one;
		fx.sum.median_days_to_close = &one;
		fx.sum.by_registrant = fx.sum.by_question_type = fx.many;
		fx.sum.by_outcome = fx.sum.bottleneck_themes = fx.many;
		fx.sum.n_by_registrant = fx.sum.n_by_question_type = 16;
		fx.sum.n_by_outcome = fx.sum.n_bottleneck_themes = 16;
		for (k = 0; k < SUMMARY_MAX_LESSONS; k++)
			fx.lessons[k] = S("l");
		fx.sum.n_lessons = SUMMARY_MAX_LESSONS;
		expect_fx("fullest valid summary", WIRE_OK, NULL);
	}
}

/*
 * The classic protobuf-c stack overflow: a message nested in itself some
 * 12 000 times (42 KB). Our schema has no recursive type, so through an
 * envelope the scan meets a field the inner type does not have after three
 * levels (Body.learning_summary -> LearningSummary.median_days_to_close ->
 * Cell, which has no field 13) and stops there. The depth limit itself is proved
 * with a self-referring descriptor in test_wire_scan.c.
 */
static void
test_deep_nesting_refused(void **state)
{
	struct wire_error err;
	const size_t cap = 100000;
	uint8_t *buf = malloc(cap);
	size_t n = 0;
	unsigned i;

	assert_non_null(buf);
	/* Build from the inside out at the end of buf. */
	for (i = 0; i < 12000; i++) {
		uint8_t hdr[8];
		size_t h = 0, len = n;

		hdr[h++] = 0x6a; /* field 13, wire type 2 */
		do {
			hdr[h] = (uint8_t)(len & 0x7f);
			len >>= 7;
			if (len)
				hdr[h] |= 0x80;
			h++;
		} while (len);
		assert_true(n + h <= cap);
		memcpy(buf + cap - n - h, hdr, h);
		n += h;
	}
	assert_true(n > 34000);
	expect_rc("self-nested 12000 deep", decode_body(buf + cap - n, n, &err),
		  &err, WIRE_UNKNOWN_FIELD, "Cell has unknown field number 13");
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Header rules                                                       */

static void
test_header_rules(void **state)
{
	uint8_t kid7[7] = {0}, kid9[9] = {0}, id15[15] = {0};
	uint8_t id_min[MSGID_LEN], id_max[MSGID_LEN];

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	expect_fx("valid", WIRE_OK, NULL);

	fx.b.version = 2;
	expect_fx("version 2", WIRE_BAD_VERSION, "Body.version is 2");
	fx.b.version = 0;
	expect_fx("version 0", WIRE_BAD_VERSION, "Body.version is 0");
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.kind = 0;
	expect_fx("kind unset", WIRE_MISSING_FIELD, "Body.kind is missing");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.sender = S("");
	expect_fx("sender empty", WIRE_MISSING_FIELD, "Body.sender");
	fx.b.sender = S("noord-limburg");
	expect_fx("sender no role", WIRE_OUT_OF_RANGE, "not a party id");
	fx.b.sender = S("region:Noord");
	expect_fx("sender capital", WIRE_OUT_OF_RANGE, "not a party id");
	fx.b.sender = S("county:noord");
	expect_fx("sender unknown role", WIRE_OUT_OF_RANGE, "not a party id");
	fx.b.sender = S("region:");
	expect_fx("sender no slug", WIRE_OUT_OF_RANGE, "not a party id");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.key_id.len = 0;
	expect_fx("key id missing", WIRE_MISSING_FIELD, "Body.key_id");
	fx.b.key_id.data = kid7;
	fx.b.key_id.len = sizeof(kid7);
	expect_fx("key id 7", WIRE_OUT_OF_RANGE, "Body.key_id must be 8");
	fx.b.key_id.data = kid9;
	fx.b.key_id.len = sizeof(kid9);
	expect_fx("key id 9", WIRE_OUT_OF_RANGE, "Body.key_id must be 8");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.seq = 0;
	expect_fx("seq 0", WIRE_MISSING_FIELD, "Body.seq");
	fx.b.seq = (uint64_t)1 << 62;
	expect_fx("seq 2^62", WIRE_OK, NULL);
	fx.b.seq = ((uint64_t)1 << 62) + 1;
	expect_fx("seq 2^62+1", WIRE_OUT_OF_RANGE, "Body.seq is too large");
	fx.b.seq = UINT64_MAX;
	expect_fx("seq max", WIRE_OUT_OF_RANGE, "Body.seq is too large");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.message_id.len = 0;
	expect_fx("message id missing", WIRE_MISSING_FIELD,
		  "Body.message_id is missing");
	fx.b.message_id.data = id15;
	fx.b.message_id.len = sizeof(id15);
	expect_fx("message id 15", WIRE_OUT_OF_RANGE,
		  "Body.message_id must be 16");

	/* Creation time: 2020-01-01 .. 2099-12-31, and the id's time. */
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.created_ms = 0;
	expect_fx("created 0", WIRE_BAD_TIME, "created_ms");
	msgid_generate(id_min, PAYLOAD_MIN_TIME_MS - 1);
	fx.b.message_id.data = id_min;
	fx.b.created_ms = PAYLOAD_MIN_TIME_MS - 1;
	expect_fx("created 2019", WIRE_BAD_TIME, "outside 2020..2099");
	msgid_generate(id_min, PAYLOAD_MIN_TIME_MS);
	fx.b.created_ms = PAYLOAD_MIN_TIME_MS;
	expect_fx("created 2020-01-01", WIRE_OK, NULL);
	msgid_generate(id_max, PAYLOAD_MAX_TIME_MS - 1);
	fx.b.message_id.data = id_max;
	fx.b.created_ms = PAYLOAD_MAX_TIME_MS - 1;
	expect_fx("created 2099-12-31", WIRE_OK, NULL);
	msgid_generate(id_max, PAYLOAD_MAX_TIME_MS);
	fx.b.created_ms = PAYLOAD_MAX_TIME_MS;
	expect_fx("created 2100", WIRE_BAD_TIME, "outside 2020..2099");
	fx.b.created_ms = UINT64_MAX;
	expect_fx("created max", WIRE_BAD_TIME, "outside");
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.created_ms = NOW_MS + 1;
	expect_fx("created != id time", WIRE_BAD_TIME,
		  "message_id time differs");
	fx.b.created_ms = NOW_MS - 1;
	expect_fx("created < id time", WIRE_BAD_TIME, "differs");
}

static void
test_kind_and_payload(void **state)
{
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.b.payload_case = RETFED__V1__BODY__PAYLOAD__NOT_SET;
	expect_fx("no payload", WIRE_MISSING_FIELD,
		  "payload does not match kind escalation");
	fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
	fx.b.procesversneller = &fx.pv;
	expect_fx("escalation with pv payload", WIRE_OUT_OF_RANGE,
		  "payload does not match");
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW);
	fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
	fx.b.peer_review_request = &fx.prr;
	expect_fx("peer_review with request payload", WIRE_OUT_OF_RANGE,
		  "kind peer_review");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.b.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
	fx.b.escalation = &fx.esc;
	expect_fx("decision with escalation", WIRE_OUT_OF_RANGE,
		  "kind decision");
	/* An empty payload message of the right kind is still a payload. */
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW);
	retfed__v1__peer_review__init(&fx.pr);
	expect_fx("empty peer review", WIRE_MISSING_FIELD,
		  "PeerReview.request_id");
}

static void
test_recipient_rules(void **state)
{
	static const Retfed__V1__Kind none[] = {
		RETFED__V1__KIND__KIND_ESCALATION,
		RETFED__V1__KIND__KIND_PROCESVERSNELLER,
		RETFED__V1__KIND__KIND_LEARNING_SUMMARY,
	};
	static const Retfed__V1__Kind one[] = {
		RETFED__V1__KIND__KIND_DECISION,
		RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST,
		RETFED__V1__KIND__KIND_PEER_REVIEW,
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		fx_body(none[i]);
		fx.b.recipient = S("region:westfriesland");
		expect_fx("recipient on broadcast", WIRE_OUT_OF_RANGE,
			  "Body.recipient must be empty");
		fx.b.recipient = S("desk:bel-roermond");
		expect_fx("desk recipient on broadcast", WIRE_OUT_OF_RANGE,
			  "must be empty");
	}
	for (i = 0; i < 3; i++) {
		fx_body(one[i]);
		fx.b.recipient = S("");
		expect_fx("no recipient", WIRE_MISSING_FIELD,
			  "Body.recipient is missing");
		fx.b.recipient = S("desk:bel-roermond");
		expect_fx("desk recipient", WIRE_OUT_OF_RANGE,
			  "must be a region");
		fx.b.recipient = S("relay:ben-zuid");
		expect_fx("relay recipient", WIRE_OUT_OF_RANGE,
			  "must be a region");
		fx.b.recipient = S("region:");
		expect_fx("malformed recipient", WIRE_OUT_OF_RANGE,
			  "must be a region");
		fx.b.recipient = S("westfriesland");
		expect_fx("no role recipient", WIRE_OUT_OF_RANGE,
			  "must be a region");
	}
}

/* ------------------------------------------------------------------ */
/* Payload rules                                                      */

static void
test_case_ref_rules(void **state)
{
	static const char *const bad[] = {
		"0123456789abcdef0123456789abcdef",      /* no label */
		":0123456789abcdef0123456789abcdef",     /* empty label */
		"abcdefghi:0123456789abcdef0123456789abcdef", /* label of 9 */
		"NL:0123456789abcdef0123456789abcdef",   /* capital label */
		"n-l:0123456789abcdef0123456789abcdef",  /* dash in label */
		"nl:0123456789abcdef0123456789abcde",    /* 31 hex */
		"nl:0123456789abcdef0123456789abcdef0",  /* 33 hex */
		"nl:0123456789ABCDEF0123456789abcdef",   /* upper-case hex */
		"nl:0123456789abcdeg0123456789abcdef",   /* not hex */
		"nl:0123456789abcdef:123456789abcdef",   /* second colon */
	};
	size_t i;

	assert_true(payload_case_ref_valid(CASE_REF));
	assert_true(payload_case_ref_valid(
		"abcdefgh:00000000000000000000000000000000"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (payload_case_ref_valid(bad[i]))
			print_error("accepted %s\n", bad[i]);
		assert_false(payload_case_ref_valid(bad[i]));
	}
	/* Through each payload that carries one. */
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.case_ref = S("");
	expect_fx("esc case_ref empty", WIRE_MISSING_FIELD,
		  "Escalation.case_ref is missing");
	fx.esc.case_ref = S(bad[5]);
	expect_fx("esc case_ref bad", WIRE_OUT_OF_RANGE,
		  "Escalation.case_ref is not a case reference");
	fx_body(RETFED__V1__KIND__KIND_PROCESVERSNELLER);
	fx.pv.case_ref = S("");
	expect_fx("pv case_ref empty", WIRE_MISSING_FIELD,
		  "ProcesversnellerRequest.case_ref is missing");
	fx.pv.case_ref = S(bad[7]);
	expect_fx("pv case_ref bad", WIRE_OUT_OF_RANGE,
		  "ProcesversnellerRequest.case_ref is not");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.case_ref = S("");
	expect_fx("dec case_ref empty", WIRE_MISSING_FIELD,
		  "Decision.case_ref is missing");
	fx.dec.case_ref = S(bad[0]);
	expect_fx("dec case_ref bad", WIRE_OUT_OF_RANGE,
		  "Decision.case_ref is not");
}

static void
test_escalation_rules(void **state)
{
	uint8_t id15[15] = {0};

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.age_band = 0;
	expect_fx("age_band", WIRE_MISSING_FIELD, "Escalation.age_band");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.n_problem_areas = 0;
	expect_fx("no areas", WIRE_MISSING_FIELD,
		  "Escalation.problem_areas needs at least 1");
	fx.areas[1] = fx.areas[0];
	fx.esc.n_problem_areas = 2;
	expect_fx("area twice", WIRE_OUT_OF_RANGE,
		  "Escalation.problem_areas repeats a value");
	fx.areas[1] = 0;
	expect_fx("area unset", WIRE_OUT_OF_RANGE,
		  "Escalation.problem_areas contains an unset value");
	{
		int i;

		for (i = 0; i < 13; i++)
			fx.areas[i] = (Retfed__V1__ProblemArea)(i % 12 + 1);
		fx.esc.n_problem_areas = 12;
		expect_fx("all 12 areas", WIRE_OK, NULL);
		fx.esc.n_problem_areas = 13;
		expect_fx("13 areas", WIRE_OUT_OF_RANGE,
			  "Escalation.problem_areas has more than 12");
	}

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.why_stuck = S("");
	expect_fx("why_stuck empty", WIRE_MISSING_FIELD,
		  "Escalation.why_stuck is missing");
	fx.esc.why_stuck = text_of(0, TEXT_MAX_REASON, 'w');
	expect_fx("why_stuck 2000", WIRE_OK, NULL);
	fx.esc.why_stuck = text_of(0, TEXT_MAX_REASON + 1, 'w');
	expect_fx("why_stuck 2001", WIRE_OUT_OF_RANGE,
		  "Escalation.why_stuck is 2001 bytes");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.what_was_tried = S("");
	expect_fx("what_was_tried empty", WIRE_MISSING_FIELD,
		  "Escalation.what_was_tried is missing");
	fx.esc.what_was_tried = text_of(0, TEXT_MAX_REASON + 1, 't');
	expect_fx("what_was_tried 2001", WIRE_OUT_OF_RANGE,
		  "Escalation.what_was_tried is 2001");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.n_support_asked = 0;
	expect_fx("no support", WIRE_MISSING_FIELD,
		  "Escalation.support_asked needs at least 1");
	fx.support[1] = fx.support[0];
	fx.esc.n_support_asked = 2;
	expect_fx("support twice", WIRE_OUT_OF_RANGE,
		  "Escalation.support_asked repeats a value");
	fx.support[0] = 0;
	expect_fx("support unset", WIRE_OUT_OF_RANGE,
		  "support_asked contains an unset value");
	{
		int i;

		for (i = 0; i < 6; i++)
			fx.support[i] = (Retfed__V1__SupportKind)(i % 5 + 1);
		fx.esc.n_support_asked = 5;
		expect_fx("all 5 support kinds", WIRE_OK, NULL);
		fx.esc.n_support_asked = 6;
		expect_fx("6 support kinds", WIRE_OUT_OF_RANGE,
			  "Escalation.support_asked has more than 5");
	}

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.urgency = 0;
	expect_fx("urgency", WIRE_MISSING_FIELD, "Escalation.urgency");

	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.thread_id.data = id15;
	fx.esc.thread_id.len = sizeof(id15);
	expect_fx("thread_id 15", WIRE_OUT_OF_RANGE,
		  "Escalation.thread_id must be 16");
	fx.esc.thread_id.data = fx.ref_id;
	fx.esc.thread_id.len = MSGID_LEN;
	expect_fx("thread_id 16", WIRE_OK, NULL);
	fx.esc.answer = S("De school is al betrokken.");
	expect_fx("answer with thread", WIRE_OK, NULL);
	fx.esc.answer = text_of(0, TEXT_MAX_REASON + 1, 'a');
	expect_fx("answer 2001", WIRE_OUT_OF_RANGE,
		  "Escalation.answer is 2001");
	fx.esc.thread_id.len = 0;
	fx.esc.answer = S("Antwoord zonder draad.");
	expect_fx("answer without thread", WIRE_MISSING_FIELD,
		  "Escalation.answer needs a thread_id");
}

static void
test_procesversneller_rules(void **state)
{
	fx_body(RETFED__V1__KIND__KIND_PROCESVERSNELLER);
	fx.pv.stagnation_reason = S("");
	expect_fx("stagnation empty", WIRE_MISSING_FIELD,
		  "ProcesversnellerRequest.stagnation_reason is missing");
	fx.pv.stagnation_reason = text_of(0, TEXT_MAX_REASON + 1, 's');
	expect_fx("stagnation 2001", WIRE_OUT_OF_RANGE,
		  "stagnation_reason is 2001");
	fx_body(RETFED__V1__KIND__KIND_PROCESVERSNELLER);
	fx.pv.expected_weeks = 0;
	expect_fx("weeks 0", WIRE_MISSING_FIELD, "expected_weeks is missing");
	fx.pv.expected_weeks = 1;
	expect_fx("weeks 1", WIRE_OK, NULL);
	fx.pv.expected_weeks = 52;
	expect_fx("weeks 52", WIRE_OK, NULL);
	fx.pv.expected_weeks = 53;
	expect_fx("weeks 53", WIRE_OUT_OF_RANGE, "expected_weeks is over 52");
	fx.pv.expected_weeks = UINT32_MAX;
	expect_fx("weeks max", WIRE_OUT_OF_RANGE, "over 52");
	/* Optional enums may be given. */
	fx.pv.expected_weeks = 4;
	fx.pv.age_band = RETFED__V1__AGE_BAND__AGE_80_PLUS;
	fx.pv.urgency = RETFED__V1__URGENCY__URGENCY_CRISIS;
	expect_fx("optional enums", WIRE_OK, NULL);
}

static void
test_decision_rules(void **state)
{
	uint8_t id15[15] = {0};

	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.request_id.len = 0;
	expect_fx("request_id missing", WIRE_MISSING_FIELD,
		  "Decision.request_id is missing");
	fx.dec.request_id.data = id15;
	fx.dec.request_id.len = sizeof(id15);
	expect_fx("request_id 15", WIRE_OUT_OF_RANGE,
		  "Decision.request_id must be 16");

	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.assigned = text_of(0, TEXT_MAX_ASSIGNED, 'p');
	expect_fx("assigned 200", WIRE_OK, NULL);
	fx.dec.assigned = text_of(0, TEXT_MAX_ASSIGNED + 1, 'p');
	expect_fx("assigned 201", WIRE_OUT_OF_RANGE,
		  "Decision.assigned is 201");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.reason = text_of(0, TEXT_MAX_REASON + 1, 'r');
	expect_fx("reason 2001", WIRE_OUT_OF_RANGE, "Decision.reason is 2001");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.question = text_of(0, TEXT_MAX_REASON + 1, 'q');
	expect_fx("question 2001", WIRE_OUT_OF_RANGE,
		  "Decision.question is 2001");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.note = text_of(0, TEXT_MAX_REASON, 'n');
	expect_fx("note 2000", WIRE_OK, NULL);
	fx.dec.note = text_of(0, TEXT_MAX_REASON + 1, 'n');
	expect_fx("note 2001", WIRE_OUT_OF_RANGE, "Decision.note is 2001");

	/* Status rules. */
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.status = 0;
	expect_fx("status unset", WIRE_MISSING_FIELD, "Decision.status");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.assignment_kind = 0;
	expect_fx("grant without kind", WIRE_MISSING_FIELD,
		  "assignment_kind is missing for a grant");
	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.assigned = S("");
	expect_fx("grant without assigned", WIRE_MISSING_FIELD,
		  "Decision.assigned is missing for a grant");

	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.status = RETFED__V1__DECISION_STATUS__DECISION_DECLINED;
	fx.dec.assignment_kind = 0;
	fx.dec.assigned = S("");
	expect_fx("decline without reason", WIRE_MISSING_FIELD,
		  "Decision.reason is missing for a refusal");
	fx.dec.reason = S("Past niet binnen de regeling.");
	expect_fx("decline with reason", WIRE_OK, NULL);
	fx.dec.assignment_kind = RETFED__V1__ASSIGNMENT_KIND__ASSIGNMENT_MONEY;
	expect_fx("decline with assignment kind", WIRE_OUT_OF_RANGE,
		  "Decision.assigned is only for a grant");
	fx.dec.assignment_kind = 0;
	fx.dec.assigned = S("iemand");
	expect_fx("decline with assigned", WIRE_OUT_OF_RANGE,
		  "only for a grant");

	fx_body(RETFED__V1__KIND__KIND_DECISION);
	fx.dec.status = RETFED__V1__DECISION_STATUS__DECISION_MORE_INFO_NEEDED;
	fx.dec.assignment_kind = 0;
	fx.dec.assigned = S("");
	expect_fx("more info without question", WIRE_MISSING_FIELD,
		  "Decision.question is missing");
	fx.dec.question = S("Is de school betrokken?");
	expect_fx("more info with question", WIRE_OK, NULL);

	{
		static const Retfed__V1__DecisionStatus plain[] = {
			RETFED__V1__DECISION_STATUS__DECISION_RECEIVED,
			RETFED__V1__DECISION_STATUS__DECISION_IN_PROGRESS,
			RETFED__V1__DECISION_STATUS__DECISION_CLOSED,
		};
		size_t i;

		for (i = 0; i < 3; i++) {
			fx_body(RETFED__V1__KIND__KIND_DECISION);
			fx.dec.status = plain[i];
			expect_fx("plain status with assignment",
				  WIRE_OUT_OF_RANGE, "only for a grant");
			fx.dec.assignment_kind = 0;
			fx.dec.assigned = S("");
			expect_fx("plain status", WIRE_OK, NULL);
			fx.dec.note = S("Opgepakt door het BEN.");
			expect_fx("plain status with note", WIRE_OK, NULL);
		}
	}
}

static void
test_summary_rules(void **state)
{
	static const char *const bad_periods[] = {
		"26", "202", "1999", "2100", "2026-Q0", "2026-Q5", "2026-q3",
		"2026-00", "2026-13", "2026-7", "2026/07", "2026-07-01",
		"2026 ", "20x6", "2026-1a",
	};
	static const char *const good_periods[] = {
		"2000", "2099", "2026", "2026-Q1", "2026-Q4", "2026-01",
		"2026-12",
	};
	size_t i;
	int k;

	for (i = 0; i < sizeof(bad_periods) / sizeof(bad_periods[0]); i++) {
		if (payload_period_valid(bad_periods[i]))
			print_error("accepted period %s\n", bad_periods[i]);
		assert_false(payload_period_valid(bad_periods[i]));
	}
	for (i = 0; i < sizeof(good_periods) / sizeof(good_periods[0]); i++)
		assert_true(payload_period_valid(good_periods[i]));

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.period = S("");
	expect_fx("period empty", WIRE_MISSING_FIELD,
		  "LearningSummary.period is missing");
	fx.sum.period = S("2026-Q5");
	expect_fx("period bad", WIRE_OUT_OF_RANGE,
		  "LearningSummary.period is not");

	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.threshold = 2;
	expect_fx("threshold 2", WIRE_OUT_OF_RANGE, "threshold must be 3..100");
	fx.sum.threshold = 3;
	expect_fx("threshold 3", WIRE_OK, NULL);
	fx.sum.threshold = 100;
	expect_fx("threshold 100", WIRE_OK, NULL);
	fx.sum.threshold = 101;
	expect_fx("threshold 101", WIRE_OUT_OF_RANGE, "threshold");
	fx.sum.threshold = 0;
	expect_fx("threshold 0", WIRE_OUT_OF_RANGE, "threshold");

	/* The four required cells. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.registrations = NULL;
	expect_fx("registrations", WIRE_MISSING_FIELD,
		  "LearningSummary.registrations is missing");
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.discussed = NULL;
	expect_fx("discussed", WIRE_MISSING_FIELD, "discussed is missing");
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.cancelled = NULL;
	expect_fx("cancelled", WIRE_MISSING_FIELD, "cancelled is missing");
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.referred = NULL;
	expect_fx("referred", WIRE_MISSING_FIELD, "referred is missing");
	/* The optional ones, given and valid. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx_cell(&fx.cells[6], "total", 17, 0);
	fx_cell(&fx.cells[7], "days", 0, 1);
	fx.sum.consultations = &fx.cells[6];
	fx.sum.median_days_to_overleg = &fx.cells[7];
	fx.sum.median_days_to_close = &fx.cells[6];
	expect_fx("optional cells", WIRE_OK, NULL);

	/* Cell rules, on each single cell field in turn. */
	for (k = 0; k < 8; k++) {
		Retfed__V1__Cell **slot[8];
		static const char *const names[8] = {
			"registrations", "discussed", "cancelled", "referred",
			"consultations", "median_days_to_overleg",
			"median_days_to_close", "by_outcome",
		};
		char what[80];

		fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
		slot[0] = &fx.sum.registrations;
		slot[1] = &fx.sum.discussed;
		slot[2] = &fx.sum.cancelled;
		slot[3] = &fx.sum.referred;
		slot[4] = &fx.sum.consultations;
		slot[5] = &fx.sum.median_days_to_overleg;
		slot[6] = &fx.sum.median_days_to_close;
		slot[7] = &fx.outcome[0];
		*slot[k] = &fx.cells[7];
		snprintf(what, sizeof(what), "cell %s", names[k]);

		fx_cell(&fx.cells[7], "", 1, 0);
		expect_fx(what, WIRE_OUT_OF_RANGE, names[k]);
		fx_cell(&fx.cells[7], "Total", 1, 0);
		expect_fx(what, WIRE_OUT_OF_RANGE, "has an invalid key");
		fx_cell(&fx.cells[7], "to tal", 1, 0);
		expect_fx(what, WIRE_OUT_OF_RANGE, "has an invalid key");
		fx_cell(&fx.cells[7], "a_b+c-d09", 1, 0);
		expect_fx(what, WIRE_OK, NULL);
		fx_cell(&fx.cells[7], text_of(2, 40, 'k'), 1, 0);
		expect_fx(what, WIRE_OK, NULL);
		fx_cell(&fx.cells[7], text_of(2, 41, 'k'), 1, 0);
		expect_fx(what, WIRE_OUT_OF_RANGE, "has an invalid key");
		fx_cell(&fx.cells[7], "total", 2, 1);
		expect_fx(what, WIRE_OUT_OF_RANGE,
			  "is suppressed but has a count");
		fx_cell(&fx.cells[7], "total", 1000000, 0);
		expect_fx(what, WIRE_OK, NULL);
		fx_cell(&fx.cells[7], "total", 1000001, 0);
		expect_fx(what, WIRE_OUT_OF_RANGE, "count is implausible");
	}

	/* Repeated cells: at most 16 per field, keys unique. */
	for (k = 0; k < 4; k++) {
		static const char *const names[4] = {
			"by_registrant", "by_question_type", "by_outcome",
			"bottleneck_themes",
		};
		static char keys[17][8];
		Retfed__V1__Cell ***arr[4];
		size_t *cnt[4];

		fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
		arr[0] = &fx.sum.by_registrant;
		arr[1] = &fx.sum.by_question_type;
		arr[2] = &fx.sum.by_outcome;
		arr[3] = &fx.sum.bottleneck_themes;
		cnt[0] = &fx.sum.n_by_registrant;
		cnt[1] = &fx.sum.n_by_question_type;
		cnt[2] = &fx.sum.n_by_outcome;
		cnt[3] = &fx.sum.n_bottleneck_themes;
		for (i = 0; i < 17; i++) {
			snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
			fx_cell(&fx.many_cells[i], keys[i], (uint32_t)i, 0);
			fx.many[i] = &fx.many_cells[i];
		}
		*arr[k] = fx.many;
		*cnt[k] = SUMMARY_MAX_CELLS;
		expect_fx(names[k], WIRE_OK, NULL);
		*cnt[k] = SUMMARY_MAX_CELLS + 1;
		expect_fx(names[k], WIRE_OUT_OF_RANGE,
			  "has more than 16 cells");
		*cnt[k] = 3;
		fx_cell(&fx.many_cells[2], "k0", 1, 0);
		expect_fx(names[k], WIRE_OUT_OF_RANGE, "repeats key k0");
		fx_cell(&fx.many_cells[2], "K2", 1, 0);
		expect_fx(names[k], WIRE_OUT_OF_RANGE, "invalid key");
	}

	/* Lessons: 0..10, each 1..500 bytes. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.n_lessons = 0;
	expect_fx("no lessons", WIRE_OK, NULL);
	for (i = 0; i < 11; i++)
		fx.lessons[i] = S("Een les.");
	fx.sum.n_lessons = SUMMARY_MAX_LESSONS;
	expect_fx("10 lessons", WIRE_OK, NULL);
	fx.sum.n_lessons = SUMMARY_MAX_LESSONS + 1;
	expect_fx("11 lessons", WIRE_OUT_OF_RANGE,
		  "LearningSummary.lessons has more than 10");
	fx.sum.n_lessons = 2;
	fx.lessons[1] = S("");
	expect_fx("empty lesson", WIRE_MISSING_FIELD,
		  "LearningSummary.lessons is missing");
	fx.lessons[1] = text_of(0, TEXT_MAX_LESSON, 'l');
	expect_fx("lesson 500", WIRE_OK, NULL);
	fx.lessons[1] = text_of(0, TEXT_MAX_LESSON + 1, 'l');
	expect_fx("lesson 501", WIRE_OUT_OF_RANGE,
		  "LearningSummary.lessons is 501");
}

static void
test_peer_review_rules(void **state)
{
	uint8_t id17[17] = {0};

	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	fx.prr.approach = S("");
	expect_fx("approach empty", WIRE_MISSING_FIELD,
		  "PeerReviewRequest.approach is missing");
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	fx.prr.question = S("");
	expect_fx("question empty", WIRE_MISSING_FIELD,
		  "PeerReviewRequest.question is missing");
	fx.prr.question = text_of(0, TEXT_MAX_QUESTION, 'q');
	expect_fx("question 1000", WIRE_OK, NULL);
	fx.prr.question = text_of(0, TEXT_MAX_QUESTION + 1, 'q');
	expect_fx("question 1001", WIRE_OUT_OF_RANGE,
		  "PeerReviewRequest.question is 1001");
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST);
	fx.areas[0] = RETFED__V1__PROBLEM_AREA__PROBLEM_WONEN;
	fx.areas[1] = RETFED__V1__PROBLEM_AREA__PROBLEM_WONEN;
	fx.prr.problem_areas = fx.areas;
	fx.prr.n_problem_areas = 1;
	expect_fx("one area", WIRE_OK, NULL);
	fx.prr.n_problem_areas = 2;
	expect_fx("area twice", WIRE_OUT_OF_RANGE,
		  "PeerReviewRequest.problem_areas repeats");
	fx.prr.age_band = 0;
	fx.prr.n_problem_areas = 0;
	expect_fx("no optional fields", WIRE_OK, NULL);

	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW);
	fx.pr.request_id.len = 0;
	expect_fx("pr request_id missing", WIRE_MISSING_FIELD,
		  "PeerReview.request_id is missing");
	fx.pr.request_id.data = id17;
	fx.pr.request_id.len = sizeof(id17);
	expect_fx("pr request_id 17", WIRE_OUT_OF_RANGE,
		  "PeerReview.request_id must be 16");
	fx_body(RETFED__V1__KIND__KIND_PEER_REVIEW);
	fx.pr.review = S("");
	expect_fx("review empty", WIRE_MISSING_FIELD,
		  "PeerReview.review is missing");
	fx.pr.review = text_of(0, TEXT_MAX_APPROACH, 'r');
	expect_fx("review 4000", WIRE_OK, NULL);
	fx.pr.review = text_of(0, TEXT_MAX_APPROACH + 1, 'r');
	expect_fx("review 4001", WIRE_OUT_OF_RANGE,
		  "PeerReview.review is longer than 4000");
}

/* ------------------------------------------------------------------ */
/* Fuzz seeds                                                         */

static void
write_file(const char *dir, const char *sub, const char *name,
	   const uint8_t *p, size_t n)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* The signed body bytes of a sealed envelope, as a fuzz_body seed. */
static void
write_body_seed(const char *dir, const char *name, const uint8_t *env,
		size_t len)
{
	struct envelope *e = NULL;
	struct wire_error err;

	assert_int_equal(envelope_decode(env, len, &e, &err), WIRE_OK);
	write_file(dir, "body", name, e->outer->body.data, e->outer->body.len);
	envelope_destroy(&e);
}

/* With RET_WRITE_CORPUS set, write seeds for the fuzz targets. */
static void
test_write_corpus(void **state)
{
	const char *dir = getenv("RET_WRITE_CORPUS");
	uint8_t *env, *fr;
	size_t len, flen;
	char name[64];
	int k;

	if (dir == NULL || *dir == '\0') {
		skip();
		return;
	}
	for (k = 1; k <= N_KINDS; k++) {
		fx_body((Retfed__V1__Kind)k);
		env = seal_fx(&len);
		snprintf(name, sizeof(name), "%s.bin", envelope_kind_name(k));
		write_file(dir, "envelope", name, env, len);
		write_body_seed(dir, name, env, len);
		assert_int_equal(frame_pack_submit(env, len, &fr, &flen), 0);
		snprintf(name, sizeof(name), "submit-%s.bin",
			 envelope_kind_name(k));
		write_file(dir, "client_frame", name, fr, flen);
		free(fr);
		assert_int_equal(
			frame_pack_delivery((uint64_t)k, env, len, &fr, &flen),
			0);
		snprintf(name, sizeof(name), "delivery-%s.bin",
			 envelope_kind_name(k));
		write_file(dir, "relay_frame", name, fr, flen);
		free(fr);
		free(env);
	}
	/* A summary with every optional part, and a long peer review. */
	fx_body(RETFED__V1__KIND__KIND_LEARNING_SUMMARY);
	fx.sum.consultations = &fx.cells[3];
	fx.sum.median_days_to_overleg = &fx.cells[3];
	fx.sum.median_days_to_close = &fx.cells[2];
	fx.sum.by_registrant = fx.outcome;
	fx.sum.n_by_registrant = 2;
	fx.sum.bottleneck_themes = fx.outcome;
	fx.sum.n_bottleneck_themes = 2;
	fx.sum.by_question_type = fx.outcome;
	fx.sum.n_by_question_type = 1;
	env = seal_fx(&len);
	write_file(dir, "envelope", "learning_summary-full.bin", env, len);
	write_body_seed(dir, "learning_summary-full.bin", env, len);
	free(env);
	fx_body(RETFED__V1__KIND__KIND_ESCALATION);
	fx.esc.thread_id.data = fx.ref_id;
	fx.esc.thread_id.len = MSGID_LEN;
	fx.esc.answer = S("Ja, sinds maart.");
	env = seal_fx(&len);
	write_file(dir, "envelope", "escalation-answer.bin", env, len);
	write_body_seed(dir, "escalation-answer.bin", env, len);
	free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_key_id),
		cmocka_unit_test(test_body_prepare),
		cmocka_unit_test(test_destroy_null),
		cmocka_unit_test(test_wire_error),
		cmocka_unit_test(test_round_trip_every_kind),
		cmocka_unit_test(test_seal_signs_documented_bytes),
		cmocka_unit_test(test_large_body_round_trip),
		cmocka_unit_test(test_seal_refuses_invalid_body),
		cmocka_unit_test(test_seal_refuses_too_large_body),
		cmocka_unit_test(test_verify_wrong_key),
		cmocka_unit_test(test_verify_flipped_signature_and_body),
		cmocka_unit_test(test_every_byte_flip_fails),
		cmocka_unit_test(test_too_large_before_parsing),
		cmocka_unit_test(test_empty_and_missing),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_wrong_wire_types),
		cmocka_unit_test(test_unknown_fields),
		cmocka_unit_test(test_singular_twice_and_oneof),
		cmocka_unit_test(test_enum_and_integer_ranges),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_string_limits),
		cmocka_unit_test(test_repeated_limit),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_deep_nesting_refused),
		cmocka_unit_test(test_header_rules),
		cmocka_unit_test(test_kind_and_payload),
		cmocka_unit_test(test_recipient_rules),
		cmocka_unit_test(test_case_ref_rules),
		cmocka_unit_test(test_escalation_rules),
		cmocka_unit_test(test_procesversneller_rules),
		cmocka_unit_test(test_decision_rules),
		cmocka_unit_test(test_summary_rules),
		cmocka_unit_test(test_peer_review_rules),
		cmocka_unit_test(test_write_corpus),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
