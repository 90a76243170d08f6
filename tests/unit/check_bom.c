/* Unit tests for bom/: the good BOMs load with the right content, and
 * every bad BOM under tests/data/bom/bad gives exactly the diagnostics in
 * its .expect file (one formatted line each, in order). */
#include "bom/bom.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "testutil.h"

#include <dirent.h>

static struct sb_site *load_ok(const char *rel)
{
	struct sb_diags d;
	struct sb_site *s = NULL;

	sb_diags_init(&d);
	ck_assert_msg(sb_bom_load(&s, sb_test_data(rel), &d) == 0,
		      "%s: %s (%s)", rel, sb_error_message(),
		      d.n ? d.v[0].msg : "");
	ck_assert_uint_eq(d.nerrors, 0);
	sb_diags_release(&d);
	return s;
}

START_TEST(minimal)
{
	struct sb_site *s = load_ok("bom/good/minimal.yaml");
	const struct sb_bom_node *n;

	ck_assert_str_eq(s->id, "test-edge");
	ck_assert_str_eq(s->tier, "edge");
	ck_assert_uint_eq(s->nnodes, 1);
	n = sb_bom_node_find(s, "n01");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->chassis.serial, "SER-0001");
	ck_assert_str_eq(n->mgmt.ip, "127.0.0.1");
	ck_assert_uint_eq(n->mgmt.prefix, 8);
	ck_assert_uint_eq(n->nlines, 2);
	ck_assert_str_eq(n->lines[1].id, "dimm");
	ck_assert_uint_eq(n->lines[1].nserials, 2);
	/* JEDEC: 2 x 32GB DIMMs are 64 GiB */
	ck_assert_uint_eq(sb_bom_node_memory(n), 64ULL << 30);
	ck_assert_str_eq(n->lines[0].order.vendor, "Example Vendor");
	ck_assert_uint_eq(n->lines[0].order.po_line, 1);
	ck_assert_uint_eq(strlen(s->sha256), 64);
	sb_bom_free(s);
}
END_TEST

START_TEST(ranges_and_select)
{
	struct sb_site *s = load_ok("bom/good/ranges.yaml");
	const char *pats[] = { "edge-n[02-03]", "edge-n08", "edge-n02" };
	size_t *idx, n;

	ck_assert_uint_eq(s->nnodes, 8);
	ck_assert_str_eq(s->nodes[7].name, "edge-n08");
	ck_assert_str_eq(s->nodes[7].bmc_url, "ipmi://127.0.1.8");
	ck_assert_str_eq(s->nodes[7].mgmt.ip, "10.9.0.18");
	ck_assert_uint_eq(sb_bom_node_nvme(&s->nodes[0]), 7680000000000ULL);
	ck_assert_int_eq(sb_bom_select(&idx, &n, s, pats, 3, false), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(idx[0], 1);
	ck_assert_uint_eq(idx[2], 7);
	free(idx);
	ck_assert_int_eq(sb_bom_select(&idx, &n, s, NULL, 0, true), 0);
	ck_assert_uint_eq(n, 8);
	free(idx);
	const char *bad[] = { "edge-n09" };
	ck_assert_int_eq(sb_bom_select(&idx, &n, s, bad, 1, false), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "did you mean 'edge-n01'"));
	sb_bom_free(s);
}
END_TEST

START_TEST(examples_valid)
{
	static const char *const ex[] = {
		"../../bom/examples/edge-accra.yaml",
		"../../bom/examples/regional-lagos.yaml",
		"../../bom/examples/core-johannesburg.yaml",
	};
	struct sb_bom_total *t;
	size_t nt;

	for (size_t i = 0; i < 3; i++) {
		char rel[128];
		snprintf(rel, sizeof(rel), "%s", ex[i]);
		struct sb_site *s = load_ok(rel);
		ck_assert_int_eq(sb_bom_totals(&t, &nt, s), 0);
		ck_assert_uint_gt(nt, 5);
		/* every node of an example lists its expected serials */
		for (size_t k = 0; k < s->nnodes; k++)
			ck_assert_ptr_nonnull(s->nodes[k].chassis.serial);
		free(t);
		sb_bom_free(s);
	}
}
END_TEST

START_TEST(totals)
{
	struct sb_site *s = load_ok("../../bom/examples/edge-accra.yaml");
	struct sb_bom_total *t;
	size_t nt;
	bool found = false;

	ck_assert_int_eq(sb_bom_totals(&t, &nt, s), 0);
	for (size_t i = 0; i < nt; i++) {
		if (strcmp(t[i].part_number, "370-AHCL") == 0) {
			ck_assert_uint_eq(t[i].quantity, 12);
			ck_assert_uint_eq(t[i].nodes, 3);
			ck_assert_str_eq(t[i].po, "PO-2026-0417");
			found = true;
		}
	}
	ck_assert(found);
	free(t);
	sb_bom_free(s);
}
END_TEST

/* every bad/X.yaml against bad/X.expect */
START_TEST(bad_files)
{
	char dirpath[4096];
	DIR *dir;
	struct dirent *de;
	size_t count = 0;

	snprintf(dirpath, sizeof(dirpath), "%s", sb_test_data("bom/bad"));
	dir = opendir(dirpath);
	ck_assert_ptr_nonnull(dir);
	while ((de = readdir(dir))) {
		char path[4600], expect[4600], line[2048], want[2048];
		struct sb_diags d;
		struct sb_site *s = NULL;
		FILE *f;
		size_t i = 0;

		if (!sb_endswith(de->d_name, ".yaml"))
			continue;
		count++;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		snprintf(expect, sizeof(expect), "%.*s.expect",
			 (int)(strlen(path) - 5), path);
		sb_diags_init(&d);
		ck_assert_msg(sb_bom_load(&s, path, &d) == SB_EINPUT,
			      "%s loaded although it is bad", de->d_name);
		ck_assert_ptr_null(s);
		sb_diags_sort(&d);
		f = fopen(expect, "r");
		ck_assert_msg(f != NULL, "no %s", expect);
		while (fgets(want, sizeof(want), f)) {
			want[strcspn(want, "\n")] = '\0';
			ck_assert_msg(i < d.n, "%s: missing diagnostic '%s'",
				      de->d_name, want);
			/* messages name the file as given; compare the
			 * basename form kept in .expect */
			free(d.v[i].file);
			d.v[i].file = strdup(de->d_name);
			sb_diag_format(line, sizeof(line), &d.v[i]);
			ck_assert_str_eq(line, want);
			i++;
		}
		fclose(f);
		ck_assert_msg(i == d.n, "%s: %zu unexpected diagnostics, first: %s",
			      de->d_name, d.n - i, i < d.n ? d.v[i].msg : "");
		sb_diags_release(&d);
	}
	closedir(dir);
	ck_assert_uint_ge(count, 10);
}
END_TEST

START_TEST(tier_profiles_load)
{
	for (const char *const *t = sb_bom_tiers; *t; t++)
		ck_assert_ptr_nonnull(sb_bom_tier_profile(*t));
	ck_assert_ptr_null(sb_bom_tier_profile("moon"));
}
END_TEST

START_TEST(qbft_warning)
{
	/* 4 validators tolerate one fault: no QBFT warning; the example
	 * core site has exactly 4 */
	struct sb_diags d;
	struct sb_site *s = NULL;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load(&s, sb_test_data("../../bom/examples/core-johannesburg.yaml"), &d), 0);
	ck_assert_uint_eq(d.nwarnings, 0);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

START_TEST(memory_sizes_jedec)
{
	static const char text[] =
		"schema_version: 1\nsite: {id: t, name: T, tier: edge}\n"
		"nodes:\n  - name: n\n    roles: [proxmox]\n"
		"    chassis: {part_number: B}\n"
		"    components:\n"
		"      - {id: m, class: memory, part_number: M, size: 16G, quantity: 2}\n"
		"      - {id: d, class: drive, part_number: D, size: 2TB, interface: nvme}\n";
	struct sb_diags d;
	struct sb_site *s = NULL;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load_buf(&s, "x.yaml", text, strlen(text), &d), 0);
	ck_assert_uint_eq(sb_bom_node_memory(&s->nodes[0]), 32ULL << 30);
	ck_assert_uint_eq(sb_bom_node_nvme(&s->nodes[0]), 2000000000000ULL);
	sb_bom_free(s);
	sb_diags_release(&d);
}
END_TEST

/* besu: the BOM's chain parameters, the tier's defaults for what it leaves
 * out, and ranges */
static int load_with_besu(struct sb_site **s, const char *besu, struct sb_diags *d,
			  char *first, size_t fsize)
{
	char *base = NULL, *text;
	size_t len = 0;
	int rc;

	ck_assert_int_eq(sb_file_read(&base, &len, sb_test_data("bom/good/minimal.yaml"), 1 << 20), 0);
	text = sb_asprintf("%s%s", base, besu);
	sb_diags_init(d);
	rc = sb_bom_load_buf(s, "b.yaml", text, strlen(text), d);
	first[0] = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == SB_DIAG_ERROR) {
			snprintf(first, fsize, "%s", d->v[i].msg);
			break;
		}
	free(base);
	free(text);
	return rc;
}

START_TEST(besu_section)
{
	struct sb_site *s = NULL;
	struct sb_diags d;
	char e[1024];

	/* none: the tier's defaults, no chain id */
	ck_assert_int_eq(load_with_besu(&s, "", &d, e, sizeof(e)), 0);
	ck_assert_uint_eq(s->besu.chain_id, 0);
	ck_assert(!s->besu.given);
	ck_assert_uint_eq(s->besu.block_period, 2);
	ck_assert_uint_eq(s->besu.epoch_length, 30000);
	ck_assert_uint_eq(s->besu.request_timeout, 4);
	sb_bom_free(s);
	sb_diags_release(&d);
	/* given: the BOM's, the rest from the tier */
	ck_assert_int_eq(load_with_besu(&s, "besu: {chain_id: 20261, block_period: 5, request_timeout: 12}\n",
					&d, e, sizeof(e)), 0);
	ck_assert(s->besu.given);
	ck_assert_uint_eq(s->besu.chain_id, 20261);
	ck_assert_uint_eq(s->besu.block_period, 5);
	ck_assert_uint_eq(s->besu.epoch_length, 30000);
	ck_assert_uint_eq(s->besu.request_timeout, 12);
	/* emit writes them out, and they load back the same */
	char *buf = NULL;
	size_t len = 0;
	struct sb_site *b = NULL;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(sb_bom_emit(f, s, NULL, 0), 0);
	fclose(f);
	sb_diags_release(&d);
	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load_buf(&b, "e.yaml", buf, len, &d), 0);
	ck_assert_uint_eq(b->besu.chain_id, 20261);
	ck_assert_uint_eq(b->besu.block_period, 5);
	ck_assert_uint_eq(b->besu.request_timeout, 12);
	free(buf);
	sb_bom_free(b);
	sb_bom_free(s);
	sb_diags_release(&d);
	/* out of range, and wrong */
	static const struct { const char *yaml, *err; } bad[] = {
		{ "besu: {chain_id: 0}\n", "'chain_id' of 'besu' must be a whole number from 1 to 9007199254740991, not '0'" },
		{ "besu: {chain_id: 9007199254740992}\n", "'chain_id' of 'besu' must be a whole number from 1" },
		{ "besu: {chain_id: \"20261\"}\n", "'chain_id' of 'besu' must be a whole number" },
		{ "besu: {block_period: 0}\n", "'block_period' of 'besu' (seconds) must be a whole number from 1 to 60, not '0'" },
		{ "besu: {block_period: 61}\n", "from 1 to 60, not '61'" },
		{ "besu: {epoch_length: 10}\n", "'epoch_length' of 'besu' (blocks) must be a whole number from 100 to 1000000000" },
		{ "besu: {block_period: 5}\n", "the Besu request timeout (4s) must be longer than the block period (5s)" },
		{ "besu: {block_period: 3, request_timeout: 3}\n", "request timeout (3s) must be longer than the block period (3s)" },
		{ "besu: {chain_ids: 5}\n", "unknown key 'chain_ids' in 'besu'" },
		{ "besu: [1]\n", "'besu'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = NULL;
		ck_assert_int_eq(load_with_besu(&s, bad[i].yaml, &d, e, sizeof(e)), SB_EINPUT);
		ck_assert_msg(strstr(e, bad[i].err), "%s: got '%s'", bad[i].yaml, e);
		sb_diags_release(&d);
	}
	sb_error_clear();
}
END_TEST

/* VMs are hosts of their own (sb_site.guests), with an override in emit */
START_TEST(vm_hosts)
{
	struct sb_site *a = load_ok("../../bom/examples/regional-lagos.yaml"), *b = NULL;
	struct sb_diags d;

	ck_assert_uint_eq(a->nguests, 3);
	ck_assert_uint_eq(sb_bom_nhosts(a), a->nnodes + 3);
	const struct sb_bom_node *g = sb_bom_host_find(a, "reg-rr02");
	ck_assert_ptr_eq(g, sb_bom_host(a, a->nnodes + 1));
	ck_assert_ptr_eq(g->parent, sb_bom_node_find(a, "reg-pve02"));
	ck_assert_ptr_null(sb_bom_node_find(a, "reg-rr02"));	/* not a node */
	ck_assert_str_eq(g->mgmt.ip, "10.30.1.42");
	ck_assert_str_eq(g->ssh_user, "root");
	ck_assert_uint_eq(g->ssh_port, 22);
	ck_assert(sb_bom_node_has_role(g, "read-replica"));
	ck_assert_ptr_null(g->bmc_url);
	ck_assert_str_eq(g->rack, "r01");
	size_t *idx = NULL, n = 0;
	const char *pat[] = { "reg-rr0[1-2]" };
	ck_assert_int_eq(sb_bom_select_hosts(&idx, &n, a, pat, 1), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(idx[0], a->nnodes);
	free(idx);
	ck_assert_int_eq(sb_bom_select(&idx, &n, a, pat, 1, false), SB_EINPUT);
	sb_error_clear();

	struct sb_bom_override ov = { "reg-rr03", NULL, NULL, "127.0.3.12/8", 2203, "sbtest" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ck_assert_int_eq(sb_bom_emit(f, a, &ov, 1), 0);
	fclose(f);
	sb_diags_init(&d);
	ck_assert_msg(sb_bom_load_buf(&b, "emitted.yaml", buf, len, &d) == 0, "%s",
		      d.n ? d.v[0].msg : sb_error_message());
	g = sb_bom_host_find(b, "reg-rr03");
	ck_assert_str_eq(g->mgmt.ip, "127.0.3.12");
	ck_assert_uint_eq(g->ssh_port, 2203);
	ck_assert_str_eq(g->ssh_user, "sbtest");
	ck_assert_str_eq(sb_bom_host_find(b, "reg-rr01")->mgmt.ip, "10.30.1.41");
	free(buf);
	sb_diags_release(&d);
	sb_bom_free(a);
	sb_bom_free(b);
}
END_TEST

/* emit then load again: the same site, with the overrides applied */
START_TEST(emit_round_trip)
{
	static const char *const ex[] = {
		"../../bom/examples/edge-accra.yaml",
		"../../bom/examples/regional-lagos.yaml",
		"../../bom/examples/core-johannesburg.yaml",
	};
	for (size_t e = 0; e < 3; e++) {
		struct sb_site *a = load_ok(ex[e]), *b = NULL;
		struct sb_bom_override ov = { a->nodes[0].name,
					      "ipmi://admin@127.0.1.1:9001", "lab",
					      "127.0.1.1/8", 2222, "sbtest" };
		struct sb_diags d;
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ck_assert_int_eq(sb_bom_emit(f, a, &ov, 1), 0);
		fclose(f);
		sb_diags_init(&d);
		ck_assert_msg(sb_bom_load_buf(&b, "emitted.yaml", buf, len, &d) == 0,
			      "%s", d.n ? d.v[0].msg : sb_error_message());
		ck_assert_uint_eq(a->nnodes, b->nnodes);
		ck_assert_str_eq(b->nodes[0].bmc_url, "ipmi://admin@127.0.1.1:9001");
		ck_assert_str_eq(b->nodes[0].credential, "lab");
		ck_assert_str_eq(b->nodes[0].mgmt.ip, "127.0.1.1");
		ck_assert_uint_eq(b->nodes[0].ssh_port, 2222);
		ck_assert_str_eq(b->nodes[0].ssh_user, "sbtest");
		for (size_t i = 0; i < a->nnodes; i++) {
			const struct sb_bom_node *x = &a->nodes[i], *y = &b->nodes[i];
			ck_assert_str_eq(x->name, y->name);
			ck_assert_uint_eq(x->nlines, y->nlines);
			ck_assert_uint_eq(sb_bom_node_memory(x), sb_bom_node_memory(y));
			ck_assert_uint_eq(sb_bom_node_nvme(x), sb_bom_node_nvme(y));
			ck_assert_str_eq(x->chassis.serial, y->chassis.serial);
			for (size_t k = 0; k < x->nlines; k++) {
				ck_assert_uint_eq(x->lines[k].nserials, y->lines[k].nserials);
				ck_assert_uint_eq(x->lines[k].speed_mbps, y->lines[k].speed_mbps);
				ck_assert_str_eq(x->lines[k].part_number, y->lines[k].part_number);
			}
			ck_assert_uint_eq(x->nvms, y->nvms);
			for (size_t k = 0; k < x->nvms; k++) {
				ck_assert_str_eq(x->vms[k].mgmt.ip, y->vms[k].mgmt.ip);
				ck_assert_uint_eq(x->vms[k].memory_bytes, y->vms[k].memory_bytes);
			}
			if (i > 0)
				ck_assert_str_eq(x->bmc_url, y->bmc_url);
		}
		free(buf);
		sb_diags_release(&d);
		sb_bom_free(a);
		sb_bom_free(b);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bom");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, minimal);
	tcase_add_test(tc, ranges_and_select);
	tcase_add_test(tc, examples_valid);
	tcase_add_test(tc, totals);
	tcase_add_test(tc, bad_files);
	tcase_add_test(tc, tier_profiles_load);
	tcase_add_test(tc, qbft_warning);
	tcase_add_test(tc, memory_sizes_jedec);
	tcase_add_test(tc, emit_round_trip);
	tcase_add_test(tc, vm_hosts);
	tcase_add_test(tc, besu_section);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
