/* Redfish vendor quirks: ONE table, keyed by vendor, documented in
 * docs/bmc.md ("Redfish vendor quirks"). The driver asks the row what to
 * do; nothing else in the driver branches on a vendor. A BMC whose vendor
 * is unknown gets the generic row, which follows the DMTF specification
 * and tolerates absent optional properties. `--quirks NAME` (opts->quirks)
 * forces a row. */
#include "firmware/redfish_int.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <string.h>
#include <strings.h>

const struct sb_rf_quirks sb_rf_quirk_table[] = {
	{
		.name = "generic",
		.vendors = NULL,
		.eject_body = "{}",
	},
	{
		/* Supermicro X11/X12/X13: InsertMedia refuses Inserted and
		 * WriteProtected ("unrecognized parameter"); the CD device is
		 * called UsbCd on some firmware and lists MediaTypes
		 * USBStick. */
		.name = "supermicro",
		.vendors = "Supermicro",
		.media_image_only = true,
		.media_cd_ids = "UsbCd|CD1",
		.eject_body = "{}",
	},
	{
		/* HPE iLO 5/6: EjectMedia wants a JSON body ({}), and virtual
		 * media and boot changes are refused while the server is in
		 * POST (iLO.2.x.UnableToModifyDuringSystemPOST): wait and
		 * retry. PATCH wants If-Match with the body's @odata.etag. */
		.name = "hpe-ilo",
		.vendors = "HPE|Hpe|Hp|Hewlett Packard Enterprise",
		.eject_body = "{}",
		.busy_message = "UnableToModifyDuringSystemPOST",
		.busy_retries = 10,
		.busy_wait_ms = 3000,
		.etag_from_body = true,
	},
	{
		/* Dell iDRAC 9: a job may hold the system ("busy"), which
		 * passes after a few seconds. */
		.name = "dell-idrac",
		.vendors = "Dell|Dell Inc.",
		.eject_body = "{}",
		.busy_message = "SYS029",
		.busy_retries = 5,
		.busy_wait_ms = 2000,
	},
	{
		/* Lenovo XCC: PATCH of Boot wants If-Match. */
		.name = "lenovo-xcc",
		.vendors = "Lenovo",
		.eject_body = "{}",
		.etag_from_body = true,
	},
};

const size_t sb_rf_quirk_count =
	sizeof(sb_rf_quirk_table) / sizeof(sb_rf_quirk_table[0]);

bool sb_rf_list_has(const char *list, const char *id)
{
	size_t n;

	if (!list || !id || !*id)
		return false;
	n = strlen(id);
	while (*list) {
		const char *bar = strchr(list, '|');
		size_t len = bar ? (size_t)(bar - list) : strlen(list);

		if (len == n && strncasecmp(list, id, n) == 0)
			return true;
		if (!bar)
			break;
		list = bar + 1;
	}
	return false;
}

static const struct sb_rf_quirks *by_vendor(const char *vendor)
{
	for (size_t i = 1; i < sb_rf_quirk_count; i++)
		if (sb_rf_list_has(sb_rf_quirk_table[i].vendors, vendor))
			return &sb_rf_quirk_table[i];
	return NULL;
}

const struct sb_rf_quirks *sb_rf_quirks_detect(const json_t *root)
{
	const struct sb_rf_quirks *q = by_vendor(sb_json_str(root, "Vendor"));
	json_t *oem = sb_json_obj(root, "Oem");
	const char *key;
	json_t *v;

	if (q)
		return q;
	/* Before Redfish 1.5 the root had no Vendor; the Oem section is
	 * keyed by the vendor's name. */
	json_object_foreach(oem, key, v) {
		(void)v;
		if ((q = by_vendor(key)))
			return q;
	}
	return &sb_rf_quirk_table[0];
}

int sb_rf_quirks_by_name(const struct sb_rf_quirks **out, const char *name)
{
	const char *names[16];
	char hint[256];
	size_t i, n = 0;

	for (i = 0; i < sb_rf_quirk_count; i++) {
		if (strcmp(sb_rf_quirk_table[i].name, name) == 0) {
			*out = &sb_rf_quirk_table[i];
			return 0;
		}
		if (n < 15)
			names[n++] = sb_rf_quirk_table[i].name;
	}
	names[n] = NULL;
	sb_hint_choice(hint, sizeof(hint), name, names, "known quirk sets:", true);
	return sb_error_set(SB_EINPUT, "unknown Redfish quirk set '%s'; %s",
			    name, hint);
}

bool sb_bmc_redfish_quirks_known(const char *name)
{
	for (size_t i = 0; name && i < sb_rf_quirk_count; i++)
		if (strcmp(sb_rf_quirk_table[i].name, name) == 0)
			return true;
	return false;
}
