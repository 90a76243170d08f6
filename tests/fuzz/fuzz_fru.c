/* libFuzzer target: an IPMI FRU image as a BMC might send it, through
 * libfreeipmi's FRU parser and our mapping to sb_hw components
 * (sb_bmc_ipmi_fru_parse). `make fuzz` seeds it from
 * tests/fuzz/seeds/fuzz_fru (FRU images of the lab's kind). */
#include "common/error.h"
#include "common/hw.h"
#include "firmware/bmc.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_hw_inventory inv;

	sb_hw_inventory_init(&inv);
	if (sb_bmc_ipmi_fru_parse(&inv, data, size, "fru:0") == 0) {
		/* every component must be well formed */
		for (size_t i = 0; i < inv.ncomponents; i++)
			if (!inv.components[i].source || !inv.components[i].path ||
			    inv.components[i].evidence != 0)
				__builtin_trap();
	}
	sb_hw_inventory_release(&inv);
	sb_error_clear();
	return 0;
}
