/* A bump allocator for many small objects that die together: the config
 * loader's node trees.  On this project's hosts every page a start touches
 * for the first time costs a page fault of ~10 us (docs/performance.md), so
 * packing a tree's nodes and strings tightly, without malloc's per-object
 * header and rounding, is what keeps a config of a few KiB from costing a
 * dozen faults.  Memory comes in chunks from malloc; nothing is freed
 * before sluice_arena_free, which frees it all.  Internal. */
#ifndef SLUICE_ARENA_H
#define SLUICE_ARENA_H

#include <stddef.h>

struct sluice_arena_chunk;

struct sluice_arena {
	struct sluice_arena_chunk *head; /* the chunk being filled; older ones follow */
	size_t next_size;		 /* the size of the next chunk to ask for */
};

/* An empty arena whose first chunk will hold about hint bytes. */
void sluice_arena_init(struct sluice_arena *a, size_t hint);

/* size bytes aligned for pointers and 64-bit integers, zeroed; NULL when
 * out of memory. */
void *sluice_arena_zalloc(struct sluice_arena *a, size_t size);

/* A copy of s[0, n) with a NUL after it, packed without alignment. */
char *sluice_arena_strndup(struct sluice_arena *a, const char *s, size_t n);

/* n bytes, not zeroed, not aligned (for strings written in place). */
char *sluice_arena_bytes(struct sluice_arena *a, size_t n);

void sluice_arena_free(struct sluice_arena *a);

#endif
