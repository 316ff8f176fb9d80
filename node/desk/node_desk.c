/*
 * node_desk: the coordinator desk's queue of received requests and the
 * decisions sent on them. See node_desk.h.
 */
#include "node_desk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"

static const char *const steps[] = {
	"CREATE TABLE desk_thread("
	" id INTEGER PRIMARY KEY,"
	" thread_id BLOB NOT NULL UNIQUE CHECK (length(thread_id) = 16),"
	" request_id BLOB NOT NULL CHECK (length(request_id) = 16),"
	" region TEXT NOT NULL,"
	" case_ref TEXT NOT NULL,"
	" kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
	" urgency INTEGER NOT NULL,"
	" age_band INTEGER NOT NULL,"
	" problem_areas TEXT NOT NULL,"
	" support_asked TEXT NOT NULL,"
	" expected_weeks INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" updated_ms INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'nieuw',"
	" decided_ms INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX desk_thread_by_region ON desk_thread(region);"
	"CREATE TABLE desk_message("
	" id INTEGER PRIMARY KEY,"
	" thread INTEGER NOT NULL REFERENCES desk_thread(id),"
	" inbox_id INTEGER NOT NULL,"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" kind INTEGER NOT NULL,"
	" received_ms INTEGER NOT NULL,"
	" why_stuck TEXT NOT NULL,"
	" what_was_tried TEXT NOT NULL,"
	" answer TEXT NOT NULL);"
	"CREATE INDEX desk_message_by_thread ON desk_message(thread);"
	"CREATE TABLE desk_decision("
	" id INTEGER PRIMARY KEY,"
	" thread INTEGER NOT NULL REFERENCES desk_thread(id),"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" status TEXT NOT NULL,"
	" assignment_kind TEXT NOT NULL,"
	" assigned TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" question TEXT NOT NULL,"
	" note TEXT NOT NULL,"
	" decided_ms INTEGER NOT NULL,"
	" decided_by TEXT NOT NULL);"
	"CREATE INDEX desk_decision_by_thread ON desk_decision(thread);",
	/* 2: whether the region wrote after the last decision, kept as a
	   flag: a millisecond clock cannot tell two events apart. */
	"ALTER TABLE desk_thread ADD COLUMN answered INTEGER NOT NULL"
	" DEFAULT 0;",
};

static const char *const status_names[] = {
	NULL,	     "ontvangen", "in-behandeling", "toegekend",
	"afgewezen", "meer-info", "gesloten",
};

static const char *const assignment_names[] = {
	NULL, "procesversneller", "expertise", "geld", "plaatsing",
};


static const char *const area_names[] = {
	NULL,	      "gedrag",	   "psychiatrie", "verslaving", "lvb",
	"gezin",      "onderwijs", "veiligheid",  "wonen",	    "financien",
	"somatiek",   "justitie",  "other",
};
static const char *const support_names[] = {
	NULL, "expertise", "procesregie", "geld", "plaatsing", "procesversneller",
};
static const char *const urgency_names[] = {NULL, "normaal", "hoog", "crisis"};
static const char *const band_names[] = {
	NULL,	 "0-3",	  "4-7",   "8-11",  "12-15", "16-17",
	"18-22", "23-29", "30-49", "50-64", "65-79", "80+",
};

static const char *const *
vocab_table(enum node_desk_vocab v, int *ret_n)
{
	switch (v) {
	case NODE_DESK_AREA:
		*ret_n = 13;
		return area_names;
	case NODE_DESK_SUPPORT:
		*ret_n = 6;
		return support_names;
	case NODE_DESK_URGENCY:
		*ret_n = 4;
		return urgency_names;
	case NODE_DESK_AGE_BAND:
		*ret_n = 12;
		return band_names;
	}
	*ret_n = 0;
	return NULL;
}

const char *
node_desk_vocab_name(enum node_desk_vocab v, int value)
{
	int n;
	const char *const *t = vocab_table(v, &n);

	if (t == NULL || value < 1 || value >= n)
		return NULL;
	return t[value];
}

int
node_desk_vocab_parse(enum node_desk_vocab v, const char *name)
{
	int n;
	const char *const *t = vocab_table(v, &n);

	for (int i = 1; t != NULL && name != NULL && i < n; i++)
		if (strcmp(name, t[i]) == 0)
			return i;
	return 0;
}

void
node_desk_vocab_join(enum node_desk_vocab v, const int *values, size_t n,
		     char *out, size_t outlen)
{
	size_t used = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *name = node_desk_vocab_name(v, values[i]);
		int w;

		if (name == NULL)
			continue;
		w = snprintf(out + used, outlen - used, "%s%s",
			     used > 0 ? "," : "", name);
		if (w < 0 || (size_t)w >= outlen - used)
			break;
		used += (size_t)w;
	}
}

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

enum node_status
node_desk_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	return node_db_migrate(db, NODE_DESK_COMPONENT, steps,
			       sizeof(steps) / sizeof(steps[0]), errbuf, errlen);
}

const char *
node_desk_status_name(int status)
{
	if (status < 1 || status > 6)
		return NULL;
	return status_names[status];
}

int
node_desk_status_parse(const char *name)
{
	for (int i = 1; name != NULL && i <= 6; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return 0;
}

const char *
node_desk_assignment_name(int kind)
{
	if (kind < 1 || kind > 4)
		return NULL;
	return assignment_names[kind];
}

int
node_desk_assignment_parse(const char *name)
{
	for (int i = 1; name != NULL && i <= 4; i++)
		if (strcmp(name, assignment_names[i]) == 0)
			return i;
	return 0;
}

/* The queue row id of the thread holding message msgid, or 0; -1: error. */
static int64_t
thread_of_message(sqlite3 *db, const uint8_t msgid[MSGID_LEN])
{
	static const char *const sql[] = {
		"SELECT id FROM desk_thread WHERE thread_id = ?1",
		"SELECT thread FROM desk_message WHERE message_id = ?1",
		"SELECT thread FROM desk_decision WHERE message_id = ?1",
	};
	int64_t id = 0;

	for (size_t i = 0; i < 3 && id == 0; i++) {
		sqlite3_stmt *st = NULL;
		int rc;

		if (sqlite3_prepare_v2(db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		else if (rc != SQLITE_DONE)
			id = -1;
		sqlite3_finalize(st);
	}
	return id;
}

/* The facts of one request, whichever kind it is. */
struct request_facts {
	const char *case_ref;
	int kind, urgency, age_band;
	unsigned expected_weeks;
	const uint8_t *thread_id; /* NULL: a new thread */
	const char *why_stuck, *what_was_tried, *answer;
	char areas[256], support[128];
};

static void
facts_of(const Retfed__V1__Body *b, struct request_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->kind = (int)b->kind;
	f->answer = "";
	f->what_was_tried = "";
	if (b->payload_case == RETFED__V1__BODY__PAYLOAD_ESCALATION) {
		const Retfed__V1__Escalation *e = b->escalation;
		int areas[12], support[5];
		size_t na = e->n_problem_areas < 12 ? e->n_problem_areas : 12;
		size_t ns = e->n_support_asked < 5 ? e->n_support_asked : 5;

		for (size_t i = 0; i < na; i++)
			areas[i] = (int)e->problem_areas[i];
		for (size_t i = 0; i < ns; i++)
			support[i] = (int)e->support_asked[i];
		f->case_ref = e->case_ref;
		f->urgency = (int)e->urgency;
		f->age_band = (int)e->age_band;
		f->why_stuck = e->why_stuck;
		f->what_was_tried = e->what_was_tried;
		f->answer = e->answer;
		if (e->thread_id.len == MSGID_LEN)
			f->thread_id = e->thread_id.data;
		node_desk_vocab_join(NODE_DESK_AREA, areas, na, f->areas,
				     sizeof(f->areas));
		node_desk_vocab_join(NODE_DESK_SUPPORT, support, ns,
				     f->support, sizeof(f->support));
	} else {
		const Retfed__V1__ProcesversnellerRequest *p = b->procesversneller;

		f->case_ref = p->case_ref;
		f->urgency = (int)p->urgency;
		f->age_band = (int)p->age_band;
		f->why_stuck = p->stagnation_reason;
		f->expected_weeks = p->expected_weeks;
		snprintf(f->support, sizeof(f->support), "procesversneller");
	}
}

/* Check an update against the thread it names; 0 ok, 1 reject, -1 error. */
static int
check_update(sqlite3 *db, int64_t thread, const Retfed__V1__Body *b,
	     const struct request_facts *f, char *why, size_t whylen)
{
	sqlite3_stmt *st = NULL;
	int rc, out = 0;

	if (sqlite3_prepare_v2(db,
			       "SELECT region, case_ref FROM desk_thread"
			       " WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, thread);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return -1;
	}
	if (strcmp((const char *)sqlite3_column_text(st, 0), b->sender) != 0) {
		snprintf(why, whylen,
			 "the escalation updates a thread of another region");
		out = 1;
	} else if (strcmp((const char *)sqlite3_column_text(st, 1),
			  f->case_ref) != 0) {
		snprintf(why, whylen,
			 "the escalation updates a thread about another case "
			 "reference");
		out = 1;
	}
	sqlite3_finalize(st);
	return out;
}

static int64_t
insert_thread(sqlite3 *db, const Retfed__V1__Body *b,
	      const struct request_facts *f, uint64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int64_t id = -1;
	const uint8_t *tid = f->thread_id != NULL ? f->thread_id
						  : b->message_id.data;

	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO desk_thread(thread_id, request_id, region,"
		    " case_ref, kind, urgency, age_band, problem_areas,"
		    " support_asked, expected_weeks, received_ms, updated_ms)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, tid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, b->message_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->sender, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->case_ref, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->kind);
	sqlite3_bind_int(st, 6, f->urgency);
	sqlite3_bind_int(st, 7, f->age_band);
	sqlite3_bind_text(st, 8, f->areas, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, f->support, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, (int)f->expected_weeks);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)now_ms);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
	sqlite3_finalize(st);
	return id;
}

/* An update: the latest urgency, areas and support replace the old ones. */
static int
update_thread(sqlite3 *db, int64_t thread, const struct request_facts *f,
	      uint64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int ok;

	if (sqlite3_prepare_v2(db,
			       "UPDATE desk_thread SET urgency = ?2,"
			       " problem_areas = ?3, support_asked = ?4,"
			       " age_band = CASE ?5 WHEN 0 THEN age_band"
			       " ELSE ?5 END, updated_ms = ?6,"
			       " answered = (decided_ms > 0) WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, thread);
	sqlite3_bind_int(st, 2, f->urgency);
	sqlite3_bind_text(st, 3, f->areas, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->support, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->age_band);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)now_ms);
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

static int
insert_message(sqlite3 *db, int64_t thread, int64_t inbox_id,
	       const Retfed__V1__Body *b, const struct request_facts *f,
	       uint64_t now_ms)
{
	sqlite3_stmt *st = NULL;
	int ok;

	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO desk_message(thread, inbox_id, message_id,"
		    " kind, received_ms, why_stuck, what_was_tried, answer)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, thread);
	sqlite3_bind_int64(st, 2, inbox_id);
	sqlite3_bind_blob(st, 3, b->message_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, f->kind);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now_ms);
	sqlite3_bind_text(st, 6, f->why_stuck, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, f->what_was_tried, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, f->answer, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

enum node_inbox_apply
node_desk_apply(sqlite3 *db, const struct envelope *env, int64_t inbox_id,
		void *ctx, char *why, size_t whylen)
{
	const Retfed__V1__Body *b = env->body;
	struct request_facts f;
	uint64_t now_ms = msgid_now_ms();
	int64_t thread = 0;

	(void)ctx;
	if (b->payload_case != RETFED__V1__BODY__PAYLOAD_ESCALATION &&
	    b->payload_case != RETFED__V1__BODY__PAYLOAD_PROCESVERSNELLER) {
		snprintf(why, whylen,
			 "a desk queues only escalations and procesversneller "
			 "requests");
		return NODE_INBOX_APPLY_REJECT;
	}
	facts_of(b, &f);
	if (f.thread_id != NULL) {
		thread = thread_of_message(db, f.thread_id);
		if (thread < 0)
			goto db_error;
		if (thread > 0) {
			int rc = check_update(db, thread, b, &f, why, whylen);
			if (rc < 0)
				goto db_error;
			if (rc > 0)
				return NODE_INBOX_APPLY_REJECT;
			if (update_thread(db, thread, &f, now_ms) != 0)
				goto db_error;
		}
	}
	if (thread == 0) {
		/* A new thread; an update whose first message never arrived
		   here starts the thread under the id it names. */
		thread = insert_thread(db, b, &f, now_ms);
		if (thread < 0)
			goto db_error;
	}
	if (insert_message(db, thread, inbox_id, b, &f, now_ms) != 0)
		goto db_error;
	return NODE_INBOX_APPLY_OK;
db_error:
	snprintf(why, whylen, "desk queue: %s", sqlite3_errmsg(db));
	return NODE_INBOX_APPLY_RETRY;
}

/* The columns of a thread, in the order thread_json reads them. */
#define THREAD_COLUMNS                                                       \
	"t.id, t.thread_id, t.request_id, t.region, t.case_ref, t.kind,"     \
	" t.urgency, t.age_band, t.problem_areas, t.support_asked,"          \
	" t.expected_weeks, t.received_ms, t.updated_ms, t.status,"          \
	" t.decided_ms, (SELECT count(*) FROM desk_message m"                \
	" WHERE m.thread = t.id), t.answered"

static json_t *
hex_json(sqlite3_stmt *st, int col)
{
	char hex[MSGID_HEX_LEN];

	if (sqlite3_column_bytes(st, col) != MSGID_LEN)
		return json_null();
	msgid_to_hex(sqlite3_column_blob(st, col), hex);
	return json_string(hex);
}

static json_t *
list_json(const char *csv)
{
	json_t *a = json_array();
	const char *p = csv;

	while (a != NULL && p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		if (n > 0)
			json_array_append_new(a, json_stringn(p, n));
		p += n;
		if (*p == ',')
			p++;
	}
	return a;
}

static json_t *
thread_json(sqlite3_stmt *st, uint64_t now_ms)
{
	uint64_t received = (uint64_t)sqlite3_column_int64(st, 11);
	uint64_t updated = (uint64_t)sqlite3_column_int64(st, 12);
	uint64_t decided = (uint64_t)sqlite3_column_int64(st, 14);
	const char *urg = node_desk_vocab_name(NODE_DESK_URGENCY,
					       sqlite3_column_int(st, 6));
	const char *band = node_desk_vocab_name(NODE_DESK_AGE_BAND,
						sqlite3_column_int(st, 7));
	json_t *j = json_object();

	if (j == NULL)
		return NULL;
	json_object_set_new(j, "thread_id", hex_json(st, 1));
	json_object_set_new(j, "request_id", hex_json(st, 2));
	json_object_set_new(j, "region",
			    json_string((const char *)sqlite3_column_text(st, 3)));
	json_object_set_new(j, "case_ref",
			    json_string((const char *)sqlite3_column_text(st, 4)));
	json_object_set_new(j, "kind",
			    json_string(sqlite3_column_int(st, 5) == 1
						? "escalation"
						: "procesversneller"));
	json_object_set_new(j, "urgency", urg ? json_string(urg) : json_null());
	json_object_set_new(j, "age_band",
			    band ? json_string(band) : json_null());
	json_object_set_new(j, "problem_areas",
			    list_json((const char *)sqlite3_column_text(st, 8)));
	json_object_set_new(j, "support_asked",
			    list_json((const char *)sqlite3_column_text(st, 9)));
	if (sqlite3_column_int(st, 10) > 0)
		json_object_set_new(j, "expected_weeks",
				    json_integer(sqlite3_column_int(st, 10)));
	json_object_set_new(j, "received_ms", json_integer((json_int_t)received));
	json_object_set_new(j, "updated_ms", json_integer((json_int_t)updated));
	json_object_set_new(j, "days_waiting",
			    json_integer(now_ms > received
						 ? (json_int_t)((now_ms - received) /
								86400000u)
						 : 0));
	json_object_set_new(j, "status",
			    json_string((const char *)sqlite3_column_text(st, 13)));
	json_object_set_new(j, "decided_ms", json_integer((json_int_t)decided));
	json_object_set_new(j, "messages",
			    json_integer(sqlite3_column_int(st, 15)));
	json_object_set_new(j, "answered",
			    json_boolean(sqlite3_column_int(st, 16) != 0));
	return j;
}

enum node_status
node_desk_list(sqlite3 *db, const struct node_desk_filter *filter,
	       json_t **ret, char *errbuf, size_t errlen)
{
	struct node_desk_filter none = {0};
	const struct node_desk_filter *fl = filter != NULL ? filter : &none;
	uint64_t now_ms = fl->now_ms != 0 ? fl->now_ms : msgid_now_ms();
	char region[80] = "";
	sqlite3_stmt *st = NULL;
	json_t *arr;
	int rc;

	if (fl->region != NULL && fl->region[0] != '\0')
		snprintf(region, sizeof(region), "%s%s",
			 strchr(fl->region, ':') ? "" : "region:", fl->region);
	if (fl->older_than_days < 0)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
			    "the number of days must not be negative");
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT " THREAD_COLUMNS " FROM desk_thread t"
		    " WHERE (?1 = '' OR t.region = ?1)"
		    " AND (?2 = 0 OR t.urgency = ?2)"
		    " AND (?3 = '' OR t.status = ?3)"
		    " AND (?4 = 0 OR t.received_ms <= ?5)"
		    " ORDER BY t.received_ms, t.id",
		    -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the desk queue");
	sqlite3_bind_text(st, 1, region, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, fl->urgency);
	sqlite3_bind_text(st, 3, fl->status != NULL ? fl->status : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(st, 4, fl->older_than_days);
	sqlite3_bind_int64(st, 5,
			   (sqlite3_int64)now_ms -
				   (sqlite3_int64)fl->older_than_days * 86400000);
	arr = json_array();
	if (arr == NULL) {
		sqlite3_finalize(st);
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *t = thread_json(st, now_ms);
		if (t == NULL || json_array_append_new(arr, t) != 0) {
			sqlite3_finalize(st);
			json_decref(arr);
			return fail(errbuf, errlen, NODE_ERR_NOMEM,
				    "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "read the desk queue");
	}
	*ret = arr;
	return NODE_OK;
}

static enum node_status
add_messages(sqlite3 *db, int64_t thread, json_t *j, char *errbuf,
	     size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL || json_object_set_new(j, "messages", arr) != 0)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
			       "SELECT message_id, kind, received_ms, why_stuck,"
			       " what_was_tried, answer FROM desk_message"
			       " WHERE thread = ? ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the desk messages");
	sqlite3_bind_int64(st, 1, thread);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int kind = sqlite3_column_int(st, 1);
		json_t *m = json_object();

		if (m == NULL)
			break;
		json_object_set_new(m, "message_id", hex_json(st, 0));
		json_object_set_new(m, "received_ms",
				    json_integer(sqlite3_column_int64(st, 2)));
		json_object_set_new(
			m, kind == 1 ? "why_stuck" : "stagnation_reason",
			json_string((const char *)sqlite3_column_text(st, 3)));
		if (kind == 1) {
			json_object_set_new(m, "what_was_tried",
					    json_string((const char *)
								sqlite3_column_text(st, 4)));
			json_object_set_new(m, "answer",
					    json_string((const char *)
								sqlite3_column_text(st, 5)));
		}
		json_array_append_new(arr, m);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW
			       ? fail(errbuf, errlen, NODE_ERR_NOMEM,
				      "out of memory")
			       : db_fail(db, errbuf, errlen,
					 "read the desk messages");
	return NODE_OK;
}

static enum node_status
add_decisions(sqlite3 *db, int64_t thread, json_t *j, char *errbuf,
	      size_t errlen)
{
	static const char *const names[] = {"status",	"assignment_kind",
					    "assigned", "reason",
					    "question", "note"};
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL || json_object_set_new(j, "decisions", arr) != 0)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
			       "SELECT message_id, status, assignment_kind,"
			       " assigned, reason, question, note, decided_ms,"
			       " decided_by FROM desk_decision WHERE thread = ?"
			       " ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the desk decisions");
	sqlite3_bind_int64(st, 1, thread);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *d = json_object();

		if (d == NULL)
			break;
		json_object_set_new(d, "message_id", hex_json(st, 0));
		for (int i = 0; i < 6; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i + 1);
			if (v != NULL && v[0] != '\0')
				json_object_set_new(d, names[i], json_string(v));
		}
		json_object_set_new(d, "decided_ms",
				    json_integer(sqlite3_column_int64(st, 7)));
		json_object_set_new(
			d, "decided_by",
			json_string((const char *)sqlite3_column_text(st, 8)));
		json_array_append_new(arr, d);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_ROW
			       ? fail(errbuf, errlen, NODE_ERR_NOMEM,
				      "out of memory")
			       : db_fail(db, errbuf, errlen,
					 "read the desk decisions");
	return NODE_OK;
}

enum node_status
node_desk_show(sqlite3 *db, const uint8_t msgid[MSGID_LEN], json_t **ret,
	       char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_status s;
	int64_t thread = thread_of_message(db, msgid);
	json_t *j = NULL;

	if (thread < 0)
		return db_fail(db, errbuf, errlen, "find the thread");
	if (thread == 0)
		return fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
			    "no request in the desk queue has this message id");
	if (sqlite3_prepare_v2(db,
			       "SELECT " THREAD_COLUMNS
			       " FROM desk_thread t WHERE t.id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the thread");
	sqlite3_bind_int64(st, 1, thread);
	if (sqlite3_step(st) == SQLITE_ROW)
		j = thread_json(st, msgid_now_ms());
	sqlite3_finalize(st);
	if (j == NULL)
		return db_fail(db, errbuf, errlen, "read the thread");
	s = add_messages(db, thread, j, errbuf, errlen);
	if (s == NODE_OK)
		s = add_decisions(db, thread, j, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(j);
		return s;
	}
	*ret = j;
	return NODE_OK;
}

enum node_status
node_desk_request(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
		  struct envelope **ret_env, int64_t *ret_thread,
		  char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct wire_error werr;
	enum node_status s = NODE_OK;
	int64_t thread = thread_of_message(db, msgid);
	int rc;

	if (thread < 0)
		return db_fail(db, errbuf, errlen, "find the thread");
	if (thread == 0)
		return fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
			    "no request in the desk queue has this message id");
	if (sqlite3_prepare_v2(db,
			       "SELECT i.envelope FROM desk_thread t"
			       " JOIN inbox i ON i.message_id = t.request_id"
			       " WHERE t.id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the request");
	sqlite3_bind_int64(st, 1, thread);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(&werr, 0, sizeof(werr));
		if (envelope_decode(sqlite3_column_blob(st, 0),
				    (size_t)sqlite3_column_bytes(st, 0), ret_env,
				    &werr) != WIRE_OK)
			s = fail(errbuf, errlen, NODE_ERR_DB,
				 "the stored request no longer decodes");
	} else if (rc == SQLITE_DONE) {
		s = fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
			 "the request of this thread is not in the inbox");
	} else {
		s = db_fail(db, errbuf, errlen, "read the request");
	}
	sqlite3_finalize(st);
	if (s == NODE_OK && ret_thread != NULL)
		*ret_thread = thread;
	return s;
}

static enum node_status
record_tx(sqlite3 *db, void *arg, char *errbuf, size_t errlen)
{
	const struct node_desk_decision *d = ((const void *const *)arg)[0];
	const char *user = ((const void *const *)arg)[1];
	const char *status = node_desk_status_name(d->status);
	const char *akind = node_desk_assignment_name(d->assignment_kind);
	const char *texts[4] = {d->assigned, d->reason, d->question, d->note};
	uint64_t now_ms = msgid_now_ms();
	char hex[MSGID_HEX_LEN], detail[128];
	sqlite3_stmt *st = NULL;
	int ok;

	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO desk_decision(thread, message_id, status,"
		    " assignment_kind, assigned, reason, question, note,"
		    " decided_ms, decided_by)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "record the decision");
	sqlite3_bind_int64(st, 1, d->thread);
	sqlite3_bind_blob(st, 2, d->message_id, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, akind != NULL ? akind : "", -1, SQLITE_STATIC);
	for (int i = 0; i < 4; i++)
		sqlite3_bind_text(st, 5 + i, texts[i] != NULL ? texts[i] : "",
				  -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)now_ms);
	sqlite3_bind_text(st, 10, user, -1, SQLITE_STATIC);
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!ok)
		return db_fail(db, errbuf, errlen, "record the decision");
	if (sqlite3_prepare_v2(db,
			       "UPDATE desk_thread SET status = ?2,"
			       " decided_ms = ?3, answered = 0 WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "update the thread");
	sqlite3_bind_int64(st, 1, d->thread);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now_ms);
	ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
	sqlite3_finalize(st);
	if (!ok)
		return fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
			    "the thread of the decision does not exist");
	msgid_to_hex(d->message_id, hex);
	snprintf(detail, sizeof(detail), "message=%s status=%s", hex, status);
	return node_audit_append(db, user, "desk.decision", 0, detail, errbuf,
				 errlen);
}

enum node_status
node_desk_record_decision(sqlite3 *db, const char *user,
			  const struct node_desk_decision *d, char *errbuf,
			  size_t errlen)
{
	const void *arg[2] = {d, user};

	if (d == NULL || user == NULL || node_desk_status_name(d->status) == NULL)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
			    "a decision needs a user and a known status");
	return node_db_transaction(db, record_tx, (void *)arg, errbuf, errlen);
}
