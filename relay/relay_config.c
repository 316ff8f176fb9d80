/* relay_config: parse the relay's INI configuration from memory. */
#include "relay_config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

/* Debian's libinih reads at most this many bytes of a line. */
#define CONFIG_LINE_MAX 200

/* Bits for the keys seen in the current section (duplicate detection). */
enum {
	SEEN_PARTY = 1 << 0,
	SEEN_BEN = 1 << 1,
	SEEN_LISTEN = 1 << 2,
	SEEN_KEY_FILE = 1 << 3,
	SEEN_DATABASE = 1 << 4,
	SEEN_ZAP_DOMAIN = 1 << 5,
	SEEN_LOG_LEVEL = 1 << 6,
	SEEN_SIGNING_KEY = 1 << 7,
	SEEN_TRANSPORT_KEY = 1 << 8,
	SEEN_ENDPOINT = 1 << 9,
	SEEN_LOG_TIMESTAMPS = 1 << 10,
	SEEN_METRICS_LISTEN = 1 << 11,
	SEEN_METRICS_FILE = 1 << 12,
	SEEN_RETENTION = 1 << 13,
	SEEN_UNCONFIRMED_MAX = 1 << 14,
};

struct parse_state {
	const char *p, *end;
	const char *name;
	const char *basedir;
	unsigned lineno;
	struct relay_config *cfg;
	size_t cap_parties;
	int in_relay;          /* current section is [relay] */
	int have_relay;
	unsigned relay_line;
	unsigned relay_seen;
	unsigned *party_seen;  /* per party, SEEN_* bits */
	unsigned err_line;     /* 0: no error yet */
	char err[RELAY_CONFIG_ERR_MAX];
};

static void fail(struct parse_state *st, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int parse_metrics_listen(const char *value, uint16_t *ret_port);

static void
fail(struct parse_state *st, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (st->err_line != 0)
		return;
	st->err_line = line ? line : 1;
	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

static int
slug_valid(const char *s)
{
	char id[PARTY_ID_MAX + 8];

	if (strlen(s) >= RELAY_CONFIG_SLUG_MAX)
		return 0;
	snprintf(id, sizeof(id), "region:%s", s);
	return party_id_valid(id);
}

static int
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

static int
resolve_path(const struct parse_state *st, char *dst, size_t cap,
	     const char *value)
{
	int n;

	if (value[0] == '\0')
		return -1;
	if (value[0] == '/' || st->basedir == NULL || st->basedir[0] == '\0')
		return copy_str(dst, cap, value);
	n = snprintf(dst, cap, "%s/%s", st->basedir, value);
	return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/* A section header line seen by the reader: open the section it names. */
static void
open_section(struct parse_state *st, char *name)
{
	struct relay_config *cfg = st->cfg;
	struct relay_party *p;
	const char *id;

	name = trim(name);
	st->in_relay = 0;
	if (strcmp(name, "relay") == 0) {
		if (st->have_relay) {
			fail(st, st->lineno, "duplicate [relay] section");
			return;
		}
		st->have_relay = 1;
		st->in_relay = 1;
		st->relay_line = st->lineno;
		return;
	}
	if (strncmp(name, "party ", 6) != 0) {
		fail(st, st->lineno, "unknown section [%s]", name);
		return;
	}
	id = trim(name + 6);
	if (!party_id_valid(id)) {
		fail(st, st->lineno,
		     "[party %s]: not a party id (region:, desk: or relay: "
		     "followed by 1..40 of a-z, 0-9, -)", id);
		return;
	}
	if (relay_config_party(cfg, id) != NULL) {
		fail(st, st->lineno, "duplicate section [party %s]", id);
		return;
	}
	if (cfg->n_parties == RELAY_CONFIG_MAX_PARTIES) {
		fail(st, st->lineno, "more than %d [party] sections",
		     RELAY_CONFIG_MAX_PARTIES);
		return;
	}
	if (cfg->n_parties == st->cap_parties) {
		size_t cap = st->cap_parties ? 2 * st->cap_parties : 16;
		struct relay_party *np =
			realloc(cfg->parties, cap * sizeof(*np));
		unsigned *ns;

		if (np == NULL) {
			fail(st, st->lineno, "out of memory");
			return;
		}
		cfg->parties = np;
		ns = realloc(st->party_seen, cap * sizeof(*ns));
		if (ns == NULL) {
			fail(st, st->lineno, "out of memory");
			return;
		}
		st->party_seen = ns;
		st->cap_parties = cap;
	}
	p = &cfg->parties[cfg->n_parties];
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->line = st->lineno;
	st->party_seen[cfg->n_parties] = 0;
	cfg->n_parties++;
}

/*
 * fgets-style reader over the memory buffer. It counts lines (libinih does
 * not tell its handler the line number), refuses lines libinih would cut,
 * and opens sections itself so that an empty section is still seen.
 */
static char *
mem_reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	const char *nl;
	size_t n, body;
	char line[CONFIG_LINE_MAX + 2];
	char *s, *close;

	if (st->err_line != 0 || st->p >= st->end)
		return NULL;
	nl = memchr(st->p, '\n', (size_t)(st->end - st->p));
	n = nl ? (size_t)(nl - st->p) + 1 : (size_t)(st->end - st->p);
	st->lineno++;
	body = nl ? n - 1 : n;
	if (body > 0 && st->p[body - 1] == '\r')
		body--;
	if (body >= CONFIG_LINE_MAX || n + 1 > (size_t)num) {
		fail(st, st->lineno, "line is longer than %d characters",
		     CONFIG_LINE_MAX - 1);
		return NULL;
	}
	if (memchr(st->p, '\0', n) != NULL) {
		fail(st, st->lineno, "line contains a NUL byte");
		return NULL;
	}
	memcpy(str, st->p, n);
	str[n] = '\0';
	st->p += n;

	memcpy(line, str, n + 1);
	s = line;
	if (st->lineno == 1 && (unsigned char)s[0] == 0xEF &&
	    (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
		s += 3;
	s = trim(s);
	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close != NULL) {
			*close = '\0';
			open_section(st, s + 1);
		}
	}
	return str;
}

static void
relay_key(struct parse_state *st, const char *key, const char *value)
{
	struct relay_config *cfg = st->cfg;
	unsigned bit;
	enum log_level lvl;

	if (strcmp(key, "party") == 0)
		bit = SEEN_PARTY;
	else if (strcmp(key, "ben") == 0)
		bit = SEEN_BEN;
	else if (strcmp(key, "listen") == 0)
		bit = SEEN_LISTEN;
	else if (strcmp(key, "key_file") == 0)
		bit = SEEN_KEY_FILE;
	else if (strcmp(key, "database") == 0)
		bit = SEEN_DATABASE;
	else if (strcmp(key, "zap_domain") == 0)
		bit = SEEN_ZAP_DOMAIN;
	else if (strcmp(key, "log_level") == 0)
		bit = SEEN_LOG_LEVEL;
	else if (strcmp(key, "log_timestamps") == 0)
		bit = SEEN_LOG_TIMESTAMPS;
	else if (strcmp(key, "metrics_listen") == 0)
		bit = SEEN_METRICS_LISTEN;
	else if (strcmp(key, "metrics_file") == 0)
		bit = SEEN_METRICS_FILE;
	else if (strcmp(key, "retention") == 0)
		bit = SEEN_RETENTION;
	else if (strcmp(key, "unconfirmed_max") == 0)
		bit = SEEN_UNCONFIRMED_MAX;
	else {
		fail(st, st->lineno, "unknown key '%s' in [relay]", key);
		return;
	}
	if (st->relay_seen & bit) {
		fail(st, st->lineno, "duplicate key '%s' in [relay]", key);
		return;
	}
	st->relay_seen |= bit;
	switch (bit) {
	case SEEN_PARTY:
		if (party_role_of(value) != PARTY_RELAY)
			fail(st, st->lineno,
			     "party must be a relay party id (relay:<slug>)");
		else
			snprintf(cfg->party, sizeof(cfg->party), "%s", value);
		break;
	case SEEN_BEN:
		if (!slug_valid(value) || copy_str(cfg->ben, sizeof(cfg->ben),
						   value) != 0)
			fail(st, st->lineno,
			     "ben must be 1..40 of a-z, 0-9, - (a BEN slug)");
		break;
	case SEEN_LISTEN:
		if ((strncmp(value, "tcp://", 6) != 0 &&
		     strncmp(value, "ipc://", 6) != 0) ||
		    strlen(value) < 8 ||
		    copy_str(cfg->listen, sizeof(cfg->listen), value) != 0)
			fail(st, st->lineno,
			     "listen must be a tcp:// or ipc:// endpoint of at "
			     "most %d characters", RELAY_CONFIG_ENDPOINT_MAX - 1);
		break;
	case SEEN_KEY_FILE:
		if (resolve_path(st, cfg->key_file, sizeof(cfg->key_file),
				 value) != 0)
			fail(st, st->lineno, "key_file is empty or too long");
		break;
	case SEEN_DATABASE:
		if (resolve_path(st, cfg->database, sizeof(cfg->database),
				 value) != 0)
			fail(st, st->lineno, "database is empty or too long");
		break;
	case SEEN_ZAP_DOMAIN: {
		size_t i, n = strlen(value);
		int ok = n > 0 && n < RELAY_CONFIG_DOMAIN_MAX;

		for (i = 0; ok && i < n; i++)
			if (value[i] <= ' ' || value[i] > '~')
				ok = 0;
		if (!ok)
			fail(st, st->lineno,
			     "zap_domain must be 1..%d printable characters "
			     "without spaces", RELAY_CONFIG_DOMAIN_MAX - 1);
		else
			memcpy(cfg->zap_domain, value, n + 1);
		break;
	}
	case SEEN_LOG_LEVEL:
		if (log_level_parse(value, &lvl) != 0)
			fail(st, st->lineno,
			     "log_level must be err, warning, notice, info or "
			     "debug");
		else
			snprintf(cfg->log_level, sizeof(cfg->log_level), "%s",
				 value);
		break;
	case SEEN_LOG_TIMESTAMPS:
		if (strcmp(value, "yes") == 0)
			cfg->log_timestamps = 1;
		else if (strcmp(value, "no") == 0)
			cfg->log_timestamps = 0;
		else
			fail(st, st->lineno, "log_timestamps must be yes or no");
		break;
	case SEEN_METRICS_LISTEN:
		if (parse_metrics_listen(value, &cfg->metrics_port) != 0 ||
		    copy_str(cfg->metrics_listen, sizeof(cfg->metrics_listen),
			     value) != 0)
			fail(st, st->lineno,
			     "metrics_listen must be 127.0.0.1:PORT (PORT "
			     "1..65535): metrics are served on loopback only");
		break;
	case SEEN_METRICS_FILE:
		if (resolve_path(st, cfg->metrics_file,
				 sizeof(cfg->metrics_file), value) != 0)
			fail(st, st->lineno, "metrics_file is empty or too long");
		break;
	case SEEN_RETENTION:
		if (relay_config_duration(value, &cfg->retention_s) != 0)
			fail(st, st->lineno,
			     "retention must be a number followed by s, m, h "
			     "or d (1s to 3650d), e.g. 30d");
		break;
	case SEEN_UNCONFIRMED_MAX:
		if (relay_config_duration(value, &cfg->unconfirmed_max_s) != 0)
			fail(st, st->lineno,
			     "unconfirmed_max must be a number followed by s, "
			     "m, h or d (1s to 3650d), e.g. 180d");
		break;
	default:
		break;
	}
}

/* "127.0.0.1:PORT": the only address the metrics endpoint may use. */
static int
parse_metrics_listen(const char *value, uint16_t *ret_port)
{
	const char *p;
	char *end = NULL;
	long port;

	if (strncmp(value, "127.0.0.1:", 10) != 0)
		return -1;
	p = value + 10;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	port = strtol(p, &end, 10);
	if (errno != 0 || end == NULL || *end != '\0' || port < 1 ||
	    port > 65535)
		return -1;
	*ret_port = (uint16_t)port;
	return 0;
}

int
relay_config_duration(const char *s, uint64_t *ret_s)
{
	char *end = NULL;
	unsigned long long n;
	uint64_t mult;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end == NULL || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (end[0]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (n == 0 || n > RELAY_CONFIG_DURATION_MAX_S / mult)
		return -1;
	*ret_s = (uint64_t)n * mult;
	return 0;
}

static void
party_key(struct parse_state *st, const char *key, const char *value)
{
	size_t idx = st->cfg->n_parties - 1;
	struct relay_party *p = &st->cfg->parties[idx];
	unsigned bit;

	if (strcmp(key, "signing_key") == 0)
		bit = SEEN_SIGNING_KEY;
	else if (strcmp(key, "transport_key") == 0)
		bit = SEEN_TRANSPORT_KEY;
	else if (strcmp(key, "ben") == 0)
		bit = SEEN_BEN;
	else if (strcmp(key, "endpoint") == 0)
		bit = SEEN_ENDPOINT;
	else {
		fail(st, st->lineno, "unknown key '%s' in [party %s]", key,
		     p->id);
		return;
	}
	if (st->party_seen[idx] & bit) {
		fail(st, st->lineno, "duplicate key '%s' in [party %s]", key,
		     p->id);
		return;
	}
	st->party_seen[idx] |= bit;
	switch (bit) {
	case SEEN_SIGNING_KEY:
		if (keyfile_parse_signing_public(value, p->signing_key) != 0)
			fail(st, st->lineno,
			     "signing_key must be 64 hex digits");
		break;
	case SEEN_TRANSPORT_KEY:
		if (keyfile_parse_transport_public(value) != 0)
			fail(st, st->lineno,
			     "transport_key must be 40 Z85 characters");
		else {
			memcpy(p->transport_key, value, KEYFILE_Z85_LEN + 1);
			p->has_transport = 1;
		}
		break;
	case SEEN_BEN:
		if (!slug_valid(value) ||
		    copy_str(p->ben, sizeof(p->ben), value) != 0)
			fail(st, st->lineno,
			     "ben must be 1..40 of a-z, 0-9, - (a BEN slug)");
		break;
	case SEEN_ENDPOINT:
		if (party_role_of(p->id) != PARTY_RELAY)
			fail(st, st->lineno,
			     "endpoint is only allowed for relay parties");
		else if (strncmp(value, "tcp://", 6) != 0 ||
			 strlen(value) < 8 ||
			 copy_str(p->endpoint, sizeof(p->endpoint), value) != 0)
			fail(st, st->lineno,
			     "endpoint must be a tcp:// endpoint of at most %d "
			     "characters", RELAY_CONFIG_ENDPOINT_MAX - 1);
		break;
	default:
		break;
	}
}

static int
ini_handler_fn(void *user, const char *section, const char *key,
	       const char *value)
{
	struct parse_state *st = user;

	if (st->err_line != 0)
		return 1;
	if (section[0] == '\0') {
		fail(st, st->lineno, "key '%s' outside of any section", key);
		return 1;
	}
	if (st->in_relay)
		relay_key(st, key, value);
	else if (st->cfg->n_parties > 0 && strncmp(section, "party ", 6) == 0)
		party_key(st, key, value);
	else
		fail(st, st->lineno, "key '%s' in an invalid section", key);
	return 1;
}

/* Whole-file rules, checked once every line is read. */
static void
finish(struct parse_state *st)
{
	struct relay_config *cfg = st->cfg;
	size_t i, j;

	if (!st->have_relay) {
		fail(st, st->lineno, "the [relay] section is missing");
		return;
	}
	if (!(st->relay_seen & SEEN_PARTY))
		fail(st, st->relay_line, "[relay] needs party");
	else if (!(st->relay_seen & SEEN_BEN))
		fail(st, st->relay_line, "[relay] needs ben");
	else if (!(st->relay_seen & SEEN_LISTEN))
		fail(st, st->relay_line, "[relay] needs listen");
	else if (!(st->relay_seen & SEEN_KEY_FILE))
		fail(st, st->relay_line, "[relay] needs key_file");
	else if (!(st->relay_seen & SEEN_DATABASE))
		fail(st, st->relay_line, "[relay] needs database");
	else if (cfg->unconfirmed_max_s < cfg->retention_s)
		fail(st, st->relay_line,
		     "[relay] unconfirmed_max must not be shorter than "
		     "retention");
	if (st->err_line)
		return;
	for (i = 0; i < cfg->n_parties; i++) {
		struct relay_party *p = &cfg->parties[i];
		unsigned seen = st->party_seen[i];
		int own = 0;

		if (!(seen & SEEN_SIGNING_KEY)) {
			fail(st, p->line, "[party %s] needs signing_key", p->id);
			return;
		}
		if (!(seen & SEEN_BEN)) {
			fail(st, p->line, "[party %s] needs ben", p->id);
			return;
		}
		own = strcmp(p->ben, cfg->ben) == 0;
		if (strcmp(p->id, cfg->party) == 0) {
			fail(st, p->line, "[party %s] is this relay itself",
			     p->id);
			return;
		}
		if (party_role_of(p->id) == PARTY_RELAY) {
			if (own) {
				fail(st, p->line,
				     "[party %s]: a peer relay must belong to "
				     "another BEN", p->id);
				return;
			}
			if (!p->has_transport) {
				fail(st, p->line,
				     "[party %s]: a peer relay needs "
				     "transport_key", p->id);
				return;
			}
		} else if (!own && p->has_transport) {
			fail(st, p->line,
			     "[party %s]: a party of another BEN cannot have a "
			     "transport_key (it connects through its own "
			     "relay)", p->id);
			return;
		}
		for (j = 0; j < i; j++) {
			if (p->has_transport && cfg->parties[j].has_transport &&
			    strcmp(p->transport_key,
				   cfg->parties[j].transport_key) == 0) {
				fail(st, p->line,
				     "[party %s] has the same transport_key as "
				     "[party %s]", p->id, cfg->parties[j].id);
				return;
			}
		}
	}
}

int
relay_config_parse(const char *text, size_t len, const char *name,
		   const char *basedir, struct relay_config **ret_cfg,
		   char *errbuf, size_t errlen)
{
	struct parse_state st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.name = name ? name : "config";
	st.basedir = basedir;
	if (len > RELAY_CONFIG_MAX_SIZE) {
		snprintf(errbuf, errlen, "%s:0: file is larger than %d bytes",
			 st.name, RELAY_CONFIG_MAX_SIZE);
		return -1;
	}
	st.p = text;
	st.end = text + len;
	st.cfg = calloc(1, sizeof(*st.cfg));
	if (st.cfg == NULL) {
		snprintf(errbuf, errlen, "%s:0: out of memory", st.name);
		return -1;
	}
	snprintf(st.cfg->zap_domain, sizeof(st.cfg->zap_domain), "retfed");
	st.cfg->retention_s = RELAY_CONFIG_RETENTION_DEFAULT_S;
	st.cfg->unconfirmed_max_s = RELAY_CONFIG_UNCONFIRMED_MAX_DEFAULT_S;
	rc = ini_parse_stream(mem_reader, &st, ini_handler_fn, &st);
	if (rc > 0 && (st.err_line == 0 || (unsigned)rc < st.err_line)) {
		st.err_line = 0;
		fail(&st, (unsigned)rc,
		     "syntax error: expected [section], key = value or a "
		     "comment");
	} else if (rc < 0 && st.err_line == 0) {
		fail(&st, 0, "out of memory");
	}
	if (st.err_line == 0)
		finish(&st);
	free(st.party_seen);
	if (st.err_line != 0) {
		snprintf(errbuf, errlen, "%s:%u: %s", st.name, st.err_line,
			 st.err);
		relay_config_destroy(&st.cfg);
		return -1;
	}
	*ret_cfg = st.cfg;
	return 0;
}

int
relay_config_load(const char *path, struct relay_config **ret_cfg,
		  char *errbuf, size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL, *dir = NULL, *slash;
	size_t n;
	struct stat sb;
	int rc = -1;

	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(errbuf, errlen, "%s:0: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(errbuf, errlen, "%s:0: not a regular file", path);
		goto out;
	}
	if (sb.st_size > RELAY_CONFIG_MAX_SIZE) {
		snprintf(errbuf, errlen, "%s:0: file is larger than %d bytes",
			 path, RELAY_CONFIG_MAX_SIZE);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		snprintf(errbuf, errlen, "%s:0: out of memory", path);
		goto out;
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (n != (size_t)sb.st_size || ferror(f)) {
		snprintf(errbuf, errlen, "%s:0: read error", path);
		goto out;
	}
	dir = strdup(path);
	if (dir == NULL) {
		snprintf(errbuf, errlen, "%s:0: out of memory", path);
		goto out;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL)
		dir[0] = '\0';
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	rc = relay_config_parse(buf, n, path, dir, ret_cfg, errbuf, errlen);
out:
	free(dir);
	free(buf);
	fclose(f);
	return rc;
}

void
relay_config_destroy(struct relay_config **cfgp)
{
	if (cfgp == NULL || *cfgp == NULL)
		return;
	free((*cfgp)->parties);
	free(*cfgp);
	*cfgp = NULL;
}

const struct relay_party *
relay_config_party(const struct relay_config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++)
		if (strcmp(cfg->parties[i].id, id) == 0)
			return &cfg->parties[i];
	return NULL;
}

const struct relay_party *
relay_config_party_by_transport(const struct relay_config *cfg,
				const char *z85)
{
	size_t i;

	for (i = 0; i < cfg->n_parties; i++)
		if (cfg->parties[i].has_transport &&
		    strcmp(cfg->parties[i].transport_key, z85) == 0)
			return &cfg->parties[i];
	return NULL;
}
