/*
 * node_sqlrows: bind, step and collect rows for the modules around the
 * cases.
 */
#include "node_sqlrows.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum node_status
fail(sqlite3 *db, int rc, char *errbuf, size_t errlen)
{
	snprintf(errbuf, errlen, "database: %s", sqlite3_errmsg(db));
	return node_db_status(rc);
}

static enum node_status
prepare(sqlite3 *db, sqlite3_stmt **ret, char *errbuf, size_t errlen,
        const char *sql, const char *fmt, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL), i = 1;

	if (rc != SQLITE_OK) {
		enum node_status s = fail(db, rc, errbuf, errlen);
		return s == NODE_ERR_INVALID ? NODE_ERR_DB : s;
	}
	for (const char *f = fmt; f != NULL && *f != '\0'; f++, i++) {
		if (*f == 'i') {
			sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
		} else {
			const char *s = va_arg(ap, const char *);
			if (*f == 'S')
				sqlite3_bind_text(st, i, s != NULL ? s : "", -1,
				                  SQLITE_TRANSIENT);
			else if (s == NULL || s[0] == '\0')
				sqlite3_bind_null(st, i);
			else
				sqlite3_bind_text(st, i, s, -1,
				                  SQLITE_TRANSIENT);
		}
	}
	*ret = st;
	return NODE_OK;
}

enum node_status
node_sqlrows_exec(sqlite3 *db, int *ret_changes, char *errbuf, size_t errlen,
                  const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	enum node_status s;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	s = prepare(db, &st, errbuf, errlen, sql, fmt, ap);
	va_end(ap);
	if (s != NODE_OK)
		return s;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		s = fail(db, rc, errbuf, errlen);
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	if (ret_changes != NULL)
		*ret_changes = sqlite3_changes(db);
	return NODE_OK;
}

static json_t *
column_json(sqlite3_stmt *st, int c)
{
	switch (sqlite3_column_type(st, c)) {
	case SQLITE_NULL:
		return json_null();
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, c));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, c));
	default:
		return json_stringn((const char *)sqlite3_column_text(st, c),
		                    (size_t)sqlite3_column_bytes(st, c));
	}
}

enum node_status
node_sqlrows_query(sqlite3 *db, json_t **ret, char *errbuf, size_t errlen,
                   const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	enum node_status s;
	json_t *arr;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	s = prepare(db, &st, errbuf, errlen, sql, fmt, ap);
	va_end(ap);
	if (s != NODE_OK)
		return s;
	arr = json_array();
	if (arr == NULL)
		goto nomem;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto nomem;
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			json_t *v = column_json(st, c);
			if (v == NULL ||
			    json_object_set_new(o, sqlite3_column_name(st, c),
			                        v) != 0)
				goto nomem;
		}
	}
	if (rc != SQLITE_DONE) {
		s = fail(db, rc, errbuf, errlen);
		sqlite3_finalize(st);
		json_decref(arr);
		return s == NODE_ERR_INVALID ? NODE_ERR_DB : s;
	}
	sqlite3_finalize(st);
	*ret = arr;
	return NODE_OK;
nomem:
	sqlite3_finalize(st);
	json_decref(arr);
	snprintf(errbuf, errlen, "out of memory");
	return NODE_ERR_NOMEM;
}

enum node_status
node_sqlrows_int(sqlite3 *db, int64_t *ret, char *errbuf, size_t errlen,
                 const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	enum node_status s;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	s = prepare(db, &st, errbuf, errlen, sql, fmt, ap);
	va_end(ap);
	if (s != NODE_OK)
		return s;
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		s = fail(db, rc, errbuf, errlen);
		sqlite3_finalize(st);
		return s == NODE_ERR_INVALID ? NODE_ERR_DB : s;
	}
	*ret = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return NODE_OK;
}

enum node_status
node_sqlrows_today(sqlite3 *db, char out[11], char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT date('now')", -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		enum node_status s = fail(db, rc, errbuf, errlen);
		sqlite3_finalize(st);
		return s;
	}
	snprintf(out, 11, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return NODE_OK;
}
