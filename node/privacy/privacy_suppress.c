/* privacy_suppress: threshold rule, secondary suppression, audit. */
#include "privacy_suppress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NEG_INF INT64_MIN
#define POS_INF INT64_MAX
#define MAX_ROUNDS 5000

static const char *const messages[] = {
	[SUPPRESS_OK] = "no error",
	[SUPPRESS_E_THRESHOLD] = "the threshold must be between 3 and 100",
	[SUPPRESS_E_DIMS] = "a table must have 1 to 32 rows and columns",
	[SUPPRESS_E_TOTALS] = "a total is not the sum of its row or column",
	[SUPPRESS_E_SHAPE] = "a previous table has a different shape",
	[SUPPRESS_E_INCONSISTENT] =
		"the previous publications contradict this table",
	[SUPPRESS_E_UNPROTECTABLE] =
		"no suppression pattern protects every hidden cell",
	[SUPPRESS_E_AUDIT] = "the audit did not converge",
	[SUPPRESS_E_NOMEM] = "out of memory",
	[SUPPRESS_E_ARGS] = "an argument is missing or out of range",
};

const char *
suppress_strerror(enum suppress_error err)
{
	if ((size_t)err >= sizeof(messages) / sizeof(messages[0]) ||
	    messages[err] == NULL)
		return "unknown suppression error";
	return messages[err];
}

static enum suppress_error
fail(enum suppress_error e, char *errbuf, size_t errlen, const char *fmt,
     ...) __attribute__((format(printf, 4, 5)));

static enum suppress_error
fail(enum suppress_error e, char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return e;
}

void
suppress_config_default(struct suppress_config *c)
{
	c->threshold = SUPPRESS_DEFAULT_THRESHOLD;
	c->zero_unsafe = 0;
}

struct suppress_table *
suppress_table_new(size_t rows, size_t cols)
{
	struct suppress_table *t;
	size_t n = (rows + 1) * (cols + 1);

	if (rows < 1 || rows > SUPPRESS_MAX_DIM || cols < 1 ||
	    cols > SUPPRESS_MAX_DIM)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->rows = rows;
	t->cols = cols;
	t->threshold = SUPPRESS_DEFAULT_THRESHOLD;
	t->count = calloc(n, sizeof(*t->count));
	t->state = calloc(n, sizeof(*t->state));
	t->sensitive_row = calloc(rows, 1);
	t->sensitive_col = calloc(cols, 1);
	if (t->count == NULL || t->state == NULL || t->sensitive_row == NULL ||
	    t->sensitive_col == NULL)
		suppress_table_destroy(&t);
	return t;
}

void
suppress_table_destroy(struct suppress_table **tp)
{
	if (tp == NULL || *tp == NULL)
		return;
	free((*tp)->count);
	free((*tp)->state);
	free((*tp)->sensitive_row);
	free((*tp)->sensitive_col);
	free(*tp);
	*tp = NULL;
}

size_t
suppress_at(const struct suppress_table *t, size_t r, size_t c)
{
	return r * (t->cols + 1) + c;
}

void
suppress_table_sum(struct suppress_table *t)
{
	size_t r, c, R = t->rows, C = t->cols;

	for (r = 0; r <= R; r++)
		t->count[suppress_at(t, r, C)] = 0;
	for (c = 0; c < C; c++)
		t->count[suppress_at(t, R, c)] = 0;
	for (r = 0; r < R; r++)
		for (c = 0; c < C; c++) {
			uint32_t v = t->count[suppress_at(t, r, c)];

			t->count[suppress_at(t, r, C)] += v;
			t->count[suppress_at(t, R, c)] += v;
			t->count[suppress_at(t, R, C)] += v;
		}
}

int
suppress_hidden(const struct suppress_table *t, size_t r, size_t c)
{
	return t->state[suppress_at(t, r, c)] != SUPPRESS_SHOWN;
}

int
suppress_format(const struct suppress_table *t, size_t r, size_t c,
		char *out, size_t outlen)
{
	size_t p = suppress_at(t, r, c);
	int n;

	if (t->state[p] == SUPPRESS_SHOWN)
		n = snprintf(out, outlen, "%u", (unsigned)t->count[p]);
	else if (t->count[p] < t->threshold)
		n = snprintf(out, outlen, "<%u", (unsigned)t->threshold);
	else
		n = snprintf(out, outlen, "x");
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

/* A position for people: 1-based, totals by name. */
static void
where(const struct suppress_table *t, size_t p, char *out, size_t outlen)
{
	size_t r = p / (t->cols + 1), c = p % (t->cols + 1);

	if (r == t->rows && c == t->cols)
		snprintf(out, outlen, "the grand total");
	else if (c == t->cols)
		snprintf(out, outlen, "the total of row %zu", r + 1);
	else if (r == t->rows)
		snprintf(out, outlen, "the total of column %zu", c + 1);
	else
		snprintf(out, outlen, "row %zu column %zu", r + 1, c + 1);
}

static int
sensitive_at(const struct suppress_table *t, size_t r, size_t c)
{
	return (r < t->rows && t->sensitive_row[r]) ||
	       (c < t->cols && t->sensitive_col[c]);
}

static enum suppress_error
check_table(const struct suppress_table *t, const char *what, char *errbuf,
	    size_t errlen)
{
	size_t r, c, R, C, n;
	uint64_t sum;

	if (t == NULL || t->count == NULL || t->state == NULL ||
	    t->sensitive_row == NULL || t->sensitive_col == NULL)
		return fail(SUPPRESS_E_ARGS, errbuf, errlen, "%s is missing",
			    what);
	R = t->rows;
	C = t->cols;
	if (R < 1 || R > SUPPRESS_MAX_DIM || C < 1 || C > SUPPRESS_MAX_DIM)
		return fail(SUPPRESS_E_DIMS, errbuf, errlen,
			    "%s has %zu rows and %zu columns; 1 to %d allowed",
			    what, R, C, SUPPRESS_MAX_DIM);
	if (t->threshold < SUPPRESS_MIN_THRESHOLD ||
	    t->threshold > SUPPRESS_MAX_THRESHOLD)
		return fail(SUPPRESS_E_THRESHOLD, errbuf, errlen,
			    "%s has threshold %u; 3 to 100 allowed", what,
			    (unsigned)t->threshold);
	n = (R + 1) * (C + 1);
	for (r = 0; r < n; r++)
		if (t->state[r] > SUPPRESS_SECONDARY)
			return fail(SUPPRESS_E_ARGS, errbuf, errlen,
				    "%s has an unknown cell state", what);
	for (r = 0; r <= R; r++) {
		for (sum = 0, c = 0; c < C; c++)
			sum += t->count[suppress_at(t, r, c)];
		if (sum != t->count[suppress_at(t, r, C)])
			return fail(SUPPRESS_E_TOTALS, errbuf, errlen,
				    "%s: the cells of %s %zu add up to %llu "
				    "but its total is %u",
				    what, r == R ? "the totals row" : "row",
				    r + 1, (unsigned long long)sum,
				    (unsigned)t->count[suppress_at(t, r, C)]);
	}
	for (c = 0; c <= C; c++) {
		for (sum = 0, r = 0; r < R; r++)
			sum += t->count[suppress_at(t, r, c)];
		if (sum != t->count[suppress_at(t, R, c)])
			return fail(SUPPRESS_E_TOTALS, errbuf, errlen,
				    "%s: the cells of %s %zu add up to %llu "
				    "but its total is %u",
				    what, c == C ? "the totals column" : "column",
				    c + 1, (unsigned long long)sum,
				    (unsigned)t->count[suppress_at(t, R, c)]);
	}
	return SUPPRESS_OK;
}

/* ------------------------------------------------------------------ */
/* The constraint system: every constraint is sum(coef * x) = 0.       */

struct sys {
	size_t nvars, ncons, nnz;
	int64_t *lo, *hi;
	size_t *start; /* ncons + 1 */
	size_t *var;
	int8_t *coef;
};

static void
sys_free(struct sys *s)
{
	free(s->lo);
	free(s->hi);
	free(s->start);
	free(s->var);
	free(s->coef);
	memset(s, 0, sizeof(*s));
}

static int
sys_alloc(struct sys *s, size_t nvars, size_t maxcons, size_t maxnnz)
{
	memset(s, 0, sizeof(*s));
	s->nvars = nvars;
	s->lo = calloc(nvars, sizeof(*s->lo));
	s->hi = calloc(nvars, sizeof(*s->hi));
	s->start = calloc(maxcons + 1, sizeof(*s->start));
	s->var = calloc(maxnnz, sizeof(*s->var));
	s->coef = calloc(maxnnz, sizeof(*s->coef));
	if (s->lo == NULL || s->hi == NULL || s->start == NULL ||
	    s->var == NULL || s->coef == NULL) {
		sys_free(s);
		return -1;
	}
	return 0;
}

static void
term(struct sys *s, size_t v, int8_t coef)
{
	s->var[s->nnz] = v;
	s->coef[s->nnz] = coef;
	s->nnz++;
}

static void
cons_end(struct sys *s)
{
	s->ncons++;
	s->start[s->ncons] = s->nnz;
}

/* Line constraints of a (R+1)x(C+1) grid whose variables start at base. */
static void
grid_lines(struct sys *s, size_t base, size_t R, size_t C)
{
	size_t r, c;

	for (r = 0; r <= R; r++) {
		for (c = 0; c < C; c++)
			term(s, base + r * (C + 1) + c, 1);
		term(s, base + r * (C + 1) + C, -1);
		cons_end(s);
	}
	for (c = 0; c <= C; c++) {
		for (r = 0; r < R; r++)
			term(s, base + r * (C + 1) + c, 1);
		term(s, base + R * (C + 1) + c, -1);
		cons_end(s);
	}
}

/*
 * Tighten bounds until nothing changes. Returns 0, -1 when a variable's
 * interval became empty (*ret_var names it), -2 when not converged.
 */
static int
propagate(struct sys *s, size_t *ret_var)
{
	size_t round, k, i;

	for (round = 0; round < MAX_ROUNDS; round++) {
		int changed = 0;

		for (k = 0; k < s->ncons; k++) {
			int64_t fmin = 0, fmax = 0;
			size_t imin = 0, imax = 0;

			for (i = s->start[k]; i < s->start[k + 1]; i++) {
				size_t v = s->var[i];
				int64_t a = s->lo[v], b = s->hi[v];

				/* Sum the finite ends; count the infinite. */
				int64_t cl = s->coef[i] > 0 ? a : b;
				int64_t ch = s->coef[i] > 0 ? b : a;
				int cl_inf = cl == NEG_INF || cl == POS_INF;
				int ch_inf = ch == NEG_INF || ch == POS_INF;

				imin += (size_t)cl_inf;
				imax += (size_t)ch_inf;
				if (!cl_inf)
					fmin += s->coef[i] > 0 ? cl : -cl;
				if (!ch_inf)
					fmax += s->coef[i] > 0 ? ch : -ch;
			}
			for (i = s->start[k]; i < s->start[k + 1]; i++) {
				size_t v = s->var[i];
				int64_t a = s->lo[v], b = s->hi[v];
				int64_t cmin, cmax; /* v's own contribution */
				int cmin_inf, cmax_inf;
				int64_t rmin = 0, rmax = 0;
				int rmin_ok, rmax_ok;
				int64_t nlo, nhi;

				if (s->coef[i] > 0) {
					cmin_inf = a == NEG_INF;
					cmax_inf = b == POS_INF;
					cmin = cmin_inf ? 0 : a;
					cmax = cmax_inf ? 0 : b;
				} else {
					cmin_inf = b == POS_INF;
					cmax_inf = a == NEG_INF;
					cmin = cmin_inf ? 0 : -b;
					cmax = cmax_inf ? 0 : -a;
				}
				rmin_ok = imin - (size_t)cmin_inf == 0;
				rmax_ok = imax - (size_t)cmax_inf == 0;
				if (rmin_ok)
					rmin = fmin - cmin;
				if (rmax_ok)
					rmax = fmax - cmax;
				/* coef*x = -rest */
				nlo = a;
				nhi = b;
				if (s->coef[i] > 0) {
					if (rmax_ok && -rmax > nlo)
						nlo = -rmax;
					if (rmin_ok && -rmin < nhi)
						nhi = -rmin;
				} else {
					if (rmin_ok && rmin > nlo)
						nlo = rmin;
					if (rmax_ok && rmax < nhi)
						nhi = rmax;
				}
				if (nlo > nhi) {
					*ret_var = v;
					return -1;
				}
				if (nlo != a || nhi != b) {
					s->lo[v] = nlo;
					s->hi[v] = nhi;
					changed = 1;
				}
			}
		}
		if (!changed)
			return 0;
	}
	return -2;
}

/* ------------------------------------------------------------------ */
/* The audit: this table, the previous ones and their differences.     */

struct audit {
	struct sys s;
	size_t npos;   /* positions per grid */
	size_t ngrids; /* 1 + nprev tables, then difference grids */
	size_t ntables;
	size_t ndiff;
	int diff_free[SUPPRESS_MAX_PREVIOUS + 1]; /* difference may be < 0 */
};

static void
prior(const struct suppress_table *t, size_t p, int64_t *lo, int64_t *hi)
{
	size_t r = p / (t->cols + 1), c = p % (t->cols + 1);
	uint32_t v = t->count[p];

	if (t->state[p] == SUPPRESS_SHOWN) {
		*lo = *hi = v;
	} else if (v < t->threshold) {
		/* "<T": 1..T-1, or 0..T-1 where a hidden zero is possible. */
		*lo = (v == 0 || t->zero_unsafe || sensitive_at(t, r, c)) ? 0
									  : 1;
		*hi = (int64_t)t->threshold - 1;
	} else {
		*lo = t->threshold; /* "x" */
		*hi = POS_INF;
	}
}

static enum suppress_error
audit_build(struct audit *au, const struct suppress_table *t,
	    const struct suppress_previous *prev, size_t nprev)
{
	size_t R = t->rows, C = t->cols, P = (R + 1) * (C + 1);
	size_t g, p, k, npart = 0, nd = 0, maxcons, maxnnz;

	memset(au, 0, sizeof(*au));
	for (k = 0; k < nprev; k++)
		if (prev[k].relation == SUPPRESS_PART)
			npart++;
	au->npos = P;
	au->ntables = 1 + nprev;
	au->ndiff = nprev - npart + (npart > 0);
	au->ngrids = au->ntables + au->ndiff;
	maxcons = au->ngrids * (R + C + 2) + au->ndiff * P;
	maxnnz = au->ngrids * 2 * P + au->ndiff * P * (nprev + 2);
	if (sys_alloc(&au->s, au->ngrids * P, maxcons, maxnnz) < 0)
		return SUPPRESS_E_NOMEM;
	for (g = 0; g < au->ngrids; g++)
		grid_lines(&au->s, g * P, R, C);
	for (p = 0; p < P; p++)
		prior(t, p, &au->s.lo[p], &au->s.hi[p]);
	for (k = 0; k < nprev; k++)
		for (p = 0; p < P; p++)
			prior(prev[k].table, p, &au->s.lo[(1 + k) * P + p],
			      &au->s.hi[(1 + k) * P + p]);
	/* Differences: d = this - same, d = whole - this, d = this - parts. */
	for (k = 0; k < nprev; k++) {
		size_t dbase, tbase = (1 + k) * P;

		if (prev[k].relation == SUPPRESS_PART)
			continue;
		dbase = (au->ntables + nd) * P;
		au->diff_free[nd] = prev[k].relation == SUPPRESS_SAME;
		for (p = 0; p < P; p++) {
			int8_t sign = prev[k].relation == SUPPRESS_SAME ? 1 : -1;

			term(&au->s, p, sign);
			term(&au->s, tbase + p, (int8_t)-sign);
			term(&au->s, dbase + p, -1);
			cons_end(&au->s);
			au->s.lo[dbase + p] = au->diff_free[nd] ? NEG_INF : 0;
			au->s.hi[dbase + p] = POS_INF;
		}
		nd++;
	}
	if (npart > 0) {
		size_t dbase = (au->ntables + nd) * P;

		au->diff_free[nd] = 0;
		for (p = 0; p < P; p++) {
			term(&au->s, p, 1);
			for (k = 0; k < nprev; k++)
				if (prev[k].relation == SUPPRESS_PART)
					term(&au->s, (1 + k) * P + p, -1);
			term(&au->s, dbase + p, -1);
			cons_end(&au->s);
			au->s.lo[dbase + p] = 0;
			au->s.hi[dbase + p] = POS_INF;
		}
		nd++;
	}
	return SUPPRESS_OK;
}

/*
 * Run the audit. *ret_first is the first disclosed variable (or SIZE_MAX)
 * and *ret_n the number of disclosures.
 */
static enum suppress_error
audit_run(struct audit *au, const struct suppress_table *t,
	  const struct suppress_previous *prev, size_t nprev,
	  size_t *ret_first, size_t *ret_n, char *errbuf, size_t errlen)
{
	size_t v, bad = 0, P = au->npos, n = 0, first = SIZE_MAX;
	char pos[64];
	int rc = propagate(&au->s, &bad);

	if (rc == -1) {
		where(t, bad % P, pos, sizeof(pos));
		return fail(SUPPRESS_E_INCONSISTENT, errbuf, errlen,
			    "no count of %s %s fits both this table and the "
			    "previous publications",
			    bad < P ? "this table's" : "a table's", pos);
	}
	if (rc == -2)
		return fail(SUPPRESS_E_AUDIT, errbuf, errlen,
			    "the audit did not converge in %d rounds",
			    MAX_ROUNDS);
	for (v = 0; v < au->ngrids * P; v++) {
		size_t g = v / P, p = v % P;
		int disclosed = 0;

		if (g < au->ntables) {
			const struct suppress_table *tt =
				g == 0 ? t : prev[g - 1].table;

			disclosed = tt->state[p] != SUPPRESS_SHOWN &&
				    au->s.lo[v] == au->s.hi[v];
		} else if (au->s.lo[v] == au->s.hi[v]) {
			int64_t d = au->s.lo[v] < 0 ? -au->s.lo[v]
						    : au->s.lo[v];

			disclosed = d >= 1 && d < (int64_t)t->threshold;
		}
		if (disclosed) {
			if (first == SIZE_MAX)
				first = v;
			n++;
		}
	}
	*ret_first = first;
	*ret_n = n;
	return SUPPRESS_OK;
}

static enum suppress_error
check_all(const struct suppress_table *t, const struct suppress_previous *prev,
	  size_t nprev, char *errbuf, size_t errlen)
{
	enum suppress_error e;
	size_t k;
	char what[32];

	if ((e = check_table(t, "the table", errbuf, errlen)) != SUPPRESS_OK)
		return e;
	if (nprev > SUPPRESS_MAX_PREVIOUS || (nprev > 0 && prev == NULL))
		return fail(SUPPRESS_E_ARGS, errbuf, errlen,
			    "at most %d previous tables are allowed",
			    SUPPRESS_MAX_PREVIOUS);
	for (k = 0; k < nprev; k++) {
		snprintf(what, sizeof(what), "previous table %zu", k + 1);
		if ((e = check_table(prev[k].table, what, errbuf, errlen)) !=
		    SUPPRESS_OK)
			return e;
		if (prev[k].table->rows != t->rows ||
		    prev[k].table->cols != t->cols)
			return fail(SUPPRESS_E_SHAPE, errbuf, errlen,
				    "%s has %zu x %zu cells, this table %zu x "
				    "%zu",
				    what, prev[k].table->rows,
				    prev[k].table->cols, t->rows, t->cols);
		if (prev[k].relation < SUPPRESS_SAME ||
		    prev[k].relation > SUPPRESS_WHOLE)
			return fail(SUPPRESS_E_ARGS, errbuf, errlen,
				    "%s has an unknown relation", what);
	}
	return SUPPRESS_OK;
}

enum suppress_error
suppress_audit(const struct suppress_table *t,
	       const struct suppress_previous *prev, size_t nprev,
	       int64_t *ret_lo, int64_t *ret_hi, size_t *ret_disclosed,
	       char *errbuf, size_t errlen)
{
	struct audit au;
	enum suppress_error e;
	size_t first, n;

	if (ret_lo == NULL || ret_hi == NULL || ret_disclosed == NULL)
		return fail(SUPPRESS_E_ARGS, errbuf, errlen,
			    "the audit needs its output arrays");
	if ((e = check_all(t, prev, nprev, errbuf, errlen)) != SUPPRESS_OK)
		return e;
	if ((e = audit_build(&au, t, prev, nprev)) != SUPPRESS_OK)
		return fail(e, errbuf, errlen, "out of memory");
	e = audit_run(&au, t, prev, nprev, &first, &n, errbuf, errlen);
	if (e == SUPPRESS_OK) {
		memcpy(ret_lo, au.s.lo, au.npos * sizeof(*ret_lo));
		memcpy(ret_hi, au.s.hi, au.npos * sizeof(*ret_hi));
		*ret_disclosed = n;
	}
	sys_free(&au.s);
	return e;
}

/* ------------------------------------------------------------------ */
/* Choosing what to hide.                                              */

static size_t
hidden_in_row(const struct suppress_table *t, size_t r)
{
	size_t c, n = 0;

	for (c = 0; c <= t->cols; c++)
		n += suppress_hidden(t, r, c);
	return n;
}

static size_t
hidden_in_col(const struct suppress_table *t, size_t c)
{
	size_t r, n = 0;

	for (r = 0; r <= t->rows; r++)
		n += suppress_hidden(t, r, c);
	return n;
}

/*
 * Cost of hiding shown position (r, c) as part of a row (along_row) or a
 * column: zeros last, then cells whose other line gets a single hidden
 * cell, then totals, then larger counts. Lower is better.
 */
static uint64_t
cost(const struct suppress_table *t, size_t r, size_t c, int along_row)
{
	size_t other = along_row ? hidden_in_col(t, c) : hidden_in_row(t, r);
	uint64_t tier = 0;

	if (t->count[suppress_at(t, r, c)] == 0)
		tier += 8;
	if (other == 0)
		tier += 4;
	else if (other >= 2)
		tier += 2;
	if (r == t->rows || c == t->cols)
		tier += 1;
	return (tier << 40) | t->count[suppress_at(t, r, c)];
}

/* The best shown position in row r (along_row) or column c, or SIZE_MAX. */
static size_t
best_in_line(const struct suppress_table *t, size_t r, size_t c,
	     int along_row, uint64_t *ret_cost)
{
	size_t i, best = SIZE_MAX, n = along_row ? t->cols : t->rows;
	uint64_t bc = UINT64_MAX;

	for (i = 0; i <= n; i++) {
		size_t rr = along_row ? r : i, cc = along_row ? i : c;
		uint64_t k;

		if (suppress_hidden(t, rr, cc))
			continue;
		k = cost(t, rr, cc, along_row);
		if (k < bc) {
			bc = k;
			best = suppress_at(t, rr, cc);
		}
	}
	*ret_cost = bc;
	return best;
}

/*
 * Hide the best shown position in the two lines through p, or if both are
 * hidden already, anywhere. Returns 0, or -1 when everything is hidden.
 */
static int
hide_near(struct suppress_table *t, size_t p)
{
	size_t r = p / (t->cols + 1), c = p % (t->cols + 1), a, b;
	uint64_t ca, cb;

	a = best_in_line(t, r, c, 1, &ca);
	b = best_in_line(t, r, c, 0, &cb);
	if (a == SIZE_MAX && b == SIZE_MAX) {
		/* Both lines are hidden: widen to the best shown anywhere. */
		for (r = 0; r <= t->rows; r++) {
			a = best_in_line(t, r, 0, 1, &ca);
			if (a != SIZE_MAX && (b == SIZE_MAX || ca < cb)) {
				b = a;
				cb = ca;
			}
		}
		if (b == SIZE_MAX)
			return -1;
		t->state[b] = SUPPRESS_SECONDARY;
		return 0;
	}
	t->state[ca <= cb ? a : b] = SUPPRESS_SECONDARY;
	return 0;
}

/* Fix one line with exactly one hidden cell. 1 fixed, 0 none, -1 stuck. */
static int
line_rule(struct suppress_table *t, size_t *ret_stuck)
{
	size_t r, c, best;
	uint64_t k;

	for (r = 0; r <= t->rows; r++)
		if (hidden_in_row(t, r) == 1) {
			best = best_in_line(t, r, 0, 1, &k);
			if (best == SIZE_MAX) {
				*ret_stuck = suppress_at(t, r, 0);
				return -1;
			}
			t->state[best] = SUPPRESS_SECONDARY;
			return 1;
		}
	for (c = 0; c <= t->cols; c++)
		if (hidden_in_col(t, c) == 1) {
			best = best_in_line(t, 0, c, 0, &k);
			if (best == SIZE_MAX) {
				*ret_stuck = suppress_at(t, 0, c);
				return -1;
			}
			t->state[best] = SUPPRESS_SECONDARY;
			return 1;
		}
	return 0;
}

static void
primary(struct suppress_table *t, const struct suppress_config *cfg,
	const struct suppress_previous *prev, size_t nprev)
{
	size_t R = t->rows, C = t->cols, r, c, k, p;

	for (p = 0; p < (R + 1) * (C + 1); p++) {
		uint32_t v = t->count[p];

		t->state[p] = SUPPRESS_SHOWN;
		if ((v > 0 && v < cfg->threshold) ||
		    (v == 0 && cfg->zero_unsafe))
			t->state[p] = SUPPRESS_PRIMARY;
	}
	/* 0% and 100% of a group with members, on a sensitive trait. */
	for (r = 0; r <= R; r++)
		for (c = 0; c <= C; c++) {
			uint32_t v = t->count[suppress_at(t, r, c)];
			uint32_t rt = t->count[suppress_at(t, r, C)];
			uint32_t ct = t->count[suppress_at(t, R, c)];

			if (t->state[suppress_at(t, r, c)] != SUPPRESS_SHOWN)
				continue;
			if (c < C && t->sensitive_col[c] && rt > 0 &&
			    (v == 0 || v == rt))
				t->state[suppress_at(t, r, c)] =
					SUPPRESS_SENSITIVE;
			else if (r < R && t->sensitive_row[r] && ct > 0 &&
				 (v == 0 || v == ct))
				t->state[suppress_at(t, r, c)] =
					SUPPRESS_SENSITIVE;
		}
	/* What an earlier version of this table hid stays hidden. */
	for (k = 0; k < nprev; k++) {
		if (prev[k].relation != SUPPRESS_SAME)
			continue;
		for (p = 0; p < (R + 1) * (C + 1); p++) {
			size_t pr = p / (C + 1), pc = p % (C + 1);

			if (prev[k].table->state[p] != SUPPRESS_SHOWN &&
			    t->state[p] == SUPPRESS_SHOWN &&
			    (t->count[p] > 0 || sensitive_at(t, pr, pc)))
				t->state[p] = SUPPRESS_HISTORY;
		}
	}
}

enum suppress_error
suppress_apply(struct suppress_table *t, const struct suppress_config *cfg,
	       const struct suppress_previous *prev, size_t nprev,
	       char *errbuf, size_t errlen)
{
	enum suppress_error e;
	size_t iter, maxiter, stuck = 0;
	char pos[64];

	if (cfg == NULL || t == NULL || t->count == NULL)
		return fail(SUPPRESS_E_ARGS, errbuf, errlen,
			    "a table and a configuration are needed");
	if (cfg->threshold < SUPPRESS_MIN_THRESHOLD ||
	    cfg->threshold > SUPPRESS_MAX_THRESHOLD)
		return fail(SUPPRESS_E_THRESHOLD, errbuf, errlen,
			    "the threshold is %u; it must be 3 to 100",
			    (unsigned)cfg->threshold);
	t->threshold = cfg->threshold;
	t->zero_unsafe = cfg->zero_unsafe != 0;
	if ((e = check_all(t, prev, nprev, errbuf, errlen)) != SUPPRESS_OK)
		return e;
	primary(t, cfg, prev, nprev);
	/* Every round hides one more position, so this bound is never hit. */
	maxiter = (t->rows + 1) * (t->cols + 1) + 1;
	for (iter = 0; iter <= maxiter; iter++) {
		struct audit au;
		size_t first, n, P;
		int rc = line_rule(t, &stuck);

		if (rc == 1)
			continue;
		if (rc < 0) {
			where(t, stuck, pos, sizeof(pos));
			return fail(SUPPRESS_E_UNPROTECTABLE, errbuf, errlen,
				    "the line through %s has one hidden cell "
				    "and nothing else to hide",
				    pos);
		}
		if ((e = audit_build(&au, t, prev, nprev)) != SUPPRESS_OK)
			return fail(e, errbuf, errlen, "out of memory");
		e = audit_run(&au, t, prev, nprev, &first, &n, errbuf, errlen);
		P = au.npos;
		sys_free(&au.s);
		if (e != SUPPRESS_OK)
			return e;
		if (n == 0)
			return SUPPRESS_OK;
		/* Hide the position itself if shown here, else a neighbour. */
		if (first >= P &&
		    t->state[first % P] == SUPPRESS_SHOWN)
			t->state[first % P] = SUPPRESS_SECONDARY;
		else if (hide_near(t, first % P) < 0) {
			where(t, first % P, pos, sizeof(pos));
			return fail(SUPPRESS_E_UNPROTECTABLE, errbuf, errlen,
				    "%s can be derived and nothing near it is "
				    "left to hide",
				    pos);
		}
	}
	return fail(SUPPRESS_E_UNPROTECTABLE, errbuf, errlen,
		    "suppression did not settle");
}
