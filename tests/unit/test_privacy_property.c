/*
 * test_privacy_property: nothing personal leaves, for random cases.
 *
 * A seeded generator makes cases with Dutch-looking personal data (first
 * names, tussenvoegsels, surnames, double names, BSNs that pass the
 * elfproef, birth dates, postcodes, streets with house numbers, phone
 * numbers, municipalities), records them in a real register (in-memory
 * SQLite) and weaves the same data, in many spellings, into the free texts
 * a chair types. Every kind of outgoing payload the builders make is built
 * and serialised, and neither the serialised bytes nor any decoded string
 * may hold any of the case's names, BSN, birth date (several formats),
 * postcode, street or phone, in any casing. A builder may refuse a text
 * (then nothing leaves); the counts are printed.
 *
 * The seed is printed; RET_PROPERTY_SEED=N replays a run (=random takes a
 * new seed from the clock), RET_PROPERTY_CASES
 * changes the number of cases (at least 500 are run by default).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "envelope.h"
#include "keyfile.h"
#include "node_build.h"
#include "node_db.h"
#include "node_outbox.h"
#include "node_register.h"
#include "node_requests.h"

#define DEFAULT_SEED 20261123u
#define DEFAULT_CASES 500
#define MAX_SECONDS 90 /* the whole run stops early after this */

/* ---- a small seeded generator (splitmix64) ----------------------------- */

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

#define PICK(a) ((a)[pick(sizeof(a) / sizeof((a)[0]))])

static const char *const first_names[] = {
    "Daan",     "Sem",     "Lucas",   "Levi",    "Finn",   "Noah",  "Milan",
    "Jesse",    "Thijs",   "Bram",    "Ruben",   "Stijn",  "Sanne", "Emma",
    "Julia",    "Tess",    "Sophie",  "Zoey",    "Lotte",  "Fleur", "Anouk",
    "Mila",     "Yara",    "Nora",    "Mohamed", "Yassin", "Ayoub", "Bilal",
    "Fatima",   "Yasmina", "Nour",    "Salma",   "Emre",   "Mert",  "Elif",
    "Zeynep",   "Priya",   "Kevin",   "Dylan",   "Jayden", "Wendy", "Anja",
    "Marieke",  "Gerrit",  "Hendrik", "Joost",   "Kees",   "Petra", "Ingrid",
    "Willemijn"};
static const char *const tussenvoegsels[] = {
    "",        "",        "",    "",       "de",  "van",
    "van der", "van den", "ter", "van de", "den", "el"};
static const char *const surnames[] = {
    "Jansen",   "Bakker",      "Visser",    "Smit",      "Meijer",  "Mulder",
    "Bos",      "Vos",         "Peters",    "Hendriks",  "Dekker",  "Brouwer",
    "Dijkstra", "Koster",      "Verhoeven", "Vermeulen", "Willems", "Hoekstra",
    "Kuipers",  "Berg",        "Vries",     "Wal",       "Heuvel",  "Broek",
    "Linden",   "Beek",        "Yilmaz",    "Kaya",      "Demir",   "Amrani",
    "Haddou",   "Bouzid",      "Ramdin",    "Claessens", "Janssen", "Schreurs",
    "Pluijmen", "Hermans",     "Geurts",    "Wouters",   "Coenen",  "Maessen",
    "Kerkhofs", "Schoenmakers"};
static const char *const streets[] = {
    "Kerkstraat",    "Molenweg",       "Dorpsstraat", "Schoolstraat",
    "Julianalaan",   "Beatrixstraat",  "Hoofdstraat", "Nieuwstraat",
    "Parallelweg",   "Stationsstraat", "Lindelaan",   "Eikenlaan",
    "Grote Oost",    "Kleine Noord",   "Westerdijk",  "Zuiderpoort",
    "Maasboulevard", "Venloseweg",     "Roerkade",    "Geleenbeeklaan"};
static const char *const municipalities[] = {
    "Venlo",      "Venray",       "Roermond",       "Weert",
    "Maastricht", "Heerlen",      "Sittard-Geleen", "Hoorn",
    "Enkhuizen",  "Medemblik",    "Stede Broec",    "Koggenland",
    "Opmeer",     "Drechterland", "Peel en Maas",   "Echt-Susteren"};
static const char *const month_names[] = {
    "januari", "februari", "maart",     "april",   "mei",      "juni",
    "juli",    "augustus", "september", "oktober", "november", "december"};

struct person {
	char first[32];
	char tv[16];
	char surname[64]; /* may be a double name "Vries-Jansen" */
	char full[128];
	char bsn[10];
	int by, bm, bd;
	char birth[11];
};

struct gcase {
	struct person p[3];
	size_t n;
	char street[48];
	char house[16];
	char address[80];
	char postcode[8]; /* "1234 AB" */
	char phone[16];   /* "0612345678" or "0229123456" */
	const char *municipality;
};

static void
make_bsn(char out[10])
{
	for (;;) {
		int d[9], sum = 0;
		d[0] = 1 + (int)pick(9);
		for (int i = 1; i < 8; i++)
			d[i] = (int)pick(10);
		for (int i = 0; i < 8; i++)
			sum += (9 - i) * d[i];
		d[8] = sum % 11;
		if (d[8] == 10)
			continue;
		for (int i = 0; i < 9; i++)
			out[i] = (char)('0' + d[i]);
		out[9] = '\0';
		return;
	}
}

static void
make_person(struct person *p, int youth, const char *family_tv,
            const char *family)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->first, sizeof(p->first), "%s", PICK(first_names));
	if (family != NULL) {
		snprintf(p->tv, sizeof(p->tv), "%s", family_tv);
		snprintf(p->surname, sizeof(p->surname), "%s", family);
	} else {
		snprintf(p->tv, sizeof(p->tv), "%s", PICK(tussenvoegsels));
		if (pick(6) == 0)
			snprintf(p->surname, sizeof(p->surname), "%s-%s",
			         PICK(surnames), PICK(surnames));
		else
			snprintf(p->surname, sizeof(p->surname), "%s",
			         PICK(surnames));
	}
	snprintf(p->full, sizeof(p->full), "%s%s%s %s", p->first,
	         p->tv[0] ? " " : "", p->tv, p->surname);
	make_bsn(p->bsn);
	p->by = youth ? 2008 + (int)pick(18) : 1962 + (int)pick(34);
	p->bm = 1 + (int)pick(12);
	p->bd = 1 + (int)pick(28);
	snprintf(p->birth, sizeof(p->birth), "%04d-%02d-%02d", p->by, p->bm,
	         p->bd);
}

static void
make_case(struct gcase *c)
{
	static const char letters[] = "ABCEGHJKLMNPRTVWXZ";

	memset(c, 0, sizeof(*c));
	make_person(&c->p[0], 1, NULL, NULL);
	/* A parent with the child's surname, another with their own. */
	make_person(&c->p[1], 0, c->p[0].tv, c->p[0].surname);
	make_person(&c->p[2], 0, NULL, NULL);
	c->n = 2 + pick(2);
	snprintf(c->street, sizeof(c->street), "%s", PICK(streets));
	snprintf(c->house, sizeof(c->house), "%u%s", 1 + pick(250),
	         pick(4) == 0 ? "a" : "");
	snprintf(c->address, sizeof(c->address), "%s %s", c->street, c->house);
	snprintf(c->postcode, sizeof(c->postcode), "%04u %c%c",
	         1000 + pick(9000), letters[pick(sizeof(letters) - 1)],
	         letters[pick(sizeof(letters) - 1)]);
	if (pick(2))
		snprintf(c->phone, sizeof(c->phone), "06%08u",
		         (unsigned)(rng() % 100000000u));
	else
		snprintf(c->phone, sizeof(c->phone), "0229%06u",
		         (unsigned)(rng() % 1000000u));
	c->municipality = PICK(municipalities);
}

/* ---- weaving the data into typed text ---------------------------------- */

static void
upper(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

static void
lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* One spelling of a person's name. */
static void
name_form(const struct person *p, char *out, size_t n)
{
	char tmp[160];

	switch (pick(9)) {
	case 0:
		snprintf(out, n, "%s", p->first);
		break;
	case 1:
		snprintf(out, n, "%s", p->full);
		break;
	case 2:
		snprintf(out, n, "%s%s%s", p->tv, p->tv[0] ? " " : "",
		         p->surname);
		break;
	case 3:
		snprintf(tmp, sizeof(tmp), "%s", p->full);
		upper(tmp);
		snprintf(out, n, "%s", tmp);
		break;
	case 4:
		snprintf(tmp, sizeof(tmp), "%s", p->first);
		lower(tmp);
		snprintf(out, n, "%s", tmp);
		break;
	case 5:
		snprintf(out, n, "%c. %s%s%s", p->first[0], p->tv,
		         p->tv[0] ? " " : "", p->surname);
		break;
	case 6:
		snprintf(out, n, "%s%s%s, %c.", p->tv, p->tv[0] ? " " : "",
		         p->surname, p->first[0]);
		break;
	case 7:
		snprintf(out, n, "mevrouw %s", p->surname);
		break;
	default:
		snprintf(out, n, "%s", p->surname);
		break;
	}
}

static void
bsn_form(const char *b, char *out, size_t n)
{
	switch (pick(4)) {
	case 0:
		snprintf(out, n, "%s", b);
		break;
	case 1:
		snprintf(out, n, "%.4s.%.2s.%.3s", b, b + 4, b + 6);
		break;
	case 2:
		snprintf(out, n, "%.3s %.3s %.3s", b, b + 3, b + 6);
		break;
	default:
		snprintf(out, n, "%.3s-%.3s-%.3s", b, b + 3, b + 6);
		break;
	}
}

static void
date_form(const struct person *p, char *out, size_t n)
{
	switch (pick(5)) {
	case 0:
		snprintf(out, n, "%02d-%02d-%04d", p->bd, p->bm, p->by);
		break;
	case 1:
		snprintf(out, n, "%d/%d/%04d", p->bd, p->bm, p->by);
		break;
	case 2:
		snprintf(out, n, "%s", p->birth);
		break;
	case 3:
		snprintf(out, n, "%d %s %d", p->bd, month_names[p->bm - 1],
		         p->by);
		break;
	default:
		snprintf(out, n, "%d %s %d", p->bd, month_names[p->bm - 1],
		         p->by);
		upper(out);
		break;
	}
}

static void
postcode_form(const char *pc, char *out, size_t n)
{
	switch (pick(4)) {
	case 0:
		snprintf(out, n, "%s", pc);
		break;
	case 1:
		snprintf(out, n, "%.4s%.2s", pc, pc + 5);
		break;
	case 2:
		snprintf(out, n, "%s", pc);
		lower(out);
		break;
	default:
		snprintf(out, n, "%.4s-%.2s", pc, pc + 5);
		break;
	}
}

static void
phone_form(const char *ph, char *out, size_t n)
{
	int mobile = ph[1] == '6';

	switch (pick(4)) {
	case 0:
		snprintf(out, n, mobile ? "%.2s-%s" : "%.4s-%s", ph,
		         ph + (mobile ? 2 : 4));
		break;
	case 1:
		if (mobile)
			snprintf(out, n, "06 %.2s %.2s %.2s %.2s", ph + 2,
			         ph + 4, ph + 6, ph + 8);
		else
			snprintf(out, n, "(%.4s) %.3s %.3s", ph, ph + 4,
			         ph + 7);
		break;
	case 2:
		snprintf(out, n, "+31 %.*s %s", mobile ? 1 : 3, ph + 1,
		         ph + (mobile ? 2 : 4));
		break;
	default:
		snprintf(out, n, "%s", ph);
		break;
	}
}

/* A free text with the case's data woven in. */
static void
weave(const struct gcase *c, int with_names, char *out, size_t n)
{
	const struct person *kid = &c->p[0],
	                    *par = &c->p[1 + pick((unsigned)c->n - 1)];
	char a[160], b[160], x[64], y[64];
	size_t k = 0;
	int parts = 2 + (int)pick(3);

	out[0] = '\0';
	for (int i = 0; i < parts && k < n; i++) {
		int w;
		name_form(kid, a, sizeof(a));
		name_form(par, b, sizeof(b));
		if (!with_names) {
			snprintf(a, sizeof(a), "de jeugdige");
			/* A desk has no record: titles must do. */
			snprintf(b, sizeof(b), "mevrouw %s", par->surname);
		}
		switch (pick(8)) {
		case 0:
			date_form(kid, x, sizeof(x));
			w = snprintf(out + k, n - k,
			             "%s (geboren %s) woont bij %s. ", a, x, b);
			break;
		case 1:
			bsn_form(kid->bsn, x, sizeof(x));
			w = snprintf(out + k, n - k, "Het BSN van %s is %s. ",
			             a, x);
			break;
		case 2:
			postcode_form(c->postcode, x, sizeof(x));
			w = snprintf(out + k, n - k,
			             "Het gezin woont aan de %s, %s %s. ",
			             c->address, x, c->municipality);
			break;
		case 3:
			phone_form(c->phone, x, sizeof(x));
			w = snprintf(out + k, n - k, "%s is bereikbaar op %s. ",
			             b, x);
			break;
		case 4:
			date_form(par, x, sizeof(x));
			bsn_form(par->bsn, y, sizeof(y));
			w = snprintf(out + k, n - k,
			             "Gegevens ouder: %s, %s, BSN %s. ", b, x,
			             y);
			break;
		case 5:
			w = snprintf(out + k, n - k,
			             "%s en %s hebben veel hulpverlening gehad "
			             "maar geen passende plek gevonden. ",
			             a, b);
			break;
		case 6:
			w = snprintf(out + k, n - k,
			             "Gesprek met %s over school en "
			             "dagbesteding in %s. ",
			             b, c->municipality);
			break;
		default:
			postcode_form(c->postcode, x, sizeof(x));
			phone_form(c->phone, y, sizeof(y));
			w = snprintf(out + k, n - k,
			             "Adres %s (%s), telefoon %s. ", c->address,
			             x, y);
			break;
		}
		if (w < 0 || (size_t)w >= n - k)
			break;
		k += (size_t)w;
	}
}

/* ---- looking for leaks ------------------------------------------------- */

static int
is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char
fold(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/*
 * needle in hay[0..len) case-folded; word: only where no letter touches
 * either end (a name inside a longer word is not that name).
 */
static int
contains(const unsigned char *hay, size_t len, const char *needle, int word)
{
	size_t nl = strlen(needle);

	if (nl == 0 || nl > len)
		return 0;
	for (size_t i = 0; i + nl <= len; i++) {
		size_t j;
		for (j = 0; j < nl; j++)
			if (fold(hay[i + j]) != fold((unsigned char)needle[j]))
				break;
		if (j < nl)
			continue;
		if (word && ((i > 0 && is_letter(hay[i - 1])) ||
		             (i + nl < len && is_letter(hay[i + nl]))))
			continue;
		return 1;
	}
	return 0;
}

/* The digits of s, in order. */
static void
digits_of(const unsigned char *s, size_t len, char *out, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < len && k + 1 < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			out[k++] = (char)s[i];
	out[k] = '\0';
}

static const char *leak_what;

/* True if buf holds a datum of case c; leak_what says which. */
static int
leaks(const struct gcase *c, const unsigned char *buf, size_t len,
      int digit_projection)
{
	static char dig[70000];
	char f[64];

	for (size_t i = 0; i < c->n; i++) {
		const struct person *p = &c->p[i];
		char part[64];
		const char *s = p->surname;

		if (contains(buf, len, p->first, 1))
			return leak_what = "first name", 1;
		/* Each part of a (double) surname. */
		while (*s) {
			size_t n = strcspn(s, "-");
			snprintf(part, sizeof(part), "%.*s", (int)n, s);
			if (contains(buf, len, part, 1))
				return leak_what = "surname", 1;
			s += n + (s[n] == '-');
		}
		if (contains(buf, len, p->bsn, 0))
			return leak_what = "BSN", 1;
		snprintf(f, sizeof(f), "%.4s.%.2s.%.3s", p->bsn, p->bsn + 4,
		         p->bsn + 6);
		if (contains(buf, len, f, 0))
			return leak_what = "BSN", 1;
		if (contains(buf, len, p->birth, 0))
			return leak_what = "birth date", 1;
		snprintf(f, sizeof(f), "%02d-%02d-%04d", p->bd, p->bm, p->by);
		if (contains(buf, len, f, 0))
			return leak_what = "birth date", 1;
		snprintf(f, sizeof(f), "%d/%d/%04d", p->bd, p->bm, p->by);
		if (contains(buf, len, f, 0))
			return leak_what = "birth date", 1;
		snprintf(f, sizeof(f), "%d %s %d", p->bd,
		         month_names[p->bm - 1], p->by);
		if (contains(buf, len, f, 0))
			return leak_what = "birth date", 1;
	}
	if (contains(buf, len, c->postcode, 0))
		return leak_what = "postcode", 1;
	snprintf(f, sizeof(f), "%.4s%.2s", c->postcode, c->postcode + 5);
	if (contains(buf, len, f, 0))
		return leak_what = "postcode", 1;
	if (contains(buf, len, c->street, 1))
		return leak_what = "street", 1;
	if (contains(buf, len, c->phone + 2, 0) && c->phone[1] == '6')
		return leak_what = "phone", 1;
	if (contains(buf, len, c->phone + 4, 0) && c->phone[1] != '6')
		return leak_what = "phone", 1;
	if (digit_projection) {
		/* Separators removed: 246.813.581 is still the BSN. */
		digits_of(buf, len, dig, sizeof(dig));
		for (size_t i = 0; i < c->n; i++)
			if (strstr(dig, c->p[i].bsn) != NULL)
				return leak_what = "BSN (digits)", 1;
		if (strstr(dig, c->phone + 1) != NULL)
			return leak_what = "phone (digits)", 1;
	}
	return 0;
}

/* Every string of a decoded payload, through the preview rendering. */
static int
strings_leak(const struct gcase *c, const json_t *j)
{
	size_t i;
	const char *k;
	json_t *v;

	switch (json_typeof(j)) {
	case JSON_STRING:
		return leaks(c, (const unsigned char *)json_string_value(j),
		             strlen(json_string_value(j)), 1);
	case JSON_ARRAY:
		json_array_foreach((json_t *)(uintptr_t)j, i,
		                   v) if (strings_leak(c, v)) return 1;
		return 0;
	case JSON_OBJECT:
		json_object_foreach((json_t *)(uintptr_t)j, k,
		                    v) if (strings_leak(c, v)) return 1;
		return 0;
	default:
		return 0;
	}
}

struct counts {
	unsigned built, refused_scrubber, refused_guard, other;
	unsigned per_kind[7];
	unsigned guard_cat[SCRUB_CAT_COUNT];
};

/* Serialise the draft's body and look at bytes and decoded strings. */
static void
check_draft(const struct gcase *c, const struct node_build_draft *d,
            uint64_t seed, unsigned case_no)
{
	const Retfed__V1__Body *b = node_build_body(d);
	size_t len = retfed__v1__body__get_packed_size(b);
	uint8_t *buf = malloc(len + 1);
	json_t *p = NULL, *fields;

	assert_non_null(buf);
	retfed__v1__body__pack(b, buf);
	assert_int_equal(node_build_preview(b, &p), NODE_OK);
	fields = json_object_get(p, "fields");
	if (leaks(c, buf, len, 0)) {
		char *dump = json_dumps(fields, 0);
		print_error("seed %llu case %u: %s found in the serialised "
		            "%s: %s\n",
		            (unsigned long long)seed, case_no, leak_what,
		            envelope_kind_name((int)b->kind), dump);
		free(dump);
		fail();
	}
	free(buf);
	if (strings_leak(c, fields)) {
		char *dump = json_dumps(fields, 0);
		print_error("seed %llu case %u: %s found in a decoded %s: %s\n",
		            (unsigned long long)seed, case_no, leak_what,
		            envelope_kind_name((int)b->kind), dump);
		free(dump);
		fail();
	}
	json_decref(p);
}

static void
tally(struct counts *n, enum node_status s, const struct node_build_error *e,
      int kind)
{
	if (s == NODE_OK) {
		n->built++;
		n->per_kind[kind]++;
	} else if (e->scrub_refused &&
	           strstr(e->detail, "still holds a recorded") != NULL) {
		n->refused_guard++;
		if ((unsigned)e->category < SCRUB_CAT_COUNT)
			n->guard_cat[e->category]++;
		if (getenv("RET_PROPERTY_VERBOSE") != NULL)
			print_error("leak guard: %s in %s\n",
			            scrub_category_name(e->category), e->field);
	} else if (e->scrub_refused) {
		n->refused_scrubber++;
	} else {
		n->other++;
		print_error("unexpected refusal: %s\n", e->detail);
	}
}

static uint64_t
env_number(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (s == NULL || s[0] == '\0')
		return dflt;
	v = strtoull(s, &end, 10);
	return *end == '\0' ? (uint64_t)v : dflt;
}

static void
test_nothing_personal_leaves(void **state)
{
	const char *want = getenv("RET_PROPERTY_SEED");
	uint64_t seed = want != NULL && strcmp(want, "random") == 0
	                    ? (uint64_t)time(NULL)
	                    : env_number("RET_PROPERTY_SEED", DEFAULT_SEED);
	unsigned cases =
	    (unsigned)env_number("RET_PROPERTY_CASES", DEFAULT_CASES);
	struct keyfile keys;
	struct node_build_ctx ctx;
	struct counts n;
	struct node_msg_error merr;
	char err[256];
	sqlite3 *db = NULL;
	time_t start = time(NULL);
	unsigned done = 0;

	(void)state;
	memset(&n, 0, sizeof(n));
	printf("privacy property: seed %llu, %u cases "
	       "(RET_PROPERTY_SEED=%llu replays this run)\n",
	       (unsigned long long)seed, cases, (unsigned long long)seed);
	rng_state = seed;
	assert_int_equal(
	    node_db_open(":memory:", NODE_DB_CREATE, &db, err, sizeof(err)),
	    NODE_OK);
	assert_int_equal(node_register_migrate(db, err, sizeof(err)), NODE_OK);
	assert_int_equal(node_outbox_migrate(db, &merr), NODE_OK);
	assert_int_equal(node_requests_migrate(db, err, sizeof(err)), NODE_OK);
	assert_int_equal(keyfile_generate("region:westfriesland", &keys), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.db = db;
	ctx.user = "voorzitter";
	ctx.keys = &keys;
	ctx.today = "2026-11-23";

	for (unsigned i = 0; i < cases; i++) {
		struct gcase c;
		struct node_casus_fields cf;
		int64_t id, pid;
		static char t1[1500], t2[1500], t3[1500];
		static const int support[] = {1, 3};
		struct node_build_draft *d = NULL;
		struct node_build_error e;
		enum node_status s;
		uint8_t fake_id[MSGID_LEN];

		if (time(NULL) - start > MAX_SECONDS)
			break;
		make_case(&c);
		memset(&cf, 0, sizeof(cf));
		cf.registered_by = "gemeente";
		cf.question_type = "passend_aanbod";
		cf.problem_areas = pick(2) ? "gedrag,gezin" : "psychiatrie";
		assert_int_equal(node_register_casus_new(db, "s", &cf, &id, err,
		                                         sizeof(err)),
		                 NODE_OK);
		for (size_t k = 0; k < c.n; k++) {
			struct node_person np = {k ? "ouder" : "jeugdige",
			                         c.p[k].full,
			                         c.p[k].bsn,
			                         c.p[k].birth,
			                         c.address,
			                         c.postcode,
			                         c.municipality};
			assert_int_equal(
			    node_register_person_add(db, "s", id, &np, &pid,
			                             err, sizeof(err)),
			    NODE_OK);
		}
		assert_int_equal(node_register_casus_phase(db, "s", id,
		                                           "triage", NULL, err,
		                                           sizeof(err)),
		                 NODE_OK);
		assert_int_equal(node_register_casus_phase(db, "s", id,
		                                           "overleg", NULL, err,
		                                           sizeof(err)),
		                 NODE_OK);

		weave(&c, 1, t1, sizeof(t1));
		weave(&c, 1, t2, sizeof(t2));
		weave(&c, 1, t3, sizeof(t3));
		{
			struct node_build_escalation in = {
			    id,   t1,  t2, support, 2, 1 + (int)pick(3),
			    NULL, NULL};
			s = node_build_escalation(&ctx, &in, &d, &e);
			tally(&n, s, &e, 1);
			if (s == NODE_OK) {
				check_draft(&c, d, seed, i);
				/* The desk decides on it, with data typed in.
				 */
				{
					Retfed__V1__Body req =
					    *node_build_body(d);
					struct node_build_draft *x = NULL;
					struct node_build_decision dec = {
					    3,    1,    "Procesversneller BEN",
					    NULL, NULL, t3};
					for (int k = 0; k < MSGID_LEN; k++)
						fake_id[k] =
						    (uint8_t)(rng() & 0x1f);
					req.sender =
					    (char *)(uintptr_t) "region:"
					                        "westfriesland";
					req.message_id.data = fake_id;
					req.message_id.len = MSGID_LEN;
					weave(&c, 0, t3, sizeof(t3));
					s = node_build_decision(&req, &dec, &x,
					                        &e);
					tally(&n, s, &e, 3);
					if (s == NODE_OK)
						check_draft(&c, x, seed, i);
					node_build_destroy(&x);
				}
			}
			node_build_destroy(&d);
		}
		{
			struct node_build_procesversneller in = {
			    id, t3, 1 + pick(52), (int)pick(2), (int)pick(4)};
			weave(&c, 1, t3, sizeof(t3));
			s = node_build_procesversneller(&ctx, &in, &d, &e);
			tally(&n, s, &e, 2);
			if (s == NODE_OK)
				check_draft(&c, d, seed, i);
			node_build_destroy(&d);
		}
		{
			struct node_build_peer_request in = {
			    "region:midden-limburg", id, t1, t2};
			s = node_build_peer_request(&ctx, &in, &d, &e);
			tally(&n, s, &e, 5);
			if (s == NODE_OK)
				check_draft(&c, d, seed, i);
			node_build_destroy(&d);
		}
		{
			struct node_build_peer_review in = {
			    fake_id, "region:midden-limburg", id, t2};
			for (int k = 0; k < MSGID_LEN; k++)
				fake_id[k] = (uint8_t)(rng() & 0x1f);
			s = node_build_peer_review(&ctx, &in, &d, &e);
			tally(&n, s, &e, 6);
			if (s == NODE_OK)
				check_draft(&c, d, seed, i);
			node_build_destroy(&d);
		}
		done++;
	}
	printf("privacy property: %u cases in %ld s; %u payloads built "
	       "(escalation %u, procesversneller %u, decision %u, "
	       "peer-review request %u, review %u), refused by the scrubber "
	       "%u, by the leak guard %u, other %u\n",
	       done, (long)(time(NULL) - start), n.built, n.per_kind[1],
	       n.per_kind[2], n.per_kind[3], n.per_kind[5], n.per_kind[6],
	       n.refused_scrubber, n.refused_guard, n.other);
	for (int k = 1; k < SCRUB_CAT_COUNT; k++)
		if (n.guard_cat[k] > 0)
			printf("  the leak guard caught %u %s the scrubber let "
			       "through\n",
			       n.guard_cat[k], scrub_category_name(k));
	assert_true(done >= (cases < DEFAULT_CASES ? cases : DEFAULT_CASES));
	assert_int_equal(n.other, 0);
	/* Most texts must get through: refusing everything is not privacy. */
	assert_true(n.built > done * 3);
	keyfile_wipe(&keys);
	node_db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nothing_personal_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
