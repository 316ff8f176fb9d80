/*
 * node_register: schema, validation, changes and reads of the case
 * register. Each public function checks its input, then runs one write
 * transaction that does the work and appends the audit row.
 */
#include "node_register.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_audit.h"
#include "wire_scan.h"

/* ---- vocabularies ---------------------------------------------------- */

static const char *const v_registered_by[] = {
	"gemeente", "gi", "zorgaanbieder", "onderwijs", "ouders_jeugdige",
	"other"};
static const char *const v_question[] = {
	"verblijf_wachtlijst", "passend_aanbod", "samenwerking_regie",
	"onderwijs", "overgang_18", "other"};
static const char *const v_problem[] = {
	"gedrag", "psychiatrie", "verslaving", "lvb", "gezin", "onderwijs",
	"veiligheid", "wonen", "financien", "somatiek", "justitie", "other"};
static const char *const v_table[] = {"mda", "schakeloverleg",
				      "doorbraaktafel"};
static const char *const v_theme[] = {
	"wachtlijsten", "kleinschalig_wonen", "overgang_18", "regie",
	"afwijzing_aanbieders", "normaliseren", "perspectief", "onderwijs",
	"other"};
static const char *const v_outcome[] = {"opgelost", "deels_opgelost",
					"niet_opgelost", "other"};
static const char *const v_person_role[] = {"jeugdige", "ouder", "other"};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *const *values;
	size_t n;
} vocabs[NODE_VOCAB_COUNT] = {
	[NODE_VOCAB_REGISTERED_BY] = {v_registered_by, N(v_registered_by)},
	[NODE_VOCAB_QUESTION] = {v_question, N(v_question)},
	[NODE_VOCAB_PROBLEM] = {v_problem, N(v_problem)},
	[NODE_VOCAB_TABLE] = {v_table, N(v_table)},
	[NODE_VOCAB_THEME] = {v_theme, N(v_theme)},
	[NODE_VOCAB_OUTCOME] = {v_outcome, N(v_outcome)},
	[NODE_VOCAB_PERSON_ROLE] = {v_person_role, N(v_person_role)},
};

const char *const *
node_register_vocab(enum node_vocab v, size_t *ret_n)
{
	if ((unsigned)v >= NODE_VOCAB_COUNT) {
		*ret_n = 0;
		return NULL;
	}
	*ret_n = vocabs[v].n;
	return vocabs[v].values;
}

int
node_register_vocab_valid(enum node_vocab v, const char *s)
{
	if ((unsigned)v >= NODE_VOCAB_COUNT || s == NULL)
		return 0;
	for (size_t i = 0; i < vocabs[v].n; i++)
		if (strcmp(vocabs[v].values[i], s) == 0)
			return 1;
	return 0;
}

/* ---- schema ---------------------------------------------------------- */

/*
 * Step 1 of the "register" component. The CHECK lists repeat the
 * vocabularies above; test_node_register inserts every value to keep the
 * two in step. Never edit a released step: add a new one.
 */
static const char *const register_steps[] = {
	"CREATE TABLE casus("
	" id INTEGER PRIMARY KEY,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" registered_by TEXT NOT NULL CHECK (registered_by IN ('gemeente',"
	"  'gi', 'zorgaanbieder', 'onderwijs', 'ouders_jeugdige', 'other')),"
	" question_type TEXT NOT NULL CHECK (question_type IN"
	"  ('verblijf_wachtlijst', 'passend_aanbod', 'samenwerking_regie',"
	"  'onderwijs', 'overgang_18', 'other')),"
	" regisseur_org TEXT NOT NULL DEFAULT '',"
	" regisseur_role TEXT NOT NULL DEFAULT '',"
	" registered_on TEXT NOT NULL,"
	" phase TEXT NOT NULL DEFAULT 'aanmelding' CHECK (phase IN"
	"  ('aanmelding', 'triage', 'overleg', 'monitoren', 'afgesloten',"
	"  'geannuleerd', 'doorverwezen')),"
	" phase_since TEXT NOT NULL,"
	" tafel TEXT CHECK (tafel IS NULL OR tafel IN ('mda', 'schakeloverleg',"
	"  'doorbraaktafel')),"
	" summary TEXT NOT NULL DEFAULT '',"
	" outcome TEXT CHECK (outcome IS NULL OR outcome IN ('opgelost',"
	"  'deels_opgelost', 'niet_opgelost', 'other')),"
	" closed_on TEXT);"
	"CREATE INDEX casus_by_phase ON casus(phase);"
	"CREATE TABLE casus_problem("
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" area TEXT NOT NULL CHECK (area IN ('gedrag', 'psychiatrie',"
	"  'verslaving', 'lvb', 'gezin', 'onderwijs', 'veiligheid', 'wonen',"
	"  'financien', 'somatiek', 'justitie', 'other')),"
	" PRIMARY KEY (casus_id, area)) WITHOUT ROWID;"
	"CREATE TABLE casus_theme("
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" theme TEXT NOT NULL CHECK (theme IN ('wachtlijsten',"
	"  'kleinschalig_wonen', 'overgang_18', 'regie',"
	"  'afwijzing_aanbieders', 'normaliseren', 'perspectief', 'onderwijs',"
	"  'other')),"
	" PRIMARY KEY (casus_id, theme)) WITHOUT ROWID;"
	"CREATE TABLE casus_transition("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" at TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" from_phase TEXT,"
	" to_phase TEXT NOT NULL,"
	" note TEXT NOT NULL DEFAULT '');"
	"CREATE INDEX casus_transition_by_casus ON casus_transition(casus_id);"
	"CREATE TABLE persoon("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" role TEXT NOT NULL CHECK (role IN ('jeugdige', 'ouder', 'other')),"
	" name TEXT NOT NULL,"
	" bsn TEXT,"
	" birth_date TEXT,"
	" address TEXT,"
	" postcode TEXT,"
	" municipality TEXT,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL);"
	"CREATE INDEX persoon_by_casus ON persoon(casus_id);"
	"CREATE TABLE advies("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" at TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" text TEXT NOT NULL);"
	"CREATE TABLE afspraak("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" at TEXT NOT NULL,"
	" user TEXT NOT NULL,"
	" text TEXT NOT NULL,"
	" who TEXT NOT NULL DEFAULT '',"
	" due TEXT);"
	"CREATE TABLE followup("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" due TEXT NOT NULL,"
	" note TEXT NOT NULL DEFAULT '',"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" done_at TEXT,"
	" done_by TEXT);"
	"CREATE INDEX followup_open ON followup(casus_id, due)"
	" WHERE done_at IS NULL;"
	"CREATE TABLE consultatie("
	" id INTEGER PRIMARY KEY,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" date TEXT NOT NULL,"
	" from_role TEXT NOT NULL CHECK (from_role IN ('gemeente', 'gi',"
	"  'zorgaanbieder', 'onderwijs', 'ouders_jeugdige', 'other')),"
	" question TEXT NOT NULL,"
	" answer TEXT NOT NULL DEFAULT '',"
	" casus_id INTEGER REFERENCES casus(id));"
	/* The escalation ladder: may this casus be taken to the BEN? */
	"CREATE VIEW casus_ladder AS SELECT id AS casus_id, phase,"
	" phase IN ('overleg', 'monitoren', 'afgesloten') AS past_triage,"
	" phase IN ('overleg', 'monitoren') AS may_escalate FROM casus;",
	/*
	 * Step 2: around the cases (node_overleg.h, node_monitor.h,
	 * node_clientinfo.h): meetings with their agenda, participants and
	 * attendance; that the client was informed; where a complaint was
	 * referred; the monitor exports that still exist on disk.
	 */
	"CREATE TABLE overleg("
	" id INTEGER PRIMARY KEY,"
	" date TEXT NOT NULL,"
	" tafel TEXT NOT NULL CHECK (tafel IN ('ret', 'mda', 'schakeloverleg',"
	"  'doorbraaktafel')),"
	" note TEXT NOT NULL DEFAULT '',"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL);"
	"CREATE INDEX overleg_by_date ON overleg(date);"
	"CREATE TABLE overleg_agenda("
	" overleg_id INTEGER NOT NULL REFERENCES overleg(id),"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" position INTEGER NOT NULL,"
	" evaluation_due TEXT NOT NULL,"
	" evaluation_received TEXT,"
	" minutes TEXT NOT NULL DEFAULT '',"
	" added_at TEXT NOT NULL,"
	" added_by TEXT NOT NULL,"
	" PRIMARY KEY (overleg_id, casus_id)) WITHOUT ROWID;"
	"CREATE INDEX overleg_agenda_by_casus ON overleg_agenda(casus_id);"
	"CREATE TABLE deelnemer("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL,"
	" organisation TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('kern', 'schil', 'expert')),"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" UNIQUE (name, organisation));"
	"CREATE TABLE overleg_deelnemer("
	" overleg_id INTEGER NOT NULL REFERENCES overleg(id),"
	" deelnemer_id INTEGER NOT NULL REFERENCES deelnemer(id),"
	" present INTEGER CHECK (present IS NULL OR present IN (0, 1)),"
	" centihours INTEGER NOT NULL DEFAULT 0 CHECK (centihours BETWEEN 0"
	"  AND 2400),"
	" recorded_at TEXT NOT NULL,"
	" recorded_by TEXT NOT NULL,"
	" PRIMARY KEY (overleg_id, deelnemer_id)) WITHOUT ROWID;"
	"CREATE TABLE casus_informed("
	" id INTEGER PRIMARY KEY,"
	" casus_id INTEGER NOT NULL REFERENCES casus(id),"
	" date TEXT NOT NULL,"
	" how TEXT NOT NULL CHECK (how IN ('brief', 'mondeling', 'email',"
	"  'other')),"
	" monitor_letter INTEGER NOT NULL CHECK (monitor_letter IN (0, 1)),"
	" at TEXT NOT NULL,"
	" user TEXT NOT NULL);"
	"CREATE INDEX casus_informed_by_casus ON casus_informed(casus_id);"
	"ALTER TABLE casus ADD COLUMN complaint_referral TEXT CHECK"
	" (complaint_referral IS NULL OR complaint_referral IN"
	" ('klachtenregeling', 'vertrouwenspersoon'));"
	"ALTER TABLE consultatie ADD COLUMN outcome TEXT CHECK (outcome IS NULL"
	" OR outcome IN ('beantwoord', 'aanmelding', 'klachtenregeling',"
	" 'vertrouwenspersoon'));"
	"CREATE TABLE monitor_export("
	" id INTEGER PRIMARY KEY,"
	" period TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" rows INTEGER NOT NULL,"
	" created_at TEXT NOT NULL,"
	" created_by TEXT NOT NULL,"
	" deleted_at TEXT,"
	" deleted_by TEXT);",
};

#define NOW_SQL "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

enum node_status
node_register_migrate(sqlite3 *db, char *errbuf, size_t errlen)
{
	enum node_status s = node_audit_migrate(db, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	return node_db_migrate(db, "register", register_steps,
			       N(register_steps), errbuf, errlen);
}

enum node_status
node_register_check(sqlite3 *db, char *errbuf, size_t errlen)
{
	enum node_status s = node_db_check(db, "audit",
					   node_audit_schema_steps(), errbuf,
					   errlen);

	if (s != NODE_OK)
		return s;
	return node_db_check(db, "register", N(register_steps), errbuf,
			     errlen);
}

/* ---- validation ------------------------------------------------------ */

static enum node_status
invalid(char *errbuf, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum node_status
invalid(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
	return NODE_ERR_INVALID;
}

int
node_register_date_valid(const char *s)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int y, m, d, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int
node_register_bsn_valid(const char *s)
{
	int sum = 0, nonzero = 0;

	if (s == NULL || strlen(s) != 9)
		return 0;
	for (int i = 0; i < 9; i++) {
		int d;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		d = s[i] - '0';
		nonzero |= d;
		sum += (i < 8 ? (9 - i) : -1) * d;
	}
	return nonzero && sum % 11 == 0;
}

int
node_register_postcode_normalise(const char *in, char out[8])
{
	char l1, l2;
	size_t n, i = 0;

	if (in == NULL)
		return -1;
	n = strlen(in);
	if (n != 6 && n != 7)
		return -1;
	for (i = 0; i < 4; i++)
		if (in[i] < '0' || in[i] > '9')
			return -1;
	if (in[0] == '0')
		return -1;
	if (n == 7 && in[4] != ' ')
		return -1;
	l1 = in[n - 2];
	l2 = in[n - 1];
	if (l1 >= 'a' && l1 <= 'z')
		l1 = (char)(l1 - 'a' + 'A');
	if (l2 >= 'a' && l2 <= 'z')
		l2 = (char)(l2 - 'a' + 'A');
	if (l1 < 'A' || l1 > 'Z' || l2 < 'A' || l2 > 'Z')
		return -1;
	memcpy(out, in, 4);
	out[4] = ' ';
	out[5] = l1;
	out[6] = l2;
	out[7] = '\0';
	return 0;
}

/*
 * Text from a user: valid UTF-8, at most `max` bytes, no control
 * characters (newline and tab only where `multiline`).
 */
static enum node_status
check_text(const char *field, const char *s, size_t max, int required,
	   int multiline, char *errbuf, size_t errlen)
{
	size_t n;

	if (s == NULL || s[0] == '\0') {
		if (required)
			return invalid(errbuf, errlen, "%s is required", field);
		return NODE_OK;
	}
	n = strlen(s);
	if (n > max)
		return invalid(errbuf, errlen,
			       "%s is longer than %zu bytes", field, max);
	if (!wire_utf8_valid(s, n))
		return invalid(errbuf, errlen, "%s is not valid UTF-8 text",
			       field);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7f) &&
		    !(multiline && (c == '\n' || c == '\t')))
			return invalid(errbuf, errlen,
				       "%s contains a control character", field);
	}
	return NODE_OK;
}

static enum node_status
check_vocab(const char *field, enum node_vocab v, const char *s,
	    int required, char *errbuf, size_t errlen)
{
	char allowed[256] = "";
	size_t used = 0, n;
	const char *const *vals;

	if (s == NULL || (s[0] == '\0' && !required))
		return NODE_OK;
	if (node_register_vocab_valid(v, s))
		return NODE_OK;
	vals = node_register_vocab(v, &n);
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(allowed + used, sizeof(allowed) - used, "%s%s",
				 i ? ", " : "", vals[i]);
		if (k > 0 && (size_t)k < sizeof(allowed) - used)
			used += (size_t)k;
	}
	if (s[0] == '\0')
		return invalid(errbuf, errlen, "%s is required (one of: %s)",
			       field, allowed);
	return invalid(errbuf, errlen, "%s: '%.40s' is not one of: %s", field,
		       s, allowed);
}

#define LIST_MAX 16

/*
 * Split a comma-separated list of vocabulary values into `items` (copies
 * into buf). Duplicates and unknown values are refused.
 */
static enum node_status
parse_list(const char *field, enum node_vocab v, const char *s,
	   char buf[256], const char *items[LIST_MAX], size_t *ret_n,
	   char *errbuf, size_t errlen)
{
	size_t n = 0;
	char *p, *next;
	enum node_status st;

	*ret_n = 0;
	if (s == NULL || s[0] == '\0')
		return NODE_OK;
	if (strlen(s) >= 256)
		return invalid(errbuf, errlen, "%s: list too long", field);
	snprintf(buf, 256, "%s", s);
	for (p = buf; p != NULL; p = next) {
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		while (*p == ' ')
			p++;
		for (char *e = p + strlen(p); e > p && e[-1] == ' ';)
			*--e = '\0';
		st = check_vocab(field, v, p, 1, errbuf, errlen);
		if (st != NODE_OK)
			return st;
		for (size_t i = 0; i < n; i++)
			if (strcmp(items[i], p) == 0)
				return invalid(errbuf, errlen,
					       "%s: '%s' given twice", field, p);
		if (n >= LIST_MAX)
			return invalid(errbuf, errlen, "%s: too many values",
				       field);
		items[n++] = p;
	}
	*ret_n = n;
	return NODE_OK;
}

static enum node_status
check_date(const char *field, const char *s, int required, char *errbuf,
	   size_t errlen)
{
	if (s == NULL || s[0] == '\0') {
		if (required)
			return invalid(errbuf, errlen, "%s is required", field);
		return NODE_OK;
	}
	if (!node_register_date_valid(s))
		return invalid(errbuf, errlen,
			       "%s: '%.20s' is not a date (YYYY-MM-DD)", field, s);
	return NODE_OK;
}

static enum node_status
check_user(const char *user, char *errbuf, size_t errlen)
{
	return check_text("user", user, 64, 1, 0, errbuf, errlen);
}

/* Parsed and checked casus fields, ready to write. */
struct casus_input {
	const struct node_casus_fields *f;
	char problem_buf[256], theme_buf[256];
	const char *problems[LIST_MAX], *themes[LIST_MAX];
	size_t n_problems, n_themes;
};

static enum node_status
check_casus_fields(const struct node_casus_fields *f, int create,
		   struct casus_input *in, char *errbuf, size_t errlen)
{
	enum node_status s;

	in->f = f;
	if ((s = check_vocab("registered_by", NODE_VOCAB_REGISTERED_BY,
			     create && f->registered_by == NULL ? ""
								: f->registered_by,
			     1, errbuf, errlen)) != NODE_OK ||
	    (s = check_vocab("question_type", NODE_VOCAB_QUESTION,
			     create && f->question_type == NULL ? ""
								: f->question_type,
			     1, errbuf, errlen)) != NODE_OK ||
	    (s = check_vocab("table", NODE_VOCAB_TABLE, f->table, 0, errbuf,
			     errlen)) != NODE_OK ||
	    (s = check_vocab("outcome", NODE_VOCAB_OUTCOME, f->outcome, 0,
			     errbuf, errlen)) != NODE_OK ||
	    (s = check_text("regisseur_org", f->regisseur_org,
			    NODE_REGISTER_NAME_MAX, 0, 0, errbuf, errlen)) !=
		    NODE_OK ||
	    (s = check_text("regisseur_role", f->regisseur_role,
			    NODE_REGISTER_NAME_MAX, 0, 0, errbuf, errlen)) !=
		    NODE_OK ||
	    (s = check_text("summary", f->summary, NODE_REGISTER_TEXT_MAX, 0,
			    1, errbuf, errlen)) != NODE_OK ||
	    (s = check_date("registered_on", f->registered_on, 0, errbuf,
			    errlen)) != NODE_OK ||
	    (s = parse_list("problem_areas", NODE_VOCAB_PROBLEM,
			    f->problem_areas, in->problem_buf, in->problems,
			    &in->n_problems, errbuf, errlen)) != NODE_OK ||
	    (s = parse_list("themes", NODE_VOCAB_THEME, f->themes,
			    in->theme_buf, in->themes, &in->n_themes, errbuf,
			    errlen)) != NODE_OK)
		return s;
	if (!create && f->registered_by != NULL && f->registered_by[0] == '\0')
		return invalid(errbuf, errlen, "registered_by cannot be cleared");
	if (!create && f->question_type != NULL && f->question_type[0] == '\0')
		return invalid(errbuf, errlen, "question_type cannot be cleared");
	return NODE_OK;
}

/* ---- statement helpers ----------------------------------------------- */

static enum node_status
sql_fail(sqlite3 *db, int rc, char *errbuf, size_t errlen)
{
	enum node_status s = node_db_status(rc);

	snprintf(errbuf, errlen, "database: %s", sqlite3_errmsg(db));
	return s == NODE_ERR_INVALID ? NODE_ERR_DB : s;
}

/* Bind a string, or NULL when it is NULL or empty. */
static void
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL || s[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/*
 * Prepare sql, bind the arguments (format: 's' text or NULL, 'S' text
 * with "" for NULL, 'i' int64), step once. Returns NODE_OK on DONE or
 * ROW (the statement is finalized either way).
 */
static enum node_status
exec_bind(sqlite3 *db, char *errbuf, size_t errlen, const char *sql,
	  const char *fmt, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc, i = 1;

	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, errbuf, errlen);
	va_start(ap, fmt);
	for (const char *f = fmt; *f != '\0'; f++, i++) {
		if (*f == 'i') {
			sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
		} else {
			const char *s = va_arg(ap, const char *);
			if (*f == 'S')
				sqlite3_bind_text(st, i, s != NULL ? s : "", -1,
						  SQLITE_TRANSIENT);
			else
				bind_opt(st, i, s);
		}
	}
	va_end(ap);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		enum node_status s = sql_fail(db, rc, errbuf, errlen);
		sqlite3_finalize(st);
		return s;
	}
	sqlite3_finalize(st);
	return NODE_OK;
}

/* The phase of casus id; NODE_ERR_NOT_FOUND with a sentence if none. */
static enum node_status
casus_phase(sqlite3 *db, int64_t id, enum node_phase *ret, char *errbuf,
	    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;
	enum node_status s = NODE_OK;

	rc = sqlite3_prepare_v2(db, "SELECT phase FROM casus WHERE id = ?", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, errbuf, errlen);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (node_lifecycle_phase_parse(
			    (const char *)sqlite3_column_text(st, 0), ret) != 0) {
			snprintf(errbuf, errlen, "casus %lld has an unknown phase",
				 (long long)id);
			s = NODE_ERR_DB;
		}
	} else if (rc == SQLITE_DONE) {
		snprintf(errbuf, errlen, "casus %lld does not exist",
			 (long long)id);
		s = NODE_ERR_NOT_FOUND;
	} else {
		s = sql_fail(db, rc, errbuf, errlen);
	}
	sqlite3_finalize(st);
	return s;
}

/*
 * Run sql with one int64 parameter and collect every row into a JSON array
 * of objects keyed by column name (NULL, integers and text kept as such).
 */
static enum node_status
query_array(sqlite3 *db, const char *sql, int64_t param, json_t **ret,
	    char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	json_t *arr = json_array();
	int rc;

	if (arr == NULL)
		return NODE_ERR_NOMEM;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		json_decref(arr);
		return sql_fail(db, rc, errbuf, errlen);
	}
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_int64(st, 1, param);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_object();
		int cols = sqlite3_column_count(st);

		if (o == NULL || json_array_append_new(arr, o) != 0)
			goto nomem;
		for (int c = 0; c < cols; c++) {
			json_t *v;
			switch (sqlite3_column_type(st, c)) {
			case SQLITE_NULL:
				v = json_null();
				break;
			case SQLITE_INTEGER:
				v = json_integer(sqlite3_column_int64(st, c));
				break;
			default:
				v = json_stringn(
					(const char *)sqlite3_column_text(st, c),
					(size_t)sqlite3_column_bytes(st, c));
				break;
			}
			if (v == NULL ||
			    json_object_set_new(o, sqlite3_column_name(st, c),
						v) != 0)
				goto nomem;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(arr);
		snprintf(errbuf, errlen, "database: %s", sqlite3_errmsg(db));
		return node_db_status(rc) == NODE_ERR_BUSY ? NODE_ERR_BUSY
							   : NODE_ERR_DB;
	}
	*ret = arr;
	return NODE_OK;
nomem:
	sqlite3_finalize(st);
	json_decref(arr);
	snprintf(errbuf, errlen, "out of memory");
	return NODE_ERR_NOMEM;
}

/* A JSON array of the strings in column 0 of sql's rows. */
static enum node_status
query_strings(sqlite3 *db, const char *sql, int64_t param, json_t **ret,
	      char *errbuf, size_t errlen)
{
	json_t *rows = NULL, *out, *row;
	enum node_status s = query_array(db, sql, param, &rows, errbuf, errlen);
	size_t i;

	if (s != NODE_OK)
		return s;
	out = json_array();
	if (out == NULL) {
		json_decref(rows);
		return NODE_ERR_NOMEM;
	}
	json_array_foreach(rows, i, row)
	{
		const char *key;
		json_t *v;
		json_object_foreach(row, key, v)
		{
			json_array_append(out, v);
		}
	}
	json_decref(rows);
	*ret = out;
	return NODE_OK;
}

/* ---- casus ----------------------------------------------------------- */

static enum node_status
write_lists(sqlite3 *db, int64_t id, const struct casus_input *in,
	    char *errbuf, size_t errlen)
{
	enum node_status s;

	if (in->f->problem_areas != NULL) {
		s = exec_bind(db, errbuf, errlen,
			      "DELETE FROM casus_problem WHERE casus_id = ?",
			      "i", id);
		for (size_t i = 0; s == NODE_OK && i < in->n_problems; i++)
			s = exec_bind(db, errbuf, errlen,
				      "INSERT INTO casus_problem VALUES (?, ?)",
				      "is", id, in->problems[i]);
		if (s != NODE_OK)
			return s;
	}
	if (in->f->themes != NULL) {
		s = exec_bind(db, errbuf, errlen,
			      "DELETE FROM casus_theme WHERE casus_id = ?", "i",
			      id);
		for (size_t i = 0; s == NODE_OK && i < in->n_themes; i++)
			s = exec_bind(db, errbuf, errlen,
				      "INSERT INTO casus_theme VALUES (?, ?)",
				      "is", id, in->themes[i]);
		if (s != NODE_OK)
			return s;
	}
	return NODE_OK;
}

struct casus_new_arg {
	const char *user;
	struct casus_input in;
	int64_t consult_id; /* > 0: link this consultation */
	int64_t id;
};

static enum node_status
casus_new_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct casus_new_arg *a = varg;
	const struct node_casus_fields *f = a->in.f;
	enum node_status s;
	char detail[64];

	s = exec_bind(db, errbuf, errlen,
		      "INSERT INTO casus(created_at, created_by, registered_by,"
		      " question_type, regisseur_org, regisseur_role,"
		      " registered_on, phase, phase_since, tafel, summary, outcome)"
		      " VALUES (" NOW_SQL ", ?1, ?2, ?3, ?4, ?5,"
		      " coalesce(?6, date('now')), 'aanmelding', " NOW_SQL
		      ", ?7, ?8, ?9)",
		      "SSSSSssSs", a->user, f->registered_by, f->question_type,
		      f->regisseur_org, f->regisseur_role, f->registered_on,
		      f->table, f->summary, f->outcome);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	s = write_lists(db, a->id, &a->in, errbuf, errlen);
	if (s == NODE_OK)
		s = exec_bind(db, errbuf, errlen,
			      "INSERT INTO casus_transition(casus_id, at, user,"
			      " from_phase, to_phase, note) VALUES (?, " NOW_SQL
			      ", ?, NULL, 'aanmelding', '')",
			      "iS", a->id, a->user);
	if (s == NODE_OK && a->consult_id > 0)
		s = exec_bind(db, errbuf, errlen,
			      "UPDATE consultatie SET casus_id = ?1 WHERE id = ?2",
			      "ii", a->id, a->consult_id);
	if (s != NODE_OK)
		return s;
	if (a->consult_id > 0)
		snprintf(detail, sizeof(detail), "from consultatie %lld",
			 (long long)a->consult_id);
	else
		detail[0] = '\0';
	return node_audit_append(db, a->user, "casus.new", a->id, detail,
				 errbuf, errlen);
}

enum node_status
node_register_casus_new(sqlite3 *db, const char *user,
			const struct node_casus_fields *f, int64_t *ret_id,
			char *errbuf, size_t errlen)
{
	struct casus_new_arg a;
	enum node_status s;

	memset(&a, 0, sizeof(a));
	a.user = user;
	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_casus_fields(f, 1, &a.in, errbuf, errlen)) != NODE_OK)
		return s;
	s = node_db_transaction(db, casus_new_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

struct casus_edit_arg {
	const char *user;
	int64_t id;
	struct casus_input in;
};

static enum node_status
casus_edit_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct casus_edit_arg *a = varg;
	const struct node_casus_fields *f = a->in.f;
	static const struct {
		size_t off;
		const char *column;
		int nullable;
	} cols[] = {
		{offsetof(struct node_casus_fields, registered_by),
		 "registered_by", 0},
		{offsetof(struct node_casus_fields, question_type),
		 "question_type", 0},
		{offsetof(struct node_casus_fields, regisseur_org),
		 "regisseur_org", 0},
		{offsetof(struct node_casus_fields, regisseur_role),
		 "regisseur_role", 0},
		{offsetof(struct node_casus_fields, registered_on),
		 "registered_on", 0},
		{offsetof(struct node_casus_fields, table), "tafel", 1},
		{offsetof(struct node_casus_fields, summary), "summary", 0},
		{offsetof(struct node_casus_fields, outcome), "outcome", 1},
	};
	char detail[256] = "fields=", sql[128];
	size_t used = strlen(detail);
	enum node_phase phase;
	enum node_status s;
	int changed = 0;

	s = casus_phase(db, a->id, &phase, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	for (size_t i = 0; i < N(cols); i++) {
		const char *v = *(const char *const *)((const char *)f +
						       cols[i].off);
		if (v == NULL)
			continue;
		if (!cols[i].nullable && cols[i].off ==
		    offsetof(struct node_casus_fields, registered_on) &&
		    v[0] == '\0')
			return invalid(errbuf, errlen,
				       "registered_on cannot be cleared");
		snprintf(sql, sizeof(sql), "UPDATE casus SET %s = ?2 WHERE id = ?1",
			 cols[i].column);
		s = exec_bind(db, errbuf, errlen, sql,
			      cols[i].nullable ? "is" : "iS", a->id, v);
		if (s != NODE_OK)
			return s;
		{
			int k = snprintf(detail + used, sizeof(detail) - used,
					 "%s%s", changed ? "," : "",
					 cols[i].column);
			if (k > 0 && (size_t)k < sizeof(detail) - used)
				used += (size_t)k;
		}
		changed++;
	}
	if (f->problem_areas != NULL || f->themes != NULL) {
		s = write_lists(db, a->id, &a->in, errbuf, errlen);
		if (s != NODE_OK)
			return s;
		if (f->problem_areas != NULL) {
			int k = snprintf(detail + used, sizeof(detail) - used,
					 "%sproblem_areas", changed++ ? "," : "");
			if (k > 0 && (size_t)k < sizeof(detail) - used)
				used += (size_t)k;
		}
		if (f->themes != NULL) {
			int k = snprintf(detail + used, sizeof(detail) - used,
					 "%sthemes", changed++ ? "," : "");
			if (k > 0 && (size_t)k < sizeof(detail) - used)
				used += (size_t)k;
		}
	}
	if (changed == 0)
		return invalid(errbuf, errlen, "nothing to change");
	return node_audit_append(db, a->user, "casus.edit", a->id, detail,
				 errbuf, errlen);
}

enum node_status
node_register_casus_edit(sqlite3 *db, const char *user, int64_t id,
			 const struct node_casus_fields *f, char *errbuf,
			 size_t errlen)
{
	struct casus_edit_arg a;
	enum node_status s;

	memset(&a, 0, sizeof(a));
	a.user = user;
	a.id = id;
	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_casus_fields(f, 0, &a.in, errbuf, errlen)) != NODE_OK)
		return s;
	return node_db_transaction(db, casus_edit_fn, &a, errbuf, errlen);
}

struct phase_arg {
	const char *user, *note;
	int64_t id;
	enum node_phase to;
};

static enum node_status
phase_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct phase_arg *a = varg;
	enum node_phase from;
	enum node_status s;
	char detail[64];

	s = casus_phase(db, a->id, &from, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	if (node_lifecycle_check(from, a->to, errbuf, errlen) != 0)
		return NODE_ERR_TRANSITION;
	s = exec_bind(db, errbuf, errlen,
		      "UPDATE casus SET phase = ?2, phase_since = " NOW_SQL ","
		      " closed_on = CASE WHEN ?3 THEN date('now') ELSE closed_on END"
		      " WHERE id = ?1",
		      "isi", a->id, node_lifecycle_phase_name(a->to),
		      (int64_t)node_lifecycle_is_final(a->to));
	if (s == NODE_OK)
		s = exec_bind(db, errbuf, errlen,
			      "INSERT INTO casus_transition(casus_id, at, user,"
			      " from_phase, to_phase, note) VALUES (?, " NOW_SQL
			      ", ?, ?, ?, ?)",
			      "iSSSS", a->id, a->user,
			      node_lifecycle_phase_name(from),
			      node_lifecycle_phase_name(a->to), a->note);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "%s->%s",
		 node_lifecycle_phase_name(from),
		 node_lifecycle_phase_name(a->to));
	return node_audit_append(db, a->user, "casus.phase", a->id, detail,
				 errbuf, errlen);
}

enum node_status
node_register_casus_phase(sqlite3 *db, const char *user, int64_t id,
			  const char *to, const char *note, char *errbuf,
			  size_t errlen)
{
	struct phase_arg a = {user, note, id, NODE_PHASE_AANMELDING};
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("note", note, NODE_REGISTER_TEXT_MAX, 0, 1, errbuf,
			    errlen)) != NODE_OK)
		return s;
	if (node_lifecycle_phase_parse(to, &a.to) != 0)
		return invalid(errbuf, errlen,
			       "phase: '%.40s' is not one of: aanmelding, triage,"
			       " overleg, monitoren, afgesloten, geannuleerd,"
			       " doorverwezen",
			       to != NULL ? to : "");
	return node_db_transaction(db, phase_fn, &a, errbuf, errlen);
}

enum node_status
node_register_casus_get_phase(sqlite3 *db, int64_t id,
			      enum node_phase *ret_phase)
{
	char err[128];

	return casus_phase(db, id, ret_phase, err, sizeof(err));
}

/* ---- persons, advice, agreements, follow-ups ------------------------- */

struct add_arg {
	const char *user;
	int64_t casus_id;
	const char *action;
	const char *sql;
	const char *fmt;
	const char *v[8];
	int64_t id;
};

/* Insert one row belonging to a casus; v[] are bound after casus_id. */
static enum node_status
add_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct add_arg *a = varg;
	enum node_phase phase;
	enum node_status s;
	char detail[48];

	s = casus_phase(db, a->casus_id, &phase, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	s = exec_bind(db, errbuf, errlen, a->sql, a->fmt, a->casus_id, a->user,
		      a->v[0], a->v[1], a->v[2], a->v[3], a->v[4], a->v[5],
		      a->v[6]);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "id=%lld", (long long)a->id);
	return node_audit_append(db, a->user, a->action, a->casus_id, detail,
				 errbuf, errlen);
}

static enum node_status
run_add(sqlite3 *db, struct add_arg *a, int64_t *ret_id, char *errbuf,
	size_t errlen)
{
	enum node_status s = node_db_transaction(db, add_fn, a, errbuf, errlen);

	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a->id;
	return s;
}

enum node_status
node_register_person_add(sqlite3 *db, const char *user, int64_t casus_id,
			 const struct node_person *p, int64_t *ret_id,
			 char *errbuf, size_t errlen)
{
	struct add_arg a;
	char postcode[8] = "";
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_vocab("role", NODE_VOCAB_PERSON_ROLE,
			     p->role != NULL ? p->role : "", 1, errbuf,
			     errlen)) != NODE_OK ||
	    (s = check_text("name", p->name, NODE_REGISTER_NAME_MAX, 1, 0,
			    errbuf, errlen)) != NODE_OK ||
	    (s = check_date("birth_date", p->birth_date, 0, errbuf, errlen)) !=
		    NODE_OK ||
	    (s = check_text("address", p->address, NODE_REGISTER_NAME_MAX, 0, 0,
			    errbuf, errlen)) != NODE_OK ||
	    (s = check_text("municipality", p->municipality, 100, 0, 0, errbuf,
			    errlen)) != NODE_OK)
		return s;
	if (p->bsn != NULL && p->bsn[0] != '\0' &&
	    !node_register_bsn_valid(p->bsn))
		return invalid(errbuf, errlen,
			       "bsn: not a valid BSN (9 digits passing the elfproef)");
	if (p->postcode != NULL && p->postcode[0] != '\0' &&
	    node_register_postcode_normalise(p->postcode, postcode) != 0)
		return invalid(errbuf, errlen,
			       "postcode: not a Dutch postcode (1234 AB)");
	memset(&a, 0, sizeof(a));
	a.user = user;
	a.casus_id = casus_id;
	a.action = "persoon.add";
	a.sql = "INSERT INTO persoon(casus_id, created_by, created_at, role,"
		" name, bsn, birth_date, address, postcode, municipality)"
		" VALUES (?, ?, " NOW_SQL ", ?, ?, ?, ?, ?, ?, ?)";
	a.fmt = "iSSSsssss";
	a.v[0] = p->role;
	a.v[1] = p->name;
	a.v[2] = p->bsn;
	a.v[3] = p->birth_date;
	a.v[4] = p->address;
	a.v[5] = postcode;
	a.v[6] = p->municipality;
	return run_add(db, &a, ret_id, errbuf, errlen);
}


/* Check the person fields that are given (NULL: not given). */
static enum node_status
check_person_fields(const struct node_person *p, char postcode[8],
		    char *errbuf, size_t errlen)
{
	enum node_status s;

	postcode[0] = '\0';
	if (p->role != NULL &&
	    (s = check_vocab("role", NODE_VOCAB_PERSON_ROLE, p->role, 1, errbuf,
			     errlen)) != NODE_OK)
		return s;
	if (p->name != NULL &&
	    (s = check_text("name", p->name, NODE_REGISTER_NAME_MAX, 1, 0,
			    errbuf, errlen)) != NODE_OK)
		return s;
	if ((s = check_date("birth_date", p->birth_date, 0, errbuf, errlen)) !=
		    NODE_OK ||
	    (s = check_text("address", p->address, NODE_REGISTER_NAME_MAX, 0, 0,
			    errbuf, errlen)) != NODE_OK ||
	    (s = check_text("municipality", p->municipality, 100, 0, 0, errbuf,
			    errlen)) != NODE_OK)
		return s;
	if (p->bsn != NULL && p->bsn[0] != '\0' &&
	    !node_register_bsn_valid(p->bsn))
		return invalid(errbuf, errlen,
			       "bsn: not a valid BSN (9 digits passing the elfproef)");
	if (p->postcode != NULL && p->postcode[0] != '\0' &&
	    node_register_postcode_normalise(p->postcode, postcode) != 0)
		return invalid(errbuf, errlen,
			       "postcode: not a Dutch postcode (1234 AB)");
	return NODE_OK;
}

/*
 * NODE_OK if person_id is a person of casus_id; NODE_ERR_NOT_FOUND with a
 * sentence naming which of the two is missing otherwise.
 */
static enum node_status
person_of_casus(sqlite3 *db, int64_t casus_id, int64_t person_id,
		char *errbuf, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum node_phase phase;
	enum node_status s;
	int rc;

	s = casus_phase(db, casus_id, &phase, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	rc = sqlite3_prepare_v2(db,
				"SELECT 1 FROM persoon WHERE id = ? AND"
				" casus_id = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, errbuf, errlen);
	sqlite3_bind_int64(st, 1, person_id);
	sqlite3_bind_int64(st, 2, casus_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s = NODE_OK;
	} else if (rc == SQLITE_DONE) {
		snprintf(errbuf, errlen, "casus %lld has no person %lld",
			 (long long)casus_id, (long long)person_id);
		s = NODE_ERR_NOT_FOUND;
	} else {
		s = sql_fail(db, rc, errbuf, errlen);
	}
	sqlite3_finalize(st);
	return s;
}

/*
 * Set PRAGMA secure_delete to `value` for this connection and return the
 * previous value, so that the bytes of a corrected or erased person are
 * overwritten with zeros instead of lingering in free space of the file.
 */
static int
secure_delete_swap(sqlite3 *db, int value)
{
	sqlite3_stmt *st = NULL;
	char sql[40];
	int prev = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA secure_delete", -1, &st, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		prev = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	snprintf(sql, sizeof(sql), "PRAGMA secure_delete = %d", value);
	(void)sqlite3_exec(db, sql, NULL, NULL, NULL);
	return prev;
}

/*
 * Run a person correction or erasure with secure_delete on, then (best
 * effort: readers may keep it from completing) checkpoint and truncate the
 * WAL so older copies of the page leave the log as well.
 */
static enum node_status
run_erasing(sqlite3 *db, node_db_tx_fn fn, void *arg, char *errbuf,
	    size_t errlen)
{
	int prev = secure_delete_swap(db, 1);
	enum node_status s = node_db_transaction(db, fn, arg, errbuf, errlen);

	(void)secure_delete_swap(db, prev);
	if (s == NODE_OK)
		(void)sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
				   NULL, NULL);
	return s;
}

struct person_edit_arg {
	const char *user;
	int64_t casus_id, person_id;
	const struct node_person *p;
	const char *postcode; /* normalised, or NULL: unchanged */
};

static enum node_status
person_edit_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct person_edit_arg *a = varg;
	const struct {
		const char *value;
		const char *column;
	} cols[] = {
		{a->p->role, "role"},
		{a->p->name, "name"},
		{a->p->bsn, "bsn"},
		{a->p->birth_date, "birth_date"},
		{a->p->address, "address"},
		{a->postcode, "postcode"},
		{a->p->municipality, "municipality"},
	};
	char detail[160], sql[96];
	size_t used;
	enum node_status s;

	s = person_of_casus(db, a->casus_id, a->person_id, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "id=%lld fields=",
		 (long long)a->person_id);
	used = strlen(detail);
	for (size_t i = 0, changed = 0; i < N(cols); i++) {
		int k;

		if (cols[i].value == NULL)
			continue;
		/* role and name are NOT NULL; the rest store "" as NULL. */
		snprintf(sql, sizeof(sql),
			 "UPDATE persoon SET %s = ?2 WHERE id = ?1",
			 cols[i].column);
		s = exec_bind(db, errbuf, errlen, sql, i < 2 ? "iS" : "is",
			      a->person_id, cols[i].value);
		if (s != NODE_OK)
			return s;
		k = snprintf(detail + used, sizeof(detail) - used, "%s%s",
			     changed++ ? "," : "", cols[i].column);
		if (k > 0 && (size_t)k < sizeof(detail) - used)
			used += (size_t)k;
	}
	return node_audit_append(db, a->user, "persoon.edit", a->casus_id,
				 detail, errbuf, errlen);
}

enum node_status
node_register_person_edit(sqlite3 *db, const char *user, int64_t casus_id,
			  int64_t person_id, const struct node_person *changes,
			  char *errbuf, size_t errlen)
{
	struct person_edit_arg a;
	char postcode[8];
	enum node_status s;
	const struct node_person *p = changes;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK)
		return s;
	if (p == NULL ||
	    (p->role == NULL && p->name == NULL && p->bsn == NULL &&
	     p->birth_date == NULL && p->address == NULL &&
	     p->postcode == NULL && p->municipality == NULL))
		return invalid(errbuf, errlen, "nothing to change");
	if (p->role != NULL && p->role[0] == '\0')
		return invalid(errbuf, errlen, "role cannot be cleared");
	if (p->name != NULL && p->name[0] == '\0')
		return invalid(errbuf, errlen, "name cannot be cleared");
	if ((s = check_person_fields(p, postcode, errbuf, errlen)) != NODE_OK)
		return s;
	memset(&a, 0, sizeof(a));
	a.user = user;
	a.casus_id = casus_id;
	a.person_id = person_id;
	a.p = p;
	a.postcode = p->postcode == NULL ? NULL : postcode;
	return run_erasing(db, person_edit_fn, &a, errbuf, errlen);
}

struct person_remove_arg {
	const char *user;
	int64_t casus_id, person_id;
};

static enum node_status
person_remove_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct person_remove_arg *a = varg;
	char detail[48];
	enum node_status s;

	s = person_of_casus(db, a->casus_id, a->person_id, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	s = exec_bind(db, errbuf, errlen,
		      "DELETE FROM persoon WHERE id = ?1 AND casus_id = ?2",
		      "ii", a->person_id, a->casus_id);
	if (s != NODE_OK)
		return s;
	snprintf(detail, sizeof(detail), "id=%lld", (long long)a->person_id);
	return node_audit_append(db, a->user, "persoon.remove", a->casus_id,
				 detail, errbuf, errlen);
}

enum node_status
node_register_person_remove(sqlite3 *db, const char *user, int64_t casus_id,
			    int64_t person_id, char *errbuf, size_t errlen)
{
	struct person_remove_arg a = {user, casus_id, person_id};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	return run_erasing(db, person_remove_fn, &a, errbuf, errlen);
}
enum node_status
node_register_advice_add(sqlite3 *db, const char *user, int64_t casus_id,
			 const char *text, int64_t *ret_id, char *errbuf,
			 size_t errlen)
{
	struct add_arg a;
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("advice", text, NODE_REGISTER_TEXT_MAX, 1, 1,
			    errbuf, errlen)) != NODE_OK)
		return s;
	memset(&a, 0, sizeof(a));
	a.user = user;
	a.casus_id = casus_id;
	a.action = "advies.add";
	a.sql = "INSERT INTO advies(casus_id, user, at, text)"
		" VALUES (?, ?, " NOW_SQL ", ?)";
	a.fmt = "iSS";
	a.v[0] = text;
	return run_add(db, &a, ret_id, errbuf, errlen);
}

enum node_status
node_register_agreement_add(sqlite3 *db, const char *user, int64_t casus_id,
			    const char *text, const char *who, const char *due,
			    int64_t *ret_id, char *errbuf, size_t errlen)
{
	struct add_arg a;
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("agreement", text, NODE_REGISTER_TEXT_MAX, 1, 1,
			    errbuf, errlen)) != NODE_OK ||
	    (s = check_text("who", who, NODE_REGISTER_NAME_MAX, 0, 0, errbuf,
			    errlen)) != NODE_OK ||
	    (s = check_date("due", due, 0, errbuf, errlen)) != NODE_OK)
		return s;
	memset(&a, 0, sizeof(a));
	a.user = user;
	a.casus_id = casus_id;
	a.action = "afspraak.add";
	a.sql = "INSERT INTO afspraak(casus_id, user, at, text, who, due)"
		" VALUES (?, ?, " NOW_SQL ", ?, ?, ?)";
	a.fmt = "iSSSs";
	a.v[0] = text;
	a.v[1] = who;
	a.v[2] = due;
	return run_add(db, &a, ret_id, errbuf, errlen);
}

enum node_status
node_register_followup_add(sqlite3 *db, const char *user, int64_t casus_id,
			   const char *due, const char *note, int64_t *ret_id,
			   char *errbuf, size_t errlen)
{
	struct add_arg a;
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_date("due", due, 1, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("note", note, NODE_REGISTER_TEXT_MAX, 0, 1, errbuf,
			    errlen)) != NODE_OK)
		return s;
	memset(&a, 0, sizeof(a));
	a.user = user;
	a.casus_id = casus_id;
	a.action = "followup.add";
	a.sql = "INSERT INTO followup(casus_id, created_by, created_at, due, note)"
		" VALUES (?, ?, " NOW_SQL ", ?, ?)";
	a.fmt = "iSSS";
	a.v[0] = due;
	a.v[1] = note;
	return run_add(db, &a, ret_id, errbuf, errlen);
}

struct done_arg {
	const char *user;
	int64_t casus_id, followup_id;
};

static enum node_status
followup_done_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct done_arg *a = varg;
	char detail[48];
	enum node_status s;

	s = exec_bind(db, errbuf, errlen,
		      "UPDATE followup SET done_at = " NOW_SQL ", done_by = ?3"
		      " WHERE id = ?1 AND casus_id = ?2 AND done_at IS NULL",
		      "iiS", a->followup_id, a->casus_id, a->user);
	if (s != NODE_OK)
		return s;
	if (sqlite3_changes(db) != 1) {
		snprintf(errbuf, errlen,
			 "casus %lld has no open follow-up %lld",
			 (long long)a->casus_id, (long long)a->followup_id);
		return NODE_ERR_NOT_FOUND;
	}
	snprintf(detail, sizeof(detail), "id=%lld", (long long)a->followup_id);
	return node_audit_append(db, a->user, "followup.done", a->casus_id,
				 detail, errbuf, errlen);
}

enum node_status
node_register_followup_done(sqlite3 *db, const char *user, int64_t casus_id,
			    int64_t followup_id, char *errbuf, size_t errlen)
{
	struct done_arg a = {user, casus_id, followup_id};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	return node_db_transaction(db, followup_done_fn, &a, errbuf, errlen);
}

/* ---- reads ----------------------------------------------------------- */

struct show_arg {
	const char *user;
	int64_t id;
	const char *today;
	json_t *out;
};

static enum node_status
set_query(sqlite3 *db, json_t *obj, const char *key, const char *sql,
	  int64_t id, int strings, char *errbuf, size_t errlen)
{
	json_t *arr = NULL;
	enum node_status s = strings ? query_strings(db, sql, id, &arr, errbuf,
						     errlen)
				     : query_array(db, sql, id, &arr, errbuf,
						   errlen);

	if (s != NODE_OK)
		return s;
	if (json_object_set_new(obj, key, arr) != 0)
		return NODE_ERR_NOMEM;
	return NODE_OK;
}

static enum node_status
casus_show_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct show_arg *a = varg;
	enum node_phase phase;
	json_t *rows = NULL, *c;
	enum node_status s;

	s = casus_phase(db, a->id, &phase, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	s = query_array(db,
			"SELECT id, created_at, created_by, registered_by,"
			" question_type, regisseur_org, regisseur_role,"
			" registered_on, phase, phase_since, tafel AS 'table',"
			" summary, outcome, closed_on FROM casus WHERE id = ?",
			a->id, &rows, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	c = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (c == NULL)
		return NODE_ERR_NOMEM;
	a->out = c;
	if (json_object_set_new(c, "past_triage",
				json_boolean(node_lifecycle_past_triage(phase))) ||
	    json_object_set_new(c, "may_escalate",
				json_boolean(node_lifecycle_may_escalate(phase))))
		return NODE_ERR_NOMEM;
	if ((s = set_query(db, c, "problem_areas",
			   "SELECT area FROM casus_problem WHERE casus_id = ?"
			   " ORDER BY area",
			   a->id, 1, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "themes",
			   "SELECT theme FROM casus_theme WHERE casus_id = ?"
			   " ORDER BY theme",
			   a->id, 1, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "persons",
			   "SELECT id, role, name, bsn, birth_date, address,"
			   " postcode, municipality FROM persoon"
			   " WHERE casus_id = ? ORDER BY id",
			   a->id, 0, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "transitions",
			   "SELECT at, user, from_phase AS 'from',"
			   " to_phase AS 'to', note FROM casus_transition"
			   " WHERE casus_id = ? ORDER BY id",
			   a->id, 0, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "advice",
			   "SELECT id, at, user, text FROM advies"
			   " WHERE casus_id = ? ORDER BY id",
			   a->id, 0, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "agreements",
			   "SELECT id, at, user, text, who, due FROM afspraak"
			   " WHERE casus_id = ? ORDER BY id",
			   a->id, 0, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "followups",
			   "SELECT id, due, note, done_at, done_by,"
			   " (done_at IS NULL AND due < date('now')) AS overdue"
			   " FROM followup WHERE casus_id = ? ORDER BY due, id",
			   a->id, 0, errbuf, errlen)) != NODE_OK ||
	    (s = set_query(db, c, "consultations",
			   "SELECT id FROM consultatie WHERE casus_id = ?"
			   " ORDER BY id",
			   a->id, 1, errbuf, errlen)) != NODE_OK)
		return s;
	return node_audit_append(db, a->user, "casus.show", a->id, NULL, errbuf,
				 errlen);
}

enum node_status
node_register_casus_show(sqlite3 *db, const char *user, int64_t id,
			 json_t **ret, char *errbuf, size_t errlen)
{
	struct show_arg a = {user, id, NULL, NULL};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, casus_show_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

struct list_arg {
	const char *user;
	const struct node_casus_filter *flt;
	json_t *out;
};

static enum node_status
casus_list_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct list_arg *a = varg;
	const struct node_casus_filter *f = a->flt;
	sqlite3_stmt *st = NULL;
	char detail[128];
	json_t *arr;
	int rc;

	arr = json_array();
	if (arr == NULL)
		return NODE_ERR_NOMEM;
	a->out = arr;
	rc = sqlite3_prepare_v2(
		db,
		"SELECT c.id, c.registered_on, c.phase, c.phase_since,"
		" c.registered_by, c.question_type, c.tafel,"
		" c.regisseur_org,"
		" (SELECT min(due) FROM followup f WHERE f.casus_id = c.id"
		"  AND f.done_at IS NULL),"
		" EXISTS (SELECT 1 FROM followup f WHERE f.casus_id = c.id"
		"  AND f.done_at IS NULL AND f.due < ?4),"
		/* The evaluation form for a coming overleg (node_overleg). */
		" (SELECT min(g.evaluation_due) FROM overleg_agenda g JOIN overleg"
		"  o ON o.id = g.overleg_id WHERE g.casus_id = c.id AND"
		"  g.evaluation_received IS NULL AND o.date >= ?4),"
		" EXISTS (SELECT 1 FROM overleg_agenda g JOIN overleg o"
		"  ON o.id = g.overleg_id WHERE g.casus_id = c.id AND"
		"  g.evaluation_received IS NULL AND g.evaluation_due < ?4"
		"  AND o.date >= ?4),"
		" EXISTS (SELECT 1 FROM casus_informed i WHERE i.casus_id = c.id)"
		" FROM casus c WHERE (?1 IS NULL OR c.phase = ?1)"
		" AND (?2 IS NULL OR c.tafel = ?2)"
		" AND (?3 = 0 OR EXISTS (SELECT 1 FROM followup f"
		"  WHERE f.casus_id = c.id AND f.done_at IS NULL AND f.due < ?4)"
		"  OR EXISTS (SELECT 1 FROM overleg_agenda g JOIN overleg o"
		"  ON o.id = g.overleg_id WHERE g.casus_id = c.id AND"
		"  g.evaluation_received IS NULL AND g.evaluation_due < ?4"
		"  AND o.date >= ?4))"
		" ORDER BY c.id",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, errbuf, errlen);
	bind_opt(st, 1, f->phase);
	bind_opt(st, 2, f->table);
	sqlite3_bind_int(st, 3, f->overdue ? 1 : 0);
	sqlite3_bind_text(st, 4, f->today, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum node_phase ph = NODE_PHASE_AANMELDING;
		json_t *o;

		if (node_lifecycle_phase_parse(
			    (const char *)sqlite3_column_text(st, 2), &ph) != 0)
			ph = NODE_PHASE_AANMELDING;
		o = json_pack(
			"{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:b}",
			"id", (json_int_t)sqlite3_column_int64(st, 0),
			"registered_on", (const char *)sqlite3_column_text(st, 1),
			"phase", (const char *)sqlite3_column_text(st, 2),
			"phase_since", (const char *)sqlite3_column_text(st, 3),
			"registered_by", (const char *)sqlite3_column_text(st, 4),
			"question_type", (const char *)sqlite3_column_text(st, 5),
			"table",
			sqlite3_column_type(st, 6) == SQLITE_NULL
				? json_null()
				: json_string((const char *)sqlite3_column_text(st, 6)),
			"regisseur_org", (const char *)sqlite3_column_text(st, 7),
			"next_followup",
			sqlite3_column_type(st, 8) == SQLITE_NULL
				? json_null()
				: json_string((const char *)sqlite3_column_text(st, 8)),
			"overdue", sqlite3_column_int(st, 9) != 0,
			"may_escalate", node_lifecycle_may_escalate(ph));
		if (o != NULL &&
		    (json_object_set_new(
			     o, "evaluation_due",
			     sqlite3_column_type(st, 10) == SQLITE_NULL
				     ? json_null()
				     : json_string((const char *)
							   sqlite3_column_text(st, 10))) ||
		     json_object_set_new(o, "evaluation_overdue",
					 json_boolean(sqlite3_column_int(st, 11))) ||
		     json_object_set_new(o, "informed",
					 json_boolean(sqlite3_column_int(st, 12))))) {
			json_decref(o);
			o = NULL;
		}
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			sqlite3_finalize(st);
			return NODE_ERR_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sql_fail(db, rc, errbuf, errlen);
	snprintf(detail, sizeof(detail), "count=%zu phase=%s table=%s overdue=%d",
		 json_array_size(arr), f->phase != NULL ? f->phase : "*",
		 f->table != NULL ? f->table : "*", f->overdue ? 1 : 0);
	return node_audit_append(db, a->user, "casus.list", 0, detail, errbuf,
				 errlen);
}

enum node_status
node_register_casus_list(sqlite3 *db, const char *user,
			 const struct node_casus_filter *flt, json_t **ret,
			 char *errbuf, size_t errlen)
{
	struct node_casus_filter f = {0};
	struct list_arg a = {user, &f, NULL};
	char today[16];
	enum node_status s = check_user(user, errbuf, errlen);
	enum node_phase ph;

	if (s != NODE_OK)
		return s;
	if (flt != NULL)
		f = *flt;
	if (f.phase != NULL && f.phase[0] != '\0' &&
	    node_lifecycle_phase_parse(f.phase, &ph) != 0)
		return invalid(errbuf, errlen,
			       "phase: '%.40s' is not a phase", f.phase);
	if ((s = check_vocab("table", NODE_VOCAB_TABLE, f.table, 0, errbuf,
			     errlen)) != NODE_OK ||
	    (s = check_date("today", f.today, 0, errbuf, errlen)) != NODE_OK)
		return s;
	if (f.phase != NULL && f.phase[0] == '\0')
		f.phase = NULL;
	if (f.table != NULL && f.table[0] == '\0')
		f.table = NULL;
	if (f.today == NULL || f.today[0] == '\0') {
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(db, "SELECT date('now')", -1, &st,
					    NULL);
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return sql_fail(db, rc, errbuf, errlen);
		}
		snprintf(today, sizeof(today), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		f.today = today;
	}
	s = node_db_transaction(db, casus_list_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

/* ---- consultations --------------------------------------------------- */

struct consult_arg {
	const char *user;
	const struct node_consult *c;
	int64_t id;
	json_t *out;
};

static enum node_status
consult_new_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct consult_arg *a = varg;
	char detail[48];
	enum node_status s;

	s = exec_bind(db, errbuf, errlen,
		      "INSERT INTO consultatie(created_at, created_by, date,"
		      " from_role, question, answer) VALUES (" NOW_SQL ", ?1,"
		      " coalesce(?2, date('now')), ?3, ?4, ?5)",
		      "SsSSS", a->user, a->c->date, a->c->from_role,
		      a->c->question, a->c->answer);
	if (s != NODE_OK)
		return s;
	a->id = sqlite3_last_insert_rowid(db);
	snprintf(detail, sizeof(detail), "consultatie=%lld", (long long)a->id);
	return node_audit_append(db, a->user, "consultatie.new", 0, detail,
				 errbuf, errlen);
}

enum node_status
node_register_consult_new(sqlite3 *db, const char *user,
			  const struct node_consult *c, int64_t *ret_id,
			  char *errbuf, size_t errlen)
{
	struct consult_arg a = {user, c, 0, NULL};
	enum node_status s;

	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_date("date", c->date, 0, errbuf, errlen)) != NODE_OK ||
	    (s = check_vocab("from_role", NODE_VOCAB_REGISTERED_BY,
			     c->from_role != NULL ? c->from_role : "", 1,
			     errbuf, errlen)) != NODE_OK ||
	    (s = check_text("question", c->question, NODE_REGISTER_TEXT_MAX, 1,
			    1, errbuf, errlen)) != NODE_OK ||
	    (s = check_text("answer", c->answer, NODE_REGISTER_TEXT_MAX, 0, 1,
			    errbuf, errlen)) != NODE_OK)
		return s;
	s = node_db_transaction(db, consult_new_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_id != NULL)
		*ret_id = a.id;
	return s;
}

static enum node_status
consult_read_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct consult_arg *a = varg;
	char detail[48];
	enum node_status s;
	json_t *rows = NULL;

	s = query_array(db,
			"SELECT id, created_at, created_by, date, from_role,"
			" question, answer, casus_id, outcome FROM consultatie"
			" WHERE ?1 = 0 OR id = ?1 ORDER BY id",
			a->id, &rows, errbuf, errlen);
	if (s != NODE_OK)
		return s;
	if (a->id > 0) {
		a->out = json_incref(json_array_get(rows, 0));
		json_decref(rows);
		if (a->out == NULL) {
			snprintf(errbuf, errlen, "consultatie %lld does not exist",
				 (long long)a->id);
			return NODE_ERR_NOT_FOUND;
		}
		snprintf(detail, sizeof(detail), "consultatie=%lld",
			 (long long)a->id);
		return node_audit_append(
			db, a->user, "consultatie.show",
			json_integer_value(json_object_get(a->out, "casus_id")),
			detail, errbuf, errlen);
	}
	a->out = rows;
	snprintf(detail, sizeof(detail), "count=%zu", json_array_size(rows));
	return node_audit_append(db, a->user, "consultatie.list", 0, detail,
				 errbuf, errlen);
}

static enum node_status
consult_read(sqlite3 *db, const char *user, int64_t id, json_t **ret,
	     char *errbuf, size_t errlen)
{
	struct consult_arg a = {user, NULL, id, NULL};
	enum node_status s = check_user(user, errbuf, errlen);

	if (s != NODE_OK)
		return s;
	s = node_db_transaction(db, consult_read_fn, &a, errbuf, errlen);
	if (s != NODE_OK) {
		json_decref(a.out);
		return s;
	}
	*ret = a.out;
	return NODE_OK;
}

enum node_status
node_register_consult_show(sqlite3 *db, const char *user, int64_t id,
			   json_t **ret, char *errbuf, size_t errlen)
{
	if (id <= 0)
		return invalid(errbuf, errlen, "consultatie id must be positive");
	return consult_read(db, user, id, ret, errbuf, errlen);
}

enum node_status
node_register_consult_list(sqlite3 *db, const char *user, json_t **ret,
			   char *errbuf, size_t errlen)
{
	return consult_read(db, user, 0, ret, errbuf, errlen);
}

struct to_casus_arg {
	struct casus_new_arg c;
	char from_role[32];
};

static enum node_status
to_casus_fn(sqlite3 *db, void *varg, char *errbuf, size_t errlen)
{
	struct to_casus_arg *a = varg;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db,
				"SELECT casus_id, from_role FROM consultatie WHERE id = ?",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return sql_fail(db, rc, errbuf, errlen);
	sqlite3_bind_int64(st, 1, a->c.consult_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return sql_fail(db, rc, errbuf, errlen);
		snprintf(errbuf, errlen, "consultatie %lld does not exist",
			 (long long)a->c.consult_id);
		return NODE_ERR_NOT_FOUND;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(errbuf, errlen,
			 "consultatie %lld already led to casus %lld",
			 (long long)a->c.consult_id,
			 (long long)sqlite3_column_int64(st, 0));
		sqlite3_finalize(st);
		return NODE_ERR_INVALID;
	}
	snprintf(a->from_role, sizeof(a->from_role), "%s",
		 (const char *)sqlite3_column_text(st, 1));
	sqlite3_finalize(st);
	return casus_new_fn(db, &a->c, errbuf, errlen);
}

enum node_status
node_register_consult_to_casus(sqlite3 *db, const char *user,
			       int64_t consult_id,
			       const struct node_casus_fields *f,
			       int64_t *ret_casus_id, char *errbuf,
			       size_t errlen)
{
	struct to_casus_arg a;
	struct node_casus_fields fields = *f;
	enum node_status s;

	memset(&a, 0, sizeof(a));
	a.c.user = user;
	a.c.consult_id = consult_id;
	/* registered_by defaults to the consultation's from_role, which is
	 * only known inside the transaction: check the rest first. */
	if (fields.registered_by == NULL)
		fields.registered_by = "other";
	if ((s = check_user(user, errbuf, errlen)) != NODE_OK ||
	    (s = check_casus_fields(&fields, 1, &a.c.in, errbuf, errlen)) !=
		    NODE_OK)
		return s;
	if (f->registered_by == NULL)
		fields.registered_by = a.from_role;
	s = node_db_transaction(db, to_casus_fn, &a, errbuf, errlen);
	if (s == NODE_OK && ret_casus_id != NULL)
		*ret_casus_id = a.c.id;
	return s;
}
