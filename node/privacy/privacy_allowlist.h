/*
 * privacy_allowlist: the privacy review of every field that can leave a
 * node, as a table the code and the tests use.
 *
 * Each row names a message of proto/retfed.proto and one of its fields,
 * says what the field may carry and how it is made safe (a keyed
 * pseudonym, a value of a closed enum, a generalised value, a suppressed
 * count, scrubbed free text, a message id, ...). privacy_allowlist_check()
 * walks the protobuf-c descriptors from the signed Body down through every
 * payload, so a field added to the schema without a row here (or a row for
 * a field that no longer exists, or a row whose class does not fit the
 * field's type) fails the unit test and so the build's tests.
 *
 * Message builders assert their use with privacy_allowlist_permits(): a
 * builder that copies a value into a field states the class of what it
 * copies, and gets 0 if the review does not allow it.
 */
#ifndef RET_PRIVACY_ALLOWLIST_H
#define RET_PRIVACY_ALLOWLIST_H

#include <stddef.h>

enum privacy_class {
	PRIVACY_PSEUDONYM = 1, /* keyed case pseudonym (privacy_pseudonym) */
	PRIVACY_ENUM,          /* a value of a closed enum of the schema */
	PRIVACY_GENERALISED,   /* age band or period (privacy_generalise) */
	PRIVACY_COUNT,         /* an aggregate count, small cells suppressed */
	PRIVACY_SCRUBBED_TEXT, /* free text that passed the scrubber */
	PRIVACY_MESSAGE_ID,    /* id of a message: time + random bits */
	PRIVACY_CATEGORY_KEY,  /* a key from the node's fixed category list */
	PRIVACY_PARAMETER,     /* a bounded number about the process */
	PRIVACY_ROUTING,       /* envelope data: who sends, order, signature */
	PRIVACY_NESTED,        /* a nested message, reviewed field by field */
};

struct privacy_allowlist_row {
	const char *message;   /* short message name, e.g. "Escalation" */
	const char *field;     /* field name, e.g. "why_stuck" */
	enum privacy_class cls;
	const char *carries;   /* what the field may carry */
	const char *made_safe; /* how it is made safe */
};

/* The whole table (static storage) and its length in *ret_n. */
const struct privacy_allowlist_row *privacy_allowlist_rows(size_t *ret_n);

/* The row for message.field, or NULL if the field was never reviewed. */
const struct privacy_allowlist_row *
privacy_allowlist_lookup(const char *message, const char *field);

/*
 * True (1) if message.field is reviewed and its class is cls: the check a
 * message builder makes before it copies a value of class cls into it.
 */
int privacy_allowlist_permits(const char *message, const char *field,
			      enum privacy_class cls);

/* Lower-case name of a class ("pseudonym", "scrubbed text", ...). */
const char *privacy_allowlist_class_name(enum privacy_class cls);

/*
 * Compare the table with the schema: walk Envelope, Body and every message
 * reachable from Body's fields, and require a row for each field, a field
 * for each row and a class that fits the field's type. Returns 0, or -1
 * with a sentence naming the first mismatch in errbuf (if not NULL).
 */
int privacy_allowlist_check(char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

#endif
