/* Writing a site back as BOM YAML: every text value double-quoted and
 * escaped, sizes in bytes, profiles expanded into each node. */
#include "bom/bom.h"
#include "common/error.h"
#include "common/str.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void q(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void kv(FILE *f, int ind, const char *key, const char *val)
{
	if (!val)
		return;
	fprintf(f, "%*s%s: ", ind, "", key);
	q(f, val);
	fputc('\n', f);
}

static void list(FILE *f, int ind, const char *key, const char *const *v,
		 size_t n)
{
	if (!n)
		return;
	fprintf(f, "%*s%s: [", ind, "", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		q(f, v[i] ? v[i] : "");
	}
	fputs("]\n", f);
}

static void order(FILE *f, int ind, const struct sb_bom_order *o)
{
	if (!o->po)
		return;
	fprintf(f, "%*sorder: {po: ", ind, "");
	q(f, o->po);
	if (o->po_line)
		fprintf(f, ", line: %u", o->po_line);
	fputs("}\n", f);
}

static void firmware(FILE *f, int ind, const struct sb_bom_firmware *fw)
{
	fprintf(f, "%*s", ind, "");
	fputs("{name: ", f);
	q(f, fw->name ? fw->name : "");
	if (fw->version) {
		fputs(", version: ", f);
		q(f, fw->version);
	}
	if (fw->min_version) {
		fputs(", min_version: ", f);
		q(f, fw->min_version);
	}
	fputs("}", f);
}

static void addr(FILE *f, int ind, const char *key,
		 const struct sb_bom_addr *a, const char *override)
{
	const char *address = override ? override : a->address;

	if (!address)
		return;
	fprintf(f, "%*s%s:\n", ind, "", key);
	kv(f, ind + 2, "address", address);
	kv(f, ind + 2, "gateway", a->gateway);
	kv(f, ind + 2, "mac", a->mac);
	kv(f, ind + 2, "interface", a->interface);
}

static void line(FILE *f, const struct sb_bom_line *l)
{
	fprintf(f, "      - id: ");
	q(f, l->id);
	fprintf(f, "\n        class: %s\n", sb_hw_class_name(l->cls));
	kv(f, 8, "manufacturer", l->manufacturer);
	kv(f, 8, "model", l->model);
	kv(f, 8, "part_number", l->part_number);
	list(f, 8, "alternates", l->alternates, l->nalternates);
	list(f, 8, "manufacturer_part", l->mfr_parts, l->nmfr_parts);
	fprintf(f, "        quantity: %u\n", l->quantity);
	list(f, 8, "slots", l->slots, l->nslots);
	if (l->size_bytes)
		fprintf(f, "        size: %" PRIu64 "B\n", l->size_bytes);
	kv(f, 8, "interface", l->interface);
	kv(f, 8, "media", l->media);
	kv(f, 8, "use", l->use);
	if (l->ports)
		fprintf(f, "        ports: %u\n", l->ports);
	if (l->speed_mbps)
		fprintf(f, "        speed: %" PRIu64 "Mb\n", l->speed_mbps);
	if (l->firmware) {
		fputs("        firmware: ", f);
		firmware(f, 0, l->firmware);
		fputc('\n', f);
	}
	order(f, 8, &l->order);
}

static const struct sb_bom_override *find_ov(const struct sb_bom_override *ov,
					     size_t nov, const char *node)
{
	for (size_t i = 0; i < nov; i++)
		if (sb_streq(ov[i].node, node))
			return &ov[i];
	return NULL;
}

static void node(FILE *f, const struct sb_bom_node *n,
		 const struct sb_bom_override *ov, size_t nov)
{
	const struct sb_bom_override *o = find_ov(ov, nov, n->name);
	const char *bmc = o && o->bmc_url ? o->bmc_url : n->bmc_url;
	const char *cred = o && o->credential ? o->credential : n->credential;
	bool any_serial = n->chassis.serial != NULL, any_mac = false;

	fputs("  - name: ", f);
	q(f, n->name);
	fputc('\n', f);
	list(f, 4, "roles", n->roles, n->nroles);
	kv(f, 4, "rack", n->rack);
	if (n->unit)
		fprintf(f, "    unit: %u\n", n->unit);
	if (n->height != 1)
		fprintf(f, "    height: %u\n", n->height);
	if (bmc) {
		fputs("    bmc:\n", f);
		kv(f, 6, "url", bmc);
		kv(f, 6, "credential", cred);
	}
	addr(f, 4, "mgmt", &n->mgmt, o ? o->mgmt_address : NULL);
	addr(f, 4, "data", &n->data, NULL);
	fputs("    ssh:\n", f);
	kv(f, 6, "user", o && o->ssh_user ? o->ssh_user : n->ssh_user);
	fprintf(f, "      port: %u\n", o && o->ssh_port ? o->ssh_port : n->ssh_port);
	fputs("    chassis:\n", f);
	kv(f, 6, "manufacturer", n->chassis.manufacturer);
	kv(f, 6, "model", n->chassis.model);
	kv(f, 6, "part_number", n->chassis.part_number);
	kv(f, 6, "sku", n->chassis.sku);
	order(f, 6, &n->chassis.order);
	if (n->nlines) {
		fputs("    components:\n", f);
		for (size_t i = 0; i < n->nlines; i++) {
			line(f, &n->lines[i]);
			any_serial |= n->lines[i].nserials > 0;
			any_mac |= n->lines[i].nmacs > 0;
		}
	}
	if (n->nfirmware) {
		fputs("    firmware:\n", f);
		for (size_t i = 0; i < n->nfirmware; i++) {
			fputs("      - ", f);
			firmware(f, 0, &n->firmware[i]);
			fputc('\n', f);
		}
	}
	if (any_serial) {
		fputs("    serials:\n", f);
		kv(f, 6, "chassis", n->chassis.serial);
		for (size_t i = 0; i < n->nlines; i++)
			list(f, 6, n->lines[i].id, n->lines[i].serials,
			     n->lines[i].nserials);
	}
	if (any_mac) {
		fputs("    macs:\n", f);
		for (size_t i = 0; i < n->nlines; i++)
			list(f, 6, n->lines[i].id, n->lines[i].macs,
			     n->lines[i].nmacs);
	}
	if (n->nvms) {
		fputs("    vms:\n", f);
		for (size_t i = 0; i < n->nvms; i++) {
			const struct sb_bom_vm *v = &n->vms[i];
			fputs("      - name: ", f);
			q(f, v->name);
			fputc('\n', f);
			list(f, 8, "roles", v->roles, v->nroles);
			fprintf(f, "        vcpus: %u\n", v->vcpus);
			fprintf(f, "        memory: %" PRIu64 "B\n", v->memory_bytes);
			fprintf(f, "        disk: %" PRIu64 "B\n", v->disk_bytes);
			const struct sb_bom_override *vo = find_ov(ov, nov, v->name);
			addr(f, 8, "mgmt", &v->mgmt, vo ? vo->mgmt_address : NULL);
			fputs("        ssh:\n", f);
			kv(f, 10, "user", vo && vo->ssh_user ? vo->ssh_user : v->ssh_user);
			fprintf(f, "          port: %u\n",
				vo && vo->ssh_port ? vo->ssh_port : v->ssh_port);
		}
	}
}

int sb_bom_emit(FILE *f, const struct sb_site *s,
		const struct sb_bom_override *ov, size_t nov)
{
	fprintf(f, "# written by siteboot from %s (sha256 %s)\n", s->path,
		s->sha256);
	fputs("schema_version: 1\nsite:\n", f);
	kv(f, 2, "id", s->id);
	kv(f, 2, "name", s->name);
	kv(f, 2, "tier", s->tier);
	kv(f, 2, "timezone", s->timezone);
	if (s->country || s->region || s->city || s->address || s->facility) {
		fputs("  location:\n", f);
		kv(f, 4, "country", s->country);
		kv(f, 4, "region", s->region);
		kv(f, 4, "city", s->city);
		kv(f, 4, "address", s->address);
		kv(f, 4, "facility", s->facility);
	}
	if (s->contact_email) {
		fputs("  contact:\n", f);
		kv(f, 4, "email", s->contact_email);
	}
	/* the Besu parameters as resolved (the tier's defaults written out) */
	fprintf(f, "besu:\n");
	if (s->besu.chain_id)
		fprintf(f, "  chain_id: %llu\n", (unsigned long long)s->besu.chain_id);
	fprintf(f, "  block_period: %u\n  epoch_length: %u\n  request_timeout: %u\n",
		s->besu.block_period, s->besu.epoch_length, s->besu.request_timeout);
	if (s->nnetworks) {
		fputs("networks:\n", f);
		for (size_t i = 0; i < s->nnetworks; i++) {
			const struct sb_bom_network *n = &s->networks[i];
			fprintf(f, "  ");
			q(f, n->name);
			fputs(":\n", f);
			kv(f, 4, "cidr", n->cidr);
			kv(f, 4, "gateway", n->gateway);
			list(f, 4, "dns", n->dns, n->ndns);
			if (n->vlan)
				fprintf(f, "    vlan: %u\n", n->vlan);
		}
	}
	if (s->norders) {
		fputs("orders:\n", f);
		for (size_t i = 0; i < s->norders; i++) {
			fputs("  - id: ", f);
			q(f, s->orders[i].id);
			fputc('\n', f);
			kv(f, 4, "vendor", s->orders[i].vendor);
			kv(f, 4, "date", s->orders[i].date);
		}
	}
	if (s->nimages) {
		fputs("images:\n", f);
		for (size_t i = 0; i < s->nimages; i++) {
			fputs("  - name: ", f);
			q(f, s->images[i].name);
			fputc('\n', f);
			kv(f, 4, "version", s->images[i].version);
			kv(f, 4, "file", s->images[i].file);
			kv(f, 4, "url", s->images[i].url);
			kv(f, 4, "sha256", s->images[i].sha256);
		}
	}
	if (s->nracks) {
		fputs("racks:\n", f);
		for (size_t i = 0; i < s->nracks; i++) {
			fputs("  - id: ", f);
			q(f, s->racks[i].id);
			fputc('\n', f);
			kv(f, 4, "name", s->racks[i].name);
			kv(f, 4, "location", s->racks[i].location);
			fprintf(f, "    units: %u\n", s->racks[i].units);
		}
	}
	fputs("nodes:\n", f);
	for (size_t i = 0; i < s->nnodes; i++)
		node(f, &s->nodes[i], ov, nov);
	if (fflush(f) != 0 || ferror(f))
		return sb_error_set(SB_EIO, "cannot write the BOM: %s",
				    strerror(errno ? errno : EIO));
	return 0;
}
