/* siteboot: out-of-band work over many BMCs at once (discover, power,
 * boot, media, bmc info). Private to bootstrap/; the commands live in
 * cmd_oob.c, the JSON contracts in oob_json.c (docs/oob.md).
 *
 * Three pieces:
 *   targets      which BMCs: BOM nodes (names, ranges, --all) or BMC URLs
 *                (ranges allowed), each with the credential it names;
 *   credentials  a secrets file (YAML name -> user/password, mode 0600 or
 *                stricter) or SITEBOOT_BMC_USER / SITEBOOT_BMC_PASSWORD;
 *   fan-out      sb_oob_run(): every target on a bounded pool, each with
 *                its own timeouts; results handed back one at a time, in
 *                completion order, as they arrive.
 *
 * Secrets stay in struct sb_oob_creds and struct sb_bmc_creds; nothing here
 * formats them into a message or a result. */
#ifndef SB_BOOTSTRAP_OOB_H
#define SB_BOOTSTRAP_OOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bom/bom.h"
#include "common/diag.h"
#include "common/hw.h"
#include "firmware/bmc.h"

/* ---- targets ----------------------------------------------------------- */

struct sb_oob_target {
	char *name;		/* node name, or the URL as given */
	char *node;		/* BOM node name, or NULL */
	char *url;		/* one BMC URL, no ranges */
	char *credential;	/* credential name (BOM), or NULL */
};

struct sb_oob_targets {
	struct sb_oob_target *v;
	size_t n, cap;
};

/* Add the BOM nodes matching `patterns` (names and ranges such as
 * "edge-n[01-03]"), or every node when `all`. A selected node without a
 * BMC URL is SB_EINPUT naming it. */
int sb_oob_targets_add_site(struct sb_oob_targets *t, const struct sb_site *s,
			    const char *const *patterns, size_t npatterns,
			    bool all);
/* Add BMC URLs from one --bmc value, ranges expanded
 * ("ipmi://admin@127.0.0.1:[9001-9100]"); each URL is checked. */
int sb_oob_targets_add_urls(struct sb_oob_targets *t, const char *pattern);
/* Targets for `discover --scan`: each address in the (range) pattern
 * becomes one ipmi:// target on ipmi_port and one Redfish target on
 * rf_port (redfish+http:// when rf_http), each named by its URL. */
int sb_oob_targets_add_scan(struct sb_oob_targets *t, const char *pattern,
			    unsigned ipmi_port, unsigned rf_port, bool rf_http);
void sb_oob_targets_release(struct sb_oob_targets *t);

/* ---- credentials -------------------------------------------------------- */

struct sb_oob_cred {
	char *name;
	char *user;
	char *password;		/* wiped on release */
};

struct sb_oob_creds {
	struct sb_oob_cred *v;	/* from the file */
	size_t n;
	char *file;		/* its path, for messages; NULL when none */
	char *env_user;		/* SITEBOOT_BMC_USER */
	char *env_password;	/* SITEBOOT_BMC_PASSWORD, wiped on release */
};

/* Load a credentials file: refused unless mode 0600 or stricter. Format:
 *
 *   NAME:
 *     user: USER
 *     password: PASSWORD
 *
 * Problems go to `diags` with FILE:LINE:COL (never quoting a password);
 * returns SB_EINPUT when the file is unusable. */
int sb_oob_creds_load(struct sb_oob_creds *c, const char *path,
		      struct sb_diags *diags);
/* The same from bytes (no mode check), for tests. */
int sb_oob_creds_parse(struct sb_oob_creds *c, const char *file,
		       const char *buf, size_t len, struct sb_diags *diags);
/* Take SITEBOOT_BMC_USER / SITEBOOT_BMC_PASSWORD from the environment. */
int sb_oob_creds_from_env(struct sb_oob_creds *c);
void sb_oob_creds_release(struct sb_oob_creds *c);

/* The user and password for one target. From the file when it names the
 * target's credential (or `fallback`, the --credential name, or its only
 * entry), else from the environment. The user in the target's URL, when
 * present, wins over the source's user. SB_EAUTH naming the target and
 * the fix when nothing applies. */
int sb_oob_creds_for(struct sb_bmc_creds *out, const struct sb_oob_creds *c,
		     const struct sb_oob_target *t, const char *fallback);

/* ---- fan-out -------------------------------------------------------------- */

enum sb_oob_op {
	SB_OOB_POWER_STATUS,
	SB_OOB_POWER,		/* act.power, verified by reading back */
	SB_OOB_BOOT,		/* act.boot, read back */
	SB_OOB_MEDIA_INSERT,
	SB_OOB_MEDIA_EJECT,
	SB_OOB_MEDIA_STATUS,	/* the virtual media devices and what they hold */
	SB_OOB_INFO,
	SB_OOB_DISCOVER,	/* info, inventory, firmware, security */
	SB_OOB_SCAN,		/* probe; credentials and security if found */
};

struct sb_oob_result;

/* Called once per finished target, serialized (never two at once), in
 * completion order, with `done` of `total` finished so far. */
typedef void (*sb_oob_result_fn)(const struct sb_oob_result *r, size_t done,
				 size_t total, void *ctx);

/* The inventory's seam: discover hands each target's hardware inventory
 * to this function (serialized like sb_oob_result_fn, so it may write to a
 * database without locking). A non-zero SB_E* return fails that target
 * with the function's message ("recording failed: ..."). */
typedef int (*sb_oob_inventory_fn)(void *ctx, const struct sb_oob_target *t,
				   const struct sb_hw_inventory *inv);

struct sb_oob_request {
	enum sb_oob_op op;
	enum sb_power_action power;
	uint32_t verify_timeout_ms;	/* power changes: read-back bound */
	struct sb_boot boot;
	const char *image_url;		/* media insert */
	const char *slot;		/* media: cd, usb, a device Id, or NULL
					 * (insert: cd; eject: every device) */
	struct sb_bmc_opts opts;	/* timeouts, retries, rate limit, TLS */
	unsigned parallel;		/* default 64 */
	const struct sb_oob_creds *creds;
	const char *credential;		/* --credential: name for URL targets */
	bool security;			/* discover/scan: run the security scan */
	sb_oob_result_fn on_result;
	void *ctx;
	sb_oob_inventory_fn on_inventory;	/* discover only; may be NULL */
	void *inventory_ctx;
};

void sb_oob_request_init(struct sb_oob_request *r, enum sb_oob_op op);

struct sb_oob_result {
	const struct sb_oob_target *target;
	bool done;		/* false: canceled before it started */
	int rc;			/* 0 or the SB_E* that failed it */
	char *error;		/* its message when rc != 0 */
	uint64_t elapsed_ms;
	enum sb_power_state power;	/* power ops */
	struct sb_boot boot;		/* boot */
	struct sb_media_slot *slots;	/* media (status: all; else the one used) */
	size_t nslots;
	struct sb_bmc_info info;	/* info, discover, scan (probe) */
	struct sb_hw_inventory inv;	/* discover */
	struct sb_bmc_finding *findings;	/* discover, scan */
	size_t nfindings;
	char *security_error;	/* the security scan failed: why */
	const char *protocol;	/* "ipmi", "redfish" */
	const char *credentials;	/* scan: "ok", "failed", "untested" */
	char *warning;		/* a non-fatal problem (e.g. no inventory) */
	int64_t time_ms;	/* wall clock when it finished */
};

/* Run `req` over every target; *out gets one result per target, in
 * target order (free with sb_oob_results_free). Returns 0 once all ran
 * (look at each result's rc), or an SB_E* when the run itself failed. */
int sb_oob_run(struct sb_oob_result **out, const struct sb_oob_targets *t,
	       const struct sb_oob_request *req);
void sb_oob_results_free(struct sb_oob_result *r, size_t n);

/* ---- JSON (oob_json.c): the documented contracts ------------------------ */

#include <jansson.h>

/* One result as the --json array element of its command. A discover
 * result is a hardware report (inventory/inventory.h, sb_inv_report_json:
 * the same document `siteboot inventory import` reads back) plus the
 * command's own keys; `evidence_data` puts the evidence bytes in (base64),
 * without which a report cannot be imported. */
json_t *sb_oob_result_json(const struct sb_oob_result *r, enum sb_oob_op op,
			   bool evidence_data);

#endif
