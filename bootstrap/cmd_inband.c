/* siteboot inband parse|drives: the in-band inventory of a node from its
 * own commands' output (bootstrap/inband.h). */
#include "bom/bom.h"
#include "bootstrap/cli.h"
#include "bootstrap/inband.h"
#include "bootstrap/inv_cli.h"
#include "common/error.h"
#include "common/file.h"
#include "common/json.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const inband_verbs[] = { "parse", "drives", NULL };

enum { O_DMI, O_LSBLK, O_IP, O_SITE, O_NODE, O_USE, O_RECORD };

static const struct sb_opt inband_opts[] = {
	[O_DMI] = { "dmidecode", 0, SB_OPT_ARG, "FILE",
		    "output of '" SB_INBAND_DMIDECODE_CMD "' on the node" },
	[O_LSBLK] = { "lsblk", 0, SB_OPT_ARG, "FILE",
		      "output of '" SB_INBAND_LSBLK_CMD "' on the node" },
	[O_IP] = { "ip", 0, SB_OPT_ARG, "FILE", "output of '" SB_INBAND_IP_CMD "' on the node" },
	[O_SITE] = { "site", 0, SB_OPT_ARG, "FILE", "the site BOM" },
	[O_NODE] = { "node", 0, SB_OPT_ARG, "NAME", "the BOM node the output came from" },
	[O_USE] = { "use", 0, SB_OPT_ARG, "USE",
		    "drives: only BOM drive lines of this use (ceph-osd, os, data, besu)" },
	[O_RECORD] = { "record", 0, SB_OPT_NONE, NULL,
		       "parse: record the report in the inventory as observations of --node, "
		       "with the raw output as evidence" },
	{ NULL, 0, SB_OPT_NONE, NULL, NULL },
};

struct inband_args {
	const char *file[3];	/* dmidecode, lsblk, ip */
	const char *site, *node, *use;
	bool record;
};

static int parse_files(struct sb_hw_inventory *inv, const struct inband_args *a)
{
	static int (*const parsers[3])(struct sb_hw_inventory *, const char *, size_t) = {
		sb_inband_dmidecode, sb_inband_lsblk, sb_inband_ip_link,
	};
	int rc = 0;

	for (int i = 0; i < 3 && rc == 0; i++) {
		char *buf = NULL;
		size_t len = 0;
		if (!a->file[i])
			continue;
		rc = sb_file_read(&buf, &len, a->file[i], SB_INBAND_MAX);
		if (rc == 0 && (rc = parsers[i](inv, buf, len)) != 0) {
			/* a file given on the command line is input, whoever made it */
			char msg[SB_ERROR_MAX];
			sb_strlcpy(msg, sb_error_message(), sizeof(msg));
			rc = sb_error_set(rc == SB_ENOMEM ? rc : SB_EINPUT, "%s: %s", a->file[i], msg);
		}
		free(buf);
	}
	return rc;
}

static void print_components(const struct sb_hw_inventory *inv)
{
	char size[32];

	printf("%-8s %-14s %-10s %-24s %-22s %s\n", "CLASS", "SOURCE", "WHERE", "MODEL",
	       "SERIAL", "ID/SIZE");
	for (size_t i = 0; i < inv->ncomponents; i++) {
		const struct sb_hw_component *c = &inv->components[i];
		const char *where = c->location ? c->location : c->name;
		size[0] = '\0';
		if (c->capacity_bytes)
			sb_fmt_size(size, sizeof(size), c->capacity_bytes, c->cls == SB_HW_MEMORY);
		printf("%-8s %-14s %-10s %-24.24s %-22s %s%s%s\n", sb_hw_class_name(c->cls),
		       c->source, where ? where : "-", c->model ? c->model : "-",
		       c->serial ? c->serial : "-", c->durable_id ? c->durable_id : "",
		       c->durable_id && size[0] ? " " : "", size);
	}
}

static json_t *components_json(const struct sb_hw_inventory *inv)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < inv->ncomponents; i++) {
		const struct sb_hw_component *c = &inv->components[i];
		json_t *o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}",
				      "class", sb_hw_class_name(c->cls), "source", c->source,
				      "path", c->path, "name", c->name, "location", c->location,
				      "manufacturer", c->manufacturer, "model", c->model,
				      "part_number", c->part_number, "serial", c->serial,
				      "durable_id", c->durable_id);
		if (o && c->capacity_bytes)
			json_object_set_new(o, "capacity_bytes", json_integer((json_int_t)c->capacity_bytes));
		if (o && c->speed)
			json_object_set_new(o, "speed", json_integer(c->speed));
		if (o && c->evidence >= 0 && (size_t)c->evidence < inv->nevidence)
			json_object_set_new(o, "evidence", json_string(inv->evidence[c->evidence].path));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int do_parse(struct sb_cli *cli, const struct inband_args *a)
{
	struct sb_hw_inventory inv;
	int rc;

	struct sb_inv_record_stats st = { 0 };

	if (!a->file[0] && !a->file[1] && !a->file[2])
		return sb_cli_usage_error(cli, "give --dmidecode, --lsblk and/or --ip FILE");
	if (a->record && !a->node)
		return sb_cli_usage_error(cli, "--record needs --node NAME: the node the output came from");
	sb_hw_inventory_init(&inv);
	inv.target = sb_strdup(a->node ? a->node : "in-band");
	inv.protocol = sb_strdup("ssh");
	rc = parse_files(&inv, a);
	if (rc) {
		sb_hw_inventory_release(&inv);
		return sb_cli_fail(cli, rc);
	}
	if (a->record) {
		struct sb_inv *db = NULL;
		struct sb_inv_ctx ctx = { .operator_name = "siteboot", .node = a->node };
		int ex = sb_cli_open_inventory(cli, &db, false);
		if (ex) {
			sb_hw_inventory_release(&inv);
			return ex;
		}
		rc = sb_inv_record(db, &inv, &ctx, &st);
		sb_inv_close(db);
		if (rc) {
			sb_hw_inventory_release(&inv);
			return sb_cli_fail(cli, rc);
		}
	}
	if (cli->json) {
		json_t *doc = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:o}", "node", a->node,
					"vendor", inv.vendor, "product", inv.product,
					"system_guid", inv.system_guid, "chassis_serial",
					inv.chassis_serial, "components", components_json(&inv));
		rc = sb_cli_json_out(cli, doc);
	} else {
		print_components(&inv);
		if (a->record && cli->verbosity >= 0)
			printf("recorded for %s: %zu components (%zu new), %zu ledger events%s\n",
			       a->node, st.components, st.new_components, st.events,
			       st.skipped ? " (this report was recorded before)" : "");
	}
	sb_hw_inventory_release(&inv);
	return rc ? sb_cli_fail(cli, rc) : SB_EXIT_OK;
}

/* The device path of every expected drive of the node (of one use). */
static int do_drives(struct sb_cli *cli, const struct inband_args *a)
{
	struct sb_hw_inventory inv;
	struct sb_site *s = NULL;
	struct sb_diags d;
	const struct sb_bom_node *n;
	json_t *arr = cli->json ? json_array() : NULL;
	size_t found = 0, missing = 0;
	int rc;

	if (!a->site || !a->node || !a->file[1])
		return sb_cli_usage_error(cli, "drives needs --site FILE, --node NAME and --lsblk FILE");
	sb_diags_init(&d);
	rc = sb_bom_load(&s, a->site, &d);
	if (rc) {
		sb_cli_diags_print(cli, &d);
		sb_diags_release(&d);
		json_decref(arr);
		return sb_cli_fail(cli, rc);
	}
	sb_diags_release(&d);
	n = sb_bom_node_find(s, a->node);
	if (!n) {
		sb_bom_free(s);
		json_decref(arr);
		return sb_cli_usage_error(cli, "no node '%s' in %s", a->node, a->site);
	}
	sb_hw_inventory_init(&inv);
	struct inband_args only = { .file = { NULL, a->file[1], NULL } };
	if ((rc = parse_files(&inv, &only)) != 0)
		goto out;
	for (size_t i = 0; i < n->nlines; i++) {
		const struct sb_bom_line *l = &n->lines[i];
		if (l->cls != SB_HW_DRIVE || (a->use && !sb_streq(l->use, a->use)))
			continue;
		if (l->nserials == 0) {
			sb_cli_warn(cli, "%s: drive line '%s' lists no serials: its drives cannot be "
				    "found by serial; add them to the BOM", n->name, l->id);
			missing += l->quantity;
			continue;
		}
		for (size_t k = 0; k < l->nserials; k++) {
			char *path = NULL;
			int r = sb_inband_drive_path(&path, &inv, l->serials[k], NULL);
			if (r == 0) {
				found++;
				if (arr)
					json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s?}", "line",
									     l->id, "serial", l->serials[k],
									     "path", path, "use", l->use));
				else
					printf("%s\n", path);
			} else if (r == SB_ENOTFOUND || r == SB_ECONFLICT) {
				missing++;
				fprintf(stderr, "siteboot inband: %s: line '%s': %s\n", n->name, l->id,
					sb_error_message());
				if (arr)
					json_array_append_new(arr, json_pack("{s:s, s:s, s:n, s:s}", "line",
									     l->id, "serial", l->serials[k],
									     "path", "error", sb_error_message()));
			} else {
				rc = r;
				free(path);
				goto out;
			}
			free(path);
		}
	}
	sb_error_clear();
	if (arr) {
		rc = sb_cli_json_out(cli, json_pack("{s:s, s:s?, s:o, s:i, s:i}", "node", n->name,
						    "use", a->use, "drives", arr, "found", (int)found,
						    "missing", (int)missing));
		arr = NULL;
	}
	if (rc == 0 && found == 0 && missing == 0) {
		sb_hw_inventory_release(&inv);
		sb_bom_free(s);
		return sb_cli_usage_error(cli, "node %s has no drive lines%s%s in the BOM", n->name,
					  a->use ? " of use " : "", a->use ? a->use : "");
	}
out:
	json_decref(arr);
	sb_hw_inventory_release(&inv);
	sb_bom_free(s);
	if (rc)
		return sb_cli_fail(cli, rc);
	return missing ? SB_EXIT_PROBLEMS : SB_EXIT_OK;
}

static int run_inband(struct sb_cli *cli, int argc, char **argv)
{
	struct inband_args a = { 0 };
	struct sb_optparse op;
	const char *arg;
	int k;

	if (argc < 2 || argv[1][0] == '-')
		return sb_cli_usage_error(cli, "say 'parse' or 'drives'");
	sb_optparse_init(&op, argc - 1, argv + 1);
	while ((k = sb_optparse_next(&op, cli, inband_opts, &arg)) != -2) {
		switch (k) {
		case -3:
			return SB_EXIT_USAGE;
		case -1:
			return sb_cli_usage_error(cli, "unexpected argument '%s'", arg);
		case O_DMI:
		case O_LSBLK:
		case O_IP:
			a.file[k] = arg;
			break;
		case O_SITE:
			a.site = arg;
			break;
		case O_NODE:
			a.node = arg;
			break;
		case O_USE:
			a.use = arg;
			break;
		case O_RECORD:
			a.record = true;
			break;
		}
	}
	if (strcmp(argv[1], "parse") == 0)
		return do_parse(cli, &a);
	if (strcmp(argv[1], "drives") == 0)
		return do_drives(cli, &a);
	const char *best = sb_did_you_mean(argv[1], inband_verbs);
	if (best)
		return sb_cli_usage_error(cli, "unknown verb '%s'; did you mean '%s'?", argv[1], best);
	return sb_cli_usage_error(cli, "unknown verb '%s'; say 'parse' or 'drives'", argv[1]);
}

const struct sb_cmd sb_cmd_inband = {
	.name = "inband",
	.run = run_inband,
	.summary = "read a node's hardware from its own dmidecode, lsblk and ip output",
	.usage = "siteboot inband parse [--dmidecode FILE] [--lsblk FILE] [--ip FILE] "
		 "[--node NAME --record]\n"
		 "siteboot inband drives --site FILE --node NAME --lsblk FILE [--use USE]",
	.description =
		"Once a node answers over SSH, the recipes run '" SB_INBAND_DMIDECODE_CMD "', '"
		SB_INBAND_LSBLK_CMD "' and '" SB_INBAND_IP_CMD "' on it. 'inband parse' turns "
		"that output into components (system, board and DIMMs with serials; drives with "
		"serial, WWN and device name; physical NICs with their MACs, not bridges or "
		"bonds), with sources ssh-dmidecode, ssh-lsblk and ssh-ip and the raw output kept "
		"as evidence. With --record it stores that report in the inventory as "
		"observations of the node, so reconciliation matches drives by serial and WWN "
		"and NICs by MAC.\n\n"
		"'inband drives' prints the device path of each of the node's BOM drives "
		"(optionally only those of one use, such as ceph-osd), found by serial in the "
		"lsblk output, never guessed from device names. It exits 1 when a drive of the "
		"BOM is not there, naming its serial and what lsblk saw. See docs/inband.md.",
	.verbs = inband_verbs,
	.opts = inband_opts,
	.example = "siteboot inband parse --node edge-n01 --dmidecode dmi.txt --lsblk lsblk.json "
		   "--ip ip.json --json\n"
		   "siteboot inband drives --site site.yaml --node edge-n01 --lsblk lsblk.json --use ceph-osd",
};
