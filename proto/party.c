/* party: parsing and checking party ids. */
#include "party.h"

#include <string.h>

static const struct {
	const char *prefix;
	enum party_role role;
} roles[] = {
	{"region:", PARTY_REGION},
	{"desk:", PARTY_DESK},
	{"relay:", PARTY_RELAY},
};

static int
slug_valid(const char *s)
{
	size_t n = 0;

	if (*s == '\0' || *s == '-')
		return 0;
	for (; *s != '\0'; s++, n++) {
		if (n >= 40)
			return 0;
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-'))
			return 0;
	}
	return 1;
}

enum party_role
party_role_of(const char *id)
{
	size_t i;

	if (id == NULL)
		return PARTY_INVALID;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		size_t n = strlen(roles[i].prefix);

		if (strncmp(id, roles[i].prefix, n) == 0)
			return slug_valid(id + n) ? roles[i].role
						  : PARTY_INVALID;
	}
	return PARTY_INVALID;
}

int
party_id_valid(const char *id)
{
	return party_role_of(id) != PARTY_INVALID;
}

const char *
party_slug(const char *id)
{
	if (!party_id_valid(id))
		return NULL;
	return strchr(id, ':') + 1;
}
