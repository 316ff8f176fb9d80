/*
 * privacy_pseudonym: the keyed case references that travel instead of a
 * case id.
 *
 * A case reference is "<label>:<32 lower-case hex>": the label names the
 * key version (so a region can rotate its pseudonym secret by taking a new
 * label), the hex is the first 16 bytes of a keyed BLAKE2b hash
 * (libsodium crypto_generichash, keyed with the region's 32-byte
 * pseudonym_secret from its key file) over
 *
 *   "retfed-case-ref-v1" NUL
 *   len(label)  label       (len as one byte)
 *   len(region) region      (the region's party id, len as one byte)
 *   len(case)   case id     (the internal case id, len as two bytes,
 *                            big-endian)
 *
 * The lengths make the input unambiguous. The reference is stable for a
 * case, differs between regions (different key and the region id in the
 * input) and reveals nothing about the case id without the key: unlike an
 * unkeyed hash, it cannot be reversed by trying every BSN or case number.
 *
 * A received reference (in a Decision) is mapped back either by keeping
 * the reference next to the case in the register (privacy_pseudonym_ref()
 * when the case is created) or by recomputing over the region's own cases
 * (privacy_pseudonym_find()).
 */
#ifndef RET_PRIVACY_PSEUDONYM_H
#define RET_PRIVACY_PSEUDONYM_H

#include <stddef.h>
#include <stdint.h>

#define PSEUDONYM_KEY_BYTES 32
#define PSEUDONYM_LABEL_MAX 8
#define PSEUDONYM_CASE_ID_MAX 256
/* Longest reference plus NUL: 8 label + ':' + 32 hex + NUL. */
#define PSEUDONYM_REF_MAX 42

enum pseudonym_error {
	PSEUDONYM_OK = 0,
	PSEUDONYM_E_LABEL,   /* label not 1..8 of [a-z0-9] */
	PSEUDONYM_E_REGION,  /* not a region party id */
	PSEUDONYM_E_CASE_ID, /* empty, too long, or contains a NUL/control */
	PSEUDONYM_E_REF,     /* not a well-formed case reference */
	PSEUDONYM_E_SPACE,   /* output buffer too small */
	PSEUDONYM_E_CRYPTO,  /* libsodium could not be initialised */
	PSEUDONYM_E_NOMEM,
	PSEUDONYM_E_NOT_FOUND,
};

struct privacy_pseudonym;
struct keyfile;

/* One sentence describing err (static storage). */
const char *privacy_pseudonym_strerror(enum pseudonym_error err);

/*
 * A pseudonymiser for one region and one key version. key is copied and
 * wiped when p is destroyed; label is the key version ("k1"); region is
 * the region's party id ("region:westfriesland"). Returns NULL on failure
 * and, if ret_err is not NULL, the reason there.
 */
struct privacy_pseudonym *
privacy_pseudonym_new(const uint8_t key[PSEUDONYM_KEY_BYTES], const char *label,
		      const char *region, enum pseudonym_error *ret_err);

/*
 * privacy_pseudonym_new() with the party id and pseudonym secret of a
 * region's key file (common/keyfile.h). k stays the caller's.
 */
struct privacy_pseudonym *
privacy_pseudonym_from_keyfile(const struct keyfile *k, const char *label,
			       enum pseudonym_error *ret_err);

/* Wipe and free *pp; accepts NULL and a NULL *pp; sets *pp to NULL. */
void privacy_pseudonym_destroy(struct privacy_pseudonym **pp);

/* The key version label of p (borrowed). */
const char *privacy_pseudonym_label(const struct privacy_pseudonym *p);

/*
 * Write the case reference of case_id into out (outlen bytes, at least
 * PSEUDONYM_REF_MAX is always enough), NUL-terminated. case_id is the
 * internal case id as text (decimal for integer ids), 1..256 bytes, no
 * control characters. Returns PSEUDONYM_OK, or an error and out untouched.
 */
enum pseudonym_error privacy_pseudonym_ref(const struct privacy_pseudonym *p,
					   const char *case_id, char *out,
					   size_t outlen)
	__attribute__((warn_unused_result));

/*
 * True (1) if ref is the reference of case_id under p, compared in
 * constant time; 0 otherwise, also for a malformed ref or case id, or a
 * ref made under another label.
 */
int privacy_pseudonym_matches(const struct privacy_pseudonym *p,
			      const char *case_id, const char *ref);

/*
 * Look ref up among the region's own cases (n case ids). Every case is
 * hashed and compared, so the time does not depend on where the match is.
 * Returns PSEUDONYM_OK and the index in *ret_index, PSEUDONYM_E_REF for a
 * malformed ref, or PSEUDONYM_E_NOT_FOUND.
 */
enum pseudonym_error
privacy_pseudonym_find(const struct privacy_pseudonym *p, const char *ref,
		       const char *const *case_ids, size_t n, size_t *ret_index)
	__attribute__((warn_unused_result));

/*
 * Copy the label part of a well-formed ref into out (at least
 * PSEUDONYM_LABEL_MAX + 1 bytes), so a node holding several key versions
 * knows which one to use. Returns PSEUDONYM_OK or PSEUDONYM_E_REF.
 */
enum pseudonym_error privacy_pseudonym_ref_label(const char *ref, char *out,
						 size_t outlen)
	__attribute__((warn_unused_result));

#endif
