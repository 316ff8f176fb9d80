/*
 * fuzz_keyfile: keyfile_parse on untrusted text (a key file may have been
 * edited by hand or damaged), and the public key parsers on the same bytes.
 * A key file that parses must print its public text, and the text
 * keyfile_write would write for it must parse back to the same keys.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: the public parsers, then the key file parser, round trip. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyfile k, back;
	char err[256], text[1024], pub[512], sk[129], ps[65];
	char *copy;
	uint8_t pk[32];
	int n;

	if (sodium_init() < 0)
		abort();
	/* The public parsers take NUL-terminated strings. */
	copy = malloc(size + 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	if (keyfile_parse_signing_public(copy, pk) == 0 && strlen(copy) != 64)
		abort();
	if (keyfile_parse_transport_public(copy) == 0 &&
	    strlen(copy) != KEYFILE_Z85_LEN)
		abort();
	free(copy);

	err[0] = '\0';
	if (keyfile_parse((const char *)data, size, &k, err, sizeof(err)) !=
	    0) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (!party_id_valid(k.party) ||
	    keyfile_public_text(&k, pub, sizeof(pub)) < 0)
		abort();
	sodium_bin2hex(sk, sizeof(sk), k.sign_sk, 64);
	sodium_bin2hex(ps, sizeof(ps), k.pseudonym_key, 32);
	n = snprintf(text, sizeof(text),
		     "party = %s\nsigning_secret = %s\ntransport_secret = %s\n"
		     "transport_public = %s\npseudonym_secret = %s\n",
		     k.party, sk, k.transport_sk, k.transport_pk, ps);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    keyfile_parse(text, (size_t)n, &back, err, sizeof(err)) != 0 ||
	    memcmp(&k, &back, sizeof(k)) != 0)
		abort();
	keyfile_wipe(&k);
	keyfile_wipe(&back);
	return 0;
}
