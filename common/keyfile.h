/*
 * keyfile: a party's secret key file and the public key lines that go into
 * other parties' configuration.
 *
 * A secret key file holds the party id, its Ed25519 signing key, its
 * CurveZMQ transport key pair and, for regions, the secret of its keyed case
 * pseudonyms. It is created with mode 0600, never overwritten, and refused
 * when group or others may read it. Format (one `key = value` per line,
 * `#` comments):
 *
 *   party = region:noord-limburg
 *   signing_secret = <128 hex digits: libsodium Ed25519 secret key>
 *   transport_secret = <40 Z85 characters>
 *   transport_public = <40 Z85 characters>
 *   pseudonym_secret = <64 hex digits>
 */
#ifndef RET_KEYFILE_H
#define RET_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "party.h"

#define KEYFILE_Z85_LEN 40
#define KEYFILE_MAX_SIZE 4096

struct keyfile {
	char party[PARTY_ID_MAX];
	uint8_t sign_sk[64];
	uint8_t sign_pk[32];
	char transport_sk[KEYFILE_Z85_LEN + 1];
	char transport_pk[KEYFILE_Z85_LEN + 1];
	uint8_t pseudonym_key[32];
};

/* Fill k with fresh keys for `party`. Returns 0, or -1 on a bad party id. */
int keyfile_generate(const char *party, struct keyfile *k)
	__attribute__((warn_unused_result));

/*
 * Parse the text of a secret key file. Returns 0, or -1 with a sentence
 * (naming the line) in errbuf. k is only written on success.
 */
int keyfile_parse(const char *text, size_t len, struct keyfile *k,
		  char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Read and parse a secret key file. Refuses a file that is not a regular
 * file, is larger than KEYFILE_MAX_SIZE, or can be read by group or others.
 * Returns 0, or -1 with a sentence in errbuf.
 */
int keyfile_read(const char *path, struct keyfile *k, char *errbuf,
		 size_t errlen) __attribute__((warn_unused_result));

/*
 * Write k to a new file at path with mode 0600; refuses to overwrite an
 * existing file. Returns 0, or -1 with a sentence in errbuf.
 */
int keyfile_write(const char *path, const struct keyfile *k, char *errbuf,
		  size_t errlen) __attribute__((warn_unused_result));

/*
 * The public part in configuration form: a "[party ID]" line followed by
 * "signing_key = <64 hex>" and "transport_key = <40 Z85>". Returns the
 * length written (always NUL-terminated), or -1 if out is too small.
 */
int keyfile_public_text(const struct keyfile *k, char *out, size_t outlen);

/* Wipe secrets from memory. */
void keyfile_wipe(struct keyfile *k);

/* Parse 64 hex digits into an Ed25519 public key. Returns 0 or -1. */
int keyfile_parse_signing_public(const char *hex, uint8_t pk[32])
	__attribute__((warn_unused_result));

/* Check 40 Z85 characters of a CurveZMQ public key. Returns 0 or -1. */
int keyfile_parse_transport_public(const char *z85)
	__attribute__((warn_unused_result));

#endif
