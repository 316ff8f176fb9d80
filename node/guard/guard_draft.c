/* guard_draft: the accessors of the outbox's capability. See guard_draft.h. */
#include "guard_draft.h"

#include <stdio.h>

#include "internal/guard_private.h"

const Retfed__V1__Body *
guard_draft_body(const struct guard_draft *d)
{
	return d != NULL ? d->body : NULL;
}

enum node_status
guard_draft_record(sqlite3 *db, const char *user, const struct guard_draft *d,
                   const uint8_t msgid[MSGID_LEN], char *errbuf, size_t errlen)
{
	if (d == NULL || d->body == NULL || d->record == NULL) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "not a draft of the guard");
		return NODE_ERR_INVALID;
	}
	return d->record(db, user, d, msgid, errbuf, errlen);
}
