/* Loading a site BOM: schema, cross-references and site-wide checks.
 * The tier requirement profiles are checked in tier.c. */
#include "bom/bom_priv.h"
#include "common/error.h"
#include "common/range.h"
#include "common/str.h"
#include "common/url.h"

#include <ctype.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const sb_bom_tiers[] = { "core", "regional", "edge", NULL };

const char *const sb_bom_roles[] = {
	"validator", "bootnode", "read-replica", "query-node", "proxmox",
	"ceph-mon", "ceph-mgr", "ceph-osd", "k8s-control", "k8s-worker",
	"monitoring", NULL,
};

static const char *const top_keys[] = {
	"schema_version", "site", "networks", "orders", "images", "hardware",
	"racks", "nodes", "besu", NULL,
};
static const char *const besu_keys[] = {
	"chain_id", "block_period", "epoch_length", "request_timeout", NULL,
};
static const char *const site_keys[] = {
	"id", "name", "tier", "location", "timezone", "contact", NULL,
};
static const char *const location_keys[] = {
	"country", "region", "city", "address", "facility", NULL,
};
static const char *const contact_keys[] = { "name", "email", "phone", NULL };
static const char *const network_keys[] = {
	"cidr", "gateway", "dns", "vlan", NULL,
};
static const char *const order_keys[] = {
	"id", "vendor", "date", "notes", NULL,
};
static const char *const image_keys[] = {
	"name", "version", "file", "url", "sha256", NULL,
};
static const char *const profile_keys[] = {
	"description", "chassis", "components", "firmware", NULL,
};
static const char *const chassis_keys[] = {
	"manufacturer", "model", "part_number", "sku", "order", NULL,
};
static const char *const line_keys[] = {
	"id", "class", "description", "manufacturer", "model", "part_number",
	"alternates", "manufacturer_part", "quantity", "slots", "size",
	"interface", "media",
	"use", "ports", "speed", "firmware", "order", NULL,
};
static const char *const firmware_keys[] = {
	"name", "version", "min_version", NULL,
};
static const char *const orderref_keys[] = { "po", "line", NULL };
static const char *const rack_keys[] = {
	"id", "name", "location", "units", NULL,
};
static const char *const node_keys[] = {
	"name", "description", "roles", "rack", "unit", "height", "hardware",
	"chassis", "components", "firmware", "bmc", "mgmt", "data", "ssh",
	"serials", "macs", "vms", NULL,
};
static const char *const bmc_keys[] = { "url", "credential", NULL };
static const char *const addr_keys[] = {
	"address", "gateway", "mac", "interface", NULL,
};
static const char *const ssh_keys[] = { "user", "port", NULL };
static const char *const vm_keys[] = {
	"name", "roles", "vcpus", "memory", "disk", "mgmt", "ssh", NULL,
};
static const char *const drive_interfaces[] = { "nvme", "sata", "sas", NULL };
static const char *const drive_media[] = { "ssd", "hdd", NULL };
static const char *const drive_uses[] = {
	"os", "data", "ceph-osd", "besu", NULL,
};

/* A hardware profile while the BOM is being read. */
struct profile {
	const char *name;
	struct sb_bom_chassis chassis;
	struct sb_bom_line *lines;
	size_t nlines;
	struct sb_bom_firmware *fw;
	size_t nfw;
	const struct sb_ynode *at;
};

struct loadctx {
	struct bom_parser p;
	struct profile *profiles;
	size_t nprofiles;
};

static struct sb_bom_pos pos_of(const struct sb_ynode *n)
{
	struct sb_bom_pos pos = { n ? n->line : 0, n ? n->col : 0 };

	return pos;
}

static bool want_map(struct bom_parser *p, const struct sb_ynode *n,
		     const char *what)
{
	if (n && n->type == SB_YMAP)
		return true;
	bom_err(p, n, NULL, "%s must be a mapping (key: value lines), not %s",
		what, sb_ytype_name(n));
	return false;
}

static bool want_seq(struct bom_parser *p, const struct sb_ynode *n,
		     const char *what)
{
	if (n && n->type == SB_YSEQ)
		return true;
	bom_err(p, n, "write it as a list of '- ' entries",
		"%s must be a list, not %s", what, sb_ytype_name(n));
	return false;
}

/* Names of nodes, racks, profiles, line ids: letters, digits, '-', '_',
 * '.', starting with a letter or digit. */
static bool valid_ident(const char *s, bool allow_range)
{
	if (!s || !isalnum((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || *s == '-' || *s == '_' ||
		    *s == '.')
			continue;
		if (allow_range && (*s == '[' || *s == ']' || *s == ',' ||
				    isdigit((unsigned char)*s)))
			continue;
		return false;
	}
	return true;
}

static const char *get_ident(struct bom_parser *p, const struct sb_ynode *map,
			     const char *key, bool required, bool allow_range,
			     const char *what)
{
	const char *s = bom_get_str(p, map, key, required, what);

	if (s && (!valid_ident(s, allow_range) || strlen(s) > 63)) {
		bom_err(p, sb_ymap_get(map, key),
			"use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63 characters",
			"'%s' of %s is not a valid name: '%s'", key, what, s);
		return NULL;
	}
	return s;
}

static void parse_site(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;
	const struct sb_ynode *loc, *contact, *tier;

	if (!n) {
		bom_err(p, NULL, "add a 'site:' mapping with id, name and tier",
			"the BOM has no 'site'");
		return;
	}
	if (!want_map(p, n, "'site'"))
		return;
	bom_check_keys(p, n, site_keys, "'site'");
	s->id = get_ident(p, n, "id", true, false, "'site'");
	s->name = bom_get_str(p, n, "name", true, "'site'");
	s->timezone = bom_get_str(p, n, "timezone", false, "'site'");
	tier = sb_ymap_get(n, "tier");
	s->tier_pos = pos_of(tier ? tier : n);
	s->tier = bom_get_str(p, n, "tier", true, "'site'");
	if (s->tier) {
		bool ok = false;
		for (const char *const *t = sb_bom_tiers; *t; t++)
			if (strcmp(*t, s->tier) == 0)
				ok = true;
		if (!ok) {
			char hint[80];
			sb_hint_choice(hint, sizeof(hint), s->tier, sb_bom_tiers,
				       "use one of:", true);
			bom_err(p, tier, hint, "unknown tier '%s'", s->tier);
			s->tier = NULL;
		}
	}
	loc = sb_ymap_get(n, "location");
	if (loc && want_map(p, loc, "'location' of 'site'")) {
		bom_check_keys(p, loc, location_keys, "'site.location'");
		s->country = bom_get_str(p, loc, "country", false, "'site.location'");
		s->region = bom_get_str(p, loc, "region", false, "'site.location'");
		s->city = bom_get_str(p, loc, "city", false, "'site.location'");
		s->address = bom_get_str(p, loc, "address", false, "'site.location'");
		s->facility = bom_get_str(p, loc, "facility", false, "'site.location'");
	}
	contact = sb_ymap_get(n, "contact");
	if (contact && want_map(p, contact, "'contact' of 'site'")) {
		bom_check_keys(p, contact, contact_keys, "'site.contact'");
		s->contact_email = bom_get_str(p, contact, "email", false,
					       "'site.contact'");
		if (s->contact_email && !strchr(s->contact_email, '@'))
			bom_err(p, sb_ymap_get(contact, "email"), NULL,
				"'email' of 'site.contact' is not an e-mail address: '%s'",
				s->contact_email);
	}
}

static void parse_networks(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;

	if (!n || !want_map(p, n, "'networks'"))
		return;
	s->networks = sb_arena_calloc(p->a, n->n ? n->n : 1,
				      sizeof(*s->networks));
	if (!s->networks)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->pairs[i].val;
		struct sb_bom_network *net = &s->networks[s->nnetworks];
		char what[128], ip[64];
		unsigned prefix;

		snprintf(what, sizeof(what), "network '%s'",
			 n->pairs[i].key->str);
		if (!want_map(p, v, what))
			continue;
		bom_check_keys(p, v, network_keys, what);
		net->name = bom_str(p, n->pairs[i].key, "network name");
		net->pos = pos_of(n->pairs[i].key);
		net->cidr = bom_get_str(p, v, "cidr", true, what);
		if (net->cidr &&
		    sb_cidr_parse(net->cidr, ip, sizeof(ip), &prefix) != 0) {
			bom_err(p, sb_ymap_get(v, "cidr"),
				"write it as 10.20.1.0/24", "%s: %s", what,
				sb_error_message());
			sb_error_clear();
		}
		net->gateway = bom_get_str(p, v, "gateway", false, what);
		if (net->gateway && !sb_ip_valid(net->gateway))
			bom_err(p, sb_ymap_get(v, "gateway"), NULL,
				"'gateway' of %s is not an IP address: '%s'",
				what, net->gateway);
		bom_get_strlist(p, v, "dns", &net->dns, &net->ndns, what);
		for (size_t k = 0; k < net->ndns; k++)
			if (net->dns[k] && !sb_ip_valid(net->dns[k]))
				bom_err(p, sb_ymap_get(v, "dns"), NULL,
					"'dns' of %s holds '%s', which is not an IP address",
					what, net->dns[k]);
		bom_get_uint(p, v, "vlan", 1, 4094, &net->vlan, what);
		s->nnetworks++;
	}
}

static void parse_orders(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;

	if (!n || !want_seq(p, n, "'orders'"))
		return;
	s->orders = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(*s->orders));
	if (!s->orders)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->items[i];
		struct sb_bom_po *o = &s->orders[s->norders];

		if (!want_map(p, v, "an entry of 'orders'"))
			continue;
		bom_check_keys(p, v, order_keys, "an order");
		o->id = bom_get_str(p, v, "id", true, "an order");
		o->vendor = bom_get_str(p, v, "vendor", true,
					"an order");
		o->date = bom_get_str(p, v, "date", false, "an order");
		o->pos = pos_of(v);
		if (!o->id)
			continue;
		for (size_t k = 0; k < s->norders; k++) {
			if (sb_streq(s->orders[k].id, o->id)) {
				bom_err(p, sb_ymap_get(v, "id"),
					"give each purchase order once",
					"order '%s' is listed twice (first at line %u)",
					o->id, s->orders[k].pos.line);
				o->id = NULL;
				break;
			}
		}
		if (o->id)
			s->norders++;
	}
}

/* besu: {chain_id, block_period, epoch_length, request_timeout} */
static void parse_besu(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_bom_besu *b = &p->s->besu;
	const struct sb_ynode *v;

	if (!n || !want_map(p, n, "'besu'"))
		return;
	b->given = true;
	b->pos = pos_of(n);
	bom_check_keys(p, n, besu_keys, "'besu'");
	v = sb_ymap_get(n, "chain_id");
	if (v && (v->type != SB_YSCALAR || v->quoted ||
		  sb_parse_u64(&b->chain_id, v->str, SB_BESU_CHAIN_ID_MAX, "chain_id") != 0 ||
		  b->chain_id == 0)) {
		sb_error_clear();
		b->chain_id = 0;
		bom_err(p, v, "chain ids 1, 3, 4, 5, 61 and other public ones are taken; pick the network's own",
			"'chain_id' of 'besu' must be a whole number from 1 to %llu, not '%.40s'",
			(unsigned long long)SB_BESU_CHAIN_ID_MAX,
			v->type == SB_YSCALAR ? v->str : sb_ytype_name(v));
	}
	bom_get_uint(p, n, "block_period", 1, 60, &b->block_period, "'besu' (seconds)");
	bom_get_uint(p, n, "epoch_length", 100, 1000000000, &b->epoch_length,
		     "'besu' (blocks)");
	bom_get_uint(p, n, "request_timeout", 2, 3600, &b->request_timeout,
		     "'besu' (seconds)");
}

static void parse_images(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;

	if (!n || !want_seq(p, n, "'images'"))
		return;
	s->images = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(*s->images));
	if (!s->images)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->items[i];
		struct sb_bom_image *im = &s->images[s->nimages];
		unsigned char dig[32];

		if (!want_map(p, v, "an entry of 'images'"))
			continue;
		bom_check_keys(p, v, image_keys, "an image");
		im->pos = pos_of(v);
		im->name = get_ident(p, v, "name", true, false, "an image");
		im->version = bom_get_str(p, v, "version", true, "an image");
		im->file = bom_get_str(p, v, "file", false, "an image");
		im->url = bom_get_str(p, v, "url", false, "an image");
		im->sha256 = bom_get_str(p, v, "sha256", true, "an image");
		if (im->sha256) {
			if (sb_unhex(dig, sizeof(dig), im->sha256) != 0) {
				sb_error_clear();
				bom_err(p, sb_ymap_get(v, "sha256"),
					"give the 64 hex digits that sha256sum prints",
					"'sha256' of image '%s' is not a SHA-256 digest",
					im->name ? im->name : "?");
			} else {
				char *low = sb_arena_alloc(p->a, 65);
				if (low)
					sb_hex(low, dig, sizeof(dig));
				im->sha256 = low;
			}
		}
		s->nimages++;
	}
}

static const struct sb_bom_po *find_order(const struct sb_site *s,
					  const char *id)
{
	for (size_t i = 0; i < s->norders; i++)
		if (sb_streq(s->orders[i].id, id))
			return &s->orders[i];
	return NULL;
}

static void parse_order_ref(struct loadctx *c, const struct sb_ynode *owner,
			    struct sb_bom_order *o, const char *what)
{
	struct bom_parser *p = &c->p;
	const struct sb_ynode *n = sb_ymap_get(owner, "order");
	char w[300];
	unsigned line = 0;

	if (!n)
		return;
	snprintf(w, sizeof(w), "'order' of %s", what);
	if (!want_map(p, n, w))
		return;
	bom_check_keys(p, n, orderref_keys, w);
	o->po = bom_get_str(p, n, "po", true, w);
	if (bom_get_uint(p, n, "line", 1, 99999, &line, w))
		o->po_line = line;
	if (!o->po)
		return;
	const struct sb_bom_po *po = find_order(p->s, o->po);
	if (!po) {
		char hint[200];
		bom_hint_from(hint, sizeof(hint), o->po, p->s->orders,
			      p->s->norders, sizeof(*p->s->orders),
			      offsetof(struct sb_bom_po, id), NULL,
			      "list it under 'orders:' with its vendor");
		bom_err(p, sb_ymap_get(n, "po"), hint,
			"%s names purchase order '%s', which 'orders' does not list",
			w, o->po);
		return;
	}
	o->vendor = po->vendor;
}

static const struct sb_bom_firmware *parse_fw(struct loadctx *c,
					      const struct sb_ynode *n,
					      const char *what)
{
	struct bom_parser *p = &c->p;
	struct sb_bom_firmware *fw;

	if (!want_map(p, n, what))
		return NULL;
	bom_check_keys(p, n, firmware_keys, what);
	fw = sb_arena_calloc(p->a, 1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->pos = pos_of(n);
	fw->name = bom_get_str(p, n, "name", true, what);
	fw->version = bom_get_str(p, n, "version", false, what);
	fw->min_version = bom_get_str(p, n, "min_version", false, what);
	if (!fw->version && !fw->min_version)
		bom_err(p, n, "say 'version: X' for an exact version or 'min_version: X' for a floor",
			"%s gives neither 'version' nor 'min_version'", what);
	if (fw->version && fw->min_version)
		bom_err(p, sb_ymap_get(n, "min_version"),
			"keep one of them",
			"%s gives both 'version' and 'min_version'", what);
	return fw;
}

static void parse_fw_list(struct loadctx *c, const struct sb_ynode *n,
			  struct sb_bom_firmware **out, size_t *nout,
			  const char *what)
{
	struct bom_parser *p = &c->p;
	char w[300];

	*out = NULL;
	*nout = 0;
	if (!n)
		return;
	snprintf(w, sizeof(w), "'firmware' of %s", what);
	if (!want_seq(p, n, w))
		return;
	*out = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(**out));
	if (!*out)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_bom_firmware *fw = parse_fw(c, n->items[i], w);
		if (fw)
			(*out)[(*nout)++] = *fw;
	}
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static void check_enum(struct bom_parser *p, const struct sb_ynode *map,
		       const char *key, const char *val,
		       const char *const *allowed, const char *what)
{
	char hint[200];

	if (!val || in_list(val, allowed))
		return;
	sb_hint_choice(hint, sizeof(hint), val, allowed, "use one of:", true);
	bom_err(p, sb_ymap_get(map, key), hint, "unknown %s '%s' in %s", key,
		val, what);
}

static bool parse_line(struct loadctx *c, const struct sb_ynode *n,
		       struct sb_bom_line *l, const char *owner)
{
	struct bom_parser *p = &c->p;
	const struct sb_ynode *cls_node, *fw;
	char what[300];
	const char *cls, *speed;
	size_t errs = p->d->nerrors;

	if (!want_map(p, n, "a component line"))
		return false;
	memset(l, 0, sizeof(*l));
	l->pos = pos_of(n);
	l->id = get_ident(p, n, "id", true, false, "a component line");
	snprintf(what, sizeof(what), "line '%s' of %s", l->id ? l->id : "?",
		 owner);
	bom_check_keys(p, n, line_keys, what);
	cls_node = sb_ymap_get(n, "class");
	cls = bom_get_str(p, n, "class", true, what);
	if (cls) {
		int k = sb_hw_class_parse(cls);
		if (k < 0 || k == SB_HW_CHASSIS) {
			/* the chassis is described by 'chassis:', not a line */
			static const char *const classes[] = {
				"cpu", "memory", "drive", "nic", "psu", "gpu",
				"board", "bmc", "other", NULL,
			};
			char hint[200];
			sb_hint_choice(hint, sizeof(hint), cls, classes,
				       "use one of:", true);
			bom_err(p, cls_node, hint, "unknown class '%s' in %s",
				cls, what);
		} else {
			l->cls = (enum sb_hw_class)k;
		}
	}
	l->manufacturer = bom_get_str(p, n, "manufacturer", false, what);
	l->model = bom_get_str(p, n, "model", false, what);
	l->part_number = bom_get_str(p, n, "part_number", true, what);
	bom_get_strlist(p, n, "alternates", &l->alternates, &l->nalternates,
			what);
	bom_get_strlist(p, n, "manufacturer_part", &l->mfr_parts,
			&l->nmfr_parts, what);
	l->quantity = 1;
	bom_get_uint(p, n, "quantity", 1, 10000, &l->quantity, what);
	bom_get_strlist(p, n, "slots", &l->slots, &l->nslots, what);
	if (l->nslots && l->nslots != l->quantity)
		bom_err(p, sb_ymap_get(n, "slots"),
			"list one slot per unit, or drop 'slots'",
			"%s has quantity %u but %zu slots", what, l->quantity,
			l->nslots);
	for (size_t i = 0; i < l->nslots; i++)
		for (size_t k = 0; k < i; k++)
			if (l->slots[i] && sb_streq(l->slots[i], l->slots[k]))
				bom_err(p, sb_ymap_get(n, "slots"), NULL,
					"slot '%s' appears twice in %s",
					l->slots[i], what);
	for (size_t i = 0; i < l->nalternates; i++)
		if (sb_streq(l->alternates[i], l->part_number))
			bom_warn(p, sb_ymap_get(n, "alternates"), NULL,
				 "%s lists its own part number '%s' as an alternate",
				 what, l->part_number);
	bom_get_size(p, n, "size", l->cls == SB_HW_MEMORY, &l->size_bytes,
		     what);
	l->interface = bom_get_str(p, n, "interface", false, what);
	l->media = bom_get_str(p, n, "media", false, what);
	l->use = bom_get_str(p, n, "use", false, what);
	check_enum(p, n, "interface", l->interface, drive_interfaces, what);
	check_enum(p, n, "media", l->media, drive_media, what);
	check_enum(p, n, "use", l->use, drive_uses, what);
	if ((l->interface || l->media || l->use) && l->cls != SB_HW_DRIVE)
		bom_err(p, n, "these keys describe drives only",
			"%s is not a drive but has interface, media or use",
			what);
	if (l->cls == SB_HW_MEMORY && !sb_ymap_get(n, "size"))
		bom_err(p, n, "say the size of one module, e.g. 'size: 32GB'",
			"%s is memory but has no 'size'", what);
	if (l->cls == SB_HW_DRIVE && !sb_ymap_get(n, "size"))
		bom_err(p, n, "say the capacity of one drive, e.g. 'size: 3.84TB'",
			"%s is a drive but has no 'size'", what);
	bom_get_uint(p, n, "ports", 1, 64, &l->ports, what);
	speed = bom_get_str(p, n, "speed", false, what);
	if (speed) {
		uint64_t bits;
		char buf[32];
		size_t sl = strlen(speed);
		/* "25Gb", "100G", "10Gbit": network speeds in bits */
		if (sl < sizeof(buf) - 1) {
			memcpy(buf, speed, sl + 1);
			if (sl > 3 && strcmp(buf + sl - 3, "bit") == 0)
				buf[sl - 3] = '\0';
			else if (sl > 1 && buf[sl - 1] == 'b')
				buf[sl - 1] = '\0';
		}
		if (sl >= sizeof(buf) - 1 || sb_parse_size(&bits, buf, "speed")) {
			sb_error_clear();
			bom_err(p, sb_ymap_get(n, "speed"), "write it like 25Gb or 100G",
				"'speed' of %s is not a link speed: '%s'", what,
				speed);
		} else {
			l->speed_mbps = bits / 1000000ULL;
		}
	}
	fw = sb_ymap_get(n, "firmware");
	if (fw) {
		char w[320];
		snprintf(w, sizeof(w), "'firmware' of %s", what);
		l->firmware = parse_fw(c, fw, w);
	}
	parse_order_ref(c, n, &l->order, what);
	return p->d->nerrors == errs;
}

static void parse_chassis(struct loadctx *c, const struct sb_ynode *n,
			  struct sb_bom_chassis *ch, const char *owner,
			  bool required_pn)
{
	struct bom_parser *p = &c->p;
	char what[300];
	const char *v;

	snprintf(what, sizeof(what), "the chassis of %s", owner);
	if (!want_map(p, n, what))
		return;
	bom_check_keys(p, n, chassis_keys, what);
	ch->pos = pos_of(n);
	/* fields given here override the ones from a hardware profile */
	if ((v = bom_get_str(p, n, "manufacturer", false, what)))
		ch->manufacturer = v;
	if ((v = bom_get_str(p, n, "model", false, what)))
		ch->model = v;
	if ((v = bom_get_str(p, n, "part_number", required_pn, what)))
		ch->part_number = v;
	if ((v = bom_get_str(p, n, "sku", false, what)))
		ch->sku = v;
	if (sb_ymap_get(n, "order"))
		parse_order_ref(c, n, &ch->order, what);
}

static void parse_lines(struct loadctx *c, const struct sb_ynode *n,
			struct sb_bom_line **out, size_t *nout,
			const char *owner)
{
	struct bom_parser *p = &c->p;
	char w[300];

	*out = NULL;
	*nout = 0;
	if (!n)
		return;
	snprintf(w, sizeof(w), "'components' of %s", owner);
	if (!want_seq(p, n, w))
		return;
	*out = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(**out));
	if (!*out)
		return;
	for (size_t i = 0; i < n->n; i++) {
		struct sb_bom_line *l = &(*out)[*nout];
		parse_line(c, n->items[i], l, owner);
		if (!l->id)
			continue;
		for (size_t k = 0; k < *nout; k++) {
			if (sb_streq((*out)[k].id, l->id)) {
				bom_err(p, sb_ymap_get(n->items[i], "id"),
					"give each line of a node its own id",
					"line id '%s' is used twice in %s (first at line %u)",
					l->id, owner, (*out)[k].pos.line);
				l->id = NULL;
				break;
			}
		}
		if (l->id)
			(*nout)++;
	}
}

static void parse_profiles(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;

	if (!n || !want_map(p, n, "'hardware'"))
		return;
	c->profiles = calloc(n->n ? n->n : 1, sizeof(*c->profiles));
	if (!c->profiles)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
		struct profile *pr = &c->profiles[c->nprofiles];
		char what[200];

		snprintf(what, sizeof(what), "hardware profile '%.60s'", k->str);
		if (!valid_ident(k->str, false)) {
			bom_err(p, k, "use letters, digits, '-', '_' and '.'",
				"'%.60s' is not a valid profile name", k->str);
			continue;
		}
		if (!want_map(p, v, what))
			continue;
		bom_check_keys(p, v, profile_keys, what);
		pr->name = bom_str(p, k, "profile name");
		pr->at = k;
		const struct sb_ynode *ch = sb_ymap_get(v, "chassis");
		if (ch)
			parse_chassis(c, ch, &pr->chassis, what, true);
		parse_lines(c, sb_ymap_get(v, "components"), &pr->lines,
			    &pr->nlines, what);
		for (size_t j = 0; j < pr->nlines; j++)
			pr->lines[j].profile = pr->name;
		parse_fw_list(c, sb_ymap_get(v, "firmware"), &pr->fw, &pr->nfw,
			      what);
		c->nprofiles++;
	}
}

static void parse_racks(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;

	if (!n || !want_seq(p, n, "'racks'"))
		return;
	s->racks = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(*s->racks));
	if (!s->racks)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->items[i];
		struct sb_bom_rack *r = &s->racks[s->nracks];

		if (!want_map(p, v, "an entry of 'racks'"))
			continue;
		bom_check_keys(p, v, rack_keys, "a rack");
		r->pos = pos_of(v);
		r->id = get_ident(p, v, "id", true, false, "a rack");
		r->name = bom_get_str(p, v, "name", false, "a rack");
		r->location = bom_get_str(p, v, "location", false, "a rack");
		r->units = 42;
		bom_get_uint(p, v, "units", 1, 60, &r->units, "a rack");
		if (!r->id)
			continue;
		for (size_t k = 0; k < s->nracks; k++) {
			if (sb_streq(s->racks[k].id, r->id)) {
				bom_err(p, sb_ymap_get(v, "id"), NULL,
					"rack '%s' is listed twice (first at line %u)",
					r->id, s->racks[k].pos.line);
				r->id = NULL;
				break;
			}
		}
		if (r->id)
			s->nracks++;
	}
}

static const struct sb_bom_rack *find_rack(const struct sb_site *s,
					   const char *id)
{
	for (size_t i = 0; i < s->nracks; i++)
		if (sb_streq(s->racks[i].id, id))
			return &s->racks[i];
	return NULL;
}

static const struct profile *find_profile(const struct loadctx *c,
					  const char *name)
{
	for (size_t i = 0; i < c->nprofiles; i++)
		if (sb_streq(c->profiles[i].name, name))
			return &c->profiles[i];
	return NULL;
}

static void check_roles(struct bom_parser *p, const struct sb_ynode *owner,
			const char *const *roles, size_t nroles,
			const char *what)
{
	for (size_t i = 0; i < nroles; i++) {
		if (!roles[i] || in_list(roles[i], sb_bom_roles))
			continue;
		char hint[300];
		sb_hint_choice(hint, sizeof(hint), roles[i], sb_bom_roles,
			       "known roles:", true);
		bom_err(p, sb_ymap_get(owner, "roles"), hint,
			"unknown role '%s' in %s", roles[i], what);
	}
	for (size_t i = 0; i < nroles; i++)
		for (size_t k = 0; k < i; k++)
			if (roles[i] && sb_streq(roles[i], roles[k]))
				bom_warn(p, sb_ymap_get(owner, "roles"), NULL,
					 "role '%s' is listed twice in %s",
					 roles[i], what);
}

/* An address block: a text value (the address) or a mapping. The address
 * may hold a range group, expanded in step with the node name. */
struct addr_src {
	const struct sb_ynode *at;
	const char *address, *gateway, *mac, *interface;
	struct sb_strv expanded;
};

static void parse_addr_src(struct loadctx *c, const struct sb_ynode *n,
			   struct addr_src *a, const char *what)
{
	struct bom_parser *p = &c->p;

	memset(a, 0, sizeof(*a));
	if (!n)
		return;
	a->at = n;
	if (n->type == SB_YSCALAR) {
		a->address = bom_str(p, n, what);
	} else if (want_map(p, n, what)) {
		bom_check_keys(p, n, addr_keys, what);
		a->address = bom_get_str(p, n, "address", true, what);
		a->gateway = bom_get_str(p, n, "gateway", false, what);
		a->mac = bom_get_str(p, n, "mac", false, what);
		a->interface = bom_get_str(p, n, "interface", false, what);
		if (a->gateway && !sb_ip_valid(a->gateway))
			bom_err(p, sb_ymap_get(n, "gateway"), NULL,
				"'gateway' of %s is not an IP address: '%s'",
				what, a->gateway);
	}
}

/* Expand a value with a range group to `count` values, or report. */
static bool expand_with(struct bom_parser *p, const struct sb_ynode *at,
			const char *value, size_t count, struct sb_strv *out,
			const char *what, const char *node_name)
{
	if (!value || !sb_range_has_group(value))
		return true;
	if (sb_range_expand(out, value, 4096) != 0) {
		bom_err(p, at, NULL, "%s: %s", what, sb_error_message());
		sb_error_clear();
		return false;
	}
	if (out->n != count) {
		bom_err(p, at, "make both ranges the same length",
			"node '%s' expands to %zu names but its %s '%s' to %zu",
			node_name, count, what, value, out->n);
		sb_strv_release(out);
		return false;
	}
	return true;
}

static void fill_addr(struct bom_parser *p, const struct addr_src *a,
		      size_t idx, struct sb_bom_addr *out, const char *what)
{
	char ip[64];
	unsigned prefix;
	const char *addr = a->expanded.n ? a->expanded.v[idx] : a->address;

	memset(out, 0, sizeof(*out));
	if (!addr)
		return;
	out->address = sb_arena_strdup(p->a, addr);
	out->gateway = a->gateway;
	out->mac = a->mac;
	out->interface = a->interface;
	if (sb_cidr_parse(addr, ip, sizeof(ip), &prefix) != 0) {
		bom_err(p, a->at, "write it like 10.20.1.11/24", "%s: %s",
			what, sb_error_message());
		sb_error_clear();
		return;
	}
	out->ip = sb_arena_strdup(p->a, ip);
	out->prefix = prefix;
}

static void parse_vms(struct loadctx *c, const struct sb_ynode *n,
		      struct sb_bom_node *node)
{
	struct bom_parser *p = &c->p;
	char what[200];

	if (!n)
		return;
	snprintf(what, sizeof(what), "'vms' of node '%s'", node->name);
	if (!want_seq(p, n, what))
		return;
	node->vms = sb_arena_calloc(p->a, n->n ? n->n : 1, sizeof(*node->vms));
	if (!node->vms)
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->items[i];
		struct sb_bom_vm *vm = &node->vms[node->nvms];
		struct addr_src a;
		char w[300];

		if (!want_map(p, v, what))
			continue;
		vm->pos = pos_of(v);
		vm->name = get_ident(p, v, "name", true, false, what);
		snprintf(w, sizeof(w), "VM '%s' on node '%s'",
			 vm->name ? vm->name : "?", node->name);
		bom_check_keys(p, v, vm_keys, w);
		bom_get_strlist(p, v, "roles", &vm->roles, &vm->nroles, w);
		check_roles(p, v, vm->roles, vm->nroles, w);
		vm->vcpus = 2;
		bom_get_uint(p, v, "vcpus", 1, 1024, &vm->vcpus, w);
		bom_get_size(p, v, "memory", true, &vm->memory_bytes, w);
		bom_get_size(p, v, "disk", false, &vm->disk_bytes, w);
		if (!sb_ymap_get(v, "memory"))
			bom_err(p, v, "e.g. 'memory: 64GB'", "%s has no 'memory'", w);
		if (!sb_ymap_get(v, "disk"))
			bom_err(p, v, "e.g. 'disk: 2TB'", "%s has no 'disk'", w);
		parse_addr_src(c, sb_ymap_get(v, "mgmt"), &a, w);
		fill_addr(p, &a, 0, &vm->mgmt, w);
		vm->ssh_user = "root";
		vm->ssh_port = 22;
		const struct sb_ynode *ssh = sb_ymap_get(v, "ssh");
		if (ssh && want_map(p, ssh, w)) {
			bom_check_keys(p, ssh, ssh_keys, "'ssh'");
			const char *u = bom_get_str(p, ssh, "user", false, "'ssh'");
			if (u)
				vm->ssh_user = u;
			bom_get_uint(p, ssh, "port", 1, 65535, &vm->ssh_port, "'ssh'");
		}
		if (vm->name)
			node->nvms++;
	}
}

/* serials: {chassis: X, LINE: [..]} and macs: {LINE: [..]}, which apply to
 * one node, so a node whose name is a range cannot have them. */
/* Whether any two of keys[0..n) are equal (without regard to case when
 * nocase). Sorted, not compared pairwise: a core site has thousands of
 * nodes; the pairwise loops that name each duplicate run only when this
 * says there is one. NULL keys are skipped. */
static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int key_casecmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

static bool any_dup(const char *const *keys, size_t n, bool nocase)
{
	const char **v;
	size_t m = 0;
	bool dup = false;

	if (n < 2)
		return false;
	if (!(v = malloc(n * sizeof(*v))))
		return true;	/* let the exact loop decide */
	for (size_t i = 0; i < n; i++)
		if (keys[i])
			v[m++] = keys[i];
	qsort(v, m, sizeof(*v), nocase ? key_casecmp : key_cmp);
	for (size_t i = 1; i < m && !dup; i++)
		dup = (nocase ? strcasecmp(v[i - 1], v[i]) : strcmp(v[i - 1], v[i])) == 0;
	free(v);
	return dup;
}

static void apply_per_unit(struct loadctx *c, const struct sb_ynode *n,
			   struct sb_bom_node *node, bool macs)
{
	struct bom_parser *p = &c->p;
	const char *key = macs ? "macs" : "serials";
	char what[200];

	snprintf(what, sizeof(what), "'%s' of node '%s'", key, node->name);
	if (!want_map(p, n, what))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *k = n->pairs[i].key, *v = n->pairs[i].val;
		struct sb_bom_line *l = NULL;

		if (!macs && strcmp(k->str, "chassis") == 0) {
			node->chassis.serial = bom_str(p, v, "the chassis serial");
			continue;
		}
		for (size_t j = 0; node->lines && j < node->nlines; j++)
			if (sb_streq(node->lines[j].id, k->str))
				l = &node->lines[j];
		if (!l) {
			char hint[200], lead[120];
			snprintf(lead, sizeof(lead),
				 "keys of '%s' are the ids of the node's component lines%s",
				 key, macs ? "" : " or 'chassis'");
			bom_hint_from(hint, sizeof(hint), k->str, node->lines,
				      node->lines ? node->nlines : 0,
				      sizeof(*node->lines),
				      offsetof(struct sb_bom_line, id),
				      macs ? NULL : "chassis", lead);
			bom_err(p, k, hint, "%s names line '%.60s', which node '%s' does not have",
				what, k->str, node->name);
			continue;
		}
		const char *const *list;
		size_t cnt;
		struct sb_ynode wrap = { .type = SB_YMAP };
		struct sb_ypair pair = { (struct sb_ynode *)k,
					 (struct sb_ynode *)v };
		wrap.pairs = &pair;
		wrap.n = 1;
		if (!bom_get_strlist(p, &wrap, k->str, &list, &cnt, what))
			continue;
		if (macs && l->cls != SB_HW_NIC) {
			bom_err(p, k, NULL, "%s: line '%s' is not a NIC", what,
				l->id);
			continue;
		}
		unsigned limit = l->quantity * (macs && l->ports ? l->ports : 1);
		if (cnt > limit) {
			bom_err(p, v, "list at most one per unit the line orders",
				"node '%s' line '%s' orders %u but lists %zu %s",
				node->name, l->id, l->quantity, cnt,
				macs ? "MAC addresses" : "serials");
			continue;
		}
		bool dups = cnt > 1 && (cnt < 8 || any_dup(list, cnt, true));
		for (size_t j = 0; dups && j < cnt; j++) {
			for (size_t m = 0; m < j; m++)
				if (sb_strcaseeq(list[j], list[m]))
					bom_err(p, v, NULL,
						"node '%s' line '%s' lists '%s' twice",
						node->name, l->id, list[j]);
		}
		if (macs) {
			l->macs = list;
			l->nmacs = cnt;
		} else {
			l->serials = list;
			l->nserials = cnt;
		}
	}
}

static void parse_nodes(struct loadctx *c, const struct sb_ynode *n)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;
	size_t cap = 0;

	if (!n) {
		bom_err(p, NULL, "add a 'nodes:' list", "the BOM lists no nodes");
		return;
	}
	if (!want_seq(p, n, "'nodes'"))
		return;
	for (size_t i = 0; i < n->n; i++) {
		const struct sb_ynode *v = n->items[i];
		struct sb_strv names = { 0 }, bmcs = { 0 };
		struct addr_src mgmt, data;
		const char *name, *bmc_url = NULL, *cred = NULL, *hw, *rack;
		const struct sb_ynode *bmc, *ssh;
		const struct profile *prof = NULL;
		unsigned unit = 0, height = 1, ssh_port = 22;
		const char *ssh_user = "root";
		char what[200];

		if (!want_map(p, v, "an entry of 'nodes'"))
			continue;
		name = get_ident(p, v, "name", true, true, "a node");
		if (!name)
			continue;
		snprintf(what, sizeof(what), "node '%s'", name);
		bom_check_keys(p, v, node_keys, what);
		if (sb_range_expand(&names, name, 4096) != 0) {
			bom_err(p, sb_ymap_get(v, "name"), NULL, "%s",
				sb_error_message());
			sb_error_clear();
			continue;
		}

		const char *const *roles;
		size_t nroles;
		bom_get_strlist(p, v, "roles", &roles, &nroles, what);
		if (!sb_ymap_get(v, "roles"))
			bom_err(p, v, "e.g. 'roles: [proxmox, ceph-osd]'",
				"%s has no 'roles'", what);
		check_roles(p, v, roles, nroles, what);

		rack = bom_get_str(p, v, "rack", false, what);
		if (rack && !find_rack(s, rack)) {
			char hint[120];
			bom_hint_from(hint, sizeof(hint), rack, s->racks, s->nracks,
				      sizeof(*s->racks),
				      offsetof(struct sb_bom_rack, id), NULL,
				      "list it under 'racks:'");
			bom_err(p, sb_ymap_get(v, "rack"), hint,
				"%s is in rack '%s', which 'racks' does not list",
				what, rack);
			rack = NULL;
		}
		bom_get_uint(p, v, "unit", 1, 60, &unit, what);
		bom_get_uint(p, v, "height", 1, 20, &height, what);
		if (sb_ymap_get(v, "unit") && !sb_ymap_get(v, "rack"))
			bom_err(p, sb_ymap_get(v, "unit"), "add 'rack: ID'",
				"%s has a rack unit but no rack", what);
		if (names.n > 1 && sb_ymap_get(v, "unit"))
			bom_err(p, sb_ymap_get(v, "unit"),
				"list nodes that sit in racks one by one",
				"%s is a range of %zu nodes and cannot share one rack unit",
				what, names.n);

		bmc = sb_ymap_get(v, "bmc");
		if (bmc && bmc->type == SB_YSCALAR) {
			bmc_url = bom_str(p, bmc, "'bmc'");
		} else if (bmc && want_map(p, bmc, "'bmc'")) {
			bom_check_keys(p, bmc, bmc_keys, "'bmc'");
			bmc_url = bom_get_str(p, bmc, "url", true, "'bmc'");
			cred = bom_get_str(p, bmc, "credential", false, "'bmc'");
			if (cred && !valid_ident(cred, false))
				bom_err(p, sb_ymap_get(bmc, "credential"),
					"a credential is the name of an entry in the credentials file, never the secret",
					"'credential' of %s is not a name: it must be letters, digits, '-', '_' or '.'",
					what);
		}
		const struct sb_ynode *bmc_at = bmc && bmc->type == SB_YMAP ?
			sb_ymap_get(bmc, "url") : bmc;
		if (!expand_with(p, bmc_at, bmc_url, names.n, &bmcs, "BMC URL",
				 name))
			bmc_url = NULL;

		parse_addr_src(c, sb_ymap_get(v, "mgmt"), &mgmt, "'mgmt'");
		parse_addr_src(c, sb_ymap_get(v, "data"), &data, "'data'");
		if (!expand_with(p, mgmt.at, mgmt.address, names.n,
				 &mgmt.expanded, "mgmt address", name))
			mgmt.address = NULL;
		if (!expand_with(p, data.at, data.address, names.n,
				 &data.expanded, "data address", name))
			data.address = NULL;

		ssh = sb_ymap_get(v, "ssh");
		if (ssh && want_map(p, ssh, "'ssh'")) {
			bom_check_keys(p, ssh, ssh_keys, "'ssh'");
			const char *u = bom_get_str(p, ssh, "user", false, "'ssh'");
			if (u)
				ssh_user = u;
			bom_get_uint(p, ssh, "port", 1, 65535, &ssh_port, "'ssh'");
		}

		hw = bom_get_str(p, v, "hardware", false, what);
		if (hw) {
			prof = find_profile(c, hw);
			if (!prof) {
				char hint[120];
				bom_hint_from(hint, sizeof(hint), hw, c->profiles,
					      c->nprofiles, sizeof(*c->profiles),
					      offsetof(struct profile, name), NULL,
					      "define it under 'hardware:'");
				bom_err(p, sb_ymap_get(v, "hardware"), hint,
					"%s uses hardware profile '%s', which 'hardware' does not define",
					what, hw);
			}
		}
		if (names.n > 1 && (sb_ymap_get(v, "serials") ||
				    sb_ymap_get(v, "macs")))
			bom_err(p, sb_ymap_get(v, sb_ymap_get(v, "serials") ?
						  "serials" : "macs"),
				"list nodes with expected serials one by one",
				"%s is a range of %zu nodes; serials and MACs belong to one node",
				what, names.n);

		/* the node's own lines, parsed once, copied per node */
		struct sb_bom_line *own = NULL;
		size_t nown = 0;
		parse_lines(c, sb_ymap_get(v, "components"), &own, &nown, what);
		struct sb_bom_firmware *ownfw = NULL;
		size_t nownfw = 0;
		parse_fw_list(c, sb_ymap_get(v, "firmware"), &ownfw, &nownfw, what);
		struct sb_bom_chassis chassis;
		memset(&chassis, 0, sizeof(chassis));
		if (prof)
			chassis = prof->chassis;
		if (sb_ymap_get(v, "chassis"))
			parse_chassis(c, sb_ymap_get(v, "chassis"), &chassis, what,
				      !prof || !prof->chassis.part_number);
		if (!sb_ymap_get(v, "chassis") && !(prof && prof->chassis.part_number))
			bom_err(p, v, "add 'chassis:' with manufacturer, model and part_number, or 'hardware: PROFILE'",
				"%s says nothing about its chassis", what);
		if (nown == 0 && !prof && !sb_ymap_get(v, "components"))
			bom_warn(p, v, "add 'components:' or 'hardware: PROFILE' so that reconciliation can check the parts",
				 "%s lists no expected components", what);
		for (size_t k = 0; prof && k < nown; k++)
			for (size_t j = 0; j < prof->nlines; j++)
				if (sb_streq(own[k].id, prof->lines[j].id))
					bom_err(p, v, "give the node's own lines other ids than the profile's",
						"%s line '%s' has the id of a line of profile '%s'",
						what, own[k].id, prof->name);

		for (size_t k = 0; k < names.n; k++) {
			if (s->nnodes == cap) {
				size_t ncap = cap ? cap * 2 : 16;
				struct sb_bom_node *nn = sb_arena_calloc(p->a, ncap,
									 sizeof(*nn));
				if (!nn)
					break;
				if (s->nnodes)
					memcpy(nn, s->nodes, s->nnodes * sizeof(*nn));
				s->nodes = nn;
				cap = ncap;
			}
			struct sb_bom_node *node = &s->nodes[s->nnodes];
			memset(node, 0, sizeof(*node));
			node->name = sb_arena_strdup(p->a, names.v[k]);
			node->roles = roles;
			node->nroles = nroles;
			node->rack = rack;
			node->unit = unit;
			node->height = height;
			node->bmc_url = bmcs.n ? sb_arena_strdup(p->a, bmcs.v[k]) :
						 bmc_url;
			node->credential = cred;
			node->ssh_user = ssh_user;
			node->ssh_port = ssh_port;
			node->hardware = prof ? prof->name : NULL;
			node->chassis = chassis;
			node->pos = pos_of(v);
			fill_addr(p, &mgmt, k, &node->mgmt, "'mgmt'");
			fill_addr(p, &data, k, &node->data, "'data'");
			size_t nl = (prof ? prof->nlines : 0) + nown;
			node->lines = sb_arena_calloc(p->a, nl ? nl : 1,
						      sizeof(*node->lines));
			if (node->lines) {
				if (prof && prof->nlines)
					memcpy(node->lines, prof->lines,
					       prof->nlines * sizeof(*node->lines));
				if (nown)
					memcpy(node->lines + (prof ? prof->nlines : 0),
					       own, nown * sizeof(*own));
				node->nlines = nl;
			}
			size_t nf = (prof ? prof->nfw : 0) + nownfw;
			struct sb_bom_firmware *fw = sb_arena_calloc(p->a, nf ? nf : 1,
								     sizeof(*fw));
			if (fw) {
				if (prof && prof->nfw)
					memcpy(fw, prof->fw, prof->nfw * sizeof(*fw));
				if (nownfw)
					memcpy(fw + (prof ? prof->nfw : 0), ownfw,
					       nownfw * sizeof(*fw));
				node->firmware = fw;
				node->nfirmware = nf;
			}
			if (node->bmc_url) {
				struct sb_bmc_url u;
				if (sb_bmc_url_parse(&u, node->bmc_url) != 0) {
					bom_err(p, bmc_at, NULL, "%s", sb_error_message());
					sb_error_clear();
				} else if (strcmp(u.scheme, "redfish+http") == 0) {
					bom_warn(p, bmc_at,
						 "use redfish:// (HTTPS) on real sites",
						 "node '%s' talks to its BMC over plain HTTP",
						 node->name);
				}
			}
			if (names.n == 1) {
				const struct sb_ynode *sn = sb_ymap_get(v, "serials");
				const struct sb_ynode *mn = sb_ymap_get(v, "macs");
				if (sn)
					apply_per_unit(c, sn, node, false);
				if (mn)
					apply_per_unit(c, mn, node, true);
			}
			parse_vms(c, names.n == 1 ? sb_ymap_get(v, "vms") : NULL, node);
			s->nnodes++;
		}
		if (names.n > 1 && sb_ymap_get(v, "vms"))
			bom_err(p, sb_ymap_get(v, "vms"), "list nodes with VMs one by one",
				"%s is a range of nodes; VMs belong to one node", what);
		sb_strv_release(&names);
		sb_strv_release(&bmcs);
		sb_strv_release(&mgmt.expanded);
		sb_strv_release(&data.expanded);
	}
}

/* Site-wide checks that need every node: unique names, endpoints,
 * addresses and serials; racks without overlaps. */
struct seen {
	const char *key;
	const char *node;
	const struct sb_bom_node *at;
	size_t order;
};

/* By serial without regard to case, then in BOM order. */
static int seen_cmp(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int k = strcasecmp(x->key, y->key);

	if (k)
		return k;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int rack_cmp(const void *a, const void *b)
{
	const struct sb_bom_node *x = *(const struct sb_bom_node *const *)a;
	const struct sb_bom_node *y = *(const struct sb_bom_node *const *)b;
	int k = strcmp(x->rack, y->rack);

	if (k)
		return k;
	return x->unit < y->unit ? -1 : x->unit > y->unit;
}

static void check_site(struct loadctx *c, const struct sb_ynode *nodes_at)
{
	struct bom_parser *p = &c->p;
	struct sb_site *s = p->s;
	size_t cap = 16, nseen = 0;
	struct seen *seen = NULL;
	(void)nodes_at;

	const char **keys = calloc(s->nnodes ? s->nnodes : 1, sizeof(*keys));
	size_t nvms = 0;
	bool dup_names;

	for (size_t i = 0; keys && i < s->nnodes; i++) {
		keys[i] = s->nodes[i].name;
		nvms += s->nodes[i].nvms;
	}
	dup_names = !keys || nvms || any_dup(keys, s->nnodes, false);
	/* names: nodes and VMs share one name space (they are all hosts) */
	for (size_t i = 0; dup_names && i < s->nnodes; i++) {
		const struct sb_bom_node *a = &s->nodes[i];
		for (size_t k = 0; k < i; k++) {
			if (strcmp(a->name, s->nodes[k].name) == 0) {
				sb_diags_add(p->d, SB_DIAG_ERROR, p->file, a->pos.line,
					     a->pos.col, "give every node its own name",
					     "duplicate node name '%s' (also at line %u)",
					     a->name, s->nodes[k].pos.line);
				break;
			}
		}
		for (size_t v = 0; v < a->nvms; v++) {
			for (size_t k = 0; k < s->nnodes; k++)
				if (strcmp(a->vms[v].name, s->nodes[k].name) == 0)
					sb_diags_add(p->d, SB_DIAG_ERROR, p->file,
						     a->vms[v].pos.line, a->vms[v].pos.col,
						     NULL,
						     "VM '%s' has the name of node '%s'",
						     a->vms[v].name, s->nodes[k].name);
		}
	}
	/* BMC endpoints: "PROTO host:port", lower-case, to find duplicates */
	bool dup_bmc = !keys;
	for (size_t i = 0; keys && i < s->nnodes; i++) {
		struct sb_bmc_url u;
		char hp[300], key[320];
		keys[i] = NULL;
		if (!s->nodes[i].bmc_url || sb_bmc_url_parse(&u, s->nodes[i].bmc_url))
			continue;
		sb_bmc_url_hostport(hp, sizeof(hp), &u);
		snprintf(key, sizeof(key), "%d %s", (int)u.proto, hp);
		if (!(keys[i] = sb_arena_strdup(p->a, key)))
			dup_bmc = true;
	}
	dup_bmc = dup_bmc || any_dup(keys, s->nnodes, true);
	for (size_t i = 0; dup_bmc && i < s->nnodes; i++) {
		struct sb_bmc_url u, w;
		char hp[300], hp2[300];
		const struct sb_bom_node *a = &s->nodes[i];
		if (!a->bmc_url || sb_bmc_url_parse(&u, a->bmc_url))
			continue;
		sb_bmc_url_hostport(hp, sizeof(hp), &u);
		for (size_t k = 0; k < i; k++) {
			const struct sb_bom_node *b = &s->nodes[k];
			if (!b->bmc_url || sb_bmc_url_parse(&w, b->bmc_url))
				continue;
			sb_bmc_url_hostport(hp2, sizeof(hp2), &w);
			if (strcasecmp(hp, hp2) == 0 && u.proto == w.proto) {
				sb_diags_add(p->d, SB_DIAG_ERROR, p->file,
					     a->pos.line, a->pos.col,
					     "each node has its own BMC; check the address",
					     "node '%s' has the same BMC endpoint %s as node '%s'",
					     a->name, hp, b->name);
				break;
			}
		}
	}
	sb_error_clear();
	/* management addresses */
	bool dup_mgmt = !keys;
	for (size_t i = 0; keys && i < s->nnodes; i++) {
		char key[128];
		keys[i] = NULL;
		if (!s->nodes[i].mgmt.ip)
			continue;
		snprintf(key, sizeof(key), "%s %u", s->nodes[i].mgmt.ip,
			 (unsigned)s->nodes[i].ssh_port);
		if (!(keys[i] = sb_arena_strdup(p->a, key)))
			dup_mgmt = true;
	}
	dup_mgmt = dup_mgmt || any_dup(keys, s->nnodes, false);
	for (size_t i = 0; dup_mgmt && i < s->nnodes; i++) {
		const struct sb_bom_node *a = &s->nodes[i];
		if (!a->mgmt.ip)
			continue;
		for (size_t k = 0; k < i; k++) {
			if (sb_streq(a->mgmt.ip, s->nodes[k].mgmt.ip) &&
			    a->ssh_port == s->nodes[k].ssh_port) {
				sb_diags_add(p->d, SB_DIAG_ERROR, p->file,
					     a->pos.line, a->pos.col, NULL,
					     "node '%s' has the same management address %s as node '%s'",
					     a->name, a->mgmt.ip, s->nodes[k].name);
				break;
			}
		}
	}
	/* rack units: nodes by rack and first unit; an overlap exists when
	 * a node starts before the end of one before it in the same rack */
	bool overlap = !keys;
	const struct sb_bom_node **byrack = calloc(s->nnodes ? s->nnodes : 1,
						   sizeof(*byrack));
	size_t nr = 0;
	for (size_t i = 0; byrack && i < s->nnodes; i++)
		if (s->nodes[i].rack && s->nodes[i].unit)
			byrack[nr++] = &s->nodes[i];
	if (byrack) {
		qsort(byrack, nr, sizeof(*byrack), rack_cmp);
		for (size_t i = 1, end = 0; i < nr && !overlap; i++) {
			const struct sb_bom_node *x = byrack[i - 1], *y = byrack[i];
			size_t e = x->unit + x->height - 1;
			if (i == 1 || strcmp(x->rack, byrack[i - 2]->rack) != 0)
				end = e;
			else if (e > end)
				end = e;
			overlap = strcmp(x->rack, y->rack) == 0 && y->unit <= end;
		}
	} else {
		overlap = true;
	}
	free(byrack);
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *a = &s->nodes[i];
		const struct sb_bom_rack *r;
		if (!a->rack || !a->unit)
			continue;
		r = find_rack(s, a->rack);
		if (r && a->unit + a->height - 1 > r->units) {
			sb_diags_add(p->d, SB_DIAG_ERROR, p->file, a->pos.line,
				     a->pos.col, NULL,
				     "node '%s' at U%u (height %u) does not fit rack '%s' of %u units",
				     a->name, a->unit, a->height, r->id, r->units);
		}
		for (size_t k = 0; overlap && k < i; k++) {
			const struct sb_bom_node *b = &s->nodes[k];
			if (!b->rack || !b->unit || strcmp(a->rack, b->rack) != 0)
				continue;
			if (a->unit <= b->unit + b->height - 1 &&
			    b->unit <= a->unit + a->height - 1) {
				sb_diags_add(p->d, SB_DIAG_ERROR, p->file,
					     a->pos.line, a->pos.col,
					     "give each node its own rack units",
					     "node '%s' at %s U%u overlaps node '%s' at U%u-U%u",
					     a->name, a->rack, a->unit, b->name,
					     b->unit, b->unit + b->height - 1);
				break;
			}
		}
	}
	/* serials, site-wide: a serial names exactly one part. Sorted, not
	 * compared pairwise: a core site has about 100,000 of them. */
	seen = malloc(cap * sizeof(*seen));
	for (size_t i = 0; seen && i < s->nnodes; i++) {
		const struct sb_bom_node *a = &s->nodes[i];
		for (size_t j = 0; j <= a->nlines; j++) {
			const char *const *ser = j < a->nlines ? a->lines[j].serials :
								 &a->chassis.serial;
			size_t nser = j < a->nlines ? a->lines[j].nserials :
						      (a->chassis.serial ? 1 : 0);
			for (size_t k = 0; k < nser; k++) {
				if (!ser[k])
					continue;
				if (nseen == cap) {
					struct seen *ns = realloc(seen, cap * 2 * sizeof(*ns));
					if (!ns)
						goto out;
					seen = ns;
					cap *= 2;
				}
				seen[nseen].key = ser[k];
				seen[nseen].node = a->name;
				seen[nseen].at = a;
				seen[nseen].order = nseen;
				nseen++;
			}
		}
	}
	if (!seen)
		goto out;
	qsort(seen, nseen, sizeof(*seen), seen_cmp);
	for (size_t i = 1; i < nseen; i++) {
		size_t first = i - 1;
		while (first > 0 && strcasecmp(seen[first - 1].key, seen[i].key) == 0)
			first--;
		if (strcasecmp(seen[first].key, seen[i].key) != 0)
			continue;
		sb_diags_add(p->d, SB_DIAG_ERROR, p->file, seen[i].at->pos.line,
			     seen[i].at->pos.col,
			     "a serial names one part; check the ship notice",
			     "duplicate serial '%s' on node '%s' (also on node '%s')",
			     seen[i].key, seen[i].node, seen[first].node);
	}
out:
	free(seen);
	free(keys);
}

static void sha256_hex(char out[65], const char *buf, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	EVP_Digest(buf, len, md, &mdlen, EVP_sha256(), NULL);
	sb_hex(out, md, sizeof(md));
}

/* The VMs as hosts (sb_site.guests). */
static int build_guests(struct sb_site *s)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < s->nnodes; i++)
		n += s->nodes[i].nvms;
	if (!n)
		return 0;
	s->guests = sb_arena_calloc(&s->arena, n, sizeof(*s->guests));
	if (!s->guests)
		return SB_ENOMEM;
	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *p = &s->nodes[i];
		for (size_t v = 0; v < p->nvms; v++) {
			const struct sb_bom_vm *vm = &p->vms[v];
			struct sb_bom_node *g = &s->guests[k++];
			g->name = vm->name;
			g->roles = vm->roles;
			g->nroles = vm->nroles;
			g->rack = p->rack;
			g->height = 1;
			g->mgmt = vm->mgmt;
			g->ssh_user = vm->ssh_user;
			g->ssh_port = vm->ssh_port;
			g->parent = p;
			g->vm = vm;
			g->pos = vm->pos;
		}
	}
	s->nguests = k;
	return 0;
}

int sb_bom_load_buf(struct sb_site **out, const char *path, const char *buf,
		    size_t len, struct sb_diags *diags)
{
	struct sb_ydoc *doc = NULL;
	struct loadctx c;
	struct sb_site *s;
	size_t errs0 = diags->nerrors;
	const struct sb_ynode *root, *ver;
	int rc;

	*out = NULL;
	rc = sb_yaml_load_buf(&doc, path, buf, len, NULL, diags);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		sb_yaml_free(doc);
		return sb_error_set(SB_ENOMEM, "out of memory");
	}
	sb_arena_init(&s->arena, 0);
	memset(&c, 0, sizeof(c));
	c.p.s = s;
	c.p.d = diags;
	c.p.file = path;
	c.p.a = &s->arena;
	s->path = sb_arena_strdup(&s->arena, path);
	sha256_hex(s->sha256, buf, len);

	root = doc->root;
	if (root->type != SB_YMAP) {
		bom_err(&c.p, root,
			"a BOM starts with 'schema_version: 1' and 'site:'",
			"the top level of a BOM must be a mapping, not %s",
			sb_ytype_name(root));
		goto done;
	}
	bom_check_keys(&c.p, root, top_keys, "the BOM");
	ver = sb_ymap_get(root, "schema_version");
	if (!ver) {
		bom_err(&c.p, root, "add 'schema_version: 1' at the top",
			"the BOM has no 'schema_version'");
	} else if (ver->type != SB_YSCALAR || strcmp(ver->str, "1") != 0) {
		bom_err(&c.p, ver,
			"this siteboot reads schema_version 1; convert the file or upgrade siteboot",
			"unsupported schema_version '%.20s'",
			ver->type == SB_YSCALAR ? ver->str : sb_ytype_name(ver));
	} else {
		s->schema_version = 1;
	}
	parse_site(&c, sb_ymap_get(root, "site"));
	parse_networks(&c, sb_ymap_get(root, "networks"));
	parse_orders(&c, sb_ymap_get(root, "orders"));
	parse_images(&c, sb_ymap_get(root, "images"));
	parse_profiles(&c, sb_ymap_get(root, "hardware"));
	parse_racks(&c, sb_ymap_get(root, "racks"));
	parse_nodes(&c, sb_ymap_get(root, "nodes"));
	parse_besu(&c, sb_ymap_get(root, "besu"));
	check_site(&c, sb_ymap_get(root, "nodes"));
	if (diags->nerrors == errs0 && build_guests(s))
		bom_err(&c.p, root, NULL, "out of memory");
	if (diags->nerrors == errs0 && s->tier)
		sb_bom_tier_check(s, diags);
	if (diags->nerrors == errs0 && s->tier &&
	    sb_bom_tier_besu_defaults(s) != 0)
		bom_err(&c.p, root, NULL, "%s", sb_error_message());
	if (diags->nerrors == errs0 && s->besu.request_timeout <= s->besu.block_period) {
		const struct sb_ynode *b = sb_ymap_get(root, "besu");
		bom_err(&c.p, b ? b : root,
			"QBFT changes round when a block takes longer than the request timeout; "
			"make it at least twice the block period",
			"the Besu request timeout (%us) must be longer than the block period (%us)",
			s->besu.request_timeout, s->besu.block_period);
	}
done:
	free(c.profiles);
	sb_yaml_free(doc);
	if (diags->nerrors > errs0) {
		sb_bom_free(s);
		return sb_error_set(SB_EINPUT, "%s: the BOM has %zu error%s",
				    path, diags->nerrors - errs0,
				    diags->nerrors - errs0 == 1 ? "" : "s");
	}
	*out = s;
	return 0;
}

int sb_bom_load(struct sb_site **out, const char *path,
		struct sb_diags *diags)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	rc = sb_yaml_read_file(&buf, &len, path, NULL, diags);
	if (rc)
		return rc;
	rc = sb_bom_load_buf(out, path, buf, len, diags);
	free(buf);
	return rc;
}

void sb_bom_free(struct sb_site *s)
{
	if (!s)
		return;
	sb_arena_release(&s->arena);
	free(s);
}
