/*
 * MUST NOT COMPILE: code outside node/guard makes a guard_draft of its
 * own and points it at a body it filled. The struct is incomplete here.
 */
#include "node_outbox.h"

enum node_status try_own_draft(sqlite3 *db, const struct keyfile *keys);

enum node_status
try_own_draft(sqlite3 *db, const struct keyfile *keys)
{
	static Retfed__V1__Body b = RETFED__V1__BODY__INIT;
	struct guard_draft d;
	struct node_msg_error err;

	d.body = &b;
	return node_outbox_queue(db, keys, "x", &d, NULL, NULL, &err);
}
