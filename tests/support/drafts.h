/*
 * Support code for tests (not a test): outgoing messages built the only
 * way the product allows, through the guard's real builders, so tests of
 * the outbox, the sync daemon and the fault rounds can queue them
 * (node_outbox_queue accepts nothing else). The results are real drafts;
 * the tests assert on what happens to them.
 */
#ifndef RET_TEST_SUPPORT_DRAFTS_H
#define RET_TEST_SUPPORT_DRAFTS_H

#include <sqlite3.h>

#include "keyfile.h"
#include "node_build.h"
#include "node_db.h"
#include "node_summary.h"

/*
 * A peer-review request from this region (keys) to `recipient`, about no
 * casus, with the given approach and question (scrubbed by the guard).
 * On success *ret is the draft (node_build_destroy). The database needs
 * only the audit log. Every function here puts the builder's sentence in
 * errbuf when it refuses.
 */
enum node_status
support_draft_peer_request(sqlite3 *db, const struct keyfile *keys,
                           const char *recipient, const char *approach,
                           const char *question, struct node_build_draft **ret,
                           char *errbuf, size_t errlen);

/*
 * An escalation of a new casus: the register is created if it is not
 * there, a casus with one jeugdige (no name the texts contain) is
 * registered and moved to overleg, and its escalation is built with
 * why_stuck and what_was_tried. *ret_casus (may be NULL) receives the
 * casus id.
 */
enum node_status
support_draft_escalation(sqlite3 *db, const struct keyfile *keys,
                         const char *why_stuck, const char *what_was_tried,
                         int64_t *ret_casus, struct node_build_draft **ret,
                         char *errbuf, size_t errlen);

/*
 * The learning summary of `period` from this region's register (created
 * empty if it is not there), threshold 3, no lessons.
 */
enum node_status support_draft_summary(sqlite3 *db, const struct keyfile *keys,
                                       const char *period,
                                       struct node_summary_draft **ret,
                                       char *errbuf, size_t errlen);

#endif
