/* wire_arena: budgeted bump allocator for protobuf-c unpack. */
#include "wire_arena.h"

#include <stdint.h>
#include <stdlib.h>

struct wire_arena {
	ProtobufCAllocator allocator;
	size_t cap;
	size_t used;
	int exhausted;
	unsigned char *mem;
};

static void *
arena_alloc(void *data, size_t size)
{
	struct wire_arena *a = data;
	size_t aligned = (size + 15u) & ~(size_t)15u;
	void *p;

	if (size == 0)
		aligned = 16;
	if (aligned < size || aligned > a->cap - a->used) {
		a->exhausted = 1;
		return NULL;
	}
	p = a->mem + a->used;
	a->used += aligned;
	return p;
}

static void
arena_free(void *data, void *ptr)
{
	(void)data;
	(void)ptr;
}

struct wire_arena *
wire_arena_new(size_t budget)
{
	struct wire_arena *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return NULL;
	budget = (budget + 15u) & ~(size_t)15u;
	a->mem = malloc(budget ? budget : 16);
	if (a->mem == NULL) {
		free(a);
		return NULL;
	}
	a->cap = budget;
	a->allocator.alloc = arena_alloc;
	a->allocator.free = arena_free;
	a->allocator.allocator_data = a;
	return a;
}

void
wire_arena_destroy(struct wire_arena **ap)
{
	if (ap == NULL || *ap == NULL)
		return;
	free((*ap)->mem);
	free(*ap);
	*ap = NULL;
}

ProtobufCAllocator *
wire_arena_allocator(struct wire_arena *a)
{
	return &a->allocator;
}

int
wire_arena_exhausted(const struct wire_arena *a)
{
	return a->exhausted;
}

size_t
wire_arena_used(const struct wire_arena *a)
{
	return a->used;
}

size_t
wire_arena_budget_for(size_t len)
{
	if (len > (SIZE_MAX - 8192) / 4)
		return SIZE_MAX;
	return 4 * len + 8192;
}
