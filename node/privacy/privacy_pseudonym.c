/* privacy_pseudonym: keyed case references (see the header). */
#include "privacy_pseudonym.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyfile.h"
#include "party.h"
#include "payload_check.h"

#define DOMAIN "retfed-case-ref-v1"
#define HASH_BYTES 16

struct privacy_pseudonym {
	uint8_t key[PSEUDONYM_KEY_BYTES];
	char label[PSEUDONYM_LABEL_MAX + 1];
	char region[PARTY_ID_MAX];
};

static const char *const messages[] = {
	[PSEUDONYM_OK] = "no error",
	[PSEUDONYM_E_LABEL] =
		"the key label must be 1 to 8 characters of a-z and 0-9",
	[PSEUDONYM_E_REGION] = "the party id is not a region",
	[PSEUDONYM_E_CASE_ID] =
		"the case id must be 1 to 256 bytes without control characters",
	[PSEUDONYM_E_REF] = "the case reference is not <label>:<32 hex digits>",
	[PSEUDONYM_E_SPACE] = "the output buffer is too small",
	[PSEUDONYM_E_CRYPTO] = "libsodium could not be initialised",
	[PSEUDONYM_E_NOMEM] = "out of memory",
	[PSEUDONYM_E_NOT_FOUND] = "no case has this reference",
};

const char *
privacy_pseudonym_strerror(enum pseudonym_error err)
{
	if ((size_t)err >= sizeof(messages) / sizeof(messages[0]) ||
	    messages[err] == NULL)
		return "unknown pseudonym error";
	return messages[err];
}

static int
label_valid(const char *label)
{
	size_t i, n = strlen(label);

	if (n < 1 || n > PSEUDONYM_LABEL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((label[i] >= 'a' && label[i] <= 'z') ||
		      (label[i] >= '0' && label[i] <= '9')))
			return 0;
	return 1;
}

static int
case_id_valid(const char *id, size_t *ret_len)
{
	size_t i, n = strnlen(id, PSEUDONYM_CASE_ID_MAX + 1);

	if (n < 1 || n > PSEUDONYM_CASE_ID_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
			return 0;
	*ret_len = n;
	return 1;
}

struct privacy_pseudonym *
privacy_pseudonym_new(const uint8_t key[PSEUDONYM_KEY_BYTES], const char *label,
		      const char *region, enum pseudonym_error *ret_err)
{
	struct privacy_pseudonym *p;
	enum pseudonym_error err = PSEUDONYM_OK;

	if (sodium_init() < 0)
		err = PSEUDONYM_E_CRYPTO;
	else if (label == NULL || !label_valid(label))
		err = PSEUDONYM_E_LABEL;
	else if (region == NULL || party_role_of(region) != PARTY_REGION)
		err = PSEUDONYM_E_REGION;
	if (err != PSEUDONYM_OK) {
		if (ret_err != NULL)
			*ret_err = err;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		if (ret_err != NULL)
			*ret_err = PSEUDONYM_E_NOMEM;
		return NULL;
	}
	memcpy(p->key, key, PSEUDONYM_KEY_BYTES);
	memcpy(p->label, label, strlen(label) + 1);
	memcpy(p->region, region, strlen(region) + 1);
	if (ret_err != NULL)
		*ret_err = PSEUDONYM_OK;
	return p;
}

struct privacy_pseudonym *
privacy_pseudonym_from_keyfile(const struct keyfile *k, const char *label,
			       enum pseudonym_error *ret_err)
{
	if (k == NULL) {
		if (ret_err != NULL)
			*ret_err = PSEUDONYM_E_REGION;
		return NULL;
	}
	return privacy_pseudonym_new(k->pseudonym_key, label, k->party,
				     ret_err);
}

void
privacy_pseudonym_destroy(struct privacy_pseudonym **pp)
{
	if (pp == NULL || *pp == NULL)
		return;
	sodium_memzero(*pp, sizeof(**pp));
	free(*pp);
	*pp = NULL;
}

const char *
privacy_pseudonym_label(const struct privacy_pseudonym *p)
{
	return p->label;
}

/* The raw 16-byte hash of a validated case id. */
static void
hash_case(const struct privacy_pseudonym *p, const char *case_id, size_t n,
	  uint8_t out[HASH_BYTES])
{
	crypto_generichash_state st;
	uint8_t len1;
	uint8_t len2[2];

	crypto_generichash_init(&st, p->key, PSEUDONYM_KEY_BYTES, HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)DOMAIN,
				  sizeof(DOMAIN)); /* with its NUL */
	len1 = (uint8_t)strlen(p->label);
	crypto_generichash_update(&st, &len1, 1);
	crypto_generichash_update(&st, (const uint8_t *)p->label, len1);
	len1 = (uint8_t)strlen(p->region);
	crypto_generichash_update(&st, &len1, 1);
	crypto_generichash_update(&st, (const uint8_t *)p->region, len1);
	len2[0] = (uint8_t)(n >> 8);
	len2[1] = (uint8_t)(n & 0xff);
	crypto_generichash_update(&st, len2, 2);
	crypto_generichash_update(&st, (const uint8_t *)case_id, n);
	crypto_generichash_final(&st, out, HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

enum pseudonym_error
privacy_pseudonym_ref(const struct privacy_pseudonym *p, const char *case_id,
		      char *out, size_t outlen)
{
	uint8_t h[HASH_BYTES];
	size_t n, label = strlen(p->label);

	if (case_id == NULL || !case_id_valid(case_id, &n))
		return PSEUDONYM_E_CASE_ID;
	if (outlen < label + 1 + 2 * HASH_BYTES + 1)
		return PSEUDONYM_E_SPACE;
	hash_case(p, case_id, n, h);
	memcpy(out, p->label, label);
	out[label] = ':';
	sodium_bin2hex(out + label + 1, 2 * HASH_BYTES + 1, h, HASH_BYTES);
	sodium_memzero(h, sizeof(h));
	return PSEUDONYM_OK;
}

int
privacy_pseudonym_matches(const struct privacy_pseudonym *p,
			  const char *case_id, const char *ref)
{
	char mine[PSEUDONYM_REF_MAX];
	size_t n;
	int same;

	if (ref == NULL || strnlen(ref, PSEUDONYM_REF_MAX) >= PSEUDONYM_REF_MAX ||
	    !payload_case_ref_valid(ref))
		return 0;
	if (privacy_pseudonym_ref(p, case_id, mine, sizeof(mine)) !=
	    PSEUDONYM_OK)
		return 0;
	n = strlen(mine);
	same = strlen(ref) == n &&
	       sodium_memcmp(mine, ref, n) == 0;
	sodium_memzero(mine, sizeof(mine));
	return same;
}

enum pseudonym_error
privacy_pseudonym_find(const struct privacy_pseudonym *p, const char *ref,
		       const char *const *case_ids, size_t n, size_t *ret_index)
{
	size_t i, found = 0;
	int any = 0;

	if (ref == NULL || strnlen(ref, PSEUDONYM_REF_MAX) >= PSEUDONYM_REF_MAX ||
	    !payload_case_ref_valid(ref))
		return PSEUDONYM_E_REF;
	for (i = 0; i < n; i++) {
		int m = privacy_pseudonym_matches(p, case_ids[i], ref);

		/* Keep the first match without branching out of the loop. */
		if (m && !any)
			found = i;
		any |= m;
	}
	if (!any)
		return PSEUDONYM_E_NOT_FOUND;
	*ret_index = found;
	return PSEUDONYM_OK;
}

enum pseudonym_error
privacy_pseudonym_ref_label(const char *ref, char *out, size_t outlen)
{
	size_t label;

	if (ref == NULL || strnlen(ref, PSEUDONYM_REF_MAX) >= PSEUDONYM_REF_MAX ||
	    !payload_case_ref_valid(ref))
		return PSEUDONYM_E_REF;
	label = (size_t)(strchr(ref, ':') - ref);
	if (outlen < label + 1)
		return PSEUDONYM_E_SPACE;
	memcpy(out, ref, label);
	out[label] = '\0';
	return PSEUDONYM_OK;
}
