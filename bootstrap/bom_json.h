/* siteboot: the JSON form of a BOM node, as `siteboot bom show --json`
 * prints it in "nodes" (a documented contract, docs/bom.md). The lab hands
 * it to its Redfish emulator (--node NODE.json). Private to bootstrap/. */
#ifndef SB_BOOTSTRAP_BOM_JSON_H
#define SB_BOOTSTRAP_BOM_JSON_H

#include <jansson.h>

#include "bom/bom.h"

/* A new reference, or NULL when out of memory. */
json_t *sb_cli_bom_node_json(const struct sb_bom_node *n);

#endif
