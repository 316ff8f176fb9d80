/*
 * fuzz_client_frame: client_frame_decode on untrusted bytes, as a relay
 * receives them. A submitted envelope is decoded too. Whatever decodes
 * must pack again and decode again.
 */
#include <stdint.h>
#include <stdlib.h>

#include "envelope.h"
#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One input: decode the frame and any envelope in it; re-pack it. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client_frame *f = NULL, *again = NULL;
	struct envelope *env = NULL;
	struct wire_error err;
	enum wire_reason rc;
	uint8_t *buf = NULL;
	size_t len = 0;

	wire_error_clear(&err);
	rc = client_frame_decode(data, size, &f, &err);
	if (rc != WIRE_OK) {
		if (f != NULL || err.reason != rc || err.detail[0] == '\0')
			abort();
		return 0;
	}
	if (f->msg->frame_case == RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT) {
		rc = envelope_decode(f->msg->submit.data, f->msg->submit.len,
				     &env, &err);
		if (rc == WIRE_OK)
			envelope_destroy(&env);
		else if (env != NULL || err.detail[0] == '\0')
			abort();
	}
	if (frame_pack(&f->msg->base, &buf, &len) != 0 || len > size)
		abort();
	if (client_frame_decode(buf, len, &again, &err) != WIRE_OK ||
	    again->msg->frame_case != f->msg->frame_case)
		abort();
	client_frame_destroy(&again);
	free(buf);
	client_frame_destroy(&f);
	return 0;
}
