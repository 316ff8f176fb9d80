/* relay_peer: a CURVE client link to the relay of another BEN. */
#include "relay_peer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct relay_peer {
	char party[PARTY_ID_MAX];
	void *sock, *mon;
	int connected;
};

static int
set_int(void *s, int opt, int v)
{
	return zmq_setsockopt(s, opt, &v, sizeof(v));
}

struct relay_peer *
relay_peer_new(void *ctx, size_t index, const struct relay_party *party,
	       const struct keyfile *kf)
{
	struct relay_peer *p = calloc(1, sizeof(*p));
	char mon_ep[64];
	int64_t maxmsg = FRAME_WIRE_MAX;

	if (p == NULL || party->endpoint[0] == '\0')
		goto fail;
	snprintf(p->party, sizeof(p->party), "%s", party->id);
	snprintf(mon_ep, sizeof(mon_ep), "inproc://ret-relay-peer-%zu", index);
	p->sock = zmq_socket(ctx, ZMQ_DEALER);
	if (p->sock == NULL ||
	    set_int(p->sock, ZMQ_LINGER, 1000) != 0 ||
	    set_int(p->sock, ZMQ_IMMEDIATE, 1) != 0 ||
	    set_int(p->sock, ZMQ_RECONNECT_IVL, 500) != 0 ||
	    set_int(p->sock, ZMQ_RECONNECT_IVL_MAX, 10000) != 0 ||
	    zmq_setsockopt(p->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) !=
		    0 ||
	    zmq_setsockopt(p->sock, ZMQ_CURVE_SERVERKEY, party->transport_key,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(p->sock, ZMQ_CURVE_PUBLICKEY, kf->transport_pk,
			   KEYFILE_Z85_LEN) != 0 ||
	    zmq_setsockopt(p->sock, ZMQ_CURVE_SECRETKEY, kf->transport_sk,
			   KEYFILE_Z85_LEN) != 0)
		goto fail;
	if (zmq_socket_monitor(p->sock, mon_ep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
				       ZMQ_EVENT_DISCONNECTED) != 0)
		goto fail;
	p->mon = zmq_socket(ctx, ZMQ_PAIR);
	if (p->mon == NULL || set_int(p->mon, ZMQ_LINGER, 0) != 0 ||
	    zmq_connect(p->mon, mon_ep) != 0 ||
	    zmq_connect(p->sock, party->endpoint) != 0)
		goto fail;
	return p;
fail:
	relay_peer_destroy(&p);
	return NULL;
}

void
relay_peer_destroy(struct relay_peer **pp)
{
	struct relay_peer *p;

	if (pp == NULL || *pp == NULL)
		return;
	p = *pp;
	if (p->sock) {
		(void)zmq_socket_monitor(p->sock, NULL, 0);
		zmq_close(p->sock);
	}
	if (p->mon)
		zmq_close(p->mon);
	free(p);
	*pp = NULL;
}

const char *
relay_peer_party(const struct relay_peer *p)
{
	return p->party;
}

void *
relay_peer_socket(struct relay_peer *p)
{
	return p->sock;
}

void *
relay_peer_monitor(struct relay_peer *p)
{
	return p->mon;
}

int
relay_peer_connected(const struct relay_peer *p)
{
	return p->connected;
}

int
relay_peer_monitor_events(struct relay_peer *p)
{
	int handshake = 0, i;

	for (i = 0; i < 64; i++) {
		zmq_msg_t ev, addr;
		uint16_t event = 0;
		int more = 0;
		size_t more_len = sizeof(more);

		zmq_msg_init(&ev);
		if (zmq_msg_recv(&ev, p->mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			break;
		}
		if (zmq_msg_size(&ev) >= 2)
			memcpy(&event, zmq_msg_data(&ev), sizeof(event));
		zmq_msg_close(&ev);
		/* The second part names the endpoint; read and drop it. */
		if (zmq_getsockopt(p->mon, ZMQ_RCVMORE, &more, &more_len) == 0 &&
		    more) {
			zmq_msg_init(&addr);
			(void)zmq_msg_recv(&addr, p->mon, 0);
			zmq_msg_close(&addr);
		}
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			p->connected = 1;
			handshake = 1;
		} else if (event == ZMQ_EVENT_DISCONNECTED) {
			p->connected = 0;
		}
	}
	return handshake;
}

static int
send_frame(struct relay_peer *p, Retfed__V1__ClientFrame *f)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (frame_pack(&f->base, &buf, &len) != 0)
		return -1;
	rc = zmq_send(p->sock, buf, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
	free(buf);
	return rc;
}

int
relay_peer_send_resume(struct relay_peer *p)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;
	Retfed__V1__Resume r = RETFED__V1__RESUME__INIT;

	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_RESUME;
	f.resume = &r;
	return send_frame(p, &f);
}

int
relay_peer_send_confirm(struct relay_peer *p, uint64_t cursor)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;
	Retfed__V1__DeliveryConfirm c = RETFED__V1__DELIVERY_CONFIRM__INIT;

	c.cursor = cursor;
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM;
	f.confirm = &c;
	return send_frame(p, &f);
}

int
relay_peer_recv(struct relay_peer *p, struct relay_frame **ret,
		struct wire_error *err)
{
	zmq_msg_t msg;
	enum wire_reason r;

	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, p->sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		(void)wire_fail(err, WIRE_MALFORMED, "cannot read from the peer");
		return -1;
	}
	r = relay_frame_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), ret,
			       err);
	zmq_msg_close(&msg);
	return r == WIRE_OK ? 1 : -1;
}
