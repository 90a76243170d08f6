#include "common/arena.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sb_arena_chunk {
	struct sb_arena_chunk *next;
	size_t size, off;
	_Alignas(16) unsigned char data[];
};

#define CHUNK_DEFAULT (64u * 1024u)

void sb_arena_init(struct sb_arena *a, size_t limit)
{
	a->head = NULL;
	a->used = 0;
	a->limit = limit;
}

void *sb_arena_alloc(struct sb_arena *a, size_t n)
{
	struct sb_arena_chunk *c = a->head;
	size_t need;
	void *p;

	if (n > SIZE_MAX - 15)
		goto nomem;
	need = (n + 15) & ~(size_t)15;
	if (need == 0)
		need = 16;
	if (a->limit && (need > a->limit || a->used > a->limit - need)) {
		sb_error_set(SB_EINPUT,
			     "document needs more than %zu bytes of memory",
			     a->limit);
		return NULL;
	}
	if (!c || c->size - c->off < need) {
		size_t size = need > CHUNK_DEFAULT ? need : CHUNK_DEFAULT;
		c = malloc(sizeof(*c) + size);
		if (!c)
			goto nomem;
		c->size = size;
		c->off = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->off;
	c->off += need;
	a->used += need;
	memset(p, 0, need);
	return p;
nomem:
	sb_error_set(SB_ENOMEM, "out of memory");
	return NULL;
}

void *sb_arena_calloc(struct sb_arena *a, size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size) {
		sb_error_set(SB_ENOMEM, "out of memory");
		return NULL;
	}
	return sb_arena_alloc(a, count * size);
}

char *sb_arena_strndup(struct sb_arena *a, const char *s, size_t n)
{
	char *p = sb_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

char *sb_arena_strdup(struct sb_arena *a, const char *s)
{
	return s ? sb_arena_strndup(a, s, strlen(s)) : NULL;
}

void sb_arena_release(struct sb_arena *a)
{
	struct sb_arena_chunk *c = a->head;

	while (c) {
		struct sb_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
}
