/*
 * node_summary: build, send, store and compare learning summaries. See
 * node_summary.h.
 */
#include "node_summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"
#include "node_history.h"
#include "node_register.h"
#include "internal/guard_private.h"
#include "privacy_scrub.h"

static const char *const steps[] = {
	"CREATE TABLE learning_summary("
	" id INTEGER PRIMARY KEY,"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" inbox_id INTEGER NOT NULL DEFAULT 0,"
	" own INTEGER NOT NULL CHECK (own IN (0, 1)),"
	" region TEXT NOT NULL,"
	" period TEXT NOT NULL,"
	" threshold INTEGER NOT NULL,"
	" summary TEXT NOT NULL,"
	" lessons TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL);"
	"CREATE INDEX learning_summary_by_period ON"
	" learning_summary(period, region);"
	"CREATE TRIGGER learning_summary_no_update BEFORE UPDATE ON"
	" learning_summary BEGIN SELECT RAISE(ABORT,"
	" 'learning summaries are never changed'); END;",
};

/* Headline cells, lists of cells, and the lessons, all owned here. */
#define LIST_CELLS (4 * NODE_STATS_LIST_MAX)
struct node_summary_draft {
	struct guard_draft guard; /* first: what the outbox accepts */
	Retfed__V1__Body body;
	Retfed__V1__LearningSummary ls;
	Retfed__V1__Cell head[7];
	Retfed__V1__Cell cells[LIST_CELLS];
	Retfed__V1__Cell *ptrs[LIST_CELLS];
	char *lessons[NODE_SUMMARY_MAX_LESSONS];
	struct node_stats_summary pub; /* the suppressed figures */
};

static enum node_status
fail(char *errbuf, size_t errlen, enum node_status s, const char *msg)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s", msg);
	return s;
}

static enum node_status
db_fail(sqlite3 *db, char *errbuf, size_t errlen, const char *what)
{
	if (errbuf != NULL && errlen > 0)
		snprintf(errbuf, errlen, "%s: %s", what, sqlite3_errmsg(db));
	return node_db_status(sqlite3_errcode(db));
}

static enum node_status
err_set(struct node_summary_error *err, enum node_status s, const char *msg)
{
	if (err != NULL) {
		err->status = s;
		snprintf(err->detail, sizeof(err->detail), "%s", msg);
	}
	return s;
}

enum node_status
node_summary_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	return node_db_migrate(db, NODE_SUMMARY_COMPONENT, steps,
			       sizeof(steps) / sizeof(steps[0]), errbuf, errlen);
}

void
node_summary_destroy(struct node_summary_draft **dp)
{
	struct node_summary_draft *d;

	if (dp == NULL || *dp == NULL)
		return;
	d = *dp;
	for (size_t i = 0; i < NODE_SUMMARY_MAX_LESSONS; i++)
		free(d->lessons[i]);
	free(d);
	*dp = NULL;
}

const Retfed__V1__Body *
node_summary_body(const struct node_summary_draft *d)
{
	return d != NULL ? &d->body : NULL;
}

const struct guard_draft *
node_summary_guarded(const struct node_summary_draft *d)
{
	return d != NULL ? &d->guard : NULL;
}

/* A wire cell from a published cell: a hidden one travels without count. */
static void
cell_to_wire(Retfed__V1__Cell *w, const struct node_stats_cell *c,
	     const char *key)
{
	retfed__v1__cell__init(w);
	w->key = (char *)(uintptr_t)(key != NULL ? key : c->key);
	if (c->hidden != NODE_STATS_SHOWN) {
		w->suppressed = 1;
		w->count = 0;
	} else {
		w->count = c->count;
	}
}

/* Put list l into the draft's cells from *used on; returns the pointers. */
static Retfed__V1__Cell **
list_to_wire(struct node_summary_draft *d, const struct node_stats_list *l,
	     size_t *used, size_t *ret_n)
{
	Retfed__V1__Cell **first = &d->ptrs[*used];
	size_t n = 0;

	for (size_t i = 0; i < l->n && *used < LIST_CELLS; i++) {
		cell_to_wire(&d->cells[*used], &l->cell[i], NULL);
		d->ptrs[*used] = &d->cells[*used];
		(*used)++;
		n++;
	}
	*ret_n = n;
	return n > 0 ? first : NULL;
}

/* The recorded names of the register in lists of at most 64 names. */
struct name_batches {
	size_t n;
	struct scrub_names **b;
};

static void
batches_free(struct name_batches *nb)
{
	for (size_t i = 0; i < nb->n; i++)
		scrub_names_destroy(&nb->b[i]);
	free(nb->b);
	memset(nb, 0, sizeof(*nb));
}

/* Add one recorded name to the last batch, opening a new one when full. */
struct names_ctx {
	struct name_batches *nb;
	int nomem;
};

static int
add_name(const char *name, void *ctx)
{
	struct names_ctx *c = ctx;
	struct name_batches *nb = c->nb;
	struct scrub_names *cur = nb->n > 0 ? nb->b[nb->n - 1] : NULL;

	if (cur == NULL || scrub_names_count(cur) >= SCRUB_MAX_NAMES) {
		struct scrub_names **nbb =
			realloc(nb->b, (nb->n + 1) * sizeof(*nb->b));
		if (nbb == NULL || (nbb[nb->n] = scrub_names_new()) == NULL) {
			if (nbb != NULL)
				nb->b = nbb;
			c->nomem = 1;
			return -1;
		}
		nb->b = nbb;
		cur = nb->b[nb->n++];
	}
	/* A name the scrubber cannot take (no letter, too long) is left out. */
	if (scrub_names_add(cur, name) != 0)
		return 0;
	return 0;
}

/*
 * Read the names of every person in the register into batches for the
 * scrubber, through the register, which audits that they were read (the
 * count only).
 */
static enum node_status
read_names(sqlite3 *db, const char *user, struct name_batches *nb,
	   char *errbuf, size_t errlen)
{
	struct names_ctx c = {nb, 0};
	enum node_status s;

	memset(nb, 0, sizeof(*nb));
	s = node_register_names(db, user, "summary.read_names_for_scrub",
				add_name, &c, errbuf, errlen);
	if (s != NODE_OK || c.nomem) {
		batches_free(nb);
		return s != NODE_OK ? s
				    : fail(errbuf, errlen, NODE_ERR_NOMEM,
					   "out of memory");
	}
	return NODE_OK;
}

/* Scrub text with every batch of names in turn; 0, or -1 (rep says why). */
static int
scrub_all(const char *text, size_t len, const struct name_batches *nb,
	  char **ret, struct scrub_report *rep)
{
	char *cur = NULL;
	size_t i = 0;

	do {
		const char *in = cur != NULL ? cur : text;
		char *out = NULL;

		memset(rep, 0, sizeof(*rep));
		if (privacy_scrub(in, cur != NULL ? strlen(cur) : len,
				  nb->n > 0 ? nb->b[i] : NULL, &out, rep) != 0) {
			free(cur);
			return -1;
		}
		free(cur);
		cur = out;
	} while (++i < nb->n);
	*ret = cur;
	return 0;
}

static enum node_status
scrub_lessons(struct node_summary_draft *d, const struct name_batches *nb,
	      const char *const *lessons, size_t n,
	      struct node_summary_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct scrub_report rep;
		size_t len = lessons[i] != NULL ? strlen(lessons[i]) : 0;
		char *out = NULL;

		if (err != NULL)
			err->lesson = (unsigned)i + 1;
		if (len == 0 || len > NODE_SUMMARY_LESSON_MAX)
			return err_set(err, NODE_ERR_INVALID,
				       "a lesson must be 1..500 bytes long");
		if (scrub_all(lessons[i], len, nb, &out, &rep) != 0) {
			if (err != NULL) {
				err->offset = rep.offset;
				snprintf(err->detail, sizeof(err->detail),
					 "the scrubber refused the lesson at "
					 "byte %zu: %s; rewrite it",
					 rep.offset,
					 scrub_refusal_message(rep.refusal));
				err->status = NODE_ERR_INVALID;
			}
			return NODE_ERR_INVALID;
		}
		if (strlen(out) > NODE_SUMMARY_LESSON_MAX) {
			free(out);
			return err_set(err, NODE_ERR_INVALID,
				       "a scrubbed lesson is longer than 500 "
				       "bytes; shorten it");
		}
		d->lessons[i] = out;
	}
	if (err != NULL)
		err->lesson = 0;
	return NODE_OK;
}

static enum node_status summary_record(sqlite3 *db, const char *user,
				       const struct guard_draft *g,
				       const uint8_t msgid[MSGID_LEN],
				       char *errbuf, size_t errlen);

enum node_status
node_summary_build(sqlite3 *db, const char *user, const char *region,
		   const char *period, uint32_t threshold,
		   const char *const *lessons, size_t n_lessons,
		   struct node_summary_draft **ret,
		   struct node_summary_error *err)
{
	struct node_summary_draft *d;
	struct node_stats *raw;
	enum node_status s;
	char buf[256] = "";
	size_t used = 0, n_earlier = 0;

	if (err != NULL)
		memset(err, 0, sizeof(*err));
	if (region == NULL)
		return err_set(err, NODE_ERR_INVALID,
			       "the region's party id is required");
	if (n_lessons > NODE_SUMMARY_MAX_LESSONS)
		return err_set(err, NODE_ERR_INVALID,
			       "a learning summary holds at most 10 lessons");
	if (threshold < 3 || threshold > 100)
		return err_set(err, NODE_ERR_INVALID,
			       "the small-cell threshold must be 3..100");
	d = calloc(1, sizeof(*d));
	raw = calloc(1, sizeof(*raw));
	if (d == NULL || raw == NULL) {
		free(raw);
		node_summary_destroy(&d);
		return err_set(err, NODE_ERR_NOMEM, "out of memory");
	}
	d->guard.body = &d->body;
	d->guard.record = summary_record;
	s = node_stats_compute(db, user, region, period, raw, buf, sizeof(buf));
	/* Held to what this region published before (node_history), so no
	 * difference with an earlier summary reveals a hidden cell. */
	if (s == NODE_OK)
		s = node_history_suppress(db, region, &raw->cur, threshold,
					  &d->pub, &n_earlier, buf,
					  sizeof(buf));
	memset(raw, 0, sizeof(*raw));
	free(raw);
	if (s == NODE_ERR_INVALID && n_earlier > 0) {
		char nl[sizeof(err->detail)];

		snprintf(nl, sizeof(nl), "%s (%s)", NODE_HISTORY_REFUSAL_NL,
			 buf);
		node_summary_destroy(&d);
		return err_set(err, s, nl);
	}
	if (s != NODE_OK) {
		node_summary_destroy(&d);
		return err_set(err, s, buf);
	}
	if (n_lessons > 0) {
		struct name_batches nb;

		s = read_names(db, user, &nb, buf, sizeof(buf));
		if (s != NODE_OK) {
			node_summary_destroy(&d);
			return err_set(err, s, buf);
		}
		s = scrub_lessons(d, &nb, lessons, n_lessons, err);
		batches_free(&nb);
		if (s != NODE_OK) {
			node_summary_destroy(&d);
			return s;
		}
	}
	retfed__v1__body__init(&d->body);
	retfed__v1__learning_summary__init(&d->ls);
	d->body.kind = RETFED__V1__KIND__KIND_LEARNING_SUMMARY;
	d->body.payload_case = RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY;
	d->body.learning_summary = &d->ls;
	d->ls.period = d->pub.period;
	d->ls.threshold = d->pub.threshold;
	cell_to_wire(&d->head[0], &d->pub.registrations, "registrations");
	cell_to_wire(&d->head[1], &d->pub.discussed, "discussed");
	cell_to_wire(&d->head[2], &d->pub.cancelled, "cancelled");
	cell_to_wire(&d->head[3], &d->pub.referred, "referred");
	cell_to_wire(&d->head[4], &d->pub.consultations, "consultations");
	d->ls.registrations = &d->head[0];
	d->ls.discussed = &d->head[1];
	d->ls.cancelled = &d->head[2];
	d->ls.referred = &d->head[3];
	d->ls.consultations = &d->head[4];
	d->ls.by_registrant = list_to_wire(d, &d->pub.by_registrant, &used,
					   &d->ls.n_by_registrant);
	d->ls.by_question_type = list_to_wire(d, &d->pub.by_question_type,
					      &used, &d->ls.n_by_question_type);
	d->ls.by_outcome = list_to_wire(d, &d->pub.by_outcome, &used,
					&d->ls.n_by_outcome);
	d->ls.bottleneck_themes = list_to_wire(d, &d->pub.themes, &used,
					       &d->ls.n_bottleneck_themes);
	if (d->pub.has_median_to_overleg) {
		cell_to_wire(&d->head[5], &d->pub.median_days_to_overleg,
			     "median_days_to_overleg");
		d->ls.median_days_to_overleg = &d->head[5];
	}
	if (d->pub.has_median_to_close) {
		cell_to_wire(&d->head[6], &d->pub.median_days_to_close,
			     "median_days_to_close");
		d->ls.median_days_to_close = &d->head[6];
	}
	d->ls.n_lessons = n_lessons;
	d->ls.lessons = n_lessons > 0 ? d->lessons : NULL;
	*ret = d;
	return NODE_OK;
}

static void
cell_from_wire(struct node_stats_cell *c, const Retfed__V1__Cell *w,
	       const char *key)
{
	memset(c, 0, sizeof(*c));
	if (w == NULL) {
		snprintf(c->key, sizeof(c->key), "%s", key);
		c->hidden = NODE_STATS_HIDDEN;
		return;
	}
	snprintf(c->key, sizeof(c->key), "%s", key != NULL ? key : w->key);
	if (w->suppressed)
		c->hidden = NODE_STATS_HIDDEN;
	else
		c->count = w->count;
}

static void
list_from_wire(struct node_stats_list *l, Retfed__V1__Cell *const *cells,
	       size_t n)
{
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < n && i < NODE_STATS_LIST_MAX; i++)
		cell_from_wire(&l->cell[l->n++], cells[i], NULL);
}

void
node_summary_from_wire(const Retfed__V1__LearningSummary *ls,
		       const char *region, struct node_stats_summary *ret)
{
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->region, sizeof(ret->region), "%s",
		 region != NULL ? region : "");
	snprintf(ret->period, sizeof(ret->period), "%s", ls->period);
	ret->threshold = ls->threshold;
	cell_from_wire(&ret->registrations, ls->registrations, "registrations");
	cell_from_wire(&ret->discussed, ls->discussed, "discussed");
	cell_from_wire(&ret->cancelled, ls->cancelled, "cancelled");
	cell_from_wire(&ret->referred, ls->referred, "referred");
	cell_from_wire(&ret->consultations, ls->consultations,
		       "consultations");
	list_from_wire(&ret->by_registrant, ls->by_registrant,
		       ls->n_by_registrant);
	list_from_wire(&ret->by_question_type, ls->by_question_type,
		       ls->n_by_question_type);
	list_from_wire(&ret->by_outcome, ls->by_outcome, ls->n_by_outcome);
	list_from_wire(&ret->themes, ls->bottleneck_themes,
		       ls->n_bottleneck_themes);
	/* The wire does not carry how many cases a median rests on. */
	cell_from_wire(&ret->n_to_overleg, NULL, "n_to_overleg");
	cell_from_wire(&ret->n_to_close, NULL, "n_to_close");
	ret->has_median_to_overleg = ls->median_days_to_overleg != NULL;
	ret->has_median_to_close = ls->median_days_to_close != NULL;
	cell_from_wire(&ret->median_days_to_overleg, ls->median_days_to_overleg,
		       "median_days_to_overleg");
	cell_from_wire(&ret->median_days_to_close, ls->median_days_to_close,
		       "median_days_to_close");
}

/* Store one summary (inside the caller's transaction); 0 or -1. */
static int
store(sqlite3 *db, const uint8_t msgid[MSGID_LEN], int64_t inbox_id, int own,
      const struct node_stats_summary *sum, char *const *lessons,
      size_t n_lessons)
{
	json_t *j = node_stats_summary_json(sum), *l = json_array();
	char *js = NULL, *ls = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	for (size_t i = 0; l != NULL && i < n_lessons; i++)
		json_array_append_new(l, json_string(lessons[i]));
	if (j != NULL && l != NULL) {
		js = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		ls = json_dumps(l, JSON_COMPACT);
	}
	json_decref(j);
	json_decref(l);
	if (js == NULL || ls == NULL)
		goto out;
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO learning_summary(message_id, inbox_id, own,"
		    " region, period, threshold, summary, lessons, received_ms)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, inbox_id);
	sqlite3_bind_int(st, 3, own);
	sqlite3_bind_text(st, 4, sum->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sum->period, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, (int)sum->threshold);
	sqlite3_bind_text(st, 7, js, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, ls, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)msgid_now_ms());
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
out:
	free(js);
	free(ls);
	return ok ? 0 : -1;
}

enum node_status
node_summary_store_received(sqlite3 *db, const Retfed__V1__Body *b,
			    int64_t inbox_id, char *errbuf, size_t errlen)
{
	struct node_stats_summary *sum;
	int rc;

	if (b == NULL ||
	    b->payload_case != RETFED__V1__BODY__PAYLOAD_LEARNING_SUMMARY ||
	    b->message_id.len != MSGID_LEN)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
			    "not a learning summary");
	sum = calloc(1, sizeof(*sum));
	if (sum == NULL)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	node_summary_from_wire(b->learning_summary, b->sender, sum);
	rc = store(db, b->message_id.data, inbox_id, 0, sum,
		   b->learning_summary->lessons,
		   b->learning_summary->n_lessons);
	free(sum);
	if (rc != 0)
		return db_fail(db, errbuf, errlen,
			       "store the learning summary");
	return NODE_OK;
}

/*
 * The region's own copy of a summary it sends, with its audit row, inside
 * node_outbox_queue's transaction.
 */
static enum node_status
summary_record(sqlite3 *db, const char *user, const struct guard_draft *g,
	       const uint8_t msgid[MSGID_LEN], char *errbuf, size_t errlen)
{
	/* guard is the first member: g is the draft itself. */
	const struct node_summary_draft *d =
		(const struct node_summary_draft *)g;
	char hex[MSGID_HEX_LEN], detail[96];

	if (store(db, msgid, 0, 1, &d->pub, d->ls.lessons, d->ls.n_lessons) !=
	    0)
		return db_fail(db, errbuf, errlen,
			       "store the own learning summary");
	msgid_to_hex(msgid, hex);
	snprintf(detail, sizeof(detail), "message=%s period=%s", hex,
		 d->pub.period);
	return node_audit_append(db, user, "summary.sent", 0, detail, errbuf,
				 errlen);
}

enum node_status
node_summary_compare(sqlite3 *db, const char *period, json_t **ret,
		     char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	/* The newest summary of each region and period. */
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT s.summary, s.lessons, s.own, s.received_ms"
		    " FROM learning_summary s"
		    " WHERE (?1 IS NULL OR s.period = ?1)"
		    " AND s.id = (SELECT max(t.id) FROM learning_summary t"
		    " WHERE t.region = s.region AND t.period = s.period)"
		    " ORDER BY s.period, s.region",
		    -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "read the learning summaries");
	}
	if (period != NULL)
		sqlite3_bind_text(st, 1, period, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *j = json_loads((const char *)sqlite3_column_text(st, 0),
				       0, NULL);
		json_t *l = json_loads((const char *)sqlite3_column_text(st, 1),
				       0, NULL);

		if (j == NULL || l == NULL) {
			json_decref(j);
			json_decref(l);
			sqlite3_finalize(st);
			json_decref(arr);
			return fail(errbuf, errlen, NODE_ERR_DB,
				    "a stored learning summary is not JSON");
		}
		json_object_set_new(j, "lessons", l);
		json_object_set_new(j, "own",
				    json_boolean(sqlite3_column_int(st, 2)));
		json_object_set_new(j, "received_ms",
				    json_integer(sqlite3_column_int64(st, 3)));
		if (json_array_append_new(arr, j) != 0) {
			sqlite3_finalize(st);
			json_decref(arr);
			return fail(errbuf, errlen, NODE_ERR_NOMEM,
				    "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "read the learning summaries");
	}
	*ret = arr;
	return NODE_OK;
}
