/* privacy_generalise: age bands, months, regions, merged categories. */
#include "privacy_generalise.h"

#include <stdio.h>
#include <string.h>

#define MUNI_MAX 64 /* longest municipality name we normalise */

static const char *const messages[] = {
	[GENERALISE_OK] = "no error",
	[GENERALISE_E_DATE] = "the date is not in the form YYYY-MM-DD",
	[GENERALISE_E_IMPOSSIBLE] = "the date does not exist",
	[GENERALISE_E_FUTURE] = "the birth date is after the reference date",
	[GENERALISE_E_AGE] = "the age is above 130 years",
	[GENERALISE_E_SPACE] = "the output buffer is too small",
	[GENERALISE_E_KEY] =
		"a category key must be 1 to 40 characters of a-z, 0-9, _, + and -",
	[GENERALISE_E_THRESHOLD] = "the threshold must be at least 1",
};

const char *
generalise_strerror(enum generalise_error err)
{
	if ((size_t)err >= sizeof(messages) / sizeof(messages[0]) ||
	    messages[err] == NULL)
		return "unknown generalisation error";
	return messages[err];
}

struct ymd {
	int y, m, d;
};

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int
num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parse "YYYY-MM-DD", optionally followed by 'T' or ' ' and anything. */
static enum generalise_error
parse_date(const char *s, struct ymd *ret)
{
	struct ymd t;

	if (s == NULL || strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != '\0' && s[10] != 'T' && s[10] != ' '))
		return GENERALISE_E_DATE;
	t.y = num(s, 4);
	t.m = num(s + 5, 2);
	t.d = num(s + 8, 2);
	if (t.y < 0 || t.m < 0 || t.d < 0)
		return GENERALISE_E_DATE;
	if (t.y < 1900 || t.y > 2199 || t.m < 1 || t.m > 12 || t.d < 1 ||
	    t.d > days_in_month(t.y, t.m))
		return GENERALISE_E_IMPOSSIBLE;
	*ret = t;
	return GENERALISE_OK;
}

enum generalise_error
generalise_age(const char *birth, const char *ref, unsigned *ret_years)
{
	struct ymd b, r;
	enum generalise_error e;
	int age;

	if ((e = parse_date(birth, &b)) != GENERALISE_OK ||
	    (e = parse_date(ref, &r)) != GENERALISE_OK)
		return e;
	if (b.y > r.y || (b.y == r.y && (b.m > r.m ||
					 (b.m == r.m && b.d > r.d))))
		return GENERALISE_E_FUTURE;
	/*
	 * The birthday has come once (month, day) is reached; for 29 February
	 * in a common year that is 1 March, because 28 February < 29.
	 */
	age = r.y - b.y;
	if (r.m < b.m || (r.m == b.m && r.d < b.d))
		age--;
	if (age > GENERALISE_MAX_AGE)
		return GENERALISE_E_AGE;
	*ret_years = (unsigned)age;
	return GENERALISE_OK;
}

static const struct {
	int low, high;
	Retfed__V1__AgeBand band;
} bands[] = {
	{0, 3, RETFED__V1__AGE_BAND__AGE_0_3},
	{4, 7, RETFED__V1__AGE_BAND__AGE_4_7},
	{8, 11, RETFED__V1__AGE_BAND__AGE_8_11},
	{12, 15, RETFED__V1__AGE_BAND__AGE_12_15},
	{16, 17, RETFED__V1__AGE_BAND__AGE_16_17},
	{18, 22, RETFED__V1__AGE_BAND__AGE_18_22},
	{23, 29, RETFED__V1__AGE_BAND__AGE_23_29},
	{30, 49, RETFED__V1__AGE_BAND__AGE_30_49},
	{50, 64, RETFED__V1__AGE_BAND__AGE_50_64},
	{65, 79, RETFED__V1__AGE_BAND__AGE_65_79},
	{80, -1, RETFED__V1__AGE_BAND__AGE_80_PLUS},
};

#define NBANDS (sizeof(bands) / sizeof(bands[0]))

enum generalise_error
generalise_age_band(unsigned years, Retfed__V1__AgeBand *ret_band)
{
	size_t i;

	if (years > GENERALISE_MAX_AGE)
		return GENERALISE_E_AGE;
	for (i = 0; i < NBANDS; i++)
		if ((int)years >= bands[i].low &&
		    (bands[i].high < 0 || (int)years <= bands[i].high)) {
			*ret_band = bands[i].band;
			return GENERALISE_OK;
		}
	return GENERALISE_E_AGE; /* not reached: the bands cover 0..130 */
}

enum generalise_error
generalise_age_band_of(const char *birth, const char *ref,
		       Retfed__V1__AgeBand *ret_band)
{
	unsigned years;
	enum generalise_error e = generalise_age(birth, ref, &years);

	if (e != GENERALISE_OK)
		return e;
	return generalise_age_band(years, ret_band);
}

void
generalise_age_band_range(Retfed__V1__AgeBand band, int *ret_low,
			  int *ret_high)
{
	size_t i;

	*ret_low = -1;
	*ret_high = -1;
	for (i = 0; i < NBANDS; i++)
		if (bands[i].band == band) {
			*ret_low = bands[i].low;
			*ret_high = bands[i].high;
		}
}

enum generalise_error
generalise_month(const char *date, char *out, size_t outlen)
{
	struct ymd t;
	enum generalise_error e = parse_date(date, &t);

	if (e != GENERALISE_OK)
		return e;
	if (outlen < 8)
		return GENERALISE_E_SPACE;
	snprintf(out, outlen, "%04d-%02d", t.y, t.m);
	return GENERALISE_OK;
}

enum generalise_error
generalise_quarter(const char *date, char *out, size_t outlen)
{
	struct ymd t;
	enum generalise_error e = parse_date(date, &t);

	if (e != GENERALISE_OK)
		return e;
	if (outlen < 8)
		return GENERALISE_E_SPACE;
	snprintf(out, outlen, "%04d-Q%d", t.y, (t.m - 1) / 3 + 1);
	return GENERALISE_OK;
}

enum generalise_error
generalise_month_of_ms(uint64_t ms, char *out, size_t outlen)
{
	/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
	int64_t z = (int64_t)(ms / 86400000ULL) + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	if (y > 9999)
		return GENERALISE_E_DATE;
	if (outlen < 8)
		return GENERALISE_E_SPACE;
	snprintf(out, outlen, "%04d-%02d", (int)y, (int)m);
	return GENERALISE_OK;
}

/*
 * Municipalities of the four youth-care regions (2026), then former
 * municipalities merged into one of them since 2001. Names are in the
 * normalised form of normalise_muni(): lower case, single spaces, no
 * punctuation.
 */
static const struct {
	const char *name;
	enum generalise_region region;
} munis[] = {
	/* Noord-Limburg */
	{"beesel", GENERALISE_REGION_NOORD_LIMBURG},
	{"bergen l", GENERALISE_REGION_NOORD_LIMBURG},
	{"bergen lb", GENERALISE_REGION_NOORD_LIMBURG},
	{"bergen limburg", GENERALISE_REGION_NOORD_LIMBURG},
	{"gennep", GENERALISE_REGION_NOORD_LIMBURG},
	{"horst aan de maas", GENERALISE_REGION_NOORD_LIMBURG},
	{"mook en middelaar", GENERALISE_REGION_NOORD_LIMBURG},
	{"peel en maas", GENERALISE_REGION_NOORD_LIMBURG},
	{"venlo", GENERALISE_REGION_NOORD_LIMBURG},
	{"venray", GENERALISE_REGION_NOORD_LIMBURG},
	{"arcen en velden", GENERALISE_REGION_NOORD_LIMBURG},
	{"meerlo wanssum", GENERALISE_REGION_NOORD_LIMBURG},
	{"sevenum", GENERALISE_REGION_NOORD_LIMBURG},
	{"helden", GENERALISE_REGION_NOORD_LIMBURG},
	{"kessel", GENERALISE_REGION_NOORD_LIMBURG},
	{"maasbree", GENERALISE_REGION_NOORD_LIMBURG},
	{"meijel", GENERALISE_REGION_NOORD_LIMBURG},
	{"tegelen", GENERALISE_REGION_NOORD_LIMBURG},
	/* Midden-Limburg (Oost and West) */
	{"echt susteren", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"leudal", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"maasgouw", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"nederweert", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"roerdalen", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"roermond", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"weert", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"swalmen", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"ambt montfort", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"heythuysen", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"haelen", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"hunsel", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"roggel en neer", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"heel", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"thorn", GENERALISE_REGION_MIDDEN_LIMBURG},
	{"maasbracht", GENERALISE_REGION_MIDDEN_LIMBURG},
	/* Zuid-Limburg */
	{"beek", GENERALISE_REGION_ZUID_LIMBURG},
	{"beekdaelen", GENERALISE_REGION_ZUID_LIMBURG},
	{"brunssum", GENERALISE_REGION_ZUID_LIMBURG},
	{"eijsden margraten", GENERALISE_REGION_ZUID_LIMBURG},
	{"gulpen wittem", GENERALISE_REGION_ZUID_LIMBURG},
	{"heerlen", GENERALISE_REGION_ZUID_LIMBURG},
	{"kerkrade", GENERALISE_REGION_ZUID_LIMBURG},
	{"landgraaf", GENERALISE_REGION_ZUID_LIMBURG},
	{"maastricht", GENERALISE_REGION_ZUID_LIMBURG},
	{"meerssen", GENERALISE_REGION_ZUID_LIMBURG},
	{"simpelveld", GENERALISE_REGION_ZUID_LIMBURG},
	{"sittard geleen", GENERALISE_REGION_ZUID_LIMBURG},
	{"stein", GENERALISE_REGION_ZUID_LIMBURG},
	{"vaals", GENERALISE_REGION_ZUID_LIMBURG},
	{"valkenburg aan de geul", GENERALISE_REGION_ZUID_LIMBURG},
	{"valkenburg a/d geul", GENERALISE_REGION_ZUID_LIMBURG},
	{"voerendaal", GENERALISE_REGION_ZUID_LIMBURG},
	{"nuth", GENERALISE_REGION_ZUID_LIMBURG},
	{"onderbanken", GENERALISE_REGION_ZUID_LIMBURG},
	{"schinnen", GENERALISE_REGION_ZUID_LIMBURG},
	{"eijsden", GENERALISE_REGION_ZUID_LIMBURG},
	{"margraten", GENERALISE_REGION_ZUID_LIMBURG},
	{"born", GENERALISE_REGION_ZUID_LIMBURG},
	/* Westfriesland */
	{"drechterland", GENERALISE_REGION_WESTFRIESLAND},
	{"enkhuizen", GENERALISE_REGION_WESTFRIESLAND},
	{"hoorn", GENERALISE_REGION_WESTFRIESLAND},
	{"koggenland", GENERALISE_REGION_WESTFRIESLAND},
	{"medemblik", GENERALISE_REGION_WESTFRIESLAND},
	{"opmeer", GENERALISE_REGION_WESTFRIESLAND},
	{"stede broec", GENERALISE_REGION_WESTFRIESLAND},
	{"andijk", GENERALISE_REGION_WESTFRIESLAND},
	{"wervershoof", GENERALISE_REGION_WESTFRIESLAND},
	{"wognum", GENERALISE_REGION_WESTFRIESLAND},
	{"obdam", GENERALISE_REGION_WESTFRIESLAND},
	{"wester koggenland", GENERALISE_REGION_WESTFRIESLAND},
};

/*
 * Lower-case ASCII, punctuation and dashes to spaces, runs of spaces to
 * one, trimmed, without a leading "gemeente ". Returns 0, or -1 if the name
 * is too long or empty.
 */
static int
normalise_muni(const char *in, char out[MUNI_MAX + 1])
{
	size_t i, o = 0;
	int space = 1; /* drops leading spaces */
	const char *prefix = "gemeente ";

	for (i = 0; in[i] != '\0'; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c == ' ' || c == '\t' || c == '-' || c == '(' ||
		    c == ')' || c == '.' || c == ',' || c == '\'') {
			if (space)
				continue;
			space = 1;
			c = ' ';
		} else {
			space = 0;
		}
		if (o >= MUNI_MAX)
			return -1;
		out[o++] = (char)c;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	if (strncmp(out, prefix, strlen(prefix)) == 0)
		memmove(out, out + strlen(prefix), o - strlen(prefix) + 1);
	return out[0] == '\0' ? -1 : 0;
}

enum generalise_region
generalise_region_of(const char *municipality)
{
	char norm[MUNI_MAX + 1];
	size_t i;

	if (municipality == NULL || normalise_muni(municipality, norm) < 0)
		return GENERALISE_REGION_OTHER;
	for (i = 0; i < sizeof(munis) / sizeof(munis[0]); i++)
		if (strcmp(norm, munis[i].name) == 0)
			return munis[i].region;
	return GENERALISE_REGION_OTHER;
}

const char *
generalise_region_slug(enum generalise_region r)
{
	switch (r) {
	case GENERALISE_REGION_NOORD_LIMBURG:
		return "noord-limburg";
	case GENERALISE_REGION_MIDDEN_LIMBURG:
		return "midden-limburg";
	case GENERALISE_REGION_ZUID_LIMBURG:
		return "zuid-limburg";
	case GENERALISE_REGION_WESTFRIESLAND:
		return "westfriesland";
	case GENERALISE_REGION_OTHER:
		break;
	}
	return "other";
}

static int
key_valid(const char *k)
{
	size_t i, n = strnlen(k, GENERALISE_KEY_MAX + 1);

	if (n < 1 || n > GENERALISE_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		      k[i] == '+' || k[i] == '-'))
			return 0;
	return 1;
}

enum generalise_error
generalise_merge_small(struct generalise_category *cats, size_t n,
		       uint32_t threshold, const char *other_key,
		       size_t *ret_n)
{
	uint64_t other = 0;
	size_t i, kept = 0;
	int merged_any = 0;

	if (threshold == 0)
		return GENERALISE_E_THRESHOLD;
	if (other_key == NULL || !key_valid(other_key))
		return GENERALISE_E_KEY;
	for (i = 0; i < n; i++)
		if (!key_valid(cats[i].key))
			return GENERALISE_E_KEY;
	/* Fold the small ones and any existing "other" category. */
	for (i = 0; i < n; i++) {
		if (cats[i].count < threshold ||
		    strcmp(cats[i].key, other_key) == 0) {
			other += cats[i].count;
			merged_any = 1;
		} else {
			if (kept != i)
				cats[kept] = cats[i];
			kept++;
		}
	}
	/* Grow a small non-empty "other" with the smallest remaining. */
	while (other > 0 && other < threshold && kept > 0) {
		size_t min = 0;

		for (i = 1; i < kept; i++)
			if (cats[i].count < cats[min].count)
				min = i;
		other += cats[min].count;
		memmove(&cats[min], &cats[min + 1],
			(kept - min - 1) * sizeof(cats[0]));
		kept--;
	}
	if (merged_any && other > 0) {
		/* kept < n here: at least one category was folded. */
		memset(&cats[kept], 0, sizeof(cats[kept]));
		memcpy(cats[kept].key, other_key, strlen(other_key) + 1);
		cats[kept].count = other > UINT32_MAX ? UINT32_MAX
						      : (uint32_t)other;
		kept++;
	}
	*ret_n = kept;
	return GENERALISE_OK;
}
