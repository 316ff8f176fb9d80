/*
 * node_history: what this region published before, for small-cell
 * suppression (issue 6: a new publication may not reveal a hidden cell by
 * difference with an earlier one).
 *
 * The region's own learning summaries are stored by node_summary when they
 * are queued (never on a preview), as their suppressed figures: a hidden
 * cell without its count, marked "<T" or "x". node_history_load() reads
 * those of one region that relate to a period P:
 *
 * - SAME:  the same period (every earlier version, newest first);
 * - PART:  periods inside P (months of a quarter, quarters and months of a
 *          year), the newest version of each, as a DISJOINT set: where a
 *          quarter and some of its months were both published, the
 *          quarter is used and its months are not;
 * - WHOLE: periods containing P (the quarter and the year of a month, the
 *          year of a quarter), the newest version of each.
 *
 * Calendar periods are either nested or disjoint, so "overlapping only"
 * does not occur; disjoint periods (a sibling quarter) are not compared.
 *
 * node_stats_suppress_history() is node_stats_suppress() held to such a
 * history (implemented in node_stats.c, next to the suppression it
 * extends): every list and headline figure is restored from each earlier
 * summary as the table privacy_suppress takes (hidden cells as the
 * intervals their "<T" or "x" tell a reader) and passed in, so the
 * earlier version's hidden cells stay hidden and no difference with an
 * earlier publication pins a cell. If no safe table exists it fails and
 * nothing may be published.
 *
 * Library code: never logs.
 */
#ifndef RET_NODE_HISTORY_H
#define RET_NODE_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "node_db.h"
#include "node_stats.h"

/* At most this many earlier publications are compared (privacy_suppress). */
#define NODE_HISTORY_MAX 16

/* How an earlier period relates to the one being published. */
enum node_history_relation {
	NODE_HISTORY_NONE = 0,  /* disjoint: not compared */
	NODE_HISTORY_SAME = 1,  /* the same period */
	NODE_HISTORY_PART = 2,  /* inside the period */
	NODE_HISTORY_WHOLE = 3, /* contains the period */
};

/* One earlier publication, as it was published. */
struct node_history_entry {
	enum node_history_relation relation;
	int64_t id; /* its row in the summaries component */
	struct node_stats_summary pub;
};

/* The earlier publications that relate to one period. */
struct node_history {
	size_t n;
	struct node_history_entry e[NODE_HISTORY_MAX];
};

/*
 * How period `earlier` relates to `period` (both "2026", "2026-Q3" or
 * "2026-07"). NODE_HISTORY_NONE for disjoint or unparsable periods.
 */
enum node_history_relation node_history_relation(const char *earlier,
                                                 const char *period);

/*
 * Read region's own published learning summaries that relate to `period`
 * into *ret (caller-owned; it is cleared first). A database without the
 * summaries component has no history. NODE_ERR_INVALID when more than
 * NODE_HISTORY_MAX earlier publications relate to the period or a stored
 * one is malformed; NODE_ERR_DB and friends from SQLite; a sentence in
 * errbuf.
 */
enum node_status node_history_load(sqlite3 *db, const char *region,
                                   const char *period, struct node_history *ret,
                                   char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * node_stats_suppress() of raw, consistent with the earlier publications
 * in h (may be NULL or empty). NODE_ERR_INVALID with a sentence when no
 * safe table exists or h contradicts raw; on failure *ret is cleared and
 * nothing may be published.
 */
enum node_status
node_stats_suppress_history(const struct node_stats_summary *raw,
                            uint32_t threshold, const struct node_history *h,
                            struct node_stats_summary *ret, char *errbuf,
                            size_t errlen) __attribute__((warn_unused_result));

/*
 * Load region's history for raw->period from db and suppress raw against
 * it. *n_earlier (may be NULL) receives the number of earlier
 * publications compared (also on failure: 0 when none was read). Errors
 * as node_history_load and node_stats_suppress_history.
 */
enum node_status node_history_suppress(
    sqlite3 *db, const char *region, const struct node_stats_summary *raw,
    uint32_t threshold, struct node_stats_summary *ret, size_t *n_earlier,
    char *errbuf, size_t errlen) __attribute__((warn_unused_result));

/* The Dutch refusal shown to the user when no safe table exists. */
#define NODE_HISTORY_REFUSAL_NL                                                \
	"geen veilige tabel: naast wat deze regio eerder publiceerde zou een " \
	"verborgen cel uit het verschil te berekenen zijn; niets verstuurd"

#endif
