/* relay_zap: answer ZAP requests from the configured allow-list. */
#include "relay_zap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#define ZAP_PARTS_MAX 8
#define ZAP_PART_MAX 256

void *
relay_zap_open(void *ctx)
{
	void *s = zmq_socket(ctx, ZMQ_REP);
	int linger = 0;

	if (s == NULL)
		return NULL;
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_bind(s, RELAY_ZAP_ENDPOINT) != 0) {
		int e = errno;

		zmq_close(s);
		errno = e;
		return NULL;
	}
	return s;
}

static int
send_part(void *sock, const void *data, size_t len, int more)
{
	return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static int
reply(void *sock, const char *req_id, size_t req_id_len, const char *code,
      const char *text, const char *user_id)
{
	if (send_part(sock, "1.0", 3, 1) != 0 ||
	    send_part(sock, req_id, req_id_len, 1) != 0 ||
	    send_part(sock, code, strlen(code), 1) != 0 ||
	    send_part(sock, text, strlen(text), 1) != 0 ||
	    send_part(sock, user_id, strlen(user_id), 1) != 0 ||
	    send_part(sock, "", 0, 0) != 0)
		return -1;
	return 0;
}

int
relay_zap_handle(void *sock, const struct relay_config *cfg,
		 struct relay_zap_result *ret)
{
	char parts[ZAP_PARTS_MAX][ZAP_PART_MAX];
	size_t lens[ZAP_PARTS_MAX];
	size_t n = 0;
	int more = 1, rc, flags = ZMQ_DONTWAIT, truncated = 0;
	const struct relay_party *p;

	memset(ret, 0, sizeof(*ret));
	while (more) {
		size_t more_len = sizeof(more);
		char scratch[1];

		if (n < ZAP_PARTS_MAX) {
			rc = zmq_recv(sock, parts[n], ZAP_PART_MAX, flags);
			if (rc >= 0) {
				lens[n] = (size_t)rc;
				if ((size_t)rc > ZAP_PART_MAX)
					truncated = 1;
				n++;
			}
		} else {
			rc = zmq_recv(sock, scratch, 0, flags);
			truncated = 1;
		}
		if (rc < 0) {
			if (errno == EAGAIN && n == 0)
				return 0;
			return -1;
		}
		flags = 0;
		if (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len) != 0)
			return -1;
	}
	ret->handled = 1;
	/* version, request id, domain, address, identity, mechanism, creds */
	if (n < 6 || truncated || lens[0] != 3 || memcmp(parts[0], "1.0", 3)) {
		ret->why = "malformed ZAP request";
		return reply(sock, n > 1 ? parts[1] : "",
			     n > 1 && !truncated ? lens[1] : 0, "500",
			     "malformed request", "");
	}
	if (lens[3] < sizeof(ret->address))
		memcpy(ret->address, parts[3], lens[3]);
	if (lens[2] != strlen(cfg->zap_domain) ||
	    memcmp(parts[2], cfg->zap_domain, lens[2]) != 0) {
		ret->why = "wrong ZAP domain";
		return reply(sock, parts[1], lens[1], "400", "wrong domain", "");
	}
	if (lens[5] != 5 || memcmp(parts[5], "CURVE", 5) != 0 || n != 7 ||
	    lens[6] != 32) {
		ret->why = "not a CURVE client";
		return reply(sock, parts[1], lens[1], "400", "CURVE only", "");
	}
	if (zmq_z85_encode(ret->key, (const uint8_t *)parts[6], 32) == NULL) {
		ret->why = "bad client key";
		return reply(sock, parts[1], lens[1], "400", "bad key", "");
	}
	p = relay_config_party_by_transport(cfg, ret->key);
	if (p == NULL) {
		ret->why = "client key is not in the allow-list";
		return reply(sock, parts[1], lens[1], "400", "not allowed", "");
	}
	ret->accepted = 1;
	snprintf(ret->party, sizeof(ret->party), "%s", p->id);
	return reply(sock, parts[1], lens[1], "200", "OK", p->id);
}
