/*
 * test_node_db: opening with the right pragmas, per-component migrations
 * (idempotent, one transaction per step, newer schema refused), and the
 * write-transaction helper (rollback on error, bounded retry when busy).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "node_db.h"

static const char *const steps[] = {
	"CREATE TABLE a(x INTEGER)",
	"CREATE TABLE b(y INTEGER); INSERT INTO a VALUES (1)",
};

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_migrate(void **state)
{
	sqlite3 *db = NULL;
	char err[256] = "";
	int v = -1;

	(void)state;
	assert_int_equal(node_db_open(":memory:", NODE_DB_CREATE, &db, err,
				      sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(node_db_version(db, "register", &v), NODE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(node_db_check(db, "register", 2, err, sizeof(err)),
			 NODE_ERR_SCHEMA);
	assert_non_null(strstr(err, "ret init"));

	/* Step by step: first one, then both; twice is a no-op. */
	assert_int_equal(node_db_migrate(db, "register", steps, 1, err,
					 sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_version(db, "register", &v), NODE_OK);
	assert_int_equal(v, 1);
	assert_int_equal(node_db_migrate(db, "register", steps, 2, err,
					 sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_migrate(db, "register", steps, 2, err,
					 sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM a"), 1);
	assert_int_equal(node_db_check(db, "register", 2, err, sizeof(err)),
			 NODE_OK);

	/* Components are independent. */
	assert_int_equal(node_db_version(db, "messaging", &v), NODE_OK);
	assert_int_equal(v, 0);

	/* A program that knows fewer steps refuses the newer database. */
	assert_int_equal(node_db_migrate(db, "register", steps, 1, err,
					 sizeof(err)),
			 NODE_ERR_SCHEMA);
	assert_non_null(strstr(err, "newer than this program"));
	assert_int_equal(node_db_check(db, "register", 1, err, sizeof(err)),
			 NODE_ERR_SCHEMA);

	assert_int_equal(node_db_migrate(db, "Bad-Name", steps, 1, err,
					 sizeof(err)),
			 NODE_ERR_INVALID);
	node_db_close(&db);
	assert_null(db);
	node_db_close(&db);
}

static void
test_failing_step_rolls_back(void **state)
{
	static const char *const bad[] = {
		"CREATE TABLE ok1(x)",
		"CREATE TABLE half(x); THIS IS NOT SQL",
	};
	sqlite3 *db = NULL;
	char err[256] = "";
	int v = -1;

	(void)state;
	assert_int_equal(node_db_open(":memory:", NODE_DB_CREATE, &db, err,
				      sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_migrate(db, "x", bad, 2, err, sizeof(err)),
			 NODE_ERR_DB);
	assert_non_null(strstr(err, "x migration step 2 failed"));
	assert_int_equal(node_db_version(db, "x", &v), NODE_OK);
	assert_int_equal(v, 1);
	assert_int_equal(count(db, "SELECT count(*) FROM sqlite_master"
				   " WHERE name = 'half'"),
			 0);
	node_db_close(&db);
}

struct insert_arg {
	int value;
	enum node_status result;
};

static enum node_status
insert_fn(sqlite3 *db, void *varg, char *err, size_t errlen)
{
	struct insert_arg *a = varg;
	char sql[64];

	snprintf(sql, sizeof(sql), "INSERT INTO a VALUES (%d)", a->value);
	if (node_db_exec(db, sql, err, errlen) != NODE_OK)
		return NODE_ERR_DB;
	return a->result;
}

static void
test_transaction(void **state)
{
	char dir[] = "/tmp/ret-test-db-XXXXXX", path[256], err[256] = "";
	sqlite3 *db = NULL, *other = NULL;
	struct insert_arg ok = {7, NODE_OK}, refused = {8, NODE_ERR_INVALID};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/n.db", dir);
	assert_int_equal(node_db_open(path, 0, &db, err, sizeof(err)),
			 NODE_ERR_DB);
	assert_non_null(strstr(err, path));
	assert_int_equal(node_db_open(path, NODE_DB_CREATE, &db, err,
				      sizeof(err)),
			 NODE_OK);
	assert_int_equal(count(db, "PRAGMA synchronous"), 2);
	assert_int_equal(node_db_migrate(db, "register", steps, 2, err,
					 sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_transaction(db, insert_fn, &ok, err,
					     sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_transaction(db, insert_fn, &refused, err,
					     sizeof(err)),
			 NODE_ERR_INVALID);
	assert_int_equal(count(db, "SELECT count(*) FROM a WHERE x = 8"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM a WHERE x = 7"), 1);

	/* Another handle holds the write lock: bounded retries, then busy. */
	assert_int_equal(node_db_open(path, 0, &other, err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_exec(other, "BEGIN IMMEDIATE", err,
				      sizeof(err)),
			 NODE_OK);
	node_db_set_busy_timeout(db, 20);
	assert_int_equal(node_db_transaction(db, insert_fn, &ok, err,
					     sizeof(err)),
			 NODE_ERR_BUSY);
	assert_int_equal(node_db_exec(other, "COMMIT", err, sizeof(err)),
			 NODE_OK);
	assert_int_equal(node_db_transaction(db, insert_fn, &ok, err,
					     sizeof(err)),
			 NODE_OK);
	node_db_close(&other);
	node_db_close(&db);

	/* A file that is not a database is refused with its name. */
	{
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("this is not a database, it is a text file of some length"
		      " that SQLite cannot mistake for a header at all.\n",
		      f);
		fclose(f);
	}
	{
		char wal[300];
		snprintf(wal, sizeof(wal), "%s-wal", path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", path);
		unlink(wal);
	}
	assert_int_not_equal(node_db_open(path, 0, &db, err, sizeof(err)),
			     NODE_OK);
	assert_non_null(strstr(err, path));
	unlink(path);
	rmdir(dir);
}

static void
test_status_text(void **state)
{
	(void)state;
	assert_string_equal(node_status_str(NODE_ERR_BUSY),
			    "database busy, try again later");
	assert_string_equal(node_status_str((enum node_status)99),
			    "unknown error");
	assert_int_equal(node_db_status(SQLITE_BUSY), NODE_ERR_BUSY);
	assert_int_equal(node_db_status(SQLITE_CONSTRAINT_CHECK),
			 NODE_ERR_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate),
		cmocka_unit_test(test_failing_step_rolls_back),
		cmocka_unit_test(test_transaction),
		cmocka_unit_test(test_status_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
