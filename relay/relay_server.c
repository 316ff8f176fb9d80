/* relay_server: the relay's event loop, batches and delivery. */
#include "relay_server.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include "log.h"
#include "msgid.h"
#include "notify.h"
#include "relay_metrics.h"
#include "relay_peer.h"
#include "relay_route.h"
#include "relay_zap.h"

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93 /* draft option in libzmq 4.3 */
#endif

#define RID_MAX 256
/* Nack lines per peer and second; the rest are counted in one line, so a
 * peer sending garbage cannot turn the log into its amplifier. */
#define NACK_LOG_PER_SEC 20
/* Frames one party may have refused (permanently) per second before the
 * relay stops decoding and verifying its frames for the rest of that
 * second: signature checks are the relay's main cost, and a party sending
 * garbage must not take them away from honest parties. */
#define REFUSALS_PER_SEC 64
#define TICK_MS 1000
#define LINGER_MS 2000

/* What the relay knows about one connected (or once connected) party. */
struct session {
	char party[PARTY_ID_MAX];
	uint8_t rid[RID_MAX];
	size_t rid_len;
	int connected;
	int dirty;                          /* try to push deliveries */
	uint64_t last_sent;                 /* highest cursor pushed */
	uint64_t inflight[RELAY_SERVER_WINDOW]; /* pushed, unconfirmed */
	size_t head, count;
	uint64_t nack_sec;                  /* second of the nack log budget */
	unsigned nack_logged;               /* nack lines in that second */
	uint64_t nack_suppressed;           /* nack lines not written */
	uint64_t refuse_sec;                /* second of the refusal budget */
	/* Permanent refusals in that second, plus frames being examined by
	 * the verifier threads right now (each holds one unit of the budget
	 * while it is checked, and gives it back unless it is refused), so
	 * two threads together never refuse more than REFUSALS_PER_SEC. */
	atomic_uint refused;
	atomic_uint_fast64_t rate_limited;  /* frames not examined */
};

enum reply_kind { REPLY_NONE, REPLY_ACK, REPLY_NACK, REPLY_SEQ };

/* One frame of a batch, from receipt to reply. */
struct item {
	zmq_msg_t rid, body;
	int has_rid, has_body;
	char party[PARTY_ID_MAX];
	struct session *sess;
	struct client_frame *frame;
	struct envelope *env;
	const struct relay_party *author;
	int stage_b;                        /* reached the transaction */
	int charged;                        /* holds a unit of the budget */
	int has_nack_id;                    /* nack_id, nack_seq are set */
	uint8_t nack_id[MSGID_LEN];         /* of an envelope refused */
	uint64_t nack_seq;                  /* while decoding it */
	enum reply_kind reply;
	int duplicate;
	uint64_t seq_value;
	struct wire_error err;
	int resume;                         /* apply a Resume after commit */
	int is_submit;                      /* carries an envelope to store */
	const uint8_t *env_bytes;           /* that envelope, as received */
	size_t env_len;
	size_t peer;                        /* 1 + peer link index; 0: client */
	uint64_t peer_cursor;               /* the peer's delivery cursor */
	struct relay_frame *peer_frame;     /* the peer's Delivery */
};

/* The second verification thread: takes items of a batch, in arrival
 * order, from the same counter as the main thread. */
struct verifier {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int started, stop, has_work, done;
	atomic_size_t next;                 /* the next item to verify */
	size_t n;                           /* items in the batch */
};

struct relay_server {
	char *config_path;
	struct relay_config *cfg;
	struct relay_store *store;
	void *ctx, *router, *zap;
	struct session **sessions;
	size_t n_sessions, cap_sessions;
	struct item *items;
	size_t n_items;
	const char **rcpt;                  /* scratch for routing */
	size_t rcpt_cap;
	int receipts_pending;
	int stopping;
	struct verifier ver;
	struct relay_peer **peers;          /* links to peer relays */
	size_t n_peers;
	int peer_resume_due;                /* a peer delivery must be redone */
	zmq_pollitem_t *poll;               /* 3 + 2 per peer */
	uint64_t watchdog_ms;               /* systemd watchdog; 0: none */
	uint64_t watchdog_last;
	uint64_t stat_acked, stat_nacked, stat_forwarded;
	struct relay_metrics *metrics;      /* NULL: no metrics configured */
	uint64_t metrics_last;              /* when they were last published */
};

/* How often the metrics (file and endpoint) are rendered anew. */
#define METRICS_EVERY_MS 2000

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Render and publish the metrics (docs/relay.md, "Metrics"). */
static void
metrics_publish(struct relay_server *srv)
{
	char err[256];

	if (srv->metrics == NULL)
		return;
	srv->metrics_last = msgid_now_ms();
	if (relay_metrics_publish(srv->metrics,
				  relay_store_sqlite(srv->store), err,
				  sizeof(err)) != 0)
		log_warn("event=metrics error=\"%s\"", err);
}

static const char *
frame_case_name(const struct client_frame *f)
{
	switch (f->msg->frame_case) {
	case RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT:
		return "submit";
	case RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM:
		return "confirm";
	case RETFED__V1__CLIENT_FRAME__FRAME_RESUME:
		return "resume";
	case RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY:
		return "seq_query";
	default:
		return "none";
	}
}

/* ---------------------------------------------------------------------- */
/* Sessions */

static struct session *
session_find(struct relay_server *srv, const char *party)
{
	size_t i;

	for (i = 0; i < srv->n_sessions; i++)
		if (strcmp(srv->sessions[i]->party, party) == 0)
			return srv->sessions[i];
	return NULL;
}

/*
 * The session of `party` seen at routing id rid. A new routing id means a
 * new connection: the window restarts at the confirmed cursor.
 */
static struct session *
session_touch(struct relay_server *srv, const char *party, const void *rid,
	      size_t rid_len)
{
	struct session *s = session_find(srv, party);
	uint64_t confirmed = 0;

	if (rid_len > RID_MAX)
		return NULL;
	if (s == NULL) {
		if (srv->n_sessions == srv->cap_sessions) {
			size_t cap = srv->cap_sessions ? 2 * srv->cap_sessions
						       : 16;
			struct session **ns = realloc(
				srv->sessions, cap * sizeof(*ns));

			if (ns == NULL)
				return NULL;
			srv->sessions = ns;
			srv->cap_sessions = cap;
		}
		s = calloc(1, sizeof(*s));
		if (s == NULL)
			return NULL;
		snprintf(s->party, sizeof(s->party), "%s", party);
		srv->sessions[srv->n_sessions++] = s;
	}
	if (!s->connected || s->rid_len != rid_len ||
	    memcmp(s->rid, rid, rid_len) != 0) {
		if (relay_store_confirmed(srv->store, party, &confirmed) != 0)
			confirmed = 0;
		memcpy(s->rid, rid, rid_len);
		s->rid_len = rid_len;
		s->connected = 1;
		s->last_sent = confirmed;
		s->head = s->count = 0;
		s->dirty = 1;
		srv->receipts_pending = 1;
		log_info("event=session peer=%s cursor=%" PRIu64, party, confirmed);
	}
	return s;
}

static void
session_confirmed(struct session *s, uint64_t cursor)
{
	while (s->count > 0 && s->inflight[s->head] <= cursor) {
		s->head = (s->head + 1) % RELAY_SERVER_WINDOW;
		s->count--;
	}
	s->dirty = 1;
}

/* ---------------------------------------------------------------------- */
/* Sending */

/*
 * Send one frame to the connection rid. Returns 0, 1 when the peer's
 * queue is full (try later), or -1 when the peer is gone.
 */
static int
send_to(struct relay_server *srv, const uint8_t *rid, size_t rid_len,
	const uint8_t *buf, size_t len)
{
	if (zmq_send(srv->router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return errno == EAGAIN ? 1 : -1;
	if (zmq_send(srv->router, buf, len, ZMQ_DONTWAIT) < 0)
		return errno == EAGAIN ? 1 : -1;
	return 0;
}

/* Write the count of suppressed nack lines of s, if any. */
static void
nack_log_flush(struct session *s)
{
	if (s->nack_suppressed == 0)
		return;
	log_warn("event=nack_suppressed peer=%s count=%" PRIu64
		 " why=\"more than %d refusals in a second\"",
		 s->party, s->nack_suppressed, NACK_LOG_PER_SEC);
	s->nack_suppressed = 0;
}

/*
 * Start the refusal budget of s afresh when a new second began, writing
 * one line about the frames it did not examine in the second that ended.
 */
static void
refusal_budget_roll(struct session *s, uint64_t sec)
{
	uint64_t limited;

	if (sec == s->refuse_sec)
		return;
	limited = atomic_load(&s->rate_limited);
	if (limited > 0)
		log_warn("event=rate_limited peer=%s frames=%" PRIu64
			 " why=\"more than %d refused frames in a second\"",
			 s->party, limited, REFUSALS_PER_SEC);
	s->refuse_sec = sec;
	atomic_store(&s->refused, 0);
	atomic_store(&s->rate_limited, 0);
}

/*
 * Whether the frames of session s are still examined this second: false
 * once REFUSALS_PER_SEC of them were refused with a permanent reason.
 * Main thread only (it may start a new second).
 */
static int
refusal_budget_left(struct session *s)
{
	if (s == NULL)
		return 1;
	refusal_budget_roll(s, msgid_now_ms() / 1000);
	return atomic_load(&s->refused) < REFUSALS_PER_SEC;
}

/*
 * Take one unit of the refusal budget of s before examining a frame of s
 * (any thread). Returns 1, or 0 when the budget is spent and the frame
 * must be answered rate_limited unexamined.
 */
static int
refusal_budget_take(struct session *s)
{
	if (s == NULL)
		return 1;
	if (atomic_fetch_add(&s->refused, 1) >= REFUSALS_PER_SEC) {
		atomic_fetch_sub(&s->refused, 1);
		return 0;
	}
	return 1;
}

/* Give back a unit taken with refusal_budget_take (the frame was not
 * refused with a permanent reason). */
static void
refusal_budget_give(struct session *s)
{
	if (s != NULL)
		atomic_fetch_sub(&s->refused, 1);
}

/* Answer `it` rate_limited without looking at it further. */
static void
rate_limit(struct item *it)
{
	it->reply = REPLY_NACK;
	(void)wire_fail(&it->err, WIRE_RATE_LIMITED,
			"too many refused frames from this party this second; "
			"retry later");
	if (it->sess != NULL)
		atomic_fetch_add(&it->sess->rate_limited, 1);
}

/*
 * Item `it` has just been refused by the main thread (reading or storing):
 * charge a permanent refusal to its party's budget, or, when the budget of
 * this second is spent, answer rate_limited instead, so that no party ever
 * gets more than REFUSALS_PER_SEC permanent refusals in a second.
 */
static void
refusal_budget_charge(struct item *it)
{
	if (it->sess == NULL || it->charged || it->reply != REPLY_NACK ||
	    wire_reason_is_transient((int)it->err.reason))
		return;
	if (refusal_budget_take(it->sess))
		it->charged = 1;
	else
		rate_limit(it);
}

/* Whether one more nack line of session s may be written now. */
static int
nack_log_allowed(struct session *s)
{
	uint64_t sec;

	if (s == NULL)
		return 1;
	sec = msgid_now_ms() / 1000;
	if (sec != s->nack_sec) {
		nack_log_flush(s);
		s->nack_sec = sec;
		s->nack_logged = 0;
	}
	if (s->nack_logged >= NACK_LOG_PER_SEC) {
		s->nack_suppressed++;
		return 0;
	}
	s->nack_logged++;
	return 1;
}

static void
send_reply(struct relay_server *srv, struct item *it)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = -1;
	const Retfed__V1__Body *b = it->env ? it->env->body : NULL;
	const uint8_t *msgid = b ? b->message_id.data
				 : (it->has_nack_id ? it->nack_id : NULL);
	uint64_t seq = b ? b->seq : (it->has_nack_id ? it->nack_seq : 0);
	char hex[MSGID_HEX_LEN] = "-";

	switch (it->reply) {
	case REPLY_NONE:
		return;
	case REPLY_ACK:
		relay_metrics_acked(srv->metrics, it->duplicate);
		if (it->peer) {
			srv->stat_forwarded += !it->duplicate;
			return;
		}
		rc = frame_pack_ack(msgid, seq, it->duplicate, &buf, &len);
		srv->stat_acked++;
		break;
	case REPLY_NACK:
		relay_metrics_refused(srv->metrics, (int)it->err.reason);
		if (msgid)
			msgid_to_hex(msgid, hex);
		if (it->err.reason == WIRE_RATE_LIMITED) {
			/* Counted, and written once a second by the budget. */
		} else if (nack_log_allowed(it->sess))
			log_warn("event=nack peer=%s%s reason=%s msgid=%s "
				 "seq=%" PRIu64 " detail=\"%s\"",
				 it->party[0] ? it->party : "-",
				 it->peer ? " via=link" : "",
				 wire_reason_name((int)it->err.reason), hex,
				 seq, it->err.detail);
		if (it->peer) {
			srv->stat_nacked++;
			return;
		}
		rc = frame_pack_nack(msgid, seq, (int)it->err.reason,
				     it->err.detail, &buf, &len);
		srv->stat_nacked++;
		break;
	case REPLY_SEQ: {
		Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
		Retfed__V1__SeqReply r = RETFED__V1__SEQ_REPLY__INIT;

		r.last_seq = it->seq_value;
		f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY;
		f.seq_reply = &r;
		rc = frame_pack(&f.base, &buf, &len);
		break;
	}
	}
	if (rc != 0) {
		log_err("event=reply peer=%s error=\"cannot encode reply\"", it->party);
		return;
	}
	if (send_to(srv, zmq_msg_data(&it->rid), zmq_msg_size(&it->rid), buf,
		    len) != 0)
		log_info("event=reply peer=%s dropped=1 why=\"peer gone or queue "
			 "full\"", it->party);
	free(buf);
}

struct push_ctx {
	struct relay_server *srv;
	struct session *s;
	int blocked;
	size_t sent;
};

static int
push_one(void *ctx, uint64_t cursor, const uint8_t *env, size_t len)
{
	struct push_ctx *pc = ctx;
	struct session *s = pc->s;
	uint8_t *buf = NULL;
	size_t blen = 0;
	int rc;

	if (frame_pack_delivery(cursor, env, len, &buf, &blen) != 0) {
		log_err("event=deliver peer=%s cursor=%" PRIu64
			" error=\"cannot encode delivery\"", s->party, cursor);
		pc->blocked = 1;
		return 1;
	}
	rc = send_to(pc->srv, s->rid, s->rid_len, buf, blen);
	free(buf);
	if (rc != 0) {
		pc->blocked = 1;
		if (rc < 0) {
			s->connected = 0;
			log_info("event=disconnected peer=%s", s->party);
		}
		return 1;
	}
	s->inflight[(s->head + s->count) % RELAY_SERVER_WINDOW] = cursor;
	s->count++;
	s->last_sent = cursor;
	pc->sent++;
	return 0;
}

/* Push deliveries to every dirty, connected session within its window. */
static void
push_deliveries(struct relay_server *srv, int all)
{
	size_t i;

	for (i = 0; i < srv->n_sessions; i++) {
		struct session *s = srv->sessions[i];
		struct push_ctx pc = {srv, s, 0, 0};

		if (!s->connected || (!s->dirty && !all))
			continue;
		s->dirty = 0;
		if (s->count >= RELAY_SERVER_WINDOW)
			continue;
		if (relay_store_deliveries(srv->store, s->party, s->last_sent,
					   RELAY_SERVER_WINDOW - s->count,
					   push_one, &pc) != 0)
			log_err("event=deliver peer=%s error=\"%s\"", s->party,
				relay_store_errmsg(srv->store));
		if (pc.sent > 0)
			log_debug("event=deliver peer=%s count=%zu cursor=%" PRIu64,
				  s->party, pc.sent, s->last_sent);
	}
}

struct receipt_ctx {
	struct relay_server *srv;
	struct session *s;
	size_t sent;
	int failed;
};

static int
push_receipt(void *ctx, int64_t id, const uint8_t *msgid,
	     const char *recipient, uint64_t received_ms)
{
	struct receipt_ctx *rc = ctx;
	Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
	Retfed__V1__Receipt r;
	uint8_t *buf = NULL;
	size_t len = 0;
	int st;
	uint8_t idbuf[MSGID_LEN];
	char who[PARTY_ID_MAX];

	/* The INIT macro casts away const, which clang's -Wcast-qual refuses;
	 * copies, because the protobuf-c structs take non-const pointers. */
	retfed__v1__receipt__init(&r);
	memcpy(idbuf, msgid, MSGID_LEN);
	snprintf(who, sizeof(who), "%s", recipient);
	r.message_id.data = idbuf;
	r.message_id.len = MSGID_LEN;
	r.recipient = who;
	r.received_ms = received_ms;
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_RECEIPT;
	f.receipt = &r;
	if (frame_pack(&f.base, &buf, &len) != 0)
		return 1;
	st = send_to(rc->srv, rc->s->rid, rc->s->rid_len, buf, len);
	free(buf);
	if (st != 0) {
		if (st < 0)
			rc->s->connected = 0;
		return 1;
	}
	if (relay_store_receipt_done(rc->srv->store, id) != 0) {
		rc->failed = 1;
		return 1;
	}
	rc->sent++;
	return 0;
}

/*
 * Hand pending receipts to connected parties; each receipt is deleted once
 * sent, in one transaction (a failed commit means they are sent again:
 * receipts are at-least-once like deliveries).
 */
static void
push_receipts(struct relay_server *srv)
{
	size_t i;
	int failed = 0;

	if (!srv->receipts_pending)
		return;
	srv->receipts_pending = 0;
	if (relay_store_begin(srv->store) != 0) {
		log_err("event=receipts error=\"%s\"", relay_store_errmsg(srv->store));
		return;
	}
	for (i = 0; i < srv->n_sessions && !failed; i++) {
		struct session *s = srv->sessions[i];
		struct receipt_ctx rc = {srv, s, 0, 0};

		if (!s->connected)
			continue;
		if (relay_store_receipts(srv->store, s->party, 256,
					 push_receipt, &rc) != 0 ||
		    rc.failed)
			failed = 1;
		if (rc.sent == 256)
			srv->receipts_pending = 1;
		if (rc.sent > 0)
			log_debug("event=receipts peer=%s count=%zu", s->party,
				  rc.sent);
	}
	if (failed) {
		log_err("event=receipts error=\"%s\"", relay_store_errmsg(srv->store));
		relay_store_rollback(srv->store);
		return;
	}
	if (relay_store_commit(srv->store) != 0)
		log_err("event=receipts error=\"%s\"", relay_store_errmsg(srv->store));
}

/* ---------------------------------------------------------------------- */
/* Stage A: decode and verify (no database, safe on a second thread) */

static void
nack(struct item *it, enum wire_reason r, const char *detail)
{
	it->reply = REPLY_NACK;
	(void)wire_fail(&it->err, r, "%s", detail);
}

static void
stage_check(const struct relay_config *cfg, struct item *it)
{
	const uint8_t *data;
	size_t len;
	const Retfed__V1__ClientFrame *f;
	enum wire_reason r;

	if (it->peer) {
		const Retfed__V1__RelayFrame *rf = it->peer_frame->msg;

		if (rf->frame_case != RETFED__V1__RELAY_FRAME__FRAME_DELIVERY)
			return; /* a receipt: handled in stage_store */
		it->is_submit = 1;
		it->env_bytes = rf->delivery->envelope.data;
		it->env_len = rf->delivery->envelope.len;
		goto envelope;
	}
	data = zmq_msg_data(&it->body);
	len = zmq_msg_size(&it->body);
	if (len > FRAME_MAX) {
		nack(it, WIRE_TOO_LARGE, "the frame is over the size limit");
		return;
	}
	r = client_frame_decode(data, len, &it->frame, &it->err);
	if (r != WIRE_OK) {
		it->reply = REPLY_NACK;
		return;
	}
	f = it->frame->msg;
	if (f->frame_case != RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT)
		return;
	it->is_submit = 1;
	it->env_bytes = f->submit.data;
	it->env_len = f->submit.len;
envelope:
	r = envelope_decode(it->env_bytes, it->env_len, &it->env, &it->err);
	if (r != WIRE_OK) {
		/* The answer names the envelope whenever its header could be
		 * read (docs/protocol.md 8.2). */
		it->has_nack_id = envelope_peek_ids(it->env_bytes, it->env_len,
						    it->nack_id,
						    &it->nack_seq);
		it->reply = REPLY_NACK;
		return;
	}
	r = relay_route_author(cfg, it->party, it->env->body->sender,
			       (int)it->env->body->kind, &it->author,
			       &it->err);
	if (r == WIRE_OK)
		r = envelope_verify(it->env, it->author->signing_key, &it->err);
	if (r != WIRE_OK)
		it->reply = REPLY_NACK;
}

/*
 * Stage A for one item (either thread): decode and verify it within its
 * party's refusal budget, which it holds while it is examined and keeps
 * only when it is refused for good.
 */
static void
stage_verify(const struct relay_config *cfg, struct item *it)
{
	if (it->reply != REPLY_NONE)
		return;
	if (!refusal_budget_take(it->sess)) {
		rate_limit(it);
		return;
	}
	stage_check(cfg, it);
	if (it->reply == REPLY_NACK &&
	    !wire_reason_is_transient((int)it->err.reason))
		it->charged = it->sess != NULL;
	else
		refusal_budget_give(it->sess);
}

static void *
verifier_main(void *arg)
{
	struct relay_server *srv = arg;
	struct verifier *v = &srv->ver;
	size_t i, n;

	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->has_work && !v->stop)
			pthread_cond_wait(&v->cv, &v->mu);
		if (v->stop)
			break;
		n = v->n;
		pthread_mutex_unlock(&v->mu);
		while ((i = atomic_fetch_add(&v->next, 1)) < n)
			stage_verify(srv->cfg, &srv->items[i]);
		pthread_mutex_lock(&v->mu);
		v->has_work = 0;
		v->done = 1;
		pthread_cond_broadcast(&v->cv);
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

/*
 * Verify the batch on both threads. They take the items from one counter
 * in arrival order, so the load is shared whatever each item costs, and
 * the refusal budget is spent on a party's earliest frames.
 */
static void
verify_batch(struct relay_server *srv)
{
	struct verifier *v = &srv->ver;
	size_t n = srv->n_items, i;

	if (!v->started || n < 4) {
		for (i = 0; i < n; i++)
			stage_verify(srv->cfg, &srv->items[i]);
		return;
	}
	pthread_mutex_lock(&v->mu);
	atomic_store(&v->next, 0);
	v->n = n;
	v->done = 0;
	v->has_work = 1;
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	while ((i = atomic_fetch_add(&v->next, 1)) < n)
		stage_verify(srv->cfg, &srv->items[i]);
	pthread_mutex_lock(&v->mu);
	while (!v->done)
		pthread_cond_wait(&v->cv, &v->mu);
	pthread_mutex_unlock(&v->mu);
}

/* ---------------------------------------------------------------------- */
/* Stage B: route and store, inside the batch transaction */

static void
mark_dirty(struct relay_server *srv, const char *party)
{
	struct session *s = session_find(srv, party);

	if (s != NULL)
		s->dirty = 1;
}

/* Route and store one verified envelope. Returns 0, or -1 (database). */
static int
store_submit(struct relay_server *srv, struct item *it)
{
	const Retfed__V1__Body *b = it->env->body;
	struct relay_store_msg m;
	enum relay_store_verdict verdict;
	enum wire_reason r;
	size_t n = 0, i;

	r = relay_route_recipients(srv->cfg, b, srv->store, srv->rcpt,
				   srv->rcpt_cap, &n, &it->err);
	if (r == WIRE_STORE_FAILED)
		return -1;
	if (r != WIRE_OK) {
		it->reply = REPLY_NACK;
		return 0;
	}
	memset(&m, 0, sizeof(m));
	m.msgid = b->message_id.data;
	m.sender = b->sender;
	m.origin = it->party;
	m.seq = b->seq;
	m.kind = (int)b->kind;
	if (b->payload_case == RETFED__V1__BODY__PAYLOAD_DECISION &&
	    b->decision->request_id.len == MSGID_LEN)
		m.request_id = b->decision->request_id.data;
	m.envelope = it->env_bytes;
	m.envelope_len = it->env_len;
	m.now_ms = msgid_now_ms();
	/* An author of another BEN sends us only what crosses the boundary:
	 * its numbers must grow, but may skip. */
	m.allow_gap = strcmp(it->author->ben, srv->cfg->ben) != 0;
	if (relay_store_submit(srv->store, &m, srv->rcpt, n, &verdict) != 0)
		return -1;
	switch (verdict) {
	case RELAY_STORE_STORED:
		it->reply = REPLY_ACK;
		for (i = 0; i < n; i++)
			mark_dirty(srv, srv->rcpt[i]);
		break;
	case RELAY_STORE_DUPLICATE:
		it->reply = REPLY_ACK;
		it->duplicate = 1;
		break;
	case RELAY_STORE_REPLAY:
		nack(it, WIRE_REPLAY,
		     "the sequence number is at or below the last stored one");
		break;
	case RELAY_STORE_SEQ_GAP:
		nack(it, WIRE_SEQ_GAP,
		     "the sequence number skips ahead; resend in order");
		break;
	}
	return 0;
}

/* Returns 0, or -1 when the database failed (the batch is rolled back). */
static int
stage_store(struct relay_server *srv, struct item *it)
{
	const Retfed__V1__ClientFrame *f;
	int ok = 0;

	if (it->reply != REPLY_NONE)
		return 0;
	if (it->is_submit) {
		it->stage_b = 1;
		return store_submit(srv, it);
	}
	if (it->peer) {
		const Retfed__V1__Receipt *r = it->peer_frame->msg->receipt;

		/* The other BEN's recipient confirmed what we forwarded. */
		if (relay_store_receipt_forward(srv->store, r->message_id.data,
						r->recipient, r->received_ms,
						&ok) != 0)
			return -1;
		srv->receipts_pending |= ok;
		return 0;
	}
	if (it->frame == NULL)
		return 0;
	f = it->frame->msg;
	it->stage_b = 1;
	switch (f->frame_case) {
	case RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM:
		if (relay_store_confirm(srv->store, it->party,
					f->confirm->cursor, msgid_now_ms(),
					&ok) != 0)
			return -1;
		if (!ok) {
			nack(it, WIRE_OUT_OF_RANGE,
			     "the confirmed cursor is beyond the last "
			     "delivery");
			return 0;
		}
		srv->receipts_pending = 1;
		return 0;
	case RETFED__V1__CLIENT_FRAME__FRAME_RESUME:
		if (relay_store_confirm(srv->store, it->party,
					f->resume->after_cursor,
					msgid_now_ms(), &ok) != 0)
			return -1;
		if (!ok) {
			nack(it, WIRE_OUT_OF_RANGE,
			     "the resume cursor is beyond the last delivery");
			return 0;
		}
		it->resume = 1;
		srv->receipts_pending = 1;
		return 0;
	case RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY:
		if (relay_store_last_seq(srv->store, it->party,
					 &it->seq_value) != 0)
			return -1;
		it->reply = REPLY_SEQ;
		return 0;
	default:
		nack(it, WIRE_MISSING_FIELD, "the frame is empty");
		return 0;
	}
}

/* After COMMIT: move windows for confirms and resumes. */
static void
apply_committed(struct relay_server *srv, struct item *it)
{
	const Retfed__V1__ClientFrame *f;
	uint64_t confirmed = 0;

	if (it->frame == NULL || it->sess == NULL || it->reply == REPLY_NACK)
		return;
	f = it->frame->msg;
	if (f->frame_case == RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM) {
		session_confirmed(it->sess, f->confirm->cursor);
	} else if (it->resume) {
		if (relay_store_confirmed(srv->store, it->party, &confirmed) !=
		    0)
			confirmed = 0;
		it->sess->last_sent = confirmed;
		it->sess->head = it->sess->count = 0;
		it->sess->dirty = 1;
		log_info("event=resume peer=%s cursor=%" PRIu64, it->party,
			 confirmed);
	}
}

static void
item_clear(struct item *it)
{
	if (it->has_rid)
		zmq_msg_close(&it->rid);
	if (it->has_body)
		zmq_msg_close(&it->body);
	client_frame_destroy(&it->frame);
	relay_frame_destroy(&it->peer_frame);
	envelope_destroy(&it->env);
	memset(it, 0, sizeof(*it));
}

/* Read one waiting message into *it. Returns 1, 0 if none, -1 on error. */
static int
read_item(struct relay_server *srv, struct item *it)
{
	int more = 0;
	size_t more_len = sizeof(more);
	const char *uid;
	int extra = 0;

	memset(it, 0, sizeof(*it));
	zmq_msg_init(&it->rid);
	it->has_rid = 1;
	if (zmq_msg_recv(&it->rid, srv->router, ZMQ_DONTWAIT) < 0) {
		int e = errno;

		item_clear(it);
		return e == EAGAIN ? 0 : (e == EINTR ? 0 : -1);
	}
	zmq_msg_init(&it->body);
	it->has_body = 1;
	if (zmq_getsockopt(srv->router, ZMQ_RCVMORE, &more, &more_len) != 0 ||
	    !more) {
		nack(it, WIRE_MALFORMED, "a message needs exactly one frame");
		return 1;
	}
	if (zmq_msg_recv(&it->body, srv->router, 0) < 0) {
		item_clear(it);
		return -1;
	}
	for (;;) {
		zmq_msg_t extra_part;

		more_len = sizeof(more);
		if (zmq_getsockopt(srv->router, ZMQ_RCVMORE, &more,
				   &more_len) != 0 || !more)
			break;
		zmq_msg_init(&extra_part);
		if (zmq_msg_recv(&extra_part, srv->router, 0) < 0) {
			zmq_msg_close(&extra_part);
			break;
		}
		zmq_msg_close(&extra_part);
		extra = 1;
	}
	uid = zmq_msg_gets(&it->body, "User-Id");
	if (uid == NULL || !party_id_valid(uid)) {
		/* Cannot happen with our ZAP handler; refuse rather than guess. */
		nack(it, WIRE_UNKNOWN_SENDER, "the connection is not "
					      "authenticated");
		return 1;
	}
	snprintf(it->party, sizeof(it->party), "%s", uid);
	it->sess = session_touch(srv, it->party, zmq_msg_data(&it->rid),
				 zmq_msg_size(&it->rid));
	if (!refusal_budget_left(it->sess)) {
		/* Not decoded, not verified: see REFUSALS_PER_SEC. */
		rate_limit(it);
	} else if (extra) {
		nack(it, WIRE_MALFORMED, "a message needs exactly one frame");
		refusal_budget_charge(it);
	}
	return 1;
}

/*
 * Take waiting frames from the link to peer k into the batch: each
 * Delivery becomes an item submitted as by the peer relay itself.
 */
static void
read_peer(struct relay_server *srv, size_t k)
{
	struct relay_peer *p = srv->peers[k];
	struct wire_error err;
	struct relay_frame *f = NULL;
	int rc;

	while (srv->n_items < RELAY_SERVER_BATCH) {
		struct item *it;

		rc = relay_peer_recv(p, &f, &err);
		if (rc == 0)
			return;
		if (rc < 0) {
			log_warn("event=link_frame peer=%s reason=%s "
				 "detail=\"%s\"", relay_peer_party(p),
				 wire_reason_name((int)err.reason), err.detail);
			continue;
		}
		switch (f->msg->frame_case) {
		case RETFED__V1__RELAY_FRAME__FRAME_DELIVERY:
		case RETFED__V1__RELAY_FRAME__FRAME_RECEIPT:
			it = &srv->items[srv->n_items++];
			memset(it, 0, sizeof(*it));
			snprintf(it->party, sizeof(it->party), "%s",
				 relay_peer_party(p));
			it->peer = k + 1;
			if (f->msg->frame_case ==
			    RETFED__V1__RELAY_FRAME__FRAME_DELIVERY)
				it->peer_cursor = f->msg->delivery->cursor;
			it->peer_frame = f;
			f = NULL;
			break;
		case RETFED__V1__RELAY_FRAME__FRAME_NACK:
			log_warn("event=link_nack peer=%s reason=%s "
				 "detail=\"%s\"", relay_peer_party(p),
				 wire_reason_name((int)f->msg->nack->reason),
				 f->msg->nack->detail);
			srv->peer_resume_due = 1;
			break;
		default:
			break;
		}
		relay_frame_destroy(&f);
	}
}

/*
 * After the batch: confirm to each peer the deliveries it sent that are now
 * stored here (or refused for good), in cursor order; a transient refusal
 * stops the confirms of that peer and asks for its deliveries again.
 */
static void
confirm_peers(struct relay_server *srv, int db_failed)
{
	size_t k, i;

	for (k = 0; k < srv->n_peers; k++) {
		uint64_t upto = 0;
		int blocked = 0;

		for (i = 0; i < srv->n_items && !blocked; i++) {
			struct item *it = &srv->items[i];

			if (it->peer != k + 1 || it->peer_cursor == 0)
				continue; /* another link's, or a receipt */
			if (db_failed || (it->reply == REPLY_NACK &&
					  wire_reason_is_transient(
						  (int)it->err.reason))) {
				blocked = 1;
				srv->peer_resume_due = 1;
				continue;
			}
			upto = it->peer_cursor;
		}
		if (upto > 0 && relay_peer_send_confirm(srv->peers[k], upto) != 0)
			log_warn("event=link_confirm peer=%s cursor=%" PRIu64
				 " error=\"%s\"",
				 relay_peer_party(srv->peers[k]), upto,
				 zmq_strerror(errno));
	}
}

/* One turn: read, verify, store, commit, reply, push. */
static int
handle_batch(struct relay_server *srv)
{
	size_t i;
	int rc = 0, db_failed = 0, stored = 0, n_submits = 0;
	uint64_t t0, t1;

	srv->n_items = 0;
	while (srv->n_items < RELAY_SERVER_BATCH) {
		rc = read_item(srv, &srv->items[srv->n_items]);
		if (rc <= 0)
			break;
		srv->n_items++;
	}
	if (rc < 0)
		log_err("event=receive error=\"%s\"", zmq_strerror(errno));
	for (i = 0; i < srv->n_peers; i++)
		read_peer(srv, i);
	if (srv->n_items == 0)
		return rc < 0 ? -1 : 0;

	t0 = mono_us();
	verify_batch(srv);
	t1 = mono_us();
	relay_metrics_verify(srv->metrics, t1 - t0, srv->n_items);

	if (relay_store_begin(srv->store) != 0) {
		db_failed = 1;
	} else {
		for (i = 0; i < srv->n_items && !db_failed; i++) {
			struct item *it = &srv->items[i];

			if (stage_store(srv, it) != 0)
				db_failed = 1;
			else
				refusal_budget_charge(it);
		}
		if (db_failed)
			relay_store_rollback(srv->store);
		else if (relay_store_commit(srv->store) != 0)
			db_failed = 1;
	}
	relay_metrics_commit(srv->metrics, mono_us() - t1, !db_failed);
	if (db_failed)
		log_err("event=store error=\"%s\" batch=%zu",
			relay_store_errmsg(srv->store), srv->n_items);

	for (i = 0; i < srv->n_items; i++) {
		struct item *it = &srv->items[i];

		if (it->is_submit)
			n_submits++;
		if (db_failed && (it->frame != NULL || it->peer) &&
		    (it->stage_b || it->reply == REPLY_NONE)) {
			int fc = it->frame ? (int)it->frame->msg->frame_case
					   : 0;

			if (it->charged) {
				refusal_budget_give(it->sess);
				it->charged = 0;
			}
			if (it->is_submit ||
			    fc == RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY)
				nack(it, WIRE_STORE_FAILED,
				     "the relay could not store; retry later");
			else
				it->reply = REPLY_NONE; /* sent again later */
			continue;
		}
		if (!db_failed)
			apply_committed(srv, it);
		if (it->reply == REPLY_ACK && !it->duplicate)
			stored++;
		if (it->frame && it->reply == REPLY_NONE)
			log_debug("event=frame peer=%s kind=%s", it->party,
				  frame_case_name(it->frame));
	}
	for (i = 0; i < srv->n_items; i++)
		send_reply(srv, &srv->items[i]);
	confirm_peers(srv, db_failed);
	for (i = 0; i < srv->n_items; i++)
		item_clear(&srv->items[i]);
	if (stored > 0 || n_submits > 0)
		log_debug("event=batch frames=%zu submits=%d stored=%d",
			  srv->n_items, n_submits, stored);
	srv->n_items = 0;
	push_deliveries(srv, 0);
	push_receipts(srv);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Signals and reload */

static void
reload(struct relay_server *srv)
{
	struct relay_config *cfg = NULL;
	char err[RELAY_CONFIG_ERR_MAX];
	const char **rcpt;

	if (relay_config_load(srv->config_path, &cfg, err, sizeof(err)) != 0) {
		log_err("event=reload failed=1 error=\"%s\" keeping=old", err);
		return;
	}
	if (strcmp(cfg->party, srv->cfg->party) != 0 ||
	    strcmp(cfg->ben, srv->cfg->ben) != 0 ||
	    strcmp(cfg->listen, srv->cfg->listen) != 0 ||
	    strcmp(cfg->database, srv->cfg->database) != 0 ||
	    strcmp(cfg->key_file, srv->cfg->key_file) != 0 ||
	    strcmp(cfg->zap_domain, srv->cfg->zap_domain) != 0)
		log_warn("event=reload note=\"party, ben, listen, key_file, database "
			 "and zap_domain change only on restart\"");
	rcpt = realloc(srv->rcpt, (cfg->n_parties + 1) * sizeof(*rcpt));
	if (rcpt == NULL) {
		log_err("event=reload failed=1 error=\"out of memory\" keeping=old");
		relay_config_destroy(&cfg);
		return;
	}
	srv->rcpt = rcpt;
	srv->rcpt_cap = cfg->n_parties + 1;
	/* Keep the fields that only change on restart. */
	memcpy(cfg->party, srv->cfg->party, sizeof(cfg->party));
	memcpy(cfg->ben, srv->cfg->ben, sizeof(cfg->ben));
	memcpy(cfg->zap_domain, srv->cfg->zap_domain, sizeof(cfg->zap_domain));
	relay_config_destroy(&srv->cfg);
	srv->cfg = cfg;
	log_notice("event=reload ok=1 parties=%zu", cfg->n_parties);
}

/* Returns 1 to stop. */
static int
handle_signal(struct relay_server *srv, int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP) {
		reload(srv);
		return 0;
	}
	log_notice("event=signal signal=%s stopping=1",
		   si.ssi_signo == SIGTERM ? "TERM" : "INT");
	return 1;
}

static void
handle_zap(struct relay_server *srv)
{
	struct relay_zap_result zr;
	int i;

	for (i = 0; i < 64; i++) {
		if (relay_zap_handle(srv->zap, srv->cfg, &zr) != 0) {
			log_err("event=zap error=\"%s\"", zmq_strerror(errno));
			return;
		}
		if (!zr.handled)
			return;
		if (zr.accepted)
			log_info("event=connect peer=%s address=%s", zr.party,
				 zr.address);
		else
			log_warn("event=refused address=%s key=%.8s... why=\"%s\"",
				 zr.address[0] ? zr.address : "-",
				 zr.key[0] ? zr.key : "-", zr.why);
	}
}

/* Tell systemd's watchdog the event loop is alive. */
static void
watchdog_ping(struct relay_server *srv)
{
	if (srv->watchdog_ms == 0)
		return;
	(void)notify_send("WATCHDOG=1");
	srv->watchdog_last = msgid_now_ms();
}

/* Links that (re)connected get a Resume; a redo is sent on the tick. */
static void
handle_peer_events(struct relay_server *srv, size_t k, int tick)
{
	struct relay_peer *p = srv->peers[k];
	int resume = relay_peer_monitor_events(p);

	if (resume)
		log_info("event=link_up peer=%s", relay_peer_party(p));
	if (tick && srv->peer_resume_due && relay_peer_connected(p))
		resume = 1;
	if (resume && relay_peer_send_resume(p) != 0)
		log_warn("event=link_resume peer=%s error=\"%s\"",
			 relay_peer_party(p), zmq_strerror(errno));
}

int
relay_server_run(struct relay_server *srv, int signal_fd)
{
	zmq_pollitem_t *items = srv->poll;
	size_t n = 3 + 2 * srv->n_peers, k;
	int stop = 0, rc, readable;

	metrics_publish(srv);
	while (!stop) {
		memset(items, 0, n * sizeof(*items));
		items[0].socket = srv->router;
		items[0].events = ZMQ_POLLIN;
		items[1].socket = srv->zap;
		items[1].events = ZMQ_POLLIN;
		items[2].fd = signal_fd;
		items[2].events = ZMQ_POLLIN;
		for (k = 0; k < srv->n_peers; k++) {
			items[3 + 2 * k].socket = relay_peer_socket(srv->peers[k]);
			items[3 + 2 * k].events = ZMQ_POLLIN;
			items[4 + 2 * k].socket =
				relay_peer_monitor(srv->peers[k]);
			items[4 + 2 * k].events = ZMQ_POLLIN;
		}
		rc = zmq_poll(items, (int)n, TICK_MS);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			log_err("event=poll error=\"%s\"", zmq_strerror(errno));
			return -1;
		}
		if (items[1].revents & ZMQ_POLLIN)
			handle_zap(srv);
		readable = (items[0].revents & ZMQ_POLLIN) != 0;
		for (k = 0; k < srv->n_peers; k++)
			readable |= (items[3 + 2 * k].revents & ZMQ_POLLIN) != 0;
		if (readable && handle_batch(srv) != 0)
			return -1;
		for (k = 0; k < srv->n_peers; k++)
			if ((items[4 + 2 * k].revents & ZMQ_POLLIN) || rc == 0)
				handle_peer_events(srv, k, rc == 0);
		if (rc == 0)
			srv->peer_resume_due = 0;
		if (items[2].revents & ZMQ_POLLIN)
			stop = handle_signal(srv, signal_fd);
		if (srv->metrics != NULL &&
		    msgid_now_ms() - srv->metrics_last >= METRICS_EVERY_MS)
			metrics_publish(srv);
		if (rc == 0) {
			push_deliveries(srv, 1);
			push_receipts(srv);
			for (k = 0; k < srv->n_sessions; k++)
				nack_log_flush(srv->sessions[k]);
			watchdog_ping(srv);
		} else if (srv->watchdog_ms > 0 &&
			   msgid_now_ms() - srv->watchdog_last >=
				   srv->watchdog_ms / 2) {
			watchdog_ping(srv);
		}
	}
	metrics_publish(srv);
	log_notice("event=stopped acked=%" PRIu64 " nacked=%" PRIu64
		   " forwarded=%" PRIu64,
		   srv->stat_acked, srv->stat_nacked, srv->stat_forwarded);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Construction */

static int
set_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof(v));
}

struct relay_server *
relay_server_new(const char *config_path, struct relay_config *cfg,
		 struct relay_store *store, const struct keyfile *kf,
		 char *errbuf, size_t errlen)
{
	struct relay_server *srv = calloc(1, sizeof(*srv));
	int64_t maxmsg = FRAME_WIRE_MAX;
	const char *what = "out of memory";
	size_t i;

	if (srv == NULL) {
		relay_config_destroy(&cfg);
		relay_store_destroy(&store);
		snprintf(errbuf, errlen, "%s", what);
		return NULL;
	}
	srv->cfg = cfg;
	srv->store = store;
	srv->config_path = strdup(config_path);
	srv->items = calloc(RELAY_SERVER_BATCH, sizeof(*srv->items));
	srv->rcpt_cap = cfg->n_parties + 1;
	srv->rcpt = calloc(srv->rcpt_cap, sizeof(*srv->rcpt));
	if (srv->config_path == NULL || srv->items == NULL || srv->rcpt == NULL)
		goto fail;
	what = "cannot create the ZeroMQ context";
	srv->ctx = zmq_ctx_new();
	if (srv->ctx == NULL)
		goto fail;
	what = "cannot bind the ZAP handler";
	srv->zap = relay_zap_open(srv->ctx);
	if (srv->zap == NULL)
		goto fail;
	what = "cannot create the ROUTER socket";
	srv->router = zmq_socket(srv->ctx, ZMQ_ROUTER);
	if (srv->router == NULL)
		goto fail;
	what = "cannot set CURVE server options";
	if (set_int(srv->router, ZMQ_CURVE_SERVER, 1) != 0 ||
	    zmq_setsockopt(srv->router, ZMQ_CURVE_SECRETKEY, kf->transport_sk,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(srv->router, ZMQ_ZAP_DOMAIN, cfg->zap_domain,
			   strlen(cfg->zap_domain)) != 0 ||
	    zmq_setsockopt(srv->router, ZMQ_MAXMSGSIZE, &maxmsg,
			   sizeof(maxmsg)) != 0 ||
	    set_int(srv->router, ZMQ_ROUTER_MANDATORY, 1) != 0 ||
	    set_int(srv->router, ZMQ_LINGER, LINGER_MS) != 0 ||
	    set_int(srv->router, ZMQ_SNDHWM, 10000) != 0 ||
	    set_int(srv->router, ZMQ_RCVHWM, 10000) != 0)
		goto fail;
	/* A draft option in libzmq 4.3: refused by builds without drafts,
	 * where our ZAP handler is consulted for CURVE anyway. */
	(void)set_int(srv->router, ZMQ_ZAP_ENFORCE_DOMAIN, 1);
	what = "cannot bind the listen endpoint";
	if (zmq_bind(srv->router, cfg->listen) != 0)
		goto fail;
	what = "cannot create the links to peer relays";
	srv->peers = calloc(cfg->n_parties + 1, sizeof(*srv->peers));
	if (srv->peers == NULL)
		goto fail;
	for (i = 0; i < cfg->n_parties; i++) {
		const struct relay_party *p = &cfg->parties[i];

		if (party_role_of(p->id) != PARTY_RELAY || p->endpoint[0] == 0)
			continue;
		srv->peers[srv->n_peers] =
			relay_peer_new(srv->ctx, srv->n_peers, p, kf);
		if (srv->peers[srv->n_peers] == NULL)
			goto fail;
		srv->n_peers++;
	}
	srv->poll = calloc(3 + 2 * srv->n_peers, sizeof(*srv->poll));
	if (srv->poll == NULL)
		goto fail;
	what = "cannot start the metrics (metrics_listen port in use?)";
	if (cfg->metrics_port != 0 || cfg->metrics_file[0] != '\0') {
		char merr[256];

		srv->metrics = relay_metrics_new(cfg->metrics_file,
						 cfg->metrics_port, merr,
						 sizeof(merr));
		if (srv->metrics == NULL)
			goto fail;
	}
	srv->watchdog_ms = notify_watchdog_usec() / 1000;
	if (pthread_mutex_init(&srv->ver.mu, NULL) == 0) {
		if (pthread_cond_init(&srv->ver.cv, NULL) != 0) {
			pthread_mutex_destroy(&srv->ver.mu);
		} else if (pthread_create(&srv->ver.thread, NULL, verifier_main,
					  srv) == 0) {
			srv->ver.started = 1;
		} else {
			pthread_cond_destroy(&srv->ver.cv);
			pthread_mutex_destroy(&srv->ver.mu);
		}
	}
	return srv;
fail:
	snprintf(errbuf, errlen, "%s: %s", what,
		 srv->ctx ? zmq_strerror(errno) : "");
	relay_server_destroy(&srv);
	return NULL;
}

void
relay_server_destroy(struct relay_server **srvp)
{
	struct relay_server *srv;
	size_t i;

	if (srvp == NULL || *srvp == NULL)
		return;
	srv = *srvp;
	if (srv->ver.started) {
		pthread_mutex_lock(&srv->ver.mu);
		srv->ver.stop = 1;
		pthread_cond_broadcast(&srv->ver.cv);
		pthread_mutex_unlock(&srv->ver.mu);
		pthread_join(srv->ver.thread, NULL);
		pthread_cond_destroy(&srv->ver.cv);
		pthread_mutex_destroy(&srv->ver.mu);
	}
	for (i = 0; i < srv->n_peers; i++)
		relay_peer_destroy(&srv->peers[i]);
	free(srv->peers);
	relay_metrics_destroy(&srv->metrics);
	free(srv->poll);
	if (srv->router)
		zmq_close(srv->router);
	if (srv->zap)
		zmq_close(srv->zap);
	if (srv->ctx)
		zmq_ctx_term(srv->ctx);
	for (i = 0; i < srv->n_sessions; i++)
		free(srv->sessions[i]);
	free(srv->sessions);
	if (srv->items) {
		for (i = 0; i < srv->n_items; i++)
			item_clear(&srv->items[i]);
		free(srv->items);
	}
	free(srv->rcpt);
	free(srv->config_path);
	relay_store_destroy(&srv->store);
	relay_config_destroy(&srv->cfg);
	free(srv);
	*srvp = NULL;
}
