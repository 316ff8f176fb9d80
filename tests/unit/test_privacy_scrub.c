/*
 * Tests for privacy_scrub: the forms issue 6 names, refusals, the names
 * API, and the corpus in tests/privacy/ (every marked datum must be gone,
 * every output stable, over-redaction on clean text under 3%).
 * The corpus format is described in tests/privacy/README.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "privacy_scrub.h"

/* Scrub s with the names (separated by '|', may be NULL); returns the
 * output (caller frees) and asserts it was not refused. */
static char *
scrub(const char *s, const char *names)
{
	struct scrub_names *n = scrub_names_new();
	struct scrub_report rep;
	char *out = NULL;

	assert_non_null(n);
	if (names != NULL) {
		char buf[1024];
		char *p = buf, *bar;

		snprintf(buf, sizeof(buf), "%s", names);
		for (;;) {
			bar = strchr(p, '|');
			if (bar != NULL)
				*bar = '\0';
			assert_int_equal(scrub_names_add(n, p), 0);
			if (bar == NULL)
				break;
			p = bar + 1;
		}
	}
	assert_int_equal(privacy_scrub(s, strlen(s), n, &out, &rep), 0);
	assert_non_null(out);
	assert_int_equal(rep.refusal, SCRUB_OK);
	assert_true(privacy_scrub_is_stable(out, strlen(out), n));
	scrub_names_destroy(&n);
	return out;
}

static void
expect(const char *in, const char *names, const char *want)
{
	char *out = scrub(in, names);

	if (strcmp(out, want) != 0)
		fprintf(stderr, "in:   %s\nout:  %s\nwant: %s\n", in, out, want);
	assert_string_equal(out, want);
	free(out);
}

static void
test_bsn_forms(void **state)
{
	(void)state;
	expect("BSN 246813581.", NULL, "BSN [BSN].");
	expect("nr 2468.13.581 en 246 813 581 en 246-813-581", NULL,
	       "nr [BSN] en [BSN] en [BSN]");
	/* Fails the elfproef but is a long number. */
	expect("code 123456788 gezien", NULL, "code [NUMMER] gezien");
	expect("cliëntnummer 45821, AGB-code 01234567", NULL,
	       "cliëntnummer [NUMMER], AGB-code [NUMMER]");
	expect("dossier 1234567 loopt", NULL, "dossier [NUMMER] loopt");
	/* A phone number with a digit missing is still a long number. */
	expect("bel 06-1234 567 nu", NULL, "bel [NUMMER] nu");
	/* Money and small counts survive. */
	expect("kosten € 1.250.000 voor 12 kinderen", NULL,
	       "kosten € 1.250.000 voor 12 kinderen");
}

static void
test_dates_and_ages(void **state)
{
	(void)state;
	expect("op 12-03-2015, 12/3/15 en 2015-03-12", NULL,
	       "op [DATUM], [DATUM] en [DATUM]");
	expect("op 12 maart 2015 of 12 mrt. 2015 of 3 april", NULL,
	       "op [DATUM] of [DATUM] of [DATUM]");
	expect("sinds april 2015, in het voorjaar en in april", NULL,
	       "sinds [DATUM], in het voorjaar en in april");
	expect("zij is 9 jaar, de 9-jarige, een meisje van 14", NULL,
	       "zij is [LEEFTIJD], de [LEEFTIJD], een meisje van [LEEFTIJD]");
	expect("de negenjarige jongen, de afgelopen 2 jaar", NULL,
	       "de [LEEFTIJD] jongen, de afgelopen 2 jaar");
}

static void
test_postcode_address(void **state)
{
	(void)state;
	expect("1621 AB, 1621AB, 1621 ab, 1621-AB", NULL,
	       "[POSTCODE], [POSTCODE], [POSTCODE], [POSTCODE]");
	expect("in 2015 en 2016", NULL, "in 2015 en 2016");
	/* Lower-case letters that are a word, but a place follows. */
	expect("woont aan de Markt 3, 1955 te Venlo", NULL,
	       "woont aan de [ADRES], [POSTCODE] Venlo");
	expect("Adres Vlasakkers 3 (6041 mn)", NULL, "Adres [ADRES] ([POSTCODE])");
	expect("woont aan de Markt 3, 2024 ze Weert", NULL,
	       "woont aan de [ADRES], [POSTCODE] Weert");
	expect("Kerkstraat 12a en Grote Oost 12-2", NULL, "[ADRES] en [ADRES]");
	expect("Laan van Nieuw Oost-Indië 123 A, Postbus 1234", NULL,
	       "[ADRES], [ADRES]");
	expect("RET Noord-Limburg 2024 in Venlo", NULL,
	       "RET Noord-Limburg 2024 in Venlo");
}

static void
test_phones(void **state)
{
	(void)state;
	expect("06-12345678, 06 12 34 56 78, +31 6 1234 5678", NULL,
	       "[TELEFOON], [TELEFOON], [TELEFOON]");
	expect("+31 (0)6 12345678 en 0031 6 12345678", NULL,
	       "[TELEFOON] en [TELEFOON]");
	expect("077-3541234, (043) 321 45 67, 0229-123456, 0800-1234", NULL,
	       "[TELEFOON], [TELEFOON], [TELEFOON], [TELEFOON]");
	/* Text pasted from a word processor: no-break spaces, en dashes. */
	expect("06\xe2\x80\x93" "12345678 en 06\xc2\xa0" "12\xc2\xa0" "34\xc2\xa0"
	       "56\xc2\xa0" "78", NULL, "[TELEFOON] en [TELEFOON]");
	expect("1621\xc2\xa0" "AB en 246\xc2\xa0" "813\xc2\xa0" "581", NULL,
	       "[POSTCODE] en [BSN]");
}

static void
test_email_url_iban(void **state)
{
	(void)state;
	expect("mail j.devries@example.co.uk of @jantje_92 of www.x.nl/a", NULL,
	       "mail [EMAIL] of [URL] of [URL]");
	expect("zie https://example.org/p?q=1.", NULL, "zie [URL].");
	expect("NL91ABNA0417164300 en NL91 ABNA 0417 1643 00", NULL,
	       "[IBAN] en [IBAN]");
	expect("BE68 5390 0754 7034 en DE89370400440532013000", NULL,
	       "[IBAN] en [IBAN]");
}

static void
test_record_names(void **state)
{
	const char *rec = "Jan de Vries|Sanne de Vries-Jansen|Emre Öztürk|Piet van den Berg";

	(void)state;
	expect("Jan en de Vries en De Vries en DE VRIES en Vries", rec,
	       "[NAAM] en [NAAM] en [NAAM] en [NAAM] en [NAAM]");
	expect("J. de Vries, JdV, de Vries, J. kwam", rec,
	       "[NAAM], [NAAM], [NAAM] kwam");
	expect("Jansen en Sanneke en Jans fiets en OZTURK", rec,
	       "[NAAM] en [NAAM] en [NAAM] fiets en [NAAM]");
	expect("v.d. Berg, vd Berg en Snane", rec, "[NAAM], [NAAM] en [NAAM]");
	/* Surname-first records, and a record without first name. */
	expect("Jan de Vries en de moeder", "de Vries, Jan", "[NAAM] en de moeder");
	expect("Jan de Vries en de moeder", "Vries, Jan de", "[NAAM] en de moeder");
	expect("de Vries en de moeder van het kind", "de Vries",
	       "[NAAM] en de moeder van het kind");
	/* Ordinary words that look like nothing in the record survive. */
	expect("De moeder van Jan woont in Venlo.", rec,
	       "De moeder van [NAAM] woont in Venlo.");
}

static void
test_titles_schools(void **state)
{
	(void)state;
	expect("mevrouw Jansen, mw. Jansen, dhr. Bakker, Dr. Smit", NULL,
	       "mevrouw [NAAM], mw. [NAAM], dhr. [NAAM], Dr. [NAAM]");
	expect("juf Fatima, oma Ans, pleegmoeder Anja Smit, moeder Yasmina", NULL,
	       "juf [NAAM], oma [NAAM], pleegmoeder [NAAM], moeder [NAAM]");
	expect("de moeder heeft OBS De Regenboog gebeld", NULL,
	       "de moeder heeft [SCHOOL] gebeld");
	expect("basisschool 't Palet en de basisschool in Hoorn", NULL,
	       "[SCHOOL] en de basisschool in Hoorn");
}

static void
test_refusals(void **state)
{
	struct scrub_report rep;
	char *out = NULL, *big;

	(void)state;
	assert_int_equal(privacy_scrub("a\xff" "b", 3, NULL, &out, &rep), -1);
	assert_int_equal(rep.refusal, SCRUB_REFUSE_BAD_UTF8);
	assert_int_equal(rep.offset, 1);
	assert_null(out);
	assert_int_equal(privacy_scrub("a\0b", 3, NULL, &out, &rep), -1);
	assert_int_equal(rep.refusal, SCRUB_REFUSE_CONTROL);
	big = malloc(SCRUB_MAX_TEXT + 1);
	assert_non_null(big);
	memset(big, 'a', SCRUB_MAX_TEXT + 1);
	assert_int_equal(privacy_scrub(big, SCRUB_MAX_TEXT + 1, NULL, &out, &rep), -1);
	assert_int_equal(rep.refusal, SCRUB_REFUSE_TOO_LONG);
	free(big);
	/* An e-mail address written around the @. */
	assert_int_equal(privacy_scrub("mail jan (at) gmail", 19, NULL, &out, &rep), -1);
	assert_int_equal(rep.refusal, SCRUB_REFUSE_RESIDUAL);
	assert_int_equal(rep.category, SCRUB_CAT_EMAIL);
	assert_int_equal(rep.offset, 9);
	assert_null(out);
	/* A Dutch IBAN with a bad checksum. */
	assert_int_equal(privacy_scrub("NL12ABNA0417164300", 18, NULL, &out, &rep), -1);
	assert_int_equal(rep.category, SCRUB_CAT_IBAN);
	assert_int_equal(privacy_scrub(NULL, 3, NULL, &out, &rep), -1);
	assert_int_equal(rep.refusal, SCRUB_REFUSE_INVALID);
	/* The empty text is fine. */
	assert_int_equal(privacy_scrub(NULL, 0, NULL, &out, &rep), 0);
	assert_string_equal(out, "");
	free(out);
}

static void
test_names_api(void **state)
{
	struct scrub_names *n = scrub_names_new();
	char longname[SCRUB_MAX_NAME_LEN + 2];
	int i;

	(void)state;
	assert_non_null(n);
	assert_int_equal(scrub_names_add(n, ""), -1);
	assert_int_equal(scrub_names_add(n, "   "), -1);
	assert_int_equal(scrub_names_add(n, "bad \xc3"), -1);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(scrub_names_add(n, longname), -1);
	assert_int_equal(scrub_names_add(n, "Jan de Vries"), 0);
	assert_int_equal(scrub_names_count(n), 1);
	for (i = 1; i < SCRUB_MAX_NAMES; i++)
		assert_int_equal(scrub_names_add(n, "Piet Jansen"), 0);
	assert_int_equal(scrub_names_add(n, "Kees Bakker"), -1);
	assert_int_equal(scrub_names_count(n), SCRUB_MAX_NAMES);
	scrub_names_destroy(&n);
	assert_null(n);
	scrub_names_destroy(&n);
	scrub_names_destroy(NULL);
	assert_string_equal(scrub_category_placeholder(SCRUB_CAT_NAAM), "[NAAM]");
	assert_string_equal(scrub_category_placeholder(SCRUB_CAT_COUNT), "");
	assert_string_equal(scrub_category_name(SCRUB_CAT_IBAN), "iban");
}

/* ------------------------------------------------------------------ */
/* The corpus.                                                          */

static char *
slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

static int
frag_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

static const char *const frag_stop[] = {
	"de", "van", "der", "den", "het", "ter", "ten", "jaar", "oud", "jarige",
	"postbus", "bis", "januari", "februari", "maart", "april", "mei", "juni",
	"juli", "augustus", "september", "oktober", "november", "december",
	"feb", "mrt", "apr", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
	"basisschool", "obs", "cbs", "rkbs", "sbo", "ikc", "bso", "kindcentrum",
	"zorgboerderij", "gezinshuis", "woongroep", "dagbesteding",
	"peuterspeelzaal", "het", "sint", NULL
};

/* Does the output contain fragment f (length n, lower case) as a whole
 * alphanumeric token, ignoring ASCII case? */
static int
out_has_token(const char *out, const char *f, size_t n)
{
	size_t i = 0, len = strlen(out);

	while (i < len) {
		size_t s;

		while (i < len && !frag_char((unsigned char)out[i]))
			i++;
		s = i;
		while (i < len && frag_char((unsigned char)out[i]))
			i++;
		if (i - s == n) {
			size_t k;

			for (k = 0; k < n; k++) {
				char c = out[s + k];

				if (c >= 'A' && c <= 'Z')
					c = (char)(c + 32);
				if (c != f[k])
					break;
			}
			if (k == n)
				return 1;
		}
	}
	return 0;
}

/* Check one marked datum against the output; returns 1 on a leak. */
static int
leaks(const char *datum, size_t dl, const char *out)
{
	size_t i = 0;

	while (i < dl) {
		char f[128];
		size_t s, n, k;
		int digits = 1, stop = 0;

		while (i < dl && !frag_char((unsigned char)datum[i]))
			i++;
		s = i;
		while (i < dl && frag_char((unsigned char)datum[i]))
			i++;
		n = i - s;
		if (n == 0 || n >= sizeof(f))
			continue;
		for (k = 0; k < n; k++) {
			char c = datum[s + k];

			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (c < '0' || c > '9')
				digits = 0;
			f[k] = c;
		}
		f[n] = '\0';
		for (k = 0; frag_stop[k] != NULL; k++)
			stop |= strcmp(frag_stop[k], f) == 0;
		if (stop || (digits && n < 2) || (!digits && n < 3))
			continue;
		if (out_has_token(out, f, n))
			return 1;
	}
	return 0;
}

static void
set_names(struct scrub_names **np, char *list)
{
	char *p = list;

	scrub_names_destroy(np);
	*np = scrub_names_new();
	assert_non_null(*np);
	while (*p != '\0') {
		char *bar = strchr(p, '|');

		if (bar != NULL)
			*bar = '\0';
		if (*p != '\0')
			assert_int_equal(scrub_names_add(*np, p), 0);
		if (bar == NULL)
			break;
		p = bar + 1;
	}
}

static unsigned
count_words(const char *s, unsigned *ret_placeholders)
{
	unsigned n = 0, ph = 0;
	size_t i = 0, len = strlen(s);

	while (i < len) {
		size_t st;
		int has_ph = 0;

		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len)
			break;
		st = i;
		while (i < len && s[i] != ' ' && s[i] != '\t') {
			if (s[i] == '[' && i + 1 < len && s[i + 1] >= 'A' && s[i + 1] <= 'Z')
				has_ph = 1;
			i++;
		}
		(void)st;
		n++;
		ph += (unsigned)has_ph;
	}
	if (ret_placeholders != NULL)
		*ret_placeholders = ph;
	return n;
}

struct corpus_stats {
	unsigned pii_lines, data, leaked, clean_lines, words, wrong, refuse_lines;
	unsigned unstable;
};

static void
run_corpus_file(const char *path, struct corpus_stats *st)
{
	size_t len = 0, pos = 0;
	char *buf = slurp(path, &len);
	struct scrub_names *names = NULL;
	unsigned lineno = 0;

	if (buf == NULL)
		fprintf(stderr, "cannot read %s\n", path);
	assert_non_null(buf);
	names = scrub_names_new();
	assert_non_null(names);
	while (pos < len) {
		char *line = buf + pos, *nl = strchr(line, '\n');
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		char text[4096], data[32][256];
		size_t dlen[32];
		unsigned nd = 0;
		size_t tl = 0, i;
		char *out = NULL;
		struct scrub_report rep;

		pos += ll + 1;
		lineno++;
		line[ll] = '\0';
		if (ll < 2 || line[0] == '#')
			continue;
		if (line[0] == 'N' && line[1] == ' ') {
			set_names(&names, line + 2);
			continue;
		}
		/* Strip the markers, remember the data. */
		for (i = 2; i < ll && tl + 1 < sizeof(text); i++) {
			if (line[i] == '{' && line[i + 1] == '{') {
				char *end = strstr(line + i + 2, "}}");
				size_t n;

				assert_non_null(end);
				n = (size_t)(end - (line + i + 2));
				assert_true(nd < 32 && n < sizeof(data[0]));
				memcpy(data[nd], line + i + 2, n);
				data[nd][n] = '\0';
				dlen[nd++] = n;
				assert_true(tl + n < sizeof(text));
				memcpy(text + tl, line + i + 2, n);
				tl += n;
				i = (size_t)(end - line) + 1;
				continue;
			}
			text[tl++] = line[i];
		}
		text[tl] = '\0';
		if (line[0] == 'R') {
			st->refuse_lines++;
			if (privacy_scrub(text, tl, names, &out, &rep) == 0) {
				fprintf(stderr, "%s:%u: not refused: %s\n", path, lineno, out);
				free(out);
				st->leaked++;
			}
			continue;
		}
		if (privacy_scrub(text, tl, names, &out, &rep) != 0) {
			fprintf(stderr, "%s:%u: refused (%d at %zu): %s\n", path, lineno,
				rep.refusal, rep.offset, text);
			st->leaked++;
			continue;
		}
		if (!privacy_scrub_is_stable(out, strlen(out), names)) {
			fprintf(stderr, "%s:%u: unstable: %s\n", path, lineno, out);
			st->unstable++;
		}
		if (line[0] == 'P') {
			st->pii_lines++;
			for (i = 0; i < nd; i++) {
				st->data++;
				if (leaks(data[i], dlen[i], out)) {
					fprintf(stderr, "%s:%u: LEAK {{%s}}: %s\n", path,
						lineno, data[i], out);
					st->leaked++;
				}
			}
		} else if (line[0] == 'C') {
			unsigned win = count_words(text, NULL), ph = 0;
			unsigned wout = count_words(out, &ph);
			unsigned kept = wout - ph;

			st->clean_lines++;
			st->words += win;
			if (kept < win) {
				st->wrong += win - kept;
				fprintf(stderr, "%s:%u: over-redacted: %s\n", path, lineno, out);
			}
		}
		free(out);
	}
	scrub_names_destroy(&names);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Property: random fake data in random frames never survives.          */

static uint32_t
lcg(uint32_t *st)
{
	*st = *st * 1103515245u + 12345u;
	return (*st >> 8) & 0xFFFFFF;
}

static void
rand_digits(uint32_t *st, char *out, int n)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = (char)('0' + lcg(st) % 10);
	out[n] = '\0';
}

static void
rand_bsn(uint32_t *st, char *out)
{
	for (;;) {
		int sum = 0, k;

		rand_digits(st, out, 8);
		if (out[0] == '0')
			continue;
		for (k = 0; k < 8; k++)
			sum += (out[k] - '0') * (9 - k);
		if (sum % 11 == 10)
			continue;
		out[8] = (char)('0' + sum % 11);
		out[9] = '\0';
		return;
	}
}

static void
rand_iban(uint32_t *st, char *out)
{
	static const char *const banks[] = { "ABNA", "RABO", "INGB", "TRIO" };
	char bban[15], num[64];
	unsigned r = 0;
	size_t k, n = 0;

	snprintf(bban, sizeof(bban), "%s", banks[lcg(st) % 4]);
	rand_digits(st, bban + 4, 10);
	/* BBAN + "NL00", letters as numbers, mod 97. */
	for (k = 0; k < 14 + 4; k++) {
		char c = k < 14 ? bban[k] : "NL00"[k - 14];

		if (c >= 'A' && c <= 'Z')
			n += (size_t)snprintf(num + n, sizeof(num) - n, "%d", c - 'A' + 10);
		else
			num[n++] = c;
	}
	for (k = 0; k < n; k++)
		r = (r * 10 + (unsigned)(num[k] - '0')) % 97;
	snprintf(out, 32, "NL%02u%s", 98 - r, bban);
}

static void
test_property_random(void **state)
{
	static const char *const people[] = {
		"Sanne de Vries", "Mohammed El Amrani", "Emre Öztürk",
		"Piet van den Berg", "Lotte Dijkstra", "Noor Bakker-Janssen",
		"Yasmina Bouzid", "Thijs Kuijpers", "Inés García", "Bram Coenen"
	};
	static const char *const months[] = {
		"januari", "februari", "maart", "april", "mei", "juni", "juli",
		"augustus", "september", "oktober", "november", "december"
	};
	uint32_t st = 20261123;
	int it;

	(void)state;
	for (it = 0; it < 2000; it++) {
		struct scrub_names *n = scrub_names_new();
		const char *person = people[lcg(&st) % 10];
		char first[64], last[64], bsn[16], iban[40], phone[40], pc[16];
		char date[48], text[1024], d8[16], *out = NULL;
		const char *sp = strrchr(person, ' ');
		size_t k;
		const char *data[7];

		assert_non_null(n);
		assert_int_equal(scrub_names_add(n, person), 0);
		snprintf(first, sizeof(first), "%.*s", (int)(strchr(person, ' ') - person), person);
		snprintf(last, sizeof(last), "%s", sp + 1);
		/* Random case for the surname. */
		if (lcg(&st) % 2) {
			for (k = 0; last[k] != '\0'; k++) {
				if (last[k] >= 'a' && last[k] <= 'z')
					last[k] = (char)(last[k] - 32);
			}
		}
		rand_bsn(&st, bsn);
		if (lcg(&st) % 2) {
			char t[16];

			snprintf(t, sizeof(t), "%.3s %.3s %.3s", bsn, bsn + 3, bsn + 6);
			snprintf(bsn, sizeof(bsn), "%s", t);
		}
		rand_iban(&st, iban);
		rand_digits(&st, d8, 8);
		switch (lcg(&st) % 4) {
		case 0: snprintf(phone, sizeof(phone), "06-%s", d8); break;
		case 1: snprintf(phone, sizeof(phone), "+31 (0)6 %s", d8); break;
		case 2: snprintf(phone, sizeof(phone), "0031 6 %.4s %.4s", d8, d8 + 4); break;
		default: snprintf(phone, sizeof(phone), "077-%.7s", d8); break;
		}
		snprintf(pc, sizeof(pc), "%u%c%c%c", 1000 + lcg(&st) % 8999,
			 lcg(&st) % 2 ? ' ' : '-', 'a' + (int)(lcg(&st) % 26),
			 'A' + (int)(lcg(&st) % 26));
		if (lcg(&st) % 2)
			snprintf(date, sizeof(date), "%u %s %u", 1 + lcg(&st) % 28,
				 months[lcg(&st) % 12], 2000 + lcg(&st) % 25);
		else
			snprintf(date, sizeof(date), "%02u-%02u-%u", 1 + lcg(&st) % 28,
				 1 + lcg(&st) % 12, 2000 + lcg(&st) % 25);
		snprintf(text, sizeof(text),
			 "Overleg over %s: %s (BSN %s), geboren %s, woont op "
			 "Molenweg %u, %s Hoorn; bel %s of stort op %s.",
			 first, last, bsn, date, 1 + lcg(&st) % 200, pc, phone, iban);
		data[0] = first; data[1] = last; data[2] = bsn; data[3] = date;
		data[4] = pc; data[5] = phone; data[6] = iban;
		assert_int_equal(privacy_scrub(text, strlen(text), n, &out, NULL), 0);
		for (k = 0; k < 7; k++) {
			if (leaks(data[k], strlen(data[k]), out))
				fprintf(stderr, "leak of %s in: %s\n", data[k], out);
			assert_false(leaks(data[k], strlen(data[k]), out));
		}
		free(out);
		scrub_names_destroy(&n);
	}
}

static void
test_corpus(void **state)
{
	const char *src = getenv("RET_SOURCE_DIR");
	static const char *const files[] = { "pii.txt", "handwritten.txt",
					     "clean.txt", "refuse.txt" };
	struct corpus_stats st;
	char path[4096];
	size_t f;
	double rate;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_non_null(src);
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		snprintf(path, sizeof(path), "%s/tests/privacy/%s", src, files[f]);
		run_corpus_file(path, &st);
	}
	rate = st.words > 0 ? 100.0 * st.wrong / st.words : 0;
	printf("corpus: %u sentences with %u marked data, %u leaked/refused; "
	       "%u refusal cases; %u clean sentences, %u words, %u wrongly "
	       "redacted (%.2f%%); %u unstable\n",
	       st.pii_lines, st.data, st.leaked, st.refuse_lines, st.clean_lines,
	       st.words, st.wrong, rate, st.unstable);
	assert_true(st.pii_lines >= 300);
	assert_true(st.clean_lines >= 100);
	assert_int_equal(st.leaked, 0);
	assert_int_equal(st.unstable, 0);
	assert_true(rate < 3.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bsn_forms),
		cmocka_unit_test(test_dates_and_ages),
		cmocka_unit_test(test_postcode_address),
		cmocka_unit_test(test_phones),
		cmocka_unit_test(test_email_url_iban),
		cmocka_unit_test(test_record_names),
		cmocka_unit_test(test_titles_schools),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_names_api),
		cmocka_unit_test(test_property_random),
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
