/*
 * relay_store: the relay's durable store (SQLite, WAL, synchronous=FULL).
 *
 * It keeps every accepted envelope byte for byte, the last sequence number
 * of each sender, one delivery row per (recipient, envelope) whose id is
 * the recipient's cursor, each recipient's confirmed cursor, and the
 * receipts waiting for the party that submitted an envelope.
 *
 * The caller groups work into transactions (relay_store_begin/commit) so
 * that many submissions share one fsync: the server acks a batch only
 * after relay_store_commit() returned 0. Functions that touch the database
 * return 0, or -1 when SQLite failed (the caller rolls back); their
 * verdicts come back through output parameters.
 */
#ifndef RET_RELAY_STORE_H
#define RET_RELAY_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define RELAY_STORE_SCHEMA_VERSION 1

struct relay_store;

/* What happened to a submitted envelope. */
enum relay_store_verdict {
	RELAY_STORE_STORED = 0,
	RELAY_STORE_DUPLICATE,  /* same message id stored before: ack again */
	RELAY_STORE_REPLAY,     /* seq <= last stored seq of the sender */
	RELAY_STORE_SEQ_GAP,    /* seq > last stored seq + 1 */
};

/* An envelope accepted by verification and routing, ready to store. */
struct relay_store_msg {
	const uint8_t *msgid;      /* 16 bytes */
	const char *sender;        /* author (signed sender) */
	const char *origin;        /* authenticated party that submitted it */
	uint64_t seq;
	int kind;
	const uint8_t *request_id; /* 16 bytes for decisions, else NULL */
	const uint8_t *envelope;   /* exact bytes received */
	size_t envelope_len;
	uint64_t now_ms;
	int allow_gap;             /* the author's other messages do not pass
				    * here (another BEN): seq must only grow */
};

/*
 * Open (creating if needed) the store at path; ":memory:" gives a private
 * in-memory store for tests. Sets WAL, synchronous=FULL and the schema.
 * Returns the store, or NULL with a sentence in errbuf.
 */
struct relay_store *relay_store_open(const char *path, char *errbuf,
				     size_t errlen);

/* Close the store (rolls back an open transaction); NULL-safe. */
void relay_store_destroy(struct relay_store **sp);

/* The last SQLite error message, for logs. */
const char *relay_store_errmsg(const struct relay_store *s);

/* Transactions. Each returns 0 or -1. */
int relay_store_begin(struct relay_store *s)
	__attribute__((warn_unused_result));
int relay_store_commit(struct relay_store *s)
	__attribute__((warn_unused_result));
void relay_store_rollback(struct relay_store *s);

/*
 * Store m and one delivery row per recipient (recipients[0..n-1]), applying
 * the sequence rule: a known message id gives RELAY_STORE_DUPLICATE and
 * stores nothing; otherwise m->seq must be last_seq(sender) + 1 (with
 * m->allow_gap: greater than last_seq), else RELAY_STORE_REPLAY or
 * RELAY_STORE_SEQ_GAP and nothing is stored. Must run
 * inside a transaction. Returns 0 with *ret_verdict set, or -1.
 */
int relay_store_submit(struct relay_store *s, const struct relay_store_msg *m,
		       const char *const *recipients, size_t n,
		       enum relay_store_verdict *ret_verdict)
	__attribute__((warn_unused_result));

/* The last stored sequence number of sender (0 if none). Returns 0 or -1. */
int relay_store_last_seq(struct relay_store *s, const char *sender,
			 uint64_t *ret_seq) __attribute__((warn_unused_result));

/*
 * Whether the envelope with message id request_id was routed to `desk`;
 * if so *ret_found = 1 and its author (up to PARTY_ID_MAX bytes) and kind
 * are written to ret_sender / *ret_kind. Returns 0 or -1.
 */
int relay_store_request_routed(struct relay_store *s, const uint8_t *request_id,
			       const char *desk, int *ret_found,
			       char *ret_sender, size_t sender_cap,
			       int *ret_kind) __attribute__((warn_unused_result));

/* The confirmed cursor of recipient (0 if none). Returns 0 or -1. */
int relay_store_confirmed(struct relay_store *s, const char *recipient,
			  uint64_t *ret_cursor)
	__attribute__((warn_unused_result));

/*
 * Record that recipient applied every delivery up to cursor. Deliveries
 * newly confirmed create one receipt each for the party that submitted the
 * envelope. A cursor at or below the confirmed one changes nothing; a
 * cursor beyond the recipient's last delivery gives *ret_ok = 0 and changes
 * nothing. Must run inside a transaction. Returns 0 or -1.
 */
int relay_store_confirm(struct relay_store *s, const char *recipient,
			uint64_t cursor, uint64_t now_ms, int *ret_ok)
	__attribute__((warn_unused_result));

/* Called for each delivery; return non-zero to stop early. */
typedef int (*relay_store_delivery_fn)(void *ctx, uint64_t cursor,
				       const uint8_t *env, size_t len);

/*
 * Call fn for up to `limit` deliveries of recipient with cursor > after, in
 * cursor order. The bytes are borrowed for the duration of the call.
 * Returns 0 or -1.
 */
int relay_store_deliveries(struct relay_store *s, const char *recipient,
			   uint64_t after, size_t limit,
			   relay_store_delivery_fn fn, void *ctx)
	__attribute__((warn_unused_result));

/*
 * A peer relay reports that `recipient` (a party of its BEN) confirmed the
 * envelope msgid, which this relay forwarded: record a receipt for the
 * party that submitted it here. *ret_found = 0 when msgid is not stored
 * here. Must run inside a transaction. Returns 0 or -1.
 */
int relay_store_receipt_forward(struct relay_store *s, const uint8_t *msgid,
				const char *recipient, uint64_t received_ms,
				int *ret_found)
	__attribute__((warn_unused_result));

/* Called for each pending receipt; return non-zero to stop early. */
typedef int (*relay_store_receipt_fn)(void *ctx, int64_t id,
				      const uint8_t *msgid,
				      const char *recipient,
				      uint64_t received_ms);

/* Call fn for up to `limit` pending receipts of party. Returns 0 or -1. */
int relay_store_receipts(struct relay_store *s, const char *party,
			 size_t limit, relay_store_receipt_fn fn, void *ctx)
	__attribute__((warn_unused_result));

/* Forget a receipt once it was handed to its party. Returns 0 or -1. */
int relay_store_receipt_done(struct relay_store *s, int64_t id)
	__attribute__((warn_unused_result));

/* Number of stored envelopes (for tests and status). Returns 0 or -1. */
int relay_store_count(struct relay_store *s, uint64_t *ret_n)
	__attribute__((warn_unused_result));

/* The store's SQLite handle (borrowed), for read-only status queries on
 * the daemon's thread (relay_status, relay_metrics). */
sqlite3 *relay_store_sqlite(struct relay_store *s);

/* Whether an envelope with this message id is stored. Returns 0 or -1. */
int relay_store_has(struct relay_store *s, const uint8_t *msgid,
		    int *ret_found) __attribute__((warn_unused_result));

#endif
