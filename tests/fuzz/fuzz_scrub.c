/*
 * fuzz_scrub: the free-text scrubber on any bytes. With a fixed small
 * names list; when the input starts with "N:" its first line is added as
 * one more recorded name, so the names parser is fuzzed too. Checks: no
 * crash, no leak, no hang (bounded time per byte), and an accepted text
 * comes back as valid UTF-8 of bounded size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privacy_scrub.h"
#include "wire_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"Jan de Vries", "Sanne de Vries-Jansen", "Emre Öztürk",
		"Piet van den Berg", "Fatima El Amrani"
	};
	struct scrub_names *names = scrub_names_new();
	struct scrub_report rep;
	const char *text = (const char *)data;
	char *out = NULL;
	size_t i, len = size;

	if (names == NULL)
		return 0;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (scrub_names_add(names, fixed[i]) != 0)
			abort();
	}
	if (size > 2 && data[0] == 'N' && data[1] == ':') {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t nlen = nl != NULL ? (size_t)(nl - data) - 2 : size - 2;
		char name[SCRUB_MAX_NAME_LEN + 8];

		if (nlen < sizeof(name)) {
			memcpy(name, data + 2, nlen);
			name[nlen] = '\0';
			/* Either outcome is fine; only crashes matter. */
			(void)!scrub_names_add(names, name);
		}
		if (nl != NULL) {
			text = (const char *)nl + 1;
			len = size - (size_t)(nl + 1 - data);
		} else {
			len = 0;
		}
	}
	if (privacy_scrub(text, len, names, &out, &rep) == 0) {
		size_t ol = strlen(out);

		/* Placeholders are at most 10 bytes and replace at least one
		 * byte each. */
		if (ol > len * 10 + 1 || !wire_utf8_valid(out, ol))
			abort();
		free(out);
	} else if (out != NULL) {
		abort();
	}
	scrub_names_destroy(&names);
	return 0;
}
