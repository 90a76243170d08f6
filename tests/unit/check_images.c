/* images/: the catalog, checksums, verdicts and the boot-device finder. */
#include "common/error.h"
#include "images/images.h"
#include "testutil.h"

#include <unistd.h>

static char tmpdir[] = "/tmp/sbimg.XXXXXX";

static const char *tmpfile_with(const char *name, const void *data, size_t len)
{
	static char path[4][512];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	snprintf(p, 512, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
	return p;
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

/* SHA-256("abc") and SHA-512("abc"), FIPS 180-2 appendix B/C. */
#define ABC256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define ABC512 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" \
	       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

START_TEST(hash_known_vector)
{
	char h256[SB_SHA256_HEX], h512[SB_SHA512_HEX];
	uint64_t size = 0;
	const char *p = tmpfile_with("abc", "abc", 3);

	ck_assert_int_eq(sb_image_hash_file(h256, h512, &size, p, NULL, NULL), 0);
	ck_assert_str_eq(h256, ABC256);
	ck_assert_str_eq(h512, ABC512);
	ck_assert_uint_eq(size, 3);
	ck_assert_int_eq(sb_image_hash_file(h256, NULL, &size, tmpdir, NULL, NULL), SB_EINPUT);
}
END_TEST

START_TEST(sha256_parse)
{
	char n[SB_SHA256_HEX];

	ck_assert(sb_image_sha256_parse(n, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	ck_assert_str_eq(n, ABC256);
	ck_assert(!sb_image_sha256_parse(n, "ba7816"));
	ck_assert(!sb_image_sha256_parse(n, ABC256 "0"));
	ck_assert(!sb_image_sha256_parse(n, "gg7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	ck_assert(!sb_image_sha256_parse(n, NULL));
}
END_TEST

static const char catalog_text[] =
	"catalog: 1\n"
	"images:\n"
	"  - name: pve\n"
	"    version: \"8.2-2\"\n"
	"    filename: abc.iso\n"
	"    size: 3\n"
	"    sha256: " ABC256 "\n"
	"  - name: pve\n"
	"    version: \"8.1-1\"\n"
	"    filename: old.iso\n"
	"    sha256: " "0000000000000000000000000000000000000000000000000000000000000001" "\n";

START_TEST(catalog_lookups_and_verdicts)
{
	struct sb_image_catalog *c = NULL;
	struct sb_image_check r;
	struct sb_diags d;
	const char *cat = tmpfile_with("catalog.yaml", catalog_text, sizeof(catalog_text) - 1);

	sb_diags_init(&d);
	ck_assert_int_eq(sb_image_catalog_load(&c, cat, &d), 0);
	ck_assert_uint_eq(c->n, 2);
	ck_assert_str_eq(sb_image_catalog_find_spec(c, "pve")->version, "8.2-2");
	ck_assert_str_eq(sb_image_catalog_find_spec(c, "pve@8.1-1")->filename, "old.iso");
	ck_assert_ptr_null(sb_image_catalog_find_spec(c, "pve@9"));
	ck_assert_ptr_null(sb_image_catalog_find_spec(c, "pv"));

	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("abc.iso", "abc", 3), NULL, c,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_OK);
	ck_assert(!r.renamed);
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("renamed.bin", "abc", 3), NULL, c,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_OK);
	ck_assert(r.renamed);
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("abc.iso", "abd", 3), NULL, c,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_CORRUPT);
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("old.iso", "abc", 3), NULL, c,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_SWAPPED);
	ck_assert_str_eq(r.actual->filename, "abc.iso");
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("new.iso", "xyz", 3), NULL, c,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_UNKNOWN);
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("new.iso", "xyz", 3), NULL, c,
					 "nope", NULL, NULL), SB_ENOTFOUND);
	ck_assert_int_eq(sb_image_verify(&r, tmpfile_with("new.iso", "abc", 3), ABC256, NULL,
					 NULL, NULL, NULL), 0);
	ck_assert_int_eq(r.verdict, SB_IMAGE_OK);
	sb_image_catalog_free(c);
	sb_diags_release(&d);
}
END_TEST

START_TEST(catalog_errors_have_places)
{
	static const char bad[] =
		"catalog: 1\n"
		"images:\n"
		"  - name: a\n"
		"    version: \"1\"\n"
		"    filename: dir/a.iso\n"
		"    sha256: " ABC256 "\n"
		"  - name: b\n"
		"    version: \"1\"\n"
		"    filename: b.iso\n"
		"    sha256: " ABC256 "\n"
		"    size: -4\n"
		"  - just a string\n";
	struct sb_image_catalog *c = NULL;
	struct sb_diags d;
	const char *cat = tmpfile_with("bad.yaml", bad, sizeof(bad) - 1);

	sb_diags_init(&d);
	ck_assert_int_eq(sb_image_catalog_load(&c, cat, &d), SB_EINPUT);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(d.nerrors, 3);
	sb_diags_sort(&d);
	ck_assert_uint_eq(d.v[0].line, 5);	/* the '/' in filename */
	ck_assert_uint_eq(d.v[1].line, 11);	/* the size */
	ck_assert_uint_eq(d.v[2].line, 12);	/* not a mapping */
	sb_diags_release(&d);
}
END_TEST

START_TEST(boot_devices_from_mountinfo)
{
	static const char mi[] =
		"22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
		"23 22 0:5 / /dev rw shared:2 - devtmpfs udev rw\n"
		"24 22 8:17 / /boot/efi rw - vfat /dev/sdb1 rw\n"
		"25 22 11:0 / /run/live/medium ro - iso9660 /dev/sr0 ro\n"
		"26 22 7:3 / /mnt/usb rw - ext4 /dev/loop3 rw\n"
		"27 22 8:33 / /run/live/persistence/sdc1 rw - ext4 /dev/sdc1 rw\n"
		"28 22 254:0 /var /var rw - ext4 /dev/vda rw\n";
	char **v = NULL;
	size_t n = 0;

	ck_assert_int_eq(sb_image_boot_devices(&v, &n, mi), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(v[0], "254:0");
	ck_assert_str_eq(v[1], "8:17");
	ck_assert_str_eq(v[2], "11:0");
	ck_assert_str_eq(v[3], "8:33");
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	ck_assert_int_eq(sb_image_boot_devices(&v, &n, ""), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
}
END_TEST

START_TEST(target_refusals_on_files)
{
	struct sb_image_target t;
	const char *f = tmpfile_with("target.img", "x", 1);
	char missing[600];

	ck_assert_int_eq(sb_image_target_check(&t, f, false, 0, NULL), SB_ESECURITY);
	ck_assert_int_eq(sb_image_target_check(&t, f, true, 0, NULL), 0);
	ck_assert(!t.is_block);
	snprintf(missing, sizeof(missing), "%s/new.img", tmpdir);
	ck_assert_int_eq(sb_image_target_check(&t, missing, false, 0, NULL), SB_ESECURITY);
	ck_assert_int_eq(sb_image_target_check(&t, missing, true, 0, NULL), 0);
	ck_assert_int_eq(sb_image_target_check(&t, "/dev/does-not-exist", true, 0, NULL), SB_EINPUT);
	ck_assert_int_eq(sb_image_target_check(&t, "/dev/null", true, 0, NULL), SB_EINPUT);
}
END_TEST

START_TEST(write_and_read_back_a_file)
{
	struct sb_image_target t;
	struct sb_image_write_result res;
	char out[600];
	const char *img = tmpfile_with("abc.iso", "abc", 3);

	snprintf(out, sizeof(out), "%s/out.img", tmpdir);
	ck_assert_int_eq(sb_image_target_check(&t, out, true, 3, NULL), 0);
	ck_assert_int_eq(sb_image_write(&res, img, &t, NULL), 0);
	ck_assert(res.verified);
	ck_assert_uint_eq(res.bytes, 3);
	ck_assert_str_eq(res.sha256, ABC256);
	ck_assert_str_eq(res.readback, ABC256);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("images");
	TCase *tc = tcase_create("images");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, hash_known_vector);
	tcase_add_test(tc, sha256_parse);
	tcase_add_test(tc, catalog_lookups_and_verdicts);
	tcase_add_test(tc, catalog_errors_have_places);
	tcase_add_test(tc, boot_devices_from_mountinfo);
	tcase_add_test(tc, target_refusals_on_files);
	tcase_add_test(tc, write_and_read_back_a_file);
	suite_add_tcase(s, tc);
	return sb_test_run(s);
}
