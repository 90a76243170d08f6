/* Unit tests for the fast `inventory verify`: SHA-256 of many messages at
 * once against libcrypto, Merkle subtrees pushed whole, and verify cut
 * into chunks on several threads giving the same answers (totals, root,
 * the first bad event) as one pass. */
#include "common/error.h"
#include "common/str.h"
#include "inventory/inv_priv.h"	/* sb_inv_leaves */
#include "inventory/inventory.h"
#include "testutil.h"
#include "invtest.h"

#include <unistd.h>

/* deterministic bytes */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)x;
	}
}

START_TEST(sha256_many_matches_libcrypto)
{
	enum { N = 300 };
	static unsigned char data[N][400], big[70000];
	const unsigned char *msg[N + 1];
	size_t len[N + 1];
	unsigned char (*out)[32] = calloc(N + 1, 32), want[32];

	fill(big, sizeof(big), 7);
	for (int i = 0; i < N; i++) {
		fill(data[i], sizeof(data[i]), (unsigned)i);
		msg[i] = data[i];
		len[i] = (size_t)(i * 37) % 400;	/* every padding case */
	}
	for (int i = 0; i < 130; i++)
		len[i] = (size_t)i;		/* 0..129: one, two and three blocks */
	msg[N] = big;
	len[N] = sizeof(big);
	/* every way this CPU has: libcrypto, SHA-NI lanes, AVX-512 groups */
	for (unsigned lv = 0; lv <= sb_sha256_lanes_best(); lv++) {
		sb_sha256_lanes_max(lv);
		/* every count: lanes left idle at the end */
		for (size_t n = 0; n <= 9; n++) {
			sb_sha256_many(out, msg + 120, len + 120, n);
			for (size_t i = 0; i < n; i++) {
				sb_sha256(want, msg[120 + i], len[120 + i]);
				ck_assert_mem_eq(out[i], want, 32);
			}
		}
		sb_sha256_many(out, msg, len, N + 1);
		for (int i = 0; i <= N; i++) {
			sb_sha256(want, msg[i], len[i]);
			ck_assert_msg(memcmp(out[i], want, 32) == 0,
				      "message %d (%zu bytes) differs", i, len[i]);
		}
	}
	sb_sha256_lanes_max(SB_SHA256_AVX512);
	/* the empty string */
	msg[0] = (const unsigned char *)"";
	len[0] = 0;
	msg[1] = (const unsigned char *)"abc";
	len[1] = 3;
	sb_sha256_many(out, msg, len, 2);
	{
		char hex[65];
		sb_hex(hex, out[0], 32);
		ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
		sb_hex(hex, out[1], 32);
		ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
	free(out);
}
END_TEST

/* Runs of messages of one length (as verify hashes them): sixteen of a
 * length go through AVX-512 together and the rest through the lanes, so
 * counts around multiples of sixteen, at every length where the padding
 * changes shape (0, 55 and 56, 63 and 64 bytes into a block), and the
 * lengths mixed in every order. */
START_TEST(sha256_many_groups_of_a_length)
{
	static const size_t lens[] = { 0, 1, 55, 56, 63, 64, 65, 108, 119, 120,
				       127, 128, 197, 511, 512, 600 };
	static const size_t counts[] = { 15, 16, 17, 33, 47, 300 };
	static unsigned char data[300][700];
	const unsigned char *msg[300];
	size_t len[300];
	unsigned char (*out)[32] = calloc(300, 32), want[32];

	for (int i = 0; i < 300; i++) {
		fill(data[i], sizeof(data[i]), (unsigned)i + 77);
		msg[i] = data[i];
	}
	for (unsigned lv = 0; lv <= sb_sha256_lanes_best(); lv++) {
		sb_sha256_lanes_max(lv);
		for (size_t a = 0; a < sizeof(lens) / sizeof(lens[0]); a++)
			for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
				size_t n = counts[c];
				for (size_t i = 0; i < n; i++)
					len[i] = lens[a];
				/* the last count mixes all lengths, in turn */
				if (n == 300)
					for (size_t i = 0; i < n; i++)
						len[i] = lens[(i * 7 + a) % 16];
				memset(out, 0, 300 * 32);
				sb_sha256_many(out, msg, len, n);
				for (size_t i = 0; i < n; i++) {
					sb_sha256(want, msg[i], len[i]);
					ck_assert_msg(memcmp(out[i], want, 32) == 0,
						      "level %u: message %zu of %zu (%zu "
						      "bytes) differs", lv, i, n, len[i]);
				}
			}
	}
	sb_sha256_lanes_max(SB_SHA256_AVX512);
	free(out);
}
END_TEST

START_TEST(merkle_subtrees_and_append)
{
	enum { N = 100 };
	unsigned char leaves[N][32], a[32], b[32];

	for (int i = 0; i < N; i++)
		fill(leaves[i], 32, (unsigned)i + 1000);
	/* a tree built from an aligned head and any tail */
	for (size_t head = 0; head <= 64; head = head ? head * 2 : 1) {
		for (size_t tail = 0; head + tail <= N && (tail < head || head == 0 || tail == 0);
		     tail++) {
			struct sb_merkle_acc x, y;
			if (head == 0 && tail > 0)
				break;
			sb_merkle_acc_init(&x);
			sb_merkle_acc_init(&y);
			for (size_t i = 0; i < head; i++)
				sb_merkle_acc_push(&x, leaves[i]);
			for (size_t i = 0; i < tail; i++)
				sb_merkle_acc_push(&y, leaves[head + i]);
			sb_merkle_acc_append(&x, &y);
			ck_assert_uint_eq(x.n, head + tail);
			sb_merkle_acc_root(&x, a);
			sb_merkle_root(b, (const unsigned char (*)[32])leaves, head + tail);
			ck_assert_mem_eq(a, b, 32);
		}
	}
	/* a perfect subtree of 8 pushed whole after 16 single leaves */
	{
		struct sb_merkle_acc x;
		sb_merkle_acc_init(&x);
		for (int i = 0; i < 16; i++)
			sb_merkle_acc_push(&x, leaves[i]);
		sb_merkle_root(a, (const unsigned char (*)[32])(leaves + 16), 8);
		sb_merkle_acc_push_subtree(&x, a, 3);
		sb_merkle_acc_push(&x, leaves[24]);
		sb_merkle_acc_root(&x, a);
		sb_merkle_root(b, (const unsigned char (*)[32])leaves, 25);
		ck_assert_mem_eq(a, b, 32);
	}
}
END_TEST

/* chunk size (log2) and threads; 0,0 are the defaults */
static const unsigned tunes[][2] = { { 0, 0 }, { 2, 3 }, { 3, 2 }, { 2, 1 }, { 9, 2 } };
#define NTUNES (int)(sizeof(tunes) / sizeof(tunes[0]))

static void append_n(struct sb_inv *db, int from, int to)
{
	ck_assert_int_eq(sb_inv_begin(db), 0);
	for (int i = from; i <= to; i++) {
		json_t *p = json_pack("{s:i, s:s}", "n", i, "what", "bulk event");
		ck_assert_int_eq(sb_inv_ledger_append(db, "operator:test", "test.bulk", p), 0);
		json_decref(p);
	}
	ck_assert_int_eq(sb_inv_commit(db), 0);
}

static void checkpoint_now(struct sb_inv *db)
{
	struct sb_inv_checkpoint c;

	ck_assert_int_eq(sb_inv_checkpoint_make(db, NULL, NULL, &c), 0);
	sb_inv_checkpoint_release(&c);
}

/* 1100 events (whole batches of 256, chunks of 512 for tune 9), a big
 * payload, checkpoints inside batches, on batch and chunk borders: every
 * way of cutting gives the one-pass root and head. */
START_TEST(verify_chunked_same_answer)
{
	struct sb_inv *db = filled(300);
	unsigned char (*leaves)[32] = NULL, root[32];
	char *big = malloc(40000);
	struct sb_inv_verify v, first;
	int64_t n = 0;

	checkpoint_now(db);		/* 300: inside a batch */
	append_n(db, 301, 512);
	checkpoint_now(db);		/* 512: a chunk border for 2^9 */
	memset(big, 'x', 39999);
	big[0] = '"';
	big[39998] = '"';
	big[39999] = '\0';
	ck_assert_int_eq(sb_inv_ledger_append_raw(db, "operator:test", "test.big", big,
						  strlen(big), NULL), 0);
	append_n(db, 514, 768);
	checkpoint_now(db);		/* 768: a batch border */
	append_n(db, 769, 1100);
	checkpoint_now(db);
	checkpoint_now(db);		/* the same size twice */
	ck_assert_int_eq(sb_inv_leaves(db, &leaves, &n, 0), 0);
	ck_assert_int_eq(n, 1100);
	sb_merkle_root(root, (const unsigned char (*)[32])leaves, (size_t)n);
	free(leaves);
	for (unsigned lanes = 0; lanes <= sb_sha256_lanes_best(); lanes++) {
		sb_sha256_lanes_max(lanes);
		for (int t = 0; t < NTUNES; t++) {
			sb_inv_verify_tune(tunes[t][0], tunes[t][1]);
			ck_assert_int_eq(sb_inv_verify(db, &v), 0);
			ck_assert_msg(v.problem == SB_INV_OK, "tune %d: %s", t, v.detail);
			ck_assert_int_eq(v.events, 1100);
			ck_assert_int_eq(v.checkpoints, 5);
			ck_assert_mem_eq(v.root, root, 32);
			/* the chunked check said so, not the one-pass one */
			ck_assert_uint_ge(v.threads, 1);
			if (tunes[t][1])
				ck_assert_uint_eq(v.threads, tunes[t][1]);
			if (t == 0 && lanes == 0)
				first = v;
			else
				ck_assert_mem_eq(v.head, first.head, 32);
		}
	}
	/* the big payload changed by one byte */
	sb_inv_verify_tune(3, 2);
	sql(db, UNGUARD "UPDATE ledger SET payload = replace(payload, 'xxx\"', 'xxy\"') "
	    "WHERE seq = 513");
	expect_problem(db, SB_INV_CHANGED, 513);
	sb_inv_verify_tune(0, 0);
	sb_sha256_lanes_max(SB_SHA256_AVX512);
	free(big);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* Each tampering at a chunk's first, middle and last event, for each way
 * of cutting: the same first bad event as one pass. */
static const struct {
	const char *sql;
	enum sb_inv_problem p;
	int seq;
} tampers[] = {
	{ "UPDATE ledger SET payload = '{\"n\":0}' WHERE seq = 9", SB_INV_CHANGED, 9 },
	{ "UPDATE ledger SET payload = '{\"n\":0}' WHERE seq = 10", SB_INV_CHANGED, 10 },
	{ "UPDATE ledger SET actor = 'operator:mallory' WHERE seq = 12", SB_INV_CHANGED, 12 },
	{ "UPDATE ledger SET prev = zeroblob(32) WHERE seq = 13", SB_INV_CHANGED, 13 },
	{ "UPDATE ledger SET hash = zeroblob(32) WHERE seq = 16", SB_INV_CHANGED, 16 },
	{ "UPDATE ledger SET payload_sha256 = zeroblob(32) WHERE seq = 5", SB_INV_CHANGED, 5 },
	{ "DELETE FROM ledger WHERE seq = 9", SB_INV_DELETED, 9 },
	{ "DELETE FROM ledger WHERE seq = 8", SB_INV_DELETED, 8 },
	{ "DELETE FROM ledger WHERE seq = 9; UPDATE ledger SET seq = seq - 1 WHERE seq > 9",
	  SB_INV_DELETED, 9 },
	{ "DELETE FROM ledger WHERE seq = 1; UPDATE ledger SET seq = seq - 1",
	  SB_INV_DELETED, 1 },
	{ "UPDATE ledger SET seq = seq + 1000 WHERE seq > 8;"
	  "UPDATE ledger SET seq = seq - 999 WHERE seq > 1000;"
	  "INSERT INTO ledger SELECT 9, time, actor, kind, payload, payload_sha256, "
	  "prev, hash FROM ledger WHERE seq = 3", SB_INV_INSERTED, 9 },
	{ "UPDATE ledger SET seq = -1 WHERE seq = 8;"
	  "UPDATE ledger SET seq = 8 WHERE seq = 9;"
	  "UPDATE ledger SET seq = 9 WHERE seq = -1", SB_INV_REORDERED, 8 },
	{ "UPDATE ledger SET seq = -1 WHERE seq = 10;"
	  "UPDATE ledger SET seq = 10 WHERE seq = 11;"
	  "UPDATE ledger SET seq = 11 WHERE seq = -1", SB_INV_REORDERED, 10 },
	{ "INSERT INTO ledger SELECT 0, time, actor, kind, payload, payload_sha256, "
	  "prev, hash FROM ledger WHERE seq = 3", SB_INV_INSERTED, 0 },
	{ "UPDATE ledger SET payload_sha256 = x'00' WHERE seq = 17", SB_INV_CHANGED, 17 },
};
#define NTAMPERS (int)(sizeof(tampers) / sizeof(tampers[0]))

START_TEST(verify_chunked_names_first_bad_event)
{
	int k = _i / NTUNES, t = _i % NTUNES;
	struct sb_inv *db = filled(20);
	char buf[600];

	sb_inv_verify_tune(tunes[t][0], tunes[t][1]);
	snprintf(buf, sizeof(buf), UNGUARD "%s", tampers[k].sql);
	sql(db, buf);
	if (tampers[k].seq == 0) {
		/* an event 0 before the first: the serial path's verdict,
		 * whatever it is, and never "ok" */
		struct sb_inv_verify v;
		ck_assert_int_eq(sb_inv_verify(db, &v), 0);
		ck_assert_int_ne(v.problem, SB_INV_OK);
		ck_assert_int_ne(v.problem, SB_INV_GUARD);
	} else {
		expect_problem(db, tampers[k].p, tampers[k].seq);
	}
	sb_inv_verify_tune(0, 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* A checkpoint in the middle of a chunk that no longer matches. */
START_TEST(verify_chunked_checkpoint_mismatch)
{
	struct sb_inv *db = filled(6);
	struct sb_inv_verify v;

	checkpoint_now(db);
	append_n(db, 7, 20);
	sql(db, "DROP TRIGGER checkpoints_no_update;"
	    "UPDATE checkpoints SET root = zeroblob(32)");
	for (int t = 0; t < NTUNES; t++) {
		sb_inv_verify_tune(tunes[t][0], tunes[t][1]);
		ck_assert_int_eq(sb_inv_verify(db, &v), 0);
		ck_assert_int_eq(v.problem, SB_INV_CHECKPOINT);
	}
	sb_inv_verify_tune(0, 0);
	sb_inv_close(db);
	rmdb();
}
END_TEST

/* ---- the read-ahead VFS of the scanning connections (scanvfs.c) ---- */

static void exec(sqlite3 *c, const char *s);

/* A writer, or a scanning reader through the scan VFS: with inplace,
 * SQLite takes pages in place from its windows (xFetch), as verify's
 * connections do; without, it reads copies (xRead). */
static sqlite3 *open_conn(const char *path, bool scan, bool inplace)
{
	sqlite3 *c = NULL;
	const char *vfs = scan ? sb_inv_scan_vfs() : NULL;

	if (scan)
		ck_assert_ptr_nonnull(vfs);
	ck_assert_int_eq(sqlite3_open_v2(path, &c, scan ? SQLITE_OPEN_READONLY :
					 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 vfs), SQLITE_OK);
	sqlite3_busy_timeout(c, 5000);
	exec(c, inplace ? "PRAGMA mmap_size = 2147418112" : "PRAGMA mmap_size = 0");
	return c;
}

static void exec(sqlite3 *c, const char *s)
{
	char *err = NULL;

	if (sqlite3_exec(c, s, NULL, NULL, &err) != SQLITE_OK)
		ck_abort_msg("%s: %s", s, err);
}

/* Every row's bytes folded into one digest, and the number of rows;
 * then the same again with two cursors far apart in the table, rows
 * paired with the rows a third further on (their pages held at once, in
 * different windows), folded into out too. */
static int digest(sqlite3 *c, unsigned char out[32])
{
	static const char *const q[] = {
		"SELECT id, v FROM t ORDER BY id",
		"SELECT a.id, a.v || b.v FROM t a JOIN t b ON b.id = a.id + "
		"(SELECT count(*) / 3 FROM t) ORDER BY a.id",
	};
	unsigned char h[32], buf[72];
	int n = 0;

	memset(out, 0, 32);
	for (int k = 0; k < 2; k++) {
		sqlite3_stmt *st = NULL;
		ck_assert_int_eq(sqlite3_prepare_v2(c, q[k], -1, &st, NULL), SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			sb_sha256(h, sqlite3_column_blob(st, 1),
				  (size_t)sqlite3_column_bytes(st, 1));
			memcpy(buf, out, 32);
			memcpy(buf + 32, h, 32);
			memcpy(buf + 64, &id, sizeof(id));
			sb_sha256(out, buf, sizeof(buf));
			n += k == 0;
		}
		ck_assert_int_eq(sqlite3_finalize(st), SQLITE_OK);
	}
	return n;
}

/* Files of a partial window, of many windows, and pages of 512 and 64 KiB
 * bytes: through the scan VFS a reader sees what it sees without it. */
START_TEST(scan_vfs_reads_the_same)
{
	static const struct { int page, rows; } cases[] = {
		{ 4096, 20 }, { 4096, 3000 }, { 512, 700 }, { 65536, 2500 },
	};
	const char *path = tmpdb();

	for (size_t k = 0; k < 2 * sizeof(cases) / sizeof(cases[0]); k++) {
		bool inplace = k % 2;
		unsigned char a[32], b[32];
		char q[200];
		sqlite3 *w, *r;

		unlink(path);
		w = open_conn(path, false, false);
		snprintf(q, sizeof(q), "PRAGMA page_size = %d; PRAGMA journal_mode = WAL; "
			 "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB);", cases[k / 2].page);
		exec(w, q);
		snprintf(q, sizeof(q), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
			 "SELECT i + 1 FROM n WHERE i < %d) INSERT INTO t SELECT i, "
			 "randomblob(1 + abs(random()) %% 1500) FROM n", cases[k / 2].rows);
		exec(w, q);
		exec(w, "PRAGMA wal_checkpoint(TRUNCATE)");
		r = open_conn(path, true, inplace);
		ck_assert_int_eq(digest(w, a), cases[k / 2].rows);
		ck_assert_int_eq(digest(r, b), cases[k / 2].rows);
		ck_assert_mem_eq(a, b, 32);
		/* rows still in the WAL, and rows over a page (overflow pages) */
		exec(w, "UPDATE t SET v = randomblob(70000) WHERE id % 97 = 1");
		ck_assert_int_eq(digest(w, a), cases[k / 2].rows);
		ck_assert_int_eq(digest(r, b), cases[k / 2].rows);
		ck_assert_mem_eq(a, b, 32);
		sqlite3_close(r);
		sqlite3_close(w);
	}
	rmdb();
}
END_TEST

/* A read transaction keeps its snapshot through the scan VFS while a
 * writer changes rows and checkpoints; the next transaction sees the
 * new rows, not what a window kept from the one before (a file of one
 * window, where the next transaction's first read would hit it, and of
 * many). */
START_TEST(scan_vfs_snapshot_and_after)
{
	static const int sizes[] = { 300, 4000 };
	const char *path = tmpdb();

	for (size_t k = 0; k < 2 * sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned char before[32], now[32], want[32];
		int n = sizes[k / 2];
		bool inplace = k % 2;
		char q[400];
		sqlite3 *w, *r;

		unlink(path);
		w = open_conn(path, false, false);
		snprintf(q, sizeof(q), "PRAGMA journal_mode = WAL; CREATE TABLE t (id "
			 "INTEGER PRIMARY KEY, v BLOB); WITH RECURSIVE n(i) AS (SELECT 1 "
			 "UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO t SELECT "
			 "i, randomblob(600) FROM n; PRAGMA wal_checkpoint(TRUNCATE)", n);
		exec(w, q);
		r = open_conn(path, true, inplace);
		exec(r, "BEGIN");
		ck_assert_int_eq(digest(r, before), n);
		exec(w, "UPDATE t SET v = randomblob(600) WHERE id % 5 = 0;"
		     "INSERT INTO t SELECT id + 100000, v FROM t WHERE id <= 100;"
		     "PRAGMA wal_checkpoint(PASSIVE)");
		ck_assert_int_eq(digest(r, now), n);
		ck_assert_mem_eq(now, before, 32);
		exec(r, "COMMIT");
		/* now every page is back in the file, the WAL empty */
		exec(w, "PRAGMA wal_checkpoint(TRUNCATE)");
		ck_assert_int_eq(digest(w, want), n + 100);
		ck_assert_int_eq(digest(r, now), n + 100);
		ck_assert_mem_eq(now, want, 32);
		ck_assert_mem_ne(now, before, 32);
		/* and once more, the rows changed in place */
		exec(w, "UPDATE t SET v = randomblob(600) WHERE id % 3 = 0;"
		     "PRAGMA wal_checkpoint(TRUNCATE)");
		ck_assert_int_eq(digest(w, want), n + 100);
		ck_assert_int_eq(digest(r, now), n + 100);
		ck_assert_mem_eq(now, want, 32);
		sqlite3_close(r);
		sqlite3_close(w);
	}
	rmdb();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify");
	TCase *t = tcase_create("hashing");

	tcase_add_test(t, sha256_many_matches_libcrypto);
	tcase_add_test(t, sha256_many_groups_of_a_length);
	tcase_add_test(t, merkle_subtrees_and_append);
	suite_add_tcase(s, t);
	t = tcase_create("chunks");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, verify_chunked_same_answer);
	tcase_add_loop_test(t, verify_chunked_names_first_bad_event, 0, NTAMPERS * NTUNES);
	tcase_add_test(t, verify_chunked_checkpoint_mismatch);
	suite_add_tcase(s, t);
	t = tcase_create("scan vfs");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, scan_vfs_reads_the_same);
	tcase_add_test(t, scan_vfs_snapshot_and_after);
	suite_add_tcase(s, t);
	return sb_test_run(s);
}
