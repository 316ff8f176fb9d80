/*
 * envelope: build, sign, decode and verify the signed envelope that carries
 * every message between regions, desks and relays.
 *
 * The signature is Ed25519 over
 *     "RETFED-ENVELOPE\0" || 0x01 || body
 * where body is the serialised Body exactly as it travels in Envelope.body
 * (see docs/protocol.md). Decoding checks size, structure and meaning; only
 * envelope_verify() establishes who wrote it.
 */
#ifndef RET_ENVELOPE_H
#define RET_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "retfed.pb-c.h"
#include "wire_arena.h"
#include "wire_error.h"

#define ENVELOPE_PROTOCOL_VERSION 1
#define ENVELOPE_SIG_PREFIX "RETFED-ENVELOPE" /* plus its NUL: 16 bytes */
#define ENVELOPE_SIG_PREFIX_LEN 16
#define ENVELOPE_BODY_MAX (60 * 1024)
#define ENVELOPE_MAX (ENVELOPE_BODY_MAX + 128)
#define ENVELOPE_KEY_ID_LEN 8
#define ENVELOPE_PK_LEN 32
#define ENVELOPE_SK_LEN 64
#define ENVELOPE_SIG_LEN 64

/* A decoded envelope; everything hangs off its arena. */
struct envelope {
	struct wire_arena *arena;
	const Retfed__V1__Envelope *outer;
	const Retfed__V1__Body *body; /* checked by payload_check_body */
};

/*
 * Decode `len` untrusted bytes: refuse more than ENVELOPE_MAX bytes before
 * parsing, scan and unpack the outer envelope and the body within a memory
 * budget, and check every field. On success *ret_env owns the result; on
 * failure returns the reason with a sentence in err and *ret_env is
 * untouched. The signature is NOT checked here.
 */
enum wire_reason envelope_decode(const uint8_t *buf, size_t len,
				 struct envelope **ret_env,
				 struct wire_error *err)
	__attribute__((warn_unused_result));

/*
 * For a refusal: the message id and seq of the envelope in `len` untrusted
 * bytes, when the Envelope and its Body pass the size, wire-format and
 * budget rules (so their fields can be read) and Body.message_id has 16
 * bytes, whatever later rule refused it. Returns 1 with ret_msgid and
 * *ret_seq written, else 0 and writes nothing.
 */
int envelope_peek_ids(const uint8_t *buf, size_t len, uint8_t ret_msgid[16],
		      uint64_t *ret_seq) __attribute__((warn_unused_result));

/* Free a decoded envelope; NULL-safe, nulls *envp. */
void envelope_destroy(struct envelope **envp);

/*
 * Verify env's signature with the author's Ed25519 public key. Fails with
 * WIRE_UNKNOWN_KEY if the body's key id is not this key's, and with
 * WIRE_BAD_SIGNATURE if the signature does not verify.
 */
enum wire_reason envelope_verify(const struct envelope *env,
				 const uint8_t pk[ENVELOPE_PK_LEN],
				 struct wire_error *err)
	__attribute__((warn_unused_result));

/* The key id of a public key: the first 8 bytes of BLAKE2b-256(pk). */
void envelope_key_id(const uint8_t pk[ENVELOPE_PK_LEN],
		     uint8_t out[ENVELOPE_KEY_ID_LEN]);

/*
 * Fill the header of `b` (after retfed__v1__body__init): version, kind,
 * sender, key id of pk, seq, a new message id for `now_ms` (written into
 * id_storage, which must outlive b) and created_ms. The caller sets the
 * recipient and the payload.
 */
void envelope_body_prepare(Retfed__V1__Body *b, Retfed__V1__Kind kind,
			   const char *sender,
			   const uint8_t key_id[ENVELOPE_KEY_ID_LEN],
			   uint64_t seq, uint64_t now_ms,
			   uint8_t id_storage[16]);

/*
 * Serialise `b`, check it with exactly the rules a receiver applies, sign
 * it with the Ed25519 secret key `sk`, and return the serialised envelope in
 * *ret_buf (malloc'ed, the caller frees) and its length in *ret_len. Nothing
 * is signed that a receiver would refuse.
 */
enum wire_reason envelope_seal(const Retfed__V1__Body *b,
			       const uint8_t sk[ENVELOPE_SK_LEN],
			       uint8_t **ret_buf, size_t *ret_len,
			       struct wire_error *err)
	__attribute__((warn_unused_result));

/* A short English name of a kind ("escalation"), or "unknown". */
const char *envelope_kind_name(int kind);

#endif
