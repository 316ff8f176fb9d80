/*
 * node_stats: period figures from the case register and their suppressed,
 * publishable copy. All reads of one call run in one transaction together
 * with the audit row, so the figures are one consistent snapshot.
 */
#include "node_stats.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"
#include "node_history.h"
#include "node_lifecycle.h"
#include "node_register.h"
#include "privacy_suppress.h"
#include "wire_scan.h"

static enum node_status
invalid(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum node_status
invalid(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return NODE_ERR_INVALID;
}

/* ---- periods ---------------------------------------------------------- */

static int
digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
node_stats_period_parse(const char *period, char ret_from[11],
			char ret_to[11], char ret_prev[NODE_STATS_PERIOD_MAX],
			char *errbuf, size_t errlen)
{
	int y, m0, months, ty, tm;
	size_t n;
	char prev[NODE_STATS_PERIOD_MAX];

	if (period == NULL || (n = strlen(period)) == 0) {
		invalid(errbuf, errlen, "period is required (2026, 2026-Q3 or 2026-07)");
		return -1;
	}
	if ((n != 4 && n != 7) || !digits(period, 4))
		goto bad;
	y = (period[0] - '0') * 1000 + (period[1] - '0') * 100 +
	    (period[2] - '0') * 10 + (period[3] - '0');
	if (y < 1900 || y > 2199)
		goto bad;
	if (n == 4) {
		m0 = 1;
		months = 12;
		snprintf(prev, sizeof(prev), "%04d", y - 1);
	} else if (period[4] == '-' && (period[5] == 'Q' || period[5] == 'q') &&
		   period[6] >= '1' && period[6] <= '4') {
		int q = period[6] - '0';
		m0 = 3 * q - 2;
		months = 3;
		if (q == 1)
			snprintf(prev, sizeof(prev), "%04d-Q4", y - 1);
		else
			snprintf(prev, sizeof(prev), "%04d-Q%d", y, q - 1);
	} else if (period[4] == '-' && digits(period + 5, 2)) {
		m0 = (period[5] - '0') * 10 + (period[6] - '0');
		if (m0 < 1 || m0 > 12)
			goto bad;
		months = 1;
		if (m0 == 1)
			snprintf(prev, sizeof(prev), "%04d-12", y - 1);
		else
			snprintf(prev, sizeof(prev), "%04d-%02d", y, m0 - 1);
	} else {
		goto bad;
	}
	ty = y + (m0 - 1 + months) / 12;
	tm = (m0 - 1 + months) % 12 + 1;
	snprintf(ret_from, 11, "%04d-%02d-01", y, m0);
	snprintf(ret_to, 11, "%04d-%02d-01", ty, tm);
	if (ret_prev != NULL)
		memcpy(ret_prev, prev, NODE_STATS_PERIOD_MAX);
	return 0;
bad:
	invalid(errbuf, errlen,
		"period: '%.20s' is not a year (2026), quarter (2026-Q3) or"
		" month (2026-07) between 1900 and 2199",
		period);
	return -1;
}

/* ---- computing -------------------------------------------------------- */

static void
cell_set(struct node_stats_cell *c, const char *key, uint32_t count)
{
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->count = count;
	c->hidden = NODE_STATS_SHOWN;
}

/* Fill a list's keys from a vocabulary, all counts 0. */
static void
list_keys(struct node_stats_list *l, const char *const *keys, size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n && i < NODE_STATS_LIST_MAX; i++)
		cell_set(&l->cell[i], keys[i], 0);
	l->n = n < NODE_STATS_LIST_MAX ? n : NODE_STATS_LIST_MAX;
}

static enum node_status
sql_fail(sqlite3 *db, int rc, char *errbuf, size_t errlen)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "reading the register: %s",
			 sqlite3_errmsg(db));
	return node_db_status(rc);
}

/*
 * Run cohort query q over [from, to); each row is (key, count); add the count
 * to the cell with that key (keys outside the list are ignored: the
 * schema's CHECK constraints make them impossible).
 */
static enum node_status
group_into(sqlite3 *db, enum node_cohort q, const char *from, const char *to,
	   struct node_stats_list *l, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_status s =
		node_register_cohort_prepare(db, q, from, to, &st, errbuf, errlen);
	int rc;

	if (s != NODE_OK)
		return s;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		sqlite3_int64 v = sqlite3_column_int64(st, 1);

		if (key == NULL || v < 0 || v > UINT32_MAX)
			continue;
		for (size_t i = 0; i < l->n; i++)
			if (strcmp(l->cell[i].key, key) == 0)
				l->cell[i].count += (uint32_t)v;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, rc, errbuf, errlen);
	return NODE_OK;
}

/* One number from cohort query q over [from, to). */
static enum node_status
count_one(sqlite3 *db, enum node_cohort q, const char *from, const char *to,
	  uint32_t *ret, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	sqlite3_int64 v;
	enum node_status s =
		node_register_cohort_prepare(db, q, from, to, &st, errbuf, errlen);
	int rc;

	if (s != NODE_OK)
		return s;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return sql_fail(db, rc, errbuf, errlen);
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	*ret = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	return NODE_OK;
}

/*
 * The median of the day counts cohort query q returns in ascending order; an even number of values gives the mean of the middle two,
 * rounded down. *ret_n is the number of values, *ret_has 0 when none.
 */
static enum node_status
median_of(sqlite3 *db, enum node_cohort q, const char *from, const char *to,
	  uint32_t *ret_median, uint32_t *ret_n, int *ret_has, char *errbuf,
	  size_t errlen)
{
	sqlite3_stmt *st = NULL;
	uint32_t *v = NULL;
	size_t n = 0, cap = 0;
	enum node_status s =
		node_register_cohort_prepare(db, q, from, to, &st, errbuf, errlen);
	int rc;

	if (s != NODE_OK)
		return s;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sqlite3_int64 d = sqlite3_column_int64(st, 0);

		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			uint32_t *nv = realloc(v, ncap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				sqlite3_finalize(st);
				return NODE_ERR_NOMEM;
			}
			v = nv;
			cap = ncap;
		}
		/* A date before the registration is a typing error: 0 days. */
		v[n++] = d < 0 ? 0 : d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return sql_fail(db, rc, errbuf, errlen);
	}
	*ret_n = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
	*ret_has = n > 0;
	if (n == 0)
		*ret_median = 0;
	else if (n % 2 == 1)
		*ret_median = v[n / 2];
	else
		*ret_median = (uint32_t)(((uint64_t)v[n / 2 - 1] + v[n / 2]) / 2);
	free(v);
	return NODE_OK;
}


/* The raw figures of one period [from, to) into s. */
static enum node_status
compute_one(sqlite3 *db, const char *period, const char *from,
	    const char *to, struct node_stats_summary *s, char *errbuf,
	    size_t errlen)
{
	const char *phases[NODE_PHASE_COUNT];
	const char *const *vals;
	size_t n;
	uint32_t v = 0, med = 0, cnt = 0;
	int y, m, has = 0;
	enum node_status st;

	snprintf(s->period, sizeof(s->period), "%s", period);
	s->threshold = 0;

	/* Months: from the first month up to (not including) `to`. */
	memset(&s->by_month, 0, sizeof(s->by_month));
	y = (from[0] - '0') * 1000 + (from[1] - '0') * 100 +
	    (from[2] - '0') * 10 + (from[3] - '0');
	m = (from[5] - '0') * 10 + (from[6] - '0');
	for (size_t i = 0; i < 12; i++) {
		char key[8];

		snprintf(key, sizeof(key), "%04d-%02d", y, m);
		if (strncmp(key, to, 7) == 0)
			break;
		cell_set(&s->by_month.cell[s->by_month.n++], key, 0);
		if (++m > 12) {
			m = 1;
			y++;
		}
	}
	if ((st = group_into(db, NODE_COHORT_BY_MONTH,
			     from, to, &s->by_month, errbuf, errlen)) != NODE_OK)
		return st;

	vals = node_register_vocab(NODE_VOCAB_REGISTERED_BY, &n);
	list_keys(&s->by_registrant, vals, n);
	if ((st = group_into(db, NODE_COHORT_BY_REGISTRANT,
			     from, to, &s->by_registrant, errbuf,
			     errlen)) != NODE_OK)
		return st;

	vals = node_register_vocab(NODE_VOCAB_QUESTION, &n);
	list_keys(&s->by_question_type, vals, n);
	if ((st = group_into(db, NODE_COHORT_BY_QUESTION,
			     from, to, &s->by_question_type, errbuf,
			     errlen)) != NODE_OK)
		return st;

	for (size_t i = 0; i < NODE_PHASE_COUNT; i++)
		phases[i] = node_lifecycle_phase_name((enum node_phase)i);
	list_keys(&s->by_phase, phases, NODE_PHASE_COUNT);
	if ((st = group_into(db, NODE_COHORT_BY_PHASE,
			     from, to, &s->by_phase, errbuf, errlen)) != NODE_OK)
		return st;

	/* Outcomes of the closed cases; "unknown" where none was recorded,
	 * so the list adds up to the afgesloten cell of by_phase. */
	vals = node_register_vocab(NODE_VOCAB_OUTCOME, &n);
	list_keys(&s->by_outcome, vals, n);
	if (s->by_outcome.n < NODE_STATS_LIST_MAX)
		cell_set(&s->by_outcome.cell[s->by_outcome.n++], "unknown", 0);
	if ((st = group_into(db, NODE_COHORT_BY_OUTCOME,
			     from, to, &s->by_outcome, errbuf, errlen)) != NODE_OK)
		return st;

	vals = node_register_vocab(NODE_VOCAB_THEME, &n);
	list_keys(&s->themes, vals, n);
	if ((st = group_into(db, NODE_COHORT_BY_THEME,
			     from, to, &s->themes, errbuf, errlen)) != NODE_OK)
		return st;

	if ((st = count_one(db, NODE_COHORT_REGISTRATIONS,
			     from,
			    to, &v, errbuf, errlen)) != NODE_OK)
		return st;
	cell_set(&s->registrations, "registrations", v);
	if ((st = count_one(db, NODE_COHORT_DISCUSSED,
			     from, to, &v, errbuf, errlen)) != NODE_OK)
		return st;
	cell_set(&s->discussed, "discussed", v);
	cell_set(&s->cancelled, "cancelled",
		 s->by_phase.cell[NODE_PHASE_GEANNULEERD].count);
	cell_set(&s->referred, "referred",
		 s->by_phase.cell[NODE_PHASE_DOORVERWEZEN].count);
	if ((st = count_one(db, NODE_COHORT_CONSULTATIONS,
			     from, to, &v, errbuf, errlen)) != NODE_OK)
		return st;
	cell_set(&s->consultations, "consultations", v);

	/* Days from aanmelding to the first overleg, per casus. */
	if ((st = median_of(
		     db, NODE_COHORT_DAYS_TO_OVERLEG,
			     from, to, &med, &cnt, &has, errbuf, errlen)) != NODE_OK)
		return st;
	cell_set(&s->median_days_to_overleg, "median_days_to_overleg", med);
	cell_set(&s->n_to_overleg, "n_to_overleg", cnt);
	s->has_median_to_overleg = has;

	/* Days from aanmelding to afsluiting, closed cases only. */
	if ((st = median_of(
		     db, NODE_COHORT_DAYS_TO_CLOSE,
			     from, to, &med, &cnt, &has, errbuf, errlen)) != NODE_OK)
		return st;
	cell_set(&s->median_days_to_close, "median_days_to_close", med);
	cell_set(&s->n_to_close, "n_to_close", cnt);
	s->has_median_to_close = has;
	return NODE_OK;
}

struct compute_arg {
	const char *user, *region, *period, *prev;
	const char *from, *to, *pfrom, *pto;
	struct node_stats *out;
};

static enum node_status
compute_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct compute_arg *a = varg;
	enum node_status st;
	char detail[64];

	memset(a->out, 0, sizeof(*a->out));
	if ((st = compute_one(db, a->period, a->from, a->to, &a->out->cur,
			      errbuf, errlen)) != NODE_OK ||
	    (st = compute_one(db, a->prev, a->pfrom, a->pto, &a->out->prev,
			      errbuf, errlen)) != NODE_OK)
		return st;
	if (a->region != NULL) {
		snprintf(a->out->cur.region, sizeof(a->out->cur.region), "%s",
			 a->region);
		snprintf(a->out->prev.region, sizeof(a->out->prev.region), "%s",
			 a->region);
	}
	snprintf(detail, sizeof(detail), "period=%s previous=%s", a->period,
		 a->prev);
	return node_audit_append(db, a->user, "stats.read", 0, detail, errbuf,
				 errlen);
}

enum node_status
node_stats_compute(sqlite3 *db, const char *user, const char *region,
		   const char *period, struct node_stats *ret, char *errbuf,
		   size_t errlen)
{
	char from[11], to[11], pfrom[11], pto[11], prev[NODE_STATS_PERIOD_MAX];
	struct node_stats *tmp;
	struct compute_arg a;
	enum node_status st;

	if (db == NULL || ret == NULL)
		return invalid(errbuf, errlen, "no database or result given");
	if (user == NULL || user[0] == '\0' || strlen(user) > 64 ||
	    !wire_utf8_valid(user, strlen(user)))
		return invalid(errbuf, errlen,
			       "user is required (1..64 bytes of UTF-8)");
	if (region != NULL && strlen(region) >= NODE_STATS_REGION_MAX)
		return invalid(errbuf, errlen, "region is longer than %d bytes",
			       NODE_STATS_REGION_MAX - 1);
	if (node_stats_period_parse(period, from, to, prev, errbuf, errlen) != 0)
		return NODE_ERR_INVALID;
	if (node_stats_period_parse(prev, pfrom, pto, NULL, errbuf, errlen) != 0) {
		/* 1900's previous year 1899 is outside the date range: use an
		 * empty period before it. */
		snprintf(pfrom, sizeof(pfrom), "%s", from);
		snprintf(pto, sizeof(pto), "%s", from);
	}
	tmp = calloc(1, sizeof(*tmp));
	if (tmp == NULL)
		return NODE_ERR_NOMEM;
	a = (struct compute_arg){user, region, period, prev, from, to,
				 pfrom, pto, tmp};
	st = node_db_transaction(db, compute_fn, &a, errbuf, errlen);
	if (st == NODE_OK)
		*ret = *tmp;
	free(tmp);
	return st;
}

/* ---- suppression ------------------------------------------------------ */

static uint8_t
hidden_kind(uint32_t count, uint32_t threshold)
{
	return count < threshold ? NODE_STATS_BELOW : NODE_STATS_HIDDEN;
}

static void
hide(struct node_stats_cell *c, uint32_t threshold)
{
	c->hidden = hidden_kind(c->count, threshold);
	c->count = 0;
}

/* What a list's total must be, because it is published elsewhere. */
enum total_rule {
	TOTAL_FREE = 0,  /* the total is published nowhere else */
	TOTAL_SHOWN,     /* shown elsewhere: must stay derivable safely */
	TOTAL_HIDDEN,    /* hidden elsewhere: the list may not reveal it */
};

static enum node_status
suppress_fail(enum suppress_error e, const char *what, const char *detail,
	      char *errbuf, size_t errlen)
{
	if (e == SUPPRESS_E_NOMEM)
		return NODE_ERR_NOMEM;
	return invalid(errbuf, errlen, "%s cannot be published safely: %s%s%s",
		       what, suppress_strerror(e), detail[0] ? ": " : "",
		       detail);
}

/*
 * Hold a one-row table to what is published elsewhere about its total:
 * shown (TOTAL_SHOWN) or hidden, with every non-zero cell hidden so the
 * shown ones cannot add up to it (TOTAL_HIDDEN). A cell and its column
 * total are the same number and share a state.
 */
static void
enforce_total(struct suppress_table *t, size_t n, enum total_rule rule)
{
	size_t tot = suppress_at(t, 0, n), gt = suppress_at(t, 1, n);

	if (rule == TOTAL_SHOWN) {
		t->state[tot] = t->state[gt] = SUPPRESS_SHOWN;
	} else if (rule == TOTAL_HIDDEN && t->count[tot] > 0) {
		if (t->state[tot] == SUPPRESS_SHOWN)
			t->state[tot] = t->state[gt] = SUPPRESS_SECONDARY;
		for (size_t i = 0; i < n; i++)
			if (t->count[suppress_at(t, 0, i)] > 0 &&
			    t->state[suppress_at(t, 0, i)] == SUPPRESS_SHOWN)
				t->state[suppress_at(t, 0, i)] =
					t->state[suppress_at(t, 1, i)] =
						SUPPRESS_SECONDARY;
	}
}

/* SUPPRESS_OK if the audit pins no hidden cell, else UNPROTECTABLE. */
static enum suppress_error
audit_clean(const struct suppress_table *t, size_t n,
	    const struct suppress_previous *prev, size_t nprev, char *detail,
	    size_t detlen)
{
	size_t disclosed = 0, cells = 2 * (n + 1);
	int64_t *lo = calloc(cells, sizeof(*lo));
	int64_t *hi = calloc(cells, sizeof(*hi));
	enum suppress_error e = SUPPRESS_E_NOMEM;

	if (lo != NULL && hi != NULL)
		e = suppress_audit(t, prev, nprev, lo, hi, &disclosed, detail,
				   detlen);
	free(lo);
	free(hi);
	if (e == SUPPRESS_OK && disclosed > 0)
		e = SUPPRESS_E_UNPROTECTABLE;
	return e;
}


/*
 * Earlier publications (node_history.h). Where a list's earlier versions
 * are found in an earlier summary, and what its total was published as.
 */
enum tie {
	TIE_NONE = 0, /* the total was published nowhere: not compared */
	TIE_SELF,     /* a headline figure: the cell is its own total */
	TIE_REG,      /* the total is the registrations figure */
	TIE_CLOSED,   /* the total is the afgesloten cell of by_phase */
};

struct hist_ref {
	const struct node_history *h; /* NULL: no history */
	size_t off;                   /* offsetof the list or cell */
	int is_cell;                  /* off names a node_stats_cell */
	const char *theme;            /* a theme cell, found by its key */
	enum tie tie;
};

/* The earlier tables of one list, restored for privacy_suppress. */
struct prev_set {
	size_t n;
	struct suppress_table *t[NODE_HISTORY_MAX];
	struct suppress_previous p[NODE_HISTORY_MAX];
};

static void
prev_set_free(struct prev_set *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		suppress_table_destroy(&ps->t[i]);
	ps->n = 0;
}

/* The list (or cell as a list of one) and its total in earlier summary e. */
static int
earlier_list(const struct node_stats_summary *e, const struct hist_ref *r,
	     struct node_stats_list *out, struct node_stats_cell *total)
{
	const char *base = (const char *)e;

	memset(out, 0, sizeof(*out));
	if (r->theme != NULL) {
		for (size_t i = 0; i < e->themes.n; i++)
			if (strcmp(e->themes.cell[i].key, r->theme) == 0) {
				out->n = 1;
				out->cell[0] = *total = e->themes.cell[i];
				return 0;
			}
		return -1;
	}
	if (r->is_cell) {
		out->n = 1;
		memcpy(&out->cell[0], base + r->off, sizeof(out->cell[0]));
		*total = out->cell[0];
		return 0;
	}
	memcpy(out, base + r->off, sizeof(*out));
	if (r->tie == TIE_REG) {
		*total = e->registrations;
		return 0;
	}
	if (r->tie == TIE_CLOSED && e->by_phase.n == NODE_PHASE_COUNT) {
		*total = e->by_phase.cell[NODE_PHASE_AFGESLOTEN];
		return 0;
	}
	return -1;
}

/* Add up to `room` to the hidden cells of row 0 within their intervals. */
static uint64_t
spread(struct suppress_table *t, size_t n, uint64_t room, uint32_t T)
{
	for (size_t i = 0; i < n && room > 0; i++) {
		size_t p = suppress_at(t, 0, i);

		if (t->state[p] == SUPPRESS_SHOWN)
			continue;
		if (t->count[p] >= T) { /* "x": unbounded */
			if (room > UINT32_MAX - t->count[p])
				return room;
			t->count[p] += (uint32_t)room;
			return 0;
		}
	}
	for (size_t i = 0; i < n && room > 0; i++) {
		size_t p = suppress_at(t, 0, i);
		uint32_t add;

		if (t->state[p] == SUPPRESS_SHOWN || t->count[p] >= T)
			continue;
		add = T - 1 - t->count[p];
		if (add > room)
			add = (uint32_t)room;
		t->count[p] += add;
		room -= add;
	}
	return room;
}

/*
 * An earlier publication of a list as a table for privacy_suppress: shown
 * cells with their counts, a "<T" cell as 0..T-1, an "x" cell as T or
 * more, and hidden counts chosen inside those intervals so the lines add
 * up. NULL if the published list cannot be (out of memory, or it
 * contradicts its own total).
 */
static struct suppress_table *
restore(const struct node_stats_list *l, const struct node_stats_cell *total,
	uint32_t T)
{
	size_t n = l->n;
	uint64_t sum = 0, target;
	struct suppress_table *t = suppress_table_new(1, n);

	if (t == NULL)
		return NULL;
	t->threshold = T;
	t->zero_unsafe = 1; /* a "<T" may be a hidden zero */
	for (size_t i = 0; i < n; i++) {
		const struct node_stats_cell *c = &l->cell[i];
		size_t p = suppress_at(t, 0, i);

		if (c->hidden == NODE_STATS_SHOWN) {
			t->count[p] = c->count;
			t->state[p] = SUPPRESS_SHOWN;
		} else {
			t->count[p] = c->hidden == NODE_STATS_BELOW ? 0 : T;
			t->state[p] = c->hidden == NODE_STATS_BELOW
					      ? SUPPRESS_PRIMARY
					      : SUPPRESS_SECONDARY;
		}
		sum += t->count[p];
	}
	if (total->hidden == NODE_STATS_SHOWN) {
		target = total->count;
		if (target < sum || spread(t, n, target - sum, T) != 0)
			goto bad;
	} else if (total->hidden == NODE_STATS_BELOW) {
		if (sum >= T)
			goto bad;
	} else if (sum < T && spread(t, n, T - sum, T) != 0) {
		goto bad;
	}
	suppress_table_sum(t);
	for (size_t i = 0; i < n; i++)
		t->state[suppress_at(t, 1, i)] = t->state[suppress_at(t, 0, i)];
	t->state[suppress_at(t, 0, n)] = t->state[suppress_at(t, 1, n)] =
		total->hidden == NODE_STATS_SHOWN ? SUPPRESS_SHOWN
		: total->hidden == NODE_STATS_BELOW ? SUPPRESS_PRIMARY
						      : SUPPRESS_SECONDARY;
	return t;
bad:
	suppress_table_destroy(&t);
	return NULL;
}

static enum suppress_relation
to_relation(enum node_history_relation r)
{
	return r == NODE_HISTORY_SAME   ? SUPPRESS_SAME
	       : r == NODE_HISTORY_PART ? SUPPRESS_PART
				       : SUPPRESS_WHOLE;
}

/*
 * The earlier tables of list l (the current one) from r's history: those
 * with the same cells (count and keys) whose total was published. A
 * stored publication that contradicts itself stops the build.
 */
static enum node_status
prev_build(const struct hist_ref *r, const struct node_stats_list *l,
	   const char *what, struct prev_set *ps, char *errbuf,
	   size_t errlen)
{
	struct node_stats_list el;
	struct node_stats_cell tot;

	ps->n = 0;
	if (r == NULL || r->h == NULL)
		return NODE_OK;
	for (size_t k = 0; k < r->h->n && k < NODE_HISTORY_MAX; k++) {
		const struct node_history_entry *e = &r->h->e[k];
		int same_keys = 1;

		if (e->relation < NODE_HISTORY_SAME ||
		    e->relation > NODE_HISTORY_WHOLE ||
		    earlier_list(&e->pub, r, &el, &tot) != 0 || el.n != l->n)
			continue;
		for (size_t i = 0; i < l->n && !r->is_cell && !r->theme; i++)
			if (strcmp(el.cell[i].key, l->cell[i].key) != 0)
				same_keys = 0;
		if (!same_keys)
			continue;
		if (e->pub.threshold < SUPPRESS_MIN_THRESHOLD ||
		    e->pub.threshold > SUPPRESS_MAX_THRESHOLD ||
		    (ps->t[ps->n] = restore(&el, &tot, e->pub.threshold)) ==
			    NULL) {
			prev_set_free(ps);
			return invalid(errbuf, errlen,
				       "%s: the earlier publication of %s "
				       "cannot be read back consistently",
				       what, e->pub.period);
		}
		ps->p[ps->n].table = ps->t[ps->n];
		ps->p[ps->n].relation = to_relation(e->relation);
		ps->n++;
	}
	return NODE_OK;
}

/*
 * Suppress list l, whose cells add up to `total`, in place with
 * privacy_suppress as a table of one row. `rule` ties its total to a
 * figure published elsewhere.
 */
static enum node_status
suppress_list(struct node_stats_list *l, uint32_t total, enum total_rule rule,
	      uint32_t threshold, const struct hist_ref *hr, const char *what,
	      char *errbuf, size_t errlen)
{
	struct suppress_config cfg = {threshold, 0};
	struct suppress_table *t;
	enum suppress_error e = SUPPRESS_E_UNPROTECTABLE;
	enum node_status st;
	struct prev_set ps;
	char detail[160] = "";
	uint64_t sum = 0;
	size_t n = l->n;

	if (n == 0)
		return NODE_OK;
	for (size_t i = 0; i < n; i++)
		sum += l->cell[i].count;
	if (sum != total)
		return invalid(errbuf, errlen,
			       "%s: the cells add up to %llu, not to the total %u",
			       what, (unsigned long long)sum, (unsigned)total);
	if ((st = prev_build(hr, l, what, &ps, errbuf, errlen)) != NODE_OK)
		return st;
	t = suppress_table_new(1, n);
	if (t == NULL) {
		prev_set_free(&ps);
		return NODE_ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		t->count[suppress_at(t, 0, i)] = l->cell[i].count;
	suppress_table_sum(t);
	/*
	 * Three patterns, from the most to the least shown: privacy_suppress
	 * as configured; the same with zeros hidden too (shown zeros can pin
	 * hidden cells: four cases in four phases, each "<5", must be 1 each);
	 * every cell hidden. Each is held to `rule` and audited; the first
	 * that discloses nothing is published.
	 */
	for (int attempt = 0; attempt < 3; attempt++) {
		cfg.zero_unsafe = attempt > 0;
		detail[0] = '\0';
		for (size_t i = 0; i < 2 * (n + 1); i++)
			t->state[i] = SUPPRESS_SHOWN;
		if (attempt < 2) {
			e = suppress_apply(t, &cfg, ps.p, ps.n, detail,
					   sizeof(detail));
			if (e == SUPPRESS_E_UNPROTECTABLE)
				continue;
			if (e != SUPPRESS_OK)
				break;
		} else {
			for (size_t i = 0; i < 2 * (n + 1); i++)
				t->state[i] = SUPPRESS_SECONDARY;
		}
		t->threshold = threshold;
		t->zero_unsafe = cfg.zero_unsafe;
		enforce_total(t, n, rule);
		e = audit_clean(t, n, ps.p, ps.n, detail, sizeof(detail));
		if (e == SUPPRESS_OK)
			break;
		if (e != SUPPRESS_E_UNPROTECTABLE)
			break;
	}
	prev_set_free(&ps);
	if (e != SUPPRESS_OK) {
		suppress_table_destroy(&t);
		return suppress_fail(e, what, detail, errbuf, errlen);
	}
	for (size_t i = 0; i < n; i++)
		if (suppress_hidden(t, 0, i))
			hide(&l->cell[i], threshold);
	suppress_table_destroy(&t);
	return NODE_OK;
}

/* Suppress one headline figure, a table of one cell. */
static enum node_status
suppress_cell(struct node_stats_cell *c, uint32_t threshold,
	      const struct hist_ref *hr, const char *what, char *errbuf,
	      size_t errlen)
{
	struct node_stats_list l;

	memset(&l, 0, sizeof(l));
	l.n = 1;
	l.cell[0] = *c;
	enum node_status st =
		suppress_list(&l, c->count, TOTAL_FREE, threshold, hr, what,
			      errbuf, errlen);
	if (st == NODE_OK)
		*c = l.cell[0];
	return st;
}

static uint32_t
list_sum(const struct node_stats_list *l)
{
	uint64_t s = 0;

	for (size_t i = 0; i < l->n; i++)
		s += l->cell[i].count;
	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

/* Copy the publication state of `from` (a cell of the same count). */
static void
follow(struct node_stats_cell *c, const struct node_stats_cell *from,
       uint32_t threshold)
{
	if (from->hidden != NODE_STATS_SHOWN)
		hide(c, threshold);
}

static void
hide_median(struct node_stats_cell *median, int *has, uint32_t n,
	    uint32_t threshold)
{
	if (*has && n < threshold) {
		median->hidden = NODE_STATS_BELOW;
		median->count = 0;
	}
}

/* The history of a headline figure or a list of the summary. */
#define CELL_REF(m)                                                       \
	(&(struct hist_ref){h, offsetof(struct node_stats_summary, m), 1,  \
			    NULL, TIE_SELF})
#define LIST_REF(m, tie)                                                  \
	(&(struct hist_ref){h, offsetof(struct node_stats_summary, m), 0,  \
			    NULL, tie})

static enum node_status
suppress_body(struct node_stats_summary *s, uint32_t t,
              const struct node_history *h, char *errbuf, size_t errlen)
{
	struct node_stats_cell *ph = s->by_phase.cell;
	enum node_status st;
	enum total_rule reg_rule;
	uint32_t reg = s->registrations.count;
	uint32_t closed = 0, discussed_parts = 0;
	uint32_t n_overleg = s->n_to_overleg.count,
	         n_close = s->n_to_close.count;
	int hidden_parts = 0, hidden_rest = 0;

	if ((st = suppress_cell(&s->registrations, t, CELL_REF(registrations),
	                        "registrations", errbuf, errlen)) != NODE_OK)
		return st;
	reg_rule = s->registrations.hidden ? TOTAL_HIDDEN : TOTAL_SHOWN;
	if ((st = suppress_list(&s->by_month, reg, reg_rule, t,
	                        LIST_REF(by_month, TIE_REG), "by_month", errbuf,
	                        errlen)) != NODE_OK ||
	    (st = suppress_list(&s->by_registrant, reg, reg_rule, t,
	                        LIST_REF(by_registrant, TIE_REG),
	                        "by_registrant", errbuf, errlen)) != NODE_OK ||
	    (st = suppress_list(&s->by_question_type, reg, reg_rule, t,
	                        LIST_REF(by_question_type, TIE_REG),
	                        "by_question_type", errbuf, errlen)) != NODE_OK)
		return st;
	if (s->by_phase.n == NODE_PHASE_COUNT) {
		closed = ph[NODE_PHASE_AFGESLOTEN].count;
		discussed_parts = ph[NODE_PHASE_OVERLEG].count +
		                  ph[NODE_PHASE_MONITOREN].count + closed;
		if ((st = suppress_list(&s->by_phase, reg, reg_rule, t,
		                        LIST_REF(by_phase, TIE_REG), "by_phase",
		                        errbuf, errlen)) != NODE_OK)
			return st;
		follow(&s->cancelled, &ph[NODE_PHASE_GEANNULEERD], t);
		follow(&s->referred, &ph[NODE_PHASE_DOORVERWEZEN], t);
		if ((st = suppress_list(
		         &s->by_outcome, list_sum(&s->by_outcome),
		         ph[NODE_PHASE_AFGESLOTEN].hidden ? TOTAL_HIDDEN
		                                          : TOTAL_SHOWN,
		         t, LIST_REF(by_outcome, TIE_CLOSED), "by_outcome",
		         errbuf, errlen)) != NODE_OK)
			return st;
		hidden_parts = (ph[NODE_PHASE_OVERLEG].hidden != 0) +
		               (ph[NODE_PHASE_MONITOREN].hidden != 0) +
		               (ph[NODE_PHASE_AFGESLOTEN].hidden != 0);
		hidden_rest = (ph[NODE_PHASE_AANMELDING].hidden != 0) +
		              (ph[NODE_PHASE_TRIAGE].hidden != 0) +
		              (ph[NODE_PHASE_GEANNULEERD].hidden != 0) +
		              (ph[NODE_PHASE_DOORVERWEZEN].hidden != 0);
	} else {
		if ((st = suppress_list(&s->by_phase, list_sum(&s->by_phase),
		                        TOTAL_FREE, t, NULL, "by_phase", errbuf,
		                        errlen)) != NODE_OK ||
		    (st = suppress_cell(&s->cancelled, t, CELL_REF(cancelled),
		                        "cancelled", errbuf, errlen)) !=
		        NODE_OK ||
		    (st = suppress_cell(&s->referred, t, CELL_REF(referred),
		                        "referred", errbuf, errlen)) !=
		        NODE_OK ||
		    (st = suppress_list(
		         &s->by_outcome, list_sum(&s->by_outcome), TOTAL_FREE,
		         t, NULL, "by_outcome", errbuf, errlen)) != NODE_OK)
			return st;
	}
	if ((st = suppress_cell(&s->discussed, t, CELL_REF(discussed),
	                        "discussed", errbuf, errlen)) != NODE_OK ||
	    (st = suppress_cell(&s->consultations, t, CELL_REF(consultations),
	                        "consultations", errbuf, errlen)) != NODE_OK)
		return st;
	/* discussed = overleg + monitoren + afgesloten, and registrations -
	 * discussed the other four phases: shown next to exactly one hidden
	 * cell on either side, it would give that cell away. */
	if (s->by_phase.n == NODE_PHASE_COUNT && !s->discussed.hidden &&
	    discussed_parts == s->discussed.count &&
	    (hidden_parts == 1 ||
	     (hidden_rest == 1 && !s->registrations.hidden)))
		hide(&s->discussed, t);
	for (size_t i = 0; i < s->themes.n; i++) {
		struct hist_ref tr = {h, 0, 1, s->themes.cell[i].key, TIE_SELF};

		if ((st = suppress_cell(&s->themes.cell[i], t, &tr, "themes",
		                        errbuf, errlen)) != NODE_OK)
			return st;
	}
	/* The number of cases a median rests on is discussed and the
	 * afgesloten cell: publish it exactly as those are published. */
	if (n_overleg == discussed_parts && s->by_phase.n == NODE_PHASE_COUNT) {
		if (s->discussed.hidden)
			hide(&s->n_to_overleg, t);
	} else if ((st = suppress_cell(&s->n_to_overleg, t,
	                               CELL_REF(n_to_overleg), "n_to_overleg",
	                               errbuf, errlen)) != NODE_OK) {
		return st;
	}
	if (s->by_phase.n == NODE_PHASE_COUNT && n_close == closed) {
		follow(&s->n_to_close, &ph[NODE_PHASE_AFGESLOTEN], t);
	} else if ((st = suppress_cell(&s->n_to_close, t, CELL_REF(n_to_close),
	                               "n_to_close", errbuf, errlen)) !=
	           NODE_OK) {
		return st;
	}
	hide_median(&s->median_days_to_overleg, &s->has_median_to_overleg,
	            n_overleg, t);
	hide_median(&s->median_days_to_close, &s->has_median_to_close, n_close,
	            t);
	return NODE_OK;
}
#undef CELL_REF
#undef LIST_REF

enum node_status
node_stats_suppress(const struct node_stats_summary *raw, uint32_t threshold,
                    struct node_stats_summary *ret, char *errbuf, size_t errlen)
{
	return node_stats_suppress_history(raw, threshold, NULL, ret, errbuf,
	                                   errlen);
}

enum node_status
node_stats_suppress_history(const struct node_stats_summary *raw,
			    uint32_t threshold, const struct node_history *h,
			    struct node_stats_summary *ret, char *errbuf,
			    size_t errlen)
{
	struct node_stats_summary *s;
	enum node_status st;

	if (raw == NULL || ret == NULL)
		return invalid(errbuf, errlen, "no figures given");
	if (threshold < SUPPRESS_MIN_THRESHOLD ||
	    threshold > SUPPRESS_MAX_THRESHOLD)
		return invalid(errbuf, errlen,
			       "threshold %u is outside %d..%d",
			       (unsigned)threshold, SUPPRESS_MIN_THRESHOLD,
			       SUPPRESS_MAX_THRESHOLD);
	if (raw->threshold != 0)
		return invalid(errbuf, errlen,
			       "the figures of %s are already suppressed",
			       raw->period);
	s = malloc(sizeof(*s));
	if (s == NULL)
		return NODE_ERR_NOMEM;
	*s = *raw;
	s->threshold = threshold;
	st = suppress_body(s, threshold, h != NULL && h->n > 0 ? h : NULL,
			   errbuf, errlen);
	if (st == NODE_OK)
		*ret = *s;
	else
		memset(ret, 0, sizeof(*ret));
	free(s);
	return st;
}

/* ---- output ----------------------------------------------------------- */

const char *
node_stats_cell_text(const struct node_stats_summary *s,
		     const struct node_stats_cell *c, char *out, size_t outlen)
{
	if (outlen == 0)
		return out;
	if (c->hidden == NODE_STATS_BELOW && s->threshold > 0)
		snprintf(out, outlen, "<%u", (unsigned)s->threshold);
	else if (c->hidden != NODE_STATS_SHOWN)
		snprintf(out, outlen, "x");
	else
		snprintf(out, outlen, "%u", (unsigned)c->count);
	return out;
}

static json_t *
cell_json(const struct node_stats_summary *s, const struct node_stats_cell *c,
	  int with_key)
{
	char text[16];
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (with_key && json_object_set_new(o, "key", json_string(c->key)) != 0)
		goto fail;
	if (c->hidden == NODE_STATS_SHOWN) {
		if (json_object_set_new(o, "count", json_integer(c->count)) != 0)
			goto fail;
	} else if (json_object_set_new(
			   o, "hidden",
			   json_string(node_stats_cell_text(s, c, text,
							    sizeof(text)))) != 0) {
		goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
list_json(const struct node_stats_summary *s, const struct node_stats_list *l)
{
	json_t *a = json_array();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < l->n; i++)
		if (json_array_append_new(a, cell_json(s, &l->cell[i], 1)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
median_json(const struct node_stats_summary *s,
	    const struct node_stats_cell *m, const struct node_stats_cell *n,
	    int has)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "cases", cell_json(s, n, 0)) != 0 ||
	    json_object_set_new(o, "days",
				has ? cell_json(s, m, 0) : json_null()) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
node_stats_summary_json(const struct node_stats_summary *s)
{
	json_t *o;

	if (s == NULL)
		return NULL;
	o = json_object();
	if (o == NULL)
		return NULL;
	if (json_object_set_new(o, "region", json_string(s->region)) != 0 ||
	    json_object_set_new(o, "period", json_string(s->period)) != 0 ||
	    json_object_set_new(o, "threshold", json_integer(s->threshold)) != 0 ||
	    json_object_set_new(o, "registrations",
				cell_json(s, &s->registrations, 0)) != 0 ||
	    json_object_set_new(o, "discussed", cell_json(s, &s->discussed, 0)) != 0 ||
	    json_object_set_new(o, "cancelled", cell_json(s, &s->cancelled, 0)) != 0 ||
	    json_object_set_new(o, "referred", cell_json(s, &s->referred, 0)) != 0 ||
	    json_object_set_new(o, "consultations",
				cell_json(s, &s->consultations, 0)) != 0 ||
	    json_object_set_new(o, "by_month", list_json(s, &s->by_month)) != 0 ||
	    json_object_set_new(o, "by_registrant",
				list_json(s, &s->by_registrant)) != 0 ||
	    json_object_set_new(o, "by_question_type",
				list_json(s, &s->by_question_type)) != 0 ||
	    json_object_set_new(o, "by_phase", list_json(s, &s->by_phase)) != 0 ||
	    json_object_set_new(o, "by_outcome", list_json(s, &s->by_outcome)) != 0 ||
	    json_object_set_new(o, "bottleneck_themes", list_json(s, &s->themes)) != 0 ||
	    json_object_set_new(o, "days_to_overleg",
				median_json(s, &s->median_days_to_overleg,
					    &s->n_to_overleg,
					    s->has_median_to_overleg)) != 0 ||
	    json_object_set_new(o, "days_to_close",
				median_json(s, &s->median_days_to_close,
					    &s->n_to_close,
					    s->has_median_to_close)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- reading JSON ----------------------------------------------------- */

static int
key_valid(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n >= NODE_STATS_KEY_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-'))
			return 0;
	}
	return 1;
}

/*
 * One cell: with_key 1 for a list cell (has "key"), 0 for a headline
 * count, -1 for a median in days (not a count: no threshold applies).
 */
static enum node_status
cell_from_json(const json_t *o, const char *what, uint32_t threshold,
	       int with_key, struct node_stats_cell *c, char *errbuf,
	       size_t errlen)
{
	const json_t *count, *hidden, *key;
	char below[16];

	memset(c, 0, sizeof(*c));
	if (!json_is_object(o))
		return invalid(errbuf, errlen, "%s: not an object", what);
	if (with_key > 0) {
		key = json_object_get(o, "key");
		if (!json_is_string(key) || !key_valid(json_string_value(key)))
			return invalid(errbuf, errlen,
				       "%s: key must be 1..40 of [a-z0-9_+-]",
				       what);
		snprintf(c->key, sizeof(c->key), "%s", json_string_value(key));
	} else {
		snprintf(c->key, sizeof(c->key), "%.40s", what);
	}
	count = json_object_get(o, "count");
	hidden = json_object_get(o, "hidden");
	if ((count == NULL) == (hidden == NULL))
		return invalid(errbuf, errlen,
			       "%s: needs either count or hidden", what);
	if (count != NULL) {
		json_int_t v;
		if (!json_is_integer(count) ||
		    (v = json_integer_value(count)) < 0 || v > UINT32_MAX)
			return invalid(errbuf, errlen,
				       "%s: count must be 0..4294967295", what);
		if (with_key >= 0 && v > 0 && v < threshold)
			return invalid(errbuf, errlen,
				       "%s: count %d is below the threshold %u"
				       " and may not be shown",
				       what, (int)v, (unsigned)threshold);
		c->count = (uint32_t)v;
		return NODE_OK;
	}
	snprintf(below, sizeof(below), "<%u", (unsigned)threshold);
	if (json_is_string(hidden) &&
	    strcmp(json_string_value(hidden), below) == 0)
		c->hidden = NODE_STATS_BELOW;
	else if (json_is_string(hidden) &&
		 strcmp(json_string_value(hidden), "x") == 0)
		c->hidden = NODE_STATS_HIDDEN;
	else
		return invalid(errbuf, errlen, "%s: hidden must be \"%s\" or \"x\"",
			       what, below);
	return NODE_OK;
}

static enum node_status
list_from_json(const json_t *a, const char *what, uint32_t threshold,
	       struct node_stats_list *l, char *errbuf, size_t errlen)
{
	enum node_status st;
	char w[64];

	memset(l, 0, sizeof(*l));
	if (a == NULL)
		return NODE_OK; /* a list the source does not carry */
	if (!json_is_array(a) || json_array_size(a) > NODE_STATS_LIST_MAX)
		return invalid(errbuf, errlen,
			       "%s: must be a list of at most %d cells", what,
			       NODE_STATS_LIST_MAX);
	for (size_t i = 0; i < json_array_size(a); i++) {
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		if ((st = cell_from_json(json_array_get(a, i), w, threshold, 1,
					 &l->cell[i], errbuf, errlen)) != NODE_OK)
			return st;
		for (size_t k = 0; k < i; k++)
			if (strcmp(l->cell[k].key, l->cell[i].key) == 0)
				return invalid(errbuf, errlen,
					       "%s: key '%s' appears twice", w,
					       l->cell[i].key);
	}
	l->n = json_array_size(a);
	return NODE_OK;
}

static enum node_status
median_from_json(const json_t *o, const char *what, uint32_t threshold,
		 struct node_stats_cell *m, struct node_stats_cell *n,
		 int *has, char *errbuf, size_t errlen)
{
	enum node_status st;
	const json_t *days;

	*has = 0;
	memset(m, 0, sizeof(*m));
	memset(n, 0, sizeof(*n));
	if (o == NULL)
		return NODE_OK;
	if (!json_is_object(o))
		return invalid(errbuf, errlen, "%s: not an object", what);
	if ((st = cell_from_json(json_object_get(o, "cases"), what, threshold,
				 0, n, errbuf, errlen)) != NODE_OK)
		return st;
	days = json_object_get(o, "days");
	if (days == NULL || json_is_null(days))
		return NODE_OK;
	*has = 1;
	return cell_from_json(days, what, threshold, -1, m, errbuf, errlen);
}

enum node_status
node_stats_summary_from_json(const json_t *j, struct node_stats_summary *ret,
			     char *errbuf, size_t errlen)
{
	struct node_stats_summary *s;
	const json_t *v;
	const char *str;
	char from[11], to[11];
	json_int_t t;
	enum node_status st = NODE_OK;
	static const char *const heads[] = {"registrations", "discussed",
					    "cancelled", "referred",
					    "consultations"};

	if (!json_is_object(j) || ret == NULL)
		return invalid(errbuf, errlen, "summary: not a JSON object");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NODE_ERR_NOMEM;
	v = json_object_get(j, "region");
	str = json_is_string(v) ? json_string_value(v) : NULL;
	if (str == NULL || strlen(str) == 0 ||
	    strlen(str) >= NODE_STATS_REGION_MAX ||
	    !wire_utf8_valid(str, strlen(str))) {
		st = invalid(errbuf, errlen, "region: must be a party id of"
			     " 1..%d bytes", NODE_STATS_REGION_MAX - 1);
		goto out;
	}
	snprintf(s->region, sizeof(s->region), "%s", str);
	v = json_object_get(j, "period");
	str = json_is_string(v) ? json_string_value(v) : NULL;
	if (str == NULL ||
	    node_stats_period_parse(str, from, to, NULL, errbuf, errlen) != 0) {
		st = invalid(errbuf, errlen,
			     "period: must be 2026, 2026-Q3 or 2026-07");
		goto out;
	}
	snprintf(s->period, sizeof(s->period), "%s", str);
	v = json_object_get(j, "threshold");
	if (!json_is_integer(v) || (t = json_integer_value(v)) < SUPPRESS_MIN_THRESHOLD ||
	    t > SUPPRESS_MAX_THRESHOLD) {
		st = invalid(errbuf, errlen, "threshold: must be %d..%d",
			     SUPPRESS_MIN_THRESHOLD, SUPPRESS_MAX_THRESHOLD);
		goto out;
	}
	s->threshold = (uint32_t)t;
	{
		struct node_stats_cell *cells[] = {&s->registrations, &s->discussed,
						   &s->cancelled, &s->referred,
						   &s->consultations};
		for (size_t i = 0; i < 5 && st == NODE_OK; i++)
			st = cell_from_json(json_object_get(j, heads[i]),
					    heads[i], s->threshold, 0, cells[i],
					    errbuf, errlen);
	}
	if (st != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "by_month"), "by_month",
				 s->threshold, &s->by_month, errbuf,
				 errlen)) != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "by_registrant"),
				 "by_registrant", s->threshold,
				 &s->by_registrant, errbuf, errlen)) != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "by_question_type"),
				 "by_question_type", s->threshold,
				 &s->by_question_type, errbuf, errlen)) != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "by_phase"), "by_phase",
				 s->threshold, &s->by_phase, errbuf,
				 errlen)) != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "by_outcome"), "by_outcome",
				 s->threshold, &s->by_outcome, errbuf,
				 errlen)) != NODE_OK ||
	    (st = list_from_json(json_object_get(j, "bottleneck_themes"),
				 "bottleneck_themes", s->threshold, &s->themes,
				 errbuf, errlen)) != NODE_OK ||
	    (st = median_from_json(json_object_get(j, "days_to_overleg"),
				   "days_to_overleg", s->threshold,
				   &s->median_days_to_overleg, &s->n_to_overleg,
				   &s->has_median_to_overleg, errbuf,
				   errlen)) != NODE_OK ||
	    (st = median_from_json(json_object_get(j, "days_to_close"),
				   "days_to_close", s->threshold,
				   &s->median_days_to_close, &s->n_to_close,
				   &s->has_median_to_close, errbuf,
				   errlen)) != NODE_OK)
		goto out;
	*ret = *s;
out:
	free(s);
	return st;
}
