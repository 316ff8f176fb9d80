/*
 * node_outbox: the node's outgoing messages ("messaging" component).
 *
 * Every message a node sends is sealed (signed) and written to the outbox in
 * the same transaction that allocates its per-sender sequence number, so the
 * sequence the relay sees never has a hole and a crash never leaves a
 * half-sent message behind. A message is `queued` until the relay acked it
 * (`acked`: durably stored at the relay) or refused it permanently
 * (`refused`, with the relay's reason). After a refusal every later queued
 * message is renumbered (seq - 1) and signed again under the same message id
 * so that the sequence stays gap-free (docs/sync.md).
 *
 * The module also owns the schema of the whole messaging component (outbox,
 * receipts, inbox and sync state), see node_outbox_migrate(), and the error
 * value shared by node_outbox, node_inbox and node_sync.
 *
 * The outbox is the end of the only road out: node_outbox_queue() accepts
 * a struct guard_draft, which only node/guard can make, never a body.
 * Part of node/messaging, which may use node/guard, node/register,
 * node/audit and node/store; node/desk, node/apply and the programs are
 * above it.
 *
 * Library code: never logs. Every function takes a database handle opened by
 * the caller (WAL, busy timeout), so the CLI and the daemon can work on the
 * same file at the same time.
 */
#ifndef RET_NODE_OUTBOX_H
#define RET_NODE_OUTBOX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "guard_draft.h"
#include "keyfile.h"
#include "node_db.h"
#include "msgid.h"
#include "party.h"
#include "retfed.pb-c.h"
#include "wire_error.h"

/*
 * An error value shared by node_outbox, node_inbox and node_sync: the
 * node_db status, the wire reason if one applies, one sentence.
 */
struct node_msg_error {
	enum node_status status;
	enum wire_reason wire; /* WIRE_OK unless a wire rule was broken */
	char detail[WIRE_DETAIL_MAX];
};

/*
 * Record an error (err may be NULL): status, wire reason and a formatted
 * sentence. Returns status, for `return node_msg_fail(...)`.
 */
enum node_status node_msg_fail(struct node_msg_error *err,
				   enum node_status status,
				   enum wire_reason wire, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Turn the last SQLite error of db into ours: SQLITE_BUSY and
 * SQLITE_LOCKED become NODE_ERR_BUSY, SQLITE_NOMEM NODE_ERR_NOMEM, the rest
 * NODE_ERR_DB (node_db_status). `what` names the operation that failed.
 */
enum node_status node_msg_db_fail(struct node_msg_error *err, sqlite3 *db,
				      const char *what);

/* What the audit log records about a message. */
enum node_msg_audit_event {
	NODE_MSG_AUDIT_QUEUED,	  /* sealed and queued for sending */
	NODE_MSG_AUDIT_ACKED,	  /* stored by the relay */
	NODE_MSG_AUDIT_REFUSED,	  /* refused by the relay */
	NODE_MSG_AUDIT_RECEIVED,  /* received, verified and applied */
	NODE_MSG_AUDIT_REJECTED,  /* received and refused by this node */
};

/* The audit log's user for what the sync daemon does. */
#define NODE_MSG_DAEMON_USER "ret-node"

/*
 * Append one messaging event to the node's audit log (node_audit) inside
 * the caller's open transaction: the event as action "message.queued",
 * "message.sent", "message.refused", "message.received" or
 * "message.rejected"; as detail the message id, its kind, the sequence
 * number and the other party (recipient or sender). Never content. user
 * NULL means NODE_MSG_DAEMON_USER. Used by node_outbox and node_inbox.
 */
enum node_status node_msg_audit(sqlite3 *db, const char *user,
				    enum node_msg_audit_event ev,
				    const uint8_t msgid[MSGID_LEN], int kind,
				    const char *party, uint64_t seq,
				    struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* Outbox states, as stored in the database and shown by the CLI. */
#define NODE_OUTBOX_QUEUED "queued"
#define NODE_OUTBOX_ACKED "acked"
#define NODE_OUTBOX_REFUSED "refused"

/* The schema component name and its number of migration steps. */
#define NODE_OUTBOX_COMPONENT "messaging"
extern const size_t node_outbox_schema_steps;

/*
 * Create or upgrade the messaging component's tables (outbox,
 * outbox_receipt, inbox, messaging_state) in db through node_db_migrate,
 * after the tables the queue transaction records into (node_requests'
 * sent requests, node_summary's learning summaries). Messaging writes to
 * the audit log, so node_audit_migrate must have run. Version 2 records
 * the requests an earlier version queued without their record.
 * Idempotent; safe to call from the CLI and the daemon at start. Returns
 * NODE_OK or an error.
 */
enum node_status node_outbox_migrate(sqlite3 *db,
					 struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Queue one message the guard built: in ONE transaction (BEGIN IMMEDIATE)
 * allocate the next sequence number of this sender, fill the header of a
 * copy of the draft's body (version, sender = keys->party, key id, seq, a
 * new message id, created time), seal it with keys->sign_sk, insert it as
 * `queued`, append the audit row, and record what the draft means for
 * this node (guard_draft_record: the request in its casus with its audit
 * row, or the own learning summary). Either all of it commits or nothing
 * does. `user` (the person queueing; NULL: the daemon) is named in the
 * audit rows. On success *ret_seq and ret_msgid (if not NULL) receive the
 * sequence number and the message id. A body a receiver would refuse is
 * not queued (NODE_ERR_INVALID with the wire reason).
 */
enum node_status node_outbox_queue(sqlite3 *db, const struct keyfile *keys,
				   const char *user,
				   const struct guard_draft *draft,
				   uint64_t *ret_seq,
				   uint8_t ret_msgid[MSGID_LEN],
				   struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* One outbox row, as the CLI and the daemon see it. */
struct node_outbox_entry {
	int64_t id; /* local row id */
	uint64_t seq;
	uint8_t message_id[MSGID_LEN];
	int kind;
	char recipient[PARTY_ID_MAX]; /* "" when the kind has none */
	char state[12];		      /* NODE_OUTBOX_* */
	uint64_t created_ms;
	uint64_t acked_ms; /* 0 unless acked */
	int refusal_reason; /* wire reason, 0 unless refused */
	char refusal_detail[WIRE_DETAIL_MAX];
	unsigned n_receipts; /* recipients that confirmed delivery */
	uint8_t *envelope;   /* only from node_outbox_next(); caller frees */
	size_t envelope_len;
};

/* Free the envelope an entry may hold; the entry itself is the caller's. */
void node_outbox_entry_clear(struct node_outbox_entry *e);

/*
 * Call `fn` for every outbox message in sequence order (newest last),
 * optionally only those in `state` (NULL: all), at most `limit` (0: all).
 * The entry passed to fn is borrowed for the call. fn returns 0 to go on,
 * non-zero to stop. Returns NODE_OK or an error.
 */
enum node_status node_outbox_list(
	sqlite3 *db, const char *state, unsigned limit,
	int (*fn)(const struct node_outbox_entry *e, void *ctx), void *ctx,
	struct node_msg_error *err) __attribute__((warn_unused_result));

/*
 * Look up one message by id. On success *ret is filled (without envelope).
 * NODE_ERR_NOT_FOUND when there is none.
 */
enum node_status node_outbox_get(sqlite3 *db,
				     const uint8_t msgid[MSGID_LEN],
				     struct node_outbox_entry *ret,
				     struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* One confirmation that a recipient received a message. */
struct node_outbox_receipt {
	char recipient[PARTY_ID_MAX];
	uint64_t received_ms;
};

/*
 * Call fn for every receipt of message msgid, oldest first. fn returns 0
 * to go on. Returns NODE_OK or an error.
 */
enum node_status node_outbox_receipts(
	sqlite3 *db, const uint8_t msgid[MSGID_LEN],
	int (*fn)(const struct node_outbox_receipt *r, void *ctx), void *ctx,
	struct node_msg_error *err) __attribute__((warn_unused_result));

/*
 * The queued message with the lowest sequence number above `after_seq`,
 * with its envelope (the caller frees it with node_outbox_entry_clear).
 * NODE_ERR_NOT_FOUND when nothing is queued above after_seq.
 */
enum node_status node_outbox_next(sqlite3 *db, uint64_t after_seq,
				      struct node_outbox_entry *ret,
				      struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Record the relay's ack of message msgid with sequence number seq: the
 * message becomes `acked` at time now_ms. An ack of a message that is
 * already acked changes nothing; an ack whose seq is not the message's
 * current seq (a stale answer about an older numbering) is ignored.
 * *ret_changed (may be NULL) tells whether the state changed.
 */
enum node_status node_outbox_ack(sqlite3 *db,
				     const uint8_t msgid[MSGID_LEN],
				     uint64_t seq, uint64_t now_ms,
				     int *ret_changed,
				     struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* One ack of a batch for node_outbox_ack_many(). */
struct node_outbox_ack_item {
	uint8_t message_id[MSGID_LEN];
	uint64_t seq;
	int *ret_changed; /* may be NULL; set on success */
};

/*
 * Record n acks as node_outbox_ack() does, all in ONE transaction, so a
 * drain costs one commit per batch instead of one per message. On error
 * nothing is recorded.
 */
enum node_status node_outbox_ack_many(sqlite3 *db,
				      const struct node_outbox_ack_item *items,
				      size_t n, uint64_t now_ms,
				      struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Record a permanent refusal of queued message msgid (current sequence
 * number seq) with the relay's reason and detail, and, in the same
 * transaction, renumber every later queued message to seq - 1 and sign it
 * again with keys->sign_sk (same message id, fresh signature). A refusal
 * that no longer matches (the message is not queued under seq) changes
 * nothing and sets *ret_changed to 0. *ret_renumbered (may be NULL)
 * receives how many messages were renumbered.
 */
enum node_status node_outbox_refuse(sqlite3 *db,
					const struct keyfile *keys,
					const uint8_t msgid[MSGID_LEN],
					uint64_t seq, int reason,
					const char *detail, int *ret_changed,
					unsigned *ret_renumbered,
					struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Record that `recipient` confirmed message msgid at relay time
 * received_ms. Repeats and receipts of unknown messages change nothing.
 */
enum node_status node_outbox_receipt(sqlite3 *db,
					 const uint8_t msgid[MSGID_LEN],
					 const char *recipient,
					 uint64_t received_ms,
					 struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Counts of the outbox by state, and the highest acked sequence number,
 * for status output and the daemon's gap check. Any pointer may be NULL.
 */
enum node_status node_outbox_stats(sqlite3 *db, unsigned *ret_queued,
				       unsigned *ret_acked,
				       unsigned *ret_refused,
				       uint64_t *ret_last_acked_seq,
				       struct node_msg_error *err)
	__attribute__((warn_unused_result));

#endif
