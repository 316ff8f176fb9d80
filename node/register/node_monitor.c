/*
 * node_monitor: rows, CSV file and bookkeeping of the monitor export.
 */
#include "node_monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node_audit.h"
#include "node_clientinfo.h"
#include "node_register.h"
#include "node_sqlrows.h"
#include "privacy_generalise.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const columns[] = {
    "client_nr",
    "registered_month",
    "referrer",
    "age_band",
    "problem_areas",
    "question_type",
    "table",
    "phase",
    "days_to_triage",
    "days_to_overleg",
    "days_to_monitoren",
    "days_to_close",
    "outcome",
    "complaint_referral",
    "escalated",
    "informed",
    "summary",
};

const char *const *
node_monitor_columns(size_t *ret_n)
{
	*ret_n = N(columns);
	return columns;
}

struct rows_arg {
	const char *user, *from, *to;
	const struct privacy_pseudonym *p;
	json_t *out;
};

static const char *
text_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

static void
age_label(const char *birth, const char *ref, char *out, size_t outlen)
{
	Retfed__V1__AgeBand band;
	int lo, hi;

	if (birth == NULL ||
	    generalise_age_band_of(birth, ref, &band) != GENERALISE_OK) {
		snprintf(out, outlen, "unknown");
		return;
	}
	generalise_age_band_range(band, &lo, &hi);
	if (hi < 0)
		snprintf(out, outlen, "%d+", lo);
	else
		snprintf(out, outlen, "%d-%d", lo, hi);
}

static enum node_status
rows_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct rows_arg *a = varg;
	json_t *cases = NULL, *c;
	int64_t have_requests = 0;
	char detail[64];
	enum node_status s;
	size_t i;

	/* Escalations are recorded by node_requests, whose table a node
	 * that never sent anything may not have. */
	if ((s = node_sqlrows_int(db, &have_requests, errbuf, errlen,
	                          "SELECT count(*) FROM sqlite_schema WHERE"
	                          " type = 'table' AND name = 'sent_request'",
	                          "")) != NODE_OK)
		return s;
	s = node_sqlrows_query(
	    db, &cases, errbuf, errlen,
	    "SELECT c.id, substr(c.registered_on, 1, 7) AS registered_month,"
	    " c.registered_by AS referrer, c.registered_on,"
	    " (SELECT p.birth_date FROM persoon p WHERE p.casus_id = c.id"
	    "  AND p.role = 'jeugdige' AND p.birth_date IS NOT NULL"
	    "  ORDER BY p.id LIMIT 1) AS birth,"
	    " (SELECT group_concat(area, '+') FROM (SELECT area FROM"
	    "  casus_problem WHERE casus_id = c.id ORDER BY area))"
	    "  AS problem_areas,"
	    " c.question_type, coalesce(c.tafel, '') AS 'table', c.phase,"
	    " (SELECT CAST(julianday(substr(min(t.at), 1, 10))"
	    "  - julianday(c.registered_on) AS INTEGER) FROM casus_transition"
	    "  t WHERE t.casus_id = c.id AND t.to_phase = 'triage')"
	    "  AS days_to_triage,"
	    " (SELECT CAST(julianday(substr(min(t.at), 1, 10))"
	    "  - julianday(c.registered_on) AS INTEGER) FROM casus_transition"
	    "  t WHERE t.casus_id = c.id AND t.to_phase = 'overleg')"
	    "  AS days_to_overleg,"
	    " (SELECT CAST(julianday(substr(min(t.at), 1, 10))"
	    "  - julianday(c.registered_on) AS INTEGER) FROM casus_transition"
	    "  t WHERE t.casus_id = c.id AND t.to_phase = 'monitoren')"
	    "  AS days_to_monitoren,"
	    " CASE WHEN c.closed_on IS NULL THEN NULL ELSE"
	    "  CAST(julianday(substr(c.closed_on, 1, 10))"
	    "  - julianday(c.registered_on) AS INTEGER) END AS days_to_close,"
	    " coalesce(c.outcome, '') AS outcome,"
	    " coalesce(c.complaint_referral, '') AS complaint_referral,"
	    " EXISTS (SELECT 1 FROM casus_informed i WHERE i.casus_id = c.id)"
	    "  AS informed, c.summary"
	    " FROM casus c WHERE c.registered_on >= ?1 AND c.registered_on < ?2"
	    " ORDER BY c.id",
	    "SS", a->from, a->to);
	if (s != NODE_OK)
		return s;
	a->out = json_array();
	if (a->out == NULL) {
		json_decref(cases);
		return NODE_ERR_NOMEM;
	}
	json_array_foreach(cases, i, c)
	{
		int64_t id = json_integer_value(json_object_get(c, "id"));
		char idtxt[24], ref[PSEUDONYM_REF_MAX], age[16],
		    *summary = NULL;
		char num[4][24];
		const char *numkeys[4] = {"days_to_triage", "days_to_overleg",
		                          "days_to_monitoren", "days_to_close"};
		int64_t esc = 0;
		json_t *row;

		snprintf(idtxt, sizeof(idtxt), "%lld", (long long)id);
		if (privacy_pseudonym_ref(a->p, idtxt, ref, sizeof(ref)) !=
		    PSEUDONYM_OK) {
			snprintf(errbuf, errlen,
			         "cannot make the client number");
			s = NODE_ERR_INVALID;
			break;
		}
		age_label(json_string_value(json_object_get(c, "birth")),
		          text_or(c, "registered_on", ""), age, sizeof(age));
		for (int k = 0; k < 4; k++) {
			json_t *v = json_object_get(c, numkeys[k]);
			if (json_is_integer(v))
				snprintf(num[k], sizeof(num[k]), "%lld",
				         (long long)json_integer_value(v));
			else
				num[k][0] = '\0';
		}
		if (have_requests &&
		    (s = node_sqlrows_int(db, &esc, errbuf, errlen,
		                          "SELECT count(*) FROM sent_request"
		                          " WHERE casus_id = ?1 AND kind = 1",
		                          "i", id)) != NODE_OK)
			break;
		s = node_clientinfo_scrub(db, id, "summary",
		                          text_or(c, "summary", ""), &summary,
		                          errbuf, errlen);
		if (s == NODE_ERR_INVALID) {
			/* An open text the scrubber cannot make safe is left
			 * out rather than exported. */
			summary = strdup("[GEWEIGERD]");
			s = summary != NULL ? NODE_OK : NODE_ERR_NOMEM;
		}
		if (s != NODE_OK)
			break;
		for (char *q = summary; *q != '\0'; q++)
			if (*q == '\n' || *q == '\t' || *q == '\r')
				*q = ' ';
		row = json_pack(
		    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
		    " s:s, s:s, s:s, s:s, s:s, s:s}",
		    "client_nr", ref, "registered_month",
		    text_or(c, "registered_month", ""), "referrer",
		    text_or(c, "referrer", ""), "age_band", age,
		    "problem_areas", text_or(c, "problem_areas", ""),
		    "question_type", text_or(c, "question_type", ""), "table",
		    text_or(c, "table", ""), "phase", text_or(c, "phase", ""),
		    "days_to_triage", num[0], "days_to_overleg", num[1],
		    "days_to_monitoren", num[2], "days_to_close", num[3],
		    "outcome", text_or(c, "outcome", ""), "complaint_referral",
		    text_or(c, "complaint_referral", ""), "escalated",
		    esc > 0 ? "ja" : "nee", "informed",
		    json_integer_value(json_object_get(c, "informed")) ? "ja"
		                                                       : "nee",
		    "summary", summary);
		free(summary);
		if (row == NULL || json_array_append_new(a->out, row) != 0) {
			s = NODE_ERR_NOMEM;
			break;
		}
	}
	json_decref(cases);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "from=%s to=%s rows=%zu", a->from,
	         a->to, json_array_size(a->out));
	return node_audit_append(db, a->user, "monitor.read", 0, detail, errbuf,
	                         errlen);
}

enum node_status
node_monitor_rows(sqlite3 *db, const char *user,
                  const struct privacy_pseudonym *p, const char *from,
                  const char *to, json_t **ret, char *errbuf, size_t errlen)
{
	struct rows_arg a = {user, from, to, p, NULL};
	enum node_status s;

	if (user == NULL || user[0] == '\0' || strlen(user) > 64) {
		snprintf(errbuf, errlen, "user is required");
		return NODE_ERR_INVALID;
	}
	if (p == NULL ||
	    strcmp(privacy_pseudonym_label(p), NODE_MONITOR_LABEL) != 0) {
		snprintf(errbuf, errlen,
		         "the monitor's client numbers need the label %s",
		         NODE_MONITOR_LABEL);
		return NODE_ERR_INVALID;
	}
	if (!node_register_date_valid(from) || !node_register_date_valid(to) ||
	    strcmp(from, to) >= 0) {
		snprintf(errbuf, errlen, "the period is not a range of dates");
		return NODE_ERR_INVALID;
	}
	s = node_db_transaction(db, rows_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

/* One CSV field: quoted when it holds a separator, quote or newline. */
static int
put_field(FILE *f, const char *s)
{
	int quote = strpbrk(s, ",;\"\n\r") != NULL;

	if (quote && fputc('"', f) == EOF)
		return -1;
	/* A spreadsheet would run a leading =, +, - or @ as a formula. */
	if ((s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') &&
	    fputc('\'', f) == EOF)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '"' && fputc('"', f) == EOF)
			return -1;
		if (fputc(*s, f) == EOF)
			return -1;
	}
	return quote && fputc('"', f) == EOF ? -1 : 0;
}

enum node_status
node_monitor_write(const char *path, json_t *rows, char *errbuf, size_t errlen)
{
	FILE *f;
	json_t *row;
	size_t i;
	int fd, bad = 0;

	if (path == NULL || path[0] == '\0') {
		snprintf(errbuf, errlen, "no output path");
		return NODE_ERR_INVALID;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return errno == EEXIST ? NODE_ERR_INVALID : NODE_ERR_DB;
	}
	(void)fchmod(fd, 0600); /* whatever the umask said */
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return NODE_ERR_DB;
	}
	for (size_t c = 0; c < N(columns); c++)
		bad |= (c ? fputc(',', f) == EOF : 0) ||
		       put_field(f, columns[c]) != 0;
	bad |= fputc('\n', f) == EOF;
	json_array_foreach(rows, i, row)
	{
		for (size_t c = 0; c < N(columns) && !bad; c++)
			bad |= (c ? fputc(',', f) == EOF : 0) ||
			       put_field(f, text_or(row, columns[c], "")) != 0;
		bad |= fputc('\n', f) == EOF;
	}
	bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
	if (fclose(f) != 0 || bad) {
		unlink(path);
		snprintf(errbuf, errlen, "%s: cannot write the file", path);
		return NODE_ERR_DB;
	}
	return NODE_OK;
}

struct rec_arg {
	const char *user, *period, *path;
	int64_t rows, id;
};

static enum node_status
rec_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct rec_arg *a = varg;
	char detail[96];
	enum node_status s;

	s = node_sqlrows_exec(
	    db, NULL, errbuf, errlen,
	    "INSERT INTO monitor_export(period, path, rows,"
	    " created_at, created_by) VALUES (?1, ?2, ?3, " NOW_SQL ", ?4)",
	    "SSiS", a->period, a->path, a->rows, a->user);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "export=%lld period=%s rows=%lld",
	         (long long)a->id, a->period, (long long)a->rows);
	return node_audit_append(db, a->user, "monitor.export", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_monitor_record(sqlite3 *db, const char *user, const char *period,
                    const char *path, int64_t n_rows, int64_t *ret_id,
                    char *errbuf, size_t errlen)
{
	struct rec_arg a = {user, period, path, n_rows, 0};
	enum node_status s;

	if (user == NULL || user[0] == '\0' || period == NULL ||
	    strlen(period) > 16 || path == NULL || path[0] == '\0' ||
	    strlen(path) > 4096) {
		snprintf(errbuf, errlen, "user, period and path are required");
		return NODE_ERR_INVALID;
	}
	s = node_db_transaction(db, rec_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

enum node_status
node_monitor_open(sqlite3 *db, json_t **ret, char *errbuf, size_t errlen)
{
	json_t *rows = NULL, *row;
	enum node_status s;
	size_t i;

	s = node_sqlrows_query(db, &rows, errbuf, errlen,
	                       "SELECT id, period, path, rows, created_at,"
	                       " created_by FROM monitor_export"
	                       " WHERE deleted_at IS NULL ORDER BY id",
	                       "");
	if (s != NODE_OK)
		return s;
	json_array_foreach(rows, i, row)
	{
		struct stat sb;
		const char *p = json_string_value(json_object_get(row, "path"));
		json_object_set_new(
		    row, "exists",
		    json_boolean(p != NULL && lstat(p, &sb) == 0));
	}
	*ret = rows;
	return NODE_OK;
}

struct del_arg {
	const char *user;
	int64_t id;
};

static enum node_status
del_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct del_arg *a = varg;
	char detail[48];
	enum node_status s;

	s = node_sqlrows_exec(db, NULL, errbuf, errlen,
	                      "UPDATE monitor_export SET deleted_at = " NOW_SQL
	                      ", deleted_by = ?2 WHERE id = ?1",
	                      "iS", a->id, a->user);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "export=%lld", (long long)a->id);
	return node_audit_append(db, a->user, "monitor.delete", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_monitor_cleanup(sqlite3 *db, const char *user, json_t **ret, char *errbuf,
                     size_t errlen)
{
	json_t *open = NULL, *done, *row;
	enum node_status s, first = NODE_OK;
	size_t i;

	if (user == NULL || user[0] == '\0' || strlen(user) > 64) {
		snprintf(errbuf, errlen, "user is required");
		return NODE_ERR_INVALID;
	}
	if ((s = node_monitor_open(db, &open, errbuf, errlen)) != NODE_OK)
		return s;
	done = json_array();
	if (done == NULL) {
		json_decref(open);
		return NODE_ERR_NOMEM;
	}
	json_array_foreach(open, i, row)
	{
		const char *p = json_string_value(json_object_get(row, "path"));
		struct del_arg a = {
		    user, json_integer_value(json_object_get(row, "id"))};

		if (p != NULL && unlink(p) != 0 && errno != ENOENT) {
			if (first == NODE_OK) {
				snprintf(errbuf, errlen, "%s: %s", p,
				         strerror(errno));
				first = NODE_ERR_DB;
			}
			continue;
		}
		s = node_db_transaction(db, del_fn, &a, errbuf, errlen);
		if (s != NODE_OK) {
			json_decref(open);
			json_decref(done);
			return s;
		}
		json_array_append(done, row);
	}
	json_decref(open);
	if (first != NODE_OK) {
		json_decref(done);
		return first;
	}
	*ret = done;
	return NODE_OK;
}
