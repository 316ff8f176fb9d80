/*
 * test_node_sync: the real ret-node process against a relay on 127.0.0.1.
 *
 * The relay here is a small fake written in this test: a real ROUTER socket
 * with CURVE (server keys generated at run time), a port picked at run
 * time, that keeps the relay's sequence rule (an id stored before: duplicate
 * ack; else seq must be last + 1, REPLAY below, SEQ_GAP above), stores in
 * memory, acks, answers SeqQuery, delivers on Resume and records confirms.
 * It lives in the test process, so it survives "restarts" (closing and
 * binding the socket again) the way a relay's database does.
 *
 * Proven: the outbox drains after the relay was down; kill -9 of the node
 * mid-drain loses nothing and sends nothing twice into the store; a
 * message delivered twice is applied once; a permanent refusal renumbers
 * the rest so the relay sees no gap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "envelope.h"
#include "frame.h"
#include "keyfile.h"
#include "msgid.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_outbox.h"

#define MAX_STORED 4096

/* ---------------------------------------------------------------------
 * The fake relay */

struct stored {
	uint8_t id[MSGID_LEN];
	uint64_t seq;
};

struct fake_relay {
	void *ctx;
	void *sock;
	char secret[KEYFILE_Z85_LEN + 1];
	char public[KEYFILE_Z85_LEN + 1];
	int port;
	struct stored stored[MAX_STORED];
	size_t n_stored;
	unsigned submits;    /* every submit frame received */
	unsigned duplicates; /* answered with a duplicate ack */
	unsigned resumes;
	unsigned seq_queries;
	uint64_t confirmed; /* highest confirmed cursor */
	uint8_t peer[256];  /* routing id of the node */
	size_t peer_len;
	/* Refuse this message id once, permanently (all zero: none). */
	uint8_t refuse_id[MSGID_LEN];
	/* Deliver these on every Resume. */
	uint8_t *delivery;
	size_t delivery_len;
	unsigned deliver_times; /* each Resume delivers it this often */
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void
relay_up(struct fake_relay *r)
{
	int one = 1, zero = 0;
	char ep[64];
	size_t len = sizeof(ep);

	r->sock = zmq_socket(r->ctx, ZMQ_ROUTER);
	assert_non_null(r->sock);
	assert_int_equal(zmq_setsockopt(r->sock, ZMQ_CURVE_SERVER, &one,
					sizeof(one)),
			 0);
	assert_int_equal(zmq_setsockopt(r->sock, ZMQ_CURVE_SECRETKEY,
					r->secret, KEYFILE_Z85_LEN),
			 0);
	assert_int_equal(zmq_setsockopt(r->sock, ZMQ_LINGER, &zero,
					sizeof(zero)),
			 0);
	if (r->port == 0) {
		assert_int_equal(zmq_bind(r->sock, "tcp://127.0.0.1:0"), 0);
		assert_int_equal(zmq_getsockopt(r->sock, ZMQ_LAST_ENDPOINT, ep,
						&len),
				 0);
		r->port = (int)strtol(strrchr(ep, ':') + 1, NULL, 10);
	} else {
		int tries;

		snprintf(ep, sizeof(ep), "tcp://127.0.0.1:%d", r->port);
		/* The port was ours a moment ago; allow TIME_WAIT a little. */
		for (tries = 0; zmq_bind(r->sock, ep) != 0 && tries < 50;
		     tries++)
			usleep(100 * 1000);
		assert_true(tries < 50);
	}
}

static void
relay_down(struct fake_relay *r)
{
	if (r->sock)
		zmq_close(r->sock);
	r->sock = NULL;
}

static void
relay_send(struct fake_relay *r, uint8_t *buf, size_t len)
{
	zmq_send(r->sock, r->peer, r->peer_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
	zmq_send(r->sock, buf, len, ZMQ_DONTWAIT);
	free(buf);
}

static int
relay_find(const struct fake_relay *r, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < r->n_stored; i++)
		if (memcmp(r->stored[i].id, id, MSGID_LEN) == 0)
			return (int)i;
	return -1;
}

static void
relay_submit(struct fake_relay *r, const uint8_t *env_buf, size_t len)
{
	struct envelope *env = NULL;
	struct wire_error werr;
	uint8_t *out = NULL;
	size_t out_len = 0;
	uint64_t last = r->n_stored ? r->stored[r->n_stored - 1].seq : 0;
	const uint8_t *id;
	uint64_t seq;
	static const uint8_t zero[MSGID_LEN];

	r->submits++;
	assert_int_equal(envelope_decode(env_buf, len, &env, &werr), WIRE_OK);
	id = env->body->message_id.data;
	seq = env->body->seq;
	if (relay_find(r, id) >= 0) {
		r->duplicates++;
		assert_int_equal(frame_pack_ack(id, seq, 1, &out, &out_len), 0);
	} else if (memcmp(r->refuse_id, zero, MSGID_LEN) != 0 &&
		   memcmp(r->refuse_id, id, MSGID_LEN) == 0 &&
		   seq == last + 1) {
		assert_int_equal(frame_pack_nack(id, seq, WIRE_NOT_ROUTABLE,
						 "this kind may not go there",
						 &out, &out_len),
				 0);
	} else if (seq <= last) {
		assert_int_equal(frame_pack_nack(id, seq, WIRE_REPLAY, "replay",
						 &out, &out_len),
				 0);
	} else if (seq > last + 1) {
		assert_int_equal(frame_pack_nack(id, seq, WIRE_SEQ_GAP,
						 "sequence gap", &out,
						 &out_len),
				 0);
	} else {
		assert_true(r->n_stored < MAX_STORED);
		memcpy(r->stored[r->n_stored].id, id, MSGID_LEN);
		r->stored[r->n_stored].seq = seq;
		r->n_stored++;
		assert_int_equal(frame_pack_ack(id, seq, 0, &out, &out_len), 0);
	}
	envelope_destroy(&env);
	relay_send(r, out, out_len);
}

static void
relay_frame(struct fake_relay *r, const uint8_t *buf, size_t len)
{
	struct client_frame *f = NULL;
	struct wire_error werr;
	const Retfed__V1__ClientFrame *m;
	unsigned i;

	assert_int_equal(client_frame_decode(buf, len, &f, &werr), WIRE_OK);
	m = f->msg;
	switch (m->frame_case) {
	case RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT:
		relay_submit(r, m->submit.data, m->submit.len);
		break;
	case RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM:
		if (m->confirm->cursor > r->confirmed)
			r->confirmed = m->confirm->cursor;
		break;
	case RETFED__V1__CLIENT_FRAME__FRAME_RESUME:
		r->resumes++;
		for (i = 0; r->delivery && i < r->deliver_times; i++) {
			uint8_t *out = NULL;
			size_t out_len = 0;

			assert_int_equal(frame_pack_delivery(1, r->delivery,
							     r->delivery_len,
							     &out, &out_len),
					 0);
			relay_send(r, out, out_len);
		}
		break;
	case RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY: {
		Retfed__V1__RelayFrame rf;
		Retfed__V1__SeqReply sr;
		uint8_t *out = NULL;
		size_t out_len = 0;

		retfed__v1__relay_frame__init(&rf);
		retfed__v1__seq_reply__init(&sr);
		r->seq_queries++;
		sr.last_seq = r->n_stored ? r->stored[r->n_stored - 1].seq : 0;
		rf.frame_case = RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY;
		rf.seq_reply = &sr;
		assert_int_equal(frame_pack(&rf.base, &out, &out_len), 0);
		relay_send(r, out, out_len);
		break;
	}
	default:
		fail_msg("unexpected client frame");
	}
	client_frame_destroy(&f);
}

/* Serve for up to ms milliseconds, or until done(r) is true. */
static void
relay_serve(struct fake_relay *r, unsigned ms,
	    int (*done)(struct fake_relay *r, void *arg), void *arg)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end) {
		zmq_pollitem_t it = {r->sock, 0, ZMQ_POLLIN, 0};
		zmq_msg_t id, body;

		if (done && done(r, arg))
			return;
		if (r->sock == NULL) {
			usleep(20 * 1000);
			continue;
		}
		if (zmq_poll(&it, 1, 20) <= 0)
			continue;
		zmq_msg_init(&id);
		zmq_msg_init(&body);
		if (zmq_msg_recv(&id, r->sock, 0) >= 0 &&
		    zmq_msg_recv(&body, r->sock, 0) >= 0) {
			r->peer_len = zmq_msg_size(&id) < sizeof(r->peer)
					      ? zmq_msg_size(&id)
					      : sizeof(r->peer);
			memcpy(r->peer, zmq_msg_data(&id), r->peer_len);
			relay_frame(r, zmq_msg_data(&body), zmq_msg_size(&body));
		}
		zmq_msg_close(&id);
		zmq_msg_close(&body);
	}
}

/* Every stored seq is 1..n in order and no id is stored twice. */
static void
relay_check_store(const struct fake_relay *r)
{
	size_t i, j;

	for (i = 0; i < r->n_stored; i++) {
		assert_int_equal(r->stored[i].seq, i + 1);
		for (j = i + 1; j < r->n_stored; j++)
			assert_memory_not_equal(r->stored[i].id,
						r->stored[j].id, MSGID_LEN);
	}
}

/* ---------------------------------------------------------------------
 * The node: configuration, database, process */

struct fixture {
	char dir[256];
	char conf[300];
	char db_path[300];
	char log[300];
	struct keyfile node;
	struct keyfile desk;
	struct fake_relay relay;
	pid_t pid;
	sqlite3 *db; /* the test's own connection to the node database */
};

static const char *
node_bin(void)
{
	static char path[512];
	const char *env = getenv("RET_NODE_BIN");

	if (env && *env)
		return env;
	env = getenv("RET_BUILD_DIR");
	snprintf(path, sizeof(path), "%s/node/ret-node", env ? env : ".");
	return path;
}

static void
write_config(struct fixture *f)
{
	char hex[65], path[320], err[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/node.secret", f->dir);
	assert_int_equal(keyfile_write(path, &f->node, err, sizeof(err)), 0);
	sodium_bin2hex(hex, sizeof(hex), f->desk.sign_pk, 32);
	fp = fopen(f->conf, "w");
	assert_non_null(fp);
	fprintf(fp,
		"[node]\n"
		"party = region:noord-limburg\n"
		"ben = bel\n"
		"database = node.db\n"
		"key_file = node.secret\n"
		"log_level = info\n"
		"\n"
		"[relay]\n"
		"endpoint = tcp://127.0.0.1:%d\n"
		"party = relay:bel\n"
		"transport_key = %s\n"
		"\n"
		"[party desk:bel-roermond]\n"
		"signing_key = %s\n"
		"ben = bel\n",
		f->relay.port, f->relay.public, hex);
	fclose(fp);
}

static void
node_start(struct fixture *f)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		execl(node_bin(), "ret-node", "--config", f->conf, (char *)NULL);
		_exit(127);
	}
	f->pid = pid;
}

/* Stop the node by its pid: SIGTERM, bounded wait, then SIGKILL. */
static int
node_stop(struct fixture *f, int sig)
{
	int status = -1, i;

	if (f->pid <= 0)
		return -1;
	kill(f->pid, sig);
	for (i = 0; i < 100; i++) {
		if (waitpid(f->pid, &status, WNOHANG) == f->pid)
			break;
		relay_serve(&f->relay, 50, NULL, NULL);
	}
	if (i == 100) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, &status, 0);
	}
	f->pid = 0;
	return status;
}

static Retfed__V1__ProblemArea areas[] = {RETFED__V1__PROBLEM_AREA__PROBLEM_GEDRAG};
static Retfed__V1__SupportKind support[] = {
	RETFED__V1__SUPPORT_KIND__SUPPORT_EXPERTISE};

static void
queue(struct fixture *f, unsigned n, uint8_t last_id[MSGID_LEN])
{
	Retfed__V1__Body b;
	Retfed__V1__Escalation e;
	struct node_msg_error err;
	uint8_t id[MSGID_LEN];
	unsigned i;

	retfed__v1__body__init(&b);
	retfed__v1__escalation__init(&e);
	e.case_ref = (char *)(uintptr_t)"nl:0123456789abcdef0123456789abcdef";
	e.age_band = RETFED__V1__AGE_BAND__AGE_12_15;
	e.n_problem_areas = 1;
	e.problem_areas = areas;
	e.why_stuck = (char *)(uintptr_t)"Geen passende plek.";
	e.what_was_tried = (char *)(uintptr_t)"Drie aanbieders.";
	e.n_support_asked = 1;
	e.support_asked = support;
	e.urgency = RETFED__V1__URGENCY__URGENCY_NORMAL;
	b.kind = RETFED__V1__KIND__KIND_ESCALATION;
	b.payload_case = RETFED__V1__BODY__PAYLOAD_ESCALATION;
	b.escalation = &e;
	for (i = 0; i < n; i++) {
		assert_int_equal(node_outbox_queue(f->db, &f->node, "test", &b,
						   NULL, id, &err),
				 NODE_OK);
		if (last_id && i == n - 1)
			memcpy(last_id, id, MSGID_LEN);
	}
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

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	struct node_msg_error merr;
	uint8_t pk[32], sk[32];

	if (f == NULL || sodium_init() < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ret-node-sync-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->conf, sizeof(f->conf), "%s/node.conf", f->dir);
	snprintf(f->db_path, sizeof(f->db_path), "%s/node.db", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/node.log", f->dir);
	if (keyfile_generate("region:noord-limburg", &f->node) != 0 ||
	    keyfile_generate("desk:bel-roermond", &f->desk) != 0)
		return -1;
	crypto_box_keypair(pk, sk);
	zmq_z85_encode(f->relay.public, pk, 32);
	zmq_z85_encode(f->relay.secret, sk, 32);
	sodium_memzero(sk, sizeof(sk));
	f->relay.ctx = zmq_ctx_new();
	if (f->relay.ctx == NULL)
		return -1;
	relay_up(&f->relay); /* picks the port */
	write_config(f);
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
	char cmd[600];

	if (f->pid > 0)
		node_stop(f, SIGKILL);
	relay_down(&f->relay);
	zmq_ctx_term(f->relay.ctx);
	node_db_close(&f->db);
	free(f->relay.delivery);
	keyfile_wipe(&f->node);
	keyfile_wipe(&f->desk);
	if (getenv("RET_KEEP_TMP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", f->dir);
	}
	free(f);
	return 0;
}

static int
stored_at_least(struct fake_relay *r, void *arg)
{
	return r->n_stored >= *(size_t *)arg;
}

static int
all_acked(struct fixture *f, int n)
{
	return count(f->db, "SELECT count(*) FROM outbox WHERE state = 'acked'") ==
	       n;
}

/* ---------------------------------------------------------------------
 * Tests */

static void
test_drains_after_relay_was_down(void **state)
{
	struct fixture *f = *state;
	size_t want = 1000;
	uint64_t t0;
	int i, status;

	relay_down(&f->relay);
	queue(f, 500, NULL);
	node_start(f);
	/* The relay is away: the node retries, nothing is acked. */
	relay_serve(&f->relay, 1500, NULL, NULL);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox"
				      " WHERE state = 'acked'"),
			 0);
	/* Queued while the daemon runs and the relay is away. */
	queue(f, 500, NULL);
	relay_up(&f->relay);
	t0 = now_ms();
	relay_serve(&f->relay, 40000, stored_at_least, &want);
	assert_int_equal(f->relay.n_stored, want);
	relay_check_store(&f->relay);
	for (i = 0; i < 100 && !all_acked(f, (int)want); i++)
		relay_serve(&f->relay, 50, NULL, NULL);
	assert_true(all_acked(f, (int)want));
	/* Includes the reconnect delay after the outage (backoff). */
	print_message("drained %zu messages in %llu ms after the relay "
		      "returned\n",
		      want, (unsigned long long)(now_ms() - t0));
	assert_true(f->relay.resumes >= 1);
	assert_true(f->relay.seq_queries >= 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.sent'"),
			 (int)want);
	status = node_stop(f, SIGTERM);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
test_kill_mid_drain(void **state)
{
	struct fixture *f = *state;
	size_t want = 3000, some = 400;
	int i;

	queue(f, (unsigned)want, NULL);
	node_start(f);
	relay_serve(&f->relay, 20000, stored_at_least, &some);
	assert_true(f->relay.n_stored >= some);
	assert_true(f->relay.n_stored < want);
	node_stop(f, SIGKILL);
	/* Whatever the relay stored and the node did not record yet is
	 * sent again and answered with a duplicate ack. */
	node_start(f);
	relay_serve(&f->relay, 60000, stored_at_least, &want);
	assert_int_equal(f->relay.n_stored, want);
	relay_check_store(&f->relay);
	for (i = 0; i < 100 && !all_acked(f, (int)want); i++)
		relay_serve(&f->relay, 50, NULL, NULL);
	assert_true(all_acked(f, (int)want));
	/* Nothing sent twice into the store; each acked exactly once. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.sent'"),
			 (int)want);
	print_message("kill -9 mid-drain: %zu stored, %u submits, %u "
		      "duplicate acks\n",
		      f->relay.n_stored, f->relay.submits,
		      f->relay.duplicates);
	node_stop(f, SIGTERM);
}

static void
test_delivered_twice_applied_once(void **state)
{
	struct fixture *f = *state;
	Retfed__V1__Body b;
	Retfed__V1__Decision d;
	uint8_t key_id[ENVELOPE_KEY_ID_LEN], req[MSGID_LEN], id[MSGID_LEN];
	struct wire_error werr;
	int i;

	retfed__v1__body__init(&b);
	retfed__v1__decision__init(&d);
	msgid_generate(req, msgid_now_ms() - 5000);
	d.case_ref = (char *)(uintptr_t)"nl:0123456789abcdef0123456789abcdef";
	d.request_id.data = req;
	d.request_id.len = MSGID_LEN;
	d.status = RETFED__V1__DECISION_STATUS__DECISION_RECEIVED;
	envelope_key_id(f->desk.sign_pk, key_id);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_DECISION,
			      f->desk.party, key_id, 1, msgid_now_ms(), id);
	b.recipient = (char *)(uintptr_t)"region:noord-limburg";
	b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
	b.decision = &d;
	assert_int_equal(envelope_seal(&b, f->desk.sign_sk,
				       &f->relay.delivery,
				       &f->relay.delivery_len, &werr),
			 WIRE_OK);
	f->relay.deliver_times = 2;

	node_start(f);
	for (i = 0; i < 200 && f->relay.confirmed < 1; i++)
		relay_serve(&f->relay, 50, NULL, NULL);
	assert_int_equal(f->relay.confirmed, 1);
	/* A restart of the relay delivers it twice more. */
	relay_down(&f->relay);
	relay_serve(&f->relay, 300, NULL, NULL);
	relay_up(&f->relay);
	for (i = 0; i < 400 && f->relay.resumes < 2; i++)
		relay_serve(&f->relay, 50, NULL, NULL);
	assert_true(f->relay.resumes >= 2);
	relay_serve(&f->relay, 500, NULL, NULL);
	assert_int_equal(count(f->db, "SELECT count(*) FROM inbox"), 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM audit WHERE"
				      " action = 'message.received'"),
			 1);
	assert_int_equal(count(f->db, "SELECT value FROM messaging_state"
				      " WHERE name = 'relay_cursor'"),
			 1);
	node_stop(f, SIGTERM);
}

static void
test_refusal_renumbers(void **state)
{
	struct fixture *f = *state;
	uint8_t refused[MSGID_LEN];
	size_t want = 39;
	int i;

	queue(f, 10, NULL);
	queue(f, 1, refused);
	queue(f, 29, NULL);
	memcpy(f->relay.refuse_id, refused, MSGID_LEN);
	node_start(f);
	relay_serve(&f->relay, 30000, stored_at_least, &want);
	assert_int_equal(f->relay.n_stored, want);
	relay_check_store(&f->relay);
	assert_int_equal(relay_find(&f->relay, refused), -1);
	for (i = 0; i < 100 && !all_acked(f, (int)want); i++)
		relay_serve(&f->relay, 50, NULL, NULL);
	assert_true(all_acked(f, (int)want));
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox WHERE"
				      " state = 'refused' AND seq = 11"
				      " AND refusal_reason = 16"),
			 1);
	node_stop(f, SIGTERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_drains_after_relay_was_down,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill_mid_drain, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_delivered_twice_applied_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_renumbers, setup,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
