/*
 * test_relay_smoke: the shortest useful life of a real ret-relay, short
 * enough to run under valgrind too (ctest label valgrind): start, accept a
 * CURVE client, store and ack an escalation, deliver it to a desk, pass
 * the receipt back, answer a sequence query, and exit 0 on SIGTERM (under
 * valgrind: no leak, no invalid access, else exit status 99).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define REPLY_MS 5000

static void
test_smoke(void **state)
{
	char *dir = harness_tmpdir("relay-smoke");
	struct harness_relay relay;
	struct keyfile nl, desk;
	char parties[4096] = "";
	struct harness_client *c_nl, *c_desk;
	struct harness_env e = {0};
	struct relay_frame *f;
	uint8_t id[16], *env = NULL;
	size_t env_len = 0;
	uint64_t cursor;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(harness_party_keys(dir, "region:noord-limburg", &nl,
					    NULL, 0), 0);
	assert_int_equal(harness_party_keys(dir, "desk:bel-roermond", &desk,
					    NULL, 0), 0);
	assert_int_equal(harness_append_party(parties, sizeof(parties), &nl, 1,
					      "bel", NULL), 0);
	assert_int_equal(harness_append_party(parties, sizeof(parties), &desk,
					      1, "bel", NULL), 0);
	assert_int_equal(harness_relay_init(&relay, dir, "relay:bel", "bel",
					    parties), 0);
	assert_int_equal(harness_relay_start(&relay, 10000), 0);

	c_nl = harness_client_new(relay.endpoint, relay.key.transport_pk, &nl);
	c_desk = harness_client_new(relay.endpoint, relay.key.transport_pk,
				    &desk);
	assert_non_null(c_nl);
	assert_non_null(c_desk);

	e.kind = RETFED__V1__KIND__KIND_ESCALATION;
	e.seq = 1;
	assert_int_equal(harness_seal(&nl, &e, id, &env, &env_len), 0);
	assert_int_equal(harness_client_submit(c_nl, env, env_len), 0);
	f = harness_client_recv(c_nl, HARNESS_WANT_REPLY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->frame_case, RETFED__V1__RELAY_FRAME__FRAME_ACK);
	assert_memory_equal(f->msg->ack->message_id.data, id, 16);
	assert_false(f->msg->ack->duplicate);
	relay_frame_destroy(&f);

	assert_int_equal(harness_client_resume(c_desk, 0), 0);
	f = harness_client_recv(c_desk, HARNESS_WANT_DELIVERY, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->delivery->envelope.len, env_len);
	assert_memory_equal(f->msg->delivery->envelope.data, env, env_len);
	cursor = f->msg->delivery->cursor;
	relay_frame_destroy(&f);
	assert_int_equal(harness_client_confirm(c_desk, cursor), 0);

	f = harness_client_recv(c_nl, HARNESS_WANT_RECEIPT, REPLY_MS);
	assert_non_null(f);
	assert_memory_equal(f->msg->receipt->message_id.data, id, 16);
	assert_string_equal(f->msg->receipt->recipient, "desk:bel-roermond");
	relay_frame_destroy(&f);

	assert_int_equal(harness_client_seq_query(c_nl), 0);
	f = harness_client_recv(c_nl, HARNESS_WANT_SEQ, REPLY_MS);
	assert_non_null(f);
	assert_int_equal(f->msg->seq_reply->last_seq, 1);
	relay_frame_destroy(&f);

	harness_client_destroy(&c_nl);
	harness_client_destroy(&c_desk);
	free(env);
	assert_int_equal(harness_stop(&relay.proc, 10000), 0);
	assert_true(harness_file_contains(relay.log, "stopped acked=1"));
	keyfile_wipe(&nl);
	keyfile_wipe(&desk);
	harness_rmtree(dir);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smoke),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
