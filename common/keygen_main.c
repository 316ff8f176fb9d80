/*
 * ret-keygen: create a party's secret key file (Ed25519 signing key,
 * CurveZMQ transport key pair, pseudonym secret) and print the public
 * lines that go into the configuration of relays and peers.
 */
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "keyfile.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: ret-keygen --party ID --out FILE [--json]\n"
		"       ret-keygen --public FILE [--json]\n"
		"\n"
		"Create a new secret key file for a party and print its public "
		"keys.\n"
		"\n"
		"  --party ID    party id: region:<slug>, desk:<slug> or "
		"relay:<slug>\n"
		"  --out FILE    secret key file to create (mode 0600; an "
		"existing\n"
		"                file is never overwritten)\n"
		"  --public FILE print the public keys of an existing secret "
		"key file\n"
		"  --json        print the public keys as JSON\n"
		"  --help        show this help\n"
		"  --version     show the version\n"
		"\n"
		"Exit status: 0 ok, 64 usage error, 65 bad key file, 73 cannot "
		"create\n"
		"the file, 77 key file readable by others.\n");
}

static int
print_public(const struct keyfile *k, int json)
{
	char text[512];

	if (json) {
		char hex[65];

		sodium_bin2hex(hex, sizeof(hex), k->sign_pk, 32);
		printf("{\"party\": \"%s\", \"signing_key\": \"%s\", "
		       "\"transport_key\": \"%s\"}\n",
		       k->party, hex, k->transport_pk);
		return EX_OK;
	}
	if (keyfile_public_text(k, text, sizeof(text)) < 0)
		return EX_SOFTWARE;
	fputs(text, stdout);
	return EX_OK;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"party", required_argument, NULL, 'p'},
		{"out", required_argument, NULL, 'o'},
		{"public", required_argument, NULL, 'P'},
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *party = NULL, *out = NULL, *pub = NULL;
	struct keyfile k;
	char err[256];
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			party = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'P':
			pub = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			printf("ret-keygen %s\n", RET_VERSION);
			return EX_OK;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ret-keygen: unexpected argument '%s'\n",
			argv[optind]);
		return EX_USAGE;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ret-keygen: libsodium failed to start\n");
		return EX_SOFTWARE;
	}
	if (pub != NULL) {
		if (party != NULL || out != NULL) {
			fprintf(stderr, "ret-keygen: --public takes no --party "
					"or --out\n");
			return EX_USAGE;
		}
		if (keyfile_read(pub, &k, err, sizeof(err)) != 0) {
			fprintf(stderr, "ret-keygen: %s\n", err);
			return strstr(err, "readable by others") ? EX_NOPERM
								 : EX_DATAERR;
		}
		rc = print_public(&k, json);
		keyfile_wipe(&k);
		return rc;
	}
	if (party == NULL || out == NULL) {
		fprintf(stderr, "ret-keygen: --party and --out are required "
				"(see --help)\n");
		return EX_USAGE;
	}
	if (keyfile_generate(party, &k) != 0) {
		fprintf(stderr,
			"ret-keygen: --party '%s' is not a party id (expected "
			"region:<slug>, desk:<slug> or relay:<slug>)\n",
			party);
		return EX_USAGE;
	}
	if (keyfile_write(out, &k, err, sizeof(err)) != 0) {
		fprintf(stderr, "ret-keygen: %s\n", err);
		keyfile_wipe(&k);
		return EX_CANTCREAT;
	}
	rc = print_public(&k, json);
	keyfile_wipe(&k);
	return rc;
}
