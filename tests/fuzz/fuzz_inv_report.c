/* libFuzzer target: the hardware report reader of `inventory import`
 * (JSON with base64 evidence) on arbitrary bytes, and the report writer
 * on whatever it accepted. */
#include "common/error.h"
#include "common/json.h"
#include "inventory/inventory.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_hw_inventory hw;
	json_t *doc = NULL;

	if (sb_json_parse(&doc, (const char *)data, size, 1u << 20, "fuzz") == 0) {
		sb_hw_inventory_init(&hw);
		if (sb_inv_report_parse(&hw, doc) == 0) {
			json_t *back = sb_inv_report_json(&hw, true);
			json_decref(back);
		}
		sb_hw_inventory_release(&hw);
		json_decref(doc);
	}
	sb_error_clear();
	return 0;
}
