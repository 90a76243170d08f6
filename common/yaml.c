#include "common/yaml.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const struct sb_ylimits sb_ylimits_default = {
	.max_bytes = 4u * 1024u * 1024u,
	.max_depth = 32,
	.max_nodes = 200000,
	.max_weight = 1000000,
};

struct frame {
	struct sb_ynode *node;
	struct sb_ynode **tmp;	/* children collected so far */
	size_t n, cap;
	char *anchor;		/* heap copy, registered when complete */
};

struct anchor {
	char *name;
	struct sb_ynode *node;
};

struct loader {
	struct sb_ydoc *doc;
	const struct sb_ylimits *lim;
	struct sb_diags *diags;
	struct frame *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t nanchors, anchors_cap;
	size_t nodes;
	bool failed;
};

static void lerr(struct loader *l, unsigned line, unsigned col,
		 const char *hint, const char *msg)
{
	sb_diags_add(l->diags, SB_DIAG_ERROR, l->doc->file, line, col, hint,
		     "%s", msg);
	l->failed = true;
}

/* Line and column (1-based, in characters) of a byte offset. */
static void offset_pos(const char *buf, size_t off, unsigned *line,
		       unsigned *col)
{
	unsigned ln = 1, c = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			ln++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = ln;
	*col = c;
}

static struct sb_ynode *new_node(struct loader *l, enum sb_ytype t,
				 const yaml_mark_t *m)
{
	struct sb_ynode *n;

	if (++l->nodes > l->lim->max_nodes) {
		char msg[160];
		snprintf(msg, sizeof(msg),
			 "more than %zu YAML nodes; this is not a hand-written configuration file",
			 l->lim->max_nodes);
		lerr(l, (unsigned)m->line + 1, (unsigned)m->column + 1, NULL,
		     msg);
		return NULL;
	}
	n = sb_arena_alloc(&l->doc->arena, sizeof(*n));
	if (!n) {
		lerr(l, (unsigned)m->line + 1, (unsigned)m->column + 1, NULL,
		     sb_error_message());
		return NULL;
	}
	n->type = t;
	n->line = (unsigned)m->line + 1;
	n->col = (unsigned)m->column + 1;
	n->weight = 1;
	return n;
}

static int add_anchor(struct loader *l, char *name, struct sb_ynode *node)
{
	if (l->nanchors == l->anchors_cap) {
		size_t ncap = l->anchors_cap ? l->anchors_cap * 2 : 8;
		struct anchor *a = realloc(l->anchors, ncap * sizeof(*a));
		if (!a) {
			free(name);
			return -1;
		}
		l->anchors = a;
		l->anchors_cap = ncap;
	}
	l->anchors[l->nanchors].name = name;
	l->anchors[l->nanchors].node = node;
	l->nanchors++;
	return 0;
}

static struct sb_ynode *find_anchor(struct loader *l, const char *name)
{
	for (size_t i = l->nanchors; i-- > 0;)
		if (strcmp(l->anchors[i].name, name) == 0)
			return l->anchors[i].node;
	return NULL;
}

/* Attach a finished node to the collection on top of the stack (or make
 * it the root) and add `weight` to every open ancestor: a scalar's or an
 * alias's whole weight, or 1 for a collection whose children were
 * counted as they arrived. */
static int attach(struct loader *l, struct sb_ynode *child, size_t weight)
{
	if (l->depth == 0) {
		l->doc->root = child;
		return 0;
	}
	struct frame *f = &l->stack[l->depth - 1];
	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 8;
		struct sb_ynode **t = realloc(f->tmp, ncap * sizeof(*t));
		if (!t) {
			lerr(l, child->line, child->col, NULL, "out of memory");
			return -1;
		}
		f->tmp = t;
		f->cap = ncap;
	}
	f->tmp[f->n++] = child;
	for (size_t i = 0; i < l->depth; i++) {
		struct sb_ynode *anc = l->stack[i].node;
		if (weight > l->lim->max_weight - anc->weight) {
			char msg[200];
			snprintf(msg, sizeof(msg),
				 "aliases expand this document to more than %zu nodes (an alias bomb?)",
				 l->lim->max_weight);
			lerr(l, child->line, child->col,
			     "write the repeated parts out, or use fewer nested aliases",
			     msg);
			return -1;
		}
		anc->weight += weight;
	}
	return 0;
}

static int push(struct loader *l, struct sb_ynode *node, const char *anchor)
{
	if (l->depth >= l->lim->max_depth) {
		char msg[120];
		snprintf(msg, sizeof(msg),
			 "nested deeper than %u levels", l->lim->max_depth);
		lerr(l, node->line, node->col,
		     "flatten the structure; no siteboot file needs this depth",
		     msg);
		return -1;
	}
	if (l->depth == l->stack_cap) {
		size_t ncap = l->stack_cap ? l->stack_cap * 2 : 8;
		struct frame *s = realloc(l->stack, ncap * sizeof(*s));
		if (!s) {
			lerr(l, node->line, node->col, NULL, "out of memory");
			return -1;
		}
		l->stack = s;
		l->stack_cap = ncap;
	}
	struct frame *f = &l->stack[l->depth++];
	memset(f, 0, sizeof(*f));
	f->node = node;
	if (anchor) {
		f->anchor = strdup(anchor);
		if (!f->anchor) {
			lerr(l, node->line, node->col, NULL, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int cmp_pair_key(const void *a, const void *b)
{
	const struct sb_ypair *x = a, *y = b;
	size_t n = x->key->len < y->key->len ? x->key->len : y->key->len;
	int c = memcmp(x->key->str, y->key->str, n);

	if (c)
		return c;
	if (x->key->len != y->key->len)
		return x->key->len < y->key->len ? -1 : 1;
	/* equal keys: order by position so the later one is reported */
	if (x->key->line != y->key->line)
		return x->key->line < y->key->line ? -1 : 1;
	return x->key->col < y->key->col ? -1 : x->key->col > y->key->col;
}

static int finish_map(struct loader *l, struct frame *f)
{
	struct sb_ynode *m = f->node;
	struct sb_ypair *sorted = NULL;

	m->n = f->n / 2;
	m->pairs = sb_arena_calloc(&l->doc->arena, m->n ? m->n : 1,
				   sizeof(*m->pairs));
	if (!m->pairs) {
		lerr(l, m->line, m->col, NULL, sb_error_message());
		return -1;
	}
	for (size_t i = 0; i < m->n; i++) {
		struct sb_ynode *k = f->tmp[2 * i];
		if (k->type != SB_YSCALAR) {
			lerr(l, k->line, k->col,
			     "write keys as plain text such as 'name:'",
			     "a mapping key must be a text value, not a list or mapping");
			return -1;
		}
		m->pairs[i].key = k;
		m->pairs[i].val = f->tmp[2 * i + 1];
	}
	if (m->n < 2)
		return 0;
	sorted = malloc(m->n * sizeof(*sorted));
	if (!sorted) {
		lerr(l, m->line, m->col, NULL, "out of memory");
		return -1;
	}
	memcpy(sorted, m->pairs, m->n * sizeof(*sorted));
	qsort(sorted, m->n, sizeof(*sorted), cmp_pair_key);
	for (size_t i = 1; i < m->n; i++) {
		struct sb_ynode *a = sorted[i - 1].key, *b = sorted[i].key;
		if (a->len == b->len && memcmp(a->str, b->str, a->len) == 0) {
			char msg[300];
			snprintf(msg, sizeof(msg),
				 "key '%.*s' appears twice in one mapping (first at line %u)",
				 (int)(b->len > 80 ? 80 : b->len), b->str,
				 a->line);
			lerr(l, b->line, b->col,
			     "remove or rename one of them", msg);
		}
	}
	free(sorted);
	return 0;
}

static int pop(struct loader *l)
{
	struct frame *f;
	struct sb_ynode *node;
	int rc = 0;

	if (l->depth == 0 || !l->stack) {
		lerr(l, 0, 0, NULL, "unbalanced YAML event stream");
		return -1;
	}
	f = &l->stack[l->depth - 1];
	node = f->node;

	if (node->type == SB_YMAP) {
		rc = finish_map(l, f);
	} else {
		node->n = f->n;
		node->items = sb_arena_calloc(&l->doc->arena, f->n ? f->n : 1,
					      sizeof(*node->items));
		if (!node->items) {
			lerr(l, node->line, node->col, NULL,
			     sb_error_message());
			rc = -1;
		} else if (f->n) {
			memcpy(node->items, f->tmp, f->n * sizeof(*f->tmp));
		}
	}
	free(f->tmp);
	char *anchor = f->anchor;
	l->depth--;
	if (rc == 0 && anchor)
		rc = add_anchor(l, anchor, node);
	else
		free(anchor);
	if (rc == 0)
		rc = attach(l, node, 1);
	return rc;
}

/* Does the line holding byte `off` start with a tab in its indentation? */
static bool tab_indented(const char *buf, size_t len, size_t line0)
{
	size_t i = 0;

	for (size_t ln = 0; ln < line0 && i < len; i++)
		if (buf[i] == '\n')
			ln++;
	for (; i < len && (buf[i] == ' ' || buf[i] == '\t'); i++)
		if (buf[i] == '\t')
			return true;
	return false;
}

static void report_parser_error(struct loader *l, yaml_parser_t *p,
				const char *buf, size_t len)
{
	char msg[400];
	const yaml_mark_t *m = &p->problem_mark;
	const char *hint = NULL;

	if (p->error == YAML_READER_ERROR) {
		snprintf(msg, sizeof(msg), "cannot read the file as text: %s",
			 p->problem ? p->problem : "unknown problem");
		lerr(l, 0, 0, "save it as UTF-8 text", msg);
		return;
	}
	if ((p->problem && strstr(p->problem, "tab")) ||
	    tab_indented(buf, len, m->line))
		hint = "indent with spaces, never tabs";
	else if (p->problem && strstr(p->problem, "mapping values"))
		hint = "a ':' inside a value needs the value in quotes";
	else
		hint = "check the indentation and quoting here";
	if (p->context)
		snprintf(msg, sizeof(msg), "YAML syntax error: %s %s",
			 p->problem ? p->problem : "", p->context);
	else
		snprintf(msg, sizeof(msg), "YAML syntax error: %s",
			 p->problem ? p->problem : "unknown problem");
	lerr(l, (unsigned)m->line + 1, (unsigned)m->column + 1, hint, msg);
}

static bool only_blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' &&
		    buf[i] != '\r')
			return false;
	return true;
}

static void loader_release(struct loader *l)
{
	for (size_t i = 0; i < l->depth; i++) {
		free(l->stack[i].tmp);
		free(l->stack[i].anchor);
	}
	free(l->stack);
	for (size_t i = 0; i < l->nanchors; i++)
		free(l->anchors[i].name);
	free(l->anchors);
}

static int handle_event(struct loader *l, yaml_event_t *ev, int *ndocs)
{
	struct sb_ynode *n;
	const yaml_mark_t *m = &ev->start_mark;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*ndocs > 1) {
			lerr(l, (unsigned)m->line + 1, (unsigned)m->column + 1,
			     "keep one document per file",
			     "a second YAML document starts here");
			return -1;
		}
		return 0;
	case YAML_SCALAR_EVENT:
		n = new_node(l, SB_YSCALAR, m);
		if (!n)
			return -1;
		n->str = sb_arena_strndup(&l->doc->arena,
					  (const char *)ev->data.scalar.value,
					  ev->data.scalar.length);
		if (!n->str) {
			lerr(l, n->line, n->col, NULL, sb_error_message());
			return -1;
		}
		n->len = ev->data.scalar.length;
		if (memchr(n->str, '\0', n->len)) {
			lerr(l, n->line, n->col, "remove the \\0 escape",
			     "a text value contains a NUL character");
			return -1;
		}
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if (ev->data.scalar.anchor &&
		    add_anchor(l, strdup((const char *)ev->data.scalar.anchor),
			       n) != 0) {
			lerr(l, n->line, n->col, NULL, "out of memory");
			return -1;
		}
		return attach(l, n, 1);
	case YAML_SEQUENCE_START_EVENT:
		n = new_node(l, SB_YSEQ, m);
		if (!n)
			return -1;
		return push(l, n, (const char *)ev->data.sequence_start.anchor);
	case YAML_MAPPING_START_EVENT:
		n = new_node(l, SB_YMAP, m);
		if (!n)
			return -1;
		return push(l, n, (const char *)ev->data.mapping_start.anchor);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return pop(l);
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		n = find_anchor(l, name);
		if (!n) {
			char msg[200];
			snprintf(msg, sizeof(msg),
				 "alias '*%.80s' names no complete anchor before it",
				 name);
			lerr(l, (unsigned)m->line + 1, (unsigned)m->column + 1,
			     "define '&name' on an earlier node; a node cannot contain an alias to itself",
			     msg);
			return -1;
		}
		return attach(l, n, n->weight);
	}
	default:
		return 0;
	}
}

int sb_yaml_load_buf(struct sb_ydoc **out, const char *file, const char *buf,
		     size_t len, const struct sb_ylimits *lim,
		     struct sb_diags *diags)
{
	struct loader l;
	struct sb_ydoc *doc;
	yaml_parser_t parser;
	yaml_event_t ev;
	size_t bad;
	int ndocs = 0, done = 0;
	unsigned line, col;

	if (!lim)
		lim = &sb_ylimits_default;
	doc = calloc(1, sizeof(*doc));
	if (!doc)
		return sb_error_set(SB_ENOMEM, "out of memory");
	/* the nodes, their text and the pair arrays share one budget */
	sb_arena_init(&doc->arena, lim->max_bytes * 16 + 64 * lim->max_nodes);
	doc->file = file;
	memset(&l, 0, sizeof(l));
	l.doc = doc;
	l.lim = lim;
	l.diags = diags;

	if (len > lim->max_bytes) {
		char msg[200];
		snprintf(msg, sizeof(msg),
			 "is %zu bytes, more than the limit of %zu for this kind of file",
			 len, lim->max_bytes);
		lerr(&l, 0, 0, "is this the right file?", msg);
		goto fail;
	}
	if (len == 0) {
		lerr(&l, 0, 0, "write the document, or give the right file",
		     "the file is empty");
		goto fail;
	}
	if (memchr(buf, '\0', len)) {
		offset_pos(buf, (size_t)((const char *)memchr(buf, '\0', len) -
					  buf), &line, &col);
		lerr(&l, line, col, "give a YAML text file",
		     "binary data (a NUL byte), not YAML text");
		goto fail;
	}
	if (!sb_utf8_valid(buf, len, &bad)) {
		char msg[120];
		offset_pos(buf, bad, &line, &col);
		snprintf(msg, sizeof(msg),
			 "not UTF-8 text (byte 0x%02x)",
			 (unsigned char)buf[bad]);
		lerr(&l, line, col, "save the file as UTF-8", msg);
		goto fail;
	}
	if (only_blank(buf, len)) {
		lerr(&l, 0, 0, "write the document, or give the right file",
		     "the file is empty");
		goto fail;
	}

	if (!yaml_parser_initialize(&parser)) {
		sb_arena_release(&doc->arena);
		free(doc);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(&l, &parser, buf, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		int rc = handle_event(&l, &ev, &ndocs);
		yaml_event_delete(&ev);
		if (rc)
			break;
	}
	yaml_parser_delete(&parser);
	if (!l.failed && !doc->root)
		lerr(&l, 0, 0, "write the document, or give the right file",
		     "the file holds no YAML document (only comments?)");
	if (l.failed)
		goto fail;
	loader_release(&l);
	*out = doc;
	return 0;
fail:
	loader_release(&l);
	sb_arena_release(&doc->arena);
	free(doc);
	return sb_error_set(SB_EINPUT, "%s: cannot load YAML", file);
}

int sb_yaml_read_file(char **buf, size_t *len, const char *file,
		      const struct sb_ylimits *lim, struct sb_diags *diags)
{
	int rc;

	if (!lim)
		lim = &sb_ylimits_default;
	rc = sb_file_read(buf, len, file, lim->max_bytes);
	if (rc) {
		/* the message already names the file: keep the rest */
		const char *msg = sb_error_message();
		size_t fl = strlen(file);
		if (strncmp(msg, file, fl) == 0 && msg[fl] == ':')
			msg += fl + 2;
		sb_diags_add(diags, SB_DIAG_ERROR, file, 0, 0, NULL, "%s",
			     msg);
		return SB_EINPUT;
	}
	return 0;
}

int sb_yaml_load_file(struct sb_ydoc **out, const char *file,
		      const struct sb_ylimits *lim, struct sb_diags *diags)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	rc = sb_yaml_read_file(&buf, &len, file, lim, diags);
	if (rc)
		return rc;
	rc = sb_yaml_load_buf(out, file, buf, len, lim, diags);
	free(buf);
	return rc;
}

void sb_yaml_free(struct sb_ydoc *doc)
{
	if (!doc)
		return;
	sb_arena_release(&doc->arena);
	free(doc);
}

struct sb_ynode *sb_ymap_get(const struct sb_ynode *map, const char *key)
{
	size_t kl;

	if (!map || map->type != SB_YMAP)
		return NULL;
	kl = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const struct sb_ynode *k = map->pairs[i].key;
		if (k->len == kl && memcmp(k->str, key, kl) == 0)
			return map->pairs[i].val;
	}
	return NULL;
}

bool sb_yscalar_is_null(const struct sb_ynode *n)
{
	if (!n || n->type != SB_YSCALAR || n->quoted)
		return false;
	return n->len == 0 || strcmp(n->str, "~") == 0 ||
	       strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
	       strcmp(n->str, "NULL") == 0;
}

const char *sb_ytype_name(const struct sb_ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->type) {
	case SB_YSCALAR: return sb_yscalar_is_null(n) ? "an empty value" :
					"a text value";
	case SB_YSEQ: return "a list";
	case SB_YMAP: return "a mapping";
	}
	return "?";
}
