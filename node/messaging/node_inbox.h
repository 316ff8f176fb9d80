/*
 * node_inbox: messages the relay delivered to this node.
 *
 * A delivery is decoded, its signature verified against the sender's key
 * from this node's configuration and its kind checked against what that
 * sender may send to this node; only then is it recorded and applied, in
 * ONE transaction together with its message id and the relay cursor, so a
 * message is applied exactly once even when the node crashes or the relay
 * delivers it again. A refused message is not stored: only the cursor moves
 * past it (and the audit log records the refusal), so one bad message does
 * not block the deliveries after it.
 *
 * Applying a message to the register is done by hooks, one per kind, that
 * the flows fill in; a kind without a hook is stored as received.
 *
 * Library code: never logs.
 */
#ifndef RET_NODE_INBOX_H
#define RET_NODE_INBOX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "msgid.h"
#include "node_outbox.h"
#include "party.h"

/* One party whose messages this node may receive ([party ...] sections). */
struct node_inbox_party {
	char party[PARTY_ID_MAX];
	char ben[PARTY_ID_MAX];
	uint8_t signing_key[ENVELOPE_PK_LEN];
};

/* What an apply hook decided. */
enum node_inbox_apply {
	NODE_INBOX_APPLY_OK = 0, /* applied: commit */
	NODE_INBOX_APPLY_RETRY,	 /* could not apply now: roll back, retry */
	NODE_INBOX_APPLY_REJECT, /* valid but not applicable: store as
				    rejected with a reason, never retry */
};

/*
 * Apply one verified message to the register, inside the open transaction
 * on db. inbox_id is the new inbox row. On REJECT or RETRY the hook writes a
 * sentence (no personal data) into why.
 */
typedef enum node_inbox_apply (*node_inbox_apply_fn)(
	sqlite3 *db, const struct envelope *env, int64_t inbox_id, void *ctx,
	char *why, size_t whylen);

/* One hook per Kind value (index = retfed.v1.Kind); NULL: store only. */
#define NODE_INBOX_KINDS 7
struct node_inbox_hooks {
	node_inbox_apply_fn apply[NODE_INBOX_KINDS];
	void *ctx;
};

/* What node_inbox_accept needs to know about this node. Borrowed. */
struct node_inbox_cfg {
	const char *self; /* this node's party id */
	const char *ben;  /* this node's BEN slug */
	const struct node_inbox_party *parties;
	size_t n_parties;
	const struct node_inbox_hooks *hooks; /* may be NULL */
};

/* The outcome of one delivery. */
enum node_inbox_result {
	NODE_INBOX_APPLIED,   /* new: verified, stored and applied */
	NODE_INBOX_REJECTED,  /* new: stored, but its hook rejected it */
	NODE_INBOX_DUPLICATE, /* seen before: nothing applied again */
	NODE_INBOX_REFUSED,   /* bad or not allowed: nothing stored */
};

/* Details of an accepted or refused delivery, for the daemon's log. */
struct node_inbox_info {
	uint8_t message_id[MSGID_LEN]; /* zero if not decodable */
	char sender[PARTY_ID_MAX];     /* "" if not decodable */
	int kind;
	uint64_t seq;
	enum wire_reason reason; /* why refused, WIRE_OK otherwise */
};

/*
 * Accept one delivery (envelope bytes, relay cursor): decode, verify and
 * check it against cfg, then in ONE transaction store it with its message
 * id, apply it through its hook and store the cursor. A duplicate message
 * id only advances the cursor. A refusal (bad signature, unknown sender,
 * a kind this sender may not send here, not addressed to this node) stores
 * nothing but the cursor and returns NODE_INBOX_REFUSED with the reason in
 * info and err. Returns NODE_OK with *ret_result set, or an error
 * (NODE_ERR_BUSY: nothing happened, deliver again later). The caller
 * confirms the cursor to the relay only after NODE_OK.
 */
enum node_status node_inbox_accept(sqlite3 *db,
				       const struct node_inbox_cfg *cfg,
				       const uint8_t *env, size_t env_len,
				       uint64_t cursor,
				       enum node_inbox_result *ret_result,
				       struct node_inbox_info *info,
				       struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* The relay cursor this node has applied up to (0 if none). */
enum node_status node_inbox_cursor(sqlite3 *db, uint64_t *ret_cursor,
				       struct node_msg_error *err)
	__attribute__((warn_unused_result));

/* One inbox row, as the CLI shows it. */
struct node_inbox_entry {
	int64_t id;
	uint64_t cursor;
	uint8_t message_id[MSGID_LEN];
	char sender[PARTY_ID_MAX];
	char recipient[PARTY_ID_MAX];
	int kind;
	uint64_t seq;
	uint64_t created_ms;
	uint64_t received_ms;
	char state[12]; /* "applied" or "rejected" */
	char state_detail[WIRE_DETAIL_MAX];
};

/*
 * Call fn for every inbox message in arrival order, optionally only from
 * kind `kind` (0: all), at most `limit` (0: all). fn returns 0 to go on.
 */
enum node_status node_inbox_list(
	sqlite3 *db, int kind, unsigned limit,
	int (*fn)(const struct node_inbox_entry *e, void *ctx), void *ctx,
	struct node_msg_error *err) __attribute__((warn_unused_result));

/* Look up one inbox message by id; NODE_ERR_NOT_FOUND when absent. */
enum node_status node_inbox_get(sqlite3 *db,
				    const uint8_t msgid[MSGID_LEN],
				    struct node_inbox_entry *ret,
				    struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * May `sender` send a message of `kind` to the node `self`? The rules of
 * the federation (docs/sync.md): a region receives decisions from desks of
 * its own BEN, and learning summaries, peer-review requests and reviews
 * from other regions; a desk receives escalations and procesversneller
 * requests from regions of its own BEN, and learning summaries. Returns 1 or
 * 0.
 */
int node_inbox_kind_allowed(const char *self, const char *self_ben,
			    const struct node_inbox_party *sender, int kind);

#endif
