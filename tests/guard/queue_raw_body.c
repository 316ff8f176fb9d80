/*
 * MUST NOT COMPILE: code outside node/guard queues a body it filled
 * itself. node_outbox_queue takes a struct guard_draft, not a body.
 */
#include "node_outbox.h"

enum node_status try_raw_body(sqlite3 *db, const struct keyfile *keys);

enum node_status
try_raw_body(sqlite3 *db, const struct keyfile *keys)
{
	Retfed__V1__Body b = RETFED__V1__BODY__INIT;
	struct node_msg_error err;

	b.kind = RETFED__V1__KIND__KIND_ESCALATION;
	return node_outbox_queue(db, keys, "x", &b, NULL, NULL, &err);
}
