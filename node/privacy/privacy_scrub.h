/*
 * privacy_scrub: the free-text scrubber every text field passes before it
 * leaves a node. A rule-based Dutch de-identifier: hand-written scanners
 * over a token list (no regular expressions, no backtracking), bounded work
 * per byte, deterministic, no global state. It replaces what it finds with a
 * bracketed placeholder ([NAAM], [BSN], [DATUM], ...) and refuses a text it
 * cannot make safe (too long, invalid UTF-8, control characters, or a
 * residual pattern it cannot classify), saying where (byte offset) and what
 * kind of datum, never echoing the datum itself.
 *
 * The names of the case record (struct scrub_names) make the scrubber find
 * those names and their variants: first name or surname alone, in any case,
 * with or without tussenvoegsel, initials, surname first, each part of a
 * double name, possessives, diminutives, diacritics and ij/y folded, and one
 * typing error in tokens of four letters or more. Titled or role-prefixed
 * names (mevrouw X, juf X, oma X) are found without the record.
 *
 * The rules, categories and known limits are described in docs/scrubber.md.
 */
#ifndef RET_PRIVACY_SCRUB_H
#define RET_PRIVACY_SCRUB_H

#include <stddef.h>

/* Longest text accepted, in bytes. Longer texts are refused. */
#define SCRUB_MAX_TEXT 65536
/* Most names a record may hold, and the longest name in bytes. */
#define SCRUB_MAX_NAMES 64
#define SCRUB_MAX_NAME_LEN 200

/* What was found. The order is the order of the placeholder table. */
enum scrub_category {
	SCRUB_CAT_NONE = 0,
	SCRUB_CAT_NAAM,
	SCRUB_CAT_BSN,
	SCRUB_CAT_DATUM,
	SCRUB_CAT_LEEFTIJD,
	SCRUB_CAT_POSTCODE,
	SCRUB_CAT_ADRES,
	SCRUB_CAT_TELEFOON,
	SCRUB_CAT_EMAIL,
	SCRUB_CAT_IBAN,
	SCRUB_CAT_NUMMER,
	SCRUB_CAT_URL,
	SCRUB_CAT_SCHOOL,
	SCRUB_CAT_COUNT
};

/* Why a text was refused. */
enum scrub_refusal {
	SCRUB_OK = 0,
	SCRUB_REFUSE_TOO_LONG,      /* more than SCRUB_MAX_TEXT bytes */
	SCRUB_REFUSE_BAD_UTF8,      /* not well-formed UTF-8 */
	SCRUB_REFUSE_CONTROL,       /* NUL or a control character other than tab/newline */
	SCRUB_REFUSE_RESIDUAL,      /* a pattern that may be personal but cannot be classified */
	SCRUB_REFUSE_NO_MEMORY,     /* allocation failed */
	SCRUB_REFUSE_INVALID,       /* bad arguments (NULL text with a length) */
	SCRUB_REFUSE_COUNT
};

/*
 * What a scrub found, and on refusal why and where. found[] counts the
 * redacted spans per category. On refusal, refusal, offset (byte offset of
 * the part to rewrite) and category (the kind of datum suspected there, or
 * SCRUB_CAT_NONE) are set.
 */
struct scrub_report {
	unsigned found[SCRUB_CAT_COUNT];
	enum scrub_refusal refusal;
	size_t offset;
	enum scrub_category category;
};

/* The recorded names of one case. Opaque. */
struct scrub_names;

/* A new, empty names list, or NULL when out of memory. */
struct scrub_names *scrub_names_new(void);

/*
 * Add one recorded person name ("Jan de Vries", "Fatima El Amrani",
 * "Sanne de Vries-Jansen"), or surname first with a comma ("de Vries, Jan",
 * "Vries, Jan de"). The name is copied. Returns 0, or -1 when the
 * name is empty, longer than SCRUB_MAX_NAME_LEN, not valid UTF-8, holds no
 * letter, the list already holds SCRUB_MAX_NAMES names, or memory runs out;
 * the list is unchanged on failure.
 */
int scrub_names_add(struct scrub_names *n, const char *full_name)
	__attribute__((warn_unused_result));

/* Number of names held (0 for NULL). */
size_t scrub_names_count(const struct scrub_names *n);

/* Free a names list. Accepts NULL and *np == NULL; sets *np to NULL. */
void scrub_names_destroy(struct scrub_names **np);

/*
 * Scrub len bytes of text (need not be NUL-terminated; NULL with len 0 is
 * the empty text). names may be NULL (no record). report may be NULL.
 * Returns 0 and sets *ret_out to a new malloc'ed NUL-terminated scrubbed
 * text that the caller frees; or -1 when refused: report says why and
 * where, *ret_out is not written and nothing is allocated.
 */
int privacy_scrub(const char *text, size_t len,
		  const struct scrub_names *names, char **ret_out,
		  struct scrub_report *report)
	__attribute__((warn_unused_result));

/*
 * True (1) when text is already scrubbed: scrubbing it again with the same
 * names changes nothing. 0 when it would change or is refused.
 */
int privacy_scrub_is_stable(const char *text, size_t len,
			    const struct scrub_names *names);

/* The placeholder of a category ("[NAAM]"); "" for NONE or out of range. */
const char *scrub_category_placeholder(enum scrub_category c);

/* A stable lower-case name of a category ("naam", "bsn"), for --json. */
const char *scrub_category_name(enum scrub_category c);

/* One English sentence for a refusal reason. */
const char *scrub_refusal_message(enum scrub_refusal r);

#endif
