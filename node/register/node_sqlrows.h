/*
 * node_sqlrows: small statement helpers for the modules around the cases
 * (node_overleg, node_declaratie, node_monitor, node_clientinfo): run one
 * statement with bound arguments, or collect its rows as JSON.
 *
 * Arguments are described by a format string: 's' text (NULL or "" binds
 * NULL), 'S' text ("" for NULL), 'i' int64_t. The helpers never log and
 * never write an audit row; their callers do that inside the same
 * transaction.
 */
#ifndef RET_NODE_SQLROWS_H
#define RET_NODE_SQLROWS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "node_db.h"

/*
 * Prepare sql, bind the arguments, step until done. The number of changed
 * rows is in *ret_changes when it is not NULL. NODE_ERR_INVALID for a
 * constraint, else the mapped SQLite error, with a sentence in errbuf.
 */
enum node_status node_sqlrows_exec(sqlite3 *db, int *ret_changes, char *errbuf,
                                   size_t errlen, const char *sql,
                                   const char *fmt, ...)
    __attribute__((warn_unused_result));

/*
 * Run a query and collect every row as a JSON object keyed by column name
 * (NULL, integers, reals and text kept as such) into a new array in *ret,
 * which the caller owns.
 */
enum node_status node_sqlrows_query(sqlite3 *db, json_t **ret, char *errbuf,
                                    size_t errlen, const char *sql,
                                    const char *fmt, ...)
    __attribute__((warn_unused_result));

/* One integer from the first column of the first row (0 when none). */
enum node_status node_sqlrows_int(sqlite3 *db, int64_t *ret, char *errbuf,
                                  size_t errlen, const char *sql,
                                  const char *fmt, ...)
    __attribute__((warn_unused_result));

/* Today's UTC date as YYYY-MM-DD, from SQLite's clock. */
enum node_status node_sqlrows_today(sqlite3 *db, char out[11], char *errbuf,
                                    size_t errlen)
    __attribute__((warn_unused_result));

#endif
