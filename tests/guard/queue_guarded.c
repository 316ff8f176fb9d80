/*
 * MUST COMPILE (the control of the three that must not): the one road
 * out, a builder of the guard, then the outbox.
 */
#include "node_build.h"
#include "node_outbox.h"

enum node_status try_guarded(const struct node_build_ctx *ctx,
			     const struct node_build_peer_request *in);

enum node_status
try_guarded(const struct node_build_ctx *ctx,
	    const struct node_build_peer_request *in)
{
	struct node_build_draft *d = NULL;
	struct node_build_error berr;
	struct node_msg_error err;
	enum node_status s;

	s = node_build_peer_request(ctx, in, &d, &berr);
	if (s == NODE_OK)
		s = node_outbox_queue(ctx->db, ctx->keys, ctx->user,
				      node_build_guarded(d), NULL, NULL, &err);
	node_build_destroy(&d);
	return s;
}
