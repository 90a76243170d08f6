/* bom/ internals shared by its .c files; not for other modules. */
#ifndef SB_BOM_PRIV_H
#define SB_BOM_PRIV_H

#include "bom/bom.h"
#include "common/yaml.h"

/* The parsing context: the site being built, where problems go. */
struct bom_parser {
	struct sb_site *s;
	struct sb_diags *d;
	const char *file;
	struct sb_arena *a;
};

void bom_err(struct bom_parser *p, const struct sb_ynode *at,
	     const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void bom_warn(struct bom_parser *p, const struct sb_ynode *at,
	      const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Report every key of `map` that is not in `allowed` (NULL-terminated),
 * with a "did you mean" hint. `what` names the mapping in messages. */
void bom_check_keys(struct bom_parser *p, const struct sb_ynode *map,
		    const char *const *allowed, const char *what);

/* A "did you mean" hint for `word` among the string fields at `off` of
 * `n` structs of size `stride` from `base` (plus `extra`, when not NULL),
 * or `lead` when none is close. */
void bom_hint_from(char *hint, size_t size, const char *word,
		   const void *base, size_t n, size_t stride, size_t off,
		   const char *extra, const char *lead);

/* Typed getters: they report a wrong type or a missing required value and
 * return false (or NULL); strings are copied into the site's arena. */
const char *bom_str(struct bom_parser *p, const struct sb_ynode *n,
		    const char *what);
const char *bom_get_str(struct bom_parser *p, const struct sb_ynode *map,
			const char *key, bool required, const char *what);
bool bom_get_uint(struct bom_parser *p, const struct sb_ynode *map,
		  const char *key, unsigned min, unsigned max, unsigned *out,
		  const char *what);
bool bom_get_size(struct bom_parser *p, const struct sb_ynode *map,
		  const char *key, bool memory, uint64_t *out,
		  const char *what);
/* A list of text values (a single text value counts as a list of one). */
bool bom_get_strlist(struct bom_parser *p, const struct sb_ynode *map,
		     const char *key, const char *const **out, size_t *n,
		     const char *what);
/* Sizes: memory sizes follow JEDEC (GB means GiB, as on DIMM labels). */
int bom_parse_size(uint64_t *out, const char *text, bool memory,
		   const char *what);

#endif
