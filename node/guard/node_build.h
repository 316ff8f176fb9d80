/*
 * node_build: the allow-list message builders. One builder per outgoing
 * payload: the opschalingsverzoek (escalation), the procesversneller
 * request, the peer-review request and the peer review of a region, and
 * the decision of a BEN desk.
 *
 * A builder copies named fields only, never a row wholesale, and asserts
 * each against the privacy review (privacy_allowlist_permits): the case
 * reference is the region's keyed pseudonym of the casus id, the age band
 * is generalised from the birth date of the person the casus is about,
 * problem areas come from the register's closed vocabulary, and every free
 * text passes the scrubber with the names of ALL persons recorded in the
 * casus. A leak guard then looks for every recorded name part, BSN, birth
 * date, postcode and street in the scrubbed text and refuses if one is
 * still there. When the scrubber or the guard refuses, nothing is built:
 * the error names the field to rewrite, the byte offset and the kind of
 * datum suspected, never the datum itself.
 *
 * The result is a draft: a Retfed__V1__Body with its kind, recipient and
 * payload (no header yet), owned by the draft. It can be rendered as a
 * preview (node_build_preview: the payload packed and decoded again, field
 * by field, exactly what a receiver will decode) and queued
 * through node_build_guarded(): the struct guard_draft node_outbox_queue()
 * accepts, which records the request in the casus (node_requests) in the
 * same transaction.
 *
 * The escalation ladder: an escalation or procesversneller request needs a
 * casus past triage that is still open (overleg or monitoren); a
 * procesversneller request needs a stagnation reason and an expected period
 * of 1..52 weeks.
 *
 * Part of node/guard, which owns every builder of an outgoing body. May
 * use node/register (the facts of a casus, the sent-request table),
 * node/privacy and node/figures; never node/messaging (the outbox is above
 * the guard and takes its drafts). Library code: never logs.
 */
#ifndef RET_NODE_BUILD_H
#define RET_NODE_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <sqlite3.h>

#include "guard_draft.h"
#include "keyfile.h"
#include "msgid.h"
#include "node_db.h"
#include "privacy_scrub.h"
#include "retfed.pb-c.h"

/* The key version label of the case references this node makes. */
#define NODE_BUILD_PSEUDONYM_LABEL "k1"
#define NODE_BUILD_MAX_WEEKS 52

/*
 * Why a builder refused. field names the payload field the user must
 * rewrite ("why_stuck"), or is "" when the refusal is not about one text.
 */
struct node_build_error {
	enum node_status status;
	char field[32];
	int scrub_refused;          /* 1: the scrubber or leak guard refused */
	enum scrub_refusal refusal; /* the scrubber's reason, if it refused */
	size_t offset;              /* byte offset in the field's text */
	enum scrub_category category; /* kind of datum suspected there */
	char detail[256]; /* one English sentence, no personal data */
};

/* What the region builders need. Everything borrowed. */
struct node_build_ctx {
	sqlite3 *db;
	const char *user;           /* for the audit log */
	const struct keyfile *keys; /* own party id and pseudonym secret */
	const char *today;          /* YYYY-MM-DD for ages; NULL: today (UTC) */
	const char *pseudonym_label; /* NULL: NODE_BUILD_PSEUDONYM_LABEL */
};

/* A built message, not yet sent. Opaque. */
struct node_build_draft;

/* An opschalingsverzoek of casus casus_id. */
struct node_build_escalation {
	int64_t casus_id;
	const char *why_stuck;      /* required, scrubbed */
	const char *what_was_tried; /* required, scrubbed */
	const int *support;         /* retfed.v1.SupportKind values, 1..5 */
	size_t n_support;
	int urgency;              /* retfed.v1.Urgency, required */
	const uint8_t *thread_id; /* NULL, or the first escalation's id */
	const char *answer;       /* with thread_id: the answer, scrubbed */
};

/* A procesversneller request for casus casus_id. */
struct node_build_procesversneller {
	int64_t casus_id;
	const char *stagnation_reason; /* required, scrubbed */
	unsigned expected_weeks;       /* 1..52 */
	int with_age_band;             /* 1: send the age band too */
	int urgency;                   /* 0: not given */
};

/* A peer-review request to another region. */
struct node_build_peer_request {
	const char *recipient; /* "region:<slug>", not this region */
	int64_t casus_id;      /* 0: no casus (no age band, no areas) */
	const char *approach;  /* required, scrubbed */
	const char *question;  /* required, scrubbed */
};

/* A review answering a received peer-review request. */
struct node_build_peer_review {
	const uint8_t *request_id; /* message id of the request */
	const char *recipient;     /* the region that asked */
	int64_t casus_id;          /* 0, or a casus whose names to scrub */
	const char *review;        /* required, scrubbed */
};

/* A desk's decision on a received escalation or procesversneller request. */
struct node_build_decision {
	int status;           /* retfed.v1.DecisionStatus */
	int assignment_kind;  /* retfed.v1.AssignmentKind; with GRANTED */
	const char *assigned; /* with GRANTED; scrubbed */
	const char *reason;   /* with DECLINED; scrubbed */
	const char *question; /* with MORE_INFO_NEEDED; scrubbed */
	const char *note;     /* optional; scrubbed */
};

/* Build an escalation. On success *ret is the new draft. */
enum node_status node_build_escalation(const struct node_build_ctx *ctx,
                                       const struct node_build_escalation *in,
                                       struct node_build_draft **ret,
                                       struct node_build_error *err)
    __attribute__((warn_unused_result));

/* Build a procesversneller request. */
enum node_status node_build_procesversneller(
    const struct node_build_ctx *ctx,
    const struct node_build_procesversneller *in, struct node_build_draft **ret,
    struct node_build_error *err) __attribute__((warn_unused_result));

/* Build a peer-review request. */
enum node_status node_build_peer_request(
    const struct node_build_ctx *ctx, const struct node_build_peer_request *in,
    struct node_build_draft **ret, struct node_build_error *err)
    __attribute__((warn_unused_result));

/* Build a peer review. */
enum node_status node_build_peer_review(const struct node_build_ctx *ctx,
                                        const struct node_build_peer_review *in,
                                        struct node_build_draft **ret,
                                        struct node_build_error *err)
    __attribute__((warn_unused_result));

/*
 * Build a desk's decision on `request`, a received (decoded, verified)
 * escalation or procesversneller body: case_ref and request_id are copied
 * from it, the recipient is its sender. A desk holds no names, so the texts
 * are scrubbed without a record (BSNs, dates, phones, titled names, ... are
 * still found).
 */
enum node_status node_build_decision(const Retfed__V1__Body *request,
                                     const struct node_build_decision *in,
                                     struct node_build_draft **ret,
                                     struct node_build_error *err)
    __attribute__((warn_unused_result));

/* The draft's body: kind, recipient and payload; no header. Borrowed. */
const Retfed__V1__Body *node_build_body(const struct node_build_draft *d);

/*
 * The draft as the outbox takes it (node_outbox_queue); borrowed, valid
 * as long as d. Queueing it records the request in the casus (its casus,
 * case reference, recipient and thread, node_requests_record) in the same
 * transaction.
 */
const struct guard_draft *node_build_guarded(const struct node_build_draft *d);

/* The casus a draft was built from (0: none). */
int64_t node_build_casus(const struct node_build_draft *d);

/* Free a draft; accepts NULL and *dp == NULL; sets *dp to NULL. */
void node_build_destroy(struct node_build_draft **dp);

/*
 * The preview of what leaves: the body's payload is packed and decoded
 * again, and the decoded message is rendered field by field (every field of
 * the schema, also the empty ones) as {"kind", "recipient", "message",
 * "fields": {name: value}}: strings as strings, enums by their schema name,
 * repeated fields as arrays, bytes as lower-case hex, nested messages as
 * objects. Works on a draft's body and on a decoded envelope's body alike,
 * so a test can compare the two. NODE_ERR_NOMEM or NODE_ERR_INVALID (no
 * payload).
 */
enum node_status node_build_preview(const Retfed__V1__Body *b, json_t **ret)
    __attribute__((warn_unused_result));

/*
 * Print a preview (from node_build_preview) as text, one field a line,
 * multi-line texts indented. Returns 0, or -1 on a write error.
 */
int node_build_preview_print(const json_t *preview, FILE *f)
    __attribute__((warn_unused_result));

#endif
