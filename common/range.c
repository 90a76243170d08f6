#include "common/range.h"
#include "common/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One bracket group: the numbers it stands for, with a print width. */
struct group {
	size_t start, end;	/* offsets of '[' and ']' in the pattern */
	unsigned long *vals;
	int *widths;
	size_t n, cap;
};

static bool is_range_body(const char *s, size_t n)
{
	bool digit = false;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (s[i] != '-' && s[i] != ',' && s[i] != ' ')
			return false;
	}
	return digit;
}

static int push_val(struct group *g, unsigned long v, int width, size_t max,
		    const char *pattern)
{
	if (g->n >= max)
		return sb_error_set(SB_EINPUT,
				    "range '%s' expands to more than %zu names",
				    pattern, max);
	if (g->n == g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : 4;
		unsigned long *nv = realloc(g->vals, ncap * sizeof(*nv));
		if (!nv)
			return sb_error_set(SB_ENOMEM, "out of memory");
		g->vals = nv;
		int *w = realloc(g->widths, ncap * sizeof(*w));
		if (!w)
			return sb_error_set(SB_ENOMEM, "out of memory");
		g->widths = w;
		g->cap = ncap;
	}
	g->vals[g->n] = v;
	g->widths[g->n] = width;
	g->n++;
	return 0;
}

static int parse_num(const char *p, size_t len, unsigned long *v, int *width)
{
	unsigned long x = 0;

	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		x = x * 10 + (unsigned long)(p[i] - '0');
	}
	*v = x;
	/* a leading zero asks for zero padding to this width */
	*width = (len > 1 && p[0] == '0') ? (int)len : 0;
	return 0;
}

static int parse_group(struct group *g, const char *pattern, size_t max)
{
	const char *p = pattern + g->start + 1, *end = pattern + g->end;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *item_end = comma ? comma : end;
		const char *dash = memchr(p, '-', (size_t)(item_end - p));
		unsigned long lo, hi;
		int wlo, whi;
		int rc;

		while (p < item_end && *p == ' ')
			p++;
		const char *ie = item_end;
		while (ie > p && ie[-1] == ' ')
			ie--;
		if (dash) {
			const char *a_end = dash, *b = dash + 1;
			while (a_end > p && a_end[-1] == ' ')
				a_end--;
			while (b < ie && *b == ' ')
				b++;
			if (parse_num(p, (size_t)(a_end - p), &lo, &wlo) ||
			    parse_num(b, (size_t)(ie - b), &hi, &whi))
				goto bad;
			if (hi < lo)
				return sb_error_set(SB_EINPUT,
						    "range '%s' column %zu: %lu-%lu runs backwards; write the smaller number first",
						    pattern, (size_t)(p - pattern) + 1, lo, hi);
			if (hi - lo >= max)
				return sb_error_set(SB_EINPUT,
						    "range '%s' expands to more than %zu names",
						    pattern, max);
			int w = wlo > whi ? wlo : whi;
			for (unsigned long v = lo; v <= hi; v++) {
				rc = push_val(g, v, w, max, pattern);
				if (rc)
					return rc;
			}
		} else {
			if (parse_num(p, (size_t)(ie - p), &lo, &wlo))
				goto bad;
			rc = push_val(g, lo, wlo, max, pattern);
			if (rc)
				return rc;
		}
		p = comma ? comma + 1 : end;
	}
	if (g->n == 0)
		goto bad;
	return 0;
bad:
	return sb_error_set(SB_EINPUT,
			    "range '%s' column %zu: expected numbers such as [1-8] or [01,03,10-12]",
			    pattern, g->start + 1);
}

static int find_groups(struct group **out, size_t *nout, const char *pattern,
		       size_t max)
{
	struct group *gs = NULL;
	size_t ng = 0;
	int rc = 0;

	for (size_t i = 0; pattern[i]; i++) {
		if (pattern[i] != '[')
			continue;
		const char *close = strchr(pattern + i, ']');
		if (!close) {
			rc = sb_error_set(SB_EINPUT,
					  "range '%s' column %zu: '[' is never closed",
					  pattern, i + 1);
			goto fail;
		}
		size_t j = (size_t)(close - pattern);
		if (!is_range_body(pattern + i + 1, j - i - 1)) {
			i = j;	/* a literal such as an IPv6 address */
			continue;
		}
		struct group *ngs = realloc(gs, (ng + 1) * sizeof(*gs));
		if (!ngs) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			goto fail;
		}
		gs = ngs;
		memset(&gs[ng], 0, sizeof(gs[ng]));
		gs[ng].start = i;
		gs[ng].end = j;
		ng++;
		rc = parse_group(&gs[ng - 1], pattern, max);
		if (rc)
			goto fail;
		i = j;
	}
	*out = gs;
	*nout = ng;
	return 0;
fail:
	for (size_t k = 0; k < ng; k++) {
		free(gs[k].vals);
		free(gs[k].widths);
	}
	free(gs);
	return rc;
}

bool sb_range_has_group(const char *pattern)
{
	struct group *gs = NULL;
	size_t ng = 0;
	bool has;

	if (find_groups(&gs, &ng, pattern, SB_RANGE_MAX)) {
		sb_error_clear();
		return strchr(pattern, '[') != NULL;
	}
	has = ng > 0;
	for (size_t k = 0; k < ng; k++) {
		free(gs[k].vals);
		free(gs[k].widths);
	}
	free(gs);
	return has;
}

int sb_range_expand(struct sb_strv *out, const char *pattern, size_t max)
{
	struct group *gs = NULL;
	size_t ng = 0, total = 1, *idx = NULL;
	struct sb_buf b = SB_BUF_INIT(0);
	int rc;

	if (max == 0 || max > SB_RANGE_MAX)
		max = SB_RANGE_MAX;
	rc = find_groups(&gs, &ng, pattern, max);
	if (rc)
		return rc;
	for (size_t k = 0; k < ng; k++) {
		if (gs[k].n > max / total) {
			rc = sb_error_set(SB_EINPUT,
					  "range '%s' expands to more than %zu names",
					  pattern, max);
			goto out;
		}
		total *= gs[k].n;
	}
	idx = calloc(ng ? ng : 1, sizeof(*idx));
	if (!idx) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t c = 0; c < total; c++) {
		size_t pos = 0;
		sb_buf_reset(&b);
		for (size_t k = 0; k < ng; k++) {
			rc = sb_buf_append(&b, pattern + pos, gs[k].start - pos);
			if (rc)
				goto out;
			rc = sb_buf_printf(&b, "%0*lu", gs[k].widths[idx[k]],
					   gs[k].vals[idx[k]]);
			if (rc)
				goto out;
			pos = gs[k].end + 1;
		}
		rc = sb_buf_puts(&b, pattern + pos);
		if (rc)
			goto out;
		rc = sb_strv_push(out, b.data);
		if (rc)
			goto out;
		/* odometer: the last group turns fastest */
		for (size_t k = ng; k-- > 0;) {
			if (++idx[k] < gs[k].n)
				break;
			idx[k] = 0;
		}
	}
	rc = 0;
out:
	for (size_t k = 0; k < ng; k++) {
		free(gs[k].vals);
		free(gs[k].widths);
	}
	free(gs);
	free(idx);
	sb_buf_release(&b);
	return rc;
}
