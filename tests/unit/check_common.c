/* Unit tests for common/: ranges, parsing, UTF-8, URLs, YAML limits,
 * the worker pool and the error model. */
#include "common/arena.h"
#include "common/error.h"
#include "common/pool.h"
#include "common/range.h"
#include "common/str.h"
#include "common/url.h"
#include "common/yaml.h"
#include "common/hw.h"
#include "testutil.h"

#include <pthread.h>

static void expand_ok(const char *pat, size_t n, const char *first,
		      const char *last)
{
	struct sb_strv v = { 0 };

	ck_assert_int_eq(sb_range_expand(&v, pat, 0), 0);
	ck_assert_uint_eq(v.n, n);
	ck_assert_str_eq(v.v[0], first);
	ck_assert_str_eq(v.v[v.n - 1], last);
	sb_strv_release(&v);
}

START_TEST(range_basic)
{
	expand_ok("edge-n[01-08]", 8, "edge-n01", "edge-n08");
	expand_ok("10.0.0.[10-60]", 51, "10.0.0.10", "10.0.0.60");
	expand_ok("ipmi://admin@127.0.0.1:[9001-9100]", 100,
		  "ipmi://admin@127.0.0.1:9001", "ipmi://admin@127.0.0.1:9100");
	expand_ok("n[1,3,5-6]", 4, "n1", "n6");
	expand_ok("r[1-2]-n[1-3]", 6, "r1-n1", "r2-n3");
	expand_ok("plain", 1, "plain", "plain");
	expand_ok("ipmi://[::1]:623", 1, "ipmi://[::1]:623", "ipmi://[::1]:623");
	expand_ok("n[8-12]", 5, "n8", "n12");
	expand_ok("n[008-010]", 3, "n008", "n010");
}
END_TEST

START_TEST(range_errors)
{
	struct sb_strv v = { 0 };

	ck_assert_int_eq(sb_range_expand(&v, "n[08-01]", 0), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "runs backwards"));
	ck_assert_int_eq(sb_range_expand(&v, "n[1-", 0), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "never closed"));
	ck_assert_int_eq(sb_range_expand(&v, "n[1-100000]", 0), SB_EINPUT);
	ck_assert_int_eq(sb_range_expand(&v, "a[1-300]b[1-300]", 0), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "more than"));
	ck_assert_int_eq(sb_range_expand(&v, "n[1--2]", 0), SB_EINPUT);
	ck_assert_uint_eq(v.n, 0);
	ck_assert(sb_range_has_group("x[1-2]"));
	ck_assert(!sb_range_has_group("[::1]"));
}
END_TEST

START_TEST(parse_numbers)
{
	long long v;
	uint64_t u;

	ck_assert_int_eq(sb_parse_ll(&v, "42", 0, 100, "n"), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(sb_parse_ll(&v, "101", 0, 100, "n"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_ll(&v, "4x", 0, 100, "n"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_ll(&v, " 4", 0, 100, "n"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_ll(&v, "", 0, 100, "n"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_ll(&v, "99999999999999999999", 0, 100, "n"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_duration_ms(&u, "30s", "t"), 0);
	ck_assert_uint_eq(u, 30000);
	ck_assert_int_eq(sb_parse_duration_ms(&u, "500ms", "t"), 0);
	ck_assert_uint_eq(u, 500);
	ck_assert_int_eq(sb_parse_duration_ms(&u, "5m", "t"), 0);
	ck_assert_uint_eq(u, 300000);
	ck_assert_int_eq(sb_parse_duration_ms(&u, "12", "t"), 0);
	ck_assert_uint_eq(u, 12000);
	ck_assert_int_eq(sb_parse_duration_ms(&u, "5y", "t"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_size(&u, "3.84TB", "s"), 0);
	ck_assert_uint_eq(u, 3840000000000ULL);
	ck_assert_int_eq(sb_parse_size(&u, "512GiB", "s"), 0);
	ck_assert_uint_eq(u, 512ULL << 30);
	ck_assert_int_eq(sb_parse_size(&u, "64 GB", "s"), 0);
	ck_assert_uint_eq(u, 64000000000ULL);
	ck_assert_int_eq(sb_parse_size(&u, "1.5B", "s"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_size(&u, "big", "s"), SB_EINPUT);
	ck_assert_int_eq(sb_parse_size(&u, "99999999999TB", "s"), SB_EINPUT);
}
END_TEST

START_TEST(fmt_size)
{
	char b[32];

	sb_fmt_size(b, sizeof(b), 64ULL << 30, true);
	ck_assert_str_eq(b, "64 GiB");
	sb_fmt_size(b, sizeof(b), 3840000000000ULL, false);
	ck_assert_str_eq(b, "3.84 TB");
	sb_fmt_size(b, sizeof(b), 1920000000000ULL, false);
	ck_assert_str_eq(b, "1.92 TB");
	sb_fmt_size(b, sizeof(b), 0, true);
	ck_assert_str_eq(b, "0 B");
}
END_TEST

START_TEST(utf8)
{
	size_t off;

	ck_assert(sb_utf8_valid("héllo", strlen("héllo"), &off));
	ck_assert(!sb_utf8_valid("caf\xe9", 4, &off));
	ck_assert_uint_eq(off, 3);
	ck_assert(!sb_utf8_valid("a\0b", 3, &off));
	ck_assert_uint_eq(off, 1);
	ck_assert(!sb_utf8_valid("\xc0\xaf", 2, &off));	/* overlong '/' */
	ck_assert(!sb_utf8_valid("\xed\xa0\x80", 3, &off));	/* surrogate */
	ck_assert(sb_utf8_valid("\xf0\x9f\x98\x80", 4, &off));
}
END_TEST

START_TEST(did_you_mean)
{
	static const char *const keys[] = { "roles", "rack", "unit", NULL };

	ck_assert_str_eq(sb_did_you_mean("rols", keys), "roles");
	ck_assert_str_eq(sb_did_you_mean("RACK", keys), "rack");
	ck_assert_ptr_null(sb_did_you_mean("zzzzzzzz", keys));
}
END_TEST

START_TEST(bmc_urls)
{
	struct sb_bmc_url u;

	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://admin@127.0.0.1:9001"), 0);
	ck_assert_int_eq(u.proto, SB_PROTO_IPMI);
	ck_assert_str_eq(u.user, "admin");
	ck_assert_str_eq(u.host, "127.0.0.1");
	ck_assert_uint_eq(u.port, 9001);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "redfish://bmc1.example"), 0);
	ck_assert(u.tls);
	ck_assert_uint_eq(u.port, 443);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "redfish+http://[::1]:8000"), 0);
	ck_assert(!u.tls);
	ck_assert(u.ipv6);
	ck_assert_str_eq(u.host, "::1");
	ck_assert_int_eq(sb_bmc_url_parse(&u, "https://10.0.0.1/"), 0);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://10.0.0.1"), 0);
	ck_assert_uint_eq(u.port, 623);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://admin:pw@10.0.0.1"), SB_EINPUT);
	/* the secret never appears in the message */
	ck_assert_ptr_null(strstr(sb_error_message(), "pw"));
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ftp://x"), SB_EINPUT);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://"), SB_EINPUT);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://h:0"), SB_EINPUT);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://h:70000"), SB_EINPUT);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://h/redfish/v1"), SB_EINPUT);
	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://[zz]"), SB_EINPUT);
}
END_TEST

static int load(const char *text, struct sb_ydoc **doc, struct sb_diags *d,
		const struct sb_ylimits *lim)
{
	sb_diags_init(d);
	return sb_yaml_load_buf(doc, "t.yaml", text, strlen(text), lim, d);
}

START_TEST(yaml_tree)
{
	struct sb_ydoc *doc = NULL;
	struct sb_diags d;
	const char *text = "a: 1\nb: [x, \"y\"]\nc: &anc {k: v}\nd: *anc\ne:\n";

	ck_assert_int_eq(load(text, &doc, &d, NULL), 0);
	ck_assert_int_eq(doc->root->type, SB_YMAP);
	ck_assert_str_eq(sb_ymap_get(doc->root, "a")->str, "1");
	ck_assert_uint_eq(sb_ymap_get(doc->root, "b")->n, 2);
	ck_assert(!sb_ymap_get(doc->root, "b")->items[0]->quoted);
	ck_assert(sb_ymap_get(doc->root, "b")->items[1]->quoted);
	ck_assert_ptr_eq(sb_ymap_get(doc->root, "c"), sb_ymap_get(doc->root, "d"));
	ck_assert(sb_yscalar_is_null(sb_ymap_get(doc->root, "e")));
	ck_assert_uint_eq(sb_ymap_get(doc->root, "b")->line, 2);
	ck_assert_uint_eq(sb_ymap_get(doc->root, "b")->col, 4);
	/* weight: root, 5 keys, and the values a (1), b (3), c (3), e (1)
	 * plus d, the alias, which counts c's 3 again */
	ck_assert_uint_eq(doc->root->weight, 1 + 5 + 1 + 3 + 3 + 1 + 3);
	sb_yaml_free(doc);
	sb_diags_release(&d);
}
END_TEST

START_TEST(yaml_limits)
{
	struct sb_ydoc *doc = NULL;
	struct sb_diags d;
	struct sb_ylimits lim = sb_ylimits_default;
	char *deep;

	/* alias bomb */
	lim.max_weight = 1000;
	ck_assert_int_eq(load("a: &a [x,x,x,x,x,x,x,x,x,x]\n"
			      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			      "c: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", &doc, &d, &lim),
			 SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "alias bomb"));
	sb_diags_release(&d);
	/* depth */
	deep = malloc(20001);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	ck_assert_int_eq(load(deep, &doc, &d, NULL), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "nested deeper"));
	free(deep);
	sb_diags_release(&d);
	/* duplicate keys, unknown alias, two documents, empty, comments only */
	ck_assert_int_eq(load("a: 1\na: 2\n", &doc, &d, NULL), SB_EINPUT);
	ck_assert_uint_eq(d.v[0].line, 2);
	sb_diags_release(&d);
	ck_assert_int_eq(load("a: *nope\n", &doc, &d, NULL), SB_EINPUT);
	sb_diags_release(&d);
	ck_assert_int_eq(load("a: &x [*x]\n", &doc, &d, NULL), SB_EINPUT);
	sb_diags_release(&d);
	ck_assert_int_eq(load("a: 1\n---\nb: 2\n", &doc, &d, NULL), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(d.v[0].msg, "second YAML document"));
	sb_diags_release(&d);
	ck_assert_int_eq(load("", &doc, &d, NULL), SB_EINPUT);
	ck_assert_str_eq(d.v[0].msg, "the file is empty");
	sb_diags_release(&d);
	ck_assert_int_eq(load("# nothing\n", &doc, &d, NULL), SB_EINPUT);
	sb_diags_release(&d);
	ck_assert_int_eq(load("a: \"\\0\"\n", &doc, &d, NULL), SB_EINPUT);
	sb_diags_release(&d);
	ck_assert_int_eq(load("x: 1\ny: caf\xe9\n", &doc, &d, NULL), SB_EINPUT);
	ck_assert_uint_eq(d.v[0].line, 2);
	ck_assert_uint_eq(d.v[0].col, 7);
	sb_diags_release(&d);
	ck_assert_int_eq(load("[a, b]: 1\n", &doc, &d, NULL), SB_EINPUT);
	sb_diags_release(&d);
}
END_TEST

static void count_work(size_t i, void *ctx)
{
	unsigned *seen = ctx;

	__atomic_fetch_add(&seen[i], 1, __ATOMIC_RELAXED);
}

static size_t done_count;
static void count_done(size_t i, void *ctx)
{
	(void)i;
	(void)ctx;
	done_count++;	/* under the pool's lock */
}

START_TEST(pool_runs_each_once)
{
	unsigned seen[500] = { 0 };

	done_count = 0;
	ck_assert_int_eq(sb_pool_run(500, 16, count_work, count_done, seen), 0);
	for (size_t i = 0; i < 500; i++)
		ck_assert_uint_eq(seen[i], 1);
	ck_assert_uint_eq(done_count, 500);
	memset(seen, 0, sizeof(seen));
	ck_assert_int_eq(sb_pool_run(10, 1, count_work, NULL, seen), 0);
	ck_assert_uint_eq(seen[9], 1);
	ck_assert_int_eq(sb_pool_run(0, 4, count_work, NULL, seen), 0);
}
END_TEST

static void *set_err(void *arg)
{
	(void)arg;
	sb_error_set(SB_ETIMEOUT, "other thread");
	return NULL;
}

START_TEST(errors_per_thread)
{
	pthread_t t;

	ck_assert_int_eq(sb_error_set(SB_EINPUT, "mine %d", 1), SB_EINPUT);
	pthread_create(&t, NULL, set_err, NULL);
	pthread_join(t, NULL);
	ck_assert_str_eq(sb_error_message(), "mine 1");
	ck_assert_int_eq(sb_error_code(), SB_EINPUT);
	sb_error_prefix("file.yaml: ");
	ck_assert_str_eq(sb_error_message(), "file.yaml: mine 1");
	ck_assert_int_eq(sb_error_exit_status(SB_EINPUT), 2);
	ck_assert_int_eq(sb_error_exit_status(SB_ETIMEOUT), 1);
	ck_assert_int_eq(sb_error_exit_status(0), 0);
	ck_assert_str_eq(sb_error_name(SB_EAUTH), "auth");
}
END_TEST

START_TEST(hw_set_sanitises)
{
	char *f = NULL;
	char big[600];

	ck_assert_int_eq(sb_hw_set(&f, "  SN\x01" "123\xff  ", 10), 0);
	ck_assert_str_eq(f, "SN 123?");
	ck_assert_int_eq(sb_hw_set(&f, "   ", 3), 0);
	ck_assert_ptr_null(f);
	memset(big, 'a', sizeof(big));
	big[254] = (char)0xc3;
	big[255] = (char)0xa9;
	ck_assert_int_eq(sb_hw_set(&f, big, sizeof(big)), 0);
	ck_assert_uint_eq(strlen(f), SB_HW_FIELD_MAX);
	ck_assert(sb_utf8_valid(f, strlen(f), NULL));
	free(f);
}
END_TEST

START_TEST(arena_limits)
{
	struct sb_arena a;

	sb_arena_init(&a, 1024);
	ck_assert_ptr_nonnull(sb_arena_alloc(&a, 500));
	ck_assert_ptr_null(sb_arena_alloc(&a, 600));
	ck_assert_ptr_null(sb_arena_calloc(&a, SIZE_MAX / 2, 4));
	sb_arena_release(&a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("all");

	tcase_add_test(tc, range_basic);
	tcase_add_test(tc, range_errors);
	tcase_add_test(tc, parse_numbers);
	tcase_add_test(tc, fmt_size);
	tcase_add_test(tc, utf8);
	tcase_add_test(tc, did_you_mean);
	tcase_add_test(tc, bmc_urls);
	tcase_add_test(tc, yaml_tree);
	tcase_add_test(tc, yaml_limits);
	tcase_add_test(tc, pool_runs_each_once);
	tcase_add_test(tc, errors_per_thread);
	tcase_add_test(tc, hw_set_sanitises);
	tcase_add_test(tc, arena_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
