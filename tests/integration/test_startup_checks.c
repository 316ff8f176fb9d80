/*
 * test_startup_checks: the daemons check their database before READY
 * (docs/relay.md, "Start-up checks"; docs/sync.md).
 *
 * - a real relay store, filled by a real relay, with garbage written into
 *   the middle of three of its pages: ret-relay refuses with exit status
 *   69 and a line naming the file, the damage and what to do, and leaves
 *   the file as it was;
 * - the same for a ret-node database;
 * - a read-only filesystem (a tmpfs remounted read-only, in a private
 *   mount namespace, when the test may mount; else a directory without
 *   write permission) and a full filesystem (a small tmpfs filled up):
 *   exit 69, named as such;
 * - --log-timestamps stamps every line, except when stderr is journald's
 *   stream (JOURNAL_STREAM names it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"

#define REPLY_MS 5000
#define RUN_MS 20000
#define EX_UNAVAILABLE 69
#define PAGE 4096

/* Whether this process has its own mount namespace to mount tmpfs in. */
static int can_mount;

struct fixture {
	char *dir;
	struct keyfile nl, desk;
	struct harness_relay relay;
	char parties[4096];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = harness_tmpdir("startup")) == NULL)
		return -1;
	if (harness_party_keys(f->dir, "region:noord-limburg", &f->nl, NULL,
	                       0) != 0 ||
	    harness_party_keys(f->dir, "desk:bel-roermond", &f->desk, NULL,
	                       0) != 0 ||
	    harness_append_party(f->parties, sizeof(f->parties), &f->nl, 1,
	                         "bel", NULL) != 0 ||
	    harness_append_party(f->parties, sizeof(f->parties), &f->desk, 1,
	                         "bel", NULL) != 0 ||
	    harness_relay_init(&f->relay, f->dir, "relay:bel", "bel",
	                       f->parties) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->relay.proc.pid > 0)
		(void)harness_stop(&f->relay.proc, 5000);
	harness_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Submit n escalations through the running relay, each acked. */
static void
fill_relay(struct fixture *f, int n)
{
	struct harness_client *c = harness_client_new(
	    f->relay.endpoint, f->relay.key.transport_pk, &f->nl);
	int i;

	assert_non_null(c);
	for (i = 1; i <= n; i++) {
		struct harness_env e = {0};
		uint8_t id[16], *env = NULL;
		size_t len = 0;
		struct relay_frame *fr;

		e.kind = RETFED__V1__KIND__KIND_ESCALATION;
		e.seq = (uint64_t)i;
		assert_int_equal(harness_seal(&f->nl, &e, id, &env, &len), 0);
		assert_int_equal(harness_client_submit(c, env, len), 0);
		free(env);
		fr = harness_client_recv(c, HARNESS_WANT_REPLY, REPLY_MS);
		assert_non_null(fr);
		assert_int_equal(fr->msg->frame_case,
		                 RETFED__V1__RELAY_FRAME__FRAME_ACK);
		relay_frame_destroy(&fr);
	}
	harness_client_destroy(&c);
}

/*
 * Overwrite the middle 2 KiB of three consecutive pages around the middle
 * of the file with garbage (a fixed pseudo-random pattern): every such
 * window of a page full of ~1 KiB records holds at least one record
 * header. Returns the file's size.
 */
static long
corrupt_middle(const char *path)
{
	int fd = open(path, O_RDWR);
	struct stat sb;
	uint8_t junk[2048];
	uint32_t x = 0x9e3779b9u;
	long pages, p, first;
	size_t i;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	pages = (long)(sb.st_size / PAGE);
	assert_true(pages >= 12);
	first = pages / 2 - 1;
	for (p = first; p < first + 3; p++) {
		for (i = 0; i < sizeof(junk); i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			junk[i] = (uint8_t)x;
		}
		assert_int_equal(pwrite(fd, junk, sizeof(junk),
		                        (off_t)(p * PAGE + PAGE / 4)),
		                 (ssize_t)sizeof(junk));
	}
	assert_int_equal(fsync(fd), 0);
	close(fd);
	return (long)sb.st_size;
}

/* A BLAKE-free fingerprint of a file's bytes, to see it unchanged. */
static uint64_t
file_sum(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint64_t h = 1469598103934665603ull;
	int c;

	assert_non_null(fp);
	while ((c = fgetc(fp)) != EOF)
		h = (h ^ (uint64_t)c) * 1099511628211ull;
	fclose(fp);
	return h;
}

/* Run the relay (a refusal is expected: it exits at once). */
static int
run_relay(const char *config, const char *err_log)
{
	const char *argv[] = {getenv("RET_RELAY_BIN"), "--config", config,
	                      NULL};

	assert_non_null(argv[0]);
	return harness_run(argv, NULL, err_log, RUN_MS);
}

/* Write a relay configuration like the harness's, with its own database. */
static void
write_config(struct fixture *f, const char *name, const char *database,
             char *path, size_t cap)
{
	char text[8192];

	snprintf(text, sizeof(text),
	         "[relay]\nparty = relay:bel\nben = bel\nlisten = %s\n"
	         "key_file = bel.secret\ndatabase = %s\nlog_level = info\n\n%s",
	         f->relay.endpoint, database, f->parties);
	assert_int_equal(harness_write_file(f->dir, name, text, path, cap), 0);
}

static void
test_corrupt_relay_store_refused(void **state)
{
	struct fixture *f = *state;
	char errlog[HARNESS_PATH_MAX];
	uint64_t before;

	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	assert_true(
	    harness_file_contains(f->relay.log, "event=database_check"));
	fill_relay(f, 200);
	assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);

	/* A healthy store passes the full integrity check. */
	assert_int_equal(harness_relay_start(&f->relay, 10000), 0);
	assert_true(harness_file_contains(f->relay.log,
	                                  "result=ok check=integrity_check"));
	assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);

	(void)corrupt_middle(f->relay.database);
	before = file_sum(f->relay.database);
	snprintf(errlog, sizeof(errlog), "%s/corrupt.log", f->dir);
	assert_int_equal(run_relay(f->relay.config, errlog), EX_UNAVAILABLE);
	assert_true(harness_file_contains(errlog, "result=corrupt"));
	assert_true(harness_file_contains(errlog, f->relay.database));
	assert_true(harness_file_contains(errlog, "is damaged"));
	assert_true(harness_file_contains(errlog, "ret-relay restore"));
	assert_false(harness_file_contains(errlog, "ready=1"));
	/* The check changed nothing. */
	assert_true(file_sum(f->relay.database) == before);
}

/* Mount a tmpfs of `size` at path. Returns 0, or -1 when not allowed. */
static int
mount_tmpfs(const char *path, const char *size)
{
	char opts[64];

	if (!can_mount)
		return -1;
	snprintf(opts, sizeof(opts), "size=%s,mode=0700", size);
	return mount("tmpfs", path, "tmpfs", 0, opts);
}

static void
test_read_only_refused(void **state)
{
	struct fixture *f = *state;
	char ro[HARNESS_PATH_MAX], db[HARNESS_PATH_MAX + 16];
	char config[HARNESS_PATH_MAX], errlog[HARNESS_PATH_MAX];
	int mounted;

	snprintf(ro, sizeof(ro), "%s/ro", f->dir);
	assert_int_equal(mkdir(ro, 0700), 0);
	mounted = mount_tmpfs(ro, "4m") == 0;
	snprintf(db, sizeof(db), "%s/relay.db", ro);
	write_config(f, "ro.ini", db, config, sizeof(config));

	/* A store with content first, made by the relay itself. */
	{
		struct harness_relay r = f->relay;

		snprintf(r.config, sizeof(r.config), "%s", config);
		snprintf(r.log, sizeof(r.log), "%s/ro-first.log", f->dir);
		assert_int_equal(harness_relay_start(&r, 10000), 0);
		f->relay.proc = r.proc;
		fill_relay(f, 3);
		assert_int_equal(harness_stop(&f->relay.proc, 10000), 0);
	}
	snprintf(errlog, sizeof(errlog), "%s/ro.log", f->dir);
	if (mounted) {
		assert_int_equal(
		    mount(NULL, ro, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
		assert_int_equal(run_relay(config, errlog), EX_UNAVAILABLE);
		assert_true(harness_file_contains(errlog, "result=read_only"));
		assert_true(
		    harness_file_contains(errlog, "is mounted read-only"));
		assert_int_equal(umount(ro), 0);
	} else {
		/* Without mount rights: a directory the user cannot write
		 * (only meaningful for a user that is not root). */
		if (geteuid() == 0)
			skip();
		assert_int_equal(chmod(ro, 0500), 0);
		assert_int_equal(run_relay(config, errlog), EX_UNAVAILABLE);
		assert_int_equal(chmod(ro, 0700), 0);
		assert_true(harness_file_contains(errlog, "result=read_only"));
		assert_true(harness_file_contains(errlog, "is not writable"));
	}
	assert_true(harness_file_contains(errlog, ro));
	assert_false(harness_file_contains(errlog, "ready=1"));
}

static void
test_full_filesystem_refused(void **state)
{
	struct fixture *f = *state;
	char full[HARNESS_PATH_MAX], db[HARNESS_PATH_MAX + 16];
	char filler[HARNESS_PATH_MAX + 16];
	char config[HARNESS_PATH_MAX], errlog[HARNESS_PATH_MAX];
	static uint8_t block[64 * 1024];
	int fd, i;

	snprintf(full, sizeof(full), "%s/full", f->dir);
	assert_int_equal(mkdir(full, 0700), 0);
	if (mount_tmpfs(full, "2m") != 0)
		skip(); /* a full filesystem needs a small one of our own */
	snprintf(filler, sizeof(filler), "%s/filler", full);
	fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	/* Fill it up: 2 MiB in 64 KiB blocks, bounded. */
	for (i = 0; i < 64; i++)
		if (write(fd, block, sizeof(block)) < 0)
			break;
	assert_true(errno == ENOSPC || i < 64);
	close(fd);
	snprintf(db, sizeof(db), "%s/relay.db", full);
	write_config(f, "full.ini", db, config, sizeof(config));
	snprintf(errlog, sizeof(errlog), "%s/full.log", f->dir);
	assert_int_equal(run_relay(config, errlog), EX_UNAVAILABLE);
	assert_true(harness_file_contains(errlog, "result=full"));
	assert_true(harness_file_contains(errlog, "is full"));
	assert_true(harness_file_contains(errlog, full));
	assert_false(harness_file_contains(errlog, "ready=1"));
	assert_int_equal(umount(full), 0);
}

static void
test_corrupt_node_database_refused(void **state)
{
	struct fixture *f = *state;
	char conf[HARNESS_PATH_MAX], db[HARNESS_PATH_MAX + 16];
	char errlog[HARNESS_PATH_MAX], text[4096];
	const char *argv[] = {getenv("RET_NODE_BIN"), "--config", conf, NULL};
	struct harness_proc node;
	sqlite3 *h = NULL;

	if (argv[0] == NULL)
		skip();
	snprintf(text, sizeof(text),
	         "[node]\nparty = region:noord-limburg\nben = bel\n"
	         "database = node.db\nkey_file = noord-limburg.secret\n"
	         "log_level = info\n\n[relay]\nendpoint = %s\n"
	         "party = relay:bel\ntransport_key = %s\n",
	         f->relay.endpoint, f->relay.key.transport_pk);
	assert_int_equal(
	    harness_write_file(f->dir, "node.conf", text, conf, sizeof(conf)),
	    0);
	snprintf(db, sizeof(db), "%s/node.db", f->dir);
	snprintf(errlog, sizeof(errlog), "%s/node.log", f->dir);
	/* ret-node creates its database (the relay need not run). */
	assert_int_equal(harness_spawn(&node, argv, errlog), 0);
	assert_int_equal(harness_wait_log(&node, "event=started", 20000), 0);
	assert_true(harness_file_contains(errlog, "event=database_check"));
	assert_int_equal(harness_stop(&node, 10000), 0);
	/* Give it rows to damage: a table of the test's own. */
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(
	    sqlite3_exec(h,
	                 "CREATE TABLE filler(id INTEGER PRIMARY KEY, b);"
	                 "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
	                 "SELECT x + 1 FROM c WHERE x < 300) INSERT INTO "
	                 "filler SELECT x, randomblob(1000) FROM c;",
	                 NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
	(void)corrupt_middle(db);
	snprintf(errlog, sizeof(errlog), "%s/node-corrupt.log", f->dir);
	assert_int_equal(harness_run(argv, NULL, errlog, RUN_MS),
	                 EX_UNAVAILABLE);
	assert_true(harness_file_contains(errlog, "result=corrupt"));
	assert_true(harness_file_contains(errlog, db));
	assert_false(harness_file_contains(errlog, "event=started"));
}

/* Whether every line of the file matches the regular expression. */
static int
all_lines_match(const char *path, const char *re_text, int *ret_lines)
{
	FILE *fp = fopen(path, "r");
	regex_t re;
	char line[2048];
	int ok = 1, n = 0;

	assert_non_null(fp);
	assert_int_equal(regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB), 0);
	while (fgets(line, sizeof(line), fp) != NULL) {
		n++;
		if (regexec(&re, line, 0, NULL, 0) != 0)
			ok = 0;
	}
	regfree(&re);
	fclose(fp);
	*ret_lines = n;
	return ok;
}

static void
test_log_timestamps(void **state)
{
	struct fixture *f = *state;
	const char *bin = getenv("RET_RELAY_BIN");
	char log1[HARNESS_PATH_MAX], log2[HARNESS_PATH_MAX], js[64];
	const char *argv[] = {bin, "--log-timestamps", "--config",
	                      f->relay.config, NULL};
	const char *stamped = "^<[0-7]>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	                      "[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z ret-relay: event=";
	struct harness_proc p;
	struct stat sb;
	int lines = 0;

	assert_non_null(bin);
	unsetenv("JOURNAL_STREAM");
	snprintf(log1, sizeof(log1), "%s/stamped.log", f->dir);
	assert_int_equal(harness_spawn(&p, argv, log1), 0);
	assert_int_equal(harness_wait_log(&p, "ready=1", 10000), 0);
	assert_int_equal(harness_stop(&p, 10000), 0);
	assert_true(all_lines_match(log1, stamped, &lines));
	assert_true(lines >= 3);

	/* Under journald (stderr is the stream JOURNAL_STREAM names): the
	 * journal stamps lines itself, so the relay does not. */
	assert_int_equal(
	    harness_write_file(f->dir, "journal.log", "", log2, sizeof(log2)),
	    0);
	assert_int_equal(stat(log2, &sb), 0);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)sb.st_dev,
	         (unsigned long long)sb.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	assert_int_equal(harness_spawn(&p, argv, log2), 0);
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(harness_wait_log(&p, "ready=1", 10000), 0);
	assert_int_equal(harness_stop(&p, 10000), 0);
	assert_true(all_lines_match(log2, "^<[0-7]>ret-relay: event=", &lines));
	assert_true(lines >= 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_corrupt_relay_store_refused,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_full_filesystem_refused, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_node_database_refused,
	                                    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_log_timestamps, setup,
	                                    teardown),
	};

	/* Mounts made here stay in a mount namespace of this process and
	 * its children, and vanish with it. */
	if (geteuid() == 0 && unshare(CLONE_NEWNS) == 0 &&
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		can_mount = 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
