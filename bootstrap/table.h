/* siteboot: text tables for people. Columns size themselves to their
 * content; the last column is never padded. Private to bootstrap/. */
#ifndef SB_BOOTSTRAP_TABLE_H
#define SB_BOOTSTRAP_TABLE_H

#include <stddef.h>
#include <stdio.h>

struct sb_table {
	size_t ncols;
	char **cells;		/* row-major */
	size_t nrows, cap;
	int indent;
	int failed;		/* out of memory: print nothing */
};

/* Start a table with its header (ncols names). */
void sb_table_init(struct sb_table *t, int indent, size_t ncols,
		   const char *const *header);
/* Add a row of ncols cells (NULL prints "-"). */
void sb_table_row(struct sb_table *t, const char *const *cells);
/* Add a row from a printf format per cell: the format holds ncols
 * fields separated by '\t'. */
void sb_table_rowf(struct sb_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_table_print(FILE *f, const struct sb_table *t);
void sb_table_release(struct sb_table *t);

#endif
