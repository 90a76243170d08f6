/* siteboot: a region allocator for documents that are built once and
 * freed as a whole (YAML trees, parsed BOMs). */
#ifndef SB_COMMON_ARENA_H
#define SB_COMMON_ARENA_H

#include <stddef.h>

struct sb_arena_chunk;

struct sb_arena {
	struct sb_arena_chunk *head;
	size_t used;	/* bytes handed out, for limits */
	size_t limit;	/* 0: no limit */
};

void sb_arena_init(struct sb_arena *a, size_t limit);
/* Zeroed, 16-byte aligned memory; NULL (and an SB_ENOMEM or SB_EINPUT
 * error) when out of memory or over the limit. */
void *sb_arena_alloc(struct sb_arena *a, size_t n);
void *sb_arena_calloc(struct sb_arena *a, size_t count, size_t size);
char *sb_arena_strndup(struct sb_arena *a, const char *s, size_t n);
char *sb_arena_strdup(struct sb_arena *a, const char *s);	/* NULL-safe */
void sb_arena_release(struct sb_arena *a);

#endif
