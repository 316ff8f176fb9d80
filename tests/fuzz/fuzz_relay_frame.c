/*
 * fuzz_relay_frame: relay_frame_decode on untrusted bytes, as a node or
 * desk receives them. A delivered envelope is decoded too. Whatever
 * decodes must pack again and decode again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "envelope.h"
#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: decode the frame and any delivered envelope; re-pack it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay_frame *f = NULL, *again = NULL;
	struct envelope *env = NULL;
	struct wire_error err;
	enum wire_reason rc;
	uint8_t *buf = NULL;
	size_t len = 0;

	wire_error_clear(&err);
	rc = relay_frame_decode(data, size, &f, &err);
	if (rc != WIRE_OK) {
		if (f != NULL || err.reason != rc || err.detail[0] == '\0')
			abort();
		return 0;
	}
	if (f->msg->frame_case == RETFED__V1__RELAY_FRAME__FRAME_DELIVERY) {
		rc = envelope_decode(f->msg->delivery->envelope.data,
				     f->msg->delivery->envelope.len, &env,
				     &err);
		if (rc == WIRE_OK)
			envelope_destroy(&env);
		else if (env != NULL || err.detail[0] == '\0')
			abort();
	}
	if (frame_pack(&f->msg->base, &buf, &len) != 0 || len > size)
		abort();
	if (relay_frame_decode(buf, len, &again, &err) != WIRE_OK ||
	    again->msg->frame_case != f->msg->frame_case)
		abort();
	relay_frame_destroy(&again);
	free(buf);
	relay_frame_destroy(&f);
	return 0;
}
