/*
 * frame: the transport frames between a client (node, desk, peer relay) and
 * a relay: ClientFrame upwards, RelayFrame downwards. One ZeroMQ message
 * part carries one frame. Decoding enforces FRAME_MAX before parsing and the
 * per-field rules of docs/protocol.md; an envelope inside a frame is left as
 * bytes for envelope_decode().
 */
#ifndef RET_FRAME_H
#define RET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "retfed.pb-c.h"
#include "wire_arena.h"
#include "wire_error.h"

#define FRAME_MAX (64 * 1024)
/*
 * What CURVE adds to every ZeroMQ message on the wire: the 8-byte MESSAGE
 * command name, an 8-byte nonce, the 16-byte authenticator and one flags
 * byte. libzmq's ZMQ_MAXMSGSIZE counts these bytes too, so a socket that
 * must let a frame of FRAME_MAX bytes through sets FRAME_WIRE_MAX.
 */
#define FRAME_CURVE_OVERHEAD 33
#define FRAME_WIRE_MAX (FRAME_MAX + FRAME_CURVE_OVERHEAD)

struct client_frame {
	struct wire_arena *arena;
	const Retfed__V1__ClientFrame *msg;
};

struct relay_frame {
	struct wire_arena *arena;
	const Retfed__V1__RelayFrame *msg;
};

/*
 * Decode a ClientFrame from untrusted bytes. On success *ret owns the
 * frame; on failure the reason is returned and *ret is untouched.
 */
enum wire_reason client_frame_decode(const uint8_t *buf, size_t len,
				     struct client_frame **ret,
				     struct wire_error *err)
	__attribute__((warn_unused_result));
void client_frame_destroy(struct client_frame **fp);

/* Decode a RelayFrame from untrusted bytes; as client_frame_decode. */
enum wire_reason relay_frame_decode(const uint8_t *buf, size_t len,
				    struct relay_frame **ret,
				    struct wire_error *err)
	__attribute__((warn_unused_result));
void relay_frame_destroy(struct relay_frame **fp);

/*
 * Serialise a frame into a new malloc'ed buffer (*ret_buf, *ret_len).
 * Returns 0, or -1 when out of memory or when the frame exceeds FRAME_MAX.
 */
int frame_pack(const ProtobufCMessage *m, uint8_t **ret_buf, size_t *ret_len)
	__attribute__((warn_unused_result));

/* Builders for the common frames; each returns as frame_pack. */
int frame_pack_submit(const uint8_t *env, size_t env_len, uint8_t **ret_buf,
		      size_t *ret_len) __attribute__((warn_unused_result));
int frame_pack_ack(const uint8_t *msgid, uint64_t seq, int duplicate,
		   uint8_t **ret_buf, size_t *ret_len)
	__attribute__((warn_unused_result));
int frame_pack_nack(const uint8_t *msgid, uint64_t seq, int reason,
		    const char *detail, uint8_t **ret_buf, size_t *ret_len)
	__attribute__((warn_unused_result));
int frame_pack_delivery(uint64_t cursor, const uint8_t *env, size_t env_len,
			uint8_t **ret_buf, size_t *ret_len)
	__attribute__((warn_unused_result));

#endif
