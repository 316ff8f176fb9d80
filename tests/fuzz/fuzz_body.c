/*
 * fuzz_body: the signed Body and every payload, without the outer frame in
 * the way. The input is taken as the body bytes, signed with a fixed key
 * and wrapped in an Envelope exactly as a sender would, then decoded. A
 * mutation inside a payload no longer has to keep the outer length prefix
 * right to get past the first scan, so this reaches the payload rules far
 * more often than fuzz_envelope does.
 *
 * What must hold: a refusal carries its reason and a sentence; an accepted
 * body verifies exactly when its key id is the fixed key's; it re-seals,
 * and the re-sealed envelope decodes to the same header.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t fixed_pk[ENVELOPE_PK_LEN], fixed_sk[ENVELOPE_SK_LEN];
static uint8_t fixed_kid[ENVELOPE_KEY_ID_LEN];

static void
setup_once(void)
{
	static int ready;
	uint8_t seed[crypto_sign_SEEDBYTES];

	if (ready)
		return;
	if (sodium_init() < 0)
		abort();
	/* The seed of test_envelope.c's signing key. */
	memset(seed, 0x42, sizeof(seed));
	crypto_sign_seed_keypair(fixed_pk, fixed_sk, seed);
	envelope_key_id(fixed_pk, fixed_kid);
	ready = 1;
}

/* The Envelope a sender would make of these body bytes, or NULL. */
static uint8_t *
wrap(const uint8_t *body, size_t len, size_t *ret_len)
{
	Retfed__V1__Envelope e;
	uint8_t sig[ENVELOPE_SIG_LEN], *m, *out;
	size_t n;

	m = malloc(ENVELOPE_SIG_PREFIX_LEN + 1 + len);
	if (m == NULL)
		return NULL;
	memcpy(m, ENVELOPE_SIG_PREFIX, ENVELOPE_SIG_PREFIX_LEN);
	m[ENVELOPE_SIG_PREFIX_LEN] = ENVELOPE_PROTOCOL_VERSION;
	if (len > 0)
		memcpy(m + ENVELOPE_SIG_PREFIX_LEN + 1, body, len);
	crypto_sign_detached(sig, NULL, m, ENVELOPE_SIG_PREFIX_LEN + 1 + len,
			     fixed_sk);
	free(m);
	retfed__v1__envelope__init(&e);
	e.body.data = (uint8_t *)(uintptr_t)body;
	e.body.len = len;
	e.signature.data = sig;
	e.signature.len = sizeof(sig);
	n = protobuf_c_message_get_packed_size(&e.base);
	out = malloc(n);
	if (out == NULL)
		return NULL;
	protobuf_c_message_pack(&e.base, out);
	*ret_len = n;
	return out;
}

/* One input: wrap and sign it as a body, decode, verify, re-seal. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope *env = NULL, *again = NULL;
	struct wire_error err;
	enum wire_reason rc;
	uint8_t *in, *buf = NULL;
	size_t in_len = 0, len = 0;
	int ours;

	setup_once();
	if (size > ENVELOPE_BODY_MAX + 1)
		return 0;
	in = wrap(data, size, &in_len);
	if (in == NULL)
		return 0;
	wire_error_clear(&err);
	rc = envelope_decode(in, in_len, &env, &err);
	free(in);
	if (rc != WIRE_OK) {
		if (env != NULL || err.reason != rc || err.detail[0] == '\0')
			abort();
		return 0;
	}
	ours = memcmp(env->body->key_id.data, fixed_kid, sizeof(fixed_kid)) ==
	       0;
	rc = envelope_verify(env, fixed_pk, &err);
	if (ours ? rc != WIRE_OK : rc != WIRE_UNKNOWN_KEY)
		abort();
	rc = envelope_seal(env->body, fixed_sk, &buf, &len, &err);
	if (rc != WIRE_OK)
		abort();
	rc = envelope_decode(buf, len, &again, &err);
	if (rc != WIRE_OK)
		abort();
	if (again->body->kind != env->body->kind ||
	    again->body->seq != env->body->seq ||
	    again->body->created_ms != env->body->created_ms ||
	    again->body->payload_case != env->body->payload_case ||
	    strcmp(again->body->sender, env->body->sender) != 0 ||
	    strcmp(again->body->recipient, env->body->recipient) != 0 ||
	    memcmp(again->body->message_id.data, env->body->message_id.data,
		   env->body->message_id.len) != 0)
		abort();
	envelope_destroy(&again);
	free(buf);
	envelope_destroy(&env);
	return 0;
}
