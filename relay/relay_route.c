/* relay_route: routing rules and the author check. */
#include "relay_route.h"

#include <string.h>

#include "party.h"

#define KIND(x) RETFED__V1__KIND__KIND_##x

static int
federated_kind(int kind)
{
	return kind == KIND(LEARNING_SUMMARY) ||
	       kind == KIND(PEER_REVIEW_REQUEST) || kind == KIND(PEER_REVIEW);
}

enum wire_reason
relay_route_author(const struct relay_config *cfg, const char *auth,
		   const char *sender, int kind,
		   const struct relay_party **ret_author,
		   struct wire_error *err)
{
	const struct relay_party *sp = relay_config_party(cfg, sender);
	const struct relay_party *ap;

	if (sp == NULL)
		return wire_fail(err, WIRE_UNKNOWN_SENDER,
				 "the sender is not a party of this relay");
	if (strcmp(auth, sender) == 0) {
		*ret_author = sp;
		return WIRE_OK;
	}
	ap = relay_config_party(cfg, auth);
	if (ap != NULL && party_role_of(auth) == PARTY_RELAY &&
	    strcmp(ap->ben, sp->ben) == 0 && strcmp(sp->ben, cfg->ben) != 0 &&
	    federated_kind(kind)) {
		*ret_author = sp;
		return WIRE_OK;
	}
	return wire_fail(err, WIRE_IMPERSONATION,
			 "the signed sender is not the authenticated party");
}

static int
add(const char **out, size_t cap, size_t *n, const char *id)
{
	if (*n >= cap)
		return -1;
	out[(*n)++] = id;
	return 0;
}

/* Every desk of this BEN. */
static int
add_desks(const struct relay_config *cfg, const char **out, size_t cap,
	  size_t *n)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++) {
		const struct relay_party *p = &cfg->parties[i];

		if (party_role_of(p->id) == PARTY_DESK &&
		    strcmp(p->ben, cfg->ben) == 0 &&
		    add(out, cap, n, p->id) != 0)
			return -1;
	}
	return 0;
}

/* The peer relay of BEN `ben`, or NULL. */
static const struct relay_party *
peer_of(const struct relay_config *cfg, const char *ben)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++)
		if (party_role_of(cfg->parties[i].id) == PARTY_RELAY &&
		    strcmp(cfg->parties[i].ben, ben) == 0)
			return &cfg->parties[i];
	return NULL;
}

static enum wire_reason
route_decision(const struct relay_config *cfg, const Retfed__V1__Body *b,
	       const struct relay_party *sp, struct relay_store *store,
	       const char **out, size_t cap, size_t *n, struct wire_error *err)
{
	const struct relay_party *rp;
	const Retfed__V1__Decision *d = b->decision;
	char req_sender[PARTY_ID_MAX];
	int found = 0, req_kind = 0;

	if (party_role_of(sp->id) != PARTY_DESK)
		return wire_fail(err, WIRE_NOT_PERMITTED,
				 "only a coordinator desk may send a decision");
	if (strcmp(sp->ben, cfg->ben) != 0)
		return wire_fail(err, WIRE_NOT_ROUTABLE,
				 "decisions never cross a BEN boundary");
	rp = relay_config_party(cfg, b->recipient);
	if (rp == NULL)
		return wire_fail(err, WIRE_UNKNOWN_RECIPIENT,
				 "the recipient is not a party of this relay");
	if (strcmp(rp->ben, cfg->ben) != 0)
		return wire_fail(err, WIRE_NOT_ROUTABLE,
				 "decisions never cross a BEN boundary");
	if (d == NULL || d->request_id.len != 16)
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "Decision.request_id is missing");
	if (relay_store_request_routed(store, d->request_id.data, sp->id,
				       &found, req_sender, sizeof(req_sender),
				       &req_kind) != 0)
		return wire_fail(err, WIRE_STORE_FAILED,
				 "the store could not be read");
	if (!found)
		return wire_fail(err, WIRE_NOT_PERMITTED,
				 "the decision refers to a request this desk "
				 "never received");
	if (strcmp(req_sender, rp->id) != 0 ||
	    (req_kind != KIND(ESCALATION) && req_kind != KIND(PROCESVERSNELLER)))
		return wire_fail(err, WIRE_NOT_PERMITTED,
				 "the decision's request was not sent by its "
				 "recipient");
	if (add(out, cap, n, rp->id) != 0)
		return wire_fail(err, WIRE_NOT_ROUTABLE, "too many recipients");
	return WIRE_OK;
}

enum wire_reason
relay_route_recipients(const struct relay_config *cfg,
		       const Retfed__V1__Body *b, struct relay_store *store,
		       const char **out, size_t cap, size_t *ret_n,
		       struct wire_error *err)
{
	const struct relay_party *sp = relay_config_party(cfg, b->sender);
	const struct relay_party *rp, *peer;
	int own;
	size_t n = 0, i;
	enum wire_reason r;

	if (sp == NULL)
		return wire_fail(err, WIRE_UNKNOWN_SENDER,
				 "the sender is not a party of this relay");
	own = strcmp(sp->ben, cfg->ben) == 0;
	switch (b->kind) {
	case KIND(ESCALATION):
	case KIND(PROCESVERSNELLER):
		if (party_role_of(sp->id) != PARTY_REGION)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "only a region sends a %s",
					 b->kind == KIND(ESCALATION)
						 ? "escalation"
						 : "procesversneller request");
		if (!own)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "requests never cross a BEN boundary");
		if (add_desks(cfg, out, cap, &n) != 0)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "too many recipients");
		if (n == 0)
			return wire_fail(err, WIRE_UNKNOWN_RECIPIENT,
					 "this BEN has no coordinator desk");
		break;
	case KIND(DECISION):
		r = route_decision(cfg, b, sp, store, out, cap, &n, err);
		if (r != WIRE_OK)
			return r;
		break;
	case KIND(LEARNING_SUMMARY):
		if (party_role_of(sp->id) != PARTY_REGION)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "only a region sends a learning "
					 "summary");
		if (add_desks(cfg, out, cap, &n) != 0)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "too many recipients");
		for (i = 0; i < cfg->n_parties; i++) {
			const struct relay_party *p = &cfg->parties[i];
			enum party_role role = party_role_of(p->id);
			int p_own = strcmp(p->ben, cfg->ben) == 0;
			int take = (role == PARTY_REGION && p_own &&
				    strcmp(p->id, sp->id) != 0) ||
				   (role == PARTY_RELAY && own);

			if (take && add(out, cap, &n, p->id) != 0)
				return wire_fail(err, WIRE_NOT_ROUTABLE,
						 "too many recipients");
		}
		if (n == 0)
			return wire_fail(err, WIRE_UNKNOWN_RECIPIENT,
					 "a learning summary needs at least "
					 "one recipient");
		break;
	case KIND(PEER_REVIEW_REQUEST):
	case KIND(PEER_REVIEW):
		if (party_role_of(sp->id) != PARTY_REGION)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "only a region sends a peer review");
		rp = relay_config_party(cfg, b->recipient);
		if (rp == NULL || party_role_of(rp->id) != PARTY_REGION)
			return wire_fail(err, WIRE_UNKNOWN_RECIPIENT,
					 "the recipient is not a region of "
					 "this relay");
		if (rp == sp)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "a region cannot review itself");
		if (strcmp(rp->ben, cfg->ben) == 0) {
			(void)add(out, cap, &n, rp->id);
		} else if (!own) {
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "this relay does not forward between "
					 "two other BENs");
		} else {
			peer = peer_of(cfg, rp->ben);
			if (peer == NULL)
				return wire_fail(err, WIRE_UNKNOWN_RECIPIENT,
						 "no peer relay for the "
						 "recipient's BEN");
			(void)add(out, cap, &n, peer->id);
		}
		if (n == 0)
			return wire_fail(err, WIRE_NOT_ROUTABLE,
					 "too many recipients");
		break;
	default:
		return wire_fail(err, WIRE_UNKNOWN_KIND,
				 "the relay does not route this kind");
	}
	*ret_n = n;
	return WIRE_OK;
}
