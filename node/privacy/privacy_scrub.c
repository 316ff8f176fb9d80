/*
 * privacy_scrub: a rule-based Dutch de-identifier. See privacy_scrub.h and
 * docs/scrubber.md.
 *
 * How it works: the text is validated (length, UTF-8, control characters),
 * cut into tokens (words, digit runs, whitespace, punctuation, existing
 * placeholders), and every word is folded once (lower case, diacritics
 * removed, ij -> y, apostrophes dropped). Detectors then walk the token list
 * and mark byte ranges with a category; a byte keeps the first category that
 * marks it, so the order of the detectors is their priority. Every detector
 * looks at most a small fixed number of tokens ahead or behind, so the work
 * per byte is bounded. Finally the output is written with every marked run
 * replaced by its placeholder.
 */
#include "privacy_scrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Word lists. All entries are folded (lower case ASCII, ij -> y).      */

static const char *const tussen_words[] = {
	"van", "de", "der", "den", "het", "t", "ten", "ter", "te", "vd",
	"vander", "vanden", "vanderde", "in", "op", "aan", "la", "le", "du",
	"da", "di", "el", "al", "von", "zu", "dos", "das", "del", "ben", "bin",
	"abu", "ibn", "v", NULL
};

/* Particles that may stand inside a street or school name. */
static const char *const name_glue[] = {
	"van", "de", "der", "den", "het", "t", "ten", "ter", "te", "la", "le",
	NULL
};

/* Particles a surname may carry in front in running text. */
static const char *const back_particles[] = {
	"van", "de", "der", "den", "het", "t", "ten", "ter", "te", "vd", "von",
	"el", "da", "di", "du", "dos", "del", "la", "le", "v", "d", "vander",
	"vanden", NULL
};

static const char *const month_full[] = {
	"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december", NULL
};

static const char *const month_abbr[] = {
	"jan", "feb", "febr", "mrt", "mar", "maa", "apr", "jun", "jul", "aug",
	"sep", "sept", "okt", "oct", "nov", "dec", NULL
};

/* Words before a day-month without a year that make it a date. */
static const char *const date_cues[] = {
	"op", "sinds", "vanaf", "per", "tot", "dd", "datum", "geboren", "d",
	"voor", "na", "uiterlyk", NULL
};

static const char *const number_words[] = {
	"een", "twee", "drie", "vier", "vyf", "zes", "zeven", "acht", "negen",
	"tien", "elf", "twaalf", "dertien", "veertien", "vyftien", "zestien",
	"zeventien", "achttien", "negentien", "twintig", "dertig", "veertig",
	"vyftig", "zestig", "zeventig", "tachtig", "negentig", "honderd", NULL
};

/* People nouns: "een meisje van 14" gives an exact age. */
static const char *const person_nouns[] = {
	"jongen", "meisje", "kind", "zoon", "dochter", "man", "vrouw", "baby",
	"peuter", "kleuter", "puber", "tiener", "jongere", "jongeman",
	"jongedame", "broer", "zus", "broertje", "zusje", "moeder", "vader",
	"client", "clienten", "dame", "heer", "meid", "knul", "leerling",
	"pleegkind", "dochtertje", "zoontje", NULL
};

/* Before "N jaar": these make it a duration, not an age. */
static const char *const duration_cues[] = {
	"afgelopen", "laatste", "binnen", "gedurende", "duurt", "looptyd",
	"per", "komende", "eerstvolgende", NULL
};

static const char *const number_keys[] = {
	"clientnummer", "clientnr", "dossiernummer", "dossiernr",
	"registratienummer", "registratienr", "zaaknummer", "zaaknr",
	"kenmerk", "agb", "agbcode", "bsn", "burgerservicenummer",
	"klantnummer", "polisnummer", "patientnummer", "relatienummer",
	"referentie", "referentienummer", "nummer", "nr", "lidnummer",
	"studentnummer", "leerlingnummer", "dossier", "casusnummer",
	"verzekerdennummer", "code", "id", "sofinummer", "documentnummer",
	"paspoortnummer", "kentekennummer", "kenteken", NULL
};

/* Titles and roles: the next capitalised words are a person's name. The
 * strict ones are also followed by a lower-case name. */
static const char *const titles_strict[] = {
	"mevrouw", "mevr", "mw", "mvr", "mej", "mejuffrouw", "meneer",
	"mynheer", "dhr", "heer", "dr", "drs", "mr", "ir", "prof", "ing",
	"juf", "juffrouw", "meester", "zr", "ds", "pastoor", NULL
};

/* Titles written with a dot after them. */
static const char *const titles_dotted[] = {
	"mevr", "mw", "mvr", "mej", "dhr", "dr", "drs", "mr", "ir", "prof",
	"ing", "zr", "ds", "fam", NULL
};

static const char *const titles_role[] = {
	"oma", "opa", "tante", "oom", "moeder", "vader", "mama", "papa", "mam",
	"pap", "pleegmoeder", "pleegvader", "pleegouder", "pleegouders",
	"stiefmoeder", "stiefvader", "broer", "zus", "zuster", "broertje",
	"zusje", "zoon", "dochter", "neef", "nicht", "buurvrouw", "buurman",
	"vriend", "vriendin", "vriendje", "vriendinnetje", "mentor",
	"gezinsvoogd", "jeugdbeschermer", "huisarts", "collega", "familie",
	"fam", "gezin", "baby", "kleinzoon", "kleindochter", "partner",
	"echtgenoot", "echtgenote", "grootmoeder", "grootvader", "client",
	"jeugdige", "leerling", "stiefzus", "stiefbroer", "halfzus",
	"halfbroer", "pleegzus", "pleegbroer", "ex", "ex-partner", "vriendinnen",
	"overgrootmoeder", "overgrootvader", "kind", "tweeling", "dochtertje",
	"zoontje", "behandelaar", "psychiater", "psycholoog", "wykagent",
	"casusregisseur", "jeugdconsulent", "consulent", "begeleider",
	"begeleidster", "ambulant", "leerkracht", "docent", "directeur",
	"intern", "ib'er", "iber", "coach", "voogd", "heet", "genaamd", "naam",
	"roepnaam", "voornaam", "achternaam", "bynaam", "alias",
	"meisjesnaam", "geboortenaam", NULL
};

static const char *const school_triggers[] = {
	"basisschool", "school", "obs", "cbs", "rkbs", "pcbs", "sbo", "so",
	"vso", "bs", "ikc", "kindcentrum", "kinderdagverblyf", "kdv", "bso",
	"peuterspeelzaal", "psz", "kinderopvang", "zorgboerdery", "gezinshuis",
	"woongroep", "leefgroep", "dagbesteding", "montessorischool",
	"daltonschool", "jenaplanschool", "vryeschool", "vryeschool",
	"speciaalschool", "praktykschool", "lyceum", "college", "mavo", "havo",
	"vmbo", "atheneum", "gymnasium", "scholengemeenschap", "opvang",
	"peutergroep", "kinderboerdery", "naschoolse", "logeerhuis",
	"crisisopvang", "behandelgroep", "internaat", "kamertraining", NULL
};

/* Type words ending in "school"/"college" that name no institution. */
static const char *const school_types[] = {
	"basisschool", "montessorischool", "daltonschool", "jenaplanschool",
	"vryeschool", "speciaalschool", "praktykschool", "school",
	"middelbareschool", "dagschool", "zomerschool", "taalschool",
	"hogeschool", "college", "lyceum", "zorgschool", "ryschool",
	"ryschool", "sbo-school", "cluster4school", "kunstschool",
	"muziekschool", "avondschool", "schoolstraat", NULL
};

/* Street name endings. The strong ones also count in lower case
 * (kerkstraat 12); the others only in a capitalised word (Molenhof 3). */
static const char *const street_suffixes_strong[] = {
	"straat", "laan", "weg", "plein", "gracht", "singel", "kade", "dyk",
	"steeg", "dreef", "straatje", "pleintje", "boulevard", "allee",
	"plantsoen", "promenade", NULL
};

static const char *const street_suffixes[] = {
	"straat", "laan", "weg", "plein", "gracht", "singel", "kade", "dyk",
	"steeg", "pad", "dreef", "hof", "park", "markt", "baan", "wal",
	"haven", "erf", "veld", "straatje", "pleintje", "kamp", "boulevard",
	"allee", "promenade", "hoven", "akker", "weide", "plantsoen", "poort",
	"hoek", "dal", "donk", "heide", "broek", "beemd", "hoeve", "gaarde",
	"stede", "dries", "kwartier", "berg", NULL
};

static const char *const street_words[] = {
	"laan", "straat", "weg", "plein", "kade", "dyk", "singel", "markt",
	"oost", "west", "noord", "zuid", "hof", "dreef", "pad", "boulevard",
	"gracht", "steeg", "wal", "ring", "erf", "voorstraat", "dorpsstraat",
	NULL
};

/* Places and regions: never a street or a person on their own. */
static const char *const place_words[] = {
	"venlo", "roermond", "weert", "maastricht", "heerlen", "sittard",
	"geleen", "kerkrade", "hoorn", "enkhuizen", "medemblik", "venray",
	"gennep", "horst", "peel", "maas", "limburg", "westfriesland",
	"nederland", "amsterdam", "rotterdam", "utrecht", "haag", "eindhoven",
	"nymegen", "echt", "susteren", "beesel", "bergen", "stede", "broec",
	"drechterland", "koggenland", "opmeer", "schagen", "alkmaar",
	"landgraaf", "brunssum", "valkenburg", "meerssen", "vaals", "gulpen",
	"wittem", "eysden", "eysden", "margraten", "stein", "beek",
	"voerendaal", "simpelveld", "nuth", "beekdaelen", "leudal", "nederweert",
	"maasgouw", "roerdalen", "peel", "bergen", "mook", "middelaar",
	"venlo-zuid", "heuvelland", "parkstad", "westland", "friesland",
	"groningen", "zeeland", "brabant", "holland", "belgie", "duitsland",
	"europa", "noord-limburg", "midden-limburg", "zuid-limburg",
	"noord-holland", "blerick", "tegelen", "baarlo", "arcen", "helden",
	"panningen", "swalmen", "haelen", "heythuysen", "grubbenvorst",
	"zwaag", "wognum", "andyk", "hem", "venhuizen", "nibbixwoud",
	"kerkrade-west", "hoensbroek", "schinveld", "born", NULL
};

/* Frequent Dutch words of four letters or more that a one-letter typo of
 * a name could hit, and words that never start a name. */
static const char *const common_words[] = {
	"daar", "maar", "naar", "voor", "waar", "haar", "hare", "deze", "door",
	"over", "want", "toen", "niet", "geen", "meer", "veel", "goed", "jaar",
	"week", "weken", "thuis", "ouders", "moeder", "vader", "kind",
	"kinderen", "gezin", "school", "hulp", "zorg", "team", "plan", "heeft",
	"hebben", "wordt", "werd", "zyn", "zyn", "kunnen", "moet", "moeten",
	"gaat", "gaan", "komt", "komen", "zegt", "vindt", "geeft", "krygt",
	"kreeg", "maakt", "maken", "doet", "doen", "wilde", "willen", "zou",
	"zouden", "alle", "ook", "nog", "wel", "als", "dan", "dat", "die",
	"dit", "is", "was", "en", "of", "in", "op", "aan", "met", "by", "uit",
	"om", "te", "tot", "na", "er", "ze", "zy", "hy", "het", "we", "wy",
	"je", "jy", "u", "ik", "my", "me", "hem", "hun", "hen", "ons", "onze",
	"myn", "myn", "jouw", "uw", "al", "nu", "zo", "de", "een", "van",
	"zich", "ieder", "elke", "iedere", "samen", "ander", "andere", "tyd",
	"even", "weer", "steeds", "vaak", "soms", "nooit", "altyd", "altyd",
	"byna", "byna", "echt", "heel", "erg", "zeer", "ruim", "sinds", "vanaf",
	"tussen", "onder", "boven", "zonder", "tegen", "langs", "binnen",
	"buiten", "omdat", "terwyl", "zodat", "nadat", "voordat", "hoewel",
	"welke", "wie", "wat", "hoe", "wanneer", "waarom", "dagen", "maand",
	"maanden", "uren", "kosten", "geld", "werk", "huis", "huize", "plek",
	"plaats", "hand", "land", "stad", "dorp", "regio", "vraag", "vragen",
	"antwoord", "advies", "besluit", "overleg", "casus", "melding", "zaak",
	"vast", "mee", "heen", "terug", "verder", "eerst", "later", "daarna",
	"ouder", "jonge", "jongen", "meisje", "zoon", "dochter", "broer",
	"zus", "opa", "oma", "tante", "oom", "mama", "papa", "mensen", "mens",
	"leven", "lang", "kort", "kans", "keer", "rust", "ruzie", "angst",
	"boos", "bly", "bang", "moe", "ziek", "beter", "slecht", "kwam",
	"ging", "zien", "zag", "laat", "gaf", "nam", "neemt", "weet", "weten",
	"denkt", "kent", "houdt", "helpt", "hielp", "staat", "stond", "ligt",
	"zit", "zat", "loopt", "liep", "blyft", "bleef", "lykt", "lykt",
	"past", "passen", "passend", "passende", "nodig", "mogelyk", "samen",
	"allen", "alles", "iets", "niets", "niemand", "iemand", "ieder",
	"eigen", "hele", "helemaal", "groot", "grote", "klein", "kleine",
	"nieuw", "nieuwe", "oude", "eerste", "tweede", "derde", "laatste",
	"volgende", "vorige", "hoog", "hoge", "laag", "lage", "snel", "traag",
	"zwaar", "licht", "vanuit", "richting", "rond", "rondom", "mark",
	"markt", "lieve",
	"graag", "liefst", "verslag", "gesprek", "gesprekken", "afspraak",
	"afspraken", "doel", "doelen", "stap", "stappen", "fase", "groep",
	"klas", "les", "lessen", "jeugd", "jeugdhulp", "jeugdzorg", "wonen",
	"woont", "woning", "kamer", "bed", "eten", "slapen", "spelen", "leren",
	"praten", "lopen", "fiets", "auto", "bus", "trein", "regie", "vorm",
	"vormen", "bieden", "biedt", "zoeken", "zoekt", "vinden", "vond",
	"schuld", "schulden", "budget", "zeker", "onzeker", "veilig",
	"veiligheid", "onveilig", "thuiszitter", "traject", "trajecten",
	"aanbod", "aanpak", "wachtlyst", "wachtlyst", "indicatie", "gemeente",
	"gemeenten", "wykteam", "wyk", "wyk", "buurt", "heer", "vrouw",
	"mannen", "vrouwen", "dame", "dames", "heren", "baby", "peuter",
	"puber", "tiener", NULL
};

static int
in_list(const char *const *list, const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; list[i] != NULL; i++) {
		if (list[i][0] == s[0] && strlen(list[i]) == n &&
		    memcmp(list[i], s, n) == 0)
			return 1;
	}
	return 0;
}

static int
ends_with_any(const char *const *list, const char *s, size_t n,
	      size_t min_stem)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		size_t l = strlen(list[i]);

		if (n >= l + min_stem && memcmp(s + n - l, list[i], l) == 0)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* UTF-8 and folding.                                                   */

/* Decode one code point from a valid-or-not buffer. Returns its length in
 * bytes (1..4) and sets *cp, or 0 when the bytes are not well-formed. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t l, i;

	if (n == 0)
		return 0;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		l = 2;
		c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		l = 3;
		c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		l = 4;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < l)
		return 0;
	for (i = 1; i < l; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if ((l == 3 && c < 0x800) || (l == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return l;
}

static int
cp_is_space(uint32_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 ||
	       (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
	       c == 0x3000 || c == 0xFEFF;
}

static int
cp_is_letter(uint32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	if (c < 0xC0 || c == 0xD7 || c == 0xF7)
		return 0;
	if ((c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xE000 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE0F) ||
	    c == 0xFEFF || (c >= 0xFF00 && c <= 0xFF0F) ||
	    (c >= 0x1F000 && c <= 0x1FAFF))
		return 0;
	return 1;
}

static int
cp_is_upper(uint32_t c)
{
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	if (c >= 0xC0 && c <= 0xDE)
		return c != 0xD7;
	if (c >= 0x100 && c <= 0x137)
		return (c & 1) == 0;
	if (c >= 0x139 && c <= 0x148)
		return (c & 1) == 1;
	if (c >= 0x14A && c <= 0x177)
		return (c & 1) == 0;
	if (c >= 0x391 && c <= 0x3A9)
		return 1;
	if (c >= 0x410 && c <= 0x42F)
		return 1;
	return 0;
}

/* The ASCII folding of a Latin letter with a diacritic, or NULL. */
static const char *
cp_fold(uint32_t c)
{
	static const char *const latin1[64] = {
		"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
		"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
		"o", "u", "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a",
		"a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
		"d", "n", "o", "o", "o", "o", "o", NULL, "o", "u", "u", "u",
		"u", "y", "th", "y"
	};
	static const char ext_a[] =
		"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii**jjkkklllllll"
		"lllnnnnnnnnnoooooo**rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";

	if (c >= 0xC0 && c <= 0xFF)
		return latin1[c - 0xC0];
	if (c == 0x132 || c == 0x133)
		return "y";
	if (c == 0x152 || c == 0x153)
		return "oe";
	if (c >= 0x100 && c <= 0x17F && c - 0x100 < sizeof(ext_a) - 1) {
		size_t k = c - 0x100;

		switch (ext_a[k]) {
		case 'a': return "a";
		case 'c': return "c";
		case 'd': return "d";
		case 'e': return "e";
		case 'g': return "g";
		case 'h': return "h";
		case 'i': return "i";
		case 'j': return "j";
		case 'k': return "k";
		case 'l': return "l";
		case 'n': return "n";
		case 'o': return "o";
		case 'r': return "r";
		case 's': return "s";
		case 't': return "t";
		case 'u': return "u";
		case 'w': return "w";
		case 'y': return "y";
		case 'z': return "z";
		default: return NULL;
		}
	}
	if (c == 0x18F || c == 0x259)
		return "e";
	if (c == 0x218 || c == 0x219)
		return "s";
	if (c == 0x21A || c == 0x21B)
		return "t";
	return NULL;
}

/*
 * Fold n bytes of well-formed UTF-8 into out (capacity cap): ASCII lower
 * case, diacritics removed, combining marks and apostrophes dropped, ij and
 * the ij ligature become y; other code points are copied unchanged.
 * Returns the folded length, or (size_t)-1 when cap is too small.
 */
static size_t
fold_text(const char *s, size_t n, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	while (i < n) {
		uint32_t c;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &c);
		const char *f;
		char one[2];

		if (l == 0)
			return (size_t)-1;
		if (c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x60 ||
		    c == 0xB4 || (c >= 0x300 && c <= 0x36F)) {
			i += l;
			continue;
		}
		if (c < 0x80) {
			one[0] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
			one[1] = '\0';
			f = one;
		} else {
			f = cp_fold(c);
		}
		if (f != NULL) {
			size_t fl = strlen(f);

			if (o + fl > cap)
				return (size_t)-1;
			memcpy(out + o, f, fl);
			o += fl;
		} else {
			if (o + l > cap)
				return (size_t)-1;
			memcpy(out + o, s + i, l);
			o += l;
		}
		i += l;
	}
	/* ij -> y, in place; the result is never longer. */
	{
		size_t r, w = 0;

		for (r = 0; r < o; r++) {
			if (out[r] == 'i' && r + 1 < o && out[r + 1] == 'j') {
				out[w++] = 'y';
				r++;
			} else {
				out[w++] = out[r];
			}
		}
		o = w;
	}
	return o;
}

/* ------------------------------------------------------------------ */
/* Names.                                                               */

#define PART_MAX 48
#define PARTS_PER_NAME 8
#define ACRO_MAX 12

enum part_kind { PART_FIRST = 1, PART_SUR = 2 };

struct name_part {
	char f[PART_MAX];
	unsigned char len;
	unsigned char kind;
	unsigned char particle; /* the recorded surname has a tussenvoegsel */
};

struct scrub_names {
	size_t count;
	size_t nparts;
	struct name_part parts[SCRUB_MAX_NAMES * PARTS_PER_NAME];
	size_t nacro;
	char acro[SCRUB_MAX_NAMES * 2][ACRO_MAX];
};

/*
 * Create an empty names list. Returns NULL when out of memory.
 */
struct scrub_names *
scrub_names_new(void)
{
	return calloc(1, sizeof(struct scrub_names));
}

/*
 * Free a names list; accepts NULL, nulls the caller's pointer.
 */
void
scrub_names_destroy(struct scrub_names **np)
{
	if (np == NULL || *np == NULL)
		return;
	free(*np);
	*np = NULL;
}

/*
 * The number of names added.
 */
size_t
scrub_names_count(const struct scrub_names *n)
{
	return n == NULL ? 0 : n->count;
}

static int
utf8_valid_at(const char *s, size_t n, size_t *bad)
{
	size_t i = 0;

	while (i < n) {
		uint32_t c;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &c);

		if (l == 0) {
			if (bad != NULL)
				*bad = i;
			return 0;
		}
		i += l;
	}
	return 1;
}

/*
 * Add a name in "first names [particles] surname" order: split it on white
 * space into words; words before the first particle (or all but the last
 * when there is none) are first names, the rest after the particles is the
 * surname, split on hyphens into parts.
 */
static int
names_add_ordered(struct scrub_names *n, const char *full_name)
{
	struct name_part tmp[PARTS_PER_NAME];
	size_t ntmp = 0, len, i, nwords = 0;
	size_t ws[16], we[16];
	char acro1[ACRO_MAX], acro2[ACRO_MAX];
	size_t a1 = 0, a2 = 0;
	int first_tussen = -1, have_letter = 0;

	if (n == NULL || full_name == NULL)
		return -1;
	memset(tmp, 0, sizeof(tmp));
	len = strlen(full_name);
	if (len == 0 || len > SCRUB_MAX_NAME_LEN || n->count >= SCRUB_MAX_NAMES)
		return -1;
	if (!utf8_valid_at(full_name, len, NULL))
		return -1;
	/* Split into words on spaces and commas. */
	i = 0;
	while (i < len) {
		while (i < len && (full_name[i] == ' ' || full_name[i] == '\t' ||
				   full_name[i] == ','))
			i++;
		if (i >= len)
			break;
		if (nwords == 16)
			return -1;
		ws[nwords] = i;
		while (i < len && full_name[i] != ' ' && full_name[i] != '\t' &&
		       full_name[i] != ',')
			i++;
		we[nwords] = i;
		nwords++;
	}
	if (nwords == 0)
		return -1;
	/* Find the particles. */
	for (i = 0; i < nwords; i++) {
		char f[PART_MAX];
		size_t fl = fold_text(full_name + ws[i], we[i] - ws[i], f,
				      sizeof(f));

		if (fl == (size_t)-1)
			return -1;
		if (i + 1 < nwords && first_tussen < 0 &&
		    ((i > 0 && in_list(tussen_words, f, fl)) ||
		     (i == 0 && in_list(back_particles, f, fl))))
			first_tussen = (int)i;
	}
	for (i = 0; i < nwords; i++) {
		int sur;
		size_t p, s;

		if (first_tussen >= 0)
			sur = (int)i >= first_tussen;
		else
			sur = i + 1 == nwords;
		/* Split the word on hyphens and dots (double names, initials). */
		p = ws[i];
		while (p < we[i]) {
			char f[PART_MAX];
			size_t fl;

			s = p;
			while (p < we[i] && full_name[p] != '-' &&
			       full_name[p] != '.')
				p++;
			if (p > s) {
				fl = fold_text(full_name + s, p - s, f, sizeof(f));
				if (fl == (size_t)-1)
					return -1;
				if (fl > 0 && (unsigned char)f[0] >= 'a' &&
				    (unsigned char)f[0] <= 'z') {
					if (a1 + 1 < ACRO_MAX &&
					    !(sur && in_list(tussen_words, f, fl))) {
						acro1[a1++] = f[0];
						if (a2 + 1 < ACRO_MAX)
							acro2[a2++] = f[0];
					} else if (sur && a1 + 1 < ACRO_MAX) {
						acro1[a1++] = f[0];
					}
				}
				if (fl > 0)
					have_letter = 1;
				if (fl > 1 && !in_list(back_particles, f, fl) &&
				    !(sur && in_list(tussen_words, f, fl))) {
					if (ntmp == PARTS_PER_NAME)
						return -1;
					memcpy(tmp[ntmp].f, f, fl);
					tmp[ntmp].len = (unsigned char)fl;
					tmp[ntmp].kind = sur ? PART_SUR : PART_FIRST;
					tmp[ntmp].particle = first_tussen >= 0;
					ntmp++;
				}
			}
			if (p < we[i])
				p++;
		}
	}
	if (!have_letter || ntmp == 0)
		return -1;
	if (n->nparts + ntmp > sizeof(n->parts) / sizeof(n->parts[0]))
		return -1;
	memcpy(n->parts + n->nparts, tmp, ntmp * sizeof(tmp[0]));
	n->nparts += ntmp;
	if (a1 >= 2) {
		memcpy(n->acro[n->nacro], acro1, a1);
		n->acro[n->nacro][a1] = '\0';
		n->nacro++;
	}
	if (a2 >= 2 && (a2 != a1 || memcmp(acro1, acro2, a1) != 0)) {
		memcpy(n->acro[n->nacro], acro2, a2);
		n->acro[n->nacro][a2] = '\0';
		n->nacro++;
	}
	n->count++;
	return 0;
}

/*
 * Add one recorded name. "Jan de Vries" is taken as written; a name with a
 * comma is surname first ("de Vries, Jan", "Vries, Jan de") and is put in
 * order before it is split. See privacy_scrub.h.
 */
int
scrub_names_add(struct scrub_names *n, const char *full_name)
{
	char buf[SCRUB_MAX_NAME_LEN + 8];
	const char *comma;
	size_t len, k, o = 0, fe;

	if (n == NULL || full_name == NULL)
		return -1;
	len = strlen(full_name);
	if (len == 0 || len > SCRUB_MAX_NAME_LEN)
		return -1;
	comma = memchr(full_name, ',', len);
	if (comma == NULL)
		return names_add_ordered(n, full_name);
	/* After the comma: first names, then trailing particles. Find where
	 * the trailing particles start. */
	k = (size_t)(comma - full_name) + 1;
	fe = len;
	{
		size_t p = len;

		for (;;) {
			size_t we2 = p, ws2;
			char f[PART_MAX];
			size_t fl;

			while (we2 > k && (full_name[we2 - 1] == ' ' ||
					   full_name[we2 - 1] == ','))
				we2--;
			ws2 = we2;
			while (ws2 > k && full_name[ws2 - 1] != ' ' &&
			       full_name[ws2 - 1] != ',')
				ws2--;
			if (ws2 == we2)
				break;
			fl = fold_text(full_name + ws2, we2 - ws2, f, sizeof(f));
			if (fl == (size_t)-1 || !in_list(back_particles, f, fl))
				break;
			fe = ws2;
			p = ws2;
		}
	}
	/* first names, particles, the part before the comma */
	if (fe > k) {
		memcpy(buf + o, full_name + k, fe - k);
		o += fe - k;
	}
	buf[o++] = ' ';
	if (len > fe) {
		memcpy(buf + o, full_name + fe, len - fe);
		o += len - fe;
		buf[o++] = ' ';
	}
	memcpy(buf + o, full_name, (size_t)(comma - full_name));
	o += (size_t)(comma - full_name);
	buf[o] = '\0';
	for (k = 0; k < o; k++) {
		if (buf[k] == ',')
			buf[k] = ' ';
	}
	return names_add_ordered(n, buf);
}

/* ------------------------------------------------------------------ */
/* Tokens.                                                              */

enum tok_type { T_WORD = 1, T_NUM, T_SPACE, T_PUNCT, T_PH };

#define F_CAP 1   /* first letter upper case */
#define F_UPPER 2 /* every letter upper case */
#define F_NL 4    /* white space holding a line break */
#define F_ASCII 8 /* only ASCII bytes */
#define F_ONESP 16 /* white space of exactly one space (or no-break space) */

struct tok {
	uint32_t s, e;   /* byte range in the text */
	uint32_t fs;     /* folded form: offset in the fold buffer */
	uint16_t fl;     /* folded length */
	uint8_t type;
	uint8_t flags;
	uint32_t cp;     /* the code point, for T_PUNCT */
};

struct scan {
	const char *t;
	size_t len;
	struct tok *tk;
	size_t ntk;
	char *fold;
	uint8_t *mk;
	const struct scrub_names *names;
	struct scrub_report *rep;
	int refused;
};

static const char *const placeholders[SCRUB_CAT_COUNT] = {
	"", "[NAAM]", "[BSN]", "[DATUM]", "[LEEFTIJD]", "[POSTCODE]",
	"[ADRES]", "[TELEFOON]", "[EMAIL]", "[IBAN]", "[NUMMER]", "[URL]",
	"[SCHOOL]"
};

static const char *const cat_names[SCRUB_CAT_COUNT] = {
	"none", "naam", "bsn", "datum", "leeftijd", "postcode", "adres",
	"telefoon", "email", "iban", "nummer", "url", "school"
};

/*
 * The placeholder text of a category, "" when out of range.
 */
const char *
scrub_category_placeholder(enum scrub_category c)
{
	if ((int)c <= 0 || (int)c >= SCRUB_CAT_COUNT)
		return "";
	return placeholders[c];
}

/*
 * The lower-case name of a category.
 */
const char *
scrub_category_name(enum scrub_category c)
{
	if ((int)c < 0 || (int)c >= SCRUB_CAT_COUNT)
		return "unknown";
	return cat_names[c];
}

/*
 * One sentence per refusal reason.
 */
const char *
scrub_refusal_message(enum scrub_refusal r)
{
	switch (r) {
	case SCRUB_OK:
		return "the text was scrubbed";
	case SCRUB_REFUSE_TOO_LONG:
		return "the text is longer than the scrubber accepts; shorten it";
	case SCRUB_REFUSE_BAD_UTF8:
		return "the text is not valid UTF-8; rewrite the part at the offset";
	case SCRUB_REFUSE_CONTROL:
		return "the text holds a control character; remove it";
	case SCRUB_REFUSE_RESIDUAL:
		return "the text holds something that may be personal data but "
		       "cannot be classified; rewrite the part at the offset";
	case SCRUB_REFUSE_NO_MEMORY:
		return "out of memory while scrubbing";
	case SCRUB_REFUSE_INVALID:
		return "invalid arguments to the scrubber";
	case SCRUB_REFUSE_COUNT:
		break;
	}
	return "unknown refusal";
}

/* Is there a placeholder at text offset i? Returns its length or 0. */
static size_t
placeholder_at(const char *t, size_t len, size_t i)
{
	int c;

	for (c = 1; c < SCRUB_CAT_COUNT; c++) {
		size_t l = strlen(placeholders[c]);

		if (i + l <= len && memcmp(t + i, placeholders[c], l) == 0)
			return l;
	}
	return 0;
}

static int
tokenize(struct scan *sc)
{
	const unsigned char *t = (const unsigned char *)sc->t;
	size_t i = 0, fo = 0;

	while (i < sc->len) {
		struct tok *k = &sc->tk[sc->ntk];
		uint32_t c;
		size_t l = utf8_decode(t + i, sc->len - i, &c), p;

		memset(k, 0, sizeof(*k));
		k->s = (uint32_t)i;
		if (c == '[' && (p = placeholder_at(sc->t, sc->len, i)) > 0) {
			k->type = T_PH;
			i += p;
		} else if (cp_is_space(c)) {
			unsigned ncp = 0;
			int plain = 1;

			k->type = T_SPACE;
			while (i < sc->len) {
				l = utf8_decode(t + i, sc->len - i, &c);
				if (!cp_is_space(c))
					break;
				if (c == '\n')
					k->flags |= F_NL;
				if (c != ' ' && c != 0xA0 && c != 0x202F && c != 0x2009 &&
				    c != 0x200A && c != 0x2007)
					plain = 0;
				ncp++;
				i += l;
			}
			if (ncp == 1 && plain)
				k->flags |= F_ONESP;
		} else if (c >= '0' && c <= '9') {
			k->type = T_NUM;
			while (i < sc->len && t[i] >= '0' && t[i] <= '9')
				i++;
		} else if (cp_is_letter(c) || (c >= 0x300 && c <= 0x36F)) {
			int upper = 1, nletters = 0;

			k->type = T_WORD;
			k->flags |= F_ASCII;
			if (cp_is_upper(c))
				k->flags |= F_CAP;
			while (i < sc->len) {
				l = utf8_decode(t + i, sc->len - i, &c);
				if (cp_is_letter(c) || (c >= 0x300 && c <= 0x36F)) {
					if (cp_is_letter(c)) {
						nletters++;
						if (!cp_is_upper(c))
							upper = 0;
					}
					if (c >= 0x80)
						k->flags &= (uint8_t)~F_ASCII;
					i += l;
					continue;
				}
				/* An apostrophe between letters stays in the
				 * word (Sanne's, d'Ancona). */
				if ((c == '\'' || c == 0x2019) && i + l < sc->len) {
					uint32_t c2;
					size_t l2 = utf8_decode(t + i + l,
								sc->len - i - l,
								&c2);

					if (l2 > 0 && cp_is_letter(c2)) {
						k->flags &= (uint8_t)~F_ASCII;
						i += l;
						continue;
					}
				}
				break;
			}
			if (upper && nletters > 0)
				k->flags |= F_UPPER;
		} else {
			k->type = T_PUNCT;
			/* Dashes and hyphens of every kind count as '-'. */
			if (c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013 ||
			    c == 0x2014 || c == 0x2212 || c == 0xFE63 || c == 0xFF0D)
				c = '-';
			k->cp = c;
			i += l;
		}
		k->e = (uint32_t)i;
		if (k->type == T_WORD) {
			size_t fl = fold_text(sc->t + k->s, k->e - k->s,
					      sc->fold + fo, sc->len + 1 - fo);

			if (fl == (size_t)-1 || fl > 0xFFFF)
				return -1;
			k->fs = (uint32_t)fo;
			k->fl = (uint16_t)fl;
			fo += fl;
		}
		sc->ntk++;
	}
	return 0;
}

/* Token helpers. Indices are signed so that "none" is -1. */
#define NTK(sc) ((long)(sc)->ntk)

static const char *
tf(const struct scan *sc, long i)
{
	return sc->fold + sc->tk[i].fs;
}

static int
is_type(const struct scan *sc, long i, int type)
{
	return i >= 0 && i < NTK(sc) && sc->tk[i].type == type;
}

static int
is_punct(const struct scan *sc, long i, uint32_t c)
{
	return is_type(sc, i, T_PUNCT) && sc->tk[i].cp == c;
}

static int
word_in(const struct scan *sc, long i, const char *const *list)
{
	return is_type(sc, i, T_WORD) && in_list(list, tf(sc, i), sc->tk[i].fl);
}

static int
word_is(const struct scan *sc, long i, const char *w)
{
	return is_type(sc, i, T_WORD) && strlen(w) == sc->tk[i].fl &&
	       memcmp(tf(sc, i), w, sc->tk[i].fl) == 0;
}

static size_t
tlen(const struct scan *sc, long i)
{
	if (i < 0 || i >= NTK(sc))
		return 0;
	return sc->tk[i].e - sc->tk[i].s;
}

/* A short run of white space (at most one line break): a gap inside one
 * phrase. */
static int
small_space(const struct scan *sc, long i)
{
	return is_type(sc, i, T_SPACE) && tlen(sc, i) <= 3;
}

/* The next token after i, skipping one small gap; -1 at the end. */
static long
nx(const struct scan *sc, long i)
{
	if (i + 1 >= NTK(sc))
		return -1;
	if (small_space(sc, i + 1))
		return i + 2 < NTK(sc) ? i + 2 : -1;
	return i + 1;
}

static long
pv(const struct scan *sc, long i)
{
	if (i - 1 < 0)
		return -1;
	if (small_space(sc, i - 1))
		return i - 2;
	return i - 1;
}

/* A single separator byte between two digit groups. */
static int
is_sep(const struct scan *sc, long i, const char *seps)
{
	if (i < 0 || i >= NTK(sc))
		return 0;
	if (sc->tk[i].type == T_SPACE)
		return strchr(seps, ' ') != NULL && (sc->tk[i].flags & F_ONESP);
	if (sc->tk[i].type == T_PUNCT && sc->tk[i].cp < 0x80)
		return strchr(seps, (int)sc->tk[i].cp) != NULL &&
		       sc->tk[i].cp != ' ';
	return 0;
}

static int
marked(const struct scan *sc, long i)
{
	size_t b;

	if (i < 0 || i >= NTK(sc))
		return 0;
	for (b = sc->tk[i].s; b < sc->tk[i].e; b++) {
		if (sc->mk[b])
			return 1;
	}
	return 0;
}

static int
range_marked(const struct scan *sc, long a, long b)
{
	long i;

	for (i = a; i <= b; i++) {
		if (marked(sc, i))
			return 1;
	}
	return 0;
}

/* Mark tokens a..b (inclusive) with a category where not yet marked. */
static void
mark(struct scan *sc, long a, long b, enum scrub_category c)
{
	size_t x;

	if (a < 0 || b < a || b >= NTK(sc))
		return;
	for (x = sc->tk[a].s; x < sc->tk[b].e; x++) {
		if (sc->mk[x] == 0)
			sc->mk[x] = (uint8_t)c;
	}
}

static void
mark_bytes(struct scan *sc, size_t a, size_t b, enum scrub_category c)
{
	size_t x;

	for (x = a; x < b && x < sc->len; x++) {
		if (sc->mk[x] == 0)
			sc->mk[x] = (uint8_t)c;
	}
}

static void
refuse(struct scan *sc, enum scrub_refusal r, size_t off,
       enum scrub_category c)
{
	if (sc->refused)
		return;
	sc->refused = 1;
	sc->rep->refusal = r;
	sc->rep->offset = off;
	sc->rep->category = c;
}

/* Value of a digit token, capped. */
static unsigned long
num_val(const struct scan *sc, long i)
{
	unsigned long v = 0;
	size_t b;

	for (b = sc->tk[i].s; b < sc->tk[i].e; b++) {
		if (v > 100000000UL)
			return 1000000000UL;
		v = v * 10 + (unsigned long)(sc->t[b] - '0');
	}
	return v;
}

/* Is token i glued on its left to a letter or digit? */
static int
glued_left(const struct scan *sc, long i)
{
	return i > 0 && (sc->tk[i - 1].type == T_WORD ||
			 sc->tk[i - 1].type == T_NUM || sc->tk[i - 1].type == T_PH);
}

static int
glued_right(const struct scan *sc, long i)
{
	return i + 1 < NTK(sc) && (sc->tk[i + 1].type == T_WORD ||
				   sc->tk[i + 1].type == T_NUM ||
				   sc->tk[i + 1].type == T_PH);
}

static int
word_capital(const struct scan *sc, long i)
{
	return is_type(sc, i, T_WORD) && (sc->tk[i].flags & F_CAP);
}

static int
is_initial(const struct scan *sc, long i)
{
	return is_type(sc, i, T_WORD) && (sc->tk[i].flags & F_UPPER) &&
	       sc->tk[i].fl == 1;
}

/* ------------------------------------------------------------------ */
/* E-mail, URLs and handles: byte scanners.                            */

static int
b_local(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '%' ||
	       c == '+' || c == '-' || c >= 0x80;
}

static int
b_dom(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c >= 0x80;
}

static int
b_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static const char *const tlds[] = {
	"nl", "com", "org", "net", "eu", "be", "de", "info", "io", "nu", "uk",
	"fr", "me", "app", "tv", "co", "biz", "online", "site", "tk", "ma",
	"tr", "pl", "es", "it", "ch", "at", "us", "edu", "gov", "int", "ly",
	"gl", "to", "ai", "dev", "email", "social", "amsterdam", "frl",
	"gent", "brussels", "vlaanderen", "ru", "cz", "ro", "pt", "se", "dk",
	"no", "fi", "ie", "lu", "gr", "hu", "sr", "cw", "aw", "sx", NULL
};

static void
scan_email_url(struct scan *sc)
{
	const unsigned char *t = (const unsigned char *)sc->t;
	size_t i, n = sc->len;

	for (i = 0; i < n; i++) {
		if (t[i] == '@') {
			size_t a = i, b = i + 1, lastdot = 0;

			while (a > 0 && b_local(t[a - 1]) && i - a < 128)
				a--;
			while (b < n && b_dom(t[b]) && b - i < 256) {
				if (t[b] == '.')
					lastdot = b;
				b++;
			}
			while (b > i + 1 && t[b - 1] == '.')
				b--;
			lastdot = 0;
			{
				size_t q;

				for (q = i + 1; q < b; q++) {
					if (t[q] == '.')
						lastdot = q;
				}
			}
			if (a < i && lastdot > i + 1 && lastdot + 2 < b + 1 &&
			    lastdot < b - 1) {
				mark_bytes(sc, a, b, SCRUB_CAT_EMAIL);
				i = b - 1;
				continue;
			}
			if (a == i) {
				/* A social-media handle: @name. */
				size_t e = i + 1;

				while (e < n && (b_alnum(t[e]) || t[e] == '_' ||
						 t[e] == '.' || t[e] >= 0x80) &&
				       e - i < 64)
					e++;
				while (e > i + 1 && t[e - 1] == '.')
					e--;
				if (e > i + 1) {
					mark_bytes(sc, i, e, SCRUB_CAT_URL);
					i = e - 1;
				}
			}
			continue;
		}
		if (i > 0 && (b_alnum(t[i - 1]) || t[i - 1] == '.' ||
			      t[i - 1] == '/' || t[i - 1] >= 0x80))
			continue;
		if (n - i >= 4 && (strncmp(sc->t + i, "http", 4) == 0 ||
				   strncmp(sc->t + i, "HTTP", 4) == 0 ||
				   strncmp(sc->t + i, "www.", 4) == 0 ||
				   strncmp(sc->t + i, "WWW.", 4) == 0)) {
			size_t e = i;
			int scheme = strncmp(sc->t + i, "http", 4) == 0 ||
				     strncmp(sc->t + i, "HTTP", 4) == 0;

			if (scheme) {
				size_t k = i + 4;

				if (k < n && (t[k] == 's' || t[k] == 'S'))
					k++;
				if (!(k + 3 <= n && memcmp(sc->t + k, "://", 3) == 0))
					goto bare;
			}
			while (e < n && t[e] > ' ' && t[e] != '<' && t[e] != '>' &&
			       t[e] != '"')
				e++;
			while (e > i && strchr(".,;:!?)]}'", t[e - 1]) != NULL)
				e--;
			mark_bytes(sc, i, e, SCRUB_CAT_URL);
			i = e > i ? e - 1 : i;
			continue;
		}
bare:
		/* A bare domain: label(.label)+ ending in a known TLD. */
		if (b_alnum(t[i]) || t[i] >= 0x80) {
			size_t e = i, lastdot = 0, ndots = 0, first = 0;

			while (e < n && (b_alnum(t[e]) || t[e] == '-' || t[e] >= 0x80 ||
					 (t[e] == '.' && e + 1 < n &&
					  (b_alnum(t[e + 1]) || t[e + 1] >= 0x80))) &&
			       e - i < 256) {
				if (t[e] == '.') {
					if (ndots == 0)
						first = e - i;
					lastdot = e;
					ndots++;
				}
				e++;
			}
			if (ndots > 0 && first >= 2 && in_list(tlds, sc->t + lastdot + 1,
							  e - lastdot - 1)) {
				if (e < n && t[e] == '/') {
					while (e < n && t[e] > ' ')
						e++;
					while (e > i && strchr(".,;:!?)]}'",
							       t[e - 1]) != NULL)
						e--;
				}
				mark_bytes(sc, i, e, SCRUB_CAT_URL);
			}
			/* Skip the rest of this run either way. */
			if (e > i)
				i = e - 1;
		}
	}
}

/* ------------------------------------------------------------------ */
/* IBAN.                                                                */

static int
iban_ok(const char *c, size_t n)
{
	unsigned r = 0;
	size_t k;

	if (n < 15 || n > 34)
		return 0;
	for (k = 0; k < n; k++) {
		char ch = c[(k + 4) % n];

		if (ch >= '0' && ch <= '9') {
			r = (r * 10 + (unsigned)(ch - '0')) % 97;
		} else {
			unsigned v = (unsigned)(ch - 'A') + 10;

			r = (r * 100 + v) % 97;
		}
	}
	return r == 1;
}

static void
scan_iban(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc) && !sc->refused; i++) {
		char c[40];
		long endtok[40];
		size_t n = 0, k;
		long j;
		int found = 0;

		if (!is_type(sc, i, T_WORD) || sc->tk[i].fl < 2 ||
		    !(sc->tk[i].flags & F_ASCII) || glued_left(sc, i))
			continue;
		/* Two letters (the country) then two digits. The word token
		 * may carry more letters (NLxxABNA... is split as NL + 91 +
		 * ABNA...), so the letters must be exactly two. */
		if (tlen(sc, i) != 2 || !is_type(sc, i + 1, T_NUM))
			continue;
		j = i;
		while (j < NTK(sc) && n < 34) {
			size_t b;

			if (sc->tk[j].type == T_WORD || sc->tk[j].type == T_NUM) {
				if (!(sc->tk[j].flags & F_ASCII) &&
				    sc->tk[j].type == T_WORD)
					break;
				for (b = sc->tk[j].s; b < sc->tk[j].e && n < 34; b++) {
					char ch = sc->t[b];

					if (ch >= 'a' && ch <= 'z')
						ch = (char)(ch - 32);
					c[n] = ch;
					endtok[n] = (b + 1 == sc->tk[j].e) ? j : -1;
					n++;
				}
				if (sc->tk[j].e - sc->tk[j].s + n > 34 + tlen(sc, j))
					break;
				j++;
				continue;
			}
			if (is_sep(sc, j, " ") && (is_type(sc, j + 1, T_WORD) ||
						   is_type(sc, j + 1, T_NUM))) {
				j++;
				continue;
			}
			break;
		}
		if (n < 4 || c[2] < '0' || c[2] > '9' || c[3] < '0' || c[3] > '9')
			continue;
		for (k = n; k >= 15; k--) {
			if (endtok[k - 1] >= 0 && iban_ok(c, k)) {
				mark(sc, i, endtok[k - 1], SCRUB_CAT_IBAN);
				found = 1;
				i = endtok[k - 1];
				break;
			}
		}
		if (!found && c[0] == 'N' && c[1] == 'L' && n >= 18) {
			/* The Dutch shape (NLkk BANK 0123456789) with a bad
			 * checksum: a mistyped account number is still one. */
			int shape = 1;

			for (k = 4; k < 8; k++)
				shape &= c[k] >= 'A' && c[k] <= 'Z';
			for (k = 8; k < 18; k++)
				shape &= c[k] >= '0' && c[k] <= '9';
			if (shape)
				refuse(sc, SCRUB_REFUSE_RESIDUAL, sc->tk[i].s,
				       SCRUB_CAT_IBAN);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Digit chains: groups of digits joined by single separators.          */

#define CHAIN_MAX 12

struct chain {
	int n;
	long tok[CHAIN_MAX];   /* the digit tokens */
	unsigned cum[CHAIN_MAX]; /* digits up to and including group k */
	char sep[CHAIN_MAX];   /* separator before group k (0 for the first) */
};

static void
read_chain(const struct scan *sc, long i, const char *seps, struct chain *ch)
{
	long j = i;

	ch->n = 0;
	while (ch->n < CHAIN_MAX && is_type(sc, j, T_NUM) && !marked(sc, j)) {
		ch->tok[ch->n] = j;
		ch->cum[ch->n] = (unsigned)tlen(sc, j) +
				 (ch->n > 0 ? ch->cum[ch->n - 1] : 0);
		ch->n++;
		if (ch->cum[ch->n - 1] > 40)
			break;
		if (is_sep(sc, j + 1, seps) && is_type(sc, j + 2, T_NUM) &&
		    ch->n < CHAIN_MAX) {
			ch->sep[ch->n] = sc->tk[j + 1].type == T_SPACE ?
					 ' ' : (char)sc->tk[j + 1].cp;
			j += 2;
			continue;
		}
		break;
	}
	ch->sep[0] = 0;
}

/* The digits of chain groups 0..k into buf (at most cap). */
static size_t
chain_digits(const struct scan *sc, const struct chain *ch, int k, char *buf,
	     size_t cap)
{
	size_t n = 0;
	int g;

	for (g = 0; g <= k; g++) {
		size_t b;

		for (b = sc->tk[ch->tok[g]].s; b < sc->tk[ch->tok[g]].e && n < cap;
		     b++)
			buf[n++] = sc->t[b];
	}
	return n;
}

static int
elfproef(const char *d)
{
	int sum = 0, k;

	for (k = 0; k < 8; k++)
		sum += (d[k] - '0') * (9 - k);
	sum -= d[8] - '0';
	if (memcmp(d, "000000000", 9) == 0)
		return 0;
	return sum % 11 == 0;
}

/* ------------------------------------------------------------------ */
/* Phone numbers.                                                       */

static void
scan_phone(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long start = i, j, endtok[24];
		unsigned cum[24], digits = 0;
		int n = 0, plus = 0, open = 0, k;
		char first[4] = { 0 };
		size_t fl = 0;

		if (marked(sc, i) || glued_left(sc, i))
			continue;
		j = i;
		if (is_punct(sc, i, '+') && is_type(sc, i + 1, T_NUM)) {
			plus = 1;
			j = i + 1;
		} else if (is_punct(sc, i, '(') && is_type(sc, i + 1, T_NUM) &&
			   sc->t[sc->tk[i + 1].s] == '0') {
			open = 1;
			j = i + 1;
		} else if (!is_type(sc, i, T_NUM) || sc->t[sc->tk[i].s] != '0') {
			continue;
		}
		/* Walk the groups. */
		while (n < 24 && is_type(sc, j, T_NUM) && !marked(sc, j)) {
			size_t b;

			for (b = sc->tk[j].s; b < sc->tk[j].e && fl < 4; b++)
				first[fl++] = sc->t[b];
			digits += (unsigned)tlen(sc, j);
			cum[n] = digits;
			if (open && is_punct(sc, j + 1, ')')) {
				open = 0;
				j++;
			}
			endtok[n++] = j;
			if (digits > 16)
				break;
			/* "(0)" after the country code is not dialled. */
			if (plus && (is_sep(sc, j + 1, " ") || is_punct(sc, j + 1, '(')) ) {
				long q = is_punct(sc, j + 1, '(') ? j + 1 : j + 2;

				if (is_punct(sc, q, '(') && is_type(sc, q + 1, T_NUM) &&
				    tlen(sc, q + 1) == 1 && sc->t[sc->tk[q + 1].s] == '0' &&
				    is_punct(sc, q + 2, ')')) {
					j = q + 3;
					if (is_sep(sc, j, " -"))
						j++;
					continue;
				}
			}
			if (is_sep(sc, j + 1, " -./") && is_type(sc, j + 2, T_NUM)) {
				j += 2;
				continue;
			}
			/* 045 - 1234567 */
			if (is_sep(sc, j + 1, " ") && is_punct(sc, j + 2, '-') &&
			    is_sep(sc, j + 3, " ") && is_type(sc, j + 4, T_NUM)) {
				j += 4;
				continue;
			}
			if (is_sep(sc, j + 1, " -") && is_punct(sc, j + 2, '(') &&
			    is_type(sc, j + 3, T_NUM)) {
				open = 1;
				j += 3;
				continue;
			}
			break;
		}
		if (n == 0)
			continue;
		for (k = 0; k < n; k++) {
			int ok = 0;

			if (plus) {
				if (fl >= 2 && first[0] == '3' && first[1] == '1')
					ok = cum[k] == 11;
				else
					ok = cum[k] >= 9 && cum[k] <= 15 &&
					     (k + 1 == n || cum[k + 1] > 15);
			} else if (fl >= 4 && first[0] == '0' && first[1] == '0') {
				if (first[2] == '3' && first[3] == '1')
					ok = cum[k] == 13;
				else
					ok = cum[k] >= 11 && cum[k] <= 17 &&
					     (k + 1 == n || cum[k + 1] > 17);
			} else if (fl >= 3 && first[0] == '0' && first[1] == '8' &&
				   first[2] == '0') {
				ok = cum[k] == 8 || cum[k] == 11;
			} else if (fl >= 3 && first[0] == '0' && first[1] == '9' &&
				   first[2] == '0') {
				ok = cum[k] == 8 || cum[k] == 11;
			} else {
				ok = cum[k] == 10;
			}
			if (ok) {
				mark(sc, start, endtok[k], SCRUB_CAT_TELEFOON);
				i = endtok[k];
				break;
			}
			if (!plus && cum[k] > 13)
				break;
		}
	}
}

/* ------------------------------------------------------------------ */
/* Dates and ages.                                                      */

static int
month_at(const struct scan *sc, long i, long *ret_end)
{
	if (word_in(sc, i, month_full)) {
		*ret_end = i;
		return 1;
	}
	if (word_in(sc, i, month_abbr)) {
		*ret_end = is_punct(sc, i + 1, '.') ? i + 1 : i;
		return 1;
	}
	return 0;
}

static int
year_tok(const struct scan *sc, long i)
{
	if (!is_type(sc, i, T_NUM) || glued_right(sc, i))
		return 0;
	if (tlen(sc, i) == 4) {
		unsigned long v = num_val(sc, i);

		return v >= 1900 && v <= 2099;
	}
	return tlen(sc, i) == 2;
}

static int
day_tok(const struct scan *sc, long i)
{
	unsigned long v;

	if (!is_type(sc, i, T_NUM) || tlen(sc, i) > 2)
		return 0;
	v = num_val(sc, i);
	return v >= 1 && v <= 31;
}

static int
month_num(const struct scan *sc, long i)
{
	unsigned long v;

	if (!is_type(sc, i, T_NUM) || tlen(sc, i) > 2)
		return 0;
	v = num_val(sc, i);
	return v >= 1 && v <= 12;
}

static void
scan_dates(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long j, e;

		if (marked(sc, i))
			continue;
		if (is_type(sc, i, T_NUM) && !glued_left(sc, i)) {
			/* d-m-y, d/m/y, d.m.y (and m/d/y). */
			if (day_tok(sc, i) && is_sep(sc, i + 1, "-/.") &&
			    tlen(sc, i + 2) <= 2 && is_type(sc, i + 2, T_NUM) &&
			    is_sep(sc, i + 3, "-/.") &&
			    sc->tk[i + 3].cp == sc->tk[i + 1].cp &&
			    year_tok(sc, i + 4) &&
			    (month_num(sc, i + 2) || month_num(sc, i)) &&
			    !glued_right(sc, i + 4)) {
				mark(sc, i, i + 4, SCRUB_CAT_DATUM);
				i += 4;
				continue;
			}
			/* y-m-d. */
			if (tlen(sc, i) == 4 && year_tok(sc, i) &&
			    is_sep(sc, i + 1, "-/.") && month_num(sc, i + 2) &&
			    is_sep(sc, i + 3, "-/.") && day_tok(sc, i + 4) &&
			    !glued_right(sc, i + 4)) {
				mark(sc, i, i + 4, SCRUB_CAT_DATUM);
				i += 4;
				continue;
			}
			/* 12 maart 2015, 12 mrt. 2015, 3 april, 12-mrt-2015. */
			if (day_tok(sc, i)) {
				j = -1;
				if (is_sep(sc, i + 1, "-.") || is_type(sc, i + 1, T_SPACE))
					j = is_type(sc, i + 1, T_SPACE) ?
					    (small_space(sc, i + 1) ? i + 2 : -1) : i + 2;
				if (j > 0 && month_at(sc, j, &e)) {
					long y = -1;

					if (is_sep(sc, e + 1, "-") && year_tok(sc, e + 2))
						y = e + 2;
					else if (nx(sc, e) > 0 && year_tok(sc, nx(sc, e)) &&
						 tlen(sc, nx(sc, e)) == 4)
						y = nx(sc, e);
					else if (is_punct(sc, nx(sc, e), '\'') &&
						 year_tok(sc, nx(sc, e) + 1))
						y = nx(sc, e) + 1;
					mark(sc, i, y > 0 ? y : e, SCRUB_CAT_DATUM);
					i = y > 0 ? y : e;
					continue;
				}
			}
			/* d-m or d/m without a year, after a cue word. */
			if (day_tok(sc, i) && is_sep(sc, i + 1, "-/") &&
			    month_num(sc, i + 2) && !is_sep(sc, i + 3, "-/.") &&
			    !glued_right(sc, i + 2) && word_in(sc, pv(sc, i), date_cues)) {
				mark(sc, i, i + 2, SCRUB_CAT_DATUM);
				i += 2;
				continue;
			}
		}
		/* april 2015, maart '15. */
		if (month_at(sc, i, &e)) {
			long y = nx(sc, e);

			if (y > 0 && is_type(sc, y, T_NUM) && tlen(sc, y) == 4 &&
			    year_tok(sc, y)) {
				mark(sc, i, y, SCRUB_CAT_DATUM);
				i = y;
				continue;
			}
			if (y > 0 && is_punct(sc, y, '\'') && year_tok(sc, y + 1) &&
			    tlen(sc, y + 1) == 2) {
				mark(sc, i, y + 1, SCRUB_CAT_DATUM);
				i = y + 1;
				continue;
			}
		}
		/* geboren (in) 2015, geboortejaar 2015, geb. 2015. */
		if (word_is(sc, i, "geboren") || word_is(sc, i, "geboortejaar") ||
		    word_is(sc, i, "geb") || word_is(sc, i, "bouwjaar")) {
			j = nx(sc, i);
			if (is_punct(sc, j, '.') || is_punct(sc, j, ':'))
				j = nx(sc, j);
			if (word_is(sc, j, "in") || word_is(sc, j, "op"))
				j = nx(sc, j);
			if (j > 0 && is_type(sc, j, T_NUM) && tlen(sc, j) == 4 &&
			    year_tok(sc, j) && !marked(sc, j) &&
			    !(is_sep(sc, j + 1, "-/.") && is_type(sc, j + 2, T_NUM)))
				mark(sc, j, j, SCRUB_CAT_DATUM);
		}
	}
}

static void
scan_ages(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long j, w;

		if (marked(sc, i))
			continue;
		if (is_type(sc, i, T_NUM) && !glued_left(sc, i) && tlen(sc, i) <= 3 &&
		    num_val(sc, i) <= 120) {
			/* 9 jaar (oud), 9-jarige, 9jarige, 18 maanden oud. */
			w = -1;
			if (is_type(sc, i + 1, T_WORD))
				w = i + 1;
			else if (is_sep(sc, i + 1, "-") || small_space(sc, i + 1))
				w = i + 2;
			if (w > 0 && (word_is(sc, w, "jarige") || word_is(sc, w, "jarig") ||
				      word_is(sc, w, "jarigen"))) {
				mark(sc, i, w, SCRUB_CAT_LEEFTIJD);
				i = w;
				continue;
			}
			if (w > 0 && (word_is(sc, w, "jaar") || word_is(sc, w, "jr"))) {
				long o = nx(sc, w);
				long p = pv(sc, i);

				if (is_punct(sc, w + 1, '.') && word_is(sc, w, "jr"))
					o = nx(sc, w + 1);
				if (word_is(sc, o, "oud") || word_is(sc, o, "oude")) {
					mark(sc, i, o, SCRUB_CAT_LEEFTIJD);
					i = o;
					continue;
				}
				if (word_in(sc, p, duration_cues))
					continue;
				mark(sc, i, w, SCRUB_CAT_LEEFTIJD);
				i = w;
				continue;
			}
			if (w > 0 && (word_is(sc, w, "maanden") || word_is(sc, w, "mnd") ||
				      word_is(sc, w, "weken")) &&
			    (word_is(sc, nx(sc, w), "oud") || word_is(sc, nx(sc, w), "oude"))) {
				mark(sc, i, nx(sc, w), SCRUB_CAT_LEEFTIJD);
				i = nx(sc, w);
				continue;
			}
			/* een meisje van 14, leeftijd: 14. */
			j = pv(sc, i);
			if (word_is(sc, j, "van") && word_in(sc, pv(sc, j), person_nouns) &&
			    !glued_right(sc, i) && !word_is(sc, nx(sc, i), "procent") &&
			    !is_punct(sc, i + 1, '%')) {
				mark(sc, i, i, SCRUB_CAT_LEEFTIJD);
				continue;
			}
			if (is_punct(sc, j, ':'))
				j = pv(sc, j);
			if (word_is(sc, j, "leeftyd") || word_is(sc, j, "lft")) {
				mark(sc, i, i, SCRUB_CAT_LEEFTIJD);
				continue;
			}
		}
		/* negenjarige, negen jaar oud. */
		if (is_type(sc, i, T_WORD)) {
			const char *f = tf(sc, i);
			size_t fl = sc->tk[i].fl, k;

			for (k = 5; k <= 7 && k < fl; k++) {
				if ((fl - k >= 3) && ((k == 6 && memcmp(f + fl - 6, "jarige", 6) == 0) ||
						      (k == 5 && memcmp(f + fl - 5, "jarig", 5) == 0) ||
						      (k == 7 && memcmp(f + fl - 7, "jarigen", 7) == 0))) {
					size_t stem = fl - k;
					size_t s2;
					int ok = in_list(number_words, f, stem);

					/* eenentwintigjarige: a ten with a unit. */
					for (s2 = 3; !ok && s2 + 3 <= stem; s2++)
						ok = memcmp(f + s2, "en", 2) == 0 &&
						     in_list(number_words, f, s2) &&
						     in_list(number_words, f + s2 + 2, stem - s2 - 2);
					if (ok) {
						mark(sc, i, i, SCRUB_CAT_LEEFTIJD);
						break;
					}
				}
			}
			if (word_in(sc, i, number_words) && word_is(sc, pv(sc, i), "van") &&
			    word_in(sc, pv(sc, pv(sc, i)), person_nouns) &&
			    !word_is(sc, i, "een") && !word_is(sc, nx(sc, i), "procent"))
				mark(sc, i, i, SCRUB_CAT_LEEFTIJD);
			if (word_in(sc, i, number_words) && word_is(sc, nx(sc, i), "jaar") &&
			    word_is(sc, nx(sc, nx(sc, i)), "oud")) {
				mark(sc, i, nx(sc, nx(sc, i)), SCRUB_CAT_LEEFTIJD);
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Postcodes and addresses.                                             */

/* Two-letter Dutch words that may follow a year in running text. */
static const char *const two_letter_words[] = {
	"en", "in", "op", "of", "is", "de", "te", "al", "na", "om", "zo", "nu",
	"ze", "we", "je", "ik", "er", NULL
};

static void
scan_postcodes(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long w;

		if (!is_type(sc, i, T_NUM) || tlen(sc, i) != 4 || marked(sc, i) ||
		    glued_left(sc, i) || sc->t[sc->tk[i].s] == '0')
			continue;
		if (is_type(sc, i + 1, T_WORD))
			w = i + 1;
		else if (is_sep(sc, i + 1, " -") && is_type(sc, i + 2, T_WORD))
			w = i + 2;
		else
			continue;
		if (tlen(sc, w) != 2 || !(sc->tk[w].flags & F_ASCII) ||
		    glued_right(sc, w))
			continue;
		/* "in 2015 en 2016", "€ 2500 en": a year or an amount followed
		 * by an ordinary lower-case word. Any capital, or any other
		 * number, makes it a postcode (1621 aL, 6749 en). */
		if (w == i + 2 && sc->tk[i + 1].type == T_SPACE &&
		    !(sc->tk[w].flags & (F_UPPER | F_CAP)) &&
		    sc->t[sc->tk[w].s + 1] >= 'a' && sc->t[sc->tk[w].s + 1] <= 'z' &&
		    in_list(two_letter_words, tf(sc, w), sc->tk[w].fl) &&
		    ((num_val(sc, i) >= 1900 && num_val(sc, i) <= 2099) ||
		     is_punct(sc, pv(sc, i), 0x20AC) || word_is(sc, nx(sc, w), "euro")) &&
		    !is_punct(sc, w + 1, ')') &&
		    !((word_is(sc, w, "te") || is_punct(sc, pv(sc, i), ',')) &&
		      word_capital(sc, nx(sc, w))))
			continue;
		mark(sc, i, w, SCRUB_CAT_POSTCODE);
		i = w;
	}
}

/* A house number addition after token j: 12a, 12 A, 12-2, 12-II, 12 bis. */
static long
house_addition(const struct scan *sc, long j)
{
	if (is_type(sc, j + 1, T_WORD) && sc->tk[j + 1].fl <= 2 &&
	    (sc->tk[j + 1].flags & F_ASCII))
		return j + 1;
	if (is_sep(sc, j + 1, "-/") && is_type(sc, j + 2, T_NUM) && tlen(sc, j + 2) <= 3)
		return j + 2;
	if (is_sep(sc, j + 1, "-/ ") && is_type(sc, j + 2, T_WORD) &&
	    (((sc->tk[j + 2].flags & F_UPPER) && sc->tk[j + 2].fl <= 3 &&
	      !glued_right(sc, j + 2) &&
	      !word_in(sc, j + 2, two_letter_words)) ||
	     word_is(sc, j + 2, "bis") || word_is(sc, j + 2, "hs") ||
	     word_is(sc, j + 2, "huis") || word_is(sc, j + 2, "rd") ||
	     word_is(sc, j + 2, "zw")))
		return j + 2;
	return j;
}


/* Words before a number that are not a street: Bijlage 3a, Fase 2b. */
static const char *const not_streets[] = {
	"artikel", "art", "hoofdstuk", "bijlage", "paragraaf", "lid", "versie",
	"niveau", "klas", "kamer", "stap", "fase", "groep", "week", "module",
	"sessie", "ronde", "route", "bus", "lyn", "zaal", "lokaal", "gebouw",
	"blok", "verdieping", "pagina", "punt", "regel", "cluster", "leerjaar",
	"vraag", "onderdeel", "casus", "nummer", "type", "tabel", "figuur",
	"optie", "variant", "categorie", "prioriteit", "graad", "schaal",
	"score", "deel", "serie", "kwartaal", "jaar", "periode", "afdeling",
	"unit", "bed", "woning", "huisnummer", "nr", "ronde", "bladzyde",
	"item", "taak", "doel", "actie", "stelling", "zone", "sector", NULL
};

/* Is the street name starting at token start announced as an address
 * (woont aan de X 12, adres: X 12)? */
static const char *const adres_words[] = {
	"adres", "woonadres", "postadres", "bezoekadres", "adresgegevens",
	"correspondentieadres", "verblyfadres", "verblyfsadres", "huisadres",
	"thuisadres", NULL
};

static int
address_cue(const struct scan *sc, long start)
{
	static const char *const living[] = {
		"woont", "wonen", "wonend", "wonende", "woonachtig", "woonde",
		"verhuisd", "verhuist", "verhuizen", "gevestigd", "verblyft",
		"verblyven", "ingeschreven", "verbleef", NULL
	};
	long p = pv(sc, start);
	int steps = 0;

	while (word_in(sc, p, name_glue) && steps < 3) {
		p = pv(sc, p);
		steps++;
	}
	if (is_punct(sc, p, ':'))
		p = pv(sc, p);
	if (word_in(sc, p, adres_words))
		return 1;
	if ((word_is(sc, p, "aan") || word_is(sc, p, "op") || word_is(sc, p, "in") ||
	     word_is(sc, p, "naar")) && word_in(sc, pv(sc, p), living))
		return 1;
	return 0;
}

static void
scan_addresses(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long w, j, a, start, k;
		int street = 0, place = 0, words = 0;
		unsigned long v;

		/* Postbus 1234. */
		if (word_is(sc, i, "postbus") && is_type(sc, nx(sc, i), T_NUM)) {
			mark(sc, i, nx(sc, i), SCRUB_CAT_ADRES);
			continue;
		}
		if (!is_type(sc, i, T_NUM) || glued_left(sc, i) || tlen(sc, i) > 5 ||
		    marked(sc, i))
			continue;
		v = num_val(sc, i);
		if (v == 0)
			continue;
		w = pv(sc, i);
		if (w != i - 2 || !is_type(sc, w, T_WORD) || marked(sc, w))
			continue;
		/* Walk the street name back: capitalised words, particles,
		 * hyphens. */
		start = w;
		k = w;
		while (k >= 0 && words < 6) {
			const char *f = tf(sc, k);
			size_t fl = sc->tk[k].fl;

			if (!is_type(sc, k, T_WORD))
				break;
			/* "Adres Vlasakkers 3": the cue is not part of it. */
			if (k != w && (in_list(adres_words, f, fl) ||
				       in_list(titles_strict, f, fl) ||
				       in_list(titles_role, f, fl)) &&
			    !in_list(name_glue, f, fl))
				break;
			if (in_list(place_words, f, fl))
				place = 1;
			if (ends_with_any(street_suffixes, f, fl, 2) ||
			    in_list(street_words, f, fl))
				street = 1;
			if (!word_capital(sc, k) && !in_list(name_glue, f, fl) &&
			    !(k == w && ends_with_any(street_suffixes_strong, f, fl, 2)))
				break;
			if (word_capital(sc, k) || k == w)
				start = k;
			words++;
			if (is_punct(sc, k - 1, '-') && is_type(sc, k - 2, T_WORD)) {
				k -= 2;
				continue;
			}
			if (is_punct(sc, k - 1, '\'') && is_type(sc, k - 2, T_SPACE)) {
				k = k - 3;
				continue;
			}
			if (!small_space(sc, k - 1) || sc->tk[k - 1].flags & F_NL)
				break;
			k -= 2;
		}
		if (tlen(sc, i) == 4 && v >= 1900 && v <= 2099)
			continue;
		a = house_addition(sc, i);
		if (!street || place) {
			/* No street word: an address only when announced, when
			 * a postcode follows, or with a house number addition
			 * (Zuiderpoort 12a). */
			long q = a + 1;
			int ok = 0;

			if (!word_capital(sc, start) || word_in(sc, w, not_streets) ||
			    word_in(sc, w, common_words) || word_in(sc, w, month_full) ||
			    word_in(sc, w, titles_strict) || word_in(sc, w, titles_role))
				continue;
			if (small_space(sc, q))
				q++;
			if (is_punct(sc, q, ',') || is_punct(sc, q, '('))
				q++;
			if (small_space(sc, q))
				q++;
			if ((is_type(sc, q, T_PH) && tlen(sc, q) == 10 &&
			     memcmp(sc->t + sc->tk[q].s, "[POSTCODE]", 10) == 0) ||
			    (q < NTK(sc) && sc->tk[q].s < sc->len &&
			     sc->mk[sc->tk[q].s] == SCRUB_CAT_POSTCODE))
				ok = 1;
			if (address_cue(sc, start))
				ok = 1;
			if (a != i && !place)
				ok = 1;
			if (!ok)
				continue;
		}
		j = a;
		mark(sc, start, j, SCRUB_CAT_ADRES);
		i = j;
	}
}

/* ------------------------------------------------------------------ */
/* Numbers: keyed numbers, BSN, long digit runs.                        */

/* Digit chains that are a BSN by the elfproef. */
static void
scan_bsn(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		struct chain ch;
		int k;
		char d[64];

		if (!is_type(sc, i, T_NUM) || marked(sc, i) ||
		    (i > 0 && is_type(sc, i - 1, T_NUM)))
			continue;
		if (i >= 2 && is_sep(sc, i - 1, " .-") && is_type(sc, i - 2, T_NUM) &&
		    !marked(sc, i - 2))
			continue;
		read_chain(sc, i, " .-", &ch);
		for (k = 0; k < ch.n; k++) {
			if (ch.cum[k] == 9) {
				chain_digits(sc, &ch, k, d, sizeof(d));
				if (elfproef(d) && !(is_sep(sc, ch.tok[k] + 1, "-.") &&
						     is_type(sc, ch.tok[k] + 2, T_NUM))) {
					long a = ch.tok[0];

					if (glued_left(sc, a) && is_type(sc, a - 1, T_WORD))
						a--;
					mark(sc, a, ch.tok[k], SCRUB_CAT_BSN);
					i = ch.tok[k];
				}
				break;
			}
			if (ch.cum[k] > 9)
				break;
		}
	}
}

/* Numbers after a keyword: clientnummer 45821, AGB-code 01234567. */
static void
scan_keyed_numbers(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long j;
		int generic;
		long last = -1, k;
		int digits = 0;

		if (!word_in(sc, i, number_keys))
			continue;
		generic = word_is(sc, i, "nummer") || word_is(sc, i, "nr") ||
			  word_is(sc, i, "code") || word_is(sc, i, "id") ||
			  word_is(sc, i, "dossier") || word_is(sc, i, "referentie");
		j = i + 1;
		if (is_punct(sc, j, '-') && (word_is(sc, j + 1, "code") ||
					     word_is(sc, j + 1, "nummer") ||
					     word_is(sc, j + 1, "nr")))
			j += 2;
		if (is_punct(sc, j, '.'))
			j++;
		if (small_space(sc, j))
			j++;
		if (is_punct(sc, j, ':') || is_punct(sc, j, '#'))
			j++;
		if (small_space(sc, j))
			j++;
		if (word_is(sc, j, "is") && small_space(sc, j + 1))
			j += 2;
		/* The identifier: letters and digits glued by - / . or
		 * digit groups split by single spaces. */
		k = j;
		while (k < NTK(sc) && k - j < 24) {
			if (is_type(sc, k, T_NUM)) {
				digits += (int)tlen(sc, k);
				last = k;
			} else if (is_type(sc, k, T_WORD) && (sc->tk[k].flags & F_ASCII) &&
				   (k == j || glued_left(sc, k) || is_sep(sc, k - 1, "-/."))) {
				if (k == j && !is_type(sc, k + 1, T_NUM) &&
				    !is_sep(sc, k + 1, "-/."))
					break;
				last = k;
			} else if (is_sep(sc, k, " ") && is_type(sc, k - 1, T_NUM) &&
				   is_type(sc, k + 1, T_NUM)) {
				/* 163 827 540 */
			} else if (!(is_sep(sc, k, "-/.") && (is_type(sc, k + 1, T_NUM) ||
							   is_type(sc, k + 1, T_WORD)))) {
				break;
			}
			k++;
		}
		if (last < 0 || digits == 0 || (generic && digits < 4))
			continue;
		if (range_marked(sc, j, last))
			continue;
		mark(sc, j, last, SCRUB_CAT_NUMMER);
		i = last;
	}
}

/* Long digit runs and chains of 7 or more digits. */
static void
scan_long_numbers(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		struct chain ch;
		int k;

		if (!is_type(sc, i, T_NUM) || marked(sc, i) ||
		    (i > 0 && is_type(sc, i - 1, T_NUM)))
			continue;
		if (i >= 2 && is_sep(sc, i - 1, " .-") && is_type(sc, i - 2, T_NUM) &&
		    !marked(sc, i - 2))
			continue;
		read_chain(sc, i, " .-", &ch);
		{
			/* A money amount 1.250.000 is not an identifier. */
			int money = ch.n > 1 && tlen(sc, ch.tok[0]) <= 3;
			int anylong = 0;

			for (k = 1; k < ch.n && money; k++)
				money = ch.sep[k] == '.' && tlen(sc, ch.tok[k]) == 3;
			for (k = 0; k < ch.n; k++)
				anylong |= tlen(sc, ch.tok[k]) >= 7;
			/* 2021-2024: a range of years. */
			int years = ch.n == 2 && tlen(sc, ch.tok[0]) == 4 &&
				    tlen(sc, ch.tok[1]) == 4 && num_val(sc, ch.tok[0]) >= 1900 &&
				    num_val(sc, ch.tok[0]) <= 2099 &&
				    num_val(sc, ch.tok[1]) >= 1900 && num_val(sc, ch.tok[1]) <= 2099;

			if (anylong || (!money && !years && ch.cum[ch.n - 1] >= 7)) {
				long a = ch.tok[0], b = ch.tok[ch.n - 1];

				if (glued_left(sc, a) && is_type(sc, a - 1, T_WORD))
					a--;
				if (glued_right(sc, b) && is_type(sc, b + 1, T_WORD))
					b++;
				mark(sc, a, b, SCRUB_CAT_NUMMER);
				i = b;
			}
		}
	}
}

/* A social-media account named after its platform: "insta: sanne_09",
 * "Snapchat sannetje2009". */
static void
scan_social(struct scan *sc)
{
	static const char *const platforms[] = {
		"instagram", "insta", "snapchat", "snap", "tiktok", "facebook",
		"fb", "twitter", "discord", "telegram", "skype", "youtube",
		"twitch", "threads", "bluesky", NULL
	};
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long j, k, last = -1;

		if (!word_in(sc, i, platforms))
			continue;
		j = i + 1;
		if (word_is(sc, j, "account") || word_is(sc, j, "naam"))
			j++;
		if (is_punct(sc, j, ':'))
			j++;
		if (!small_space(sc, j))
			continue;
		j++;
		if (is_punct(sc, j, '@'))
			continue; /* handled as a handle already */
		/* The account name: letters, digits, _ and . glued together;
		 * it must hold a digit or _ or . to be told from a word, or
		 * follow a colon. */
		{
			int odd = is_punct(sc, j - 2, ':') || is_punct(sc, j - 1, ':');

			for (k = j; k < NTK(sc) && k - j < 12; k++) {
				if (is_type(sc, k, T_WORD) || is_type(sc, k, T_NUM)) {
					if (is_type(sc, k, T_NUM))
						odd = 1;
					last = k;
					continue;
				}
				if ((is_punct(sc, k, '_') || is_punct(sc, k, '.')) &&
				    (is_type(sc, k + 1, T_WORD) || is_type(sc, k + 1, T_NUM))) {
					odd = 1;
					continue;
				}
				break;
			}
			if (last >= 0 && odd && !word_in(sc, j, common_words))
				mark(sc, j, last, SCRUB_CAT_URL);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Schools and small institutions.                                      */

/* The capitalised name chain starting at token j (articles and particles
 * inside, hyphens glued); returns its last token or -1. */
static long
cap_chain(const struct scan *sc, long j, int max_words, int allow_lower_first)
{
	long k = j, last = -1;
	int words = 0;

	if (is_punct(sc, k, '\'') || is_punct(sc, k, '"') ||
	    is_punct(sc, k, 0x2018) || is_punct(sc, k, 0x201C))
		k++;
	while (k >= 0 && k < NTK(sc) && words < max_words) {
		if (!is_type(sc, k, T_WORD))
			break;
		if (word_capital(sc, k) && !word_in(sc, k, common_words)) {
			last = k;
		} else if (word_capital(sc, k) && word_in(sc, k, name_glue) &&
			   word_capital(sc, nx(sc, k))) {
			/* De Regenboog, Het Anker: the article belongs. */
		} else if (word_in(sc, k, name_glue) &&
			   word_capital(sc, nx(sc, k))) {
			/* Sint Jan van den Heuvel. */
		} else if (allow_lower_first && words == 0 &&
			   !word_in(sc, k, common_words) &&
			   !word_in(sc, k, tussen_words) && sc->tk[k].fl >= 2) {
			last = k;
		} else {
			break;
		}
		words++;
		if (is_punct(sc, k + 1, '-') && is_type(sc, k + 2, T_WORD)) {
			k += 2;
			continue;
		}
		if (is_punct(sc, k + 1, '.') && is_initial(sc, k)) {
			last = k + 1;
			if (small_space(sc, k + 2)) {
				k += 3;
				continue;
			}
			k += 2;
			continue;
		}
		if (!small_space(sc, k + 1) || (sc->tk[k + 1].flags & F_NL))
			break;
		k += 2;
	}
	if (last >= 0 && (is_punct(sc, last + 1, '\'') || is_punct(sc, last + 1, '"') ||
			  is_punct(sc, last + 1, 0x2019) || is_punct(sc, last + 1, 0x201D)))
		last++;
	return last;
}

static void
scan_schools(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		long j, e;
		const char *f;
		size_t fl;

		if (!is_type(sc, i, T_WORD) || marked(sc, i))
			continue;
		f = tf(sc, i);
		fl = sc->tk[i].fl;
		if (in_list(school_triggers, f, fl)) {
			/* The short codes only in capitals: OBS, SO, BS. */
			if (fl <= 4 && !(sc->tk[i].flags & F_UPPER) &&
			    !word_is(sc, i, "juf"))
				continue;
			j = nx(sc, i);
			if (j < 0)
				continue;
			e = cap_chain(sc, j, 5, 0);
			if (e < 0)
				continue;
			/* A place alone is not a school name: basisschool
			 * Venlo is fine, OBS Venlo-Zuid is not. */
			if (e == j && word_in(sc, j, place_words))
				continue;
			mark(sc, i, e, SCRUB_CAT_SCHOOL);
			i = e;
			continue;
		}
		/* De Regenboogschool, het Blariacumcollege. */
		if (word_capital(sc, i) && fl > 8 &&
		    (ends_with_any((const char *const[]){ "school", "college",
							   "lyceum", NULL },
				   f, fl, 3)) &&
		    !in_list(school_types, f, fl)) {
			long s = i, k = i;
			int steps = 0;

			/* Walk back over the rest of the name: Bouwens van
			 * der Boijecollege. */
			while (steps < 6) {
				long p = pv(sc, k);

				if (p < 0 || !is_type(sc, p, T_WORD))
					break;
				if (word_capital(sc, p) && !word_in(sc, p, common_words)) {
					s = p;
				} else if (!word_in(sc, p, name_glue)) {
					break;
				}
				k = p;
				steps++;
			}
			if (word_capital(sc, pv(sc, s)) && word_in(sc, pv(sc, s), name_glue))
				s = pv(sc, s);
			mark(sc, s, i, SCRUB_CAT_SCHOOL);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Record names.                                                        */

/* Damerau-Levenshtein distance at most one? */
static int
one_edit(const char *a, size_t la, const char *b, size_t lb)
{
	size_t i = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && i < lb && a[i] == b[i])
		i++;
	if (i == la && i == lb)
		return 1;
	if (la == lb) {
		/* substitution, or transposition of i and i+1 */
		if (memcmp(a + i + 1, b + i + 1, la - i - 1) == 0)
			return 1;
		return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
		       memcmp(a + i + 2, b + i + 2, la - i - 2) == 0;
	}
	if (la > lb)
		return memcmp(a + i + 1, b + i, lb - i) == 0;
	return memcmp(a + i, b + i + 1, la - i) == 0;
}

static const char *const dim_suffixes[] = {
	"s", "je", "tje", "tjes", "pje", "etje", "ke", "eke", "ie", "kje",
	"tjie", "oes", "atje", "otje", "utje", "itje", NULL
};

/* Does folded word f match a name part p (exactly, possessive,
 * diminutive, or one typing error)? */
static int
part_match(const char *f, size_t fl, const struct name_part *p, int typo_ok)
{
	size_t k;

	if (fl == p->len && memcmp(f, p->f, fl) == 0)
		return 1;
	if (fl > p->len && memcmp(f, p->f, p->len) == 0) {
		for (k = 0; dim_suffixes[k] != NULL; k++) {
			size_t sl = strlen(dim_suffixes[k]);

			if (fl == p->len + sl &&
			    memcmp(f + p->len, dim_suffixes[k], sl) == 0)
				return 1;
		}
	}
	/* Sanne -> Sanneke is above; Jan -> Janneke, Anne -> Anneke: the
	 * last consonant doubled. */
	if (fl == (size_t)p->len + 3 && memcmp(f, p->f, p->len) == 0 &&
	    f[p->len] == p->f[p->len - 1] && memcmp(f + p->len + 1, "ke", 2) == 0)
		return 1;
	if (typo_ok && fl >= 4 && p->len >= 4 && fl < 64 &&
	    one_edit(f, fl, p->f, p->len)) {
		/* A lower-case word that is the name plus or minus a last
		 * letter is usually an ordinary word (bakker -> bakkerij). */
		if (typo_ok == 2 && fl != p->len &&
		    memcmp(f, p->f, fl < p->len ? fl : p->len) == 0)
			return 0;
		return 1;
	}
	return 0;
}

/* Mark particles and initials before a surname at token k; returns the
 * first token of the name. */
static long
extend_back(const struct scan *sc, long k, int particles)
{
	long j = k, start = k;
	int steps = 0;

	while (steps < 10) {
		long p = j - 1;
		int gap = 0;

		if (p < 0)
			break;
		if (small_space(sc, p) && !(sc->tk[p].flags & F_NL)) {
			p--;
			gap = 1;
		}
		if (p < 0)
			break;
		if (is_type(sc, p, T_WORD) &&
		    ((word_in(sc, p, back_particles) &&
		      (particles || word_capital(sc, p))) || is_initial(sc, p))) {
			start = p;
			j = p;
			steps++;
			continue;
		}
		/* v.d. Berg, J. de Vries, v/d Berg: a letter or two and a dot. */
		if (is_type(sc, p, T_PUNCT) &&
		    (sc->tk[p].cp == '.' || sc->tk[p].cp == '/') &&
		    is_type(sc, p - 1, T_WORD) && sc->tk[p - 1].fl <= 2 &&
		    (is_initial(sc, p - 1) || word_in(sc, p - 1, back_particles))) {
			start = p - 1;
			j = p - 1;
			steps++;
			continue;
		}
		/* 't Hart */
		if (!gap && is_type(sc, p, T_PUNCT) &&
		    (sc->tk[p].cp == '\'' || sc->tk[p].cp == 0x2019)) {
			start = p;
			j = p;
			steps++;
			continue;
		}
		/* A hyphen-glued other part of a double name. */
		if (!gap && is_punct(sc, p, '-') && word_capital(sc, p - 1)) {
			start = p - 1;
			j = p - 1;
			steps++;
			continue;
		}
		break;
	}
	return start;
}

/* After a surname: ", J." or ", J.P. de" (surname first), or "-Jansen". */
static long
extend_forward(const struct scan *sc, long k)
{
	long j = k, end = k;

	if (is_punct(sc, k + 1, '-') && word_capital(sc, k + 2))
		end = j = k + 2;
	if (is_punct(sc, j + 1, ',') && small_space(sc, j + 2)) {
		long q = j + 3;
		int inits = 0, steps = 0;

		while (q < NTK(sc) && steps < 8) {
			if (is_initial(sc, q)) {
				inits++;
				end = q;
				if (is_punct(sc, q + 1, '.')) {
					end = q + 1;
					q += 2;
				} else {
					q++;
				}
				if (small_space(sc, q))
					q++;
				steps++;
				continue;
			}
			if (inits > 0 && word_in(sc, q, tussen_words)) {
				end = q;
				q++;
				if (small_space(sc, q))
					q++;
				steps++;
				continue;
			}
			break;
		}
	}
	return end;
}

/* May token i match a name with one typing error? 0 no, 1 yes, 2 yes but
 * it is lower case (stricter). */
static int
names_typo_ok(const struct scan *sc, long i)
{
	if (sc->tk[i].flags & F_UPPER)
		return 1;
	if (word_in(sc, i, common_words))
		return 0;
	return (sc->tk[i].flags & F_CAP) ? 1 : 2;
}

static void
scan_names(struct scan *sc)
{
	const struct scrub_names *nm = sc->names;
	long i;

	if (nm == NULL || nm->count == 0)
		return;
	for (i = 0; i < NTK(sc); i++) {
		const char *f;
		size_t fl, p;
		int hit = 0, typo_ok;

		if (!is_type(sc, i, T_WORD))
			continue;
		f = tf(sc, i);
		fl = sc->tk[i].fl;
		/* Acronyms: JdV, J.d.V., JVDB. */
		if (nm->nacro > 0 && (sc->tk[i].flags & F_ASCII) && fl <= 8) {
			char a[ACRO_MAX];
			size_t al = 0, uppers = 0;
			long k = i, last = i;

			while (k < NTK(sc) && al < ACRO_MAX - 1) {
				if (is_type(sc, k, T_WORD) && (sc->tk[k].flags & F_ASCII) &&
				    sc->tk[k].fl + al < ACRO_MAX - 1) {
					size_t b;

					for (b = sc->tk[k].s; b < sc->tk[k].e; b++) {
						char c = sc->t[b];

						if (c >= 'A' && c <= 'Z') {
							uppers++;
							c = (char)(c + 32);
						}
						a[al++] = c;
					}
					last = k;
					if (is_punct(sc, k + 1, '.') && is_type(sc, k + 2, T_WORD) &&
					    sc->tk[k + 2].fl <= 2) {
						last = k + 1;
						k += 2;
						continue;
					}
					if (is_punct(sc, k + 1, '.'))
						last = k + 1;
				}
				break;
			}
			if (al >= 2 && uppers >= 2) {
				size_t q;

				for (q = 0; q < nm->nacro; q++) {
					if (strlen(nm->acro[q]) == al &&
					    memcmp(nm->acro[q], a, al) == 0) {
						mark(sc, i, last, SCRUB_CAT_NAAM);
						hit = 1;
						break;
					}
				}
				if (hit) {
					i = last;
					continue;
				}
			}
		}
		if (fl < 2)
			continue;
		typo_ok = names_typo_ok(sc, i);
		for (p = 0; p < nm->nparts; p++) {
			const struct name_part *np = &nm->parts[p];

			if (!part_match(f, fl, np, typo_ok))
				continue;
			if (np->kind == PART_SUR) {
				long s = extend_back(sc, i, np->particle);
				long e = extend_forward(sc, i);

				mark(sc, s, e, SCRUB_CAT_NAAM);
			} else {
				/* A first name may carry initials in front,
				 * and another first name glued by a hyphen
				 * (Anna-Sophie). */
				long s = i, e = i;

				if (is_punct(sc, i - 2, '.') && small_space(sc, i - 1) &&
				    !(sc->tk[i - 1].flags & F_NL) && is_initial(sc, i - 3))
					s = i - 3;
				if (s == i && is_punct(sc, i - 1, '-') && word_capital(sc, i - 2))
					s = i - 2;
				if (is_punct(sc, i + 1, '-') && word_capital(sc, i + 2))
					e = i + 2;
				mark(sc, s, e, SCRUB_CAT_NAAM);
			}
			hit = 1;
			break;
		}
		(void)hit;
	}
}

/* ------------------------------------------------------------------ */
/* Titled and role-prefixed names.                                      */

static void
scan_titles(struct scan *sc)
{
	long i;

	for (i = 0; i < NTK(sc); i++) {
		int strict, role;
		long j, e, k;

		if (!is_type(sc, i, T_WORD))
			continue;
		strict = word_in(sc, i, titles_strict);
		role = !strict && word_in(sc, i, titles_role);
		if (!strict && !role)
			continue;
		j = i + 1;
		/* de vader, Ahmed, kwam: a name in apposition. */
		if (is_punct(sc, j, ',') && small_space(sc, j + 1) &&
		    word_capital(sc, j + 2) && !word_in(sc, j + 2, common_words) &&
		    !word_in(sc, j + 2, place_words)) {
			long e2 = cap_chain(sc, j + 2, 4, 0);

			if (e2 >= 0 && (is_punct(sc, e2 + 1, ',') || is_punct(sc, e2 + 1, ')'))) {
				mark(sc, j + 2, e2, SCRUB_CAT_NAAM);
				i = e2;
				continue;
			}
		}
		if ((is_punct(sc, j, '.') && word_in(sc, i, titles_dotted)) ||
		    is_punct(sc, j, ':'))
			j++;
		if (!small_space(sc, j) || (sc->tk[j].flags & F_NL))
			continue;
		j++;
		/* oma (Truus) */
		if (is_punct(sc, j, '(') && word_capital(sc, j + 1))
			j++;
		/* achternaam is Haddou */
		if ((word_is(sc, j, "is") || word_is(sc, j, "was")) &&
		    ends_with_any((const char *const[]){ "naam", NULL }, tf(sc, i),
				  sc->tk[i].fl, 0) && nx(sc, j) > 0)
			j = nx(sc, j);
		if (!is_type(sc, j, T_WORD))
			continue;
		/* Initials: mw. J. Jansen, dhr. A.B. de Boer. */
		e = -1;
		k = j;
		{
			long lastinit = -1;
			int steps = 0;

			while (is_initial(sc, k) && is_punct(sc, k + 1, '.') && steps < 6) {
				lastinit = k + 1;
				k += 2;
				if (small_space(sc, k))
					k++;
				steps++;
			}
			if (lastinit >= 0)
				e = lastinit;
		}
		/* Particles: mevrouw van Beek, moeder de Vries. After a role
		 * word only the capitalised name is marked (de moeder van
		 * Jan). */
		if (word_in(sc, k, back_particles) && (e >= 0 || strict ||
							!word_capital(sc, k))) {
			long q = k;
			int steps = 0;

			while (word_in(sc, q, back_particles) && steps < 4 && nx(sc, q) > 0) {
				q = nx(sc, q);
				steps++;
			}
			if (!word_capital(sc, q) || (role && word_in(sc, q, place_words)))
				continue;
			if (role && e < 0)
				j = q;
			e = cap_chain(sc, q, 4, 0);
			if (e < 0)
				e = q;
		} else if (e >= 0) {
			long c = word_capital(sc, k) ? cap_chain(sc, k, 4, 0) : -1;

			if (c < 0 && word_capital(sc, k))
				c = k;
			if (c >= 0)
				e = c;
		} else {
			/* A place after a role word is no name (familie
			 * Venlo is unlikely, but oma Venlo is no person);
			 * after a title it is one (mevrouw Beek). */
			if ((role && word_in(sc, k, place_words)) ||
			    word_in(sc, k, titles_strict) || word_in(sc, k, titles_role))
				continue;
			if (word_capital(sc, k)) {
				e = cap_chain(sc, k, 5, 0);
				/* A capitalised word right after a strict
				 * title is a name even if it is also a word
				 * (mevrouw Groot). */
				if (e < 0 && strict)
					e = k;
			} else if (strict && !word_in(sc, k, common_words) &&
				   !word_in(sc, k, tussen_words) && sc->tk[k].fl >= 2) {
				e = k;
			}
		}
		if (e < 0)
			continue;
		mark(sc, j, e, SCRUB_CAT_NAAM);
		i = e;
	}
}

/* Sanne (14), de zoon (9 jaar): an age in brackets after a name or a
 * person. Runs after the names so that a redacted name counts. */
static void
scan_bracket_ages(struct scan *sc)
{
	long i;

	for (i = 1; i + 2 < NTK(sc); i++) {
		long p, e;

		if (!is_punct(sc, i, '(') || !is_type(sc, i + 1, T_NUM) ||
		    tlen(sc, i + 1) > 3 || num_val(sc, i + 1) > 120 || marked(sc, i + 1))
			continue;
		e = i + 2;
		if (small_space(sc, e) && (word_is(sc, e + 1, "jaar") ||
					   word_is(sc, e + 1, "jr") ||
					   word_is(sc, e + 1, "mnd") ||
					   word_is(sc, e + 1, "maanden")))
			e += 2;
		if (!is_punct(sc, e, ')'))
			continue;
		p = pv(sc, i);
		if (p < 0)
			continue;
		if ((is_type(sc, p, T_PH) && tlen(sc, p) == 6 &&
		     memcmp(sc->t + sc->tk[p].s, "[NAAM]", 6) == 0) ||
		    (is_type(sc, p, T_WORD) && marked(sc, p) &&
					     sc->mk[sc->tk[p].s] == SCRUB_CAT_NAAM) ||
		    word_in(sc, p, person_nouns) || word_in(sc, p, titles_role) ||
		    (word_capital(sc, p) && !word_in(sc, p, common_words) && e > i + 2) ||
		    (word_capital(sc, p) && !word_in(sc, p, common_words) &&
		     !word_in(sc, p, place_words)))
			mark(sc, i + 1, e - 1, SCRUB_CAT_LEEFTIJD);
	}
}

/* ------------------------------------------------------------------ */
/* What is left: patterns that may be personal but were not classified. */

static void
scan_residual(struct scan *sc)
{
	long i;
	size_t b;

	for (b = 0; b < sc->len && !sc->refused; b++) {
		if (sc->t[b] == '@' && !sc->mk[b] && b > 0 && b + 1 < sc->len &&
		    b_alnum((unsigned char)sc->t[b - 1]) &&
		    b_alnum((unsigned char)sc->t[b + 1]))
			refuse(sc, SCRUB_REFUSE_RESIDUAL, b, SCRUB_CAT_EMAIL);
	}
	for (i = 0; i < NTK(sc) && !sc->refused; i++) {
		/* jan (at) gmail punt com */
		if ((is_punct(sc, i, '(') || is_punct(sc, i, '[') || is_punct(sc, i, '{')) &&
		    word_is(sc, i + 1, "at") &&
		    (is_punct(sc, i + 2, ')') || is_punct(sc, i + 2, ']') ||
		     is_punct(sc, i + 2, '}')))
			refuse(sc, SCRUB_REFUSE_RESIDUAL, sc->tk[i].s, SCRUB_CAT_EMAIL);
		/* geboortedatum: followed by something that is no date. */
		if ((word_is(sc, i, "geboortedatum") || word_is(sc, i, "geb.datum") ||
		     word_is(sc, i, "gebdatum")) && is_punct(sc, i + 1, ':')) {
			long j = nx(sc, i + 1);

			if (j > 0 && !marked(sc, j))
				refuse(sc, SCRUB_REFUSE_RESIDUAL, sc->tk[j].s,
				       SCRUB_CAT_DATUM);
		}
	}
	for (i = 0; i < NTK(sc) && !sc->refused; i++) {
		struct chain ch;
		long s = i;

		if (is_punct(sc, i, '+') && is_type(sc, i + 1, T_NUM))
			s = i + 1;
		else if (!is_type(sc, i, T_NUM) || sc->t[sc->tk[i].s] != '0' ||
			 glued_left(sc, i) || is_sep(sc, i - 1, " -.") ||
			 is_punct(sc, i - 1, '('))
			continue;
		if (marked(sc, s))
			continue;
		read_chain(sc, s, " -./()", &ch);
		if (ch.n > 0 && ch.cum[ch.n - 1] >= 8)
			refuse(sc, SCRUB_REFUSE_RESIDUAL, sc->tk[i].s,
			       SCRUB_CAT_TELEFOON);
		i = ch.n > 0 ? ch.tok[ch.n - 1] : i;
	}
}

/* ------------------------------------------------------------------ */
/* The driver.                                                          */

static int
check_input(const char *text, size_t len, struct scrub_report *rep)
{
	size_t i = 0;

	if (len > SCRUB_MAX_TEXT) {
		rep->refusal = SCRUB_REFUSE_TOO_LONG;
		rep->offset = SCRUB_MAX_TEXT;
		return -1;
	}
	while (i < len) {
		uint32_t c;
		size_t l = utf8_decode((const unsigned char *)text + i, len - i, &c);

		if (l == 0) {
			rep->refusal = SCRUB_REFUSE_BAD_UTF8;
			rep->offset = i;
			return -1;
		}
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F ||
		    (c >= 0x80 && c <= 0x9F)) {
			rep->refusal = SCRUB_REFUSE_CONTROL;
			rep->offset = i;
			return -1;
		}
		i += l;
	}
	return 0;
}

/* Is the gap between two NAAM runs (bytes a..b) only a space or hyphen? */
static int
joinable_gap(const char *t, size_t a, size_t b)
{
	return b - a == 1 && (t[a] == ' ' || t[a] == '-');
}

static int
emit(const struct scan *sc, char **ret_out, struct scrub_report *rep)
{
	size_t cap = sc->len + 64, o = 0, i = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return -1;
	while (i < sc->len) {
		const char *add;
		size_t al;

		if (sc->mk[i] == 0) {
			add = sc->t + i;
			al = 1;
			i++;
		} else {
			uint8_t c = sc->mk[i];

			while (i < sc->len) {
				size_t e = i;

				while (e < sc->len && sc->mk[e] == c)
					e++;
				i = e;
				if (c == SCRUB_CAT_NAAM && e + 1 < sc->len &&
				    sc->mk[e] == 0 && sc->mk[e + 1] == c &&
				    joinable_gap(sc->t, e, e + 1)) {
					i = e + 1;
					continue;
				}
				break;
			}
			add = placeholders[c];
			al = strlen(add);
			rep->found[c]++;
		}
		if (o + al + 1 > cap) {
			size_t ncap = cap * 2 + al;
			char *n2 = realloc(out, ncap);

			if (n2 == NULL) {
				free(out);
				return -1;
			}
			out = n2;
			cap = ncap;
		}
		memcpy(out + o, add, al);
		o += al;
	}
	out[o] = '\0';
	*ret_out = out;
	return 0;
}

/*
 * Scrub a text: see privacy_scrub.h.
 */
int
privacy_scrub(const char *text, size_t len, const struct scrub_names *names,
	      char **ret_out, struct scrub_report *report)
{
	struct scrub_report local;
	struct scrub_report *rep = report != NULL ? report : &local;
	struct scan sc;
	int r = -1;

	memset(rep, 0, sizeof(*rep));
	if (ret_out == NULL || (text == NULL && len > 0)) {
		rep->refusal = SCRUB_REFUSE_INVALID;
		return -1;
	}
	if (text == NULL)
		text = "";
	if (check_input(text, len, rep) != 0)
		return -1;
	memset(&sc, 0, sizeof(sc));
	sc.t = text;
	sc.len = len;
	sc.names = names;
	sc.rep = rep;
	sc.tk = malloc((len + 1) * sizeof(struct tok));
	sc.fold = malloc(len + 1);
	sc.mk = calloc(len + 1, 1);
	if (sc.tk == NULL || sc.fold == NULL || sc.mk == NULL) {
		rep->refusal = SCRUB_REFUSE_NO_MEMORY;
		goto out;
	}
	if (tokenize(&sc) != 0) {
		rep->refusal = SCRUB_REFUSE_BAD_UTF8;
		goto out;
	}
	scan_email_url(&sc);
	scan_iban(&sc);
	scan_phone(&sc);
	scan_dates(&sc);
	scan_postcodes(&sc);
	scan_addresses(&sc);
	scan_ages(&sc);
	scan_bsn(&sc);
	scan_keyed_numbers(&sc);
	scan_long_numbers(&sc);
	scan_social(&sc);
	scan_schools(&sc);
	scan_names(&sc);
	scan_titles(&sc);
	scan_bracket_ages(&sc);
	scan_residual(&sc);
	if (sc.refused)
		goto out;
	if (emit(&sc, ret_out, rep) != 0) {
		memset(rep->found, 0, sizeof(rep->found));
		rep->refusal = SCRUB_REFUSE_NO_MEMORY;
		goto out;
	}
	r = 0;
out:
	free(sc.tk);
	free(sc.fold);
	free(sc.mk);
	return r;
}

/*
 * True when scrubbing text again changes nothing.
 */
int
privacy_scrub_is_stable(const char *text, size_t len,
			const struct scrub_names *names)
{
	char *out = NULL;
	int same;

	if (privacy_scrub(text, len, names, &out, NULL) != 0)
		return 0;
	same = strlen(out) == len && (len == 0 || memcmp(out, text, len) == 0);
	free(out);
	return same;
}
