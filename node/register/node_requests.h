/*
 * node_requests: what the message builders need from the register and what
 * they record in it ("requests" schema component).
 *
 * - The facts of a casus a builder may copy from: its phase, its problem
 *   areas, the birth date of the person the casus is about (the jeugdige,
 *   or for an adult casus the first person of role "other"), and, for the
 *   scrubber and the leak guard only, the names, BSNs, birth dates,
 *   addresses and postcodes of ALL persons recorded in it. Reading them
 *   appends an audit row ("casus.read_for_request").
 * - The table of requests sent from this node (escalations,
 *   procesversneller and peer-review requests, reviews, decisions): message
 *   id, kind, casus (if any), case reference, recipient and thread, so a
 *   decision that arrives later can be matched to its casus. Recording one
 *   appends an audit row ("casus.request_sent") in the same transaction.
 *
 * Part of node/register (the only library with SQL on persoon and casus).
 * May use node/audit and node/store. Library code: never logs, never
 * passes personal data to the audit log.
 */
#ifndef RET_NODE_REQUESTS_H
#define RET_NODE_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "msgid.h"
#include "node_db.h"
#include "node_lifecycle.h"
#include "party.h"

#define NODE_REQUESTS_COMPONENT "requests"
#define NODE_REQUESTS_MAX_PERSONS 64 /* as many as the scrubber takes */

/* Everything recorded about one person, borrowed by the builders. */
struct node_requests_person {
	char *role;
	char *name;
	char *bsn;        /* NULL when not recorded */
	char *birth_date; /* YYYY-MM-DD or NULL */
	char *address;    /* NULL when not recorded */
	char *postcode;   /* "1234 AB" or NULL */
};

/* The facts of one casus. Free with node_requests_facts_clear(). */
struct node_requests_facts {
	int64_t casus_id;
	enum node_phase phase;
	unsigned n_areas;
	int areas[12]; /* retfed.v1.ProblemArea values, in register order */
	const char *subject_birth_date; /* borrowed from persons[], or NULL */
	size_t n_persons;
	struct node_requests_person *persons;
};

/* Create or upgrade the sent-request table (idempotent). */
enum node_status node_requests_migrate(sqlite3 *db, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Read the facts of casus casus_id into *ret (zeroed first) and append an
 * audit row for the read by `user`. NODE_ERR_NOT_FOUND when there is no
 * such casus. On failure *ret holds nothing that needs freeing.
 */
enum node_status node_requests_casus_facts(sqlite3 *db, const char *user,
                                           int64_t casus_id,
                                           struct node_requests_facts *ret,
                                           char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* Free what facts holds and zero it. Safe on a zeroed struct. */
void node_requests_facts_clear(struct node_requests_facts *facts);

/* One row of the sent-request table. */
struct node_sent_request {
	int64_t id;
	uint8_t message_id[MSGID_LEN];
	int kind;         /* retfed.v1.Kind */
	int64_t casus_id; /* 0: none */
	char case_ref[48];
	char recipient[PARTY_ID_MAX];
	int has_thread;
	uint8_t thread_id[MSGID_LEN];
	char sent_at[24];
};

/*
 * Record that message msgid of `kind` was queued by `user`, about casus
 * casus_id (0: none) with case reference case_ref (NULL or ""), to
 * recipient (NULL or "" for the kinds the relay routes to the BEN), as part
 * of thread thread_id (NULL: none), with its audit row, INSIDE the
 * caller's open transaction: node_outbox_queue() calls it (through the
 * guard's draft) between inserting the envelope and COMMIT, so a message
 * is never queued without its record. A message id recorded before is
 * NODE_ERR_INVALID.
 */
enum node_status
node_requests_record(sqlite3 *db, const char *user, int kind,
                     const uint8_t msgid[MSGID_LEN], int64_t casus_id,
                     const char *case_ref, const char *recipient,
                     const uint8_t *thread_id, char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* Look a sent request up by message id; NODE_ERR_NOT_FOUND when absent. */
enum node_status node_requests_find(sqlite3 *db, const uint8_t msgid[MSGID_LEN],
                                    struct node_sent_request *ret, char *errbuf,
                                    size_t errlen)
    __attribute__((warn_unused_result));

/*
 * The sent requests of casus casus_id (0: all), oldest first, as a JSON
 * array of {message_id, kind, casus_id, case_ref, recipient, thread_id,
 * sent_at, sent_by}. The caller owns *ret.
 */
enum node_status node_requests_list(sqlite3 *db, int64_t casus_id, json_t **ret,
                                    char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

#endif
