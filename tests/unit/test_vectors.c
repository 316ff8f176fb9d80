/*
 * test_vectors: the committed test vectors of tests/vectors/ (directory from
 * RET_VECTORS_DIR) against the envelope library.
 *
 * Every valid vector must decode, carry the key id of its signing key,
 * verify, and decode to exactly its listed fields; its signed bytes must be
 * prefix || version || body, checked with libsodium directly. Every invalid
 * vector must fail with exactly its reason code. Flipping any single byte
 * of a valid envelope (XOR 0x01 and XOR 0x80 at every offset) must make
 * decode + verify fail. The generator, make_vectors.c, must still write
 * the committed files byte for byte. Finally the numbers docs/protocol.md
 * states (limits, reason codes) must be the ones the library enforces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The generator itself, so the test can run it into a temporary folder. */
#define MAKE_VECTORS_NO_MAIN
#include "../vectors/make_vectors.c"

#include "envelope.h"
#include "frame.h"
#include "msgid.h"
#include "payload_check.h"
#include "wire_error.h"
#include "wire_scan.h"

#define MAX_LINES 256

static const char *const kinds[] = {
	"escalation",	       "procesversneller",    "decision",
	"learning_summary",    "peer_review_request", "peer_review",
};

/* One vector file: its "key = value" lines, in order. */
struct vec {
	char *key[MAX_LINES];
	char *val[MAX_LINES];
	size_t n;
};

static const char *
vectors_dir(void)
{
	const char *d = getenv("RET_VECTORS_DIR");

	assert_non_null(d);
	return d;
}

static void
vec_free(struct vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		free(v->key[i]);
		free(v->val[i]);
	}
	v->n = 0;
}

static void
vec_load(struct vec *v, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	assert_non_null(f);
	v->n = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		char *eq;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		eq = strstr(line, " = ");
		assert_non_null(eq);
		assert_true(v->n < MAX_LINES);
		*eq = '\0';
		v->key[v->n] = strdup(line);
		v->val[v->n] = strdup(eq + 3);
		assert_non_null(v->key[v->n]);
		assert_non_null(v->val[v->n]);
		v->n++;
	}
	free(line);
	fclose(f);
}

static const char *
vec_get(const struct vec *v, const char *key)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->key[i], key) == 0)
			return v->val[i];
	fail_msg("vector has no %s line", key);
	return NULL;
}

/* The hex value of key, decoded into a new buffer. */
static uint8_t *
vec_hex(const struct vec *v, const char *key, size_t *ret_len)
{
	const char *hex = vec_get(v, key);
	size_t n = strlen(hex), bin_len = 0;
	uint8_t *out;

	assert_int_equal(n % 2, 0);
	out = malloc(n / 2 + 1);
	assert_non_null(out);
	assert_int_equal(sodium_hex2bin(out, n / 2 + 1, hex, n, NULL, &bin_len,
					NULL),
			 0);
	assert_int_equal(bin_len, n / 2);
	*ret_len = bin_len;
	return out;
}

static void
vec_load_named(struct vec *v, const char *name)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s.vec", vectors_dir(), name);
	vec_load(v, path);
}

/* The decoded fields of env in the vectors' "body.x = y" form. */
static char *
dump_body(const struct envelope *env)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(dump_message(f, "body", &env->body->base), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The vector's own "body.x = y" lines, joined as dump_body writes them. */
static char *
listed_fields(const struct vec *v)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	for (i = 0; i < v->n; i++)
		if (strncmp(v->key[i], "body.", 5) == 0)
			fprintf(f, "%s = %s\n", v->key[i], v->val[i]);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Check one valid vector completely; returns the decoded envelope. */
static struct envelope *
check_valid(const struct vec *v, const char *kind)
{
	uint8_t *seed, *pk, *kid, *envb, *body, *sm, *sig;
	size_t seed_len, pk_len, kid_len, env_len, body_len, sm_len, sig_len;
	uint8_t pk2[ENVELOPE_PK_LEN], sk2[ENVELOPE_SK_LEN];
	uint8_t h[32];
	struct envelope *env = NULL;
	struct wire_error err;
	char *dumped, *listed;

	assert_string_equal(vec_get(v, "kind"), kind);
	assert_string_equal(vec_get(v, "expect_reason"), "ok");
	seed = vec_hex(v, "signing_seed", &seed_len);
	pk = vec_hex(v, "signing_public", &pk_len);
	kid = vec_hex(v, "key_id", &kid_len);
	envb = vec_hex(v, "envelope", &env_len);
	body = vec_hex(v, "body", &body_len);
	sm = vec_hex(v, "signed_message", &sm_len);
	sig = vec_hex(v, "signature", &sig_len);

	/* The key pair comes from the seed; the key id from the key. */
	assert_int_equal(seed_len, 32);
	assert_int_equal(pk_len, ENVELOPE_PK_LEN);
	assert_int_equal(crypto_sign_seed_keypair(pk2, sk2, seed), 0);
	assert_memory_equal(pk2, pk, ENVELOPE_PK_LEN);
	assert_int_equal(kid_len, 8);
	crypto_generichash(h, sizeof(h), pk, pk_len, NULL, 0);
	assert_memory_equal(h, kid, 8);

	/* Signed bytes: "RETFED-ENVELOPE" NUL, 0x01, body; pure Ed25519. */
	assert_int_equal(sm_len, 16 + 1 + body_len);
	assert_memory_equal(sm, "RETFED-ENVELOPE\0", 16);
	assert_int_equal(sm[16], 0x01);
	assert_memory_equal(sm + 17, body, body_len);
	assert_int_equal(sig_len, 64);
	assert_int_equal(crypto_sign_verify_detached(sig, sm, sm_len, pk), 0);

	/* The library agrees, and carries the bytes unchanged. */
	assert_int_equal(envelope_decode(envb, env_len, &env, &err), WIRE_OK);
	assert_int_equal(env->outer->body.len, body_len);
	assert_memory_equal(env->outer->body.data, body, body_len);
	assert_memory_equal(env->outer->signature.data, sig, 64);
	assert_int_equal(env->body->key_id.len, 8);
	assert_memory_equal(env->body->key_id.data, kid, 8);
	assert_string_equal(envelope_kind_name(env->body->kind), kind);
	assert_string_equal(env->body->sender, vec_get(v, "signer"));
	assert_int_equal(envelope_verify(env, pk, &err), WIRE_OK);
	assert_int_equal(msgid_time_ms(env->body->message_id.data),
			 env->body->created_ms);

	/* The decoded fields are exactly the ones listed. */
	dumped = dump_body(env);
	listed = listed_fields(v);
	assert_string_equal(dumped, listed);
	free(dumped);
	free(listed);

	free(seed);
	free(pk);
	free(kid);
	free(envb);
	free(body);
	free(sm);
	free(sig);
	return env;
}

static void
test_valid_vectors(void **state)
{
	struct envelope *esc = NULL, *dec = NULL, *prq = NULL, *prv = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct vec v;
		struct envelope *env;

		vec_load_named(&v, kinds[i]);
		env = check_valid(&v, kinds[i]);
		vec_free(&v);
		if (strcmp(kinds[i], "escalation") == 0)
			esc = env;
		else if (strcmp(kinds[i], "decision") == 0)
			dec = env;
		else if (strcmp(kinds[i], "peer_review_request") == 0)
			prq = env;
		else if (strcmp(kinds[i], "peer_review") == 0)
			prv = env;
		else
			envelope_destroy(&env);
	}

	/* A few facts checked by hand, not through the field dump. */
	assert_string_equal(esc->body->escalation->case_ref,
			    "nlim:5f0c2e8a9b7d4c1e3a6f8b2d0c9e7a15");
	assert_int_equal(esc->body->escalation->n_problem_areas, 3);
	assert_string_equal(dec->body->recipient, esc->body->sender);
	assert_memory_equal(dec->body->decision->request_id.data,
			    esc->body->message_id.data, MSGID_LEN);
	assert_int_equal(dec->body->decision->status,
			 RETFED__V1__DECISION_STATUS__DECISION_GRANTED);
	assert_string_equal(prv->body->recipient, prq->body->sender);
	assert_memory_equal(prv->body->peer_review->request_id.data,
			    prq->body->message_id.data, MSGID_LEN);
	envelope_destroy(&esc);
	envelope_destroy(&dec);
	envelope_destroy(&prq);
	envelope_destroy(&prv);
}

/* Decode, then verify with pk: the first reason, or WIRE_OK. */
static enum wire_reason
decode_verify(const uint8_t *buf, size_t len, const uint8_t *pk)
{
	struct envelope *env = NULL;
	struct wire_error err;
	enum wire_reason rc;

	rc = envelope_decode(buf, len, &env, &err);
	if (rc != WIRE_OK)
		return rc;
	rc = envelope_verify(env, pk, &err);
	envelope_destroy(&env);
	return rc;
}

static int
is_vec_file(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".vec") == 0;
}

static void
test_invalid_vectors(void **state)
{
	DIR *d = opendir(vectors_dir());
	struct dirent *de;
	int seen = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct vec v;
		char path[1024];
		uint8_t *pk, *envb;
		size_t pk_len, env_len;
		long code;
		char *end;

		if (strncmp(de->d_name, "invalid_", 8) != 0 ||
		    !is_vec_file(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", vectors_dir(),
			 de->d_name);
		vec_load(&v, path);
		pk = vec_hex(&v, "signing_public", &pk_len);
		envb = vec_hex(&v, "envelope", &env_len);
		code = strtol(vec_get(&v, "expect_code"), &end, 10);
		assert_int_equal(*end, '\0');
		assert_true(code > 0 && code <= WIRE_REASON_MAX);
		assert_string_equal(wire_reason_name((int)code),
				    vec_get(&v, "expect_reason"));
		if ((long)decode_verify(envb, env_len, pk) != code)
			fail_msg("%s: expected %s, got %s", de->d_name,
				 wire_reason_name((int)code),
				 wire_reason_name(
					 decode_verify(envb, env_len, pk)));
		free(pk);
		free(envb);
		vec_free(&v);
		seen++;
	}
	closedir(d);
	assert_true(seen >= 6);
}

static void
test_every_byte_flip_fails(void **state)
{
	size_t i, flips = 0, by_signature = 0;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		static const uint8_t masks[] = {0x01, 0x80};
		struct vec v;
		uint8_t *pk, *envb;
		size_t pk_len, env_len, off, m;

		vec_load_named(&v, kinds[i]);
		pk = vec_hex(&v, "signing_public", &pk_len);
		envb = vec_hex(&v, "envelope", &env_len);
		assert_int_equal(decode_verify(envb, env_len, pk), WIRE_OK);
		for (off = 0; off < env_len; off++)
			for (m = 0; m < sizeof(masks); m++) {
				enum wire_reason rc;

				envb[off] ^= masks[m];
				rc = decode_verify(envb, env_len, pk);
				envb[off] ^= masks[m];
				if (rc == WIRE_OK)
					fail_msg("%s: byte %zu ^ 0x%02x still "
						 "verifies",
						 kinds[i], off, masks[m]);
				flips++;
				if (rc == WIRE_BAD_SIGNATURE)
					by_signature++;
			}
		/* Truncating the last byte fails too. */
		assert_int_not_equal(decode_verify(envb, env_len - 1, pk),
				     WIRE_OK);
		free(pk);
		free(envb);
		vec_free(&v);
	}
	/* Many flips decode fine and are caught by the signature alone. */
	print_message("%zu flips, %zu refused by the signature check\n", flips,
		      by_signature);
	assert_true(by_signature > flips / 4);
}

/* The whole content of a file, or NULL if it cannot be read. */
static uint8_t *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			uint8_t *p = realloc(buf, cap ? 2 * cap : 65536);

			assert_non_null(p);
			buf = p;
			cap = cap ? 2 * cap : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	*ret_len = len;
	return buf;
}

static void
test_generator_reproduces_files(void **state)
{
	char tmpl[] = "/tmp/ret-vectors-XXXXXX";
	char err[512], a[1024], b[1024];
	char *dir = mkdtemp(tmpl);
	DIR *d;
	struct dirent *de;
	int generated = 0, committed = 0;

	(void)state;
	assert_non_null(dir);
	if (make_vectors_write(dir, err, sizeof(err)) != 0)
		fail_msg("make_vectors: %s", err);

	/* Every generated file equals its committed twin; then remove it. */
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		uint8_t *x, *y;
		size_t xn = 0, yn = 0;

		if (!is_vec_file(de->d_name))
			continue;
		snprintf(a, sizeof(a), "%s/%s", dir, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", vectors_dir(), de->d_name);
		x = slurp(a, &xn);
		y = slurp(b, &yn);
		assert_non_null(x);
		if (y == NULL)
			fail_msg("%s is generated but not committed",
				 de->d_name);
		if (xn != yn || memcmp(x, y, xn) != 0)
			fail_msg("%s differs from what make_vectors writes",
				 de->d_name);
		free(x);
		free(y);
		assert_int_equal(unlink(a), 0);
		generated++;
	}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);

	/* And nothing is committed that the generator no longer writes. */
	d = opendir(vectors_dir());
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (is_vec_file(de->d_name))
			committed++;
	closedir(d);
	assert_int_equal(generated, committed);
	assert_true(generated >= 12);
}

/*
 * A Nack's detail is cut to what receivers accept (docs/protocol.md: at
 * most 199 bytes of valid UTF-8) without splitting a character, so a relay
 * never sends a Nack its clients must refuse as bad_string.
 */
static void
test_nack_detail_stays_utf8(void **state)
{
	char detail[WIRE_DETAIL_MAX + 8];
	static const char *const tails[] = {
		"\xc3\xa9",	      /* 2 bytes across the limit */
		"\xe2\x82\xac",     /* 3 bytes */
		"\xf0\x9f\x98\x80", /* 4 bytes */
	};
	uint8_t id[MSGID_LEN] = {0};
	size_t t, pad;

	(void)state;
	for (t = 0; t < sizeof(tails) / sizeof(tails[0]); t++)
		for (pad = WIRE_DETAIL_MAX - 5; pad < WIRE_DETAIL_MAX; pad++) {
			struct relay_frame *f = NULL;
			struct wire_error err;
			uint8_t *buf = NULL;
			size_t len = 0;

			memset(detail, 'x', pad);
			snprintf(detail + pad, sizeof(detail) - pad, "%s",
				 tails[t]);
			assert_int_equal(frame_pack_nack(id, 1, WIRE_REPLAY,
							 detail, &buf, &len),
					 0);
			assert_int_equal(relay_frame_decode(buf, len, &f, &err),
					 WIRE_OK);
			assert_true(strlen(f->msg->nack->detail) <
				    WIRE_DETAIL_MAX);
			assert_true(strlen(f->msg->nack->detail) >= pad);
			relay_frame_destroy(&f);
			free(buf);
		}

	/* Bytes that are not UTF-8 at all become '?'. */
	{
		struct relay_frame *f = NULL;
		struct wire_error err;
		uint8_t *buf = NULL;
		size_t len = 0;

		assert_int_equal(frame_pack_nack(NULL, 0, WIRE_MALFORMED,
						 "bad \xff byte", &buf, &len),
				 0);
		assert_int_equal(relay_frame_decode(buf, len, &f, &err),
				 WIRE_OK);
		assert_string_equal(f->msg->nack->detail, "bad ? byte");
		relay_frame_destroy(&f);
		free(buf);
	}
}

/*
 * docs/protocol.md states these limits as numbers; if one changes here,
 * the document (and perhaps the vectors) must change with it.
 */
static void
test_documented_limits(void **state)
{
	(void)state;
	assert_int_equal(ENVELOPE_MAX, 61568);
	assert_int_equal(ENVELOPE_BODY_MAX, 61440);
	assert_int_equal(FRAME_MAX, 65536);
	assert_int_equal(ENVELOPE_SIG_PREFIX_LEN, 16);
	assert_int_equal(ENVELOPE_PROTOCOL_VERSION, 1);
	assert_int_equal(ENVELOPE_KEY_ID_LEN, 8);
	assert_int_equal(MSGID_LEN, 16);
	assert_int_equal(WIRE_MAX_STRING, 4000);
	assert_int_equal(WIRE_MAX_REPEATED, 64);
	assert_int_equal(WIRE_MAX_DEPTH, 8);
	assert_int_equal(WIRE_DETAIL_MAX - 1, 199);
	assert_int_equal(wire_arena_budget_for(1000), 4 * 1000 + 8192);
	assert_true(PAYLOAD_MIN_TIME_MS == 1577836800000ULL);
	assert_true(PAYLOAD_MAX_TIME_MS == 4102444800000ULL);
	assert_int_equal(TEXT_MAX_REASON, 2000);
	assert_int_equal(TEXT_MAX_ASSIGNED, 200);
	assert_int_equal(TEXT_MAX_APPROACH, 4000);
	assert_int_equal(TEXT_MAX_QUESTION, 1000);
	assert_int_equal(TEXT_MAX_LESSON, 500);
	assert_int_equal(SUMMARY_MAX_CELLS, 16);
	assert_int_equal(SUMMARY_MAX_LESSONS, 10);
}

/*
 * The reason table of docs/protocol.md (rows "| N | `name` | ... |") names
 * every reason code with the library's name, and calls exactly the
 * library's transient reasons transient.
 */
static void
test_documented_reasons(void **state)
{
	const char *src = getenv("RET_SOURCE_DIR");
	char path[1024], *line = NULL;
	size_t cap = 0;
	int seen[WIRE_REASON_MAX + 1] = {0};
	int rows = 0, r, in_section = 0;
	FILE *f;

	(void)state;
	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/protocol.md", src);
	f = fopen(path, "r");
	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		char name[64];
		int n, used = 0;

		/* Only the table of section 10 ("## 10. Reason codes"). */
		if (strncmp(line, "## ", 3) == 0) {
			in_section = strncmp(line, "## 10. Reason codes", 19) == 0;
			continue;
		}
		if (!in_section)
			continue;
		if (sscanf(line, "| %d | `%63[a-z_]` |%n", &n, name, &used) != 2 ||
		    used == 0)
			continue;
		assert_true(n > 0 && n <= WIRE_REASON_MAX);
		assert_string_equal(name, wire_reason_name(n));
		assert_int_equal(strstr(line, "transient") != NULL,
				 wire_reason_is_transient(n) != 0);
		assert_int_equal(seen[n], 0);
		seen[n] = 1;
		rows++;
	}
	free(line);
	fclose(f);
	for (r = 1; r <= WIRE_REASON_MAX; r++)
		if (!seen[r])
			fail_msg("reason %d (%s) is not in docs/protocol.md", r,
				 wire_reason_name(r));
	assert_int_equal(rows, WIRE_REASON_MAX);
}

/*
 * The densest valid body is a learning summary with every cell it may have
 * (4 x 16 plus 7), each with a one-byte key, and 10 one-byte lessons: about
 * 13 bytes of decoded structure per byte on the wire. It must still decode
 * within the budget of docs/protocol.md section 4.3 (4 x length + 8 KiB);
 * one cell more per field is refused, by a count rule or by the budget.
 */
static void
test_densest_valid_body_fits_budget(void **state)
{
	static const char key_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static Retfed__V1__Cell cells[4][SUMMARY_MAX_CELLS + 1], one;
	static Retfed__V1__Cell *ptr[4][SUMMARY_MAX_CELLS + 1];
	static char keys[SUMMARY_MAX_CELLS + 1][2];
	static char *lessons[SUMMARY_MAX_LESSONS];
	Retfed__V1__Body b;
	Retfed__V1__LearningSummary s;
	struct vec_party p;
	uint8_t id[MSGID_LEN];
	struct envelope *env = NULL;
	struct wire_error err;
	uint8_t *buf = NULL;
	size_t len = 0, i, j, n;

	(void)state;
	vec_party_init(&p, "region:a");
	vec_msgid(id, VEC_BASE_MS, "dense");
	retfed__v1__learning_summary__init(&s);
	header(&b, RETFED__V1__KIND__KIND_LEARNING_SUMMARY, &p, 1, id, NULL);
	cell(&one, "t", 0, 0);
	s.period = (char *)(uintptr_t)"2026";
	s.threshold = 3;
	s.registrations = s.discussed = s.cancelled = s.referred = &one;
	s.consultations = s.median_days_to_overleg = &one;
	s.median_days_to_close = &one;
	for (j = 0; j <= SUMMARY_MAX_CELLS; j++) {
		keys[j][0] = key_chars[j];
		keys[j][1] = '\0';
		for (i = 0; i < 4; i++) {
			cell(&cells[i][j], keys[j], 0, 0);
			ptr[i][j] = &cells[i][j];
		}
	}
	s.by_registrant = ptr[0];
	s.by_question_type = ptr[1];
	s.by_outcome = ptr[2];
	s.bottleneck_themes = ptr[3];
	for (i = 0; i < SUMMARY_MAX_LESSONS; i++)
		lessons[i] = (char *)(uintptr_t)"x";
	s.n_lessons = SUMMARY_MAX_LESSONS;
	s.lessons = lessons;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
	b.learning_summary = &s;

	for (n = SUMMARY_MAX_CELLS; n <= SUMMARY_MAX_CELLS + 1; n++) {
		enum wire_reason rc;

		s.n_by_registrant = s.n_by_question_type = n;
		s.n_by_outcome = s.n_bottleneck_themes = n;
		rc = envelope_seal(&b, p.sk, &buf, &len, &err);
		if (n == SUMMARY_MAX_CELLS) {
			if (rc != WIRE_OK)
				fail_msg("densest valid body: %s", err.detail);
			assert_int_equal(envelope_decode(buf, len, &env, &err),
					 WIRE_OK);
			print_message("densest valid body: %zu bytes use %zu of "
				      "%zu budget bytes\n",
				      len, wire_arena_used(env->arena),
				      wire_arena_budget_for(len));
			envelope_destroy(&env);
			free(buf);
		} else {
			assert_true(rc == WIRE_OUT_OF_RANGE ||
				    rc == WIRE_OVER_BUDGET);
		}
	}
}

/* Test entry point: the vector checks in order. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_vectors),
		cmocka_unit_test(test_invalid_vectors),
		cmocka_unit_test(test_every_byte_flip_fails),
		cmocka_unit_test(test_generator_reproduces_files),
		cmocka_unit_test(test_nack_detail_stays_utf8),
		cmocka_unit_test(test_densest_valid_body_fits_budget),
		cmocka_unit_test(test_documented_limits),
		cmocka_unit_test(test_documented_reasons),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
