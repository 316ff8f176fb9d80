/*
 * relay_status: what an operator asks of a relay's store — per party its
 * backlog (deliveries after its confirmed cursor), its oldest unconfirmed
 * delivery, its last stored sequence number and last submit — and the
 * store's size. Used by `ret-relay status` (human and --json) and by the
 * metrics of the running relay (relay_metrics).
 *
 * Library code: reads through a SQLite handle it is given, never logs.
 */
#ifndef RET_RELAY_STATUS_H
#define RET_RELAY_STATUS_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "party.h"

/* One party as the store knows it. */
struct relay_status_party {
	char party[PARTY_ID_MAX];
	uint64_t backlog;               /* deliveries not yet confirmed */
	uint64_t oldest_unconfirmed_ms; /* stored_ms of the oldest; 0: none */
	uint64_t confirmed_cursor;
	uint64_t last_seq;       /* last stored seq as an author */
	uint64_t last_submit_ms; /* newest envelope it authored; 0: none */
};

struct relay_status {
	uint64_t messages;   /* stored envelopes */
	uint64_t deliveries; /* delivery rows */
	uint64_t receipts_pending;
	uint64_t store_bytes;               /* page_count * page_size */
	uint64_t free_bytes;                /* free pages * page_size */
	struct relay_status_party *parties; /* sorted by id */
	size_t n_parties;
};

/*
 * Fill *ret with the store's state; with `authors` 0 the per-author
 * columns (last_seq, last_submit_ms, which scan every message) are left 0.
 * Returns 0, or -1 with SQLite's message in errbuf. Free with
 * relay_status_clear().
 */
int relay_status_collect(sqlite3 *db, int authors, struct relay_status *ret,
                         char *errbuf, size_t errlen)
    __attribute__((warn_unused_result));

/* Free what relay_status_collect allocated; safe on a zeroed struct. */
void relay_status_clear(struct relay_status *st);

/*
 * `ret-relay status [--json] --config FILE`: argv[0] is "status". Prints
 * the status of the relay's store (opened read-only; the relay may run).
 * Returns a sysexits exit status.
 */
int relay_status_main(int argc, char **argv);

#endif
