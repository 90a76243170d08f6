/* Unit tests for the IPMI driver's parts that need no BMC: FRU images
 * (ours, one byte-for-byte as the IPMI FRU specification's layout, and
 * hostile ones), workaround names, vendor numbers, and the refusals that
 * happen before any packet is sent. The driver against a real peer is
 * tests/integ/t_ipmi.sh (ipmi_sim). */
#include "common/error.h"
#include "common/hw.h"
#include "common/str.h"
#include "firmware/bmc.h"
#include "testutil.h"

#include <freeipmi/freeipmi.h>

static const struct sb_hw_component *find(const struct sb_hw_inventory *inv,
					  const char *path)
{
	for (size_t i = 0; i < inv->ncomponents; i++)
		if (strcmp(inv->components[i].path, path) == 0)
			return &inv->components[i];
	return NULL;
}

static const struct sb_ipmi_fru sample = {
	.chassis_type = 0x17,
	.chassis_part = "210-BFUZ", .chassis_serial = "GX643DL",
	.board_mfr = "Dell Inc.", .board_name = "0Y7WYT",
	.board_serial = "CNFCP0039H00AB", .board_part = "0Y7WYT",
	.product_mfr = "Dell Inc.", .product_name = "PowerEdge R660xs",
	.product_part = "R660XS-EDGE-A", .product_version = "A01",
	.product_serial = "GX643DL", .product_asset = "edge-n01",
};

START_TEST(fru_round_trip)
{
	unsigned char *img = NULL;
	size_t len = 0;
	struct sb_hw_inventory inv;
	const struct sb_hw_component *c;

	ck_assert_int_eq(sb_bmc_ipmi_fru_build(&img, &len, &sample), 0);
	ck_assert_uint_eq(len % 8, 0);
	ck_assert_uint_eq(img[0], 0x01);	/* format version */
	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_bmc_ipmi_fru_parse(&inv, img, len, "fru:0"), 0);
	ck_assert_uint_eq(inv.ncomponents, 3);

	c = find(&inv, "fru:0/chassis");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cls, SB_HW_CHASSIS);
	ck_assert_str_eq(c->serial, "GX643DL");
	ck_assert_str_eq(c->part_number, "210-BFUZ");
	ck_assert_str_eq(c->manufacturer, "Dell Inc.");	/* from the product */
	ck_assert_str_eq(c->model, "PowerEdge R660xs");
	ck_assert_str_eq(c->source, "ipmi-fru");

	c = find(&inv, "fru:0/board");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cls, SB_HW_BOARD);
	ck_assert_str_eq(c->serial, "CNFCP0039H00AB");
	ck_assert_str_eq(c->part_number, "0Y7WYT");
	ck_assert_str_eq(c->manufacturer, "Dell Inc.");

	c = find(&inv, "fru:0/product");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cls, SB_HW_OTHER);	/* the chassis area exists */
	ck_assert_str_eq(c->part_number, "R660XS-EDGE-A");
	ck_assert_str_eq(c->asset_tag, "edge-n01");

	/* the raw image is the evidence of every component */
	ck_assert_uint_eq(inv.nevidence, 1);
	ck_assert_uint_eq(inv.evidence[0].len, len);
	ck_assert_mem_eq(inv.evidence[0].data, img, len);
	ck_assert_int_eq(inv.components[0].evidence, 0);
	ck_assert_str_eq(inv.chassis_serial, "GX643DL");
	ck_assert_str_eq(inv.vendor, "Dell Inc.");
	sb_hw_inventory_release(&inv);
	free(img);
}
END_TEST

/* A FRU image written by hand from the IPMI Platform Management FRU
 * Information Storage Definition v1.0 (no builder of ours involved):
 * header, then a product area only, with a 6-bit packed ASCII serial. */
START_TEST(fru_product_only_by_the_spec)
{
	unsigned char img[] = {
		/* common header: version 1, product area at 8*1, checksum */
		0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFE,
		/* product area: version 1, length 4*8, English */
		0x01, 0x04, 0x19,
		0xC4, 'A', 'C', 'M', 'E',		/* manufacturer */
		0xC2, 'X', '1',				/* product name */
		0xC3, 'P', '-', '9',			/* part/model number */
		0xC0,					/* version: empty */
		0x83, 0xA1, 0x38, 0x92,			/* serial: 6-bit "ABCD" */
		0xC0,					/* asset tag: empty */
		0xC0,					/* FRU file id */
		0xC1,					/* end of fields */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00,					/* checksum, set below */
	};
	unsigned sum = 0;
	struct sb_hw_inventory inv;
	const struct sb_hw_component *c;

	for (size_t i = 8; i < sizeof(img) - 1; i++)
		sum += img[i];
	img[sizeof(img) - 1] = (unsigned char)(0x100 - (sum & 0xff));
	ck_assert_uint_eq(sizeof(img) - 8, 32);
	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_bmc_ipmi_fru_parse(&inv, img, sizeof(img), "fru:0"), 0);
	ck_assert_uint_eq(inv.ncomponents, 1);
	c = &inv.components[0];
	/* no chassis area: the product is the chassis */
	ck_assert_int_eq(c->cls, SB_HW_CHASSIS);
	ck_assert_str_eq(c->manufacturer, "ACME");
	ck_assert_str_eq(c->model, "X1");
	ck_assert_str_eq(c->part_number, "P-9");
	ck_assert_str_eq(c->serial, "ABCD");
	ck_assert_ptr_null(c->asset_tag);	/* empty is absent */
	sb_hw_inventory_release(&inv);
}
END_TEST

START_TEST(fru_hostile)
{
	unsigned char *img = NULL;
	size_t len = 0;
	struct sb_hw_inventory inv;

	ck_assert_int_eq(sb_bmc_ipmi_fru_build(&img, &len, &sample), 0);
	sb_hw_inventory_init(&inv);

	/* too short, empty */
	ck_assert_int_eq(sb_bmc_ipmi_fru_parse(&inv, img, 4, "fru:0"), SB_EPROTO);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "fru:0"));
	/* truncated in the middle of an area */
	ck_assert_int_ne(sb_bmc_ipmi_fru_parse(&inv, img, len / 2, "fru:0"), 0);
	/* broken header checksum */
	img[7] ^= 0x55;
	ck_assert_int_eq(sb_bmc_ipmi_fru_parse(&inv, img, len, "fru:0"), SB_EPROTO);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "malformed"));
	img[7] ^= 0x55;
	/* an area offset far past the end */
	img[4] = 0xFF;
	img[7] = 0;
	for (int i = 0; i < 7; i++)
		img[7] = (unsigned char)(img[7] - img[i]);
	ck_assert_int_ne(sb_bmc_ipmi_fru_parse(&inv, img, len, "fru:0"), 0);
	/* all zeros: a BMC with no FRU data */
	memset(img, 0, len);
	ck_assert_int_ne(sb_bmc_ipmi_fru_parse(&inv, img, len, "fru:0"), 0);
	ck_assert_uint_eq(inv.ncomponents, 0);
	sb_hw_inventory_release(&inv);
	free(img);
}
END_TEST

START_TEST(fru_field_limits)
{
	struct sb_ipmi_fru f = sample;
	unsigned char *img = NULL;
	size_t len = 0;
	char longer[80];

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	f.board_serial = longer;
	ck_assert_int_eq(sb_bmc_ipmi_fru_build(&img, &len, &f), SB_EINPUT);
	ck_assert_ptr_null(img);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "at most 63"));
	longer[63] = '\0';
	ck_assert_int_eq(sb_bmc_ipmi_fru_build(&img, &len, &f), 0);
	free(img);
}
END_TEST

START_TEST(workarounds)
{
	unsigned f = 0;
	char buf[256];

	ck_assert_int_eq(sb_bmc_ipmi_workarounds_parse(&f, "ipmi_sim"), 0);
	ck_assert(f & IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE);
	ck_assert(f & SB_IPMI_WA_BOOT_DEVICE_ONLY);
	sb_bmc_ipmi_workarounds_name(buf, sizeof(buf), f);
	ck_assert_str_eq(buf, "opensesspriv,bootdevonly");

	ck_assert_int_eq(sb_bmc_ipmi_workarounds_parse(&f, "intel20, sun20"), 0);
	ck_assert_uint_eq(f, IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_INTEL_2_0_SESSION |
			  IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_SUN_2_0_SESSION);
	ck_assert_int_eq(sb_bmc_ipmi_workarounds_parse(&f, ""), 0);
	ck_assert_uint_eq(f, 0);
	sb_bmc_ipmi_workarounds_name(buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "none");

	ck_assert_int_eq(sb_bmc_ipmi_workarounds_parse(&f, "opensespriv"), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "did you mean 'opensesspriv'"));
	ck_assert_uint_eq(f, 0);
}
END_TEST

START_TEST(vendors)
{
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana("Dell Inc."), 674);
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana("dell"), 674);
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana("Supermicro"), 10876);
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana("HPE"), 11);
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana("Nobody Ltd"), 0);
	ck_assert_uint_eq(sb_bmc_ipmi_vendor_iana(NULL), 0);
}
END_TEST

/* Refusals that come before any packet: nothing listens on the address,
 * so a packet sent would be a timeout, not these errors. */
START_TEST(refusals)
{
	struct sb_bmc *b = NULL;
	struct sb_bmc_opts o;
	struct sb_bmc_creds cr = { (char *)"admin", (char *)"pw" };
	struct sb_bmc_creds nopw = { (char *)"admin", NULL };

	sb_bmc_opts_default(&o);
	o.timeout_ms = 200;
	o.cipher_suite = 0;
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://admin@127.0.0.1:9", &cr, &o),
			 SB_ESECURITY);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "cipher suite 0 is not allowed"));
	ck_assert_ptr_null(b);
	o.cipher_suite = 1;
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://127.0.0.1:9", &cr, &o), SB_ESECURITY);

	sb_bmc_opts_default(&o);
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://127.0.0.1:9", &nopw, &o), SB_EAUTH);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "SITEBOOT_BMC_PASSWORD"));
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://127.0.0.1:9", NULL, &o), SB_EAUTH);

	o.quirks = "nosuchquirk";
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://127.0.0.1:9", &cr, &o), SB_EINPUT);
	ck_assert_ptr_null(b);
	/* a Redfish quirk set is not an IPMI error: the IPMI driver detects
	 * (and here meets nobody: a timeout, not bad input) */
	o.quirks = "hpe-ilo";
	o.timeout_ms = 200;
	o.retries = 0;
	ck_assert_int_eq(sb_bmc_open(&b, "ipmi://127.0.0.1:9", &cr, &o), SB_ETIMEOUT);
	ck_assert_ptr_null(b);
}
END_TEST

START_TEST(driver_table)
{
	struct sb_bmc_url u;

	ck_assert_int_eq(sb_bmc_url_parse(&u, "ipmi://admin@10.0.0.1"), 0);
	ck_assert_ptr_eq(sb_bmc_driver_for(&u), &sb_bmc_ipmi_driver);
	ck_assert_str_eq(sb_bmc_ipmi_driver.name, "ipmi");
	ck_assert(sb_bmc_ipmi_driver.caps & SB_BMC_CAP_POWER);
	ck_assert(sb_bmc_ipmi_driver.caps & SB_BMC_CAP_BOOT);
	ck_assert(sb_bmc_ipmi_driver.caps & SB_BMC_CAP_INVENTORY);
	ck_assert(!(sb_bmc_ipmi_driver.caps & SB_BMC_CAP_MEDIA));
	ck_assert_ptr_null(sb_bmc_ipmi_driver.media_insert);
	ck_assert_ptr_nonnull(sb_bmc_ipmi_driver.security_scan);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipmi");
	TCase *tc = tcase_create("ipmi");

	tcase_add_test(tc, fru_round_trip);
	tcase_add_test(tc, fru_product_only_by_the_spec);
	tcase_add_test(tc, fru_hostile);
	tcase_add_test(tc, fru_field_limits);
	tcase_add_test(tc, workarounds);
	tcase_add_test(tc, vendors);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, driver_table);
	suite_add_tcase(s, tc);
	return sb_test_run(s);
}
