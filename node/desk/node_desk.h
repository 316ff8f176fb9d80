/*
 * node_desk: the queue of a BEN coordinator desk ("desk" schema component).
 *
 * On a desk node, every escalation (opschalingsverzoek) and procesversneller
 * request that arrives becomes part of a desk thread: region, case
 * reference, kind, urgency, age band, problem areas, the texts, when it
 * arrived and the last decision sent (its status). An escalation that names
 * an earlier one in thread_id is an update of that thread (for example the
 * answer to "more information needed"), not a new case. A desk holds no
 * personal data: only what the regions' builders let through.
 *
 * The apply hook (node_desk_apply) runs inside the inbox transaction that
 * records the message, so a request enters the queue exactly once. The
 * decisions the desk sends are recorded against their thread
 * (node_desk_record_decision), which sets the thread's status.
 *
 * Library code: never logs.
 */
#ifndef RET_NODE_DESK_H
#define RET_NODE_DESK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "envelope.h"
#include "msgid.h"
#include "node_db.h"
#include "node_inbox.h"

#define NODE_DESK_COMPONENT "desk"

/* The status of a thread before any decision was sent. */
#define NODE_DESK_STATUS_NEW "nieuw"

/* Create or upgrade the desk queue's tables (idempotent). */
enum node_status node_desk_migrate(sqlite3 *db, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The inbox apply hook for escalations and procesversneller requests
 * (signature of node_inbox_apply_fn; ctx is unused). Adds the message to
 * the queue as a new thread, or to the thread its thread_id names. An
 * update that names another region's thread, or another case reference,
 * is rejected (why says so). A database error asks for a retry.
 */
enum node_inbox_apply node_desk_apply(sqlite3 *db, const struct envelope *env,
				      int64_t inbox_id, void *ctx, char *why,
				      size_t whylen);

/*
 * The Dutch CLI name of a retfed.v1.DecisionStatus ("toegekend"), or NULL
 * for an unknown value; and back (0 when the name is unknown).
 */
const char *node_desk_status_name(int status);
int node_desk_status_parse(const char *name);

/* The same for retfed.v1.AssignmentKind ("procesversneller", "geld"). */
const char *node_desk_assignment_name(int kind);
int node_desk_assignment_parse(const char *name);

/* The closed vocabularies a desk shows by name. */
enum node_desk_vocab {
	NODE_DESK_AREA,     /* retfed.v1.ProblemArea: "gedrag", ... */
	NODE_DESK_SUPPORT,  /* retfed.v1.SupportKind: "expertise", ... */
	NODE_DESK_URGENCY,  /* retfed.v1.Urgency: "normaal", "hoog", "crisis" */
	NODE_DESK_AGE_BAND, /* retfed.v1.AgeBand: "0-3", ..., "80+" */
};

/* The name of a wire enum value, or NULL when it is 0 or unknown. */
const char *node_desk_vocab_name(enum node_desk_vocab v, int value);

/* The wire value of a name, or 0 when the name is unknown. */
int node_desk_vocab_parse(enum node_desk_vocab v, const char *name);

/*
 * The names of n wire values joined with commas into out (unknown values
 * are left out; what does not fit is cut at a name boundary).
 */
void node_desk_vocab_join(enum node_desk_vocab v, const int *values,
			  size_t n, char *out, size_t outlen);

/* The filter of node_desk_list; NULL or 0 fields do not filter. */
struct node_desk_filter {
	const char *region;  /* party id "region:x" or its slug "x" */
	int urgency;         /* retfed.v1.Urgency */
	const char *status;  /* "nieuw" or a status name */
	int older_than_days; /* waiting longer than this many days */
	uint64_t now_ms;     /* 0: now */
};

/*
 * The queue as a JSON array of threads, oldest first: {thread_id,
 * request_id, region, case_ref, kind, urgency, age_band, problem_areas,
 * support_asked, received_ms, updated_ms, days_waiting, messages, status,
 * decided_ms, answered}. answered is true when a message arrived after the
 * last decision. The caller owns *ret.
 */
enum node_status node_desk_list(sqlite3 *db,
				const struct node_desk_filter *filter,
				json_t **ret, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * One thread, found by the message id of any of its messages or of a
 * decision sent on it, with its texts, all its messages and decisions:
 * the list fields plus {messages: [...], decisions: [...]}.
 * NODE_ERR_NOT_FOUND when no thread has such a message.
 */
enum node_status node_desk_show(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
				json_t **ret, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The request a decision on the thread of msgid answers (its first
 * received message), decoded from the inbox: *ret_env (free with
 * envelope_destroy) and the thread's row id in *ret_thread.
 * NODE_ERR_NOT_FOUND when no thread has such a message.
 */
enum node_status node_desk_request(sqlite3 *db,
				   const uint8_t msgid[MSGID_LEN],
				   struct envelope **ret_env,
				   int64_t *ret_thread, char *errbuf,
				   size_t errlen)
	__attribute__((warn_unused_result));

/* A decision that was queued, to record against its thread. */
struct node_desk_decision {
	int64_t thread;
	uint8_t message_id[MSGID_LEN];
	int status;          /* retfed.v1.DecisionStatus */
	int assignment_kind; /* retfed.v1.AssignmentKind or 0 */
	const char *assigned, *reason, *question, *note; /* as sent, or NULL */
};

/*
 * Record decision d (as sent) and make its status the thread's status, in
 * one transaction with an audit row ("desk.decision") by user.
 */
enum node_status node_desk_record_decision(sqlite3 *db, const char *user,
					   const struct node_desk_decision *d,
					   char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
