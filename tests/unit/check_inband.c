/* Unit tests for bootstrap/inband.c on the samples of tests/data/inband
 * (origins in its README.md) and on hostile output. */
#include "bootstrap/inband.h"
#include "common/error.h"
#include "common/file.h"
#include "common/str.h"
#include "testutil.h"

static char *load(const char *rel, size_t *len)
{
	char *buf = NULL;

	ck_assert_int_eq(sb_file_read(&buf, len, sb_test_data(rel), 1 << 22), 0);
	return buf;
}

static size_t count(const struct sb_hw_inventory *inv, enum sb_hw_class c)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->ncomponents; i++)
		n += inv->components[i].cls == c;
	return n;
}

START_TEST(dmidecode_sample)
{
	struct sb_hw_inventory inv;
	size_t len;
	char *t = load("inband/edge-n01.dmidecode.txt", &len);

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_dmidecode(&inv, t, len), 0);
	ck_assert_str_eq(inv.chassis_serial, "GX643DL");
	ck_assert_str_eq(inv.system_guid, "4c4c4544-0058-3610-8034-c7c04f444c31");
	ck_assert_str_eq(inv.vendor, "Dell Inc.");
	ck_assert_str_eq(inv.product, "PowerEdge R660xs");
	ck_assert_uint_eq(count(&inv, SB_HW_CHASSIS), 1);
	ck_assert_uint_eq(count(&inv, SB_HW_BOARD), 1);
	/* four DIMMs; the two empty slots are not components */
	ck_assert_uint_eq(count(&inv, SB_HW_MEMORY), 4);
	const struct sb_hw_component *d = &inv.components[2];
	ck_assert_int_eq(d->cls, SB_HW_MEMORY);
	ck_assert_str_eq(d->serial, "E873A000");
	ck_assert_str_eq(d->location, "A1");
	ck_assert_str_eq(d->part_number, "HMCG88AGBRA191N");
	ck_assert_str_eq(d->manufacturer, "Hynix");
	ck_assert_str_eq(d->source, "ssh-dmidecode");
	ck_assert_uint_eq(d->capacity_bytes, 32ULL << 30);
	ck_assert_uint_eq(d->speed, 4800);
	/* "Not Specified" is absence, not a value */
	ck_assert_ptr_null(inv.components[1].asset_tag);
	ck_assert_str_eq(inv.components[1].serial, ".GX643DL.CNFCP0034A00AK.");
	ck_assert_uint_eq(inv.nevidence, 1);
	ck_assert_uint_eq(inv.evidence[0].len, len);
	ck_assert_int_eq(d->evidence, 0);
	sb_hw_inventory_release(&inv);
	free(t);
}
END_TEST

START_TEST(lsblk_sample_and_resolver)
{
	struct sb_hw_inventory inv;
	size_t len;
	char *t = load("inband/edge-n01.lsblk.json", &len), *path = NULL;

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_lsblk(&inv, t, len), 0);
	/* sda, sdb, nvme1n1, nvme0n1: not the zvol, the CD or partitions */
	ck_assert_uint_eq(count(&inv, SB_HW_DRIVE), 4);
	ck_assert_str_eq(inv.components[2].serial, "S6CKNE0T629828");
	ck_assert_str_eq(inv.components[2].durable_id, "eui.36434b3052629828002538a700000001");
	ck_assert_uint_eq(inv.components[2].capacity_bytes, 3840755982336ULL);
	/* the BOM's first OSD serial is nvme0n1, listed second: no guessing by order */
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, "S6CKNE0T987302", NULL), 0);
	ck_assert_str_eq(path, "/dev/nvme0n1");
	free(path);
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, " s6ckne0t629828 ", NULL), 0);
	ck_assert_str_eq(path, "/dev/nvme1n1");
	free(path);
	/* by WWN when the serial is unknown */
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, NULL, "0x55CD2E415C3A2B17"), 0);
	ck_assert_str_eq(path, "/dev/sdb");
	free(path);
	/* absent: the message lists what was seen */
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, "S6CKNE0T000000", NULL), SB_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "nvme0n1=S6CKNE0T987302"));
	ck_assert_ptr_null(path);
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, NULL, NULL), SB_EINPUT);
	sb_hw_inventory_release(&inv);
	free(t);
	/* the same drive seen twice (multipath) is a conflict, not a pick */
	const char *mp = "{\"blockdevices\": [{\"name\": \"sdc\", \"serial\": \"Z1\", \"type\": \"disk\"},"
			 "{\"name\": \"sdd\", \"serial\": \"Z1\", \"type\": \"disk\"}]}";
	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_lsblk(&inv, mp, strlen(mp)), 0);
	ck_assert_int_eq(sb_inband_drive_path(&path, &inv, "Z1", NULL), SB_ECONFLICT);
	sb_hw_inventory_release(&inv);
	sb_error_clear();
}
END_TEST

START_TEST(ip_link_sample)
{
	struct sb_hw_inventory inv;
	size_t len;
	char *t = load("inband/edge-n01.ip-link.json", &len);

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_ip_link(&inv, t, len), 0);
	/* eno1 and eno2; not lo, not the bridge that carries eno1's MAC */
	ck_assert_uint_eq(count(&inv, SB_HW_NIC), 2);
	ck_assert_str_eq(inv.components[0].name, "eno1");
	ck_assert_str_eq(inv.components[0].durable_id, "b4:96:91:4a:18:90");
	ck_assert_str_eq(inv.components[1].durable_id, "b4:96:91:4a:18:91");
	ck_assert_str_eq(inv.components[1].source, "ssh-ip");
	sb_hw_inventory_release(&inv);
	free(t);
	/* a port enslaved to a bond: its own MAC is permaddr */
	const char *bond = "[{\"ifname\": \"eno3\", \"link_type\": \"ether\", \"address\": "
			   "\"aa:aa:aa:aa:aa:aa\", \"permaddr\": \"b4:96:91:00:00:03\"}]";
	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_ip_link(&inv, bond, strlen(bond)), 0);
	ck_assert_str_eq(inv.components[0].durable_id, "b4:96:91:00:00:03");
	sb_hw_inventory_release(&inv);
}
END_TEST

START_TEST(devmachine_samples)
{
	struct sb_hw_inventory inv;
	size_t len;
	char *t = load("inband/devmachine.lsblk.json", &len);

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_lsblk(&inv, t, len), 0);
	ck_assert_uint_eq(count(&inv, SB_HW_DRIVE), 1);	/* vda; not zram0 */
	ck_assert_ptr_null(inv.components[0].serial);
	free(t);
	t = load("inband/devmachine.ip-link.json", &len);
	ck_assert_int_eq(sb_inband_ip_link(&inv, t, len), 0);
	ck_assert_uint_eq(count(&inv, SB_HW_NIC), 1);	/* eth0; not lo, not ifb */
	sb_hw_inventory_release(&inv);
	free(t);
}
END_TEST

START_TEST(hostile_output)
{
	struct sb_hw_inventory inv;

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_inband_dmidecode(&inv, "", 0), SB_EINPUT);
	ck_assert_int_eq(sb_inband_dmidecode(&inv, "Handle 0x1\0x", 12), SB_EINPUT);
	ck_assert_int_eq(sb_inband_dmidecode(&inv, "# dmidecode 3.4\n/dev/mem: No such file\n", 39),
			 SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "root"));
	ck_assert_int_eq(sb_inband_lsblk(&inv, "{", 1), SB_EPROTO);
	ck_assert_int_eq(sb_inband_lsblk(&inv, "{}", 2), SB_EINPUT);
	const char *dots = "{\"blockdevices\": [{\"name\": \"../x\", \"type\": \"disk\"}]}";
	ck_assert_int_eq(sb_inband_lsblk(&inv, dots, strlen(dots)), SB_EINPUT);
	ck_assert_int_eq(sb_inband_ip_link(&inv, "{}", 2), SB_EINPUT);
	/* a truncated record, long lines and control characters do no harm */
	char big[5000];
	memset(big, 'A', sizeof(big));
	memcpy(big, "Handle 0x0001, DMI type 17\nMemory Device\n\tSize: 8 GB\n\tSerial Number: \x01X", 71);
	ck_assert_int_eq(sb_inband_dmidecode(&inv, big, sizeof(big)), 0);
	ck_assert_uint_eq(count(&inv, SB_HW_MEMORY), 1);
	sb_hw_inventory_release(&inv);
	sb_error_clear();
}
END_TEST

static Suite *inband_suite(void)
{
	Suite *s = suite_create("inband");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, dmidecode_sample);
	tcase_add_test(tc, lsblk_sample_and_resolver);
	tcase_add_test(tc, ip_link_sample);
	tcase_add_test(tc, devmachine_samples);
	tcase_add_test(tc, hostile_output);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(inband_suite());
}
