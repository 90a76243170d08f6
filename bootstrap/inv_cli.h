/* Command-layer helpers for commands that use the inventory. */
#ifndef SB_BOOTSTRAP_INV_CLI_H
#define SB_BOOTSTRAP_INV_CLI_H

#include <stdbool.h>

#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/oob.h"
#include "common/arena.h"
#include "inventory/inventory.h"

/* Open the inventory at --db / $SITEBOOT_DB / the default. Returns 0, or
 * the exit status after printing the error. */
int sb_cli_open_inventory(const struct sb_cli *cli, struct sb_inv **db,
			  bool readonly);

/* What the site should hold, for sb_inv_reconcile(); allocated in `a`,
 * borrowing the site's strings. */
int sb_cli_site_expect(struct sb_inv_expect *e, struct sb_arena *a,
		       const struct sb_site *s);

/* What compiles a BOM in this process, for bom_compiled: siteboot's
 * version and GNU build-id and libyaml's build-id. false (no cache) when
 * siteboot was linked without a build-id. */
bool sb_cli_bom_compiler(char *out, size_t size);

/* discover -> inventory: open the inventory (and record the BOM, when
 * given, as bom.imported), and plug sb_inv_record into the request's
 * on_inventory seam so every target's report is recorded with its
 * evidence as it arrives, mapped to its BOM node. Returns 0 or the exit
 * status after printing the error. */
struct sb_cli_recorder {
	struct sb_inv *db;
	struct sb_site *site_bom;
	const char *site;
	char operator_name[64];
	size_t reports, components, new_components, events;
};
int sb_cli_recorder_begin(struct sb_cli_recorder *r, const struct sb_cli *cli,
			  const char *bom_path, struct sb_oob_request *req);
void sb_cli_recorder_end(struct sb_cli_recorder *r, const struct sb_cli *cli);

#endif
