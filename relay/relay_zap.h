/*
 * relay_zap: the relay's ZAP handler (ZeroMQ RFC 27) over the allow-list in
 * its configuration.
 *
 * libzmq asks inproc://zeromq.zap.01 whether a CURVE client may connect.
 * The handler admits a client only if the domain is the configured one and
 * the client's long-term public key is the transport_key of a configured
 * party; the reply carries that party id as User-Id, which the relay reads
 * from every message with zmq_msg_gets(msg, "User-Id"). The handler runs in
 * the relay's event loop, so reloading the configuration changes who may
 * connect next without touching existing connections.
 */
#ifndef RET_RELAY_ZAP_H
#define RET_RELAY_ZAP_H

#include "keyfile.h"
#include "party.h"
#include "relay_config.h"

#define RELAY_ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* What one ZAP request led to, for the caller's log. */
struct relay_zap_result {
	int handled;                        /* a request was read */
	int accepted;                       /* 200 sent */
	char party[PARTY_ID_MAX];           /* when accepted */
	char key[KEYFILE_Z85_LEN + 1];      /* client key, when CURVE */
	char address[64];                   /* client address (IP) */
	const char *why;                    /* when refused: a sentence */
};

/*
 * Create the ZAP socket (REP) in ctx and bind it; must happen before the
 * ROUTER socket binds. Returns the socket or NULL (errno from libzmq).
 */
void *relay_zap_open(void *ctx);

/*
 * Read one ZAP request from sock without blocking and answer it from cfg.
 * *ret is always written; ret->handled is 0 when nothing was waiting.
 * Returns 0, or -1 when the socket failed.
 */
int relay_zap_handle(void *sock, const struct relay_config *cfg,
		     struct relay_zap_result *ret)
	__attribute__((warn_unused_result));

#endif
