/*
 * node_config: the configuration of a regional node or a BEN coordinator
 * desk (`ret-node --config FILE`, `ret --config FILE`).
 *
 * The file is INI (parsed with libinih) with a [node] section, a [relay]
 * section and one [party ID] section per party whose messages this node may
 * receive and must verify. The whole file is parsed into a temporary struct
 * and only returned when every line is valid; an error reads
 * "FILE:LINE: what is wrong". Unknown sections and keys are errors, and so
 * is a key given twice. Relative paths are taken relative to the directory
 * of the configuration file. See docs/node.md for the format.
 */
#ifndef RET_NODE_CONFIG_H
#define RET_NODE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"
#include "log.h"
#include "party.h"

#define NODE_CONFIG_MAX_SIZE (256 * 1024) /* bytes of configuration text */
#define NODE_CONFIG_MAX_PARTIES 256       /* [party] sections */
#define NODE_CONFIG_SLUG_MAX 41           /* longest BEN slug plus NUL */
#define NODE_CONFIG_DEFAULT_PATH "/etc/ret/node.conf"
#define NODE_CONFIG_SUPPRESSION_DEFAULT 5
#define NODE_CONFIG_LABEL_DEFAULT "k1"
#define NODE_CONFIG_LABEL_MAX 9 /* 8 characters and a NUL */
#define NODE_CONFIG_EVALUATION_DAYS_DEFAULT 7

struct node_config;

/*
 * Parse configuration text of `len` bytes. `name` is used in error
 * messages (normally the file name); relative paths are resolved against
 * `basedir` (NULL or "" keeps them as written). The key file is not read:
 * see node_config_load_keys(). Returns the new configuration, or NULL with
 * "NAME:LINE: sentence" in errbuf. The caller owns the result.
 */
struct node_config *node_config_parse(const char *text, size_t len,
				      const char *name, const char *basedir,
				      char *errbuf, size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Read the configuration file at `path`, parse it (paths relative to its
 * directory) and read the key file it names, which must belong to the
 * configured party. Returns the new configuration or NULL with a sentence
 * in errbuf. The caller owns the result.
 */
struct node_config *node_config_load(const char *path, char *errbuf,
				     size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Like node_config_load() but without reading the key file: for programs
 * that only need the database and the party list (the `ret` CLI).
 */
struct node_config *node_config_read(const char *path, char *errbuf,
				     size_t errlen)
	__attribute__((warn_unused_result));

/*
 * Read the key file named by the configuration and check that it belongs
 * to the configured party. Returns 0, or -1 with a sentence in errbuf (the
 * configuration then has no keys).
 */
int node_config_load_keys(struct node_config *cfg, char *errbuf,
			  size_t errlen) __attribute__((warn_unused_result));

/* Free cfg (wiping the secret keys) and set *cfgp to NULL. Accepts NULL. */
void node_config_destroy(struct node_config **cfgp);

/* This node's party id, e.g. "region:noord-limburg" (borrowed). */
const char *node_config_party(const struct node_config *cfg);

/* The slug of the BEN this node belongs to, e.g. "bel" (borrowed). */
const char *node_config_ben(const struct node_config *cfg);

/* PARTY_REGION (holds personal data) or PARTY_DESK (never does). */
enum party_role node_config_role(const struct node_config *cfg);

/* The database path, resolved against the config directory (borrowed). */
const char *node_config_database(const struct node_config *cfg);

/* The key file path, resolved against the config directory (borrowed). */
const char *node_config_key_file(const struct node_config *cfg);

/* The log level (LOG_LEVEL_INFO unless configured). */
enum log_level node_config_log_level(const struct node_config *cfg);

/* Smallest count shown in learning summaries, 3..100 (default 5). */
int node_config_suppression_threshold(const struct node_config *cfg);

/*
 * The version label of the case pseudonyms this node sends (default "k1";
 * 1..8 characters of [a-z0-9]). A region that rotates its pseudonym secret
 * gives the new key a new label, so references made with the old key stay
 * recognisable (borrowed).
 */
const char *node_config_pseudonym_label(const struct node_config *cfg);

/* The relay endpoint, e.g. "tcp://127.0.0.1:7400" (borrowed). */
const char *node_config_relay_endpoint(const struct node_config *cfg);

/* The relay's party id, e.g. "relay:bel" (borrowed). */
const char *node_config_relay_party(const struct node_config *cfg);

/* The relay's CURVE public key, 40 Z85 characters (borrowed). */
const char *node_config_relay_transport_key(const struct node_config *cfg);

/*
 * This node's keys, or NULL when they were not loaded (node_config_parse
 * alone does not read the key file). Borrowed.
 */
const struct keyfile *node_config_keys(const struct node_config *cfg);

/*
 * The Ed25519 public key of a [party] section, or NULL if the party is not
 * configured. Borrowed; 32 bytes.
 */
const uint8_t *node_config_signing_key(const struct node_config *cfg,
				       const char *party_id);

/* The BEN slug of a [party] section, or NULL if not configured. */
const char *node_config_party_ben(const struct node_config *cfg,
				  const char *party_id);

/* Number of [party] sections. */
size_t node_config_party_count(const struct node_config *cfg);

/* The party id of the i-th [party] section (file order), or NULL. */
const char *node_config_party_at(const struct node_config *cfg, size_t i);

/*
 * [overleg] evaluation_days: an aanvrager sends the evaluation form this
 * many days before the casus is on an overleg's agenda (0..60, default 7).
 */
int node_config_evaluation_days(const struct node_config *cfg);

/*
 * [overleg] declare: 1 when every participant's hours are declared
 * ("all"), 0 when only the fixed core's ("kern", the default).
 */
int node_config_declare_all(const struct node_config *cfg);

/*
 * [overleg] rate_YYYY: the hourly rate of a year in cents in *ret_cents.
 * Returns 0, or -1 when the configuration names no rate for that year.
 */
int node_config_rate_cents(const struct node_config *cfg, int year,
			   int64_t *ret_cents)
	__attribute__((warn_unused_result));

#endif
