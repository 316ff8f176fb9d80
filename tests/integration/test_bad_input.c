/*
 * test_bad_input: the bad-input matrix against a live ret-relay (issue 9).
 *
 * A real ret-relay process on 127.0.0.1 with real keys; every bad input is
 * sent over an authenticated CURVE connection (as the region
 * noord-limburg, or as the desk bel-roermond where the row needs a desk).
 * For each row of the table:
 *
 * - the answer is the one docs/protocol.md documents (sections 4, 7, 9
 *   and 10): a Nack with that reason, an Ack marked duplicate, or no reply
 *   at all where the transport drops the connection (a ZeroMQ message over
 *   ZMQ_MAXMSGSIZE);
 * - the relay's store is unchanged: the relay's SQLite file, opened
 *   read-only, has the same rows (digest of every column) before and after,
 *   leaving out only what the honest client stored meanwhile;
 * - the relay logged exactly one `event=nack peer=<party> reason=<reason>`
 *   line for it (none for the duplicate and the dropped connection);
 * - an honest client (the region zuid-limburg) submitting at the same time
 *   on its own connection gets its Ack.
 *
 * The table of inputs and answers is printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>
#include <sqlite3.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include "harness.h"
#include "wire_error.h"

#define REPLY_MS 5000
#define DROP_MS 1500
#define START_MS 10000
#define ROW_MIN_MS 120 /* the relay writes at most 20 nack lines/s/party */
#define KIND(x) RETFED__V1__KIND__KIND_##x
#define FRAME(x) RETFED__V1__RELAY_FRAME__FRAME_##x

#define ATTACKER "region:noord-limburg"
#define HONEST "region:zuid-limburg"
#define DESK "desk:bel-roermond"

/* What a row must get back. */
#define ANSWER_ACK_DUPLICATE (-2)
#define ANSWER_DROPPED (-1)

enum by { BY_REGION, BY_DESK };

struct world {
	char *dir;
	struct harness_relay relay;
	struct keyfile nl, zl, desk, stranger;
	char parties[8192];
	struct harness_client *honest;
	uint64_t honest_seq;     /* last seq the honest client had acked */
	uint8_t esc_id[16];      /* an escalation of noord-limburg, seq 1 */
	uint8_t *seq2_env;       /* the stored bytes of its seq 2 */
	size_t seq2_len;
};

/* One row: a name, who sends it, how its bytes are made, the answer. */
struct row {
	const char *input;
	enum by by;
	int (*make)(struct world *w, uint8_t **buf, size_t *len);
	int want;        /* a wire reason, ANSWER_ACK_DUPLICATE, ANSWER_DROPPED */
	int multipart;   /* sent as two ZeroMQ message parts */
};

/* The relay's rows that the honest client does not write. */
static const char *const store_queries[] = {
	"SELECT id, msgid, sender, origin, seq, kind, request_id, stored_ms,"
	" envelope FROM messages WHERE sender <> '" HONEST "' ORDER BY id",
	"SELECT party, last_seq FROM senders WHERE party <> '" HONEST "'"
	" ORDER BY party",
	"SELECT d.cursor, d.recipient, d.msg FROM deliveries d"
	" JOIN messages m ON m.id = d.msg WHERE m.sender <> '" HONEST "'"
	" ORDER BY d.cursor",
	"SELECT party, confirmed FROM recipients ORDER BY party",
	"SELECT id, party, msgid, recipient, received_ms FROM receipts"
	" ORDER BY id",
	NULL};

/* ---------------------------------------------------------------------- */
/* Counting log lines, digesting a database */

/* How many times needle occurs in the file at path; 0 if unreadable. */
static size_t
count_in_file(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb");
	char *buf, *p;
	long size;
	size_t n, count = 0, nlen = strlen(needle);

	if (f == NULL)
		return 0;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || nlen == 0 ||
	    (buf = malloc((size_t)size + 1)) == NULL) {
		fclose(f);
		return 0;
	}
	n = fread(buf, 1, (size_t)size, f);
	buf[n] = '\0';
	fclose(f);
	for (p = strstr(buf, needle); p != NULL; p = strstr(p + nlen, needle))
		count++;
	free(buf);
	return count;
}

/* Feed one column value, typed and length-prefixed, into the digest. */
static void
digest_column(crypto_generichash_state *h, sqlite3_stmt *st, int col)
{
	uint8_t type = (uint8_t)sqlite3_column_type(st, col);

	crypto_generichash_update(h, &type, 1);
	if (type == SQLITE_INTEGER) {
		int64_t v = sqlite3_column_int64(st, col);

		crypto_generichash_update(h, (const uint8_t *)&v, sizeof(v));
	} else if (type != SQLITE_NULL) {
		const void *data = sqlite3_column_blob(st, col);
		uint64_t len = (uint64_t)sqlite3_column_bytes(st, col);

		crypto_generichash_update(h, (const uint8_t *)&len,
					  sizeof(len));
		if (data != NULL && len > 0)
			crypto_generichash_update(h, data, len);
	}
}

/*
 * Open the SQLite file at path read-only and digest every column of every
 * row of each query (NULL-terminated list), in one read transaction; row
 * counts into rows[i]. Returns 0 or -1.
 */
static int
db_digest(const char *path, const char *const queries[], uint8_t out[32],
	  long long *rows)
{
	crypto_generichash_state h;
	sqlite3 *db = NULL;
	int rc = -1;
	size_t q;

	memset(out, 0, 32);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	sqlite3_busy_timeout(db, 2000);
	crypto_generichash_init(&h, NULL, 0, 32);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	for (q = 0; queries[q] != NULL; q++) {
		sqlite3_stmt *st = NULL;
		long long n = 0;
		int step;

		if (sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) !=
		    SQLITE_OK)
			goto done;
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int col, ncol = sqlite3_column_count(st);

			for (col = 0; col < ncol; col++)
				digest_column(&h, st, col);
			n++;
		}
		sqlite3_finalize(st);
		if (step != SQLITE_DONE)
			goto done;
		crypto_generichash_update(&h, (const uint8_t *)&n, sizeof(n));
		if (rows != NULL)
			rows[q] = n;
	}
	crypto_generichash_final(&h, out, 32);
	rc = 0;
done:
	if (db != NULL) {
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Making inputs */

static int
seal(const struct keyfile *k, const struct harness_env *e, uint8_t **buf,
     size_t *len)
{
	uint8_t id[16];

	return harness_seal(k, e, id, buf, len);
}

/* A valid envelope of noord-limburg, next in its sequence (3). */
static int
good_env(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {0};

	e.kind = KIND(ESCALATION);
	e.seq = 3;
	return seal(&w->nl, &e, buf, len);
}

/* Wrap an envelope into a Submit frame; frees env. */
static int
as_submit(uint8_t *env, size_t env_len, uint8_t **buf, size_t *len)
{
	int rc = frame_pack_submit(env, env_len, buf, len);

	free(env);
	return rc;
}

/* Offset of the first occurrence of needle in hay, or -1. */
static long
find_bytes(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; k <= n && i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return (long)i;
	return -1;
}

/* A good envelope with byte `at` of its text field "test text" set. */
static int
env_text_byte(struct world *w, uint8_t **buf, size_t *len, size_t at,
	      int xor_mask, uint8_t value)
{
	uint8_t *env = NULL;
	size_t n = 0;
	long off;

	if (good_env(w, &env, &n) != 0)
		return -1;
	off = find_bytes(env, n, "test text");
	if (off < 0) {
		free(env);
		return -1;
	}
	if (xor_mask)
		env[(size_t)off + at] ^= (uint8_t)xor_mask;
	else
		env[(size_t)off + at] = value;
	return as_submit(env, n, buf, len);
}

/* A good envelope with one Body header byte changed: the varint after
 * tag `tag` (the Body starts after the Envelope's tag and 2-byte
 * length). */
static int
env_header_value(struct world *w, uint8_t **buf, size_t *len, uint8_t tag,
		 uint8_t value)
{
	uint8_t *env = NULL;
	size_t n = 0, i;

	if (good_env(w, &env, &n) != 0)
		return -1;
	/* 0a <2-byte length> 08 01 10 01 ...: version, then kind. */
	for (i = 3; i + 1 < n && i < 8; i += 2)
		if (env[i] == tag) {
			env[i + 1] = value;
			return as_submit(env, n, buf, len);
		}
	free(env);
	return -1;
}

static int
mk_truncated_frame(struct world *w, uint8_t **buf, size_t *len)
{
	/* Field 1 (submit) announces 100 bytes and brings 3. */
	static const uint8_t junk[] = {0x0a, 0x64, 0x01, 0x02, 0x03};

	(void)w;
	*buf = malloc(sizeof(junk));
	if (*buf == NULL)
		return -1;
	memcpy(*buf, junk, sizeof(junk));
	*len = sizeof(junk);
	return 0;
}

static int
mk_truncated_submit(struct world *w, uint8_t **buf, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_env(w, &env, &n) != 0 || as_submit(env, n, buf, len) != 0)
		return -1;
	*len -= 20; /* the last 20 bytes of the signature are missing */
	return 0;
}

static int
mk_oversized_frame(struct world *w, uint8_t **buf, size_t *len)
{
	(void)w;
	*len = 70000; /* over ZMQ_MAXMSGSIZE (65 536) */
	*buf = calloc(1, *len);
	return *buf == NULL ? -1 : 0;
}

static int
mk_oversized_envelope(struct world *w, uint8_t **buf, size_t *len)
{
	/* A frame under the transport limit whose envelope is over its
	 * limit of 61 568 bytes. */
	size_t n = 62000;
	uint8_t *env = calloc(1, n);

	(void)w;
	if (env == NULL)
		return -1;
	return as_submit(env, n, buf, len);
}

static int
mk_random_bytes(struct world *w, uint8_t **buf, size_t *len)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = "bad-input matrix";

	(void)w;
	*len = 512;
	*buf = malloc(*len);
	if (*buf == NULL)
		return -1;
	randombytes_buf_deterministic(*buf, *len, seed);
	return 0;
}

static int
mk_bytes(const uint8_t *src, size_t n, uint8_t **buf, size_t *len)
{
	*buf = malloc(n);
	if (*buf == NULL)
		return -1;
	memcpy(*buf, src, n);
	*len = n;
	return 0;
}

static int
mk_wire_type_frame(struct world *w, uint8_t **buf, size_t *len)
{
	/* ClientFrame.submit (bytes) sent as a varint. */
	static const uint8_t b[] = {0x08, 0x01};

	(void)w;
	return mk_bytes(b, sizeof(b), buf, len);
}

static int
mk_wire_type_envelope(struct world *w, uint8_t **buf, size_t *len)
{
	/* A Submit whose Envelope has its body (bytes) as a varint. */
	static const uint8_t env[] = {0x08, 0x01, 0x12, 0x01, 0x00};
	uint8_t *copy = NULL;
	size_t n = 0;

	(void)w;
	if (mk_bytes(env, sizeof(env), &copy, &n) != 0)
		return -1;
	return as_submit(copy, n, buf, len);
}

static int
mk_unknown_field_frame(struct world *w, uint8_t **buf, size_t *len)
{
	/* ClientFrame field 15, which the schema does not define. */
	static const uint8_t b[] = {0x78, 0x01};

	(void)w;
	return mk_bytes(b, sizeof(b), buf, len);
}

static int
mk_unknown_field_envelope(struct world *w, uint8_t **buf, size_t *len)
{
	uint8_t *env = NULL, *more;
	size_t n = 0;

	if (good_env(w, &env, &n) != 0)
		return -1;
	more = realloc(env, n + 2);
	if (more == NULL) {
		free(env);
		return -1;
	}
	more[n] = 0x18; /* Envelope field 3, varint */
	more[n + 1] = 0x01;
	return as_submit(more, n + 2, buf, len);
}

static int
mk_flip_body(struct world *w, uint8_t **buf, size_t *len)
{
	return env_text_byte(w, buf, len, 0, 0x01, 0); /* "test" -> "uest" */
}

static int
mk_flip_signature(struct world *w, uint8_t **buf, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_env(w, &env, &n) != 0)
		return -1;
	env[n - 10] ^= 0x08;
	return as_submit(env, n, buf, len);
}

static int
mk_bad_utf8(struct world *w, uint8_t **buf, size_t *len)
{
	return env_text_byte(w, buf, len, 4, 0, 0xff);
}

static int
mk_nul_in_string(struct world *w, uint8_t **buf, size_t *len)
{
	return env_text_byte(w, buf, len, 4, 0, 0x00);
}

static int
mk_bad_version(struct world *w, uint8_t **buf, size_t *len)
{
	return env_header_value(w, buf, len, 0x08, 2);
}

static int
mk_unknown_kind(struct world *w, uint8_t **buf, size_t *len)
{
	return env_header_value(w, buf, len, 0x10, 99);
}

/* Seal e with key k (e is filled by the caller) into a Submit frame. */
static int
submit_of(const struct keyfile *k, const struct harness_env *e,
	  uint8_t **buf, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (seal(k, e, &env, &n) != 0)
		return -1;
	return as_submit(env, n, buf, len);
}

static int
mk_other_signature(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 3};

	e.sign_sk = w->zl.sign_sk;
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_unknown_key_id(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 3};

	e.key_id_pk = w->stranger.sign_pk;
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_unknown_sender(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};

	/* A party of no configuration, with its own valid signature. */
	return submit_of(&w->stranger, &e, buf, len);
}

static int
mk_impersonation(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};

	/* Noord-Limburg writes and signs as Zuid-Limburg. */
	e.sender = HONEST;
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_replay(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 2};

	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_old_seq(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};

	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_seq_gap(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 5};

	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_duplicate(struct world *w, uint8_t **buf, size_t *len)
{
	uint8_t *copy = NULL;
	size_t n = 0;

	if (mk_bytes(w->seq2_env, w->seq2_len, &copy, &n) != 0)
		return -1;
	return as_submit(copy, n, buf, len);
}

static int
mk_no_recipient(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 3};

	e.recipient = "region:nergens";
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_decision_from_region(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(DECISION), .seq = 3};

	e.recipient = HONEST;
	e.request_id = w->esc_id;
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_decision_unknown_request(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(DECISION), .seq = 1};
	uint8_t never[16];

	memset(never, 0x5a, sizeof(never));
	e.recipient = ATTACKER;
	e.request_id = never;
	return submit_of(&w->desk, &e, buf, len);
}

static int
mk_decision_other_region(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(DECISION), .seq = 1};

	/* A real request of noord-limburg, decided to zuid-limburg. */
	e.recipient = HONEST;
	e.request_id = w->esc_id;
	return submit_of(&w->desk, &e, buf, len);
}

static int
mk_desk_escalates(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 1};

	return submit_of(&w->desk, &e, buf, len);
}

static int
mk_review_to_self(struct world *w, uint8_t **buf, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 3};

	e.recipient = ATTACKER;
	return submit_of(&w->nl, &e, buf, len);
}

static int
mk_empty_submit(struct world *w, uint8_t **buf, size_t *len)
{
	/* ClientFrame.submit present with zero bytes. */
	static const uint8_t b[] = {0x0a, 0x00};

	(void)w;
	return mk_bytes(b, sizeof(b), buf, len);
}

static int
mk_good_two_parts(struct world *w, uint8_t **buf, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_env(w, &env, &n) != 0)
		return -1;
	return as_submit(env, n, buf, len);
}

static const struct row matrix[] = {
	{"truncated frame (length past the end)", BY_REGION,
	 mk_truncated_frame, WIRE_MALFORMED, 0},
	{"truncated Submit (signature cut short)", BY_REGION,
	 mk_truncated_submit, WIRE_MALFORMED, 0},
	{"frame of 70000 bytes (> ZMQ_MAXMSGSIZE)", BY_REGION,
	 mk_oversized_frame, ANSWER_DROPPED, 0},
	{"Submit with a 62000-byte envelope", BY_REGION,
	 mk_oversized_envelope, WIRE_TOO_LARGE, 0},
	/* The seeded bytes start 2c c6 98: field 5, which ClientFrame does
	 * not define ("whatever its wire type", protocol.md 4.2). */
	{"512 random bytes (seeded; first tag field 5)", BY_REGION,
	 mk_random_bytes, WIRE_UNKNOWN_FIELD, 0},
	{"wrong wire type: ClientFrame.submit as varint", BY_REGION,
	 mk_wire_type_frame, WIRE_MALFORMED, 0},
	{"wrong wire type: Envelope.body as varint", BY_REGION,
	 mk_wire_type_envelope, WIRE_MALFORMED, 0},
	{"unknown field 15 in ClientFrame", BY_REGION, mk_unknown_field_frame,
	 WIRE_UNKNOWN_FIELD, 0},
	{"unknown field 3 after a valid envelope", BY_REGION,
	 mk_unknown_field_envelope, WIRE_UNKNOWN_FIELD, 0},
	{"empty Submit", BY_REGION, mk_empty_submit, WIRE_MISSING_FIELD, 0},
	{"valid envelope, one bit flipped in the body", BY_REGION,
	 mk_flip_body, WIRE_BAD_SIGNATURE, 0},
	{"valid envelope, one bit flipped in the signature", BY_REGION,
	 mk_flip_signature, WIRE_BAD_SIGNATURE, 0},
	{"signed with another party's key", BY_REGION, mk_other_signature,
	 WIRE_BAD_SIGNATURE, 0},
	{"key id of a key nobody configured", BY_REGION, mk_unknown_key_id,
	 WIRE_UNKNOWN_KEY, 0},
	{"sender no relay knows (its own signature)", BY_REGION,
	 mk_unknown_sender, WIRE_UNKNOWN_SENDER, 0},
	{"region signs as another region", BY_REGION, mk_impersonation,
	 WIRE_IMPERSONATION, 0},
	{"replayed message: seq 2 again, new id", BY_REGION, mk_replay,
	 WIRE_REPLAY, 0},
	{"old sequence number: seq 1", BY_REGION, mk_old_seq, WIRE_REPLAY, 0},
	{"sequence gap: seq 5 after 2", BY_REGION, mk_seq_gap, WIRE_SEQ_GAP,
	 0},
	{"same bytes as stored seq 2 again", BY_REGION, mk_duplicate,
	 ANSWER_ACK_DUPLICATE, 0},
	{"peer review request to a region nobody knows", BY_REGION,
	 mk_no_recipient, WIRE_UNKNOWN_RECIPIENT, 0},
	{"peer review request to itself", BY_REGION, mk_review_to_self,
	 WIRE_NOT_ROUTABLE, 0},
	{"decision sent by a region", BY_REGION, mk_decision_from_region,
	 WIRE_NOT_PERMITTED, 0},
	{"decision about a request the desk never got", BY_DESK,
	 mk_decision_unknown_request, WIRE_NOT_PERMITTED, 0},
	{"decision to a region that did not ask", BY_DESK,
	 mk_decision_other_region, WIRE_NOT_PERMITTED, 0},
	{"escalation sent by a desk (not routed)", BY_DESK, mk_desk_escalates,
	 WIRE_NOT_ROUTABLE, 0},
	{"kind 99 (no kind of version 1)", BY_REGION, mk_unknown_kind,
	 WIRE_UNKNOWN_KIND, 0},
	{"Body.version 2", BY_REGION, mk_bad_version, WIRE_BAD_VERSION, 0},
	{"invalid UTF-8 (0xff) in a text field", BY_REGION, mk_bad_utf8,
	 WIRE_BAD_STRING, 0},
	{"NUL byte in a text field", BY_REGION, mk_nul_in_string,
	 WIRE_BAD_STRING, 0},
	{"valid Submit sent as a two-part message", BY_REGION,
	 mk_good_two_parts, WIRE_MALFORMED, 1},
};

#define N_ROWS (sizeof(matrix) / sizeof(matrix[0]))

/* ---------------------------------------------------------------------- */
/* Fixture */

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	if (w == NULL || (w->dir = harness_tmpdir("bad-input")) == NULL)
		return -1;
	if (harness_party_keys(w->dir, ATTACKER, &w->nl, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, HONEST, &w->zl, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, DESK, &w->desk, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, "region:nergens", &w->stranger, NULL,
			       0) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->nl, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->zl, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(w->parties, sizeof(w->parties), &w->desk, 1,
				 "bel", NULL) != 0 ||
	    harness_relay_init(&w->relay, w->dir, "relay:bel", "bel",
			       w->parties) != 0 ||
	    harness_relay_start(&w->relay, START_MS) != 0)
		return -1;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	int status;

	harness_client_destroy(&w->honest);
	status = harness_stop(&w->relay.proc, 10000);
	free(w->seq2_env);
	keyfile_wipe(&w->nl);
	keyfile_wipe(&w->zl);
	keyfile_wipe(&w->desk);
	keyfile_wipe(&w->stranger);
	keyfile_wipe(&w->relay.key);
	harness_rmtree(w->dir);
	free(w->dir);
	free(w);
	/* The relay exits 0 on SIGTERM (and without leaks under ASan). */
	return status == 0 ? 0 : -1;
}

static struct harness_client *
client(struct world *w, const struct keyfile *k)
{
	struct harness_client *c = harness_client_new(
		w->relay.endpoint, w->relay.key.transport_pk, k);

	assert_non_null(c);
	return c;
}

/* Send raw bytes and return 0 (ack), -2 (duplicate ack), the nack reason,
 * or -1 when nothing came back within ms. */
static int
answer_of(struct harness_client *c, int ms)
{
	struct relay_frame *f = harness_client_recv(c, HARNESS_WANT_REPLY, ms);
	int rc;

	if (f == NULL)
		return ANSWER_DROPPED;
	if (f->msg->frame_case == FRAME(ACK))
		rc = f->msg->ack->duplicate ? ANSWER_ACK_DUPLICATE : 0;
	else
		rc = (int)f->msg->nack->reason;
	relay_frame_destroy(&f);
	return rc;
}

/* Store envelope e of k through c; it must be acked (fresh). */
static void
store_ok(struct harness_client *c, const struct keyfile *k,
	 const struct harness_env *e, uint8_t id[16], uint8_t **keep,
	 size_t *keep_len)
{
	uint8_t *env = NULL;
	size_t len = 0;

	assert_int_equal(harness_seal(k, e, id, &env, &len), 0);
	assert_int_equal(harness_client_submit(c, env, len), 0);
	assert_int_equal(answer_of(c, REPLY_MS), 0);
	if (keep != NULL) {
		*keep = env;
		*keep_len = len;
	} else {
		free(env);
	}
}

/* The honest client's next escalation; sent, not yet answered. */
static void
honest_send(struct world *w)
{
	struct harness_env e = {.kind = KIND(ESCALATION)};
	uint8_t id[16], *env = NULL;
	size_t len = 0;

	e.seq = w->honest_seq + 1;
	assert_int_equal(harness_seal(&w->zl, &e, id, &env, &len), 0);
	assert_int_equal(harness_client_submit(w->honest, env, len), 0);
	free(env);
}

static const char *
answer_name(int a)
{
	switch (a) {
	case ANSWER_DROPPED:
		return "connection dropped, no reply";
	case ANSWER_ACK_DUPLICATE:
		return "ack duplicate=1, nothing stored";
	case 0:
		return "ack (stored!)";
	default:
		return wire_reason_name(a);
	}
}

/* Send one row's bytes from a fresh connection; the honest client submits
 * at the same moment. */
static void
run_row(struct world *w, const struct row *r, size_t i)
{
	const struct keyfile *k = r->by == BY_DESK ? &w->desk : &w->nl;
	struct harness_client *c = client(w, k);
	uint8_t before[32], after[32], *buf = NULL;
	long long rows_before[5], rows_after[5];
	char needle[160];
	size_t lines_before, lines_after;
	uint64_t t0 = harness_now_ms(), spent;
	int got, honest, store_same, log_ok;

	assert_int_equal(db_digest(w->relay.database, store_queries,
					   before, rows_before), 0);
	if (r->want >= 0)
		snprintf(needle, sizeof(needle), "event=nack peer=%s reason=%s ",
			 k->party, wire_reason_name(r->want));
	else
		snprintf(needle, sizeof(needle), "event=nack peer=%s ",
			 k->party);
	lines_before = count_in_file(w->relay.log, needle);

	{
		size_t len = 0;

		assert_int_equal(r->make(w, &buf, &len), 0);
		if (r->multipart) {
			void *s = harness_client_socket(c);

			assert_true(zmq_send(s, buf, len, ZMQ_SNDMORE) >= 0);
			assert_true(zmq_send(s, buf, len, 0) >= 0);
		} else {
			assert_int_equal(harness_client_send_raw(c, buf, len),
					 0);
		}
		free(buf);
	}
	honest_send(w);
	got = answer_of(c, r->want == ANSWER_DROPPED ? DROP_MS : REPLY_MS);
	honest = answer_of(w->honest, REPLY_MS);
	if (honest == 0)
		w->honest_seq++;
	harness_client_destroy(&c);

	assert_int_equal(db_digest(w->relay.database, store_queries,
					   after, rows_after), 0);
	store_same = memcmp(before, after, sizeof(before)) == 0;
	lines_after = count_in_file(w->relay.log, needle);
	log_ok = r->want >= 0 ? lines_after == lines_before + 1
			      : lines_after == lines_before;

	print_message("| %2zu | %-48s | %-6s | %-28s | %-28s | %-9s | %-4s | "
		      "%-6s |\n",
		      i + 1, r->input, r->by == BY_DESK ? "desk" : "region",
		      answer_name(r->want), answer_name(got),
		      store_same ? "unchanged" : "CHANGED",
		      log_ok ? (r->want >= 0 ? "1" : "0") : "WRONG",
		      honest == 0 ? "acked" : "NOT");
	assert_int_equal(got, r->want);
	assert_true(store_same);
	assert_memory_equal(rows_before, rows_after, sizeof(rows_before));
	assert_true(log_ok);
	assert_int_equal(honest, 0);

	/* At most 20 nack lines per party and second are written. */
	spent = harness_now_ms() - t0;
	if (spent < ROW_MIN_MS)
		harness_sleep_ms((int)(ROW_MIN_MS - spent));
}

/* ---------------------------------------------------------------------- */

static void
test_matrix_against_relay(void **state)
{
	struct world *w = *state;
	struct harness_client *nl = client(w, &w->nl);
	struct harness_env e = {.kind = KIND(ESCALATION)};
	uint8_t id[16], digest[32];
	long long rows[5];
	size_t i;
	char sql_honest[160];
	const char *honest_q[] = {sql_honest, NULL};

	/* What the bad inputs are measured against: noord-limburg stored
	 * seq 1 and 2 (a request the desk received). */
	e.seq = 1;
	store_ok(nl, &w->nl, &e, w->esc_id, NULL, NULL);
	e.seq = 2;
	store_ok(nl, &w->nl, &e, id, &w->seq2_env, &w->seq2_len);
	harness_client_destroy(&nl);
	w->honest = client(w, &w->zl);

	print_message("| #  | %-48s | %-6s | %-28s | %-28s | %-9s | %-4s | "
		      "%-6s |\n",
		      "input", "as", "documented answer", "relay's answer",
		      "store", "log", "honest");
	for (i = 0; i < N_ROWS; i++)
		run_row(w, &matrix[i], i);

	/* Nothing of noord-limburg but seq 1 and 2, and the honest client's
	 * messages all stored, in order, once. */
	assert_int_equal(db_digest(w->relay.database, store_queries,
					   digest, rows), 0);
	assert_int_equal(rows[0], 2);
	snprintf(sql_honest, sizeof(sql_honest),
		 "SELECT seq FROM messages WHERE sender = '%s' ORDER BY seq",
		 HONEST);
	assert_int_equal(db_digest(w->relay.database, honest_q,
					   digest, rows), 0);
	assert_int_equal(rows[0], (long long)N_ROWS);
	assert_int_equal(w->honest_seq, N_ROWS);
	/* And noord-limburg can still go on where it was. */
	nl = client(w, &w->nl);
	e.seq = 3;
	store_ok(nl, &w->nl, &e, id, NULL, NULL);
	harness_client_destroy(&nl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_matrix_against_relay,
						setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
