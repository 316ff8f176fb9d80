/* wire_error: reason codes and error values for untrusted-input decoders. */
#include "wire_error.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const reason_names[WIRE_REASON_MAX + 1] = {
	[WIRE_OK] = "ok",
	[WIRE_TOO_LARGE] = "too_large",
	[WIRE_MALFORMED] = "malformed",
	[WIRE_BAD_VERSION] = "bad_version",
	[WIRE_UNKNOWN_KIND] = "unknown_kind",
	[WIRE_MISSING_FIELD] = "missing_field",
	[WIRE_OUT_OF_RANGE] = "out_of_range",
	[WIRE_BAD_STRING] = "bad_string",
	[WIRE_UNKNOWN_FIELD] = "unknown_field",
	[WIRE_BAD_SIGNATURE] = "bad_signature",
	[WIRE_UNKNOWN_SENDER] = "unknown_sender",
	[WIRE_UNKNOWN_KEY] = "unknown_key",
	[WIRE_IMPERSONATION] = "impersonation",
	[WIRE_REPLAY] = "replay",
	[WIRE_SEQ_GAP] = "seq_gap",
	[WIRE_UNKNOWN_RECIPIENT] = "unknown_recipient",
	[WIRE_NOT_ROUTABLE] = "not_routable",
	[WIRE_NOT_PERMITTED] = "not_permitted",
	[WIRE_STORE_FAILED] = "store_failed",
	[WIRE_OVER_BUDGET] = "over_budget",
	[WIRE_BAD_TIME] = "bad_time",
	[WIRE_RATE_LIMITED] = "rate_limited",
};

enum wire_reason
wire_fail(struct wire_error *err, enum wire_reason reason, const char *fmt,
	  ...)
{
	va_list ap;

	if (err == NULL)
		return reason;
	err->reason = reason;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return reason;
}

void
wire_error_clear(struct wire_error *err)
{
	if (err == NULL)
		return;
	err->reason = WIRE_OK;
	err->detail[0] = '\0';
}

const char *
wire_reason_name(int reason)
{
	if (reason < 0 || reason > WIRE_REASON_MAX)
		return "unknown";
	return reason_names[reason];
}

int
wire_reason_is_transient(int reason)
{
	return reason == WIRE_STORE_FAILED || reason == WIRE_SEQ_GAP ||
	       reason == WIRE_RATE_LIMITED;
}
