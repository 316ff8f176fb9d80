/*
 * node_db: the node's SQLite database file, shared by the `ret` CLI and the
 * `ret-node` daemon.
 *
 * Opening sets WAL, synchronous=FULL, foreign_keys=ON and a busy timeout,
 * so both programs can use the file at the same time. Each component
 * (register, audit, messaging, ...) owns its own ordered list of migration
 * steps and its own row in schema_meta(component, version); a database
 * whose version is newer than the program knows is refused. Writes go
 * through node_db_transaction(), which runs a function inside BEGIN
 * IMMEDIATE ... COMMIT and retries a bounded number of times while another
 * process holds the write lock.
 *
 * enum node_status is the error vocabulary of every node_* module.
 */
#ifndef RET_NODE_DB_H
#define RET_NODE_DB_H

#include <stddef.h>

#include <sqlite3.h>

enum node_status {
	NODE_OK = 0,
	NODE_ERR_INVALID,    /* bad input: a value, a date, a BSN */
	NODE_ERR_NOT_FOUND,  /* no such casus, person, consultation */
	NODE_ERR_TRANSITION, /* the lifecycle does not allow this step */
	NODE_ERR_DB,         /* the database cannot be opened or used */
	NODE_ERR_SCHEMA,     /* not initialised, or newer than this program */
	NODE_ERR_BUSY,       /* another process holds the lock: try later */
	NODE_ERR_NOMEM,      /* out of memory */
	NODE_ERR_TAMPERED,   /* the audit chain does not verify */
};

/* One English sentence per status (static, never NULL). */
const char *node_status_str(enum node_status st);

/* Map a SQLite result code to a node_status. */
enum node_status node_db_status(int sqlite_rc);

enum {
	NODE_DB_CREATE = 1u << 0, /* create the file if it does not exist */
};

#define NODE_DB_BUSY_TIMEOUT_MS 5000
#define NODE_DB_TX_ATTEMPTS 3

/*
 * Open the database at `path` (":memory:" for tests) with the pragmas
 * above. Without NODE_DB_CREATE a missing file is NODE_ERR_DB. On success
 * *ret_db is the new handle (close with node_db_close); on failure a
 * sentence naming the path is in errbuf.
 */
enum node_status node_db_open(const char *path, unsigned flags,
			      sqlite3 **ret_db, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* Close the handle and set *dbp to NULL. Accepts NULL. */
void node_db_close(sqlite3 **dbp);

/* Change the busy timeout (milliseconds) of an open handle. */
void node_db_set_busy_timeout(sqlite3 *db, int ms);

/*
 * Bring `component` up to n_steps: step i (0-based) takes the schema from
 * version i to i+1 and runs in its own transaction together with the
 * version update. Refuses (NODE_ERR_SCHEMA) a database whose version is
 * larger than n_steps. Component names are 1..32 of [a-z_].
 */
enum node_status node_db_migrate(sqlite3 *db, const char *component,
				 const char *const *steps, size_t n_steps,
				 char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * The schema version of `component` in *ret_version (0 when it has never
 * been migrated, or when schema_meta does not exist yet).
 */
enum node_status node_db_version(sqlite3 *db, const char *component,
				 int *ret_version)
	__attribute__((warn_unused_result));

/*
 * Check without changing anything that `component` is exactly at
 * `n_steps`: an older database needs `ret init`, a newer one a newer
 * program. Returns NODE_OK or NODE_ERR_SCHEMA with a sentence.
 */
enum node_status node_db_check(sqlite3 *db, const char *component,
			       size_t n_steps, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* A unit of work run inside a write transaction. */
typedef enum node_status (*node_db_tx_fn)(sqlite3 *db, void *arg,
					  char *errbuf, size_t errlen);

/*
 * Run fn inside BEGIN IMMEDIATE ... COMMIT. fn's non-NODE_OK result rolls
 * back and is returned. While the write lock is held by another process
 * (after the busy timeout) the whole transaction is retried, at most
 * NODE_DB_TX_ATTEMPTS times; then NODE_ERR_BUSY.
 */
enum node_status node_db_transaction(sqlite3 *db, node_db_tx_fn fn,
				     void *arg, char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/* Run SQL without results; on failure a sentence in errbuf. */
enum node_status node_db_exec(sqlite3 *db, const char *sql, char *errbuf,
			      size_t errlen)
	__attribute__((warn_unused_result));

#endif
