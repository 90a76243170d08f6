#include "common/diag.h"
#include "common/str.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_diags_init(struct sb_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void sb_diags_release(struct sb_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
		free(d->v[i].hint);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void sb_diags_add(struct sb_diags *d, enum sb_diag_level level,
		  const char *file, unsigned line, unsigned col,
		  const char *hint, const char *fmt, ...)
{
	struct sb_diag dg = { level, NULL, line, col, NULL, NULL };
	char msg[1024];
	va_list ap;

	if (level == SB_DIAG_ERROR)
		d->nerrors++;
	else
		d->nwarnings++;
	if (d->n >= SB_DIAGS_MAX)
		goto drop;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct sb_diag *v = realloc(d->v, ncap * sizeof(*v));
		if (!v)
			goto drop;
		d->v = v;
		d->cap = ncap;
	}
	dg.file = sb_strdup(file ? file : "-");
	dg.msg = strdup(msg);
	dg.hint = sb_strdup(hint);
	if (!dg.file || !dg.msg || (hint && !dg.hint)) {
		free(dg.file);
		free(dg.msg);
		free(dg.hint);
		goto drop;
	}
	d->v[d->n++] = dg;
	return;
drop:
	d->dropped++;
}

/* qsort is not stable, so sort copies tagged with their position. */
struct tagged {
	struct sb_diag dg;
	size_t idx;
};

static int diag_cmp(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;
	int c = strcmp(x->dg.file, y->dg.file);

	if (c)
		return c;
	if (x->dg.line != y->dg.line)
		return x->dg.line < y->dg.line ? -1 : 1;
	if (x->dg.col != y->dg.col)
		return x->dg.col < y->dg.col ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

void sb_diags_sort(struct sb_diags *d)
{
	struct tagged *t;

	if (d->n < 2)
		return;
	t = malloc(d->n * sizeof(*t));
	if (!t)
		return;
	for (size_t i = 0; i < d->n; i++) {
		t[i].dg = d->v[i];
		t[i].idx = i;
	}
	qsort(t, d->n, sizeof(*t), diag_cmp);
	for (size_t i = 0; i < d->n; i++)
		d->v[i] = t[i].dg;
	free(t);
}

void sb_diag_format(char *buf, size_t size, const struct sb_diag *dg)
{
	const char *lvl = dg->level == SB_DIAG_ERROR ? "error" : "warning";

	if (dg->line && dg->col)
		snprintf(buf, size, "%s:%u:%u: %s: %s%s%s", dg->file, dg->line,
			 dg->col, lvl, dg->msg, dg->hint ? "; " : "",
			 dg->hint ? dg->hint : "");
	else if (dg->line)
		snprintf(buf, size, "%s:%u: %s: %s%s%s", dg->file, dg->line,
			 lvl, dg->msg, dg->hint ? "; " : "",
			 dg->hint ? dg->hint : "");
	else
		snprintf(buf, size, "%s: %s: %s%s%s", dg->file, lvl, dg->msg,
			 dg->hint ? "; " : "", dg->hint ? dg->hint : "");
}
