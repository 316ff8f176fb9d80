/*
 * payload_check: the meaning-level rules of every signed body and payload
 * (required fields, enum values that must be set, lengths of each text
 * field, counts of repeated fields, the kind matching the payload, the
 * recipient a kind needs). Structure and string encoding were already
 * checked by wire_scan; these rules are the ones docs/protocol.md lists per
 * field.
 */
#ifndef RET_PAYLOAD_CHECK_H
#define RET_PAYLOAD_CHECK_H

#include "retfed.pb-c.h"
#include "wire_error.h"

/* Earliest and latest creation times accepted (2020-01-01, 2100-01-01). */
#define PAYLOAD_MIN_TIME_MS 1577836800000ULL
#define PAYLOAD_MAX_TIME_MS 4102444800000ULL

/* Text limits in bytes (UTF-8). */
#define TEXT_MAX_REASON 2000
#define TEXT_MAX_ASSIGNED 200
#define TEXT_MAX_APPROACH 4000
#define TEXT_MAX_QUESTION 1000
#define TEXT_MAX_LESSON 500
#define SUMMARY_MAX_CELLS 16
#define SUMMARY_MAX_LESSONS 10

/* Check a decoded Body, header and payload. Returns WIRE_OK or the reason. */
enum wire_reason payload_check_body(const Retfed__V1__Body *b,
				    struct wire_error *err)
	__attribute__((warn_unused_result));

/*
 * True if s is a well-formed case reference: "<label>:<32 hex digits>",
 * label 1..8 characters of [a-z0-9], hex lower-case.
 */
int payload_case_ref_valid(const char *s);

/* True if s is a period: "YYYY", "YYYY-Qn" (n 1..4) or "YYYY-MM". */
int payload_period_valid(const char *s);

#endif
