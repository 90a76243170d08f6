/* Command-layer helpers for commands that use the inventory. */
#ifndef SB_BOOTSTRAP_INV_CLI_H
#define SB_BOOTSTRAP_INV_CLI_H

#include <stdbool.h>

#include "bootstrap/cli.h"
#include "inventory/inventory.h"

/* Open the inventory at --db / $SITEBOOT_DB / the default. Returns 0, or
 * the exit status after printing the error. */
int sb_cli_open_inventory(const struct sb_cli *cli, struct sb_inv **db,
			  bool readonly);

#endif
