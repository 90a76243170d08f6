#include "bootstrap/table.h"
#include "common/str.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void add(struct sb_table *t, const char *const *cells)
{
	if (t->failed)
		return;
	if (t->nrows == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, ncap * t->ncols * sizeof(*c));
		if (!c) {
			t->failed = 1;
			return;
		}
		t->cells = c;
		t->cap = ncap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *s = strdup(cells[i] && *cells[i] ? cells[i] : "-");
		if (!s)
			t->failed = 1;
		t->cells[t->nrows * t->ncols + i] = s;
	}
	t->nrows++;
}

void sb_table_init(struct sb_table *t, int indent, size_t ncols,
		   const char *const *header)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->indent = indent;
	add(t, header);
}

void sb_table_row(struct sb_table *t, const char *const *cells)
{
	add(t, cells);
}

void sb_table_rowf(struct sb_table *t, const char *fmt, ...)
{
	char *line = NULL, **cells;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(line = malloc((size_t)n + 1)) ||
	    !(cells = calloc(t->ncols, sizeof(*cells)))) {
		free(line);
		t->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	char *p = line;
	for (size_t i = 0; i < t->ncols; i++) {
		cells[i] = p;
		if (p) {
			char *tab = strchr(p, '\t');
			if (tab) {
				*tab = '\0';
				p = tab + 1;
			} else {
				p = NULL;
			}
		}
	}
	add(t, (const char *const *)cells);
	free(cells);
	free(line);
}

/* Display width: count UTF-8 characters, not bytes. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void sb_table_print(FILE *f, const struct sb_table *t)
{
	size_t *w;

	if (t->failed || !t->nrows)
		return;
	w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = width(t->cells[r * t->ncols + c]);
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		fprintf(f, "%*s", t->indent, "");
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = t->cells[r * t->ncols + c];
			if (c + 1 == t->ncols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%s%*s  ", s, (int)(w[c] - width(s)), "");
		}
	}
	free(w);
}

void sb_table_release(struct sb_table *t)
{
	for (size_t i = 0; t->cells && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
