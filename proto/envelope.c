/* envelope: the signed envelope, from bytes to trust and back. */
#include "envelope.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "msgid.h"
#include "payload_check.h"
#include "wire_scan.h"

static const char *const kind_names[] = {
	[RETFED__V1__KIND__KIND_ESCALATION] = "escalation",
	[RETFED__V1__KIND__KIND_PROCESVERSNELLER] = "procesversneller",
	[RETFED__V1__KIND__KIND_DECISION] = "decision",
	[RETFED__V1__KIND__KIND_LEARNING_SUMMARY] = "learning_summary",
	[RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST] = "peer_review_request",
	[RETFED__V1__KIND__KIND_PEER_REVIEW] = "peer_review",
};

const char *
envelope_kind_name(int kind)
{
	if (kind <= 0 || (size_t)kind >= sizeof(kind_names) / sizeof(*kind_names))
		return "unknown";
	return kind_names[kind];
}

enum wire_reason
envelope_decode(const uint8_t *buf, size_t len, struct envelope **ret_env,
		struct wire_error *err)
{
	struct envelope *env = NULL;
	ProtobufCMessage *m = NULL;
	enum wire_reason rc;

	if (len > ENVELOPE_MAX)
		return wire_fail(err, WIRE_TOO_LARGE,
				 "envelope of %zu bytes exceeds the limit of %d",
				 len, ENVELOPE_MAX);
	env = calloc(1, sizeof(*env));
	if (env == NULL)
		return wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	env->arena = wire_arena_new(wire_arena_budget_for(len));
	if (env->arena == NULL) {
		rc = wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
		goto fail;
	}
	rc = wire_unpack(&retfed__v1__envelope__descriptor, buf, len,
			 ENVELOPE_MAX, env->arena, &m, err);
	if (rc != WIRE_OK)
		goto fail;
	env->outer = (const Retfed__V1__Envelope *)m;
	if (env->outer->body.len == 0) {
		rc = wire_fail(err, WIRE_MISSING_FIELD,
			       "Envelope.body is missing");
		goto fail;
	}
	if (env->outer->signature.len != ENVELOPE_SIG_LEN) {
		rc = wire_fail(err, env->outer->signature.len
					? WIRE_OUT_OF_RANGE
					: WIRE_MISSING_FIELD,
			       "Envelope.signature must be %d bytes",
			       ENVELOPE_SIG_LEN);
		goto fail;
	}
	rc = wire_unpack(&retfed__v1__body__descriptor, env->outer->body.data,
			 env->outer->body.len, ENVELOPE_BODY_MAX, env->arena,
			 &m, err);
	if (rc != WIRE_OK)
		goto fail;
	env->body = (const Retfed__V1__Body *)m;
	rc = payload_check_body(env->body, err);
	if (rc != WIRE_OK)
		goto fail;
	*ret_env = env;
	return WIRE_OK;
fail:
	envelope_destroy(&env);
	return rc;
}

int
envelope_peek_ids(const uint8_t *buf, size_t len, uint8_t ret_msgid[16],
		  uint64_t *ret_seq)
{
	struct wire_arena *a;
	struct wire_error err;
	ProtobufCMessage *m = NULL;
	const Retfed__V1__Envelope *outer;
	const Retfed__V1__Body *b;
	int found = 0;

	if (len > ENVELOPE_MAX)
		return 0;
	a = wire_arena_new(wire_arena_budget_for(len));
	if (a == NULL)
		return 0;
	if (wire_unpack(&retfed__v1__envelope__descriptor, buf, len,
			ENVELOPE_MAX, a, &m, &err) != WIRE_OK)
		goto out;
	outer = (const Retfed__V1__Envelope *)m;
	if (outer->body.len == 0 ||
	    wire_unpack(&retfed__v1__body__descriptor, outer->body.data,
			outer->body.len, ENVELOPE_BODY_MAX, a, &m,
			&err) != WIRE_OK)
		goto out;
	b = (const Retfed__V1__Body *)m;
	if (b->message_id.len != MSGID_LEN)
		goto out;
	memcpy(ret_msgid, b->message_id.data, MSGID_LEN);
	*ret_seq = b->seq;
	found = 1;
out:
	wire_arena_destroy(&a);
	return found;
}

void
envelope_destroy(struct envelope **envp)
{
	if (envp == NULL || *envp == NULL)
		return;
	wire_arena_destroy(&(*envp)->arena);
	free(*envp);
	*envp = NULL;
}

void
envelope_key_id(const uint8_t pk[ENVELOPE_PK_LEN],
		uint8_t out[ENVELOPE_KEY_ID_LEN])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), pk, ENVELOPE_PK_LEN, NULL, 0);
	memcpy(out, h, ENVELOPE_KEY_ID_LEN);
}

/*
 * The signed message: prefix, version byte, body. Small bodies use the
 * caller's stack buffer; larger ones are allocated. Returns NULL when out of
 * memory; *heap tells the caller to free.
 */
static uint8_t *
signed_bytes(const uint8_t *body, size_t len, uint8_t *stack,
	     size_t stack_len, size_t *ret_len, int *heap)
{
	size_t n = ENVELOPE_SIG_PREFIX_LEN + 1 + len;
	uint8_t *m = stack;

	*heap = 0;
	if (n > stack_len) {
		m = malloc(n);
		if (m == NULL)
			return NULL;
		*heap = 1;
	}
	memcpy(m, ENVELOPE_SIG_PREFIX, ENVELOPE_SIG_PREFIX_LEN);
	m[ENVELOPE_SIG_PREFIX_LEN] = ENVELOPE_PROTOCOL_VERSION;
	memcpy(m + ENVELOPE_SIG_PREFIX_LEN + 1, body, len);
	*ret_len = n;
	return m;
}

enum wire_reason
envelope_verify(const struct envelope *env, const uint8_t pk[ENVELOPE_PK_LEN],
		struct wire_error *err)
{
	uint8_t kid[ENVELOPE_KEY_ID_LEN];
	uint8_t stack[2048];
	uint8_t *m;
	size_t n;
	int heap, ok;

	envelope_key_id(pk, kid);
	if (sodium_memcmp(kid, env->body->key_id.data, sizeof(kid)) != 0)
		return wire_fail(err, WIRE_UNKNOWN_KEY,
				 "key id is not that of %s's signing key",
				 env->body->sender);
	m = signed_bytes(env->outer->body.data, env->outer->body.len, stack,
			 sizeof(stack), &n, &heap);
	if (m == NULL)
		return wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	ok = crypto_sign_verify_detached(env->outer->signature.data, m, n,
					 pk) == 0;
	if (heap)
		free(m);
	if (!ok)
		return wire_fail(err, WIRE_BAD_SIGNATURE,
				 "signature does not verify for %s",
				 env->body->sender);
	return WIRE_OK;
}

void
envelope_body_prepare(Retfed__V1__Body *b, Retfed__V1__Kind kind,
		      const char *sender,
		      const uint8_t key_id[ENVELOPE_KEY_ID_LEN], uint64_t seq,
		      uint64_t now_ms, uint8_t id_storage[16])
{
	msgid_generate(id_storage, now_ms);
	b->version = ENVELOPE_PROTOCOL_VERSION;
	b->kind = kind;
	b->sender = (char *)(uintptr_t)sender;
	b->key_id.data = (uint8_t *)(uintptr_t)key_id;
	b->key_id.len = ENVELOPE_KEY_ID_LEN;
	b->seq = seq;
	b->message_id.data = id_storage;
	b->message_id.len = MSGID_LEN;
	b->created_ms = now_ms & 0xffffffffffffULL;
}

enum wire_reason
envelope_seal(const Retfed__V1__Body *b, const uint8_t sk[ENVELOPE_SK_LEN],
	      uint8_t **ret_buf, size_t *ret_len, struct wire_error *err)
{
	Retfed__V1__Envelope outer = RETFED__V1__ENVELOPE__INIT;
	struct envelope *check = NULL;
	uint8_t *body = NULL, *out = NULL, *m;
	uint8_t sig[ENVELOPE_SIG_LEN];
	uint8_t stack[2048];
	size_t body_len, out_len, n;
	int heap;
	enum wire_reason rc;

	body_len = protobuf_c_message_get_packed_size(&b->base);
	if (body_len > ENVELOPE_BODY_MAX)
		return wire_fail(err, WIRE_TOO_LARGE,
				 "body of %zu bytes exceeds the limit of %d",
				 body_len, ENVELOPE_BODY_MAX);
	body = malloc(body_len ? body_len : 1);
	if (body == NULL)
		return wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	protobuf_c_message_pack(&b->base, body);

	m = signed_bytes(body, body_len, stack, sizeof(stack), &n, &heap);
	if (m == NULL) {
		rc = wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
		goto out;
	}
	crypto_sign_detached(sig, NULL, m, n, sk);
	if (heap)
		free(m);

	outer.body.data = body;
	outer.body.len = body_len;
	outer.signature.data = sig;
	outer.signature.len = sizeof(sig);
	out_len = protobuf_c_message_get_packed_size(&outer.base);
	out = malloc(out_len);
	if (out == NULL) {
		rc = wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
		goto out;
	}
	protobuf_c_message_pack(&outer.base, out);

	/* What we sign must pass exactly the checks a receiver applies. */
	rc = envelope_decode(out, out_len, &check, err);
	if (rc != WIRE_OK) {
		free(out);
		goto out;
	}
	envelope_destroy(&check);
	*ret_buf = out;
	*ret_len = out_len;
out:
	sodium_memzero(stack, sizeof(stack));
	free(body);
	return rc;
}
