/*
 * test_relay_route: every routing rule and every refusal of the relay, and
 * the author check (impersonation, unknown sender, forwarding by a peer
 * relay), over a real configuration and an in-memory store.
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
#include "relay_route.h"
#include "relay_store.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PARTY(id, ben) "[party " id "]\nsigning_key = " HEX64 "\nben = " ben "\n"
#define KIND(x) RETFED__V1__KIND__KIND_##x

static const char config_text[] =
	"[relay]\nparty = relay:bel\nben = bel\nlisten = tcp://127.0.0.1:1\n"
	"key_file = k\ndatabase = d\n"
	PARTY("region:noord-limburg", "bel")
	PARTY("region:zuid-limburg", "bel")
	PARTY("desk:bel-roermond", "bel")
	PARTY("desk:bel-heerlen", "bel")
	PARTY("region:westfriesland", "nh")
	PARTY("desk:nh-hoorn", "nh")
	"[party relay:nh]\nsigning_key = " HEX64 "\nben = nh\n"
	"transport_key = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n";

struct fixture {
	struct relay_config *cfg;
	struct relay_store *store;
	const char *out[32];
	size_t n;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[512];

	assert_non_null(f);
	assert_int_equal(relay_config_parse(config_text, strlen(config_text),
					    "t.ini", NULL, &f->cfg, err,
					    sizeof(err)),
			 0);
	f->store = relay_store_open(":memory:", err, sizeof(err));
	assert_non_null(f->store);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	relay_store_destroy(&f->store);
	relay_config_destroy(&f->cfg);
	free(f);
	return 0;
}

static enum wire_reason
route(struct fixture *f, int kind, const char *sender, const char *recipient,
      const uint8_t *request_id)
{
	Retfed__V1__Body b;
	Retfed__V1__Decision d;
	struct wire_error err;
	char sbuf[64], rbuf[64];
	uint8_t reqbuf[16];

	/* The INIT macros cast away const, which clang refuses. */
	retfed__v1__body__init(&b);
	retfed__v1__decision__init(&d);

	snprintf(sbuf, sizeof(sbuf), "%s", sender);
	snprintf(rbuf, sizeof(rbuf), "%s", recipient);
	b.kind = (Retfed__V1__Kind)kind;
	b.sender = sbuf;
	b.recipient = rbuf;
	if (kind == KIND(DECISION)) {
		b.payload_case = RETFED__V1__BODY__PAYLOAD_DECISION;
		b.decision = &d;
		if (request_id) {
			memcpy(reqbuf, request_id, 16);
			d.request_id.data = reqbuf;
			d.request_id.len = 16;
		}
	}
	f->n = 0;
	return relay_route_recipients(f->cfg, &b, f->store, f->out, 32, &f->n,
				      &err);
}

static int
has(const struct fixture *f, const char *id)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->out[i], id) == 0)
			return 1;
	return 0;
}

static void
test_requests_go_to_own_desks(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(route(f, KIND(ESCALATION), "region:noord-limburg", "",
			       NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 2);
	assert_true(has(f, "desk:bel-roermond"));
	assert_true(has(f, "desk:bel-heerlen"));
	assert_int_equal(route(f, KIND(PROCESVERSNELLER), "region:zuid-limburg",
			       "", NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 2);
	assert_false(has(f, "desk:nh-hoorn"));
	/* A desk does not escalate; another BEN's region never reaches us. */
	assert_int_equal(route(f, KIND(ESCALATION), "desk:bel-heerlen", "",
			       NULL),
			 WIRE_NOT_ROUTABLE);
	assert_int_equal(route(f, KIND(ESCALATION), "region:westfriesland", "",
			       NULL),
			 WIRE_NOT_ROUTABLE);
	assert_int_equal(route(f, KIND(ESCALATION), "region:nowhere", "", NULL),
			 WIRE_UNKNOWN_SENDER);
}

static void
store_request(struct fixture *f, uint8_t id[16], const char *sender, int kind)
{
	struct relay_store_msg m;
	const char *rcpt[] = {"desk:bel-roermond"};
	enum relay_store_verdict v;
	uint64_t last = 0;
	uint8_t env[] = {1};

	assert_int_equal(relay_store_last_seq(f->store, sender, &last), 0);
	memset(&m, 0, sizeof(m));
	m.msgid = id;
	m.sender = sender;
	m.origin = sender;
	m.seq = last + 1;
	m.kind = kind;
	m.envelope = env;
	m.envelope_len = 1;
	assert_int_equal(relay_store_begin(f->store), 0);
	assert_int_equal(relay_store_submit(f->store, &m, rcpt, 1, &v), 0);
	assert_int_equal(relay_store_commit(f->store), 0);
	assert_int_equal(v, RELAY_STORE_STORED);
}

static void
test_decisions(void **state)
{
	struct fixture *f = *state;
	uint8_t req[16] = {1, 2, 3}, summary[16] = {7, 7}, unknown[16] = {9};

	store_request(f, req, "region:noord-limburg", KIND(ESCALATION));
	store_request(f, summary, "region:noord-limburg",
		      KIND(LEARNING_SUMMARY));
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:noord-limburg", req),
			 WIRE_OK);
	assert_int_equal(f->n, 1);
	assert_string_equal(f->out[0], "region:noord-limburg");
	/* Only the desk that received it, only to the requesting region. */
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-heerlen",
			       "region:noord-limburg", req),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:zuid-limburg", req),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:noord-limburg", unknown),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:noord-limburg", summary),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:noord-limburg", NULL),
			 WIRE_MISSING_FIELD);
	/* A region never sends a decision. */
	assert_int_equal(route(f, KIND(DECISION), "region:zuid-limburg",
			       "region:noord-limburg", req),
			 WIRE_NOT_PERMITTED);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:nergens", req),
			 WIRE_UNKNOWN_RECIPIENT);
	assert_int_equal(route(f, KIND(DECISION), "desk:bel-roermond",
			       "region:westfriesland", req),
			 WIRE_NOT_ROUTABLE);
	assert_int_equal(route(f, KIND(DECISION), "desk:nh-hoorn",
			       "region:noord-limburg", req),
			 WIRE_NOT_ROUTABLE);
}

static void
test_learning_summaries(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(route(f, KIND(LEARNING_SUMMARY), "region:noord-limburg",
			       "", NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 4);
	assert_true(has(f, "desk:bel-roermond"));
	assert_true(has(f, "desk:bel-heerlen"));
	assert_true(has(f, "region:zuid-limburg"));
	assert_true(has(f, "relay:nh"));
	assert_false(has(f, "region:noord-limburg"));
	/* Forwarded from the other BEN: our desks and regions, not back. */
	assert_int_equal(route(f, KIND(LEARNING_SUMMARY), "region:westfriesland",
			       "", NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 4);
	assert_true(has(f, "region:noord-limburg"));
	assert_false(has(f, "relay:nh"));
	assert_false(has(f, "desk:nh-hoorn"));
	assert_int_equal(route(f, KIND(LEARNING_SUMMARY), "desk:bel-heerlen",
			       "", NULL),
			 WIRE_NOT_ROUTABLE);
}

static void
test_peer_reviews(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(route(f, KIND(PEER_REVIEW_REQUEST),
			       "region:noord-limburg", "region:zuid-limburg",
			       NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 1);
	assert_string_equal(f->out[0], "region:zuid-limburg");
	assert_int_equal(route(f, KIND(PEER_REVIEW), "region:noord-limburg",
			       "region:westfriesland", NULL),
			 WIRE_OK);
	assert_int_equal(f->n, 1);
	assert_string_equal(f->out[0], "relay:nh");
	assert_int_equal(route(f, KIND(PEER_REVIEW), "region:westfriesland",
			       "region:zuid-limburg", NULL),
			 WIRE_OK);
	assert_string_equal(f->out[0], "region:zuid-limburg");
	assert_int_equal(route(f, KIND(PEER_REVIEW_REQUEST),
			       "region:noord-limburg", "region:nergens", NULL),
			 WIRE_UNKNOWN_RECIPIENT);
	assert_int_equal(route(f, KIND(PEER_REVIEW_REQUEST),
			       "region:noord-limburg", "region:noord-limburg",
			       NULL),
			 WIRE_NOT_ROUTABLE);
	assert_int_equal(route(f, KIND(PEER_REVIEW_REQUEST), "desk:bel-heerlen",
			       "region:zuid-limburg", NULL),
			 WIRE_NOT_ROUTABLE);
	assert_int_equal(route(f, 99, "region:noord-limburg", "", NULL),
			 WIRE_UNKNOWN_KIND);
}

static void
test_author(void **state)
{
	struct fixture *f = *state;
	const struct relay_party *a = NULL;
	struct wire_error err;

	assert_int_equal(relay_route_author(f->cfg, "region:noord-limburg",
					    "region:noord-limburg",
					    KIND(ESCALATION), &a, &err),
			 WIRE_OK);
	assert_string_equal(a->id, "region:noord-limburg");
	assert_int_equal(relay_route_author(f->cfg, "region:noord-limburg",
					    "region:zuid-limburg",
					    KIND(ESCALATION), &a, &err),
			 WIRE_IMPERSONATION);
	assert_int_equal(relay_route_author(f->cfg, "region:noord-limburg",
					    "region:nergens", KIND(ESCALATION),
					    &a, &err),
			 WIRE_UNKNOWN_SENDER);
	/* A peer relay forwards its own BEN's summaries and reviews only. */
	assert_int_equal(relay_route_author(f->cfg, "relay:nh",
					    "region:westfriesland",
					    KIND(LEARNING_SUMMARY), &a, &err),
			 WIRE_OK);
	assert_string_equal(a->id, "region:westfriesland");
	assert_int_equal(relay_route_author(f->cfg, "relay:nh",
					    "region:westfriesland",
					    KIND(ESCALATION), &a, &err),
			 WIRE_IMPERSONATION);
	assert_int_equal(relay_route_author(f->cfg, "relay:nh",
					    "region:noord-limburg",
					    KIND(PEER_REVIEW), &a, &err),
			 WIRE_IMPERSONATION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_requests_go_to_own_desks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_decisions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_learning_summaries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_reviews, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_author, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
