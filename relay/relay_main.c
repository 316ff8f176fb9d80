/*
 * ret-relay: the BEN relay daemon. Parses the command line, reads the
 * configuration and key file, opens the store, and runs the event loop in
 * the foreground until SIGTERM. See docs/relay.md.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "dbcheck.h"
#include "keyfile.h"
#include "log.h"
#include "notify.h"
#include "relay_config.h"
#include "relay_server.h"
#include "relay_status.h"
#include "relay_store.h"

/* sysexits.h values, spelled out so that no BSD header is needed. */
#define EXIT_USAGE 64
#define EXIT_UNAVAILABLE 69
#define EXIT_SOFTWARE 70
#define EXIT_CONFIG 78

static void
usage(FILE *out)
{
	fprintf(out,
		"Usage: ret-relay --config FILE\n"
		"       ret-relay --check-config FILE\n"
		"       ret-relay status [--json] [--config FILE]\n"
		"Run the RET federation relay of a BEN in the foreground.\n"
		"\n"
		"  -c, --config FILE        run with this configuration\n"
		"  -n, --check-config FILE  check a configuration and exit\n"
		"                           (0 if valid, 78 with FILE:LINE)\n"
		"  -t, --log-timestamps     put a UTC timestamp on each log line\n"
		"                           (not under journald, which has its "
		"own)\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and exit\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop after the batch in flight; SIGHUP\n"
		"reloads the allow-list of parties.\n"
		"Exit status: 0 ok, 64 usage, 69 unavailable, 70 software "
		"error,\n78 configuration error.\n"
		"Documentation: docs/relay.md\n");
}

static int
check_config(const char *path)
{
	struct relay_config *cfg = NULL;
	char err[RELAY_CONFIG_ERR_MAX];

	if (relay_config_load(path, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	printf("%s: ok (%s of BEN %s, %zu parties)\n", path, cfg->party,
	       cfg->ben, cfg->n_parties);
	relay_config_destroy(&cfg);
	return 0;
}

/* Set by --log-timestamps; the configuration may also ask for them. */
static int opt_log_timestamps;

/*
 * The start-up check of the database (docs/relay.md, "Start-up checks"):
 * 0 when the relay may open it, else -1 after one log line that names
 * the file and what to do.
 */
static int
check_database(const char *path)
{
	struct dbcheck_report rep;
	char err[1024];
	enum dbcheck_verdict v;

	v = dbcheck_run(path,
			"stop the relay, move the file (and its -wal and -shm "
			"files) away and restore the last backup with "
			"`ret-relay restore BACKUP --config FILE`; parties "
			"then re-send what the backup lacks",
			&rep, err, sizeof(err));
	if (v != DBCHECK_OK) {
		log_err("event=database_check path=%s result=%s error=\"%s\"",
			path, dbcheck_verdict_name(v), err);
		return -1;
	}
	log_info("event=database_check path=%s result=ok check=%s bytes=%llu "
		 "free_bytes=%llu ms=%llu",
		 path, rep.check, (unsigned long long)rep.bytes,
		 (unsigned long long)rep.free_bytes,
		 (unsigned long long)rep.ms);
	return 0;
}

static int
run(const char *path)
{
	struct relay_config *cfg = NULL;
	struct relay_store *store = NULL;
	struct relay_server *srv = NULL;
	struct keyfile kf;
	char err[RELAY_CONFIG_ERR_MAX];
	enum log_level lvl = LOG_LEVEL_INFO;
	sigset_t mask;
	int sfd = -1, rc = 0;

	if (relay_config_load(path, &cfg, err, sizeof(err)) != 0) {
		log_err("event=config error=\"%s\"", err);
		return EXIT_CONFIG;
	}
	if (cfg->log_level[0] != '\0' && log_level_parse(cfg->log_level, &lvl) == 0)
		log_init("ret-relay", lvl);
	(void)log_set_timestamps(opt_log_timestamps || cfg->log_timestamps);
	if (keyfile_read(cfg->key_file, &kf, err, sizeof(err)) != 0) {
		log_err("event=key_file path=%s error=\"%s\"", cfg->key_file, err);
		relay_config_destroy(&cfg);
		return EXIT_CONFIG;
	}
	if (strcmp(kf.party, cfg->party) != 0) {
		log_err("event=key_file path=%s error=\"key file is for %s, not %s\"",
			cfg->key_file, kf.party, cfg->party);
		keyfile_wipe(&kf);
		relay_config_destroy(&cfg);
		return EXIT_CONFIG;
	}
	/* Block the signals before any thread exists so all inherit it. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0 ||
	    (sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK)) < 0) {
		log_err("event=signalfd error=\"%s\"", strerror(errno));
		keyfile_wipe(&kf);
		relay_config_destroy(&cfg);
		return EXIT_SOFTWARE;
	}
	if (check_database(cfg->database) != 0) {
		keyfile_wipe(&kf);
		relay_config_destroy(&cfg);
		close(sfd);
		return EXIT_UNAVAILABLE;
	}
	store = relay_store_open(cfg->database, err, sizeof(err));
	if (store == NULL) {
		log_err("event=database path=%s error=\"%s\"", cfg->database, err);
		keyfile_wipe(&kf);
		relay_config_destroy(&cfg);
		close(sfd);
		return EXIT_UNAVAILABLE;
	}
	log_notice("event=starting party=%s ben=%s listen=%s parties=%zu version=%s",
		   cfg->party, cfg->ben, cfg->listen, cfg->n_parties,
		   RET_VERSION);
	srv = relay_server_new(path, cfg, store, &kf, err, sizeof(err));
	keyfile_wipe(&kf);
	if (srv == NULL) {
		log_err("event=listen error=\"%s\"", err);
		close(sfd);
		return EXIT_UNAVAILABLE;
	}
	log_notice("event=ready ready=1");
	(void)notify_send("READY=1");
	if (relay_server_run(srv, sfd) != 0)
		rc = EXIT_SOFTWARE;
	(void)notify_send("STOPPING=1");
	relay_server_destroy(&srv);
	close(sfd);
	log_notice("event=exit status=%d", rc);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"log-timestamps", no_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	const char *config = NULL, *check = NULL;
	int c;

	log_init("ret-relay", LOG_LEVEL_INFO);
	/* Operator commands (docs/relay.md, "Operations"). */
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return relay_status_main(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "c:n:hVt", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'n':
			check = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ret-relay %s\n", RET_VERSION);
			return 0;
		case 't':
			opt_log_timestamps = 1;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || (config == NULL) == (check == NULL)) {
		fprintf(stderr, "ret-relay: give exactly one of --config FILE "
				"or --check-config FILE\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ret-relay: libsodium failed to initialise\n");
		return EXIT_SOFTWARE;
	}
	if (check != NULL)
		return check_config(check);
	return run(config);
}
