/* Unit tests for inventory/: hashing, Merkle trees against the RFC 6962
 * test vectors, the ledger chain, verify's diagnosis, checkpoints,
 * serial normalisation. */
#include "common/error.h"
#include "common/str.h"
#include "inventory/inv_priv.h"	/* SB_INV_PK_SELECT */
#include "inventory/inventory.h"
#include "testutil.h"
#include "invtest.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *const ct_leaves_hex[] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};
static const char *const ct_roots[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

static unsigned char ct[8][32];

static void ct_setup(void)
{
	for (int i = 0; i < 8; i++) {
		unsigned char buf[16];
		size_t n = strlen(ct_leaves_hex[i]) / 2;
		ck_assert_int_eq(sb_unhex(buf, n, ct_leaves_hex[i]), 0);
		sb_merkle_leaf(ct[i], buf, n);
	}
}

static void hexeq(const unsigned char h[32], const char *want)
{
	char got[65];

	sb_hex(got, h, 32);
	ck_assert_str_eq(got, want);
}

START_TEST(merkle_roots_rfc6962)
{
	unsigned char r[32];
	struct sb_merkle_acc a;

	ct_setup();
	for (size_t n = 0; n <= 8; n++) {
		sb_merkle_root(r, (const unsigned char (*)[32])ct, n);
		hexeq(r, ct_roots[n]);
	}
	sb_merkle_acc_init(&a);
	sb_merkle_acc_root(&a, r);
	hexeq(r, ct_roots[0]);
	for (size_t n = 0; n < 8; n++) {
		sb_merkle_acc_push(&a, ct[n]);
		sb_merkle_acc_root(&a, r);
		hexeq(r, ct_roots[n + 1]);
	}
}
END_TEST

START_TEST(merkle_inclusion_rfc6962)
{
	static const char *const p0[] = {
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	};
	static const char *const p5[] = {
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	};
	unsigned char (*p)[32], root[32];
	size_t n;

	ct_setup();
	sb_unhex(root, 32, ct_roots[8]);
	ck_assert_int_eq(sb_merkle_inclusion(&p, &n, (const unsigned char (*)[32])ct, 8, 0), 0);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++)
		hexeq(p[i], p0[i]);
	ck_assert(sb_merkle_inclusion_check(ct[0], 0, 8, (const unsigned char (*)[32])p, n, root));
	ck_assert(!sb_merkle_inclusion_check(ct[1], 0, 8, (const unsigned char (*)[32])p, n, root));
	free(p);
	ck_assert_int_eq(sb_merkle_inclusion(&p, &n, (const unsigned char (*)[32])ct, 8, 5), 0);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < 3; i++)
		hexeq(p[i], p5[i]);
	ck_assert(sb_merkle_inclusion_check(ct[5], 5, 8, (const unsigned char (*)[32])p, n, root));
	ck_assert(!sb_merkle_inclusion_check(ct[5], 4, 8, (const unsigned char (*)[32])p, n, root));
	free(p);
	ck_assert_int_eq(sb_merkle_inclusion(&p, &n, (const unsigned char (*)[32])ct, 8, 8),
			 SB_EINPUT);
}
END_TEST

START_TEST(merkle_consistency_rfc6962)
{
	static const char *const c28[] = {
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	};
	static const char *const c25[] = {
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	};
	unsigned char (*p)[32], r2[32], r5[32], r8[32];
	size_t n;

	ct_setup();
	sb_unhex(r2, 32, ct_roots[2]);
	sb_unhex(r5, 32, ct_roots[5]);
	sb_unhex(r8, 32, ct_roots[8]);
	ck_assert_int_eq(sb_merkle_consistency(&p, &n, (const unsigned char (*)[32])ct, 8, 2), 0);
	ck_assert_uint_eq(n, 2);
	hexeq(p[0], c28[0]);
	hexeq(p[1], c28[1]);
	ck_assert(sb_merkle_consistency_check(2, 8, r2, r8, (const unsigned char (*)[32])p, n));
	ck_assert(!sb_merkle_consistency_check(2, 8, r5, r8, (const unsigned char (*)[32])p, n));
	free(p);
	ck_assert_int_eq(sb_merkle_consistency(&p, &n, (const unsigned char (*)[32])ct, 5, 2), 0);
	ck_assert_uint_eq(n, 2);
	hexeq(p[0], c25[0]);
	hexeq(p[1], c25[1]);
	ck_assert(sb_merkle_consistency_check(2, 5, r2, r5, (const unsigned char (*)[32])p, n));
	free(p);
}
END_TEST

/* Every proof in every tree up to 40 leaves verifies, and a flipped bit
 * or a wrong index does not. */
START_TEST(merkle_all_proofs)
{
	unsigned char lv[40][32], roots[41][32];

	for (int i = 0; i < 40; i++) {
		unsigned char b[2] = { (unsigned char)i, (unsigned char)(i * 7) };
		sb_merkle_leaf(lv[i], b, 2);
	}
	for (size_t n = 0; n <= 40; n++)
		sb_merkle_root(roots[n], (const unsigned char (*)[32])lv, n);
	for (size_t n = 1; n <= 40; n++) {
		for (size_t m = 0; m < n; m++) {
			unsigned char (*p)[32];
			size_t len;
			ck_assert_int_eq(sb_merkle_inclusion(&p, &len, (const unsigned char (*)[32])lv, n, m), 0);
			ck_assert(sb_merkle_inclusion_check(lv[m], m, n, (const unsigned char (*)[32])p, len, roots[n]));
			if (len) {
				p[len - 1][3] ^= 1;
				ck_assert(!sb_merkle_inclusion_check(lv[m], m, n, (const unsigned char (*)[32])p, len, roots[n]));
				ck_assert(!sb_merkle_inclusion_check(lv[m], m, n, (const unsigned char (*)[32])p, len - 1, roots[n]));
			}
			free(p);
		}
		for (size_t m = 1; m <= n; m++) {
			unsigned char (*p)[32];
			size_t len;
			ck_assert_int_eq(sb_merkle_consistency(&p, &len, (const unsigned char (*)[32])lv, n, m), 0);
			ck_assert(sb_merkle_consistency_check(m, n, roots[m], roots[n], (const unsigned char (*)[32])p, len));
			if (m < n) {
				ck_assert(!sb_merkle_consistency_check(m, n, roots[m - 1], roots[n], (const unsigned char (*)[32])p, len));
				p[0][0] ^= 0x80;
				ck_assert(!sb_merkle_consistency_check(m, n, roots[m], roots[n], (const unsigned char (*)[32])p, len));
			}
			free(p);
		}
	}
}
END_TEST

START_TEST(sha256_known)
{
	char hex[65];

	sb_sha256_hex(hex, "abc", 3);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(serials)
{
	char out[128];

	ck_assert(sb_inv_serial_norm(out, sizeof(out), "  ab12 cd34\t"));
	ck_assert_str_eq(out, "AB12CD34");
	ck_assert(sb_inv_serial_norm(out, sizeof(out), "0x1a2b3c4d"));
	ck_assert_str_eq(out, "1A2B3C4D");
	ck_assert(sb_inv_serial_norm(out, sizeof(out), "SN-0042.."));
	ck_assert_str_eq(out, "SN-0042");
	ck_assert(sb_inv_serial_norm(out, sizeof(out), "00420"));
	ck_assert_str_eq(out, "00420");
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "To be filled by O.E.M."));
	ck_assert_str_eq(out, "");
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "Default string"));
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "0123456789"));
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "00000000"));
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "   "));
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), NULL));
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "FFFFFFFF"));
	ck_assert(sb_inv_serial_norm(out, sizeof(out), "ACME-TEMP"));
	ck_assert_int_eq(sb_inv_placeholder_add("acme-temp"), 0);
	ck_assert(!sb_inv_serial_norm(out, sizeof(out), "ACME-TEMP "));
	ck_assert(sb_inv_serial_is_placeholder("not specified"));

	ck_assert(sb_inv_durable_norm(out, sizeof(out), "52:54:00:AB:cd:01"));
	ck_assert_str_eq(out, "525400abcd01");
	ck_assert(sb_inv_durable_norm(out, sizeof(out), "naa.5000C500A1B2C3D4"));
	ck_assert_str_eq(out, "5000c500a1b2c3d4");
	ck_assert(sb_inv_durable_norm(out, sizeof(out), "0x5000c500a1b2c3d4"));
	ck_assert_str_eq(out, "5000c500a1b2c3d4");
	ck_assert(!sb_inv_durable_norm(out, sizeof(out), "00:00:00:00:00:00"));
	ck_assert(!sb_inv_durable_norm(out, sizeof(out), "ff:ff:ff:ff:ff:ff"));
}
END_TEST

START_TEST(open_creates_private_file)
{
	struct sb_inv *db;
	const char *path = tmpdb();
	struct stat st;

	ck_assert_int_eq(sb_inv_open(&db, path, 0), 0);
	ck_assert_int_eq(sb_inv_schema_version(db),
			 sb_inv_migrations[sb_inv_nmigrations - 1].version);
	sb_inv_close(db);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* read-only reopen works and sees the same version */
	ck_assert_int_eq(sb_inv_open(&db, path, SB_INV_READONLY), 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(open_damaged_file)
{
	struct sb_inv *db;
	const char *path = tmpdb();
	FILE *f = fopen(path, "w");

	fputs("this is not a database, just text that is long enough\n", f);
	fclose(f);
	ck_assert_int_eq(sb_inv_open(&db, path, 0), SB_ETAMPER);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "damaged"));
	rmdb();
}
END_TEST

START_TEST(open_newer_schema)
{
	struct sb_inv *db;
	const char *path = tmpdb();

	ck_assert_int_eq(sb_inv_open(&db, path, 0), 0);
	sql(db, "PRAGMA user_version = 9999");
	sb_inv_close(db);
	ck_assert_int_eq(sb_inv_open(&db, path, 0), SB_EUNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "newer"));
	rmdb();
}
END_TEST

START_TEST(ledger_verifies)
{
	struct sb_inv *db = filled(50);
	struct sb_inv_verify v;

	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_int_eq(v.problem, SB_INV_OK);
	ck_assert_int_eq(v.events, 50);
	/* appends outside a transaction commit themselves */
	ck_assert_int_eq(sb_inv_ledger_append(db, "me", "one.more", json_true()), 0);
	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_int_eq(v.problem, SB_INV_OK);
	ck_assert_int_eq(v.events, 51);
	/* bad names are refused */
	ck_assert_int_eq(sb_inv_ledger_append(db, "", "x", json_true()), SB_EINPUT);
	ck_assert_int_eq(sb_inv_ledger_append(db, "me", "a\nb", json_true()), SB_EINPUT);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(ledger_guards)
{
	struct sb_inv *db = filled(3);
	char *err = NULL;

	ck_assert_int_ne(sqlite3_exec(sb_inv_sqlite(db), "UPDATE ledger SET actor = 'x'",
				      NULL, NULL, &err), SQLITE_OK);
	ck_assert_ptr_nonnull(strstr(err, "append-only"));
	sqlite3_free(err);
	ck_assert_int_ne(sqlite3_exec(sb_inv_sqlite(db), "DELETE FROM ledger WHERE seq = 2",
				      NULL, NULL, NULL), SQLITE_OK);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_changed_payload)
{
	struct sb_inv *db = filled(20);

	sql(db, UNGUARD "UPDATE ledger SET payload = '{\"n\":7,\"what\":\"forged\"}' WHERE seq = 7");
	expect_problem(db, SB_INV_CHANGED, 7);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_changed_actor)
{
	struct sb_inv *db = filled(20);

	sql(db, UNGUARD "UPDATE ledger SET actor = 'operator:mallory' WHERE seq = 12");
	expect_problem(db, SB_INV_CHANGED, 12);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_deleted)
{
	struct sb_inv *db = filled(20);

	sql(db, UNGUARD "DELETE FROM ledger WHERE seq = 9");
	expect_problem(db, SB_INV_DELETED, 9);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_deleted_renumbered)
{
	struct sb_inv *db = filled(20);

	sql(db, UNGUARD "DELETE FROM ledger WHERE seq = 9;"
	    "UPDATE ledger SET seq = seq - 1 WHERE seq > 9");
	expect_problem(db, SB_INV_DELETED, 9);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_inserted)
{
	struct sb_inv *db = filled(20);

	/* make room after event 5 and copy event 3 in as a new event 6 */
	sql(db, UNGUARD "UPDATE ledger SET seq = seq + 1000 WHERE seq > 5;"
	    "UPDATE ledger SET seq = seq - 999 WHERE seq > 1000;"
	    "INSERT INTO ledger SELECT 6, time, actor, kind, payload, payload_sha256, "
	    "prev, hash FROM ledger WHERE seq = 3");
	expect_problem(db, SB_INV_INSERTED, 6);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_reordered)
{
	struct sb_inv *db = filled(20);

	sql(db, UNGUARD "UPDATE ledger SET seq = -1 WHERE seq = 10;"
	    "UPDATE ledger SET seq = 10 WHERE seq = 11;"
	    "UPDATE ledger SET seq = 11 WHERE seq = -1");
	expect_problem(db, SB_INV_REORDERED, 10);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(tamper_guard_dropped)
{
	struct sb_inv *db = filled(5);

	sql(db, UNGUARD);
	expect_problem(db, SB_INV_GUARD, 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(checkpoints)
{
	struct sb_inv *db = filled(10);
	struct sb_inv_checkpoint c1, c2;
	struct sb_inv_verify v;
	char key[300];
	struct stat st;
	json_t *proof;

	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c1), 0);
	ck_assert_int_eq(c1.tree_size, 10);
	ck_assert_ptr_nonnull(strstr(c1.note, "siteboot/inventory\n10\n"));
	snprintf(key, sizeof(key), "%s/ledger.key", dir);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	for (int i = 0; i < 7; i++) {
		json_t *j = json_integer(i);
		ck_assert_int_eq(sb_inv_ledger_append(db, "me", "more", j), 0);
		json_decref(j);
	}
	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c2), 0);
	ck_assert_int_eq(c2.tree_size, 17);
	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_int_eq(v.problem, SB_INV_OK);
	ck_assert_int_eq(v.checkpoints, 2);

	/* an inclusion proof against the latest checkpoint verifies */
	ck_assert_int_eq(sb_inv_prove_inclusion(&proof, db, 4, 0), 0);
	{
		json_t *path = json_object_get(proof, "path");
		unsigned char (*p)[32] = calloc(json_array_size(path) + 1, 32);
		unsigned char leaf[32];
		for (size_t i = 0; i < json_array_size(path); i++)
			sb_unhex(p[i], 32, json_string_value(json_array_get(path, i)));
		sb_unhex(leaf, 32, json_string_value(json_object_get(proof, "leaf_hash")));
		ck_assert(sb_merkle_inclusion_check(leaf, 3, 17, (const unsigned char (*)[32])p,
						    json_array_size(path), c2.root));
		free(p);
	}
	json_decref(proof);
	/* and the second checkpoint extends the first */
	ck_assert_int_eq(sb_inv_prove_consistency(&proof, db, 10, 0), 0);
	{
		json_t *path = json_object_get(proof, "path");
		unsigned char (*p)[32] = calloc(json_array_size(path) + 1, 32);
		for (size_t i = 0; i < json_array_size(path); i++)
			sb_unhex(p[i], 32, json_string_value(json_array_get(path, i)));
		ck_assert(sb_merkle_consistency_check(10, 17, c1.root, c2.root,
						      (const unsigned char (*)[32])p,
						      json_array_size(path)));
		free(p);
	}
	json_decref(proof);

	/* deleting the tail is found through the checkpoint */
	sql(db, UNGUARD "DELETE FROM ledger WHERE seq >= 16");
	expect_problem(db, SB_INV_DELETED, 16);
	/* and no checkpoint is signed over a ledger that does not verify */
	sb_inv_checkpoint_release(&c1);
	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c1), SB_ETAMPER);
	sb_inv_checkpoint_release(&c2);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(checkpoint_forged)
{
	struct sb_inv *db = filled(5);
	struct sb_inv_checkpoint c;

	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c), 0);
	sb_inv_checkpoint_release(&c);
	sql(db, "DROP TRIGGER checkpoints_no_update;"
	    "UPDATE checkpoints SET note = replace(note, '\n5\n', '\n4\n')");
	expect_problem(db, SB_INV_CHECKPOINT, 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(key_must_be_private)
{
	struct sb_inv *db = filled(2);
	struct sb_inv_checkpoint c;
	char key[300];

	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c), 0);
	sb_inv_checkpoint_release(&c);
	snprintf(key, sizeof(key), "%s/ledger.key", dir);
	ck_assert_int_eq(chmod(key, 0644), 0);
	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c), SB_ESECURITY);
	ck_assert_ptr_nonnull(strstr(sb_error_message(), "chmod"));
	sb_inv_close(db);
	rmdb();
}
END_TEST


/* ---- recording ------------------------------------------------------------ */

static struct sb_hw_component *comp(struct sb_hw_inventory *hw, enum sb_hw_class cls,
				    const char *pn, const char *serial, const char *slot)
{
	struct sb_hw_component *c = sb_hw_add_component(hw, cls, "redfish", "/redfish/v1/x");

	ck_assert_ptr_nonnull(c);
	if (pn) {
		sb_hw_set(&c->part_number, pn, strlen(pn));
		sb_hw_set(&c->model, pn, strlen(pn));
	}
	if (serial)
		sb_hw_set(&c->serial, serial, strlen(serial));
	if (slot)
		sb_hw_set(&c->location, slot, strlen(slot));
	c->evidence = 0;
	return c;
}

/* A node as a BMC would report it: chassis, 2 DIMMs, 1 drive, BIOS. */
static void node_hw(struct sb_hw_inventory *hw, const char *target, const char *chassis,
		    const char *d1, const char *d2, const char *bios)
{
	static const char body[] = "{\"SerialNumber\": \"x\"}";

	sb_hw_inventory_init(hw);
	hw->target = sb_strdup(target);
	hw->protocol = sb_strdup("redfish");
	hw->chassis_serial = sb_strdup(chassis);
	ck_assert_int_eq(sb_hw_add_evidence(hw, "/redfish/v1/Systems/1", "application/json",
					    body, sizeof(body) - 1), 0);
	comp(hw, SB_HW_CHASSIS, "CH-1", chassis, "Chassis");
	if (d1)
		comp(hw, SB_HW_MEMORY, "MEM-32", d1, "DIMM_A1")->capacity_bytes = 32ull << 30;
	if (d2)
		comp(hw, SB_HW_MEMORY, "MEM-32", d2, "DIMM_B1")->capacity_bytes = 32ull << 30;
	comp(hw, SB_HW_DRIVE, "SSD-1", NULL, "Bay0")->durable_id = sb_strdup("naa.5000c500aa000001");
	ck_assert_ptr_nonnull(sb_hw_add_firmware(hw, "BIOS", bios, "redfish", NULL));
}

static void record(struct sb_inv *db, struct sb_hw_inventory *hw, const char *node,
		   struct sb_inv_record_stats *st)
{
	struct sb_inv_ctx ctx = { .operator_name = "test", .site = "s1", .node = node };

	ck_assert_msg(sb_inv_record(db, hw, &ctx, st) == 0, "%s", sb_error_message());
	sb_hw_inventory_release(hw);
}

static int64_t count(struct sb_inv *db, const char *q)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	ck_assert_int_eq(sqlite3_prepare_v2(sb_inv_sqlite(db), q, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

START_TEST(record_basics)
{
	struct sb_inv *db;
	struct sb_hw_inventory hw;
	struct sb_inv_record_stats st;
	struct sb_inv_verify v;
	json_t *h;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	node_hw(&hw, "redfish://admin:secret@127.0.0.1:8443", "CH-0001", "D-1", "D-2", "1.0");
	record(db, &hw, "n1", &st);
	ck_assert(!st.skipped);
	ck_assert_uint_eq(st.components, 4);
	ck_assert_uint_eq(st.new_components, 4);
	ck_assert_uint_eq(st.evidence_new, 1);
	/* the same report again is a no-op */
	node_hw(&hw, "redfish://admin:secret@127.0.0.1:8443", "CH-0001", "D-1", "D-2", "1.0");
	record(db, &hw, "n1", &st);
	ck_assert(st.skipped);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM reports"), 1);
	/* no credentials in the database */
	ck_assert_int_eq(count(db, "SELECT count(*) FROM reports WHERE target LIKE '%secret%' "
			       "OR target LIKE '%admin@%'"), 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM ledger WHERE payload LIKE '%secret%'"), 0);
	/* evidence is content-addressed and comes back intact */
	{
		unsigned char *data;
		size_t len;
		char *mt, hex[65];
		sb_sha256_hex(hex, "{\"SerialNumber\": \"x\"}", 21);
		ck_assert_int_eq(sb_inv_evidence_get(db, hex, &data, &len, &mt), 0);
		ck_assert_uint_eq(len, 21);
		ck_assert_str_eq(mt, "application/json");
		free(data);
		free(mt);
	}
	/* history by serial, raw or normalised, and by WWN */
	ck_assert_int_eq(sb_inv_history(&h, db, " d-1 "), 0);
	ck_assert_uint_eq(json_array_size(h), 1);
	ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(h, 0), "observations")), 1);
	ck_assert_uint_ge(json_array_size(json_object_get(json_array_get(h, 0), "events")), 2);
	json_decref(h);
	ck_assert_int_eq(sb_inv_history(&h, db, "5000C500AA000001"), 0);
	json_decref(h);
	ck_assert_int_eq(sb_inv_history(&h, db, "NOPE"), SB_ENOTFOUND);
	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_int_eq(v.problem, SB_INV_OK);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(record_moves_and_firmware)
{
	struct sb_inv *db;
	struct sb_hw_inventory hw;
	struct sb_inv_record_stats st;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", "D-1", "D-2", "1.0");
	record(db, &hw, "n1", &st);
	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", "D-3", NULL, "1.0");
	record(db, &hw, "n2", &st);
	/* D-2 moves from n1 to n2: one component, two placements */
	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", "D-3", "D-2", "1.1");
	record(db, &hw, "n2", &st);
	ck_assert_uint_eq(st.firmware_changed, 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM components WHERE serial = 'D-2'"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM placements p JOIN components c ON "
			       "c.id = p.component_id WHERE c.serial = 'D-2'"), 2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM placements p JOIN components c ON "
			       "c.id = p.component_id WHERE c.serial = 'D-2' AND valid_to IS NULL "
			       "AND node = 'n2'"), 1);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM ledger WHERE kind = 'firmware.changed'"), 1);
	/* n1 seen again without D-2: nothing left open there for it */
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", "D-1", NULL, "1.0");
	record(db, &hw, "n1", &st);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM placements WHERE node = 'n1' AND "
			       "valid_to IS NULL AND slot = 'DIMM_B1'"), 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(record_placeholder_serials)
{
	struct sb_inv *db;
	struct sb_hw_inventory hw;
	struct sb_inv_record_stats st;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	/* two boards with the same placeholder serial are two boards */
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", NULL, NULL, "1");
	comp(&hw, SB_HW_BOARD, "MB-1", "Default string", "Board");
	record(db, &hw, "n1", &st);
	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", NULL, NULL, "1");
	comp(&hw, SB_HW_BOARD, "MB-1", "Default string", "Board");
	record(db, &hw, "n2", &st);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM components WHERE class = 'board'"), 2);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM components WHERE class = 'board' "
			       "AND serial IS NULL AND serial_raw = 'Default string'"), 2);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* ---- reconciliation ---------------------------------------------------------- */

static const char *const mem_slots[] = { "A1", "B1" };
static const char *const mem_alt[] = { "MEM-32-ALT" };

struct site_fixture {
	const char *serials[3][2];
	struct sb_inv_expect_line lines[3][2];
	struct sb_inv_expect_fw fw;
	struct sb_inv_expect_node nodes[3];
	const char *chassis[3][1];
	struct sb_inv_expect e;
};

/* Three nodes n1..n3, each: chassis CH-i, DIMMs D-i1/D-i2 in A1/B1, one
 * SSD-1 drive, BIOS >= 1.0; n1 is a validator that needs 64 GiB. */
static void site_fixture(struct site_fixture *f)
{
	static char ser[3][2][8], ch[3][8];

	memset(f, 0, sizeof(*f));
	f->fw.name = "BIOS";
	f->fw.min_version = "1.0";
	for (int i = 0; i < 3; i++) {
		snprintf(ch[i], sizeof(ch[i]), "CH-%d", i + 1);
		f->chassis[i][0] = ch[i];
		for (int k = 0; k < 2; k++) {
			snprintf(ser[i][k], sizeof(ser[i][k]), "D-%d%d", i + 1, k + 1);
			f->serials[i][k] = ser[i][k];
		}
		struct sb_inv_expect_line *m = &f->lines[i][0], *d = &f->lines[i][1];
		*m = (struct sb_inv_expect_line){ .id = "dimm", .cls = SB_HW_MEMORY,
			.part_number = "MEM-32", .model = "MEM-32", .alternates = mem_alt,
			.nalternates = 1, .quantity = 2, .slots = mem_slots, .nslots = 2,
			.serials = f->serials[i], .nserials = 2, .po = "PO-1",
			.po_line = 3, .vendor = "V", .bom_line = 10 };
		*d = (struct sb_inv_expect_line){ .id = "ssd", .cls = SB_HW_DRIVE,
			.part_number = "SSD-1", .quantity = 1, .po = "PO-1", .po_line = 4 };
		f->nodes[i].name = i == 0 ? "n1" : i == 1 ? "n2" : "n3";
		f->nodes[i].lines = f->lines[i];
		f->nodes[i].nlines = 2;
		f->nodes[i].firmware = &f->fw;
		f->nodes[i].nfirmware = 1;
		f->nodes[i].chassis = (struct sb_inv_expect_line){ .id = "chassis",
			.cls = SB_HW_CHASSIS, .part_number = "CH-1", .quantity = 1,
			.serials = f->chassis[i], .nserials = 1 };
	}
	f->nodes[0].memory_min = 64ull << 30;
	f->nodes[0].memory_reason = "role 'validator'";
	f->e.site = "s1";
	f->e.tier = "core";
	f->e.nodes = f->nodes;
	f->e.nnodes = 3;
}

static size_t nfind(const struct sb_inv_reconcile *r, const char *kind, const char *node)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].kind, kind) == 0 && (!node || sb_streq(r->v[i].node, node)))
			n++;
	return n;
}

/* n1 and n2 of the site, as their BMCs report them; n3 not yet seen */
static void first_two_nodes(struct sb_inv *db)
{
	struct sb_hw_inventory hw;

	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", "D-11", "D-12", "1.2");
	record(db, &hw, "n1", NULL);
	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", "D-21", "D-22", "1.0");
	record(db, &hw, "n2", NULL);
}

static void good_site(struct sb_inv *db)
{
	struct sb_hw_inventory hw;

	first_two_nodes(db);
	node_hw(&hw, "redfish://127.0.0.1:3", "CH-3", "D-31", "D-32", "1.0");
	record(db, &hw, "n3", NULL);
}

static void reconcile(struct sb_inv *db, struct sb_inv_reconcile *r)
{
	struct site_fixture f;

	site_fixture(&f);
	ck_assert_msg(sb_inv_reconcile(r, db, &f.e) == 0, "%s", sb_error_message());
}

START_TEST(reconcile_all_matched)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	reconcile(db, &r);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_msg(strcmp(r.v[i].kind, "matched") == 0, "%s %s: %s", r.v[i].kind,
			      r.v[i].node, r.v[i].detail);
	ck_assert_uint_eq(nfind(&r, "matched", NULL), 3 * 4);
	ck_assert_uint_eq(r.nblocking, 0);
	ck_assert_uint_eq(r.nobserved_nodes, 3);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* A case: the site is good except for what `plant` changes on node n2
 * (or elsewhere); the finding `kind` appears on `node`. */
static void one_case(void (*plant)(struct sb_inv *db), const char *kind, const char *node,
		     bool blocking)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	plant(db);
	reconcile(db, &r);
	ck_assert_msg(nfind(&r, kind, node) >= 1, "no %s on %s", kind, node);
	ck_assert_msg((r.nblocking > 0) == blocking, "%zu blocking", r.nblocking);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].kind, kind) == 0) {
			if (strcmp(kind, "matched") != 0)
				ck_assert_ptr_nonnull(r.v[i].detail);
			ck_assert_int_eq(strlen(r.v[i].id), 12);
		}
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}

static void n2_report(struct sb_inv *db, const char *chassis, const char *d1,
		      const char *d2, const char *bios, void (*more)(struct sb_hw_inventory *))
{
	struct sb_hw_inventory hw;

	node_hw(&hw, "redfish://127.0.0.1:2", chassis, d1, d2, bios);
	if (more)
		more(&hw);
	record(db, &hw, "n2", NULL);
}

static void p_missing(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", NULL, "1.0", NULL); }
static void p_substituted(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "X-99", "1.0", NULL); }
static void p_old_fw(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "0.9", NULL); }
/* "1" of baseline "1.0": IPMI's major.minor against a longer baseline */
static void p_short_fw(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1", NULL); }
static void p_no_fw(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", "D-21", "D-22", "1.0");
	free(hw.firmware[0].version);
	hw.firmware[0].version = NULL;
	free(hw.firmware[0].name);
	hw.firmware[0].name = sb_strdup("BMC");
	record(db, &hw, "n2", NULL);
}
static void more_drive(struct sb_hw_inventory *hw) { comp(hw, SB_HW_DRIVE, "HDD-9", "EXTRA", "Bay7"); }
static void p_extra(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_drive); }
static void more_ssd(struct sb_hw_inventory *hw) { comp(hw, SB_HW_DRIVE, "SSD-1", "S-2", "Bay1"); }
static void p_over(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_ssd); }
static void more_wrong(struct sb_hw_inventory *hw)
{
	/* the second DIMM has another part number */
	free(hw->components[2].part_number);
	hw->components[2].part_number = sb_strdup("MEM-16");
}
static void p_wrong_part(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_wrong); }
static void more_model_only(struct sb_hw_inventory *hw)
{
	/* another part number, the same model: never accepted silently */
	free(hw->components[2].part_number);
	hw->components[2].part_number = sb_strdup("MEM-32-OEM");
}
static void p_model_only(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_model_only); }
static void more_alt(struct sb_hw_inventory *hw)
{
	free(hw->components[2].part_number);
	hw->components[2].part_number = sb_strdup("MEM-32-ALT");
}
static void p_alternate(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_alt); }
static void more_swap_slots(struct sb_hw_inventory *hw)
{
	free(hw->components[1].location);
	hw->components[1].location = sb_strdup("DIMM_B1");
	free(hw->components[2].location);
	hw->components[2].location = sb_strdup("DIMM_A1");
}
static void p_wrong_slot(struct sb_inv *db) { n2_report(db, "CH-2", "D-21", "D-22", "1.0", more_swap_slots); }
static void p_moved(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	/* D-22 sits in n3 (instead of D-32), and n2 lacks it */
	n2_report(db, "CH-2", "D-21", NULL, "1.0", NULL);
	node_hw(&hw, "redfish://127.0.0.1:3", "CH-3", "D-31", "D-22", "1.0");
	record(db, &hw, "n3", NULL);
}
static void p_duplicate(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	/* D-21 reported on n2 and on n3 at once */
	node_hw(&hw, "redfish://127.0.0.1:3", "CH-3", "D-31", "D-32", "1.0");
	comp(&hw, SB_HW_MEMORY, "MEM-32", "D-21", "DIMM_C1");
	record(db, &hw, "n3", NULL);
}
static void p_chassis(struct sb_inv *db) { n2_report(db, "CH-9", "D-21", "D-22", "1.0", NULL); }
static void p_identity(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	/* the IPMI side of n2 claims another chassis serial */
	sb_hw_inventory_init(&hw);
	hw.target = sb_strdup("ipmi://127.0.0.1:9002");
	hw.protocol = sb_strdup("ipmi");
	hw.chassis_serial = sb_strdup("CH-7");
	record(db, &hw, "n2", NULL);
}
static void p_tier(struct sb_inv *db)
{
	(void)db;	/* n1 has 2 x 32 GiB = 64 GiB: fine; take one away */
	struct sb_hw_inventory hw;
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", "D-11", NULL, "1.2");
	record(db, &hw, "n1", NULL);
}
static void p_extra_node(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	node_hw(&hw, "redfish://127.0.0.1:4", "CH-4", "D-41", "D-42", "1.0");
	record(db, &hw, "n4", NULL);
}
static void p_never(struct sb_inv *db)
{
	(void)db;
}

START_TEST(reconcile_findings)
{
	one_case(p_missing, "missing", "n2", true);
	one_case(p_missing, "quantity_short", "n2", true);
	one_case(p_substituted, "serial_mismatch", "n2", true);
	one_case(p_old_fw, "firmware_below_baseline", "n2", true);
	one_case(p_no_fw, "firmware_unverifiable", "n2", false);
	one_case(p_short_fw, "firmware_unverifiable", "n2", false);
	one_case(p_extra, "extra", "n2", false);
	one_case(p_over, "quantity_over", "n2", false);
	one_case(p_wrong_part, "wrong_part", "n2", true);
	one_case(p_model_only, "wrong_part", "n2", true);
	one_case(p_wrong_slot, "wrong_slot", "n2", false);
	one_case(p_moved, "moved", "n2", true);
	one_case(p_duplicate, "duplicate_serial", NULL, true);
	one_case(p_chassis, "serial_mismatch", "n2", true);
	one_case(p_identity, "identity_conflict", "n2", true);
	one_case(p_tier, "tier_requirement", "n1", true);
	one_case(p_extra_node, "extra", "n4", false);
	one_case(p_never, "matched", "n3", false);
}
END_TEST

/* n3 also reports D-21, D-12 and D-11, in that order */
static void p_three_duplicates(struct sb_inv *db)
{
	struct sb_hw_inventory hw;

	node_hw(&hw, "redfish://127.0.0.1:3", "CH-3", "D-31", "D-32", "1.0");
	comp(&hw, SB_HW_MEMORY, "MEM-32", "D-21", "DIMM_C1");
	comp(&hw, SB_HW_MEMORY, "MEM-32", "D-12", "DIMM_C2");
	comp(&hw, SB_HW_MEMORY, "MEM-32", "D-11", "DIMM_C3");
	record(db, &hw, "n3", NULL);
}

/* The serial index is ordered by a hash; the report still lists the
 * duplicates in the order of their serials, as people read them. */
START_TEST(reconcile_duplicates_in_serial_order)
{
	static const char *const want[] = { "D-11", "D-12", "D-21" };
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	size_t k = 0;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	p_three_duplicates(db);
	reconcile(db, &r);
	for (size_t i = 0; i < r.n; i++) {
		if (strcmp(r.v[i].kind, "duplicate_serial") != 0)
			continue;
		ck_assert_uint_lt(k, 3);
		ck_assert_str_eq(r.v[i].observed_serial, want[k]);
		ck_assert_str_eq(r.v[i].node, "n3");
		ck_assert_ptr_nonnull(strstr(r.v[i].detail, k < 2 ? "also on n1/" :
					     "also on n2/"));
		k++;
	}
	ck_assert_uint_eq(k, 3);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* Reports recorded in `order` (node numbers): the observed side is read
 * once and matched twice, with the same findings each time. In node
 * order the loaded rows are used where they are; otherwise the site's
 * rows are copied into node order first. */
static void matched_twice(const int order[3])
{
	struct sb_inv *db;
	struct sb_inv_observed *ob;
	struct sb_inv_reconcile r1, r2;
	struct site_fixture f;
	struct sb_hw_inventory hw;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	for (int i = 0; i < 3; i++) {
		char target[64], ch[8], d1[8], d2[8], node[4];
		int n = order[i];
		snprintf(target, sizeof(target), "redfish://127.0.0.1:%d", n);
		snprintf(ch, sizeof(ch), "CH-%d", n);
		snprintf(d1, sizeof(d1), "D-%d1", n);
		snprintf(d2, sizeof(d2), "D-%d2", n);
		snprintf(node, sizeof(node), "n%d", n);
		node_hw(&hw, target, ch, d1, d2, "1.2");
		record(db, &hw, node, NULL);
	}
	site_fixture(&f);
	ck_assert_int_eq(sb_inv_observed_load(&ob, db), 0);
	ck_assert_int_eq(sb_inv_reconcile_observed(&r1, ob, &f.e), 0);
	ck_assert_int_eq(sb_inv_reconcile_observed(&r2, ob, &f.e), 0);
	ck_assert_uint_eq(nfind(&r1, "matched", NULL), 3 * 4);
	ck_assert_uint_eq(r1.nblocking, 0);
	ck_assert_uint_eq(r1.n, r2.n);
	for (size_t i = 0; i < r1.n; i++) {
		ck_assert_str_eq(r1.v[i].id, r2.v[i].id);
		ck_assert_str_eq(r1.v[i].kind, r2.v[i].kind);
		ck_assert_str_eq(r1.v[i].node, r2.v[i].node);
	}
	/* node order in the report, whatever the order of discovery */
	ck_assert_str_eq(r1.v[0].node, "n1");
	ck_assert_str_eq(r1.v[r1.n - 1].node, "n3");
	sb_inv_reconcile_release(&r1);
	sb_inv_reconcile_release(&r2);
	sb_inv_observed_free(ob);
	sb_inv_close(db);
	rmdb();
}

START_TEST(reconcile_observed_matched_twice)
{
	matched_twice((const int[]){ 1, 2, 3 });
	matched_twice((const int[]){ 3, 1, 2 });
}
END_TEST

/* Many decisions (the array that holds them grows), two on one finding:
 * the later one counts. */
START_TEST(reconcile_latest_disposition_counts)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	char id[16] = "", other[16];
	int64_t seq;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	first_two_nodes(db);
	reconcile(db, &r);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].kind, "missing") == 0)
			sb_strlcpy(id, r.v[i].id, sizeof(id));
	sb_inv_reconcile_release(&r);
	ck_assert_int_eq(strlen(id), 12);
	ck_assert_int_eq(sb_inv_disposition(db, id, "rma", "ama", "first", &seq), 0);
	for (int i = 0; i < 300; i++) {
		snprintf(other, sizeof(other), "F-%010x", 0x5000 + i);
		ck_assert_int_eq(sb_inv_disposition(db, other, "waive", "bo", NULL, &seq), 0);
	}
	ck_assert_int_eq(sb_inv_disposition(db, id, "accept", "cy", "second", &seq), 0);
	reconcile(db, &r);
	ck_assert_uint_eq(r.nblocking, 0);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].id, id) == 0) {
			ck_assert_str_eq(r.v[i].disposition, "accept");
			ck_assert_str_eq(r.v[i].disposition_by, "cy");
			ck_assert_str_eq(r.v[i].disposition_note, "second");
		} else {
			ck_assert_ptr_null(r.v[i].disposition);
		}
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(reconcile_alternate_part_is_fine)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	p_alternate(db);
	reconcile(db, &r);
	ck_assert_uint_eq(r.nblocking, 0);
	ck_assert_uint_eq(nfind(&r, "matched", "n2"), 4);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(reconcile_node_missing_and_disposition)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	char id[16];
	int64_t seq;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	first_two_nodes(db);
	reconcile(db, &r);
	ck_assert_uint_eq(nfind(&r, "missing", "n3"), 1);
	ck_assert_uint_eq(r.nblocking, 1);
	sb_strlcpy(id, r.v[r.n - 1].kind[0] == 'm' ? r.v[r.n - 1].id : "", sizeof(id));
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].kind, "missing") == 0)
			sb_strlcpy(id, r.v[i].id, sizeof(id));
	sb_inv_reconcile_release(&r);
	ck_assert_int_eq(sb_inv_disposition(db, id, "maybe", "ama", NULL, &seq), SB_EINPUT);
	ck_assert_int_eq(sb_inv_disposition(db, "F-zz", "accept", "ama", NULL, &seq), SB_EINPUT);
	ck_assert_int_eq(sb_inv_disposition(db, id, "rma", "ama", "RMA-77", &seq), 0);
	ck_assert_int_gt(seq, 0);
	reconcile(db, &r);
	ck_assert_uint_eq(r.nblocking, 0);
	for (size_t i = 0; i < r.n; i++)
		if (strcmp(r.v[i].id, id) == 0) {
			ck_assert_str_eq(r.v[i].disposition, "rma");
			ck_assert_str_eq(r.v[i].disposition_by, "ama");
		}
	sb_inv_reconcile_release(&r);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM ledger WHERE kind = 'finding.dispositioned'"), 1);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* ---- what a source cannot say ---------------------------------------------- */

/* One in-band component report of `node`: a drive from lsblk (no part
 * number, a model string) or NIC ports from ip link (a MAC only). */
static void inband_report(struct sb_inv *db, const char *node, enum sb_hw_class cls,
			  const char *source, const char *serial, const char *model,
			  const char *const *macs, size_t nmacs)
{
	static const char out[] = "{\"blockdevices\": []}";
	struct sb_hw_inventory hw;
	struct sb_hw_component *c;

	sb_hw_inventory_init(&hw);
	hw.target = sb_strdup(node);	/* as `discover --site` and in-band name it */
	hw.protocol = sb_strdup("ssh");
	ck_assert_int_eq(sb_hw_add_evidence(&hw, "lsblk -J", "application/json", out,
					    sizeof(out) - 1), 0);
	for (size_t i = 0; i < (nmacs ? nmacs : 1); i++) {
		c = sb_hw_add_component(&hw, cls, source, "/dev/x");
		ck_assert_ptr_nonnull(c);
		if (serial)
			sb_hw_set(&c->serial, serial, strlen(serial));
		if (model)
			sb_hw_set(&c->model, model, strlen(model));
		if (nmacs)
			sb_hw_set(&c->durable_id, macs[i], strlen(macs[i]));
		c->evidence = 0;
	}
	record(db, &hw, node, NULL);
}

/* A BMC that only has FRU data: a chassis serial, nothing else. */
static void ipmi_only(struct sb_inv *db, const char *node, const char *chassis)
{
	static const char fru[] = "FRU";
	struct sb_hw_inventory hw;
	struct sb_hw_component *c;

	sb_hw_inventory_init(&hw);
	hw.target = sb_strdup(node);
	hw.protocol = sb_strdup("ipmi");
	hw.chassis_serial = sb_strdup(chassis);
	ck_assert_int_eq(sb_hw_add_evidence(&hw, "fru/0", "application/octet-stream",
					    fru, sizeof(fru) - 1), 0);
	c = sb_hw_add_component(&hw, SB_HW_CHASSIS, "ipmi-fru", "fru/0/chassis");
	ck_assert_ptr_nonnull(c);
	sb_hw_set(&c->serial, chassis, strlen(chassis));
	c->evidence = 0;
	record(db, &hw, node, NULL);
}

static const struct sb_inv_finding *first(const struct sb_inv_reconcile *r,
					  const char *kind, const char *line)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].kind, kind) == 0 && sb_streq(r->v[i].line, line))
			return &r->v[i];
	return NULL;
}

static const char *const osd_serial[] = { "S3X1NA0T100001" };
static const char *const osd_mfr[] = { "MZQL23T8HCLS-00A07" };

/* one node "n1" with one NVMe line, serial S3X1NA0T100001 */
static void osd_site(struct sb_inv_expect *e, struct sb_inv_expect_node *n,
		     struct sb_inv_expect_line *l)
{
	*l = (struct sb_inv_expect_line){ .id = "osd", .cls = SB_HW_DRIVE,
		.manufacturer = "Samsung", .model = "PM9A3 3.84TB U.2 NVMe",
		.part_number = "400-BNQW", .mfr_parts = osd_mfr, .nmfr_parts = 1,
		.quantity = 1, .serials = osd_serial, .nserials = 1 };
	*n = (struct sb_inv_expect_node){ .name = "n1", .lines = l, .nlines = 1 };
	*e = (struct sb_inv_expect){ .site = "s1", .tier = "edge", .nodes = n, .nnodes = 1 };
}

START_TEST(reconcile_lsblk_part_not_observed)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	struct sb_inv_expect e;
	struct sb_inv_expect_node n;
	struct sb_inv_expect_line l;
	const struct sb_inv_finding *f;

	osd_site(&e, &n, &l);
	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	/* lsblk: the serial, a MODEL, no part number */
	inband_report(db, "n1", SB_HW_DRIVE, "ssh-lsblk", "S3X1NA0T100001",
		      "SAMSUNG MZQL23T8HCLS-00A07", NULL, 0);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "wrong_part", NULL), 0);
	ck_assert_ptr_nonnull(f = first(&r, "matched", "osd"));
	ck_assert_ptr_nonnull(strstr(f->detail, "part number not observed (source ssh-lsblk)"));
	ck_assert_ptr_null(strstr(f->detail, "does not look like"));
	ck_assert_uint_eq(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	/* a model that disagrees is noted, still matched by serial */
	inband_report(db, "n1", SB_HW_DRIVE, "ssh-lsblk", "S3X1NA0T100001",
		      "WDC WD40EFRX-68N32N0", NULL, 0);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_ptr_nonnull(f = first(&r, "matched", "osd"));
	ck_assert_ptr_nonnull(strstr(f->detail, "does not look like"));
	ck_assert_ptr_nonnull(strstr(f->detail, "WD40EFRX"));
	ck_assert_uint_eq(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	/* a part number that is there and wrong is still wrong */
	{
		struct sb_hw_inventory hw;
		node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", NULL, NULL, "1");
		free(hw.components[1].part_number);
		hw.components[1].part_number = sb_strdup("400-XXXX");
		sb_hw_set(&hw.components[1].serial, "S3X1NA0T100001", 14);
		record(db, &hw, "n1", NULL);
	}
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "wrong_part", "n1"), 1);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(reconcile_makers_part_number)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	struct sb_inv_expect e;
	struct sb_inv_expect_node n;
	struct sb_inv_expect_line l;
	struct sb_hw_inventory hw;

	osd_site(&e, &n, &l);
	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	/* the BMC reports the maker's part number, the BOM the vendor's SKU */
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", NULL, NULL, "1");
	free(hw.components[1].part_number);
	hw.components[1].part_number = sb_strdup("MZQL23T8HCLS-00A07");
	sb_hw_set(&hw.components[1].serial, "S3X1NA0T100001", 14);
	record(db, &hw, "n1", NULL);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_ptr_nonnull(first(&r, "matched", "osd"));
	ck_assert_uint_eq(nfind(&r, "wrong_part", NULL), 0);
	ck_assert_uint_eq(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	/* without it on the line, the same report is a wrong part */
	l.nmfr_parts = 0;
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "wrong_part", "n1"), 1);
	ck_assert_uint_gt(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(reconcile_unverifiable_until_a_source_sees)
{
	static const char *const macs[] = { "52:54:00:aa:00:01", "52:54:00:aa:00:02",
					    "52:54:00:aa:00:03" };
	static const char *const ch[] = { "CH-1" };
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	struct sb_inv_expect_line l[2];
	struct sb_inv_expect_node n;
	struct sb_inv_expect e;
	const struct sb_inv_finding *f;

	/* two PSUs; one NIC card with two ports (two MACs) and one with one */
	l[0] = (struct sb_inv_expect_line){ .id = "psu", .cls = SB_HW_PSU,
		.part_number = "PSU-800", .quantity = 2 };
	l[1] = (struct sb_inv_expect_line){ .id = "nic", .cls = SB_HW_NIC,
		.part_number = "NIC-25G", .quantity = 2, .ids = macs, .nids = 3 };
	n = (struct sb_inv_expect_node){ .name = "n1", .lines = l, .nlines = 2,
		.chassis = { .id = "chassis", .cls = SB_HW_CHASSIS, .quantity = 1,
			     .part_number = NULL, .serials = ch, .nserials = 1 } };
	e = (struct sb_inv_expect){ .site = "s1", .tier = "edge", .nodes = &n, .nnodes = 1 };
	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	ipmi_only(db, "n1", "CH-1");
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "unverifiable", "n1"), 4);
	ck_assert_uint_eq(nfind(&r, "missing", NULL), 0);
	ck_assert_uint_eq(nfind(&r, "quantity_short", NULL), 0);
	ck_assert_ptr_nonnull(f = first(&r, "unverifiable", "psu"));
	ck_assert_int_eq(f->severity, SB_INV_SEV_WARNING);
	ck_assert_ptr_nonnull(strstr(f->detail, "redfish"));
	ck_assert_ptr_nonnull(f = first(&r, "unverifiable", "nic"));
	ck_assert_ptr_nonnull(strstr(f->detail, "ssh-ip"));
	ck_assert_ptr_nonnull(first(&r, "matched", "chassis"));
	ck_assert_uint_eq(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	/* ip -j link ran: the NICs are matched by MAC, every port taken by
	 * its card; the PSUs stay unverifiable */
	inband_report(db, "n1", SB_HW_NIC, "ssh-ip", NULL, NULL, macs, 3);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "matched", "n1"), 3);
	ck_assert_ptr_nonnull(f = first(&r, "matched", "nic"));
	ck_assert_ptr_nonnull(strstr(f->detail, "part number not observed (source ssh-ip)"));
	ck_assert_uint_eq(nfind(&r, "unverifiable", "n1"), 2);
	/* the SSH report (same target name) does not hide the IPMI one */
	ck_assert_ptr_nonnull(first(&r, "matched", "chassis"));
	ck_assert_uint_eq(nfind(&r, "extra", NULL), 0);
	ck_assert_uint_eq(nfind(&r, "quantity_over", NULL), 0);
	ck_assert_uint_eq(nfind(&r, "wrong_part", NULL), 0);
	ck_assert_uint_eq(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	/* a source that sees NICs ran and one card is gone: missing */
	inband_report(db, "n1", SB_HW_NIC, "ssh-ip", NULL, NULL, macs, 1);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	ck_assert_uint_eq(nfind(&r, "missing", "n1"), 1);
	ck_assert_uint_eq(nfind(&r, "quantity_short", "n1"), 1);
	ck_assert_uint_gt(r.nblocking, 0);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* ---- report_parts: the packed observations --------------------------------- */

/* report_parts as text, one line per report */
static char *parts_dump(struct sb_inv *db)
{
	sqlite3_stmt *st;
	struct sb_buf b;
	char *out = NULL;

	sb_buf_init(&b, (size_t)64 << 20);
	ck_assert_int_eq(sqlite3_prepare_v2(sb_inv_sqlite(db), "SELECT report_id, n, "
					    "rows FROM report_parts ORDER BY report_id",
					    -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		sb_buf_printf(&b, "%lld %lld [%s]\n", sqlite3_column_int64(st, 0),
			      sqlite3_column_int64(st, 1),
			      (const char *)sqlite3_column_text(st, 2));
	sqlite3_finalize(st);
	ck_assert_int_eq(sb_buf_detach(&out, &b), 0);
	return out;
}

/* The rows packed again from observations and components as they are
 * now, by the migration's statement: what the join gives today. */
static void repack(struct sb_inv *db)
{
	sql(db, "DELETE FROM report_parts; INSERT INTO report_parts (report_id, n, rows) "
		SB_INV_PK_SELECT);
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* two reconciliations found the same, field by field, in the same order */
static void same_findings(const struct sb_inv_reconcile *a,
			  const struct sb_inv_reconcile *b)
{
	ck_assert_uint_eq(a->n, b->n);
	ck_assert_uint_eq(a->nblocking, b->nblocking);
	ck_assert_uint_eq(a->nobservations, b->nobservations);
	for (size_t i = 0; i < a->n; i++) {
		const struct sb_inv_finding *x = &a->v[i], *y = &b->v[i];
		ck_assert_str_eq(x->id, y->id);
		ck_assert_str_eq(x->kind, y->kind);
		ck_assert_int_eq(x->severity, y->severity);
		ck_assert_msg(same_text(x->node, y->node) && same_text(x->line, y->line) &&
			      same_text(x->part_number, y->part_number) &&
			      same_text(x->expected_serial, y->expected_serial) &&
			      same_text(x->observed_serial, y->observed_serial) &&
			      same_text(x->observed_part, y->observed_part) &&
			      same_text(x->location, y->location) &&
			      same_text(x->detail, y->detail) &&
			      same_text(x->evidence, y->evidence) &&
			      x->found == y->found && x->ordered == y->ordered,
			      "finding %zu differs: %s / %s", i, x->detail, y->detail);
	}
}

/* the same findings; then release both and the database */
static void same_findings_and_done(struct sb_inv *db, struct sb_inv_reconcile *a,
				   struct sb_inv_reconcile *b)
{
	same_findings(a, b);
	sb_inv_reconcile_release(a);
	sb_inv_reconcile_release(b);
	sb_inv_close(db);
	rmdb();
}

/* raw serials that need the packed form's escapes, and a slot too */
static const char *const odd_serials[] = {
	"back\\slash", "tab\there", "line\nfeed", "\\N", "\\=", "\\s", "\\", "",
	"ends\\", "\t\n\\",
};

/* n2 reports extra drives with those raw serials, one without any */
static void odd_report(struct sb_inv *db)
{
	struct sb_hw_inventory hw;
	char slot[16];

	node_hw(&hw, "redfish://127.0.0.1:2", "CH-2", "D-21", "D-22", "1.0");
	for (size_t i = 0; i < sizeof(odd_serials) / sizeof(odd_serials[0]); i++) {
		struct sb_hw_component *c;
		snprintf(slot, sizeof(slot), "Odd%zu", i);
		c = comp(&hw, SB_HW_DRIVE, "ODD-1", NULL, slot);
		c->serial = sb_strdup(odd_serials[i]);	/* as stored, not cleaned */
	}
	comp(&hw, SB_HW_DRIVE, "ODD-2", NULL, NULL)->location = sb_strdup("Bay\t9\\");
	record(db, &hw, "n2", NULL);
}

START_TEST(pack_record_equals_backfill)
{
	struct sb_inv *db;
	struct sb_hw_inventory hw;
	char *at_record, *backfilled;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	odd_report(db);
	inband_report(db, "n1", SB_HW_DRIVE, "ssh-lsblk", "S-1", "SOME MODEL", NULL, 0);
	/* a report without components has a row too */
	sb_hw_inventory_init(&hw);
	hw.target = sb_strdup("n3");
	hw.protocol = sb_strdup("ssh");
	record(db, &hw, "n3", NULL);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM report_parts"),
			 count(db, "SELECT count(*) FROM reports"));
	ck_assert_int_eq(count(db, "SELECT sum(n) FROM report_parts"),
			 count(db, "SELECT count(*) FROM observations"));
	at_record = parts_dump(db);
	repack(db);
	backfilled = parts_dump(db);
	ck_assert_str_eq(at_record, backfilled);
	/* the shorthands are used: the evidence of a report is written once */
	ck_assert_ptr_nonnull(strstr(at_record, "\t\\=\t\\=\t"));
	free(at_record);
	free(backfilled);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(pack_round_trip)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	size_t n = sizeof(odd_serials) / sizeof(odd_serials[0]);
	bool seen[sizeof(odd_serials) / sizeof(odd_serials[0])] = { 0 }, bay9 = false;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	odd_report(db);
	reconcile(db, &r);
	for (size_t i = 0; i < r.n; i++) {
		const struct sb_inv_finding *f = &r.v[i];
		if (strcmp(f->kind, "extra") != 0)
			continue;
		if (sb_streq(f->location, "n2/Bay\t9\\")) {
			ck_assert_ptr_null(f->observed_serial);	/* NULL stays NULL */
			bay9 = true;
			continue;
		}
		ck_assert_ptr_nonnull(f->location);
		ck_assert_msg(strncmp(f->location, "n2/Odd", 6) == 0, "%s", f->location);
		size_t k = (size_t)strtoul(f->location + 6, NULL, 10);
		ck_assert_uint_lt(k, n);
		/* the empty string stays empty, not NULL */
		ck_assert_ptr_nonnull(f->observed_serial);
		ck_assert_str_eq(f->observed_serial, odd_serials[k]);
		seen[k] = true;
	}
	for (size_t k = 0; k < n; k++)
		ck_assert_msg(seen[k], "no extra with the raw serial of Odd%zu", k);
	ck_assert(bay9);
	sb_inv_reconcile_release(&r);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* An lsblk report gives a drive without a part number; a later BMC
 * report of the same drive (another target, so the lsblk report stays
 * the latest of its own) gives the component one. The packed row of the
 * lsblk report still says NULL: the reader looks the name up, and finds
 * what the join of observations and components gives. */
START_TEST(pack_fill_in_later_part_number)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r, j;
	struct sb_inv_expect e;
	struct sb_inv_expect_node n;
	struct sb_inv_expect_line l;
	struct sb_inv_observed *ob;
	struct sb_hw_inventory hw;
	const struct sb_inv_finding *f;
	char *before, *after;
	size_t fills;

	osd_site(&e, &n, &l);
	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	inband_report(db, "n1", SB_HW_DRIVE, "ssh-lsblk", "S3X1NA0T100001",
		      "SAMSUNG MZQL23T8HCLS-00A07", NULL, 0);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM components WHERE "
			       "part_number IS NULL"), 1);
	before = parts_dump(db);
	ck_assert_ptr_nonnull(strstr(before, "\\N"));
	node_hw(&hw, "redfish://127.0.0.1:1", "CH-1", NULL, NULL, "1");
	free(hw.components[1].part_number);
	hw.components[1].part_number = sb_strdup("400-BNQW");
	free(hw.components[1].manufacturer);
	hw.components[1].manufacturer = sb_strdup("Samsung");
	sb_hw_set(&hw.components[1].serial, "S3X1NA0T100001", 14);
	record(db, &hw, "n1", NULL);
	ck_assert_int_eq(count(db, "SELECT count(*) FROM components WHERE "
			       "part_number = '400-BNQW'"), 1);
	/* the lsblk report's row is as it was packed */
	after = parts_dump(db);
	ck_assert_ptr_nonnull(strstr(after, strchr(before, '[')));
	free(before);
	free(after);
	ck_assert_int_eq(sb_inv_observed_load(&ob, db), 0);
	fills = sb_inv_observed_fills(ob);
	sb_inv_observed_free(ob);
	ck_assert_int_eq(sb_inv_reconcile(&r, db, &e), 0);
	/* the lsblk drive now has the part number the BMC gave */
	ck_assert_ptr_nonnull(f = first(&r, "matched", "osd"));
	ck_assert_msg(!f->detail || !strstr(f->detail, "part number not observed"), "%s",
		      f->detail);
	/* the same findings as rows packed from today's join */
	repack(db);
	ck_assert_int_eq(sb_inv_observed_load(&ob, db), 0);
	/* one lookup fewer: the lsblk row's; rows whose names nobody gave
	 * (the chassis' maker) are looked up either way */
	ck_assert_uint_eq(sb_inv_observed_fills(ob) + 1, fills);
	ck_assert_int_eq((int64_t)fills - 1, count(db, "SELECT count(*) FROM "
			 "observations o JOIN components c ON c.id = o.component_id "
			 "WHERE coalesce(o.manufacturer, c.manufacturer) IS NULL OR "
			 "coalesce(o.model, c.model) IS NULL OR "
			 "coalesce(o.part_number, c.part_number) IS NULL"));
	sb_inv_observed_free(ob);
	ck_assert_int_eq(sb_inv_reconcile(&j, db, &e), 0);
	same_findings_and_done(db, &r, &j);
}
END_TEST

/* rows of a report in reverse order, as group_concat might give them */
static void reverse_rows(struct sb_inv *db, int64_t report)
{
	sqlite3 *h = sb_inv_sqlite(db);
	sqlite3_stmt *st;
	char *text, *rev, *lines[256];
	size_t nl = 0, len, at = 0;

	ck_assert_int_eq(sqlite3_prepare_v2(h, "SELECT rows FROM report_parts WHERE "
					    "report_id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, report);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	text = sb_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	len = strlen(text);
	rev = calloc(1, len + 1);
	for (char *p = text, *q; p; p = q) {
		ck_assert_uint_lt(nl, 256);
		lines[nl++] = p;
		if ((q = strchr(p, '\n')))
			*q++ = '\0';
	}
	ck_assert_uint_gt(nl, 2);
	for (size_t i = nl; i-- > 0;) {
		size_t k = strlen(lines[i]);
		memcpy(rev + at, lines[i], k);
		at += k;
		if (i)
			rev[at++] = '\n';
	}
	ck_assert_int_eq(sqlite3_prepare_v2(h, "UPDATE report_parts SET rows = ? WHERE "
					    "report_id = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, rev, (int)at, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, report);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	free(text);
	free(rev);
}

START_TEST(pack_rows_out_of_order)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r, j;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	odd_report(db);
	reconcile(db, &r);
	reverse_rows(db, 2);
	reverse_rows(db, 4);
	reconcile(db, &j);
	same_findings_and_done(db, &r, &j);
}
END_TEST

/* a damaged or missing packed row stops reconcile with a clear message */
static void pack_refused(const char *damage, const char *says)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r;
	struct site_fixture f;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	good_site(db);
	sql(db, damage);
	site_fixture(&f);
	ck_assert_msg(sb_inv_reconcile(&r, db, &f.e) == SB_ETAMPER, "%s: not refused",
		      damage);
	ck_assert_msg(strstr(sb_error_message(), says) &&
		      strstr(sb_error_message(), "report_parts") &&
		      strstr(sb_error_message(), "report 2"), "%s", sb_error_message());
	sb_inv_close(db);
	rmdb();
}

START_TEST(pack_malformed)
{
	pack_refused("DELETE FROM report_parts WHERE report_id = 2", "missing");
	pack_refused("UPDATE report_parts SET n = n + 1 WHERE report_id = 2",
		     "fewer rows than its count");
	pack_refused("UPDATE report_parts SET n = n - 1 WHERE report_id = 2",
		     "more rows than its count");
	pack_refused("UPDATE report_parts SET rows = replace(rows, char(9) || "
		     "'chassis' || char(9), char(9)) WHERE report_id = 2", "too few fields");
	pack_refused("UPDATE report_parts SET rows = replace(rows, 'CH-2', 'CH\\-2') "
		     "WHERE report_id = 2", "stray backslash");
	pack_refused("UPDATE report_parts SET rows = '6' || substr(rows, instr(rows, "
		     "char(9))) WHERE report_id = 2", "an observation twice");
	pack_refused("UPDATE report_parts SET rows = 'x' || rows WHERE report_id = 2",
		     "a number is not one");
}
END_TEST

/* A schema-3 file (before report_parts) with reports: opening it runs
 * migration 4, whose backfill gives the rows recording would have, and
 * reconcile finds what it found before. */
START_TEST(pack_migration_from_3)
{
	struct sb_inv *db;
	struct sb_inv_reconcile r, j;
	char *at_record, *backfilled, path[300];

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	snprintf(path, sizeof(path), "%s", sb_inv_path(db));
	good_site(db);
	odd_report(db);
	reconcile(db, &r);
	at_record = parts_dump(db);
	sql(db, "DROP TABLE report_parts; PRAGMA user_version = 3");
	sb_inv_close(db);
	ck_assert_int_eq(sb_inv_open(&db, path, SB_INV_READONLY), 0);
	ck_assert_int_eq(count(db, "PRAGMA user_version"), 4);
	backfilled = parts_dump(db);
	ck_assert_str_eq(at_record, backfilled);
	reconcile(db, &j);
	same_findings(&r, &j);
	free(at_record);
	free(backfilled);
	sb_inv_reconcile_release(&r);
	sb_inv_reconcile_release(&j);
	sb_inv_close(db);
	rmdb();
}
END_TEST

START_TEST(version_compare)
{
	ck_assert_int_lt(sb_inv_version_cmp("1.6.5", "1.10.0"), 0);
	ck_assert_int_eq(sb_inv_version_cmp("7.00.30.00", "7.0.30.0"), 0);
	ck_assert_int_gt(sb_inv_version_cmp("2.1", "2.0.9"), 0);
	ck_assert_int_lt(sb_inv_version_cmp("2.1", "2.1.1"), 0);
	ck_assert_int_gt(sb_inv_version_cmp("U46 v2.10", "U46 v2.9"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *t = tcase_create("merkle");

	tcase_add_test(t, sha256_known);
	tcase_add_test(t, merkle_roots_rfc6962);
	tcase_add_test(t, merkle_inclusion_rfc6962);
	tcase_add_test(t, merkle_consistency_rfc6962);
	tcase_add_test(t, merkle_all_proofs);
	suite_add_tcase(s, t);
	t = tcase_create("serial");
	tcase_add_test(t, serials);
	suite_add_tcase(s, t);
	t = tcase_create("ledger");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, open_creates_private_file);
	tcase_add_test(t, open_damaged_file);
	tcase_add_test(t, open_newer_schema);
	tcase_add_test(t, ledger_verifies);
	tcase_add_test(t, ledger_guards);
	tcase_add_test(t, tamper_changed_payload);
	tcase_add_test(t, tamper_changed_actor);
	tcase_add_test(t, tamper_deleted);
	tcase_add_test(t, tamper_deleted_renumbered);
	tcase_add_test(t, tamper_inserted);
	tcase_add_test(t, tamper_reordered);
	tcase_add_test(t, tamper_guard_dropped);
	tcase_add_test(t, checkpoints);
	tcase_add_test(t, checkpoint_forged);
	tcase_add_test(t, key_must_be_private);
	suite_add_tcase(s, t);
	t = tcase_create("record");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, record_basics);
	tcase_add_test(t, record_moves_and_firmware);
	tcase_add_test(t, record_placeholder_serials);
	suite_add_tcase(s, t);
	t = tcase_create("reconcile");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, reconcile_all_matched);
	tcase_add_test(t, reconcile_findings);
	tcase_add_test(t, reconcile_alternate_part_is_fine);
	tcase_add_test(t, reconcile_duplicates_in_serial_order);
	tcase_add_test(t, reconcile_observed_matched_twice);
	tcase_add_test(t, reconcile_latest_disposition_counts);
	tcase_add_test(t, reconcile_node_missing_and_disposition);
	tcase_add_test(t, reconcile_lsblk_part_not_observed);
	tcase_add_test(t, reconcile_makers_part_number);
	tcase_add_test(t, reconcile_unverifiable_until_a_source_sees);
	tcase_add_test(t, version_compare);
	suite_add_tcase(s, t);
	t = tcase_create("report_parts");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, pack_record_equals_backfill);
	tcase_add_test(t, pack_round_trip);
	tcase_add_test(t, pack_fill_in_later_part_number);
	tcase_add_test(t, pack_rows_out_of_order);
	tcase_add_test(t, pack_malformed);
	tcase_add_test(t, pack_migration_from_3);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
