/* Command-layer helpers for commands that use the inventory. */
#ifndef SB_BOOTSTRAP_INV_CLI_H
#define SB_BOOTSTRAP_INV_CLI_H

#include <stdbool.h>

#include "bom/bom.h"
#include "bootstrap/cli.h"
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

#endif
