/* siteboot: hardware facts as plain types.
 *
 * The BMC drivers (firmware/) and in-band collectors (bootstrap/) produce
 * these; the inventory (inventory/) records them; the BOM (bom/) uses the
 * same component classes. They live here so that those modules never
 * include each other. */
#ifndef SB_COMMON_HW_H
#define SB_COMMON_HW_H

#include <stddef.h>
#include <stdint.h>

enum sb_hw_class {
	SB_HW_CHASSIS,
	SB_HW_BOARD,
	SB_HW_CPU,
	SB_HW_MEMORY,
	SB_HW_DRIVE,
	SB_HW_NIC,
	SB_HW_PSU,
	SB_HW_GPU,
	SB_HW_BMC,
	SB_HW_OTHER,
	SB_HW_CLASS_COUNT
};

/* "chassis", "board", "cpu", "memory", "drive", "nic", "psu", "gpu",
 * "bmc", "other". */
const char *sb_hw_class_name(enum sb_hw_class c);
/* The class for a name, or -1. */
int sb_hw_class_parse(const char *name);
/* NULL-terminated list of the names, for validation and hints. */
extern const char *const sb_hw_class_names[];

/* One physical component as a source saw it. Every string may be NULL
 * (absent) and is owned by the structure. */
struct sb_hw_component {
	enum sb_hw_class cls;
	char *manufacturer;
	char *model;
	char *part_number;
	char *serial;		/* as reported, raw */
	char *asset_tag;
	char *durable_id;	/* WWN, MAC or another identifier that lasts */
	char *location;		/* slot as the source names it: "DIMM_A1" */
	char *name;		/* the source's own name for it */
	uint64_t capacity_bytes;	/* memory, drives; 0 unknown */
	uint32_t speed;		/* MHz for CPU/memory, Mbit/s for NICs */
	uint32_t cores;		/* CPUs */
	char *source;		/* "ipmi-fru", "redfish", "ssh-dmidecode", ... */
	char *path;		/* where in the source: Redfish URI, FRU id */
	int evidence;		/* index into sb_hw_inventory.evidence, -1 */
};

/* One firmware version as a source saw it. */
struct sb_hw_firmware {
	char *name;		/* "BMC", "BIOS", "NIC 1", ... */
	char *version;
	char *component;	/* what it belongs to, if the source says */
	char *source;
	char *path;
	int evidence;
};

/* Raw bytes a fact came from (a Redfish JSON body, a FRU dump, a
 * command's output), kept so the inventory can store it by hash. */
struct sb_hw_evidence {
	char *path;		/* resource path or command */
	char *media_type;	/* "application/json", "application/octet-stream" */
	unsigned char *data;
	size_t len;
};

/* What one target (a BMC or an SSH host) reported. */
struct sb_hw_inventory {
	char *target;		/* the URL or host as given */
	char *protocol;		/* "ipmi", "redfish", "ssh" */
	char *vendor;		/* BMC or system vendor */
	char *product;
	char *system_guid;
	char *chassis_serial;	/* as the source saw it, raw */
	struct sb_hw_component *components;
	size_t ncomponents, components_cap;
	struct sb_hw_firmware *firmware;
	size_t nfirmware, firmware_cap;
	struct sb_hw_evidence *evidence;
	size_t nevidence, evidence_cap;
};

void sb_hw_inventory_init(struct sb_hw_inventory *inv);
void sb_hw_inventory_release(struct sb_hw_inventory *inv);

/* Append a zeroed component (evidence -1, strings NULL) and return it, or
 * NULL when out of memory. The pointer is valid until the next add. */
struct sb_hw_component *sb_hw_add_component(struct sb_hw_inventory *inv,
					    enum sb_hw_class cls,
					    const char *source,
					    const char *path);
struct sb_hw_firmware *sb_hw_add_firmware(struct sb_hw_inventory *inv,
					  const char *name,
					  const char *version,
					  const char *source,
					  const char *path);
/* Copy bytes in as evidence; returns its index or a negative SB_E*. */
int sb_hw_add_evidence(struct sb_hw_inventory *inv, const char *path,
		       const char *media_type, const void *data, size_t len);

/* Set a string field from untrusted text: copies at most `max` bytes,
 * drops control characters, trims white space; empty becomes NULL. */
int sb_hw_set(char **field, const char *text, size_t len);
#define SB_HW_FIELD_MAX 256

#endif
