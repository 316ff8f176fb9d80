/*
 * node_history: the region's own earlier publications that relate to a
 * period. See node_history.h; the suppression against them lives in
 * node_stats.c.
 */
#include "node_history.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static enum node_status hfail(char *errbuf, size_t errlen, enum node_status s,
                              const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum node_status
hfail(char *errbuf, size_t errlen, enum node_status s, const char *fmt, ...)
{
	va_list ap;

	if (errbuf != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return s;
}

enum node_history_relation
node_history_relation(const char *earlier, const char *period)
{
	char ef[11], et[11], pf[11], pt[11];

	if (node_stats_period_parse(earlier, ef, et, NULL, NULL, 0) != 0 ||
	    node_stats_period_parse(period, pf, pt, NULL, NULL, 0) != 0)
		return NODE_HISTORY_NONE;
	/* YYYY-MM-DD compares as text. */
	if (strcmp(ef, pf) == 0 && strcmp(et, pt) == 0)
		return NODE_HISTORY_SAME;
	if (strcmp(ef, pf) >= 0 && strcmp(et, pt) <= 0)
		return NODE_HISTORY_PART;
	if (strcmp(ef, pf) <= 0 && strcmp(et, pt) >= 0)
		return NODE_HISTORY_WHOLE;
	return NODE_HISTORY_NONE;
}

/* One stored row, before selection. */
struct row {
	int64_t id;
	char period[NODE_STATS_PERIOD_MAX];
	enum node_history_relation rel;
	char *json;
};

static int
table_exists(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(
	        db,
	        "SELECT 1 FROM sqlite_master WHERE type = 'table'"
	        " AND name = 'learning_summary'",
	        -1, &st, NULL) != SQLITE_OK)
		return -1;
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Row i is kept: SAME always, PART and WHOLE the newest of each period. */
static int
newest_of_period(const struct row *rows, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && rows[j].id > rows[i].id &&
		    node_history_relation(rows[j].period, rows[i].period) ==
		        NODE_HISTORY_SAME)
			return 0;
	return 1;
}

/* A PART row inside another kept PART row is left out (disjoint parts). */
static int
inside_other_part(const struct row *rows, size_t n, size_t i)
{
	for (size_t j = 0; j < n; j++)
		if (j != i && rows[j].rel == NODE_HISTORY_PART &&
		    newest_of_period(rows, n, j) &&
		    node_history_relation(rows[i].period, rows[j].period) ==
		        NODE_HISTORY_PART)
			return 1;
	return 0;
}

static void
rows_free(struct row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].json);
	free(rows);
}

/* Read every own summary of region that relates to period, newest first. */
static enum node_status
read_rows(sqlite3 *db, const char *region, const char *period, struct row **ret,
          size_t *ret_n, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;

	*ret = NULL;
	*ret_n = 0;
	if (sqlite3_prepare_v2(
	        db,
	        "SELECT id, period, summary FROM learning_summary"
	        " WHERE own = 1 AND region = ? ORDER BY id DESC",
	        -1, &st, NULL) != SQLITE_OK)
		return hfail(
		    errbuf, errlen, node_db_status(sqlite3_errcode(db)),
		    "read the published summaries: %s", sqlite3_errmsg(db));
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);
		const char *js = (const char *)sqlite3_column_text(st, 2);
		enum node_history_relation rel;

		if (p == NULL || js == NULL)
			continue;
		rel = node_history_relation(p, period);
		if (rel == NODE_HISTORY_NONE)
			continue;
		if (n == cap) {
			size_t nc = cap == 0 ? 8 : 2 * cap;
			struct row *nr = realloc(rows, nc * sizeof(*nr));

			if (nr == NULL)
				break;
			rows = nr;
			cap = nc;
		}
		rows[n].id = sqlite3_column_int64(st, 0);
		snprintf(rows[n].period, sizeof(rows[n].period), "%s", p);
		rows[n].rel = rel;
		rows[n].json = strdup(js);
		if (rows[n].json == NULL)
			break;
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rows_free(rows, n);
		if (rc == SQLITE_ROW)
			return hfail(errbuf, errlen, NODE_ERR_NOMEM,
			             "out of memory");
		return hfail(errbuf, errlen, node_db_status(rc),
		             "read the published summaries: %s",
		             sqlite3_errmsg(db));
	}
	*ret = rows;
	*ret_n = n;
	return NODE_OK;
}

enum node_status
node_history_load(sqlite3 *db, const char *region, const char *period,
                  struct node_history *ret, char *errbuf, size_t errlen)
{
	struct row *rows = NULL;
	size_t n = 0;
	enum node_status s;
	int ex;

	if (db == NULL || region == NULL || ret == NULL)
		return hfail(errbuf, errlen, NODE_ERR_INVALID,
		             "history: a database, region and result are "
		             "needed");
	memset(ret, 0, sizeof(*ret));
	if (node_history_relation(period, period) != NODE_HISTORY_SAME)
		return hfail(errbuf, errlen, NODE_ERR_INVALID,
		             "history: '%.20s' is not a year, quarter or "
		             "month",
		             period != NULL ? period : "");
	ex = table_exists(db);
	if (ex < 0)
		return hfail(
		    errbuf, errlen, node_db_status(sqlite3_errcode(db)),
		    "read the published summaries: %s", sqlite3_errmsg(db));
	if (ex == 0)
		return NODE_OK;
	s = read_rows(db, region, period, &rows, &n, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	for (size_t i = 0; i < n && s == NODE_OK; i++) {
		struct node_history_entry *e;
		json_error_t jerr;
		json_t *j;

		if (rows[i].rel != NODE_HISTORY_SAME &&
		    !newest_of_period(rows, n, i))
			continue;
		if (rows[i].rel == NODE_HISTORY_PART &&
		    inside_other_part(rows, n, i))
			continue;
		if (ret->n == NODE_HISTORY_MAX) {
			s = hfail(errbuf, errlen, NODE_ERR_INVALID,
			          "more than %d earlier publications of this "
			          "region relate to %s; they cannot all be "
			          "checked",
			          NODE_HISTORY_MAX, period);
			break;
		}
		e = &ret->e[ret->n];
		j = json_loads(rows[i].json, 0, &jerr);
		if (j == NULL) {
			s = hfail(errbuf, errlen, NODE_ERR_DB,
			          "published summary %lld is not JSON",
			          (long long)rows[i].id);
			break;
		}
		s = node_stats_summary_from_json(j, &e->pub, errbuf, errlen);
		json_decref(j);
		if (s != NODE_OK)
			break;
		e->relation = rows[i].rel;
		e->id = rows[i].id;
		ret->n++;
	}
	rows_free(rows, n);
	if (s != NODE_OK)
		memset(ret, 0, sizeof(*ret));
	return s;
}

enum node_status
node_history_suppress(sqlite3 *db, const char *region,
                      const struct node_stats_summary *raw, uint32_t threshold,
                      struct node_stats_summary *ret, size_t *n_earlier,
                      char *errbuf, size_t errlen)
{
	struct node_history *h;
	enum node_status s;

	if (raw == NULL || ret == NULL)
		return hfail(errbuf, errlen, NODE_ERR_INVALID,
		             "no figures given");
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return hfail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	s = node_history_load(db, region, raw->period, h, errbuf, errlen);
	if (s == NODE_OK)
		s = node_stats_suppress_history(raw, threshold, h, ret, errbuf,
		                                errlen);
	if (n_earlier != NULL)
		*n_earlier = h->n;
	free(h);
	return s;
}
