/*
 * relay_config: the relay's configuration file (INI, parsed with libinih).
 *
 * The file has one [relay] section (who this relay is, where it listens,
 * where its key and database are) and one [party ID] section per party the
 * relay knows: parties of its own BEN that connect here (they have a
 * transport_key), peer relays of other BENs (transport_key and endpoint),
 * and parties of other BENs whose envelopes arrive through their peer relay
 * (signing_key only). See docs/relay.md for every key.
 *
 * The parser works on a memory buffer, so it can be fuzzed and reused for
 * a reload: a new struct is built and only handed out when the whole file
 * is valid. Errors read "FILE:LINE: what is wrong".
 */
#ifndef RET_RELAY_CONFIG_H
#define RET_RELAY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "party.h"

#define RELAY_CONFIG_MAX_SIZE (1024 * 1024)
#define RELAY_CONFIG_MAX_PARTIES 1024
#define RELAY_CONFIG_PATH_MAX 1024
#define RELAY_CONFIG_ENDPOINT_MAX 256
#define RELAY_CONFIG_DOMAIN_MAX 64
#define RELAY_CONFIG_SLUG_MAX 41
#define RELAY_CONFIG_ERR_MAX 512
#define RELAY_CONFIG_RETENTION_DEFAULT_S (30ull * 86400)
#define RELAY_CONFIG_UNCONFIRMED_MAX_DEFAULT_S (180ull * 86400)
#define RELAY_CONFIG_DURATION_MAX_S (3650ull * 86400)

/* One [party ID] section. */
struct relay_party {
	char id[PARTY_ID_MAX];
	char ben[RELAY_CONFIG_SLUG_MAX];
	uint8_t signing_key[32];
	int has_transport;                         /* may connect here */
	char transport_key[KEYFILE_Z85_LEN + 1];   /* Z85, when has_transport */
	char endpoint[RELAY_CONFIG_ENDPOINT_MAX];  /* peer relays; else "" */
	unsigned line;                             /* of the section header */
};

struct relay_config {
	char party[PARTY_ID_MAX];
	char ben[RELAY_CONFIG_SLUG_MAX];
	char listen[RELAY_CONFIG_ENDPOINT_MAX];
	char key_file[RELAY_CONFIG_PATH_MAX];   /* resolved against the file */
	char database[RELAY_CONFIG_PATH_MAX];   /* resolved against the file */
	char zap_domain[RELAY_CONFIG_DOMAIN_MAX];
	char log_level[16];                     /* "" when not given */
	int log_timestamps;                     /* log_timestamps = yes */
	/* Operations (docs/relay.md, "Operations"). */
	char metrics_listen[64];                /* "127.0.0.1:PORT" or "" */
	uint16_t metrics_port;                  /* its port, 0 when off */
	char metrics_file[RELAY_CONFIG_PATH_MAX]; /* textfile, "" when off */
	uint64_t retention_s;                   /* confirmed: kept this long */
	uint64_t unconfirmed_max_s;             /* unconfirmed: at most this */
	struct relay_party *parties;
	size_t n_parties;
};

/*
 * Parse `len` bytes of configuration text. `name` is used in error
 * messages (the file name), `basedir` resolves relative paths (NULL or ""
 * leaves them as written). On success *ret_cfg is a new config the caller
 * frees with relay_config_destroy() and 0 is returned; on failure returns
 * -1, writes "NAME:LINE: reason" into errbuf and leaves *ret_cfg alone.
 */
int relay_config_parse(const char *text, size_t len, const char *name,
		       const char *basedir, struct relay_config **ret_cfg,
		       char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Read and parse the file at path (relative paths inside it are resolved
 * against its directory). Returns as relay_config_parse; a file that cannot
 * be read gives "PATH:0: reason".
 */
int relay_config_load(const char *path, struct relay_config **ret_cfg,
		      char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Parse a duration "N" followed by s, m, h or d (seconds, minutes, hours,
 * days), 1 s up to RELAY_CONFIG_DURATION_MAX_S. Returns 0 with *ret_s, or
 * -1.
 */
int relay_config_duration(const char *s, uint64_t *ret_s)
	__attribute__((warn_unused_result));

/* Free a config; NULL-safe, nulls *cfgp. */
void relay_config_destroy(struct relay_config **cfgp);

/* The party with this id, or NULL (borrowed from cfg). */
const struct relay_party *relay_config_party(const struct relay_config *cfg,
					     const char *id);

/*
 * The party allowed to connect with this CURVE public key (40 Z85
 * characters), or NULL.
 */
const struct relay_party *
relay_config_party_by_transport(const struct relay_config *cfg,
				const char *z85);

#endif
