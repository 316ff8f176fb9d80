/*
 * node_db: open the node database, migrate it per component, and run
 * write transactions with a bounded retry on SQLITE_BUSY.
 */
#include "node_db.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
	[NODE_OK] = "success",
	[NODE_ERR_INVALID] = "invalid value",
	[NODE_ERR_NOT_FOUND] = "not found",
	[NODE_ERR_TRANSITION] = "transition not allowed",
	[NODE_ERR_DB] = "database unavailable",
	[NODE_ERR_SCHEMA] = "database schema does not match this program",
	[NODE_ERR_BUSY] = "database busy, try again later",
	[NODE_ERR_NOMEM] = "out of memory",
	[NODE_ERR_TAMPERED] = "audit log has been tampered with",
};

const char *
node_status_str(enum node_status st)
{
	if ((unsigned)st < sizeof(status_text) / sizeof(status_text[0]) &&
	    status_text[st] != NULL)
		return status_text[st];
	return "unknown error";
}

enum node_status
node_db_status(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return NODE_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return NODE_ERR_BUSY;
	case SQLITE_NOMEM:
		return NODE_ERR_NOMEM;
	case SQLITE_CONSTRAINT:
		return NODE_ERR_INVALID;
	default:
		return NODE_ERR_DB;
	}
}

static enum node_status
db_fail(sqlite3 *db, int rc, const char *what, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "%s: %s", what,
		 db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	return node_db_status(rc);
}

enum node_status
node_db_exec(sqlite3 *db, const char *sql, char *errbuf, size_t errlen)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return db_fail(db, rc, "database", errbuf, errlen);
	return NODE_OK;
}

static enum node_status
pragma_text(sqlite3 *db, const char *sql, char *out, size_t outlen,
	    char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(out, outlen, "%s", t != NULL ? (const char *)t : "");
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		enum node_status s = db_fail(db, rc, "database", errbuf, errlen);
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_db_open(const char *path, unsigned flags, sqlite3 **ret_db,
	     char *errbuf, size_t errlen)
{
	sqlite3 *db = NULL;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	char mode[32] = "";
	enum node_status s;
	int rc;

	if (path == NULL || path[0] == '\0') {
		snprintf(errbuf, errlen, "no database path");
		return NODE_ERR_DB;
	}
	if (flags & NODE_DB_CREATE)
		oflags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &db, oflags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "cannot open database %s: %s", path,
			 db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close(db);
		return (rc & 0xff) == SQLITE_BUSY ? NODE_ERR_BUSY : NODE_ERR_DB;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, NODE_DB_BUSY_TIMEOUT_MS);
	s = pragma_text(db, "PRAGMA journal_mode=WAL", mode, sizeof(mode),
			errbuf, errlen);
	if (s != NODE_OK)
		goto fail;
	if (strcmp(mode, "wal") != 0 && strcmp(path, ":memory:") != 0) {
		snprintf(errbuf, errlen, "database %s: cannot use WAL mode (%s)",
			 path, mode);
		s = NODE_ERR_DB;
		goto fail;
	}
	s = node_db_exec(db,
			 "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
			 " PRAGMA trusted_schema=OFF;",
			 errbuf, errlen);
	if (s != NODE_OK)
		goto fail;
	*ret_db = db;
	return NODE_OK;
fail:
	if (s != NODE_ERR_DB || mode[0] == '\0')
		snprintf(errbuf, errlen, "database %s: %s", path,
			 sqlite3_errmsg(db));
	sqlite3_close(db);
	return s;
}

void
node_db_close(sqlite3 **dbp)
{
	if (dbp == NULL || *dbp == NULL)
		return;
	sqlite3_close_v2(*dbp);
	*dbp = NULL;
}

void
node_db_set_busy_timeout(sqlite3 *db, int ms)
{
	sqlite3_busy_timeout(db, ms);
}

static int
component_valid(const char *c)
{
	size_t n = c != NULL ? strlen(c) : 0;

	if (n == 0 || n > 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || c[i] == '_'))
			return 0;
	return 1;
}

enum node_status
node_db_version(sqlite3 *db, const char *component, int *ret_version)
{
	sqlite3_stmt *st = NULL;
	int rc, v = 0;

	rc = sqlite3_prepare_v2(db,
				"SELECT version FROM schema_meta WHERE component = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		/* No schema_meta table yet: nothing has been migrated. */
		if ((rc & 0xff) == SQLITE_ERROR) {
			*ret_version = 0;
			return NODE_OK;
		}
		return node_db_status(rc);
	}
	sqlite3_bind_text(st, 1, component, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return node_db_status(rc);
	*ret_version = v;
	return NODE_OK;
}

enum node_status
node_db_check(sqlite3 *db, const char *component, size_t n_steps,
	      char *errbuf, size_t errlen)
{
	int v = 0;
	enum node_status s = node_db_version(db, component, &v);

	if (s != NODE_OK) {
		snprintf(errbuf, errlen, "cannot read the %s schema version: %s",
			 component, sqlite3_errmsg(db));
		return s;
	}
	if (v < 0 || (size_t)v < n_steps) {
		snprintf(errbuf, errlen,
			 "database %s schema is at version %d, this program needs %zu: run `ret init`",
			 component, v, n_steps);
		return NODE_ERR_SCHEMA;
	}
	if ((size_t)v > n_steps) {
		snprintf(errbuf, errlen,
			 "database %s schema version %d is newer than this program knows (%zu): upgrade the program",
			 component, v, n_steps);
		return NODE_ERR_SCHEMA;
	}
	return NODE_OK;
}

struct migrate_arg {
	const char *component;
	const char *const *steps;
	size_t n_steps;
	int done;
};

/* Apply the next missing step, or note that there is none. */
static enum node_status
migrate_one(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct migrate_arg *a = varg;
	sqlite3_stmt *st = NULL;
	enum node_status s;
	int v = 0, rc;

	s = node_db_version(db, a->component, &v);
	if (s != NODE_OK)
		return db_fail(db, SQLITE_ERROR, "schema_meta", errbuf, errlen);
	if (v < 0 || (size_t)v > a->n_steps) {
		snprintf(errbuf, errlen,
			 "database %s schema version %d is newer than this program knows (%zu): upgrade the program",
			 a->component, v, a->n_steps);
		return NODE_ERR_SCHEMA;
	}
	if ((size_t)v == a->n_steps) {
		a->done = 1;
		return NODE_OK;
	}
	rc = sqlite3_exec(db, a->steps[v], NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errlen, "%s migration step %d failed: %s",
			 a->component, v + 1, sqlite3_errmsg(db));
		return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY
							   : NODE_ERR_DB;
	}
	rc = sqlite3_prepare_v2(db,
				"INSERT INTO schema_meta(component, version) VALUES (?, ?)"
				" ON CONFLICT(component) DO UPDATE SET version = excluded.version",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, a->component, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, v + 1);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return db_fail(db, rc, "schema_meta", errbuf, errlen);
	return NODE_OK;
}

enum node_status
node_db_migrate(sqlite3 *db, const char *component,
		const char *const *steps, size_t n_steps, char *errbuf,
		size_t errlen)
{
	struct migrate_arg a = {component, steps, n_steps, 0};
	enum node_status s;

	if (!component_valid(component)) {
		snprintf(errbuf, errlen, "invalid schema component name");
		return NODE_ERR_INVALID;
	}
	s = node_db_exec(db,
			 "CREATE TABLE IF NOT EXISTS schema_meta("
			 " component TEXT PRIMARY KEY,"
			 " version INTEGER NOT NULL)",
			 errbuf, errlen);
	if (s != NODE_OK)
		return s;
	/* One transaction per step; at most n_steps + 1 rounds. */
	for (size_t i = 0; i <= n_steps && !a.done; i++) {
		s = node_db_transaction(db, migrate_one, &a, errbuf, errlen);
		if (s != NODE_OK)
			return s;
	}
	return a.done ? NODE_OK : NODE_ERR_DB;
}

enum node_status
node_db_transaction(sqlite3 *db, node_db_tx_fn fn, void *arg, char *errbuf,
		    size_t errlen)
{
	enum node_status s = NODE_ERR_BUSY;

	for (int attempt = 0; attempt < NODE_DB_TX_ATTEMPTS; attempt++) {
		int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

		if (rc != SQLITE_OK) {
			s = db_fail(db, rc, "database", errbuf, errlen);
			if (s == NODE_ERR_BUSY)
				continue;
			return s;
		}
		s = fn(db, arg, errbuf, errlen);
		if (s == NODE_OK) {
			rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
			if (rc == SQLITE_OK)
				return NODE_OK;
			s = db_fail(db, rc, "database commit", errbuf, errlen);
		}
		if (sqlite3_get_autocommit(db) == 0)
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		if (s != NODE_ERR_BUSY)
			return s;
	}
	snprintf(errbuf, errlen, "database is locked by another process");
	return NODE_ERR_BUSY;
}
