/*
 * fuzz_relay_config: the relay configuration parser over arbitrary bytes.
 * It must never crash, leak or read out of bounds; on failure the error
 * must name the file and a line; on success every party must be found by
 * its id and, if it may connect, by its transport key.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relay_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[RELAY_CONFIG_ERR_MAX];
	struct relay_config *cfg = NULL;
	size_t i;

	if (relay_config_parse((const char *)data, size, "fuzz", "/base", &cfg,
			       err, sizeof(err)) != 0) {
		if (cfg != NULL || strncmp(err, "fuzz:", 5) != 0)
			__builtin_trap();
		return 0;
	}
	if (cfg->party[0] == '\0' || cfg->listen[0] == '\0')
		__builtin_trap();
	for (i = 0; i < cfg->n_parties; i++) {
		const struct relay_party *p = &cfg->parties[i];

		if (relay_config_party(cfg, p->id) != p)
			__builtin_trap();
		if (p->has_transport &&
		    relay_config_party_by_transport(cfg, p->transport_key) != p)
			__builtin_trap();
	}
	relay_config_destroy(&cfg);
	return 0;
}
