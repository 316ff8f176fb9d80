/*
 * node_sync: the node's side of the conversation with its relay.
 *
 * One DEALER socket, a CURVE client with the node's transport keys, talks to
 * the relay: it sends the outbox in sequence order with a bounded number of
 * messages in flight, marks a message sent only on the relay's Ack,
 * refuses and renumbers on a permanent Nack, backs off exponentially (up to
 * a cap) on transient trouble, applies deliveries through node_inbox and
 * confirms their cursor only after the transaction committed, and records
 * receipts. On every (re)connection (seen through the socket monitor's
 * HANDSHAKE_SUCCEEDED) it sends Resume and SeqQuery and starts again from
 * the first unacked message; the relay answers a re-sent message it already
 * stored with a duplicate Ack, so nothing is sent twice into the store.
 *
 * The module does not own the event loop: the program asks for the poll
 * items and the nearest deadline, runs zmq_poll with its own signal fd next
 * to them, and hands back what is ready. Library code never logs: every
 * event is passed to a callback that the program turns into a log line.
 */
#ifndef RET_NODE_SYNC_H
#define RET_NODE_SYNC_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

#include "keyfile.h"
#include "node_inbox.h"
#include "node_outbox.h"

#define NODE_SYNC_WINDOW_DEFAULT 256    /* messages in flight */
#define NODE_SYNC_BACKOFF_MIN_MS 100	    /* first retry delay */
#define NODE_SYNC_BACKOFF_MAX_MS 30000	    /* retry delay cap */
#define NODE_SYNC_ACK_TIMEOUT_MS 10000	    /* no answer: send again */
#define NODE_SYNC_DB_POLL_MS 250	    /* look for newly queued messages */
#define NODE_SYNC_LINGER_MS 2000	    /* bounded linger on close */
#define NODE_SYNC_POLL_ITEMS 2

/* What happened; one log line each. */
enum node_sync_event_type {
	NODE_SYNC_CONNECTED,	    /* CURVE handshake with the relay done */
	NODE_SYNC_DISCONNECTED,	    /* connection lost; zmq reconnects */
	NODE_SYNC_HANDSHAKE_FAILED, /* relay refused us or a key is wrong */
	NODE_SYNC_SENT,		    /* a message went out (seq, id) */
	NODE_SYNC_ACKED,	    /* relay stored it (duplicate flag) */
	NODE_SYNC_REFUSED,	    /* relay refused it for good (reason) */
	NODE_SYNC_RETRY,	    /* transient trouble: resend after delay */
	NODE_SYNC_RECEIVED,	    /* a delivery was accepted (result) */
	NODE_SYNC_RECEIPT,	    /* a recipient confirmed one of ours */
	NODE_SYNC_SEQ_REPLY,	    /* the relay's last stored seq from us */
	NODE_SYNC_ERROR,	    /* local trouble (database, bad frame) */
};

/* One event; every pointer is borrowed for the duration of the callback. */
struct node_sync_event {
	enum node_sync_event_type type;
	const uint8_t *message_id; /* NULL when none */
	uint64_t seq;
	uint64_t cursor;
	uint64_t delay_ms;
	int kind;
	int reason;	       /* wire reason, 0 when none */
	int duplicate;	       /* ACKED: relay had it already */
	unsigned count;	       /* REFUSED: messages renumbered */
	const char *party;     /* sender or recipient, may be NULL */
	const char *detail;    /* English, no personal data, may be NULL */
	enum node_inbox_result result; /* RECEIVED */
};

typedef void (*node_sync_event_fn)(void *ctx,
				   const struct node_sync_event *ev);

/* Everything node_sync needs; borrowed for the life of the object. */
struct node_sync_params {
	const char *endpoint;	     /* "tcp://127.0.0.1:7400" */
	const char *relay_key;	     /* relay's CURVE public key, Z85 */
	const struct keyfile *keys;  /* this node's keys */
	const struct node_inbox_cfg *inbox;
	unsigned window;	     /* 0: NODE_SYNC_WINDOW_DEFAULT */
	unsigned backoff_max_ms;     /* 0: NODE_SYNC_BACKOFF_MAX_MS */
	unsigned ack_timeout_ms;     /* 0: NODE_SYNC_ACK_TIMEOUT_MS */
	node_sync_event_fn on_event; /* may be NULL */
	void *event_ctx;
};

struct node_sync;

/*
 * Create the sync state for database db (opened by the caller, messaging
 * schema migrated) on zmq context zctx, and start connecting to the relay
 * (zmq connects in the background and keeps retrying). Returns NULL with a
 * sentence in err on failure.
 */
struct node_sync *node_sync_new(sqlite3 *db, void *zctx,
				const struct node_sync_params *p,
				struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Close the sockets (linger at most NODE_SYNC_LINGER_MS) and free
 * everything; NULL-safe, nulls *sp.
 */
void node_sync_destroy(struct node_sync **sp);

/*
 * Fill items (room for NODE_SYNC_POLL_ITEMS) with what to poll; returns the
 * number filled.
 */
size_t node_sync_poll_items(struct node_sync *s, zmq_pollitem_t *items);

/*
 * Milliseconds until the next timer of s is due (0: due now), as of
 * now_ms (a monotonic clock). Never more than NODE_SYNC_DB_POLL_MS.
 */
long node_sync_timeout_ms(const struct node_sync *s, uint64_t now_ms);

/*
 * Handle whatever is ready: items are the ones node_sync_poll_items filled,
 * with revents set by zmq_poll; then run due timers and send what the
 * window allows. now_ms is a monotonic clock. Returns NODE_OK, or an error
 * the program should stop on (out of memory, database unusable); busy
 * databases and relay trouble are retried inside.
 */
enum node_status node_sync_handle(struct node_sync *s,
				  const zmq_pollitem_t *items,
				  uint64_t now_ms, struct node_msg_error *err)
	__attribute__((warn_unused_result));

/*
 * Stop sending new messages; true once nothing is in flight any more (the
 * batch in flight was answered) or the relay is away. Used on SIGTERM.
 */
int node_sync_drain(struct node_sync *s);

/* Messages in flight (sent, not yet answered). */
unsigned node_sync_in_flight(const struct node_sync *s);

/* A monotonic clock in milliseconds, for the callers of this module. */
uint64_t node_sync_now_ms(void);

#endif
