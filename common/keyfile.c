/* keyfile: secret key files and public key lines. */
#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

int
keyfile_generate(const char *party, struct keyfile *k)
{
	if (!party_id_valid(party))
		return -1;
	memset(k, 0, sizeof(*k));
	snprintf(k->party, sizeof(k->party), "%s", party);
	crypto_sign_keypair(k->sign_pk, k->sign_sk);
	if (zmq_curve_keypair(k->transport_pk, k->transport_sk) != 0)
		return -1;
	randombytes_buf(k->pseudonym_key, sizeof(k->pseudonym_key));
	return 0;
}

static int
hex_exact(const char *hex, uint8_t *out, size_t n)
{
	size_t bin_len = 0;
	const char *end = NULL;

	if (strlen(hex) != 2 * n)
		return -1;
	if (sodium_hex2bin(out, n, hex, 2 * n, NULL, &bin_len, &end) != 0 ||
	    bin_len != n || *end != '\0')
		return -1;
	return 0;
}

static int
z85_valid(const char *s)
{
	uint8_t raw[32];

	if (strlen(s) != KEYFILE_Z85_LEN)
		return 0;
	return zmq_z85_decode(raw, s) != NULL;
}

int
keyfile_parse_signing_public(const char *hex, uint8_t pk[32])
{
	return hex_exact(hex, pk, 32);
}

int
keyfile_parse_transport_public(const char *z85)
{
	return z85_valid(z85) ? 0 : -1;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
keyfile_parse(const char *text, size_t len, struct keyfile *k, char *errbuf,
	      size_t errlen)
{
	struct keyfile tmp;
	char line[512];
	size_t pos = 0;
	unsigned lineno = 0, have = 0, public_line = 0;
	int rc = -1;

	memset(&tmp, 0, sizeof(tmp));
	if (len > KEYFILE_MAX_SIZE) {
		snprintf(errbuf, errlen, "key file is larger than %d bytes",
			 KEYFILE_MAX_SIZE);
		return -1;
	}
	while (pos < len) {
		size_t n = 0;
		char *l, *eq, *key, *val;

		lineno++;
		while (pos < len && text[pos] != '\n') {
			if (text[pos] == '\0') {
				snprintf(errbuf, errlen,
					 "line %u: NUL byte in key file",
					 lineno);
				goto out;
			}
			if (n + 1 >= sizeof(line)) {
				snprintf(errbuf, errlen, "line %u: too long",
					 lineno);
				goto out;
			}
			line[n++] = text[pos++];
		}
		pos++; /* the newline */
		line[n] = '\0';
		l = trim(line);
		if (*l == '\0' || *l == '#')
			continue;
		eq = strchr(l, '=');
		if (eq == NULL) {
			snprintf(errbuf, errlen, "line %u: expected key = value",
				 lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(l);
		val = trim(eq + 1);
		if (strcmp(key, "party") == 0 && !(have & 1)) {
			if (!party_id_valid(val)) {
				snprintf(errbuf, errlen,
					 "line %u: party is not a party id",
					 lineno);
				goto out;
			}
			snprintf(tmp.party, sizeof(tmp.party), "%s", val);
			have |= 1;
		} else if (strcmp(key, "signing_secret") == 0 && !(have & 2)) {
			uint8_t pk[32], seed[32], sk[64];
			int bad;

			/*
			 * The second half of a libsodium secret key is its
			 * public key; _sk_to_pk only copies it. Derive it from
			 * the seed instead: signing with a wrong public half
			 * makes bad signatures and can leak the secret key.
			 */
			bad = hex_exact(val, tmp.sign_sk, 64) != 0 ||
			      crypto_sign_ed25519_sk_to_seed(seed,
							     tmp.sign_sk) != 0 ||
			      crypto_sign_seed_keypair(pk, sk, seed) != 0 ||
			      sodium_memcmp(pk, tmp.sign_sk + 32, 32) != 0;
			sodium_memzero(seed, sizeof(seed));
			sodium_memzero(sk, sizeof(sk));
			if (bad) {
				snprintf(errbuf, errlen,
					 "line %u: signing_secret is not an "
					 "Ed25519 secret key in 128 hex digits",
					 lineno);
				goto out;
			}
			memcpy(tmp.sign_pk, pk, 32);
			have |= 2;
		} else if (strcmp(key, "transport_secret") == 0 &&
			   !(have & 4)) {
			if (!z85_valid(val)) {
				snprintf(errbuf, errlen,
					 "line %u: transport_secret is not 40 "
					 "Z85 characters",
					 lineno);
				goto out;
			}
			snprintf(tmp.transport_sk, sizeof(tmp.transport_sk),
				 "%s", val);
			have |= 4;
		} else if (strcmp(key, "transport_public") == 0 &&
			   !(have & 8)) {
			if (!z85_valid(val)) {
				snprintf(errbuf, errlen,
					 "line %u: transport_public is not 40 "
					 "Z85 characters",
					 lineno);
				goto out;
			}
			snprintf(tmp.transport_pk, sizeof(tmp.transport_pk),
				 "%s", val);
			have |= 8;
			public_line = lineno;
		} else if (strcmp(key, "pseudonym_secret") == 0 &&
			   !(have & 16)) {
			if (hex_exact(val, tmp.pseudonym_key, 32) != 0) {
				snprintf(errbuf, errlen,
					 "line %u: pseudonym_secret is not 64 "
					 "hex digits",
					 lineno);
				goto out;
			}
			have |= 16;
		} else {
			snprintf(errbuf, errlen,
				 "line %u: unknown or repeated key '%.40s'",
				 lineno, key);
			goto out;
		}
	}
	if (have != 31) {
		snprintf(errbuf, errlen,
			 "key file lacks %s",
			 !(have & 1)    ? "party"
			 : !(have & 2)  ? "signing_secret"
			 : !(have & 4)  ? "transport_secret"
			 : !(have & 8)  ? "transport_public"
					: "pseudonym_secret");
		goto out;
	}
	{
		char derived[KEYFILE_Z85_LEN + 1];

		if (zmq_curve_public(derived, tmp.transport_sk) != 0 ||
		    strcmp(derived, tmp.transport_pk) != 0) {
			snprintf(errbuf, errlen,
				 "line %u: transport_public does not belong "
				 "to transport_secret",
				 public_line);
			goto out;
		}
	}
	memcpy(k, &tmp, sizeof(tmp));
	rc = 0;
out:
	sodium_memzero(line, sizeof(line));
	sodium_memzero(&tmp, sizeof(tmp));
	return rc;
}

int
keyfile_read(const char *path, struct keyfile *k, char *errbuf, size_t errlen)
{
	char buf[KEYFILE_MAX_SIZE + 1];
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(errbuf, errlen, "cannot open key file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "key file %s is not a regular file",
			 path);
		close(fd);
		return -1;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(errbuf, errlen,
			 "key file %s is readable by others (mode %03o); run "
			 "chmod 600 on it",
			 path, (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	close(fd);
	if (n < 0) {
		snprintf(errbuf, errlen, "cannot read key file %s", path);
		return -1;
	}
	rc = keyfile_parse(buf, got, k, errbuf, errlen);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int
keyfile_write(const char *path, const struct keyfile *k, char *errbuf,
	      size_t errlen)
{
	char sk_hex[129], ps_hex[65];
	char text[1024];
	int fd, n, rc = -1;

	sodium_bin2hex(sk_hex, sizeof(sk_hex), k->sign_sk, 64);
	sodium_bin2hex(ps_hex, sizeof(ps_hex), k->pseudonym_key, 32);
	n = snprintf(text, sizeof(text),
		     "# RET federation secret keys of %s.\n"
		     "# Keep this file private: mode 0600, never copy it.\n"
		     "party = %s\n"
		     "signing_secret = %s\n"
		     "transport_secret = %s\n"
		     "transport_public = %s\n"
		     "pseudonym_secret = %s\n",
		     k->party, k->party, sk_hex, k->transport_sk,
		     k->transport_pk, ps_hex);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0) {
		snprintf(errbuf, errlen, "cannot create %s: %s", path,
			 errno == EEXIST ? "it exists already (not overwritten)"
					 : strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, text, (size_t)n) != n ||
	    fsync(fd) != 0) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path,
			 strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	sodium_memzero(sk_hex, sizeof(sk_hex));
	sodium_memzero(ps_hex, sizeof(ps_hex));
	sodium_memzero(text, sizeof(text));
	return rc;
}

int
keyfile_public_text(const struct keyfile *k, char *out, size_t outlen)
{
	char pk_hex[65];
	int n;

	sodium_bin2hex(pk_hex, sizeof(pk_hex), k->sign_pk, 32);
	n = snprintf(out, outlen,
		     "[party %s]\nsigning_key = %s\ntransport_key = %s\n",
		     k->party, pk_hex, k->transport_pk);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

void
keyfile_wipe(struct keyfile *k)
{
	sodium_memzero(k, sizeof(*k));
}
