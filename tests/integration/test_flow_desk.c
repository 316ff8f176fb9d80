/*
 * test_flow_desk: the coordinator desk flow with the real programs on
 * 127.0.0.1 (ret-relay, two ret-node daemons, the ret CLI; ports and keys
 * made at run time):
 *
 * - a region escalates a casus (ret opschaling); the desk sees it in
 *   `ret desk lijst` and asks for more information (ret desk besluit
 *   --status meer-info);
 * - the decision arrives at the region and shows in `ret casus toon
 *   --json` against the right casus; the region answers on the same
 *   thread (ret opschaling --vervolg-op); the desk sees ONE thread with
 *   two messages and grants it; the grant shows in the casus;
 * - a learning summary of the region arrives at the desk
 *   (ret leersamenvatting maak / vergelijk);
 * - afterwards every database holds each message exactly once, and
 *   `ret desk` is refused on the region.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sodium.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "harness.h"
#include "keyfile.h"

#define REGION "region:noord-limburg"
#define DESK "desk:bel-roermond"

struct fixture {
	char *dir;
	char region_conf[HARNESS_PATH_MAX], desk_conf[HARNESS_PATH_MAX];
	struct keyfile region, desk;
	struct harness_relay relay;
	struct harness_proc region_proc, desk_proc;
};

static int
write_conf(struct fixture *f, const char *name, const char *party,
	   const char *db, const char *secret, const struct keyfile *peer,
	   char *path, size_t cap)
{
	char text[4096], hex[65];

	sodium_bin2hex(hex, sizeof(hex), peer->sign_pk, 32);
	snprintf(text, sizeof(text),
		 "[node]\n"
		 "party = %s\n"
		 "ben = bel\n"
		 "database = %s\n"
		 "key_file = %s\n"
		 "log_level = info\n"
		 "\n"
		 "[relay]\n"
		 "endpoint = %s\n"
		 "party = relay:bel\n"
		 "transport_key = %s\n"
		 "\n"
		 "[party %s]\n"
		 "signing_key = %s\n"
		 "ben = bel\n",
		 party, db, secret, f->relay.endpoint,
		 f->relay.key.transport_pk, peer->party, hex);
	return harness_write_file(f->dir, name, text, path, cap);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char parties[4096] = "";

	if (f == NULL || (f->dir = harness_tmpdir("flow-desk")) == NULL)
		return -1;
	if (harness_party_keys(f->dir, REGION, &f->region, NULL, 0) != 0 ||
	    harness_party_keys(f->dir, DESK, &f->desk, NULL, 0) != 0 ||
	    harness_append_party(parties, sizeof(parties), &f->region, 1,
				 "bel", NULL) != 0 ||
	    harness_append_party(parties, sizeof(parties), &f->desk, 1, "bel",
				 NULL) != 0 ||
	    harness_relay_init(&f->relay, f->dir, "relay:bel", "bel",
			       parties) != 0 ||
	    write_conf(f, "region.conf", REGION, "region.db",
		       "noord-limburg.secret", &f->desk, f->region_conf,
		       sizeof(f->region_conf)) != 0 ||
	    write_conf(f, "desk.conf", DESK, "desk.db", "bel-roermond.secret",
		       &f->region, f->desk_conf, sizeof(f->desk_conf)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->region_proc.pid > 0)
		harness_stop(&f->region_proc, 5000);
	if (f->desk_proc.pid > 0)
		harness_stop(&f->desk_proc, 5000);
	if (f->relay.proc.pid > 0)
		harness_stop(&f->relay.proc, 5000);
	keyfile_wipe(&f->region);
	keyfile_wipe(&f->desk);
	keyfile_wipe(&f->relay.key);
	if (getenv("RET_KEEP_TMP") == NULL)
		harness_rmtree(f->dir);
	else
		fprintf(stderr, "kept %s\n", f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/*
 * Run `ret --config conf --user tester ARGS...` with stdout into
 * dir/cli.out; returns the exit code (or -1), waits at most 30 s.
 */
static int
run_cli(struct fixture *f, const char *conf, const char *const *args)
{
	const char *bin = getenv("RET_CLI_BIN");
	const char *argv[32];
	char out[HARNESS_PATH_MAX], err[HARNESS_PATH_MAX];
	size_t n = 0;
	pid_t pid;
	int status = 0;

	assert_non_null(bin);
	argv[n++] = bin;
	argv[n++] = "--config";
	argv[n++] = conf;
	argv[n++] = "--user";
	argv[n++] = "tester";
	for (size_t i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	snprintf(out, sizeof(out), "%s/cli.out", f->dir);
	snprintf(err, sizeof(err), "%s/cli.err", f->dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		execv(bin, (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	for (int i = 0; i < 3000 * harness_slowness(); i++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		harness_sleep_ms(10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* The JSON the last run_cli printed (caller decrefs), or NULL. */
static json_t *
cli_json(struct fixture *f)
{
	char path[HARNESS_PATH_MAX];

	snprintf(path, sizeof(path), "%s/cli.out", f->dir);
	return json_load_file(path, 0, NULL);
}

/* Run and parse; asserts exit code 0. */
static json_t *
cli_ok(struct fixture *f, const char *conf, const char *const *args)
{
	json_t *j;

	assert_int_equal(run_cli(f, conf, args), 0);
	j = cli_json(f);
	assert_non_null(j);
	return j;
}

static void
start_node(struct harness_proc *p, const char *conf, const char *log_name,
	   const char *dir)
{
	const char *bin = getenv("RET_NODE_BIN");
	const char *argv[] = {bin, "--config", conf, NULL};
	char log[HARNESS_PATH_MAX];

	assert_non_null(bin);
	snprintf(log, sizeof(log), "%s/%s", dir, log_name);
	assert_int_equal(harness_spawn(p, argv, log), 0);
	assert_int_equal(harness_wait_log(p, "event=started", 10000), 0);
}

/* Poll `ret ... ARGS --json` until pred holds (at most 20 s); the result. */
static json_t *
wait_json(struct fixture *f, const char *conf, const char *const *args,
	  int (*pred)(json_t *j, const void *arg), const void *arg)
{
	for (int i = 0; i < 200 * harness_slowness(); i++) {
		if (run_cli(f, conf, args) == 0) {
			json_t *j = cli_json(f);
			if (j != NULL && pred(j, arg))
				return j;
			json_decref(j);
		}
		harness_sleep_ms(100);
	}
	fail_msg("waited 20 s in vain for '%s %s'", args[0], args[1]);
	return NULL;
}

static int
array_size_is(json_t *j, const void *arg)
{
	return json_array_size(j) == *(const size_t *)arg;
}

static int
decisions_are(json_t *j, const void *arg)
{
	return json_array_size(json_object_get(j, "decisions")) ==
	       *(const size_t *)arg;
}

static int
thread_has_messages(json_t *j, const void *arg)
{
	return json_array_size(json_object_get(j, "messages")) ==
	       *(const size_t *)arg;
}

static int
count(const char *dir, const char *db, const char *sql)
{
	char path[HARNESS_PATH_MAX];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int n = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, db);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	assert_non_null(s);
	return s;
}

static void
test_escalation_decided_and_answered(void **state)
{
	struct fixture *f = *state;
	const char *rc = f->region_conf, *dc = f->desk_conf;
	char esc[40], casus[24];
	size_t one = 1, two = 2;
	json_t *j, *t, *d;

	/* Both databases, a casus past triage with a person in it. */
	json_decref(cli_ok(f, rc, (const char *[]){"--json", "init", NULL}));
	json_decref(cli_ok(f, dc, (const char *[]){"--json", "init", NULL}));
	j = cli_ok(f, rc,
		   (const char *[]){"--json", "casus", "nieuw",
				    "--aangemeld-door", "gemeente", "--vraag",
				    "passend_aanbod", "--probleem",
				    "gedrag,gezin", NULL});
	snprintf(casus, sizeof(casus), "%lld",
		 (long long)json_integer_value(json_object_get(j, "id")));
	json_decref(j);
	assert_int_equal(run_cli(f, rc,
				 (const char *[]){"casus", "persoon-toevoegen",
						  casus, "--rol", "jeugdige",
						  "--naam", "Sanne de Vries",
						  "--geboortedatum",
						  "2011-04-01", NULL}),
			 0);
	assert_int_equal(run_cli(f, rc,
				 (const char *[]){"casus", "fase", casus,
						  "triage", NULL}),
			 0);
	assert_int_equal(run_cli(f, rc,
				 (const char *[]){"casus", "fase", casus,
						  "overleg", NULL}),
			 0);

	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	start_node(&f->region_proc, rc, "region-node.log", f->dir);
	start_node(&f->desk_proc, dc, "desk-node.log", f->dir);

	/* The region escalates; the desk sees it. */
	j = cli_ok(f, rc,
		   (const char *[]){"--json", "opschaling", casus,
				    "--waarom-vast",
				    "Sanne wacht al maanden op een plek.",
				    "--geprobeerd", "Drie aanbieders gevraagd.",
				    "--steun", "expertise", "--urgentie", "hoog",
				    NULL});
	snprintf(esc, sizeof(esc), "%s", str(j, "message_id"));
	json_decref(j);
	j = wait_json(f, dc, (const char *[]){"--json", "desk", "lijst", NULL},
		      array_size_is, &one);
	t = json_array_get(j, 0);
	assert_string_equal(str(t, "region"), REGION);
	assert_string_equal(str(t, "urgency"), "hoog");
	assert_string_equal(str(t, "request_id"), esc);
	assert_string_equal(str(t, "status"), "nieuw");
	json_decref(j);
	/* The name of the person never reached the desk. */
	j = cli_ok(f, dc, (const char *[]){"--json", "desk", "toon", esc, NULL});
	assert_null(strstr(str(json_array_get(json_object_get(j, "messages"), 0),
			       "why_stuck"),
			   "Sanne"));
	json_decref(j);

	/* More information needed, then the answer on the same thread. */
	json_decref(cli_ok(f, dc,
			   (const char *[]){"--json", "desk", "besluit", esc,
					    "--status", "meer-info", "--vraag",
					    "Is de school betrokken?", NULL}));
	j = wait_json(f, rc,
		      (const char *[]){"--json", "casus", "toon", casus, NULL},
		      decisions_are, &one);
	d = json_array_get(json_object_get(j, "decisions"), 0);
	assert_string_equal(str(d, "status"), "meer-info");
	assert_string_equal(str(d, "question"), "Is de school betrokken?");
	assert_string_equal(str(d, "thread_id"), esc);
	assert_string_equal(str(d, "from"), DESK);
	json_decref(j);
	json_decref(cli_ok(f, rc,
			   (const char *[]){"--json", "opschaling", casus,
					    "--waarom-vast",
					    "Nog steeds geen plek.",
					    "--geprobeerd", "Ook de school.",
					    "--steun", "expertise",
					    "--urgentie", "hoog", "--vervolg-op",
					    esc, "--antwoord",
					    "Ja, de school doet mee.", NULL}));
	j = wait_json(f, dc, (const char *[]){"--json", "desk", "toon", esc, NULL},
		      thread_has_messages, &two);
	assert_true(json_is_true(json_object_get(j, "answered")));
	assert_string_equal(str(json_array_get(json_object_get(j, "messages"), 1),
				"answer"),
			    "Ja, de school doet mee.");
	json_decref(j);
	j = cli_ok(f, dc, (const char *[]){"--json", "desk", "lijst", NULL});
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);

	/* Granted, with who is assigned; it shows in the casus. */
	json_decref(cli_ok(f, dc,
			   (const char *[]){"--json", "desk", "besluit", esc,
					    "--status", "toegekend", "--soort",
					    "expertise", "--toegewezen-aan",
					    "Expertiseteam BEL", NULL}));
	j = wait_json(f, rc,
		      (const char *[]){"--json", "casus", "toon", casus, NULL},
		      decisions_are, &two);
	d = json_array_get(json_object_get(j, "decisions"), 1);
	assert_string_equal(str(d, "status"), "toegekend");
	assert_string_equal(str(d, "assignment_kind"), "expertise");
	assert_string_equal(str(d, "assigned"), "Expertiseteam BEL");
	json_decref(j);
	j = cli_ok(f, dc,
		   (const char *[]){"--json", "desk", "lijst", "--status",
				    "toegekend", NULL});
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);

	/* A learning summary reaches the desk. */
	json_decref(cli_ok(f, rc,
			   (const char *[]){"--json", "leersamenvatting", "maak",
					    "--periode", "2026", "--les",
					    "Vroeg de school aan tafel.",
					    NULL}));
	j = wait_json(f, dc,
		      (const char *[]){"--json", "leersamenvatting",
				       "vergelijk", NULL},
		      array_size_is, &one);
	assert_string_equal(str(json_array_get(j, 0), "region"), REGION);
	json_decref(j);

	/* The desk commands are refused on a region. */
	assert_int_equal(run_cli(f, rc, (const char *[]){"desk", "lijst", NULL}),
			 78);

	assert_int_equal(harness_stop(&f->region_proc, 10000), 0);
	assert_int_equal(harness_stop(&f->desk_proc, 10000), 0);
	/* Exactly once, everywhere. */
	assert_int_equal(count(f->dir, "desk.db",
			       "SELECT count(*) FROM desk_thread"),
			 1);
	assert_int_equal(count(f->dir, "desk.db",
			       "SELECT count(*) FROM desk_message"),
			 2);
	assert_int_equal(count(f->dir, "desk.db",
			       "SELECT count(*) FROM inbox"),
			 3);
	assert_int_equal(count(f->dir, "desk.db",
			       "SELECT count(*) FROM learning_summary"),
			 1);
	assert_int_equal(count(f->dir, "region.db",
			       "SELECT count(*) FROM casus_decision"),
			 2);
	assert_int_equal(count(f->dir, "region.db",
			       "SELECT count(*) FROM inbox WHERE state ="
			       " 'applied'"),
			 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_escalation_decided_and_answered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
