/* Unit tests for inventory/: hashing, Merkle trees against the RFC 6962
 * test vectors, the ledger chain, verify's diagnosis, checkpoints,
 * serial normalisation. */
#include "common/error.h"
#include "common/str.h"
#include "inventory/inventory.h"
#include "testutil.h"

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

static char dir[256];

static const char *tmpdb(void)
{
	static char path[300];

	snprintf(dir, sizeof(dir), "/tmp/sbinv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/inv.db", dir);
	return path;
}

static void rmdb(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct sb_inv *filled(int n)
{
	struct sb_inv *db;

	ck_assert_int_eq(sb_inv_open(&db, tmpdb(), 0), 0);
	ck_assert_int_eq(sb_inv_begin(db), 0);
	for (int i = 1; i <= n; i++) {
		json_t *p = json_pack("{s:i, s:s}", "n", i, "what", "test event");
		int64_t seq;
		ck_assert_int_eq(sb_inv_ledger_append_seq(db, "operator:test", "test.event",
							  p, &seq), 0);
		ck_assert_int_eq(seq, i);
		json_decref(p);
	}
	ck_assert_int_eq(sb_inv_commit(db), 0);
	return db;
}

static void sql(struct sb_inv *db, const char *s)
{
	char *err = NULL;
	int rc = sqlite3_exec(sb_inv_sqlite(db), s, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		ck_abort_msg("%s: %s", s, err);
}

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

static void expect_problem(struct sb_inv *db, enum sb_inv_problem p, int64_t seq)
{
	struct sb_inv_verify v;

	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_msg(v.problem == p && v.seq == seq,
		      "expected %s at %lld, got %s at %lld: %s", sb_inv_problem_name(p),
		      (long long)seq, sb_inv_problem_name(v.problem), (long long)v.seq,
		      v.detail);
}

#define UNGUARD "DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;"

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
	return s;
}

int main(void)
{
	return sb_test_run(suite());
}
