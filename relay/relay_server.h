/*
 * relay_server: the relay's event loop. One ROUTER socket (CURVE server,
 * ZAP-authenticated), the ZAP handler and the signal fd in one zmq_poll.
 *
 * Each turn reads every frame waiting (up to a batch), decodes and
 * verifies the envelopes, routes and stores them in one transaction, and
 * only after COMMIT sends the acks (group commit). It then pushes stored
 * deliveries to connected recipients (a bounded window of unconfirmed
 * ones per recipient) and receipts to the parties whose envelopes were
 * confirmed. This module is the daemon's program code: it logs events
 * (one line each, never payload content).
 */
#ifndef RET_RELAY_SERVER_H
#define RET_RELAY_SERVER_H

#include <stddef.h>

#include "keyfile.h"
#include "relay_config.h"
#include "relay_store.h"

/* Unconfirmed deliveries a recipient may have outstanding. */
#define RELAY_SERVER_WINDOW 128
/* Frames handled in one turn (one transaction). */
#define RELAY_SERVER_BATCH 512

struct relay_server;

/*
 * Create the server: takes ownership of cfg and store (also on failure),
 * binds the ZAP handler and the ROUTER socket at cfg->listen with the
 * transport secret of kf. config_path is re-read on SIGHUP. Returns NULL
 * with a sentence in errbuf on failure.
 */
struct relay_server *relay_server_new(const char *config_path,
				      struct relay_config *cfg,
				      struct relay_store *store,
				      const struct keyfile *kf, char *errbuf,
				      size_t errlen);

/*
 * Run until SIGTERM or SIGINT arrives on signal_fd (a signalfd for
 * SIGTERM, SIGINT and SIGHUP). SIGHUP reloads the allow-list. The batch in
 * flight is always finished. Returns 0, or -1 on a fatal socket error.
 */
int relay_server_run(struct relay_server *srv, int signal_fd)
	__attribute__((warn_unused_result));

/* Close sockets (bounded linger), the store and free everything. */
void relay_server_destroy(struct relay_server **srvp);

#endif
