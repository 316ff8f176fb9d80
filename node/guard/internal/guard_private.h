/*
 * The definition of struct guard_draft: private to node/guard.
 *
 * Only the guard's own files include this header (by the relative path
 * "internal/guard_private.h"); it is not in any library's include
 * directories, and scripts/check_layers.sh fails when a file outside
 * node/guard names it. Every builder embeds a struct guard_draft as the
 * FIRST member of its draft and fills it when, and only when, the body
 * has passed the guard.
 */
#ifndef RET_GUARD_PRIVATE_H
#define RET_GUARD_PRIVATE_H

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
