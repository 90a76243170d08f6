/* The Redfish driver's JSON -> hardware inventory mapping, over DMTF's
 * public mockups (tests/data/redfish/), plus its pure helpers and the
 * quirk table. The HTTP side is tested against the lab's emulator in
 * tests/integ/t_redfish.sh. */
#include "testutil.h"

#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"
#include "firmware/redfish_int.h"

/* ---- a fetcher over a mockup folder ---------------------------------- */

struct files {
	char dir[512];
	struct sb_strv asked;	/* every path requested, as requested */
	bool expand_inline;	/* play $expand: members come inline */
	size_t batches;
};

static json_t *load(const struct files *f, const char *path)
{
	char rel[1200], file[2048];
	char *buf = NULL;
	size_t len = 0;
	json_t *doc = NULL;
	char *q;

	sb_strlcpy(rel, path + strlen("/redfish/v1"), sizeof(rel));
	if ((q = strchr(rel, '?')))
		*q = '\0';
	while (*rel && rel[strlen(rel) - 1] == '/')
		rel[strlen(rel) - 1] = '\0';
	snprintf(file, sizeof(file), "%s%s/index.json", f->dir, rel);
	if (sb_file_read(&buf, &len, file, 1 << 22) == 0)
		sb_json_parse(&doc, buf, len, 1 << 22, file);
	free(buf);
	sb_error_clear();
	return doc;
}

static int fetch_files(void *ctx, const char *const *paths, size_t n,
		       struct sb_rf_doc *out)
{
	struct files *f = ctx;

	f->batches++;
	for (size_t i = 0; i < n; i++) {
		json_t *doc;

		ck_assert(sb_rf_path_ok(paths[i]));
		ck_assert_int_eq(sb_strv_push(&f->asked, paths[i]), 0);
		doc = load(f, paths[i]);
		if (doc && f->expand_inline && strstr(paths[i], "$expand")) {
			json_t *m;
			size_t k;

			json_array_foreach(sb_json_arr(doc, "Members"), k, m) {
				json_t *full = load(f, sb_json_str(m, "@odata.id"));
				if (full)
					json_array_set_new(sb_json_arr(doc, "Members"), k, full);
			}
		}
		out[i].doc = doc;
		out[i].raw = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		out[i].len = out[i].raw ? strlen(out[i].raw) : 0;
	}
	return 0;
}

static json_t *root_of(struct files *f, const char *mockup)
{
	snprintf(f->dir, sizeof(f->dir), "%s", sb_test_data("redfish/"));
	sb_strlcpy(f->dir + strlen(f->dir), mockup, sizeof(f->dir) - strlen(f->dir));
	return load(f, "/redfish/v1/");
}

static size_t count(const struct sb_hw_inventory *inv, enum sb_hw_class c)
{
	size_t n = 0;

	for (size_t i = 0; i < inv->ncomponents; i++)
		n += inv->components[i].cls == c;
	return n;
}

static const struct sb_hw_component *by_path(const struct sb_hw_inventory *inv,
					     const char *path)
{
	for (size_t i = 0; i < inv->ncomponents; i++)
		if (sb_streq(inv->components[i].path, path))
			return &inv->components[i];
	return NULL;
}

static void walk(const char *mockup, bool hw, bool fw, bool expand,
		 bool inline_members, struct sb_hw_inventory *inv,
		 struct files *f, struct sb_rf_walk_stats *st)
{
	struct sb_rf_walk_opts o = { hw, fw, expand, 0 };
	json_t *root;

	memset(f, 0, sizeof(*f));
	f->expand_inline = inline_members;
	root = root_of(f, mockup);
	ck_assert_ptr_nonnull(root);
	sb_hw_inventory_init(inv);
	ck_assert_int_eq(sb_rf_walk(&o, root, fetch_files, f, inv, st), 0);
	json_decref(root);
}

/* ---- the tower: every class ------------------------------------------- */

START_TEST(tower_inventory)
{
	struct sb_hw_inventory inv;
	struct files f;
	struct sb_rf_walk_stats st;
	const struct sb_hw_component *c;

	walk("public-tower", true, false, false, false, &inv, &f, &st);
	ck_assert_uint_eq(count(&inv, SB_HW_CPU), 8);
	ck_assert_uint_eq(count(&inv, SB_HW_GPU), 2);
	/* 16 slots, 8 of them empty (Status.State Absent) */
	ck_assert_uint_eq(count(&inv, SB_HW_MEMORY), 8);
	/* 18 bays, 8 of them empty */
	ck_assert_uint_eq(count(&inv, SB_HW_DRIVE), 10);
	ck_assert_uint_eq(count(&inv, SB_HW_PSU), 2);	/* PowerSubsystem, not Power too */
	ck_assert_uint_eq(count(&inv, SB_HW_CHASSIS), 1);
	ck_assert_uint_eq(count(&inv, SB_HW_BMC), 1);
	/* 2 EthernetInterfaces + 1 NetworkAdapter */
	ck_assert_uint_eq(count(&inv, SB_HW_NIC), 3);
	ck_assert_str_eq(inv.vendor, "Contoso");
	ck_assert_str_eq(inv.product, "3500");
	ck_assert_str_eq(inv.chassis_serial, "437XR1238R2");
	ck_assert_str_eq(inv.system_guid, "38947555-7742-3448-3784-823347823834");

	c = by_path(&inv, "/redfish/v1/Systems/437XR1238R2/Processors/CPU1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->manufacturer, "Intel(R) Corporation");
	ck_assert_str_eq(c->model, "Intel(R) Xeon(R) Gold 5218 2.3GHz");
	ck_assert_str_eq(c->location, "CPU 1");
	ck_assert_uint_eq(c->cores, 16);
	ck_assert_uint_eq(c->speed, 2300);

	c = by_path(&inv, "/redfish/v1/Systems/437XR1238R2/Memory/DIMM1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->location, "Socket 1_A");
	ck_assert_uint_eq(c->capacity_bytes, 131072ull << 20);

	c = by_path(&inv, "/redfish/v1/Chassis/Tower/Drives/Disk-1-0");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->model, "SAS 18000");
	ck_assert_uint_eq(c->capacity_bytes, 20266198323167230ull);

	c = by_path(&inv, "/redfish/v1/Systems/437XR1238R2/EthernetInterfaces/Network1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->durable_id, "fb:aa:1d:4e:d0:7a");
	ck_assert_uint_eq(c->speed, 10000);

	c = by_path(&inv, "/redfish/v1/Chassis/Tower/NetworkAdapters/NIC1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->serial, "2M220100SL");
	ck_assert_str_eq(c->part_number, "232-4598D7");
	ck_assert_str_eq(c->location, "NIC Daughter Card");
	ck_assert_ptr_nonnull(strstr(c->durable_id, "00:0c:29:9a:98:ed"));

	c = by_path(&inv, "/redfish/v1/Chassis/Tower/PowerSubsystem/PowerSupplies/Bay1");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->serial, "1Z0000001");
	ck_assert_str_eq(c->part_number, "0000001A3A");
	ck_assert_str_eq(c->manufacturer, "Contoso Power");
	ck_assert_str_eq(c->location, "PSU 1");

	c = by_path(&inv, "/redfish/v1/Chassis/Tower");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->serial, "437XR1238R2");
	ck_assert_str_eq(c->part_number, "224071-J23");
	ck_assert_str_eq(c->model, "3500TX");

	/* the RAID controller, inline in its Storage resource */
	c = by_path(&inv, "/redfish/v1/Systems/437XR1238R2/Storage/RAIDIntegrated#/StorageControllers/0");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->cls, SB_HW_OTHER);
	ck_assert_str_eq(c->part_number, "88/476363");

	/* every fact: source redfish, a path below /redfish/v1, evidence
	 * that is the resource's JSON */
	for (size_t i = 0; i < inv.ncomponents; i++) {
		const struct sb_hw_component *x = &inv.components[i];
		const struct sb_hw_evidence *e;
		json_t *doc = NULL;

		ck_assert_str_eq(x->source, "redfish");
		ck_assert(sb_startswith(x->path, "/redfish/v1/"));
		ck_assert_int_ge(x->evidence, 0);
		ck_assert_int_lt(x->evidence, (int)inv.nevidence);
		e = &inv.evidence[x->evidence];
		ck_assert_str_eq(e->media_type, "application/json");
		ck_assert_int_eq(sb_json_parse(&doc, (const char *)e->data, e->len,
					       1 << 22, "evidence"), 0);
		json_decref(doc);
	}
	ck_assert_uint_eq(inv.nfirmware, 0);	/* hardware only */
	ck_assert_uint_eq(st.missing, 0);
	/* breadth-first: a handful of rounds, not one per resource */
	ck_assert_uint_le(st.rounds, 8);
	ck_assert_uint_gt(st.fetched, 60);
	sb_strv_release(&f.asked);
	sb_hw_inventory_release(&inv);
}
END_TEST

START_TEST(tower_firmware)
{
	struct sb_hw_inventory inv;
	struct files f;
	struct sb_rf_walk_stats st;
	bool bmc = false, bios = false;

	walk("public-tower", false, true, false, false, &inv, &f, &st);
	ck_assert_uint_eq(inv.ncomponents, 0);
	ck_assert_uint_eq(inv.nfirmware, 2);
	for (size_t i = 0; i < inv.nfirmware; i++) {
		const struct sb_hw_firmware *w = &inv.firmware[i];

		ck_assert_str_eq(w->source, "redfish");
		ck_assert_int_ge(w->evidence, 0);
		if (sb_streq(w->path, "/redfish/v1/UpdateService/FirmwareInventory/BMC")) {
			ck_assert_str_eq(w->version, "1.45.455b66-rev4");
			ck_assert_str_eq(w->name, "Contoso BMC Firmware");
			ck_assert_str_eq(w->component, "/redfish/v1/Managers/BMC");
			bmc = true;
		}
		if (sb_streq(w->path, "/redfish/v1/UpdateService/FirmwareInventory/BIOS"))
			bios = true;
	}
	ck_assert(bmc && bios);
	/* firmware only: the walk did not wander into the hardware */
	for (size_t i = 0; i < f.asked.n; i++)
		ck_assert(!strstr(f.asked.v[i], "Processors"));
	sb_strv_release(&f.asked);
	sb_hw_inventory_release(&inv);
}
END_TEST

/* $expand: the query goes on collections only, and members that come
 * back inline are used as they are, with the same result. */
START_TEST(tower_expand)
{
	struct sb_hw_inventory a, b;
	struct files fa, fb;
	struct sb_rf_walk_stats sa, sbs;
	bool queried = false;

	walk("public-tower", true, true, false, false, &a, &fa, &sa);
	walk("public-tower", true, true, true, true, &b, &fb, &sbs);
	ck_assert_uint_eq(a.ncomponents, b.ncomponents);
	ck_assert_uint_eq(a.nfirmware, b.nfirmware);
	for (size_t i = 0; i < fb.asked.n; i++) {
		if (strstr(fb.asked.v[i], "?$expand=.($levels=1)"))
			queried = true;
		ck_assert(!strstr(fb.asked.v[i], "DIMM"));	/* came inline */
	}
	ck_assert(queried);
	ck_assert_uint_lt(sbs.fetched, sa.fetched);
	for (size_t i = 0; i < b.ncomponents; i++)
		ck_assert_ptr_nonnull(by_path(&a, b.components[i].path));
	sb_strv_release(&fa.asked);
	sb_strv_release(&fb.asked);
	sb_hw_inventory_release(&a);
	sb_hw_inventory_release(&b);
}
END_TEST

/* An older, thinner tree: SimpleStorage instead of Storage/Drives. */
START_TEST(rackmount_simplestorage)
{
	struct sb_hw_inventory inv;
	struct files f;
	struct sb_rf_walk_stats st;

	walk("public-rackmount1", true, true, false, false, &inv, &f, &st);
	ck_assert_uint_ge(count(&inv, SB_HW_DRIVE), 1);
	/* CPU2's socket is empty; the FPGA is no CPU */
	ck_assert_uint_eq(count(&inv, SB_HW_CPU), 1);
	ck_assert_uint_ge(count(&inv, SB_HW_OTHER), 1);
	ck_assert_uint_ge(count(&inv, SB_HW_MEMORY), 1);
	ck_assert_uint_ge(count(&inv, SB_HW_PSU), 1);
	ck_assert_uint_eq(inv.nfirmware, 3);	/* the collection lists 3 of 4 */
	ck_assert_ptr_nonnull(inv.chassis_serial);
	for (size_t i = 0; i < inv.ncomponents; i++)
		if (inv.components[i].cls == SB_HW_DRIVE)
			ck_assert(strstr(inv.components[i].path, "SimpleStorage/1#/Devices/"));
	sb_strv_release(&f.asked);
	sb_hw_inventory_release(&inv);
}
END_TEST

/* Many systems behind one root. */
START_TEST(bladed_many_systems)
{
	struct sb_hw_inventory inv;
	struct files f;
	struct sb_rf_walk_stats st;

	walk("public-bladed", true, false, false, false, &inv, &f, &st);
	ck_assert_uint_eq(count(&inv, SB_HW_CPU), 4);
	ck_assert_uint_ge(count(&inv, SB_HW_CHASSIS), 5);
	ck_assert_uint_ge(count(&inv, SB_HW_BMC), 5);
	sb_strv_release(&f.asked);
	sb_hw_inventory_release(&inv);
}
END_TEST

/* ---- hostile and thin documents ---------------------------------------- */

struct mem {
	json_t *docs;		/* path -> document */
	struct sb_strv asked;
};

static int fetch_mem(void *ctx, const char *const *paths, size_t n,
		     struct sb_rf_doc *out)
{
	struct mem *m = ctx;

	for (size_t i = 0; i < n; i++) {
		json_t *d = json_object_get(m->docs, paths[i]);

		ck_assert_int_eq(sb_strv_push(&m->asked, paths[i]), 0);
		out[i].doc = d ? json_incref(d) : NULL;
		out[i].raw = d ? json_dumps(d, 0) : NULL;
		out[i].len = out[i].raw ? strlen(out[i].raw) : 0;
	}
	return 0;
}

START_TEST(hostile_links)
{
	const char *docs =
		"{\"/redfish/v1/Systems\": {\"Members\": ["
		"  {\"@odata.id\": \"/redfish/v1/Systems\"},"
		"  {\"@odata.id\": \"http://evil.example/redfish/v1/x\"},"
		"  {\"@odata.id\": \"/redfish/v1/../../etc/passwd\"},"
		"  {\"@odata.id\": \"/etc/passwd\"},"
		"  {\"@odata.id\": \"/redfish/v1x/Systems\"},"
		"  {\"@odata.id\": 42},"
		"  {\"@odata.id\": \"/redfish/v1/Systems/1\"}],"
		"  \"Members@odata.nextLink\": \"/redfish/v1/Systems\"},"
		" \"/redfish/v1/Systems/1\": {\"Processors\": {\"@odata.id\": \"/redfish/v1/Systems/1/P\"},"
		"  \"Memory\": \"not an object\", \"Storage\": {\"@odata.id\": 7}},"
		" \"/redfish/v1/Systems/1/P\": {\"Members\": [{\"@odata.id\": \"/redfish/v1/Systems/1/P/0\"},"
		"   {\"@odata.id\": \"/redfish/v1/Systems/1/P/1\"}]},"
		" \"/redfish/v1/Systems/1/P/0\": {\"Model\": 5, \"TotalCores\": -3, \"MaxSpeedMHz\": 1e99,"
		"   \"SerialNumber\": \"S\\u0001N\\n\", \"Status\": {\"State\": \"Enabled\"}},"
		" \"/redfish/v1/Systems/1/P/1\": {\"Status\": {\"State\": \"Absent\"}}}";
	struct mem m = { NULL, { NULL, 0, 0 } };
	json_t *root = json_pack("{s:{s:s}, s:{s:s}, s:[]}",
				 "Systems", "@odata.id", "/redfish/v1/Systems",
				 "Chassis", "@odata.id", "https://other/redfish/v1/Chassis",
				 "Managers");
	struct sb_rf_walk_opts o = { true, true, false, 0 };
	struct sb_hw_inventory inv;
	json_error_t jerr;

	m.docs = json_loads(docs, 0, &jerr);
	ck_assert_ptr_nonnull(m.docs);
	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_rf_walk(&o, root, fetch_mem, &m, &inv, NULL), 0);
	for (size_t i = 0; i < m.asked.n; i++) {
		ck_assert(sb_startswith(m.asked.v[i], "/redfish/v1/"));
		ck_assert(!strstr(m.asked.v[i], ".."));
	}
	/* each path once, even when linked from itself */
	ck_assert_uint_eq(m.asked.n, 5);
	ck_assert_uint_eq(inv.ncomponents, 1);	/* the absent CPU is skipped */
	ck_assert_ptr_null(inv.components[0].model);
	ck_assert_uint_eq(inv.components[0].cores, 0);
	ck_assert_str_eq(inv.components[0].serial, "S N");
	sb_hw_inventory_release(&inv);
	sb_strv_release(&m.asked);
	json_decref(m.docs);
	json_decref(root);
}
END_TEST

START_TEST(path_rules)
{
	ck_assert(sb_rf_path_ok("/redfish/v1"));
	ck_assert(sb_rf_path_ok("/redfish/v1/"));
	ck_assert(sb_rf_path_ok("/redfish/v1/Systems?$skip=10"));
	ck_assert(!sb_rf_path_ok("/redfish/v10/Systems"));
	ck_assert(!sb_rf_path_ok("/redfish/v1/a/../b"));
	ck_assert(!sb_rf_path_ok("/redfish/v1//x"));
	ck_assert(!sb_rf_path_ok("/redfish/v1/a b"));
	ck_assert(!sb_rf_path_ok("https://h/redfish/v1/"));
	ck_assert(!sb_rf_path_ok(NULL));
}
END_TEST

/* A service root with nothing but a version: no crash, nothing found,
 * and the firmware falls back to nothing. */
START_TEST(thin_root)
{
	struct mem m = { json_object(), { NULL, 0, 0 } };
	json_t *root = json_pack("{s:s}", "RedfishVersion", "1.0.0");
	struct sb_rf_walk_opts o = { true, true, true, 0 };
	struct sb_hw_inventory inv;

	sb_hw_inventory_init(&inv);
	ck_assert_int_eq(sb_rf_walk(&o, root, fetch_mem, &m, &inv, NULL), 0);
	ck_assert_uint_eq(inv.ncomponents + inv.nfirmware, 0);
	ck_assert_int_ne(sb_rf_walk(&o, json_null(), fetch_mem, &m, &inv, NULL), 0);
	sb_hw_inventory_release(&inv);
	sb_strv_release(&m.asked);
	json_decref(m.docs);
	json_decref(root);
}
END_TEST

/* ---- reset types, power states, boot override, errors ------------------- */

START_TEST(reset_types)
{
	json_t *all = json_pack("[s,s,s,s,s,s]", "On", "ForceOff", "GracefulShutdown",
				"ForceRestart", "PowerCycle", "Nmi");
	json_t *thin = json_pack("[s,s]", "On", "ForceOff");
	json_t *odd = json_pack("[s,s]", "ForceOn", "PushPowerButton");

	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_ON, all), "On");
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_OFF, all), "ForceOff");
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_CYCLE, all), "PowerCycle");
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_RESET, all), "ForceRestart");
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_SOFT, all), "GracefulShutdown");
	/* no PowerCycle: the driver does ForceOff then On */
	ck_assert_ptr_null(sb_rf_reset_type(SB_POWER_ACT_CYCLE, thin));
	ck_assert(sb_rf_reset_allowed(thin, "ForceOff") && sb_rf_reset_allowed(thin, "On"));
	ck_assert_ptr_null(sb_rf_reset_type(SB_POWER_ACT_SOFT, thin));
	ck_assert_ptr_null(sb_rf_reset_type(SB_POWER_ACT_RESET, thin));
	/* PushPowerButton toggles: never a stand-in for off */
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_ON, odd), "ForceOn");
	ck_assert_ptr_null(sb_rf_reset_type(SB_POWER_ACT_OFF, odd));
	/* the BMC does not say: the standard value */
	ck_assert_str_eq(sb_rf_reset_type(SB_POWER_ACT_OFF, NULL), "ForceOff");
	json_decref(all);
	json_decref(thin);
	json_decref(odd);

	ck_assert_int_eq(sb_rf_power_state("On"), SB_POWER_ON);
	ck_assert_int_eq(sb_rf_power_state("Off"), SB_POWER_OFF);
	ck_assert_int_eq(sb_rf_power_state("PoweringOn"), SB_POWER_UNKNOWN);
	ck_assert_int_eq(sb_rf_power_state(NULL), SB_POWER_UNKNOWN);
}
END_TEST

START_TEST(boot_mapping)
{
	struct sb_boot bt;
	json_t *b1 = json_pack("{s:s, s:s, s:s}", "BootSourceOverrideEnabled", "Once",
			       "BootSourceOverrideTarget", "Pxe",
			       "BootSourceOverrideMode", "Legacy");
	json_t *b2 = json_pack("{s:s, s:s}", "BootSourceOverrideEnabled", "Continuous",
			       "BootSourceOverrideTarget", "Cd");
	json_t *b3 = json_pack("{s:s, s:s}", "BootSourceOverrideEnabled", "Disabled",
			       "BootSourceOverrideTarget", "Hdd");
	json_t *b4 = json_pack("{s:s, s:s}", "BootSourceOverrideEnabled", "Once",
			       "BootSourceOverrideTarget", "Usb");

	ck_assert_int_eq(sb_rf_boot_parse(&bt, b1), 0);
	ck_assert_int_eq(bt.device, SB_BOOT_PXE);
	ck_assert(!bt.persistent && !bt.uefi);
	ck_assert_int_eq(sb_rf_boot_parse(&bt, b2), 0);
	ck_assert_int_eq(bt.device, SB_BOOT_CD);
	ck_assert(bt.persistent && bt.uefi);	/* no mode property: UEFI */
	ck_assert_int_eq(sb_rf_boot_parse(&bt, b3), 0);
	ck_assert_int_eq(bt.device, SB_BOOT_NONE);
	ck_assert_int_eq(sb_rf_boot_parse(&bt, b4), SB_EPROTO);
	ck_assert_int_eq(sb_rf_boot_parse(&bt, NULL), SB_EUNSUPPORTED);
	ck_assert_str_eq(sb_rf_boot_target(SB_BOOT_DISK), "Hdd");
	ck_assert_str_eq(sb_rf_boot_target(SB_BOOT_BIOS), "BiosSetup");
	json_decref(b1);
	json_decref(b2);
	json_decref(b3);
	json_decref(b4);
}
END_TEST

START_TEST(error_bodies)
{
	json_t *e = json_loads("{\"error\": {\"code\": \"Base.1.8.GeneralError\","
			       " \"message\": \"general\", \"@Message.ExtendedInfo\": ["
			       " {\"MessageId\": \"iLO.2.14.UnableToModifyDuringSystemPOST\","
			       "  \"Message\": \"busy in POST\"}]}}", 0, NULL);
	json_t *g = json_loads("{\"error\": {\"code\": \"X\", \"message\": \"plain\"}}", 0, NULL);

	ck_assert_str_eq(sb_rf_error_text(e), "busy in POST");
	ck_assert_ptr_nonnull(strstr(sb_rf_error_id(e), "UnableToModifyDuringSystemPOST"));
	ck_assert_str_eq(sb_rf_error_text(g), "plain");
	ck_assert_str_eq(sb_rf_error_id(g), "X");
	ck_assert_ptr_null(sb_rf_error_text(NULL));
	json_decref(e);
	json_decref(g);
}
END_TEST

/* ---- the quirk table ------------------------------------------------------ */

START_TEST(quirks)
{
	json_t *smc = json_pack("{s:s}", "Vendor", "Supermicro");
	json_t *hpe = json_pack("{s:{s:{}}}", "Oem", "Hpe");
	json_t *plain = json_pack("{s:s}", "RedfishVersion", "1.15.0");
	const struct sb_rf_quirks *q;

	q = sb_rf_quirks_detect(smc);
	ck_assert_str_eq(q->name, "supermicro");
	ck_assert(q->media_image_only);
	ck_assert(sb_rf_list_has(q->media_cd_ids, "usbcd"));
	q = sb_rf_quirks_detect(hpe);
	ck_assert_str_eq(q->name, "hpe-ilo");
	ck_assert_str_eq(q->eject_body, "{}");
	ck_assert_ptr_nonnull(q->busy_message);
	ck_assert_uint_gt(q->busy_retries, 0);
	ck_assert_str_eq(sb_rf_quirks_detect(plain)->name, "generic");
	ck_assert_str_eq(sb_rf_quirks_detect(NULL)->name, "generic");
	ck_assert_int_eq(sb_rf_quirks_by_name(&q, "dell-idrac"), 0);
	ck_assert_str_eq(q->name, "dell-idrac");
	ck_assert_int_eq(sb_rf_quirks_by_name(&q, "supermicr"), SB_EINPUT);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "supermicro"));
	/* every row has a name and an eject body; names are unique */
	for (size_t i = 0; i < sb_rf_quirk_count; i++) {
		ck_assert_ptr_nonnull(sb_rf_quirk_table[i].name);
		ck_assert_ptr_nonnull(sb_rf_quirk_table[i].eject_body);
		for (size_t k = 0; k < i; k++)
			ck_assert_str_ne(sb_rf_quirk_table[i].name, sb_rf_quirk_table[k].name);
	}
	json_decref(smc);
	json_decref(hpe);
	json_decref(plain);
}
END_TEST

START_TEST(expand_advertised)
{
	struct files f;
	json_t *root;
	json_t *none = json_pack("{s:s}", "RedfishVersion", "1.0.0");

	memset(&f, 0, sizeof(f));
	root = root_of(&f, "public-tower");
	ck_assert(sb_rf_root_can_expand(root));
	ck_assert(!sb_rf_root_can_expand(none));
	json_decref(root);
	json_decref(none);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("redfish");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, tower_inventory);
	tcase_add_test(tc, tower_firmware);
	tcase_add_test(tc, tower_expand);
	tcase_add_test(tc, rackmount_simplestorage);
	tcase_add_test(tc, bladed_many_systems);
	tcase_add_test(tc, hostile_links);
	tcase_add_test(tc, path_rules);
	tcase_add_test(tc, thin_root);
	tcase_add_test(tc, reset_types);
	tcase_add_test(tc, boot_mapping);
	tcase_add_test(tc, error_bodies);
	tcase_add_test(tc, quirks);
	tcase_add_test(tc, expand_advertised);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
