/*
 * wire_scan: checks raw protobuf bytes against a message descriptor before
 * protobuf-c is allowed to unpack them, and then unpacks them into a
 * budgeted arena.
 *
 * protobuf-c 1.4 accepts unknown fields, invalid UTF-8 and NUL bytes in
 * strings, repeated copies of singular fields, several members of one oneof,
 * and has no limit on size or nesting. The scan refuses all of these, so what
 * reaches unpack has exactly one meaning.
 */
#ifndef RET_WIRE_SCAN_H
#define RET_WIRE_SCAN_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "wire_arena.h"
#include "wire_error.h"

/* Deepest message nesting the scan accepts (the schema needs 4). */
#define WIRE_MAX_DEPTH 8
/* Most elements in any one repeated field. */
#define WIRE_MAX_REPEATED 64
/* Longest string in any field, in bytes (fields have tighter limits). */
#define WIRE_MAX_STRING 4000

/*
 * Check `len` bytes at `buf` as an encoding of `desc`: well-formed wire
 * format, only known fields with their declared wire types, singular fields
 * at most once, at most one member per oneof, enum values the schema knows,
 * uint32 and bool values in range, strings valid UTF-8 without NUL and at
 * most WIRE_MAX_STRING bytes, repeated fields at most WIRE_MAX_REPEATED
 * elements, nesting at most WIRE_MAX_DEPTH. Returns WIRE_OK or the reason,
 * with a sentence naming the field in err. An unknown enum value is
 * WIRE_OUT_OF_RANGE, except in a Kind field: WIRE_UNKNOWN_KIND.
 */
enum wire_reason wire_scan(const ProtobufCMessageDescriptor *desc,
			   const uint8_t *buf, size_t len,
			   struct wire_error *err)
	__attribute__((warn_unused_result));

/*
 * Scan, then unpack into `arena`. Refuses more than `max_len` bytes before
 * looking at them. On success stores the message (owned by the arena) in
 * *ret_msg. On failure *ret_msg is untouched and nothing needs freeing but
 * the arena itself.
 */
enum wire_reason wire_unpack(const ProtobufCMessageDescriptor *desc,
			     const uint8_t *buf, size_t len, size_t max_len,
			     struct wire_arena *arena,
			     ProtobufCMessage **ret_msg, struct wire_error *err)
	__attribute__((warn_unused_result));

/*
 * True if the `len` bytes at `s` are valid UTF-8 (no overlong forms, no
 * surrogates, nothing above U+10FFFF) and contain no NUL byte.
 */
int wire_utf8_valid(const char *s, size_t len);

#endif
