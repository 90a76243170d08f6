/* libFuzzer target: the loader of reconcile's compiled BOM
 * (inventory/expect_pack.c) on arbitrary bytes. The digest in the header
 * is recomputed first, so that the input reaches the structural checks a
 * digest would otherwise stop (a blob someone wrote on purpose). What it
 * loads must lie inside the input. Seeds: tests/fuzz/seeds/fuzz_expect_pack
 * (blobs of the example BOMs). */
#include "common/error.h"
#include "inventory/inventory.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const char *s, const unsigned char *b, size_t n)
{
	if (s && (s < (const char *)b || s >= (const char *)b + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_inv_expect e;
	struct sb_arena a;
	struct sb_diags d;
	unsigned char *b;
	char sha[65] = { 0 };

	/* magic[8], digest[32] of the rest, the BOM's SHA-256 in hex[64] */
	if (size < 104 || !(b = malloc(size)))
		return 0;
	memcpy(b, data, size);
	sb_sha256(b + 8, b + 40, size - 40);
	memcpy(sha, b + 40, 64);
	if (strlen(sha) != 64) {
		free(b);
		return 0;
	}
	sb_arena_init(&a, 0);
	sb_diags_init(&d);
	if (sb_inv_expect_unpack(&e, &a, &d, b, size, "fuzz.yaml", sha) == 0) {
		inside(e.site, b, size);
		for (size_t i = 0; i < e.nnodes; i++) {
			const struct sb_inv_expect_node *n = &e.nodes[i];
			inside(n->name, b, size);
			for (size_t k = 0; k < n->nlines; k++)
				for (size_t j = 0; j < n->lines[k].nserials; j++)
					inside(n->lines[k].serials[j], b, size);
		}
	}
	sb_diags_release(&d);
	sb_arena_release(&a);
	free(b);
	sb_error_clear();
	return 0;
}
