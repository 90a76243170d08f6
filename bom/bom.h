/* siteboot: the site bill of materials (BOM).
 *
 * A BOM (YAML, docs/bom.md, schema_version 1) says what a site should
 * hold: the site and its tier, racks, nodes with roles, BMC endpoints and
 * addresses, the expected hardware per node line by line with expected
 * serials and firmware, the purchase order behind every line, and the
 * images to install. sb_bom_load() parses and validates it completely,
 * against the schema and against its tier's requirement profile
 * (bom/tiers/), reporting every problem with FILE:LINE:COL.
 *
 * A loaded site is immutable and owns all its strings (one arena). */
#ifndef SB_BOM_BOM_H
#define SB_BOM_BOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/hw.h"

#define SB_BOM_SCHEMA_VERSION 1

struct sb_bom_pos {
	unsigned line, col;
};

/* The purchase order a line was bought on. */
struct sb_bom_order {
	const char *po;		/* NULL when the line names no order */
	unsigned po_line;	/* 0 when not given */
	const char *vendor;	/* from the order list */
};

struct sb_bom_firmware {
	const char *name;	/* "BIOS", "BMC", "NIC", ... */
	const char *version;	/* exact version required, or NULL */
	const char *min_version;	/* minimum, or NULL */
	struct sb_bom_pos pos;
};

/* One expected component line of a node. */
struct sb_bom_line {
	const char *id;		/* unique within the node: "cpu", "dimm" */
	enum sb_hw_class cls;
	const char *manufacturer;
	const char *model;
	const char *part_number;
	const char *const *alternates;	/* other acceptable part numbers */
	size_t nalternates;
	/* the maker's own part numbers (a DIMM's "M393A4K40DB3-CWE" where
	 * the vendor sells it as "370-AHCL"): what dmidecode, FRU and
	 * Redfish often report; acceptable like the alternates */
	const char *const *mfr_parts;
	size_t nmfr_parts;
	unsigned quantity;
	const char *const *slots;	/* nslots is 0 or quantity */
	size_t nslots;
	const char *const *serials;	/* expected, from the ship notice */
	size_t nserials;
	const char *const *macs;	/* NICs: expected MAC addresses */
	size_t nmacs;
	uint64_t size_bytes;	/* per unit: memory module, drive */
	const char *interface;	/* drives: nvme, sata, sas */
	const char *media;	/* drives: ssd, hdd */
	const char *use;	/* drives: os, data, ceph-osd, besu */
	unsigned ports;		/* NICs */
	uint64_t speed_mbps;	/* NICs */
	const struct sb_bom_firmware *firmware;	/* or NULL */
	struct sb_bom_order order;
	struct sb_bom_pos pos;	/* where the line is written */
	const char *profile;	/* hardware profile it came from, or NULL */
};

struct sb_bom_chassis {
	const char *manufacturer;
	const char *model;
	const char *part_number;
	const char *sku;
	const char *serial;	/* expected chassis serial, or NULL */
	struct sb_bom_order order;
	struct sb_bom_pos pos;
};

struct sb_bom_addr {
	const char *address;	/* as written, "10.20.1.11/24" */
	const char *ip;		/* "10.20.1.11", or NULL when none */
	unsigned prefix;
	const char *gateway;
	const char *mac;
	const char *interface;
};

struct sb_bom_vm {
	const char *name;
	const char *const *roles;
	size_t nroles;
	unsigned vcpus;
	uint64_t memory_bytes;
	uint64_t disk_bytes;
	struct sb_bom_addr mgmt;
	const char *ssh_user;	/* default "root" */
	unsigned ssh_port;	/* default 22 */
	struct sb_bom_pos pos;
};

struct sb_bom_node {
	const char *name;
	const char *const *roles;
	size_t nroles;
	const char *rack;	/* rack id, or NULL */
	unsigned unit;		/* lowest rack unit, 0 when not given */
	unsigned height;	/* rack units, default 1 */
	const char *bmc_url;	/* NULL when the node has no BMC listed */
	const char *credential;	/* name in the credentials file, or NULL */
	struct sb_bom_addr mgmt;
	struct sb_bom_addr data;
	const char *ssh_user;	/* default "root" */
	unsigned ssh_port;	/* default 22 */
	const char *hardware;	/* profile name, or NULL */
	struct sb_bom_chassis chassis;
	struct sb_bom_line *lines;
	size_t nlines;
	const struct sb_bom_firmware *firmware;	/* baseline: BIOS, BMC */
	size_t nfirmware;
	struct sb_bom_vm *vms;
	size_t nvms;
	/* A VM as a host (sb_site.guests): the node that carries it and its
	 * entry there; both NULL for a node. */
	const struct sb_bom_node *parent;
	const struct sb_bom_vm *vm;
	struct sb_bom_pos pos;
};

struct sb_bom_rack {
	const char *id;
	const char *name;
	const char *location;
	unsigned units;
	struct sb_bom_pos pos;
};

struct sb_bom_po {
	const char *id;
	const char *vendor;
	const char *date;
	struct sb_bom_pos pos;
};

struct sb_bom_image {
	const char *name;
	const char *version;
	const char *file;
	const char *url;
	const char *sha256;	/* 64 lower-case hex digits */
	struct sb_bom_pos pos;
};

struct sb_bom_network {
	const char *name;	/* "bmc", "mgmt", "data", "ceph", ... */
	const char *cidr;
	const char *gateway;
	const char *const *dns;
	size_t ndns;
	unsigned vlan;
	struct sb_bom_pos pos;
};

/* The site's Besu QBFT chain parameters (`besu:` in the BOM, defaults
 * from the tier profile's `besu:`). The chain is one network across core,
 * regional and edge sites: the core site builds its genesis from these,
 * the others check that the network they join has them. */
#define SB_BESU_CHAIN_ID_MAX ((1ULL << 53) - 1)	/* exact in JSON */
struct sb_bom_besu {
	uint64_t chain_id;		/* 0: not given (there is no default) */
	unsigned block_period;		/* seconds, 1 to 60 */
	unsigned epoch_length;		/* blocks, 100 to 1000000000 */
	unsigned request_timeout;	/* seconds, above block_period, to 3600 */
	bool given;			/* the BOM has a besu: section */
	struct sb_bom_pos pos;
};

struct sb_site {
	struct sb_arena arena;
	const char *path;
	char sha256[65];	/* of the file's bytes */
	unsigned schema_version;
	const char *id;
	const char *name;
	const char *tier;	/* "core", "regional", "edge" */
	struct sb_bom_pos tier_pos;
	const char *timezone;
	const char *contact_email;
	const char *country, *region, *city, *address, *facility;
	struct sb_bom_rack *racks;
	size_t nracks;
	struct sb_bom_po *orders;
	size_t norders;
	struct sb_bom_image *images;
	size_t nimages;
	struct sb_bom_network *networks;
	size_t nnetworks;
	struct sb_bom_node *nodes;
	size_t nnodes;
	/* Every node's VMs as hosts of their own, in BOM order: name, roles,
	 * rack, management address and SSH from the VM's entry, `parent` and
	 * `vm` set, no BMC and no hardware lines. Not in `nodes`: discovery,
	 * power and reconciliation are about machines; checklists run on
	 * hosts (docs/checklists.md, "hosts"). */
	struct sb_bom_node *guests;
	size_t nguests;
	struct sb_bom_besu besu;
};

/* Load and validate a BOM. Every problem goes to `diags` (errors and
 * warnings, with positions). Returns 0 when there are no errors (warnings
 * allowed) and *out is the site; SB_EINPUT when there are errors (*out is
 * left NULL); another SB_E* on an operational failure. */
int sb_bom_load(struct sb_site **out, const char *path,
		struct sb_diags *diags);
int sb_bom_load_buf(struct sb_site **out, const char *path, const char *buf,
		    size_t len, struct sb_diags *diags);
void sb_bom_free(struct sb_site *site);

const struct sb_bom_node *sb_bom_node_find(const struct sb_site *s,
					   const char *name);
bool sb_bom_node_has_role(const struct sb_bom_node *n, const char *role);

/* Hosts: the nodes, then the VMs (guests). Index i < nnodes is nodes[i],
 * else guests[i - nnodes]. */
size_t sb_bom_nhosts(const struct sb_site *s);
const struct sb_bom_node *sb_bom_host(const struct sb_site *s, size_t i);
/* A node or VM by name, or NULL. */
const struct sb_bom_node *sb_bom_host_find(const struct sb_site *s,
					   const char *name);
/* Like sb_bom_select, over hosts (indexes as sb_bom_host takes them). */
int sb_bom_select_hosts(size_t **idx, size_t *n, const struct sb_site *s,
			const char *const *patterns, size_t npatterns);
/* Total memory and NVMe capacity of a node, from its lines. */
uint64_t sb_bom_node_memory(const struct sb_bom_node *n);
uint64_t sb_bom_node_nvme(const struct sb_bom_node *n);

/* Select nodes by names and ranges ("edge-n[01-04]"), or all when
 * `all`. Writes node indexes (into s->nodes) in BOM order, without
 * repeats. A name that matches nothing is SB_EINPUT with a hint. */
int sb_bom_select(size_t **idx, size_t *n, const struct sb_site *s,
		  const char *const *patterns, size_t npatterns, bool all);

/* Procurement totals: one row per part number and class over the site. */
struct sb_bom_total {
	const char *part_number;
	const char *manufacturer;
	const char *model;
	enum sb_hw_class cls;
	unsigned long quantity;
	unsigned long nodes;	/* how many nodes carry it */
	const char *po;		/* first order seen for it */
};
int sb_bom_totals(struct sb_bom_total **out, size_t *n,
		  const struct sb_site *s);

/* Write a site back as BOM YAML (schema_version 1) that loads to the
 * same site, with per-node endpoint overrides (the lab writes a copy of a
 * BOM whose BMC URLs and addresses point at its simulators). Profiles are
 * written out per node. Returns SB_EIO when the write fails. */
struct sb_bom_override {
	const char *node;	/* node name */
	const char *bmc_url;	/* NULL: keep */
	const char *credential;	/* NULL: keep */
	const char *mgmt_address;	/* NULL: keep ("127.0.0.1/8") */
	unsigned ssh_port;	/* 0: keep */
	const char *ssh_user;	/* NULL: keep */
};
int sb_bom_emit(FILE *f, const struct sb_site *s,
		const struct sb_bom_override *ov, size_t nov);

/* The roles siteboot knows, NULL-terminated. */
extern const char *const sb_bom_roles[];
/* The tiers, NULL-terminated: core, regional, edge. */
extern const char *const sb_bom_tiers[];

/* Check a site against its tier's requirement profile (bom/tiers/TIER.yaml,
 * built into the binary). Called by sb_bom_load(); exposed for tests. */
int sb_bom_tier_check(const struct sb_site *s, struct sb_diags *diags);
/* What the tier requires of one node through its roles: the largest
 * memory and NVMe minimums (0 when none) and why. */
struct sb_bom_node_req {
	uint64_t memory_min, nvme_min;
	char memory_reason[256];
};
int sb_bom_node_requirements(const struct sb_site *s, const struct sb_bom_node *n,
			     struct sb_bom_node_req *out);
/* The same for every node of the site at once (out[s->nnodes]). */
int sb_bom_site_requirements(const struct sb_site *s, struct sb_bom_node_req *out);
/* Fill the Besu parameters the BOM does not give from the tier profile's
 * `besu:` defaults. Called by sb_bom_load(). */
int sb_bom_tier_besu_defaults(struct sb_site *s);
/* The built-in profile text for a tier, or NULL. */
const char *sb_bom_tier_profile(const char *tier);

#endif
