/* relay_store: SQLite store of envelopes, cursors and receipts. */
#include "relay_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_HAS,
	ST_LAST_SEQ,
	ST_SET_SEQ,
	ST_INSERT_MSG,
	ST_INSERT_DELIVERY,
	ST_REQUEST_ROUTED,
	ST_CONFIRMED,
	ST_MAX_CURSOR,
	ST_SET_CONFIRMED,
	ST_INSERT_RECEIPTS,
	ST_DELIVERIES,
	ST_RECEIPTS,
	ST_RECEIPT_DONE,
	ST_COUNT,
	ST_RECEIPT_FORWARD,
	ST_N
};

static const char *const stmt_sql[ST_N] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_HAS] = "SELECT 1 FROM messages WHERE msgid = ?1",
	[ST_LAST_SEQ] = "SELECT last_seq FROM senders WHERE party = ?1",
	[ST_SET_SEQ] = "INSERT INTO senders(party, last_seq) VALUES (?1, ?2) "
		       "ON CONFLICT(party) DO UPDATE SET last_seq = ?2",
	[ST_INSERT_MSG] = "INSERT INTO messages(msgid, sender, origin, seq, "
			  "kind, request_id, stored_ms, envelope) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_INSERT_DELIVERY] = "INSERT INTO deliveries(recipient, msg) "
			       "VALUES (?1, ?2)",
	[ST_REQUEST_ROUTED] = "SELECT m.sender, m.kind FROM messages m "
			      "JOIN deliveries d ON d.msg = m.id "
			      "WHERE m.msgid = ?1 AND d.recipient = ?2",
	[ST_CONFIRMED] = "SELECT confirmed FROM recipients WHERE party = ?1",
	[ST_MAX_CURSOR] = "SELECT max(cursor) FROM deliveries "
			  "WHERE recipient = ?1",
	[ST_SET_CONFIRMED] = "INSERT INTO recipients(party, confirmed) "
			     "VALUES (?1, ?2) ON CONFLICT(party) "
			     "DO UPDATE SET confirmed = ?2",
	[ST_INSERT_RECEIPTS] =
		"INSERT INTO receipts(party, msgid, recipient, received_ms) "
		"SELECT m.origin, m.msgid, d.recipient, ?4 FROM deliveries d "
		"JOIN messages m ON m.id = d.msg WHERE d.recipient = ?1 "
		"AND d.cursor > ?2 AND d.cursor <= ?3",
	[ST_DELIVERIES] = "SELECT d.cursor, m.envelope FROM deliveries d "
			  "JOIN messages m ON m.id = d.msg "
			  "WHERE d.recipient = ?1 AND d.cursor > ?2 "
			  "ORDER BY d.cursor LIMIT ?3",
	[ST_RECEIPTS] = "SELECT id, msgid, recipient, received_ms FROM receipts "
			"WHERE party = ?1 ORDER BY id LIMIT ?2",
	[ST_RECEIPT_DONE] = "DELETE FROM receipts WHERE id = ?1",
	[ST_COUNT] = "SELECT count(*) FROM messages",
	[ST_RECEIPT_FORWARD] =
		"INSERT INTO receipts(party, msgid, recipient, received_ms) "
		"SELECT origin, msgid, ?2, ?3 FROM messages WHERE msgid = ?1",
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS messages ("
	" id INTEGER PRIMARY KEY,"
	" msgid BLOB NOT NULL UNIQUE,"
	" sender TEXT NOT NULL,"
	" origin TEXT NOT NULL,"
	" seq INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" request_id BLOB,"
	" stored_ms INTEGER NOT NULL,"
	" envelope BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS senders ("
	" party TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS deliveries ("
	" cursor INTEGER PRIMARY KEY AUTOINCREMENT,"
	" recipient TEXT NOT NULL,"
	" msg INTEGER NOT NULL REFERENCES messages(id));"
	"CREATE INDEX IF NOT EXISTS deliveries_by_recipient"
	" ON deliveries(recipient, cursor);"
	"CREATE INDEX IF NOT EXISTS deliveries_by_msg ON deliveries(msg);"
	"CREATE TABLE IF NOT EXISTS recipients ("
	" party TEXT PRIMARY KEY, confirmed INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS receipts ("
	" id INTEGER PRIMARY KEY,"
	" party TEXT NOT NULL,"
	" msgid BLOB NOT NULL,"
	" recipient TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS receipts_by_party ON receipts(party, id);";

struct relay_store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_N];
	int in_txn;
};

/* Run a prepared statement that returns no rows. */
static int
step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
finish(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

struct relay_store *
relay_store_open(const char *path, char *errbuf, size_t errlen)
{
	struct relay_store *s = calloc(1, sizeof(*s));
	int version = 0, i;
	sqlite3_stmt *st = NULL;

	if (s == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(s->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA foreign_keys=ON;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto fail;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (version > RELAY_STORE_SCHEMA_VERSION) {
		snprintf(errbuf, errlen,
			 "database schema version %d is newer than this "
			 "relay's %d", version, RELAY_STORE_SCHEMA_VERSION);
		relay_store_destroy(&s);
		return NULL;
	}
	if (version < RELAY_STORE_SCHEMA_VERSION) {
		char sql[sizeof(schema_sql) + 64];

		snprintf(sql, sizeof(sql),
			 "BEGIN; %s PRAGMA user_version=%d; COMMIT;",
			 schema_sql, RELAY_STORE_SCHEMA_VERSION);
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	for (i = 0; i < ST_N; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &s->st[i],
				       NULL) != SQLITE_OK)
			goto fail;
	return s;
fail:
	snprintf(errbuf, errlen, "%s: %s", path,
		 s->db ? sqlite3_errmsg(s->db) : "cannot open");
	sqlite3_finalize(st);
	relay_store_destroy(&s);
	return NULL;
}

void
relay_store_destroy(struct relay_store **sp)
{
	struct relay_store *s;
	int i;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	if (s->in_txn)
		relay_store_rollback(s);
	for (i = 0; i < ST_N; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
	*sp = NULL;
}

const char *
relay_store_errmsg(const struct relay_store *s)
{
	return s && s->db ? sqlite3_errmsg(s->db) : "no database";
}

int
relay_store_begin(struct relay_store *s)
{
	if (step_done(s->st[ST_BEGIN]) != 0)
		return -1;
	s->in_txn = 1;
	return 0;
}

int
relay_store_commit(struct relay_store *s)
{
	if (step_done(s->st[ST_COMMIT]) != 0) {
		relay_store_rollback(s);
		return -1;
	}
	s->in_txn = 0;
	return 0;
}

void
relay_store_rollback(struct relay_store *s)
{
	if (sqlite3_get_autocommit(s->db) == 0)
		(void)step_done(s->st[ST_ROLLBACK]);
	s->in_txn = 0;
}

int
relay_store_has(struct relay_store *s, const uint8_t *msgid, int *ret_found)
{
	sqlite3_stmt *st = s->st[ST_HAS];
	int rc;

	sqlite3_bind_blob(st, 1, msgid, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	finish(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*ret_found = rc == SQLITE_ROW;
	return 0;
}

int
relay_store_last_seq(struct relay_store *s, const char *sender,
		     uint64_t *ret_seq)
{
	sqlite3_stmt *st = s->st[ST_LAST_SEQ];
	int rc;
	uint64_t seq = 0;

	sqlite3_bind_text(st, 1, sender, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		seq = (uint64_t)sqlite3_column_int64(st, 0);
	finish(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*ret_seq = seq;
	return 0;
}

int
relay_store_submit(struct relay_store *s, const struct relay_store_msg *m,
		   const char *const *recipients, size_t n,
		   enum relay_store_verdict *ret_verdict)
{
	sqlite3_stmt *st;
	sqlite3_int64 rowid;
	uint64_t last = 0;
	int found = 0;
	size_t i;

	if (relay_store_has(s, m->msgid, &found) != 0)
		return -1;
	if (found) {
		*ret_verdict = RELAY_STORE_DUPLICATE;
		return 0;
	}
	if (relay_store_last_seq(s, m->sender, &last) != 0)
		return -1;
	if (m->seq <= last) {
		*ret_verdict = RELAY_STORE_REPLAY;
		return 0;
	}
	if (m->seq != last + 1 && !m->allow_gap) {
		*ret_verdict = RELAY_STORE_SEQ_GAP;
		return 0;
	}
	st = s->st[ST_INSERT_MSG];
	sqlite3_bind_blob(st, 1, m->msgid, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)m->seq);
	sqlite3_bind_int(st, 5, m->kind);
	if (m->request_id)
		sqlite3_bind_blob(st, 6, m->request_id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, (sqlite3_int64)m->now_ms);
	sqlite3_bind_blob(st, 8, m->envelope, (int)m->envelope_len,
			  SQLITE_STATIC);
	if (step_done(st) != 0)
		return -1;
	rowid = sqlite3_last_insert_rowid(s->db);
	st = s->st[ST_INSERT_DELIVERY];
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(st, 1, recipients[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, rowid);
		if (step_done(st) != 0)
			return -1;
	}
	st = s->st[ST_SET_SEQ];
	sqlite3_bind_text(st, 1, m->sender, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
	if (step_done(st) != 0)
		return -1;
	*ret_verdict = RELAY_STORE_STORED;
	return 0;
}

int
relay_store_request_routed(struct relay_store *s, const uint8_t *request_id,
			   const char *desk, int *ret_found, char *ret_sender,
			   size_t sender_cap, int *ret_kind)
{
	sqlite3_stmt *st = s->st[ST_REQUEST_ROUTED];
	int rc;

	sqlite3_bind_blob(st, 1, request_id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, desk, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);

		snprintf(ret_sender, sender_cap, "%s", t ? (const char *)t : "");
		*ret_kind = sqlite3_column_int(st, 1);
	}
	finish(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*ret_found = rc == SQLITE_ROW;
	return 0;
}

int
relay_store_confirmed(struct relay_store *s, const char *recipient,
		      uint64_t *ret_cursor)
{
	sqlite3_stmt *st = s->st[ST_CONFIRMED];
	int rc;
	uint64_t c = 0;

	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		c = (uint64_t)sqlite3_column_int64(st, 0);
	finish(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*ret_cursor = c;
	return 0;
}

int
relay_store_confirm(struct relay_store *s, const char *recipient,
		    uint64_t cursor, uint64_t now_ms, int *ret_ok)
{
	sqlite3_stmt *st;
	uint64_t old = 0, max = 0;
	int rc;

	if (relay_store_confirmed(s, recipient, &old) != 0)
		return -1;
	if (cursor <= old) {
		*ret_ok = 1;
		return 0;
	}
	st = s->st[ST_MAX_CURSOR];
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		max = (uint64_t)sqlite3_column_int64(st, 0);
	finish(st);
	if (rc != SQLITE_ROW)
		return -1;
	if (cursor > max || cursor > INT64_MAX) {
		*ret_ok = 0;
		return 0;
	}
	st = s->st[ST_INSERT_RECEIPTS];
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)old);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)cursor);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)now_ms);
	if (step_done(st) != 0)
		return -1;
	st = s->st[ST_SET_CONFIRMED];
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)cursor);
	if (step_done(st) != 0)
		return -1;
	*ret_ok = 1;
	return 0;
}

int
relay_store_deliveries(struct relay_store *s, const char *recipient,
		       uint64_t after, size_t limit,
		       relay_store_delivery_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_DELIVERIES];
	int rc;

	if (after > INT64_MAX)
		return 0;
	sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		uint64_t cursor = (uint64_t)sqlite3_column_int64(st, 0);
		const uint8_t *env = sqlite3_column_blob(st, 1);
		size_t len = (size_t)sqlite3_column_bytes(st, 1);

		if (fn(ctx, cursor, env, len) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	finish(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
relay_store_receipts(struct relay_store *s, const char *party, size_t limit,
		     relay_store_receipt_fn fn, void *ctx)
{
	sqlite3_stmt *st = s->st[ST_RECEIPTS];
	int rc;

	sqlite3_bind_text(st, 1, party, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const uint8_t *msgid = sqlite3_column_blob(st, 1);
		const unsigned char *rcpt = sqlite3_column_text(st, 2);
		uint64_t ms = (uint64_t)sqlite3_column_int64(st, 3);

		if (msgid == NULL || sqlite3_column_bytes(st, 1) != 16 ||
		    rcpt == NULL)
			continue;
		if (fn(ctx, id, msgid, (const char *)rcpt, ms) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	finish(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
relay_store_receipt_forward(struct relay_store *s, const uint8_t *msgid,
			    const char *recipient, uint64_t received_ms,
			    int *ret_found)
{
	sqlite3_stmt *st = s->st[ST_RECEIPT_FORWARD];

	sqlite3_bind_blob(st, 1, msgid, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, recipient, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)received_ms);
	if (step_done(st) != 0)
		return -1;
	*ret_found = sqlite3_changes(s->db) > 0;
	return 0;
}

int
relay_store_receipt_done(struct relay_store *s, int64_t id)
{
	sqlite3_stmt *st = s->st[ST_RECEIPT_DONE];

	sqlite3_bind_int64(st, 1, id);
	return step_done(st);
}

int
relay_store_count(struct relay_store *s, uint64_t *ret_n)
{
	sqlite3_stmt *st = s->st[ST_COUNT];
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		*ret_n = (uint64_t)sqlite3_column_int64(st, 0);
	finish(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

sqlite3 *
relay_store_sqlite(struct relay_store *s)
{
	return s->db;
}
