/* relay_status: the store's state for `ret-relay status` and metrics. */
#include "relay_status.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay_config.h"

#define EXIT_USAGE 64
#define EXIT_UNAVAILABLE 69
#define EXIT_SOFTWARE 70
#define EXIT_CONFIG 78

static const char backlog_sql[] =
    "SELECT d.recipient, count(*), min(m.stored_ms), "
    " coalesce(r.confirmed, 0) FROM deliveries d "
    "JOIN messages m ON m.id = d.msg "
    "LEFT JOIN recipients r ON r.party = d.recipient "
    "WHERE d.cursor > coalesce(r.confirmed, 0) GROUP BY d.recipient";
static const char confirmed_sql[] = "SELECT party, confirmed FROM recipients";
static const char authors_sql[] =
    "SELECT s.party, s.last_seq, (SELECT max(stored_ms) FROM messages m "
    " WHERE m.sender = s.party) FROM senders s";

/* The entry of party in st, added when missing; NULL when out of memory. */
static struct relay_status_party *
party_at(struct relay_status *st, const char *party)
{
	struct relay_status_party *p;
	size_t i;

	for (i = 0; i < st->n_parties; i++)
		if (strcmp(st->parties[i].party, party) == 0)
			return &st->parties[i];
	p = realloc(st->parties, (st->n_parties + 1) * sizeof(*p));
	if (p == NULL)
		return NULL;
	st->parties = p;
	p = &st->parties[st->n_parties++];
	memset(p, 0, sizeof(*p));
	snprintf(p->party, sizeof(p->party), "%s", party);
	return p;
}

static int
count(sqlite3 *db, const char *sql, uint64_t *ret)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ret = (uint64_t)sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : -1;
}

/* Run sql; column 0 names a party, fn takes the row. */
static int
each_party(sqlite3 *db, const char *sql, struct relay_status *st,
           void (*fn)(struct relay_status_party *, sqlite3_stmt *))
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);

	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		const unsigned char *id;
		struct relay_status_party *p;

		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW)
			break;
		id = sqlite3_column_text(s, 0);
		if (id == NULL)
			continue;
		p = party_at(st, (const char *)id);
		if (p == NULL) {
			rc = SQLITE_NOMEM;
			break;
		}
		fn(p, s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
take_backlog(struct relay_status_party *p, sqlite3_stmt *s)
{
	p->backlog = (uint64_t)sqlite3_column_int64(s, 1);
	p->oldest_unconfirmed_ms = (uint64_t)sqlite3_column_int64(s, 2);
	p->confirmed_cursor = (uint64_t)sqlite3_column_int64(s, 3);
}

static void
take_confirmed(struct relay_status_party *p, sqlite3_stmt *s)
{
	p->confirmed_cursor = (uint64_t)sqlite3_column_int64(s, 1);
}

static void
take_author(struct relay_status_party *p, sqlite3_stmt *s)
{
	p->last_seq = (uint64_t)sqlite3_column_int64(s, 1);
	p->last_submit_ms = (uint64_t)sqlite3_column_int64(s, 2);
}

static int
by_party(const void *a, const void *b)
{
	return strcmp(((const struct relay_status_party *)a)->party,
	              ((const struct relay_status_party *)b)->party);
}

int
relay_status_collect(sqlite3 *db, int authors, struct relay_status *ret,
                     char *errbuf, size_t errlen)
{
	struct relay_status st;
	uint64_t pages = 0, psize = 0, freep = 0;

	memset(&st, 0, sizeof(st));
	if (count(db, "SELECT count(*) FROM messages", &st.messages) != 0 ||
	    count(db, "SELECT count(*) FROM deliveries", &st.deliveries) != 0 ||
	    count(db, "SELECT count(*) FROM receipts", &st.receipts_pending) !=
	        0 ||
	    count(db, "PRAGMA page_count", &pages) != 0 ||
	    count(db, "PRAGMA page_size", &psize) != 0 ||
	    count(db, "PRAGMA freelist_count", &freep) != 0 ||
	    each_party(db, confirmed_sql, &st, take_confirmed) != 0 ||
	    each_party(db, backlog_sql, &st, take_backlog) != 0 ||
	    (authors && each_party(db, authors_sql, &st, take_author) != 0)) {
		snprintf(errbuf, errlen, "%s", sqlite3_errmsg(db));
		relay_status_clear(&st);
		return -1;
	}
	st.store_bytes = pages * psize;
	st.free_bytes = freep * psize;
	if (st.n_parties > 1)
		qsort(st.parties, st.n_parties, sizeof(*st.parties), by_party);
	*ret = st;
	return 0;
}

void
relay_status_clear(struct relay_status *st)
{
	free(st->parties);
	memset(st, 0, sizeof(*st));
}

/* ---------------------------------------------------------------------- */
/* ret-relay status */

static void
iso_time(uint64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, cap, "-");
		return;
	}
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
json_time(uint64_t ms)
{
	char buf[32];

	if (ms == 0)
		return json_null();
	iso_time(ms, buf, sizeof(buf));
	return json_string(buf);
}

static int
print_json(const struct relay_config *cfg, const struct relay_status *st)
{
	json_t *root = json_object(), *parties = json_array();
	char *text;
	size_t i;

	json_object_set_new(root, "party", json_string(cfg->party));
	json_object_set_new(root, "ben", json_string(cfg->ben));
	json_object_set_new(root, "database", json_string(cfg->database));
	json_object_set_new(root, "store_bytes",
	                    json_integer((json_int_t)st->store_bytes));
	json_object_set_new(root, "store_free_bytes",
	                    json_integer((json_int_t)st->free_bytes));
	json_object_set_new(root, "messages",
	                    json_integer((json_int_t)st->messages));
	json_object_set_new(root, "deliveries",
	                    json_integer((json_int_t)st->deliveries));
	json_object_set_new(root, "receipts_pending",
	                    json_integer((json_int_t)st->receipts_pending));
	for (i = 0; i < st->n_parties; i++) {
		const struct relay_status_party *p = &st->parties[i];
		const struct relay_party *c = relay_config_party(cfg, p->party);
		json_t *o = json_object();

		json_object_set_new(o, "party", json_string(p->party));
		json_object_set_new(o, "configured", json_boolean(c != NULL));
		json_object_set_new(o, "connects_here",
		                    json_boolean(c && c->has_transport));
		json_object_set_new(o, "backlog",
		                    json_integer((json_int_t)p->backlog));
		json_object_set_new(o, "oldest_unconfirmed",
		                    json_time(p->oldest_unconfirmed_ms));
		json_object_set_new(
		    o, "confirmed_cursor",
		    json_integer((json_int_t)p->confirmed_cursor));
		json_object_set_new(o, "last_seq",
		                    json_integer((json_int_t)p->last_seq));
		json_object_set_new(o, "last_submit",
		                    json_time(p->last_submit_ms));
		json_array_append_new(parties, o);
	}
	json_object_set_new(root, "parties", parties);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return EXIT_SOFTWARE;
	printf("%s\n", text);
	free(text);
	return 0;
}

static void
print_human(const struct relay_config *cfg, const struct relay_status *st)
{
	size_t i;

	printf("%s (BEN %s)\n", cfg->party, cfg->ben);
	printf("store:    %s\n", cfg->database);
	printf("size:     %.1f KiB (%.1f KiB free inside), %llu messages, "
	       "%llu deliveries, %llu receipts waiting\n",
	       (double)st->store_bytes / 1024.0,
	       (double)st->free_bytes / 1024.0,
	       (unsigned long long)st->messages,
	       (unsigned long long)st->deliveries,
	       (unsigned long long)st->receipts_pending);
	printf("\n%-28s %8s  %-20s  %8s  %-20s\n", "PARTY", "BACKLOG",
	       "OLDEST UNCONFIRMED", "LAST SEQ", "LAST SUBMIT");
	for (i = 0; i < st->n_parties; i++) {
		const struct relay_status_party *p = &st->parties[i];
		char oldest[32], last[32];

		iso_time(p->oldest_unconfirmed_ms, oldest, sizeof(oldest));
		iso_time(p->last_submit_ms, last, sizeof(last));
		printf("%-28s %8llu  %-20s  %8llu  %-20s%s\n", p->party,
		       (unsigned long long)p->backlog, oldest,
		       (unsigned long long)p->last_seq, last,
		       relay_config_party(cfg, p->party)
		           ? ""
		           : "  (not configured)");
	}
}

/* Configured parties the store has not seen yet still get a row. */
static int
add_configured(const struct relay_config *cfg, struct relay_status *st)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++)
		if (party_at(st, cfg->parties[i].id) == NULL)
			return -1;
	if (st->n_parties > 1)
		qsort(st->parties, st->n_parties, sizeof(*st->parties),
		      by_party);
	return 0;
}

int
relay_status_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"json", no_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = "/etc/ret/relay.ini";
	struct relay_config *cfg = NULL;
	struct relay_status st;
	sqlite3 *db = NULL;
	char err[RELAY_CONFIG_ERR_MAX];
	int c, json = 0, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			printf("Usage: ret-relay status [--json] [--config "
			       "FILE]\n"
			       "Show the relay's store: per party its backlog, "
			       "oldest unconfirmed delivery,\nlast sequence "
			       "number and last submit; the store's size. The "
			       "relay may run.\nExit status: 0 ok, 64 usage, "
			       "69 store unavailable, 78 configuration.\n");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ret-relay status: unexpected argument '%s'\n",
		        argv[optind]);
		return EXIT_USAGE;
	}
	if (relay_config_load(config, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "ret-relay status: %s\n", err);
		return EXIT_CONFIG;
	}
	if (sqlite3_open_v2(cfg->database, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "ret-relay status: cannot open %s: %s\n",
		        cfg->database, db ? sqlite3_errmsg(db) : "no memory");
		sqlite3_close(db);
		relay_config_destroy(&cfg);
		return EXIT_UNAVAILABLE;
	}
	(void)sqlite3_busy_timeout(db, 5000);
	if (relay_status_collect(db, 1, &st, err, sizeof(err)) != 0 ||
	    (add_configured(cfg, &st) != 0 &&
	     snprintf(err, sizeof(err), "out of memory") > 0)) {
		fprintf(stderr, "ret-relay status: %s: %s\n", cfg->database,
		        err);
		sqlite3_close(db);
		relay_config_destroy(&cfg);
		return EXIT_UNAVAILABLE;
	}
	if (json) {
		rc = print_json(cfg, &st);
	} else {
		print_human(cfg, &st);
		rc = 0;
	}
	relay_status_clear(&st);
	sqlite3_close(db);
	relay_config_destroy(&cfg);
	return rc;
}
