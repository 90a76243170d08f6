/* libFuzzer target: the Redfish JSON -> hardware inventory mapping
 * (firmware/redfish_walk.c) on arbitrary bytes. The input is parsed as a
 * JSON object of path -> resource (a whole service in one document; the
 * root is "/redfish/v1/" or, when absent, the input itself), and the walk
 * runs over it with hardware, firmware and $expand on, so every kind of
 * resource handler sees hostile shapes. Seeds: tests/fuzz/seeds/fuzz_redfish. */
#include "common/error.h"
#include "common/hw.h"
#include "common/json.h"
#include "firmware/redfish_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fetch(void *ctx, const char *const *paths, size_t n,
		 struct sb_rf_doc *out)
{
	json_t *svc = ctx;

	for (size_t i = 0; i < n; i++) {
		char path[SB_RF_PATH_MAX];
		char *q;
		json_t *d;

		snprintf(path, sizeof(path), "%s", paths[i]);
		if ((q = strchr(path, '?')))
			*q = '\0';
		d = json_object_get(svc, path);
		/* an unknown path answers the whole input: every handler
		 * meets every shape */
		if (!d)
			d = svc;
		out[i].doc = json_incref(d);
		out[i].raw = json_dumps(d, JSON_COMPACT | JSON_ENCODE_ANY);
		out[i].len = out[i].raw ? strlen(out[i].raw) : 0;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_rf_walk_opts o = { true, true, true, 200 };
	struct sb_hw_inventory inv;
	json_t *svc = NULL, *root;

	if (sb_json_parse(&svc, (const char *)data, size, 1 << 20, "fuzz") != 0) {
		sb_error_clear();
		return 0;
	}
	root = json_object_get(svc, "/redfish/v1/");
	if (!root)
		root = svc;
	sb_hw_inventory_init(&inv);
	sb_rf_walk(&o, root, fetch, svc, &inv, NULL);
	for (size_t i = 0; i < inv.ncomponents; i++)
		if (inv.components[i].evidence >= (int)inv.nevidence)
			abort();
	sb_hw_inventory_release(&inv);
	json_decref(svc);
	sb_error_clear();
	return 0;
}
