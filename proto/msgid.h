/*
 * msgid: 16-byte message ids that sort by creation time: a 48-bit
 * big-endian millisecond timestamp followed by 80 random bits (the layout of
 * UUIDv7 without its version and variant bits). Stores indexed by them
 * append at the end of their B-tree instead of at random places.
 */
#ifndef RET_MSGID_H
#define RET_MSGID_H

#include <stddef.h>
#include <stdint.h>

#define MSGID_LEN 16
#define MSGID_HEX_LEN 33 /* 32 hex digits and a NUL */

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
uint64_t msgid_now_ms(void);

/* Fill id with a new message id for time `ms` (48 bits are kept). */
void msgid_generate(uint8_t id[MSGID_LEN], uint64_t ms);

/* The millisecond time stored in an id. */
uint64_t msgid_time_ms(const uint8_t id[MSGID_LEN]);

/* Write the id as 32 lower-case hex digits plus NUL into out. */
void msgid_to_hex(const uint8_t id[MSGID_LEN], char out[MSGID_HEX_LEN]);

/* Parse 32 hex digits (either case). Returns 0, or -1 if malformed. */
int msgid_from_hex(const char *hex, uint8_t id[MSGID_LEN])
	__attribute__((warn_unused_result));

#endif
