/* Measuring helper: reconcile's BOM phase alone, the two ways it can go
 * (docs/decisions.md, "reconcile's compiled BOM"), for perf stat.
 *
 *   bomphase parse SITE        read and parse the BOM, build the
 *                              expectations (a miss; nothing stored)
 *   bomphase compiled SITE DB  read and hash the BOM, fetch its compiled
 *                              form from DB's bom_compiled (run reconcile
 *                              once first; the row siteboot stored is
 *                              read, whatever its build) and unpack it
 * Both print "nodes lines diagnostics" so that they can be compared. */
#include "bom/bom.h"
#include "bootstrap/inv_cli.h"
#include "common/error.h"
#include "common/yaml.h"
#include "inventory/inventory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void say(const struct sb_inv_expect *e, const struct sb_diags *d)
{
	size_t lines = 0;

	for (size_t i = 0; i < e->nnodes; i++)
		lines += e->nodes[i].nlines;
	printf("%zu %zu %zu\n", e->nnodes, lines, d->n);
}

/* The compiler siteboot stored this BOM's form under (this helper is
 * another build). */
static int siteboots(struct sb_inv *db, const char *sha, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc = SB_ENOTFOUND;

	if (sqlite3_prepare_v2(sb_inv_sqlite(db), "SELECT compiler FROM bom_compiled "
			       "WHERE sha256 = ? LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return sb_inv_sqlerr(db, "read bom_compiled");
	sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else {
		sb_error_set(rc, "no compiled form of this BOM: run reconcile once");
	}
	sqlite3_finalize(st);
	return rc;
}

int main(int argc, char **argv)
{
	struct sb_inv_expect e;
	struct sb_arena a;
	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_inv *db = NULL;
	unsigned char *blob = NULL;
	char *buf = NULL, sha[65], compiler[256];
	size_t len = 0, blen = 0;
	int rc = 1;

	if (argc < 3 || (strcmp(argv[1], "parse") != 0 && strcmp(argv[1], "compiled") != 0) ||
	    (strcmp(argv[1], "compiled") == 0 && argc < 4)) {
		fprintf(stderr, "usage: bomphase parse SITE | bomphase compiled SITE DB\n");
		return 2;
	}
	sb_arena_init(&a, 0);
	sb_diags_init(&d);
	if (strcmp(argv[1], "parse") == 0) {
		if (sb_bom_load(&s, argv[2], &d) || (sb_diags_sort(&d), 0) ||
		    sb_cli_site_expect(&e, &a, s))
			goto out;
	} else {
		if (sb_yaml_read_file(&buf, &len, argv[2], NULL, &d))
			goto out;
		sb_sha256_hex(sha, buf, len);
		if (!sb_cli_bom_compiler(compiler, sizeof(compiler))) {
			sb_error_set(SB_EUNSUPPORTED, "no build-id");
			goto out;
		}
		if (sb_inv_open(&db, argv[3], SB_INV_READONLY | SB_INV_NOCHECK) ||
		    siteboots(db, sha, compiler, sizeof(compiler)) ||
		    sb_inv_bom_compiled_get(db, sha, compiler, &blob, &blen) ||
		    sb_inv_expect_unpack(&e, &a, &d, blob, blen, argv[2], sha))
			goto out;
	}
	say(&e, &d);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "bomphase: %s\n", sb_error_message());
	sb_inv_close(db);
	free(blob);
	free(buf);
	sb_bom_free(s);
	sb_diags_release(&d);
	sb_arena_release(&a);
	return rc;
}
