/*
 * test_frame: the transport frames of frame.h. Every pack helper decodes
 * back to what it was given; every rule of client_frame_decode and
 * relay_frame_decode refuses with its exact reason; a sealed envelope
 * survives a submit and a delivery byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "frame.h"
#include "msgid.h"
#include "wire_error.h"

#define S(x) ((char *)(uintptr_t)(x))
#define NOW_MS 1780000000000ULL

static uint8_t *
pack_msg(const ProtobufCMessage *m, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	protobuf_c_message_pack(m, p);
	*len = n;
	return p;
}

static enum wire_reason
client_rc(const uint8_t *buf, size_t len, struct wire_error *err)
{
	struct client_frame *f = NULL;
	enum wire_reason rc = client_frame_decode(buf, len, &f, err);

	if (rc == WIRE_OK) {
		assert_non_null(f);
		assert_non_null(f->msg);
		client_frame_destroy(&f);
		assert_null(f);
	} else {
		assert_null(f);
		assert_true(strlen(err->detail) > 0);
	}
	return rc;
}

static enum wire_reason
relay_rc(const uint8_t *buf, size_t len, struct wire_error *err)
{
	struct relay_frame *f = NULL;
	enum wire_reason rc = relay_frame_decode(buf, len, &f, err);

	if (rc == WIRE_OK) {
		assert_non_null(f);
		relay_frame_destroy(&f);
		assert_null(f);
	} else {
		assert_null(f);
		assert_true(strlen(err->detail) > 0);
	}
	return rc;
}

static void
expect_client(const ProtobufCMessage *m, enum wire_reason want,
	      const char *needle)
{
	struct wire_error err;
	size_t len;
	uint8_t *buf = pack_msg(m, &len);
	enum wire_reason rc = client_rc(buf, len, &err);

	if (rc != want)
		print_error("want %s got %s: %s\n", wire_reason_name(want),
			    wire_reason_name(rc), err.detail);
	assert_int_equal(rc, want);
	if (needle != NULL)
		assert_non_null(strstr(err.detail, needle));
	free(buf);
}

static void
expect_relay(const ProtobufCMessage *m, enum wire_reason want,
	     const char *needle)
{
	struct wire_error err;
	size_t len;
	uint8_t *buf = pack_msg(m, &len);
	enum wire_reason rc = relay_rc(buf, len, &err);

	if (rc != want)
		print_error("want %s got %s: %s\n", wire_reason_name(want),
			    wire_reason_name(rc), err.detail);
	assert_int_equal(rc, want);
	if (needle != NULL)
		assert_non_null(strstr(err.detail, needle));
	free(buf);
}

/* A sealed peer review, the smallest payload. */
static uint8_t *
sealed_envelope(size_t *len)
{
	uint8_t pk[32], sk[64], kid[8], id[16], ref[16];
	Retfed__V1__Body b;
	Retfed__V1__PeerReview pr;
	struct wire_error err;
	uint8_t *buf = NULL;

	crypto_sign_keypair(pk, sk);
	envelope_key_id(pk, kid);
	msgid_generate(ref, NOW_MS - 1);
	retfed__v1__body__init(&b);
	envelope_body_prepare(&b, RETFED__V1__KIND__KIND_PEER_REVIEW,
			      "region:twente", kid, 1, NOW_MS, id);
	b.recipient = S("region:westfriesland");
	retfed__v1__peer_review__init(&pr);
	pr.request_id.data = ref;
	pr.request_id.len = sizeof(ref);
	pr.review = S("Goed plan.");
	b.payload_case = RETFED__V1__BODY__PAYLOAD_PEER_REVIEW;
	b.peer_review = &pr;
	assert_int_equal(envelope_seal(&b, sk, &buf, len, &err), WIRE_OK);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Client frames                                                      */

static void
test_submit_round_trip(void **state)
{
	struct client_frame *f = NULL;
	struct envelope *env = NULL;
	struct wire_error err;
	size_t elen, flen;
	uint8_t *e = sealed_envelope(&elen), *fr = NULL;

	assert_int_equal(frame_pack_submit(e, elen, &fr, &flen), 0);
	assert_int_equal(client_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->frame_case,
			 RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT);
	assert_int_equal(f->msg->submit.len, elen);
	assert_memory_equal(f->msg->submit.data, e, elen);
	assert_int_equal(envelope_decode(f->msg->submit.data,
					 f->msg->submit.len, &env, &err),
			 WIRE_OK);
	envelope_destroy(&env);
	client_frame_destroy(&f);
	client_frame_destroy(&f);
	client_frame_destroy(NULL);
	free(fr);
	free(e);
}

static void
test_submit_rules(void **state)
{
	Retfed__V1__ClientFrame f;
	uint8_t *big = calloc(1, FRAME_MAX + 1), *fr = NULL;
	size_t flen;

	assert_non_null(big);
	retfed__v1__client_frame__init(&f);
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_SUBMIT;
	f.submit.data = big;
	f.submit.len = 0;
	expect_client(&f.base, WIRE_MISSING_FIELD,
		      "ClientFrame.submit is empty");
	f.submit.len = ENVELOPE_MAX;
	expect_client(&f.base, WIRE_OK, NULL);
	f.submit.len = ENVELOPE_MAX + 1;
	expect_client(&f.base, WIRE_TOO_LARGE, "ClientFrame.submit exceeds");
	/* Over FRAME_MAX: the pack helper refuses, the decoder too. */
	assert_int_equal(frame_pack_submit(big, FRAME_MAX, &fr, &flen), -1);
	assert_null(fr);
	{
		struct wire_error err;

		memset(big, 0xff, FRAME_MAX + 1);
		assert_int_equal(client_rc(big, FRAME_MAX + 1, &err),
				 WIRE_TOO_LARGE);
		assert_non_null(strstr(err.detail, "exceeds the limit"));
	}
	free(big);
}

static void
test_confirm_resume_query(void **state)
{
	Retfed__V1__ClientFrame f;
	Retfed__V1__DeliveryConfirm c;
	Retfed__V1__Resume r;
	Retfed__V1__SeqQuery q;

	retfed__v1__client_frame__init(&f);
	expect_client(&f.base, WIRE_MISSING_FIELD,
		      "ClientFrame carries nothing");

	retfed__v1__delivery_confirm__init(&c);
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_CONFIRM;
	f.confirm = &c;
	expect_client(&f.base, WIRE_MISSING_FIELD,
		      "DeliveryConfirm.cursor is missing");
	c.cursor = 17;
	expect_client(&f.base, WIRE_OK, NULL);
	c.cursor = UINT64_MAX;
	expect_client(&f.base, WIRE_OK, NULL);

	retfed__v1__resume__init(&r);
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_RESUME;
	f.resume = &r;
	expect_client(&f.base, WIRE_OK, NULL);
	r.after_cursor = 99;
	expect_client(&f.base, WIRE_OK, NULL);

	retfed__v1__seq_query__init(&q);
	f.frame_case = RETFED__V1__CLIENT_FRAME__FRAME_SEQ_QUERY;
	f.seq_query = &q;
	expect_client(&f.base, WIRE_OK, NULL);
}

static void
test_client_structure(void **state)
{
	struct wire_error err;
	/* seq_query and resume: two members of the oneof. */
	static const uint8_t two[] = {0x22, 0x00, 0x1a, 0x00};
	/* Unknown field 5, and one inside Resume. */
	static const uint8_t unknown[] = {0x28, 0x01};
	static const uint8_t unknown_nested[] = {0x1a, 0x02, 0x10, 0x01};
	/* submit as a varint; Resume.after_cursor as bytes. */
	static const uint8_t wrong_type[] = {0x08, 0x01};
	static const uint8_t wrong_nested[] = {0x1a, 0x03, 0x0a, 0x01, 0x01};
	/* submit claiming 10 bytes, holding 2. */
	static const uint8_t truncated[] = {0x0a, 0x0a, 0x01, 0x02};
	/* submit twice. */
	static const uint8_t twice[] = {0x0a, 0x01, 0x01, 0x0a, 0x01, 0x01};

	assert_int_equal(client_rc(two, sizeof(two), &err), WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "two members of one oneof"));
	assert_int_equal(client_rc(unknown, sizeof(unknown), &err),
			 WIRE_UNKNOWN_FIELD);
	assert_int_equal(client_rc(unknown_nested, sizeof(unknown_nested),
				   &err),
			 WIRE_UNKNOWN_FIELD);
	assert_non_null(strstr(err.detail, "Resume has unknown field"));
	assert_int_equal(client_rc(wrong_type, sizeof(wrong_type), &err),
			 WIRE_MALFORMED);
	assert_int_equal(client_rc(wrong_nested, sizeof(wrong_nested), &err),
			 WIRE_MALFORMED);
	assert_non_null(strstr(err.detail, "Resume.after_cursor"));
	assert_int_equal(client_rc(truncated, sizeof(truncated), &err),
			 WIRE_MALFORMED);
	assert_int_equal(client_rc(twice, sizeof(twice), &err),
			 WIRE_MALFORMED);
	assert_int_equal(client_rc(NULL, 0, &err), WIRE_MISSING_FIELD);
}

/* ------------------------------------------------------------------ */
/* Relay frames                                                       */

static void
test_pack_ack(void **state)
{
	struct relay_frame *f = NULL;
	struct wire_error err;
	uint8_t id[MSGID_LEN], *fr = NULL;
	size_t flen;

	msgid_generate(id, NOW_MS);
	assert_int_equal(frame_pack_ack(id, 42, 1, &fr, &flen), 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->frame_case,
			 RETFED__V1__RELAY_FRAME__FRAME_ACK);
	assert_memory_equal(f->msg->ack->message_id.data, id, MSGID_LEN);
	assert_int_equal(f->msg->ack->seq, 42);
	assert_true(f->msg->ack->duplicate);
	relay_frame_destroy(&f);
	free(fr);
	assert_int_equal(frame_pack_ack(id, 43, 7, &fr, &flen), 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->ack->duplicate, 1);
	relay_frame_destroy(&f);
	free(fr);
	assert_int_equal(frame_pack_ack(id, 44, 0, &fr, &flen), 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_false(f->msg->ack->duplicate);
	relay_frame_destroy(&f);
	relay_frame_destroy(NULL);
	free(fr);
}

static void
test_pack_nack(void **state)
{
	struct relay_frame *f = NULL;
	struct wire_error err;
	uint8_t id[MSGID_LEN], *fr = NULL;
	char longer[400];
	size_t flen;

	msgid_generate(id, NOW_MS);
	assert_int_equal(frame_pack_nack(id, 9, WIRE_REPLAY,
					 "sequence number 9 was stored before",
					 &fr, &flen),
			 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->frame_case,
			 RETFED__V1__RELAY_FRAME__FRAME_NACK);
	assert_int_equal(f->msg->nack->reason, WIRE_REPLAY);
	assert_int_equal(f->msg->nack->seq, 9);
	assert_memory_equal(f->msg->nack->message_id.data, id, MSGID_LEN);
	assert_string_equal(f->msg->nack->detail,
			    "sequence number 9 was stored before");
	relay_frame_destroy(&f);
	free(fr);

	/* No message id (undecodable input), no detail. */
	assert_int_equal(frame_pack_nack(NULL, 0, WIRE_MALFORMED, NULL, &fr,
					 &flen),
			 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->nack->message_id.len, 0);
	assert_string_equal(f->msg->nack->detail, "");
	relay_frame_destroy(&f);
	free(fr);

	/* A long detail is cut to what receivers accept. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(frame_pack_nack(id, 1, WIRE_MALFORMED, longer, &fr,
					 &flen),
			 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(strlen(f->msg->nack->detail), WIRE_DETAIL_MAX - 1);
	relay_frame_destroy(&f);
	free(fr);

	/* The cut never splits a character: 198 + a 2-byte é, 197 + a
	 * 3-byte euro sign, both 200 bytes. */
	{
		static const char *const tails[] = {"\xc3\xa9", "\xe2\x82\xac"};
		size_t t;

		for (t = 0; t < 2; t++) {
			size_t keep = WIRE_DETAIL_MAX - 2 - t;

			memset(longer, 'x', keep);
			memcpy(longer + keep, tails[t], strlen(tails[t]));
			longer[keep + strlen(tails[t])] = '\0';
			assert_int_equal(strlen(longer), WIRE_DETAIL_MAX);
			assert_int_equal(frame_pack_nack(id, 1, WIRE_MALFORMED,
							 longer, &fr, &flen),
					 0);
			assert_int_equal(relay_frame_decode(fr, flen, &f, &err),
					 WIRE_OK);
			assert_int_equal(strlen(f->msg->nack->detail), keep);
			relay_frame_destroy(&f);
			free(fr);
		}
	}
	/* Bytes that are not UTF-8 become '?', so the frame still decodes. */
	assert_int_equal(frame_pack_nack(id, 1, WIRE_BAD_STRING,
					 "bad \xff byte", &fr, &flen),
			 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_string_equal(f->msg->nack->detail, "bad ? byte");
	relay_frame_destroy(&f);
	free(fr);

	/* Every reason code the library has goes over the wire. */
	{
		int r;

		for (r = 1; r <= WIRE_REASON_MAX; r++) {
			assert_int_equal(frame_pack_nack(id, 1, r, "x", &fr,
							 &flen),
					 0);
			assert_int_equal(relay_frame_decode(fr, flen, &f,
							    &err),
					 WIRE_OK);
			assert_int_equal(f->msg->nack->reason, r);
			relay_frame_destroy(&f);
			free(fr);
		}
	}
}

static void
test_pack_delivery(void **state)
{
	struct relay_frame *f = NULL;
	struct envelope *env = NULL;
	struct wire_error err;
	size_t elen, flen;
	uint8_t *e = sealed_envelope(&elen), *fr = NULL;

	assert_int_equal(frame_pack_delivery(12, e, elen, &fr, &flen), 0);
	assert_int_equal(relay_frame_decode(fr, flen, &f, &err), WIRE_OK);
	assert_int_equal(f->msg->frame_case,
			 RETFED__V1__RELAY_FRAME__FRAME_DELIVERY);
	assert_int_equal(f->msg->delivery->cursor, 12);
	assert_int_equal(f->msg->delivery->envelope.len, elen);
	assert_memory_equal(f->msg->delivery->envelope.data, e, elen);
	assert_int_equal(envelope_decode(f->msg->delivery->envelope.data,
					 f->msg->delivery->envelope.len, &env,
					 &err),
			 WIRE_OK);
	envelope_destroy(&env);
	relay_frame_destroy(&f);
	free(fr);
	free(e);
}

static void
test_ack_nack_rules(void **state)
{
	Retfed__V1__RelayFrame f;
	Retfed__V1__Ack a;
	Retfed__V1__Nack n;
	uint8_t id[17] = {0};
	char detail[WIRE_DETAIL_MAX + 1];

	retfed__v1__relay_frame__init(&f);
	expect_relay(&f.base, WIRE_MISSING_FIELD, "RelayFrame carries nothing");

	retfed__v1__ack__init(&a);
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_ACK;
	f.ack = &a;
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Ack.message_id must be 16");
	a.message_id.data = id;
	a.message_id.len = 15;
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Ack.message_id");
	a.message_id.len = 17;
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Ack.message_id");
	a.message_id.len = 16;
	expect_relay(&f.base, WIRE_OK, NULL);

	retfed__v1__nack__init(&n);
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_NACK;
	f.nack = &n;
	expect_relay(&f.base, WIRE_MISSING_FIELD, "Nack.reason is missing");
	n.reason = RETFED__V1__REASON__REASON_BAD_TIME;
	expect_relay(&f.base, WIRE_OK, NULL);
	n.message_id.data = id;
	n.message_id.len = 5;
	expect_relay(&f.base, WIRE_OUT_OF_RANGE,
		     "Nack.message_id must be empty or 16");
	n.message_id.len = 16;
	expect_relay(&f.base, WIRE_OK, NULL);
	memset(detail, 'd', sizeof(detail) - 1);
	detail[WIRE_DETAIL_MAX - 1] = '\0';
	n.detail = detail;
	expect_relay(&f.base, WIRE_OK, NULL);
	detail[WIRE_DETAIL_MAX - 1] = 'd';
	detail[WIRE_DETAIL_MAX] = '\0';
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Nack.detail is too long");
	n.detail = S("bad \xc0\xaf");
	expect_relay(&f.base, WIRE_BAD_STRING, "Nack.detail");
	/* A reason code from the future. */
	n.detail = S("");
	n.reason = (Retfed__V1__Reason)(WIRE_REASON_MAX + 1);
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Nack.reason has unknown");
}

static void
test_delivery_receipt_seq_rules(void **state)
{
	Retfed__V1__RelayFrame f;
	Retfed__V1__Delivery d;
	Retfed__V1__Receipt r;
	Retfed__V1__SeqReply s;
	uint8_t *big = calloc(1, ENVELOPE_MAX + 1);
	uint8_t id[MSGID_LEN] = {0};

	assert_non_null(big);
	retfed__v1__relay_frame__init(&f);
	retfed__v1__delivery__init(&d);
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_DELIVERY;
	f.delivery = &d;
	d.envelope.data = big;
	d.envelope.len = 10;
	expect_relay(&f.base, WIRE_MISSING_FIELD, "Delivery.cursor is missing");
	d.cursor = 1;
	d.envelope.len = 0;
	expect_relay(&f.base, WIRE_MISSING_FIELD,
		     "Delivery.envelope is missing");
	d.envelope.len = ENVELOPE_MAX;
	expect_relay(&f.base, WIRE_OK, NULL);
	d.envelope.len = ENVELOPE_MAX + 1;
	expect_relay(&f.base, WIRE_TOO_LARGE, "Delivery.envelope exceeds");

	retfed__v1__receipt__init(&r);
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_RECEIPT;
	f.receipt = &r;
	r.recipient = S("region:twente");
	expect_relay(&f.base, WIRE_OUT_OF_RANGE,
		     "Receipt.message_id must be 16");
	r.message_id.data = id;
	r.message_id.len = MSGID_LEN;
	expect_relay(&f.base, WIRE_OK, NULL);
	r.recipient = S("");
	expect_relay(&f.base, WIRE_OUT_OF_RANGE,
		     "Receipt.recipient is not a party id");
	r.recipient = S("twente");
	expect_relay(&f.base, WIRE_OUT_OF_RANGE, "Receipt.recipient");
	r.recipient = S("desk:bel-twente");
	r.received_ms = NOW_MS;
	expect_relay(&f.base, WIRE_OK, NULL);

	retfed__v1__seq_reply__init(&s);
	f.frame_case = RETFED__V1__RELAY_FRAME__FRAME_SEQ_REPLY;
	f.seq_reply = &s;
	expect_relay(&f.base, WIRE_OK, NULL);
	s.last_seq = 1000;
	expect_relay(&f.base, WIRE_OK, NULL);
	free(big);
}

static void
test_relay_structure(void **state)
{
	struct wire_error err;
	uint8_t *big = malloc(FRAME_MAX + 1);
	/* ack and seq_reply together. */
	static const uint8_t two[] = {0x2a, 0x00, 0x0a, 0x00};
	static const uint8_t unknown[] = {0x30, 0x01};
	/* Ack.duplicate = 3. */
	static const uint8_t bad_bool[] = {
		0x0a, 0x14, 0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8,
		9, 10, 11, 12, 13, 14, 15, 16, 0x18, 0x03};
	static const uint8_t truncated[] = {0x1a, 0x05, 0x08};

	assert_non_null(big);
	assert_int_equal(relay_rc(two, sizeof(two), &err), WIRE_MALFORMED);
	assert_int_equal(relay_rc(unknown, sizeof(unknown), &err),
			 WIRE_UNKNOWN_FIELD);
	assert_int_equal(relay_rc(bad_bool, sizeof(bad_bool), &err),
			 WIRE_OUT_OF_RANGE);
	assert_non_null(strstr(err.detail, "Ack.duplicate is not a boolean"));
	assert_int_equal(relay_rc(truncated, sizeof(truncated), &err),
			 WIRE_MALFORMED);
	memset(big, 0, FRAME_MAX + 1);
	assert_int_equal(relay_rc(big, FRAME_MAX + 1, &err), WIRE_TOO_LARGE);
	free(big);
}

static void
test_frame_pack(void **state)
{
	Retfed__V1__ClientFrame f;
	uint8_t *buf = NULL;
	size_t len = 99;

	/* An empty frame packs to zero bytes in a real buffer. */
	retfed__v1__client_frame__init(&f);
	assert_int_equal(frame_pack(&f.base, &buf, &len), 0);
	assert_non_null(buf);
	assert_int_equal(len, 0);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_submit_round_trip),
		cmocka_unit_test(test_submit_rules),
		cmocka_unit_test(test_confirm_resume_query),
		cmocka_unit_test(test_client_structure),
		cmocka_unit_test(test_pack_ack),
		cmocka_unit_test(test_pack_nack),
		cmocka_unit_test(test_pack_delivery),
		cmocka_unit_test(test_ack_nack_rules),
		cmocka_unit_test(test_delivery_receipt_seq_rules),
		cmocka_unit_test(test_relay_structure),
		cmocka_unit_test(test_frame_pack),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
