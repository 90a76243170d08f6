/* Unit tests for a BOM's compiled form (inventory/expect_pack.c, the
 * bom_compiled table, common/buildid.c): a round trip gives exactly what
 * sb_cli_site_expect gives, for every example BOM and a generated core
 * site; a damaged or hostile blob is refused, never trusted. */
#include "bom/bom.h"
#include "bootstrap/inv_cli.h"
#include "common/buildid.h"
#include "common/error.h"
#include "inventory/inventory.h"
#include "testutil.h"
#include "invtest.h"

#include <glob.h>

/* ---- deep comparison ------------------------------------------------------ */

static void str_eq(const char *a, const char *b)
{
	if (!a || !b)
		ck_assert_ptr_eq(a, b);
	else
		ck_assert_str_eq(a, b);
}

static void list_eq(const char *const *a, size_t na, const char *const *b, size_t nb)
{
	ck_assert_uint_eq(na, nb);
	for (size_t i = 0; i < na; i++)
		str_eq(a[i], b[i]);
}

static void line_eq(const struct sb_inv_expect_line *a, const struct sb_inv_expect_line *b)
{
	str_eq(a->id, b->id);
	ck_assert_int_eq(a->cls, b->cls);
	str_eq(a->manufacturer, b->manufacturer);
	str_eq(a->model, b->model);
	str_eq(a->part_number, b->part_number);
	list_eq(a->alternates, a->nalternates, b->alternates, b->nalternates);
	list_eq(a->mfr_parts, a->nmfr_parts, b->mfr_parts, b->nmfr_parts);
	ck_assert_uint_eq(a->quantity, b->quantity);
	list_eq(a->slots, a->nslots, b->slots, b->nslots);
	list_eq(a->serials, a->nserials, b->serials, b->nserials);
	list_eq(a->ids, a->nids, b->ids, b->nids);
	str_eq(a->po, b->po);
	str_eq(a->vendor, b->vendor);
	ck_assert_uint_eq(a->po_line, b->po_line);
	ck_assert_uint_eq(a->bom_line, b->bom_line);
	str_eq(a->fw_name, b->fw_name);
	str_eq(a->fw_version, b->fw_version);
	str_eq(a->fw_min, b->fw_min);
}

static void expect_eq(const struct sb_inv_expect *a, const struct sb_inv_expect *b)
{
	str_eq(a->site, b->site);
	str_eq(a->tier, b->tier);
	ck_assert_uint_eq(a->nnodes, b->nnodes);
	for (size_t i = 0; i < a->nnodes; i++) {
		const struct sb_inv_expect_node *x = &a->nodes[i], *y = &b->nodes[i];
		str_eq(x->name, y->name);
		ck_assert_uint_eq(x->bom_line, y->bom_line);
		line_eq(&x->chassis, &y->chassis);
		ck_assert_uint_eq(x->nlines, y->nlines);
		for (size_t k = 0; k < x->nlines; k++)
			line_eq(&x->lines[k], &y->lines[k]);
		ck_assert_uint_eq(x->nfirmware, y->nfirmware);
		for (size_t k = 0; k < x->nfirmware; k++) {
			str_eq(x->firmware[k].name, y->firmware[k].name);
			str_eq(x->firmware[k].version, y->firmware[k].version);
			str_eq(x->firmware[k].min_version, y->firmware[k].min_version);
			ck_assert_uint_eq(x->firmware[k].bom_line, y->firmware[k].bom_line);
		}
		ck_assert_uint_eq(x->memory_min, y->memory_min);
		str_eq(x->memory_reason, y->memory_reason);
	}
}

/* every string of e lies inside the blob (or is NULL) */
static bool inside(const char *s, const unsigned char *blob, size_t len)
{
	return !s || (s >= (const char *)blob && s < (const char *)blob + len);
}

static void strings_inside(const struct sb_inv_expect *e, const unsigned char *blob,
			   size_t len)
{
	ck_assert(inside(e->site, blob, len) && inside(e->tier, blob, len));
	for (size_t i = 0; i < e->nnodes; i++) {
		const struct sb_inv_expect_node *n = &e->nodes[i];
		ck_assert(inside(n->name, blob, len));
		for (size_t k = 0; k < n->nlines; k++) {
			const struct sb_inv_expect_line *l = &n->lines[k];
			ck_assert(inside(l->id, blob, len) && inside(l->part_number, blob, len));
			for (size_t j = 0; j < l->nserials; j++)
				ck_assert(inside(l->serials[j], blob, len));
			for (size_t j = 0; j < l->nslots; j++)
				ck_assert(inside(l->slots[j], blob, len));
		}
	}
}

/* ---- fixtures -------------------------------------------------------------- */

/* A BOM parsed as reconcile does: the site, its sorted diagnostics, its
 * expectations and their compiled form. */
struct compiled {
	struct sb_site *s;
	struct sb_diags d;
	struct sb_arena a;
	struct sb_inv_expect e;
	unsigned char *blob;
	size_t len;
};

static void compile(struct compiled *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	sb_diags_init(&c->d);
	sb_arena_init(&c->a, 0);
	ck_assert_msg(sb_bom_load(&c->s, path, &c->d) == 0, "%s: %s", path,
		      sb_error_message());
	sb_diags_sort(&c->d);
	ck_assert_int_eq(sb_cli_site_expect(&c->e, &c->a, c->s), 0);
	ck_assert_int_eq(sb_inv_expect_pack(&c->blob, &c->len, &c->e, &c->d, path,
					    c->s->sha256), 0);
}

static void compiled_release(struct compiled *c)
{
	free(c->blob);
	sb_arena_release(&c->a);
	sb_diags_release(&c->d);
	sb_bom_free(c->s);
}

/* A generated core site (tests/integ/invgen.py, as the bench makes it). */
static const char *core_site(int nodes)
{
	static char path[300];
	char cmd[600];

	snprintf(path, sizeof(path), "%s/core.yaml", dir);
	snprintf(cmd, sizeof(cmd), "python3 tests/integ/invgen.py --nodes %d --tier core "
		 "--site core-t --dimms 16 --drives 26 --bom > '%s'", nodes, path);
	ck_assert_int_eq(system(cmd), 0);
	return path;
}

/* Unpack and compare with what the parse gave; the diagnostics name the
 * path given now, and the blob packs back to itself. */
static void round_trip(const struct compiled *c, const char *path)
{
	const char *other = "elsewhere/site copy.yaml";
	struct sb_inv_expect e;
	struct sb_arena a;
	struct sb_diags d;
	unsigned char *again;
	size_t len;

	sb_arena_init(&a, 0);
	sb_diags_init(&d);
	ck_assert_msg(sb_inv_expect_unpack(&e, &a, &d, c->blob, c->len, other,
					   c->s->sha256) == 0, "%s: %s", path,
		      sb_error_message());
	expect_eq(&c->e, &e);
	strings_inside(&e, c->blob, c->len);
	ck_assert_uint_eq(d.n, c->d.n);
	ck_assert_uint_eq(d.nwarnings, c->d.nwarnings);
	ck_assert_uint_eq(d.dropped, c->d.dropped);
	for (size_t i = 0; i < d.n; i++) {
		ck_assert_int_eq(d.v[i].level, c->d.v[i].level);
		ck_assert_str_eq(c->d.v[i].file, path);
		ck_assert_str_eq(d.v[i].file, other);
		ck_assert_uint_eq(d.v[i].line, c->d.v[i].line);
		ck_assert_uint_eq(d.v[i].col, c->d.v[i].col);
		ck_assert_str_eq(d.v[i].msg, c->d.v[i].msg);
		str_eq(d.v[i].hint, c->d.v[i].hint);
	}
	ck_assert_int_eq(sb_inv_expect_pack(&again, &len, &e, &d, other, c->s->sha256), 0);
	ck_assert_uint_eq(len, c->len);
	ck_assert(memcmp(again, c->blob, len) == 0);
	free(again);
	sb_diags_release(&d);
	sb_arena_release(&a);
}

START_TEST(round_trip_examples)
{
	glob_t g;

	ck_assert_int_eq(glob("bom/examples/*.yaml", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 3);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct compiled c;
		compile(&c, g.gl_pathv[i]);
		round_trip(&c, g.gl_pathv[i]);
		compiled_release(&c);
	}
	globfree(&g);
}
END_TEST

START_TEST(round_trip_core_site)
{
	struct compiled c;
	const char *path;

	tmpdb();
	path = core_site(60);
	compile(&c, path);
	ck_assert_uint_eq(c.e.nnodes, 60);
	ck_assert_uint_ge(c.d.n, 1);	/* one validator: a warning to keep */
	round_trip(&c, path);
	compiled_release(&c);
	rmdb();
}
END_TEST

/* Every field set, each string different, some NULL: a field the blob
 * forgot, or read from another's place, shows. */
static const char *uniq(struct sb_arena *a)
{
	static unsigned n;
	char buf[32];

	snprintf(buf, sizeof(buf), "s%u", ++n);
	return sb_arena_strdup(a, buf);
}

static const char *const *uniq_list(struct sb_arena *a, size_t n)
{
	const char **v = sb_arena_calloc(a, n ? n : 1, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = i == 1 ? NULL : uniq(a);
	return v;
}

static void fill_line(struct sb_arena *a, struct sb_inv_expect_line *l, unsigned k)
{
	l->id = uniq(a);
	l->cls = (enum sb_hw_class)(k % SB_HW_CLASS_COUNT);
	l->manufacturer = uniq(a);
	l->model = k % 3 ? uniq(a) : NULL;
	l->part_number = uniq(a);
	l->quantity = 3 + k;
	l->alternates = uniq_list(a, l->nalternates = 1 + k % 2);
	l->mfr_parts = uniq_list(a, l->nmfr_parts = 2);
	l->slots = uniq_list(a, l->nslots = k % 2 ? l->quantity : 0);
	l->serials = uniq_list(a, l->nserials = 3);
	l->ids = uniq_list(a, l->nids = 4 + k);
	l->po = uniq(a);
	l->vendor = uniq(a);
	l->po_line = 100 + k;
	l->bom_line = 200 + k;
	l->fw_name = uniq(a);
	l->fw_version = uniq(a);
	l->fw_min = uniq(a);
}

START_TEST(round_trip_every_field)
{
	struct sb_arena a, a2;
	struct sb_inv_expect e, e2;
	struct sb_inv_expect_node nodes[3];
	struct sb_inv_expect_line lines[4];
	struct sb_inv_expect_fw fw[2] = { { "BIOS", "1.2", NULL, 7 },
					  { "BMC", NULL, "3.4", 8 } };
	struct sb_diags d, d2;
	unsigned char *blob;
	size_t len;
	const char *sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

	sb_arena_init(&a, 0);
	sb_arena_init(&a2, 0);
	sb_diags_init(&d);
	sb_diags_init(&d2);
	memset(nodes, 0, sizeof(nodes));
	for (unsigned k = 0; k < 4; k++)
		fill_line(&a, &lines[k], k);
	for (unsigned i = 0; i < 3; i++) {
		nodes[i].name = uniq(&a);
		nodes[i].bom_line = 10 + i;
		fill_line(&a, &nodes[i].chassis, 7 + i);
		nodes[i].lines = lines + i;	/* 3, 2 and 1 lines */
		nodes[i].nlines = 3 - i;
		nodes[i].firmware = fw + i % 2;
		nodes[i].nfirmware = i < 2 ? 2 - i : 0;
		nodes[i].memory_min = i ? (uint64_t)(5 + i) << 33 : 0;
		nodes[i].memory_reason = i ? uniq(&a) : NULL;
	}
	e.site = uniq(&a);
	e.tier = NULL;
	e.nodes = nodes;
	e.nnodes = 3;
	sb_diags_add(&d, SB_DIAG_WARNING, "the/site.yaml", 3, 4, "a hint", "one %d", 1);
	sb_diags_add(&d, SB_DIAG_WARNING, "bom/tiers/core.yaml", 5, 6, NULL, "two");
	sb_diags_add(&d, SB_DIAG_WARNING, NULL, 0, 0, NULL, "three");
	d.dropped = 3;
	ck_assert_int_eq(sb_inv_expect_pack(&blob, &len, &e, &d, "the/site.yaml", sha), 0);
	ck_assert_int_eq(sb_inv_expect_unpack(&e2, &a2, &d2, blob, len, "new.yaml", sha), 0);
	expect_eq(&e, &e2);
	strings_inside(&e2, blob, len);
	ck_assert_uint_eq(d2.n, 3);
	ck_assert_str_eq(d2.v[0].file, "new.yaml");
	ck_assert_str_eq(d2.v[0].msg, "one 1");
	ck_assert_str_eq(d2.v[0].hint, "a hint");
	ck_assert_uint_eq(d2.v[0].line, 3);
	ck_assert_uint_eq(d2.v[0].col, 4);
	ck_assert_str_eq(d2.v[1].file, "bom/tiers/core.yaml");
	ck_assert_ptr_null(d2.v[1].hint);
	ck_assert_str_eq(d2.v[2].file, "-");
	ck_assert_uint_eq(d2.nwarnings, 3);
	ck_assert_uint_eq(d2.dropped, 3);
	free(blob);
	sb_diags_release(&d);
	sb_diags_release(&d2);
	sb_arena_release(&a);
	sb_arena_release(&a2);
}
END_TEST

/* ---- damage ------------------------------------------------------------------ */

/* The header: magic[8], digest[32] of what follows, the BOM's SHA-256
 * in hex[64], then uint32 size, nnodes, nlines, nfw, nrefs, ndiags,
 * ndropped, nstr, site, tier (inventory/expect_pack.c). */
enum { H_DIGEST = 8, H_SHA = 40, H_SIZE = 104, H_NNODES = 108, H_NLINES = 112,
       H_NREFS = 120, H_NDIAGS = 124, H_NSTR = 132, H_SITE = 136, H_END = 144 };

static void redigest(unsigned char *b, size_t len)
{
	sb_sha256(b + H_DIGEST, b + H_SHA, len - H_SHA);
}

static void put32(unsigned char *b, size_t at, uint32_t v)
{
	memcpy(b + at, &v, sizeof(v));
}

/* Unpacking must refuse it: SB_ETAMPER, no diagnostics, no nodes. */
static void refused(const unsigned char *b, size_t len, const char *sha)
{
	struct sb_inv_expect e;
	struct sb_arena a;
	struct sb_diags d;

	sb_arena_init(&a, 0);
	sb_diags_init(&d);
	ck_assert_int_eq(sb_inv_expect_unpack(&e, &a, &d, b, len, "x.yaml", sha),
			 SB_ETAMPER);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(e.nnodes, 0);
	ck_assert_ptr_null(e.nodes);
	sb_diags_release(&d);
	sb_arena_release(&a);
}

START_TEST(damaged_is_refused)
{
	struct compiled c;
	unsigned char *b;
	char sha[65];

	compile(&c, "bom/examples/regional-lagos.yaml");
	b = malloc(c.len);
	ck_assert_ptr_nonnull(b);
	/* truncated, at every length */
	for (size_t n = 0; n < c.len; n++)
		refused(c.blob, n, c.s->sha256);
	/* any one byte changed */
	for (size_t i = 0; i < c.len; i++) {
		memcpy(b, c.blob, c.len);
		b[i] ^= (unsigned char)(1u << (i % 8));
		refused(b, c.len, c.s->sha256);
	}
	/* another BOM's hash */
	snprintf(sha, sizeof(sha), "%s", c.s->sha256);
	sha[0] = sha[0] == 'a' ? 'b' : 'a';
	refused(c.blob, c.len, sha);
	/* random bytes of the same size */
	srandom(7);
	for (size_t i = 0; i < c.len; i++)
		b[i] = (unsigned char)random();
	refused(b, c.len, c.s->sha256);
	free(b);
	compiled_release(&c);
}
END_TEST

/* A blob whose digest was made to match (someone who knows the format
 * wrote it): its structure is still checked against its size. */
START_TEST(hostile_structure_is_refused)
{
	static const struct { size_t at; uint32_t v; } bad[] = {
		{ H_NNODES, UINT32_MAX }, { H_NNODES, 1u << 28 }, { H_NLINES, UINT32_MAX },
		{ H_NREFS, 1u << 30 }, { H_NDIAGS, 12345 }, { H_NSTR, 0 },
		{ H_NSTR, UINT32_MAX }, { H_SIZE, 7 }, { H_SITE, 0x7fffffff },
		{ H_END, 0xfffffff0 },		/* the first node's name */
		{ H_END + 8, UINT32_MAX },	/* its number of lines */
		{ H_END + 12, 1u << 20 },	/* its firmware */
	};
	struct compiled c;
	unsigned char *b;
	uint32_t nnodes;

	compile(&c, "bom/examples/core-johannesburg.yaml");
	b = malloc(c.len);
	ck_assert_ptr_nonnull(b);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(b, c.blob, c.len);
		put32(b, bad[i].at, bad[i].v);
		redigest(b, c.len);
		refused(b, c.len, c.s->sha256);
	}
	/* the last byte not a NUL */
	memcpy(b, c.blob, c.len);
	b[c.len - 1] = 'x';
	redigest(b, c.len);
	refused(b, c.len, c.s->sha256);
	/* a count that steals the next node's lines */
	memcpy(&nnodes, c.blob + H_NNODES, sizeof(nnodes));
	ck_assert_uint_ge(nnodes, 2);
	memcpy(b, c.blob, c.len);
	put32(b, H_END + 8, c.e.nodes[0].nlines + 1);
	redigest(b, c.len);
	refused(b, c.len, c.s->sha256);
	/* any word set to anything: refused, or read within the blob; under
	 * the sanitizers, never outside it */
	srandom(11);
	for (int i = 0; i < 4000; i++) {
		static const uint32_t vals[] = { 0, 1, 2, 0xff, 0xffff, 0x7fffffff,
						 0xfffffffe, 0xffffffff };
		size_t at = H_END + 4 * ((size_t)random() % ((c.len - H_END) / 4));
		uint32_t v = i % 2 ? (uint32_t)random() : vals[random() % 8];
		struct sb_inv_expect e;
		struct sb_arena a;
		struct sb_diags d;
		int rc;

		memcpy(b, c.blob, c.len);
		put32(b, at, v);
		redigest(b, c.len);
		sb_arena_init(&a, 0);
		sb_diags_init(&d);
		rc = sb_inv_expect_unpack(&e, &a, &d, b, c.len, "x.yaml", c.s->sha256);
		ck_assert(rc == 0 || rc == SB_ETAMPER);
		if (rc == 0)
			strings_inside(&e, b, c.len);
		sb_diags_release(&d);
		sb_arena_release(&a);
	}
	free(b);
	compiled_release(&c);
}
END_TEST

/* ---- the table and the compiler's name ---------------------------------------- */

START_TEST(table_keyed_by_compiler)
{
	struct sb_inv *db;
	unsigned char *b;
	size_t len;
	sqlite3_stmt *st;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "aa", "build-1", &b, &len),
			 SB_ENOTFOUND);
	ck_assert_int_eq(sb_inv_bom_compiled_put(db, "aa", "build-1", "one", 3), 0);
	ck_assert_int_eq(sb_inv_bom_compiled_put(db, "bb", "build-1", "two", 3), 0);
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "aa", "build-1", &b, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(b, "one", 3) == 0);
	free(b);
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "aa", "build-2", &b, &len),
			 SB_ENOTFOUND);
	/* replaced for the same BOM and build */
	ck_assert_int_eq(sb_inv_bom_compiled_put(db, "aa", "build-1", "ONE!", 4), 0);
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "aa", "build-1", &b, &len), 0);
	ck_assert_uint_eq(len, 4);
	free(b);
	/* another build's store drops every row of the others */
	ck_assert_int_eq(sb_inv_bom_compiled_put(db, "aa", "build-2", "uno", 3), 0);
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "bb", "build-1", &b, &len),
			 SB_ENOTFOUND);
	ck_assert_int_eq(sqlite3_prepare_v2(sb_inv_sqlite(db),
					    "SELECT count(*) FROM bom_compiled", -1, &st,
					    NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 1);
	sqlite3_finalize(st);
	/* an empty blob is not a hit */
	sql(db, "UPDATE bom_compiled SET data = x''");
	ck_assert_int_eq(sb_inv_bom_compiled_get(db, "aa", "build-2", &b, &len),
			 SB_ETAMPER);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(compiler_names_the_build)
{
	char id[80], a[256], b[256];

	ck_assert(sb_build_id(id, sizeof(id), NULL));
	ck_assert_uint_ge(strlen(id), 16);
	ck_assert_uint_eq(strspn(id, "0123456789abcdef"), strlen(id));
	ck_assert(!sb_build_id(id, 8, NULL));	/* does not fit */
	ck_assert(sb_cli_bom_compiler(a, sizeof(a)));
	ck_assert(sb_cli_bom_compiler(b, sizeof(b)));
	ck_assert_str_eq(a, b);
	ck_assert(sb_build_id(id, sizeof(id), NULL));
	ck_assert_ptr_nonnull(strstr(a, id));
	ck_assert_ptr_nonnull(strstr(a, "libyaml "));
	ck_assert(!sb_cli_bom_compiler(a, 20));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bomc");
	TCase *t = tcase_create("compiled BOM");

	tcase_set_timeout(t, 120);
	tcase_add_test(t, round_trip_every_field);
	tcase_add_test(t, round_trip_examples);
	tcase_add_test(t, round_trip_core_site);
	tcase_add_test(t, damaged_is_refused);
	tcase_add_test(t, hostile_structure_is_refused);
	tcase_add_test(t, table_keyed_by_compiler);
	tcase_add_test(t, compiler_names_the_build);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
