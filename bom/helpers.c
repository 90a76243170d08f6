/* Typed access to the YAML tree with messages that name the place. */
#include "bom/bom_priv.h"
#include "common/error.h"
#include "common/str.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static void vreport(struct bom_parser *p, enum sb_diag_level lvl,
		    const struct sb_ynode *at, const char *hint,
		    const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sb_diags_add(p->d, lvl, p->file, at ? at->line : 0, at ? at->col : 0,
		     hint, "%s", msg);
}

void bom_err(struct bom_parser *p, const struct sb_ynode *at,
	     const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, SB_DIAG_ERROR, at, hint, fmt, ap);
	va_end(ap);
}

void bom_warn(struct bom_parser *p, const struct sb_ynode *at,
	      const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, SB_DIAG_WARNING, at, hint, fmt, ap);
	va_end(ap);
}

void bom_hint_from(char *hint, size_t size, const char *word,
		   const void *base, size_t n, size_t stride, size_t off,
		   const char *extra, const char *lead)
{
	const char **cands = calloc(n + 2, sizeof(*cands));
	size_t m = 0;

	if (!cands) {
		snprintf(hint, size, "%s", lead);
		return;
	}
	if (extra)
		cands[m++] = extra;
	for (size_t i = 0; i < n; i++) {
		const char *v = *(const char *const *)((const char *)base +
						       i * stride + off);
		if (v)
			cands[m++] = v;
	}
	sb_hint_choice(hint, size, word, cands, lead, false);
	free(cands);
}

void bom_check_keys(struct bom_parser *p, const struct sb_ynode *map,
		    const char *const *allowed, const char *what)
{
	char hint[512];

	if (!map || map->type != SB_YMAP)
		return;
	for (size_t i = 0; i < map->n; i++) {
		const struct sb_ynode *k = map->pairs[i].key;
		bool ok = false;

		for (const char *const *a = allowed; *a; a++)
			if (strcmp(k->str, *a) == 0)
				ok = true;
		if (ok)
			continue;
		sb_hint_choice(hint, sizeof(hint), k->str, allowed,
			       "allowed keys:", true);
		if (strcmp(k->str, "<<") == 0)
			sb_strlcpy(hint,
				   "YAML merge keys are not supported; use a hardware profile (hardware: NAME)",
				   sizeof(hint));
		bom_err(p, k, hint, "unknown key '%.60s' in %s", k->str, what);
	}
}

const char *bom_str(struct bom_parser *p, const struct sb_ynode *n,
		    const char *what)
{
	const char *s;

	if (!n)
		return NULL;
	if (n->type != SB_YSCALAR || sb_yscalar_is_null(n)) {
		bom_err(p, n, NULL, "%s must be a text value, not %s", what,
			sb_ytype_name(n));
		return NULL;
	}
	if (n->len > 1024) {
		bom_err(p, n, NULL, "%s is %zu characters long; the limit is 1024",
			what, n->len);
		return NULL;
	}
	s = sb_arena_strndup(p->a, n->str, n->len);
	if (!s)
		bom_err(p, n, NULL, "%s", sb_error_message());
	return s;
}

const char *bom_get_str(struct bom_parser *p, const struct sb_ynode *map,
			const char *key, bool required, const char *what)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);

	if (!v) {
		if (required)
			bom_err(p, map, NULL, "%s has no '%s'", what, key);
		return NULL;
	}
	if (!required && sb_yscalar_is_null(v))
		return NULL;
	char w[256];
	snprintf(w, sizeof(w), "'%s' of %s", key, what);
	return bom_str(p, v, w);
}

bool bom_get_uint(struct bom_parser *p, const struct sb_ynode *map,
		  const char *key, unsigned min, unsigned max, unsigned *out,
		  const char *what)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);
	long long x;

	if (!v)
		return true;	/* absent: keep the default in *out */
	if (v->type != SB_YSCALAR || v->quoted ||
	    sb_parse_ll(&x, v->str, min, max, key) != 0) {
		sb_error_clear();
		bom_err(p, v, NULL, "'%s' of %s must be a whole number from %u to %u, not '%.40s'",
			key, what, min, max,
			v->type == SB_YSCALAR ? v->str : sb_ytype_name(v));
		return false;
	}
	*out = (unsigned)x;
	return true;
}

int bom_parse_size(uint64_t *out, const char *text, bool memory,
		   const char *what)
{
	char buf[64];
	size_t n = strlen(text);

	if (!memory || n + 3 > sizeof(buf))
		return sb_parse_size(out, text, what);
	/* JEDEC: a "32GB" DIMM holds 32 GiB, so for memory K, M, G and T
	 * (with or without a B) are powers of 1024. */
	memcpy(buf, text, n + 1);
	if (n >= 2 && (buf[n - 1] == 'B' || buf[n - 1] == 'b') &&
	    strchr("KMGTkmgt", buf[n - 2]))
		buf[--n] = '\0';
	if (n >= 1 && strchr("KMGTkmgt", buf[n - 1])) {
		buf[n - 1] = (char)toupper((unsigned char)buf[n - 1]);
		buf[n] = 'i';
		buf[n + 1] = 'B';
		buf[n + 2] = '\0';
	}
	return sb_parse_size(out, buf, what);
}

bool bom_get_size(struct bom_parser *p, const struct sb_ynode *map,
		  const char *key, bool memory, uint64_t *out,
		  const char *what)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);

	if (!v)
		return true;
	if (v->type != SB_YSCALAR ||
	    bom_parse_size(out, v->str, memory, key) != 0) {
		sb_error_clear();
		bom_err(p, v, "write it with a unit: 32GB, 3.84TB, 512GiB",
			"'%s' of %s is not a size: '%.40s'", key, what,
			v->type == SB_YSCALAR ? v->str : sb_ytype_name(v));
		return false;
	}
	return true;
}

bool bom_get_strlist(struct bom_parser *p, const struct sb_ynode *map,
		     const char *key, const char *const **out, size_t *n,
		     const char *what)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);
	const char **list;
	char w[256];
	bool ok = true;

	*out = NULL;
	*n = 0;
	if (!v || sb_yscalar_is_null(v))
		return true;
	snprintf(w, sizeof(w), "each entry of '%s' in %s", key, what);
	if (v->type == SB_YSCALAR) {
		list = sb_arena_calloc(p->a, 1, sizeof(*list));
		if (!list || !(list[0] = bom_str(p, v, w)))
			return false;
		*out = list;
		*n = 1;
		return true;
	}
	if (v->type != SB_YSEQ) {
		bom_err(p, v, NULL, "'%s' of %s must be a list, not %s", key,
			what, sb_ytype_name(v));
		return false;
	}
	list = sb_arena_calloc(p->a, v->n ? v->n : 1, sizeof(*list));
	if (!list)
		return false;
	for (size_t i = 0; i < v->n; i++) {
		list[i] = bom_str(p, v->items[i], w);
		if (!list[i])
			ok = false;
	}
	*out = list;
	*n = v->n;
	return ok;
}
