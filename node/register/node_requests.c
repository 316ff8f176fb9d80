/*
 * node_requests: the casus facts a builder may read and the table of sent
 * requests. See node_requests.h.
 */
#include "node_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"

static const char *const steps[] = {
    "CREATE TABLE sent_request("
    " id INTEGER PRIMARY KEY,"
    " message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
    " kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 6),"
    " casus_id INTEGER,"
    " case_ref TEXT NOT NULL DEFAULT '',"
    " recipient TEXT NOT NULL DEFAULT '',"
    " thread_id BLOB CHECK (thread_id IS NULL OR length(thread_id) = 16),"
    " sent_at TEXT NOT NULL,"
    " sent_by TEXT NOT NULL);"
    "CREATE INDEX sent_request_by_casus ON sent_request(casus_id);"
    "CREATE TRIGGER sent_request_no_update BEFORE UPDATE ON sent_request"
    " BEGIN SELECT RAISE(ABORT, 'sent requests are never changed'); END;",
};

/* The register's problem areas, in the order of retfed.v1.ProblemArea. */
static const char *const areas[] = {"gedrag",     "psychiatrie", "verslaving",
                                    "lvb",        "gezin",       "onderwijs",
                                    "veiligheid", "wonen",       "financien",
                                    "somatiek",   "justitie",    "other"};

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
node_requests_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	return node_db_migrate(db, NODE_REQUESTS_COMPONENT, steps,
	                       sizeof(steps) / sizeof(steps[0]), errbuf,
	                       errlen);
}

void
node_requests_facts_clear(struct node_requests_facts *facts)
{
	if (facts == NULL)
		return;
	for (size_t i = 0; i < facts->n_persons; i++) {
		struct node_requests_person *p = &facts->persons[i];
		free(p->role);
		free(p->name);
		free(p->bsn);
		free(p->birth_date);
		free(p->address);
		free(p->postcode);
	}
	free(facts->persons);
	memset(facts, 0, sizeof(*facts));
}

/* A copy of column i, or NULL for SQL NULL and ""; -1 when out of memory. */
static int
dup_column(sqlite3_stmt *st, int i, char **ret)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	*ret = NULL;
	if (s == NULL || s[0] == '\0')
		return 0;
	*ret = strdup((const char *)s);
	return *ret == NULL ? -1 : 0;
}

struct facts_tx {
	const char *user;
	int64_t id;
	struct node_requests_facts *f;
};

static enum node_status
read_phase(sqlite3 *db, struct facts_tx *t, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_status s = NODE_OK;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT phase FROM casus WHERE id = ?", -1,
	                       &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read casus");
	sqlite3_bind_int64(st, 1, t->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		s = fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
		         "casus does not exist");
	else if (rc != SQLITE_ROW)
		s = db_fail(db, errbuf, errlen, "read casus");
	else if (node_lifecycle_phase_parse(
	             (const char *)sqlite3_column_text(st, 0), &t->f->phase) !=
	         0)
		s = fail(errbuf, errlen, NODE_ERR_DB,
		         "casus has an unknown phase");
	sqlite3_finalize(st);
	return s;
}

static enum node_status
read_areas(sqlite3 *db, struct facts_tx *t, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(
	        db,
	        "SELECT area FROM casus_problem WHERE casus_id = ?"
	        " ORDER BY area",
	        -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read problem areas");
	sqlite3_bind_int64(st, 1, t->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = (const char *)sqlite3_column_text(st, 0);
		for (size_t i = 0; a != NULL && i < 12; i++) {
			if (strcmp(a, areas[i]) == 0 && t->f->n_areas < 12) {
				t->f->areas[t->f->n_areas++] = (int)i + 1;
				break;
			}
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_fail(db, errbuf, errlen, "read problem areas");
	return NODE_OK;
}

static enum node_status
read_persons(sqlite3 *db, struct facts_tx *t, char *errbuf, size_t errlen)
{
	struct node_requests_facts *f = t->f;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT role, name, bsn, birth_date, address,"
	                       " postcode FROM persoon WHERE casus_id = ?"
	                       " ORDER BY id LIMIT 64",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read persons");
	sqlite3_bind_int64(st, 1, t->id);
	f->persons = calloc(NODE_REQUESTS_MAX_PERSONS, sizeof(*f->persons));
	if (f->persons == NULL) {
		sqlite3_finalize(st);
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	       f->n_persons < NODE_REQUESTS_MAX_PERSONS) {
		struct node_requests_person *p = &f->persons[f->n_persons++];
		if (dup_column(st, 0, &p->role) ||
		    dup_column(st, 1, &p->name) || dup_column(st, 2, &p->bsn) ||
		    dup_column(st, 3, &p->birth_date) ||
		    dup_column(st, 4, &p->address) ||
		    dup_column(st, 5, &p->postcode)) {
			sqlite3_finalize(st);
			return fail(errbuf, errlen, NODE_ERR_NOMEM,
			            "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return db_fail(db, errbuf, errlen, "read persons");
	/* The person the casus is about: the jeugdige, else an adult. */
	for (int pass = 0; pass < 2 && f->subject_birth_date == NULL; pass++)
		for (size_t i = 0; i < f->n_persons; i++) {
			const struct node_requests_person *p = &f->persons[i];
			if (p->role != NULL && p->birth_date != NULL &&
			    strcmp(p->role, pass ? "other" : "jeugdige") == 0) {
				f->subject_birth_date = p->birth_date;
				break;
			}
		}
	return NODE_OK;
}

static enum node_status
facts_tx(sqlite3 *db, void *arg, char *errbuf, size_t errlen)
{
	struct facts_tx *t = arg;
	enum node_status s;

	node_requests_facts_clear(t->f);
	t->f->casus_id = t->id;
	if ((s = read_phase(db, t, errbuf, errlen)) != NODE_OK ||
	    (s = read_areas(db, t, errbuf, errlen)) != NODE_OK ||
	    (s = read_persons(db, t, errbuf, errlen)) != NODE_OK)
		return s;
	return node_audit_append(db, t->user, "casus.read_for_request", t->id,
	                         "facts copied for an outgoing message", errbuf,
	                         errlen);
}

enum node_status
node_requests_casus_facts(sqlite3 *db, const char *user, int64_t casus_id,
                          struct node_requests_facts *ret, char *errbuf,
                          size_t errlen)
{
	struct facts_tx t = {user, casus_id, ret};
	enum node_status s;

	memset(ret, 0, sizeof(*ret));
	if (casus_id <= 0)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
		            "casus id must be positive");
	s = node_db_transaction(db, facts_tx, &t, errbuf, errlen);
	if (s != NODE_OK)
		node_requests_facts_clear(ret);
	return s;
}

struct record_tx {
	const char *user;
	int kind;
	const uint8_t *msgid;
	int64_t casus_id;
	const char *case_ref;
	const char *recipient;
	const uint8_t *thread_id;
};

static enum node_status
record_tx(sqlite3 *db, void *arg, char *errbuf, size_t errlen)
{
	struct record_tx *t = arg;
	sqlite3_stmt *st = NULL;
	char hex[MSGID_HEX_LEN], detail[96];
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "INSERT INTO sent_request (message_id, kind,"
	                       " casus_id, case_ref, recipient, thread_id,"
	                       " sent_at, sent_by) VALUES (?, ?, ?, ?, ?, ?,"
	                       " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "record request");
	sqlite3_bind_blob(st, 1, t->msgid, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, t->kind);
	if (t->casus_id > 0)
		sqlite3_bind_int64(st, 3, t->casus_id);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, t->case_ref ? t->case_ref : "", -1,
	                  SQLITE_STATIC);
	sqlite3_bind_text(st, 5, t->recipient ? t->recipient : "", -1,
	                  SQLITE_STATIC);
	if (t->thread_id != NULL)
		sqlite3_bind_blob(st, 6, t->thread_id, MSGID_LEN,
		                  SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_text(st, 7, t->user, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
		            "this message id was recorded before");
	if (rc != SQLITE_DONE)
		return db_fail(db, errbuf, errlen, "record request");
	msgid_to_hex(t->msgid, hex);
	snprintf(detail, sizeof(detail), "kind=%d message=%s", t->kind, hex);
	return node_audit_append(db, t->user, "casus.request_sent",
	                         t->casus_id > 0 ? t->casus_id : 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_requests_record(sqlite3 *db, const char *user, int kind,
                     const uint8_t msgid[MSGID_LEN], int64_t casus_id,
                     const char *case_ref, const char *recipient,
                     const uint8_t *thread_id, char *errbuf, size_t errlen)
{
	struct record_tx t = {user,     kind,      msgid,    casus_id,
	                      case_ref, recipient, thread_id};

	if (user == NULL || user[0] == '\0' || msgid == NULL || kind < 1 ||
	    kind > 6)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
		            "a request needs a user, a message id and a kind");
	return record_tx(db, &t, errbuf, errlen);
}

#define ROW_COLUMNS                                                            \
	"id, message_id, kind, coalesce(casus_id, 0), case_ref, recipient,"    \
	" thread_id, sent_at, sent_by"

static void
row_to_struct(sqlite3_stmt *st, struct node_sent_request *r)
{
	const void *b;

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	b = sqlite3_column_blob(st, 1);
	if (b != NULL && sqlite3_column_bytes(st, 1) == MSGID_LEN)
		memcpy(r->message_id, b, MSGID_LEN);
	r->kind = sqlite3_column_int(st, 2);
	r->casus_id = sqlite3_column_int64(st, 3);
	snprintf(r->case_ref, sizeof(r->case_ref), "%s",
	         (const char *)sqlite3_column_text(st, 4));
	snprintf(r->recipient, sizeof(r->recipient), "%s",
	         (const char *)sqlite3_column_text(st, 5));
	b = sqlite3_column_blob(st, 6);
	if (b != NULL && sqlite3_column_bytes(st, 6) == MSGID_LEN) {
		r->has_thread = 1;
		memcpy(r->thread_id, b, MSGID_LEN);
	}
	snprintf(r->sent_at, sizeof(r->sent_at), "%s",
	         (const char *)sqlite3_column_text(st, 7));
}

enum node_status
node_requests_find(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
                   struct node_sent_request *ret, char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_status s = NODE_OK;
	int rc;

	if (sqlite3_prepare_v2(db,
	                       "SELECT " ROW_COLUMNS " FROM sent_request"
	                       " WHERE message_id = ?",
	                       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "find request");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		row_to_struct(st, ret);
	else if (rc == SQLITE_DONE)
		s = fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
		         "no request was sent with this message id");
	else
		s = db_fail(db, errbuf, errlen, "find request");
	sqlite3_finalize(st);
	return s;
}

enum node_status
node_requests_list(sqlite3 *db, int64_t casus_id, json_t **ret, char *errbuf,
                   size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
	                       "SELECT " ROW_COLUMNS " FROM sent_request"
	                       " WHERE ?1 = 0 OR casus_id = ?1 ORDER BY id",
	                       -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "list requests");
	}
	sqlite3_bind_int64(st, 1, casus_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct node_sent_request r;
		char id[MSGID_HEX_LEN], th[MSGID_HEX_LEN];
		json_t *o;

		row_to_struct(st, &r);
		msgid_to_hex(r.message_id, id);
		if (r.has_thread)
			msgid_to_hex(r.thread_id, th);
		o = json_pack(
		    "{s:s, s:i, s:o, s:s, s:s, s:o, s:s, s:s}", "message_id",
		    id, "kind", r.kind, "casus_id",
		    r.casus_id > 0 ? json_integer(r.casus_id) : json_null(),
		    "case_ref", r.case_ref, "recipient", r.recipient,
		    "thread_id", r.has_thread ? json_string(th) : json_null(),
		    "sent_at", r.sent_at, "sent_by",
		    (const char *)sqlite3_column_text(st, 8));
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			sqlite3_finalize(st);
			json_decref(arr);
			return fail(errbuf, errlen, NODE_ERR_NOMEM,
			            "out of memory");
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "list requests");
	}
	*ret = arr;
	return NODE_OK;
}
