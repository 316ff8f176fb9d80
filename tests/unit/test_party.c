/*
 * test_party: party ids "<role>:<slug>". Roles region, desk and relay;
 * slugs of 1..40 characters of [a-z0-9-] that do not start with '-'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "party.h"

static void
test_roles(void **state)
{
	assert_int_equal(party_role_of("region:noord-limburg"), PARTY_REGION);
	assert_int_equal(party_role_of("desk:bel-roermond"), PARTY_DESK);
	assert_int_equal(party_role_of("relay:ben-noord-holland"),
			 PARTY_RELAY);
	assert_int_equal(party_role_of("region:x"), PARTY_REGION);
	assert_int_equal(party_role_of("region:0"), PARTY_REGION);
	assert_int_equal(party_role_of("region:a-"), PARTY_REGION);
	assert_int_equal(party_role_of("region:2a--b"), PARTY_REGION);
	assert_true(party_id_valid("desk:d"));
}

static void
test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"region",
		"region:",
		"region:-start",
		"region:Noord",
		"region:noord limburg",
		"region:noord_limburg",
		"region:noord.limburg",
		"region:noord:limburg",
		"region:noord/x",
		"region:\xc3\xa9",
		"Region:noord",
		"regio:noord",
		"regions:noord",
		":noord",
		"noord-limburg",
		" region:noord",
		"region: noord",
		"region:noord ",
		"region:noord\n",
		"county:noord",
		"deskx:a",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (party_id_valid(bad[i]))
			print_error("accepted '%s'\n", bad[i]);
		assert_int_equal(party_role_of(bad[i]), PARTY_INVALID);
		assert_false(party_id_valid(bad[i]));
		assert_null(party_slug(bad[i]));
	}
	assert_int_equal(party_role_of(NULL), PARTY_INVALID);
	assert_false(party_id_valid(NULL));
	assert_null(party_slug(NULL));
}

static void
test_slug_length(void **state)
{
	char id[80];

	/* 40 characters are fine, 41 are not; the longest id fits. */
	memcpy(id, "region:", 7);
	memset(id + 7, 'a', 40);
	id[47] = '\0';
	assert_int_equal(party_role_of(id), PARTY_REGION);
	assert_true(strlen(id) + 1 <= PARTY_ID_MAX);
	id[47] = 'a';
	id[48] = '\0';
	assert_int_equal(party_role_of(id), PARTY_INVALID);
	memcpy(id, "relay:", 6);
	memset(id + 6, 'z', 40);
	id[46] = '\0';
	assert_int_equal(party_role_of(id), PARTY_RELAY);
}

static void
test_slug(void **state)
{
	const char *id = "region:westfriesland";

	assert_string_equal(party_slug(id), "westfriesland");
	/* Borrowed from the id itself. */
	assert_ptr_equal(party_slug(id), id + 7);
	assert_string_equal(party_slug("desk:bel-roermond"), "bel-roermond");
	assert_string_equal(party_slug("relay:r1"), "r1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_slug_length),
		cmocka_unit_test(test_slug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
