/* msgid: time-ordered 16-byte message ids. */
#include "msgid.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

uint64_t
msgid_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
msgid_generate(uint8_t id[MSGID_LEN], uint64_t ms)
{
	int i;

	for (i = 0; i < 6; i++)
		id[i] = (uint8_t)(ms >> (8 * (5 - i)));
	randombytes_buf(id + 6, MSGID_LEN - 6);
}

uint64_t
msgid_time_ms(const uint8_t id[MSGID_LEN])
{
	uint64_t ms = 0;
	int i;

	for (i = 0; i < 6; i++)
		ms = (ms << 8) | id[i];
	return ms;
}

void
msgid_to_hex(const uint8_t id[MSGID_LEN], char out[MSGID_HEX_LEN])
{
	sodium_bin2hex(out, MSGID_HEX_LEN, id, MSGID_LEN);
}

int
msgid_from_hex(const char *hex, uint8_t id[MSGID_LEN])
{
	size_t bin_len = 0;
	const char *end = NULL;
	uint8_t tmp[MSGID_LEN];

	if (hex == NULL || strlen(hex) != 2 * MSGID_LEN)
		return -1;
	if (sodium_hex2bin(tmp, sizeof(tmp), hex, 2 * MSGID_LEN, NULL,
			   &bin_len, &end) != 0 ||
	    bin_len != MSGID_LEN || *end != '\0')
		return -1;
	memcpy(id, tmp, MSGID_LEN);
	return 0;
}
