/*
 * test_fault: randomised fault injection against the real programs on
 * 127.0.0.1 (one ret-relay, four region ret-node daemons and a desk
 * ret-node; ports and keys made at run time).
 *
 * Each round the regions queue messages into their own node databases
 * through node_outbox_queue() (as the CLI does, while the daemon runs on
 * the same file): learning summaries (to every other region and the desk),
 * peer-review requests (to another region) and escalations (to the desk).
 * While they flow, one or two faults hit at random moments:
 *
 *   kill -9 of the relay or of a node (restarted with its database),
 *   SIGSTOP/SIGCONT of the relay or a node, a clean restart,
 *   a TCP proxy between a node and the relay that cuts the connection,
 *   stalls it or delays every chunk, and a "full disk" for the relay
 *   (restarted with a small RLIMIT_FSIZE: its writes fail, it must answer
 *   store_failed and ack nothing it did not commit; restarted again with
 *   no limit, it must go on).
 *
 * After each round (the harness only restarts what it killed) every
 * message must arrive, and then the invariants are checked:
 *   1. every message a node has acked is in the relay store exactly once,
 *      with the node's sequence number; nothing stays queued or refused;
 *   2. per author the relay holds 1..N without a gap (= senders.last_seq);
 *   3. every recipient has each message addressed to it exactly once in
 *      its inbox, applied, and the counts are exact (also the relay's
 *      delivery rows and the learning summaries the apply hook stored);
 *   4. every audit log verifies (node_audit_verify) and is complete:
 *      one message.queued and message.sent per outbox row, one
 *      message.received per inbox row;
 *   5. no process exited by itself.
 *
 * RET_FAULT_SEED (else time-based; printed first, to replay a failure),
 * RET_FAULT_ROUNDS (default 50), RET_FAULT_MESSAGES (per region and round,
 * default 50), RET_FAULT_TIME_LIMIT_S (stop starting rounds after this,
 * default 0: no limit), RET_FAULT_ONLY=<name> (one kind of fault only, e.g.
 * proxy-cut; names as in the figures), RET_FAULT_VERBOSE (a line per round).
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
#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault_proxy.h"
#include "harness.h"
#include "keyfile.h"
#include "msgid.h"
#include "node_audit.h"
#include "node_db.h"
#include "node_outbox.h"
#include "drafts.h"

#define N_REGIONS 4
#define N_NODES (N_REGIONS + 1) /* the desk is the last */
#define DESK N_REGIONS
#define ROUND_WINDOW_MS 1000	/* messages are queued during this */
#define QUEUE_STEPS 10
#define DRAIN_LIMIT_MS 90000	/* a round must settle within this */
#define DISK_FULL_MAX_MS 8000	/* a full disk lasts at most this */
#define DISK_ROOM 65536	/* bytes per file the "full" relay may write */

static const char *const parties[N_NODES] = {
	"region:fault-a", "region:fault-b", "region:fault-c", "region:fault-d",
	"desk:fault-desk"};

enum fault {
	F_KILL_RELAY,
	F_KILL_NODE,
	F_STOP_RELAY,
	F_STOP_NODE,
	F_RESTART_RELAY,
	F_RESTART_NODE,
	F_CUT,
	F_STALL,
	F_DELAY,
	F_DISK_FULL,
	F_N
};

static const char *const fault_names[F_N] = {
	"kill9-relay", "kill9-node", "sigstop-relay", "sigstop-node",
	"restart-relay", "restart-node", "proxy-cut", "proxy-stall",
	"proxy-delay", "disk-full"};

struct node {
	struct keyfile key;
	char conf[HARNESS_PATH_MAX];
	char db_path[HARNESS_PATH_MAX];
	char log[HARNESS_PATH_MAX];
	struct harness_proc proc;
	struct fault_proxy *proxy;
	sqlite3 *db; /* the harness's own connection, for queueing */
	/* What this region queued, all rounds together. */
	unsigned ls, esc, prr_to[N_REGIONS];
	unsigned pending; /* still to queue in this round */
};

struct fixture {
	char *dir;
	struct harness_relay relay;
	struct node n[N_NODES];
	uint64_t rng;
	int only; /* RET_FAULT_ONLY: one kind of fault, else -1 */
	unsigned full_logs; /* relay logs written under a small limit */
	/* Figures. */
	unsigned rounds, messages, faults[F_N], violations;
	unsigned store_failed, full_refusing, full_start_refused;
};

/* ---------------------------------------------------------------------
 * Small helpers */

static uint64_t
rnd(struct fixture *f)
{
	/* xorshift64* */
	f->rng ^= f->rng >> 12;
	f->rng ^= f->rng << 25;
	f->rng ^= f->rng >> 27;
	return f->rng * 2685821657736338717ull;
}

static unsigned
rnd_below(struct fixture *f, unsigned n)
{
	return n == 0 ? 0 : (unsigned)(rnd(f) % n);
}

static unsigned
env_unsigned(const char *name, unsigned dflt)
{
	const char *s = getenv(name);
	char *end = NULL;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > 1000000000ul) {
		fprintf(stderr, "%s=%s is not a number; using %u\n", name, s,
			dflt);
		return dflt;
	}
	return (unsigned)v;
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

/* How many lines of a file contain needle (0 when there is no file). */
static unsigned
count_in_file(const char *path, const char *needle)
{
	char line[2048];
	FILE *fp = fopen(path, "r");
	unsigned n = 0;

	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return n;
}

static void
violation(struct fixture *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
violation(struct fixture *f, const char *fmt, ...)
{
	va_list ap;

	f->violations++;
	fprintf(stderr, "VIOLATION round %u: ", f->rounds);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------------
 * Set-up */

static int
write_node_conf(struct fixture *f, unsigned i)
{
	char text[8192], hex[65], name[64], db[64], secret[64];
	size_t len;
	unsigned j;
	int w;

	snprintf(name, sizeof(name), "node-%u.conf", i);
	snprintf(db, sizeof(db), "node-%u.db", i);
	snprintf(secret, sizeof(secret), "%s.secret",
		 strchr(parties[i], ':') + 1);
	w = snprintf(text, sizeof(text),
		     "[node]\nparty = %s\nben = bel\ndatabase = %s\n"
		     "key_file = %s\nlog_level = info\n\n"
		     "[relay]\nendpoint = tcp://127.0.0.1:%d\n"
		     "party = relay:bel\ntransport_key = %s\n",
		     parties[i], db, secret, fault_proxy_port(f->n[i].proxy),
		     f->relay.key.transport_pk);
	if (w < 0 || (size_t)w >= sizeof(text))
		return -1;
	len = (size_t)w;
	for (j = 0; j < N_NODES; j++) {
		if (j == i)
			continue;
		sodium_bin2hex(hex, sizeof(hex), f->n[j].key.sign_pk, 32);
		w = snprintf(text + len, sizeof(text) - len,
			     "\n[party %s]\nsigning_key = %s\nben = bel\n",
			     parties[j], hex);
		if (w < 0 || (size_t)w >= sizeof(text) - len)
			return -1;
		len += (size_t)w;
	}
	snprintf(f->n[i].db_path, sizeof(f->n[i].db_path), "%s/%s", f->dir,
		 db);
	snprintf(f->n[i].log, sizeof(f->n[i].log), "%s/node-%u.log", f->dir,
		 i);
	return harness_write_file(f->dir, name, text, f->n[i].conf,
				  sizeof(f->n[i].conf));
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char text[8192] = "", err[256];
	struct node_msg_error merr;
	unsigned i;

	if (f == NULL || (f->dir = harness_tmpdir("fault")) == NULL)
		return -1;
	/* Info level: the relay log is read for figures, not for debugging. */
	setenv("RET_HARNESS_LOG_LEVEL", "info", 0);
	for (i = 0; i < N_NODES; i++)
		if (harness_party_keys(f->dir, parties[i], &f->n[i].key, NULL,
				       0) != 0 ||
		    harness_append_party(text, sizeof(text), &f->n[i].key, 1,
					 "bel", NULL) != 0)
			return -1;
	if (harness_relay_init(&f->relay, f->dir, "relay:bel", "bel", text) !=
	    0)
		return -1;
	for (i = 0; i < N_NODES; i++) {
		f->n[i].proxy = fault_proxy_new(f->relay.port);
		if (f->n[i].proxy == NULL || write_node_conf(f, i) != 0)
			return -1;
		if (node_db_open(f->n[i].db_path, NODE_DB_CREATE, &f->n[i].db,
				 err, sizeof(err)) != NODE_OK ||
		    node_audit_migrate(f->n[i].db, err, sizeof(err)) !=
			    NODE_OK ||
		    node_outbox_migrate(f->n[i].db, &merr) != NODE_OK) {
			fprintf(stderr, "node database %u: %s\n", i, err);
			return -1;
		}
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	unsigned i;

	for (i = 0; i < N_NODES; i++) {
		if (f->n[i].proc.pid > 0) {
			kill(f->n[i].proc.pid, SIGCONT);
			harness_stop(&f->n[i].proc, 5000);
		}
		fault_proxy_destroy(&f->n[i].proxy);
		node_db_close(&f->n[i].db);
		keyfile_wipe(&f->n[i].key);
	}
	if (f->relay.proc.pid > 0) {
		kill(f->relay.proc.pid, SIGCONT);
		harness_stop(&f->relay.proc, 5000);
	}
	keyfile_wipe(&f->relay.key);
	if (getenv("RET_KEEP_TMP") == NULL && f->violations == 0)
		harness_rmtree(f->dir);
	else
		fprintf(stderr, "kept %s\n", f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------------
 * Processes */

static int
node_start(struct fixture *f, unsigned i)
{
	const char *bin = getenv("RET_NODE_BIN");
	const char *argv[] = {bin, "--config", f->n[i].conf, NULL};

	if (bin == NULL || harness_spawn(&f->n[i].proc, argv, f->n[i].log) != 0)
		return -1;
	return 0;
}

/*
 * Start the relay with every file it writes limited to fsize bytes
 * (RLIMIT_FSIZE, SIGXFSZ ignored so a write fails with EFBIG instead of
 * killing it), logging to a fresh file. Returns 0 once it is ready, 1 when
 * it refused to start, -1 on a harness error.
 */
static int
relay_start_limited(struct fixture *f, off_t fsize)
{
	const char *bin = getenv("RET_RELAY_BIN");
	char log[HARNESS_PATH_MAX];
	struct rlimit old, lim;
	struct sigaction ign, prev;
	uint64_t end;
	int rc, status;

	if (bin == NULL)
		return -1;
	snprintf(log, sizeof(log), "%s/relay-full-%u.log", f->dir,
		 f->full_logs++);
	/* The child inherits the limit and the ignored signal across exec;
	 * this process has both for the moment of the fork only. */
	if (getrlimit(RLIMIT_FSIZE, &old) != 0)
		return -1;
	lim = old;
	lim.rlim_cur = (rlim_t)fsize;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	if (sigaction(SIGXFSZ, &ign, &prev) != 0)
		return -1;
	if (setrlimit(RLIMIT_FSIZE, &lim) != 0) {
		sigaction(SIGXFSZ, &prev, NULL);
		return -1;
	}
	{
		const char *argv[] = {bin, "--config", f->relay.config, NULL};

		rc = harness_spawn(&f->relay.proc, argv, log);
	}
	(void)setrlimit(RLIMIT_FSIZE, &old);
	sigaction(SIGXFSZ, &prev, NULL);
	if (rc != 0)
		return -1;
	end = harness_now_ms() + 10000u * (uint64_t)harness_slowness();
	while (harness_now_ms() < end) {
		if (harness_file_contains(log, "ready=1"))
			return 0;
		if (waitpid(f->relay.proc.pid, &status, WNOHANG) ==
		    f->relay.proc.pid) {
			f->relay.proc.pid = 0;
			return 1;
		}
		harness_sleep_ms(20);
	}
	harness_kill9(&f->relay.proc);
	return 1;
}

static off_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? sb.st_size : 0;
}

/* With the relay stopped: checkpoint its WAL into the database and
 * truncate it (what SQLite does when its last connection closes). */
static int
relay_wal_truncate(struct fixture *f)
{
	sqlite3 *db = NULL;
	int rc;

	rc = sqlite3_open_v2(f->relay.database, &db, SQLITE_OPEN_READWRITE,
			     NULL);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, 5000);
		rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
				  NULL, NULL);
	}
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Whether a process the harness believes running has exited by itself. */
static void
check_alive(struct fixture *f, struct harness_proc *p, const char *what)
{
	int status;

	if (p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == p->pid) {
		violation(f, "%s exited by itself (status %d, log %s)", what,
			  status, p->log);
		p->pid = 0;
	}
}

/* ---------------------------------------------------------------------
 * Workload */

/* Queue one message of a random kind for region i; 0, or -1 when the
 * database was busy (try again later). */
static int
queue_one(struct fixture *f, unsigned i)
{
	struct node_build_draft *bd = NULL;
	struct node_summary_draft *sd = NULL;
	struct node_msg_error err;
	char text[] = "Wekelijks overleg met school.";
	char recipient[PARTY_ID_MAX], period[8];
	unsigned pick = rnd_below(f, 10), to = 0;
	uint8_t id[MSGID_LEN];
	enum node_status s;

	/* Built by the guard's real builders: the outbox takes nothing else. */
	memset(&err, 0, sizeof(err));
	if (pick < 4) {
		/* A month of its own each time: the guard refuses more than
		 * 16 publications that relate to one period. */
		snprintf(period, sizeof(period), "%04u-%02u",
			 2000 + (f->n[i].ls / 12) % 100, f->n[i].ls % 12 + 1);
		s = support_draft_summary(f->n[i].db, &f->n[i].key, period,
					  &sd, err.detail, sizeof(err.detail));
	} else if (pick < 7) {
		to = (i + 1 + rnd_below(f, N_REGIONS - 1)) % N_REGIONS;
		snprintf(recipient, sizeof(recipient), "%s", parties[to]);
		s = support_draft_peer_request(f->n[i].db, &f->n[i].key,
					       recipient, text, text, &bd, err.detail, sizeof(err.detail));
	} else {
		s = support_draft_escalation(f->n[i].db, &f->n[i].key, text,
					     text, NULL, &bd, err.detail, sizeof(err.detail));
	}
	if (s == NODE_OK)
		s = node_outbox_queue(f->n[i].db, &f->n[i].key, "fault",
				      sd != NULL ? node_summary_guarded(sd)
						 : node_build_guarded(bd),
				      NULL, id, &err);
	node_summary_destroy(&sd);
	node_build_destroy(&bd);
	if (s != NODE_OK) {
		if (s != NODE_ERR_BUSY)
			violation(f, "queueing at %s failed: %s", parties[i],
				  err.detail);
		return -1;
	}
	if (pick < 4)
		f->n[i].ls++;
	else if (pick < 7)
		f->n[i].prr_to[to]++;
	else
		f->n[i].esc++;
	f->messages++;
	return 0;
}

/* Queue up to `quota` of region i's pending messages. */
static void
queue_some(struct fixture *f, unsigned i, unsigned quota)
{
	while (quota-- > 0 && f->n[i].pending > 0) {
		if (queue_one(f, i) != 0)
			return;
		f->n[i].pending--;
	}
}

/* How many messages recipient r must hold, from what was queued. */
static unsigned
expected_at(const struct fixture *f, unsigned r)
{
	unsigned i, n = 0;

	for (i = 0; i < N_REGIONS; i++) {
		if (i == r)
			continue;
		n += f->n[i].ls;
		n += r == DESK ? f->n[i].esc : f->n[i].prr_to[r];
	}
	return n;
}

static unsigned
queued_total(const struct fixture *f, unsigned i)
{
	unsigned j, n = f->n[i].ls + f->n[i].esc;

	for (j = 0; j < N_REGIONS; j++)
		n += f->n[i].prr_to[j];
	return n;
}

/* ---------------------------------------------------------------------
 * Faults */

struct active {
	enum fault kind;
	unsigned target;   /* node index for node and proxy faults */
	uint64_t begin_at; /* round-relative ms */
	uint64_t end_at;
	int begun, ended;
};

/* Whether a fault hits the relay process itself. */
static int
relay_fault(enum fault k)
{
	return k == F_KILL_RELAY || k == F_STOP_RELAY ||
	       k == F_RESTART_RELAY || k == F_DISK_FULL;
}

static void
fault_begin(struct fixture *f, struct active *a)
{
	struct node *n = &f->n[a->target];
	int rc;

	a->begun = 1;
	f->faults[a->kind]++;
	switch (a->kind) {
	case F_KILL_RELAY:
		harness_kill9(&f->relay.proc);
		break;
	case F_KILL_NODE:
		harness_kill9(&n->proc);
		break;
	case F_STOP_RELAY:
		kill(f->relay.proc.pid, SIGSTOP);
		break;
	case F_STOP_NODE:
		kill(n->proc.pid, SIGSTOP);
		break;
	case F_RESTART_RELAY:
		if (harness_stop(&f->relay.proc, 10000) != 0)
			violation(f, "the relay did not stop cleanly");
		break;
	case F_RESTART_NODE:
		if (harness_stop(&n->proc, 10000) != 0)
			violation(f, "%s did not stop cleanly", parties[a->target]);
		break;
	case F_CUT:
		fault_proxy_cut(n->proxy);
		break;
	case F_STALL:
		fault_proxy_stall(n->proxy, 1);
		break;
	case F_DELAY:
		fault_proxy_delay(n->proxy, 5 + (int)rnd_below(f, 60));
		break;
	case F_DISK_FULL:
		/* A clean stop; then the relay starts again with a small
		 * limit on the size of every file it writes. */
		if (harness_stop(&f->relay.proc, 10000) != 0)
			violation(f, "the relay did not stop cleanly");
		{
			off_t sz, wal;
			char walp[HARNESS_PATH_MAX + 8];

			/* A WAL left behind would be written again from
			 * its start without growing: fold it into the
			 * database and truncate it, so that every new
			 * commit needs room. */
			if (relay_wal_truncate(f) != 0)
				violation(f, "cannot checkpoint the relay's "
					     "database");
			sz = file_size(f->relay.database);
			snprintf(walp, sizeof(walp), "%s-wal",
				 f->relay.database);
			wal = file_size(walp);
			if (getenv("RET_FAULT_VERBOSE") != NULL)
				fprintf(stderr, "  disk-full: database %lld "
						"bytes, WAL %lld bytes\n",
					(long long)sz, (long long)wal);
			/* RLIMIT_FSIZE limits each file by itself: the
			 * WAL, empty now, fills up after DISK_ROOM bytes;
			 * the database file is only read until a
			 * checkpoint, which then fails as well. */
			rc = relay_start_limited(f, DISK_ROOM);
		}
		if (rc < 0)
			violation(f, "could not start the relay with a limit");
		else if (rc > 0)
			f->full_start_refused++;
		break;
	case F_N:
		break;
	}
}

static void
fault_end(struct fixture *f, struct active *a)
{
	struct node *n = &f->n[a->target];

	a->ended = 1;
	switch (a->kind) {
	case F_KILL_RELAY:
	case F_RESTART_RELAY:
		if (harness_relay_start(&f->relay, 20000) != 0)
			violation(f, "the relay did not start again");
		break;
	case F_KILL_NODE:
	case F_RESTART_NODE:
		if (node_start(f, a->target) != 0)
			violation(f, "%s did not start again",
				  parties[a->target]);
		break;
	case F_STOP_RELAY:
		kill(f->relay.proc.pid, SIGCONT);
		break;
	case F_STOP_NODE:
		kill(n->proc.pid, SIGCONT);
		break;
	case F_CUT:
		break;
	case F_STALL:
		fault_proxy_stall(n->proxy, 0);
		break;
	case F_DELAY:
		fault_proxy_delay(n->proxy, 0);
		break;
	case F_DISK_FULL:
		/* Space returns: the relay starts again without a limit. */
		if (f->relay.proc.pid > 0) {
			check_alive(f, &f->relay.proc, "the full-disk relay");
			if (f->relay.proc.pid > 0)
				harness_kill9(&f->relay.proc);
		}
		if (harness_relay_start(&f->relay, 20000) != 0)
			violation(f, "the relay did not start after the disk "
				     "had space again");
		break;
	case F_N:
		break;
	}
}

/* Whether the relay running with a full disk has answered store_failed. */
static int
full_has_refused(const struct fixture *f)
{
	char log[HARNESS_PATH_MAX];

	if (f->full_logs == 0)
		return 0;
	snprintf(log, sizeof(log), "%s/relay-full-%u.log", f->dir,
		 f->full_logs - 1);
	return harness_file_contains(log, "reason=store_failed");
}

/* Pick this round's faults: one, sometimes two that do not collide. */
static unsigned
plan_faults(struct fixture *f, struct active a[2])
{
	unsigned n = f->only >= 0 ? 1 : 1 + (rnd_below(f, 3) == 0), k;

	memset(a, 0, 2 * sizeof(a[0]));
	for (k = 0; k < n; k++) {
		uint64_t len;

		do {
			a[k].kind = f->only >= 0 ? (enum fault)f->only
						 : (enum fault)rnd_below(f, F_N);
			a[k].target = rnd_below(f, N_NODES);
		} while (k == 1 && ((relay_fault(a[0].kind) &&
				     relay_fault(a[1].kind)) ||
				    (!relay_fault(a[0].kind) &&
				     !relay_fault(a[1].kind) &&
				     a[0].target == a[1].target)));
		a[k].begin_at = rnd_below(f, ROUND_WINDOW_MS * 3 / 4);
		len = a[k].kind == F_DISK_FULL ? 800 + rnd_below(f, 700)
					       : 50 + rnd_below(f, 700);
		a[k].end_at = a[k].begin_at + len;
	}
	return n;
}

/* ---------------------------------------------------------------------
 * Invariants */

/* Run a count query on the checker connection; a violation unless it
 * answers want. */
static void
expect(struct fixture *f, sqlite3 *db, int want, const char *what,
       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
expect(struct fixture *f, sqlite3 *db, int want, const char *what,
       const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	int got;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	got = count(db, sql);
	if (got != want)
		violation(f, "%s: %d, expected %d (%s)", what, got, want,
			  got < 0 ? sqlite3_errmsg(db) : "");
}

static void
check_round(struct fixture *f)
{
	sqlite3 *c = NULL;
	char sql[1024];
	unsigned i, j;

	if (sqlite3_open(":memory:", &c) != SQLITE_OK) {
		violation(f, "no checker connection");
		sqlite3_close(c);
		return;
	}
	sqlite3_busy_timeout(c, 5000);
	snprintf(sql, sizeof(sql), "ATTACH '%s' AS r", f->relay.database);
	if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
		violation(f, "attach relay: %s", sqlite3_errmsg(c));
	for (i = 0; i < N_NODES; i++) {
		snprintf(sql, sizeof(sql), "ATTACH '%s' AS n%u",
			 f->n[i].db_path, i);
		if (sqlite3_exec(c, sql, NULL, NULL, NULL) != SQLITE_OK)
			violation(f, "attach node %u: %s", i,
				  sqlite3_errmsg(c));
	}

	for (i = 0; i < N_REGIONS; i++) {
		int q = (int)queued_total(f, i);
		const char *p = parties[i];

		/* 1. acked = in the store exactly once, with its number. */
		expect(f, c, q, "outbox rows", "SELECT count(*) FROM n%u.outbox",
		       i);
		expect(f, c, 0, "outbox rows not acked",
		       "SELECT count(*) FROM n%u.outbox WHERE state <> 'acked'",
		       i);
		expect(f, c, 0, "acked rows not stored exactly once",
		       "SELECT count(*) FROM n%u.outbox o WHERE (SELECT "
		       "count(*) FROM r.messages m WHERE m.msgid = "
		       "o.message_id) <> 1",
		       i);
		expect(f, c, 0, "stored under another number",
		       "SELECT count(*) FROM n%u.outbox o JOIN r.messages m "
		       "ON m.msgid = o.message_id WHERE m.seq <> o.seq",
		       i);
		/* 2. 1..N without a gap at the relay. */
		expect(f, c, q, "relay messages of the author",
		       "SELECT count(*) FROM r.messages WHERE sender = '%s'",
		       p);
		expect(f, c, q, "distinct sequence numbers",
		       "SELECT count(DISTINCT seq) FROM r.messages WHERE "
		       "sender = '%s'",
		       p);
		expect(f, c, q, "highest sequence number",
		       "SELECT coalesce(max(seq), 0) FROM r.messages WHERE "
		       "sender = '%s' AND seq >= 1",
		       p);
		expect(f, c, q, "the relay's last_seq",
		       "SELECT coalesce((SELECT last_seq FROM r.senders WHERE "
		       "party = '%s'), 0)",
		       p);
		/* 4. audit complete (the chain is verified below). */
		expect(f, c, q, "audit message.queued",
		       "SELECT count(*) FROM n%u.audit WHERE action = "
		       "'message.queued'",
		       i);
		expect(f, c, q, "audit message.sent",
		       "SELECT count(*) FROM n%u.audit WHERE action = "
		       "'message.sent'",
		       i);
	}
	for (j = 0; j < N_NODES; j++) {
		int want = (int)expected_at(f, j);
		unsigned ls = 0;

		for (i = 0; i < N_REGIONS; i++)
			if (i != j)
				ls += f->n[i].ls;
		/* 3. each message addressed to j exactly once, applied. */
		expect(f, c, want, "inbox rows",
		       "SELECT count(*) FROM n%u.inbox", j);
		expect(f, c, want, "distinct inbox message ids",
		       "SELECT count(DISTINCT message_id) FROM n%u.inbox", j);
		expect(f, c, 0, "inbox rows not applied",
		       "SELECT count(*) FROM n%u.inbox WHERE state <> "
		       "'applied'",
		       j);
		expect(f, c, want, "relay deliveries",
		       "SELECT count(*) FROM r.deliveries WHERE recipient = "
		       "'%s'",
		       parties[j]);
		expect(f, c, (int)ls, "learning summaries applied",
		       "SELECT count(*) FROM n%u.learning_summary WHERE own = 0",
		       j);
		for (i = 0; i < N_REGIONS; i++) {
			if (i == j)
				continue;
			expect(f, c, 0, "a message missing at its recipient",
			       "SELECT count(*) FROM n%u.outbox o WHERE "
			       "(o.kind = %d OR (o.kind = %d AND '%s' LIKE "
			       "'desk:%%') OR (o.kind = %d AND o.recipient = "
			       "'%s')) AND NOT EXISTS (SELECT 1 FROM "
			       "n%u.inbox x WHERE x.message_id = o.message_id)",
			       i, RETFED__V1__KIND__KIND_LEARNING_SUMMARY,
			       RETFED__V1__KIND__KIND_ESCALATION, parties[j],
			       RETFED__V1__KIND__KIND_PEER_REVIEW_REQUEST,
			       parties[j], j);
		}
		expect(f, c, want, "audit message.received",
		       "SELECT count(*) FROM n%u.audit WHERE action = "
		       "'message.received'",
		       j);
	}
	sqlite3_close(c);

	for (i = 0; i < N_NODES; i++) {
		int64_t rows = 0, bad = 0;
		char err[256] = "";

		if (node_audit_verify(f->n[i].db, &rows, &bad, err,
				      sizeof(err)) != NODE_OK)
			violation(f, "audit chain of %s broken at %lld: %s",
				  parties[i], (long long)bad, err);
	}
}

/* Everything queued is acked and every recipient holds what it must. */
static int
settled(struct fixture *f)
{
	char sql[128];
	unsigned i;

	for (i = 0; i < N_NODES; i++) {
		if (i < N_REGIONS &&
		    count(f->n[i].db, "SELECT count(*) FROM outbox WHERE "
				      "state = 'queued'") != 0)
			return 0;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM inbox");
		if (count(f->n[i].db, sql) != (int)expected_at(f, i))
			return 0;
	}
	return 1;
}

/* Say what a slow round still waits for (RET_FAULT_VERBOSE). */
static void
describe_pending(const struct fixture *f, uint64_t waited_ms)
{
	unsigned i;

	fprintf(stderr, "  after %llu ms still waiting:",
		(unsigned long long)waited_ms);
	for (i = 0; i < N_NODES; i++)
		fprintf(stderr, " %s queued=%d inbox=%d/%u", parties[i],
			i < N_REGIONS ? count(f->n[i].db,
					      "SELECT count(*) FROM outbox "
					      "WHERE state = 'queued'")
				      : 0,
			count(f->n[i].db, "SELECT count(*) FROM inbox"),
			expected_at(f, i));
	fputc('\n', stderr);
}

/* ---------------------------------------------------------------------
 * The rounds */

static void
run_round(struct fixture *f, unsigned per_region)
{
	struct active a[2];
	unsigned nf = plan_faults(f, a), i, k, step = 0;
	uint64_t t0 = harness_now_ms(), now, end;
	int busy = 1;

	for (i = 0; i < N_REGIONS; i++)
		f->n[i].pending = per_region;
	while (busy) {
		now = harness_now_ms() - t0;
		busy = 0;
		for (k = 0; k < nf; k++) {
			if (!a[k].begun && now >= a[k].begin_at)
				fault_begin(f, &a[k]);
			if (a[k].begun && !a[k].ended && now >= a[k].end_at &&
			    a[k].kind == F_DISK_FULL && !full_has_refused(f) &&
			    now < a[k].begin_at + DISK_FULL_MAX_MS) {
				/* The nodes may still be reconnecting: keep
				 * the disk full (bounded) and give them
				 * something to send until it refuses. */
				a[k].end_at = now + 200;
				(void)queue_one(f, rnd_below(f, N_REGIONS));
			}
			if (a[k].begun && !a[k].ended && now >= a[k].end_at)
				fault_end(f, &a[k]);
			busy |= !a[k].ended;
		}
		if (step < QUEUE_STEPS &&
		    now >= (uint64_t)step * ROUND_WINDOW_MS / QUEUE_STEPS) {
			step++;
			for (i = 0; i < N_REGIONS; i++)
				queue_some(f, i,
					   step == QUEUE_STEPS
						   ? per_region
						   : (per_region + QUEUE_STEPS -
						      1) / QUEUE_STEPS);
		}
		for (i = 0; i < N_REGIONS; i++)
			busy |= f->n[i].pending > 0;
		if (now > DRAIN_LIMIT_MS) {
			violation(f, "round did not finish queueing in time");
			break;
		}
		if (busy)
			harness_sleep_ms(5);
	}
	/* Every fault is over; the processes must sort it out alone. */
	check_alive(f, &f->relay.proc, "ret-relay");
	for (i = 0; i < N_NODES; i++)
		check_alive(f, &f->n[i].proc, parties[i]);
	end = harness_now_ms() + DRAIN_LIMIT_MS * (uint64_t)harness_slowness();
	{
		uint64_t w0 = harness_now_ms(), next_say = w0 + 5000;

		while (!settled(f) && harness_now_ms() < end) {
			if (getenv("RET_FAULT_VERBOSE") != NULL &&
			    harness_now_ms() >= next_say) {
				describe_pending(f, harness_now_ms() - w0);
				next_say += 5000;
			}
			harness_sleep_ms(20);
		}
	}
	if (!settled(f))
		violation(f, "messages did not all arrive within %d ms",
			  DRAIN_LIMIT_MS);
	check_round(f);
	check_alive(f, &f->relay.proc, "ret-relay");
	for (i = 0; i < N_NODES; i++)
		check_alive(f, &f->n[i].proc, parties[i]);
	f->rounds++;
	if (getenv("RET_FAULT_VERBOSE") != NULL || f->violations > 0)
		fprintf(stderr, "round %u: %s%s%s, %llu ms, violations %u\n",
			f->rounds, fault_names[a[0].kind], nf > 1 ? " + " : "",
			nf > 1 ? fault_names[a[1].kind] : "",
			(unsigned long long)(harness_now_ms() - t0),
			f->violations);
}

static void
test_fault_rounds(void **state)
{
	struct fixture *f = *state;
	unsigned rounds = env_unsigned("RET_FAULT_ROUNDS", 50);
	unsigned per_region = env_unsigned("RET_FAULT_MESSAGES", 50);
	unsigned limit_s = env_unsigned("RET_FAULT_TIME_LIMIT_S", 0);
	unsigned long long seed;
	const char *s = getenv("RET_FAULT_SEED");
	const char *s_only = getenv("RET_FAULT_ONLY");
	uint64_t t0;
	unsigned i, r, bytes_kb = 0;

	if (s != NULL && *s != '\0')
		seed = strtoull(s, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) ^
		       ((unsigned long long)getpid() << 20);
	print_message("RET_FAULT_SEED=%llu rounds=%u messages=%u per region "
		      "and round\n",
		      seed, rounds, per_region);
	fflush(stdout);
	f->rng = seed ? seed : 1;
	f->only = -1;
	for (i = 0; s_only != NULL && i < F_N; i++)
		if (strcmp(s_only, fault_names[i]) == 0)
			f->only = (int)i;

	assert_int_equal(harness_relay_start(&f->relay, 20000), 0);
	for (i = 0; i < N_NODES; i++)
		assert_int_equal(node_start(f, i), 0);
	for (i = 0; i < N_NODES; i++)
		assert_int_equal(harness_wait_log(&f->n[i].proc,
						  "event=started", 20000),
				 0);
	t0 = harness_now_ms();
	for (r = 0; r < rounds && f->violations == 0; r++) {
		if (limit_s > 0 && harness_now_ms() - t0 > limit_s * 1000ull)
			break;
		run_round(f, per_region);
	}
	for (i = 0; i < f->full_logs; i++) {
		char log[HARNESS_PATH_MAX];

		snprintf(log, sizeof(log), "%s/relay-full-%u.log", f->dir, i);
		unsigned n = count_in_file(log, "reason=store_failed");

		f->store_failed += n;
		f->full_refusing += n > 0;
	}
	for (i = 0; i < N_NODES; i++)
		bytes_kb += (unsigned)(fault_proxy_bytes(f->n[i].proxy) / 1024);
	print_message("rounds=%u messages=%u seconds=%llu violations=%u\n",
		      f->rounds, f->messages,
		      (unsigned long long)(harness_now_ms() - t0) / 1000,
		      f->violations);
	for (i = 0; i < F_N; i++)
		print_message("  %-14s %u\n", fault_names[i], f->faults[i]);
	print_message("  store_failed nacks while the disk was full: %u (in "
		      "%u of %u full-disk runs); full-disk starts refused: %u; "
		      "proxied KiB: %u\n",
		      f->store_failed, f->full_refusing, f->full_logs,
		      f->full_start_refused, bytes_kb);
	if (f->violations > 0)
		print_message("replay with RET_FAULT_SEED=%llu\n", seed);
	assert_int_equal(f->violations, 0);
	assert_true(f->rounds > 0);
	/* A clean stop of everything at the end: no crash, no leak. */
	for (i = 0; i < N_NODES; i++)
		assert_int_equal(harness_stop(&f->n[i].proc, 10000), 0);
	assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fault_rounds, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
