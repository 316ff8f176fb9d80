/*
 * node_clientinfo: informing clients, complaint referrals, consultation
 * outcomes and confirmations.
 */
#include "node_clientinfo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"
#include "node_lifecycle.h"
#include "node_register.h"
#include "node_sqlrows.h"
#include "privacy_scrub.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

static const char *const hows[] = {"brief", "mondeling", "email", "other"};
static const char *const consult_outcomes[] = {
    "beantwoord", "aanmelding", "klachtenregeling", "vertrouwenspersoon"};
static const char *const complaint_routes[] = {"klachtenregeling",
                                               "vertrouwenspersoon"};

const char *const *
node_clientinfo_hows(size_t *ret_n)
{
	*ret_n = N(hows);
	return hows;
}

const char *const *
node_clientinfo_consult_outcomes(size_t *ret_n)
{
	*ret_n = N(consult_outcomes);
	return consult_outcomes;
}

static int
in_list(const char *const *vals, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(vals[i], s) == 0)
			return 1;
	return 0;
}

static enum node_status invalid(char *errbuf, size_t errlen, const char *fmt,
                                ...) __attribute__((format(printf, 3, 4)));

static enum node_status
invalid(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return NODE_ERR_INVALID;
}

static enum node_status
check_user(const char *user, char *errbuf, size_t errlen)
{
	if (user == NULL || user[0] == '\0' || strlen(user) > 64)
		return invalid(errbuf, errlen,
		               "user is required (1..64 bytes)");
	return NODE_OK;
}

static enum node_status
casus_exists(sqlite3 *db, int64_t id, char *errbuf, size_t errlen)
{
	int64_t n = 0;
	enum node_status s = node_sqlrows_int(db, &n, errbuf, errlen,
	                                      "SELECT count(*) FROM casus"
	                                      " WHERE id = ?1",
	                                      "i", id);

	if (s == NODE_OK && n == 0) {
		snprintf(errbuf, errlen, "casus %lld does not exist",
		         (long long)id);
		return NODE_ERR_NOT_FOUND;
	}
	return s;
}

/* ---- informed ---------------------------------------------------------- */

struct informed_arg {
	const char *user;
	int64_t casus_id;
	const char *date, *how;
	int letter;
	int64_t id;
};

static enum node_status
informed_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct informed_arg *a = varg;
	char today[11], detail[96];
	enum node_status s;

	if ((s = casus_exists(db, a->casus_id, errbuf, errlen)) != NODE_OK ||
	    (s = node_sqlrows_today(db, today, errbuf, errlen)) != NODE_OK)
		return s;
	if (a->date != NULL && strcmp(a->date, today) > 0)
		return invalid(errbuf, errlen,
		               "date: %s lies in the future (today is %s)",
		               a->date, today);
	s = node_sqlrows_exec(
	    db, NULL, errbuf, errlen,
	    "INSERT INTO casus_informed(casus_id, date, how,"
	    " monitor_letter, at, user) VALUES (?1,"
	    " coalesce(?2, date('now')), ?3, ?4, " NOW_SQL ", ?5)",
	    "isSiS", a->casus_id, a->date, a->how, (int64_t)a->letter, a->user);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "id=%lld how=%s monitor_letter=%d",
	         (long long)a->id, a->how, a->letter);
	return node_audit_append(db, a->user, "casus.informed", a->casus_id,
	                         detail, errbuf, errlen);
}

enum node_status
node_clientinfo_informed(sqlite3 *db, const char *user, int64_t casus_id,
                         const char *date, const char *how, int monitor_letter,
                         int64_t *ret_id, char *errbuf, size_t errlen)
{
	struct informed_arg a = {user, casus_id, date, how, monitor_letter != 0,
	                         0};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (casus_id <= 0)
		return invalid(errbuf, errlen, "casus id must be positive");
	if (date != NULL && date[0] == '\0')
		a.date = NULL;
	if (a.date != NULL && !node_register_date_valid(a.date))
		return invalid(errbuf, errlen,
		               "date: '%.20s' is not a date (YYYY-MM-DD)",
		               date);
	if (!in_list(hows, N(hows), how))
		return invalid(errbuf, errlen,
		               "how: '%.40s' is not one of: brief, mondeling, "
		               "email, other",
		               how != NULL ? how : "");
	s = node_db_transaction(db, informed_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

struct read_arg {
	const char *user;
	int64_t id;
	const char *from, *to;
	json_t *out;
};

#define UNINFORMED_SQL                                                         \
	"SELECT c.id, c.phase, c.registered_on FROM casus c"                   \
	" WHERE c.phase NOT IN ('afgesloten', 'geannuleerd', 'doorverwezen')"  \
	" AND NOT EXISTS (SELECT 1 FROM casus_informed i"                      \
	" WHERE i.casus_id = c.id) ORDER BY c.id"

static enum node_status
uninformed_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	char detail[32];
	enum node_status s;

	s = node_sqlrows_query(db, &a->out, errbuf, errlen, UNINFORMED_SQL, "");
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(a->out));
	return node_audit_append(db, a->user, "casus.uninformed", 0, detail,
	                         errbuf, errlen);
}

static enum node_status
run_read(sqlite3 *db, node_db_tx_fn fn, struct read_arg *a, json_t **ret,
         char *errbuf, size_t errlen)
{
	enum node_status s = check_user(a->user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, fn, a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a->out);
		a->out = NULL;
		return s;
	}
	*ret = a->out;
	return NODE_OK;
}

enum node_status
node_clientinfo_uninformed(sqlite3 *db, const char *user, json_t **ret,
                           char *errbuf, size_t errlen)
{
	struct read_arg a = {user, 0, NULL, NULL, NULL};

	return run_read(db, uninformed_fn, &a, ret, errbuf, errlen);
}

/* ---- complaints and consultation outcomes ------------------------------ */

struct complaint_arg {
	const char *user;
	int64_t id;
	const char *to;
};

static enum node_status
complaint_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct complaint_arg *a = varg;
	char detail[48];
	enum node_status s;

	if ((s = casus_exists(db, a->id, errbuf, errlen)) != NODE_OK ||
	    (s = node_sqlrows_exec(db, NULL, errbuf, errlen,
	                           "UPDATE casus SET complaint_referral = ?2"
	                           " WHERE id = ?1",
	                           "iS", a->id, a->to)) != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "to=%s", a->to);
	return node_audit_append(db, a->user, "casus.complaint", a->id, detail,
	                         errbuf, errlen);
}

enum node_status
node_clientinfo_complaint(sqlite3 *db, const char *user, int64_t casus_id,
                          const char *to, int *ret_moved, char *errbuf,
                          size_t errlen)
{
	struct complaint_arg a = {user, casus_id, to};
	enum node_phase ph = NODE_PHASE_AANMELDING;
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (casus_id <= 0)
		return invalid(errbuf, errlen, "casus id must be positive");
	if (!in_list(complaint_routes, N(complaint_routes), to))
		return invalid(errbuf, errlen,
		               "to: '%.40s' is not one of: klachtenregeling, "
		               "vertrouwenspersoon",
		               to != NULL ? to : "");
	s = node_db_transaction(db, complaint_fn, &a, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	if (ret_moved != NULL)
		*ret_moved = 0;
	if (node_register_casus_get_phase(db, casus_id, &ph) == NODE_OK &&
	    ph == NODE_PHASE_TRIAGE) {
		char note[64];
		snprintf(note, sizeof(note), "klacht: %s", to);
		s = node_register_casus_phase(
		    db, user, casus_id, "doorverwezen", note, errbuf, errlen);
		if (s != NODE_OK)
			return s;
		if (ret_moved != NULL)
			*ret_moved = 1;
	}
	return NODE_OK;
}

struct outcome_arg {
	const char *user;
	int64_t id;
	const char *outcome;
};

static enum node_status
outcome_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct outcome_arg *a = varg;
	char detail[64];
	int changes = 0;
	enum node_status s;

	s = node_sqlrows_exec(
	    db, &changes, errbuf, errlen,
	    "UPDATE consultatie SET outcome = ?2 WHERE id = ?1", "iS", a->id,
	    a->outcome);
	if (s != NODE_OK)
		return s;
	if (changes != 1) {
		snprintf(errbuf, errlen, "consultatie %lld does not exist",
		         (long long)a->id);
		return NODE_ERR_NOT_FOUND;
	}
	snprintf(detail, sizeof(detail), "consultatie=%lld outcome=%s",
	         (long long)a->id, a->outcome);
	return node_audit_append(db, a->user, "consultatie.outcome", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_clientinfo_consult_outcome(sqlite3 *db, const char *user,
                                int64_t consult_id, const char *outcome,
                                char *errbuf, size_t errlen)
{
	struct outcome_arg a = {user, consult_id, outcome};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (consult_id <= 0)
		return invalid(errbuf, errlen,
		               "consultatie id must be positive");
	if (!in_list(consult_outcomes, N(consult_outcomes), outcome))
		return invalid(
		    errbuf, errlen,
		    "outcome: '%.40s' is not one of: beantwoord, aanmelding, "
		    "klachtenregeling, vertrouwenspersoon",
		    outcome != NULL ? outcome : "");
	return node_db_transaction(db, outcome_fn, &a, errbuf, errlen);
}

/* ---- scrubbing and confirmations --------------------------------------- */

/* One pass of the scrubber over *text with the names of rows[from..]. */
static enum node_status
scrub_pass(json_t *rows, size_t from, size_t n, const char *field, char **text,
           char *errbuf, size_t errlen)
{
	struct scrub_names *names = scrub_names_new();
	struct scrub_report rep;
	char *out = NULL;

	if (names == NULL)
		return NODE_ERR_NOMEM;
	for (size_t i = from; i < from + n && i < json_array_size(rows); i++) {
		/* A name the scrubber cannot take is still caught by its
		 * own rules; it is not fatal here. */
		if (scrub_names_add(names,
		                    json_string_value(json_object_get(
		                        json_array_get(rows, i), "name"))) != 0)
			continue;
	}
	memset(&rep, 0, sizeof(rep));
	if (privacy_scrub(*text, strlen(*text), names, &out, &rep) != 0) {
		scrub_names_destroy(&names);
		snprintf(errbuf, errlen,
		         "%s cannot be made safe by the scrubber (at byte "
		         "%zu): rewrite it",
		         field, rep.offset);
		return NODE_ERR_INVALID;
	}
	scrub_names_destroy(&names);
	free(*text);
	*text = out;
	return NODE_OK;
}

enum node_status
node_clientinfo_scrub(sqlite3 *db, int64_t casus_id, const char *field,
                      const char *text, char **ret_out, char *errbuf,
                      size_t errlen)
{
	json_t *rows = NULL;
	enum node_status s;
	char *cur;
	size_t n;

	/*
	 * The names of the casus come first, then every other person of the
	 * register, SCRUB_MAX_NAMES at a time: a text about one casus must
	 * not name a person of another either.
	 */
	s = node_sqlrows_query(db, &rows, errbuf, errlen,
	                       "SELECT DISTINCT name, casus_id = ?1 AS own"
	                       " FROM persoon ORDER BY own DESC, name",
	                       "i", casus_id);
	if (s != NODE_OK)
		return s;
	cur = strdup(text != NULL ? text : "");
	if (cur == NULL) {
		json_decref(rows);
		return NODE_ERR_NOMEM;
	}
	n = json_array_size(rows);
	for (size_t from = 0; s == NODE_OK && (from < n || from == 0);
	     from += SCRUB_MAX_NAMES)
		s = scrub_pass(rows, from, SCRUB_MAX_NAMES, field, &cur, errbuf,
		               errlen);
	json_decref(rows);
	if (s != NODE_OK) {
		free(cur);
		return s;
	}
	*ret_out = cur;
	return NODE_OK;
}

static enum node_status
set_scrubbed(sqlite3 *db, json_t *o, const char *key, int64_t casus_id,
             char *errbuf, size_t errlen)
{
	const char *t = json_string_value(json_object_get(o, key));
	char *out = NULL;
	enum node_status s;

	if (t == NULL)
		return NODE_OK;
	s = node_clientinfo_scrub(db, casus_id, key, t, &out, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	json_object_set_new(o, key, json_string(out));
	free(out);
	return NODE_OK;
}

static enum node_status
confirm_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	json_t *rows = NULL, *o, *ag = NULL, *row;
	int64_t casus_id;
	char detail[48];
	enum node_status s;
	size_t i;

	s = node_sqlrows_query(
	    db, &rows, errbuf, errlen,
	    "SELECT id, date, from_role, question, answer,"
	    " outcome, casus_id FROM consultatie WHERE id = ?1",
	    "i", a->id);
	if (s != NODE_OK)
		return s;
	o = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (o == NULL) {
		snprintf(errbuf, errlen, "consultatie %lld does not exist",
		         (long long)a->id);
		return NODE_ERR_NOT_FOUND;
	}
	a->out = o;
	casus_id = json_integer_value(json_object_get(o, "casus_id"));
	if ((s = set_scrubbed(db, o, "question", casus_id, errbuf, errlen)) !=
	        NODE_OK ||
	    (s = set_scrubbed(db, o, "answer", casus_id, errbuf, errlen)) !=
	        NODE_OK)
		return s;
	if ((s = node_sqlrows_query(db, &ag, errbuf, errlen,
	                            "SELECT text, who, due FROM afspraak"
	                            " WHERE casus_id = ?1 ORDER BY id",
	                            "i", casus_id)) != NODE_OK)
		return s;
	if (json_object_set_new(o, "agreements", ag) != 0)
		return NODE_ERR_NOMEM;
	json_array_foreach(ag, i, row)
	{
		if ((s = set_scrubbed(db, row, "text", casus_id, errbuf,
		                      errlen)) != NODE_OK ||
		    (s = set_scrubbed(db, row, "who", casus_id, errbuf,
		                      errlen)) != NODE_OK)
			return s;
	}
	snprintf(detail, sizeof(detail), "consultatie=%lld", (long long)a->id);
	return node_audit_append(db, a->user, "consultatie.confirm", casus_id,
	                         detail, errbuf, errlen);
}

enum node_status
node_clientinfo_confirmation(sqlite3 *db, const char *user, int64_t consult_id,
                             json_t **ret, char *errbuf, size_t errlen)
{
	struct read_arg a = {user, consult_id, NULL, NULL, NULL};

	if (consult_id <= 0)
		return invalid(errbuf, errlen,
		               "consultatie id must be positive");
	return run_read(db, confirm_fn, &a, ret, errbuf, errlen);
}

/* ---- counts ------------------------------------------------------------ */

static enum node_status
counts_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	int64_t un = 0, cc = 0, cq = 0;
	json_t *by = NULL, *obj, *row;
	char detail[64];
	enum node_status s;
	size_t i;

	if ((s = node_sqlrows_int(db, &un, errbuf, errlen,
	                          "SELECT count(*) FROM (" UNINFORMED_SQL ")",
	                          "")) != NODE_OK ||
	    (s = node_sqlrows_int(db, &cc, errbuf, errlen,
	                          "SELECT count(*) FROM casus WHERE"
	                          " complaint_referral IS NOT NULL AND"
	                          " registered_on >= ?1 AND registered_on < ?2",
	                          "SS", a->from, a->to)) != NODE_OK ||
	    (s = node_sqlrows_int(
	         db, &cq, errbuf, errlen,
	         "SELECT count(*) FROM consultatie WHERE outcome"
	         " IN ('klachtenregeling', 'vertrouwenspersoon')"
	         " AND date >= ?1 AND date < ?2",
	         "SS", a->from, a->to)) != NODE_OK ||
	    (s = node_sqlrows_query(
	         db, &by, errbuf, errlen,
	         "SELECT coalesce(outcome, 'unknown') AS k,"
	         " count(*) AS n FROM consultatie WHERE date"
	         " >= ?1 AND date < ?2 GROUP BY 1 ORDER BY 1",
	         "SS", a->from, a->to)) != NODE_OK)
		return s;
	obj = json_object();
	json_array_foreach(by, i, row)
	{
		json_object_set(obj,
		                json_string_value(json_object_get(row, "k")),
		                json_object_get(row, "n"));
	}
	json_decref(by);
	a->out = json_pack("{s:I, s:I, s:I, s:o}", "uninformed", (json_int_t)un,
	                   "complaint_cases", (json_int_t)cc,
	                   "complaint_consultations", (json_int_t)cq,
	                   "consultations_by_outcome", obj);
	if (a->out == NULL)
		return NODE_ERR_NOMEM;
	snprintf(detail, sizeof(detail), "from=%s to=%s", a->from, a->to);
	return node_audit_append(db, a->user, "stats.around", 0, detail, errbuf,
	                         errlen);
}

enum node_status
node_clientinfo_counts(sqlite3 *db, const char *user, const char *from,
                       const char *to, json_t **ret, char *errbuf,
                       size_t errlen)
{
	struct read_arg a = {user, 0, from, to, NULL};

	if (!node_register_date_valid(from) || !node_register_date_valid(to))
		return invalid(errbuf, errlen,
		               "the period is not a range of dates");
	return run_read(db, counts_fn, &a, ret, errbuf, errlen);
}
