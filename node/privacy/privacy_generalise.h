/*
 * privacy_generalise: coarsening of the few facts about a case that may
 * travel, so that none of them can single out a person.
 *
 * - Age -> AgeBand (proto/retfed.proto), computed from a birth date and a
 *   reference date; the birth date itself never leaves the node. Bands:
 *     youth  0-3, 4-7, 8-11, 12-15, 16-17   (stages of youth care; 18 is
 *            the 18-/18+ transition)
 *     adult  18-22, 23-29, 30-49, 50-64, 65-79, 80+   (Westfriesland's RET
 *            serves all ages, 0 to 100)
 *   A person born on 29 February turns a year older on 1 March in years
 *   without a 29 February.
 * - Any date -> month "YYYY-MM" or quarter "YYYY-Qn" (for aggregates).
 * - Municipality (gemeente) -> youth-care region (jeugdhulpregio) of the
 *   four participating RETs; every other or unknown municipality becomes
 *   "other", never the municipality itself.
 * - Small categories of a count table are merged into one "other" category
 *   until it reaches the threshold.
 *
 * Every function checks its input and returns an error value; nothing here
 * allocates or logs.
 */
#ifndef RET_PRIVACY_GENERALISE_H
#define RET_PRIVACY_GENERALISE_H

#include <stddef.h>
#include <stdint.h>

#include "retfed.pb-c.h"

#define GENERALISE_MAX_AGE 130
#define GENERALISE_KEY_MAX 40 /* a Cell key: 1..40 of [a-z0-9_+-] */

enum generalise_error {
	GENERALISE_OK = 0,
	GENERALISE_E_DATE,       /* not "YYYY-MM-DD" */
	GENERALISE_E_IMPOSSIBLE, /* no such day (2023-02-29, 2024-13-01) */
	GENERALISE_E_FUTURE,     /* birth date after the reference date */
	GENERALISE_E_AGE,        /* age above GENERALISE_MAX_AGE */
	GENERALISE_E_SPACE,      /* output buffer too small */
	GENERALISE_E_KEY,        /* category key not 1..40 of [a-z0-9_+-] */
	GENERALISE_E_THRESHOLD,  /* threshold is 0 */
};

enum generalise_region {
	GENERALISE_REGION_OTHER = 0,
	GENERALISE_REGION_NOORD_LIMBURG,
	GENERALISE_REGION_MIDDEN_LIMBURG,
	GENERALISE_REGION_ZUID_LIMBURG,
	GENERALISE_REGION_WESTFRIESLAND,
};

/* One category of a count table, e.g. {"gemeente", 12}. */
struct generalise_category {
	char key[GENERALISE_KEY_MAX + 1];
	uint32_t count;
};

/* One sentence describing err (static storage). */
const char *generalise_strerror(enum generalise_error err);

/*
 * Age in whole years on date `ref` of a person born on `birth`; both
 * "YYYY-MM-DD" (years 1900..2199). Refuses impossible dates, a birth after
 * ref and ages above 130. *ret_years is written only on success.
 */
enum generalise_error generalise_age(const char *birth, const char *ref,
				     unsigned *ret_years)
	__attribute__((warn_unused_result));

/* The band of an age in years (0..130). */
enum generalise_error generalise_age_band(unsigned years,
					  Retfed__V1__AgeBand *ret_band)
	__attribute__((warn_unused_result));

/* generalise_age() followed by generalise_age_band(). */
enum generalise_error generalise_age_band_of(const char *birth,
					     const char *ref,
					     Retfed__V1__AgeBand *ret_band)
	__attribute__((warn_unused_result));

/* The lowest and highest age of a band, for display; -1 for "no limit". */
void generalise_age_band_range(Retfed__V1__AgeBand band, int *ret_low,
			       int *ret_high);

/*
 * The month "YYYY-MM" of a date "YYYY-MM-DD" (a time may follow after 'T'
 * or a space and is ignored). out needs 8 bytes.
 */
enum generalise_error generalise_month(const char *date, char *out,
				       size_t outlen)
	__attribute__((warn_unused_result));

/* The quarter "YYYY-Qn" of a date, as generalise_month(). out: 8 bytes. */
enum generalise_error generalise_quarter(const char *date, char *out,
					 size_t outlen)
	__attribute__((warn_unused_result));

/* The UTC month "YYYY-MM" of a time in ms since the epoch. out: 8 bytes. */
enum generalise_error generalise_month_of_ms(uint64_t ms, char *out,
					     size_t outlen)
	__attribute__((warn_unused_result));

/*
 * The youth-care region of a municipality name, in any case and spacing,
 * with or without "gemeente" in front; former municipalities merged into
 * one of the region's municipalities since 2001 count too. Anything else,
 * including NULL, is GENERALISE_REGION_OTHER.
 */
enum generalise_region generalise_region_of(const char *municipality);

/* The slug of a region: "noord-limburg", ..., "other" (static storage). */
const char *generalise_region_slug(enum generalise_region r);

/*
 * Merge small categories in place: every category with a count below
 * threshold, and any category already named other_key, is folded into one
 * category other_key, appended after the remaining ones (which keep their
 * order). While that category is above 0 and below threshold, the smallest
 * remaining category is folded in as well. A merged total of 0 adds no
 * category. *ret_n receives the new number of categories. Returns
 * GENERALISE_E_KEY for a bad key (cats untouched) or GENERALISE_E_THRESHOLD
 * for threshold 0.
 */
enum generalise_error
generalise_merge_small(struct generalise_category *cats, size_t n,
		       uint32_t threshold, const char *other_key,
		       size_t *ret_n) __attribute__((warn_unused_result));

#endif
