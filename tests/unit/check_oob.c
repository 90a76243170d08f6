/* Unit tests for bootstrap/oob.c: target resolution, the credentials
 * file and where each target's credentials come from, and the discover
 * JSON contract read back into an inventory. The fan-out against real
 * BMCs is tested in tests/integ/t_oob.sh. */
#include "bootstrap/oob.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

static struct sb_site *edge_site(void)
{
	struct sb_site *s = NULL;
	struct sb_diags d;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load(&s, "bom/examples/edge-accra.yaml", &d), 0);
	sb_diags_release(&d);
	return s;
}

START_TEST(targets_site)
{
	struct sb_site *s = edge_site();
	struct sb_oob_targets t = { 0 };
	const char *pat[] = { "edge-n[01-02]" };
	const char *bad[] = { "edge-n09" };

	ck_assert_int_eq(sb_oob_targets_add_site(&t, s, pat, 1, false), 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.v[0].name, "edge-n01");
	ck_assert_str_eq(t.v[0].node, "edge-n01");
	ck_assert_str_eq(t.v[1].url, "ipmi://10.20.0.12");
	ck_assert_str_eq(t.v[1].credential, "bmc-acc-edge-01");
	sb_oob_targets_release(&t);

	ck_assert_int_eq(sb_oob_targets_add_site(&t, s, NULL, 0, true), 0);
	ck_assert_uint_eq(t.n, s->nnodes);
	sb_oob_targets_release(&t);

	ck_assert_int_eq(sb_oob_targets_add_site(&t, s, bad, 1, false), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "edge-n09"));
	ck_assert_uint_eq(t.n, 0);
	sb_oob_targets_release(&t);
	sb_bom_free(s);
}
END_TEST

START_TEST(targets_urls)
{
	struct sb_oob_targets t = { 0 };

	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "ipmi://admin@127.0.0.1:[9001-9020]"), 0);
	ck_assert_uint_eq(t.n, 20);
	ck_assert_str_eq(t.v[0].name, "ipmi://admin@127.0.0.1:9001");
	ck_assert_str_eq(t.v[19].url, "ipmi://admin@127.0.0.1:9020");
	ck_assert_ptr_null(t.v[0].node);
	ck_assert_ptr_null(t.v[0].credential);
	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "redfish://[::1]:8443"), 0);
	ck_assert_uint_eq(t.n, 21);
	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "ipmi://127.0.1.[1-3]"), 0);
	ck_assert_uint_eq(t.n, 24);
	ck_assert_str_eq(t.v[23].url, "ipmi://127.0.1.3");

	/* a password in a URL, a bad scheme, a reversed range */
	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "ipmi://admin:hunter2@h"), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "--bmc"));
	ck_assert_ptr_null(strstr(sb_error_message(), "hunter2"));
	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "telnet://h"), SB_EINPUT);
	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "ipmi://h:[9-1]"), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "backwards"));
	ck_assert_uint_eq(t.n, 24);
	sb_oob_targets_release(&t);
}
END_TEST

START_TEST(targets_scan)
{
	struct sb_oob_targets t = { 0 };

	ck_assert_int_eq(sb_oob_targets_add_scan(&t, "10.0.0.[1-3]", 623, 443, false), 0);
	ck_assert_uint_eq(t.n, 6);
	ck_assert_str_eq(t.v[0].url, "ipmi://10.0.0.1:623");
	ck_assert_str_eq(t.v[1].url, "redfish://10.0.0.1:443");
	ck_assert_str_eq(t.v[5].url, "redfish://10.0.0.3:443");
	ck_assert_int_eq(sb_oob_targets_add_scan(&t, "::1", 9623, 8000, true), 0);
	ck_assert_str_eq(t.v[6].url, "ipmi://[::1]:9623");
	ck_assert_str_eq(t.v[7].url, "redfish+http://[::1]:8000");
	ck_assert_int_eq(sb_oob_targets_add_scan(&t, "10.0.0.1:623", 623, 443, false), SB_EINPUT);
	ck_assert_uint_eq(t.n, 8);
	sb_oob_targets_release(&t);
}
END_TEST

static const char good_creds[] =
	"lab:\n  user: admin\n  password: \"s3cr#t pw\"\n"
	"bmc-acc-edge-01:\n  user: ADMIN\n  password: other\n";

START_TEST(creds_parse)
{
	struct sb_oob_creds c = { 0 };
	struct sb_diags d;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_oob_creds_parse(&c, "c.yaml", good_creds,
					    strlen(good_creds), &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.v[0].name, "lab");
	ck_assert_str_eq(c.v[0].password, "s3cr#t pw");
	ck_assert_str_eq(c.v[1].user, "ADMIN");
	sb_oob_creds_release(&c);
	sb_diags_release(&d);
}
END_TEST

static void creds_bad(const char *text, const char *want)
{
	struct sb_oob_creds c = { 0 };
	struct sb_diags d;
	bool seen = false;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_oob_creds_parse(&c, "c.yaml", text, strlen(text), &d),
			 SB_EINPUT);
	ck_assert_uint_ge(d.nerrors, 1);
	for (size_t i = 0; i < d.n; i++) {
		char line[1024];
		sb_diag_format(line, sizeof(line), &d.v[i]);
		seen |= strstr(line, want) != NULL;
		/* never quote a password back */
		ck_assert_ptr_null(strstr(line, "hunter2"));
	}
	ck_assert_msg(seen, "no diagnostic with '%s'", want);
	sb_oob_creds_release(&c);
	sb_diags_release(&d);
}

START_TEST(creds_errors)
{
	creds_bad("", "empty");
	creds_bad("- a\n- b\n", "must be a mapping");
	creds_bad("lab: hunter2\n", "must be a mapping");
	creds_bad("lab:\n  user: a\n  pasword: hunter2\n", "did you mean 'password'");
	creds_bad("lab:\n  password: hunter2\n", "has no user");
	creds_bad("lab:\n  user: admin\n", "has no password");
	creds_bad("lab:\n  user: a\n  password: hunter2\nlab:\n  user: b\n  password: hunter2\n",
		  "c.yaml:4:1");
}
END_TEST

START_TEST(creds_file_mode)
{
	char path[] = "/tmp/sbcredsXXXXXX";
	int fd = mkstemp(path);
	struct sb_oob_creds c = { 0 };
	struct sb_diags d;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, good_creds, strlen(good_creds)),
			 (ssize_t)strlen(good_creds));
	close(fd);
	sb_diags_init(&d);
	chmod(path, 0644);
	ck_assert_int_eq(sb_oob_creds_load(&c, path, &d), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "chmod 600"));
	chmod(path, 0640);
	ck_assert_int_eq(sb_oob_creds_load(&c, path, &d), SB_EINPUT);
	chmod(path, 0400);
	ck_assert_int_eq(sb_oob_creds_load(&c, path, &d), 0);
	ck_assert_uint_eq(c.n, 2);
	sb_oob_creds_release(&c);
	chmod(path, 0600);
	ck_assert_int_eq(sb_oob_creds_load(&c, path, &d), 0);
	sb_oob_creds_release(&c);
	unlink(path);
	ck_assert_int_eq(sb_oob_creds_load(&c, path, &d), SB_EINPUT);
	sb_diags_release(&d);
}
END_TEST

static struct sb_oob_target tgt(const char *url, const char *cred)
{
	struct sb_oob_target t = { (char *)url, NULL, (char *)url, (char *)cred };

	return t;
}

START_TEST(creds_for)
{
	struct sb_oob_creds c = { 0 }, env = { 0 }, one = { 0 };
	struct sb_diags d;
	struct sb_bmc_creds cr;
	struct sb_oob_target t;
	const char *single = "only:\n  user: root\n  password: pw1\n";

	sb_diags_init(&d);
	ck_assert_int_eq(sb_oob_creds_parse(&c, "c.yaml", good_creds,
					    strlen(good_creds), &d), 0);
	/* the BOM's credential name */
	t = tgt("ipmi://10.0.0.1", "bmc-acc-edge-01");
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, NULL), 0);
	ck_assert_str_eq(cr.user, "ADMIN");
	ck_assert_str_eq(cr.password, "other");
	sb_bmc_creds_release(&cr);
	/* the URL's user wins */
	t = tgt("ipmi://operator@10.0.0.1", "lab");
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, NULL), 0);
	ck_assert_str_eq(cr.user, "operator");
	ck_assert_str_eq(cr.password, "s3cr#t pw");
	sb_bmc_creds_release(&cr);
	/* --credential for URL targets */
	t = tgt("ipmi://10.0.0.1", NULL);
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, "lab"), 0);
	ck_assert_str_eq(cr.user, "admin");
	sb_bmc_creds_release(&cr);
	/* several entries and no name: say which option fixes it */
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, NULL), SB_EAUTH);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "--credential"));
	/* a name that is not there */
	t = tgt("ipmi://10.0.0.1", "nope");
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, NULL), SB_EAUTH);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "'nope'"));
	/* ... unless the environment has a password */
	c.env_password = sb_strdup("envpw");
	c.env_user = sb_strdup("envuser");
	ck_assert_int_eq(sb_oob_creds_for(&cr, &c, &t, NULL), 0);
	ck_assert_str_eq(cr.user, "envuser");
	ck_assert_str_eq(cr.password, "envpw");
	sb_bmc_creds_release(&cr);

	/* a file with one entry serves every URL target */
	ck_assert_int_eq(sb_oob_creds_parse(&one, "o.yaml", single,
					    strlen(single), &d), 0);
	t = tgt("redfish+http://127.0.0.1:8000", NULL);
	ck_assert_int_eq(sb_oob_creds_for(&cr, &one, &t, NULL), 0);
	ck_assert_str_eq(cr.password, "pw1");
	sb_bmc_creds_release(&cr);

	/* environment only: the user from the URL or SITEBOOT_BMC_USER */
	env.env_password = sb_strdup("e");
	t = tgt("ipmi://10.0.0.1", NULL);
	ck_assert_int_eq(sb_oob_creds_for(&cr, &env, &t, NULL), SB_EAUTH);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "SITEBOOT_BMC_USER"));
	t = tgt("ipmi://admin@10.0.0.1", "bmc-x");
	ck_assert_int_eq(sb_oob_creds_for(&cr, &env, &t, NULL), 0);
	ck_assert_str_eq(cr.user, "admin");
	sb_bmc_creds_release(&cr);
	/* nothing at all */
	ck_assert_int_eq(sb_oob_creds_for(&cr, NULL, &t, NULL), SB_EAUTH);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "--credentials"));

	sb_oob_creds_release(&c);
	sb_oob_creds_release(&one);
	sb_oob_creds_release(&env);
	sb_diags_release(&d);
}
END_TEST

START_TEST(discover_json_roundtrip)
{
	struct sb_hw_inventory a, b;
	struct sb_hw_component *c;
	json_t *o = json_object();
	char *s1, *s2;

	sb_hw_inventory_init(&a);
	sb_hw_inventory_init(&b);
	a.target = sb_strdup("edge-n01");
	a.protocol = sb_strdup("ipmi");
	a.vendor = sb_strdup("Dell Inc.");
	c = sb_hw_add_component(&a, SB_HW_BOARD, "ipmi-fru", "fru/0/board");
	ck_assert_ptr_nonnull(c);
	c->serial = sb_strdup("CN0ABC123");
	c->part_number = sb_strdup("0XYZ12");
	c->capacity_bytes = 0;
	c = sb_hw_add_component(&a, SB_HW_MEMORY, "redfish", "/redfish/v1/Systems/1/Memory/1");
	c->capacity_bytes = 34359738368ull;
	c->location = sb_strdup("DIMM_A1");
	ck_assert_ptr_nonnull(sb_hw_add_firmware(&a, "BMC", "7.00.30.00", "ipmi", "get-device-id"));
	ck_assert_int_ge(sb_hw_add_evidence(&a, "fru/0", "application/octet-stream", "abc", 3), 0);

	json_object_set_new(o, "target", json_string("edge-n01"));
	ck_assert_int_eq(sb_oob_inventory_to_json(o, &a), 0);
	/* the contract's keys */
	json_t *c0 = json_array_get(json_object_get(o, "components"), 0);
	const char *keys[] = { "class", "manufacturer", "model", "part_number",
			       "serial", "location", "source" };
	for (size_t i = 0; i < 7; i++)
		ck_assert_ptr_nonnull(json_object_get(c0, keys[i]));
	ck_assert_str_eq(sb_json_str(c0, "class"), "board");
	ck_assert_str_eq(sb_json_str(json_array_get(json_object_get(o, "evidence"), 0), "sha256"),
			 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");

	ck_assert_int_eq(sb_oob_inventory_from_json(&b, o), 0);
	ck_assert_uint_eq(b.ncomponents, 2);
	ck_assert_str_eq(b.components[0].serial, "CN0ABC123");
	ck_assert_uint_eq(b.components[1].capacity_bytes, 34359738368ull);
	ck_assert_str_eq(b.firmware[0].version, "7.00.30.00");
	/* the same JSON again, evidence aside (its bytes are not in JSON) */
	json_t *o2 = json_object();
	json_object_set_new(o2, "target", json_string("edge-n01"));
	sb_oob_inventory_to_json(o2, &b);
	json_object_del(o, "evidence");
	json_object_del(o2, "evidence");
	json_object_del(json_array_get(json_object_get(o, "components"), 0), "evidence");
	s1 = json_dumps(o, JSON_SORT_KEYS);
	s2 = json_dumps(o2, JSON_SORT_KEYS);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);

	/* hostile input */
	json_t *bad = json_pack("{s:s, s:[{s:s}]}", "target", "x", "components",
				"class", "toaster");
	struct sb_hw_inventory x;
	sb_hw_inventory_init(&x);
	ck_assert_int_eq(sb_oob_inventory_from_json(&x, bad), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "toaster"));
	sb_hw_inventory_release(&x);
	ck_assert_int_eq(sb_oob_inventory_from_json(&x, json_array_get(json_object_get(o, "components"), 0)), SB_EINPUT);
	sb_hw_inventory_release(&x);
	json_decref(bad);
	json_decref(o);
	json_decref(o2);
	sb_hw_inventory_release(&a);
	sb_hw_inventory_release(&b);
}
END_TEST

/* The fan-out with no reachable driver work: every target reports, in
 * target order, and the callback sees each once. */
static size_t seen_count;
static void count_cb(const struct sb_oob_result *r, size_t done, size_t total,
		     void *ctx)
{
	(void)r;
	(void)ctx;
	seen_count++;
	ck_assert_uint_le(done, total);
}

START_TEST(fanout_reports_every_target)
{
	struct sb_oob_targets t = { 0 };
	struct sb_oob_request req;
	struct sb_oob_result *res = NULL;

	ck_assert_int_eq(sb_oob_targets_add_urls(&t, "ipmi://127.0.0.1:[9001-9100]"), 0);
	sb_oob_request_init(&req, SB_OOB_POWER_STATUS);
	req.on_result = count_cb;
	req.parallel = 8;
	seen_count = 0;
	ck_assert_int_eq(sb_oob_run(&res, &t, &req), 0);
	ck_assert_uint_eq(seen_count, 100);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert(res[i].done);
		ck_assert_ptr_eq(res[i].target, &t.v[i]);
		/* no credentials anywhere: an authentication problem */
		ck_assert_int_eq(res[i].rc, SB_EAUTH);
		json_t *j = sb_oob_result_json(&res[i], SB_OOB_POWER_STATUS);
		ck_assert(json_is_false(json_object_get(j, "ok")));
		ck_assert_str_eq(sb_json_str(j, "error_code"), "auth");
		ck_assert_ptr_null(json_object_get(j, "power"));
		json_decref(j);
	}
	sb_oob_results_free(res, t.n);
	sb_oob_targets_release(&t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oob");
	TCase *tc = tcase_create("oob");

	tcase_add_test(tc, targets_site);
	tcase_add_test(tc, targets_urls);
	tcase_add_test(tc, targets_scan);
	tcase_add_test(tc, creds_parse);
	tcase_add_test(tc, creds_errors);
	tcase_add_test(tc, creds_file_mode);
	tcase_add_test(tc, creds_for);
	tcase_add_test(tc, discover_json_roundtrip);
	tcase_add_test(tc, fanout_reports_every_target);
	suite_add_tcase(s, tc);
	return sb_test_run(s);
}
