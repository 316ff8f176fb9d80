/*
 * node_summary: learning summaries ("summaries" schema component).
 *
 * A region builds the learning summary of a period from its register:
 * node_stats_compute, then node_stats_suppress with the configured
 * threshold, so every cell is published exactly as the dashboard shows it
 * (a hidden cell travels as suppressed, without a count). Lessons (rode
 * draden) pass the scrubber with the names of every person recorded in
 * the register (read for that purpose; the audit log records the count);
 * a lesson the scrubber refuses stops the build and the error names the
 * lesson and the byte offset, never the datum. The summary is sent without a recipient: the relay routes it to
 * the BEN's desks and all other regions.
 *
 * Received summaries (and the region's own, when sent) are stored, one
 * per message, and can be compared side by side per period.
 *
 * Part of node/guard (the summary builder is a road out). May use
 * node/figures (the figures and their history), node/register (the names
 * the lessons are scrubbed with) and node/privacy; never node/messaging.
 * Library code: never logs.
 */
#ifndef RET_NODE_SUMMARY_H
#define RET_NODE_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "keyfile.h"
#include "msgid.h"
#include "node_db.h"
#include "guard_draft.h"
#include "node_stats.h"
#include "retfed.pb-c.h"

#define NODE_SUMMARY_COMPONENT "summaries"
#define NODE_SUMMARY_MAX_LESSONS 10
#define NODE_SUMMARY_LESSON_MAX 500

/* Create or upgrade the table of learning summaries (idempotent). */
enum node_status node_summary_migrate(sqlite3 *db, char *errbuf,
				      size_t errlen)
	__attribute__((warn_unused_result));

/* A built learning summary, not yet sent. Opaque. */
struct node_summary_draft;

/* Why a build failed; lesson is the 1-based lesson refused, or 0. */
struct node_summary_error {
	enum node_status status;
	unsigned lesson;
	size_t offset;
	char detail[256]; /* one English sentence, no personal data */
};

/*
 * Build the learning summary of `period` from the register on db as
 * `user`: figures suppressed at `threshold` (3..100), at most 10 lessons of
 * 1..500 bytes, each scrubbed with the register's recorded names. region is this node's party id. On success
 * *ret is the new draft.
 */
enum node_status node_summary_build(sqlite3 *db, const char *user,
				    const char *region, const char *period,
				    uint32_t threshold,
				    const char *const *lessons,
				    size_t n_lessons,
				    struct node_summary_draft **ret,
				    struct node_summary_error *err)
	__attribute__((warn_unused_result));

/* The draft's body (kind, no recipient, payload; no header). Borrowed. */
const Retfed__V1__Body *
node_summary_body(const struct node_summary_draft *d);

/* Free a draft; accepts NULL and *dp == NULL; sets *dp to NULL. */
void node_summary_destroy(struct node_summary_draft **dp);

/*
 * The draft as the outbox takes it (node_outbox_queue); borrowed, valid
 * as long as d. Queueing it stores the draft as this region's own summary
 * for comparison (audit row "summary.sent") in the same transaction.
 */
const struct guard_draft *
node_summary_guarded(const struct node_summary_draft *d);

/*
 * Fill *ret from a received LearningSummary of `region`: cells copied, a
 * suppressed cell hidden (shown as "x": the wire does not say whether it
 * was below the threshold or hidden to protect another cell). Lists the
 * wire does not carry stay empty.
 */
void node_summary_from_wire(const Retfed__V1__LearningSummary *ls,
			    const char *region,
			    struct node_stats_summary *ret);

/*
 * Store a received learning summary b (decoded and verified; from inbox
 * row inbox_id) inside the caller's transaction, cells as
 * node_summary_from_wire() reads them. NODE_ERR_INVALID when b is not a
 * learning summary; other errors are the database's.
 */
enum node_status node_summary_store_received(sqlite3 *db,
					     const Retfed__V1__Body *b,
					     int64_t inbox_id, char *errbuf,
					     size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The stored summaries of `period` (NULL: every period), the newest of each
 * region and period, ordered by period and region, as a JSON array of the
 * node_stats_summary_json() objects with "lessons", "own" and
 * "received_ms" added. The caller owns *ret.
 */
enum node_status node_summary_compare(sqlite3 *db, const char *period,
				      json_t **ret, char *errbuf,
				      size_t errlen)
	__attribute__((warn_unused_result));

#endif
