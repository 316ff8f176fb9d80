/*
 * test_bad_input_node: the bad-input matrix against a node's inbox
 * (issue 9).
 *
 * A real ret-node process (the region noord-limburg) whose relay is a
 * hostile fake written here: a real ROUTER socket, CURVE server with a
 * relay key the node trusts, on 127.0.0.1. It delivers bad Delivery frames
 * one row at a time. For each row:
 *
 * - the node answers as docs/sync.md says: an envelope it refuses is
 *   confirmed (its cursor stored, a `message.rejected` audit line, nothing
 *   else); a frame it cannot decode is not confirmed; a message over
 *   ZMQ_MAXMSGSIZE ends the connection and the node connects again with
 *   Resume from its last applied cursor;
 * - nothing is applied or stored: the node's database, opened read-only,
 *   has the same rows in every table but `audit` and `messaging_state`
 *   (for a request-less decision, which verifies but is not applicable,
 *   exactly one `rejected` inbox row is added, as docs/sync.md records);
 * - the node logs the refusal (one line with its reason) and keeps running;
 * - afterwards a good delivery is applied.
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

#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include "harness.h"
#include "wire_error.h"

#define NODE_PARTY "region:noord-limburg"
#define DESK_PARTY "desk:bel-roermond"
#define PEER_PARTY "region:zuid-limburg"
#define START_MS 15000
#define CONFIRM_MS 5000
#define QUIET_MS 600
#define KIND(x) RETFED__V1__KIND__KIND_##x

/* What the node does with a row. */
enum outcome {
	REFUSED,       /* refused, confirmed; cursor and audit line only */
	REJECTED,      /* verified, not applicable: one 'rejected' inbox row */
	DUPLICATE,     /* known message id: only the cursor moves */
	APPLIED,       /* stored and applied */
	FRAME_ERROR,   /* frame not decodable: not confirmed */
	RECONNECT,     /* over ZMQ_MAXMSGSIZE: connection ends, Resume again */
};

struct fake_relay {
	void *ctx, *router;
	uint8_t rid[256];
	size_t rid_len;
	uint64_t last_resume;   /* after_cursor of the last Resume seen */
	int resumes;            /* Resume frames seen */
	uint64_t confirmed;     /* highest DeliveryConfirm seen */
};

struct world {
	char *dir;
	char conf[HARNESS_PATH_MAX];
	char db_path[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	struct keyfile node, desk, peer, stranger, relay;
	struct harness_proc proc;
	struct fake_relay fr;
	uint64_t cursor;          /* the last cursor handed out */
	uint8_t *good_env;        /* a peer review request, kept for reuse */
	size_t good_len;
};

struct row {
	const char *input;
	int (*make)(struct world *w, uint8_t **frame, size_t *len);
	enum outcome outcome;
	int reason;              /* the refusal's reason, or 0 */
	int multipart;
};

/* ---------------------------------------------------------------------- */
/* The node's database, read-only */

/* Digest every row of every table but audit, messaging_state and (when
 * skip_inbox) inbox; also count inbox rows by state and the audit lines
 * of `action`. Returns 0 or -1. */
struct node_view {
	uint8_t digest[32];
	long long inbox, inbox_applied, inbox_rejected, audit_rejected,
		audit_received, relay_cursor;
};

static long long
count_of(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

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

static int
digest_table(crypto_generichash_state *h, sqlite3 *db, const char *table)
{
	char sql[256];
	sqlite3_stmt *st = NULL;
	int step;

	snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY rowid",
		 table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		/* WITHOUT ROWID tables: their primary key orders them. */
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", table);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			return -1;
	}
	crypto_generichash_update(h, (const uint8_t *)table, strlen(table));
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		int col, ncol = sqlite3_column_count(st);

		for (col = 0; col < ncol; col++)
			digest_column(h, st, col);
	}
	sqlite3_finalize(st);
	return step == SQLITE_DONE ? 0 : -1;
}

static int
node_view(const char *path, struct node_view *v)
{
	crypto_generichash_state h;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	memset(v, 0, sizeof(*v));
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		goto done;
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		goto done;
	crypto_generichash_init(&h, NULL, 0, 32);
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_master WHERE type ="
			       " 'table' AND name NOT LIKE 'sqlite_%' AND name"
			       " NOT IN ('audit', 'messaging_state', 'inbox')"
			       " ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		goto done;
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (digest_table(&h, db, (const char *)sqlite3_column_text(
						 st, 0)) != 0)
			break;
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		goto done;
	crypto_generichash_final(&h, v->digest, sizeof(v->digest));
	v->inbox = count_of(db, "SELECT count(*) FROM inbox");
	v->inbox_applied = count_of(db, "SELECT count(*) FROM inbox WHERE"
					" state = 'applied'");
	v->inbox_rejected = count_of(db, "SELECT count(*) FROM inbox WHERE"
					 " state = 'rejected'");
	v->audit_rejected = count_of(db, "SELECT count(*) FROM audit WHERE"
					 " action = 'message.rejected'");
	v->audit_received = count_of(db, "SELECT count(*) FROM audit WHERE"
					 " action = 'message.received'");
	v->relay_cursor = count_of(db, "SELECT coalesce(max(value), 0) FROM"
				       " messaging_state WHERE name ="
				       " 'relay_cursor'");
	rc = 0;
done:
	if (db != NULL) {
		sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	return rc;
}

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

/* ---------------------------------------------------------------------- */
/* The fake relay */

static int
fake_start(struct fake_relay *fr, const struct keyfile *k, const char *ep)
{
	int one = 1, linger = 0;

	memset(fr, 0, sizeof(*fr));
	fr->ctx = zmq_ctx_new();
	if (fr->ctx == NULL)
		return -1;
	fr->router = zmq_socket(fr->ctx, ZMQ_ROUTER);
	if (fr->router == NULL ||
	    zmq_setsockopt(fr->router, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_setsockopt(fr->router, ZMQ_CURVE_SERVER, &one, sizeof(one)) ||
	    zmq_setsockopt(fr->router, ZMQ_CURVE_SECRETKEY, k->transport_sk,
			   40) ||
	    zmq_bind(fr->router, ep) != 0)
		return -1;
	return 0;
}

static void
fake_stop(struct fake_relay *fr)
{
	if (fr->router != NULL)
		zmq_close(fr->router);
	if (fr->ctx != NULL)
		zmq_ctx_term(fr->ctx);
	fr->router = fr->ctx = NULL;
}

/* Send one frame (or two parts) to the node's current connection. */
static int
fake_send(struct fake_relay *fr, const uint8_t *buf, size_t len, int parts)
{
	if (fr->rid_len == 0 ||
	    zmq_send(fr->router, fr->rid, fr->rid_len, ZMQ_SNDMORE) < 0)
		return -1;
	if (parts == 2 && zmq_send(fr->router, buf, len, ZMQ_SNDMORE) < 0)
		return -1;
	return zmq_send(fr->router, buf, len, 0) < 0 ? -1 : 0;
}

/* Answer a SeqQuery as a relay that stored nothing of this node. */
static void
fake_seq_reply(struct fake_relay *fr)
{
	Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
	Retfed__V1__SeqReply r = RETFED__V1__SEQ_REPLY__INIT;
	uint8_t *buf = NULL;
	size_t len = 0;

	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY;
	f.seq_reply = &r;
	if (frame_pack(&f.base, &buf, &len) == 0)
		(void)fake_send(fr, buf, len, 1);
	free(buf);
}

/* Read what the node sends for up to ms; returns when `until` holds:
 * 1: a confirm of at least cursor, 2: a new Resume. Returns 0 when it
 * held, -1 on timeout. until 0: read for ms and return 0. */
static int
fake_pump(struct fake_relay *fr, int until, uint64_t cursor, int ms)
{
	uint64_t deadline = harness_now_ms() + (uint64_t)ms *
						       harness_slowness();
	int resumes = fr->resumes;

	for (;;) {
		uint64_t now = harness_now_ms();
		zmq_pollitem_t it = {fr->router, 0, ZMQ_POLLIN, 0};
		uint8_t rid[256];
		int n, more = 0;
		size_t more_len = sizeof(more);
		zmq_msg_t m;

		if (until == 1 && fr->confirmed >= cursor)
			return 0;
		if (until == 2 && fr->resumes > resumes)
			return 0;
		if (now >= deadline)
			return until == 0 ? 0 : -1;
		if (zmq_poll(&it, 1, (long)(deadline - now)) <= 0)
			continue;
		n = zmq_recv(fr->router, rid, sizeof(rid), 0);
		if (n <= 0 || (size_t)n > sizeof(rid))
			continue;
		if (zmq_getsockopt(fr->router, ZMQ_RCVMORE, &more, &more_len) ||
		    !more)
			continue;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, fr->router, 0) >= 0) {
			struct client_frame *f = NULL;
			struct wire_error err;

			memcpy(fr->rid, rid, (size_t)n);
			fr->rid_len = (size_t)n;
			if (client_frame_decode(zmq_msg_data(&m),
						zmq_msg_size(&m), &f,
						&err) == WIRE_OK) {
				switch (f->msg->frame_case) {
				case RETFED__V1__CLIENT_FRAME__FRAME_RESUME:
					fr->resumes++;
					fr->last_resume =
						f->msg->resume->after_cursor;
					break;
				case RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM:
					if (f->msg->confirm->cursor >
					    fr->confirmed)
						fr->confirmed =
							f->msg->confirm->cursor;
					break;
				case RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY:
					fake_seq_reply(fr);
					break;
				default:
					break;
				}
				client_frame_destroy(&f);
			}
		}
		zmq_msg_close(&m);
	}
}

/* ---------------------------------------------------------------------- */
/* Inputs */

/* A Delivery frame with the next cursor around env; frees env. */
static int
delivery(struct world *w, uint8_t *env, size_t env_len, uint8_t **frame,
	 size_t *len)
{
	int rc = frame_pack_delivery(++w->cursor, env, env_len, frame, len);

	free(env);
	return rc;
}

static int
sealed(const struct keyfile *k, const struct harness_env *e, uint8_t **env,
       size_t *len)
{
	uint8_t id[16];

	return harness_seal(k, e, id, env, len);
}

/* A peer review request of zuid-limburg to this node: valid. */
static int
good_request(struct world *w, uint64_t seq, uint8_t **env, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST)};

	e.seq = seq;
	e.recipient = NODE_PARTY;
	return sealed(&w->peer, &e, env, len);
}

static int
deliver_env(struct world *w, const struct keyfile *k,
	    const struct harness_env *e, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (sealed(k, e, &env, &n) != 0)
		return -1;
	return delivery(w, env, n, frame, len);
}

static long
find_text(const uint8_t *hay, size_t n)
{
	size_t i;

	for (i = 0; i + 9 <= n; i++)
		if (memcmp(hay + i, "test text", 9) == 0)
			return (long)i;
	return -1;
}

/* A good request with one byte of its text changed (xor or set). */
static int
changed_text(struct world *w, uint8_t **frame, size_t *len, size_t at,
	     int xor_mask, uint8_t value)
{
	uint8_t *env = NULL;
	size_t n = 0;
	long off;

	if (good_request(w, 50, &env, &n) != 0 ||
	    (off = find_text(env, n)) < 0) {
		free(env);
		return -1;
	}
	if (xor_mask)
		env[(size_t)off + at] ^= (uint8_t)xor_mask;
	else
		env[(size_t)off + at] = value;
	return delivery(w, env, n, frame, len);
}

static int
mk_flip_signature(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_request(w, 50, &env, &n) != 0)
		return -1;
	env[n - 5] ^= 0x10;
	return delivery(w, env, n, frame, len);
}

static int
mk_flip_body(struct world *w, uint8_t **frame, size_t *len)
{
	return changed_text(w, frame, len, 0, 0x01, 0);
}

static int
mk_bad_utf8(struct world *w, uint8_t **frame, size_t *len)
{
	return changed_text(w, frame, len, 4, 0, 0xc0);
}

static int
mk_nul(struct world *w, uint8_t **frame, size_t *len)
{
	return changed_text(w, frame, len, 4, 0, 0x00);
}

static int
mk_other_key(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 51};

	e.recipient = NODE_PARTY;
	e.sign_sk = w->desk.sign_sk;
	return deliver_env(w, &w->peer, &e, frame, len);
}

static int
mk_unknown_key(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 52};

	e.recipient = NODE_PARTY;
	e.key_id_pk = w->stranger.sign_pk;
	return deliver_env(w, &w->peer, &e, frame, len);
}

static int
mk_unknown_sender(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 1};

	e.recipient = NODE_PARTY;
	return deliver_env(w, &w->stranger, &e, frame, len);
}

static int
mk_impersonation(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 53};

	/* The stranger writes as zuid-limburg and signs with its own key. */
	e.recipient = NODE_PARTY;
	e.sender = PEER_PARTY;
	return deliver_env(w, &w->stranger, &e, frame, len);
}

static int
mk_region_escalates(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(ESCALATION), .seq = 54};

	return deliver_env(w, &w->peer, &e, frame, len);
}

static int
mk_region_decides(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(DECISION), .seq = 55};
	uint8_t req[16];

	memset(req, 0x11, sizeof(req));
	e.recipient = NODE_PARTY;
	e.request_id = req;
	return deliver_env(w, &w->peer, &e, frame, len);
}

static int
mk_wrong_recipient(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(PEER_REVIEW_REQUEST), .seq = 56};

	e.recipient = "region:midden-limburg";
	return deliver_env(w, &w->peer, &e, frame, len);
}

static int
mk_decision_unknown_request(struct world *w, uint8_t **frame, size_t *len)
{
	struct harness_env e = {.kind = KIND(DECISION), .seq = 1};
	uint8_t req[16];

	memset(req, 0x22, sizeof(req));
	e.recipient = NODE_PARTY;
	e.request_id = req;
	return deliver_env(w, &w->desk, &e, frame, len);
}

static int
mk_garbage_env(struct world *w, uint8_t **frame, size_t *len)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = "node garbage";
	uint8_t *env = malloc(300);

	if (env == NULL)
		return -1;
	randombytes_buf_deterministic(env, 300, seed);
	return delivery(w, env, 300, frame, len);
}

static int
mk_truncated_env(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_request(w, 57, &env, &n) != 0)
		return -1;
	return delivery(w, env, n - 30, frame, len);
}

static int
mk_unknown_field(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL, *more;
	size_t n = 0;

	if (good_request(w, 58, &env, &n) != 0)
		return -1;
	more = realloc(env, n + 2);
	if (more == NULL) {
		free(env);
		return -1;
	}
	more[n] = 0x20; /* Envelope field 4, varint */
	more[n + 1] = 0x07;
	return delivery(w, more, n + 2, frame, len);
}

static int
mk_too_large_env(struct world *w, uint8_t **frame, size_t *len)
{
	/* Under the frame limit, over the envelope limit (61 568). */
	uint8_t *env = calloc(1, 62000);

	if (env == NULL)
		return -1;
	return delivery(w, env, 62000, frame, len);
}

static int
mk_oversized_frame(struct world *w, uint8_t **frame, size_t *len)
{
	(void)w;
	*len = 70000;
	*frame = calloc(1, *len);
	return *frame == NULL ? -1 : 0;
}

static int
mk_garbage_frame(struct world *w, uint8_t **frame, size_t *len)
{
	/* RelayFrame field 3 (delivery) announces 100 bytes, brings 2. */
	static const uint8_t b[] = {0x1a, 0x64, 0x08, 0x01};

	(void)w;
	*frame = malloc(sizeof(b));
	if (*frame == NULL)
		return -1;
	memcpy(*frame, b, sizeof(b));
	*len = sizeof(b);
	return 0;
}

static int
mk_cursor_zero(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;
	int rc;

	if (good_request(w, 59, &env, &n) != 0)
		return -1;
	rc = frame_pack_delivery(0, env, n, frame, len);
	free(env);
	return rc;
}

static int
mk_two_parts(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *env = NULL;
	size_t n = 0;

	if (good_request(w, 60, &env, &n) != 0)
		return -1;
	return delivery(w, env, n, frame, len);
}

static int
mk_good(struct world *w, uint8_t **frame, size_t *len)
{
	uint8_t *copy = malloc(w->good_len);

	if (copy == NULL)
		return -1;
	memcpy(copy, w->good_env, w->good_len);
	return delivery(w, copy, w->good_len, frame, len);
}

static const struct row matrix[] = {
	{"one bit flipped in the signature", mk_flip_signature, REFUSED,
	 WIRE_BAD_SIGNATURE, 0},
	{"one bit flipped in the body", mk_flip_body, REFUSED,
	 WIRE_BAD_SIGNATURE, 0},
	{"signed with another party's key", mk_other_key, REFUSED,
	 WIRE_BAD_SIGNATURE, 0},
	{"key id of a key nobody configured", mk_unknown_key, REFUSED,
	 WIRE_UNKNOWN_KEY, 0},
	{"sender the node does not know", mk_unknown_sender, REFUSED,
	 WIRE_UNKNOWN_SENDER, 0},
	/* Its key id is the stranger's: the key id check comes first. */
	{"a stranger writes as a known region", mk_impersonation, REFUSED,
	 WIRE_UNKNOWN_KEY, 0},
	{"escalation from a region (kind not for a region)",
	 mk_region_escalates, REFUSED, WIRE_NOT_ROUTABLE, 0},
	{"decision from a region (only desks decide)", mk_region_decides,
	 REFUSED, WIRE_NOT_ROUTABLE, 0},
	{"addressed to another region", mk_wrong_recipient, REFUSED,
	 WIRE_UNKNOWN_RECIPIENT, 0},
	{"300 random bytes as envelope (seeded)", mk_garbage_env, REFUSED,
	 -1, 0},
	{"truncated envelope (30 bytes short)", mk_truncated_env, REFUSED,
	 WIRE_MALFORMED, 0},
	{"unknown field 4 after a valid envelope", mk_unknown_field, REFUSED,
	 WIRE_UNKNOWN_FIELD, 0},
	{"invalid UTF-8 (0xc0) in a text field", mk_bad_utf8, REFUSED,
	 WIRE_BAD_STRING, 0},
	{"NUL byte in a text field", mk_nul, REFUSED, WIRE_BAD_STRING, 0},
	{"decision on a request never sent (desk-signed)",
	 mk_decision_unknown_request, REJECTED, 0, 0},
	{"Delivery with a 62000-byte envelope", mk_too_large_env,
	 FRAME_ERROR, WIRE_TOO_LARGE, 0},
	{"undecodable RelayFrame (truncated)", mk_garbage_frame, FRAME_ERROR,
	 WIRE_MALFORMED, 0},
	{"Delivery with cursor 0", mk_cursor_zero, FRAME_ERROR,
	 WIRE_MISSING_FIELD, 0},
	{"valid Delivery sent as a two-part message", mk_two_parts,
	 FRAME_ERROR, 0, 1},
	{"message of 70000 bytes (> ZMQ_MAXMSGSIZE)", mk_oversized_frame,
	 RECONNECT, 0, 0},
	{"good delivery", mk_good, APPLIED, 0, 0},
	{"the same message delivered again", mk_good, DUPLICATE, 0, 0},
};

#define N_ROWS (sizeof(matrix) / sizeof(matrix[0]))

/* ---------------------------------------------------------------------- */
/* Fixture */

static int
write_config(struct world *w, const char *endpoint)
{
	char text[8192], parties[4096] = "";
	int n;

	if (harness_append_party(parties, sizeof(parties), &w->desk, 0, "bel",
				 NULL) != 0 ||
	    harness_append_party(parties, sizeof(parties), &w->peer, 0, "bel",
				 NULL) != 0)
		return -1;
	n = snprintf(text, sizeof(text),
		     "[node]\nparty = " NODE_PARTY "\nben = bel\n"
		     "database = node.db\nkey_file = noord-limburg.secret\n"
		     "log_level = info\n\n"
		     "[relay]\nendpoint = %s\nparty = relay:bel\n"
		     "transport_key = %s\n\n%s",
		     endpoint, w->relay.transport_pk, parties);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return harness_write_file(w->dir, "node.conf", text, w->conf,
				  sizeof(w->conf));
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	const char *bin = getenv("RET_NODE_BIN");
	const char *argv[4] = {bin, "--config", NULL, NULL};
	char endpoint[64];
	int port;

	if (w == NULL || bin == NULL ||
	    (w->dir = harness_tmpdir("bad-input-node")) == NULL)
		return -1;
	if (harness_party_keys(w->dir, NODE_PARTY, &w->node, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, DESK_PARTY, &w->desk, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, PEER_PARTY, &w->peer, NULL, 0) != 0 ||
	    harness_party_keys(w->dir, "region:nergens", &w->stranger, NULL,
			       0) != 0 ||
	    harness_party_keys(w->dir, "relay:bel", &w->relay, NULL, 0) != 0)
		return -1;
	port = harness_free_port();
	if (port <= 0)
		return -1;
	snprintf(endpoint, sizeof(endpoint), "tcp://127.0.0.1:%d", port);
	if (fake_start(&w->fr, &w->relay, endpoint) != 0 ||
	    write_config(w, endpoint) != 0)
		return -1;
	snprintf(w->db_path, sizeof(w->db_path), "%s/node.db", w->dir);
	snprintf(w->log, sizeof(w->log), "%s/ret-node.log", w->dir);
	argv[2] = w->conf;
	if (harness_spawn(&w->proc, argv, w->log) != 0 ||
	    harness_wait_log(&w->proc, "event=started", START_MS) != 0)
		return -1;
	/* The node connects and resumes from cursor 0. */
	if (fake_pump(&w->fr, 2, 0, START_MS) != 0 || w->fr.last_resume != 0)
		return -1;
	if (good_request(w, 1, &w->good_env, &w->good_len) != 0)
		return -1;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	int status = harness_stop(&w->proc, 10000);

	fake_stop(&w->fr);
	free(w->good_env);
	keyfile_wipe(&w->node);
	keyfile_wipe(&w->desk);
	keyfile_wipe(&w->peer);
	keyfile_wipe(&w->stranger);
	keyfile_wipe(&w->relay);
	harness_rmtree(w->dir);
	free(w->dir);
	free(w);
	/* ret-node exits 0 on SIGTERM (and without leaks under ASan). */
	return status == 0 ? 0 : -1;
}

static int
node_alive(struct world *w)
{
	int status;

	return w->proc.pid > 0 && waitpid(w->proc.pid, &status, WNOHANG) == 0;
}

static const char *
outcome_name(enum outcome o)
{
	switch (o) {
	case REFUSED:
		return "refused, confirmed";
	case REJECTED:
		return "rejected, confirmed";
	case DUPLICATE:
		return "duplicate, confirmed";
	case APPLIED:
		return "applied, confirmed";
	case FRAME_ERROR:
		return "frame refused, no confirm";
	case RECONNECT:
	default:
		return "connection dropped, resume";
	}
}

static void
run_row(struct world *w, const struct row *r, size_t i)
{
	struct node_view before, after;
	uint8_t *frame = NULL;
	size_t len = 0, lines_before, lines_after;
	char needle[160], reason[40];
	uint64_t cursor, confirmed_before;
	int confirmed, resumed = 0, stored_ok, log_ok;

	assert_int_equal(node_view(w->db_path, &before), 0);
	confirmed_before = w->fr.confirmed;
	assert_int_equal(r->make(w, &frame, &len), 0);
	cursor = w->cursor;
	/* The log line that must appear once. */
	switch (r->outcome) {
	case REFUSED:
		snprintf(needle, sizeof(needle), "cursor=%llu reason=%s ",
			 (unsigned long long)cursor,
			 r->reason > 0 ? wire_reason_name(r->reason) : "");
		if (r->reason < 0)
			snprintf(needle, sizeof(needle), "cursor=%llu reason=",
				 (unsigned long long)cursor);
		break;
	case REJECTED:
	case APPLIED:
	case DUPLICATE:
		snprintf(needle, sizeof(needle), "event=received result=%s ",
			 r->outcome == REJECTED	 ? "rejected"
			 : r->outcome == APPLIED ? "applied"
						 : "duplicate");
		break;
	case FRAME_ERROR:
		if (r->multipart)
			snprintf(needle, sizeof(needle),
				 "event=error reason=- detail=\"relay sent a "
				 "multi-part message\"");
		else
			snprintf(needle, sizeof(needle),
				 "event=error reason=%s ",
				 wire_reason_name(r->reason));
		break;
	case RECONNECT:
	default:
		snprintf(needle, sizeof(needle), "event=disconnected ");
		break;
	}
	lines_before = count_in_file(w->log, needle);

	assert_int_equal(fake_send(&w->fr, frame, len, r->multipart ? 2 : 1),
			 0);
	free(frame);
	if (r->outcome == FRAME_ERROR) {
		(void)fake_pump(&w->fr, 0, 0, QUIET_MS);
		confirmed = w->fr.confirmed > confirmed_before;
	} else if (r->outcome == RECONNECT) {
		resumed = fake_pump(&w->fr, 2, 0, 15000) == 0;
		confirmed = 0;
	} else {
		confirmed = fake_pump(&w->fr, 1, cursor, CONFIRM_MS) == 0;
	}
	/* The log line is written after the commit, before or just after
	 * the confirm is sent. */
	{
		uint64_t until = harness_now_ms() + 2000;

		do {
			lines_after = count_in_file(w->log, needle);
			if (lines_after > lines_before)
				break;
			harness_sleep_ms(20);
		} while (harness_now_ms() < until);
	}
	assert_int_equal(node_view(w->db_path, &after), 0);

	switch (r->outcome) {
	case REFUSED:
		stored_ok = after.inbox == before.inbox &&
			    after.audit_rejected == before.audit_rejected + 1 &&
			    after.audit_received == before.audit_received &&
			    after.relay_cursor == (long long)cursor;
		break;
	case REJECTED:
		stored_ok = after.inbox == before.inbox + 1 &&
			    after.inbox_rejected == before.inbox_rejected + 1 &&
			    after.audit_rejected == before.audit_rejected + 1 &&
			    after.relay_cursor == (long long)cursor;
		break;
	case DUPLICATE:
		stored_ok = after.inbox == before.inbox &&
			    after.audit_received == before.audit_received &&
			    after.relay_cursor == (long long)cursor;
		break;
	case APPLIED:
		stored_ok = after.inbox_applied == before.inbox_applied + 1 &&
			    after.audit_received == before.audit_received + 1 &&
			    after.relay_cursor == (long long)cursor;
		break;
	case FRAME_ERROR:
	case RECONNECT:
	default:
		stored_ok = after.inbox == before.inbox &&
			    after.audit_rejected == before.audit_rejected &&
			    after.relay_cursor == before.relay_cursor;
		break;
	}
	/* Only an applied message may change the register. */
	if (r->outcome != APPLIED)
		stored_ok = stored_ok && memcmp(before.digest, after.digest,
						sizeof(before.digest)) == 0;
	else
		stored_ok = stored_ok && memcmp(before.digest, after.digest,
						sizeof(before.digest)) != 0;
	log_ok = lines_after == lines_before + 1;
	if (r->reason > 0)
		snprintf(reason, sizeof(reason), "%s",
			 wire_reason_name(r->reason));
	else if (r->outcome == REFUSED)
		snprintf(reason, sizeof(reason), "(decoder's)");
	else
		snprintf(reason, sizeof(reason), "-");

	print_message("| %2zu | %-48s | %-27s | %-15s | %-9s | %-9s | %-4s | "
		      "%-5s |\n",
		      i + 1, r->input, outcome_name(r->outcome), reason,
		      r->outcome == RECONNECT ? (resumed ? "resumed" : "NO")
					      : (confirmed ? "yes" : "no"),
		      stored_ok ? "as doc'd" : "WRONG", log_ok ? "1" : "WRONG",
		      node_alive(w) ? "yes" : "DEAD");

	if (r->outcome == RECONNECT) {
		assert_true(resumed);
		/* It resumes from what it applied, no further. */
		assert_int_equal(w->fr.last_resume, before.relay_cursor);
	} else if (r->outcome == FRAME_ERROR) {
		assert_false(confirmed);
	} else {
		assert_true(confirmed);
	}
	assert_true(stored_ok);
	assert_true(log_ok);
	assert_true(node_alive(w));
}

static void
test_matrix_against_node(void **state)
{
	struct world *w = *state;
	size_t i;

	print_message("| #  | %-48s | %-27s | %-15s | %-9s | %-9s | %-4s | "
		      "%-5s |\n",
		      "delivered", "documented answer", "reason", "confirmed",
		      "database", "log", "alive");
	for (i = 0; i < N_ROWS; i++)
		run_row(w, &matrix[i], i);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_matrix_against_node,
						setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
