/*
 * fuzz_node_config: the node/desk configuration parser over arbitrary
 * bytes. It must never crash, leak or read out of bounds; on success the
 * lookups must answer for every configured party.
 */
#include <stddef.h>
#include <stdint.h>

#include "node_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct node_config *cfg;

	cfg = node_config_parse((const char *)data, size, "fuzz", "/base",
				err, sizeof(err));
	if (cfg != NULL) {
		for (size_t i = 0; i < node_config_party_count(cfg); i++) {
			const char *id = node_config_party_at(cfg, i);
			if (node_config_signing_key(cfg, id) == NULL ||
			    node_config_party_ben(cfg, id) == NULL)
				__builtin_trap();
		}
		(void)node_config_relay_endpoint(cfg);
		node_config_destroy(&cfg);
	}
	return 0;
}
