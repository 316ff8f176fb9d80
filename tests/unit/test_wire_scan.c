/*
 * test_wire_scan: the strict pre-scan, the budgeted unpack and the UTF-8
 * validator of wire_scan.h, and the arena of wire_arena.h.
 *
 * The schema has no recursive type and no fixed-width field, so the depth
 * limit and the fixed-width branches are proved with a hand-made descriptor
 * ("Node") that refers to itself; the scan never unpacks it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "retfed.pb-c.h"
#include "wire_arena.h"
#include "wire_error.h"
#include "wire_scan.h"

/* ------------------------------------------------------------------ */
/* UTF-8                                                              */

static const struct {
	const char *s;
	size_t len;
	int valid;
} utf8_table[] = {
	{"", 0, 1},
	{"plain ascii", 11, 1},
	{"\x7f", 1, 1},
	{"\xc2\x80", 2, 1},             /* U+0080 */
	{"\xdf\xbf", 2, 1},             /* U+07FF */
	{"\xe0\xa0\x80", 3, 1},         /* U+0800 */
	{"\xed\x9f\xbf", 3, 1},         /* U+D7FF */
	{"\xee\x80\x80", 3, 1},         /* U+E000 */
	{"\xef\xbf\xbf", 3, 1},         /* U+FFFF */
	{"\xf0\x90\x80\x80", 4, 1},     /* U+10000 */
	{"\xf4\x8f\xbf\xbf", 4, 1},     /* U+10FFFF */
	{"caf\xc3\xa9 \xe2\x82\xac", 9, 1},
	{"\0", 1, 0},                   /* NUL */
	{"a\0b", 3, 0},                 /* embedded NUL */
	{"\xc0\x80", 2, 0},             /* overlong NUL */
	{"\xc0\xaf", 2, 0},             /* overlong '/' */
	{"\xc1\xbf", 2, 0},             /* overlong U+007F */
	{"\xe0\x80\x80", 3, 0},         /* overlong 3-byte */
	{"\xe0\x9f\xbf", 3, 0},         /* overlong U+07FF */
	{"\xf0\x80\x80\x80", 4, 0},     /* overlong 4-byte */
	{"\xf0\x8f\xbf\xbf", 4, 0},     /* overlong U+FFFF */
	{"\xed\xa0\x80", 3, 0},         /* U+D800 */
	{"\xed\xbf\xbf", 3, 0},         /* U+DFFF */
	{"\xed\xa0\x80\xed\xb0\x80", 6, 0}, /* CESU-8 pair */
	{"\xf4\x90\x80\x80", 4, 0},     /* U+110000 */
	{"\xf5\x80\x80\x80", 4, 0},
	{"\xf7\xbf\xbf\xbf", 4, 0},
	{"\xf8\x88\x80\x80\x80", 5, 0}, /* 5-byte form */
	{"\xfc\x84\x80\x80\x80\x80", 6, 0},
	{"\xfe", 1, 0},
	{"\xff", 1, 0},
	{"\x80", 1, 0},                 /* lone continuation */
	{"\xbf", 1, 0},
	{"a\x80z", 3, 0},
	{"\xc2", 1, 0},                 /* truncated */
	{"\xe0\xa0", 2, 0},
	{"\xf0\x90\x80", 3, 0},
	{"abc\xe2\x82", 5, 0},          /* truncated at the end */
	{"\xc2\x41", 2, 0},             /* continuation missing */
	{"\xe0\xa0\x41", 3, 0},
	{"\xf0\x90\x41\x80", 4, 0},
	{"\xc2\xc2\x80", 3, 0},
};

static void
test_utf8_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(utf8_table) / sizeof(utf8_table[0]); i++) {
		int got = wire_utf8_valid(utf8_table[i].s, utf8_table[i].len);

		if (got != utf8_table[i].valid)
			print_error("entry %zu: want %d got %d\n", i,
				    utf8_table[i].valid, got);
		assert_int_equal(got, utf8_table[i].valid);
	}
}

/* Only `len` bytes are looked at. */
static void
test_utf8_respects_length(void **state)
{
	assert_true(wire_utf8_valid("ab\xff", 2));
	assert_true(wire_utf8_valid("ab\0", 2));
	assert_false(wire_utf8_valid("\xe2\x82\xac", 2));
	assert_true(wire_utf8_valid(NULL, 0));
}

/*
 * An independent reference: the well-formed byte sequences of the Unicode
 * standard (table 3-7), checked against wire_utf8_valid for every 1- and
 * 2-byte input and every 3- and 4-byte input on the edge lead bytes.
 */
static int
ref_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t k, need;

		if (c == 0)
			return 0;
		if (c <= 0x7f) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c == 0xe0)
			need = 2, lo = 0xa0;
		else if (c == 0xed)
			need = 2, hi = 0x9f;
		else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			need = 2;
		else if (c == 0xf0)
			need = 3, lo = 0x90;
		else if (c >= 0xf1 && c <= 0xf3)
			need = 3;
		else if (c == 0xf4)
			need = 3, hi = 0x8f;
		else
			return 0;
		if (n - i - 1 < need)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= need; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += need + 1;
	}
	return 1;
}

static void
test_utf8_against_reference(void **state)
{
	static const unsigned char leads[] = {0xe0, 0xe1, 0xed, 0xee, 0xef,
					      0xf0, 0xf3, 0xf4, 0xf5};
	unsigned char s[4];
	unsigned a, b, c, li;
	unsigned long checked = 0;

	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		assert_int_equal(wire_utf8_valid((const char *)s, 1),
				 ref_valid(s, 1));
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			assert_int_equal(wire_utf8_valid((const char *)s, 2),
					 ref_valid(s, 2));
			checked++;
		}
	}
	for (li = 0; li < sizeof(leads); li++) {
		s[0] = leads[li];
		for (b = 0x70; b < 0xd0; b++) {
			s[1] = (unsigned char)b;
			for (c = 0x70; c < 0xd0; c++) {
				s[2] = (unsigned char)c;
				assert_int_equal(
					wire_utf8_valid((const char *)s, 3),
					ref_valid(s, 3));
				s[3] = 0x80 + (unsigned char)(c & 0x3f);
				assert_int_equal(
					wire_utf8_valid((const char *)s, 4),
					ref_valid(s, 4));
				checked += 2;
			}
		}
	}
	assert_true(checked > 100000);
}

/* ------------------------------------------------------------------ */
/* Arena                                                              */

static void
test_arena_budget(void **state)
{
	struct wire_arena *a = wire_arena_new(100);
	ProtobufCAllocator *al;
	void *p, *q, *z;

	assert_non_null(a);
	al = wire_arena_allocator(a);
	assert_non_null(al);
	assert_int_equal(wire_arena_used(a), 0);
	assert_false(wire_arena_exhausted(a));
	p = al->alloc(al->allocator_data, 50);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % 16, 0);
	assert_int_equal(wire_arena_used(a), 64);
	memset(p, 0xab, 50);
	z = al->alloc(al->allocator_data, 0);
	assert_non_null(z);
	assert_int_equal(wire_arena_used(a), 80);
	/* 100 rounds up to 112: 32 bytes are left. */
	q = al->alloc(al->allocator_data, 33);
	assert_null(q);
	assert_true(wire_arena_exhausted(a));
	assert_int_equal(wire_arena_used(a), 80);
	q = al->alloc(al->allocator_data, 32);
	assert_non_null(q);
	assert_int_equal(wire_arena_used(a), 112);
	/* A size that would wrap around when aligned. */
	assert_null(al->alloc(al->allocator_data, SIZE_MAX - 3));
	al->free(al->allocator_data, p); /* a no-op */
	assert_int_equal(wire_arena_used(a), 112);
	wire_arena_destroy(&a);
	assert_null(a);
	wire_arena_destroy(&a);
	wire_arena_destroy(NULL);
}

static void
test_arena_zero_and_budget_for(void **state)
{
	struct wire_arena *a = wire_arena_new(0);
	ProtobufCAllocator *al;

	assert_non_null(a);
	al = wire_arena_allocator(a);
	assert_null(al->alloc(al->allocator_data, 1));
	assert_true(wire_arena_exhausted(a));
	wire_arena_destroy(&a);

	assert_int_equal(wire_arena_budget_for(0), 8192);
	assert_int_equal(wire_arena_budget_for(1000), 4 * 1000 + 8192);
	assert_int_equal(wire_arena_budget_for(SIZE_MAX), SIZE_MAX);
	assert_int_equal(wire_arena_budget_for(SIZE_MAX / 4), SIZE_MAX);
}

/* ------------------------------------------------------------------ */
/* A self-referring descriptor                                        */

static const ProtobufCMessageDescriptor node_desc;

static const ProtobufCFieldDescriptor node_fields[6] = {
	{.name = "child", .id = 1, .label = PROTOBUF_C_LABEL_NONE,
	 .type = PROTOBUF_C_TYPE_MESSAGE, .descriptor = &node_desc},
	{.name = "name", .id = 2, .label = PROTOBUF_C_LABEL_NONE,
	 .type = PROTOBUF_C_TYPE_STRING},
	{.name = "nums", .id = 3, .label = PROTOBUF_C_LABEL_REPEATED,
	 .type = PROTOBUF_C_TYPE_FIXED32,
	 .flags = PROTOBUF_C_FIELD_FLAG_PACKED},
	{.name = "flag", .id = 4, .label = PROTOBUF_C_LABEL_NONE,
	 .type = PROTOBUF_C_TYPE_BOOL},
	{.name = "big", .id = 5, .label = PROTOBUF_C_LABEL_NONE,
	 .type = PROTOBUF_C_TYPE_FIXED64},
	{.name = "wide", .id = 6, .label = PROTOBUF_C_LABEL_REPEATED,
	 .type = PROTOBUF_C_TYPE_DOUBLE},
};

static const unsigned node_by_name[6] = {0, 5, 3, 4, 1, 2};

static const ProtobufCIntRange node_ranges[2] = {{1, 0}, {0, 6}};

static const ProtobufCMessageDescriptor node_desc = {
	.magic = PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
	.name = "test.Node",
	.short_name = "Node",
	.c_name = "Node",
	.package_name = "test",
	.sizeof_message = sizeof(ProtobufCMessage),
	.n_fields = 6,
	.fields = node_fields,
	.fields_sorted_by_name = node_by_name,
	.n_field_ranges = 1,
	.field_ranges = node_ranges,
};

/* `levels` Nodes, each the child of the one before; returns the length. */
static size_t
nest(uint8_t *out, size_t cap, unsigned levels)
{
	size_t n = 0;
	unsigned i;

	/* Build from the inside out at the end of the buffer. */
	for (i = 1; i < levels; i++) {
		uint8_t hdr[8];
		size_t h = 0, len = n;

		hdr[h++] = 0x0a; /* field 1, wire type 2 */
		do {
			hdr[h] = (uint8_t)(len & 0x7f);
			len >>= 7;
			if (len)
				hdr[h] |= 0x80;
			h++;
		} while (len);
		assert_true(n + h <= cap);
		memcpy(out + cap - n - h, hdr, h);
		n += h;
	}
	memmove(out, out + cap - n, n);
	return n;
}

static void
test_depth_limit(void **state)
{
	struct wire_error err;
	uint8_t *buf = malloc(100000);
	size_t n;

	assert_non_null(buf);
	n = nest(buf, 100000, WIRE_MAX_DEPTH);
	assert_int_equal(wire_scan(&node_desc, buf, n, &err), WIRE_OK);
	n = nest(buf, 100000, WIRE_MAX_DEPTH + 1);
	assert_int_equal(wire_scan(&node_desc, buf, n, &err), WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "nested deeper than 8"));
	/* The 34 KB self-nested message that overflows protobuf-c's stack
	 * is refused after nine levels. */
	n = nest(buf, 100000, 20000);
	assert_true(n > 34000);
	assert_int_equal(wire_scan(&node_desc, buf, n, &err), WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "nested deeper"));
	free(buf);
}

static void
test_fixed_width_fields(void **state)
{
	struct wire_error err;
	static const uint8_t packed_ok[] = {0x1a, 0x08, 1, 0, 0, 0, 2, 0, 0, 0};
	static const uint8_t packed_cut[] = {0x1a, 0x05, 1, 0, 0, 0, 2};
	static const uint8_t unpacked[] = {0x1d, 1, 0, 0, 0, 0x1d, 2, 0, 0, 0};
	static const uint8_t fixed64_ok[] = {0x29, 1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t fixed64_cut[] = {0x29, 1, 2, 3, 4, 5, 6, 7};
	static const uint8_t fixed64_as_32[] = {0x2d, 1, 2, 3, 4};
	static const uint8_t double_packed[] = {0x32, 0x08, 0, 0, 0, 0,
						0, 0, 0xf0, 0x3f};
	static const uint8_t bool_ok[] = {0x20, 0x01};
	static const uint8_t bool_bad[] = {0x20, 0x02};
	static const uint8_t bool_packed[] = {0x22, 0x01, 0x01};

	assert_int_equal(wire_scan(&node_desc, packed_ok, sizeof(packed_ok),
				   &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&node_desc, packed_cut, sizeof(packed_cut),
				   &err),
			 WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "Node.nums: truncated packed"));
	assert_int_equal(wire_scan(&node_desc, unpacked, sizeof(unpacked),
				   &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&node_desc, fixed64_ok, sizeof(fixed64_ok),
				   &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&node_desc, fixed64_cut,
				   sizeof(fixed64_cut), &err),
			 WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "Node.big: truncated"));
	assert_int_equal(wire_scan(&node_desc, fixed64_as_32,
				   sizeof(fixed64_as_32), &err),
			 WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "wire type 5, expected 1"));
	assert_int_equal(wire_scan(&node_desc, double_packed,
				   sizeof(double_packed), &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&node_desc, bool_ok, sizeof(bool_ok), &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&node_desc, bool_bad, sizeof(bool_bad),
				   &err),
			 WIRE_OUT_OF_RANGE);
	/* A singular field cannot come packed. */
	assert_int_equal(wire_scan(&node_desc, bool_packed,
				   sizeof(bool_packed), &err),
			 WIRE_MALFORMED);
}

/* A packed Node.nums of `count` fixed32 values. */
static size_t
packed_nums(uint8_t *buf, unsigned count)
{
	size_t len = 4 * (size_t)count;

	memset(buf, 0, 3 + len);
	buf[0] = 0x1a;
	buf[1] = (uint8_t)(0x80 | (len & 0x7f));
	buf[2] = (uint8_t)(len >> 7);
	return 3 + len;
}

static void
test_repeated_fixed_limit(void **state)
{
	struct wire_error err;
	uint8_t buf[3 + 4 * (WIRE_MAX_REPEATED + 1)];
	size_t n;

	n = packed_nums(buf, WIRE_MAX_REPEATED);
	assert_int_equal(wire_scan(&node_desc, buf, n, &err), WIRE_OK);
	n = packed_nums(buf, WIRE_MAX_REPEATED + 1);
	assert_int_equal(wire_scan(&node_desc, buf, n, &err),
			 WIRE_OUT_OF_RANGE);
	assert_non_null(strstr(err.detail, "Node.nums has more than 64"));
}

/* The scan keeps one bit per field: a type with more than 64 is refused. */
static void
test_too_many_fields(void **state)
{
	static ProtobufCFieldDescriptor wide_fields[65];
	static const ProtobufCIntRange wide_ranges[2] = {{1, 0}, {0, 65}};
	ProtobufCMessageDescriptor wide;
	struct wire_error err;
	static const uint8_t one[] = {0x08, 0x01};
	unsigned i;

	for (i = 0; i < 65; i++) {
		wide_fields[i].name = "f";
		wide_fields[i].id = i + 1;
		wide_fields[i].label = PROTOBUF_C_LABEL_NONE;
		wide_fields[i].type = PROTOBUF_C_TYPE_UINT32;
	}
	wide = node_desc;
	wide.short_name = "Wide";
	wide.n_fields = 65;
	wide.fields = wide_fields;
	wide.fields_sorted_by_name = NULL;
	wide.field_ranges = wide_ranges;
	assert_int_equal(wire_scan(&wide, one, sizeof(one), &err),
			 WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "Wide has too many fields"));
	wide.n_fields = 64;
	assert_int_equal(wire_scan(&wide, one, sizeof(one), &err), WIRE_OK);
}

/* ------------------------------------------------------------------ */
/* wire_scan and wire_unpack on the real schema                       */

static void
test_scan_basics(void **state)
{
	struct wire_error err;
	static const uint8_t seq_reply[] = {0x08, 0x05};

	assert_int_equal(wire_scan(&retfed__v1__seq_reply__descriptor, NULL, 0,
				   &err),
			 WIRE_OK);
	assert_int_equal(wire_scan(&retfed__v1__seq_reply__descriptor, NULL, 3,
				   &err),
			 WIRE_MALFORMED);
	assert_string_equal(err.detail, "no input");
	assert_int_equal(wire_scan(&retfed__v1__seq_reply__descriptor,
				   seq_reply, sizeof(seq_reply), NULL),
			 WIRE_OK);
	/* err may be NULL on failure too. */
	assert_int_equal(wire_scan(&retfed__v1__seq_reply__descriptor,
				   seq_reply, 1, NULL),
			 WIRE_MALFORMED);
}

static void
test_unpack(void **state)
{
	static const uint8_t seq_reply[] = {0x08, 0x05};
	static const uint8_t nack[] = {0x18, 0x09, 0x22, 0x02, 'h', 'i'};
	struct wire_arena *a = wire_arena_new(4096);
	ProtobufCMessage *m = NULL;
	ProtobufCMessage *sentinel = (ProtobufCMessage *)&m;
	struct wire_error err;

	assert_non_null(a);
	assert_int_equal(wire_unpack(&retfed__v1__seq_reply__descriptor,
				     seq_reply, sizeof(seq_reply), 16, a, &m,
				     &err),
			 WIRE_OK);
	assert_non_null(m);
	assert_int_equal(((Retfed__V1__SeqReply *)m)->last_seq, 5);
	/* Nothing but the arena to free. */
	assert_true(wire_arena_used(a) > 0);

	m = sentinel;
	assert_int_equal(wire_unpack(&retfed__v1__seq_reply__descriptor,
				     seq_reply, sizeof(seq_reply), 1, a, &m,
				     &err),
			 WIRE_TOO_LARGE);
	assert_ptr_equal(m, sentinel);
	assert_non_null(strstr(err.detail, "SeqReply of 2 bytes exceeds"));
	assert_int_equal(wire_unpack(&retfed__v1__seq_reply__descriptor, NULL,
				     0, 16, a, &m, &err),
			 WIRE_OK);
	assert_int_equal(((Retfed__V1__SeqReply *)m)->last_seq, 0);
	m = sentinel;
	assert_int_equal(wire_unpack(&retfed__v1__seq_reply__descriptor,
				     seq_reply, 1, 16, a, &m, &err),
			 WIRE_MALFORMED);
	assert_ptr_equal(m, sentinel);
	wire_arena_destroy(&a);

	/* A budget too small for the message struct itself. */
	a = wire_arena_new(16);
	assert_non_null(a);
	assert_int_equal(wire_unpack(&retfed__v1__nack__descriptor, nack,
				     sizeof(nack), 64, a, &m, &err),
			 WIRE_OVER_BUDGET);
	assert_ptr_equal(m, sentinel);
	assert_true(wire_arena_exhausted(a));
	wire_arena_destroy(&a);
	a = wire_arena_new(4096);
	assert_int_equal(wire_unpack(&retfed__v1__nack__descriptor, nack,
				     sizeof(nack), 64, a, &m, &err),
			 WIRE_OK);
	assert_int_equal(((Retfed__V1__Nack *)m)->reason, 9);
	assert_string_equal(((Retfed__V1__Nack *)m)->detail, "hi");
	wire_arena_destroy(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_table),
		cmocka_unit_test(test_utf8_respects_length),
		cmocka_unit_test(test_utf8_against_reference),
		cmocka_unit_test(test_arena_budget),
		cmocka_unit_test(test_arena_zero_and_budget_for),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_fixed_width_fields),
		cmocka_unit_test(test_repeated_fixed_limit),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_scan_basics),
		cmocka_unit_test(test_unpack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
