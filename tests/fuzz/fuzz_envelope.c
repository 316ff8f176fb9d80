/*
 * fuzz_envelope: envelope_decode on untrusted bytes. Every refusal must
 * carry a reason and a sentence. Whatever decodes is verified against a
 * fixed key (the key the unit tests and the seed corpus use), then
 * re-sealed: a body a receiver accepted must always seal again, and the
 * re-sealed envelope must decode and verify under the same key id rules.
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

/* One input: decode, and on success verify, re-seal and decode again. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope *env = NULL, *again = NULL;
	struct wire_error err;
	enum wire_reason rc;
	uint8_t *buf = NULL;
	size_t len = 0;
	int ours;

	setup_once();
	wire_error_clear(&err);
	rc = envelope_decode(data, size, &env, &err);
	if (rc != WIRE_OK) {
		if (env != NULL || err.reason != rc || err.detail[0] == '\0')
			abort();
		return 0;
	}
	ours = memcmp(env->body->key_id.data, fixed_kid, sizeof(fixed_kid)) ==
	       0;
	rc = envelope_verify(env, fixed_pk, &err);
	if (!ours && rc != WIRE_UNKNOWN_KEY)
		abort();

	/* What a receiver accepted, a sender can seal. */
	rc = envelope_seal(env->body, fixed_sk, &buf, &len, &err);
	if (rc != WIRE_OK)
		abort();
	if (len > size + ENVELOPE_SIG_LEN + 16)
		abort();
	rc = envelope_decode(buf, len, &again, &err);
	if (rc != WIRE_OK)
		abort();
	rc = envelope_verify(again, fixed_pk, &err);
	if (ours ? rc != WIRE_OK : rc != WIRE_UNKNOWN_KEY)
		abort();
	if (again->body->kind != env->body->kind ||
	    again->body->seq != env->body->seq ||
	    strcmp(again->body->sender, env->body->sender) != 0)
		abort();
	envelope_destroy(&again);
	free(buf);
	envelope_destroy(&env);
	return 0;
}
