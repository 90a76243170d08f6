/* A site's expectations as one self-contained blob, and back: what
 * reconcile keeps in bom_compiled so that a BOM it has seen before is not
 * parsed again (docs/decisions.md, "reconcile's compiled BOM").
 *
 * Layout (host byte order: the blob is keyed by the build that wrote it):
 *   header   magic, SHA-256 of everything after the digest, the BOM's
 *            SHA-256, the counts, the site and tier
 *   nodes    struct pnode[nnodes]
 *   lines    struct pline[nlines]: per node its chassis, then its lines
 *   fw       struct pfw[nfw]: per node its baseline
 *   refs     uint32_t[nrefs]: per line its alternates, maker's parts,
 *            slots, serials and ids, in that order
 *   diags    struct pdiag[ndiags]
 *   strings  NUL-terminated, each once; the last byte is NUL
 * Every section is read in order with a cursor, and every cursor must end
 * exactly at its section's end. A string is an offset into the strings
 * (NONE: NULL); as the last byte is NUL, any offset below their size is a
 * terminated string inside the blob. The digest makes damage a miss, not
 * a wrong answer. */
#include "inventory/inv_priv.h"

#include "common/error.h"

#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX		/* a NULL string */
#define THE_BOM (UINT32_MAX - 1)	/* a diagnostic's file: the BOM's path */
#define QTY_MAX 10000		/* the most a BOM line orders (bom/bom.c) */

static const char magic[8] = "SBEXPv1";

struct phdr {
	char magic[8];
	unsigned char digest[32];	/* of the bytes after it */
	char bom_sha256[64];
	uint32_t size, nnodes, nlines, nfw, nrefs, ndiags, ndropped, nstr;
	uint32_t site, tier;
};

struct pnode {
	uint32_t name, bom_line, nlines, nfw, memory_reason;
	uint32_t memory_min_lo, memory_min_hi;
};

struct pline {
	uint32_t id, cls, manufacturer, model, part_number, quantity;
	uint32_t nalternates, nmfr_parts, nslots, nserials, nids;
	uint32_t po, vendor, po_line, bom_line, fw_name, fw_version, fw_min;
};

struct pfw {
	uint32_t name, version, min_version, bom_line;
};

struct pdiag {
	uint32_t level, file, line, col, msg, hint;
};

/* A field added to these structures must be added to the blob, to
 * pack_line()/unpack_line() and to the unit test's deep comparison; the
 * sizes below stop the build until it is (x86-64, the appliance). */
#if defined(__x86_64__)
_Static_assert(sizeof(struct sb_inv_expect_line) == 176,
	       "a new field of sb_inv_expect_line: add it to expect_pack.c");
_Static_assert(sizeof(struct sb_inv_expect_node) == 240,
	       "a new field of sb_inv_expect_node: add it to expect_pack.c");
_Static_assert(sizeof(struct sb_inv_expect_fw) == 32,
	       "a new field of sb_inv_expect_fw: add it to expect_pack.c");
_Static_assert(sizeof(struct sb_inv_expect) == 32,
	       "a new field of sb_inv_expect: add it to expect_pack.c");
#endif

/* ---- writing ----------------------------------------------------------- */

struct growbuf {
	unsigned char *p;
	size_t n, cap;
	bool failed;
};

static void *gb_add(struct growbuf *b, size_t n)
{
	void *at;

	if (b->failed || !n)	/* nothing to add: no place either */
		return NULL;
	if (n > UINT32_MAX - b->n) {
		b->failed = true;
		return NULL;
	}
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *q;
		while (cap < b->n + n)
			cap *= 2;
		if (!(q = realloc(b->p, cap))) {
			b->failed = true;
			return NULL;
		}
		b->p = q;
		b->cap = cap;
	}
	at = b->p + b->n;
	memset(at, 0, n);
	b->n += n;
	return at;
}

/* Strings, each stored once (slot names, part numbers and makers repeat
 * on every node): an open-addressing table of offsets. */
struct packer {
	struct growbuf nodes, lines, fw, refs, diags, str;
	uint32_t *tab;
	size_t tabcap, tabn;
	const char *path;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static bool tab_grow(struct packer *k)
{
	size_t cap = k->tabcap ? k->tabcap * 2 : 1024;
	uint32_t *t = malloc(cap * sizeof(*t));

	if (!t)
		return false;
	memset(t, 0xff, cap * sizeof(*t));
	for (size_t i = 0; i < k->tabcap; i++) {
		uint32_t off = k->tab[i];
		size_t h;
		if (off == NONE)
			continue;
		h = str_hash((const char *)k->str.p + off) & (cap - 1);
		while (t[h] != NONE)
			h = (h + 1) & (cap - 1);
		t[h] = off;
	}
	free(k->tab);
	k->tab = t;
	k->tabcap = cap;
	return true;
}

static uint32_t str_ref(struct packer *k, const char *s)
{
	size_t h, len;
	char *at;

	if (!s)
		return NONE;
	if (2 * (k->tabn + 1) > k->tabcap && !tab_grow(k)) {
		k->str.failed = true;
		return NONE;
	}
	for (h = str_hash(s) & (k->tabcap - 1); k->tab[h] != NONE;
	     h = (h + 1) & (k->tabcap - 1))
		if (strcmp((const char *)k->str.p + k->tab[h], s) == 0)
			return k->tab[h];
	len = strlen(s) + 1;
	if (k->str.n + len >= THE_BOM || !(at = gb_add(&k->str, len)))
		return NONE;
	memcpy(at, s, len);
	k->tab[h] = (uint32_t)(k->str.n - len);
	k->tabn++;
	return k->tab[h];
}

static void refs_add(struct packer *k, const char *const *v, size_t n)
{
	uint32_t *r = gb_add(&k->refs, n * sizeof(*r));

	for (size_t i = 0; r && i < n; i++)
		r[i] = str_ref(k, v[i]);
}

static uint32_t count32(struct packer *k, size_t n)
{
	if (n > QTY_MAX * 16u) {	/* far beyond any BOM */
		k->str.failed = true;
		return 0;
	}
	return (uint32_t)n;
}

static void pack_line(struct packer *k, const struct sb_inv_expect_line *l)
{
	struct pline *p = gb_add(&k->lines, sizeof(*p));

	if (!p)
		return;
	p->id = str_ref(k, l->id);
	p->cls = (uint32_t)l->cls;
	p->manufacturer = str_ref(k, l->manufacturer);
	p->model = str_ref(k, l->model);
	p->part_number = str_ref(k, l->part_number);
	p->quantity = l->quantity;
	p->nalternates = count32(k, l->nalternates);
	p->nmfr_parts = count32(k, l->nmfr_parts);
	p->nslots = count32(k, l->nslots);
	p->nserials = count32(k, l->nserials);
	p->nids = count32(k, l->nids);
	p->po = str_ref(k, l->po);
	p->vendor = str_ref(k, l->vendor);
	p->po_line = l->po_line;
	p->bom_line = l->bom_line;
	p->fw_name = str_ref(k, l->fw_name);
	p->fw_version = str_ref(k, l->fw_version);
	p->fw_min = str_ref(k, l->fw_min);
	refs_add(k, l->alternates, l->nalternates);
	refs_add(k, l->mfr_parts, l->nmfr_parts);
	refs_add(k, l->slots, l->nslots);
	refs_add(k, l->serials, l->nserials);
	refs_add(k, l->ids, l->nids);
}

static void pack_node(struct packer *k, const struct sb_inv_expect_node *n)
{
	struct pnode *p = gb_add(&k->nodes, sizeof(*p));

	if (!p)
		return;
	p->name = str_ref(k, n->name);
	p->bom_line = n->bom_line;
	p->nlines = count32(k, n->nlines);
	p->nfw = count32(k, n->nfirmware);
	p->memory_reason = str_ref(k, n->memory_reason);
	p->memory_min_lo = (uint32_t)n->memory_min;
	p->memory_min_hi = (uint32_t)(n->memory_min >> 32);
	pack_line(k, &n->chassis);
	for (size_t i = 0; i < n->nlines; i++)
		pack_line(k, &n->lines[i]);
	for (size_t i = 0; i < n->nfirmware; i++) {
		struct pfw *f = gb_add(&k->fw, sizeof(*f));
		if (!f)
			return;
		f->name = str_ref(k, n->firmware[i].name);
		f->version = str_ref(k, n->firmware[i].version);
		f->min_version = str_ref(k, n->firmware[i].min_version);
		f->bom_line = n->firmware[i].bom_line;
	}
}

static void pack_diag(struct packer *k, const struct sb_diag *d)
{
	struct pdiag *p = gb_add(&k->diags, sizeof(*p));

	if (!p)
		return;
	p->level = (uint32_t)d->level;
	/* the BOM's own path is not stored: a hit prints the path the
	 * user gave this time */
	p->file = d->file && strcmp(d->file, k->path) == 0 ? THE_BOM :
		  str_ref(k, d->file);
	p->line = d->line;
	p->col = d->col;
	p->msg = str_ref(k, d->msg);
	p->hint = str_ref(k, d->hint);
}

int sb_inv_expect_pack(unsigned char **out, size_t *len,
		       const struct sb_inv_expect *e, const struct sb_diags *d,
		       const char *path, const char *bom_sha256)
{
	struct packer k;
	struct growbuf *sec[6] = { &k.nodes, &k.lines, &k.fw, &k.refs, &k.diags,
				   &k.str };
	struct phdr h;
	unsigned char *blob = NULL;
	size_t total = sizeof(h), at;
	int rc = SB_ENOMEM;

	*out = NULL;
	*len = 0;
	memset(&k, 0, sizeof(k));
	k.path = path;
	if (strlen(bom_sha256) != 64)
		return sb_error_set(SB_EINTERNAL, "compiled BOM: bad SHA-256");
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, magic, sizeof(h.magic));
	memcpy(h.bom_sha256, bom_sha256, 64);
	h.site = str_ref(&k, e->site);
	h.tier = str_ref(&k, e->tier);
	for (size_t i = 0; i < e->nnodes; i++)
		pack_node(&k, &e->nodes[i]);
	for (size_t i = 0; i < d->n; i++)
		pack_diag(&k, &d->v[i]);
	if (!gb_add(&k.str, 1))	/* the final NUL (and never empty) */
		goto out;
	for (size_t i = 0; i < 6; i++) {
		if (sec[i]->failed)
			goto out;
		total += sec[i]->n;
	}
	if (total > UINT32_MAX || e->nnodes > UINT32_MAX)
		goto out;
	h.size = (uint32_t)total;
	h.nnodes = (uint32_t)e->nnodes;
	h.nlines = (uint32_t)(k.lines.n / sizeof(struct pline));
	h.nfw = (uint32_t)(k.fw.n / sizeof(struct pfw));
	h.nrefs = (uint32_t)(k.refs.n / sizeof(uint32_t));
	h.ndiags = (uint32_t)(k.diags.n / sizeof(struct pdiag));
	h.ndropped = (uint32_t)(d->dropped > UINT32_MAX ? UINT32_MAX : d->dropped);
	h.nstr = (uint32_t)k.str.n;
	if (!(blob = malloc(total)))
		goto out;
	memcpy(blob, &h, sizeof(h));
	at = sizeof(h);
	for (size_t i = 0; i < 6; i++) {
		if (sec[i]->n)
			memcpy(blob + at, sec[i]->p, sec[i]->n);
		at += sec[i]->n;
	}
	sb_sha256(blob + offsetof(struct phdr, digest),
		  blob + offsetof(struct phdr, bom_sha256),
		  total - offsetof(struct phdr, bom_sha256));
	*out = blob;
	*len = total;
	blob = NULL;
	rc = 0;
out:
	if (rc)
		rc = sb_error_set(SB_ENOMEM, "compiled BOM: out of memory, or "
				  "too large to store");
	free(blob);
	for (size_t i = 0; i < 6; i++)
		free(sec[i]->p);
	free(k.tab);
	return rc;
}

/* ---- reading ----------------------------------------------------------- */

struct reader {
	const char *str;
	uint32_t nstr;
	bool bad;
	const char *why;
};

static const char *rd_str(struct reader *r, uint32_t ref)
{
	if (ref == NONE)
		return NULL;
	if (ref >= r->nstr) {
		r->bad = true;
		r->why = "a string outside the blob";
		return NULL;
	}
	return r->str + ref;
}

static int damaged(const char *why)
{
	return sb_error_set(SB_ETAMPER, "compiled BOM: %s", why);
}

/* Take n items from a section with a cursor: NULL when they are not
 * all there. */
static const void *take(const void *base, size_t size, uint32_t have,
			uint32_t *cur, uint64_t n)
{
	const void *p;

	if (n > (uint64_t)(have - *cur))
		return NULL;
	p = (const char *)base + (size_t)*cur * size;
	*cur += (uint32_t)n;
	return p;
}

struct sections {
	const struct pnode *nodes;
	const struct pline *lines;
	const struct pfw *fw;
	const uint32_t *refs;
	const struct phdr *h;
	uint32_t cl, cf, cr;	/* cursors */
	const char **ptrs;	/* the string arrays, nrefs of them */
};

static const char *const *rd_list(struct reader *r, struct sections *s,
				  uint32_t n)
{
	uint32_t at = s->cr;
	const uint32_t *v = take(s->refs, sizeof(*v), s->h->nrefs, &s->cr, n);

	if (!v) {
		r->bad = true;
		r->why = "a list runs past its section";
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		s->ptrs[at + i] = rd_str(r, v[i]);
	return n ? s->ptrs + at : NULL;
}

static void unpack_line(struct reader *r, struct sections *s,
			struct sb_inv_expect_line *l)
{
	const struct pline *p = take(s->lines, sizeof(*p), s->h->nlines, &s->cl, 1);

	if (!p) {
		r->bad = true;
		r->why = "a node's lines run past their section";
		return;
	}
	if (p->cls >= SB_HW_CLASS_COUNT || p->quantity > QTY_MAX ||
	    (p->nslots && p->nslots != p->quantity)) {
		r->bad = true;
		r->why = "a line no BOM can hold";
		return;
	}
	l->id = rd_str(r, p->id);
	l->cls = (enum sb_hw_class)p->cls;
	l->manufacturer = rd_str(r, p->manufacturer);
	l->model = rd_str(r, p->model);
	l->part_number = rd_str(r, p->part_number);
	l->quantity = p->quantity;
	l->po = rd_str(r, p->po);
	l->vendor = rd_str(r, p->vendor);
	l->po_line = p->po_line;
	l->bom_line = p->bom_line;
	l->fw_name = rd_str(r, p->fw_name);
	l->fw_version = rd_str(r, p->fw_version);
	l->fw_min = rd_str(r, p->fw_min);
	l->alternates = rd_list(r, s, p->nalternates);
	l->nalternates = p->nalternates;
	l->mfr_parts = rd_list(r, s, p->nmfr_parts);
	l->nmfr_parts = p->nmfr_parts;
	l->slots = rd_list(r, s, p->nslots);
	l->nslots = p->nslots;
	l->serials = rd_list(r, s, p->nserials);
	l->nserials = p->nserials;
	l->ids = rd_list(r, s, p->nids);
	l->nids = p->nids;
}

int sb_inv_expect_unpack(struct sb_inv_expect *e, struct sb_arena *a,
			 struct sb_diags *d, const unsigned char *blob,
			 size_t len, const char *path, const char *bom_sha256)
{
	struct sections s;
	struct reader r = { 0 };
	struct phdr h;
	struct sb_inv_expect_node *nodes;
	struct sb_inv_expect_line *lines;
	struct sb_inv_expect_fw *fw;
	const struct pdiag *pd;
	unsigned char digest[32];
	uint64_t need;

	memset(e, 0, sizeof(*e));
	if (len < sizeof(h))
		return damaged("shorter than its header");
	memcpy(&h, blob, sizeof(h));
	if (memcmp(h.magic, magic, sizeof(magic)) != 0)
		return damaged("not a compiled BOM of this format");
	if (h.size != len)
		return damaged("its size does not match its header (truncated?)");
	if (strlen(bom_sha256) != 64 || memcmp(h.bom_sha256, bom_sha256, 64) != 0)
		return damaged("made from another BOM file");
	need = sizeof(h) + (uint64_t)h.nnodes * sizeof(struct pnode) +
	       (uint64_t)h.nlines * sizeof(struct pline) +
	       (uint64_t)h.nfw * sizeof(struct pfw) +
	       (uint64_t)h.nrefs * sizeof(uint32_t) +
	       (uint64_t)h.ndiags * sizeof(struct pdiag) + h.nstr;
	if (need != len)
		return damaged("its counts do not add up to its size");
	if (!h.nstr || blob[len - 1] != '\0')
		return damaged("its strings are not terminated");
	sb_sha256(digest, blob + offsetof(struct phdr, bom_sha256),
		  len - offsetof(struct phdr, bom_sha256));
	if (memcmp(digest, h.digest, sizeof(digest)) != 0)
		return damaged("its content does not match its digest");

	memset(&s, 0, sizeof(s));
	s.h = &h;
	s.nodes = (const void *)(blob + sizeof(h));
	s.lines = (const void *)(s.nodes + h.nnodes);
	s.fw = (const void *)(s.lines + h.nlines);
	s.refs = (const void *)(s.fw + h.nfw);
	pd = (const void *)(s.refs + h.nrefs);
	r.str = (const char *)(pd + h.ndiags);
	r.nstr = h.nstr;

	nodes = sb_arena_calloc(a, h.nnodes ? h.nnodes : 1, sizeof(*nodes));
	lines = sb_arena_calloc(a, h.nlines ? h.nlines : 1, sizeof(*lines));
	fw = sb_arena_calloc(a, h.nfw ? h.nfw : 1, sizeof(*fw));
	s.ptrs = sb_arena_calloc(a, h.nrefs ? h.nrefs : 1, sizeof(*s.ptrs));
	if (!nodes || !lines || !fw || !s.ptrs)
		return sb_error_set(SB_ENOMEM, "out of memory");
	e->site = rd_str(&r, h.site);
	e->tier = rd_str(&r, h.tier);
	for (uint32_t i = 0; i < h.nnodes && !r.bad; i++) {
		const struct pnode *p = &s.nodes[i];
		struct sb_inv_expect_node *n = &nodes[i];
		const struct pfw *pf;
		uint32_t l0;

		n->name = rd_str(&r, p->name);
		n->bom_line = p->bom_line;
		n->memory_min = (uint64_t)p->memory_min_hi << 32 | p->memory_min_lo;
		n->memory_reason = rd_str(&r, p->memory_reason);
		unpack_line(&r, &s, &n->chassis);
		l0 = s.cl;
		if ((uint64_t)p->nlines > (uint64_t)(h.nlines - s.cl)) {
			r.bad = true;
			r.why = "a node's lines run past their section";
			break;
		}
		for (uint32_t k = 0; k < p->nlines && !r.bad; k++)
			unpack_line(&r, &s, &lines[s.cl]);
		n->lines = lines + l0;
		n->nlines = p->nlines;
		if (!(pf = take(s.fw, sizeof(*pf), h.nfw, &s.cf, p->nfw))) {
			r.bad = true;
			r.why = "a node's firmware runs past its section";
			break;
		}
		for (uint32_t k = 0; k < p->nfw; k++) {
			struct sb_inv_expect_fw *f = &fw[s.cf - p->nfw + k];
			f->name = rd_str(&r, pf[k].name);
			f->version = rd_str(&r, pf[k].version);
			f->min_version = rd_str(&r, pf[k].min_version);
			f->bom_line = pf[k].bom_line;
		}
		n->firmware = fw + (s.cf - p->nfw);
		n->nfirmware = p->nfw;
	}
	if (!r.bad && (s.cl != h.nlines || s.cf != h.nfw || s.cr != h.nrefs)) {
		r.bad = true;
		r.why = "its sections hold more than its nodes use";
	}
	for (uint32_t i = 0; i < h.ndiags && !r.bad; i++)
		if (pd[i].level > SB_DIAG_WARNING || pd[i].msg == NONE ||
		    (pd[i].file != THE_BOM && pd[i].file != NONE && pd[i].file >= h.nstr) ||
		    pd[i].msg >= h.nstr || (pd[i].hint != NONE && pd[i].hint >= h.nstr)) {
			r.bad = true;
			r.why = "a diagnostic outside the blob";
		}
	if (r.bad) {
		memset(e, 0, sizeof(*e));
		return damaged(r.why);
	}
	/* only now, when everything checked out: the parser's words */
	for (uint32_t i = 0; i < h.ndiags; i++) {
		const char *file = pd[i].file == THE_BOM ? path : rd_str(&r, pd[i].file);
		sb_diags_add(d, (enum sb_diag_level)pd[i].level, file, pd[i].line,
			     pd[i].col, rd_str(&r, pd[i].hint), "%s",
			     rd_str(&r, pd[i].msg));
	}
	d->dropped += h.ndropped;
	e->nodes = nodes;
	e->nnodes = h.nnodes;
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

int sb_inv_bom_compiled_get(struct sb_inv *db, const char *sha256,
			    const char *compiler, unsigned char **blob,
			    size_t *len)
{
	sqlite3_stmt *st = NULL;
	sqlite3_blob *h = NULL;
	int rc = 0, s, n = 0, isblob = 0;
	sqlite3_int64 id = 0;

	*blob = NULL;
	*len = 0;
	/* length() of a blob is in its record's header: the pages of the
	 * blob are read once, below, straight into the buffer (a column's
	 * value would be assembled in SQLite's own buffer, then copied) */
	if (sqlite3_prepare_v2(db->db, "SELECT id, length(data), typeof(data) = "
			       "'blob' FROM bom_compiled "
			       "WHERE sha256 = ? AND compiler = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read the compiled BOM");
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, compiler, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int(st, 1);
		isblob = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (s == SQLITE_DONE)
		return sb_error_set(SB_ENOTFOUND, "no compiled form of this BOM for "
				    "this build");
	if (s != SQLITE_ROW)
		return sb_inv_sqlerr(db, "read the compiled BOM");
	if (!isblob)
		return sb_error_set(SB_ETAMPER, "compiled BOM: not a blob");
	if (n <= 0)
		return sb_error_set(SB_ETAMPER, "compiled BOM: empty");
	if (!(*blob = malloc((size_t)n)))
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (sqlite3_blob_open(db->db, "main", "bom_compiled", "data", id, 0, &h) !=
	    SQLITE_OK || sqlite3_blob_bytes(h) != n ||
	    sqlite3_blob_read(h, *blob, n, 0) != SQLITE_OK) {
		rc = h && sqlite3_blob_bytes(h) != n ?
			sb_error_set(SB_ECONFLICT, "compiled BOM: replaced while read") :
			sb_inv_sqlerr(db, "read the compiled BOM");
		free(*blob);
		*blob = NULL;
	} else {
		*len = (size_t)n;
	}
	sqlite3_blob_close(h);
	return rc;
}

int sb_inv_bom_compiled_put(struct sb_inv *db, const char *sha256,
			    const char *compiler, const void *blob, size_t len)
{
	sqlite3_stmt *st = NULL;
	char time[32];
	int rc;

	if (len > INT32_MAX)
		return sb_error_set(SB_EINPUT, "compiled BOM: too large to store");
	if ((rc = sb_inv_begin(db)))
		return rc;
	/* derived data: what another build made is of no use to this one */
	if (sqlite3_prepare_v2(db->db, "DELETE FROM bom_compiled WHERE compiler <> ?",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, compiler, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	st = NULL;
	sb_inv_time(time, 0);
	if (sqlite3_prepare_v2(db->db, "INSERT OR REPLACE INTO bom_compiled "
			       "(sha256, compiler, time, data) VALUES (?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, compiler, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, time, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, blob, (int)len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(st);
	return sb_inv_commit(db);
sqlfail:
	rc = sb_inv_sqlerr(db, "store the compiled BOM");
	sqlite3_finalize(st);
	sb_inv_rollback(db);
	return rc;
}
