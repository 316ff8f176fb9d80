/*
 * make_vectors: writes the signed test vectors of tests/vectors/ from fixed
 * seeds, fixed message ids and fixed times, so that running it again gives
 * the committed files byte for byte (Ed25519 signatures are deterministic).
 *
 *     make_vectors DIR
 *
 * One file per message kind (escalation.vec, ...) holds a valid signed
 * envelope; the invalid_*.vec files hold envelopes a decoder must refuse,
 * each with the reason code it must give. tests/vectors/README.md describes
 * the format. tests/unit/test_vectors.c includes this file with
 * MAKE_VECTORS_NO_MAIN defined, so that it can check that the generator
 * still reproduces the committed vectors.
 */
#include <inttypes.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "msgid.h"
#include "retfed.pb-c.h"
#include "wire_error.h"

/* Creation time of the first vector: 2026-04-01T08:00:00Z. */
#define VEC_BASE_MS 1775030400000ULL
#define VEC_PATH_MAX 512

/* A party of the vectors, with its key pair derived from a fixed seed. */
struct vec_party {
	const char *id;
	uint8_t seed[crypto_sign_SEEDBYTES];
	uint8_t pk[ENVELOPE_PK_LEN];
	uint8_t sk[ENVELOPE_SK_LEN];
	uint8_t kid[ENVELOPE_KEY_ID_LEN];
};

/* Everything the generator needs; one per run. */
struct vec_gen {
	const char *dir;
	struct vec_party region;  /* region:noord-limburg */
	struct vec_party desk;    /* desk:ben-limburg */
	struct vec_party peer;    /* region:westfriesland */
	uint8_t esc_id[MSGID_LEN];
	uint8_t prv_id[MSGID_LEN];
	uint8_t dec_id[MSGID_LEN];
	uint8_t sum_id[MSGID_LEN];
	uint8_t prq_id[MSGID_LEN];
	uint8_t prv2_id[MSGID_LEN];
	uint8_t thread_id[MSGID_LEN];
	char *errbuf;
	size_t errlen;
};

/* Seed = BLAKE2b-256 of "retfed test vector seed " || party id. */
static void
vec_party_init(struct vec_party *p, const char *id)
{
	crypto_generichash_state st;
	static const char label[] = "retfed test vector seed ";

	p->id = id;
	crypto_generichash_init(&st, NULL, 0, sizeof(p->seed));
	crypto_generichash_update(&st, (const uint8_t *)label,
				  sizeof(label) - 1);
	crypto_generichash_update(&st, (const uint8_t *)id, strlen(id));
	crypto_generichash_final(&st, p->seed, sizeof(p->seed));
	crypto_sign_seed_keypair(p->pk, p->sk, p->seed);
	envelope_key_id(p->pk, p->kid);
}

/*
 * Message id = 48-bit big-endian time || the first 10 bytes of BLAKE2b-256
 * of "retfed test vector id " || name.
 */
static void
vec_msgid(uint8_t id[MSGID_LEN], uint64_t ms, const char *name)
{
	crypto_generichash_state st;
	static const char label[] = "retfed test vector id ";
	uint8_t h[32];
	int i;

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)label,
				  sizeof(label) - 1);
	crypto_generichash_update(&st, (const uint8_t *)name, strlen(name));
	crypto_generichash_final(&st, h, sizeof(h));
	for (i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (8 * (5 - i)));
	memcpy(id + 6, h, MSGID_LEN - 6);
}

static int
vec_fail(struct vec_gen *g, const char *what, const char *detail)
{
	snprintf(g->errbuf, g->errlen, "%s: %s", what, detail);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Output */

static void
put_hex(FILE *f, const char *key, const uint8_t *data, size_t len)
{
	size_t i;

	fprintf(f, "%s = ", key);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", data[i]);
	fputc('\n', f);
}

/* A string value: quoted, with \\, \" and \xNN for control bytes. */
static void
put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static int dump_message(FILE *f, const char *prefix,
			const ProtobufCMessage *m);

/* One value of field fd stored at p, as "path = value". */
static int
dump_value(FILE *f, const char *path, const ProtobufCFieldDescriptor *fd,
	   const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_UINT32: {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		fprintf(f, "%s = %" PRIu32 "\n", path, v);
		return 0;
	}
	case PROTOBUF_C_TYPE_UINT64: {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		fprintf(f, "%s = %" PRIu64 "\n", path, v);
		return 0;
	}
	case PROTOBUF_C_TYPE_BOOL: {
		protobuf_c_boolean v;

		memcpy(&v, p, sizeof(v));
		fprintf(f, "%s = %s\n", path, v ? "true" : "false");
		return 0;
	}
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev;
		int v;

		memcpy(&v, p, sizeof(v));
		ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, v);
		if (ev == NULL)
			return -1;
		fprintf(f, "%s = %s\n", path, ev->name);
		return 0;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s;

		memcpy(&s, p, sizeof(s));
		fprintf(f, "%s = ", path);
		put_string(f, s);
		fputc('\n', f);
		return 0;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData d;

		memcpy(&d, p, sizeof(d));
		put_hex(f, path, d.data, d.len);
		return 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *sub;

		memcpy(&sub, p, sizeof(sub));
		return sub == NULL ? 0 : dump_message(f, path, sub);
	}
	default:
		return -1; /* not used by the schema */
	}
}

static size_t
value_size(const ProtobufCFieldDescriptor *fd)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_UINT64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return sizeof(uint32_t); /* uint32, enum */
	}
}

/* True if a singular field holds something other than its default. */
static int
field_present(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *fd)
{
	const char *base = (const char *)m;
	const char *p = base + fd->offset;

	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		int which;

		memcpy(&which, base + fd->quantifier_offset, sizeof(which));
		return which == (int)fd->id;
	}
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s;

		memcpy(&s, p, sizeof(s));
		return s != NULL && s[0] != '\0';
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData d;

		memcpy(&d, p, sizeof(d));
		return d.len != 0;
	}
	case PROTOBUF_C_TYPE_MESSAGE: {
		const void *sub;

		memcpy(&sub, p, sizeof(sub));
		return sub != NULL;
	}
	case PROTOBUF_C_TYPE_UINT64: {
		uint64_t v;

		memcpy(&v, p, sizeof(v));
		return v != 0;
	}
	default: {
		uint32_t v;

		memcpy(&v, p, sizeof(v));
		return v != 0;
	}
	}
}

/*
 * Every field of m that is not at its default value, in field number order,
 * as "prefix.field = value" lines; repeated fields as "prefix.field[i]".
 */
static int
dump_message(FILE *f, const char *prefix, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	unsigned i;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const char *base = (const char *)m;
		char path[VEC_PATH_MAX];

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n, k;
			const char *arr;

			memcpy(&n, base + fd->quantifier_offset, sizeof(n));
			memcpy(&arr, base + fd->offset, sizeof(arr));
			for (k = 0; k < n; k++) {
				snprintf(path, sizeof(path), "%s.%s[%zu]",
					 prefix, fd->name, k);
				if (dump_value(f, path, fd,
					       arr + k * value_size(fd)) != 0)
					return -1;
			}
			continue;
		}
		if (!field_present(m, fd))
			continue;
		snprintf(path, sizeof(path), "%s.%s", prefix, fd->name);
		if (dump_value(f, path, fd, base + fd->offset) != 0)
			return -1;
	}
	return 0;
}

static FILE *
vec_open(struct vec_gen *g, const char *name, char path[VEC_PATH_MAX])
{
	FILE *f;

	snprintf(path, VEC_PATH_MAX, "%s/%s.vec", g->dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fprintf(f, "# RET federation test vector, protocol version 1.\n"
		   "# Written by tests/vectors/make_vectors.c; do not edit. "
		   "Format: tests/vectors/README.md.\n");
	return f;
}

static int
vec_close(struct vec_gen *g, FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return vec_fail(g, path, "could not be written");
	return 0;
}

static void
put_signed_message(FILE *f, const uint8_t *body, size_t len)
{
	size_t i;

	fprintf(f, "signed_message = ");
	for (i = 0; i < ENVELOPE_SIG_PREFIX_LEN; i++)
		fprintf(f, "%02x",
			(unsigned)(uint8_t)ENVELOPE_SIG_PREFIX"\0"[i]);
	fprintf(f, "%02x", ENVELOPE_PROTOCOL_VERSION);
	for (i = 0; i < len; i++)
		fprintf(f, "%02x", body[i]);
	fputc('\n', f);
}

static void
put_party(FILE *f, const struct vec_party *p)
{
	fprintf(f, "signer = %s\n", p->id);
	put_hex(f, "signing_seed", p->seed, sizeof(p->seed));
	put_hex(f, "signing_public", p->pk, sizeof(p->pk));
	put_hex(f, "key_id", p->kid, sizeof(p->kid));
}

/* Seal b with p's key and write it as the valid vector `name`. */
static int
write_valid(struct vec_gen *g, const char *name, const struct vec_party *p,
	    const Retfed__V1__Body *b)
{
	struct wire_error err;
	struct envelope *env = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	char path[VEC_PATH_MAX];
	FILE *f;
	int rc;

	if (envelope_seal(b, p->sk, &buf, &len, &err) != WIRE_OK)
		return vec_fail(g, name, err.detail);
	if (envelope_decode(buf, len, &env, &err) != WIRE_OK) {
		free(buf);
		return vec_fail(g, name, err.detail);
	}
	f = vec_open(g, name, path);
	if (f == NULL) {
		envelope_destroy(&env);
		free(buf);
		return vec_fail(g, path, "could not be created");
	}
	fprintf(f, "kind = %s\n", name);
	put_party(f, p);
	put_hex(f, "envelope", buf, len);
	put_hex(f, "body", env->outer->body.data, env->outer->body.len);
	put_signed_message(f, env->outer->body.data, env->outer->body.len);
	put_hex(f, "signature", env->outer->signature.data,
		env->outer->signature.len);
	fprintf(f, "expect_reason = ok\nexpect_code = 0\n");
	rc = dump_message(f, "body", &env->body->base);
	envelope_destroy(&env);
	free(buf);
	if (rc != 0) {
		fclose(f);
		return vec_fail(g, name, "a field could not be printed");
	}
	return vec_close(g, f, path);
}

/* Serialise b into a new buffer. */
static uint8_t *
pack_body(const Retfed__V1__Body *b, size_t *ret_len)
{
	size_t n = protobuf_c_message_get_packed_size(&b->base);
	uint8_t *buf = malloc(n ? n : 1);

	if (buf == NULL)
		return NULL;
	protobuf_c_message_pack(&b->base, buf);
	*ret_len = n;
	return buf;
}

/*
 * Wrap raw body bytes into an Envelope signed with sk; with `no_prefix`
 * the signature covers the body alone (a classic mistake).
 */
static uint8_t *
wrap_body(const uint8_t *body, size_t body_len, const uint8_t *sk,
	  int no_prefix, size_t *ret_len)
{
	Retfed__V1__Envelope outer;
	uint8_t sig[ENVELOPE_SIG_LEN];
	size_t n = ENVELOPE_SIG_PREFIX_LEN + 1 + body_len;
	uint8_t *m = malloc(n), *out;

	if (m == NULL)
		return NULL;
	retfed__v1__envelope__init(&outer);
	memcpy(m, ENVELOPE_SIG_PREFIX, ENVELOPE_SIG_PREFIX_LEN);
	m[ENVELOPE_SIG_PREFIX_LEN] = ENVELOPE_PROTOCOL_VERSION;
	memcpy(m + ENVELOPE_SIG_PREFIX_LEN + 1, body, body_len);
	if (no_prefix)
		crypto_sign_detached(sig, NULL, body, body_len, sk);
	else
		crypto_sign_detached(sig, NULL, m, n, sk);
	free(m);
	outer.body.data = (uint8_t *)(uintptr_t)body;
	outer.body.len = body_len;
	outer.signature.data = sig;
	outer.signature.len = sizeof(sig);
	n = protobuf_c_message_get_packed_size(&outer.base);
	out = malloc(n);
	if (out == NULL)
		return NULL;
	protobuf_c_message_pack(&outer.base, out);
	*ret_len = n;
	return out;
}

/*
 * Write the invalid vector `name`: body bytes (raw, as signed), signed by p
 * (or over the body alone), expected to fail with `reason`.
 */
static int
write_invalid(struct vec_gen *g, const char *name, const char *description,
	      const struct vec_party *p, const uint8_t *body, size_t body_len,
	      int no_prefix, enum wire_reason reason)
{
	char path[VEC_PATH_MAX];
	uint8_t *env;
	size_t env_len = 0;
	FILE *f;

	env = wrap_body(body, body_len, p->sk, no_prefix, &env_len);
	if (env == NULL)
		return vec_fail(g, name, "out of memory");
	f = vec_open(g, name, path);
	if (f == NULL) {
		free(env);
		return vec_fail(g, path, "could not be created");
	}
	fprintf(f, "description = %s\n", description);
	put_party(f, p);
	put_hex(f, "envelope", env, env_len);
	put_hex(f, "body", body, body_len);
	fprintf(f, "expect_reason = %s\nexpect_code = %d\n",
		wire_reason_name(reason), (int)reason);
	free(env);
	return vec_close(g, f, path);
}

/* ------------------------------------------------------------------------ */
/* The messages */

static const char case_ref[] = "nlim:5f0c2e8a9b7d4c1e3a6f8b2d0c9e7a15";

static void
header(Retfed__V1__Body *b, Retfed__V1__Kind kind, const struct vec_party *p,
       uint64_t seq, const uint8_t id[MSGID_LEN], const char *recipient)
{
	retfed__v1__body__init(b);
	b->version = ENVELOPE_PROTOCOL_VERSION;
	b->kind = kind;
	b->sender = (char *)(uintptr_t)p->id;
	b->key_id.data = (uint8_t *)(uintptr_t)p->kid;
	b->key_id.len = ENVELOPE_KEY_ID_LEN;
	b->seq = seq;
	b->message_id.data = (uint8_t *)(uintptr_t)id;
	b->message_id.len = MSGID_LEN;
	b->created_ms = msgid_time_ms(id);
	b->recipient = (char *)(uintptr_t)(recipient ? recipient : "");
}

static Retfed__V1__ProblemArea esc_areas[] = {
	RETFED__V1__PROBLEM_AREA__PROBLEM_GEDRAG,
	RETFED__V1__PROBLEM_AREA__PROBLEM_ONDERWIJS,
	RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN,
};
static Retfed__V1__SupportKind esc_support[] = {
	RETFED__V1__SUPPORT_KIND__SUPPORT_PROCESREGIE,
	RETFED__V1__SUPPORT_KIND__SUPPORT_PLACEMENT,
};

/* The escalation body; its why_stuck can be replaced for invalid vectors. */
static void
escalation(struct vec_gen *g, Retfed__V1__Body *b, Retfed__V1__Escalation *e,
	   const char *why_stuck)
{
	retfed__v1__escalation__init(e);
	header(b, RETFED__V1__KIND__KIND_ESCALATION, &g->region, 7, g->esc_id,
	       NULL);
	e->case_ref = (char *)(uintptr_t)case_ref;
	e->age_band = RETFED__V1__AGE_BAND__AGE_12_15;
	e->n_problem_areas = sizeof(esc_areas) / sizeof(esc_areas[0]);
	e->problem_areas = esc_areas;
	e->why_stuck = (char *)(uintptr_t)why_stuck;
	e->what_was_tried =
		(char *)(uintptr_t)"Casusoverleg met wijkteam en school, "
				   "twee keer binnen de regio opgeschaald, "
				   "tijdelijke ambulante gezinsbegeleiding. "
				   "Co\xc3\xb6rdinatie loopt vast op wie "
				   "betaalt.";
	e->n_support_asked = sizeof(esc_support) / sizeof(esc_support[0]);
	e->support_asked = esc_support;
	e->urgency = RETFED__V1__URGENCY__URGENCY_HIGH;
	e->thread_id.data = g->thread_id;
	e->thread_id.len = MSGID_LEN;
	e->answer = (char *)(uintptr_t)"De jeugdige staat sinds maart niet "
					"meer ingeschreven op een school.";
	b->payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
	b->escalation = e;
}

static const char why_stuck[] =
	"Geen passende plek binnen de regio: drie aanbieders weigeren "
	"wegens wachtlijst of \"te zware problematiek\".";

static int
gen_escalation(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__Escalation e;

	escalation(g, &b, &e, why_stuck);
	return write_valid(g, "escalation", &g->region, &b);
}

static int
gen_procesversneller(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__ProcesversnellerRequest p;

	retfed__v1__procesversneller_request__init(&p);
	header(&b, RETFED__V1__KIND__KIND_PROCESVERSNELLER, &g->region, 8,
	       g->prv_id, NULL);
	p.case_ref = (char *)(uintptr_t)case_ref;
	p.stagnation_reason =
		(char *)(uintptr_t)"Zoektocht naar zorg stagneert: "
				   "gemeente en zorgkantoor verwijzen naar "
				   "elkaar.";
	p.expected_weeks = 12;
	p.age_band = RETFED__V1__AGE_BAND__AGE_16_17;
	p.urgency = RETFED__V1__URGENCY__URGENCY_NORMAL;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER;
	b.procesversneller = &p;
	return write_valid(g, "procesversneller", &g->region, &b);
}

static int
gen_decision(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__Decision d;

	retfed__v1__decision__init(&d);
	header(&b, RETFED__V1__KIND__KIND_DECISION, &g->desk, 3, g->dec_id,
	       g->region.id);
	d.case_ref = (char *)(uintptr_t)case_ref;
	d.request_id.data = g->esc_id;
	d.request_id.len = MSGID_LEN;
	d.status = RETFED__V1__DECISION_STATUS__DECISION_GRANTED;
	d.assignment_kind =
		RETFED__V1__ASSIGNMENT_KIND__ASSIGNMENT_PROCESVERSNELLER;
	d.assigned = (char *)(uintptr_t)"Procesversneller BEN Limburg, "
					"team Zuid";
	d.note = (char *)(uintptr_t)"Eerste overleg binnen twee weken.";
	b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
	b.decision = &d;
	return write_valid(g, "decision", &g->desk, &b);
}

static void
cell(Retfed__V1__Cell *c, const char *key, uint32_t count, int suppressed)
{
	retfed__v1__cell__init(c);
	c->key = (char *)(uintptr_t)key;
	c->count = count;
	c->suppressed = suppressed != 0;
}

static int
gen_learning_summary(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__LearningSummary s;
	Retfed__V1__Cell reg, dis, can, ref, con, mo, mc;
	Retfed__V1__Cell by_reg[3], by_q[2], by_out[2], themes[2];
	Retfed__V1__Cell *p_reg[3], *p_q[2], *p_out[2], *p_themes[2];
	static const char *const lessons[] = {
		"School vroeg aan tafel halen versnelt het overleg.",
		"Een vaste procesregisseur per casus voorkomt dat "
		"afspraken blijven liggen.",
	};
	size_t i;

	retfed__v1__learning_summary__init(&s);
	header(&b, RETFED__V1__KIND__KIND_LEARNING_SUMMARY, &g->region, 9,
	       g->sum_id, NULL);
	s.period = (char *)(uintptr_t)"2026-Q1";
	s.threshold = 5;
	cell(&reg, "total", 42, 0);
	cell(&dis, "total", 37, 0);
	cell(&can, "total", 0, 1);
	cell(&ref, "total", 11, 0);
	cell(&con, "total", 8, 0);
	cell(&by_reg[0], "wijkteam", 19, 0);
	cell(&by_reg[1], "onderwijs", 14, 0);
	cell(&by_reg[2], "huisarts", 0, 1);
	cell(&by_q[0], "plaatsing", 21, 0);
	cell(&by_q[1], "procesregie", 16, 0);
	cell(&by_out[0], "opgelost", 24, 0);
	cell(&by_out[1], "opgeschaald_ben", 9, 0);
	cell(&themes[0], "wachtlijst_ggz", 12, 0);
	cell(&themes[1], "financiering_wlz+jw", 7, 0);
	cell(&mo, "days", 9, 0);
	cell(&mc, "days", 0, 1);
	for (i = 0; i < 3; i++)
		p_reg[i] = &by_reg[i];
	for (i = 0; i < 2; i++) {
		p_q[i] = &by_q[i];
		p_out[i] = &by_out[i];
		p_themes[i] = &themes[i];
	}
	s.registrations = &reg;
	s.discussed = &dis;
	s.cancelled = &can;
	s.referred = &ref;
	s.consultations = &con;
	s.n_by_registrant = 3;
	s.by_registrant = p_reg;
	s.n_by_question_type = 2;
	s.by_question_type = p_q;
	s.n_by_outcome = 2;
	s.by_outcome = p_out;
	s.n_bottleneck_themes = 2;
	s.bottleneck_themes = p_themes;
	s.median_days_to_overleg = &mo;
	s.median_days_to_close = &mc;
	s.n_lessons = 2;
	s.lessons = (char **)(uintptr_t)lessons;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
	b.learning_summary = &s;
	return write_valid(g, "learning_summary", &g->region, &b);
}

static int
gen_peer_review_request(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__PeerReviewRequest r;
	static Retfed__V1__ProblemArea areas[] = {
		RETFED__V1__PROBLEM_AREA__PROBLEM_LVB,
		RETFED__V1__PROBLEM_AREA__PROBLEM_GEZIN,
	};

	retfed__v1__peer_review_request__init(&r);
	header(&b, RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST, &g->region, 10,
	       g->prq_id, g->peer.id);
	r.approach = (char *)(uintptr_t)"Gezin met meerdere kinderen met een "
					"licht verstandelijke beperking; we "
					"combineren thuisbegeleiding met een "
					"vast aanspreekpunt op school.";
	r.question = (char *)(uintptr_t)"Hoe borgen jullie de continu\xc3\xafteit "
					"als de thuisbegeleiding wisselt?";
	r.age_band = RETFED__V1__AGE_BAND__AGE_8_11;
	r.n_problem_areas = 2;
	r.problem_areas = areas;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST;
	b.peer_review_request = &r;
	return write_valid(g, "peer_review_request", &g->region, &b);
}

static int
gen_peer_review(struct vec_gen *g)
{
	Retfed__V1__Body b;
	Retfed__V1__PeerReview r;

	retfed__v1__peer_review__init(&r);
	header(&b, RETFED__V1__KIND__KIND_PEER_REVIEW, &g->peer, 1, g->prv2_id,
	       g->region.id);
	r.request_id.data = g->prq_id;
	r.request_id.len = MSGID_LEN;
	r.review = (char *)(uintptr_t)"Wij werken met een vaste regiehouder "
				      "die blijft als de begeleiding "
				      "wisselt.\nDie regiehouder draagt "
				      "warm over.";
	b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW;
	b.peer_review = &r;
	return write_valid(g, "peer_review", &g->peer, &b);
}

/* ------------------------------------------------------------------------ */
/* Invalid vectors */

/* Pack the escalation with why_stuck `ws`, after `tweak` changed b or e. */
static uint8_t *
escalation_bytes(struct vec_gen *g, const char *ws, int tweak, size_t *len)
{
	Retfed__V1__Body b;
	Retfed__V1__Escalation e;
	static uint8_t other_kid[ENVELOPE_KEY_ID_LEN];

	escalation(g, &b, &e, ws);
	switch (tweak) {
	case 1: /* key id of another party's key */
		memcpy(other_kid, g->desk.kid, sizeof(other_kid));
		b.key_id.data = other_kid;
		break;
	case 2: /* an urgency the schema does not know */
		e.urgency = (Retfed__V1__Urgency)9;
		break;
	case 3: /* created_ms one millisecond after the id's time */
		b.created_ms += 1;
		break;
	case 4:
		b.version = 2;
		break;
	case 5:
		e.what_was_tried = (char *)(uintptr_t)"";
		break;
	case 6: /* a kind from a newer protocol */
		b.kind = (Retfed__V1__Kind)7;
		break;
	default:
		break;
	}
	return pack_body(&b, len);
}

/* Append raw bytes to a malloc'ed buffer. */
static uint8_t *
append(uint8_t *buf, size_t *len, const uint8_t *more, size_t n)
{
	uint8_t *p = realloc(buf, *len + n);

	if (p == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(p + *len, more, n);
	*len += n;
	return p;
}

/* Replace the first '#' after `marker` in buf with a NUL byte. */
static int
put_nul(uint8_t *buf, size_t len, const char *marker)
{
	size_t m = strlen(marker), i;

	for (i = 0; i + m <= len; i++)
		if (memcmp(buf + i, marker, m) == 0) {
			uint8_t *hash = memchr(buf + i, '#', m);

			if (hash == NULL)
				return -1;
			*hash = 0;
			return 0;
		}
	return -1;
}

struct invalid_case {
	const char *name;
	const char *description;
	int tweak;
	const uint8_t *suffix;
	size_t suffix_len;
	size_t pad_to; /* pad the body with zero bytes to this length */
	int no_prefix;
	enum wire_reason reason;
};

static int
gen_invalid(struct vec_gen *g)
{
	/* Field 99, varint 1: a field the schema does not have. */
	static const uint8_t unknown_field[] = {0x98, 0x06, 0x01};
	/* Body.seq (field 5, varint) a second time. */
	static const uint8_t dup_seq[] = {0x28, 0x07};
	/* Body.peer_review (field 15) as well as Body.escalation. */
	static const uint8_t second_member[] = {0x7a, 0x00};
	static const char nul_ws[] = "Geen plek#binnen de regio.";
	static const struct invalid_case cases[] = {
		{"invalid_bad_signature",
		 "the escalation body signed without the prefix and version "
		 "byte",
		 0, NULL, 0, 0, 1, WIRE_BAD_SIGNATURE},
		{"invalid_wrong_key_id",
		 "Body.key_id is that of desk:ben-limburg, signed by "
		 "region:noord-limburg; verify with signing_public",
		 1, NULL, 0, 0, 0, WIRE_UNKNOWN_KEY},
		{"invalid_unknown_field",
		 "the escalation body followed by field 99 (varint 1)",
		 0, unknown_field, sizeof(unknown_field), 0, 0,
		 WIRE_UNKNOWN_FIELD},
		{"invalid_duplicate_field",
		 "the escalation body followed by a second Body.seq", 0,
		 dup_seq, sizeof(dup_seq), 0, 0, WIRE_MALFORMED},
		{"invalid_two_oneof_members",
		 "the escalation body followed by an empty Body.peer_review",
		 0, second_member, sizeof(second_member), 0, 0,
		 WIRE_MALFORMED},
		{"invalid_unknown_enum", "Escalation.urgency is 9", 2, NULL, 0,
		 0, 0, WIRE_OUT_OF_RANGE},
		{"invalid_bad_utf8",
		 "Escalation.why_stuck contains the bytes c3 28", 0, NULL, 0,
		 0, 0, WIRE_BAD_STRING},
		{"invalid_nul_in_string",
		 "Escalation.why_stuck contains a NUL byte", 0, NULL, 0, 0, 0,
		 WIRE_BAD_STRING},
		{"invalid_bad_time",
		 "Body.created_ms is one millisecond after the message id's "
		 "time",
		 3, NULL, 0, 0, 0, WIRE_BAD_TIME},
		{"invalid_unknown_kind",
		 "Body.kind is 7, a kind this protocol version does not know",
		 6, NULL, 0, 0, 0, WIRE_UNKNOWN_KIND},
		{"invalid_bad_version", "Body.version is 2", 4, NULL, 0, 0, 0,
		 WIRE_BAD_VERSION},
		{"invalid_missing_field", "Escalation.what_was_tried is empty",
		 5, NULL, 0, 0, 0, WIRE_MISSING_FIELD},
		{"invalid_body_too_large",
		 "Envelope.body is 61441 bytes (the escalation body padded "
		 "with zero bytes), one over the body limit",
		 0, NULL, 0, ENVELOPE_BODY_MAX + 1, 0, WIRE_TOO_LARGE},
		{"invalid_oversize",
		 "the envelope is 61569 bytes, one over the envelope limit; "
		 "it must be refused before parsing",
		 0, NULL, 0, ENVELOPE_MAX + 1 - 70, 0, WIRE_TOO_LARGE},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct invalid_case *c = &cases[i];
		const char *ws = why_stuck;
		uint8_t *body;
		size_t len = 0;
		int rc;

		if (strcmp(c->name, "invalid_bad_utf8") == 0)
			ws = "Geen plek \xc3\x28 binnen de regio.";
		else if (strcmp(c->name, "invalid_nul_in_string") == 0)
			ws = nul_ws;
		body = escalation_bytes(g, ws, c->tweak, &len);
		if (body != NULL && c->suffix != NULL)
			body = append(body, &len, c->suffix, c->suffix_len);
		if (body != NULL && c->pad_to > len) {
			uint8_t *p = realloc(body, c->pad_to);

			if (p == NULL) {
				free(body);
				body = NULL;
			} else {
				memset(p + len, 0, c->pad_to - len);
				body = p;
				len = c->pad_to;
			}
		}
		if (body == NULL)
			return vec_fail(g, c->name, "out of memory");
		if (ws == nul_ws && put_nul(body, len, "plek#binnen") != 0) {
			free(body);
			return vec_fail(g, c->name, "marker not found");
		}
		rc = write_invalid(g, c->name, c->description, &g->region, body,
				   len, c->no_prefix, c->reason);
		free(body);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Write every vector into directory `dir` (which must exist). Returns 0,
 * or -1 with a sentence in errbuf.
 */
static int
make_vectors_write(const char *dir, char *errbuf, size_t errlen)
{
	struct vec_gen g;

	memset(&g, 0, sizeof(g));
	g.dir = dir;
	g.errbuf = errbuf;
	g.errlen = errlen;
	if (sodium_init() < 0)
		return vec_fail(&g, "libsodium", "could not be initialised");
	vec_party_init(&g.region, "region:noord-limburg");
	vec_party_init(&g.desk, "desk:ben-limburg");
	vec_party_init(&g.peer, "region:westfriesland");
	vec_msgid(g.thread_id, VEC_BASE_MS - 86400000ULL, "thread");
	vec_msgid(g.esc_id, VEC_BASE_MS, "escalation");
	vec_msgid(g.prv_id, VEC_BASE_MS + 60000, "procesversneller");
	vec_msgid(g.dec_id, VEC_BASE_MS + 3600000, "decision");
	vec_msgid(g.sum_id, VEC_BASE_MS + 7200000, "learning_summary");
	vec_msgid(g.prq_id, VEC_BASE_MS + 10800000, "peer_review_request");
	vec_msgid(g.prv2_id, VEC_BASE_MS + 14400000, "peer_review");
	if (gen_escalation(&g) != 0 || gen_procesversneller(&g) != 0 ||
	    gen_decision(&g) != 0 || gen_learning_summary(&g) != 0 ||
	    gen_peer_review_request(&g) != 0 || gen_peer_review(&g) != 0 ||
	    gen_invalid(&g) != 0)
		return -1;
	return 0;
}

#ifndef MAKE_VECTORS_NO_MAIN
/* make_vectors DIR: write every vector into DIR; exit status 0 or 1. */
int
main(int argc, char **argv)
{
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: make_vectors DIR\n");
		return 2;
	}
	if (make_vectors_write(argv[1], err, sizeof(err)) != 0) {
		fprintf(stderr, "make_vectors: %s\n", err);
		return 1;
	}
	return 0;
}
#endif
