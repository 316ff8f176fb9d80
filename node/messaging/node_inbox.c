/* node_inbox: verified, exactly-once application of delivered messages. */
#include "node_inbox.h"

#include <stdio.h>
#include <string.h>

static const struct node_inbox_party *
find_party(const struct node_inbox_cfg *cfg, const char *party)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].party, party) == 0)
			return &cfg->parties[i];
	return NULL;
}

int
node_inbox_kind_allowed(const char *self, const char *self_ben,
			const struct node_inbox_party *sender, int kind)
{
	enum party_role me = party_role_of(self);
	enum party_role from = party_role_of(sender->party);
	int same_ben = self_ben != NULL && strcmp(sender->ben, self_ben) == 0;

	if (strcmp(sender->party, self) == 0)
		return 0;
	switch (kind) {
	case RETFED__V1__KIND__KIND_ESCALATION:
	case RETFED__V1__KIND__KIND_PROCESVERSNELLER:
		return me == PARTY_DESK && from == PARTY_REGION && same_ben;
	case RETFED__V1__KIND__KIND_DECISION:
		return me == PARTY_REGION && from == PARTY_DESK && same_ben;
	case RETFED__V1__KIND__KIND_LEARNING_SUMMARY:
		return from == PARTY_REGION &&
		       (me == PARTY_REGION || me == PARTY_DESK);
	case RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST:
	case RETFED__V1__KIND__KIND_PEER_REVIEW:
		return me == PARTY_REGION && from == PARTY_REGION;
	default:
		return 0;
	}
}

/* Store the relay cursor; it never moves backwards. */
static enum node_status
store_cursor(sqlite3 *db, uint64_t cursor, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	enum node_status rc = NODE_OK;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO messaging_state (name, value)"
			       " VALUES ('relay_cursor', ?1)"
			       " ON CONFLICT (name) DO UPDATE SET"
			       " value = max(value, excluded.value)",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare cursor update");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cursor);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = node_msg_db_fail(err, db, "store cursor");
	sqlite3_finalize(st);
	return rc;
}

/* Record a refusal: only the cursor moves, and the audit log says why. */
static enum node_status
refuse(sqlite3 *db, uint64_t cursor, struct node_inbox_info *info,
       enum wire_reason why, const char *detail, struct node_msg_error *err)
{
	enum node_status rc;

	info->reason = why;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "begin refusal");
	rc = store_cursor(db, cursor, err);
	if (rc == NODE_OK)
		rc = node_msg_audit(db, NULL, NODE_MSG_AUDIT_REJECTED,
				    info->message_id, info->kind, info->sender,
				    info->seq, err);
	if (rc == NODE_OK &&
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = node_msg_db_fail(err, db, "commit refusal");
	if (rc != NODE_OK) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	node_msg_fail(err, NODE_OK, why, "%s", detail);
	return NODE_OK;
}

/* Is this message id in the inbox already? 1, 0, or -1 on error. */
static int
seen_before(sqlite3 *db, const uint8_t *msgid)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM inbox WHERE message_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Insert the verified message; *ret_id receives its row. */
static enum node_status
insert_message(sqlite3 *db, const struct envelope *env, const uint8_t *buf,
	       size_t len, uint64_t cursor, int64_t *ret_id,
	       struct node_msg_error *err)
{
	const Retfed__V1__Body *b = env->body;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db,
			       "INSERT INTO inbox (cursor, message_id, sender,"
			       " kind, seq, recipient, envelope, created_ms,"
			       " received_ms, state)"
			       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied')",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare inbox insert");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)cursor);
	sqlite3_bind_blob(st, 2, b->message_id.data, MSGID_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b->sender, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, (int)b->kind);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)b->seq);
	sqlite3_bind_text(st, 6, b->recipient ? b->recipient : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, buf, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, (sqlite3_int64)b->created_ms);
	sqlite3_bind_int64(st, 9, (sqlite3_int64)msgid_now_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		enum node_status s = node_msg_db_fail(err, db,
							  "insert into inbox");
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	*ret_id = sqlite3_last_insert_rowid(db);
	return NODE_OK;
}

static enum node_status
mark_rejected(sqlite3 *db, int64_t id, const char *why,
	      struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	enum node_status rc = NODE_OK;

	if (sqlite3_prepare_v2(db,
			       "UPDATE inbox SET state = 'rejected',"
			       " state_detail = ? WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare inbox reject");
	sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = node_msg_db_fail(err, db, "mark inbox message rejected");
	sqlite3_finalize(st);
	return rc;
}

/* Record, apply, store the cursor: the exactly-once transaction. */
static enum node_status
record_and_apply(sqlite3 *db, const struct node_inbox_cfg *cfg,
		 const struct envelope *env, const uint8_t *buf, size_t len,
		 uint64_t cursor, enum node_inbox_result *ret_result,
		 struct node_msg_error *err)
{
	const Retfed__V1__Body *b = env->body;
	enum node_inbox_result result = NODE_INBOX_APPLIED;
	enum node_status rc;
	node_inbox_apply_fn fn = NULL;
	char why[WIRE_DETAIL_MAX] = "";
	int64_t id = 0;
	int seen;

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "begin delivery");
	seen = seen_before(db, b->message_id.data);
	if (seen < 0) {
		rc = node_msg_db_fail(err, db, "look up message id");
		goto fail;
	}
	if (seen) {
		result = NODE_INBOX_DUPLICATE;
	} else {
		rc = insert_message(db, env, buf, len, cursor, &id, err);
		if (rc != NODE_OK)
			goto fail;
		if (cfg->hooks && (unsigned)b->kind < NODE_INBOX_KINDS)
			fn = cfg->hooks->apply[b->kind];
		if (fn != NULL) {
			switch (fn(db, env, id, cfg->hooks->ctx, why,
				   sizeof(why))) {
			case NODE_INBOX_APPLY_OK:
				break;
			case NODE_INBOX_APPLY_REJECT:
				result = NODE_INBOX_REJECTED;
				rc = mark_rejected(db, id, why, err);
				if (rc != NODE_OK)
					goto fail;
				break;
			case NODE_INBOX_APPLY_RETRY:
			default:
				rc = node_msg_fail(err, NODE_ERR_BUSY, WIRE_OK,
						   "applying the message: %s",
						   why);
				goto fail;
			}
		}
		rc = node_msg_audit(db, NULL,
				    result == NODE_INBOX_APPLIED
					    ? NODE_MSG_AUDIT_RECEIVED
					    : NODE_MSG_AUDIT_REJECTED,
				    b->message_id.data, (int)b->kind,
				    b->sender, b->seq, err);
		if (rc != NODE_OK)
			goto fail;
	}
	rc = store_cursor(db, cursor, err);
	if (rc != NODE_OK)
		goto fail;
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = node_msg_db_fail(err, db, "commit delivery");
		goto fail;
	}
	*ret_result = result;
	return NODE_OK;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

enum node_status
node_inbox_accept(sqlite3 *db, const struct node_inbox_cfg *cfg,
		  const uint8_t *buf, size_t len, uint64_t cursor,
		  enum node_inbox_result *ret_result,
		  struct node_inbox_info *info, struct node_msg_error *err)
{
	struct envelope *env = NULL;
	const struct node_inbox_party *p;
	struct node_inbox_info scratch;
	struct wire_error werr;
	enum wire_reason wr;
	enum node_status rc;
	const Retfed__V1__Body *b;

	if (info == NULL)
		info = &scratch;
	memset(info, 0, sizeof(*info));
	if (err)
		memset(err, 0, sizeof(*err));
	if (cursor == 0)
		return node_msg_fail(err, NODE_ERR_INVALID, WIRE_MISSING_FIELD,
				     "delivery cursor is missing");

	wire_error_clear(&werr);
	wr = envelope_decode(buf, len, &env, &werr);
	if (wr != WIRE_OK) {
		rc = refuse(db, cursor, info, wr, werr.detail, err);
		if (rc == NODE_OK)
			*ret_result = NODE_INBOX_REFUSED;
		return rc;
	}
	b = env->body;
	memcpy(info->message_id, b->message_id.data, MSGID_LEN);
	snprintf(info->sender, sizeof(info->sender), "%s", b->sender);
	info->kind = (int)b->kind;
	info->seq = b->seq;

	p = find_party(cfg, b->sender);
	if (p == NULL) {
		wr = WIRE_UNKNOWN_SENDER;
		snprintf(werr.detail, sizeof(werr.detail),
			 "sender %s is not in this node's configuration",
			 b->sender);
	} else if ((wr = envelope_verify(env, p->signing_key, &werr)) !=
		   WIRE_OK) {
		/* werr says why */
	} else if (!node_inbox_kind_allowed(cfg->self, cfg->ben, p,
					    (int)b->kind)) {
		wr = WIRE_NOT_ROUTABLE;
		snprintf(werr.detail, sizeof(werr.detail),
			 "%s may not send a %s to %s", b->sender,
			 envelope_kind_name((int)b->kind), cfg->self);
	} else if (b->recipient != NULL && b->recipient[0] != '\0' &&
		   strcmp(b->recipient, cfg->self) != 0) {
		wr = WIRE_UNKNOWN_RECIPIENT;
		snprintf(werr.detail, sizeof(werr.detail),
			 "message is addressed to %s, not to %s",
			 b->recipient, cfg->self);
	}
	if (wr != WIRE_OK) {
		rc = refuse(db, cursor, info, wr, werr.detail, err);
		if (rc == NODE_OK)
			*ret_result = NODE_INBOX_REFUSED;
		envelope_destroy(&env);
		return rc;
	}

	rc = record_and_apply(db, cfg, env, buf, len, cursor, ret_result, err);
	envelope_destroy(&env);
	return rc;
}

enum node_status
node_inbox_cursor(sqlite3 *db, uint64_t *ret_cursor,
		  struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT value FROM messaging_state"
			       " WHERE name = 'relay_cursor'",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare cursor read");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_cursor = (uint64_t)sqlite3_column_int64(st, 0);
	} else if (rc == SQLITE_DONE) {
		*ret_cursor = 0;
	} else {
		enum node_status s = node_msg_db_fail(err, db,
							  "read cursor");
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

#define INBOX_COLUMNS                                                        \
	"id, cursor, message_id, sender, recipient, kind, seq, created_ms,"  \
	" received_ms, state, coalesce(state_detail, '')"

static void
inbox_from_row(sqlite3_stmt *st, struct node_inbox_entry *e)
{
	const void *id = sqlite3_column_blob(st, 2);
	const unsigned char *t;

	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	e->cursor = (uint64_t)sqlite3_column_int64(st, 1);
	if (id != NULL && sqlite3_column_bytes(st, 2) == MSGID_LEN)
		memcpy(e->message_id, id, MSGID_LEN);
	t = sqlite3_column_text(st, 3);
	snprintf(e->sender, sizeof(e->sender), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(st, 4);
	snprintf(e->recipient, sizeof(e->recipient), "%s",
		 t ? (const char *)t : "");
	e->kind = sqlite3_column_int(st, 5);
	e->seq = (uint64_t)sqlite3_column_int64(st, 6);
	e->created_ms = (uint64_t)sqlite3_column_int64(st, 7);
	e->received_ms = (uint64_t)sqlite3_column_int64(st, 8);
	t = sqlite3_column_text(st, 9);
	snprintf(e->state, sizeof(e->state), "%s", t ? (const char *)t : "");
	t = sqlite3_column_text(st, 10);
	snprintf(e->state_detail, sizeof(e->state_detail), "%s",
		 t ? (const char *)t : "");
}

enum node_status
node_inbox_list(sqlite3 *db, int kind, unsigned limit,
		int (*fn)(const struct node_inbox_entry *e, void *ctx),
		void *ctx, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	struct node_inbox_entry e;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT " INBOX_COLUMNS " FROM inbox"
			       " WHERE ?1 = 0 OR kind = ?1 ORDER BY id"
			       " LIMIT ?2",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare inbox list");
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		inbox_from_row(st, &e);
		if (fn(&e, ctx) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		enum node_status s = node_msg_db_fail(err, db,
							  "list inbox");
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_inbox_get(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
	       struct node_inbox_entry *ret, struct node_msg_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db,
			       "SELECT " INBOX_COLUMNS " FROM inbox"
			       " WHERE message_id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return node_msg_db_fail(err, db, "prepare inbox get");
	sqlite3_bind_blob(st, 1, msgid, MSGID_LEN, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		inbox_from_row(st, ret);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return NODE_OK;
	if (rc == SQLITE_DONE)
		return node_msg_fail(err, NODE_ERR_NOT_FOUND, WIRE_OK,
				     "no such message in the inbox");
	return node_msg_db_fail(err, db, "read inbox");
}
