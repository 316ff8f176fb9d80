/*
 * test_relay_ops: what an operator sees of a running relay
 * (docs/relay.md, "Operations").
 *
 * A real ret-relay with metrics_listen (127.0.0.1, a port picked at run
 * time) and metrics_file; a region submits escalations, one with a bad
 * signature; the desk is away, then comes and confirms. Checked:
 * - the text served at /metrics and the textfile both pass
 *   `promtool check metrics` (Debian prometheus);
 * - their values: acked, refused{reason="bad_signature"}, the desk's
 *   backlog before and after its confirm, the commit histogram count;
 * - `ret-relay status --json` (read-only, while the relay runs): the
 *   desk's backlog and oldest unconfirmed delivery, the region's last
 *   sequence number, the store's size; the human form names the parties.
 */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define REPLY_MS 5000
#define N_SUBMIT 20
#define PROMTOOL "/usr/bin/promtool"

/* GET /metrics from 127.0.0.1:port into a malloc'ed string (body only). */
static char *
http_get_metrics(int port)
{
	struct sockaddr_in sa;
	struct timeval tv = {5, 0};
	static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1"
	                          "\r\n\r\n";
	char *buf = NULL, *body;
	size_t len = 0, cap = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ssize_t n;

	assert_true(fd >= 0);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, req, sizeof(req) - 1),
	                 (ssize_t)(sizeof(req) - 1));
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 16384;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	assert_non_null(buf);
	buf[len] = '\0';
	assert_non_null(strstr(buf, " 200 "));
	assert_non_null(strstr(buf, "text/plain; version=0.0.4"));
	body = strstr(buf, "\r\n\r\n");
	assert_non_null(body);
	body = strdup(body + 4);
	free(buf);
	return body;
}

/* The value of the sample line that starts with `series` + " ". */
static double
sample(const char *text, const char *series)
{
	size_t n = strlen(series);
	const char *p = text;

	while ((p = strstr(p, series)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == ' ')
			return strtod(p + n + 1, NULL);
		p += n;
	}
	fail_msg("no sample %s", series);
	return -1;
}

/* `promtool check metrics < path`: returns its exit status. */
static int
promtool_check(const char *dir, const char *path)
{
	char cmd[1200], out[HARNESS_PATH_MAX];
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	int rc;

	snprintf(cmd, sizeof(cmd), PROMTOOL " check metrics < '%s'", path);
	snprintf(out, sizeof(out), "%s/promtool.out", dir);
	rc = harness_run(argv, out, out, 30000);
	if (rc != 0) {
		FILE *f = fopen(out, "r");
		char line[512];

		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			fprintf(stderr, "# promtool: %s", line);
		if (f != NULL)
			fclose(f);
	}
	return rc;
}

/* Run `ret-relay status ARGS`, stdout into out. Returns the exit status. */
static int
run_status(const char *config, int json, const char *out)
{
	const char *argv[] = {
	    getenv("RET_RELAY_BIN"), "status", "--config", config,
	    json ? "--json" : NULL,  NULL};

	return harness_run(argv, out, NULL, 30000);
}

/* Fetch metrics until `series` has value `want` (bounded): the relay
 * renders them every two seconds. Returns the last text fetched. */
static char *
metrics_when(int port, const char *series, double want)
{
	int i;
	char *text = NULL;

	for (i = 0; i < 100; i++) {
		free(text);
		text = http_get_metrics(port);
		if (strstr(text, series) != NULL &&
		    sample(text, series) == want)
			return text;
		harness_sleep_ms(100 * harness_slowness());
	}
	fail_msg("%s never reached %g", series, want);
	return text;
}

static json_t *
party_of(json_t *root, const char *id)
{
	json_t *arr = json_object_get(root, "parties"), *p;
	size_t i;

	json_array_foreach(arr, i, p)
	{
		if (strcmp(json_string_value(json_object_get(p, "party")),
		           id) == 0)
			return p;
	}
	fail_msg("party %s missing from status", id);
	return NULL;
}

static void
test_status_and_metrics(void **state)
{
	char *dir = harness_tmpdir("relay-ops");
	struct harness_relay relay;
	struct keyfile nl, desk;
	char parties[4096] = "", text[8192], prom[HARNESS_PATH_MAX];
	char out[HARNESS_PATH_MAX], served[HARNESS_PATH_MAX];
	struct harness_client *c_nl, *c_desk;
	struct relay_frame *f;
	json_t *root, *p;
	json_error_t jerr;
	char *metrics;
	uint64_t cursor = 0;
	int port, i;
	FILE *fp;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(
	    harness_party_keys(dir, "region:noord-limburg", &nl, NULL, 0), 0);
	assert_int_equal(
	    harness_party_keys(dir, "desk:bel-roermond", &desk, NULL, 0), 0);
	assert_int_equal(
	    harness_append_party(parties, sizeof(parties), &nl, 1, "bel", NULL),
	    0);
	assert_int_equal(harness_append_party(parties, sizeof(parties), &desk,
	                                      1, "bel", NULL),
	                 0);
	assert_int_equal(
	    harness_relay_init(&relay, dir, "relay:bel", "bel", parties), 0);
	port = harness_free_port();
	assert_true(port > 0);
	snprintf(prom, sizeof(prom), "%s/relay.prom", dir);
	snprintf(text, sizeof(text),
	         "[relay]\nparty = relay:bel\nben = bel\nlisten = %s\n"
	         "key_file = bel.secret\ndatabase = relay.db\n"
	         "log_level = info\nmetrics_listen = 127.0.0.1:%d\n"
	         "metrics_file = relay.prom\n\n%s",
	         relay.endpoint, port, parties);
	assert_int_equal(harness_write_file(dir, "bel.ini", text, relay.config,
	                                    sizeof(relay.config)),
	                 0);
	assert_int_equal(harness_relay_start(&relay, 10000), 0);

	c_nl = harness_client_new(relay.endpoint, relay.key.transport_pk, &nl);
	assert_non_null(c_nl);
	for (i = 1; i <= N_SUBMIT; i++) {
		struct harness_env e = {0};
		uint8_t id[16], *env = NULL;
		size_t len = 0;

		e.kind = RETFED__V1__KIND__KIND_ESCALATION;
		e.seq = (uint64_t)i;
		assert_int_equal(harness_seal(&nl, &e, id, &env, &len), 0);
		assert_int_equal(harness_client_submit(c_nl, env, len), 0);
		free(env);
		f = harness_client_recv(c_nl, HARNESS_WANT_REPLY, REPLY_MS);
		assert_non_null(f);
		assert_int_equal(f->msg->frame_case,
		                 RETFED__V1__RELAY_FRAME__FRAME_ACK);
		relay_frame_destroy(&f);
	}
	{
		/* Signed with the desk's key under the region's name. */
		struct harness_env e = {0};
		uint8_t id[16], *env = NULL;
		size_t len = 0;

		e.kind = RETFED__V1__KIND__KIND_ESCALATION;
		e.seq = N_SUBMIT + 1;
		e.sign_sk = desk.sign_sk;
		assert_int_equal(harness_seal(&nl, &e, id, &env, &len), 0);
		assert_int_equal(harness_client_submit(c_nl, env, len), 0);
		free(env);
		f = harness_client_recv(c_nl, HARNESS_WANT_REPLY, REPLY_MS);
		assert_non_null(f);
		assert_int_equal(f->msg->frame_case,
		                 RETFED__V1__RELAY_FRAME__FRAME_NACK);
		relay_frame_destroy(&f);
	}

	/* Metrics while the desk is away. */
	metrics = metrics_when(
	    port, "ret_relay_backlog{party=\"desk:bel-roermond\"}", N_SUBMIT);
	assert_true(sample(metrics, "ret_relay_acked_total") == N_SUBMIT);
	assert_true(sample(metrics, "ret_relay_refused_total{reason=\"bad_"
	                            "signature\"}") == 1);
	assert_true(
	    sample(metrics, "ret_relay_refused_total{reason=\"replay\"}") == 0);
	assert_true(sample(metrics, "ret_relay_commit_seconds_count") >= 1);
	assert_true(sample(metrics, "ret_relay_messages") == N_SUBMIT);
	assert_true(sample(metrics, "ret_relay_store_bytes") > 0);
	assert_non_null(strstr(metrics, "ret_relay_oldest_unconfirmed_seconds"
	                                "{party=\"desk:bel-roermond\"}"));
	snprintf(served, sizeof(served), "%s/served.prom", dir);
	fp = fopen(served, "w");
	assert_non_null(fp);
	fputs(metrics, fp);
	fclose(fp);
	free(metrics);
	assert_int_equal(promtool_check(dir, served), 0);
	assert_int_equal(promtool_check(dir, prom), 0);

	/* Status, read-only, while the relay runs. */
	snprintf(out, sizeof(out), "%s/status.json", dir);
	assert_int_equal(run_status(relay.config, 1, out), 0);
	root = json_load_file(out, 0, &jerr);
	assert_non_null(root);
	assert_int_equal(json_integer_value(json_object_get(root, "messages")),
	                 N_SUBMIT);
	assert_true(json_integer_value(json_object_get(root, "store_bytes")) >
	            0);
	p = party_of(root, "desk:bel-roermond");
	assert_int_equal(json_integer_value(json_object_get(p, "backlog")),
	                 N_SUBMIT);
	assert_true(json_is_string(json_object_get(p, "oldest_unconfirmed")));
	p = party_of(root, "region:noord-limburg");
	assert_int_equal(json_integer_value(json_object_get(p, "last_seq")),
	                 N_SUBMIT);
	assert_int_equal(json_integer_value(json_object_get(p, "backlog")), 0);
	assert_true(json_is_string(json_object_get(p, "last_submit")));
	json_decref(root);
	snprintf(out, sizeof(out), "%s/status.txt", dir);
	assert_int_equal(run_status(relay.config, 0, out), 0);
	assert_true(harness_file_contains(out, "desk:bel-roermond"));
	assert_true(harness_file_contains(out, "OLDEST UNCONFIRMED"));

	/* The desk comes and confirms everything. */
	c_desk =
	    harness_client_new(relay.endpoint, relay.key.transport_pk, &desk);
	assert_non_null(c_desk);
	assert_int_equal(harness_client_resume(c_desk, 0), 0);
	for (i = 0; i < N_SUBMIT; i++) {
		f = harness_client_recv(c_desk, HARNESS_WANT_DELIVERY,
		                        REPLY_MS);
		assert_non_null(f);
		cursor = f->msg->delivery->cursor;
		relay_frame_destroy(&f);
	}
	assert_int_equal(harness_client_confirm(c_desk, cursor), 0);
	metrics = metrics_when(
	    port, "ret_relay_backlog{party=\"desk:bel-roermond\"}", 0);
	free(metrics);
	snprintf(out, sizeof(out), "%s/status2.json", dir);
	assert_int_equal(run_status(relay.config, 1, out), 0);
	root = json_load_file(out, 0, &jerr);
	assert_non_null(root);
	p = party_of(root, "desk:bel-roermond");
	assert_int_equal(json_integer_value(json_object_get(p, "backlog")), 0);
	assert_true(json_is_null(json_object_get(p, "oldest_unconfirmed")));
	json_decref(root);

	harness_client_destroy(&c_nl);
	harness_client_destroy(&c_desk);
	assert_int_equal(harness_stop(&relay.proc, 10000), 0);
	/* A wrong configuration is a configuration error, not a crash. */
	snprintf(out, sizeof(out), "%s/none.txt", dir);
	{
		const char *argv[] = {getenv("RET_RELAY_BIN"), "status",
		                      "--config", "/nonexistent/relay.ini",
		                      NULL};

		assert_int_equal(harness_run(argv, out, NULL, 30000), 78);
	}
	harness_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_status_and_metrics),
	};

	if (access(PROMTOOL, X_OK) != 0) {
		fprintf(stderr, "# %s missing (Debian prometheus)\n", PROMTOOL);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
