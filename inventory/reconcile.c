/* Reconciliation: what the site should hold against what was last seen.
 *
 * The observed side is the latest report of every (node, target): the
 * components in it, the chassis serial each source claimed, the firmware
 * versions. Matching runs in passes over the whole site, so that a part
 * found on the wrong node is reported as moved there and not also as an
 * extra part: (1) expected serials on their own node, (2) expected
 * serials anywhere else in the site, (3) per node: durable identifiers,
 * then slot with part number, then part number, then what is left. */
#include "inventory/inv_priv.h"

#include "common/error.h"
#include "common/str.h"
#include "common/time.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *sb_inv_severity_name(enum sb_inv_severity s)
{
	switch (s) {
	case SB_INV_SEV_OK: return "ok";
	case SB_INV_SEV_INFO: return "info";
	case SB_INV_SEV_WARNING: return "warning";
	case SB_INV_SEV_ERROR: return "error";
	}
	return "?";
}

const char *const sb_inv_decisions[] = { "accept", "rma", "return", "waive",
					 NULL };

struct obs {
	const char *node, *mfr, *model, *pn, *serial, *serial_raw, *durable,
		   *slot, *source, *evidence;
	enum sb_hw_class cls;
	uint64_t cap;
	bool used;
};

struct rep {
	const char *node, *target, *protocol, *cser, *cser_raw, *site;
	int64_t id;
	size_t olo, ohi, flo, fhi;	/* its rows in obs[] and fws[] */
	bool candidate;			/* latest of its (site, node, target) */
};

struct fw {
	const char *node, *name, *version, *evidence;
};

struct disp {
	const char *finding, *decision, *by, *note;
};

/* Strings copied out of SQLite rows: bump-allocated from big blocks,
 * without the arena's zeroing and alignment (a core site has about a
 * million of them). */
struct strpool {
	struct strblock {
		struct strblock *next;
		size_t used, size;
		char data[];
	} *head;
};

static const char *sp_dup(struct strpool *p, const char *s, size_t n)
{
	struct strblock *b = p->head;

	if (!s)
		return NULL;
	if (!b || b->size - b->used < n + 1) {
		size_t size = n + 1 > (1u << 20) ? n + 1 : (1u << 20);
		if (!(b = malloc(sizeof(*b) + size)))
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = p->head;
		p->head = b;
	}
	char *d = b->data + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

static void sp_release(struct strpool *p)
{
	while (p->head) {
		struct strblock *n = p->head->next;
		free(p->head);
		p->head = n;
	}
}

/* The observed side, loaded once: every report that is the latest of its
 * (site, node, target), with its observations and firmware versions, and
 * the dispositions. Which of them count for a site is decided when it is
 * matched (a report without a site counts for every site). */
struct sb_inv_observed {
	struct strpool sp;
	struct rep *reps;	/* by id */
	size_t nreps, creps;
	struct obs *obs;	/* grouped by report */
	size_t nobs, cobs;
	struct fw *fws;		/* grouped by report */
	size_t nfws, cfws;
	struct disp *disps;
	size_t ndisps, cdisps;
};

struct ctx {
	struct sb_inv_observed *ob;
	const struct sb_inv_expect *e;
	struct sb_inv_reconcile *r;
	struct sb_arena *a;
	struct obs *obs;	/* this site's, by node (then as seen) */
	size_t nobs, obs_cap;	/* obs_cap 0: obs points into ob->obs */
	struct sslot *stab;	/* the serial index: one slot per serial */
	size_t stab_mask;
	uint32_t *snext;	/* the next obs with the same serial */
	struct rep *reps;	/* this site's, by node, then id */
	size_t nreps;
	struct fw *fws;		/* by node, then as seen */
	size_t nfws, fws_cap;
	struct disp *disps;
	size_t ndisps;
};

static const char *afmt(struct ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *afmt(struct ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return sb_arena_strdup(c->a, buf);
}

/* "node/slot" without printf: one per finding */
static const char *aloc(struct ctx *c, const char *node, const char *slot)
{
	size_t a = strlen(node ? node : ""), b = strlen(slot ? slot : "-");
	char *d = sb_arena_alloc(c->a, a + b + 2);

	if (!d)
		return NULL;
	memcpy(d, node ? node : "", a);
	d[a] = '/';
	memcpy(d + a + 1, slot ? slot : "-", b + 1);
	return d;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* ---- loading the observed side ------------------------------------------ */

/* The big arrays (observations, findings: about 10 and 18 MB on a core
 * site) live in mappings of their own, offered to the kernel for huge
 * pages and grown by mremap, which moves page tables instead of copying
 * (docs/decisions.md, "reconcile's memory"). A reservation costs nothing
 * until it is touched. */
static size_t big_bytes(size_t cap, size_t size)
{
	size_t b = cap * size, page = b >= ((size_t)2 << 20) ? (size_t)2 << 20 : 4096;

	return (b + page - 1) & ~(page - 1);
}

static int big_reserve(void **v, size_t *cap, size_t want, size_t size)
{
	size_t ob = *v ? big_bytes(*cap, size) : 0, nb;
	void *p;

	if (want <= *cap && *v)
		return 0;
	if (want < 64)
		want = 64;
	if (want > SIZE_MAX / 2 / size)
		return sb_error_set(SB_ENOMEM, "out of memory");
	nb = big_bytes(want, size);
	if (*v)
		p = mremap(*v, ob, nb, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, nb, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (p == MAP_FAILED)
		return sb_error_set(SB_ENOMEM, "out of memory");
	if (nb >= ((size_t)2 << 20))
		madvise(p, nb, MADV_HUGEPAGE);	/* best effort */
	*v = p;
	*cap = nb / size;
	return 0;
}

static void big_free(void *v, size_t cap, size_t size)
{
	if (v)
		munmap(v, big_bytes(cap, size));
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	return big_reserve(v, cap, *cap ? *cap * 2 : 256, size);
}

static const char *col(struct sb_inv_observed *ob, sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? sp_dup(&ob->sp, t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

/* A column whose value often repeats the previous row's (manufacturer,
 * model, part number, slot names, source, the evidence of a report):
 * the previous copy is shared rather than copied again. */
static const char *col_rep(struct sb_inv_observed *ob, sqlite3_stmt *st, int i,
			   const char **prev)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	size_t n;

	if (!t)
		return NULL;
	n = (size_t)sqlite3_column_bytes(st, i);
	if (*prev && strncmp(*prev, t, n) == 0 && (*prev)[n] == '\0')
		return *prev;
	return *prev = sp_dup(&ob->sp, t, n);
}

/* The latest report of every (site, node, target, protocol): a node's
 * BMC over IPMI and its host over SSH are two sources, even when both
 * are known by the node's name. */
#define CANDIDATES "SELECT max(id) FROM reports GROUP BY coalesce(site, ''), " \
		   "node, coalesce(target, ''), coalesce(protocol, '')"

static struct rep *rep_by_id(struct sb_inv_observed *ob, int64_t id,
			     struct rep *hint)
{
	size_t lo = 0, hi = ob->nreps;

	if (hint && hint->id == id)
		return hint;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ob->reps[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ob->nreps && ob->reps[lo].id == id ? &ob->reps[lo] : NULL;
}

/* An upper bound of a table's rows (its largest rowid), without
 * reading it: the arrays are reserved once, not grown. */
static size_t rows_at_most(struct sb_inv *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	/* a huge history: start smaller and grow */
	return n <= 0 ? 0 : n > (1 << 22) ? (1 << 22) : (size_t)n;
}

static int load(struct sb_inv_observed *ob, struct sb_inv *db)
{
	const char *prev[6] = { 0 };
	sqlite3_stmt *st = NULL;
	struct rep *last = NULL;
	enum sb_hw_class cls_k = SB_HW_OTHER;
	char prev_cls[32] = "";
	int rc = 0, s;

	if ((rc = big_reserve((void **)&ob->reps, &ob->creps, rows_at_most(db,
			      "SELECT max(id) FROM reports"), sizeof(*ob->reps))) ||
	    (rc = big_reserve((void **)&ob->obs, &ob->cobs, rows_at_most(db,
			      "SELECT max(id) FROM observations"), sizeof(*ob->obs))) ||
	    (rc = big_reserve((void **)&ob->fws, &ob->cfws, rows_at_most(db,
			      "SELECT max(id) FROM firmware"), sizeof(*ob->fws))))
		return rc;

	if (sqlite3_prepare_v2(db->db, "SELECT id, site, node, target, protocol, "
			       "chassis_serial, chassis_serial_raw FROM reports "
			       "WHERE id IN (" CANDIDATES ") ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read reports");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct rep *p;
		if ((rc = grow((void **)&ob->reps, &ob->creps, ob->nreps,
			       sizeof(*ob->reps))))
			break;
		p = &ob->reps[ob->nreps++];
		memset(p, 0, sizeof(*p));
		p->id = sqlite3_column_int64(st, 0);
		p->site = col(ob, st, 1);
		p->node = col(ob, st, 2);
		p->target = col(ob, st, 3);
		p->protocol = col(ob, st, 4);
		p->cser = col(ob, st, 5);
		p->cser_raw = col(ob, st, 6);
		p->candidate = true;
		if (!p->node) {
			rc = sb_error_set(SB_ENOMEM, "out of memory");
			break;
		}
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read reports");
	sqlite3_finalize(st);
	if (rc)
		return rc;

	/* the observations of those reports, through the (node, report_id)
	 * index: the cost follows the current inventory, not its history */
	if (sqlite3_prepare_v2(db->db,
			       "SELECT o.report_id, c.class, "
			       "coalesce(o.manufacturer, c.manufacturer), "
			       "coalesce(o.model, c.model), "
			       "coalesce(o.part_number, c.part_number), c.serial, "
			       "coalesce(o.serial_raw, c.serial_raw), "
			       "c.durable_id, o.slot, o.source, o.evidence_sha256, "
			       "o.capacity_bytes FROM reports r "
			       "CROSS JOIN observations o ON o.node = r.node AND "
			       "o.report_id = r.id "
			       "JOIN components c ON c.id = o.component_id "
			       "WHERE r.id IN (" CANDIDATES ")",
			       -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read observations");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct obs *o;
		struct rep *p = rep_by_id(ob, sqlite3_column_int64(st, 0), last);
		const char *cls, *raw;
		int k;
		if (!p)
			continue;	/* a report that arrived since */
		if ((rc = grow((void **)&ob->obs, &ob->cobs, ob->nobs, sizeof(*ob->obs))))
			break;
		if (p != last) {
			if (p->ohi) {	/* rows out of order: should not happen */
				rc = sb_error_set(SB_EINTERNAL, "observations of report "
						  "%lld are not together",
						  (long long)p->id);
				break;
			}
			p->olo = ob->nobs;
			last = p;
		}
		o = &ob->obs[ob->nobs++];
		p->ohi = ob->nobs;
		cls = sb_inv_col(st, 1);
		/* the class of the previous row, most of the time */
		if (!cls || !prev_cls[0] || strcmp(cls, prev_cls) != 0) {
			k = cls ? sb_hw_class_parse(cls) : -1;
			cls_k = k < 0 ? SB_HW_OTHER : (enum sb_hw_class)k;
			snprintf(prev_cls, sizeof(prev_cls), "%s", cls ? cls : "");
			if (!cls || strlen(cls) >= sizeof(prev_cls))
				prev_cls[0] = '\0';
		}
		o->node = p->node;
		o->cls = cls_k;
		o->mfr = col_rep(ob, st, 2, &prev[0]);
		o->model = col_rep(ob, st, 3, &prev[1]);
		o->pn = col_rep(ob, st, 4, &prev[2]);
		o->serial = col(ob, st, 5);
		/* the raw serial is usually the normalised one: shared, not
		 * copied */
		raw = (const char *)sqlite3_column_text(st, 6);
		if (raw && o->serial && strcmp(raw, o->serial) == 0)
			o->serial_raw = o->serial;
		else
			o->serial_raw = col(ob, st, 6);
		o->durable = col(ob, st, 7);
		o->slot = col_rep(ob, st, 8, &prev[3]);
		o->source = col_rep(ob, st, 9, &prev[4]);
		o->evidence = col_rep(ob, st, 10, &prev[5]);
		o->cap = (uint64_t)sqlite3_column_int64(st, 11);
		o->used = false;
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read observations");
	sqlite3_finalize(st);
	if (rc)
		return rc;

	last = NULL;
	if (sqlite3_prepare_v2(db->db, "SELECT report_id, name, version, "
			       "evidence_sha256 FROM firmware WHERE report_id IN ("
			       CANDIDATES ") ORDER BY report_id, id", -1, &st,
			       NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read firmware");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct rep *p = rep_by_id(ob, sqlite3_column_int64(st, 0), last);
		struct fw *f;
		if (!p)
			continue;
		if ((rc = grow((void **)&ob->fws, &ob->cfws, ob->nfws, sizeof(*ob->fws))))
			break;
		if (p != last) {
			p->flo = ob->nfws;
			last = p;
		}
		f = &ob->fws[ob->nfws++];
		p->fhi = ob->nfws;
		f->node = p->node;
		f->name = col(ob, st, 1);
		f->version = col(ob, st, 2);
		f->evidence = col(ob, st, 3);
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read firmware");
	sqlite3_finalize(st);
	if (rc)
		return rc;

	if (sqlite3_prepare_v2(db->db, "SELECT finding, decision, by, note FROM "
			       "dispositions ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read dispositions");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct disp *d;
		if ((rc = grow((void **)&ob->disps, &ob->cdisps, ob->ndisps,
			       sizeof(*ob->disps))))
			break;
		d = &ob->disps[ob->ndisps++];
		d->finding = col(ob, st, 0);
		d->decision = col(ob, st, 1);
		d->by = col(ob, st, 2);
		d->note = col(ob, st, 3);
	}
	if (!rc && s != SQLITE_DONE)
		rc = sb_inv_sqlerr(db, "read dispositions");
	sqlite3_finalize(st);
	return rc;
}

void sb_inv_observed_free(struct sb_inv_observed *ob)
{
	if (!ob)
		return;
	big_free(ob->reps, ob->creps, sizeof(*ob->reps));
	big_free(ob->obs, ob->cobs, sizeof(*ob->obs));
	big_free(ob->fws, ob->cfws, sizeof(*ob->fws));
	big_free(ob->disps, ob->cdisps, sizeof(*ob->disps));
	sp_release(&ob->sp);
	free(ob);
}

int sb_inv_read_tune(struct sb_inv *db)
{
	return sb_inv_exec(db, "PRAGMA mmap_size = 0");
}

int sb_inv_observed_load(struct sb_inv_observed **out, struct sb_inv *db)
{
	struct sb_inv_observed *ob = calloc(1, sizeof(*ob));
	int rc;

	*out = NULL;
	if (!ob)
		return sb_error_set(SB_ENOMEM, "out of memory");
	/* one read transaction: a consistent view while discover writes */
	if ((rc = sb_inv_exec(db, "BEGIN"))) {
		free(ob);
		return rc;
	}
	rc = load(ob, db);
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	if (rc) {
		sb_inv_observed_free(ob);
		return rc;
	}
	*out = ob;
	return 0;
}

/* A report's rows: its observations, or its firmware versions. */
static size_t rows_lo(const struct rep *p, bool fw)
{
	return fw ? p->flo : p->olo;
}

static size_t rows_hi(const struct rep *p, bool fw)
{
	return fw ? p->fhi : p->ohi;
}

/* The rows of the reports v[0..m) in that order: a pointer into `all`
 * when they are one run there in that order (*cap stays 0), else a
 * copy. */
static int site_rows(struct rep *const *v, size_t m, bool fw, void *all,
		     size_t size, void **out, size_t *cap, size_t *n)
{
	size_t first = 0, next = 0, total = 0;
	bool run = true;

	for (size_t i = 0; i < m; i++) {
		size_t lo = rows_lo(v[i], fw), hi = rows_hi(v[i], fw);
		if (hi == lo)
			continue;
		if (!total)
			first = next = lo;
		run = run && lo == next;
		next = hi;
		total += hi - lo;
	}
	*n = total;
	*cap = 0;
	if (run || !total) {
		*out = (char *)all + first * size;
		return 0;
	}
	if (big_reserve(out, cap, total, size))
		return SB_ENOMEM;
	total = 0;
	for (size_t i = 0; i < m; i++) {
		size_t lo = rows_lo(v[i], fw), hi = rows_hi(v[i], fw);
		memcpy((char *)*out + total * size, (char *)all + lo * size,
		       (hi - lo) * size);
		total += hi - lo;
	}
	return 0;
}

static int rep_cmp(const void *a, const void *b)
{
	const struct rep *x = *(const struct rep *const *)a;
	const struct rep *y = *(const struct rep *const *)b;
	int k = strcmp(x->node, y->node);

	if (k)
		return k;
	k = cmp_str(x->target, y->target);
	if (k)
		return k;
	k = cmp_str(x->protocol, y->protocol);
	if (k)
		return k;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* This site's side: for every (node, target) the latest report with the
 * site's id or none, sorted by node; their observations and firmware in
 * that order. */
static int select_site(struct ctx *c)
{
	struct sb_inv_observed *ob = c->ob;
	const char *site = c->e->site;
	struct rep **v = calloc(ob->nreps ? ob->nreps : 1, sizeof(*v));
	size_t n = 0, m = 0;
	int rc = 0;

	if (!v)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; i < ob->nreps; i++)
		if (!ob->reps[i].site || (site && strcmp(ob->reps[i].site, site) == 0))
			v[n++] = &ob->reps[i];
	qsort(v, n, sizeof(*v), rep_cmp);
	/* keep the last (highest id) of each (node, target, protocol) */
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || strcmp(v[i]->node, v[i + 1]->node) != 0 ||
		    cmp_str(v[i]->target, v[i + 1]->target) != 0 ||
		    cmp_str(v[i]->protocol, v[i + 1]->protocol) != 0)
			v[m++] = v[i];
	/* by node, then id: a node's reports in the order they arrived */
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		while (j < m && strcmp(v[j]->node, v[i]->node) == 0)
			j++;
		for (size_t a = i + 1; a < j; a++)	/* few per node */
			for (size_t b = a; b > i && v[b - 1]->id > v[b]->id; b--) {
				struct rep *t = v[b];
				v[b] = v[b - 1];
				v[b - 1] = t;
			}
		i = j;
	}
	c->reps = malloc((m ? m : 1) * sizeof(*c->reps));
	if (!c->reps) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m; i++)
		c->reps[c->nreps++] = *v[i];
	/* the observations in that order: usually they already are (the
	 * site's reports were read in that order), and the loaded array is
	 * used as it is; otherwise a copy in that order */
	if ((rc = site_rows(v, m, false, ob->obs, sizeof(*ob->obs),
			    (void **)&c->obs, &c->obs_cap, &c->nobs)) ||
	    (rc = site_rows(v, m, true, ob->fws, sizeof(*ob->fws),
			    (void **)&c->fws, &c->fws_cap, &c->nfws)))
		goto out;
	/* matching marks what it took: start clean (the set can be matched
	 * again) */
	for (size_t i = 0; i < c->nobs; i++)
		c->obs[i].used = false;
	c->disps = ob->disps;
	c->ndisps = ob->ndisps;
out:
	free(v);
	return rc;
}

/* FNV-1a, 64 bits. */
static uint64_t serial_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3u;
	return h;
}

/* The serial index: a hash table (open addressing) with one slot per
 * distinct serial; the observations with that serial are chained in the
 * order of c->obs, which is by node, then as seen: the order every pass
 * and the duplicate report take them in. */
#define SNONE UINT32_MAX
struct sslot {
	uint32_t tag;		/* the hash's top bits */
	uint32_t head, tail;	/* into c->obs; head SNONE: a free slot */
	uint32_t n;
};

static struct sslot *serial_slot(const struct ctx *c, const char *serial,
				 uint64_t h)
{
	uint32_t tag = (uint32_t)(h >> 32);

	for (size_t j = (size_t)h & c->stab_mask;; j = (j + 1) & c->stab_mask) {
		struct sslot *t = &c->stab[j];
		if (t->head == SNONE ||
		    (t->tag == tag && strcmp(c->obs[t->head].serial, serial) == 0))
			return t;
	}
}

static int index_serials(struct ctx *c)
{
	size_t cap = 64;

	if (c->nobs >= SNONE)
		return sb_error_set(SB_ENOMEM, "too many observations to match "
				    "(%zu)", c->nobs);
	while (cap < c->nobs + c->nobs / 2)	/* at most 2/3 full */
		cap <<= 1;
	c->stab = malloc(cap * sizeof(*c->stab));
	c->snext = malloc((c->nobs ? c->nobs : 1) * sizeof(*c->snext));
	if (!c->stab || !c->snext)
		return sb_error_set(SB_ENOMEM, "out of memory");
	c->stab_mask = cap - 1;
	for (size_t j = 0; j < cap; j++)
		c->stab[j].head = SNONE;
	for (size_t i = 0; i < c->nobs; i++) {
		const char *serial = c->obs[i].serial;
		uint64_t h;
		struct sslot *t;
		if (!serial)
			continue;
		h = serial_hash(serial);
		t = serial_slot(c, serial, h);
		c->snext[i] = SNONE;
		if (t->head == SNONE) {
			t->tag = (uint32_t)(h >> 32);
			t->head = t->tail = (uint32_t)i;
			t->n = 1;
		} else {
			c->snext[t->tail] = (uint32_t)i;
			t->tail = (uint32_t)i;
			t->n++;
		}
	}
	return 0;
}

/* The first observation with this serial (c->obs index), or SNONE. */
static uint32_t serial_first(const struct ctx *c, const char *serial)
{
	return serial_slot(c, serial, serial_hash(serial))->head;
}

/* [lo, hi) of the rows of `node` in an array sorted by node, whose
 * element's first member is the node name. */
static void range_of(const void *base, size_t n, size_t size, const char *node,
		     size_t *lo_out, size_t *hi_out)
{
	const char *b = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(*(const char *const *)(b + mid * size), node) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*lo_out = lo;
	while (lo < n && strcmp(*(const char *const *)(b + lo * size), node) == 0)
		lo++;
	*hi_out = lo;
}

static void node_range(const struct ctx *c, const char *node, size_t *lo,
		       size_t *hi)
{
	range_of(c->obs, c->nobs, sizeof(*c->obs), node, lo, hi);
}

/* ---- findings -------------------------------------------------------------- */

static struct sb_inv_finding *add(struct ctx *c, const char *kind,
				  enum sb_inv_severity sev, const char *node,
				  const struct sb_inv_expect_line *l)
{
	struct sb_inv_reconcile *r = c->r;
	struct sb_inv_finding *f;

	if (grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)))
		return NULL;
	f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	f->node = node;
	if (l) {
		f->line = l->id;
		f->part_number = l->part_number;
		f->po = l->po;
		f->po_line = l->po_line;
		f->vendor = l->vendor;
		f->bom_line = l->bom_line;
		f->ordered = l->quantity;
	}
	return f;
}

static void obs_into(struct ctx *c, struct sb_inv_finding *f, const struct obs *o)
{
	if (!f || !o)
		return;
	f->observed_serial = o->serial_raw;
	f->observed_part = o->pn;
	f->evidence = o->evidence;
	f->location = aloc(c, o->node, o->slot);
}

static int cmp_disp(const void *a, const void *b)
{
	const struct disp *x = *(const struct disp *const *)a;
	const struct disp *y = *(const struct disp *const *)b;
	int k = strcmp(x->finding, y->finding);

	return k ? k : (x > y) - (x < y);	/* then in the order made */
}

/* The last decision recorded on a finding, or NULL: through v, the
 * decisions sorted by finding, or (no memory for it) all of them. */
static const struct disp *latest_disposition(const struct ctx *c,
					     const struct disp *const *v,
					     size_t n, const char *id)
{
	const struct disp *last = NULL;
	size_t lo = 0, hi = n;

	if (!v) {
		for (size_t k = 0; k < c->ndisps; k++)
			if (c->disps[k].finding && strcmp(c->disps[k].finding, id) == 0)
				last = &c->disps[k];
		return last;
	}
	while (lo < hi) {	/* the first one past the id */
		size_t mid = (lo + hi) / 2;
		if (strcmp(v[mid]->finding, id) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && strcmp(v[lo - 1]->finding, id) == 0 ? v[lo - 1] : NULL;
}

/* A finding's id key: "kind|node|line|expected|observed|location|site",
 * cut at 1023 bytes as it always was. Returns its length. */
static size_t id_key(char key[1024], const struct sb_inv_finding *f,
		     const char *site)
{
	const char *part[] = { f->kind, f->node, f->line, f->expected_serial,
			       f->observed_serial, f->location, site };
	size_t n = 0;

	for (size_t p = 0; p < sizeof(part) / sizeof(part[0]); p++) {
		size_t len = part[p] ? strlen(part[p]) : 0;
		if (p && n < 1023)
			key[n++] = '|';
		if (len > 1023 - n)
			len = 1023 - n;
		memcpy(key + n, part[p] ? part[p] : "", len);
		n += len;
	}
	key[n] = '\0';
	return n;
}

/* Stable ids and dispositions for findings [lo, hi). The ids are SHA-256
 * of their keys, hashed a batch at a time (several lanes at once where
 * the CPU can). */
struct finishing {
	struct ctx *c;
	const struct disp **dv;	/* the decisions by finding, or NULL */
	size_t nd;
	size_t lo, hi;
	size_t nblocking;	/* out */
};

static void finish_range(struct finishing *w)
{
	enum { BATCH = 64 };
	static const char hexd[] = "0123456789abcdef";
	struct ctx *c = w->c;
	struct sb_inv_reconcile *r = c->r;
	char (*keys)[1024] = malloc(BATCH * sizeof(*keys));
	unsigned char sum[BATCH][32];
	const unsigned char *msg[BATCH];
	size_t len[BATCH];

	for (size_t i = w->lo; i < w->hi; i++) {
		struct sb_inv_finding *f = &r->v[i];
		size_t b0 = (i - w->lo) % BATCH;
		if (b0 == 0) {
			size_t nb = w->hi - i < BATCH ? w->hi - i : BATCH;
			for (size_t b = 0; b < nb; b++) {
				char one[1024];
				char *k = keys ? keys[b] : one;
				len[b] = id_key(k, &r->v[i + b], c->e->site);
				msg[b] = (const unsigned char *)k;
				if (!keys)	/* no memory for a batch: one by one */
					sb_sha256(sum[b], k, len[b]);
			}
			if (keys)
				sb_sha256_many(sum, msg, len, nb);
		}
		/* "F-" and the first 10 hex digits */
		f->id[0] = 'F';
		f->id[1] = '-';
		for (size_t d = 0; d < 5; d++) {
			f->id[2 + 2 * d] = hexd[sum[b0][d] >> 4];
			f->id[3 + 2 * d] = hexd[sum[b0][d] & 15];
		}
		f->id[12] = '\0';
		const struct disp *d = latest_disposition(c, w->dv, w->nd, f->id);
		if (d) {
			f->disposition = d->decision;
			f->disposition_by = d->by;
			f->disposition_note = d->note;
		}
		f->blocking = f->severity == SB_INV_SEV_ERROR && !f->disposition;
		if (f->blocking)
			w->nblocking++;
	}
	free(keys);
}

static void *finish_thread(void *arg)
{
	finish_range(arg);
	return NULL;
}

/* Ids and dispositions, once every finding is in: a core site's 100,000
 * findings in two halves, the second on another thread (each finding's
 * id depends on itself alone; the decisions are only read). */
static void finish(struct ctx *c)
{
	struct sb_inv_reconcile *r = c->r;
	const struct disp **dv = malloc((c->ndisps ? c->ndisps : 1) * sizeof(*dv));
	struct finishing w[2] = { { .c = c, .dv = dv, .lo = 0, .hi = r->n } };
	pthread_t tid;
	bool two = false;
	size_t nd = 0;

	/* the decisions by finding, each finding's in the order made */
	for (size_t k = 0; dv && k < c->ndisps; k++)
		if (c->disps[k].finding)
			dv[nd++] = &c->disps[k];
	if (dv)
		qsort(dv, nd, sizeof(*dv), cmp_disp);
	w[0].nd = nd;
	if (r->n >= 8192) {
		w[1] = w[0];
		w[0].hi = w[1].lo = r->n / 2;
		two = pthread_create(&tid, NULL, finish_thread, &w[1]) == 0;
		if (!two)
			w[0].hi = r->n;
	}
	finish_range(&w[0]);
	if (two)
		pthread_join(tid, NULL);
	r->nblocking += w[0].nblocking + (two ? w[1].nblocking : 0);
	free(dv);
}

/* ---- comparisons ------------------------------------------------------------ */

static void slot_norm(char *out, size_t size, const char *s)
{
	size_t k = 0;

	for (; s && *s && k + 1 < size; s++)
		if (isalnum((unsigned char)*s))
			out[k++] = (char)toupper((unsigned char)*s);
	out[k] = '\0';
}

/* Whether a string has a letter or digit: what normalising keeps. */
static bool has_alnum(const char *s)
{
	for (; *s; s++)
		if (isalnum((unsigned char)*s))
			return true;
	return false;
}

/* "A1" matches "DIMM_A1" and "DIMM.Socket.A1"; "A1" does not match "A11". */
static bool slot_match(const char *expected, const char *observed)
{
	char e[128], o[128];
	size_t ne, no;

	if (!expected || !observed)
		return false;
	if (strcmp(expected, observed) == 0)	/* the usual case */
		return has_alnum(expected);
	slot_norm(e, sizeof(e), expected);
	slot_norm(o, sizeof(o), observed);
	ne = strlen(e);
	no = strlen(o);
	if (!ne || ne > no)
		return false;
	return strcmp(o + no - ne, e) == 0;
}

static bool pn_eq(const char *a, const char *b)
{
	char x[128], y[128];

	if (!a || !b)
		return false;
	if (strcmp(a, b) == 0)	/* the usual case */
		return has_alnum(a);
	slot_norm(x, sizeof(x), a);
	slot_norm(y, sizeof(y), b);
	return *x && strcmp(x, y) == 0;
}

/* The line's part number, an alternate, or one of the maker's own part
 * numbers for it. */
static bool pn_listed(const struct sb_inv_expect_line *l, const char *pn)
{
	if (pn_eq(l->part_number, pn))
		return true;
	for (size_t i = 0; i < l->nalternates; i++)
		if (pn_eq(l->alternates[i], pn))
			return true;
	for (size_t i = 0; i < l->nmfr_parts; i++)
		if (pn_eq(l->mfr_parts[i], pn))
			return true;
	return false;
}

static bool pn_allowed(const struct sb_inv_expect_line *l, const struct obs *o)
{
	if (!l->part_number && !l->nmfr_parts)	/* the BOM names a model only */
		return l->model && o->model && sb_strcaseeq(l->model, o->model);
	return pn_listed(l, o->pn);
}

/* The source said nothing about the part number (lsblk has a MODEL, ip
 * link nothing): not evidence of a wrong part. */
static bool pn_unknown(const struct obs *o)
{
	return !o->pn || !*o->pn;
}

/* Whether an observed model string looks like what the line orders: it
 * contains (or is contained in) the line's model, its first word (the
 * maker's code: "SSDSCKKB480GZ 480GB M.2 SATA"), a part number, an
 * alternate or a maker's part number, ignoring case and punctuation.
 * Only used to note a disagreement, never to accept a part. */
static bool model_agrees(const struct sb_inv_expect_line *l, const char *model)
{
	const char *cand[3] = { l->model, l->part_number, NULL };
	char m[256], x[256], first[128];
	size_t nm;

	slot_norm(m, sizeof(m), model);
	if (!(nm = strlen(m)))
		return true;
	if (l->model) {
		size_t k = strcspn(l->model, " \t");
		snprintf(first, sizeof(first), "%.*s", (int)(k < 120 ? k : 120), l->model);
		cand[2] = first;
	}
	for (size_t i = 0; i < 3 + l->nalternates + l->nmfr_parts; i++) {
		const char *c = i < 3 ? cand[i] : i < 3 + l->nalternates ?
				l->alternates[i - 3] : l->mfr_parts[i - 3 - l->nalternates];
		slot_norm(x, sizeof(x), c);
		if (strlen(x) >= 4 && (strstr(m, x) || strstr(x, m)))
			return true;
	}
	return false;
}

/* Which sources can see a class at all: a part of it that none of them
 * has reported on for a node is unverifiable there, not missing. Classes
 * not listed are seen by every source that reports a node at all. */
static const char *const seeing[] = { "redfish", "ssh-dmidecode", "ssh-lsblk",
				      "ssh-ip" };
enum { SEE_RF = 1, SEE_DMI = 2, SEE_LSBLK = 4, SEE_IP = 8 };
static const struct {
	enum sb_hw_class cls;
	unsigned sources;	/* bits of seeing[] */
	const char *say;
} coverage[] = {
	{ SB_HW_CPU, SEE_RF, "redfish" },
	{ SB_HW_MEMORY, SEE_RF | SEE_DMI,
	  "redfish or ssh-dmidecode (the in-band inventory)" },
	{ SB_HW_DRIVE, SEE_RF | SEE_LSBLK,
	  "redfish or ssh-lsblk (the in-band inventory)" },
	{ SB_HW_NIC, SEE_RF | SEE_IP,
	  "redfish or ssh-ip (ip -j link, the in-band inventory)" },
	{ SB_HW_PSU, SEE_RF, "redfish" },
};

/* Which of seeing[] reported on a node, as bits: once per node. */
static unsigned node_sources(const struct ctx *c, size_t lo, size_t hi)
{
	const char *last = NULL;
	unsigned bits = 0;

	for (size_t i = lo; i < hi; i++) {
		const char *src = c->obs[i].source;
		if (!src || src == last)	/* one node's rows share it */
			continue;
		last = src;
		for (size_t j = 0; j < sizeof(seeing) / sizeof(seeing[0]); j++)
			if (strcmp(src, seeing[j]) == 0)
				bits |= 1u << j;
	}
	return bits;
}

/* NULL when a source that sees this class reported on the node (`seen`:
 * node_sources) or the class is not one some sources are blind to, else
 * which would. */
static const char *unseen_class(enum sb_hw_class cls, unsigned seen)
{
	for (size_t k = 0; k < sizeof(coverage) / sizeof(coverage[0]); k++)
		if (coverage[k].cls == cls)
			return coverage[k].sources & seen ? NULL : coverage[k].say;
	return NULL;
}

static bool model_only(const struct sb_inv_expect_line *l, const struct obs *o)
{
	return l->model && o->model && sb_strcaseeq(l->model, o->model);
}

int sb_inv_version_cmp(const char *a, const char *b)
{
	while (a && b && *a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long long x = strtoull(a, (char **)&a, 10),
					   y = strtoull(b, (char **)&b, 10);
			if (x != y)
				return x < y ? -1 : 1;
		} else if (isalnum((unsigned char)*a) && isalnum((unsigned char)*b)) {
			int d = toupper((unsigned char)*a) - toupper((unsigned char)*b);
			if (d)
				return d;
			a++;
			b++;
		} else {
			/* separators: skip one on each side */
			if (!isalnum((unsigned char)*a))
				a++;
			if (!isalnum((unsigned char)*b))
				b++;
		}
	}
	return (a && *a) ? 1 : (b && *b) ? -1 : 0;
}

/* Is version a shorter form of full, equal in every component it has
 * ("7.00" of "7.00.30.00")? IPMI's Get Device ID carries only major.minor
 * of a BMC's firmware, which can neither pass nor fail a longer baseline. */
static bool version_less_precise(const char *version, const char *full)
{
	char head[128];
	size_t n = strlen(version);

	if (n == 0 || n >= sizeof(head) || n >= strlen(full) ||
	    isalnum((unsigned char)full[n]) || !isalnum((unsigned char)full[n + 1]))
		return false;
	memcpy(head, full, n);
	head[n] = 0;
	return sb_inv_version_cmp(version, head) == 0;
}

/* ---- per line ---------------------------------------------------------------- */

struct unit {
	const char *slot, *serial;	/* expected; serial normalised */
	const char *serial_raw;
	struct obs *o;			/* what matched it */
	bool moved;
	bool by_id;			/* matched by serial or MAC/WWN */
};

static bool is_chassis_like(enum sb_hw_class c)
{
	return c == SB_HW_BOARD || c == SB_HW_BMC || c == SB_HW_OTHER;
}

static int units_of(struct ctx *c, const struct sb_inv_expect_line *l,
		    struct unit **out)
{
	struct unit *u = sb_arena_calloc(c->a, l->quantity ? l->quantity : 1,
					 sizeof(*u));

	if (!u)
		return SB_ENOMEM;
	for (unsigned k = 0; k < l->quantity; k++) {
		if (k < l->nslots)
			u[k].slot = l->slots[k];
		if (k < l->nserials) {
			char n[SB_HW_FIELD_MAX + 1];
			if (sb_inv_serial_norm(n, sizeof(n), l->serials[k])) {
				u[k].serial = sb_arena_strdup(c->a, n);
				u[k].serial_raw = l->serials[k];
			}
		}
	}
	*out = u;
	return 0;
}

/* Pass 1: expected serials found on their own node, through the serial
 * index (by serial, then node). */
static void pass_serials(struct ctx *c, const char *node,
			 const struct sb_inv_expect_line *l, struct unit *u)
{
	for (unsigned k = 0; k < l->quantity; k++) {
		if (!u[k].serial)
			continue;
		/* every source that saw this serial on the node saw the same
		 * part (the BMC and lsblk, say): one unit, the observation
		 * that names a part number preferred */
		for (uint32_t i = serial_first(c, u[k].serial); i != SNONE;
		     i = c->snext[i]) {
			struct obs *o = &c->obs[i];
			if (o->used || o->cls != l->cls || strcmp(o->node, node) != 0)
				continue;
			o->used = true;
			if (!u[k].o || (pn_unknown(u[k].o) && !pn_unknown(o)))
				u[k].o = o;
			u[k].by_id = true;
		}
	}
}

/* Pass 2: expected serials that are on another node of the site. */
static void pass_moved(struct ctx *c, const struct sb_inv_expect_line *l,
		       struct unit *u)
{
	for (unsigned k = 0; k < l->quantity; k++) {
		if (!u[k].serial || u[k].o)
			continue;
		for (uint32_t i = serial_first(c, u[k].serial); i != SNONE;
		     i = c->snext[i]) {
			struct obs *o = &c->obs[i];
			if (!o->used && o->cls == l->cls) {
				o->used = true;
				u[k].o = o;
				u[k].moved = true;
				u[k].by_id = true;
				break;
			}
		}
	}
}

static struct obs *take_obs(struct ctx *c, size_t lo, size_t hi,
			    const struct sb_inv_expect_line *l, const char *slot,
			    bool need_pn)
{
	for (size_t i = lo; i < hi; i++) {
		struct obs *o = &c->obs[i];
		if (o->used || o->cls != l->cls)
			continue;
		if (slot && !slot_match(slot, o->slot))
			continue;
		if (need_pn && !pn_allowed(l, o))
			continue;
		o->used = true;
		return o;
	}
	return NULL;
}

static bool slots_seen(const struct ctx *c, const struct sb_inv_expect_line *l,
		       size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++)
		for (size_t k = 0; k < l->nslots; k++)
			if (c->obs[i].cls == l->cls &&
			    slot_match(l->slots[k], c->obs[i].slot))
				return true;
	return false;
}

/* Pass 3 for one line: durable ids, slot, part number. */
static void pass_rest(struct ctx *c, const struct sb_inv_expect_line *l,
		      struct unit *u, size_t lo, size_t hi)
{
	/* durable identifiers (MACs, WWNs) listed on the line, in unit
	 * order; a card with several ports lists one MAC per port, and every
	 * port seen belongs to its card (ip link shows each port) */
	unsigned ports = l->quantity && l->nids > l->quantity ?
		(unsigned)((l->nids + l->quantity - 1) / l->quantity) : 1;
	for (size_t d = 0; d < l->nids; d++) {
		char want[SB_HW_FIELD_MAX + 1];
		if (!sb_inv_durable_norm(want, sizeof(want), l->ids[d]))
			continue;
		struct obs *best = NULL;
		unsigned k = (unsigned)(d / ports);
		/* every source that saw this MAC or WWN saw the same part */
		for (size_t i = lo; i < hi; i++) {
			struct obs *o = &c->obs[i];
			if (o->used || o->cls != l->cls || !o->durable ||
			    strcmp(o->durable, want) != 0)
				continue;
			o->used = true;
			if (!best || (pn_unknown(best) && !pn_unknown(o)))
				best = o;
		}
		if (!best)
			continue;
		if (k >= l->quantity || u[k].o) {
			/* another port of a card already matched, or (one
			 * port per card) the first unit still free */
			k = l->quantity;
			if (ports == 1)
				for (k = 0; k < l->quantity && u[k].o; k++)
					;
		}
		if (k < l->quantity && !u[k].o) {
			u[k].o = best;
			u[k].by_id = true;
		}
	}
	/* the expected slot with an allowed part number, then the slot with
	 * any part (reported as wrong part), then any allowed part */
	for (unsigned k = 0; k < l->quantity; k++)
		if (!u[k].o && u[k].slot)
			u[k].o = take_obs(c, lo, hi, l, u[k].slot, true);
	for (unsigned k = 0; k < l->quantity; k++)
		if (!u[k].o && u[k].slot)
			u[k].o = take_obs(c, lo, hi, l, u[k].slot, false);
	/* any allowed part, for units without a slot; units with one only
	 * when no part of this class sits in any slot the line names (the
	 * BMC names slots differently), so a part in another slot is not
	 * taken for the missing one */
	for (unsigned k = 0; k < l->quantity; k++)
		if (!u[k].o && (!u[k].slot || !slots_seen(c, l, lo, hi)))
			u[k].o = take_obs(c, lo, hi, l, NULL, true);
}

/* In-band sources name a drive or a port by the kernel's name (sda,
 * nvme0n1, eth0), not by where it sits: no slot to compare. */
static bool physical_slot(const struct obs *o)
{
	return !o->source || (strcmp(o->source, "ssh-lsblk") != 0 &&
			      strcmp(o->source, "ssh-ip") != 0);
}

/* A part matched although its source gave no part number: say so, and
 * whether its model string agrees with the line. */
static const char *unknown_part_note(struct ctx *c,
				     const struct sb_inv_expect_line *l,
				     const struct obs *o, bool by_id)
{
	const char *src = o->source ? o->source : "?";
	const char *how = by_id ? "" : o->serial ? "; matched by slot" :
			  "; matched by slot only, no serial either";

	if (o->model && *o->model && (l->model || l->part_number) &&
	    !model_agrees(l, o->model))
		return afmt(c, "part number not observed (source %s)%s; the observed "
			    "model '%s' does not look like the line's %s '%s' "
			    "(noted, not a finding)", src, how, o->model,
			    l->model ? "model" : "part number",
			    l->model ? l->model : l->part_number);
	return afmt(c, "part number not observed (source %s)%s", src, how);
}

static void report_line(struct ctx *c, const char *node,
			const struct sb_inv_expect_line *l, struct unit *u,
			const char *unseen)
{
	unsigned found = 0, unverifiable = 0;
	size_t start = c->r->n;

	for (unsigned k = 0; k < l->quantity; k++) {
		struct obs *o = u[k].o;
		struct sb_inv_finding *f;

		if (!o && unseen) {
			/* no source that sees this class has reported on the
			 * node: nothing is known, which is not "missing" */
			unverifiable++;
			f = add(c, "unverifiable", SB_INV_SEV_WARNING, node, l);
			if (!f)
				return;
			f->expected_serial = u[k].serial_raw;
			f->location = u[k].slot ? aloc(c, node, u[k].slot) : node;
			f->detail = afmt(c, "no source that can see a %s has reported "
					 "on %s yet; %s would", sb_hw_class_name(l->cls),
					 node, unseen);
			continue;
		}
		if (!o) {
			f = add(c, "missing", SB_INV_SEV_ERROR, node, l);
			if (!f)
				return;
			f->expected_serial = u[k].serial_raw;
			f->location = u[k].slot ? aloc(c, node, u[k].slot) : node;
			f->detail = afmt(c, "%s %s%s%s not found on %s",
					 sb_hw_class_name(l->cls),
					 l->part_number ? l->part_number : "",
					 u[k].serial_raw ? " serial " : "",
					 u[k].serial_raw ? u[k].serial_raw : "", node);
			continue;
		}
		found++;
		if (u[k].moved) {
			f = add(c, "moved", SB_INV_SEV_ERROR, node, l);
			obs_into(c, f, o);
			if (f) {
				f->expected_serial = u[k].serial_raw;
				f->detail = afmt(c, "serial %s belongs on %s but is on %s",
						 u[k].serial_raw, node, o->node);
			}
			continue;
		}
		if (!pn_allowed(l, o) && !pn_unknown(o)) {
			f = add(c, "wrong_part", SB_INV_SEV_ERROR, node, l);
			obs_into(c, f, o);
			if (f) {
				f->expected_serial = u[k].serial_raw;
				f->detail = model_only(l, o) ?
					afmt(c, "part number %s is not among the allowed "
					     "ones; only the model matches, which is not "
					     "accepted", o->pn ? o->pn : "(none)") :
					afmt(c, "part number %s is not among the allowed ones",
					     o->pn ? o->pn : "(none)");
			}
			continue;
		}
		if (u[k].serial && o->serial && strcmp(u[k].serial, o->serial) != 0) {
			f = add(c, "serial_mismatch", SB_INV_SEV_ERROR, node, l);
			obs_into(c, f, o);
			if (f) {
				f->expected_serial = u[k].serial_raw;
				f->detail = afmt(c, "expected serial %s, found %s: possible "
						 "substitution", u[k].serial_raw, o->serial_raw);
			}
			continue;
		}
		if (u[k].slot && o->slot && physical_slot(o) &&
		    !slot_match(u[k].slot, o->slot)) {
			f = add(c, "wrong_slot", SB_INV_SEV_WARNING, node, l);
			obs_into(c, f, o);
			if (f) {
				f->expected_serial = u[k].serial_raw;
				f->detail = afmt(c, "expected in slot %s, found in %s",
						 u[k].slot, o->slot);
			}
			continue;
		}
		f = add(c, "matched", SB_INV_SEV_OK, node, l);
		obs_into(c, f, o);
		if (f) {
			f->expected_serial = u[k].serial_raw;
			if (pn_unknown(o) && !pn_allowed(l, o))
				f->detail = unknown_part_note(c, l, o, u[k].by_id);
			else if (u[k].serial && !o->serial)
				f->detail = "matched by slot and part number; the source "
					    "reported no usable serial";
		}
	}
	if (found + unverifiable < l->quantity) {
		struct sb_inv_finding *f = add(c, "quantity_short", SB_INV_SEV_ERROR,
					       node, l);
		if (f) {
			f->found = found;
			f->location = node;
			f->detail = afmt(c, "%u of %u found", found, l->quantity);
		}
	}
	for (size_t i = start; i < c->r->n; i++)
		if (strcmp(c->r->v[i].kind, "quantity_short") != 0)
			c->r->v[i].found = found;
}

/* What is left on a node after every line took its parts. */
static void report_leftovers(struct ctx *c, const struct sb_inv_expect_node *n,
			     size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		struct obs *o = &c->obs[i];
		const struct sb_inv_expect_line *same = NULL, *model = NULL;
		bool class_listed = false;
		struct sb_inv_finding *f;

		if (o->used || o->cls == SB_HW_CHASSIS)
			continue;
		for (size_t k = 0; k < n->nlines; k++) {
			const struct sb_inv_expect_line *l = &n->lines[k];
			if (l->cls != o->cls)
				continue;
			class_listed = true;
			if (!same && pn_allowed(l, o))
				same = l;
			/* no part number observed: not a wrong part; one more
			 * of a line whose model it resembles */
			if (!same && pn_unknown(o) && o->model &&
			    model_agrees(l, o->model))
				same = l;
			if (!model && model_only(l, o))
				model = l;
		}
		if (!class_listed && is_chassis_like(o->cls))
			continue;	/* boards and BMCs are not ordered by line */
		if (same) {
			f = add(c, "quantity_over", SB_INV_SEV_WARNING, n->name, same);
			obs_into(c, f, o);
			if (f)
				f->detail = afmt(c, "one more %s %s than the %u ordered",
						 sb_hw_class_name(o->cls),
						 o->pn ? o->pn : "", same->quantity);
		} else if (model && !pn_unknown(o)) {
			f = add(c, "wrong_part", SB_INV_SEV_ERROR, n->name, model);
			obs_into(c, f, o);
			if (f)
				f->detail = afmt(c, "part number %s is not among the "
						 "allowed ones; only the model matches, "
						 "which is not accepted",
						 o->pn ? o->pn : "(none)");
		} else {
			f = add(c, "extra", SB_INV_SEV_WARNING, n->name, NULL);
			obs_into(c, f, o);
			if (f) {
				f->part_number = o->pn;
				f->detail = afmt(c, "%s %s %s found, not ordered",
						 sb_hw_class_name(o->cls),
						 o->mfr ? o->mfr : "", o->model ? o->model : "");
			}
		}
	}
}

static void check_chassis(struct ctx *c, const struct sb_inv_expect_node *n,
			  size_t lo, size_t hi)
{
	const struct sb_inv_expect_line *l = &n->chassis;
	const char *seen_raw = NULL, *seen = NULL, *first_src = NULL;
	const char *evidence = NULL, *pn = NULL;
	char want[SB_HW_FIELD_MAX + 1];
	struct sb_inv_finding *f;
	bool conflict = false;

	size_t rlo, rhi;

	/* every source's claim: reports' chassis serials and chassis parts */
	range_of(c->reps, c->nreps, sizeof(*c->reps), n->name, &rlo, &rhi);
	for (size_t i = rlo; i < rhi; i++) {
		const struct rep *p = &c->reps[i];
		if (!p->cser)
			continue;
		if (!seen) {
			seen = p->cser;
			seen_raw = p->cser_raw;
			first_src = p->target;
		} else if (strcmp(seen, p->cser) != 0 && !conflict) {
			conflict = true;
			f = add(c, "identity_conflict", SB_INV_SEV_ERROR, n->name, l);
			if (f) {
				f->observed_serial = p->cser_raw;
				f->expected_serial = seen_raw;
				f->location = n->name;
				f->line = "chassis";
				f->detail = afmt(c, "%s reports chassis serial %s but %s "
						 "reports %s", first_src ? first_src : "one source",
						 seen_raw, p->target ? p->target : "another",
						 p->cser_raw);
			}
		}
	}
	for (size_t i = lo; i < hi; i++) {
		struct obs *o = &c->obs[i];
		if (o->cls != SB_HW_CHASSIS)
			continue;
		o->used = true;
		if (!evidence)
			evidence = o->evidence;
		if (!pn)
			pn = o->pn;
		if (!seen && o->serial) {
			seen = o->serial;
			seen_raw = o->serial_raw;
		} else if (o->serial && seen && strcmp(o->serial, seen) != 0 && !conflict) {
			conflict = true;
			f = add(c, "identity_conflict", SB_INV_SEV_ERROR, n->name, l);
			if (f) {
				f->observed_serial = o->serial_raw;
				f->expected_serial = seen_raw;
				f->location = n->name;
				f->line = "chassis";
				f->evidence = o->evidence;
				f->detail = afmt(c, "sources disagree about the chassis "
						 "serial: %s and %s", seen_raw, o->serial_raw);
			}
		}
	}
	if (!l->quantity || (!l->nserials && !l->part_number))
		return;
	if (l->nserials && sb_inv_serial_norm(want, sizeof(want), l->serials[0])) {
		const char *kind = !seen ? "missing" :
				   strcmp(seen, want) == 0 ? "matched" : "serial_mismatch";
		f = add(c, kind, strcmp(kind, "matched") ? SB_INV_SEV_ERROR : SB_INV_SEV_OK,
			n->name, l);
		if (f) {
			f->line = "chassis";
			f->expected_serial = l->serials[0];
			f->observed_serial = seen_raw;
			f->observed_part = pn;
			f->evidence = evidence;
			f->location = n->name;
			f->found = seen ? 1 : 0;
			if (!seen)
				f->detail = "no source reported a chassis serial";
			else if (strcmp(kind, "serial_mismatch") == 0)
				f->detail = afmt(c, "expected chassis serial %s, found %s: "
						 "another server in this place?",
						 l->serials[0], seen_raw);
		}
	}
	if (l->part_number && pn && !pn_eq(l->part_number, pn)) {
		f = add(c, "wrong_part", SB_INV_SEV_ERROR, n->name, l);
		if (f) {
			f->line = "chassis";
			f->observed_part = pn;
			f->observed_serial = seen_raw;
			f->location = n->name;
			f->evidence = evidence;
			f->detail = afmt(c, "chassis part number %s, expected %s", pn,
					 l->part_number);
		}
	}
}

static void check_fw_one(struct ctx *c, const char *node, const char *name,
			 const char *version, const char *min,
			 const struct sb_inv_expect_line *l, unsigned bom_line)
{
	const struct fw *seen = NULL;
	struct sb_inv_finding *f;
	size_t flo, fhi;

	range_of(c->fws, c->nfws, sizeof(*c->fws), node, &flo, &fhi);
	for (size_t i = flo; i < fhi; i++) {
		const struct fw *x = &c->fws[i];
		if (x->name && name &&
		    (sb_strcaseeq(x->name, name) || strcasestr(x->name, name)))
			seen = x;	/* the last one: the latest */
	}
	if (!seen || !seen->version) {
		f = add(c, "firmware_unverifiable", SB_INV_SEV_WARNING, node, l);
		if (f) {
			f->line = l ? l->id : "firmware";
			f->bom_line = bom_line;
			f->location = node;
			f->detail = afmt(c, "no source reported the %s version; "
					 "baseline %s%s", name, min ? ">= " : "",
					 min ? min : version ? version : "?");
		}
		return;
	}
	const char *want = min ? min : version;
	if (want && version_less_precise(seen->version, want)) {
		f = add(c, "firmware_unverifiable", SB_INV_SEV_WARNING, node, l);
		if (f) {
			f->line = l ? l->id : "firmware";
			f->bom_line = bom_line;
			f->location = node;
			f->evidence = seen->evidence;
			f->detail = afmt(c, "%s reported as %s only (IPMI gives major.minor); "
					 "baseline %s%s needs Redfish or the host's own report",
					 seen->name, seen->version, min ? ">= " : "", want);
		}
		return;
	}
	if ((min && sb_inv_version_cmp(seen->version, min) < 0) ||
	    (version && sb_inv_version_cmp(seen->version, version) != 0)) {
		f = add(c, "firmware_below_baseline", SB_INV_SEV_ERROR, node, l);
		if (f) {
			f->line = l ? l->id : "firmware";
			f->bom_line = bom_line;
			f->location = node;
			f->evidence = seen->evidence;
			f->detail = afmt(c, "%s %s, baseline %s%s", seen->name,
					 seen->version, min ? ">= " : "",
					 min ? min : version);
		}
	}
}

static bool check_node(struct ctx *c, const struct sb_inv_expect_node *n)
{
	size_t lo, hi, rlo, rhi;
	uint64_t mem = 0;
	bool mem_known = true;

	node_range(c, n->name, &lo, &hi);
	range_of(c->reps, c->nreps, sizeof(*c->reps), n->name, &rlo, &rhi);
	if (rlo == rhi) {
		struct sb_inv_finding *f = add(c, "missing", SB_INV_SEV_ERROR,
					       n->name, NULL);
		if (f) {
			f->bom_line = n->bom_line;
			f->location = n->name;
			f->line = "node";
			f->detail = afmt(c, "node %s was never discovered: run "
					 "'siteboot discover %s --site FILE'", n->name,
					 n->name);
		}
		return false;
	}
	check_chassis(c, n, lo, hi);
	for (size_t k = 0; k < n->nfirmware; k++)
		check_fw_one(c, n->name, n->firmware[k].name, n->firmware[k].version,
			     n->firmware[k].min_version, NULL, n->firmware[k].bom_line);
	for (size_t k = 0; k < n->nlines; k++) {
		const struct sb_inv_expect_line *l = &n->lines[k];
		if (l->fw_name && (l->fw_version || l->fw_min))
			check_fw_one(c, n->name, l->fw_name, l->fw_version, l->fw_min,
				     l, l->bom_line);
	}
	for (size_t i = lo; i < hi; i++)
		if (c->obs[i].cls == SB_HW_MEMORY) {
			mem += c->obs[i].cap;
			if (!c->obs[i].cap)
				mem_known = false;
		}
	if (n->memory_min && (!mem_known || mem < n->memory_min)) {
		struct sb_inv_finding *f = add(c, "tier_requirement", mem_known ?
					       SB_INV_SEV_ERROR : SB_INV_SEV_WARNING,
					       n->name, NULL);
		if (f) {
			char have[32], need[32];
			sb_fmt_size(have, sizeof(have), mem, true);
			sb_fmt_size(need, sizeof(need), n->memory_min, true);
			f->bom_line = n->bom_line;
			f->line = "memory";
			f->location = n->name;
			f->detail = mem_known ?
				afmt(c, "%s memory observed, the tier needs at least %s "
				     "(%s)", have, need, n->memory_reason ?
				     n->memory_reason : "tier requirement") :
				afmt(c, "the tier needs at least %s of memory (%s) and "
				     "not every module's size was reported", need,
				     n->memory_reason ? n->memory_reason :
				     "tier requirement");
		}
	}
	return true;
}

/* Serials seen more than once, ordered by the serial. */
static int cmp_run(const void *a, const void *b, void *arg)
{
	const struct ctx *c = arg;
	const struct sslot *x = *(const struct sslot *const *)a;
	const struct sslot *y = *(const struct sslot *const *)b;

	return strcmp(c->obs[x->head].serial, c->obs[y->head].serial);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The same serial in more than one place, in the order of the serials. */
static void duplicates(struct ctx *c)
{
	struct sslot **runs = NULL;
	size_t nruns = 0, cap = 0;

	for (size_t j = 0; j <= c->stab_mask; j++) {
		if (c->stab[j].head == SNONE || c->stab[j].n < 2)
			continue;
		if (nruns == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct sslot **p = realloc(runs, nc * sizeof(*runs));
			if (!p)
				break;
			runs = p;
			cap = nc;
		}
		runs[nruns++] = &c->stab[j];
	}
	if (nruns)
		qsort_r(runs, nruns, sizeof(*runs), cmp_run, c);
	for (size_t r = 0; r < nruns; r++) {
		const struct obs *first = &c->obs[runs[r]->head];
		/* distinct nodes share the serial (the same node through two
		 * sources is one part) */
		for (uint32_t k = c->snext[runs[r]->head]; k != SNONE; k = c->snext[k]) {
			struct obs *o = &c->obs[k];
			if (strcmp(o->node, first->node) == 0 || o->cls != first->cls)
				continue;
			struct sb_inv_finding *f = add(c, "duplicate_serial",
						       SB_INV_SEV_ERROR, o->node, NULL);
			obs_into(c, f, o);
			if (f) {
				f->part_number = o->pn;
				f->detail = afmt(c, "serial %s is also on %s/%s",
						 o->serial_raw, first->node,
						 first->slot ? first->slot : "-");
			}
		}
	}
	free(runs);
}

int sb_inv_reconcile_observed(struct sb_inv_reconcile *r,
			      struct sb_inv_observed *ob,
			      const struct sb_inv_expect *e)
{
	struct ctx c = { 0 };
	struct unit **units = NULL;
	const char **names = NULL;
	size_t nl = 0, li;
	uint64_t t0;
	int rc;

	memset(r, 0, sizeof(*r));
	sb_arena_init(&r->arena, 0);
	c.ob = ob;
	c.e = e;
	c.r = r;
	c.a = &r->arena;
	t0 = sb_time_mono_ns();
	if ((rc = select_site(&c)))
		goto out;
	r->nobservations = c.nobs;
	/* about one finding per part, observed or expected: reserve them
	 * (only what is written is ever touched) */
	nl = c.nobs + 4 * e->nnodes + 16;
	for (size_t i = 0; i < e->nnodes; i++)
		for (size_t k = 0; k < e->nodes[i].nlines; k++)
			nl += e->nodes[i].lines[k].quantity;
	if ((rc = big_reserve((void **)&r->v, &r->cap, nl, sizeof(*r->v))))
		goto out;
	nl = 0;
	if ((rc = index_serials(&c)))
		goto out;
	for (size_t i = 0; i < e->nnodes; i++)
		nl += e->nodes[i].nlines;
	units = calloc(nl ? nl : 1, sizeof(*units));
	if (!units) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	li = 0;
	for (size_t i = 0; i < e->nnodes; i++) {
		const struct sb_inv_expect_node *n = &e->nodes[i];
		size_t lo, hi;
		node_range(&c, n->name, &lo, &hi);
		for (size_t k = 0; k < n->nlines; k++, li++) {
			if (units_of(&c, &n->lines[k], &units[li])) {
				rc = sb_error_set(SB_ENOMEM, "out of memory");
				goto out;
			}
			pass_serials(&c, n->name, &n->lines[k], units[li]);
		}
	}
	li = 0;
	for (size_t i = 0; i < e->nnodes; i++)
		for (size_t k = 0; k < e->nodes[i].nlines; k++, li++)
			pass_moved(&c, &e->nodes[i].lines[k], units[li]);
	li = 0;
	for (size_t i = 0; i < e->nnodes; i++) {
		const struct sb_inv_expect_node *n = &e->nodes[i];
		size_t lo, hi, first = li;
		unsigned seen;
		node_range(&c, n->name, &lo, &hi);
		if (!check_node(&c, n)) {
			li += n->nlines;
			continue;
		}
		for (size_t k = 0; k < n->nlines; k++, li++)
			pass_rest(&c, &n->lines[k], units[li], lo, hi);
		seen = node_sources(&c, lo, hi);
		for (size_t k = 0; k < n->nlines; k++)
			report_line(&c, n->name, &n->lines[k], units[first + k],
				    unseen_class(n->lines[k].cls, seen));
		report_leftovers(&c, n, lo, hi);
	}
	duplicates(&c);
	/* nodes seen for this site that the BOM does not list: the BOM's
	 * names sorted once, each seen node looked up */
	names = malloc((e->nnodes ? e->nnodes : 1) * sizeof(*names));
	if (!names) {
		rc = sb_error_set(SB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < e->nnodes; k++)
		names[k] = e->nodes[k].name;
	qsort(names, e->nnodes, sizeof(*names), cmp_strp);
	for (size_t i = 0; i < c.nreps; i++) {
		bool listed;
		if (i && strcmp(c.reps[i].node, c.reps[i - 1].node) == 0)
			continue;
		r->nobserved_nodes++;
		listed = bsearch(&c.reps[i].node, names, e->nnodes, sizeof(*names),
				 cmp_strp) != NULL;
		if (!listed) {
			struct sb_inv_finding *f = add(&c, "extra", SB_INV_SEV_WARNING,
						       c.reps[i].node, NULL);
			if (f) {
				f->line = "node";
				f->location = c.reps[i].node;
				f->observed_serial = c.reps[i].cser_raw;
				f->detail = afmt(&c, "%s was discovered (%s) but the BOM "
						 "lists no such node", c.reps[i].node,
						 c.reps[i].target ? c.reps[i].target : "?");
			}
		}
	}
	finish(&c);
	r->ns_match = sb_time_mono_ns() - t0;
	rc = 0;
out:
	free(units);
	free(names);
	if (c.obs_cap)
		big_free(c.obs, c.obs_cap, sizeof(*c.obs));
	if (c.fws_cap)
		big_free(c.fws, c.fws_cap, sizeof(*c.fws));
	free(c.stab);
	free(c.snext);
	free(c.reps);
	if (rc)
		sb_inv_reconcile_release(r);
	return rc;
}

int sb_inv_reconcile(struct sb_inv_reconcile *r, struct sb_inv *db,
		     const struct sb_inv_expect *e)
{
	struct sb_inv_observed *ob = NULL;
	uint64_t t0 = sb_time_mono_ns();
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = sb_inv_observed_load(&ob, db)))
		return rc;
	t0 = sb_time_mono_ns() - t0;
	if ((rc = sb_inv_reconcile_observed(r, ob, e))) {
		sb_inv_observed_free(ob);
		return rc;
	}
	r->ns_load = t0;
	r->owned = ob;
	return 0;
}

void sb_inv_reconcile_release(struct sb_inv_reconcile *r)
{
	if (!r)
		return;
	big_free(r->v, r->cap, sizeof(*r->v));
	sb_arena_release(&r->arena);
	sb_inv_observed_free(r->owned);
	memset(r, 0, sizeof(*r));
}

int sb_inv_disposition(struct sb_inv *db, const char *finding,
		       const char *decision, const char *by, const char *note,
		       int64_t *seq)
{
	char time[32], actor[160];
	sqlite3_stmt *st = NULL;
	bool ok = false;
	int64_t s = 0;
	json_t *p;
	int rc;

	for (size_t i = 0; sb_inv_decisions[i]; i++)
		ok = ok || sb_streq(decision, sb_inv_decisions[i]);
	if (!ok)
		return sb_error_set(SB_EINPUT, "decision '%s' is not one of accept, "
				    "rma, return, waive", decision ? decision : "");
	if (!finding || strlen(finding) != 12 || strncmp(finding, "F-", 2) != 0)
		return sb_error_set(SB_EINPUT, "'%s' is not a finding id (F- and 10 "
				    "hex digits, as 'siteboot reconcile' prints them)",
				    finding ? finding : "");
	if (!by || !*by)
		return sb_error_set(SB_EINPUT, "say who decides with --by NAME");
	sb_inv_time(time, 0);
	snprintf(actor, sizeof(actor), "operator:%.120s", by);
	if ((rc = sb_inv_begin(db)))
		return rc;
	p = json_pack("{s:s, s:s, s:s, s:s?}", "finding", finding, "decision",
		      decision, "by", by, "note", note);
	rc = sb_inv_ledger_append_seq(db, actor, "finding.dispositioned", p, &s);
	json_decref(p);
	if (rc)
		goto fail;
	if (sqlite3_prepare_v2(db->db, "INSERT INTO dispositions (finding, decision, "
			       "by, note, time, ledger_seq) VALUES (?,?,?,?,?,?)",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "record the disposition");
		goto fail;
	}
	sqlite3_bind_text(st, 1, finding, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, decision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, by, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 4, note);
	sqlite3_bind_text(st, 5, time, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, s);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "record the disposition");
		goto fail;
	}
	sqlite3_finalize(st);
	if (seq)
		*seq = s;
	return sb_inv_commit(db);
fail:
	sqlite3_finalize(st);
	sb_inv_rollback(db);
	return rc;
}

int sb_inv_bom_known(struct sb_inv *db, const char *sha256, bool *known)
{
	sqlite3_stmt *st = NULL;
	int s;

	*known = false;
	if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM boms WHERE sha256 = ?", -1,
			       &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read BOMs");
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		return sb_inv_sqlerr(db, "read BOMs");
	*known = s == SQLITE_ROW;
	return 0;
}

int sb_inv_bom_record(struct sb_inv *db, const char *site, const char *tier,
		      const char *sha256, const char *path, const char *actor,
		      bool *is_new)
{
	sqlite3_stmt *st = NULL;
	char time[32];
	int64_t seq = 0;
	json_t *p;
	int rc, s;

	*is_new = false;
	if ((rc = sb_inv_begin(db)))
		return rc;
	if (sqlite3_prepare_v2(db->db, "SELECT 1 FROM boms WHERE sha256 = ?", -1,
			       &st, NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "read BOMs");
		goto fail;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	s = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (s == SQLITE_ROW)
		return sb_inv_commit(db);
	p = json_pack("{s:s, s:s?, s:s, s:s?}", "site", site, "tier", tier,
		      "sha256", sha256, "path", path);
	rc = sb_inv_ledger_append_seq(db, actor, "bom.imported", p, &seq);
	json_decref(p);
	if (rc)
		goto fail;
	sb_inv_time(time, 0);
	if (sqlite3_prepare_v2(db->db, "INSERT INTO boms (sha256, site, tier, path, "
			       "time, ledger_seq) VALUES (?,?,?,?,?,?)", -1, &st,
			       NULL) != SQLITE_OK) {
		rc = sb_inv_sqlerr(db, "record the BOM");
		goto fail;
	}
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, site, -1, SQLITE_STATIC);
	sb_inv_bind_text(st, 3, tier);
	sb_inv_bind_text(st, 4, path);
	sqlite3_bind_text(st, 5, time, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, seq);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sb_inv_sqlerr(db, "record the BOM");
		goto fail;
	}
	sqlite3_finalize(st);
	*is_new = true;
	return sb_inv_commit(db);
fail:
	sqlite3_finalize(st);
	sb_inv_rollback(db);
	return rc;
}
