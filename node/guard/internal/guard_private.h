/*
 * The definition of struct guard_draft: private to node/guard.
 *
 * Only the guard's own files include this header ("internal/
 * guard_private.h"): it refuses to compile anywhere else (RET_GUARD_BUILDING
 * is defined for retnode_guard's sources only), and scripts/check_layers.sh
 * fails when a file outside node/guard names it. Every builder embeds a struct guard_draft as the
 * FIRST member of its draft and fills it when, and only when, the body
 * has passed the guard.
 */
#ifndef RET_GUARD_PRIVATE_H
#define RET_GUARD_PRIVATE_H

/* Defined only for the sources of retnode_guard (node/guard/CMakeLists). */
#ifndef RET_GUARD_BUILDING
#error "guard_private.h is private to node/guard: build a draft with a guard builder"
#endif

#include "guard_draft.h"

/* Records the sending of d inside the outbox's transaction. */
typedef enum node_status (*guard_draft_record_fn)(
    sqlite3 *db, const char *user, const struct guard_draft *d,
    const uint8_t msgid[MSGID_LEN], char *errbuf, size_t errlen);

struct guard_draft {
	const Retfed__V1__Body *body; /* inside the embedding draft */
	guard_draft_record_fn record;
};

#endif
