#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sluice_arena_chunk {
	struct sluice_arena_chunk *next;
	size_t used, size;
	_Alignas(8) char data[];
};

/* pointers and 64-bit integers; nothing in a config tree needs more */
#define ARENA_ALIGN 8
_Static_assert(_Alignof(void *) <= ARENA_ALIGN && _Alignof(uint64_t) <= ARENA_ALIGN,
	       "arena alignment");

/* a first chunk that malloc rounds to one page */
enum {
	ARENA_MIN = 4096 - sizeof(struct sluice_arena_chunk) - 16
};

void sluice_arena_init(struct sluice_arena *a, size_t hint)
{
	a->head = NULL;
	a->next_size = hint < ARENA_MIN ? ARENA_MIN : hint;
}

/* A chunk of at least n bytes.  Its pages are touched only as they are
 * filled: a first chunk sized for the largest document costs nothing for
 * the part a small one leaves empty. */
static struct sluice_arena_chunk *grow(struct sluice_arena *a, size_t n)
{
	size_t size = a->next_size > n ? a->next_size : n;
	struct sluice_arena_chunk *c;

	if (size > SIZE_MAX / 2 - sizeof(*c))
		return NULL;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = a->head;
	c->used = 0;
	c->size = size;
	a->head = c;
	a->next_size = size * 2;
	return c;
}

static void *take(struct sluice_arena *a, size_t n, size_t align)
{
	struct sluice_arena_chunk *c = a->head;
	size_t at;

	if (c) {
		at = (c->used + align - 1) & ~(align - 1);
		if (at <= c->size && c->size - at >= n) {
			c->used = at + n;
			return c->data + at;
		}
	}
	c = grow(a, n);
	if (!c)
		return NULL;
	c->used = n;
	return c->data;
}

void *sluice_arena_zalloc(struct sluice_arena *a, size_t size)
{
	void *p = take(a, size, ARENA_ALIGN);

	if (p)
		memset(p, 0, size);
	return p;
}

char *sluice_arena_bytes(struct sluice_arena *a, size_t n)
{
	return take(a, n, 1);
}

char *sluice_arena_strndup(struct sluice_arena *a, const char *s, size_t n)
{
	char *p = n < SIZE_MAX ? take(a, n + 1, 1) : NULL;

	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void sluice_arena_free(struct sluice_arena *a)
{
	while (a->head) {
		struct sluice_arena_chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}
