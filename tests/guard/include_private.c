/*
 * MUST NOT COMPILE: code outside node/guard includes the guard's private
 * header to learn the struct's layout; the header refuses.
 */
#include "internal/guard_private.h"

int try_private(void);

int
try_private(void)
{
	return (int)sizeof(struct guard_draft);
}
