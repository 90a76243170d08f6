/* Command-layer glue between the BOM and the inventory: what a site
 * should hold, in the inventory's terms (inventory/ does not read BOMs). */
#include "bootstrap/inv_cli.h"

#include "common/error.h"
#include "common/str.h"

#include <string.h>

static void line_from(struct sb_inv_expect_line *x, const struct sb_bom_line *l)
{
	memset(x, 0, sizeof(*x));
	x->id = l->id;
	x->cls = l->cls;
	x->manufacturer = l->manufacturer;
	x->model = l->model;
	x->part_number = l->part_number;
	x->alternates = l->alternates;
	x->nalternates = l->nalternates;
	x->quantity = l->quantity;
	x->slots = l->slots;
	x->nslots = l->nslots;
	x->serials = l->serials;
	x->nserials = l->nserials;
	x->ids = l->macs;
	x->nids = l->nmacs;
	x->po = l->order.po;
	x->po_line = l->order.po_line;
	x->vendor = l->order.vendor;
	x->bom_line = l->pos.line;
	if (l->firmware) {
		x->fw_name = l->firmware->name;
		x->fw_version = l->firmware->version;
		x->fw_min = l->firmware->min_version;
	}
}

int sb_cli_site_expect(struct sb_inv_expect *e, struct sb_arena *a,
		       const struct sb_site *s)
{
	struct sb_inv_expect_node *nodes;
	int rc;

	memset(e, 0, sizeof(*e));
	e->site = s->id;
	e->tier = s->tier;
	nodes = sb_arena_calloc(a, s->nnodes ? s->nnodes : 1, sizeof(*nodes));
	if (!nodes)
		return sb_error_set(SB_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		struct sb_inv_expect_node *x = &nodes[i];
		struct sb_inv_expect_line *lines;
		struct sb_inv_expect_fw *fw;
		struct sb_bom_node_req req;

		x->name = n->name;
		x->bom_line = n->pos.line;
		lines = sb_arena_calloc(a, n->nlines ? n->nlines : 1, sizeof(*lines));
		fw = sb_arena_calloc(a, n->nfirmware ? n->nfirmware : 1, sizeof(*fw));
		if (!lines || !fw)
			return sb_error_set(SB_ENOMEM, "out of memory");
		for (size_t k = 0; k < n->nlines; k++)
			line_from(&lines[k], &n->lines[k]);
		for (size_t k = 0; k < n->nfirmware; k++) {
			fw[k].name = n->firmware[k].name;
			fw[k].version = n->firmware[k].version;
			fw[k].min_version = n->firmware[k].min_version;
			fw[k].bom_line = n->firmware[k].pos.line;
		}
		x->lines = lines;
		x->nlines = n->nlines;
		x->firmware = fw;
		x->nfirmware = n->nfirmware;
		x->chassis.id = "chassis";
		x->chassis.cls = SB_HW_CHASSIS;
		x->chassis.manufacturer = n->chassis.manufacturer;
		x->chassis.model = n->chassis.model;
		x->chassis.part_number = n->chassis.part_number;
		x->chassis.quantity = 1;
		x->chassis.po = n->chassis.order.po;
		x->chassis.po_line = n->chassis.order.po_line;
		x->chassis.vendor = n->chassis.order.vendor;
		x->chassis.bom_line = n->chassis.pos.line ? n->chassis.pos.line : n->pos.line;
		if (n->chassis.serial) {
			const char **sv = sb_arena_calloc(a, 1, sizeof(*sv));
			if (!sv)
				return sb_error_set(SB_ENOMEM, "out of memory");
			sv[0] = n->chassis.serial;
			x->chassis.serials = sv;
			x->chassis.nserials = 1;
		}
		if ((rc = sb_bom_node_requirements(s, n, &req)))
			return rc;
		x->memory_min = req.memory_min;
		x->memory_reason = req.memory_min ? sb_arena_strdup(a, req.memory_reason) : NULL;
	}
	e->nodes = nodes;
	e->nnodes = s->nnodes;
	return 0;
}
