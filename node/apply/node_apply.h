/*
 * node_apply: what received messages change on a node ("decisions" schema
 * component), and the set of inbox apply hooks for a node's role.
 *
 * On a region: a decision of a BEN desk is mapped back to the casus it is
 * about through the table of sent requests (node_requests: its request_id
 * is the message id of the escalation or procesversneller request this
 * region sent, and its case reference must be the one sent), and recorded
 * against that casus with an audit row ("casus.decision_received"). Every
 * request is recorded in that table in the transaction that queues it
 * (node_outbox_queue); one the schema migration recorded without a casus
 * (queued just before a crash of an earlier version) keeps its decision
 * without a casus. A decision on a request this region never sent, or naming
 * another case reference, is rejected: the inbox keeps it marked rejected
 * and the daemon logs it. Peer-review requests and reviews are kept in a table of their
 * own. Learning summaries go to node_summary.
 *
 * On a desk: escalations and procesversneller requests go to the desk
 * queue (node_desk), learning summaries to node_summary.
 *
 * Every hook runs inside the inbox transaction that records the message,
 * so each message changes the node exactly once.
 *
 * node/apply sits above node/desk, node/messaging and node/guard and may
 * use them all; only the programs (daemon, cli) are above it. Library
 * code: never logs.
 */
#ifndef RET_NODE_APPLY_H
#define RET_NODE_APPLY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "keyfile.h"
#include "msgid.h"
#include "node_db.h"
#include "node_inbox.h"
#include "party.h"

#define NODE_APPLY_COMPONENT "decisions"

/*
 * Create or upgrade every table the hooks of `role` write to: on a region
 * the sent requests, the decisions and received peer reviews and the
 * learning summaries; on a desk the desk queue, the sent requests and the
 * learning summaries. The audit component must exist. Idempotent.
 */
enum node_status node_apply_migrate(sqlite3 *db, enum party_role role,
				    char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Fill *ret with the apply hooks of a node of `role` (zeroed first). keys
 * (borrowed, may be NULL) are the node's own; the hooks need nothing from
 * them today, the parameter stays for hooks that will.
 */
void node_apply_hooks(enum party_role role, const struct keyfile *keys,
		      struct node_inbox_hooks *ret);

/* The region's hook for decisions (node_inbox_apply_fn). */
enum node_inbox_apply node_apply_decision(sqlite3 *db,
					  const struct envelope *env,
					  int64_t inbox_id, void *ctx,
					  char *why, size_t whylen);

/* The region's hook for peer-review requests and reviews. */
enum node_inbox_apply node_apply_peer(sqlite3 *db, const struct envelope *env,
				      int64_t inbox_id, void *ctx, char *why,
				      size_t whylen);

/*
 * The decisions recorded against casus casus_id, oldest first, as a JSON
 * array of {message_id, request_id, thread_id, request_kind, from, status,
 * assignment_kind, assigned, reason, question, note, received_ms}.
 * Reading appends no audit row of its own: the caller reads the casus.
 */
enum node_status node_apply_casus_decisions(sqlite3 *db, int64_t casus_id,
					    json_t **ret, char *errbuf,
					    size_t errlen)
	__attribute__((warn_unused_result));

/* One received decision, for answering it. */
struct node_apply_decision_row {
	int64_t casus_id;
	int status;       /* retfed.v1.DecisionStatus */
	int request_kind; /* retfed.v1.Kind of the request it answers */
	uint8_t request_id[MSGID_LEN];
	uint8_t thread_id[MSGID_LEN]; /* the first escalation of the thread */
	char case_ref[48];
	char sender[PARTY_ID_MAX];
};

/* Look up a received decision by its message id; NODE_ERR_NOT_FOUND. */
enum node_status node_apply_decision_get(sqlite3 *db,
					 const uint8_t msgid[MSGID_LEN],
					 struct node_apply_decision_row *ret,
					 char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Received peer-review requests (kind 5) or reviews (kind 6), 0: both,
 * oldest first, as a JSON array of {message_id, kind, from, request_id,
 * casus_id, age_band, problem_areas, approach, question, review,
 * received_ms}.
 */
enum node_status node_apply_peer_list(sqlite3 *db, int kind, json_t **ret,
				      char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
