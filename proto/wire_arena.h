/*
 * wire_arena: a bump allocator with a fixed budget, handed to protobuf-c's
 * unpack so that decoding untrusted bytes can never allocate more than the
 * budget. Freeing single allocations is a no-op; the arena is released as a
 * whole, which also means no decode error path can leak.
 */
#ifndef RET_WIRE_ARENA_H
#define RET_WIRE_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

struct wire_arena;

/* A new arena that can hand out at most `budget` bytes, or NULL. */
struct wire_arena *wire_arena_new(size_t budget);

/* Free the arena and everything allocated from it; NULL-safe, nulls *ap. */
void wire_arena_destroy(struct wire_arena **ap);

/* The protobuf-c allocator backed by this arena (borrowed). */
ProtobufCAllocator *wire_arena_allocator(struct wire_arena *a);

/* True once an allocation was refused because the budget ran out. */
int wire_arena_exhausted(const struct wire_arena *a);

/* Bytes handed out so far. */
size_t wire_arena_used(const struct wire_arena *a);

/* The budget for decoding `len` untrusted bytes: 4 * len + 8 KiB. */
size_t wire_arena_budget_for(size_t len);

#endif
