/* siteboot: diagnostics about an input file, collected rather than
 * stopped at, so that a user sees every problem of a BOM or checklist in
 * one pass. Each names FILE:LINE:COL, says what is wrong and, where we
 * can tell, the fix. */
#ifndef SB_COMMON_DIAG_H
#define SB_COMMON_DIAG_H

#include <stddef.h>

enum sb_diag_level { SB_DIAG_ERROR, SB_DIAG_WARNING };

struct sb_diag {
	enum sb_diag_level level;
	char *file;
	unsigned line;	/* 1-based; 0 when the problem has no position */
	unsigned col;	/* 1-based; 0 when unknown */
	char *msg;	/* what is wrong */
	char *hint;	/* what to do, or NULL */
};

struct sb_diags {
	struct sb_diag *v;
	size_t n, cap;
	size_t nerrors, nwarnings;
	size_t dropped;	/* beyond SB_DIAGS_MAX, counted but not kept */
};

#define SB_DIAGS_MAX 1000

void sb_diags_init(struct sb_diags *d);
void sb_diags_release(struct sb_diags *d);

/* Record one diagnostic. `hint` may be NULL. Never fails: when memory
 * runs out the diagnostic is counted as dropped. */
void sb_diags_add(struct sb_diags *d, enum sb_diag_level level,
		  const char *file, unsigned line, unsigned col,
		  const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* Sort by file, line, column (stable), for output. */
void sb_diags_sort(struct sb_diags *d);

/* "FILE:LINE:COL: error: MSG; HINT" into buf (never fails; truncates). */
void sb_diag_format(char *buf, size_t size, const struct sb_diag *dg);

#endif
