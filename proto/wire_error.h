/*
 * wire_error: the reason codes shared by every decoder of untrusted bytes,
 * and the error value (code plus one English sentence) they return.
 *
 * The numeric values are those of the wire enum retfed.v1.Reason, so a
 * decoder's error can be sent back in a Nack unchanged.
 */
#ifndef RET_WIRE_ERROR_H
#define RET_WIRE_ERROR_H

#include <stddef.h>

enum wire_reason {
	WIRE_OK = 0,
	WIRE_TOO_LARGE = 1,
	WIRE_MALFORMED = 2,
	WIRE_BAD_VERSION = 3,
	WIRE_UNKNOWN_KIND = 4,
	WIRE_MISSING_FIELD = 5,
	WIRE_OUT_OF_RANGE = 6,
	WIRE_BAD_STRING = 7,
	WIRE_UNKNOWN_FIELD = 8,
	WIRE_BAD_SIGNATURE = 9,
	WIRE_UNKNOWN_SENDER = 10,
	WIRE_UNKNOWN_KEY = 11,
	WIRE_IMPERSONATION = 12,
	WIRE_REPLAY = 13,
	WIRE_SEQ_GAP = 14,
	WIRE_UNKNOWN_RECIPIENT = 15,
	WIRE_NOT_ROUTABLE = 16,
	WIRE_NOT_PERMITTED = 17,
	WIRE_STORE_FAILED = 18,
	WIRE_OVER_BUDGET = 19,
	WIRE_BAD_TIME = 20,
	WIRE_RATE_LIMITED = 21,
	WIRE_REASON_MAX = 21
};

/* Longest detail sentence, including the terminating NUL. */
#define WIRE_DETAIL_MAX 200

struct wire_error {
	enum wire_reason reason;
	char detail[WIRE_DETAIL_MAX];
};

/*
 * Record an error: sets err->reason and formats err->detail (truncated to
 * WIRE_DETAIL_MAX - 1 bytes). err may be NULL. Returns reason, so that
 * callers can write `return wire_fail(err, WIRE_MALFORMED, "...")`.
 */
enum wire_reason wire_fail(struct wire_error *err, enum wire_reason reason,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clear an error value to WIRE_OK with an empty detail. err may be NULL. */
void wire_error_clear(struct wire_error *err);

/*
 * The stable lower-case name of a reason ("bad_signature"), as used in logs,
 * --json output and docs/protocol.md. Unknown values give "unknown".
 */
const char *wire_reason_name(int reason);

/* True for reasons a sender should retry later without changing anything. */
int wire_reason_is_transient(int reason);

#endif
