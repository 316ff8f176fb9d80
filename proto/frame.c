/* frame: transport frames between clients and relays. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "msgid.h"
#include "party.h"
#include "wire_scan.h"

static enum wire_reason
check_client(const Retfed__V1__ClientFrame *f, struct wire_error *err)
{
	switch (f->frame_case) {
	case RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT:
		if (f->submit.len == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "ClientFrame.submit is empty");
		if (f->submit.len > ENVELOPE_MAX)
			return wire_fail(err, WIRE_TOO_LARGE,
					 "ClientFrame.submit exceeds %d bytes",
					 ENVELOPE_MAX);
		return WIRE_OK;
	case RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM:
		if (f->confirm->cursor == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "DeliveryConfirm.cursor is missing");
		return WIRE_OK;
	case RETFED__V1__CLIENT_FRAME__FRAME_RESUME:
	case RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY:
		return WIRE_OK;
	default:
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "ClientFrame carries nothing");
	}
}

static enum wire_reason
check_relay(const Retfed__V1__RelayFrame *f, struct wire_error *err)
{
	switch (f->frame_case) {
	case RETFED__V1__RELAY_FRAME__FRAME_ACK:
		if (f->ack->message_id.len != MSGID_LEN)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Ack.message_id must be %d bytes",
					 MSGID_LEN);
		return WIRE_OK;
	case RETFED__V1__RELAY_FRAME__FRAME_NACK:
		if (f->nack->message_id.len != 0 &&
		    f->nack->message_id.len != MSGID_LEN)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Nack.message_id must be empty or %d "
					 "bytes",
					 MSGID_LEN);
		if (f->nack->reason == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Nack.reason is missing");
		if (strlen(f->nack->detail) >= WIRE_DETAIL_MAX)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Nack.detail is too long");
		return WIRE_OK;
	case RETFED__V1__RELAY_FRAME__FRAME_DELIVERY:
		if (f->delivery->cursor == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Delivery.cursor is missing");
		if (f->delivery->envelope.len == 0)
			return wire_fail(err, WIRE_MISSING_FIELD,
					 "Delivery.envelope is missing");
		if (f->delivery->envelope.len > ENVELOPE_MAX)
			return wire_fail(err, WIRE_TOO_LARGE,
					 "Delivery.envelope exceeds %d bytes",
					 ENVELOPE_MAX);
		return WIRE_OK;
	case RETFED__V1__RELAY_FRAME__FRAME_RECEIPT:
		if (f->receipt->message_id.len != MSGID_LEN)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Receipt.message_id must be %d bytes",
					 MSGID_LEN);
		if (!party_id_valid(f->receipt->recipient))
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "Receipt.recipient is not a party id");
		return WIRE_OK;
	case RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY:
		return WIRE_OK;
	default:
		return wire_fail(err, WIRE_MISSING_FIELD,
				 "RelayFrame carries nothing");
	}
}

/*
 * The part both frame decoders share: size limit, a budgeted arena, strict
 * scan and unpack. On success the caller owns *ret_arena and *ret_msg lives
 * in it; on failure nothing is left to free.
 */
static enum wire_reason
frame_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
	     size_t len, struct wire_arena **ret_arena,
	     ProtobufCMessage **ret_msg, struct wire_error *err)
{
	struct wire_arena *arena;
	enum wire_reason rc;

	if (len > FRAME_MAX)
		return wire_fail(err, WIRE_TOO_LARGE,
				 "frame of %zu bytes exceeds the limit of %d",
				 len, FRAME_MAX);
	arena = wire_arena_new(wire_arena_budget_for(len));
	if (arena == NULL)
		return wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	rc = wire_unpack(desc, buf, len, FRAME_MAX, arena, ret_msg, err);
	if (rc != WIRE_OK) {
		wire_arena_destroy(&arena);
		return rc;
	}
	*ret_arena = arena;
	return WIRE_OK;
}

enum wire_reason
client_frame_decode(const uint8_t *buf, size_t len, struct client_frame **ret,
		    struct wire_error *err)
{
	struct wire_arena *arena = NULL;
	ProtobufCMessage *m = NULL;
	struct client_frame *f;
	enum wire_reason rc;

	rc = frame_unpack(&retfed__v1__client_frame__descriptor, buf, len,
			  &arena, &m, err);
	if (rc != WIRE_OK)
		return rc;
	rc = check_client((const Retfed__V1__ClientFrame *)m, err);
	if (rc == WIRE_OK && (f = calloc(1, sizeof(*f))) == NULL)
		rc = wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	if (rc != WIRE_OK) {
		wire_arena_destroy(&arena);
		return rc;
	}
	f->arena = arena;
	f->msg = (const Retfed__V1__ClientFrame *)m;
	*ret = f;
	return WIRE_OK;
}

void
client_frame_destroy(struct client_frame **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	wire_arena_destroy(&(*fp)->arena);
	free(*fp);
	*fp = NULL;
}

enum wire_reason
relay_frame_decode(const uint8_t *buf, size_t len, struct relay_frame **ret,
		   struct wire_error *err)
{
	struct wire_arena *arena = NULL;
	ProtobufCMessage *m = NULL;
	struct relay_frame *f;
	enum wire_reason rc;

	rc = frame_unpack(&retfed__v1__relay_frame__descriptor, buf, len,
			  &arena, &m, err);
	if (rc != WIRE_OK)
		return rc;
	rc = check_relay((const Retfed__V1__RelayFrame *)m, err);
	if (rc == WIRE_OK && (f = calloc(1, sizeof(*f))) == NULL)
		rc = wire_fail(err, WIRE_OVER_BUDGET, "out of memory");
	if (rc != WIRE_OK) {
		wire_arena_destroy(&arena);
		return rc;
	}
	f->arena = arena;
	f->msg = (const Retfed__V1__RelayFrame *)m;
	*ret = f;
	return WIRE_OK;
}

void
relay_frame_destroy(struct relay_frame **fp)
{
	if (fp == NULL || *fp == NULL)
		return;
	wire_arena_destroy(&(*fp)->arena);
	free(*fp);
	*fp = NULL;
}

int
frame_pack(const ProtobufCMessage *m, uint8_t **ret_buf, size_t *ret_len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf;

	if (n > FRAME_MAX)
		return -1;
	buf = malloc(n ? n : 1);
	if (buf == NULL)
		return -1;
	protobuf_c_message_pack(m, buf);
	*ret_buf = buf;
	*ret_len = n;
	return 0;
}

int
frame_pack_submit(const uint8_t *env, size_t env_len, uint8_t **ret_buf,
		  size_t *ret_len)
{
	Retfed__V1__ClientFrame f = RETFED__V1__CLIENT_FRAME__INIT;

	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT;
	f.submit.data = (uint8_t *)(uintptr_t)env;
	f.submit.len = env_len;
	return frame_pack(&f.base, ret_buf, ret_len);
}

int
frame_pack_ack(const uint8_t *msgid, uint64_t seq, int duplicate,
	       uint8_t **ret_buf, size_t *ret_len)
{
	Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
	Retfed__V1__Ack a = RETFED__V1__ACK__INIT;

	a.message_id.data = (uint8_t *)(uintptr_t)msgid;
	a.message_id.len = MSGID_LEN;
	a.seq = seq;
	a.duplicate = duplicate != 0;
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_ACK;
	f.ack = &a;
	return frame_pack(&f.base, ret_buf, ret_len);
}

/*
 * Copy detail into d[WIRE_DETAIL_MAX] so that receivers accept it: at most
 * WIRE_DETAIL_MAX - 1 bytes, cut before a UTF-8 character rather than
 * inside one, and any byte that is not valid UTF-8 replaced by '?'.
 */
static void
nack_detail(char d[WIRE_DETAIL_MAX], const char *detail)
{
	size_t n = detail ? strlen(detail) : 0, i;

	if (n > WIRE_DETAIL_MAX - 1) {
		n = WIRE_DETAIL_MAX - 1;
		while (n > 0 && ((unsigned char)detail[n] & 0xc0) == 0x80)
			n--;
	}
	if (n > 0)
		memcpy(d, detail, n);
	d[n] = '\0';
	if (!wire_utf8_valid(d, n))
		for (i = 0; i < n; i++)
			if ((unsigned char)d[i] >= 0x80)
				d[i] = '?';
}

int
frame_pack_nack(const uint8_t *msgid, uint64_t seq, int reason,
		const char *detail, uint8_t **ret_buf, size_t *ret_len)
{
	Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
	Retfed__V1__Nack n;
	char d[WIRE_DETAIL_MAX];

	/* The INIT macro casts away const, which clang's -Wcast-qual refuses. */
	retfed__v1__nack__init(&n);
	nack_detail(d, detail);
	if (msgid != NULL) {
		n.message_id.data = (uint8_t *)(uintptr_t)msgid;
		n.message_id.len = MSGID_LEN;
	}
	n.seq = seq;
	n.reason = (Retfed__V1__Reason)reason;
	n.detail = d;
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_NACK;
	f.nack = &n;
	return frame_pack(&f.base, ret_buf, ret_len);
}

int
frame_pack_delivery(uint64_t cursor, const uint8_t *env, size_t env_len,
		    uint8_t **ret_buf, size_t *ret_len)
{
	Retfed__V1__RelayFrame f = RETFED__V1__RELAY_FRAME__INIT;
	Retfed__V1__Delivery d = RETFED__V1__DELIVERY__INIT;

	d.cursor = cursor;
	d.envelope.data = (uint8_t *)(uintptr_t)env;
	d.envelope.len = env_len;
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_DELIVERY;
	f.delivery = &d;
	return frame_pack(&f.base, ret_buf, ret_len);
}
