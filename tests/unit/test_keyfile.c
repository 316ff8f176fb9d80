/*
 * test_keyfile: secret key files and public key lines (keyfile.h).
 * generate -> write -> read round trips in a private temporary directory;
 * a write never overwrites; a read refuses a file group or others can
 * read, a non-regular file and a symlink; every parse error names its line;
 * transport_public must belong to transport_secret; the public text has
 * the exact configuration form.
 *
 * With RET_WRITE_CORPUS=<dir>, valid key files are also written to
 * <dir>/keyfile as fuzz seeds (throwaway keys, never used anywhere).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "keyfile.h"

static char tmpdir[256];

static int
group_setup(void **state)
{
	const char *base = getenv("TMPDIR");

	if (sodium_init() < 0)
		return -1;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_keyfile.XXXXXX",
		 base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

/* Remove the files the tests made, then the directory. */
static int
group_teardown(void **state)
{
	static const char *const names[] = {"a.key", "b.key", "open.key",
					    "big.key", "link.key", "sub"};
	char path[512];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		if (unlink(path) != 0)
			rmdir(path);
	}
	return rmdir(tmpdir);
}

static void
path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

/* The text of a key file for k, as keyfile_write lays it out. */
static void
text_of(const struct keyfile *k, char *out, size_t n)
{
	char sk[129], ps[65];

	sodium_bin2hex(sk, sizeof(sk), k->sign_sk, 64);
	sodium_bin2hex(ps, sizeof(ps), k->pseudonym_key, 32);
	snprintf(out, n,
		 "party = %s\nsigning_secret = %s\ntransport_secret = %s\n"
		 "transport_public = %s\npseudonym_secret = %s\n",
		 k->party, sk, k->transport_sk, k->transport_pk, ps);
}

static void
test_generate(void **state)
{
	struct keyfile k, z;
	uint8_t pk[32];
	char derived[KEYFILE_Z85_LEN + 1];

	assert_int_equal(keyfile_generate("region:noord-limburg", &k), 0);
	assert_string_equal(k.party, "region:noord-limburg");
	/* The public key derived from the seed, not copied from sk. */
	{
		uint8_t seed[32], sk[64];

		assert_int_equal(
			crypto_sign_ed25519_sk_to_seed(seed, k.sign_sk), 0);
		assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
		assert_memory_equal(pk, k.sign_pk, 32);
		assert_memory_equal(sk, k.sign_sk, 64);
	}
	assert_int_equal(strlen(k.transport_sk), KEYFILE_Z85_LEN);
	assert_int_equal(zmq_curve_public(derived, k.transport_sk), 0);
	assert_string_equal(derived, k.transport_pk);
	memset(&z, 0, sizeof(z));
	assert_memory_not_equal(k.pseudonym_key, z.pseudonym_key, 32);

	assert_int_equal(keyfile_generate("noord-limburg", &k), -1);
	assert_int_equal(keyfile_generate("region:", &k), -1);
	keyfile_wipe(&k);
	assert_memory_equal(&k, &z, sizeof(k));
}

static void
test_write_read_round_trip(void **state)
{
	struct keyfile k, back;
	char path[512], err[256];
	struct stat st;

	assert_int_equal(keyfile_generate("desk:bel-roermond", &k), 0);
	path_of(path, sizeof(path), "a.key");
	assert_int_equal(keyfile_write(path, &k, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	memset(&back, 0, sizeof(back));
	if (keyfile_read(path, &back, err, sizeof(err)) != 0)
		print_error("%s\n", err);
	assert_int_equal(keyfile_read(path, &back, err, sizeof(err)), 0);
	assert_string_equal(back.party, k.party);
	assert_memory_equal(back.sign_sk, k.sign_sk, 64);
	assert_memory_equal(back.sign_pk, k.sign_pk, 32);
	assert_string_equal(back.transport_sk, k.transport_sk);
	assert_string_equal(back.transport_pk, k.transport_pk);
	assert_memory_equal(back.pseudonym_key, k.pseudonym_key, 32);
}

static void
test_write_refuses_overwrite(void **state)
{
	struct keyfile k, old;
	char path[512], err[256];

	path_of(path, sizeof(path), "b.key");
	assert_int_equal(keyfile_generate("region:twente", &old), 0);
	assert_int_equal(keyfile_write(path, &old, err, sizeof(err)), 0);
	assert_int_equal(keyfile_generate("region:twente", &k), 0);
	assert_int_equal(keyfile_write(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists already"));
	assert_non_null(strstr(err, path));
	/* The old keys are still there. */
	assert_int_equal(keyfile_read(path, &k, err, sizeof(err)), 0);
	assert_memory_equal(k.sign_sk, old.sign_sk, 64);
	/* A directory that does not exist. */
	path_of(path, sizeof(path), "missing/c.key");
	assert_int_equal(keyfile_write(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
}

static void
test_read_refuses_open_modes(void **state)
{
	static const mode_t open_modes[] = {0644, 0640, 0604, 0660, 0602,
					    0610, 0601};
	struct keyfile k, back;
	char path[512], err[256];
	size_t i;

	path_of(path, sizeof(path), "open.key");
	assert_int_equal(keyfile_generate("region:twente", &k), 0);
	assert_int_equal(keyfile_write(path, &k, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		char mode[8];

		assert_int_equal(chmod(path, open_modes[i]), 0);
		memset(&back, 0x11, sizeof(back));
		assert_int_equal(keyfile_read(path, &back, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "readable by others"));
		snprintf(mode, sizeof(mode), "%03o",
			 (unsigned)open_modes[i]);
		assert_non_null(strstr(err, mode));
		assert_non_null(strstr(err, "chmod 600"));
		/* Nothing was written. */
		assert_int_equal(back.party[0], 0x11);
	}
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(keyfile_read(path, &back, err, sizeof(err)), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static void
test_read_refuses_other_files(void **state)
{
	struct keyfile k;
	char path[512], target[512], err[256];
	int fd;

	/* Missing. */
	path_of(path, sizeof(path), "nope.key");
	assert_int_equal(keyfile_read(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	/* A directory. */
	path_of(path, sizeof(path), "sub");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(keyfile_read(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	/* A symlink to a good key file is not followed. */
	path_of(target, sizeof(target), "a.key");
	path_of(path, sizeof(path), "link.key");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(keyfile_read(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot open"));
	/* Larger than KEYFILE_MAX_SIZE, mode 0600. */
	path_of(path, sizeof(path), "big.key");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	{
		char junk[KEYFILE_MAX_SIZE + 1];

		memset(junk, '#', sizeof(junk));
		assert_int_equal(write(fd, junk, sizeof(junk)),
				 (ssize_t)sizeof(junk));
	}
	close(fd);
	assert_int_equal(keyfile_read(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 4096"));
}

/* keyfile_parse of `text`; returns the result, error text in err. */
static int
parse(const char *text, struct keyfile *k, char *err, size_t errlen)
{
	err[0] = '\0';
	return keyfile_parse(text, strlen(text), k, err, errlen);
}

static void
test_parse_format(void **state)
{
	struct keyfile k, back;
	char text[2048], alt[2400], err[256];
	char sk[129], ps[65];

	assert_int_equal(keyfile_generate("relay:ben-zuid", &k), 0);
	text_of(&k, text, sizeof(text));
	assert_int_equal(parse(text, &back, err, sizeof(err)), 0);
	assert_string_equal(back.party, "relay:ben-zuid");

	/* Comments, blank lines, tabs, CRLF, any order, no final newline. */
	sodium_bin2hex(sk, sizeof(sk), k.sign_sk, 64);
	sodium_bin2hex(ps, sizeof(ps), k.pseudonym_key, 32);
	snprintf(alt, sizeof(alt),
		 "# a comment\r\n\r\n   \t\n"
		 "pseudonym_secret=%s\r\n"
		 "\ttransport_public\t=\t%s  \r\n"
		 "  # indented comment\n"
		 "transport_secret =%s\n"
		 "signing_secret= %s\n"
		 "party = relay:ben-zuid",
		 ps, k.transport_pk, k.transport_sk, sk);
	memset(&back, 0, sizeof(back));
	if (parse(alt, &back, err, sizeof(err)) != 0)
		print_error("%s\n", err);
	assert_int_equal(parse(alt, &back, err, sizeof(err)), 0);
	assert_memory_equal(back.sign_sk, k.sign_sk, 64);
	assert_memory_equal(back.pseudonym_key, k.pseudonym_key, 32);
	assert_string_equal(back.transport_pk, k.transport_pk);

	/* Upper-case hex is hex too. */
	{
		size_t i;

		for (i = 0; i < 128; i++)
			if (sk[i] >= 'a' && sk[i] <= 'f')
				sk[i] = (char)(sk[i] - 'a' + 'A');
		snprintf(alt, sizeof(alt),
			 "party = relay:ben-zuid\nsigning_secret = %s\n"
			 "transport_secret = %s\ntransport_public = %s\n"
			 "pseudonym_secret = %s\n",
			 sk, k.transport_sk, k.transport_pk, ps);
		assert_int_equal(parse(alt, &back, err, sizeof(err)), 0);
	}
}

/*
 * Replace line `lineno` (1-based) of the valid text with `repl` (which may
 * hold several lines, or none) and check that parsing fails with a
 * sentence containing `want`.
 */
static void
expect_line_error(const char *valid, int lineno, const char *repl,
		  const char *want)
{
	char text[4096], err[256];
	struct keyfile k;
	const char *p = valid;
	size_t n = 0;
	int line = 1;

	memset(&k, 0x33, sizeof(k));
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);

		if (line == lineno) {
			size_t r = strlen(repl);

			memcpy(text + n, repl, r);
			n += r;
		} else {
			memcpy(text + n, p, len);
			n += len;
		}
		p += len;
		line++;
	}
	text[n] = '\0';
	if (keyfile_parse(text, n, &k, err, sizeof(err)) != -1)
		print_error("line %d: accepted '%s'\n", lineno, repl);
	assert_int_equal(keyfile_parse(text, n, &k, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		print_error("line %d: want '%s', got '%s'\n", lineno, want,
			    err);
	assert_non_null(strstr(err, want));
	/* k is only written on success. */
	assert_int_equal(k.party[0], 0x33);
}

static void
test_parse_errors_name_their_line(void **state)
{
	struct keyfile k, other;
	char valid[2048], line[300], sk[129];

	assert_int_equal(keyfile_generate("region:twente", &k), 0);
	assert_int_equal(keyfile_generate("region:twente", &other), 0);
	text_of(&k, valid, sizeof(valid));

	expect_line_error(valid, 1, "party region:twente\n",
			  "line 1: expected key = value");
	expect_line_error(valid, 1, "party = twente\n",
			  "line 1: party is not a party id");
	expect_line_error(valid, 1, "party = region:Twente\n",
			  "line 1: party is not a party id");
	expect_line_error(valid, 1, "party =\n",
			  "line 1: party is not a party id");
	expect_line_error(valid, 2, "signing_secret = 00\n",
			  "line 2: signing_secret is not");
	sodium_bin2hex(sk, sizeof(sk), k.sign_sk, 64);
	sk[5] = 'x';
	snprintf(line, sizeof(line), "signing_secret = %s\n", sk);
	expect_line_error(valid, 2, line, "line 2: signing_secret is not");
	/* A secret key whose public half is someone else's. */
	{
		uint8_t mixed[64];

		memcpy(mixed, k.sign_sk, 32);
		memcpy(mixed + 32, other.sign_pk, 32);
		sodium_bin2hex(sk, sizeof(sk), mixed, 64);
		snprintf(line, sizeof(line), "signing_secret = %s\n", sk);
		expect_line_error(valid, 2, line,
				  "line 2: signing_secret is not an Ed25519");
	}
	expect_line_error(valid, 3, "transport_secret = short\n",
			  "line 3: transport_secret is not 40 Z85");
	expect_line_error(valid, 3,
			  "transport_secret = "
			  "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n",
			  "line 3: transport_secret");
	expect_line_error(valid, 4,
			  "transport_public = "
			  "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\""
			  "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\n",
			  "line 4: transport_public is not 40 Z85");
	expect_line_error(valid, 5, "pseudonym_secret = abcd\n",
			  "line 5: pseudonym_secret is not 64 hex");
	/* Unknown and repeated keys, after a comment line. */
	expect_line_error(valid, 5, "# note\nbsn = 123456782\n",
			  "line 6: unknown or repeated key 'bsn'");
	expect_line_error(valid, 2, "party = region:twente\n",
			  "line 2: unknown or repeated key 'party'");
	expect_line_error(valid, 3, "\n\n\n= value\n",
			  "line 6: unknown or repeated key ''");
	/* A NUL byte, and a line over 511 bytes. */
	{
		char text[4096], err[256];
		size_t n;

		n = (size_t)snprintf(text, sizeof(text), "%s", valid);
		text[10] = '\0';
		assert_int_equal(keyfile_parse(text, n, &k, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "line 1: NUL byte"));
		memset(line, 'x', 299);
		line[299] = '\0';
		n = (size_t)snprintf(text, sizeof(text), "# %s%s\n%s", line,
				     line, valid);
		assert_int_equal(keyfile_parse(text, n, &k, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "line 1: too long"));
		{
			static char big[KEYFILE_MAX_SIZE + 1];

			memset(big, '\n', sizeof(big));
			assert_int_equal(keyfile_parse(big, sizeof(big), &k,
						       err, sizeof(err)),
					 -1);
		}
		assert_non_null(strstr(err, "larger than"));
	}
}

static void
test_parse_missing_and_mismatch(void **state)
{
	struct keyfile k, other;
	char valid[2048], err[256];
	static const char *const names[] = {"party", "signing_secret",
					    "transport_secret",
					    "transport_public",
					    "pseudonym_secret"};
	int i;

	assert_int_equal(keyfile_generate("region:twente", &k), 0);
	assert_int_equal(keyfile_generate("region:twente", &other), 0);
	text_of(&k, valid, sizeof(valid));
	for (i = 0; i < 5; i++) {
		char want[64];

		snprintf(want, sizeof(want), "key file lacks %s", names[i]);
		expect_line_error(valid, i + 1, "", want);
		expect_line_error(valid, i + 1, "# gone\n", want);
	}
	assert_int_equal(parse("", &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "lacks party"));

	/* transport_public must belong to transport_secret. */
	{
		char line[80];

		snprintf(line, sizeof(line), "transport_public = %s\n",
			 other.transport_pk);
		expect_line_error(valid, 4, line,
				  "line 4: transport_public does not belong "
				  "to transport_secret");
	}
}

static void
test_public_text(void **state)
{
	struct keyfile k;
	char out[512], want[512], hex[65];
	int n;

	assert_int_equal(keyfile_generate("region:westfriesland", &k), 0);
	sodium_bin2hex(hex, sizeof(hex), k.sign_pk, 32);
	snprintf(want, sizeof(want),
		 "[party region:westfriesland]\nsigning_key = %s\n"
		 "transport_key = %s\n",
		 hex, k.transport_pk);
	n = keyfile_public_text(&k, out, sizeof(out));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
	/* No secret in it. */
	sodium_bin2hex(hex, sizeof(hex), k.sign_sk, 32);
	assert_null(strstr(out, hex));
	assert_null(strstr(out, k.transport_sk));
	/* Too small a buffer: -1, still terminated. */
	assert_int_equal(keyfile_public_text(&k, out, 20), -1);
	assert_true(strlen(out) < 20);
	assert_int_equal(keyfile_public_text(&k, out, (size_t)n), -1);
	assert_int_equal(keyfile_public_text(&k, out, (size_t)n + 1), n);

	/* The public lines parse with the public helpers. */
	{
		uint8_t pk[32];

		sodium_bin2hex(hex, sizeof(hex), k.sign_pk, 32);
		assert_int_equal(keyfile_parse_signing_public(hex, pk), 0);
		assert_memory_equal(pk, k.sign_pk, 32);
		assert_int_equal(
			keyfile_parse_transport_public(k.transport_pk), 0);
	}
}

static void
test_public_parsers(void **state)
{
	uint8_t pk[32];
	char hex[66];

	memset(hex, 'a', 64);
	hex[64] = '\0';
	assert_int_equal(keyfile_parse_signing_public(hex, pk), 0);
	assert_int_equal(pk[0], 0xaa);
	hex[63] = '\0';
	assert_int_equal(keyfile_parse_signing_public(hex, pk), -1);
	hex[63] = 'a';
	hex[64] = 'a';
	hex[65] = '\0';
	assert_int_equal(keyfile_parse_signing_public(hex, pk), -1);
	hex[64] = '\0';
	hex[10] = 'g';
	assert_int_equal(keyfile_parse_signing_public(hex, pk), -1);
	hex[10] = ' ';
	assert_int_equal(keyfile_parse_signing_public(hex, pk), -1);
	assert_int_equal(keyfile_parse_signing_public("", pk), -1);

	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"),
			 0);
	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf"),
			 -1);
	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7x"),
			 -1);
	/* Characters outside the Z85 alphabet. */
	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf~"),
			 -1);
	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\""),
			 -1);
	assert_int_equal(keyfile_parse_transport_public(
				 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y"
				 "\xc3\xa9"),
			 -1);
	/* Five characters whose value does not fit in 32 bits. */
	assert_int_equal(keyfile_parse_transport_public(
				 "#####U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
				 "00"),
			 -1);
	assert_int_equal(keyfile_parse_transport_public(""), -1);
}

/* With RET_WRITE_CORPUS set, write key file seeds for the fuzzer. */
/* The text of $RET_VECTORS_DIR/name (malloc'ed, NUL-terminated). */
static char *
vector_text(const char *name, size_t *len)
{
	const char *dir = getenv("RET_VECTORS_DIR");
	char path[512];
	FILE *f;
	char *buf;
	size_t n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf = calloc(1, KEYFILE_MAX_SIZE + 1);
	assert_non_null(buf);
	n = fread(buf, 1, KEYFILE_MAX_SIZE, f);
	fclose(f);
	*len = n;
	return buf;
}

/*
 * tests/vectors/keyfile.secret, the documented format (docs/protocol.md
 * 13) made from fixed bytes: it parses, every value is what the format
 * says it is (seed, its public key and key id, the transport pair and its
 * Z85 text, the pseudonym secret), and the public text is
 * tests/vectors/keyfile.public byte for byte.
 */
static void
test_vector(void **state)
{
	struct keyfile k;
	char err[256], text[512], hex[129];
	uint8_t seed[32], pk[32], sk[64], tsk[32], tpk[32], h[32];
	char z85[KEYFILE_Z85_LEN + 1];
	size_t len = 0, plen = 0, i;
	char *vec = vector_text("keyfile.secret", &len);
	char *pub = vector_text("keyfile.public", &plen);

	(void)state;
	if (keyfile_parse(vec, len, &k, err, sizeof(err)) != 0)
		fail_msg("keyfile.secret: %s", err);
	assert_string_equal(k.party, "region:noord-limburg");
	for (i = 0; i < 32; i++) {
		seed[i] = (uint8_t)i;
		tsk[i] = (uint8_t)(0x20 + i);
	}
	/* signing_secret: the seed, then its public key (libsodium form). */
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_memory_equal(k.sign_sk, seed, 32);
	assert_memory_equal(k.sign_pk, pk, 32);
	assert_memory_equal(k.sign_sk + 32, pk, 32);
	sodium_bin2hex(hex, sizeof(hex), pk, 32);
	assert_string_equal(hex, "03a107bff3ce10be1d70dd18e74bc09967e4d630"
				 "9ba50d5f1ddc8664125531b8");
	crypto_generichash(h, 32, pk, 32, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, 8);
	assert_non_null(strstr(vec, "# key_id = 9d24e2eeaf27c2a0\n"));
	assert_string_equal(hex, "9d24e2eeaf27c2a0");
	/* transport: Z85 (ZeroMQ RFC 32) of the 32-byte Curve25519 keys. */
	assert_non_null(zmq_z85_encode(z85, tsk, 32));
	assert_string_equal(k.transport_sk, z85);
	assert_int_equal(crypto_scalarmult_base(tpk, tsk), 0);
	assert_non_null(zmq_z85_encode(z85, tpk, 32));
	assert_string_equal(k.transport_pk, z85);
	for (i = 0; i < 32; i++)
		assert_int_equal(k.pseudonym_key[i], 0x40 + i);
	/* The lines that go into other parties' configuration. */
	assert_true(keyfile_public_text(&k, text, sizeof(text)) > 0);
	assert_int_equal(strlen(text), plen);
	assert_memory_equal(text, pub, plen);
	keyfile_wipe(&k);
	free(vec);
	free(pub);
}

static void
test_write_corpus(void **state)
{
	static const char *const parties[] = {"region:noord-limburg",
					      "desk:bel-roermond",
					      "relay:ben-zuid"};
	const char *dir = getenv("RET_WRITE_CORPUS");
	struct keyfile k;
	char path[1024], err[256];
	size_t i;

	if (dir == NULL || *dir == '\0') {
		skip();
		return;
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(keyfile_generate(parties[i], &k), 0);
		snprintf(path, sizeof(path), "%s/keyfile/valid-%zu.key", dir,
			 i);
		assert_int_equal(keyfile_write(path, &k, err, sizeof(err)), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_write_read_round_trip),
		cmocka_unit_test(test_write_refuses_overwrite),
		cmocka_unit_test(test_read_refuses_open_modes),
		cmocka_unit_test(test_read_refuses_other_files),
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_parse_errors_name_their_line),
		cmocka_unit_test(test_parse_missing_and_mismatch),
		cmocka_unit_test(test_public_text),
		cmocka_unit_test(test_public_parsers),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_write_corpus),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
