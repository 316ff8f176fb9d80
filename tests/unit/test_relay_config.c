/*
 * test_relay_config: the relay configuration parser accepts the documented
 * format, resolves paths against the file's directory, and refuses every
 * kind of bad input with "NAME:LINE: sentence" naming the right line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "relay_config.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define Z85A "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
#define Z85B "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

#define RELAY_SECTION                                                         \
	"[relay]\n"                                                           \
	"party = relay:bel\n"                                                 \
	"ben = bel\n"                                                         \
	"listen = tcp://127.0.0.1:7400\n"                                     \
	"key_file = relay-bel.secret\n"                                       \
	"database = relay-bel.db\n"

static int
parse(const char *text, struct relay_config **cfg, char *err, size_t errlen)
{
	return relay_config_parse(text, strlen(text), "r.ini", "/etc/ret", cfg,
				  err, errlen);
}

static void
test_valid(void **state)
{
	const char *text =
		"; the BEL relay\n" RELAY_SECTION
		"zap_domain = bel-domain\n"
		"log_level = debug ; inline comment\n"
		"\n"
		"[party region:noord-limburg]\n"
		"signing_key = " HEX64 "\n"
		"transport_key = " Z85A "\n"
		"ben = bel\n"
		"[party relay:ben-noord-holland]\n"
		"signing_key = " HEX64 "\n"
		"transport_key = " Z85B "\n"
		"ben = ben-noord-holland\n"
		"endpoint = tcp://127.0.0.1:7500\n"
		"[party region:westfriesland]\n"
		"signing_key = " HEX64 "\n"
		"ben = ben-noord-holland\n";
	struct relay_config *cfg = NULL;
	char err[RELAY_CONFIG_ERR_MAX] = "";
	const struct relay_party *p;

	(void)state;
	assert_int_equal(parse(text, &cfg, err, sizeof(err)), 0);
	assert_non_null(cfg);
	assert_string_equal(cfg->party, "relay:bel");
	assert_string_equal(cfg->ben, "bel");
	assert_string_equal(cfg->listen, "tcp://127.0.0.1:7400");
	assert_string_equal(cfg->key_file, "/etc/ret/relay-bel.secret");
	assert_string_equal(cfg->database, "/etc/ret/relay-bel.db");
	assert_string_equal(cfg->zap_domain, "bel-domain");
	assert_string_equal(cfg->log_level, "debug");
	assert_int_equal(cfg->n_parties, 3);
	p = relay_config_party(cfg, "region:noord-limburg");
	assert_non_null(p);
	assert_true(p->has_transport);
	assert_int_equal(p->signing_key[0], 0x01);
	assert_int_equal(p->line, 11);
	p = relay_config_party_by_transport(cfg, Z85B);
	assert_non_null(p);
	assert_string_equal(p->id, "relay:ben-noord-holland");
	assert_string_equal(p->endpoint, "tcp://127.0.0.1:7500");
	p = relay_config_party(cfg, "region:westfriesland");
	assert_non_null(p);
	assert_false(p->has_transport);
	assert_null(relay_config_party_by_transport(cfg, "nope"));
	assert_null(relay_config_party(cfg, "region:nowhere"));
	relay_config_destroy(&cfg);
	assert_null(cfg);
	relay_config_destroy(&cfg);
}

static void
test_defaults_and_paths(void **state)
{
	struct relay_config *cfg = NULL;
	char err[RELAY_CONFIG_ERR_MAX] = "";
	const char *text = "[relay]\nparty = relay:bel\nben = bel\n"
			   "listen = ipc:///tmp/x\nkey_file = /abs/k\n"
			   "database = rel/db\n";

	(void)state;
	assert_int_equal(relay_config_parse(text, strlen(text), "r.ini", NULL,
					    &cfg, err, sizeof(err)),
			 0);
	assert_string_equal(cfg->zap_domain, "retfed");
	assert_string_equal(cfg->key_file, "/abs/k");
	assert_string_equal(cfg->database, "rel/db");
	assert_string_equal(cfg->log_level, "");
	assert_int_equal(cfg->n_parties, 0);
	relay_config_destroy(&cfg);
}

/* Each bad configuration with the "r.ini:LINE: " prefix it must produce and
 * a word of the sentence. */
static const struct {
	const char *text;
	const char *prefix;
	const char *word;
} bad[] = {
	{"", "r.ini:1: ", "[relay] section is missing"},
	{"[relay]\nparty = relay:bel\n", "r.ini:1: ", "needs ben"},
	{"[relay]\nben = bel\n", "r.ini:1: ", "needs party"},
	{"[relay]\nparty = relay:bel\nben = bel\n", "r.ini:1: ", "needs listen"},
	{"[relay]\nparty = relay:bel\nben = bel\nlisten = tcp://a:1\n",
	 "r.ini:1: ", "needs key_file"},
	{"[relay]\nparty = relay:bel\nben = bel\nlisten = tcp://a:1\n"
	 "key_file = k\n",
	 "r.ini:1: ", "needs database"},
	{"[relay]\nparty = region:bel\n", "r.ini:2: ", "relay party id"},
	{"[relay]\nparty = relay:bel\nparty = relay:bel\n", "r.ini:3: ",
	 "duplicate key 'party'"},
	{"[relay]\nben = BEL\n", "r.ini:2: ", "BEN slug"},
	{"[relay]\nlisten = http://x\n", "r.ini:2: ", "listen must be"},
	{"[relay]\nkey_file =\n", "r.ini:2: ", "key_file is empty"},
	{"[relay]\ndatabase =\n", "r.ini:2: ", "database is empty"},
	{"[relay]\nzap_domain = a b\n", "r.ini:2: ", "zap_domain"},
	{"[relay]\nlog_level = loud\n", "r.ini:2: ", "log_level"},
	{"[relay]\ncolour = red\n", "r.ini:2: ", "unknown key 'colour'"},
	{"x = 1\n[relay]\n", "r.ini:1: ", "outside of any section"},
	{"\n[nodes]\n", "r.ini:2: ", "unknown section [nodes]"},
	{"[relay]\n[relay]\n", "r.ini:2: ", "duplicate [relay]"},
	{"[relay]\nthis is not ini\n", "r.ini:2: ", "syntax error"},
	{"[relay\n", "r.ini:1: ", "syntax error"},
	{RELAY_SECTION "[party Region:x]\n", "r.ini:7: ", "not a party id"},
	{RELAY_SECTION "[party region:x]\n", "r.ini:7: ", "needs signing_key"},
	{RELAY_SECTION "[party region:x]\nsigning_key = " HEX64 "\n",
	 "r.ini:7: ", "needs ben"},
	{RELAY_SECTION "[party region:x]\nsigning_key = abc\n", "r.ini:8: ",
	 "64 hex digits"},
	{RELAY_SECTION "[party region:x]\ntransport_key = abc\n", "r.ini:8: ",
	 "40 Z85"},
	{RELAY_SECTION "[party region:x]\nben = -x\n", "r.ini:8: ", "BEN slug"},
	{RELAY_SECTION "[party region:x]\nendpoint = tcp://a:1\n", "r.ini:8: ",
	 "only allowed for relay"},
	{RELAY_SECTION "[party relay:x]\nendpoint = udp://a:1\n", "r.ini:8: ",
	 "tcp:// endpoint"},
	{RELAY_SECTION "[party region:x]\nweight = 3\n", "r.ini:8: ",
	 "unknown key 'weight'"},
	{RELAY_SECTION "[party region:x]\nben = bel\nben = bel\n", "r.ini:9: ",
	 "duplicate key 'ben'"},
	{RELAY_SECTION "[party region:x]\nsigning_key = " HEX64 "\nben = bel\n"
		       "[party region:x]\n",
	 "r.ini:10: ", "duplicate section"},
	{RELAY_SECTION "[party relay:bel]\nsigning_key = " HEX64
		       "\nben = nh\ntransport_key = " Z85A "\n",
	 "r.ini:7: ", "this relay itself"},
	{RELAY_SECTION "[party relay:x]\nsigning_key = " HEX64
		       "\nben = bel\ntransport_key = " Z85A "\n",
	 "r.ini:7: ", "must belong to another BEN"},
	{RELAY_SECTION "[party relay:x]\nsigning_key = " HEX64 "\nben = nh\n",
	 "r.ini:7: ", "needs transport_key"},
	{RELAY_SECTION "[party region:x]\nsigning_key = " HEX64
		       "\nben = nh\ntransport_key = " Z85A "\n",
	 "r.ini:7: ", "another BEN cannot have"},
	{RELAY_SECTION "[party region:x]\nsigning_key = " HEX64
		       "\nben = bel\ntransport_key = " Z85A "\n"
		       "[party region:y]\nsigning_key = " HEX64
		       "\nben = bel\ntransport_key = " Z85A "\n",
	 "r.ini:11: ", "same transport_key"},
};

static void
test_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct relay_config *cfg = NULL;
		char err[RELAY_CONFIG_ERR_MAX] = "";

		if (parse(bad[i].text, &cfg, err, sizeof(err)) == 0)
			fail_msg("case %zu was accepted", i);
		assert_null(cfg);
		if (strncmp(err, bad[i].prefix, strlen(bad[i].prefix)) != 0 ||
		    strstr(err, bad[i].word) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i,
				 err, bad[i].prefix, bad[i].word);
	}
}

static void
test_long_line_and_nul(void **state)
{
	char text[600];
	char err[RELAY_CONFIG_ERR_MAX] = "";
	struct relay_config *cfg = NULL;
	static const char with_nul[] = "[relay]\nparty = relay:b\0el\n";

	(void)state;
	snprintf(text, sizeof(text), "[relay]\n; %0250d\n", 0);
	assert_int_equal(parse(text, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "r.ini:2: line is longer"));
	assert_int_equal(relay_config_parse(with_nul, sizeof(with_nul) - 1,
					    "r.ini", NULL, &cfg, err,
					    sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "r.ini:2: line contains a NUL"));
	assert_null(cfg);
}

static void
test_load_missing_file(void **state)
{
	struct relay_config *cfg = NULL;
	char err[RELAY_CONFIG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(relay_config_load("/nonexistent/relay.ini", &cfg, err,
					   sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "/nonexistent/relay.ini:0: cannot open"));
	assert_null(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_defaults_and_paths),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_load_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
