/* Helpers for the inventory unit tests: a database in a fresh folder,
 * a ledger of n events, raw SQL for tampering. */
#ifndef SB_TESTS_INVTEST_H
#define SB_TESTS_INVTEST_H

#include "inventory/inventory.h"

#include <check.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static char dir[256];

static inline const char *tmpdb(void)
{
	static char path[300];

	snprintf(dir, sizeof(dir), "/tmp/sbinv.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/inv.db", dir);
	return path;
}

static inline void rmdb(void)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static inline struct sb_inv *filled(int n)
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

static inline void sql(struct sb_inv *db, const char *s)
{
	char *err = NULL;
	int rc = sqlite3_exec(sb_inv_sqlite(db), s, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		ck_abort_msg("%s: %s", s, err);
}

static inline void expect_problem(struct sb_inv *db, enum sb_inv_problem p, int64_t seq)
{
	struct sb_inv_verify v;

	ck_assert_int_eq(sb_inv_verify(db, &v), 0);
	ck_assert_msg(v.problem == p && v.seq == seq,
		      "expected %s at %lld, got %s at %lld: %s", sb_inv_problem_name(p),
		      (long long)seq, sb_inv_problem_name(v.problem), (long long)v.seq,
		      v.detail);
}

#define UNGUARD "DROP TRIGGER ledger_no_update; DROP TRIGGER ledger_no_delete;"

#endif
