/*
 * node_apply: received decisions and peer reviews on a region, and the
 * apply hooks per role. See node_apply.h.
 */
#include "node_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"
#include "node_desk.h"
#include "node_outbox.h"
#include "node_requests.h"
#include "node_summary.h"

static const char *const steps[] = {
	"CREATE TABLE casus_decision("
	" id INTEGER PRIMARY KEY,"
	" inbox_id INTEGER NOT NULL,"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" request_id BLOB NOT NULL CHECK (length(request_id) = 16),"
	" thread_id BLOB NOT NULL CHECK (length(thread_id) = 16),"
	" request_kind INTEGER NOT NULL,"
	" casus_id INTEGER NOT NULL,"
	" case_ref TEXT NOT NULL,"
	" sender TEXT NOT NULL,"
	" status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 6),"
	" assignment_kind INTEGER NOT NULL,"
	" assigned TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" question TEXT NOT NULL,"
	" note TEXT NOT NULL,"
	" received_ms INTEGER NOT NULL);"
	"CREATE INDEX casus_decision_by_casus ON casus_decision(casus_id);"
	"CREATE TRIGGER casus_decision_no_update BEFORE UPDATE ON casus_decision"
	" BEGIN SELECT RAISE(ABORT, 'received decisions are never changed');"
	" END;"
	"CREATE TABLE received_peer("
	" id INTEGER PRIMARY KEY,"
	" inbox_id INTEGER NOT NULL,"
	" message_id BLOB NOT NULL UNIQUE CHECK (length(message_id) = 16),"
	" kind INTEGER NOT NULL CHECK (kind IN (5, 6)),"
	" sender TEXT NOT NULL,"
	" request_id BLOB,"
	" casus_id INTEGER NOT NULL DEFAULT 0,"
	" age_band INTEGER NOT NULL DEFAULT 0,"
	" problem_areas TEXT NOT NULL DEFAULT '',"
	" approach TEXT NOT NULL DEFAULT '',"
	" question TEXT NOT NULL DEFAULT '',"
	" review TEXT NOT NULL DEFAULT '',"
	" received_ms INTEGER NOT NULL);"
	"CREATE VIEW received_peer_review_request AS SELECT * FROM"
	" received_peer WHERE kind = 5;"
	"CREATE VIEW received_peer_review AS SELECT * FROM received_peer"
	" WHERE kind = 6;",
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

enum node_status
node_apply_migrate(sqlite3 *db, enum party_role role, char *errbuf,
		   size_t errlen)
{
	enum node_status s;

	s = node_requests_migrate(db, errbuf, errlen);
	if (s == NODE_OK)
		s = node_summary_migrate(db, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	if (role == PARTY_DESK)
		return node_desk_migrate(db, errbuf, errlen);
	if (role != PARTY_REGION)
		return fail(errbuf, errlen, NODE_ERR_INVALID,
			    "only regions and desks apply messages");
	return node_db_migrate(db, NODE_APPLY_COMPONENT, steps,
			       sizeof(steps) / sizeof(steps[0]), errbuf, errlen);
}

/* The hook for learning summaries: stored for comparison (node_summary). */
static enum node_inbox_apply
summary_apply(sqlite3 *db, const struct envelope *env, int64_t inbox_id,
	      void *ctx, char *why, size_t whylen)
{
	enum node_status s;

	(void)ctx;
	s = node_summary_store_received(db, env->body, inbox_id, why, whylen);
	if (s == NODE_OK)
		return NODE_INBOX_APPLY_OK;
	return s == NODE_ERR_INVALID ? NODE_INBOX_APPLY_REJECT
				     : NODE_INBOX_APPLY_RETRY;
}

void
node_apply_hooks(enum party_role role, const struct keyfile *keys,
		 struct node_inbox_hooks *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->ctx = (void *)(uintptr_t)keys;
	ret->apply[RETFED__V1__KIND__KIND_LEARNING_SUMMARY] = summary_apply;
	if (role == PARTY_DESK) {
		ret->apply[RETFED__V1__KIND__KIND_ESCALATION] = node_desk_apply;
		ret->apply[RETFED__V1__KIND__KIND_PROCESVERSNELLER] =
			node_desk_apply;
	} else if (role == PARTY_REGION) {
		ret->apply[RETFED__V1__KIND__KIND_DECISION] = node_apply_decision;
		ret->apply[RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST] =
			node_apply_peer;
		ret->apply[RETFED__V1__KIND__KIND_PEER_REVIEW] = node_apply_peer;
	}
}

static enum node_inbox_apply
retry(sqlite3 *db, const char *what, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s: %s", what, sqlite3_errmsg(db));
	return NODE_INBOX_APPLY_RETRY;
}

enum node_inbox_apply
node_apply_decision(sqlite3 *db, const struct envelope *env,
		    int64_t inbox_id, void *ctx, char *why, size_t whylen)
{
	const Retfed__V1__Body *b = env->body;
	const Retfed__V1__Decision *d = b->decision;
	struct node_sent_request req;
	char err[256] = "", hex[MSGID_HEX_LEN], detail[160];
	const uint8_t *thread;
	const char *status;
	sqlite3_stmt *st = NULL;
	enum node_status s;
	int ok, unlinked = 0;

	if (b->payload_case != RETFED__V1__BODY__PAYLOAD_DECISION || d == NULL ||
	    d->request_id.len != MSGID_LEN) {
		snprintf(why, whylen, "not a decision on a request");
		return NODE_INBOX_APPLY_REJECT;
	}
	status = node_desk_status_name((int)d->status);
	if (status == NULL) {
		snprintf(why, whylen, "the decision has no known status");
		return NODE_INBOX_APPLY_REJECT;
	}
	/* Every request this node queued was recorded in the same
	 * transaction (node_outbox_queue), so a request that is not in the
	 * table was never sent from here. */
	s = node_requests_find(db, d->request_id.data, &req, err, sizeof(err));
	if (s == NODE_ERR_NOT_FOUND) {
		snprintf(why, whylen,
			 "the decision answers a request this region never "
			 "sent");
		return NODE_INBOX_APPLY_REJECT;
	} else if (s != NODE_OK) {
		snprintf(why, whylen, "look up the request: %s", err);
		return NODE_INBOX_APPLY_RETRY;
	}
	/* A request queued before a crash of an earlier version and
	 * recorded by the migration has no casus and no case reference:
	 * the decision is kept without a casus. */
	unlinked = req.casus_id <= 0 && req.case_ref[0] == '\0';
	if (req.kind != RETFED__V1__KIND__KIND_ESCALATION &&
	    req.kind != RETFED__V1__KIND__KIND_PROCESVERSNELLER) {
		snprintf(why, whylen,
			 "the decision answers a message that was not an "
			 "escalation or procesversneller request");
		return NODE_INBOX_APPLY_REJECT;
	}
	if (!unlinked && (req.casus_id <= 0 ||
			  strcmp(req.case_ref, d->case_ref) != 0)) {
		snprintf(why, whylen,
			 "the decision names another case reference than the "
			 "request it answers");
		return NODE_INBOX_APPLY_REJECT;
	}
	if (req.recipient[0] != '\0' && strcmp(req.recipient, b->sender) != 0) {
		snprintf(why, whylen,
			 "the decision comes from another party than the "
			 "request went to");
		return NODE_INBOX_APPLY_REJECT;
	}
	thread = req.has_thread ? req.thread_id : req.message_id;
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO casus_decision(inbox_id, message_id, request_id,"
		    " thread_id, request_kind, casus_id, case_ref, sender,"
		    " status, assignment_kind, assigned, reason, question, note,"
		    " received_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		    " ?, ?, ?)",
		    -1, &st, NULL) != SQLITE_OK)
		return retry(db, "record the decision", why, whylen);
	sqlite3_bind_int64(st, 1, inbox_id);
	sqlite3_bind_blob(st, 2, b->message_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, d->request_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, thread, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, req.kind);
	sqlite3_bind_int64(st, 6, req.casus_id);
	sqlite3_bind_text(st, 7, d->case_ref, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, b->sender, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 9, (int)d->status);
	sqlite3_bind_int(st, 10, (int)d->assignment_kind);
	sqlite3_bind_text(st, 11, d->assigned, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, d->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 13, d->question, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, d->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 15, (sqlite3_int64)msgid_now_ms());
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!ok)
		return retry(db, "record the decision", why, whylen);
	msgid_to_hex(b->message_id.data, hex);
	snprintf(detail, sizeof(detail), "message=%s status=%s", hex, status);
	if (node_audit_append(db, NODE_MSG_DAEMON_USER,
			      "casus.decision_received", req.casus_id, detail,
			      err, sizeof(err)) != NODE_OK) {
		snprintf(why, whylen, "audit the decision: %s", err);
		return NODE_INBOX_APPLY_RETRY;
	}
	return NODE_INBOX_APPLY_OK;
}

enum node_inbox_apply
node_apply_peer(sqlite3 *db, const struct envelope *env, int64_t inbox_id,
		void *ctx, char *why, size_t whylen)
{
	const Retfed__V1__Body *b = env->body;
	struct node_sent_request req;
	char err[256] = "", areas[256] = "";
	sqlite3_stmt *st = NULL;
	int64_t casus_id = 0;
	int ok;

	(void)ctx;
	if (b->payload_case == RETFED__V1__BODY__PAYLOAD_PEER_REVIEW) {
		const Retfed__V1__PeerReview *r = b->peer_review;
		enum node_status s;

		s = node_requests_find(db, r->request_id.data, &req, err,
				       sizeof(err));
		if (s == NODE_ERR_NOT_FOUND ||
		    (s == NODE_OK &&
		     req.kind != RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST)) {
			snprintf(why, whylen,
				 "the review answers a request this region "
				 "never sent");
			return NODE_INBOX_APPLY_REJECT;
		}
		if (s != NODE_OK) {
			snprintf(why, whylen, "look up the request: %s", err);
			return NODE_INBOX_APPLY_RETRY;
		}
		casus_id = req.casus_id;
	} else if (b->payload_case ==
		   RETFED__V1__BODY__PAYLOAD_PEER_REVIEW_REQUEST) {
		const Retfed__V1__PeerReviewRequest *q = b->peer_review_request;
		int v[12];
		size_t n = q->n_problem_areas < 12 ? q->n_problem_areas : 12;

		for (size_t i = 0; i < n; i++)
			v[i] = (int)q->problem_areas[i];
		node_desk_vocab_join(NODE_DESK_AREA, v, n, areas, sizeof(areas));
	} else {
		snprintf(why, whylen, "not a peer-review message");
		return NODE_INBOX_APPLY_REJECT;
	}
	if (sqlite3_prepare_v2(
		    db,
		    "INSERT INTO received_peer(inbox_id, message_id, kind,"
		    " sender, request_id, casus_id, age_band, problem_areas,"
		    " approach, question, review, received_ms)"
		    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, &st, NULL) != SQLITE_OK)
		return retry(db, "record the peer review", why, whylen);
	sqlite3_bind_int64(st, 1, inbox_id);
	sqlite3_bind_blob(st, 2, b->message_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)b->kind);
	sqlite3_bind_text(st, 4, b->sender, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, casus_id);
	sqlite3_bind_text(st, 8, areas, -1, SQLITE_STATIC);
	if (b->payload_case == RETFED__V1__BODY__PAYLOAD_PEER_REVIEW) {
		sqlite3_bind_blob(st, 5, b->peer_review->request_id.data,
				  MSGID_LEN, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, 0);
		sqlite3_bind_text(st, 9, "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, b->peer_review->review, -1,
				  SQLITE_STATIC);
	} else {
		const Retfed__V1__PeerReviewRequest *q = b->peer_review_request;

		sqlite3_bind_null(st, 5);
		sqlite3_bind_int(st, 7, (int)q->age_band);
		sqlite3_bind_text(st, 9, q->approach, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, q->question, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, "", -1, SQLITE_STATIC);
	}
	sqlite3_bind_int64(st, 12, (sqlite3_int64)msgid_now_ms());
	ok = sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (!ok)
		return retry(db, "record the peer review", why, whylen);
	return NODE_INBOX_APPLY_OK;
}

static json_t *
hex_json(sqlite3_stmt *st, int col)
{
	char hex[MSGID_HEX_LEN];

	if (sqlite3_column_bytes(st, col) != MSGID_LEN)
		return json_null();
	msgid_to_hex(sqlite3_column_blob(st, col), hex);
	return json_string(hex);
}

static void
set_text(json_t *j, const char *key, sqlite3_stmt *st, int col)
{
	const char *v = (const char *)sqlite3_column_text(st, col);

	if (v != NULL && v[0] != '\0')
		json_object_set_new(j, key, json_string(v));
}

enum node_status
node_apply_casus_decisions(sqlite3 *db, int64_t casus_id, json_t **ret,
			   char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
			       "SELECT message_id, request_id, thread_id,"
			       " request_kind, sender, status, assignment_kind,"
			       " assigned, reason, question, note, received_ms"
			       " FROM casus_decision WHERE casus_id = ?"
			       " ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "read the decisions");
	}
	sqlite3_bind_int64(st, 1, casus_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ak = node_desk_assignment_name(sqlite3_column_int(st, 6));
		const char *status = node_desk_status_name(sqlite3_column_int(st, 5));
		json_t *d = json_object();

		if (d == NULL || json_array_append_new(arr, d) != 0)
			break;
		json_object_set_new(d, "message_id", hex_json(st, 0));
		json_object_set_new(d, "request_id", hex_json(st, 1));
		json_object_set_new(d, "thread_id", hex_json(st, 2));
		json_object_set_new(
			d, "request_kind",
			json_string(envelope_kind_name(sqlite3_column_int(st, 3))));
		set_text(d, "from", st, 4);
		json_object_set_new(d, "status",
				    json_string(status != NULL ? status : "?"));
		if (ak != NULL)
			json_object_set_new(d, "assignment_kind", json_string(ak));
		set_text(d, "assigned", st, 7);
		set_text(d, "reason", st, 8);
		set_text(d, "question", st, 9);
		set_text(d, "note", st, 10);
		json_object_set_new(d, "received_ms",
				    json_integer(sqlite3_column_int64(st, 11)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return rc == SQLITE_ROW
			       ? fail(errbuf, errlen, NODE_ERR_NOMEM,
				      "out of memory")
			       : db_fail(db, errbuf, errlen,
					 "read the decisions");
	}
	*ret = arr;
	return NODE_OK;
}

enum node_status
node_apply_decision_get(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
			struct node_apply_decision_row *ret, char *errbuf,
			size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_status s = NODE_OK;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT casus_id, status, request_kind,"
			       " request_id, thread_id, case_ref, sender"
			       " FROM casus_decision WHERE message_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, errbuf, errlen, "read the decision");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(ret, 0, sizeof(*ret));
		ret->casus_id = sqlite3_column_int64(st, 0);
		ret->status = sqlite3_column_int(st, 1);
		ret->request_kind = sqlite3_column_int(st, 2);
		memcpy(ret->request_id, sqlite3_column_blob(st, 3), MSGID_LEN);
		memcpy(ret->thread_id, sqlite3_column_blob(st, 4), MSGID_LEN);
		snprintf(ret->case_ref, sizeof(ret->case_ref), "%s",
			 (const char *)sqlite3_column_text(st, 5));
		snprintf(ret->sender, sizeof(ret->sender), "%s",
			 (const char *)sqlite3_column_text(st, 6));
	} else if (rc == SQLITE_DONE) {
		s = fail(errbuf, errlen, NODE_ERR_NOT_FOUND,
			 "no decision was received with this message id");
	} else {
		s = db_fail(db, errbuf, errlen, "read the decision");
	}
	sqlite3_finalize(st);
	return s;
}

enum node_status
node_apply_peer_list(sqlite3 *db, int kind, json_t **ret, char *errbuf,
		     size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return fail(errbuf, errlen, NODE_ERR_NOMEM, "out of memory");
	if (sqlite3_prepare_v2(db,
			       "SELECT message_id, kind, sender, request_id,"
			       " casus_id, age_band, problem_areas, approach,"
			       " question, review, received_ms FROM"
			       " received_peer WHERE (?1 = 0 OR kind = ?1)"
			       " ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		json_decref(arr);
		return db_fail(db, errbuf, errlen, "read the peer reviews");
	}
	sqlite3_bind_int(st, 1, kind);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *band =
			node_desk_vocab_name(NODE_DESK_AGE_BAND,
					     sqlite3_column_int(st, 5));
		json_t *p = json_object();

		if (p == NULL || json_array_append_new(arr, p) != 0)
			break;
		json_object_set_new(p, "message_id", hex_json(st, 0));
		json_object_set_new(
			p, "kind",
			json_string(envelope_kind_name(sqlite3_column_int(st, 1))));
		set_text(p, "from", st, 2);
		if (sqlite3_column_type(st, 3) == SQLITE_BLOB)
			json_object_set_new(p, "request_id", hex_json(st, 3));
		if (sqlite3_column_int64(st, 4) > 0)
			json_object_set_new(p, "casus_id",
					    json_integer(sqlite3_column_int64(st, 4)));
		if (band != NULL)
			json_object_set_new(p, "age_band", json_string(band));
		set_text(p, "problem_areas", st, 6);
		set_text(p, "approach", st, 7);
		set_text(p, "question", st, 8);
		set_text(p, "review", st, 9);
		json_object_set_new(p, "received_ms",
				    json_integer(sqlite3_column_int64(st, 10)));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		return rc == SQLITE_ROW
			       ? fail(errbuf, errlen, NODE_ERR_NOMEM,
				      "out of memory")
			       : db_fail(db, errbuf, errlen,
					 "read the peer reviews");
	}
	*ret = arr;
	return NODE_OK;
}
