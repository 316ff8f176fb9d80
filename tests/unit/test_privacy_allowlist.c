/*
 * Unit tests for privacy_allowlist: the privacy review table matches the
 * schema exactly. The test walks the protobuf-c descriptors of every
 * payload itself (and the module's own check does the same from the
 * envelope down), so adding a field to a payload without a row in
 * node/privacy_allowlist.c, or keeping a row for a removed field, fails
 * here. It also checks that a synthetic extra field would be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "privacy_allowlist.h"
#include "retfed.pb-c.h"

/* The payload messages of the schema, and Cell inside LearningSummary. */
static const ProtobufCMessageDescriptor *const payloads[] = {
	&retfed__v1__escalation__descriptor,
	&retfed__v1__procesversneller_request__descriptor,
	&retfed__v1__decision__descriptor,
	&retfed__v1__cell__descriptor,
	&retfed__v1__learning_summary__descriptor,
	&retfed__v1__peer_review_request__descriptor,
	&retfed__v1__peer_review__descriptor,
};
#define NPAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

/* Fields of d without a row; names each one (unless quiet) on failure. */
static size_t
unreviewed(const ProtobufCMessageDescriptor *d, int quiet)
{
	size_t i, n = 0;

	for (i = 0; i < d->n_fields; i++)
		if (privacy_allowlist_lookup(d->short_name, d->fields[i].name) ==
		    NULL) {
			if (!quiet)
				print_error("%s.%s is not in the privacy "
					    "allow-list\n",
					    d->short_name, d->fields[i].name);
			n++;
		}
	return n;
}

static void
test_module_check(void **state)
{
	char err[256] = "";

	(void)state;
	if (privacy_allowlist_check(err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
test_every_payload_field_reviewed(void **state)
{
	size_t i, j, rows_n, fields = 0;
	const struct privacy_allowlist_row *rows = privacy_allowlist_rows(&rows_n);

	(void)state;
	for (i = 0; i < NPAYLOADS; i++) {
		assert_int_equal(unreviewed(payloads[i], 0), 0);
		fields += payloads[i]->n_fields;
	}
	/* Every row of a payload message names an existing field. */
	for (i = 0; i < rows_n; i++) {
		const ProtobufCMessageDescriptor *d = NULL;

		for (j = 0; j < NPAYLOADS; j++)
			if (strcmp(payloads[j]->short_name, rows[i].message) ==
			    0)
				d = payloads[j];
		if (d == NULL) {
			/* Only the envelope and header rows remain. */
			assert_true(strcmp(rows[i].message, "Envelope") == 0 ||
				    strcmp(rows[i].message, "Body") == 0);
			continue;
		}
		if (protobuf_c_message_descriptor_get_field_by_name(
			    d, rows[i].field) == NULL)
			fail_msg("allow-list row %s.%s names no field",
				 rows[i].message, rows[i].field);
		fields--;
		assert_non_null(rows[i].carries);
		assert_non_null(rows[i].made_safe);
		assert_true(strlen(rows[i].carries) > 0);
		assert_true(strlen(rows[i].made_safe) > 0);
	}
	assert_int_equal(fields, 0); /* one row per field, no duplicates */
	assert_int_equal(unreviewed(&retfed__v1__body__descriptor, 0), 0);
	assert_int_equal(unreviewed(&retfed__v1__envelope__descriptor, 0), 0);
}

/* A payload added to Body must be added to this test's list as well. */
static void
test_body_payloads_known(void **state)
{
	const ProtobufCMessageDescriptor *b = &retfed__v1__body__descriptor;
	size_t i, j;

	(void)state;
	for (i = 0; i < b->n_fields; i++) {
		int found = 0;

		if (b->fields[i].type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		for (j = 0; j < NPAYLOADS; j++)
			found |= b->fields[i].descriptor == payloads[j];
		if (!found)
			fail_msg("Body.%s is a payload this test does not know",
				 b->fields[i].name);
	}
}

/* A field added without review is caught: an Escalation with a birth date. */
static void
test_unreviewed_field_caught(void **state)
{
	ProtobufCMessageDescriptor fake = retfed__v1__escalation__descriptor;
	ProtobufCFieldDescriptor fields[16];
	size_t n = retfed__v1__escalation__descriptor.n_fields;

	(void)state;
	assert_true(n < 16);
	memcpy(fields, retfed__v1__escalation__descriptor.fields,
	       n * sizeof(fields[0]));
	memset(&fields[n], 0, sizeof(fields[n]));
	fields[n].name = "birth_date";
	fields[n].id = 99;
	fields[n].type = PROTOBUF_C_TYPE_STRING;
	fake.fields = fields;
	fake.n_fields = (unsigned)(n + 1);
	assert_int_equal(unreviewed(&fake, 1), 1);
}

/* Strings in payloads are pseudonyms, keys, periods or scrubbed text. */
static void
test_classes(void **state)
{
	static const char *const forbidden[] = {"name", "bsn", "birth",
						"address", "postcode", "phone",
						"email", "iban", "street"};
	size_t i, j, k;

	(void)state;
	for (i = 0; i < NPAYLOADS; i++)
		for (j = 0; j < payloads[i]->n_fields; j++) {
			const ProtobufCFieldDescriptor *f =
				&payloads[i]->fields[j];
			const struct privacy_allowlist_row *r =
				privacy_allowlist_lookup(
					payloads[i]->short_name, f->name);

			assert_non_null(r);
			for (k = 0; k < sizeof(forbidden) / sizeof(*forbidden);
			     k++)
				assert_null(strstr(f->name, forbidden[k]));
			if (f->type == PROTOBUF_C_TYPE_STRING)
				assert_true(r->cls == PRIVACY_PSEUDONYM ||
					    r->cls == PRIVACY_SCRUBBED_TEXT ||
					    r->cls == PRIVACY_CATEGORY_KEY ||
					    r->cls == PRIVACY_GENERALISED);
			if (strcmp(f->name, "case_ref") == 0)
				assert_int_equal(r->cls, PRIVACY_PSEUDONYM);
			if (strcmp(f->name, "age_band") == 0)
				assert_int_equal(r->cls, PRIVACY_GENERALISED);
		}
	assert_true(privacy_allowlist_permits("Escalation", "why_stuck",
					      PRIVACY_SCRUBBED_TEXT));
	assert_false(privacy_allowlist_permits("Escalation", "case_ref",
					       PRIVACY_SCRUBBED_TEXT));
	assert_false(privacy_allowlist_permits("Escalation", "name",
					       PRIVACY_SCRUBBED_TEXT));
	assert_null(privacy_allowlist_lookup("Escalation", "birth_date"));
	assert_null(privacy_allowlist_lookup(NULL, "x"));
	assert_string_equal(privacy_allowlist_class_name(PRIVACY_PSEUDONYM),
			    "pseudonym");
	assert_string_equal(
		privacy_allowlist_class_name(PRIVACY_SCRUBBED_TEXT),
		"scrubbed text");
}

/*
 * docs/privacy.md shows the review to the privacy officer: every row must
 * be there, under its message's heading, with the same class, so the
 * document cannot drift from the code.
 */
static void
test_docs_match(void **state)
{
	const char *src = getenv("RET_SOURCE_DIR");
	char path[1024], line[256], heading[80];
	static char doc[128 * 1024];
	size_t i, n, rows_n;
	const struct privacy_allowlist_row *rows = privacy_allowlist_rows(&rows_n);
	FILE *f;

	(void)state;
	if (src == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/docs/privacy.md", src);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(doc) - 1);
	doc[n] = '\0';
	for (i = 0; i < rows_n; i++) {
		const char *sec, *end, *hit;

		snprintf(heading, sizeof(heading), "\n#### %s ", rows[i].message);
		sec = strstr(doc, heading);
		if (sec == NULL)
			fail_msg("docs/privacy.md has no section for %s",
				 rows[i].message);
		end = strstr(sec + 1, "\n#");
		snprintf(line, sizeof(line), "\n| `%s` | %s |", rows[i].field,
			 privacy_allowlist_class_name(rows[i].cls));
		hit = strstr(sec, line);
		if (hit == NULL || (end != NULL && hit > end))
			fail_msg("docs/privacy.md lacks the row %s.%s (%s)",
				 rows[i].message, rows[i].field,
				 privacy_allowlist_class_name(rows[i].cls));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_check),
		cmocka_unit_test(test_every_payload_field_reviewed),
		cmocka_unit_test(test_body_payloads_known),
		cmocka_unit_test(test_unreviewed_field_caught),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_docs_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
