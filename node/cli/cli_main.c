/*
 * cli_main: the `ret` command line for the chair (voorzitter), the process
 * supporter (procesondersteuner/secretaris) and the process director of a
 * RET, and for BEN desks. A flat subcommand table; each group lives in its
 * own cli_<group>.c.
 */
#include "cli.h"
#include "cli_build.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
	{"init", cli_init, N_("Create or upgrade the node database")},
	{"casus", cli_casus, N_("Register cases and move them through the procesregie")},
	{"consultatie", cli_consultatie, N_("Record consultations (consultatie en advies)")},
	{"audit", cli_audit, N_("Verify and show the audit log")},
	{"privacy", cli_privacy, N_("Check text for personal data before it leaves the node")},
	{"outbox", cli_outbox, N_("Show the messages waiting to be sent to the relay")},
	{"inbox", cli_inbox, N_("Show the messages received from the relay")},
	{"opschaling", cli_opschaling, N_("Escalate a stuck casus to the BEN (opschalingsverzoek)")},
	{"procesversneller", cli_procesversneller, N_("Ask the BEN for a procesversneller for a casus")},
	{"peer-review", cli_peerreview, N_("Ask another region for a peer review, or answer one")},
	{"dashboard", cli_dashboard, N_("The figures of a period as a dashboard (HTML), text or JSON")},
	{"desk", cli_desk, N_("BEN desk: list, show and decide on the requests of the regions")},
	{"leersamenvatting", cli_leersamenvatting, N_("Send a learning summary of a period, or compare the regions' summaries")},
	{"overleg", cli_overleg, N_("Plan meetings: agenda, participants, attendance and minutes")},
	{"declaratie", cli_declaratie, N_("The attendance hours of a period times the year's rate, for the municipality")},
	{"monitor", cli_monitor, N_("Export the cases for the national Monitor Regionale Expertteams, and delete the export")},
	{"status", cli_status, N_("What needs attention: monitor exports, uninformed clients, evaluation forms")},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: ret [--config FILE] [--user NAME] [--json] COMMAND [ARGUMENTS]\n"
			   "       ret COMMAND --help\n"
			   "\n"
			   "Commands:\n"));
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i].fn != NULL)
			fprintf(f, "  %-17s %s\n", commands[i].name,
				_(commands[i].summary));
	fprintf(f, "%s", _("\n"
			   "Options:\n"
			   "  --config FILE  configuration file (default: $RET_CONFIG, else /etc/ret/node.conf)\n"
			   "  --user NAME    who you are, for the audit log (default: $RET_USER, else your login name)\n"
			   "  --json         print results as JSON\n"
			   "  --help         show this help\n"
			   "  --version      show the version\n"
			   "\n"
			   "Exit status: 0 ok, 64 usage error, 65 bad data, 69 database or relay\n"
			   "unavailable, 70 internal error, 75 try again later, 78 bad configuration.\n"));
}

static void
setup_locale(void)
{
	const char *dir = getenv("RET_LOCALEDIR");

	if (setlocale(LC_ALL, "") == NULL) {
		/*
		 * The user's locale (say nl_NL.UTF-8) is not generated on this
		 * machine: keep UTF-8 and still honour the language it names,
		 * through LANGUAGE, which gettext reads first.
		 */
		const char *names[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
		const char *lang = getenv("LANGUAGE");

		(void)setlocale(LC_ALL, "C.UTF-8");
		for (size_t i = 0; (lang == NULL || lang[0] == '\0') && i < 3; i++)
			lang = getenv(names[i]);
		if (lang != NULL && getenv("LANGUAGE") == NULL) {
			char buf[32];
			size_t n = strcspn(lang, ".@");
			if (n > 0 && n < sizeof(buf)) {
				memcpy(buf, lang, n);
				buf[n] = '\0';
				if (strcmp(buf, "C") != 0 && strcmp(buf, "POSIX") != 0)
					(void)setenv("LANGUAGE", buf, 1);
			}
		}
	}
	/* Numbers in output and JSON stay in the C notation. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("ret", dir != NULL && dir[0] != '\0' ? dir : RET_LOCALEDIR);
	bind_textdomain_codeset("ret", "UTF-8");
	textdomain("ret");
}

/*
 * Parse the common options up to the command, then hand the rest of the
 * command line to the command. Returns its exit code.
 */
int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONGOPTS,
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *name;
	int c;

	setup_locale();
	/* '+': stop at the subcommand; its options are its own. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORTOPTS,
				longopts, NULL)) != -1) {
		if (cli_common_option(c, optarg))
			continue;
		switch (c) {
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("ret %s\n", RET_VERSION);
			return EX_OK;
		default:
			if (c == ':')
				cli_error(_("option '%s' needs a value"), argv[optind - 1]);
			else if (optopt != 0)
				cli_error(_("unknown option '-%c'"), optopt);
			else
				cli_error(_("unknown option '%s'"), argv[optind - 1]);
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		cli_error("%s", _("no command given"));
		usage(stderr);
		return EX_USAGE;
	}
	name = argv[optind];
	if (strcmp(name, "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (commands[i].fn != NULL && strcmp(commands[i].name, name) == 0) {
			/* Each subcommand parses its own options afresh. */
			argc -= optind;
			argv += optind;
			optind = 0;
			opterr = 0;
			return commands[i].fn(argc, argv);
		}
	}
	cli_error(_("unknown command '%s'"), name);
	usage(stderr);
	return EX_USAGE;
}
