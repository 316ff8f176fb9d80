/*
 * relay_route: who may send what to whom, decided from the configuration
 * and (for decisions) from what the store routed before.
 *
 *   escalation, procesversneller  region of this BEN -> every desk of it
 *   decision                      desk -> the region named as recipient,
 *                                 only about a request routed to that desk
 *                                 by that region
 *   learning_summary              region -> every desk and other region of
 *                                 this BEN, and every peer relay when the
 *                                 author belongs to this BEN
 *   peer_review_request/review    region -> the named region (directly, or
 *                                 through the peer relay of its BEN)
 *
 * The author check decides whether an authenticated party may submit an
 * envelope signed by `sender`: only as itself, except that a peer relay may
 * forward learning summaries and peer reviews written by parties of its
 * own BEN (federation, issue 7).
 */
#ifndef RET_RELAY_ROUTE_H
#define RET_RELAY_ROUTE_H

#include <stddef.h>

#include "relay_config.h"
#include "relay_store.h"
#include "retfed.pb-c.h"
#include "wire_error.h"

/*
 * Check that `auth` (the party the transport authenticated) may submit an
 * envelope of `kind` signed by `sender`. On success *ret_author is the
 * sender's configuration (its signing key verifies the envelope). Fails
 * with WIRE_UNKNOWN_SENDER or WIRE_IMPERSONATION.
 */
enum wire_reason relay_route_author(const struct relay_config *cfg,
				    const char *auth, const char *sender,
				    int kind,
				    const struct relay_party **ret_author,
				    struct wire_error *err)
	__attribute__((warn_unused_result));

/*
 * The recipients of a verified body, written into out[0..*ret_n-1]
 * (party ids borrowed from cfg; cap must be at least cfg->n_parties).
 * store is read for the decision rule. Fails with WIRE_NOT_ROUTABLE,
 * WIRE_NOT_PERMITTED, WIRE_UNKNOWN_RECIPIENT, WIRE_UNKNOWN_KIND, or
 * WIRE_STORE_FAILED when the store could not be read.
 */
enum wire_reason relay_route_recipients(const struct relay_config *cfg,
					const Retfed__V1__Body *body,
					struct relay_store *store,
					const char **out, size_t cap,
					size_t *ret_n, struct wire_error *err)
	__attribute__((warn_unused_result));

#endif
