/* Tier requirement profiles (bom/tiers/TIER.yaml, built in by tiers.S):
 * which roles a tier uses, how many hosts carry each, and the memory and
 * NVMe each of them needs. Data, so that a datacenter team can read and
 * review the rules without reading C. */
#include "bom/bom_priv.h"
#include "common/error.h"
#include "common/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char sb_tier_core_yaml[];
extern const char sb_tier_regional_yaml[];
extern const char sb_tier_edge_yaml[];

const char *sb_bom_tier_profile(const char *tier)
{
	if (sb_streq(tier, "core"))
		return sb_tier_core_yaml;
	if (sb_streq(tier, "regional"))
		return sb_tier_regional_yaml;
	if (sb_streq(tier, "edge"))
		return sb_tier_edge_yaml;
	return NULL;
}

struct range {
	bool has_min, has_max;
	uint64_t min, max;
};

struct req {
	const char *role;
	bool optional, odd, qbft;
	struct range count, memory, nvme;
	const char *reason;
};

bool sb_bom_node_has_role(const struct sb_bom_node *n, const char *role)
{
	for (size_t i = 0; i < n->nroles; i++)
		if (sb_streq(n->roles[i], role))
			return true;
	return false;
}

static bool vm_has_role(const struct sb_bom_vm *v, const char *role)
{
	for (size_t i = 0; i < v->nroles; i++)
		if (sb_streq(v->roles[i], role))
			return true;
	return false;
}

uint64_t sb_bom_node_memory(const struct sb_bom_node *n)
{
	uint64_t t = 0;

	for (size_t i = 0; i < n->nlines; i++)
		if (n->lines[i].cls == SB_HW_MEMORY)
			t += n->lines[i].size_bytes * n->lines[i].quantity;
	return t;
}

uint64_t sb_bom_node_nvme(const struct sb_bom_node *n)
{
	uint64_t t = 0;

	for (size_t i = 0; i < n->nlines; i++) {
		const struct sb_bom_line *l = &n->lines[i];
		if (l->cls == SB_HW_DRIVE && sb_streq(l->interface, "nvme") &&
		    !sb_streq(l->use, "os"))
			t += l->size_bytes * l->quantity;
	}
	return t;
}

/* Reading the built-in profile: any problem is a bug in siteboot. */
static int get_range(struct range *r, const struct sb_ynode *n, bool size,
		     bool memory)
{
	const struct sb_ynode *lo = sb_ymap_get(n, "min");
	const struct sb_ynode *hi = sb_ymap_get(n, "max");
	long long v;

	memset(r, 0, sizeof(*r));
	if (!n)
		return 0;
	if (lo) {
		if (size ? bom_parse_size(&r->min, lo->str, memory, "min") :
			   sb_parse_ll(&v, lo->str, 0, 100000, "min"))
			return SB_EINTERNAL;
		if (!size)
			r->min = (uint64_t)v;
		r->has_min = true;
	}
	if (hi) {
		if (size ? bom_parse_size(&r->max, hi->str, memory, "max") :
			   sb_parse_ll(&v, hi->str, 0, 100000, "max"))
			return SB_EINTERNAL;
		if (!size)
			r->max = (uint64_t)v;
		r->has_max = true;
	}
	return 0;
}

static bool flag(const struct sb_ynode *map, const char *key)
{
	const struct sb_ynode *v = sb_ymap_get(map, key);

	return v && v->type == SB_YSCALAR && strcmp(v->str, "true") == 0;
}

static void size_check(struct bom_parser *p, const struct sb_bom_pos *pos,
		       const char *holder, const struct req *r,
		       const struct range *rg, uint64_t have, const char *what,
		       bool binary)
{
	char hb[32], lb[32];

	if (!rg->has_min && !rg->has_max)
		return;
	sb_fmt_size(hb, sizeof(hb), have, binary);
	if (rg->has_min && have < rg->min) {
		sb_fmt_size(lb, sizeof(lb), rg->min, binary);
		if (have == 0)
			sb_diags_add(p->d, SB_DIAG_ERROR, p->file, pos->line,
				     pos->col,
				     "list its lines so that the requirement can be checked",
				     "%s has role '%s' but its BOM lists no %s; a %s site needs at least %s (%s)",
				     holder, r->role, what, p->s->tier, lb,
				     r->reason ? r->reason : "tier requirement");
		else
			sb_diags_add(p->d, SB_DIAG_ERROR, p->file, pos->line,
				     pos->col, NULL,
				     "%s has role '%s' with %s of %s; a %s site needs at least %s",
				     holder, r->role, hb, what, p->s->tier, lb);
	}
	if (rg->has_max && have > rg->max) {
		sb_fmt_size(lb, sizeof(lb), rg->max, binary);
		sb_diags_add(p->d, SB_DIAG_WARNING, p->file, pos->line,
			     pos->col, "check the order: the excess is not used",
			     "%s has role '%s' with %s of %s, above the %s of a %s site",
			     holder, r->role, hb, what, lb, p->s->tier);
	}
}

static void check_req(struct bom_parser *p, const struct req *r)
{
	const struct sb_site *s = p->s;
	size_t count = 0;
	const struct sb_bom_pos *tp = &s->tier_pos;

	for (size_t i = 0; i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		char holder[160];
		if (sb_bom_node_has_role(n, r->role)) {
			count++;
			snprintf(holder, sizeof(holder), "node '%s'", n->name);
			size_check(p, &n->pos, holder, r, &r->memory,
				   sb_bom_node_memory(n), "memory", true);
			size_check(p, &n->pos, holder, r, &r->nvme,
				   sb_bom_node_nvme(n), "NVMe storage", false);
		}
		for (size_t v = 0; v < n->nvms; v++) {
			const struct sb_bom_vm *vm = &n->vms[v];
			if (!vm_has_role(vm, r->role))
				continue;
			count++;
			snprintf(holder, sizeof(holder), "VM '%s'", vm->name);
			size_check(p, &vm->pos, holder, r, &r->memory,
				   vm->memory_bytes, "memory", true);
			size_check(p, &vm->pos, holder, r, &r->nvme,
				   vm->disk_bytes, "disk", false);
		}
	}
	if (r->optional && count == 0)
		return;
	if (r->count.has_min && count < r->count.min)
		sb_diags_add(p->d, SB_DIAG_ERROR, p->file, tp->line, tp->col,
			     "add nodes with that role, or check the tier",
			     "a %s site needs %s%llu host%s with role '%s' (%s); the BOM has %zu",
			     s->tier,
			     r->count.has_max && r->count.max == r->count.min ?
				"" : "at least ",
			     (unsigned long long)r->count.min,
			     r->count.min == 1 ? "" : "s", r->role,
			     r->reason ? r->reason : "tier requirement", count);
	if (r->count.has_max && count > r->count.max)
		sb_diags_add(p->d, SB_DIAG_ERROR, p->file, tp->line, tp->col,
			     "remove the role from the extra hosts",
			     "a %s site has at most %llu host%s with role '%s' (%s); the BOM has %zu",
			     s->tier, (unsigned long long)r->count.max,
			     r->count.max == 1 ? "" : "s", r->role,
			     r->reason ? r->reason : "tier requirement", count);
	if (r->odd && count > 0 && count % 2 == 0)
		sb_diags_add(p->d, SB_DIAG_WARNING, p->file, tp->line, tp->col,
			     "an even number adds no fault tolerance; use an odd number",
			     "%zu hosts have role '%s'", count, r->role);
	if (r->qbft && count > 0) {
		size_t f = (count - 1) / 3;
		if (f == 0)
			sb_diags_add(p->d, SB_DIAG_WARNING, p->file, tp->line,
				     tp->col,
				     "4 validators tolerate one faulty validator",
				     "%zu validator%s: QBFT needs n >= 3f+1 validators to tolerate f faulty ones, so this network tolerates no faulty validator",
				     count, count == 1 ? "" : "s");
		else if ((count - 1) % 3 != 0)
			sb_diags_add(p->d, SB_DIAG_WARNING, p->file, tp->line,
				     tp->col,
				     "QBFT tolerates f faults with 3f+1 validators",
				     "%zu validators tolerate %zu faulty one%s, no more than %zu would",
				     count, f, f == 1 ? "" : "s", 3 * f + 1);
	}
}

int sb_bom_tier_check(const struct sb_site *s, struct sb_diags *diags)
{
	const char *text = sb_bom_tier_profile(s->tier);
	struct sb_diags pd;
	struct sb_ydoc *doc = NULL;
	struct bom_parser p = { (struct sb_site *)s, diags, s->path, NULL };
	const struct sb_ynode *roles, *reqs;
	char name[64];
	int rc;

	if (!text)
		return sb_error_set(SB_EINPUT, "unknown tier '%s'", s->tier);
	snprintf(name, sizeof(name), "bom/tiers/%s.yaml", s->tier);
	sb_diags_init(&pd);
	rc = sb_yaml_load_buf(&doc, name, text, strlen(text), NULL, &pd);
	sb_diags_release(&pd);
	if (rc)
		return sb_error_set(SB_EINTERNAL,
				    "built-in tier profile %s does not load", name);
	roles = sb_ymap_get(doc->root, "roles");
	reqs = sb_ymap_get(doc->root, "requirements");
	/* roles the tier does not use */
	for (size_t i = 0; roles && i < s->nnodes; i++) {
		const struct sb_bom_node *n = &s->nodes[i];
		for (size_t v = 0; v <= n->nvms; v++) {
			const char *const *rl = v < n->nvms ? n->vms[v].roles : n->roles;
			size_t nr = v < n->nvms ? n->vms[v].nroles : n->nroles;
			const struct sb_bom_pos *pos = v < n->nvms ? &n->vms[v].pos : &n->pos;
			for (size_t k = 0; k < nr; k++) {
				bool ok = false;
				for (size_t j = 0; j < roles->n; j++)
					if (sb_streq(roles->items[j]->str, rl[k]))
						ok = true;
				if (ok)
					continue;
				char hint[300];
				size_t off = (size_t)snprintf(hint, sizeof(hint),
							      "%s sites use:", s->tier);
				for (size_t j = 0; j < roles->n && off < sizeof(hint); j++)
					off += (size_t)snprintf(hint + off, sizeof(hint) - off,
								"%s %s", j ? "," : "",
								roles->items[j]->str);
				sb_diags_add(diags, SB_DIAG_ERROR, s->path, pos->line,
					     pos->col, hint,
					     "%s '%s' has role '%s', which a %s site does not use",
					     v < n->nvms ? "VM" : "node",
					     v < n->nvms ? n->vms[v].name : n->name,
					     rl[k], s->tier);
			}
		}
	}
	for (size_t i = 0; reqs && i < reqs->n; i++) {
		const struct sb_ynode *rn = reqs->items[i];
		struct req r;
		memset(&r, 0, sizeof(r));
		r.role = sb_ymap_get(rn, "role") ? sb_ymap_get(rn, "role")->str : NULL;
		r.reason = sb_ymap_get(rn, "reason") ? sb_ymap_get(rn, "reason")->str : NULL;
		r.optional = flag(rn, "optional");
		r.odd = flag(rn, "odd");
		r.qbft = flag(rn, "qbft");
		if (!r.role || get_range(&r.count, sb_ymap_get(rn, "count"), false, false) ||
		    get_range(&r.memory, sb_ymap_get(rn, "memory"), true, true) ||
		    get_range(&r.nvme, sb_ymap_get(rn, "nvme"), true, false)) {
			sb_yaml_free(doc);
			return sb_error_set(SB_EINTERNAL,
					    "built-in tier profile %s: requirement %zu is malformed",
					    name, i + 1);
		}
		check_req(&p, &r);
	}
	sb_yaml_free(doc);
	return 0;
}

/* The built-in profile of a tier, parsed. */
static int load_profile(struct sb_ydoc **doc, const char *tier)
{
	const char *text = sb_bom_tier_profile(tier);
	struct sb_diags pd;
	int rc;

	*doc = NULL;
	if (!text)
		return sb_error_set(SB_EINPUT, "unknown tier '%s'", tier);
	sb_diags_init(&pd);
	rc = sb_yaml_load_buf(doc, "tier profile", text, strlen(text), NULL, &pd);
	sb_diags_release(&pd);
	if (rc)
		return sb_error_set(SB_EINTERNAL, "built-in tier profile %s does not load", tier);
	return 0;
}

static void node_req(const struct sb_ydoc *doc, const struct sb_bom_node *n,
		     struct sb_bom_node_req *out)
{
	const struct sb_ynode *reqs = sb_ymap_get(doc->root, "requirements");

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; reqs && i < reqs->n; i++) {
		const struct sb_ynode *rn = reqs->items[i];
		const struct sb_ynode *role = sb_ymap_get(rn, "role");
		const struct sb_ynode *reason = sb_ymap_get(rn, "reason");
		struct range mem, nvme;

		if (!role || !sb_bom_node_has_role(n, role->str))
			continue;
		if (get_range(&mem, sb_ymap_get(rn, "memory"), true, true) ||
		    get_range(&nvme, sb_ymap_get(rn, "nvme"), true, false))
			continue;
		if (mem.has_min && mem.min > out->memory_min) {
			out->memory_min = mem.min;
			snprintf(out->memory_reason, sizeof(out->memory_reason),
				 "role '%s': %s", role->str,
				 reason ? reason->str : "tier requirement");
		}
		if (nvme.has_min && nvme.min > out->nvme_min)
			out->nvme_min = nvme.min;
	}
}

int sb_bom_node_requirements(const struct sb_site *s, const struct sb_bom_node *n,
			     struct sb_bom_node_req *out)
{
	struct sb_ydoc *doc = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = load_profile(&doc, s->tier)) != 0)
		return rc;
	node_req(doc, n, out);
	sb_yaml_free(doc);
	return 0;
}

/* The profile is parsed once for the whole site: a core site has
 * thousands of nodes, and parsing it per node cost more than the BOM. */
int sb_bom_site_requirements(const struct sb_site *s, struct sb_bom_node_req *out)
{
	struct sb_ydoc *doc = NULL;
	int rc;

	if ((rc = load_profile(&doc, s->tier)) != 0)
		return rc;
	for (size_t i = 0; i < s->nnodes; i++)
		node_req(doc, &s->nodes[i], &out[i]);
	sb_yaml_free(doc);
	return 0;
}

int sb_bom_tier_besu_defaults(struct sb_site *s)
{
	struct sb_ydoc *doc = NULL;
	const struct sb_ynode *b;
	int rc = 0;

	if ((rc = load_profile(&doc, s->tier)) != 0)
		return rc;
	b = sb_ymap_get(doc->root, "besu");
	struct { const char *key; unsigned *v; } f[] = {
		{ "block_period", &s->besu.block_period },
		{ "epoch_length", &s->besu.epoch_length },
		{ "request_timeout", &s->besu.request_timeout },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && rc == 0; i++) {
		const struct sb_ynode *v = sb_ymap_get(b, f[i].key);
		long long x;
		if (*f[i].v)
			continue;	/* the BOM's */
		if (!v || v->type != SB_YSCALAR || sb_parse_ll(&x, v->str, 1, 1000000000, f[i].key))
			rc = sb_error_set(SB_EINTERNAL, "built-in tier profile %s: besu.%s is "
					  "missing or malformed", s->tier, f[i].key);
		else
			*f[i].v = (unsigned)x;
	}
	sb_yaml_free(doc);
	return rc;
}
