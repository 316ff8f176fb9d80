/*
 * privacy_suppress: small-cell suppression of count tables, for learning
 * summaries and the dashboard, after the method of CBS's tau-ARGUS:
 *
 * 1. Threshold rule (primary suppression). Every count, totals included,
 *    from 1 to threshold-1 is hidden and shown as "<5" (threshold 5 by
 *    default, configurable, never below 3). Zeros are shown, unless
 *    zero_unsafe is set or they are a 0% cell of a sensitive trait.
 * 2. Sensitive traits. A row or column can be marked sensitive (for a trait
 *    such as "uit huis geplaatst": mark every column of the trait, "yes" and
 *    "no"); then a 0% cell (0 of a group with members) and a 100% cell (the
 *    whole group) are hidden too, so no group is shown as all or none.
 * 3. Secondary suppression. No line (a row with its total, a column with
 *    its total, the totals row with the grand total) may have exactly one
 *    hidden cell, or it could be recomputed by subtraction; more cells are
 *    hidden, preferring small interior cells that also complete another
 *    line.
 * 4. Audit. The interval each hidden cell can take, given everything
 *    published (the shown counts, what "<5" and "x" say, all line sums and
 *    the previous publications), is computed by bound propagation over
 *    every sum constraint (the "shuttle" method). A hidden cell whose
 *    interval is a single value counts as disclosed, and so does a cell of
 *    a difference table (this table minus an earlier one) that is known to
 *    be 1..threshold-1; suppression hides more until the audit is clean.
 * 5. History. The caller passes what was published before: an earlier
 *    version of the same table (SUPPRESS_SAME: its hidden cells stay
 *    hidden, and a changed count may not reveal a small difference),
 *    tables of periods inside this one (SUPPRESS_PART, disjoint, e.g. the
 *    months of this quarter) and tables of periods containing this one
 *    (SUPPRESS_WHOLE, e.g. the year). If no safe table exists, apply fails
 *    and nothing may be published.
 *
 * Display: a hidden count below the threshold reads "<5", a larger hidden
 * count "x" (CBS: geheim). The audit assumes an attacker knows this rule.
 *
 * A table is rows x cols counts with a totals row and a totals column: the
 * count and state arrays have (rows+1) x (cols+1) positions, row-major;
 * row `rows` holds the column totals, column `cols` the row totals and
 * position (rows, cols) the grand total. The module knows nothing of SQLite
 * or protobuf; a one-dimensional list (a summary's by_outcome cells) is a
 * table with one row.
 */
#ifndef RET_PRIVACY_SUPPRESS_H
#define RET_PRIVACY_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

#define SUPPRESS_DEFAULT_THRESHOLD 5
#define SUPPRESS_MIN_THRESHOLD 3
#define SUPPRESS_MAX_THRESHOLD 100
#define SUPPRESS_MAX_DIM 32
#define SUPPRESS_MAX_PREVIOUS 16
/* Upper end of an interval without an upper bound. */
#define SUPPRESS_UNBOUNDED INT64_MAX

enum suppress_error {
	SUPPRESS_OK = 0,
	SUPPRESS_E_THRESHOLD,     /* threshold outside 3..100 */
	SUPPRESS_E_DIMS,          /* rows or cols outside 1..32 */
	SUPPRESS_E_TOTALS,        /* a total is not the sum of its line */
	SUPPRESS_E_SHAPE,         /* a previous table has another shape */
	SUPPRESS_E_INCONSISTENT,  /* the previous tables contradict this one */
	SUPPRESS_E_UNPROTECTABLE, /* no suppression pattern protects every cell */
	SUPPRESS_E_AUDIT,         /* the audit did not converge */
	SUPPRESS_E_NOMEM,
	SUPPRESS_E_ARGS,          /* NULL or out-of-range argument */
};

enum suppress_state {
	SUPPRESS_SHOWN = 0,
	SUPPRESS_PRIMARY,   /* below the threshold (or an unsafe zero) */
	SUPPRESS_SENSITIVE, /* 0% or 100% of a group on a sensitive trait */
	SUPPRESS_HISTORY,   /* hidden in an earlier version of this table */
	SUPPRESS_SECONDARY, /* hidden to protect another cell */
};

enum suppress_relation {
	SUPPRESS_SAME = 1, /* earlier publication of the same period */
	SUPPRESS_PART,     /* a period inside this one (parts are disjoint) */
	SUPPRESS_WHOLE,    /* a period that contains this one */
};

struct suppress_config {
	uint32_t threshold; /* 3..100, default 5 */
	int zero_unsafe;    /* also hide every zero */
};

struct suppress_table {
	size_t rows, cols;      /* interior size, 1..SUPPRESS_MAX_DIM */
	uint32_t *count;        /* (rows+1)*(cols+1) counts */
	uint8_t *state;         /* (rows+1)*(cols+1) enum suppress_state */
	uint8_t *sensitive_row; /* rows flags */
	uint8_t *sensitive_col; /* cols flags */
	uint32_t threshold;     /* threshold the states were made with */
	int zero_unsafe;        /* zero_unsafe the states were made with */
};

/*
 * An earlier publication, restored exactly as it was published: counts,
 * states, threshold, zero_unsafe and the sensitive flags (they decide what
 * its "<5" and "x" told the reader).
 */
struct suppress_previous {
	const struct suppress_table *table;
	enum suppress_relation relation;
};

/* One sentence describing err (static storage). */
const char *suppress_strerror(enum suppress_error err);

/* Fill c with the defaults: threshold 5, zeros shown. */
void suppress_config_default(struct suppress_config *c);

/*
 * A table of rows x cols zero counts, everything shown, nothing sensitive,
 * threshold 5. Returns NULL for dimensions outside 1..32 or out of memory.
 */
struct suppress_table *suppress_table_new(size_t rows, size_t cols);

/* Free *tp; accepts NULL and a NULL *tp; sets *tp to NULL. */
void suppress_table_destroy(struct suppress_table **tp);

/* Index of position (r, c), r <= rows, c <= cols, in count and state. */
size_t suppress_at(const struct suppress_table *t, size_t r, size_t c);

/* Set the totals row, totals column and grand total from the interior. */
void suppress_table_sum(struct suppress_table *t);

/* True if position (r, c) is hidden. */
int suppress_hidden(const struct suppress_table *t, size_t r, size_t c);

/*
 * Suppress t in place (states and threshold) under cfg, consistently with
 * the nprev earlier publications in prev. Returns SUPPRESS_OK, or an error
 * with a sentence naming the row and column in errbuf (if not NULL); on
 * error t's states are not safe to publish.
 */
enum suppress_error suppress_apply(struct suppress_table *t,
				   const struct suppress_config *cfg,
				   const struct suppress_previous *prev,
				   size_t nprev, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Audit t as it would be published (with prev as published before): for
 * every position, the lowest and highest count an attacker can derive, in
 * ret_lo and ret_hi ((rows+1)*(cols+1) entries each, caller-owned; hi is
 * SUPPRESS_UNBOUNDED when unlimited; shown positions get their count).
 * *ret_disclosed receives the number of hidden positions pinned to one
 * value plus the difference cells pinned to 1..threshold-1. Returns
 * SUPPRESS_OK even when something is disclosed; an error only when the
 * tables are malformed or contradict each other.
 */
enum suppress_error suppress_audit(const struct suppress_table *t,
				   const struct suppress_previous *prev,
				   size_t nprev, int64_t *ret_lo,
				   int64_t *ret_hi, size_t *ret_disclosed,
				   char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The published text of position (r, c): the count, "<T" for a hidden count
 * below the threshold T, or "x". Returns the length, or -1 if out is too
 * small.
 */
int suppress_format(const struct suppress_table *t, size_t r, size_t c,
		    char *out, size_t outlen);

#endif
