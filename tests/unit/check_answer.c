/* Unit tests for images/answer.c: answer.toml from the example BOM, our
 * schema's verdicts, and the ISO writer. */
#include "bom/bom.h"
#include "common/error.h"
#include "common/file.h"
#include "images/answer.h"
#include "images/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>

static struct sb_site *edge(void)
{
	struct sb_site *s = NULL;
	struct sb_diags d;

	sb_diags_init(&d);
	ck_assert_int_eq(sb_bom_load(&s, "bom/examples/edge-accra.yaml", &d), 0);
	sb_diags_release(&d);
	return s;
}

static const char *const keys[] = { "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPjX siteboot@appliance" };

static struct sb_answer_opts opts(void)
{
	struct sb_answer_opts o = { .root_password_hash = "$6$salt$hash", .ssh_keys = keys,
				    .nssh_keys = 1 };
	return o;
}

static size_t errors_of(const char *toml)
{
	struct sb_diags d;
	size_t n;

	sb_diags_init(&d);
	sb_answer_validate(toml, strlen(toml), "t.toml", &d);
	n = d.nerrors;
	sb_diags_release(&d);
	return n;
}

START_TEST(generated_passes_schema)
{
	struct sb_site *s = edge();
	struct sb_answer_opts o = opts();
	char *t = NULL;

	for (size_t i = 0; i < s->nnodes; i++) {
		ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[i], &o), 0);
		ck_assert_uint_eq(errors_of(t), 0);
		free(t);
	}
	ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[1], &o), 0);
	ck_assert_ptr_nonnull(strstr(t, "fqdn = \"edge-n02.acc-edge-01.lan\""));
	ck_assert_ptr_nonnull(strstr(t, "cidr = \"10.20.1.12/24\""));
	ck_assert_ptr_nonnull(strstr(t, "filter.ID_NET_NAME_MAC = \"*b49691190b20\""));
	ck_assert_ptr_nonnull(strstr(t, "filter.ID_SERIAL_SHORT = \"PHYF3678071480BGN\""));
	ck_assert_ptr_nonnull(strstr(t, "zfs.raid = \"raid1\""));
	ck_assert_ptr_nonnull(strstr(t, "root_password_hashed = \"$6$salt$hash\""));
	free(t);
	o.redact = true;
	ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[1], &o), 0);
	ck_assert_ptr_null(strstr(t, "$6$salt$hash"));
	free(t);
	/* refusals: no hash, no key */
	o = opts();
	o.root_password_hash = "plaintext";
	ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[0], &o), SB_EINPUT);
	o = opts();
	o.nssh_keys = 0;
	ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[0], &o), SB_EINPUT);
	sb_bom_free(s);
	sb_error_clear();
}
END_TEST

#define GOOD_GLOBAL "[global]\nkeyboard = \"en-us\"\ncountry = \"gh\"\nfqdn = \"a.b\"\n" \
	"mailto = \"x@y\"\ntimezone = \"Africa/Accra\"\nroot_password_hashed = \"$6$x\"\n"
#define GOOD_NET "[network]\nsource = \"from-dhcp\"\n"
#define GOOD_DISK "[disk-setup]\nfilesystem = \"ext4\"\ndisk_list = [\"sda\"]\n"

START_TEST(schema_verdicts)
{
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET GOOD_DISK), 0);
	/* unknown key, kebab-case where 8.2 wants snake_case, unknown section */
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "colour = \"red\"\n" GOOD_NET GOOD_DISK), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "root-ssh-keys = []\n" GOOD_NET GOOD_DISK), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET GOOD_DISK "[extra]\n"), 1);
	/* values */
	ck_assert_uint_eq(errors_of("[global]\nkeyboard = \"klingon\"\ncountry = \"GHA\"\nfqdn = \"host\"\n"
				    "mailto = \"x@y\"\ntimezone = \"UTC\"\nroot_password_hashed = \"$6$x\"\n"
				    GOOD_NET GOOD_DISK), 3);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "reboot_on_error = \"yes\"\n" GOOD_NET GOOD_DISK), 1);
	/* rules across keys */
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "root_password = \"x\"\n" GOOD_NET GOOD_DISK), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "[network]\nsource = \"from-answer\"\n" GOOD_DISK), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET "[disk-setup]\nfilesystem = \"zfs\"\n"
				    "disk_list = [\"sda\"]\n"), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET "[disk-setup]\nfilesystem = \"ext4\"\n"), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET), 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_GLOBAL GOOD_NET GOOD_DISK) >= 2, 1);
	/* syntax */
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "fqdn = \"unterminated\n" GOOD_NET GOOD_DISK) >= 1, 1);
	ck_assert_uint_eq(errors_of("keyboard = \"en-us\"\n" GOOD_GLOBAL GOOD_NET GOOD_DISK), 1);
	/* found by fuzz_recipes: a list that is not of strings where a string is due */
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL GOOD_NET "[disk-setup]\nfilesystem = [1]\ndisk_list = [\"sda\"]\n") >= 1, 1);
	ck_assert_uint_eq(errors_of(GOOD_GLOBAL "root_ssh_keys = [x]\n" GOOD_NET GOOD_DISK), 1);
}
END_TEST

START_TEST(bom_gaps_named)
{
	const char *y =
		"schema_version: 1\n"
		"site: {id: t1, name: T, tier: edge, timezone: UTC,\n"
		"       location: {country: GH}, contact: {name: ops, email: o@x.example}}\n"
		"networks:\n  mgmt: {cidr: 10.0.0.0/24, gateway: 10.0.0.1, dns: [10.0.0.2]}\n"
		"nodes:\n  - name: n1\n    roles: [proxmox]\n    mgmt: {address: 10.0.0.5/24, mac: \"aa:bb:cc:dd:ee:ff\"}\n"
		"    chassis: {manufacturer: Dell Inc., model: R660xs, part_number: 210-BFUZ}\n"
		"    components:\n      - {id: boot, class: drive, part_number: 400-BLLH, quantity: 1,"
		" size: 480GB, use: os}\n";
	struct sb_site *s = NULL;
	struct sb_diags d;
	struct sb_answer_opts o = opts();
	char *t = NULL;

	sb_diags_init(&d);
	if (sb_bom_load_buf(&s, "t.yaml", y, strlen(y), &d) != 0) {
		char line[512];
		for (size_t i = 0; i < d.n; i++) {
			sb_diag_format(line, sizeof(line), &d.v[i]);
			fprintf(stderr, "%s\n", line);
		}
		ck_abort_msg("test BOM does not load");
	}
	sb_diags_release(&d);
	/* the OS drive has no serial: the installer could not find it */
	ck_assert_int_eq(sb_answer_toml(&t, s, &s->nodes[0], &o), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "serial"));
	sb_bom_free(s);
	sb_error_clear();
}
END_TEST

START_TEST(iso_written_in_place)
{
	char dir[] = "/tmp/sbanswerXXXXXX", path[64];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.iso", dir);
	ck_assert_int_eq(sb_answer_iso_write(path, "[global]\n", 9), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_ge(st.st_size, 32768);	/* ISO 9660 system area + descriptors */
	unlink(path);
	snprintf(path, sizeof(path), "%s/missing/a.iso", dir);
	ck_assert_int_eq(sb_answer_iso_write(path, "x", 1), SB_EIO);
	rmdir(dir);
	sb_error_clear();
}
END_TEST

START_TEST(ranges_and_networks)
{
	uint64_t a, b;
	struct sockaddr_in v4 = { .sin_family = AF_INET };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6 };

	ck_assert(sb_http_range("bytes=0-99", 1000, &a, &b) && a == 0 && b == 99);
	ck_assert(sb_http_range("bytes=900-", 1000, &a, &b) && a == 900 && b == 999);
	ck_assert(sb_http_range("bytes=-100", 1000, &a, &b) && a == 900 && b == 999);
	ck_assert(sb_http_range("bytes=990-5000", 1000, &a, &b) && a == 990 && b == 999);
	ck_assert(!sb_http_range("bytes=1000-", 1000, &a, &b));
	ck_assert(!sb_http_range("bytes=5-4", 1000, &a, &b));
	ck_assert(!sb_http_range("bytes=0-1,5-6", 1000, &a, &b));
	ck_assert(!sb_http_range("items=0-1", 1000, &a, &b));
	ck_assert(!sb_http_range("bytes=x-1", 1000, &a, &b));
	inet_pton(AF_INET, "10.20.0.11", &v4.sin_addr);
	ck_assert(sb_cidr_contains("10.20.0.0/24", (struct sockaddr *)&v4));
	ck_assert(!sb_cidr_contains("10.20.1.0/24", (struct sockaddr *)&v4));
	ck_assert(sb_cidr_contains("0.0.0.0/0", (struct sockaddr *)&v4));
	ck_assert(!sb_cidr_contains("fd00::/8", (struct sockaddr *)&v4));
	inet_pton(AF_INET6, "fd00:20::11", &v6.sin6_addr);
	ck_assert(sb_cidr_contains("fd00:20::/64", (struct sockaddr *)&v6));
	ck_assert(!sb_cidr_contains("fd00:21::/64", (struct sockaddr *)&v6));
	ck_assert(!sb_cidr_contains("garbage", (struct sockaddr *)&v6));
}
END_TEST

static Suite *answer_suite(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, generated_passes_schema);
	tcase_add_test(tc, schema_verdicts);
	tcase_add_test(tc, bom_gaps_named);
	tcase_add_test(tc, iso_written_in_place);
	tcase_add_test(tc, ranges_and_networks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(answer_suite());
}
