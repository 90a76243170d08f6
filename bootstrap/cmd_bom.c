/* siteboot bom check|show */
#include "bom/bom.h"
#include "bootstrap/bom_json.h"
#include "bootstrap/cli.h"
#include "bootstrap/table.h"
#include "common/error.h"
#include "common/json.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const bom_verbs[] = { "check", "show", NULL };

static int bom_load_any(void **obj, const char *file, struct sb_diags *d)
{
	struct sb_site *s = NULL;
	int rc = sb_bom_load(&s, file, d);

	*obj = s;
	return rc;
}

static void bom_free_any(void *obj)
{
	sb_bom_free(obj);
}

static void bom_facts(json_t *o, const void *obj)
{
	const struct sb_site *s = obj;

	json_object_set_new(o, "site", json_string(s->id));
	json_object_set_new(o, "tier", json_string(s->tier));
	json_object_set_new(o, "nodes", json_integer((json_int_t)s->nnodes));
	json_object_set_new(o, "sha256", json_string(s->sha256));
}

static void bom_summary(char *buf, size_t size, const void *obj)
{
	const struct sb_site *s = obj;

	snprintf(buf, size, "site %s (%s), %zu node%s", s->id, s->tier,
		 s->nnodes, s->nnodes == 1 ? "" : "s");
}

static int bom_check(struct sb_cli *cli, char **files, int nfiles)
{
	static const struct sb_cli_check_kind kind = {
		bom_load_any, bom_free_any, bom_facts, bom_summary
	};

	return sb_cli_check_files(cli, files, nfiles, &kind);
}

static const char *dash(const char *s)
{
	return s && *s ? s : "-";
}

static void join(char *buf, size_t size, const char *const *v, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, "%s%s",
					i ? "," : "", v[i]);
	if (n == 0)
		sb_strlcpy(buf, "-", size);
}

static json_t *strv_json(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *order_json(const struct sb_bom_order *o)
{
	if (!o->po)
		return json_null();
	return json_pack("{s:s, s:s?, s:i}", "po", o->po, "vendor", o->vendor,
			 "line", (int)o->po_line);
}

static json_t *addr_json(const struct sb_bom_addr *a)
{
	if (!a->address)
		return json_null();
	return json_pack("{s:s, s:s?, s:i, s:s?, s:s?, s:s?}", "address",
			 a->address, "ip", a->ip, "prefix", (int)a->prefix,
			 "gateway", a->gateway, "mac", a->mac, "interface",
			 a->interface);
}

static json_t *line_json(const struct sb_bom_line *l)
{
	json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:o, s:i, s:o, s:o}",
			      "id", l->id, "class", sb_hw_class_name(l->cls),
			      "manufacturer", l->manufacturer, "model", l->model,
			      "part_number", l->part_number,
			      "alternates", strv_json(l->alternates, l->nalternates),
			      "quantity", (int)l->quantity,
			      "slots", strv_json(l->slots, l->nslots),
			      "serials", strv_json(l->serials, l->nserials));
	if (!o)
		return NULL;
	if (l->nmfr_parts)
		json_object_set_new(o, "manufacturer_part",
				    strv_json(l->mfr_parts, l->nmfr_parts));
	if (l->nmacs)
		json_object_set_new(o, "macs", strv_json(l->macs, l->nmacs));
	if (l->size_bytes)
		json_object_set_new(o, "size_bytes", json_integer((json_int_t)l->size_bytes));
	if (l->interface)
		json_object_set_new(o, "interface", json_string(l->interface));
	if (l->media)
		json_object_set_new(o, "media", json_string(l->media));
	if (l->use)
		json_object_set_new(o, "use", json_string(l->use));
	if (l->ports)
		json_object_set_new(o, "ports", json_integer(l->ports));
	if (l->speed_mbps)
		json_object_set_new(o, "speed_mbps", json_integer((json_int_t)l->speed_mbps));
	if (l->firmware)
		json_object_set_new(o, "firmware",
				    json_pack("{s:s?, s:s?, s:s?}", "name", l->firmware->name,
					      "version", l->firmware->version,
					      "min_version", l->firmware->min_version));
	json_object_set_new(o, "order", order_json(&l->order));
	json_object_set_new(o, "bom_line", json_integer(l->pos.line));
	return o;
}

json_t *sb_cli_bom_node_json(const struct sb_bom_node *n)
{
	json_t *lines = json_array(), *fw = json_array(), *vms = json_array();
	for (size_t k = 0; k < n->nlines; k++)
		json_array_append_new(lines, line_json(&n->lines[k]));
	for (size_t k = 0; k < n->nfirmware; k++)
		json_array_append_new(fw, json_pack("{s:s?, s:s?, s:s?}", "name",
						    n->firmware[k].name, "version",
						    n->firmware[k].version, "min_version",
						    n->firmware[k].min_version));
	for (size_t k = 0; k < n->nvms; k++) {
		const struct sb_bom_vm *v = &n->vms[k];
		json_array_append_new(vms, json_pack("{s:s, s:o, s:i, s:I, s:I, s:o}",
						     "name", v->name,
						     "roles", strv_json(v->roles, v->nroles),
						     "vcpus", (int)v->vcpus,
						     "memory_bytes", (json_int_t)v->memory_bytes,
						     "disk_bytes", (json_int_t)v->disk_bytes,
						     "mgmt", addr_json(&v->mgmt)));
	}
	json_t *ch = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:o}",
			       "manufacturer", n->chassis.manufacturer,
			       "model", n->chassis.model,
			       "part_number", n->chassis.part_number,
			       "sku", n->chassis.sku, "serial", n->chassis.serial,
			       "order", order_json(&n->chassis.order));
	json_t *o = json_pack("{s:s, s:o, s:s?, s:i, s:i, s:s?, s:s?, s:s?, s:o, s:o, s:{s:s, s:i}, s:o, s:o, s:o, s:o, s:I, s:I, s:i}",
			      "name", n->name, "roles", strv_json(n->roles, n->nroles),
			      "rack", n->rack, "unit", (int)n->unit, "height", (int)n->height,
			      "bmc", n->bmc_url, "credential", n->credential,
			      "hardware", n->hardware,
			      "mgmt", addr_json(&n->mgmt), "data", addr_json(&n->data),
			      "ssh", "user", n->ssh_user, "port", (int)n->ssh_port,
			      "chassis", ch, "components", lines, "firmware", fw,
			      "vms", vms,
			      "memory_bytes", (json_int_t)sb_bom_node_memory(n),
			      "nvme_bytes", (json_int_t)sb_bom_node_nvme(n),
			      "bom_line", (int)n->pos.line);
	return o;
}

static json_t *site_json(const struct sb_site *s, const struct sb_bom_total *t,
			 size_t nt)
{
	json_t *nodes = json_array(), *racks = json_array(), *totals = json_array();
	json_t *images = json_array(), *orders = json_array();

	for (size_t i = 0; i < s->nracks; i++)
		json_array_append_new(racks, json_pack("{s:s, s:s?, s:s?, s:i}",
						       "id", s->racks[i].id, "name", s->racks[i].name,
						       "location", s->racks[i].location,
						       "units", (int)s->racks[i].units));
	for (size_t i = 0; i < s->norders; i++)
		json_array_append_new(orders, json_pack("{s:s, s:s?, s:s?}", "id",
							s->orders[i].id, "vendor", s->orders[i].vendor,
							"date", s->orders[i].date));
	for (size_t i = 0; i < s->nimages; i++)
		json_array_append_new(images, json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?}",
							"name", s->images[i].name,
							"version", s->images[i].version,
							"file", s->images[i].file,
							"url", s->images[i].url,
							"sha256", s->images[i].sha256));
	for (size_t i = 0; i < s->nnodes; i++)
		json_array_append_new(nodes, sb_cli_bom_node_json(&s->nodes[i]));
	for (size_t i = 0; i < nt; i++)
		json_array_append_new(totals, json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:I, s:s?}",
							"class", sb_hw_class_name(t[i].cls),
							"part_number", t[i].part_number,
							"manufacturer", t[i].manufacturer,
							"model", t[i].model,
							"quantity", (json_int_t)t[i].quantity,
							"nodes", (json_int_t)t[i].nodes,
							"po", t[i].po));
	json_t *besu = json_pack("{s:o, s:i, s:i, s:i}", "chain_id",
				 s->besu.chain_id ? json_integer((json_int_t)s->besu.chain_id) : json_null(),
				 "block_period", (int)s->besu.block_period,
				 "epoch_length", (int)s->besu.epoch_length,
				 "request_timeout", (int)s->besu.request_timeout);
	return json_pack("{s:s, s:s, s:i, s:{s:s?, s:s?, s:s?, s:s?, s:{s:s?, s:s?, s:s?, s:s?, s:s?}, s:s?, s:s?}, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "file", s->path, "sha256", s->sha256,
			 "schema_version", (int)s->schema_version,
			 "site", "id", s->id, "name", s->name, "tier", s->tier,
			 "timezone", s->timezone, "location", "country", s->country,
			 "region", s->region, "city", s->city, "address", s->address,
			 "facility", s->facility, "contact_email", s->contact_email,
			 "path", s->path,
			 "racks", racks, "orders", orders, "images", images,
			 "nodes", nodes, "totals", totals, "besu", besu);
}

static void show_text(const struct sb_site *s, const struct sb_bom_total *t,
		      size_t nt)
{
	static const char *const node_cols[] = { "NAME", "ROLES", "RACK", "U",
						 "BMC", "MGMT" };
	static const char *const line_cols[] = { "LINE", "CLASS", "QTY",
						 "PART NUMBER", "MODEL",
						 "SLOTS", "PO/LINE", "FIRMWARE" };
	static const char *const total_cols[] = { "CLASS", "PART NUMBER", "QTY",
						  "NODES", "MANUFACTURER",
						  "MODEL", "PO" };
	struct sb_table tb;
	char roles[256];

	printf("Site %s \"%s\", tier %s", s->id, dash(s->name), s->tier);
	if (s->city || s->country)
		printf(", %s%s%s", dash(s->city), s->country ? ", " : "",
		       s->country ? s->country : "");
	printf("\nBOM %s (sha256 %.16s...)\n", s->path, s->sha256);
	if (s->nracks) {
		printf("\nRacks:\n");
		for (size_t i = 0; i < s->nracks; i++)
			printf("  %s: %uU, %s%s%s\n", s->racks[i].id,
			       s->racks[i].units, dash(s->racks[i].name),
			       s->racks[i].location ? ", " : "",
			       s->racks[i].location ? s->racks[i].location : "");
	}
	printf("\nNodes (%zu):\n", s->nnodes);
	sb_table_init(&tb, 2, 6, node_cols);
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		join(roles, sizeof(roles), n->roles, n->nroles);
		sb_table_rowf(&tb, "%s\t%s\t%s\t%.0u\t%s\t%s", n->name, roles,
			      dash(n->rack), n->unit, dash(n->bmc_url),
			      dash(n->mgmt.address));
		for (size_t k = 0; k < n->nvms; k++) {
			join(roles, sizeof(roles), n->vms[k].roles, n->vms[k].nroles);
			sb_table_rowf(&tb, "  vm %s\t%s\t\t\t\t%s", n->vms[k].name,
				      roles, dash(n->vms[k].mgmt.address));
		}
	}
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);

	printf("\nExpected hardware:\n");
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		char mem[32], nvme[32];
		sb_fmt_size(mem, sizeof(mem), sb_bom_node_memory(n), true);
		sb_fmt_size(nvme, sizeof(nvme), sb_bom_node_nvme(n), false);
		printf("\n  %s: %s %s (%s)%s%s; memory %s, NVMe %s\n", n->name,
		       dash(n->chassis.manufacturer), dash(n->chassis.model),
		       dash(n->chassis.part_number),
		       n->chassis.serial ? ", serial " : "",
		       n->chassis.serial ? n->chassis.serial : "", mem, nvme);
		sb_table_init(&tb, 4, 8, line_cols);
		for (size_t k = 0; k < n->nlines; k++) {
			const struct sb_bom_line *l = &n->lines[k];
			char slots[256], po[96] = "", fw[128] = "";
			join(slots, sizeof(slots), l->slots, l->nslots);
			if (l->order.po)
				snprintf(po, sizeof(po), "%s/%u", l->order.po,
					 l->order.po_line);
			if (l->firmware)
				snprintf(fw, sizeof(fw), "%s %s%s", dash(l->firmware->name),
					 l->firmware->min_version ? ">= " : "",
					 l->firmware->min_version ? l->firmware->min_version :
								    dash(l->firmware->version));
			sb_table_rowf(&tb, "%s\t%s\t%u\t%s\t%s\t%s\t%s\t%s", l->id,
				      sb_hw_class_name(l->cls), l->quantity,
				      dash(l->part_number), dash(l->model), slots,
				      po, fw);
		}
		sb_table_print(stdout, &tb);
		sb_table_release(&tb);
		for (size_t k = 0; k < n->nlines; k++) {
			char ser[1024];
			if (!n->lines[k].nserials)
				continue;
			join(ser, sizeof(ser), n->lines[k].serials, n->lines[k].nserials);
			printf("    serials %s: %s\n", n->lines[k].id, ser);
		}
		for (size_t k = 0; k < n->nfirmware; k++)
			printf("    firmware baseline %s %s%s\n", dash(n->firmware[k].name),
			       n->firmware[k].min_version ? ">= " : "",
			       n->firmware[k].min_version ? n->firmware[k].min_version :
							    dash(n->firmware[k].version));
	}
	printf("\nTotals per part number:\n");
	sb_table_init(&tb, 2, 7, total_cols);
	for (size_t i = 0; i < nt; i++)
		sb_table_rowf(&tb, "%s\t%s\t%lu\t%lu\t%s\t%s\t%s",
			      sb_hw_class_name(t[i].cls), t[i].part_number,
			      t[i].quantity, t[i].nodes, dash(t[i].manufacturer),
			      dash(t[i].model), dash(t[i].po));
	sb_table_print(stdout, &tb);
	sb_table_release(&tb);
	if (s->nimages) {
		printf("\nImages:\n");
		for (size_t i = 0; i < s->nimages; i++)
			printf("  %s %s, sha256 %.16s...\n", s->images[i].name,
			       s->images[i].version, s->images[i].sha256);
	}
}

static int bom_show(struct sb_cli *cli, const char *file)
{
	struct sb_diags d;
	struct sb_site *s = NULL;
	struct sb_bom_total *t = NULL;
	size_t nt = 0;
	int rc;

	sb_diags_init(&d);
	rc = sb_bom_load(&s, file, &d);
	sb_diags_sort(&d);
	sb_cli_diags_print(cli, &d);
	sb_diags_release(&d);
	if (rc) {
		if (rc == SB_EINPUT)
			fprintf(stderr, "siteboot bom: error: %s is not a valid BOM; "
				"'siteboot bom check %s' lists its problems\n", file, file);
		return rc == SB_EINPUT ? SB_EXIT_USAGE : sb_cli_fail(cli, rc);
	}
	rc = sb_bom_totals(&t, &nt, s);
	if (rc) {
		sb_bom_free(s);
		return sb_cli_fail(cli, rc);
	}
	if (cli->json) {
		rc = sb_cli_json_out(cli, site_json(s, t, nt));
		if (rc)
			rc = sb_cli_fail(cli, rc);
	} else {
		show_text(s, t, nt);
	}
	free(t);
	sb_bom_free(s);
	return rc;
}

static int run_bom(struct sb_cli *cli, int argc, char **argv)
{
	struct sb_optparse op;
	const char *arg;
	char **files;
	int nfiles = 0, k, rc;

	if (argc < 2)
		return sb_cli_usage_error(cli, "say 'check' or 'show'");
	files = calloc((size_t)argc, sizeof(*files));
	if (!files)
		return SB_EXIT_PROBLEMS;
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, NULL, &arg)) != -2) {
		if (k == -3) {
			free(files);
			return SB_EXIT_USAGE;
		}
		files[nfiles++] = (char *)arg;
	}
	if (strcmp(argv[1], "check") == 0) {
		if (nfiles == 0)
			rc = sb_cli_usage_error(cli, "give at least one BOM file");
		else
			rc = bom_check(cli, files, nfiles);
	} else if (strcmp(argv[1], "show") == 0) {
		if (nfiles != 1)
			rc = sb_cli_usage_error(cli, "give one BOM file");
		else
			rc = bom_show(cli, files[0]);
	} else {
		const char *best = sb_did_you_mean(argv[1], bom_verbs);
		if (best)
			rc = sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?",
						argv[1], best);
		else
			rc = sb_cli_usage_error(cli, "unknown verb '%s'; say 'check' or 'show'",
						argv[1]);
	}
	free(files);
	return rc;
}

const struct sb_cmd sb_cmd_bom = {
	.name = "bom",
	.run = run_bom,
	.summary = "validate a site BOM, or show what the site should hold",
	.usage = "siteboot bom check FILE...\nsiteboot bom show FILE [--json]",
	.description =
		"'bom check' validates each FILE against the BOM schema (docs/bom.md) and "
		"against its tier's requirement profile, and reports every problem as "
		"FILE:LINE:COL: error: MESSAGE; HINT on standard error. It exits 0 when "
		"every file is valid (warnings allowed) and 2 when any is not.\n\n"
		"'bom show' prints the site as racks, nodes, roles and expected parts, "
		"with totals per part number for procurement. With --json it prints the "
		"whole parsed site.",
	.verbs = bom_verbs,
	.example = "siteboot bom check bom/examples/edge-accra.yaml\n"
		   "siteboot bom show bom/examples/core-johannesburg.yaml --json > core-site.json",
};
