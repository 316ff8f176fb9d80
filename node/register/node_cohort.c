/*
 * node_cohort: the aggregate queries over the register the figures are
 * made of, and the names the scrubber of a learning summary needs. See
 * node_register.h. Kept in node/register so that no other
 * library has SQL on persoon or casus.
 */
#include "node_register.h"

#include "node_audit.h"

#include <stdio.h>

#define COHORT " c.registered_on >= ?1 AND c.registered_on < ?2"

/* Each: ?1 = from, ?2 = to; no column names or identifies a person. */
static const char *const cohort_sql[NODE_COHORT_COUNT] = {
	[NODE_COHORT_BY_MONTH] =
	    "SELECT substr(c.registered_on, 1, 7), count(*)"
	    " FROM casus c WHERE" COHORT " GROUP BY 1",
	[NODE_COHORT_BY_REGISTRANT] =
	    "SELECT c.registered_by, count(*) FROM casus c"
	    " WHERE" COHORT " GROUP BY 1",
	[NODE_COHORT_BY_QUESTION] =
	    "SELECT c.question_type, count(*) FROM casus c"
	    " WHERE" COHORT " GROUP BY 1",
	[NODE_COHORT_BY_PHASE] =
	    "SELECT c.phase, count(*) FROM casus c"
	    " WHERE" COHORT " GROUP BY 1",
	[NODE_COHORT_BY_OUTCOME] =
	    "SELECT coalesce(c.outcome, 'unknown'), count(*)"
	    " FROM casus c WHERE" COHORT
	    " AND c.phase = 'afgesloten' GROUP BY 1",
	[NODE_COHORT_BY_THEME] =
	    "SELECT t.theme, count(*) FROM casus c"
	    " JOIN casus_theme t ON t.casus_id = c.id"
	    " WHERE" COHORT " GROUP BY 1",
	[NODE_COHORT_REGISTRATIONS] =
	    "SELECT count(*) FROM casus c WHERE" COHORT,
	[NODE_COHORT_DISCUSSED] =
	    "SELECT count(*) FROM casus c WHERE" COHORT
	    " AND EXISTS (SELECT 1 FROM casus_transition t"
	    " WHERE t.casus_id = c.id AND t.to_phase = 'overleg')",
	[NODE_COHORT_CONSULTATIONS] =
	    "SELECT count(*) FROM consultatie"
	    " WHERE date >= ?1 AND date < ?2",
	[NODE_COHORT_DAYS_TO_OVERLEG] =
	    "SELECT CAST(julianday(substr(min(t.at), 1, 10))"
	    " - julianday(c.registered_on) AS INTEGER) AS d"
	    " FROM casus c JOIN casus_transition t ON t.casus_id = c.id"
	    " AND t.to_phase = 'overleg' WHERE" COHORT
	    " GROUP BY c.id ORDER BY d",
	[NODE_COHORT_DAYS_TO_CLOSE] =
	    "SELECT CAST(julianday(c.closed_on)"
	    " - julianday(c.registered_on) AS INTEGER) AS d"
	    " FROM casus c WHERE" COHORT " AND c.phase = 'afgesloten'"
	    " AND c.closed_on IS NOT NULL ORDER BY d",
};

enum node_status
node_register_cohort_prepare(sqlite3 *db, enum node_cohort q,
			     const char *from, const char *to,
			     sqlite3_stmt **ret, char *errbuf, size_t errlen)
{
	int rc;

	*ret = NULL;
	if ((unsigned)q >= NODE_COHORT_COUNT || from == NULL || to == NULL) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "no such cohort query");
		return NODE_ERR_INVALID;
	}
	rc = sqlite3_prepare_v2(db, cohort_sql[q], -1, ret, NULL);
	if (rc != SQLITE_OK) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "reading the register: %s",
				 sqlite3_errmsg(db));
		sqlite3_finalize(*ret);
		*ret = NULL;
		return node_db_status(rc);
	}
	sqlite3_bind_text(*ret, 1, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(*ret, 2, to, -1, SQLITE_STATIC);
	return NODE_OK;
}

enum node_status
node_register_names(sqlite3 *db, const char *user, const char *action,
		    int (*fn)(const char *name, void *ctx), void *ctx,
		    char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	char detail[64];
	int rc;

	rc = sqlite3_prepare_v2(db, "SELECT DISTINCT name FROM persoon", -1,
				&st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		rc = SQLITE_OK;
		if (name == NULL)
			continue;
		n++;
		if (fn(name, ctx) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		if (errbuf != NULL && errlen > 0)
			snprintf(errbuf, errlen, "read the recorded names: %s",
				 sqlite3_errmsg(db));
		return node_db_status(rc);
	}
	snprintf(detail, sizeof(detail), "names=%zu", n);
	return node_audit_log(db, user, action, 0, detail, errbuf, errlen);
}
