/* siteboot: YAML documents as a tree that remembers where each node came
 * from, loaded with libyaml under hard limits so that a hostile or broken
 * file (binary, not UTF-8, an alias bomb, absurd nesting, megabytes of
 * text) fails fast with FILE:LINE:COL instead of eating the machine.
 *
 * Aliases are resolved by sharing: an alias node is the anchored node
 * itself, and every node carries its expanded weight, which is capped. */
#ifndef SB_COMMON_YAML_H
#define SB_COMMON_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/diag.h"

enum sb_ytype { SB_YSCALAR, SB_YSEQ, SB_YMAP };

struct sb_ypair;

struct sb_ynode {
	enum sb_ytype type;
	unsigned line, col;	/* 1-based position of the node's start */
	bool quoted;		/* scalar written with quotes or as a block */
	size_t weight;		/* nodes this one stands for, aliases expanded */
	/* SB_YSCALAR */
	const char *str;
	size_t len;
	/* SB_YSEQ */
	struct sb_ynode **items;
	/* SB_YMAP */
	struct sb_ypair *pairs;
	size_t n;		/* items or pairs */
};

struct sb_ypair {
	struct sb_ynode *key;	/* always a scalar */
	struct sb_ynode *val;
};

struct sb_ylimits {
	size_t max_bytes;	/* file size */
	unsigned max_depth;	/* nesting of collections */
	size_t max_nodes;	/* nodes created while parsing */
	size_t max_weight;	/* nodes after alias expansion */
};

/* Limits suited to hand-written configuration: 4 MiB, depth 32, 200k
 * nodes, 1M expanded nodes. */
extern const struct sb_ylimits sb_ylimits_default;

struct sb_ydoc {
	struct sb_arena arena;
	const char *file;	/* as given, for messages */
	struct sb_ynode *root;	/* NULL for an empty document */
};

/* Load a file (or, with sb_yaml_load_buf, bytes already in memory, named
 * `file` in messages). Problems go to `diags` as errors with positions;
 * the return is SB_EINPUT when the document could not be loaded. On
 * success the caller owns *doc and frees it with sb_yaml_free(). */
int sb_yaml_load_file(struct sb_ydoc **doc, const char *file,
		      const struct sb_ylimits *lim, struct sb_diags *diags);
int sb_yaml_load_buf(struct sb_ydoc **doc, const char *file, const char *buf,
		     size_t len, const struct sb_ylimits *lim,
		     struct sb_diags *diags);
void sb_yaml_free(struct sb_ydoc *doc);

/* Read a file for YAML loading under lim->max_bytes, reporting a missing,
 * unreadable or oversized file to `diags` (for callers that also need
 * the bytes, e.g. to hash them). */
int sb_yaml_read_file(char **buf, size_t *len, const char *file,
		      const struct sb_ylimits *lim, struct sb_diags *diags);

/* Map lookup by key (NULL when absent or when `map` is not a map). */
struct sb_ynode *sb_ymap_get(const struct sb_ynode *map, const char *key);
/* Is this scalar a YAML null (~, null, empty and unquoted)? */
bool sb_yscalar_is_null(const struct sb_ynode *n);
/* Human name of a node's type, for messages: "a mapping", "a list",
 * "a text value". */
const char *sb_ytype_name(const struct sb_ynode *n);

#endif
