/* node_sync: outbox out, deliveries in, over one CURVE DEALER socket. */
#include "node_sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "msgid.h"

/* An ack read from the relay, recorded with the others of its batch. */
struct pending_ack {
	uint8_t id[MSGID_LEN];
	uint64_t seq;
	int duplicate;
	int changed;
};

/* A message sent and not yet answered. */
struct in_flight {
	uint8_t id[MSGID_LEN];
	uint64_t seq;
};

struct node_sync {
	sqlite3 *db;
	void *zctx;
	void *sock;
	void *mon;
	struct node_sync_params p;
	char mon_ep[64];
	int connected;
	int draining;
	struct in_flight *fl;
	unsigned n_fl;
	uint64_t last_sent_seq; /* highest seq sent in this round */
	uint64_t retry_at;	/* no sending before this */
	uint64_t backoff_ms;	/* current retry delay, 0 after success */
	uint64_t ack_deadline;
	uint64_t next_db_poll;
	int64_t data_version;
	int outbox_idle; /* nothing queued above last_sent_seq last time */
	int need_resume;
	uint64_t resume_at;
	/* After a refused handshake libzmq stops reconnecting: the socket
	 * is rebuilt at rebuild_at (0: not planned), with its own backoff. */
	uint64_t rebuild_at;
	uint64_t rebuild_backoff_ms;
	/* Acks read but not yet recorded: one transaction per batch. */
	struct pending_ack *acks;
	unsigned n_acks;
	/* Receipts of one read burst are recorded in one transaction (one
	 * fsync for the burst, not one per receipt); open while set. */
	int receipt_tx;
};

uint64_t
node_sync_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
emit(struct node_sync *s, struct node_sync_event *ev)
{
	if (s->p.on_event)
		s->p.on_event(s->p.event_ctx, ev);
}

static void
emit_simple(struct node_sync *s, enum node_sync_event_type type,
	    const char *detail)
{
	struct node_sync_event ev = {.type = type, .detail = detail};

	emit(s, &ev);
}

static int
set_int(void *sock, int opt, int v)
{
	return zmq_setsockopt(sock, opt, &v, sizeof(v));
}

/* Close the DEALER socket and its monitor (bounded linger). */
static void
close_socket(struct node_sync *s)
{
	if (s->sock) {
		(void)zmq_socket_monitor(s->sock, NULL, 0);
		zmq_close(s->sock);
	}
	if (s->mon)
		zmq_close(s->mon);
	s->sock = NULL;
	s->mon = NULL;
}

/*
 * Create the DEALER socket (CURVE client), its monitor, and start
 * connecting. zmq connects in the background and keeps reconnecting.
 */
static enum node_status
open_socket(struct node_sync *s, struct node_msg_error *err)
{
	const struct node_sync_params *p = &s->p;
	int64_t maxmsg = FRAME_WIRE_MAX;
	static unsigned counter;

	s->sock = zmq_socket(s->zctx, ZMQ_DEALER);
	if (s->sock == NULL)
		goto zfail;
	if (zmq_setsockopt(s->sock, ZMQ_CURVE_SERVERKEY, p->relay_key,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(s->sock, ZMQ_CURVE_PUBLICKEY, p->keys->transport_pk,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(s->sock, ZMQ_CURVE_SECRETKEY, p->keys->transport_sk,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(s->sock, ZMQ_MAXMSGSIZE, &maxmsg,
			   sizeof(maxmsg)) != 0 ||
	    /* Queue nothing for a relay that is not there: what was not
	     * sent is still in the outbox. */
	    set_int(s->sock, ZMQ_IMMEDIATE, 1) != 0 ||
	    set_int(s->sock, ZMQ_LINGER, NODE_SYNC_LINGER_MS) != 0 ||
	    set_int(s->sock, ZMQ_RECONNECT_IVL, NODE_SYNC_BACKOFF_MIN_MS) !=
		    0 ||
	    set_int(s->sock, ZMQ_RECONNECT_IVL_MAX,
		    (int)s->p.backoff_max_ms) != 0 ||
	    set_int(s->sock, ZMQ_HEARTBEAT_IVL, 5000) != 0 ||
	    set_int(s->sock, ZMQ_HEARTBEAT_TIMEOUT, 15000) != 0 ||
	    set_int(s->sock, ZMQ_SNDHWM, (int)s->p.window * 2 + 16) != 0)
		goto zfail;

	snprintf(s->mon_ep, sizeof(s->mon_ep), "inproc://node-sync-mon-%u",
		 counter++);
	if (zmq_socket_monitor(s->sock, s->mon_ep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
				       ZMQ_EVENT_DISCONNECTED |
				       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
				       ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
		goto zfail;
	s->mon = zmq_socket(s->zctx, ZMQ_PAIR);
	if (s->mon == NULL || set_int(s->mon, ZMQ_LINGER, 0) != 0 ||
	    zmq_connect(s->mon, s->mon_ep) != 0)
		goto zfail;
	if (zmq_connect(s->sock, p->endpoint) != 0) {
		node_msg_fail(err, NODE_ERR_INVALID, WIRE_OK,
			      "cannot connect to %s: %s", p->endpoint,
			      zmq_strerror(zmq_errno()));
		close_socket(s);
		return NODE_ERR_INVALID;
	}
	return NODE_OK;
zfail:
	node_msg_fail(err, NODE_ERR_DB, WIRE_OK, "zmq: %s",
		      zmq_strerror(zmq_errno()));
	close_socket(s);
	return NODE_ERR_DB;
}

struct node_sync *
node_sync_new(sqlite3 *db, void *zctx, const struct node_sync_params *p,
	      struct node_msg_error *err)
{
	struct node_sync *s;

	if (p->endpoint == NULL || p->keys == NULL || p->inbox == NULL ||
	    p->relay_key == NULL) {
		node_msg_fail(err, NODE_ERR_INVALID, WIRE_OK,
			      "sync parameters are incomplete");
		return NULL;
	}
	if (keyfile_parse_transport_public(p->relay_key) != 0) {
		node_msg_fail(err, NODE_ERR_INVALID, WIRE_OK,
			      "the relay's transport key is not 40 Z85 "
			      "characters");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK, "out of memory");
		return NULL;
	}
	s->db = db;
	s->p = *p;
	if (s->p.window == 0)
		s->p.window = NODE_SYNC_WINDOW_DEFAULT;
	if (s->p.backoff_max_ms == 0)
		s->p.backoff_max_ms = NODE_SYNC_BACKOFF_MAX_MS;
	if (s->p.ack_timeout_ms == 0)
		s->p.ack_timeout_ms = NODE_SYNC_ACK_TIMEOUT_MS;
	s->data_version = -1;
	s->fl = calloc(s->p.window, sizeof(*s->fl));
	s->acks = calloc(s->p.window, sizeof(*s->acks));
	if (s->fl == NULL || s->acks == NULL) {
		node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK, "out of memory");
		goto fail;
	}

	s->zctx = zctx;
	if (open_socket(s, err) != NODE_OK)
		goto fail;
	return s;
fail:
	node_sync_destroy(&s);
	return NULL;
}

void
node_sync_destroy(struct node_sync **sp)
{
	struct node_sync *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	close_socket(s);
	free(s->fl);
	free(s->acks);
	free(s);
	*sp = NULL;
}

size_t
node_sync_poll_items(struct node_sync *s, zmq_pollitem_t *items)
{
	memset(items, 0, NODE_SYNC_POLL_ITEMS * sizeof(*items));
	items[0].socket = s->sock;
	items[0].events = ZMQ_POLLIN;
	items[1].socket = s->mon;
	items[1].events = ZMQ_POLLIN;
	return NODE_SYNC_POLL_ITEMS;
}

static void
reset_round(struct node_sync *s)
{
	s->n_fl = 0;
	s->last_sent_seq = 0;
	s->outbox_idle = 0;
}

/* Transient trouble: forget the round, send again after the backoff. */
static void
retry_later(struct node_sync *s, uint64_t now, int reason, const char *why)
{
	struct node_sync_event ev = {.type = NODE_SYNC_RETRY};

	if (s->backoff_ms == 0)
		s->backoff_ms = NODE_SYNC_BACKOFF_MIN_MS;
	else if (s->backoff_ms * 2 > s->p.backoff_max_ms)
		s->backoff_ms = s->p.backoff_max_ms;
	else
		s->backoff_ms *= 2;
	reset_round(s);
	s->retry_at = now + s->backoff_ms;
	ev.delay_ms = s->backoff_ms;
	ev.reason = reason;
	ev.detail = why;
	emit(s, &ev);
}

static int
send_frame(struct node_sync *s, const ProtobufCMessage *m)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (frame_pack(m, &buf, &len) != 0)
		return -1;
	rc = zmq_send(s->sock, buf, len, ZMQ_DONTWAIT);
	free(buf);
	return rc < 0 ? -1 : 0;
}

static int
send_resume(struct node_sync *s, uint64_t cursor)
{
	Retfed__V1__ClientFrame f;
	Retfed__V1__Resume r;

	retfed__v1__client_frame__init(&f);
	retfed__v1__resume__init(&r);
	r.after_cursor = cursor;
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_RESUME;
	f.resume = &r;
	return send_frame(s, &f.base);
}

static int
send_seq_query(struct node_sync *s)
{
	Retfed__V1__ClientFrame f;
	Retfed__V1__SeqQuery q;

	retfed__v1__client_frame__init(&f);
	retfed__v1__seq_query__init(&q);
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY;
	f.seq_query = &q;
	return send_frame(s, &f.base);
}

static int
send_confirm(struct node_sync *s, uint64_t cursor)
{
	Retfed__V1__ClientFrame f;
	Retfed__V1__DeliveryConfirm c;

	retfed__v1__client_frame__init(&f);
	retfed__v1__delivery_confirm__init(&c);
	c.cursor = cursor;
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM;
	f.confirm = &c;
	return send_frame(s, &f.base);
}

/* Ask the relay to deliver again from what we applied. */
static enum node_status
hello(struct node_sync *s, struct node_msg_error *err)
{
	uint64_t cursor = 0;
	enum node_status rc;

	rc = node_inbox_cursor(s->db, &cursor, err);
	if (rc != NODE_OK)
		return rc;
	if (send_resume(s, cursor) != 0 || send_seq_query(s) != 0)
		return node_msg_fail(err, NODE_ERR_BUSY, WIRE_OK,
				     "cannot send resume to the relay: %s",
				     zmq_strerror(zmq_errno()));
	return NODE_OK;
}

/* Send queued messages while the window has room. */
static enum node_status
pump(struct node_sync *s, uint64_t now, struct node_msg_error *err)
{
	struct node_outbox_entry e;
	uint8_t *buf = NULL;
	size_t len = 0;
	enum node_status rc;

	if (!s->connected || s->draining || now < s->retry_at ||
	    s->outbox_idle)
		return NODE_OK;
	while (s->n_fl < s->p.window) {
		memset(&e, 0, sizeof(e));
		rc = node_outbox_next(s->db, s->last_sent_seq, &e, err);
		if (rc == NODE_ERR_NOT_FOUND) {
			s->outbox_idle = 1;
			return NODE_OK;
		}
		if (rc == NODE_ERR_BUSY) {
			retry_later(s, now, 0, "database busy");
			return NODE_OK;
		}
		if (rc != NODE_OK)
			return rc;
		if (frame_pack_submit(e.envelope, e.envelope_len, &buf,
				      &len) != 0) {
			node_outbox_entry_clear(&e);
			return node_msg_fail(err, NODE_ERR_NOMEM, WIRE_OK,
					     "cannot frame message %llu",
					     (unsigned long long)e.seq);
		}
		node_outbox_entry_clear(&e);
		if (zmq_send(s->sock, buf, len, ZMQ_DONTWAIT) < 0) {
			free(buf);
			/* Not connected after all, or the pipe is full:
			 * the message stays queued. */
			retry_later(s, now, 0, "relay not reachable");
			return NODE_OK;
		}
		free(buf);
		memcpy(s->fl[s->n_fl].id, e.message_id, MSGID_LEN);
		s->fl[s->n_fl].seq = e.seq;
		if (s->n_fl++ == 0)
			s->ack_deadline = now + s->p.ack_timeout_ms;
		s->last_sent_seq = e.seq;
		{
			struct node_sync_event ev = {
				.type = NODE_SYNC_SENT,
				.message_id = e.message_id,
				.seq = e.seq,
				.kind = e.kind,
				.party = e.recipient,
			};
			emit(s, &ev);
		}
	}
	return NODE_OK;
}

/* Index of the in-flight message (id, seq), or -1. */
static int
find_in_flight(const struct node_sync *s, const uint8_t *id, uint64_t seq)
{
	unsigned i;

	for (i = 0; i < s->n_fl; i++)
		if (s->fl[i].seq == seq && memcmp(s->fl[i].id, id, MSGID_LEN) == 0)
			return (int)i;
	return -1;
}

static void
remove_in_flight(struct node_sync *s, int i)
{
	memmove(&s->fl[i], &s->fl[i + 1],
		(s->n_fl - (unsigned)i - 1) * sizeof(s->fl[0]));
	s->n_fl--;
}

static int
lowest_in_flight(const struct node_sync *s, int i)
{
	unsigned j;

	for (j = 0; j < s->n_fl; j++)
		if (s->fl[j].seq < s->fl[i].seq)
			return 0;
	return 1;
}

/*
 * Record every pending ack in one transaction, then take the acked
 * messages out of flight. On a busy database they stay in flight: the ack
 * timeout sends them again and the relay answers with duplicate acks.
 */
static enum node_status
flush_acks(struct node_sync *s, uint64_t now, struct node_msg_error *err)
{
	struct node_outbox_ack_item items[NODE_SYNC_WINDOW_DEFAULT];
	enum node_status rc = NODE_OK;
	unsigned done = 0, n, i;
	int k;

	while (done < s->n_acks) {
		n = s->n_acks - done;
		if (n > NODE_SYNC_WINDOW_DEFAULT)
			n = NODE_SYNC_WINDOW_DEFAULT;
		for (i = 0; i < n; i++) {
			memcpy(items[i].message_id, s->acks[done + i].id,
			       MSGID_LEN);
			items[i].seq = s->acks[done + i].seq;
			items[i].ret_changed = &s->acks[done + i].changed;
		}
		rc = node_outbox_ack_many(s->db, items, n, msgid_now_ms(), err);
		if (rc == NODE_ERR_BUSY) {
			emit_simple(s, NODE_SYNC_ERROR,
				    "database busy recording acks");
			rc = NODE_OK;
			break;
		}
		if (rc != NODE_OK)
			break;
		for (i = done; i < done + n; i++) {
			struct pending_ack *a = &s->acks[i];

			k = find_in_flight(s, a->id, a->seq);
			if (k >= 0)
				remove_in_flight(s, k);
			if (a->changed) {
				struct node_sync_event ev = {
					.type = NODE_SYNC_ACKED,
					.message_id = a->id,
					.seq = a->seq,
					.duplicate = a->duplicate,
				};
				emit(s, &ev);
			}
		}
		done += n;
		s->backoff_ms = 0;
		s->ack_deadline = now + s->p.ack_timeout_ms;
	}
	s->n_acks = 0;
	return rc;
}

static enum node_status
on_ack(struct node_sync *s, const Retfed__V1__Ack *a, uint64_t now,
       struct node_msg_error *err)
{
	struct pending_ack *p;

	if (s->n_acks == s->p.window) {
		enum node_status rc = flush_acks(s, now, err);

		if (rc != NODE_OK)
			return rc;
	}
	p = &s->acks[s->n_acks++];
	memcpy(p->id, a->message_id.data, MSGID_LEN);
	p->seq = a->seq;
	p->duplicate = a->duplicate;
	p->changed = 0;
	return NODE_OK;
}

static enum node_status
on_nack(struct node_sync *s, const Retfed__V1__Nack *n, uint64_t now,
	struct node_msg_error *err)
{
	struct node_sync_event ev = {.type = NODE_SYNC_REFUSED};
	unsigned renumbered = 0;
	int i, changed = 0;
	enum node_status rc;

	if (n->message_id.len != MSGID_LEN) {
		/* The relay could not read a frame of ours. */
		retry_later(s, now, n->reason, "relay could not decode a frame");
		return NODE_OK;
	}
	i = find_in_flight(s, n->message_id.data, n->seq);
	if (i < 0)
		return NODE_OK; /* about an earlier round: already handled */
	if (wire_reason_is_transient(n->reason)) {
		/* Only the lowest in flight counts: the later ones were
		 * refused because of it and are sent again with it. */
		if (lowest_in_flight(s, i))
			retry_later(s, now, n->reason, "relay asks to resend");
		return NODE_OK;
	}
	rc = node_outbox_refuse(s->db, s->p.keys, n->message_id.data, n->seq,
				n->reason, n->detail, &changed, &renumbered,
				err);
	if (rc == NODE_ERR_BUSY) {
		retry_later(s, now, n->reason, "database busy recording refusal");
		return NODE_OK;
	}
	if (rc != NODE_OK)
		return rc;
	/* Everything after it was renumbered: start the round again. */
	reset_round(s);
	s->retry_at = now;
	ev.message_id = n->message_id.data;
	ev.seq = n->seq;
	ev.reason = n->reason;
	ev.count = renumbered;
	emit(s, &ev);
	return NODE_OK;
}

static enum node_status
on_delivery(struct node_sync *s, const Retfed__V1__Delivery *d, uint64_t now,
	    struct node_msg_error *err)
{
	struct node_inbox_info info;
	enum node_inbox_result res = NODE_INBOX_REFUSED;
	struct node_msg_error aerr;
	struct node_sync_event ev = {.type = NODE_SYNC_RECEIVED};
	enum node_status rc;

	memset(&aerr, 0, sizeof(aerr));
	rc = node_inbox_accept(s->db, s->p.inbox, d->envelope.data,
			       d->envelope.len, d->cursor, &res, &info, &aerr);
	if (rc == NODE_ERR_BUSY) {
		/* Not applied, not confirmed: ask for it again later. */
		emit_simple(s, NODE_SYNC_ERROR, aerr.detail);
		s->need_resume = 1;
		s->resume_at = now + NODE_SYNC_BACKOFF_MIN_MS * 10;
		return NODE_OK;
	}
	if (rc == NODE_ERR_INVALID) {
		/* Not a delivery we can record (the frame checks make this
		 * unreachable); not confirmed, the relay sends it again. */
		emit_simple(s, NODE_SYNC_ERROR, aerr.detail);
		return NODE_OK;
	}
	if (rc != NODE_OK) {
		*err = aerr;
		return rc;
	}
	ev.message_id = info.message_id;
	ev.seq = info.seq;
	ev.kind = info.kind;
	ev.party = info.sender;
	ev.cursor = d->cursor;
	ev.result = res;
	ev.reason = (int)info.reason;
	ev.detail = res == NODE_INBOX_REFUSED ? aerr.detail : NULL;
	emit(s, &ev);
	/* Committed: now, and only now, the relay may forget it. */
	if (send_confirm(s, d->cursor) != 0)
		emit_simple(s, NODE_SYNC_ERROR, "cannot send confirm");
	return NODE_OK;
}

/* Commit the receipts recorded in this burst, if any. */
static void
receipts_commit(struct node_sync *s)
{
	if (!s->receipt_tx)
		return;
	s->receipt_tx = 0;
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		/* Receipts are informational; the relay has handed them
		 * over, so these are lost, as on a busy database. */
		emit_simple(s, NODE_SYNC_ERROR, sqlite3_errmsg(s->db));
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
}

static enum node_status
on_receipt(struct node_sync *s, const Retfed__V1__Receipt *r,
	   struct node_msg_error *err)
{
	struct node_sync_event ev = {.type = NODE_SYNC_RECEIPT};
	enum node_status rc;

	if (!s->receipt_tx) {
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK) {
			emit_simple(s, NODE_SYNC_ERROR,
				    "database busy recording a receipt");
			return NODE_OK;
		}
		s->receipt_tx = 1;
	}
	rc = node_outbox_receipt(s->db, r->message_id.data, r->recipient,
				 r->received_ms, err);
	if (rc == NODE_ERR_BUSY || rc == NODE_ERR_INVALID) {
		/* The relay sends receipts again after a reconnect. */
		emit_simple(s, NODE_SYNC_ERROR, err ? err->detail : NULL);
		return NODE_OK;
	}
	if (rc != NODE_OK)
		return rc;
	ev.message_id = r->message_id.data;
	ev.party = r->recipient;
	emit(s, &ev);
	return NODE_OK;
}

static enum node_status
on_seq_reply(struct node_sync *s, const Retfed__V1__SeqReply *r,
	     struct node_msg_error *err)
{
	struct node_sync_event ev = {.type = NODE_SYNC_SEQ_REPLY};
	uint64_t last_acked = 0;
	char detail[120];
	enum node_status rc;

	rc = node_outbox_stats(s->db, NULL, NULL, NULL, &last_acked, err);
	if (rc != NODE_OK)
		return rc == NODE_ERR_BUSY ? NODE_OK : rc;
	ev.seq = r->last_seq;
	ev.cursor = last_acked;
	if (r->last_seq < last_acked)
		snprintf(detail, sizeof(detail),
			 "relay lost acked messages: it has %llu, we had "
			 "%llu acked",
			 (unsigned long long)r->last_seq,
			 (unsigned long long)last_acked);
	else if (r->last_seq > last_acked)
		snprintf(detail, sizeof(detail),
			 "relay has %llu messages more than we recorded as "
			 "acked; they are confirmed as duplicates",
			 (unsigned long long)(r->last_seq - last_acked));
	else
		snprintf(detail, sizeof(detail), "in step");
	ev.detail = detail;
	emit(s, &ev);
	return NODE_OK;
}

static enum node_status
on_frame(struct node_sync *s, const uint8_t *buf, size_t len, uint64_t now,
	 struct node_msg_error *err)
{
	struct relay_frame *f = NULL;
	struct wire_error werr;
	enum wire_reason wr;
	enum node_status rc = NODE_OK;

	wire_error_clear(&werr);
	wr = relay_frame_decode(buf, len, &f, &werr);
	if (wr != WIRE_OK) {
		struct node_sync_event ev = {.type = NODE_SYNC_ERROR,
					     .reason = (int)wr,
					     .detail = werr.detail};
		emit(s, &ev);
		return NODE_OK;
	}
	/* Everything else is handled in order after the acks and receipts
	 * before it. */
	if (f->msg->frame_case != RETFED__V1__RELAY_FRAME__FRAME_RECEIPT)
		receipts_commit(s);
	if (f->msg->frame_case != RETFED__V1__RELAY_FRAME__FRAME_ACK &&
	    s->n_acks > 0) {
		rc = flush_acks(s, now, err);
		if (rc != NODE_OK) {
			relay_frame_destroy(&f);
			return rc;
		}
	}
	switch (f->msg->frame_case) {
	case RETFED__V1__RELAY_FRAME__FRAME_ACK:
		rc = on_ack(s, f->msg->ack, now, err);
		break;
	case RETFED__V1__RELAY_FRAME__FRAME_NACK:
		rc = on_nack(s, f->msg->nack, now, err);
		break;
	case RETFED__V1__RELAY_FRAME__FRAME_DELIVERY:
		rc = on_delivery(s, f->msg->delivery, now, err);
		break;
	case RETFED__V1__RELAY_FRAME__FRAME_RECEIPT:
		rc = on_receipt(s, f->msg->receipt, err);
		break;
	case RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY:
		rc = on_seq_reply(s, f->msg->seq_reply, err);
		break;
	default:
		break;
	}
	relay_frame_destroy(&f);
	return rc;
}

/* Read every frame the relay has sent so far (bounded per call). */
static enum node_status
read_socket(struct node_sync *s, uint64_t now, struct node_msg_error *err)
{
	zmq_msg_t m;
	enum node_status rc = NODE_OK;
	int i, more;
	size_t more_len;

	for (i = 0; i < 4096 && rc == NODE_OK; i++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = 0;
		more_len = sizeof(more);
		(void)zmq_getsockopt(s->sock, ZMQ_RCVMORE, &more, &more_len);
		if (more) {
			/* One frame per message: drop the whole thing. */
			zmq_msg_close(&m);
			do {
				zmq_msg_init(&m);
				if (zmq_msg_recv(&m, s->sock, 0) < 0) {
					zmq_msg_close(&m);
					break;
				}
				more_len = sizeof(more);
				(void)zmq_getsockopt(s->sock, ZMQ_RCVMORE,
						     &more, &more_len);
				zmq_msg_close(&m);
			} while (more);
			emit_simple(s, NODE_SYNC_ERROR,
				    "relay sent a multi-part message");
			continue;
		}
		rc = on_frame(s, zmq_msg_data(&m), zmq_msg_size(&m), now, err);
		zmq_msg_close(&m);
	}
	receipts_commit(s);
	if (rc == NODE_OK && s->n_acks > 0)
		rc = flush_acks(s, now, err);
	return rc;
}

static enum node_status
read_monitor(struct node_sync *s, uint64_t now, struct node_msg_error *err)
{
	zmq_msg_t m;
	uint16_t event = 0;
	uint32_t value = 0;
	int more, i;
	size_t more_len;
	enum node_status rc = NODE_OK;

	for (i = 0; i < 64; i++) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		if (zmq_msg_size(&m) >= 6) {
			memcpy(&event, zmq_msg_data(&m), sizeof(event));
			memcpy(&value, (uint8_t *)zmq_msg_data(&m) + 2,
			       sizeof(value));
		}
		more = 0;
		more_len = sizeof(more);
		(void)zmq_getsockopt(s->mon, ZMQ_RCVMORE, &more, &more_len);
		zmq_msg_close(&m);
		while (more) { /* the endpoint address */
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, s->mon, 0) < 0) {
				zmq_msg_close(&m);
				break;
			}
			more_len = sizeof(more);
			(void)zmq_getsockopt(s->mon, ZMQ_RCVMORE, &more,
					     &more_len);
			zmq_msg_close(&m);
		}
		switch (event) {
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			s->rebuild_backoff_ms = 0;
			s->rebuild_at = 0;
			s->connected = 1;
			s->backoff_ms = 0;
			s->retry_at = now;
			s->need_resume = 0;
			reset_round(s);
			emit_simple(s, NODE_SYNC_CONNECTED, NULL);
			rc = hello(s, err);
			if (rc == NODE_ERR_BUSY) {
				emit_simple(s, NODE_SYNC_ERROR, err->detail);
				s->need_resume = 1;
				s->resume_at = now + NODE_SYNC_BACKOFF_MIN_MS;
				rc = NODE_OK;
			}
			break;
		case ZMQ_EVENT_DISCONNECTED:
			if (s->connected) {
				s->connected = 0;
				reset_round(s);
				emit_simple(s, NODE_SYNC_DISCONNECTED, NULL);
				/* After a lost connection libzmq reconnects by
				 * itself; after a protocol error (a relay's
				 * message over ZMQ_MAXMSGSIZE) it ends the
				 * session for good. A rebuild is planned that
				 * the next successful handshake cancels. */
				if (s->rebuild_at == 0) {
					if (s->rebuild_backoff_ms == 0)
						s->rebuild_backoff_ms = 1000;
					s->rebuild_at =
						now + s->rebuild_backoff_ms;
				}
			}
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: {
			struct node_sync_event ev = {
				.type = NODE_SYNC_HANDSHAKE_FAILED,
				.reason = (int)value,
				.detail = event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
						  ? "relay refused our key"
						  : "CURVE handshake failed",
			};
			if (s->rebuild_backoff_ms == 0)
				s->rebuild_backoff_ms = 1000;
			else if (s->rebuild_backoff_ms * 2 >
				 s->p.backoff_max_ms)
				s->rebuild_backoff_ms = s->p.backoff_max_ms;
			else
				s->rebuild_backoff_ms *= 2;
			s->rebuild_at = now + s->rebuild_backoff_ms;
			ev.delay_ms = s->rebuild_backoff_ms;
			emit(s, &ev);
			break;
		}
		default:
			break;
		}
		if (rc != NODE_OK)
			break;
	}
	return rc;
}

/* Cheap check whether another connection committed since last time. */
static void
poll_database(struct node_sync *s, uint64_t now)
{
	sqlite3_stmt *st = NULL;

	s->next_db_poll = now + NODE_SYNC_DB_POLL_MS;
	if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) !=
		    SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return;
	}
	if (sqlite3_column_int64(st, 0) != s->data_version) {
		s->data_version = sqlite3_column_int64(st, 0);
		s->outbox_idle = 0;
	}
	sqlite3_finalize(st);
}

enum node_status
node_sync_handle(struct node_sync *s, const zmq_pollitem_t *items,
		 uint64_t now, struct node_msg_error *err)
{
	enum node_status rc;

	if (items != NULL && (items[1].revents & ZMQ_POLLIN)) {
		rc = read_monitor(s, now, err);
		if (rc != NODE_OK)
			return rc;
	}
	if (items != NULL && (items[0].revents & ZMQ_POLLIN)) {
		rc = read_socket(s, now, err);
		if (rc != NODE_OK)
			return rc;
	}
	if (s->rebuild_at != 0 && now >= s->rebuild_at) {
		s->rebuild_at = 0;
		s->connected = 0;
		reset_round(s);
		close_socket(s);
		rc = open_socket(s, err);
		if (rc != NODE_OK)
			return rc;
		return NODE_OK; /* the new socket is polled next round */
	}
	if (s->n_fl > 0 && now >= s->ack_deadline)
		retry_later(s, now, 0, "no answer from the relay");
	if (s->need_resume && s->connected && now >= s->resume_at) {
		s->need_resume = 0;
		rc = hello(s, err);
		if (rc == NODE_ERR_BUSY) {
			s->need_resume = 1;
			s->resume_at = now + NODE_SYNC_BACKOFF_MIN_MS * 10;
		} else if (rc != NODE_OK) {
			return rc;
		}
	}
	if (now >= s->next_db_poll)
		poll_database(s, now);
	return pump(s, now, err);
}

long
node_sync_timeout_ms(const struct node_sync *s, uint64_t now)
{
	uint64_t next = s->next_db_poll;

	if (s->n_fl > 0 && s->ack_deadline < next)
		next = s->ack_deadline;
	if (s->need_resume && s->resume_at < next)
		next = s->resume_at;
	if (s->rebuild_at != 0 && s->rebuild_at < next)
		next = s->rebuild_at;
	if (s->connected && !s->draining && !s->outbox_idle &&
	    s->n_fl < s->p.window && s->retry_at < next)
		next = s->retry_at;
	if (next <= now)
		return 0;
	if (next - now > NODE_SYNC_DB_POLL_MS)
		return NODE_SYNC_DB_POLL_MS;
	return (long)(next - now);
}

int
node_sync_drain(struct node_sync *s)
{
	s->draining = 1;
	return s->n_fl == 0 || !s->connected;
}

unsigned
node_sync_in_flight(const struct node_sync *s)
{
	return s->n_fl;
}
