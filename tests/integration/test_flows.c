/*
 * test_flows: the whole federation of issue 7 with the real programs on
 * 127.0.0.1 (ports and keys made at run time), played through the ret CLI
 * and then checked in every database:
 *
 * - two relays linked to each other (relay:bel, relay:ben-noord-holland),
 *   four regions (noord-, midden- and zuid-limburg in bel; westfriesland
 *   in ben-noord-holland) and two desks (desk:bel-roermond,
 *   desk:ben-nh-amsterdam), each node a ret-node daemon;
 * - a casus with a person in it in every region, moved past triage;
 * - an escalation of Noord-Limburg: the BEL desk asks for more
 *   information, the region answers on the same thread, the desk grants
 *   it; both decisions arrive at the right casus; an escalation of
 *   Midden-Limburg is declined with a reason;
 * - relay:bel is killed (SIGKILL) and started again on the same database
 *   while Zuid-Limburg asks for a procesversneller and Westfriesland sends
 *   its learning summary; the request is granted with an assignment
 *   afterwards;
 * - learning summaries of all four regions reach every other region and
 *   both desks, across the BEN boundary;
 * - a peer review request of Westfriesland to Midden-Limburg and the
 *   review back;
 * - afterwards, with every process stopped: each inbox holds exactly the
 *   expected messages once, every inbox and relay envelope verifies
 *   against its author's key (read from the key files) and is byte for
 *   byte what the author queued, each author holds a receipt from exactly
 *   the parties that hold its message, each relay numbers its own BEN's
 *   authors 1..N, every outbox is acked, decisions sit on the right
 *   casus, no name, BSN, address or postcode of a region is in any other
 *   database or in any log, and every node's audit chain verifies (ret
 *   audit verify).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "envelope.h"
#include "harness.h"
#include "keyfile.h"

#define BEL "bel"
#define BNH "ben-noord-holland"
#define WAIT_MS 30000 /* every wait, times harness_slowness() */
#define CLI_MS 30000
#define START_MS 15000

enum { NL, ML, ZL, WF, DB, DN, NNODES };
enum { K_ESC = 1, K_PV, K_DEC, K_LS, K_PRR, K_PR, NKINDS };

static const struct {
	const char *party, *slug, *ben;
} defs[NNODES] = {
	[NL] = {"region:noord-limburg", "noord-limburg", BEL},
	[ML] = {"region:midden-limburg", "midden-limburg", BEL},
	[ZL] = {"region:zuid-limburg", "zuid-limburg", BEL},
	[WF] = {"region:westfriesland", "westfriesland", BNH},
	[DB] = {"desk:bel-roermond", "bel-roermond", BEL},
	[DN] = {"desk:ben-nh-amsterdam", "ben-nh-amsterdam", BNH},
};

/* The jeugdige of each region's casus: none of it may leave the region. */
static const struct {
	const char *name, *first, *surname, *bsn, *birth, *address,
		*postcode, *postcode_spaced, *city;
} people[4] = {
	[NL] = {"Femke Hoogendijk", "Femke", "Hoogendijk", "111222333",
		"2010-05-14", "Kasteelstraat 17", "5911AB", "5911 AB",
		"Venlo"},
	[ML] = {"Daan Verheijen", "Daan", "Verheijen", "123456782",
		"2009-11-02", "Lindelaan 44", "6042KL", "6042 KL", "Roermond"},
	[ZL] = {"Noor Claessens", "Noor", "Claessens", "315426871",
		"2012-02-29", "Bosweg 3", "6411CD", "6411 CD", "Heerlen"},
	[WF] = {"Jesse Bakkum", "Jesse", "Bakkum", "314159265",
		"2008-07-21", "Dijkweg 88", "1621EF", "1621 EF", "Hoorn"},
};

struct node {
	struct keyfile key;
	char secret[HARNESS_PATH_MAX];
	char conf[HARNESS_PATH_MAX];
	char db[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	struct harness_proc proc;
};

struct fixture {
	char *dir;
	char dir_bel[HARNESS_PATH_MAX], dir_nh[HARNESS_PATH_MAX];
	char out[HARNESS_PATH_MAX], err[HARNESS_PATH_MAX];
	struct harness_relay bel, nh;
	struct node n[NNODES];
	long long casus[4];
};

static struct harness_relay *
relay_of(struct fixture *f, const char *ben)
{
	return strcmp(ben, BEL) == 0 ? &f->bel : &f->nh;
}

static int
is_region(int i)
{
	return i < DB;
}

/* The node whose party id is `party`, or -1. */
static int
node_of(const char *party)
{
	for (int i = 0; i < NNODES; i++)
		if (strcmp(defs[i].party, party) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------------- */
/* Setup: keys, relay and node configurations */

static int
write_node_conf(struct fixture *f, int i)
{
	const char *ben = defs[i].ben;
	struct harness_relay *r = relay_of(f, ben);
	char text[16384], path[HARNESS_PATH_MAX], name[96];
	int n;

	n = snprintf(text, sizeof(text),
		     "[node]\nparty = %s\nben = %s\ndatabase = %s\n"
		     "key_file = %s\nlog_level = info\n%s\n"
		     "[relay]\nendpoint = %s\nparty = %s\ntransport_key = %s\n\n",
		     defs[i].party, ben, f->n[i].db, f->n[i].secret,
		     is_region(i) ? "suppression_threshold = 3\n" : "",
		     r->endpoint, r->key.party, r->key.transport_pk);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    harness_append_party(text, sizeof(text), &r->key, 0, ben, NULL) !=
		    0)
		return -1;
	/* Its own BEN's desk and every other region. */
	for (int j = 0; j < NNODES; j++) {
		if (j == i || (!is_region(j) && strcmp(defs[j].ben, ben) != 0))
			continue;
		if (harness_append_party(text, sizeof(text), &f->n[j].key, 0,
					 defs[j].ben, NULL) != 0)
			return -1;
	}
	snprintf(name, sizeof(name), "%s.conf", defs[i].slug);
	if (harness_write_file(f->dir, name, text, path, sizeof(path)) != 0)
		return -1;
	return snprintf(f->n[i].conf, sizeof(f->n[i].conf), "%s", path) > 0
		       ? 0
		       : -1;
}

static int
mkdir_in(const char *dir, const char *name, char *path, size_t cap)
{
	if (snprintf(path, cap, "%s/%s", dir, name) >= (int)cap)
		return -1;
	return mkdir(path, 0700);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char pa[16384] = "", pb[16384] = "";

	if (f == NULL || (f->dir = harness_tmpdir("flows")) == NULL)
		return -1;
	*state = f;
	if (mkdir_in(f->dir, "relay-bel", f->dir_bel, sizeof(f->dir_bel)) ||
	    mkdir_in(f->dir, "relay-nh", f->dir_nh, sizeof(f->dir_nh)))
		return -1;
	snprintf(f->out, sizeof(f->out), "%s/cli.out", f->dir);
	snprintf(f->err, sizeof(f->err), "%s/cli.err", f->dir);
	for (int i = 0; i < NNODES; i++) {
		struct node *n = &f->n[i];

		if (harness_party_keys(f->dir, defs[i].party, &n->key,
				       n->secret, sizeof(n->secret)) != 0)
			return -1;
		snprintf(n->db, sizeof(n->db), "%s/%s.db", f->dir,
			 defs[i].slug);
		snprintf(n->log, sizeof(n->log), "%s/%s.log", f->dir,
			 defs[i].slug);
	}
	/* relay:bel first (its key and port), then relay:ben-noord-holland
	 * knowing it, then relay:bel again knowing the other. A region of
	 * the other BEN is listed without a transport key: verified, never
	 * connects. */
	for (int i = 0; i < NNODES; i++) {
		int own = strcmp(defs[i].ben, BEL) == 0;

		if ((own || is_region(i)) &&
		    harness_append_party(pa, sizeof(pa), &f->n[i].key, own,
					 defs[i].ben, NULL) != 0)
			return -1;
		if ((!own || is_region(i)) &&
		    harness_append_party(pb, sizeof(pb), &f->n[i].key, !own,
					 defs[i].ben, NULL) != 0)
			return -1;
	}
	if (harness_relay_init(&f->bel, f->dir_bel, "relay:bel", BEL, pa) ||
	    harness_append_party(pb, sizeof(pb), &f->bel.key, 1, BEL,
				 f->bel.endpoint) ||
	    harness_relay_init(&f->nh, f->dir_nh, "relay:ben-noord-holland",
			       BNH, pb) ||
	    harness_append_party(pa, sizeof(pa), &f->nh.key, 1, BNH,
				 f->nh.endpoint) ||
	    harness_relay_rewrite(&f->bel, BEL, pa))
		return -1;
	for (int i = 0; i < NNODES; i++)
		if (write_node_conf(f, i) != 0)
			return -1;
	/* Many CLI runs next to six daemons on two cores. */
	setenv("RET_BUSY_TIMEOUT_MS", "10000", 1);
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f == NULL)
		return 0;
	for (int i = 0; i < NNODES; i++) {
		if (f->n[i].proc.pid > 0)
			harness_stop(&f->n[i].proc, 5000);
		keyfile_wipe(&f->n[i].key);
	}
	if (f->bel.proc.pid > 0)
		harness_stop(&f->bel.proc, 5000);
	if (f->nh.proc.pid > 0)
		harness_stop(&f->nh.proc, 5000);
	keyfile_wipe(&f->bel.key);
	keyfile_wipe(&f->nh.key);
	if (f->dir != NULL) {
		if (getenv("RET_KEEP_TMP") == NULL)
			harness_rmtree(f->dir);
		else
			fprintf(stderr, "kept %s\n", f->dir);
	}
	free(f->dir);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The ret CLI */

/* `ret --config <node i> --user tester-<slug> ARGS...`; the exit code. */
static int
run_cli(struct fixture *f, int i, const char *const *args)
{
	const char *bin = getenv("RET_CLI_BIN");
	const char *argv[40];
	char user[80];
	size_t n = 0;

	assert_non_null(bin);
	snprintf(user, sizeof(user), "tester-%s", defs[i].slug);
	argv[n++] = bin;
	argv[n++] = "--config";
	argv[n++] = f->n[i].conf;
	argv[n++] = "--user";
	argv[n++] = user;
	for (size_t k = 0; args[k] != NULL; k++) {
		assert_true(n < 39);
		argv[n++] = args[k];
	}
	argv[n] = NULL;
	return harness_run(argv, f->out, f->err, CLI_MS);
}

/* Run, expect exit code 0 and JSON on stdout (caller decrefs). */
static json_t *
cli_ok(struct fixture *f, int i, const char *const *args)
{
	int rc = run_cli(f, i, args);
	json_t *j;

	if (rc != 0)
		fail_msg("ret %s %s as %s exited %d (stderr in %s)", args[0],
			 args[1], defs[i].party, rc, f->err);
	j = json_load_file(f->out, 0, NULL);
	if (j == NULL)
		fail_msg("ret %s %s as %s printed no JSON", args[0], args[1],
			 defs[i].party);
	return j;
}

static void
cli_run_ok(struct fixture *f, int i, const char *const *args)
{
	json_decref(cli_ok(f, i, args));
}

/* Poll `ret ARGS` on node i until pred holds (bounded); the JSON. */
static json_t *
wait_cli(struct fixture *f, int i, const char *const *args,
	 int (*pred)(json_t *j, size_t want), size_t want)
{
	uint64_t end = harness_now_ms() +
		       (uint64_t)WAIT_MS * (uint64_t)harness_slowness();

	while (harness_now_ms() < end) {
		if (run_cli(f, i, args) == 0) {
			json_t *j = json_load_file(f->out, 0, NULL);

			if (j != NULL && pred(j, want))
				return j;
			json_decref(j);
		}
		harness_sleep_ms(100);
	}
	fail_msg("waited %d s in vain for 'ret %s %s %s' on %s",
		 WAIT_MS / 1000 * harness_slowness(), args[1], args[2],
		 args[3] ? args[3] : "", defs[i].party);
	return NULL;
}

static int
array_size_is(json_t *j, size_t want)
{
	return json_array_size(j) == want;
}

static int
decisions_are(json_t *j, size_t want)
{
	return json_array_size(json_object_get(j, "decisions")) == want;
}

static int
messages_are(json_t *j, size_t want)
{
	return json_array_size(json_object_get(j, "messages")) == want;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL)
		fail_msg("no string \"%s\" in the JSON", key);
	return s;
}

/* ---------------------------------------------------------------------- */
/* SQLite, read-only */

static sqlite3 *
db_open(const char *path)
{
	sqlite3 *h = NULL;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 2000);
	return h;
}

/* The first column of the first row of sql (text bound to ?1 when t is
 * not NULL) as an integer, or -1. */
static long long
db_int(const char *path, const char *sql, const char *t)
{
	sqlite3 *h = db_open(path);
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (h != NULL && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    (t == NULL ||
	     sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC) == SQLITE_OK) &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* Poll db_int(path, sql) until it equals want (bounded). */
static void
wait_db(const char *path, const char *sql, long long want, const char *what)
{
	uint64_t end = harness_now_ms() +
		       (uint64_t)WAIT_MS * (uint64_t)harness_slowness();
	long long n = -1;

	while (harness_now_ms() < end) {
		n = db_int(path, sql, NULL);
		if (n == want)
			return;
		harness_sleep_ms(100);
	}
	fail_msg("%s: %lld instead of %lld after %d s", what, n, want,
		 WAIT_MS / 1000 * harness_slowness());
}

/* ---------------------------------------------------------------------- */
/* Processes */

static void
start_node(struct fixture *f, int i)
{
	const char *bin = getenv("RET_NODE_BIN");
	const char *argv[] = {bin, "--config", f->n[i].conf, NULL};

	assert_non_null(bin);
	assert_int_equal(harness_spawn(&f->n[i].proc, argv, f->n[i].log), 0);
	if (harness_wait_log(&f->n[i].proc, "event=started", START_MS) != 0)
		fail_msg("%s did not start (see %s)", defs[i].party,
			 f->n[i].log);
}

static void
wait_connected(struct fixture *f, int i)
{
	if (harness_wait_log(&f->n[i].proc, "event=connected", START_MS) != 0)
		fail_msg("%s did not connect to its relay", defs[i].party);
}

/* ---------------------------------------------------------------------- */
/* The story */

/* Register a casus with its jeugdige in region r and move it past
 * triage into overleg. */
static void
register_casus(struct fixture *f, int r)
{
	char id[24];
	json_t *j;

	j = cli_ok(f, r,
		   (const char *[]){"--json", "casus", "nieuw",
				    "--aangemeld-door", "gemeente", "--vraag",
				    "passend_aanbod", "--probleem",
				    "gedrag,gezin", "--datum", "2026-03-02",
				    NULL});
	f->casus[r] = (long long)json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	assert_true(f->casus[r] > 0);
	snprintf(id, sizeof(id), "%lld", f->casus[r]);
	cli_run_ok(f, r,
		   (const char *[]){"--json", "casus", "persoon-toevoegen", id,
				    "--rol", "jeugdige", "--naam",
				    people[r].name, "--bsn", people[r].bsn,
				    "--geboortedatum", people[r].birth,
				    "--adres", people[r].address, "--postcode",
				    people[r].postcode, "--gemeente",
				    people[r].city, NULL});
	cli_run_ok(f, r,
		   (const char *[]){"--json", "casus", "fase", id, "triage",
				    "--notitie", "aanmelding compleet", NULL});
	cli_run_ok(f, r,
		   (const char *[]){"--json", "casus", "fase", id, "bespreken",
				    NULL});
	j = cli_ok(f, r, (const char *[]){"--json", "casus", "toon", id, NULL});
	assert_string_equal(str(j, "phase"), "overleg");
	json_decref(j);
}

/* Step 2 and 4: escalation, more information, answer, grant. Writes the
 * escalation's message id (hex) into esc. */
static void
escalation_round_trip(struct fixture *f, char esc[33])
{
	char id[24], why[256];
	json_t *j, *d;

	snprintf(id, sizeof(id), "%lld", f->casus[NL]);
	/* The first name in the text: the scrubber must take it out. */
	snprintf(why, sizeof(why),
		 "%s wacht al vier maanden thuis op een passende plek.",
		 people[NL].first);
	j = cli_ok(f, NL,
		   (const char *[]){"--json", "opschaling", id, "--waarom-vast",
				    why, "--geprobeerd",
				    "Drie aanbieders benaderd.", "--steun",
				    "expertise,plaatsing", "--urgentie", "hoog",
				    NULL});
	snprintf(esc, 33, "%s", str(j, "message_id"));
	json_decref(j);
	assert_int_equal(strlen(esc), 32);

	j = wait_cli(f, DB, (const char *[]){"--json", "desk", "lijst", NULL},
		     array_size_is, 1);
	assert_string_equal(str(json_array_get(j, 0), "region"),
			    defs[NL].party);
	assert_string_equal(str(json_array_get(j, 0), "request_id"), esc);
	assert_string_equal(str(json_array_get(j, 0), "status"), "nieuw");
	json_decref(j);

	cli_run_ok(f, DB,
		   (const char *[]){"--json", "desk", "besluit", esc,
				    "--status", "meer-info", "--vraag",
				    "Is een plek buiten Limburg bespreekbaar?",
				    NULL});
	j = wait_cli(f, NL,
		     (const char *[]){"--json", "casus", "toon", id, NULL},
		     decisions_are, 1);
	d = json_array_get(json_object_get(j, "decisions"), 0);
	assert_string_equal(str(d, "status"), "meer-info");
	assert_string_equal(str(d, "thread_id"), esc);
	assert_string_equal(str(d, "from"), defs[DB].party);
	json_decref(j);

	cli_run_ok(f, NL,
		   (const char *[]){"--json", "opschaling", id, "--vervolg-op",
				    esc, "--antwoord",
				    "Ja, tot een uur reizen.", "--waarom-vast",
				    "Nog steeds geen plek.", "--geprobeerd",
				    "Vier aanbieders benaderd.", "--steun",
				    "expertise,plaatsing", "--urgentie", "hoog",
				    NULL});
	j = wait_cli(f, DB,
		     (const char *[]){"--json", "desk", "toon", esc, NULL},
		     messages_are, 2);
	assert_true(json_is_true(json_object_get(j, "answered")));
	assert_string_equal(str(json_array_get(json_object_get(j, "messages"),
					       1),
				"answer"),
			    "Ja, tot een uur reizen.");
	json_decref(j);
	/* Still one thread at the desk. */
	j = cli_ok(f, DB, (const char *[]){"--json", "desk", "lijst", NULL});
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);

	cli_run_ok(f, DB,
		   (const char *[]){"--json", "desk", "besluit", esc,
				    "--status", "toegekend", "--soort",
				    "expertise", "--toegewezen-aan",
				    "Expertisepool BEL", NULL});
	j = wait_cli(f, NL,
		     (const char *[]){"--json", "casus", "toon", id, NULL},
		     decisions_are, 2);
	d = json_array_get(json_object_get(j, "decisions"), 1);
	assert_string_equal(str(d, "status"), "toegekend");
	assert_string_equal(str(d, "assignment_kind"), "expertise");
	assert_string_equal(str(d, "assigned"), "Expertisepool BEL");
	assert_string_equal(str(d, "thread_id"), esc);
	json_decref(j);
}

static void
summary(struct fixture *f, int r, const char *lesson)
{
	cli_run_ok(f, r,
		   (const char *[]){"--json", "leersamenvatting", "maak",
				    "--periode", "2026", "--les", lesson, NULL});
}

/* Step 7 and 3: relay:bel crashes and comes back; the procesversneller
 * request waits meanwhile and is granted afterwards. */
static void
crash_and_procesversneller(struct fixture *f, char pv[33])
{
	char id[24];
	json_t *j, *d;
	int ready;

	harness_kill9(&f->bel.proc);
	snprintf(id, sizeof(id), "%lld", f->casus[ZL]);
	cli_run_ok(f, ZL,
		   (const char *[]){"--json", "procesversneller", id, "--reden",
				    "De indicatie ligt al tien weken stil.",
				    "--weken", "8", "--urgentie", "hoog", NULL});
	assert_true(db_int(f->n[ZL].db,
			   "SELECT count(*) FROM outbox WHERE state='queued'",
			   NULL) >= 1);
	/* Westfriesland's summary reaches relay:ben-noord-holland now and
	 * relay:bel only when it is back. */
	summary(f, WF, "De doorbraaktafel pas na de schakeltafel inzetten.");
	harness_sleep_ms(300);

	ready = harness_file_count(f->bel.log, "ready=1");
	assert_int_equal(harness_relay_start(&f->bel, START_MS), 0);
	assert_int_equal(harness_file_count(f->bel.log, "ready=1"), ready + 1);

	wait_db(f->n[ZL].db, "SELECT count(*) FROM outbox WHERE state<>'acked'",
		0, "zuid-limburg's queued messages after the restart");
	j = wait_cli(f, DB,
		     (const char *[]){"--json", "desk", "lijst", "--regio",
				      "zuid-limburg", NULL},
		     array_size_is, 1);
	assert_string_equal(str(json_array_get(j, 0), "kind"),
			    "procesversneller");
	snprintf(pv, 33, "%s", str(json_array_get(j, 0), "request_id"));
	json_decref(j);
	cli_run_ok(f, DB,
		   (const char *[]){"--json", "desk", "besluit", pv, "--status",
				    "toegekend", "--soort", "procesversneller",
				    "--toegewezen-aan",
				    "Procesversneller BEL, acht weken", NULL});
	j = wait_cli(f, ZL,
		     (const char *[]){"--json", "casus", "toon", id, NULL},
		     decisions_are, 1);
	d = json_array_get(json_object_get(j, "decisions"), 0);
	assert_string_equal(str(d, "status"), "toegekend");
	assert_string_equal(str(d, "assignment_kind"), "procesversneller");
	assert_string_equal(str(d, "assigned"),
			    "Procesversneller BEL, acht weken");
	json_decref(j);
}

/* Step 2, the other answer: an escalation of Midden-Limburg declined. */
static void
escalation_declined(struct fixture *f)
{
	char id[24], req[33];
	json_t *j, *d;

	snprintf(id, sizeof(id), "%lld", f->casus[ML]);
	cli_run_ok(f, ML,
		   (const char *[]){"--json", "opschaling", id, "--waarom-vast",
				    "Geen plek voor kortdurend verblijf.",
				    "--geprobeerd", "Twee aanbieders gevraagd.",
				    "--steun", "plaatsing", "--urgentie",
				    "normaal", NULL});
	j = wait_cli(f, DB,
		     (const char *[]){"--json", "desk", "lijst", "--regio",
				      "midden-limburg", NULL},
		     array_size_is, 1);
	assert_string_equal(str(json_array_get(j, 0), "kind"), "escalation");
	snprintf(req, sizeof(req), "%s",
		 str(json_array_get(j, 0), "request_id"));
	json_decref(j);
	cli_run_ok(f, DB,
		   (const char *[]){"--json", "desk", "besluit", req,
				    "--status", "afgewezen", "--reden",
				    "Eerst de regionale schakeltafel.", NULL});
	j = wait_cli(f, ML,
		     (const char *[]){"--json", "casus", "toon", id, NULL},
		     decisions_are, 1);
	d = json_array_get(json_object_get(j, "decisions"), 0);
	assert_string_equal(str(d, "status"), "afgewezen");
	assert_string_equal(str(d, "reason"),
			    "Eerst de regionale schakeltafel.");
	assert_string_equal(str(d, "thread_id"), req);
	json_decref(j);
	j = cli_ok(f, DB,
		   (const char *[]){"--json", "desk", "lijst", "--status",
				    "afgewezen", NULL});
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
}

/* Step 6: Westfriesland asks Midden-Limburg, across the BEN boundary. */
static void
peer_review(struct fixture *f, char req[33])
{
	char id[24];
	json_t *j;

	snprintf(id, sizeof(id), "%lld", f->casus[WF]);
	cli_run_ok(f, WF,
		   (const char *[]){"--json", "peer-review", "vraag", "--aan",
				    defs[ML].party, "--casus", id, "--aanpak",
				    "Een half jaar voor de 18e verjaardag een "
				    "perspectiefplan met gemeente en Wmo.",
				    "--vraag", "Herkennen jullie dit?", NULL});
	j = wait_cli(f, ML,
		     (const char *[]){"--json", "inbox", "lijst", "--kind",
				      "peer_review_request", NULL},
		     array_size_is, 1);
	snprintf(req, 33, "%s", str(json_array_get(j, 0), "message_id"));
	assert_string_equal(str(json_array_get(j, 0), "sender"),
			    defs[WF].party);
	json_decref(j);
	cli_run_ok(f, ML,
		   (const char *[]){"--json", "peer-review", "antwoord", req,
				    "--review",
				    "Herkenbaar; wij beginnen bij 16,5 jaar.",
				    NULL});
	j = wait_cli(f, WF,
		     (const char *[]){"--json", "inbox", "lijst", "--kind",
				      "peer_review", NULL},
		     array_size_is, 1);
	assert_string_equal(str(json_array_get(j, 0), "sender"),
			    defs[ML].party);
	json_decref(j);
}

/* ---------------------------------------------------------------------- */
/* Checks on the databases */

/* What each node must hold, by kind (index K_*). */
static const int want_inbox[NNODES][NKINDS] = {
	[NL] = {[K_DEC] = 2, [K_LS] = 3},
	[ML] = {[K_DEC] = 1, [K_LS] = 3, [K_PRR] = 1},
	[ZL] = {[K_DEC] = 1, [K_LS] = 3},
	[WF] = {[K_LS] = 3, [K_PR] = 1},
	[DB] = {[K_ESC] = 3, [K_PV] = 1, [K_LS] = 4},
	[DN] = {[K_LS] = 4},
};
static const int want_outbox[NNODES][NKINDS] = {
	[NL] = {[K_ESC] = 2, [K_LS] = 1},
	[ML] = {[K_ESC] = 1, [K_LS] = 1, [K_PR] = 1},
	[ZL] = {[K_PV] = 1, [K_LS] = 1},
	[WF] = {[K_LS] = 1, [K_PRR] = 1},
	[DB] = {[K_DEC] = 4},
	[DN] = {0},
};
/* Messages of each author stored at relay:bel and relay:ben-noord-holland. */
static const int want_at_bel[NNODES] = {3, 3, 2, 2, 4, 0};
static const int want_at_nh[NNODES] = {1, 2, 1, 2, 0, 0};

/*
 * Check one stored envelope: it decodes, verifies against the author's
 * public key pk (from the key file), carries the id, author, seq and kind
 * of its row, and is byte for byte the envelope the author queued.
 */
static void
check_envelope(struct fixture *f, const uint8_t pk[32], int author,
	       const void *id, int id_len, const char *sender, long long seq,
	       long long kind, const void *buf, int len, const char *where)
{
	struct envelope *env = NULL;
	struct wire_error err;
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	int same = 0;

	if (envelope_decode(buf, (size_t)len, &env, &err) != WIRE_OK)
		fail_msg("%s: an envelope of %s does not decode", where,
			 sender);
	if (envelope_verify(env, pk, &err) != WIRE_OK)
		fail_msg("%s: an envelope of %s does not verify against its "
			 "author's key", where, sender);
	assert_string_equal(env->body->sender, sender);
	assert_int_equal(env->body->message_id.len, id_len);
	assert_memory_equal(env->body->message_id.data, id, (size_t)id_len);
	assert_int_equal(env->body->seq, seq);
	assert_int_equal(env->body->kind, kind);
	envelope_destroy(&env);

	h = db_open(f->n[author].db);
	assert_non_null(h);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT envelope, seq, kind,"
					    " state FROM outbox"
					    " WHERE message_id = ?1",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, id_len, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		same = sqlite3_column_bytes(st, 0) == len &&
		       memcmp(sqlite3_column_blob(st, 0), buf, (size_t)len) ==
			       0 &&
		       sqlite3_column_int64(st, 1) == seq &&
		       sqlite3_column_int64(st, 2) == kind &&
		       strcmp((const char *)sqlite3_column_text(st, 3),
			      "acked") == 0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	if (!same)
		fail_msg("%s: an envelope of %s (seq %lld) is not the acked one "
			 "in its author's outbox",
			 where, sender, seq);
}

static void
check_inbox(struct fixture *f, int i, uint8_t pk[NNODES][32])
{
	const char *db = f->n[i].db;
	char sql[160];
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	int total = 0, rows = 0;

	for (int k = 1; k < NKINDS; k++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM inbox WHERE kind = %d", k);
		if (db_int(db, sql, NULL) != want_inbox[i][k])
			fail_msg("%s holds %lld messages of kind %d instead "
				 "of %d",
				 defs[i].party, db_int(db, sql, NULL), k,
				 want_inbox[i][k]);
		total += want_inbox[i][k];
	}
	assert_int_equal(db_int(db, "SELECT count(*) FROM inbox", NULL), total);
	assert_int_equal(db_int(db,
				"SELECT count(DISTINCT message_id) FROM inbox",
				NULL),
			 total);
	assert_int_equal(db_int(db,
				"SELECT count(*) FROM inbox"
				" WHERE state <> 'applied'",
				NULL),
			 0);
	h = db_open(db);
	assert_non_null(h);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT message_id, sender, seq,"
					    " kind, envelope FROM inbox",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sender = (const char *)sqlite3_column_text(st, 1);
		int a = node_of(sender);

		if (a < 0 || a == i)
			fail_msg("%s holds a message of %s", defs[i].party,
				 sender);
		check_envelope(f, pk[a], a, sqlite3_column_blob(st, 0),
			       sqlite3_column_bytes(st, 0), sender,
			       sqlite3_column_int64(st, 2),
			       sqlite3_column_int64(st, 3),
			       sqlite3_column_blob(st, 4),
			       sqlite3_column_bytes(st, 4), defs[i].party);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(rows, total);
}

static void
check_outbox(struct fixture *f, int i)
{
	const char *db = f->n[i].db;
	char sql[160];
	int total = 0;

	for (int k = 1; k < NKINDS; k++) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) FROM outbox WHERE kind = %d"
			 " AND state = 'acked'",
			 k);
		if (db_int(db, sql, NULL) != want_outbox[i][k])
			fail_msg("%s sent %lld acked messages of kind %d "
				 "instead of %d",
				 defs[i].party, db_int(db, sql, NULL), k,
				 want_outbox[i][k]);
		total += want_outbox[i][k];
	}
	assert_int_equal(db_int(db, "SELECT count(*) FROM outbox", NULL), total);
	/* The author's own numbers: 1..N, no hole. */
	if (total > 0) {
		assert_int_equal(db_int(db, "SELECT min(seq) FROM outbox", NULL),
				 1);
		assert_int_equal(db_int(db, "SELECT max(seq) FROM outbox", NULL),
				 total);
	}
}

static void
check_relay(struct fixture *f, struct harness_relay *r, const char *ben,
	    const int want[NNODES], uint8_t pk[NNODES][32])
{
	const char *db = r->database;
	sqlite3 *h;
	sqlite3_stmt *st = NULL;
	int total = 0, rows = 0;

	for (int i = 0; i < NNODES; i++) {
		const char *p = defs[i].party;
		int own = strcmp(defs[i].ben, ben) == 0;

		if (db_int(db, "SELECT count(*) FROM messages WHERE sender = ?1",
			   p) != want[i])
			fail_msg("%s stores %lld messages of %s instead of %d",
				 r->key.party,
				 db_int(db,
					"SELECT count(*) FROM messages"
					" WHERE sender = ?1",
					p),
				 p, want[i]);
		total += want[i];
		if (want[i] == 0)
			continue;
		assert_int_equal(db_int(db,
					"SELECT count(DISTINCT seq) FROM"
					" messages WHERE sender = ?1",
					p),
				 want[i]);
		/* Authors of this BEN: exactly 1..N, brought by themselves;
		 * of the other BEN: brought by the peer relay. */
		if (own) {
			assert_int_equal(db_int(db,
						"SELECT min(seq) FROM messages"
						" WHERE sender = ?1",
						p),
					 1);
			assert_int_equal(db_int(db,
						"SELECT max(seq) FROM messages"
						" WHERE sender = ?1",
						p),
					 want[i]);
			assert_int_equal(db_int(db,
						"SELECT last_seq FROM senders"
						" WHERE party = ?1",
						p),
					 want[i]);
			assert_int_equal(db_int(db,
						"SELECT count(*) FROM messages"
						" WHERE sender = ?1 AND"
						" origin <> sender",
						p),
					 0);
		} else {
			assert_int_equal(db_int(db,
						"SELECT count(*) FROM messages"
						" WHERE sender = ?1 AND origin"
						" NOT LIKE 'relay:%'",
						p),
					 0);
		}
	}
	assert_int_equal(db_int(db, "SELECT count(*) FROM messages", NULL),
			 total);
	h = db_open(db);
	assert_non_null(h);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT msgid, sender, seq, kind,"
					    " envelope FROM messages",
					    -1, &st, NULL),
			 SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *sender = (const char *)sqlite3_column_text(st, 1);
		int a = node_of(sender);

		assert_true(a >= 0);
		check_envelope(f, pk[a], a, sqlite3_column_blob(st, 0),
			       sqlite3_column_bytes(st, 0), sender,
			       sqlite3_column_int64(st, 2),
			       sqlite3_column_int64(st, 3),
			       sqlite3_column_blob(st, 4),
			       sqlite3_column_bytes(st, 4), r->key.party);
		rows++;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	assert_int_equal(rows, total);
}

/* Receipts from parties (not relays) over all outboxes. */
static long long
receipts_total(struct fixture *f)
{
	long long sum = 0;

	for (int i = 0; i < NNODES; i++) {
		long long n = db_int(f->n[i].db,
				     "SELECT count(*) FROM outbox_receipt"
				     " WHERE recipient NOT LIKE 'relay:%'",
				     NULL);
		if (n < 0)
			return -1;
		sum += n;
	}
	return sum;
}

/* Wait (bounded) until every inbox entry is confirmed to its author. */
static void
wait_receipts(struct fixture *f)
{
	uint64_t end = harness_now_ms() +
		       (uint64_t)WAIT_MS * (uint64_t)harness_slowness();
	long long want = 0, n = -1;

	for (int i = 0; i < NNODES; i++)
		for (int k = 1; k < NKINDS; k++)
			want += want_inbox[i][k];
	while (harness_now_ms() < end && (n = receipts_total(f)) != want)
		harness_sleep_ms(100);
	if (n != want)
		fail_msg("%lld receipts at the authors instead of %lld", n,
			 want);
}

/*
 * The author learns exactly who received its messages, across the BEN
 * boundary too: author a holds a receipt of party j for a message exactly
 * when j's inbox holds that message.
 */
static void
check_receipts(struct fixture *f)
{
	for (int a = 0; a < NNODES; a++) {
		sqlite3 *h = db_open(f->n[a].db);
		char attach[HARNESS_PATH_MAX + 64];

		assert_non_null(h);
		for (int j = 0; j < NNODES; j++) {
			sqlite3_stmt *st = NULL;
			long long got = -1, theirs = -1, both = -1;

			if (j == a)
				continue;
			snprintf(attach, sizeof(attach),
				 "ATTACH DATABASE '%s' AS other", f->n[j].db);
			assert_int_equal(sqlite3_exec(h, attach, NULL, NULL,
						      NULL),
					 SQLITE_OK);
			assert_int_equal(
				sqlite3_prepare_v2(
					h,
					"SELECT (SELECT count(*) FROM"
					" outbox_receipt WHERE recipient = ?1),"
					" (SELECT count(*) FROM other.inbox"
					" WHERE sender = ?2),"
					" (SELECT count(*) FROM outbox_receipt r"
					" JOIN other.inbox i ON i.message_id ="
					" r.message_id WHERE r.recipient = ?1"
					" AND i.sender = ?2)",
					-1, &st, NULL),
				SQLITE_OK);
			sqlite3_bind_text(st, 1, defs[j].party, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(st, 2, defs[a].party, -1,
					  SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW) {
				got = sqlite3_column_int64(st, 0);
				theirs = sqlite3_column_int64(st, 1);
				both = sqlite3_column_int64(st, 2);
			}
			sqlite3_finalize(st);
			assert_int_equal(sqlite3_exec(h, "DETACH DATABASE other",
						      NULL, NULL, NULL),
					 SQLITE_OK);
			if (got != theirs || both != theirs)
				fail_msg("%s has %lld receipts of %s, which "
					 "holds %lld of its messages (%lld "
					 "match)",
					 defs[a].party, got, defs[j].party,
					 theirs, both);
		}
		sqlite3_close(h);
	}
}

/* Decisions on the right casus; the desks' threads; the summaries. */
static void
check_applied(struct fixture *f, const char *esc, const char *pv,
	      const char *req)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM casus_decision WHERE casus_id = %lld"
		 " AND lower(hex(thread_id)) = lower(?1)"
		 " AND lower(hex(request_id)) = lower(?1)"
		 " AND sender = 'desk:bel-roermond'",
		 f->casus[NL]);
	assert_int_equal(db_int(f->n[NL].db, sql, esc), 2);
	/* More information needed (5), then granted (3), in that order. */
	assert_int_equal(db_int(f->n[NL].db,
				"SELECT group_concat(status, '') FROM (SELECT"
				" status FROM casus_decision ORDER BY id)",
				NULL),
			 53);
	assert_int_equal(db_int(f->n[NL].db,
				"SELECT count(*) FROM casus_decision", NULL),
			 2);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM casus_decision WHERE casus_id = %lld"
		 " AND lower(hex(request_id)) = lower(?1) AND status = 3",
		 f->casus[ZL]);
	assert_int_equal(db_int(f->n[ZL].db, sql, pv), 1);
	assert_int_equal(db_int(f->n[ZL].db,
				"SELECT count(*) FROM casus_decision", NULL),
			 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM casus_decision WHERE casus_id = %lld"
		 " AND status = 4",
		 f->casus[ML]);
	assert_int_equal(db_int(f->n[ML].db, sql, NULL), 1);
	assert_int_equal(db_int(f->n[ML].db,
				"SELECT count(*) FROM casus_decision", NULL),
			 1);
	assert_int_equal(db_int(f->n[WF].db,
				"SELECT count(*) FROM casus_decision", NULL),
			 0);

	/* One thread per request at the BEL desk, none at the other. */
	assert_int_equal(db_int(f->n[DB].db,
				"SELECT count(*) FROM desk_thread", NULL),
			 3);
	assert_int_equal(db_int(f->n[DB].db,
				"SELECT count(*) FROM desk_message", NULL),
			 4);
	assert_int_equal(db_int(f->n[DB].db,
				"SELECT count(*) FROM desk_decision", NULL),
			 4);
	assert_int_equal(db_int(f->n[DN].db,
				"SELECT count(*) FROM desk_thread", NULL),
			 0);

	/* The peer review answers the request it was asked in. */
	assert_int_equal(db_int(f->n[WF].db,
				"SELECT count(*) FROM received_peer WHERE"
				" kind = 6 AND sender = 'region:midden-limburg'"
				" AND lower(hex(request_id)) = lower(?1)",
				req),
			 1);
	assert_int_equal(db_int(f->n[ML].db,
				"SELECT count(*) FROM received_peer WHERE"
				" kind = 5 AND sender = 'region:westfriesland'",
				NULL),
			 1);

	/* Summaries: one from every other region, each region once. */
	for (int i = 0; i < NNODES; i++) {
		int others = is_region(i) ? 3 : 4;

		assert_int_equal(db_int(f->n[i].db,
					"SELECT count(*) FROM learning_summary"
					" WHERE own = 0",
					NULL),
				 others);
		assert_int_equal(db_int(f->n[i].db,
					"SELECT count(DISTINCT region) FROM"
					" learning_summary WHERE own = 0",
					NULL),
				 others);
		assert_int_equal(db_int(f->n[i].db,
					"SELECT count(*) FROM learning_summary"
					" WHERE own = 0 AND region = ?1",
					defs[i].party),
				 0);
		assert_int_equal(db_int(f->n[i].db,
					"SELECT count(*) FROM learning_summary"
					" WHERE own = 1",
					NULL),
				 is_region(i) ? 1 : 0);
	}
}

/* The whole file at path (with its -wal when there is one), malloc'ed. */
static char *
slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	size_t used = 0;
	char p[HARNESS_PATH_MAX + 8];

	for (int part = 0; part < 2; part++) {
		FILE *fp;
		char chunk[65536];
		size_t n;

		snprintf(p, sizeof(p), "%s%s", path, part ? "-wal" : "");
		if ((fp = fopen(p, "rb")) == NULL)
			continue;
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
			char *nb = realloc(buf, used + n);

			assert_non_null(nb);
			buf = nb;
			memcpy(buf + used, chunk, n);
			used += n;
		}
		fclose(fp);
	}
	*len = used;
	return buf;
}

/* Whether needle occurs in buf[len]. */
static int
holds(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n > 0 && i + n <= len; i++)
		if (buf[i] == needle[0] && memcmp(buf + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Fail when any personal value of region r is in the file at path. */
static void
assert_clean(const char *path, int r)
{
	const char *v[] = {people[r].name,     people[r].first,
			   people[r].surname,  people[r].bsn,
			   people[r].birth,    people[r].address,
			   people[r].postcode, people[r].postcode_spaced};
	size_t len = 0;
	char *buf = slurp(path, &len);

	for (size_t k = 0; buf != NULL && k < sizeof(v) / sizeof(v[0]); k++)
		if (holds(buf, len, v[k])) {
			free(buf);
			fail_msg("a personal value of %s (#%zu) is in %s",
				 defs[r].party, k, path);
		}
	free(buf);
}

static void
check_nothing_personal(struct fixture *f)
{
	for (int r = 0; r < 4; r++) {
		size_t len = 0;
		char *own = slurp(f->n[r].db, &len);

		/* The values are really in the region's own register. */
		assert_non_null(own);
		assert_true(holds(own, len, people[r].bsn));
		free(own);
		assert_clean(f->bel.database, r);
		assert_clean(f->nh.database, r);
		assert_clean(f->bel.log, r);
		assert_clean(f->nh.log, r);
		for (int i = 0; i < NNODES; i++) {
			if (i != r)
				assert_clean(f->n[i].db, r);
			assert_clean(f->n[i].log, r);
		}
	}
}

static void
test_federation_flows(void **state)
{
	struct fixture *f = *state;
	uint8_t pk[NNODES][32];
	char esc[33], pv[33], req[33];
	uint64_t t0 = harness_now_ms();

	for (int i = 0; i < NNODES; i++)
		cli_run_ok(f, i, (const char *[]){"--json", "init", NULL});
	/* 1. Cases in every region, past triage, before anything runs. */
	for (int r = 0; r < 4; r++)
		register_casus(f, r);

	assert_int_equal(harness_relay_start(&f->bel, START_MS), 0);
	assert_int_equal(harness_relay_start(&f->nh, START_MS), 0);
	for (int i = 0; i < NNODES; i++)
		start_node(f, i);
	for (int i = 0; i < NNODES; i++)
		wait_connected(f, i);
	assert_int_equal(harness_wait_log(&f->bel.proc, "event=link_up",
					  START_MS),
			 0);
	assert_int_equal(harness_wait_log(&f->nh.proc, "event=link_up",
					  START_MS),
			 0);

	/* 2 and 4. */
	escalation_round_trip(f, esc);
	/* 7 and 3. */
	crash_and_procesversneller(f, pv);
	escalation_declined(f);
	/* 5. The other three summaries, after the restart. */
	summary(f, NL, "Een vaste plaatsingscoordinator scheelt weken.");
	summary(f, ML, "Neem de Wmo-consulent vroeg mee aan tafel.");
	summary(f, ZL, "Een procesversneller werkt met een duidelijk mandaat.");
	for (int i = 0; i < NNODES; i++)
		wait_db(f->n[i].db,
			"SELECT count(*) FROM learning_summary WHERE own = 0",
			is_region(i) ? 3 : 4, defs[i].party);
	/* 6. */
	peer_review(f, req);

	for (int i = 0; i < NNODES; i++)
		wait_db(f->n[i].db,
			"SELECT count(*) FROM outbox WHERE state <> 'acked'", 0,
			defs[i].party);
	wait_receipts(f);
	print_message("the story took %llu ms\n",
		      (unsigned long long)(harness_now_ms() - t0));

	/* Everything stops cleanly on SIGTERM, nodes first. */
	for (int i = 0; i < NNODES; i++)
		assert_int_equal(harness_stop(&f->n[i].proc, 10000), 0);
	assert_int_equal(harness_stop(&f->bel.proc, 10000), 0);
	assert_int_equal(harness_stop(&f->nh.proc, 10000), 0);

	/* The authors' public keys, from the key files written in setup. */
	for (int i = 0; i < NNODES; i++) {
		struct keyfile k;
		char err[256];

		assert_int_equal(keyfile_read(f->n[i].secret, &k, err,
					      sizeof(err)),
				 0);
		assert_string_equal(k.party, defs[i].party);
		memcpy(pk[i], k.sign_pk, 32);
		keyfile_wipe(&k);
	}
	for (int i = 0; i < NNODES; i++) {
		check_outbox(f, i);
		check_inbox(f, i, pk);
	}
	check_relay(f, &f->bel, BEL, want_at_bel, pk);
	check_relay(f, &f->nh, BNH, want_at_nh, pk);
	check_receipts(f);
	check_applied(f, esc, pv, req);
	check_nothing_personal(f);
	for (int i = 0; i < NNODES; i++)
		cli_run_ok(f, i,
			   (const char *[]){"--json", "audit", "verify", NULL});
	print_message("all checks done after %llu ms\n",
		      (unsigned long long)(harness_now_ms() - t0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_federation_flows, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
