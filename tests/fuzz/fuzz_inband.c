/* libFuzzer target: the in-band parsers (dmidecode text, lsblk JSON, ip
 * link JSON) and the drive resolver on arbitrary bytes. Seeds: the
 * samples of tests/data/inband. */
#include "bootstrap/inband.h"
#include "common/error.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sb_hw_inventory inv;
	char *path = NULL;

	sb_hw_inventory_init(&inv);
	sb_inband_dmidecode(&inv, (const char *)data, size);
	sb_inband_lsblk(&inv, (const char *)data, size);
	sb_inband_ip_link(&inv, (const char *)data, size);
	for (size_t i = 0; i < inv.ncomponents; i++) {
		const struct sb_hw_component *c = &inv.components[i];
		if (c->serial && sb_inband_drive_path(&path, &inv, c->serial, c->durable_id) == 0)
			free(path);
		path = NULL;
	}
	sb_hw_inventory_release(&inv);
	sb_error_clear();
	return 0;
}
