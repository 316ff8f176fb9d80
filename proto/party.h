/*
 * party: party ids, the names by which the federation knows its members.
 *
 * A party id is "<role>:<slug>": role is region, desk or relay; the slug is
 * 1..40 characters of [a-z0-9-], starting with a letter or digit. Examples:
 * "region:noord-limburg", "desk:bel-roermond", "relay:ben-noord-holland".
 */
#ifndef RET_PARTY_H
#define RET_PARTY_H

#include <stddef.h>

#define PARTY_ID_MAX 48 /* longest party id plus NUL */

enum party_role {
	PARTY_INVALID = 0,
	PARTY_REGION,
	PARTY_DESK,
	PARTY_RELAY,
};

/* The role of a party id, or PARTY_INVALID if it is not well-formed. */
enum party_role party_role_of(const char *id);

/* True if id is a well-formed party id. */
int party_id_valid(const char *id);

/* The slug part of a well-formed id (borrowed from id), or NULL. */
const char *party_slug(const char *id);

#endif
