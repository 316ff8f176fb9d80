/*
 * test_msgid: 16-byte time-ordered message ids. The time survives a round
 * trip, ids sort by time (bytewise, as a B-tree index compares them), ids
 * of the same millisecond differ, and the hex form parses back exactly and
 * refuses anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "msgid.h"

static void
test_time_round_trip(void **state)
{
	static const uint64_t times[] = {
		0, 1, 255, 256, 1577836800000ULL, 1780000000000ULL,
		4102444799999ULL, 0xffffffffffffULL,
	};
	uint8_t id[MSGID_LEN];
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		msgid_generate(id, times[i]);
		assert_int_equal(msgid_time_ms(id), times[i]);
	}
	/* Only 48 bits are kept. */
	msgid_generate(id, 0x1000000000001ULL);
	assert_int_equal(msgid_time_ms(id), 1);
	/* Big-endian time first: 2026-05-28 is 0x019e6a...  */
	msgid_generate(id, 0x0102030405060708ULL);
	assert_int_equal(id[0], 0x03);
	assert_int_equal(id[5], 0x08);
}

static void
test_now(void **state)
{
	uint64_t a = msgid_now_ms(), b;

	/* Between 2020 and 2100, and not going backwards within a test. */
	assert_true(a > 1577836800000ULL);
	assert_true(a < 4102444800000ULL);
	b = msgid_now_ms();
	assert_true(b >= a);
}

static void
test_ordering(void **state)
{
	uint8_t prev[MSGID_LEN], id[MSGID_LEN];
	uint64_t t = 1780000000000ULL;
	int i;

	msgid_generate(prev, t);
	for (i = 1; i < 2000; i++) {
		/* Later times sort later, whatever the random part says;
		 * including across byte carries of the time. */
		t += (uint64_t)(i % 7 == 0 ? 255 : 1);
		msgid_generate(id, t);
		assert_true(memcmp(prev, id, MSGID_LEN) < 0);
		memcpy(prev, id, MSGID_LEN);
	}
}

static void
test_same_millisecond_ids_differ(void **state)
{
	uint8_t a[MSGID_LEN], b[MSGID_LEN];
	int i;

	for (i = 0; i < 100; i++) {
		msgid_generate(a, 42);
		msgid_generate(b, 42);
		assert_memory_equal(a, b, 6);
		assert_memory_not_equal(a + 6, b + 6, MSGID_LEN - 6);
	}
}

static void
test_hex(void **state)
{
	uint8_t id[MSGID_LEN], back[MSGID_LEN];
	char hex[MSGID_HEX_LEN];
	char upper[MSGID_HEX_LEN];
	size_t i;

	msgid_generate(id, 1780000000000ULL);
	msgid_to_hex(id, hex);
	assert_int_equal(strlen(hex), 32);
	for (i = 0; i < 32; i++)
		assert_non_null(strchr("0123456789abcdef", hex[i]));
	assert_int_equal(msgid_from_hex(hex, back), 0);
	assert_memory_equal(id, back, MSGID_LEN);
	/* Either case parses. */
	for (i = 0; i < sizeof(upper); i++)
		upper[i] = (char)(hex[i] >= 'a' && hex[i] <= 'f'
					  ? hex[i] - 'a' + 'A'
					  : hex[i]);
	memset(back, 0, sizeof(back));
	assert_int_equal(msgid_from_hex(upper, back), 0);
	assert_memory_equal(id, back, MSGID_LEN);
	assert_int_equal(msgid_from_hex("000102030405060708090a0b0c0d0e0f",
					back),
			 0);
	for (i = 0; i < MSGID_LEN; i++)
		assert_int_equal(back[i], i);
}

static void
test_hex_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"000102030405060708090a0b0c0d0e0",   /* 31 digits */
		"000102030405060708090a0b0c0d0e0f0", /* 33 digits */
		"000102030405060708090a0b0c0d0e0g",  /* not hex */
		"000102030405060708090a0b0c0d0e f",  /* a space */
		"00:01:02:03:04:05:06:07:08:09:0a",  /* separators */
		"0x0102030405060708090a0b0c0d0e0f",
	};
	uint8_t id[MSGID_LEN], orig[MSGID_LEN];
	size_t i;

	memset(id, 0x5a, sizeof(id));
	memcpy(orig, id, sizeof(id));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(msgid_from_hex(bad[i], id), -1);
		/* Nothing is written on failure. */
		assert_memory_equal(id, orig, MSGID_LEN);
	}
	assert_int_equal(msgid_from_hex(NULL, id), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_now),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_same_millisecond_ids_differ),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_hex_refused),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
