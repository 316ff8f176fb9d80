/*
 * node_audit: the append-only, hash-chained audit log of a node.
 *
 * Every read and every change of case data, and every message sent or
 * received, appends one row: when, who (the user), what (an action such
 * as "casus.show" or "message.sent"), which casus (its internal id, or
 * none) and a short detail. Never pass personal data: not in the action,
 * not in the detail. Rows cannot be updated or deleted (triggers refuse it
 * inside the database); each row stores the BLAKE2b-256 hash of the
 * previous row's hash and its own canonical content, so that editing,
 * removing or reordering a row is found by node_audit_verify().
 *
 * Canonical content of row n (all integers big-endian):
 *   prev_hash[32] || u64 seq || i64 casus_id (0 for none) ||
 *   for at, user, action, detail: u32 length || bytes
 * The first row's prev_hash is 32 zero bytes.
 */
#ifndef RET_NODE_AUDIT_H
#define RET_NODE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

#define NODE_AUDIT_HASH_LEN 32
#define NODE_AUDIT_TEXT_MAX 512 /* user, action and detail, in bytes */

/* The number of schema steps of the "audit" component. */
size_t node_audit_schema_steps(void);

/* Create or upgrade the audit table (component "audit"). */
enum node_status node_audit_migrate(sqlite3 *db, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Append one row. Must run inside the caller's write transaction (see
 * node_db_transaction) so the row commits together with the change it
 * records. casus_id 0 means "no casus"; detail may be NULL. user, action
 * and detail must be valid UTF-8 of at most NODE_AUDIT_TEXT_MAX bytes.
 */
enum node_status node_audit_append(sqlite3 *db, const char *user,
				   const char *action, int64_t casus_id,
				   const char *detail, char *errbuf,
				   size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Append one row in a transaction of its own (for reads and for messages
 * that are not part of another write).
 */
enum node_status node_audit_log(sqlite3 *db, const char *user,
				const char *action, int64_t casus_id,
				const char *detail, char *errbuf,
				size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Walk the whole chain. Returns NODE_OK with the number of rows in
 * *ret_rows, or NODE_ERR_TAMPERED with the first broken row's seq in
 * *ret_bad_seq and a sentence saying what is wrong with it.
 */
enum node_status node_audit_verify(sqlite3 *db, int64_t *ret_rows,
				   int64_t *ret_bad_seq, char *errbuf,
				   size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The last `limit` rows (1..10000), oldest first, optionally only those of
 * one casus (casus_id > 0), as a JSON array of objects {seq, at, user,
 * action, casus_id, detail, hash}. The caller owns *ret.
 */
enum node_status node_audit_list(sqlite3 *db, int64_t casus_id, int limit,
				 json_t **ret, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
