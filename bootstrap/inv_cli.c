/* Command-layer glue between the BOM and the inventory: what a site
 * should hold, in the inventory's terms (inventory/ does not read BOMs). */
#include "bootstrap/inv_cli.h"

#include "bootstrap/version.h"
#include "common/buildid.h"
#include "common/error.h"
#include "common/str.h"
#include "common/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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
	x->mfr_parts = l->mfr_parts;
	x->nmfr_parts = l->nmfr_parts;
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
	struct sb_bom_node_req *req;
	int rc;

	memset(e, 0, sizeof(*e));
	e->site = s->id;
	e->tier = s->tier;
	nodes = sb_arena_calloc(a, s->nnodes ? s->nnodes : 1, sizeof(*nodes));
	req = calloc(s->nnodes ? s->nnodes : 1, sizeof(*req));
	if (!nodes || !req) {
		free(req);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	if ((rc = sb_bom_site_requirements(s, req))) {
		free(req);
		return rc;
	}
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		struct sb_inv_expect_node *x = &nodes[i];
		struct sb_inv_expect_line *lines;
		struct sb_inv_expect_fw *fw;

		x->name = n->name;
		x->bom_line = n->pos.line;
		lines = sb_arena_calloc(a, n->nlines ? n->nlines : 1, sizeof(*lines));
		fw = sb_arena_calloc(a, n->nfirmware ? n->nfirmware : 1, sizeof(*fw));
		if (!lines || !fw) {
			free(req);
			return sb_error_set(SB_ENOMEM, "out of memory");
		}
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
			if (!sv) {
				free(req);
				return sb_error_set(SB_ENOMEM, "out of memory");
			}
			sv[0] = n->chassis.serial;
			x->chassis.serials = sv;
			x->chassis.nserials = 1;
		}
		x->memory_min = req[i].memory_min;
		x->memory_reason = req[i].memory_min ?
			sb_arena_strdup(a, req[i].memory_reason) : NULL;
	}
	free(req);
	e->nodes = nodes;
	e->nnodes = s->nnodes;
	return 0;
}

bool sb_cli_bom_compiler(char *out, size_t size)
{
	char self[80], yaml[80];

	/* the BOM parser is ours and libyaml's: either changing can change
	 * what a BOM compiles to */
	if (!sb_build_id(self, sizeof(self), NULL))
		return false;
	if (!sb_build_id(yaml, sizeof(yaml), (const void *)yaml_parser_parse))
		snprintf(yaml, sizeof(yaml), "%s", yaml_get_version_string());
	return (size_t)snprintf(out, size, "siteboot %s build-id %s; libyaml %s",
				SB_VERSION, self, yaml) < size;
}

/* ---- discover -> inventory ------------------------------------------------- */

static int record_one(void *ctx, const struct sb_oob_target *t,
		      const struct sb_hw_inventory *inv)
{
	struct sb_cli_recorder *r = ctx;
	struct sb_inv_record_stats st;
	struct sb_inv_ctx c = { 0 };
	int rc;

	c.operator_name = r->operator_name;
	c.site = r->site;
	c.node = t->node;	/* the BOM node, or NULL: the BMC URL names it */
	c.time_ms = sb_time_now_ms();
	rc = sb_inv_record(r->db, inv, &c, &st);
	if (rc)
		return rc;
	r->reports++;
	r->components += st.components;
	r->new_components += st.new_components;
	r->events += st.events;
	return 0;
}

int sb_cli_recorder_begin(struct sb_cli_recorder *r, const struct sb_cli *cli,
			  const char *bom_path, struct sb_oob_request *req)
{
	const char *u = getenv("SUDO_USER");
	char actor[160];
	int rc;

	memset(r, 0, sizeof(*r));
	if (!u || !*u)
		u = getenv("USER");
	sb_strlcpy(r->operator_name, u && *u ? u : "siteboot", sizeof(r->operator_name));
	if (bom_path) {
		struct sb_diags d;
		sb_diags_init(&d);
		rc = sb_bom_load(&r->site_bom, bom_path, &d);
		sb_diags_release(&d);
		if (rc)
			return sb_cli_fail(cli, rc);
		r->site = r->site_bom->id;
	}
	rc = sb_inv_open(&r->db, sb_cli_db_path(cli), 0);
	if (rc) {
		sb_error_prefix("cannot record what discover reads: ");
		rc = sb_cli_fail(cli, rc);
		sb_bom_free(r->site_bom);
		r->site_bom = NULL;
		return rc;
	}
	if (r->site_bom) {
		bool is_new;
		snprintf(actor, sizeof(actor), "operator:%s", r->operator_name);
		if ((rc = sb_inv_bom_record(r->db, r->site, r->site_bom->tier,
					    r->site_bom->sha256, r->site_bom->path,
					    actor, &is_new))) {
			rc = sb_cli_fail(cli, rc);
			sb_cli_recorder_end(r, cli);
			return rc;
		}
	}
	req->on_inventory = record_one;
	req->inventory_ctx = r;
	return 0;
}

void sb_cli_recorder_end(struct sb_cli_recorder *r, const struct sb_cli *cli)
{
	if (r->db && r->reports && !cli->json && cli->verbosity > 0)
		fprintf(stderr, "siteboot: recorded %zu report%s in %s: %zu components "
			"(%zu new), %zu ledger events\n", r->reports,
			r->reports == 1 ? "" : "s", sb_inv_path(r->db), r->components,
			r->new_components, r->events);
	sb_inv_close(r->db);
	sb_bom_free(r->site_bom);
	memset(r, 0, sizeof(*r));
}
