/*
 * node_stats: the figures of a period (a year "2026", a quarter "2026-Q3"
 * or a month "2026-07") computed from the case register, for the regional
 * dashboard and for learning summaries.
 *
 * The period's cases are the cases REGISTERED in it (registered_on inside
 * the period): registrations per month, how many of them reached overleg
 * (discussed), were cancelled (geannuleerd) or referred (doorverwezen), by
 * who registered, by question type, by current phase, by outcome (closed
 * cases), the bottleneck themes named on them, and the lead times: the
 * median days from aanmelding to the first overleg and to afsluiting, with
 * the number of cases each median is over. Consultations are those dated
 * in the period. The previous period of the same length comes along for
 * comparison.
 *
 * A summary is a plain struct of cells (key, count, hidden) so that a
 * local period and a received LearningSummary (retfed.v1, whose Cell
 * carries key, count and suppressed) fill the same type; the dashboard
 * draws either. node_stats_compute() gives the raw counts (nothing
 * hidden: never show or send these); node_stats_suppress() makes the
 * publishable copy with privacy_suppress: every table (each list with its
 * total, each headline figure) is suppressed with the configured
 * threshold, cancelled and referred follow their cells in the phase table,
 * and a median is hidden when it rests on fewer cases than the threshold.
 * A hidden cell's count is set to 0, so it cannot leak by accident.
 *
 * Reading the register appends an audit row ("stats.read", the period, no
 * personal data) in the same transaction, as the register's own reads do.
 * Library code: never logs.
 */
#ifndef RET_NODE_STATS_H
#define RET_NODE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

#define NODE_STATS_KEY_MAX 41   /* Cell.key: 1..40 bytes of [a-z0-9_+-] */
#define NODE_STATS_LIST_MAX 16  /* cells per list, as in LearningSummary */
#define NODE_STATS_PERIOD_MAX 8 /* "2026", "2026-Q3", "2026-07" + NUL */
#define NODE_STATS_REGION_MAX 64

/* How a cell is published. */
enum node_stats_hidden {
	NODE_STATS_SHOWN = 0, /* the count is shown */
	NODE_STATS_BELOW,     /* hidden, below the threshold: "<5" */
	NODE_STATS_HIDDEN,    /* hidden to protect another cell: "x" */
};

/* One cell. A hidden cell's count is 0. */
struct node_stats_cell {
	char key[NODE_STATS_KEY_MAX];
	uint32_t count;
	uint8_t hidden; /* enum node_stats_hidden */
};

/* A list of cells in a fixed order (months, vocabulary order). */
struct node_stats_list {
	size_t n;
	struct node_stats_cell cell[NODE_STATS_LIST_MAX];
};

/*
 * The figures of one region for one period: a local period (raw or
 * suppressed) or a received learning summary. A median's cell holds days;
 * its *_n cell the number of cases it rests on. A list that a source does
 * not carry (a LearningSummary has no by_month or by_phase) has n == 0.
 */
struct node_stats_summary {
	char region[NODE_STATS_REGION_MAX]; /* party id, "region:..." */
	char period[NODE_STATS_PERIOD_MAX];
	uint32_t threshold; /* 0 for raw figures */
	struct node_stats_cell registrations, discussed, cancelled, referred,
		consultations;
	struct node_stats_list by_month;         /* keys "2026-01", ... */
	struct node_stats_list by_registrant;    /* gemeente, gi, ... */
	struct node_stats_list by_question_type; /* verblijf_wachtlijst, ... */
	struct node_stats_list by_phase;         /* aanmelding, ... */
	struct node_stats_list by_outcome;       /* opgelost, ... */
	struct node_stats_list themes;           /* wachtlijsten, ... */
	struct node_stats_cell median_days_to_overleg, median_days_to_close;
	struct node_stats_cell n_to_overleg, n_to_close;
	int has_median_to_overleg; /* 0: no case reached overleg */
	int has_median_to_close;   /* 0: no case was closed */
};

/* A period and the one before it, as computed from the register. */
struct node_stats {
	struct node_stats_summary cur, prev;
};

/*
 * Parse a period: "YYYY", "YYYY-Qn" (n 1..4) or "YYYY-MM", years
 * 1900..2199. Writes the first day in ret_from and the first day after the
 * period in ret_to (YYYY-MM-DD) and the previous period of the same kind
 * in ret_prev (may be NULL). Returns 0, or -1 with a sentence in errbuf.
 */
int node_stats_period_parse(const char *period, char ret_from[11],
			    char ret_to[11],
			    char ret_prev[NODE_STATS_PERIOD_MAX], char *errbuf,
			    size_t errlen) __attribute__((warn_unused_result));

/*
 * Compute the raw figures of `period` and of the period before it from the
 * register on db, as `user` (for the audit row). `region` (the node's
 * party id, may be NULL) is copied into both summaries. On success fills
 * *ret. NODE_ERR_INVALID for a bad period or user, NODE_ERR_DB and
 * friends from SQLite, with a sentence in errbuf.
 */
enum node_status node_stats_compute(sqlite3 *db, const char *user,
				    const char *region, const char *period,
				    struct node_stats *ret, char *errbuf,
				    size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The publishable copy of raw in *ret: suppressed with privacy_suppress at
 * `threshold` (3..100), medians hidden when their case count is below it.
 * raw and ret may be the same object. Returns NODE_OK, NODE_ERR_INVALID
 * for a bad threshold or inconsistent figures, or NODE_ERR_NOMEM; on
 * failure nothing may be published and *ret is cleared.
 */
enum node_status node_stats_suppress(const struct node_stats_summary *raw,
				     uint32_t threshold,
				     struct node_stats_summary *ret,
				     char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The published text of a cell: the count, "<T" (T the summary's
 * threshold) for NODE_STATS_BELOW, "x" for NODE_STATS_HIDDEN. Returns out.
 */
const char *node_stats_cell_text(const struct node_stats_summary *s,
				 const struct node_stats_cell *c, char *out,
				 size_t outlen);

/*
 * The summary as JSON: {region, period, threshold, registrations, ...,
 * by_month: [{key, count}|{key, hidden: "<5"}], ...}. A hidden cell has no
 * count member. NULL when out of memory; the caller owns the result.
 */
json_t *node_stats_summary_json(const struct node_stats_summary *s);

/*
 * Read a summary back from the JSON node_stats_summary_json() writes (for
 * example one received or exported by another region). Everything is
 * checked: region and period, threshold 3..100, keys of 1..40 bytes of
 * [a-z0-9_+-], at most 16 cells per list, counts 0..2^32-1, a hidden cell
 * written "<T" with T the threshold or "x". Returns NODE_OK, or
 * NODE_ERR_INVALID with a sentence naming the member that is wrong.
 */
enum node_status node_stats_summary_from_json(const json_t *j,
					      struct node_stats_summary *ret,
					      char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
