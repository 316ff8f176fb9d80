/*
 * test_relay_zap: the relay's ZAP handler admits exactly the transport keys
 * of its configuration, names the party as User-Id, and refuses unknown
 * keys and other domains. Real CURVE sockets on 127.0.0.1 (inproc has no
 * security handshake), answered by relay_zap_handle() from a small poll
 * loop in this test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <zmq.h>

#include "relay_config.h"
#include "relay_zap.h"

struct keys {
	char pub[41], sec[41];
};

struct fixture {
	void *ctx, *zap, *server, *client;
	char endpoint[64];
	struct keys server_keys, allowed, stranger;
	struct relay_config *cfg;
	int refused, accepted;
	char last_party[PARTY_ID_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char text[2048], err[512], hex[65];
	uint8_t pk[32];
	int one = 1, linger = 0;
	const char *domain = "retfed";

	assert_non_null(f);
	assert_int_equal(zmq_curve_keypair(f->server_keys.pub,
					   f->server_keys.sec), 0);
	assert_int_equal(zmq_curve_keypair(f->allowed.pub, f->allowed.sec), 0);
	assert_int_equal(zmq_curve_keypair(f->stranger.pub, f->stranger.sec),
			 0);
	randombytes_buf(pk, sizeof(pk));
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	snprintf(text, sizeof(text),
		 "[relay]\nparty = relay:bel\nben = bel\n"
		 "listen = tcp://127.0.0.1:1\nkey_file = k\ndatabase = d\n"
		 "[party region:noord-limburg]\nsigning_key = %s\n"
		 "transport_key = %s\nben = bel\n",
		 hex, f->allowed.pub);
	assert_int_equal(relay_config_parse(text, strlen(text), "t.ini", NULL,
					    &f->cfg, err, sizeof(err)),
			 0);
	f->ctx = zmq_ctx_new();
	assert_non_null(f->ctx);
	f->zap = relay_zap_open(f->ctx);
	assert_non_null(f->zap);
	f->server = zmq_socket(f->ctx, ZMQ_ROUTER);
	assert_non_null(f->server);
	assert_int_equal(zmq_setsockopt(f->server, ZMQ_LINGER, &linger,
					sizeof(linger)), 0);
	assert_int_equal(zmq_setsockopt(f->server, ZMQ_CURVE_SERVER, &one,
					sizeof(one)), 0);
	assert_int_equal(zmq_setsockopt(f->server, ZMQ_CURVE_SECRETKEY,
					f->server_keys.sec, 40), 0);
	assert_int_equal(zmq_setsockopt(f->server, ZMQ_ZAP_DOMAIN, domain,
					strlen(domain)), 0);
	assert_int_equal(zmq_bind(f->server, "tcp://127.0.0.1:*"), 0);
	{
		size_t len = sizeof(f->endpoint);

		assert_int_equal(zmq_getsockopt(f->server, ZMQ_LAST_ENDPOINT,
						f->endpoint, &len), 0);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->client)
		zmq_close(f->client);
	zmq_close(f->server);
	zmq_close(f->zap);
	zmq_ctx_term(f->ctx);
	relay_config_destroy(&f->cfg);
	free(f);
	return 0;
}

static void *
dealer(struct fixture *f, const struct keys *k)
{
	void *d = zmq_socket(f->ctx, ZMQ_DEALER);
	int linger = 0;

	assert_non_null(d);
	assert_int_equal(zmq_setsockopt(d, ZMQ_LINGER, &linger,
					sizeof(linger)), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_SERVERKEY,
					f->server_keys.pub, 40), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_PUBLICKEY, k->pub, 40), 0);
	assert_int_equal(zmq_setsockopt(d, ZMQ_CURVE_SECRETKEY, k->sec, 40), 0);
	assert_int_equal(zmq_connect(d, f->endpoint), 0);
	f->client = d; /* closed by teardown, also after a failed assert */
	return d;
}

/*
 * Answer ZAP requests and wait up to ms for a message on the server.
 * Returns 1 with the User-Id in f->last_party if one arrived.
 */
static int
serve(struct fixture *f, int ms)
{
	int i;

	for (i = 0; i < ms / 10; i++) {
		zmq_pollitem_t it[2] = {{f->zap, 0, ZMQ_POLLIN, 0},
					{f->server, 0, ZMQ_POLLIN, 0}};
		struct relay_zap_result zr;

		assert_true(zmq_poll(it, 2, 10) >= 0);
		if (it[0].revents & ZMQ_POLLIN) {
			assert_int_equal(relay_zap_handle(f->zap, f->cfg, &zr),
					 0);
			if (zr.handled && zr.accepted)
				f->accepted++;
			else if (zr.handled)
				f->refused++;
		}
		if (it[1].revents & ZMQ_POLLIN) {
			zmq_msg_t rid, body;
			const char *uid;

			zmq_msg_init(&rid);
			zmq_msg_init(&body);
			assert_true(zmq_msg_recv(&rid, f->server, 0) >= 0);
			assert_true(zmq_msg_recv(&body, f->server, 0) >= 0);
			uid = zmq_msg_gets(&body, "User-Id");
			assert_non_null(uid);
			snprintf(f->last_party, sizeof(f->last_party), "%s",
				 uid);
			zmq_msg_close(&rid);
			zmq_msg_close(&body);
			return 1;
		}
	}
	return 0;
}

static void
test_allowed_key_is_named(void **state)
{
	struct fixture *f = *state;
	void *d = dealer(f, &f->allowed);

	assert_int_equal(zmq_send(d, "hi", 2, 0), 2);
	assert_int_equal(serve(f, 3000), 1);
	assert_string_equal(f->last_party, "region:noord-limburg");
	assert_int_equal(f->accepted, 1);
	assert_int_equal(f->refused, 0);
}

static void
test_stranger_is_refused(void **state)
{
	struct fixture *f = *state;
	void *d = dealer(f, &f->stranger);

	assert_int_equal(zmq_send(d, "hi", 2, ZMQ_DONTWAIT), 2);
	assert_int_equal(serve(f, 800), 0);
	assert_true(f->refused >= 1);
	assert_int_equal(f->accepted, 0);
}

static void
test_wrong_domain_is_refused(void **state)
{
	struct fixture *f = *state;
	void *d;

	snprintf(f->cfg->zap_domain, sizeof(f->cfg->zap_domain), "other");
	d = dealer(f, &f->allowed);
	assert_int_equal(zmq_send(d, "hi", 2, ZMQ_DONTWAIT), 2);
	assert_int_equal(serve(f, 800), 0);
	assert_true(f->refused >= 1);
}

static void
test_nothing_waiting(void **state)
{
	struct fixture *f = *state;
	struct relay_zap_result zr;

	assert_int_equal(relay_zap_handle(f->zap, f->cfg, &zr), 0);
	assert_false(zr.handled);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_allowed_key_is_named,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_stranger_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_domain_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_waiting, setup,
						teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
