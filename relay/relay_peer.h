/*
 * relay_peer: the link from this relay to the relay of another BEN
 * (federation, issue 7).
 *
 * For every [party relay:...] with an endpoint, the relay dials that peer
 * as an ordinary CURVE client (DEALER) under its own party id, asks for its
 * deliveries (Resume) each time the handshake succeeds, and confirms them
 * once they are stored here. What crosses the boundary is thus pulled by
 * the receiving side: each relay stores deliveries for its peers like for
 * any recipient, and the peer's link takes them when it can. A peer that
 * is down delays, never loses; envelopes travel byte for byte, so their
 * authors' signatures are verified again on this side.
 */
#ifndef RET_RELAY_PEER_H
#define RET_RELAY_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "keyfile.h"
#include "relay_config.h"

struct relay_peer;

/*
 * Create the link to peer p (which must have an endpoint) in ctx, with this
 * relay's transport keys from kf; `index` makes its monitor endpoint
 * unique. The socket reconnects by itself. Returns NULL on failure.
 */
struct relay_peer *relay_peer_new(void *ctx, size_t index,
				  const struct relay_party *p,
				  const struct keyfile *kf);

/* Close the link; NULL-safe, nulls *pp. */
void relay_peer_destroy(struct relay_peer **pp);

/* The peer's party id (borrowed). */
const char *relay_peer_party(const struct relay_peer *p);

/* The DEALER socket and the monitor socket, for zmq_poll. */
void *relay_peer_socket(struct relay_peer *p);
void *relay_peer_monitor(struct relay_peer *p);

/*
 * Read the monitor's waiting events. Returns 1 if the handshake with the
 * peer succeeded since the last call (the caller sends a Resume), else 0.
 */
int relay_peer_monitor_events(struct relay_peer *p);

/* Whether the handshake succeeded and no disconnect followed. */
int relay_peer_connected(const struct relay_peer *p);

/* Send Resume{0} (the peer resumes after what we confirmed). 0 or -1. */
int relay_peer_send_resume(struct relay_peer *p)
	__attribute__((warn_unused_result));

/* Send DeliveryConfirm{cursor}. Returns 0 or -1. */
int relay_peer_send_confirm(struct relay_peer *p, uint64_t cursor)
	__attribute__((warn_unused_result));

/*
 * Read one waiting RelayFrame without blocking: 1 with *ret set (the
 * caller destroys it), 0 when nothing waits, -1 when it cannot be decoded
 * (err says why; the message is consumed).
 */
int relay_peer_recv(struct relay_peer *p, struct relay_frame **ret,
		    struct wire_error *err) __attribute__((warn_unused_result));

#endif
