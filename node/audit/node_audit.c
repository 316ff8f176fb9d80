/*
 * node_audit: append, verify and list the hash-chained audit log.
 */
#include "node_audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "wire_scan.h"

static const char *const audit_steps[] = {
	"CREATE TABLE audit("
	" seq INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" casus_id INTEGER NOT NULL DEFAULT 0,"
	" detail TEXT NOT NULL DEFAULT '',"
	" prev_hash BLOB NOT NULL,"
	" hash BLOB NOT NULL);"
	"CREATE INDEX audit_casus ON audit(casus_id);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
};

size_t
node_audit_schema_steps(void)
{
	return sizeof(audit_steps) / sizeof(audit_steps[0]);
}

enum node_status
node_audit_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	return node_db_migrate(db, "audit", audit_steps,
			       node_audit_schema_steps(), errbuf, errlen);
}

static void
put_u64(crypto_generichash_state *h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	crypto_generichash_update(h, b, sizeof(b));
}

static void
put_text(crypto_generichash_state *h, const char *s, size_t len)
{
	uint8_t b[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16),
			(uint8_t)(len >> 8), (uint8_t)len};

	crypto_generichash_update(h, b, sizeof(b));
	if (len > 0)
		crypto_generichash_update(h, (const uint8_t *)s, len);
}

static void
row_hash(const uint8_t prev[NODE_AUDIT_HASH_LEN], int64_t seq,
	 int64_t casus_id, const char *at, size_t at_len, const char *user,
	 size_t user_len, const char *action, size_t action_len,
	 const char *detail, size_t detail_len,
	 uint8_t out[NODE_AUDIT_HASH_LEN])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, NODE_AUDIT_HASH_LEN);
	crypto_generichash_update(&h, prev, NODE_AUDIT_HASH_LEN);
	put_u64(&h, (uint64_t)seq);
	put_u64(&h, (uint64_t)casus_id);
	put_text(&h, at, at_len);
	put_text(&h, user, user_len);
	put_text(&h, action, action_len);
	put_text(&h, detail, detail_len);
	crypto_generichash_final(&h, out, NODE_AUDIT_HASH_LEN);
}

static int
text_ok(const char *s, int may_be_empty)
{
	size_t n;

	if (s == NULL)
		return may_be_empty;
	n = strlen(s);
	if (n > NODE_AUDIT_TEXT_MAX || (n == 0 && !may_be_empty))
		return 0;
	return wire_utf8_valid(s, n);
}

enum node_status
node_audit_append(sqlite3 *db, const char *user, const char *action,
		  int64_t casus_id, const char *detail, char *errbuf,
		  size_t errlen)
{
	uint8_t prev[NODE_AUDIT_HASH_LEN] = {0}, hash[NODE_AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int64_t seq = 1;
	char at[40];
	int rc;

	if (sodium_init() < 0) {
		snprintf(errbuf, errlen, "audit: libsodium cannot be initialised");
		return NODE_ERR_NOMEM;
	}
	if (!text_ok(user, 0) || !text_ok(action, 0) || !text_ok(detail, 1) ||
	    casus_id < 0) {
		snprintf(errbuf, errlen,
			 "audit: user, action and detail must be UTF-8 text of at most %d bytes",
			 NODE_AUDIT_TEXT_MAX);
		return NODE_ERR_INVALID;
	}
	if (detail == NULL)
		detail = "";
	rc = sqlite3_prepare_v2(db,
				"SELECT seq, hash, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
				" FROM (SELECT 1) LEFT JOIN"
				" (SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto dberr;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		goto dberr;
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		seq = sqlite3_column_int64(st, 0) + 1;
		if (sqlite3_column_bytes(st, 1) != NODE_AUDIT_HASH_LEN) {
			sqlite3_finalize(st);
			snprintf(errbuf, errlen,
				 "audit: the last row has no valid hash");
			return NODE_ERR_TAMPERED;
		}
		memcpy(prev, sqlite3_column_blob(st, 1), NODE_AUDIT_HASH_LEN);
	}
	snprintf(at, sizeof(at), "%s", (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	st = NULL;

	row_hash(prev, seq, casus_id, at, strlen(at), user, strlen(user),
		 action, strlen(action), detail, strlen(detail), hash);
	rc = sqlite3_prepare_v2(db,
				"INSERT INTO audit(seq, at, user, action, casus_id,"
				" detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto dberr;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, casus_id);
	sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, prev, sizeof(prev), SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 8, hash, sizeof(hash), SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		goto dberr;
	sqlite3_finalize(st);
	return NODE_OK;
dberr:
	snprintf(errbuf, errlen, "audit: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY : NODE_ERR_DB;
}

struct log_arg {
	const char *user, *action, *detail;
	int64_t casus_id;
};

static enum node_status
log_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct log_arg *a = varg;

	return node_audit_append(db, a->user, a->action, a->casus_id,
				 a->detail, errbuf, errlen);
}

enum node_status
node_audit_log(sqlite3 *db, const char *user, const char *action,
	       int64_t casus_id, const char *detail, char *errbuf,
	       size_t errlen)
{
	struct log_arg a = {user, action, detail, casus_id};

	return node_db_transaction(db, log_fn, &a, errbuf, errlen);
}

enum node_status
node_audit_verify(sqlite3 *db, int64_t *ret_rows, int64_t *ret_bad_seq,
		  char *errbuf, size_t errlen)
{
	uint8_t prev[NODE_AUDIT_HASH_LEN] = {0}, want[NODE_AUDIT_HASH_LEN];
	sqlite3_stmt *st = NULL;
	int64_t expect_seq = 1, rows = 0;
	int rc;

	if (sodium_init() < 0) {
		snprintf(errbuf, errlen, "audit: libsodium cannot be initialised");
		return NODE_ERR_NOMEM;
	}
	rc = sqlite3_prepare_v2(db,
				"SELECT seq, at, user, action, casus_id, detail,"
				" prev_hash, hash FROM audit ORDER BY seq",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "audit: %s", sqlite3_errmsg(db));
		return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY
							   : NODE_ERR_DB;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(st, 0);
		const char *what = NULL;

		if (seq != expect_seq) {
			what = seq > expect_seq ? "rows are missing before it"
						: "its sequence number is out of order";
		} else if (sqlite3_column_bytes(st, 6) != NODE_AUDIT_HASH_LEN ||
			   sqlite3_column_bytes(st, 7) != NODE_AUDIT_HASH_LEN) {
			what = "its hash fields are damaged";
		} else if (memcmp(sqlite3_column_blob(st, 6), prev,
				  NODE_AUDIT_HASH_LEN) != 0) {
			what = "it does not link to the previous row";
		} else {
			row_hash(prev, seq, sqlite3_column_int64(st, 4),
				 (const char *)sqlite3_column_text(st, 1),
				 (size_t)sqlite3_column_bytes(st, 1),
				 (const char *)sqlite3_column_text(st, 2),
				 (size_t)sqlite3_column_bytes(st, 2),
				 (const char *)sqlite3_column_text(st, 3),
				 (size_t)sqlite3_column_bytes(st, 3),
				 (const char *)sqlite3_column_text(st, 5),
				 (size_t)sqlite3_column_bytes(st, 5), want);
			if (sodium_memcmp(want, sqlite3_column_blob(st, 7),
					  NODE_AUDIT_HASH_LEN) != 0)
				what = "its content does not match its hash";
		}
		if (what != NULL) {
			snprintf(errbuf, errlen, "audit row %lld: %s",
				 (long long)(seq != expect_seq ? expect_seq : seq),
				 what);
			if (ret_bad_seq != NULL)
				*ret_bad_seq = seq != expect_seq ? expect_seq : seq;
			sqlite3_finalize(st);
			return NODE_ERR_TAMPERED;
		}
		memcpy(prev, sqlite3_column_blob(st, 7), NODE_AUDIT_HASH_LEN);
		expect_seq++;
		rows++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(errbuf, errlen, "audit: %s", sqlite3_errmsg(db));
		return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY
							   : NODE_ERR_DB;
	}
	if (ret_rows != NULL)
		*ret_rows = rows;
	return NODE_OK;
}

enum node_status
node_audit_list(sqlite3 *db, int64_t casus_id, int limit, json_t **ret,
		char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr;
	int rc;

	if (limit < 1 || limit > 10000) {
		snprintf(errbuf, errlen, "limit must be from 1 to 10000");
		return NODE_ERR_INVALID;
	}
	rc = sqlite3_prepare_v2(db,
				"SELECT * FROM (SELECT seq, at, user, action, casus_id,"
				" detail, hex(hash) FROM audit"
				" WHERE ?1 = 0 OR casus_id = ?1"
				" ORDER BY seq DESC LIMIT ?2) ORDER BY seq",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "audit: %s", sqlite3_errmsg(db));
		return NODE_ERR_DB;
	}
	sqlite3_bind_int64(st, 1, casus_id);
	sqlite3_bind_int(st, 2, limit);
	arr = json_array();
	if (arr == NULL) {
		sqlite3_finalize(st);
		return NODE_ERR_NOMEM;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_pack(
			"{s:I, s:s, s:s, s:s, s:I, s:s, s:s}", "seq",
			(json_int_t)sqlite3_column_int64(st, 0), "at",
			(const char *)sqlite3_column_text(st, 1), "user",
			(const char *)sqlite3_column_text(st, 2), "action",
			(const char *)sqlite3_column_text(st, 3), "casus_id",
			(json_int_t)sqlite3_column_int64(st, 4), "detail",
			(const char *)sqlite3_column_text(st, 5), "hash",
			(const char *)sqlite3_column_text(st, 6));
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			sqlite3_finalize(st);
			return NODE_ERR_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		snprintf(errbuf, errlen, "audit: %s", sqlite3_errmsg(db));
		return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY
							   : NODE_ERR_DB;
	}
	*ret = arr;
	return NODE_OK;
}
