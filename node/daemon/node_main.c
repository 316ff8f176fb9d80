/*
 * ret-node: the regional node's sync daemon. Sends the outbox to the BEN
 * relay, applies what the relay delivers, records receipts. One event loop
 * around zmq_poll with the signal fd in the poll set; SIGHUP reloads the
 * configuration (keeping the old one when the new one is invalid); see
 * docs/sync.md.
 *
 * Exit codes (sysexits): 0 clean stop, 64 usage, 69 database unavailable,
 * 70 internal error, 78 bad configuration.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <unistd.h>

#include <zmq.h>

#include "dbcheck.h"
#include "envelope.h"
#include "log.h"
#include "msgid.h"
#include "node_apply.h"
#include "node_audit.h"
#include "node_config.h"
#include "node_db.h"
#include "node_inbox.h"
#include "node_outbox.h"
#include "node_sync.h"
#include "notify.h"


/* How long SIGTERM waits for the batch in flight to be answered. */
#define STOP_GRACE_MS 5000

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ret-node [--config FILE]\n"
		"       ret-node --check-config FILE\n"
		"       ret-node --help | --version\n"
		"\n"
		"Sync daemon of a RET regional node or BEN coordinator desk:\n"
		"sends the outbox to the BEN relay, applies what the relay\n"
		"delivers and records receipts. Runs in the foreground and\n"
		"logs one line per event to stderr.\n"
		"\n"
		"  --config FILE        configuration (default: $RET_CONFIG,\n"
		"                       else " NODE_CONFIG_DEFAULT_PATH ")\n"
		"  --check-config FILE  validate FILE and its key file, then\n"
		"                       exit 0, or 78 with FILE:LINE: reason\n"
		"  --log-timestamps     put a UTC timestamp on each log line\n"
		"                       (not under journald, which has its own)\n"
		"  --help               show this help and exit\n"
		"  --version            show the version and exit\n"
		"\n"
		"Exit status: 0 stopped cleanly, 64 usage error, 69 database\n"
		"unavailable, 70 internal error, 78 bad configuration.\n");
}

/* What the event callback needs. */
struct daemon_ctx {
	const char *endpoint;
};

static const char *
result_name(enum node_inbox_result r)
{
	switch (r) {
	case NODE_INBOX_APPLIED:
		return "applied";
	case NODE_INBOX_REJECTED:
		return "rejected";
	case NODE_INBOX_DUPLICATE:
		return "duplicate";
	case NODE_INBOX_REFUSED:
	default:
		return "refused";
	}
}

/* One log line per sync event: key=value, never content. */
static void
on_event(void *vctx, const struct node_sync_event *ev)
{
	struct daemon_ctx *ctx = vctx;
	char id[MSGID_HEX_LEN] = "-";
	const char *detail = ev->detail ? ev->detail : "";
	const char *party = ev->party && ev->party[0] ? ev->party : "-";

	if (ev->message_id)
		msgid_to_hex(ev->message_id, id);
	switch (ev->type) {
	case NODE_SYNC_CONNECTED:
		log_notice("event=connected relay=%s", ctx->endpoint);
		break;
	case NODE_SYNC_DISCONNECTED:
		log_warn("event=disconnected relay=%s", ctx->endpoint);
		break;
	case NODE_SYNC_HANDSHAKE_FAILED:
		log_warn("event=handshake_failed relay=%s code=%d "
			 "retry_ms=%llu detail=\"%s\"",
			 ctx->endpoint, ev->reason,
			 (unsigned long long)ev->delay_ms, detail);
		break;
	case NODE_SYNC_SENT:
		log_debug("event=sent id=%s seq=%llu kind=%s recipient=%s", id,
			  (unsigned long long)ev->seq,
			  envelope_kind_name(ev->kind), party);
		break;
	case NODE_SYNC_ACKED:
		log_info("event=acked id=%s seq=%llu duplicate=%d", id,
			 (unsigned long long)ev->seq, ev->duplicate);
		break;
	case NODE_SYNC_REFUSED:
		log_warn("event=refused id=%s seq=%llu reason=%s renumbered=%u",
			 id, (unsigned long long)ev->seq,
			 wire_reason_name(ev->reason), ev->count);
		break;
	case NODE_SYNC_RETRY:
		log_info("event=retry delay_ms=%llu reason=%s detail=\"%s\"",
			 (unsigned long long)ev->delay_ms,
			 ev->reason ? wire_reason_name(ev->reason) : "-",
			 detail);
		break;
	case NODE_SYNC_RECEIVED:
		if (ev->result == NODE_INBOX_REFUSED)
			log_warn("event=received result=refused id=%s "
				 "sender=%s kind=%s seq=%llu cursor=%llu "
				 "reason=%s detail=\"%s\"",
				 id, party, envelope_kind_name(ev->kind),
				 (unsigned long long)ev->seq,
				 (unsigned long long)ev->cursor,
				 wire_reason_name(ev->reason), detail);
		else
			log_info("event=received result=%s id=%s sender=%s "
				 "kind=%s seq=%llu cursor=%llu",
				 result_name(ev->result), id, party,
				 envelope_kind_name(ev->kind),
				 (unsigned long long)ev->seq,
				 (unsigned long long)ev->cursor);
		break;
	case NODE_SYNC_RECEIPT:
		log_info("event=receipt id=%s recipient=%s", id, party);
		break;
	case NODE_SYNC_SEQ_REPLY:
		/* A relay behind our acks lost stored messages: an operator
		 * must look (docs/sync.md). */
		log_msg(ev->seq < ev->cursor ? LOG_LEVEL_WARNING
					     : LOG_LEVEL_INFO,
			"event=seq_reply relay_last_seq=%llu last_acked=%llu "
			"detail=\"%s\"",
			(unsigned long long)ev->seq,
			(unsigned long long)ev->cursor, detail);
		break;
	case NODE_SYNC_ERROR:
	default:
		log_warn("event=error reason=%s detail=\"%s\"",
			 ev->reason ? wire_reason_name(ev->reason) : "-",
			 detail);
		break;
	}
}

/* The [party] sections as node_inbox wants them; caller frees. */
static struct node_inbox_party *
inbox_parties(const struct node_config *cfg, size_t *ret_n)
{
	size_t n = node_config_party_count(cfg), i;
	struct node_inbox_party *p = calloc(n ? n : 1, sizeof(*p));

	if (p == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		const char *id = node_config_party_at(cfg, i);
		const char *ben = id ? node_config_party_ben(cfg, id) : NULL;
		const uint8_t *key = id ? node_config_signing_key(cfg, id) : NULL;

		if (id == NULL || ben == NULL || key == NULL) {
			free(p);
			return NULL;
		}
		snprintf(p[i].party, sizeof(p[i].party), "%s", id);
		snprintf(p[i].ben, sizeof(p[i].ben), "%s", ben);
		memcpy(p[i].signing_key, key, ENVELOPE_PK_LEN);
	}
	*ret_n = n;
	return p;
}

static int
open_database(const struct node_config *cfg, sqlite3 **ret_db)
{
	char err[1024] = "";
	struct node_msg_error merr;

	memset(&merr, 0, sizeof(merr));
	{
		/* Start-up check (docs/sync.md): name the file and the fix
		 * instead of SQLite's "unable to open database file". */
		struct dbcheck_report rep;
		enum dbcheck_verdict v = dbcheck_run(
			node_config_database(cfg),
			"stop ret-node, move the file (and its -wal and -shm "
			"files) away and put back the last backup of it",
			&rep, err, sizeof(err));

		if (v != DBCHECK_OK) {
			log_err("event=database_check path=%s result=%s "
				"detail=\"%s\"",
				node_config_database(cfg),
				dbcheck_verdict_name(v), err);
			return -1;
		}
		log_info("event=database_check path=%s result=ok check=%s "
			 "bytes=%llu ms=%llu",
			 node_config_database(cfg), rep.check,
			 (unsigned long long)rep.bytes,
			 (unsigned long long)rep.ms);
	}
	if (node_db_open(node_config_database(cfg), NODE_DB_CREATE, ret_db,
			 err, sizeof(err)) != NODE_OK) {
		log_err("event=database_unavailable detail=\"%s\"", err);
		return -1;
	}
	if (node_audit_migrate(*ret_db, err, sizeof(err)) != NODE_OK) {
		log_err("event=database_unavailable component=audit "
			"detail=\"%s\"",
			err);
		node_db_close(ret_db);
		return -1;
	}
	if (node_outbox_migrate(*ret_db, &merr) != NODE_OK) {
		log_err("event=database_unavailable component=messaging "
			"detail=\"%s\"",
			merr.detail);
		node_db_close(ret_db);
		return -1;
	}
	if (node_apply_migrate(*ret_db, node_config_role(cfg), err,
			       sizeof(err)) != NODE_OK) {
		log_err("event=database_unavailable component=flows "
			"detail=\"%s\"",
			err);
		node_db_close(ret_db);
		return -1;
	}
	return 0;
}

/* A signal fd for SIGTERM, SIGINT and SIGHUP, which are blocked. */
static int
signal_fd(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0)
		return -1;
	return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Point the inbox rules and sync parameters at cfg and parties. */
static void
fill_params(const struct node_config *cfg,
	    const struct node_inbox_party *parties, size_t n,
	    struct node_inbox_cfg *icfg, struct node_sync_params *p,
	    struct daemon_ctx *ctx)
{
	memset(icfg, 0, sizeof(*icfg));
	icfg->self = node_config_party(cfg);
	icfg->ben = node_config_ben(cfg);
	icfg->parties = parties;
	icfg->n_parties = n;
	{
		/* What received messages change: the flows' apply hooks for
		   this node's role (constant function tables). */
		static struct node_inbox_hooks hooks;

		node_apply_hooks(node_config_role(cfg),
				 node_config_keys(cfg), &hooks);
		icfg->hooks = &hooks;
	}
	memset(p, 0, sizeof(*p));
	p->endpoint = node_config_relay_endpoint(cfg);
	p->relay_key = node_config_relay_transport_key(cfg);
	p->keys = node_config_keys(cfg);
	p->inbox = icfg;
	p->on_event = on_event;
	p->event_ctx = ctx;
	ctx->endpoint = p->endpoint;
}

/*
 * SIGHUP: read the configuration again. An invalid file keeps the old
 * configuration; party, database and key file only change with a restart.
 * Otherwise the new [party] sections and [relay] take effect at once: the
 * sync state is rebuilt (messages in flight are sent again and answered as
 * duplicates). Returns 0, or -1 when no sync state could be rebuilt at all.
 */
static int
reload(const char *path, struct node_config **cfgp,
       struct node_inbox_party **partiesp, struct node_inbox_cfg *icfg,
       struct node_sync_params *p, struct node_sync **syncp, sqlite3 *db,
       void *zctx, struct daemon_ctx *ctx)
{
	struct node_config *old = *cfgp, *cfg;
	struct node_inbox_party *parties;
	struct node_msg_error err;
	char buf[512] = "";
	size_t n = 0, old_n = icfg->n_parties;

	memset(&err, 0, sizeof(err));
	cfg = node_config_load(path, buf, sizeof(buf));
	if (cfg == NULL) {
		log_err("event=reload_failed detail=\"%s\" keeping=old", buf);
		return 0;
	}
	if (strcmp(node_config_party(cfg), node_config_party(old)) != 0 ||
	    strcmp(node_config_database(cfg), node_config_database(old)) != 0 ||
	    strcmp(node_config_key_file(cfg), node_config_key_file(old)) != 0) {
		log_warn("event=reload_refused detail=\"party, database and "
			 "key_file change only with a restart\" keeping=old");
		node_config_destroy(&cfg);
		return 0;
	}
	parties = inbox_parties(cfg, &n);
	if (parties == NULL) {
		log_err("event=reload_failed detail=\"out of memory\" "
			"keeping=old");
		node_config_destroy(&cfg);
		return 0;
	}
	node_sync_destroy(syncp);
	fill_params(cfg, parties, n, icfg, p, ctx);
	*syncp = node_sync_new(db, zctx, p, &err);
	if (*syncp == NULL) {
		log_err("event=reload_failed detail=\"%s\" keeping=old",
			err.detail);
		free(parties);
		node_config_destroy(&cfg);
		fill_params(old, *partiesp, old_n, icfg, p, ctx);
		*syncp = node_sync_new(db, zctx, p, &err);
		return *syncp != NULL ? 0 : -1;
	}
	free(*partiesp);
	node_config_destroy(cfgp);
	*cfgp = cfg;
	*partiesp = parties;
	log_init("ret-node", node_config_log_level(cfg));
	log_notice("event=reloaded parties=%zu relay=%s", n, p->endpoint);
	return 0;
}

static int
run(const char *path, struct node_config **cfgp)
{
	struct daemon_ctx ctx = {NULL};
	struct node_inbox_cfg icfg;
	struct node_sync_params p;
	struct node_inbox_party *parties = NULL;
	struct node_sync *sync = NULL;
	struct node_msg_error err;
	sqlite3 *db = NULL;
	void *zctx = NULL;
	zmq_pollitem_t items[NODE_SYNC_POLL_ITEMS + 1];
	uint64_t wd_usec = notify_watchdog_usec(), wd_next = 0, stop_at = 0;
	uint64_t now;
	size_t n_items, n_parties = 0;
	int sfd = -1, stopping = 0, reload_now = 0, rc = EX_OK;
	long timeout;

	memset(&err, 0, sizeof(err));
	parties = inbox_parties(*cfgp, &n_parties);
	if (parties == NULL) {
		log_err("event=out_of_memory");
		return EX_SOFTWARE;
	}
	fill_params(*cfgp, parties, n_parties, &icfg, &p, &ctx);

	if (open_database(*cfgp, &db) != 0) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	sfd = signal_fd();
	if (sfd < 0) {
		log_err("event=signalfd_failed errno=%d", errno);
		rc = EX_SOFTWARE;
		goto out;
	}
	zctx = zmq_ctx_new();
	if (zctx == NULL) {
		rc = EX_SOFTWARE;
		goto out;
	}
	sync = node_sync_new(db, zctx, &p, &err);
	if (sync == NULL) {
		log_err("event=start_failed detail=\"%s\"", err.detail);
		rc = err.status == NODE_ERR_INVALID ? EX_CONFIG : EX_SOFTWARE;
		goto out;
	}
	log_notice("event=started party=%s relay=%s version=%s",
		   node_config_party(*cfgp), p.endpoint, RET_VERSION);
	(void)notify_send("READY=1");

	for (;;) {
		now = node_sync_now_ms();
		n_items = node_sync_poll_items(sync, items);
		memset(&items[n_items], 0, sizeof(items[0]));
		items[n_items].fd = sfd;
		items[n_items].events = ZMQ_POLLIN;
		timeout = node_sync_timeout_ms(sync, now);
		if (stopping && timeout > 100)
			timeout = 100;
		if (wd_usec) {
			uint64_t due = wd_next > now ? wd_next - now : 0;

			if ((long)due < timeout)
				timeout = (long)due;
		}
		if (zmq_poll(items, (int)n_items + 1, timeout) < 0 &&
		    zmq_errno() != EINTR) {
			log_err("event=poll_failed detail=\"%s\"",
				zmq_strerror(zmq_errno()));
			rc = EX_SOFTWARE;
			break;
		}
		now = node_sync_now_ms();
		if (items[n_items].revents & ZMQ_POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reload_now = 1;
					continue;
				}
				if (!stopping) {
					stopping = 1;
					stop_at = now + STOP_GRACE_MS;
					(void)notify_send("STOPPING=1");
					log_notice("event=stopping signal=%u "
						   "in_flight=%u",
						   si.ssi_signo,
						   node_sync_in_flight(sync));
				}
			}
		}
		if (reload_now && !stopping) {
			reload_now = 0;
			if (reload(path, cfgp, &parties, &icfg, &p, &sync, db,
				   zctx, &ctx) != 0) {
				log_err("event=fatal detail=\"no sync state "
					"after reload\"");
				rc = EX_SOFTWARE;
				break;
			}
			continue; /* poll the new socket */
		}
		if (node_sync_handle(sync, items, now, &err) != NODE_OK) {
			log_err("event=fatal status=\"%s\" detail=\"%s\"",
				node_status_str(err.status), err.detail);
			rc = err.status == NODE_ERR_NOMEM ? EX_SOFTWARE
							  : EX_UNAVAILABLE;
			break;
		}
		if (wd_usec && now >= wd_next) {
			(void)notify_send("WATCHDOG=1");
			wd_next = now + wd_usec / 2000;
		}
		if (stopping && (node_sync_drain(sync) || now >= stop_at)) {
			if (node_sync_in_flight(sync) > 0)
				log_warn("event=stop_unanswered in_flight=%u",
					 node_sync_in_flight(sync));
			break;
		}
	}
	log_notice("event=stopped");
out:
	node_sync_destroy(&sync);
	if (zctx)
		zmq_ctx_term(zctx);
	if (sfd >= 0)
		close(sfd);
	node_db_close(&db);
	free(parties);
	return rc;
}

static int
check_config(const char *path)
{
	char err[512] = "";
	struct node_config *cfg = node_config_load(path, err, sizeof(err));

	if (cfg == NULL) {
		fprintf(stderr, "%s\n", err);
		return EX_CONFIG;
	}
	printf("%s: configuration is valid (party %s, relay %s)\n", path,
	       node_config_party(cfg), node_config_relay_endpoint(cfg));
	node_config_destroy(&cfg);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	const char *config = NULL;
	struct node_config *cfg;
	char err[512] = "";
	enum log_level level;
	int i, rc, stamps = 0;

	/*
	 * SQLite frees and allocates the same few hundred KiB for every
	 * statement of an ack batch; with glibc's default trim threshold each
	 * free gave the memory back to the kernel (brk), and with libzmq's
	 * threads on other cores every return costs a TLB shootdown: 60 % of
	 * the daemon's CPU while draining an outbox (docs/performance.md).
	 * Keep up to 4 MiB of freed heap instead.
	 */
	(void)mallopt(M_TRIM_THRESHOLD, 4 * 1024 * 1024);

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EX_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("ret-node %s\n", RET_VERSION);
			return EX_OK;
		} else if (strcmp(argv[i], "--log-timestamps") == 0) {
			stamps = 1;
		} else if (strcmp(argv[i], "--check-config") == 0) {
			if (i + 1 >= argc || i + 2 != argc) {
				fprintf(stderr, "ret-node: --check-config "
						"needs exactly one FILE\n");
				return EX_USAGE;
			}
			return check_config(argv[i + 1]);
		} else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc &&
			   config == NULL) {
			config = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0 &&
			   config == NULL) {
			config = argv[i] + 9;
		} else {
			fprintf(stderr,
				"ret-node: unexpected argument '%s'\n"
				"Try 'ret-node --help'.\n",
				argv[i]);
			return EX_USAGE;
		}
	}
	if (config == NULL)
		config = getenv("RET_CONFIG");
	if (config == NULL || config[0] == '\0')
		config = NODE_CONFIG_DEFAULT_PATH;

	log_init("ret-node", LOG_LEVEL_INFO);
	(void)log_set_timestamps(stamps);
	cfg = node_config_load(config, err, sizeof(err));
	if (cfg == NULL) {
		log_err("event=bad_config detail=\"%s\"", err);
		return EX_CONFIG;
	}
	level = node_config_log_level(cfg);
	log_init("ret-node", level);
	rc = run(config, &cfg);
	node_config_destroy(&cfg);
	return rc;
}
