/*
 * test_node_config: the node configuration parser accepts the documented
 * format, refuses every kind of bad line with "NAME:LINE: sentence",
 * resolves paths against the config directory and loads the key file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyfile.h"
#include "node_config.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define Z85 "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

#define NODE_SECTION                                                          \
	"[node]\n"                                                            \
	"party = region:noord-limburg ; a comment\n"                          \
	"ben = bel\n"                                                         \
	"database = nl.db\n"                                                  \
	"key_file = nl.secret\n"
#define RELAY_SECTION                                                         \
	"[relay]\n"                                                           \
	"endpoint = tcp://127.0.0.1:7400\n"                                   \
	"party = relay:bel\n"                                                 \
	"transport_key = " Z85 "\n"

static struct node_config *
parse(const char *text, char *err, size_t errlen)
{
	return node_config_parse(text, strlen(text), "t.conf", "/etc/ret",
				 err, errlen);
}

static void
expect_error(const char *text, const char *want)
{
	char err[512] = "";
	struct node_config *cfg = parse(text, err, sizeof(err));

	if (cfg != NULL || strstr(err, want) == NULL)
		fail_msg("wanted error containing '%s', got '%s'", want, err);
	assert_null(cfg);
}

static void
test_valid(void **state)
{
	char err[512] = "";
	struct node_config *cfg;
	const char *text = NODE_SECTION "log_level = debug\n"
					"suppression_threshold = 7\n"
					"pseudonym_label = k2\n"
		RELAY_SECTION "[party desk:bel-roermond]\n"
			      "signing_key = " HEX64 "\n"
			      "ben = bel\n"
			      "transport_key = " Z85 "\n"
			      "[party region:westfriesland]\n"
			      "signing_key = " HEX64 "\n"
			      "ben = ben-noord-holland\n";

	(void)state;
	cfg = parse(text, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_string_equal(node_config_party(cfg), "region:noord-limburg");
	assert_int_equal(node_config_role(cfg), PARTY_REGION);
	assert_string_equal(node_config_ben(cfg), "bel");
	assert_string_equal(node_config_database(cfg), "/etc/ret/nl.db");
	assert_string_equal(node_config_key_file(cfg), "/etc/ret/nl.secret");
	assert_int_equal(node_config_log_level(cfg), LOG_LEVEL_DEBUG);
	assert_int_equal(node_config_suppression_threshold(cfg), 7);
	assert_string_equal(node_config_pseudonym_label(cfg), "k2");
	assert_string_equal(node_config_relay_endpoint(cfg),
			    "tcp://127.0.0.1:7400");
	assert_string_equal(node_config_relay_party(cfg), "relay:bel");
	assert_string_equal(node_config_relay_transport_key(cfg), Z85);
	assert_int_equal(node_config_party_count(cfg), 2);
	assert_string_equal(node_config_party_at(cfg, 1),
			    "region:westfriesland");
	assert_null(node_config_party_at(cfg, 2));
	assert_non_null(node_config_signing_key(cfg, "desk:bel-roermond"));
	assert_int_equal(node_config_signing_key(cfg, "desk:bel-roermond")[0],
			 0x01);
	assert_string_equal(
		node_config_party_ben(cfg, "region:westfriesland"),
		"ben-noord-holland");
	assert_null(node_config_signing_key(cfg, "desk:unknown"));
	assert_null(node_config_keys(cfg));
	node_config_destroy(&cfg);
	assert_null(cfg);
	node_config_destroy(&cfg);
}

static void
test_defaults_and_absolute(void **state)
{
	char err[512] = "";
	struct node_config *cfg;
	const char *text = "[node]\nparty = desk:bel-roermond\nben = bel\n"
			   "database = /var/lib/ret/d.db\nkey_file = k\n"
		RELAY_SECTION;

	(void)state;
	cfg = parse(text, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_int_equal(node_config_role(cfg), PARTY_DESK);
	assert_string_equal(node_config_database(cfg), "/var/lib/ret/d.db");
	assert_int_equal(node_config_log_level(cfg), LOG_LEVEL_INFO);
	assert_int_equal(node_config_suppression_threshold(cfg), 5);
	assert_string_equal(node_config_pseudonym_label(cfg), "k1");
	assert_int_equal(node_config_party_count(cfg), 0);
	node_config_destroy(&cfg);
}

static void
test_errors_name_the_line(void **state)
{
	(void)state;
	expect_error(NODE_SECTION "colour = blue\n" RELAY_SECTION,
		     "t.conf:6: unknown key 'colour' in [node]");
	expect_error(NODE_SECTION RELAY_SECTION "[nodes]\n",
		     "t.conf:10: unknown section [nodes]");
	expect_error(NODE_SECTION "ben = bel\n" RELAY_SECTION,
		     "t.conf:6: key 'ben' given twice");
	expect_error("[node]\nparty = relay:bel\n", "t.conf:2: party must be");
	expect_error("[node]\nparty = region:Noord\n", "t.conf:2: party must");
	expect_error("[node]\nben = BEL\n", "t.conf:2: ben must be a slug");
	expect_error("[node]\nsuppression_threshold = 2\n",
		     "t.conf:2: suppression_threshold");
	expect_error("[node]\nsuppression_threshold = 5x\n",
		     "t.conf:2: suppression_threshold");
	expect_error("[node]\nlog_level = loud\n", "t.conf:2: log_level");
	expect_error("[node]\npseudonym_label = K1\n",
		     "t.conf:2: pseudonym_label must be");
	expect_error("[node]\npseudonym_label = k123456789\n",
		     "t.conf:2: pseudonym_label must be");
	expect_error("[node]\npseudonym_label =\n",
		     "t.conf:2: pseudonym_label must be");
	expect_error("[node]\ndatabase =\n", "t.conf:2: database must not");
	expect_error("party = region:a\n", "t.conf:1: key 'party' outside");
	expect_error("[node]\nparty\n", "t.conf:2: expected [section]");
	expect_error("[node\n", "t.conf:1: section header without ']'");
	expect_error("[node] party = x\n", "t.conf:1: text after the section");
	expect_error(NODE_SECTION, "missing [relay] section");
	expect_error(RELAY_SECTION, "missing [node] section");
	expect_error("[node]\nparty = region:a\n" RELAY_SECTION,
		     "t.conf:1: [node] needs 'ben'");
	expect_error(NODE_SECTION "[relay]\nendpoint = tcp://h:7400\n",
		     "t.conf:6: [relay] needs 'party'");
	expect_error(NODE_SECTION "[relay]\nendpoint = http://h:1\n",
		     "t.conf:7: endpoint must look like");
	expect_error(NODE_SECTION "[relay]\nendpoint = tcp://h:99999\n",
		     "t.conf:7: endpoint must look like");
	expect_error(NODE_SECTION "[relay]\nparty = region:x\n",
		     "t.conf:7: relay party must be");
	expect_error(NODE_SECTION "[relay]\ntransport_key = short\n",
		     "t.conf:7: transport_key must be 40 Z85");
	expect_error(NODE_SECTION RELAY_SECTION "[party desk:a]\n"
					      "signing_key = 12\n",
		     "t.conf:11: signing_key must be 64 hex");
	expect_error(NODE_SECTION RELAY_SECTION "[party desk:a]\n"
					      "signing_key = " HEX64 "\n",
		     "t.conf:10: [party desk:a] needs 'ben'");
	expect_error(NODE_SECTION RELAY_SECTION "[party desk:a]\n",
		     "t.conf:10: [party desk:a] needs 'signing_key'");
	expect_error(NODE_SECTION RELAY_SECTION "[party desk:a]\nben = b\n"
					      "[party desk:a]\n",
		     "t.conf:12: second [party desk:a] section");
	expect_error(NODE_SECTION RELAY_SECTION "[party Desk]\n",
		     "t.conf:10: [party ID]: 'Desk' is not a party id");
	expect_error(NODE_SECTION RELAY_SECTION "[party desk:a]\nurl = x\n",
		     "t.conf:11: unknown key 'url' in [party desk:a]");
	expect_error(NODE_SECTION NODE_SECTION, "t.conf:6: second [node]");
}

static void
test_long_line_and_nul(void **state)
{
	char text[400];
	char err[256] = "";
	struct node_config *cfg;

	(void)state;
	memset(text, 0, sizeof(text));
	snprintf(text, sizeof(text), "[node]\ndatabase = ");
	memset(text + strlen(text), 'a', 250);
	expect_error(text, "t.conf:2: line longer than");
	cfg = node_config_parse("[node]\n\0x", 9, "t.conf", NULL, err,
				sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "t.conf:2: NUL byte"));
}

static void
test_load_with_key_file(void **state)
{
	char dir[] = "/tmp/ret-test-config-XXXXXX";
	char path[512], keypath[512], err[512] = "", text[1024];
	struct keyfile k;
	struct node_config *cfg;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(keypath, sizeof(keypath), "%s/nl.secret", dir);
	assert_int_equal(keyfile_generate("region:noord-limburg", &k), 0);
	assert_int_equal(keyfile_write(keypath, &k, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/node.conf", dir);
	snprintf(text, sizeof(text), "%s%s", NODE_SECTION, RELAY_SECTION);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);

	cfg = node_config_load(path, err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	assert_non_null(node_config_keys(cfg));
	assert_memory_equal(node_config_keys(cfg)->sign_pk, k.sign_pk, 32);
	node_config_destroy(&cfg);

	/* A key file of another party is refused. */
	unlink(keypath);
	keyfile_wipe(&k);
	assert_int_equal(keyfile_generate("region:zuid-limburg", &k), 0);
	assert_int_equal(keyfile_write(keypath, &k, err, sizeof(err)), 0);
	cfg = node_config_load(path, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "belongs to region:zuid-limburg"));

	/* A missing file names itself; reading without keys still works. */
	unlink(keypath);
	cfg = node_config_load(path, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "nl.secret"));
	cfg = node_config_read(path, err, sizeof(err));
	assert_non_null(cfg);
	assert_null(node_config_keys(cfg));
	node_config_destroy(&cfg);
	unlink(path);
	cfg = node_config_load(path, err, sizeof(err));
	assert_null(cfg);
	assert_non_null(strstr(err, "cannot open"));
	rmdir(dir);
	keyfile_wipe(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_defaults_and_absolute),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_load_with_key_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
