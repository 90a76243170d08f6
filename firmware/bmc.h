/* siteboot: out-of-band management, the BMC driver interface.
 *
 * A driver is a const table of operations with capability bits (see
 * ../shared/DESIGN.md and docs/bmc.md). The URL scheme picks the driver:
 * ipmi:// -> IPMI 2.0 lanplus (ipmi.c, libfreeipmi); redfish://, https://,
 * redfish+http:// -> Redfish (redfish.c, libcurl + jansson). A capability
 * a driver or a BMC lacks answers SB_EUNSUPPORTED, never a silent success.
 *
 * Every function returns 0 or a negative SB_E* code with a message that
 * names the BMC ("bmc 127.0.0.1:9001: ..."). Secrets never appear in
 * messages, logs or output. One struct sb_bmc is used by one thread at a
 * time; different BMCs may be driven from different threads at once. */
#ifndef SB_FIRMWARE_BMC_H
#define SB_FIRMWARE_BMC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hw.h"
#include "common/url.h"

/* ---- credentials ------------------------------------------------------ */

/* A user and password for one BMC. The password is wiped when released. */
struct sb_bmc_creds {
	char *user;
	char *password;
};
void sb_bmc_creds_release(struct sb_bmc_creds *c);

/* ---- per-BMC settings (data, not code paths) -------------------------- */

struct sb_bmc_opts {
	uint32_t timeout_ms;	/* per request/exchange; default 5000 */
	unsigned retries;	/* retransmissions / request retries; default 2 */
	uint32_t min_interval_ms;	/* rate limit between commands; default 0 */
	/* IPMI */
	int cipher_suite;	/* -1: 17 then 3 (default); 3 or 17 forces one */
	unsigned ipmi_workarounds;	/* libfreeipmi IPMI_WORKAROUND_FLAGS_* */
	/* Redfish / TLS */
	bool insecure;		/* skip TLS verification (loud warning) */
	const char *pin_sha256;	/* expected certificate SHA-256 (hex), or NULL */
	const char *ca_file;	/* extra CA bundle, or NULL */
	const char *quirks;	/* vendor quirk set name, or NULL: detected */
};
void sb_bmc_opts_default(struct sb_bmc_opts *o);

/* ---- what BMCs report ------------------------------------------------- */

enum sb_power_state { SB_POWER_UNKNOWN = 0, SB_POWER_OFF, SB_POWER_ON };
enum sb_power_action {
	SB_POWER_ACT_ON,
	SB_POWER_ACT_OFF,	/* hard off */
	SB_POWER_ACT_CYCLE,	/* off, then on */
	SB_POWER_ACT_RESET,	/* hard reset */
	SB_POWER_ACT_SOFT,	/* ACPI shutdown request */
};
enum sb_boot_device {
	SB_BOOT_NONE = 0,	/* no override */
	SB_BOOT_PXE,
	SB_BOOT_DISK,
	SB_BOOT_CD,
	SB_BOOT_BIOS,
};
struct sb_boot {
	enum sb_boot_device device;
	bool persistent;	/* false: next boot only */
	bool uefi;		/* false: legacy BIOS */
};

const char *sb_power_state_name(enum sb_power_state s);	/* "on", "off" */
const char *sb_power_action_name(enum sb_power_action a);
int sb_power_action_parse(enum sb_power_action *out, const char *s);
const char *sb_boot_device_name(enum sb_boot_device d);	/* "pxe", ... */
int sb_boot_device_parse(enum sb_boot_device *out, const char *s);

/* Identity of the BMC itself (bmc info). Strings are owned. */
struct sb_bmc_info {
	char *vendor;		/* manufacturer name or IANA id */
	char *product;
	char *firmware_version;
	char *system_guid;
	char *protocol_version;	/* "IPMI 2.0", "Redfish 1.15.0" */
	char *cert_sha256;	/* TLS: the BMC certificate's SHA-256 (hex) as
				 * seen, for pinning on first use; else NULL */
};
void sb_bmc_info_release(struct sb_bmc_info *i);

/* A security finding about a BMC (discover reports them). */
struct sb_bmc_finding {
	char *id;		/* stable: "ipmi-cipher-0", "tls-insecure" */
	char *severity;		/* "critical", "high", "medium", "low" */
	char *text;		/* what and why, with the fix */
};

/* One System Event Log record. */
struct sb_sel_entry {
	uint32_t id;
	int64_t time;		/* seconds since the epoch, 0 unknown */
	char *text;
};

/* One virtual media device of a BMC (a Redfish VirtualMedia member). A
 * BMC usually has a CD/DVD drive and a removable one (USB stick or
 * floppy): the Proxmox installer in partition mode boots from the first
 * and reads its answer file from the second. Strings are owned. */
enum {
	SB_MEDIA_CD = 1 << 0,	/* MediaTypes CD or DVD */
	SB_MEDIA_USB = 1 << 1,	/* USBStick, Floppy or Removable */
};
struct sb_media_slot {
	char *id;		/* the member's Id: "CD1", "Floppy1" */
	char *path;		/* its resource (driver-specific), or NULL */
	unsigned kinds;		/* SB_MEDIA_* bits */
	char *types;		/* the MediaTypes as reported: "CD,DVD" */
	bool inserted;
	char *image;		/* the image URL, or NULL */
};
void sb_media_slots_free(struct sb_media_slot *v, size_t n);
/* The SB_MEDIA_* kinds of a media type name ("CD", "USBStick", ...). */
unsigned sb_media_type_kinds(const char *type);
/* A slot choice: NULL or "cd" the first CD/DVD device, "usb" the first
 * removable one (USB stick, floppy), else a device Id compared
 * case-insensitively. Index into v, or -1 with an SB_EUNSUPPORTED
 * message naming the BMC and the devices it has. */
long sb_media_slot_pick(const struct sb_media_slot *v, size_t n,
			const char *slot, const char *bmc);

/* ---- the driver table ------------------------------------------------- */

enum {
	SB_BMC_CAP_POWER = 1 << 0,
	SB_BMC_CAP_BOOT = 1 << 1,
	SB_BMC_CAP_INVENTORY = 1 << 2,
	SB_BMC_CAP_FIRMWARE = 1 << 3,
	SB_BMC_CAP_MEDIA = 1 << 4,
	SB_BMC_CAP_SEL = 1 << 5,
};

struct sb_bmc;

struct sb_bmc_driver {
	const char *name;	/* "ipmi", "redfish" */
	unsigned caps;
	/* Unauthenticated probe: is something of this protocol there? Fills
	 * vendor/product where the protocol tells them unauthenticated. */
	int (*probe)(const struct sb_bmc_url *url,
		     const struct sb_bmc_opts *opts, struct sb_bmc_info *info);
	/* Log in. On success *out is a session the caller closes. */
	int (*open)(struct sb_bmc **out, const struct sb_bmc_url *url,
		    const struct sb_bmc_creds *creds,
		    const struct sb_bmc_opts *opts);
	int (*info)(struct sb_bmc *b, struct sb_bmc_info *out);
	int (*power_get)(struct sb_bmc *b, enum sb_power_state *out);
	int (*power_set)(struct sb_bmc *b, enum sb_power_action a);
	int (*boot_get)(struct sb_bmc *b, struct sb_boot *out);
	int (*boot_set)(struct sb_bmc *b, const struct sb_boot *bt);
	/* Hardware and firmware facts, appended to inv with sources,
	 * paths and raw evidence. */
	int (*inventory_read)(struct sb_bmc *b, struct sb_hw_inventory *inv);
	int (*firmware_read)(struct sb_bmc *b, struct sb_hw_inventory *inv);
	/* Virtual media: the devices, in the BMC's order; insert into the
	 * slot chosen as sb_media_slot_pick() says (read back); eject one
	 * slot, or every slot holding media when slot is NULL. */
	int (*media_list)(struct sb_bmc *b, struct sb_media_slot **out,
			  size_t *n);
	int (*media_insert)(struct sb_bmc *b, const char *slot,
			    const char *image_url);
	int (*media_eject)(struct sb_bmc *b, const char *slot);
	int (*sel_read)(struct sb_bmc *b, struct sb_sel_entry **out, size_t *n);
	/* Findings about this BMC's security (may open extra sessions). */
	int (*security_scan)(const struct sb_bmc_url *url,
			     const struct sb_bmc_creds *creds,
			     const struct sb_bmc_opts *opts,
			     struct sb_bmc_finding **out, size_t *n);
	void (*close)(struct sb_bmc *b);
};

/* Every driver session starts with this header (the driver's own struct
 * has it as its first member), so that the generic layer can name the BMC
 * and enforce the rate limit. sb_bmc_open() fills it after the driver's
 * open() returns; during open() a driver names the BMC itself with
 * sb_bmc_url_hostport(). */
struct sb_bmc {
	const struct sb_bmc_driver *drv;
	struct sb_bmc_url url;
	char name[300];		/* "host:port", for messages */
	struct sb_bmc_opts opts;
	uint64_t last_cmd_ms;	/* monotonic, for min_interval_ms */
};

extern const struct sb_bmc_driver sb_bmc_ipmi_driver;
extern const struct sb_bmc_driver sb_bmc_redfish_driver;

/* The driver for a parsed URL. */
const struct sb_bmc_driver *sb_bmc_driver_for(const struct sb_bmc_url *url);

/* ---- the generic API (bmc.c): checks capabilities, rate-limits, names
 * the BMC in every error. Call these, not the table directly. -------- */

int sb_bmc_open(struct sb_bmc **out, const char *url,
		const struct sb_bmc_creds *creds,
		const struct sb_bmc_opts *opts);
void sb_bmc_close(struct sb_bmc *b);
int sb_bmc_info(struct sb_bmc *b, struct sb_bmc_info *out);
int sb_bmc_power_get(struct sb_bmc *b, enum sb_power_state *out);
int sb_bmc_power_set(struct sb_bmc *b, enum sb_power_action a);
/* Set power and read the state back until it matches (BMCs lie): on/off
 * must reach that state, cycle/reset must end on, soft must reach off.
 * SB_ETIMEOUT naming the state seen when it never does. */
int sb_bmc_power_set_verified(struct sb_bmc *b, enum sb_power_action a,
			      uint32_t timeout_ms,
			      enum sb_power_state *final);
int sb_bmc_boot_get(struct sb_bmc *b, struct sb_boot *out);
/* Set the boot device and read it back; SB_EPROTO when it differs. */
int sb_bmc_boot_set(struct sb_bmc *b, const struct sb_boot *bt);
int sb_bmc_inventory_read(struct sb_bmc *b, struct sb_hw_inventory *inv);
int sb_bmc_firmware_read(struct sb_bmc *b, struct sb_hw_inventory *inv);
/* Virtual media (Redfish). IPMI has none: SB_EUNSUPPORTED naming the
 * alternatives (PXE, a USB stick, the BMC's Redfish URL). */
int sb_bmc_media_list(struct sb_bmc *b, struct sb_media_slot **out, size_t *n);
int sb_bmc_media_insert(struct sb_bmc *b, const char *slot,
			const char *image_url);
int sb_bmc_media_eject(struct sb_bmc *b, const char *slot);
int sb_bmc_sel_read(struct sb_bmc *b, struct sb_sel_entry **out, size_t *n);
void sb_bmc_sel_free(struct sb_sel_entry *v, size_t n);
void sb_bmc_findings_free(struct sb_bmc_finding *v, size_t n);

/* Record-on-first-use pinning (Redfish over HTTPS): connect without
 * trusting the certificate, send nothing secret (a GET of the public
 * service root), and return the leaf certificate's SHA-256 as 64
 * lower-case hex digits. The caller shows or stores it and passes it as
 * opts->pin_sha256 from then on. */
int sb_bmc_tls_fingerprint(char out[65], const char *url,
			   const struct sb_bmc_opts *opts);

/* Is `name` a Redfish vendor quirk set ("generic", "supermicro",
 * "hpe-ilo", "dell-idrac", "lenovo-xcc"; docs/bmc.md)? sb_bmc_opts.quirks
 * is shared by both drivers: the Redfish driver detects its set when the
 * name is not one of these. */
bool sb_bmc_redfish_quirks_known(const char *name);

/* ---- IPMI specifics (ipmi.c, ipmi_fru.c; docs/bmc.md) -----------------
 *
 * sb_bmc_opts.ipmi_workarounds holds libfreeipmi's
 * IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_* bits in its low 16 bits and
 * siteboot's own IPMI workarounds (SB_IPMI_WA_*) above them: what a BMC
 * needs is data, named like FreeIPMI's -W options. sb_bmc_opts.quirks
 * may name a set ("ipmi_sim"); NULL lets the driver detect the few it
 * can recognise from a BMC's answers. */
#define SB_IPMI_WA_BOOT_DEVICE_ONLY (1u << 16)	/* reads back only the device */

/* "opensesspriv,bootdevonly" or a set name ("ipmi_sim") into flags. */
int sb_bmc_ipmi_workarounds_parse(unsigned *out, const char *list);
/* The names of the flags set, comma-separated, into buf. */
void sb_bmc_ipmi_workarounds_name(char *buf, size_t size, unsigned flags);

/* IANA enterprise number of a BMC maker named like "Dell Inc." (first
 * word compared, case-insensitively), or 0 when unknown. */
uint32_t sb_bmc_ipmi_vendor_iana(const char *name);

/* An IPMI FRU image's fields (any may be NULL). */
struct sb_ipmi_fru {
	unsigned chassis_type;	/* SMBIOS chassis type, 0x17 rack mount */
	const char *chassis_part, *chassis_serial;
	const char *board_mfr, *board_name, *board_serial, *board_part;
	const char *product_mfr, *product_name, *product_part,
		*product_version, *product_serial, *product_asset;
};
/* Write a FRU image (common header, chassis, board and product areas,
 * 8-bit ASCII fields of at most 63 bytes). The caller frees *out. */
int sb_bmc_ipmi_fru_build(unsigned char **out, size_t *len,
			  const struct sb_ipmi_fru *f);
/* Parse an untrusted FRU image through libfreeipmi's FRU parser and
 * append its areas to inv as components (source "ipmi-fru", path
 * "PATH/chassis|board|product") with the image itself as evidence. */
int sb_bmc_ipmi_fru_parse(struct sb_hw_inventory *inv, const void *fru,
			  size_t len, const char *path);

#endif
