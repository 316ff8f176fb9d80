/*
 * node_config: parse the node/desk configuration with libinih.
 *
 * libinih reads the text line by line through our reader, which counts
 * lines (so every error can name its line), refuses lines longer than
 * inih's buffer instead of letting inih split them, and sees section
 * headers before inih does (so an empty or unknown section is an error
 * too). The handler fills a temporary struct that is returned only when the
 * whole text was valid.
 */
#include "node_config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define ENDPOINT_MAX 256

enum section {
	SEC_NONE = 0,
	SEC_NODE,
	SEC_RELAY,
	SEC_PARTY,
	SEC_OVERLEG,
};

/* Bits of the keys seen in a section, to find duplicates and gaps. */
enum {
	K_PARTY = 1u << 0,
	K_BEN = 1u << 1,
	K_DATABASE = 1u << 2,
	K_KEY_FILE = 1u << 3,
	K_LOG_LEVEL = 1u << 4,
	K_SUPPRESSION = 1u << 5,
	K_ENDPOINT = 1u << 6,
	K_TRANSPORT_KEY = 1u << 7,
	K_SIGNING_KEY = 1u << 8,
	K_PSEUDONYM_LABEL = 1u << 9,
	K_EVALUATION_DAYS = 1u << 10,
	K_DECLARE = 1u << 11,
};

/* [overleg] rate_YYYY keys: at most this many years. */
#define OVERLEG_RATES_MAX 64

struct overleg_rate {
	int year;
	int64_t cents; /* per hour */
};

struct party_entry {
	char id[PARTY_ID_MAX];
	uint8_t sign_pk[32];
	char ben[NODE_CONFIG_SLUG_MAX];
	char transport_key[KEYFILE_Z85_LEN + 1];
	unsigned line;
	unsigned seen;
};

struct node_config {
	char party[PARTY_ID_MAX];
	char ben[NODE_CONFIG_SLUG_MAX];
	char *database;
	char *key_file;
	enum log_level log_level;
	int suppression_threshold;
	char pseudonym_label[NODE_CONFIG_LABEL_MAX];
	char relay_endpoint[ENDPOINT_MAX];
	char relay_party[PARTY_ID_MAX];
	char relay_transport_key[KEYFILE_Z85_LEN + 1];
	struct party_entry *parties;
	size_t n_parties;
	struct keyfile keys;
	int have_keys;
	/* [overleg]: the evaluation-form rule and the declaration rates. */
	int evaluation_days;
	int declare_all;
	struct overleg_rate rates[OVERLEG_RATES_MAX];
	size_t n_rates;
};

struct parse_state {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;
	const char *name;
	const char *basedir;
	enum section cur;
	unsigned node_line, relay_line;
	unsigned node_seen, relay_seen;
	unsigned overleg_line, overleg_seen;
	unsigned err_line;
	char err[256];
	int nomem;
	struct node_config *cfg;
};

static void
fail(struct parse_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->err_line != 0)
		return;
	st->err_line = st->line == 0 ? 1 : st->line;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

static int
slug_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NODE_CONFIG_SLUG_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int
endpoint_valid(const char *s)
{
	size_t n = strlen(s);
	const char *colon, *p;
	long port = 0;

	if (n == 0 || n >= ENDPOINT_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	if (strncmp(s, "ipc://", 6) == 0)
		return n > 6;
	if (strncmp(s, "tcp://", 6) != 0)
		return 0;
	colon = strrchr(s + 6, ':');
	if (colon == NULL || colon == s + 6 || colon[1] == '\0')
		return 0;
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		port = port * 10 + (*p - '0');
		if (port > 65535)
			return 0;
	}
	return port > 0;
}

/* Join basedir and a relative path; absolute paths are kept. */
static char *
resolve_path(const char *basedir, const char *value)
{
	size_t need;
	char *out;

	if (value[0] == '/' || basedir == NULL || basedir[0] == '\0')
		return strdup(value);
	need = strlen(basedir) + 1 + strlen(value) + 1;
	if (need > PATH_MAX)
		return NULL;
	out = malloc(need);
	if (out != NULL)
		snprintf(out, need, "%s/%s", basedir, value);
	return out;
}

static int
set_path(struct parse_state *st, char **dst, const char *key,
	 const char *value)
{
	char *p;

	if (strlen(value) >= PATH_MAX) {
		fail(st, "%s is longer than %d characters", key, PATH_MAX - 1);
		return 0;
	}
	p = resolve_path(st->basedir, value);
	if (p == NULL) {
		fail(st, "%s: path too long or out of memory", key);
		return 0;
	}
	free(*dst);
	*dst = p;
	return 1;
}

static int
mark_seen(struct parse_state *st, unsigned *seen, unsigned bit,
	  const char *key)
{
	if (*seen & bit) {
		fail(st, "key '%s' given twice in this section", key);
		return 0;
	}
	*seen |= bit;
	return 1;
}

static int
handle_node(struct parse_state *st, const char *key, const char *value)
{
	struct node_config *cfg = st->cfg;

	if (strcmp(key, "party") == 0) {
		enum party_role r = party_role_of(value);
		if (!mark_seen(st, &st->node_seen, K_PARTY, key))
			return 0;
		if (r != PARTY_REGION && r != PARTY_DESK) {
			fail(st, "party must be a region:<slug> or desk:<slug> id, not '%.60s'",
			     value);
			return 0;
		}
		snprintf(cfg->party, sizeof(cfg->party), "%s", value);
	} else if (strcmp(key, "ben") == 0) {
		if (!mark_seen(st, &st->node_seen, K_BEN, key))
			return 0;
		if (!slug_valid(value)) {
			fail(st, "ben must be a slug of 1..40 characters a-z, 0-9 and '-', not '%.60s'",
			     value);
			return 0;
		}
		snprintf(cfg->ben, sizeof(cfg->ben), "%s", value);
	} else if (strcmp(key, "database") == 0) {
		if (!mark_seen(st, &st->node_seen, K_DATABASE, key))
			return 0;
		if (value[0] == '\0') {
			fail(st, "database must not be empty");
			return 0;
		}
		return set_path(st, &cfg->database, key, value);
	} else if (strcmp(key, "key_file") == 0) {
		if (!mark_seen(st, &st->node_seen, K_KEY_FILE, key))
			return 0;
		if (value[0] == '\0') {
			fail(st, "key_file must not be empty");
			return 0;
		}
		return set_path(st, &cfg->key_file, key, value);
	} else if (strcmp(key, "log_level") == 0) {
		if (!mark_seen(st, &st->node_seen, K_LOG_LEVEL, key))
			return 0;
		if (log_level_parse(value, &cfg->log_level) != 0) {
			fail(st, "log_level must be err, warning, notice, info or debug, not '%.40s'",
			     value);
			return 0;
		}
	} else if (strcmp(key, "suppression_threshold") == 0) {
		char *end = NULL;
		long v;
		if (!mark_seen(st, &st->node_seen, K_SUPPRESSION, key))
			return 0;
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 3 ||
		    v > 100) {
			fail(st, "suppression_threshold must be a whole number from 3 to 100, not '%.40s'",
			     value);
			return 0;
		}
		cfg->suppression_threshold = (int)v;
	} else if (strcmp(key, "pseudonym_label") == 0) {
		size_t i, n = strlen(value);

		if (!mark_seen(st, &st->node_seen, K_PSEUDONYM_LABEL, key))
			return 0;
		for (i = 0; i < n; i++)
			if (!((value[i] >= 'a' && value[i] <= 'z') ||
			      (value[i] >= '0' && value[i] <= '9')))
				break;
		if (n < 1 || n >= NODE_CONFIG_LABEL_MAX || i != n) {
			fail(st, "pseudonym_label must be 1 to 8 characters of "
			     "a-z and 0-9, not '%.40s'", value);
			return 0;
		}
		memcpy(cfg->pseudonym_label, value, n + 1);
	} else {
		fail(st, "unknown key '%.60s' in [node]", key);
		return 0;
	}
	return 1;
}

static int
handle_relay(struct parse_state *st, const char *key, const char *value)
{
	struct node_config *cfg = st->cfg;

	if (strcmp(key, "endpoint") == 0) {
		if (!mark_seen(st, &st->relay_seen, K_ENDPOINT, key))
			return 0;
		if (!endpoint_valid(value)) {
			fail(st, "endpoint must look like tcp://HOST:PORT or ipc://PATH, not '%.60s'",
			     value);
			return 0;
		}
		snprintf(cfg->relay_endpoint, sizeof(cfg->relay_endpoint),
			 "%s", value);
	} else if (strcmp(key, "party") == 0) {
		if (!mark_seen(st, &st->relay_seen, K_PARTY, key))
			return 0;
		if (party_role_of(value) != PARTY_RELAY) {
			fail(st, "relay party must be a relay:<slug> id, not '%.60s'",
			     value);
			return 0;
		}
		snprintf(cfg->relay_party, sizeof(cfg->relay_party), "%s",
			 value);
	} else if (strcmp(key, "transport_key") == 0) {
		if (!mark_seen(st, &st->relay_seen, K_TRANSPORT_KEY, key))
			return 0;
		if (keyfile_parse_transport_public(value) != 0) {
			fail(st, "transport_key must be 40 Z85 characters");
			return 0;
		}
		snprintf(cfg->relay_transport_key,
			 sizeof(cfg->relay_transport_key), "%s", value);
	} else {
		fail(st, "unknown key '%.60s' in [relay]", key);
		return 0;
	}
	return 1;
}

static int
handle_party(struct parse_state *st, const char *key, const char *value)
{
	struct party_entry *p = &st->cfg->parties[st->cfg->n_parties - 1];

	if (strcmp(key, "signing_key") == 0) {
		if (!mark_seen(st, &p->seen, K_SIGNING_KEY, key))
			return 0;
		if (keyfile_parse_signing_public(value, p->sign_pk) != 0) {
			fail(st, "signing_key must be 64 hexadecimal digits");
			return 0;
		}
	} else if (strcmp(key, "transport_key") == 0) {
		if (!mark_seen(st, &p->seen, K_TRANSPORT_KEY, key))
			return 0;
		if (keyfile_parse_transport_public(value) != 0) {
			fail(st, "transport_key must be 40 Z85 characters");
			return 0;
		}
		snprintf(p->transport_key, sizeof(p->transport_key), "%s",
			 value);
	} else if (strcmp(key, "ben") == 0) {
		if (!mark_seen(st, &p->seen, K_BEN, key))
			return 0;
		if (!slug_valid(value)) {
			fail(st, "ben must be a slug of 1..40 characters a-z, 0-9 and '-', not '%.60s'",
			     value);
			return 0;
		}
		snprintf(p->ben, sizeof(p->ben), "%s", value);
	} else {
		fail(st, "unknown key '%.60s' in [party %s]", key, p->id);
		return 0;
	}
	return 1;
}

/*
 * "122.50" or "122" or "122,50" as cents, 0..100000.00. Returns 0 or -1.
 */
static int
parse_euros(const char *v, int64_t *ret_cents)
{
	int64_t euros = 0, cents = 0;
	size_t i = 0, digits = 0;

	for (; v[i] >= '0' && v[i] <= '9' && digits < 7; i++, digits++)
		euros = euros * 10 + (v[i] - '0');
	if (digits == 0 || euros > 100000)
		return -1;
	if (v[i] == '.' || v[i] == ',') {
		size_t d = 0;
		for (i++; v[i] >= '0' && v[i] <= '9' && d < 2; i++, d++)
			cents = cents * 10 + (v[i] - '0');
		if (d == 0)
			return -1;
		if (d == 1)
			cents *= 10;
	}
	if (v[i] != '\0')
		return -1;
	*ret_cents = euros * 100 + cents;
	return 0;
}

static int
handle_overleg(struct parse_state *st, const char *key, const char *value)
{
	struct node_config *cfg = st->cfg;

	if (strcmp(key, "evaluation_days") == 0) {
		char *end = NULL;
		long v;
		if (!mark_seen(st, &st->overleg_seen, K_EVALUATION_DAYS, key))
			return 0;
		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < 0 ||
		    v > 60) {
			fail(st, "evaluation_days must be a whole number from 0 to 60, not '%.40s'",
			     value);
			return 0;
		}
		cfg->evaluation_days = (int)v;
	} else if (strcmp(key, "declare") == 0) {
		if (!mark_seen(st, &st->overleg_seen, K_DECLARE, key))
			return 0;
		if (strcmp(value, "kern") == 0) {
			cfg->declare_all = 0;
		} else if (strcmp(value, "all") == 0) {
			cfg->declare_all = 1;
		} else {
			fail(st, "declare must be kern or all, not '%.40s'", value);
			return 0;
		}
	} else if (strncmp(key, "rate_", 5) == 0) {
		const char *y = key + 5;
		int64_t cents;
		int year;

		if (strlen(y) != 4 || y[0] < '1' || y[0] > '2' ||
		    y[1] < '0' || y[1] > '9' || y[2] < '0' || y[2] > '9' ||
		    y[3] < '0' || y[3] > '9') {
			fail(st, "'%.60s': a rate key is rate_YYYY (a year 1900..2199)",
			     key);
			return 0;
		}
		year = (y[0] - '0') * 1000 + (y[1] - '0') * 100 +
		       (y[2] - '0') * 10 + (y[3] - '0');
		if (year < 1900 || year > 2199) {
			fail(st, "'%.60s': a rate key is rate_YYYY (a year 1900..2199)",
			     key);
			return 0;
		}
		for (size_t i = 0; i < cfg->n_rates; i++) {
			if (cfg->rates[i].year == year) {
				fail(st, "key '%s' given twice in this section", key);
				return 0;
			}
		}
		if (cfg->n_rates >= OVERLEG_RATES_MAX) {
			fail(st, "more than %d rate_YYYY keys", OVERLEG_RATES_MAX);
			return 0;
		}
		if (parse_euros(value, &cents) != 0) {
			fail(st, "%s must be an amount in euros per hour such as 122.50, not '%.40s'",
			     key, value);
			return 0;
		}
		cfg->rates[cfg->n_rates].year = year;
		cfg->rates[cfg->n_rates].cents = cents;
		cfg->n_rates++;
	} else {
		fail(st, "unknown key '%.60s' in [overleg]", key);
		return 0;
	}
	return 1;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;

	(void)section; /* the reader tracks sections, with their lines */
	if (st->err_line != 0)
		return 0;
	switch (st->cur) {
	case SEC_NODE:
		return handle_node(st, key, value);
	case SEC_RELAY:
		return handle_relay(st, key, value);
	case SEC_PARTY:
		return handle_party(st, key, value);
	case SEC_OVERLEG:
		return handle_overleg(st, key, value);
	case SEC_NONE:
		break;
	}
	fail(st, "key '%.60s' outside a section", key);
	return 0;
}

/* A section header line: "[node]", "[relay]" or "[party ID]". */
static void
section_line(struct parse_state *st, const char *line, size_t n)
{
	char name[128];
	const char *end = memchr(line, ']', n);
	size_t len;
	char *s, *e;

	if (end == NULL) {
		fail(st, "section header without ']'");
		return;
	}
	for (const char *t = end + 1; t < line + n; t++) {
		if (*t == ';' || *t == '#')
			break;
		if (*t != ' ' && *t != '\t' && *t != '\r') {
			fail(st, "text after the section header");
			return;
		}
	}
	len = (size_t)(end - line - 1);
	if (len >= sizeof(name)) {
		fail(st, "section name too long");
		return;
	}
	memcpy(name, line + 1, len);
	name[len] = '\0';
	s = name;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (strcmp(s, "node") == 0) {
		if (st->node_line != 0) {
			fail(st, "second [node] section (first on line %u)",
			     st->node_line);
			return;
		}
		st->node_line = st->line;
		st->cur = SEC_NODE;
	} else if (strcmp(s, "relay") == 0) {
		if (st->relay_line != 0) {
			fail(st, "second [relay] section (first on line %u)",
			     st->relay_line);
			return;
		}
		st->relay_line = st->line;
		st->cur = SEC_RELAY;
	} else if (strcmp(s, "overleg") == 0) {
		if (st->overleg_line != 0) {
			fail(st, "second [overleg] section (first on line %u)",
			     st->overleg_line);
			return;
		}
		st->overleg_line = st->line;
		st->cur = SEC_OVERLEG;
	} else if (strncmp(s, "party", 5) == 0 && (s[5] == ' ' || s[5] == '\t')) {
		struct node_config *cfg = st->cfg;
		struct party_entry *grown, *p;
		char *id = s + 6;

		while (*id == ' ' || *id == '\t')
			id++;
		if (!party_id_valid(id)) {
			fail(st, "[party ID]: '%.60s' is not a party id (region:, desk: or relay: and a slug)",
			     id);
			return;
		}
		for (size_t i = 0; i < cfg->n_parties; i++) {
			if (strcmp(cfg->parties[i].id, id) == 0) {
				fail(st, "second [party %s] section", id);
				return;
			}
		}
		if (cfg->n_parties >= NODE_CONFIG_MAX_PARTIES) {
			fail(st, "more than %d [party] sections",
			     NODE_CONFIG_MAX_PARTIES);
			return;
		}
		grown = realloc(cfg->parties,
				(cfg->n_parties + 1) * sizeof(*grown));
		if (grown == NULL) {
			st->nomem = 1;
			fail(st, "out of memory");
			return;
		}
		cfg->parties = grown;
		p = &cfg->parties[cfg->n_parties++];
		memset(p, 0, sizeof(*p));
		snprintf(p->id, sizeof(p->id), "%s", id);
		p->line = st->line;
		st->cur = SEC_PARTY;
	} else {
		fail(st, "unknown section [%.60s] (expected [node], [relay], [overleg] or [party ID])",
		     s);
	}
}

/*
 * fgets-like reader over the text: one line per call, counted. A line that
 * does not fit inih's buffer or holds a NUL byte stops the parse.
 */
static char *
reader(char *buf, int num, void *stream)
{
	struct parse_state *st = stream;
	size_t start = st->pos, n = 0, room;
	const char *line;

	if (st->err_line != 0 || st->pos >= st->len || num < 4)
		return NULL;
	st->line++;
	line = st->text + start;
	while (start + n < st->len && line[n] != '\n') {
		if (line[n] == '\0') {
			fail(st, "NUL byte in configuration");
			return NULL;
		}
		n++;
	}
	st->pos = start + n + (start + n < st->len ? 1 : 0);
	room = (size_t)num - 3; /* inih wants room for '\r', '\n', NUL */
	if (n > room) {
		fail(st, "line longer than %zu characters", room);
		return NULL;
	}
	memcpy(buf, line, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	{
		size_t i = 0;
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		/* A UTF-8 byte order mark is allowed on the first line. */
		if (st->line == 1 && n - i >= 3 &&
		    memcmp(line + i, "\xEF\xBB\xBF", 3) == 0)
			i += 3;
		if (i < n && line[i] == '[')
			section_line(st, line + i, n - i);
	}
	if (st->err_line != 0)
		return NULL;
	return buf;
}

static int
check_complete(struct parse_state *st)
{
	static const struct {
		unsigned bit;
		const char *key;
	} node_req[] = {{K_PARTY, "party"},
			{K_BEN, "ben"},
			{K_DATABASE, "database"},
			{K_KEY_FILE, "key_file"}},
	  relay_req[] = {{K_ENDPOINT, "endpoint"},
			 {K_PARTY, "party"},
			 {K_TRANSPORT_KEY, "transport_key"}};
	struct node_config *cfg = st->cfg;

	if (st->node_line == 0) {
		st->line = st->line == 0 ? 1 : st->line;
		fail(st, "missing [node] section");
		return 0;
	}
	for (size_t i = 0; i < sizeof(node_req) / sizeof(node_req[0]); i++) {
		if (!(st->node_seen & node_req[i].bit)) {
			st->line = st->node_line;
			fail(st, "[node] needs '%s'", node_req[i].key);
			return 0;
		}
	}
	if (st->relay_line == 0) {
		fail(st, "missing [relay] section");
		return 0;
	}
	for (size_t i = 0; i < sizeof(relay_req) / sizeof(relay_req[0]); i++) {
		if (!(st->relay_seen & relay_req[i].bit)) {
			st->line = st->relay_line;
			fail(st, "[relay] needs '%s'", relay_req[i].key);
			return 0;
		}
	}
	for (size_t i = 0; i < cfg->n_parties; i++) {
		const struct party_entry *p = &cfg->parties[i];
		if (!(p->seen & K_SIGNING_KEY) || !(p->seen & K_BEN)) {
			st->line = p->line;
			fail(st, "[party %s] needs '%s'", p->id,
			     (p->seen & K_SIGNING_KEY) ? "ben" : "signing_key");
			return 0;
		}
	}
	return 1;
}

struct node_config *
node_config_parse(const char *text, size_t len, const char *name,
		  const char *basedir, char *errbuf, size_t errlen)
{
	struct parse_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.text = text;
	st.len = len;
	st.name = name != NULL ? name : "config";
	st.basedir = basedir;
	if (len > NODE_CONFIG_MAX_SIZE) {
		snprintf(errbuf, errlen, "%s: larger than %d bytes", st.name,
			 NODE_CONFIG_MAX_SIZE);
		return NULL;
	}
	st.cfg = calloc(1, sizeof(*st.cfg));
	if (st.cfg == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", st.name);
		return NULL;
	}
	st.cfg->log_level = LOG_LEVEL_INFO;
	st.cfg->suppression_threshold = NODE_CONFIG_SUPPRESSION_DEFAULT;
	st.cfg->evaluation_days = NODE_CONFIG_EVALUATION_DAYS_DEFAULT;
	memcpy(st.cfg->pseudonym_label, NODE_CONFIG_LABEL_DEFAULT,
	       sizeof(NODE_CONFIG_LABEL_DEFAULT));
	rc = ini_parse_stream(reader, &st, handler, &st);
	if (rc == -2) {
		snprintf(errbuf, errlen, "%s: out of memory", st.name);
		goto fail;
	}
	if (rc > 0 && (st.err_line == 0 || (unsigned)rc < st.err_line)) {
		snprintf(errbuf, errlen,
			 "%s:%d: expected [section] or key = value", st.name,
			 rc);
		goto fail;
	}
	if (st.err_line == 0)
		check_complete(&st);
	if (st.err_line != 0) {
		snprintf(errbuf, errlen, "%s:%u: %s", st.name, st.err_line,
			 st.err);
		goto fail;
	}
	return st.cfg;
fail:
	node_config_destroy(&st.cfg);
	return NULL;
}

struct node_config *
node_config_load(const char *path, char *errbuf, size_t errlen)
{
	struct node_config *cfg = node_config_read(path, errbuf, errlen);

	if (cfg != NULL && node_config_load_keys(cfg, errbuf, errlen) != 0)
		node_config_destroy(&cfg);
	return cfg;
}

struct node_config *
node_config_read(const char *path, char *errbuf, size_t errlen)
{
	struct node_config *cfg = NULL;
	char *text = NULL, *dir = NULL;
	const char *slash;
	struct stat sb;
	size_t got;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size > NODE_CONFIG_MAX_SIZE) {
		snprintf(errbuf, errlen, "%s: larger than %d bytes", path,
			 NODE_CONFIG_MAX_SIZE);
		goto out;
	}
	text = malloc((size_t)sb.st_size + 1);
	if (text == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	got = fread(text, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		snprintf(errbuf, errlen, "%s: read error", path);
		goto out;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		goto out;
	}
	cfg = node_config_parse(text, got, path, dir, errbuf, errlen);
out:
	fclose(f);
	free(text);
	free(dir);
	return cfg;
}

int
node_config_load_keys(struct node_config *cfg, char *errbuf, size_t errlen)
{
	struct keyfile k;
	char kerr[200];

	if (keyfile_read(cfg->key_file, &k, kerr, sizeof(kerr)) != 0) {
		snprintf(errbuf, errlen, "key file %s: %s", cfg->key_file,
			 kerr);
		return -1;
	}
	if (strcmp(k.party, cfg->party) != 0) {
		snprintf(errbuf, errlen,
			 "key file %s belongs to %s, not to %s", cfg->key_file,
			 k.party, cfg->party);
		keyfile_wipe(&k);
		return -1;
	}
	cfg->keys = k;
	cfg->have_keys = 1;
	keyfile_wipe(&k);
	return 0;
}

void
node_config_destroy(struct node_config **cfgp)
{
	struct node_config *cfg;

	if (cfgp == NULL || *cfgp == NULL)
		return;
	cfg = *cfgp;
	keyfile_wipe(&cfg->keys);
	free(cfg->database);
	free(cfg->key_file);
	free(cfg->parties);
	free(cfg);
	*cfgp = NULL;
}

const char *
node_config_party(const struct node_config *cfg)
{
	return cfg->party;
}

const char *
node_config_ben(const struct node_config *cfg)
{
	return cfg->ben;
}

enum party_role
node_config_role(const struct node_config *cfg)
{
	return party_role_of(cfg->party);
}

const char *
node_config_database(const struct node_config *cfg)
{
	return cfg->database;
}

const char *
node_config_key_file(const struct node_config *cfg)
{
	return cfg->key_file;
}

enum log_level
node_config_log_level(const struct node_config *cfg)
{
	return cfg->log_level;
}

int
node_config_suppression_threshold(const struct node_config *cfg)
{
	return cfg->suppression_threshold;
}

const char *
node_config_pseudonym_label(const struct node_config *cfg)
{
	return cfg->pseudonym_label;
}

const char *
node_config_relay_endpoint(const struct node_config *cfg)
{
	return cfg->relay_endpoint;
}

const char *
node_config_relay_party(const struct node_config *cfg)
{
	return cfg->relay_party;
}

const char *
node_config_relay_transport_key(const struct node_config *cfg)
{
	return cfg->relay_transport_key;
}

const struct keyfile *
node_config_keys(const struct node_config *cfg)
{
	return cfg->have_keys ? &cfg->keys : NULL;
}

static const struct party_entry *
find_party(const struct node_config *cfg, const char *party_id)
{
	if (party_id == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].id, party_id) == 0 &&
		    (cfg->parties[i].seen & K_SIGNING_KEY))
			return &cfg->parties[i];
	return NULL;
}

const uint8_t *
node_config_signing_key(const struct node_config *cfg, const char *party_id)
{
	const struct party_entry *p = find_party(cfg, party_id);

	return p != NULL ? p->sign_pk : NULL;
}

const char *
node_config_party_ben(const struct node_config *cfg, const char *party_id)
{
	const struct party_entry *p = find_party(cfg, party_id);

	return p != NULL ? p->ben : NULL;
}

size_t
node_config_party_count(const struct node_config *cfg)
{
	return cfg->n_parties;
}

const char *
node_config_party_at(const struct node_config *cfg, size_t i)
{
	return i < cfg->n_parties ? cfg->parties[i].id : NULL;
}

int
node_config_evaluation_days(const struct node_config *cfg)
{
	return cfg->evaluation_days;
}

int
node_config_declare_all(const struct node_config *cfg)
{
	return cfg->declare_all;
}

int
node_config_rate_cents(const struct node_config *cfg, int year,
		       int64_t *ret_cents)
{
	for (size_t i = 0; i < cfg->n_rates; i++) {
		if (cfg->rates[i].year == year) {
			*ret_cents = cfg->rates[i].cents;
			return 0;
		}
	}
	return -1;
}
