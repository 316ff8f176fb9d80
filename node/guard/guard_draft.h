/*
 * guard_draft: what the outbox accepts, and only the guard can make.
 *
 * Owns: the capability type struct guard_draft. Its definition is in the
 * guard's private header (node/guard/internal/), which no other library
 * can include, so code outside node/guard cannot declare, fill or copy
 * one: it can only hold a pointer a guard builder returned
 * (node_build_guarded(), node_summary_guarded()). node_outbox_queue()
 * takes nothing else, so a body that did not pass the allow-list, the
 * generaliser, the pseudonymiser and the scrubber cannot be queued, and
 * the compiler says so (tests/guard/).
 *
 * May use: node/store (status values), proto (the body type). Library
 * code: never logs.
 */
#ifndef RET_GUARD_DRAFT_H
#define RET_GUARD_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "msgid.h"
#include "node_db.h"
#include "retfed.pb-c.h"

/* A body the guard built, not yet sent. Opaque outside node/guard. */
struct guard_draft;

/*
 * The draft's body: kind, recipient and payload, no header yet. Borrowed
 * for the life of the draft; the outbox seals a copy.
 */
const Retfed__V1__Body *guard_draft_body(const struct guard_draft *d);

/*
 * Record what sending the draft means for this node (the sent-request row
 * of the casus with its audit row, or the region's own learning summary),
 * as message msgid queued by `user`. Runs INSIDE the caller's open
 * transaction: node_outbox_queue() calls it between inserting the
 * envelope and COMMIT, so either both are stored or neither. Returns
 * NODE_OK, or an error with a sentence in errbuf (the caller rolls back).
 */
enum node_status
guard_draft_record(sqlite3 *db, const char *user, const struct guard_draft *d,
                   const uint8_t msgid[MSGID_LEN], char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

#endif
