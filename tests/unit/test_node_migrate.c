/*
 * test_node_migrate: a database written by release 0.1.0 (messaging schema
 * 1: a send was two transactions) opens and migrates. The fixture
 * tests/unit/data/node-0.1.0-orphans.db was made by the 0.1.0 `ret`
 * (see tests/unit/data/README.md): two escalations and a peer-review
 * request, of which the second escalation and the request lost their
 * record, as a crash between queue and record left them. Migration
 * records both (without a casus), keeps everything else, and from then on
 * a send is one transaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "drafts.h"
#include "keyfile.h"
#include "node_apply.h"
#include "node_db.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_requests.h"

struct fixture {
	char dir[64];
	char path[128];
	sqlite3 *db;
};

static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
	char buf[8192];
	size_t n;
	int ok = in != NULL && out != NULL;

	while (ok && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL)
		fclose(in);
	if (out != NULL && fclose(out) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *src = getenv("RET_SOURCE_DIR");
	char from[512], err[256];

	if (f == NULL || src == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ret-migrate.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(from, sizeof(from), "%s/tests/unit/data/node-0.1.0-orphans.db",
	         src);
	snprintf(f->path, sizeof(f->path), "%s/nl.db", f->dir);
	if (copy_file(from, f->path) != 0 ||
	    node_db_open(f->path, 0, &f->db, err, sizeof(err)) != NODE_OK)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[160];

	node_db_close(&f->db);
	unlink(f->path);
	snprintf(p, sizeof(p), "%s-wal", f->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", f->path);
	unlink(p);
	rmdir(f->dir);
	free(f);
	return 0;
}

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* What ret-node does at start, and ret init. */
static void
migrate(struct fixture *f)
{
	struct node_msg_error merr;
	char err[256];

	assert_int_equal(node_register_migrate(f->db, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(node_outbox_migrate(f->db, &merr), NODE_OK);
	assert_int_equal(
	    node_apply_migrate(f->db, PARTY_REGION, err, sizeof(err)), NODE_OK);
}

static void
old_database_migrates(void **state)
{
	struct fixture *f = *state;
	int v = 0;
	char err[256];

	assert_int_equal(node_db_version(f->db, NODE_OUTBOX_COMPONENT, &v),
	                 NODE_OK);
	assert_int_equal(v, 1);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox"), 3);
	assert_int_equal(count(f->db, "SELECT count(*) FROM sent_request"), 1);

	migrate(f);
	assert_int_equal(node_db_version(f->db, NODE_OUTBOX_COMPONENT, &v),
	                 NODE_OK);
	assert_int_equal(v, (int)node_outbox_schema_steps);
	assert_int_equal(v, 2);
	assert_int_equal(node_register_check(f->db, err, sizeof(err)), NODE_OK);
	/* Every queued request has its record now; the one recorded by
	 * 0.1.0 is unchanged, the two orphans have no casus. */
	assert_int_equal(count(f->db,
	                       "SELECT count(*) FROM outbox o WHERE NOT EXISTS"
	                       " (SELECT 1 FROM sent_request r"
	                       "  WHERE r.message_id = o.message_id)"),
	                 0);
	assert_int_equal(count(f->db, "SELECT count(*) FROM sent_request"
	                              " WHERE casus_id = 1 AND case_ref <> ''"),
	                 1);
	assert_int_equal(count(f->db,
	                       "SELECT count(*) FROM sent_request"
	                       " WHERE casus_id IS NULL AND case_ref = ''"
	                       " AND kind IN (1, 5)"),
	                 2);
	assert_int_equal(count(f->db,
	                       "SELECT count(*) FROM sent_request"
	                       " WHERE recipient = 'region:westfriesland'"),
	                 1);
	/* The register and the outbox are as 0.1.0 left them. */
	assert_int_equal(count(f->db, "SELECT count(*) FROM casus"), 2);
	assert_int_equal(count(f->db, "SELECT count(*) FROM outbox"
	                              " WHERE state = 'queued'"),
	                 3);

	/* Idempotent. */
	migrate(f);
	assert_int_equal(count(f->db, "SELECT count(*) FROM sent_request"), 3);
}

/* After the migration a send is one transaction, numbered after 0.1.0's. */
static void
migrated_database_sends(void **state)
{
	char ebuf[256];
	struct fixture *f = *state;
	struct node_build_draft *d = NULL;
	struct node_msg_error merr;
	struct node_sent_request r;
	struct keyfile keys;
	uint8_t id[MSGID_LEN];
	uint64_t seq = 0;
	int64_t casus = 0;
	char err[256];

	migrate(f);
	assert_int_equal(keyfile_generate("region:noord-limburg", &keys), 0);
	assert_int_equal(support_draft_escalation(f->db, &keys, "Geen plek.",
	                                          "Alles.", &casus, &d, ebuf, sizeof(ebuf)),
	                 NODE_OK);
	assert_int_equal(casus, 3);
	assert_int_equal(node_outbox_queue(f->db, &keys, "voorzitter",
	                                   node_build_guarded(d), &seq, id,
	                                   &merr),
	                 NODE_OK);
	assert_int_equal(seq, 4);
	assert_int_equal(node_requests_find(f->db, id, &r, err, sizeof(err)),
	                 NODE_OK);
	assert_int_equal(r.casus_id, casus);
	node_build_destroy(&d);
	keyfile_wipe(&keys);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(old_database_migrates, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(migrated_database_sends, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
