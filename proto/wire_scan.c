/* wire_scan: strict pre-validation of protobuf bytes, then budgeted unpack. */
#include "wire_scan.h"

#include <string.h>

#include "retfed.pb-c.h"

struct reader {
	const uint8_t *p;
	const uint8_t *end;
};

static int
read_varint(struct reader *r, uint64_t *ret)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end && shift < 64) {
		uint8_t b = *r->p++;

		if (shift == 63 && (b & 0x7e) != 0)
			return -1; /* more than 64 bits */
		v |= (uint64_t)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*ret = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

int
wire_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		uint32_t cp;
		size_t n, k;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
field_wire_type(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_BOOL:
	case PROTOBUF_C_TYPE_ENUM:
		return 0;
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 1;
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return 5;
	default:
		return 2;
	}
}

/* Range checks for one varint value of field f. */
static enum wire_reason
check_varint(const ProtobufCMessageDescriptor *desc,
	     const ProtobufCFieldDescriptor *f, uint64_t v,
	     struct wire_error *err)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
		if (v > UINT32_MAX)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "%s.%s does not fit in 32 bits",
					 desc->short_name, f->name);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		if (v > 1)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "%s.%s is not a boolean",
					 desc->short_name, f->name);
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;
		int32_t ev = (int32_t)v;

		if ((uint64_t)(int64_t)ev != v ||
		    protobuf_c_enum_descriptor_get_value(ed, ev) == NULL)
			/* A kind from a newer protocol has its own reason. */
			return wire_fail(err,
					 ed == &retfed__v1__kind__descriptor
						 ? WIRE_UNKNOWN_KIND
						 : WIRE_OUT_OF_RANGE,
					 "%s.%s has unknown value %lld",
					 desc->short_name, f->name,
					 (long long)(int64_t)v);
		break;
	}
	default:
		break;
	}
	return WIRE_OK;
}

static enum wire_reason scan_message(const ProtobufCMessageDescriptor *desc,
				     const uint8_t *buf, size_t len, int depth,
				     struct wire_error *err);

static enum wire_reason
scan_packed(const ProtobufCMessageDescriptor *desc,
	    const ProtobufCFieldDescriptor *f, const uint8_t *p, size_t n,
	    unsigned *count, struct wire_error *err)
{
	struct reader r = {p, p + n};
	int wt = field_wire_type(f);
	enum wire_reason rc;

	while (r.p < r.end) {
		if (++*count > WIRE_MAX_REPEATED)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "%s.%s has more than %d elements",
					 desc->short_name, f->name,
					 WIRE_MAX_REPEATED);
		if (wt == 0) {
			uint64_t v;

			if (read_varint(&r, &v) != 0)
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated packed varint",
						 desc->short_name, f->name);
			rc = check_varint(desc, f, v, err);
			if (rc != WIRE_OK)
				return rc;
		} else {
			size_t w = wt == 1 ? 8 : 4;

			if ((size_t)(r.end - r.p) < w)
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated packed value",
						 desc->short_name, f->name);
			r.p += w;
		}
	}
	return WIRE_OK;
}

static enum wire_reason
scan_message(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
	     size_t len, int depth, struct wire_error *err)
{
	struct reader r = {buf, buf + len};
	uint64_t seen = 0;
	unsigned counts[64];
	unsigned oneof_seen[8];
	size_t n_oneof = 0;
	enum wire_reason rc;

	if (depth > WIRE_MAX_DEPTH)
		return wire_fail(err, WIRE_MALFORMED,
				 "%s is nested deeper than %d levels",
				 desc->short_name, WIRE_MAX_DEPTH);
	if (desc->n_fields > 64)
		return wire_fail(err, WIRE_MALFORMED,
				 "%s has too many fields to check",
				 desc->short_name);
	memset(counts, 0, sizeof(counts));

	while (r.p < r.end) {
		uint64_t tag, v;
		uint32_t number;
		int wt;
		const ProtobufCFieldDescriptor *f;
		size_t idx;

		if (read_varint(&r, &tag) != 0)
			return wire_fail(err, WIRE_MALFORMED,
					 "%s: truncated field tag",
					 desc->short_name);
		wt = (int)(tag & 7);
		if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
			return wire_fail(err, WIRE_MALFORMED,
					 "%s: invalid field number",
					 desc->short_name);
		number = (uint32_t)(tag >> 3);
		f = protobuf_c_message_descriptor_get_field(desc, number);
		if (f == NULL)
			return wire_fail(err, WIRE_UNKNOWN_FIELD,
					 "%s has unknown field number %u",
					 desc->short_name, (unsigned)number);
		idx = (size_t)(f - desc->fields);

		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			if (seen & ((uint64_t)1 << idx))
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s appears more than once",
						 desc->short_name, f->name);
			seen |= (uint64_t)1 << idx;
			if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
				size_t k;

				for (k = 0; k < n_oneof; k++)
					if (oneof_seen[k] == f->quantifier_offset)
						return wire_fail(
						    err, WIRE_MALFORMED,
						    "%s has two members of one "
						    "oneof (second: %s)",
						    desc->short_name, f->name);
				if (n_oneof == 8)
					return wire_fail(err, WIRE_MALFORMED,
							 "%s has too many oneofs",
							 desc->short_name);
				oneof_seen[n_oneof++] = f->quantifier_offset;
			}
		}

		if (wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED &&
		    field_wire_type(f) != 2) {
			/* Packed repeated scalars. */
			if (read_varint(&r, &v) != 0 ||
			    v > (uint64_t)(r.end - r.p))
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated",
						 desc->short_name, f->name);
			rc = scan_packed(desc, f, r.p, (size_t)v, &counts[idx],
					 err);
			if (rc != WIRE_OK)
				return rc;
			r.p += v;
			continue;
		}
		if (wt != field_wire_type(f))
			return wire_fail(err, WIRE_MALFORMED,
					 "%s.%s has wire type %d, expected %d",
					 desc->short_name, f->name, wt,
					 field_wire_type(f));
		if (f->label == PROTOBUF_C_LABEL_REPEATED &&
		    ++counts[idx] > WIRE_MAX_REPEATED)
			return wire_fail(err, WIRE_OUT_OF_RANGE,
					 "%s.%s has more than %d elements",
					 desc->short_name, f->name,
					 WIRE_MAX_REPEATED);

		switch (wt) {
		case 0:
			if (read_varint(&r, &v) != 0)
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated varint",
						 desc->short_name, f->name);
			rc = check_varint(desc, f, v, err);
			if (rc != WIRE_OK)
				return rc;
			break;
		case 1:
		case 5: {
			size_t w = wt == 1 ? 8 : 4;

			if ((size_t)(r.end - r.p) < w)
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated",
						 desc->short_name, f->name);
			r.p += w;
			break;
		}
		case 2:
			if (read_varint(&r, &v) != 0 ||
			    v > (uint64_t)(r.end - r.p))
				return wire_fail(err, WIRE_MALFORMED,
						 "%s.%s: truncated",
						 desc->short_name, f->name);
			if (f->type == PROTOBUF_C_TYPE_STRING) {
				if (v > WIRE_MAX_STRING)
					return wire_fail(
					    err, WIRE_OUT_OF_RANGE,
					    "%s.%s is longer than %d bytes",
					    desc->short_name, f->name,
					    WIRE_MAX_STRING);
				if (!wire_utf8_valid((const char *)r.p,
						     (size_t)v))
					return wire_fail(
					    err, WIRE_BAD_STRING,
					    "%s.%s is not valid UTF-8 or "
					    "contains a NUL byte",
					    desc->short_name, f->name);
			} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				rc = scan_message(f->descriptor, r.p, (size_t)v,
						  depth + 1, err);
				if (rc != WIRE_OK)
					return rc;
			}
			r.p += v;
			break;
		default:
			return wire_fail(err, WIRE_MALFORMED,
					 "%s: unsupported wire type %d",
					 desc->short_name, wt);
		}
	}
	return WIRE_OK;
}

enum wire_reason
wire_scan(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
	  size_t len, struct wire_error *err)
{
	static const uint8_t empty[1];

	if (buf == NULL && len != 0)
		return wire_fail(err, WIRE_MALFORMED, "no input");
	/* NULL + 0 is undefined behaviour: scan an empty buffer instead. */
	return scan_message(desc, buf ? buf : empty, len, 1, err);
}

enum wire_reason
wire_unpack(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
	    size_t len, size_t max_len, struct wire_arena *arena,
	    ProtobufCMessage **ret_msg, struct wire_error *err)
{
	static const uint8_t empty[1];
	ProtobufCMessage *m;
	enum wire_reason rc;

	if (len > max_len)
		return wire_fail(err, WIRE_TOO_LARGE,
				 "%s of %zu bytes exceeds the limit of %zu",
				 desc->short_name, len, max_len);
	if (buf == NULL)
		buf = empty;
	rc = wire_scan(desc, buf, len, err);
	if (rc != WIRE_OK)
		return rc;
	m = protobuf_c_message_unpack(desc, wire_arena_allocator(arena), len,
				      buf);
	if (m == NULL) {
		if (wire_arena_exhausted(arena))
			return wire_fail(err, WIRE_OVER_BUDGET,
					 "%s needs more memory than allowed",
					 desc->short_name);
		return wire_fail(err, WIRE_MALFORMED, "%s could not be decoded",
				 desc->short_name);
	}
	*ret_msg = m;
	return WIRE_OK;
}
