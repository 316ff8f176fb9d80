/*
 * Unit tests for privacy_pseudonym: stability, unlinkability across regions
 * and keys, the wire format, key rotation by label, lookup, and known-answer
 * vectors computed independently (Python hashlib.blake2b with the same
 * input layout).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "keyfile.h"
#include "payload_check.h"
#include "privacy_pseudonym.h"

static void
key_fill(uint8_t key[PSEUDONYM_KEY_BYTES], uint8_t start)
{
	size_t i;

	for (i = 0; i < PSEUDONYM_KEY_BYTES; i++)
		key[i] = (uint8_t)(start + i);
}

static struct privacy_pseudonym *
make(uint8_t start, const char *label, const char *region)
{
	uint8_t key[PSEUDONYM_KEY_BYTES];
	enum pseudonym_error err = PSEUDONYM_E_NOMEM;
	struct privacy_pseudonym *p;

	key_fill(key, start);
	p = privacy_pseudonym_new(key, label, region, &err);
	assert_non_null(p);
	assert_int_equal(err, PSEUDONYM_OK);
	return p;
}

static void
test_known_answer(void **state)
{
	struct privacy_pseudonym *p = make(0, "k1", "region:noord-limburg");
	struct privacy_pseudonym *q;
	uint8_t key[PSEUDONYM_KEY_BYTES];
	char ref[PSEUDONYM_REF_MAX];

	(void)state;
	assert_int_equal(privacy_pseudonym_ref(p, "1234", ref, sizeof(ref)),
			 PSEUDONYM_OK);
	assert_string_equal(ref, "k1:6615ee18e90640a45323392a6d5d739b");
	memset(key, 0xa5, sizeof(key));
	q = privacy_pseudonym_new(key, "k2", "region:westfriesland", NULL);
	assert_non_null(q);
	assert_int_equal(privacy_pseudonym_ref(q, "casus-2026-0042", ref,
					       sizeof(ref)),
			 PSEUDONYM_OK);
	assert_string_equal(ref, "k2:11bc39a54c59bcd355bfc51bc6a2526a");
	privacy_pseudonym_destroy(&p);
	privacy_pseudonym_destroy(&q);
	assert_null(p);
	privacy_pseudonym_destroy(&p); /* safe twice */
}

static void
test_stable_and_well_formed(void **state)
{
	struct privacy_pseudonym *p = make(7, "k1", "region:zuid-limburg");
	struct privacy_pseudonym *p2 = make(7, "k1", "region:zuid-limburg");
	char a[PSEUDONYM_REF_MAX], b[PSEUDONYM_REF_MAX], c[PSEUDONYM_REF_MAX];
	char id[16];
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(id, sizeof(id), "%d", i);
		assert_int_equal(privacy_pseudonym_ref(p, id, a, sizeof(a)),
				 PSEUDONYM_OK);
		assert_int_equal(privacy_pseudonym_ref(p, id, b, sizeof(b)),
				 PSEUDONYM_OK);
		assert_int_equal(privacy_pseudonym_ref(p2, id, c, sizeof(c)),
				 PSEUDONYM_OK);
		assert_string_equal(a, b);
		assert_string_equal(a, c);
		assert_true(payload_case_ref_valid(a));
		assert_int_equal(strlen(a), 2 + 1 + 32);
		assert_true(privacy_pseudonym_matches(p, id, a));
	}
	privacy_pseudonym_destroy(&p);
	privacy_pseudonym_destroy(&p2);
}

static void
test_unlinkable(void **state)
{
	/* Same key, other region; other key, same region; other label. */
	struct privacy_pseudonym *nl = make(1, "k1", "region:noord-limburg");
	struct privacy_pseudonym *ml = make(1, "k1", "region:midden-limburg");
	struct privacy_pseudonym *nl2 = make(2, "k1", "region:noord-limburg");
	struct privacy_pseudonym *rot = make(1, "k2", "region:noord-limburg");
	char a[PSEUDONYM_REF_MAX], b[PSEUDONYM_REF_MAX], c[PSEUDONYM_REF_MAX];
	char d[PSEUDONYM_REF_MAX], e[PSEUDONYM_REF_MAX];

	(void)state;
	assert_int_equal(privacy_pseudonym_ref(nl, "42", a, sizeof(a)), 0);
	assert_int_equal(privacy_pseudonym_ref(ml, "42", b, sizeof(b)), 0);
	assert_int_equal(privacy_pseudonym_ref(nl2, "42", c, sizeof(c)), 0);
	assert_int_equal(privacy_pseudonym_ref(rot, "42", d, sizeof(d)), 0);
	assert_int_equal(privacy_pseudonym_ref(nl, "43", e, sizeof(e)), 0);
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(b, c);
	assert_string_not_equal(a + 3, d + 3); /* hex differs, not only label */
	assert_memory_equal(d, "k2:", 3);
	assert_string_not_equal(a, e);
	/* A region cannot claim another region's reference. */
	assert_false(privacy_pseudonym_matches(ml, "42", a));
	assert_false(privacy_pseudonym_matches(nl2, "42", a));
	assert_false(privacy_pseudonym_matches(rot, "42", a));
	assert_false(privacy_pseudonym_matches(nl, "43", a));
	privacy_pseudonym_destroy(&nl);
	privacy_pseudonym_destroy(&ml);
	privacy_pseudonym_destroy(&nl2);
	privacy_pseudonym_destroy(&rot);
}

static void
test_find_and_label(void **state)
{
	struct privacy_pseudonym *p = make(3, "k7", "region:westfriesland");
	const char *ids[] = {"10", "11", "12", "13"};
	char ref[PSEUDONYM_REF_MAX], label[PSEUDONYM_LABEL_MAX + 1];
	size_t idx = 99;

	(void)state;
	assert_int_equal(privacy_pseudonym_ref(p, "12", ref, sizeof(ref)), 0);
	assert_int_equal(privacy_pseudonym_find(p, ref, ids, 4, &idx),
			 PSEUDONYM_OK);
	assert_int_equal(idx, 2);
	assert_int_equal(privacy_pseudonym_find(p, ref, ids, 2, &idx),
			 PSEUDONYM_E_NOT_FOUND);
	assert_int_equal(privacy_pseudonym_find(p, "k7:xyz", ids, 4, &idx),
			 PSEUDONYM_E_REF);
	assert_int_equal(privacy_pseudonym_ref_label(ref, label, sizeof(label)),
			 PSEUDONYM_OK);
	assert_string_equal(label, "k7");
	assert_string_equal(privacy_pseudonym_label(p), "k7");
	assert_int_equal(privacy_pseudonym_ref_label("K7:00", label,
						     sizeof(label)),
			 PSEUDONYM_E_REF);
	privacy_pseudonym_destroy(&p);
}

static void
test_bad_input(void **state)
{
	uint8_t key[PSEUDONYM_KEY_BYTES] = {0};
	enum pseudonym_error err = PSEUDONYM_OK;
	struct privacy_pseudonym *p;
	char ref[PSEUDONYM_REF_MAX], longid[PSEUDONYM_CASE_ID_MAX + 2];

	(void)state;
	assert_null(privacy_pseudonym_new(key, "", "region:x", &err));
	assert_int_equal(err, PSEUDONYM_E_LABEL);
	assert_null(privacy_pseudonym_new(key, "toolonglabel", "region:x", &err));
	assert_int_equal(err, PSEUDONYM_E_LABEL);
	assert_null(privacy_pseudonym_new(key, "K1", "region:x", &err));
	assert_int_equal(err, PSEUDONYM_E_LABEL);
	assert_null(privacy_pseudonym_new(key, "k1", "desk:bel", &err));
	assert_int_equal(err, PSEUDONYM_E_REGION);
	assert_null(privacy_pseudonym_new(key, "k1", NULL, &err));
	assert_int_equal(err, PSEUDONYM_E_REGION);
	p = make(0, "k1", "region:x");
	assert_int_equal(privacy_pseudonym_ref(p, "", ref, sizeof(ref)),
			 PSEUDONYM_E_CASE_ID);
	assert_int_equal(privacy_pseudonym_ref(p, "a\nb", ref, sizeof(ref)),
			 PSEUDONYM_E_CASE_ID);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(privacy_pseudonym_ref(p, longid, ref, sizeof(ref)),
			 PSEUDONYM_E_CASE_ID);
	longid[PSEUDONYM_CASE_ID_MAX] = '\0';
	assert_int_equal(privacy_pseudonym_ref(p, longid, ref, sizeof(ref)),
			 PSEUDONYM_OK);
	assert_int_equal(privacy_pseudonym_ref(p, "1", ref, 10),
			 PSEUDONYM_E_SPACE);
	assert_false(privacy_pseudonym_matches(p, "1", "nonsense"));
	assert_non_null(strstr(privacy_pseudonym_strerror(PSEUDONYM_E_REF),
			       "case reference"));
	privacy_pseudonym_destroy(&p);
}

/* The key file gives the region and the secret; a desk has no pseudonyms. */
static void
test_from_keyfile(void **state)
{
	struct keyfile k, d;
	struct privacy_pseudonym *p, *q;
	enum pseudonym_error err = PSEUDONYM_OK;
	char a[PSEUDONYM_REF_MAX], b[PSEUDONYM_REF_MAX];

	(void)state;
	assert_int_equal(keyfile_generate("region:midden-limburg", &k), 0);
	p = privacy_pseudonym_from_keyfile(&k, "k1", &err);
	assert_non_null(p);
	q = privacy_pseudonym_new(k.pseudonym_key, "k1",
				  "region:midden-limburg", NULL);
	assert_non_null(q);
	assert_int_equal(privacy_pseudonym_ref(p, "77", a, sizeof(a)), 0);
	assert_int_equal(privacy_pseudonym_ref(q, "77", b, sizeof(b)), 0);
	assert_string_equal(a, b);
	assert_int_equal(keyfile_generate("desk:bel-limburg", &d), 0);
	assert_null(privacy_pseudonym_from_keyfile(&d, "k1", &err));
	assert_int_equal(err, PSEUDONYM_E_REGION);
	assert_null(privacy_pseudonym_from_keyfile(NULL, "k1", &err));
	keyfile_wipe(&k);
	keyfile_wipe(&d);
	privacy_pseudonym_destroy(&p);
	privacy_pseudonym_destroy(&q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_stable_and_well_formed),
		cmocka_unit_test(test_unlinkable),
		cmocka_unit_test(test_find_and_label),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_from_keyfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
