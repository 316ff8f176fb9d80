/*
 * test_node_sync: the real ret-node process against the real ret-relay on
 * 127.0.0.1 (ports picked at run time, keys generated here), through the
 * shared harness.
 *
 * Proven:
 * - the outbox drains after the relay was down (messages queued before and
 *   while the daemon runs; the relay starts later);
 * - kill -9 of the node mid-drain loses nothing and stores nothing twice:
 *   afterwards the relay holds every message exactly once, numbered 1..n,
 *   and the node has each one acked exactly once;
 * - a message delivered twice is applied once: with the delivery cursors
 *   of relay and node rewound, the relay delivers the decision again; the
 *   node recognises it by its message id;
 * - a permanent refusal renumbers the rest: the relay stores an unbroken
 *   sequence and the refused message is visible with its reason.
 * - receipts: the desk's confirm comes back to the node as a receipt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <signal.h>
#include <sodium.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "envelope.h"
#include "harness.h"
#include "keyfile.h"
#include "msgid.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_outbox.h"
#include "drafts.h"

#define NODE_PARTY "region:noord-limburg"
#define DESK_PARTY "desk:bel-roermond"

struct fixture {
	char *dir;
	char conf[HARNESS_PATH_MAX];
	char db_path[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	struct keyfile node;
	struct keyfile desk;
	struct harness_relay relay;
	struct harness_proc proc;
	sqlite3 *db; /* the test's own connection to the node database */
};

/* ---------------------------------------------------------------------
 * Set-up */

static int
write_node_config_with(struct fixture *f, const char *party,
		       const char *extra)
{
	char text[4096], hex[65];

	sodium_bin2hex(hex, sizeof(hex), f->desk.sign_pk, 32);
	snprintf(text, sizeof(text),
		 "[node]\n"
		 "party = %s\n"
		 "ben = bel\n"
		 "database = node.db\n"
		 "key_file = noord-limburg.secret\n"
		 "log_level = info\n"
		 "\n"
		 "[relay]\n"
		 "endpoint = %s\n"
		 "party = relay:bel\n"
		 "transport_key = %s\n"
		 "\n"
		 "[party " DESK_PARTY "]\n"
		 "signing_key = %s\n"
		 "ben = bel\n"
		 "%s",
		 party, f->relay.endpoint, f->relay.key.transport_pk, hex,
		 extra);
	return harness_write_file(f->dir, "node.conf", text, f->conf,
				  sizeof(f->conf));
}

static int
write_node_config(struct fixture *f)
{
	return write_node_config_with(f, NODE_PARTY, "");
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char parties[4096] = "", err[256];
	struct node_msg_error merr;

	if (f == NULL || (f->dir = harness_tmpdir("node-sync")) == NULL)
		return -1;
	if (harness_party_keys(f->dir, NODE_PARTY, &f->node, NULL, 0) != 0 ||
	    harness_party_keys(f->dir, DESK_PARTY, &f->desk, NULL, 0) != 0 ||
	    harness_append_party(parties, sizeof(parties), &f->node, 1, "bel",
				 NULL) != 0 ||
	    harness_append_party(parties, sizeof(parties), &f->desk, 1, "bel",
				 NULL) != 0 ||
	    harness_relay_init(&f->relay, f->dir, "relay:bel", "bel",
			       parties) != 0 ||
	    write_node_config(f) != 0)
		return -1;
	snprintf(f->db_path, sizeof(f->db_path), "%s/node.db", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/ret-node.log", f->dir);
	if (node_db_open(f->db_path, NODE_DB_CREATE, &f->db, err,
			 sizeof(err)) != NODE_OK ||
	    node_audit_migrate(f->db, err, sizeof(err)) != NODE_OK ||
	    node_outbox_migrate(f->db, &merr) != NODE_OK)
		return -1;
	/* The test's own queueing need not wait for the disk. */
	if (sqlite3_exec(f->db, "PRAGMA synchronous = OFF", NULL, NULL,
			 NULL) != SQLITE_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->proc.pid > 0)
		harness_stop(&f->proc, 5000);
	if (f->relay.proc.pid > 0)
		harness_stop(&f->relay.proc, 5000);
	node_db_close(&f->db);
	keyfile_wipe(&f->node);
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

static void
node_start(struct fixture *f)
{
	const char *bin = getenv("RET_NODE_BIN");
	const char *argv[] = {bin, "--config", f->conf, NULL};

	assert_non_null(bin);
	assert_int_equal(harness_spawn(&f->proc, argv, f->log), 0);
	assert_int_equal(harness_wait_log(&f->proc, "event=started", 10000),
			 0);
}

/* ---------------------------------------------------------------------
 * Queueing and checking */

/* Queue n escalations (each of a new casus) through the guard and the
 * outbox, as the CLI does. */
static void
queue_escalations(struct fixture *f, unsigned n, uint8_t last_id[MSGID_LEN])
{
	char ebuf[256];
	struct node_build_draft *d = NULL;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	unsigned i;

	for (i = 0; i < n; i++) {
		assert_int_equal(support_draft_escalation(
					 f->db, &f->node, "Geen passende plek.",
					 "Drie aanbieders.", NULL, &d, ebuf, sizeof(ebuf)),
				 NODE_OK);
		assert_int_equal(node_outbox_queue(f->db, &f->node, "test",
						   node_build_guarded(d), NULL,
						   id, &err),
				 NODE_OK);
		node_build_destroy(&d);
		if (last_id != NULL)
			memcpy(last_id, id, MSGID_LEN);
	}
}

/* Queue a peer-review request to a region no relay knows. */
static void
queue_unroutable(struct fixture *f, uint8_t id[MSGID_LEN])
{
	char ebuf[256];
	struct node_build_draft *d = NULL;
	struct node_msg_error err;

	assert_int_equal(support_draft_peer_request(
				 f->db, &f->node, "region:nergens",
				 "Wekelijks overleg met school.",
				 "Hoe doen jullie dit?", &d, ebuf, sizeof(ebuf)),
			 NODE_OK);
	assert_int_equal(node_outbox_queue(f->db, &f->node, "test",
					   node_build_guarded(d), NULL, id,
					   &err),
			 NODE_OK);
	node_build_destroy(&d);
}

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* A count from the relay's database (opened read-only for the query). */
static int
relay_count(struct fixture *f, const char *sql)
{
	sqlite3 *rdb = NULL;
	int n = -1;

	if (sqlite3_open_v2(f->relay.database, &rdb, SQLITE_OPEN_READONLY,
			    NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(rdb, 2000);
		n = count(rdb, sql);
	}
	sqlite3_close(rdb);
	return n;
}

/* How many lines of a file contain needle. */
static int
count_in_file(const char *path, const char *needle)
{
	char line[1024];
	FILE *fp = fopen(path, "r");
	int n = 0;

	if (fp == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

static int
acked(struct fixture *f)
{
	return count(f->db, "SELECT count(*) FROM outbox WHERE state = 'acked'");
}

/* Wait (bounded) until `acked(f) >= n`; returns the last count. */
static int
wait_acked(struct fixture *f, int n, int timeout_ms)
{
	uint64_t end = harness_now_ms() +
		       (uint64_t)timeout_ms * (uint64_t)harness_slowness();
	int a = acked(f);

	while (a < n && harness_now_ms() < end) {
		harness_sleep_ms(50);
		a = acked(f);
	}
	return a;
}

/* The relay stored exactly n messages of the node, numbered 1..n. */
static void
assert_relay_holds(struct fixture *f, int n)
{
	assert_int_equal(relay_count(f, "SELECT count(*) FROM messages"
					" WHERE sender = '" NODE_PARTY "'"),
			 n);
	assert_int_equal(relay_count(f, "SELECT count(DISTINCT seq) FROM"
					" messages WHERE sender = '" NODE_PARTY
					"'"),
			 n);
	assert_int_equal(relay_count(f, "SELECT coalesce(max(seq), 0) FROM"
					" messages WHERE sender = '" NODE_PARTY
					"'"),
			 n);
}

/* ---------------------------------------------------------------------
 * Tests */

static void
test_drains_after_relay_was_down(void **state)
{
	struct fixture *f = *state;
	const int n = 1000;
	uint64_t t0;

	queue_escalations(f, (unsigned)n / 2, NULL);
	node_start(f);
	/* No relay: the node keeps trying, nothing is acked. */
	harness_sleep_ms(1500);
	assert_int_equal(acked(f), 0);
	/* Queued while the daemon runs and the relay is away. */
	queue_escalations(f, (unsigned)n / 2, NULL);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	t0 = harness_now_ms();
	assert_int_equal(wait_acked(f, n, 60000), n);
	print_message("drained %d messages in %llu ms after the relay "
		      "started (includes the reconnect backoff)\n",
		      n, (unsigned long long)(harness_now_ms() - t0));
	assert_relay_holds(f, n);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.sent'"),
			 n);
	assert_true(harness_file_contains(f->log, "event=connected"));
	assert_true(harness_file_contains(f->log, "event=seq_reply"));
	/* SIGTERM: a clean stop (under ASan also: no leak). */
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
	assert_true(harness_file_contains(f->log, "event=stopped"));
}

static void
test_kill9_mid_drain(void **state)
{
	struct fixture *f = *state;
	const int n = 3000;
	uint64_t end, t0;
	int stored = 0, before;

	queue_escalations(f, (unsigned)n, NULL);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	end = harness_now_ms() + 30000u * (uint64_t)harness_slowness();
	while (harness_now_ms() < end &&
	       (stored = relay_count(f, "SELECT count(*) FROM messages")) <
		       300)
		harness_sleep_ms(5);
	harness_kill9(&f->proc);
	assert_true(stored >= 300);
	stored = relay_count(f, "SELECT count(*) FROM messages");
	print_message("killed ret-node with %d of %d stored at the relay, "
		      "%d recorded as acked by the node\n",
		      stored, n, acked(f));
	assert_true(stored < n);

	t0 = harness_now_ms();
	before = acked(f);
	node_start(f);
	assert_int_equal(wait_acked(f, n, 60000), n);
	t0 = harness_now_ms() - t0;
	print_message("restarted ret-node drained the other %d in %llu ms "
		      "(%.0f messages/s, start-up included)\n",
		      n - before, (unsigned long long)t0,
		      t0 ? (double)(n - before) * 1000.0 / (double)t0 : 0.0);
	print_message("after the restart %d messages were sent again and "
		      "answered as duplicates by the relay\n",
		      count_in_file(f->log, "duplicate=1"));
	/* Nothing lost, nothing stored twice, each acked exactly once. */
	assert_relay_holds(f, n);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.sent'"),
			 n);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox WHERE"
				      " state <> 'acked'"),
			 0);
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
}

static void
test_delivered_twice_applied_once(void **state)
{
	struct fixture *f = *state;
	struct harness_client *desk;
	struct harness_env e = {0};
	struct relay_frame *fr;
	uint8_t esc_id[MSGID_LEN], dec_id[MSGID_LEN], *env = NULL;
	size_t env_len = 0;
	char sql[200], hex[MSGID_HEX_LEN], needle[120], case_ref[48];
	uint64_t cursor;

	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	queue_escalations(f, 1, esc_id);
	assert_int_equal(wait_acked(f, 1, 20000), 1);

	/* The desk receives the escalation, confirms it and decides. */
	desk = harness_client_new(f->relay.endpoint, f->relay.key.transport_pk,
				  &f->desk);
	assert_non_null(desk);
	assert_int_equal(harness_client_resume(desk, 0), 0);
	fr = harness_client_recv(desk, HARNESS_WANT_DELIVERY, 10000);
	assert_non_null(fr);
	cursor = fr->msg->delivery->cursor;
	relay_frame_destroy(&fr);
	assert_int_equal(harness_client_confirm(desk, cursor), 0);
	e.kind = RETFED__V1__KIND__KIND_DECISION;
	e.recipient = NODE_PARTY;
	e.seq = 1;
	e.request_id = esc_id;
	/* The decision names the case reference the escalation carried. */
	{
		sqlite3_stmt *st = NULL;

		assert_int_equal(sqlite3_prepare_v2(f->db,
						    "SELECT case_ref FROM"
						    " sent_request WHERE"
						    " message_id = ?",
						    -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_blob(st, 1, esc_id, MSGID_LEN, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		snprintf(case_ref, sizeof(case_ref), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		e.case_ref = case_ref;
	}
	assert_int_equal(harness_seal(&f->desk, &e, dec_id, &env, &env_len),
			 0);
	assert_int_equal(harness_client_submit(desk, env, env_len), 0);
	free(env);
	fr = harness_client_recv(desk, HARNESS_WANT_REPLY, 10000);
	assert_non_null(fr);
	assert_int_equal(fr->msg->frame_case,
			 RETFED__V1__RELAY_FRAME__FRAME_ACK);
	relay_frame_destroy(&fr);
	harness_client_destroy(&desk);

	msgid_to_hex(dec_id, hex);
	snprintf(needle, sizeof(needle), "result=applied id=%s", hex);
	assert_int_equal(harness_wait_log(&f->proc, needle, 10000), 0);
	/* The desk's confirm came back to us as a receipt. */
	assert_int_equal(harness_wait_log(&f->proc, "event=receipt", 10000),
			 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox_receipt"
				      " WHERE recipient = '" DESK_PARTY "'"),
			 1);

	/* Make the relay deliver the decision again. A lost confirm alone
	 * does not do it: the node's Resume carries the cursor it committed
	 * with the message, and the relay resumes from there. So rewind
	 * both cursors (as after restoring both from older backups); then
	 * only the message id stands between the delivery and a second
	 * application. */
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
	assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);
	{
		sqlite3 *rdb = NULL;

		assert_int_equal(sqlite3_open(f->relay.database, &rdb),
				 SQLITE_OK);
		snprintf(sql, sizeof(sql),
			 "UPDATE recipients SET confirmed = 0 WHERE party = "
			 "'%s'",
			 NODE_PARTY);
		assert_int_equal(sqlite3_exec(rdb, sql, NULL, NULL, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_changes(rdb), 1);
		sqlite3_close(rdb);
	}
	assert_int_equal(sqlite3_exec(f->db,
				      "UPDATE messaging_state SET value = 0"
				      " WHERE name = 'relay_cursor'",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_changes(f->db), 1);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	snprintf(needle, sizeof(needle), "result=duplicate id=%s", hex);
	assert_int_equal(harness_wait_log(&f->proc, needle, 10000), 0);
	/* Applied once, recorded once, confirmed again. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.received'"),
			 1);
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
}

static void
test_refusal_renumbers(void **state)
{
	struct fixture *f = *state;
	uint8_t refused[MSGID_LEN];
	const int n = 39;

	queue_escalations(f, 10, NULL);
	queue_unroutable(f, refused);
	queue_escalations(f, 29, NULL);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	assert_int_equal(wait_acked(f, n, 30000), n);
	/* The relay saw 1..39 without a gap; number 11 was refused and the
	 * 29 after it were signed again one lower. */
	assert_relay_holds(f, n);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox WHERE"
				      " state = 'refused' AND seq = 11"
				      " AND refusal_reason IN (15, 16)"),
			 1);
	assert_true(harness_file_contains(f->log, "renumbered=29"));
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
}

static void
test_not_yet_admitted(void **state)
{
	struct fixture *f = *state;
	char parties[4096] = "";

	/* The relay does not know our transport key yet: the handshake is
	 * refused, nothing is sent, the node keeps trying. */
	assert_int_equal(harness_append_party(parties, sizeof(parties),
					      &f->node, 0, "bel", NULL),
			 0);
	assert_int_equal(harness_append_party(parties, sizeof(parties),
					      &f->desk, 1, "bel", NULL),
			 0);
	assert_int_equal(harness_relay_rewrite(&f->relay, "bel", parties), 0);
	queue_escalations(f, 20, NULL);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	assert_int_equal(harness_wait_log(&f->proc, "event=handshake_failed",
					  10000),
			 0);
	assert_int_equal(acked(f), 0);

	/* The BEN's administrator admits us and restarts the relay. */
	assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);
	parties[0] = '\0';
	assert_int_equal(harness_append_party(parties, sizeof(parties),
					      &f->node, 1, "bel", NULL),
			 0);
	assert_int_equal(harness_append_party(parties, sizeof(parties),
					      &f->desk, 1, "bel", NULL),
			 0);
	assert_int_equal(harness_relay_rewrite(&f->relay, "bel", parties), 0);
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	assert_int_equal(wait_acked(f, 20, 60000), 20);
	assert_relay_holds(f, 20);
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
}

/* Read datagrams from fd for up to ms; 1 once one equals want. */
static int
notify_wait(int fd, const char *want, int ms)
{
	uint64_t end = harness_now_ms() +
		       (uint64_t)ms * (uint64_t)harness_slowness();
	char buf[256];
	ssize_t n;

	while (harness_now_ms() < end) {
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0) {
			harness_sleep_ms(10);
			continue;
		}
		buf[n] = '\0';
		if (strcmp(buf, want) == 0)
			return 1;
	}
	return 0;
}

static void
test_notify_and_wakeup(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa;
	char path[HARNESS_PATH_MAX];
	int fd;

	/* A notification socket as systemd provides it. */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "%s/notify.sock", f->dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path));
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "400000", 1);

	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	assert_true(notify_wait(fd, "READY=1", 5000));
	assert_true(notify_wait(fd, "WATCHDOG=1", 2000));
	assert_true(notify_wait(fd, "WATCHDOG=1", 2000));

	/* Connected and idle; the CLI queues: the daemon notices by
	 * itself (PRAGMA data_version) and sends at once. */
	assert_int_equal(harness_wait_log(&f->proc, "event=seq_reply", 10000),
			 0);
	harness_sleep_ms(300);
	queue_escalations(f, 5, NULL);
	assert_int_equal(wait_acked(f, 5, 3000), 5);

	assert_int_equal(harness_stop(&f->proc, 10000), 0);
	assert_true(notify_wait(fd, "STOPPING=1", 1000));
	close(fd);
}

static void
test_sighup_reload(void **state)
{
	struct fixture *f = *state;
	struct keyfile other;
	char extra[512] = "", path[HARNESS_PATH_MAX];

	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	node_start(f);
	assert_int_equal(harness_wait_log(&f->proc, "event=seq_reply", 10000),
			 0);

	/* A broken file: the old configuration stays, sending goes on. */
	assert_int_equal(harness_write_file(f->dir, "node.conf",
					    "[node]\nparty = nonsense\n", path,
					    sizeof(path)),
			 0);
	kill(f->proc.pid, SIGHUP);
	assert_int_equal(harness_wait_log(&f->proc, "event=reload_failed",
					  10000),
			 0);
	queue_escalations(f, 3, NULL);
	assert_int_equal(wait_acked(f, 3, 5000), 3);

	/* Another party (its key file no longer matches): refused. */
	assert_int_equal(write_node_config_with(f, "region:zuid-limburg", ""),
			 0);
	kill(f->proc.pid, SIGHUP);
	assert_int_equal(harness_wait_log(&f->proc, "zuid-limburg", 10000), 0);
	assert_true(harness_file_contains(f->log, "keeping=old"));

	/* A new [party] section: applied at once. */
	assert_int_equal(keyfile_generate("region:midden-limburg", &other), 0);
	assert_int_equal(harness_append_party(extra, sizeof(extra), &other, 0,
					      "bel", NULL),
			 0);
	keyfile_wipe(&other);
	assert_int_equal(write_node_config_with(f, NODE_PARTY, extra), 0);
	kill(f->proc.pid, SIGHUP);
	assert_int_equal(harness_wait_log(&f->proc,
					  "event=reloaded parties=2", 10000),
			 0);
	queue_escalations(f, 3, NULL);
	assert_int_equal(wait_acked(f, 6, 5000), 6);
	assert_relay_holds(f, 6);
	assert_int_equal(harness_stop(&f->proc, 10000), 0);
}

/* Wait (bounded) for a short-lived process to exit; its exit status. */
static int
wait_exit(struct harness_proc *p)
{
	int status = 0, i;

	for (i = 0; i < 200 * harness_slowness(); i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		harness_sleep_ms(50);
	}
	return harness_stop(p, 1000);
}

static void
test_check_config(void **state)
{
	struct fixture *f = *state;
	const char *bin = getenv("RET_NODE_BIN");
	char bad[HARNESS_PATH_MAX], log[HARNESS_PATH_MAX + 8];
	const char *good_argv[] = {bin, "--check-config", f->conf, NULL};
	const char *bad_argv[] = {bin, "--check-config", bad, NULL};
	const char *usage_argv[] = {bin, "--no-such-option", NULL};
	struct harness_proc p;

	assert_non_null(bin);
	snprintf(log, sizeof(log), "%s/check.log", f->dir);
	assert_int_equal(harness_spawn(&p, good_argv, log), 0);
	assert_int_equal(wait_exit(&p), 0);
	assert_true(harness_file_contains(log, "configuration is valid"));

	assert_int_equal(harness_write_file(f->dir, "bad.conf",
					    "[node]\nparty = " NODE_PARTY
					    "\nben = bel\nwhat = 1\n",
					    bad, sizeof(bad)),
			 0);
	assert_int_equal(harness_spawn(&p, bad_argv, log), 0);
	assert_int_equal(wait_exit(&p), 78);
	assert_true(harness_file_contains(log, "bad.conf:4:"));

	assert_int_equal(harness_spawn(&p, usage_argv, log), 0);
	assert_int_equal(wait_exit(&p), 64);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drains_after_relay_was_down,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_mid_drain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_delivered_twice_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_renumbers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_check_config, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_yet_admitted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_notify_and_wakeup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sighup_reload, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/* RET_TEST_FILTER=test_check_config runs one test (e.g. under
	 * RET_VALGRIND=1, where the long drains are slow). */
	if (getenv("RET_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("RET_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
