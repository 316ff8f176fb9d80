/* node_outbox: sealed outgoing messages and the messaging schema. */
#include "node_outbox.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "node_audit.h"
#include "node_requests.h"
#include "node_summary.h"

enum node_status
node_msg_fail(struct node_msg_error *err, enum node_status status,
	      enum wire_reason wire, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return status;
	err->status = status;
	err->wire = wire;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return status;
}

enum node_status
node_msg_db_fail(struct node_msg_error *err, sqlite3 *db, const char *what)
{
	enum node_status st = node_db_status(sqlite3_errcode(db));

	if (st == NODE_OK)
		st = NODE_ERR_DB;
	return node_msg_fail(err, st, WIRE_OK, "%s: %s", what,
			     sqlite3_errmsg(db));
}

static const char *const audit_actions[] = {
	[NODE_MSG_AUDIT_QUEUED] = "message.queued",
	[NODE_MSG_AUDIT_ACKED] = "message.sent",
	[NODE_MSG_AUDIT_REFUSED] = "message.refused",
	[NODE_MSG_AUDIT_RECEIVED] = "message.received",
	[NODE_MSG_AUDIT_REJECTED] = "message.rejected",
};

enum node_status
node_msg_audit(sqlite3 *db, const char *user, enum node_msg_audit_event ev,
	       const uint8_t msgid[MSGID_LEN], int kind, const char *party,
	       uint64_t seq, struct node_msg_error *err)
{
	char hex[MSGID_HEX_LEN], detail[160], buf[WIRE_DETAIL_MAX] = "";
	enum node_status s;

	msgid_to_hex(msgid, hex);
	snprintf(detail, sizeof(detail), "id=%s kind=%s seq=%llu party=%s", hex,
		 envelope_kind_name(kind), (unsigned long long)seq,
		 party && party[0] ? party : "-");
	s = node_audit_append(db, user ? user : NODE_MSG_DAEMON_USER,
			      audit_actions[ev], 0, detail, buf, sizeof(buf));
	if (s != NODE_OK)
		return node_msg_fail(err, s, WIRE_OK, "audit log: %s", buf);
	return NODE_OK;
}

/*
 * The messaging component's schema, one step per version. Steps are never
 * edited once released; a change is a new step.
 */
static const char *const schema_steps[] = {
	/* 1: outbox, receipts, inbox, sync state */
	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" seq INTEGER NOT NULL CHECK (seq >= 1),"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" kind INTEGER NOT NULL,"
	" recipient TEXT NOT NULL,"
	" envelope BLOB NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'queued'"
	"  CHECK (state IN ('queued', 'acked', 'refused')),"
	" acked_ms INTEGER,"
	" refusal_reason INTEGER,"
	" refusal_detail TEXT);"
	/* Refused messages keep the number they were refused under; every
	 * other message holds its own number. */
	"CREATE UNIQUE INDEX outbox_live_seq ON outbox(seq)"
	" WHERE state <> 'refused';"
	"CREATE INDEX outbox_state_seq ON outbox(state, seq);"
	/* Once acked, a message is history. */
	"CREATE TRIGGER outbox_acked_final BEFORE UPDATE ON outbox"
	" WHEN OLD.state = 'acked' BEGIN"
	" SELECT RAISE(ABORT, 'an acked message cannot change'); END;"
	"CREATE TABLE outbox_receipt ("
	" message_id BLOB NOT NULL,"
	" recipient TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" PRIMARY KEY (message_id, recipient)) WITHOUT ROWID;"
	"CREATE TABLE inbox ("
	" id INTEGER PRIMARY KEY,"
	" cursor INTEGER NOT NULL,"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" sender TEXT NOT NULL,"
	" kind INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" recipient TEXT NOT NULL,"
	" envelope BLOB NOT NULL,"
	" created_ms INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" state TEXT NOT NULL CHECK (state IN ('applied', 'rejected')),"
	" state_detail TEXT);"
	"CREATE TABLE messaging_state ("
	" name TEXT PRIMARY KEY,"
	" value INTEGER NOT NULL) WITHOUT ROWID;",
	/* 2: one transaction per send. Until this version a request was
	 * queued and recorded in two transactions; a request queued just
	 * before a crash, whose record is missing, is recorded here without
	 * a casus or case reference (a decision on it is kept without a
	 * casus, node_apply). From now on node_outbox_queue records it in
	 * the transaction that queues it. */
	"INSERT INTO sent_request (message_id, kind, casus_id, case_ref,"
	" recipient, thread_id, sent_at, sent_by)"
	" SELECT o.message_id, o.kind, NULL, '', o.recipient, NULL,"
	" strftime('%Y-%m-%dT%H:%M:%SZ', o.created_ms / 1000, 'unixepoch'),"
	" 'ret-node' FROM outbox o WHERE o.kind IN (1, 2, 3, 5, 6) AND NOT"
	" EXISTS (SELECT 1 FROM sent_request r"
	" WHERE r.message_id = o.message_id);",
};

const size_t node_outbox_schema_steps =
	sizeof(schema_steps) / sizeof(schema_steps[0]);

enum node_status
node_outbox_migrate(sqlite3 *db, struct node_msg_error *err)
{
	char buf[WIRE_DETAIL_MAX] = "";
	enum node_status s;

	/* The tables a draft's record step writes in the queue transaction
	 * (and step 2 reads) come first. */
	s = node_requests_migrate(db, buf, sizeof(buf));
	if (s == NODE_OK)
		s = node_summary_migrate(db, buf, sizeof(buf));
	if (s == NODE_OK)
		s = node_db_migrate(db, NODE_OUTBOX_COMPONENT, schema_steps,
			    node_outbox_schema_steps, buf, sizeof(buf));
	if (s != NODE_OK)
		return node_msg_fail(err, s, WIRE_OK, "%s", buf);
	return NODE_OK;
}

/* Next free sequence number: one above the highest number still held. */
static enum node_status
next_seq(sqlite3 *db, uint64_t *ret, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db,
			       "SELECT coalesce(max(seq), 0) FROM outbox"
			       " WHERE state <> 'refused'",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return node_msg_db_fail(err, db, "read last sequence number");
	}
	*ret = (uint64_t)sqlite3_column_int64(st, 0) + 1;
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_outbox_queue(sqlite3 *db, const struct keyfile *keys, const char *user,
		  const struct guard_draft *draft, uint64_t *ret_seq,
		  uint8_t ret_msgid[MSGID_LEN], struct node_msg_error *err)
{
	const Retfed__V1__Body *body = guard_draft_body(draft);
	Retfed__V1__Body b;
	char buf[WIRE_DETAIL_MAX] = "";
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], id[MSGID_LEN];
	uint8_t *env = NULL;
	size_t env_len = 0;
	uint64_t seq = 0;
	sqlite3_stmt *st = NULL;
	struct wire_error werr;
	enum wire_reason wr;
	enum node_status rc;

	if (body == NULL || keys == NULL)
		return node_msg_fail(err, NODE_ERR_INVALID, WIRE_OK,
				     "nothing to queue");
	b = *body;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "begin queue");
	rc = next_seq(db, &seq, err);
	if (rc != NODE_OK)
		goto fail;

	envelope_key_id(keys->sign_pk, key_id);
	envelope_body_prepare(&b, body->kind, keys->party, key_id, seq,
			      msgid_now_ms(), id);
	wire_error_clear(&werr);
	wr = envelope_seal(&b, keys->sign_sk, &env, &env_len, &werr);
	if (wr != WIRE_OK) {
		rc = node_msg_fail(err, NODE_ERR_INVALID, wr, "%s",
				   werr.detail);
		goto fail;
	}

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO outbox (seq, message_id, kind,"
			       " recipient, envelope, created_ms, state)"
			       " VALUES (?, ?, ?, ?, ?, ?, 'queued')",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "prepare outbox insert");
		goto fail;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	sqlite3_bind_blob(st, 2, id, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)b.kind);
	sqlite3_bind_text(st, 4, b.recipient ? b.recipient : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, env, (int)env_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)b.created_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = node_msg_db_fail(err, db, "insert into outbox");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	rc = node_msg_audit(db, user, NODE_MSG_AUDIT_QUEUED, id, (int)b.kind,
			    b.recipient, seq, err);
	if (rc != NODE_OK)
		goto fail;
	/* What sending means for this node (the request in its casus, the
	 * own summary) commits with the envelope or not at all. */
	rc = guard_draft_record(db, user ? user : NODE_MSG_DAEMON_USER, draft,
				id, buf, sizeof(buf));
	if (rc != NODE_OK) {
		node_msg_fail(err, rc, WIRE_OK, "record the sent message: %s",
			      buf);
		goto fail;
	}

	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "commit queue");
		goto fail;
	}
	free(env);
	if (ret_seq)
		*ret_seq = seq;
	if (ret_msgid)
		memcpy(ret_msgid, id, MSGID_LEN);
	return NODE_OK;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	free(env);
	return rc;
}

void
node_outbox_entry_clear(struct node_outbox_entry *e)
{
	if (e == NULL)
		return;
	free(e->envelope);
	e->envelope = NULL;
	e->envelope_len = 0;
}

#define ENTRY_COLUMNS                                                        \
	"o.id, o.seq, o.message_id, o.kind, o.recipient, o.state,"           \
	" o.created_ms, coalesce(o.acked_ms, 0),"                            \
	" coalesce(o.refusal_reason, 0), coalesce(o.refusal_detail, ''),"    \
	" (SELECT count(*) FROM outbox_receipt r"                            \
	"  WHERE r.message_id = o.message_id)"

static void
copy_text(char *dst, size_t n, const unsigned char *src)
{
	snprintf(dst, n, "%s", src ? (const char *)src : "");
}

/* Fill e from the ENTRY_COLUMNS of the current row. */
static void
entry_from_row(sqlite3_stmt *st, struct node_outbox_entry *e)
{
	const void *id = sqlite3_column_blob(st, 2);

	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	e->seq = (uint64_t)sqlite3_column_int64(st, 1);
	if (id != NULL && sqlite3_column_bytes(st, 2) == MSGID_LEN)
		memcpy(e->message_id, id, MSGID_LEN);
	e->kind = sqlite3_column_int(st, 3);
	copy_text(e->recipient, sizeof(e->recipient),
		  sqlite3_column_text(st, 4));
	copy_text(e->state, sizeof(e->state), sqlite3_column_text(st, 5));
	e->created_ms = (uint64_t)sqlite3_column_int64(st, 6);
	e->acked_ms = (uint64_t)sqlite3_column_int64(st, 7);
	e->refusal_reason = sqlite3_column_int(st, 8);
	copy_text(e->refusal_detail, sizeof(e->refusal_detail),
		  sqlite3_column_text(st, 9));
	e->n_receipts = (unsigned)sqlite3_column_int(st, 10);
}

enum node_status
node_outbox_list(sqlite3 *db, const char *state, unsigned limit,
		 int (*fn)(const struct node_outbox_entry *e, void *ctx),
		 void *ctx, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	struct node_outbox_entry e;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT " ENTRY_COLUMNS " FROM outbox o"
			       " WHERE ?1 IS NULL OR o.state = ?1"
			       " ORDER BY o.id LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare outbox list");
	if (state)
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		entry_from_row(st, &e);
		if (fn(&e, ctx) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		enum node_status s = node_msg_db_fail(err, db,
							  "list outbox");
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_outbox_get(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
		struct node_outbox_entry *ret, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT " ENTRY_COLUMNS " FROM outbox o"
			       " WHERE o.message_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare outbox get");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		entry_from_row(st, ret);
		sqlite3_finalize(st);
		return NODE_OK;
	}
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return node_msg_fail(err, NODE_ERR_NOT_FOUND, WIRE_OK,
				     "no such message in the outbox");
	}
	{
		enum node_status s = node_msg_db_fail(err, db,
							  "read outbox");
		sqlite3_finalize(st);
		return s;
	}
}

enum node_status
node_outbox_receipts(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
		     int (*fn)(const struct node_outbox_receipt *r, void *ctx),
		     void *ctx, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	struct node_outbox_receipt r;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT recipient, received_ms FROM"
			       " outbox_receipt WHERE message_id = ?"
			       " ORDER BY received_ms, recipient",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare receipt list");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		copy_text(r.recipient, sizeof(r.recipient),
			  sqlite3_column_text(st, 0));
		r.received_ms = (uint64_t)sqlite3_column_int64(st, 1);
		if (fn(&r, ctx) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		enum node_status s = node_msg_db_fail(err, db,
							  "list receipts");
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_outbox_next(sqlite3 *db, uint64_t after_seq,
		 struct node_outbox_entry *ret, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	const void *blob;
	int rc, n;

	if (sqlite3_prepare_v2(db,
			       "SELECT " ENTRY_COLUMNS ", o.envelope"
			       " FROM outbox o WHERE o.state = 'queued'"
			       " AND o.seq > ? ORDER BY o.seq LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare outbox next");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return node_msg_fail(err, NODE_ERR_NOT_FOUND, WIRE_OK,
				     "nothing queued");
	}
	if (rc != SQLITE_ROW) {
		enum node_status s = node_msg_db_fail(err, db,
							  "read outbox");
		sqlite3_finalize(st);
		return s;
	}
	entry_from_row(st, ret);
	blob = sqlite3_column_blob(st, 11);
	n = sqlite3_column_bytes(st, 11);
	if (blob == NULL || n <= 0) {
		sqlite3_finalize(st);
		return node_msg_fail(err, NODE_ERR_DB, WIRE_OK,
				     "outbox message %llu has no envelope",
				     (unsigned long long)ret->seq);
	}
	ret->envelope = malloc((size_t)n);
	if (ret->envelope == NULL) {
		sqlite3_finalize(st);
		return node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK,
				     "out of memory");
	}
	memcpy(ret->envelope, blob, (size_t)n);
	ret->envelope_len = (size_t)n;
	sqlite3_finalize(st);
	return NODE_OK;
}

/* Run one statement with the bindings already made; expect SQLITE_DONE. */
static enum node_status
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what,
	  struct node_msg_error *err)
{
	enum node_status rc = NODE_OK;

	if (sqlite3_step(st) != SQLITE_DONE)
		rc = node_msg_db_fail(err, db, what);
	sqlite3_finalize(st);
	return rc;
}

/* Record one ack inside the caller's transaction. */
static enum node_status
ack_in_tx(sqlite3 *db, const uint8_t msgid[MSGID_LEN], uint64_t seq,
	  uint64_t now_ms, int *ret_changed, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	enum node_status rc = NODE_OK;
	int kind = 0;
	char recipient[PARTY_ID_MAX] = "";

	*ret_changed = 0;
	if (sqlite3_prepare_v2(db,
			       "UPDATE outbox SET state = 'acked',"
			       " acked_ms = ?3 WHERE message_id = ?1"
			       " AND seq = ?2 AND state = 'queued'"
			       " RETURNING kind, recipient",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare ack");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now_ms);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*ret_changed = 1;
		kind = sqlite3_column_int(st, 0);
		copy_text(recipient, sizeof(recipient),
			  sqlite3_column_text(st, 1));
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = node_msg_db_fail(err, db, "record ack");
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = node_msg_db_fail(err, db, "record ack");
		break;
	}
	sqlite3_finalize(st);
	if (rc == NODE_OK && *ret_changed)
		rc = node_msg_audit(db, NULL, NODE_MSG_AUDIT_ACKED, msgid, kind,
				    recipient, seq, err);
	return rc;
}

enum node_status
node_outbox_ack_many(sqlite3 *db, const struct node_outbox_ack_item *items,
		     size_t n, uint64_t now_ms, struct node_msg_error *err)
{
	enum node_status rc = NODE_OK;
	size_t i;
	int changed;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "begin ack");
	for (i = 0; i < n && rc == NODE_OK; i++) {
		rc = ack_in_tx(db, items[i].message_id, items[i].seq, now_ms,
			       &changed, err);
		if (items[i].ret_changed)
			*items[i].ret_changed = changed;
	}
	if (rc == NODE_OK &&
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = node_msg_db_fail(err, db, "commit ack");
	if (rc != NODE_OK)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum node_status
node_outbox_ack(sqlite3 *db, const uint8_t msgid[MSGID_LEN], uint64_t seq,
		uint64_t now_ms, int *ret_changed, struct node_msg_error *err)
{
	struct node_outbox_ack_item it;
	enum node_status rc;
	int changed = 0;

	memcpy(it.message_id, msgid, MSGID_LEN);
	it.seq = seq;
	it.ret_changed = &changed;
	rc = node_outbox_ack_many(db, &it, 1, now_ms, err);
	if (rc != NODE_OK)
		return rc;
	if (ret_changed)
		*ret_changed = changed;
	return NODE_OK;
}

/*
 * Give one queued message the number new_seq: decode its stored envelope,
 * copy the body with the new number and seal it again.
 */
static enum node_status
renumber_one(sqlite3 *db, const struct keyfile *keys, int64_t row,
	     const uint8_t *env_buf, size_t env_len, uint64_t new_seq,
	     struct node_msg_error *err)
{
	struct envelope *env = NULL;
	struct wire_error werr;
	Retfed__V1__Body b;
	uint8_t *out = NULL;
	size_t out_len = 0;
	sqlite3_stmt *st = NULL;
	enum wire_reason wr;
	enum node_status rc;

	wire_error_clear(&werr);
	wr = envelope_decode(env_buf, env_len, &env, &werr);
	if (wr != WIRE_OK)
		return node_msg_fail(err, NODE_ERR_DB, wr,
				     "stored outbox envelope: %s",
				     werr.detail);
	b = *env->body;
	b.seq = new_seq;
	wr = envelope_seal(&b, keys->sign_sk, &out, &out_len, &werr);
	envelope_destroy(&env);
	if (wr != WIRE_OK)
		return node_msg_fail(err, NODE_ERR_INVALID, wr,
				     "re-signing: %s", werr.detail);
	if (sqlite3_prepare_v2(db,
			       "UPDATE outbox SET seq = ?, envelope = ?"
			       " WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		free(out);
		return node_msg_db_fail(err, db, "prepare renumber");
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)new_seq);
	sqlite3_bind_blob(st, 2, out, (int)out_len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, row);
	rc = step_done(db, st, "renumber", err);
	free(out);
	return rc;
}

/*
 * Renumber every queued message above `seq` to its number minus one, in
 * ascending order so that each moves into the number its predecessor has
 * just left. The rows are collected first: the table is not changed while a
 * statement scans it.
 */
static enum node_status
renumber_after(sqlite3 *db, const struct keyfile *keys, uint64_t seq,
	       unsigned *ret_n, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	int64_t *rows = NULL, *grown;
	uint8_t *copy = NULL;
	size_t n = 0, cap = 0, i;
	enum node_status rc = NODE_OK;
	int r;

	if (sqlite3_prepare_v2(db,
			       "SELECT id FROM outbox WHERE state = 'queued'"
			       " AND seq > ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare renumbering");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(rows, cap * sizeof(*rows));
			if (grown == NULL) {
				rc = node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK,
						   "out of memory");
				goto out;
			}
			rows = grown;
		}
		rows[n++] = sqlite3_column_int64(st, 0);
	}
	if (r != SQLITE_DONE) {
		rc = node_msg_db_fail(err, db, "list messages to renumber");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT seq, envelope FROM outbox WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "prepare renumbering");
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint64_t old;
		const void *blob;
		int len;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, rows[i]);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = node_msg_db_fail(err, db, "read message to renumber");
			goto out;
		}
		old = (uint64_t)sqlite3_column_int64(st, 0);
		blob = sqlite3_column_blob(st, 1);
		len = sqlite3_column_bytes(st, 1);
		if (blob == NULL || len <= 0 || old < 2) {
			rc = node_msg_fail(err, NODE_ERR_DB, WIRE_OK,
					   "outbox message %llu cannot be "
					   "renumbered",
					   (unsigned long long)old);
			goto out;
		}
		/* Copy: the row is rewritten while this statement is open. */
		copy = malloc((size_t)len);
		if (copy == NULL) {
			rc = node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK,
					   "out of memory");
			goto out;
		}
		memcpy(copy, blob, (size_t)len);
		sqlite3_reset(st);
		rc = renumber_one(db, keys, rows[i], copy, (size_t)len, old - 1,
				  err);
		free(copy);
		copy = NULL;
		if (rc != NODE_OK)
			goto out;
	}
	*ret_n = (unsigned)n;
out:
	sqlite3_finalize(st);
	free(rows);
	return rc;
}

enum node_status
node_outbox_refuse(sqlite3 *db, const struct keyfile *keys,
		   const uint8_t msgid[MSGID_LEN], uint64_t seq, int reason,
		   const char *detail, int *ret_changed,
		   unsigned *ret_renumbered, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	enum node_status rc;
	unsigned renumbered = 0;
	int changed = 0, kind = 0, r;
	char recipient[PARTY_ID_MAX] = "";

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "begin refusal");
	if (sqlite3_prepare_v2(db,
			       "UPDATE outbox SET state = 'refused',"
			       " refusal_reason = ?3, refusal_detail = ?4"
			       " WHERE message_id = ?1 AND seq = ?2"
			       " AND state = 'queued' RETURNING kind, recipient",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "prepare refusal");
		goto fail;
	}
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int(st, 3, reason);
	sqlite3_bind_text(st, 4, detail ? detail : "", -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		changed = 1;
		kind = sqlite3_column_int(st, 0);
		copy_text(recipient, sizeof(recipient),
			  sqlite3_column_text(st, 1));
		r = sqlite3_step(st);
	}
	if (r != SQLITE_DONE) {
		rc = node_msg_db_fail(err, db, "record refusal");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	if (changed) {
		rc = node_msg_audit(db, NULL, NODE_MSG_AUDIT_REFUSED, msgid, kind,
				    recipient, seq, err);
		if (rc != NODE_OK)
			goto fail;
		rc = renumber_after(db, keys, seq, &renumbered, err);
		if (rc != NODE_OK)
			goto fail;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "commit refusal");
		goto fail;
	}
	if (ret_changed)
		*ret_changed = changed;
	if (ret_renumbered)
		*ret_renumbered = renumbered;
	return NODE_OK;
fail:
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum node_status
node_outbox_receipt(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
		    const char *recipient, uint64_t received_ms,
		    struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;

	if (!party_id_valid(recipient))
		return node_msg_fail(err, NODE_ERR_INVALID, WIRE_OUT_OF_RANGE,
				     "receipt recipient is not a party id");
	if (sqlite3_prepare_v2(db,
			       "INSERT OR IGNORE INTO outbox_receipt"
			       " (message_id, recipient, received_ms)"
			       " SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1"
			       " FROM outbox WHERE message_id = ?1)",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare receipt");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)received_ms);
	return step_done(db, st, "record receipt", err);
}

enum node_status
node_outbox_stats(sqlite3 *db, unsigned *ret_queued, unsigned *ret_acked,
		  unsigned *ret_refused, uint64_t *ret_last_acked_seq,
		  struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db,
			       "SELECT"
			       " coalesce(sum(state = 'queued'), 0),"
			       " coalesce(sum(state = 'acked'), 0),"
			       " coalesce(sum(state = 'refused'), 0),"
			       " coalesce(max(CASE WHEN state = 'acked'"
			       "  THEN seq END), 0) FROM outbox",
			       -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		enum node_status s = node_msg_db_fail(err, db,
							  "outbox counts");
		sqlite3_finalize(st);
		return s;
	}
	if (ret_queued)
		*ret_queued = (unsigned)sqlite3_column_int(st, 0);
	if (ret_acked)
		*ret_acked = (unsigned)sqlite3_column_int(st, 1);
	if (ret_refused)
		*ret_refused = (unsigned)sqlite3_column_int(st, 2);
	if (ret_last_acked_seq)
		*ret_last_acked_seq = (uint64_t)sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	return NODE_OK;
}
