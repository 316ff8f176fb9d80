/*
 * test_node_lifecycle: every one of the 7 x 7 phase pairs is checked
 * against the documented transition table; refused steps get a sentence
 * naming both phases.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "node_lifecycle.h"

#define A NODE_PHASE_AANMELDING
#define T NODE_PHASE_TRIAGE
#define O NODE_PHASE_OVERLEG
#define M NODE_PHASE_MONITOREN
#define F NODE_PHASE_AFGESLOTEN
#define G NODE_PHASE_GEANNULEERD
#define D NODE_PHASE_DOORVERWEZEN

/* The documented table (docs/node.md), written out independently. */
static const int expected[NODE_PHASE_COUNT][NODE_PHASE_COUNT] = {
	/*        A  T  O  M  F  G  D */
	[A] = {0, 1, 0, 0, 0, 1, 0},
	[T] = {0, 0, 1, 0, 0, 1, 1},
	[O] = {0, 0, 0, 1, 0, 0, 0},
	[M] = {0, 0, 1, 0, 1, 0, 0},
	[F] = {0, 0, 0, 0, 0, 0, 0},
	[G] = {0, 0, 0, 0, 0, 0, 0},
	[D] = {0, 0, 0, 0, 0, 0, 0},
};

static void
test_every_pair(void **state)
{
	char err[256];
	int allowed = 0;

	(void)state;
	for (int f = 0; f < NODE_PHASE_COUNT; f++) {
		for (int t = 0; t < NODE_PHASE_COUNT; t++) {
			enum node_phase from = (enum node_phase)f;
			enum node_phase to = (enum node_phase)t;
			int want = expected[f][t];

			err[0] = '\0';
			if (node_lifecycle_allowed(from, to) != want)
				fail_msg("%s -> %s: expected %s",
					 node_lifecycle_phase_name(from),
					 node_lifecycle_phase_name(to),
					 want ? "allowed" : "refused");
			assert_int_equal(node_lifecycle_check(from, to, err,
							      sizeof(err)),
					 want ? 0 : -1);
			if (want) {
				assert_non_null(
					node_lifecycle_step_name(from, to));
				allowed++;
			} else {
				assert_null(node_lifecycle_step_name(from, to));
				assert_non_null(strstr(
					err, node_lifecycle_phase_name(from)));
			}
		}
	}
	assert_int_equal(allowed, 8);
}

static void
test_messages(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(node_lifecycle_check(A, F, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot go from aanmelding to afgesloten"
				 " (allowed: triage, geannuleerd)");
	assert_int_equal(node_lifecycle_check(T, T, err, sizeof(err)), -1);
	assert_string_equal(err, "the casus is already in phase triage");
	assert_int_equal(node_lifecycle_check(F, O, err, sizeof(err)), -1);
	assert_string_equal(err, "cannot go from afgesloten to overleg:"
				 " afgesloten is final");
	assert_int_equal(node_lifecycle_check((enum node_phase)99, A, err,
					      sizeof(err)),
			 -1);
	assert_string_equal(node_lifecycle_step_name(O, M), "afschalen");
	assert_string_equal(node_lifecycle_step_name(M, F), "afsluiten");
	assert_string_equal(node_lifecycle_step_name(T, D), "doorverwijzen");
}

static void
test_names_and_ladder(void **state)
{
	enum node_phase p;

	(void)state;
	for (int i = 0; i < NODE_PHASE_COUNT; i++) {
		assert_int_equal(node_lifecycle_phase_parse(
					 node_lifecycle_phase_name(
						 (enum node_phase)i),
					 &p),
				 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(node_lifecycle_phase_parse("Triage", &p), -1);
	assert_int_equal(node_lifecycle_phase_parse("", &p), -1);
	assert_int_equal(node_lifecycle_phase_parse(NULL, &p), -1);
	assert_false(node_lifecycle_past_triage(A));
	assert_false(node_lifecycle_past_triage(T));
	assert_true(node_lifecycle_past_triage(O));
	assert_true(node_lifecycle_past_triage(M));
	assert_true(node_lifecycle_past_triage(F));
	assert_false(node_lifecycle_past_triage(G));
	assert_false(node_lifecycle_past_triage(D));
	assert_true(node_lifecycle_may_escalate(O));
	assert_true(node_lifecycle_may_escalate(M));
	assert_false(node_lifecycle_may_escalate(F));
	assert_false(node_lifecycle_may_escalate(T));
	assert_true(node_lifecycle_is_final(F));
	assert_true(node_lifecycle_is_final(G));
	assert_true(node_lifecycle_is_final(D));
	assert_false(node_lifecycle_is_final(M));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_names_and_ladder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
