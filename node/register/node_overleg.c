/*
 * node_overleg: meetings, agenda, participants, attendance and minutes.
 */
#include "node_overleg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node_audit.h"
#include "node_register.h"
#include "node_sqlrows.h"
#include "wire_scan.h"

static const char *const tables[] = {"ret", "mda", "schakeloverleg",
                                     "doorbraaktafel"};
static const char *const kinds[] = {"kern", "schil", "expert"};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

const char *const *
node_overleg_tables(size_t *ret_n)
{
	*ret_n = N(tables);
	return tables;
}

const char *const *
node_overleg_kinds(size_t *ret_n)
{
	*ret_n = N(kinds);
	return kinds;
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

/* Text from a person: UTF-8, 1..max bytes when required, no controls. */
static enum node_status
check_text(const char *field, const char *s, size_t max, int required,
           int multiline, char *errbuf, size_t errlen)
{
	size_t n;

	if (s == NULL || s[0] == '\0')
		return required
		           ? invalid(errbuf, errlen, "%s is required", field)
		           : NODE_OK;
	n = strlen(s);
	if (n > max)
		return invalid(errbuf, errlen, "%s is longer than %zu bytes",
		               field, max);
	if (!wire_utf8_valid(s, n))
		return invalid(errbuf, errlen, "%s is not valid UTF-8 text",
		               field);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7f) &&
		    !(multiline && (c == '\n' || c == '\t')))
			return invalid(errbuf, errlen,
			               "%s contains a control character",
			               field);
	}
	return NODE_OK;
}

static int
in_list(const char *const *vals, size_t n, const char *s)
{
	for (size_t i = 0; s != NULL && i < n; i++)
		if (strcmp(vals[i], s) == 0)
			return 1;
	return 0;
}

static enum node_status
check_ids(const char *user, int64_t a, int64_t b, char *errbuf, size_t errlen)
{
	enum node_status s = check_text("user", user, 64, 1, 0, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (a <= 0 || b < 0)
		return invalid(errbuf, errlen, "ids must be positive");
	return NODE_OK;
}

/* today, or the current date when today is NULL or empty. */
static enum node_status
resolve_today(sqlite3 *db, const char *today, char out[11], char *errbuf,
              size_t errlen)
{
	if (today == NULL || today[0] == '\0')
		return node_sqlrows_today(db, out, errbuf, errlen);
	if (!node_register_date_valid(today))
		return invalid(errbuf, errlen,
		               "today: '%.20s' is not a date (YYYY-MM-DD)",
		               today);
	snprintf(out, 11, "%s", today);
	return NODE_OK;
}

/* The date of meeting id in out; NODE_ERR_NOT_FOUND when there is none. */
static enum node_status
overleg_date(sqlite3 *db, int64_t id, char out[11], char *errbuf, size_t errlen)
{
	json_t *rows = NULL;
	enum node_status s = node_sqlrows_query(
	    db, &rows, errbuf, errlen, "SELECT date FROM overleg WHERE id = ?1",
	    "i", id);

	if (s != NODE_OK)
		return s;
	if (json_array_size(rows) == 0) {
		json_decref(rows);
		snprintf(errbuf, errlen, "overleg %lld does not exist",
		         (long long)id);
		return NODE_ERR_NOT_FOUND;
	}
	snprintf(out, 11, "%s",
	         json_string_value(
	             json_object_get(json_array_get(rows, 0), "date")));
	json_decref(rows);
	return NODE_OK;
}

/* ---- planning ---------------------------------------------------------- */

struct new_arg {
	const char *user, *date, *table, *note;
	int64_t id;
};

static enum node_status
new_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct new_arg *a = varg;
	char detail[96];
	enum node_status s;

	s = node_sqlrows_exec(
	    db, NULL, errbuf, errlen,
	    "INSERT INTO overleg(date, tafel, note, created_at,"
	    " created_by) VALUES (?1, ?2, ?3, " NOW_SQL ", ?4)",
	    "SSSS", a->date, a->table, a->note, a->user);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "overleg=%lld date=%s table=%s",
	         (long long)a->id, a->date, a->table);
	return node_audit_append(db, a->user, "overleg.new", 0, detail, errbuf,
	                         errlen);
}

enum node_status
node_overleg_new(sqlite3 *db, const char *user, const char *date,
                 const char *table, const char *note, const char *today,
                 int64_t *ret_id, char *errbuf, size_t errlen)
{
	struct new_arg a = {user, date, table, note, 0};
	char now[11];
	enum node_status s;

	if ((s = check_text("user", user, 64, 1, 0, errbuf, errlen)) != NODE_OK)
		return s;
	if (date == NULL || !node_register_date_valid(date))
		return invalid(errbuf, errlen,
		               "date: '%.20s' is not a date (YYYY-MM-DD)",
		               date != NULL ? date : "");
	if (!in_list(tables, N(tables), table))
		return invalid(errbuf, errlen,
		               "table: '%.40s' is not one of: ret, mda, "
		               "schakeloverleg, doorbraaktafel",
		               table != NULL ? table : "");
	if ((s = check_text("note", note, NODE_REGISTER_TEXT_MAX, 0, 1, errbuf,
	                    errlen)) != NODE_OK ||
	    (s = resolve_today(db, today, now, errbuf, errlen)) != NODE_OK)
		return s;
	if (strcmp(date, now) < 0)
		return invalid(errbuf, errlen,
		               "date: %s lies in the past (today is %s)", date,
		               now);
	s = node_db_transaction(db, new_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

/* ---- agenda ------------------------------------------------------------ */

struct agenda_arg {
	const char *user;
	int64_t overleg_id, casus_id;
	int days;
	const char *today;
	char due[11];
};

static enum node_status
agenda_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct agenda_arg *a = varg;
	char date[11], now[11], detail[96];
	enum node_phase ph;
	int64_t n = 0;
	enum node_status s;

	if ((s = overleg_date(db, a->overleg_id, date, errbuf, errlen)) !=
	        NODE_OK ||
	    (s = resolve_today(db, a->today, now, errbuf, errlen)) != NODE_OK)
		return s;
	if (strcmp(date, now) < 0)
		return invalid(errbuf, errlen,
		               "overleg %lld took place on %s: plan a new one",
		               (long long)a->overleg_id, date);
	s = node_register_casus_get_phase(db, a->casus_id, &ph);
	if (s == NODE_ERR_NOT_FOUND) {
		snprintf(errbuf, errlen, "casus %lld does not exist",
		         (long long)a->casus_id);
		return s;
	}
	if (s != NODE_OK) {
		snprintf(errbuf, errlen, "casus %lld: cannot read its phase",
		         (long long)a->casus_id);
		return s;
	}
	if (ph == NODE_PHASE_AFGESLOTEN || ph == NODE_PHASE_GEANNULEERD ||
	    ph == NODE_PHASE_DOORVERWEZEN)
		return invalid(
		    errbuf, errlen,
		    "casus %lld is %s and cannot be put on an agenda",
		    (long long)a->casus_id, node_lifecycle_phase_name(ph));
	if ((s = node_sqlrows_int(db, &n, errbuf, errlen,
	                          "SELECT count(*) FROM overleg_agenda"
	                          " WHERE overleg_id = ?1 AND casus_id = ?2",
	                          "ii", a->overleg_id, a->casus_id)) != NODE_OK)
		return s;
	if (n > 0)
		return invalid(
		    errbuf, errlen,
		    "casus %lld is already on the agenda of overleg %lld",
		    (long long)a->casus_id, (long long)a->overleg_id);
	if ((s = node_sqlrows_exec(
	         db, NULL, errbuf, errlen,
	         "INSERT INTO overleg_agenda(overleg_id, casus_id, position,"
	         " evaluation_due, added_at, added_by) VALUES (?1, ?2,"
	         " (SELECT count(*) + 1 FROM overleg_agenda WHERE overleg_id"
	         " = ?1), date(?3, '-' || ?4 || ' days'), " NOW_SQL ", ?5)",
	         "iiSiS", a->overleg_id, a->casus_id, date, (int64_t)a->days,
	         a->user)) != NODE_OK)
		return s;
	{
		json_t *rows = NULL;
		s = node_sqlrows_query(
		    db, &rows, errbuf, errlen,
		    "SELECT evaluation_due FROM overleg_agenda"
		    " WHERE overleg_id = ?1 AND casus_id = ?2",
		    "ii", a->overleg_id, a->casus_id);
		if (s != NODE_OK)
			return s;
		snprintf(a->due, sizeof(a->due), "%s",
		         json_string_value(json_object_get(
		             json_array_get(rows, 0), "evaluation_due")));
		json_decref(rows);
	}
	snprintf(detail, sizeof(detail), "overleg=%lld evaluation_due=%s",
	         (long long)a->overleg_id, a->due);
	return node_audit_append(db, a->user, "overleg.agenda", a->casus_id,
	                         detail, errbuf, errlen);
}

enum node_status
node_overleg_agenda_add(sqlite3 *db, const char *user, int64_t overleg_id,
                        int64_t casus_id, int evaluation_days,
                        const char *today, char *ret_due, char *errbuf,
                        size_t errlen)
{
	struct agenda_arg a = {user,  overleg_id, casus_id, evaluation_days,
	                       today, ""};
	enum node_status s =
	    check_ids(user, overleg_id, casus_id, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (casus_id <= 0)
		return invalid(errbuf, errlen, "casus id must be positive");
	if (evaluation_days < 0 || evaluation_days > 60)
		return invalid(errbuf, errlen,
		               "evaluation_days must be 0..60, not %d",
		               evaluation_days);
	s = node_db_transaction(db, agenda_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_due != NULL)
		memcpy(ret_due, a.due, sizeof(a.due));
	return s;
}

struct eval_arg {
	const char *user;
	int64_t overleg_id, casus_id;
	const char *date;
};

static enum node_status
eval_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct eval_arg *a = varg;
	char detail[64];
	int changes = 0;
	enum node_status s;

	s = node_sqlrows_exec(db, &changes, errbuf, errlen,
	                      "UPDATE overleg_agenda SET evaluation_received ="
	                      " coalesce(?3, date('now')) WHERE overleg_id = ?1"
	                      " AND casus_id = ?2",
	                      "iis", a->overleg_id, a->casus_id, a->date);
	if (s != NODE_OK)
		return s;
	if (changes != 1) {
		snprintf(errbuf, errlen,
		         "casus %lld is not on the agenda of overleg %lld",
		         (long long)a->casus_id, (long long)a->overleg_id);
		return NODE_ERR_NOT_FOUND;
	}
	snprintf(detail, sizeof(detail), "overleg=%lld",
	         (long long)a->overleg_id);
	return node_audit_append(db, a->user, "overleg.evaluation", a->casus_id,
	                         detail, errbuf, errlen);
}

enum node_status
node_overleg_evaluation(sqlite3 *db, const char *user, int64_t overleg_id,
                        int64_t casus_id, const char *date, char *errbuf,
                        size_t errlen)
{
	struct eval_arg a = {user, overleg_id, casus_id, date};
	enum node_status s =
	    check_ids(user, overleg_id, casus_id, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (date != NULL && date[0] != '\0' && !node_register_date_valid(date))
		return invalid(errbuf, errlen,
		               "date: '%.20s' is not a date (YYYY-MM-DD)",
		               date);
	return node_db_transaction(db, eval_fn, &a, errbuf, errlen);
}

/* ---- participants and attendance --------------------------------------- */

struct part_arg {
	const char *user, *name, *org, *kind;
	int64_t id;
};

static enum node_status
part_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct part_arg *a = varg;
	char detail[64];
	int64_t n = 0;
	enum node_status s;

	if ((s = node_sqlrows_int(
	         db, &n, errbuf, errlen,
	         "SELECT count(*) FROM deelnemer WHERE name = ?1"
	         " AND organisation = ?2",
	         "SS", a->name, a->org)) != NODE_OK)
		return s;
	if (n > 0)
		return invalid(errbuf, errlen,
		               "this participant is already on the list");
	s = node_sqlrows_exec(
	    db, NULL, errbuf, errlen,
	    "INSERT INTO deelnemer(name, organisation, kind,"
	    " created_at, created_by) VALUES (?1, ?2, ?3, " NOW_SQL ", ?4)",
	    "SSSS", a->name, a->org, a->kind, a->user);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "deelnemer=%lld kind=%s",
	         (long long)a->id, a->kind);
	return node_audit_append(db, a->user, "deelnemer.add", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_overleg_participant_add(sqlite3 *db, const char *user, const char *name,
                             const char *organisation, const char *kind,
                             int64_t *ret_id, char *errbuf, size_t errlen)
{
	struct part_arg a = {user, name, organisation, kind, 0};
	enum node_status s;

	if ((s = check_text("user", user, 64, 1, 0, errbuf, errlen)) !=
	        NODE_OK ||
	    (s = check_text("name", name, NODE_REGISTER_NAME_MAX, 1, 0, errbuf,
	                    errlen)) != NODE_OK ||
	    (s = check_text("organisation", organisation,
	                    NODE_REGISTER_NAME_MAX, 1, 0, errbuf, errlen)) !=
	        NODE_OK)
		return s;
	if (!in_list(kinds, N(kinds), kind))
		return invalid(
		    errbuf, errlen,
		    "kind: '%.40s' is not one of: kern, schil, expert",
		    kind != NULL ? kind : "");
	s = node_db_transaction(db, part_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

struct read_arg {
	const char *user;
	int64_t id;
	const char *today;
	json_t *out;
};

static enum node_status
part_list_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	char detail[32];
	enum node_status s;

	s = node_sqlrows_query(
	    db, &a->out, errbuf, errlen,
	    "SELECT id, name, organisation, kind FROM deelnemer"
	    " ORDER BY kind = 'expert', kind = 'schil', name, id",
	    "");
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(a->out));
	return node_audit_append(db, a->user, "deelnemer.list", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_overleg_participant_list(sqlite3 *db, const char *user, json_t **ret,
                              char *errbuf, size_t errlen)
{
	struct read_arg a = {user, 0, NULL, NULL};
	enum node_status s = check_text("user", user, 64, 1, 0, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, part_list_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

int
node_overleg_parse_hours(const char *s, int64_t *ret)
{
	int64_t whole = 0, frac = 0;
	size_t i = 0, d = 0;

	if (s == NULL)
		return -1;
	for (; s[i] >= '0' && s[i] <= '9' && i < 3; i++)
		whole = whole * 10 + (s[i] - '0');
	if (i == 0)
		return -1;
	if (s[i] == '.' || s[i] == ',') {
		for (i++; s[i] >= '0' && s[i] <= '9' && d < 2; i++, d++)
			frac = frac * 10 + (s[i] - '0');
		if (d == 0)
			return -1;
		if (d == 1)
			frac *= 10;
	}
	if (s[i] != '\0')
		return -1;
	whole = whole * 100 + frac;
	if (whole > NODE_OVERLEG_MAX_HOURS_X100)
		return -1;
	*ret = whole;
	return 0;
}

struct att_arg {
	const char *user;
	int64_t overleg_id, participant_id;
	int present;
	int64_t hours;
};

static enum node_status
att_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct att_arg *a = varg;
	char date[11], detail[96];
	int64_t n = 0;
	enum node_status s;

	if ((s = overleg_date(db, a->overleg_id, date, errbuf, errlen)) !=
	        NODE_OK ||
	    (s = node_sqlrows_int(
	         db, &n, errbuf, errlen,
	         "SELECT count(*) FROM deelnemer WHERE id = ?1", "i",
	         a->participant_id)) != NODE_OK)
		return s;
	if (n == 0) {
		snprintf(errbuf, errlen, "participant %lld does not exist",
		         (long long)a->participant_id);
		return NODE_ERR_NOT_FOUND;
	}
	s = node_sqlrows_exec(
	    db, NULL, errbuf, errlen,
	    "INSERT INTO overleg_deelnemer(overleg_id, deelnemer_id, present,"
	    " centihours, recorded_at, recorded_by) VALUES (?1, ?2, ?3, "
	    "?4, " NOW_SQL
	    ", ?5) ON CONFLICT(overleg_id, deelnemer_id) DO UPDATE"
	    " SET present = excluded.present, centihours ="
	    " excluded.centihours, recorded_at = excluded.recorded_at,"
	    " recorded_by = excluded.recorded_by",
	    "iiiiS", a->overleg_id, a->participant_id, (int64_t)a->present,
	    a->hours, a->user);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail),
	         "overleg=%lld deelnemer=%lld present=%d hours_x100=%lld",
	         (long long)a->overleg_id, (long long)a->participant_id,
	         a->present, (long long)a->hours);
	return node_audit_append(db, a->user, "overleg.attendance", 0, detail,
	                         errbuf, errlen);
}

enum node_status
node_overleg_attendance(sqlite3 *db, const char *user, int64_t overleg_id,
                        int64_t participant_id, int present, int64_t hours_x100,
                        char *errbuf, size_t errlen)
{
	struct att_arg a = {user, overleg_id, participant_id, present != 0,
	                    hours_x100};
	enum node_status s =
	    check_ids(user, overleg_id, participant_id, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (participant_id <= 0)
		return invalid(errbuf, errlen,
		               "participant id must be positive");
	if (hours_x100 < 0 || hours_x100 > NODE_OVERLEG_MAX_HOURS_X100)
		return invalid(errbuf, errlen,
		               "hours must be from 0 to 24, not %lld/100",
		               (long long)hours_x100);
	if (!present && hours_x100 != 0)
		return invalid(
		    errbuf, errlen,
		    "hours can only be declared for someone who was present");
	return node_db_transaction(db, att_fn, &a, errbuf, errlen);
}

/* ---- minutes ----------------------------------------------------------- */

struct min_arg {
	const char *user;
	int64_t overleg_id, casus_id;
	const char *minutes;
	int check_only;
};

static enum node_status
min_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct min_arg *a = varg;
	char detail[48];
	int changes = 0;
	int64_t n = 0;
	enum node_status s;

	if (a->check_only) {
		s = node_sqlrows_int(db, &n, errbuf, errlen,
		                     "SELECT count(*) FROM overleg_agenda WHERE"
		                     " overleg_id = ?1 AND casus_id = ?2",
		                     "ii", a->overleg_id, a->casus_id);
		if (s == NODE_OK && n == 0) {
			snprintf(
			    errbuf, errlen,
			    "casus %lld is not on the agenda of overleg %lld",
			    (long long)a->casus_id, (long long)a->overleg_id);
			return NODE_ERR_NOT_FOUND;
		}
		return s;
	}
	s = node_sqlrows_exec(db, &changes, errbuf, errlen,
	                      "UPDATE overleg_agenda SET minutes = ?3"
	                      " WHERE overleg_id = ?1 AND casus_id = ?2",
	                      "iiS", a->overleg_id, a->casus_id, a->minutes);
	if (s != NODE_OK)
		return s;
	if (changes != 1) {
		snprintf(errbuf, errlen,
		         "casus %lld is not on the agenda of overleg %lld",
		         (long long)a->casus_id, (long long)a->overleg_id);
		return NODE_ERR_NOT_FOUND;
	}
	snprintf(detail, sizeof(detail), "overleg=%lld",
	         (long long)a->overleg_id);
	return node_audit_append(db, a->user, "overleg.minutes", a->casus_id,
	                         detail, errbuf, errlen);
}

enum node_status
node_overleg_minutes(sqlite3 *db, const char *user, int64_t overleg_id,
                     int64_t casus_id, const struct node_overleg_minutes *m,
                     int64_t *ret_advice_id, int64_t *ret_agreement_id,
                     char *errbuf, size_t errlen)
{
	struct min_arg a = {user, overleg_id, casus_id, m->minutes, 1};
	int64_t advice_id = 0, agreement_id = 0;
	enum node_status s =
	    check_ids(user, overleg_id, casus_id, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	if (casus_id <= 0)
		return invalid(errbuf, errlen, "casus id must be positive");
	if ((s = check_text("minutes", m->minutes, NODE_REGISTER_TEXT_MAX, 1, 1,
	                    errbuf, errlen)) != NODE_OK ||
	    (s = check_text("advice", m->advice, NODE_REGISTER_TEXT_MAX, 0, 1,
	                    errbuf, errlen)) != NODE_OK ||
	    (s = check_text("agreement", m->agreement, NODE_REGISTER_TEXT_MAX,
	                    0, 1, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("who", m->who, NODE_REGISTER_NAME_MAX, 0, 0, errbuf,
	                    errlen)) != NODE_OK)
		return s;
	if (m->due != NULL && m->due[0] != '\0' &&
	    !node_register_date_valid(m->due))
		return invalid(errbuf, errlen,
		               "due: '%.20s' is not a date (YYYY-MM-DD)",
		               m->due);
	if ((m->who != NULL || m->due != NULL) &&
	    (m->agreement == NULL || m->agreement[0] == '\0'))
		return invalid(errbuf, errlen,
		               "who and due belong to an agreement");
	/*
	 * Everything is checked first, including that the casus is on the
	 * agenda, so the writes below only fail on a database error. Each
	 * record is written (and audited) by the module that owns it.
	 */
	s = node_db_transaction(db, min_fn, &a, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	a.check_only = 0;
	if (m->advice != NULL && m->advice[0] != '\0' &&
	    (s = node_register_advice_add(db, user, casus_id, m->advice,
	                                  &advice_id, errbuf, errlen)) !=
	        NODE_OK)
		return s;
	if (m->agreement != NULL && m->agreement[0] != '\0' &&
	    (s = node_register_agreement_add(db, user, casus_id, m->agreement,
	                                     m->who, m->due, &agreement_id,
	                                     errbuf, errlen)) != NODE_OK)
		return s;
	s = node_db_transaction(db, min_fn, &a, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	if (ret_advice_id != NULL)
		*ret_advice_id = advice_id;
	if (ret_agreement_id != NULL)
		*ret_agreement_id = agreement_id;
	return NODE_OK;
}

/* ---- reads ------------------------------------------------------------- */

static enum node_status
show_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	json_t *rows = NULL, *o, *agenda = NULL, *parts = NULL, *item;
	char now[11], detail[48];
	enum node_status s;
	size_t i;

	if ((s = resolve_today(db, a->today, now, errbuf, errlen)) != NODE_OK)
		return s;
	s = node_sqlrows_query(
	    db, &rows, errbuf, errlen,
	    "SELECT id, date, tafel AS 'table', note,"
	    " created_at, created_by FROM overleg WHERE id = ?1",
	    "i", a->id);
	if (s != NODE_OK)
		return s;
	o = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (o == NULL) {
		snprintf(errbuf, errlen, "overleg %lld does not exist",
		         (long long)a->id);
		return NODE_ERR_NOT_FOUND;
	}
	a->out = o;
	if ((s = node_sqlrows_query(
	         db, &agenda, errbuf, errlen,
	         "SELECT g.casus_id, g.position, c.phase, c.question_type,"
	         " g.evaluation_due, g.evaluation_received,"
	         " (g.evaluation_received IS NULL AND g.evaluation_due < ?2)"
	         " AS evaluation_overdue, g.minutes"
	         " FROM overleg_agenda g JOIN casus c ON c.id = g.casus_id"
	         " WHERE g.overleg_id = ?1 ORDER BY g.position",
	         "iS", a->id, now)) != NODE_OK)
		return s;
	json_array_foreach(agenda, i, item)
	{
		json_object_set_new(
		    item, "evaluation_overdue",
		    json_boolean(json_integer_value(
		        json_object_get(item, "evaluation_overdue"))));
	}
	if (json_object_set_new(o, "agenda", agenda) != 0)
		return NODE_ERR_NOMEM;
	if ((s = node_sqlrows_query(
	         db, &parts, errbuf, errlen,
	         "SELECT d.id, d.name, d.organisation, d.kind, a.present,"
	         " coalesce(a.centihours, 0) AS hours_x100"
	         " FROM overleg_deelnemer a JOIN deelnemer d"
	         " ON d.id = a.deelnemer_id WHERE a.overleg_id = ?1"
	         " ORDER BY d.kind = 'expert', d.kind = 'schil', d.name",
	         "i", a->id)) != NODE_OK)
		return s;
	json_array_foreach(parts, i, item)
	{
		json_t *p = json_object_get(item, "present");
		json_object_set_new(item, "present",
		                    json_is_null(p)
		                        ? json_null()
		                        : json_boolean(json_integer_value(p)));
	}
	if (json_object_set_new(o, "participants", parts) != 0)
		return NODE_ERR_NOMEM;
	snprintf(detail, sizeof(detail), "overleg=%lld", (long long)a->id);
	/* The minutes are case data: one row per casus on the agenda. */
	json_array_foreach(agenda, i, item)
	{
		s = node_audit_append(
		    db, a->user, "overleg.show",
		    json_integer_value(json_object_get(item, "casus_id")),
		    detail, errbuf, errlen);
		if (s != NODE_OK)
			return s;
	}
	if (json_array_size(agenda) == 0)
		return node_audit_append(db, a->user, "overleg.show", 0, detail,
		                         errbuf, errlen);
	return NODE_OK;
}

enum node_status
node_overleg_show(sqlite3 *db, const char *user, int64_t id, const char *today,
                  json_t **ret, char *errbuf, size_t errlen)
{
	struct read_arg a = {user, id, today, NULL};
	enum node_status s = check_ids(user, id, 0, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, show_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

static enum node_status
list_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct read_arg *a = varg;
	char detail[32];
	enum node_status s;

	s = node_sqlrows_query(
	    db, &a->out, errbuf, errlen,
	    "SELECT o.id, o.date, o.tafel AS 'table',"
	    " (SELECT count(*) FROM overleg_agenda g WHERE g.overleg_id = o.id)"
	    " AS agenda_items,"
	    " (SELECT count(*) FROM overleg_deelnemer d WHERE d.overleg_id ="
	    " o.id AND d.present = 1) AS present"
	    " FROM overleg o ORDER BY o.date, o.id",
	    "");
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(a->out));
	return node_audit_append(db, a->user, "overleg.list", 0, detail, errbuf,
	                         errlen);
}

enum node_status
node_overleg_list(sqlite3 *db, const char *user, json_t **ret, char *errbuf,
                  size_t errlen)
{
	struct read_arg a = {user, 0, NULL, NULL};
	enum node_status s = check_text("user", user, 64, 1, 0, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, list_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}
