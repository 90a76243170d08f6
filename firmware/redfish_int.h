/* siteboot: the Redfish driver's private pieces, shared by redfish.c (the
 * HTTP side), redfish_walk.c (JSON -> hardware inventory) and
 * redfish_quirks.c (the vendor quirk table). Private to firmware/; the
 * unit tests and the fuzz target include it to test the mapping without
 * a network. */
#ifndef SB_FIRMWARE_REDFISH_INT_H
#define SB_FIRMWARE_REDFISH_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/hw.h"
#include "firmware/bmc.h"

/* Largest reply body we accept (an $expand of a big collection is the
 * largest thing a BMC sends). */
#define SB_RF_BODY_MAX (32u << 20)
/* Longest resource path we follow. */
#define SB_RF_PATH_MAX 1024

/* ---- fetching ----------------------------------------------------------- */

/* One fetched resource: the parsed document and its raw bytes (kept as
 * evidence). doc is NULL when the resource could not be read (404, a
 * bad reply): the walk tolerates that and moves on. Both are owned by
 * the walk once returned. */
struct sb_rf_doc {
	json_t *doc;
	char *raw;
	size_t len;
};

/* Fetch n resources (paths below /redfish/v1, possibly with a query), in
 * parallel where the fetcher can. Fills out[i] for each. Returns 0, or a
 * negative SB_E* when the whole walk must stop (session lost, BMC gone). */
typedef int (*sb_rf_fetch_fn)(void *ctx, const char *const *paths, size_t n,
			      struct sb_rf_doc *out);

struct sb_rf_walk_opts {
	bool hardware;		/* systems, chassis, managers and below */
	bool firmware;		/* UpdateService/FirmwareInventory */
	bool expand;		/* collections with $expand=.($levels=1) */
	size_t max_resources;	/* stop following links after this many */
};

struct sb_rf_walk_stats {
	size_t fetched;		/* resources asked for */
	size_t missing;		/* of which could not be read */
	size_t rounds;		/* batches (round trips when parallel) */
};

/* Walk the service from its root document, following links (never
 * hard-coded member paths), and append what it finds to inv: components
 * with source "redfish", path = the resource's @odata.id (with a
 * #fragment for members inline in another resource), raw JSON as
 * evidence; firmware versions likewise. Absent optional properties are
 * fine everywhere. Links that leave /redfish/v1 on this host are never
 * followed. */
int sb_rf_walk(const struct sb_rf_walk_opts *o, const json_t *root,
	       sb_rf_fetch_fn fetch, void *ctx, struct sb_hw_inventory *inv,
	       struct sb_rf_walk_stats *stats);

/* Is this @odata.id a path we may follow ("/redfish/v1..." without "..",
 * control characters, a scheme or a host)? */
bool sb_rf_path_ok(const char *p);

/* Does the service root advertise $expand with levels? */
bool sb_rf_root_can_expand(const json_t *root);

/* ---- mapping helpers used by the driver -------------------------------- */

/* The ResetType to send for an action, given the allowed values (a JSON
 * array, or NULL when the BMC does not say: every standard value is
 * assumed). NULL when none fits; for SB_POWER_ACT_CYCLE without
 * "PowerCycle" the driver falls back to ForceOff then On, which
 * sb_rf_reset_allowed() tells. */
const char *sb_rf_reset_type(enum sb_power_action a, const json_t *allowed);
bool sb_rf_reset_allowed(const json_t *allowed, const char *type);

/* PowerState "On"/"Off" (and the transitional states) to ours. */
enum sb_power_state sb_rf_power_state(const char *s);

/* Boot override: Redfish BootSourceOverrideTarget for a device and back. */
const char *sb_rf_boot_target(enum sb_boot_device d);
int sb_rf_boot_parse(struct sb_boot *out, const json_t *boot);

/* The message a Redfish error body carries (error.@Message.ExtendedInfo
 * [0].Message, else error.message), and its MessageId; NULL when none. */
const char *sb_rf_error_text(const json_t *body);
const char *sb_rf_error_id(const json_t *body);

/* ---- vendor quirks: ONE table (redfish_quirks.c, docs/bmc.md) ---------- */

struct sb_rf_quirks {
	const char *name;	/* "generic", "supermicro", "hpe-ilo", ... */
	const char *vendors;	/* '|'-separated, matched case-insensitively
				 * against the root's Vendor or Oem keys */
	/* InsertMedia with Image only: no Inserted/WriteProtected
	 * (Supermicro refuses the request when they are present). */
	bool media_image_only;
	/* Virtual media Ids that play a CD besides MediaTypes CD/DVD
	 * (Supermicro's "UsbCd"), '|'-separated, or NULL. */
	const char *media_cd_ids;
	/* Body of EjectMedia ("{}": iLO refuses an empty body). */
	const char *eject_body;
	/* A MessageId substring meaning "busy (during POST), try again"
	 * and how often / how long apart to retry. */
	const char *busy_message;
	unsigned busy_retries;
	uint32_t busy_wait_ms;
	/* PATCH needs If-Match even when the GET sent no ETag header: use
	 * the body's @odata.etag. */
	bool etag_from_body;
};

extern const struct sb_rf_quirks sb_rf_quirk_table[];
extern const size_t sb_rf_quirk_count;

/* The quirks for a service root (its Vendor, else its Oem keys), or the
 * generic row. */
const struct sb_rf_quirks *sb_rf_quirks_detect(const json_t *root);
/* The row named `name`; SB_EINPUT with a hint when there is none. */
int sb_rf_quirks_by_name(const struct sb_rf_quirks **out, const char *name);
/* Does `id` appear in a '|'-separated list (case-insensitive)? */
bool sb_rf_list_has(const char *list, const char *id);

#endif
