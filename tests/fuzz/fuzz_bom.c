/* libFuzzer target: the BOM loader (YAML parsing, schema validation, tier
 * checks) on arbitrary bytes. `make fuzz` runs it with seeds from
 * tests/fuzz/seeds/fuzz_bom and tests/data/bom. */
#include "bom/bom.h"
#include "common/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_diags d;
	struct sb_site *s = NULL;

	sb_diags_init(&d);
	if (sb_bom_load_buf(&s, "fuzz.yaml", (const char *)data, size, &d) == 0) {
		struct sb_bom_total *t = NULL;
		size_t n = 0;
		if (sb_bom_totals(&t, &n, s) == 0)
			free(t);
		sb_bom_free(s);
	}
	sb_diags_release(&d);
	sb_error_clear();
	return 0;
}
