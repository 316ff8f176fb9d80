/*
 * test_node_audit: the audit chain verifies, the database refuses UPDATE
 * and DELETE, and tampering with one row (after dropping the triggers, as
 * an attacker with file access would) is found at that row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "node_audit.h"
#include "node_db.h"

static sqlite3 *
fresh_db(int rows)
{
	sqlite3 *db = NULL;
	char err[256] = "", detail[32];

	assert_int_equal(node_db_open(":memory:", NODE_DB_CREATE, &db, err,
				      sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_audit_migrate(db, err, sizeof(err)), NODE_OK);
	for (int i = 1; i <= rows; i++) {
		snprintf(detail, sizeof(detail), "row %d", i);
		assert_int_equal(node_audit_log(db, "secretaris",
						i % 2 ? "casus.show" : "casus.edit",
						i % 3, detail, err, sizeof(err)),
				 NODE_OK);
	}
	return db;
}

static void
verify_expect(sqlite3 *db, enum node_status want, int64_t bad_seq,
	      const char *want_text)
{
	char err[256] = "";
	int64_t rows = -1, bad = -1;

	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 want);
	if (want == NODE_OK)
		return;
	assert_int_equal(bad, bad_seq);
	if (strstr(err, want_text) == NULL)
		fail_msg("wanted '%s' in '%s'", want_text, err);
}

static void
test_chain_verifies(void **state)
{
	sqlite3 *db = fresh_db(5);
	char err[256] = "";
	int64_t rows = 0, bad = 0;
	json_t *list = NULL;

	(void)state;
	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(rows, 5);
	assert_int_equal(node_audit_list(db, 0, 3, &list, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(list, 0), "seq")),
			 3);
	json_decref(list);
	assert_int_equal(node_audit_list(db, 1, 100, &list, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(json_array_size(list), 2); /* rows 1 and 4 */
	json_decref(list);
	assert_int_equal(node_audit_list(db, 0, 0, &list, err, sizeof(err)),
			 NODE_ERR_INVALID);

	/* Bad input changes nothing. */
	assert_int_equal(node_audit_log(db, "", "x", 0, NULL, err, sizeof(err)),
			 NODE_ERR_INVALID);
	assert_int_equal(node_audit_log(db, "u", "x", 0, "\xff", err,
					sizeof(err)),
			 NODE_ERR_INVALID);
	assert_int_equal(node_audit_verify(db, &rows, &bad, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(rows, 5);
	node_db_close(&db);
}

static void
test_update_and_delete_refused(void **state)
{
	sqlite3 *db = fresh_db(3);
	char err[256] = "";

	(void)state;
	assert_int_not_equal(node_db_exec(db, "UPDATE audit SET detail = 'x'"
					      " WHERE seq = 2",
					  err, sizeof(err)),
			     NODE_OK);
	assert_non_null(strstr(err, "append-only"));
	assert_int_not_equal(node_db_exec(db, "DELETE FROM audit WHERE seq = 3",
					  err, sizeof(err)),
			     NODE_OK);
	assert_non_null(strstr(err, "append-only"));
	verify_expect(db, NODE_OK, 0, NULL);
	node_db_close(&db);
}

static void
test_tampering_detected(void **state)
{
	sqlite3 *db;
	char err[256] = "";

	(void)state;
	/* Content edited in the middle. */
	db = fresh_db(5);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_update;"
					  "UPDATE audit SET detail = 'other'"
					  " WHERE seq = 3",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 3, "does not match its hash");
	node_db_close(&db);

	/* A casus id changed (the hash covers every field). */
	db = fresh_db(4);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_update;"
					  "UPDATE audit SET casus_id = 9"
					  " WHERE seq = 4",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 4, "does not match its hash");
	node_db_close(&db);

	/* A row recomputed with a forged hash no longer links. */
	db = fresh_db(4);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_update;"
					  "UPDATE audit SET hash = zeroblob(32)"
					  " WHERE seq = 2",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 2, "does not match its hash");
	node_db_close(&db);

	/* A row removed. */
	db = fresh_db(5);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_delete;"
					  "DELETE FROM audit WHERE seq = 2",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 2, "rows are missing");
	node_db_close(&db);

	/* The first row removed. */
	db = fresh_db(3);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_delete;"
					  "DELETE FROM audit WHERE seq = 1",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 1, "rows are missing");
	node_db_close(&db);

	/* A link field rewritten. */
	db = fresh_db(3);
	assert_int_equal(node_db_exec(db, "DROP TRIGGER audit_no_update;"
					  "UPDATE audit SET prev_hash ="
					  " (SELECT hash FROM audit WHERE seq = 1)"
					  " WHERE seq = 3",
				      err, sizeof(err)),
			 NODE_OK);
	verify_expect(db, NODE_ERR_TAMPERED, 3, "does not link");
	node_db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_verifies),
		cmocka_unit_test(test_update_and_delete_refused),
		cmocka_unit_test(test_tampering_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
